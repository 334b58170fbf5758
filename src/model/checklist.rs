//! Checklist files (SPEC §3): the strict TOML shape, and every rule a checklist must keep.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::scale::{self, Choice, Scale};
use super::{Source, is_checklist_id};
use crate::error::Problem;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistFile {
    id: Spanned<String>,
    title: Option<Spanned<String>>,
    version: Spanned<String>,
    description: Option<String>,
    scale: Option<Spanned<String>>,
    weight: Option<Spanned<f64>>,
    #[serde(default)]
    scales: BTreeMap<Spanned<String>, ScaleFile>,
    #[serde(default)]
    renamed: BTreeMap<Spanned<String>, Spanned<String>>,
    sections: Option<Spanned<Vec<SectionFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleFile {
    choices: Spanned<Vec<ChoiceFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceFile {
    key: Spanned<String>,
    label: Option<String>,
    value: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    id: Spanned<String>,
    title: Option<Spanned<String>>,
    weight: Option<Spanned<f64>>,
    items: Option<Spanned<Vec<ItemFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFile {
    id: Spanned<String>,
    text: Spanned<String>,
    help: Option<String>,
    weight: Option<Spanned<f64>>,
    scale: Option<Spanned<String>>,
    #[serde(default)]
    critical: bool,
    na: Option<bool>,
}

/// A checklist that keeps every rule of SPEC §3.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub weight: f64,
    pub sections: Vec<Section>,
    /// Old item id → current item id.
    pub renamed: BTreeMap<String, String>,
    index: HashMap<String, (usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub weight: f64,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub help: Option<String>,
    pub weight: f64,
    pub scale: Arc<Scale>,
    pub critical: bool,
    pub na: bool,
}

impl Checklist {
    /// Parses and validates a checklist file; on failure, every problem found.
    pub fn parse(source: &Source) -> Result<Checklist, Vec<Problem>> {
        let _lines = crate::text::LineIndex::scope(source.text);
        super::every::read_checked(source, |p| p, |file: ChecklistFile| validate(file, source))
    }

    /// The section and item an id names, following `[renamed]`.
    pub fn locate(&self, item_id: &str) -> Option<(usize, usize)> {
        self.index
            .get(item_id)
            .or_else(|| {
                self.renamed
                    .get(item_id)
                    .and_then(|new| self.index.get(new))
            })
            .copied()
    }

    pub fn item(&self, item_id: &str) -> Option<&Item> {
        self.locate(item_id)
            .map(|(s, i)| &self.sections[s].items[i])
    }

    pub fn items(&self) -> impl Iterator<Item = (&Section, &Item)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

/// The problems found so far, located in the source.
struct Problems<'s> {
    source: &'s Source<'s>,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, span: std::ops::Range<usize>, message: String, hint: Option<&str>) {
        let mut p = self.source.problem(Some(span), message);
        if let Some(h) = hint {
            p = p.hint(h);
        }
        self.list.push(p);
    }
}

fn validate(file: ChecklistFile, source: &Source) -> Result<Checklist, Vec<Problem>> {
    let mut problems = Problems {
        source,
        list: Vec::new(),
    };
    let id = file.id.get_ref();
    if !is_checklist_id(id) {
        problems.push(
            file.id.span(),
            format!("checklist id `{id}` is not valid"),
            Some("use lower-case letters, digits and `-`, starting with a letter or digit"),
        );
    }
    if file.version.get_ref().trim().is_empty() {
        problems.push(
            file.version.span(),
            "version must not be empty".into(),
            Some("write version = \"1\""),
        );
    }
    let title = match &file.title {
        Some(t) if t.get_ref().trim().is_empty() => {
            problems.push(t.span(), "title must not be empty".into(), None);
            String::new()
        }
        Some(t) => t.get_ref().clone(),
        None => id.clone(),
    };
    let weight = weight_of_with(&file.weight, "the checklist", &mut problems);

    // Custom scales first, so items can refer to them.
    let mut scales: HashMap<String, Arc<Scale>> = HashMap::new();
    for (name, def) in &file.scales {
        let choices: Vec<Choice> = def
            .choices
            .get_ref()
            .iter()
            .map(|c| Choice {
                key: c.key.get_ref().clone(),
                label: c.label.clone().unwrap_or_else(|| c.key.get_ref().clone()),
                value: *c.value.get_ref(),
            })
            .collect();
        match Scale::new(name.get_ref(), choices) {
            Ok(s) => {
                scales.insert(name.get_ref().clone(), Arc::new(s));
            }
            Err(message) => {
                // Point at the offending choice where there is one.
                let span = def
                    .choices
                    .get_ref()
                    .iter()
                    .find(|c| message.contains(&format!("`{}`", c.key.get_ref())))
                    .map_or(def.choices.span(), |c| c.key.span());
                problems.push(span, message, None);
            }
        }
    }
    let mut resolve_scale = |name: &Spanned<String>, problems: &mut Problems| {
        let n = name.get_ref();
        if let Some(s) = scales.get(n) {
            return Some(s.clone());
        }
        if let Some(s) = scale::builtin(n) {
            let s = Arc::new(s);
            scales.insert(n.clone(), s.clone());
            return Some(s);
        }
        if !file.scales.keys().any(|k| k.get_ref() == n) {
            problems.push(
                    name.span(),
                    format!("unknown scale `{n}`"),
                    Some(
                        "use a built-in scale (yes-no, yes-partly-no, frequency, agreement, 0-10) or define it under [scales.NAME]",
                    ),
                );
        }
        None
    };
    let default_scale = match &file.scale {
        Some(name) => resolve_scale(name, &mut problems),
        None => scale::builtin("yes-no").map(Arc::new),
    };

    let no_sections = Vec::new();
    let file_sections = file.sections.as_ref().map_or(&no_sections, |s| s.get_ref());
    if file_sections.is_empty() {
        problems.push(
            file.sections.as_ref().map_or(0..0, |s| s.span()),
            "a checklist needs at least one section".into(),
            Some("add a [[sections]] table with at least one [[sections.items]]"),
        );
    }
    let mut sections = Vec::new();
    let mut section_ids: HashMap<String, ()> = HashMap::new();
    let mut index: HashMap<String, (usize, usize)> = HashMap::new();
    for section in file_sections {
        let sid = section.id.get_ref();
        check_item_id(sid, section.id.span(), "section", &mut problems);
        if section_ids.insert(sid.clone(), ()).is_some() {
            problems.push(
                section.id.span(),
                format!("section id `{sid}` is used twice"),
                Some("give every section its own id"),
            );
        }
        let stitle = match &section.title {
            Some(t) if t.get_ref().trim().is_empty() => {
                problems.push(
                    t.span(),
                    format!("section `{sid}`: title must not be empty"),
                    None,
                );
                String::new()
            }
            Some(t) => t.get_ref().clone(),
            None => sid.clone(),
        };
        let sweight = weight_of_with(&section.weight, &format!("section `{sid}`"), &mut problems);
        let no_items = Vec::new();
        let section_items = section.items.as_ref().map_or(&no_items, |i| i.get_ref());
        if section_items.is_empty() {
            problems.push(
                section.id.span(),
                format!("section `{sid}` has no items"),
                Some("add [[sections.items]] under it, or remove the section"),
            );
        }
        let mut items = Vec::new();
        for item in section_items {
            let iid = item.id.get_ref();
            check_item_id(iid, item.id.span(), "item", &mut problems);
            if index.contains_key(iid) {
                problems.push(
                    item.id.span(),
                    format!("item id `{iid}` is used twice"),
                    Some("item ids must be unique in the whole checklist"),
                );
            } else {
                index.insert(iid.clone(), (sections.len(), items.len()));
            }
            if item.text.get_ref().trim().is_empty() {
                problems.push(
                    item.text.span(),
                    format!("item `{iid}`: text must not be empty"),
                    Some("write the question in `text`"),
                );
            }
            let iweight = weight_of_with(&item.weight, &format!("item `{iid}`"), &mut problems);
            let scale = match &item.scale {
                Some(name) => resolve_scale(name, &mut problems),
                None => default_scale.clone(),
            };
            if let Some(scale) = scale {
                items.push(Item {
                    id: iid.clone(),
                    text: item.text.get_ref().clone(),
                    help: item.help.clone().filter(|h| !h.trim().is_empty()),
                    weight: iweight,
                    scale,
                    critical: item.critical,
                    na: item.na.unwrap_or(true),
                });
            }
        }
        // SPEC §9: the sums the scoring rule forms must be finite too, not only each weight.
        if !items.iter().map(|i| i.weight).sum::<f64>().is_finite() {
            problems.push(
                section.id.span(),
                format!("section `{sid}`: the weights of its items add up to more than a number can hold"),
                Some("use small weights such as 1, 2 or 2.5; only their ratios matter"),
            );
        }
        sections.push(Section {
            id: sid.clone(),
            title: stitle,
            weight: sweight,
            items,
        });
    }

    if !sections.iter().map(|s| s.weight).sum::<f64>().is_finite() {
        problems.push(
            file.id.span(),
            "the weights of the sections add up to more than a number can hold".to_string(),
            Some("use small weights such as 1, 2 or 2.5; only their ratios matter"),
        );
    }

    let mut renamed = BTreeMap::new();
    for (old, new) in &file.renamed {
        if index.contains_key(old.get_ref()) {
            problems.push(
                old.span(),
                format!("`{}` is renamed but is still an item id", old.get_ref()),
                Some("remove the rename, or the item with the old id"),
            );
        }
        if !index.contains_key(new.get_ref()) {
            problems.push(
                new.span(),
                format!(
                    "`{}` is renamed to `{}`, which is not an item of this checklist",
                    old.get_ref(),
                    new.get_ref()
                ),
                Some("a rename must point at an existing item id"),
            );
        }
        renamed.insert(old.get_ref().clone(), new.get_ref().clone());
    }

    if !problems.list.is_empty() {
        return Err(problems.list);
    }
    Ok(Checklist {
        id: id.clone(),
        title,
        version: file.version.into_inner(),
        description: file.description.filter(|d| !d.trim().is_empty()),
        weight,
        sections,
        renamed,
        index,
    })
}

fn weight_of_with(w: &Option<Spanned<f64>>, what: &str, problems: &mut Problems) -> f64 {
    match w {
        Some(w) if !(w.get_ref().is_finite() && *w.get_ref() > 0.0) => {
            problems.push(
                w.span(),
                format!(
                    "the weight of {what} must be a finite number above 0, not {}",
                    w.get_ref()
                ),
                Some("use a positive weight such as 1 or 2.5"),
            );
            1.0
        }
        Some(w) => *w.get_ref(),
        None => 1.0,
    }
}

fn check_item_id(id: &str, span: std::ops::Range<usize>, what: &str, problems: &mut Problems) {
    if id.trim().is_empty()
        || id.trim() != id
        || id.chars().any(char::is_control)
        || id == scale::NA
    {
        problems.push(
            span,
            format!(
                "{what} id `{}` is not valid",
                crate::text::terminal_safe(id)
            ),
            Some("use a short id of letters, digits and `-`, such as `return-calls`"),
        );
    }
}
