//! The JSON report (SPEC §6): the canonical, versioned output that `diff` and `trend` read back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Source;
use crate::error::Problem;

pub const REPORT_FORMAT: &str = "selfaudit-report/1";

/// Fields beyond SPEC's fixed core default when absent, so that any conforming report reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: String,
    pub period: String,
    #[serde(default)]
    pub generated: String,
    #[serde(default)]
    pub respondents: Vec<String>,
    /// True when `--anonymous` replaced the respondents' names.
    #[serde(default, skip_serializing_if = "is_false")]
    pub anonymous: bool,
    pub score: Option<f64>,
    pub checklists: Vec<ChecklistReport>,
    #[serde(default)]
    pub critical_gaps: Vec<CriticalGap>,
    #[serde(default)]
    pub per_respondent: Vec<RespondentScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistReport {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub version: String,
    #[serde(default = "one")]
    pub weight: f64,
    pub score: Option<f64>,
    /// Old item id → new item id, so a diff against an older report follows renames.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub renamed: BTreeMap<String, String>,
    pub sections: Vec<SectionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionReport {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default = "one")]
    pub weight: f64,
    pub score: Option<f64>,
    pub items: Vec<ItemReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub critical: bool,
    pub score: Option<f64>,
    #[serde(default)]
    pub n: u64,
    #[serde(default)]
    pub na: u64,
    #[serde(default)]
    pub missing: u64,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub stddev: Option<f64>,
    #[serde(default)]
    pub split: bool,
    /// Count of every key given, `n/a` included.
    #[serde(default)]
    pub choices: BTreeMap<String, u64>,
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The item's scale, lowest first as the checklist lists it, with each choice's score in percent.
    #[serde(default)]
    pub scale: Vec<ScalePoint>,
    /// True when `--min-responses` withheld this item's choices and notes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub withheld: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub key: String,
    pub label: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Absent in anonymous reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalGap {
    pub checklist: String,
    pub item: String,
    pub score: f64,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RespondentScore {
    pub respondent: String,
    pub score: Option<f64>,
    /// The respondent's score per checklist of the report, in the report's order.
    #[serde(default)]
    pub checklists: Vec<ChecklistScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistScore {
    pub id: String,
    pub score: Option<f64>,
}

fn one() -> f64 {
    1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Report {
    /// Reads a JSON report back (for `--baseline`), located to the line and column where it is wrong.
    pub fn parse(source: &Source) -> Result<Report, Vec<Problem>> {
        Report::parse_one(source).map_err(|p| vec![p])
    }

    fn parse_one(source: &Source) -> Result<Report, Problem> {
        let hint = "pass a JSON report written by `selfaudit report --format json`";
        let report: Report = serde_json::from_str(source.text).map_err(|e| {
            let message = e.to_string();
            // serde_json appends " at line L column C"; the position goes in front instead.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            Problem::new(source.name, message)
                .at((e.line() > 0).then(|| (e.line(), e.column().max(1))))
                .hint(hint)
        })?;
        if !report.format.starts_with("selfaudit-report/") {
            return Err(Problem::new(
                source.name,
                format!("not a selfaudit report (format `{}`)", report.format),
            )
            .hint(hint));
        }
        if report.format != REPORT_FORMAT {
            return Err(Problem::new(
                source.name,
                format!(
                    "report format `{}` is not supported (this version reads `{REPORT_FORMAT}`)",
                    report.format
                ),
            )
            .hint("regenerate the report with this version of selfaudit"));
        }
        Ok(report)
    }

    /// Every item with the checklist and section it sits in.
    pub fn items(&self) -> impl Iterator<Item = (&ChecklistReport, &SectionReport, &ItemReport)> {
        self.checklists.iter().flat_map(|c| {
            c.sections
                .iter()
                .flat_map(move |s| s.items.iter().map(move |i| (c, s, i)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Report, Problem> {
        Report::parse(&Source {
            name: "old.json",
            text,
        })
        .map_err(|mut p| p.remove(0))
    }

    #[test]
    fn a_minimal_report_reads_back() {
        let r = parse(
            r#"{"format": "selfaudit-report/1", "period": "Q", "score": null, "checklists": []}"#,
        )
        .unwrap();
        assert_eq!(r.period, "Q");
        assert!(!r.anonymous);
    }

    #[test]
    fn bad_json_is_located_and_explained() {
        let p = parse("{\n  \"format\": \"selfaudit-report/1\",\n  \"period\": 3\n}").unwrap_err();
        assert_eq!(p.path, "old.json");
        assert_eq!(p.position, Some((3, 13)));
        assert!(p.message.contains("invalid type"), "{}", p.message);
        assert!(!p.message.contains("at line"), "{}", p.message);
        assert!(p.hint.is_some());
    }

    #[test]
    fn other_formats_are_refused() {
        let diff = parse(
            r#"{"format": "selfaudit-diff/1", "period": "Q", "score": null, "checklists": []}"#,
        )
        .unwrap_err();
        assert!(
            diff.message.contains("not a selfaudit report"),
            "{}",
            diff.message
        );
        let newer = parse(
            r#"{"format": "selfaudit-report/2", "period": "Q", "score": null, "checklists": []}"#,
        )
        .unwrap_err();
        assert!(newer.message.contains("not supported"), "{}", newer.message);
    }
}
