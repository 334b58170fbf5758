//! `selfaudit diff` in the terminal and Markdown: the headline, the scores, movers, added and
//! removed items and critical gaps, the actions and targets, and the gates. A terminal reads
//! top to bottom and ends on the verdict; a page (a pull request, a step summary) puts the
//! verdict in its headline and the gates and actions before the detail.

use super::{Align, Block, Cell, Column, Grid, Medium, Span, heading};
use crate::diff::{ChecklistDelta, Diff, ItemDelta, Status};
use crate::render::{Titles, change, gate_limit};
use crate::render::{delta, score};
use crate::stats::Noise;
use crate::text::plural;

/// The diff; `top` caps each list of items.
pub fn diff(diff: &Diff, top: usize, m: Medium) -> Vec<Block> {
    let (body, actions, gates) = (
        body(diff, top),
        super::actions::diff_actions(diff),
        gates(diff, m),
    );
    // A terminal reads down to the verdict; a page leads with what was checked.
    let parts = match m {
        Medium::Terminal => [body, actions, gates],
        Medium::Markdown => [actions, gates, body],
    };
    let mut blocks = headline(diff, m);
    blocks.extend(parts.into_iter().flatten());
    blocks
}

/// The title, the overall score, the count of items by status and the renames followed; a
/// page's title gives the change and its headline the verdict.
fn headline(diff: &Diff, m: Medium) -> Vec<Block> {
    let (bp, np) = (&diff.base.period, &diff.new.period);
    let ours = |s: &str| Span::Ours(s.to_string());
    let mut title = vec![
        ours(match m {
            Medium::Terminal => "Self-audit diff · ",
            Medium::Markdown => "Self-audit ",
        }),
        Span::User(bp.clone()),
        ours(" → "),
        Span::User(np.clone()),
    ];
    let overall = format!(
        "Overall score: {} → {} ({})",
        score(diff.base.score),
        score(diff.new.score),
        noisy_delta(diff)
    );
    let mut blocks = Vec::new();
    match m {
        Medium::Terminal => {
            blocks.push(Block::Title(title));
            blocks.push(Block::Line(vec![Span::Ours(overall)]));
            blocks.push(Block::Line(vec![Span::Ours(format!(
                "Items: {}",
                summary_line(diff, ", ")
            ))]));
        }
        Medium::Markdown => {
            if diff.delta.is_some() {
                title.push(Span::Ours(format!(": {} points", delta(diff.delta))));
            }
            blocks.push(Block::Title(title));
            let mut line = vec![Span::Strong(overall)];
            if !diff.gates.is_empty() {
                let failed = diff.failed_gates().count();
                line.push(Span::Ours(if failed == 0 {
                    " · ✅ every gate held".to_string()
                } else {
                    format!(
                        " · ❌ {failed} of {} failed",
                        plural(diff.gates.len(), "gate", "gates")
                    )
                }));
            }
            blocks.push(Block::Line(line));
            blocks.push(Block::Line(vec![Span::Ours(summary_line(diff, " · "))]));
        }
    }
    let renamed = renames(diff);
    if !renamed.is_empty() {
        blocks.push(Block::Line(vec![
            ours("Followed renames: "),
            Span::User(renamed.join(", ")),
        ]));
    }
    blocks
}

/// The gates asked and whether each held: a list ending on the verdict on a terminal, a
/// table on a page (whose headline gave the verdict). A terminal also says when none was asked.
fn gates(diff: &Diff, m: Medium) -> Vec<Block> {
    if diff.gates.is_empty() {
        return match m {
            Medium::Terminal => vec![Block::Heading {
                title: "Gates".to_string(),
                note: vec![Span::Ours(
                    "none asked (see --fail-below, --max-drop, --max-item-drop, --fail-on-new-critical)"
                        .to_string(),
                )],
            }],
            Medium::Markdown => Vec::new(),
        };
    }
    let mut blocks = vec![heading("Gates")];
    match m {
        Medium::Terminal => {
            let lines = diff
                .gates
                .iter()
                .map(|g| {
                    let limit = gate_limit(g);
                    let limit = if limit.is_empty() {
                        String::new()
                    } else {
                        format!(" {limit}")
                    };
                    let mark = if g.passed { "✓" } else { "✗" };
                    vec![
                        Span::Ours(format!("{mark} {}{limit}: ", g.gate)),
                        Span::User(g.detail.clone()),
                    ]
                })
                .collect();
            blocks.push(Block::List(lines));
            blocks.push(Block::Line(vec![Span::Ours(format!(
                "Result: {}",
                verdict(diff)
            ))]));
        }
        Medium::Markdown => {
            let columns = vec![
                Column::Ours("", Align::Left),
                Column::Ours("Gate", Align::Left),
                Column::Ours("Limit", Align::Right),
                Column::Ours("Detail", Align::Left),
            ];
            let rows = diff
                .gates
                .iter()
                .map(|g| {
                    vec![
                        Cell::Ours(if g.passed { "✅" } else { "❌" }.to_string()),
                        Cell::Ours(g.gate.to_string()),
                        Cell::Ours(gate_limit(g)),
                        Cell::Text(g.detail.clone()),
                    ]
                })
                .collect();
            blocks.push(Block::Table(Grid { columns, rows }));
        }
    }
    blocks
}

