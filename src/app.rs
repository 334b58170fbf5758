//! One function per subcommand: load → core → render → write.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::actions::{self, Actions, Catalog};
use crate::cli;
use crate::cli::{
    Cli, Command, CompareFormat, DiffArgs, DiffFormat, ListArgs, ListFormat, ReportArgs,
    ReportFormat, TemplateArgs, TrendArgs, ValidateArgs,
};
use crate::collect::{self, TeamOptions, build_team_report, find_team, warn_versions};
use crate::diff::{Diff, Gates};
use crate::error::{EXIT_GATE, EXIT_OK, Error, Problem, Result};
use crate::interview::session::{Session, Settings};
use crate::interview::term::TermPrompter;
use crate::interview::{Interview, Notes};
use crate::load::{self, Origin, Registry};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::model::responses::Responses;
use crate::out::warn;
use crate::render;
use crate::render::layout::Medium;
use crate::score;
use crate::text::terminal_safe;

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
        Command::Serve(args) => crate::serve::run(dir, args),
        Command::Team(cli::TeamCommand::Init(args)) => team_init(dir, args),
        Command::Plan(args) => plan(dir, args),
        Command::Import(args) => import(dir, args),
        Command::Completions { shell } => {
            let mut cmd = cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "selfaudit", &mut buf);
            load::write_stdout(&buf)?;
            Ok(EXIT_OK)
        }
    }
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

/// Resolves CHECKLIST arguments (ids or paths) to checklists, in the order given, without repeats.
pub fn resolve_checklists(registry: &mut Registry, args: &[String]) -> Result<Vec<String>> {
    if args.iter().filter(|a| *a == "-").count() > 1 {
        return Err(load::twice_stdin());
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

fn template(dir: Option<&Path>, args: TemplateArgs) -> Result<u8> {
    let mut registry = Registry::discover(dir)?;
    let ids = if args.ids.is_empty() {
        let defaults: Vec<String> = load::DEFAULT_CHECKLISTS
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
    let period = args.period.unwrap_or_else(crate::env::current_quarter);
    let role = role_arg(args.role.as_deref())?;
    let text = match args.format {
        cli::TemplateFormat::Toml => {
            let mut text = crate::template::template_with_role(
                &checklists,
                &respondent,
                &period,
                role.as_deref(),
            );
            let flag = load::checklists_flag(dir, &args.ids);
            if !flag.is_empty() {
                text = text
                    .replacen(
                        "selfaudit validate FILE",
                        &format!("selfaudit validate{flag} FILE"),
                        1,
                    )
                    .replacen(
                        "selfaudit report FILE",
                        &format!("selfaudit report{flag} FILE"),
                        1,
                    );
            }
            text
        }
        cli::TemplateFormat::Html => render::paper::form(&checklists, &period)?,
    };
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    Ok(EXIT_OK)
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
            crate::text::plural(text.matches("[[people]]").count(), "person", "people"),
            crate::text::shell_quote(&list)
        ));
    }
    Ok(EXIT_OK)
}

