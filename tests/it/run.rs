//! `selfaudit run` end to end: the real binary in a pseudo-terminal (expectrl), as a person uses it.
//! Each test runs in its own temp folder with a three-question checklist.
#![cfg(unix)]

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession as Session;

use crate::pty::{CTRL_C, DOWN, ENTER, finish, wait_for};
use expectrl::Expect;
use selfaudit::model::Source;
use selfaudit::model::checklist::Checklist;
use selfaudit::model::responses::Responses;

const MINI: &str = r#"
id = "mini"
title = "Mini audit"
version = "1"
scale = "team"

[scales.team]
choices = [
  { key = "none", label = "None of us", value = 0 },
  { key = "few", label = "A few of us", value = 1 },
  { key = "all", label = "All of us", value = 2 },
]

[[sections]]
id = "calls"
title = "Calls"

[[sections.items]]
id = "return-calls"
text = "Do we return every call within a day?"
help = "Think of last week."
critical = true

[[sections.items]]
id = "greet"
text = "Do we greet every visitor?"
scale = "yes-no"
na = false

[[sections]]
id = "shop"
title = "Shop"

[[sections.items]]
id = "tidy"
text = "Is the shop tidy?"
scale = "frequency"
"#;

const SHOW_CURSOR: &str = "\x1b[?25h";

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

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfaudit"));
        cmd.current_dir(self.dir.path())
            .args(["--checklists", "cl"])
            .args(args)
            .env_remove("SELFAUDIT_CHECKLISTS")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .env("TERM", "xterm");
        cmd
    }

    /// The binary in a new pseudo-terminal.
    fn spawn(&self, args: &[&str]) -> Session {
        let mut session = expectrl::Session::spawn(self.command(args)).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(20)));
        session
    }

    fn responses(&self, rel: &str) -> Responses {
        let text = fs::read_to_string(self.path(rel)).unwrap();
        let checklist = Checklist::parse(&Source {
            name: "mini.toml",
            text: MINI,
        })
        .unwrap();
        Responses::parse(
            &Source {
                name: rel,
                text: &text,
            },
            |id| (id == "mini").then_some(&checklist),
            Vec::new,
        )
        .unwrap_or_else(|p| panic!("{p:?}\n{text}"))
        .0
    }
}

/// (item id, key, note) of each answer in a responses file.
fn answers(r: &Responses) -> Vec<(String, String, Option<String>)> {
    let checklist = Checklist::parse(&Source {
        name: "mini.toml",
        text: MINI,
    })
    .unwrap();
    r.sets[0]
        .answers
        .iter()
        .map(|a| {
            let item = &checklist.sections[a.section].items[a.item];
            let key = a
                .choice
                .map_or("n/a".to_string(), |c| item.scale.choices[c].key.clone());
            (item.id.clone(), key, a.note.clone())
        })
        .collect()
}

fn a(id: &str, key: &str, note: Option<&str>) -> (String, String, Option<String>) {
    (id.to_string(), key.to_string(), note.map(str::to_string))
}

#[test]
fn a_whole_interview_with_a_skip_a_note_and_n_a_is_saved_and_scored() {
    let place = Place::new();
    let mut s = place.spawn(&[
        "run",
        "mini",
        "--respondent",
        "Ann Lee",
        "--period",
        "2026-Q4",
    ]);

    let intro = wait_for(&mut s, "[1/3] Mini audit › Calls");
    assert!(intro.contains("3 questions, about 1 min."), "{intro}");
    wait_for(&mut s, "Do we return every call within a day?");
    wait_for(&mut s, "Think of last week.");
    wait_for(&mut s, "few   A few of us");
    s.send(format!("skip{ENTER}")).unwrap();

    wait_for(&mut s, "[2/3] Mini audit › Calls");
    let list = wait_for(&mut s, "back  Back to the previous question");
    assert!(list.contains("yes   Yes"), "{list}");
    // Not applicable is not offered where the item says na = false.
    assert!(!list.contains("n/a"), "{list}");
    s.send(format!("{DOWN}{ENTER}")).unwrap();

    wait_for(&mut s, "[3/3] Mini audit › Shop");
    wait_for(&mut s, "n/a");
    s.send(format!("n/a{ENTER}")).unwrap();

    wait_for(&mut s, "You skipped 1 question:");
    wait_for(&mut s, "Go back to it?");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "[1/3] Mini audit › Calls");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("few{ENTER}")).unwrap();
    wait_for(&mut s, "What would improve this?");
    s.send(format!("voicemail backlog since \"October\"{ENTER}"))
        .unwrap();

    wait_for(&mut s, "Saved responses/2026-Q4/ann-lee.toml (3 answers).");
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("Overall score: 75.0"), "{rest}");
    assert!(
        rest.contains("50.0  Do we return every call within a day?"),
        "{rest}"
    );

    let r = place.responses("responses/2026-Q4/ann-lee.toml");
    assert_eq!(
        (r.respondent.as_str(), r.period.as_str()),
        ("Ann Lee", "2026-Q4")
    );
    assert!(r.submitted.is_some());
    assert_eq!(r.sets[0].version.as_deref(), Some("1"));
    assert_eq!(
        answers(&r),
        [
            a(
                "return-calls",
                "few",
                Some("voicemail backlog since \"October\"")
            ),
            a("greet", "yes", None),
            a("tidy", "n/a", None),
        ]
    );
    assert!(
        !place
            .path("responses/2026-Q4/ann-lee.toml.partial")
            .exists()
    );
}

