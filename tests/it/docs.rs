//! Every command in every doc page works: each line of each ```sh block of README.md and
//! docs/*.md is run, in order, in a folder holding the repository's examples, and must exit
//! with the code the page states (0 unless the line, or a comment line right after it, says
//! `# exit N`). Lines that need a terminal or a build say `# not run here`; `cargo` lines are
//! the build's own and are not run either.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The pages: README.md and every docs/*.md.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// A command of a page: its text, the exit code it is stated to have, and its line.
struct Step {
    line: usize,
    command: String,
    exit: i32,
}

fn stated_exit(comment: &str) -> Option<i32> {
    let rest = comment.trim_start_matches('#').trim_start();
    let rest = rest.strip_prefix("exit ")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The commands of a page's ```sh blocks, continuation lines joined.
fn steps(text: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim_start().starts_with("```") {
            in_sh = !in_sh && matches!(line.trim(), "```sh" | "```bash" | "```shell");
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some((start, mut joined)) = pending.take() {
            joined.push_str(line.trim_start());
            match joined.strip_suffix('\\') {
                Some(more) => pending = Some((start, more.to_string())),
                None => steps.push(step(start, &joined)),
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('#') {
            if let (Some(code), Some(last)) = (stated_exit(trimmed), steps.last_mut()) {
                last.exit = code;
            }
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(more) => pending = Some((n, more.to_string())),
            None => steps.push(step(n, trimmed)),
        }
    }
    steps
        .into_iter()
        .filter(|s| !s.command.is_empty())
        .collect()
}

/// One command line: the comment after ` #` states its exit code or that it is not run here.
fn step(line: usize, text: &str) -> Step {
    let (command, comment) = match text.find(" #") {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let skipped = comment.contains("not run here") || command.trim_start().starts_with("cargo ");
    Step {
        line,
        command: if skipped {
            String::new()
        } else {
            command.trim().to_string()
        },
        exit: stated_exit(comment).unwrap_or(0),
    }
}

/// A folder like a clone of the repository: its checklists and examples, and the examples'
/// responses and reports where the docs expect a team's own (responses/, reports/).
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        let status = Command::new("cp")
            .arg("-R")
            .arg(Path::new(ROOT).join(from))
            .arg(dir.path().join(to))
            .status()
            .unwrap();
        assert!(status.success());
    };
    copy("checklists", "checklists");
    copy("examples", "examples");
    copy("examples/responses", "responses");
    copy("examples/reports", "reports");
    std::fs::write(
        dir.path().join("questions.csv"),
        "section,text,scale\nService,Do we call back the same day?,yes-no\n",
    )
    .unwrap();
    dir
}

fn bin_dir() -> PathBuf {
    let bin = assert_cmd::cargo::cargo_bin("selfaudit");
    bin.parent().unwrap().to_path_buf()
}

#[test]
fn every_command_in_every_doc_page_works() {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let dir = sandbox();
        for s in steps(&text) {
            ran += 1;
            let out = Command::new("sh")
                .arg("-c")
                .arg(&s.command)
                .current_dir(dir.path())
                .env("PATH", &path)
                .env_remove("SELFAUDIT_CHECKLISTS")
                .env_remove("SELFAUDIT_TEAM")
                .env("NO_COLOR", "1")
                .env("GITHUB_STEP_SUMMARY", "summary.md")
                .env("PERIOD", "2026-Q4")
                .env("BASE", "reports/2026-Q3.json")
                .output()
                .unwrap();
            let code = out.status.code().unwrap_or(-1);
            if code != s.exit {
                failures.push(format!(
                    "{}:{}: `{}` exited {code}, the page says {}\n{}",
                    page.strip_prefix(ROOT).unwrap_or(&page).display(),
                    s.line,
                    s.command,
                    s.exit,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(ran > 10, "only {ran} commands found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_doc_page_cites_the_spec() {
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        assert!(
            !text.contains("SPEC §"),
            "{} cites the SPEC, which a user does not have",
            page.display()
        );
    }
}
