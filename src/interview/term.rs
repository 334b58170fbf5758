//! The interview in a real terminal: the only module that uses dialoguer (and its `console`).
//!
//! Everything is drawn on stderr. While a prompter lives the terminal neither echoes nor turns
//! Ctrl-C into a signal, so Ctrl-C always arrives as `ErrorKind::Interrupted` from a key read;
//! a `ctrlc` handler shows the cursor again, and every failure here does so too before it
//! becomes `Error::Interrupted`, so the caller can save and exit 130.

use std::fmt::Write as _;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use dialoguer::console::{Key, Style, Term, measure_text_width};
use dialoguer::theme::{ColorfulTheme, Theme};

use super::session::Resume;
use super::{Intro, Prompter, Question, Reply};
use crate::error::{Error, Result};
use crate::model::checklist::Checklist;
use crate::model::scale::NA;
use crate::text::{terminal_safe, wrap};

/// Set by the signal handler: Ctrl-C, a closed terminal (SIGHUP) or SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);

pub struct TermPrompter {
    term: Term,
    theme: ColorfulTheme,
    _quiet: QuietInput,
}

/// Keeps the terminal from echoing, line-buffering or turning Ctrl-C into a signal between key
/// reads, for as long as it lives. Keys typed ahead then wait unseen for the next prompt, and a
/// Ctrl-C pressed while no prompt is reading still reaches one as a key, instead of a signal
/// that could land just before a read and leave it waiting.
struct QuietInput {
    #[cfg(unix)]
    saved: Option<nix::sys::termios::Termios>,
}

impl QuietInput {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
            let stdin = io::stdin();
            let saved = tcgetattr(&stdin).ok();
            if let Some(original) = &saved {
                let mut quiet = original.clone();
                quiet
                    .local_flags
                    .remove(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG);
                let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
            }
            QuietInput { saved }
        }
        #[cfg(not(unix))]
        QuietInput {}
    }
}

impl Drop for QuietInput {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(original) = &self.saved {
            let _ = nix::sys::termios::tcsetattr(
                io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                original,
            );
        }
    }
}

impl TermPrompter {
    /// A prompter on stderr. Installs the signal handler (once per process).
    pub fn new() -> Self {
        // A second install fails harmlessly; the first handler does the same thing.
        let _ = ctrlc::set_handler(|| {
            STOP.store(true, Ordering::SeqCst);
            let _ = Term::stderr().show_cursor();
        });
        TermPrompter {
            term: Term::stderr(),
            theme: ColorfulTheme::default(),
            _quiet: QuietInput::new(),
        }
    }

    /// Writes lines on the terminal as they are; they stay on screen.
    fn say(&self, text: &str) -> Result<()> {
        for line in text.lines() {
            self.term.write_line(line).map_err(|e| self.stopped(e))?;
        }
        self.term.flush().map_err(|e| self.stopped(e))
    }

    /// Leaves the terminal as it was found: cursor visible. Errors are moot by then.
    fn restore(&self) {
        let _ = self.term.show_cursor();
        let _ = self.term.flush();
    }

    /// Any failure of the terminal ends the interview as an interruption: Ctrl-C, a closed
    /// terminal, or a read that cannot go on. The progress is on disk either way.
    fn stopped(&self, _e: impl Into<io::Error>) -> Error {
        // Whatever comes next starts on a line of its own.
        let _ = self.term.write_str("\r\n");
        self.restore();
        Error::Interrupted { hint: None }
    }

    fn check_stop(&self) -> Result<()> {
        if STOP.load(Ordering::SeqCst) {
            return Err(self.stopped(io::Error::from(io::ErrorKind::Interrupted)));
        }
        Ok(())
    }

