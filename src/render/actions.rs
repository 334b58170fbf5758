//! Actions and targets (SPEC §12): the words for a part, a status and a progress, and the
//! groups of a part's actions (open ones first, as `actions` orders them), which
//! `layout::actions` (terminal and Markdown) and the HTML views below share.

use super::{delta, score};
use crate::actions::{ActionDelta, ActionEntry, PartRef};
use crate::diff::Diff;
use crate::model::report::Report;

/// `item`, `section` or `checklist` with the part's title, as a heading line names it.
pub(super) fn part_label(part: &PartRef, title: &str) -> String {
    if title.is_empty() || title == part.path() {
        format!("{} {}", part.kind(), part.path())
    } else {
        format!("{} {}: {}", part.kind(), part.path(), title)
    }
}

/// A ratio as a percentage of the way, one decimal: 0.55 → `55.1 %`.
pub fn progress(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{:.1} %", p * 100.0),
        None => "—".to_string(),
    }
}

pub(super) fn status_text(status: &str, overdue: bool) -> String {
    if overdue {
        format!("{status}, overdue")
    } else {
        status.to_string()
    }
}

/// Groups of consecutive entries on the same part (the entries come sorted by part).
pub(super) fn by_part<T>(entries: &[T], part: impl Fn(&T) -> &PartRef) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || part(&entries[i]) != part(&entries[start]) {
            if start < i {
                out.push(&entries[start..i]);
            }
            start = i;
        }
    }
    out
}

pub(super) fn overdue_count(actions: &[ActionEntry]) -> usize {
    actions.iter().filter(|a| a.overdue).count()
}

pub(super) fn open_count(actions: &[ActionEntry]) -> usize {
    actions.iter().filter(|a| a.status.is_open()).count()
}

pub(super) fn action_line(a: &ActionDelta) -> String {
    let mut s = format!(
        "{}: {} [{}]",
        a.id,
        a.what,
        status_text(a.status.as_str(), a.overdue)
    );
    if let Some(o) = &a.owner {
        s.push_str(&format!(" · {o}"));
    }
    if let Some(d) = &a.due {
        s.push_str(&format!(" · due {d}"));
    }
    s
}

/// The report page's "Actions" panel: open actions (overdue first) with their owners, and the targets.
#[derive(serde::Serialize)]
pub(super) struct HtmlActions {
    pub(super) open: Vec<HtmlAction>,
    pub(super) overdue: usize,
    /// `2 done, 1 dropped`, for the line under the list.
    pub(super) closed: String,
    pub(super) targets: Vec<HtmlTarget>,
}

#[derive(serde::Serialize)]
pub(super) struct HtmlAction {
    pub(super) id: String,
    pub(super) what: String,
    pub(super) part: String,
    pub(super) status: &'static str,
    pub(super) overdue: bool,
    pub(super) owner: Option<String>,
    pub(super) due: Option<String>,
    pub(super) score: String,
}

#[derive(serde::Serialize)]
pub(super) struct HtmlTarget {
    pub(super) part: String,
    pub(super) target: String,
    pub(super) now: String,
    pub(super) met: bool,
    pub(super) overdue: bool,
    pub(super) due: Option<String>,
    pub(super) progress: Option<String>,
}

/// The panel's view; None without an actions file.
pub(super) fn html_panel(report: &Report) -> Option<HtmlActions> {
    use crate::text::page_safe;
    let actions = report.actions.as_ref()?;
    let mut open: Vec<&ActionEntry> = actions.iter().filter(|a| a.status.is_open()).collect();
    open.sort_by_key(|a| !a.overdue);
    let done = actions
        .iter()
        .filter(|a| a.status == crate::actions::Status::Done)
        .count();
    let dropped = actions
        .iter()
        .filter(|a| a.status == crate::actions::Status::Dropped)
        .count();
    Some(HtmlActions {
        overdue: overdue_count(actions),
        closed: format!("{done} done, {dropped} dropped"),
        open: open.into_iter().map(html_action).collect(),
        targets: report
            .targets
            .iter()
            .flatten()
            .map(|t| HtmlTarget {
                part: page_safe(&part_label(&t.part, &t.title)),
                target: score(Some(t.score)),
                now: score(t.now),
                met: t.met,
                overdue: t.overdue,
                due: t.due.clone(),
                progress: t.progress.map(|p| progress(Some(p))),
            })
            .collect(),
    })
}

