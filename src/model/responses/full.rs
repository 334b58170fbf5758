//! The full reader: any TOML the spec allows, through serde, every value with its span, so
//! that each problem is located. Gives the raw form that `resolve` checks.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::resolve::{Field, Raw, RawAnswer};
use crate::error::Problem;
use crate::model::Source;

/// The keys a responses file may have at its top.
pub const TOP_KEYS: &[&str] = &[
    "respondent",
    "period",
    "role",
    "submitted",
    "checklists",
    "answers",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponsesFile {
    respondent: Spanned<String>,
    period: Spanned<String>,
    /// The respondent's role (SPEC §10); a team list's role wins over it.
    role: Option<Spanned<String>>,
    submitted: Option<Spanned<toml::Value>>,
    #[serde(default)]
    checklists: BTreeMap<Spanned<String>, Spanned<AnsweredVersion>>,
    #[serde(default)]
    answers: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnsweredVersion {
    version: Spanned<String>,
}

fn field(s: Spanned<String>) -> Field<'static> {
    let span = s.span();
    Field::new(s.into_inner(), Some(span))
}

/// Reads any responses file.
/// A file that is not the TOML of a responses file gives the parser's error, which the caller
/// turns into every problem it can locate.
pub fn read(source: &Source) -> Result<Raw<'static>, toml::de::Error> {
    let file: ResponsesFile = toml::from_str(source.text)?;
    Ok(raw(source, file))
}

/// Reads a file that [`read`] could not, to find every problem of its shape at any depth, and
/// checks what it reads as with its faulty entries set aside with `check`.
pub fn read_every<U>(
    source: &Source,
    check: impl FnOnce(Raw<'static>) -> Result<U, Vec<Problem>>,
) -> Result<U, Vec<Problem>> {
    crate::model::every::read_checked(
        source,
        |p| p,
        |file: ResponsesFile| check(raw(source, file)),
    )
}

fn raw(source: &Source, file: ResponsesFile) -> Raw<'static> {
    let submitted = match file.submitted {
        None => Ok(None),
        Some(v) => match v.get_ref() {
            toml::Value::Datetime(d) => Ok(Some(d.to_string())),
            toml::Value::String(s) => Ok(Some(s.clone())),
            other => Err(source
                .problem(
                    Some(v.span()),
                    format!("submitted must be a date-time, not {}", other.type_str()),
                )
                .hint("write e.g. submitted = 2026-11-22T20:15:00Z")),
        },
    };
    Raw {
        respondent: field(file.respondent),
        period: field(file.period),
        role: file.role.map(field),
        submitted,
        versions: file
            .checklists
            .into_iter()
            .map(|(id, v)| (field(id), v.into_inner().version.into_inner()))
            .collect(),
        answers: file
            .answers
            .into_iter()
            .map(|(id, table)| {
                let items = table
                    .into_iter()
                    .map(|(item, value)| {
                        let answer = RawAnswer {
                            value: parse_answer(&value).map(|(k, n)| (k.into(), n.map(Into::into))),
                            span: Some(value.span()),
                        };
                        (field(item), answer)
                    })
                    .collect();
                (field(id), items)
            })
            .collect(),
    }
}

/// An answer is a choice key, or `{ choice = "key", note = "…" }`.
fn parse_answer(value: &Spanned<toml::Value>) -> Result<(String, Option<String>), String> {
    match value.get_ref() {
        toml::Value::String(key) => Ok((key.clone(), None)),
        // Numeric keys ("1"…"5", "0"…"10") may be written bare.
        toml::Value::Integer(n) => Ok((n.to_string(), None)),
        toml::Value::Table(t) => {
            if let Some(unknown) = t.keys().find(|k| *k != "choice" && *k != "note") {
                return Err(format!(
                    "unknown key `{unknown}` in the answer (expected `choice` and `note`)"
                ));
            }
            let key = match t.get("choice") {
                Some(toml::Value::String(k)) => k.clone(),
                Some(toml::Value::Integer(n)) => n.to_string(),
                Some(other) => {
                    return Err(format!(
                        "`choice` must be a string, not {}",
                        other.type_str()
                    ));
                }
                None => return Err("the answer has a note but no `choice`".to_string()),
            };
            let note = match t.get("note") {
                None => None,
                Some(toml::Value::String(n)) => {
                    Some(n.trim().to_string()).filter(|n| !n.is_empty())
                }
                Some(other) => {
                    return Err(format!("`note` must be a string, not {}", other.type_str()));
                }
            };
            Ok((key, note))
        }
        other => Err(format!(
            "an answer must be a choice key in quotes, not {}",
            other.type_str()
        )),
    }
}
