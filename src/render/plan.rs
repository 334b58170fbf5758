//! `selfaudit plan`: the actions file as it is, byte for byte, followed by a commented-out
//! proposal for each critical gap, weakest item and split item that no open action covers.

use std::collections::{HashMap, HashSet};

use crate::actions::{Actions, ReportIndex};
use crate::model::is_checklist_id;
use crate::model::report::{ChecklistReport, ItemReport, Report, SectionReport};
use crate::text::comment_safe;

/// The line that marks a proposal, so that `plan` run again knows it is already there.
pub const PROPOSAL_MARKER: &str = "# proposal: ";

/// Why an item is proposed.
#[derive(Debug, Default, Clone)]
struct Reasons {
    critical: bool,
    weakest: Option<usize>,
    split: bool,
}

/// The line `plan` writes above its proposals.
const PLAN_HEADING: &str = "# Proposed by `selfaudit plan`";

/// Whether a text carries the lines `plan` writes (its heading or a proposal marker), so that
/// a file of nothing but commented proposals is known for an actions file with no actions yet.
pub fn is_plan_output(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .any(|l| l.starts_with(PROPOSAL_MARKER.trim_end()) || l.starts_with(PLAN_HEADING))
}

/// The existing file's text, kept byte for byte, followed by a commented-out proposal for each
/// critical gap, each of the `top` weakest items and each split item that no open action (on
/// the item or its section) covers and no proposal in the file lists yet.
pub fn plan(existing: &str, actions: &Actions, report: &Report, top: usize) -> String {
    let listed: HashSet<String> = existing
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix(PROPOSAL_MARKER))
        .map(|rest| rest.trim().to_string())
        .collect();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut reasons: HashMap<(String, String), Reasons> = HashMap::new();
    let mut add = |c: &str, i: &str, f: &dyn Fn(&mut Reasons)| {
        let key = (c.to_string(), i.to_string());
        if !reasons.contains_key(&key) {
            order.push(key.clone());
        }
        f(reasons.entry(key).or_default());
    };
    for g in &report.critical_gaps {
        add(&g.checklist, &g.item, &|r| r.critical = true);
    }
    for (c, _, i) in report.items() {
        if i.gap().is_some() {
            add(&c.id, &i.id, &|r| r.critical = true);
        }
    }
    for (n, l) in super::lowest(report, top).iter().enumerate() {
        add(&l.checklist.id, &l.item.id, &|r| {
            r.weakest.get_or_insert(n + 1);
        });
    }
    for l in super::split_items(report) {
        add(&l.checklist.id, &l.item.id, &|r| r.split = true);
    }

    let mut used_ids: HashSet<String> = actions.actions.iter().map(|a| a.id.clone()).collect();
    // Ids the file's existing proposals suggest are taken too, so an adopted one never clashes.
    for line in existing.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("# id = \"")
            && let Some(id) = rest.split('"').next()
        {
            used_ids.insert(id.to_string());
        }
    }
    let index = ReportIndex::new(report);
    let open = actions.open_by_part();
    let mut blocks = Vec::new();
    for key in &order {
        let (c, i) = key;
        let path = format!("{c}/{i}");
        if listed.contains(comment_safe(&path).trim()) {
            continue;
        }
        let Some((checklist, section, item)) = index.item(c, i) else {
            continue;
        };
        if !open.on_item(c, &section.id, i).is_empty() {
            continue;
        }
        let r = &reasons[key];
        let id = fresh_id(i, &mut used_ids);
        blocks.push(proposal(
            checklist,
            section,
            item,
            r,
            top,
            &id,
            &report.period,
        ));
    }
    if blocks.is_empty() {
        return existing.to_string();
    }
    let mut out = existing.to_string();
    if out.is_empty() {
        out.push_str("# actions.toml: what the team decided, and the scores it aims for (selfaudit plan, report --actions).\n");
    } else if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!(
        "\n{PLAN_HEADING} from the report of {}. To adopt a proposal, uncomment\n# its table, say what the team will do, and add owner = \"NAME\" and due = YYYY-MM-DD.\n",
        match comment_safe(&report.period).trim() {
            "" => "no period".to_string(),
            p => format!("`{p}`"),
        }
    ));
    for b in blocks {
        out.push('\n');
        out.push_str(&b);
    }
    out
}

/// An action id not yet used: the item id when it is a valid id, else a slug of it.
fn fresh_id(item: &str, used: &mut HashSet<String>) -> String {
    let base = if is_checklist_id(item) {
        item.to_string()
    } else {
        let s = crate::text::slug(item);
        if is_checklist_id(&s) {
            s
        } else {
            "action".to_string()
        }
    };
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

/// A TOML basic string holding `s` on one line.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in comment_safe(s).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn proposal(
    checklist: &ChecklistReport,
    section: &SectionReport,
    item: &ItemReport,
    r: &Reasons,
    top: usize,
    id: &str,
    period: &str,
) -> String {
    let path = format!("{}/{}", checklist.id, item.id);
    let mut why = Vec::new();
    if r.critical {
        why.push("critical gap".to_string());
    }
    if let Some(n) = r.weakest {
        why.push(format!("weakest {n} of {top}"));
    }
    if r.split {
        why.push(format!(
            "split: answers from {} to {}",
            super::score(item.min),
            super::score(item.max)
        ));
    }
    let text = if item.text.trim().is_empty() {
        &item.id
    } else {
        &item.text
    };
    let mut out = format!("{PROPOSAL_MARKER}{}\n", comment_safe(&path));
    out.push_str(&format!(
        "# item: {} › {}: {}\n",
        comment_safe(&checklist.title),
        comment_safe(&section.title),
        comment_safe(text)
    ));
    out.push_str(&format!(
        "# score {} · n {} · {}\n",
        super::score(item.score),
        item.n,
        why.join(" · ")
    ));
    for n in &item.notes {
        match &n.respondent {
            Some(who) => out.push_str(&format!(
                "#   note from {}: {}\n",
                comment_safe(who),
                comment_safe(&n.note)
            )),
            None => out.push_str(&format!("#   note: {}\n", comment_safe(&n.note))),
        }
    }
    out.push_str("# [[actions]]\n");
    out.push_str(&format!("# id = {}\n", toml_string(id)));
    out.push_str(&format!("# item = {}\n", toml_string(&path)));
    out.push_str(&format!(
        "# what = {}\n",
        toml_string(&format!("What will we do about: {text}"))
    ));
    // A report may name no period; an adopted proposal still needs a non-empty `opened`.
    let opened = match comment_safe(period).trim() {
        "" => "unknown period".to_string(),
        p => p.to_string(),
    };
    out.push_str(&format!("# opened = {}\n", toml_string(&opened)));
    out.push_str("# status = \"open\"\n");
    out
}
