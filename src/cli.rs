//! The command line: clap types only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

const AFTER_HELP: &str = "\
Examples:
  selfaudit run                           # the service self-audit and BE SURE
  selfaudit template be-sure > me.toml    # a file to fill in by hand
  selfaudit report responses/2026-Q4      # the team report, as a table
  selfaudit report responses/2026-Q4 --format json -o reports/2026-Q4.json
  selfaudit validate checklists/ responses/2026-Q4

Checklists are read from --checklists DIR (or SELFAUDIT_CHECKLISTS), else ./checklists/ when it exists, else the built-in set. Exit codes: 0 success, 1 a gate failed or `validate` found problems, 2 usage error or unusable input, 130 interrupted.";

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
    #[arg(value_hint = ValueHint::DirPath, long, global = true, value_name = "DIR")]
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
    /// Answer from phones: a web server on the shop's network that writes what `run` writes
    Serve(ServeArgs),
    /// The team list (team.toml): who is asked, in which role
    #[command(subcommand)]
    Team(TeamCommand),
    /// Propose actions for a report's weakest, split and critical items, keeping the actions file's own text
    Plan(PlanArgs),
    /// Turn a sheet of questions (CSV or XLSX) into a checklist file
    Import(ImportArgs),
    /// Print shell completions, e.g. `selfaudit completions bash > ~/.local/share/bash-completion/completions/selfaudit`
    Completions {
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  selfaudit run                                  # choose; asks your name
  selfaudit run be-sure --respondent \"Ann Lee\"   # <quarter>/ann-lee.toml
  selfaudit run ./my-checklist.toml -o answers.toml --notes always

Choose with the arrow keys and Enter, or type the start of an answer. Every answer is saved at once beside the output (<output>.partial); after Ctrl-C the same command resumes.

No terminal? Write the answers in a file, then score it:
  selfaudit template > answers.toml
  selfaudit report answers.toml")]
pub struct RunArgs {
    /// Checklist ids or paths [default: choose from a list, service-self-audit and be-sure pre-selected]
    #[arg(value_name = "CHECKLIST", value_parser = ChecklistArg, hide_possible_values = true, value_hint = ValueHint::FilePath)]
    pub ids: Vec<String>,

    /// The respondent's name [default: asked, suggesting the login name]
    #[arg(long, value_name = "NAME")]
    pub respondent: Option<String>,

    /// The period label [default: the current quarter, e.g. 2026-Q4]
    #[arg(long, value_name = "LABEL")]
    pub period: Option<String>,

    /// Write the responses to FILE [default: responses/<period>/<respondent>.toml]
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace an existing responses file without asking
    #[arg(long)]
    pub force: bool,

    /// When to offer a one-line note after an answer
    #[arg(long, value_enum, ignore_case = true, value_name = "WHEN", default_value_t = NotesWhen::Gaps)]
    pub notes: NotesWhen,

    /// The respondent's role, written as `role = "ROLE"` (a team list's role wins over it)
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The actions file whose open actions the closing summary shows [default: ./actions.toml]
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub actions: Option<PathBuf>,
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
    #[arg(value_name = "CHECKLIST", value_parser = ChecklistArg, hide_possible_values = true, value_hint = ValueHint::FilePath)]
    pub ids: Vec<String>,

    /// The respondent's name to put in the file
    #[arg(long, value_name = "NAME")]
    pub respondent: Option<String>,

    /// The period label [default: the current quarter, e.g. 2026-Q4]
    #[arg(long, value_name = "LABEL")]
    pub period: Option<String>,

    /// Write to FILE instead of standard output
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The respondent's role to put in the file, e.g. staff
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,

    /// `toml`: a responses file to fill in; `html`: a paper form with tick boxes, one page per checklist
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = TemplateFormat::Toml,
        hide_possible_values = true
    )]
    pub format: TemplateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    Toml,
    Html,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Prints the address, the owner's link and each person's link (with a team list), or the team
link and its QR code. Answers land in DIR/<period>/<name>.toml, exactly as `selfaudit run`
writes them; the secret links are kept in DIR/<period>/.selfaudit-links (mode 0600).

Examples:
  selfaudit serve                                  on this computer only: http://127.0.0.1:8080
  selfaudit serve --listen 0.0.0.0:8080 --team team.toml --qr     for phones on the shop's Wi-Fi
  selfaudit serve --tls-cert cert.pem --tls-key key.pem --listen 0.0.0.0:8443

Stop with Ctrl-C: it finishes the requests in flight and prints who has answered.")]
pub struct ServeArgs {
    /// Checklist ids or paths [default: service-self-audit be-sure]
    #[arg(value_name = "CHECKLIST")]
    pub ids: Vec<String>,

    /// The period label [default: the current quarter, e.g. 2026-Q4]
    #[arg(long, value_name = "LABEL")]
    pub period: Option<String>,

