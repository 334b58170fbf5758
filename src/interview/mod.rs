//! The interview of `selfaudit run` (SPEC §8): which question comes next, answers, notes, review.
//!
//! The flow talks to a [`Prompter`], never to the terminal: `term` is the real one, and tests
//! drive the flow with a scripted one. Progress is handed to a `save` callback after every answer.

pub mod partial;
pub mod session;
pub mod term;

use std::path::Path;

use crate::error::Result;
use crate::model::checklist::{Checklist, Item, Section};
use crate::model::responses::{Answer, AnswerSet, Responses};

/// When to offer a note after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Notes {
    /// After every answer.
    Always,
    /// After an answer below the top of its scale ("what would improve this?").
    #[default]
    Gaps,
    Never,
}

/// Where a question sits: indices into the interview's checklists, their sections and items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub checklist: usize,
    pub section: usize,
    pub item: usize,
}

/// What is known of one question.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Pending,
    Skipped,
    /// `choice` indexes the item's scale; `None` is "not applicable".
    Answered {
        choice: Option<usize>,
        note: Option<String>,
    },
}

/// A reply to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Choice(usize),
    NotApplicable,
    Skip,
    Back,
}

/// What one reply did to a question (see [`Interview::apply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Nothing changed: "back", or a reply the question does not take.
    Unchanged,
    Skipped,
    /// Answered; `ask_note` when a note is to be offered (`gap`: the answer is below the top
    /// of the scale), starting from `old_note`.
    Answered {
        ask_note: bool,
        gap: bool,
        old_note: Option<String>,
    },
}

/// One question as the prompter shows it.
#[derive(Debug, Clone, Copy)]
pub struct Question<'a> {
    /// 1-based position in the whole interview, and the number of questions.
    pub number: usize,
    pub total: usize,
    pub checklist: &'a Checklist,
    pub section: &'a Section,
    pub item: &'a Item,
    /// The answer given so far, to start from: a choice, not applicable, or skipped.
    pub current: Option<Reply>,
    /// Whether "back" is offered.
    pub can_go_back: bool,
}

/// What the interview holds, shown before the first question.
#[derive(Debug, Clone, PartialEq)]
pub struct Intro {
    pub respondent: String,
    pub period: String,
    /// Title and number of questions of each checklist, in the order asked.
    pub checklists: Vec<(String, usize)>,
    pub total: usize,
    /// Questions already answered or skipped in an earlier session.
    pub done: usize,
    /// About how long the questions left take, in minutes.
    pub minutes: usize,
}

/// About how long one question takes to read and answer, in seconds.
const SECONDS_PER_QUESTION: usize = 20;

/// The side of the interview that asks: the terminal, or a script in tests. Every method may
/// fail with `Error::Interrupted`. What is answered is saved by the [`session::Session`].
pub trait Prompter {
    /// The respondent's name, none given; `default` is the login name, if any.
    fn respondent(&mut self, default: Option<&str>) -> Result<String>;
    /// Which checklists to answer; at least one. Returns indices into `all`.
    fn checklists(&mut self, all: &[&Checklist], preselected: &[bool]) -> Result<Vec<usize>>;
    /// There is saved progress at `path`: go on from it, or start again (discarding it).
    fn resume(&mut self, path: &Path, answered: usize, total: usize) -> Result<session::Resume>;
    /// The responses file at `path` exists: true to replace it when the interview is done.
    fn replace(&mut self, path: &Path) -> Result<bool>;
    /// The responses file at `path` exists; `can_add` when it holds answers of the same
    /// respondent and period to other checklists, to which this interview's can be added.
    /// By default: [`Prompter::replace`].
    fn existing(&mut self, path: &Path, can_add: bool) -> Result<session::Existing> {
        let _ = can_add;
        Ok(if self.replace(path)? {
            session::Existing::Replace
        } else {
            session::Existing::Keep
        })
    }
    fn intro(&mut self, intro: &Intro) -> Result<()>;
    fn ask(&mut self, question: &Question) -> Result<Reply>;
    /// An optional one-line note; `gap` when the answer is below the top of the scale.
    fn note(
        &mut self,
        question: &Question,
        gap: bool,
        current: Option<&str>,
    ) -> Result<Option<String>>;
    /// Lists the skipped questions; true to answer them now, false to save without them.
    fn review(&mut self, skipped: &[Question]) -> Result<bool>;
}

/// The checklists being answered, by one respondent for one period, and every answer so far.
#[derive(Debug, Clone)]
pub struct Interview<'c> {
    pub checklists: Vec<&'c Checklist>,
    pub respondent: String,
    pub period: String,
    /// When the interview began, carried across resumes.
    pub started: String,
    slots: Vec<Slot>,
    states: Vec<State>,
}

