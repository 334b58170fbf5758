//! Responses files → one report: reads many files on every core and folds each into a tally
//! as soon as it is parsed, so memory stays flat however many files there are; then the
//! checks of SPEC §6 and what the team list adds (§10).

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Problem, Result};
use crate::load::{self, Registry};
use crate::model::Source;
use crate::model::report::Report;
use crate::model::responses::{Responses, VersionMismatch};
use crate::score::{self, Tally};
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

/// Prints one warning per kind of version mismatch, naming the file or counting the files.
pub fn warn_versions(mismatch: &VersionMismatch, files: &[String]) {
    let what = format!(
        "version {} of checklist `{}`, which is now version {}; scoring by item ids",
        mismatch.answered, mismatch.checklist, mismatch.current
    );
    match files {
        [one] => crate::out::warn(&format!("{one}: answers {what}")),
        [first, ..] => crate::out::warn(&format!(
            "{} files (first {first}) answer {what}",
            files.len()
        )),
        [] => {}
    }
}

/// Reading many files is worth a progress bar, but only on a terminal.
const PROGRESS_FROM: usize = 300;

/// Scores responses files into one report, after the checks of SPEC §6 (one period, each respondent once).
pub fn build_report(
    registry: &Registry,
    inputs: &[PathBuf],
    period: Option<String>,
    anonymous: bool,
    min_responses: u64,
) -> Result<Report> {
    build_team_report(
        registry,
        inputs,
        period,
        anonymous,
        min_responses,
        &TeamOptions::default(),
        &|_, _| {},
    )
}

/// What the team list adds to a report (SPEC §10).
#[derive(Debug, Clone, Default)]
pub struct TeamOptions {
    /// The team list and its name for messages.
    pub team: Option<(String, crate::team::Team)>,
    /// `--min-group`; the default depends on `--anonymous`.
    pub min_group: Option<u64>,
    /// Where the team list was read, so that a folder of responses holding it does not read
    /// it as a responses file.
    pub path: Option<PathBuf>,
}

