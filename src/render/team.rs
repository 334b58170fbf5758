//! The team list's parts of a report (SPEC §10): the rows of the groups side by side, the
//! words for the response rate, the unlisted and the lack of gaps, which `layout::report`
//! (terminal and Markdown) and the HTML page's view below share, so they tell the same story.

use serde::Serialize;

use super::score;
use crate::text::plural;
use std::collections::HashMap;

use crate::model::report::{Group, ItemReport, PerceptionGap, Report, ResponseRate, Unlisted};
use crate::text::page_safe;

/// "5 of 7 answered (71.4%)".
pub fn rate_text(r: &ResponseRate) -> String {
    match r.percent() {
        Some(p) => format!("{} of {} answered ({p:.1}%)", r.answered, r.expected),
        None => format!("{} of {} answered", r.answered, r.expected),
    }
}

/// A group's column heading: its title and size.
pub(super) fn label(g: &Group) -> String {
    format!("{} (n={})", g.title_or_role(), g.n)
}

trait TitleOrRole {
    fn title_or_role(&self) -> &str;
}

impl TitleOrRole for Group {
    fn title_or_role(&self) -> &str {
        if self.title.trim().is_empty() {
            &self.role
        } else {
            &self.title
        }
    }
}

/// One row of the side-by-side table: a checklist or a section, the team's score and each group's.
pub(super) struct Row<'r> {
    pub(super) checklist: bool,
    pub(super) title: &'r str,
    pub(super) all: Option<f64>,
    /// `None` where the group is withheld.
    pub(super) groups: Vec<Option<Option<f64>>>,
}

pub(super) fn rows(report: &Report) -> Vec<Row<'_>> {
    let mut out = Vec::new();
    for (ci, c) in report.checklists.iter().enumerate() {
        let of = |g: &Group, f: &dyn Fn(&crate::model::report::GroupChecklist) -> Option<f64>| {
            if g.withheld {
                None
            } else {
                Some(g.checklists.get(ci).and_then(f))
            }
        };
        out.push(Row {
            checklist: true,
            title: crate::text::title_or_id(&c.title, &c.id),
            all: c.score,
            groups: report
                .groups
                .iter()
                .map(|g| of(g, &|gc| gc.score))
                .collect(),
        });
        for (si, s) in c.sections.iter().enumerate() {
            out.push(Row {
                checklist: false,
                title: crate::text::title_or_id(&s.title, &s.id),
                all: s.score,
                groups: report
                    .groups
                    .iter()
                    .map(|g| of(g, &|gc| gc.sections.get(si).and_then(|x| x.score)))
                    .collect(),
            });
        }
    }
    out
}

/// Where each item sits: (checklist id, item id) → (checklist index, item index in it), so
/// that a long list of gaps finds its items in linear time.
pub(super) struct Places<'r>(HashMap<(&'r str, &'r str), (usize, usize, &'r ItemReport)>);

impl<'r> Places<'r> {
    pub(super) fn new(report: &'r Report) -> Self {
        let mut map = HashMap::new();
        for (ci, c) in report.checklists.iter().enumerate() {
            for (ii, i) in c.sections.iter().flat_map(|s| &s.items).enumerate() {
                map.entry((c.id.as_str(), i.id.as_str()))
                    .or_insert((ci, ii, i));
            }
        }
        Places(map)
    }

    fn of(&self, gap: &PerceptionGap) -> Option<(usize, usize, &'r ItemReport)> {
        self.0
            .get(&(gap.checklist.as_str(), gap.item.as_str()))
            .copied()
    }

    /// The item's text for a gap, else its id.
    pub(super) fn text<'g>(&self, gap: &'g PerceptionGap) -> &'g str
    where
        'r: 'g,
    {
        match self.of(gap) {
            Some((_, _, i)) if !i.text.is_empty() => &i.text,
            _ => &gap.item,
        }
    }
}

/// A role's title as the report's groups give it.
pub(super) fn role_title<'r>(report: &'r Report, role: &'r str) -> &'r str {
    report
        .groups
        .iter()
        .find(|g| g.role == role)
        .map_or(role, |g| g.title_or_role())
}

pub(super) fn unlisted_text(u: &Unlisted) -> String {
    match u {
        Unlisted::Names(names) => names.join(", "),
        Unlisted::Count(n) => plural(
            usize::try_from(*n).unwrap_or(usize::MAX),
            "respondent",
            "respondents",
        ),
    }
}

/// Why there is no perception gap.
pub(super) fn no_gaps(report: &Report) -> &'static str {
    if report.groups.iter().filter(|g| !g.withheld).count() < 2 {
        "fewer than two groups to compare"
    } else {
        "no item's group scores lie 25 points or more apart"
    }
}

/// What the HTML page shows of the team: plain strings, escaped by the template, and the
/// gap lines' SVG, escaped here.
#[derive(Serialize)]
pub struct TeamView {
    pub rate: Option<String>,
    pub missing: Vec<String>,
    pub anonymous: bool,
    pub unlisted: Option<String>,
    pub groups: Vec<GroupColumn>,
    pub rows: Vec<GroupRow>,
    pub any_withheld: bool,
    pub gaps: Vec<GapView>,
    pub legend: Vec<LegendEntry>,
    /// Why there is no perception gap, when there is none.
    pub no_gaps: &'static str,
}

#[derive(Serialize)]
pub struct GroupColumn {
    pub label: String,
}

