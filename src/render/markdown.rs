//! The Markdown format, for a CI step summary or a pull-request comment: how each kind of
//! block is drawn, all user text escaped here and only here. What a command's output holds
//! is decided in `layout`.

use super::layout::{self, Align, Block, Cell, Column, Grid, Medium, Span};
use super::{score, score_moe};
use crate::model::report::Report;
use crate::text::markdown_escape as esc;

/// Blocks as Markdown: a blank line between blocks, user text escaped here.
pub fn blocks(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks.iter().map(block).collect();
    parts.join("\n")
}

/// The report as Markdown (`layout::report` decides what it holds).
pub fn report(report: &Report, top: usize) -> String {
    blocks(&layout::report(report, top, Medium::Markdown))
}

fn spans(spans: &[Span]) -> String {
    Span::join(spans, esc, |t| format!("**{t}**"), |t| format!("*{t}*"))
}

fn block(block: &Block) -> String {
    match block {
        Block::Title(s) => format!("# {}\n", spans(s)),
        Block::Line(s) | Block::Note(s) => spans(s) + "\n",
        Block::Heading { title, note } if note.is_empty() => format!("## {title}\n"),
        Block::Heading { title, note } => {
            format!("## {title}\n\n{}.\n", crate::text::capitalise(&spans(note)))
        }
        Block::Section { title, intro, .. } if intro.is_empty() => format!("## {title}\n"),
        Block::Section { title, intro, .. } => format!("## {title}\n\n{intro}.\n"),
        Block::Caption(title) => format!("## {title}\n"),
        Block::Legend(text) => format!("{}.\n", esc(text)),
        Block::List(lines) => lines.iter().map(|l| format!("- {}\n", spans(l))).collect(),
        Block::Remarks {
            subject,
            figure,
            said,
        } => {
            let mut out = format!("**{}** ({figure})\n\n", esc(subject));
            for r in said {
                let mark = if r.urgent { "⚠️ " } else { "" };
                out.push_str(&format!("- {mark}{}\n", spans(&r.said)));
            }
            out
        }
        Block::Table(grid) => table(grid),
        Block::Folded {
            summary,
            table: grid,
        } => format!(
            "<details><summary>{summary}</summary>\n\n{}\n</details>\n",
            table(grid)
        ),
    }
}

/// A table; bar columns are left out (Markdown has no bars).
fn table(grid: &Grid) -> String {
    let shown = |c: &Column| !matches!(c, Column::Bar);
    let mut head = String::from("|");
    let mut rule = String::from("|");
    for c in grid.columns.iter().filter(|c| shown(c)) {
        let rule_of = match c.align() {
            Align::Left => "---|",
            Align::Right => "--:|",
        };
        match c {
            Column::Tree => {
                head.push_str(" Checklist | Section |");
                rule.push_str("---|---|");
            }
            Column::Ours(h, _) => {
                head.push_str(&if h.is_empty() {
                    " |".to_string()
                } else {
                    format!(" {h} |")
                });
                rule.push_str(rule_of);
            }
            Column::User(h, _) => {
                head.push_str(&format!(" {} |", esc(h)));
                rule.push_str(rule_of);
            }
            Column::Bar => {}
        }
    }
    let mut out = format!("{head}\n{rule}\n");
    for row in &grid.rows {
        out.push('|');
        for (_, c) in grid.columns.iter().zip(row).filter(|(col, _)| shown(col)) {
            out.push_str(&format!("{} |", cell(c)));
        }
        out.push('\n');
    }
    out
}

/// A cell, before its closing bar: a row of the tree takes two columns; an empty cell is
/// nothing, so that it reads `| |`.
fn cell(c: &Cell) -> String {
    match c {
        Cell::Name {
            text,
            section: false,
        } => format!(" **{}** |", esc(text)),
        Cell::Name {
            text,
            section: true,
        } => format!(" | {}", esc(text)),
        Cell::Strong(c) => format!(" **{}**", cell(c).trim_start()),
        Cell::Flag(mark, c) => format!(" {mark}{}", cell(c)),
        Cell::Score(s) => format!(" {}", score(*s)),
        Cell::ScoreMoe(s, moe) => format!(" {}", score_moe(*s, *moe)),
        Cell::Bar(_) => String::new(),
        Cell::Change { text, .. } => format!(" {text}"),
        Cell::Text(t) => format!(" {}", esc(t)),
        Cell::Item {
            text,
            critical,
            split,
        } => format!(
            " {}{}{}",
            esc(text),
            if *critical { " **critical**" } else { "" },
            if *split { " *split*" } else { "" }
        ),
        Cell::Answers { withheld: true, .. } => " *withheld*".to_string(),
        Cell::Answers { counts, .. } => format!(
            " {}",
            counts
                .iter()
                .map(|(k, c)| format!("{c}× {}", esc(k)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Cell::Ours(t) | Cell::Figure(t) if t.is_empty() => String::new(),
        Cell::Ours(t) | Cell::Figure(t) => format!(" {t}"),
        Cell::Absent(t) => format!(" *{t}*"),
    }
}