/// `build_report`, with the team list's response rate and the role groups of SPEC §10, and
/// `keep(seq, responses)` called on every responses file read (for the spreadsheet exports).
pub fn build_team_report(
    registry: &Registry,
    inputs: &[PathBuf],
    period: Option<String>,
    anonymous: bool,
    min_responses: u64,
    team: &TeamOptions,
    keep: &(dyn Fn(usize, &Responses) + Sync),
) -> Result<Report> {
    let load::Inputs {
        mut files,
        in_progress,
    } = load::expand_inputs(inputs)?;
    if let Some(list) = team
        .path
        .as_deref()
        .filter(|p| *p != Path::new("-"))
        .and_then(|p| std::fs::canonicalize(p).ok())
    {
        // Only a file of the same name can be it; the others need no look at the disk.
        files.retain(|f| {
            f.file_name() != list.file_name()
                || std::fs::canonicalize(f).map_or(true, |c| c != list)
        });
        if files.is_empty() {
            return Err(Error::usage_hint(
                "no responses files besides the team list",
                "name the responses files or the folder that holds them",
            ));
        }
    }
    // An interview still under way is not in the report; say so rather than leave it out quietly.
    for partial in in_progress {
        crate::out::warn(&format!(
            "{}: an interview still in progress is not in this report; finish it with `selfaudit run`",
            partial.display()
        ));
    }
    let bar = if files.len() >= PROGRESS_FROM && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("reading {pos}/{len} files {wide_bar} {eta}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let collected = collect_team(
        registry,
        &files,
        team.team.as_ref().map(|(_, t)| t),
        &|| bar.inc(1),
        keep,
    );
    bar.finish_and_clear();
    let collected = collected?;
    let name = |seq: usize| load::display(&files[seq]);
    for (mismatch, seqs) in &collected.version_warnings {
        let names: Vec<String> = seqs.iter().map(|s| name(*s)).collect();
        warn_versions(mismatch, &names);
    }

    let people = &collected.respondents;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for p in people {
        match seen.entry(crate::team::identity(&p.name)) {
            Entry::Vacant(v) => {
                v.insert(p.seq);
            }
            Entry::Occupied(first) => problems.push(
                Problem::new(
                    name(p.seq),
                    format!(
                        "respondent `{}` also answered in {}",
                        p.name,
                        name(*first.get())
                    ),
                )
                .hint("a respondent may appear only once in a report; remove one of the files"),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid { problems });
    }

    let period = match period {
        Some(p) => p,
        None => {
            let first = &people[0];
            if let Some(other) = people.iter().find(|p| p.period != first.period) {
                return Err(Error::usage_hint(
                    format!(
                        "{}: period `{}` differs from `{}` in {}",
                        name(other.seq),
                        other.period,
                        first.period,
                        name(first.seq)
                    ),
                    "report one period at a time, or name the report's period with --period LABEL",
                ));
            }
            first.period.clone()
        }
    };

    if !collected.tally.any_answered() {
        return Err(Error::usage_hint(
            "no answers to any checklist in these files: their [answers.CHECKLIST-ID] tables are empty or missing",
            "under [answers.CHECKLIST-ID], write one answer a line, e.g. deliver-on-time = \"often\"; `selfaudit template` prints every question to fill in",
        ));
    }
    let options = score::Options {
        period,
        generated: crate::env::now(),
        anonymous,
        min_responses,
    };
    let people = collected.respondents;
    let groups = collected.groups;
    let mut report = collected.tally.finish(&options);
    add_team(&mut report, &people, groups, team, anonymous, &name)?;
    Ok(report)
}

/// Adds the response rate, the groups and the perception gaps of SPEC §10 to a report, with a
/// warning for each role the list and a file disagree on and for respondents the list lacks.
fn add_team(
    report: &mut Report,
    people: &[Respondent],
    groups: std::collections::BTreeMap<String, score::Tally>,
    options: &TeamOptions,
    anonymous: bool,
    file_name: &dyn Fn(usize) -> String,
) -> Result<()> {
    let team = options.team.as_ref();
    if let Some((team_name, list)) = team {
        let mut problems = Vec::new();
        for p in people {
            let Some(role) = &p.role else { continue };
            if !list.knows_role(role) {
                problems.push(
                    Problem::new(
                        file_name(p.seq),
                        format!("role `{role}` is not in the [roles] of the team list {team_name}"),
                    )
                    .hint(crate::team::role_hint(list.roles.as_deref().unwrap_or(&[]))),
                );
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid { problems });
        }
        for p in people {
            if let (Some(listed), Some(theirs)) =
                crate::team::role_of(Some(list), &p.name, p.role.as_deref())
            {
                crate::out::warn(&format!(
                    "{}: role `{theirs}` in the file, but the team list {team_name} gives `{listed}`; grouped as `{listed}`",
                    file_name(p.seq)
                ));
            }
        }
        let call = crate::team::roll_call(list, people.iter().map(|p| p.name.as_str()));
        report.response_rate = Some(crate::model::report::ResponseRate {
            expected: call.expected as u64,
            answered: call.answered as u64,
            missing: (!anonymous).then_some(call.missing),
        });
        if !call.unlisted.is_empty() {
            let n = call.unlisted.len();
            if anonymous {
                crate::out::warn(&format!(
                    "{} not on the team list {team_name}; scored all the same (names left out: --anonymous)",
                    crate::text::plural(n, "respondent is", "respondents are")
                ));
                report.unlisted = Some(crate::model::report::Unlisted::Count(n as u64));
            } else {
                // A warning names a few; the report lists them all.
                const NAMED: usize = 10;
                let mut names = call.unlisted[..n.min(NAMED)].join(", ");
                if n > NAMED {
                    names.push_str(&format!(" and {} more", n - NAMED));
                }
                crate::out::warn(&format!(
                    "not on the team list {team_name}, scored all the same: {names}"
                ));
                report.unlisted = Some(crate::model::report::Unlisted::Names(
                    call.unlisted.iter().map(|s| s.to_string()).collect(),
                ));
            }
        }
    }
    if groups.is_empty() {
        return Ok(());
    }
    let list = team.map(|(_, t)| t);
    let mut tallies: Vec<(String, String, score::Tally)> = groups
        .into_iter()
        .map(|(role, tally)| {
            let title = list.map_or_else(|| role.clone(), |t| t.title(&role));
            (role, title, tally)
        })
        .collect();
    tallies.sort_by_key(|(role, _, _)| list.and_then(|t| t.rank(role)).unwrap_or(usize::MAX));
    let min_group = options.min_group.unwrap_or(if anonymous { 3 } else { 1 });
    report.groups = score::groups(report, tallies, min_group);
    report.perception_gaps = score::perception_gaps(report, &report.groups);
    Ok(())
}

/// The team list: `--team FILE`, else SELFAUDIT_TEAM (unless empty), else ./team.toml if any.
pub fn find_team(flag: Option<&Path>) -> Result<Option<(PathBuf, String, crate::team::Team)>> {
    let env = std::env::var_os("SELFAUDIT_TEAM").filter(|v| !v.is_empty());
    let path = match (flag, env) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(v)) => PathBuf::from(v),
        (None, None) if Path::new("team.toml").is_file() => PathBuf::from("team.toml"),
        (None, None) => return Ok(None),
    };
    let text = load::read_text(&path)?;
    let name = load::display(&path);
    let team = crate::team::Team::parse(&Source {
        name: &name,
        text: &text,
    })
    .map_err(|problems| {
        // Another kind of file is said as such, not as a list of keys a team list lacks.
        let mut problems = crate::sniff::not_team(&name, &text).map_or(problems, |p| vec![p]);
        if flag.is_none() && std::env::var_os("SELFAUDIT_TEAM").is_none_or(|v| v.is_empty()) {
            load::found_on_its_own(&mut problems, "team.toml", "--team FILE");
        }
        Error::Invalid { problems }
    })?;
    Ok(Some((path, name, team)))
}
