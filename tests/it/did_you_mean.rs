//! Did you mean: misspelt checklist ids, item ids and choice keys name the nearest known one,
//! and a choice in another case is accepted when it matches one key only, by both readers
//! of responses files (issue 11 item 10).

use crate::common;
use selfaudit::load::Registry;
use selfaudit::model::Source;
use selfaudit::model::responses::Responses;

const FILE: &str = "respondent = \"Ana\"\nperiod = \"P\"\n\n[answers.service-self-audit]\n\
deliver-on-time = \"Often\"\nsense-of-urgency = \"YES\"\nrespect = { choice = \"ALWAYS\", note = \"n\" }\n\
deliver-quickly = \"N/A\"\n";

#[test]
fn a_choice_in_another_case_is_read_alike_by_both_readers() {
    let registry = Registry::builtin().unwrap();
    let source = Source {
        name: "a.toml",
        text: FILE,
    };
    let fast = Responses::parse(&source, |id| registry.get(id), || registry.ids());
    let full = Responses::parse_full(&source, |id| registry.get(id), || registry.ids());
    let (fast, _) = fast.unwrap_or_else(|p| panic!("{p:?}"));
    let (full, _) = full.unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(fast, full);
    assert_eq!(fast.sets[0].answers.len(), 4);
    assert!(
        fast.sets[0].answers.iter().any(|a| a.choice.is_none()),
        "N/A read as n/a"
    );
}

#[test]
fn report_reads_choices_in_another_case() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.toml");
    std::fs::write(&file, FILE).unwrap();
    common::selfaudit()
        .arg("report")
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn misspelt_ids_and_keys_name_the_nearest_known_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.toml");
    std::fs::write(
        &file,
        "respondent = \"Ana\"\nperiod = \"P\"\n\n[answers.service-self-audit]\n\
         deliver-on-tme = \"often\"\nreturn-calls = \"ofen\"\n\n[answers.besure]\nproduct-knowledge = \"all\"\n",
    )
    .unwrap();
    let out = common::selfaudit()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `deliver-on-time`?"), "{err}");
    assert!(err.contains("did you mean `often`?"), "{err}");
    assert!(err.contains("did you mean `be-sure`?"), "{err}");
}

/// Every problem of a file, in line order: a misspelt top-level key hides nothing
/// (issue 11 item 11).
#[test]
fn validate_lists_every_problem_in_line_order() {
    let dir = tempfile::tempdir().unwrap();
    for top in ["respondnet = \"A\"", "respondent = \"A\"\ncolour = \"red\""] {
        let file = dir.path().join("bad.toml");
        std::fs::write(
            &file,
            format!(
                "{top}\nperiod = \"P\"\n\n[answers.be-sure]\nproduct-knowledge = {{ choise = \"few\" }}\n\
                 understand-expectations = {{ chioce = \"few\" }}\nempowered = \"fewx\"\n"
            ),
        )
        .unwrap();
        let out = common::selfaudit()
            .arg("validate")
            .arg(&file)
            .assert()
            .code(1)
            .get_output()
            .clone();
        let err = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<usize> = err
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{}:", file.display())))
            .map(|l| l.split(':').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(lines.is_sorted(), "{err}");
        assert!(err.contains("unknown key"), "{err}");
    }
}
