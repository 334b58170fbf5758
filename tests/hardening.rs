//! The hostile corpus of issue 9 (SPEC §9): one or more tests per class of defect, each
//! failing before the fix. Classes: 1 one writer, 2 anonymity, 3 Markdown, 4 paths, 5 output,
//! 6 cost, 7 numbers, 8 read-back, 9 readers agree, 10 identity, 11 printed commands,
//! 12 progress files, 13 terminal, 14 environment and edge inputs.

mod common;

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
    selfaudit::template::toml_string(s)
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
    "be-available",
    "explain-next-steps",
    "show-appreciation",
    "understand-needs",
    "resolve-fully",
    "exceed-expectations",
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
            escaped
                .replace(selfaudit::text::MARKDOWN_BREAK, "")
                .replace('\\', ""),
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
    let has_cmarkgfm = StdCommand::new("python3")
        .args(["-c", "import cmarkgfm"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_cmarkgfm {
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
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hardening/gfm_check.py");
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
