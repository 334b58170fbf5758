//! The hostile corpus of issue 9 (SPEC §9): one or more tests per class of defect, each
//! failing before the fix. Classes: 1 one writer, 2 anonymity, 3 Markdown, 4 paths, 5 output,
//! 6 cost, 7 numbers, 8 read-back, 9 readers agree, 10 identity, 11 printed commands,
//! 12 progress files, 13 terminal, 14 environment and edge inputs.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::selfaudit;
use selfaudit::text::{markdown_escape, shell_quote, terminal_safe};

// ── helpers ──────────────────────────────────────────────────────────────────────────────

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}

fn toml_str(s: &str) -> String {
    selfaudit::model::quote::toml_string(s)
}

/// A responses file for the built-in `be-sure` checklist.
fn be_sure(respondent: &str, answers: &[(&str, &str, Option<&str>)]) -> String {
    let mut out = format!(
        "respondent = {}\nperiod = \"2026-Q4\"\n[answers.be-sure]\n",
        toml_str(respondent)
    );
    for (item, choice, note) in answers {
        match note {
            Some(n) => out.push_str(&format!(
                "{item} = {{ choice = \"{choice}\", note = {} }}\n",
                toml_str(n)
            )),
            None => out.push_str(&format!("{item} = \"{choice}\"\n")),
        }
    }
    out
}

const BE_SURE_ITEMS: [&str; 6] = [
    "product-knowledge",
    "understand-expectations",
    "empowered",
    "desire-to-help",
    "sincere-interest",
    "respect-viewpoint",
];

fn stdout_of(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ── 3. Markdown that becomes markup ──────────────────────────────────────────────────────

/// User text a hostile respondent or checklist author could write.
const HOSTILE_MARKDOWN: &[&str] = &[
    "# x",
    "## heading",
    "###### six",
    "#hashtag",
    "1. fix the phones",
    "12) twelve",
    "2026. a year",
    "- item",
    "+ item",
    "* item",
    "> quote",
    ">quote",
    "    code",
    "\tcode",
    "```rust",
    "~~~",
    "---",
    "***",
    "___",
    "===",
    "- - -",
    "| a | b |",
    "a | b",
    "[link](http://evil.example)",
    "![img](x.png)",
    "[ref]: http://x.example",
    "[^1]",
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "<!-- c -->",
    "&amp; &copy; &#65;",
    "https://evil.example/x",
    "see http://x.example.",
    "ftp://files.example",
    "www.example.com",
    "WWW.EXAMPLE.COM",
    "(www.example.com)",
    "mail me: ann@example.com",
    "mailto:ann@example.com",
    "xmpp:ann@example.com",
    "<http://auto.link>",
    "<ann@example.com>",
    "@someone",
    "thanks @someone!",
    "cc @org/team please",
    "(@user)",
    "see #12",
    "#12",
    "owner/repo#12",
    "issue#12 fixed",
    "GH-42",
    "gh-7",
    "fixed in 1a2b3c4d",
    "commit deadbeef1234567890",
    "*emph* _emph_ **strong** ~~strike~~",
    "`code`",
    "$x^2$",
    "$$ math $$",
    "[ ] task",
    "[x] done",
    "\\",
    "a\\",
    "trailing  ",
    "line\nbreak\n# heading",
    "text\r\n- item",
    "\u{2028}# x",
    "\u{202E}# x",
    "  # indented",
    "x<y>z",
    "Setext\n===",
    "@@",
    "#",
    "@",
    "##12",
    "a@b.c",
    "user@sub.domain.org",
    ":+1:",
    "1\\. already escaped",
    "Ann Lee <ann@example.com>",
];

/// (context, the Markdown around the escaped text).
fn contexts(escaped: &str) -> Vec<(&'static str, String)> {
    vec![
        ("paragraph", format!("{escaped}\n")),
        ("list", format!("- {escaped}\n")),
        ("table", format!("| h |\n|---|\n| {escaped} |\n")),
        ("heading", format!("# {escaped}\n")),
        ("after-text", format!("Some text\n{escaped}\n")),
    ]
}

#[test]
fn markdown_escape_leaves_no_markup_under_commonmark() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    for hostile in HOSTILE_MARKDOWN {
        let escaped = markdown_escape(hostile);
        assert!(!escaped.contains(['\n', '\r']), "{hostile:?} → {escaped:?}");
        let literal = terminal_safe(hostile).trim().to_string();
        for (context, md) in contexts(&escaped) {
            let mut text = String::new();
            let mut options = Options::empty();
            options.insert(Options::ENABLE_TABLES);
            options.insert(Options::ENABLE_STRIKETHROUGH);
            options.insert(Options::ENABLE_TASKLISTS);
            options.insert(Options::ENABLE_FOOTNOTES);
            options.insert(Options::ENABLE_MATH);
            for event in Parser::new_ext(&md, options) {
                match event {
                    Event::Text(t) => text.push_str(&t),
                    Event::Start(tag) => {
                        let allowed = match context {
                            "paragraph" | "after-text" => matches!(tag, Tag::Paragraph),
                            "list" => matches!(tag, Tag::List(None) | Tag::Item),
                            "table" => matches!(
                                tag,
                                Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell
                            ),
                            _ => matches!(tag, Tag::Heading { .. }),
                        };
                        assert!(allowed, "{context}: {hostile:?} made {tag:?} in {md:?}");
                    }
                    Event::End(_) | Event::SoftBreak => {}
                    other => panic!("{context}: {hostile:?} made {other:?} in {md:?}"),
                }
            }
            let shown = text.replace(selfaudit::text::MARKDOWN_BREAK, "");
            assert!(
                shown.contains(&literal),
                "{context}: {hostile:?} shows as {shown:?}"
            );
        }
    }
}

