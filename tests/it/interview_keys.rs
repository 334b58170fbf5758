//! The interview's keys and screens in a pseudo-terminal (issue 10 point 5, issue 11 items 1-7):
//! a small terminal pages long lists, a resize redraws in place, typed text with spaces picks
//! what was typed, an empty name is refused in words, keeping a file is a choice, and every
//! command printed after Ctrl-C resumes the same file with the same role when pasted.
#![cfg(unix)]

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession as Session;

use crate::pty::{CTRL_C, DOWN, ENTER, finish, wait_for};
use expectrl::Expect;

const LONG: &str = r#"
id = "long"
title = "Long scales"
version = "1"

[scales.eleven]
choices = [
  { key = "0", label = "Zero", value = 0 },
  { key = "1", label = "One", value = 1 },
  { key = "2", label = "Two", value = 2 },
  { key = "3", label = "Three", value = 3 },
  { key = "4", label = "Four", value = 4 },
  { key = "5", label = "Five", value = 5 },
  { key = "6", label = "Six", value = 6 },
  { key = "7", label = "Seven", value = 7 },
  { key = "8", label = "Eight", value = 8 },
  { key = "9", label = "Nine", value = 9 },
  { key = "10", label = "Ten", value = 10 },
]

[scales.team]
choices = [
  { key = "none", label = "None of us", value = 0 },
  { key = "few", label = "A few of us", value = 1 },
  { key = "all", label = "All of us", value = 2 },
]

[[sections]]
id = "s"
title = "Section"

[[sections.items]]
id = "rate"
text = "How likely is it that a customer would recommend us to a friend or a colleague?"
help = "Think of the last ten customers you served, and of what they said when they left the shop."
scale = "eleven"

[[sections.items]]
id = "team"
text = "How many of us know every product?"
scale = "team"

[[sections.items]]
id = "team2"
text = "How many of us greet every visitor?"
scale = "team"
"#;

struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("cl")).unwrap();
        fs::write(dir.path().join("cl/long.toml"), LONG).unwrap();
        Place { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `program args…` in a terminal of `cols`×`rows`, as bash sets it up.
    fn spawn_sized(&self, cols: u16, rows: u16, program: &str, args: &[&str]) -> Session {
        let mut line = format!("stty cols {cols} rows {rows} && exec");
        for word in std::iter::once(program).chain(args.iter().copied()) {
            line.push(' ');
            line.push_str(&selfaudit::text::shell_quote(word));
        }
        let mut cmd = Command::new("bash");
        cmd.current_dir(self.dir.path())
            .args(["-c", &line])
            .env("SELFAUDIT_CHECKLISTS", "cl")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .env("TERM", "xterm");
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        // The pseudo-terminal may get its default size after bash started: set it here too.
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(20)));
        session
    }

    fn spawn(&self, args: &[&str]) -> Session {
        self.spawn_sized(100, 35, env!("CARGO_BIN_EXE_selfaudit"), args)
    }
}

/// Rows drawn from the last "clear to the end" before `text`'s end, the way a terminal shows them.
fn last_block(text: &str) -> &str {
    text.rsplit("\x1b[J").next().unwrap_or(text)
}

#[test]
fn at_60x15_a_long_scale_pages_around_the_cursor_under_the_question() {
    let place = Place::new();
    let bin = env!("CARGO_BIN_EXE_selfaudit");
    let mut s = place.spawn_sized(
        60,
        15,
        bin,
        &["run", "long", "--respondent", "Ann", "--period", "P"],
    );
    let intro = wait_for(&mut s, "[1/3] Long scales");
    // The intro breaks at spaces within the 60 columns.
    assert!(intro.contains("Choose with ↑↓ and Enter, or type the start of an answer."));
    for line in intro.split("\r\n") {
        assert!(line.chars().count() < 60, "{line:?} in {intro:?}");
    }
    let shown = wait_for(&mut s, "more");
    // The question and its help take 5 rows, the list the rest, with "↓ N more".
    let list = last_block(&shown);
    assert!(list.contains("? Your answer"), "{shown:?}");
    assert!(shown.contains("How likely is it"), "{shown:?}");
    // The rows under the question: 15 minus blank line, header, 2 rows of question, 2 of help,
    // and the row the cursor waits on.
    let rows = list.matches('\n').count() + 1;
    assert!(rows <= 8, "{rows} rows: {list:?}");
    // Down past the page moves the window: the cursor line stays on screen.
    for _ in 0..8 {
        s.send(DOWN).unwrap();
    }
    wait_for(&mut s, "❯ 8     Eight");
    s.send(CTRL_C).unwrap();
    finish(s);
}

