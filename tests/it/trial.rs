//! The new-user trial run again with checklists of its own (issue 11, judged): every problem
//! of every file, the "no answers" note in every report, printed commands that work.

use crate::common::selfaudit;

/// Runs `validate` on the files and returns its stderr's problem lines (hints left out).
fn problems(dir: &std::path::Path, files: &[&str]) -> Vec<String> {
    let out = selfaudit()
        .current_dir(dir)
        .arg("validate")
        .args(files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("  hint:") && !l.ends_with(" found"))
        .map(str::to_string)
        .collect()
}

#[test]
fn validate_lists_every_problem_of_every_kind_of_file_in_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "list.toml",
        r#"id = "list"
titel = "x"
versio = "1"

[scales.s]
choices = [ { key = "a", value = 1, lable = "A" }, { key = "b", value = 0 } ]

[[sections]]
id = "s1"
titel = "S"

[[sections.items]]
id = "a"
text = "A?"
criticl = true
scale = "nope"

[[sectons]]
id = "s2"
"#,
    );
    write(
        "answers.toml",
        r#"respondent = "Ana"
period = "2026-Q4"

[checklists.be-sure]
verson = "1"
extra = 2

[answers.be-sure]
nope = "yes"
"#,
    );
    write(
        "team.toml",
        r#"peeple = []

[[people]]
name = "Ana"
mail = "a@x"

[[people]]
name = 5
rol = "staff"
"#,
    );
    write(
        "actions.toml",
        r#"[[actions]]
id = "a1"
checklist = "be-sure"
what = "Call back"
opened = "2026-11-01"
ownr = "Ana"
statsu = "open"

[[targets]]
checklist = "be-sure"
scor = 80
"#,
    );
    let found = problems(
        dir.path(),
        &["list.toml", "answers.toml", "team.toml", "actions.toml"],
    );
    let at: Vec<&str> = found
        .iter()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "list.toml:2:1",
            "list.toml:3:1",
            "list.toml:6:37",
            "list.toml:10:1",
            "list.toml:15:1",
            "list.toml:16:9",
            "list.toml:18:3",
            "answers.toml:5:1",
            "answers.toml:6:1",
            "answers.toml:9:1",
            "team.toml:1:1",
            "team.toml:5:1",
            "team.toml:8:8",
            "team.toml:9:1",
            "actions.toml:6:1",
            "actions.toml:7:1",
            "actions.toml:11:1",
        ],
        "{found:#?}"
    );
    // Mixed kinds: a misspelt key, and a rule of what is written (an unknown scale).
    assert!(found[5].contains("unknown scale `nope`"), "{}", found[5]);
    assert!(found[9].contains("no item `nope`"), "{}", found[9]);
}

#[test]
fn a_misspelt_key_at_any_depth_is_named_with_the_key_meant() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("list.toml"),
        "id = \"list\"\nversion = \"1\"\n\n[[sections]]\nid = \"s\"\n\n[[sections.items]]\nid = \"a\"\ntext = \"A?\"\nhlep = \"h\"\ncriticl = true\n",
    )
    .unwrap();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["validate", "list.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("list.toml:10:1: unknown field `hlep`"),
        "{err}"
    );
    assert!(err.contains("did you mean `help`?"), "{err}");
    assert!(
        err.contains("list.toml:11:1: unknown field `criticl`"),
        "{err}"
    );
    assert!(err.contains("did you mean `critical`?"), "{err}");
}

/// A folder with a tiny checklist and a second one, and a file that answers only the tiny one.
fn one_blank_checklist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("custom");
    std::fs::create_dir(&custom).unwrap();
    std::fs::write(
        custom.join("tiny.toml"),
        "id = \"tiny\"\nversion = \"1\"\n\n[[sections]]\nid = \"s\"\n\n[[sections.items]]\nid = \"ok\"\ntext = \"OK?\"\n",
    )
    .unwrap();
    std::fs::write(
        custom.join("desk.toml"),
        "id = \"desk\"\ntitle = \"Front <desk> & café\"\nversion = \"1\"\n\n[[sections]]\nid = \"s\"\n\n[[sections.items]]\nid = \"greet\"\ntext = \"Greet?\"\ncritical = true\n",
    )
    .unwrap();
    let template = selfaudit()
        .current_dir(dir.path())
        .args(["template", "tiny", "desk", "--checklists", "custom"])
        .args(["--respondent", "Zoë", "--period", "2026-Q4"])
        .output()
        .unwrap();
    let text = String::from_utf8(template.stdout)
        .unwrap()
        .replace("# ok = \"\"", "ok = \"yes\"");
    std::fs::write(dir.path().join("zoe.toml"), text).unwrap();
    dir
}

