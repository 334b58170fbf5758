//! Helpers shared by the integration tests: the binary, and reading its HTML.
#![allow(dead_code)]

use assert_cmd::Command;
use scraper::{ElementRef, Html, Selector};

pub fn selfaudit() -> Command {
    let mut cmd = Command::cargo_bin("selfaudit").unwrap();
    cmd.env_remove("SELFAUDIT_CHECKLISTS")
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs the binary, expects success, returns its standard output.
pub fn run(args: &[&str]) -> String {
    let out = selfaudit()
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

pub fn text(e: ElementRef) -> String {
    e.text().collect::<String>()
}

/// The one element under `scope` that matches `css`; fails on none or several.
pub fn one<'a>(scope: ElementRef<'a>, css: &str) -> ElementRef<'a> {
    let selector = sel(css);
    let mut found = scope.select(&selector);
    let first = found.next().unwrap_or_else(|| panic!("no {css}"));
    assert!(found.next().is_none(), "more than one {css}");
    first
}

/// Every way a page could reach outside itself: scripts, external resources, imports, URLs.
pub fn assert_self_contained(html: &str) {
    let doc = Html::parse_document(html);
    for tag in [
        "script", "link", "img", "iframe", "object", "embed", "base", "form", "video", "audio",
        "source",
    ] {
        assert_eq!(doc.select(&sel(tag)).count(), 0, "a <{tag}> element");
    }
    for e in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        for (name, value) in e.value().attrs() {
            assert!(!name.starts_with("on"), "event handler {name}={value:?}");
            assert!(
                !matches!(
                    name,
                    "src" | "srcset" | "action" | "formaction" | "poster" | "data"
                ),
                "{name}={value:?} on <{}>",
                e.value().name()
            );
            if name == "href" || name == "xlink:href" {
                assert!(value.starts_with('#'), "a link outside the page: {value:?}");
            }
        }
    }
    let styles: String = doc.select(&sel("style")).map(text).collect();
    let styles = styles + &attr_values(&doc, "style");
    assert!(!styles.contains("@import"), "an @import");
    for (i, _) in styles.match_indices("url(") {
        let rest = styles[i + 4..].trim_start_matches(['"', '\'', ' ']);
        assert!(
            rest.starts_with("data:"),
            "url() to something else than data:"
        );
    }
    assert_eq!(
        doc.select(&sel("meta[http-equiv]")).count(),
        0,
        "a meta refresh"
    );
}

/// Generated dates change on every run; a snapshot keeps their places, not their values.
pub fn redact_dates(html: &str) -> String {
    const OPEN: &str = "<time ";
    const CLOSE: &str = "</time>";
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let end = rest[start..]
            .find(CLOSE)
            .map(|e| start + e + CLOSE.len())
            .expect("a <time> element is closed");
        let class = rest[start..end]
            .split_once(" class=\"")
            .and_then(|(_, c)| c.split_once('"'))
            .map(|(c, _)| format!(" class=\"{c}\""))
            .unwrap_or_default();
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<time{class} datetime=\"[generated]\">[generated]</time>"
        ));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn attr_values(doc: &Html, name: &str) -> String {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter_map(|e| e.value().attr(name))
        .collect::<Vec<_>>()
        .join("\n")
}
