//! The interview session (SPEC §8): who answers, for which period, into which file; the lock,
//! the progress file and resuming it. Every front-end drives the same session.
//!
//! A session is opened, answered, saved and finished:
//!
//! ```text
//! Session::open(registry, settings, prompter)   settle who/when/where, take the lock,
//!                                               read and check the progress file, ask
//!                                               resume / which checklists / replace
//! session.interview_mut()  …  session.save()    change the answers, then save the progress
//! session.ask(prompter)                         or: ask every question left (saving after each)
//! session.finish(prompter)                      write the responses file, drop the progress
//! ```
//!
//! An answer is saved through the session whoever asked it. The terminal asks every question in
//! one session ([`Session::ask`]); a web handler opens the session per request (lock → load
//! progress → apply one reply to [`Session::interview_mut`] → [`Session::save`] → drop, which
//! unlocks), so both write the same progress file in the same form.

use std::path::{Path, PathBuf};

use super::{Interview, Notes, Prompter, partial};
use crate::error::{Error, Result};
use crate::load::{self, DEFAULT_CHECKLISTS, Registry};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::responses::Responses;
use crate::paths::RunFiles;
use crate::text::{shell_quote, terminal_safe};

/// The answer to "there is an interview in progress".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    Resume,
    StartAgain,
}

/// The answer to "the responses file exists".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Stop, leaving it as it is.
    Keep,
    /// Replace it with this interview's answers.
    Replace,
    /// Add this interview's checklists to it, leaving its other answers as they are.
    Add,
}

/// What the respondent asked for, as plain settings (the command line or a web form).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The checklists as named (ids or paths), for the command that goes on after Ctrl-C.
    pub named: Vec<String>,
    /// The same checklists as ids; empty when none was named.
    pub checklists: Vec<String>,
    /// The respondent; asked when `None`.
    pub respondent: Option<String>,
    /// The period label; the current quarter when `None`.
    pub period: Option<String>,
    /// The responses file; `responses/<period>/<respondent>.toml` when `None`.
    pub output: Option<PathBuf>,
    /// Replace an existing responses file without asking.
    pub force: bool,
    pub notes: Notes,
    /// The respondent's role on the team, written with the answers.
    pub role: Option<String>,
    /// `--checklists DIR`, for the command that goes on after Ctrl-C.
    pub dir: Option<PathBuf>,
}

/// An interview with its files: the only writer of its progress and responses files while
/// it lives (it holds `<output>.lock`).
#[derive(Debug)]
pub struct Session<'r> {
    registry: &'r Registry,
    settings: Settings,
    files: RunFiles,
    interview: Interview<'r>,
    /// Answers in the progress file as found, which stay there until the first new answer.
    on_disk: usize,
    /// Whether an existing responses file may be replaced.
    replace: bool,
    /// Whether the answers are added to the existing responses file.
    add: bool,
}

/// A finished interview: the responses written, and where.
#[derive(Debug)]
pub struct Finished<'r> {
    pub interview: Interview<'r>,
    pub responses: Responses,
    pub output: PathBuf,
}

