//! Honest numbers (SPEC §14): margins of error by the leave-one-respondent-out jackknife,
//! agreement within an item (r_wg) and reliability of a checklist (Krippendorff's α, interval).
//! Pure: fed by the tallies of `score`, figures out; no I/O.
//!
//! The jackknife never rescores the team n times. A score is a weighted mean of item means, so
//! removing respondent i moves only the means of the items i answered: with every item's total
//! and every part's weighted sums known, θ₍ᵢ₎ − θ of each section, checklist and the overall
//! score follows from i's own answers alone. Deviations are computed directly (`Δnum / den`)
//! rather than as a difference of two scores, which keeps them exact to the last bits; a part
//! that i alone kept defined is recomputed from its parts (each item has one sole answerer at
//! most, so that happens rarely).

use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

/// The 95 % margin of error of a score, in points.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Margin {
    /// Jackknife standard error; `None` when fewer than two leave-one-out scores are defined.
    pub se: Option<f64>,
    /// `θ ± t(0.975, m − 1) · se`, clipped to [0, 100].
    pub ci: Option<[f64; 2]>,
    /// The half-width `t(0.975, m − 1) · se` before clipping: the "± 6.1" of a table.
    pub moe: Option<f64>,
}

/// `t(0.975, df)`, the two-sided 95 % quantile of Student's t.
pub fn t975(df: u64) -> f64 {
    let Ok(t) = StudentsT::new(0.0, 1.0, df as f64) else {
        return f64::NAN;
    };
    // statrs inverts through the incomplete beta function, which loses digits for many
    // degrees of freedom (7 significant at 30,000); Newton steps on its CDF win them back.
    let mut x = t.inverse_cdf(0.975);
    for _ in 0..3 {
        let step = (t.cdf(x) - 0.975) / t.pdf(x);
        if !step.is_finite() {
            break;
        }
        x -= step;
    }
    x
}

/// [`t975`], remembered: a report asks for the same few degrees of freedom thousands of times.
fn t975_cached(df: u64) -> f64 {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<u64, f64>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    KNOWN.with(|known| *known.borrow_mut().entry(df).or_insert_with(|| t975(df)))
}

/// The grid the jackknife sums are kept on: multiples of 2⁻⁹⁰. A deviation is at most 1 in
/// size, so an `i128` holds the sums of 2³⁷ respondents exactly.
const GRID: f64 = (1u128 << 90) as f64;

/// A number on the grid: rounding is the only inexact step, and it sees one number alone.
fn on_grid(x: f64) -> i128 {
    (x * GRID).round() as i128
}

/// Running sums of the jackknife deviations `d = θ₍ᵢ₎ − θ` of one part. The sums are exact
/// (fixed point, integer addition), so they are the same whatever order the respondents come
/// in: every figure of §14 depends on the team, never on the order of its files (SPEC §9).
#[derive(Debug, Clone, Copy, Default)]
pub struct Jackknife {
    /// How many respondents' removal left the score defined (m).
    m: u64,
    sum: i128,
    sum2: i128,
}

impl Jackknife {
    fn push(&mut self, d: f64) {
        self.m += 1;
        self.sum = self.sum.saturating_add(on_grid(d));
        self.sum2 = self.sum2.saturating_add(on_grid(d * d));
    }

    /// The margin around `score` (in points) of a part whose deviations are fractions of 1.
    pub fn margin(&self, score: Option<f64>) -> Margin {
        let Some(score) = score else {
            return Margin::default();
        };
        if self.m < 2 {
            return Margin::default();
        }
        let m = self.m as f64;
        // Σ (θ₍ᵢ₎ − θ̄)² = Σ d² − (Σ d)² / m, with d measured from θ so both sums stay small.
        let (sum, sum2) = (self.sum as f64 / GRID, self.sum2 as f64 / GRID);
        let spread = (sum2 - sum * sum / m).max(0.0);
        let se = 100.0 * ((m - 1.0) / m * spread).sqrt();
        let moe = t975_cached(self.m - 1) * se;
        Margin {
            se: Some(se),
            ci: Some([
                (score - moe).clamp(0.0, 100.0),
                (score + moe).clamp(0.0, 100.0),
            ]),
            moe: Some(moe),
        }
    }
}

