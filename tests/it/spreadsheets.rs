//! Spreadsheets in and out (SPEC §13): the CSVs, the workbook read back cell by cell against
//! the JSON report, formula injection, anonymous order, and `selfaudit import`.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use common::selfaudit;
use serde_json::Value;

const TEAM: &str = "examples/responses/2026-Q4";
const INJECT: &str = "tests/fixtures/spreadsheets/checklists";
const INJECT_RESPONSES: &str = "tests/fixtures/spreadsheets/responses";

fn out(args: &[&str]) -> Vec<u8> {
    selfaudit()
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1764547200")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn text(args: &[&str]) -> String {
    String::from_utf8(out(args)).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&out(args)).unwrap()
}

/// The records of a CSV, header first.
fn records(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Rows as maps from header to cell.
fn table(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut rows = records(csv);
    let header = rows.remove(0);
    rows.into_iter()
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

/// A JSON value as the CSV writes it.
fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn inject(args: &[&str]) -> Vec<String> {
    let mut all = vec!["--checklists", INJECT, "report", INJECT_RESPONSES];
    all.extend_from_slice(args);
    all.iter().map(|s| s.to_string()).collect()
}

fn run_inject(args: &[&str]) -> String {
    let args = inject(args);
    text(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn items_csv_has_the_columns_of_the_spec_and_the_json_figures() {
    let csv = text(&["report", TEAM, "--format", "csv"]);
    assert!(!csv.starts_with('\u{feff}'), "no BOM");
    // RFC 4180: every record ends with CRLF.
    assert!(csv.ends_with("\r\n") && csv.split('\n').all(|l| l.is_empty() || l.ends_with('\r')));
    let header = &records(&csv)[0];
    assert_eq!(
        header[..15],
        [
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
            "split"
        ]
    );
    // Then one `count:KEY` per key, then the §14 columns, last.
    let extras = ["se", "ci_lo", "ci_hi", "rwg"];
    assert_eq!(header[header.len() - 4..], extras);
    assert!(
        header[15..header.len() - 4]
            .iter()
            .all(|h| h.starts_with("count:"))
    );
    let report = json(&["report", TEAM, "--format", "json"]);
    let rows = table(&csv);
    let mut i = 0;
    for c in report["checklists"].as_array().unwrap() {
        for s in c["sections"].as_array().unwrap() {
            for item in s["items"].as_array().unwrap() {
                let row = &rows[i];
                i += 1;
                assert_eq!(row["checklist"], c["id"].as_str().unwrap());
                assert_eq!(row["section"], s["id"].as_str().unwrap());
                assert_eq!(row["item"], item["id"].as_str().unwrap());
                for f in [
                    "text", "weight", "critical", "score", "n", "na", "missing", "min", "max",
                    "stddev", "split",
                ] {
                    assert_eq!(row[f], as_cell(&item[f]), "{f} of {}", item["id"]);
                }
                for f in ["se", "rwg"] {
                    assert_eq!(row[f], as_cell(&item[f]), "{f} of {}", item["id"]);
                }
                assert_eq!(row["ci_lo"], as_cell(&item["ci"][0]));
                assert_eq!(row["ci_hi"], as_cell(&item["ci"][1]));
                for (key, count) in item["choices"].as_object().unwrap() {
                    if key != "n/a" {
                        assert_eq!(row[&format!("count:{key}")], count.to_string());
                    }
                }
                for p in item["scale"].as_array().unwrap() {
                    let key = p["key"].as_str().unwrap();
                    let expected = item["choices"].get(key).map_or(0, |c| c.as_u64().unwrap());
                    assert_eq!(row[&format!("count:{key}")], expected.to_string());
                }
            }
        }
    }
    assert_eq!(i, rows.len());
}

#[test]
fn csv_snapshots() {
    insta::assert_snapshot!("items_csv", run_inject(&["--format", "csv"]));
    insta::assert_snapshot!("answers_csv", run_inject(&["--format", "answers-csv"]));
    insta::assert_snapshot!(
        "answers_csv_anonymous",
        run_inject(&["--format", "answers-csv", "--anonymous"])
    );
    insta::assert_snapshot!(
        "diff_csv",
        text(&[
            "diff",
            "examples/reports/2026-Q3.json",
            "examples/reports/2026-Q4.json",
            "--format",
            "csv"
        ])
    );
}

#[test]
fn diff_csv_has_the_json_diffs_item_fields() {
    let args = [
        "diff",
        "examples/reports/2026-Q3.json",
        "examples/reports/2026-Q4.json",
    ];
    let csv = text(&[&args[..], &["--format", "csv"]].concat());
    let diff = json(&[&args[..], &["--format", "json"]].concat());
    let rows = table(&csv);
    let items = diff["items"].as_array().unwrap();
    assert_eq!(rows.len(), items.len());
    let mut intervals = 0;
    for (row, item) in rows.iter().zip(items) {
        for (k, v) in item.as_object().unwrap() {
            if k.ends_with("_ci") {
                // An interval is two numeric columns, never JSON text.
                assert!(!row.contains_key(k), "{k} as one cell");
                let lo_hi = [&row[&format!("{k}_lo")], &row[&format!("{k}_hi")]];
                match v.as_array() {
                    Some(pair) => {
                        intervals += 1;
                        for (cell, x) in lo_hi.iter().zip(pair) {
                            assert_eq!(cell.parse::<f64>().unwrap(), x.as_f64().unwrap(), "{k}");
                        }
                    }
                    None => assert_eq!(lo_hi, ["", ""], "{k}"),
                }
                continue;
            }
            assert_eq!(row[k], as_cell(v), "{k}");
        }
        for (k, cell) in row {
            let json_key = k
                .strip_suffix("_lo")
                .or_else(|| k.strip_suffix("_hi"))
                .filter(|base| base.ends_with("_ci"))
                .unwrap_or(k);
            if item.get(json_key).is_none() {
                assert_eq!(cell, "", "{k} absent from the JSON");
            }
        }
    }
    assert!(intervals > 0, "the examples' diff has intervals");
}

/// No cell of any export starts a formula, and every hostile text comes back as written
/// once the `'` is taken off.
#[test]
fn no_csv_cell_can_start_a_formula() {
    let exports = [
        run_inject(&["--format", "csv"]),
        run_inject(&["--format", "answers-csv"]),
        run_inject(&["--format", "answers-csv", "--anonymous"]),
    ];
    for csv in &exports {
        for row in records(csv) {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in\n{csv}"
                );
            }
        }
    }
    let answers = table(&exports[1]);
    let eve: Vec<&BTreeMap<String, String>> = answers
        .iter()
        .filter(|r| r["respondent"] == "'=Eve()")
        .collect();
    assert_eq!(eve.len(), 4);
    assert_eq!(eve[0]["note"], "'=HYPERLINK(\"http://x.example\")");
    assert_eq!(eve[0]["item"], "'=cmd");
    assert_eq!(eve[0]["choice"], "'=no");
    let dash = answers
        .iter()
        .find(|r| r["respondent"] == "'-Dash, \"quoted\"" && r["item"] == "'=cmd")
        .unwrap();
    assert_eq!(dash["note"], "''=already quoted");
}

#[test]
fn answers_csv_has_one_row_per_answer_given_with_raw_values_and_scores() {
    let rows = table(&run_inject(&["--format", "answers-csv"]));
    // 4 + 4 + 3 answers, n/a included, the skipped one not.
    assert_eq!(rows.len(), 11);
    let na = rows
        .iter()
        .find(|r| r["respondent"] == "'+Mallory" && r["item"] == "tab")
        .unwrap();
    assert_eq!(
        (
            na["choice"].as_str(),
            na["value"].as_str(),
            na["score"].as_str()
        ),
        ("n/a", "", "")
    );
    let partly = rows
        .iter()
        .find(|r| r["respondent"] == "'=Eve()" && r["item"] == "'@item")
        .unwrap();
    assert_eq!(
        (
            partly["value"].as_str(),
            partly["score"].as_str(),
            partly["period"].as_str()
        ),
        ("1.0", "50.0", "'+2026-Q4")
    );
    assert!(rows.iter().all(|r| r["role"].is_empty()));
}

/// The anonymous export numbers people as the anonymous JSON report does, and its bytes do not
/// depend on file names or their order.
#[test]
fn anonymous_answers_follow_the_reports_numbers_and_reveal_no_order() {
    let named = json(&["report", TEAM, "--format", "json"]);
    let anon = json(&["report", TEAM, "--format", "json", "--anonymous"]);
    let named_rows = table(&text(&["report", TEAM, "--format", "answers-csv"]));
    let anon_csv = text(&["report", TEAM, "--format", "answers-csv", "--anonymous"]);
    let anon_rows = table(&anon_csv);
    let answers_of = |rows: &[BTreeMap<String, String>], who: &str| -> Vec<Vec<String>> {
        rows.iter()
            .filter(|r| r["respondent"] == who)
            .map(|r| {
                ["checklist", "item", "choice", "value", "score", "note"]
                    .iter()
                    .map(|k| r[*k].clone())
                    .collect()
            })
            .collect()
    };
    for p in anon["per_respondent"].as_array().unwrap() {
        let number = p["respondent"].as_str().unwrap();
        let same: Vec<&Value> = named["per_respondent"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["score"] == p["score"])
            .collect();
        assert_eq!(same.len(), 1, "the example team's scores are all different");
        let name = same[0]["respondent"].as_str().unwrap();
        assert_eq!(
            answers_of(&anon_rows, number),
            answers_of(&named_rows, name)
        );
        assert!(!answers_of(&anon_rows, number).is_empty());
    }
    // The same files under other names, in another order: the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(TEAM)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for (i, f) in files.iter().rev().enumerate() {
        std::fs::copy(f, dir.path().join(format!("{i:02}-z.toml"))).unwrap();
    }
    let moved = text(&[
        "report",
        dir.path().to_str().unwrap(),
        "--format",
        "answers-csv",
        "--anonymous",
    ]);
    assert_eq!(moved, anon_csv);
    for name in named["respondents"].as_array().unwrap() {
        assert!(!anon_csv.contains(name.as_str().unwrap()));
    }
}

#[test]
fn withheld_items_leave_no_answer_rows() {
    let report = json(&["report", TEAM, "--format", "json", "--min-responses", "5"]);
    let withheld: Vec<String> = report["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["sections"].as_array().unwrap())
        .flat_map(|s| s["items"].as_array().unwrap())
        .filter(|i| i["withheld"] == true)
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!withheld.is_empty());
    let all = table(&text(&["report", TEAM, "--format", "answers-csv"]));
    let rows = table(&text(&[
        "report",
        TEAM,
        "--format",
        "answers-csv",
        "--min-responses",
        "5",
    ]));
    assert!(rows.iter().all(|r| !withheld.contains(&r["item"])));
    assert!(all.iter().any(|r| withheld.contains(&r["item"])));
    assert_eq!(
        rows.len(),
        all.iter()
            .filter(|r| !withheld.contains(&r["item"]))
            .count()
    );
}

fn workbook(path: &Path) -> calamine::Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let range = workbook(path).worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn write_xlsx(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    let p = path.to_str().unwrap().to_string();
    all.extend(["--format", "xlsx", "-o", &p]);
    out(&all);
    path
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// A percent cell (a fraction) against a JSON score in percent.
fn assert_percent(cell: &Data, score: &Value, what: &str) {
    match score.as_f64() {
        None => assert_eq!(cell, &Data::Empty, "{what}"),
        Some(s) => assert!(close(num(cell) * 100.0, s), "{what}: {cell:?} vs {s}"),
    }
}

#[test]
fn the_workbook_reads_back_cell_by_cell_as_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_xlsx(dir.path(), "r.xlsx", &["report", TEAM]);
    let report = json(&["report", TEAM, "--format", "json"]);
    assert_eq!(
        workbook(&path).sheet_names(),
        ["Summary", "Items", "Answers", "Notes", "Respondents"]
    );

    let items = sheet(&path, "Items");
    let header: Vec<String> = items[0].iter().map(|d| d.to_string()).collect();
    let csv_header = records(&text(&["report", TEAM, "--format", "csv"]))[0].clone();
    assert_eq!(header, csv_header);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut r = 1;
    for c in report["checklists"].as_array().unwrap() {
        for s in c["sections"].as_array().unwrap() {
            for item in s["items"].as_array().unwrap() {
                let row = &items[r];
                r += 1;
                assert_eq!(
                    row[col("item")],
                    Data::String(item["id"].as_str().unwrap().into())
                );
                assert_eq!(
                    row[col("text")],
                    Data::String(item["text"].as_str().unwrap().into())
                );
                assert_eq!(
                    row[col("critical")],
                    Data::Bool(item["critical"].as_bool().unwrap())
                );
                assert_eq!(
                    row[col("split")],
                    Data::Bool(item["split"].as_bool().unwrap())
                );
                assert!(close(
                    num(&row[col("weight")]),
                    item["weight"].as_f64().unwrap()
                ));
                for f in ["n", "na", "missing"] {
                    assert_eq!(num(&row[col(f)]), item[f].as_f64().unwrap(), "{f}");
                }
                for f in ["score", "min", "max", "stddev"] {
                    assert_percent(&row[col(f)], &item[f], f);
                }
                for (key, count) in item["choices"].as_object().unwrap() {
                    if key != "n/a" {
                        assert_eq!(
                            num(&row[col(&format!("count:{key}"))]),
                            count.as_f64().unwrap()
                        );
                    }
                }
            }
        }
    }
    assert_eq!(r, items.len());

    let summary = sheet(&path, "Summary");
    let find = |label: &str| {
        summary
            .iter()
            .find(|row| row[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("no {label}"))[1]
            .clone()
    };
    assert_eq!(find("Period"), Data::String("2026-Q4".into()));
    assert_eq!(
        find("Generated"),
        Data::String("2025-12-01T00:00:00Z".into())
    );
    assert_percent(&find("Overall score"), &report["score"], "overall");
    for c in report["checklists"].as_array().unwrap() {
        let row = summary
            .iter()
            .find(|row| {
                row[0] == Data::String(c["id"].as_str().unwrap().into()) && row[1] == Data::Empty
            })
            .unwrap();
        assert_percent(&row[4], &c["score"], "checklist");
        for s in c["sections"].as_array().unwrap() {
            let row = summary
                .iter()
                .find(|row| {
                    row[0] == Data::String(c["id"].as_str().unwrap().into())
                        && row[1] == Data::String(s["id"].as_str().unwrap().into())
                })
                .unwrap();
            assert_percent(&row[4], &s["score"], "section");
        }
    }

    let people = sheet(&path, "Respondents");
    let per = report["per_respondent"].as_array().unwrap();
    assert_eq!(people.len(), per.len() + 1);
    for (row, p) in people[1..].iter().zip(per) {
        assert_eq!(
            row[0],
            Data::String(p["respondent"].as_str().unwrap().into())
        );
        assert_percent(&row[1], &p["score"], "respondent");
    }

    // Answers: the same rows as answers-csv, numbers as numbers.
    let answers = sheet(&path, "Answers");
    let csv_rows = records(&text(&["report", TEAM, "--format", "answers-csv"]));
    assert_eq!(answers.len(), csv_rows.len());
    for (cells, csv_row) in answers.iter().zip(&csv_rows).skip(1) {
        for (i, (cell, c)) in cells.iter().zip(csv_row).enumerate() {
            match cell {
                Data::Float(f) if i == 8 => assert!(close(f * 100.0, c.parse().unwrap())),
                Data::Float(f) => assert!(close(*f, c.parse().unwrap())),
                Data::Empty => assert_eq!(c, ""),
                Data::String(s) => assert_eq!(s, c),
                other => panic!("{other:?}"),
            }
        }
    }

    // Notes: every note of the report, with its item.
    let notes = sheet(&path, "Notes");
    let count: usize = report["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["sections"].as_array().unwrap())
        .flat_map(|s| s["items"].as_array().unwrap())
        .map(|i| i["notes"].as_array().unwrap().len())
        .sum();
    assert_eq!(notes.len(), count + 1);
}

#[test]
fn every_hostile_text_is_a_string_cell_in_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let args = inject(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let path = write_xlsx(dir.path(), "i.xlsx", &args);
    let mut book = workbook(&path);
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "a formula in {name}"
        );
    }
    let answers = sheet(&path, "Answers");
    let eve: Vec<&Vec<Data>> = answers
        .iter()
        .filter(|r| r[1] == Data::String("=Eve()".into()))
        .collect();
    assert_eq!(eve.len(), 4);
    assert_eq!(
        eve[0][9],
        Data::String("=HYPERLINK(\"http://x.example\")".into())
    );
    assert_eq!(eve[0][0], Data::String("+2026-Q4".into()));
    let items = sheet(&path, "Items");
    assert_eq!(items[1][3], Data::String("=cmd|' /C calc'!A0".into()));
    assert_eq!(items[4][3], Data::String("-1+1".into()));
    let notes = sheet(&path, "Notes");
    assert!(
        notes
            .iter()
            .any(|r| r[5] == Data::String("'=already quoted".into()))
    );
}

#[test]
fn the_workbook_is_the_same_bytes_each_time_and_anonymous_names_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_xlsx(dir.path(), "a.xlsx", &["report", TEAM, "--anonymous"]);
    let b = write_xlsx(dir.path(), "b.xlsx", &["report", TEAM, "--anonymous"]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let report = json(&["report", TEAM, "--format", "json"]);
    let mut book = workbook(&a);
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for cell in range.used_cells() {
            if let (_, _, Data::String(s)) = cell {
                for who in report["respondents"].as_array().unwrap() {
                    assert!(!s.contains(who.as_str().unwrap()), "{s} in {name}");
                }
            }
        }
    }
    let people = sheet(&a, "Respondents");
    assert_eq!(people[1][0], Data::String("respondent 1".into()));
}

