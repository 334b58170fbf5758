//! Actions and targets (SPEC §12) end to end: the file's errors, reports in every format, diff
//! with its means and gates, and `plan`'s proposals kept idempotent.

use crate::common;

use std::path::{Path, PathBuf};

use common::selfaudit;
use serde_json::Value;

/// 2026-11-22T09:00:00Z and 2026-08-20T09:00:00Z.
const Q4_EPOCH: &str = "1795338000";
const Q3_EPOCH: &str = "1787216400";

const CHECKLIST: &str = r#"id = "shop"
title = "Shop"
version = "2"

[renamed]
old-calls = "calls"

[[sections]]
id = "speed"
title = "Speed"

[[sections.items]]
id = "calls"
text = "Do we return calls?"
critical = true

[[sections.items]]
id = "orders"
text = "Do orders ship on time?"

[[sections]]
id = "care"
title = "Care"

[[sections.items]]
id = "thanks"
text = "Do we say thank you?"

[[sections.items]]
id = "listen"
text = "Do we listen?"
"#;

/// A folder with the checklist, two quarters of answers and their JSON reports.
/// Q3: calls 0, orders 50, thanks 50, listen 100 (speed 25, care 75, shop 50).
/// Q4: calls 50, orders 100, thanks 50, listen 50 (speed 75, care 50, shop 62.5).
struct Shop {
    dir: tempfile::TempDir,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("checklists")).unwrap();
        std::fs::write(root.join("checklists/shop.toml"), CHECKLIST).unwrap();
        let answers = [
            ("2026-Q3", "ann", ["no", "yes", "no", "yes"]),
            ("2026-Q3", "bob", ["no", "no", "yes", "yes"]),
            ("2026-Q4", "ann", ["yes", "yes", "no", "yes"]),
            ("2026-Q4", "bob", ["no", "yes", "yes", "no"]),
        ];
        for (period, who, a) in answers {
            let folder = root.join("responses").join(period);
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join(format!("{who}.toml")),
                format!(
                    "respondent = \"{who}\"\nperiod = \"{period}\"\n[answers.shop]\ncalls = \"{}\"\norders = \"{}\"\nthanks = \"{}\"\nlisten = \"{}\"\n",
                    a[0], a[1], a[2], a[3]
                ),
            )
            .unwrap();
        }
        let shop = Shop { dir };
        for (period, epoch) in [("2026-Q3", Q3_EPOCH), ("2026-Q4", Q4_EPOCH)] {
            shop.cmd()
                .env("SOURCE_DATE_EPOCH", epoch)
                .args(["report", &format!("responses/{period}"), "--format", "json"])
                .args(["-o", &format!("{period}.json")])
                .assert()
                .success();
        }
        shop
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = selfaudit();
        cmd.current_dir(self.dir.path())
            .env("SOURCE_DATE_EPOCH", Q4_EPOCH);
        cmd
    }

    /// Runs with `args`, expects `code`, returns stdout and stderr.
    fn run(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.cmd().args(args).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\n{stdout}\n{stderr}"
        );
        (stdout, stderr)
    }

    fn json(&self, args: &[&str]) -> Value {
        let (out, _) = self.run(args, 0);
        serde_json::from_str(&out).unwrap()
    }
}

const ACTIONS: &str = r#"# decided in Q3
[[actions]]
id = "callback-owner"
item = "shop/old-calls"          # an old id: shown under the current one
what = "Name one person who owns the callbacks"
owner = "Sofia Rossi"
opened = "2026-Q3"
due = 2026-11-22
status = "done"

[[actions]]
id = "ship-list"
item = "shop/orders"
what = "A shipping list at the till"
opened = "2026-Q3"
due = 2026-11-21

[[actions]]
id = "listen-course"
section = "shop/care"
what = "A listening course"
owner = "Tom Becker"
opened = "2026-Q3"
due = 2026-11-22
status = "doing"

[[actions]]
id = "thank-cards"
item = "shop/thanks"
what = "Thank-you cards"
opened = "2026-Q3"
due = 2026-01-01
status = "dropped"

[[targets]]
checklist = "shop"
score = 62.5
due = 2026-11-01

[[targets]]
section = "shop/speed"
score = 80
due = 2026-11-21

[[targets]]
item = "shop/old-calls"
score = 100
"#;

