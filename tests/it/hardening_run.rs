//! Issue 9's hostile corpus for `selfaudit run`, in a pseudo-terminal (expectrl): one writer per
//! respondent (class 1), paths the tool chose (4), resume commands that work (11), progress
//! files that are not what they claim (12), and one person written two ways (10).
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession as Session;

use crate::pty::{CTRL_C, ENTER, finish, wait_for};
use expectrl::Expect;

const MINI: &str = r#"
id = "mini"
title = "Mini audit"
version = "1"
scale = "yes-no"

[[sections]]
id = "calls"
title = "Calls"

[[sections.items]]
id = "return-calls"
text = "Do we return every call within a day?"

[[sections.items]]
id = "greet"
text = "Do we greet every visitor?"

[[sections.items]]
id = "tidy"
text = "Is the shop tidy?"
"#;

struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("cl")).unwrap();
        fs::write(dir.path().join("cl/mini.toml"), MINI).unwrap();
        Place { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path())
            .args(args)
            .env_remove("SELFAUDIT_CHECKLISTS")
            .env("SELFAUDIT_CHECKLISTS", "cl")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .env("TERM", "xterm");
        cmd
    }

    fn spawn(&self, args: &[&str]) -> Session {
        self.spawn_cmd(self.command(env!("CARGO_BIN_EXE_selfaudit"), args))
    }

    fn spawn_cmd(&self, cmd: Command) -> Session {
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(20)));
        session
    }
}

/// Answers the three questions of MINI with `yes`.
fn answer_all(s: &mut Session) {
    for n in 1..=3 {
        wait_for(s, &format!("[{n}/3]"));
        wait_for(s, "Skip: answer it later");
        s.send(format!("yes{ENTER}")).unwrap();
    }
}

const ANN: [&str; 7] = [
    "run",
    "mini",
    "--respondent",
    "Ann Lee",
    "--period",
    "Q",
    "--notes=never",
];

#[test]
fn a_second_run_of_the_same_respondent_is_refused_while_the_first_is_open() {
    let place = Place::new();
    let mut first = place.spawn(&ANN);
    wait_for(&mut first, "[1/3]");
    wait_for(&mut first, "Skip: answer it later");
    first.send(format!("no{ENTER}")).unwrap();
    wait_for(&mut first, "[2/3]");

    // The same respondent written another way is the same interview.
    for name in ["Ann Lee", "ANN  LEE", "Ann\u{200B} Lee"] {
        let second = place.spawn(&["run", "mini", "--respondent", name, "--period", "Q"]);
        let (rest, code) = finish(second);
        assert_eq!(code, 2, "{name:?}: {rest}");
        assert!(rest.contains("open elsewhere"), "{rest}");
        assert!(
            !rest.contains("[1/3]") && !rest.contains("Resume"),
            "{rest}"
        );
    }
    // The first goes on, and none of its answers was overwritten.
    wait_for(&mut first, "Skip: answer it later");
    first.send(format!("yes{ENTER}")).unwrap();
    wait_for(&mut first, "[3/3]");
    wait_for(&mut first, "Skip: answer it later");
    first.send(format!("yes{ENTER}")).unwrap();
    let (rest, code) = finish(first);
    assert_eq!(code, 0, "{rest}");
    let saved = fs::read_to_string(place.path("responses/Q/ann-lee.toml")).unwrap();
    assert!(saved.contains("return-calls = \"no\""), "{saved}");
    assert!(
        saved.contains("greet = \"yes\"") && saved.contains("tidy = \"yes\""),
        "{saved}"
    );
    // Once it has ended, the lock is free again.
    let mut again = place.spawn(&ANN);
    wait_for(&mut again, "Replace it?");
    again.send(CTRL_C).unwrap();
    let (rest, _) = finish(again);
    assert!(!rest.contains("open elsewhere"), "{rest}");
}

#[test]
fn links_planted_at_paths_the_tool_chose_are_refused_before_any_question() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("stolen.toml");
    for planted in [
        "responses/Q/ann-lee.toml",
        "responses/Q/ann-lee.toml.partial",
        "responses/Q/ann-lee.toml.lock",
        "responses/Q",
        "responses",
    ] {
        let place = Place::new();
        let link = place.path(planted);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        let to = if planted.ends_with(".toml") || planted.contains(".toml.") {
            target.clone()
        } else {
            outside.path().to_path_buf()
        };
        symlink(&to, &link).unwrap();
        let (rest, code) = finish(place.spawn(&ANN));
        assert_eq!(code, 2, "{planted}: {rest}");
        assert!(rest.contains("symbolic link"), "{planted}: {rest}");
        assert!(
            !rest.contains("[1/3]"),
            "{planted}: asked a question: {rest}"
        );
        assert!(!target.exists(), "{planted}: wrote outside");
        assert_eq!(
            fs::read_dir(outside.path()).unwrap().count(),
            0,
            "{planted}"
        );
    }
}

