//! The XLSX workbook (SPEC §13): Summary, Items, Answers, Notes, Respondents and, when the
//! report has them, Groups, Perception gaps and Actions. Scores are
//! fractions (0–1) with a percent format; every piece of user text is a string cell.
//! Adding a sheet is one function and one line in `SHEETS`.

use std::io::Write;

use rust_xlsxwriter::{
    Color, ConditionalFormat3ColorScale, ConditionalFormatType, DocProperties, ExcelDateTime,
    Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::csv::{Cell, choice_keys, item_header, item_row};
use crate::answers::Answers;
use crate::model::report::Report;

/// What the sheets are made from.
pub struct Input<'a> {
    pub report: &'a Report,
    /// The scale name of an item: `scale_of(checklist, item)`.
    pub scale_of: &'a dyn Fn(&str, &str) -> String,
    pub answers: &'a Answers<'a>,
}

type Sheet = fn(&mut Workbook, &Input, &Styles) -> Result<(), XlsxError>;

/// The sheets, in the workbook's order. A sheet with nothing to show adds none.
const SHEETS: [Sheet; 8] = [
    summary,
    items,
    answers,
    notes,
    respondents,
    groups,
    perception_gaps,
    actions,
];

/// The longest text a cell holds (Excel's limit is 32,767 characters).
const CELL_MAX: usize = 32_000;
/// The widest a fitted column gets, in characters.
const WIDTH_MAX: usize = 60;

struct Styles {
    header: Format,
    percent: Format,
    title: Format,
    wrap: Format,
    /// Flags show as `true`/`false` everywhere (LibreOffice otherwise shows 1/0 in places).
    flag: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDE5F0)),
            percent: Format::new().set_num_format("0.0%"),
            title: Format::new().set_bold().set_font_size(14),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            flag: Format::new()
                .set_num_format("\"true\";\"true\";\"false\"")
                .set_align(FormatAlign::Center),
        }
    }
}

/// Writes the workbook to `out`. The same report and answers give the same bytes: the
/// workbook's creation time is the report's `generated` time.
pub fn write(input: &Input, out: impl Write + Send) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let created = created(&input.report.generated)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Self-audit report")
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();
    for sheet in SHEETS {
        sheet(&mut workbook, input, &styles)?;
    }
    workbook.save_to_writer(out)
}

/// The report's generation time as the workbook's creation time; 1970 when it has none.
fn created(generated: &str) -> Result<ExcelDateTime, XlsxError> {
    match generated.parse::<jiff::Timestamp>() {
        Ok(t) => ExcelDateTime::from_timestamp(t.as_second()),
        Err(_) => ExcelDateTime::from_timestamp(0),
    }
}

/// User text as a cell holds it: always a string cell, cut to Excel's limit.
fn text(s: &str) -> &str {
    match s.char_indices().nth(CELL_MAX) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Column widths fitted to the longest cell seen, within bounds.
struct Widths(Vec<usize>);

impl Widths {
    fn new(header: &[impl AsRef<str>]) -> Self {
        Widths(
            header
                .iter()
                .map(|h| h.as_ref().chars().count() + 2)
                .collect(),
        )
    }

    fn see(&mut self, col: usize, len: usize) {
        if let Some(w) = self.0.get_mut(col) {
            *w = (*w).max(len.min(WIDTH_MAX));
        }
    }

    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, w) in self.0.iter().enumerate() {
            ws.set_column_width(col as u16, (*w + 1) as f64)?;
        }
        Ok(())
    }
}

fn write_header(
    ws: &mut Worksheet,
    row: u32,
    header: &[impl AsRef<str>],
    styles: &Styles,
) -> Result<(), XlsxError> {
    for (col, h) in header.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, h.as_ref(), &styles.header)?;
    }
    Ok(())
}

/// Writes one typed cell; returns its width in characters.
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    styles: &Styles,
) -> Result<usize, XlsxError> {
    Ok(match cell {
        Cell::Text(s) => {
            let s = text(s);
            ws.write_string(row, col, s)?;
            s.chars().count()
        }
        Cell::Percent(x) => {
            ws.write_number_with_format(row, col, x / 100.0, &styles.percent)?;
            7
        }
        Cell::Number(x) => {
            ws.write_number(row, col, *x)?;
            super::csv::number(*x).len()
        }
        Cell::Count(n) => {
            ws.write_number(row, col, *n as f64)?;
            n.to_string().len()
        }
        Cell::Flag(b) => {
            ws.write_boolean_with_format(row, col, *b, &styles.flag)?;
            5
        }
        Cell::Empty => 0,
    })
}

