//! Renderers: each format turns a model into text; `load::write_output` writes it.

pub mod actions;
pub mod csv;
pub mod diff;
pub mod diff_html;
pub mod html;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod paper;
pub mod plan;
pub mod svg;
pub mod table;
pub mod team;
pub mod trend;
pub mod xlsx;

use std::collections::HashMap;

use crate::diff::{Diff, GateResult, ItemDelta, Status};
use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};

/// A score as tables and Markdown show it: one decimal, or a dash when undefined.
pub fn score(s: Option<f64>) -> String {
    match s {
        Some(s) => format!("{s:.1}"),
        None => "—".to_string(),
    }
}

/// A change in points as tables and Markdown show it: `+5.5`, `-3.0`, `0.0`, or a dash when undefined.
pub fn delta(d: Option<f64>) -> String {
    match d {
        Some(d) => match format!("{d:+.1}").as_str() {
            "+0.0" | "-0.0" => "0.0".to_string(),
            s => s.to_string(),
        },
        None => "—".to_string(),
    }
}

/// A change as a cell shows it: the delta, or what happened when there is none to show.
pub fn change(d: Option<f64>, status: Status) -> String {
    match (d, status) {
        (_, Status::Added) => "added".to_string(),
        (_, Status::Removed) => "removed".to_string(),
        // A change just at the threshold must not read as 0.0.
        (Some(d), Status::Improved | Status::Regressed) if delta(Some(d)) == "0.0" => {
            format!("{d:+.2}")
        }
        (d, _) => delta(d),
    }
}

/// Titles of checklists and sections, to say where an item sits.
pub struct Titles<'d> {
    checklists: HashMap<&'d str, &'d str>,
    sections: HashMap<(&'d str, &'d str), &'d str>,
}

impl<'d> Titles<'d> {
    pub fn new(diff: &'d Diff) -> Self {
        Titles {
            checklists: diff
                .checklists
                .iter()
                .map(|c| (c.id.as_str(), c.title.as_str()))
                .collect(),
            sections: diff
                .sections
                .iter()
                .map(|s| ((s.checklist.as_str(), s.id.as_str()), s.title.as_str()))
                .collect(),
        }
    }

    pub fn checklist(&self, id: &'d str) -> &'d str {
        self.checklists.get(id).copied().unwrap_or(id)
    }

    pub fn place(&self, i: &'d ItemDelta) -> String {
        let section = self
            .sections
            .get(&(i.checklist.as_str(), i.section.as_str()))
            .copied()
            .unwrap_or(&i.section);
        format!("{} › {section}", self.checklist(&i.checklist))
    }
}

/// A gate's limit as the outputs show it, `60`, or nothing for a gate without one.
pub fn gate_limit(g: &GateResult) -> String {
    g.gate.limit_text(g.limit)
}

/// An item with where it sits, for the lists of weakest and split items.
pub struct Located<'r> {
    pub checklist: &'r ChecklistReport,
    pub section: &'r SectionReport,
    pub item: &'r ItemReport,
}

/// The `top` lowest-scoring items that have a score, weakest first (ties: checklist order).
pub fn weakest(report: &Report, top: usize) -> Vec<Located<'_>> {
    let mut items = lowest(report, usize::MAX);
    // An item at the top of its scale is nobody's weakest, however few items there are.
    items.retain(|l| l.item.score.is_some_and(|s| s < 100.0 - 1e-9));
    items.truncate(top);
    items
}

/// The `top` lowest-scored items, whatever their scores (`plan` numbers its proposals by it).
pub fn lowest(report: &Report, top: usize) -> Vec<Located<'_>> {
    let mut items: Vec<Located> = report
        .items()
        .filter(|(_, _, i)| i.score.is_some())
        .map(|(checklist, section, item)| Located {
            checklist,
            section,
            item,
        })
        .collect();
    items.sort_by(|a, b| {
        a.item
            .score
            .unwrap_or(0.0)
            .total_cmp(&b.item.score.unwrap_or(0.0))
    });
    items.truncate(top);
    items
}

pub fn split_items(report: &Report) -> Vec<Located<'_>> {
    report
        .items()
        .filter(|(_, _, i)| i.split)
        .map(|(checklist, section, item)| Located {
            checklist,
            section,
            item,
        })
        .collect()
}