    /// One line of text, edited at its end (Backspace, Ctrl-U clears), redrawn whole on every key
    /// so that long lines wrap cleanly. Enter on an empty line gives `default`, if any.
    fn line(&self, prompt: &str, initial: Option<&str>, default: Option<&str>) -> Result<String> {
        self.check_stop()?;
        let term = &self.term;
        let fail = |e: io::Error| self.stopped(e);
        let mut text: String = initial.map(terminal_safe).unwrap_or_default();
        let mut up = 0;
        loop {
            let cols = usize::from(term.size().1).max(1);
            let mut shown = String::new();
            let _ = self.theme.format_input_prompt(&mut shown, prompt, default);
            shown.push_str(&text);
            let mut block = String::new();
            if up > 0 {
                block.push_str(&format!("\x1b[{up}A"));
            }
            block.push_str("\r\x1b[J");
            block.push_str(&shown);
            // The cursor ends on the last row the line takes.
            up = measure_text_width(&shown).max(1).div_ceil(cols) - 1;
            term.write_str(&block).map_err(fail)?;
            term.flush().map_err(fail)?;
            match term.read_key().map_err(fail)? {
                Key::Enter => break,
                Key::Backspace => {
                    text.pop();
                }
                Key::Char('\u{15}') => text.clear(),
                Key::Char(c) if !c.is_control() => text.push(c),
                _ => {}
            }
            self.check_stop()?;
        }
        let value = match default {
            Some(d) if text.trim().is_empty() => d.to_string(),
            _ => text,
        };
        let mut done = String::new();
        if up > 0 {
            done.push_str(&format!("\x1b[{up}A"));
        }
        done.push_str("\r\x1b[J");
        let _ = self
            .theme
            .format_input_prompt_selection(&mut done, prompt, &value);
        done.push('\n');
        term.write_str(&done).map_err(fail)?;
        term.flush().map_err(fail)?;
        self.check_stop()?;
        Ok(value)
    }

    /// A select list that also takes the start of a choice's key or label as typed text;
    /// `show_keys` puts the keys in a column before the labels, with a line on how to type them.
    fn choose(
        &self,
        prompt: &str,
        items: &[Choice],
        default: usize,
        show_keys: bool,
    ) -> Result<usize> {
        let hint = show_keys.then_some("↑↓ and Enter, or type the start of an answer");
        self.list(prompt, items, default, show_keys, hint, None)
    }

