//! The binary as users and scripts meet it: every command, every exit code, and a corpus of
//! malformed files, each pinned to its exit code and to a message naming the file and position.

use std::path::Path;

use predicates::prelude::*;

use crate::common::selfaudit;

const MINI: &str = "tests/fixtures/mini";
const BAD_CHECKLISTS: &str = "tests/fixtures/malformed/checklists";
const BAD_RESPONSES: &str = "tests/fixtures/malformed/responses";

/// Each malformed checklist, with where its first problem is and what it says.
const CHECKLIST_CASES: &[(&str, &str)] = &[
    ("not-toml.toml", "1:19: invalid basic string"),
    (
        "misspelt-key.toml",
        "3:1: unknown field `titel`, expected one of `id`, `title`",
    ),
    ("misspelt-item-key.toml", "8:1: unknown field `critcal`"),
    ("bad-id.toml", "1:6: checklist id `Bad Id` is not valid"),
    ("missing-version.toml", "1:1: missing field `version`"),
    (
        "version-number.toml",
        "2:11: invalid type: integer `1`, expected a string",
    ),
    (
        "zero-item-weight.toml",
        "8:10: the weight of item `i` must be a finite number above 0, not 0",
    ),
    (
        "negative-section-weight.toml",
        "5:10: the weight of section `s` must be a finite number above 0, not -1",
    ),
    (
        "nan-checklist-weight.toml",
        "3:10: the weight of the checklist must be a finite number above 0, not NaN",
    ),
    ("unknown-scale.toml", "3:9: unknown scale `stars`"),
    (
        "one-choice-scale.toml",
        "5:11: scale `solo` needs at least two choices",
    ),
    (
        "duplicate-choice-keys.toml",
        "5:20: scale `dup` has the key `a` twice",
    ),
    (
        "flat-scale.toml",
        "5:11: scale `flat`: its highest value must be above its lowest",
    ),
    (
        "reserved-na-key.toml",
        "5:20: scale `s`: the key `n/a` is reserved",
    ),
    (
        "infinite-value.toml",
        "5:46: scale `s`: the value of `b` must be a finite number",
    ),
    ("duplicate-item-id.toml", "11:6: item id `i` is used twice"),
    (
        "duplicate-section-id.toml",
        "9:6: section id `s` is used twice",
    ),
    ("empty-section.toml", "9:6: section `empty` has no items"),
    (
        "no-sections.toml",
        "1:1: a checklist needs at least one section",
    ),
    ("empty-text.toml", "7:8: item `i`: text must not be empty"),
    (
        "rename-to-nowhere.toml",
        "4:7: `old` is renamed to `gone`, which is not an item of this checklist",
    ),
];

/// Each malformed responses file (against tests/fixtures/mini), with its position and message.
const RESPONSES_CASES: &[(&str, &str)] = &[
    ("not-toml.toml", "3:14: unclosed table"),
    ("not-utf8.toml", "1:16: the file is not UTF-8 text"),
    ("empty.toml", "1:1: missing field `respondent`"),
    ("missing-respondent.toml", "1:1: missing field `respondent`"),
    (
        "empty-respondent.toml",
        "1:14: respondent must not be empty",
    ),
    ("misspelt-top-key.toml", "1:1: unknown key `respondant`"),
    ("unknown-checklist.toml", "3:10: unknown checklist `maxi`"),
    (
        "unknown-checklist-version.toml",
        "3:13: unknown checklist `nope`",
    ),
    (
        "unknown-item.toml",
        "4:1: checklist `mini` has no item `sometimes`",
    ),
    (
        "bad-choice.toml",
        "4:8: item `freq`: `daily` is not a choice of scale `frequency`",
    ),
    (
        "na-not-allowed.toml",
        "4:10: item `always` cannot be answered n/a",
    ),
    (
        "boolean-answer.toml",
        "4:10: item `always`: an answer must be a choice key in quotes, not boolean",
    ),
    (
        "note-without-choice.toml",
        "4:8: item `freq`: the answer has a note but no `choice`",
    ),
    (
        "answer-unknown-key.toml",
        "4:8: item `freq`: unknown key `notes` in the answer",
    ),
    (
        "note-not-string.toml",
        "4:8: item `freq`: `note` must be a string, not integer",
    ),
    (
        "submitted-number.toml",
        "3:13: submitted must be a date-time, not integer",
    ),
    ("answered-twice.toml", "4:1: item `freq` is answered twice"),
];

