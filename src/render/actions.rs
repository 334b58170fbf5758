//! Actions and targets (SPEC §12) in the table and Markdown formats, of a report and of a diff.
//! Each part's actions are listed together, open ones first, as `actions` orders them.

use comfy_table::{Cell, CellAlignment};

use super::table::{Style, new_table};
use super::{delta, plural, score};
use crate::actions::{ActionDelta, ActionEntry, PartRef, TargetEntry};
use crate::diff::Diff;
use crate::model::report::Report;
use crate::text::{markdown_escape as esc, terminal_safe};

/// `item`, `section` or `checklist` with the part's title, as a heading line names it.
fn part_label(part: &PartRef, title: &str) -> String {
    if title.is_empty() || title == part.path() {
        format!("{} {}", part.kind(), part.path())
    } else {
        format!("{} {}: {}", part.kind(), part.path(), title)
    }
}

/// A ratio as a percentage of the way, one decimal: 0.55 → `55.1 %`.
pub fn progress(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{:.1} %", p * 100.0),
        None => "—".to_string(),
    }
}

fn status_text(status: &str, overdue: bool) -> String {
    if overdue {
        format!("{status}, overdue")
    } else {
        status.to_string()
    }
}

/// Groups of consecutive entries on the same part (the entries come sorted by part).
fn by_part<T>(entries: &[T], part: impl Fn(&T) -> &PartRef) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || part(&entries[i]) != part(&entries[start]) {
            if start < i {
                out.push(&entries[start..i]);
            }
            start = i;
        }
    }
    out
}

fn overdue_count(actions: &[ActionEntry]) -> usize {
    actions.iter().filter(|a| a.overdue).count()
}

fn open_count(actions: &[ActionEntry]) -> usize {
    actions.iter().filter(|a| a.status.is_open()).count()
}

/// The report's actions and targets as Markdown sections; empty without an actions file.
pub fn report_markdown(report: &Report) -> String {
    let mut out = String::new();
    if let Some(actions) = &report.actions {
        out.push_str(&format!(
            "\n## Actions\n\n{} open, {} overdue, {} in all.\n",
            open_count(actions),
            overdue_count(actions),
            plural(actions.len(), "action", "actions")
        ));
        for group in by_part(actions, |a| &a.part) {
            let first = &group[0];
            out.push_str(&format!(
                "\n**{}** ({})\n\n",
                esc(&part_label(&first.part, &first.title)),
                score(first.score)
            ));
            for a in group {
                out.push_str(&format!(
                    "- {}**{}** · {} · {}",
                    if a.overdue { "⚠️ " } else { "" },
                    esc(&status_text(a.status.as_str(), a.overdue)),
                    esc(&a.id),
                    esc(&a.what)
                ));
                if let Some(o) = &a.owner {
                    out.push_str(&format!(" · owner {}", esc(o)));
                }
                if let Some(d) = &a.due {
                    out.push_str(&format!(" · due {}", esc(d)));
                }
                out.push_str(&format!(" · opened {}", esc(&a.opened)));
                if let Some(e) = &a.evidence {
                    out.push_str(&format!(" · evidence: {}", esc(e)));
                }
                out.push('\n');
            }
        }
    }
    if let Some(targets) = &report.targets
        && !targets.is_empty()
    {
        out.push_str("\n## Targets\n\n| Part | Target | Now | Met | Due | Overdue | Then | Progress |\n|---|--:|--:|---|---|---|--:|--:|\n");
        for t in targets {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                esc(&part_label(&t.part, &t.title)),
                score(Some(t.score)),
                score(t.now),
                if t.met { "yes" } else { "no" },
                esc(t.due.as_deref().unwrap_or("—")),
                if t.overdue { "**overdue**" } else { "no" },
                score(t.then),
                progress(t.progress)
            ));
        }
    }
    out
}

/// The report's actions and targets for the terminal; empty without an actions file.
pub fn report_table(report: &Report, style: Style) -> String {
    let mut out = String::new();
    if let Some(actions) = &report.actions {
        out.push_str(&format!(
            "\nActions ({} open, {} overdue, {} in all)\n",
            open_count(actions),
            overdue_count(actions),
            actions.len()
        ));
        for group in by_part(actions, |a| &a.part) {
            let first = &group[0];
            out.push_str(&format!(
                "  {} ({})\n",
                terminal_safe(&part_label(&first.part, &first.title)),
                score(first.score)
            ));
            for a in group {
                out.push_str(&format!(
                    "    {} [{}] {}: {}",
                    if a.overdue { "!" } else { "–" },
                    status_text(a.status.as_str(), a.overdue),
                    terminal_safe(&a.id),
                    terminal_safe(&a.what)
                ));
                if let Some(o) = &a.owner {
                    out.push_str(&format!(" · {}", terminal_safe(o)));
                }
                if let Some(d) = &a.due {
                    out.push_str(&format!(" · due {d}"));
                }
                out.push('\n');
            }
        }
    }
    if let Some(targets) = &report.targets
        && !targets.is_empty()
    {
        out.push_str("\nTargets\n");
        out.push_str(&targets_table(targets, style));
        out.push('\n');
    }
    out
}