/// What GitHub would link after rendering (mentions, references, commits, bare URLs): the
/// escaped text must break each with an invisible joiner.
#[test]
fn markdown_escape_breaks_every_mention_reference_and_autolink() {
    for (hostile, pattern) in [
        ("@someone", "@s"),
        ("cc @org/team", "@o"),
        ("ann@example.com", "@e"),
        ("#12", "#1"),
        ("owner/repo#12", "#1"),
        ("GH-42", "-4"),
        ("https://x.example", "://"),
        ("www.example.com", "www."),
        ("WwW.example.com", "WwW."),
        ("1a2b3c4d", "1a2b3c4d"),
    ] {
        let escaped = markdown_escape(hostile);
        assert!(!escaped.contains(pattern), "{hostile:?} → {escaped:?}");
        assert_eq!(
            escaped.replace([selfaudit::text::MARKDOWN_BREAK, '\\'], ""),
            hostile,
            "nothing but joiners and escapes is added"
        );
    }
    // Plain words stay as they are.
    for plain in ["Ana Lima", "call back within 2 days", "fix the phones"] {
        assert_eq!(markdown_escape(plain), plain);
    }
}

/// GitHub's own renderer, when Python and `cmarkgfm` are here (`pip install cmarkgfm`).
#[test]
fn markdown_escape_is_literal_text_under_githubs_renderer() {
    if !has_cmark_gfm() {
        eprintln!("skipped: python3 with cmarkgfm is not installed");
        return;
    }
    let mut cases = Vec::new();
    for hostile in HOSTILE_MARKDOWN {
        let escaped = markdown_escape(hostile);
        let literal = terminal_safe(hostile).trim().to_string();
        for (context, md) in contexts(&escaped) {
            cases.push(serde_json::json!({"context": context, "markdown": md, "literal": literal}));
        }
    }
    check_with_cmark_gfm(&cases);
}

