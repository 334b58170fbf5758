//! The interview's two widgets as pure state machines: a list (select or multi-select, with
//! type-ahead) and a one-line editor. Each takes a key and says what comes next; drawing them is
//! `mod.rs`'s business, so they are tested here without a terminal.

use std::ops::Range;

use dialoguer::console::Key;

use crate::text::terminal_safe;

/// What a key leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Keep asking (and draw again).
    Stay,
    /// The answer is given.
    Done,
    /// Ctrl-C.
    Stop,
}

/// One line of a select list: a short key to type, and the text shown.
#[derive(Debug, Clone)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

impl Choice {
    pub fn new(key: &str, label: &str) -> Self {
        Choice {
            key: terminal_safe(key),
            label: terminal_safe(label),
        }
    }
}

/// A select list; with `ticks` a multi-select (Space ticks the current line, Enter ends).
#[derive(Debug, Clone)]
pub struct List {
    pub items: Vec<Choice>,
    /// The line the cursor is on.
    pub sel: usize,
    /// What was typed since the last move: the start of a key or label, spaces included.
    pub typed: String,
    pub ticks: Option<Vec<bool>>,
}

impl List {
    pub fn new(items: Vec<Choice>, default: usize) -> Self {
        let sel = default.min(items.len().saturating_sub(1));
        List {
            items,
            sel,
            typed: String::new(),
            ticks: None,
        }
    }

    pub fn multi(items: Vec<Choice>, mut ticks: Vec<bool>) -> Self {
        ticks.resize(items.len(), false);
        List {
            ticks: Some(ticks),
            ..List::new(items, 0)
        }
    }

    /// True when text is typed that starts no choice: the cursor stays where it was, and Enter
    /// does nothing until the text is corrected.
    pub fn no_match(&self) -> bool {
        !self.typed.is_empty() && type_ahead(&self.typed, &self.items).is_none()
    }

    pub fn on_key(&mut self, key: Key) -> Step {
        let n = self.items.len().max(1);
        match key {
            Key::CtrlC => return Step::Stop,
            Key::ArrowDown | Key::Tab => {
                self.sel = (self.sel + 1) % n;
                self.typed.clear();
            }
            Key::ArrowUp | Key::BackTab => {
                self.sel = (self.sel + n - 1) % n;
                self.typed.clear();
            }
            Key::Home | Key::PageUp => {
                self.sel = 0;
                self.typed.clear();
            }
            Key::End | Key::PageDown => {
                self.sel = n - 1;
                self.typed.clear();
            }
            Key::Escape => self.typed.clear(),
            Key::Backspace => {
                self.typed.pop();
                if let Some(i) = type_ahead(&self.typed, &self.items) {
                    self.sel = i;
                }
            }
            Key::Enter if self.no_match() => {}
            Key::Enter => return Step::Done,
            Key::Char(' ') if self.ticks.is_some() => {
                if let Some(t) = self.ticks.as_mut().and_then(|t| t.get_mut(self.sel)) {
                    *t = !*t;
                }
                self.typed.clear();
            }
            Key::Char(' ') if self.typed.is_empty() => return Step::Done,
            Key::Char(c) if !c.is_control() => {
                self.typed.push(c);
                if let Some(i) = type_ahead(&self.typed, &self.items) {
                    self.sel = i;
                }
            }
            _ => {}
        }
        Step::Stay
    }
}

/// The lines of a list of `len` shown in `rows` rows around `sel`: the range of lines, and
/// whether a "more above" and a "more below" line are shown (each takes a row).
pub fn window(len: usize, sel: usize, rows: usize) -> (Range<usize>, bool, bool) {
    if len <= rows {
        return (0..len, false, false);
    }
    let shown = rows.saturating_sub(2).max(1);
    let start = sel.saturating_sub(shown / 2).min(len - shown);
    let end = start + shown;
    (start..end, start > 0, end < len)
}

/// The choice that typed text picks: a key or label equal to it (ignoring case), else the first
/// whose key, then whose label, starts with it.
pub fn type_ahead(typed: &str, items: &[Choice]) -> Option<usize> {
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

/// One line of text, edited at its end: Backspace, Ctrl-U clears, Enter ends.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub text: String,
}

impl Line {
    pub fn new(initial: Option<&str>) -> Self {
        Line {
            text: initial.map(terminal_safe).unwrap_or_default(),
        }
    }

