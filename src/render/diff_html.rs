//! A diff of two reports as one self-contained HTML page, in the report page's look.
//!
//! Like `html`, the diff becomes a plain view (user text cleaned by `page_safe`, scores
//! formatted, bars drawn by `svg`) laid out by the `diff.html` template, which escapes every
//! value it prints; only the `*_svg` fields are inserted as they are.

use serde::Serialize;

use super::html::{ChangeView, Score, display_time, moved, render};
use super::{Titles, gate_limit};
use super::{score as score_text, svg};
use crate::diff::{self, Diff, GapChange, ItemDelta, Side, Status};
use crate::error::Result;
use crate::stats::Noise;
use crate::text::page_safe;
use crate::text::plural;

/// The diff as one HTML page; `top` caps each list of items.
pub fn page(diff: &Diff, top: usize) -> Result<String> {
    render("diff.html", &DiffPage::new(diff, top))
}

#[derive(Serialize)]
struct DiffPage {
    version: &'static str,
    base: SideView,
    new: SideView,
    /// The change of the overall score, and `57.9 → 71.0`.
    overall: ChangeView,
    overall_scores: String,
    gauge_svg: String,
    /// None when no gate was asked.
    verdict: Option<Verdict>,
    gates: Vec<GateView>,
    /// How many items improved, regressed, …: (label, count).
    counts: Vec<(&'static str, usize)>,
    checklists: Vec<ChecklistView>,
    regressed: List,
    improved: List,
    added: List,
    removed: List,
    gaps_new: Vec<GapView>,
    gaps_resolved: Vec<GapView>,
    gaps_open: usize,
    versions: Vec<VersionView>,
    renames: Vec<RenameView>,
    /// With an actions file: each action's part and its change, the means, the targets.
    actions: Option<super::actions::HtmlDiffActions>,
}

#[derive(Serialize)]
struct SideView {
    period: String,
    /// As in the report, for `<time datetime>`.
    generated: String,
    generated_display: String,
    respondents: String,
}

#[derive(Serialize)]
struct Verdict {
    passed: bool,
    /// `2 of 4 gates failed`, `4 gates held`.
    text: String,
}

#[derive(Serialize)]
struct GateView {
    gate: &'static str,
    limit: String,
    passed: bool,
    detail: String,
}

/// A score on both sides: the figures, a bar each, and the change.
#[derive(Serialize)]
struct Row {
    title: String,
    base: String,
    new: String,
    base_bar_svg: String,
    new_bar_svg: String,
    change: ChangeView,
}

#[derive(Serialize)]
struct ChecklistView {
    row: Row,
    /// `version 1 → 2` when the checklist's version changed.
    version: Option<String>,
    sections: Vec<Row>,
}

/// Items in one list: those shown, and how many more `--top` left out.
#[derive(Serialize)]
struct List {
    total: usize,
    items: Vec<ItemView>,
    more: Option<String>,
}

#[derive(Serialize)]
struct ItemView {
    text: String,
    place: String,
    critical: bool,
    /// BASE's id when the item was renamed.
    renamed_from: Option<String>,
    base: String,
    new: String,
    /// The score a list of added or removed items shows: the side that has one.
    score: Score,
    change: ChangeView,
}

#[derive(Serialize)]
struct GapView {
    text: String,
    checklist: String,
    base: String,
    new: String,
}

#[derive(Serialize)]
struct VersionView {
    checklist: String,
    base: String,
    new: String,
}

#[derive(Serialize)]
struct RenameView {
    checklist: String,
    old: String,
    new: String,
    text: String,
}

impl DiffPage {
    fn new(diff: &Diff, top: usize) -> DiffPage {
        let titles = Titles::new(diff);
        let by_checklist = diff.sections_by_checklist();
        let (delta, status) = diff::compare(Some(diff.base.score), Some(diff.new.score));

        let checklists = diff
            .checklists
            .iter()
            .map(|c| ChecklistView {
                row: row(&c.title, c.base, c.new, c.delta, c.status, &c.noise),
                version: c.version_changed().then(|| {
                    format!(
                        "version {} → {}",
                        page_safe(c.base_version.as_deref().unwrap_or_default()),
                        page_safe(c.new_version.as_deref().unwrap_or_default())
                    )
                }),
                sections: diff::Diff::sections_of(&by_checklist, &c.id)
                    .map(|s| row(&s.title, s.base, s.new, s.delta, s.status, &s.noise))
                    .collect(),
            })
            .collect();

        let list = |items: Vec<&ItemDelta>| {
            let shown = items.len().min(top);
            List {
                total: items.len(),
                more: more_for_people(shown, items.len()),
                items: items[..shown]
                    .iter()
                    .map(|i| ItemView::new(i, &titles))
                    .collect(),
            }
        };
        let gap = |g: &GapChange| GapView {
            text: page_safe(&g.text),
            checklist: page_safe(titles.checklist(&g.checklist)),
            base: score_text(g.base),
            new: score_text(g.new),
        };

        let failed = diff.failed_gates().count();
        DiffPage {
            version: env!("CARGO_PKG_VERSION"),
            base: SideView::new(&diff.base),
            new: SideView::new(&diff.new),
            gauge_svg: svg::gauge(diff.new.score, diff.base.score),
            overall: noisy_moved(delta, status, &diff.noise),
            overall_scores: format!(
                "{} → {}",
                score_text(diff.base.score),
                score_text(diff.new.score)
            ),
            verdict: (!diff.gates.is_empty()).then(|| {
                let asked = plural(diff.gates.len(), "gate", "gates");
                Verdict {
                    passed: failed == 0,
                    text: if failed == 0 {
                        format!("{asked} held")
                    } else {
                        format!("{failed} of {asked} failed")
                    },
                }
            }),
            gates: diff
                .gates
                .iter()
                .map(|g| GateView {
                    gate: g.gate.as_str(),
                    limit: gate_limit(g),
                    passed: g.passed,
                    detail: page_safe(&with_questions(&g.detail, &diff.items)),
                })
                .collect(),
            counts: vec![
                ("improved", diff.summary.improved),
                ("regressed", diff.summary.regressed),
                ("unchanged", diff.summary.unchanged),
                ("added", diff.summary.added),
                ("removed", diff.summary.removed),
            ],
            checklists,
            regressed: list(diff.with_status(Status::Regressed)),
            improved: list(diff.with_status(Status::Improved)),
            added: list(diff.with_status(Status::Added)),
            removed: list(diff.with_status(Status::Removed)),
            gaps_new: diff.critical_gaps.new.iter().map(gap).collect(),
            gaps_resolved: diff.critical_gaps.resolved.iter().map(gap).collect(),
            gaps_open: diff.critical_gaps.open,
            versions: diff
                .checklists
                .iter()
                .filter(|c| c.version_changed())
                .map(|c| VersionView {
                    checklist: page_safe(&c.title),
                    base: page_safe(c.base_version.as_deref().unwrap_or_default()),
                    new: page_safe(c.new_version.as_deref().unwrap_or_default()),
                })
                .collect(),
            renames: diff
                .items
                .iter()
                .filter_map(|i| {
                    Some(RenameView {
                        checklist: page_safe(titles.checklist(&i.checklist)),
                        old: page_safe(i.renamed_from.as_deref()?),
                        new: page_safe(&i.id),
                        text: page_safe(&i.text),
                    })
                })
                .collect(),
            actions: super::actions::html_diff(diff),
        }
    }
}

impl SideView {
    fn new(side: &Side) -> SideView {
        SideView {
            period: page_safe(&side.period),
            generated: page_safe(&side.generated),
            generated_display: display_time(&side.generated),
            respondents: plural(side.respondents, "respondent", "respondents"),
        }
    }
}

fn row(
    title: &str,
    base: Option<f64>,
    new: Option<f64>,
    delta: Option<f64>,
    status: Status,
    noise: &Noise,
) -> Row {
    Row {
        title: page_safe(title),
        base: score_text(base),
        new: score_text(new),
        base_bar_svg: svg::with_whisker(svg::score_bar(base, None), noise.base_ci),
        new_bar_svg: svg::with_whisker(svg::score_bar(new, None), noise.new_ci),
        change: noisy_moved(delta, status, noise),
    }
}

/// §14: a change marked when within noise, with both intervals and the noise in its tooltip.
fn noisy_moved(delta: Option<f64>, status: Status, noise: &Noise) -> ChangeView {
    let interval = |ci: Option<[f64; 2]>| match ci {
        Some([lo, hi]) => format!("{}–{}", score_text(Some(lo)), score_text(Some(hi))),
        None => "unknown".to_string(),
    };
    let title = match (noise.beyond_noise, noise.noise) {
        (Some(beyond), Some(h)) => format!(
            "{} noise: the change is {} ±{h:.1}, the two 95 % intervals combined (before {}, after {})",
            if beyond { "beyond" } else { "within" },
            if beyond { "more than" } else { "not more than" },
            interval(noise.base_ci),
            interval(noise.new_ci)
        ),
        _ => String::new(),
    };
    let mut view = moved(delta, status, title);
    if noise.within() && delta.is_some() {
        view.text.push_str(" (within noise)");
    }
    view
}

impl ItemView {
    fn new(i: &ItemDelta, titles: &Titles) -> ItemView {
        ItemView {
            text: page_safe(&i.text),
            place: page_safe(&titles.place(i)),
            critical: i.critical,
            renamed_from: i.renamed_from.as_deref().map(page_safe),
            base: score_text(i.base),
            new: score_text(i.new),
            score: Score::plain(i.new.or(i.base)),
            change: noisy_moved(i.delta, i.status, &i.noise),
        }
    }
}

/// "… and 3 more" on a page for people: no command-line options.
fn more_for_people(shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| format!("… and {} more, in the full report", total - shown))
}

