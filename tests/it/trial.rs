//! The new-user trial run again with checklists of its own (issue 11, judged): every problem
//! of every file, the "no answers" note in every report, printed commands that work.

use crate::common::selfaudit;

/// Runs `validate` on the files and returns its stderr's problem lines (hints left out).
fn problems(dir: &std::path::Path, files: &[&str]) -> Vec<String> {
    let out = selfaudit()
        .current_dir(dir)
        .arg("validate")
        .args(files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("  hint:") && !l.ends_with(" found"))
        .map(str::to_string)
        .collect()
}

#[test]
fn validate_lists_every_problem_of_every_kind_of_file_in_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "list.toml",
        r#"id = "list"
titel = "x"
versio = "1"

[scales.s]
choices = [ { key = "a", value = 1, lable = "A" }, { key = "b", value = 0 } ]

[[sections]]
id = "s1"
titel = "S"

[[sections.items]]
id = "a"
text = "A?"
criticl = true
scale = "nope"

[[sectons]]
id = "s2"
"#,
    );
    write(
        "answers.toml",
        r#"respondent = "Ana"
period = "2026-Q4"

[checklists.be-sure]
verson = "1"
extra = 2

[answers.be-sure]
nope = "yes"
"#,
    );
    write(
        "team.toml",
        r#"peeple = []

[[people]]
name = "Ana"
mail = "a@x"

[[people]]
name = 5
rol = "staff"
"#,
    );
    write(
        "actions.toml",
        r#"[[actions]]
id = "a1"
checklist = "be-sure"
what = "Call back"
opened = "2026-11-01"
ownr = "Ana"
statsu = "open"

[[targets]]
checklist = "be-sure"
scor = 80
"#,
    );
    let found = problems(
        dir.path(),
        &["list.toml", "answers.toml", "team.toml", "actions.toml"],
    );
    let at: Vec<&str> = found
        .iter()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "list.toml:2:1",
            "list.toml:3:1",
            "list.toml:6:37",
            "list.toml:10:1",
            "list.toml:15:1",
            "list.toml:16:9",
            "list.toml:18:3",
            "answers.toml:5:1",
            "answers.toml:6:1",
            "answers.toml:9:1",
            "team.toml:1:1",
            "team.toml:5:1",
            "team.toml:8:8",
            "team.toml:9:1",
            "actions.toml:6:1",
            "actions.toml:7:1",
            "actions.toml:11:1",
        ],
        "{found:#?}"
    );
    // Mixed kinds: a misspelt key, and a rule of what is written (an unknown scale).
    assert!(found[5].contains("unknown scale `nope`"), "{}", found[5]);
    assert!(found[9].contains("no item `nope`"), "{}", found[9]);
}

#[test]
fn a_misspelt_key_at_any_depth_is_named_with_the_key_meant() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("list.toml"),
        "id = \"list\"\nversion = \"1\"\n\n[[sections]]\nid = \"s\"\n\n[[sections.items]]\nid = \"a\"\ntext = \"A?\"\nhlep = \"h\"\ncriticl = true\n",
    )
    .unwrap();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["validate", "list.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("list.toml:10:1: unknown field `hlep`"),
        "{err}"
    );
    assert!(err.contains("did you mean `help`?"), "{err}");
    assert!(
        err.contains("list.toml:11:1: unknown field `criticl`"),
        "{err}"
    );
    assert!(err.contains("did you mean `critical`?"), "{err}");
}

