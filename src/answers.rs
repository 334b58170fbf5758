//! Every answer given, one row each (SPEC §13 `answers-csv`, the Answers sheet): kept compact
//! while the responses files are read, then laid out in an order that reveals nobody.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::load::Registry;
use crate::model::checklist::Checklist;
use crate::model::report::Report;
use crate::model::responses::Responses;
use crate::model::scale::NA;
use crate::score;
use crate::team::Team;

/// One answer as `answers-csv` and the Answers sheet show it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow<'a> {
    pub period: &'a str,
    pub respondent: &'a str,
    /// Empty when the respondent has none.
    pub role: &'a str,
    pub checklist: &'a str,
    pub section: &'a str,
    pub item: &'a str,
    /// The choice key, or `n/a`.
    pub choice: &'a str,
    /// The scale's raw value; `None` for `n/a`.
    pub value: Option<f64>,
    /// Percent; `None` for `n/a`.
    pub score: Option<f64>,
    pub note: &'a str,
}

/// No choice: the answer was `n/a`.
const NO_CHOICE: u16 = u16::MAX;
/// No note.
const NO_NOTE: u32 = u32::MAX;

/// One answer in 12 bytes, so that a million of them fit in a few megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Compact {
    /// Index into `Items::at`.
    item: u32,
    choice: u16,
    /// Index into the person's notes.
    note: u32,
}

/// One responses file's answers.
#[derive(Debug)]
struct Person {
    name: String,
    role: Option<String>,
    answers: Vec<Compact>,
    notes: Vec<String>,
    /// Own scores (fractions): overall, then per checklist of the registry.
    overall: Option<f64>,
    per_checklist: Vec<Option<f64>>,
}

/// The respondent's role: the team list's, else the one their responses file gives (SPEC §10).
fn role_of(team: Option<&Team>, responses: &Responses) -> Option<String> {
    crate::team::role_of(team, &responses.respondent, responses.role.as_deref())
        .0
        .map(str::to_string)
}

/// Every item of every checklist in the registry, flattened, so that an answer names its item
/// by one number.
struct Items<'c> {
    checklists: Vec<&'c Checklist>,
    /// (checklist, section, item) of each flattened index.
    at: Vec<(u32, u32, u32)>,
    /// Where each checklist's sections start in `at`.
    starts: Vec<Vec<u32>>,
}

impl<'c> Items<'c> {
    fn new(registry: &'c Registry) -> Self {
        let checklists: Vec<&Checklist> = registry.iter().map(|(c, _)| c).collect();
        let mut at = Vec::new();
        let mut starts = Vec::new();
        for (ci, c) in checklists.iter().enumerate() {
            let mut s_starts = Vec::new();
            for (si, s) in c.sections.iter().enumerate() {
                s_starts.push(at.len() as u32);
                for ii in 0..s.items.len() {
                    at.push((ci as u32, si as u32, ii as u32));
                }
            }
            starts.push(s_starts);
        }
        Items {
            checklists,
            at,
            starts,
        }
    }
}

/// Gathers answers while `collect::build_team_report` reads the files: pass `keep` as its callback.
pub struct Keeper<'c> {
    items: Items<'c>,
    team: Option<&'c Team>,
    people: Mutex<Vec<(usize, Person)>>,
}

impl<'c> Keeper<'c> {
    pub fn new(registry: &'c Registry, team: Option<&'c Team>) -> Self {
        Keeper {
            items: Items::new(registry),
            team,
            people: Mutex::new(Vec::new()),
        }
    }

    /// Keeps one file's answers.
    pub fn keep(&self, seq: usize, responses: &Responses) {
        let mut answers = Vec::new();
        let mut notes = Vec::new();
        for set in &responses.sets {
            let Some(ci) = self
                .items
                .checklists
                .iter()
                .position(|c| c.id == set.checklist)
            else {
                continue;
            };
            for a in &set.answers {
                let note = match &a.note {
                    Some(n) => {
                        notes.push(n.clone());
                        (notes.len() - 1) as u32
                    }
                    None => NO_NOTE,
                };
                answers.push(Compact {
                    item: self.items.starts[ci][a.section] + a.item as u32,
                    choice: a.choice.map_or(NO_CHOICE, |k| k as u16),
                    note,
                });
            }
        }
        answers.sort_unstable();
        let (overall, per_checklist) = score::own_scores(&self.items.checklists, responses);
        let person = Person {
            name: responses.respondent.clone(),
            role: role_of(self.team, responses),
            answers,
            notes,
            overall,
            per_checklist,
        };
        if let Ok(mut people) = self.people.lock() {
            people.push((seq, person));
        }
    }

