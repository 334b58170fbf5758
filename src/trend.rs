//! Scores across periods: overall, per checklist and per section, one column per report in the
//! order given (oldest first). Pure: reports in, a `Trend` out.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::report::Report;

pub const TREND_FORMAT: &str = "selfaudit-trend/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    Overall,
    Checklist,
    Section,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub kind: RowKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The title in the latest report that has the row.
    pub title: String,
    /// One per period; null where that report lacks the row or its score is undefined.
    pub scores: Vec<Option<f64>>,
    /// The last period's score minus the one before it; null when either is null.
    pub last_delta: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub format: &'static str,
    pub periods: Vec<String>,
    /// Overall first, then each checklist followed by its sections, in order of first appearance.
    pub rows: Vec<Row>,
    /// One per period: who of the team list answered (SPEC §10); null where a report has no
    /// team list. Absent when no report has one.
    #[serde(skip_serializing_if = "no_rates")]
    pub response_rates: Vec<Option<RatePoint>>,
}

/// A period's response rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatePoint {
    pub expected: u64,
    pub answered: u64,
    /// `answered / expected` in percent; null for an empty list.
    pub rate: Option<f64>,
}

fn no_rates(rates: &[Option<RatePoint>]) -> bool {
    rates.iter().all(Option::is_none)
}

/// A row being filled in, one report at a time.
struct Series {
    id: String,
    title: String,
    scores: Vec<Option<f64>>,
}

impl Series {
    fn new(id: &str, periods: usize) -> Series {
        Series {
            id: id.to_string(),
            title: id.to_string(),
            scores: vec![None; periods],
        }
    }

    fn set(&mut self, period: usize, title: &str, score: Option<f64>) {
        if !title.trim().is_empty() {
            self.title = title.to_string();
        }
        self.scores[period] = score;
    }
}

struct ChecklistSeries {
    series: Series,
    sections: Vec<Series>,
    section_index: HashMap<String, usize>,
}

impl Trend {
    pub fn new(reports: &[Report]) -> Trend {
        let periods = reports.len();
        let mut checklists: Vec<ChecklistSeries> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (p, report) in reports.iter().enumerate() {
            for c in &report.checklists {
                let k = *index.entry(c.id.as_str()).or_insert_with(|| {
                    checklists.push(ChecklistSeries {
                        series: Series::new(&c.id, periods),
                        sections: Vec::new(),
                        section_index: HashMap::new(),
                    });
                    checklists.len() - 1
                });
                let entry = &mut checklists[k];
                entry.series.set(p, &c.title, c.score);
                for s in &c.sections {
                    let sections = &mut entry.sections;
                    let j = *entry.section_index.entry(s.id.clone()).or_insert_with(|| {
                        sections.push(Series::new(&s.id, periods));
                        sections.len() - 1
                    });
                    sections[j].set(p, &s.title, s.score);
                }
            }
        }

        let mut rows = vec![row(
            RowKind::Overall,
            None,
            None,
            "Overall".to_string(),
            reports.iter().map(|r| r.score).collect(),
        )];
        for c in checklists {
            let id = c.series.id;
            rows.push(row(
                RowKind::Checklist,
                Some(id.clone()),
                None,
                c.series.title,
                c.series.scores,
            ));
            rows.extend(c.sections.into_iter().map(|s| {
                row(
                    RowKind::Section,
                    Some(id.clone()),
                    Some(s.id),
                    s.title,
                    s.scores,
                )
            }));
        }
        Trend {
            format: TREND_FORMAT,
            periods: reports.iter().map(|r| r.period.clone()).collect(),
            rows,
            response_rates: reports
                .iter()
                .map(|r| {
                    r.response_rate.as_ref().map(|rr| RatePoint {
                        expected: rr.expected,
                        answered: rr.answered,
                        rate: rr.percent(),
                    })
                })
                .collect(),
        }
    }
}

