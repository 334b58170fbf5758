//! The terminal format: how each kind of block is drawn (comfy-table tables, colour by
//! score), user text stripped of control characters here and only here. What a command's
//! output holds is decided in `layout`.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use crate::diff::Status;

use super::layout::{self, Block, Column, Medium, Span};
use super::{score, score_moe};
use crate::model::report::Report;
use crate::text::terminal_safe;

/// How the terminal output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colour scores (off for pipes and under NO_COLOR).
    pub color: bool,
    /// Wrap tables to the terminal's width (for a terminal); otherwise tables take their natural width.
    pub fit: bool,
}

fn new_table(style: Style) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(if style.fit {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    if !style.color {
        table.force_no_tty();
        // Without its tty, comfy-table no longer asks the terminal's width (NO_COLOR): tell it.
        if let Some((_, cols)) = dialoguer::console::Term::stdout().size_checked()
            && style.fit
        {
            table.set_width(cols);
        }
    } else {
        table.enforce_styling();
    }
    table
}

/// A score's text in a cell: right-aligned, coloured by the score's level when colour is on.
fn score_cell(text: String, s: Option<f64>, style: Style) -> Cell {
    let cell = Cell::new(text).set_alignment(CellAlignment::Right);
    match s {
        Some(s) if style.color => cell.fg(if s < 50.0 {
            Color::Red
        } else if s < 75.0 {
            Color::Yellow
        } else {
            Color::Green
        }),
        _ => cell,
    }
}

/// A bar of `width` cells for a score in percent.
pub fn bar(s: Option<f64>, width: usize) -> String {
    let Some(s) = s else { return String::new() };
    let eighths = ((s.clamp(0.0, 100.0) / 100.0) * (width * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
    }
    out
}

/// Blocks as terminal text, user text made safe here. A blank line comes before each
/// heading, and between a headline and what follows; legends and notes sit under their table.
pub fn blocks(blocks: &[Block], style: Style) -> String {
    let mut out = String::new();
    let mut prev: Option<&Block> = None;
    for b in blocks {
        let apart = match b {
            Block::Heading { .. } | Block::Section { .. } => true,
            Block::Line(_) => !matches!(
                prev,
                None | Some(Block::Title(_) | Block::Line(_) | Block::List(_))
            ),
            Block::Table(_) => !matches!(
                prev,
                None | Some(Block::Heading { .. } | Block::Section { .. } | Block::Table(_))
            ),
            Block::Title(_)
            | Block::Caption(_)
            | Block::Folded { .. }
            | Block::Legend(_)
            | Block::Note(_)
            | Block::List(_)
            | Block::Remarks { .. } => false,
        };
        if apart {
            out.push('\n');
        }
        out.push_str(&block(b, style));
        prev = Some(b);
    }
    out
}

/// The report, drawn for a terminal (`layout::report` decides what it holds).
pub fn report(report: &Report, top: usize, style: Style) -> String {
    blocks(&layout::report(report, top, Medium::Terminal), style)
}

fn spans(spans: &[Span]) -> String {
    Span::join(spans, terminal_safe, str::to_string, str::to_string)
}

fn block(block: &Block, style: Style) -> String {
    match block {
        Block::Title(s) | Block::Line(s) | Block::Note(s) => spans(s) + "\n",
        Block::Heading { title, note } if note.is_empty() => format!("{title}\n"),
        Block::Heading { title, note } => format!("{title}: {}\n", spans(note)),
        Block::Section { title, aside, .. } if aside.is_empty() => format!("{title}\n"),
        Block::Section { title, aside, .. } => format!("{title} ({aside})\n"),
        Block::Caption(_) | Block::Folded { .. } => String::new(),
        Block::Legend(text) => format!("{text}\n"),
        Block::List(lines) => lines.iter().map(|l| format!("  {}\n", spans(l))).collect(),
        Block::Remarks {
            subject,
            figure,
            said,
        } => {
            let mut out = format!("  {} ({figure})\n", terminal_safe(subject));
            for r in said {
                let bullet = if r.urgent { "!" } else { "–" };
                out.push_str(&format!("    {bullet} {}\n", spans(&r.said)));
            }
            out
        }
        Block::Table(grid) => {
            let mut t = new_table(style);
            t.set_header(grid.columns.iter().map(|c| match c {
                Column::Tree => "Checklist / section".to_string(),
                Column::Ours(h, _) => h.to_string(),
                Column::User(h, _) => terminal_safe(h),
                Column::Bar => String::new(),
            }));
            for row in &grid.rows {
                t.add_row(row.iter().map(|c| grid_cell(c, style)));
            }
            // An id is what the user types next: never broken across lines.
            for (i, c) in grid.columns.iter().enumerate() {
                if let (Column::Ours("Id", _), Some(col)) = (c, t.column_mut(i)) {
                    col.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
                }
            }
            format!("{t}\n")
        }
    }
}

fn grid_cell(cell: &layout::Cell, style: Style) -> Cell {
    match cell {
        layout::Cell::Name {
            text,
            section: true,
        } => Cell::new(format!("  {}", terminal_safe(text))),
        layout::Cell::Name {
            text,
            section: false,
        } => Cell::new(terminal_safe(text)).add_attribute(Attribute::Bold),
        layout::Cell::Score(s) => score_cell(score(*s), *s, style),
        layout::Cell::ScoreMoe(s, moe) => score_cell(score_moe(*s, *moe), *s, style),
        layout::Cell::Bar(s) => Cell::new(bar(*s, 20)),
        layout::Cell::Change { text, status } => {
            let c = Cell::new(text).set_alignment(CellAlignment::Right);
            match status {
                Some(Status::Improved) if style.color => c.fg(Color::Green),
                Some(Status::Regressed) if style.color => c.fg(Color::Red),
                _ => c,
            }
        }
        layout::Cell::Text(t) => Cell::new(terminal_safe(t)),
        layout::Cell::Item {
            text,
            critical,
            split,
        } => Cell::new(format!(
            "{}{}{}",
            terminal_safe(text),
            if *critical { " [critical]" } else { "" },
            if *split { " [split]" } else { "" }
        )),
        layout::Cell::Answers { withheld: true, .. } => Cell::new("(withheld)"),
        layout::Cell::Answers { counts, .. } => Cell::new(
            counts
                .iter()
                .map(|(k, c)| format!("{c}× {}", terminal_safe(k)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        layout::Cell::Ours(t) => Cell::new(t),
        layout::Cell::Figure(t) => Cell::new(t).set_alignment(CellAlignment::Right),
        layout::Cell::Absent(t) => Cell::new(t).set_alignment(CellAlignment::Right),
        layout::Cell::Strong(c) | layout::Cell::Flag(_, c) => grid_cell(c, style),
    }
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_to_width_in_eighths() {
        assert_eq!(bar(None, 10), "");
        assert_eq!(bar(Some(0.0), 10), "");
        assert_eq!(bar(Some(100.0), 4), "████");
        assert_eq!(bar(Some(50.0), 4), "██");
        assert_eq!(bar(Some(56.25), 4), "██▎");
        assert_eq!(bar(Some(250.0), 2), "██");
    }
}
