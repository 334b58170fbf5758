//! SPEC §14 end to end, on hand-computed teams: the figures in the JSON report, and the gates
//! that know noise (`diff --beyond-noise`), which must fail on a drop beyond noise and hold on
//! one within it.

use crate::common;

use std::path::{Path, PathBuf};

use common::selfaudit;
use serde_json::Value;

const CHECKLIST: &str = r#"
id = "t"
title = "T"
version = "1"
[[sections]]
id = "s"
title = "S"
[[sections.items]]
id = "x"
text = "X?"
[[sections.items]]
id = "y"
text = "Y?"
"#;

/// Writes a team (each respondent's answers as TOML lines) and reports it as JSON.
fn report(dir: &Path, name: &str, team: &[&str]) -> PathBuf {
    let checklists = dir.join("checklists");
    std::fs::create_dir_all(&checklists).unwrap();
    std::fs::write(checklists.join("t.toml"), CHECKLIST).unwrap();
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for (i, answers) in team.iter().enumerate() {
        std::fs::write(
            folder.join(format!("r{i}.toml")),
            format!("respondent = \"R{i}\"\nperiod = \"{name}\"\n[answers.t]\n{answers}\n"),
        )
        .unwrap();
    }
    let out = dir.join(format!("{name}.json"));
    selfaudit()
        .arg("--checklists")
        .arg(&checklists)
        .args(["report", "--format", "json", "-o"])
        .arg(&out)
        .arg(&folder)
        .assert()
        .success();
    out
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

/// t(0.975, 3), from scipy.
const T3: f64 = 3.1824463052837078;

#[test]
fn a_report_carries_margins_agreement_and_reliability() {
    let tmp = tempfile::tempdir().unwrap();
    // x: yes, yes, yes, no → 75, se = sqrt(0.25 / 4) = 25 points; r_wg = 1 − 0.25 / 0.25 = 0.
    // y: yes, yes, yes, yes → 100, se 0, r_wg 1.
    let path = report(
        tmp.path(),
        "q",
        &[
            "x = \"yes\"\ny = \"yes\"",
            "x = \"yes\"\ny = \"yes\"",
            "x = \"yes\"\ny = \"yes\"",
            "x = \"no\"\ny = \"yes\"",
        ],
    );
    let r = json(&path);
    let items = &r["checklists"][0]["sections"][0]["items"];
    let (x, y) = (&items[0], &items[1]);
    close(&x["se"], 25.0);
    close(&x["moe"], 25.0 * T3);
    assert_eq!(x["ci"], serde_json::json!([0.0, 100.0]), "clipped");
    close(&x["rwg"], 0.0);
    close(&y["se"], 0.0);
    assert_eq!(y["ci"], serde_json::json!([100.0, 100.0]));
    close(&y["rwg"], 1.0);
    // Section = (x + y) / 2: without R3 it is 100, without any other (2/3 + 1) / 2 = 5/6:
    // θ̄ = 7/8, Σ (θ₍ᵢ₎ − θ̄)² = 3 · (1/24)² + (1/8)² = 1/48, se = sqrt(3/4 · 1/48) = 1/8.
    close(&r["checklists"][0]["sections"][0]["se"], 12.5);
    close(&r["se"], 12.5);
    close(&r["moe"], 12.5 * T3);
    // α: units x (1, 1, 1, 0) and y (1, 1, 1, 1); n.. = 8, grand mean 7/8, SS = 7/8;
    // within = 4 · (3/4) / 3 = 1; α = 1 − 7 · 1 / (8 · 7/8) = 0.
    close(&r["checklists"][0]["alpha"], 0.0);

    let checklists = tmp.path().join("checklists");
    let team = tmp.path().join("q");
    let table = common::run(&[
        "--checklists",
        &checklists.to_string_lossy(),
        "report",
        "--format",
        "markdown",
        &team.to_string_lossy(),
    ]);
    assert!(table.contains("**Overall score: 87.5 ± 39.8**"), "{table}");
    assert!(table.contains("| 75.0 ± 79.6 | X? *split* |"), "{table}");
    // An item at 100 is nobody's weakest.
    assert!(!table.contains("| 100.0 ± 0.0 | Y? |"), "{table}");
    assert!(table.contains("| weak (0.00) |"), "{table}");
}

#[test]
fn one_respondent_or_one_answer_leaves_margins_null() {
    let tmp = tempfile::tempdir().unwrap();
    let r = json(&report(tmp.path(), "q", &["x = \"yes\"\ny = \"no\""]));
    for part in [
        &r,
        &r["checklists"][0],
        &r["checklists"][0]["sections"][0],
        &r["checklists"][0]["sections"][0]["items"][0],
    ] {
        assert_eq!(part["se"], Value::Null);
        assert_eq!(part["ci"], Value::Null);
        assert_eq!(part["moe"], Value::Null);
    }
    assert_eq!(
        r["checklists"][0]["sections"][0]["items"][0]["rwg"],
        Value::Null
    );
    assert_eq!(r["checklists"][0]["alpha"], Value::Null);
    let text = std::fs::read_to_string(tmp.path().join("q.json")).unwrap();
    assert!(text.contains("\"se\": null"), "null, not absent");
}

/// Runs `diff` with the given flags; returns the exit code and standard output.
fn diff(base: &Path, new: &Path, flags: &[&str]) -> (i32, String) {
    let out = selfaudit()
        .arg("diff")
        .arg(base)
        .arg(new)
        .args(flags)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

const ALL_YES: [&str; 4] = ["x = \"yes\""; 4];

#[test]
fn a_drop_within_noise_does_not_fail_a_noise_aware_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let base = report(tmp.path(), "base", &ALL_YES);
    // x: 100 → 75, a drop of 25; noise sqrt(0² + (25 · t₃)²) = 79.6: within noise.
    let new = report(
        tmp.path(),
        "new",
        &["x = \"yes\"", "x = \"yes\"", "x = \"yes\"", "x = \"no\""],
    );
    let gates = ["--max-drop", "10", "--max-item-drop", "10"];
    let (code, out) = diff(&base, &new, &gates);
    assert_eq!(code, 1, "without --beyond-noise the drops count: {out}");
    let mut flags = gates.to_vec();
    flags.push("--beyond-noise");
    let (code, out) = diff(&base, &new, &flags);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("overall score fell 25.0 points (100.0 → 75.0), more than 10, but within noise (noise ±79.6), so it does not count"),
        "{out}"
    );
    assert!(
        out.contains("within noise, so not counted: t/x fell 25.0 (noise ±79.6)"),
        "{out}"
    );
    assert!(out.contains("-25.0 (within noise)"), "{out}");

    flags.extend(["--format", "json"]);
    let (_, out) = diff(&base, &new, &flags);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["beyond_noise"], Value::Bool(false));
    close(&d["noise"], 25.0 * T3);
    assert_eq!(d["passed"], Value::Bool(true));
    let item_gate = d["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "max-item-drop")
        .unwrap();
    assert_eq!(item_gate["within_noise"], serde_json::json!(["t/x"]));
    let x = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "x")
        .unwrap();
    assert_eq!(x["beyond_noise"], Value::Bool(false));
    assert_eq!(x["base_ci"], serde_json::json!([100.0, 100.0]));
    assert_eq!(d["checklists"][0]["beyond_noise"], Value::Bool(false));
    assert_eq!(d["sections"][0]["beyond_noise"], Value::Bool(false));
    // y: nobody answered it on either side: no delta, so no verdict on noise.
    let y = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "y")
        .unwrap();
    assert_eq!(y["beyond_noise"], Value::Null);
}

