//! Scores across periods as a terminal table and as Markdown (laid out in `layout::trend`;
//! JSON is the `Trend` itself).

use super::layout::{self, Medium};
use super::table::Style;
use crate::trend::Trend;

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
}