/// Printed, a sheet is landscape, one page wide, with its header row on every page.
fn printable(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_gridlines(true)
        .set_repeat_rows(0, 0)?;
    Ok(())
}

/// A table sheet's finishing: frozen header, filters on every column, fitted widths.
fn finish_table(
    ws: &mut Worksheet,
    header_row: u32,
    last_row: u32,
    columns: usize,
    widths: &Widths,
) -> Result<(), XlsxError> {
    ws.set_freeze_panes(header_row + 1, 0)?;
    printable(ws)?;
    if columns > 0 {
        ws.autofilter(
            header_row,
            0,
            last_row.max(header_row),
            (columns - 1) as u16,
        )?;
    }
    widths.apply(ws)
}

/// Red at 0 %, yellow at 50 %, green at 100 %, the same on every sheet.
fn score_colours() -> ConditionalFormat3ColorScale {
    ConditionalFormat3ColorScale::new()
        .set_minimum(ConditionalFormatType::Number, 0)
        .set_midpoint(ConditionalFormatType::Number, 0.5)
        .set_maximum(ConditionalFormatType::Number, 1)
}

fn summary(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let report = input.report;
    let ws = wb.add_worksheet();
    ws.set_name("Summary")?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.write_string_with_format(0, 0, "Self-audit report", &styles.title)?;
    let mut facts: Vec<(&str, Cell)> = vec![
        ("Period", Cell::Text(report.period.as_str().into())),
        ("Generated", Cell::Text(report.generated.as_str().into())),
        ("Respondents", Cell::Count(report.respondents.len() as u64)),
        (
            "Overall score",
            report.score.map_or(Cell::Empty, Cell::Percent),
        ),
    ];
    // §14: the overall score's 95 % interval.
    if let Some([lo, hi]) = report.ci {
        facts.push(("Overall ci_lo", Cell::Percent(lo)));
        facts.push(("Overall ci_hi", Cell::Percent(hi)));
    }
    // The team list's response rate (SPEC §10); who is missing only when the report names them.
    if let Some(rate) = &report.response_rate {
        facts.push(("Expected", Cell::Count(rate.expected)));
        facts.push(("Answered", Cell::Count(rate.answered)));
        facts.push((
            "Response rate",
            rate.percent().map_or(Cell::Empty, Cell::Percent),
        ));
        if let Some(missing) = rate.missing.as_ref().filter(|_| !report.anonymous) {
            facts.push(("Missing", Cell::Text(missing.join(", ").into())));
        }
    }
    match &report.unlisted {
        Some(crate::model::report::Unlisted::Names(names)) if !report.anonymous => {
            facts.push(("Not on the team list", Cell::Text(names.join(", ").into())));
        }
        Some(u) => facts.push(("Not on the team list", Cell::Count(u.count() as u64))),
        None => {}
    }
    let mut row = 2;
    for (label, cell) in &facts {
        ws.write_string_with_format(row, 0, *label, &styles.header)?;
        write_cell(ws, row, 1, cell, styles)?;
        row += 1;
    }
    if report.anonymous {
        ws.write_string(row, 0, "Anonymous: respondents are numbered by score")?;
        row += 1;
    }
    row += 1;
    let header = [
        "checklist",
        "section",
        "title",
        "weight",
        "score",
        "ci_lo",
        "ci_hi",
    ];
    let header_row = row;
    write_header(ws, row, &header, styles)?;
    let mut widths = Widths::new(&header);
    widths.see(0, 16);
    for c in &report.checklists {
        let mut lines = vec![(c.id.as_str(), "", c.title.as_str(), c.weight, c.score, c.ci)];
        lines.extend(c.sections.iter().map(|s| {
            (
                c.id.as_str(),
                s.id.as_str(),
                s.title.as_str(),
                s.weight,
                s.score,
                s.ci,
            )
        }));
        for (checklist, section, title, weight, score, ci) in lines {
            row += 1;
            let cells = [
                Cell::Text(checklist.into()),
                Cell::Text(section.into()),
                Cell::Text(title.into()),
                Cell::Number(weight),
                score.map_or(Cell::Empty, Cell::Percent),
                ci.map_or(Cell::Empty, |c| Cell::Percent(c[0])),
                ci.map_or(Cell::Empty, |c| Cell::Percent(c[1])),
            ];
            for (col, cell) in cells.iter().enumerate() {
                let w = write_cell(ws, row, col as u16, cell, styles)?;
                widths.see(col, w);
            }
        }
    }
    if row > header_row {
        ws.add_conditional_format(header_row + 1, 4, row, 4, &score_colours())?;
    }
    widths.apply(ws)
}

