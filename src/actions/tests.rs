use super::*;
use crate::model::report::Report;
// `plan` makes its proposals from these files: its tests share their fixtures.
use crate::render::plan::{PROPOSAL_MARKER, plan};

const CHECKLIST: &str = r#"
id = "shop"
title = "Shop"
version = "1"

[renamed]
oldest-calls = "calls"
old-calls = "calls"

[[sections]]
id = "speed"
title = "Speed"

[[sections.items]]
id = "calls"
text = "Do we return calls?"
critical = true

[[sections.items]]
id = "orders"
text = "Do orders ship on time?"

[[sections]]
id = "care"
title = "Care"

[[sections.items]]
id = "thanks"
text = "Do we say thank you?"
"#;

fn catalog() -> Catalog {
    let c = Checklist::parse(&Source {
        name: "shop.toml",
        text: CHECKLIST,
    })
    .unwrap_or_else(|p| panic!("{p:?}"));
    Catalog::from_checklists([&c])
}

fn parse(text: &str) -> Result<Actions, Vec<Problem>> {
    Actions::parse(
        &Source {
            name: "actions.toml",
            text,
        },
        &catalog(),
    )
}

fn problems(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(a) => panic!("accepted: {text}\n{a:?}"),
        Err(p) => p
            .iter()
            .map(|p| {
                assert!(p.hint.is_some(), "no hint for {p}");
                p.to_string()
            })
            .collect(),
    }
}

fn date(s: &str) -> jiff::civil::Date {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

const ONE: &str = "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\n";

#[test]
fn a_minimal_action_defaults_to_open() {
    let a = parse(ONE).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(a.actions[0].status, Status::Open);
    assert_eq!(a.actions[0].part, Part::Item("shop".into(), "calls".into()));
    assert_eq!(a.actions[0].due, None);
}

#[test]
fn the_error_corpus_is_located_and_hinted() {
    let cases: &[(&str, &str)] = &[
        // unknown key
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\nowner_name = \"x\"\n",
            "actions.toml:6:1: unknown field `owner_name`",
        ),
        (
            "[[target]]\nchecklist = \"shop\"\nscore = 1\n",
            "actions.toml:1:3: unknown field `target`",
        ),
        // ill-formed and duplicate ids
        (
            "[[actions]]\nid = \"Call Back\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:2:6: action id `Call Back` is not valid",
        ),
        (
            &format!("{ONE}{ONE}"),
            "actions.toml:7:6: action id `a` is used twice (first on line 2)",
        ),
        // parts
        (
            "[[actions]]\nid = \"a\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:1:1: this action names no part of a checklist",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nsection = \"shop/speed\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:4:11: this action names 2 parts; `section` is one too many",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"calls\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:8: item `calls` is not of the form CHECKLIST/ITEM",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/speed/calls\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:8: item `shop/speed/calls` is not of the form CHECKLIST/ITEM",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/nope\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:8: unknown item `nope` in checklist `shop`",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/speed\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:8: unknown item `speed` in checklist `shop`",
        ),
        (
            "[[actions]]\nid = \"a\"\nsection = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:11: unknown section `calls` in checklist `shop`",
        ),
        (
            "[[actions]]\nid = \"a\"\nchecklist = \"shoppe\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:13: unknown checklist `shoppe`",
        ),
        (
            "[[actions]]\nid = \"a\"\nchecklist = \"shop/speed\"\nwhat = \"w\"\nopened = \"Q3\"\n",
            "actions.toml:3:13: checklist `shop/speed` is not a checklist id",
        ),
        // dates, status, required fields
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\ndue = \"2027-01-31\"\n",
            "actions.toml:6:7: due is the string \"2027-01-31\", not a TOML date",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\ndue = 2027-01-31T10:00:00Z\n",
            "actions.toml:6:7: due `2027-01-31T10:00:00Z` has a time; `due` is a date only",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\ndue = 10:30:00\n",
            "actions.toml:6:7: due `10:30:00` is a time of day, not a date",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\ndue = 2027-01-31T10:00:00\n",
            "actions.toml:6:7: due `2027-01-31T10:00:00` has a time; `due` is a date only",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\ndue = 20270131\n",
            "actions.toml:6:7: due is an integer, not a date",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\nopened = \"Q3\"\nstatus = \"closed\"\n",
            "actions.toml:6:10: unknown status `closed`",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"w\"\n",
            "actions.toml:1:1: missing field `opened`",
        ),
        (
            "[[actions]]\nid = \"a\"\nitem = \"shop/calls\"\nwhat = \"  \"\nopened = \"Q3\"\n",
            "actions.toml:4:8: `what` is empty",
        ),
        // targets
        (
            "[[targets]]\nchecklist = \"shop\"\nscore = 100.5\n",
            "actions.toml:3:9: target score 100.5 is not between 0 and 100",
        ),
        (
            "[[targets]]\nchecklist = \"shop\"\nscore = -1\n",
            "actions.toml:3:9: target score -1 is not between 0 and 100",
        ),
        (
            "[[targets]]\nchecklist = \"shop\"\nscore = nan\n",
            "actions.toml:3:9: target score NaN is not between 0 and 100",
        ),
        (
            "[[targets]]\nchecklist = \"shop\"\nscore = \"80\"\n",
            "actions.toml:3:9: invalid type: string \"80\", expected f64",
        ),
        (
            "[[targets]]\nscore = 80\n",
            "actions.toml:1:1: this target names no part of a checklist",
        ),
        (
            "[[targets]]\nitem = \"shop/gone\"\nscore = 80\n",
            "actions.toml:2:8: unknown item `gone` in checklist `shop`",
        ),
        (
            "actions = 3\n",
            "actions.toml:1:11: invalid type: integer `3`, expected a sequence",
        ),
    ];
    for (text, first) in cases {
        let p = problems(text);
        assert!(
            p.first().is_some_and(|p| p.starts_with(first)),
            "{text}\nwanted {first}\n   got {p:?}"
        );
    }
}