#[test]
fn a_checklist_with_no_answer_at_all_is_said_in_the_report_itself_in_every_format() {
    let dir = one_blank_checklist();
    let report = |format: &str| {
        let out = selfaudit()
            .current_dir(dir.path())
            .args([
                "report",
                "zoe.toml",
                "--checklists",
                "custom",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let sentence = "it is not in this report, and its critical items are not checked.";
    let table = report("table");
    assert!(
        table.contains("Critical gaps: none among the checklists answered. No answers at all to Front <desk> & café (desk)"),
        "{table}"
    );
    assert!(table.contains(sentence), "{table}");
    let markdown = report("markdown");
    assert!(
        markdown.contains("None among the checklists answered."),
        "{markdown}"
    );
    assert!(
        markdown.contains("No answers at all to Front"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("every critical item scored 100"),
        "{markdown}"
    );
    let html = report("html");
    let doc = scraper::Html::parse_document(&html);
    let note = doc
        .select(&crate::common::sel(".critical-gaps .unanswered"))
        .next()
        .map(crate::common::text)
        .unwrap_or_default();
    assert!(
        note.contains("No answers at all to Front <desk> & café (desk)"),
        "{html}"
    );
    assert!(note.contains(sentence), "{note}");
    assert!(!html.contains("every critical item scored 100"));
    let json: serde_json::Value = serde_json::from_str(&report("json")).unwrap();
    assert_eq!(
        json["unanswered"],
        serde_json::json!([{ "id": "desk", "title": "Front <desk> & café" }])
    );
    // The JSON report reads back: diff and trend take it.
    std::fs::write(dir.path().join("r.json"), report("json")).unwrap();
    selfaudit()
        .current_dir(dir.path())
        .args(["diff", "r.json", "r.json"])
        .assert()
        .success();
}

#[test]
fn a_report_of_answered_checklists_has_no_unanswered_note() {
    let dir = one_blank_checklist();
    let out = selfaudit()
        .current_dir(dir.path())
        .args([
            "report",
            "zoe.toml",
            "--checklists",
            "custom",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\"unanswered\""),
        "the blank checklist is named"
    );
    let filled = std::fs::read_to_string(dir.path().join("zoe.toml"))
        .unwrap()
        .replace("# greet = \"\"", "greet = \"no\"");
    std::fs::write(dir.path().join("zoe.toml"), filled).unwrap();
    let out = selfaudit()
        .current_dir(dir.path())
        .args([
            "report",
            "zoe.toml",
            "--checklists",
            "custom",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("No answers at all"), "{text}");
    assert!(text.contains("Greet?"), "{text}");
}

#[test]
fn one_question_and_one_item_are_said_in_the_singular() {
    let dir = one_blank_checklist();
    let template = selfaudit()
        .current_dir(dir.path())
        .args(["template", "tiny", "--checklists", "custom"])
        .output()
        .unwrap();
    let text = String::from_utf8(template.stdout).unwrap();
    assert!(text.contains("# ═══ tiny (1 question) ═══"), "{text}");
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["validate", "custom/tiny.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ok (checklist `tiny`, 1 item)"), "{text}");
}

/// The interview in a pseudo-terminal, as a new user runs it.
#[cfg(unix)]
mod pty {
    use std::path::Path;
    use std::process::Command;
    use std::time::Duration;

    use expectrl::session::OsSession as Session;

    use expectrl::Expect;

    use crate::pty::{ENTER, finish, wait_for};

    /// `selfaudit args…` in `dir`, in a terminal of `cols`×`rows`.
    fn spawn(dir: &Path, cols: u16, rows: u16, args: &[&str]) -> Session {
        let mut line = format!("stty cols {cols} rows {rows} && exec");
        for word in std::iter::once(env!("CARGO_BIN_EXE_selfaudit")).chain(args.iter().copied()) {
            line.push(' ');
            line.push_str(&selfaudit::text::shell_quote(word));
        }
        let mut cmd = Command::new("bash");
        cmd.current_dir(dir)
            .args(["-c", &line])
            .env_remove("SELFAUDIT_CHECKLISTS")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .env("TERM", "xterm");
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(20)));
        session
    }

    /// The `selfaudit report …` command printed in `text`, whole even where a narrow
    /// terminal put it on a line of its own.
    fn report_command(text: &str) -> String {
        let at = text
            .find("selfaudit report")
            .unwrap_or_else(|| panic!("no report command in {text:?}"));
        text[at..].lines().next().unwrap().trim().to_string()
    }

    fn answer_tiny_from_a_path(cols: u16, rows: u16) {
        let dir = super::one_blank_checklist();
        let mut s = spawn(
            dir.path(),
            cols,
            rows,
            &[
                "run",
                "./custom/tiny.toml",
                "-o",
                "out.toml",
                "--period",
                "2026-Q4",
            ],
        );
        wait_for(&mut s, "Your name");
        s.send(ENTER).unwrap();
        wait_for(&mut s, "Skip: answer it later");
        s.send("no").unwrap();
        s.send(ENTER).unwrap();
        wait_for(&mut s, "optional note");
        s.send(ENTER).unwrap();
        let (rest, code) = finish(s);
        assert_eq!(code, 0, "{rest}");
        let command = report_command(&rest.replace('\r', ""));
        assert!(command.contains("--checklists ./custom"), "{command}");
        // Pasted into a shell in the same folder, it works.
        let bin = env!("CARGO_BIN_EXE_selfaudit");
        let out = Command::new("sh")
            .arg("-c")
            .arg(command.replacen("selfaudit", bin, 1))
            .current_dir(dir.path())
            .env_remove("SELFAUDIT_CHECKLISTS")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("tiny"));
        // The comment in the saved file says the same, and works too.
        let saved = std::fs::read_to_string(dir.path().join("out.toml")).unwrap();
        let comment = report_command(&saved);
        let out = Command::new("sh")
            .arg("-c")
            .arg(comment.replacen("selfaudit", bin, 1))
            .current_dir(dir.path())
            .env_remove("SELFAUDIT_CHECKLISTS")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{comment}: {out:?}");
    }

    #[test]
    fn the_report_command_printed_after_a_custom_checklist_works_when_pasted() {
        answer_tiny_from_a_path(100, 35);
    }

    #[test]
    fn at_60_columns_the_printed_report_command_is_whole_and_works() {
        answer_tiny_from_a_path(60, 15);
    }

    #[test]
    fn at_60_columns_the_report_breaks_its_notes_at_spaces_within_the_width() {
        let dir = super::one_blank_checklist();
        let long = "the counter is often unattended between twelve and half past one because everybody takes lunch at the same time";
        let text = std::fs::read_to_string(dir.path().join("zoe.toml"))
            .unwrap()
            .replace(
                "ok = \"yes\"",
                &format!("ok = {{ choice = \"no\", note = \"{long}\" }}"),
            );
        std::fs::write(dir.path().join("zoe.toml"), text).unwrap();
        let s = spawn(
            dir.path(),
            60,
            40,
            &["report", "zoe.toml", "--checklists", "custom"],
        );
        let (out, code) = finish(s);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("Zoë: the counter is often"), "{out}");
        // Standard error's warnings are left whole: a command in one pastes as one line.
        for line in out.lines().filter(|l| !l.starts_with("warning:")) {
            let width = dialoguer::console::measure_text_width(line.trim_end_matches('\r'));
            assert!(width <= 60, "{width} columns: {line:?}");
        }
    }

    #[test]
    fn answers_to_a_checklist_named_by_path_are_added_to_a_file_of_another_own_checklist() {
        let dir = super::one_blank_checklist();
        let before = "respondent = \"Ana\"\nperiod = \"P\"\n\n[answers.desk]\ngreet = \"yes\"\n";
        std::fs::write(dir.path().join("out.toml"), before).unwrap();
        let mut s = spawn(
            dir.path(),
            80,
            24,
            &[
                "run",
                "./custom/tiny.toml",
                "-o",
                "out.toml",
                "--respondent",
                "Ana",
                "--period",
                "P",
            ],
        );
        wait_for(&mut s, "Add these answers to it, keeping the others");
        s.send(ENTER).unwrap();
        wait_for(&mut s, "Skip: answer it later");
        s.send("yes").unwrap();
        s.send(ENTER).unwrap();
        let (rest, code) = finish(s);
        assert_eq!(code, 0, "{rest}");
        let after = std::fs::read_to_string(dir.path().join("out.toml")).unwrap();
        assert!(after.starts_with(before), "{after}");
        assert!(after.contains("[answers.tiny]\n"), "{after}");
        assert!(after.contains("ok = \"yes\""), "{after}");
    }

    #[test]
    fn at_60_columns_list_keeps_every_id_whole_and_fits_the_width_under_no_color() {
        let dir = super::one_blank_checklist();
        for args in [&["list"][..], &["list", "--checklists", "custom"]] {
            let s = spawn(dir.path(), 60, 40, args);
            let (out, code) = finish(s);
            assert_eq!(code, 0, "{out}");
            let ids: &[&str] = if args.len() == 1 {
                &[
                    "service-self-audit",
                    "retention-habits",
                    "customer-for-life",
                ]
            } else {
                &["tiny", "desk"]
            };
            for id in ids {
                assert!(out.contains(&format!("│ {id} ")), "{id} cut in {out}");
            }
            for line in out.lines() {
                let width = line.trim_end_matches('\r').chars().count();
                assert!(width <= 60, "{width} columns: {line:?}");
            }
        }
    }

    #[test]
    fn at_60x15_a_long_help_is_cut_so_that_the_cursor_and_its_neighbours_show_under_the_header() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("custom")).unwrap();
        std::fs::copy(
            "tests/fixtures/accueil-long-scale.toml",
            dir.path().join("custom/accueil.toml"),
        )
        .unwrap();
        let mut s = spawn(
            dir.path(),
            60,
            15,
            &[
                "run",
                "./custom/accueil.toml",
                "-o",
                "a.toml",
                "--respondent",
                "Ana",
                "--period",
                "P",
            ],
        );
        wait_for(&mut s, "Each answer is saved");
        let screen = wait_for(&mut s, "more").replace('\r', "");
        let from_header = &screen[screen.find("[1/3]").expect("the header")..];
        // The header, two rows of question, at most two of help, the prompt, three choices
        // and "↓ N more" fit in 15 rows with the cursor's row.
        let rows = from_header.lines().count() + 1;
        assert!(rows <= 15, "{rows} rows: {from_header}");
        assert!(from_header.contains("(critical)"), "{from_header}");
        assert!(from_header.contains("❯ Never, not once"), "{from_header}");
        assert!(
            from_header.contains("  Almost never, only"),
            "{from_header}"
        );
        assert!(from_header.contains("  Rarely, a handful"), "{from_header}");
        // The help is cut, and says so.
        assert!(
            from_header.contains("Think of the last ten busy days."),
            "{from_header}"
        );
        assert!(
            !from_header.contains("for the whole team."),
            "{from_header}"
        );
        assert!(from_header.contains("…\n"), "{from_header}");
        // Wider, the whole help shows again.
        s.get_process_mut().set_window_size(100, 35).unwrap();
        let again = wait_for(&mut s, "? Your answer");
        assert!(again.contains("for the whole team."), "{again}");
        s.send("\x03").unwrap();
        let (_, code) = finish(s);
        assert_eq!(code, 130);
    }
}

