//! A file given where another kind is expected is named for what it is, with the command or
//! option that takes it; blank answers are said to be blank (issue 11 items 9 and 12).

use crate::common;
use common::selfaudit;

fn stderr_of(args: &[&str], code: i32) -> String {
    let out = selfaudit()
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn report_names_a_report_a_checklist_a_team_list_and_an_actions_file() {
    let cases = [
        (
            "examples/reports/2026-Q3.json",
            "JSON report",
            "selfaudit diff",
        ),
        (
            "checklists/03-retention-habits.toml",
            "checklist",
            "--checklists checklists",
        ),
        (
            "examples/team.toml",
            "team list",
            "--team examples/team.toml",
        ),
        (
            "examples/actions.toml",
            "actions file",
            "--actions examples/actions.toml",
        ),
    ];
    for (file, what, next) in cases {
        let err = stderr_of(&["report", file], 2);
        assert!(err.contains(what), "{file}: {err}");
        assert!(err.contains(next), "{file}: {err}");
        assert!(!err.contains("unknown field"), "{file}: {err}");
    }
}

#[test]
fn diff_and_trend_name_a_responses_file_and_say_how_to_make_a_report() {
    let responses = "examples/responses/2026-Q4/dev-patel.toml";
    let err = stderr_of(&["diff", responses, "examples/reports/2026-Q4.json"], 2);
    assert!(err.contains("responses file, not a JSON report"), "{err}");
    assert!(err.contains("selfaudit report"), "{err}");
    let err = stderr_of(&["trend", "examples/team.toml"], 2);
    assert!(err.contains("team list"), "{err}");
}

#[test]
fn validate_warns_about_a_file_with_no_answers() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.toml");
    selfaudit()
        .args(["template", "be-sure", "-o"])
        .arg(&blank)
        .assert()
        .success();
    let out = selfaudit()
        .arg("validate")
        .arg(&blank)
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no answers"), "{err}");
}

#[test]
fn report_says_which_checklist_has_no_answer_instead_of_no_critical_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("half.toml");
    let out = selfaudit()
        .args(["template", "be-sure", "upset-customers"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap().replacen(
        "# product-knowledge = \"\"",
        "product-knowledge = \"few\"",
        1,
    );
    std::fs::write(&file, text).unwrap();
    let out = selfaudit()
        .arg("report")
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("`upset-customers` has no answer"),
        "{stderr}"
    );
    assert!(!stdout.contains("Critical gaps: none\n"), "{stdout}");
    assert!(
        stdout.contains("No answers at all to Dealing with upset customers (upset-customers)"),
        "{stdout}"
    );
}

/// Pages for people: no command-line options, questions rather than ids (issue 11 item 16).
#[test]
fn the_diff_page_speaks_to_people() {
    let out = selfaudit()
        .args([
            "diff",
            "examples/reports/2026-Q3.json",
            "examples/reports/2026-Q4.json",
            "--format",
            "html",
            "--top",
            "1",
            "--max-item-drop",
            "0",
            "--fail-on-new-critical",
        ])
        .assert()
        .get_output()
        .clone();
    let page = String::from_utf8(out.stdout).unwrap();
    let text: String = scraper::Html::parse_document(&page)
        .root_element()
        .select(&common::sel("body"))
        .flat_map(|b| b.text())
        .collect();
    assert!(!text.contains("--top"), "a flag on the page");
    assert!(!text.contains("--format"), "a flag on the page");
    let gates: String = scraper::Html::parse_document(&page)
        .select(&common::sel(".gate .detail"))
        .flat_map(|e| e.text())
        .collect();
    assert!(!gates.is_empty());
    assert!(
        !gates.contains("service-self-audit/"),
        "ids, not questions: {gates}"
    );
}

#[test]
fn validate_names_a_json_report() {
    let err = stderr_of(&["validate", "examples/reports/2026-Q4.json"], 1);
    assert!(err.contains("JSON report"), "{err}");
    assert!(err.contains("selfaudit diff"), "{err}");
}
