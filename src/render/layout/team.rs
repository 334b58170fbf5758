//! The team's parts of a report (SPEC §10) in the terminal and Markdown: the response rate
//! and who is missing or unlisted, the groups side by side, and the perception gaps.

use super::{Align, Block, Cell, Column, Grid, Medium, Span, heading};
use crate::model::report::{Report, Unlisted};
use crate::render::score;
use crate::render::team::{Places, label, no_gaps, rate_text, role_title, rows, unlisted_text};

/// SPEC §10: the response rate and who is missing, the groups side by side and the
/// perception gaps; nothing without a team list or groups.
pub(super) fn team(report: &Report, m: Medium) -> Vec<Block> {
    let mut blocks = Vec::new();
    if report.response_rate.is_some() || report.unlisted.is_some() {
        blocks.push(Block::Caption("Response rate"));
    }
    if let Some(r) = &report.response_rate {
        blocks.push(Block::Line(match m {
            Medium::Terminal => vec![Span::Ours(format!("Response rate: {}", rate_text(r)))],
            Medium::Markdown => vec![Span::Strong(rate_text(r))],
        }));
        if let Some(missing) = &r.missing
            && !missing.is_empty()
        {
            let mut line = vec![Span::Ours("Not answered yet: ".to_string())];
            line.extend(names(missing));
            blocks.push(Block::Line(line));
        }
    }
    if let Some(u) = &report.unlisted {
        let mut line = vec![Span::Ours(
            "Not on the team list (scored all the same): ".to_string(),
        )];
        match u {
            Unlisted::Names(list) => line.extend(names(list)),
            Unlisted::Count(_) => line.push(Span::Ours(unlisted_text(u))),
        }
        blocks.push(Block::Line(line));
    }
    if report.groups.is_empty() {
        return blocks;
    }

    blocks.push(heading("Groups side by side"));
    let mut columns = vec![Column::Tree, Column::Ours("All", Align::Right)];
    columns.extend(
        report
            .groups
            .iter()
            .map(|g| Column::User(label(g), Align::Right)),
    );
    let rows = rows(report)
        .into_iter()
        .map(|r| {
            let all = Cell::Score(r.all);
            let mut row = vec![
                Cell::Name {
                    text: r.title.to_string(),
                    section: !r.checklist,
                },
                if r.checklist {
                    Cell::Strong(Box::new(all))
                } else {
                    all
                },
            ];
            row.extend(r.groups.iter().map(|g| match g {
                Some(s) => Cell::Score(*s),
                None => Cell::Absent("withheld"),
            }));
            row
        })
        .collect();
    blocks.push(Block::Table(Grid { columns, rows }));
    if report.groups.iter().any(|g| g.withheld) {
        blocks.push(Block::Note(vec![
            Span::Em("Withheld".to_string()),
            Span::Ours(
                ": groups too small to show without revealing who answered what.".to_string(),
            ),
        ]));
    }

    if report.perception_gaps.is_empty() {
        let why = no_gaps(report);
        blocks.push(Block::Heading {
            title: "Perception gaps".to_string(),
            note: vec![Span::Ours(match m {
                Medium::Terminal => format!("none ({why})"),
                Medium::Markdown => format!("none: {why}"),
            })],
        });
        return blocks;
    }
    blocks.push(Block::Section {
        title: "Perception gaps".to_string(),
        aside: "group scores 25 points or more apart".to_string(),
        intro: "Items whose group scores lie 25 points or more apart: where the groups see the business differently".to_string(),
    });
    let columns = vec![
        Column::Ours("Gap", Align::Right),
        Column::Ours("Item", Align::Left),
        Column::Ours("Checklist", Align::Left),
        Column::Ours("Highest", Align::Left),
        Column::Ours("Lowest", Align::Left),
    ];
    let places = Places::new(report);
    let rows = report
        .perception_gaps
        .iter()
        .map(|g| {
            let group = |role: &str, s: f64| {
                Cell::Text(format!("{} {}", role_title(report, role), score(Some(s))))
            };
            vec![
                Cell::Figure(score(Some(g.gap))),
                Cell::Text(places.text(g).to_string()),
                Cell::Text(g.checklist.clone()),
                group(&g.high.role, g.high.score),
                group(&g.low.role, g.low.score),
            ]
        })
        .collect();
    blocks.push(Block::Table(Grid { columns, rows }));
    blocks
}

/// Names as a line's parts, each escaped on its own.
fn names(list: &[String]) -> Vec<Span> {
    let mut spans = Vec::new();
    for (i, n) in list.iter().enumerate() {
        if i > 0 {
            spans.push(Span::Ours(", ".to_string()));
        }
        spans.push(Span::User(n.clone()));
    }
    spans
}