/// One item as the statistics see it: its scale's choice scores (0–1) and its weight.
#[derive(Debug, Clone)]
pub struct ItemShape {
    pub weight: f64,
    /// Score of each choice of the item's scale, in the scale's order.
    pub scores: Vec<f64>,
}

/// A section: its weight and its items, as a range of the flat item list.
#[derive(Debug, Clone)]
pub struct SectionShape {
    pub weight: f64,
    pub items: std::ops::Range<usize>,
}

/// A checklist: its weight and its sections; `counted` is false for a checklist left out of
/// the report (nobody answered it), so it never enters the overall score.
#[derive(Debug, Clone)]
pub struct ChecklistShape {
    pub weight: f64,
    pub counted: bool,
    pub sections: Vec<SectionShape>,
}

/// Every figure of §14 for one team.
#[derive(Debug, Clone, Default)]
pub struct TeamStats {
    /// Per flat item.
    pub items: Vec<Jackknife>,
    pub rwg: Vec<Option<f64>>,
    /// Per checklist, then per section of each checklist.
    pub sections: Vec<Vec<Jackknife>>,
    pub checklists: Vec<Jackknife>,
    pub alpha: Vec<Option<f64>>,
    pub overall: Jackknife,
}

/// `Σ w·S / Σ w` over the defined parts, as (numerator, denominator); None when none is.
fn weighted(parts: impl Iterator<Item = (f64, Option<f64>)>) -> Option<(f64, f64)> {
    let (mut num, mut den, mut any) = (0.0, 0.0, false);
    for (w, s) in parts {
        if let Some(s) = s {
            num += w * s;
            den += w;
            any = true;
        }
    }
    (any && den > 0.0).then_some((num, den))
}

/// How removing one respondent changed a part: not at all (untouched), by `d`, or to undefined.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    By(f64),
    Undefined,
}

