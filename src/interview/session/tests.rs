//! The session driven by a scripted prompter: resume, start again, replace, foreign progress.

use std::path::Path;

use super::*;
use crate::interview::{Intro, Question, Reply};

use crate::interview::tests::SHOP;

/// A prompter with set answers; it answers `answers` questions with the first choice, then
/// behaves as Ctrl-C does.
struct Script {
    resume: Resume,
    replace: bool,
    answers: usize,
    asked: Vec<String>,
    resume_asked: Option<(usize, usize)>,
    replace_asked: usize,
}

impl Script {
    fn new(answers: usize) -> Self {
        Script {
            resume: Resume::Resume,
            replace: false,
            answers,
            asked: Vec::new(),
            resume_asked: None,
            replace_asked: 0,
        }
    }
}

impl Prompter for Script {
    fn respondent(&mut self, _default: Option<&str>) -> Result<String> {
        Ok("Ann".to_string())
    }

    fn checklists(&mut self, _all: &[&Checklist], _preselected: &[bool]) -> Result<Vec<usize>> {
        Ok(vec![0])
    }

    fn resume(&mut self, _path: &Path, answered: usize, total: usize) -> Result<Resume> {
        self.resume_asked = Some((answered, total));
        Ok(self.resume)
    }

    fn replace(&mut self, _path: &Path) -> Result<bool> {
        self.replace_asked += 1;
        Ok(self.replace)
    }

    fn intro(&mut self, _intro: &Intro) -> Result<()> {
        Ok(())
    }

    fn ask(&mut self, question: &Question) -> Result<Reply> {
        if self.answers == 0 {
            return Err(Error::Interrupted { hint: None });
        }
        self.answers -= 1;
        self.asked.push(question.item.id.clone());
        Ok(Reply::Choice(0))
    }

    fn note(
        &mut self,
        _q: &Question,
        _gap: bool,
        _current: Option<&str>,
    ) -> Result<Option<String>> {
        Ok(None)
    }

    fn review(&mut self, _skipped: &[Question]) -> Result<bool> {
        Ok(false)
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    registry: Registry,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let checklists = dir.path().join("checklists");
        std::fs::create_dir(&checklists).unwrap();
        std::fs::write(checklists.join("shop.toml"), SHOP).unwrap();
        let registry = Registry::discover(Some(&checklists)).unwrap();
        Fixture { dir, registry }
    }

    fn output(&self) -> PathBuf {
        self.dir.path().join("ann.toml")
    }

    fn partial(&self) -> PathBuf {
        self.dir.path().join("ann.toml.partial")
    }

    fn settings(&self, respondent: &str) -> Settings {
        Settings {
            checklists: vec!["shop".to_string()],
            named: vec!["shop".to_string()],
            respondent: Some(respondent.to_string()),
            period: Some("2026-Q4".to_string()),
            output: Some(self.output()),
            ..Default::default()
        }
    }

    /// Answers one question, then Ctrl-C: the progress file holds one answer.
    fn interrupted_after_one(&self, respondent: &str) -> Error {
        let mut script = Script::new(1);
        let mut session =
            Session::open(&self.registry, self.settings(respondent), &mut script).unwrap();
        session.ask(&mut script).unwrap_err()
    }
}

#[test]
fn interruption_saves_and_says_how_to_go_on() {
    let f = Fixture::new();
    let err = f.interrupted_after_one("Ann");
    let Error::Interrupted { hint: Some(hint) } = err else {
        panic!("not an interruption: {err:?}")
    };
    assert!(hint.starts_with("1 answer is saved in "), "{hint}");
    assert!(
        hint.contains(" run shop --respondent Ann --period 2026-Q4 -o "),
        "{hint}"
    );
    assert!(f.partial().exists());
    assert!(!f.output().exists());
}

