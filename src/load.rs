//! Files, folders and stdin: finding checklists, reading inputs, writing outputs atomically.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::actions::{self, Actions, Catalog};
use crate::error::{Error, Problem, Result};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
pub use crate::paths::{write_atomic, write_atomic_with};
use crate::text::line_col;

/// The checklists shipped in the binary: the files of the repo's `checklists/`, in this order.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "01-service-self-audit.toml",
        include_str!("../checklists/01-service-self-audit.toml"),
    ),
    (
        "02-be-sure.toml",
        include_str!("../checklists/02-be-sure.toml"),
    ),
    (
        "03-retention-habits.toml",
        include_str!("../checklists/03-retention-habits.toml"),
    ),
    (
        "04-six-steps.toml",
        include_str!("../checklists/04-six-steps.toml"),
    ),
    (
        "05-challenge-areas.toml",
        include_str!("../checklists/05-challenge-areas.toml"),
    ),
    (
        "06-upset-customers.toml",
        include_str!("../checklists/06-upset-customers.toml"),
    ),
    (
        "07-customer-for-life.toml",
        include_str!("../checklists/07-customer-for-life.toml"),
    ),
    (
        "08-reputation.toml",
        include_str!("../checklists/08-reputation.toml"),
    ),
];

/// Where a checklist came from, for `list` and for messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Builtin => write!(f, "built-in"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The checklists asked when none is named.
pub const DEFAULT_CHECKLISTS: [&str; 2] = ["service-self-audit", "be-sure"];
/// The ids of the built-in checklists, read once (shell completion offers them).
pub fn builtin_ids() -> &'static [String] {
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| Registry::builtin().map(|r| r.ids()).unwrap_or_default())
}

/// The checklists in use, in a stable order.
#[derive(Debug, Default)]
pub struct Registry {
    entries: Vec<(Checklist, Origin)>,
    /// Id → position in `entries` (the first, until `finish` rejects duplicates), so that
    /// thousands of checklists cost O(n), not O(n²).
    index: std::collections::HashMap<String, usize>,
}

impl Registry {
    /// `--checklists DIR` (or `SELFAUDIT_CHECKLISTS`), else `./checklists/` when it exists, else the built-in set.
    pub fn discover(dir: Option<&Path>) -> Result<Registry> {
        match dir {
            Some(dir) => Registry::from_dir(dir),
            None if Path::new("checklists").is_dir() => Registry::from_dir(Path::new("checklists")),
            None => Registry::builtin(),
        }
    }

    pub fn builtin() -> Result<Registry> {
        let mut registry = Registry::default();
        let mut problems = Vec::new();
        for (name, text) in BUILTIN {
            let name = format!("<built-in>/{name}");
            match Checklist::parse(&Source { name: &name, text }) {
                Ok(c) => registry.push(c, Origin::Builtin),
                Err(p) => problems.extend(p),
            }
        }
        registry.finish(problems)
    }