    /// The list behind `choose`; with `checked` it is a multi-select: Space ticks the current
    /// line, Enter ends. Returns the line chosen (single) or the line the cursor was on (multi).
    fn list(
        &self,
        prompt: &str,
        items: &[Choice],
        default: usize,
        show_keys: bool,
        hint: Option<&str>,
        mut checked: Option<&mut [bool]>,
    ) -> Result<usize> {
        self.check_stop()?;
        let term = &self.term;
        let fail = |e: io::Error| self.stopped(e);
        let mut sel = default.min(items.len().saturating_sub(1));
        let mut typed = String::new();
        let width = items
            .iter()
            .map(|c| measure_text_width(&c.key))
            .max()
            .unwrap_or(0);
        let two_columns = show_keys && items.iter().any(|c| !c.key.eq_ignore_ascii_case(&c.label));
        term.hide_cursor().map_err(fail)?;
        let mut drawn = 0;
        loop {
            let cols = usize::from(term.size().1).max(1);
            let mut lines = Vec::with_capacity(items.len() + 1);
            let mut head = String::new();
            let _ = self.theme.format_select_prompt(&mut head, prompt);
            match hint {
                Some(h) if typed.is_empty() => {
                    let _ = write!(head, " {}", self.theme.hint_style.apply_to(h));
                }
                _ => {
                    let _ = write!(head, " {}", terminal_safe(&typed));
                }
            }
            lines.push(head);
            for (i, c) in items.iter().enumerate() {
                let mut text = if two_columns {
                    format!("{:<width$}  {}", c.key, c.label)
                } else {
                    c.label.clone()
                };
                if let Some(ticks) = checked.as_deref() {
                    let mark = if ticks[i] { "[x]" } else { "[ ]" };
                    text = format!("{mark} {text}");
                }
                let mut line = String::new();
                let _ = self
                    .theme
                    .format_select_prompt_item(&mut line, &text, i == sel);
                lines.push(line);
            }
            let mut block = String::new();
            if drawn > 0 {
                block.push_str(&format!("\x1b[{drawn}A\r\x1b[J"));
            }
            drawn = 0;
            for line in &lines {
                block.push_str(line);
                block.push('\n');
                drawn += measure_text_width(line).max(1).div_ceil(cols);
            }
            term.write_str(&block).map_err(fail)?;
            term.flush().map_err(fail)?;

            let mut key = term.read_key().map_err(fail)?;
            // Arrows in "application cursor" mode come as ESC O A / ESC O B.
            if key == Key::UnknownEscSeq(vec!['O']) {
                key = match term.read_key().map_err(fail)? {
                    Key::Char('A') => Key::ArrowUp,
                    Key::Char('B') => Key::ArrowDown,
                    _ => Key::Unknown,
                };
            }
            match key {
                Key::ArrowDown | Key::Tab => {
                    sel = (sel + 1) % items.len();
                    typed.clear();
                }
                Key::ArrowUp | Key::BackTab => {
                    sel = (sel + items.len() - 1) % items.len();
                    typed.clear();
                }
                Key::Home | Key::PageUp => {
                    sel = 0;
                    typed.clear();
                }
                Key::End | Key::PageDown => {
                    sel = items.len() - 1;
                    typed.clear();
                }
                Key::Escape => typed.clear(),
                Key::Backspace => {
                    typed.pop();
                    if let Some(i) = type_ahead(&typed, items) {
                        sel = i;
                    }
                }
                Key::Enter => break,
                Key::Char(' ') => match checked.as_deref_mut() {
                    Some(ticks) => {
                        ticks[sel] = !ticks[sel];
                        typed.clear();
                    }
                    None if typed.is_empty() => break,
                    None => {}
                },
                Key::Char(c) if !c.is_control() => {
                    let longer = format!("{typed}{c}");
                    if let Some(i) = type_ahead(&longer, items) {
                        sel = i;
                        typed = longer;
                    } else if let Some(i) = type_ahead(&c.to_string(), items) {
                        sel = i;
                        typed = c.to_string();
                    }
                }
                _ => {}
            }
            self.check_stop()?;
        }
        // Replace the list by one line saying what was chosen.
        let shown = match checked.as_deref() {
            Some(ticks) => items
                .iter()
                .zip(ticks)
                .filter(|(_, t)| **t)
                .map(|(c, _)| c.label.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            None => {
                let picked = &items[sel];
                if !two_columns || picked.key.eq_ignore_ascii_case(&picked.label) {
                    picked.label.clone()
                } else {
                    format!("{} ({})", picked.label, picked.key)
                }
            }
        };
        let mut done = format!("\x1b[{drawn}A\r\x1b[J");
        let _ = self
            .theme
            .format_select_prompt_selection(&mut done, prompt, &shown);
        done.push('\n');
        term.write_str(&done).map_err(fail)?;
        term.show_cursor().map_err(fail)?;
        term.flush().map_err(fail)?;
        self.check_stop()?;
        Ok(sel)
    }
}

impl Default for TermPrompter {
    fn default() -> Self {
        TermPrompter::new()
    }
}

impl Drop for TermPrompter {
    fn drop(&mut self) {
        self.restore();
    }
}

/// One line of a select list: a short key to type, and the text shown.
#[derive(Debug, Clone)]
struct Choice {
    key: String,
    label: String,
}

impl Choice {
    fn new(key: &str, label: &str) -> Self {
        Choice {
            key: terminal_safe(key),
            label: terminal_safe(label),
        }
    }
}

/// The choice that typed text picks: a key or label equal to it (ignoring case), else the first
/// whose key, then whose label, starts with it.
fn type_ahead(typed: &str, items: &[Choice]) -> Option<usize> {
    if typed.is_empty() {
        return None;
    }
    let typed = typed.to_lowercase();
    let key = |c: &Choice| c.key.to_lowercase();
    let label = |c: &Choice| c.label.to_lowercase();
    items
        .iter()
        .position(|c| key(c) == typed)
        .or_else(|| items.iter().position(|c| label(c) == typed))
        .or_else(|| items.iter().position(|c| key(c).starts_with(&typed)))
        .or_else(|| items.iter().position(|c| label(c).starts_with(&typed)))
}

impl Prompter for TermPrompter {
    /// The respondent's name; Enter takes the default.
    fn respondent(&mut self, default: Option<&str>) -> Result<String> {
        let default = default.map(terminal_safe).filter(|d| !d.trim().is_empty());
        loop {
            let name = self.line("Your name", None, default.as_deref())?;
            if !name.trim().is_empty() {
                return Ok(name.trim().to_string());
            }
        }
    }