#[derive(Serialize)]
pub struct GroupRow {
    pub checklist: bool,
    pub title: String,
    pub all: String,
    /// Each group's score text, or "withheld".
    pub groups: Vec<String>,
}

#[derive(Serialize)]
pub struct GapView {
    pub text: String,
    pub checklist: String,
    pub gap: String,
    pub dots_svg: String,
    /// Each group's score in words, so the dots' colours are not the only key to them.
    pub caption: String,
}

#[derive(Serialize)]
pub struct LegendEntry {
    pub label: String,
    pub swatch_svg: String,
}

/// Distinct shapes' colours for up to eight groups, readable on light and dark backgrounds.
const DOT_COLOURS: [&str; 8] = [
    "#2563eb", "#d9480f", "#0f9d58", "#9333ea", "#b8860b", "#0e7490", "#be185d", "#4b5563",
];

fn dot_colour(i: usize) -> &'static str {
    DOT_COLOURS[i % DOT_COLOURS.len()]
}

/// The team view of the page; `None` when the report has nothing of the team.
pub fn html_view(report: &Report) -> Option<TeamView> {
    if report.response_rate.is_none() && report.unlisted.is_none() && report.groups.is_empty() {
        return None;
    }
    let shown: Vec<(usize, &Group)> = report
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.withheld)
        .collect();
    let places = Places::new(report);
    let gaps = report
        .perception_gaps
        .iter()
        .map(|gap| {
            let text = places.text(gap);
            let item_at = places.of(gap).map(|(ci, ii, _)| (ci, ii));
            let dots: Vec<(usize, String, f64)> = shown
                .iter()
                .filter_map(|(i, g)| {
                    let (ci, ii) = item_at?;
                    let s = g.checklists.get(ci)?.items.get(ii)?.score?;
                    Some((*i, page_safe(g.title_or_role()), s))
                })
                .collect();
            GapView {
                text: page_safe(text),
                checklist: page_safe(&gap.checklist),
                gap: score(Some(gap.gap)),
                dots_svg: dot_line(text, &dots),
                caption: page_safe(
                    &dots
                        .iter()
                        .map(|(_, t, s)| format!("{t} {}", score(Some(*s))))
                        .collect::<Vec<_>>()
                        .join(" · "),
                ),
            }
        })
        .collect();
    Some(TeamView {
        rate: report.response_rate.as_ref().map(rate_text),
        missing: report
            .response_rate
            .as_ref()
            .and_then(|r| r.missing.as_ref())
            .map(|m| m.iter().map(|n| page_safe(n)).collect())
            .unwrap_or_default(),
        anonymous: report.anonymous,
        unlisted: report.unlisted.as_ref().map(|u| page_safe(&unlisted_text(u))),
        groups: report
            .groups
            .iter()
            .map(|g| GroupColumn {
                label: page_safe(&label(g)),
            })
            .collect(),
        rows: rows(report)
            .into_iter()
            .map(|r| GroupRow {
                checklist: r.checklist,
                title: page_safe(r.title),
                all: score(r.all),
                groups: r
                    .groups
                    .iter()
                    .map(|g| g.map_or_else(|| "withheld".to_string(), score))
                    .collect(),
            })
            .collect(),
        any_withheld: report.groups.iter().any(|g| g.withheld),
        gaps,
        no_gaps: no_gaps(report),
        legend: shown
            .iter()
            .map(|(i, g)| LegendEntry {
                label: page_safe(g.title_or_role()),
                swatch_svg: format!(
                    r#"<svg class="dot-swatch" viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="4.5" fill="{}"/></svg>"#,
                    dot_colour(*i)
                ),
            })
            .collect(),
    })
}

/// One line from 0 to 100 with a dot per group at its score: the distance shows at a glance.
/// The SVG is an image with a text alternative naming every group's score. Positions are
/// percentages of its width (inset by `DOT_INSET` so end dots are whole), so the dots stay
/// round at any width.
fn dot_line(item: &str, dots: &[(usize, String, f64)]) -> String {
    use crate::text::html_escape;
    let at = |s: f64| DOT_INSET + s.clamp(0.0, 100.0) * (100.0 - 2.0 * DOT_INSET) / 100.0;
    let alt: Vec<String> = dots
        .iter()
        .map(|(_, title, s)| format!("{title} {}", score(Some(*s))))
        .collect();
    let mut out = format!(
        r#"<svg class="dots" width="100%" height="20" role="img" aria-label="{}"><title>{}</title><line class="track-line" x1="{:.2}%" x2="{:.2}%" y1="10" y2="10"/>"#,
        html_escape(&page_safe(&format!("{item}: {}", alt.join(", ")))),
        html_escape(&page_safe(&alt.join(", "))),
        at(0.0),
        at(100.0)
    );
    for tick in [0.0, 50.0, 100.0] {
        out.push_str(&format!(
            r#"<line class="tick" x1="{x:.2}%" x2="{x:.2}%" y1="5" y2="15"/>"#,
            x = at(tick)
        ));
    }
    for (i, _, s) in dots {
        out.push_str(&format!(
            r#"<circle cx="{:.2}%" cy="10" r="5" fill="{}"/>"#,
            at(*s),
            dot_colour(*i)
        ));
    }
    out.push_str("</svg>");
    out
}

/// How far in from each end, in percent of the line's width, 0 and 100 sit.
const DOT_INSET: f64 = 2.5;
