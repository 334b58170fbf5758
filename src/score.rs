//! Scoring (SPEC §5): checklists and responses in, a `Report` out. Pure: no I/O.
//!
//! Answers are folded into per-item tallies of choice counts as they arrive, so a report over
//! thousands of respondents holds one small tally per item, and tallies of parallel readers merge.

use std::collections::BTreeMap;

use crate::model::checklist::{Checklist, Item};
use crate::model::report::{
    ChecklistReport, ChecklistScore, CriticalGap, ItemReport, Note, REPORT_FORMAT, Report,
    RespondentScore, ScalePoint, SectionReport,
};
use crate::model::responses::Responses;
use crate::model::scale::NA;

/// An item is split when its answers lie this many points apart or more.
pub const SPLIT_POINTS: f64 = 50.0;
/// Tolerance for comparing percentages that are equal on paper but not in floating point.
const EPS: f64 = 1e-9;

/// How a report is labelled and what it withholds.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub period: String,
    pub generated: String,
    pub anonymous: bool,
    /// Withhold an item's choices and notes when fewer than this many answered it.
    pub min_responses: u64,
}

/// Running counts for one item.
#[derive(Debug, Clone, Default)]
struct ItemTally {
    /// Count per choice, in the scale's order.
    counts: Vec<u64>,
    na: u64,
    /// (respondent index, note)
    notes: Vec<(usize, String)>,
}

/// Everything a report needs, accumulated one respondent at a time.
#[derive(Debug, Clone)]
pub struct Tally<'c> {
    checklists: Vec<&'c Checklist>,
    /// Per checklist, per section, per item.
    items: Vec<Vec<Vec<ItemTally>>>,
    respondents: Vec<(String, Option<f64>, Vec<Option<f64>>)>,
}