/// Runs a printed command in `dir` as a shell would.
fn paste(dir: &std::path::Path, command: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(command.replacen("selfaudit", env!("CARGO_BIN_EXE_selfaudit"), 1))
        .current_dir(dir)
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The first command in backticks in `text`.
fn first_command(text: &str) -> String {
    text.split('`')
        .skip(1)
        .step_by(2)
        .find(|c| c.starts_with("selfaudit "))
        .unwrap_or_else(|| panic!("no command in {text}"))
        .to_string()
}

#[test]
fn a_responses_file_of_own_checklists_given_for_a_report_is_scored_by_the_command_printed() {
    let dir = one_blank_checklist();
    for command in ["diff", "trend", "plan"] {
        let mut cmd = selfaudit();
        cmd.current_dir(dir.path()).arg(command).arg("zoe.toml");
        if command == "diff" {
            cmd.arg("zoe.toml");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("this is a responses file, not a JSON report"),
            "{err}"
        );
        let printed = first_command(&err);
        assert!(printed.contains("--checklists custom"), "{printed}");
        let run = paste(dir.path(), &printed);
        assert_eq!(run.status.code(), Some(0), "{printed}: {run:?}");
        // The report it wrote is what the command takes.
        let mut again = selfaudit();
        again
            .current_dir(dir.path())
            .arg(command)
            .arg("report.json");
        if command == "diff" {
            again.arg("report.json");
        }
        again.assert().success();
    }
}

#[test]
fn an_id_with_a_checklist_file_of_that_name_nearby_is_pointed_to_its_path() {
    let dir = one_blank_checklist();
    for command in ["run", "template"] {
        let out = selfaudit()
            .current_dir(dir.path())
            .args([command, "tiny"])
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("give its path, ./custom/tiny.toml, in place of `tiny` (or add `--checklists custom`)"),
            "{err}"
        );
    }
    // What it says works.
    selfaudit()
        .current_dir(dir.path())
        .args(["template", "./custom/tiny.toml"])
        .assert()
        .success();
    selfaudit()
        .current_dir(dir.path())
        .args(["template", "tiny", "--checklists", "custom"])
        .assert()
        .success();
}

