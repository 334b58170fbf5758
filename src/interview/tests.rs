//! The flow driven by a scripted prompter: answers, n/a, skip, back, notes, review, resume.

use std::collections::VecDeque;

use super::*;
use crate::error::Error;
use crate::model::Source;

pub(super) const SHOP: &str = r#"
id = "shop"
title = "Shop"
version = "3"
scale = "yes-partly-no"

[[sections]]
id = "calls"
title = "Calls"

[[sections.items]]
id = "answer-phone"
text = "Do you answer the phone?"

[[sections.items]]
id = "return-calls"
text = "Do you return calls?"
na = false

[[sections]]
id = "visits"
title = "Visits"

[[sections.items]]
id = "greet"
text = "Do you greet visitors?"
scale = "yes-no"

[[sections.items]]
id = "tidy"
text = "Is the shop tidy?"
scale = "frequency"
"#;

fn shop() -> Checklist {
    Checklist::parse(&Source {
        name: "shop.toml",
        text: SHOP,
    })
    .unwrap()
}

/// What the script expects next, and what it answers.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Ask(&'static str, Reply),
    Note(&'static str, Option<&'static str>),
    Review(usize, bool),
}

/// A prompter that plays a script and records what it was asked; when the script runs out it
/// behaves as Ctrl-C does.
#[derive(Default)]
struct Script {
    steps: VecDeque<Step>,
    asked: Vec<String>,
    /// (item id, the answer shown as current) for every question asked.
    currents: Vec<(String, Option<Reply>)>,
    notes_current: Vec<Option<String>>,
    intro: Option<Intro>,
}

impl Script {
    fn new(steps: &[Step]) -> Self {
        Script {
            steps: steps.iter().cloned().collect(),
            ..Default::default()
        }
    }

    fn next(&mut self) -> Result<Step> {
        self.steps
            .pop_front()
            .ok_or(Error::Interrupted { hint: None })
    }
}

impl Prompter for Script {
    fn respondent(&mut self, _default: Option<&str>) -> Result<String> {
        unreachable!("the flow never asks who answers")
    }

    fn checklists(&mut self, _all: &[&Checklist], _preselected: &[bool]) -> Result<Vec<usize>> {
        unreachable!("the flow never asks which checklists")
    }

    fn resume(&mut self, _path: &Path, _answered: usize, _total: usize) -> Result<session::Resume> {
        unreachable!("the flow never asks to resume")
    }

    fn replace(&mut self, _path: &Path) -> Result<bool> {
        unreachable!("the flow never asks to replace")
    }

    fn intro(&mut self, intro: &Intro) -> Result<()> {
        self.intro = Some(intro.clone());
        Ok(())
    }

    fn ask(&mut self, q: &Question) -> Result<Reply> {
        let step = self.next()?;
        let Step::Ask(id, reply) = step else {
            panic!("asked {} but the script says {step:?}", q.item.id)
        };
        assert_eq!(q.item.id, id, "question order");
        self.asked.push(q.item.id.clone());
        self.currents.push((q.item.id.clone(), q.current));
        Ok(reply)
    }

    fn note(&mut self, q: &Question, _gap: bool, current: Option<&str>) -> Result<Option<String>> {
        let step = self.next()?;
        let Step::Note(id, note) = step else {
            panic!("note for {} but the script says {step:?}", q.item.id)
        };
        assert_eq!(q.item.id, id, "note order");
        self.notes_current.push(current.map(str::to_string));
        Ok(note.map(str::to_string))
    }

    fn review(&mut self, skipped: &[Question]) -> Result<bool> {
        let step = self.next()?;
        let Step::Review(n, answer) = step else {
            panic!("review but the script says {step:?}")
        };
        assert_eq!(skipped.len(), n, "skipped questions listed");
        Ok(answer)
    }
}

/// Runs the script; returns the outcome, the interview, the prompter and how many saves happened.
fn play<'c>(
    interview: Interview<'c>,
    notes: Notes,
    steps: &[Step],
) -> (Result<()>, Interview<'c>, Script, usize) {
    let mut interview = interview;
    let mut script = Script::new(steps);
    let mut saves = 0;
    let outcome = run(&mut interview, notes, &mut script, &mut |_| {
        saves += 1;
        Ok(())
    });
    assert!(
        outcome.is_err() || script.steps.is_empty(),
        "script left over: {:?}",
        script.steps
    );
    (outcome, interview, script, saves)
}