#[test]
fn the_json_report_lists_actions_and_targets_as_the_spec_shapes_them() {
    let shop = Shop::new();
    shop.write("actions.toml", ACTIONS);
    let r = shop.json(&[
        "report",
        "responses/2026-Q4",
        "--format",
        "json",
        "--baseline",
        "2026-Q3.json",
    ]);
    assert_eq!(r["generated"], "2026-11-22T09:00:00Z");
    let actions = r["actions"].as_array().unwrap();
    // By where the part sits, open ones first within a part.
    let ids: Vec<&str> = actions.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "callback-owner",
            "ship-list",
            "listen-course",
            "thank-cards"
        ]
    );
    assert_eq!(
        actions[0],
        serde_json::json!({
            "id": "callback-owner", "item": "shop/calls",
            "what": "Name one person who owns the callbacks", "owner": "Sofia Rossi",
            "opened": "2026-Q3", "due": "2026-11-22", "status": "done", "overdue": false,
            "score": 50.0
        })
    );
    // Due the day before the report's date, still open: overdue. Due on the day: not yet.
    assert_eq!(actions[1]["overdue"], true);
    assert_eq!(actions[1]["owner"], Value::Null);
    assert_eq!(actions[1]["status"], "open");
    assert_eq!(actions[2]["section"], "shop/care");
    assert_eq!(actions[2]["overdue"], false);
    assert_eq!(actions[2]["score"], 50.0);
    // Dropped long ago: never overdue.
    assert_eq!(actions[3]["overdue"], false);

    let t = r["targets"].as_array().unwrap();
    assert_eq!(t.len(), 3);
    // 62.5 reached exactly: met, so not overdue although its date has passed.
    assert_eq!(
        (
            &t[0]["checklist"],
            &t[0]["now"],
            &t[0]["met"],
            &t[0]["overdue"]
        ),
        (&"shop".into(), &62.5.into(), &true.into(), &false.into())
    );
    // progress = (62.5 − 50) / (62.5 − 50) = 1.
    assert_eq!(t[0]["then"], 50.0);
    assert_eq!(t[0]["progress"], 1.0);
    // speed: 25 → 75 of 80, due the day before: overdue; progress 50 / 55.
    assert_eq!(t[1]["section"], "shop/speed");
    assert_eq!(t[1]["met"], false);
    assert_eq!(t[1]["overdue"], true);
    assert_eq!(t[1]["progress"].as_f64(), Some(50.0 / 55.0));
    // calls, by its old id: 0 → 50 of 100, no due date: never overdue.
    assert_eq!(t[2]["item"], "shop/calls");
    assert_eq!(t[2]["progress"], 0.5);
    assert_eq!(t[2]["overdue"], false);

    // The report reads back (diff, trend, --baseline) with its actions and targets, unchanged.
    let (text, _) = shop.run(
        &[
            "report",
            "responses/2026-Q4",
            "--format",
            "json",
            "--baseline",
            "2026-Q3.json",
        ],
        0,
    );
    let back: selfaudit::model::report::Report =
        selfaudit::model::report::Report::parse(&selfaudit::model::Source {
            name: "r.json",
            text: &text,
        })
        .unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(selfaudit::render::json::to_json(&back), text);
    shop.write("with-actions.json", &text);
    shop.run(&["diff", "with-actions.json", "with-actions.json"], 0);

    // Without a baseline, no then and no progress.
    let r = shop.json(&["report", "responses/2026-Q4", "--format", "json"]);
    assert_eq!(r["targets"][0]["then"], Value::Null);
    assert_eq!(r["targets"][0]["progress"], Value::Null);
    // Without an actions file, no fields at all.
    std::fs::remove_file(shop.path("actions.toml")).unwrap();
    let r = shop.json(&["report", "responses/2026-Q4", "--format", "json"]);
    assert!(r.get("actions").is_none() && r.get("targets").is_none());
}

#[test]
fn progress_is_null_when_then_equals_the_target() {
    let shop = Shop::new();
    shop.write(
        "a.toml",
        "[[targets]]\nsection = \"shop/care\"\nscore = 75\n[[targets]]\nitem = \"shop/listen\"\nscore = 90\n",
    );
    let r = shop.json(&[
        "report",
        "responses/2026-Q4",
        "--actions",
        "a.toml",
        "--baseline",
        "2026-Q3.json",
        "--format",
        "json",
    ]);
    assert_eq!(r["targets"][0]["then"], 75.0);
    assert_eq!(r["targets"][0]["progress"], Value::Null);
    // listen: 100 → 50, aiming at 90: (50 − 100) / (90 − 100) = 5.
    assert_eq!(r["targets"][1]["progress"], 5.0);
}