#[test]
fn a_workbook_goes_to_a_pipe_but_not_to_a_terminal() {
    let piped = out(&["report", TEAM, "--format", "xlsx"]);
    assert!(piped.starts_with(b"PK\x03\x04"));
    #[cfg(unix)]
    {
        use expectrl::Expect;
        let bin = assert_cmd::cargo::cargo_bin("selfaudit");
        let mut cmd = std::process::Command::new(bin);
        cmd.args(["report", TEAM, "--format", "xlsx"]);
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        session.expect("not for a terminal").unwrap();
        let _ = session.expect(expectrl::Eof);
        match session.get_process().wait().unwrap() {
            expectrl::process::unix::WaitStatus::Exited(_, code) => assert_eq!(code, 2),
            other => panic!("{other:?}"),
        }
        // A terminal named as the output file is refused too.
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("selfaudit"));
        cmd.args(["report", TEAM, "--format", "xlsx", "-o", "/dev/tty"]);
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        session.expect("not for a terminal").unwrap();
        let _ = session.expect(expectrl::Eof);
        match session.get_process().wait().unwrap() {
            expectrl::process::unix::WaitStatus::Exited(_, code) => assert_eq!(code, 2),
            other => panic!("{other:?}"),
        }
    }
}

/// The independent reader: Python's openpyxl checks the workbook against the JSON report.
#[test]
fn openpyxl_reads_the_workbook_as_the_json_report() {
    let has_openpyxl = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_openpyxl {
        eprintln!("skipped: python3 with openpyxl is not installed (pip install openpyxl)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("team", vec!["report", TEAM]),
        (
            "anon",
            vec!["report", TEAM, "--anonymous", "--min-responses", "4"],
        ),
        (
            "groups",
            vec![
                "report",
                TEAM,
                "--team",
                "examples/team.toml",
                "--actions",
                "examples/actions.toml",
            ],
        ),
        (
            "groups-anon",
            vec![
                "report",
                TEAM,
                "--team",
                "examples/team.toml",
                "--actions",
                "examples/actions.toml",
                "--anonymous",
            ],
        ),
    ] {
        let x = write_xlsx(dir.path(), &format!("{name}.xlsx"), &args);
        let j = dir.path().join(format!("{name}.json"));
        let mut json_args = args.clone();
        json_args.extend(["--format", "json", "-o", j.to_str().unwrap()]);
        out(&json_args);
        let a = dir.path().join(format!("{name}.csv"));
        let mut csv_args = args.clone();
        csv_args.extend(["--format", "answers-csv", "-o", a.to_str().unwrap()]);
        out(&csv_args);
        let status = std::process::Command::new("python3")
            .arg("scripts/check_xlsx.py")
            .args([&x, &j, &a])
            .status()
            .unwrap();
        assert!(status.success(), "scripts/check_xlsx.py failed for {name}");
    }
}

// ---- import ----

fn import_err(file: &Path, extra: &[&str]) -> String {
    let mut args = vec!["import", file.to_str().unwrap(), "--id", "mine", "-o", "-"];
    args.extend_from_slice(extra);
    let output = selfaudit()
        .args(&args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8(output.stderr).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn import_error_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [(&str, &[u8], &[&str]); 9] = [
        ("empty.csv", b"", &["the sheet is empty"]),
        ("bom-only.csv", b"\xEF\xBB\xBF", &["the sheet is empty"]),
        (
            "no-text.csv",
            b"Question,Weight\nA,1\n",
            &[
                ":1: no `text` column",
                "columns found: `Question`, `Weight`",
            ],
        ),
        (
            "bad-weight.csv",
            b"Text ,WEIGHT\nA,2\nB,heavy\nC,0\n",
            &[
                "bad-weight.csv:3:WEIGHT: weight `heavy` is not a number above 0",
                "bad-weight.csv:4:WEIGHT: weight `0` is not a number above 0",
                "hint: write a number above 0",
            ],
        ),
        (
            "scale.csv",
            b"text,scale\nA,yes-no\nB,stars\n",
            &[
                "scale.csv:3:scale: unknown scale `stars`",
                "yes-no, yes-partly-no, frequency, agreement, 0-10",
            ],
        ),
        (
            "dup-id.csv",
            b"text,id\nA,a\nB,b\nC,a\n",
            &["dup-id.csv:4:id: id `a` is also the id of row 2"],
        ),
        (
            "flag.csv",
            b"text,Critical,allow_na\nA,maybe,\nB,,nah\n",
            &[
                "flag.csv:2:Critical: `maybe` is not yes or no",
                "flag.csv:3:allow_na: `nah` is not yes or no",
            ],
        ),
        (
            "twice.csv",
            b"text,Text\nA,B\n",
            &["twice.csv:1:Text: the column `Text` appears twice"],
        ),
        (
            "latin1.csv",
            b"text\nCaf\xe9\n",
            &["latin1.csv:2: the file is not UTF-8 text", "CSV UTF-8"],
        ),
    ];
    for (name, bytes, expected) in cases {
        let p = write(d, name, bytes);
        let err = import_err(&p, &[]);
        for e in expected {
            assert!(err.contains(e), "{name}: {e:?} not in\n{err}");
        }
        assert!(err.contains("hint:"), "{name}: no hint in\n{err}");
    }
    let p = write(d, "ok.csv", b"text\nA\n");
    let output = selfaudit()
        .args([
            "import",
            p.to_str().unwrap(),
            "--id",
            "Not An Id",
            "-o",
            "-",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.contains("not a valid checklist id"), "{err}");
}

#[test]
fn import_makes_a_valid_checklist_with_one_warning_for_other_columns() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "q.csv",
        "\u{feff} Section ,TEXT,Help,colour,Owner,weight,critical\n\
         Phone,Do we call back the same day?,Think of last week,red,Ann,2,x\n\
         Phone,Do we call back the same day?,,blue,Bob,,\n\
         Shop,\"=HYPERLINK(\"\"http://x\"\")\",,,,1.5,no\n\
         ,\"Is the floor clean, always?\",,,,,\n"
            .as_bytes(),
    );
    let output = selfaudit()
        .current_dir(dir.path())
        .args(["import", "q.csv", "--id", "phone-audit", "--title", "Phone"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("ignored").count(), 1, "{stderr}");
    assert!(stderr.contains("`colour`, `Owner`"), "{stderr}");
    let written = dir.path().join("phone-audit.toml");
    let toml = std::fs::read_to_string(&written).unwrap();
    // The real validator agrees, and the questions are as written.
    selfaudit()
        .args(["validate", written.to_str().unwrap()])
        .assert()
        .success();
    assert!(
        toml.contains("id = \"do-we-call-back-the-same-day-2\""),
        "{toml}"
    );
    let back = selfaudit::model::checklist::Checklist::parse(&selfaudit::model::Source {
        name: "back.toml",
        text: &toml,
    })
    .unwrap();
    let texts: Vec<&str> = back.items().map(|(_, i)| i.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Do we call back the same day?",
            "Do we call back the same day?",
            "=HYPERLINK(\"http://x\")",
            "Is the floor clean, always?"
        ]
    );
    assert!(stderr.contains("repeats row 2"), "{stderr}");
    assert!(
        toml.contains("[[sections]]\nid = \"shop\"\ntitle = \"Shop\""),
        "{toml}"
    );
    // Never overwritten silently.
    let err = selfaudit()
        .current_dir(dir.path())
        .args(["import", "q.csv", "--id", "phone-audit"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(err).unwrap().contains("--force"));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), toml);
    selfaudit()
        .current_dir(dir.path())
        .args(["import", "q.csv", "--id", "phone-audit", "--force"])
        .assert()
        .success();
}

