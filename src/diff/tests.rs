//! Comparing reports: deltas, statuses, order, versions, critical gaps; the fixtures the
//! tests of pairing and gates share.

use super::*;
use crate::model::report::{CriticalGap, ItemReport, SectionReport};

/// An item as a hand-written report in SPEC §6's core shape would have it.
pub(super) fn item(id: &str, score: Option<f64>) -> ItemReport {
    serde_json::from_value(serde_json::json!({ "id": id, "score": score }))
        .unwrap_or_else(|e| panic!("test item: {e}"))
}

pub(super) fn critical(id: &str, score: Option<f64>) -> ItemReport {
    ItemReport {
        critical: true,
        ..item(id, score)
    }
}

pub(super) fn section(id: &str, items: Vec<ItemReport>) -> SectionReport {
    let scores: Vec<f64> = items.iter().filter_map(|i| i.score).collect();
    SectionReport {
        id: id.to_string(),
        title: String::new(),
        weight: 1.0,
        score: mean(&scores),
        se: None,
        ci: None,
        moe: None,
        items,
    }
}

pub(super) fn checklist(id: &str, version: &str, sections: Vec<SectionReport>) -> ChecklistReport {
    let scores: Vec<f64> = sections.iter().filter_map(|s| s.score).collect();
    ChecklistReport {
        id: id.to_string(),
        title: String::new(),
        version: version.to_string(),
        weight: 1.0,
        score: mean(&scores),
        se: None,
        ci: None,
        moe: None,
        alpha: None,
        renamed: Default::default(),
        sections,
    }
}

pub(super) fn report(period: &str, checklists: Vec<ChecklistReport>) -> Report {
    let scores: Vec<f64> = checklists.iter().filter_map(|c| c.score).collect();
    let mut r = Report {
        format: crate::model::report::REPORT_FORMAT.to_string(),
        period: period.to_string(),
        generated: String::new(),
        respondents: Vec::new(),
        anonymous: false,
        score: mean(&scores),
        se: None,
        ci: None,
        moe: None,
        checklists,
        critical_gaps: Vec::new(),
        per_respondent: Vec::new(),
        response_rate: None,
        unlisted: None,
        groups: Vec::new(),
        perception_gaps: Vec::new(),
        actions: None,
        targets: None,
        unanswered: Vec::new(),
    };
    r.critical_gaps = r
        .items()
        .filter_map(|(c, _, i)| {
            let s = i.gap()?;
            Some(CriticalGap {
                checklist: c.id.clone(),
                item: i.id.clone(),
                score: s,
                text: String::new(),
            })
        })
        .collect();
    r
}

pub(super) fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// One checklist `c`, one section `s`, the given items.
pub(super) fn simple(period: &str, items: Vec<ItemReport>) -> Report {
    report(period, vec![checklist("c", "1", vec![section("s", items)])])
}

pub(super) fn find<'d>(d: &'d Diff, id: &str) -> &'d ItemDelta {
    d.items
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

pub(super) fn with_overall(mut r: Report, score: Option<f64>) -> Report {
    r.score = score;
    r
}

pub(super) fn gate_passes(base: &Report, new: &Report, gates: Gates) -> bool {
    let d = Diff::new(base, new, &gates);
    assert_eq!(d.gates.len(), 1, "one gate asked, one evaluated");
    assert_eq!(d.passed, d.gates[0].passed);
    d.passed
}

