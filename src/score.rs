//! Scoring (SPEC §5): checklists and responses in, a `Report` out. Pure: no I/O.
//!
//! Answers are folded into per-item tallies of choice counts as they arrive, so a report over
//! thousands of respondents holds one small tally per item, and tallies of parallel readers merge.

use std::collections::{BTreeMap, HashMap};

use crate::model::checklist::{Checklist, Item};
use crate::model::report::{
    ChecklistReport, ChecklistScore, CriticalGap, ItemReport, Note, REPORT_FORMAT, Report,
    RespondentScore, ScalePoint, SectionReport,
};
use crate::model::report::{GapEnd, Group, GroupChecklist, GroupItem, GroupScore, PerceptionGap};
use crate::model::responses::Responses;
use crate::model::scale::NA;
use crate::stats;
use crate::stats::EPS;

/// An item is split when its answers lie this many points apart or more.
pub const SPLIT_POINTS: f64 = 50.0;

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
    /// (respondent's input position, note)
    notes: Vec<(usize, String)>,
}

/// One respondent's own scores, kept to report them per respondent.
#[derive(Debug, Clone)]
struct RespondentTally {
    /// Position in the input, so parallel readers still report in input order.
    seq: usize,
    name: String,
    overall: Option<f64>,
    per_checklist: Vec<Option<f64>>,
    /// §14: the items answered (not `n/a`), as (flat item, choice), in item order: what the
    /// jackknife needs to take this respondent out.
    answers: Vec<(u32, u32)>,
}

/// Everything a report needs, accumulated one respondent at a time.
#[derive(Debug, Clone)]
pub struct Tally<'c> {
    checklists: Vec<&'c Checklist>,
    /// Where each checklist's and section's items start in `items`.
    offsets: Vec<Vec<usize>>,
    /// Every item of every checklist, in order.
    items: Vec<ItemTally>,
    /// Whether anybody answered each checklist; the others are left out of the report.
    answered: Vec<bool>,
    respondents: Vec<RespondentTally>,
}

impl<'c> Tally<'c> {
    pub fn new(checklists: Vec<&'c Checklist>) -> Self {
        let mut offsets = Vec::new();
        let mut items = Vec::new();
        for c in &checklists {
            let mut starts = Vec::new();
            for s in &c.sections {
                starts.push(items.len());
                items.extend(s.items.iter().map(|i| ItemTally {
                    counts: vec![0; i.scale.choices.len()],
                    ..Default::default()
                }));
            }
            offsets.push(starts);
        }
        Tally {
            answered: vec![false; checklists.len()],
            checklists,
            offsets,
            items,
            respondents: Vec::new(),
        }
    }

    /// Adds one respondent, `seq` being its position in the input. Answers to checklists not
    /// in this tally are ignored.
    pub fn add(&mut self, seq: usize, responses: &Responses) {
        let mut own: Vec<Option<f64>> = vec![None; self.items.len()];
        // Sized once: a team of thousands keeps these lists for the jackknife of §14.
        let mut answers: Vec<(u32, u32)> =
            Vec::with_capacity(responses.sets.iter().map(|s| s.answers.len()).sum());
        for set in &responses.sets {
            let Some(ci) = self.checklists.iter().position(|c| c.id == set.checklist) else {
                continue;
            };
            // An empty [answers.ID] table answers nothing: it does not put its checklist in the report.
            if !set.answers.is_empty() {
                self.answered[ci] = true;
            }
            let checklist = self.checklists[ci];
            for a in &set.answers {
                let at = self.offsets[ci][a.section] + a.item;
                let tally = &mut self.items[at];
                match a.choice {
                    Some(k) => {
                        tally.counts[k] += 1;
                        answers.push((at as u32, k as u32));
                        let scale = &checklist.sections[a.section].items[a.item].scale;
                        own[at] = Some(scale.score(scale.choices[k].value));
                    }
                    None => tally.na += 1,
                }
                if let Some(note) = &a.note {
                    tally.notes.push((seq, note.clone()));
                }
            }
        }
        let per_checklist: Vec<Option<f64>> = self
            .checklists
            .iter()
            .zip(&self.offsets)
            .map(|(c, starts)| checklist_score(c, |s, i| own[starts[s] + i]))
            .collect();
        let overall = weighted(
            self.checklists
                .iter()
                .zip(&per_checklist)
                .map(|(c, s)| (c.weight, *s)),
        );
        self.respondents.push(RespondentTally {
            seq,
            name: responses.respondent.clone(),
            overall,
            per_checklist,
            answers: {
                answers.sort_unstable();
                answers
            },
        });
    }

