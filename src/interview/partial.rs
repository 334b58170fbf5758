//! The progress file `<output>.partial`: a responses file plus a `[resume]` table saying what an
//! interview in progress needs to go on (its checklists, in order, and the questions skipped).

use serde::Deserialize;

use super::Interview;
use crate::error::Problem;
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::quote::toml_string;
use crate::model::responses::Responses;

/// Marks a progress file, so that a future layout can be told apart.
pub const FORMAT: &str = "selfaudit-partial/1";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResumeTable {
    format: String,
    #[serde(default)]
    started: String,
    checklists: Vec<String>,
    #[serde(default)]
    skipped: Vec<SkippedItem>,
    /// `--role`, when the interview began with one; files written before it was kept lack it.
    #[serde(default)]
    role: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkippedItem {
    checklist: String,
    item: String,
}

/// An interview in progress, as read back from its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub responses: Responses,
    /// The checklist ids of the interview, in the order asked.
    pub checklists: Vec<String>,
    /// (checklist id, item id) of the questions skipped so far.
    pub skipped: Vec<(String, String)>,
    pub started: String,
    /// The respondent's role (`--role`), if the interview began with one.
    pub role: Option<String>,
}

impl Saved {
    /// How many questions have an answer.
    pub fn answered(&self) -> usize {
        self.responses.sets.iter().map(|s| s.answers.len()).sum()
    }
}

/// The progress file of an interview: valid TOML, and a responses file but for `[resume]`.
pub fn write(interview: &Interview) -> String {
    write_with_role(interview, None)
}

/// [`write`], keeping the respondent's role in `[resume]` so that resuming writes it too.
pub fn write_with_role(interview: &Interview, role: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("# selfaudit: an interview in progress, saved after every answer.\n");
    out.push_str("# Run the same `selfaudit run` command again to go on from here.\n");
    out.push_str(&interview.to_responses(None).to_toml(&interview.checklists));
    out.push_str("\n[resume]\n");
    out.push_str(&format!("format = {}\n", toml_string(FORMAT)));
    out.push_str(&format!("started = {}\n", toml_string(&interview.started)));
    let ids: Vec<String> = interview
        .checklists
        .iter()
        .map(|c| toml_string(&c.id))
        .collect();
    out.push_str(&format!("checklists = [{}]\n", ids.join(", ")));
    if let Some(role) = role {
        out.push_str(&format!("role = {}\n", toml_string(role)));
    }
    let skipped: Vec<String> = interview
        .skipped()
        .iter()
        .map(|(c, i)| {
            format!(
                "  {{ checklist = {}, item = {} }},\n",
                toml_string(c),
                toml_string(i)
            )
        })
        .collect();
    if skipped.is_empty() {
        out.push_str("skipped = []\n");
    } else {
        out.push_str(&format!("skipped = [\n{}]\n", skipped.concat()));
    }
    out
}

/// Reads a progress file back, checking it against the checklists `lookup` knows.
pub fn parse<'c>(
    source: &Source,
    lookup: impl Fn(&str) -> Option<&'c Checklist>,
    known_ids: impl Fn() -> Vec<String>,
) -> Result<Saved, Vec<Problem>> {
    let not_ours = |message: &str| {
        vec![
            Problem::new(source.name, message).hint(
                "this file is not the progress of a `selfaudit run` interview; move it away or delete it to start afresh",
            ),
        ]
    };
    let mut table: toml::Table = source
        .text
        .parse()
        .map_err(|e| vec![source.toml_problem(&e)])?;
    let Some(resume) = table.remove("resume") else {
        return Err(not_ours("no [resume] table"));
    };
    let resume: ResumeTable = resume
        .try_into()
        .map_err(|e: toml::de::Error| not_ours(&format!("[resume]: {}", e.message().trim())))?;
    if resume.format != FORMAT {
        return Err(not_ours(&format!(
            "[resume] format is `{}`, not `{FORMAT}`",
            resume.format
        )));
    }
    let mut problems = Vec::new();
    for id in &resume.checklists {
        if lookup(id).is_none() {
            problems.push(
                Problem::new(
                    source.name,
                    format!("the interview asks checklist `{id}`, which is not loaded"),
                )
                .hint(format!(
                    "known checklists: {} (see `selfaudit list`); use the same --checklists as when the interview began",
                    known_ids().join(", ")
                )),
            );
        }
    }
    let mut listed = std::collections::HashSet::new();
    for id in &resume.checklists {
        if !listed.insert(id.as_str()) {
            problems.push(
                Problem::new(
                    source.name,
                    format!("[resume] lists checklist `{id}` twice"),
                )
                .hint("a progress file lists each checklist of its interview once"),
            );
        }
    }
    let mut skipped_once = std::collections::HashSet::new();
    let mut item_ids: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
        std::collections::HashMap::new();
    for s in &resume.skipped {
        match lookup(&s.checklist) {
            Some(c) if listed.contains(s.checklist.as_str()) => {
                let ids = item_ids
                    .entry(s.checklist.as_str())
                    .or_insert_with(|| c.items().map(|(_, i)| i.id.as_str()).collect());
                if !ids.contains(s.item.as_str()) {
                    problems.push(Problem::new(
                        source.name,
                        format!(
                            "[resume] skipped item `{}` is not in checklist `{}`",
                            s.item, s.checklist
                        ),
                    ));
                }
            }
            _ => problems.push(Problem::new(
                source.name,
                format!(
                    "[resume] skipped item `{}` of checklist `{}`, which the interview does not ask",
                    s.item, s.checklist
                ),
            )),
        }
        if !skipped_once.insert((s.checklist.as_str(), s.item.as_str())) {
            problems.push(Problem::new(
                source.name,
                format!(
                    "[resume] lists skipped item `{}` of `{}` twice",
                    s.item, s.checklist
                ),
            ));
        }
    }
    if resume.checklists.is_empty() {
        problems.push(Problem::new(source.name, "[resume] lists no checklists"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // The rest is a responses file; positions would point into the re-serialised text, so drop them.
    let rest = toml::to_string(&table).map_err(|e| not_ours(&e.to_string()))?;
    let (responses, _warnings) = Responses::parse(
        &Source {
            name: source.name,
            text: &rest,
        },
        &lookup,
        &known_ids,
    )
    .map_err(|problems| {
        problems
            .into_iter()
            .map(|p| Problem {
                position: None,
                ..p
            })
            .collect::<Vec<_>>()
    })?;
    if let Some(set) = responses
        .sets
        .iter()
        .find(|s| !resume.checklists.contains(&s.checklist))
    {
        return Err(vec![Problem::new(
            source.name,
            format!(
                "answers to checklist `{}`, which [resume] does not list",
                set.checklist
            ),
        )]);
    }
    Ok(Saved {
        responses,
        checklists: resume.checklists,
        skipped: resume
            .skipped
            .into_iter()
            .map(|s| (s.checklist, s.item))
            .collect(),
        started: resume.started,
        role: resume.role,
    })
}