#[test]
fn resume_asks_only_what_is_left_and_keeps_the_answers() {
    let f = Fixture::new();
    f.interrupted_after_one("Ann");
    let mut script = Script::new(5);
    let mut session = Session::open(&f.registry, f.settings("Ann"), &mut script).unwrap();
    assert_eq!(script.resume_asked, Some((1, 4)));
    assert_eq!(session.interview().answered(), 1);
    session.ask(&mut script).unwrap();
    assert_eq!(script.asked, ["return-calls", "greet", "tidy"]);
    let done = session.finish(&mut script).unwrap();
    assert_eq!(done.interview.answered(), 4);
    assert!(f.output().exists());
    assert!(!f.partial().exists(), "the progress file goes once written");
}

#[test]
fn start_again_asks_everything() {
    let f = Fixture::new();
    f.interrupted_after_one("Ann");
    let mut script = Script::new(5);
    script.resume = Resume::StartAgain;
    let mut session = Session::open(&f.registry, f.settings("Ann"), &mut script).unwrap();
    assert_eq!(session.interview().answered(), 0);
    session.ask(&mut script).unwrap();
    assert_eq!(
        script.asked,
        ["answer-phone", "return-calls", "greet", "tidy"]
    );
}

#[test]
fn an_existing_file_is_kept_unless_replace_is_chosen() {
    let f = Fixture::new();
    std::fs::write(f.output(), "# mine\n").unwrap();
    let mut script = Script::new(5);
    let err = Session::open(&f.registry, f.settings("Ann"), &mut script).unwrap_err();
    assert!(err.to_string().contains("kept as it is"), "{err}");
    assert_eq!(script.replace_asked, 1);
    assert!(script.asked.is_empty(), "nothing is asked");
    assert_eq!(std::fs::read_to_string(f.output()).unwrap(), "# mine\n");

    let mut script = Script::new(5);
    script.replace = true;
    let mut session = Session::open(&f.registry, f.settings("Ann"), &mut script).unwrap();
    session.ask(&mut script).unwrap();
    session.finish(&mut script).unwrap();
    assert_eq!(script.replace_asked, 1, "asked once, before the questions");
    assert!(
        std::fs::read_to_string(f.output())
            .unwrap()
            .contains("answer-phone")
    );
}

#[test]
fn force_replaces_without_asking() {
    let f = Fixture::new();
    std::fs::write(f.output(), "# mine\n").unwrap();
    let mut script = Script::new(5);
    let settings = Settings {
        force: true,
        ..f.settings("Ann")
    };
    let mut session = Session::open(&f.registry, settings, &mut script).unwrap();
    session.ask(&mut script).unwrap();
    session.finish(&mut script).unwrap();
    assert_eq!(script.replace_asked, 0);
}

#[test]
fn progress_of_another_respondent_is_neither_resumed_nor_overwritten() {
    let f = Fixture::new();
    f.interrupted_after_one("Ann");
    let before = std::fs::read_to_string(f.partial()).unwrap();
    let mut script = Script::new(5);
    let err = Session::open(&f.registry, f.settings("Bob"), &mut script).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("an unfinished interview of another kind"),
        "{text}"
    );
    assert!(text.contains("respondent `Ann`, not `Bob`"), "{text}");
    assert_eq!(script.resume_asked, None, "not offered to resume");
    assert_eq!(std::fs::read_to_string(f.partial()).unwrap(), before);
}

#[test]
fn an_answer_saved_through_the_session_is_there_when_it_is_opened_again() {
    // What a web handler does per request: open, apply one reply, save, drop (unlocks).
    let f = Fixture::new();
    let mut script = Script::new(0);
    {
        let mut session = Session::open(&f.registry, f.settings("Ann"), &mut script).unwrap();
        session.interview_mut().set(
            0,
            crate::interview::State::Answered {
                choice: Some(0),
                note: None,
            },
        );
        session.save().unwrap();
    }
    let mut script = Script::new(0);
    let session = Session::open(&f.registry, f.settings("Ann"), &mut script).unwrap();
    assert_eq!(script.resume_asked, Some((1, 4)));
    assert_eq!(session.interview().answered(), 1);
}
