//! The CI gates of `diff` (SPEC §7, §10, §12, §14): which gates were asked for, and one
//! function per gate that judges it and says why in one line.

use serde::Serialize;

use super::actions::{ActionDelta, TargetDelta};
use super::{CriticalChanges, ItemDelta, Side};
use crate::stats::{EPS, Noise};
use crate::text::plural;

/// The gates asked for; `None`/`false` leaves a gate out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    /// Fails when NEW's overall score is below this, or undefined.
    pub fail_below: Option<f64>,
    /// Fails when the overall score fell by more than this many points.
    pub max_drop: Option<f64>,
    /// Fails when any item's score fell by more than this many points.
    pub max_item_drop: Option<f64>,
    /// Fails when NEW has a critical gap that BASE did not.
    pub fail_on_new_critical: bool,
    /// Fails when fewer than this percent of NEW's team list answered (SPEC §10).
    pub min_response_rate: Option<f64>,
    /// §14: `max_drop` and `max_item_drop` count only drops beyond noise (or of unknown noise).
    pub beyond_noise: bool,
}

/// A gate, named in JSON and messages as on the command line (`fail-below`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    FailBelow,
    MaxDrop,
    MaxItemDrop,
    FailOnNewCritical,
    /// SPEC §10.
    MinResponseRate,
    /// SPEC §12.
    FailOnOverdue,
    /// SPEC §12.
    FailBelowTarget,
}

impl Gate {
    /// The name as the command line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::FailBelow => "fail-below",
            Gate::MaxDrop => "max-drop",
            Gate::MaxItemDrop => "max-item-drop",
            Gate::FailOnNewCritical => "fail-on-new-critical",
            Gate::MinResponseRate => "min-response-rate",
            Gate::FailOnOverdue => "fail-on-overdue",
            Gate::FailBelowTarget => "fail-below-target",
        }
    }

    /// The limit as shown after the gate's name: none for the gates that allow nothing,
    /// a percentage for the response rate, else points.
    pub fn limit_text(self, limit: f64) -> String {
        match self {
            Gate::FailOnNewCritical | Gate::FailOnOverdue | Gate::FailBelowTarget => String::new(),
            Gate::MinResponseRate => format!("{limit}%"),
            Gate::FailBelow | Gate::MaxDrop | Gate::MaxItemDrop => format!("{limit}"),
        }
    }
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    pub gate: Gate,
    /// The threshold; 0 for the gates that allow nothing (`fail-on-new-critical`, …).
    pub limit: f64,
    pub passed: bool,
    /// One line: the gate, the figure, the limit, and for item gates which items.
    pub detail: String,
    /// For item gates that failed: `checklist/item` of every item that tripped it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// §14, with `--beyond-noise`: `checklist/item` of every drop over the limit that did not
    /// count because it was within noise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub within_noise: Vec<String>,
}

/// A score as a gate's detail quotes it.
fn pct(s: f64) -> String {
    format!("{s:.1}")
}

/// A limit as the user wrote it: `5`, `2.5`.
fn limit(l: f64) -> String {
    format!("{l}")
}

/// A figure compared with a limit: one decimal, or as many more as it takes not to look equal
/// to a limit it differs from (a drop of 5.04 against 5 shows as 5.04).
fn figure(value: f64, limit: f64) -> String {
    if (value - limit).abs() > EPS {
        for p in 1..=9 {
            let v = format!("{value:.p$}");
            if v != format!("{limit:.p$}") {
                return v;
            }
        }
    }
    format!("{value:.1}")
}

/// How many names a gate's detail lists before "and N more"; JSON's `items` has them all.
const DETAIL_NAMES: usize = 5;