/// The scores, movers, added and removed items and critical gaps of a diff; `top` caps
/// each list of items.
fn body(diff: &Diff, top: usize) -> Vec<Block> {
    let titles = Titles::new(diff);
    let (bp, np) = (&diff.base.period, &diff.new.period);
    let periods = |first: Column| {
        vec![
            first,
            Column::User(bp.clone(), Align::Right),
            Column::User(np.clone(), Align::Right),
        ]
    };
    let mut blocks = vec![Block::Caption("Scores")];

    let mut columns = periods(Column::Tree);
    columns.push(Column::Ours("Change", Align::Right));
    let mut rows = Vec::new();
    let by_checklist = diff.sections_by_checklist();
    let strong = |c: Cell| Cell::Strong(Box::new(c));
    for c in &diff.checklists {
        rows.push(vec![
            Cell::Name {
                text: checklist_label(c),
                section: false,
            },
            strong(Cell::Score(c.base)),
            strong(Cell::Score(c.new)),
            strong(Cell::Change {
                text: noisy_change(c.delta, c.status, &c.noise),
                status: Some(c.status),
            }),
        ]);
        for s in Diff::sections_of(&by_checklist, &c.id) {
            rows.push(vec![
                Cell::Name {
                    text: s.title.clone(),
                    section: true,
                },
                Cell::Score(s.base),
                Cell::Score(s.new),
                Cell::Change {
                    text: noisy_change(s.delta, s.status, &s.noise),
                    status: Some(s.status),
                },
            ]);
        }
    }
    blocks.push(Block::Table(Grid { columns, rows }));
    if let Some(legend) = noise_legend(diff) {
        blocks.push(Block::Legend(legend));
    }

    let place = |i: &ItemDelta| Cell::Text(titles.place(i));
    let moved = diff.movers();
    if !moved.is_empty() {
        let shown = moved.len().min(top);
        blocks.push(Block::Heading {
            title: format!("Biggest movers ({shown} of {})", moved.len()),
            note: Vec::new(),
        });
        let mut columns = periods(Column::Ours("Change", Align::Right));
        columns.push(Column::Ours("Item", Align::Left));
        columns.push(Column::Ours("Where", Align::Left));
        let rows = moved[..shown]
            .iter()
            .map(|i| {
                let change = Cell::Change {
                    text: noisy_change(i.delta, i.status, &i.noise),
                    status: Some(i.status),
                };
                vec![
                    if i.status == Status::Regressed {
                        Cell::Flag("🔻", Box::new(change))
                    } else {
                        change
                    },
                    Cell::Score(i.base),
                    Cell::Score(i.new),
                    Cell::Text(item_label(i)),
                    place(i),
                ]
            })
            .collect();
        blocks.push(Block::Table(Grid { columns, rows }));
        blocks.extend(more(shown, moved.len()).map(|more| Block::Note(vec![Span::Ours(more)])));
    }

    for (status, heading) in [
        (Status::Added, "Added items"),
        (Status::Removed, "Removed items"),
    ] {
        let list = diff.with_status(status);
        if list.is_empty() {
            continue;
        }
        let other = if status == Status::Added { bp } else { np };
        blocks.push(Block::Heading {
            title: format!("{heading} ({})", list.len()),
            note: vec![
                Span::Ours("no score in ".to_string()),
                Span::User(other.clone()),
            ],
        });
        let columns = vec![
            Column::Ours("Score", Align::Right),
            Column::Ours("Item", Align::Left),
            Column::Ours("Where", Align::Left),
        ];
        let shown = list.len().min(top);
        let rows = list[..shown]
            .iter()
            .map(|i| {
                let s = if status == Status::Added {
                    i.new
                } else {
                    i.base
                };
                vec![Cell::Score(s), Cell::Text(item_label(i)), place(i)]
            })
            .collect();
        blocks.push(Block::Table(Grid { columns, rows }));
        blocks.extend(more(shown, list.len()).map(|more| Block::Note(vec![Span::Ours(more)])));
    }

    let gaps = &diff.critical_gaps;
    blocks.push(Block::Heading {
        title: "Critical gaps".to_string(),
        note: vec![
            Span::Ours(format!(
                "{} new, {} resolved, {} open in ",
                gaps.new.len(),
                gaps.resolved.len(),
                gaps.open
            )),
            Span::User(np.clone()),
        ],
    });
    if !(gaps.new.is_empty() && gaps.resolved.is_empty()) {
        let mut columns = periods(Column::Ours("", Align::Left));
        columns.push(Column::Ours("Item", Align::Left));
        columns.push(Column::Ours("Checklist", Align::Left));
        let mut rows = Vec::new();
        for (new, list) in [(true, &gaps.new), (false, &gaps.resolved)] {
            for g in list {
                let word = if new {
                    strong(Cell::Ours("new".to_string()))
                } else {
                    Cell::Ours("resolved".to_string())
                };
                rows.push(vec![
                    word,
                    Cell::Score(g.base),
                    Cell::Score(g.new),
                    Cell::Text(g.text.clone()),
                    Cell::Text(titles.checklist(&g.checklist).to_string()),
                ]);
            }
        }
        blocks.push(Block::Table(Grid { columns, rows }));
    }
    blocks
}

