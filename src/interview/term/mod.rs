//! The interview in a real terminal: the only module that uses dialoguer (and its `console`).
//!
//! Everything is drawn on stderr. `tty` keeps the terminal quiet and turns Ctrl-C, SIGHUP and
//! SIGTERM into `Error::Interrupted` (after showing the cursor again), so the caller can save and
//! exit 130; `widgets` holds the list and the line editor as state machines; this file draws them.
//! A list taller than the terminal pages around its cursor, so the question above it and the
//! cursor line stay on screen; a resize clears the screen and draws the prompt again.

mod tty;
mod widgets;

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use dialoguer::console::{Style, Term, measure_text_width, truncate_str};
use dialoguer::theme::{ColorfulTheme, Theme};

use super::session::{Existing, Resume};
use super::{Intro, Prompter, Question, Reply};
use crate::error::{Error, Result};
use crate::model::checklist::Checklist;
use crate::model::scale::NA;
use crate::text::{plural, terminal_safe, wrap};
use tty::{Event, QuietInput};
use widgets::{Choice, Line, List, Step};

pub struct TermPrompter {
    term: Term,
    theme: ColorfulTheme,
    /// What was said since the last prompt ended (the question above a list): drawn again,
    /// with the prompt, after a resize, wrapped to the new width.
    context: Vec<Para>,
    /// Rows the list under the context needs to show its cursor and a choice either side:
    /// a help text that would leave fewer is cut to fit (`Para::cut`).
    reserve: usize,
    _quiet: QuietInput,
}

/// A line said above a prompt: `text` is drawn in `style`, wrapped at spaces to the terminal's
/// width when `wrapped` (else as it is).
struct Para {
    text: String,
    style: Style,
    wrapped: bool,
    /// May be cut, ending in "…", when the terminal is too short for it and the list under it.
    cut: bool,
}

