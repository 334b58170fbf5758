//! Comparing two reports (SPEC §7): matching by id through renames, deltas, statuses, critical
//! gaps new and resolved, and the CI gates. Pure: two reports in, a `Diff` out.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::report::{ChecklistReport, Report};
use crate::stats::{EPS, Noise};

pub mod actions;
mod gates;
mod pair;

pub use gates::{Gate, GateResult, Gates, fail_below_target, fail_on_overdue};
pub use pair::{Counterparts, Located, Pair, pair_checklists, pair_items, pair_sections};

pub const DIFF_FORMAT: &str = "selfaudit-diff/1";
/// A score that moved less than this many points is unchanged (SPEC §7).
pub const UNCHANGED_BELOW: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Improved,
    Regressed,
    Unchanged,
    Added,
    Removed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Improved => "improved",
            Status::Regressed => "regressed",
            Status::Unchanged => "unchanged",
            Status::Added => "added",
            Status::Removed => "removed",
        }
    }
}

/// One of the two reports compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub period: String,
    pub score: Option<f64>,
    pub generated: String,
    pub respondents: usize,
    /// The report's response rate, when it was written with a team list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_rate: Option<crate::model::report::ResponseRate>,
}

/// How many items have each status.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub improved: usize,
    pub regressed: usize,
    pub unchanged: usize,
    pub added: usize,
    pub removed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistDelta {
    pub id: String,
    pub title: String,
    pub base: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
    pub status: Status,
    /// The checklist's version in each report; null where the report lacks the checklist.
    pub base_version: Option<String>,
    pub new_version: Option<String>,
    /// §14: whether the delta is beyond noise, and the intervals it is judged by.
    #[serde(flatten)]
    pub noise: Noise,
}

impl ChecklistDelta {
    pub fn version_changed(&self) -> bool {
        matches!((&self.base_version, &self.new_version), (Some(b), Some(n)) if b != n)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionDelta {
    pub checklist: String,
    pub id: String,
    pub title: String,
    pub base: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
    pub status: Status,
    /// §14: whether the delta is beyond noise, and the intervals it is judged by.
    #[serde(flatten)]
    pub noise: Noise,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDelta {
    pub checklist: String,
    /// NEW's id; BASE's for a removed item.
    pub id: String,
    pub base: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
    pub status: Status,
    /// BASE's id, when the item was renamed between the two reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The section the item sits in (NEW's, when it has the item).
    pub section: String,
    pub text: String,
    pub critical: bool,
    /// §14: whether the delta is beyond noise, and the intervals it is judged by.
    #[serde(flatten)]
    pub noise: Noise,
}

/// A critical gap that opened or closed between the two reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapChange {
    pub checklist: String,
    pub item: String,
    pub text: String,
    pub base: Option<f64>,
    pub new: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CriticalChanges {
    pub new: Vec<GapChange>,
    pub resolved: Vec<GapChange>,
    /// How many critical gaps NEW has in all, new or not.
    pub open: usize,
}

/// Two reports compared: SPEC §7's fixed core first, then the extras.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub format: &'static str,
    pub base: Side,
    pub new: Side,
    /// NEW's overall score minus BASE's; null when either is undefined.
    pub delta: Option<f64>,
    /// Every item of either report, biggest movements first.
    pub items: Vec<ItemDelta>,
    /// Only the gates asked for, in a fixed order.
    pub gates: Vec<GateResult>,
    pub passed: bool,
    pub summary: Summary,
    /// NEW's checklists in its order, then those only BASE has.
    pub checklists: Vec<ChecklistDelta>,
    /// Per checklist as above: NEW's sections in order, then those only BASE has.
    pub sections: Vec<SectionDelta>,
    pub critical_gaps: CriticalChanges,
    /// §14: whether the overall delta is beyond noise.
    #[serde(flatten)]
    pub noise: Noise,
    /// With `--actions FILE` (SPEC §12): each action's part and its delta, the means, the targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<actions::ActionsDiff>,
}

impl Diff {
    pub fn new(base: &Report, new: &Report, gates: &Gates) -> Diff {
        let mut checklists = Vec::new();
        let mut sections = Vec::new();
        let mut items = Vec::new();
        for (b, n) in pair_checklists(base, new) {
            compare_checklist(b, n, &mut checklists, &mut sections, &mut items);
        }
        sort_by_movement(&mut items);

        let mut summary = Summary::default();
        for i in &items {
            *match i.status {
                Status::Improved => &mut summary.improved,
                Status::Regressed => &mut summary.regressed,
                Status::Unchanged => &mut summary.unchanged,
                Status::Added => &mut summary.added,
                Status::Removed => &mut summary.removed,
            } += 1;
        }

        let critical_gaps = critical_changes(base, new, &items);
        let base_side = side(base);
        let new_side = side(new);
        let delta = match (base.score, new.score) {
            (Some(b), Some(n)) => Some(n - b),
            _ => None,
        };
        let noise = Noise::new(delta, Some((base.moe, base.ci)), Some((new.moe, new.ci)));
        let gates = gates::evaluate(gates, &base_side, &new_side, &items, &critical_gaps, &noise);
        Diff {
            format: DIFF_FORMAT,
            passed: gates.iter().all(|g| g.passed),
            base: base_side,
            new: new_side,
            delta,
            items,
            gates,
            summary,
            checklists,
            sections,
            critical_gaps,
            noise,
            actions: None,
        }
    }

    /// The items that improved or regressed, biggest movement first.
    pub fn movers(&self) -> Vec<&ItemDelta> {
        self.items
            .iter()
            .filter(|i| matches!(i.status, Status::Improved | Status::Regressed))
            .collect()
    }

    /// The items of one status, biggest movement first.
    pub fn with_status(&self, status: Status) -> Vec<&ItemDelta> {
        self.items.iter().filter(|i| i.status == status).collect()
    }

    pub fn failed_gates(&self) -> impl Iterator<Item = &GateResult> {
        self.gates.iter().filter(|g| !g.passed)
    }

    /// The sections of each checklist, in the diff's order, gathered once (a renderer that
    /// looked them up per checklist would be quadratic in the number of checklists).
    pub fn sections_by_checklist(&self) -> HashMap<&str, Vec<&SectionDelta>> {
        let mut out: HashMap<&str, Vec<&SectionDelta>> = HashMap::new();
        for s in &self.sections {
            out.entry(s.checklist.as_str()).or_default().push(s);
        }
        out
    }

    /// The sections of one checklist from [`Diff::sections_by_checklist`].
    pub fn sections_of<'m>(
        by_checklist: &'m HashMap<&str, Vec<&'m SectionDelta>>,
        checklist: &str,
    ) -> impl Iterator<Item = &'m SectionDelta> {
        by_checklist.get(checklist).into_iter().flatten().copied()
    }
}