    /// Which checklists to answer; at least one. Returns indices into `all`.
    fn checklists(&mut self, all: &[&Checklist], preselected: &[bool]) -> Result<Vec<usize>> {
        let items: Vec<Choice> = all
            .iter()
            .map(|c| {
                Choice::new(
                    &c.id,
                    &format!("{} ({} questions)", c.title, c.item_count()),
                )
            })
            .collect();
        let mut ticks = preselected.to_vec();
        ticks.resize(items.len(), false);
        loop {
            self.list(
                "Checklists to answer",
                &items,
                0,
                true,
                Some("Space ticks, Enter goes on"),
                Some(&mut ticks),
            )?;
            let chosen: Vec<usize> = (0..items.len()).filter(|&i| ticks[i]).collect();
            if !chosen.is_empty() {
                return Ok(chosen);
            }
            self.say("Tick at least one checklist with Space, then press Enter.")?;
        }
    }

    /// There is saved progress: go on from it, or start again (discarding it).
    fn resume(&mut self, path: &Path, answered: usize, total: usize) -> Result<Resume> {
        self.say(&format!(
            "\nAn interview in progress was saved in {}: {answered} of {total} questions answered.",
            terminal_safe(&path.display().to_string())
        ))?;
        let items = [
            Choice::new(
                "resume",
                &format!("Resume: ask the {} questions left", total - answered),
            ),
            Choice::new("start", "Start again: discard the saved answers"),
        ];
        let picked = self.choose("Resume it?", &items, 0, false)?;
        Ok(if picked == 0 {
            Resume::Resume
        } else {
            Resume::StartAgain
        })
    }

    /// The output exists: replace it when the interview is done, or stop.
    fn replace(&mut self, path: &Path) -> Result<bool> {
        self.say(&format!(
            "\n{} already exists.",
            terminal_safe(&path.display().to_string())
        ))?;
        let items = [
            Choice::new("keep", "Keep it and stop here"),
            Choice::new("replace", "Replace it with the answers of this interview"),
        ];
        Ok(self.choose("Replace it?", &items, 0, false)? == 1)
    }

    fn intro(&mut self, intro: &Intro) -> Result<()> {
        let bold = Style::new().for_stderr().bold();
        let dim = Style::new().for_stderr().dim();
        let mut text = format!(
            "\n{}\n",
            bold.apply_to(format!(
                "Self-audit of {} for {}",
                terminal_safe(&intro.respondent),
                terminal_safe(&intro.period)
            ))
        );
        for (title, n) in &intro.checklists {
            text.push_str(&format!("  • {} ({n} questions)\n", terminal_safe(title)));
        }
        let left = intro.total - intro.done;
        if intro.done > 0 {
            text.push_str(&format!(
                "{} of {} questions left, about {} min.\n",
                left, intro.total, intro.minutes
            ));
        } else {
            text.push_str(&format!(
                "{} questions, about {} min.\n",
                intro.total, intro.minutes
            ));
        }
        text.push_str(&format!(
            "{}\n",
            dim.apply_to(
                "Choose with ↑↓ and Enter, or type the start of an answer. Each answer is saved at once;\n\
                 Ctrl-C stops, and the same command resumes. \"skip\" leaves a question for the end."
            )
        ));
        self.say(&text)
    }