    /// The team list: one personal link per person [default: SELFAUDIT_TEAM, else ./team.toml if any]
    #[arg(long, value_name = "FILE")]
    pub team: Option<PathBuf>,

    /// The address to listen on; 0.0.0.0:8080 to reach phones on the network
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// The folder of responses; answers go to DIR/<period>/
    #[arg(long, value_name = "DIR", default_value = "responses")]
    pub responses: PathBuf,

    /// A JSON report to compare the owner's live team report with
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Print each person's QR code under their name
    #[arg(long)]
    pub qr: bool,

    /// Serve HTTPS: the certificate chain (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// Serve HTTPS: the private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Markdown,
    Html,
    /// One row per item (spreadsheets)
    Csv,
    /// One row per answer given, for analysis
    AnswersCsv,
    /// A workbook: Summary, Items, Answers, Notes, Respondents (needs -o FILE or a pipe)
    Xlsx,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  selfaudit report responses/2026-Q4
  selfaudit report responses/2026-Q4 --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  selfaudit report responses/2026-Q4 --format json -o reports/2026-Q4.json
  selfaudit report responses/2026-Q4 --format json --anonymous -o anon.json
  selfaudit report responses/2026-Q4 --format html -o report.html \\
      --baseline reports/2026-Q3.json")]
pub struct ReportArgs {
    /// Responses files, or folders of them (every *.toml inside); `-` reads standard input
    #[arg(value_hint = ValueHint::AnyPath, value_name = "RESPONSES", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Output format
    #[arg(short, long, value_enum, ignore_case = true, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Write to FILE (atomically) instead of standard output
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
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

    /// A previous JSON report: the HTML shows every score's change since then, and every format the targets' progress
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// The team list [default: SELFAUDIT_TEAM, else ./team.toml when it exists]
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub team: Option<PathBuf>,

    /// Withhold a role group's figures when it has fewer than K respondents [default: 1, or 3 with --anonymous]
    #[arg(long, value_name = "K")]
    pub min_group: Option<u64>,
    /// The actions and targets to show [default: ./actions.toml when it exists]
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub actions: Option<PathBuf>,
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
    /// One row per item delta
    Csv,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Gates make the exit code 1 when they fail; with none asked, diff exits 0. A figure within 1e-9 of a limit counts as equal to it: a drop of exactly N passes --max-drop N.

Examples:
  selfaudit diff reports/2026-Q3.json reports/2026-Q4.json --max-drop 5
  selfaudit diff Q3.json Q4.json --max-drop 5 --format markdown \\
      >> \"$GITHUB_STEP_SUMMARY\"
  selfaudit diff Q3.json Q4.json --max-drop 5 --format html -o diff.html
  selfaudit diff old.json new.json --fail-below 70 --max-item-drop 25 \\
      --fail-on-new-critical
  selfaudit diff Q3.json Q4.json --actions actions.toml \\
      --fail-on-overdue --fail-below-target

Exit codes: 0 every gate held, 1 a gate failed, 2 unusable input (not a report, unknown format version, invalid JSON).")]
pub struct DiffArgs {
    /// The earlier report (JSON, from `selfaudit report --format json`); `-` reads standard input
    #[arg(value_hint = ValueHint::FilePath, value_name = "BASE")]
    pub base: PathBuf,

    /// The later report
    #[arg(value_hint = ValueHint::FilePath, value_name = "NEW")]
    pub new: PathBuf,

    /// Output format
    #[arg(short, long, value_enum, ignore_case = true, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,

    /// Write to FILE (atomically) instead of standard output
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
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

    /// Fail when fewer than P percent of NEW's team list answered (NEW needs a response rate)
    #[arg(long, value_name = "P", value_parser = percent)]
    pub min_response_rate: Option<f64>,
    /// Make --max-drop and --max-item-drop count only drops beyond noise (SPEC §14): a drop
    /// within both reports' margins of error does not fail; one of unknown noise still does
    #[arg(long)]
    pub beyond_noise: bool,
    /// The actions and targets to follow up [default: ./actions.toml when it exists]
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub actions: Option<PathBuf>,

    /// Fail when an action is overdue (due before NEW's generated date, not done or dropped)
    #[arg(long)]
    pub fail_on_overdue: bool,

    /// Fail when a target's due date is before NEW's generated date and it is not met
    #[arg(long)]
    pub fail_below_target: bool,

