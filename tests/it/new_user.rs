//! What a new user trips over (issue 11): commands the tool prints work when pasted, messages
//! name the nearest known name and the right next step, small text reads right.

use crate::common;
use std::path::Path;
use std::process::Command as Std;

use common::selfaudit;

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("selfaudit")
        .display()
        .to_string()
}

/// Every `selfaudit …` command quoted in backticks in `text`.
fn quoted_commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("selfaudit "))
        .map(str::to_string)
        .collect()
}

/// Runs a printed command as a shell would, in `dir`; returns its exit code and stderr.
fn paste(dir: &Path, command: &str) -> (i32, String) {
    let command = command.replacen("selfaudit", &bin(), 1);
    let out = Std::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(dir)
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A folder with a custom checklist in a folder of its own.
fn custom_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("custom")).unwrap();
    let text = std::fs::read_to_string("checklists/02-be-sure.toml")
        .unwrap()
        .replace("id = \"be-sure\"", "id = \"front-desk\"");
    std::fs::write(dir.path().join("custom/front-desk.toml"), text).unwrap();
    dir
}

/// Fills in every answer of a template with the first key listed above it.
fn fill(template: &str) -> String {
    let mut out = String::new();
    let mut first_key: Option<String> = None;
    for line in template.lines() {
        if let Some(keys) = line.strip_prefix("#   keys: ") {
            first_key = keys.split(' ').next().map(str::to_string);
        }
        match (line.strip_prefix("# "), &first_key) {
            (Some(l), Some(k)) if l.ends_with(" = \"\"") => {
                let key = l.split(" = ").next().unwrap();
                out.push_str(&format!("{key} = \"{k}\"\n"));
                first_key = None;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn without_a_terminal_run_suggests_commands_that_work_for_a_checklist_from_a_path() {
    let dir = custom_dir();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["run", "./custom/front-desk.toml", "-o", "x.toml"])
        .write_stdin("")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let hint = stderr.split("hint:").nth(1).unwrap_or_default();
    let commands = quoted_commands(hint);
    assert_eq!(commands.len(), 2, "{stderr}");
    // The template command, as printed.
    let (code, err) = paste(dir.path(), &commands[0]);
    assert_eq!(code, 0, "{}: {err}", commands[0]);
    // The answers filled in, then the report command, as printed.
    let answers = std::fs::read_to_string(dir.path().join("answers.toml")).unwrap();
    std::fs::write(dir.path().join("answers.toml"), fill(&answers)).unwrap();
    let (code, err) = paste(dir.path(), &commands[1]);
    assert_eq!(code, 0, "{}: {err}", commands[1]);
}

#[test]
fn the_comments_of_a_template_from_a_path_name_the_checklists_folder() {
    let dir = custom_dir();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["template", "./custom/front-desk.toml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    std::fs::write(dir.path().join("me.toml"), fill(&text)).unwrap();
    for line in text.lines().filter(|l| l.starts_with('#')) {
        for cmd in ["selfaudit validate", "selfaudit report"] {
            if let Some(at) = line.find(cmd) {
                let command = line[at..]
                    .trim_end_matches('…')
                    .replace(" FILE", " me.toml");
                let (code, err) = paste(dir.path(), &command);
                assert_eq!(code, 0, "{command}: {err}");
            }
        }
    }
}

#[test]
fn the_report_command_after_a_run_keeps_the_checklists_folder() {
    use selfaudit::load::checklists_flag;
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        checklists_flag(None, &args(&["./custom/front-desk.toml"])),
        " --checklists ./custom"
    );
    assert_eq!(
        checklists_flag(None, &args(&["front.toml"])),
        " --checklists ."
    );
    assert_eq!(checklists_flag(None, &args(&["be-sure"])), "");
    assert_eq!(
        checklists_flag(Some(Path::new("my lists")), &args(&["be-sure"])),
        " --checklists 'my lists'"
    );
}

#[test]
fn without_a_terminal_a_misspelt_checklist_is_named_with_the_nearest_one() {
    for typed in ["be_sure", "besure", "Be-Sure"] {
        let out = selfaudit()
            .args(["run", typed])
            .write_stdin("")
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("did you mean `be-sure`?"), "{stderr}");
        assert!(
            !stderr.contains(&format!("template {typed}")),
            "suggests a failing command: {stderr}"
        );
    }
    let out = selfaudit()
        .args(["template", "retension-habits"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("did you mean `retention-habits`?"),
        "{stderr}"
    );
}

#[test]
fn formats_are_accepted_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["HTML", "Json", "MARKDOWN"] {
        selfaudit()
            .current_dir(dir.path())
            .arg("report")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/responses/2026-Q4"))
            .args(["--format", format])
            .assert()
            .success();
    }
    selfaudit()
        .args(["list", "--format", "JSON"])
        .assert()
        .success();
}

#[test]
fn a_trend_of_one_report_says_one_report() {
    let out = common::run(&["trend", "examples/reports/2026-Q4.json"]);
    assert!(out.contains("· 1 report\n"), "{out}");
    assert!(!out.contains("1 reports"), "{out}");
}

#[test]
fn a_missing_checklists_folder_is_said_to_be_a_folder() {
    let out = selfaudit()
        .args(["--checklists", "nonexist", "list"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("checklists folder"), "{stderr}");
    assert!(!stderr.contains("standard input"), "{stderr}");
}

#[test]
fn help_examples_fit_the_line_and_run_help_looks_like_the_others() {
    for cmd in ["trend", "run", "report", "diff", "import"] {
        let out = common::run(&[cmd, "--help"]);
        let after = out.split("Examples:\n").nth(1).unwrap_or_default();
        for line in after.lines().take_while(|l| l.starts_with("  ")) {
            assert!(line.chars().count() <= 100, "{cmd}: {line}");
        }
    }
    let run = common::run(&["run", "--help"]);
    let report = common::run(&["report", "--help"]);
    let starts = |h: &str| {
        h.lines()
            .skip_while(|l| !l.starts_with("  -h, --help"))
            .nth(2)
            .map(str::to_string)
    };
    assert_eq!(starts(&run), starts(&report), "{run}");
}

#[test]
fn checklists_is_listed_only_where_it_has_an_effect() {
    for cmd in ["trend", "completions"] {
        let help = common::run(&[cmd, "--help"]);
        assert!(!help.contains("--checklists"), "{cmd}: {help}");
    }
    for cmd in ["run", "template", "report", "list", "validate"] {
        let help = common::run(&[cmd, "--help"]);
        assert!(help.contains("--checklists"), "{cmd}: {help}");
    }
    // Still accepted anywhere, as before.
    common::run(&[
        "trend",
        "examples/reports/2026-Q4.json",
        "--checklists",
        "checklists",
    ]);
}

#[test]
fn the_command_line_as_parsed_is_consistent() {
    selfaudit::cli::command().debug_assert();
}
