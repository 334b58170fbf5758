//! A previous report's scores matched to the current one by id, for `report --baseline`. Pure: no I/O.
//!
//! Checklists match by id, sections by id within their checklist, items by id within their
//! checklist (so an item that moved to another section still matches), following the current
//! checklist's `[renamed]` map from old ids to new ones.

use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};

/// A change smaller than this many points counts as unchanged (as in `diff`).
pub const UNCHANGED_BELOW: f64 = 0.05;

/// How a score moved against the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Both scores are defined: new − old, in points.
    Delta(f64),
    /// The baseline has no such checklist, section or item.
    Added,
    /// Matched, but one side's score is undefined.
    Undefined,
}

impl Change {
    pub fn between(new: Option<f64>, old: Option<f64>) -> Change {
        match (new, old) {
            (Some(n), Some(o)) => Change::Delta(n - o),
            _ => Change::Undefined,
        }
    }

    /// The change where a match may be missing: `None` means the baseline lacks it.
    pub fn matched(new: Option<f64>, old: Option<Option<f64>>) -> Change {
        match old {
            Some(old) => Change::between(new, old),
            None => Change::Added,
        }
    }
}

pub struct Baseline<'r> {
    pub report: &'r Report,
}

impl<'r> Baseline<'r> {
    pub fn new(report: &'r Report) -> Self {
        Baseline { report }
    }

    pub fn checklist(&self, current: &ChecklistReport) -> Option<&'r ChecklistReport> {
        self.report.checklists.iter().find(|c| c.id == current.id)
    }

    pub fn section(
        &self,
        checklist: &ChecklistReport,
        current: &SectionReport,
    ) -> Option<&'r SectionReport> {
        self.checklist(checklist)?
            .sections
            .iter()
            .find(|s| s.id == current.id)
    }

    /// The baseline's item for `current`: the same id, else an old id that `[renamed]` leads to it.
    pub fn item(
        &self,
        checklist: &ChecklistReport,
        current: &ItemReport,
    ) -> Option<&'r ItemReport> {
        let old = self.checklist(checklist)?;
        let items = || old.sections.iter().flat_map(|s| s.items.iter());
        items()
            .find(|i| i.id == current.id)
            .or_else(|| items().find(|i| renamed_to(checklist, &i.id) == Some(&current.id)))
    }
}

/// Where an old item id leads through `[renamed]`, following chains (a → b → c); None if it was never renamed.
fn renamed_to<'c>(checklist: &'c ChecklistReport, old: &str) -> Option<&'c String> {
    let mut id = checklist.renamed.get(old)?;
    // A chain is at most as long as the map; a cycle must not loop forever.
    for _ in 0..checklist.renamed.len() {
        match checklist.renamed.get(id) {
            Some(next) => id = next,
            None => break,
        }
    }
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn item(id: &str, score: Option<f64>) -> ItemReport {
        ItemReport {
            id: id.into(),
            text: String::new(),
            weight: 1.0,
            critical: false,
            score,
            n: 0,
            na: 0,
            missing: 0,
            min: None,
            max: None,
            stddev: None,
            split: false,
            choices: BTreeMap::new(),
            notes: Vec::new(),
            scale: Vec::new(),
            withheld: false,
        }
    }

    fn checklist(
        renamed: &[(&str, &str)],
        sections: Vec<(&str, Vec<ItemReport>)>,
    ) -> ChecklistReport {
        ChecklistReport {
            id: "c".into(),
            title: String::new(),
            version: "1".into(),
            weight: 1.0,
            score: None,
            renamed: renamed
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            sections: sections
                .into_iter()
                .map(|(id, items)| SectionReport {
                    id: id.into(),
                    title: String::new(),
                    weight: 1.0,
                    score: None,
                    items,
                })
                .collect(),
        }
    }

    fn report(checklists: Vec<ChecklistReport>) -> Report {
        Report {
            format: "selfaudit-report/1".into(),
            period: "Q".into(),
            generated: String::new(),
            respondents: Vec::new(),
            anonymous: false,
            score: None,
            checklists,
            critical_gaps: Vec::new(),
            per_respondent: Vec::new(),
        }
    }

    #[test]
    fn items_match_by_id_across_sections_and_through_renames() {
        let old = report(vec![checklist(
            &[],
            vec![
                (
                    "a",
                    vec![item("same", Some(10.0)), item("answer-phone", Some(20.0))],
                ),
                ("b", vec![item("first", Some(30.0))]),
            ],
        )]);
        let new = checklist(
            &[
                ("answer-phone", "return-calls"),
                ("first", "second"),
                ("second", "third"),
            ],
            vec![(
                "z",
                vec![
                    item("same", None),
                    item("return-calls", None),
                    item("third", None),
                    item("fresh", None),
                ],
            )],
        );
        let base = Baseline::new(&old);
        let old_score = |i: usize| base.item(&new, &new.sections[0].items[i]).map(|i| i.score);
        assert_eq!(old_score(0), Some(Some(10.0)));
        assert_eq!(old_score(1), Some(Some(20.0)));
        assert_eq!(
            old_score(2),
            Some(Some(30.0)),
            "a chain of renames is followed"
        );
        assert_eq!(old_score(3), None);
        assert!(base.section(&new, &new.sections[0]).is_none());
    }

    #[test]
    fn a_rename_cycle_ends() {
        let c = checklist(&[("a", "b"), ("b", "a")], vec![]);
        assert!(renamed_to(&c, "a").is_some());
    }

    #[test]
    fn changes_say_added_undefined_or_by_how_much() {
        assert_eq!(Change::matched(Some(60.0), None), Change::Added);
        assert_eq!(Change::matched(Some(60.0), Some(None)), Change::Undefined);
        assert_eq!(Change::matched(None, Some(Some(1.0))), Change::Undefined);
        assert_eq!(
            Change::matched(Some(60.0), Some(Some(50.0))),
            Change::Delta(10.0)
        );
    }
}