#[test]
fn baseline_is_accepted_by_every_report_format() {
    let shop = Shop::new();
    shop.write("actions.toml", ACTIONS);
    for format in ["table", "json", "markdown", "html"] {
        let (out, _) = shop.run(
            &[
                "report",
                "responses/2026-Q4",
                "--baseline",
                "2026-Q3.json",
                "--format",
                format,
            ],
            0,
        );
        let shown = if format == "json" {
            "0.9090909"
        } else {
            "90.9"
        };
        assert!(out.contains(shown), "{format}: progress 50/55 shown\n{out}");
    }
}

#[test]
fn a_bad_actions_file_stops_the_report_with_its_place_and_a_hint() {
    let shop = Shop::new();
    shop.write(
        "bad.toml",
        "[[actions]]\nid = \"a\"\nitem = \"shop/nothing\"\nwhat = \"w\"\nopened = \"Q3\"\n",
    );
    let (_, err) = shop.run(&["report", "responses/2026-Q4", "--actions", "bad.toml"], 2);
    assert!(
        err.starts_with("error: bad.toml:3:8: unknown item `nothing` in checklist `shop`\n  hint: the items of `shop` are `calls`, `orders`, `thanks`, `listen`\n"),
        "{err}"
    );
    let (_, err) = shop.run(
        &["report", "responses/2026-Q4", "--actions", "none.toml"],
        2,
    );
    assert!(err.starts_with("error: none.toml: no such file"), "{err}");
    // ./actions.toml is found without the flag, and checked the same way.
    shop.write("actions.toml", "[[actions]]\nid = \"a\"\n");
    let (_, err) = shop.run(&["report", "responses/2026-Q4"], 2);
    assert!(
        err.starts_with("error: actions.toml:1:1: missing field `item`")
            || err.starts_with("error: actions.toml:1:1: missing field"),
        "{err}"
    );
}

#[test]
fn validate_tells_an_actions_file_by_its_keys_and_checks_it() {
    let shop = Shop::new();
    shop.write("actions.toml", ACTIONS);
    shop.write(
        "bad-actions.toml",
        "[[targets]]\nchecklist = \"shop\"\nscore = 101\n",
    );
    let (out, err) = shop.run(&["validate", "actions.toml", "bad-actions.toml"], 1);
    assert!(
        out.contains("actions.toml: ok (actions file, 4 actions, 3 targets)"),
        "{out}"
    );
    assert!(
        err.contains("bad-actions.toml:3:9: target score 101 is not between 0 and 100"),
        "{err}"
    );
    // Against a checklist named in the same run.
    shop.write(
        "other.toml",
        "id = \"other\"\nversion = \"1\"\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"i\"\ntext = \"?\"\n",
    );
    shop.write(
        "on-other.toml",
        "[[actions]]\nid = \"a\"\nitem = \"other/i\"\nwhat = \"w\"\nopened = \"Q\"\n",
    );
    shop.run(&["validate", "other.toml", "on-other.toml"], 0);
}

fn diff_json(shop: &Shop, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["diff", "2026-Q3.json", "2026-Q4.json", "--format", "json"];
    args.extend_from_slice(extra);
    let (out, _) = shop.run(&args, code);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn diff_gives_each_action_its_delta_and_the_done_versus_others_means() {
    let shop = Shop::new();
    shop.write("a.toml", ACTIONS);
    let d = diff_json(&shop, &["--actions", "a.toml"], 0);
    let a = &d["actions"];
    assert_eq!(a["as_of"], "2026-11-22");
    let calls = &a["actions"][0];
    assert_eq!(calls["item"], "shop/calls");
    assert_eq!(
        (&calls["base"], &calls["new"], &calls["delta"]),
        (&0.0.into(), &50.0.into(), &50.0.into())
    );
    let care = &a["actions"][2];
    assert_eq!(care["section"], "shop/care");
    assert_eq!(care["delta"], -25.0);
    // Done covers calls only (+50); the others are orders +50, thanks 0, listen −50: mean 0.
    assert_eq!(a["done"], serde_json::json!({"n": 1, "mean": 50.0}));
    assert_eq!(a["others"], serde_json::json!({"n": 3, "mean": 0.0}));
    assert_eq!(
        a["summary"],
        "items with a finished action rose 50.0 points; the others did not change"
    );
    // A done action on a section counts its items: care's thanks (0) and listen (−50).
    shop.write(
        "b.toml",
        "[[actions]]\nid = \"x\"\nsection = \"shop/care\"\nwhat = \"w\"\nopened = \"Q3\"\nstatus = \"done\"\n",
    );
    let d = diff_json(&shop, &["--actions", "b.toml"], 0);
    assert_eq!(
        d["actions"]["done"],
        serde_json::json!({"n": 2, "mean": -25.0})
    );
    assert_eq!(
        d["actions"]["others"],
        serde_json::json!({"n": 2, "mean": 50.0})
    );
    assert_eq!(
        d["actions"]["summary"],
        "items with a finished action fell 25.0 points; the others rose 50.0 points"
    );
    // No actions file: no field, and the gates need one.
    let d = diff_json(&shop, &[], 0);
    assert!(d.get("actions").is_none());
    let (_, err) = shop.run(
        &["diff", "2026-Q3.json", "2026-Q4.json", "--fail-on-overdue"],
        2,
    );
    assert!(err.contains("need an actions file"), "{err}");
}

fn gate<'v>(d: &'v Value, name: &str) -> &'v Value {
    d["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == name)
        .unwrap_or_else(|| panic!("no gate {name}: {d}"))
}

