//! The Markdown format, for a CI step summary or a pull-request comment. All user text is escaped.

use super::layout::{self, Align, Block, Cell, Column, Span};
use super::{HONEST_LEGEND, agreement_label, alpha_label, score_moe};
use super::{Located, distribution, score, split_items, weakest};
use crate::model::report::Report;
use crate::text::markdown_escape as esc;
use crate::text::plural;

/// Blocks as Markdown: a blank line between blocks, user text escaped here.
pub fn blocks(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks.iter().map(block).collect();
    parts.join("\n")
}

/// Blocks that follow other text: a blank line before them, nothing when there are none.
pub(super) fn section(part: &[Block]) -> String {
    if part.is_empty() {
        String::new()
    } else {
        format!("\n{}", blocks(part))
    }
}

fn spans(spans: &[Span]) -> String {
    Span::join(spans, esc)
}

fn block(block: &Block) -> String {
    match block {
        Block::Title { what, subject, .. } => format!("# {what}: {}\n", esc(subject)),
        Block::Line(s) => spans(s) + "\n",
        Block::Heading { title, note } if note.is_empty() => format!("## {title}\n"),
        Block::Heading { title, note } => {
            format!("## {title}\n\n{}.\n", crate::text::capitalise(&spans(note)))
        }
        Block::Caption(title) => format!("## {title}\n"),
        Block::Legend(text) => format!("{}.\n", esc(text)),
        Block::Note(text) => format!("{}\n", esc(text)),
        Block::Remarks {
            subject,
            figure,
            said,
        } => {
            let mut out = format!("**{}** ({figure})\n\n", esc(subject));
            for s in said {
                out.push_str(&format!("- {}\n", spans(s)));
            }
            out
        }
        Block::Table(grid) => {
            let mut head = String::from("|");
            let mut rule = String::from("|");
            for c in &grid.columns {
                let rule_of = match c.align() {
                    Align::Left => "---|",
                    Align::Right => "--:|",
                };
                match c {
                    Column::Tree => {
                        head.push_str(" Checklist | Section |");
                        rule.push_str("---|---|");
                    }
                    Column::Ours(h, _) => {
                        head.push_str(&if h.is_empty() {
                            " |".to_string()
                        } else {
                            format!(" {h} |")
                        });
                        rule.push_str(rule_of);
                    }
                    Column::User(h, _) => {
                        head.push_str(&format!(" {} |", esc(h)));
                        rule.push_str(rule_of);
                    }
                }
            }
            let mut out = format!("{head}\n{rule}\n");
            for row in &grid.rows {
                out.push('|');
                for c in row {
                    out.push_str(&format!("{} |", cell(c)));
                }
                out.push('\n');
            }
            out
        }
    }
}

/// A cell, before its closing bar: a row of the tree takes two columns.
fn cell(c: &Cell) -> String {
    match c {
        Cell::Name {
            text,
            section: false,
        } => format!(" **{}** |", esc(text)),
        Cell::Name {
            text,
            section: true,
        } => format!(" | {}", esc(text)),
        Cell::Strong(c) => format!(" **{}**", cell(c).trim_start()),
        Cell::Flag(mark, c) => format!(" {mark}{}", cell(c)),
        c if c.is_user_text() => format!(" {}", esc(&c.text())),
        c => format!(" {}", c.text()),
    }
}

fn answers(l: &Located) -> String {
    if l.item.withheld {
        return "*withheld*".to_string();
    }
    distribution(l.item)
        .iter()
        .map(|(k, c)| format!("{c}× {}", esc(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flags(l: &Located) -> String {
    let mut f = String::new();
    if l.item.critical {
        f.push_str(" **critical**");
    }
    if l.item.split {
        f.push_str(" *split*");
    }
    f
}

pub fn report(report: &Report, top: usize) -> String {
    let mut out = String::new();
    out.push_str(&format!("# Self-audit report: {}\n\n", esc(&report.period)));
    out.push_str(&format!(
        "**Overall score: {}** · {}",
        score_moe(report.score, report.moe),
        plural(report.respondents.len(), "respondent", "respondents")
    ));
    if !report.generated.is_empty() {
        out.push_str(&format!(" · generated {}", esc(&report.generated)));
    }
    out.push_str("\n\n## Scores\n\n| Checklist | Section | Weight | Score | Reliability |\n|---|---|--:|--:|--:|\n");
    for c in &report.checklists {
        out.push_str(&format!(
            "| **{}** | | {} | **{}** | {} |\n",
            esc(&c.title),
            c.weight,
            score_moe(c.score, c.moe),
            alpha_label(c.alpha)
        ));
        for s in &c.sections {
            out.push_str(&format!(
                "| | {} | {} | {} | |\n",
                esc(&s.title),
                s.weight,
                score_moe(s.score, s.moe)
            ));
        }
    }
    if super::has_honest_figures(report) {
        out.push_str(&format!("\n{}.\n", esc(HONEST_LEGEND)));
    }

    out.push_str(&super::team::markdown(report));

    let weak = weakest(report, top);
    if !weak.is_empty() {
        out.push_str("\n## Weakest items\n\n| Score | Item | Checklist | n | n/a | missing | Answers | Agreement |\n|--:|---|---|--:|--:|--:|---|---|\n");
        for l in &weak {
            out.push_str(&format!(
                "| {} | {}{} | {} | {} | {} | {} | {} | {} |\n",
                score_moe(l.item.score, l.item.moe),
                esc(&l.item.text),
                flags(l),
                esc(&l.checklist.title),
                l.item.n,
                l.item.na,
                l.item.missing,
                answers(l),
                agreement_label(l.item.rwg)
            ));
        }
    }

    let split = split_items(report);
    if !split.is_empty() {
        out.push_str("\n## Split items\n\nAnswers 50 points or more apart: worth a conversation.\n\n| Item | Min | Max | Std dev | Answers | Agreement |\n|---|--:|--:|--:|---|---|\n");
        for l in &split {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                esc(&l.item.text),
                score(l.item.min),
                score(l.item.max),
                score(l.item.stddev),
                answers(l),
                agreement_label(l.item.rwg)
            ));
        }
    }

    out.push_str("\n## Critical gaps\n\n");
    if report.critical_gaps.is_empty() {
        match super::unanswered_note(report) {
            Some(note) => out.push_str(&format!(
                "None among the checklists answered. {}\n",
                esc(&note)
            )),
            None => out.push_str("None: every critical item scored 100.\n"),
        }
    } else {
        out.push_str("| Score | Item | Checklist |\n|--:|---|---|\n");
        for g in &report.critical_gaps {
            let text = if g.text.is_empty() { &g.item } else { &g.text };
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                score(Some(g.score)),
                esc(text),
                esc(&g.checklist)
            ));
        }
    }

    out.push_str(&super::actions::report_markdown(report));

    out.push_str(&section(&layout::per_respondent(report)));

    out.push_str(&section(&layout::notes(report)));

    out.push_str("\n<details><summary>All items</summary>\n\n| Checklist | Item | Score | n | n/a | missing | Min | Max | Std dev | Answers |\n|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for (checklist, section, item) in report.items() {
        let l = Located {
            checklist,
            section,
            item,
        };
        out.push_str(&format!(
            "| {} | {}{} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            esc(&checklist.id),
            esc(&item.text),
            flags(&l),
            score(item.score),
            item.n,
            item.na,
            item.missing,
            score(item.min),
            score(item.max),
            score(item.stddev),
            answers(&l)
        ));
    }
    out.push_str("\n</details>\n");
    out
}