impl<'c> Interview<'c> {
    pub fn new(
        checklists: Vec<&'c Checklist>,
        respondent: &str,
        period: &str,
        started: &str,
    ) -> Self {
        let mut slots = Vec::new();
        for (c, checklist) in checklists.iter().enumerate() {
            for (s, section) in checklist.sections.iter().enumerate() {
                for i in 0..section.items.len() {
                    slots.push(Slot {
                        checklist: c,
                        section: s,
                        item: i,
                    });
                }
            }
        }
        let states = vec![State::Pending; slots.len()];
        Interview {
            checklists,
            respondent: respondent.to_string(),
            period: period.to_string(),
            started: started.to_string(),
            slots,
            states,
        }
    }

    /// An interview that goes on from saved answers; `skipped` lists (checklist id, item id).
    /// Answers to checklists not in this interview are ignored.
    pub fn resume(mut self, saved: &Responses, skipped: &[(String, String)]) -> Self {
        for set in &saved.sets {
            for a in &set.answers {
                if let Some(n) = self.find(&set.checklist, a.section, a.item) {
                    self.states[n] = State::Answered {
                        choice: a.choice,
                        note: a.note.clone(),
                    };
                }
            }
        }
        for (checklist, item) in skipped {
            let Some(c) = self.checklists.iter().position(|c| &c.id == checklist) else {
                continue;
            };
            if let Some((s, i)) = self.checklists[c].locate(item)
                && let Some(n) = self.find(checklist, s, i)
                && self.states[n] == State::Pending
            {
                self.states[n] = State::Skipped;
            }
        }
        self
    }

    fn find(&self, checklist: &str, section: usize, item: usize) -> Option<usize> {
        let c = self.checklists.iter().position(|c| c.id == checklist)?;
        self.slots.iter().position(|s| {
            *s == Slot {
                checklist: c,
                section,
                item,
            }
        })
    }

    pub fn total(&self) -> usize {
        self.slots.len()
    }

    /// Settles question `n` (0-based, as in [`Interview::question`]), for a front-end that asks
    /// one question per request; save it with `session::Session::save`.
    pub fn set(&mut self, n: usize, state: State) {
        self.states[n] = state;
    }

    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// How many questions have an answer (n/a included).
    pub fn answered(&self) -> usize {
        self.states
            .iter()
            .filter(|s| matches!(s, State::Answered { .. }))
            .count()
    }

    /// The questions skipped, as (checklist id, item id).
    pub fn skipped(&self) -> Vec<(String, String)> {
        self.slots
            .iter()
            .zip(&self.states)
            .filter(|(_, st)| **st == State::Skipped)
            .map(|(s, _)| {
                let c = self.checklists[s.checklist];
                (c.id.clone(), c.sections[s.section].items[s.item].id.clone())
            })
            .collect()
    }

