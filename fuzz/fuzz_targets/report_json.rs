//! Any bytes as a JSON report: reading never panics, and whatever reads renders in every
//! format (HTML against itself as a baseline), is written as JSON that the strict reader
//! reads back, and diffs with itself as all unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use selfaudit::diff::{Diff, Gates};
use selfaudit::model::Source;
use selfaudit::model::report::Report;
use selfaudit::render;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(report) = Report::parse(&Source { name: "fuzz.json", text }) else {
        return;
    };
    let style = render::table::Style { color: false, fit: false };
    let _ = render::table::report(&report, 10, style);
    let _ = render::markdown::report(&report, 10);
    let json = render::json::to_json(&report);
    // Read back by the same strict reader (every score present and in range), not just serde.
    let back = Report::parse(&Source { name: "back.json", text: &json })
        .unwrap_or_else(|p| panic!("a rendered report reads back: {p:?}\n{json}"));
    assert_eq!(back.checklists.len(), report.checklists.len());
    let gates = Gates { max_drop: Some(0.0), max_item_drop: Some(0.0), fail_on_new_critical: true, ..Gates::default() };
    let diff = Diff::new(&report, &report, &gates);
    assert!(diff.passed, "a report diffed with itself passes: {:?}", diff.gates);
    let _ = render::diff::table(&diff, 10, style);
    let _ = render::diff::markdown(&diff, 10);
    let _ = render::html::report(&report, Some(&report), 10);
    let _ = render::diff_html::page(&diff, 10);
});
