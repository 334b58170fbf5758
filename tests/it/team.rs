//! The team list and roles (SPEC §10): response rate, groups, perception gaps, withholding,
//! anonymity, the team-list error corpus, and every format with groups.

use crate::common;

use std::path::Path;

use common::selfaudit;
use serde_json::Value;

const DIR: &str = "tests/fixtures/team";

fn team_cmd() -> assert_cmd::Command {
    let mut cmd = selfaudit();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SELFAUDIT_TEAM")
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .args(["--checklists", &format!("{DIR}/checklists")]);
    cmd
}

/// The fixture team's report in `format`, with extra arguments; stdout and stderr.
fn report(format: &str, extra: &[&str]) -> (String, String) {
    let out = team_cmd()
        .args([
            "report",
            &format!("{DIR}/responses"),
            "--team",
            &format!("{DIR}/team.toml"),
        ])
        .args(["--format", format])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(extra: &[&str]) -> Value {
    serde_json::from_str(&report("json", extra).0).unwrap()
}

fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - expected).abs() < 1e-6, "{got} != {expected}");
}

fn group<'v>(r: &'v Value, role: &str) -> &'v Value {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == role)
        .unwrap_or_else(|| panic!("no group {role}"))
}

fn item<'v>(g: &'v Value, id: &str) -> &'v Value {
    g["checklists"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

#[test]
fn response_rate_matches_names_by_identity_and_lists_the_missing_in_list_order() {
    let r = json(&[]);
    // Helen in another case and spacing, Sofía in NFD, Tom with a zero-width space: all on the list.
    assert_eq!(
        r["response_rate"],
        serde_json::json!({ "expected": 6, "answered": 4, "missing": ["Ann Lee", "Bob Stone"] })
    );
    assert_eq!(r["unlisted"], serde_json::json!(["Zed Unlisted"]));
}

#[test]
fn group_figures_follow_the_scoring_rule_on_each_group_alone() {
    let r = json(&[]);
    let roles: Vec<&str> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["role"].as_str().unwrap())
        .collect();
    // [roles] order; the manager answered nobody, so has no group.
    assert_eq!(roles, ["owner", "staff"]);

    let owner = group(&r, "owner");
    assert_eq!(
        (owner["n"].as_u64(), owner["title"].as_str()),
        (Some(1), Some("Owner"))
    );
    close(&owner["score"], 100.0);

    // Staff: Dev, Sofía, Tom and Zed (unlisted, grouped by his file's role).
    let staff = group(&r, "staff");
    assert_eq!(staff["n"], 4);
    assert_eq!(staff["withheld"], false);
    close(&item(staff, "x")["score"], 25.0); // 0, 0, 100, 0
    close(&item(staff, "y")["score"], 50.0); // 100, n/a, absent, 0
    assert_eq!(item(staff, "y")["n"], 2);
    close(&item(staff, "w")["score"], 75.0); // 100, 100, 0, 100
    close(&item(staff, "v")["score"], 77.5); // 80, 70, 80, 80
    close(&item(staff, "z")["score"], 37.5); // 50, 25, 0, 75
    let c = &staff["checklists"][0];
    // Section A: (2·25 + 50 + 75 + 77.5) / 5; section B: 37.5; checklist: (3·50.5 + 37.5) / 4.
    close(&c["sections"][0]["score"], 50.5);
    close(&c["sections"][1]["score"], 37.5);
    close(&c["score"], 47.25);
    close(&staff["score"], 47.25);
}

#[test]
fn perception_gaps_are_every_item_25_points_apart_or_more_biggest_first() {
    let r = json(&[]);
    let gaps: Vec<(String, f64)> = r["perception_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["item"].as_str().unwrap().to_string(),
                g["gap"].as_f64().unwrap(),
            )
        })
        .collect();
    // v is 22.5 apart (100 against 77.5): not a gap. w is exactly 25: a gap.
    assert_eq!(
        gaps,
        [
            ("x".to_string(), 75.0),
            ("z".to_string(), 62.5),
            ("y".to_string(), 50.0),
            ("w".to_string(), 25.0)
        ]
    );
    assert_eq!(
        r["perception_gaps"][0],
        serde_json::json!({ "checklist": "t", "item": "x",
            "high": { "role": "owner", "score": 100.0 }, "low": { "role": "staff", "score": 25.0 },
            "gap": 75.0 })
    );
}