/// A folder with a tiny checklist and a second one, and a file that answers only the tiny one.
fn one_blank_checklist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("custom");
    std::fs::create_dir(&custom).unwrap();
    std::fs::write(
        custom.join("tiny.toml"),
        "id = \"tiny\"\nversion = \"1\"\n\n[[sections]]\nid = \"s\"\n\n[[sections.items]]\nid = \"ok\"\ntext = \"OK?\"\n",
    )
    .unwrap();
    std::fs::write(
        custom.join("desk.toml"),
        "id = \"desk\"\ntitle = \"Front <desk> & café\"\nversion = \"1\"\n\n[[sections]]\nid = \"s\"\n\n[[sections.items]]\nid = \"greet\"\ntext = \"Greet?\"\ncritical = true\n",
    )
    .unwrap();
    let template = selfaudit()
        .current_dir(dir.path())
        .args(["template", "tiny", "desk", "--checklists", "custom"])
        .args(["--respondent", "Zoë", "--period", "2026-Q4"])
        .output()
        .unwrap();
    let text = String::from_utf8(template.stdout)
        .unwrap()
        .replace("# ok = \"\"", "ok = \"yes\"");
    std::fs::write(dir.path().join("zoe.toml"), text).unwrap();
    dir
}

#[test]
fn a_checklist_with_no_answer_at_all_is_said_in_the_report_itself_in_every_format() {
    let dir = one_blank_checklist();
    let report = |format: &str| {
        let out = selfaudit()
            .current_dir(dir.path())
            .args([
                "report",
                "zoe.toml",
                "--checklists",
                "custom",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let sentence = "it is not in this report, and its critical items are not checked.";
    let table = report("table");
    assert!(
        table.contains("Critical gaps: none among the checklists answered. No answers at all to Front <desk> & café (desk)"),
        "{table}"
    );
    assert!(table.contains(sentence), "{table}");
    let markdown = report("markdown");
    assert!(
        markdown.contains("None among the checklists answered."),
        "{markdown}"
    );
    assert!(
        markdown.contains("No answers at all to Front"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("every critical item scored 100"),
        "{markdown}"
    );
    let html = report("html");
    let doc = scraper::Html::parse_document(&html);
    let note = doc
        .select(&crate::common::sel(".critical-gaps .unanswered"))
        .next()
        .map(crate::common::text)
        .unwrap_or_default();
    assert!(
        note.contains("No answers at all to Front <desk> & café (desk)"),
        "{html}"
    );
    assert!(note.contains(sentence), "{note}");
    assert!(!html.contains("every critical item scored 100"));
    let json: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    assert_eq!(
        json["unanswered"],
        serde_json::json!([{ "id": "desk", "title": "Front <desk> & café" }])
    );
    // The JSON report reads back: diff and trend take it.
    std::fs::write(dir.path().join("r.json"), report("json")).unwrap();
    selfaudit()
        .current_dir(dir.path())
        .args(["diff", "r.json", "r.json"])
        .assert()
        .success();
}

#[test]
fn a_report_of_answered_checklists_has_no_unanswered_note() {
    let dir = one_blank_checklist();
    let out = selfaudit()
        .current_dir(dir.path())
        .args([
            "report",
            "zoe.toml",
            "--checklists",
            "custom",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\"unanswered\""),
        "the blank checklist is named"
    );
    let filled = std::fs::read_to_string(dir.path().join("zoe.toml"))
        .unwrap()
        .replace("# greet = \"\"", "greet = \"no\"");
    std::fs::write(dir.path().join("zoe.toml"), filled).unwrap();
    let out = selfaudit()
        .current_dir(dir.path())
        .args([
            "report",
            "zoe.toml",
            "--checklists",
            "custom",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("No answers at all"), "{text}");
    assert!(text.contains("Greet?"), "{text}");
}

#[test]
fn one_question_and_one_item_are_said_in_the_singular() {
    let dir = one_blank_checklist();
    let template = selfaudit()
        .current_dir(dir.path())
        .args(["template", "tiny", "--checklists", "custom"])
        .output()
        .unwrap();
    let text = String::from_utf8(template.stdout).unwrap();
    assert!(text.contains("# ═══ tiny (1 question) ═══"), "{text}");
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["validate", "custom/tiny.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ok (checklist `tiny`, 1 item)"), "{text}");
}
