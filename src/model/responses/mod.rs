//! Responses files (SPEC §4): one respondent's answers for one period, checked against the checklists.

mod fast;
mod full;
mod resolve;

use super::Source;
use super::checklist::Checklist;
use super::scale::NA;
use crate::error::Problem;
use crate::model::quote::{toml_key, toml_string};
use crate::text::comment_safe;

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
        // Every problem's position comes from one index of the file's lines.
        let _lines = crate::text::LineIndex::scope(source.text);
        // A problem the fast reader meets is the full reader's to locate.
        if let Some(raw) = fast::read(source.text)
            && let Ok(parsed) = resolve::resolve(raw, source, &lookup, &known_ids)
        {
            return Ok(parsed);
        }
        Responses::parse_full(source, lookup, known_ids)
    }

    /// The full TOML parser: any file, and every problem located. `parse` tries a fast reader first.
    pub fn parse_full<'c>(
        source: &Source,
        lookup: impl Fn(&str) -> Option<&'c Checklist>,
        known_ids: impl Fn() -> Vec<String>,
    ) -> Result<(Responses, Vec<VersionMismatch>), Vec<Problem>> {
        let _lines = crate::text::LineIndex::scope(source.text);
        let raw = match full::read(source) {
            Ok(raw) => raw,
            Err(_) if !has_unknown_top_key(source.text) => {
                // Every problem of the file's shape at any depth, and those of what it says.
                return full::read_every(source, |raw| {
                    resolve::resolve(raw, source, &lookup, &known_ids)
                });
            }
            Err(e) => {
                // A misspelt top-level key must not hide the file's other problems.
                return Err(crate::model::top_keys::every_problem(
                    source,
                    &e,
                    full::TOP_KEYS,
                    |patched| {
                        // Through `dyn`, so that this call does not make a new copy of itself.
                        let lookup: &dyn Fn(&str) -> Option<&'c Checklist> = &lookup;
                        let known_ids: &dyn Fn() -> Vec<String> = &known_ids;
                        Responses::parse_full(patched, lookup, known_ids)
                            .err()
                            .unwrap_or_default()
                    },
                ));
            }
        };
        resolve::resolve(raw, source, lookup, known_ids)
    }
}

/// Whether the file's top holds a key a responses file does not have.
fn has_unknown_top_key(text: &str) -> bool {
    text.parse::<toml::Table>()
        .is_ok_and(|t| t.keys().any(|k| !full::TOP_KEYS.contains(&k.as_str())))
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
        out.push_str(&self.sets_toml(checklists));
        out
    }

    /// The part of [`Responses::to_toml`] after its header: each checklist's version and
    /// answers. Appended to a responses file of other checklists, it adds these to it.
    pub fn sets_toml(&self, checklists: &[&Checklist]) -> String {
        let mut out = String::new();
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