#[test]
fn an_impossible_date_is_refused_by_the_toml_parser() {
    let p = problems(&format!("{ONE}due = 2027-02-30\n"));
    assert!(p[0].starts_with("actions.toml:6:"), "{p:?}");
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let text = "[[actions]]\nid = \"A\"\nitem = \"shop/x\"\nwhat = \"w\"\nopened = \"Q3\"\nstatus = \"later\"\n";
    assert_eq!(problems(text).len(), 3);
}

#[test]
fn old_ids_follow_renames_chains_included() {
    for old in ["old-calls", "oldest-calls", "calls"] {
        let text = format!(
            "[[actions]]\nid = \"a\"\nitem = \"shop/{old}\"\nwhat = \"w\"\nopened = \"Q3\"\n[[targets]]\nitem = \"shop/{old}\"\nscore = 80\n"
        );
        let a = parse(&text).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(a.actions[0].part, Part::Item("shop".into(), "calls".into()));
        assert_eq!(a.targets[0].part, Part::Item("shop".into(), "calls".into()));
    }
}

#[test]
fn a_report_s_rename_chain_is_followed() {
    let report = report_json();
    let mut report = report;
    report.checklists[0]
        .renamed
        .insert("first".into(), "second".into());
    report.checklists[0]
        .renamed
        .insert("second".into(), "calls".into());
    let catalog = Catalog::from_report(&report);
    let a = Actions::parse(
        &Source {
            name: "a.toml",
            text: "[[actions]]\nid = \"a\"\nitem = \"shop/first\"\nwhat = \"w\"\nopened = \"Q3\"\n",
        },
        &catalog,
    )
    .unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(a.actions[0].part, Part::Item("shop".into(), "calls".into()));
}

#[test]
fn a_rename_cycle_ends() {
    let mut e = CatalogEntry::default();
    e.renamed.insert("a".into(), "b".into());
    e.renamed.insert("b".into(), "a".into());
    assert_eq!(e.locate("a"), None);
}