fn row(
    kind: RowKind,
    checklist: Option<String>,
    section: Option<String>,
    title: String,
    scores: Vec<Option<f64>>,
) -> Row {
    let last_delta = match scores.as_slice() {
        [.., Some(before), Some(last)] => Some(last - before),
        _ => None,
    };
    Row {
        kind,
        checklist,
        section,
        title,
        scores,
        last_delta,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(period: &str, score: Option<f64>, checklists: serde_json::Value) -> Report {
        serde_json::from_value(serde_json::json!({
            "format": "selfaudit-report/1", "period": period, "score": score,
            "checklists": checklists,
        }))
        .unwrap_or_else(|e| panic!("test report: {e}"))
    }

    fn checklist(
        id: &str,
        title: &str,
        score: f64,
        sections: &[(&str, Option<f64>)],
    ) -> serde_json::Value {
        let sections: Vec<_> = sections
            .iter()
            .map(|(id, s)| serde_json::json!({ "id": id, "score": s, "items": [] }))
            .collect();
        serde_json::json!({ "id": id, "title": title, "score": score, "sections": sections })
    }

    fn scores(
        t: &Trend,
        kind: RowKind,
        checklist: Option<&str>,
        section: Option<&str>,
    ) -> Vec<Option<f64>> {
        t.rows
            .iter()
            .find(|r| {
                r.kind == kind
                    && r.checklist.as_deref() == checklist
                    && r.section.as_deref() == section
            })
            .map(|r| r.scores.clone())
            .unwrap_or_else(|| panic!("no row {kind:?} {checklist:?} {section:?}"))
    }

    #[test]
    fn rows_follow_the_reports_in_the_order_given_with_gaps_where_a_period_lacks_them() {
        let reports = [
            report(
                "Q2",
                Some(60.0),
                serde_json::json!([checklist("a", "A old", 60.0, &[("s1", Some(60.0))]),]),
            ),
            report(
                "Q3",
                Some(70.0),
                serde_json::json!([
                    checklist("a", "A", 70.0, &[("s1", Some(70.0)), ("s2", None)]),
                    checklist("b", "B", 50.0, &[("t", Some(50.0))]),
                ]),
            ),
            report(
                "Q4",
                Some(65.0),
                serde_json::json!([checklist("a", "A", 65.0, &[("s2", Some(65.0))]),]),
            ),
        ];
        let t = Trend::new(&reports);
        assert_eq!(t.format, "selfaudit-trend/1");
        assert_eq!(t.periods, ["Q2", "Q3", "Q4"]);
        let order: Vec<(RowKind, Option<&str>, Option<&str>, &str)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r.kind,
                    r.checklist.as_deref(),
                    r.section.as_deref(),
                    r.title.as_str(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                (RowKind::Overall, None, None, "Overall"),
                (RowKind::Checklist, Some("a"), None, "A"),
                (RowKind::Section, Some("a"), Some("s1"), "s1"),
                (RowKind::Section, Some("a"), Some("s2"), "s2"),
                (RowKind::Checklist, Some("b"), None, "B"),
                (RowKind::Section, Some("b"), Some("t"), "t"),
            ]
        );
        assert_eq!(
            scores(&t, RowKind::Overall, None, None),
            [Some(60.0), Some(70.0), Some(65.0)]
        );
        assert_eq!(
            scores(&t, RowKind::Section, Some("a"), Some("s1")),
            [Some(60.0), Some(70.0), None]
        );
        assert_eq!(
            scores(&t, RowKind::Section, Some("a"), Some("s2")),
            [None, None, Some(65.0)]
        );
        assert_eq!(
            scores(&t, RowKind::Checklist, Some("b"), None),
            [None, Some(50.0), None]
        );
        assert_eq!(t.rows[0].last_delta, Some(-5.0));
        assert_eq!(t.rows[1].last_delta, Some(-5.0));
        assert_eq!(t.rows[2].last_delta, None, "missing in the last period");
        assert_eq!(t.rows[3].last_delta, None, "undefined in the period before");
    }

    #[test]
    fn one_report_is_a_trend_of_one_period() {
        let t = Trend::new(&[report("Q4", None, serde_json::json!([]))]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].scores, [None]);
        assert_eq!(t.rows[0].last_delta, None);
    }
}