/// (item id, choice key or "n/a", note) of every answer, in order.
fn answers(interview: &Interview) -> Vec<(String, String, Option<String>)> {
    let r = interview.to_responses(None);
    let mut out = Vec::new();
    for set in &r.sets {
        let c = interview
            .checklists
            .iter()
            .find(|c| c.id == set.checklist)
            .unwrap();
        for a in &set.answers {
            let item = &c.sections[a.section].items[a.item];
            let key = match a.choice {
                None => "n/a".to_string(),
                Some(k) => item.scale.choices[k].key.clone(),
            };
            out.push((item.id.clone(), key, a.note.clone()));
        }
    }
    out
}

fn a(id: &str, key: &str, note: Option<&str>) -> (String, String, Option<String>) {
    (id.to_string(), key.to_string(), note.map(str::to_string))
}

use Reply::*;
use Step::*;

#[test]
fn every_question_is_asked_once_in_order_with_notes_after_gaps() {
    let c = shop();
    let (outcome, iv, script, saves) = play(
        Interview::new(vec![&c], "Ann", "2026-Q4", "t"),
        Notes::Gaps,
        &[
            Ask("answer-phone", Choice(2)),
            Ask("return-calls", Choice(1)),
            Note("return-calls", Some("  voicemail backlog  ")),
            Ask("greet", NotApplicable),
            Ask("tidy", Choice(0)),
            Note("tidy", None),
        ],
    );
    outcome.unwrap();
    assert_eq!(
        script.asked,
        ["answer-phone", "return-calls", "greet", "tidy"]
    );
    assert_eq!(
        answers(&iv),
        [
            a("answer-phone", "yes", None),
            a("return-calls", "partly", Some("voicemail backlog")),
            a("greet", "n/a", None),
            a("tidy", "never", None),
        ]
    );
    // One save per answer, one more per note given.
    assert_eq!(saves, 5);
    let intro = script.intro.unwrap();
    assert_eq!((intro.total, intro.done, intro.minutes), (4, 0, 2));
    assert_eq!(intro.checklists, [("Shop".to_string(), 4)]);
    let r = iv.to_responses(None);
    assert_eq!(r.sets[0].version.as_deref(), Some("3"));
}

#[test]
fn notes_always_and_never() {
    let c = shop();
    let (outcome, iv, _, _) = play(
        Interview::new(vec![&c], "Ann", "P", "t"),
        Notes::Always,
        &[
            Ask("answer-phone", Choice(2)),
            Note("answer-phone", Some("always do")),
            Ask("return-calls", Choice(0)),
            Note("return-calls", None),
            Ask("greet", Choice(1)),
            Note("greet", None),
            Ask("tidy", Skip),
            Review(1, false),
        ],
    );
    outcome.unwrap();
    assert_eq!(answers(&iv)[0], a("answer-phone", "yes", Some("always do")));

    let (outcome, iv, _, _) = play(
        Interview::new(vec![&c], "Ann", "P", "t"),
        Notes::Never,
        &[
            Ask("answer-phone", Choice(0)),
            Ask("return-calls", Choice(0)),
            Ask("greet", Choice(0)),
            Ask("tidy", Choice(0)),
        ],
    );
    outcome.unwrap();
    assert!(answers(&iv).iter().all(|(_, _, n)| n.is_none()));
}

#[test]
fn back_reasks_the_previous_question_showing_its_answer() {
    let c = shop();
    let (outcome, iv, script, _) = play(
        Interview::new(vec![&c], "Ann", "P", "t"),
        Notes::Gaps,
        &[
            Ask("answer-phone", Choice(0)),
            Note("answer-phone", Some("nobody at the desk")),
            Ask("return-calls", Back),
            // The note is offered again, filled in, while the answer stays the same.
            Ask("answer-phone", Choice(0)),
            Note("answer-phone", Some("nobody at the desk")),
            Ask("return-calls", Choice(2)),
            Ask("greet", Back),
            Ask("return-calls", Back),
            // A top answer now: the old note no longer applies.
            Ask("answer-phone", Choice(2)),
            Ask("return-calls", Choice(2)),
            Ask("greet", Choice(1)),
            Ask("tidy", Choice(4)),
        ],
    );
    outcome.unwrap();
    assert_eq!(
        script.currents[..4],
        [
            ("answer-phone".to_string(), None),
            ("return-calls".to_string(), None),
            ("answer-phone".to_string(), Some(Choice(0))),
            ("return-calls".to_string(), None),
        ]
    );
    assert_eq!(
        script.notes_current,
        [None, Some("nobody at the desk".to_string())]
    );
    assert_eq!(
        answers(&iv),
        [
            a("answer-phone", "yes", None),
            a("return-calls", "yes", None),
            a("greet", "yes", None),
            a("tidy", "always", None),
        ]
    );
}