#[test]
fn overdue_is_strictly_after_the_due_date() {
    let a = |status: Status| Action {
        id: "a".into(),
        part: Part::Checklist("shop".into()),
        what: "w".into(),
        owner: None,
        opened: "Q3".into(),
        due: Some(date("2026-10-31")),
        status,
        evidence: None,
    };
    assert!(
        !a(Status::Open).overdue_on(Some(date("2026-10-31"))),
        "due today is not late"
    );
    assert!(a(Status::Open).overdue_on(Some(date("2026-11-01"))));
    assert!(a(Status::Doing).overdue_on(Some(date("2026-11-01"))));
    assert!(!a(Status::Done).overdue_on(Some(date("2026-11-01"))));
    assert!(!a(Status::Dropped).overdue_on(Some(date("2026-11-01"))));
    assert!(!a(Status::Open).overdue_on(None));
    let t = Target {
        part: Part::Checklist("shop".into()),
        score: 80.0,
        due: Some(date("2026-10-31")),
    };
    assert!(!t.overdue_on(Some(79.0), Some(date("2026-10-31"))));
    assert!(t.overdue_on(Some(79.0), Some(date("2026-11-01"))));
    assert!(
        t.overdue_on(None, Some(date("2026-11-01"))),
        "no score is not met"
    );
    assert!(!t.overdue_on(Some(80.0), Some(date("2026-11-01"))));
    // Met within the tolerance of the gates, and not beyond it.
    assert!(t.met_by(Some(80.0 - 1e-10)));
    assert!(!t.met_by(Some(80.0 - 1e-8)));
    let undated = Target { due: None, ..t };
    assert!(!undated.overdue_on(Some(0.0), Some(date("2099-01-01"))));
}

#[test]
fn progress_is_the_share_of_the_way_from_then_to_the_target() {
    assert_eq!(progress(Some(50.0), Some(62.5), 75.0), Some(0.5));
    assert_eq!(progress(Some(25.0), Some(75.0), 80.0), Some(50.0 / 55.0));
    assert_eq!(progress(Some(60.0), Some(50.0), 80.0), Some(-0.5));
    assert_eq!(progress(Some(60.0), Some(100.0), 80.0), Some(2.0));
    assert_eq!(
        progress(Some(80.0), Some(90.0), 80.0),
        None,
        "then = target"
    );
    assert_eq!(progress(None, Some(90.0), 80.0), None);
    assert_eq!(progress(Some(10.0), None, 80.0), None);
}

#[test]
fn the_report_date_is_the_date_written_in_generated() {
    assert_eq!(
        report_date("2026-11-22T09:00:00Z"),
        Some(date("2026-11-22"))
    );
    assert_eq!(
        report_date("2026-11-22T23:30:00-05:00"),
        Some(date("2026-11-22"))
    );
    assert_eq!(report_date("2026-11-22"), Some(date("2026-11-22")));
    assert_eq!(report_date(""), None);
    assert_eq!(report_date("yesterday"), None);
    assert_eq!(report_date("2026-13-01T00:00:00Z"), None);
}

#[test]
fn the_means_sentence_says_which_way_each_group_went() {
    let m = |n, mean| MeanDelta { n, mean };
    assert_eq!(
        means_sentence(&m(2, Some(12.44)), &m(5, Some(1.1))),
        "items with a finished action rose 12.4 points; the others 1.1"
    );
    assert_eq!(
        means_sentence(&m(2, Some(12.44)), &m(5, Some(-3.0))),
        "items with a finished action rose 12.4 points; the others fell 3.0 points"
    );
    assert_eq!(
        means_sentence(&m(2, Some(-2.0)), &m(5, Some(0.01))),
        "items with a finished action fell 2.0 points; the others did not change"
    );
    assert_eq!(
        means_sentence(&m(0, None), &m(5, Some(1.0))),
        "no item with a finished action is scored in both reports"
    );
}

fn report_json() -> Report {
    let text = r#"{ "format": "selfaudit-report/1", "period": "Q4", "generated": "2026-11-22T09:00:00Z",
      "score": 50.0, "checklists": [ { "id": "shop", "title": "Shop", "score": 50.0, "sections": [
        { "id": "speed", "title": "Speed", "score": 25.0, "items": [
          { "id": "calls", "text": "Do we return calls?\n# nope \"quoted\"", "critical": true, "score": 0.0, "n": 2,
            "min": 0.0, "max": 0.0, "notes": [ { "respondent": "Ann\nLee", "note": "line one\n[[actions]]\nid = \"evil\"" },
              { "note": "cr\rlf\r\nls\u2028ps\u2029del\u007fesc\u001b[31mtab\tnul\u0000bidi\u202e end\\" } ] },
          { "id": "orders", "text": "Do orders ship?", "score": 50.0, "n": 2, "min": 0.0, "max": 100.0, "split": true } ] },
        { "id": "care", "title": "Care", "score": 75.0, "items": [
          { "id": "thanks", "text": "Thanks?", "score": 75.0, "n": 2 } ] } ] } ],
      "critical_gaps": [ { "checklist": "shop", "item": "calls", "score": 0.0 } ] }"#;
    Report::parse(&Source {
        name: "r.json",
        text,
    })
    .unwrap_or_else(|p| panic!("{p:?}"))
}

