//! `selfaudit diff` and `selfaudit trend` against the built binary: every exit code, every gate
//! on both sides of its threshold, and what the output says about it.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::selfaudit;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports")
        .join(name)
}

/// A report in SPEC §6's core shape: one checklist `c`, one section `s`, the given items
/// (id, score, critical), and the overall score given (the checklist and section share it).
fn report(period: &str, overall: Option<f64>, items: &[(&str, Option<f64>, bool)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(id, score, critical)| json!({ "id": id, "text": id, "critical": critical, "score": score }))
        .collect();
    let gaps: Vec<Value> = items
        .iter()
        .filter(|i| i["critical"] == json!(true) && i["score"].as_f64().is_some_and(|s| s < 100.0))
        .map(|i| json!({ "checklist": "c", "item": i["id"], "score": i["score"] }))
        .collect();
    json!({
        "format": "selfaudit-report/1", "period": period, "generated": "2026-11-22T20:15:00Z",
        "respondents": ["A"], "score": overall,
        "checklists": [ { "id": "c", "title": "C", "version": "1", "weight": 1.0, "score": overall,
            "sections": [ { "id": "s", "title": "S", "weight": 1.0, "score": overall, "items": items } ] } ],
        "critical_gaps": gaps, "per_respondent": []
    })
}

struct Pair {
    _dir: tempfile::TempDir,
    base: PathBuf,
    new: PathBuf,
}

fn pair(base: Value, new: Value) -> Pair {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let (b, n) = (dir.path().join("base.json"), dir.path().join("new.json"));
    for (path, value) in [(&b, base), (&n, new)] {
        std::fs::write(path, value.to_string()).unwrap_or_else(|e| panic!("write: {e}"));
    }
    Pair {
        _dir: dir,
        base: b,
        new: n,
    }
}

fn overall(base: f64, new: f64) -> Pair {
    pair(
        report("Q3", Some(base), &[("i", Some(base), false)]),
        report("Q4", Some(new), &[("i", Some(new), false)]),
    )
}

/// Runs `diff BASE NEW ARGS… --format json`; the exit code and the parsed diff.
fn diff_json(p: &Pair, args: &[&str]) -> (i32, Value) {
    let out = selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), value)
}

