//! The HTML format: one self-contained page with inline CSS and SVG charts, no script, nothing fetched.
//!
//! The report becomes a plain view (strings cleaned of control and bidi-override characters,
//! scores formatted, charts drawn by `svg`), and a minijinja template lays it out. The template's
//! name ends in `.html`, so minijinja escapes every value it prints; only the `*_svg` fields,
//! built by `svg` with their own escaping, are inserted as they are.

use std::collections::HashMap;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::svg::{self, Fill, Segment};
use super::{distribution, score as score_text, split_items, weakest};
use crate::diff::{self, Counterparts, Status};
use crate::error::{Error, Result};
use crate::model::report::{ItemReport, Report, ScalePoint};
use crate::model::scale::NA;
use crate::text::page_safe;
use crate::text::plural;

const TEMPLATES: [(&str, &str); 8] = [
    ("page.html", include_str!("templates/page.html")),
    ("report.html", include_str!("templates/report.html")),
    ("diff.html", include_str!("templates/diff.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("style.css", include_str!("templates/style.css")),
    ("diff.css", include_str!("templates/diff.css")),
    ("paper.html", include_str!("templates/paper.html")),
    ("paper.css", include_str!("templates/paper.css")),
];

/// The page's template environment: strict about undefined values, escaping `.html` templates.
fn environment() -> std::result::Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// The report as one HTML page; with a baseline, every score shows its change since then.
pub fn report(report: &Report, baseline: Option<&Report>, top: usize) -> Result<String> {
    render("report.html", &Page::new(report, baseline, top))
}

/// A page: the named template filled in with `view`.
pub(super) fn render(template: &str, view: &impl Serialize) -> Result<String> {
    let env = environment().map_err(template_error)?;
    let template = env.get_template(template).map_err(template_error)?;
    let mut html = template
        .render(minijinja::Value::from(minijinja::value::Serde(view)))
        .map_err(template_error)?;
    if !html.ends_with('\n') {
        html.push('\n');
    }
    Ok(html)
}

fn template_error(e: minijinja::Error) -> Error {
    Error::usage_hint(
        format!("could not lay out the HTML page: {e}"),
        "this is a bug in selfaudit; the JSON format still works meanwhile",
    )
}

#[derive(Serialize)]
struct Page {
    period: String,
    /// As in the report, for `<time datetime>`.
    generated: String,
    generated_display: String,
    version: &'static str,
    respondents: Vec<String>,
    respondent_count: String,
    anonymous: bool,
    baseline_period: Option<String>,
    overall: Score,
    /// §14: under the overall score: "since BASELINE" and the 95 % interval, as there are.
    overall_note: String,
    gauge_svg: String,
    na_swatch_svg: String,
    missing_swatch_svg: String,
    items_count: usize,
    weakest: Vec<Ref>,
    critical_gaps: Vec<Ref>,
    /// Checklists named but not answered at all: not scored, and said so.
    unanswered: Option<String>,
    split: Vec<Ref>,
    checklists: Vec<ChecklistView>,
    per_respondent: Vec<RespondentView>,
    /// The team list's response rate, the role groups and the perception gaps (SPEC §10).
    team: Option<super::team::TeamView>,
    /// With an actions file: open and overdue actions with owners, and the targets.
    actions: Option<super::actions::HtmlActions>,
}

/// A score, its bar, and its change against the baseline when there is one.
#[derive(Serialize)]
pub(super) struct Score {
    text: String,
    colour: String,
    bar_svg: String,
    change: Option<ChangeView>,
    /// §14: the 95 % interval for the tooltip, `95 % interval 60.2–84.8 (± 12.3)`; empty when
    /// undefined.
    interval: String,
}

#[derive(Serialize)]
pub(super) struct ChangeView {
    /// `up`, `down`, `same`, `added`, `removed` or `undefined`: a CSS class and the arrow.
    pub(super) dir: &'static str,
    pub(super) text: String,
    /// What it was, for the tooltip.
    pub(super) title: String,
}

/// An item listed in the summary, linking to where it sits.
#[derive(Serialize)]
struct Ref {
    anchor: String,
    text: String,
    place: String,
    detail: String,
    critical: bool,
    split: bool,
    score: Score,
}

#[derive(Serialize)]
struct ChecklistView {
    anchor: String,
    id: String,
    title: String,
    version: String,
    weight: String,
    score: Score,
    legends: Vec<Vec<LegendEntry>>,
    sections: Vec<SectionView>,
    /// §14: Krippendorff's α with two decimals; empty when undefined.
    alpha: String,
    /// The actions on the checklist as a whole (SPEC §12).
    actions: Vec<super::actions::HtmlAction>,
}

#[derive(Serialize)]
struct LegendEntry {
    swatch_svg: String,
    label: String,
}

#[derive(Serialize)]
struct SectionView {
    anchor: String,
    title: String,
    weight: String,
    score: Score,
    items: Vec<ItemView>,
    /// The actions on the section as a whole (SPEC §12).
    actions: Vec<super::actions::HtmlAction>,
}

#[derive(Serialize)]
struct ItemView {
    anchor: String,
    id: String,
    text: String,
    critical: bool,
    gap: bool,
    split: bool,
    withheld: bool,
    score: Score,
    stack_svg: String,
    n: u64,
    na: u64,
    missing: u64,
    range: String,
    notes: Vec<NoteView>,
    /// §14: `strong`, `moderate` or `weak` (a CSS class too); None when r_wg is undefined.
    agreement: Option<&'static str>,
    /// §14: r_wg with two decimals, for the tooltip.
    rwg: String,
    /// The actions on the item (SPEC §12).
    actions: Vec<super::actions::HtmlAction>,
    /// The item's target, when it has one (SPEC §12).
    target: Option<super::actions::HtmlItemTarget>,
}

#[derive(Serialize)]
struct NoteView {
    text: String,
    respondent: Option<String>,
}

#[derive(Serialize)]
struct RespondentView {
    name: String,
    overall: Score,
    checklists: Vec<String>,
}

/// Where an item sits: its anchor and "checklist › section".
struct Place {
    anchor: String,
    place: String,
}

impl Page {
    fn new(report: &Report, baseline: Option<&Report>, top: usize) -> Page {
        let period_of_baseline = baseline.map(|b| page_safe(&b.period));
        let since = period_of_baseline.as_deref().unwrap_or_default();
        let overall = Score::new(
            report.score,
            baseline.map(|b| Before {
                since,
                score: Some(b.score),
            }),
            false,
        )
        .margin(report.ci, report.moe);
        let overall_before = baseline.and_then(|b| b.score);
        let baseline = baseline.map(|b| Counterparts::new(b, report));
        let baseline = baseline.as_ref();

        let mut places: HashMap<(&str, &str), Place> = HashMap::new();
        let mut by_part = super::actions::html_by_part(report);
        let mut item_targets = super::actions::html_item_targets(report);
        let mut checklists = Vec::new();
        for (ci, c) in report.checklists.iter().enumerate() {
            let before_c = baseline.map(|b| Before {
                since,
                score: b.checklist(c).map(|o| o.score),
            });
            let mut sections = Vec::new();
            for (si, s) in c.sections.iter().enumerate() {
                let before_s = baseline.map(|b| Before {
                    since,
                    score: b.section(c, s).map(|o| o.score),
                });
                let mut items = Vec::new();
                for (ii, item) in s.items.iter().enumerate() {
                    let anchor = format!("i{}-{}-{}", ci + 1, si + 1, ii + 1);
                    places.insert(
                        (&c.id, &item.id),
                        Place {
                            anchor: anchor.clone(),
                            place: format!("{} › {}", page_safe(&c.title), page_safe(&s.title)),
                        },
                    );
                    let before_i = baseline.map(|b| Before {
                        since,
                        score: b.item(c, item).map(|o| o.score),
                    });
                    let mut view = ItemView::new(item, anchor, before_i);
                    view.actions = by_part
                        .remove(&("item", format!("{}/{}", c.id, item.id)))
                        .unwrap_or_default();
                    view.target = item_targets.remove(&format!("{}/{}", c.id, item.id));
                    items.push(view);
                }
                sections.push(SectionView {
                    anchor: format!("s{}-{}", ci + 1, si + 1),
                    title: page_safe(&s.title),
                    weight: s.weight.to_string(),
                    score: Score::new(s.score, before_s, true).margin(s.ci, s.moe),
                    items,
                    actions: by_part
                        .remove(&("section", format!("{}/{}", c.id, s.id)))
                        .unwrap_or_default(),
                });
            }
            checklists.push(ChecklistView {
                anchor: format!("c{}", ci + 1),
                id: page_safe(&c.id),
                title: page_safe(&c.title),
                version: page_safe(&c.version),
                weight: c.weight.to_string(),
                score: Score::new(c.score, before_c, true).margin(c.ci, c.moe),
                legends: legends(c.sections.iter().flat_map(|s| &s.items)),
                sections,
                alpha: c.alpha.map(|a| format!("{a:.2}")).unwrap_or_default(),
                actions: by_part
                    .remove(&("checklist", c.id.clone()))
                    .unwrap_or_default(),
            });
        }

        // A tick on the bar of each checklist and section that has a target.
        for (c, s, target) in super::actions::bar_targets(report) {
            let Some(ci) = report.checklists.iter().position(|x| x.id == c) else {
                continue;
            };
            let score = match s {
                None => &mut checklists[ci].score,
                Some(s) => match report.checklists[ci]
                    .sections
                    .iter()
                    .position(|x| x.id == s)
                {
                    Some(si) => &mut checklists[ci].sections[si].score,
                    None => continue,
                },
            };
            score.bar_svg = svg::with_target(&score.bar_svg, target);
        }

        let located = |checklist: &str, item: &ItemReport, detail: String| {
            let place = places.get(&(checklist, item.id.as_str()));
            Ref {
                anchor: place.map(|p| p.anchor.clone()).unwrap_or_default(),
                text: page_safe(&item.text),
                place: place.map(|p| p.place.clone()).unwrap_or_default(),
                detail,
                critical: item.critical,
                split: item.split,
                score: Score::plain(item.score).margin(item.ci, item.moe),
            }
        };
        let weakest = weakest(report, top)
            .iter()
            .map(|l| located(&l.checklist.id, l.item, String::new()))
            .collect();
        let split = split_items(report)
            .iter()
            .map(|l| {
                let detail = format!("{}–{}", score_text(l.item.min), score_text(l.item.max));
                // Every one of them is split; a badge on each would say nothing.
                Ref {
                    split: false,
                    ..located(&l.checklist.id, l.item, detail)
                }
            })
            .collect();
        let item_index: HashMap<(&str, &str), &ItemReport> = report
            .items()
            .map(|(c, _, i)| ((c.id.as_str(), i.id.as_str()), i))
            .collect();
        let critical_gaps = report
            .critical_gaps
            .iter()
            .map(|g| {
                let item = item_index
                    .get(&(g.checklist.as_str(), g.item.as_str()))
                    .copied();
                match item {
                    // In a list of critical gaps, a "critical" badge would say nothing.
                    Some(item) => Ref {
                        critical: false,
                        ..located(&g.checklist, item, String::new())
                    },
                    None => Ref {
                        anchor: String::new(),
                        text: page_safe(if g.text.is_empty() { &g.item } else { &g.text }),
                        place: page_safe(&g.checklist),
                        detail: String::new(),
                        critical: false,
                        split: false,
                        score: Score::plain(Some(g.score)),
                    },
                }
            })
            .collect();

        let per_respondent = report
            .per_respondent
            .iter()
            .map(|r| {
                let own: HashMap<&str, Option<f64>> = r
                    .checklists
                    .iter()
                    .map(|s| (s.id.as_str(), s.score))
                    .collect();
                RespondentView {
                    name: page_safe(&r.respondent),
                    overall: Score::new(r.score, None, true),
                    checklists: report
                        .checklists
                        .iter()
                        .map(|c| score_text(own.get(c.id.as_str()).copied().flatten()))
                        .collect(),
                }
            })
            .collect();

        Page {
            period: page_safe(&report.period),
            generated: page_safe(&report.generated),
            generated_display: display_time(&report.generated),
            version: env!("CARGO_PKG_VERSION"),
            respondents: report.respondents.iter().map(|r| page_safe(r)).collect(),
            respondent_count: plural(report.respondents.len(), "respondent", "respondents"),
            anonymous: report.anonymous,
            overall_note: period_of_baseline
                .iter()
                .map(|p| format!("since {p}"))
                .chain((!overall.interval.is_empty()).then(|| overall.interval.clone()))
                .collect::<Vec<_>>()
                .join(" · "),
            baseline_period: period_of_baseline.clone(),
            gauge_svg: svg::gauge(report.score, overall_before),
            na_swatch_svg: svg::swatch(&Fill::Class("na")),
            missing_swatch_svg: svg::swatch(&Fill::Class("missing")),
            overall,
            items_count: report.items().count(),
            weakest,
            critical_gaps,
            unanswered: super::unanswered_note(report),
            split,
            checklists,
            per_respondent,
            team: super::team::html_view(report),
            actions: super::actions::html_panel(report),
        }
    }
}

/// What a part scored in the baseline report.
#[derive(Clone, Copy)]
struct Before<'a> {
    /// The baseline's period, for tooltips.
    since: &'a str,
    /// None when the baseline lacks the part; Some(None) when it had no score there.
    score: Option<Option<f64>>,
}

impl Score {
    /// A score alone, for a pill: its figure and colour.
    pub(super) fn plain(score: Option<f64>) -> Score {
        Score::new(score, None, false)
    }

    fn new(score: Option<f64>, before: Option<Before>, bar: bool) -> Score {
        let marker = before.and_then(|b| b.score.flatten());
        Score {
            text: score_text(score),
            colour: score.map(svg::ramp).unwrap_or_default(),
            bar_svg: if bar {
                svg::score_bar(score, marker)
            } else {
                String::new()
            },
            change: before.map(|b| change(score, b)),
            interval: String::new(),
        }
    }

    /// §14: adds the margin of error: the interval in the tooltip, a whisker on the bar.
    pub(super) fn margin(mut self, ci: Option<[f64; 2]>, moe: Option<f64>) -> Score {
        if let (Some([lo, hi]), Some(h)) = (ci, moe) {
            self.interval = format!(
                "95 % interval {}–{} (± {h:.1})",
                score_text(Some(lo)),
                score_text(Some(hi))
            );
            if !self.bar_svg.is_empty() {
                self.bar_svg = svg::with_whisker(std::mem::take(&mut self.bar_svg), ci);
            }
        }
        self
    }
}

/// How a score moved since the baseline, by the rules of `diff`.
fn change(score: Option<f64>, before: Before) -> ChangeView {
    let since = before.since;
    let title = match before.score {
        Some(old) => format!("{since}: {}", score_text(old)),
        None => format!("not in {since}"),
    };
    match (diff::compare(before.score, Some(score)), before.score) {
        // In both reports, with a score in one only: `diff` says added or removed, but the
        // part is not new.
        ((None, _), Some(_)) => moved(None, Status::Unchanged, title),
        ((delta, status), _) => moved(delta, status, title),
    }
}

/// A change as the pages show it: its direction (a CSS class, and the arrow) and its points.
pub(super) fn moved(delta: Option<f64>, status: Status, title: String) -> ChangeView {
    let (dir, text) = match (delta, status) {
        (Some(d), Status::Improved) => ("up", super::change(Some(d), status)),
        // A minus sign, not a hyphen.
        (Some(d), Status::Regressed) => ("down", super::change(Some(d), status).replace('-', "−")),
        (Some(_), _) => ("same", "±0.0".to_string()),
        (None, Status::Added) => ("added", "new".to_string()),
        (None, Status::Removed) => ("removed", "removed".to_string()),
        (None, _) => ("undefined", "–".to_string()),
    };
    ChangeView { dir, text, title }
}

impl ItemView {
    fn new(item: &ItemReport, anchor: String, before: Option<Before>) -> ItemView {
        ItemView {
            anchor,
            id: page_safe(&item.id),
            text: page_safe(&item.text),
            critical: item.critical,
            gap: item.gap().is_some(),
            split: item.split,
            withheld: item.withheld,
            score: Score::new(item.score, before, false).margin(item.ci, item.moe),
            agreement: super::agreement(item.rwg),
            rwg: item.rwg.map(|r| format!("{r:.2}")).unwrap_or_default(),
            stack_svg: if item.withheld {
                String::new()
            } else {
                svg::stacked_bar(&segments(item))
            },
            n: item.n,
            na: item.na,
            missing: item.missing,
            range: match (item.min, item.max) {
                (Some(lo), Some(hi)) if hi > lo => {
                    format!("{}–{}", score_text(Some(lo)), score_text(Some(hi)))
                }
                _ => String::new(),
            },
            notes: item
                .notes
                .iter()
                .map(|n| NoteView {
                    text: page_safe(n.note.trim()),
                    respondent: n.respondent.as_deref().map(page_safe),
                })
                .collect(),
            actions: Vec::new(),
            target: None,
        }
    }
}

/// The colour of a choice: its place on the score ramp.
fn choice_fill(p: &ScalePoint) -> Fill {
    Fill::Colour(svg::ramp(p.score))
}

/// The segments of an item's bar: every choice in the scale's order, then n/a, then no answer.
fn segments(item: &ItemReport) -> Vec<Segment> {
    let mut out: Vec<Segment> = item
        .scale
        .iter()
        .map(|p| Segment {
            label: page_safe(&p.label),
            count: 0,
            fill: choice_fill(p),
        })
        .collect();
    for (key, count) in distribution(item) {
        match item.scale.iter().position(|p| p.key == key) {
            Some(i) => out[i].count = count,
            // n/a and keys a foreign report has beyond its scale share the neutral grey.
            None if key == NA => out.push(Segment {
                label: "n/a".to_string(),
                count,
                fill: Fill::Class("na"),
            }),
            None => out.push(Segment {
                label: page_safe(&key),
                count,
                fill: Fill::Class("na"),
            }),
        }
    }
    out.push(Segment {
        label: "no answer".to_string(),
        count: item.missing,
        fill: Fill::Class("missing"),
    });
    out
}

/// One legend per distinct scale among the items, in order of first use.
fn legends<'r>(items: impl Iterator<Item = &'r ItemReport>) -> Vec<Vec<LegendEntry>> {
    // Keyed by the scale's text, so that many items with many scales stay O(n log n).
    let mut seen: Vec<&Vec<ScalePoint>> = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for item in items {
        let key: Vec<(&str, &str, u64)> = item
            .scale
            .iter()
            .map(|p| (p.key.as_str(), p.label.as_str(), p.score.to_bits()))
            .collect();
        if !item.scale.is_empty() && keys.insert(key) {
            seen.push(&item.scale);
        }
    }
    seen.into_iter()
        .map(|scale| {
            scale
                .iter()
                .map(|p| LegendEntry {
                    swatch_svg: svg::swatch(&choice_fill(p)),
                    label: page_safe(&p.label),
                })
                .collect()
        })
        .collect()
}