    fn item(&self, n: usize) -> &'c Item {
        let s = self.slots[n];
        &self.checklists[s.checklist].sections[s.section].items[s.item]
    }

    pub fn question(&self, n: usize, can_go_back: bool) -> Question<'c> {
        let s = self.slots[n];
        let checklist = self.checklists[s.checklist];
        let section = &checklist.sections[s.section];
        Question {
            number: n + 1,
            total: self.slots.len(),
            checklist,
            section,
            item: &section.items[s.item],
            current: match &self.states[n] {
                State::Pending => None,
                State::Skipped => Some(Reply::Skip),
                State::Answered { choice: None, .. } => Some(Reply::NotApplicable),
                State::Answered {
                    choice: Some(c), ..
                } => Some(Reply::Choice(*c)),
            },
            can_go_back,
        }
    }

    pub fn intro(&self) -> Intro {
        let done = self.states.iter().filter(|s| **s != State::Pending).count();
        let left = self.slots.len() - done;
        Intro {
            respondent: self.respondent.clone(),
            period: self.period.clone(),
            checklists: self
                .checklists
                .iter()
                .map(|c| (c.title.clone(), c.item_count()))
                .collect(),
            total: self.slots.len(),
            done,
            minutes: (left * SECONDS_PER_QUESTION).div_ceil(60).max(1),
        }
    }

    /// Applies one reply to question `n` (0-based), as every front-end does: a choice the
    /// scale has, "not applicable" where the item allows it, or "skip". A note stays with its
    /// answer while the answer stays the same. "Back" and replies the question does not take
    /// change nothing. The caller saves the progress after any change.
    pub fn apply(&mut self, n: usize, reply: Reply, notes: Notes) -> Applied {
        if n >= self.states.len() {
            return Applied::Unchanged;
        }
        let choice = match reply {
            Reply::Back => return Applied::Unchanged,
            Reply::Skip => {
                self.states[n] = State::Skipped;
                return Applied::Skipped;
            }
            Reply::NotApplicable if self.item(n).na => None,
            Reply::NotApplicable => return Applied::Unchanged,
            Reply::Choice(c) if c < self.item(n).scale.choices.len() => Some(c),
            Reply::Choice(_) => return Applied::Unchanged,
        };
        let old_note = match &self.states[n] {
            State::Answered { choice: old, note } if *old == choice => note.clone(),
            _ => None,
        };
        let scale = &self.item(n).scale;
        let gap = choice.is_some_and(|c| !scale.is_top(scale.choices[c].value));
        let ask_note = match notes {
            Notes::Always => true,
            Notes::Gaps => gap,
            Notes::Never => false,
        };
        self.states[n] = State::Answered {
            choice,
            note: if ask_note || notes == Notes::Never {
                old_note.clone()
            } else {
                None
            },
        };
        Applied::Answered {
            ask_note,
            gap,
            old_note,
        }
    }

    /// Sets the note of an answered question (trimmed; empty is none). True when it changed.
    pub fn set_note(&mut self, n: usize, note: Option<String>) -> bool {
        let note = note.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        match self.states.get_mut(n) {
            Some(State::Answered { note: old, .. }) if *old != note => {
                *old = note;
                true
            }
            _ => false,
        }
    }

    /// The answers as a responses file: every checklist with its version, answers in checklist
    /// order, checklists by id (the order `Responses::parse` gives, so that it reads back equal).
    pub fn to_responses(&self, submitted: Option<String>) -> Responses {
        let sets: Vec<AnswerSet> = self
            .checklists
            .iter()
            .enumerate()
            .map(|(c, checklist)| AnswerSet {
                checklist: checklist.id.clone(),
                version: Some(checklist.version.clone()),
                answers: self
                    .slots
                    .iter()
                    .zip(&self.states)
                    .filter(|(s, _)| s.checklist == c)
                    .filter_map(|(s, st)| match st {
                        State::Answered { choice, note } => Some(Answer {
                            section: s.section,
                            item: s.item,
                            choice: *choice,
                            note: note.clone(),
                        }),
                        _ => None,
                    })
                    .collect(),
            })
            .collect();
        Responses {
            respondent: self.respondent.clone(),
            period: self.period.clone(),
            submitted,
            sets,
            role: None,
        }
    }
}

/// Asks every question not yet answered or skipped, then offers the skipped ones again until the
/// respondent answers them or chooses to save without them. `save` gets the progress after every
/// change; on `Ok` every question was asked and the interview is ready to be written.
pub fn run(
    interview: &mut Interview,
    notes: Notes,
    prompter: &mut dyn Prompter,
    save: &mut dyn FnMut(&Interview) -> Result<()>,
) -> Result<()> {
    prompter.intro(&interview.intro())?;
    // Questions settled in an earlier session are passed over going forward, though "back" reaches them.
    let settled: Vec<bool> = interview
        .states
        .iter()
        .map(|s| *s != State::Pending)
        .collect();
    let order: Vec<usize> = (0..interview.total()).collect();
    walk(interview, &order, &settled, notes, prompter, save)?;
    loop {
        let skipped: Vec<usize> = (0..interview.total())
            .filter(|&n| interview.states[n] == State::Skipped)
            .collect();
        if skipped.is_empty() {
            return Ok(());
        }
        let questions: Vec<Question> = skipped
            .iter()
            .map(|&n| interview.question(n, false))
            .collect();
        if !prompter.review(&questions)? {
            return Ok(());
        }
        walk(
            interview,
            &skipped,
            &vec![false; interview.total()],
            notes,
            prompter,
            save,
        )?;
    }
}

/// Asks the questions of `order` one after another; "back" steps to the previous one in `order`,
/// going forward passes over those `settled`.
fn walk(
    interview: &mut Interview,
    order: &[usize],
    settled: &[bool],
    notes: Notes,
    prompter: &mut dyn Prompter,
    save: &mut dyn FnMut(&Interview) -> Result<()>,
) -> Result<()> {
    let next = |from: Option<usize>| {
        let start = from.map_or(0, |p| p + 1);
        (start..order.len()).find(|&p| !settled[order[p]])
    };
    let mut pos = next(None);
    while let Some(p) = pos {
        let n = order[p];
        let question = interview.question(n, p > 0);
        let reply = prompter.ask(&question)?;
        if reply == Reply::Back {
            pos = Some(p.saturating_sub(1));
            continue;
        }
        match interview.apply(n, reply, notes) {
            Applied::Unchanged => {
                pos = Some(p);
                continue;
            }
            Applied::Skipped => save(interview)?,
            Applied::Answered {
                ask_note,
                gap,
                old_note,
            } => {
                save(interview)?;
                if ask_note {
                    let note = prompter.note(&question, gap, old_note.as_deref())?;
                    if interview.set_note(n, note) {
                        save(interview)?;
                    }
                }
            }
        }
        pos = next(Some(p));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