#[test]
fn skipped_questions_are_reviewed_and_can_be_answered_or_left() {
    let c = shop();
    let (outcome, iv, script, _) = play(
        Interview::new(vec![&c], "Ann", "P", "t"),
        Notes::Never,
        &[
            Ask("answer-phone", Skip),
            Ask("return-calls", Choice(2)),
            Ask("greet", Skip),
            Ask("tidy", Choice(3)),
            Review(2, true),
            // Only the skipped ones, in order; the first shows it was skipped.
            Ask("answer-phone", Choice(1)),
            Ask("greet", Skip),
            Review(1, false),
        ],
    );
    outcome.unwrap();
    assert_eq!(script.currents[4], ("answer-phone".to_string(), Some(Skip)));
    assert_eq!(
        answers(&iv),
        [
            a("answer-phone", "partly", None),
            a("return-calls", "yes", None),
            a("tidy", "often", None),
        ]
    );
    assert_eq!(iv.skipped(), [("shop".to_string(), "greet".to_string())]);
}

#[test]
fn replies_the_item_does_not_allow_ask_again() {
    let c = shop();
    let (outcome, iv, _, _) = play(
        Interview::new(vec![&c], "Ann", "P", "t"),
        Notes::Never,
        &[
            // No "back" before the first question, no n/a where na = false, no 9th choice.
            Ask("answer-phone", Back),
            Ask("answer-phone", Choice(2)),
            Ask("return-calls", NotApplicable),
            Ask("return-calls", Choice(9)),
            Ask("return-calls", Choice(2)),
            Ask("greet", Choice(1)),
            Ask("tidy", Choice(4)),
        ],
    );
    outcome.unwrap();
    assert_eq!(answers(&iv)[1], a("return-calls", "yes", None));
}

#[test]
fn an_interrupted_interview_resumes_from_its_progress_file_asking_only_what_is_left() {
    let shop = shop();
    let be_sure = Checklist::parse(&Source {
        name: "b.toml",
        text: &SHOP.replace("id = \"shop\"", "id = \"be-sure\""),
    })
    .unwrap();
    let lookup = |id: &str| [&shop, &be_sure].into_iter().find(|c| c.id == id);

    // First session: two answers (one with a note), one skip, then Ctrl-C.
    let mut first = Interview::new(
        vec![&shop, &be_sure],
        "Ann \"A\"",
        "2026-Q4",
        "2026-11-01T10:00:00Z",
    );
    let mut script = Script::new(&[
        Ask("answer-phone", Choice(1)),
        Note("answer-phone", Some("more staff = fewer \"missed\" calls")),
        Ask("return-calls", Skip),
        Ask("greet", Choice(1)),
    ]);
    let mut saved_text = String::new();
    let outcome = run(&mut first, Notes::Gaps, &mut script, &mut |iv| {
        saved_text = partial::write(iv);
        Ok(())
    });
    assert!(matches!(outcome, Err(Error::Interrupted { .. })));

    let saved = partial::parse(
        &Source {
            name: "x.partial",
            text: &saved_text,
        },
        lookup,
        Vec::new,
    )
    .unwrap_or_else(|p| panic!("{p:?}\n{saved_text}"));
    assert_eq!(saved.checklists, ["shop", "be-sure"]);
    assert_eq!(saved.answered(), 2);
    assert_eq!(saved.started, "2026-11-01T10:00:00Z");
    // A progress file without a role (as written before the role was kept) reads as none;
    // one with a role gives it back.
    assert_eq!(saved.role, None);
    let with_role = partial::write_with_role(&first, Some("staff"));
    let again = partial::parse(
        &Source {
            name: "x.partial",
            text: &with_role,
        },
        lookup,
        Vec::new,
    )
    .unwrap_or_else(|p| panic!("{p:?}\n{with_role}"));
    assert_eq!(again.role.as_deref(), Some("staff"));
    assert_eq!(again.responses, saved.responses);
    assert_eq!(saved.responses.respondent, "Ann \"A\"");

    // Second session: only the questions left, then the skipped one at review.
    let resumed = Interview::new(
        vec![&shop, &be_sure],
        "Ann \"A\"",
        "2026-Q4",
        &saved.started,
    )
    .resume(&saved.responses, &saved.skipped);
    let mut steps = vec![Ask("tidy", Choice(4))];
    for id in ["answer-phone", "return-calls", "greet", "tidy"] {
        steps.push(Ask(id, Choice(1)));
        if id != "greet" {
            steps.push(Note(id, None));
        }
    }
    steps.push(Review(1, true));
    steps.push(Ask("return-calls", Choice(2)));
    let (outcome, iv, script, _) = play(resumed, Notes::Gaps, &steps);
    outcome.unwrap();
    assert_eq!(
        script.intro.as_ref().map(|i| (i.total, i.done)),
        Some((8, 3))
    );
    assert_eq!(script.asked.len(), 6);
    let all = answers(&iv);
    assert_eq!(all.len(), 8);
    // Checklists in the order asked (issue 11 item 6): shop, then be-sure.
    let text = iv.to_responses(None).to_toml(&iv.checklists);
    let (shop_at, be_sure_at) = (text.find("[answers.shop]"), text.find("[answers.be-sure]"));
    assert!(shop_at.is_some() && shop_at < be_sure_at, "{text}");
    assert_eq!(
        all[..4],
        [
            a(
                "answer-phone",
                "partly",
                Some("more staff = fewer \"missed\" calls")
            ),
            a("return-calls", "yes", None),
            a("greet", "yes", None),
            a("tidy", "always", None),
        ]
    );
}