fn side(report: &Report) -> Side {
    Side {
        period: report.period.clone(),
        score: report.score,
        generated: report.generated.clone(),
        respondents: report.respondents.len(),
        response_rate: report.response_rate.clone(),
    }
}

/// Delta and status of a score on two sides; the outer `Option` says whether the side has it.
/// A score on one side only (its part is missing, or its score undefined, on the other) is
/// `added` or `removed`, with no delta; undefined on both sides is `unchanged`.
pub fn compare(base: Option<Option<f64>>, new: Option<Option<f64>>) -> (Option<f64>, Status) {
    match (base.flatten(), new.flatten()) {
        (Some(b), Some(n)) => {
            let d = n - b;
            let status = if d.abs() < UNCHANGED_BELOW - EPS {
                Status::Unchanged
            } else if d > 0.0 {
                Status::Improved
            } else {
                Status::Regressed
            };
            (Some(d), status)
        }
        (None, Some(_)) => (None, Status::Added),
        (Some(_), None) => (None, Status::Removed),
        (None, None) => match (base, new) {
            (None, Some(_)) => (None, Status::Added),
            (Some(_), None) => (None, Status::Removed),
            _ => (None, Status::Unchanged),
        },
    }
}

fn compare_checklist(
    base: Option<&ChecklistReport>,
    new: Option<&ChecklistReport>,
    checklists: &mut Vec<ChecklistDelta>,
    sections: &mut Vec<SectionDelta>,
    items: &mut Vec<ItemDelta>,
) {
    let Some(either) = new.or(base) else { return };
    let (delta, status) = compare(base.map(|c| c.score), new.map(|c| c.score));
    checklists.push(ChecklistDelta {
        id: either.id.clone(),
        title: crate::text::title_or_id(&either.title, &either.id).to_string(),
        base: base.and_then(|c| c.score),
        new: new.and_then(|c| c.score),
        delta,
        status,
        base_version: base.map(|c| c.version.clone()),
        new_version: new.map(|c| c.version.clone()),
        noise: Noise::new(
            delta,
            base.map(|c| (c.moe, c.ci)),
            new.map(|c| (c.moe, c.ci)),
        ),
    });

    for (b, n) in pair_sections(base, new) {
        let Some(s) = n.or(b) else { continue };
        let (delta, status) = compare(b.map(|s| s.score), n.map(|s| s.score));
        sections.push(SectionDelta {
            checklist: either.id.clone(),
            id: s.id.clone(),
            title: crate::text::title_or_id(&s.title, &s.id).to_string(),
            base: b.and_then(|s| s.score),
            new: n.and_then(|s| s.score),
            delta,
            status,
            noise: Noise::new(delta, b.map(|s| (s.moe, s.ci)), n.map(|s| (s.moe, s.ci))),
        });
    }

    for (b, n) in pair_items(base, new) {
        let Some((section, item)) = n.or(b) else {
            continue;
        };
        let (delta, status) = compare(b.map(|(_, i)| i.score), n.map(|(_, i)| i.score));
        let renamed_from = match (b, n) {
            (Some((_, bi)), Some((_, ni))) if bi.id != ni.id => Some(bi.id.clone()),
            _ => None,
        };
        items.push(ItemDelta {
            checklist: either.id.clone(),
            id: item.id.clone(),
            base: b.and_then(|(_, i)| i.score),
            new: n.and_then(|(_, i)| i.score),
            delta,
            status,
            renamed_from,
            section: section.id.clone(),
            text: crate::text::title_or_id(&item.text, &item.id).to_string(),
            critical: item.critical,
            noise: Noise::new(
                delta,
                b.map(|(_, i)| (i.moe, i.ci)),
                n.map(|(_, i)| (i.moe, i.ci)),
            ),
        });
    }
}

