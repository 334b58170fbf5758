//! Every report format, snapshotted from one fixture (the conformance team), timestamps redacted.

use std::path::{Path, PathBuf};

use selfaudit::collect::build_report;
use selfaudit::load::Registry;
use selfaudit::model::report::Report;
use selfaudit::render;

fn fixture() -> Report {
    let dir = Path::new("tests/fixtures/conformance");
    let registry = Registry::discover(Some(&dir.join("checklists"))).unwrap();
    let mut report = build_report(
        &registry,
        &[PathBuf::from("tests/fixtures/conformance/responses")],
        None,
        false,
        0,
    )
    .unwrap();
    report.generated = "[generated]".to_string();
    report
}

#[test]
fn table() {
    let style = render::table::Style {
        color: false,
        fit: false,
    };
    insta::assert_snapshot!(render::table::report(&fixture(), 10, style));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render::markdown::report(&fixture(), 10));
}

#[test]
fn json() {
    insta::assert_snapshot!(render::json::to_json(&fixture()));
}

#[test]
fn json_reads_back_as_the_same_report() {
    let report = fixture();
    let back: Report = serde_json::from_str(&render::json::to_json(&report)).unwrap();
    assert_eq!(back, report);
}
