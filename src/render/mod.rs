//! Renderers: each format turns a model into text; `load::write_output` writes it.

pub mod csv;
pub mod diff;
pub mod diff_html;
pub mod html;
pub mod json;
pub mod markdown;
pub mod svg;
pub mod table;
pub mod trend;
pub mod xlsx;

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

/// An item with where it sits, for the lists of weakest and split items.
pub struct Located<'r> {
    pub checklist: &'r ChecklistReport,
    pub section: &'r SectionReport,
    pub item: &'r ItemReport,
}

/// The `top` lowest-scoring items that have a score, weakest first (ties: checklist order).
pub fn weakest(report: &Report, top: usize) -> Vec<Located<'_>> {
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

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