/// A checklist's questions as a round trip must keep them: per section, each item's id, text,
/// scale, weight, critical flag and scale keys.
type Shape = Vec<(
    String,
    Vec<(String, String, String, f64, bool, Vec<String>)>,
)>;

#[test]
fn a_reports_items_import_back_to_the_same_questions_for_every_built_in_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let registry = selfaudit::load::Registry::builtin().unwrap();
    for (checklist, _) in registry.iter() {
        // One respondent answers the lowest choice of every item.
        let mut responses = format!(
            "respondent = \"Ann\"\nperiod = \"Q\"\n\n[answers.{}]\n",
            checklist.id
        );
        for (_, item) in checklist.items() {
            responses.push_str(&format!(
                "{} = {}\n",
                toml::Value::String(item.id.clone()),
                toml::Value::String(item.scale.choices[0].key.clone())
            ));
        }
        let r = write(d, &format!("{}.toml", checklist.id), responses.as_bytes());
        for format in ["csv", "xlsx"] {
            let sheet = d.join(format!("{}.{format}", checklist.id));
            out(&[
                "report",
                r.to_str().unwrap(),
                "--format",
                format,
                "-o",
                sheet.to_str().unwrap(),
            ]);
            let toml = text(&[
                "import",
                sheet.to_str().unwrap(),
                "--id",
                &checklist.id,
                "--scales-from",
                &checklist.id,
                "-o",
                "-",
            ]);
            let back = selfaudit::model::checklist::Checklist::parse(&selfaudit::model::Source {
                name: "back.toml",
                text: &toml,
            })
            .unwrap_or_else(|p| panic!("{p:?}\n{toml}"));
            let shape = |c: &selfaudit::model::checklist::Checklist| -> Shape {
                c.sections
                    .iter()
                    .map(|s| {
                        (
                            s.id.clone(),
                            s.items
                                .iter()
                                .map(|i| {
                                    (
                                        i.id.clone(),
                                        i.text.clone(),
                                        i.scale.name.clone(),
                                        i.weight,
                                        i.critical,
                                        i.scale.keys().iter().map(|k| k.to_string()).collect(),
                                    )
                                })
                                .collect(),
                        )
                    })
                    .collect()
            };
            assert_eq!(
                shape(&back),
                shape(checklist),
                "{} via {format}",
                checklist.id
            );
        }
    }
}

