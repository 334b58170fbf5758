//! A fast reader for the plain shape that `run` and `template` write: one `key = value` a
//! line, basic strings, inline `{ choice, note }` tables. Anything else, and any problem at
//! all, returns `None`, and the full TOML parser reads the file instead and says exactly what
//! is wrong where. Reading a large team is mostly this.

use std::borrow::Cow;

use super::checklist::Checklist;
use super::responses::{Answer, AnswerSet, Responses, VersionMismatch};

/// A value as the plain shape allows it.
/// Strings borrow from the file unless they hold escapes, so reading allocates little.
#[derive(Debug, PartialEq)]
enum Value<'a> {
    Str(Cow<'a, str>),
    Int(&'a str),
    Datetime(String),
    Answer {
        choice: Cow<'a, str>,
        note: Option<Cow<'a, str>>,
    },
}

#[derive(Debug, Default)]
struct Plain<'a> {
    respondent: Option<Cow<'a, str>>,
    period: Option<Cow<'a, str>>,
    role: Option<Cow<'a, str>>,
    submitted: Option<String>,
    /// (checklist id, version)
    versions: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// (checklist id, [(item id, value)])
    answers: Vec<(Cow<'a, str>, Vec<Entry<'a>>)>,
}

/// An item id and its answer.
type Entry<'a> = (Cow<'a, str>, Value<'a>);

enum Table {
    Top,
    Version(usize),
    Answers(usize),
    /// `[answers.CHECKLIST.ITEM]`: an answer written as a table, as TOML writers emit
    /// `{ choice, note }`. Holds where the answer is and which keys were seen.
    Answer {
        table: usize,
        item: usize,
        choice: bool,
        note: bool,
    },
}

/// Reads and checks a responses file of the plain shape, or gives up with `None`.
pub fn parse<'c>(
    text: &str,
    lookup: &impl Fn(&str) -> Option<&'c Checklist>,
) -> Option<(Responses, Vec<VersionMismatch>)> {
    resolve(read(text)?, lookup)
}

