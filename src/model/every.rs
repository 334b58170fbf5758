//! Every problem of a file, not only the first. Serde stops at the first unknown key or value
//! of the wrong type, at any depth; so the parsed tree is read again with that entry set aside
//! (a misspelt key read as the key it was meant to be), until it reads or nothing more can be
//! set aside. Spans stay those of the file, so every problem points into it.

use std::borrow::Cow;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

use crate::error::Problem;
use crate::model::Source;

/// How many entries may be set aside before the rest of the file is given up on.
const MAX_SET_ASIDE: usize = 200;

/// A file's shape, read as far as it can be.
pub enum Read<T> {
    /// It read as written.
    Clean(T),
    /// Its problems, and what it reads as with the faulty entries set aside, when it then reads
    /// (for the caller's own checks, whose problems belong in the same list).
    Faulty(Vec<Problem>, Option<T>),
}

/// Reads `source` as a `T`; on a problem, finds the others too. `fix` may add a hint to each.
pub fn read<T: DeserializeOwned>(source: &Source, fix: impl Fn(Problem) -> Problem) -> Read<T> {
    let mut tree = match DeTable::parse(source.text) {
        Ok(tree) => tree,
        Err(e) => return Read::Faulty(vec![fix(source.toml_problem(&e))], None),
    };
    let mut problems = Vec::new();
    // Keys set aside or read as another: a "missing field" for one of them is said already.
    let mut said: Vec<String> = Vec::new();
    // A table set aside whole (it lacks a key) leaves the rest unfit for the caller's checks,
    // which would speak of what is missing as if it were not in the file.
    let mut whole_set_aside = false;
    for _ in 0..MAX_SET_ASIDE {
        let err = match T::deserialize(Deserializer::from(tree.clone())) {
            Ok(value) if problems.is_empty() => return Read::Clean(value),
            Ok(value) => return Read::Faulty(problems, (!whole_set_aside).then_some(value)),
            Err(e) => e,
        };
        let message = err.message().to_string();
        let mut problem = source.toml_problem(&err);
        let missing = quoted_after(&message, "missing field");
        let unknown = quoted_after(&message, "unknown field");
        let look_for = match (&missing, &unknown) {
            (Some(_), _) => Look::Table,
            (_, Some(_)) => Look::Key,
            _ => Look::Value,
        };
        let Some(path) = err
            .span()
            .and_then(|span| entry_at(tree.get_ref(), &span, look_for))
        else {
            if missing.is_none_or(|m| !said.contains(&m)) {
                problems.push(fix(problem));
            }
            break;
        };
        if let Some(m) = &missing {
            if !said.contains(m) {
                problems.push(fix(problem));
            }
            whole_set_aside = true;
            if !set_aside(tree.get_mut(), &path) {
                break;
            }
            continue;
        }
        let (parent, last) = path.split_at(path.len() - 1);
        let (Some(Seg::Key(key)), Some(table)) = (last.first(), table_at(tree.get_mut(), parent))
        else {
            // An element of an array of values: set aside the element.
            problems.push(fix(problem));
            if !set_aside(tree.get_mut(), &path) {
                break;
            }
            continue;
        };
        let meant = unknown
            .as_ref()
            .and_then(|_| crate::suggest::nearest(key, &expected_keys(&message)));
        let Some((k, v)) = table.remove_entry(key.as_str()) else {
            problems.push(fix(problem));
            break;
        };
        if let Some(m) = meant {
            problem = problem.hint(format!(
                "did you mean `{m}`? the keys allowed here are listed after `expected`"
            ));
            // Read as the key meant, unless that key is there too.
            if !table.contains_key(m.as_str()) {
                table.insert(Spanned::new(k.span(), Cow::Owned(m.clone())), v);
                said.push(m);
            }
        }
        said.push(key.clone());
        problems.push(fix(problem));
    }
    Read::Faulty(problems, None)
}

/// Reads `source` as a `T` and checks it with `check`: every problem of both, in line order.
pub fn read_checked<T: DeserializeOwned, U>(
    source: &Source,
    fix: impl Fn(Problem) -> Problem,
    check: impl FnOnce(T) -> Result<U, Vec<Problem>>,
) -> Result<U, Vec<Problem>> {
    match read::<T>(source, fix) {
        Read::Clean(file) => check(file),
        Read::Faulty(mut problems, file) => {
            // What the file reads as with its faulty entries set aside is checked too.
            if let Some(Err(more)) = file.map(check) {
                problems.extend(more);
            }
            in_line_order(&mut problems);
            Err(problems)
        }
    }
}