    fn from_dir(dir: &Path) -> Result<Registry> {
        let files = toml_files(dir).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::usage_hint(
                    format!("{}: no such checklists folder", display(dir)),
                    "point --checklists (or SELFAUDIT_CHECKLISTS) at the folder that holds the checklist files (*.toml), e.g. --checklists ./checklists, or leave it out to use ./checklists/ or the built-in set",
                )
            }
            e => e,
        })?;
        if files.is_empty() {
            return Err(Error::usage_hint(
                format!(
                    "{}: no checklist files (*.toml) in this folder",
                    dir.display()
                ),
                "point --checklists (or SELFAUDIT_CHECKLISTS) at a folder of checklist files, or leave it unset to use the built-in ones",
            ));
        }
        let mut registry = Registry::default();
        let mut problems = Vec::new();
        for path in files {
            let text = read_text(&path)?;
            match Checklist::parse(&Source {
                name: &path.display().to_string(),
                text: &text,
            }) {
                Ok(c) => registry.push(c, Origin::File(path)),
                Err(p) => problems.extend(p),
            }
        }
        registry.finish(problems)
    }

    fn finish(self, mut problems: Vec<Problem>) -> Result<Registry> {
        for (i, (c, origin)) in self.entries.iter().enumerate() {
            if let Some(&at) = self.index.get(&c.id)
                && at != i
            {
                let first = &self.entries[at].1;
                problems.push(
                    Problem::new(
                        origin.to_string(),
                        format!("checklist id `{}` is also used by {first}", c.id),
                    )
                    .hint("every checklist needs its own id"),
                );
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(Error::Invalid { problems })
        }
    }

    /// Adds a checklist read from a file named on the command line; it replaces one with the same id.
    pub fn insert(&mut self, checklist: Checklist, origin: Origin) -> &Checklist {
        if self.index.contains_key(&checklist.id) {
            self.entries.retain(|(c, _)| c.id != checklist.id);
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (c, _))| (c.id.clone(), i))
                .collect();
        }
        self.push(checklist, origin);
        &self.entries[self.entries.len() - 1].0
    }

    /// Appends a checklist; the index keeps the first of an id.
    fn push(&mut self, checklist: Checklist, origin: Origin) {
        self.index
            .entry(checklist.id.clone())
            .or_insert(self.entries.len());
        self.entries.push((checklist, origin));
    }

    pub fn get(&self, id: &str) -> Option<&Checklist> {
        self.index.get(id).map(|&i| &self.entries[i].0)
    }

    pub fn ids(&self) -> Vec<String> {
        self.entries.iter().map(|(c, _)| c.id.clone()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Checklist, Origin)> {
        self.entries.iter()
    }

    /// A CHECKLIST argument: a path (it has a `/`, ends in `.toml`, or is `-`) or else an id.
    pub fn resolve(&mut self, arg: &str) -> Result<String> {
        let looks_like_path =
            arg == "-" || arg.contains('/') || arg.contains('\\') || arg.ends_with(".toml");
        if !looks_like_path {
            return match self.get(arg) {
                Some(c) => Ok(c.id.clone()),
                None => Err(Error::UnknownChecklist {
                    id: arg.to_string(),
                    available: self.ids(),
                }),
            };
        }
        let path = PathBuf::from(arg);
        let checklist = read_checklist(&path)?;
        Ok(self.insert(checklist, Origin::File(path)).id.clone())
    }
}

/// `ID.toml` in the current folder or one of its folders, for an id that no loaded checklist
/// has: a new user's own checklist, named without `--checklists`. Looks at a few hundred
/// entries at most.
pub fn checklist_file_named(id: &str) -> Option<PathBuf> {
    if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
        return None;
    }
    let name = format!("{id}.toml");
    let here = PathBuf::from(&name);
    if here.is_file() {
        return Some(here);
    }
    std::fs::read_dir(".")
        .ok()?
        .take(500)
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| PathBuf::from(e.file_name()).join(&name))
        .filter(|p| p.is_file())
        .min()
}

/// Reads and validates one checklist file (or stdin for `-`).
pub fn read_checklist(path: &Path) -> Result<Checklist> {
    let text = read_text(path)?;
    Checklist::parse(&Source {
        name: &display(path),
        text: &text,
    })
    .map_err(|problems| Error::Invalid { problems })
}

/// Reads a JSON report (or stdin for `-`) back, for `diff`, `trend` and `report --baseline`.
pub fn read_report(path: &Path) -> Result<Report> {
    let text = read_text(path)?;
    Report::parse(&Source {
        name: &display(path),
        text: &text,
    })
    .map_err(|problems| Error::Invalid {
        problems: match crate::sniff::not_report(&display(path), &text) {
            Some(p) => vec![p],
            None => problems,
        },
    })
}

/// How a path is named in messages; `-` is standard input.
pub fn display(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// The `*.toml` files directly in a folder, sorted by name.
pub fn toml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(folder_files(dir)?.toml)
}

/// A folder's `*.toml` files and its interviews in progress (`*.partial`), each sorted by name.
struct FolderFiles {
    toml: Vec<PathBuf>,
    partial: Vec<PathBuf>,
}

