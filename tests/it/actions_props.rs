//! `plan` over any text a report may hold: its output keeps the file's bytes, parses as the
//! same actions, and planning again adds nothing.

use proptest::prelude::*;
use selfaudit::actions::{Actions, Catalog};
use selfaudit::model::Source;
use selfaudit::model::report::Report;
use selfaudit::render::plan::plan;

fn report(texts: &[String], notes: &[String], scores: &[f64]) -> Report {
    let items: Vec<serde_json::Value> = texts
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let score = scores[k % scores.len()];
            serde_json::json!({
                "id": format!("i{k}"), "text": text, "critical": k % 3 == 0,
                "score": score, "n": 2, "min": 0.0, "max": if k % 2 == 0 { 100.0 } else { score },
                "split": k % 2 == 0,
                "notes": notes.iter().map(|n| serde_json::json!({"respondent": n, "note": n})).collect::<Vec<_>>()
            })
        })
        .collect();
    let value = serde_json::json!({
        "format": "selfaudit-report/1", "period": notes.first().cloned().unwrap_or_default(),
        "generated": "2026-11-22T09:00:00Z", "score": 50.0,
        "checklists": [ { "id": "c", "title": texts[0], "score": 50.0, "sections": [
            { "id": "s", "title": texts[texts.len() - 1], "score": 50.0, "items": items } ] } ]
    });
    let text = value.to_string();
    Report::parse(&Source {
        name: "r.json",
        text: &text,
    })
    .unwrap_or_else(|p| panic!("{p:?}"))
}

/// Text with everything that could end a comment or a TOML string.
fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n".to_string()),
            Just("\r".to_string()),
            Just("\r\n".to_string()),
            Just("\u{2028}".to_string()),
            Just("\u{85}".to_string()),
            Just("\"".to_string()),
            Just("'''".to_string()),
            Just("\"\"\"".to_string()),
            Just("\\".to_string()),
            Just("#".to_string()),
            Just("[[actions]]".to_string()),
            Just("# proposal: c/i0".to_string()),
            Just("\u{0}".to_string()),
            Just("\u{7f}".to_string()),
            Just("\u{1b}[2J".to_string()),
            Just("\u{202e}".to_string()),
            Just("\t".to_string()),
            "[a-zA-Z0-9 ]{0,8}",
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

const EXISTING: &str = "# ours\n[[actions]]\nid = \"keep\"   # a comment\nitem = \"c/i1\"\nwhat = 'kept \"as is\"'\nopened = \"Q3\"\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn plan_keeps_the_file_and_is_idempotent(
        texts in proptest::collection::vec(hostile(), 2..6),
        notes in proptest::collection::vec(hostile(), 0..3),
        scores in proptest::collection::vec(0.0f64..=100.0, 1..4),
        top in 0usize..4,
        existing in prop_oneof![
            Just(String::new()),
            Just(" \n\t".to_string()),
            Just("# only a comment".to_string()),
            Just(EXISTING.to_string()),
            Just(EXISTING.trim_end().to_string()),
            Just(EXISTING.replace('\n', "\r\n")),
        ],
    ) {
        let report = report(&texts, &notes, &scores);
        let catalog = Catalog::from_report(&report);
        let actions = Actions::parse(&Source { name: "a.toml", text: &existing }, &catalog)
            .unwrap_or_else(|p| panic!("{p:?}"));
        let out = plan(&existing, &actions, &report, top);
        prop_assert!(out.starts_with(&existing));
        // Every added line is a comment or blank, so the file means what it meant.
        for line in out[existing.len()..].split('\n') {
            let line = line.strip_prefix('\r').unwrap_or(line);
            prop_assert!(line.is_empty() || line.starts_with('#'), "{line:?}");
        }
        let again = Actions::parse(&Source { name: "a.toml", text: &out }, &catalog)
            .unwrap_or_else(|p| panic!("{p:?}\n{out}"));
        prop_assert_eq!(&again, &actions);
        prop_assert_eq!(plan(&out, &again, &report, top), out.clone());
        // Adopting every proposal gives valid actions, and nothing more is proposed.
        let adopted: String = out
            .split_inclusive('\n')
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if ["[[actions]]", "id =", "item =", "what =", "opened =", "status ="]
                        .iter()
                        .any(|k| rest.starts_with(k)) => rest.to_string(),
                _ => l.to_string(),
            })
            .collect();
        let adopted_actions = Actions::parse(&Source { name: "a.toml", text: &adopted }, &catalog)
            .unwrap_or_else(|p| panic!("{p:?}\n{adopted}"));
        prop_assert_eq!(plan(&adopted, &adopted_actions, &report, top), adopted);
    }
}