fn items(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let report = input.report;
    let keys = choice_keys(report);
    let header = item_header(&keys);
    let ws = wb.add_worksheet();
    ws.set_name("Items")?;
    write_header(ws, 0, &header, styles)?;
    let mut widths = Widths::new(&header);
    let mut row = 0;
    for (c, s, i) in report.items() {
        row += 1;
        let scale = (input.scale_of)(&c.id, &i.id);
        for (col, cell) in item_row(c, s, i, &scale, &keys).iter().enumerate() {
            let w = write_cell(ws, row, col as u16, cell, styles)?;
            widths.see(col, w);
        }
    }
    if row > 0 {
        // score, min and max
        for col in [7, 11, 12] {
            ws.add_conditional_format(1, col, row, col, &score_colours())?;
        }
    }
    finish_table(ws, 0, row, header.len(), &widths)
}

/// The rows a sheet holds below its header (Excel's limit is 1,048,576 rows).
const SHEET_ROWS: u32 = 1_048_575;

fn answers(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    answers_in_sheets_of(wb, input, styles, SHEET_ROWS)
}

/// The answers, `per_sheet` rows a sheet: a team too big for one sheet goes on in
/// `Answers 2`, `Answers 3`…
fn answers_in_sheets_of(
    wb: &mut Workbook,
    input: &Input,
    styles: &Styles,
    per_sheet: u32,
) -> Result<(), XlsxError> {
    let header = super::csv::answer_header();
    let last_col = (header.len() - 1) as u16;
    let mut part = 1;
    let mut index = answers_sheet(wb, part, styles)?;
    let mut row = 0u32;
    input.answers.for_each(|a| {
        if row == per_sheet {
            finish_answers(wb.worksheet_from_index(index)?, row, last_col)?;
            part += 1;
            index = answers_sheet(wb, part, styles)?;
            row = 0;
        }
        row += 1;
        let ws = wb.worksheet_from_index(index)?;
        for (col, cell) in a.cells().iter().enumerate() {
            write_cell(ws, row, col as u16, cell, styles)?;
        }
        Ok::<(), XlsxError>(())
    })?;
    finish_answers(wb.worksheet_from_index(index)?, row, last_col)
}

/// Filters on every column, and the colour scale on the answers' scores.
fn finish_answers(ws: &mut Worksheet, rows: u32, last_col: u16) -> Result<(), XlsxError> {
    ws.autofilter(0, 0, rows, last_col)?;
    if rows > 0 {
        ws.add_conditional_format(1, 8, rows, 8, &score_colours())?;
    }
    Ok(())
}

/// A new, empty Answers sheet with its header; returns its index.
fn answers_sheet(wb: &mut Workbook, part: usize, styles: &Styles) -> Result<usize, XlsxError> {
    let header = super::csv::answer_header();
    let ws = wb.add_worksheet_with_constant_memory();
    ws.set_name(if part == 1 {
        "Answers".to_string()
    } else {
        format!("Answers {part}")
    })?;
    printable(ws)?;
    // Rows are flushed as they are written, so widths are set before: fixed, from the header.
    let mut widths = Widths::new(&header);
    for (col, w) in [(1, 16), (3, 20), (4, 16), (5, 24), (9, 50)] {
        widths.see(col, w);
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(1, 0)?;
    write_header(ws, 0, &header, styles)?;
    Ok(wb.worksheets_mut().len() - 1)
}

fn notes(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let header = ["checklist", "section", "item", "text", "respondent", "note"];
    let ws = wb.add_worksheet_with_constant_memory();
    ws.set_name("Notes")?;
    printable(ws)?;
    let mut widths = Widths::new(&header);
    for (col, w) in [(0, 16), (1, 16), (2, 20), (3, 40), (4, 16), (5, 60)] {
        widths.see(col, w);
    }
    widths.apply(ws)?;
    ws.set_column_format(5, &styles.wrap)?;
    ws.set_freeze_panes(1, 0)?;
    write_header(ws, 0, &header, styles)?;
    let mut row = 0;
    for (c, s, i) in input.report.items() {
        let mut notes: Vec<&crate::model::report::Note> = i.notes.iter().collect();
        // Anonymous notes in an order of their own content, which reveals nobody.
        if input.report.anonymous {
            notes.sort_by(|a, b| a.note.cmp(&b.note));
        }
        for n in notes {
            row += 1;
            let respondent = n.respondent.as_deref().unwrap_or("");
            for (col, value) in [&c.id, &s.id, &i.id, &i.text, respondent, &n.note]
                .iter()
                .enumerate()
            {
                ws.write_string(row, col as u16, text(value))?;
            }
        }
    }
    ws.autofilter(0, 0, row, (header.len() - 1) as u16)?;
    Ok(())
}

fn respondents(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let report = input.report;
    let mut header = vec!["respondent".to_string(), "score".to_string()];
    header.extend(report.checklists.iter().map(|c| format!("score:{}", c.id)));
    let ws = wb.add_worksheet_with_constant_memory();
    ws.set_name("Respondents")?;
    printable(ws)?;
    let mut widths = Widths::new(&header);
    widths.see(0, 24);
    widths.apply(ws)?;
    ws.set_freeze_panes(1, 0)?;
    write_header(ws, 0, &header, styles)?;
    let mut row = 0;
    for r in &report.per_respondent {
        row += 1;
        write_cell(
            ws,
            row,
            0,
            &Cell::Text(r.respondent.as_str().into()),
            styles,
        )?;
        write_cell(
            ws,
            row,
            1,
            &r.score.map_or(Cell::Empty, Cell::Percent),
            styles,
        )?;
        for (col, c) in report.checklists.iter().enumerate() {
            let s = r
                .checklists
                .iter()
                .find(|s| s.id == c.id)
                .and_then(|s| s.score);
            write_cell(
                ws,
                row,
                col as u16 + 2,
                &s.map_or(Cell::Empty, Cell::Percent),
                styles,
            )?;
        }
    }
    if row > 0 {
        ws.add_conditional_format(1, 1, row, header.len() as u16 - 1, &score_colours())?;
    }
    ws.autofilter(0, 0, row, (header.len() - 1) as u16)?;
    Ok(())
}

/// Writes one row of cells from column 0, fitting `widths`.
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    widths: &mut Widths,
    styles: &Styles,
) -> Result<(), XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        let w = write_cell(ws, row, col as u16, cell, styles)?;
        widths.see(col, w);
    }
    Ok(())
}

