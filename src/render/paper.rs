//! `selfaudit template --format html`: the questions as a paper form with tick boxes, one printed
//! page (or more) per checklist, for people who answer on paper.

use serde::Serialize;

use super::html::render;
use crate::error::Result;
use crate::model::checklist::Checklist;
use crate::text::page_safe;

#[derive(Serialize)]
struct Form {
    period: String,
    version: &'static str,
    checklists: Vec<ChecklistForm>,
}

#[derive(Serialize)]
struct ChecklistForm {
    id: String,
    title: String,
    version: String,
    description: Option<String>,
    sections: Vec<SectionForm>,
}

#[derive(Serialize)]
struct SectionForm {
    title: String,
    items: Vec<ItemForm>,
}

#[derive(Serialize)]
struct ItemForm {
    number: usize,
    id: String,
    text: String,
    help: Option<String>,
    choices: Vec<String>,
    na: bool,
    critical: bool,
}

/// The paper form of the checklists, numbered through as `run` asks them.
pub fn form(checklists: &[&Checklist], period: &str) -> Result<String> {
    let mut number = 0;
    let checklists = checklists
        .iter()
        .map(|c| ChecklistForm {
            id: page_safe(&c.id),
            title: page_safe(&c.title),
            version: page_safe(&c.version),
            description: c.description.as_deref().map(page_safe),
            sections: c
                .sections
                .iter()
                .map(|s| SectionForm {
                    title: page_safe(&s.title),
                    items: s
                        .items
                        .iter()
                        .map(|i| {
                            number += 1;
                            ItemForm {
                                number,
                                id: page_safe(&i.id),
                                text: page_safe(&i.text),
                                help: i.help.as_deref().map(page_safe),
                                choices: i
                                    .scale
                                    .choices
                                    .iter()
                                    .map(|c| page_safe(&c.label))
                                    .collect(),
                                na: i.na,
                                critical: i.critical,
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    render(
        "paper.html",
        &Form {
            period: page_safe(period),
            version: env!("CARGO_PKG_VERSION"),
            checklists,
        },
    )
}
