//! The team list's parts of a report (SPEC §10) in every text format: response rate, who is
//! missing, the role groups side by side, and the perception gaps. Shared by table, Markdown
//! and HTML, so they tell the same story.

use comfy_table::{Attribute, Cell, CellAlignment};
use serde::Serialize;

use super::score;
use super::table::{Style, new_table, score_cell};
use crate::text::plural;
use std::collections::HashMap;

use crate::model::report::{Group, ItemReport, PerceptionGap, Report, ResponseRate, Unlisted};
use crate::text::{markdown_escape as esc, page_safe, terminal_safe};

/// "5 of 7 answered (71.4%)".
pub fn rate_text(r: &ResponseRate) -> String {
    match r.percent() {
        Some(p) => format!("{} of {} answered ({p:.1}%)", r.answered, r.expected),
        None => format!("{} of {} answered", r.answered, r.expected),
    }
}

/// A group's column heading: its title and size.
fn label(g: &Group) -> String {
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
struct Row<'r> {
    checklist: bool,
    title: &'r str,
    all: Option<f64>,
    /// `None` where the group is withheld.
    groups: Vec<Option<Option<f64>>>,
}

fn rows(report: &Report) -> Vec<Row<'_>> {
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
struct Places<'r>(HashMap<(&'r str, &'r str), (usize, usize, &'r ItemReport)>);

impl<'r> Places<'r> {
    fn new(report: &'r Report) -> Self {
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
    fn text<'g>(&self, gap: &'g PerceptionGap) -> &'g str
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
fn role_title<'r>(report: &'r Report, role: &'r str) -> &'r str {
    report
        .groups
        .iter()
        .find(|g| g.role == role)
        .map_or(role, |g| g.title_or_role())
}

fn unlisted_text(u: &Unlisted) -> String {
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
fn no_gaps(report: &Report) -> &'static str {
    if report.groups.iter().filter(|g| !g.withheld).count() < 2 {
        "fewer than two groups to compare"
    } else {
        "no item's group scores lie 25 points or more apart"
    }
}

/// The terminal's team block; empty without a team list or groups.
pub fn table(report: &Report, style: Style) -> String {
    let mut out = String::new();
    if let Some(r) = &report.response_rate {
        out.push_str(&format!("\nResponse rate: {}\n", rate_text(r)));
        if let Some(missing) = &r.missing
            && !missing.is_empty()
        {
            out.push_str(&format!(
                "Not answered yet: {}\n",
                terminal_safe(&missing.join(", "))
            ));
        }
    }
    if let Some(u) = &report.unlisted {
        out.push_str(&format!(
            "Not on the team list (scored all the same): {}\n",
            terminal_safe(&unlisted_text(u))
        ));
    }
    if report.groups.is_empty() {
        return out;
    }
    out.push_str("\nGroups side by side\n");
    let mut t = new_table(style);
    let mut header = vec!["Checklist / section".to_string(), "All".to_string()];
    header.extend(report.groups.iter().map(|g| terminal_safe(&label(g))));
    t.set_header(header);
    for row in rows(report) {
        let title = if row.checklist {
            Cell::new(terminal_safe(row.title)).add_attribute(Attribute::Bold)
        } else {
            Cell::new(format!("  {}", terminal_safe(row.title)))
        };
        let mut cells = vec![title, score_cell(row.all, style)];
        cells.extend(row.groups.iter().map(|g| match g {
            Some(s) => score_cell(*s, style),
            None => Cell::new("withheld").set_alignment(CellAlignment::Right),
        }));
        t.add_row(cells);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    if report.groups.iter().any(|g| g.withheld) {
        out.push_str("Withheld: groups too small to show without revealing who answered what.\n");
    }
    if report.perception_gaps.is_empty() {
        out.push_str(&format!("\nPerception gaps: none ({})\n", no_gaps(report)));
    } else {
        out.push_str("\nPerception gaps (group scores 25 points or more apart)\n");
        let mut t = new_table(style);
        t.set_header(vec!["Gap", "Item", "Checklist", "Highest", "Lowest"]);
        let places = Places::new(report);
        for g in &report.perception_gaps {
            t.add_row(vec![
                Cell::new(score(Some(g.gap))).set_alignment(CellAlignment::Right),
                Cell::new(terminal_safe(places.text(g))),
                Cell::new(terminal_safe(&g.checklist)),
                Cell::new(terminal_safe(&format!(
                    "{} {}",
                    role_title(report, &g.high.role),
                    score(Some(g.high.score))
                ))),
                Cell::new(terminal_safe(&format!(
                    "{} {}",
                    role_title(report, &g.low.role),
                    score(Some(g.low.score))
                ))),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out
}

/// The Markdown team block; empty without a team list or groups.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    if report.response_rate.is_some() || report.unlisted.is_some() {
        out.push_str("\n## Response rate\n\n");
        if let Some(r) = &report.response_rate {
            out.push_str(&format!("**{}**\n", rate_text(r)));
            if let Some(missing) = &r.missing
                && !missing.is_empty()
            {
                let names: Vec<String> = missing.iter().map(|m| esc(m)).collect();
                out.push_str(&format!("\nNot answered yet: {}\n", names.join(", ")));
            }
        }
        if let Some(u) = &report.unlisted {
            let text = match u {
                Unlisted::Names(names) => {
                    names.iter().map(|n| esc(n)).collect::<Vec<_>>().join(", ")
                }
                Unlisted::Count(_) => unlisted_text(u),
            };
            out.push_str(&format!(
                "\nNot on the team list (scored all the same): {text}\n"
            ));
        }
    }
    if report.groups.is_empty() {
        return out;
    }
    out.push_str("\n## Groups side by side\n\n| Checklist | Section | All |");
    for g in &report.groups {
        out.push_str(&format!(" {} |", esc(&label(g))));
    }
    out.push_str("\n|---|---|--:|");
    out.push_str(&"--:|".repeat(report.groups.len()));
    out.push('\n');
    for row in rows(report) {
        let (c, s, all) = if row.checklist {
            (
                format!("**{}**", esc(row.title)),
                String::new(),
                format!("**{}**", score(row.all)),
            )
        } else {
            (String::new(), esc(row.title), score(row.all))
        };
        out.push_str(&format!("| {c} | {s} | {all} |"));
        for g in &row.groups {
            match g {
                Some(v) => out.push_str(&format!(" {} |", score(*v))),
                None => out.push_str(" *withheld* |"),
            }
        }
        out.push('\n');
    }
    if report.groups.iter().any(|g| g.withheld) {
        out.push_str(
            "\n*Withheld*: groups too small to show without revealing who answered what.\n",
        );
    }
    out.push_str("\n## Perception gaps\n\n");
    if report.perception_gaps.is_empty() {
        out.push_str(&format!("None: {}.\n", no_gaps(report)));
    } else {
        out.push_str("Items whose group scores lie 25 points or more apart: where the groups see the business differently.\n\n| Gap | Item | Checklist | Highest | Lowest |\n|--:|---|---|---|---|\n");
        let places = Places::new(report);
        for g in &report.perception_gaps {
            out.push_str(&format!(
                "| {} | {} | {} | {} {} | {} {} |\n",
                score(Some(g.gap)),
                esc(places.text(g)),
                esc(&g.checklist),
                esc(role_title(report, &g.high.role)),
                score(Some(g.high.score)),
                esc(role_title(report, &g.low.role)),
                score(Some(g.low.score)),
            ));
        }
    }
    out
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