fn gate_exit(p: &Pair, args: &[&str]) -> i32 {
    let (code, d) = diff_json(p, args);
    assert_eq!(d["gates"].as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(d["passed"], json!(code == 0), "{d}");
    assert_eq!(d["gates"][0]["passed"], json!(code == 0), "{d}");
    code
}

#[test]
fn with_no_gate_asked_diff_exits_0_even_on_a_fall() {
    let p = overall(90.0, 10.0);
    let (code, d) = diff_json(&p, &[]);
    assert_eq!(code, 0);
    assert_eq!(d["gates"], json!([]));
    assert_eq!(d["delta"], json!(-80.0));
    assert_eq!(d["format"], "selfaudit-diff/1");
    assert_eq!(d["base"]["period"], "Q3");
    assert_eq!(d["new"]["score"], json!(10.0));
}

#[test]
fn max_drop_trips_just_past_its_limit() {
    assert_eq!(gate_exit(&overall(75.0, 70.0), &["--max-drop", "5"]), 0);
    assert_eq!(
        gate_exit(&overall(75.0, 69.99999999999999), &["--max-drop", "5"]),
        0,
        "5.000000000000007 is a drop of 5"
    );
    assert_eq!(gate_exit(&overall(75.0, 70.01), &["--max-drop", "5"]), 0);
    assert_eq!(gate_exit(&overall(75.0, 69.98), &["--max-drop", "5"]), 1);
}

#[test]
fn fail_below_trips_just_under_its_limit() {
    assert_eq!(gate_exit(&overall(50.0, 70.0), &["--fail-below", "70"]), 0);
    assert_eq!(gate_exit(&overall(50.0, 70.01), &["--fail-below", "70"]), 0);
    assert_eq!(gate_exit(&overall(50.0, 69.99), &["--fail-below", "70"]), 1);
}

#[test]
fn fail_below_fails_an_undefined_score_and_says_why() {
    let p = pair(
        report("Q3", Some(50.0), &[("i", Some(50.0), false)]),
        report("Q4", None, &[("i", None, false)]),
    );
    let (code, d) = diff_json(&p, &["--fail-below", "0"]);
    assert_eq!(code, 1);
    let detail = d["gates"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("undefined"), "{detail}");
}

#[test]
fn max_item_drop_trips_just_past_its_limit_and_names_the_items() {
    let items = |a: f64, b: f64| [("a", Some(a), false), ("b", Some(b), false)];
    let base = report("Q3", Some(50.0), &items(80.0, 80.0));
    let at = |a, b| pair(base.clone(), report("Q4", Some(50.0), &items(a, b)));
    assert_eq!(gate_exit(&at(70.0, 90.0), &["--max-item-drop", "10"]), 0);
    assert_eq!(gate_exit(&at(70.01, 70.0), &["--max-item-drop", "10"]), 0);
    let p = at(69.99, 50.0);
    assert_eq!(gate_exit(&p, &["--max-item-drop", "10"]), 1);
    let (_, d) = diff_json(&p, &["--max-item-drop", "10"]);
    assert_eq!(d["gates"][0]["gate"], "max-item-drop");
    assert_eq!(d["gates"][0]["limit"], json!(10.0));
    assert_eq!(d["gates"][0]["items"], json!(["c/b", "c/a"]));
}

#[test]
fn fail_on_new_critical_trips_on_a_gap_base_did_not_have() {
    let base = report(
        "Q3",
        Some(75.0),
        &[("a", Some(50.0), true), ("b", Some(100.0), true)],
    );
    let same = report(
        "Q4",
        Some(75.0),
        &[("a", Some(50.0), true), ("b", Some(100.0), true)],
    );
    let opened = report(
        "Q4",
        Some(75.0),
        &[("a", Some(100.0), true), ("b", Some(99.0), true)],
    );
    assert_eq!(
        gate_exit(&pair(base.clone(), same), &["--fail-on-new-critical"]),
        0
    );
    let p = pair(base, opened);
    assert_eq!(gate_exit(&p, &["--fail-on-new-critical"]), 1);
    let (_, d) = diff_json(&p, &["--fail-on-new-critical"]);
    assert_eq!(d["critical_gaps"]["new"][0]["item"], "b");
    assert_eq!(d["critical_gaps"]["resolved"][0]["item"], "a");
}

#[test]
fn every_failed_gate_is_explained_in_one_line_on_stderr_when_stdout_is_not_the_table() {
    let p = overall(80.0, 60.0);
    selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .args([
            "--max-drop",
            "5",
            "--fail-below",
            "70",
            "--max-item-drop",
            "30",
        ])
        .args(["--format", "markdown"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("| ❌ | max\\-drop |").not())
        .stdout(predicate::str::contains("| ❌ | max-drop | 5 |"))
        .stderr(predicate::str::diff(
            "gate failed: fail-below: overall score 60.0 is below 70\n\
             gate failed: max-drop: overall score fell 20.0 points (80.0 → 60.0), more than 5\n",
        ));
}

#[test]
fn the_table_names_each_gate_with_its_verdict() {
    let p = overall(80.0, 60.0);
    selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .args(["--max-drop", "25", "--fail-below", "70"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "  ✗ fail-below 70: overall score 60.0 is below 70\n",
        ))
        .stdout(predicate::str::contains(
            "  ✓ max-drop 25: overall score fell 20.0 points (80.0 → 60.0), not more than 25\n",
        ))
        .stdout(predicate::str::contains(
            "Result: FAILED (1 of 2 gates failed)",
        ))
        .stderr("");
}

#[test]
fn output_goes_to_a_file_with_o() {
    let p = overall(70.0, 72.5);
    let out = p.base.with_file_name("diff.json");
    selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .args(["--format", "json", "--max-drop", "0", "-o"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let d: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(d["delta"], json!(2.5));
    assert_eq!(d["passed"], json!(true));
}

#[test]
fn a_file_that_is_not_a_report_exits_2() {
    let p = pair(
        json!({"name": "not a report"}),
        report("Q4", Some(1.0), &[]),
    );
    selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "base.json: not a selfaudit report",
        ))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn an_unknown_format_version_exits_2() {
    let mut v2 = report("Q4", Some(1.0), &[]);
    v2["format"] = json!("selfaudit-report/2");
    let p = pair(report("Q3", Some(1.0), &[]), v2);
    selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "new.json: unknown report format version `selfaudit-report/2`",
        ));
}

#[test]
fn broken_json_exits_2_with_line_and_column() {
    let p = overall(1.0, 2.0);
    std::fs::write(
        &p.new,
        "{\n  \"format\": \"selfaudit-report/1\",\n  \"period\": \"Q4\"\n  \"score\": 1\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    selfaudit()
        .arg("diff")
        .arg(&p.base)
        .arg(&p.new)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "new.json:4:3: invalid JSON: expected `,` or `}`",
        ));
}