/// The targets on checklists and sections, for a tick on their bars: (checklist, section) → score.
pub(super) fn bar_targets(report: &Report) -> Vec<(String, Option<String>, f64)> {
    report
        .targets
        .iter()
        .flatten()
        .filter_map(|t| match &t.part {
            PartRef::Checklist(c) => Some((c.clone(), None, t.score)),
            PartRef::Section(p) => p
                .split_once('/')
                .map(|(c, s)| (c.to_string(), Some(s.to_string()), t.score)),
            PartRef::Item(_) => None,
        })
        .collect()
}

/// The diff page's "Actions" card: the means sentence, each action with its part's change, the targets.
#[derive(serde::Serialize)]
pub(super) struct HtmlDiffActions {
    pub(super) summary: String,
    pub(super) actions: Vec<HtmlDiffAction>,
    pub(super) targets: Vec<HtmlDiffTarget>,
}

#[derive(serde::Serialize)]
pub(super) struct HtmlDiffAction {
    pub(super) id: String,
    pub(super) what: String,
    pub(super) part: String,
    pub(super) status: &'static str,
    pub(super) overdue: bool,
    pub(super) owner: Option<String>,
    pub(super) due: Option<String>,
    pub(super) base: String,
    pub(super) new: String,
    pub(super) delta: String,
}

#[derive(serde::Serialize)]
pub(super) struct HtmlDiffTarget {
    pub(super) part: String,
    pub(super) target: String,
    pub(super) base: String,
    pub(super) new: String,
    pub(super) met: bool,
    pub(super) overdue: bool,
    pub(super) due: Option<String>,
    pub(super) progress: String,
}

/// The card's view; None without an actions file.
pub(super) fn html_diff(diff: &Diff) -> Option<HtmlDiffActions> {
    use crate::text::page_safe;
    let ad = diff.actions.as_ref()?;
    Some(HtmlDiffActions {
        summary: page_safe(&crate::text::capitalise(&ad.summary)),
        actions: ad
            .actions
            .iter()
            .map(|a| HtmlDiffAction {
                id: page_safe(&a.id),
                what: page_safe(&a.what),
                part: page_safe(&part_label(&a.part, &a.title)),
                status: a.status.as_str(),
                overdue: a.overdue,
                owner: a.owner.as_deref().map(page_safe),
                due: a.due.clone(),
                base: score(a.base),
                new: score(a.new),
                delta: delta(a.delta),
            })
            .collect(),
        targets: ad
            .targets
            .iter()
            .map(|t| HtmlDiffTarget {
                part: page_safe(&part_label(&t.part, &t.title)),
                target: score(Some(t.score)),
                base: score(t.base),
                new: score(t.new),
                met: t.met,
                overdue: t.overdue,
                due: t.due.clone(),
                progress: progress(t.progress),
            })
            .collect(),
    })
}

fn html_action(a: &ActionEntry) -> HtmlAction {
    use crate::text::page_safe;
    HtmlAction {
        id: page_safe(&a.id),
        what: page_safe(&a.what),
        part: page_safe(&part_label(&a.part, &a.title)),
        status: a.status.as_str(),
        overdue: a.overdue,
        owner: a.owner.as_deref().map(page_safe),
        due: a.due.clone(),
        score: score(a.score),
    }
}

/// Every action of the report by its part (`item`, `section` or `checklist`, and its path),
/// in the report's order (open ones first), to show under the part it is about.
pub(super) fn html_by_part(
    report: &Report,
) -> std::collections::HashMap<(&'static str, String), Vec<HtmlAction>> {
    let mut out: std::collections::HashMap<(&'static str, String), Vec<HtmlAction>> =
        std::collections::HashMap::new();
    for a in report.actions.iter().flatten() {
        out.entry((a.part.kind(), a.part.path().to_string()))
            .or_default()
            .push(html_action(a));
    }
    out
}

/// An item's target, shown beside its score (items have no bar to tick).
#[derive(serde::Serialize)]
pub(super) struct HtmlItemTarget {
    pub(super) score: String,
    pub(super) met: bool,
    pub(super) overdue: bool,
}

/// The targets on items by `CHECKLIST/ITEM`; the first of several on one item.
pub(super) fn html_item_targets(
    report: &Report,
) -> std::collections::HashMap<String, HtmlItemTarget> {
    let mut out = std::collections::HashMap::new();
    for t in report.targets.iter().flatten() {
        if let PartRef::Item(path) = &t.part {
            out.entry(path.clone()).or_insert(HtmlItemTarget {
                score: score(Some(t.score)),
                met: t.met,
                overdue: t.overdue,
            });
        }
    }
    out
}
