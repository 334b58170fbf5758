//! Scores across periods as a terminal table and as Markdown, with a sparkline per row
//! (JSON is the `Trend` itself).

use comfy_table::{Attribute, Cell, CellAlignment};

use super::table::{Style, new_table, score_cell};
use super::{delta, score};
use crate::text::{markdown_escape as esc, terminal_safe};
use crate::trend::{Row, RowKind, Trend};

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

fn label(r: &Row) -> String {
    match r.kind {
        RowKind::Section => format!("  {}", r.title),
        _ => r.title.clone(),
    }
}

fn span(trend: &Trend) -> String {
    match trend.periods.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} → {last}"),
    }
}

pub fn table(trend: &Trend, style: Style) -> String {
    let mut out = format!(
        "Self-audit trend · {} · {}\n\n",
        terminal_safe(&span(trend)),
        crate::text::plural(trend.periods.len(), "report", "reports")
    );
    let mut t = new_table(style);
    let mut header = vec!["Checklist / section".to_string()];
    header.extend(trend.periods.iter().map(|p| terminal_safe(p)));
    header.extend(["Trend".to_string(), "Last change".to_string()]);
    t.set_header(header);
    for r in &trend.rows {
        let mut name = Cell::new(terminal_safe(&label(r)));
        if r.kind != RowKind::Section {
            name = name.add_attribute(Attribute::Bold);
        }
        let mut row = vec![name];
        row.extend(r.scores.iter().map(|s| score_cell(*s, style)));
        row.push(Cell::new(sparkline(&r.scores)));
        row.push(Cell::new(delta(r.last_delta)).set_alignment(CellAlignment::Right));
        t.add_row(row);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    if let Some(line) = response_rates(trend) {
        out.push_str(&format!("\nResponse rate: {}\n", terminal_safe(&line)));
    }
    out
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

pub fn markdown(trend: &Trend) -> String {
    let mut out = format!("# Self-audit trend: {}\n\n", esc(&span(trend)));
    out.push_str("| Checklist | Section |");
    for p in &trend.periods {
        out.push_str(&format!(" {} |", esc(p)));
    }
    out.push_str(" Trend | Last change |\n|---|---|");
    out.push_str(&"--:|".repeat(trend.periods.len()));
    out.push_str("---|--:|\n");
    for r in &trend.rows {
        match r.kind {
            RowKind::Section => out.push_str(&format!("| | {} |", esc(&r.title))),
            _ => out.push_str(&format!("| **{}** | |", esc(&r.title))),
        }
        for s in &r.scores {
            out.push_str(&format!(" {} |", score(*s)));
        }
        out.push_str(&format!(
            " {} | {} |\n",
            sparkline(&r.scores),
            delta(r.last_delta)
        ));
    }
    if trend.response_rates.iter().any(Option::is_some) {
        out.push_str("\n| Response rate |");
        for p in &trend.periods {
            out.push_str(&format!(" {} |", esc(p)));
        }
        out.push_str("\n|---|");
        out.push_str(&"--:|".repeat(trend.periods.len()));
        out.push_str("\n| answered |");
        for r in &trend.response_rates {
            match r {
                Some(r) => out.push_str(&format!(
                    " {} ({} of {}) |",
                    r.rate
                        .map_or_else(|| "—".to_string(), |x| format!("{x:.1}%")),
                    r.answered,
                    r.expected
                )),
                None => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use crate::model::report::Report;

    fn three_quarters() -> Trend {
        let reports: Vec<Report> = [
            (
                "2026-Q2.json",
                include_str!("../../tests/fixtures/reports/2026-Q2.json"),
            ),
            (
                "2026-Q3.json",
                include_str!("../../tests/fixtures/reports/2026-Q3.json"),
            ),
            (
                "2026-Q4.json",
                include_str!("../../tests/fixtures/reports/2026-Q4.json"),
            ),
        ]
        .iter()
        .map(|(name, text)| {
            Report::parse(&Source { name, text }).unwrap_or_else(|p| panic!("{name}: {p:?}"))
        })
        .collect();
        Trend::new(&reports)
    }

    #[test]
    fn table_snapshot() {
        let style = Style {
            color: false,
            fit: false,
        };
        insta::assert_snapshot!(table(&three_quarters(), style));
    }

    #[test]
    fn markdown_snapshot() {
        insta::assert_snapshot!(markdown(&three_quarters()));
    }

    #[test]
    fn json_snapshot() {
        insta::assert_json_snapshot!(three_quarters());
    }

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
