//! Spreadsheets with a team list and an actions file (SPEC §13 with §10, §12, §14): the
//! Summary's response rate and intervals, the Groups, Perception gaps and Actions sheets read
//! back cell by cell against the JSON report, hostile team and action text as string cells,
//! anonymous workbooks that name nobody, and the role column of answers-csv.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use common::selfaudit;
use serde_json::Value;

const TEAM: &str = "examples/responses/2026-Q4";
const TEAM_LIST: &str = "examples/team.toml";
const ACTIONS: &str = "examples/actions.toml";
const FIXTURE: &str = "tests/fixtures/team";

fn out(args: &[&str]) -> Vec<u8> {
    selfaudit()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SELFAUDIT_TEAM")
        .env("SOURCE_DATE_EPOCH", "1764547200")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_slice(&out(&all)).unwrap()
}

fn write_xlsx(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let p = path.to_str().unwrap().to_string();
    let mut all = args.to_vec();
    all.extend(["--format", "xlsx", "-o", &p]);
    out(&all);
    path
}

fn workbook(path: &Path) -> calamine::Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let range = workbook(path).worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
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

/// A percent cell (a fraction) against a JSON figure in percent; empty for null.
fn assert_percent(cell: &Data, v: &Value, what: &str) {
    match v.as_f64() {
        None => assert_eq!(cell, &Data::Empty, "{what}"),
        Some(x) => assert!(close(num(cell) * 100.0, x), "{what}: {cell:?} vs {x}"),
    }
}

fn string(v: &Value) -> Data {
    match v {
        Value::Null => Data::Empty,
        v => Data::String(v.as_str().unwrap().into()),
    }
}

/// The Summary's facts: label → value.
fn facts(summary: &[Vec<Data>]) -> BTreeMap<String, Data> {
    summary
        .iter()
        .take_while(|r| r[0] != Data::String("checklist".into()))
        .filter_map(|r| match &r[0] {
            Data::String(s) => Some((s.clone(), r.get(1).cloned().unwrap_or(Data::Empty))),
            _ => None,
        })
        .collect()
}

fn team_args() -> Vec<&'static str> {
    vec!["report", TEAM, "--team", TEAM_LIST, "--actions", ACTIONS]
}

