//! `selfaudit run`'s closing summary with an actions file (SPEC §12): the respondent's critical
//! gaps are followed by the open actions on them; a bad actions file is a warning only.
#![cfg(unix)]

use std::fs;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect};

const CHECKLIST: &str = r#"
id = "mini"
title = "Mini audit"
version = "1"

[renamed]
call-back = "return-calls"

[[sections]]
id = "calls"
title = "Calls"

[[sections.items]]
id = "return-calls"
text = "Do we return every call within a day?"
critical = true
"#;

const OTHER: &str = r#"
id = "other"
version = "1"

[[sections]]
id = "s"

[[sections.items]]
id = "i"
text = "Another question"
"#;

fn interview(actions: Option<&str>) -> (String, i32) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("cl")).unwrap();
    fs::write(dir.path().join("cl/mini.toml"), CHECKLIST).unwrap();
    fs::write(dir.path().join("cl/other.toml"), OTHER).unwrap();
    if let Some(text) = actions {
        fs::write(dir.path().join("actions.toml"), text).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfaudit"));
    cmd.current_dir(dir.path())
        .args(["--checklists", "cl", "run", "mini", "--respondent", "Ann"])
        .args(["--period", "2026-Q4", "--notes", "never"])
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut s = expectrl::Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s.expect("Do we return every call within a day?").unwrap();
    s.expect("no").unwrap();
    s.send("no\r").unwrap();
    let rest =
        String::from_utf8_lossy(s.expect(Eof).unwrap().get(0).unwrap_or_default()).into_owned();
    match s.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => (rest, code),
        other => panic!("not a normal exit: {other:?}\n{rest}"),
    }
}

#[test]
fn the_open_actions_on_the_respondent_s_critical_gaps_follow_them() {
    let (out, code) = interview(Some(
        r#"
[[actions]]
id = "owner"
item = "mini/call-back"
what = "One person owns the callbacks"
owner = "Sofia"
opened = "2026-Q3"
due = 2026-12-31

[[actions]]
id = "finished"
item = "mini/return-calls"
what = "Already done"
opened = "2026-Q3"
status = "done"

[[actions]]
id = "elsewhere"
item = "other/i"
what = "On a checklist this interview did not ask"
opened = "2026-Q3"
"#,
    ));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("What the team is doing about your critical gaps:"),
        "{out}"
    );
    assert!(
        out.contains("– One person owns the callbacks [open] · Sofia · due 2026-12-31"),
        "{out}"
    );
    assert!(!out.contains("Already done"), "{out}");
}

#[test]
fn a_bad_actions_file_is_a_warning_and_the_answers_are_saved() {
    let (out, code) = interview(Some("[[actions]]\nid = \"x\"\n"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: the actions file is not shown: actions.toml:"),
        "{out}"
    );
    assert!(out.contains("Saved "), "{out}");
}
