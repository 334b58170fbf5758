//! A team whose names, notes, titles and ids try to break every output format
//! (tests/fixtures/hostile): markup, `|` and backticks, line breaks, ANSI escapes, bidi
//! overrides, very long text. Each format must show them as plain text, and JSON exactly.

use crate::common;

use common::{assert_self_contained, one, run, sel, selfaudit, text};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use scraper::Html;
use selfaudit::text::{page_safe, terminal_safe};
use serde_json::Value;

const CHECKLISTS: &str = "tests/fixtures/hostile/checklists";
const RESPONSES: &str = "tests/fixtures/hostile/responses";

const NAME_SCRIPT: &str = "<script>alert('name')</script>";
const NAME_IMG: &str = "\"><img src=x onerror=alert(1)>";
const NAME_ANSI: &str = "Mallory \u{1b}[2J\u{1b}[31mRed\u{202E} txet | `x`";
const TITLE: &str = "<script>alert('title')</script> | `tick` \u{1b}[31mred\u{1b}[0m";
const PERIOD: &str = "Q4 | `x` <b>";
const ITEM_TEXT: &str = "<script>alert(1)</script> Do we | escape `pipes`?";
const ITEM_ID: &str = "\"><img src=x onerror=alert(2)>";
const NOTE_SCRIPT: &str =
    "<script>alert(1)</script>\nsecond line | with `ticks` \u{1b}[31mred\u{1b}[0m \u{202E}reversed";
const NOTE_MARKDOWN: &str =
    "**bold** _it_ [link](javascript:alert(1)) ![img](x) # heading \u{7}bell \u{9b}31m";
const NOTE_LINES: &str = "Three\nlines\r\n| of | table |";

fn report(format: &str) -> String {
    run(&[
        "--checklists",
        CHECKLISTS,
        "report",
        RESPONSES,
        "--format",
        format,
    ])
}

fn json() -> Value {
    serde_json::from_str(&report("json")).expect("the JSON report is valid JSON")
}

/// Every string of the JSON report that came from a checklist or a respondent.
fn user_strings(report: &Value) -> Vec<String> {
    let mut out = vec![report["period"].as_str().unwrap().to_string()];
    for r in report["respondents"].as_array().unwrap() {
        out.push(r.as_str().unwrap().to_string());
    }
    for c in report["checklists"].as_array().unwrap() {
        out.push(c["title"].as_str().unwrap().to_string());
        for s in c["sections"].as_array().unwrap() {
            out.push(s["title"].as_str().unwrap().to_string());
            for i in s["items"].as_array().unwrap() {
                out.push(i["id"].as_str().unwrap().to_string());
                out.push(i["text"].as_str().unwrap().to_string());
                for n in i["notes"].as_array().unwrap() {
                    out.push(n["note"].as_str().unwrap().to_string());
                }
            }
        }
    }
    out
}

/// Characters that, printed raw, move a cursor, recolour a screen or reorder the text around them.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

#[test]
fn json_keeps_every_string_exactly() {
    let report = json();
    assert_eq!(report["period"], PERIOD);
    let names: Vec<&str> = report["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    let mut expected = vec![NAME_SCRIPT, NAME_IMG, NAME_ANSI];
    expected.sort();
    assert_eq!(sorted, expected);
    let checklist = &report["checklists"][0];
    assert_eq!(checklist["title"], TITLE);
    assert_eq!(checklist["version"], "1<b>");
    let item = &checklist["sections"][0]["items"][0];
    assert_eq!(item["id"], ITEM_ID);
    assert_eq!(item["text"], ITEM_TEXT);
    let notes: Vec<&str> = item["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note"].as_str().unwrap())
        .collect();
    assert!(notes.contains(&NOTE_SCRIPT), "{notes:?}");
    assert!(notes.contains(&NOTE_MARKDOWN), "{notes:?}");
    let lines = &checklist["sections"][0]["items"][1]["notes"][0]["note"];
    assert_eq!(lines, NOTE_LINES);
    assert_eq!(item["choices"]["<b>no</b>"], 1);
    assert_eq!(item["choices"]["some|thing"], 1);
}

/// A page that loads and runs nothing, with no tag from user text and no raw control or
/// bidi character.
fn assert_inert(html: &str) {
    assert_self_contained(html);
    assert!(!html.contains("<script"), "a script tag");
    assert!(!html.contains("<img"), "an img tag");
    let bad: Vec<char> = html.chars().filter(|c| is_dangerous(*c)).collect();
    assert!(bad.is_empty(), "raw control or bidi characters: {bad:?}");
}