/// Computes every figure: `counts[j][k]` is how many answered choice k of flat item j, and
/// `answers` gives each respondent's answered items as (flat item, choice), in item order,
/// `n/a` and skipped left out.
pub fn team_stats<'a>(
    checklists: &[ChecklistShape],
    items: &[ItemShape],
    counts: &[&[u64]],
    answers: impl Iterator<Item = &'a [(u32, u32)]>,
) -> TeamStats {
    // Item means (fractions) and counts.
    let n: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let mean: Vec<Option<f64>> = items
        .iter()
        .zip(counts)
        .zip(&n)
        .map(|((item, c), &n)| {
            (n > 0).then(|| {
                c.iter()
                    .zip(&item.scores)
                    .map(|(&k, s)| k as f64 * s)
                    .sum::<f64>()
                    / n as f64
            })
        })
        .collect();
    // Section, checklist and overall scores as (num, den), fractions.
    let section_score: Vec<Vec<Option<(f64, f64)>>> = checklists
        .iter()
        .map(|c| {
            c.sections
                .iter()
                .map(|s| weighted(s.items.clone().map(|j| (items[j].weight, mean[j]))))
                .collect()
        })
        .collect();
    let checklist_score: Vec<Option<(f64, f64)>> = checklists
        .iter()
        .zip(&section_score)
        .map(|(c, ss)| {
            weighted(
                c.sections
                    .iter()
                    .zip(ss)
                    .map(|(s, v)| (s.weight, v.map(|(a, b)| a / b))),
            )
        })
        .collect();
    let overall_score = weighted(
        checklists
            .iter()
            .zip(&checklist_score)
            .filter(|(c, _)| c.counted)
            .map(|(c, v)| (c.weight, v.map(|(a, b)| a / b))),
    );
    let value = |v: Option<(f64, f64)>| v.map(|(a, b)| a / b);

    // Which checklist and section each flat item sits in.
    let mut place = vec![(0usize, 0usize); items.len()];
    for (ci, c) in checklists.iter().enumerate() {
        for (si, s) in c.sections.iter().enumerate() {
            for j in s.items.clone() {
                place[j] = (ci, si);
            }
        }
    }

    let mut out = TeamStats {
        items: vec![Jackknife::default(); items.len()],
        rwg: Vec::new(),
        sections: checklists
            .iter()
            .map(|c| vec![Jackknife::default(); c.sections.len()])
            .collect(),
        checklists: vec![Jackknife::default(); checklists.len()],
        alpha: Vec::new(),
        overall: Jackknife::default(),
    };

    // Scratch lists of what one respondent's removal changed, reused across respondents.
    let mut item_changes: Vec<(usize, Change)> = Vec::new();
    let mut section_changes: Vec<(usize, Change)> = Vec::new();
    let mut checklist_changes: Vec<(usize, Change)> = Vec::new();
    for own in answers {
        checklist_changes.clear();
        let mut k = 0;
        while k < own.len() {
            // One checklist's answers at a time.
            let ci = place[own[k].0 as usize].0;
            section_changes.clear();
            while k < own.len() && place[own[k].0 as usize].0 == ci {
                let si = place[own[k].0 as usize].1;
                item_changes.clear();
                while k < own.len() && place[own[k].0 as usize] == (ci, si) {
                    // A respondent answers an item once, but count defensively.
                    let j = own[k].0 as usize;
                    let (mut c, mut x) = (0u64, 0.0);
                    while k < own.len() && own[k].0 as usize == j {
                        c += 1;
                        x += items[j]
                            .scores
                            .get(own[k].1 as usize)
                            .copied()
                            .unwrap_or(0.0);
                        k += 1;
                    }
                    let (Some(s), nj) = (mean[j], n[j]) else {
                        continue;
                    };
                    let change = if nj > c {
                        // (T − x)/(n − c) − T/n, without the subtraction.
                        let d = (c as f64 * s - x) / (nj - c) as f64;
                        out.items[j].push(d);
                        Change::By(d)
                    } else {
                        Change::Undefined
                    };
                    item_changes.push((j, change));
                }
                let section = &checklists[ci].sections[si];
                let change = combine(
                    section_score[ci][si],
                    &item_changes,
                    |j| items[j].weight,
                    || section.items.clone().map(|j| (j, items[j].weight, mean[j])),
                );
                if let Some(change) = change {
                    if let Change::By(d) = change {
                        out.sections[ci][si].push(d);
                    }
                    section_changes.push((si, change));
                }
            }
            let checklist = &checklists[ci];
            let change = combine(
                checklist_score[ci],
                &section_changes,
                |si| checklist.sections[si].weight,
                || {
                    checklist
                        .sections
                        .iter()
                        .enumerate()
                        .map(|(si, s)| (si, s.weight, value(section_score[ci][si])))
                },
            );
            if let Some(change) = change {
                if let Change::By(d) = change {
                    out.checklists[ci].push(d);
                }
                if checklist.counted {
                    checklist_changes.push((ci, change));
                }
            }
        }
        if let Some(Change::By(d)) = combine(
            overall_score,
            &checklist_changes,
            |ci| checklists[ci].weight,
            || {
                checklists
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.counted)
                    .map(|(ci, c)| (ci, c.weight, value(checklist_score[ci])))
            },
        ) {
            out.overall.push(d);
        }
    }

    out.rwg = items
        .iter()
        .zip(counts)
        .map(|(item, c)| rwg(&item.scores, c))
        .collect();
    out.alpha = checklists
        .iter()
        .map(|c| {
            let range = match (c.sections.first(), c.sections.last()) {
                (Some(a), Some(b)) => a.items.start..b.items.end,
                _ => 0..0,
            };
            alpha(range.map(|j| (items[j].scores.as_slice(), counts[j])))
        })
        .collect();
    out
}