/// Reads a folder once for both kinds of file it may hold.
fn folder_files(dir: &Path) -> Result<FolderFiles> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut found = FolderFiles {
        toml: Vec::new(),
        partial: Vec::new(),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let list = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => &mut found.toml,
            Some("partial") => &mut found.partial,
            _ => continue,
        };
        // The entry's own type costs no extra call; only a link needs a look at its target.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_symlink() => path.is_file(),
            Ok(t) => t.is_file(),
            Err(_) => false,
        };
        if is_file {
            list.push(path);
        }
    }
    found.toml.sort();
    found.partial.sort();
    Ok(found)
}

/// What the command line's files and folders hold.
pub struct Inputs {
    pub files: Vec<PathBuf>,
    /// Interviews still in progress (`*.partial`) found in those folders, which are not read.
    pub in_progress: Vec<PathBuf>,
}

/// Files and folders from the command line, folders expanded to their `*.toml` files.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Inputs> {
    if paths.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err(twice_stdin());
    }
    let mut inputs = Inputs {
        files: Vec::new(),
        in_progress: Vec::new(),
    };
    for path in paths {
        if path != Path::new("-") && path.is_dir() {
            let found = folder_files(path)?;
            if found.toml.is_empty() {
                return Err(Error::usage_hint(
                    format!("{}: no *.toml files in this folder", path.display()),
                    "name responses files or a folder that holds them",
                ));
            }
            inputs.files.extend(found.toml);
            inputs.in_progress.extend(found.partial);
        } else {
            inputs.files.push(path.clone());
        }
    }
    Ok(inputs)
}

/// Reads a UTF-8 text file, or stdin for `-`.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("<stdin>", e))?;
        buf
    } else {
        if path.is_dir() {
            return Err(Error::usage_hint(
                format!("{}: is a folder, not a file", path.display()),
                "name a file inside it",
            ));
        }
        fs::read(path).map_err(|e| Error::io(path, e))?
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        Error::Invalid {
            problems: vec![
                Problem::new(display(path), "the file is not UTF-8 text")
                    .at(Some(line_col(&text, valid)))
                    .hint("save the file as UTF-8"),
            ],
        }
    })
}

/// Writes to stdout for `None` or `-`, else atomically: a temp file in the same folder,
/// synced, then renamed over the target, so a crash leaves the old file or the new, never half.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        None => write_stdout(bytes),
        Some(p) if p == Path::new("-") => write_stdout(bytes),
        Some(p) => write_atomic(p, bytes),
    }
}

pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    // A closed pipe (`| head`) is the reader's choice, not an error.
    crate::out::stdout(bytes).map_err(|e| Error::io("<stdout>", e))
}

/// The actions file named, else `./actions.toml` when it exists; None when there is none.
/// A file named with `--actions` must exist.
pub fn read_actions(arg: Option<&Path>, catalog: &Catalog) -> Result<Option<(String, Actions)>> {
    let path = match arg {
        Some(p) => p.to_path_buf(),
        None if Path::new(actions::DEFAULT_FILE).is_file() => PathBuf::from(actions::DEFAULT_FILE),
        None => return Ok(None),
    };
    let text = read_text(&path)?;
    let name = display(&path);
    let file = Actions::parse(
        &Source {
            name: &name,
            text: &text,
        },
        catalog,
    )
    .map_err(|problems| {
        // Another kind of file is said as such, not as a list of keys an actions file lacks.
        let mut problems = crate::sniff::not_actions(&name, &text).map_or(problems, |p| vec![p]);
        if arg.is_none() {
            found_on_its_own(&mut problems, actions::DEFAULT_FILE, "--actions FILE");
        }
        Error::Invalid { problems }
    })?;
    Ok(Some((text, file)))
}

/// Says, under the last problem of a file read without being named (`./actions.toml`,
/// `./team.toml`), why it was read, so that a problem in it is not a surprise.
pub fn found_on_its_own(problems: &mut [crate::error::Problem], file: &str, flag: &str) {
    if let Some(last) = problems.last_mut() {
        let why = format!(
            "{file} in the current folder is read without being named; fix it, name another with {flag}, or run from another folder"
        );
        last.hint = Some(match last.hint.take() {
            Some(h) => format!("{h}; {why}"),
            None => why,
        });
    }
}

