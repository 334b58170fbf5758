//! The command line: clap types only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  selfaudit run                                   answer the service self-audit and BE SURE
  selfaudit template be-sure > me.toml            a file to fill in by hand or by script
  selfaudit report responses/2026-Q4              the team report, as a table
  selfaudit report responses/2026-Q4 --format json -o reports/2026-Q4.json
  selfaudit validate checklists/ responses/2026-Q4

Checklists are read from --checklists DIR (or SELFAUDIT_CHECKLISTS), else ./checklists/
when it exists, else the built-in set. Exit codes: 0 success, 1 a gate failed or
`validate` found problems, 2 usage error or unusable input, 130 interrupted.";

#[derive(Debug, Parser)]
#[command(
    name = "selfaudit",
    version,
    about = "Run a customer-service self-audit: interview, score, report, compare.",
    after_help = AFTER_HELP,
    max_term_width = 100
)]
pub struct Cli {
    /// Folder of checklist files to use instead of ./checklists/ or the built-in set
    /// [env: SELFAUDIT_CHECKLISTS=]
    #[arg(long, global = true, value_name = "DIR")]
    pub checklists: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer checklists in an interview in the terminal; writes one responses file
    Run(RunArgs),
    /// Print a responses file with every question as a comment, to fill in by hand or by script
    Template(TemplateArgs),
    /// Score one or many responses files into one report
    Report(ReportArgs),
    /// Compare two reports: deltas by checklist, section and item; gates for CI
    Diff(DiffArgs),
    /// Overall, checklist and section scores across reports, oldest first
    Trend(TrendArgs),
    /// List the checklists available: id, title, version, items, source
    List(ListArgs),
    /// Check checklist and responses files; every problem as path:line:col: message
    Validate(ValidateArgs),
    /// Print shell completions, e.g. `selfaudit completions bash > ~/.local/share/bash-completion/completions/selfaudit`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
#[command(after_help = "\
Choose with the arrow keys and Enter, or type the start of an answer. Every answer is saved at
once beside the output (<output>.partial); after Ctrl-C the same command resumes.

Examples:
  selfaudit run                                   choose checklists; asks your name
  selfaudit run be-sure --respondent \"Ann Lee\"     writes responses/<quarter>/ann-lee.toml
  selfaudit run ./my-checklist.toml -o answers.toml --notes always

No terminal? selfaudit template > answers.toml, fill it in, then selfaudit report answers.toml")]
pub struct RunArgs {
    /// Checklist ids or paths [default: choose from a list, service-self-audit and be-sure pre-selected]
    #[arg(value_name = "CHECKLIST")]
    pub ids: Vec<String>,

    /// The respondent's name [default: asked, suggesting the login name]
    #[arg(long, value_name = "NAME")]
    pub respondent: Option<String>,

    /// The period label [default: the current quarter, e.g. 2026-Q4]
    #[arg(long, value_name = "LABEL")]
    pub period: Option<String>,

    /// Write the responses to FILE [default: responses/<period>/<respondent>.toml]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace an existing responses file without asking
    #[arg(long)]
    pub force: bool,