#[test]
fn a_file_of_another_kind_given_as_team_list_or_actions_file_is_named_with_where_it_goes() {
    let dir = one_blank_checklist();
    selfaudit()
        .current_dir(dir.path())
        .args([
            "report",
            "zoe.toml",
            "--checklists",
            "custom",
            "--format",
            "json",
            "-o",
            "r.json",
        ])
        .assert()
        .success();
    let cases: &[(&str, &str, &str)] = &[
        (
            "--team",
            "custom/tiny.toml",
            "this is a checklist, not a team list",
        ),
        (
            "--team",
            "zoe.toml",
            "this is a responses file, not a team list",
        ),
        ("--team", "r.json", "this is a JSON report, not a team list"),
        (
            "--actions",
            "zoe.toml",
            "this is a responses file, not an actions file",
        ),
        (
            "--actions",
            "r.json",
            "this is a JSON report, not an actions file",
        ),
        (
            "--actions",
            "custom/tiny.toml",
            "this is a checklist, not an actions file",
        ),
    ];
    for (flag, file, said) in cases {
        let out = selfaudit()
            .current_dir(dir.path())
            .args(["report", "zoe.toml", "--checklists", "custom", flag, file])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        // One problem, said as what the file is, not as the keys it lacks.
        assert_eq!(err.matches("error:").count(), 1, "{err}");
        assert!(err.contains(said), "{flag} {file}: {err}");
        // A command it prints works when pasted.
        if let Some(at) = err.find("`selfaudit ") {
            let command = err[at + 1..].split('`').next().unwrap();
            let run = paste(dir.path(), command);
            assert_eq!(run.status.code(), Some(0), "{command}: {run:?}");
        }
    }
}