/// How a weighted mean (`score` = num, den) moves when some of its parts change (`changes`,
/// sorted by part index): `None` when no part changed. `weight` gives a part's weight;
/// `parts` lists (index, weight, score) of every part, for recomputing the mean when a part
/// became undefined.
fn combine<I: Iterator<Item = (usize, f64, Option<f64>)>>(
    score: Option<(f64, f64)>,
    changes: &[(usize, Change)],
    weight: impl Fn(usize) -> f64,
    parts: impl FnOnce() -> I,
) -> Option<Change> {
    if changes.is_empty() {
        return None;
    }
    let (num, den) = score?;
    if changes.iter().all(|(_, c)| matches!(c, Change::By(_))) {
        let moved: f64 = changes
            .iter()
            .map(|(p, c)| match c {
                Change::By(d) => weight(*p) * d,
                Change::Undefined => 0.0,
            })
            .sum();
        return Some(Change::By(moved / den));
    }
    let mut next = changes.iter().peekable();
    let remaining = weighted(parts().map(|(p, w, s)| {
        while next.peek().is_some_and(|(q, _)| *q < p) {
            next.next();
        }
        match next.peek() {
            Some((q, Change::By(d))) if *q == p => (w, s.map(|s| s + d)),
            Some((q, Change::Undefined)) if *q == p => (w, None),
            _ => (w, s),
        }
    }));
    Some(match remaining {
        Some((a, b)) => Change::By(a / b - num / den),
        None => Change::Undefined,
    })
}

/// r_wg of an item: `1 − s² / σ²`, truncated to [0, 1]; `None` when fewer than two answered.
pub fn rwg(scores: &[f64], counts: &[u64]) -> Option<f64> {
    let n: u64 = counts.iter().sum();
    if n < 2 || scores.is_empty() {
        return None;
    }
    let nf = n as f64;
    let mean = counts
        .iter()
        .zip(scores)
        .map(|(&c, s)| c as f64 * s)
        .sum::<f64>()
        / nf;
    let ss: f64 = counts
        .iter()
        .zip(scores)
        .map(|(&c, s)| c as f64 * (s - mean) * (s - mean))
        .sum();
    let s2 = ss / (nf - 1.0);
    let a = scores.len() as f64;
    let scale_mean = scores.iter().sum::<f64>() / a;
    let sigma2 = scores
        .iter()
        .map(|s| (s - scale_mean) * (s - scale_mean))
        .sum::<f64>()
        / a;
    if sigma2 <= 0.0 {
        return None;
    }
    Some((1.0 - s2 / sigma2).clamp(0.0, 1.0))
}

/// Krippendorff's α, interval metric, over units given as (choice scores, counts per choice):
/// `1 − (n.. − 1) · Σᵤ mᵤ·SSᵤ/(mᵤ − 1) / (n.. · SS)`, over the units with two values or more.
/// `None` when no unit is pairable or the pairable values do not vary.
pub fn alpha<'a>(units: impl Iterator<Item = (&'a [f64], &'a [u64])> + Clone) -> Option<f64> {
    let pairable = units.filter(|(_, c)| c.iter().sum::<u64>() >= 2);
    let mut total = 0u64;
    let mut sum = 0.0;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (scores, counts) in pairable.clone() {
        for (&c, &s) in counts.iter().zip(scores) {
            if c > 0 {
                total += c;
                sum += c as f64 * s;
                lo = lo.min(s);
                hi = hi.max(s);
            }
        }
    }
    if total < 2 || lo >= hi {
        return None;
    }
    let grand = sum / total as f64;
    let (mut within, mut ss) = (0.0, 0.0);
    for (scores, counts) in pairable {
        let m: u64 = counts.iter().sum();
        let mf = m as f64;
        let mean = counts
            .iter()
            .zip(scores)
            .map(|(&c, s)| c as f64 * s)
            .sum::<f64>()
            / mf;
        let mut ss_u = 0.0;
        for (&c, &s) in counts.iter().zip(scores) {
            ss_u += c as f64 * (s - mean) * (s - mean);
            ss += c as f64 * (s - grand) * (s - grand);
        }
        within += mf * ss_u / (mf - 1.0);
    }
    let t = total as f64;
    Some(1.0 - (t - 1.0) * within / (t * ss))
}