impl<'r> Session<'r> {
    /// Settles respondent, period and output, takes the lock, reads and checks the progress
    /// file, and asks what cannot be settled otherwise (resume? which checklists? replace?).
    /// Ctrl-C here ends the session with a hint about any earlier progress.
    pub fn open(
        registry: &'r Registry,
        mut settings: Settings,
        prompter: &mut dyn Prompter,
    ) -> Result<Self> {
        let respondent = match &settings.respondent {
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
        let period = settings
            .period
            .as_deref()
            .map_or_else(crate::env::current_quarter, |p| p.trim().to_string());
        if period.is_empty() {
            return Err(Error::usage_hint(
                "the period is empty",
                "give a label with --period LABEL, e.g. 2026-Q4, or leave it out for the current quarter",
            ));
        }
        // The names become path parts only once slugged, so no name reaches outside responses/.
        let chosen_by_tool = settings.output.is_none();
        let output = settings.output.clone().unwrap_or_else(|| {
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
        let mut on_disk = 0;
        if partial_path.exists() {
            let saved = read_partial(registry, &partial_path)?;
            on_disk = saved.answered();
            check_partial_is_ours(
                &saved,
                &partial_path,
                &output,
                &settings,
                &respondent,
                &period,
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
                if settings.role.is_none() {
                    settings.role = saved.role.clone();
                }
                resumed = Some(saved);
            }
        }
        let ids = match (&resumed, settings.checklists.is_empty()) {
            (_, false) => settings.checklists.clone(),
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
        let mut replace = settings.force;
        let mut add = false;
        if output.exists() && !replace {
            let can_add = addable(registry, &output, &ids, &respondent, &period).is_ok();
            match prompter
                .existing(&output, can_add)
                .map_err(not_begun(Some(&partial_path)))?
            {
                Existing::Keep => return Err(kept(&output, None)),
                Existing::Replace => replace = true,
                Existing::Add if can_add => add = true,
                Existing::Add => return Err(kept(&output, None)),
            }
        }

        let checklists: Vec<&Checklist> = ids.iter().filter_map(|id| registry.get(id)).collect();
        let interview = match &resumed {
            Some(saved) => Interview::new(checklists, &respondent, &period, &saved.started)
                .resume(&saved.responses, &saved.skipped),
            None => Interview::new(checklists, &respondent, &period, &crate::env::now()),
        };
        Ok(Session {
            registry,
            settings,
            files,
            interview,
            on_disk,
            replace,
            add,
        })
    }

    /// The session of one request of a front-end that answers one request at a time (`serve`):
    /// the respondent, period and output are settled, the output is a path the tool chose, and
    /// nothing is asked: saved progress is gone on from (it must be this respondent's), a new
    /// interview asks `checklists`, and the answers replace an earlier responses file when
    /// submitted. `None` while another process (a terminal's `run`) holds the lock; dropping the
    /// session releases it.
    pub fn open_request(
        registry: &'r Registry,
        settings: Settings,
        output: &Path,
        checklists: &[String],
    ) -> Result<Option<Self>> {
        let respondent = settings.respondent.clone().unwrap_or_default();
        let period = settings.period.clone().unwrap_or_default();
        let Some(files) = crate::paths::open_run(output, true, false)? else {
            return Ok(None);
        };
        let mut on_disk = 0;
        let interview = if files.partial.exists() {
            let saved = read_partial(registry, &files.partial)?;
            on_disk = saved.answered();
            check_partial_is_ours(
                &saved,
                &files.partial,
                output,
                &settings,
                &respondent,
                &period,
            )?;
            let asked = saved
                .checklists
                .iter()
                .filter_map(|id| registry.get(id))
                .collect();
            Interview::new(asked, &saved.responses.respondent, &period, &saved.started)
                .resume(&saved.responses, &saved.skipped)
        } else {
            let asked = checklists
                .iter()
                .filter_map(|id| registry.get(id))
                .collect();
            Interview::new(asked, &respondent, &period, &crate::env::now())
        };
        Ok(Some(Session {
            registry,
            settings,
            files,
            interview,
            on_disk,
            replace: true,
            // The web page submits all of the respondent's answers: the file is replaced whole.
            add: false,
        }))
    }

    /// Whether a progress file was there (or has been saved) for this interview.
    pub fn in_progress(&self) -> bool {
        self.files.partial.exists()
    }

    /// The answers so far.
    pub fn interview(&self) -> &Interview<'r> {
        &self.interview
    }

    /// The answers, to change before [`Session::save`].
    pub fn interview_mut(&mut self) -> &mut Interview<'r> {
        &mut self.interview
    }

    /// Saves the progress file (atomically, never through a link).
    pub fn save(&mut self) -> Result<()> {
        save_progress(
            &self.files,
            &self.interview,
            self.settings.role.as_deref(),
            &mut self.on_disk,
        )
    }

    /// Asks every question left, saving after each answer. Ctrl-C (or a lost terminal) ends
    /// it with a hint: how many answers are saved, and the command that goes on.
    pub fn ask(&mut self, prompter: &mut dyn Prompter) -> Result<()> {
        let Session {
            files,
            interview,
            on_disk,
            settings,
            ..
        } = self;
        let role = settings.role.as_deref();
        let outcome = super::run(interview, settings.notes, prompter, &mut |p| {
            save_progress(files, p, role, on_disk)
        });
        match outcome {
            Err(Error::Interrupted { .. }) => {
                let hint = if self.files.partial.exists() {
                    format!(
                        "{} saved in {}; to go on, run: {}",
                        crate::text::plural(self.on_disk, "answer is", "answers are"),
                        self.files.partial.display(),
                        self.resume_command()
                    )
                } else {
                    "nothing was answered yet, so nothing was saved".to_string()
                };
                Err(Error::Interrupted { hint: Some(hint) })
            }
            outcome => outcome,
        }
    }

    /// Writes the responses file and removes the progress file. A responses file that appeared
    /// while the questions were asked is replaced only if the prompter says so.
    pub fn finish(self, prompter: &mut dyn Prompter) -> Result<Finished<'r>> {
        let output = self.files.output.clone();
        if output.exists() && !self.replace && !self.add && !prompter.replace(&output)? {
            return Err(kept(&output, Some(&self.files.partial)));
        }
        let progress = self.interview;
        let mut responses = progress.to_responses(Some(crate::env::now()));
        responses.role = self.settings.role.clone();
        if self.add {
            // The file as it is now, byte for byte, and this interview's checklists after it.
            let ids: Vec<String> = progress.checklists.iter().map(|c| c.id.clone()).collect();
            let mut text = addable(
                self.registry,
                &output,
                &ids,
                &progress.respondent,
                &progress.period,
            )?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&responses.sets_toml(&progress.checklists));
            self.files.write_output(text.as_bytes())?;
        } else {
            let mut text = format!(
                "# Responses of {} for {}, written by `selfaudit run`.\n# Score them: selfaudit report{} {}\n",
                crate::text::comment_safe(&progress.respondent),
                crate::text::comment_safe(&progress.period),
                crate::text::comment_safe(&crate::load::checklists_flag(
                    self.settings.dir.as_deref(),
                    &self.settings.named
                )),
                crate::text::comment_safe(&crate::text::shell_quote(&output.display().to_string()))
            );
            text.push_str(&responses.to_toml(&progress.checklists));
            self.files.write_output(text.as_bytes())?;
        }
        let partial_path = &self.files.partial;
        if let Err(e) = std::fs::remove_file(partial_path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            crate::out::warn(&format!(
                "{}: could not remove the progress file: {e}",
                partial_path.display()
            ));
        }
        Ok(Finished {
            interview: progress,
            responses,
            output,
        })
    }