impl<'c> Tally<'c> {
    pub fn new(checklists: Vec<&'c Checklist>) -> Self {
        let items = checklists
            .iter()
            .map(|c| {
                c.sections
                    .iter()
                    .map(|s| {
                        s.items
                            .iter()
                            .map(|i| ItemTally {
                                counts: vec![0; i.scale.choices.len()],
                                ..Default::default()
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Tally {
            checklists,
            items,
            respondents: Vec::new(),
        }
    }

    /// Adds one respondent. Answers to checklists not in this tally are ignored.
    pub fn add(&mut self, responses: &Responses) {
        let who = self.respondents.len();
        let mut own: Vec<Vec<Vec<Option<f64>>>> = self
            .checklists
            .iter()
            .map(|c| {
                c.sections
                    .iter()
                    .map(|s| vec![None; s.items.len()])
                    .collect()
            })
            .collect();
        for set in &responses.sets {
            let Some(ci) = self.checklists.iter().position(|c| c.id == set.checklist) else {
                continue;
            };
            let checklist = self.checklists[ci];
            for a in &set.answers {
                let tally = &mut self.items[ci][a.section][a.item];
                match a.choice {
                    Some(k) => {
                        tally.counts[k] += 1;
                        let item = &checklist.sections[a.section].items[a.item];
                        own[ci][a.section][a.item] =
                            Some(item.scale.score(item.scale.choices[k].value));
                    }
                    None => tally.na += 1,
                }
                if let Some(note) = &a.note {
                    tally.notes.push((who, note.clone()));
                }
            }
        }
        let per_checklist: Vec<Option<f64>> = self
            .checklists
            .iter()
            .zip(&own)
            .map(|(c, scores)| checklist_score(c, |s, i| scores[s][i]))
            .collect();
        let overall = weighted(
            self.checklists
                .iter()
                .zip(&per_checklist)
                .map(|(c, s)| (c.weight, *s)),
        );
        self.respondents
            .push((responses.respondent.clone(), overall, per_checklist));
    }

    /// Combines two tallies over the same checklists (from parallel readers); `other`'s respondents come after.
    pub fn merge(&mut self, other: Tally<'c>) {
        let offset = self.respondents.len();
        for (mine, theirs) in self
            .items
            .iter_mut()
            .flatten()
            .flatten()
            .zip(other.items.into_iter().flatten().flatten())
        {
            for (a, b) in mine.counts.iter_mut().zip(theirs.counts) {
                *a += b;
            }
            mine.na += theirs.na;
            mine.notes.extend(
                theirs
                    .notes
                    .into_iter()
                    .map(|(who, note)| (who + offset, note)),
            );
        }
        self.respondents.extend(other.respondents);
    }

    pub fn respondent_count(&self) -> usize {
        self.respondents.len()
    }

    pub fn finish(self, options: &Options) -> Report {
        let total = self.respondents.len() as u64;
        // Anonymous reports list respondents by score, so that file order reveals nobody.
        let mut order: Vec<usize> = (0..self.respondents.len()).collect();
        if options.anonymous {
            order.sort_by(|&a, &b| {
                let (sa, sb) = (self.respondents[a].1, self.respondents[b].1);
                sb.unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&sa.unwrap_or(f64::NEG_INFINITY))
            });
        }
        let names: Vec<String> = if options.anonymous {
            (1..=self.respondents.len())
                .map(|i| format!("respondent {i}"))
                .collect()
        } else {
            self.respondents.iter().map(|r| r.0.clone()).collect()
        };

        let mut checklists = Vec::new();
        let mut critical_gaps = Vec::new();
        for (checklist, tallies) in self.checklists.iter().zip(&self.items) {
            let mut sections = Vec::new();
            for (section, item_tallies) in checklist.sections.iter().zip(tallies) {
                let mut items = Vec::new();
                for (item, tally) in section.items.iter().zip(item_tallies) {
                    // Notes name their respondent unless the report is anonymous.
                    let notes = tally
                        .notes
                        .iter()
                        .map(|(who, note)| Note {
                            respondent: (!options.anonymous)
                                .then(|| self.respondents[*who].0.clone()),
                            note: note.clone(),
                        })
                        .collect();
                    let report = item_report(item, tally, notes, total, options);
                    if item.critical
                        && let Some(score) = report.score
                        && score < 100.0
                    {
                        critical_gaps.push(CriticalGap {
                            checklist: checklist.id.clone(),
                            item: item.id.clone(),
                            score,
                            text: item.text.clone(),
                        });
                    }
                    items.push(report);
                }
                let score = weighted(
                    section
                        .items
                        .iter()
                        .zip(&items)
                        .map(|(i, r)| (i.weight, r.score)),
                );
                sections.push(SectionReport {
                    id: section.id.clone(),
                    title: section.title.clone(),
                    weight: section.weight,
                    score,
                    items,
                });
            }
            let score = weighted(
                checklist
                    .sections
                    .iter()
                    .zip(&sections)
                    .map(|(s, r)| (s.weight, r.score)),
            );
            checklists.push(ChecklistReport {
                id: checklist.id.clone(),
                title: checklist.title.clone(),
                version: checklist.version.clone(),
                weight: checklist.weight,
                score,
                renamed: checklist.renamed.clone(),
                sections,
            });
        }
        let score = weighted(checklists.iter().map(|c| (c.weight, c.score)));

        let per_respondent = order
            .iter()
            .enumerate()
            .map(|(rank, &i)| {
                let (name, overall, per_checklist) = &self.respondents[i];
                RespondentScore {
                    respondent: if options.anonymous {
                        names[rank].clone()
                    } else {
                        name.clone()
                    },
                    score: overall.map(percent),
                    checklists: self
                        .checklists
                        .iter()
                        .zip(per_checklist)
                        .map(|(c, s)| ChecklistScore {
                            id: c.id.clone(),
                            score: s.map(percent),
                        })
                        .collect(),
                }
            })
            .collect();

        Report {
            format: REPORT_FORMAT.to_string(),
            period: options.period.clone(),
            generated: options.generated.clone(),
            respondents: names,
            anonymous: options.anonymous,
            score,
            checklists,
            critical_gaps,
            per_respondent,
        }
    }
}

fn percent(x: f64) -> f64 {
    x * 100.0
}

/// `Σ w·S / Σ w` over the parts with a defined score; undefined when none is. Scores stay as given.
fn weighted(parts: impl Iterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for (w, s) in parts {
        if let Some(s) = s {
            num += w * s;
            den += w;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// A checklist's score from item scores in [0, 1] (`score(section, item)`), as a fraction.
fn checklist_score(
    checklist: &Checklist,
    score: impl Fn(usize, usize) -> Option<f64>,
) -> Option<f64> {
    weighted(checklist.sections.iter().enumerate().map(|(si, section)| {
        let s = weighted(
            section
                .items
                .iter()
                .enumerate()
                .map(|(ii, item)| (item.weight, score(si, ii))),
        );
        (section.weight, s)
    }))
}

fn item_report(
    item: &Item,
    tally: &ItemTally,
    notes: Vec<Note>,
    total: u64,
    options: &Options,
) -> ItemReport {
    let scale = &item.scale;
    let scores: Vec<f64> = scale
        .choices
        .iter()
        .map(|c| percent(scale.score(c.value)))
        .collect();
    let n: u64 = tally.counts.iter().sum();
    let answered = || tally.counts.iter().zip(&scores).filter(|(c, _)| **c > 0);
    let (score, min, max, stddev) = if n == 0 {
        (None, None, None, None)
    } else {
        let nf = n as f64;
        let mean = answered().map(|(c, s)| *c as f64 * s).sum::<f64>() / nf;
        let var = answered()
            .map(|(c, s)| *c as f64 * (s - mean) * (s - mean))
            .sum::<f64>()
            / nf;
        let min = answered().map(|(_, s)| *s).fold(f64::INFINITY, f64::min);
        let max = answered()
            .map(|(_, s)| *s)
            .fold(f64::NEG_INFINITY, f64::max);
        (Some(mean), Some(min), Some(max), Some(var.sqrt()))
    };
    let split = matches!((min, max), (Some(lo), Some(hi)) if hi - lo >= SPLIT_POINTS - EPS);
    let withheld = n < options.min_responses;
    let mut choices = BTreeMap::new();
    if !withheld {
        for (choice, count) in scale.choices.iter().zip(&tally.counts) {
            if *count > 0 {
                choices.insert(choice.key.clone(), *count);
            }
        }
        if tally.na > 0 {
            choices.insert(NA.to_string(), tally.na);
        }
    }
    ItemReport {
        id: item.id.clone(),
        text: item.text.clone(),
        weight: item.weight,
        critical: item.critical,
        score,
        n,
        na: tally.na,
        missing: total.saturating_sub(n + tally.na),
        min,
        max,
        stddev,
        split,
        choices,
        notes: if withheld { Vec::new() } else { notes },
        scale: scale
            .choices
            .iter()
            .zip(&scores)
            .map(|(c, s)| ScalePoint {
                key: c.key.clone(),
                label: c.label.clone(),
                score: *s,
            })
            .collect(),
        withheld,
    }
}
