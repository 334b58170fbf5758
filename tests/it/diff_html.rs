//! `selfaudit diff --format html` against the built binary: the page parsed as a browser
//! would and checked against the JSON diff of the same two reports, its exit codes (those of
//! the gates), that it references nothing outside itself, and a snapshot.

use crate::common;

use common::{assert_self_contained, one, redact_dates, sel, selfaudit, text};
use scraper::{ElementRef, Html};
use serde_json::Value;

const Q3: &str = "tests/fixtures/reports/2026-Q3.json";
const Q4: &str = "tests/fixtures/reports/2026-Q4.json";
const GATES: [&str; 7] = [
    "--fail-below",
    "60",
    "--max-drop",
    "5",
    "--max-item-drop",
    "20",
    "--fail-on-new-critical",
];

/// Runs `diff BASE NEW ARGS…`, expects `code`, returns standard output.
fn diff(base: &str, new: &str, args: &[&str], code: i32) -> String {
    let out = selfaudit()
        .args(["diff", base, new])
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

fn html(args: &[&str], code: i32) -> String {
    diff(Q3, Q4, &[args, &["--format", "html"]].concat(), code)
}

fn json(args: &[&str], code: i32) -> Value {
    serde_json::from_str(&diff(Q3, Q4, &[args, &["--format", "json"]].concat(), code)).unwrap()
}

fn score(v: &Value) -> String {
    v.as_f64().map_or("—".to_string(), |s| format!("{s:.1}"))
}

fn has_class(e: ElementRef, class: &str) -> bool {
    e.value().classes().any(|c| c == class)
}

/// The class of a `.change`, and its text.
fn change(e: ElementRef) -> (String, String) {
    let classes: Vec<&str> = e.value().classes().collect();
    assert!(classes.contains(&"change"), "{classes:?}");
    let dir = classes.iter().find(|c| **c != "change").unwrap();
    (dir.to_string(), text(e))
}

/// What a change of this status and delta shows.
fn expected_change(status: &Value, delta: &Value) -> (String, String) {
    let d = delta.as_f64();
    match (status.as_str().unwrap(), d) {
        ("improved", Some(d)) => ("up".into(), format!("▲ +{d:.1}")),
        ("regressed", Some(d)) => ("down".into(), format!("▼ −{:.1}", d.abs())),
        ("unchanged", Some(_)) => ("same".into(), "±0.0".into()),
        ("added", None) => ("added".into(), "new".into()),
        ("removed", None) => ("removed".into(), "removed".into()),
        (s, d) => panic!("unexpected {s} {d:?}"),
    }
}

#[test]
fn the_page_shows_what_the_json_diff_says() {
    let page = html(&GATES, 1);
    let d = json(&GATES, 1);
    let doc = Html::parse_document(&page);
    let root = doc.root_element();

    assert_eq!(
        text(one(root, "head > title")),
        "Self-audit diff · 2026-Q3 → 2026-Q4"
    );
    assert_eq!(text(one(root, "h1")), "2026-Q3 → 2026-Q4");
    assert_eq!(
        text(one(root, "#overall .gauge-value")),
        score(&d["new"]["score"])
    );
    assert_eq!(
        change(one(root, "#overall .change")),
        (
            "up".into(),
            format!("▲ +{:.1}", d["delta"].as_f64().unwrap())
        )
    );
    // The tick on the ring marks BASE's overall score.
    one(root, "#overall svg.gauge line.marker");
    let counts = text(one(root, ".counts-line"));
    for status in ["improved", "regressed", "unchanged", "added", "removed"] {
        assert!(
            counts.contains(&format!("{} {status}", d["summary"][status])),
            "{counts}"
        );
    }

    // Gates: every one asked, in order, the failed ones marked, each with its detail.
    let gates = d["gates"].as_array().unwrap();
    let shown: Vec<ElementRef> = root.select(&sel(".gates .gate")).collect();
    assert_eq!(shown.len(), gates.len());
    for (g, li) in gates.iter().zip(&shown) {
        let passed = g["passed"].as_bool().unwrap();
        assert_eq!(has_class(*li, "failed"), !passed);
        assert!(text(one(*li, ".gate-name code")).starts_with(g["gate"].as_str().unwrap()));
        // For people: each `checklist/item` id as its question.
        let mut detail = g["detail"].as_str().unwrap().to_string();
        let mut items: Vec<(String, String)> = d["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    format!(
                        "{}/{}",
                        i["checklist"].as_str().unwrap(),
                        i["id"].as_str().unwrap()
                    ),
                    i["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        items.sort_by_key(|(id, _)| std::cmp::Reverse(id.len()));
        for (id, question) in items {
            detail = detail.replace(&id, &format!("“{question}”"));
        }
        assert_eq!(text(one(*li, ".detail")), detail);
        assert_eq!(
            text(one(*li, ".badge")),
            if passed { "held" } else { "failed" }
        );
    }
    assert!(has_class(one(root, ".gates"), "failed"));
    assert_eq!(text(one(root, ".gates .verdict")), "2 of 4 gates failed");

    // A pair of bars per checklist and per section, with both scores and the change.
    let rows: Vec<ElementRef> = root.select(&sel(".pairs .pair-row")).collect();
    let expected: Vec<&Value> = d["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            std::iter::once(c).chain(
                d["sections"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(move |s| s["checklist"] == c["id"]),
            )
        })
        .collect();
    assert_eq!(rows.len(), expected.len());
    for (part, row) in expected.iter().zip(&rows) {
        let label = text(one(*row, ".label"));
        assert!(
            label.starts_with(part["title"].as_str().unwrap()),
            "{label}"
        );
        assert_eq!(
            text(one(*row, ".from-to")),
            format!("{} → {}", score(&part["base"]), score(&part["new"]))
        );
        assert_eq!(row.select(&sel(".pair svg.bar")).count(), 2);
        assert_eq!(
            change(one(*row, ".change")),
            expected_change(&part["status"], &part["delta"])
        );
    }
    assert_eq!(
        root.select(&sel(".checklist-row")).count(),
        d["checklists"].as_array().unwrap().len()
    );
    assert_eq!(
        text(one(rows[0], ".version")),
        "version 1 → 2",
        "a new version is noted"
    );

    // Movers: regressed and improved, biggest first, as the JSON orders them.
    let items = d["items"].as_array().unwrap();
    for (panel, status) in [(".regressed", "regressed"), (".improved", "improved")] {
        let listed: Vec<&Value> = items.iter().filter(|i| i["status"] == status).collect();
        let shown: Vec<ElementRef> = root
            .select(&sel(&format!(".movers {panel} .refs li")))
            .collect();
        assert_eq!(shown.len(), listed.len());
        assert_eq!(
            text(one(root, &format!(".movers {panel} h2 .count"))),
            listed.len().to_string()
        );
        for (i, li) in listed.iter().zip(&shown) {
            let t = text(one(*li, ".ref-text"));
            assert!(t.starts_with(i["text"].as_str().unwrap()), "{t}");
            assert_eq!(
                li.select(&sel(".badge.critical")).count(),
                usize::from(i["critical"].as_bool().unwrap())
            );
            assert_eq!(
                change(one(*li, ".change")),
                expected_change(&i["status"], &i["delta"])
            );
            assert_eq!(
                text(one(*li, ".place .from-to")),
                format!("{} → {}", score(&i["base"]), score(&i["new"]))
            );
        }
    }

    // Added and removed items, with the score of the side that has one.
    for (panel, status, side) in [(".added", "added", "new"), (".removed", "removed", "base")] {
        let listed: Vec<&Value> = items.iter().filter(|i| i["status"] == status).collect();
        let shown: Vec<ElementRef> = root.select(&sel(&format!("{panel} .refs li"))).collect();
        assert!(!listed.is_empty());
        assert_eq!(shown.len(), listed.len());
        for (i, li) in listed.iter().zip(&shown) {
            assert_eq!(text(one(*li, ".pill")), score(&i[side]));
            assert_eq!(text(one(*li, ".ref-text")), i["text"].as_str().unwrap());
        }
    }

    // Critical gaps new and resolved.
    for (word, key) in [("new", "new"), ("resolved", "resolved")] {
        let listed = d["critical_gaps"][key].as_array().unwrap();
        let shown: Vec<String> = root
            .select(&sel(".critical-changes .refs li"))
            .filter(|li| text(one(*li, ".gap-word")) == word)
            .map(|li| text(one(li, ".ref-text")))
            .collect();
        let expected: Vec<&str> = listed.iter().map(|g| g["text"].as_str().unwrap()).collect();
        assert_eq!(shown, expected, "{word}");
    }

    // The followed rename, old id to new.
    let renames: Vec<(String, String)> = root
        .select(&sel(".checklist-changes li"))
        .filter_map(|li| {
            let ids: Vec<String> = li.select(&sel("code")).map(text).collect();
            (ids.len() == 2).then(|| (ids[0].clone(), ids[1].clone()))
        })
        .collect();
    assert_eq!(
        renames,
        [("answer-phone".to_string(), "return-calls".to_string())]
    );

    assert!(page.contains("@media print") && page.contains("@media screen and (max-width: 720px)"));
}

#[test]
fn the_page_references_nothing_outside_itself() {
    let page = html(&GATES, 1);
    assert_self_contained(&page);
    assert!(!page.contains("http://") && !page.contains("https://"));
    let example = diff(
        "examples/reports/2026-Q3.json",
        "examples/reports/2026-Q4.json",
        &["--format", "html"],
        0,
    );
    assert_self_contained(&example);
}

#[test]
fn exit_codes_are_the_gates_whatever_the_format() {
    let page = html(&["--fail-below", "60", "--max-drop", "5"], 0);
    let doc = Html::parse_document(&page);
    assert!(has_class(one(doc.root_element(), ".gates"), "passed"));
    assert_eq!(
        text(one(doc.root_element(), ".gates .verdict")),
        "2 gates held"
    );

    let page = html(&[], 0);
    let doc = Html::parse_document(&page);
    assert!(text(one(doc.root_element(), ".gates")).contains("No gate asked"));
    assert_eq!(doc.select(&sel(".gate")).count(), 0);

    // A failed gate: exit 1, the page written all the same, and the reason on stderr.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("diff.html");
    selfaudit()
        .args(["diff", Q3, Q4, "--format", "html"])
        .args(["--max-item-drop", "20", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "gate failed: max-item-drop: 1 item fell more than 20 points",
        ));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!doctype html>"), "{}", &page[..40]);

    // Unusable input: exit 2, and no page.
    let out = dir.path().join("none.html");
    selfaudit()
        .args(["diff", Q3, "no/such.json", "--format", "html", "-o"])
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists());
}

#[test]
fn top_caps_each_list_and_says_how_many_more() {
    let page = diff(
        "examples/reports/2026-Q3.json",
        "examples/reports/2026-Q4.json",
        &["--format", "html", "--top", "2"],
        0,
    );
    let doc = Html::parse_document(&page);
    let root = doc.root_element();
    for panel in [".regressed", ".improved"] {
        let panel = one(root, &format!(".movers {panel}"));
        assert_eq!(panel.select(&sel(".refs li")).count(), 2);
        let total: usize = text(one(panel, "h2 .count")).parse().unwrap();
        assert_eq!(
            text(one(panel, ".more")),
            format!("… and {} more, in the full report", total - 2)
        );
    }
}

#[test]
fn snapshot_of_the_two_fixture_quarters() {
    let page = redact_dates(&html(&GATES, 1));
    assert_eq!(page.matches(">[generated]</time>").count(), 2, "both dates");
    assert!(!page.contains(" UTC</time>"));
    insta::assert_snapshot!("diff_html", page);
}