#[test]
fn a_missing_file_exits_2() {
    let p = overall(1.0, 2.0);
    let missing = p.base.with_file_name("nope.json");
    selfaudit()
        .arg("diff")
        .arg(&missing)
        .arg(&p.new)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nope.json: no such file or folder",
        ));
}

#[test]
fn bad_gate_values_are_usage_errors() {
    let p = overall(1.0, 2.0);
    for args in [
        ["--max-drop", "-1"],
        ["--max-item-drop", "lots"],
        ["--fail-below", "inf"],
    ] {
        selfaudit()
            .arg("diff")
            .arg(&p.base)
            .arg(&p.new)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(args[0]));
    }
}

#[test]
fn a_report_diffed_with_itself_is_unchanged_and_passes_every_gate() {
    let q4 = fixture("2026-Q4.json");
    let p = Pair {
        _dir: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
        base: q4.clone(),
        new: q4,
    };
    let (code, d) = diff_json(
        &p,
        &[
            "--fail-below",
            "0",
            "--max-drop",
            "0",
            "--max-item-drop",
            "0",
            "--fail-on-new-critical",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(d["delta"], json!(0.0));
    let items = d["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|i| i["status"] == "unchanged"),
        "{items:?}"
    );
    assert_eq!(d["gates"].as_array().map(Vec::len), Some(4));
}

#[test]
fn reports_of_different_checklist_versions_compare_without_error() {
    let (code, d) = diff_json(
        &Pair {
            _dir: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
            base: fixture("2026-Q3.json"),
            new: fixture("2026-Q4.json"),
        },
        &[],
    );
    assert_eq!(code, 0);
    let status_of = |id: &str| {
        d["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["id"] == id))
            .map(|i| i["status"].clone())
    };
    assert_eq!(status_of("follow-up"), Some(json!("removed")));
    assert_eq!(status_of("quote-dates"), Some(json!("added")));
    assert_eq!(status_of("return-calls"), Some(json!("unchanged")));
    assert_eq!(d["checklists"][0]["base_version"], "1");
    assert_eq!(d["checklists"][0]["new_version"], "2");
}

#[test]
fn trend_reads_several_reports_oldest_first() {
    selfaudit()
        .arg("trend")
        .args(["2026-Q2.json", "2026-Q3.json", "2026-Q4.json"].map(fixture))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2026-Q2 → 2026-Q4 · 3 reports"))
        .stdout(
            predicate::str::is_match(
                r"│ Overall\s+┆\s+45\.0 ┆\s+57\.9 ┆\s+71\.0 ┆ ▁▄█\s+┆\s+\+13\.1 │",
            )
            .unwrap_or_else(|e| panic!("{e}")),
        );
    let out = selfaudit()
        .arg("trend")
        .args(["2026-Q3.json", "2026-Q4.json"].map(fixture))
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t["periods"], json!(["2026-Q3", "2026-Q4"]));
    assert_eq!(t["rows"][0]["kind"], "overall");
}

#[test]
fn trend_refuses_a_file_that_is_not_a_report() {
    let p = pair(json!([1, 2, 3]), report("Q4", Some(1.0), &[]));
    selfaudit()
        .arg("trend")
        .arg(fixture("2026-Q3.json"))
        .arg(&p.base)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "base.json: not a selfaudit report",
        ));
}

#[test]
fn base_can_come_from_standard_input() {
    let p = overall(80.0, 70.0);
    let base = std::fs::read_to_string(&p.base).unwrap_or_default();
    selfaudit()
        .args(["diff", "-"])
        .arg(&p.new)
        .args(["--max-drop", "10"])
        .write_stdin(base)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "✓ max-drop 10: overall score fell 10.0 points (80.0 → 70.0), not more than 10",
        ));
    selfaudit()
        .args(["diff", "-"])
        .arg(&p.new)
        .write_stdin("not json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<stdin>:1:2: invalid JSON"));
}