#[test]
fn html_shows_every_string_as_text_and_runs_nothing() {
    let html = report("html");
    assert_inert(&html);

    let report = json();
    let doc = Html::parse_document(&html);
    let root = doc.root_element();
    let all_text = text(root);
    for s in user_strings(&report) {
        let shown = page_safe(s.trim());
        // Line breaks in item texts and titles fold like any white space in HTML.
        let first_line = shown.lines().next().unwrap_or_default();
        assert!(
            all_text.contains(first_line),
            "not shown as text: {shown:?}"
        );
    }

    let names: Vec<String> = root.select(&sel(".names bdi")).map(text).collect();
    for name in [NAME_SCRIPT, NAME_IMG, NAME_ANSI] {
        assert!(names.contains(&page_safe(name)), "{name:?} in {names:?}");
    }
    assert_eq!(
        text(one(root, "head > title")),
        format!("Self-audit report · {PERIOD}")
    );
    let card = one(root, "section.checklist");
    assert_eq!(text(one(card, "h2")), page_safe(TITLE));

    // Notes stay under their item, line breaks kept as text, the respondent named as text.
    let item = root
        .select(&sel("li.item"))
        .find(|li| text(one(*li, ".item-meta code")) == ITEM_ID)
        .expect("the item with the hostile id");
    assert_eq!(text(one(item, ".item-text")), ITEM_TEXT);
    let notes: Vec<(String, String)> = item
        .select(&sel(".notes li"))
        .map(|li| (text(one(li, "blockquote")), text(one(li, "cite"))))
        .collect();
    assert!(
        notes.contains(&(page_safe(NOTE_SCRIPT), NAME_SCRIPT.to_string())),
        "{notes:?}"
    );
    assert!(notes.contains(&(page_safe(NOTE_MARKDOWN), page_safe(NAME_ANSI))));
    let lines = root
        .select(&sel(".notes blockquote"))
        .map(text)
        .find(|t| t.starts_with("Three"))
        .unwrap();
    assert_eq!(lines, "Three\nlines\n| of | table |");

    // Labels of the hostile scale are text in the legend and in the bars' tooltips.
    let legend = text(one(card, ".legend"));
    assert!(
        legend.contains("No <img src=x onerror=alert(1)>"),
        "{legend}"
    );
    let tooltips: Vec<String> = item.select(&sel("svg.stack title")).map(text).collect();
    assert!(
        tooltips.contains(&"Some `tick` | pipe: 1".to_string()),
        "{tooltips:?}"
    );
    let aria = one(item, "svg.stack").value().attr("aria-label").unwrap();
    assert!(
        aria.starts_with("No <img src=x onerror=alert(1)>: 1"),
        "{aria}"
    );
}

#[test]
fn html_against_a_hostile_baseline_escapes_its_period_in_tooltips() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    std::fs::write(&old, report("json")).unwrap();
    let out = selfaudit()
        .args([
            "--checklists",
            CHECKLISTS,
            "report",
            RESPONSES,
            "--format",
            "html",
            "--baseline",
        ])
        .arg(&old)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(out).unwrap();
    assert_self_contained(&html);
    let doc = Html::parse_document(&html);
    let changes: Vec<_> = doc.select(&sel(".change")).collect();
    assert!(!changes.is_empty());
    for c in changes {
        assert_eq!(text(c), "±0.0");
        let title = c.value().attr("title").unwrap();
        assert!(title.starts_with(&format!("{PERIOD}: ")), "{title}");
    }
}

/// The text of every table cell, list item and heading, and every piece of raw HTML.
struct Markdown {
    blocks: Vec<String>,
    html: Vec<String>,
    headings: Vec<String>,
    links: usize,
    code: usize,
}

fn parse_markdown(md: &str) -> Markdown {
    let mut out = Markdown {
        blocks: Vec::new(),
        html: Vec::new(),
        headings: Vec::new(),
        links: 0,
        code: 0,
    };
    let mut current = String::new();
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) => current.push_str(&t),
            Event::SoftBreak | Event::HardBreak => current.push('\n'),
            Event::Html(h) | Event::InlineHtml(h) => out.html.push(h.trim().to_string()),
            Event::Code(_) => out.code += 1,
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => out.links += 1,
            Event::Start(Tag::TableCell | Tag::Item | Tag::Paragraph | Tag::Heading { .. }) => {
                current.clear()
            }
            Event::End(TagEnd::Heading(_)) => out.headings.push(std::mem::take(&mut current)),
            Event::End(TagEnd::TableCell | TagEnd::Item | TagEnd::Paragraph) => {
                out.blocks.push(std::mem::take(&mut current))
            }
            _ => {}
        }
    }
    out
}