fn one_action(due: &str, status: &str) -> String {
    format!(
        "[[actions]]\nid = \"a\"\nitem = \"shop/orders\"\nwhat = \"w\"\nopened = \"Q3\"\ndue = {due}\nstatus = \"{status}\"\n"
    )
}

#[test]
fn fail_on_overdue_holds_on_the_due_date_and_trips_the_day_after() {
    let shop = Shop::new();
    // NEW was generated on 2026-11-22.
    for (due, status, passed) in [
        ("2026-11-22", "open", true),
        ("2026-11-21", "open", false),
        ("2026-11-21", "doing", false),
        ("2026-11-21", "done", true),
        ("2026-11-21", "dropped", true),
        ("2027-01-01", "open", true),
    ] {
        shop.write("a.toml", &one_action(due, status));
        let d = diff_json(
            &shop,
            &["--actions", "a.toml", "--fail-on-overdue"],
            if passed { 0 } else { 1 },
        );
        let g = gate(&d, "fail-on-overdue");
        assert_eq!(g["passed"], passed, "{due} {status}: {g}");
        assert_eq!(d["passed"], passed);
        if !passed {
            assert_eq!(
                g["detail"],
                "1 action is overdue as of 2026-11-22: a (due 2026-11-21)"
            );
            assert_eq!(g["items"], serde_json::json!(["a"]));
        }
    }
    // Without the flag, an overdue action fails nothing.
    shop.write("a.toml", &one_action("2026-11-21", "open"));
    diff_json(&shop, &["--actions", "a.toml"], 0);
}

#[test]
fn fail_below_target_holds_at_the_target_and_trips_just_below_it() {
    let shop = Shop::new();
    // shop is at 62.5 in NEW, generated 2026-11-22.
    for (score, due, passed) in [
        ("62.5", Some("2026-11-21"), true),
        ("62.50000000001", Some("2026-11-21"), true),
        ("62.51", Some("2026-11-21"), false),
        ("62.51", Some("2026-11-22"), true),
        ("100", None, true),
    ] {
        let due = due.map(|d| format!("due = {d}\n")).unwrap_or_default();
        shop.write(
            "a.toml",
            &format!("[[targets]]\nchecklist = \"shop\"\nscore = {score}\n{due}"),
        );
        let d = diff_json(
            &shop,
            &["--actions", "a.toml", "--fail-below-target"],
            if passed { 0 } else { 1 },
        );
        let g = gate(&d, "fail-below-target");
        assert_eq!(g["passed"], passed, "{score} {due}: {g}");
        if !passed {
            assert_eq!(
                g["detail"],
                "1 target is past due and not met as of 2026-11-22: shop at 62.5 of 62.51 (due 2026-11-21)"
            );
        }
    }
}

