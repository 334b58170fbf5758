//! Text helpers: positions in source files, and making user text safe for each output.

/// 1-based line and column (in characters) of a byte offset in `src`. Inside a
/// [`LineIndex::scope`] of `src` it costs O(log n) after one O(n) pass over the text, so a
/// file with a hundred thousand problems is not read a hundred thousand times; elsewhere it
/// scans the text.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    if let Some(found) = LineIndex::with(src, |index| index.line_col(src, offset)) {
        return found;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// How many bytes a checkpoint of [`LineIndex`] stands for.
const CHECKPOINT: usize = 1024;

/// Where a text's lines start, and how many characters lie before every `CHECKPOINT`-th byte:
/// built once per text, on its first problem.
pub struct LineIndex<'a> {
    _text: std::marker::PhantomData<&'a str>,
}

#[derive(Default)]
struct Lines {
    /// Byte offset of every `\n`.
    newlines: Vec<usize>,
    /// Characters before byte `k * CHECKPOINT`.
    chars_before: Vec<usize>,
}

/// An open scope: its text's address and length, and the text's index once built.
type Scope = (usize, usize, Option<std::rc::Rc<Lines>>);

thread_local! {
    /// The texts of the scopes open on this thread, by address and length, each with its
    /// index once built. A text cannot be freed while its scope is open, so the address
    /// names it alone.
    static SCOPES: std::cell::RefCell<Vec<Scope>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

impl<'a> LineIndex<'a> {
    /// Opens a scope in which `line_col` on `text` uses an index, built on first use. Every
    /// parser holds one for its source while it checks it.
    pub fn scope(text: &'a str) -> LineIndex<'a> {
        SCOPES.with(|s| {
            s.borrow_mut()
                .push((text.as_ptr() as usize, text.len(), None))
        });
        LineIndex {
            _text: std::marker::PhantomData,
        }
    }

    fn with<R>(text: &str, f: impl FnOnce(&Lines) -> R) -> Option<R> {
        let key = (text.as_ptr() as usize, text.len());
        let lines = SCOPES.with(|s| {
            let mut scopes = s.borrow_mut();
            let entry = scopes.iter_mut().rev().find(|(p, l, _)| (*p, *l) == key)?;
            Some(
                entry
                    .2
                    .get_or_insert_with(|| std::rc::Rc::new(Lines::new(text)))
                    .clone(),
            )
        })?;
        Some(f(&lines))
    }
}

impl Drop for LineIndex<'_> {
    fn drop(&mut self) {
        SCOPES.with(|s| s.borrow_mut().pop());
    }
}

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: &u8) -> bool {
    (*b as i8) >= -0x40
}

impl Lines {
    fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        let mut chars_before = vec![0];
        for chunk in bytes.chunks(CHECKPOINT) {
            let last = chars_before[chars_before.len() - 1];
            chars_before.push(last + chunk.iter().filter(|b| starts_char(b)).count());
        }
        Lines {
            newlines,
            chars_before,
        }
    }

    /// Characters before byte `at`.
    fn chars_to(&self, text: &str, at: usize) -> usize {
        let k = at / CHECKPOINT;
        self.chars_before[k]
            + text.as_bytes()[k * CHECKPOINT..at]
                .iter()
                .filter(|b| starts_char(b))
                .count()
    }

    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.newlines.partition_point(|&n| n < offset);
        let start = if line == 0 {
            0
        } else {
            self.newlines[line - 1] + 1
        };
        (
            line + 1,
            self.chars_to(text, offset) - self.chars_to(text, start) + 1,
        )
    }
}

/// Whether a character could change how a terminal or a text renderer shows what follows:
/// C0/C1 controls (escape sequences start with them) and bidirectional overrides.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether a character may not reach a terminal raw: a control character, a line break, a bidi
/// mark or override, or an invisible character (the one test for escaping in TOML and shell text).
pub fn needs_escape(c: char) -> bool {
    is_unsafe_char(c) || is_line_break(c) || crate::identity::is_invisible(c)
}

