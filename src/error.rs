//! The error type of every command, and the one place that maps errors to exit codes.

use std::fmt;
use std::path::PathBuf;

use crate::text::terminal_safe;

/// Exit code for success (and, for `diff`/`validate`, "every check passed").
pub const EXIT_OK: u8 = 0;
/// Exit code when the command ran and a gate failed or `validate` found problems.
pub const EXIT_GATE: u8 = 1;
/// Exit code for a usage error or unusable input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code after Ctrl-C, once the progress so far was saved.
pub const EXIT_INTERRUPTED: u8 = 130;

/// One problem found in a file, located as precisely as the parser allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    /// 1-based line and column, where known.
    pub position: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, position: Option<(usize, usize)>) -> Self {
        self.position = position;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", terminal_safe(&self.path))?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        write!(f, ": {}", terminal_safe(&self.message))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {}", terminal_safe(&path.display().to_string()), io_message(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// One or more problems in input files; each is printed as `path:line:col: message`.
    #[error("{}", problems_text(problems))]
    Invalid { problems: Vec<Problem> },

    /// A checklist id that no loaded checklist has.
    #[error("unknown checklist `{}` (available: {})", terminal_safe(id), available.join(", "))]
    UnknownChecklist { id: String, available: Vec<String> },

    /// Anything else the user can fix by changing the command line or the inputs.
    /// The message may quote input (a period, a name), so it is made terminal-safe too.
    #[error("{}", terminal_safe(message))]
    Usage {
        message: String,
        hint: Option<String>,
    },

    /// The user chose to stop (e.g. "Keep it and stop here"): one line, exit 0, no `error:`.
    #[error("{message}")]
    Declined { message: String },

    /// Ctrl-C or a closed terminal, after the progress was saved.
    #[error("interrupted")]
    Interrupted { hint: Option<String> },
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if e.raw_os_error() == Some(40) => {
            "symbolic link loop (a link in this path leads back to itself)".to_string()
        }
        _ if e.raw_os_error() == Some(36) => "file name too long".to_string(),
        _ => {
            let text = e.to_string();
            // io::Error's text ends with " (os error N)"; keep just the human part.
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}

fn problems_text(problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&p.to_string());
    }
    out
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted { .. } => EXIT_INTERRUPTED,
            Error::Declined { .. } => EXIT_OK,
            _ => EXIT_USAGE,
        }
    }

    /// How to fix it, printed on the line after the error when known.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path; use `-` to read from standard input".to_string())
            }
            Error::Io { .. } => None,
            // Each problem carries its own hint; `main` prints them one by one.
            Error::Invalid { .. } | Error::Declined { .. } => None,
            Error::UnknownChecklist { id, available } => {
                Some(match crate::load::checklist_file_named(id) {
                    // A checklist of one's own, written next to where one stands.
                    Some(path) => {
                        let shown = format!("./{}", path.display());
                        let folder = path
                            .parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .map(|p| {
                                format!(
                                    " (or add `--checklists {}`)",
                                    crate::text::shell_quote(&p.display().to_string())
                                )
                            })
                            .unwrap_or_default();
                        format!(
                            "{shown} is a file of that name: give its path, {}, in place of `{}`{folder}",
                            crate::text::shell_quote(&shown),
                            terminal_safe(id)
                        )
                    }
                    None => format!(
                        "{}run `selfaudit list` to see the checklists, or pass a path to a checklist file",
                        crate::suggest::did_you_mean(id, available)
                    ),
                })
            }
            Error::Usage { hint, .. } | Error::Interrupted { hint } => hint.clone(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
