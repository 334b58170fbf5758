//! One function per subcommand: load → core → render → write.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli;
use crate::cli::{
    Cli, Command, ListArgs, ListFormat, ReportArgs, ReportFormat, TemplateArgs, ValidateArgs,
};
use crate::error::{EXIT_GATE, EXIT_OK, Error, Problem, Result};
use crate::interview::term::{Resume, TermPrompter};
use crate::interview::{self, Interview, Notes, partial};
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
        Command::Run(args) => run_interview(dir, args),
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

/// `selfaudit run`: settle who, when, what and where, run the interview, write the responses file.
fn run_interview(dir: Option<&Path>, args: cli::RunArgs) -> Result<u8> {
    // Never wait for keys that cannot come.
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(no_terminal(&args));
    }
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
    let partial_path = {
        let mut p = output.clone().into_os_string();
        p.push(".partial");
        PathBuf::from(p)
    };

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
    // A folder that cannot be made should stop us before the first answer, not after it.
    if let Some(folder) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    }
    let outcome = interview::run(&mut progress, notes, &mut prompter, &mut |p| {
        on_disk = p.answered();
        load::write_atomic(&partial_path, partial::write(p).as_bytes())
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
    let responses = progress.to_responses(Some(now()));
    let mut text = format!(
        "# Responses of {} for {}, written by `selfaudit run`.\n# Score them: selfaudit report {}\n",
        crate::text::comment_safe(&respondent),
        crate::text::comment_safe(&period),
        crate::text::comment_safe(&output.display().to_string())
    );
    text.push_str(&responses.to_toml(&progress.checklists));
    load::write_atomic(&output, text.as_bytes())?;
    if let Err(e) = std::fs::remove_file(&partial_path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        warn(&format!(
            "{}: could not remove the progress file: {e}",
            partial_path.display()
        ));
    }

    let summary = own_summary(&progress, &responses, &output);
    load::write_stdout(summary.as_bytes())?;
    Ok(EXIT_OK)
}

/// What `run` prints once the responses are saved: where, and the respondent's own scores.
fn own_summary(progress: &Interview, responses: &Responses, output: &Path) -> String {
    let mut tally = score::Tally::new(progress.checklists.clone());
    tally.add(responses);
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
    out.push_str(&render::table::own_scores(
        &report,
        render::table::Style {
            color: color_stdout(),
            width: None,
        },
    ));
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

/// A word as a POSIX shell reads it back: bare when safe, else in single quotes.
fn shell_word(s: &str) -> String {
    let s = terminal_safe(s);
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\"'\"'"))
    }
}

/// The command that goes on with an interrupted interview.
fn resume_command(
    dir: Option<&Path>,
    args: &cli::RunArgs,
    ids: &[String],
    respondent: &str,
    period: &str,
) -> String {
    let program = std::env::args()
        .next()
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
    if r.respondent.to_lowercase() != respondent.to_lowercase() {
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
            saved.checklists.join(" "),
            shell_word(&r.respondent),
            shell_word(&r.period)
        ),
    ))
}