/// Whether a change between two reports is more than their noise (SPEC §14), with what a diff
/// shows beside it.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Noise {
    /// `|delta| > sqrt(h_base² + h_new²)`, h being each side's `moe`; null when either side's
    /// margin is undefined (or there is no delta).
    pub beyond_noise: Option<bool>,
    /// `sqrt(h_base² + h_new²)` in points: how far a score may move by chance alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    /// Each side's 95 % interval, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_ci: Option<[f64; 2]>,
}

/// Figures this close count as equal (to a threshold, a limit, a noise band): percentages
/// equal on paper can differ in their last bits (75.0 − 69.99999999999999 = 5.000000000000007
/// is a drop of 5). The one tolerance of the tool.
pub const EPS: f64 = 1e-9;

impl Noise {
    /// The noise of `delta` between two parts, from each side's (`moe`, `ci`) when it has the part.
    pub fn new(
        delta: Option<f64>,
        base: Option<(Option<f64>, Option<[f64; 2]>)>,
        new: Option<(Option<f64>, Option<[f64; 2]>)>,
    ) -> Noise {
        let (hb, hn) = (base.and_then(|b| b.0), new.and_then(|n| n.0));
        let noise = match (hb, hn) {
            (Some(b), Some(n)) if b.is_finite() && n.is_finite() => Some(b.hypot(n)),
            _ => None,
        };
        Noise {
            beyond_noise: match (delta, noise) {
                (Some(d), Some(h)) => Some(d.abs() > h + EPS),
                _ => None,
            },
            noise,
            base_ci: base.and_then(|b| b.1),
            new_ci: new.and_then(|n| n.1),
        }
    }

    /// True when a gate that knows noise should let this change pass: it is known to be
    /// within noise. Too little data (`None`) never weakens a gate.
    pub fn within(&self) -> bool {
        self.beyond_noise == Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64, tol: f64) {
        let a = a.expect("a defined figure");
        assert!((a - b).abs() <= tol, "{a} != {b}");
    }

    #[test]
    fn t_quantiles_agree_with_scipy() {
        for (df, want) in [
            (1, 12.706204736174694),
            (2, 4.302652729749462),
            (3, 3.1824463052837078),
            (4, 2.7764451051977934),
            (39, 2.022690920036761),
            (9999, 1.960201263621357),
            (29999, 1.9600430660200883),
            (1000000, 1.959966356814107),
        ] {
            close(Some(t975(df)), want, 1e-9);
        }
    }

    /// One checklist of one section; items given as (weight, scale scores).
    fn one_section(items: &[(f64, &[f64])]) -> (Vec<ChecklistShape>, Vec<ItemShape>) {
        let shapes = vec![ChecklistShape {
            weight: 1.0,
            counted: true,
            sections: vec![SectionShape {
                weight: 1.0,
                items: 0..items.len(),
            }],
        }];
        let items = items
            .iter()
            .map(|(w, s)| ItemShape {
                weight: *w,
                scores: s.to_vec(),
            })
            .collect();
        (shapes, items)
    }

    /// Runs the statistics over respondents given as lists of (item, choice).
    fn run(shapes: &[ChecklistShape], items: &[ItemShape], team: &[Vec<(u32, u32)>]) -> TeamStats {
        let mut counts: Vec<Vec<u64>> = items.iter().map(|i| vec![0; i.scores.len()]).collect();
        for own in team {
            for &(j, k) in own {
                counts[j as usize][k as usize] += 1;
            }
        }
        let counts: Vec<&[u64]> = counts.iter().map(Vec::as_slice).collect();
        team_stats(shapes, items, &counts, team.iter().map(Vec::as_slice))
    }

    const YES_NO: &[f64] = &[0.0, 1.0];

