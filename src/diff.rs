//! Comparing two reports (SPEC §7): matching by id through renames, deltas, statuses, critical
//! gaps new and resolved, and the CI gates. Pure: two reports in, a `Diff` out.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};
use crate::stats::Noise;
use crate::text::plural;

pub const DIFF_FORMAT: &str = "selfaudit-diff/1";
/// A score that moved less than this many points is unchanged (SPEC §7).
pub const UNCHANGED_BELOW: f64 = 0.05;
/// Figures this close to a threshold count as equal to it: percentages equal on paper can
/// differ in their last bits (75.0 − 69.99999999999999 = 5.000000000000007 is a drop of 5).
pub const EPS: f64 = 1e-9;

/// The gates asked for; `None`/`false` leaves a gate out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    /// Fails when NEW's overall score is below this, or undefined.
    pub fail_below: Option<f64>,
    /// Fails when the overall score fell by more than this many points.
    pub max_drop: Option<f64>,
    /// Fails when any item's score fell by more than this many points.
    pub max_item_drop: Option<f64>,
    /// Fails when NEW has a critical gap that BASE did not.
    pub fail_on_new_critical: bool,
    /// Fails when fewer than this percent of NEW's team list answered (SPEC §10).
    pub min_response_rate: Option<f64>,
    /// §14: `max_drop` and `max_item_drop` count only drops beyond noise (or of unknown noise).
    pub beyond_noise: bool,
}

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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// `fail-below`, `max-drop`, `max-item-drop` or `fail-on-new-critical`.
    pub gate: &'static str,
    /// The threshold; 0 for `fail-on-new-critical` (no new critical gap allowed).
    pub limit: f64,
    pub passed: bool,
    /// One line: the gate, the figure, the limit, and for item gates which items.
    pub detail: String,
    /// For item gates that failed: `checklist/item` of every item that tripped it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// §14, with `--beyond-noise`: `checklist/item` of every drop over the limit that did not
    /// count because it was within noise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub within_noise: Vec<String>,
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
    pub actions: Option<crate::actions::ActionsDiff>,
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
        let gates = evaluate(gates, &base_side, &new_side, &items, &critical_gaps, &noise);
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
        title: title_or_id(&either.title, &either.id),
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
            title: title_or_id(&s.title, &s.id),
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
            text: title_or_id(&item.text, &item.id),
            critical: item.critical,
            noise: Noise::new(
                delta,
                b.map(|(_, i)| (i.moe, i.ci)),
                n.map(|(_, i)| (i.moe, i.ci)),
            ),
        });
    }
}

fn title_or_id(title: &str, id: &str) -> String {
    if title.trim().is_empty() {
        id.to_string()
    } else {
        title.to_string()
    }
}

/// A part of two reports matched: BASE's and NEW's, `None` on a side whose report lacks it.
pub type Pair<'r, T> = (Option<&'r T>, Option<&'r T>);

/// The checklists of two reports paired by id: NEW's in its order, then those only BASE has.
pub fn pair_checklists<'r>(base: &'r Report, new: &'r Report) -> Vec<Pair<'r, ChecklistReport>> {
    pair_by_id(&base.checklists, &new.checklists, |c| &c.id)
}

/// The sections of one checklist in two reports paired by id: NEW's in its order, then those
/// only BASE has.
pub fn pair_sections<'r>(
    base: Option<&'r ChecklistReport>,
    new: Option<&'r ChecklistReport>,
) -> Vec<Pair<'r, SectionReport>> {
    let sections = |c: Option<&'r ChecklistReport>| c.map_or(&[][..], |c| &c.sections);
    pair_by_id(sections(base), sections(new), |s| &s.id)
}

fn pair_by_id<'r, T>(base: &'r [T], new: &'r [T], id: fn(&T) -> &String) -> Vec<Pair<'r, T>> {
    let base_by_id: HashMap<&str, &T> = base.iter().map(|b| (id(b).as_str(), b)).collect();
    let new_ids: HashSet<&str> = new.iter().map(|n| id(n).as_str()).collect();
    new.iter()
        .map(|n| (base_by_id.get(id(n).as_str()).copied(), Some(n)))
        .chain(
            base.iter()
                .filter(|b| !new_ids.contains(id(b).as_str()))
                .map(|b| (Some(b), None)),
        )
        .collect()
}

/// An item and the section it sits in.
pub type Located<'r> = (&'r SectionReport, &'r ItemReport);