    /// The command that goes on with an interrupted interview.
    fn resume_command(&self) -> String {
        let s = &self.settings;
        let checklists: Vec<String> = if s.named.is_empty() {
            self.interview
                .checklists
                .iter()
                .map(|c| c.id.clone())
                .collect()
        } else {
            s.named.clone()
        };
        run_command(&RunCommand {
            checklists: &checklists,
            respondent: &self.interview.respondent,
            period: &self.interview.period,
            output: s.output.as_deref(),
            dir: s.dir.as_deref(),
            notes: s.notes,
            role: s.role.as_deref(),
        })
    }
}

/// What a printed `selfaudit run` command says.
struct RunCommand<'a> {
    checklists: &'a [String],
    respondent: &'a str,
    period: &'a str,
    output: Option<&'a Path>,
    dir: Option<&'a Path>,
    notes: Notes,
    role: Option<&'a str>,
}

/// A `selfaudit run` command, quoted for a shell, with this program's own path.
fn run_command(c: &RunCommand) -> String {
    // `args()` would panic on a program path that is not UTF-8; such a path is left out.
    let program = std::env::args_os()
        .next()
        .and_then(|p| p.into_string().ok())
        .unwrap_or_else(|| "selfaudit".to_string());
    let mut words = vec![shell_quote(&program), "run".to_string()];
    words.extend(c.checklists.iter().map(|id| shell_quote(id)));
    words.push(format!("--respondent {}", shell_quote(c.respondent)));
    words.push(format!("--period {}", shell_quote(c.period)));
    if let Some(o) = c.output {
        words.push(format!("-o {}", shell_quote(&o.display().to_string())));
    }
    if let Some(d) = c.dir {
        words.push(format!(
            "--checklists {}",
            shell_quote(&d.display().to_string())
        ));
    }
    if let Some(role) = c.role {
        words.push(format!("--role {}", shell_quote(role)));
    }
    match c.notes {
        Notes::Gaps => {}
        Notes::Always => words.push("--notes always".to_string()),
        Notes::Never => words.push("--notes never".to_string()),
    }
    words.join(" ")
}

