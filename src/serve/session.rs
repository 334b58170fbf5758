//! The web side of the interview session: one request opens the respondent's
//! [`Session`](crate::interview::session::Session) (lock → progress), applies one step, saves
//! through it, and drops it (unlock). The files are exactly `run`'s.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interview::session::{Resume, Session, Settings};
use crate::interview::{Intro, Notes, Prompter, Question, Reply, partial};
use crate::load::{self, Registry};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::model::responses::Responses;
use crate::score;

/// One respondent's files, as `run` names them.
#[derive(Debug, Clone)]
pub struct Files {
    pub output: PathBuf,
    pub partial: PathBuf,
}

impl Files {
    pub fn new(folder: &Path, slug: &str) -> Files {
        let output = folder.join(format!("{slug}.toml"));
        Files {
            partial: crate::paths::with_suffix(&output, ".partial"),
            output,
        }
    }
}

/// Where a respondent stands, as the files say.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    NotStarted,
    InProgress { answered: usize, total: usize },
    Submitted,
}

/// What one request finds for a respondent, under the lock.
pub enum Opened<'r> {
    /// The session: progress, or a new interview.
    Open(Box<Session<'r>>),
    Submitted(Responses),
}

/// Tries at taking the lock, 10 ms apart, before saying that a terminal holds it: a lock held
/// for a moment only (a process forked meanwhile holds a copy of the descriptor until it execs)
/// is waited for; a terminal holds it for its whole interview.
const LOCK_TRIES: usize = 20;

/// What a web interview asks, and for which period.
pub struct Web<'a> {
    pub registry: &'a Registry,
    /// The checklists a new interview asks.
    pub ids: &'a [String],
    pub period: &'a str,
}

impl<'a> Web<'a> {
    /// Opens one request's session of a respondent: `None` while a terminal holds the lock.
    pub fn open(
        &self,
        name: &str,
        role: Option<&str>,
        files: &Files,
    ) -> Result<Option<Opened<'a>>> {
        for _ in 0..LOCK_TRIES {
            let settings = Settings {
                respondent: Some(name.to_string()),
                period: Some(self.period.to_string()),
                role: role.map(str::to_string),
                notes: Notes::Gaps,
                ..Default::default()
            };
            if let Some(session) =
                Session::open_request(self.registry, settings, &files.output, self.ids)?
            {
                if !session.in_progress() && files.output.exists() {
                    let responses = self.read_responses(&files.output)?;
                    return Ok(Some(Opened::Submitted(responses)));
                }
                return Ok(Some(Opened::Open(Box::new(session))));
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Ok(None)
    }

    fn read_responses(&self, path: &Path) -> Result<Responses> {
        let text = load::read_text(path)?;
        let shown = load::display(path);
        Responses::parse(
            &Source {
                name: &shown,
                text: &text,
            },
            |id| self.registry.get(id),
            || self.registry.ids(),
        )
        .map(|(r, _)| r)
        .map_err(|problems| Error::Invalid { problems })
    }

    /// Where a respondent stands, read without the lock (files are replaced whole, by rename).
    pub fn status(&self, files: &Files) -> Status {
        if files.partial.exists() {
            let saved = load::read_text(&files.partial).ok().and_then(|text| {
                partial::parse(
                    &Source {
                        name: "",
                        text: &text,
                    },
                    |id| self.registry.get(id),
                    || self.registry.ids(),
                )
                .ok()
            });
            let (answered, total) = saved.map_or((0, 0), |s| {
                let total = s
                    .checklists
                    .iter()
                    .filter_map(|id| self.registry.get(id))
                    .map(Checklist::item_count)
                    .sum();
                (s.answered(), total)
            });
            Status::InProgress { answered, total }
        } else if files.output.exists() {
            Status::Submitted
        } else {
            Status::NotStarted
        }
    }
}

/// Submits: the session writes the responses file as `run` does and removes the progress.
pub fn submit(session: Box<Session<'_>>) -> Result<Responses> {
    Ok(session.finish(&mut Asked)?.responses)
}

/// The web asks its questions in pages, not through a prompter: a session of `serve` never
/// prompts (it is opened settled, and replaces an earlier responses file), so every question
/// here is a bug, answered as an interruption.
struct Asked;

fn not_here<T>() -> Result<T> {
    Err(Error::Interrupted { hint: None })
}

impl Prompter for Asked {
    fn respondent(&mut self, _: Option<&str>) -> Result<String> {
        not_here()
    }
    fn checklists(&mut self, _: &[&Checklist], _: &[bool]) -> Result<Vec<usize>> {
        not_here()
    }
    fn resume(&mut self, _: &Path, _: usize, _: usize) -> Result<Resume> {
        Ok(Resume::Resume)
    }
    fn replace(&mut self, _: &Path) -> Result<bool> {
        Ok(true)
    }
    fn intro(&mut self, _: &Intro) -> Result<()> {
        not_here()
    }
    fn ask(&mut self, _: &Question) -> Result<Reply> {
        not_here()
    }
    fn note(&mut self, _: &Question, _: bool, _: Option<&str>) -> Result<Option<String>> {
        not_here()
    }
    fn review(&mut self, _: &[Question]) -> Result<bool> {
        not_here()
    }
}

/// The respondent's own scores, as `run` prints them: the checklists in the order asked
/// (`order`, the server's), whatever the order of the file.
pub fn own_report(registry: &Registry, order: &[String], responses: &Responses) -> Report {
    let mut checklists: Vec<&Checklist> = responses
        .sets
        .iter()
        .filter_map(|s| registry.get(&s.checklist))
        .collect();
    checklists.sort_by_key(|c| {
        order
            .iter()
            .position(|id| *id == c.id)
            .unwrap_or(usize::MAX)
    });
    let mut tally = score::Tally::new(checklists);
    tally.add(0, responses);
    tally.finish(&score::Options {
        period: responses.period.clone(),
        generated: crate::env::now(),
        ..Default::default()
    })
}