#[test]
fn a_drop_beyond_noise_still_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let base = report(tmp.path(), "base", &ALL_YES);
    // 100 → 0 with no spread on either side: noise 0, the drop of 100 is beyond it.
    let new = report(tmp.path(), "new", &["x = \"no\""; 4]);
    let (code, out) = diff(
        &base,
        &new,
        &[
            "--max-drop",
            "10",
            "--max-item-drop",
            "10",
            "--beyond-noise",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ max-drop 10: overall score fell 100.0 points (100.0 → 0.0), more than 10, beyond noise (noise ±0.0)"), "{out}");
    assert!(out.contains("✗ max-item-drop 10: 1 item fell more than 10 points beyond noise (or of unknown noise): t/x fell 100.0"), "{out}");
}

#[test]
fn a_drop_of_unknown_noise_still_counts() {
    let tmp = tempfile::tempdir().unwrap();
    // One answer in BASE: its margin is undefined, so beyond_noise is null and the drop counts.
    let base = report(tmp.path(), "base", &["x = \"yes\"", "", "", ""]);
    let new = report(
        tmp.path(),
        "new",
        &["x = \"yes\"", "x = \"yes\"", "x = \"yes\"", "x = \"no\""],
    );
    let (code, out) = diff(
        &base,
        &new,
        &[
            "--max-drop",
            "10",
            "--max-item-drop",
            "10",
            "--beyond-noise",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("and its noise is unknown (too few respondents), which still counts"),
        "{out}"
    );
    let (_, out) = diff(&base, &new, &["--format", "json"]);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["beyond_noise"], Value::Null);
}

#[test]
fn reports_from_before_margins_read_back_and_their_drops_count() {
    let tmp = tempfile::tempdir().unwrap();
    let old = |score: f64| {
        format!(
            r#"{{ "format": "selfaudit-report/1", "period": "p", "score": {score},
                 "checklists": [ {{ "id": "c", "score": {score}, "sections": [
                   {{ "id": "s", "score": {score}, "items": [ {{ "id": "i", "score": {score} }} ] }} ] }} ] }}"#
        )
    };
    let (b, n) = (tmp.path().join("b.json"), tmp.path().join("n.json"));
    std::fs::write(&b, old(80.0)).unwrap();
    std::fs::write(&n, old(60.0)).unwrap();
    let (code, out) = diff(&b, &n, &["--max-drop", "5", "--beyond-noise"]);
    assert_eq!(code, 1, "{out}");
    let (_, out) = diff(&b, &n, &["--format", "json"]);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["beyond_noise"], Value::Null);
    assert_eq!(d["items"][0]["beyond_noise"], Value::Null);
}

