//! The file formats (checklists, responses, reports) and their validation.

pub mod actions;
pub mod checklist;
pub mod every;
pub mod quote;
pub mod report;
pub mod responses;
pub mod scale;
pub mod top_keys;

use crate::error::Problem;
use crate::text::line_col;

/// A parsed source file: its name for messages and its text, to turn byte spans into positions.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn problem(
        &self,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> Problem {
        Problem::new(self.name, message).at(span.map(|s| line_col(self.text, s.start)))
    }

    /// A TOML syntax or type error, located where the parser says.
    pub fn toml_problem(&self, err: &toml::de::Error) -> Problem {
        let message = err.message().trim().replace('\n', " ");
        let message = message.strip_suffix('.').unwrap_or(&message).to_string();
        // The parser's own words for deep nesting name its internals, not the file's problem.
        let message = if message.contains("recursion") || message.contains("recurse") {
            "arrays or tables nested too deeply (the parser stops at its recursion limit)"
                .to_string()
        } else {
            message
        };
        let mut problem = self.problem(err.span(), message.clone());
        if let Some(hint) = toml_hint(&message) {
            problem = problem.hint(hint);
        }
        problem
    }
}

/// How to fix the commonest TOML mistakes, from the parser's message.
fn toml_hint(message: &str) -> Option<String> {
    if message.starts_with("unknown field") {
        Some("check the spelling of the key; allowed keys are listed after `expected`".to_string())
    } else if message.starts_with("missing field") {
        Some("add the missing key".to_string())
    } else if message.contains("expected a string") {
        Some("put the value in double quotes".to_string())
    } else if message.contains("duplicate key") {
        Some("each key may appear once in a table; remove or rename the second one".to_string())
    } else if message.starts_with("invalid type") {
        None
    } else if message.starts_with("arrays or tables nested too deeply") {
        Some("no selfaudit file nests values more than a few levels deep; remove the extra brackets or braces".to_string())
    } else {
        Some("this is not valid TOML: check the quotes, brackets and `=` on this line".to_string())
    }
}

/// Ids of checklists: `[a-z0-9][a-z0-9-]*`.
pub fn is_checklist_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