fn read(text: &str) -> Option<Plain<'_>> {
    if text.starts_with('\u{feff}') {
        return None;
    }
    let mut plain = Plain::default();
    let mut table = Table::Top;
    let mut seen_versions = false;
    for line in text.split_inclusive('\n') {
        // TOML ends a line with LF or CR LF; a carriage return anywhere else (a lone CR, at the
        // end of the file too) is an error, which the full parser reports.
        let line = match line.strip_suffix('\n') {
            Some(l) => l.strip_suffix('\r').unwrap_or(l),
            None => line,
        };
        if line.contains('\r') {
            return None;
        }
        let mut rest = Cursor(line);
        rest.skip_ws();
        if rest.0.is_empty() || rest.0.starts_with('#') {
            rest.comment_or_end()?;
            continue;
        }
        if let Some(after) = rest.0.strip_prefix('[') {
            if after.starts_with('[') {
                return None;
            }
            rest.0 = after;
            rest.skip_ws();
            let kind = rest.key()?;
            rest.skip_ws();
            rest.expect('.')?;
            rest.skip_ws();
            let id = rest.key()?;
            rest.skip_ws();
            let item = if rest.expect('.').is_some() {
                rest.skip_ws();
                let item = rest.key()?;
                rest.skip_ws();
                Some(item)
            } else {
                None
            };
            rest.expect(']')?;
            rest.comment_or_end()?;
            if let Some(item) = item {
                if &*kind != "answers" {
                    return None;
                }
                let at = match plain.answers.iter().position(|(c, _)| *c == id) {
                    Some(at) => at,
                    None => {
                        plain.answers.push((id, Vec::new()));
                        plain.answers.len() - 1
                    }
                };
                let items = &mut plain.answers[at].1;
                items.push((
                    item,
                    Value::Answer {
                        choice: Cow::Borrowed(""),
                        note: None,
                    },
                ));
                table = Table::Answer {
                    table: at,
                    item: items.len() - 1,
                    choice: false,
                    note: false,
                };
                continue;
            }
            table = match &*kind {
                "checklists" => {
                    // TOML allows a table once; repeats go to the full parser's error.
                    if plain.versions.iter().any(|(c, _)| *c == id) {
                        return None;
                    }
                    seen_versions = true;
                    plain.versions.push((id, Cow::Borrowed("")));
                    Table::Version(plain.versions.len() - 1)
                }
                "answers" => {
                    if plain.answers.iter().any(|(c, _)| *c == id) {
                        return None;
                    }
                    plain.answers.push((id, Vec::new()));
                    Table::Answers(plain.answers.len() - 1)
                }
                _ => return None,
            };
            continue;
        }
        let key = rest.key()?;
        rest.skip_ws();
        rest.expect('=')?;
        rest.skip_ws();
        match &mut table {
            Table::Top => match (&*key, rest.value(key == "submitted")?) {
                ("respondent", Value::Str(s)) if plain.respondent.is_none() => {
                    plain.respondent = Some(s);
                }
                ("period", Value::Str(s)) if plain.period.is_none() => plain.period = Some(s),
                ("role", Value::Str(s)) if plain.role.is_none() => plain.role = Some(s),
                ("submitted", Value::Datetime(d)) if plain.submitted.is_none() => {
                    plain.submitted = Some(d);
                }
                _ => return None,
            },
            Table::Version(i) => {
                let (_, version) = &mut plain.versions[*i];
                if key != "version" || !version.is_empty() {
                    return None;
                }
                match rest.value(false)? {
                    Value::Str(s) if !s.is_empty() => *version = s,
                    _ => return None,
                }
            }
            Table::Answers(i) => {
                // A repeated key names one item twice, which `resolve` turns down.
                let value = rest.value(false)?;
                plain.answers[*i].1.push((key, value));
            }
            Table::Answer {
                table: t,
                item,
                choice,
                note,
            } => {
                let Value::Answer {
                    choice: slot_choice,
                    note: slot_note,
                } = &mut plain.answers[*t].1[*item].1
                else {
                    return None;
                };
                let seen = match &*key {
                    "choice" => choice,
                    "note" => note,
                    _ => return None,
                };
                if *seen {
                    return None;
                }
                *seen = true;
                match (&*key, rest.value(false)?) {
                    ("choice", Value::Str(c)) => *slot_choice = c,
                    ("choice", Value::Int(c)) => *slot_choice = Cow::Borrowed(c),
                    ("note", Value::Str(n)) => *slot_note = clean_note(n),
                    _ => return None,
                }
            }
        }
        rest.comment_or_end()?;
    }
    // A version table without a version is the full parser's to report.
    if seen_versions && plain.versions.iter().any(|(_, v)| v.is_empty()) {
        return None;
    }
    Some(plain)
}

/// The same checks as the full parser, without positions: any problem gives up.
fn resolve<'c>(
    plain: Plain<'_>,
    lookup: &impl Fn(&str) -> Option<&'c Checklist>,
) -> Option<(Responses, Vec<VersionMismatch>)> {
    let respondent = plain.respondent?.trim().to_string();
    let period = plain.period?.trim().to_string();
    if respondent.is_empty() || period.is_empty() {
        return None;
    }
    // An empty role is the full parser's to report.
    let role = match plain.role {
        None => None,
        Some(r) if r.trim().is_empty() => return None,
        Some(r) => Some(r.trim().to_string()),
    };
    for (id, _) in &plain.versions {
        lookup(id)?;
    }
    let mut tables = plain.answers;
    tables.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sets = Vec::with_capacity(tables.len());
    let mut warnings = Vec::new();
    for (id, items) in tables {
        let checklist = lookup(&id)?;
        let version = plain
            .versions
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, v)| v.to_string());
        if let Some(v) = &version
            && *v != checklist.version
        {
            warnings.push(VersionMismatch {
                checklist: checklist.id.clone(),
                answered: v.clone(),
                current: checklist.version.clone(),
            });
        }
        let mut answers: Vec<Answer> = Vec::with_capacity(items.len());
        for (item_id, value) in items {
            let (section, item) = checklist.locate(&item_id)?;
            let (key, note) = match value {
                Value::Str(k) => (k, None),
                Value::Int(k) => (Cow::Borrowed(k), None),
                Value::Answer { choice, note } => (choice, note),
                Value::Datetime(_) => return None,
            };
            let spec = &checklist.sections[section].items[item];
            let choice = if super::scale::is_na(&key) {
                if !spec.na {
                    return None;
                }
                None
            } else {
                Some(spec.scale.choice(&key)?.0)
            };
            answers.push(Answer {
                section,
                item,
                choice,
                note: note.map(Cow::into_owned),
            });
        }
        answers.sort_by_key(|a| (a.section, a.item));
        // An old and a new id naming the same item: the full parser reports it.
        if answers
            .windows(2)
            .any(|w| (w[0].section, w[0].item) == (w[1].section, w[1].item))
        {
            return None;
        }
        sets.push(AnswerSet {
            checklist: checklist.id.clone(),
            version,
            answers,
        });
    }
    Some((
        Responses {
            respondent,
            period,
            submitted: plain.submitted,
            sets,
            role,
        },
        warnings,
    ))
}