#[test]
fn a_faulty_actions_or_team_file_read_without_being_named_says_why_it_was_read() {
    let dir = one_blank_checklist();
    for (file, text) in [
        (
            "actions.toml",
            "[[targets]]\nchecklist = \"tiny\"\nscor = 80\n",
        ),
        ("team.toml", "[[people]]\nnmae = \"Zoë\"\n"),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
        let out = selfaudit()
            .current_dir(dir.path())
            .args(["report", "zoe.toml", "--checklists", "custom"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!(
                "{file} in the current folder is read without being named"
            )),
            "{err}"
        );
        std::fs::remove_file(dir.path().join(file)).unwrap();
    }
}

#[test]
fn a_name_longer_than_the_name_column_breaks_inside_it_rather_than_run_under_the_bar() {
    // Seen at 390 pixels in Chromium with "Bartholomew Featherstonehaugh-Smythe": the sticky
    // name column stops at 11em, and a longer word ran under the Overall bar.
    let page = crate::common::run(&["report", "examples/responses/2026-Q4", "--format", "html"]);
    let css = page
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert!(
        css.contains(".respondents tbody th, table.groups tbody th { overflow-wrap: break-word; }"),
        "the name column keeps a long name inside it"
    );
}

#[test]
fn at_80_columns_every_help_reads_without_broken_lines_and_its_examples_paste_whole() {
    let commands: &[&[&str]] = &[
        &[],
        &["run"],
        &["template"],
        &["report"],
        &["diff"],
        &["trend"],
        &["list"],
        &["validate"],
        &["plan"],
        &["import"],
        &["team", "init"],
    ];
    for command in commands {
        let out = selfaudit()
            .args(*command)
            .arg("--help")
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            assert!(line.chars().count() <= 80, "{command:?}: {line:?}");
            // A paragraph broken by hand, then again by the width, leaves a short line whose
            // sentence goes on below it.
            let next = lines.get(i + 1).copied().unwrap_or("");
            let goes_on = next.chars().next().is_some_and(char::is_lowercase);
            assert!(
                !(goes_on && line.chars().count() < 60 && !line.trim().is_empty()),
                "{command:?}: a short line {line:?} goes on in {next:?}\n{help}"
            );
        }
        // An example is a whole command: its lines start with `selfaudit`, a comment, or
        // continue the line before it, which ends in `\`.
        let examples = help.split("Examples:\n").nth(1).unwrap_or_default();
        let mut prev = "";
        for line in examples.lines().take_while(|l| l.starts_with("  ")) {
            assert!(
                line.starts_with("  selfaudit ") || line.starts_with("  #") || prev.ends_with('\\'),
                "{command:?}: {line:?} is not a whole example\n{help}"
            );
            prev = line;
        }
    }
}