/// Pairs the items of one checklist in two reports, whatever section they sit in: by id first,
/// then through renames, read forwards in NEW's `renamed` (BASE is older) or backwards in
/// BASE's (NEW is older), chains (a → b → c) included. Each item is paired once at most.
/// NEW's items come in NEW's order, then the items only BASE has.
pub fn pair_items<'r>(
    base: Option<&'r ChecklistReport>,
    new: Option<&'r ChecklistReport>,
) -> Vec<(Option<Located<'r>>, Option<Located<'r>>)> {
    fn flat(c: Option<&ChecklistReport>) -> Vec<Located<'_>> {
        c.iter()
            .flat_map(|c| &c.sections)
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
            .collect()
    }
    let (b, n) = (flat(base), flat(new));
    let new_index: HashMap<&str, usize> = n
        .iter()
        .enumerate()
        .map(|(j, (_, i))| (i.id.as_str(), j))
        .collect();
    let mut base_of: Vec<Option<usize>> = vec![None; n.len()];
    let mut matched = vec![false; b.len()];
    for (k, (_, item)) in b.iter().enumerate() {
        if let Some(&j) = new_index.get(item.id.as_str())
            && base_of[j].is_none()
        {
            base_of[j] = Some(k);
            matched[k] = true;
        }
    }
    let mut backwards: HashMap<&str, Vec<&str>> = HashMap::new();
    for (old, current) in base.iter().flat_map(|c| &c.renamed) {
        backwards
            .entry(current.as_str())
            .or_default()
            .push(old.as_str());
    }
    let forwards: HashMap<&str, &str> = new
        .iter()
        .flat_map(|c| &c.renamed)
        .map(|(old, current)| (old.as_str(), current.as_str()))
        .collect();
    let mut forward_walk = Walk::default();
    let mut backward_walk = Walk::default();
    for (k, (_, item)) in b.iter().enumerate() {
        if matched[k] {
            continue;
        }
        let id = item.id.as_str();
        let free = |c: &str| new_index.get(c).is_some_and(|&j| base_of[j].is_none());
        let found = forward_walk
            .first(
                id,
                |x| forwards.get(x).copied().into_iter().collect(),
                &free,
            )
            .or_else(|| {
                backward_walk.first(id, |x| backwards.get(x).cloned().unwrap_or_default(), &free)
            });
        if let Some(candidate) = found {
            let j = new_index[candidate];
            base_of[j] = Some(k);
            matched[k] = true;
        }
    }
    let mut out: Vec<_> = n
        .iter()
        .zip(&base_of)
        .map(|(ni, k)| (k.map(|k| b[k]), Some(*ni)))
        .collect();
    out.extend(
        b.iter()
            .zip(&matched)
            .filter(|(_, m)| !**m)
            .map(|(bi, _)| (Some(*bi), None)),
    );
    out
}

/// The search for the nearest id that `start` became through renames (`step`: one rename
/// each), breadth first, each id once, a cycle ending where it began. Searches share what
/// they learn, so that a long chain is walked about once in all, not once per item: ids from
/// which nothing free can be reached any more (`dead`: nothing becomes free again), and, along
/// chains without branches, jumps past ids that were no candidate (`jump`).
#[derive(Default)]
struct Walk<'r> {
    dead: HashSet<&'r str>,
    jump: HashMap<&'r str, &'r str>,
}

impl<'r> Walk<'r> {
    fn first(
        &mut self,
        start: &'r str,
        step: impl Fn(&str) -> Vec<&'r str>,
        free: &impl Fn(&str) -> bool,
    ) -> Option<&'r str> {
        let mut seen: HashSet<&'r str> = HashSet::from([start]);
        let mut queue: std::collections::VecDeque<&'r str> = std::collections::VecDeque::new();
        // The nodes passed on a chain without branches, for jumps once the search ends.
        let mut chain: Vec<&'r str> = Vec::new();
        let mut branched = false;
        let mut current = start;
        loop {
            let next = match self.jump.get(current) {
                Some(&far) => vec![far],
                None => step(current),
            };
            if next.len() > 1 {
                branched = true;
            }
            for id in next {
                if self.dead.contains(id) || !seen.insert(id) {
                    continue;
                }
                if free(id) {
                    if !branched {
                        for &passed in &chain {
                            self.jump.insert(passed, id);
                        }
                    }
                    return Some(id);
                }
                queue.push_back(id);
            }
            let Some(id) = queue.pop_front() else {
                // Nothing free is reachable from any id seen: nor will it ever be.
                seen.remove(start);
                self.dead.extend(seen);
                return None;
            };
            if !branched && queue.is_empty() {
                chain.push(id);
            }
            current = id;
        }
    }
}

/// BASE's counterpart of each checklist, section and item of NEW, matched as [`Diff::new`]
/// matches them; for showing a report's changes since an earlier one.
pub struct Counterparts<'r> {
    checklists: HashMap<&'r str, &'r ChecklistReport>,
    sections: HashMap<(&'r str, &'r str), &'r SectionReport>,
    items: HashMap<(&'r str, &'r str), &'r ItemReport>,
}

impl<'r> Counterparts<'r> {
    pub fn new(base: &'r Report, new: &'r Report) -> Self {
        let mut parts = Counterparts {
            checklists: HashMap::new(),
            sections: HashMap::new(),
            items: HashMap::new(),
        };
        for (b, n) in pair_checklists(base, new) {
            let (Some(b), Some(n)) = (b, n) else { continue };
            parts.checklists.insert(&n.id, b);
            for (bs, ns) in pair_sections(Some(b), Some(n)) {
                if let (Some(bs), Some(ns)) = (bs, ns) {
                    parts.sections.insert((&n.id, &ns.id), bs);
                }
            }
            for (bi, ni) in pair_items(Some(b), Some(n)) {
                if let (Some((_, bi)), Some((_, ni))) = (bi, ni) {
                    parts.items.insert((&n.id, &ni.id), bi);
                }
            }
        }
        parts
    }

    pub fn checklist(&self, checklist: &ChecklistReport) -> Option<&'r ChecklistReport> {
        self.checklists.get(checklist.id.as_str()).copied()
    }

    pub fn section(
        &self,
        checklist: &ChecklistReport,
        section: &SectionReport,
    ) -> Option<&'r SectionReport> {
        self.sections
            .get(&(checklist.id.as_str(), section.id.as_str()))
            .copied()
    }

    pub fn item(&self, checklist: &ChecklistReport, item: &ItemReport) -> Option<&'r ItemReport> {
        self.items
            .get(&(checklist.id.as_str(), item.id.as_str()))
            .copied()
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
        if let Some(s) = i.score
            && i.critical
            && s < 100.0
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

/// A score as a gate's detail quotes it.
fn pct(s: f64) -> String {
    format!("{s:.1}")
}

/// A limit as the user wrote it: `5`, `2.5`.
fn limit(l: f64) -> String {
    format!("{l}")
}

