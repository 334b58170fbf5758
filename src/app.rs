//! One function per subcommand: load → core → render → write.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::actions::{self, Actions, Catalog};
use crate::cli;
use crate::cli::{
    Cli, Command, CompareFormat, DiffArgs, DiffFormat, ListArgs, ListFormat, ReportArgs,
    ReportFormat, TemplateArgs, TrendArgs, ValidateArgs,
};
use crate::collect;
use crate::diff::{Diff, Gates};
use crate::error::{EXIT_GATE, EXIT_OK, Error, Problem, Result};
use crate::interview::term::{Resume, TermPrompter};
use crate::interview::{self, Interview, Notes, partial};
use crate::load::{self, Origin, Registry};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::model::responses::{Responses, VersionMismatch};
use crate::render;
use crate::score;
use crate::text::terminal_safe;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The checklists asked when none is named.
pub const DEFAULT_CHECKLISTS: [&str; 2] = ["service-self-audit", "be-sure"];

pub fn run(cli: Cli) -> Result<u8> {
    crate::env::check()?;
    let from_env = match &cli.checklists {
        Some(_) => None,
        None => crate::env::checklists_dir()?,
    };
    let dir = cli.checklists.as_deref().or(from_env.as_deref());
    match cli.command {
        Command::Run(args) => run_interview(dir, args),
        Command::Template(args) => template(dir, args),
        Command::Report(args) => report(dir, args),
        Command::Diff(args) => diff(dir, args),
        Command::Trend(args) => trend(args),
        Command::List(args) => list(dir, args),
        Command::Validate(args) => validate(dir, args),
        Command::Team(cli::TeamCommand::Init(args)) => team_init(dir, args),
        Command::Plan(args) => plan(dir, args),
        Command::Import(args) => import(dir, args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "selfaudit", &mut buf);
            load::write_stdout(&buf)?;
            Ok(EXIT_OK)
        }
    }
}

/// The current quarter as a period label, e.g. `2026-Q4`.
pub fn current_quarter() -> String {
    jiff::Zoned::now().strftime("%Y-Q%q").to_string()
}

/// Whether stdout gets colour: a terminal, and NO_COLOR unset or empty.
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// How a table looks: fitted and coloured only when it goes to a terminal (colour unless NO_COLOR).
pub fn table_style(to_stdout: bool) -> render::table::Style {
    let terminal = to_stdout && std::io::stdout().is_terminal();
    render::table::Style {
        color: terminal && color_stdout(),
        fit: terminal,
    }
}

/// Prints warnings to stderr, one line each.
pub fn warn(message: &str) {
    crate::out::eline(&format!("warning: {}", terminal_safe(message)));
}