fn has_cmark_gfm() -> bool {
    StdCommand::new("python3")
        .args(["-c", "import cmarkgfm"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `tests/fixtures/hardening/gfm_check.py` on the cases; fails with its report.
fn check_with_cmark_gfm(cases: &[serde_json::Value]) {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hardening/gfm_check.py");
    let mut child = StdCommand::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "cmark-gfm turned user text into markup:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Whole Markdown documents (report, diff, trend) of hostile files: no link, image, HTML or
/// heading beyond the renderer's own, whatever respondents and checklist authors wrote.
#[test]
fn markdown_documents_of_hostile_files_carry_no_user_markup() {
    use pulldown_cmark::{Event, Parser, Tag};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, hostile) in HOSTILE_MARKDOWN.iter().enumerate() {
        let answers: Vec<(&str, &str, Option<&str>)> = BE_SURE_ITEMS
            .iter()
            .map(|item| (*item, "few", Some(*hostile)))
            .collect();
        write(
            d,
            &format!("r/{i:03}.toml"),
            &be_sure(&format!("{hostile} {i}"), &answers),
        );
    }
    let report = |extra: &[&str]| -> String {
        let mut cmd = selfaudit();
        cmd.env("SOURCE_DATE_EPOCH", "1767225600")
            .arg("report")
            .arg(d.join("r"))
            .args(extra);
        let (code, out, err) = stdout_of(&mut cmd);
        assert_eq!(code, 0, "{err}");
        out
    };
    let md = report(&["--format", "markdown"]);
    fs::write(d.join("q.json"), report(&["--format", "json"])).unwrap();
    let mut docs = vec![md];
    let mut cmd = selfaudit();
    cmd.args(["diff", "--format", "markdown"])
        .arg(d.join("q.json"))
        .arg(d.join("q.json"));
    docs.push(stdout_of(&mut cmd).1);
    let mut cmd = selfaudit();
    cmd.args(["trend", "--format", "markdown"])
        .arg(d.join("q.json"));
    docs.push(stdout_of(&mut cmd).1);
    for doc in &docs {
        assert!(doc.len() > 100, "{doc}");
        for event in Parser::new_ext(doc, pulldown_cmark::Options::all()) {
            match event {
                // The renderer's own folding of the long table is the only HTML.
                Event::Html(t) | Event::InlineHtml(t)
                    if t.trim().trim_start_matches("<details>").trim().is_empty()
                        || t.trim() == "</details>"
                        || t.trim() == "<details><summary>All items</summary>" => {}
                Event::Start(Tag::HtmlBlock) => {}
                Event::Start(Tag::Link { .. } | Tag::Image { .. })
                | Event::Html(_)
                | Event::InlineHtml(_)
                | Event::Code(_)
                | Event::InlineMath(_)
                | Event::DisplayMath(_)
                | Event::FootnoteReference(_) => panic!("{event:?} in\n{doc}"),
                Event::Start(Tag::Heading { .. }) | Event::Start(Tag::BlockQuote(_)) => {}
                Event::Text(t) => {
                    for bad in ["://", "www.", "@s", "@o", "#1", "GH-4"] {
                        assert!(!t.contains(bad), "{bad} in {t:?}");
                    }
                }
                _ => {}
            }
        }
        if has_cmark_gfm() {
            check_with_cmark_gfm(&[serde_json::json!({
                "context": "document", "markdown": doc, "literal": ""
            })]);
        }
        // Headings are the renderer's own: none starts with user text.
        for line in doc.lines().filter(|l| l.starts_with('#')) {
            assert!(
                line.starts_with("# Self-audit") || line.starts_with("## "),
                "{line}"
            );
        }
    }
}

// ── 2. Anonymity that leaks through order ────────────────────────────────────────────────

/// Three respondents, two of them tied on every score, each with notes.
fn anonymous_team(dir: &Path, names: [&str; 3], files: [&str; 3]) -> PathBuf {
    let folder = dir.join("team");
    let answers = [
        vec![
            (
                "product-knowledge",
                "none",
                Some("Zed's note: phones ring out"),
            ),
            ("empowered", "all", None),
        ],
        vec![
            (
                "product-knowledge",
                "none",
                Some("Ann's note: nobody at the desk"),
            ),
            ("empowered", "all", None),
        ],
        vec![
            ("product-knowledge", "all", Some("Bob's note: fine")),
            ("empowered", "all", Some("more staff")),
        ],
    ];
    for ((name, file), answers) in names.iter().zip(files).zip(answers) {
        write(&folder, file, &be_sure(name, &answers));
    }
    folder
}

#[test]
fn anonymous_output_does_not_depend_on_file_names_or_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = anonymous_team(
        &dir.path().join("a"),
        ["Zed", "Ann", "Bob"],
        ["1.toml", "2.toml", "3.toml"],
    );
    // The same answers under other file names, so read in another order.
    let b = anonymous_team(
        &dir.path().join("b"),
        ["Zed", "Ann", "Bob"],
        ["z.toml", "a.toml", "m.toml"],
    );
    for format in ["json", "markdown", "html", "table"] {
        let out = |folder: &Path| {
            let mut cmd = selfaudit();
            cmd.env("SOURCE_DATE_EPOCH", "1767225600")
                .args(["report", "--anonymous", "--format", format])
                .arg(folder);
            let (code, out, err) = stdout_of(&mut cmd);
            assert_eq!(code, 0, "{err}");
            out
        };
        let (first, second) = (out(&a), out(&b));
        assert_eq!(first, second, "{format} depends on file names or order");
        for name in ["Zed", "Ann", "Bob"] {
            assert!(
                !first.contains(&format!("\"{name}\"")),
                "{format} names {name}"
            );
        }
    }
    // Notes come by their text, not by who wrote them or where they were read.
    let mut cmd = selfaudit();
    cmd.args(["report", "--anonymous", "--format", "json"])
        .arg(&b);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&mut cmd).1).unwrap();
    let notes: Vec<&str> = json["checklists"][0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .find(|i| i["id"] == "product-knowledge")
        .unwrap()["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["note"].as_str().unwrap())
        .collect();
    let mut sorted = notes.clone();
    sorted.sort();
    assert_eq!(notes, sorted);
    assert!(
        json["checklists"][0]["sections"][0]["items"][0]["notes"][0]
            .get("respondent")
            .is_none()
    );
}

// ── 5. Panics on output ──────────────────────────────────────────────────────────────────

fn dev_full() -> Option<fs::File> {
    fs::OpenOptions::new().write(true).open("/dev/full").ok()
}

#[test]
fn a_full_disk_on_stdout_or_stderr_is_exit_2_never_a_panic() {
    let Some(_) = dev_full() else { return };
    let dir = tempfile::tempdir().unwrap();
    let folder = anonymous_team(dir.path(), ["A", "B", "C"], ["a.toml", "b.toml", "c.toml"]);
    // An interview in progress makes `report` warn on stderr.
    write(&folder, "d.toml.partial", "# in progress\n");
    let cases: Vec<Vec<String>> = vec![
        vec!["--help".into()],
        vec!["--version".into()],
        vec!["report".into(), "--help".into()],
        vec!["list".into()],
        vec!["completions".into(), "bash".into()],
        vec!["report".into(), folder.display().to_string()],
        vec![
            "report".into(),
            "--format".into(),
            "json".into(),
            folder.display().to_string(),
        ],
    ];
    for args in &cases {
        let out = StdCommand::new(env!("CARGO_BIN_EXE_selfaudit"))
            .args(args)
            .stdout(dev_full().unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "stdout full: {args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("no space left"), "{args:?}: {err}");
    }
    // stderr full: a usage error, a warning, an error.
    for (args, _why) in [
        (vec!["--no-such-flag".to_string()], "usage"),
        (
            vec!["report".into(), folder.display().to_string()],
            "warning",
        ),
        (vec!["report".into(), "/no/such/file.toml".into()], "error"),
    ] {
        let out = StdCommand::new(env!("CARGO_BIN_EXE_selfaudit"))
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(dev_full().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "stderr full: {args:?}");
    }
}

#[cfg(unix)]
#[test]
fn closed_pipes_end_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let folder = anonymous_team(dir.path(), ["A", "B", "C"], ["a.toml", "b.toml", "c.toml"]);
    write(&folder, "d.toml.partial", "# in progress\n");
    let bin = env!("CARGO_BIN_EXE_selfaudit");
    let script = format!(
        "'{bin}' report '{f}' 2>&-; echo \"closed-stderr:$?\"; \
         '{bin}' --help 2>&- | head -c 1 >/dev/null; echo \"help-pipe:${{PIPESTATUS[0]}}\"; \
         '{bin}' report '{f}' --format json 2>/dev/null | head -c 1 >/dev/null; echo \"report-pipe:${{PIPESTATUS[0]}}\"; \
         '{bin}' --no-such-flag 2>&-; echo \"usage-closed:$?\"; \
         '{bin}' list >&- 2>/dev/null; echo \"closed-stdout:$?\"",
        f = folder.display()
    );
    let out = StdCommand::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "closed-stderr:0",
        "help-pipe:0",
        "report-pipe:0",
        "usage-closed:2",
        "closed-stdout:0",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

// ── 7. Numbers that overflow ─────────────────────────────────────────────────────────────

fn checklist_with(id: &str, weight_line: &str, item_weights: [&str; 2], scale: &str) -> String {
    format!(
        "id = \"{id}\"\nversion = \"1\"\n{weight_line}\n{scale}\n[[sections]]\nid = \"s\"\n\
         [[sections.items]]\nid = \"a\"\ntext = \"A\"\nweight = {}\n\
         [[sections.items]]\nid = \"b\"\ntext = \"B\"\nweight = {}\n",
        item_weights[0], item_weights[1]
    )
}

#[test]
fn sums_and_spans_that_overflow_make_a_checklist_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let bad = [
        (
            "items.toml",
            checklist_with("items", "", ["1e308", "1e308"], ""),
        ),
        (
            "more.toml",
            checklist_with("more", "", ["1.7e308", "1.7e308"], ""),
        ),
        (
            "span.toml",
            checklist_with(
                "span",
                "",
                ["1", "1"],
                "scale = \"wide\"\n[scales.wide]\nchoices = [{ key = \"lo\", value = -1e308 }, { key = \"hi\", value = 1e308 }]",
            ),
        ),
        ("inf.toml", checklist_with("inf", "", ["inf", "1"], "")),
        ("nan.toml", checklist_with("nan", "", ["nan", "1"], "")),
    ];
    for (name, text) in &bad {
        let path = write(dir.path(), &format!("bad/{name}"), text);
        let mut cmd = selfaudit();
        cmd.arg("validate").arg(&path);
        let (code, _, err) = stdout_of(&mut cmd);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains(name), "{name} is named: {err}");
        // Used as a checklist folder, it stops every command with exit 2.
        let folder = dir.path().join(format!("only-{name}"));
        write(&folder, name, text);
        let mut cmd = selfaudit();
        cmd.arg("--checklists").arg(&folder).arg("list");
        let (code, _, err) = stdout_of(&mut cmd);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name), "{err}");
    }
}

