//! What a diff says about the actions file (SPEC §12): each action's part with its delta, the
//! targets, and the done-versus-others means. `crate::actions` computes them; the gates judge them.

use serde::Serialize;

use crate::model::actions::{PartRef, Status};

/// The gates of §12 asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActionGates {
    pub fail_on_overdue: bool,
    pub fail_below_target: bool,
}

/// One action in a diff: its part's scores in BASE and NEW.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionDelta {
    pub id: String,
    #[serde(flatten)]
    pub part: PartRef,
    pub title: String,
    pub what: String,
    pub owner: Option<String>,
    pub opened: String,
    pub due: Option<String>,
    pub status: Status,
    /// As of NEW's `generated` date.
    pub overdue: bool,
    pub base: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
}

/// A target in a diff: its part's scores in BASE and NEW, and how far it came.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetDelta {
    #[serde(flatten)]
    pub part: PartRef,
    pub title: String,
    pub score: f64,
    pub due: Option<String>,
    pub base: Option<f64>,
    pub new: Option<f64>,
    pub met: bool,
    /// As of NEW's `generated` date.
    pub overdue: bool,
    pub progress: Option<f64>,
}

/// The mean item delta of a group of items, in points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanDelta {
    /// Items in the group scored in both reports.
    pub n: usize,
    pub mean: Option<f64>,
}

/// What the diff says about the actions file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionsDiff {
    /// NEW's `generated` date, which overdue is judged on.
    pub as_of: Option<String>,
    pub actions: Vec<ActionDelta>,
    pub targets: Vec<TargetDelta>,
    /// Items covered by a `done` action (on the item, its section or its checklist).
    pub done: MeanDelta,
    /// Every other item scored in both reports.
    pub others: MeanDelta,
    /// The two means in one sentence.
    pub summary: String,
}