#[test]
fn deltas_and_statuses_follow_the_scoring_rule() {
    let base = simple(
        "Q3",
        vec![
            item("up", Some(50.0)),
            item("down", Some(75.0)),
            item("flat", Some(60.0)),
            item("wiggle", Some(60.0)),
            item("edge", Some(60.0)),
            item("gone", Some(10.0)),
        ],
    );
    let new = simple(
        "Q4",
        vec![
            item("up", Some(75.0)),
            item("down", Some(50.0)),
            item("flat", Some(60.0)),
            item("wiggle", Some(60.04)),
            item("edge", Some(59.95)),
            item("fresh", Some(90.0)),
        ],
    );
    let d = Diff::new(&base, &new, &Gates::default());
    assert_eq!(d.format, "selfaudit-diff/1");
    assert_eq!(
        (d.base.period.as_str(), d.new.period.as_str()),
        ("Q3", "Q4")
    );
    let expect = [
        ("up", Some(25.0), Status::Improved),
        ("down", Some(-25.0), Status::Regressed),
        ("flat", Some(0.0), Status::Unchanged),
        ("wiggle", Some(0.04), Status::Unchanged),
        ("edge", Some(-0.05), Status::Regressed),
        ("fresh", None, Status::Added),
        ("gone", None, Status::Removed),
    ];
    for (id, delta, status) in expect {
        let i = find(&d, id);
        assert_eq!(i.status, status, "{id}");
        match (i.delta, delta) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{id}: {a} vs {b}"),
            (a, b) => assert_eq!(a, b, "{id}"),
        }
    }
    assert_eq!(find(&d, "gone").base, Some(10.0));
    assert_eq!(find(&d, "gone").new, None);
    assert_eq!(find(&d, "fresh").base, None);
    assert_eq!(
        d.summary,
        Summary {
            improved: 1,
            regressed: 2,
            unchanged: 2,
            added: 1,
            removed: 1
        }
    );
    let overall = new.score.unwrap_or(0.0) - base.score.unwrap_or(0.0);
    assert_eq!(d.delta, Some(overall));
    assert!(d.gates.is_empty() && d.passed);
}

#[test]
fn biggest_movements_come_first() {
    let base = simple(
        "Q3",
        vec![
            item("small", Some(50.0)),
            item("same", Some(50.0)),
            item("big-up", Some(50.0)),
            item("big-down", Some(80.0)),
            item("gone", Some(1.0)),
            item("mid", Some(50.0)),
        ],
    );
    let new = simple(
        "Q4",
        vec![
            item("small", Some(51.0)),
            item("same", Some(50.0)),
            item("new", Some(5.0)),
            item("big-up", Some(80.0)),
            item("big-down", Some(50.0)),
            item("mid", Some(40.0)),
        ],
    );
    let d = Diff::new(&base, &new, &Gates::default());
    let order: Vec<&str> = d.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        order,
        ["big-down", "big-up", "mid", "small", "new", "gone", "same"]
    );
}

#[test]
fn an_item_undefined_on_one_side_is_added_or_removed_without_a_delta() {
    let base = simple(
        "Q3",
        vec![
            item("now-answered", None),
            item("now-unanswered", Some(40.0)),
            item("never", None),
        ],
    );
    let new = simple(
        "Q4",
        vec![
            item("now-answered", Some(70.0)),
            item("now-unanswered", None),
            item("never", None),
        ],
    );
    let d = Diff::new(&base, &new, &Gates::default());
    let a = find(&d, "now-answered");
    assert_eq!(
        (a.base, a.new, a.delta, a.status),
        (None, Some(70.0), None, Status::Added)
    );
    let r = find(&d, "now-unanswered");
    assert_eq!(
        (r.base, r.new, r.delta, r.status),
        (Some(40.0), None, None, Status::Removed)
    );
    let n = find(&d, "never");
    assert_eq!((n.delta, n.status), (None, Status::Unchanged));
    // A vanished score is not a drop.
    let gates = Gates {
        max_item_drop: Some(0.0),
        ..Gates::default()
    };
    assert!(Diff::new(&base, &new, &gates).passed);
}