#[test]
fn huge_but_valid_weights_still_give_finite_scores() {
    let dir = tempfile::tempdir().unwrap();
    let cl = dir.path().join("cl");
    // Each checklist is valid (its own sums are finite); together their weights overflow.
    write(
        &cl,
        "one.toml",
        &checklist_with("one", "weight = 1.5e308", ["1e308", "1"], ""),
    );
    write(
        &cl,
        "two.toml",
        &checklist_with("two", "weight = 1.5e308", ["1", "5e307"], ""),
    );
    let r = write(
        dir.path(),
        "r.toml",
        "respondent = \"A\"\nperiod = \"p\"\n[answers.one]\na = \"yes\"\nb = \"no\"\n[answers.two]\na = \"yes\"\nb = \"yes\"\n",
    );
    let mut cmd = selfaudit();
    cmd.arg("--checklists")
        .arg(&cl)
        .args(["report", "--format", "json"])
        .arg(&r);
    let (code, out, err) = stdout_of(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let overall = json["score"].as_f64().expect("a number, not null");
    let one = json["checklists"][0]["score"].as_f64().unwrap();
    assert!(overall.is_finite() && one.is_finite());
    // one: a (weight 1e308) yes, b (weight 1) no → 100 · 1e308 / (1e308 + 1) = 100.
    assert_eq!(one, 100.0);
    assert_eq!(json["checklists"][1]["score"].as_f64(), Some(100.0));
    assert_eq!(overall, 100.0);
    assert!(!out.contains("NaN") && !out.contains("inf"));
}

// ── 8. Reports that lie by omission ──────────────────────────────────────────────────────

fn good_report() -> serde_json::Value {
    serde_json::json!({
        "format": "selfaudit-report/1", "period": "Q", "score": 50.0,
        "checklists": [{ "id": "c", "score": 50.0, "sections": [{ "id": "s", "score": 50.0,
            "items": [{ "id": "i", "score": 50.0 }] }] }],
        "per_respondent": [{ "respondent": "respondent 1", "score": 50.0,
            "checklists": [{ "id": "c", "score": 50.0 }] }]
    })
}

#[test]
fn a_missing_score_at_any_level_is_an_error_and_null_is_undefined() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &good_report().to_string());
    type Edit = fn(&mut serde_json::Value) -> &mut serde_json::Value;
    let places: [(&str, Edit); 5] = [
        ("top", |r| r),
        ("checklist", |r| &mut r["checklists"][0]),
        ("section", |r| &mut r["checklists"][0]["sections"][0]),
        ("item", |r| {
            &mut r["checklists"][0]["sections"][0]["items"][0]
        }),
        ("respondent", |r| &mut r["per_respondent"][0]),
    ];
    for (level, at) in places {
        let mut r = good_report();
        let part = at(&mut r).as_object_mut().unwrap();
        part.remove("score");
        part.insert("scroe".into(), serde_json::json!(99.0));
        let path = write(dir.path(), &format!("missing-{level}.json"), &r.to_string());
        for (base, new) in [(&good, &path), (&path, &good)] {
            let mut cmd = selfaudit();
            cmd.args(["diff", "--fail-below", "10"]).arg(base).arg(new);
            let (code, _, err) = stdout_of(&mut cmd);
            assert_eq!(code, 2, "{level}: {err}");
            assert!(err.contains("`score`"), "{level}: {err}");
            assert!(err.contains(&format!("missing-{level}.json")), "{err}");
        }
        // An explicit null is "undefined", and reads back.
        let mut r = good_report();
        at(&mut r)["score"] = serde_json::Value::Null;
        let path = write(dir.path(), &format!("null-{level}.json"), &r.to_string());
        let mut cmd = selfaudit();
        cmd.arg("diff").arg(&good).arg(&path);
        let (code, _, err) = stdout_of(&mut cmd);
        assert!(code == 0 || code == 1, "{level}: {err}");
    }
    // Scores no report can hold.
    for (name, value) in [("huge", 1e308), ("negative", -5.0), ("over", 100.5)] {
        let mut r = good_report();
        r["checklists"][0]["sections"][0]["items"][0]["score"] = serde_json::json!(value);
        let path = write(dir.path(), &format!("{name}.json"), &r.to_string());
        let mut cmd = selfaudit();
        cmd.arg("diff").arg(&good).arg(&path);
        let (code, _, err) = stdout_of(&mut cmd);
        assert_eq!(code, 2, "{name}: {err}");
    }
}