#[test]
fn ctrl_c_keeps_the_progress_shows_the_cursor_and_the_rerun_asks_only_what_is_left() {
    let place = Place::new();
    // A hostile name and period cannot place anything outside responses/.
    let args = [
        "run",
        "--respondent",
        "../../Ann",
        "--period",
        "../../2026-Q4",
    ];
    let partial = "responses/2026-Q4/ann.toml.partial";

    let mut s = place.spawn(&args);
    wait_for(&mut s, "[1/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("all{ENTER}")).unwrap();
    wait_for(&mut s, "[2/3]");
    wait_for(&mut s, "back  Back to the previous question");
    s.send(CTRL_C).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 130, "{rest}");
    assert!(
        rest.contains(SHOW_CURSOR),
        "the cursor is shown again: {rest:?}"
    );
    assert!(
        rest.contains("1 answer is saved in responses/2026-Q4/ann.toml.partial"),
        "{rest}"
    );
    assert!(rest.contains("to go on, run: "), "{rest}");
    let saved = fs::read_to_string(place.path(partial)).unwrap();
    assert!(saved.contains("return-calls = \"all\"\n"), "{saved}");

    let mut s = place.spawn(&args);
    wait_for(&mut s, "1 of 3 questions answered");
    wait_for(&mut s, "Resume: ask the 2 questions left");
    s.send(ENTER).unwrap();
    let before = wait_for(&mut s, "[2/3]");
    assert!(!before.contains("[1/3]"), "{before}");
    wait_for(&mut s, "back  Back to the previous question");
    // Down as a terminal in application cursor mode sends it.
    s.send(format!("\x1bOB{ENTER}")).unwrap();
    wait_for(&mut s, "[3/3]");
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("often{ENTER}")).unwrap();
    wait_for(&mut s, "What would improve this?");
    s.send(ENTER).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 0, "{rest}");
    assert!(!rest.contains("[1/3]") && !rest.contains("[2/3]"), "{rest}");

    let r = place.responses("responses/2026-Q4/ann.toml");
    assert_eq!(r.respondent, "../../Ann");
    assert_eq!(
        answers(&r),
        [
            a("return-calls", "all", None),
            a("greet", "yes", None),
            a("tidy", "often", None),
        ]
    );
    assert!(!place.path(partial).exists());
    let top: Vec<_> = fs::read_dir(place.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(top.len(), 2, "only cl/ and responses/: {top:?}");
}

#[test]
fn ctrl_c_while_writing_a_note_keeps_the_answer() {
    let place = Place::new();
    let mut s = place.spawn(&["run", "--respondent", "Bo", "--period", "P"]);
    wait_for(&mut s, "Skip: answer it later");
    s.send(format!("none{ENTER}")).unwrap();
    wait_for(&mut s, "What would improve this?");
    s.send("half a no").unwrap();
    wait_for(&mut s, "half a no");
    s.send(CTRL_C).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 130, "{rest}");
    assert!(rest.contains(SHOW_CURSOR), "{rest:?}");
    let saved = fs::read_to_string(place.path("responses/P/bo.toml.partial")).unwrap();
    assert!(saved.contains("return-calls = \"none\"\n"), "{saved}");
}

