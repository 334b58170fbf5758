//! CSV (SPEC §13): the report's items, every answer, a diff's items; RFC 4180 through the
//! `csv` crate, UTF-8 without BOM, numbers with the same digits as the JSON report.

use std::borrow::Cow;
use std::io::Write;

use crate::answers::AnswerRow;
use crate::diff::Diff;
use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};

/// The first characters a spreadsheet reads as the start of a formula (or that hide one).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// User text made safe for a spreadsheet cell: text that would start a formula gets a `'` in
/// front. Text that already starts with `'`s before such a character gets one more, so that
/// `unspreadsheet_safe` gives every text back exactly.
pub fn spreadsheet_safe(s: &str) -> Cow<'_, str> {
    if s.trim_start_matches('\'').starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The inverse of `spreadsheet_safe`, for cells read back by `selfaudit import`.
pub fn unspreadsheet_safe(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}

/// A number with the digits JSON gives it (`50.0`, `33.333333333333336`).
pub fn number(x: f64) -> String {
    serde_json::to_string(&x).unwrap_or_default()
}

fn flag(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The fixed columns of the items CSV, before one `count:KEY` column per choice key.
pub const ITEM_COLUMNS: [&str; 15] = [
    "checklist",
    "section",
    "item",
    "text",
    "scale",
    "weight",
    "critical",
    "score",
    "n",
    "na",
    "missing",
    "min",
    "max",
    "stddev",
    "split",
];

/// The §14 columns of the items table, after the `count:KEY` columns so that the columns of
/// SPEC §13 come first and in order: `se` and the 95 % interval in points, `rwg` 0–1.
pub const ITEM_EXTRA_COLUMNS: [&str; 4] = ["se", "ci_lo", "ci_hi", "rwg"];

/// Every choice key of the report's scales, in first-seen order (checklists, sections, items,
/// then each scale's own order): the `count:KEY` columns.
pub fn choice_keys(report: &Report) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (_, _, item) in report.items() {
        for p in &item.scale {
            if seen.insert(p.key.as_str()) {
                keys.push(p.key.clone());
            }
        }
        // A report from elsewhere may count keys it has no scale for.
        for k in item.choices.keys() {
            if k != crate::model::scale::NA && seen.insert(k.as_str()) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

/// One cell of the items table, typed, so that CSV and XLSX lay out the same figures.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'r> {
    /// User text (ids, titles, names, notes): never a formula.
    Text(Cow<'r, str>),
    /// A score in percent (0–100).
    Percent(f64),
    Number(f64),
    Count(u64),
    Flag(bool),
    Empty,
}

impl Cell<'_> {
    fn csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => spreadsheet_safe(s),
            Cell::Percent(x) | Cell::Number(x) => Cow::Owned(number(*x)),
            Cell::Count(n) => Cow::Owned(n.to_string()),
            Cell::Flag(b) => Cow::Borrowed(flag(*b)),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

fn percent(x: Option<f64>) -> Cell<'static> {
    x.map_or(Cell::Empty, Cell::Percent)
}

/// The header of the items table: the fixed columns, then `count:KEY` for each key, then the
/// §14 columns.
pub fn item_header(keys: &[String]) -> Vec<String> {
    ITEM_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .chain(keys.iter().map(|k| format!("count:{k}")))
        .chain(ITEM_EXTRA_COLUMNS.iter().map(|s| s.to_string()))
        .collect()
}

/// One item's row: ids, text, scale name, weight, flags, figures, then the count of each key
/// (empty where the item's scale lacks the key, or its choices were withheld).
pub fn item_row<'r>(
    checklist: &'r ChecklistReport,
    section: &'r SectionReport,
    item: &'r ItemReport,
    scale: &'r str,
    keys: &[String],
) -> Vec<Cell<'r>> {
    let text = |s: &'r str| Cell::Text(Cow::Borrowed(s));
    let mut row = vec![
        text(&checklist.id),
        text(&section.id),
        text(&item.id),
        text(&item.text),
        text(scale),
        Cell::Number(item.weight),
        Cell::Flag(item.critical),
        percent(item.score),
        Cell::Count(item.n),
        Cell::Count(item.na),
        Cell::Count(item.missing),
        percent(item.min),
        percent(item.max),
        percent(item.stddev),
        Cell::Flag(item.split),
    ];
    for k in keys {
        let on_scale =
            item.scale.iter().any(|p| &p.key == k) || item.choices.contains_key(k.as_str());
        row.push(if item.withheld || !on_scale {
            Cell::Empty
        } else {
            Cell::Count(item.choices.get(k.as_str()).copied().unwrap_or(0))
        });
    }
    row.extend([
        percent(item.se),
        percent(item.ci.map(|c| c[0])),
        percent(item.ci.map(|c| c[1])),
        item.rwg.map_or(Cell::Empty, Cell::Number),
    ]);
    row
}

/// `report --format csv`: one row per item. `scale_of(checklist, item)` names the item's scale.
pub fn items(report: &Report, scale_of: &dyn Fn(&str, &str) -> String) -> String {
    let keys = choice_keys(report);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>| -> csv::Result<()> {
        w.write_record(item_header(&keys))?;
        for (c, s, i) in report.items() {
            let scale = scale_of(&c.id, &i.id);
            let row = item_row(c, s, i, &scale, &keys);
            w.write_record(
                row.iter()
                    .map(Cell::csv)
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|c| c.as_ref()),
            )?;
        }
        Ok(())
    };
    let _ = write(&mut w);
    into_string(w)
}