    #[test]
    fn an_item_gets_the_t_interval_of_its_mean() {
        // yes, yes, yes, no: mean 75, s² = 0.25, se = sqrt(0.25 / 4) = 25 points.
        let (shapes, items) = one_section(&[(1.0, YES_NO)]);
        let team = [vec![(0, 1)], vec![(0, 1)], vec![(0, 1)], vec![(0, 0)]];
        let stats = run(&shapes, &items, &team);
        let margin = stats.items[0].margin(Some(75.0));
        close(margin.se, 25.0, 1e-12);
        close(margin.moe, 25.0 * 3.1824463052837078, 1e-9);
        assert_eq!(margin.ci, Some([0.0, 100.0]), "clipped to [0, 100]");
        // The same figures for the section, checklist and overall score of that one item.
        close(stats.sections[0][0].margin(Some(75.0)).se, 25.0, 1e-12);
        close(stats.overall.margin(Some(75.0)).se, 25.0, 1e-12);
        // r_wg: s² = 0.25 = σ² of a yes/no scale.
        close(stats.rwg[0], 0.0, 1e-12);
    }

    #[test]
    fn a_sole_answerer_is_left_out_where_their_removal_leaves_nothing() {
        // x: A yes, B no, C yes; y: A yes only. θ = (2/3 + 1) / 2 = 5/6.
        // Without A: x = 1/2, y undefined → 1/2; without B: 1; without C: (1/2 + 1) / 2 = 3/4.
        // θ̄ = 3/4; Σ (θ₍ᵢ₎ − θ̄)² = 1/8; se = sqrt(2/3 · 1/8) = sqrt(1/12).
        let (shapes, items) = one_section(&[(1.0, YES_NO), (1.0, YES_NO)]);
        let team = [vec![(0, 1), (1, 1)], vec![(0, 0)], vec![(0, 1)]];
        let stats = run(&shapes, &items, &team);
        let margin = stats.sections[0][0].margin(Some(500.0 / 6.0));
        close(margin.se, 100.0 * (1.0f64 / 12.0).sqrt(), 1e-9);
        let h = 100.0 * (1.0f64 / 12.0).sqrt() * 4.302652729749462;
        close(margin.moe, h, 1e-9);
        // 83.3 ± 124.2, clipped on both sides
        assert_eq!(margin.ci, Some([0.0, 100.0]));
        // y has one answer: its removal leaves y undefined, so no margin.
        assert_eq!(stats.items[1].margin(Some(100.0)), Margin::default());
        assert_eq!(stats.rwg[1], None);
    }

    #[test]
    fn weights_enter_the_leave_one_out_scores() {
        // Section: x (weight 3), y (weight 1); A: x yes, y no; B: x no, y no; C: y yes.
        // θ = (3·1/2 + 1/3) / 4 = 11/24. Without A: (3·0 + 1/2)/4 = 1/8; without B:
        // (3·1 + 1/2)/4 = 7/8; without C: (3·1/2 + 0)/4 = 3/8. θ̄ = 11/24;
        // Σ d² = (1/8 − 11/24)² + (7/8 − 11/24)² + (3/8 − 11/24)² = (64 + 100 + 4)/576 = 168/576.
        let (shapes, items) = one_section(&[(3.0, YES_NO), (1.0, YES_NO)]);
        let team = [vec![(0, 1), (1, 0)], vec![(0, 0), (1, 0)], vec![(1, 1)]];
        let stats = run(&shapes, &items, &team);
        let se = 100.0 * (2.0 / 3.0 * 168.0 / 576.0f64).sqrt();
        close(
            stats.sections[0][0].margin(Some(1100.0 / 24.0)).se,
            se,
            1e-9,
        );
    }

    #[test]
    fn fewer_than_two_leave_one_out_scores_leave_the_margin_undefined() {
        let (shapes, items) = one_section(&[(1.0, YES_NO)]);
        let stats = run(&shapes, &items, &[vec![(0, 1)], vec![]]);
        assert_eq!(stats.overall.margin(Some(100.0)), Margin::default());
        assert_eq!(stats.items[0].margin(None), Margin::default());
    }

