//! Every input a fuzzer ever crashed on, replayed through the same checks as its fuzz target
//! (see fuzz/fuzz_targets/). Add the crashing file under tests/fixtures/fuzz-regressions/TARGET/.

use std::path::PathBuf;

use selfaudit::diff::{Diff, Gates};
use selfaudit::load::Registry;
use selfaudit::model::Source;
use selfaudit::model::checklist::Checklist;
use selfaudit::model::report::Report;
use selfaudit::model::responses::Responses;
use selfaudit::render;

fn inputs(target: &str) -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from("tests/fixtures/fuzz-regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).unwrap()).ok()?;
            Some((p, text))
        })
        .collect()
}

#[test]
fn report_json_inputs_read_render_and_diff_with_themselves() {
    let found = inputs("report_json");
    assert!(!found.is_empty());
    for (path, text) in found {
        let Ok(report) = Report::parse(&Source {
            name: "fuzz.json",
            text: &text,
        }) else {
            continue;
        };
        let style = render::table::Style {
            color: false,
            fit: false,
        };
        let _ = render::table::report(&report, 10, style);
        let _ = render::markdown::report(&report, 10);
        let gates = Gates {
            max_drop: Some(0.0),
            max_item_drop: Some(0.0),
            fail_on_new_critical: true,
            ..Gates::default()
        };
        let diff = Diff::new(&report, &report, &gates);
        assert!(diff.passed, "{}: {:?}", path.display(), diff.gates);
    }
}

#[test]
fn checklist_inputs_never_panic_and_give_valid_templates() {
    for (path, text) in inputs("checklist") {
        if let Ok(c) = Checklist::parse(&Source {
            name: "fuzz.toml",
            text: &text,
        }) {
            let template = selfaudit::template::template(&[&c], "Fuzz", "P");
            let parsed = Responses::parse(
                &Source {
                    name: "t.toml",
                    text: &template,
                },
                |id| (id == c.id).then_some(&c),
                Vec::new,
            );
            assert!(parsed.is_ok(), "{}", path.display());
        }
    }
}

#[test]
fn responses_inputs_read_alike_by_both_readers() {
    let registry = Registry::builtin().unwrap();
    for (path, text) in inputs("responses") {
        let source = Source {
            name: "fuzz.toml",
            text: &text,
        };
        let either = Responses::parse(&source, |id| registry.get(id), || registry.ids());
        let full = Responses::parse_full(&source, |id| registry.get(id), || registry.ids());
        assert_eq!(either.is_ok(), full.is_ok(), "{}", path.display());
        if let (Ok(a), Ok(b)) = (either, full) {
            assert_eq!(a, b, "{}", path.display());
        }
    }
}