// ── 6. Cost that explodes ────────────────────────────────────────────────────────────────

/// A report of one checklist whose `renamed` map is a chain `old-0 → old-1 → … → item`, with
/// BASE's items at the old ends.
fn chain_reports(n: usize) -> (String, String) {
    let mut renamed = serde_json::Map::new();
    for k in 0..n {
        let next = if k + 1 == n {
            "current".to_string()
        } else {
            format!("old-{}", k + 1)
        };
        renamed.insert(format!("old-{k}"), serde_json::json!(next));
    }
    let item = |id: String| serde_json::json!({ "id": id, "score": 50.0 });
    // BASE holds every 1000th id of the chain, NEW only the chain's end and some unrelated items.
    let base_items: Vec<_> = (0..n)
        .step_by(1000)
        .map(|k| item(format!("old-{k}")))
        .collect();
    let mut new_items: Vec<_> = (0..100).map(|k| item(format!("other-{k}"))).collect();
    new_items.push(item("current".into()));
    let report = |items: Vec<serde_json::Value>, renamed: serde_json::Map<_, _>| {
        serde_json::json!({
            "format": "selfaudit-report/1", "period": "Q", "score": 50.0,
            "checklists": [{ "id": "c", "score": 50.0, "renamed": renamed,
                "sections": [{ "id": "s", "score": 50.0, "items": items }] }]
        })
        .to_string()
    };
    (
        report(base_items, serde_json::Map::new()),
        report(new_items, renamed),
    )
}

/// A guard against a hang, not a benchmark: the real bound is on operation counts, in
/// `diff::tests` (rename walks) and `scripts/bench.sh`; minutes here mean a quadratic regression.
fn within(limit: std::time::Duration, cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    cmd.timeout(limit);
    stdout_of(cmd)
}

#[test]
fn a_long_rename_chain_is_followed_in_near_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let (base, new) = chain_reports(100_000);
    let base = write(dir.path(), "base.json", &base);
    let new = write(dir.path(), "new.json", &new);
    for (b, n) in [(&base, &new), (&new, &base)] {
        let mut cmd = selfaudit();
        cmd.args(["diff", "--format", "json"]).arg(b).arg(n);
        let (code, out, err) = within(std::time::Duration::from_secs(60), &mut cmd);
        assert_eq!(code, 0, "{err}");
        let diff: serde_json::Value = serde_json::from_str(&out).unwrap();
        let renamed: Vec<&serde_json::Value> = diff["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["renamed_from"].is_string())
            .collect();
        assert_eq!(renamed.len(), 1, "one base item takes `current`");
    }
}

#[test]
fn a_diff_of_many_checklists_renders_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    // 50k checklists: a renderer quadratic in them takes minutes (54 s for Markdown before the
    // fix, in a debug build), a linear one a few seconds.
    let n = 50_000;
    let checklists: Vec<_> = (0..n)
        .map(|k| {
            serde_json::json!({ "id": format!("c{k}"), "score": 50.0, "sections": [
                { "id": "s", "score": 50.0, "items": [{ "id": "i", "score": 50.0 }] }] })
        })
        .collect();
    let report = serde_json::json!({
        "format": "selfaudit-report/1", "period": "Q", "score": 50.0, "checklists": checklists
    });
    let path = write(dir.path(), "r.json", &report.to_string());
    for format in ["json", "markdown", "html", "table"] {
        let mut cmd = selfaudit();
        cmd.args(["diff", "--format", format]).arg(&path).arg(&path);
        let (code, out, err) = within(std::time::Duration::from_secs(45), &mut cmd);
        assert_eq!(code, 0, "{format}: {err}");
        // Output grows linearly: a few hundred bytes per checklist at most.
        assert!(out.len() < n * 2_000, "{format}: {} bytes", out.len());
    }
}