/// Biggest movements first: improved and regressed items by size of change (regressions first
/// on a tie), then added, removed, and unchanged items; otherwise in report order.
fn sort_by_movement(items: &mut [ItemDelta]) {
    fn group(s: Status) -> u8 {
        match s {
            Status::Improved | Status::Regressed => 0,
            Status::Added => 1,
            Status::Removed => 2,
            Status::Unchanged => 3,
        }
    }
    let size = |i: &ItemDelta| i.delta.map_or(0.0, f64::abs);
    items.sort_by(|a, b| {
        group(a.status)
            .cmp(&group(b.status))
            .then_with(|| size(b).total_cmp(&size(a)))
            .then_with(|| (a.status != Status::Regressed).cmp(&(b.status != Status::Regressed)))
    });
}

/// A report's critical gaps: those it lists, and any critical item below 100 it does not
/// (a hand-written report may list fewer), each once, with its score.
fn gaps(report: &Report) -> Vec<(&str, &str, f64)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for g in &report.critical_gaps {
        if seen.insert((g.checklist.as_str(), g.item.as_str())) {
            out.push((g.checklist.as_str(), g.item.as_str(), g.score));
        }
    }
    for (c, _, i) in report.items() {
        if let Some(s) = i.gap()
            && seen.insert((c.id.as_str(), i.id.as_str()))
        {
            out.push((c.id.as_str(), i.id.as_str(), s));
        }
    }
    out
}

fn critical_changes(base: &Report, new: &Report, items: &[ItemDelta]) -> CriticalChanges {
    // (checklist, id on one side) → the item's delta, which knows its id on the other side.
    let mut by_new: HashMap<(&str, &str), &ItemDelta> = HashMap::new();
    let mut by_base: HashMap<(&str, &str), &ItemDelta> = HashMap::new();
    for i in items {
        // Ids never collide here: an item on one side only has an id the other side lacks.
        by_new.insert((&i.checklist, &i.id), i);
        let base_id = i.renamed_from.as_deref().unwrap_or(&i.id);
        by_base.insert((&i.checklist, base_id), i);
    }
    let (base_gaps, new_gaps) = (gaps(base), gaps(new));
    let base_set: HashSet<(&str, &str)> = base_gaps.iter().map(|(c, i, _)| (*c, *i)).collect();
    let new_set: HashSet<(&str, &str)> = new_gaps.iter().map(|(c, i, _)| (*c, *i)).collect();
    let mut changes = CriticalChanges {
        open: new_gaps.len(),
        ..CriticalChanges::default()
    };
    for &(c, id, score) in &new_gaps {
        let delta = by_new.get(&(c, id));
        let base_id = delta.map_or(id, |d| d.renamed_from.as_deref().unwrap_or(id));
        if !base_set.contains(&(c, base_id)) {
            changes.new.push(GapChange {
                checklist: c.to_string(),
                item: id.to_string(),
                text: delta.map_or_else(|| id.to_string(), |d| d.text.clone()),
                base: delta.and_then(|d| d.base),
                new: Some(score),
            });
        }
    }
    for &(c, id, score) in &base_gaps {
        let delta = by_base.get(&(c, id));
        let new_id = delta.map_or(id, |d| d.id.as_str());
        if !new_set.contains(&(c, new_id)) {
            changes.resolved.push(GapChange {
                checklist: c.to_string(),
                item: new_id.to_string(),
                text: delta.map_or_else(|| id.to_string(), |d| d.text.clone()),
                base: Some(score),
                new: delta.and_then(|d| d.new),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests;