/// Characters that end a line somewhere: a terminal, a Markdown table row, a paragraph.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// User text for a terminal: line breaks and tabs become spaces, other control
/// characters are dropped, so no respondent can move the cursor or recolour the screen.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_line_break(c) || c == '\t' => out.push(' '),
            c if is_unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// User text for a page: like `terminal_safe`, but line breaks stay (as `\n`), for notes
/// shown with their paragraphs. The result still needs HTML escaping.
pub fn page_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            c if is_line_break(c) => out.push('\n'),
            '\t' => out.push(' '),
            c if is_unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Text inside HTML or SVG markup, in an element or a quoted attribute: no character in it is markup.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// User text as one line of a TOML comment: nothing in it can end the comment.
pub fn comment_safe(s: &str) -> String {
    terminal_safe(s)
}

/// The invisible character put between two characters that GitHub would otherwise read as
/// a mention, a reference or a link (U+2060 WORD JOINER: no width, no line break).
pub const MARKDOWN_BREAK: char = '\u{2060}';

/// User text anywhere in Markdown output (a table cell, a heading, a list item, a line of its
/// own): it renders as the literal text under CommonMark and GitHub's cmark-gfm, and is
/// markup of no kind.
///
/// - one line: line breaks become spaces, control characters and bidi overrides go, and the
///   ends are trimmed (leading spaces would make a code block, trailing ones a hard break);
/// - no inline markup: `\ ` * _ [ ] | ~ $` are backslash-escaped, `& < >` become entities;
/// - no block start: a first character that is punctuation is backslash-escaped (`#`, `-`,
///   `+`, `=`, …), and so is the `.` or `)` of a leading number (`1. fix the phones`);
/// - no link, mention or reference: a word joiner goes after `@` and `#` before a letter or
///   digit (`@user`, `@org/team`, e-mail addresses, `#12`, `owner/repo#12`), inside `://` and
///   `www.`, after `GH-` before a digit, and inside a word that could be a commit hash.
pub fn markdown_escape(s: &str) -> String {
    let flat = terminal_safe(s);
    let chars: Vec<char> = flat.trim().chars().collect();
    let mut out = String::with_capacity(flat.len() + 8);
    let leading_number = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let hash_breaks = commit_like_breaks(&chars);
    let mut next_hash_break = 0;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let next_is_word = next.is_some_and(char::is_alphanumeric);
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i > 0 && i == leading_number => {
                out.push('\\');
                out.push(c);
            }
            c if i == 0 && c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        let joiner = match c {
            '@' | '#' => next_is_word,
            ':' => chars.get(i + 1..i + 3) == Some(&['/', '/'][..]),
            'w' | 'W' => {
                i >= 2
                    && chars[i - 2..=i]
                        .iter()
                        .all(|c| c.eq_ignore_ascii_case(&'w'))
                    && next == Some('.')
            }
            '-' => {
                i >= 2
                    && chars[i - 2].eq_ignore_ascii_case(&'g')
                    && chars[i - 1].eq_ignore_ascii_case(&'h')
                    && (i < 3 || !chars[i - 3].is_alphanumeric())
                    && next.is_some_and(|n| n.is_ascii_digit())
            }
            _ => false,
        };
        let hash_break = hash_breaks.get(next_hash_break) == Some(&i);
        if hash_break {
            next_hash_break += 1;
        }
        if joiner || hash_break {
            out.push(MARKDOWN_BREAK);
        }
    }
    out
}

/// Where to break words that GitHub could link as a commit (7 or more hexadecimal digits, at
/// least one a decimal digit, standing alone): after every fourth character, so that no piece
/// is long enough to be read as a commit, in increasing order.
fn commit_like_breaks(chars: &[char]) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_alphanumeric() {
            i += 1;
        }
        let word = &chars[start..i];
        if word.len() >= 7
            && word.iter().all(char::is_ascii_hexdigit)
            && word.iter().any(char::is_ascii_digit)
        {
            breaks.extend((start + 3..i - 1).step_by(4));
        }
    }
    breaks
}