#[test]
fn the_corpus_covers_every_malformed_file() {
    for (dir, cases) in [
        (BAD_CHECKLISTS, CHECKLIST_CASES),
        (BAD_RESPONSES, RESPONSES_CASES),
    ] {
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut named: Vec<String> = cases.iter().map(|(f, _)| f.to_string()).collect();
        named.sort();
        assert_eq!(files, named, "{dir}");
    }
    assert!(CHECKLIST_CASES.len() + RESPONSES_CASES.len() >= 15);
}

#[test]
fn malformed_checklists_fail_validate_with_exit_1_and_their_position() {
    for (file, expected) in CHECKLIST_CASES {
        let path = format!("{BAD_CHECKLISTS}/{file}");
        let out = selfaudit().args(["validate", &path]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("{path}:{expected}")),
            "{file}: expected `{path}:{expected}` in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
}

#[test]
fn malformed_checklists_named_on_the_command_line_are_errors_with_exit_2() {
    for (file, expected) in CHECKLIST_CASES {
        let path = format!("{BAD_CHECKLISTS}/{file}");
        let out = selfaudit().args(["template", &path]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("error: {path}:{expected}")),
            "{file}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{file}");
    }
}

#[test]
fn an_invalid_checklist_in_the_folder_in_use_stops_every_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(format!("{MINI}/mini.toml"), dir.path().join("mini.toml")).unwrap();
    std::fs::copy(
        format!("{BAD_CHECKLISTS}/misspelt-key.toml"),
        dir.path().join("typo.toml"),
    )
    .unwrap();
    for args in [
        vec!["list"],
        vec!["template"],
        vec!["report", "tests/fixtures/conformance/responses"],
    ] {
        selfaudit()
            .arg("--checklists")
            .arg(dir.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "typo.toml:3:1: unknown field `titel`",
            ));
    }
}

#[test]
fn malformed_responses_are_rejected_by_report_with_exit_2() {
    for (file, expected) in RESPONSES_CASES {
        let path = format!("{BAD_RESPONSES}/{file}");
        let out = selfaudit()
            .args(["--checklists", MINI, "report", &path])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("error: {path}:{expected}")),
            "{file}: expected `{path}:{expected}` in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        assert!(out.stdout.is_empty(), "{file}");
    }
}

#[test]
fn malformed_responses_fail_validate_with_exit_1() {
    for (file, expected) in RESPONSES_CASES {
        let path = format!("{BAD_RESPONSES}/{file}");
        let out = selfaudit()
            .args(["validate", "--checklists", MINI, &path])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        // An empty file is neither kind: validate says so rather than guess.
        let expected = if *file == "empty.toml" {
            "1:1: the file is empty"
        } else {
            expected
        };
        assert!(
            stderr.contains(&format!("{path}:{expected}")),
            "{file}: {stderr}"
        );
    }
}

#[test]
fn a_wrong_key_lists_the_allowed_keys() {
    selfaudit()
        .args(["--checklists", MINI, "report"])
        .arg(format!("{BAD_RESPONSES}/bad-choice.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "hint: allowed: never, rarely, sometimes, often, always, n/a",
        ));
}

