//! What each text output shows, decided once as blocks of titles, lines and tables whose cells
//! say what they hold; `table.rs` (terminal) and `markdown.rs` each only turn blocks into text.
//!
//! One file per output: `report.rs` (the report, and `run`'s own scores) with `team.rs` and
//! `actions.rs` for its team, actions and targets; `diff.rs` (the diff: headline, scores,
//! movers, gates; its actions in `actions.rs`); `list` and `trend` here. Where the two media
//! say a thing in their own words (a headline, the gates), the layout takes the [`Medium`]
//! and decides both, side by side.

mod actions;
mod diff;
mod report;
mod team;

pub use diff::diff;
pub use report::{own_scores, report};

use super::delta;
use crate::diff::Status;
use crate::model::checklist::Checklist;
use crate::trend::{RowKind, Trend};

/// Which text output a layout is for. Both show the same parts; a few are worded for the
/// medium (a terminal's line is short, a Markdown page reads as prose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Terminal,
    Markdown,
}

/// One piece of an output. Renderers put a blank line between blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title of the output: a line on a terminal, a `#` heading in Markdown.
    Title(Vec<Span>),
    /// A line of text: our own words and user text, which each renderer escapes.
    Line(Vec<Span>),
    /// A section's heading, with what to know before its table: `title: note` on a
    /// terminal, `## title` and the note as a sentence in Markdown.
    Heading {
        title: String,
        note: Vec<Span>,
    },
    /// A section's heading with a word on what it holds: `title (aside)` on a terminal,
    /// where a line is short; `## title` and the longer `intro` as a sentence in Markdown.
    /// Either may be empty.
    Section {
        title: String,
        aside: String,
        intro: String,
    },
    /// A heading Markdown's outline needs; on a terminal the table's header says it.
    Caption(&'static str),
    Table(Grid),
    /// A table long enough to fold away: under a `<details>` summary in Markdown; a
    /// terminal, which cannot fold, leaves it out.
    Folded {
        summary: &'static str,
        table: Grid,
    },
    /// A line under a table, saying what its marks mean (a sentence in Markdown).
    Legend(&'static str),
    /// A line right under a table (on a terminal too): what it left out, held back, or
    /// adds up to.
    Note(Vec<Span>),
    /// Lines under a heading: indented on a terminal, a bulleted list in Markdown.
    List(Vec<Vec<Span>>),
    /// A subject and what was said of it: `subject (figure)` over an indented list on a
    /// terminal; the subject in bold over a bulleted list in Markdown.
    Remarks {
        subject: String,
        figure: String,
        said: Vec<Remark>,
    },
}

/// One thing said under a subject; an urgent one (an overdue action) is marked: `!` for
/// the bullet on a terminal, ⚠️ before it in Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Remark {
    pub urgent: bool,
    pub said: Vec<Span>,
}

/// Part of a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Our own words, never escaped.
    Ours(String),
    /// Our own words, in bold where the format has bold.
    Strong(String),
    /// Our own words, in italics where the format has them.
    Em(String),
    /// Text a user wrote (titles, periods, names): escaped by the renderer.
    User(String),
}

