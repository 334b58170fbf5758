//! A sheet of questions → a checklist file (SPEC §13 `selfaudit import`): columns by header,
//! ids made from the text, every bad cell named by row and column, the result validated.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Problem, Result};
use crate::model::Source;
use crate::model::checklist::Checklist;
use crate::model::quote::{toml_key, toml_string};
use crate::model::scale::{self, Scale};
use crate::render::csv::unspreadsheet_safe;

/// The built-in scales' names, as the error for an unknown scale lists them.
pub const BUILTIN_SCALES: [&str; 5] = ["yes-no", "yes-partly-no", "frequency", "agreement", "0-10"];

/// A sheet read into text cells; `rows[0]` is the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The file's name, for messages.
    pub name: String,
    pub rows: Vec<Vec<String>>,
    /// The sheet row number of `rows[0]` (1 unless a workbook's sheet starts lower).
    pub first_row: usize,
    /// Whether the cells are CSV text, where `selfaudit` put a `'` before text that a
    /// spreadsheet would take for a formula; a workbook's string cells hold their text as is.
    pub from_csv: bool,
}

/// What to make of the sheet.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub id: String,
    pub title: Option<String>,
    /// Scales besides the built-in ones that the sheet may name (`--scales-from`).
    pub scales: Vec<Scale>,
    /// Only the rows whose `checklist` column is this (`--only`): a report's Items sheet
    /// holds every checklist of the report.
    pub only: Option<String>,
}

/// The checklist file made, and what the user should hear about.
#[derive(Debug, Clone)]
pub struct Imported {
    pub toml: String,
    pub items: usize,
    pub warnings: Vec<String>,
}

/// Reads a CSV file (or standard input for `-`), or the first sheet with a `text` column of an
/// XLSX, XLSM, XLS or ODS workbook.
pub fn read_sheet(path: &Path) -> Result<Sheet> {
    let name = crate::load::display(path);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
        return read_workbook(path, &name);
    }
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::usage_hint(
            format!("{name}: is a workbook (zip), not CSV"),
            "give the file its .xlsx or .ods extension, or save the sheet as CSV",
        ));
    }
    parse_csv(&name, &bytes)
}

/// Parses CSV text: UTF-8 (a BOM is skipped), comma-separated, or `;` or tab when the header
/// row has those and no comma (as some spreadsheet programs save it).
pub fn parse_csv(name: &str, bytes: &[u8]) -> Result<Sheet> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(invalid(
            Problem::new(format!("{name}:{line}"), "the file is not UTF-8 text")
                .hint("save the sheet as \"CSV UTF-8\""),
        ));
    }
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b',') {
        b','
    } else if first_line.contains(&b';') {
        b';'
    } else if first_line.contains(&b'\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => rows.push(r.iter().map(str::to_string).collect()),
            Err(e) => {
                let line = e.position().map_or(rows.len() + 1, |p| p.line() as usize);
                return Err(invalid(
                    Problem::new(format!("{name}:{line}"), format!("not valid CSV: {e}"))
                        .hint("check the quotes on this row: a quoted cell ends with a quote, and a quote inside it is doubled (\"\")"),
                ));
            }
        }
    }
    Ok(Sheet {
        name: name.to_string(),
        rows,
        first_row: 1,
        from_csv: true,
    })
}

