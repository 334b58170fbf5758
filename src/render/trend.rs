//! Scores across periods as a terminal table and as Markdown (laid out in `layout::trend`),
//! and the sparkline of a row (JSON is the `Trend` itself).

use super::layout::{self, Medium};
use super::table::Style;
use crate::trend::Trend;

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

pub fn table(trend: &Trend, style: Style) -> String {
    super::table::blocks(&layout::trend(trend, Medium::Terminal), style)
}

pub fn markdown(trend: &Trend) -> String {
    super::markdown::blocks(&layout::trend(trend, Medium::Markdown))
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