/// A figure compared with a limit: one decimal, or as many more as it takes not to look equal
/// to a limit it differs from (a drop of 5.04 against 5 shows as 5.04).
fn figure(value: f64, limit: f64) -> String {
    if (value - limit).abs() > EPS {
        for p in 1..=9 {
            let v = format!("{value:.p$}");
            if v != format!("{limit:.p$}") {
                return v;
            }
        }
    }
    format!("{value:.1}")
}

/// How many names a gate's detail lists before "and N more"; JSON's `items` has them all.
const DETAIL_NAMES: usize = 5;

fn name_list(names: &[String]) -> String {
    let mut out = names
        .iter()
        .take(DETAIL_NAMES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > DETAIL_NAMES {
        out.push_str(&format!(" and {} more", names.len() - DETAIL_NAMES));
    }
    out
}

fn evaluate(
    gates: &Gates,
    base: &Side,
    new: &Side,
    items: &[ItemDelta],
    critical: &CriticalChanges,
    overall_noise: &Noise,
) -> Vec<GateResult> {
    let mut out = Vec::new();
    if let Some(n) = gates.fail_below {
        let (passed, detail) = match new.score {
            None => (
                false,
                format!(
                    "the overall score of {} is undefined (no item has a score), so it is not {} or more",
                    new.period,
                    limit(n)
                ),
            ),
            Some(s) if s < n - EPS => (
                false,
                format!("overall score {} is below {}", figure(s, n), limit(n)),
            ),
            Some(s) => (
                true,
                format!("overall score {} is not below {}", figure(s, n), limit(n)),
            ),
        };
        out.push(gate("fail-below", n, passed, detail, Vec::new()));
    }
    if let Some(n) = gates.max_drop {
        let (passed, detail) = match (base.score, new.score) {
            (Some(_), None) => (
                false,
                format!(
                    "the overall score of {} is undefined (no item has a score), so its drop cannot be held within {}",
                    new.period,
                    limit(n)
                ),
            ),
            (None, _) => (
                true,
                format!(
                    "the overall score of {} is undefined, so there is no drop to measure",
                    base.period
                ),
            ),
            (Some(b), Some(s)) => {
                let drop = b - s;
                let moved = format!("{} → {}", pct(b), pct(s));
                if drop > n + EPS && gates.beyond_noise && overall_noise.within() {
                    (
                        true,
                        format!(
                            "overall score fell {} points ({moved}), more than {}, but within noise ({}), so it does not count",
                            figure(drop, n),
                            limit(n),
                            noise_figure(overall_noise)
                        ),
                    )
                } else if drop > n + EPS {
                    (
                        false,
                        format!(
                            "overall score fell {} points ({moved}), more than {}{}",
                            figure(drop, n),
                            limit(n),
                            noise_note(gates, overall_noise)
                        ),
                    )
                } else if drop.abs() <= EPS {
                    (true, format!("overall score did not change ({moved})"))
                } else if drop > 0.0 {
                    (
                        true,
                        format!(
                            "overall score fell {} points ({moved}), not more than {}",
                            figure(drop, n),
                            limit(n)
                        ),
                    )
                } else {
                    (
                        true,
                        format!("overall score rose {} points ({moved})", pct(-drop)),
                    )
                }
            }
        };
        out.push(gate("max-drop", n, passed, detail, Vec::new()));
    }
    if let Some(n) = gates.max_item_drop {
        // Items come biggest movement first, so the worst drops lead.
        let drops: Vec<(&ItemDelta, f64)> = items
            .iter()
            .filter_map(|i| i.delta.map(|d| (i, -d)))
            .filter(|(_, drop)| *drop > EPS)
            .collect();
        // §14: with --beyond-noise, drops known to be within noise do not count.
        let (failed, quiet): (Vec<&(&ItemDelta, f64)>, Vec<_>) = drops
            .iter()
            .filter(|(_, drop)| *drop > n + EPS)
            .partition(|(i, _)| !(gates.beyond_noise && i.noise.within()));
        let quiet_names: Vec<String> = quiet
            .iter()
            .map(|(i, drop)| {
                format!(
                    "{}/{} fell {} ({})",
                    i.checklist,
                    i.id,
                    figure(*drop, n),
                    noise_figure(&i.noise)
                )
            })
            .collect();
        let quiet_note = if quiet_names.is_empty() {
            String::new()
        } else {
            format!(
                "; within noise, so not counted: {}",
                name_list(&quiet_names)
            )
        };
        let (passed, detail) = if failed.is_empty() {
            let detail = match drops.first() {
                Some((i, drop)) => format!(
                    "no item fell more than {} points (the most: {}/{} fell {})",
                    limit(n),
                    i.checklist,
                    i.id,
                    figure(*drop, n)
                ),
                None => format!("no item fell (limit {} points)", limit(n)),
            };
            let detail = if quiet_names.is_empty() {
                detail
            } else {
                format!(
                    "no item fell more than {} points beyond noise{quiet_note}",
                    limit(n)
                )
            };
            (true, detail)
        } else {
            let names: Vec<String> = failed
                .iter()
                .map(|(i, drop)| {
                    format!(
                        "{}/{} fell {} ({} → {})",
                        i.checklist,
                        i.id,
                        figure(*drop, n),
                        pct(i.base.unwrap_or(0.0)),
                        pct(i.new.unwrap_or(0.0))
                    )
                })
                .collect();
            (
                false,
                format!(
                    "{} fell more than {} points{}: {}{quiet_note}",
                    plural(failed.len(), "item", "items"),
                    limit(n),
                    if gates.beyond_noise {
                        " beyond noise (or of unknown noise)"
                    } else {
                        ""
                    },
                    name_list(&names)
                ),
            )
        };
        let tripped = if passed {
            Vec::new()
        } else {
            failed
                .iter()
                .map(|(i, _)| format!("{}/{}", i.checklist, i.id))
                .collect()
        };
        out.push(GateResult {
            within_noise: quiet
                .iter()
                .map(|(i, _)| format!("{}/{}", i.checklist, i.id))
                .collect(),
            ..gate("max-item-drop", n, passed, detail, tripped)
        });
    }
    if gates.fail_on_new_critical {
        let ids: Vec<String> = critical
            .new
            .iter()
            .map(|g| format!("{}/{}", g.checklist, g.item))
            .collect();
        let (passed, detail) = if ids.is_empty() {
            (true, "no new critical gap".to_string())
        } else {
            let names: Vec<String> = critical
                .new
                .iter()
                .map(|g| {
                    format!(
                        "{}/{} ({})",
                        g.checklist,
                        g.item,
                        g.new.map_or_else(|| "—".to_string(), pct)
                    )
                })
                .collect();
            (
                false,
                format!(
                    "{} that {} did not have: {}",
                    plural(ids.len(), "new critical gap", "new critical gaps"),
                    base.period,
                    name_list(&names)
                ),
            )
        };
        out.push(gate("fail-on-new-critical", 0.0, passed, detail, ids));
    }
    if let Some(p) = gates.min_response_rate {
        out.push(response_rate_gate(p, new));
    }
    out
}

/// `--min-response-rate P`: NEW's `answered / expected` must be P percent or more.
fn response_rate_gate(p: f64, new: &Side) -> GateResult {
    let (passed, detail) = match &new.response_rate {
        None => (
            false,
            format!(
                "{} has no response rate (it was not written with a team list)",
                new.period
            ),
        ),
        Some(r) => match r.percent() {
            None => (
                false,
                format!("the team list of {} names nobody", new.period),
            ),
            Some(rate) => {
                let of = format!("{} of {} answered", r.answered, r.expected);
                if rate < p - EPS {
                    (
                        false,
                        format!(
                            "response rate {}% ({of}) is below {}%",
                            figure(rate, p),
                            limit(p)
                        ),
                    )
                } else {
                    (
                        true,
                        format!(
                            "response rate {}% ({of}) is not below {}%",
                            figure(rate, p),
                            limit(p)
                        ),
                    )
                }
            }
        },
    };
    gate("min-response-rate", p, passed, detail, Vec::new())
}

/// A change's noise as a gate's detail quotes it: `noise ±7.2`.
fn noise_figure(noise: &Noise) -> String {
    match noise.noise {
        Some(h) => format!("noise ±{h:.1}"),
        None => "noise unknown".to_string(),
    }
}

/// Why a drop over the limit counted although `--beyond-noise` was asked for.
fn noise_note(gates: &Gates, noise: &Noise) -> String {
    match (gates.beyond_noise, noise.beyond_noise) {
        (false, _) => String::new(),
        (true, Some(_)) => format!(", beyond noise ({})", noise_figure(noise)),
        (true, None) => {
            ", and its noise is unknown (too few respondents), which still counts".to_string()
        }
    }
}

fn gate(
    name: &'static str,
    limit: f64,
    passed: bool,
    detail: String,
    items: Vec<String>,
) -> GateResult {
    GateResult {
        gate: name,
        limit,
        passed,
        detail,
        items,
        within_noise: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::{CriticalGap, ItemReport, SectionReport};

    /// An item as a hand-written report in SPEC §6's core shape would have it.
    fn item(id: &str, score: Option<f64>) -> ItemReport {
        serde_json::from_value(serde_json::json!({ "id": id, "score": score }))
            .unwrap_or_else(|e| panic!("test item: {e}"))
    }

    fn critical(id: &str, score: Option<f64>) -> ItemReport {
        ItemReport {
            critical: true,
            ..item(id, score)
        }
    }

    fn section(id: &str, items: Vec<ItemReport>) -> SectionReport {
        let scores: Vec<f64> = items.iter().filter_map(|i| i.score).collect();
        SectionReport {
            id: id.to_string(),
            title: String::new(),
            weight: 1.0,
            score: mean(&scores),
            se: None,
            ci: None,
            moe: None,
            items,
        }
    }

    fn checklist(id: &str, version: &str, sections: Vec<SectionReport>) -> ChecklistReport {
        let scores: Vec<f64> = sections.iter().filter_map(|s| s.score).collect();
        ChecklistReport {
            id: id.to_string(),
            title: String::new(),
            version: version.to_string(),
            weight: 1.0,
            score: mean(&scores),
            se: None,
            ci: None,
            moe: None,
            alpha: None,
            renamed: Default::default(),
            sections,
        }
    }

    fn report(period: &str, checklists: Vec<ChecklistReport>) -> Report {
        let scores: Vec<f64> = checklists.iter().filter_map(|c| c.score).collect();
        let mut r = Report {
            format: crate::model::report::REPORT_FORMAT.to_string(),
            period: period.to_string(),
            generated: String::new(),
            respondents: Vec::new(),
            anonymous: false,
            score: mean(&scores),
            se: None,
            ci: None,
            moe: None,
            checklists,
            critical_gaps: Vec::new(),
            per_respondent: Vec::new(),
            response_rate: None,
            unlisted: None,
            groups: Vec::new(),
            perception_gaps: Vec::new(),
            actions: None,
            targets: None,
        };
        r.critical_gaps = r
            .items()
            .filter_map(|(c, _, i)| {
                let s = i.score?;
                (i.critical && s < 100.0).then(|| CriticalGap {
                    checklist: c.id.clone(),
                    item: i.id.clone(),
                    score: s,
                    text: String::new(),
                })
            })
            .collect();
        r
    }

    fn mean(xs: &[f64]) -> Option<f64> {
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    }

    /// One checklist `c`, one section `s`, the given items.
    fn simple(period: &str, items: Vec<ItemReport>) -> Report {
        report(period, vec![checklist("c", "1", vec![section("s", items)])])
    }

    fn find<'d>(d: &'d Diff, id: &str) -> &'d ItemDelta {
        d.items
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    fn with_overall(mut r: Report, score: Option<f64>) -> Report {
        r.score = score;
        r
    }

    fn gate_passes(base: &Report, new: &Report, gates: Gates) -> bool {
        let d = Diff::new(base, new, &gates);
        assert_eq!(d.gates.len(), 1, "one gate asked, one evaluated");
        assert_eq!(d.passed, d.gates[0].passed);
        d.passed
    }

    #[test]
    fn deltas_and_statuses_follow_the_scoring_rule() {
        let base = simple(
            "Q3",
            vec![
                item("up", Some(50.0)),
                item("down", Some(75.0)),
                item("flat", Some(60.0)),
                item("wiggle", Some(60.0)),
                item("edge", Some(60.0)),
                item("gone", Some(10.0)),
            ],
        );
        let new = simple(
            "Q4",
            vec![
                item("up", Some(75.0)),
                item("down", Some(50.0)),
                item("flat", Some(60.0)),
                item("wiggle", Some(60.04)),
                item("edge", Some(59.95)),
                item("fresh", Some(90.0)),
            ],
        );
        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(d.format, "selfaudit-diff/1");
        assert_eq!(
            (d.base.period.as_str(), d.new.period.as_str()),
            ("Q3", "Q4")
        );
        let expect = [
            ("up", Some(25.0), Status::Improved),
            ("down", Some(-25.0), Status::Regressed),
            ("flat", Some(0.0), Status::Unchanged),
            ("wiggle", Some(0.04), Status::Unchanged),
            ("edge", Some(-0.05), Status::Regressed),
            ("fresh", None, Status::Added),
            ("gone", None, Status::Removed),
        ];
        for (id, delta, status) in expect {
            let i = find(&d, id);
            assert_eq!(i.status, status, "{id}");
            match (i.delta, delta) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{id}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "{id}"),
            }
        }
        assert_eq!(find(&d, "gone").base, Some(10.0));
        assert_eq!(find(&d, "gone").new, None);
        assert_eq!(find(&d, "fresh").base, None);
        assert_eq!(
            d.summary,
            Summary {
                improved: 1,
                regressed: 2,
                unchanged: 2,
                added: 1,
                removed: 1
            }
        );
        let overall = new.score.unwrap_or(0.0) - base.score.unwrap_or(0.0);
        assert_eq!(d.delta, Some(overall));
        assert!(d.gates.is_empty() && d.passed);
    }

    #[test]
    fn biggest_movements_come_first() {
        let base = simple(
            "Q3",
            vec![
                item("small", Some(50.0)),
                item("same", Some(50.0)),
                item("big-up", Some(50.0)),
                item("big-down", Some(80.0)),
                item("gone", Some(1.0)),
                item("mid", Some(50.0)),
            ],
        );
        let new = simple(
            "Q4",
            vec![
                item("small", Some(51.0)),
                item("same", Some(50.0)),
                item("new", Some(5.0)),
                item("big-up", Some(80.0)),
                item("big-down", Some(50.0)),
                item("mid", Some(40.0)),
            ],
        );
        let d = Diff::new(&base, &new, &Gates::default());
        let order: Vec<&str> = d.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            order,
            ["big-down", "big-up", "mid", "small", "new", "gone", "same"]
        );
    }

    #[test]
    fn an_item_undefined_on_one_side_is_added_or_removed_without_a_delta() {
        let base = simple(
            "Q3",
            vec![
                item("now-answered", None),
                item("now-unanswered", Some(40.0)),
                item("never", None),
            ],
        );
        let new = simple(
            "Q4",
            vec![
                item("now-answered", Some(70.0)),
                item("now-unanswered", None),
                item("never", None),
            ],
        );
        let d = Diff::new(&base, &new, &Gates::default());
        let a = find(&d, "now-answered");
        assert_eq!(
            (a.base, a.new, a.delta, a.status),
            (None, Some(70.0), None, Status::Added)
        );
        let r = find(&d, "now-unanswered");
        assert_eq!(
            (r.base, r.new, r.delta, r.status),
            (Some(40.0), None, None, Status::Removed)
        );
        let n = find(&d, "never");
        assert_eq!((n.delta, n.status), (None, Status::Unchanged));
        // A vanished score is not a drop.
        let gates = Gates {
            max_item_drop: Some(0.0),
            ..Gates::default()
        };
        assert!(Diff::new(&base, &new, &gates).passed);
    }

    #[test]
    fn renames_are_followed_forwards_and_backwards() {
        let base = simple(
            "Q3",
            vec![item("answer-phone", Some(40.0)), item("keep", Some(50.0))],
        );
        let mut new = simple(
            "Q4",
            vec![item("return-calls", Some(80.0)), item("keep", Some(50.0))],
        );
        new.checklists[0]
            .renamed
            .insert("answer-phone".to_string(), "return-calls".to_string());

        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(d.items.len(), 2);
        let i = find(&d, "return-calls");
        assert_eq!(i.renamed_from.as_deref(), Some("answer-phone"));
        assert_eq!(
            (i.base, i.new, i.status),
            (Some(40.0), Some(80.0), Status::Improved)
        );

        // The newer report as BASE: its `renamed` is read backwards.
        let d = Diff::new(&new, &base, &Gates::default());
        assert_eq!(d.items.len(), 2);
        let i = find(&d, "answer-phone");
        assert_eq!(i.renamed_from.as_deref(), Some("return-calls"));
        assert_eq!(
            (i.base, i.new, i.status),
            (Some(80.0), Some(40.0), Status::Regressed)
        );
    }

    #[test]
    fn rename_chains_are_followed_and_cycles_end() {
        // Renamed twice since BASE: first → second in one version, second → third in the next.
        let base = simple("Q3", vec![item("first", Some(30.0))]);
        let mut new = simple("Q4", vec![item("third", Some(60.0))]);
        for (old, current) in [("first", "second"), ("second", "third"), ("third", "first")] {
            new.checklists[0]
                .renamed
                .insert(old.to_string(), current.to_string());
        }
        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(d.items.len(), 1);
        assert_eq!(find(&d, "third").renamed_from.as_deref(), Some("first"));
        let d = Diff::new(&new, &base, &Gates::default());
        assert_eq!(d.items.len(), 1, "backwards too");
        assert_eq!(find(&d, "first").renamed_from.as_deref(), Some("third"));

        let step = |id: &str| -> Vec<&'static str> {
            match id {
                "a" => vec!["b"],
                "b" => vec!["c", "a"],
                "c" => vec!["b", "d"],
                _ => vec![],
            }
        };
        let first = |free: &[&str]| Walk::default().first("a", step, &|id| free.contains(&id));
        assert_eq!(first(&["b", "c", "d"]), Some("b"));
        assert_eq!(first(&["c", "d"]), Some("c"));
        assert_eq!(first(&["d"]), Some("d"));
        assert_eq!(first(&["a"]), None, "a cycle ends where it began");
        assert_eq!(Walk::default().first("z", step, &|_| true), None);
    }

    /// SPEC §9 cost: all the walks of one diff along a rename chain of n ids take O(n) steps
    /// together, not O(n) each. Counted, not timed.
    #[test]
    fn rename_walks_along_a_long_chain_take_linear_steps_in_all() {
        let n = 100_000;
        let ids: &'static [String] = Box::leak(
            (0..=n)
                .map(|k| format!("id-{k}"))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        let index = |id: &str| -> usize { id[3..].parse().unwrap() };
        // Every 10th id starts a walk; every 1000th id is a free target, taken once found.
        let count = |backwards: bool| -> (usize, usize) {
            let steps = std::cell::Cell::new(0usize);
            let step = |id: &str| -> Vec<&'static str> {
                steps.set(steps.get() + 1);
                let k = index(id);
                let next = if backwards {
                    k.checked_sub(1)
                } else {
                    Some(k + 1)
                };
                next.and_then(|j| ids.get(j))
                    .map(String::as_str)
                    .into_iter()
                    .collect()
            };
            let taken = std::cell::RefCell::new(HashSet::new());
            let free = |id: &str| index(id) % 1000 == 999 && !taken.borrow().contains(id);
            let mut walk = Walk::default();
            let mut found = 0;
            let mut starts: Vec<usize> = (0..=n).step_by(10).collect();
            if backwards {
                starts.reverse();
            }
            for k in starts {
                if let Some(id) = walk.first(&ids[k], step, &free) {
                    taken.borrow_mut().insert(id.to_string());
                    found += 1;
                }
            }
            (found, steps.get())
        };
        for backwards in [false, true] {
            let (found, steps) = count(backwards);
            assert_eq!(found, n / 1000, "every free id is taken once");
            assert!(steps <= 4 * n, "{steps} steps for a chain of {n}");
        }
    }

    #[test]
    fn counterparts_are_the_parts_a_diff_pairs() {
        let mut base = report(
            "Q3",
            vec![checklist(
                "c",
                "1",
                vec![
                    section("a", vec![item("same", Some(10.0)), item("old", Some(20.0))]),
                    section("b", vec![item("moved", None)]),
                ],
            )],
        );
        base.checklists[0].title = "BASE".into();
        let mut new = report(
            "Q4",
            vec![
                checklist(
                    "c",
                    "2",
                    vec![section(
                        "a",
                        vec![
                            item("same", None),
                            item("cur", None),
                            item("moved", None),
                            item("fresh", None),
                        ],
                    )],
                ),
                checklist("other", "1", vec![]),
            ],
        );
        new.checklists[0]
            .renamed
            .insert("old".to_string(), "cur".to_string());
        let parts = Counterparts::new(&base, &new);
        let c = &new.checklists[0];
        assert_eq!(parts.checklist(c).map(|b| b.title.as_str()), Some("BASE"));
        assert!(parts.checklist(&new.checklists[1]).is_none());
        assert_eq!(
            parts.section(c, &c.sections[0]).map(|s| s.score),
            Some(base.checklists[0].sections[0].score)
        );
        let old = |i: usize| {
            parts
                .item(c, &c.sections[0].items[i])
                .map(|b| b.id.as_str())
        };
        assert_eq!(
            [old(0), old(1), old(2), old(3)],
            [Some("same"), Some("old"), Some("moved"), None],
            "by id across sections, through a rename, and none for a new item"
        );
    }

    #[test]
    fn an_id_match_wins_over_a_rename() {
        // BASE still has both ids; the old one is removed, not matched twice.
        let base = simple("Q3", vec![item("old", Some(10.0)), item("cur", Some(50.0))]);
        let mut new = simple("Q4", vec![item("cur", Some(60.0))]);
        new.checklists[0]
            .renamed
            .insert("old".to_string(), "cur".to_string());
        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(find(&d, "cur").base, Some(50.0));
        assert_eq!(find(&d, "cur").renamed_from, None);
        assert_eq!(find(&d, "old").status, Status::Removed);
    }

    #[test]
    fn checklists_and_sections_of_other_versions_compare_by_id() {
        let base = report(
            "Q3",
            vec![
                checklist(
                    "a",
                    "1",
                    vec![
                        section("kept", vec![item("x", Some(50.0))]),
                        section("dropped", vec![item("y", Some(20.0))]),
                    ],
                ),
                checklist("old", "1", vec![section("s", vec![item("z", Some(30.0))])]),
            ],
        );
        let new = report(
            "Q4",
            vec![
                checklist(
                    "a",
                    "2",
                    vec![
                        section("kept", vec![item("x", Some(70.0))]),
                        section("fresh", vec![item("w", Some(90.0))]),
                    ],
                ),
                checklist(
                    "brand-new",
                    "1",
                    vec![section("s", vec![item("v", Some(10.0))])],
                ),
            ],
        );
        let d = Diff::new(&base, &new, &Gates::default());
        let ids: Vec<(&str, Status, bool)> = d
            .checklists
            .iter()
            .map(|c| (c.id.as_str(), c.status, c.version_changed()))
            .collect();
        assert_eq!(
            ids,
            [
                ("a", Status::Improved, true),
                ("brand-new", Status::Added, false),
                ("old", Status::Removed, false)
            ]
        );
        assert_eq!(d.checklists[0].base_version.as_deref(), Some("1"));
        assert_eq!(d.checklists[0].new_version.as_deref(), Some("2"));
        let sections: Vec<(&str, &str, Status)> = d
            .sections
            .iter()
            .map(|s| (s.checklist.as_str(), s.id.as_str(), s.status))
            .collect();
        assert_eq!(
            sections,
            [
                ("a", "kept", Status::Improved),
                ("a", "fresh", Status::Added),
                ("a", "dropped", Status::Removed),
                ("brand-new", "s", Status::Added),
                ("old", "s", Status::Removed),
            ]
        );
        assert_eq!(find(&d, "x").delta, Some(20.0));
        for (id, status) in [
            ("w", Status::Added),
            ("v", Status::Added),
            ("y", Status::Removed),
            ("z", Status::Removed),
        ] {
            assert_eq!(find(&d, id).status, status, "{id}");
        }
    }

    #[test]
    fn critical_gaps_new_and_resolved_follow_renames() {
        let base = simple(
            "Q3",
            vec![
                critical("fixed", Some(50.0)),
                critical("still", Some(50.0)),
                critical("was-named", Some(50.0)),
                critical("ok", Some(100.0)),
            ],
        );
        let mut new = simple(
            "Q4",
            vec![
                critical("fixed", Some(100.0)),
                critical("still", Some(75.0)),
                critical("renamed", Some(50.0)),
                critical("ok", Some(75.0)),
                critical("added", Some(0.0)),
            ],
        );
        new.checklists[0]
            .renamed
            .insert("was-named".to_string(), "renamed".to_string());
        let d = Diff::new(&base, &new, &Gates::default());
        let new_gaps: Vec<&str> = d
            .critical_gaps
            .new
            .iter()
            .map(|g| g.item.as_str())
            .collect();
        let resolved: Vec<&str> = d
            .critical_gaps
            .resolved
            .iter()
            .map(|g| g.item.as_str())
            .collect();
        assert_eq!(new_gaps, ["ok", "added"]);
        assert_eq!(resolved, ["fixed"]);
        assert_eq!(d.critical_gaps.new[0].base, Some(100.0));
        assert_eq!(d.critical_gaps.resolved[0].new, Some(100.0));
    }

    #[test]
    fn critical_gaps_count_even_when_a_report_does_not_list_them() {
        let base = simple("Q3", vec![critical("a", Some(100.0))]);
        let mut new = simple("Q4", vec![critical("a", Some(50.0))]);
        new.critical_gaps.clear();
        let d = Diff::new(&base, &new, &Gates::default());
        assert_eq!(d.critical_gaps.new.len(), 1);
    }

    fn overall(period: &str, score: Option<f64>) -> Report {
        with_overall(simple(period, vec![item("i", score)]), score)
    }

    #[test]
    fn fail_below_fails_only_under_the_limit() {
        let base = overall("Q3", Some(80.0));
        let below = |score, n| {
            gate_passes(
                &base,
                &overall("Q4", score),
                Gates {
                    fail_below: Some(n),
                    ..Gates::default()
                },
            )
        };
        assert!(below(Some(70.0), 70.0), "exactly the limit passes");
        assert!(below(Some(70.01), 70.0));
        assert!(!below(Some(69.99), 70.0));
        // On paper 70: counts as 70.
        assert!(below(Some(0.1 + 0.2 + 69.7 - 1e-12), 70.0));
        assert!(!below(None, 0.0), "an undefined score fails");
    }

    #[test]
    fn max_drop_fails_only_past_the_limit() {
        let drop = |b: f64, n: f64, limit: f64| {
            gate_passes(
                &overall("Q3", Some(b)),
                &overall("Q4", Some(n)),
                Gates {
                    max_drop: Some(limit),
                    ..Gates::default()
                },
            )
        };
        assert!(drop(75.0, 70.0, 5.0), "a drop of exactly the limit passes");
        assert!(
            drop(75.0, 69.99999999999999, 5.0),
            "5.000000000000007 counts as 5"
        );
        assert!(drop(75.0, 70.01, 5.0));
        assert!(!drop(75.0, 69.99, 5.0));
        assert!(drop(60.0, 90.0, 0.0), "a rise passes");
        assert!(drop(60.0, 60.0, 0.0));
        let d = Diff::new(
            &overall("Q3", Some(72.5)),
            &overall("Q4", Some(72.5)),
            &Gates {
                max_drop: Some(0.0),
                ..Gates::default()
            },
        );
        assert_eq!(
            d.gates[0].detail,
            "overall score did not change (72.5 → 72.5)"
        );
        assert!(!drop(60.0, 59.9, 0.0));
    }

    #[test]
    fn max_drop_with_undefined_scores() {
        let gates = Gates {
            max_drop: Some(5.0),
            ..Gates::default()
        };
        let d = Diff::new(&overall("Q3", Some(50.0)), &overall("Q4", None), &gates);
        assert!(!d.passed, "NEW undefined fails");
        assert!(d.gates[0].detail.contains("undefined"));
        let d = Diff::new(&overall("Q3", None), &overall("Q4", Some(50.0)), &gates);
        assert!(d.passed, "nothing to fall from");
        assert_eq!(d.delta, None);
    }

    #[test]
    fn max_item_drop_names_every_item_past_the_limit() {
        let base = simple(
            "Q3",
            vec![
                item("a", Some(80.0)),
                item("b", Some(75.0)),
                item("c", Some(75.0)),
                item("d", Some(10.0)),
            ],
        );
        let new = simple(
            "Q4",
            vec![
                item("a", Some(60.0)),
                item("b", Some(65.0)),
                item("c", Some(64.99)),
                item("d", Some(90.0)),
            ],
        );
        let run = |n: f64| {
            Diff::new(
                &base,
                &new,
                &Gates {
                    max_item_drop: Some(n),
                    ..Gates::default()
                },
            )
        };
        let d = run(10.0);
        assert!(!d.passed);
        let g = &d.gates[0];
        assert_eq!((g.gate, g.limit, g.passed), ("max-item-drop", 10.0, false));
        assert_eq!(g.items, ["c/a", "c/c"], "b fell exactly 10");
        assert!(
            g.detail.starts_with(
                "2 items fell more than 10 points: c/a fell 20.0 (80.0 → 60.0), c/c fell 10.01"
            ),
            "{}",
            g.detail
        );
        let d = run(20.0);
        assert!(d.passed, "a fell exactly 20");
        assert!(d.gates[0].items.is_empty());
        assert!(
            d.gates[0].detail.contains("c/a fell 20.0"),
            "{}",
            d.gates[0].detail
        );
        assert!(!run(19.99).passed);
    }

    #[test]
    fn fail_on_new_critical_fails_only_on_a_new_gap() {
        let gates = Gates {
            fail_on_new_critical: true,
            ..Gates::default()
        };
        let base = simple(
            "Q3",
            vec![critical("a", Some(50.0)), critical("b", Some(100.0))],
        );
        let same_gap = simple(
            "Q4",
            vec![critical("a", Some(25.0)), critical("b", Some(100.0))],
        );
        assert!(gate_passes(&base, &same_gap, gates.clone()));
        let new_gap = simple(
            "Q4",
            vec![critical("a", Some(100.0)), critical("b", Some(99.9))],
        );
        let d = Diff::new(&base, &new_gap, &gates);
        assert!(!d.passed);
        assert_eq!(d.gates[0].gate, "fail-on-new-critical");
        assert_eq!(d.gates[0].items, ["c/b"]);
        assert_eq!(
            d.gates[0].detail,
            "1 new critical gap that Q3 did not have: c/b (99.9)"
        );
    }

    #[test]
    fn gates_appear_in_a_fixed_order_and_all_must_pass() {
        let gates = Gates {
            fail_below: Some(50.0),
            max_drop: Some(1.0),
            max_item_drop: Some(1.0),
            fail_on_new_critical: true,
            ..Gates::default()
        };
        let d = Diff::new(
            &overall("Q3", Some(60.0)),
            &overall("Q4", Some(55.0)),
            &gates,
        );
        let names: Vec<(&str, bool)> = d.gates.iter().map(|g| (g.gate, g.passed)).collect();
        assert_eq!(
            names,
            [
                ("fail-below", true),
                ("max-drop", false),
                ("max-item-drop", false),
                ("fail-on-new-critical", true)
            ]
        );
        assert!(!d.passed);
        assert_eq!(d.failed_gates().count(), 2);
        assert_eq!(
            d.gates[1].detail,
            "overall score fell 5.0 points (60.0 → 55.0), more than 1"
        );
    }

    #[test]
    fn a_figure_never_looks_equal_to_a_limit_it_differs_from() {
        assert_eq!(figure(5.04, 5.0), "5.04");
        assert_eq!(figure(5.000000000000007, 5.0), "5.0");
        assert_eq!(figure(7.25, 5.0), "7.2");
        assert_eq!(limit(5.0), "5");
        assert_eq!(limit(2.5), "2.5");
    }

    #[test]
    fn a_report_diffed_with_itself_is_all_unchanged_and_passes_every_gate() {
        let r = simple(
            "Q4",
            vec![
                item("a", Some(50.0)),
                critical("b", Some(20.0)),
                item("c", None),
            ],
        );
        let gates = Gates {
            fail_below: Some(0.0),
            max_drop: Some(0.0),
            max_item_drop: Some(0.0),
            fail_on_new_critical: true,
            ..Gates::default()
        };
        let d = Diff::new(&r, &r, &gates);
        assert!(d.items.iter().all(|i| i.status == Status::Unchanged));
        assert!(d.checklists.iter().all(|c| c.status == Status::Unchanged));
        assert!(d.sections.iter().all(|s| s.status == Status::Unchanged));
        assert_eq!(d.gates.len(), 4);
        assert!(d.passed && d.gates.iter().all(|g| g.passed));
        assert!(d.critical_gaps.new.is_empty() && d.critical_gaps.resolved.is_empty());
    }
}
