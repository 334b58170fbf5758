//! `selfaudit template`: a responses file with every question as a comment, valid as it stands.

use crate::model::checklist::Checklist;
use crate::model::quote::{toml_key, toml_string};
use crate::model::scale::NA;
use crate::text::comment_safe;

pub fn template(checklists: &[&Checklist], respondent: &str, period: &str) -> String {
    template_with_role(checklists, respondent, period, None)
}

/// `template`, with `role = "ROLE"` under the period when a role is given (SPEC §10).
pub fn template_with_role(
    checklists: &[&Checklist],
    respondent: &str,
    period: &str,
    role: Option<&str>,
) -> String {
    let total: usize = checklists.iter().map(|c| c.item_count()).sum();
    let mut out = String::new();
    out.push_str("# selfaudit responses file.\n");
    out.push_str(
        "# Answer a question by removing the `#` before its line and writing one of the keys\n",
    );
    out.push_str("# listed above it, in quotes. Add a note with: item = { choice = \"key\", note = \"…\" }\n");
    out.push_str(
        "# A line left commented out counts as skipped. Check it: selfaudit validate FILE\n",
    );
    out.push_str("# Score it (alone or with the team's files): selfaudit report FILE…\n\n");
    out.push_str(&format!("respondent = {}\n", toml_string(respondent)));
    out.push_str(&format!("period = {}\n", toml_string(period)));
    if let Some(role) = role {
        out.push_str(&format!("role = {}\n", toml_string(role)));
    }
    let mut n = 0;
    for c in checklists {
        out.push_str(&format!(
            "\n# ═══ {} ({}) ═══\n",
            comment_safe(&c.title),
            crate::text::plural(c.item_count(), "question", "questions")
        ));
        if let Some(d) = &c.description {
            out.push_str(&format!("# {}\n", comment_safe(d)));
        }
        out.push_str(&format!(
            "[checklists.{}]\nversion = {}\n\n",
            toml_key(&c.id),
            toml_string(&c.version)
        ));
        out.push_str(&format!("[answers.{}]\n", toml_key(&c.id)));
        for section in &c.sections {
            out.push_str(&format!("\n# ── {} ──\n", comment_safe(&section.title)));
            for item in &section.items {
                n += 1;
                out.push_str(&format!("\n# [{n}/{total}] {}\n", comment_safe(&item.text)));
                if let Some(help) = &item.help {
                    out.push_str(&format!("#   {}\n", comment_safe(help)));
                }
                let mut keys: Vec<String> = item
                    .scale
                    .choices
                    .iter()
                    .map(|ch| {
                        if ch.label == ch.key {
                            comment_safe(&ch.key)
                        } else {
                            format!("{} ({})", comment_safe(&ch.key), comment_safe(&ch.label))
                        }
                    })
                    .collect();
                if item.na {
                    keys.push(format!("{NA} (not applicable)"));
                }
                let mut tags = String::new();
                if item.critical {
                    tags.push_str("  [critical]");
                }
                out.push_str(&format!("#   keys: {}{tags}\n", keys.join(" | ")));
                out.push_str(&format!("# {} = \"\"\n", toml_key(&item.id)));
            }
        }
    }
    out
}