    /// The answers in their final order, labelled as `report` labels its respondents.
    pub fn finish(self, report: &Report) -> Answers<'c> {
        let mut people: Vec<Person> = self
            .people
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        if report.anonymous {
            // A withheld group reveals nothing (SPEC §10), not even who is in it: its members'
            // rows show no role. So does a role the report lists no group for.
            for p in &mut people {
                let shown = p.role.as_deref().is_some_and(|role| {
                    report.groups.iter().any(|g| g.role == role && !g.withheld)
                });
                if !shown {
                    p.role = None;
                }
            }
        }
        let items = self.items;
        let mut withheld = vec![false; items.at.len()];
        for (c, _, i) in report.items().filter(|(_, _, i)| i.withheld) {
            if let Some(ci) = items.checklists.iter().position(|k| k.id == c.id)
                && let Some((s, it)) = items.checklists[ci].locate(&i.id)
            {
                withheld[(items.starts[ci][s] + it as u32) as usize] = true;
            }
        }
        let (people, labels) = if report.anonymous {
            anonymous_order(&items, people, report)
        } else {
            let mut people = people;
            people.sort_by_cached_key(|p| (crate::team::identity(&p.name), p.name.clone()));
            let labels = people.iter().map(|p| p.name.clone()).collect();
            (people, labels)
        };
        Answers {
            items,
            period: report.period.clone(),
            people,
            labels,
            withheld,
        }
    }
}

/// What a person answered, as comparable content: item, choice and note of every answer.
fn content(p: &Person) -> impl Iterator<Item = (u32, u16, &str)> {
    p.answers.iter().map(|a| {
        let note = p.notes.get(a.note as usize).map_or("", |s| s.as_str());
        (a.item, a.choice, note)
    })
}

/// Everything a person's rows show but their label: the role shown, then every answer with
/// its note. Two people equal by it have the same rows, so their order cannot matter.
fn shown_cmp(a: &Person, b: &Person) -> std::cmp::Ordering {
    a.role.cmp(&b.role).then_with(|| content(a).cmp(content(b)))
}

/// The key that finds a person in the anonymous report's `per_respondent`: their scores in
/// percent, bit for bit, overall and per checklist of the report.
type Key = Vec<Option<u64>>;

fn person_key(items: &Items, report: &Report, p: &Person) -> Key {
    let pct = |x: Option<f64>| x.map(|x| (x * 100.0).to_bits());
    let mut key = vec![pct(p.overall)];
    for c in &report.checklists {
        let s = items
            .checklists
            .iter()
            .position(|k| k.id == c.id)
            .and_then(|ci| p.per_checklist[ci]);
        key.push(pct(s));
    }
    key
}

fn report_key(report: &Report, i: usize) -> Key {
    let r = &report.per_respondent[i];
    let mut key = vec![r.score.map(f64::to_bits)];
    for c in &report.checklists {
        key.push(
            r.checklists
                .iter()
                .find(|s| s.id == c.id)
                .and_then(|s| s.score)
                .map(f64::to_bits),
        );
    }
    key
}

/// People in the order of the anonymous report's `respondent N`, each with that label. The
/// report numbers by score; a file is matched to its number by its scores, and files whose
/// scores are all equal (so that no figure tells them apart) share their numbers in the order
/// of what their rows show (role, answers, notes). Nothing depends on file names or their order.
fn anonymous_order(
    items: &Items,
    mut people: Vec<Person>,
    report: &Report,
) -> (Vec<Person>, Vec<String>) {
    people.sort_by(shown_cmp);
    let mut slots: HashMap<Key, Vec<usize>> = HashMap::new();
    for i in (0..report.per_respondent.len()).rev() {
        slots.entry(report_key(report, i)).or_default().push(i);
    }
    let mut placed: Vec<Option<usize>> = Vec::with_capacity(people.len());
    for p in &people {
        placed.push(
            slots
                .get_mut(&person_key(items, report, p))
                .and_then(|v| v.pop()),
        );
    }
    if placed.iter().all(Option::is_some) && people.len() == report.per_respondent.len() {
        let mut paired: Vec<(usize, Person)> = placed.into_iter().flatten().zip(people).collect();
        paired.sort_by_key(|(i, _)| *i);
        let labels = paired
            .iter()
            .map(|(i, _)| report.per_respondent[*i].respondent.clone())
            .collect();
        return (paired.into_iter().map(|(_, p)| p).collect(), labels);
    }
    // A report whose figures do not match the files (it cannot happen for one built from
    // them): number by score, best first, ties by content.
    people.sort_by(|a, b| {
        b.overall
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.overall.unwrap_or(f64::NEG_INFINITY))
    });
    let labels = (1..=people.len())
        .map(|i| format!("respondent {i}"))
        .collect();
    (people, labels)
}