#[test]
fn summary_shows_the_response_rate_and_the_intervals_of_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let args = team_args();
    let path = write_xlsx(dir.path(), "t.xlsx", &args);
    let report = json(&args);
    assert_eq!(
        workbook(&path).sheet_names(),
        [
            "Summary",
            "Items",
            "Answers",
            "Notes",
            "Respondents",
            "Groups",
            "Perception gaps",
            "Actions"
        ]
    );
    let summary = sheet(&path, "Summary");
    let f = facts(&summary);
    let rate = &report["response_rate"];
    assert_eq!(num(&f["Expected"]), rate["expected"].as_f64().unwrap());
    assert_eq!(num(&f["Answered"]), rate["answered"].as_f64().unwrap());
    let percent = rate["answered"].as_f64().unwrap() / rate["expected"].as_f64().unwrap() * 100.0;
    assert!(close(num(&f["Response rate"]) * 100.0, percent));
    let missing: Vec<&str> = rate["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(!missing.is_empty());
    assert_eq!(f["Missing"], Data::String(missing.join(", ")));
    assert_percent(&f["Overall score"], &report["score"], "overall");
    assert_percent(&f["Overall ci_lo"], &report["ci"][0], "overall ci_lo");
    assert_percent(&f["Overall ci_hi"], &report["ci"][1], "overall ci_hi");

    let header_at = summary
        .iter()
        .position(|r| r[0] == Data::String("checklist".into()))
        .unwrap();
    let header: Vec<String> = summary[header_at].iter().map(|d| d.to_string()).collect();
    assert_eq!(
        header,
        [
            "checklist",
            "section",
            "title",
            "weight",
            "score",
            "ci_lo",
            "ci_hi"
        ]
    );
    let mut rows = summary[header_at + 1..].iter();
    let mut seen = 0;
    for c in report["checklists"].as_array().unwrap() {
        let mut parts = vec![(c, Data::Empty)];
        parts.extend(
            c["sections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s, string(&s["id"]))),
        );
        for (part, section) in parts {
            let row = rows.next().unwrap();
            seen += 1;
            assert_eq!(row[0], string(&c["id"]));
            assert_eq!(row[1], section);
            assert_percent(&row[4], &part["score"], "score");
            assert!(part["ci"].is_array(), "the example has intervals");
            assert_percent(&row[5], &part["ci"][0], "ci_lo");
            assert_percent(&row[6], &part["ci"][1], "ci_hi");
        }
    }
    assert!(seen > 3);

    // Without a team list, no response rate.
    let plain = write_xlsx(dir.path(), "p.xlsx", &["report", TEAM]);
    let f = facts(&sheet(&plain, "Summary"));
    assert!(!f.contains_key("Expected") && !f.contains_key("Missing"));
}

#[test]
fn groups_and_perception_gaps_read_back_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let args = team_args();
    let path = write_xlsx(dir.path(), "g.xlsx", &args);
    let report = json(&args);
    let groups = sheet(&path, "Groups");
    let header: Vec<String> = groups[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header[..5], ["role", "title", "n", "withheld", "score"]);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let json_groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), json_groups.len() + 1);
    let mut cells = 0;
    for (row, g) in groups[1..].iter().zip(json_groups) {
        assert_eq!(row[0], string(&g["role"]));
        assert_eq!(row[1], string(&g["title"]));
        assert_eq!(num(&row[2]), g["n"].as_f64().unwrap());
        assert_eq!(row[3], Data::Bool(g["withheld"].as_bool().unwrap()));
        assert_percent(&row[4], &g["score"], "group score");
        for c in g["checklists"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            assert_percent(&row[col(&format!("score:{id}"))], &c["score"], id);
            for (kind, list) in [("sections", &c["sections"]), ("items", &c["items"])] {
                for p in list.as_array().unwrap() {
                    let name = format!("score:{id}/{}", p["id"].as_str().unwrap());
                    assert_percent(&row[col(&name)], &p["score"], &format!("{kind} {name}"));
                    cells += 1;
                }
            }
        }
    }
    // One column per checklist, section and item of the report.
    let parts: usize = report["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let sections = c["sections"].as_array().unwrap();
            1 + sections.len()
                + sections
                    .iter()
                    .map(|s| s["items"].as_array().unwrap().len())
                    .sum::<usize>()
        })
        .sum();
    assert_eq!(header.len(), 5 + parts);
    assert!(cells > 20);

    let gaps = sheet(&path, "Perception gaps");
    let json_gaps = report["perception_gaps"].as_array().unwrap();
    assert!(!json_gaps.is_empty());
    assert_eq!(gaps.len(), json_gaps.len() + 1);
    for (row, g) in gaps[1..].iter().zip(json_gaps) {
        assert_eq!(row[0], string(&g["checklist"]));
        assert_eq!(row[1], string(&g["item"]));
        assert_eq!(row[2], string(&g["high"]["role"]));
        assert_percent(&row[3], &g["high"]["score"], "high");
        assert_eq!(row[4], string(&g["low"]["role"]));
        assert_percent(&row[5], &g["low"]["score"], "low");
        assert_percent(&row[6], &g["gap"], "gap");
    }
}

#[test]
fn actions_and_targets_read_back_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let args = team_args();
    let path = write_xlsx(dir.path(), "a.xlsx", &args);
    let report = json(&args);
    let rows = sheet(&path, "Actions");
    assert_eq!(rows[0][0], Data::String("Actions".into()));
    let header: Vec<String> = rows[1].iter().map(|d| d.to_string()).collect();
    assert_eq!(
        header[..11],
        [
            "id", "part", "of", "what", "owner", "opened", "due", "status", "overdue", "score",
            "evidence"
        ]
    );
    let actions = report["actions"].as_array().unwrap();
    assert!(!actions.is_empty());
    for (row, a) in rows[2..].iter().zip(actions) {
        assert_eq!(row[0], string(&a["id"]));
        let kind = ["item", "section", "checklist"]
            .into_iter()
            .find(|k| a.get(*k).is_some())
            .unwrap();
        assert_eq!(row[1], Data::String(kind.into()));
        assert_eq!(row[2], string(&a[kind]));
        for (col, f) in [
            (3, "what"),
            (4, "owner"),
            (5, "opened"),
            (6, "due"),
            (7, "status"),
        ] {
            assert_eq!(row[col], string(&a[f]), "{f}");
        }
        assert_eq!(row[8], Data::Bool(a["overdue"].as_bool().unwrap()));
        assert_percent(&row[9], &a["score"], "action score");
        assert_eq!(
            row[10],
            a.get("evidence").map_or(Data::Empty, string),
            "evidence"
        );
    }
    let at = 2 + actions.len() + 1;
    assert_eq!(rows[at][0], Data::String("Targets".into()));
    let header: Vec<String> = rows[at + 1].iter().map(|d| d.to_string()).collect();
    assert_eq!(
        header[..9],
        [
            "part", "of", "score", "due", "now", "met", "overdue", "then", "progress"
        ]
    );
    let targets = report["targets"].as_array().unwrap();
    assert!(!targets.is_empty());
    assert_eq!(rows.len(), at + 2 + targets.len());
    for (row, t) in rows[at + 2..].iter().zip(targets) {
        let kind = ["item", "section", "checklist"]
            .into_iter()
            .find(|k| t.get(*k).is_some())
            .unwrap();
        assert_eq!(row[0], Data::String(kind.into()));
        assert_eq!(row[1], string(&t[kind]));
        assert_percent(&row[2], &t["score"], "target");
        assert_eq!(row[3], string(&t["due"]));
        assert_percent(&row[4], &t["now"], "now");
        assert_eq!(row[5], Data::Bool(t["met"].as_bool().unwrap()));
        assert_eq!(row[6], Data::Bool(t["overdue"].as_bool().unwrap()));
        assert_percent(&row[7], &t["then"], "then");
        match t["progress"].as_f64() {
            None => assert_eq!(row.get(8).unwrap_or(&Data::Empty), &Data::Empty),
            Some(p) => assert!(close(num(&row[8]), p)),
        }
    }
}