fn save_progress(
    files: &RunFiles,
    interview: &Interview,
    role: Option<&str>,
    on_disk: &mut usize,
) -> Result<()> {
    files.write_partial(partial::write_with_role(interview, role).as_bytes())?;
    *on_disk = interview.answered();
    Ok(())
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

/// "Keep it and stop here": a choice, not a failure (exit 0, one line).
fn kept(output: &Path, partial: Option<&Path>) -> Error {
    let output = terminal_safe(&output.display().to_string());
    Error::Declined {
        message: match partial.filter(|p| p.exists()) {
            None => format!(
                "{output} is kept as it is; nothing was asked (to write elsewhere: -o FILE; to replace it: --force)"
            ),
            Some(p) => format!(
                "{output} is kept as it is; your answers stay in {} (the same command with --force replaces it)",
                terminal_safe(&p.display().to_string())
            ),
        },
    }
}

/// The login name, to suggest as the respondent.
fn login_name() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
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

/// The text of the responses file at `output` when this interview's checklists can be added to
/// it: a valid responses file of the same respondent and period, answering none of them.
fn addable(
    registry: &Registry,
    output: &Path,
    ids: &[String],
    respondent: &str,
    period: &str,
) -> Result<String> {
    let text = load::read_text(output)?;
    let name = load::display(output);
    let not_addable =
        |why: String| Error::usage_hint(why, "replace it, or write elsewhere with -o FILE");
    let cannot = || not_addable(format!("{name}: not a responses file that can be added to"));
    let (who, when, answered): (String, String, Vec<String>) = match Responses::parse(
        &Source {
            name: &name,
            text: &text,
        },
        |id| registry.get(id),
        || registry.ids(),
    ) {
        Ok((existing, _)) => (
            existing.respondent,
            existing.period,
            existing.sets.into_iter().map(|s| s.checklist).collect(),
        ),
        // Answers to checklists this run has not loaded (a checklist of one's own named by
        // its path) are kept as they are: only who, when and which checklists matter here.
        Err(problems)
            if problems
                .iter()
                .all(|p| p.message.starts_with("unknown checklist")) =>
        {
            let table: toml::Table = text.parse().map_err(|_| cannot())?;
            let field = |k: &str| {
                table
                    .get(k)
                    .and_then(toml::Value::as_str)
                    .map(str::to_string)
            };
            let (Some(who), Some(when)) = (field("respondent"), field("period")) else {
                return Err(cannot());
            };
            let answered = table
                .get("answers")
                .and_then(toml::Value::as_table)
                .map(|a| a.keys().cloned().collect())
                .unwrap_or_default();
            (who, when, answered)
        }
        Err(_) => return Err(cannot()),
    };
    if !crate::team::same_person(&who, respondent) || when != period {
        return Err(not_addable(format!("{name}: another respondent or period")));
    }
    if let Some(id) = answered.iter().find(|id| ids.contains(id)) {
        return Err(not_addable(format!(
            "{name}: already answers checklist `{id}`"
        )));
    }
    Ok(text)
}

/// A progress file of another respondent, period or set of checklists is not resumed, nor overwritten.
fn check_partial_is_ours(
    saved: &partial::Saved,
    path: &Path,
    output: &Path,
    settings: &Settings,
    respondent: &str,
    period: &str,
) -> Result<()> {
    let r = &saved.responses;
    let requested = &settings.checklists;
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
    // The command names the file itself, so that it goes on with THIS progress file whatever
    // respondent or period it belongs to.
    let command = run_command(&RunCommand {
        checklists: &saved.checklists,
        respondent: &r.respondent,
        period: &r.period,
        output: Some(output),
        dir: settings.dir.as_deref(),
        notes: settings.notes,
        role: saved.role.as_deref(),
    });
    Err(Error::usage_hint(
        terminal_safe(&format!(
            "{}: an unfinished interview of another kind is saved here ({})",
            path.display(),
            differs.join("; ")
        )),
        format!("to go on with it: {command}; to start afresh instead, move it away or delete it"),
    ))
}

#[cfg(test)]
mod tests;