/// The answers of an item as `key ×count` in the scale's order, `n/a` last.
pub fn distribution(item: &ItemReport) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = item
        .scale
        .iter()
        .filter_map(|p| item.choices.get(&p.key).map(|c| (p.key.clone(), *c)))
        .collect();
    // Keys not on the recorded scale (a report from elsewhere) still count.
    for (k, c) in &item.choices {
        if !out.iter().any(|(key, _)| key == k) {
            out.push((k.clone(), *c));
        }
    }
    if let Some(pos) = out.iter().position(|(k, _)| k == crate::model::scale::NA) {
        let na = out.remove(pos);
        out.push(na);
    }
    out
}

/// §14: a score with its 95 % margin of error, `72.5 ± 6.1`; the score alone when the margin
/// is undefined (too few respondents), a dash when the score is.
pub fn score_moe(s: Option<f64>, moe: Option<f64>) -> String {
    match (s, moe) {
        (Some(_), Some(h)) => format!("{} ± {h:.1}", score(s)),
        _ => score(s),
    }
}

/// §14: how far a team agrees on an item, from its r_wg: strong (≥ 0.7), moderate (0.5–0.7)
/// or weak (< 0.5); `None` when r_wg is undefined (fewer than two answers).
pub fn agreement(rwg: Option<f64>) -> Option<&'static str> {
    let r = rwg?;
    Some(if r >= 0.7 {
        "strong"
    } else if r >= 0.5 {
        "moderate"
    } else {
        "weak"
    })
}

/// §14: an item's agreement as tables and Markdown show it, `weak (0.31)`, or a dash.
pub fn agreement_label(rwg: Option<f64>) -> String {
    match (agreement(rwg), rwg) {
        (Some(word), Some(r)) => format!("{word} ({r:.2})"),
        _ => "—".to_string(),
    }
}

/// §14: a checklist's reliability as tables and Markdown show it, `α 0.81`, or a dash.
pub fn alpha_label(alpha: Option<f64>) -> String {
    match alpha {
        Some(a) => format!("α {a:.2}"),
        None => "—".to_string(),
    }
}

/// The sentence a report gives when checklists were named but not answered at all (what
/// `report.unanswered` holds), in plain text for each format to make safe; else `None`.
pub fn unanswered_note(report: &Report) -> Option<String> {
    unanswered_parts(report).map(|(names, rest)| format!("No answers at all to {names}{rest}."))
}

/// That sentence's parts: the checklists' names (user text), then our words after them.
pub fn unanswered_parts(report: &Report) -> Option<(String, &'static str)> {
    let names: Vec<String> = report
        .unanswered
        .iter()
        .map(|u| {
            if u.title.is_empty() || u.title == u.id {
                u.id.clone()
            } else {
                format!("{} ({})", u.title, u.id)
            }
        })
        .collect();
    let rest = match names.len() {
        0 => return None,
        1 => ": it is not in this report, and its critical items are not checked",
        _ => ": they are not in this report, and their critical items are not checked",
    };
    Some((names.join(", "), rest))
}

/// §14: whether any score of the report has a margin or any item an agreement, so that the
/// legend explaining them is worth a line.
pub fn has_honest_figures(report: &Report) -> bool {
    report.moe.is_some()
        || report.checklists.iter().any(|c| c.moe.is_some())
        || report
            .items()
            .any(|(_, s, i)| s.moe.is_some() || i.moe.is_some() || i.rwg.is_some())
}

/// §14: the one line under a report's scores that says what `±` and agreement mean.
pub const HONEST_LEGEND: &str = "± is the 95 % margin of error; agreement within an item is strong at r_wg ≥ 0.7, moderate at 0.5–0.7, weak below (see docs/honest-numbers.md)";

#[cfg(test)]
mod honest_tests {
    use super::*;

    #[test]
    fn margins_and_agreement_read_as_words() {
        assert_eq!(score_moe(Some(72.5), Some(6.05)), "72.5 ± 6.0");
        assert_eq!(score_moe(Some(72.5), None), "72.5");
        assert_eq!(score_moe(None, Some(1.0)), "—");
        assert_eq!(agreement(Some(0.7)), Some("strong"));
        assert_eq!(agreement(Some(0.6999)), Some("moderate"));
        assert_eq!(agreement(Some(0.5)), Some("moderate"));
        assert_eq!(agreement(Some(0.4999)), Some("weak"));
        assert_eq!(agreement(None), None);
        assert_eq!(agreement_label(Some(0.3125)), "weak (0.31)");
        assert_eq!(alpha_label(Some(-0.125)), "α -0.12");
    }
}
