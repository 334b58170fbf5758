//! Reads many responses files on every core and folds each into a tally as soon as it is
//! parsed, so memory stays flat however many files there are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Problem, Result};
use crate::load::{self, Registry};
use crate::model::Source;
use crate::model::responses::{Responses, VersionMismatch};
use crate::score::Tally;
use crate::team::{self, Team};

/// Who answered, from which file, for which period: what the report-level checks need.
#[derive(Debug, Clone)]
pub struct Respondent {
    pub seq: usize,
    pub name: String,
    pub period: String,
    /// The role written in the file, if any.
    pub role: Option<String>,
}

pub struct Collected<'c> {
    pub tally: Tally<'c>,
    /// In input order.
    pub respondents: Vec<Respondent>,
    /// Each mismatch with the files that have it, first file first.
    pub version_warnings: Vec<(VersionMismatch, Vec<usize>)>,
    /// Each role's respondents tallied apart (the team list's role, else the file's).
    pub groups: BTreeMap<String, Tally<'c>>,
}

/// What one reader thread gathers.
struct Part<'c> {
    tally: Tally<'c>,
    respondents: Vec<Respondent>,
    warnings: Vec<(VersionMismatch, usize)>,
    groups: BTreeMap<String, Tally<'c>>,
    problems: Vec<(usize, Vec<Problem>)>,
    failure: Option<(usize, Error)>,
}

/// Reads `files` (checked against `registry`) into one tally. `tick` is called once per file.
/// Every problem of every file is reported, in input order; an unreadable file stops the rest.
pub fn collect<'c>(
    registry: &'c Registry,
    files: &[PathBuf],
    tick: &(dyn Fn() + Sync),
) -> Result<Collected<'c>> {
    collect_team(registry, files, None, tick, &|_, _| {})
}

/// `collect`, with each respondent also tallied in their role's group: the role `team` gives
/// them, else their file's; and `keep(seq, responses)` called with every file parsed, for
/// exports that need the answers themselves (`report --format answers-csv`).
pub fn collect_team<'c>(
    registry: &'c Registry,
    files: &[PathBuf],
    team: Option<&Team>,
    tick: &(dyn Fn() + Sync),
    keep: &(dyn Fn(usize, &Responses) + Sync),
) -> Result<Collected<'c>> {
    let checklists: Vec<_> = registry.iter().map(|(c, _)| c).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(usize::MAX);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    let parts = Mutex::new(Vec::with_capacity(threads));

    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut part = Part {
                    tally: Tally::new(checklists.clone()),
                    respondents: Vec::new(),
                    warnings: Vec::new(),
                    groups: BTreeMap::new(),
                    problems: Vec::new(),
                    failure: None,
                };
                loop {
                    let seq = next.fetch_add(1, Ordering::Relaxed);
                    if seq >= files.len() || seq > failed.load(Ordering::Relaxed) {
                        break;
                    }
                    read_one(registry, &files[seq], seq, team, &mut part, keep);
                    if part.failure.is_some() {
                        failed.fetch_min(seq, Ordering::Relaxed);
                        break;
                    }
                    tick();
                }
                if let Ok(mut parts) = parts.lock() {
                    parts.push(part);
                }
            });
        }
    });

    let parts = parts.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut tally = Tally::new(checklists);
    let mut respondents = Vec::new();
    let mut warnings = Vec::new();
    let mut problems = Vec::new();
    let mut failure: Option<(usize, Error)> = None;
    let mut groups: BTreeMap<String, Tally<'c>> = BTreeMap::new();
    for part in parts {
        tally.merge(part.tally);
        for (role, t) in part.groups {
            match groups.get_mut(&role) {
                Some(mine) => mine.merge(t),
                None => {
                    groups.insert(role, t);
                }
            }
        }
        respondents.extend(part.respondents);
        warnings.extend(part.warnings);
        problems.extend(part.problems);
        if let Some((seq, e)) = part.failure
            && failure.as_ref().is_none_or(|(s, _)| seq < *s)
        {
            failure = Some((seq, e));
        }
    }
    if let Some((_, e)) = failure {
        return Err(e);
    }
    if !problems.is_empty() {
        problems.sort_by_key(|(seq, _)| *seq);
        return Err(Error::Invalid {
            problems: problems.into_iter().flat_map(|(_, p)| p).collect(),
        });
    }
    respondents.sort_by_key(|r: &Respondent| r.seq);
    warnings.sort();
    let mut version_warnings: Vec<(VersionMismatch, Vec<usize>)> = Vec::new();
    for (w, seq) in warnings {
        match version_warnings.last_mut() {
            Some((last, seqs)) if *last == w => seqs.push(seq),
            _ => version_warnings.push((w, vec![seq])),
        }
    }
    Ok(Collected {
        tally,
        respondents,
        version_warnings,
        groups,
    })
}

fn read_one<'c>(
    registry: &'c Registry,
    path: &Path,
    seq: usize,
    team: Option<&Team>,
    part: &mut Part<'c>,
    keep: &(dyn Fn(usize, &Responses) + Sync),
) {
    let text = match load::read_text(path) {
        Ok(t) => t,
        Err(Error::Invalid { problems }) => {
            part.problems.push((seq, problems));
            return;
        }
        Err(e) => {
            part.failure = Some((seq, e));
            return;
        }
    };
    let name = load::display(path);
    let parsed = Responses::parse(
        &Source {
            name: &name,
            text: &text,
        },
        |id| registry.get(id),
        || registry.ids(),
    );
    match parsed {
        Ok((responses, warnings)) => {
            part.tally.add(seq, &responses);
            let (role, _) = team::role_of(team, &responses.respondent, responses.role.as_deref());
            if let Some(role) = role {
                part.groups
                    .entry(role.to_string())
                    .or_insert_with(|| Tally::new(registry.iter().map(|(c, _)| c).collect()))
                    .add(seq, &responses);
            }
            keep(seq, &responses);
            part.warnings.extend(warnings.into_iter().map(|w| (w, seq)));
            part.respondents.push(Respondent {
                seq,
                name: responses.respondent,
                period: responses.period,
                role: responses.role,
            });
        }
        Err(problems) => match crate::sniff::not_responses(&name, &text) {
            Some(p) => part.problems.push((seq, vec![p])),
            None => part.problems.push((seq, problems)),
        },
    }
}