/// A gate's detail with each `checklist/item` id written as its question, for people.
fn with_questions(detail: &str, items: &[ItemDelta]) -> String {
    let mut named: Vec<(String, &str)> = items
        .iter()
        .filter(|i| !i.text.is_empty())
        .map(|i| (format!("{}/{}", i.checklist, i.id), i.text.as_str()))
        .collect();
    // Longer ids first, so that `a/item` never replaces the start of `a/item-two`.
    named.sort_by_key(|(id, _)| std::cmp::Reverse(id.len()));
    let mut out = detail.to_string();
    for (id, text) in named {
        if out.contains(&id) {
            out = out.replace(&id, &format!("“{text}”"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Gates;
    use crate::render::diff::tests::quarters_with as quarters;

    #[test]
    fn the_view_splits_movers_and_says_what_was_left_out() {
        let page = DiffPage::new(&quarters(&Gates::default()), 1);
        assert!(page.verdict.is_none(), "no gate asked, no verdict");
        assert_eq!(page.regressed.total, 1);
        assert_eq!(page.improved.total, 1);
        assert_eq!((page.added.total, page.added.items.len()), (3, 1));
        assert!(page.added.more.as_deref().unwrap().contains("2 more"));
        assert!(page.regressed.more.is_none());
        let down = &page.regressed.items[0];
        assert_eq!((down.base.as_str(), down.new.as_str()), ("100.0", "75.0"));
        assert_eq!(down.change.text, "−25.0");
        assert!(down.critical);
        assert_eq!(page.renames.len(), 1);
        assert_eq!(
            (page.renames[0].old.as_str(), page.renames[0].new.as_str()),
            ("answer-phone", "return-calls")
        );
        assert_eq!(page.versions.len(), 1);
        assert_eq!(page.checklists[0].version.as_deref(), Some("version 1 → 2"));
    }

    #[test]
    fn the_verdict_counts_failed_gates() {
        let gates = Gates {
            fail_below: Some(60.0),
            max_item_drop: Some(20.0),
            ..Gates::default()
        };
        let page = DiffPage::new(&quarters(&gates), 10);
        let v = page.verdict.unwrap();
        assert!(!v.passed);
        assert_eq!(v.text, "1 of 2 gates failed");
        let passed: Vec<bool> = page.gates.iter().map(|g| g.passed).collect();
        assert_eq!(passed, [true, false]);
        let page = DiffPage::new(
            &quarters(&Gates {
                fail_below: Some(60.0),
                ..Gates::default()
            }),
            10,
        );
        let v = page.verdict.unwrap();
        assert!(v.passed);
        assert_eq!(v.text, "1 gate held");
    }
}
