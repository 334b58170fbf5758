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

use statrs::distribution::{ContinuousCDF, StudentsT};

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
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::NAN,
    }
}

/// Running sums of the jackknife deviations `d = θ₍ᵢ₎ − θ` of one part.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jackknife {
    /// How many respondents' removal left the score defined (m).
    m: u64,
    sum: f64,
    sum2: f64,
}

impl Jackknife {
    fn push(&mut self, d: f64) {
        self.m += 1;
        self.sum += d;
        self.sum2 += d * d;
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
        let spread = (self.sum2 - self.sum * self.sum / m).max(0.0);
        let se = 100.0 * ((m - 1.0) / m * spread).sqrt();
        let moe = t975(self.m - 1) * se;
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
        item_changes.clear();
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
                        x += items[j].scores.get(own[k].1 as usize).copied().unwrap_or(0.0);
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

/// A delta this close to its noise threshold counts as equal to it: scores equal on paper can
/// differ in their last bits.
pub const NOISE_EPS: f64 = 1e-9;

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
                (Some(d), Some(h)) => Some(d.abs() > h + NOISE_EPS),
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
