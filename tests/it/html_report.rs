//! The HTML report of the example team, parsed as a browser would: its structure, that it
//! references nothing outside itself, its changes against a baseline, and its size for a
//! team of 20. (A real browser renders it in scripts/screenshot-report.sh, outside CI.)

use crate::common;

use common::{assert_self_contained, one, redact_dates, run, sel, selfaudit, text};
use scraper::{ElementRef, Html};
use serde_json::Value;

const CHECKLISTS: &str = "checklists";
const Q3: &str = "examples/responses/2026-Q3";
const Q4: &str = "examples/responses/2026-Q4";

/// The example report at a fixed time, so that two runs agree on `generated` even when a
/// second ticks over between them.
fn example(format: &str) -> String {
    let out = crate::common::selfaudit()
        .env("SOURCE_DATE_EPOCH", "1795348800")
        .args(["--checklists", CHECKLISTS, "report", Q4, "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn example_html() -> String {
    example("html")
}

fn example_json() -> Value {
    serde_json::from_str(&example("json")).unwrap()
}

fn score(v: &Value) -> String {
    v.as_f64().map_or("—".to_string(), |s| format!("{s:.1}"))
}

#[test]
fn the_page_has_headline_bars_stacked_bars_and_notes_in_place() {
    let html = example_html();
    let json = example_json();
    let doc = Html::parse_document(&html);
    let root = doc.root_element();

    assert_eq!(text(one(root, "h1")), "Self-audit report");
    assert_eq!(
        text(one(root, "head > title")),
        "Self-audit report · 2026-Q4"
    );
    assert_eq!(
        text(one(root, "#overall .gauge-value")),
        score(&json["score"]),
        "the headline is the overall score"
    );
    let names: Vec<String> = root.select(&sel(".names bdi")).map(text).collect();
    let expected: Vec<String> = json["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, expected);
    let date = one(root, ".facts time");
    assert_eq!(date.value().attr("datetime"), json["generated"].as_str());

    let checklists = json["checklists"].as_array().unwrap();
    let overview: Vec<ElementRef> = root.select(&sel(".overview .row")).collect();
    assert_eq!(overview.len(), checklists.len(), "a bar per checklist");
    let cards: Vec<ElementRef> = root.select(&sel("section.checklist")).collect();
    assert_eq!(cards.len(), checklists.len());

    for ((c, row), card) in checklists.iter().zip(&overview).zip(&cards) {
        assert_eq!(text(one(*row, ".label")), c["title"].as_str().unwrap());
        assert_eq!(text(one(*row, ".num")), score(&c["score"]));
        one(*row, "svg.bar");
        assert_eq!(text(one(*card, "h2")), c["title"].as_str().unwrap());
        assert_eq!(text(one(*card, ".big")), score(&c["score"]));

        let sections = c["sections"].as_array().unwrap();
        let bars: Vec<ElementRef> = card.select(&sel(".section-bars .row")).collect();
        assert_eq!(bars.len(), sections.len(), "a bar per section");
        for (s, bar) in sections.iter().zip(&bars) {
            assert_eq!(text(one(*bar, ".label")), s["title"].as_str().unwrap());
            assert_eq!(text(one(*bar, ".num")), score(&s["score"]));
            one(*bar, "svg.bar");
        }

        let items: Vec<&Value> = sections
            .iter()
            .flat_map(|s| s["items"].as_array().unwrap())
            .collect();
        let rows: Vec<ElementRef> = card.select(&sel("li.item")).collect();
        assert_eq!(rows.len(), items.len());
        for (item, row) in items.iter().zip(&rows) {
            assert_eq!(
                text(one(*row, ".item-meta code")),
                item["id"].as_str().unwrap()
            );
            assert_eq!(text(one(*row, ".item-score .pill")), score(&item["score"]));
            // The stacked bar: one segment per choice given, with its count, and no answer.
            let stack = one(*row, "svg.stack");
            let mut counted: u64 = 0;
            for g in stack.select(&sel("g")) {
                let title = text(one(g, "title"));
                let (_, count) = title.rsplit_once(": ").unwrap();
                counted += count.parse::<u64>().unwrap();
            }
            let given: u64 = item["choices"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(counted, given + item["missing"].as_u64().unwrap());
            assert_eq!(
                text(one(*row, ".counts")).split(" · range").next().unwrap(),
                format!(
                    "n {} · n/a {} · missing {}",
                    item["n"], item["na"], item["missing"]
                )
            );
            // Notes sit under their own item, in order.
            let notes: Vec<String> = row.select(&sel(".notes blockquote")).map(text).collect();
            let expected: Vec<String> = item["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["note"].as_str().unwrap().trim().to_string())
                .collect();
            assert_eq!(notes, expected, "notes of {}", item["id"]);
            let critical_gap = item["critical"].as_bool().unwrap()
                && item["score"].as_f64().is_some_and(|s| s < 100.0);
            assert_eq!(
                row.value().classes().any(|c| c == "critical-gap"),
                critical_gap
            );
            assert_eq!(
                row.value().classes().any(|c| c == "split"),
                item["split"].as_bool().unwrap()
            );
        }
    }

    let gaps = root.select(&sel(".critical-gaps .refs li")).count();
    assert_eq!(gaps, json["critical_gaps"].as_array().unwrap().len());
    assert_eq!(root.select(&sel(".weakest .refs li")).count(), 10);
    assert!(html.contains("@media print") && html.contains("@media screen and (max-width: 720px)"));
}

#[test]
fn the_example_page_references_nothing_outside_itself() {
    let html = example_html();
    assert_self_contained(&html);
    assert!(!html.contains("http://") && !html.contains("https://"));
    // Every in-page link lands on an element of the page.
    let doc = Html::parse_document(&html);
    for a in doc.select(&sel("a[href]")) {
        let target = &a.value().attr("href").unwrap()[1..];
        assert_eq!(
            doc.select(&sel(&format!("[id=\"{target}\"]"))).count(),
            1,
            "#{target}"
        );
    }
}

#[test]
fn the_self_containment_check_catches_what_it_should() {
    for bad in [
        "<script>1</script>",
        "<img src=x>",
        "<a href=\"https://example.invalid/\">x</a>",
        "<a href=\"other.html\">x</a>",
        "<link rel=stylesheet href=x.css>",
        "<style>@import 'x.css';</style>",
        "<style>body{background:url(x.png)}</style>",
        "<p style=\"background:url('http://x')\">x</p>",
        "<p onclick=\"x()\">x</p>",
        "<svg><image href=\"x.png\"/></svg>",
    ] {
        let page = format!("<!doctype html><html><body>{bad}</body></html>");
        let caught = std::panic::catch_unwind(|| assert_self_contained(&page));
        assert!(caught.is_err(), "not caught: {bad}");
    }
    assert_self_contained(
        "<!doctype html><style>i{background:url(data:image/png;base64,AA)}</style><a href=\"#x\" id=x>x</a>",
    );
}

#[test]
fn a_baseline_shows_each_change_with_an_arrow() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("2026-Q3.json");
    selfaudit()
        .args([
            "--checklists",
            CHECKLISTS,
            "report",
            Q3,
            "--format",
            "json",
            "-o",
        ])
        .arg(&old)
        .assert()
        .success();
    let out = dir.path().join("report.html");
    selfaudit()
        .args([
            "--checklists",
            CHECKLISTS,
            "report",
            Q4,
            "--format",
            "html",
            "-o",
        ])
        .arg(&out)
        .arg("--baseline")
        .arg(&old)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert_self_contained(&html);
    let base: Value = serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    let new = example_json();
    let doc = Html::parse_document(&html);
    let root = doc.root_element();

    let expect = |new: &Value, old: &Value| -> (String, String) {
        let d = new.as_f64().unwrap() - old.as_f64().unwrap();
        if d.abs() < 0.05 {
            ("same".into(), "±0.0".into())
        } else if d > 0.0 {
            ("up".into(), format!("▲ +{d:.1}"))
        } else {
            ("down".into(), format!("▼ −{:.1}", d.abs()))
        }
    };
    let shown = |e: ElementRef| -> (String, String) {
        let classes: Vec<&str> = e.value().classes().collect();
        assert!(classes.contains(&"change"));
        let dir = classes
            .iter()
            .find(|c| **c != "change")
            .unwrap()
            .to_string();
        (dir, text(e))
    };

    assert_eq!(
        shown(one(root, "#overall .change")),
        expect(&new["score"], &base["score"])
    );
    assert!(text(one(root, ".facts")).contains("Compared with2026-Q3"));

    let old_checklists = base["checklists"].as_array().unwrap();
    let cards: Vec<ElementRef> = root.select(&sel("section.checklist")).collect();
    let mut compared_items = 0;
    for (c, card) in new["checklists"].as_array().unwrap().iter().zip(&cards) {
        let old_c = old_checklists.iter().find(|o| o["id"] == c["id"]).unwrap();
        assert_eq!(
            shown(one(*card, ".card-score .change")),
            expect(&c["score"], &old_c["score"])
        );
        let old_items: Vec<&Value> = old_c["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["items"].as_array().unwrap())
            .collect();
        for row in card.select(&sel("li.item")) {
            let id = text(one(row, ".item-meta code"));
            let item = c["sections"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["items"].as_array().unwrap())
                .find(|i| i["id"] == id.as_str())
                .unwrap();
            let change = one(row, ".item-score .change");
            match old_items.iter().find(|o| o["id"] == id.as_str()) {
                Some(old) if !old["score"].is_null() && !item["score"].is_null() => {
                    assert_eq!(shown(change), expect(&item["score"], &old["score"]), "{id}");
                    assert_eq!(
                        change.value().attr("title"),
                        Some(&*format!("2026-Q3: {}", score(&old["score"])))
                    );
                    compared_items += 1;
                }
                Some(_) => assert_eq!(shown(change).0, "undefined"),
                None => assert_eq!(shown(change), ("added".into(), "new".into())),
            }
        }
    }
    assert!(compared_items > 20, "{compared_items}");
    assert!(root.select(&sel(".change.up")).count() > 0);
    assert!(root.select(&sel(".change.down")).count() > 0);
    // The earlier score is marked on every checklist and section bar that had one.
    assert!(
        root.select(&sel(".section-bars svg.bar line.marker"))
            .count()
            > 0
    );
}

#[test]
fn a_bad_baseline_is_refused_with_its_path_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"format\": \"selfaudit-report/1\",\n  \"period\": \n",
    )
    .unwrap();
    let err = selfaudit()
        .args([
            "--checklists",
            CHECKLISTS,
            "report",
            Q4,
            "--format",
            "html",
            "--baseline",
        ])
        .arg(&broken)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert!(
        err.contains(&format!("error: {}:4:1: ", broken.display())),
        "{err}"
    );
    assert!(err.contains("\n  hint: "), "{err}");

    let diff = dir.path().join("diff.json");
    std::fs::write(
        &diff,
        r#"{"format": "selfaudit-diff/1", "period": "x", "score": 1, "checklists": []}"#,
    )
    .unwrap();
    selfaudit()
        .args([
            "--checklists",
            CHECKLISTS,
            "report",
            Q4,
            "--format",
            "html",
            "--baseline",
        ])
        .arg(&diff)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a selfaudit report"));

    selfaudit()
        .args(["--checklists", CHECKLISTS, "report", Q4, "--format", "html"])
        .args(["--baseline", "no/such/report.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no/such/report.json: no such file",
        ));

    selfaudit()
        .args([
            "--checklists",
            CHECKLISTS,
            "report",
            Q4,
            "--baseline",
            "x.json",
        ])
        .assert()
        .code(2)
        // Every format takes a baseline since SPEC §12 (for targets' progress): a missing one is missing.
        .stderr(predicates::str::contains("x.json: no such file"));
}

/// A responses file answering every item of every built-in checklist, with notes on some.
fn big_team_file(registry: &selfaudit::load::Registry, who: usize) -> String {
    let mut out = format!("respondent = \"Team member {who}\"\nperiod = \"2026-Q4\"\n");
    for (checklist, _) in registry.iter() {
        out.push_str(&format!("\n[answers.{}]\n", checklist.id));
        for (i, (_, item)) in checklist.items().enumerate() {
            let choices = &item.scale.choices;
            let key = &choices[(who * 7 + i * 3) % choices.len()].key;
            if (who + i).is_multiple_of(2) {
                out.push_str(&format!(
                    "\"{}\" = {{ choice = \"{key}\", note = \"Respondent {who} on item {i}: what would help here is a clear owner, a weekly check and a note on the board so everyone sees it.\" }}\n",
                    item.id
                ));
            } else {
                out.push_str(&format!("\"{}\" = \"{key}\"\n", item.id));
            }
        }
    }
    out
}

#[test]
fn a_team_of_20_on_every_built_in_checklist_stays_under_1_mb() {
    let registry = selfaudit::load::Registry::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let responses = dir.path().join("responses");
    std::fs::create_dir(&responses).unwrap();
    for who in 1..=20 {
        std::fs::write(
            responses.join(format!("{who}.toml")),
            big_team_file(&registry, who),
        )
        .unwrap();
    }
    // From a folder without ./checklists, the built-in set is used.
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["report", "responses", "--format", "html"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(out).unwrap();
    let doc = Html::parse_document(&html);
    assert_eq!(
        doc.select(&sel("section.checklist")).count(),
        registry.iter().count()
    );
    assert_eq!(doc.select(&sel(".names bdi")).count(), 20);
    assert!(doc.select(&sel(".notes li")).count() > 500);
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    assert_self_contained(&html);
}

#[test]
fn anonymous_and_withheld_reports_say_so() {
    let html = run(&[
        "--checklists",
        CHECKLISTS,
        "report",
        Q4,
        "--format",
        "html",
        "--anonymous",
        "--min-responses",
        "5",
    ]);
    let doc = Html::parse_document(&html);
    let root = doc.root_element();
    assert_eq!(
        text(one(root, ".names")),
        "Anonymous report: names withheld."
    );
    assert_eq!(
        root.select(&sel(".notes cite")).count(),
        0,
        "notes name nobody"
    );
    for name in ["Dev Patel", "Helen Carter", "Sofia Rossi"] {
        assert!(!html.contains(name), "{name}");
    }
    let withheld = root.select(&sel("li.item .withheld")).count();
    assert!(withheld > 0);
    assert_eq!(
        root.select(&sel("li.item svg.stack")).count() + withheld,
        root.select(&sel("li.item")).count()
    );
}

#[test]
fn snapshot_of_the_hostile_team() {
    let html = run(&[
        "--checklists",
        "tests/fixtures/hostile/checklists",
        "report",
        "tests/fixtures/hostile/responses",
        "--format",
        "html",
    ]);
    let html = redact_dates(&html);
    assert!(
        html.contains(">[generated]</time>") && !html.contains(" UTC</time>"),
        "the date is redacted"
    );
    insta::assert_snapshot!("hostile_html", html);
}
