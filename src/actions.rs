//! Actions and targets (SPEC §12): the actions file, checked against the checklists in use;
//! actions and targets attached to a report; their parts' deltas, means and gates in a diff;
//! and `plan`'s proposals. Pure: text and reports in, data out.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

pub use crate::diff::actions::{ActionDelta, ActionGates, ActionsDiff, MeanDelta, TargetDelta};
use crate::diff::{Counterparts, Diff};
use crate::error::Problem;
pub use crate::model::actions::{ActionEntry, PartRef, Status, TargetEntry};
use crate::model::checklist::Checklist;
use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};
use crate::model::{Source, is_checklist_id};
use crate::stats::EPS;

/// The file name looked for in the current folder when `--actions` is not given.
pub const DEFAULT_FILE: &str = "actions.toml";

/// How to fix a value of the wrong type: the shape of the file.
const SHAPE_HINT: &str = "an actions file holds [[actions]] tables (id, item/section/checklist, what, opened: strings; due: a date such as 2027-01-31) and [[targets]] tables (checklist/section/item, score: a number from 0 to 100, due)";

/// The top-level keys that make a TOML file an actions file.
pub const TOP_KEYS: [&str; 2] = ["actions", "targets"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionsFileRaw {
    #[serde(default)]
    actions: Vec<Spanned<ActionRaw>>,
    #[serde(default)]
    targets: Vec<Spanned<TargetRaw>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionRaw {
    id: Spanned<String>,
    item: Option<Spanned<String>>,
    section: Option<Spanned<String>>,
    checklist: Option<Spanned<String>>,
    what: Spanned<String>,
    owner: Option<Spanned<String>>,
    opened: Spanned<String>,
    due: Option<Spanned<toml::Value>>,
    status: Option<Spanned<String>>,
    evidence: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetRaw {
    item: Option<Spanned<String>>,
    section: Option<Spanned<String>>,
    checklist: Option<Spanned<String>>,
    score: Spanned<f64>,
    due: Option<Spanned<toml::Value>>,
}

/// What an action or target is about, by current ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Checklist(String),
    Section(String, String),
    Item(String, String),
}

impl Part {
    pub fn checklist(&self) -> &str {
        match self {
            Part::Checklist(c) | Part::Section(c, _) | Part::Item(c, _) => c,
        }
    }

    /// `item`, `section` or `checklist`: the key it is written under.
    pub fn kind(&self) -> &'static str {
        match self {
            Part::Checklist(_) => "checklist",
            Part::Section(..) => "section",
            Part::Item(..) => "item",
        }
    }

    /// `CHECKLIST`, `CHECKLIST/SECTION` or `CHECKLIST/ITEM`.
    pub fn path(&self) -> String {
        match self {
            Part::Checklist(c) => c.clone(),
            Part::Section(c, s) => format!("{c}/{s}"),
            Part::Item(c, i) => format!("{c}/{i}"),
        }
    }

    fn to_ref(&self) -> PartRef {
        match self {
            Part::Checklist(c) => PartRef::Checklist(c.clone()),
            Part::Section(..) => PartRef::Section(self.path()),
            Part::Item(..) => PartRef::Item(self.path()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: String,
    pub part: Part,
    pub what: String,
    pub owner: Option<String>,
    pub opened: String,
    pub due: Option<jiff::civil::Date>,
    pub status: Status,
    pub evidence: Option<String>,
}

impl Action {
    /// Overdue on `date`: due before it, and neither done nor dropped. Due on the day is not late.
    pub fn overdue_on(&self, date: Option<jiff::civil::Date>) -> bool {
        match (self.due, date) {
            (Some(due), Some(date)) => due < date && self.status.is_open(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub part: Part,
    pub score: f64,
    pub due: Option<jiff::civil::Date>,
}

impl Target {
    /// Met when the score now reaches the target, within the gates' tolerance.
    pub fn met_by(&self, now: Option<f64>) -> bool {
        now.is_some_and(|n| n >= self.score - EPS)
    }

    /// Overdue on `date`: due before it and not met.
    pub fn overdue_on(&self, now: Option<f64>, date: Option<jiff::civil::Date>) -> bool {
        match (self.due, date) {
            (Some(due), Some(date)) => due < date && !self.met_by(now),
            _ => false,
        }
    }
}

/// `(now − then) / (target − then)`; None when either score is undefined or then = target.
pub fn progress(then: Option<f64>, now: Option<f64>, target: f64) -> Option<f64> {
    let (then, now) = (then?, now?);
    let span = target - then;
    if span.abs() <= EPS {
        return None;
    }
    let p = (now - then) / span;
    p.is_finite().then_some(p)
}

/// A valid actions file: every action and target resolved to a part of the checklists in use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actions {
    pub actions: Vec<Action>,
    pub targets: Vec<Target>,
}

/// The checklists' parts an actions file may name: ids, sections, items and renames.
#[derive(Debug, Default)]
pub struct Catalog {
    checklists: Vec<CatalogEntry>,
    /// Checklist id → its place in `checklists`.
    index: HashMap<String, usize>,
}

#[derive(Debug, Default)]
struct CatalogEntry {
    id: String,
    sections: Vec<String>,
    section_set: HashSet<String>,
    /// Item id → its section.
    items: HashMap<String, String>,
    item_order: Vec<String>,
    renamed: BTreeMap<String, String>,
}

impl Catalog {
    pub fn from_checklists<'c>(checklists: impl IntoIterator<Item = &'c Checklist>) -> Catalog {
        let mut catalog = Catalog::default();
        for c in checklists {
            let mut entry = CatalogEntry {
                id: c.id.clone(),
                renamed: c.renamed.clone(),
                ..CatalogEntry::default()
            };
            for s in &c.sections {
                entry.add_section(&s.id);
                for i in &s.items {
                    entry.item_order.push(i.id.clone());
                    entry.items.insert(i.id.clone(), s.id.clone());
                }
            }
            catalog.push(entry);
        }
        catalog
    }

    fn push(&mut self, entry: CatalogEntry) {
        self.index
            .entry(entry.id.clone())
            .or_insert(self.checklists.len());
        self.checklists.push(entry);
    }

    pub fn from_report(report: &Report) -> Catalog {
        let mut catalog = Catalog::default();
        for c in &report.checklists {
            catalog.push(entry_of(c));
        }
        catalog
    }

    /// Adds the parts of `other` that this catalog lacks (a diff's BASE after its NEW).
    pub fn merge(mut self, other: Catalog) -> Catalog {
        for o in other.checklists {
            match self.index.get(&o.id).copied() {
                None => self.push(o),
                Some(k) => {
                    let c = &mut self.checklists[k];
                    for s in o.sections {
                        c.add_section(&s);
                    }
                    for i in o.item_order {
                        if !c.items.contains_key(&i) && c.locate(&i).is_none() {
                            let section = o.items.get(&i).cloned().unwrap_or_default();
                            c.items.insert(i.clone(), section);
                            c.item_order.push(i);
                        }
                    }
                    for (old, new) in o.renamed {
                        c.renamed.entry(old).or_insert(new);
                    }
                }
            }
        }
        self
    }

    fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.index.get(id).map(|k| &self.checklists[*k])
    }

    fn ids(&self) -> impl ExactSizeIterator<Item = &str> {
        self.checklists.iter().map(|c| c.id.as_str())
    }
}

fn entry_of(c: &ChecklistReport) -> CatalogEntry {
    let mut entry = CatalogEntry {
        id: c.id.clone(),
        renamed: c.renamed.clone(),
        ..CatalogEntry::default()
    };
    for s in &c.sections {
        entry.add_section(&s.id);
        for i in &s.items {
            entry.item_order.push(i.id.clone());
            entry.items.insert(i.id.clone(), s.id.clone());
        }
    }
    entry
}

impl CatalogEntry {
    fn add_section(&mut self, id: &str) {
        if self.section_set.insert(id.to_string()) {
            self.sections.push(id.to_string());
        }
    }

    /// The current id of an item id, following renames (chains too; a cycle ends).
    fn locate(&self, id: &str) -> Option<String> {
        let mut current = id;
        let mut seen = HashSet::new();
        loop {
            if self.items.contains_key(current) {
                return Some(current.to_string());
            }
            if !seen.insert(current) {
                return None;
            }
            current = self.renamed.get(current)?;
        }
    }
}

/// How many known ids a hint lists before "…".
const HINT_IDS: usize = 8;

fn some_ids<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    let count = ids.len();
    let mut out = ids
        .take(HINT_IDS)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if count > HINT_IDS {
        out.push_str(&format!(" and {} more", count - HINT_IDS));
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}

/// The date a report was generated on, as written (`2026-11-22T09:00:00Z` → 2026-11-22).
pub fn report_date(generated: &str) -> Option<jiff::civil::Date> {
    let s = generated.trim();
    let ok = s.parse::<jiff::Timestamp>().is_ok()
        || s.parse::<jiff::civil::DateTime>().is_ok()
        || s.parse::<jiff::civil::Date>().is_ok();
    if !ok {
        return None;
    }
    s.get(..10)?.parse::<jiff::civil::Date>().ok()
}

impl Actions {
    /// Parses an actions file and checks it against the checklists in use; every problem found.
    pub fn parse(file: &Source, catalog: &Catalog) -> Result<Actions, Vec<Problem>> {
        let shape = |p: Problem| {
            if p.hint.is_none() {
                p.hint(SHAPE_HINT)
            } else {
                p
            }
        };
        crate::model::every::read_checked(file, shape, |raw| Actions::check(raw, file, catalog))
    }

    /// The rules an actions file keeps, beyond its shape.
    fn check(
        raw: ActionsFileRaw,
        file: &Source,
        catalog: &Catalog,
    ) -> Result<Actions, Vec<Problem>> {
        let source = &Locator::new(file);
        let mut problems = Vec::new();
        let mut out = Actions::default();
        // Action id → where it is first written.
        let mut ids: HashMap<String, usize> = HashMap::new();
        for action in &raw.actions {
            let span = action.span();
            let a = action.get_ref();
            let id = a.id.get_ref();
            if !is_checklist_id(id) {
                problems.push(
                    source
                        .problem(Some(a.id.span()), format!("action id `{id}` is not valid"))
                        .hint("use lower-case letters, digits and `-`, starting with a letter or digit, e.g. id = \"callback-owner\""),
                );
            } else if let Some(&first) = ids.get(id) {
                let line = source.line_col(first).0;
                problems.push(
                    source
                        .problem(
                            Some(a.id.span()),
                            format!("action id `{id}` is used twice (first on line {line})"),
                        )
                        .hint("every action needs its own id; rename one of them"),
                );
            } else {
                ids.insert(id.clone(), a.id.span().start);
            }
            let part = resolve_part(
                source,
                catalog,
                span.clone(),
                "action",
                [&a.item, &a.section, &a.checklist],
                &mut problems,
            );
            let what = a.what.get_ref();
            if what.trim().is_empty() {
                problems.push(
                    source
                        .problem(Some(a.what.span()), "`what` is empty")
                        .hint("say what the team will do, e.g. what = \"Name one person per shift who owns the callbacks\""),
                );
            }
            let opened = a.opened.get_ref();
            if opened.trim().is_empty() {
                problems.push(
                    source
                        .problem(Some(a.opened.span()), "`opened` is empty")
                        .hint(
                            "name the period the action was decided in, e.g. opened = \"2026-Q4\"",
                        ),
                );
            }
            let due = a
                .due
                .as_ref()
                .and_then(|d| date_of(source, d, &mut problems));
            let status = match &a.status {
                None => Some(Status::Open),
                Some(s) => match Status::ALL.iter().find(|(k, _)| k == s.get_ref()) {
                    Some((_, st)) => Some(*st),
                    None => {
                        problems.push(
                            source
                                .problem(
                                    Some(s.span()),
                                    format!("unknown status `{}`", s.get_ref()),
                                )
                                .hint("status is one of \"open\", \"doing\", \"done\", \"dropped\" (default \"open\")"),
                        );
                        None
                    }
                },
            };
            if let (Some(part), Some(status)) = (part, status) {
                out.actions.push(Action {
                    id: id.clone(),
                    part,
                    what: what.clone(),
                    owner: a.owner.as_ref().map(|o| o.get_ref().clone()),
                    opened: opened.clone(),
                    due,
                    status,
                    evidence: a.evidence.clone(),
                });
            }
        }
        for target in &raw.targets {
            let span = target.span();
            let t = target.get_ref();
            let part = resolve_part(
                source,
                catalog,
                span,
                "target",
                [&t.item, &t.section, &t.checklist],
                &mut problems,
            );
            let score = *t.score.get_ref();
            let score_ok = (0.0..=100.0).contains(&score);
            if !score_ok {
                problems.push(
                    source
                        .problem(
                            Some(t.score.span()),
                            format!("target score {score} is not between 0 and 100"),
                        )
                        .hint("a target is the team score aimed for, in percent, e.g. score = 80"),
                );
            }
            let due = t
                .due
                .as_ref()
                .and_then(|d| date_of(source, d, &mut problems));
            if let (Some(part), true) = (part, score_ok) {
                out.targets.push(Target { part, score, due });
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    /// The open actions (open or doing) by their part, to look up what covers an item.
    pub fn open_by_part(&self) -> OpenActions<'_> {
        let mut by_part: HashMap<&Part, Vec<&Action>> = HashMap::new();
        for a in self.actions.iter().filter(|a| a.status.is_open()) {
            by_part.entry(&a.part).or_default().push(a);
        }
        OpenActions { by_part }
    }
}

/// Open actions indexed by part.
pub struct OpenActions<'a> {
    by_part: HashMap<&'a Part, Vec<&'a Action>>,
}

impl<'a> OpenActions<'a> {
    /// The open actions that cover an item: on the item itself, then on its section.
    pub fn on_item(&self, checklist: &str, section: &str, item: &str) -> Vec<&'a Action> {
        let mut out = Vec::new();
        for part in [
            Part::Item(checklist.to_string(), item.to_string()),
            Part::Section(checklist.to_string(), section.to_string()),
        ] {
            if let Some(list) = self.by_part.get(&part) {
                out.extend(list.iter().copied());
            }
        }
        out
    }
}

/// Positions in a source file from one index of its lines, so that a file with many problems
/// is read once, not once per problem.
struct Locator<'s> {
    name: &'s str,
    text: &'s str,
    newlines: std::cell::OnceCell<Vec<usize>>,
}

impl<'s> Locator<'s> {
    fn new(source: &Source<'s>) -> Self {
        Locator {
            name: source.name,
            text: source.text,
            newlines: std::cell::OnceCell::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset, as `text::line_col` counts them.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let newlines = self.newlines.get_or_init(|| {
            self.text
                .match_indices('\n')
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        });
        let line = newlines.partition_point(|&n| n < offset);
        let start = if line == 0 { 0 } else { newlines[line - 1] + 1 };
        (line + 1, self.text[start..offset].chars().count() + 1)
    }

    fn problem(&self, span: Option<std::ops::Range<usize>>, message: impl Into<String>) -> Problem {
        Problem::new(self.name, message).at(span.map(|s| self.line_col(s.start)))
    }
}

/// A `due` value: a TOML local date (`due = 2027-01-31`, no quotes, no time).
fn date_of(
    source: &Locator,
    due: &Spanned<toml::Value>,
    problems: &mut Vec<Problem>,
) -> Option<jiff::civil::Date> {
    let hint = "write a date without quotes, e.g. due = 2027-01-31";
    match due.get_ref() {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let Some(d) = dt.date else {
                problems.push(
                    source
                        .problem(Some(due.span()), format!("due `{dt}` is not a date"))
                        .hint(hint),
                );
                return None;
            };
            match jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8) {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.push(
                        source
                            .problem(Some(due.span()), format!("`{dt}` is not a date"))
                            .hint(hint),
                    );
                    None
                }
            }
        }
        toml::Value::Datetime(dt) if dt.date.is_none() => {
            problems.push(
                source
                    .problem(
                        Some(due.span()),
                        format!("due `{dt}` is a time of day, not a date"),
                    )
                    .hint(hint),
            );
            None
        }
        toml::Value::Datetime(dt) => {
            problems.push(
                source
                    .problem(
                        Some(due.span()),
                        format!("due `{dt}` has a time; `due` is a date only"),
                    )
                    .hint(hint),
            );
            None
        }
        toml::Value::String(s) => {
            problems.push(
                source
                    .problem(
                        Some(due.span()),
                        format!("due is the string \"{s}\", not a TOML date"),
                    )
                    .hint(hint),
            );
            None
        }
        other => {
            problems.push(
                source
                    .problem(
                        Some(due.span()),
                        format!(
                            "due is {} {}, not a date",
                            if other.type_str().starts_with(['a', 'i']) {
                                "an"
                            } else {
                                "a"
                            },
                            other.type_str()
                        ),
                    )
                    .hint(hint),
            );
            None
        }
    }
}

/// The one part an action or target names, checked against the catalog, with current ids.
fn resolve_part(
    source: &Locator,
    catalog: &Catalog,
    span: std::ops::Range<usize>,
    what: &str,
    [item, section, checklist]: [&Option<Spanned<String>>; 3],
    problems: &mut Vec<Problem>,
) -> Option<Part> {
    let given: Vec<(&str, &Spanned<String>)> = [
        ("item", item),
        ("section", section),
        ("checklist", checklist),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    let (kind, value) = match given.as_slice() {
        [one] => *one,
        [] => {
            problems.push(
                source
                    .problem(Some(span), format!("this {what} names no part of a checklist"))
                    .hint("add one of item = \"CHECKLIST/ITEM\", section = \"CHECKLIST/SECTION\" or checklist = \"CHECKLIST\""),
            );
            return None;
        }
        [_, (second, v), ..] => {
            problems.push(
                source
                    .problem(
                        Some(v.span()),
                        format!(
                            "this {what} names {} parts; `{second}` is one too many",
                            given.len()
                        ),
                    )
                    .hint("keep exactly one of item, section and checklist"),
            );
            return None;
        }
    };
    let text = value.get_ref();
    let at = Some(value.span());
    let (c, rest) = match (kind, text.split_once('/')) {
        ("checklist", None) => (text.as_str(), None),
        ("checklist", Some(_)) => {
            problems.push(
                source
                    .problem(at, format!("checklist `{text}` is not a checklist id"))
                    .hint("write checklist = \"CHECKLIST\", or use section = \"C/S\" or item = \"C/I\" for a part of it"),
            );
            return None;
        }
        (_, Some((c, r))) if !c.is_empty() && !r.is_empty() && !r.contains('/') => (c, Some(r)),
        _ => {
            problems.push(
                source
                    .problem(
                        at,
                        format!(
                            "{kind} `{text}` is not of the form CHECKLIST/{}",
                            kind.to_uppercase()
                        ),
                    )
                    .hint(format!(
                        "write {kind} = \"CHECKLIST/{}\", e.g. \"service-self-audit/return-calls\"",
                        kind.to_uppercase()
                    )),
            );
            return None;
        }
    };
    let Some(entry) = catalog.get(c) else {
        problems.push(
            source
                .problem(at, format!("unknown checklist `{c}`"))
                .hint(format!(
                    "{}the checklists in use are {}; `selfaudit list` shows them; for checklists of your own, name their folder with --checklists DIR",
                    crate::suggest::did_you_mean(c, catalog.ids()),
                    some_ids(catalog.ids())
                )),
        );
        return None;
    };
    match (kind, rest) {
        ("checklist", _) => Some(Part::Checklist(c.to_string())),
        ("section", Some(s)) => {
            if entry.section_set.contains(s) {
                Some(Part::Section(c.to_string(), s.to_string()))
            } else {
                problems.push(
                    source
                        .problem(at, format!("unknown section `{s}` in checklist `{c}`"))
                        .hint(format!(
                            "the sections of `{c}` are {}",
                            some_ids(entry.sections.iter().map(String::as_str))
                        )),
                );
                None
            }
        }
        (_, Some(i)) => match entry.locate(i) {
            Some(current) => Some(Part::Item(c.to_string(), current)),
            None => {
                problems.push(
                    source
                        .problem(at, format!("unknown item `{i}` in checklist `{c}`"))
                        .hint(format!(
                            "the items of `{c}` are {}",
                            some_ids(entry.item_order.iter().map(String::as_str))
                        )),
                );
                None
            }
        },
        _ => None,
    }
}

/// Where each part of a report sits, by id, so that looking one up costs no scan.
pub struct ReportIndex<'r> {
    report: &'r Report,
    checklists: HashMap<&'r str, usize>,
    sections: HashMap<(&'r str, &'r str), (usize, usize)>,
    items: HashMap<(&'r str, &'r str), (usize, usize, usize)>,
}

impl<'r> ReportIndex<'r> {
    pub fn new(report: &'r Report) -> Self {
        let mut index = ReportIndex {
            report,
            checklists: HashMap::new(),
            sections: HashMap::new(),
            items: HashMap::new(),
        };
        for (ci, c) in report.checklists.iter().enumerate() {
            index.checklists.entry(&c.id).or_insert(ci);
            for (si, s) in c.sections.iter().enumerate() {
                index.sections.entry((&c.id, &s.id)).or_insert((ci, si));
                for (ii, i) in s.items.iter().enumerate() {
                    index.items.entry((&c.id, &i.id)).or_insert((ci, si, ii));
                }
            }
        }
        index
    }

    /// Where a part sits, for ordering: checklist, then section, then item position; a
    /// checklist's own actions before its sections', a section's before its items'. Parts the
    /// report lacks come last.
    fn position(&self, part: &Part) -> (usize, usize, usize) {
        let found = match part {
            Part::Checklist(c) => self.checklists.get(c.as_str()).map(|&ci| (ci, 0, 0)),
            Part::Section(c, s) => self
                .sections
                .get(&(c.as_str(), s.as_str()))
                .map(|&(ci, si)| (ci, si + 1, 0)),
            Part::Item(c, i) => self
                .items
                .get(&(c.as_str(), i.as_str()))
                .map(|&(ci, si, ii)| (ci, si + 1, ii + 1)),
        };
        found.unwrap_or((usize::MAX, usize::MAX, usize::MAX))
    }

    /// An item by its checklist and id, with the section it sits in.
    pub fn item(
        &self,
        checklist: &str,
        item: &str,
    ) -> Option<(&'r ChecklistReport, &'r SectionReport, &'r ItemReport)> {
        let (ci, si, ii) = *self.items.get(&(checklist, item))?;
        let c = &self.report.checklists[ci];
        let s = &c.sections[si];
        Some((c, s, &s.items[ii]))
    }

    /// A part's score and title; None when the report lacks the part.
    pub fn part(&self, part: &Part) -> Option<(Option<f64>, String)> {
        let r = self.report;
        match part {
            Part::Checklist(c) => {
                let c = &r.checklists[*self.checklists.get(c.as_str())?];
                Some((
                    c.score,
                    crate::text::title_or_id(&c.title, &c.id).to_string(),
                ))
            }
            Part::Section(c, s) => {
                let (ci, si) = *self.sections.get(&(c.as_str(), s.as_str()))?;
                let s = &r.checklists[ci].sections[si];
                Some((
                    s.score,
                    crate::text::title_or_id(&s.title, &s.id).to_string(),
                ))
            }
            Part::Item(c, i) => {
                let (ci, si, ii) = *self.items.get(&(c.as_str(), i.as_str()))?;
                let i = &r.checklists[ci].sections[si].items[ii];
                Some((
                    i.score,
                    crate::text::title_or_id(&i.text, &i.id).to_string(),
                ))
            }
        }
    }

    /// A part's score in the baseline, matched to this report's part as `diff` matches them.
    fn then(&self, counterparts: &Counterparts, part: &Part) -> Option<f64> {
        let r = self.report;
        match part {
            Part::Checklist(c) => {
                let c = &r.checklists[*self.checklists.get(c.as_str())?];
                counterparts.checklist(c)?.score
            }
            Part::Section(c, s) => {
                let (ci, si) = *self.sections.get(&(c.as_str(), s.as_str()))?;
                let c = &r.checklists[ci];
                counterparts.section(c, &c.sections[si])?.score
            }
            Part::Item(c, i) => {
                let (ci, si, ii) = *self.items.get(&(c.as_str(), i.as_str()))?;
                let c = &r.checklists[ci];
                counterparts.item(c, &c.sections[si].items[ii])?.score
            }
        }
    }
}

fn date_text(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The report's actions and targets, as its JSON lists them: actions by where their part sits,
/// open ones first within a part; overdue as of the report's `generated` date; targets with
/// their score now, and with a baseline their score then and the progress since.
pub fn attach(
    report: &Report,
    actions: &Actions,
    baseline: Option<&Report>,
) -> (Vec<ActionEntry>, Vec<TargetEntry>) {
    let date = report_date(&report.generated);
    let index = ReportIndex::new(report);
    let counterparts = baseline.map(|b| Counterparts::new(b, report));
    let mut order: Vec<(usize, &Action)> = actions.actions.iter().enumerate().collect();
    order.sort_by_key(|(n, a)| (index.position(&a.part), !a.status.is_open(), *n));
    let entries = order
        .into_iter()
        .map(|(_, a)| {
            let (score, title) = index.part(&a.part).unwrap_or((None, a.part.path()));
            ActionEntry {
                id: a.id.clone(),
                part: a.part.to_ref(),
                what: a.what.clone(),
                owner: a.owner.clone(),
                opened: a.opened.clone(),
                due: date_text(a.due),
                status: a.status,
                overdue: a.overdue_on(date),
                score,
                evidence: a.evidence.clone(),
                title,
            }
        })
        .collect();
    let targets = actions
        .targets
        .iter()
        .map(|t| {
            let (now, title) = index.part(&t.part).unwrap_or((None, t.part.path()));
            let then = counterparts.as_ref().and_then(|c| index.then(c, &t.part));
            TargetEntry {
                part: t.part.to_ref(),
                score: t.score,
                due: date_text(t.due),
                now,
                met: t.met_by(now),
                overdue: t.overdue_on(now, date),
                then,
                progress: progress(then, now, t.score),
                title,
            }
        })
        .collect();
    (entries, targets)
}

// ---------------------------------------------------------------------------------------------
// diff

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Whether one of `parts` is the item, its section or its checklist.
fn covers(parts: &HashSet<&Part>, checklist: &str, section: &str, item: &str) -> bool {
    !parts.is_empty()
        && [
            Part::Item(checklist.to_string(), item.to_string()),
            Part::Section(checklist.to_string(), section.to_string()),
            Part::Checklist(checklist.to_string()),
        ]
        .iter()
        .any(|p| parts.contains(p))
}

fn moved(mean: f64) -> (&'static str, String) {
    let text = format!("{:.1}", mean.abs());
    if text == "0.0" {
        ("did not change", String::new())
    } else if mean > 0.0 {
        ("rose", format!(" {text} points"))
    } else {
        ("fell", format!(" {text} points"))
    }
}

/// "items with a finished action rose 12.4 points; the others 1.1".
fn means_sentence(done: &MeanDelta, others: &MeanDelta) -> String {
    let Some(d) = done.mean else {
        return "no item with a finished action is scored in both reports".to_string();
    };
    let (verb, amount) = moved(d);
    let first = format!("items with a finished action {verb}{amount}");
    match others.mean {
        None => format!("{first}; no other item is scored in both reports"),
        Some(o) => {
            let (other_verb, other_amount) = moved(o);
            if other_verb == verb && !amount.is_empty() {
                format!(
                    "{first}; the others{}",
                    other_amount.trim_end_matches(" points")
                )
            } else {
                format!("{first}; the others {other_verb}{other_amount}")
            }
        }
    }
}

/// Each action's part with its delta, the done-versus-others means, and the two gates, added
/// to a diff of the same two reports. The gates are appended after the diff's own.
pub fn diff_actions(
    diff: &mut Diff,
    base: &Report,
    new: &Report,
    actions: &Actions,
    gates: ActionGates,
) {
    let date = report_date(&new.generated);
    type Scores = (Option<f64>, Option<f64>, Option<f64>);
    let mut deltas: HashMap<Part, Scores> = HashMap::new();
    for x in &diff.checklists {
        deltas
            .entry(Part::Checklist(x.id.clone()))
            .or_insert((x.base, x.new, x.delta));
    }
    for x in &diff.sections {
        deltas
            .entry(Part::Section(x.checklist.clone(), x.id.clone()))
            .or_insert((x.base, x.new, x.delta));
    }
    for x in &diff.items {
        deltas
            .entry(Part::Item(x.checklist.clone(), x.id.clone()))
            .or_insert((x.base, x.new, x.delta));
    }
    let part_delta = |part: &Part| deltas.get(part).copied().unwrap_or((None, None, None));
    let (new_index, base_index) = (ReportIndex::new(new), ReportIndex::new(base));
    let title = |part: &Part| {
        new_index
            .part(part)
            .or_else(|| base_index.part(part))
            .map_or_else(|| part.path(), |(_, t)| t)
    };
    let mut order: Vec<(usize, &Action)> = actions.actions.iter().enumerate().collect();
    order.sort_by_key(|(n, a)| (new_index.position(&a.part), !a.status.is_open(), *n));
    let action_deltas: Vec<ActionDelta> = order
        .into_iter()
        .map(|(_, a)| {
            let (b, n, d) = part_delta(&a.part);
            ActionDelta {
                id: a.id.clone(),
                part: a.part.to_ref(),
                title: title(&a.part),
                what: a.what.clone(),
                owner: a.owner.clone(),
                opened: a.opened.clone(),
                due: date_text(a.due),
                status: a.status,
                overdue: a.overdue_on(date),
                base: b,
                new: n,
                delta: d,
            }
        })
        .collect();
    let target_deltas: Vec<TargetDelta> = actions
        .targets
        .iter()
        .map(|t| {
            let (b, n, _) = part_delta(&t.part);
            TargetDelta {
                part: t.part.to_ref(),
                title: title(&t.part),
                score: t.score,
                due: date_text(t.due),
                base: b,
                new: n,
                met: t.met_by(n),
                overdue: t.overdue_on(n, date),
                progress: progress(b, n, t.score),
            }
        })
        .collect();

    let done_parts: HashSet<&Part> = actions
        .actions
        .iter()
        .filter(|a| a.status == Status::Done)
        .map(|a| &a.part)
        .collect();
    let (mut done, mut others) = (Vec::new(), Vec::new());
    for i in &diff.items {
        let Some(d) = i.delta else { continue };
        if covers(&done_parts, &i.checklist, &i.section, &i.id) {
            done.push(d);
        } else {
            others.push(d);
        }
    }
    let done = MeanDelta {
        n: done.len(),
        mean: mean(&done),
    };
    let others = MeanDelta {
        n: others.len(),
        mean: mean(&others),
    };
    let summary = means_sentence(&done, &others);

    let as_of = date_text(date);
    let day = as_of.clone().unwrap_or_else(|| "NEW's date".to_string());
    if gates.fail_on_overdue {
        diff.gates
            .push(crate::diff::fail_on_overdue(&action_deltas, &day));
    }
    if gates.fail_below_target {
        diff.gates
            .push(crate::diff::fail_below_target(&target_deltas, &day));
    }
    diff.passed = diff.gates.iter().all(|g| g.passed);
    diff.actions = Some(ActionsDiff {
        as_of,
        actions: action_deltas,
        targets: target_deltas,
        done,
        others,
        summary,
    });
}

#[cfg(test)]
mod tests;
