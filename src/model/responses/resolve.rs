//! The rules of a responses file (SPEC §4), written once: both readers hand over the same raw
//! form, and this turns it into [`Responses`] or says what is wrong, and where when known.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use super::{Answer, AnswerSet, Responses, VersionMismatch};
use crate::error::Problem;
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::scale::NA;

/// Text read from the file, and where it stands (the fast reader knows no positions).
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub text: Cow<'a, str>,
    pub span: Option<Range<usize>>,
}

impl<'a> Field<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>, span: Option<Range<usize>>) -> Self {
        Field {
            text: text.into(),
            span,
        }
    }
}

/// One answer as written: a choice key and a note (trimmed, none when empty), or why the
/// value is no answer at all; `span` is where the value stands.
#[derive(Debug)]
pub struct RawAnswer<'a> {
    pub value: Result<(Cow<'a, str>, Option<Cow<'a, str>>), String>,
    pub span: Option<Range<usize>>,
}

/// A responses file as read, before any rule is applied.
#[derive(Debug)]
pub struct Raw<'a> {
    pub respondent: Field<'a>,
    pub period: Field<'a>,
    pub role: Option<Field<'a>>,
    /// `submitted`, or the reader's problem with its type.
    pub submitted: Result<Option<String>, Problem>,
    /// `[checklists.ID] version = "…"`: (checklist id, version).
    pub versions: Vec<(Field<'a>, String)>,
    /// `[answers.ID]`: (checklist id, its answers by item id), in the order to report problems.
    pub answers: Vec<(Field<'a>, Vec<(Field<'a>, RawAnswer<'a>)>)>,
}

/// Applies the rules: names not empty, checklists and items known, an item answered once
/// (an old and a new id name the same item), `n/a` only where allowed, a key of the item's
/// scale; an answered version other than the loaded one is a warning.
pub fn resolve<'c>(
    raw: Raw<'_>,
    source: &Source,
    lookup: impl Fn(&str) -> Option<&'c Checklist>,
    known_ids: impl Fn() -> Vec<String>,
) -> Result<(Responses, Vec<VersionMismatch>), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();

    let respondent = raw.respondent.text.trim().to_string();
    if respondent.is_empty() {
        problems.push(
            source
                .problem(raw.respondent.span.clone(), "respondent must not be empty")
                .hint("write the respondent's name, e.g. respondent = \"Alice Example\""),
        );
    }
    let period = raw.period.text.trim().to_string();
    if period.is_empty() {
        problems.push(
            source
                .problem(raw.period.span.clone(), "period must not be empty")
                .hint("write e.g. period = \"2026-Q4\""),
        );
    }
    let role = match &raw.role {
        None => None,
        Some(r) if r.text.trim().is_empty() => {
            problems.push(
                source
                    .problem(r.span.clone(), "role must not be empty")
                    .hint("leave `role` out, or name one, e.g. role = \"staff\""),
            );
            None
        }
        Some(r) => Some(r.text.trim().to_string()),
    };
    let submitted = raw.submitted.unwrap_or_else(|p| {
        problems.push(p);
        None
    });

    for (id, _) in &raw.versions {
        if lookup(&id.text).is_none() {
            problems.push(unknown_checklist(source, id, &known_ids));
        }
    }

    let mut tables = raw.answers;
    tables.sort_by(|a, b| a.0.text.cmp(&b.0.text));
    let mut sets = Vec::with_capacity(tables.len());
    for (id, items) in tables {
        let Some(checklist) = lookup(&id.text) else {
            problems.push(unknown_checklist(source, &id, &known_ids));
            continue;
        };
        let version = raw
            .versions
            .iter()
            .find(|(c, _)| c.text == id.text)
            .map(|(_, v)| v.clone());
        if let Some(v) = &version
            && *v != checklist.version
        {
            warnings.push(VersionMismatch {
                checklist: checklist.id.clone(),
                answered: v.clone(),
                current: checklist.version.clone(),
            });
        }
        let mut seen: HashMap<(usize, usize), Cow<str>> = HashMap::new();
        let mut answers = Vec::with_capacity(items.len());
        for (item_id, answer) in items {
            let Some((s, i)) = checklist.locate(&item_id.text) else {
                problems.push(
                    source
                        .problem(
                            item_id.span.clone(),
                            format!(
                                "checklist `{}` has no item `{}`",
                                checklist.id, item_id.text
                            ),
                        )
                        .hint(format!(
                            "{}the items are listed by `selfaudit template {}`; check the spelling",
                            crate::suggest::did_you_mean(
                                &item_id.text,
                                &checklist
                                    .sections
                                    .iter()
                                    .flat_map(|s| s.items.iter().map(|i| i.id.as_str()))
                                    .collect::<Vec<_>>()
                            ),
                            checklist.id
                        )),
                );
                continue;
            };
            let item = &checklist.sections[s].items[i];
            if let Some(first) = seen.insert((s, i), item_id.text.clone()) {
                problems.push(
                    source
                        .problem(
                            item_id.span.clone(),
                            format!(
                                "item `{}` is answered twice (as `{first}` and `{}`)",
                                item.id, item_id.text
                            ),
                        )
                        .hint("an old id answers its renamed item; keep one of the two lines"),
                );
                continue;
            }
            match answer.value {
                Err(message) => problems.push(
                    source
                        .problem(answer.span, format!("item `{}`: {message}", item_id.text))
                        .hint("write a choice key in quotes, or { choice = \"…\", note = \"…\" }"),
                ),
                Ok((key, note)) if crate::model::scale::is_na(&key) => {
                    if item.na {
                        answers.push(Answer {
                            section: s,
                            item: i,
                            choice: None,
                            note: note.map(Cow::into_owned),
                        });
                    } else {
                        problems.push(
                            source
                                .problem(
                                    answer.span,
                                    format!(
                                        "item `{}` cannot be answered n/a: it applies to everyone",
                                        item.id
                                    ),
                                )
                                .hint(format!("answer one of: {}", item.scale.keys().join(", "))),
                        );
                    }
                }
                Ok((key, note)) => match item.scale.choice(&key) {
                    Some((c, _)) => answers.push(Answer {
                        section: s,
                        item: i,
                        choice: Some(c),
                        note: note.map(Cow::into_owned),
                    }),
                    None => {
                        let mut allowed = item.scale.keys();
                        if item.na {
                            allowed.push(NA);
                        }
                        problems.push(
                            source
                                .problem(
                                    answer.span,
                                    format!(
                                        "item `{}`: `{key}` is not a choice of scale `{}`",
                                        item.id, item.scale.name
                                    ),
                                )
                                .hint(format!(
                                    "{}allowed: {}",
                                    crate::suggest::did_you_mean(&key, &allowed),
                                    allowed.join(", ")
                                )),
                        );
                    }
                },
            }
        }
        answers.sort_by_key(|a| (a.section, a.item));
        sets.push(AnswerSet {
            checklist: checklist.id.clone(),
            version,
            answers,
        });
    }

    if !problems.is_empty() {
        // In line order, as a person reads the file; unlocated ones last.
        problems.sort_by_key(|p| p.position.unwrap_or((usize::MAX, 0)));
        return Err(problems);
    }
    Ok((
        Responses {
            respondent,
            period,
            submitted,
            sets,
            role,
        },
        warnings,
    ))
}

fn unknown_checklist(source: &Source, id: &Field, known_ids: impl Fn() -> Vec<String>) -> Problem {
    source
        .problem(id.span.clone(), format!("unknown checklist `{}`", id.text))
        .hint({
            let known = known_ids();
            let own = match crate::text::checklists_in_comment(source.text) {
                // The folder the file's own comment names.
                Some(dir) => format!(
                    "the file's comment names its checklists' folder: add `--checklists {dir}`"
                ),
                None => "for checklists of your own, name their folder with `--checklists DIR`"
                    .to_string(),
            };
            format!(
                "{}known checklists: {} (see `selfaudit list`); {own}",
                crate::suggest::did_you_mean(&id.text, &known),
                known.join(", ")
            )
        })
}
