//! Responses files (SPEC §4): one respondent's answers for one period, checked against the checklists.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::Source;
use super::checklist::Checklist;
use super::scale::NA;
use crate::error::Problem;
use crate::template::{toml_key, toml_string};
use crate::text::comment_safe;

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

/// One respondent's answers, every one resolved to an item and a choice of its scale.
/// `to_toml` writes it back as a responses file that `parse` reads to the same value, when
/// `sets` are in the order `parse` gives them: by checklist id.
#[derive(Debug, Clone, PartialEq)]
pub struct Responses {
    pub respondent: String,
    pub period: String,
    pub submitted: Option<String>,
    pub sets: Vec<AnswerSet>,
    /// The role written in the file (`role = "staff"`), trimmed; never empty.
    pub role: Option<String>,
}

/// The answers to one checklist, in the checklist's order.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerSet {
    pub checklist: String,
    /// The version that was answered, when the file says.
    pub version: Option<String>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub section: usize,
    pub item: usize,
    /// Index into the item's scale; `None` is "not applicable".
    pub choice: Option<usize>,
    pub note: Option<String>,
}

/// An answered version that is not the loaded checklist's: worth a warning, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionMismatch {
    pub checklist: String,
    pub answered: String,
    pub current: String,
}

impl Responses {
    /// Parses a responses file and checks every answer against the checklists `lookup` knows.
    pub fn parse<'c>(
        source: &Source,
        lookup: impl Fn(&str) -> Option<&'c Checklist>,
        known_ids: impl Fn() -> Vec<String>,
    ) -> Result<(Responses, Vec<VersionMismatch>), Vec<Problem>> {
        match super::fast_responses::parse(source.text, &lookup) {
            Some(parsed) => Ok(parsed),
            None => Responses::parse_full(source, lookup, known_ids),
        }
    }

    /// The full TOML parser: any file, and every problem located. `parse` tries a fast reader first.
    pub fn parse_full<'c>(
        source: &Source,
        lookup: impl Fn(&str) -> Option<&'c Checklist>,
        known_ids: impl Fn() -> Vec<String>,
    ) -> Result<(Responses, Vec<VersionMismatch>), Vec<Problem>> {
        let _lines = crate::text::LineIndex::scope(source.text);
        let file: ResponsesFile =
            toml::from_str(source.text).map_err(|e| vec![source.toml_problem(&e)])?;
        let mut problems = Vec::new();
        let mut warnings = Vec::new();

        let respondent = file.respondent.get_ref().trim().to_string();
        if respondent.is_empty() {
            problems.push(
                source
                    .problem(Some(file.respondent.span()), "respondent must not be empty")
                    .hint("write the respondent's name, e.g. respondent = \"Alice Example\""),
            );
        }
        let period = file.period.get_ref().trim().to_string();
        if period.is_empty() {
            problems.push(
                source
                    .problem(Some(file.period.span()), "period must not be empty")
                    .hint("write e.g. period = \"2026-Q4\""),
            );
        }
        let role = match &file.role {
            None => None,
            Some(r) if r.get_ref().trim().is_empty() => {
                problems.push(
                    source
                        .problem(Some(r.span()), "role must not be empty")
                        .hint("leave `role` out, or name one, e.g. role = \"staff\""),
                );
                None
            }
            Some(r) => Some(r.get_ref().trim().to_string()),
        };
        let submitted = match &file.submitted {
            None => None,
            Some(v) => match v.get_ref() {
                toml::Value::Datetime(d) => Some(d.to_string()),
                toml::Value::String(s) => Some(s.clone()),
                other => {
                    problems.push(
                        source
                            .problem(
                                Some(v.span()),
                                format!("submitted must be a date-time, not {}", other.type_str()),
                            )
                            .hint("write e.g. submitted = 2026-11-22T20:15:00Z"),
                    );
                    None
                }
            },
        };

        for id in file.checklists.keys() {
            if lookup(id.get_ref()).is_none() {
                problems.push(unknown_checklist(source, id, &known_ids));
            }
        }

        let mut sets = Vec::new();
        for (id, table) in &file.answers {
            let Some(checklist) = lookup(id.get_ref()) else {
                problems.push(unknown_checklist(source, id, &known_ids));
                continue;
            };
            let version = file
                .checklists
                .iter()
                .find(|(k, _)| k.get_ref() == id.get_ref())
                .map(|(_, v)| v.get_ref());
            if let Some(v) = version
                && v.version.get_ref() != &checklist.version
            {
                warnings.push(VersionMismatch {
                    checklist: checklist.id.clone(),
                    answered: v.version.get_ref().clone(),
                    current: checklist.version.clone(),
                });
            }
            let mut seen: HashMap<(usize, usize), &str> = HashMap::new();
            let mut answers = Vec::new();
            for (item_id, value) in table {
                let Some((s, i)) = checklist.locate(item_id.get_ref()) else {
                    problems.push(
                        source
                            .problem(
                                Some(item_id.span()),
                                format!("checklist `{}` has no item `{}`", checklist.id, item_id.get_ref()),
                            )
                            .hint(format!(
                                "the items are listed by `selfaudit template {}`; check the spelling",
                                checklist.id
                            )),
                    );
                    continue;
                };
                let item = &checklist.sections[s].items[i];
                if let Some(first) = seen.insert((s, i), item_id.get_ref()) {
                    problems.push(
                        source
                            .problem(
                                Some(item_id.span()),
                                format!(
                                    "item `{}` is answered twice (as `{first}` and `{}`)",
                                    item.id,
                                    item_id.get_ref()
                                ),
                            )
                            .hint("an old id answers its renamed item; keep one of the two lines"),
                    );
                    continue;
                }
                match parse_answer(value) {
                    Err(message) => problems.push(
                        source
                            .problem(
                                Some(value.span()),
                                format!("item `{}`: {message}", item_id.get_ref()),
                            )
                            .hint(
                                "write a choice key in quotes, or { choice = \"…\", note = \"…\" }",
                            ),
                    ),
                    Ok((key, note)) if key == NA => {
                        if item.na {
                            answers.push(Answer {
                                section: s,
                                item: i,
                                choice: None,
                                note,
                            });
                        } else {
                            problems.push(
                                source
                                    .problem(
                                        Some(value.span()),
                                        format!("item `{}` cannot be answered n/a: it applies to everyone", item.id),
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
                            note,
                        }),
                        None => {
                            let mut allowed = item.scale.keys();
                            if item.na {
                                allowed.push(NA);
                            }
                            problems.push(
                                source
                                    .problem(
                                        Some(value.span()),
                                        format!(
                                            "item `{}`: `{key}` is not a choice of scale `{}`",
                                            item.id, item.scale.name
                                        ),
                                    )
                                    .hint(format!("allowed: {}", allowed.join(", "))),
                            );
                        }
                    },
                }
            }
            answers.sort_by_key(|a| (a.section, a.item));
            sets.push(AnswerSet {
                checklist: checklist.id.clone(),
                version: version.map(|v| v.version.get_ref().clone()),
                answers,
            });
        }

        if !problems.is_empty() {
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
}

fn unknown_checklist(
    source: &Source,
    id: &Spanned<String>,
    known_ids: impl Fn() -> Vec<String>,
) -> Problem {
    source
        .problem(
            Some(id.span()),
            format!("unknown checklist `{}`", id.get_ref()),
        )
        .hint(format!(
            "known checklists: {} (see `selfaudit list`)",
            known_ids().join(", ")
        ))
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

impl Responses {
    /// The responses file (SPEC §4) of these answers: each checklist's version, its answers in
    /// the checklist's order with the question as a comment, and its unanswered items commented out.
    /// `checklists` must hold every checklist answered; a set whose checklist is missing is left out.
    pub fn to_toml(&self, checklists: &[&Checklist]) -> String {
        let mut out = String::new();
        out.push_str(&format!("respondent = {}\n", toml_string(&self.respondent)));
        out.push_str(&format!("period = {}\n", toml_string(&self.period)));
        if let Some(role) = &self.role {
            out.push_str(&format!("role = {}\n", toml_string(role)));
        }
        if let Some(submitted) = &self.submitted {
            match submitted.parse::<toml::value::Datetime>() {
                Ok(d) => out.push_str(&format!("submitted = {d}\n")),
                Err(_) => out.push_str(&format!("submitted = {}\n", toml_string(submitted))),
            }
        }
        for set in &self.sets {
            let Some(checklist) = checklists.iter().find(|c| c.id == set.checklist) else {
                continue;
            };
            let key = toml_key(&checklist.id);
            out.push_str(&format!("\n# {}\n", comment_safe(&checklist.title)));
            if let Some(version) = &set.version {
                out.push_str(&format!(
                    "[checklists.{key}]\nversion = {}\n\n",
                    toml_string(version)
                ));
            }
            out.push_str(&format!("[answers.{key}]\n"));
            // Looked up once each: a checklist of many items is written in O(n).
            let answers: std::collections::HashMap<(usize, usize), &_> = set
                .answers
                .iter()
                .rev()
                .map(|a| ((a.section, a.item), a))
                .collect();
            for (s, section) in checklist.sections.iter().enumerate() {
                out.push_str(&format!("# ── {} ──\n", comment_safe(&section.title)));
                for (i, item) in section.items.iter().enumerate() {
                    let id = toml_key(&item.id);
                    let text = comment_safe(&item.text);
                    let Some(answer) = answers.get(&(s, i)) else {
                        out.push_str(&format!("# {text} (not answered)\n# {id} = \"\"\n"));
                        continue;
                    };
                    let key = match answer.choice {
                        None => NA,
                        Some(c) => match item.scale.choices.get(c) {
                            Some(choice) => choice.key.as_str(),
                            None => continue,
                        },
                    };
                    out.push_str(&format!("# {text}\n"));
                    match &answer.note {
                        None => out.push_str(&format!("{id} = {}\n", toml_string(key))),
                        Some(note) => out.push_str(&format!(
                            "{id} = {{ choice = {}, note = {} }}\n",
                            toml_string(key),
                            toml_string(note)
                        )),
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKLIST: &str = r#"
id = "mini"
title = "Mini \"audit\""
version = "2"
scale = "frequency"

[[sections]]
id = "calls"
title = "Calls"

[[sections.items]]
id = "return-calls"
text = "Do you return calls?"

[[sections.items]]
id = "weird id.x"
text = "An item whose id needs quotes"
scale = "agreement"

[[sections]]
id = "visits"
title = "Visits"

[[sections.items]]
id = "greet"
text = "Do you greet\nevery visitor?"
scale = "yes-no"
"#;

    fn checklists() -> Vec<Checklist> {
        let other = CHECKLIST
            .replace("id = \"mini\"", "id = \"other\"")
            .replace("version = \"2\"", "version = \"1\"");
        [CHECKLIST.to_string(), other]
            .iter()
            .map(|text| {
                Checklist::parse(&Source {
                    name: "c.toml",
                    text,
                })
                .unwrap()
            })
            .collect()
    }

    fn parse(text: &str, checklists: &[Checklist]) -> Responses {
        let (r, warnings) = Responses::parse(
            &Source {
                name: "r.toml",
                text,
            },
            |id| checklists.iter().find(|c| c.id == id),
            Vec::new,
        )
        .unwrap_or_else(|p| panic!("{p:?}\n{text}"));
        assert!(warnings.is_empty(), "{warnings:?}");
        r
    }

    #[test]
    fn written_responses_read_back_identically() {
        let checklists = checklists();
        let responses = Responses {
            respondent: "Zoë \"Z\" O'Neil \\ ✓".to_string(),
            period: "2026-Q4".to_string(),
            submitted: Some("2026-11-22T20:15:00Z".to_string()),
            role: Some("staff \"floor\"".to_string()),
            sets: vec![
                // By checklist id, as `parse` gives them.
                AnswerSet {
                    checklist: "mini".to_string(),
                    version: Some("2".to_string()),
                    answers: vec![
                        Answer {
                            section: 0,
                            item: 0,
                            choice: Some(1),
                            note: Some("voicemail \"backlog\"\nsince October; = # [x]".to_string()),
                        },
                        Answer {
                            section: 0,
                            item: 1,
                            choice: Some(4),
                            note: None,
                        },
                    ],
                },
                AnswerSet {
                    checklist: "other".to_string(),
                    version: Some("1".to_string()),
                    answers: vec![Answer {
                        section: 1,
                        item: 0,
                        choice: None,
                        note: None,
                    }],
                },
            ],
        };
        let refs: Vec<&Checklist> = checklists.iter().collect();
        let text = responses.to_toml(&refs);
        assert_eq!(parse(&text, &checklists), responses);
        assert!(text.contains("\"weird id.x\" = \"5\""), "{text}");
        assert!(
            text.contains("submitted = 2026-11-22T20:15:00Z\n"),
            "{text}"
        );
        assert!(
            text.contains("# Do you greet every visitor? (not answered)\n# greet = \"\"\n"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_answer_set_keeps_its_version() {
        let checklists = checklists();
        let responses = Responses {
            respondent: "A".to_string(),
            period: "P".to_string(),
            submitted: None,
            role: None,
            sets: vec![AnswerSet {
                checklist: "mini".to_string(),
                version: Some("2".to_string()),
                answers: Vec::new(),
            }],
        };
        let text = responses.to_toml(&checklists.iter().collect::<Vec<_>>());
        assert_eq!(parse(&text, &checklists), responses);
    }

    #[test]
    fn a_role_reads_alike_in_any_toml_form_and_an_empty_one_is_located() {
        let checklists = checklists();
        let body = "[answers.mini]\nreturn-calls = \"often\"\n";
        for head in [
            "respondent = \"A\"\nperiod = \"P\"\nrole = \" staff\"\n",
            "role = 'staff'\nrespondent = 'A'\nperiod = 'P'\n",
            "respondent = \"A\"\nperiod = \"P\"\nrole = \"\"\"staff\"\"\"\n",
        ] {
            let r = parse(&format!("{head}{body}"), &checklists);
            assert_eq!(r.role.as_deref(), Some("staff"), "{head}");
        }
        let text = format!("respondent = \"A\"\nperiod = \"P\"\nrole = \"  \"\n{body}");
        let problems = Responses::parse(
            &Source {
                name: "r.toml",
                text: &text,
            },
            |id| checklists.iter().find(|c| c.id == id),
            Vec::new,
        )
        .err()
        .unwrap_or_default();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].position, Some((3, 8)));
        assert_eq!(problems[0].message, "role must not be empty");
    }
}