#[test]
fn the_new_gates_are_explained_in_every_diff_format() {
    let shop = Shop::new();
    shop.write("a.toml", ACTIONS);
    let args = [
        "diff",
        "2026-Q3.json",
        "2026-Q4.json",
        "--actions",
        "a.toml",
        "--fail-on-overdue",
        "--fail-below-target",
    ];
    for format in ["table", "markdown", "html", "json"] {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        let (out, err) = shop.run(&a, 1);
        // minijinja writes `/` as `&#x2f;`.
        let out = out.replace("&#x2f;", "/");
        assert!(
            out.contains("ship-list (due 2026-11-21)"),
            "{format}\n{out}"
        );
        assert!(
            out.contains("shop/speed at 75.0 of 80 (due 2026-11-21)"),
            "{format}"
        );
        // The table says it on standard output; the others on standard error too, for the log.
        if format != "table" {
            assert!(
                err.contains("gate failed: fail-on-overdue: 1 action is overdue as of 2026-11-22"),
                "{err}"
            );
        }
    }
}

#[test]
fn plan_keeps_every_byte_of_an_edited_file_and_adds_nothing_the_second_time() {
    let shop = Shop::new();
    // An edited file: comments, odd spacing, CRLF line ends, no final newline.
    let existing = "# Our plan   \r\n[[actions]]\r\nid   =   \"ship-list\"  # kept\r\nitem = \"shop/old-calls\"\r\nwhat = 'Callbacks \"owned\"'\r\nopened = \"2026-Q3\"\r\n\r\n[[targets]]\r\nchecklist = \"shop\"\r\nscore = 70";
    shop.write("actions.toml", existing);
    let (first, _) = shop.run(&["plan", "2026-Q4.json"], 0);
    assert!(first.starts_with(existing), "{first}");
    // calls has an open action (by its old id); the rest are proposed: thanks and listen are
    // among the weakest, orders too, all of them scored.
    assert!(!first.contains("# proposal: shop/calls\n"), "{first}");
    for item in ["orders", "thanks", "listen"] {
        assert_eq!(
            first.matches(&format!("# proposal: shop/{item}\n")).count(),
            1,
            "{first}"
        );
    }
    // Written to a file, then planned again over it: the same bytes.
    shop.run(&["plan", "2026-Q4.json", "-o", "actions.toml"], 0);
    assert_eq!(
        std::fs::read_to_string(shop.path("actions.toml")).unwrap(),
        first
    );
    let (second, _) = shop.run(&["plan", "2026-Q4.json", "-o", "-"], 0);
    assert_eq!(second, first);
    // A named file that does not exist yet is where plan starts, from nothing.
    let (fresh, _) = shop.run(
        &[
            "plan",
            "2026-Q4.json",
            "--actions",
            "new.toml",
            "-o",
            "new.toml",
        ],
        0,
    );
    assert!(fresh.is_empty());
    let made = std::fs::read_to_string(shop.path("new.toml")).unwrap();
    assert!(
        made.starts_with("# actions.toml: what the team decided"),
        "{made}"
    );
    shop.run(
        &[
            "plan",
            "2026-Q4.json",
            "--actions",
            "new.toml",
            "-o",
            "new.toml",
        ],
        0,
    );
    assert_eq!(
        std::fs::read_to_string(shop.path("new.toml")).unwrap(),
        made
    );
    // --top 1 proposes only the weakest (and critical and split items).
    std::fs::remove_file(shop.path("actions.toml")).unwrap();
    let (top1, _) = shop.run(&["plan", "2026-Q4.json", "--top", "1"], 0);
    // calls is critical (and the weakest by report order); thanks and listen are split.
    assert_eq!(top1.matches("# proposal: ").count(), 3, "{top1}");
    assert!(!top1.contains("# proposal: shop/orders\n"), "{top1}");
}

#[test]
fn plan_refuses_an_actions_file_that_does_not_match_the_report() {
    let shop = Shop::new();
    shop.write(
        "a.toml",
        "[[actions]]\nid = \"a\"\nitem = \"shop/gone\"\nwhat = \"w\"\nopened = \"Q\"\n",
    );
    let (_, err) = shop.run(&["plan", "2026-Q4.json", "--actions", "a.toml"], 2);
    assert!(
        err.starts_with("error: a.toml:3:8: unknown item `gone`"),
        "{err}"
    );
    // The file is untouched by a failed plan.
    assert!(
        std::fs::read_to_string(shop.path("a.toml"))
            .unwrap()
            .contains("gone")
    );
}