// ── 9. Readers that disagree ─────────────────────────────────────────────────────────────

#[test]
fn the_fast_reader_and_the_toml_parser_agree_on_carriage_returns() {
    use selfaudit::load::Registry;
    use selfaudit::model::Source;
    use selfaudit::model::responses::Responses;
    let registry = Registry::builtin().unwrap();
    let plain = "respondent = \"A\"\nperiod = \"Q\"\n[answers.be-sure]\nempowered = \"few\"\n";
    let mut cases = vec![
        plain.to_string(),
        plain.replace('\n', "\r\n"),
        plain.replace('\n', "\r"),
        format!("{plain}# comment\r"),
        format!("{plain}\r"),
        format!("{}\r", plain.trim_end()),
        plain.replacen('\n', "\r\r\n", 1),
        plain.replacen("\"A\"", "\"A\"\r", 1),
        format!("{plain}# a\rb\n"),
        format!("{plain}sincere-interest = \"all\"\r"),
        plain.replacen("= \"few\"", "= \"few\" \r", 1),
        format!("\u{feff}{plain}"),
        format!("{plain}\u{0}"),
        plain.replacen("\"A\"", "\"A\u{7f}\"", 1),
        plain.replacen("\"A\"", "'A'", 1),
        plain.replacen("\"A\"", "\"\"\"A\"\"\"", 1),
    ];
    cases.extend(cases.clone().iter().map(|c| c.replace('\n', "\r\n")));
    for text in &cases {
        let source = Source {
            name: "t.toml",
            text,
        };
        let fast = Responses::parse(&source, |id| registry.get(id), || registry.ids());
        let full = Responses::parse_full(&source, |id| registry.get(id), || registry.ids());
        match (&fast, &full) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("the readers disagree on {text:?}:\n{fast:?}\n{full:?}"),
        }
    }
}

// ── 10. Identity ─────────────────────────────────────────────────────────────────────────

#[test]
fn one_person_written_two_ways_is_one_respondent() {
    let dir = tempfile::tempdir().unwrap();
    for (k, (a, b)) in [
        ("Jos\u{e9}", "Jose\u{301}"),
        ("Ana Lima", "Ana\u{200B} Lima"),
        ("Ana Lima", "ANA LIMA"),
        ("Ana Lima", "  Ana \t Lima "),
        ("Ana Lima", "\u{200F}Ana Lima\u{200E}"),
        ("Straße", "STRASSE"),
        ("Ana Lima", "Ana\u{FEFF} Lima"),
        ("Ana Lima", "Ana\u{A0}Lima"),
    ]
    .iter()
    .enumerate()
    {
        let folder = dir.path().join(format!("t{k}"));
        write(
            &folder,
            "1.toml",
            &be_sure(a, &[("empowered", "all", None)]),
        );
        write(
            &folder,
            "2.toml",
            &be_sure(b, &[("empowered", "none", None)]),
        );
        let mut cmd = selfaudit();
        cmd.arg("report").arg(&folder);
        let (code, _, err) = stdout_of(&mut cmd);
        assert_eq!(code, 2, "{a:?} and {b:?} are one person: {err}");
        assert!(err.contains("also answered"), "{err}");
    }
    // Different people stay different.
    let folder = dir.path().join("different");
    write(
        &folder,
        "1.toml",
        &be_sure("José", &[("empowered", "all", None)]),
    );
    write(
        &folder,
        "2.toml",
        &be_sure("Jose", &[("empowered", "none", None)]),
    );
    let mut cmd = selfaudit();
    cmd.arg("report").arg(&folder);
    assert_eq!(stdout_of(&mut cmd).0, 0);
}

// ── 11. Commands the tool prints ─────────────────────────────────────────────────────────