    /// How many items each list in the table, Markdown and HTML shows (JSON has them all)
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub top: u64,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  selfaudit trend reports/2026-Q3.json reports/2026-Q4.json
  selfaudit trend reports/*.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"")]
pub struct TrendArgs {
    /// Reports (JSON), oldest first; `-` reads one from standard input
    #[arg(value_hint = ValueHint::FilePath, value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,

    /// Output format
    #[arg(short, long, value_enum, ignore_case = true, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,

    /// Write to FILE (atomically) instead of standard output
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Columns are found by their header (any case): text (required), section, id or item, help, scale, weight, critical, allow_na. Other columns are ignored. Booleans: true/false, yes/no, 1/0, x/empty.

Examples:
  selfaudit import questions.csv --id my-audit --title \"My audit\"
  selfaudit import questions.xlsx --id my-audit -o checklists/my-audit.toml
  selfaudit report responses/2026-Q4 --format csv | \\
      selfaudit import - --only be-sure --id copy --scales-from be-sure -o -")]
pub struct ImportArgs {
    /// The sheet: a .csv file, or an .xlsx/.ods workbook (its first sheet); `-` reads CSV from standard input
    #[arg(value_hint = ValueHint::FilePath, value_name = "FILE")]
    pub file: PathBuf,

    /// The new checklist's id: lower-case letters, digits and `-`
    #[arg(long, value_name = "ID")]
    pub id: String,

    /// The checklist's title [default: the id]
    #[arg(long, value_name = "T")]
    pub title: Option<String>,

    /// Write the checklist to FILE [default: ID.toml]; `-` prints it
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace an existing output file
    #[arg(long)]
    pub force: bool,

    /// A checklist (id or path) whose own scales the sheet may name, copied into the result
    #[arg(long, value_name = "CHECKLIST")]
    pub scales_from: Option<String>,

    /// Import only the rows whose `checklist` column is ID (a report's sheet holds them all)
    #[arg(long, value_name = "ID")]
    pub only: Option<String>,
}

/// A CHECKLIST argument: any id or path, with the built-in ids offered to shell completion.
#[derive(Debug, Clone, Copy)]
pub struct ChecklistArg;

impl clap::builder::TypedValueParser for ChecklistArg {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::load::builtin_ids()
                .iter()
                .map(|id| clap::builder::PossibleValue::new(id.as_str())),
        ))
    }
}

/// The command line, with `--checklists` left out of the help of the commands it has no
/// effect on (it is global, so that it may come before or after the subcommand).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    // A subcommand's own argument of the same id takes the place of the global one there:
    // still accepted, not listed.
    for name in ["trend", "completions"] {
        cmd = cmd.mut_subcommand(name, |c| {
            c.arg(
                clap::Arg::new("checklists")
                    .long("checklists")
                    .value_name("DIR")
                    .value_parser(clap::value_parser!(PathBuf))
                    .hide(true),
            )
        });
    }
    cmd
}

/// Parses the command line as `command` describes it.
pub fn try_parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
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

/// A percentage from 0 to 100, for the response-rate gate.
fn percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(n) if (0.0..=100.0).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}` is not a percentage from 0 to 100, such as 80"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Write a starting team list from the respondents of responses files (roles to fill in)
    #[command(after_help = "\
Examples:
  selfaudit team init responses/2026-Q4 -o team.toml
  selfaudit team init responses/*/    # every respondent of every period, once

Then add the people who have not answered yet, give everyone a role, and check it:
  selfaudit validate team.toml")]
    Init(TeamInitArgs),
}

#[derive(Debug, Args)]
pub struct TeamInitArgs {
    /// Responses files, or folders of them; each respondent is listed once
    #[arg(value_hint = ValueHint::AnyPath, value_name = "RESPONSES")]
    pub inputs: Vec<PathBuf>,

    /// Write to FILE instead of standard output; an existing file is kept unless --force
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace an existing FILE
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(short, long, value_enum, ignore_case = true, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Checklist files named here are checked first, and responses files are checked against them as well as the checklists in use. Exit 0 when every file is valid, 1 when any is not.")]
pub struct ValidateArgs {
    /// Checklist or responses files, or folders of them; `-` reads standard input
    #[arg(value_hint = ValueHint::AnyPath, value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The actions file is kept byte for byte; proposals are added at its end as comments, one per critical gap, weakest item and split item that no open action (on the item or its section) covers. Uncomment one to adopt it. Running plan again adds nothing new.

Examples:
  selfaudit plan reports/2026-Q4.json    # prints the file with proposals
  selfaudit plan reports/2026-Q4.json --actions actions.toml -o actions.toml")]
pub struct PlanArgs {
    /// The JSON report to plan from (`selfaudit report --format json`); `-` reads standard input
    #[arg(value_hint = ValueHint::FilePath, value_name = "REPORT")]
    pub report: PathBuf,

    /// The actions file to start from [default: ./actions.toml when it exists]
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub actions: Option<PathBuf>,

    /// Write to FILE (atomically) instead of standard output
    #[arg(value_hint = ValueHint::FilePath, short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How many of the weakest items get a proposal
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
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