#[test]
fn user_text_of_actions_is_inert_in_markdown_and_html() {
    let shop = Shop::new();
    shop.write(
        "a.toml",
        "[[actions]]\nid = \"a\"\nitem = \"shop/orders\"\nwhat = \"# Heading <script>alert(1)</script> [x](http://evil) @team #12\"\nowner = \"*Bob* | `x`\"\nopened = \"Q3\"\n",
    );
    let (md, _) = shop.run(
        &[
            "report",
            "responses/2026-Q4",
            "--actions",
            "a.toml",
            "--format",
            "markdown",
        ],
        0,
    );
    assert!(!md.contains("<script>"), "{md}");
    // Brackets escaped, and the URL broken by an invisible joiner so that GitHub links nothing.
    assert!(md.contains("\\[x\\](http:\u{2060}//evil)"), "{md}");
    assert!(!md.contains("](http://evil)"), "{md}");
    assert!(md.contains("@\u{2060}team #\u{2060}12"), "{md}");
    assert!(md.contains("\\*Bob\\* \\| \\`x\\`"), "{md}");
    let (html, _) = shop.run(
        &[
            "report",
            "responses/2026-Q4",
            "--actions",
            "a.toml",
            "--format",
            "html",
        ],
        0,
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;"));
    common::assert_self_contained(&html);
}

/// Outputs with their dates fixed, for snapshots.
fn outputs(shop: &Shop) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for format in ["table", "json", "markdown"] {
        let (text, _) = shop.run(
            &[
                "report",
                "responses/2026-Q4",
                "--baseline",
                "2026-Q3.json",
                "--format",
                format,
            ],
            0,
        );
        out.push((format!("report.{format}"), text));
        let (text, _) = shop.run(
            &[
                "diff",
                "2026-Q3.json",
                "2026-Q4.json",
                "--fail-on-overdue",
                "--fail-below-target",
                "--format",
                format,
            ],
            1,
        );
        out.push((format!("diff.{format}"), text));
    }
    out
}

#[test]
fn snapshots_of_every_format() {
    let shop = Shop::new();
    shop.write("actions.toml", ACTIONS);
    for (name, text) in outputs(&shop) {
        insta::assert_snapshot!(name, text);
    }
    // HTML: the actions panel and the target ticks, which are all this issue adds.
    let (html, _) = shop.run(
        &[
            "report",
            "responses/2026-Q4",
            "--baseline",
            "2026-Q3.json",
            "--format",
            "html",
        ],
        0,
    );
    let panel = section(&html, "<section class=\"panel actions\"");
    insta::assert_snapshot!("report.html.actions", panel);
    assert_eq!(
        html.matches("<line class=\"target\"").count(),
        3,
        "shop on its card and its overview row, speed on its card"
    );
    // Each action also sits under its own item, section or checklist.
    let doc = scraper::Html::parse_document(&html);
    let item_sel = common::sel("li.item");
    let under = |text: &str| -> Vec<String> {
        doc.select(&item_sel)
            .find(|li| common::text(common::one(*li, ".item-text")) == text)
            .unwrap_or_else(|| panic!("no item {text}"))
            .select(&common::sel(".part-actions code"))
            .map(common::text)
            .collect()
    };
    assert_eq!(under("Do we return calls?"), ["callback-owner"]);
    assert_eq!(under("Do orders ship on time?"), ["ship-list"]);
    assert_eq!(under("Do we listen?"), Vec::<String>::new());
    // An item's target beside its score (items have no bar to tick).
    let targets: Vec<String> = doc
        .select(&common::sel(".item-target"))
        .map(common::text)
        .collect();
    assert_eq!(targets, ["target 100.0"]);
    let care: Vec<String> = doc
        .select(&common::sel("section.section"))
        .find(|s| {
            s.select(&common::sel("h3 > span"))
                .next()
                .map(common::text)
                .as_deref()
                == Some("Care")
        })
        .unwrap_or_else(|| panic!("no section Care"))
        .select(&common::sel("h3 + .part-actions code"))
        .map(common::text)
        .collect();
    assert_eq!(care, ["listen-course"]);
    let (html, _) = shop.run(
        &["diff", "2026-Q3.json", "2026-Q4.json", "--format", "html"],
        0,
    );
    insta::assert_snapshot!(
        "diff.html.actions",
        section(&html, "<section class=\"panel actions\"")
    );
}

fn section(html: &str, start: &str) -> String {
    let i = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let end = html[i..].find("</section>").unwrap() + i + "</section>".len();
    html[i..end].to_string()
}

#[test]
fn the_example_actions_are_valid_against_the_shipped_checklists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    selfaudit()
        .current_dir(root)
        .args([
            "--checklists",
            "checklists",
            "validate",
            "examples/actions.toml",
        ])
        .assert()
        .code(0);
}