#[test]
fn the_html_pages_draw_intervals_and_agreement() {
    use common::{one, sel, text};
    use scraper::Html;

    let tmp = tempfile::tempdir().unwrap();
    let base = report(tmp.path(), "base", &ALL_YES);
    let team = [
        "x = \"yes\"\ny = \"yes\"",
        "x = \"yes\"\ny = \"no\"",
        "x = \"yes\"\ny = \"yes\"",
        "x = \"no\"\ny = \"no\"",
    ];
    let new = report(tmp.path(), "new", &team);
    let checklists = tmp.path().join("checklists");
    let page = common::run(&[
        "--checklists",
        &checklists.to_string_lossy(),
        "report",
        "--format",
        "html",
        &tmp.path().join("new").to_string_lossy(),
    ]);
    common::assert_self_contained(&page);
    let doc = Html::parse_document(&page);
    // x: yes, yes, yes, no: 75 ± 79.6, clipped to 0–100; split, weak agreement (r_wg 0).
    let x = doc.select(&sel("li.item")).next().unwrap();
    assert!(
        text(one(x, ".item-meta")).contains("split"),
        "the split badge stays"
    );
    let agreement = one(x, ".item-dist p.agreement.weak");
    assert_eq!(text(agreement), "weak agreement");
    assert!(
        agreement
            .value()
            .attr("title")
            .unwrap()
            .starts_with("r_wg 0.00")
    );
    assert!(
        one(x, ".item-dist")
            .select(&sel("svg.stack"))
            .next()
            .is_some()
    );
    assert_eq!(
        one(x, ".pill").value().attr("title"),
        Some("95 % interval 0.0–100.0 (± 79.6)")
    );
    // Whiskers on the overview, card and section bars; the interval in their tooltips.
    let whiskers = doc.select(&sel("svg.bar g.whisker")).count();
    assert_eq!(
        whiskers, 3,
        "one checklist: overview row, card bar, one section row"
    );
    let row = doc.select(&sel(".overview a.row")).next().unwrap();
    assert!(
        row.value()
            .attr("title")
            .unwrap()
            .starts_with("95 % interval ")
    );
    assert!(text(one(doc.root_element(), ".headline")).contains("95 % interval"));
    assert!(page.contains("reliability α"));

    let page = common::run(&[
        "diff",
        &base.to_string_lossy(),
        &new.to_string_lossy(),
        "--format",
        "html",
    ]);
    let doc = Html::parse_document(&page);
    let pair = doc.select(&sel(".pair-row")).next().unwrap();
    // BASE's interval (100–100) and NEW's, one whisker each.
    assert_eq!(pair.select(&sel("svg.bar g.whisker")).count(), 2);
    let change = one(pair, ".change");
    assert!(text(change).ends_with("(within noise)"), "{}", text(change));
    assert!(
        change
            .value()
            .attr("title")
            .unwrap()
            .starts_with("within noise")
    );
}