/// Every answer, ready to be written row by row.
pub struct Answers<'c> {
    items: Items<'c>,
    period: String,
    people: Vec<Person>,
    labels: Vec<String>,
    withheld: Vec<bool>,
}

impl Answers<'_> {
    /// Calls `f` with every row, respondent by respondent, each in checklist order; the rows of
    /// withheld items are left out.
    pub fn for_each<E>(&self, mut f: impl FnMut(&AnswerRow) -> Result<(), E>) -> Result<(), E> {
        for (p, label) in self.people.iter().zip(&self.labels) {
            let role = p.role.as_deref().unwrap_or("");
            for a in &p.answers {
                if self.withheld[a.item as usize] {
                    continue;
                }
                let (ci, si, ii) = self.items.at[a.item as usize];
                let c = self.items.checklists[ci as usize];
                let s = &c.sections[si as usize];
                let item = &s.items[ii as usize];
                let (choice, value, score) = match item.scale.choices.get(a.choice as usize) {
                    Some(ch) if a.choice != NO_CHOICE => (
                        ch.key.as_str(),
                        Some(ch.value),
                        Some(item.scale.score(ch.value) * 100.0),
                    ),
                    _ => (NA, None, None),
                };
                let note = p.notes.get(a.note as usize).map_or("", |s| s.as_str());
                f(&AnswerRow {
                    period: &self.period,
                    respondent: label,
                    role,
                    checklist: &c.id,
                    section: &s.id,
                    item: &item.id,
                    choice,
                    value,
                    score,
                    note,
                })?;
            }
        }
        Ok(())
    }

    /// How many rows `for_each` gives.
    pub fn len(&self) -> usize {
        self.people
            .iter()
            .flat_map(|p| &p.answers)
            .filter(|a| !self.withheld[a.item as usize])
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;

    /// Ann answers `all`, Bob `few`, Cy `none`: three different scores.
    fn team(registry: &Registry) -> (Keeper<'_>, Report) {
        let keeper = Keeper::new(registry, None);
        let checklists: Vec<_> = registry.iter().map(|(c, _)| c).collect();
        let mut tally = score::Tally::new(checklists);
        for (seq, (name, key)) in [("Ann", "all"), ("Bob", "few"), ("Cy", "none")]
            .iter()
            .enumerate()
        {
            let text = format!(
                "respondent = \"{name}\"\nperiod = \"Q\"\n[answers.be-sure]\nempowered = \"{key}\"\n"
            );
            let (r, _) = Responses::parse(
                &Source {
                    name: "r.toml",
                    text: &text,
                },
                |id| registry.get(id),
                Vec::new,
            )
            .unwrap_or_else(|p| panic!("{p:?}"));
            keeper.keep(seq, &r);
            tally.add(seq, &r);
        }
        let report = tally.finish(&score::Options {
            anonymous: true,
            ..Default::default()
        });
        (keeper, report)
    }

    fn rows(answers: &Answers) -> Vec<(String, String)> {
        let mut out = Vec::new();
        answers
            .for_each(|r| {
                out.push((r.respondent.to_string(), r.choice.to_string()));
                Ok::<(), ()>(())
            })
            .unwrap_or_default();
        out
    }

    #[test]
    fn each_file_gets_the_number_the_report_gave_its_scores() {
        let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e}"));
        let (keeper, report) = team(&registry);
        assert_eq!(
            rows(&keeper.finish(&report)),
            [
                ("respondent 1".to_string(), "all".to_string()),
                ("respondent 2".to_string(), "few".to_string()),
                ("respondent 3".to_string(), "none".to_string()),
            ]
        );
        // Whatever rule numbers the report, the files follow its numbers.
        let (keeper, mut report) = team(&registry);
        report.per_respondent.reverse();
        for (i, p) in report.per_respondent.iter_mut().enumerate() {
            p.respondent = format!("respondent {}", i + 1);
        }
        assert_eq!(
            rows(&keeper.finish(&report)),
            [
                ("respondent 1".to_string(), "none".to_string()),
                ("respondent 2".to_string(), "few".to_string()),
                ("respondent 3".to_string(), "all".to_string()),
            ]
        );
    }

    #[test]
    fn withheld_items_have_no_rows() {
        let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e}"));
        let (keeper, mut report) = team(&registry);
        for c in &mut report.checklists {
            for s in &mut c.sections {
                for i in &mut s.items {
                    i.withheld = i.id == "empowered";
                }
            }
        }
        let answers = keeper.finish(&report);
        assert!(rows(&answers).is_empty());
        assert!(answers.is_empty());
    }
}
