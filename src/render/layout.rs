//! What each output shows, decided once as blocks of titles, lines and tables whose cells say
//! what they hold; `table.rs` (terminal) and `markdown.rs` each only turn blocks into text.

use super::diff::{Titles, checklist_label, item_label, more, noise_legend, noisy_change};
use super::trend::sparkline;
use super::{delta, score};
use crate::diff::{Diff, ItemDelta, Status};
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::trend::{RowKind, Trend};

/// One piece of an output. Renderers put a blank line between blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title of the output: `what · subject · facts` on a terminal, `# what: subject` in
    /// Markdown (a heading stays short there).
    Title {
        what: &'static str,
        subject: String,
        facts: Vec<String>,
    },
    /// A line of text: our own words and user text, which each renderer escapes.
    Line(Vec<Span>),
    /// A section's heading, with what to know before its table: `title: note` on a
    /// terminal, `## title` and the note as a sentence in Markdown.
    Heading {
        title: String,
        note: Vec<Span>,
    },
    /// A heading Markdown's outline needs; on a terminal the table's header says it.
    Caption(&'static str),
    Table(Grid),
    /// A line under a table, saying what its marks mean (a sentence in Markdown).
    Legend(&'static str),
    /// A line under a table, saying what it left out.
    Note(String),
    /// A subject and what was said of it: `subject (figure)` over an indented list on a
    /// terminal; the subject in bold over a bulleted list in Markdown.
    Remarks {
        subject: String,
        figure: String,
        said: Vec<Vec<Span>>,
    },
}

/// Part of a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Our own words, never escaped.
    Ours(String),
    /// Text a user wrote (titles, periods, names): escaped by the renderer.
    User(String),
}

impl Span {
    /// A line's parts as text, user text passed through the renderer's one `escape`.
    pub fn join(spans: &[Span], escape: impl Fn(&str) -> String) -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Ours(t) => t.clone(),
                Span::User(t) => escape(t),
            })
            .collect()
    }
}

/// A table: its columns, then its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// A column's header and alignment.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// The tree of checklists and their sections: one column on a terminal, sections
    /// indented; two columns in Markdown.
    Tree,
    /// A column with a header of our own words.
    Ours(&'static str, Align),
    /// A column whose header is user text (a period).
    User(String, Align),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Right,
}

/// A cell, by what it holds; `strong` cells are bold.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A row of the tree: a checklist (or the overall row), or a section under one.
    Name { text: String, section: bool },
    /// A score in points, coloured by level on a terminal.
    Score(Option<f64>),
    /// A change in points, already worded; coloured by its status on a terminal, if any.
    Change {
        text: String,
        status: Option<Status>,
    },
    /// User text.
    Text(String),
    /// Our own words or marks (a sparkline), never escaped.
    Ours(String),
    /// Our own figure (a percentage), aligned right.
    Figure(String),
    /// A cell in bold (a checklist's row, a new gap); a terminal bolds only names.
    Strong(Box<Cell>),
    /// A cell to draw the eye to: Markdown, which has no colour, puts the mark before it.
    Flag(&'static str, Box<Cell>),
}

impl Column {
    pub fn align(&self) -> Align {
        match self {
            Column::Tree => Align::Left,
            Column::Ours(_, a) | Column::User(_, a) => *a,
        }
    }
}

impl Cell {
    /// How the cell reads before escaping and styling.
    pub fn text(&self) -> String {
        match self {
            Cell::Name { text, .. } | Cell::Text(text) | Cell::Ours(text) | Cell::Figure(text) => {
                text.clone()
            }
            Cell::Change { text, .. } => text.clone(),
            Cell::Score(s) => score(*s),
            Cell::Strong(c) | Cell::Flag(_, c) => c.text(),
        }
    }

    /// Whether the cell holds user text, for the renderer to escape.
    pub fn is_user_text(&self) -> bool {
        match self {
            Cell::Name { .. } | Cell::Text(_) => true,
            Cell::Strong(c) | Cell::Flag(_, c) => c.is_user_text(),
            _ => false,
        }
    }
}

/// `selfaudit list`: the checklists found, with where each came from.
pub fn list<'c>(checklists: impl Iterator<Item = (&'c Checklist, String)>) -> Vec<Block> {
    let columns = vec![
        Column::Ours("Id", Align::Left),
        Column::Ours("Title", Align::Left),
        Column::Ours("Version", Align::Left),
        Column::Ours("Items", Align::Left),
        Column::Ours("Source", Align::Left),
    ];
    let rows = checklists
        .map(|(c, origin)| {
            vec![
                Cell::Text(c.id.clone()),
                Cell::Text(c.title.clone()),
                Cell::Text(c.version.clone()),
                Cell::Ours(c.item_count().to_string()),
                Cell::Text(origin),
            ]
        })
        .collect();
    vec![Block::Table(Grid { columns, rows })]
}