fn read_workbook(path: &Path, name: &str) -> Result<Sheet> {
    use calamine::{Data, Reader};
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::usage_hint(
            format!("{name}: cannot be read as a workbook: {e}"),
            "save it again as .xlsx or .ods, or as CSV UTF-8",
        )
    };
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let mut book = calamine::open_workbook_auto(path).map_err(|e| unreadable(&e))?;
    let cell = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) => crate::render::csv::number(*f)
                .strip_suffix(".0")
                .map_or_else(|| crate::render::csv::number(*f), str::to_string),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            other => other.to_string(),
        }
    };
    let mut first: Option<Sheet> = None;
    for index in 0..book.sheet_names().len() {
        let Some(range) = book.worksheet_range_at(index) else {
            continue;
        };
        let range = range.map_err(|e| unreadable(&e))?;
        let start = range.start().map_or(0, |(r, _)| r as usize);
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell).collect()).collect();
        // The first sheet whose first row has a `text` column: a report's workbook keeps its
        // items on the second sheet.
        let header_has_text = rows
            .first()
            .is_some_and(|h| h.iter().any(|c| normalise(c) == "text"));
        let sheet = Sheet {
            name: name.to_string(),
            rows,
            first_row: start + 1,
            from_csv: false,
        };
        if header_has_text {
            return Ok(sheet);
        }
        first.get_or_insert(sheet);
    }
    Ok(first.unwrap_or(Sheet {
        name: name.to_string(),
        rows: Vec::new(),
        first_row: 1,
        from_csv: false,
    }))
}

fn invalid(p: Problem) -> Error {
    Error::Invalid { problems: vec![p] }
}

/// A header as messages name it: trimmed, a BOM gone, control characters shown safely.
fn shown(h: &str) -> String {
    crate::text::terminal_safe(h.trim().trim_start_matches('\u{feff}').trim())
}

/// A header as it is matched: trimmed, BOM gone, lower case, `-` and spaces as `_`, `/` gone
/// (`Allow N/A` is `allow_na`).
fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .replace([' ', '-'], "_")
        .replace('/', "")
}

/// The columns `import` reads, by their normalised header.
const COLUMNS: [&str; 9] = [
    "text", "section", "id", "item", "help", "scale", "weight", "critical", "allow_na",
];

/// Whether a cell says yes: true/false, yes/no, 1/0, x/empty, in any case.
pub fn boolean(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "x" => Some(true),
        "false" | "no" | "0" | "" => Some(false),
        _ => None,
    }
}

/// A weight: a finite number above 0 (a decimal comma is read as a point).
fn weight(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    let cell = if cell.contains(',') && !cell.contains('.') {
        cell.replace(',', ".")
    } else {
        cell.to_string()
    };
    cell.parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && *w > 0.0)
}

/// An id made from a text: lower-case letters, digits and `-`; `item` when nothing is left.
fn slug(text: &str) -> String {
    if text.chars().any(char::is_alphanumeric) {
        crate::text::slug(text)
    } else {
        "item".to_string()
    }
}

/// Ids handed out so far, and for each base the next suffix to try, so that a thousand rows of
/// the same text cost a thousand steps, not a million.
#[derive(Default)]
struct Ids {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    /// `base`, or `base-2`, `base-3`… whichever is not taken yet; then taken.
    fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let n = self.next.entry(base.clone()).or_insert(2);
        while self.taken.contains(&id) {
            id = format!("{base}-{n}");
            *n += 1;
        }
        self.taken.insert(id.clone());
        id
    }
}

/// A section of the output: id, title, and its items with their ids.
type SectionOut<'r> = (String, String, Vec<(String, &'r Row)>);

struct Row {
    line: usize,
    section: Option<String>,
    id: Option<String>,
    text: String,
    help: Option<String>,
    scale: Option<String>,
    weight: Option<f64>,
    critical: bool,
    na: Option<bool>,
}

/// The scales of a checklist that are not built in, for `--scales-from`.
pub fn custom_scales(checklist: &Checklist) -> Vec<Scale> {
    let mut out: Vec<Scale> = Vec::new();
    for (_, item) in checklist.items() {
        if scale::builtin(&item.scale.name).is_none()
            && !out.iter().any(|s| s.name == item.scale.name)
        {
            out.push((*item.scale).clone());
        }
    }
    out
}

