//! Regression tests for the defects the reviewers found (one section per defect).

use std::path::Path;

use crate::common::selfaudit;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs in `dir`, returns (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = selfaudit();
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const ONE_ITEM: &str = "id=\"c\"\ntitle=\"C\"\nversion=\"1\"\n[[sections]]\nid=\"s\"\ntitle=\"S\"\n[[sections.items]]\nid=\"a\"\ntext=\"A?\"\n";

fn response(name: &str, role: &str, answers: &[(&str, &str)]) -> String {
    let mut s = format!("respondent = \"{name}\"\nperiod = \"P\"\n");
    if !role.is_empty() {
        s += &format!("role = \"{role}\"\n");
    }
    s += "[answers.c]\n";
    for (k, v) in answers {
        s += &format!("{k} = \"{v}\"\n");
    }
    s
}

// A6: SOURCE_DATE_EPOCH accepts 0..=253402300799 and refuses the rest naming the range.
#[test]
fn source_date_epoch_range_is_whole_years_0_to_9999() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cl/c.toml", ONE_ITEM);
    write(dir.path(), "r/a.toml", &response("A", "", &[("a", "yes")]));
    let args = ["--checklists", "cl", "report", "r", "-f", "json"];
    for (secs, generated) in [
        ("0", "1970-01-01T00:00:00Z"),
        ("253402300799", "9999-12-31T23:59:59Z"),
    ] {
        let (code, out, err) = run_in(dir.path(), &args, &[("SOURCE_DATE_EPOCH", secs)]);
        assert_eq!(code, 0, "{secs}: {err}");
        assert!(
            out.contains(&format!("\"generated\": \"{generated}\"")),
            "{out}"
        );
    }
    for secs in ["-1", "-99999999999", "253402300800", "99999999999999"] {
        let (code, out, err) = run_in(dir.path(), &args, &[("SOURCE_DATE_EPOCH", secs)]);
        assert_eq!(code, 2, "{secs} accepted: {out}");
        assert!(err.contains("0 to 253402300799"), "{secs}: {err}");
    }
}

// A5: a read-back report missing `score` at any level is exit 2, naming the field.
#[test]
fn read_back_report_missing_any_score_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cl/c.toml", ONE_ITEM);
    write(d, "r/a.toml", &response("Ann", "staff", &[("a", "yes")]));
    write(
        d,
        "actions.toml",
        "[[actions]]\nid = \"a1\"\nitem = \"c/a\"\nwhat = \"Do it\"\nopened = \"2026-01-01\"\nstatus = \"open\"\n\n[[targets]]\nitem = \"c/a\"\nscore = 90\n",
    );
    let (code, base, err) = run_in(
        d,
        &[
            "--checklists",
            "cl",
            "report",
            "r",
            "-f",
            "json",
            "--actions",
            "actions.toml",
        ],
        &[("SOURCE_DATE_EPOCH", "1767225600")],
    );
    assert_eq!(code, 0, "{err}");
    write(d, "base.json", &base);
    let json: serde_json::Value = serde_json::from_str(&base).unwrap();
    let paths: &[&[&str]] = &[
        &["groups", "0", "score"],
        &["groups", "0", "checklists", "0", "score"],
        &["groups", "0", "checklists", "0", "sections", "0", "score"],
        &["groups", "0", "checklists", "0", "items", "0", "score"],
        &["targets", "0", "now"],
        &["actions", "0", "score"],
        &["per_respondent", "0", "score"],
        &["checklists", "0", "sections", "0", "items", "0", "score"],
    ];
    for path in paths {
        let mut doc = json.clone();
        let mut at = &mut doc;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        let field = path[path.len() - 1];
        assert!(
            at.as_object_mut().unwrap().remove(field).is_some(),
            "no {path:?} in the report"
        );
        write(d, "cut.json", &serde_json::to_string_pretty(&doc).unwrap());
        for args in [
            &["diff", "base.json", "cut.json"][..],
            &["trend", "base.json", "cut.json"],
            &["plan", "cut.json"],
            &[
                "--checklists",
                "cl",
                "report",
                "r",
                "--baseline",
                "cut.json",
            ],
        ] {
            let (code, _, err) = run_in(d, args, &[]);
            assert_eq!(code, 2, "{path:?} missing, {args:?} gave {code}: {err}");
            assert!(err.contains(&format!("`{field}`")), "{path:?}: {err}");
        }
    }
}