fn name_list(names: &[String]) -> String {
    let mut out = names
        .iter()
        .take(DETAIL_NAMES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > DETAIL_NAMES {
        out.push_str(&format!(" and {} more", names.len() - DETAIL_NAMES));
    }
    out
}

pub(super) fn evaluate(
    gates: &Gates,
    base: &Side,
    new: &Side,
    items: &[ItemDelta],
    critical: &CriticalChanges,
    overall_noise: &Noise,
) -> Vec<GateResult> {
    let beyond_noise = gates.beyond_noise;
    [
        gates.fail_below.map(|n| fail_below(n, new)),
        gates
            .max_drop
            .map(|n| max_drop(n, beyond_noise, base, new, overall_noise)),
        gates
            .max_item_drop
            .map(|n| max_item_drop(n, beyond_noise, items)),
        gates
            .fail_on_new_critical
            .then(|| fail_on_new_critical(base, critical)),
        gates.min_response_rate.map(|p| min_response_rate(p, new)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `--fail-below N`: NEW's overall score must be N or more.
fn fail_below(n: f64, new: &Side) -> GateResult {
    let (passed, detail) = match new.score {
        None => (
            false,
            format!(
                "the overall score of {} is undefined (no item has a score), so it is not {} or more",
                new.period,
                limit(n)
            ),
        ),
        Some(s) if s < n - EPS => (
            false,
            format!("overall score {} is below {}", figure(s, n), limit(n)),
        ),
        Some(s) => (
            true,
            format!("overall score {} is not below {}", figure(s, n), limit(n)),
        ),
    };
    gate(Gate::FailBelow, n, passed, detail, Vec::new())
}

/// `--max-drop N`: the overall score may fall N points at most (with `--beyond-noise`, a fall
/// within noise does not count).
fn max_drop(
    n: f64,
    beyond_noise: bool,
    base: &Side,
    new: &Side,
    overall_noise: &Noise,
) -> GateResult {
    let (passed, detail) = match (base.score, new.score) {
        (Some(_), None) => (
            false,
            format!(
                "the overall score of {} is undefined (no item has a score), so its drop cannot be held within {}",
                new.period,
                limit(n)
            ),
        ),
        (None, _) => (
            true,
            format!(
                "the overall score of {} is undefined, so there is no drop to measure",
                base.period
            ),
        ),
        (Some(b), Some(s)) => {
            let drop = b - s;
            let moved = format!("{} → {}", pct(b), pct(s));
            if drop > n + EPS && beyond_noise && overall_noise.within() {
                (
                    true,
                    format!(
                        "overall score fell {} points ({moved}), more than {}, but within noise ({}), so it does not count",
                        figure(drop, n),
                        limit(n),
                        noise_figure(overall_noise)
                    ),
                )
            } else if drop > n + EPS {
                (
                    false,
                    format!(
                        "overall score fell {} points ({moved}), more than {}{}",
                        figure(drop, n),
                        limit(n),
                        noise_note(beyond_noise, overall_noise)
                    ),
                )
            } else if drop.abs() <= EPS {
                (true, format!("overall score did not change ({moved})"))
            } else if drop > 0.0 {
                (
                    true,
                    format!(
                        "overall score fell {} points ({moved}), not more than {}",
                        figure(drop, n),
                        limit(n)
                    ),
                )
            } else {
                (
                    true,
                    format!("overall score rose {} points ({moved})", pct(-drop)),
                )
            }
        }
    };
    gate(Gate::MaxDrop, n, passed, detail, Vec::new())
}

/// `--max-item-drop N`: no item may fall more than N points (with `--beyond-noise`, falls
/// within noise do not count, and are listed apart).
fn max_item_drop(n: f64, beyond_noise: bool, items: &[ItemDelta]) -> GateResult {
    // Items come biggest movement first, so the worst drops lead.
    let drops: Vec<(&ItemDelta, f64)> = items
        .iter()
        .filter_map(|i| i.delta.map(|d| (i, -d)))
        .filter(|(_, drop)| *drop > EPS)
        .collect();
    // §14: with --beyond-noise, drops known to be within noise do not count.
    let (failed, quiet): (Vec<&(&ItemDelta, f64)>, Vec<_>) = drops
        .iter()
        .filter(|(_, drop)| *drop > n + EPS)
        .partition(|(i, _)| !(beyond_noise && i.noise.within()));
    let quiet_names: Vec<String> = quiet
        .iter()
        .map(|(i, drop)| {
            format!(
                "{}/{} fell {} ({})",
                i.checklist,
                i.id,
                figure(*drop, n),
                noise_figure(&i.noise)
            )
        })
        .collect();
    let quiet_note = if quiet_names.is_empty() {
        String::new()
    } else {
        format!(
            "; within noise, so not counted: {}",
            name_list(&quiet_names)
        )
    };
    let (passed, detail) = if failed.is_empty() {
        let detail = match drops.first() {
            Some((i, drop)) => format!(
                "no item fell more than {} points (the most: {}/{} fell {})",
                limit(n),
                i.checklist,
                i.id,
                figure(*drop, n)
            ),
            None => format!("no item fell (limit {} points)", limit(n)),
        };
        let detail = if quiet_names.is_empty() {
            detail
        } else {
            format!(
                "no item fell more than {} points beyond noise{quiet_note}",
                limit(n)
            )
        };
        (true, detail)
    } else {
        let names: Vec<String> = failed
            .iter()
            .map(|(i, drop)| {
                format!(
                    "{}/{} fell {} ({} → {})",
                    i.checklist,
                    i.id,
                    figure(*drop, n),
                    pct(i.base.unwrap_or(0.0)),
                    pct(i.new.unwrap_or(0.0))
                )
            })
            .collect();
        (
            false,
            format!(
                "{} fell more than {} points{}: {}{quiet_note}",
                plural(failed.len(), "item", "items"),
                limit(n),
                if beyond_noise {
                    " beyond noise (or of unknown noise)"
                } else {
                    ""
                },
                name_list(&names)
            ),
        )
    };
    let items = failed
        .iter()
        .map(|(i, _)| format!("{}/{}", i.checklist, i.id))
        .collect();
    GateResult {
        within_noise: quiet
            .iter()
            .map(|(i, _)| format!("{}/{}", i.checklist, i.id))
            .collect(),
        ..gate(Gate::MaxItemDrop, n, passed, detail, tripped(passed, items))
    }
}

/// `--fail-on-new-critical`: NEW may have no critical gap that BASE did not have.
fn fail_on_new_critical(base: &Side, critical: &CriticalChanges) -> GateResult {
    let ids: Vec<String> = critical
        .new
        .iter()
        .map(|g| format!("{}/{}", g.checklist, g.item))
        .collect();
    let (passed, detail) = if ids.is_empty() {
        (true, "no new critical gap".to_string())
    } else {
        let names: Vec<String> = critical
            .new
            .iter()
            .map(|g| {
                format!(
                    "{}/{} ({})",
                    g.checklist,
                    g.item,
                    g.new.map_or_else(|| "—".to_string(), pct)
                )
            })
            .collect();
        (
            false,
            format!(
                "{} that {} did not have: {}",
                plural(ids.len(), "new critical gap", "new critical gaps"),
                base.period,
                name_list(&names)
            ),
        )
    };
    gate(Gate::FailOnNewCritical, 0.0, passed, detail, ids)
}

/// `--min-response-rate P`: NEW's `answered / expected` must be P percent or more.
fn min_response_rate(p: f64, new: &Side) -> GateResult {
    let (passed, detail) = match &new.response_rate {
        None => (
            false,
            format!(
                "{} has no response rate (it was not written with a team list)",
                new.period
            ),
        ),
        Some(r) => match r.percent() {
            None => (
                false,
                format!("the team list of {} names nobody", new.period),
            ),
            Some(rate) => {
                let of = format!("{} of {} answered", r.answered, r.expected);
                if rate < p - EPS {
                    (
                        false,
                        format!(
                            "response rate {}% ({of}) is below {}%",
                            figure(rate, p),
                            limit(p)
                        ),
                    )
                } else {
                    (
                        true,
                        format!(
                            "response rate {}% ({of}) is not below {}%",
                            figure(rate, p),
                            limit(p)
                        ),
                    )
                }
            }
        },
    };
    gate(Gate::MinResponseRate, p, passed, detail, Vec::new())
}

/// `--fail-on-overdue`: fails when any action is overdue as of NEW's date.
pub fn fail_on_overdue(actions: &[ActionDelta], day: &str) -> GateResult {
    let late: Vec<&ActionDelta> = actions.iter().filter(|a| a.overdue).collect();
    let open = actions.iter().filter(|a| a.status.is_open()).count();
    let (passed, detail) = if late.is_empty() {
        (
            true,
            format!(
                "no action is overdue as of {day} ({} open)",
                plural(open, "action", "actions")
            ),
        )
    } else {
        let list: Vec<String> = late
            .iter()
            .map(|a| {
                format!(
                    "{} (due {}{})",
                    a.id,
                    a.due.as_deref().unwrap_or("?"),
                    a.owner
                        .as_deref()
                        .map(|o| format!(", {o}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        (
            false,
            format!(
                "{} overdue as of {day}: {}",
                plural(late.len(), "action is", "actions are"),
                name_list(&list)
            ),
        )
    };
    let items = late.iter().map(|a| a.id.clone()).collect();
    gate(
        Gate::FailOnOverdue,
        0.0,
        passed,
        detail,
        tripped(passed, items),
    )
}

/// `--fail-below-target`: fails when a target's due date has passed (as of NEW's date) unmet.
pub fn fail_below_target(targets: &[TargetDelta], day: &str) -> GateResult {
    let late: Vec<&TargetDelta> = targets.iter().filter(|t| t.overdue).collect();
    let dated = targets.iter().filter(|t| t.due.is_some()).count();
    let (passed, detail) = if late.is_empty() {
        (
            true,
            format!(
                "no target is past its due date unmet as of {day} ({} with a due date)",
                plural(dated, "target", "targets")
            ),
        )
    } else {
        let list: Vec<String> = late
            .iter()
            .map(|t| {
                format!(
                    "{} at {} of {} (due {})",
                    t.part.path(),
                    t.new.map_or_else(|| "—".to_string(), |s| format!("{s:.1}")),
                    t.score,
                    t.due.as_deref().unwrap_or("?")
                )
            })
            .collect();
        (
            false,
            format!(
                "{} past due and not met as of {day}: {}",
                plural(late.len(), "target is", "targets are"),
                name_list(&list)
            ),
        )
    };
    let items = late.iter().map(|t| t.part.path().to_string()).collect();
    gate(
        Gate::FailBelowTarget,
        0.0,
        passed,
        detail,
        tripped(passed, items),
    )
}

/// A change's noise as a gate's detail quotes it: `noise ±7.2`.
fn noise_figure(noise: &Noise) -> String {
    match noise.noise {
        Some(h) => format!("noise ±{h:.1}"),
        None => "noise unknown".to_string(),
    }
}

/// Why a drop over the limit counted although `--beyond-noise` was asked for.
fn noise_note(beyond_noise: bool, noise: &Noise) -> String {
    match (beyond_noise, noise.beyond_noise) {
        (false, _) => String::new(),
        (true, Some(_)) => format!(", beyond noise ({})", noise_figure(noise)),
        (true, None) => {
            ", and its noise is unknown (too few respondents), which still counts".to_string()
        }
    }
}

/// What tripped a gate: nothing when it held.
fn tripped(passed: bool, items: Vec<String>) -> Vec<String> {
    if passed { Vec::new() } else { items }
}

fn gate(name: Gate, limit: f64, passed: bool, detail: String, items: Vec<String>) -> GateResult {
    GateResult {
        gate: name,
        limit,
        passed,
        detail,
        items,
        within_noise: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tests::*;
    use crate::diff::{Diff, Gates};
    use crate::model::report::Report;

    #[test]
    fn a_gate_is_named_in_json_as_on_the_command_line() {
        for gate in [
            Gate::FailBelow,
            Gate::MaxDrop,
            Gate::MaxItemDrop,
            Gate::FailOnNewCritical,
            Gate::MinResponseRate,
            Gate::FailOnOverdue,
            Gate::FailBelowTarget,
        ] {
            assert_eq!(serde_json::to_value(gate).unwrap(), gate.as_str());
        }
    }

    fn overall(period: &str, score: Option<f64>) -> Report {
        with_overall(simple(period, vec![item("i", score)]), score)
    }

    #[test]
    fn fail_below_fails_only_under_the_limit() {
        let base = overall("Q3", Some(80.0));
        let below = |score, n| {
            gate_passes(
                &base,
                &overall("Q4", score),
                Gates {
                    fail_below: Some(n),
                    ..Gates::default()
                },
            )
        };
        assert!(below(Some(70.0), 70.0), "exactly the limit passes");
        assert!(below(Some(70.01), 70.0));
        assert!(!below(Some(69.99), 70.0));
        // On paper 70: counts as 70.
        assert!(below(Some(0.1 + 0.2 + 69.7 - 1e-12), 70.0));
        assert!(!below(None, 0.0), "an undefined score fails");
    }

    #[test]
    fn max_drop_fails_only_past_the_limit() {
        let drop = |b: f64, n: f64, limit: f64| {
            gate_passes(
                &overall("Q3", Some(b)),
                &overall("Q4", Some(n)),
                Gates {
                    max_drop: Some(limit),
                    ..Gates::default()
                },
            )
        };
        assert!(drop(75.0, 70.0, 5.0), "a drop of exactly the limit passes");
        assert!(
            drop(75.0, 69.99999999999999, 5.0),
            "5.000000000000007 counts as 5"
        );
        assert!(drop(75.0, 70.01, 5.0));
        assert!(!drop(75.0, 69.99, 5.0));
        assert!(drop(60.0, 90.0, 0.0), "a rise passes");
        assert!(drop(60.0, 60.0, 0.0));
        let d = Diff::new(
            &overall("Q3", Some(72.5)),
            &overall("Q4", Some(72.5)),
            &Gates {
                max_drop: Some(0.0),
                ..Gates::default()
            },
        );
        assert_eq!(
            d.gates[0].detail,
            "overall score did not change (72.5 → 72.5)"
        );
        assert!(!drop(60.0, 59.9, 0.0));
    }

    #[test]
    fn max_drop_with_undefined_scores() {
        let gates = Gates {
            max_drop: Some(5.0),
            ..Gates::default()
        };
        let d = Diff::new(&overall("Q3", Some(50.0)), &overall("Q4", None), &gates);
        assert!(!d.passed, "NEW undefined fails");
        assert!(d.gates[0].detail.contains("undefined"));
        let d = Diff::new(&overall("Q3", None), &overall("Q4", Some(50.0)), &gates);
        assert!(d.passed, "nothing to fall from");
        assert_eq!(d.delta, None);
    }

    #[test]
    fn max_item_drop_names_every_item_past_the_limit() {
        let base = simple(
            "Q3",
            vec![
                item("a", Some(80.0)),
                item("b", Some(75.0)),
                item("c", Some(75.0)),
                item("d", Some(10.0)),
            ],
        );
        let new = simple(
            "Q4",
            vec![
                item("a", Some(60.0)),
                item("b", Some(65.0)),
                item("c", Some(64.99)),
                item("d", Some(90.0)),
            ],
        );
        let run = |n: f64| {
            Diff::new(
                &base,
                &new,
                &Gates {
                    max_item_drop: Some(n),
                    ..Gates::default()
                },
            )
        };
        let d = run(10.0);
        assert!(!d.passed);
        let g = &d.gates[0];
        assert_eq!(
            (g.gate.as_str(), g.limit, g.passed),
            ("max-item-drop", 10.0, false)
        );
        assert_eq!(g.items, ["c/a", "c/c"], "b fell exactly 10");
        assert!(
            g.detail.starts_with(
                "2 items fell more than 10 points: c/a fell 20.0 (80.0 → 60.0), c/c fell 10.01"
            ),
            "{}",
            g.detail
        );
        let d = run(20.0);
        assert!(d.passed, "a fell exactly 20");
        assert!(d.gates[0].items.is_empty());
        assert!(
            d.gates[0].detail.contains("c/a fell 20.0"),
            "{}",
            d.gates[0].detail
        );
        assert!(!run(19.99).passed);
    }

    #[test]
    fn fail_on_new_critical_fails_only_on_a_new_gap() {
        let gates = Gates {
            fail_on_new_critical: true,
            ..Gates::default()
        };
        let base = simple(
            "Q3",
            vec![critical("a", Some(50.0)), critical("b", Some(100.0))],
        );
        let same_gap = simple(
            "Q4",
            vec![critical("a", Some(25.0)), critical("b", Some(100.0))],
        );
        assert!(gate_passes(&base, &same_gap, gates.clone()));
        let new_gap = simple(
            "Q4",
            vec![critical("a", Some(100.0)), critical("b", Some(99.9))],
        );
        let d = Diff::new(&base, &new_gap, &gates);
        assert!(!d.passed);
        assert_eq!(d.gates[0].gate.as_str(), "fail-on-new-critical");
        assert_eq!(d.gates[0].items, ["c/b"]);
        assert_eq!(
            d.gates[0].detail,
            "1 new critical gap that Q3 did not have: c/b (99.9)"
        );
    }

    #[test]
    fn gates_appear_in_a_fixed_order_and_all_must_pass() {
        let gates = Gates {
            fail_below: Some(50.0),
            max_drop: Some(1.0),
            max_item_drop: Some(1.0),
            fail_on_new_critical: true,
            ..Gates::default()
        };
        let d = Diff::new(
            &overall("Q3", Some(60.0)),
            &overall("Q4", Some(55.0)),
            &gates,
        );
        let names: Vec<(&str, bool)> = d
            .gates
            .iter()
            .map(|g| (g.gate.as_str(), g.passed))
            .collect();
        assert_eq!(
            names,
            [
                ("fail-below", true),
                ("max-drop", false),
                ("max-item-drop", false),
                ("fail-on-new-critical", true)
            ]
        );
        assert!(!d.passed);
        assert_eq!(d.failed_gates().count(), 2);
        assert_eq!(
            d.gates[1].detail,
            "overall score fell 5.0 points (60.0 → 55.0), more than 1"
        );
    }

    #[test]
    fn a_figure_never_looks_equal_to_a_limit_it_differs_from() {
        assert_eq!(figure(5.04, 5.0), "5.04");
        assert_eq!(figure(5.000000000000007, 5.0), "5.0");
        assert_eq!(figure(7.25, 5.0), "7.2");
        assert_eq!(limit(5.0), "5");
        assert_eq!(limit(2.5), "2.5");
    }
}
