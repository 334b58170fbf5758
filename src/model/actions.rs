//! The actions and targets as a report carries them (SPEC §12): the JSON shape that reports
//! write and `diff`, `trend` and `plan` read back. Parsing the actions file is `crate::actions`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Doing,
    Done,
    Dropped,
}

impl Status {
    pub const ALL: [(&'static str, Status); 4] = [
        ("open", Status::Open),
        ("doing", Status::Doing),
        ("done", Status::Done),
        ("dropped", Status::Dropped),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Doing => "doing",
            Status::Done => "done",
            Status::Dropped => "dropped",
        }
    }

    /// Open or doing: still to be finished.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Open | Status::Doing)
    }
}

/// A part as the JSON writes it: one key, `item`, `section` or `checklist`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartRef {
    Item(String),
    Section(String),
    Checklist(String),
}

impl PartRef {
    pub fn kind(&self) -> &'static str {
        match self {
            PartRef::Item(_) => "item",
            PartRef::Section(_) => "section",
            PartRef::Checklist(_) => "checklist",
        }
    }

    pub fn path(&self) -> &str {
        match self {
            PartRef::Item(p) | PartRef::Section(p) | PartRef::Checklist(p) => p,
        }
    }
}

/// An action as the JSON report lists it (SPEC §12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionEntry {
    pub id: String,
    #[serde(flatten)]
    pub part: PartRef,
    pub what: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub opened: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub overdue: bool,
    /// The part's team score in this report, percent (null when undefined, never missing).
    #[serde(deserialize_with = "crate::model::report::present")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The part's title (item text, section or checklist title), for the renderers; the JSON
    /// keeps to the fields of SPEC §12, where the part's id says where it is.
    #[serde(skip)]
    pub title: String,
}

/// A target as the JSON report lists it (SPEC §12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetEntry {
    #[serde(flatten)]
    pub part: PartRef,
    /// The score aimed for, percent.
    pub score: f64,
    #[serde(default)]
    pub due: Option<String>,
    /// The part's score in this report (null when undefined, never missing).
    #[serde(deserialize_with = "crate::model::report::present")]
    pub now: Option<f64>,
    #[serde(default)]
    pub met: bool,
    #[serde(default)]
    pub overdue: bool,
    /// The part's score in the `--baseline` report; null without one.
    #[serde(default)]
    pub then: Option<f64>,
    /// `(now − then) / (target − then)`; null without a baseline, or when then = target.
    #[serde(default)]
    pub progress: Option<f64>,
    /// As for actions: for the renderers only.
    #[serde(skip)]
    pub title: String,
}