    /// Combines two tallies over the same checklists, e.g. from parallel readers.
    pub fn merge(&mut self, other: Tally<'c>) {
        for (mine, theirs) in self.items.iter_mut().zip(other.items) {
            for (a, b) in mine.counts.iter_mut().zip(theirs.counts) {
                *a += b;
            }
            mine.na += theirs.na;
            mine.notes.extend(theirs.notes);
        }
        for (mine, theirs) in self.answered.iter_mut().zip(other.answered) {
            *mine |= theirs;
        }
        self.respondents.extend(other.respondents);
    }

    pub fn respondent_count(&self) -> usize {
        self.respondents.len()
    }

    /// The report: respondents in order and named (or not), every answered checklist scored
    /// from its tallies with §14's margins, the critical gaps, and each respondent's scores.
    pub fn finish(mut self, options: &Options) -> Report {
        self.respondents.sort_by_key(|r| r.seq);
        let order = self.listing_order(options.anonymous);
        let names = self.names(options.anonymous);
        let stats = self.stats();
        let (checklists, critical_gaps) = self.checklist_reports(&stats, options);
        let score = weighted(checklists.iter().map(|c| (c.weight, c.score)));
        let margin = stats.overall.margin(score);
        let per_respondent = self.per_respondent(&order, &names, options.anonymous);
        Report {
            format: REPORT_FORMAT.to_string(),
            period: options.period.clone(),
            generated: options.generated.clone(),
            respondents: names,
            anonymous: options.anonymous,
            score,
            se: margin.se,
            ci: margin.ci,
            moe: margin.moe,
            checklists,
            critical_gaps,
            per_respondent,
            response_rate: None,
            unlisted: None,
            groups: Vec::new(),
            perception_gaps: Vec::new(),
            actions: None,
            targets: None,
            unanswered: Vec::new(),
        }
    }