#[test]
fn no_terminal_exits_2_at_once_saying_how_to_answer_without_one() {
    let place = Place::new();
    let out = place
        .command(&["run", "mini"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not one"), "{err}");
    assert!(
        err.contains("selfaudit template --checklists cl mini > answers.toml"),
        "{err}"
    );
    assert!(
        err.contains("selfaudit report --checklists cl answers.toml"),
        "{err}"
    );

    // A terminal on stdin but not on stderr is no better.
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!(
            "{} --checklists cl run mini 2>err.txt; echo \"exit=$?\"",
            env!("CARGO_BIN_EXE_selfaudit")
        ))
        .current_dir(place.dir.path());
    let mut s = expectrl::Session::spawn(sh).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    wait_for(&mut s, "exit=2");
    let err = fs::read_to_string(place.path("err.txt")).unwrap();
    assert!(err.contains("selfaudit template"), "{err}");
}

#[test]
fn a_foreign_or_corrupt_progress_file_is_an_error_and_left_alone() {
    let place = Place::new();
    fs::create_dir_all(place.path("responses/2026-Q4")).unwrap();
    let partial = place.path("responses/2026-Q4/ann.toml.partial");
    let args = ["run", "mini", "--respondent", "Ann", "--period", "2026-Q4"];

    let foreign = "respondent = \"Bob\"\nperiod = \"2026-Q4\"\n[answers.mini]\ngreet = \"yes\"\n\
                   [resume]\nformat = \"selfaudit-partial/1\"\nchecklists = [\"mini\"]\n";
    fs::write(&partial, foreign).unwrap();
    let (rest, code) = finish(place.spawn(&args));
    assert_eq!(code, 2, "{rest}");
    assert!(rest.contains("respondent `Bob`, not `Ann`"), "{rest}");
    assert!(rest.contains("--respondent Bob"), "{rest}");
    assert_eq!(fs::read_to_string(&partial).unwrap(), foreign);

    let corrupt = "respondent = \"Ann\"\nperiod = = \"2026-Q4\"\n";
    fs::write(&partial, corrupt).unwrap();
    let (rest, code) = finish(place.spawn(&args));
    assert_eq!(code, 2, "{rest}");
    assert!(
        rest.contains("responses/2026-Q4/ann.toml.partial:2:10"),
        "{rest}"
    );
    assert!(rest.contains("delete it to start afresh"), "{rest}");
    assert_eq!(fs::read_to_string(&partial).unwrap(), corrupt);
}

#[test]
fn an_existing_responses_file_is_not_replaced_without_asking() {
    let place = Place::new();
    fs::write(place.path("mine.toml"), "keep me").unwrap();
    let mut s = place.spawn(&["run", "mini", "--respondent", "Ann", "-o", "mine.toml"]);
    wait_for(&mut s, "mine.toml already exists.");
    wait_for(&mut s, "Replace it with the answers of this interview");
    s.send(ENTER).unwrap();
    let (rest, code) = finish(s);
    // Keeping it is a choice (issue 11 item 4): exit 0, one line, no `error:`.
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("mine.toml is kept as it is"), "{rest}");
    assert!(!rest.contains("error:"), "{rest}");
    assert_eq!(
        fs::read_to_string(place.path("mine.toml")).unwrap(),
        "keep me"
    );
}

#[test]
fn with_no_checklist_named_the_defaults_are_offered_preselected() {
    let place = Place::new();
    for id in ["service-self-audit", "be-sure"] {
        fs::write(
            place.path(&format!("cl/{id}.toml")),
            MINI.replace("id = \"mini\"", &format!("id = \"{id}\""))
                .replace("Mini audit", &format!("Audit {id}")),
        )
        .unwrap();
    }
    let mut s = place.spawn(&["run", "--period", "P"]);
    // The login name is offered as the respondent.
    wait_for(&mut s, "Your name");
    wait_for(&mut s, "(tester)");
    s.send(ENTER).unwrap();
    wait_for(&mut s, "Checklists to answer");
    let list = wait_for(&mut s, "service-self-audit");
    assert!(list.contains("[x] be-sure"), "{list}");
    assert!(list.contains("[ ] mini"), "{list}");
    assert!(list.ends_with("[x] "), "{list}");
    // Tick mini and untick be-sure by typing their ids, then go on.
    s.send("mini be ").unwrap();
    wait_for(&mut s, "[ ] be-sure");
    s.send(ENTER).unwrap();
    wait_for(
        &mut s,
        "Checklists to answer · Mini audit (3 questions), Audit service-self-audit (3 questions)",
    );
    let intro = wait_for(&mut s, "[1/6]");
    assert!(intro.contains("6 questions"), "{intro}");
    s.send(CTRL_C).unwrap();
    let (rest, code) = finish(s);
    assert_eq!(code, 130, "{rest}");
    assert!(rest.contains("nothing was answered yet"), "{rest}");
    assert!(!place.path("responses/P/tester.toml.partial").exists());
}