#[test]
fn a_resize_redraws_the_question_and_the_list_in_place() {
    let place = Place::new();
    let mut s = place.spawn(&["run", "long", "--respondent", "Ann", "--period", "P"]);
    wait_for(&mut s, "Skip: answer it later");
    s.get_process_mut().set_window_size(50, 12).unwrap();
    // The screen is cleared and drawn again from the top: the question, then the list.
    wait_for(&mut s, "\x1b[H\x1b[2J");
    let again = wait_for(&mut s, "? Your answer");
    assert!(again.contains("[1/3] Long scales"), "{again:?}");
    assert!(again.contains("How likely is it"), "{again:?}");
    let list = wait_for(&mut s, "more");
    assert!(list.contains("❯ 0     Zero"), "{list:?}");
    s.send(CTRL_C).unwrap();
    let (_, code) = finish(s);
    assert_eq!(code, 130);
}

#[test]
fn typed_text_with_spaces_picks_the_label_it_starts_and_a_miss_is_shown() {
    let place = Place::new();
    let mut s = place.spawn(&[
        "run",
        "long",
        "--respondent",
        "Ann",
        "--period",
        "P",
        "--notes",
        "never",
    ]);
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("seven{ENTER}")).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send("none of").unwrap();
    wait_for(&mut s, "Your answer › none of");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "Your answer · None of us");
    wait_for(&mut s, "[3/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send("a fx").unwrap();
    // A letter that starts nothing is shown as such; the cursor stays on "A few of us".
    wait_for(&mut s, "a fx (no answer starts so; Backspace)");
    s.send(format!("\x7f{ENTER}")).unwrap();
    wait_for(&mut s, "Your answer · A few of us");
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    let saved = fs::read_to_string(place.path("responses/P/ann.toml")).unwrap();
    assert!(saved.contains("team = \"none\""), "{saved}");
    assert!(saved.contains("team2 = \"few\""), "{saved}");
}

#[test]
fn an_empty_name_is_refused_in_words() {
    let place = Place::new();
    let mut cmd_args = vec!["run", "long", "--period", "P"];
    cmd_args.push("--notes");
    cmd_args.push("never");
    let mut s = place.spawn_sized(
        100,
        35,
        "env",
        &[
            &[
                "-u",
                "USER",
                "-u",
                "LOGNAME",
                env!("CARGO_BIN_EXE_selfaudit"),
            ][..],
            &cmd_args,
        ]
        .concat(),
    );
    wait_for(&mut s, "Your name");
    s.send(ENTER).unwrap();
    let shown = wait_for(&mut s, "A name is needed");
    assert!(!shown.contains("✔"), "no tick for an empty name: {shown:?}");
    s.send(format!("Ann{ENTER}")).unwrap();
    wait_for(&mut s, "✔ Your name · Ann");
    s.send(CTRL_C).unwrap();
    finish(s);
}

#[test]
fn one_skipped_question_is_spoken_of_as_one() {
    let place = Place::new();
    let mut s = place.spawn(&[
        "run",
        "long",
        "--respondent",
        "Ann",
        "--period",
        "P",
        "--notes",
        "never",
    ]);
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("skip{ENTER}")).unwrap();
    let done = wait_for(&mut s, "[2/3]");
    assert!(
        done.contains("Your answer · Skip: answer it later\r\n"),
        "no (skip) after the label: {done:?}"
    );
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    wait_for(&mut s, "[3/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    wait_for(&mut s, "You skipped 1 question:");
    wait_for(&mut s, "Go back to it?");
    wait_for(&mut s, "Answer it now");
    s.send(format!("{DOWN}{ENTER}")).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
}

/// The command after "to go on, run: " or "to go on with it: ", as printed.
fn printed_command<'a>(text: &'a str, after: &str) -> &'a str {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("no {after:?} in {text}"))
        + after.len();
    let line = text[start..].lines().next().unwrap().trim_end();
    line.split("; to start afresh").next().unwrap()
}

