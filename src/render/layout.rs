//! What each output shows, decided once as blocks of titles, lines and tables whose cells say
//! what they hold; `table.rs` (terminal) and `markdown.rs` each only turn blocks into text.

use super::trend::sparkline;
use super::{delta, score};
use crate::diff::Status;
use crate::model::checklist::Checklist;
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
    Table(Grid),
}

/// Part of a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Our own words, never escaped.
    Ours(String),
    /// Text a user wrote (titles, periods, names): escaped by the renderer.
    User(String),
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
    /// A count.
    Count(usize),
    /// Our own words or marks (a sparkline), never escaped.
    Ours(String),
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
            Cell::Name { text, .. } | Cell::Text(text) | Cell::Ours(text) => text.clone(),
            Cell::Change { text, .. } => text.clone(),
            Cell::Score(s) => score(*s),
            Cell::Count(n) => n.to_string(),
        }
    }

    /// Whether the cell holds user text, for the renderer to escape.
    pub fn is_user_text(&self) -> bool {
        matches!(self, Cell::Name { .. } | Cell::Text(_))
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
