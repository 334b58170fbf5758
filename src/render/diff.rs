//! A diff of two reports as a terminal table and as Markdown, laid out once in
//! `layout::diff` (JSON is the `Diff` itself).

use super::layout::{self, Medium};
use super::table::Style;
use crate::diff::Diff;

/// The terminal form; `top` caps each list of items.
pub fn table(diff: &Diff, top: usize, style: Style) -> String {
    super::table::blocks(&layout::diff(diff, top, Medium::Terminal), style)
}

/// The Markdown form, for a CI step summary or a pull-request comment; `top` caps each list.
pub fn markdown(diff: &Diff, top: usize) -> String {
    super::markdown::blocks(&layout::diff(diff, top, Medium::Markdown))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::diff::{Gates, Status};
    use crate::model::Source;
    use crate::model::report::Report;
    use crate::render::change;

    fn fixture(name: &str, text: &str) -> Report {
        Report::parse(&Source { name, text }).unwrap_or_else(|p| panic!("{name}: {p:?}"))
    }

    /// Two quarters with a rename, a new checklist version, added and removed items and
    /// checklists, an item first answered, a new and a resolved critical gap, and Markdown in
    /// titles; diffed with the gates given.
    pub(in crate::render) fn quarters_with(gates: &Gates) -> Diff {
        let base = fixture(
            "2026-Q3.json",
            include_str!("../../tests/fixtures/reports/2026-Q3.json"),
        );
        let new = fixture(
            "2026-Q4.json",
            include_str!("../../tests/fixtures/reports/2026-Q4.json"),
        );
        Diff::new(&base, &new, gates)
    }

    /// The two quarters with every gate.
    fn quarters() -> Diff {
        quarters_with(&Gates {
            fail_below: Some(60.0),
            max_drop: Some(5.0),
            max_item_drop: Some(20.0),
            fail_on_new_critical: true,
            ..Gates::default()
        })
    }

    const PLAIN: Style = Style {
        color: false,
        fit: false,
    };

    #[test]
    fn table_snapshot() {
        insta::assert_snapshot!(table(&quarters(), 10, PLAIN));
    }

    #[test]
    fn markdown_snapshot() {
        insta::assert_snapshot!(markdown(&quarters(), 10));
    }

    #[test]
    fn json_snapshot() {
        // Timestamps redacted by hand: insta's redactions feature would pull in a parser.
        let mut d = quarters();
        d.base.generated = "[generated]".to_string();
        d.new.generated = "[generated]".to_string();
        insta::assert_json_snapshot!(d);
    }

    #[test]
    fn lists_are_capped_at_top_and_say_how_many_more() {
        let out = table(&quarters(), 1, PLAIN);
        assert!(out.contains("Biggest movers (1 of 2)"), "{out}");
        assert!(out.contains("… and 1 more"), "{out}");
        assert!(out.contains("… and 2 more"), "added: 3, shown 1\n{out}");
    }

    #[test]
    fn a_change_at_the_threshold_never_reads_as_zero() {
        assert_eq!(change(Some(0.049999999999997), Status::Improved), "+0.05");
        assert_eq!(change(Some(-0.04), Status::Unchanged), "0.0");
        assert_eq!(change(None, Status::Removed), "removed");
    }

    #[test]
    fn user_text_cannot_break_the_terminal_or_the_markdown() {
        let mut d = quarters();
        d.items[0].text = "evil\x1b[31m | *bold* <b>".to_string();
        d.new.period = "Q4\x1b]0;title\x07".to_string();
        let t = table(&d, 10, PLAIN);
        assert!(!t.contains('\x1b') && !t.contains('\x07'), "{t}");
        let m = markdown(&d, 10);
        assert!(m.contains("evil\\[31m \\| \\*bold\\* &lt;b&gt;"), "{m}");
        assert!(!m.contains('\x1b'), "{m}");
    }
}