/// Resolves CHECKLIST arguments (ids or paths) to checklists, in the order given, without repeats.
pub fn resolve_checklists(registry: &mut Registry, args: &[String]) -> Result<Vec<String>> {
    if args.iter().filter(|a| *a == "-").count() > 1 {
        return Err(twice_stdin());
    }
    let mut ids: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for arg in args {
        let id = registry.resolve(arg)?;
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// `-` named twice: standard input can be read once only.
pub fn twice_stdin() -> Error {
    Error::usage_hint(
        "standard input (`-`) is named twice, but it can be read once only",
        "name the other files by their paths",
    )
}

fn template(dir: Option<&Path>, args: TemplateArgs) -> Result<u8> {
    let mut registry = Registry::discover(dir)?;
    let ids = if args.ids.is_empty() {
        let defaults: Vec<String> = DEFAULT_CHECKLISTS
            .iter()
            .filter(|id| registry.get(id).is_some())
            .map(|s| s.to_string())
            .collect();
        if defaults.is_empty() {
            registry.ids()
        } else {
            defaults
        }
    } else {
        resolve_checklists(&mut registry, &args.ids)?
    };
    let checklists: Vec<&Checklist> = ids.iter().filter_map(|id| registry.get(id)).collect();
    let respondent = args.respondent.unwrap_or_else(|| "Your name".to_string());
    let period = args.period.unwrap_or_else(current_quarter);
    let role = role_arg(args.role.as_deref())?;
    let text =
        crate::template::template_with_role(&checklists, &respondent, &period, role.as_deref());
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    Ok(EXIT_OK)
}

/// Prints one warning per kind of version mismatch, naming the file or counting the files.
fn warn_versions(mismatch: &VersionMismatch, files: &[String]) {
    let what = format!(
        "version {} of checklist `{}`, which is now version {}; scoring by item ids",
        mismatch.answered, mismatch.checklist, mismatch.current
    );
    match files {
        [one] => warn(&format!("{one}: answers {what}")),
        [first, ..] => warn(&format!(
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
        warn(&format!(
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
    let collected = collect::collect_team(
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
        generated: now(),
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
    people: &[collect::Respondent],
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
                warn(&format!(
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
                warn(&format!(
                    "{} not on the team list {team_name}; scored all the same (names left out: --anonymous)",
                    render::plural(n, "respondent is", "respondents are")
                ));
                report.unlisted = Some(crate::model::report::Unlisted::Count(n as u64));
            } else {
                // A warning names a few; the report lists them all.
                const NAMED: usize = 10;
                let mut names = call.unlisted[..n.min(NAMED)].join(", ");
                if n > NAMED {
                    names.push_str(&format!(" and {} more", n - NAMED));
                }
                warn(&format!(
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
    .map_err(|problems| Error::Invalid { problems })?;
    Ok(Some((path, name, team)))
}

/// A role from the command line, trimmed; an empty one is a usage error.
fn role_arg(role: Option<&str>) -> Result<Option<String>> {
    match role.map(str::trim) {
        None => Ok(None),
        Some("") => Err(Error::usage_hint(
            "the role is empty",
            "name a role with --role ROLE, e.g. --role staff, or leave it out",
        )),
        Some(r) => Ok(Some(r.to_string())),
    }
}

/// `selfaudit team init`: a starting team list from the respondents found.
fn team_init(dir: Option<&Path>, args: cli::TeamInitArgs) -> Result<u8> {
    let to_file = args.output.as_deref().filter(|p| *p != Path::new("-"));
    if let Some(out) = to_file
        && out.exists()
        && !args.force
    {
        return Err(Error::usage_hint(
            format!(
                "{}: already exists; kept as it is",
                terminal_safe(&out.display().to_string())
            ),
            "write elsewhere with -o FILE, or replace it with --force",
        ));
    }
    let mut found = Vec::new();
    if !args.inputs.is_empty() {
        let registry = Registry::discover(dir)?;
        let files = load::expand_inputs(&args.inputs)?.files;
        let collected = collect::collect(&registry, &files, &|| {})?;
        found = collected
            .respondents
            .into_iter()
            .map(|r| (r.name, r.role))
            .collect();
    }
    let text = crate::team::starting_list(&found);
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    if to_file.is_some() {
        let list = args
            .output
            .as_deref()
            .unwrap_or(Path::new("team.toml"))
            .display()
            .to_string();
        crate::out::eline(&format!(
            "{} on the list; add the people who have not answered, give everyone a role, then: selfaudit validate {}",
            render::plural(text.matches("[[people]]").count(), "person", "people"),
            crate::text::shell_quote(&list)
        ));
    }
    Ok(EXIT_OK)
}

/// Now, to the second, in RFC 3339 UTC; SOURCE_DATE_EPOCH (seconds since 1970), when set,
/// stands in for now, so that a report can be generated again byte for byte.
pub fn now() -> String {
    // Checked (and refused when unusable) by `env::check` before any command runs.
    let fixed = crate::env::source_date_epoch().ok().flatten();
    fixed.unwrap_or_else(|| {
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    })
}

fn report(dir: Option<&Path>, args: ReportArgs) -> Result<u8> {
    if args.baseline.as_deref() == Some(Path::new("-"))
        && args.inputs.iter().any(|p| p == Path::new("-"))
    {
        return Err(twice_stdin());
    }
    // The baseline first: a bad one fails fast, before any responses are read.
    let baseline = args
        .baseline
        .as_deref()
        .map(load::read_report)
        .transpose()?;
    let registry = Registry::discover(dir)?;
    let stdin = Path::new("-");
    if args.actions.as_deref() == Some(stdin)
        && (args.inputs.iter().any(|p| p == stdin) || args.baseline.as_deref() == Some(stdin))
    {
        return Err(Error::usage_hint(
            "standard input (`-`) can be read once only",
            "name the actions file, the baseline or the responses by their paths",
        ));
    }
    // The actions file is checked before any responses are read, like the baseline.
    let actions_file = read_actions(
        args.actions.as_deref(),
        &Catalog::from_checklists(registry.iter().map(|(c, _)| c)),
    )?;
    let (path, team) = match find_team(args.team.as_deref())? {
        Some((path, name, team)) => (Some(path), Some((name, team))),
        None => (None, None),
    };
    let team = TeamOptions {
        team,
        min_group: args.min_group,
        path,
    };
    if args.format == ReportFormat::Xlsx {
        refuse_terminal(args.output.as_deref())?;
    }
    // The spreadsheet exports need the answers themselves, kept while the files are read.
    let keeper = crate::answers::Keeper::new(&registry, team.team.as_ref().map(|(_, t)| t));
    let keep_answers = matches!(args.format, ReportFormat::AnswersCsv | ReportFormat::Xlsx);
    let mut report = build_team_report(
        &registry,
        &args.inputs,
        args.period.clone(),
        args.anonymous,
        args.min_responses,
        &team,
        &|seq, r| {
            if keep_answers {
                keeper.keep(seq, r);
            }
        },
    )?;
    if let Some((_, file)) = &actions_file {
        let (list, targets) = actions::attach(&report, file, baseline.as_ref());
        report.actions = Some(list);
        report.targets = Some(targets);
    }
    let to_terminal = args.output.as_ref().is_none_or(|p| p == Path::new("-"));
    let text = match args.format {
        ReportFormat::AnswersCsv | ReportFormat::Xlsx => {
            let answers = keeper.finish(&report);
            spreadsheet(&registry, &args, &report, &answers)?;
            return Ok(EXIT_OK);
        }
        ReportFormat::Csv => render::csv::items(&report, &scale_names(&registry)),
        ReportFormat::Json => render::json::to_json(&report),
        ReportFormat::Markdown => render::markdown::report(&report, args.top),
        ReportFormat::Html => render::html::report(&report, baseline.as_ref(), args.top)?,
        ReportFormat::Table => render::table::report(&report, args.top, table_style(to_terminal)),
    };
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    Ok(EXIT_OK)
}

fn diff(dir: Option<&Path>, args: DiffArgs) -> Result<u8> {
    if args.base == Path::new("-") && args.new == Path::new("-") {
        return Err(Error::usage_hint(
            "BASE and NEW cannot both be standard input",
            "name at least one of the two reports by its path",
        ));
    }
    if args.actions.as_deref() == Some(Path::new("-"))
        && (args.base == Path::new("-") || args.new == Path::new("-"))
    {
        return Err(Error::usage_hint(
            "standard input (`-`) can be read once only",
            "name the actions file or the reports by their paths",
        ));
    }
    // Two large reports read in half the time side by side.
    let (base, new) = std::thread::scope(|scope| {
        let base = scope.spawn(|| load::read_report(&args.base));
        let new = load::read_report(&args.new);
        let base = base.join().unwrap_or_else(|_| {
            Err(Error::usage(format!(
                "{}: could not be read",
                args.base.display()
            )))
        });
        (base, new)
    });
    let (base, new) = (base?, new?);
    if args.min_response_rate.is_some() && new.response_rate.is_none() {
        return Err(Error::usage_hint(
            format!(
                "{}: has no response rate, so --min-response-rate cannot be checked",
                terminal_safe(&load::display(&args.new))
            ),
            "write NEW with a team list (`selfaudit report --team team.toml --format json`), or leave out --min-response-rate",
        ));
    }
    let gates = Gates {
        fail_below: args.fail_below,
        max_drop: args.max_drop,
        max_item_drop: args.max_item_drop,
        fail_on_new_critical: args.fail_on_new_critical,
        min_response_rate: args.min_response_rate,
        beyond_noise: args.beyond_noise,
    };
    let mut diff = Diff::new(&base, &new, &gates);
    let action_gates = actions::ActionGates {
        fail_on_overdue: args.fail_on_overdue,
        fail_below_target: args.fail_below_target,
    };
    let catalog = in_use(
        Catalog::from_report(&new).merge(Catalog::from_report(&base)),
        dir,
    );
    match read_actions(args.actions.as_deref(), &catalog)? {
        Some((_, file)) => {
            if (action_gates.fail_on_overdue || action_gates.fail_below_target)
                && actions::report_date(&new.generated).is_none()
            {
                return Err(Error::usage_hint(
                    format!(
                        "{}: its `generated` time `{}` is not a date, so nothing can be judged overdue",
                        load::display(&args.new),
                        new.generated
                    ),
                    "use a report written by `selfaudit report --format json`, whose `generated` is like 2026-11-22T09:00:00Z",
                ));
            }
            actions::diff_actions(&mut diff, &base, &new, &file, action_gates);
        }
        None if action_gates.fail_on_overdue || action_gates.fail_below_target => {
            return Err(Error::usage_hint(
                "--fail-on-overdue and --fail-below-target need an actions file, and there is none",
                "name it with --actions FILE, or put actions.toml in the current folder",
            ));
        }
        None => {}
    }
    let top = usize::try_from(args.top).unwrap_or(usize::MAX);
    let to_terminal = args.output.as_ref().is_none_or(|p| p == Path::new("-"));
    let text = match args.format {
        DiffFormat::Json => render::json::to_json(&diff),
        DiffFormat::Markdown => render::diff::markdown(&diff, top),
        DiffFormat::Html => render::diff_html::page(&diff, top)?,
        DiffFormat::Csv => render::csv::diff_items(&diff),
        DiffFormat::Table => render::diff::table(&diff, top, table_style(to_terminal)),
    };
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    // The table on a terminal already says which gates failed; anywhere else (a file, JSON,
    // Markdown into a step summary) the log still needs it.
    if !(to_terminal && args.format == DiffFormat::Table) {
        for g in diff.failed_gates() {
            crate::out::eline(&format!(
                "gate failed: {}: {}",
                g.gate,
                terminal_safe(&g.detail)
            ));
        }
    }
    Ok(if diff.passed { EXIT_OK } else { EXIT_GATE })
}

fn trend(args: TrendArgs) -> Result<u8> {
    if args.reports.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err(twice_stdin());
    }
    // Every unusable report at once, not one per run.
    let mut reports = Vec::new();
    let mut problems = Vec::new();
    for path in &args.reports {
        match load::read_report(path) {
            Ok(r) => reports.push(r),
            Err(Error::Invalid { problems: p }) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid { problems });
    }
    let trend = crate::trend::Trend::new(&reports);
    let to_terminal = args.output.as_ref().is_none_or(|p| p == Path::new("-"));
    let text = match args.format {
        CompareFormat::Json => render::json::to_json(&trend),
        CompareFormat::Markdown => render::trend::markdown(&trend),
        CompareFormat::Table => render::trend::table(&trend, table_style(to_terminal)),
    };
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    Ok(EXIT_OK)
}

fn list(dir: Option<&Path>, args: ListArgs) -> Result<u8> {
    let registry = Registry::discover(dir)?;
    let text = match args.format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = registry
                .iter()
                .map(|(c, origin)| {
                    serde_json::json!({
                        "id": c.id, "title": c.title, "version": c.version,
                        "items": c.item_count(), "source": origin.to_string(),
                    })
                })
                .collect();
            render::json::to_json(&rows)
        }
        ListFormat::Table => {
            let mut t = render::table::new_table(table_style(true));
            t.set_header(vec!["Id", "Title", "Version", "Items", "Source"]);
            for (c, origin) in registry.iter() {
                t.add_row(vec![
                    terminal_safe(&c.id),
                    terminal_safe(&c.title),
                    terminal_safe(&c.version),
                    c.item_count().to_string(),
                    terminal_safe(&origin.to_string()),
                ]);
            }
            format!("{t}\n")
        }
    };
    load::write_stdout(text.as_bytes())?;
    Ok(EXIT_OK)
}

/// What a file given to `validate` holds, told by its top-level keys.
#[derive(PartialEq)]
enum FileKind {
    Checklist,
    Responses,
    Empty,
    Team,
    Actions,
}

fn file_kind(text: &str) -> FileKind {
    match text.parse::<toml::Table>() {
        // `plan`'s first output holds only commented proposals: an actions file, no actions yet.
        Ok(t) if t.is_empty() && actions::is_plan_output(text) => FileKind::Actions,
        Ok(t) if t.is_empty() => FileKind::Empty,
        Ok(t) if crate::team::TEAM_KEYS.iter().any(|k| t.contains_key(*k)) => FileKind::Team,
        Ok(t)
            if ["respondent", "period", "answers"]
                .iter()
                .any(|k| t.contains_key(*k)) =>
        {
            FileKind::Responses
        }
        Ok(t) if actions::TOP_KEYS.iter().any(|k| t.contains_key(*k)) => FileKind::Actions,
        // Unparseable files are reported by the checklist parser, which names the syntax error.
        _ => FileKind::Checklist,
    }
}

fn validate(dir: Option<&Path>, args: ValidateArgs) -> Result<u8> {
    for path in &args.files {
        // A link that leads nowhere, or in a loop, exists: reading it says which.
        if path != Path::new("-") && std::fs::symlink_metadata(path).is_err() {
            return Err(Error::io(
                path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
    }
    let files = load::expand_inputs(&args.files)?.files;
    let mut texts = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    for path in files {
        match load::read_text(&path) {
            Ok(text) => texts.push((path, text)),
            Err(Error::Invalid { problems: p }) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    // Checklists first, so responses are checked against them too.
    let mut registry = Registry::discover(dir)?;
    let kinds: Vec<FileKind> = texts.iter().map(|(_, t)| file_kind(t)).collect();
    let of_kind = |kind: FileKind| {
        texts
            .iter()
            .zip(&kinds)
            .filter(move |(_, k)| **k == kind)
            .map(|(t, _)| t)
    };
    for (path, _) in of_kind(FileKind::Empty) {
        problems.push(
            Problem::new(load::display(path), "the file is empty")
                .at(Some((1, 1)))
                .hint("a checklist needs id, version and sections; a responses file needs respondent, period and answers"),
        );
    }
    let (checklists, responses) = (of_kind(FileKind::Checklist), of_kind(FileKind::Responses));
    let mut valid = Vec::new();
    for (path, text) in of_kind(FileKind::Team) {
        let name = load::display(path);
        match crate::team::Team::parse(&Source { name: &name, text }) {
            Ok(t) => valid.push(format!(
                "{name}: ok (team list, {}{})",
                render::plural(t.people.len(), "person", "people"),
                t.roles
                    .as_ref()
                    .map(|r| format!(", {}", render::plural(r.len(), "role", "roles")))
                    .unwrap_or_default()
            )),
            Err(p) => problems.extend(p),
        }
    }
    for (path, text) in checklists {
        let name = load::display(path);
        match Checklist::parse(&Source { name: &name, text }) {
            Ok(c) => {
                valid.push(format!(
                    "{name}: ok (checklist `{}`, {} items)",
                    c.id,
                    c.item_count()
                ));
                registry.insert(c, Origin::File(path.clone()));
            }
            Err(p) => problems.extend(p),
        }
    }
    for (path, text) in responses {
        let name = load::display(path);
        match Responses::parse(
            &Source { name: &name, text },
            |id| registry.get(id),
            || registry.ids(),
        ) {
            Ok((r, warnings)) => {
                for w in &warnings {
                    warn_versions(w, std::slice::from_ref(&name));
                }
                let answered: usize = r.sets.iter().map(|s| s.answers.len()).sum();
                valid.push(format!(
                    "{name}: ok (responses of {}, {}, {})",
                    r.respondent,
                    r.period,
                    render::plural(answered, "answer", "answers")
                ));
            }
            Err(p) => problems.extend(p),
        }
    }
    // Actions files last, against every checklist in use, those named here included.
    let catalog = Catalog::from_checklists(registry.iter().map(|(c, _)| c));
    for (path, text) in of_kind(FileKind::Actions) {
        let name = load::display(path);
        match Actions::parse(&Source { name: &name, text }, &catalog) {
            Ok(a) if a.actions.is_empty() && a.targets.is_empty() => valid.push(format!(
                "{name}: ok (actions file, no actions or targets yet; uncomment a proposal to adopt it)"
            )),
            Ok(a) => valid.push(format!(
                "{name}: ok (actions file, {}, {})",
                render::plural(a.actions.len(), "action", "actions"),
                render::plural(a.targets.len(), "target", "targets")
            )),
            Err(p) => problems.extend(p),
        }
    }
    let mut out = String::new();
    for line in &valid {
        out.push_str(&terminal_safe(line));
        out.push('\n');
    }
    load::write_stdout(out.as_bytes())?;
    if problems.is_empty() {
        return Ok(EXIT_OK);
    }
    for p in &problems {
        crate::out::eline(&p.to_string());
        if let Some(h) = &p.hint {
            crate::out::eline(&format!("  hint: {}", terminal_safe(h)));
        }
    }
    crate::out::eline(&format!(
        "{} found",
        render::plural(problems.len(), "problem", "problems")
    ));
    Ok(EXIT_GATE)
}

/// `selfaudit run`: settle who, when, what and where, run the interview, write the responses file.
fn run_interview(dir: Option<&Path>, args: cli::RunArgs) -> Result<u8> {
    // Never wait for keys that cannot come.
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(no_terminal(&args));
    }
    let role = role_arg(args.role.as_deref())?;
    let mut registry = Registry::discover(dir)?;
    let requested = resolve_checklists(&mut registry, &args.ids)?;
    let mut prompter = TermPrompter::new();
    let respondent = match &args.respondent {
        Some(name) => name.trim().to_string(),
        None => prompter
            .respondent(login_name().as_deref())
            .map_err(not_begun(None))?,
    };
    if respondent.is_empty() {
        return Err(Error::usage_hint(
            "the respondent's name is empty",
            "give a name with --respondent NAME",
        ));
    }
    let period = args
        .period
        .as_deref()
        .map_or_else(current_quarter, |p| p.trim().to_string());
    if period.is_empty() {
        return Err(Error::usage_hint(
            "the period is empty",
            "give a label with --period LABEL, e.g. 2026-Q4, or leave it out for the current quarter",
        ));
    }
    // The names become path parts only once slugged, so no name reaches outside responses/.
    let chosen_by_tool = args.output.is_none();
    let output = args.output.clone().unwrap_or_else(|| {
        Path::new("responses")
            .join(crate::text::period_slug(&period))
            .join(format!("{}.toml", crate::text::slug(&respondent)))
    });
    if output == Path::new("-") {
        return Err(Error::usage_hint(
            "`selfaudit run` cannot write its responses to standard output",
            "it saves progress beside the output file; name a file with -o FILE",
        ));
    }
    if output.is_dir() {
        return Err(Error::usage_hint(
            format!(
                "{}: is a folder, not a file",
                terminal_safe(&output.display().to_string())
            ),
            "name the responses file to write, e.g. -o answers.toml",
        ));
    }
    // Before anything is read or asked: the lock (one writer per respondent), no link at a
    // path the tool chose, and a folder that takes these files.
    let files = crate::paths::prepare_run(&output, chosen_by_tool)?;
    let partial_path = files.partial.clone();

    let mut resumed = None;
    // Answers in the progress file as found, which stay there until the first new answer.
    let mut on_disk = 0;
    if partial_path.exists() {
        let saved = read_partial(&registry, &partial_path)?;
        on_disk = saved.answered();
        check_partial_is_ours(
            &saved,
            &partial_path,
            &args,
            &respondent,
            &period,
            &requested,
        )?;
        let total: usize = saved
            .checklists
            .iter()
            .filter_map(|id| registry.get(id))
            .map(Checklist::item_count)
            .sum();
        if prompter
            .resume(&partial_path, saved.answered(), total)
            .map_err(not_begun(Some(&partial_path)))?
            == Resume::Resume
        {
            resumed = Some(saved);
        }
    }
    let ids = match (&resumed, requested.is_empty()) {
        (_, false) => requested,
        (Some(saved), true) => saved.checklists.clone(),
        (None, true) if registry.ids().len() == 1 => registry.ids(),
        (None, true) => {
            let all: Vec<&Checklist> = registry.iter().map(|(c, _)| c).collect();
            let preselected: Vec<bool> = all
                .iter()
                .map(|c| DEFAULT_CHECKLISTS.contains(&c.id.as_str()))
                .collect();
            prompter
                .checklists(&all, &preselected)
                .map_err(not_begun(Some(&partial_path)))?
                .into_iter()
                .map(|i| all[i].id.clone())
                .collect()
        }
    };
    let mut replace = args.force;
    if output.exists() && !replace {
        if !prompter
            .replace(&output)
            .map_err(not_begun(Some(&partial_path)))?
        {
            return Err(kept(&output));
        }
        replace = true;
    }

    let checklists: Vec<&Checklist> = ids.iter().filter_map(|id| registry.get(id)).collect();
    let mut progress = match &resumed {
        Some(saved) => Interview::new(checklists, &respondent, &period, &saved.started)
            .resume(&saved.responses, &saved.skipped),
        None => Interview::new(checklists, &respondent, &period, &now()),
    };
    let notes = match args.notes {
        cli::NotesWhen::Always => Notes::Always,
        cli::NotesWhen::Gaps => Notes::Gaps,
        cli::NotesWhen::Never => Notes::Never,
    };
    let outcome = interview::run(&mut progress, notes, &mut prompter, &mut |p| {
        files.write_partial(partial::write(p).as_bytes())?;
        on_disk = p.answered();
        Ok(())
    });
    match outcome {
        Ok(()) => {}
        Err(Error::Interrupted { .. }) => {
            let hint = if partial_path.exists() {
                format!(
                    "{} saved in {}; to go on, run: {}",
                    render::plural(on_disk, "answer is", "answers are"),
                    partial_path.display(),
                    resume_command(dir, &args, &ids, &respondent, &period)
                )
            } else {
                "nothing was answered yet, so nothing was saved".to_string()
            };
            return Err(Error::Interrupted { hint: Some(hint) });
        }
        Err(e) => return Err(e),
    }

    // The file may have appeared while the questions were asked.
    if output.exists() && !replace && !prompter.replace(&output)? {
        return Err(kept(&output));
    }
    let mut responses = progress.to_responses(Some(now()));
    responses.role = role;
    let mut text = format!(
        "# Responses of {} for {}, written by `selfaudit run`.\n# Score them: selfaudit report {}\n",
        crate::text::comment_safe(&respondent),
        crate::text::comment_safe(&period),
        crate::text::comment_safe(&output.display().to_string())
    );
    text.push_str(&responses.to_toml(&progress.checklists));
    files.write_output(text.as_bytes())?;
    if let Err(e) = std::fs::remove_file(&partial_path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        warn(&format!(
            "{}: could not remove the progress file: {e}",
            partial_path.display()
        ));
    }

    let mut summary = own_summary(&progress, &responses, &output);
    summary.push_str(&open_actions_on_gaps(
        &registry,
        &progress,
        &responses,
        args.actions.as_deref(),
    ));
    load::write_stdout(summary.as_bytes())?;
    Ok(EXIT_OK)
}

/// What `run` prints once the responses are saved: where, and the respondent's own scores.
fn own_summary(progress: &Interview, responses: &Responses, output: &Path) -> String {
    let mut tally = score::Tally::new(progress.checklists.clone());
    tally.add(0, responses);
    let report = tally.finish(&score::Options {
        period: progress.period.clone(),
        generated: now(),
        ..Default::default()
    });
    let skipped = progress.skipped().len();
    let mut out = format!(
        "\nSaved {} ({}{}).\n\nYour scores · {} · {}\n",
        terminal_safe(&output.display().to_string()),
        render::plural(progress.answered(), "answer", "answers"),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        terminal_safe(&progress.respondent),
        terminal_safe(&progress.period)
    );
    out.push_str(&render::table::own_scores(&report, table_style(true)));
    if let Some(folder) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        out.push_str(&format!(
            "\nThe team report, once everyone has answered: selfaudit report {}\n",
            terminal_safe(&folder.display().to_string())
        ));
    }
    out
}

/// Ctrl-C before the first question: says what became of earlier progress, if any.
fn not_begun(partial: Option<&Path>) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::Interrupted { .. } => Error::Interrupted {
            hint: Some(match partial.filter(|p| p.exists()) {
                Some(p) => format!(
                    "the answers saved earlier are kept in {}; run the same command to go on",
                    p.display()
                ),
                None => "no question was asked yet, so nothing was saved".to_string(),
            }),
        },
        e => e,
    }
}

fn no_terminal(args: &cli::RunArgs) -> Error {
    let mut template = String::from("selfaudit template");
    for c in &args.ids {
        template.push(' ');
        template.push_str(&shell_word(c));
    }
    if let Some(r) = &args.respondent {
        template.push_str(&format!(" --respondent {}", shell_word(r)));
    }
    if let Some(p) = &args.period {
        template.push_str(&format!(" --period {}", shell_word(p)));
    }
    Error::usage_hint(
        "`selfaudit run` asks its questions in a terminal, and standard input or standard error is not one",
        format!(
            "to answer without a terminal, get a file to fill in: `{template} > answers.toml`, \
             write the answers in it, then score it: `selfaudit report answers.toml`"
        ),
    )
}

fn kept(output: &Path) -> Error {
    Error::usage_hint(
        format!(
            "{}: kept as it is; nothing was asked",
            terminal_safe(&output.display().to_string())
        ),
        "write elsewhere with -o FILE, or replace it without asking with --force",
    )
}

/// The login name, to suggest as the respondent.
fn login_name() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

/// A word as a POSIX shell reads it back (the one quoting rule: `text::shell_quote`).
fn shell_word(s: &str) -> String {
    crate::text::shell_quote(s)
}

/// The command that goes on with an interrupted interview.
fn resume_command(
    dir: Option<&Path>,
    args: &cli::RunArgs,
    ids: &[String],
    respondent: &str,
    period: &str,
) -> String {
    // `args()` would panic on a program path that is not UTF-8; such a path is left out.
    let program = std::env::args_os()
        .next()
        .and_then(|p| p.into_string().ok())
        .unwrap_or_else(|| "selfaudit".to_string());
    let mut words = vec![shell_word(&program), "run".to_string()];
    let checklists: Vec<String> = if args.ids.is_empty() {
        ids.to_vec()
    } else {
        args.ids.clone()
    };
    words.extend(checklists.iter().map(|c| shell_word(c)));
    words.push(format!("--respondent {}", shell_word(respondent)));
    words.push(format!("--period {}", shell_word(period)));
    if let Some(o) = &args.output {
        words.push(format!("-o {}", shell_word(&o.display().to_string())));
    }
    if let Some(d) = dir {
        words.push(format!(
            "--checklists {}",
            shell_word(&d.display().to_string())
        ));
    }
    match args.notes {
        cli::NotesWhen::Gaps => {}
        cli::NotesWhen::Always => words.push("--notes always".to_string()),
        cli::NotesWhen::Never => words.push("--notes never".to_string()),
    }
    words.join(" ")
}

/// Reads a progress file; one that cannot be read back is an error, never overwritten.
fn read_partial(registry: &Registry, path: &Path) -> Result<partial::Saved> {
    let text = load::read_text(path)?;
    let name = load::display(path);
    partial::parse(
        &Source {
            name: &name,
            text: &text,
        },
        |id| registry.get(id),
        || registry.ids(),
    )
    .map_err(|problems| Error::Invalid {
        problems: problems
            .into_iter()
            .map(|p| {
                let hint = p.hint.clone().unwrap_or_default();
                p.hint(format!(
                    "{}{}it holds an unfinished interview that cannot be resumed; move it away or delete it to start afresh",
                    hint,
                    if hint.is_empty() { "" } else { ". Or: " }
                ))
            })
            .collect(),
    })
}

/// A progress file of another respondent, period or set of checklists is not resumed, nor overwritten.
fn check_partial_is_ours(
    saved: &partial::Saved,
    path: &Path,
    args: &cli::RunArgs,
    respondent: &str,
    period: &str,
    requested: &[String],
) -> Result<()> {
    let r = &saved.responses;
    let mut differs = Vec::new();
    if !crate::team::same_person(&r.respondent, respondent) {
        differs.push(format!("respondent `{}`, not `{respondent}`", r.respondent));
    }
    if r.period != period {
        differs.push(format!("period `{}`, not `{period}`", r.period));
    }
    let mut theirs = saved.checklists.clone();
    let mut ours = requested.to_vec();
    theirs.sort();
    ours.sort();
    if !requested.is_empty() && theirs != ours {
        differs.push(format!("checklists {}", saved.checklists.join(", ")));
    }
    if differs.is_empty() {
        return Ok(());
    }
    let output = args
        .output
        .as_ref()
        .map(|o| format!(" -o {}", shell_word(&o.display().to_string())))
        .unwrap_or_default();
    Err(Error::usage_hint(
        terminal_safe(&format!(
            "{}: an unfinished interview of another kind is saved here ({})",
            path.display(),
            differs.join("; ")
        )),
        format!(
            "to go on with it: selfaudit run {} --respondent {} --period {}{output}; to start afresh instead, move it away or delete it",
            saved
                .checklists
                .iter()
                .map(|c| shell_word(c))
                .collect::<Vec<_>>()
                .join(" "),
            shell_word(&r.respondent),
            shell_word(&r.period)
        ),
    ))
}

/// The actions file named, else `./actions.toml` when it exists; None when there is none.
/// A file named with `--actions` must exist.
fn read_actions(arg: Option<&Path>, catalog: &Catalog) -> Result<Option<(String, Actions)>> {
    let path = match arg {
        Some(p) => p.to_path_buf(),
        None if Path::new(actions::DEFAULT_FILE).is_file() => PathBuf::from(actions::DEFAULT_FILE),
        None => return Ok(None),
    };
    let text = load::read_text(&path)?;
    let name = load::display(&path);
    let file = Actions::parse(
        &Source {
            name: &name,
            text: &text,
        },
        catalog,
    )
    .map_err(|problems| Error::Invalid { problems })?;
    Ok(Some((text, file)))
}

/// The parts an actions file may name next to reports: the reports' own, then those of the
/// checklists in use (an action may be on a checklist these reports did not answer). The
/// checklists are a help here, not a need: when they cannot be read, the reports' parts do.
fn in_use(reports: Catalog, dir: Option<&Path>) -> Catalog {
    match Registry::discover(dir) {
        Ok(registry) => reports.merge(Catalog::from_checklists(registry.iter().map(|(c, _)| c))),
        Err(_) => reports,
    }
}

/// `selfaudit plan`: the actions file as it is, plus a commented-out proposal per uncovered item.
fn plan(dir: Option<&Path>, args: cli::PlanArgs) -> Result<u8> {
    if args.report == Path::new("-") && args.actions.as_deref() == Some(Path::new("-")) {
        return Err(Error::usage_hint(
            "REPORT and --actions cannot both be standard input",
            "name at least one of the two by its path",
        ));
    }
    let report = load::read_report(&args.report)?;
    let catalog = in_use(Catalog::from_report(&report), dir);
    // `plan` makes the file: one named that does not exist yet is where it starts, empty.
    let starts_empty = args
        .actions
        .as_deref()
        .is_some_and(|p| p != Path::new("-") && !p.exists());
    let (text, file) = if starts_empty {
        Default::default()
    } else {
        read_actions(args.actions.as_deref(), &catalog)?.unwrap_or_default()
    };
    let out = actions::plan(&text, &file, &report, args.top);
    load::write_output(args.output.as_deref(), out.as_bytes())?;
    Ok(EXIT_OK)
}

/// After the respondent's own scores: the open actions on their critical gaps. The actions
/// file is optional here, and a problem with it is a warning, never a failed interview.
fn open_actions_on_gaps(
    registry: &Registry,
    progress: &Interview,
    responses: &Responses,
    arg: Option<&Path>,
) -> String {
    // Checked against every checklist in use: the file may name ones this interview did not ask.
    let catalog = Catalog::from_checklists(registry.iter().map(|(c, _)| c));
    let file = match read_actions(arg, &catalog) {
        Ok(Some((_, file))) => file,
        Ok(None) => return String::new(),
        Err(e) => {
            warn(&format!("the actions file is not shown: {e}"));
            return String::new();
        }
    };
    let mut tally = score::Tally::new(progress.checklists.clone());
    tally.add(0, responses);
    let report = tally.finish(&score::Options {
        period: progress.period.clone(),
        generated: now(),
        ..Default::default()
    });
    let by_part = file.open_by_part();
    let index = actions::ReportIndex::new(&report);
    let mut out = String::new();
    for gap in &report.critical_gaps {
        let Some((_, section, item)) = index.item(&gap.checklist, &gap.item) else {
            continue;
        };
        let open = by_part.on_item(&gap.checklist, &section.id, &item.id);
        if open.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str("\nWhat the team is doing about your critical gaps:\n");
        }
        out.push_str(&format!("  {}\n", terminal_safe(&item.text)));
        for a in open {
            out.push_str(&format!(
                "    – {} [{}]{}{}\n",
                terminal_safe(&a.what),
                a.status.as_str(),
                a.owner
                    .as_deref()
                    .map(|o| format!(" · {}", terminal_safe(o)))
                    .unwrap_or_default(),
                a.due.map(|d| format!(" · due {d}")).unwrap_or_default()
            ));
        }
    }
    out
}

/// The scale name of each item, looked up in the checklists the report was scored with.
fn scale_names(registry: &Registry) -> impl Fn(&str, &str) -> String + '_ {
    move |checklist, item| {
        registry
            .get(checklist)
            .and_then(|c| c.item(item))
            .map(|i| i.scale.name.clone())
            .unwrap_or_default()
    }
}

/// A workbook is refused where it would land on a terminal (`-o /dev/tty` is one too).
fn refuse_terminal(output: Option<&Path>) -> Result<()> {
    let to_terminal = match output.filter(|p| *p != Path::new("-")) {
        None => std::io::stdout().is_terminal(),
        Some(p) => {
            std::fs::metadata(p).is_ok_and(|m| !m.is_file())
                && std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .is_ok_and(|f| f.is_terminal())
        }
    };
    if to_terminal {
        return Err(Error::usage_hint(
            "a workbook is not for a terminal",
            "write it to a file with -o report.xlsx, or pipe it: `... --format xlsx > report.xlsx`",
        ));
    }
    Ok(())
}

/// `report --format answers-csv|xlsx`: the answers kept while the files were read, streamed
/// out row by row.
fn spreadsheet(
    registry: &Registry,
    args: &ReportArgs,
    report: &Report,
    answers: &crate::answers::Answers,
) -> Result<()> {
    let target = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let scale_of = scale_names(registry);
    match args.format {
        ReportFormat::Xlsx => {
            let input = render::xlsx::Input {
                report,
                scale_of: &scale_of,
                answers,
            };
            let write = |out: &mut (dyn std::io::Write + Send)| {
                render::xlsx::write(&input, out).map_err(|e| match e {
                    rust_xlsxwriter::XlsxError::IoError(e) => e,
                    e => std::io::Error::other(e.to_string()),
                })
            };
            match target {
                Some(_) => write_stream(target, write),
                // Whole, then written: a reader that stops early (`| head`) must not leave
                // the zip writer complaining on standard error.
                None => {
                    let mut bytes = Vec::new();
                    write(&mut bytes).map_err(|e| Error::io("<stdout>", e))?;
                    load::write_stdout(&bytes)
                }
            }
        }
        _ => write_stream(target, |out| {
            let mut w = render::csv::AnswerWriter::new(out)?;
            answers.for_each(|row| w.row(row))?;
            w.finish()
        }),
    }
}

/// Streams output to a file (atomically) or to standard output, without holding it whole.
fn write_stream(
    path: Option<&Path>,
    fill: impl FnOnce(&mut (dyn std::io::Write + Send)) -> std::io::Result<()>,
) -> Result<()> {
    use std::io::Write;
    match path {
        Some(p) => load::write_atomic_with(p, |file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            fill(&mut out)?;
            out.flush()
        }),
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            match fill(&mut out).and_then(|()| out.flush()) {
                // A closed pipe (`| head`, `>&-`) is the reader's choice, not an error.
                Err(e) if crate::out::is_closed(&e) => Ok(()),
                Err(e) => Err(Error::io("<stdout>", e)),
                Ok(()) => Ok(()),
            }
        }
    }
}

/// `selfaudit import`: a sheet of questions becomes a checklist file, checked before it is written.
fn import(dir: Option<&Path>, args: cli::ImportArgs) -> Result<u8> {
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.toml", crate::text::slug(&args.id))));
    let to_stdout = target == Path::new("-");
    if !to_stdout && target.exists() && !args.force {
        return Err(Error::usage_hint(
            format!(
                "{}: exists; kept as it is",
                terminal_safe(&target.display().to_string())
            ),
            "write elsewhere with -o FILE, print with -o -, or replace it with --force",
        ));
    }
    let scales = match &args.scales_from {
        Some(arg) => {
            let mut registry = Registry::discover(dir)?;
            let id = registry.resolve(arg)?;
            registry
                .get(&id)
                .map(crate::import::custom_scales)
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    let sheet = crate::import::read_sheet(&args.file)?;
    let imported = crate::import::import(
        &sheet,
        &crate::import::Options {
            id: args.id.clone(),
            title: args.title.clone(),
            scales,
            only: args.only.clone(),
        },
    )?;
    for w in &imported.warnings {
        warn(w);
    }
    load::write_output(Some(&target), imported.toml.as_bytes())?;
    if !to_stdout {
        let written = target.display().to_string();
        crate::out::eline(&format!(
            "wrote {} ({}); check it with: selfaudit validate {}",
            terminal_safe(&written),
            render::plural(imported.items, "item", "items"),
            crate::text::shell_quote(&written)
        ));
    }
    Ok(EXIT_OK)
}
