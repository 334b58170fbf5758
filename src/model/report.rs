//! The JSON report (SPEC §6): the canonical, versioned output that `diff` and `trend` read back.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::Source;
use crate::error::Problem;

pub const REPORT_FORMAT: &str = "selfaudit-report/1";
/// Every version of the report format starts with this; what follows the slash is the version.
const REPORT_FORMAT_FAMILY: &str = "selfaudit-report/";
const REPORT_HINT: &str =
    "diff and trend read the JSON reports of `selfaudit report --format json`";

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
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    /// §14: jackknife standard error of `score`, in points; null when fewer than two
    /// leave-one-out scores are defined (and in reports from before §14).
    #[serde(default)]
    pub se: Option<f64>,
    /// §14: the 95 % interval of `score`, clipped to [0, 100]; null with `se`.
    #[serde(default)]
    pub ci: Option<[f64; 2]>,
    /// §14: the interval's half-width before clipping, `t(0.975, m − 1) · se` (the "± 6.1"
    /// of a table); `diff` compares deltas with it. Null with `se`.
    #[serde(default)]
    pub moe: Option<f64>,
    pub checklists: Vec<ChecklistReport>,
    #[serde(default)]
    pub critical_gaps: Vec<CriticalGap>,
    #[serde(default)]
    pub per_respondent: Vec<RespondentScore>,
    // The team list and roles (SPEC §10): absent without a team list or roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_rate: Option<ResponseRate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlisted: Option<Unlisted>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perception_gaps: Vec<PerceptionGap>,
    /// With an actions file (SPEC §12): its actions, under their parts, open ones first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<super::actions::ActionEntry>>,
    /// With an actions file (SPEC §12): its targets, with the score now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<super::actions::TargetEntry>>,
    /// Checklists the responses files name but answer nothing of: not scored, and said so in
    /// every format, since a blank template is not a clean result. Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unanswered: Vec<Unanswered>,
}

/// A checklist named in the responses files with no answer in any of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unanswered {
    pub id: String,
    #[serde(default)]
    pub title: String,
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
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    /// §14: jackknife standard error of `score`, in points; null when fewer than two
    /// leave-one-out scores are defined (and in reports from before §14).
    #[serde(default)]
    pub se: Option<f64>,
    /// §14: the 95 % interval of `score`, clipped to [0, 100]; null with `se`.
    #[serde(default)]
    pub ci: Option<[f64; 2]>,
    /// §14: the interval's half-width before clipping, `t(0.975, m − 1) · se` (the "± 6.1"
    /// of a table); `diff` compares deltas with it. Null with `se`.
    #[serde(default)]
    pub moe: Option<f64>,
    /// §14: Krippendorff's α (interval) of the checklist's answers, 0–1; null when fewer than
    /// two pairable values or no variation among them.
    #[serde(default)]
    pub alpha: Option<f64>,
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
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    /// §14: jackknife standard error of `score`, in points; null when fewer than two
    /// leave-one-out scores are defined (and in reports from before §14).
    #[serde(default)]
    pub se: Option<f64>,
    /// §14: the 95 % interval of `score`, clipped to [0, 100]; null with `se`.
    #[serde(default)]
    pub ci: Option<[f64; 2]>,
    /// §14: the interval's half-width before clipping, `t(0.975, m − 1) · se` (the "± 6.1"
    /// of a table); `diff` compares deltas with it. Null with `se`.
    #[serde(default)]
    pub moe: Option<f64>,
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
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    /// §14: jackknife standard error of `score`, in points; null when fewer than two
    /// leave-one-out scores are defined (and in reports from before §14).
    #[serde(default)]
    pub se: Option<f64>,
    /// §14: the 95 % interval of `score`, clipped to [0, 100]; null with `se`.
    #[serde(default)]
    pub ci: Option<[f64; 2]>,
    /// §14: the interval's half-width before clipping, `t(0.975, m − 1) · se` (the "± 6.1"
    /// of a table); `diff` compares deltas with it. Null with `se`.
    #[serde(default)]
    pub moe: Option<f64>,
    /// §14: agreement within the item, r_wg, 0–1; null when fewer than two answered.
    #[serde(default)]
    pub rwg: Option<f64>,
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
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    /// The respondent's score per checklist of the report, in the report's order.
    #[serde(default)]
    pub checklists: Vec<ChecklistScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistScore {
    pub id: String,
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
}