/// A word as a POSIX shell reads it back, character for character, so that a command the
/// tool prints works when pasted: bare when it is plain, else in single quotes, else (when it
/// holds characters a terminal must not see raw: controls, line breaks, bidi and invisible
/// marks) in `$'…'` quotes with those characters written as escapes. Nothing is dropped.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        return s.to_string();
    }
    let needs_escapes = s.chars().any(needs_escape);
    if !needs_escapes {
        return format!("'{}'", s.replace('\'', "'\"'\"'"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if needs_escape(c) => {
                if (c as u32) <= 0xFFFF {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Text broken into lines of at most `width` columns at spaces (a longer word stands alone).
pub fn wrap(text: &str, width: usize) -> String {
    let width = width.max(20);
    let mut out = String::with_capacity(text.len() + 8);
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        // Columns on a terminal: a CJK character or an emoji takes two.
        let len = dialoguer::console::measure_text_width(word);
        if line > 0 && line + 1 + len > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// The checklists folder a responses file's opening comment names (`run` and `template`
/// write "selfaudit report --checklists DIR" there), when it is a plain folder name: the
/// comment is the file's text, so nothing else of it is repeated.
pub fn checklists_in_comment(text: &str) -> Option<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.split_once("selfaudit report --checklists "))
        .and_then(|(_, rest)| {
            let word = rest.split(' ').next()?;
            (!word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_alphanumeric() || "./_-".contains(c)))
            .then(|| word.to_string())
        })
}

/// Lines of plain text fitted to `cols` columns for a terminal: a longer line breaks at spaces,
/// its continuation lines indented under its text (after the leading spaces and a first short
/// column such as a score); a command after ": " moves whole to a line of its own. Table rows
/// (box-drawing lines) are left as they are.
pub fn fit_lines(text: &str, cols: usize) -> String {
    let cols = cols.max(20);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let width = dialoguer::console::measure_text_width(body);
        let boxed = body.chars().any(|c| ('\u{2500}'..='\u{257F}').contains(&c));
        if width < cols || boxed {
            out.push_str(line);
            continue;
        }
        if let Some(at) = body.find(": selfaudit ") {
            out.push_str(&body[..at + 1]);
            out.push_str("\n  ");
            out.push_str(&body[at + 2..]);
            out.push_str(end);
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        // A first short column ("  75.0  Question"): the text after its two spaces.
        let hang = body[lead..]
            .find("  ")
            .filter(|&i| i <= 8)
            .map(|i| {
                let rest = &body[lead + i..];
                lead + i + (rest.len() - rest.trim_start().len())
            })
            .unwrap_or(lead);
        let room = cols.saturating_sub(1 + hang).max(10);
        let wrapped = wrap(&body[hang..], room);
        for (i, part) in wrapped.lines().enumerate() {
            if i == 0 {
                out.push_str(&body[..hang]);
            } else {
                out.push('\n');
                out.push_str(&" ".repeat(hang));
            }
            out.push_str(part);
        }
        out.push_str(end);
    }
    out
}

/// A name made safe to be a file name: lower-case letters, digits and `-` only, never empty.
/// Built on the identity rule, so that one person written two ways (NFC or NFD, with
/// invisible marks) gets one file, and one progress file.
pub fn slug(s: &str) -> String {
    slug_with(&crate::identity::identity(s), true, "respondent")
}

/// A period label made safe to be a folder name, keeping its case (`2026-Q4`): letters, digits and `-` only.
pub fn period_slug(s: &str) -> String {
    slug_with(s, false, "period")
}

/// The longest slug, in characters, so that any name fits in a file name.
const SLUG_MAX: usize = 48;

fn slug_with(s: &str, lowercase: bool, fallback: &str) -> String {
    let mut out = String::new();
    let chars: Box<dyn Iterator<Item = char>> = if lowercase {
        Box::new(s.chars().flat_map(char::to_lowercase))
    } else {
        Box::new(s.chars())
    };
    for c in chars {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if let Some((i, _)) = out.char_indices().nth(SLUG_MAX) {
        out.truncate(i);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// A part's title, or its id when it has none (an empty or blank title).
pub fn title_or_id<'a>(title: &'a str, id: &'a str) -> &'a str {
    if title.trim().is_empty() { id } else { title }
}

/// `1 answer`, `2 answers`: a count with its noun.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text with its first letter in upper case, to begin a sentence.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_in_a_scope_agrees_with_the_scan() {
        let src = "ab\néé x\n\n".to_string() + &"ü".repeat(3000) + "\nz\u{1F600}y";
        let plain: Vec<_> = (0..=src.len() + 2).map(|o| line_col(&src, o)).collect();
        let _lines = LineIndex::scope(&src);
        for (o, want) in plain.iter().enumerate() {
            assert_eq!(line_col(&src, o), *want, "offset {o}");
        }
    }

    #[test]
    fn fitted_lines_break_at_spaces_and_hang_under_their_text() {
        let text = "    0.0  Do you deliver what you promise, at the time you promise?\n\
                    │ short ┆ 1 │\n\
                    The team report, once everyone has answered: selfaudit report responses/2026-Q4\n";
        let fitted = fit_lines(text, 40);
        assert_eq!(
            fitted,
            "    0.0  Do you deliver what you\n         promise, at the time you\n         promise?\n\
             │ short ┆ 1 │\n\
             The team report, once everyone has answered:\n  selfaudit report responses/2026-Q4\n"
        );
        // Short text is left alone, byte for byte.
        assert_eq!(fit_lines("a  b\n", 60), "a  b\n");
    }

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // the byte after "bé" is the 3rd character of line 2
        assert_eq!(line_col(src, 9), (2, 3));
        assert_eq!(line_col(src, 1000), (3, 1));
    }

    #[test]
    fn terminal_safe_drops_escapes_and_flattens_lines() {
        assert_eq!(
            terminal_safe("a\x1b[31mred\x07\nnext\u{202E}x"),
            "a[31mred nextx"
        );
    }

    #[test]
    fn terminal_safe_flattens_unicode_line_separators_and_drops_arabic_mark() {
        assert_eq!(terminal_safe("a\u{2028}b\u{2029}c\u{061C}d"), "a b cd");
    }

    #[test]
    fn page_safe_keeps_line_breaks_and_drops_controls() {
        assert_eq!(
            page_safe("one\r\ntwo\u{2028}three\tx\x1b[31m\u{202E}y"),
            "one\ntwo\nthree x[31my"
        );
    }

    #[test]
    fn html_escape_covers_elements_and_both_quotes() {
        assert_eq!(
            html_escape("\"><img src=x onerror='a&b'>"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a&amp;b&#39;&gt;"
        );
    }

    #[test]
    fn markdown_escape_neutralises_tables_and_html() {
        let escaped = markdown_escape("a|b `c` <script>\nline");
        assert_eq!(escaped, "a\\|b \\`c\\` &lt;script&gt; line");
    }

    #[test]
    fn wrap_counts_wide_characters_as_the_two_columns_they_take() {
        let text = "[3/3] Accueil & Réception — qualité perçue ★ 顧客体験 › Départ 出口";
        let wrapped = wrap(text, 58);
        for line in wrapped.lines() {
            assert!(
                dialoguer::console::measure_text_width(line) <= 58,
                "{line:?} in {wrapped:?}"
            );
        }
        assert!(
            wrapped.lines().any(|l| l.ends_with("Départ 出口")),
            "{wrapped}"
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let text = "Think of the last ten orders or jobs: how many were ready on the day?";
        let wrapped = wrap(text, 30);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 30),
            "{wrapped}"
        );
        assert_eq!(wrapped.replace('\n', " "), text);
        assert_eq!(
            wrap("a-very-long-unbreakable-word-indeed and more", 20)
                .lines()
                .next(),
            Some("a-very-long-unbreakable-word-indeed")
        );
    }

    #[test]
    fn slug_keeps_letters_digits_and_dashes_only() {
        assert_eq!(slug("Ana María O'Neil"), "ana-maría-o-neil");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("///"), "respondent");
        assert_eq!(slug("Bob\u{0}\n"), "bob");
        assert_eq!(slug(&"ab".repeat(100)).chars().count(), 48);
    }

    #[test]
    fn period_slug_keeps_case_and_cannot_climb_out() {
        assert_eq!(period_slug("2026-Q4"), "2026-Q4");
        assert_eq!(period_slug("../../x"), "x");
        assert_eq!(period_slug("/etc/"), "etc");
        assert_eq!(period_slug(".."), "period");
    }
}
