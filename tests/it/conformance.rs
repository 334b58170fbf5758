//! SPEC §5's worked example: every figure of `expected-figures.json` (computed independently of
//! this project) must match the JSON report to 1e-6.

use assert_cmd::Command;
use serde_json::Value;

const DIR: &str = "tests/fixtures/conformance";

fn report() -> Value {
    let out = Command::cargo_bin("selfaudit")
        .unwrap()
        .args(["report", "--checklists"])
        .arg(format!("{DIR}/checklists"))
        .args(["--format", "json"])
        .arg(format!("{DIR}/responses/"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Checks every field of `expected` against `actual`, recursively; returns the mismatches.
fn compare(actual: &Value, expected: &Value, path: &str, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if (e - a).abs() > 1e-6 {
                errors.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    // The expected notes list only the texts; the report's carry the respondent too.
                    Some(av) if k == "notes" => {
                        let texts: Vec<Value> = av
                            .as_array()
                            .map(|notes| notes.iter().map(|n| n["note"].clone()).collect())
                            .unwrap_or_default();
                        compare(&Value::Array(texts), ev, &format!("{path}.{k}"), errors);
                    }
                    Some(av) => compare(av, ev, &format!("{path}.{k}"), errors),
                    None => errors.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                errors.push(format!("{path}: {} entries, expected {}", a.len(), e.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(av, ev, &format!("{path}[{i}]"), errors);
            }
        }
        (e, a) if e != a => errors.push(format!("{path}: expected {e}, got {a}")),
        _ => {}
    }
}

#[test]
fn report_agrees_with_every_expected_figure() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DIR}/expected-figures.json")).unwrap(),
    )
    .unwrap();
    let actual = report();
    let mut errors = Vec::new();
    compare(&actual, &expected, "", &mut errors);
    assert!(errors.is_empty(), "mismatches:\n{}", errors.join("\n"));
}

#[test]
fn the_comparison_catches_a_wrong_figure() {
    let mut expected: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DIR}/expected-figures.json")).unwrap(),
    )
    .unwrap();
    expected["checklists"][0]["sections"][0]["items"][0]["stddev"] = Value::from(31.1805);
    let mut errors = Vec::new();
    compare(&report(), &expected, "", &mut errors);
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn report_has_the_fixed_core_shape() {
    let r = report();
    assert_eq!(r["format"], "selfaudit-report/1");
    assert_eq!(r["period"], "2026-Q4");
    assert!(r["generated"].as_str().unwrap().ends_with('Z'));
    let item = &r["checklists"][0]["sections"][0]["items"][0];
    for key in [
        "id", "text", "weight", "critical", "score", "n", "na", "missing", "min", "max", "stddev",
        "split", "choices", "notes",
    ] {
        assert!(item.get(key).is_some(), "item lacks `{key}`");
    }
    assert_eq!(item["notes"][0]["respondent"], "Ben");
    let survey = &r["checklists"][0]["sections"][1]["items"][1];
    assert!(survey["score"].is_null() && survey["min"].is_null() && survey["stddev"].is_null());
}
