//! Any bytes as a JSON report: reading never panics, and whatever reads renders in every format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use selfaudit::model::report::Report;
use selfaudit::render;

fuzz_target!(|data: &[u8]| {
    let Ok(report) = serde_json::from_slice::<Report>(data) else {
        return;
    };
    let style = render::table::Style { color: false, fit: false };
    let _ = render::table::report(&report, 10, style);
    let _ = render::markdown::report(&report, 10);
    let json = render::json::to_json(&report);
    let back: Report = serde_json::from_str(&json).expect("a rendered report reads back");
    assert_eq!(back.checklists.len(), report.checklists.len());
});