#[test]
fn progress_files_that_are_not_ours_are_refused_clearly() {
    let shop = shop();
    let lookup = |id: &str| (id == "shop").then_some(&shop);
    let parse = |text: &str| {
        partial::parse(
            &Source {
                name: "p.partial",
                text,
            },
            lookup,
            || vec!["shop".to_string()],
        )
        .unwrap_err()
    };
    let p = parse("respondent = \"A\"\nperiod = = 1\n");
    assert_eq!(p[0].position, Some((2, 10)));

    let p = parse("respondent = \"A\"\nperiod = \"P\"\n");
    assert!(p[0].message.contains("no [resume] table"), "{p:?}");
    assert!(p[0].hint.as_deref().unwrap().contains("delete it"));

    let resume = "[resume]\nformat = \"selfaudit-partial/1\"\nchecklists = [\"shop\"]\n";
    let p = parse(&format!(
        "respondent = \"A\"\nperiod = \"P\"\n[answers.shop]\nnope = \"yes\"\n{resume}"
    ));
    assert!(p[0].message.contains("has no item `nope`"), "{p:?}");
    assert_eq!(p[0].position, None);

    let p = parse(&format!(
        "respondent = \"A\"\nperiod = \"P\"\n{}",
        resume.replace("[\"shop\"]", "[\"gone\"]")
    ));
    assert!(p[0].message.contains("`gone`"), "{p:?}");
}

#[test]
fn what_an_interview_writes_reads_back_as_the_same_responses() {
    let c = shop();
    let (outcome, iv, _, _) = play(
        Interview::new(vec![&c], "Zoë \"Z\" O'Neil", "2026-Q4", "t"),
        Notes::Gaps,
        &[
            Ask("answer-phone", Choice(0)),
            Note("answer-phone", Some("nobody = # \"there\" \\ [x]")),
            Ask("return-calls", Skip),
            Ask("greet", NotApplicable),
            Ask("tidy", Choice(3)),
            Note("tidy", None),
            Review(1, false),
        ],
    );
    outcome.unwrap();
    let written = iv.to_responses(Some("2026-11-22T20:15:00Z".to_string()));
    let text = written.to_toml(&iv.checklists);
    let (read, warnings) = Responses::parse(
        &Source {
            name: "r.toml",
            text: &text,
        },
        |id| (id == "shop").then_some(&c),
        Vec::new,
    )
    .unwrap_or_else(|p| panic!("{p:?}\n{text}"));
    assert!(warnings.is_empty());
    assert_eq!(read, written);
    assert_eq!(read.sets[0].answers.len(), 3);
}
