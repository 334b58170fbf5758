//! The committed example reports are what the tool makes of the example responses today, so
//! they never go stale; and the example CI recipe passes on them.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// The binary run from the repository, at the time it runs.
fn selfaudit() -> Command {
    let mut cmd = crate::common::selfaudit();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn without_generated(mut v: Value) -> Value {
    if let Some(map) = v.as_object_mut() {
        map.remove("generated");
    }
    v
}

#[test]
fn example_reports_match_what_the_tool_makes_of_the_example_responses() {
    // Q4 shows the actions the team decided in Q3, and its target's progress since then.
    let actions = [
        "--actions",
        "examples/actions.toml",
        "--baseline",
        "examples/reports/2026-Q3.json",
    ];
    for (period, extra) in [("2026-Q3", &[][..]), ("2026-Q4", &actions[..])] {
        let out = selfaudit()
            .args(["--checklists", "checklists", "report"])
            .arg(format!("examples/responses/{period}"))
            .args(["--team", "examples/team.toml", "--format", "json"])
            .args(extra)
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let fresh: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/reports/{period}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let committed: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            without_generated(fresh) == without_generated(committed),
            "examples/reports/{period}.json is stale; make it again with\n  \
             selfaudit --checklists checklists report examples/responses/{period} --team examples/team.toml --format json {} -o examples/reports/{period}.json",
            extra.join(" ")
        );
    }
}

#[test]
fn the_example_diff_shows_what_the_actions_did() {
    let out = selfaudit()
        .args([
            "diff",
            "examples/reports/2026-Q3.json",
            "examples/reports/2026-Q4.json",
            "--actions",
            "examples/actions.toml",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(out.status.code(), Some(0));
    let fresh = String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/reports/2026-Q3-to-Q4.md"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        fresh == committed,
        "examples/reports/2026-Q3-to-Q4.md is stale; make it again with\n  \
         selfaudit diff examples/reports/2026-Q3.json examples/reports/2026-Q4.json --actions examples/actions.toml --format markdown -o examples/reports/2026-Q3-to-Q4.md"
    );
    // One done, one overdue, one dropped; the finished one's item rose 60 points.
    assert!(fresh.contains("Items with a finished action rose 60.0 points; the others 3.7."));
    assert!(fresh.contains("\\[open, overdue\\]"));
    assert!(fresh.contains("\\[dropped\\]"));
}

#[test]
fn source_date_epoch_makes_generated_reproducible() {
    let out = selfaudit()
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .args([
            "--checklists",
            "checklists",
            "report",
            "examples/responses/2026-Q4",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["generated"], "2026-09-21T14:13:20Z");
}

#[test]
fn the_ci_recipe_holds_on_the_example_quarters() {
    let workflow = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/selfaudit.yml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(workflow.contains("--max-drop 5 --format markdown >> \"$GITHUB_STEP_SUMMARY\""));
    selfaudit()
        .args([
            "diff",
            "examples/reports/2026-Q3.json",
            "examples/reports/2026-Q4.json",
        ])
        .args(["--max-drop", "5", "--format", "markdown"])
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with(
            "# Self-audit 2026-Q3 → 2026-Q4: +5.5 points",
        ));
}
