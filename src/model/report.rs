//! The JSON report (SPEC §6): the canonical, versioned output that `diff` and `trend` read back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const REPORT_FORMAT: &str = "selfaudit-report/1";

/// Fields beyond SPEC's fixed core default when absent, so that any conforming report reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: String,
    pub period: String,
    #[serde(default)]
    pub generated: String,
    #[serde(default)]
    pub respondents: Vec<String>,
    pub score: Option<f64>,
    pub checklists: Vec<ChecklistReport>,
    #[serde(default)]
    pub critical_gaps: Vec<CriticalGap>,
    #[serde(default)]
    pub per_respondent: Vec<RespondentScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistReport {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub version: String,
    #[serde(default = "one")]
    pub weight: f64,
    pub score: Option<f64>,
    /// Old item id → new item id, so a diff against an older report follows renames.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub renamed: BTreeMap<String, String>,
    pub sections: Vec<SectionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionReport {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default = "one")]
    pub weight: f64,
    pub score: Option<f64>,
    pub items: Vec<ItemReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub critical: bool,
    pub score: Option<f64>,
    #[serde(default)]
    pub n: u64,
    #[serde(default)]
    pub na: u64,
    #[serde(default)]
    pub missing: u64,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub stddev: Option<f64>,
    #[serde(default)]
    pub split: bool,
    /// Count of every key given, `n/a` included.
    #[serde(default)]
    pub choices: BTreeMap<String, u64>,
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The item's scale, lowest first as the checklist lists it, with each choice's score in percent.
    #[serde(default)]
    pub scale: Vec<ScalePoint>,
    /// True when `--min-responses` withheld this item's choices and notes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub withheld: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub key: String,
    pub label: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Absent in anonymous reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalGap {
    pub checklist: String,
    pub item: String,
    pub score: f64,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RespondentScore {
    pub respondent: String,
    pub score: Option<f64>,
    /// The respondent's score per checklist of the report, in the report's order.
    #[serde(default)]
    pub checklists: Vec<ChecklistScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistScore {
    pub id: String,
    pub score: Option<f64>,
}

fn one() -> f64 {
    1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Report {
    /// Every item with the checklist and section it sits in.
    pub fn items(&self) -> impl Iterator<Item = (&ChecklistReport, &SectionReport, &ItemReport)> {
        self.checklists.iter().flat_map(|c| {
            c.sections
                .iter()
                .flat_map(move |s| s.items.iter().map(move |i| (c, s, i)))
        })
    }
}