/// Sorts problems in the order of the file's lines (those with no place last), keeping
/// the order of those on one place.
pub fn in_line_order(problems: &mut [Problem]) {
    problems.sort_by_key(|p| p.position.unwrap_or((usize::MAX, 0)));
}

#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The text between the first pair of backticks after `lead`, when the message starts so.
fn quoted_after(message: &str, lead: &str) -> Option<String> {
    let rest = message.strip_prefix(lead)?;
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(rest[start..start + len].to_string())
}

/// The keys serde lists after "expected" in an unknown-field message.
fn expected_keys(message: &str) -> Vec<String> {
    let Some(at) = message.find("expected") else {
        return Vec::new();
    };
    message[at..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Look {
    /// The unknown key a problem points at.
    Key,
    /// The smallest value that holds the problem.
    Value,
    /// The smallest table that holds the problem (a table that lacks a key).
    Table,
}

/// The path of the entry (a key's, or an element of an array) a problem at `span` is about.
fn entry_at(root: &DeTable, span: &Range<usize>, look: Look) -> Option<Vec<Seg>> {
    let mut best: Option<(usize, Vec<Seg>)> = None;
    let mut path = Vec::new();
    walk(root, &mut path, &mut |path, key, value, is_table| {
        let holds = value.start <= span.start && span.end <= value.end;
        let hit = match look {
            Look::Key => key
                .as_ref()
                .is_some_and(|k| k.start <= span.start && span.start < k.end.max(k.start + 1)),
            Look::Value => {
                holds
                    || key
                        .as_ref()
                        .is_some_and(|k| k.start <= span.start && span.start < k.end)
            }
            Look::Table => is_table && holds,
        };
        let size = if look == Look::Key { 0 } else { value.len() };
        if hit && best.as_ref().is_none_or(|(s, _)| size < *s) {
            best = Some((size, path.to_vec()));
        }
    });
    best.map(|(_, p)| p)
}

type Visit<'v> = dyn FnMut(&[Seg], Option<Range<usize>>, Range<usize>, bool) + 'v;

fn walk(table: &DeTable, path: &mut Vec<Seg>, visit: &mut Visit) {
    for (k, v) in table.iter() {
        path.push(Seg::Key(k.get_ref().to_string()));
        visit(
            path,
            Some(k.span()),
            v.span(),
            matches!(v.get_ref(), DeValue::Table(_)),
        );
        walk_value(v.get_ref(), path, visit);
        path.pop();
    }
}

fn walk_value(value: &DeValue, path: &mut Vec<Seg>, visit: &mut Visit) {
    match value {
        DeValue::Table(t) => walk(t, path, visit),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                visit(
                    path,
                    None,
                    item.span(),
                    matches!(item.get_ref(), DeValue::Table(_)),
                );
                walk_value(item.get_ref(), path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Removes the entry at `path`: a key from its table, or an element from its array.
fn set_aside(root: &mut DeTable, path: &[Seg]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    match last {
        Seg::Key(k) => table_at(root, parent).is_some_and(|t| t.remove(k.as_str()).is_some()),
        Seg::Index(i) => {
            let Some((Seg::Key(k), grand)) = parent.split_last() else {
                return false;
            };
            let Some(t) = table_at(root, grand) else {
                return false;
            };
            let Some(DeValue::Array(a)) = t.get_mut(k.as_str()).map(Spanned::get_mut) else {
                return false;
            };
            let mut kept = toml::de::DeArray::new();
            for (j, item) in a.iter().enumerate() {
                if j != *i {
                    kept.push(item.clone());
                }
            }
            *a = kept;
            true
        }
    }
}

/// The table at `path` (keys and array indices from the root).
fn table_at<'a, 'i>(root: &'a mut DeTable<'i>, path: &[Seg]) -> Option<&'a mut DeTable<'i>> {
    let mut value: Option<&'a mut DeValue<'i>> = None;
    let mut table = Some(root);
    for seg in path {
        let next = match (seg, table.take(), value.take()) {
            (Seg::Key(k), Some(t), _) => t.get_mut(k.as_str())?.get_mut(),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get_mut(*i)?.get_mut(),
            _ => return None,
        };
        match next {
            DeValue::Table(t) => table = Some(t),
            other => value = Some(other),
        }
    }
    table
}