/// `2026-11-22T20:15:00Z` as `22 November 2026, 20:15 UTC`; anything else as it is.
pub(super) fn display_time(generated: &str) -> String {
    match generated.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%-d %B %Y, %H:%M UTC").to_string(),
        Err(_) => page_safe(generated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::Note;

    fn item() -> ItemReport {
        let point = |key: &str, label: &str, score: f64| ScalePoint {
            key: key.into(),
            label: label.into(),
            score,
        };
        ItemReport {
            id: "i".into(),
            text: "Question?".into(),
            weight: 1.0,
            critical: true,
            score: Some(40.0),
            se: None,
            ci: None,
            moe: None,
            rwg: None,
            n: 5,
            na: 1,
            missing: 2,
            min: Some(0.0),
            max: Some(100.0),
            stddev: Some(49.0),
            split: true,
            choices: [("yes", 2), ("no", 3), ("n/a", 1)]
                .into_iter()
                .map(|(k, c)| (k.to_string(), c))
                .collect(),
            notes: vec![Note {
                respondent: Some("Ann\u{202E}".into()),
                note: "  two\r\nlines\u{1b}[0m  ".into(),
            }],
            scale: vec![point("no", "No", 0.0), point("yes", "Yes", 100.0)],
            withheld: false,
        }
    }

    #[test]
    fn segments_follow_the_scale_then_na_then_no_answer() {
        let segs = segments(&item());
        let shown: Vec<(&str, u64)> = segs.iter().map(|s| (s.label.as_str(), s.count)).collect();
        assert_eq!(shown, [("No", 3), ("Yes", 2), ("n/a", 1), ("no answer", 2)]);
        assert_eq!(segs[0].fill, Fill::Colour(svg::ramp(0.0)));
        assert_eq!(segs[2].fill, Fill::Class("na"));
        assert_eq!(segs[3].fill, Fill::Class("missing"));
    }

    #[test]
    fn an_item_view_is_cleaned_and_flagged() {
        let view = ItemView::new(&item(), "i1-1-1".into(), None);
        assert!(view.gap && view.split && view.critical);
        assert_eq!(view.range, "0.0–100.0");
        assert_eq!(view.notes[0].text, "two\nlines[0m");
        assert_eq!(view.notes[0].respondent.as_deref(), Some("Ann"));
        assert!(view.score.change.is_none(), "no baseline, no change");
    }

    #[test]
    fn changes_have_a_direction_a_sign_and_what_it_was() {
        let q3 = |score: Option<f64>| Before {
            since: "Q3",
            score: Some(score),
        };
        let c = change(Some(52.449), q3(Some(50.0)));
        assert_eq!(
            (c.dir, c.text.as_str(), c.title.as_str()),
            ("up", "+2.4", "Q3: 50.0")
        );
        let c = change(Some(42.75), q3(Some(50.0)));
        assert_eq!((c.dir, c.text.as_str()), ("down", "−7.2"));
        let c = change(Some(50.04), q3(Some(50.0)));
        assert_eq!((c.dir, c.text.as_str()), ("same", "±0.0"));
        // As in `diff`: 50.05 − 50 is 0.04999999999999716, a change, and never reads as 0.0.
        let c = change(Some(50.05), q3(Some(50.0)));
        assert_eq!((c.dir, c.text.as_str()), ("up", "+0.05"));
        let added = Before {
            since: "Q3",
            score: None,
        };
        let c = change(Some(60.0), added);
        assert_eq!((c.dir, c.title.as_str()), ("added", "not in Q3"));
        assert_eq!(change(Some(60.0), q3(None)).title, "Q3: —");
        assert_eq!(change(Some(60.0), q3(None)).dir, "undefined");
        assert_eq!(change(None, q3(Some(60.0))).dir, "undefined");
    }

    #[test]
    fn the_date_reads_as_words_or_stays_as_given() {
        assert_eq!(
            display_time("2026-11-22T20:15:00Z"),
            "22 November 2026, 20:15 UTC"
        );
        assert_eq!(display_time("last\u{1b}[31m Tuesday"), "last[31m Tuesday");
    }

    #[test]
    fn the_template_renders_a_report_with_nothing_in_it() {
        let empty = Report {
            format: "selfaudit-report/1".into(),
            period: "Q".into(),
            generated: String::new(),
            respondents: Vec::new(),
            anonymous: false,
            score: None,
            se: None,
            ci: None,
            moe: None,
            checklists: Vec::new(),
            critical_gaps: Vec::new(),
            per_respondent: Vec::new(),
            response_rate: None,
            unlisted: None,
            groups: Vec::new(),
            perception_gaps: Vec::new(),
            actions: None,
            targets: None,
            unanswered: Vec::new(),
        };
        let html = report(&empty, Some(&empty), 10).unwrap();
        assert!(html.contains("No item has a score yet."));
        assert!(!html.contains("<time"), "no date when none was given");
    }
}