/// Who answered of the people on the team list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRate {
    pub expected: u64,
    pub answered: u64,
    /// The people who did not answer, in list order; absent in anonymous reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

impl ResponseRate {
    /// `answered / expected` in percent; undefined for an empty list.
    pub fn percent(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.answered as f64 / self.expected as f64 * 100.0)
    }
}

/// Respondents the team list lacks: their names, or only how many in anonymous reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Unlisted {
    Names(Vec<String>),
    Count(u64),
}

impl Unlisted {
    pub fn count(&self) -> usize {
        match self {
            Unlisted::Names(n) => n.len(),
            Unlisted::Count(c) => usize::try_from(*c).unwrap_or(usize::MAX),
        }
    }
}

/// One role's figures by SPEC §5 on its respondents alone; withheld ones hold no figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub role: String,
    #[serde(default)]
    pub title: String,
    /// How many respondents the group has.
    pub n: u64,
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    #[serde(default)]
    pub withheld: bool,
    #[serde(default)]
    pub checklists: Vec<GroupChecklist>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupChecklist {
    pub id: String,
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    #[serde(default)]
    pub sections: Vec<GroupScore>,
    #[serde(default)]
    pub items: Vec<GroupItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScore {
    pub id: String,
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupItem {
    pub id: String,
    #[serde(deserialize_with = "present")]
    pub score: Option<f64>,
    #[serde(default)]
    pub n: u64,
}

/// An item whose groups' scores lie 25 points or more apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerceptionGap {
    pub checklist: String,
    pub item: String,
    pub high: GapEnd,
    pub low: GapEnd,
    pub gap: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapEnd {
    pub role: String,
    pub score: f64,
}

/// A score read back must be there: `null` is "undefined", but a missing (or misspelt) field is
/// an error, never taken for `null`, since a gate would pass on it.
pub(crate) fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(d)
}

fn one() -> f64 {
    1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// SPEC §5's critical gap: a critical item with a score below 100 (an undefined score is no
/// gap). The one place this rule is written.
pub fn critical_gap(critical: bool, score: Option<f64>) -> Option<f64> {
    score.filter(|&s| critical && s < 100.0)
}

impl ItemReport {
    /// The item's score when it is a critical gap.
    pub fn gap(&self) -> Option<f64> {
        critical_gap(self.critical, self.score)
    }
}

impl Report {
    /// Reads a JSON report back: it must be a report, of a format version this build knows,
    /// and name each checklist, section and item once, so that a diff can match them by id.
    pub fn parse(source: &Source) -> Result<Report, Vec<Problem>> {
        let _lines = crate::text::LineIndex::scope(source.text);
        if source.text.starts_with('\u{FEFF}') {
            return Err(vec![
                Problem::new(
                    source.name,
                    "the file starts with a byte-order mark (U+FEFF), which JSON does not allow",
                )
                .at(Some((1, 1)))
                .hint("save the report as UTF-8 without a byte-order mark"),
            ]);
        }
        let report: Report =
            serde_json::from_str(source.text).map_err(|e| vec![json_problem(source, &e)])?;
        if let Some(problem) = format_problem(source, Some(&report.format)) {
            return Err(vec![problem]);
        }
        let mut problems = duplicate_ids(&report)
            .into_iter()
            .map(|message| {
                Problem::new(source.name, message)
                    .hint("a report names each checklist once, and each section and item once within its checklist")
            })
            .collect::<Vec<_>>();
        problems.extend(out_of_range(&report).into_iter().map(|message| {
            Problem::new(source.name, message)
                .hint("scores in a report are percentages from 0 to 100, or null where undefined")
        }));
        if problems.is_empty() {
            Ok(report)
        } else {
            Err(problems)
        }
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

/// Why a file with this `format` is not a report this build reads, if it is not.
fn format_problem(source: &Source, format: Option<&str>) -> Option<Problem> {
    let problem = match format {
        Some(REPORT_FORMAT) => return None,
        Some(f) if f.starts_with(REPORT_FORMAT_FAMILY) => Problem::new(
            source.name,
            format!("unknown report format version `{f}`; this selfaudit reads `{REPORT_FORMAT}`"),
        )
        .hint("use the selfaudit that wrote the report, or write the report again with this one"),
        Some(f) => Problem::new(
            source.name,
            format!("not a selfaudit report: its format is `{f}`, not `{REPORT_FORMAT}`"),
        )
        .hint(REPORT_HINT),
        None => Problem::new(
            source.name,
            format!("not a selfaudit report: no `format` string (`{REPORT_FORMAT}`) at the top"),
        )
        .hint(REPORT_HINT),
    };
    Some(problem)
}

/// A JSON error, located where serde_json says. When the JSON is well-formed but not shaped
/// like a report, says first whether it is a report at all, which matters more than the field.
fn json_problem(source: &Source, err: &serde_json::Error) -> Problem {
    if err.is_data()
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(source.text)
    {
        let format = value.get("format").and_then(|f| f.as_str());
        if let Some(problem) = format_problem(source, format) {
            return problem;
        }
    }
    let text = err.to_string();
    // serde_json ends its messages with " at line L column C"; the position goes in front instead.
    let message = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let message = if message.contains("recursion limit") {
        "arrays or objects nested too deeply (more than 128 levels)"
    } else {
        message
    };
    let position = (err.line() > 0).then(|| (err.line(), err.column().max(1)));
    let problem = if err.is_data() {
        Problem::new(
            source.name,
            format!("not a valid selfaudit report: {message}"),
        )
        .hint("compare it with a report written by `selfaudit report --format json`")
    } else {
        Problem::new(source.name, format!("invalid JSON: {message}")).hint(REPORT_HINT)
    };
    problem.at(position)
}

/// Scores that no report can hold: a diff of them would overflow (SPEC §9: every score
/// written is finite or null). Weights, which a diff does not use, are left alone.
fn out_of_range(report: &Report) -> Vec<String> {
    let bad = |s: Option<f64>| s.is_some_and(|s| !(-1e-6..=100.0 + 1e-6).contains(&s));
    let mut out = Vec::new();
    let mut check = |s: Option<f64>, field: &dyn Fn() -> String| {
        if bad(s) && out.len() < 20 {
            out.push(format!(
                "`{}` is {}, not a score from 0 to 100",
                field(),
                s.unwrap_or_default()
            ));
        }
    };
    check(report.score, &|| "score".to_string());
    for c in &report.checklists {
        check(c.score, &|| format!("checklists[{}].score", c.id));
        for s in &c.sections {
            check(s.score, &|| {
                format!("checklists[{}].sections[{}].score", c.id, s.id)
            });
            for i in &s.items {
                for (name, v) in [
                    ("score", i.score),
                    ("min", i.min),
                    ("max", i.max),
                    ("stddev", i.stddev),
                ] {
                    check(v, &|| {
                        format!("checklists[{}] item `{}` {name}", c.id, i.id)
                    });
                }
                for p in &i.scale {
                    check(Some(p.score), &|| {
                        format!(
                            "checklists[{}] item `{}` scale `{}` score",
                            c.id, i.id, p.key
                        )
                    });
                }
            }
        }
    }
    for g in &report.critical_gaps {
        check(Some(g.score), &|| {
            format!("critical_gaps item `{}` score", g.item)
        });
    }
    for r in &report.per_respondent {
        check(r.score, &|| "per_respondent score".to_string());
        for c in &r.checklists {
            check(c.score, &|| {
                format!("per_respondent checklist `{}` score", c.id)
            });
        }
    }
    out
}

/// Ids that appear twice where a diff must match by id.
fn duplicate_ids(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let mut checklists = HashSet::new();
    for c in &report.checklists {
        if !checklists.insert(c.id.as_str()) {
            out.push(format!("checklist `{}` appears twice", c.id));
        }
        let mut sections = HashSet::new();
        let mut items = HashSet::new();
        for s in &c.sections {
            if !sections.insert(s.id.as_str()) {
                out.push(format!(
                    "section `{}` appears twice in checklist `{}`",
                    s.id, c.id
                ));
            }
            for i in &s.items {
                if !items.insert(i.id.as_str()) {
                    out.push(format!(
                        "item `{}` appears twice in checklist `{}`",
                        i.id, c.id
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Report, Vec<Problem>> {
        Report::parse(&Source {
            name: "r.json",
            text,
        })
    }

    fn one_problem(text: &str) -> Problem {
        match parse(text) {
            Ok(_) => panic!("accepted: {text}"),
            Err(mut p) => {
                assert_eq!(p.len(), 1, "{p:?}");
                p.remove(0)
            }
        }
    }

    #[test]
    fn a_report_in_the_core_shape_only_reads_back() {
        let r = parse(
            r#"{ "format": "selfaudit-report/1", "period": "Q4", "score": null,
                 "checklists": [ { "id": "c", "score": 50.0, "sections": [
                   { "id": "s", "score": 50.0, "items": [ { "id": "i", "score": 50.0 } ] } ] } ] }"#,
        )
        .unwrap_or_else(|p| panic!("{p:?}"));
        let (c, _, i) = r.items().next().unwrap_or_else(|| panic!("no item"));
        assert_eq!(
            (c.weight, i.weight, i.critical, i.score),
            (1.0, 1.0, false, Some(50.0))
        );
        assert!(r.critical_gaps.is_empty() && c.renamed.is_empty());
    }

    #[test]
    fn a_file_that_is_not_a_report_says_so() {
        for text in [r#"{"a": 1}"#, "[1, 2]", r#"{"format": 3}"#] {
            let p = one_problem(text);
            assert!(
                p.message.starts_with("not a selfaudit report"),
                "{text}: {}",
                p.message
            );
        }
        let p = one_problem(r#"{"format": "selfaudit-diff/1", "items": []}"#);
        assert!(p.message.contains("`selfaudit-diff/1`"), "{}", p.message);
    }

    #[test]
    fn an_unknown_format_version_is_refused_whatever_its_shape() {
        for text in [
            r#"{"format": "selfaudit-report/2", "period": "Q4", "score": 1, "checklists": []}"#,
            r#"{"format": "selfaudit-report/2", "whatever": true}"#,
        ] {
            let p = one_problem(text);
            assert!(
                p.message
                    .starts_with("unknown report format version `selfaudit-report/2`"),
                "{}",
                p.message
            );
        }
    }

    #[test]
    fn broken_json_and_wrong_types_are_located() {
        let p = one_problem("{\n  \"format\": \"selfaudit-report/1\",\n  \"period\": ");
        assert_eq!(p.position, Some((3, 12)));
        assert!(
            p.message.starts_with("invalid JSON: EOF while parsing"),
            "{}",
            p.message
        );
        let p = one_problem(
            "{\"format\": \"selfaudit-report/1\", \"period\": \"Q4\",\n \"score\": \"high\", \"checklists\": []}",
        );
        assert_eq!(p.position, Some((2, 16)));
        assert!(!p.message.contains(" at line "), "{}", p.message);
        assert!(
            p.message
                .starts_with("not a valid selfaudit report: invalid type"),
            "{}",
            p.message
        );
        assert_eq!(one_problem("").position, Some((1, 1)));
    }

    #[test]
    fn ids_a_diff_matches_on_must_be_unique() {
        let text = r#"{ "format": "selfaudit-report/1", "period": "Q4", "score": null, "checklists": [
            { "id": "c", "score": null, "sections": [
              { "id": "s", "score": null, "items": [ { "id": "i", "score": null } ] },
              { "id": "s", "score": null, "items": [ { "id": "i", "score": null } ] } ] } ] }"#;
        let messages: Vec<String> = parse(text)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(
            messages,
            [
                "section `s` appears twice in checklist `c`",
                "item `i` appears twice in checklist `c`"
            ]
        );
    }
}