fn into_string(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

impl AnswerRow<'_> {
    /// The cells in the order of `answer_header`.
    pub fn cells(&self) -> Vec<Cell<'_>> {
        fn text(s: &str) -> Cell<'_> {
            Cell::Text(Cow::Borrowed(s))
        }
        vec![
            text(self.period),
            text(self.respondent),
            text(self.role),
            text(self.checklist),
            text(self.section),
            text(self.item),
            text(self.choice),
            self.value.map_or(Cell::Empty, Cell::Number),
            percent(self.score),
            text(self.note),
        ]
    }
}

/// The header of `answers-csv`, in the order of SPEC §13.
pub fn answer_header() -> [&'static str; 10] {
    [
        "period",
        "respondent",
        "role",
        "checklist",
        "section",
        "item",
        "choice",
        "value",
        "score",
        "note",
    ]
}

/// Writes answer rows as CSV to `out` as they come, so a million of them need no more memory
/// than one.
pub struct AnswerWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> AnswerWriter<W> {
    pub fn new(out: W) -> std::io::Result<Self> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(1 << 16)
            .from_writer(out);
        w.write_record(answer_header()).map_err(into_io)?;
        Ok(AnswerWriter { w })
    }

    /// Writes one row without allocating: cells are borrowed, numbers formatted in place
    /// (`zmij`, as `serde_json` formats them).
    pub fn row(&mut self, row: &AnswerRow) -> std::io::Result<()> {
        let (mut v, mut s) = (zmij::Buffer::new(), zmij::Buffer::new());
        let value = row.value.map_or("", |x| v.format(x));
        let score = row.score.map_or("", |x| s.format(x));
        let record = [
            spreadsheet_safe(row.period),
            spreadsheet_safe(row.respondent),
            spreadsheet_safe(row.role),
            spreadsheet_safe(row.checklist),
            spreadsheet_safe(row.section),
            spreadsheet_safe(row.item),
            spreadsheet_safe(row.choice),
            Cow::Borrowed(value),
            Cow::Borrowed(score),
            spreadsheet_safe(row.note),
        ];
        self.w
            .write_record(record.iter().map(|c| c.as_bytes()))
            .map_err(into_io)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

fn into_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// The preferred order of the diff's item columns; fields added later follow, by name.
const DIFF_COLUMNS: [&str; 10] = [
    "checklist",
    "section",
    "id",
    "renamed_from",
    "text",
    "critical",
    "base",
    "new",
    "delta",
    "status",
];

/// `diff --format csv`: one row per item delta with the fields of the JSON diff's `items`.
pub fn diff_items(diff: &Diff) -> String {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = diff
        .items
        .iter()
        .filter_map(|i| match serde_json::to_value(i) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        })
        .collect();
    let mut columns: Vec<String> = DIFF_COLUMNS.iter().map(|s| s.to_string()).collect();
    let mut extra: Vec<&String> = rows
        .iter()
        .flat_map(|m| m.keys())
        .filter(|k| !DIFF_COLUMNS.contains(&k.as_str()))
        .collect();
    extra.sort();
    extra.dedup();
    columns.extend(extra.into_iter().cloned());
    // An interval (`base_ci`, `new_ci`) is two numeric columns, `_lo` and `_hi`, not JSON text.
    let columns: Vec<(String, &str, Option<usize>)> = columns
        .iter()
        .flat_map(|c| {
            let pair = rows
                .iter()
                .any(|m| m.get(c.as_str()).and_then(|v| v.as_array()).is_some());
            if pair && c.ends_with("_ci") {
                vec![
                    (format!("{c}_lo"), c.as_str(), Some(0)),
                    (format!("{c}_hi"), c.as_str(), Some(1)),
                ]
            } else {
                vec![(c.clone(), c.as_str(), None)]
            }
        })
        .collect();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>| -> csv::Result<()> {
        w.write_record(columns.iter().map(|(h, _, _)| h))?;
        for m in &rows {
            let record: Vec<Cow<str>> = columns
                .iter()
                .map(|(_, key, index)| {
                    let v = m.get(*key);
                    json_cell(match index {
                        Some(i) => v.and_then(|v| v.get(*i)),
                        None => v,
                    })
                })
                .collect();
            w.write_record(record.iter().map(|c| c.as_ref()))?;
        }
        Ok(())
    };
    let _ = write(&mut w);
    into_string(w)
}

/// A JSON value as a CSV cell: null and absent empty, numbers and flags as JSON writes them,
/// text made safe; anything nested as its JSON text.
fn json_cell(v: Option<&serde_json::Value>) -> Cow<'_, str> {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::Bool(b)) => Cow::Borrowed(flag(*b)),
        Some(Value::Number(n)) => Cow::Owned(n.to_string()),
        Some(Value::String(s)) => spreadsheet_safe(s),
        Some(other) => Cow::Owned(spreadsheet_safe(&other.to_string()).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_a_quote_and_come_back_exactly() {
        for (raw, safe) in [
            ("=1+1", "'=1+1"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("-2", "'-2"),
            ("@cmd", "'@cmd"),
            ("\t=x", "'\t=x"),
            ("\r=x", "'\r=x"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
            ("plain", "plain"),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(raw), safe, "{raw:?}");
            assert_eq!(unspreadsheet_safe(safe), raw, "{safe:?}");
        }
    }

    #[test]
    fn numbers_have_the_digits_of_json() {
        for x in [50.0, 3.0, 100.0 / 3.0, 1e-7, 1e21, 0.1 + 0.2, 0.0] {
            assert_eq!(zmij::Buffer::new().format(x), number(x), "{x}");
        }
        assert_eq!(number(50.0), "50.0");
        assert_eq!(number(100.0 / 3.0), "33.333333333333336");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
    }
}