#[test]
fn plan_proposes_each_uncovered_item_once_and_nothing_escapes_a_comment() {
    let report = report_json();
    let out = plan("", &Actions::default(), &report, 10);
    // Every line is a comment or blank: nothing in the item text or notes became TOML.
    let parsed: toml::Table = out.parse().unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert!(parsed.is_empty(), "{out}");
    for line in out.lines() {
        assert!(line.is_empty() || line.starts_with('#'), "{line:?}");
    }
    assert_eq!(out.matches(PROPOSAL_MARKER).count(), 3, "{out}");
    assert_eq!(out.matches("# proposal: shop/calls\n").count(), 1);
    assert!(out.contains("critical gap · weakest 1 of 10"), "{out}");
    assert!(out.contains("split: answers from 0.0 to 100.0"), "{out}");
    // Uncommented, each proposal is a valid action of the report's checklists.
    let adopted: String = out
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if [
                    "[[actions]]",
                    "id =",
                    "item =",
                    "what =",
                    "opened =",
                    "status =",
                ]
                .iter()
                .any(|k| rest.starts_with(k)) =>
            {
                format!("{rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    let adopted_actions = Actions::parse(
        &Source {
            name: "a.toml",
            text: &adopted,
        },
        &Catalog::from_report(&report),
    )
    .unwrap_or_else(|p| panic!("{p:?}\n{adopted}"));
    assert_eq!(adopted_actions.actions.len(), 3);
    assert!(
        adopted_actions.actions[0]
            .what
            .contains("# nope \"quoted\"")
    );
    // Run again over its own output, and over the adopted file: nothing new.
    assert_eq!(plan(&out, &Actions::default(), &report, 10), out);
    assert_eq!(plan(&adopted, &adopted_actions, &report, 10), adopted);
}

#[test]
fn plan_keeps_the_file_as_it_is_and_skips_covered_items() {
    let report = report_json();
    let existing = "# ours\r\n[[actions]]   # keep this\r\nid = \"calls\"\r\nsection = \"shop/speed\"\r\nwhat = \"w\"\r\nopened = \"Q3\"\r\nstatus = \"doing\"";
    let actions = Actions::parse(
        &Source {
            name: "a.toml",
            text: existing,
        },
        &Catalog::from_report(&report),
    )
    .unwrap_or_else(|p| panic!("{p:?}"));
    let out = plan(existing, &actions, &report, 10);
    assert!(out.starts_with(existing));
    // The open section action covers both of its items; only the care item is left.
    assert_eq!(out.matches(PROPOSAL_MARKER).count(), 1, "{out}");
    assert!(out.contains("# proposal: shop/thanks\n"));
    assert_eq!(plan(&out, &actions, &report, 10), out);
    // A done action covers nothing.
    let done = existing.replace("doing", "done");
    let actions = Actions::parse(
        &Source {
            name: "a.toml",
            text: &done,
        },
        &Catalog::from_report(&report),
    )
    .unwrap_or_else(|p| panic!("{p:?}"));
    let out = plan(&done, &actions, &report, 10);
    assert_eq!(out.matches(PROPOSAL_MARKER).count(), 3, "{out}");
    // The proposal's id does not clash with the existing action's.
    assert!(out.contains("# id = \"calls-2\"\n"), "{out}");
}

#[test]
fn positions_agree_with_text_line_col() {
    let text = "ab\ncé\n\nxyz";
    let source = Source { name: "t", text };
    let loc = Locator::new(&source);
    for offset in 0..=text.len() + 2 {
        assert_eq!(
            loc.line_col(offset),
            crate::text::line_col(text, offset),
            "offset {offset}"
        );
    }
}