#[test]
fn targets_progress_against_a_baseline_is_a_ratio_shown_as_percent() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = team_args();
    args.extend(["--baseline", "examples/reports/2026-Q3.json"]);
    let path = write_xlsx(dir.path(), "b.xlsx", &args);
    let report = json(&args);
    let t = &report["targets"][0];
    let progress = t["progress"].as_f64().expect("a progress with a baseline");
    let rows = sheet(&path, "Actions");
    let last = rows.last().unwrap();
    assert!(close(num(&last[8]), progress), "{last:?} vs {progress}");
    assert_percent(&last[7], &t["then"], "then");
}

/// A team list, answers and an actions file whose every piece of text starts a formula.
fn hostile(dir: &Path) -> Vec<String> {
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let team = write(
        "team.toml",
        r#"[roles]
owner = '=HYPERLINK("http://x.example")'
staff = "+Staff"

[[people]]
name = "@Owner One"
role = "owner"

[[people]]
name = "-Staff Two"
role = "staff"

[[people]]
name = "=Missing()"
role = "staff"
"#,
    );
    write(
        "r/one.toml",
        "respondent = \"@Owner One\"\nperiod = \"Q\"\n[answers.t]\nx = \"yes\"\ny = \"yes\"\nw = \"yes\"\nv = 10\nz = \"always\"\n",
    );
    write(
        "r/two.toml",
        "respondent = \"-Staff Two\"\nperiod = \"Q\"\n[answers.t]\nx = \"no\"\ny = \"no\"\nw = \"no\"\nv = 1\nz = \"never\"\n",
    );
    let actions = write(
        "actions.toml",
        r#"[[actions]]
id = "evil"
item = "t/x"
what = "=cmd|' /C calc'!A0"
owner = "@SUM(A1:A9)"
opened = "-Q1"
due = 2026-01-01
status = "open"
evidence = "+1+1"

[[targets]]
section = "t/a"
score = 80
due = 2030-01-01
"#,
    );
    let responses = dir.join("r").to_str().unwrap().to_string();
    [
        "--checklists",
        &format!("{FIXTURE}/checklists"),
        "report",
        &responses,
        "--team",
        &team,
        "--actions",
        &actions,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn hostile_team_and_action_text_is_never_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let args = hostile(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let path = write_xlsx(dir.path(), "h.xlsx", &args);
    let mut book = workbook(&path);
    let names = book.sheet_names();
    for name in ["Groups", "Perception gaps", "Actions"] {
        assert!(names.iter().any(|n| n == name), "no {name} in {names:?}");
    }
    for name in &names {
        let formulas = book.worksheet_formula(name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "a formula in {name}"
        );
    }
    let f = facts(&sheet(&path, "Summary"));
    assert_eq!(f["Missing"], Data::String("=Missing()".into()));
    let groups = sheet(&path, "Groups");
    assert_eq!(
        groups[1][1],
        Data::String("=HYPERLINK(\"http://x.example\")".into())
    );
    assert_eq!(groups[2][1], Data::String("+Staff".into()));
    let actions = sheet(&path, "Actions");
    let row = &actions[2];
    assert_eq!(row[3], Data::String("=cmd|' /C calc'!A0".into()));
    assert_eq!(row[4], Data::String("@SUM(A1:A9)".into()));
    assert_eq!(row[5], Data::String("-Q1".into()));
    assert_eq!(row[10], Data::String("+1+1".into()));
    let answers = sheet(&path, "Answers");
    assert!(
        answers
            .iter()
            .any(|r| r[1] == Data::String("-Staff Two".into()))
    );
}

#[test]
fn an_anonymous_team_workbook_names_nobody_and_withheld_groups_reveal_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["report", TEAM, "--team", TEAM_LIST, "--anonymous"];
    let path = write_xlsx(dir.path(), "anon.xlsx", &args);
    let named = json(&["report", TEAM, "--team", TEAM_LIST]);
    let report = json(&args);
    let mut names: Vec<String> = named["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let missing = named["response_rate"]["missing"].as_array().unwrap();
    assert!(!missing.is_empty());
    names.extend(missing.iter().map(|v| v.as_str().unwrap().to_string()));
    let mut book = workbook(&path);
    for sheet_name in book.sheet_names() {
        let range = book.worksheet_range(&sheet_name).unwrap();
        for (_, _, cell) in range.used_cells() {
            if let Data::String(s) = cell {
                for who in &names {
                    assert!(!s.contains(who.as_str()), "{who} in {sheet_name}: {s}");
                }
            }
        }
    }
    let f = facts(&sheet(&path, "Summary"));
    assert!(!f.contains_key("Missing"));
    assert_eq!(
        num(&f["Expected"]),
        report["response_rate"]["expected"].as_f64().unwrap()
    );
    assert_eq!(
        num(&f["Answered"]),
        report["response_rate"]["answered"].as_f64().unwrap()
    );
    // The owner is alone, so under --anonymous the group is withheld: its size, nothing else.
    let groups = sheet(&path, "Groups");
    let owner = groups
        .iter()
        .find(|r| r[0] == Data::String("owner".into()))
        .unwrap();
    assert_eq!(owner[3], Data::Bool(true));
    assert_eq!(num(&owner[2]), 1.0);
    assert!(
        owner[4..].iter().all(|c| c == &Data::Empty),
        "a withheld group shows a figure: {owner:?}"
    );
    // A withheld group takes no part in perception gaps: none left, so no sheet.
    assert!(report.get("perception_gaps").is_none());
    assert!(!book.sheet_names().iter().any(|n| n == "Perception gaps"));
}

#[test]
fn answers_csv_takes_the_role_from_the_team_list_else_the_responses_file() {
    let csv = String::from_utf8(out(&[
        "--checklists",
        &format!("{FIXTURE}/checklists"),
        "report",
        &format!("{FIXTURE}/responses"),
        "--team",
        &format!("{FIXTURE}/team.toml"),
        "--format",
        "answers-csv",
    ]))
    .unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut roles: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for r in rows.records() {
        let r = r.unwrap();
        roles
            .entry(r[at("respondent")].to_string())
            .or_default()
            .insert(r[at("role")].to_string());
    }
    let role = |who: &str| {
        let set = roles
            .iter()
            .find(|(k, _)| k.as_str() == who)
            .unwrap_or_else(|| panic!("no rows of {who} in {roles:?}"))
            .1;
        assert_eq!(set.len(), 1, "{who}: {set:?}");
        set.iter().next().unwrap().clone()
    };
    // The team list wins over the file's `staff` (Helen is matched by name in any case).
    assert_eq!(role("helen   CARTER"), "owner");
    // No role in the file: the team list's.
    assert_eq!(role("Dev Patel"), "staff");
    assert_eq!(role("Sofi\u{301}a Rossi"), "staff");
    assert_eq!(role("T\u{200b}om Becker"), "staff");
    // Not on the list: the file's own role.
    assert_eq!(role("Zed Unlisted"), "staff");
}

#[test]
fn respondents_off_the_team_list_are_named_or_only_counted_when_anonymous() {
    let dir = tempfile::tempdir().unwrap();
    let checklists = format!("{FIXTURE}/checklists");
    let responses = format!("{FIXTURE}/responses");
    let team = format!("{FIXTURE}/team.toml");
    let base = [
        "--checklists",
        checklists.as_str(),
        "report",
        responses.as_str(),
        "--team",
        team.as_str(),
    ];
    let named = write_xlsx(dir.path(), "n.xlsx", &base);
    let report = json(&base);
    let f = facts(&sheet(&named, "Summary"));
    assert_eq!(report["unlisted"], serde_json::json!(["Zed Unlisted"]));
    assert_eq!(
        f["Not on the team list"],
        Data::String("Zed Unlisted".into())
    );
    assert_eq!(f["Missing"], Data::String("Ann Lee, Bob Stone".into()));

    let anon_args = [&base[..], &["--anonymous"]].concat();
    let anon = write_xlsx(dir.path(), "a.xlsx", &anon_args);
    let f = facts(&sheet(&anon, "Summary"));
    assert_eq!(num(&f["Not on the team list"]), 1.0);
    assert!(!f.contains_key("Missing"));
    let mut book = workbook(&anon);
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for (_, _, cell) in range.used_cells() {
            if let Data::String(s) = cell {
                for who in ["Zed", "Ann Lee", "Bob Stone", "Dev Patel", "CARTER"] {
                    assert!(!s.contains(who), "{who} in {name}: {s}");
                }
            }
        }
    }
}