/// Control characters (which XML cannot hold), HTML, bidi overrides and Excel's own escape
/// syntax in user text all come back from the workbook as written.
#[test]
fn the_hostile_fixture_reads_back_from_the_workbook_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--checklists",
        "tests/fixtures/hostile/checklists",
        "report",
        "tests/fixtures/hostile/responses",
    ];
    let path = write_xlsx(dir.path(), "h.xlsx", &args);
    let report = json(&[&args[..], &["--format", "json"]].concat());
    let items = sheet(&path, "Items");
    let all_items: Vec<&Value> = report["checklists"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    assert_eq!(items.len(), all_items.len() + 1);
    for (row, item) in items[1..].iter().zip(all_items) {
        assert_eq!(row[2], Data::String(item["id"].as_str().unwrap().into()));
        assert_eq!(row[3], Data::String(item["text"].as_str().unwrap().into()));
    }
    let notes = sheet(&path, "Notes");
    let all: Vec<&str> = report["checklists"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .flat_map(|i| i["notes"].as_array().unwrap())
        .map(|n| n["note"].as_str().unwrap())
        .collect();
    assert!(all.iter().any(|n| n.contains('\u{1b}')));
    for note in all {
        assert!(
            notes.iter().any(|row| row[5] == Data::String(note.into())),
            "{note:?}"
        );
    }

    // Excel's escape syntax in a note stays literal text.
    std::fs::write(
        dir.path().join("r.toml"),
        "respondent = \"_x0041_\"\nperiod = \"Q\"\n[answers.mini]\nfreq = { choice = \"never\", note = \"_x0041_ and _x005F_\" }\n",
    )
    .unwrap();
    let path = write_xlsx(
        dir.path(),
        "x.xlsx",
        &[
            "--checklists",
            "tests/fixtures/mini",
            "report",
            dir.path().join("r.toml").to_str().unwrap(),
        ],
    );
    let answers = sheet(&path, "Answers");
    assert_eq!(answers[1][1], Data::String("_x0041_".into()));
    assert_eq!(answers[1][9], Data::String("_x0041_ and _x005F_".into()));
}

/// Respondents whose scores are all equal cannot be told apart by any figure; their rows are
/// ordered by what they answered, never by file name or order.
#[test]
fn tied_respondents_are_ordered_by_content_alone() {
    let people = [
        ("Ann", "yes", "never", "one"),
        ("Bob", "no", "always", "two"),
        ("Cy", "yes", "never", "three"),
        ("Di", "no", "often", "four"),
    ];
    let mut outputs = Vec::new();
    for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]] {
        let dir = tempfile::tempdir().unwrap();
        for (i, &p) in order.iter().enumerate() {
            let (name, always, freq, note) = people[p];
            std::fs::write(
                dir.path().join(format!("{i}-{}.toml", 9 - p)),
                format!(
                    "respondent = \"{name}\"\nperiod = \"Q\"\n[answers.mini]\nalways = \"{always}\"\nfreq = {{ choice = \"{freq}\", note = \"{note}\" }}\n"
                ),
            )
            .unwrap();
        }
        let d = dir.path().to_str().unwrap();
        let base = [
            "--checklists",
            "tests/fixtures/mini",
            "report",
            d,
            "--anonymous",
        ];
        let csv = text(&[&base[..], &["--format", "answers-csv"]].concat());
        let x = write_xlsx(dir.path(), "a.xlsx", &base);
        outputs.push((csv, std::fs::read(x).unwrap()));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    let rows = table(&outputs[0].0);
    // Ann, Bob and Cy tie at 50 %; Di has 37.5 % and comes last.
    assert_eq!(rows[6]["respondent"], "respondent 4");
    assert_eq!(rows[7]["note"], "four");
}