    /// The order respondents are listed in: input order, or for anonymous reports by score,
    /// so that input order reveals nobody.
    fn listing_order(&self, anonymous: bool) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.respondents.len()).collect();
        if anonymous {
            // Ties are broken by what the row shows (the scores per checklist), never by input
            // order: two rows that compare equal are the same row.
            let key = |s: Option<f64>| s.unwrap_or(f64::NEG_INFINITY);
            order.sort_by(|&a, &b| {
                let (ra, rb) = (&self.respondents[a], &self.respondents[b]);
                key(rb.overall).total_cmp(&key(ra.overall)).then_with(|| {
                    rb.per_checklist
                        .iter()
                        .zip(&ra.per_checklist)
                        .map(|(sb, sa)| key(*sb).total_cmp(&key(*sa)))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
            });
        }
        order
    }

    /// Respondents as the report names them: `respondent N` when anonymous.
    fn names(&self, anonymous: bool) -> Vec<String> {
        if anonymous {
            (1..=self.respondents.len())
                .map(|i| format!("respondent {i}"))
                .collect()
        } else {
            self.respondents.iter().map(|r| r.name.clone()).collect()
        }
    }

    /// Who wrote a note: nobody when anonymous.
    fn name_of(&self, seq: usize, anonymous: bool) -> Option<String> {
        if anonymous {
            return None;
        }
        let i = self
            .respondents
            .binary_search_by_key(&seq, |r| r.seq)
            .ok()?;
        Some(self.respondents[i].name.clone())
    }

    /// An item's notes, in input order, or by their text alone when anonymous: input order
    /// (file names, which `run` makes from respondents' names) would reveal who wrote them.
    fn notes(&self, tally: &ItemTally, anonymous: bool) -> Vec<Note> {
        let mut notes: Vec<&(usize, String)> = tally.notes.iter().collect();
        if anonymous {
            notes.sort_by(|(_, a), (_, b)| a.cmp(b));
        } else {
            notes.sort_by_key(|(seq, _)| *seq);
        }
        notes
            .into_iter()
            .map(|(seq, note)| Note {
                respondent: self.name_of(*seq, anonymous),
                note: note.clone(),
            })
            .collect()
    }

    /// Every answered checklist scored, item up to checklist, with its margins; and the
    /// critical gaps met on the way, in report order.
    fn checklist_reports(
        &self,
        stats: &stats::TeamStats,
        options: &Options,
    ) -> (Vec<ChecklistReport>, Vec<CriticalGap>) {
        let total = self.respondents.len() as u64;
        let mut checklists = Vec::new();
        let mut critical_gaps = Vec::new();
        for (ci, checklist) in self.checklists.iter().enumerate() {
            if !self.answered[ci] {
                continue;
            }
            let mut sections = Vec::new();
            for (si, section) in checklist.sections.iter().enumerate() {
                let mut items = Vec::new();
                for (ii, item) in section.items.iter().enumerate() {
                    let tally = &self.items[self.offsets[ci][si] + ii];
                    let notes = self.notes(tally, options.anonymous);
                    let mut report = item_report(item, tally, notes, total, options);
                    let at = self.offsets[ci][si] + ii;
                    let margin = stats.items[at].margin(report.score);
                    (report.se, report.ci, report.moe) = (margin.se, margin.ci, margin.moe);
                    report.rwg = stats.rwg[at];
                    if let Some(score) =
                        crate::model::report::critical_gap(item.critical, report.score)
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
                let margin = stats.sections[ci][si].margin(score);
                sections.push(SectionReport {
                    id: section.id.clone(),
                    title: section.title.clone(),
                    weight: section.weight,
                    score,
                    se: margin.se,
                    ci: margin.ci,
                    moe: margin.moe,
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
            let margin = stats.checklists[ci].margin(score);
            checklists.push(ChecklistReport {
                id: checklist.id.clone(),
                title: checklist.title.clone(),
                version: checklist.version.clone(),
                weight: checklist.weight,
                score,
                se: margin.se,
                ci: margin.ci,
                moe: margin.moe,
                alpha: stats.alpha[ci],
                renamed: checklist.renamed.clone(),
                sections,
            });
        }
        (checklists, critical_gaps)
    }

    /// Each respondent's own scores, in listing order.
    fn per_respondent(
        &self,
        order: &[usize],
        names: &[String],
        anonymous: bool,
    ) -> Vec<RespondentScore> {
        order
            .iter()
            .enumerate()
            .map(|(rank, &i)| {
                let r = &self.respondents[i];
                RespondentScore {
                    respondent: names[if anonymous { rank } else { i }].clone(),
                    score: r.overall.map(percent),
                    checklists: self
                        .checklists
                        .iter()
                        .zip(&r.per_checklist)
                        .zip(&self.answered)
                        .filter(|(_, answered)| **answered)
                        .map(|((c, s), _)| ChecklistScore {
                            id: c.id.clone(),
                            score: s.map(percent),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// §14's figures, from the tallies and each respondent's answers in one pass.
    fn stats(&self) -> stats::TeamStats {
        let mut shapes = Vec::new();
        let mut items = Vec::new();
        for ((c, starts), answered) in self
            .checklists
            .iter()
            .zip(&self.offsets)
            .zip(&self.answered)
        {
            let mut sections = Vec::new();
            for (s, &start) in c.sections.iter().zip(starts) {
                sections.push(stats::SectionShape {
                    weight: s.weight,
                    items: start..start + s.items.len(),
                });
                items.extend(s.items.iter().map(|i| {
                    stats::ItemShape {
                        weight: i.weight,
                        scores: i
                            .scale
                            .choices
                            .iter()
                            .map(|k| i.scale.score(k.value))
                            .collect(),
                    }
                }));
            }
            shapes.push(stats::ChecklistShape {
                weight: c.weight,
                counted: *answered,
                sections,
            });
        }
        let counts: Vec<&[u64]> = self.items.iter().map(|t| t.counts.as_slice()).collect();
        stats::team_stats(
            &shapes,
            &items,
            &counts,
            self.respondents.iter().map(|r| r.answers.as_slice()),
        )
    }

    /// Whether anybody answered any checklist of this tally.
    pub fn any_answered(&self) -> bool {
        self.answered.iter().any(|a| *a)
    }
}

/// One respondent's own scores, as fractions, computed as `Tally::add` computes them for
/// `per_respondent`: overall, and per checklist of `checklists` in their order. The answers
/// export uses it to find each file's `respondent N` in an anonymous report.
pub fn own_scores(
    checklists: &[&Checklist],
    responses: &Responses,
) -> (Option<f64>, Vec<Option<f64>>) {
    let per_checklist: Vec<Option<f64>> = checklists
        .iter()
        .map(|c| {
            let mut own: Vec<Vec<Option<f64>>> = c
                .sections
                .iter()
                .map(|s| vec![None; s.items.len()])
                .collect();
            for set in responses.sets.iter().filter(|s| s.checklist == c.id) {
                for a in &set.answers {
                    if let Some(k) = a.choice {
                        let scale = &c.sections[a.section].items[a.item].scale;
                        own[a.section][a.item] = Some(scale.score(scale.choices[k].value));
                    }
                }
            }
            checklist_score(c, |s, i| own[s][i])
        })
        .collect();
    let overall = weighted(
        checklists
            .iter()
            .zip(&per_checklist)
            .map(|(c, s)| (c.weight, *s)),
    );
    (overall, per_checklist)
}

fn percent(x: f64) -> f64 {
    x * 100.0
}

/// `Σ w·S / Σ w` over the parts with a defined score; undefined when none is. Scores stay as given.
/// Weights are taken relative to the largest, so that no sum overflows even across
/// checklists whose weights are each valid (SPEC §9: every score is finite or undefined).
fn weighted(parts: impl Iterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    let defined: Vec<(f64, f64)> = parts.filter_map(|(w, s)| s.map(|s| (w, s))).collect();
    let sums = |scale: f64| {
        defined.iter().fold((0.0, 0.0), |(num, den), (w, s)| {
            let w = w / scale;
            (num + w * s, den + w)
        })
    };
    let (mut num, mut den): (f64, f64) = sums(1.0);
    if !(num.is_finite() && den.is_finite()) {
        let top = defined.iter().map(|(w, _)| *w).fold(0.0, f64::max);
        (num, den) = sums(top);
    }
    let score = num / den;
    (den > 0.0 && score.is_finite()).then_some(score)
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
        se: None,
        ci: None,
        moe: None,
        rwg: None,
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

/// Groups' scores this many points apart or more make a perception gap (SPEC §10).
pub const GAP_POINTS: f64 = 25.0;

/// Each role's figures by SPEC §5 on its respondents alone (SPEC §10), in the order given:
/// `(role, title, tally)`. A group with fewer than `min_group` respondents is withheld: its
/// size stays, every figure goes. Checklists, sections and items follow `report`'s order.
pub fn groups(
    report: &Report,
    tallies: Vec<(String, String, Tally<'_>)>,
    min_group: u64,
) -> Vec<Group> {
    tallies
        .into_iter()
        .map(|(role, title, tally)| {
            let n = tally.respondent_count() as u64;
            if n < min_group {
                return Group {
                    role,
                    title,
                    n,
                    score: None,
                    withheld: true,
                    checklists: Vec::new(),
                };
            }
            let own = tally.finish(&Options::default());
            // The group's report comes from the same checklists, so a checklist both have holds
            // the same sections and items in the same order: match checklists by id, the rest
            // by position, in linear time.
            let by_id: HashMap<&str, &ChecklistReport> =
                own.checklists.iter().map(|g| (g.id.as_str(), g)).collect();
            let checklists = report
                .checklists
                .iter()
                .map(|c| {
                    let theirs = by_id.get(c.id.as_str()).copied().filter(|g| {
                        g.sections.len() == c.sections.len()
                            && g.sections
                                .iter()
                                .zip(&c.sections)
                                .all(|(a, b)| a.id == b.id && a.items.len() == b.items.len())
                    });
                    let their_sections = theirs.map(|g| g.sections.as_slice()).unwrap_or(&[]);
                    let mut their_items = their_sections.iter().flat_map(|s| &s.items);
                    GroupChecklist {
                        id: c.id.clone(),
                        score: theirs.and_then(|g| g.score),
                        sections: c
                            .sections
                            .iter()
                            .enumerate()
                            .map(|(si, s)| GroupScore {
                                id: s.id.clone(),
                                score: their_sections.get(si).and_then(|x| x.score),
                            })
                            .collect(),
                        items: c
                            .sections
                            .iter()
                            .flat_map(|s| &s.items)
                            .map(|i| {
                                let mine = their_items.next();
                                GroupItem {
                                    id: i.id.clone(),
                                    score: mine.and_then(|m| m.score),
                                    n: mine.map_or(0, |m| m.n),
                                }
                            })
                            .collect(),
                    }
                })
                .collect();
            Group {
                role,
                title,
                n,
                score: own.score,
                withheld: false,
                checklists,
            }
        })
        .collect()
}

/// Items scored by two or more groups (withheld ones take no part) whose highest and lowest
/// group scores lie `GAP_POINTS` or more apart, with the gates' tolerance; biggest first, ties
/// in the report's order. `groups` must be `groups(report, …)`.
pub fn perception_gaps(report: &Report, groups: &[Group]) -> Vec<PerceptionGap> {
    let shown: Vec<&Group> = groups.iter().filter(|g| !g.withheld).collect();
    let mut gaps = Vec::new();
    for (ci, c) in report.checklists.iter().enumerate() {
        let items = c.sections.iter().flat_map(|s| &s.items);
        for (ii, item) in items.enumerate() {
            let mut high: Option<(&str, f64)> = None;
            let mut low: Option<(&str, f64)> = None;
            let mut scored = 0;
            for g in &shown {
                let Some(s) = g
                    .checklists
                    .get(ci)
                    .and_then(|gc| gc.items.get(ii))
                    .and_then(|gi| gi.score)
                else {
                    continue;
                };
                scored += 1;
                if high.is_none_or(|(_, h)| s > h) {
                    high = Some((&g.role, s));
                }
                if low.is_none_or(|(_, l)| s < l) {
                    low = Some((&g.role, s));
                }
            }
            if let (Some(h), Some(l)) = (high, low)
                && scored >= 2
                && h.1 - l.1 >= GAP_POINTS - EPS
            {
                gaps.push(PerceptionGap {
                    checklist: c.id.clone(),
                    item: item.id.clone(),
                    high: GapEnd {
                        role: h.0.to_string(),
                        score: h.1,
                    },
                    low: GapEnd {
                        role: l.0.to_string(),
                        score: l.1,
                    },
                    gap: h.1 - l.1,
                });
            }
        }
    }
    gaps.sort_by(|a, b| b.gap.total_cmp(&a.gap));
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;

    fn checklist(text: &str) -> Checklist {
        Checklist::parse(&Source {
            name: "test.toml",
            text,
        })
        .unwrap()
    }

    fn responses(checklists: &[&Checklist], text: &str) -> Responses {
        let lookup = |id: &str| checklists.iter().copied().find(|c| c.id == id);
        Responses::parse(
            &Source {
                name: "r.toml",
                text,
            },
            lookup,
            Vec::new,
        )
        .unwrap()
        .0
    }

    fn report(checklists: &[&Checklist], files: &[&str], options: &Options) -> Report {
        let mut tally = Tally::new(checklists.to_vec());
        for (seq, f) in files.iter().enumerate() {
            tally.add(seq, &responses(checklists, f));
        }
        tally.finish(options)
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("a defined score");
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    const WEIGHTED: &str = r#"
id = "t"
version = "1"
[[sections]]
id = "a"
weight = 3
[[sections.items]]
id = "x"
text = "X"
weight = 2
[[sections.items]]
id = "y"
text = "Y"
[[sections]]
id = "b"
[[sections.items]]
id = "z"
text = "Z"
scale = "frequency"
"#;

    #[test]
    fn weights_na_and_absent_answers_follow_the_rule() {
        let c = checklist(WEIGHTED);
        let r = report(
            &[&c],
            &[
                "respondent = \"One\"\nperiod = \"p\"\n[answers.t]\nx = \"yes\"\ny = \"no\"\nz = \"often\"",
                "respondent = \"Two\"\nperiod = \"p\"\n[answers.t]\nx = \"no\"\ny = \"n/a\"",
            ],
            &Options::default(),
        );
        let a = &r.checklists[0].sections[0];
        let (x, y) = (&a.items[0], &a.items[1]);
        let z = &r.checklists[0].sections[1].items[0];
        close(x.score, 50.0);
        close(y.score, 0.0);
        close(z.score, 75.0);
        // section a: (2·50 + 1·0) / 3; section b: 75; checklist: (3·33.33 + 1·75) / 4
        close(a.score, 100.0 / 3.0);
        close(r.checklists[0].sections[1].score, 75.0);
        close(r.checklists[0].score, 43.75);
        close(r.score, 43.75);
        assert_eq!((x.n, x.na, x.missing), (2, 0, 0));
        assert_eq!((y.n, y.na, y.missing), (1, 1, 0));
        assert_eq!((z.n, z.na, z.missing), (1, 0, 1));
        close(x.stddev, 50.0);
        assert!(x.split && !y.split && !z.split);
        close(z.stddev, 0.0);
        assert_eq!(y.choices.get("n/a"), Some(&1));
        // One: a = (200 + 0) / 3, b = 75 → (3·66.67 + 75) / 4; Two: a = 0, b undefined → 0.
        close(r.per_respondent[0].score, 68.75);
        close(r.per_respondent[1].score, 0.0);
    }

    #[test]
    fn custom_scales_with_negative_unsorted_values_span_zero_to_hundred() {
        let c = checklist(
            r#"
id = "s"
version = "1"
scale = "odd"
[scales.odd]
choices = [{ key = "b", value = 3 }, { key = "a", value = -1 }, { key = "c", value = 1 }]
[[sections]]
id = "only"
[[sections.items]]
id = "q"
text = "Q"
"#,
        );
        let files: Vec<String> = ["a", "c", "b"]
            .iter()
            .enumerate()
            .map(|(i, k)| {
                format!("respondent = \"R{i}\"\nperiod = \"p\"\n[answers.s]\nq = \"{k}\"")
            })
            .collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let r = report(&[&c], &files, &Options::default());
        let q = &r.checklists[0].sections[0].items[0];
        close(q.score, 50.0);
        close(q.min, 0.0);
        close(q.max, 100.0);
        close(q.stddev, (5000.0f64 / 3.0).sqrt());
        let scores: Vec<f64> = r.per_respondent.iter().map(|p| p.score.unwrap()).collect();
        assert_eq!(scores, vec![0.0, 50.0, 100.0]);
    }

    #[test]
    fn undefined_sections_and_checklists_drop_out_of_the_weighted_means() {
        let one = checklist(
            "id = \"one\"\nversion = \"1\"\nweight = 1\n[[sections]]\nid = \"s1\"\n[[sections.items]]\nid = \"a\"\ntext = \"A\"\n[[sections]]\nid = \"s2\"\n[[sections.items]]\nid = \"b\"\ntext = \"B\"",
        );
        let two = checklist(
            "id = \"two\"\nversion = \"1\"\nweight = 3\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"c\"\ntext = \"C\"",
        );
        let r = report(
            &[&one, &two],
            &[
                "respondent = \"R\"\nperiod = \"p\"\n[answers.one]\na = \"yes\"\nb = \"n/a\"\n[answers.two]\nc = \"no\"",
            ],
            &Options::default(),
        );
        assert_eq!(r.checklists[0].sections[1].score, None);
        assert_eq!(r.checklists[0].sections[1].items[0].min, None);
        close(r.checklists[0].score, 100.0);
        close(r.checklists[1].score, 0.0);
        // (1·100 + 3·0) / 4
        close(r.score, 25.0);

        let none = report(
            &[&two],
            &["respondent = \"R\"\nperiod = \"p\"\n[answers.two]\nc = \"n/a\""],
            &Options::default(),
        );
        assert_eq!(none.score, None);
        assert_eq!(none.per_respondent[0].score, None);
    }

    #[test]
    fn critical_gaps_are_critical_items_below_hundred_with_a_score() {
        let c = checklist(
            "id = \"c\"\nversion = \"1\"\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"full\"\ntext = \"F\"\ncritical = true\n[[sections.items]]\nid = \"gap\"\ntext = \"G\"\ncritical = true\n[[sections.items]]\nid = \"unanswered\"\ntext = \"U\"\ncritical = true\n[[sections.items]]\nid = \"plain\"\ntext = \"P\"",
        );
        let r = report(
            &[&c],
            &[
                "respondent = \"A\"\nperiod = \"p\"\n[answers.c]\nfull = \"yes\"\ngap = \"yes\"\nplain = \"no\"",
                "respondent = \"B\"\nperiod = \"p\"\n[answers.c]\nfull = \"yes\"\ngap = \"no\"",
            ],
            &Options::default(),
        );
        let gaps: Vec<(&str, f64)> = r
            .critical_gaps
            .iter()
            .map(|g| (g.item.as_str(), g.score))
            .collect();
        assert_eq!(gaps, vec![("gap", 50.0)]);
    }

    #[test]
    fn respondent_order_and_parallel_merging_change_nothing() {
        let c = checklist(WEIGHTED);
        let a = "respondent = \"A\"\nperiod = \"p\"\n[answers.t]\nx = { choice = \"yes\", note = \"n1\" }\nz = \"rarely\"";
        let b = "respondent = \"B\"\nperiod = \"p\"\n[answers.t]\nx = \"no\"\ny = \"yes\"\nz = \"always\"";
        let d = "respondent = \"D\"\nperiod = \"p\"\n[answers.t]\ny = { choice = \"no\", note = \"n2\" }\nz = \"sometimes\"";
        let forward = report(&[&c], &[a, b, d], &Options::default());
        let backward = report(&[&c], &[d, b, a], &Options::default());
        assert_eq!(forward.score, backward.score);
        for ((_, _, f), (_, _, g)) in forward.items().zip(backward.items()) {
            assert_eq!(
                (f.score, f.stddev, f.min, f.max),
                (g.score, g.stddev, g.min, g.max)
            );
            assert_eq!(f.choices, g.choices);
        }

        // Parallel readers take files out of order; the report still follows input order.
        let mut first = Tally::new(vec![&c]);
        first.add(2, &responses(&[&c], d));
        first.add(0, &responses(&[&c], a));
        let mut merged = Tally::new(vec![&c]);
        merged.add(1, &responses(&[&c], b));
        merged.merge(first);
        assert_eq!(merged.respondent_count(), 3);
        assert_eq!(merged.finish(&Options::default()), forward);
    }

    #[test]
    fn anonymous_reports_name_nobody_and_min_responses_withholds_details() {
        let c = checklist(WEIGHTED);
        let a = "respondent = \"Alice\"\nperiod = \"p\"\n[answers.t]\nx = { choice = \"no\", note = \"secret\" }\nz = \"never\"";
        let b = "respondent = \"Bob\"\nperiod = \"p\"\n[answers.t]\nx = \"yes\"\nz = \"always\"";
        let options = Options {
            anonymous: true,
            min_responses: 2,
            ..Options::default()
        };
        let r = report(&[&c], &[a, b], &options);
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("Alice") && !json.contains("Bob"), "{json}");
        assert_eq!(r.respondents, vec!["respondent 1", "respondent 2"]);
        // Listed by score, best first, so file order reveals nobody.
        close(r.per_respondent[0].score, 100.0);
        let x = &r.checklists[0].sections[0].items[0];
        assert_eq!(x.notes.len(), 1);
        assert_eq!(x.notes[0].respondent, None);
        assert!(!x.withheld);
        let y = &r.checklists[0].sections[0].items[1];
        assert!(y.withheld && y.choices.is_empty());
        let z = &r.checklists[0].sections[1].items[0];
        assert!(!z.withheld);
        assert_eq!(z.choices.len(), 2);
    }

    /// A report of one checklist with items `i0`, `i1`…, and groups scoring them as given.
    fn gap_case(scores: &[(&str, bool, &[Option<f64>])]) -> Vec<PerceptionGap> {
        let n = scores[0].2.len();
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| serde_json::json!({ "id": format!("i{i}"), "score": null }))
            .collect();
        let report: Report = serde_json::from_value(serde_json::json!({
            "format": REPORT_FORMAT, "period": "p", "score": null,
            "checklists": [ { "id": "c", "score": null,
                "sections": [ { "id": "s", "score": null, "items": items } ] } ] }))
        .unwrap();
        let groups: Vec<Group> = scores
            .iter()
            .map(|(role, withheld, items)| Group {
                role: role.to_string(),
                title: String::new(),
                n: 1,
                score: None,
                withheld: *withheld,
                checklists: vec![GroupChecklist {
                    id: "c".to_string(),
                    score: None,
                    sections: Vec::new(),
                    items: items
                        .iter()
                        .enumerate()
                        .map(|(i, s)| GroupItem {
                            id: format!("i{i}"),
                            score: *s,
                            n: 1,
                        })
                        .collect(),
                }],
            })
            .collect();
        perception_gaps(&report, &groups)
    }

    #[test]
    fn perception_gaps_keep_the_tolerance_and_need_two_groups() {
        let gaps = gap_case(&[
            (
                "a",
                false,
                &[
                    Some(100.0),
                    Some(50.0),
                    Some(60.0),
                    Some(100.0),
                    Some(0.0),
                    Some(75.0),
                ],
            ),
            (
                "b",
                false,
                &[
                    Some(75.00000000000001),
                    Some(25.0000001),
                    Some(90.0),
                    None,
                    Some(100.0),
                    Some(50.0),
                ],
            ),
            (
                "c",
                false,
                &[None, None, Some(30.0), None, None, Some(50.0)],
            ),
            // A withheld group takes no part, whatever it holds.
            ("d", true, &[Some(0.0); 6]),
        ]);
        let found: Vec<(&str, &str, &str, f64)> = gaps
            .iter()
            .map(|g| {
                (
                    g.item.as_str(),
                    g.high.role.as_str(),
                    g.low.role.as_str(),
                    g.gap,
                )
            })
            .collect();
        // i0: 24.99999999999999 counts as 25; i1: 24.9999999 does not; i2: 90 − 30 across three
        // groups; i3: one group only; i4: 100 apart; i5: 25, the low end's tie goes to the first.
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0], ("i4", "b", "a", 100.0));
        assert_eq!(found[1], ("i2", "b", "c", 60.0));
        assert_eq!(found[2], ("i5", "a", "b", 25.0));
        assert_eq!((found[3].0, found[3].1, found[3].2), ("i0", "a", "b"));
        assert!(found[3].3 < 25.0 && found[3].3 > 25.0 - 1e-9);
    }

    #[test]
    fn group_figures_are_the_report_of_the_group_alone_and_withheld_below_k() {
        let c = checklist(WEIGHTED);
        let files = [
            "respondent = \"One\"\nperiod = \"p\"\n[answers.t]\nx = \"yes\"\ny = \"no\"\nz = \"often\"",
            "respondent = \"Two\"\nperiod = \"p\"\n[answers.t]\nx = \"no\"\ny = \"n/a\"",
        ];
        let whole = report(&[&c], &files, &Options::default());
        let mut tally = Tally::new(vec![&c]);
        tally.add(0, &responses(&[&c], files[0]));
        let mut alone = Tally::new(vec![&c]);
        alone.add(1, &responses(&[&c], files[1]));
        let groups = groups(
            &whole,
            vec![
                ("a".to_string(), "A".to_string(), tally),
                ("b".to_string(), "B".to_string(), alone.clone()),
            ],
            1,
        );
        // One: x 100, y 0, z 75 → a = (200 + 0) / 3, b = 75 → (3·66.67 + 75) / 4 = 68.75.
        close(groups[0].score, 68.75);
        let gc = &groups[0].checklists[0];
        close(gc.sections[0].score, 200.0 / 3.0);
        close(gc.items[2].score, 75.0);
        // Two: x 0, y n/a, z absent → section b undefined, checklist 0.
        close(groups[1].score, 0.0);
        assert_eq!(groups[1].checklists[0].sections[1].score, None);
        assert_eq!(groups[1].checklists[0].items[1].score, None);
        assert_eq!(groups[1].checklists[0].items[1].n, 0);
        let withheld = super::groups(&whole, vec![("b".into(), "B".into(), alone)], 2);
        assert!(withheld[0].withheld && withheld[0].score.is_none());
        assert!(withheld[0].checklists.is_empty());
        assert_eq!(withheld[0].n, 1);
    }
}
