//! "This is not that kind of file": a file given where another kind was expected is named
//! for what it is, with the command or option that takes it.

use crate::error::Problem;

/// The kinds of file selfaudit reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Responses,
    Checklist,
    Team,
    Actions,
    Report,
}

/// What `text` looks like, when it clearly is one of the kinds.
pub fn kind(text: &str) -> Option<Kind> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        return t
            .contains(crate::model::report::REPORT_FORMAT)
            .then_some(Kind::Report);
    }
    let table: toml::Table = toml::from_str(text).ok()?;
    let has = |k: &str| table.contains_key(k);
    if has("respondent") || has("answers") {
        Some(Kind::Responses)
    } else if has("sections") || (has("id") && has("title")) {
        Some(Kind::Checklist)
    } else if has("people") {
        Some(Kind::Team)
    } else if has("actions") || has("targets") {
        Some(Kind::Actions)
    } else {
        None
    }
}

/// The `--checklists` a responses file needs to be scored: none when it answers built-in
/// checklists only, else the folder its own comment names (`run` writes it), else a
/// placeholder to fill in.
fn checklists_for(responses: &str) -> String {
    let Ok(table) = responses.parse::<toml::Table>() else {
        return String::new();
    };
    let builtin = crate::load::builtin_ids();
    let custom = table
        .get("answers")
        .and_then(toml::Value::as_table)
        .is_some_and(|a| a.keys().any(|id| !builtin.contains(id)));
    if !custom {
        return String::new();
    }
    let from_comment = crate::text::checklists_in_comment(responses);
    format!(" --checklists {}", from_comment.as_deref().unwrap_or("DIR"))
}

/// The folder a path is in, for `--checklists DIR`.
fn folder(path: &str) -> String {
    match std::path::Path::new(path).parent() {
        Some(p) if !p.as_os_str().is_empty() => crate::text::shell_quote(&p.display().to_string()),
        _ => ".".to_string(),
    }
}

/// A file given to `report` (or `validate` as responses) that is another kind of file.
pub fn not_responses(path: &str, text: &str) -> Option<Problem> {
    let q = crate::text::shell_quote(path);
    let (what, hint) = match kind(text)? {
        Kind::Responses => return None,
        Kind::Report => (
            "a JSON report, not a responses file",
            format!(
                "compare two reports with `selfaudit diff OLD.json {q}`, follow many with `selfaudit trend`, or show changes since it with `selfaudit report RESPONSES --baseline {q}`"
            ),
        ),
        Kind::Checklist => (
            "a checklist, not a responses file",
            format!(
                "to use the checklists in its folder, pass `--checklists {}` and name the responses files; `selfaudit template --checklists {} ID` writes one to fill in",
                folder(path),
                folder(path)
            ),
        ),
        Kind::Team => (
            "a team list, not a responses file",
            format!("pass it as `--team {q}` and name the responses files"),
        ),
        Kind::Actions => (
            "an actions file, not a responses file",
            format!("pass it as `--actions {q}` and name the responses files"),
        ),
    };
    Some(Problem::new(path, format!("this is {what}")).hint(hint))
}

/// A file given to `diff`, `trend`, `plan` or `--baseline` that is not a JSON report.
pub fn not_report(path: &str, text: &str) -> Option<Problem> {
    let q = crate::text::shell_quote(path);
    let (what, hint) = match kind(text)? {
        Kind::Report => return None,
        Kind::Responses => (
            "a responses file, not a JSON report",
            format!(
                "score it into a report first: `selfaudit report{} {q} --format json -o report.json`, and give that report instead",
                checklists_for(text)
            ),
        ),
        Kind::Checklist => (
            "a checklist, not a JSON report",
            "reports come from `selfaudit report RESPONSES --format json -o report.json`"
                .to_string(),
        ),
        Kind::Team => (
            "a team list, not a JSON report",
            format!("it goes to `selfaudit report RESPONSES --team {q}`"),
        ),
        Kind::Actions => (
            "an actions file, not a JSON report",
            format!("pass it as `--actions {q}`"),
        ),
    };
    Some(Problem::new(path, format!("this is {what}")).hint(hint))
}

/// A file given as the team list (`--team`, `SELFAUDIT_TEAM`, `./team.toml`) that is another
/// kind of file: what it is, and where it goes.
pub fn not_team(path: &str, text: &str) -> Option<Problem> {
    let q = crate::text::shell_quote(path);
    let (what, hint) = match kind(text)? {
        Kind::Team => return None,
        Kind::Responses => (
            "a responses file, not a team list",
            format!(
                "name it among the responses files; `selfaudit team init{} {q} -o team.toml` starts a team list from it",
                checklists_for(text)
            ),
        ),
        Kind::Checklist => (
            "a checklist, not a team list",
            format!(
                "checklists go with --checklists {}; a team list names people, and team init writes one from the responses files: see `selfaudit team init --help`",
                folder(path)
            ),
        ),
        Kind::Actions => (
            "an actions file, not a team list",
            format!("pass it as `--actions {q}`"),
        ),
        Kind::Report => (
            "a JSON report, not a team list",
            format!("to show the changes since it, pass it as `--baseline {q}`"),
        ),
    };
    Some(Problem::new(path, format!("this is {what}")).hint(hint))
}

/// A file given as the actions file (`--actions`, `./actions.toml`) that is another kind of
/// file: what it is, and where it goes.
pub fn not_actions(path: &str, text: &str) -> Option<Problem> {
    let q = crate::text::shell_quote(path);
    let (what, hint) = match kind(text)? {
        Kind::Actions => return None,
        Kind::Responses => (
            "a responses file, not an actions file",
            "name it among the responses files; an actions file starts from the proposals plan makes from a JSON report: see `selfaudit plan --help`".to_string(),
        ),
        Kind::Checklist => (
            "a checklist, not an actions file",
            format!("checklists go with `--checklists {}`", folder(path)),
        ),
        Kind::Team => (
            "a team list, not an actions file",
            format!("pass it as `--team {q}`"),
        ),
        Kind::Report => (
            "a JSON report, not an actions file",
            format!("`selfaudit plan {q} -o actions.toml` proposes actions from it"),
        ),
    };
    Some(Problem::new(path, format!("this is {what}")).hint(hint))
}

#[cfg(test)]
mod tests {
    use super::{Kind, kind};

    #[test]
    fn each_kind_of_file_is_known_by_its_keys() {
        assert_eq!(
            kind("respondent = \"A\"\nperiod = \"P\"\n"),
            Some(Kind::Responses)
        );
        assert_eq!(
            kind("id = \"x\"\ntitle = \"X\"\nversion = \"1\"\n"),
            Some(Kind::Checklist)
        );
        assert_eq!(kind("[[people]]\nname = \"A\"\n"), Some(Kind::Team));
        assert_eq!(kind("[[targets]]\nscope = \"x\"\n"), Some(Kind::Actions));
        assert_eq!(
            kind("{\"format\": \"selfaudit-report/1\"}"),
            Some(Kind::Report)
        );
        assert_eq!(kind("what = 1"), None);
        assert_eq!(kind("not toml at all ="), None);
    }
}