    /// When to offer a one-line note after an answer
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = NotesWhen::Gaps)]
    pub notes: NotesWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotesWhen {
    /// After every answer
    Always,
    /// After an answer below the top of its scale: "what would improve this?"
    Gaps,
    /// Never
    Never,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Fill in the answers by uncommenting a line and writing one of the keys listed above it:
  deliver-on-time = \"often\"
  return-calls = { choice = \"no\", note = \"what would improve it\" }
Then score it: selfaudit report FILE")]
pub struct TemplateArgs {
    /// Checklist ids or paths [default: service-self-audit be-sure]
    #[arg(value_name = "CHECKLIST")]
    pub ids: Vec<String>,

    /// The respondent's name to put in the file
    #[arg(long, value_name = "NAME")]
    pub respondent: Option<String>,

    /// The period label [default: the current quarter, e.g. 2026-Q4]
    #[arg(long, value_name = "LABEL")]
    pub period: Option<String>,

    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Markdown,
    Html,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  selfaudit report responses/2026-Q4
  selfaudit report responses/2026-Q4/*.toml --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  selfaudit report responses/2026-Q4 --format json -o reports/2026-Q4.json --anonymous
  selfaudit report responses/2026-Q4 --format html -o report.html --baseline reports/2026-Q3.json")]
pub struct ReportArgs {
    /// Responses files, or folders of them (every *.toml inside); `-` reads standard input
    #[arg(value_name = "RESPONSES", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Drop respondent names: respondents become `respondent 1`…, notes keep no name
    #[arg(long)]
    pub anonymous: bool,

    /// Withhold an item's choices and notes when fewer than K answered it
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub min_responses: u64,

    /// The report's period; needed when the files' periods differ
    #[arg(long, value_name = "LABEL")]
    pub period: Option<String>,

    /// How many of the weakest items the table, Markdown and HTML list
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// A previous JSON report: the HTML shows every score's change since then
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
    Html,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Gates make the exit code 1 when they fail; with none asked, diff exits 0.
A figure within 1e-9 of a limit counts as equal to it: a drop of exactly N passes --max-drop N.

Examples:
  selfaudit diff reports/2026-Q3.json reports/2026-Q4.json --max-drop 5
  selfaudit diff Q3.json Q4.json --max-drop 5 --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  selfaudit diff Q3.json Q4.json --max-drop 5 --format html -o diff.html
  selfaudit diff old.json new.json --fail-below 70 --max-item-drop 25 --fail-on-new-critical

Exit codes: 0 every gate held, 1 a gate failed, 2 unusable input (not a report, unknown format version, invalid JSON).")]
pub struct DiffArgs {
    /// The earlier report (JSON, from `selfaudit report --format json`); `-` reads standard input
    #[arg(value_name = "BASE")]
    pub base: PathBuf,

    /// The later report
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,

    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail when NEW's overall score is below N (or undefined)
    #[arg(long, value_name = "N", value_parser = finite, allow_negative_numbers = true)]
    pub fail_below: Option<f64>,

    /// Fail when the overall score fell by more than N points
    #[arg(long, value_name = "N", value_parser = points, allow_negative_numbers = true)]
    pub max_drop: Option<f64>,

    /// Fail when any item's score fell by more than N points
    #[arg(long, value_name = "N", value_parser = points, allow_negative_numbers = true)]
    pub max_item_drop: Option<f64>,

    /// Fail when NEW has a critical gap that BASE did not
    #[arg(long)]
    pub fail_on_new_critical: bool,

    /// How many items each list in the table, Markdown and HTML shows (JSON has them all)
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub top: u64,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  selfaudit trend reports/2026-Q1.json reports/2026-Q2.json reports/2026-Q3.json reports/2026-Q4.json
  selfaudit trend reports/*.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"")]
pub struct TrendArgs {
    /// Reports (JSON), oldest first; `-` reads one from standard input
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,

    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A finite number, for a score threshold.
fn finite(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(format!(
            "`{s}` is not a number of points, such as 70 or 72.5"
        )),
    }
}

/// A finite number of points, 0 or more, for a drop threshold.
fn points(s: &str) -> Result<f64, String> {
    match finite(s)? {
        n if n >= 0.0 => Ok(n),
        _ => Err(format!(
            "`{s}` is below 0; a drop limit is 0 points or more"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Checklist files named here are checked first, and responses files are checked against them
as well as the checklists in use. Exit 0 when every file is valid, 1 when any is not.")]
pub struct ValidateArgs {
    /// Checklist or responses files, or folders of them; `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn checklist_arguments_and_the_global_checklists_folder_do_not_clash() {
        use clap::Parser;
        let cli = super::Cli::try_parse_from(["selfaudit", "run", "mini", "--checklists", "dir"])
            .unwrap();
        assert_eq!(cli.checklists.as_deref(), Some(std::path::Path::new("dir")));
        let super::Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert_eq!(args.ids, ["mini"]);
    }
}