#[test]
fn markdown_keeps_user_text_inside_its_cells() {
    let md = report("markdown");
    let bad: Vec<char> = md.chars().filter(|c| is_dangerous(*c)).collect();
    assert!(bad.is_empty(), "raw control or bidi characters: {bad:?}");

    // In the source: every row of a table has as many unescaped `|` as its header.
    let mut header: Option<usize> = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let mut pipes = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => pipes += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        match header {
            None => header = Some(pipes),
            Some(h) => assert_eq!(pipes, h, "a broken row: {line}"),
        }
        assert!(line.ends_with('|'), "a row cut short: {line}");
    }

    // Rendered: only our own HTML, no link, image or code span, and the user's text whole.
    let parsed = parse_markdown(&md);
    for h in &parsed.html {
        assert!(
            ["<details><summary>All items</summary>", "</details>"].contains(&h.as_str()),
            "raw HTML from user text: {h}"
        );
    }
    assert_eq!(parsed.links, 0, "a link or image from user text");
    assert_eq!(parsed.code, 0, "a code span from user text");
    assert_eq!(
        parsed.headings,
        [
            format!("Self-audit report: {PERIOD}"),
            "Scores".to_string(),
            "Weakest items".to_string(),
            "Split items".to_string(),
            "Critical gaps".to_string(),
            "Per respondent".to_string(),
            "Notes".to_string(),
        ]
    );
    let cell = |s: &str| parsed.blocks.iter().any(|b| b == s);
    let has = |s: &str| parsed.blocks.iter().any(|b| b.contains(s));
    assert!(cell(&terminal_safe(TITLE)), "checklist title in one cell");
    for name in [NAME_SCRIPT, NAME_IMG, NAME_ANSI] {
        assert!(cell(&terminal_safe(name)), "{name:?} in one cell");
    }
    assert!(has(&format!("{} critical split", terminal_safe(ITEM_TEXT))));
    assert!(cell("1× <b>no</b>, 1× some|thing, 1× yes"));
    for (who, note) in [
        (NAME_SCRIPT, NOTE_SCRIPT),
        (NAME_ANSI, NOTE_MARKDOWN),
        (NAME_IMG, NOTE_LINES),
    ] {
        let item = format!("{}: {}", terminal_safe(who), terminal_safe(note));
        assert!(cell(&item), "note as one list item: {item:?}");
    }
}

#[test]
fn the_terminal_table_prints_no_control_characters_and_keeps_its_rows() {
    let table = report("table");
    let bad: Vec<char> = table.chars().filter(|c| is_dangerous(*c)).collect();
    assert!(bad.is_empty(), "raw control or bidi characters: {bad:?}");
    // Within each table, every line is as wide as its top border: no row was broken.
    let mut width = None;
    for line in table.lines() {
        if line.starts_with('┌') {
            width = Some(line.chars().count());
        }
        if let Some(w) = width {
            assert_eq!(line.chars().count(), w, "a broken row: {line}");
            assert!(line.ends_with(['│', '┐', '┤', '╡', '┘']), "{line}");
        }
        if line.starts_with('└') {
            width = None;
        }
    }
    for s in [
        NAME_SCRIPT,
        NAME_IMG,
        NAME_ANSI,
        NOTE_SCRIPT,
        NOTE_LINES,
        TITLE,
    ] {
        assert!(table.contains(&terminal_safe(s)), "{s:?}");
    }
}

#[test]
fn messages_on_the_terminal_quote_user_text_safely() {
    // A period with an escape in it, in a file whose period differs from the others'.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(RESPONSES).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("zz.toml"),
        "respondent = \"Zed\"\nperiod = \"Q1\\u001b[31m\\u202e\"\n[answers.hostile]\nlong-item = \"yes\"\n",
    )
    .unwrap();
    let out = selfaudit()
        .args(["--checklists", CHECKLISTS, "report"])
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("period `Q1[31m` differs"), "{err}");
    assert!(!err.chars().any(is_dangerous), "{err:?}");

    let out = selfaudit()
        .args(["--checklists", CHECKLISTS, "validate", RESPONSES])
        .assert()
        .success()
        .get_output()
        .clone();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.contains(&terminal_safe(NAME_ANSI)), "{listed}");
    assert!(!listed.chars().any(is_dangerous), "{listed:?}");
}