impl Para {
    fn render(&self, cols: usize) -> String {
        let cols = cols.saturating_sub(1).max(1);
        if !self.wrapped || measure_text_width(&self.text) <= cols {
            return self.style.apply_to(&self.text).to_string();
        }
        wrap(&self.text, cols)
            .lines()
            .map(|l| self.style.apply_to(l).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `paras` as drawn at `cols` in at most `max_rows` rows where that can be had by cutting the
/// paragraphs that may be cut (a question's help), ending in "…", or on a very small
/// terminal leaving them out.
fn fit_paras<'p>(paras: impl Iterator<Item = &'p Para>, cols: usize, max_rows: usize) -> String {
    let drawn: Vec<(bool, Vec<String>)> = paras
        .map(|p| (p.cut, p.render(cols).lines().map(str::to_string).collect()))
        .collect();
    let rows_of = |lines: &[String]| lines.iter().map(|l| rows(l, cols)).sum::<usize>();
    let fixed: usize = drawn
        .iter()
        .filter(|(c, _)| !c)
        .map(|(_, l)| rows_of(l))
        .sum();
    let mut room = max_rows.saturating_sub(fixed);
    let mut out = String::new();
    for (cut, mut lines) in drawn {
        if cut && rows_of(&lines) > room {
            lines.truncate(room);
            room = 0;
            if let Some(last) = lines.last_mut() {
                *last = format!("{}…", truncate_str(last, cols.saturating_sub(2).max(1), ""));
            }
        } else if cut {
            room -= rows_of(&lines);
        }
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

/// Rows that `text` takes on a terminal `cols` wide.
fn rows(text: &str, cols: usize) -> usize {
    text.lines()
        .map(|l| measure_text_width(l).max(1).div_ceil(cols.max(1)))
        .sum()
}

impl TermPrompter {
    /// A prompter on stderr. Installs the signal handlers (once per process).
    pub fn new() -> Self {
        tty::install();
        TermPrompter {
            term: Term::stderr(),
            theme: ColorfulTheme::default(),
            context: Vec::new(),
            reserve: 0,
            _quiet: QuietInput::new(),
        }
    }

    /// (rows, columns) of the terminal.
    fn size(&self) -> (usize, usize) {
        let (r, c) = self.term.size();
        (usize::from(r).max(1), usize::from(c).max(1))
    }

    /// Writes lines on the terminal as they are; they stay on screen.
    fn say(&mut self, text: &str) -> Result<()> {
        let paras = text
            .lines()
            .map(|line| Para {
                text: line.to_string(),
                style: Style::new(),
                wrapped: false,
                cut: false,
            })
            .collect();
        self.say_paras(paras)
    }

    /// Writes paragraphs wrapped to the terminal's width; they are wrapped again after a resize.
    /// A help text is cut when the terminal is too short for it and the list to come.
    fn say_paras(&mut self, paras: Vec<Para>) -> Result<()> {
        let (height, cols) = self.size();
        let text = fit_paras(paras.iter(), cols, height.saturating_sub(self.reserve));
        self.term.write_str(&text).map_err(|e| self.stopped(e))?;
        self.context.extend(paras);
        self.term.flush().map_err(|e| self.stopped(e))
    }

    /// Adds the line that replaced a prompt to the context.
    fn keep(&mut self, done: &str) {
        for line in done.lines() {
            self.context.push(Para {
                text: line.to_string(),
                style: Style::new(),
                wrapped: false,
                cut: false,
            });
        }
    }

    /// The context as drawn at `cols`, without the blank lines it starts with.
    fn context_text(&self, cols: usize) -> String {
        let height = self.size().0;
        fit_paras(
            self.context.iter().skip_while(|p| p.text.trim().is_empty()),
            cols,
            height.saturating_sub(self.reserve),
        )
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
        if tty::stopped() {
            return Err(self.stopped(io::Error::from(io::ErrorKind::Interrupted)));
        }
        Ok(())
    }

    /// Draws `block` over the `up` rows drawn last (the cursor on the row below them), or,
    /// after a resize, clears the screen and draws the context and `block` from the top.
    fn draw(&self, block: &str, up: usize, resized: bool) -> Result<()> {
        let fail = |e: io::Error| self.stopped(e);
        let mut out = String::new();
        if resized {
            out.push_str("\x1b[H\x1b[2J");
            out.push_str(&self.context_text(self.size().1));
        } else if up > 0 {
            out.push_str(&format!("\x1b[{up}A"));
        }
        out.push_str("\r\x1b[J");
        out.push_str(block);
        self.term.write_str(&out).map_err(fail)?;
        self.term.flush().map_err(fail)
    }

    /// Reads a key; `None` after a resize.
    fn key(&self) -> Result<Option<dialoguer::console::Key>> {
        match tty::read(&self.term) {
            Ok(Event::Key(k)) => Ok(Some(k)),
            Ok(Event::Resized) => Ok(None),
            Err(e) => Err(self.stopped(e)),
        }
    }

    /// One line of text, edited at its end (Backspace, Ctrl-U clears), redrawn whole on every key
    /// so that long lines wrap cleanly. Enter on an empty line gives `default`, if any; with
    /// `needed`, an empty answer is refused with that message and the line asked again.
    fn line(
        &mut self,
        prompt: &str,
        initial: Option<&str>,
        default: Option<&str>,
        needed: Option<&str>,
    ) -> Result<String> {
        self.check_stop()?;
        let mut editor = Line::new(initial);
        let mut up = 0;
        let mut resized = false;
        let mut refused = false;
        let value = loop {
            let cols = self.size().1;
            let mut shown = String::new();
            if refused && let Some(why) = needed {
                let _ = self.theme.format_error(&mut shown, why);
                shown.push('\n');
            }
            let _ = self.theme.format_input_prompt(&mut shown, prompt, default);
            shown.push_str(&editor.text);
            self.draw(&shown, up, resized)?;
            resized = false;
            // The cursor ends on the last row the text takes.
            up = rows(&shown, cols) - 1;
            let Some(key) = self.key()? else {
                resized = true;
                continue;
            };
            match editor.on_key(key) {
                Step::Stay => {}
                Step::Stop => return Err(self.stopped(io::Error::from(io::ErrorKind::Interrupted))),
                Step::Done => {
                    let value = match default {
                        Some(d) if editor.text.trim().is_empty() => d.to_string(),
                        _ => editor.text.clone(),
                    };
                    if needed.is_some() && value.trim().is_empty() {
                        refused = true;
                    } else {
                        break value;
                    }
                }
            }
            self.check_stop()?;
        };
        let mut done = String::new();
        let _ = self
            .theme
            .format_input_prompt_selection(&mut done, prompt, &value);
        done.push('\n');
        self.draw(&done, up, false)?;
        self.keep(&done);
        self.check_stop()?;
        Ok(value)
    }

    /// A select list that also takes the start of a choice's key or label as typed text;
    /// `show_keys` puts the keys in a column before the labels, with a line on how to type them.
    fn choose(
        &mut self,
        prompt: &str,
        items: Vec<Choice>,
        default: usize,
        show_keys: bool,
    ) -> Result<usize> {
        let hint = show_keys.then_some("↑↓ and Enter, or type the start of an answer");
        let list = self.list(prompt, List::new(items, default), show_keys, hint)?;
        Ok(list.sel)
    }

    /// Draws `list` and feeds it keys until it is done; with ticks it is a multi-select.
    fn list(
        &mut self,
        prompt: &str,
        mut list: List,
        show_keys: bool,
        hint: Option<&str>,
    ) -> Result<List> {
        self.check_stop()?;
        let fail = |e: io::Error| self.stopped(e);
        let width = list
            .items
            .iter()
            .map(|c| measure_text_width(&c.key))
            .max()
            .unwrap_or(0);
        let two_columns = show_keys
            && list
                .items
                .iter()
                .any(|c| !c.key.eq_ignore_ascii_case(&c.label));
        self.term.hide_cursor().map_err(fail)?;
        let dim = Style::new().for_stderr().dim();
        let mut drawn = 0;
        let mut resized = false;
        loop {
            let (height, cols) = self.size();
            let mut head = String::new();
            let _ = self.theme.format_select_prompt(&mut head, prompt);
            if list.typed.is_empty() {
                if let Some(h) = hint {
                    let _ = write!(head, " {}", self.theme.hint_style.apply_to(h));
                }
            } else {
                let _ = write!(head, " {}", terminal_safe(&list.typed));
                if list.no_match() {
                    let _ = write!(
                        head,
                        " {}",
                        dim.apply_to("(no answer starts so; Backspace)")
                    );
                }
            }
            // On a narrow terminal the key column gives way to the labels (keys still work).
            let widest = list
                .items
                .iter()
                .map(|c| measure_text_width(&c.label))
                .max()
                .unwrap_or(0);
            let keys_shown = two_columns && width + widest + 10 < cols;
            let mut lines = vec![head];
            // The question above, the prompt line and the row the cursor waits on stay visible.
            let above_rows = rows(&self.context_text(cols), cols) + 1;
            let room = height.saturating_sub(above_rows + 2).max(3);
            let (range, above, below) = widgets::window(list.items.len(), list.sel, room);
            if above {
                lines.push(format!(
                    "  {}",
                    dim.apply_to(format!("↑ {} more", range.start))
                ));
            }
            for i in range.clone() {
                let c = &list.items[i];
                let mut text = if keys_shown {
                    format!("{:<width$}  {}", c.key, c.label)
                } else {
                    c.label.clone()
                };
                if let Some(ticks) = &list.ticks {
                    let mark = if ticks[i] { "[x]" } else { "[ ]" };
                    text = format!("{mark} {text}");
                }
                let mut line = String::new();
                let _ = self
                    .theme
                    .format_select_prompt_item(&mut line, &text, i == list.sel);
                lines.push(line);
            }
            if below {
                lines.push(format!(
                    "  {}",
                    dim.apply_to(format!("↓ {} more", list.items.len() - range.end))
                ));
            }
            // Every line on one row, so that the rows to redraw are known whatever the width.
            let mut block = String::new();
            for line in &lines {
                block.push_str(&truncate_str(line, cols.saturating_sub(1).max(1), "…"));
                block.push('\n');
            }
            self.draw(&block, drawn, resized)?;
            resized = false;
            drawn = lines.len();

            let Some(key) = self.key()? else {
                resized = true;
                continue;
            };
            match list.on_key(key) {
                Step::Stay => {}
                Step::Done => break,
                Step::Stop => return Err(self.stopped(io::Error::from(io::ErrorKind::Interrupted))),
            }
            self.check_stop()?;
        }
        // Replace the list by one line saying what was chosen.
        let shown = match &list.ticks {
            Some(ticks) => list
                .items
                .iter()
                .zip(ticks)
                .filter(|(_, t)| **t)
                .map(|(c, _)| c.label.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            None => {
                let picked = &list.items[list.sel];
                let key = picked.key.to_lowercase();
                if !two_columns || picked.label.to_lowercase().starts_with(&key) {
                    picked.label.clone()
                } else {
                    format!("{} ({})", picked.label, picked.key)
                }
            }
        };
        let mut done = String::new();
        let _ = self
            .theme
            .format_select_prompt_selection(&mut done, prompt, &shown);
        done.push('\n');
        self.draw(&done, drawn, false)?;
        self.term.show_cursor().map_err(fail)?;
        self.term.flush().map_err(fail)?;
        self.keep(&done);
        self.check_stop()?;
        Ok(list)
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

impl Prompter for TermPrompter {
    /// The respondent's name; Enter takes the default.
    fn respondent(&mut self, default: Option<&str>) -> Result<String> {
        let default = default.map(terminal_safe).filter(|d| !d.trim().is_empty());
        let name = self.line(
            "Your name",
            None,
            default.as_deref(),
            Some("A name is needed: type yours, then press Enter"),
        )?;
        Ok(name.trim().to_string())
    }

    /// Which checklists to answer; at least one. Returns indices into `all`.
    fn checklists(&mut self, all: &[&Checklist], preselected: &[bool]) -> Result<Vec<usize>> {
        let items: Vec<Choice> = all
            .iter()
            .map(|c| {
                Choice::new(
                    &c.id,
                    &format!(
                        "{} ({})",
                        c.title,
                        crate::text::plural(c.item_count(), "question", "questions")
                    ),
                )
            })
            .collect();
        let mut ticks = preselected.to_vec();
        loop {
            let list = self.list(
                "Checklists to answer",
                List::multi(items.clone(), ticks),
                true,
                Some("Space ticks, Enter goes on"),
            )?;
            ticks = list.ticks.unwrap_or_default();
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
            "\nAn interview in progress was saved in {}: {answered} of {} answered.",
            terminal_safe(&path.display().to_string()),
            plural(total, "question", "questions")
        ))?;
        let left = total.saturating_sub(answered);
        let resume = match left {
            0 => "Resume: go on from the saved answers".to_string(),
            1 => "Resume: ask the question left".to_string(),
            n => format!("Resume: ask the {n} questions left"),
        };
        let items = vec![
            Choice::new("resume", &resume),
            Choice::new("start", "Start again: discard the saved answers"),
        ];
        let picked = self.choose("Resume it?", items, 0, false)?;
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
        let items = vec![
            Choice::new("keep", "Keep it and stop here"),
            Choice::new("replace", "Replace it with the answers of this interview"),
        ];
        Ok(self.choose("Replace it?", items, 0, false)? == 1)
    }

    /// The output exists: add to it (when it can be), replace it, or stop.
    fn existing(&mut self, path: &Path, can_add: bool) -> Result<Existing> {
        if !can_add {
            return Ok(if self.replace(path)? {
                Existing::Replace
            } else {
                Existing::Keep
            });
        }
        self.say(&format!(
            "\n{} already exists, with answers to other checklists.",
            terminal_safe(&path.display().to_string())
        ))?;
        let items = vec![
            Choice::new("add", "Add these answers to it, keeping the others"),
            Choice::new("keep", "Keep it and stop here"),
            Choice::new("replace", "Replace it with the answers of this interview"),
        ];
        Ok(match self.choose("Add to it?", items, 0, false)? {
            0 => Existing::Add,
            1 => Existing::Keep,
            _ => Existing::Replace,
        })
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
        let cols = self.size().1.saturating_sub(1);
        for (title, n) in &intro.checklists {
            let line = format!(
                "{} ({})",
                terminal_safe(title),
                plural(*n, "question", "questions")
            );
            text.push_str(&indented(&line, cols, "  • ", "    "));
        }
        let left = intro.total.saturating_sub(intro.done);
        let line = if intro.done == 0 {
            format!(
                "{}, about {} min.",
                plural(intro.total, "question", "questions"),
                intro.minutes
            )
        } else if left == 0 {
            "Every question was seen before; the skipped ones come next.".to_string()
        } else {
            format!(
                "{left} of {} left, about {} min.",
                plural(intro.total, "question", "questions"),
                intro.minutes
            )
        };
        text.push_str(&indented(&line, cols, "", ""));
        let keys = indented(
            "Choose with ↑↓ and Enter, or type the start of an answer. Each answer is saved at \
             once; Ctrl-C stops, and the same command resumes. \"skip\" leaves a question for \
             the end.",
            cols,
            "",
            "",
        );
        text.push_str(&format!("{}\n", dim.apply_to(keys.trim_end())));
        self.say(&text)?;
        // The intro may scroll away: the question is what a list keeps on screen.
        self.context.clear();
        Ok(())
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
        // Long lines break at spaces, not mid-word at the terminal's edge.
        let para = |text: String, style: Style| Para {
            text,
            style,
            wrapped: true,
            cut: false,
        };
        self.context.clear();
        let mut paras = vec![
            para(String::new(), Style::new()),
            para(where_, Style::new().for_stderr().cyan()),
            para(terminal_safe(&q.item.text), bold),
        ];
        if let Some(help) = &q.item.help {
            paras.push(Para {
                cut: true,
                ..para(terminal_safe(help), dim)
            });
        }
        // The list's prompt, its cursor and a choice either side, "↑/↓ N more", and the rows
        // `list` keeps free, stay on screen: a long help is cut to leave them.
        let choices = q.item.scale.choices.len() + 2;
        self.reserve = choices.min(3) + 2 + 3;
        self.say_paras(paras)?;

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
        let picked = self.choose("Your answer", items, default, true)?;
        Ok(replies[picked])
    }

    fn note(&mut self, _q: &Question, gap: bool, current: Option<&str>) -> Result<Option<String>> {
        let prompt = if gap {
            "What would improve this? (optional note, Enter to skip)"
        } else {
            "Note (optional, Enter to skip)"
        };
        let note = self.line(prompt, current, None, None)?;
        let note = note.trim().to_string();
        Ok((!note.is_empty()).then_some(note))
    }

    fn review(&mut self, skipped: &[Question]) -> Result<bool> {
        let mut text = format!(
            "\nYou skipped {}:\n",
            plural(skipped.len(), "question", "questions")
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
        let (answer, save, ask) = if skipped.len() == 1 {
            ("Answer it now", "Save without it", "Go back to it?")
        } else {
            ("Answer them now", "Save without them", "Go back to them?")
        };
        let items = vec![Choice::new("answer", answer), Choice::new("save", save)];
        Ok(self.choose(ask, items, 0, false)? == 0)
    }
}

/// `text` wrapped at spaces to `cols`, the first line after `first`, the others after `rest`.
fn indented(text: &str, cols: usize, first: &str, rest: &str) -> String {
    let room = cols.saturating_sub(measure_text_width(first)).max(20);
    let mut out = String::new();
    for (i, line) in wrap(text, room).lines().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(line);
        out.push('\n');
    }
    out
}