#[test]
fn the_list_wins_over_a_file_role_with_a_warning_naming_both() {
    let (_, stderr) = report("json", &[]);
    assert!(
        stderr.contains("helen.toml: role `staff` in the file, but the team list")
            && stderr.contains("gives `owner`"),
        "{stderr}"
    );
    assert!(stderr.contains("Zed Unlisted"), "{stderr}");
}

#[test]
fn a_group_is_withheld_below_min_group_and_shown_at_it() {
    // Owner has 1 respondent, staff 4.
    let r = json(&["--min-group", "2"]);
    let owner = group(&r, "owner");
    assert_eq!(
        (&owner["withheld"], &owner["score"], &owner["n"]),
        (&Value::Bool(true), &Value::Null, &Value::from(1))
    );
    assert_eq!(owner["checklists"], serde_json::json!([]));
    // One group left: no perception gaps.
    assert!(r.get("perception_gaps").is_none(), "{r}");

    let r = json(&["--min-group", "4"]);
    assert_eq!(group(&r, "staff")["withheld"], false);
    close(&group(&r, "staff")["score"], 47.25);
    let r = json(&["--min-group", "5"]);
    assert_eq!(group(&r, "staff")["withheld"], true);
    assert_eq!(group(&r, "staff")["score"], Value::Null);

    let r = json(&["--min-group", "1"]);
    assert_eq!(group(&r, "owner")["withheld"], false);
}

#[test]
fn anonymous_reports_name_nobody_missing_and_withhold_groups_under_three() {
    for format in ["json", "table", "markdown", "html"] {
        let (out, _) = report(format, &["--anonymous"]);
        for name in [
            "Ann Lee",
            "Bob Stone",
            "Zed",
            "Helen",
            "Dev Patel",
            "Tom",
            "Sofi",
        ] {
            assert!(!out.contains(name), "{format} names {name}");
        }
    }
    let r = json(&["--anonymous"]);
    assert_eq!(
        r["response_rate"],
        serde_json::json!({ "expected": 6, "answered": 4 })
    );
    assert_eq!(r["unlisted"], 1);
    // Default K = 3: the lone owner is withheld, staff (4) shown.
    assert_eq!(group(&r, "owner")["withheld"], true);
    assert_eq!(group(&r, "owner")["score"], Value::Null);
    assert_eq!(group(&r, "staff")["withheld"], false);
    // An explicit --min-group wins.
    let r = json(&["--anonymous", "--min-group", "1"]);
    assert_eq!(group(&r, "owner")["withheld"], false);
}