#[test]
fn unusable_output_paths_fail_before_the_first_question() {
    let place = Place::new();
    symlink("self.toml", place.path("self.toml")).unwrap();
    symlink("b.toml", place.path("a.toml")).unwrap();
    symlink("a.toml", place.path("b.toml")).unwrap();
    fs::write(place.path("plain-file"), "x").unwrap();
    let long = format!("{}.toml", "n".repeat(244));
    for (output, says) in [
        ("self.toml", "symbolic link loop"),
        ("a.toml", "symbolic link loop"),
        ("plain-file/answers.toml", "plain-file"),
        (long.as_str(), "name too long"),
        (".", "folder"),
    ] {
        let mut args = ANN.to_vec();
        args.extend(["-o", output]);
        let (rest, code) = finish(place.spawn(&args));
        assert_eq!(code, 2, "{output}: {rest}");
        assert!(rest.contains(says), "{output} says {says}: {rest}");
        assert!(
            !rest.contains("[1/3]"),
            "{output}: asked a question: {rest}"
        );
    }
}

#[test]
fn a_chain_of_links_given_with_o_is_followed_to_the_file_it_names() {
    let place = Place::new();
    fs::create_dir(place.path("kept")).unwrap();
    symlink("b.toml", place.path("a.toml")).unwrap();
    symlink("kept/c.toml", place.path("b.toml")).unwrap();
    let mut args = ANN.to_vec();
    args.extend(["-o", "a.toml"]);
    let mut s = place.spawn(&args);
    answer_all(&mut s);
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    for link in ["a.toml", "b.toml"] {
        assert!(
            fs::symlink_metadata(place.path(link))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    let saved = fs::read_to_string(place.path("kept/c.toml")).unwrap();
    assert!(saved.contains("tidy = \"yes\""), "{saved}");
}

#[test]
fn the_resume_command_printed_after_ctrl_c_works_when_pasted() {
    let place = Place::new();
    let name = "Ann\tLee\u{200F} O'Neil $HOME";
    let args = [
        "run",
        "mini",
        "--respondent",
        name,
        "--period",
        "Q 4",
        "--notes",
        "never",
    ];
    let mut s = place.spawn(&args);
    wait_for(&mut s, "[1/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("no{ENTER}")).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(CTRL_C).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 130, "{rest}");
    let start = rest.find("to go on, run: ").unwrap() + "to go on, run: ".len();
    let command = rest[start..].lines().next().unwrap().trim_end();
    assert!(
        !command
            .chars()
            .any(|c| c.is_control() || selfaudit::text::needs_escape(c)),
        "{command:?}"
    );
    // Pasted into a shell, it goes on with the same interview.
    let mut bash = place.command("bash", &["-c", command]);
    bash.env("SELFAUDIT_CHECKLISTS", "cl");
    let mut s = place.spawn_cmd(bash);
    wait_for(&mut s, "1 of 3 questions answered");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("yes{ENTER}")).unwrap();
    wait_for(&mut s, "[3/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("yes{ENTER}")).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    let file = fs::read_dir(place.path("responses/Q-4"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "toml"))
        .unwrap();
    let saved = fs::read_to_string(file).unwrap();
    assert!(
        saved.contains("respondent = \"Ann\\tLee\\u200F O'Neil $HOME\""),
        "{saved}"
    );
    assert!(saved.contains("return-calls = \"no\""), "{saved}");
}

#[test]
fn a_progress_file_listing_a_checklist_twice_is_refused() {
    let place = Place::new();
    let partial = place.path("responses/Q/ann-lee.toml.partial");
    fs::create_dir_all(partial.parent().unwrap()).unwrap();
    fs::write(
        &partial,
        "respondent = \"Ann Lee\"\nperiod = \"Q\"\n[answers.mini]\ngreet = \"yes\"\n\n[resume]\nformat = \"selfaudit-partial/1\"\nstarted = \"2026-01-01T00:00:00Z\"\nchecklists = [\"mini\", \"mini\"]\nskipped = []\n",
    )
    .unwrap();
    let (rest, code) = finish(place.spawn(&ANN));
    assert_eq!(code, 2, "{rest}");
    assert!(rest.contains("twice"), "{rest}");
    assert!(!rest.contains("[1/3]"), "{rest}");
}

#[test]
fn one_person_written_two_ways_resumes_one_progress_file() {
    let place = Place::new();
    let nfd = [
        "run",
        "mini",
        "--respondent",
        "Jose\u{301}",
        "--period",
        "Q",
        "--notes=never",
    ];
    let mut s = place.spawn(&nfd);
    wait_for(&mut s, "[1/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("no{ENTER}")).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(CTRL_C).unwrap();
    assert_eq!(finish(s).1, 130);
    let mut s = place.spawn(&["run", "mini", "--respondent", "JOS\u{c9}", "--period", "Q"]);
    wait_for(&mut s, "1 of 3 questions answered");
    s.send(CTRL_C).unwrap();
    finish(s);
}