const BASE_PERIOD: &str = "Q3 <script>alert('period')</script>";
const OLD_ID: &str = "old\"><img src=x onerror=alert(4)>";
const OLD_VERSION: &str = "0\"><img src=x onerror=alert(3)>";
const GONE_ID: &str = "gone<script>";
const GONE_TEXT: &str = "<script>alert('removed')</script> \u{1b}[31mgone\u{202E}";

/// Two hostile quarters: BASE is the hostile team's report with another period and version,
/// the hostile item at 100 (so it regresses, and its gap is new), the second item under an
/// old id that NEW's `[renamed]` follows, and one more item that NEW lacks.
fn hostile_quarters(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut new = json();
    let mut base = new.clone();
    base["period"] = BASE_PERIOD.into();
    base["critical_gaps"] = serde_json::json!([]);
    let c = &mut base["checklists"][0];
    c["version"] = OLD_VERSION.into();
    c["sections"][0]["items"][0]["score"] = 100.0.into();
    c["sections"][0]["items"][1]["id"] = OLD_ID.into();
    c["sections"][1]["items"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "id": GONE_ID, "text": GONE_TEXT, "score": 40.0 }));
    let renamed_to = new["checklists"][0]["sections"][0]["items"][1]["id"].clone();
    new["checklists"][0]["renamed"] = serde_json::json!({ OLD_ID: renamed_to });
    let (b, n) = (dir.join("base.json"), dir.join("new.json"));
    std::fs::write(&b, base.to_string()).unwrap();
    std::fs::write(&n, new.to_string()).unwrap();
    (b, n)
}

#[test]
fn a_hostile_diff_page_shows_every_string_as_text_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (base, new) = hostile_quarters(dir.path());
    let run_diff = |format: &str| {
        let out = selfaudit()
            .arg("diff")
            .args([&base, &new])
            .args(["--max-item-drop", "10", "--fail-on-new-critical"])
            .args(["--format", format])
            .assert()
            .code(1)
            .get_output()
            .clone();
        String::from_utf8(out.stdout).unwrap()
    };
    let html = run_diff("html");
    let diff: Value = serde_json::from_str(&run_diff("json")).unwrap();

    assert_inert(&html);

    let doc = Html::parse_document(&html);
    let root = doc.root_element();
    assert_eq!(
        text(one(root, "head > title")),
        format!("Self-audit diff · {BASE_PERIOD} → {PERIOD}")
    );
    assert_eq!(text(one(root, "h1")), format!("{BASE_PERIOD} → {PERIOD}"));

    // The gates' details quote ids and periods: as text, whole.
    let details: Vec<String> = root.select(&sel(".gate .detail")).map(text).collect();
    let expected: Vec<String> = diff["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            // For people: each `checklist/item` id as its question.
            let mut detail = g["detail"].as_str().unwrap().to_string();
            for i in diff["items"].as_array().unwrap() {
                let id = format!(
                    "{}/{}",
                    i["checklist"].as_str().unwrap(),
                    i["id"].as_str().unwrap()
                );
                detail = detail.replace(&id, &format!("“{}”", i["text"].as_str().unwrap()));
            }
            page_safe(&detail)
        })
        .collect();
    assert_eq!(details, expected);
    assert!(!details[0].contains(ITEM_ID) && details[1].contains(BASE_PERIOD));
    assert_eq!(root.select(&sel(".gate.failed")).count(), 2);

    // Titles in the score rows, and the version change.
    let labels: Vec<String> = root.select(&sel(".pair-row .label")).map(text).collect();
    assert!(labels[0].starts_with(&page_safe(TITLE)), "{labels:?}");
    assert_eq!(
        text(one(root, ".checklist-row .version")),
        format!("version {OLD_VERSION} → 1<b>")
    );
    let title = one(root, ".checklist-row .label").value().attr("title");
    assert_eq!(title, Some(page_safe(TITLE).as_str()));

    // The regressed item, the removed one, the new gap and the followed rename.
    let mover = one(root, ".movers .regressed .refs li");
    assert_eq!(
        text(one(mover, ".ref-text")),
        format!("{}critical", page_safe(ITEM_TEXT))
    );
    let removed = one(root, ".removed .refs li");
    assert_eq!(text(one(removed, ".ref-text")), page_safe(GONE_TEXT));
    let gap = one(root, ".critical-changes .refs li");
    assert_eq!(text(one(gap, ".ref-text")), page_safe(ITEM_TEXT));
    let ids: Vec<String> = root
        .select(&sel(".checklist-changes li code"))
        .map(text)
        .collect();
    assert_eq!(ids, [OLD_ID, "pipe|tick`"]);
}