/// §14: a change with a mark when it is within noise: `-4.0 (within noise)`.
fn noisy_change(d: Option<f64>, status: Status, noise: &Noise) -> String {
    let text = change(d, status);
    if noise.within() && d.is_some() {
        format!("{text} (within noise)")
    } else {
        text
    }
}

/// §14: the overall delta, marked when within noise.
fn noisy_delta(diff: &Diff) -> String {
    if diff.noise.within() && diff.delta.is_some() {
        format!("{} within noise", delta(diff.delta))
    } else {
        delta(diff.delta)
    }
}

/// §14: what "(within noise)" means, under a diff's scores when any change is marked so.
fn noise_legend(diff: &Diff) -> Option<&'static str> {
    let any = diff.noise.within()
        || diff.checklists.iter().any(|c| c.noise.within())
        || diff.sections.iter().any(|s| s.noise.within())
        || diff.items.iter().any(|i| i.noise.within());
    any.then_some(
        "(within noise): smaller than the two reports' 95 % margins of error combined, so it may be chance (see docs/honest-numbers.md)",
    )
}

fn item_label(i: &ItemDelta) -> String {
    let mut label = i.text.clone();
    if let Some(old) = &i.renamed_from {
        label.push_str(&format!(" (was {old})"));
    }
    if i.critical {
        label.push_str(" [critical]");
    }
    label
}

fn checklist_label(c: &ChecklistDelta) -> String {
    match (&c.base_version, &c.new_version) {
        (Some(b), Some(n)) if b != n => format!("{} (version {b} → {n})", c.title),
        _ => c.title.clone(),
    }
}

/// `old → new` for every item followed through a rename.
fn renames(diff: &Diff) -> Vec<String> {
    diff.items
        .iter()
        .filter_map(|i| {
            i.renamed_from
                .as_ref()
                .map(|old| format!("{}/{old} → {}", i.checklist, i.id))
        })
        .collect()
}

fn summary_line(diff: &Diff, sep: &str) -> String {
    let s = &diff.summary;
    [
        format!("{} improved", s.improved),
        format!("{} regressed", s.regressed),
        format!("{} unchanged", s.unchanged),
        format!("{} added", s.added),
        format!("{} removed", s.removed),
    ]
    .join(sep)
}

fn verdict(diff: &Diff) -> String {
    let failed = diff.failed_gates().count();
    if failed == 0 {
        format!(
            "passed ({} held)",
            plural(diff.gates.len(), "gate", "gates")
        )
    } else {
        format!(
            "FAILED ({failed} of {} failed)",
            plural(diff.gates.len(), "gate", "gates")
        )
    }
}

fn more(shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| {
        format!(
            "… and {} more (raise --top, or see --format json)",
            total - shown
        )
    })
}