fn span(trend: &Trend) -> String {
    match trend.periods.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} → {last}"),
    }
}

/// `selfaudit trend`: the scores of each period with a sparkline, and the response rates.
pub fn trend(trend: &Trend) -> Vec<Block> {
    let mut blocks = vec![Block::Title {
        what: "Self-audit trend",
        subject: span(trend),
        facts: vec![crate::text::plural(
            trend.periods.len(),
            "report",
            "reports",
        )],
    }];
    let mut columns = vec![Column::Tree];
    columns.extend(
        trend
            .periods
            .iter()
            .map(|p| Column::User(p.clone(), Align::Right)),
    );
    columns.push(Column::Ours("Trend", Align::Left));
    columns.push(Column::Ours("Last change", Align::Right));
    let rows = trend
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Name {
                text: r.title.clone(),
                section: r.kind == RowKind::Section,
            }];
            row.extend(r.scores.iter().map(|s| Cell::Score(*s)));
            row.push(Cell::Ours(sparkline(&r.scores)));
            row.push(Cell::Change {
                text: delta(r.last_delta),
                status: None,
            });
            row
        })
        .collect();
    blocks.push(Block::Table(Grid { columns, rows }));
    if let Some(rates) = response_rates(trend) {
        blocks.push(Block::Line(vec![
            Span::Ours("Response rate: ".to_string()),
            Span::User(rates),
        ]));
    }
    blocks
}

/// Each period's response rate on one line, when any report has a team list.
fn response_rates(trend: &Trend) -> Option<String> {
    if trend.response_rates.iter().all(Option::is_none) {
        return None;
    }
    let parts: Vec<String> = trend
        .periods
        .iter()
        .zip(&trend.response_rates)
        .map(|(p, r)| match r {
            Some(r) => format!(
                "{p} {} ({} of {})",
                r.rate
                    .map_or_else(|| "—".to_string(), |x| format!("{x:.1}%")),
                r.answered,
                r.expected
            ),
            None => format!("{p} —"),
        })
        .collect();
    Some(parts.join(" · "))
}

/// The scores, movers, added and removed items and critical gaps of a diff; `top` caps
/// each list of items.
pub fn diff_body(diff: &Diff, top: usize) -> Vec<Block> {
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
        blocks.extend(more(shown, moved.len()).map(Block::Note));
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
        blocks.extend(more(shown, list.len()).map(Block::Note));
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

/// The actions and targets of a diff; nothing without an actions file.
pub fn diff_actions(diff: &Diff) -> Vec<Block> {
    use super::actions::{action_line, part_label, progress};
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

/// A report's scores by respondent, when there are several to compare.
pub fn per_respondent(report: &Report) -> Vec<Block> {
    if report.per_respondent.len() < 2 {
        return Vec::new();
    }
    let mut columns = vec![
        Column::Ours("Respondent", Align::Left),
        Column::Ours("Overall", Align::Right),
    ];
    columns.extend(report.checklists.iter().map(|c| {
        Column::User(
            crate::text::title_or_id(&c.title, &c.id).to_string(),
            Align::Right,
        )
    }));
    let rows = report
        .per_respondent
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Text(r.respondent.clone()), Cell::Score(r.score)];
            row.extend(r.checklists.iter().map(|c| Cell::Score(c.score)));
            row
        })
        .collect();
    vec![
        Block::Heading {
            title: "Per respondent".to_string(),
            note: Vec::new(),
        },
        Block::Table(Grid { columns, rows }),
    ]
}

/// The notes respondents left on items, under each item with its score.
pub fn notes(report: &Report) -> Vec<Block> {
    let mut blocks: Vec<Block> = report
        .items()
        .filter(|(_, _, i)| !i.notes.is_empty())
        .map(|(_, _, item)| Block::Remarks {
            subject: item.text.clone(),
            figure: score(item.score),
            said: item
                .notes
                .iter()
                .map(|n| match &n.respondent {
                    Some(who) => vec![
                        Span::User(who.clone()),
                        Span::Ours(": ".to_string()),
                        Span::User(n.note.clone()),
                    ],
                    None => vec![Span::User(n.note.clone())],
                })
                .collect(),
        })
        .collect();
    if !blocks.is_empty() {
        blocks.insert(
            0,
            Block::Heading {
                title: "Notes".to_string(),
                note: Vec::new(),
            },
        );
    }
    blocks
}