/// The words a POSIX shell makes of `line`, read by bash itself.
fn shell_words(line: &str) -> Vec<String> {
    let out = StdCommand::new("bash")
        .args(["-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "_", line])
        .output()
        .unwrap();
    assert!(out.status.success(), "{line}");
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn shell_quoting_gives_back_every_character() {
    for word in [
        "Ann Lee",
        "Ann\tLee",
        "O'Brien",
        "\u{200F}Ann\u{200E}",
        "a\nb",
        "$HOME `x` $(y)",
        "\\",
        "'",
        "*",
        "-",
        "\u{202E}evil",
        "Jos\u{e9}",
        "\x1b[31mred",
        "\u{7f}",
        "tab\tand'quote",
        "\u{1F600} \u{E0041}",
    ] {
        let quoted = shell_quote(word);
        assert!(
            !quoted
                .chars()
                .any(|c| c.is_control() || selfaudit::text::needs_escape(c)),
            "{quoted:?} reaches the terminal raw"
        );
        assert_eq!(shell_words(&quoted), vec![word.to_string()], "{quoted}");
    }
}

#[test]
fn the_template_command_printed_without_a_terminal_works_when_pasted() {
    let name = "Ann\tLee\u{200F} O'Neil";
    let mut cmd = selfaudit();
    cmd.args(["run", "be-sure", "--respondent", name, "--period", "Q 4"]);
    let (code, _, err) = stdout_of(&mut cmd);
    assert_eq!(code, 2);
    let start = err.find("`selfaudit template").unwrap() + 1;
    let command = &err[start..start + err[start..].find(" > answers.toml`").unwrap()];
    let words = shell_words(command);
    assert_eq!(
        words,
        [
            "selfaudit",
            "template",
            "be-sure",
            "--respondent",
            name,
            "--period",
            "Q 4"
        ]
    );
}

// ── 12. Progress files that are not what they claim ──────────────────────────────────────

#[test]
fn a_progress_file_listing_a_checklist_twice_or_odd_skips_is_refused() {
    use selfaudit::interview::partial;
    use selfaudit::load::Registry;
    use selfaudit::model::Source;
    let registry = Registry::builtin().unwrap();
    let head = "respondent = \"Ann\"\nperiod = \"Q\"\n[answers.be-sure]\nempowered = \"few\"\n\n[resume]\nformat = \"selfaudit-partial/1\"\nstarted = \"2026-01-01T00:00:00Z\"\n";
    let good = format!("{head}checklists = [\"be-sure\"]\nskipped = []\n");
    let parse = |text: &str| {
        partial::parse(
            &Source {
                name: "p.partial",
                text,
            },
            |id| registry.get(id),
            || registry.ids(),
        )
    };
    assert!(parse(&good).is_ok());
    for (bad, why) in [
        (
            format!("{head}checklists = [\"be-sure\", \"be-sure\"]\n"),
            "twice",
        ),
        (
            format!(
                "{head}checklists = [\"be-sure\"]\nskipped = [{{ checklist = \"be-sure\", item = \"nope\" }}]\n"
            ),
            "not in checklist",
        ),
        (
            format!(
                "{head}checklists = [\"be-sure\"]\nskipped = [{{ checklist = \"service-self-audit\", item = \"greet\" }}]\n"
            ),
            "does not ask",
        ),
        (
            format!(
                "{head}checklists = [\"be-sure\"]\nskipped = [{{ checklist = \"be-sure\", item = \"empowered\" }}, {{ checklist = \"be-sure\", item = \"empowered\" }}]\n"
            ),
            "twice",
        ),
    ] {
        let problems = parse(&bad).expect_err(&bad);
        let text = format!("{problems:?}");
        assert!(text.contains(why), "{why}: {text}");
    }
}

// ── 13. Raw bytes to the terminal ────────────────────────────────────────────────────────

fn assert_terminal_safe(what: &str, text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !selfaudit::text::needs_escape(c),
            "{what}: {c:?} reaches the terminal in {text:?}"
        );
    }
}

#[test]
fn clap_errors_and_user_text_reach_the_terminal_safe() {
    for args in [
        vec!["report", "--format", "\x1b[31mred\x1b[0m"],
        vec!["\x1b]0;owned\x07"],
        vec!["--\u{202E}flag"],
        vec!["diff", "--top", "\u{9b}2J"],
        vec!["report", "--min-responses", "\x1b[2J"],
        vec!["run", "--notes", "al\u{202E}ways"],
        vec!["completions", "\x1b[31mbash"],
    ] {
        let mut cmd = selfaudit();
        cmd.args(&args);
        let (code, out, err) = stdout_of(&mut cmd);
        assert_eq!(code, 2, "{args:?}");
        assert_terminal_safe(&format!("{args:?}"), &err);
        assert_terminal_safe(&format!("{args:?}"), &out);
    }
    // Checklist text and ids with escapes and bidi overrides, through every command that prints them.
    let dir = tempfile::tempdir().unwrap();
    let cl = dir.path().join("cl");
    write(
        &cl,
        "evil.toml",
        "id = \"evil\"\nversion = \"1\u{202E}\"\ntitle = \"T\\u001b[31m\u{202E}\"\n[[sections]]\nid = \"s\u{202E}\"\ntitle = \"S\u{2066}\"\n[[sections.items]]\nid = \"i\u{202E}d\u{200B}\"\ntext = \"Q\\u0007?\"\nhelp = \"h\\u001b]0;x\"\n",
    );
    let r = write(
        dir.path(),
        "r.toml",
        "respondent = \"A\\u001b[2J\u{202E}\"\nperiod = \"P\u{202E}\"\n[answers.evil]\n\"i\u{202E}d\u{200B}\" = { choice = \"yes\", note = \"n\\u001b[31m\u{2028}\" }\n",
    );
    for args in [
        vec!["list".to_string()],
        vec!["list".into(), "--format".into(), "json".into()],
        vec![
            "report".into(),
            "--format".into(),
            "json".into(),
            r.display().to_string(),
        ],
        vec![
            "template".into(),
            "evil".into(),
            "--respondent".into(),
            "\u{202E}x\x1b[2J".into(),
        ],
        vec!["validate".into(), r.display().to_string()],
        vec!["report".into(), r.display().to_string()],
        vec![
            "report".into(),
            "--format".into(),
            "markdown".into(),
            r.display().to_string(),
        ],
    ] {
        let mut cmd = selfaudit();
        cmd.arg("--checklists").arg(&cl).args(&args);
        let (code, out, err) = stdout_of(&mut cmd);
        assert!(code == 0, "{args:?}: {err}");
        assert_terminal_safe(&format!("{args:?} stdout"), &out);
        assert_terminal_safe(&format!("{args:?} stderr"), &err);
    }
}

// ── 14. Environment and edge inputs ──────────────────────────────────────────────────────

#[test]
fn environment_variables_set_but_empty_mean_unset_and_bad_ones_are_named() {
    for (var, value) in [
        ("SELFAUDIT_CHECKLISTS", ""),
        ("SELFAUDIT_CHECKLISTS", "  "),
        ("SOURCE_DATE_EPOCH", ""),
        ("TZ", ""),
        ("NO_COLOR", ""),
    ] {
        let mut cmd = selfaudit();
        cmd.env(var, value).arg("list");
        let (code, out, err) = stdout_of(&mut cmd);
        assert_eq!(code, 0, "{var}={value:?}: {err}");
        assert!(out.contains("be-sure"));
        assert!(!err.contains("--checklists"), "{err}");
    }
    let fifo = tempfile::tempdir().unwrap();
    let fifo_path = fifo.path().join("zone");
    let _ = StdCommand::new("mkfifo").arg(&fifo_path).status();
    for (var, value) in [
        ("SELFAUDIT_CHECKLISTS", "/no/such/folder".to_string()),
        ("SOURCE_DATE_EPOCH", "yesterday".to_string()),
        ("SOURCE_DATE_EPOCH", "99999999999999999999".to_string()),
        ("SOURCE_DATE_EPOCH", "1e9".to_string()),
        ("TZ", "/dev/zero".to_string()),
        ("TZ", ":/dev/zero".to_string()),
        ("TZ", fifo_path.display().to_string()),
        ("TZ", "/".to_string()),
        ("TZ", "../../../../dev/zero".to_string()),
        ("TZ", "No/Such_Zone".to_string()),
    ] {
        let mut cmd = selfaudit();
        cmd.env(var, &value).args(["template", "be-sure"]);
        let (code, _, err) = within(std::time::Duration::from_secs(20), &mut cmd);
        assert_eq!(code, 2, "{var}={value:?}: {err}");
        assert!(err.contains(var), "{var}={value:?} is named: {err}");
        assert!(!err.contains("--checklists"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn edge_inputs_get_messages_that_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink("self.toml", d.join("self.toml")).unwrap();
    std::os::unix::fs::symlink("b.json", d.join("a.json")).unwrap();
    std::os::unix::fs::symlink("a.json", d.join("b.json")).unwrap();
    let empty = write(
        d,
        "empty.toml",
        "respondent = \"A\"\nperiod = \"Q\"\n[answers.be-sure]\n",
    );
    let bom = write(d, "bom.json", &format!("\u{feff}{}", good_report()));
    let deep = write(
        d,
        "deep.toml",
        &format!(
            "respondent = \"A\"\nperiod = \"Q\"\nx = {}{}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        ),
    );
    let deep_inline = write(
        d,
        "deep-inline.toml",
        &format!(
            "id = \"x\"\nversion = \"1\"\ny = {}1{}\n",
            "{a=".repeat(3000),
            "}".repeat(3000)
        ),
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["report".into(), d.join("self.toml").display().to_string()],
            "symbolic link loop",
        ),
        (
            vec![
                "diff".into(),
                d.join("a.json").display().to_string(),
                d.join("a.json").display().to_string(),
            ],
            "symbolic link loop",
        ),
        (vec!["report".into(), empty.display().to_string()], "empty"),
        (
            vec![
                "diff".into(),
                bom.display().to_string(),
                bom.display().to_string(),
            ],
            "byte-order mark",
        ),
        (vec!["report".into(), "-".into(), "-".into()], "named twice"),
        (
            vec!["validate".into(), "-".into(), "-".into()],
            "named twice",
        ),
        (
            vec!["template".into(), "-".into(), "-".into()],
            "named twice",
        ),
        (vec!["trend".into(), "-".into(), "-".into()], "named twice"),
        (
            vec!["diff".into(), "-".into(), "-".into()],
            "standard input",
        ),
        (
            vec!["report".into(), deep.display().to_string()],
            "nested too deeply",
        ),
        (
            vec!["validate".into(), deep_inline.display().to_string()],
            "nested too deeply",
        ),
    ];
    for (args, says) in cases {
        let mut cmd = selfaudit();
        cmd.args(&args).write_stdin("");
        let (code, _, err) = within(std::time::Duration::from_secs(20), &mut cmd);
        assert!(
            code == 2 || (code == 1 && args[0] == "validate"),
            "{args:?}: {code} {err}"
        );
        assert!(err.contains(says), "{args:?} says {says:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // Positions where there is one.
    let mut cmd = selfaudit();
    cmd.args(["diff"]).arg(&bom).arg(&bom);
    assert!(stdout_of(&mut cmd).2.contains("bom.json:1:1:"));
    let mut cmd = selfaudit();
    cmd.arg("report").arg(&deep);
    assert!(stdout_of(&mut cmd).2.contains("deep.toml:3:"));
}