#[test]
fn validate_reports_every_problem_of_every_file_and_exits_0_when_all_are_valid() {
    selfaudit()
        .args(["validate", "checklists", "examples/responses/2026-Q4"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "01-service-self-audit.toml: ok (checklist `service-self-audit`",
        ));
    let out = selfaudit()
        .args(["validate", "--checklists", MINI])
        .arg(format!("{BAD_RESPONSES}/bad-choice.toml"))
        .arg(format!("{BAD_RESPONSES}/na-not-allowed.toml"))
        .arg(format!("{MINI}/mini.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad-choice.toml:4:8") && stderr.contains("na-not-allowed.toml:4:10"));
    assert!(stderr.contains("2 problems found"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("mini.toml: ok"));
}

#[test]
fn validate_checks_responses_against_checklists_named_beside_them() {
    let dir = tempfile::tempdir().unwrap();
    let responses = dir.path().join("r.toml");
    std::fs::write(
        &responses,
        "respondent = \"A\"\nperiod = \"p\"\n[answers.mini]\nfreq = \"often\"\n",
    )
    .unwrap();
    selfaudit()
        .arg("validate")
        .arg(format!("{MINI}/mini.toml"))
        .arg(&responses)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok (responses of A, p, 1 answer)"));
    selfaudit()
        .arg("validate")
        .arg(&responses)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown checklist `mini`"));
}

#[test]
fn missing_files_and_unknown_ids_are_usage_errors() {
    selfaudit()
        .args(["report", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: no/such/file.toml: no such file or folder",
        ));
    selfaudit()
        .args(["validate", "no-such.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such.toml"));
    selfaudit()
        .args(["template", "no-such-checklist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown checklist `no-such-checklist`",
        ))
        .stderr(predicate::str::contains("selfaudit list"));
    selfaudit()
        .args(["report", "--format", "pdf", "x.toml"])
        .assert()
        .code(2);
    selfaudit().arg("frobnicate").assert().code(2);
    selfaudit().assert().code(2);
}

#[test]
fn help_and_version_exit_0() {
    selfaudit()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"));
    selfaudit()
        .args(["report", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--min-responses"));
    selfaudit()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("selfaudit "));
}

#[test]
fn list_shows_the_checklists_with_their_source() {
    selfaudit()
        .arg("list")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("service-self-audit"))
        .stdout(predicate::str::contains("be-sure"));
    // From a folder without ./checklists, the built-in set is used.
    let dir = tempfile::tempdir().unwrap();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 6);
    assert_eq!(rows[0]["id"], "service-self-audit");
    assert_eq!(rows[0]["items"], 15);
    assert_eq!(rows[1]["id"], "be-sure");
    assert_eq!(rows[1]["items"], 6);
    assert!(rows.iter().all(|r| r["source"] == "built-in"));
}

#[test]
fn checklists_folder_comes_from_the_flag_before_or_after_the_command_or_the_environment() {
    for cmd in [
        selfaudit().args(["--checklists", MINI, "list"]).output(),
        selfaudit().args(["list", "--checklists", MINI]).output(),
        selfaudit()
            .env("SELFAUDIT_CHECKLISTS", MINI)
            .arg("list")
            .output(),
    ] {
        let out = cmd.unwrap();
        assert!(out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("mini") && !stdout.contains("be-sure"),
            "{stdout}"
        );
    }
}