    pub fn on_key(&mut self, key: Key) -> Step {
        match key {
            Key::CtrlC => return Step::Stop,
            Key::Enter => return Step::Done,
            Key::Backspace => {
                self.text.pop();
            }
            Key::Char('\u{15}') => self.text.clear(),
            Key::Char(c) if !c.is_control() => self.text.push(c),
            _ => {}
        }
        Step::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(pairs: &[(&str, &str)]) -> Vec<Choice> {
        pairs.iter().map(|(k, l)| Choice::new(k, l)).collect()
    }

    fn typing(list: &mut List, text: &str) {
        for c in text.chars() {
            assert_eq!(list.on_key(Key::Char(c)), Step::Stay, "{text:?}");
        }
    }

    fn be_sure() -> Vec<Choice> {
        items(&[
            ("none", "None of them"),
            ("few", "A few"),
            ("most", "Most"),
            ("all", "All of them"),
            ("na", "Not applicable"),
            ("skip", "Skip: answer it later"),
        ])
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

    #[test]
    fn a_typed_prefix_with_spaces_selects_the_label_it_starts() {
        let mut list = List::new(be_sure(), 0);
        typing(&mut list, "none of");
        assert_eq!(list.sel, 0);
        assert_eq!(list.typed, "none of");
        assert_eq!(list.on_key(Key::Enter), Step::Done);

        let mut list = List::new(be_sure(), 0);
        typing(&mut list, "not a");
        assert_eq!(list.sel, 4);
        assert_eq!(list.on_key(Key::Enter), Step::Done);

        let mut list = List::new(be_sure(), 2);
        typing(&mut list, "all of t");
        assert_eq!(list.sel, 3);
    }

    #[test]
    fn a_letter_that_matches_nothing_stays_put_and_enter_waits() {
        let mut list = List::new(be_sure(), 1);
        typing(&mut list, "a f");
        assert_eq!(list.sel, 1);
        typing(&mut list, "x");
        assert_eq!(list.sel, 1, "no silent jump");
        assert!(list.no_match());
        assert_eq!(list.typed, "a fx");
        assert_eq!(list.on_key(Key::Enter), Step::Stay);
        list.on_key(Key::Backspace);
        assert!(!list.no_match());
        assert_eq!(list.on_key(Key::Enter), Step::Done);
        assert_eq!(list.sel, 1);
    }

    #[test]
    fn space_picks_when_nothing_is_typed_and_ticks_in_a_multi_select() {
        let mut list = List::new(be_sure(), 2);
        assert_eq!(list.on_key(Key::Char(' ')), Step::Done);
        assert_eq!(list.sel, 2);

        let mut multi = List::multi(be_sure(), vec![true]);
        multi.on_key(Key::ArrowDown);
        assert_eq!(multi.on_key(Key::Char(' ')), Step::Stay);
        assert_eq!(
            multi.ticks.as_deref(),
            Some(&[true, true, false, false, false, false][..])
        );
        multi.on_key(Key::ArrowUp);
        multi.on_key(Key::Char(' '));
        assert!(!multi.ticks.as_ref().unwrap()[0]);
        assert_eq!(multi.on_key(Key::CtrlC), Step::Stop);
    }

    #[test]
    fn arrows_wrap_around_and_clear_the_typed_text() {
        let mut list = List::new(be_sure(), 0);
        typing(&mut list, "mo");
        list.on_key(Key::ArrowUp);
        assert_eq!((list.sel, list.typed.as_str()), (1, ""));
        list.on_key(Key::Home);
        list.on_key(Key::ArrowUp);
        assert_eq!(list.sel, 5);
        list.on_key(Key::ArrowDown);
        assert_eq!(list.sel, 0);
    }

    #[test]
    fn a_long_list_pages_around_the_cursor() {
        assert_eq!(window(5, 4, 10), (0..5, false, false));
        // 20 lines in 7 rows: 5 lines and the two "more" lines.
        assert_eq!(window(20, 0, 7), (0..5, false, true));
        assert_eq!(window(20, 10, 7), (8..13, true, true));
        assert_eq!(window(20, 19, 7), (15..20, true, false));
        for sel in 0..20 {
            let (range, up, down) = window(20, sel, 7);
            assert!(range.contains(&sel));
            assert!(range.len() + usize::from(up) + usize::from(down) <= 7);
        }
        // Never fewer than one line, however small the room.
        assert!(window(20, 3, 0).0.contains(&3));
    }

    #[test]
    fn the_line_editor_edits_at_its_end() {
        let mut line = Line::new(Some("ab"));
        for key in [
            Key::Char('c'),
            Key::Backspace,
            Key::Backspace,
            Key::Char('x'),
        ] {
            assert_eq!(line.on_key(key), Step::Stay);
        }
        assert_eq!(line.text, "ax");
        line.on_key(Key::Char('\u{15}'));
        assert_eq!(line.text, "");
        line.on_key(Key::Char('\u{7}'));
        assert_eq!(line.text, "");
        assert_eq!(line.on_key(Key::Enter), Step::Done);
        assert_eq!(line.on_key(Key::CtrlC), Step::Stop);
    }
}