// B3: the actions file `plan` writes from nothing (commented proposals only) validates.
#[test]
fn validate_accepts_plans_first_actions_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cl/c.toml", ONE_ITEM);
    write(d, "r/a.toml", &response("A", "", &[("a", "no")]));
    write(d, "r/b.toml", &response("B", "", &[("a", "no")]));
    let (code, _, err) = run_in(
        d,
        &[
            "--checklists",
            "cl",
            "report",
            "r",
            "-f",
            "json",
            "-o",
            "rep.json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run_in(
        d,
        &[
            "--checklists",
            "cl",
            "plan",
            "rep.json",
            "-o",
            "actions.toml",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(d.join("actions.toml")).unwrap();
    assert!(text.contains("# proposal: "), "{text}");
    let (code, out, err) = run_in(d, &["--checklists", "cl", "validate", "actions.toml"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("actions file") && out.contains("no actions"),
        "{out}"
    );
    // A truly empty file (or one of unrelated comments) keeps its message.
    write(d, "empty.toml", "# nothing here\n");
    let (code, _, err) = run_in(d, &["validate", "empty.toml"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("the file is empty"), "{err}");
}

/// The Answers sheet's rows, as text.
fn xlsx_answers(path: &Path) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range("Answers").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

// A1: anonymous answers (CSV and the XLSX sheet) show no role for members of withheld groups.
#[test]
fn anonymous_answers_hide_the_role_of_withheld_groups() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cl/c.toml", ONE_ITEM);
    write(d, "r/dan.toml", &response("Dan", "owner", &[("a", "no")]));
    for n in ["Ann", "Bob", "Cat"] {
        write(
            d,
            &format!("r/{n}.toml"),
            &response(n, "staff", &[("a", "yes")]),
        );
    }
    for extra in [&[][..], &["--min-group", "2"][..]] {
        let mut args = vec![
            "--checklists",
            "cl",
            "report",
            "r",
            "--anonymous",
            "-f",
            "answers-csv",
        ];
        args.extend_from_slice(extra);
        let (code, csv, err) = run_in(d, &args, &[]);
        assert_eq!(code, 0, "{err}");
        assert!(!csv.contains("owner"), "{csv}");
        assert_eq!(csv.matches(",staff,").count(), 3, "{csv}");
        let mut args = vec![
            "--checklists",
            "cl",
            "report",
            "r",
            "--anonymous",
            "-f",
            "xlsx",
            "-o",
            "w.xlsx",
        ];
        args.extend_from_slice(extra);
        let (code, _, err) = run_in(d, &args, &[]);
        assert_eq!(code, 0, "{err}");
        let rows = xlsx_answers(&d.join("w.xlsx"));
        assert_eq!(rows.len(), 5);
        assert!(!rows.iter().flatten().any(|c| c == "owner"), "{rows:?}");
        assert_eq!(rows.iter().flatten().filter(|c| *c == "staff").count(), 3);
    }
    // Named reports keep every role.
    let (_, csv, _) = run_in(
        d,
        &["--checklists", "cl", "report", "r", "-f", "answers-csv"],
        &[],
    );
    assert!(csv.contains(",owner,"), "{csv}");
}

// A2: anonymous numbering is independent of file names, whatever the tied rows differ in.
#[test]
fn anonymous_numbering_ignores_file_names_for_ties_in_role_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cl/c.toml", ONE_ITEM);
    let people = [
        response("Ann", "owner", &[("a", "yes")]),
        response("Bob", "staff", &[("a", "yes")]),
        "respondent = \"Cy\"\nperiod = \"P\"\nrole = \"staff\"\n[answers.c]\na = { choice = \"yes\", note = \"zz\" }\n".to_string(),
        "respondent = \"Di\"\nperiod = \"P\"\nrole = \"staff\"\n[answers.c]\na = { choice = \"yes\", note = \"aa\" }\n".to_string(),
        response("Ed", "", &[("a", "yes")]),
    ];
    let mut outputs = Vec::new();
    for rotation in 0..people.len() {
        let sub = format!("r{rotation}");
        for (i, text) in people.iter().enumerate() {
            let slot = (i + rotation) % people.len();
            write(d, &format!("{sub}/{slot}.toml"), text);
        }
        let mut per_run = Vec::new();
        for fmt in ["answers-csv", "json"] {
            let (code, out, err) = run_in(
                d,
                &[
                    "--checklists",
                    "cl",
                    "report",
                    &sub,
                    "--anonymous",
                    "--min-group",
                    "1",
                    "-f",
                    fmt,
                ],
                &[("SOURCE_DATE_EPOCH", "1767225600")],
            );
            assert_eq!(code, 0, "{err}");
            per_run.push(out);
        }
        outputs.push(per_run);
    }
    for o in &outputs[1..] {
        assert_eq!(o[0], outputs[0][0], "answers-csv depends on file names");
        assert_eq!(o[1], outputs[0][1], "the JSON report depends on file names");
    }
}

// B1: every §14 figure (se, moe, ci, alpha, rwg) is the same whatever order the files come in.
fn b1_checklist() -> &'static str {
    "id=\"c\"\ntitle=\"C\"\nversion=\"1\"\nscale=\"frequency\"\n\
     [[sections]]\nid=\"s\"\ntitle=\"S\"\nweight=0.7\n\
     [[sections.items]]\nid=\"i0\"\ntext=\"Q0\"\nweight=0.3\n\
     [[sections.items]]\nid=\"i1\"\ntext=\"Q1\"\nweight=1\n\
     [[sections]]\nid=\"t\"\ntitle=\"T\"\nweight=1.3\n\
     [[sections.items]]\nid=\"i2\"\ntext=\"Q2\"\nweight=0.11\n\
     [[sections.items]]\nid=\"i3\"\ntext=\"Q3\"\nweight=2.9\n"
}

fn b1_response(k: usize, seed: u64) -> String {
    const CHOICES: [&str; 6] = ["never", "rarely", "sometimes", "often", "always", "n/a"];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add((k as u64).wrapping_mul(1442695040888963407) | 1);
    let mut s = format!("respondent=\"R{k}\"\nperiod=\"P\"\n[answers.c]\n");
    for item in ["i0", "i1", "i2", "i3"] {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = (x >> 33) as usize % 8;
        if pick < CHOICES.len() {
            s += &format!("{item}=\"{}\"\n", CHOICES[pick]);
        }
    }
    s
}

fn b1_report(dir: &Path, files: &[String]) -> String {
    let mut args = vec!["--checklists", "cl", "report", "-f", "json", "--anonymous"];
    args.extend(files.iter().map(String::as_str));
    let (code, out, err) = run_in(dir, &args, &[("SOURCE_DATE_EPOCH", "1795348800")]);
    assert_eq!(code, 0, "{err}");
    out
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for at in 0..=p.len() {
            let mut q = p.clone();
            q.insert(at, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn stats_do_not_depend_on_the_order_of_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cl/c.toml", b1_checklist());
    // The reviewer's team.
    write(
        d,
        "cl/f.toml",
        "id=\"f\"\ntitle=\"F\"\nversion=\"1\"\nscale=\"frequency\"\n[[sections]]\nid=\"s\"\ntitle=\"S\"\n[[sections.items]]\nid=\"i0\"\ntext=\"Q0\"\nweight=0.3\n[[sections.items]]\nid=\"i1\"\ntext=\"Q1\"\nweight=1\n",
    );
    write(
        d,
        "f/r0.toml",
        "respondent=\"R0\"\nperiod=\"P\"\n[answers.f]\ni0=\"often\"\ni1=\"often\"\n",
    );
    write(
        d,
        "f/r1.toml",
        "respondent=\"R1\"\nperiod=\"P\"\n[answers.f]\ni0=\"rarely\"\ni1=\"never\"\n",
    );
    write(
        d,
        "f/r2.toml",
        "respondent=\"R2\"\nperiod=\"P\"\n[answers.f]\ni1=\"always\"\n",
    );
    let files: Vec<String> = (0..3).map(|k| format!("f/r{k}.toml")).collect();
    let first = b1_report(d, &files);
    for p in permutations(3) {
        let order: Vec<String> = p.iter().map(|&k| files[k].clone()).collect();
        assert_eq!(b1_report(d, &order), first, "order {p:?}");
    }
    // Small random teams, every order.
    for (team, size) in [(1u64, 3usize), (2, 4), (3, 4)] {
        let files: Vec<String> = (0..size)
            .map(|k| {
                let name = format!("t{team}/{k}.toml");
                write(d, &name, &b1_response(k, team));
                name
            })
            .collect();
        let first = b1_report(d, &files);
        for p in permutations(size) {
            let order: Vec<String> = p.iter().map(|&k| files[k].clone()).collect();
            assert_eq!(b1_report(d, &order), first, "team {team}, order {p:?}");
        }
    }
    // 40 respondents, a few orders: reversed and rotated/shuffled.
    let files: Vec<String> = (0..40)
        .map(|k| {
            let name = format!("big/{k}.toml");
            write(d, &name, &b1_response(k, 99));
            name
        })
        .collect();
    let first = b1_report(d, &files);
    let mut order = files.clone();
    order.reverse();
    assert_eq!(b1_report(d, &order), first, "reversed");
    for step in [7usize, 11, 13, 17] {
        let order: Vec<String> = (0..40)
            .map(|k| files[(k * step + 3) % 40].clone())
            .collect();
        assert_eq!(b1_report(d, &order), first, "step {step}");
    }
}

// A3: a file with 100k problems is located in one pass, not one scan per problem. The bound is
// generous (the quadratic scan took minutes on these inputs); the positions are checked too.
#[test]
fn a_hundred_thousand_problems_are_located_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cl/c.toml", ONE_ITEM);
    const N: usize = 100_000;
    let mut unknown = String::from("respondent=\"A\"\nperiod=\"P\"\n[answers.c]\n");
    let mut team = String::new();
    for i in 0..N {
        unknown += &format!("u{i}=\"yés\"\n");
        team += "[[people]]\nname = \"P\"\n";
    }
    write(d, "unk.toml", &unknown);
    write(d, "team.toml", &team);
    for (args, last) in [
        (
            &["--checklists", "cl", "validate", "unk.toml"][..],
            format!("unk.toml:{}:1", N + 3),
        ),
        (
            &["validate", "team.toml"][..],
            format!("team.toml:{}:", 2 * N),
        ),
    ] {
        let start = std::time::Instant::now();
        let (code, _, err) = run_in(d, args, &[]);
        let took = start.elapsed();
        assert_eq!(code, 1, "{args:?}");
        assert!(err.contains(&last), "{args:?}: no `{last}`");
        assert!(took.as_secs() < 60, "{args:?} took {took:?}");
    }
}

// B2: report's Items (CSV and XLSX) → import gives back every item text exactly.
#[test]
fn import_gives_back_the_exported_item_texts_verbatim() {
    let texts = [
        "'=already quoted",
        "'plain quote",
        "''+two quotes",
        "=1+1",
        "-minus",
        "@at",
        "  spaced both  ",
        "\tTabbed\t",
        "Do you smile? ",
        " 'space then quote",
    ];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut checklist = String::from(
        "id = \"h\"\ntitle = \"H\"\nversion = \"1\"\n[[sections]]\nid = \"s\"\ntitle = \"S\"\n",
    );
    for (i, t) in texts.iter().enumerate() {
        let quoted = toml::Value::String((*t).to_string()).to_string();
        checklist += &format!("[[sections.items]]\nid = \"i{i}\"\ntext = {quoted}\n");
    }
    write(d, "cl/h.toml", &checklist);
    write(
        d,
        "x.toml",
        "respondent=\"x\"\nperiod=\"P\"\n[answers.h]\ni0=\"yes\"\n",
    );
    for fmt in ["csv", "xlsx"] {
        let file = format!("items.{fmt}");
        let (code, _, err) = run_in(
            d,
            &[
                "--checklists",
                "cl",
                "report",
                "x.toml",
                "-f",
                fmt,
                "-o",
                &file,
            ],
            &[],
        );
        assert_eq!(code, 0, "{err}");
        let back = format!("back-{fmt}.toml");
        let (code, _, err) = run_in(d, &["import", &file, "--id", "h", "-o", &back], &[]);
        assert_eq!(code, 0, "{fmt}: {err}");
        let made: toml::Table = std::fs::read_to_string(d.join(&back))
            .unwrap()
            .parse()
            .unwrap();
        let got: Vec<String> = made["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["items"].as_array().unwrap().iter())
            .map(|i| i["text"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, texts, "{fmt}");
    }
}