#[test]
fn the_resume_command_keeps_the_role_and_the_resumed_file_has_it() {
    let place = Place::new();
    let mut s = place.spawn(&[
        "run",
        "long",
        "--respondent",
        "Ann",
        "--period",
        "P",
        "--role",
        "staff",
        "--notes",
        "never",
    ]);
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("7{ENTER}")).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(CTRL_C).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 130, "{rest}");
    let command = printed_command(&rest, "to go on, run: ").to_string();
    assert!(command.contains("--role staff"), "{command}");
    let partial = fs::read_to_string(place.path("responses/P/ann.toml.partial")).unwrap();
    assert!(partial.contains("role = \"staff\""), "{partial}");

    // Pasted, it goes on; and a resume without --role keeps the role too.
    let mut s = place.spawn_sized(100, 35, "bash", &["-c", &command]);
    wait_for(&mut s, "Resume it?");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    wait_for(&mut s, "[3/3]");
    s.send(CTRL_C).unwrap();
    finish(s);
    let mut s = place.spawn(&["run", "long", "--respondent", "Ann", "--period", "P"]);
    wait_for(&mut s, "Resume it?");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "[3/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    let saved = fs::read_to_string(place.path("responses/P/ann.toml")).unwrap();
    assert!(saved.contains("role = \"staff\""), "{saved}");
}

#[test]
fn a_progress_file_of_someone_else_is_resumed_by_the_command_its_hint_prints() {
    let place = Place::new();
    // Robert's interview written to bob.toml, stopped after one answer.
    let mut s = place.spawn(&[
        "run",
        "long",
        "--respondent",
        "Robert",
        "--period",
        "P",
        "-o",
        "responses/P/bob.toml",
        "--role",
        "lead",
        "--notes",
        "never",
    ]);
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("3{ENTER}")).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(CTRL_C).unwrap();
    finish(s);

    // Bob's own run finds it: not his, and the hint names the command that goes on with it.
    let s = place.spawn(&["run", "long", "--respondent", "Bob", "--period", "P"]);
    let (rest, code) = finish(s);
    assert_eq!(code, 2, "{rest}");
    let command = printed_command(&rest, "to go on with it: ").to_string();
    assert!(command.contains("-o responses/P/bob.toml"), "{command}");
    assert!(command.contains("--role lead"), "{command}");

    let mut s = place.spawn_sized(100, 35, "bash", &["-c", &command]);
    wait_for(&mut s, "1 of 3 questions answered");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    wait_for(&mut s, "[3/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    let saved = fs::read_to_string(place.path("responses/P/bob.toml")).unwrap();
    assert!(saved.contains("respondent = \"Robert\""), "{saved}");
    assert!(saved.contains("rate = \"3\""), "{saved}");
    assert!(saved.contains("role = \"lead\""), "{saved}");
}

const SHORT: &str = r#"
id = "short"
title = "Short one"
version = "2"
scale = "yes-no"

[[sections]]
id = "s"
title = "Section"

[[sections.items]]
id = "door"
text = "Is the door open on time?"
"#;

#[test]
fn a_new_checklist_is_added_to_the_file_of_someone_who_answered_another() {
    let place = Place::new();
    fs::write(place.path("cl/short.toml"), SHORT).unwrap();
    fs::create_dir_all(place.path("responses/P")).unwrap();
    let before = "respondent = \"Ana Lima\"\nperiod = \"P\"\n\n# written by hand\n[answers.long]\nrate = \"7\" # seven\nteam = \"few\"\n";
    fs::write(place.path("responses/P/ana-lima.toml"), before).unwrap();

    let mut s = place.spawn(&["run", "short", "--respondent", "Ana Lima", "--period", "P"]);
    wait_for(&mut s, "already exists, with answers to other checklists.");
    wait_for(&mut s, "Replace it with the answers of this interview");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "Add to it? · Add these answers to it");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("yes{ENTER}")).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    let after = fs::read_to_string(place.path("responses/P/ana-lima.toml")).unwrap();
    assert!(
        after.starts_with(before),
        "the old answers byte for byte:\n{after}"
    );
    assert!(after.contains("[answers.short]\n"), "{after}");
    assert!(after.contains("\ndoor = \"yes\"\n"), "{after}");

    // Both checklists are read back from it.
    let out = Command::new(env!("CARGO_BIN_EXE_selfaudit"))
        .current_dir(place.dir.path())
        .args([
            "--checklists",
            "cl",
            "validate",
            "responses/P/ana-lima.toml",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}