/// A note as the full parser keeps it: trimmed, and none when empty.
fn clean_note(n: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let trimmed = n.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == n.len() {
        Some(n)
    } else {
        Some(Cow::Owned(trimmed.to_string()))
    }
}

/// The unread rest of a line.
struct Cursor<'a>(&'a str);

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        self.0 = self.0.trim_start_matches([' ', '\t']);
    }

    fn expect(&mut self, c: char) -> Option<()> {
        self.0 = self.0.strip_prefix(c)?;
        Some(())
    }

    /// Only whitespace and a comment may follow a value; a comment holds no control characters.
    fn comment_or_end(&mut self) -> Option<()> {
        self.skip_ws();
        match self.0.strip_prefix('#') {
            None if self.0.is_empty() => Some(()),
            None => None,
            Some(comment) => {
                if comment.chars().any(|c| c.is_control() && c != '\t') {
                    None
                } else {
                    Some(())
                }
            }
        }
    }

    /// A bare key of ASCII letters, digits, `-` and `_`, or a basic string.
    fn key(&mut self) -> Option<Cow<'a, str>> {
        if self.0.starts_with('"') {
            return self.string();
        }
        let end = self
            .0
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(self.0.len());
        if end == 0 {
            return None;
        }
        let (key, rest) = self.0.split_at(end);
        self.0 = rest;
        Some(Cow::Borrowed(key))
    }

    fn value(&mut self, datetime: bool) -> Option<Value<'a>> {
        if datetime {
            // The full grammar of dates is toml's: hand it the rest of the line.
            let end = self.0.find('#').unwrap_or(self.0.len());
            let token = self.0[..end].trim_end_matches([' ', '\t']);
            let parsed: toml::value::Datetime = token.parse().ok()?;
            self.0 = &self.0[token.len()..];
            return Some(Value::Datetime(parsed.to_string()));
        }
        match self.0.chars().next()? {
            '"' => self.string().map(Value::Str),
            '{' => self.inline_answer(),
            '0'..='9' | '-' => self.integer().map(Value::Int),
            _ => None,
        }
    }

    /// A decimal integer as toml prints it back: no sign but `-`, no leading zeros, no `_`.
    fn integer(&mut self) -> Option<&'a str> {
        let digits_from = usize::from(self.0.starts_with('-'));
        let end = self.0[digits_from..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(self.0.len(), |e| e + digits_from);
        let digits = &self.0[digits_from..end];
        if digits.is_empty() || digits.len() > 18 || (digits.starts_with('0') && digits != "0") {
            return None;
        }
        if digits_from == 1 && digits == "0" {
            return None;
        }
        let (token, rest) = self.0.split_at(end);
        self.0 = rest;
        Some(token)
    }

    /// `{ choice = "…" }` or `{ choice = "…", note = "…" }`, in either order.
    fn inline_answer(&mut self) -> Option<Value<'a>> {
        self.expect('{')?;
        let (mut choice, mut note) = (None, None);
        loop {
            self.skip_ws();
            let key = self.key()?;
            self.skip_ws();
            self.expect('=')?;
            self.skip_ws();
            let value = self.string()?;
            let slot = match &*key {
                "choice" => &mut choice,
                "note" => &mut note,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
            self.skip_ws();
            if self.expect(',').is_none() {
                break;
            }
        }
        self.expect('}')?;
        let note = note.and_then(clean_note);
        Some(Value::Answer {
            choice: choice?,
            note,
        })
    }

    /// A basic string with TOML's escapes; anything unusual gives up.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let body = self.0.strip_prefix('"')?;
        // The common case: no escapes, borrowed as it stands.
        let end = body.find(['"', '\\'])?;
        if body.as_bytes()[end] == b'"' {
            let s = &body[..end];
            if s.chars().any(|c| c.is_control() && c != '\t') {
                return None;
            }
            self.0 = &body[end + 1..];
            return Some(Cow::Borrowed(s));
        }
        let mut chars = body.char_indices();
        let mut out = String::new();
        loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => {
                    self.0 = &body[i + 1..];
                    return Some(Cow::Owned(out));
                }
                '\\' => {
                    let (_, e) = chars.next()?;
                    match e {
                        'b' => out.push('\u{8}'),
                        't' => out.push('\t'),
                        'n' => out.push('\n'),
                        'f' => out.push('\u{c}'),
                        'r' => out.push('\r'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let len = if e == 'u' { 4 } else { 8 };
                            let mut code = 0u32;
                            for _ in 0..len {
                                code = code * 16 + chars.next()?.1.to_digit(16)?;
                            }
                            out.push(char::from_u32(code)?);
                        }
                        _ => return None,
                    }
                }
                c if c.is_control() && c != '\t' => return None,
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Source;
    use super::*;
    use crate::load::Registry;

    fn registry() -> Registry {
        let mut registry = Registry::builtin().unwrap();
        let mini = std::fs::read_to_string("tests/fixtures/mini/mini.toml").unwrap();
        let mini = Checklist::parse(&Source {
            name: "mini.toml",
            text: &mini,
        })
        .unwrap();
        registry.insert(mini, crate::load::Origin::Builtin);
        registry
    }

    /// The fast reader either gives up or agrees exactly with the full parser.
    fn agrees(registry: &Registry, text: &str) -> bool {
        let lookup = |id: &str| registry.get(id);
        let fast = parse(text, &lookup);
        let full = Responses::parse_full(&Source { name: "x", text }, lookup, Vec::new);
        if let Some(fast) = &fast {
            assert_eq!(
                Ok(fast),
                full.as_ref(),
                "fast and full disagree on:\n{text}"
            );
        }
        fast.is_some()
    }

    fn files_under(dir: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(path.to_str().unwrap(), out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn agrees_with_the_full_parser_on_every_example_and_fixture() {
        let registry = registry();
        let mut files = Vec::new();
        files_under("examples/responses", &mut files);
        let examples = files.len();
        files_under("tests/fixtures", &mut files);
        let mut fast = 0;
        for (i, path) in files.iter().enumerate() {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let took_fast = agrees(&registry, &text);
            if i < examples {
                assert!(took_fast, "{} should take the fast path", path.display());
            }
            fast += usize::from(took_fast);
        }
        assert!(fast >= examples);
    }

    #[test]
    fn agrees_on_the_corners_of_the_plain_shape() {
        let registry = registry();
        let head = "respondent = \"Ana\"\nperiod = \"2026-Q4\"\n";
        let cases = [
            // fast path
            "[answers.mini]\nfreq = \"often\"\nalways = \"yes\"",
            "[answers.mini]\r\nfreq = \"often\"  # a comment\r\n",
            "  [ answers . \"mini\" ]  \nfreq = { note = \" padded \", choice = \"rarely\" }",
            "[answers.mini]\nfreq = { choice = \"rarely\", note = \"\\u00e9t\\u00E9 \\\"quoted\\\" \\\\ tab\\t\" }",
            "[answers.mini]\nfreq = { choice = \"rarely\", note = \"   \" }",
            "[checklists.mini]\nversion = \"1\"\n[answers.mini]\nold-freq = \"n/a\"",
            "[answers.mini]\n\"freq\" = \"always\"",
            "submitted = 2026-11-22T20:15:00Z\n[answers.mini]\nfreq = \"never\"",
            "submitted = 2026-11-22 20:15:00+01:00 # local\n[answers.mini]\nfreq = \"never\"",
            "[answers.be-sure]\nempowered = \"most\"\n[answers.mini]\nfreq = \"never\"",
            "[answers.service-self-audit]\nrespect = \"always\"",
            // answers as tables, as TOML writers emit them
            "[answers.mini.freq]\nchoice = \"often\"\nnote = \" from a writer \"",
            "[answers.mini]\nalways = \"yes\"\n\n[answers.mini.freq]\nnote = \"n\"\nchoice = \"never\"",
            "[answers.mini.freq]\nchoice = \"n/a\"\n[answers.mini.always]\nchoice = \"no\"",
            // a role at the top, as `run --role` and `template --role` write it
            "role = \" staff \"\n[answers.mini]\nfreq = \"often\"",
            "role = \"Ow\\u00e9ner\" # the owner\n[answers.mini]\nfreq = \"often\"",
            // handed to the full parser
            "[answers.mini.freq]\nchoice = \"often\"\n[answers.mini]\nalways = \"yes\"",
            "[answers.mini.freq]\nnote = \"no choice\"",
            "[answers.mini.freq]\nchoice = \"often\"\nchoice = \"never\"",
            "[answers.mini.freq]\nchoice = \"often\"\nextra = \"x\"",
            "[answers.mini.freq]\nchoice = \"often\"\n[answers.mini.freq]\nchoice = \"never\"",
            "[answers.mini]\nfreq = \"often\"\n[answers.mini.freq]\nchoice = \"never\"",
            "[answers.mini.freq.deeper]\nchoice = \"often\"",
            "[checklists.mini.x]\nversion = \"2\"",
            "[answers.mini]\nfreq = 'often'",
            "[answers.mini]\nfreq = \"often\"\nfreq = \"never\"",
            "[answers.mini]\nfreq = \"often\"\nold-freq = \"never\"",
            "[answers.mini]\nalways = \"n/a\"",
            "[answers.mini]\nfreq = \"daily\"",
            "[answers.mini]\nfreq = { choice = \"often\", }",
            "[answers.mini]\nfreq = { choice = \"often\" } x",
            "[answers.mini]\nfreq = \"bad \\q escape\"",
            "[answers.mini]\nfreq = \"bad \\uD800 surrogate\"",
            "[answers.mini]\nfreq.x = \"often\"",
            "[answers.mini]\n[answers.mini]\nfreq = \"often\"",
            "[checklists.mini]\n[answers.mini]\nfreq = \"often\"",
            "[checklists.mini]\nversion = 2\n[answers.mini]\nfreq = \"often\"",
            "[[answers.mini]]\nfreq = \"often\"",
            "[answers.nope]\nfreq = \"often\"",
            "extra = 1\n[answers.mini]\nfreq = \"often\"",
            "submitted = \"yesterday\"\n[answers.mini]\nfreq = \"often\"",
            "[answers.mini]\nfreq = \"line\nbreak\"",
            "[answers.mini]\nfreq = \"often\" # bell \u{7}",
            "role = \"\"\n[answers.mini]\nfreq = \"often\"",
            "role = \"  \"\n[answers.mini]\nfreq = \"often\"",
            "role = \"a\"\nrole = \"b\"\n[answers.mini]\nfreq = \"often\"",
            "role = 3\n[answers.mini]\nfreq = \"often\"",
            "[answers.mini]\nfreq = \"often\"\nrole = \"staff\"",
        ];
        let took_fast: Vec<bool> = cases
            .iter()
            .map(|case| agrees(&registry, &format!("{head}{case}")))
            .collect();
        let expected: Vec<bool> = (0..cases.len()).map(|i| i < 16).collect();
        assert_eq!(
            took_fast, expected,
            "the first sixteen cases take the fast path"
        );
        // Numeric keys may be written bare (value-work is on the agreement scale, "1"…"5").
        let bare = format!("{head}[answers.retention-habits]\nvalue-work = 4");
        assert!(agrees(&registry, &bare));
        let quoted = bare.replace("= 4", "= \"4\"");
        let lookup = |id: &str| registry.get(id);
        assert_eq!(parse(&bare, &lookup), parse(&quoted, &lookup));
        assert!(!agrees(
            &registry,
            &format!("{head}[answers.retention-habits]\nvalue-work = 04")
        ));
        assert!(!agrees(
            &registry,
            "period = \"p\"\n[answers.mini]\nfreq = \"often\""
        ));
        assert!(!agrees(&registry, &format!("\u{feff}{head}")));
    }
}