fn report(dir: Option<&Path>, args: ReportArgs) -> Result<u8> {
    if args.baseline.as_deref() == Some(Path::new("-"))
        && args.inputs.iter().any(|p| p == Path::new("-"))
    {
        return Err(load::twice_stdin());
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
    let actions_file = load::read_actions(
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
        load::refuse_terminal(args.output.as_deref())?;
    }
    // The spreadsheet exports need the answers themselves, kept while the files are read.
    let keeper = crate::answers::Keeper::new(&registry, team.team.as_ref().map(|(_, t)| t));
    let keep_answers = matches!(args.format, ReportFormat::AnswersCsv | ReportFormat::Xlsx);
    // Checklists the files name but answer nothing of: said, not silently left out.
    let named = std::sync::Mutex::new(std::collections::BTreeMap::<String, bool>::new());
    let mut report = build_team_report(
        &registry,
        &args.inputs,
        args.period.clone(),
        args.anonymous,
        args.min_responses,
        &team,
        &|seq, r| {
            if let Ok(mut named) = named.lock() {
                for set in &r.sets {
                    *named.entry(set.checklist.clone()).or_default() |= !set.answers.is_empty();
                }
            }
            if keep_answers {
                keeper.keep(seq, r);
            }
        },
    )?;
    let unanswered: Vec<String> = named
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .filter(|(_, answered)| !answered)
        .map(|(id, _)| id)
        .collect();
    for id in &unanswered {
        warn(&format!(
            "checklist `{}` has no answer in any of these files, so it is not in the report; answer it, or take its [answers.{}] table out",
            terminal_safe(id),
            terminal_safe(id)
        ));
    }
    report.unanswered = unanswered
        .iter()
        .map(|id| crate::model::report::Unanswered {
            id: id.clone(),
            title: registry
                .get(id)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
        })
        .collect();
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
        ReportFormat::Markdown => {
            render::markdown::blocks(&render::layout::report(&report, args.top, Medium::Markdown))
        }
        ReportFormat::Html => render::html::report(&report, baseline.as_ref(), args.top)?,
        ReportFormat::Table => {
            let style = table_style(to_terminal);
            let text = render::table::blocks(
                &render::layout::report(&report, args.top, Medium::Terminal),
                style,
            );
            // On a terminal, the lines outside the tables (notes) break at spaces too.
            match dialoguer::console::Term::stdout().size_checked() {
                Some((_, cols)) if style.fit => crate::text::fit_lines(&text, usize::from(cols)),
                _ => text,
            }
        }
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
    match load::read_actions(args.actions.as_deref(), &catalog)? {
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
        return Err(load::twice_stdin());
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
        ListFormat::Table => render::table::blocks(
            &render::layout::list(registry.iter().map(|(c, o)| (c, o.to_string()))),
            table_style(true),
        ),
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
        Ok(t) if t.is_empty() && render::plan::is_plan_output(text) => FileKind::Actions,
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
                crate::text::plural(t.people.len(), "person", "people"),
                t.roles
                    .as_ref()
                    .map(|r| format!(", {}", crate::text::plural(r.len(), "role", "roles")))
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
                    "{name}: ok (checklist `{}`, {})",
                    c.id,
                    crate::text::plural(c.item_count(), "item", "items")
                ));
                registry.insert(c, Origin::File(path.clone()));
            }
            Err(p) => match crate::sniff::kind(text) {
                // A JSON report is not a file validate checks: say what it is and what takes it.
                Some(crate::sniff::Kind::Report) => problems.push(
                    Problem::new(name.clone(), "this is a JSON report, not a checklist or responses file")
                        .hint("validate checks TOML files; compare reports with `selfaudit diff OLD.json NEW.json` or follow them with `selfaudit trend`"),
                ),
                _ => problems.extend(p),
            },
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
                if answered == 0 {
                    warn(&format!(
                        "{name}: no answers yet: every question is commented out or empty; \
                         write one key a line under [answers.CHECKLIST-ID], e.g. item = \"often\""
                    ));
                }
                valid.push(format!(
                    "{name}: ok (responses of {}, {}, {})",
                    r.respondent,
                    r.period,
                    crate::text::plural(answered, "answer", "answers")
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
                crate::text::plural(a.actions.len(), "action", "actions"),
                crate::text::plural(a.targets.len(), "target", "targets")
            )),
            Err(p) => problems.extend(p),
        }
    }
    // The files in the order given, each one's problems in line order.
    let order: Vec<String> = texts.iter().map(|(p, _)| load::display(p)).collect();
    problems.sort_by_key(|p| {
        order
            .iter()
            .position(|n| *n == p.path)
            .unwrap_or(usize::MAX)
    });
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
        crate::text::plural(problems.len(), "problem", "problems")
    ));
    Ok(EXIT_GATE)
}

/// `selfaudit run`: settle who, when, what and where, run the interview, write the responses file.
fn run_interview(dir: Option<&Path>, args: cli::RunArgs) -> Result<u8> {
    // Never wait for keys that cannot come.
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(no_terminal(dir, &args));
    }
    let role = role_arg(args.role.as_deref())?;
    let mut registry = Registry::discover(dir)?;
    let checklists = resolve_checklists(&mut registry, &args.ids)?;
    let settings = Settings {
        named: args.ids.clone(),
        checklists,
        respondent: args.respondent.clone(),
        period: args.period.clone(),
        output: args.output.clone(),
        force: args.force,
        notes: match args.notes {
            cli::NotesWhen::Always => Notes::Always,
            cli::NotesWhen::Gaps => Notes::Gaps,
            cli::NotesWhen::Never => Notes::Never,
        },
        role,
        dir: dir.map(Path::to_path_buf),
    };
    let mut prompter = TermPrompter::new();
    let mut session = Session::open(&registry, settings, &mut prompter)?;
    session.ask(&mut prompter)?;
    let done = session.finish(&mut prompter)?;
    let mut summary = own_summary(
        &done.interview,
        &done.responses,
        &done.output,
        &load::checklists_flag(dir, &args.ids),
    );
    summary.push_str(&open_actions_on_gaps(
        &registry,
        &done.interview,
        &done.responses,
        args.actions.as_deref(),
    ));
    // On a terminal, long lines break at spaces, indented under their text (issue 11 item 2).
    if std::io::stdout().is_terminal()
        && let Some((_, cols)) = dialoguer::console::Term::stdout().size_checked()
    {
        summary = crate::text::fit_lines(&summary, usize::from(cols));
    }
    load::write_stdout(summary.as_bytes())?;
    Ok(EXIT_OK)
}

