//! One function per subcommand: load → core → render → write.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{
    Cli, Command, ListArgs, ListFormat, ReportArgs, ReportFormat, TemplateArgs, ValidateArgs,
};
use crate::error::{EXIT_GATE, EXIT_OK, Error, Problem, Result};
use crate::load::{self, Origin, Registry};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::model::responses::Responses;
use crate::render;
use crate::score::{self, Tally};
use crate::text::terminal_safe;

/// The checklists asked when none is named.
pub const DEFAULT_CHECKLISTS: [&str; 2] = ["service-self-audit", "be-sure"];

pub fn run(cli: Cli) -> Result<u8> {
    let dir = cli.checklists.as_deref();
    match cli.command {
        Command::Template(args) => template(dir, args),
        Command::Report(args) => report(dir, args),
        Command::List(args) => list(dir, args),
        Command::Validate(args) => validate(dir, args),
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

/// Prints warnings to stderr, one line each.
pub fn warn(message: &str) {
    eprintln!("warning: {}", terminal_safe(message));
}

/// Resolves CHECKLIST arguments (ids or paths) to checklists, in the order given, without repeats.
pub fn resolve_checklists(registry: &mut Registry, args: &[String]) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for arg in args {
        let id = registry.resolve(arg)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn template(dir: Option<&Path>, args: TemplateArgs) -> Result<u8> {
    let mut registry = Registry::discover(dir)?;
    let ids = if args.checklists.is_empty() {
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
        resolve_checklists(&mut registry, &args.checklists)?
    };
    let checklists: Vec<&Checklist> = ids.iter().filter_map(|id| registry.get(id)).collect();
    let respondent = args.respondent.unwrap_or_else(|| "Your name".to_string());
    let period = args.period.unwrap_or_else(current_quarter);
    let text = crate::template::template(&checklists, &respondent, &period);
    load::write_output(args.output.as_deref(), text.as_bytes())?;
    Ok(EXIT_OK)
}

/// Reads and checks responses files; every problem in every file, or the parsed files with their paths.
pub fn read_responses(registry: &Registry, files: &[PathBuf]) -> Result<Vec<(PathBuf, Responses)>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for path in files {
        let text = match load::read_text(path) {
            Ok(t) => t,
            Err(Error::Invalid { problems: p }) => {
                problems.extend(p);
                continue;
            }
            Err(e) => return Err(e),
        };
        let name = load::display(path);
        match Responses::parse(
            &Source {
                name: &name,
                text: &text,
            },
            |id| registry.get(id),
            || registry.ids(),
        ) {
            Ok((r, warnings)) => {
                for w in warnings {
                    warn(&w.0);
                }
                out.push((path.clone(), r));
            }
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid { problems })
    }
}

/// Scores responses files into one report, after the checks of SPEC §6 (one period, each respondent once).
pub fn build_report(
    registry: &Registry,
    inputs: &[PathBuf],
    period: Option<String>,
    anonymous: bool,
    min_responses: u64,
) -> Result<Report> {
    let files = load::expand_inputs(inputs)?;
    let responses = read_responses(registry, &files)?;

    let mut problems = Vec::new();
    for (i, (path, r)) in responses.iter().enumerate() {
        let key = r.respondent.to_lowercase();
        if let Some((first, _)) = responses[..i]
            .iter()
            .find(|(_, o)| o.respondent.to_lowercase() == key)
        {
            problems.push(
                Problem::new(
                    load::display(path),
                    format!(
                        "respondent `{}` also answered in {}",
                        r.respondent,
                        load::display(first)
                    ),
                )
                .hint("a respondent may appear only once in a report; remove one of the files"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid { problems });
    }

    let period = match period {
        Some(p) => p,
        None => {
            let first = &responses[0].1.period;
            if let Some((path, r)) = responses.iter().find(|(_, r)| &r.period != first) {
                return Err(Error::usage_hint(
                    format!(
                        "{}: period `{}` differs from `{}` in {}",
                        load::display(path),
                        r.period,
                        first,
                        load::display(&responses[0].0)
                    ),
                    "report one period at a time, or name the report's period with --period LABEL",
                ));
            }
            first.clone()
        }
    };

    // The checklists answered by anyone, in the registry's order.
    let checklists: Vec<&Checklist> = registry
        .iter()
        .map(|(c, _)| c)
        .filter(|c| {
            responses
                .iter()
                .any(|(_, r)| r.sets.iter().any(|s| s.checklist == c.id))
        })
        .collect();
    if checklists.is_empty() {
        return Err(Error::usage_hint(
            "no answers to any checklist in these files",
            "add an [answers.CHECKLIST-ID] table; `selfaudit template` prints one to fill in",
        ));
    }
    let mut tally = Tally::new(checklists);
    for (_, r) in &responses {
        tally.add(r);
    }
    let options = score::Options {
        period,
        generated: now(),
        anonymous,
        min_responses,
    };
    Ok(tally.finish(&options))
}

/// Now, to the second, in RFC 3339 UTC.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn report(dir: Option<&Path>, args: ReportArgs) -> Result<u8> {
    if args.baseline.is_some() && args.format != ReportFormat::Html {
        return Err(Error::usage_hint(
            "--baseline is shown by the HTML report only",
            "add --format html, or compare two JSON reports with `selfaudit diff BASE NEW`",
        ));
    }
    // The baseline first: a bad one fails fast, before any responses are read.
    let baseline = args
        .baseline
        .as_deref()
        .map(load::read_report)
        .transpose()?;
    let registry = Registry::discover(dir)?;
    let report = build_report(
        &registry,
        &args.inputs,
        args.period,
        args.anonymous,
        args.min_responses,
    )?;
    let to_terminal = args.output.as_ref().is_none_or(|p| p == Path::new("-"));
    let text = match args.format {
        ReportFormat::Json => render::json::to_json(&report),
        ReportFormat::Markdown => render::markdown::report(&report, args.top),
        ReportFormat::Html => render::html::report(&report, baseline.as_ref(), args.top)?,
        ReportFormat::Table => {
            let color = to_terminal && color_stdout();
            render::table::report(
                &report,
                args.top,
                render::table::Style { color, width: None },
            )
        }
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
            let style = render::table::Style {
                color: color_stdout(),
                width: None,
            };
            let mut t = render::table::new_table(style);
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

/// Whether a TOML file is a responses file rather than a checklist, by its top-level keys.
fn looks_like_responses(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(t) => {
            t.contains_key("respondent") || t.contains_key("answers") || t.contains_key("period")
        }
        Err(_) => false,
    }
}

fn validate(dir: Option<&Path>, args: ValidateArgs) -> Result<u8> {
    for path in &args.files {
        if path != Path::new("-") && !path.exists() {
            return Err(Error::io(
                path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
    }
    let files = load::expand_inputs(&args.files)?;
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
    let (responses, checklists): (Vec<_>, Vec<_>) =
        texts.iter().partition(|(_, t)| looks_like_responses(t));
    let mut valid = Vec::new();
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
                for w in warnings {
                    warn(&w.0);
                }
                let answered: usize = r.sets.iter().map(|s| s.answers.len()).sum();
                valid.push(format!(
                    "{name}: ok (responses of {}, {}, {answered} answers)",
                    r.respondent, r.period
                ));
            }
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
        eprintln!("{p}");
        if let Some(h) = &p.hint {
            eprintln!("  hint: {}", terminal_safe(h));
        }
    }
    eprintln!(
        "{} found",
        render::plural(problems.len(), "problem", "problems")
    );
    Ok(EXIT_GATE)
}