/// A workbook is refused where it would land on a terminal (`-o /dev/tty` is one too).
pub fn refuse_terminal(output: Option<&Path>) -> Result<()> {
    let to_terminal = match output.filter(|p| *p != Path::new("-")) {
        None => std::io::stdout().is_terminal(),
        Some(p) => {
            std::fs::metadata(p).is_ok_and(|m| !m.is_file())
                && std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .is_ok_and(|f| f.is_terminal())
        }
    };
    if to_terminal {
        return Err(Error::usage_hint(
            "a workbook is not for a terminal",
            "write it to a file with -o report.xlsx, or pipe it: `... --format xlsx > report.xlsx`",
        ));
    }
    Ok(())
}

/// Streams output to a file (atomically) or to standard output, without holding it whole.
pub fn write_stream(
    path: Option<&Path>,
    fill: impl FnOnce(&mut (dyn std::io::Write + Send)) -> std::io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) => write_atomic_with(p, |file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            fill(&mut out)?;
            out.flush()
        }),
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            match fill(&mut out).and_then(|()| out.flush()) {
                // A closed pipe (`| head`, `>&-`) is the reader's choice, not an error.
                Err(e) if crate::out::is_closed(&e) => Ok(()),
                Err(e) => Err(Error::io("<stdout>", e)),
                Ok(()) => Ok(()),
            }
        }
    }
}

/// `-` named twice: standard input can be read once only.
pub fn twice_stdin() -> Error {
    Error::usage_hint(
        "standard input (`-`) is named twice, but it can be read once only",
        "name the other files by their paths",
    )
}

/// The ` --checklists DIR` a printed command needs to find the same checklists again: the
/// folder in use, else the folder of the first checklist named by its path; else nothing.
pub fn checklists_flag(dir: Option<&Path>, args: &[String]) -> String {
    let folder = match dir {
        Some(d) => Some(d.to_path_buf()),
        None => args
            .iter()
            .find(|a| *a != "-" && (a.contains('/') || a.contains('\\') || a.ends_with(".toml")))
            .map(|a| match Path::new(a).parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }),
    };
    match folder {
        Some(f) => format!(
            " --checklists {}",
            crate::text::shell_quote(&f.display().to_string())
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_set_is_exactly_the_checklists_folder() {
        let mut on_disk: Vec<String> = toml_files(Path::new("checklists"))
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(embedded, on_disk);
        for (name, text) in BUILTIN {
            let on_disk = fs::read_to_string(Path::new("checklists").join(name)).unwrap();
            assert_eq!(*text, on_disk, "{name}");
        }
    }

    #[test]
    fn the_builtin_checklists_are_valid_and_start_with_the_two_core_ones() {
        let registry = Registry::builtin().unwrap();
        let counts: Vec<(String, usize)> = registry
            .iter()
            .map(|(c, _)| (c.id.clone(), c.item_count()))
            .collect();
        assert_eq!(counts[0], ("service-self-audit".to_string(), 15));
        assert_eq!(counts[1], ("be-sure".to_string(), 6));
        assert!(counts.len() >= 6);
        for (c, _) in registry.iter() {
            assert!(
                c.items().all(|(_, i)| i.help.is_some()),
                "{}: every item has help",
                c.id
            );
        }
    }

    #[test]
    fn atomic_writes_replace_the_whole_file_and_leave_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new contents").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new contents");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_and_keep_an_existing_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, b"{\"a\": 1}").unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_link_and_a_pipe_stays_a_pipe() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");

        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: the link half still ran
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            3,
            "no temp file left"
        );
    }

    #[test]
    fn a_folder_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.toml");
        write_atomic(&path, b"respondent = \"Ana\"\n").unwrap();
        let err = write_atomic_with(&path, |f| {
            f.write_all(b"respondent = \"Ana")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("answers.toml"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "respondent = \"Ana\"\n");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temp file removed"
        );
    }
}