    #[test]
    fn rwg_counts_every_choice_of_the_scale_even_when_two_share_a_value() {
        // frequency: σ² = (25 − 1) / (12 · 16) = 1/8; answers .75, .75, 1: s² = 1/48.
        let freq = [0.0, 0.25, 0.5, 0.75, 1.0];
        close(
            rwg(&freq, &[0, 0, 0, 2, 1]),
            1.0 - (1.0 / 48.0) / 0.125,
            1e-12,
        );
        // choices scoring 0, 1, 1: σ² = 2/9; answers 0 and 1: s² = 1/2 → 1 − 9/4 → 0.
        assert_eq!(rwg(&[0.0, 1.0, 1.0], &[1, 1, 0]), Some(0.0));
        // and answers 1, 1 (the two equal choices): s² = 0 → 1.
        assert_eq!(rwg(&[0.0, 1.0, 1.0], &[0, 1, 1]), Some(1.0));
        assert_eq!(rwg(&freq, &[0, 1, 0, 0, 0]), None);
    }

    #[test]
    fn alpha_matches_krippendorffs_own_example() {
        // The interval example of Python's `krippendorff` (0.8108448928121059), values / 4.
        let nan = f64::NAN;
        let coders = [
            [
                nan, nan, nan, nan, nan, 3., 4., 1., 2., 1., 1., 3., 3., nan, 3.,
            ],
            [
                1., nan, 2., 1., 3., 3., 4., 3., nan, nan, nan, nan, nan, nan, nan,
            ],
            [
                nan, nan, 2., 1., 3., 4., 4., nan, 2., 1., 1., 3., 3., nan, 4.,
            ],
        ];
        let scores = [0.0, 0.25, 0.5, 0.75, 1.0];
        let counts: Vec<Vec<u64>> = (0..15)
            .map(|u| {
                let mut c = vec![0u64; 5];
                for coder in &coders {
                    if !coder[u].is_nan() {
                        c[coder[u] as usize] += 1;
                    }
                }
                c
            })
            .collect();
        let got = alpha(counts.iter().map(|c| (&scores[..], c.as_slice())));
        close(got, 0.8108448928121059, 1e-12);
    }

    #[test]
    fn alpha_is_undefined_without_pairable_values_or_variation() {
        let s = [0.0, 1.0];
        // each unit answered once: nothing pairable
        assert_eq!(
            alpha([(&s[..], &[1u64, 0][..]), (&s[..], &[0, 1][..])].into_iter()),
            None
        );
        // all pairable values equal; the lone differing value is in an unpairable unit
        assert_eq!(
            alpha([(&s[..], &[0u64, 3][..]), (&s[..], &[1, 0][..])].into_iter()),
            None
        );
        // perfect agreement within units, variation between them: 1
        close(
            alpha([(&s[..], &[0u64, 2][..]), (&s[..], &[2, 0][..])].into_iter()),
            1.0,
            1e-12,
        );
    }

    #[test]
    fn beyond_noise_compares_the_delta_with_both_half_widths() {
        let side = |h: f64| Some((Some(h), Some([0.0, 100.0])));
        // sqrt(3² + 4²) = 5
        assert_eq!(
            Noise::new(Some(-5.0), side(3.0), side(4.0)).beyond_noise,
            Some(false)
        );
        assert_eq!(
            Noise::new(Some(-5.01), side(3.0), side(4.0)).beyond_noise,
            Some(true)
        );
        assert_eq!(
            Noise::new(Some(5.01), side(3.0), side(4.0)).noise,
            Some(5.0)
        );
        assert_eq!(
            Noise::new(Some(9.0), side(3.0), Some((None, None))).beyond_noise,
            None
        );
        assert_eq!(Noise::new(None, side(3.0), side(4.0)).beyond_noise, None);
        assert!(!Noise::new(Some(9.0), None, side(4.0)).within());
    }
}