#[test]
fn roles_come_from_files_without_a_team_list() {
    let out = team_cmd()
        .args(["report", &format!("{DIR}/responses"), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r.get("response_rate").is_none());
    assert!(r.get("unlisted").is_none());
    // Helen and Zed say staff in their files: one group of two.
    assert_eq!(r["groups"].as_array().unwrap().len(), 1);
    assert_eq!(group(&r, "staff")["n"], 2);
}

fn temp_team(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_file_role_missing_from_roles_is_an_error_naming_the_file() {
    let dir = temp_team(&[
        (
            "team.toml",
            "[roles]\nstaff = \"Staff\"\n\n[[people]]\nname = \"A\"\n",
        ),
        (
            "r/a.toml",
            "respondent = \"A\"\nperiod = \"Q\"\nrole = \"contractor\"\n[answers.t]\nx = \"yes\"\n",
        ),
    ]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    selfaudit()
        .current_dir(dir.path())
        .env_remove("SELFAUDIT_TEAM")
        .arg("--checklists")
        .arg(&checklists)
        .args(["report", "r"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "r/a.toml: role `contractor` is not in the [roles]",
        ))
        .stderr(predicates::str::contains(
            "hint: use one of the roles of [roles] (staff)",
        ));
}

#[test]
fn the_team_list_is_found_by_flag_then_environment_then_the_current_folder() {
    let dir = temp_team(&[
        (
            "team.toml",
            "[[people]]\nname = \"A\"\n[[people]]\nname = \"B\"\n",
        ),
        ("other.toml", "[[people]]\nname = \"A\"\n"),
        (
            "r/a.toml",
            "respondent = \"A\"\nperiod = \"Q\"\n[answers.t]\nx = \"yes\"\n",
        ),
    ]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    let expected = |env: Option<&str>, flag: Option<&str>| -> u64 {
        let mut cmd = selfaudit();
        cmd.current_dir(dir.path())
            .env_remove("SELFAUDIT_TEAM")
            .arg("--checklists")
            .arg(&checklists)
            .args(["report", "r", "--format", "json"]);
        if let Some(e) = env {
            cmd.env("SELFAUDIT_TEAM", e);
        }
        if let Some(f) = flag {
            cmd.args(["--team", f]);
        }
        let out = cmd.assert().success().get_output().stdout.clone();
        let r: Value = serde_json::from_slice(&out).unwrap();
        r["response_rate"]["expected"].as_u64().unwrap()
    };
    assert_eq!(expected(None, None), 2, "./team.toml");
    assert_eq!(expected(Some(""), None), 2, "set but empty is unset");
    assert_eq!(expected(Some("other.toml"), None), 1, "the environment");
    assert_eq!(
        expected(Some("other.toml"), Some("team.toml")),
        2,
        "the flag wins"
    );

    selfaudit()
        .current_dir(dir.path())
        .arg("--checklists")
        .arg(&checklists)
        .args(["report", "r", "--team", "nowhere.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nowhere.toml"));
}

/// Each broken team list, and where and what its first problem is.
const CORPUS: &[(&str, &str, &str)] = &[
    (
        "top-key.toml",
        "peeple = []\n",
        "top-key.toml:1:1: unknown field `peeple`",
    ),
    (
        "person-key.toml",
        "[[people]]\nname = \"A\"\nmail = \"a@example.com\"\n",
        "person-key.toml:3:1: unknown field `mail`",
    ),
    (
        "duplicate.toml",
        "[[people]]\nname = \"Ana Lima\"\n\n[[people]]\nname = \"  ANA\u{200b}  lima \"\n",
        "duplicate.toml:5:8: `ANA\u{200b}  lima` is already on the list (line 2, as `Ana Lima`)",
    ),
    (
        "duplicate-nfd.toml",
        "[[people]]\nname = \"Jos\u{e9}\"\n[[people]]\nname = \"Jose\u{301}\"\n",
        "duplicate-nfd.toml:4:8: `Jose\u{301}` is already on the list (line 2",
    ),
    (
        "unknown-role.toml",
        "[roles]\nowner = \"Owner\"\n\n[[people]]\nname = \"A\"\nrole = \"staff\"\n",
        "unknown-role.toml:6:8: role `staff` is not in [roles]",
    ),
    (
        "empty-name.toml",
        "[[people]]\nname = \" \u{200b} \"\n",
        "empty-name.toml:2:8: a person's name must not be empty",
    ),
    (
        "no-name.toml",
        "[[people]]\nrole = \"staff\"\n",
        "no-name.toml:1:1: missing field `name`",
    ),
    (
        "name-number.toml",
        "[[people]]\nname = 3\n",
        "name-number.toml:2:8: invalid type: integer `3`, expected a string",
    ),
    (
        "roles-string.toml",
        "roles = \"owner\"\n",
        "roles-string.toml:1:9: invalid type",
    ),
    (
        "not-toml.toml",
        "[[people]\nname = \"A\"\n",
        "not-toml.toml:1:",
    ),
    (
        "twice-role.toml",
        "[roles]\nstaff = \"Staff\"\n\" staff \" = \"Staff again\"\n",
        "twice-role.toml:3:1: role `staff` is given twice",
    ),
    (
        "empty-role.toml",
        "[[people]]\nname = \"A\"\nrole = \"\"\n",
        "empty-role.toml:3:8: a role must not be empty",
    ),
];

#[test]
fn every_broken_team_list_is_located_by_validate_and_refused_by_report() {
    let dir = temp_team(&[(
        "r/a.toml",
        "respondent = \"A\"\nperiod = \"Q\"\n[answers.t]\nx = \"yes\"\n",
    )]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    for (name, text, expected) in CORPUS {
        std::fs::write(dir.path().join(name), text).unwrap();
        let out = selfaudit()
            .current_dir(dir.path())
            .arg("--checklists")
            .arg(&checklists)
            .args(["validate", name])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: wanted {expected:?} in\n{stderr}"
        );
        assert!(stderr.contains("hint: "), "{name}: no hint in\n{stderr}");

        let out = selfaudit()
            .current_dir(dir.path())
            .arg("--checklists")
            .arg(&checklists)
            .args(["report", "r", "--team", name])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: wanted {expected:?} in\n{stderr}"
        );
    }
}

#[test]
fn validate_accepts_a_team_list_and_says_what_it_holds() {
    team_cmd()
        .args(["validate", &format!("{DIR}/team.toml")])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "ok (team list, 6 people, 3 roles)",
        ));
}

#[test]
fn team_init_lists_each_respondent_once_and_never_overwrites_silently() {
    let out = team_cmd()
        .args(["team", "init", &format!("{DIR}/responses")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("[[people]]").count(), 5, "{text}");
    assert!(text.contains("[roles]\nstaff = \"Staff\"\n"), "{text}");
    assert!(
        text.contains("name = \"Dev Patel\"\n# role = \"\"\n"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("team.toml");
    // The same people twice, in another form: still listed once.
    team_cmd()
        .args([
            "team",
            "init",
            &format!("{DIR}/responses"),
            &format!("{DIR}/responses/dev.toml"),
        ])
        .arg("-o")
        .arg(&target)
        .assert()
        .success();
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written, text);
    team_cmd().arg("validate").arg(&target).assert().success();
    team_cmd()
        .args(["team", "init", &format!("{DIR}/responses")])
        .arg("-o")
        .arg(&target)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists"));
    team_cmd()
        .args(["team", "init", "--force"])
        .arg("-o")
        .arg(&target)
        .assert()
        .success();
    assert!(
        !std::fs::read_to_string(&target)
            .unwrap()
            .contains("[[people]]")
    );
}

#[test]
fn template_role_writes_a_role_that_report_groups_by() {
    let out = team_cmd()
        .args([
            "template",
            "t",
            "--respondent",
            "Ann Lee",
            "--role",
            "staff",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("period = ") && text.contains("\nrole = \"staff\"\n"),
        "{text}"
    );
    team_cmd()
        .args(["template", "t", "--role", "  "])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the role is empty"));
}

fn write_report(dir: &Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    team_cmd()
        .args(["report", &format!("{DIR}/responses"), "--format", "json"])
        .args(extra)
        .arg("-o")
        .arg(&path)
        .assert()
        .success();
    path
}

#[test]
fn min_response_rate_gates_on_answered_over_expected() {
    let dir = tempfile::tempdir().unwrap();
    let with = write_report(
        dir.path(),
        "with.json",
        &["--team", &format!("{DIR}/team.toml")],
    );
    let without = write_report(dir.path(), "without.json", &[]);
    // 4 of 6 answered: 66.67 %.
    let gate = |p: &str| {
        team_cmd()
            .arg("diff")
            .arg(&without)
            .arg(&with)
            .args(["--min-response-rate", p, "--format", "json"])
            .output()
            .unwrap()
    };
    let out = gate("66");
    assert_eq!(out.status.code(), Some(0));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["gates"][0]["gate"], "min-response-rate");
    assert_eq!(d["gates"][0]["passed"], true);
    let out = gate("66.7");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "gate failed: min-response-rate: response rate 66.67% (4 of 6 answered) is below 66.7%"
        ),
        "{stderr}"
    );
    let out = gate("200");
    assert_eq!(out.status.code(), Some(2));
    team_cmd()
        .arg("diff")
        .arg(&with)
        .arg(&without)
        .args(["--min-response-rate", "50"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("has no response rate"));

    let out = team_cmd()
        .arg("trend")
        .arg(&without)
        .arg(&with)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("Response rate: Q — · Q 66.7% (4 of 6)"),
        "{text}"
    );
}

#[test]
fn every_format_with_groups_snapshot() {
    let (table, _) = report("table", &[]);
    insta::assert_snapshot!("team_table", table);
    let (markdown, _) = report("markdown", &[]);
    insta::assert_snapshot!("team_markdown", markdown);
    let (json, _) = report("json", &[]);
    insta::assert_snapshot!("team_json", json);
    let (html, _) = report("html", &[]);
    common::assert_self_contained(&html);
    insta::assert_snapshot!("team_html", html);
}

#[test]
fn the_html_draws_a_line_of_dots_per_gap_item_with_a_text_alternative() {
    let (html, _) = report("html", &[]);
    let doc = scraper::Html::parse_document(&html);
    let lines: Vec<_> = doc.select(&common::sel("ol.gaps li")).collect();
    assert_eq!(lines.len(), 4);
    let svg = common::one(lines[0], "svg.dots");
    assert_eq!(svg.value().attr("role"), Some("img"));
    assert_eq!(
        svg.value().attr("aria-label"),
        Some("Item X: Owner 100.0, Staff 25.0")
    );
    assert_eq!(svg.select(&common::sel("circle")).count(), 2);
    let missing = common::text(common::one(doc.root_element(), ".missing-people"));
    assert_eq!(missing, "Not answered yet: Ann Lee, Bob Stone");
}

#[test]
fn one_person_in_two_unicode_forms_is_a_duplicate_respondent() {
    let dir = temp_team(&[
        (
            "r/a.toml",
            "respondent = \"Jos\u{e9}\"\nperiod = \"Q\"\n[answers.t]\nx = \"yes\"\n",
        ),
        (
            "r/b.toml",
            "respondent = \"JOSE\u{301}\u{200b}\"\nperiod = \"Q\"\n[answers.t]\nx = \"no\"\n",
        ),
    ]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    selfaudit()
        .current_dir(dir.path())
        .env_remove("SELFAUDIT_TEAM")
        .arg("--checklists")
        .arg(&checklists)
        .args(["report", "r"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("also answered in r/a.toml"));
}

/// `run --role` writes the role into the responses file, as an interview in a pseudo-terminal.
#[cfg(unix)]
#[test]
fn run_role_writes_the_role_at_the_top_of_the_responses_file() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cl")).unwrap();
    std::fs::write(
        dir.path().join("cl/one.toml"),
        "id = \"one\"\nversion = \"1\"\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"q\"\ntext = \"Do we greet every visitor?\"\n",
    )
    .unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_selfaudit"));
    cmd.current_dir(dir.path())
        .args([
            "--checklists",
            "cl",
            "run",
            "one",
            "--respondent",
            "Ann Lee",
        ])
        .args(["--period", "2026-Q4", "--role", " staff "])
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut s = expectrl::Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    s.expect("Do we greet every visitor?").unwrap();
    s.send("yes\r").unwrap();
    s.expect("Saved responses/2026-Q4/ann-lee.toml").unwrap();
    s.expect(expectrl::Eof).unwrap();
    let text = std::fs::read_to_string(dir.path().join("responses/2026-Q4/ann-lee.toml")).unwrap();
    assert!(
        text.contains("period = \"2026-Q4\"\nrole = \"staff\"\n"),
        "{text}"
    );
    let out = selfaudit()
        .current_dir(dir.path())
        .env_remove("SELFAUDIT_TEAM")
        .args([
            "--checklists",
            "cl",
            "report",
            "responses/2026-Q4",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(group(&r, "staff")["n"], 1);
}

#[test]
fn hostile_titles_and_names_stay_text_in_every_format() {
    let dir = temp_team(&[
        (
            "team.toml",
            "[roles]\n\"<b>\" = \"<img src=x onerror=alert(1)> | @org/team #12\"\nstaff = \"Staff\\u001b[31m\"\n\n[[people]]\nname = \"Eve\\u001b]0;pwn\\u0007 <script>\"\nrole = \"<b>\"\n[[people]]\nname = \"A\"\nrole = \"staff\"\n[[people]]\nname = \"B\"\nrole = \"<b>\"\n",
        ),
        (
            "r/a.toml",
            "respondent = \"A\"\nperiod = \"Q\"\n[answers.t]\nx = \"no\"\n",
        ),
        (
            "r/b.toml",
            "respondent = \"B\"\nperiod = \"Q\"\n[answers.t]\nx = \"yes\"\n",
        ),
    ]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    let out = |format: &str| {
        let out = selfaudit()
            .current_dir(dir.path())
            .env_remove("SELFAUDIT_TEAM")
            .arg("--checklists")
            .arg(&checklists)
            .args(["report", "r", "--format", format])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let html = out("html");
    common::assert_self_contained(&html);
    assert!(!html.contains("<img") && !html.contains("<script>") && !html.contains("<b>"));
    let doc = scraper::Html::parse_document(&html);
    let line = common::one(doc.root_element(), "ol.gaps li svg.dots");
    assert!(
        line.value()
            .attr("aria-label")
            .unwrap()
            .contains("<img src=x")
    );
    for format in ["table", "markdown", "html"] {
        let text = out(format);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: {text:?}"
        );
    }
}

/// Every group figure of the bike shop equals the report of that group's files alone.
#[test]
fn each_bike_shop_group_is_the_report_of_its_members_alone() {
    let root = env!("CARGO_MANIFEST_DIR");
    let json = |args: &[&str]| -> Value {
        let out = selfaudit()
            .current_dir(root)
            .env_remove("SELFAUDIT_TEAM")
            .args(["--checklists", "checklists", "report"])
            .args(args)
            .args(["--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    let q4 = "examples/responses/2026-Q4";
    let team = json(&[q4, "--team", "examples/team.toml"]);
    assert_eq!(
        team["response_rate"],
        serde_json::json!({ "expected": 6, "answered": 5, "missing": ["Lucy Nguyen"] })
    );
    let staff: Vec<String> = ["dev-patel", "ollie-mensah", "sofia-rossi", "tom-becker"]
        .iter()
        .map(|n| format!("{q4}/{n}.toml"))
        .collect();
    let owner = [format!("{q4}/helen-carter.toml")];
    for (role, files) in [("staff", &staff[..]), ("owner", &owner[..])] {
        let args: Vec<&str> = files.iter().map(String::as_str).collect();
        let alone = json(&args);
        let g = group(&team, role);
        assert_eq!(g["n"].as_u64(), Some(files.len() as u64));
        close(&g["score"], alone["score"].as_f64().unwrap());
        for (gc, c) in g["checklists"]
            .as_array()
            .unwrap()
            .iter()
            .zip(alone["checklists"].as_array().unwrap())
        {
            assert_eq!(gc["id"], c["id"]);
            close(&gc["score"], c["score"].as_f64().unwrap());
            let sections = c["sections"].as_array().unwrap();
            for (gs, s) in gc["sections"].as_array().unwrap().iter().zip(sections) {
                assert_eq!(
                    (&gs["id"], gs["score"].as_f64().is_some()),
                    (&s["id"], s["score"].as_f64().is_some())
                );
                if let Some(x) = s["score"].as_f64() {
                    close(&gs["score"], x);
                }
            }
            let items: Vec<&Value> = sections
                .iter()
                .flat_map(|s| s["items"].as_array().unwrap())
                .collect();
            assert_eq!(gc["items"].as_array().unwrap().len(), items.len());
            for (gi, i) in gc["items"].as_array().unwrap().iter().zip(items) {
                assert_eq!((&gi["id"], &gi["n"]), (&i["id"], &i["n"]));
                match i["score"].as_f64() {
                    Some(x) => close(&gi["score"], x),
                    None => assert_eq!(gi["score"], Value::Null),
                }
            }
        }
    }
}

#[test]
fn a_team_list_inside_the_responses_folder_is_not_read_as_responses() {
    let dir = temp_team(&[
        (
            "team.toml",
            "[[people]]\nname = \"A\"\n[[people]]\nname = \"B\"\n",
        ),
        (
            "a.toml",
            "respondent = \"A\"\nperiod = \"Q\"\n[answers.t]\nx = \"yes\"\n",
        ),
    ]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    for team in [None, Some("./team.toml")] {
        let mut cmd = selfaudit();
        cmd.current_dir(dir.path())
            .env_remove("SELFAUDIT_TEAM")
            .arg("--checklists")
            .arg(&checklists)
            .args(["report", ".", "--format", "json"]);
        if let Some(t) = team {
            cmd.args(["--team", t]);
        }
        let out = cmd.assert().success().get_output().stdout.clone();
        let r: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(r["respondents"], serde_json::json!(["A"]));
        assert_eq!(r["response_rate"]["missing"], serde_json::json!(["B"]));
    }
}

#[test]
fn a_list_of_roles_only_expects_nobody_and_the_gate_fails_on_it() {
    let dir = temp_team(&[
        ("team.toml", "[roles]\nstaff = \"Floor staff\"\n"),
        (
            "r/a.toml",
            "respondent = \"A\"\nperiod = \"Q\"\nrole = \"staff\"\n[answers.t]\nx = \"yes\"\n",
        ),
    ]);
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DIR)
        .join("checklists");
    selfaudit()
        .current_dir(dir.path())
        .env_remove("SELFAUDIT_TEAM")
        .arg("--checklists")
        .arg(&checklists)
        .args(["report", "r", "--format", "json", "-o", "r.json"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "not on the team list team.toml, scored all the same: A",
        ));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(
        r["response_rate"],
        serde_json::json!({ "expected": 0, "answered": 0, "missing": [] })
    );
    assert_eq!(group(&r, "staff")["title"], "Floor staff");
    selfaudit()
        .current_dir(dir.path())
        .args(["diff", "r.json", "r.json", "--min-response-rate", "0"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("the team list of Q names nobody"));
}
