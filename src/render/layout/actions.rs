//! Actions and targets (SPEC §12) in the terminal and Markdown: a report's actions under
//! their parts and its targets; a diff's actions with their parts' change, and its targets.

use super::{Align, Block, Cell, Column, Grid, Medium, Remark, Span, heading};
use crate::actions::ActionEntry;
use crate::diff::Diff;
use crate::model::report::Report;
use crate::render::actions::{
    action_line, by_part, open_count, overdue_count, part_label, progress, status_text,
};
use crate::render::{delta, score};
use crate::text::plural;

/// SPEC §12: each part's actions under it, with the part's score; nothing without an
/// actions file.
pub(super) fn report_actions(report: &Report, m: Medium) -> Vec<Block> {
    let Some(actions) = &report.actions else {
        return Vec::new();
    };
    let (open, overdue) = (open_count(actions), overdue_count(actions));
    let mut blocks = vec![Block::Section {
        title: "Actions".to_string(),
        aside: format!("{open} open, {overdue} overdue, {} in all", actions.len()),
        intro: format!(
            "{open} open, {overdue} overdue, {} in all",
            plural(actions.len(), "action", "actions")
        ),
    }];
    for group in by_part(actions, |a| &a.part) {
        let first = &group[0];
        let said = group.iter().map(|a| remark(a, m)).collect();
        blocks.push(Block::Remarks {
            subject: part_label(&first.part, &first.title),
            figure: score(first.score),
            said,
        });
    }
    blocks
}

/// One action under its part. A terminal's line is short, `[status] id: what · owner · due
/// DATE`; a page has room for who, since when, and the evidence:
/// `**status** · id · what · owner NAME · due DATE · opened PERIOD · evidence: …`.
fn remark(a: &ActionEntry, m: Medium) -> Remark {
    let ours = |s: &str| Span::Ours(s.to_string());
    let status = status_text(a.status.as_str(), a.overdue);
    let (id, what) = (Span::User(a.id.clone()), Span::User(a.what.clone()));
    let page = m == Medium::Markdown;
    let mut said = if page {
        vec![Span::Strong(status), ours(" · "), id, ours(" · "), what]
    } else {
        vec![ours(&format!("[{status}] ")), id, ours(": "), what]
    };
    if let Some(o) = &a.owner {
        said.extend([
            ours(if page { " · owner " } else { " · " }),
            Span::User(o.clone()),
        ]);
    }
    if let Some(d) = &a.due {
        said.extend([ours(" · due "), Span::User(d.clone())]);
    }
    if page {
        said.extend([ours(" · opened "), Span::User(a.opened.clone())]);
        if let Some(e) = &a.evidence {
            said.extend([ours(" · evidence: "), Span::User(e.clone())]);
        }
    }
    Remark {
        urgent: a.overdue,
        said,
    }
}

/// SPEC §12: each target with where its part stands now and stood then.
pub(super) fn report_targets(report: &Report) -> Vec<Block> {
    let Some(targets) = report.targets.as_ref().filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    let columns = vec![
        Column::Ours("Part", Align::Left),
        Column::Ours("Target", Align::Right),
        Column::Ours("Now", Align::Right),
        Column::Ours("Met", Align::Left),
        Column::Ours("Due", Align::Left),
        Column::Ours("Overdue", Align::Left),
        Column::Ours("Then", Align::Right),
        Column::Ours("Progress", Align::Right),
    ];
    let yes_no = |b: bool| Cell::Ours(if b { "yes" } else { "no" }.to_string());
    let rows = targets
        .iter()
        .map(|t| {
            vec![
                Cell::Text(part_label(&t.part, &t.title)),
                Cell::Figure(score(Some(t.score))),
                Cell::Figure(score(t.now)),
                yes_no(t.met),
                Cell::Text(t.due.clone().unwrap_or_else(|| "—".to_string())),
                if t.overdue {
                    Cell::Strong(Box::new(Cell::Ours("overdue".to_string())))
                } else {
                    yes_no(false)
                },
                Cell::Figure(score(t.then)),
                Cell::Figure(progress(t.progress)),
            ]
        })
        .collect();
    vec![heading("Targets"), Block::Table(Grid { columns, rows })]
}

/// The actions and targets of a diff; nothing without an actions file.
pub(super) fn diff_actions(diff: &Diff) -> Vec<Block> {
    let Some(ad) = &diff.actions else {
        return Vec::new();
    };
    let periods = || {
        [
            Column::User(diff.base.period.clone(), Align::Right),
            Column::User(diff.new.period.clone(), Align::Right),
        ]
    };
    let mut blocks = vec![Block::Heading {
        title: "Actions".to_string(),
        note: vec![Span::User(ad.summary.clone())],
    }];
    if !ad.actions.is_empty() {
        let mut columns = vec![Column::Ours("Change", Align::Right)];
        columns.extend(periods());
        columns.push(Column::Ours("Part", Align::Left));
        columns.push(Column::Ours("Action", Align::Left));
        let rows = ad
            .actions
            .iter()
            .map(|a| {
                let action = Cell::Text(action_line(a));
                vec![
                    Cell::Change {
                        text: delta(a.delta),
                        status: None,
                    },
                    Cell::Score(a.base),
                    Cell::Score(a.new),
                    Cell::Text(part_label(&a.part, &a.title)),
                    if a.overdue {
                        Cell::Flag("⚠️", Box::new(action))
                    } else {
                        action
                    },
                ]
            })
            .collect();
        blocks.push(Block::Table(Grid { columns, rows }));
    }
    if !ad.targets.is_empty() {
        let mut columns = vec![
            Column::Ours("Part", Align::Left),
            Column::Ours("Target", Align::Right),
        ];
        columns.extend(periods());
        columns.extend([
            Column::Ours("Met", Align::Left),
            Column::Ours("Due", Align::Left),
            Column::Ours("Overdue", Align::Left),
            Column::Ours("Progress", Align::Right),
        ]);
        let yes_no = |b: bool| Cell::Ours(if b { "yes" } else { "no" }.to_string());
        let rows = ad
            .targets
            .iter()
            .map(|t| {
                vec![
                    Cell::Text(part_label(&t.part, &t.title)),
                    Cell::Score(Some(t.score)),
                    Cell::Score(t.base),
                    Cell::Score(t.new),
                    yes_no(t.met),
                    Cell::Text(t.due.clone().unwrap_or_else(|| "—".to_string())),
                    if t.overdue {
                        Cell::Strong(Box::new(Cell::Ours("overdue".to_string())))
                    } else {
                        yes_no(false)
                    },
                    Cell::Figure(progress(t.progress)),
                ]
            })
            .collect();
        blocks.push(Block::Table(Grid { columns, rows }));
    }
    blocks
}