#[test]
fn checklists_and_sections_of_other_versions_compare_by_id() {
    let base = report(
        "Q3",
        vec![
            checklist(
                "a",
                "1",
                vec![
                    section("kept", vec![item("x", Some(50.0))]),
                    section("dropped", vec![item("y", Some(20.0))]),
                ],
            ),
            checklist("old", "1", vec![section("s", vec![item("z", Some(30.0))])]),
        ],
    );
    let new = report(
        "Q4",
        vec![
            checklist(
                "a",
                "2",
                vec![
                    section("kept", vec![item("x", Some(70.0))]),
                    section("fresh", vec![item("w", Some(90.0))]),
                ],
            ),
            checklist(
                "brand-new",
                "1",
                vec![section("s", vec![item("v", Some(10.0))])],
            ),
        ],
    );
    let d = Diff::new(&base, &new, &Gates::default());
    let ids: Vec<(&str, Status, bool)> = d
        .checklists
        .iter()
        .map(|c| (c.id.as_str(), c.status, c.version_changed()))
        .collect();
    assert_eq!(
        ids,
        [
            ("a", Status::Improved, true),
            ("brand-new", Status::Added, false),
            ("old", Status::Removed, false)
        ]
    );
    assert_eq!(d.checklists[0].base_version.as_deref(), Some("1"));
    assert_eq!(d.checklists[0].new_version.as_deref(), Some("2"));
    let sections: Vec<(&str, &str, Status)> = d
        .sections
        .iter()
        .map(|s| (s.checklist.as_str(), s.id.as_str(), s.status))
        .collect();
    assert_eq!(
        sections,
        [
            ("a", "kept", Status::Improved),
            ("a", "fresh", Status::Added),
            ("a", "dropped", Status::Removed),
            ("brand-new", "s", Status::Added),
            ("old", "s", Status::Removed),
        ]
    );
    assert_eq!(find(&d, "x").delta, Some(20.0));
    for (id, status) in [
        ("w", Status::Added),
        ("v", Status::Added),
        ("y", Status::Removed),
        ("z", Status::Removed),
    ] {
        assert_eq!(find(&d, id).status, status, "{id}");
    }
}

#[test]
fn critical_gaps_new_and_resolved_follow_renames() {
    let base = simple(
        "Q3",
        vec![
            critical("fixed", Some(50.0)),
            critical("still", Some(50.0)),
            critical("was-named", Some(50.0)),
            critical("ok", Some(100.0)),
        ],
    );
    let mut new = simple(
        "Q4",
        vec![
            critical("fixed", Some(100.0)),
            critical("still", Some(75.0)),
            critical("renamed", Some(50.0)),
            critical("ok", Some(75.0)),
            critical("added", Some(0.0)),
        ],
    );
    new.checklists[0]
        .renamed
        .insert("was-named".to_string(), "renamed".to_string());
    let d = Diff::new(&base, &new, &Gates::default());
    let new_gaps: Vec<&str> = d
        .critical_gaps
        .new
        .iter()
        .map(|g| g.item.as_str())
        .collect();
    let resolved: Vec<&str> = d
        .critical_gaps
        .resolved
        .iter()
        .map(|g| g.item.as_str())
        .collect();
    assert_eq!(new_gaps, ["ok", "added"]);
    assert_eq!(resolved, ["fixed"]);
    assert_eq!(d.critical_gaps.new[0].base, Some(100.0));
    assert_eq!(d.critical_gaps.resolved[0].new, Some(100.0));
}

#[test]
fn critical_gaps_count_even_when_a_report_does_not_list_them() {
    let base = simple("Q3", vec![critical("a", Some(100.0))]);
    let mut new = simple("Q4", vec![critical("a", Some(50.0))]);
    new.critical_gaps.clear();
    let d = Diff::new(&base, &new, &Gates::default());
    assert_eq!(d.critical_gaps.new.len(), 1);
}

#[test]
fn a_report_diffed_with_itself_is_all_unchanged_and_passes_every_gate() {
    let r = simple(
        "Q4",
        vec![
            item("a", Some(50.0)),
            critical("b", Some(20.0)),
            item("c", None),
        ],
    );
    let gates = Gates {
        fail_below: Some(0.0),
        max_drop: Some(0.0),
        max_item_drop: Some(0.0),
        fail_on_new_critical: true,
        ..Gates::default()
    };
    let d = Diff::new(&r, &r, &gates);
    assert!(d.items.iter().all(|i| i.status == Status::Unchanged));
    assert!(d.checklists.iter().all(|c| c.status == Status::Unchanged));
    assert!(d.sections.iter().all(|s| s.status == Status::Unchanged));
    assert_eq!(d.gates.len(), 4);
    assert!(d.passed && d.gates.iter().all(|g| g.passed));
    assert!(d.critical_gaps.new.is_empty() && d.critical_gaps.resolved.is_empty());
}