fn targets_table(targets: &[TargetEntry], style: Style) -> String {
    let mut t = new_table(style);
    t.set_header(vec![
        "Part", "Target", "Now", "Met", "Due", "Overdue", "Then", "Progress",
    ]);
    for x in targets {
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        t.add_row(vec![
            Cell::new(terminal_safe(&part_label(&x.part, &x.title))),
            right(score(Some(x.score))),
            right(score(x.now)),
            Cell::new(if x.met { "yes" } else { "no" }),
            Cell::new(terminal_safe(x.due.as_deref().unwrap_or("—"))),
            Cell::new(if x.overdue { "overdue" } else { "no" }),
            right(score(x.then)),
            right(progress(x.progress)),
        ]);
    }
    t.to_string()
}

fn action_line(a: &ActionDelta) -> String {
    let mut s = format!(
        "{}: {} [{}]",
        a.id,
        a.what,
        status_text(a.status.as_str(), a.overdue)
    );
    if let Some(o) = &a.owner {
        s.push_str(&format!(" · {o}"));
    }
    if let Some(d) = &a.due {
        s.push_str(&format!(" · due {d}"));
    }
    s
}

/// The diff's actions, targets and means as Markdown; empty without an actions file.
pub fn diff_markdown(diff: &Diff) -> String {
    let Some(ad) = &diff.actions else {
        return String::new();
    };
    let mut out = format!(
        "\n## Actions\n\n{}.\n",
        esc(&capitalise(&ad.summary))
    );
    if !ad.actions.is_empty() {
        out.push_str(&format!(
            "\n| Change | {} | {} | Part | Action |\n|--:|--:|--:|---|---|\n",
            esc(&diff.base.period),
            esc(&diff.new.period)
        ));
        for a in &ad.actions {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {}{} |\n",
                delta(a.delta),
                score(a.base),
                score(a.new),
                esc(&part_label(&a.part, &a.title)),
                if a.overdue { "⚠️ " } else { "" },
                esc(&action_line(a))
            ));
        }
    }
    if !ad.targets.is_empty() {
        out.push_str(&format!(
            "\n| Part | Target | {} | {} | Met | Due | Overdue | Progress |\n|---|--:|--:|--:|---|---|---|--:|\n",
            esc(&diff.base.period),
            esc(&diff.new.period)
        ));
        for t in &ad.targets {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                esc(&part_label(&t.part, &t.title)),
                score(Some(t.score)),
                score(t.base),
                score(t.new),
                if t.met { "yes" } else { "no" },
                esc(t.due.as_deref().unwrap_or("—")),
                if t.overdue { "**overdue**" } else { "no" },
                progress(t.progress)
            ));
        }
    }
    out
}

/// The diff's actions, targets and means for the terminal; empty without an actions file.
pub fn diff_table(diff: &Diff, style: Style) -> String {
    let Some(ad) = &diff.actions else {
        return String::new();
    };
    let mut out = format!("\nActions: {}\n", terminal_safe(&ad.summary));
    if !ad.actions.is_empty() {
        let mut t = new_table(style);
        t.set_header(vec![
            "Change".to_string(),
            terminal_safe(&diff.base.period),
            terminal_safe(&diff.new.period),
            "Part".to_string(),
            "Action".to_string(),
        ]);
        for a in &ad.actions {
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            t.add_row(vec![
                right(delta(a.delta)),
                right(score(a.base)),
                right(score(a.new)),
                Cell::new(terminal_safe(&part_label(&a.part, &a.title))),
                Cell::new(terminal_safe(&action_line(a))),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    if !ad.targets.is_empty() {
        let mut t = new_table(style);
        t.set_header(vec![
            "Target".to_string(),
            "Aim".to_string(),
            terminal_safe(&diff.base.period),
            terminal_safe(&diff.new.period),
            "Met".to_string(),
            "Due".to_string(),
            "Progress".to_string(),
        ]);
        for x in &ad.targets {
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            t.add_row(vec![
                Cell::new(terminal_safe(&part_label(&x.part, &x.title))),
                right(score(Some(x.score))),
                right(score(x.base)),
                right(score(x.new)),
                Cell::new(if x.met { "yes" } else { "no" }),
                Cell::new(format!(
                    "{}{}",
                    terminal_safe(x.due.as_deref().unwrap_or("—")),
                    if x.overdue { " (overdue)" } else { "" }
                )),
                right(progress(x.progress)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