    fn ask(&mut self, q: &Question) -> Result<Reply> {
        let dim = Style::new().for_stderr().dim();
        let bold = Style::new().for_stderr().bold();
        let mut where_ = format!(
            "[{}/{}] {} › {}",
            q.number,
            q.total,
            terminal_safe(&q.checklist.title),
            terminal_safe(&q.section.title)
        );
        if q.item.critical {
            where_.push_str("  (critical)");
        }
        // Long questions break at spaces, not mid-word at the terminal's edge.
        let cols = usize::from(self.term.size().1).saturating_sub(1);
        let mut text = format!(
            "\n{}\n{}\n",
            Style::new().for_stderr().cyan().apply_to(where_),
            bold.apply_to(wrap(&terminal_safe(&q.item.text), cols))
        );
        if let Some(help) = &q.item.help {
            text.push_str(&format!(
                "{}\n",
                dim.apply_to(wrap(&terminal_safe(help), cols))
            ));
        }
        self.say(&text)?;

        let mut items: Vec<Choice> = q
            .item
            .scale
            .choices
            .iter()
            .map(|c| Choice::new(&c.key, &c.label))
            .collect();
        let mut replies: Vec<Reply> = (0..items.len()).map(Reply::Choice).collect();
        if q.item.na {
            items.push(Choice::new(NA, "Not applicable"));
            replies.push(Reply::NotApplicable);
        }
        items.push(Choice::new("skip", "Skip: answer it later"));
        replies.push(Reply::Skip);
        if q.can_go_back {
            items.push(Choice::new("back", "Back to the previous question"));
            replies.push(Reply::Back);
        }
        // Start from the answer given before; a skipped question starts from the top again.
        let default = q
            .current
            .filter(|cur| *cur != Reply::Skip)
            .and_then(|cur| replies.iter().position(|r| *r == cur))
            .unwrap_or(0);
        let picked = self.choose("Your answer", &items, default, true)?;
        Ok(replies[picked])
    }

    fn note(&mut self, _q: &Question, gap: bool, current: Option<&str>) -> Result<Option<String>> {
        let prompt = if gap {
            "What would improve this? (optional note, Enter to skip)"
        } else {
            "Note (optional, Enter to skip)"
        };
        let note = self.line(prompt, current, None)?;
        let note = note.trim().to_string();
        Ok((!note.is_empty()).then_some(note))
    }

    fn review(&mut self, skipped: &[Question]) -> Result<bool> {
        let mut text = format!(
            "\nYou skipped {}:\n",
            crate::text::plural(skipped.len(), "question", "questions")
        );
        for q in skipped {
            text.push_str(&format!(
                "  [{}/{}] {}\n",
                q.number,
                q.total,
                terminal_safe(&q.item.text)
            ));
        }
        self.say(&text)?;
        let items = [
            Choice::new("answer", "Answer them now"),
            Choice::new("save", "Save without them"),
        ];
        Ok(self.choose("Go back to them?", &items, 0, false)? == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(pairs: &[(&str, &str)]) -> Vec<Choice> {
        pairs.iter().map(|(k, l)| Choice::new(k, l)).collect()
    }

    #[test]
    fn typing_picks_exact_keys_before_prefixes_and_labels() {
        let scale: Vec<(String, String)> =
            (0..=10).map(|i| (i.to_string(), i.to_string())).collect();
        let mut pairs: Vec<(&str, &str)> = scale
            .iter()
            .map(|(k, l)| (k.as_str(), l.as_str()))
            .collect();
        pairs.push(("n/a", "Not applicable"));
        pairs.push(("skip", "Skip: answer it later"));
        let list = items(&pairs);
        assert_eq!(type_ahead("1", &list), Some(1));
        assert_eq!(type_ahead("10", &list), Some(10));
        assert_eq!(type_ahead("n", &list), Some(11));
        assert_eq!(type_ahead("NOT", &list), Some(11));
        assert_eq!(type_ahead("s", &list), Some(12));
        assert_eq!(type_ahead("x", &list), None);
        assert_eq!(type_ahead("", &list), None);

        let team = items(&[
            ("none", "None of us"),
            ("few", "A few of us"),
            ("most", "Most of us"),
            ("all", "All of us"),
            ("skip", "Skip: answer it later"),
        ]);
        assert_eq!(type_ahead("a few", &team), Some(1));
        assert_eq!(type_ahead("m", &team), Some(2));
        assert_eq!(type_ahead("al", &team), Some(3));
    }
}
