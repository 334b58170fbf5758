//! The HTML pages at a phone's width and for people (issue 11 items 15 and 16).

use crate::common;
use common::{run, sel, text};
use scraper::Html;

fn report_page(extra: &[&str]) -> Html {
    let mut args = vec!["report", "examples/responses/2026-Q4", "--format", "html"];
    args.extend_from_slice(extra);
    Html::parse_document(&run(&args))
}

#[test]
fn an_item_at_100_is_never_among_the_weakest() {
    let page = report_page(&["--top", "1000"]);
    let weakest = page
        .select(&sel(".weakest .pill"))
        .map(text)
        .collect::<Vec<_>>();
    assert!(!weakest.is_empty());
    assert!(
        weakest.iter().all(|s| !s.trim().starts_with("100")),
        "{weakest:?}"
    );
    // The table and Markdown alike.
    for format in ["table", "markdown"] {
        let out = run(&[
            "report",
            "examples/responses/2026-Q4",
            "--top",
            "1000",
            "--format",
            format,
        ]);
        let weak = out.split("Weakest items").nth(1).unwrap();
        let weak = weak.split("Split").next().unwrap();
        assert!(!weak.contains("100.0"), "{format}: {weak}");
    }
}

#[test]
fn a_question_cut_short_shows_in_full_on_hover_and_focus() {
    let page = report_page(&[]);
    let refs: Vec<_> = page.select(&sel(".ref-text")).collect();
    assert!(!refs.is_empty());
    for r in refs {
        let title = r.value().attr("title").expect("a title");
        assert!(text(r).starts_with(title), "{title}");
        assert_eq!(r.value().attr("tabindex"), Some("0"));
    }
}

#[test]
fn tables_scroll_rather_than_break_names_and_figures_letter_by_letter() {
    let page = run(&["report", "examples/responses/2026-Q4", "--format", "html"]);
    let css = page
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert!(css.contains(".pill { white-space: nowrap; }"), "pills wrap");
    assert!(css.contains(".respondents td, table.groups td { white-space: nowrap; }"));
    assert!(
        css.contains(".respondents tbody th, table.groups tbody th { position: sticky; left: 0;")
    );
}

#[test]
fn the_diff_pages_tables_keep_figures_whole() {
    let page = run(&[
        "diff",
        "examples/reports/2026-Q3.json",
        "examples/reports/2026-Q4.json",
        "--actions",
        "examples/actions.toml",
        "--format",
        "html",
    ]);
    let doc = Html::parse_document(&page);
    assert!(doc.select(&sel("table.figures")).count() >= 1);
    assert!(page.contains("table.figures th, table.figures td { overflow-wrap: normal;"));
}