/// Turns a sheet into a checklist file, or names every bad cell.
pub fn import(sheet: &Sheet, options: &Options) -> Result<Imported> {
    let name = &sheet.name;
    if !crate::model::is_checklist_id(&options.id) {
        return Err(Error::usage_hint(
            format!(
                "--id `{}` is not a valid checklist id",
                crate::text::terminal_safe(&options.id)
            ),
            "use lower-case letters, digits and `-`, starting with a letter or digit, e.g. --id my-audit",
        ));
    }
    let at = |row: usize, column: &str| format!("{name}:{row}:{column}");
    let Some(header) = sheet.rows.first() else {
        return Err(invalid(
            Problem::new(name.clone(), "the sheet is empty")
                .hint("the first row names the columns (at least `text`), and each row after it is one question"),
        ));
    };
    let header_line = sheet.first_row;
    let mut columns: HashMap<&str, usize> = HashMap::new();
    let mut ignored: Vec<String> = Vec::new();
    let mut ignored_set: HashSet<String> = HashSet::new();
    let mut problems = Vec::new();
    // Which columns hold anything below the header, in one pass over the cells.
    let mut used = vec![false; header.len()];
    for r in &sheet.rows[1..] {
        for (i, c) in r.iter().enumerate().take(header.len()) {
            if !used[i] && !c.trim().is_empty() {
                used[i] = true;
            }
        }
    }
    for (i, h) in header.iter().enumerate() {
        let key = normalise(h);
        match COLUMNS.iter().find(|c| **c == key) {
            Some(c) if columns.contains_key(c) => problems.push(
                Problem::new(
                    at(header_line, &shown(h)),
                    format!("the column `{}` appears twice", shown(h)),
                )
                .hint("keep one column of each name; rename or delete the other"),
            ),
            Some(c) => {
                columns.insert(c, i);
            }
            None if key.is_empty() => {
                if used.get(i).copied().unwrap_or(false) {
                    ignored.push(format!("column {} (no header)", i + 1));
                }
            }
            None => {
                let named = format!("`{}`", shown(h));
                if ignored_set.insert(named.clone()) {
                    ignored.push(named);
                }
            }
        }
    }
    // `id` and `item` mean the same; with both, `id` is read.
    if let (Some(_), Some(&item)) = (columns.get("id"), columns.get("item")) {
        columns.remove("item");
        ignored.push(format!("`{}`", header[item].trim()));
    }
    if !columns.contains_key("text") {
        let found: Vec<String> = header
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| format!("`{}`", shown(h)))
            .collect();
        problems.push(
            Problem::new(
                format!("{name}:{header_line}"),
                "no `text` column: the first row must name the columns",
            )
            .hint(format!(
                "add a column headed `text` with the questions (columns found: {}); optional: section, id, help, scale, weight, critical, allow_na",
                if found.is_empty() { "none".to_string() } else { found.join(", ") }
            )),
        );
        return Err(Error::Invalid { problems });
    }
    let header_of = |key: &str| {
        columns
            .get(key)
            .map_or(key.to_string(), |&i| shown(&header[i]))
    };
    // A question's text and help are kept as written, spaces and a leading `'` included, so
    // that a report's Items sheet imports to the same texts; ids, flags and numbers are trimmed.
    let get = |r: &[String], key: &str| -> Option<String> {
        let i = *columns.get(key)?;
        let cell = r.get(i).map_or("", |s| s.as_str());
        let v = match (key, sheet.from_csv) {
            ("text" | "help", true) => unspreadsheet_safe(cell),
            ("text" | "help", false) => cell,
            (_, true) => unspreadsheet_safe(cell.trim()).trim(),
            (_, false) => cell.trim(),
        };
        Some(v.to_string())
    };
    let known_scale = |s: &str| -> Option<String> {
        let lower = s.to_lowercase();
        if scale::builtin(&lower).is_some() {
            Some(lower)
        } else {
            options
                .scales
                .iter()
                .find(|c| c.name == s || c.name.to_lowercase() == lower)
                .map(|c| c.name.clone())
        }
    };

    // A report's sheet names each row's checklist; one checklist is imported at a time.
    let checklist_col = header.iter().position(|h| normalise(h) == "checklist");
    let checklist_of = |r: &[String]| -> String {
        checklist_col
            .and_then(|i| r.get(i))
            .map_or("", |c| unspreadsheet_safe(c.trim()).trim())
            .to_string()
    };
    let mut named: Vec<String> = Vec::new();
    let mut named_set: HashSet<String> = HashSet::new();
    for r in &sheet.rows[1..] {
        let c = checklist_of(r);
        if !c.is_empty() && named_set.insert(c.clone()) {
            named.push(c);
        }
    }
    let listed = || {
        named
            .iter()
            .map(|c| format!("`{}`", crate::text::terminal_safe(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &options.only {
        Some(only) if checklist_col.is_none() => {
            return Err(Error::usage_hint(
                format!(
                    "{name}: --only `{}` picks rows by their `checklist` column, and the sheet has none",
                    crate::text::terminal_safe(only)
                ),
                "leave out --only to import every row",
            ));
        }
        Some(only) if !named_set.contains(only) => {
            return Err(Error::usage_hint(
                format!(
                    "{name}: no row of checklist `{}`",
                    crate::text::terminal_safe(only)
                ),
                format!("the sheet's `checklist` column names {}", listed()),
            ));
        }
        None if named.len() > 1 => {
            return Err(Error::usage_hint(
                format!(
                    "{name}: the sheet holds {} checklists ({})",
                    named.len(),
                    listed()
                ),
                format!(
                    "import one at a time: add --only {}",
                    crate::text::terminal_safe(&named[0])
                ),
            ));
        }
        _ => {}
    }

    let mut rows = Vec::new();
    for (offset, r) in sheet.rows.iter().enumerate().skip(1) {
        let line = sheet.first_row + offset;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(only) = &options.only
            && checklist_of(r) != *only
        {
            continue;
        }
        // A row with nothing in the columns read (a total or a remark beside the table) is
        // not a question.
        if COLUMNS
            .iter()
            .all(|k| get(r, k).is_none_or(|v| v.trim().is_empty()))
        {
            continue;
        }
        let text = get(r, "text").unwrap_or_default();
        if text.trim().is_empty() {
            problems.push(
                Problem::new(at(line, &header_of("text")), "the question is empty")
                    .hint("write the question in this cell, or delete the row"),
            );
        }
        let id = get(r, "id")
            .or_else(|| get(r, "item"))
            .filter(|s| !s.is_empty());
        let id_col = if columns.contains_key("id") {
            "id"
        } else {
            "item"
        };
        if let Some(id) = &id
            && (id.chars().any(char::is_control) || id == scale::NA)
        {
            problems.push(
                Problem::new(
                    at(line, &header_of(id_col)),
                    format!("`{}` is not a usable id", crate::text::terminal_safe(id)),
                )
                .hint("use a short id of letters, digits and `-`, such as `return-calls`, or leave the cell empty to make one from the text"),
            );
        }
        let scale = get(r, "scale").filter(|s| !s.is_empty());
        let scale = match scale {
            None => None,
            Some(s) => match known_scale(&s) {
                Some(k) => Some(k),
                None => {
                    let mut names: Vec<String> =
                        BUILTIN_SCALES.iter().map(|s| s.to_string()).collect();
                    names.extend(options.scales.iter().map(|s| s.name.clone()));
                    problems.push(
                        Problem::new(
                            at(line, &header_of("scale")),
                            format!("unknown scale `{}`", crate::text::terminal_safe(&s)),
                        )
                        .hint(format!(
                            "use one of {}; a scale of your own can be added to the checklist by hand afterwards (or taken from a checklist with --scales-from CHECKLIST)",
                            names.join(", ")
                        )),
                    );
                    None
                }
            },
        };
        let weight = match get(r, "weight").filter(|s| !s.is_empty()) {
            None => None,
            Some(w) => match weight(&w) {
                Some(w) => Some(w),
                None => {
                    problems.push(
                        Problem::new(
                            at(line, &header_of("weight")),
                            format!(
                                "weight `{}` is not a number above 0",
                                crate::text::terminal_safe(&w)
                            ),
                        )
                        .hint("write a number above 0, such as 1 or 2.5, or leave the cell empty for 1"),
                    );
                    None
                }
            },
        };
        let mut flag = |key: &str| -> Option<bool> {
            let v = get(r, key)?;
            match boolean(&v) {
                Some(b) => Some(b),
                None => {
                    problems.push(
                        Problem::new(
                            at(line, &header_of(key)),
                            format!("`{}` is not yes or no", crate::text::terminal_safe(&v)),
                        )
                        .hint("write true/false, yes/no or 1/0, or x for yes and leave it empty for no"),
                    );
                    None
                }
            }
        };
        let critical = flag("critical").unwrap_or(false);
        let na = flag("allow_na");
        rows.push(Row {
            line,
            section: get(r, "section").filter(|s| !s.is_empty()),
            id,
            text,
            help: get(r, "help").filter(|s| !s.trim().is_empty()),
            scale,
            weight,
            critical,
            na,
        });
    }

    // Ids given in the sheet: each once.
    let mut given: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        if let Some(id) = &row.id {
            if let Some(first) = given.get(id) {
                problems.push(
                    Problem::new(
                        at(row.line, &header_of(if columns.contains_key("id") { "id" } else { "item" })),
                        format!("id `{}` is also the id of row {first}", crate::text::terminal_safe(id)),
                    )
                    .hint("give each question its own id, or leave the cell empty to make one from the text"),
                );
            } else {
                given.insert(id.clone(), row.line);
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(
            Problem::new(name.clone(), "no questions under the header row")
                .hint("write one question per row under the header"),
        );
    }
    if !problems.is_empty() {
        return Err(Error::Invalid { problems });
    }

    let mut warnings = Vec::new();
    // A report's choice counts, one column per key, are named once.
    let counts = ignored.iter().filter(|c| c.starts_with("`count:")).count();
    if counts > 1 {
        let at = ignored
            .iter()
            .position(|c| c.starts_with("`count:"))
            .unwrap_or(0);
        ignored.retain(|c| !c.starts_with("`count:"));
        ignored.insert(at.min(ignored.len()), format!("{counts} `count:…` columns"));
    }
    if ignored.len() > 20 {
        let more = ignored.len() - 20;
        ignored.truncate(20);
        ignored.push(format!("and {more} more"));
    }
    if !ignored.is_empty() {
        warnings.push(format!(
            "{name}: ignored {} {} (import reads text, section, id or item, help, scale, weight, critical, allow_na)",
            if ignored.len() == 1 { "column" } else { "columns" },
            ignored.join(", ")
        ));
    }
    let mut texts: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        if let Some(first) = texts.get(row.text.as_str()) {
            warnings.push(format!(
                "{}: the question of row {} repeats row {first}'s; both are kept",
                at(row.line, &header_of("text")),
                row.line
            ));
        } else {
            texts.insert(&row.text, row.line);
        }
    }

    // Sections in first-seen order; a row without a section stays in the one above it.
    let mut taken = Ids {
        taken: given.keys().cloned().collect(),
        ..Default::default()
    };
    let mut section_ids = Ids::default();
    let mut sections: Vec<SectionOut> = Vec::new();
    let mut by_title: HashMap<String, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    for row in &rows {
        let index = match &row.section {
            Some(title) => match by_title.get(title) {
                Some(i) => *i,
                None => {
                    let id = section_ids.unique(slug(title));
                    sections.push((id, title.clone(), Vec::new()));
                    by_title.insert(title.clone(), sections.len() - 1);
                    sections.len() - 1
                }
            },
            None => match current {
                Some(i) => i,
                None => {
                    let id = section_ids.unique("questions".to_string());
                    sections.push((id, "Questions".to_string(), Vec::new()));
                    sections.len() - 1
                }
            },
        };
        current = Some(index);
        let id = match &row.id {
            Some(id) => id.clone(),
            None => taken.unique(slug(&row.text)),
        };
        sections[index].2.push((id, row));
    }

    let title = options
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| options.id.clone());
    let mut out = format!(
        "# Imported by `selfaudit import` from {}.\n# Check it with `selfaudit validate`; bump `version` whenever the questions change.\n\n",
        crate::text::comment_safe(name)
    );
    out.push_str(&format!("id = {}\n", toml_string(&options.id)));
    out.push_str(&format!("title = {}\n", toml_string(&title)));
    out.push_str("version = \"1\"\n");
    let used: HashSet<&str> = rows.iter().filter_map(|r| r.scale.as_deref()).collect();
    for s in options
        .scales
        .iter()
        .filter(|s| used.contains(s.name.as_str()))
    {
        out.push_str(&format!("\n[scales.{}]\nchoices = [\n", toml_key(&s.name)));
        for c in &s.choices {
            out.push_str(&format!(
                "  {{ key = {}, label = {}, value = {} }},\n",
                toml_string(&c.key),
                toml_string(&c.label),
                toml_float(c.value)
            ));
        }
        out.push_str("]\n");
    }
    for (id, title, items) in &sections {
        out.push_str(&format!(
            "\n[[sections]]\nid = {}\ntitle = {}\n",
            toml_string(id),
            toml_string(title)
        ));
        for (id, row) in items {
            out.push_str(&format!(
                "\n[[sections.items]]\nid = {}\ntext = {}\n",
                toml_string(id),
                toml_string(&row.text)
            ));
            if let Some(h) = &row.help {
                out.push_str(&format!("help = {}\n", toml_string(h)));
            }
            if let Some(s) = &row.scale {
                out.push_str(&format!("scale = {}\n", toml_string(s)));
            }
            if let Some(w) = row.weight {
                out.push_str(&format!("weight = {}\n", toml_float(w)));
            }
            if row.critical {
                out.push_str("critical = true\n");
            }
            if let Some(na) = row.na {
                out.push_str(&format!("na = {na}\n"));
            }
        }
    }

    // The real validator has the last word: what is written is a checklist `report` accepts.
    let checklist_name = format!("{} (as imported from {name})", options.id);
    if let Err(problems) = Checklist::parse(&Source {
        name: &checklist_name,
        text: &out,
    }) {
        return Err(Error::Invalid {
            problems: problems
                .into_iter()
                .map(|p| {
                    Problem::new(
                        name.clone(),
                        format!("the checklist made from it is not valid: {}", p.message),
                    )
                    .hint(
                        p.hint
                            .unwrap_or_else(|| "fix the sheet and import it again".to_string()),
                    )
                })
                .collect(),
        });
    }
    Ok(Imported {
        toml: out,
        items: rows.len(),
        warnings,
    })
}

/// A number as TOML writes it (`1.0`, `2.5`).
fn toml_float(x: f64) -> String {
    toml::Value::Float(x).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(csv: &str) -> Sheet {
        parse_csv("q.csv", csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn options() -> Options {
        Options {
            id: "mine".to_string(),
            ..Default::default()
        }
    }

    fn problems(csv: &str) -> Vec<String> {
        match import(&sheet(csv), &options()) {
            Ok(i) => panic!("accepted:\n{}", i.toml),
            Err(Error::Invalid { problems }) => problems
                .into_iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    fn checklist(csv: &str) -> Checklist {
        let i = import(&sheet(csv), &options()).unwrap_or_else(|e| panic!("{e:?}"));
        Checklist::parse(&Source {
            name: "out.toml",
            text: &i.toml,
        })
        .unwrap_or_else(|p| panic!("{p:?}"))
    }

    #[test]
    fn booleans_in_every_spelling() {
        for (cell, b) in [
            ("true", Some(true)),
            ("YES", Some(true)),
            ("1", Some(true)),
            ("x", Some(true)),
            (" X ", Some(true)),
            ("False", Some(false)),
            ("no", Some(false)),
            ("0", Some(false)),
            ("", Some(false)),
            ("maybe", None),
            ("2", None),
        ] {
            assert_eq!(boolean(cell), b, "{cell:?}");
        }
    }

    #[test]
    fn odd_headers_missing_ids_and_repeated_texts() {
        let c = checklist(
            "\u{feff} TEXT ,Section, Weight ,CRITICAL,Allow N/A,colour\n\
             Do you call back?,Phone,2,x,,red\n\
             Do you call back?,Phone,,,yes,\n\
             Is it clean?,Shop,1.5,no,1,\n",
        );
        let ids: Vec<(&str, &str, f64, bool, bool)> = c
            .items()
            .map(|(s, i)| (s.id.as_str(), i.id.as_str(), i.weight, i.critical, i.na))
            .collect();
        assert_eq!(
            ids,
            [
                ("phone", "do-you-call-back", 2.0, true, false),
                ("phone", "do-you-call-back-2", 1.0, false, true),
                ("shop", "is-it-clean", 1.5, false, true),
            ]
        );
        assert_eq!(c.sections[0].title, "Phone");
    }

    #[test]
    fn made_ids_never_take_a_given_one() {
        let c = checklist("text,id\nCall back,call-back-2\nCall back,\nCall back,\n");
        let ids: Vec<&str> = c.items().map(|(_, i)| i.id.as_str()).collect();
        assert_eq!(ids, ["call-back-2", "call-back", "call-back-3"]);
    }

    #[test]
    fn bad_cells_are_named_by_row_and_column() {
        assert_eq!(
            problems(
                "Text,Weight,Scale,Critical,ID\nA,heavy,,,a\n,1,,,\nC,0,nope,perhaps,a\nD,-1,,,\nE,inf,,,\n"
            ),
            [
                "q.csv:2:Weight: weight `heavy` is not a number above 0",
                "q.csv:3:Text: the question is empty",
                "q.csv:4:Scale: unknown scale `nope`",
                "q.csv:4:Weight: weight `0` is not a number above 0",
                "q.csv:4:Critical: `perhaps` is not yes or no",
                "q.csv:5:Weight: weight `-1` is not a number above 0",
                "q.csv:6:Weight: weight `inf` is not a number above 0",
                "q.csv:4:ID: id `a` is also the id of row 2",
            ]
        );
    }

    #[test]
    fn an_empty_sheet_or_one_without_text_says_what_is_needed() {
        assert_eq!(problems(""), ["q.csv: the sheet is empty"]);
        assert_eq!(
            problems("question,weight\nA,1\n"),
            ["q.csv:1: no `text` column: the first row must name the columns"]
        );
        assert_eq!(
            problems("text\n\n,\n"),
            ["q.csv: no questions under the header row"]
        );
    }

    #[test]
    fn hostile_text_stays_text() {
        let c = checklist(
            "text,section,help\n\"'=HYPERLINK(\"\"http://x\"\")\",'-sec,\"a \"\"quote\"\"\nline\"\n\\\"; rm -rf /,,\n",
        );
        let texts: Vec<&str> = c.items().map(|(_, i)| i.text.as_str()).collect();
        assert_eq!(texts, ["=HYPERLINK(\"http://x\")", "\\\"; rm -rf /"]);
        assert_eq!(c.sections[0].title, "-sec");
        assert_eq!(
            c.items()
                .next()
                .and_then(|(_, i)| i.help.clone())
                .as_deref(),
            Some("a \"quote\"\nline")
        );
    }

    #[test]
    fn semicolons_and_a_decimal_comma_as_some_programs_save() {
        let c = checklist("text;weight\nA;1,5\n");
        assert_eq!(c.items().next().map(|(_, i)| i.weight), Some(1.5));
    }
}
