//! Reads many responses files on every core and folds each into a tally as soon as it is
//! parsed, so memory stays flat however many files there are.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Problem, Result};
use crate::load::{self, Registry};
use crate::model::Source;
use crate::model::responses::{Responses, VersionMismatch};
use crate::score::Tally;

/// Who answered, from which file, for which period: what the report-level checks need.
#[derive(Debug, Clone)]
pub struct Respondent {
    pub seq: usize,
    pub name: String,
    pub period: String,
}

pub struct Collected<'c> {
    pub tally: Tally<'c>,
    /// In input order.
    pub respondents: Vec<Respondent>,
    /// Each mismatch with the files that have it, first file first.
    pub version_warnings: Vec<(VersionMismatch, Vec<usize>)>,
}

/// What one reader thread gathers.
struct Part<'c> {
    tally: Tally<'c>,
    respondents: Vec<Respondent>,
    warnings: Vec<(VersionMismatch, usize)>,
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
    collect_with(registry, files, tick, &|_, _| {})
}

/// `collect`, and `keep(seq, responses)` is also called with every file parsed, for exports
/// that need the answers themselves (`report --format answers-csv`).
pub fn collect_with<'c>(
    registry: &'c Registry,
    files: &[PathBuf],
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
                    problems: Vec::new(),
                    failure: None,
                };
                loop {
                    let seq = next.fetch_add(1, Ordering::Relaxed);
                    if seq >= files.len() || seq > failed.load(Ordering::Relaxed) {
                        break;
                    }
                    read_one(registry, &files[seq], seq, &mut part, keep);
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
    for part in parts {
        tally.merge(part.tally);
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
    })
}

fn read_one(
    registry: &Registry,
    path: &Path,
    seq: usize,
    part: &mut Part,
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
            keep(seq, &responses);
            part.warnings.extend(warnings.into_iter().map(|w| (w, seq)));
            part.respondents.push(Respondent {
                seq,
                name: responses.respondent,
                period: responses.period,
            });
        }
        Err(problems) => part.problems.push((seq, problems)),
    }
}