#[test]
fn a_filled_in_template_is_a_valid_responses_file() {
    let out = selfaudit()
        .args(["template", "--respondent", "Dana", "--period", "2026-Q4"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let template = String::from_utf8(out.stdout).unwrap();
    assert!(template.contains("# [1/21] Do you deliver what you promise"));
    assert!(template.contains("# deliver-on-time = \"\""));

    let dir = tempfile::tempdir().unwrap();
    // As it stands (nothing answered) it is valid.
    let blank = dir.path().join("blank.toml");
    std::fs::write(&blank, &template).unwrap();
    selfaudit().arg("validate").arg(&blank).assert().code(0);

    // Filled in by a script: uncomment two answers.
    let filled = template
        .replace("# deliver-on-time = \"\"", "deliver-on-time = \"often\"")
        .replace(
            "# return-calls = \"\"",
            "return-calls = { choice = \"rarely\", note = \"voicemail\" }",
        );
    let path = dir.path().join("dana.toml");
    std::fs::write(&path, filled).unwrap();
    let out = selfaudit()
        .args(["report", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = &report["checklists"][0]["sections"][0]["items"];
    assert_eq!(items[0]["score"], 75.0);
    assert_eq!(items[2]["score"], 25.0);
    assert_eq!(items[2]["notes"][0]["note"], "voicemail");
    assert_eq!(report["respondents"][0], "Dana");
}

#[test]
fn template_of_a_checklist_path_and_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sub/t.toml");
    selfaudit()
        .args(["template", &format!("{MINI}/mini.toml"), "-o"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("[answers.mini]") && text.contains("# freq = \"\""));
    assert!(text.contains("keys: no (No) | yes (Yes)"), "{text}");
}

fn write_responses(dir: &Path, name: &str, respondent: &str, period: &str) {
    std::fs::write(
        dir.join(name),
        format!("respondent = \"{respondent}\"\nperiod = \"{period}\"\n[answers.mini]\nalways = \"yes\"\n"),
    )
    .unwrap();
}

#[test]
fn one_report_needs_one_period_and_each_respondent_once() {
    let dir = tempfile::tempdir().unwrap();
    write_responses(dir.path(), "a.toml", "Ana", "2026-Q4");
    write_responses(dir.path(), "b.toml", "Ben", "2026-Q3");
    selfaudit()
        .args(["--checklists", MINI, "report"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "period `2026-Q3` differs from `2026-Q4`",
        ))
        .stderr(predicate::str::contains("--period"));
    let out = selfaudit()
        .args([
            "--checklists",
            MINI,
            "report",
            "--format",
            "json",
            "--period",
            "2026 H2",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["period"], "2026 H2");

    write_responses(dir.path(), "b.toml", "ana", "2026-Q4");
    selfaudit()
        .args(["--checklists", MINI, "report"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "respondent `ana` also answered in",
        ));
}

#[test]
fn report_reads_stdin_and_writes_files_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports/q4.json");
    selfaudit()
        .args([
            "--checklists",
            MINI,
            "report",
            "-",
            "--format",
            "json",
            "-o",
        ])
        .arg(&out)
        .write_stdin(
            "respondent = \"Ana\"\nperiod = \"2026-Q4\"\n[answers.mini]\nfreq = \"often\"\n",
        )
        .assert()
        .code(0)
        .stdout("");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["score"], 75.0);
    // No temp file is left beside the output.
    let names: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn an_empty_folder_and_a_file_without_answers_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    selfaudit()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.toml files"));
    std::fs::write(
        dir.path().join("r.toml"),
        "respondent = \"A\"\nperiod = \"p\"\n",
    )
    .unwrap();
    selfaudit()
        .args(["--checklists", MINI, "report"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no answers to any checklist"));
}

#[test]
fn a_version_mismatch_warns_and_scores_on() {
    selfaudit()
        .args(["--checklists", MINI, "report", "--format", "json", "-"])
        .write_stdin(
            "respondent = \"A\"\nperiod = \"p\"\n[checklists.mini]\nversion = \"1\"\n[answers.mini]\nold-freq = \"always\"\n",
        )
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning: <stdin>: answers version 1 of checklist `mini`, which is now version 2"))
        .stdout(predicate::str::contains("\"score\": 100.0"));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        selfaudit()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("selfaudit"));
    }
    selfaudit().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn control_characters_in_user_text_never_reach_the_terminal_raw() {
    let out = selfaudit()
        .args(["--checklists", MINI, "report", "-"])
        .write_stdin(
            "respondent = \"Eve\\u001b[2J\\u001b]0;pwned\\u0007\"\nperiod = \"p\\u001b[31m\"\n[answers.mini]\nfreq = { choice = \"rarely\", note = \"line one\\nline two\\u001b[5m\" }\n",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("line one line two"));
}

#[test]
fn a_large_report_prints_nothing_on_stderr_without_a_terminal() {
    // The progress bar is for terminals only; CI logs stay clean.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..400 {
        write_responses(dir.path(), &format!("r{i:03}.toml"), &format!("R{i}"), "Q");
    }
    let out = selfaudit()
        .args(["--checklists", MINI, "report", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["respondents"].as_array().unwrap().len(), 400);
}

#[test]
fn an_interview_in_progress_in_the_folder_is_named_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    write_responses(dir.path(), "ana.toml", "Ana", "Q");
    std::fs::write(
        dir.path().join("ben.toml.partial"),
        "respondent = \"Ben\"\n",
    )
    .unwrap();
    let out = selfaudit()
        .args(["--checklists", MINI, "report", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ben.toml.partial: an interview still in progress is not in this report"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["respondents"], serde_json::json!(["Ana"]));
}