impl Span {
    /// A line's parts as text, user text passed through the renderer's one `escape` and
    /// emphasis drawn by `strong` and `em`.
    pub fn join(
        spans: &[Span],
        escape: impl Fn(&str) -> String,
        strong: impl Fn(&str) -> String,
        em: impl Fn(&str) -> String,
    ) -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Ours(t) => t.clone(),
                Span::Strong(t) => strong(t),
                Span::Em(t) => em(t),
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
    /// Bars of the row's score, without a header: a terminal draws them, Markdown leaves
    /// the column out.
    Bar,
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
    /// A score with its 95 % margin of error, `72.5 ± 6.1`, coloured by the score.
    ScoreMoe(Option<f64>, Option<f64>),
    /// A bar of a score, in a [`Column::Bar`].
    Bar(Option<f64>),
    /// A change in points, already worded; coloured by its status on a terminal, if any.
    Change {
        text: String,
        status: Option<Status>,
    },
    /// User text.
    Text(String),
    /// An item's text (user text) with its marks: `[critical] [split]` on a terminal,
    /// **critical** *split* in Markdown.
    Item {
        text: String,
        critical: bool,
        split: bool,
    },
    /// An item's answers, `2× yes, 1× no` (the keys are user text), or that they are
    /// withheld.
    Answers {
        counts: Vec<(String, u64)>,
        withheld: bool,
    },
    /// Our own words or marks (a sparkline), never escaped.
    Ours(String),
    /// Our own figure (a percentage), aligned right.
    Figure(String),
    /// Our word where a figure would be (`withheld`): aligned right, in italics in Markdown.
    Absent(&'static str),
    /// A cell in bold (a checklist's row, a new gap); a terminal bolds only names.
    Strong(Box<Cell>),
    /// A cell to draw the eye to: Markdown, which has no colour, puts the mark before it.
    Flag(&'static str, Box<Cell>),
}

impl Column {
    pub fn align(&self) -> Align {
        match self {
            Column::Tree | Column::Bar => Align::Left,
            Column::Ours(_, a) | Column::User(_, a) => *a,
        }
    }
}

/// The title of an output: `what · subject · facts` on a terminal, `# what: subject` in
/// Markdown (a heading stays short there).
fn title(m: Medium, what: &str, subject: &str, facts: &[String]) -> Block {
    let mut spans = vec![Span::Ours(what.to_string())];
    match m {
        Medium::Terminal => {
            spans.push(Span::Ours(" · ".to_string()));
            spans.push(Span::User(subject.to_string()));
            for f in facts {
                spans.push(Span::Ours(format!(" · {f}")));
            }
        }
        Medium::Markdown => {
            spans.push(Span::Ours(": ".to_string()));
            spans.push(Span::User(subject.to_string()));
        }
    }
    Block::Title(spans)
}

/// A section's heading alone.
fn heading(title: &str) -> Block {
    Block::Heading {
        title: title.to_string(),
        note: Vec::new(),
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

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// A sparkline spans at least this many points, so a wiggle of a point or two stays flat
/// instead of filling the whole height.
const MIN_SPAN: f64 = 10.0;

/// One bar per period, scaled to the row's own range (at least `MIN_SPAN` points); a space
/// where the period has no score.
pub fn sparkline(scores: &[Option<f64>]) -> String {
    let defined = scores.iter().flatten().copied();
    let lo = defined.clone().fold(f64::INFINITY, f64::min);
    let hi = defined.fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(MIN_SPAN);
    scores
        .iter()
        .map(|s| match s {
            Some(s) => {
                let level = ((s - lo) / span * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[level]
            }
            None => ' ',
        })
        .collect()
}

/// `selfaudit trend`: the scores of each period with a sparkline, and the response rates.
pub fn trend(trend: &Trend, m: Medium) -> Vec<Block> {
    let mut blocks = vec![title(
        m,
        "Self-audit trend",
        &span(trend),
        &[crate::text::plural(
            trend.periods.len(),
            "report",
            "reports",
        )],
    )];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_row_with_a_floor_on_the_span() {
        assert_eq!(sparkline(&[Some(0.0), Some(50.0), Some(100.0)]), "▁▅█");
        assert_eq!(sparkline(&[Some(60.0), None, Some(80.0)]), "▁ █");
        // Two points apart is a small step, not the full height.
        assert_eq!(sparkline(&[Some(70.0), Some(72.0)]), "▁▂");
        assert_eq!(sparkline(&[Some(70.0), Some(70.0)]), "▁▁");
        assert_eq!(sparkline(&[None, None]), "  ");
        assert_eq!(sparkline(&[]), "");
    }
}
