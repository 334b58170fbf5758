//! Shell completions offer the built-in checklist ids after `run` and `template`, and file
//! paths where files are expected (issue 11 item 14).

use crate::common;
use common::run;

#[test]
fn completions_offer_checklist_ids_and_paths() {
    let zsh = run(&["completions", "zsh"]);
    for id in ["service-self-audit", "be-sure", "retention-habits"] {
        assert!(zsh.contains(id), "{id} not offered");
    }
    assert!(zsh.contains("_files"), "no file completion");
    assert!(
        zsh.contains("_files -/"),
        "no folder completion for --checklists"
    );
    let bash = run(&["completions", "bash"]);
    assert!(bash.contains("be-sure"), "bash: be-sure not offered");
    // fish: clap_complete's static fish script completes options only, not positionals.
}

#[test]
fn a_checklist_argument_still_takes_any_id_or_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(
        &file,
        std::fs::read_to_string("checklists/02-be-sure.toml")
            .unwrap()
            .replace("id = \"be-sure\"", "id = \"mine\""),
    )
    .unwrap();
    common::selfaudit()
        .arg("template")
        .arg(&file)
        .assert()
        .success();
    let help = run(&["template", "--help"]);
    assert!(!help.contains("possible values"), "{help}");
}
