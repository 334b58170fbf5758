//! The web side of one respondent's interview: load the progress under the lock, apply one
//! step, save, release. The files are exactly `run`'s: `<output>.partial`, `<output>.lock`
//! and the responses file; the flow is `Interview`'s.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::interview::{Interview, partial};
use crate::load::{self, Registry};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::model::responses::Responses;
use crate::score;

/// One respondent's files.
#[derive(Debug, Clone)]
pub struct Files {
    pub output: PathBuf,
    pub partial: PathBuf,
    pub lock: PathBuf,
}

impl Files {
    pub fn new(folder: &Path, slug: &str) -> Files {
        let output = folder.join(format!("{slug}.toml"));
        Files {
            partial: crate::paths::with_suffix(&output, ".partial"),
            lock: crate::paths::with_suffix(&output, ".lock"),
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

/// What the files hold for one respondent.
pub enum Loaded<'c> {
    /// Progress, or a fresh interview when there is none.
    Open(Interview<'c>),
    Submitted(Responses),
}

/// The lock of one respondent's interview, held while it lives.
pub struct Held {
    _file: fs::File,
}

/// Takes the lock of `<output>.lock` without waiting: `None` while another process (a terminal's
/// `selfaudit run`) holds it.
pub fn try_lock(files: &Files) -> Result<Option<Held>> {
    // A lock held for a moment only (a process forked meanwhile holds a copy of the descriptor
    // until it execs) is waited for; a terminal holds it for its whole interview.
    for _ in 0..LOCK_TRIES {
        if let Some(file) = crate::paths::try_lock(&files.lock)? {
            return Ok(Some(Held { _file: file }));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(None)
}

/// Tries at taking the lock, 10 ms apart, before saying that a terminal holds it.
const LOCK_TRIES: usize = 20;

/// What a web interview asks, and of whom.
pub struct Web<'a> {
    pub registry: &'a Registry,
    /// The checklists a new interview asks.
    pub ids: &'a [String],
    pub period: &'a str,
}

impl<'a> Web<'a> {
    /// Reads a respondent's progress or responses (the caller holds the lock).
    pub fn load(&self, files: &Files, name: &str) -> Result<Loaded<'a>> {
        crate::paths::refuse_link(&files.partial)?;
        crate::paths::refuse_link(&files.output)?;
        if files.partial.exists() {
            let text = load::read_text(&files.partial)?;
            let shown = load::display(&files.partial);
            let saved = partial::parse(
                &Source {
                    name: &shown,
                    text: &text,
                },
                |id| self.registry.get(id),
                || self.registry.ids(),
            )
            .map_err(|problems| Error::Invalid { problems })?;
            if !crate::team::same_person(&saved.responses.respondent, name)
                || saved.responses.period != self.period
            {
                return Err(Error::usage(format!(
                    "{shown}: holds the interview of another respondent or period"
                )));
            }
            let checklists: Vec<&'a Checklist> = saved
                .checklists
                .iter()
                .filter_map(|id| self.registry.get(id))
                .collect();
            let interview = Interview::new(
                checklists,
                &saved.responses.respondent,
                self.period,
                &saved.started,
            )
            .resume(&saved.responses, &saved.skipped);
            return Ok(Loaded::Open(interview));
        }
        if files.output.exists() {
            return Ok(Loaded::Submitted(self.read_responses(&files.output)?));
        }
        let checklists = self
            .ids
            .iter()
            .filter_map(|id| self.registry.get(id))
            .collect();
        Ok(Loaded::Open(Interview::new(
            checklists,
            name,
            self.period,
            &crate::app::now(),
        )))
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

/// Saves the progress (atomically, synced) before anything is acknowledged.
pub fn save(files: &Files, interview: &Interview) -> Result<()> {
    crate::paths::refuse_link(&files.partial)?;
    load::write_atomic(&files.partial, partial::write(interview).as_bytes())
}

/// Writes the responses file, as `run` does, and removes the progress file.
pub fn submit(files: &Files, interview: &Interview, role: Option<&str>) -> Result<Responses> {
    crate::paths::refuse_link(&files.output)?;
    let mut responses = interview.to_responses(Some(crate::app::now()));
    responses.role = role.map(str::to_string);
    let mut text = format!(
        "# Responses of {} for {}, written by `selfaudit serve`.\n# Score them: selfaudit report {}\n",
        crate::text::comment_safe(&interview.respondent),
        crate::text::comment_safe(&interview.period),
        crate::text::comment_safe(&files.output.display().to_string())
    );
    text.push_str(&responses.to_toml(&interview.checklists));
    load::write_atomic(&files.output, text.as_bytes())?;
    match fs::remove_file(&files.partial) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::io(&files.partial, e));
        }
        _ => {}
    }
    if let Ok(d) = fs::File::open(crate::paths::folder_of(&files.output)) {
        let _ = d.sync_all();
    }
    Ok(responses)
}

/// The respondent's own scores, as `run` prints them.
pub fn own_report(registry: &Registry, responses: &Responses) -> Report {
    let checklists: Vec<&Checklist> = responses
        .sets
        .iter()
        .filter_map(|s| registry.get(&s.checklist))
        .collect();
    let mut tally = score::Tally::new(checklists);
    tally.add(0, responses);
    tally.finish(&score::Options {
        period: responses.period.clone(),
        generated: crate::app::now(),
        ..Default::default()
    })
}