/// The team list's groups (SPEC §10): one row per role, its score for each checklist, section
/// and item of the report. A withheld group shows its size and nothing else.
fn groups(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let report = input.report;
    if report.groups.is_empty() {
        return Ok(());
    }
    // (header, checklist, section, item): one score column each, in the report's order.
    let mut parts: Vec<(String, &str, Option<&str>, Option<&str>)> = Vec::new();
    for c in &report.checklists {
        parts.push((format!("score:{}", c.id), &c.id, None, None));
        for s in &c.sections {
            parts.push((format!("score:{}/{}", c.id, s.id), &c.id, Some(&s.id), None));
        }
        for (_, i) in c
            .sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
        {
            parts.push((format!("score:{}/{}", c.id, i.id), &c.id, None, Some(&i.id)));
        }
    }
    let mut header: Vec<String> = ["role", "title", "n", "withheld", "score"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(parts.iter().map(|p| p.0.clone()));
    let ws = wb.add_worksheet();
    ws.set_name("Groups")?;
    write_header(ws, 0, &header, styles)?;
    let mut widths = Widths::new(&header);
    let mut row = 0;
    for g in &report.groups {
        row += 1;
        let score = |x: Option<f64>| match x {
            Some(x) if !g.withheld => Cell::Percent(x),
            _ => Cell::Empty,
        };
        let mut cells = vec![
            Cell::Text(g.role.as_str().into()),
            Cell::Text(g.title.as_str().into()),
            Cell::Count(g.n),
            Cell::Flag(g.withheld),
            score(g.score),
        ];
        for (_, c, s, i) in &parts {
            let gc = g.checklists.iter().find(|gc| gc.id == *c);
            let x = gc.and_then(|gc| match (s, i) {
                (Some(s), _) => gc.sections.iter().find(|x| x.id == *s)?.score,
                (_, Some(i)) => gc.items.iter().find(|x| x.id == *i)?.score,
                _ => gc.score,
            });
            cells.push(score(x));
        }
        write_row(ws, row, &cells, &mut widths, styles)?;
    }
    ws.add_conditional_format(1, 4, row, (header.len() - 1) as u16, &score_colours())?;
    finish_table(ws, 0, row, header.len(), &widths)
}

/// Items whose groups' scores lie far apart (SPEC §10), widest first as the report has them.
fn perception_gaps(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let report = input.report;
    if report.perception_gaps.is_empty() {
        return Ok(());
    }
    let header = [
        "checklist",
        "item",
        "high_role",
        "high_score",
        "low_role",
        "low_score",
        "gap",
    ];
    let ws = wb.add_worksheet();
    ws.set_name("Perception gaps")?;
    write_header(ws, 0, &header, styles)?;
    let mut widths = Widths::new(&header);
    let mut row = 0;
    for g in &report.perception_gaps {
        row += 1;
        let cells = [
            Cell::Text(g.checklist.as_str().into()),
            Cell::Text(g.item.as_str().into()),
            Cell::Text(g.high.role.as_str().into()),
            Cell::Percent(g.high.score),
            Cell::Text(g.low.role.as_str().into()),
            Cell::Percent(g.low.score),
            Cell::Percent(g.gap),
        ];
        write_row(ws, row, &cells, &mut widths, styles)?;
    }
    finish_table(ws, 0, row, header.len(), &widths)
}

/// The actions and targets of the actions file (SPEC §12): two tables, one under the other.
fn actions(wb: &mut Workbook, input: &Input, styles: &Styles) -> Result<(), XlsxError> {
    let report = input.report;
    if report.actions.is_none() && report.targets.is_none() {
        return Ok(());
    }
    let text = |s: &'_ str| Cell::Text(s.to_string().into());
    let opt = |s: &Option<String>| s.as_deref().map_or(Cell::Empty, text);
    let percent = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Percent);
    let action_header = [
        "id", "part", "of", "what", "owner", "opened", "due", "status", "overdue", "score",
        "evidence",
    ];
    let target_header = [
        "part", "of", "score", "due", "now", "met", "overdue", "then", "progress",
    ];
    let ws = wb.add_worksheet();
    ws.set_name("Actions")?;
    printable(ws)?;
    let mut widths = Widths::new(&action_header);
    for (col, h) in target_header.iter().enumerate() {
        widths.see(col, h.len() + 2);
    }
    ws.write_string_with_format(0, 0, "Actions", &styles.title)?;
    write_header(ws, 1, &action_header, styles)?;
    let mut row = 1;
    for a in report.actions.iter().flatten() {
        row += 1;
        let cells = [
            text(&a.id),
            text(a.part.kind()),
            text(a.part.path()),
            text(&a.what),
            opt(&a.owner),
            text(&a.opened),
            opt(&a.due),
            text(a.status.as_str()),
            Cell::Flag(a.overdue),
            percent(a.score),
            opt(&a.evidence),
        ];
        write_row(ws, row, &cells, &mut widths, styles)?;
    }
    row += 2;
    ws.write_string_with_format(row, 0, "Targets", &styles.title)?;
    row += 1;
    write_header(ws, row, &target_header, styles)?;
    for t in report.targets.iter().flatten() {
        row += 1;
        let cells = [
            text(t.part.kind()),
            text(t.part.path()),
            Cell::Percent(t.score),
            opt(&t.due),
            percent(t.now),
            Cell::Flag(t.met),
            Cell::Flag(t.overdue),
            percent(t.then),
            Cell::Empty,
        ];
        write_row(ws, row, &cells, &mut widths, styles)?;
        // progress is a ratio (1 = reached): a fraction already, shown as a percent.
        if let Some(p) = t.progress {
            ws.write_number_with_format(row, 8, p, &styles.percent)?;
        }
    }
    widths.apply(ws)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Registry;
    use crate::model::Source;
    use crate::model::responses::Responses;

    #[test]
    fn answers_beyond_one_sheet_go_on_in_the_next() {
        let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e}"));
        let keeper = crate::answers::Keeper::new(&registry, None);
        let checklists: Vec<_> = registry.iter().map(|(c, _)| c).collect();
        let mut tally = crate::score::Tally::new(checklists);
        for (seq, name) in ["Ann", "Bob", "Cy"].iter().enumerate() {
            let text = format!(
                "respondent = \"{name}\"\nperiod = \"Q\"\n[answers.be-sure]\nproduct-knowledge = \"all\"\nempowered = \"few\"\n"
            );
            let (r, _) = Responses::parse(
                &Source {
                    name: "r.toml",
                    text: &text,
                },
                |id| registry.get(id),
                Vec::new,
            )
            .unwrap_or_else(|p| panic!("{p:?}"));
            keeper.keep(seq, &r);
            tally.add(seq, &r);
        }
        let report = tally.finish(&crate::score::Options::default());
        let answers = keeper.finish(&report);
        let input = Input {
            report: &report,
            scale_of: &|_, _| String::new(),
            answers: &answers,
        };
        let mut wb = Workbook::new();
        answers_in_sheets_of(&mut wb, &input, &Styles::new(), 4).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = wb.worksheets_mut().iter().map(|w| w.name()).collect();
        assert_eq!(names, ["Answers", "Answers 2"]);
        assert_eq!(answers.len(), 6);
    }
}