#[test]
fn a_responses_file_scored_without_its_checklists_folder_is_told_the_folder_its_comment_names() {
    let dir = one_blank_checklist();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["report", "zoe.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown checklist `tiny`"), "{err}");
    assert!(
        err.contains("the file's comment names its checklists' folder: add `--checklists custom`"),
        "{err}"
    );
    selfaudit()
        .current_dir(dir.path())
        .args(["report", "zoe.toml", "--checklists", "custom"])
        .assert()
        .success();
}

#[test]
fn an_actions_file_on_an_own_checklist_validated_without_its_folder_is_told_about_checklists() {
    let dir = one_blank_checklist();
    std::fs::write(
        dir.path().join("plan.toml"),
        "[[actions]]\nid = \"a\"\nitem = \"tiny/ok\"\nwhat = \"Ask\"\nopened = \"2026-11-01\"\n",
    )
    .unwrap();
    let out = selfaudit()
        .current_dir(dir.path())
        .args(["validate", "plan.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown checklist `tiny`"), "{err}");
    assert!(
        err.contains("name their folder with --checklists DIR"),
        "{err}"
    );
    selfaudit()
        .current_dir(dir.path())
        .args(["validate", "plan.toml", "--checklists", "custom"])
        .assert()
        .success();
}

#[test]
fn a_change_within_noise_wraps_in_its_column_on_the_diff_page() {
    // Seen at 390 pixels in Chromium: "▼ −16.7 (within noise)" ran out of its 64-pixel
    // column, past the card's edge and over the mover's question.
    let page = crate::common::run(&[
        "diff",
        "examples/reports/2026-Q3.json",
        "examples/reports/2026-Q4.json",
        "--format",
        "html",
    ]);
    assert!(
        page.contains(".pair-row .change, .ref.mover .change { white-space: normal; }"),
        "the change may wrap in its column"
    );
}
