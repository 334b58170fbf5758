//! The terminal format: comfy-table tables, user text stripped of control characters.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use crate::diff::Status;

use super::layout::{self, Block, Column, Span};
use super::{HONEST_LEGEND, agreement_label, alpha_label, score_moe};
use super::{Located, distribution, score, split_items, weakest};
use crate::model::report::Report;
use crate::text::plural;
use crate::text::terminal_safe;

/// How the terminal output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colour scores (off for pipes and under NO_COLOR).
    pub color: bool,
    /// Wrap tables to the terminal's width (for a terminal); otherwise tables take their natural width.
    pub fit: bool,
}

pub fn new_table(style: Style) -> Table {
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

/// A score cell: right-aligned, coloured by level when colour is on.
pub fn score_cell(s: Option<f64>, style: Style) -> Cell {
    let cell = Cell::new(score(s)).set_alignment(CellAlignment::Right);
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

/// §14: a score cell with its margin of error, `72.5 ± 6.1`, coloured as [`score_cell`] colours.
pub fn score_moe_cell(s: Option<f64>, moe: Option<f64>, style: Style) -> Cell {
    let cell = Cell::new(score_moe(s, moe)).set_alignment(CellAlignment::Right);
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
            Block::Heading { .. } => true,
            Block::Line(_) => !matches!(prev, None | Some(Block::Title { .. } | Block::Line(_))),
            Block::Table(_) => {
                !matches!(prev, None | Some(Block::Heading { .. } | Block::Table(_)))
            }
            Block::Title { .. }
            | Block::Caption(_)
            | Block::Legend(_)
            | Block::Note(_)
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

fn spans(spans: &[Span]) -> String {
    Span::join(spans, terminal_safe)
}

fn block(block: &Block, style: Style) -> String {
    match block {
        Block::Title {
            what,
            subject,
            facts,
        } => {
            let mut line = format!("{what} · {}", terminal_safe(subject));
            for f in facts {
                line.push_str(&format!(" · {}", terminal_safe(f)));
            }
            line + "\n"
        }
        Block::Line(s) => spans(s) + "\n",
        Block::Heading { title, note } if note.is_empty() => format!("{title}\n"),
        Block::Heading { title, note } => format!("{title}: {}\n", spans(note)),
        Block::Caption(_) => String::new(),
        Block::Legend(text) => format!("{text}\n"),
        Block::Note(text) => format!("{}\n", terminal_safe(text)),
        Block::Remarks {
            subject,
            figure,
            said,
        } => {
            let mut out = format!("  {} ({figure})\n", terminal_safe(subject));
            for s in said {
                out.push_str(&format!("    – {}\n", spans(s)));
            }
            out
        }
        Block::Table(grid) => {
            let mut t = new_table(style);
            t.set_header(grid.columns.iter().map(|c| match c {
                Column::Tree => "Checklist / section".to_string(),
                Column::Ours(h, _) => h.to_string(),
                Column::User(h, _) => terminal_safe(h),
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
        layout::Cell::Score(s) => score_cell(*s, style),
        layout::Cell::Change { text, status } => {
            let c = Cell::new(text).set_alignment(CellAlignment::Right);
            match status {
                Some(Status::Improved) if style.color => c.fg(Color::Green),
                Some(Status::Regressed) if style.color => c.fg(Color::Red),
                _ => c,
            }
        }
        layout::Cell::Text(t) => Cell::new(terminal_safe(t)),
        layout::Cell::Ours(t) => Cell::new(t),
        layout::Cell::Figure(t) => Cell::new(t).set_alignment(CellAlignment::Right),
        layout::Cell::Strong(c) | layout::Cell::Flag(_, c) => grid_cell(c, style),
    }
}

fn heading(out: &mut String, title: &str) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
}

fn where_(l: &Located) -> String {
    terminal_safe(&format!("{} › {}", l.checklist.id, l.section.title))
}

pub fn report(report: &Report, top: usize, style: Style) -> String {
    let mut out = String::new();
    let names: Vec<String> = report
        .respondents
        .iter()
        .map(|r| terminal_safe(r))
        .collect();
    out.push_str(&format!(
        "Self-audit report · {} · {}\n",
        terminal_safe(&report.period),
        plural(names.len(), "respondent", "respondents")
    ));
    out.push_str(&format!(
        "Overall score: {}\n",
        score_moe(report.score, report.moe)
    ));

    let mut scores = new_table(style);
    scores.set_header(vec![
        "Checklist / section",
        "Weight",
        "Score",
        "",
        "Reliability",
    ]);
    for c in &report.checklists {
        scores.add_row(vec![
            Cell::new(terminal_safe(&c.title)).add_attribute(Attribute::Bold),
            Cell::new(weight(c.weight)).set_alignment(CellAlignment::Right),
            score_moe_cell(c.score, c.moe, style),
            Cell::new(bar(c.score, 20)),
            Cell::new(alpha_label(c.alpha)),
        ]);
        for s in &c.sections {
            scores.add_row(vec![
                Cell::new(format!("  {}", terminal_safe(&s.title))),
                Cell::new(weight(s.weight)).set_alignment(CellAlignment::Right),
                score_moe_cell(s.score, s.moe, style),
                Cell::new(bar(s.score, 20)),
                Cell::new(""),
            ]);
        }
    }
    out.push('\n');
    out.push_str(&scores.to_string());
    out.push('\n');
    if super::has_honest_figures(report) {
        out.push_str(HONEST_LEGEND);
        out.push('\n');
    }
    out.push_str(&super::team::table(report, style));

    let weak = weakest(report, top);
    if !weak.is_empty() {
        heading(
            &mut out,
            &format!(
                "Weakest items ({} of {})",
                weak.len(),
                report.items().count()
            ),
        );
        let mut t = new_table(style);
        t.set_header(vec![
            "Score",
            "Item",
            "Where",
            "n",
            "n/a",
            "missing",
            "Answers",
            "Agreement",
        ]);
        for l in &weak {
            let mut flags = String::new();
            if l.item.critical {
                flags.push_str(" [critical]");
            }
            if l.item.split {
                flags.push_str(" [split]");
            }
            t.add_row(vec![
                score_moe_cell(l.item.score, l.item.moe, style),
                Cell::new(format!("{}{flags}", terminal_safe(&l.item.text))),
                Cell::new(where_(l)),
                Cell::new(l.item.n).set_alignment(CellAlignment::Right),
                Cell::new(l.item.na).set_alignment(CellAlignment::Right),
                Cell::new(l.item.missing).set_alignment(CellAlignment::Right),
                Cell::new(answers(l)),
                Cell::new(agreement_label(l.item.rwg)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }

    let split = split_items(report);
    if !split.is_empty() {
        heading(&mut out, "Split items (answers 50 points or more apart)");
        let mut t = new_table(style);
        t.set_header(vec![
            "Item",
            "Min",
            "Max",
            "Std dev",
            "Answers",
            "Agreement",
        ]);
        for l in &split {
            t.add_row(vec![
                Cell::new(terminal_safe(&l.item.text)),
                score_cell(l.item.min, style),
                score_cell(l.item.max, style),
                Cell::new(score(l.item.stddev)).set_alignment(CellAlignment::Right),
                Cell::new(answers(l)),
                Cell::new(agreement_label(l.item.rwg)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }

    if report.critical_gaps.is_empty() {
        let note =
            super::unanswered_note(report).map(|n| format!(" among the checklists answered. {n}"));
        out.push_str(&format!(
            "\nCritical gaps: none{}\n",
            terminal_safe(&note.unwrap_or_default())
        ));
    } else {
        heading(&mut out, "Critical gaps (critical items below 100)");
        let mut t = new_table(style);
        t.set_header(vec!["Score", "Item", "Checklist"]);
        for g in &report.critical_gaps {
            t.add_row(vec![
                score_cell(Some(g.score), style),
                Cell::new(terminal_safe(if g.text.is_empty() {
                    &g.item
                } else {
                    &g.text
                })),
                Cell::new(terminal_safe(&g.checklist)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out.push_str(&super::actions::report_table(report, style));

    out.push_str(&blocks(&layout::per_respondent(report), style));

    out.push_str(&blocks(&layout::notes(report), style));
    out
}

/// One respondent's own scores, as `run` prints them when the interview is saved: each checklist
/// and section, the overall score, and the critical gaps.
pub fn own_scores(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let mut scores = new_table(style);
    scores.set_header(vec!["Checklist / section", "Score", ""]);
    for c in &report.checklists {
        scores.add_row(vec![
            Cell::new(terminal_safe(&c.title)).add_attribute(Attribute::Bold),
            score_cell(c.score, style),
            Cell::new(bar(c.score, 20)),
        ]);
        for s in &c.sections {
            scores.add_row(vec![
                Cell::new(format!("  {}", terminal_safe(&s.title))),
                score_cell(s.score, style),
                Cell::new(bar(s.score, 20)),
            ]);
        }
    }
    out.push_str(&scores.to_string());
    out.push_str(&format!("\nOverall score: {}\n", score(report.score)));
    if report.critical_gaps.is_empty() {
        out.push_str("Critical gaps: none\n");
    } else {
        out.push_str("Critical gaps (critical items below 100):\n");
        for g in &report.critical_gaps {
            out.push_str(&format!(
                "  {:>5}  {}\n",
                score(Some(g.score)),
                terminal_safe(if g.text.is_empty() { &g.item } else { &g.text })
            ));
        }
    }
    out
}

fn answers(l: &Located) -> String {
    if l.item.withheld {
        return "(withheld)".to_string();
    }
    let parts: Vec<String> = distribution(l.item)
        .iter()
        .map(|(k, c)| format!("{c}× {}", terminal_safe(k)))
        .collect();
    parts.join(", ")
}

fn weight(w: f64) -> String {
    if w.fract() == 0.0 && w.abs() < 1e15 {
        format!("{w:.0}")
    } else {
        format!("{w}")
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