/// What `run` prints once the responses are saved: where, and the respondent's own scores.
fn own_summary(
    progress: &Interview,
    responses: &Responses,
    output: &Path,
    checklists_flag: &str,
) -> String {
    let mut tally = score::Tally::new(progress.checklists.clone());
    tally.add(0, responses);
    let report = tally.finish(&score::Options {
        period: progress.period.clone(),
        generated: crate::env::now(),
        ..Default::default()
    });
    let skipped = progress.skipped().len();
    let mut out = format!(
        "\nSaved {} ({}{}).\n\nYour scores · {} · {}\n",
        terminal_safe(&output.display().to_string()),
        crate::text::plural(progress.answered(), "answer", "answers"),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        terminal_safe(&progress.respondent),
        terminal_safe(&progress.period)
    );
    out.push_str(&render::table::blocks(
        &render::layout::own_scores(&report),
        table_style(true),
    ));
    match output.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => out.push_str(&format!(
            "\nThe team report, once everyone has answered: selfaudit report{} {}\n",
            terminal_safe(checklists_flag),
            terminal_safe(&crate::text::shell_quote(&folder.display().to_string()))
        )),
        // A file in the current folder: its own report, to which the team's files are added.
        None => out.push_str(&format!(
            "\nThe report of your answers (name the team's files after it once everyone has answered): selfaudit report{} {}\n",
            terminal_safe(checklists_flag),
            terminal_safe(&crate::text::shell_quote(&output.display().to_string()))
        )),
    }
    out
}

fn no_terminal(dir: Option<&Path>, args: &cli::RunArgs) -> Error {
    // The checklists as the template command will find them: an unknown id is said as such
    // (with the nearest known one), and a path keeps its folder.
    let mut registry = match Registry::discover(dir) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let flag = load::checklists_flag(dir, &args.ids);
    let mut template = format!("selfaudit template{flag}");
    for c in &args.ids {
        let word = match registry.resolve(c) {
            Ok(_) if c.contains('/') || c.contains('\\') || c.ends_with(".toml") => c.clone(),
            Ok(id) => id,
            Err(e) => return e,
        };
        template.push(' ');
        template.push_str(&crate::text::shell_quote(&word));
    }
    if let Some(r) = &args.respondent {
        template.push_str(&format!(" --respondent {}", crate::text::shell_quote(r)));
    }
    if let Some(p) = &args.period {
        template.push_str(&format!(" --period {}", crate::text::shell_quote(p)));
    }
    Error::usage_hint(
        "`selfaudit run` asks its questions in a terminal, and standard input or standard error is not one",
        format!(
            "to answer without a terminal, get a file to fill in: `{template} > answers.toml`, \
             write the answers in it, then score it: `selfaudit report{flag} answers.toml`"
        ),
    )
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
        load::read_actions(args.actions.as_deref(), &catalog)?.unwrap_or_default()
    };
    let out = render::plan::plan(&text, &file, &report, args.top);
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
    let file = match load::read_actions(arg, &catalog) {
        Ok(Some((_, file))) => file,
        Ok(None) => return String::new(),
        Err(e) => {
            crate::out::warn(&format!("the actions file is not shown: {e}"));
            return String::new();
        }
    };
    let mut tally = score::Tally::new(progress.checklists.clone());
    tally.add(0, responses);
    let report = tally.finish(&score::Options {
        period: progress.period.clone(),
        generated: crate::env::now(),
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
                Some(_) => load::write_stream(target, write),
                // Whole, then written: a reader that stops early (`| head`) must not leave
                // the zip writer complaining on standard error.
                None => {
                    let mut bytes = Vec::new();
                    write(&mut bytes).map_err(|e| Error::io("<stdout>", e))?;
                    load::write_stdout(&bytes)
                }
            }
        }
        _ => load::write_stream(target, |out| {
            let mut w = render::csv::AnswerWriter::new(out)?;
            answers.for_each(|row| w.row(row))?;
            w.finish()
        }),
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
        crate::out::warn(w);
    }
    load::write_output(Some(&target), imported.toml.as_bytes())?;
    if !to_stdout {
        let written = target.display().to_string();
        crate::out::eline(&format!(
            "wrote {} ({}); check it with: selfaudit validate {}",
            terminal_safe(&written),
            crate::text::plural(imported.items, "item", "items"),
            crate::text::shell_quote(&written)
        ));
    }
    Ok(EXIT_OK)
}
