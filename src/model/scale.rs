//! Answer scales: the five built-in ones and custom ones, and the score of a choice.

use serde::{Deserialize, Serialize};

/// The key every item may be answered with when it allows it: not applicable.
pub const NA: &str = "n/a";

/// Whether a written key is the n/a answer, in any case (`N/A`).
pub fn is_na(key: &str) -> bool {
    key.eq_ignore_ascii_case(NA)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: String,
    pub value: f64,
}

/// A validated scale: at least two choices, distinct keys, highest value above the lowest.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub name: String,
    pub choices: Vec<Choice>,
    lo: f64,
    hi: f64,
}

impl Scale {
    /// Builds a scale, or says what rule its choices break.
    pub fn new(name: &str, choices: Vec<Choice>) -> Result<Scale, String> {
        if choices.len() < 2 {
            return Err(format!("scale `{name}` needs at least two choices"));
        }
        for (i, c) in choices.iter().enumerate() {
            if c.key.trim().is_empty() {
                return Err(format!("scale `{name}` has a choice with an empty key"));
            }
            if c.key == NA {
                return Err(format!(
                    "scale `{name}`: the key `n/a` is reserved for \"not applicable\""
                ));
            }
            if !c.value.is_finite() {
                return Err(format!(
                    "scale `{name}`: the value of `{}` must be a finite number",
                    c.key
                ));
            }
            if choices[..i].iter().any(|o| o.key == c.key) {
                return Err(format!("scale `{name}` has the key `{}` twice", c.key));
            }
        }
        let lo = choices
            .iter()
            .map(|c| c.value)
            .fold(f64::INFINITY, f64::min);
        let hi = choices
            .iter()
            .map(|c| c.value)
            .fold(f64::NEG_INFINITY, f64::max);
        if hi <= lo {
            return Err(format!(
                "scale `{name}`: its highest value must be above its lowest"
            ));
        }
        // Scores divide by the span, so it must be a finite number too (SPEC §9).
        if !(hi - lo).is_finite() {
            return Err(format!(
                "scale `{name}`: the span from its lowest to its highest value is more than a number can hold"
            ));
        }
        Ok(Scale {
            name: name.to_string(),
            choices,
            lo,
            hi,
        })
    }

    /// The choice of a key as written; else the one choice whose key matches it ignoring
    /// case (`"Yes"` for `yes`), since hand-written files are written by people.
    pub fn choice(&self, key: &str) -> Option<(usize, &Choice)> {
        if let Some(found) = self.choices.iter().enumerate().find(|(_, c)| c.key == key) {
            return Some(found);
        }
        let folded = key.to_lowercase();
        let mut matches = self
            .choices
            .iter()
            .enumerate()
            .filter(|(_, c)| c.key.to_lowercase() == folded);
        match (matches.next(), matches.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// The score of a choice value, in [0, 1] (SPEC §5).
    pub fn score(&self, value: f64) -> f64 {
        (value - self.lo) / (self.hi - self.lo)
    }

    /// Whether a choice is the top of the scale (no note is asked after it).
    pub fn is_top(&self, value: f64) -> bool {
        value >= self.hi
    }

    pub fn keys(&self) -> Vec<&str> {
        self.choices.iter().map(|c| c.key.as_str()).collect()
    }
}

fn make(name: &str, choices: &[(&str, &str, f64)]) -> Scale {
    let choices = choices
        .iter()
        .map(|(key, label, value)| Choice {
            key: key.to_string(),
            label: label.to_string(),
            value: *value,
        })
        .collect();
    Scale::new(name, choices).expect("built-in scales are valid")
}

/// The scales every checklist may use by name.
pub fn builtin(name: &str) -> Option<Scale> {
    let scale = match name {
        "yes-no" => make(name, &[("no", "No", 0.0), ("yes", "Yes", 1.0)]),
        "yes-partly-no" => make(
            name,
            &[
                ("no", "No", 0.0),
                ("partly", "Partly", 1.0),
                ("yes", "Yes", 2.0),
            ],
        ),
        "frequency" => make(
            name,
            &[
                ("never", "Never", 0.0),
                ("rarely", "Rarely", 1.0),
                ("sometimes", "Sometimes", 2.0),
                ("often", "Often", 3.0),
                ("always", "Always", 4.0),
            ],
        ),
        "agreement" => make(
            name,
            &[
                ("1", "Strongly disagree", 1.0),
                ("2", "Disagree", 2.0),
                ("3", "Neither agree nor disagree", 3.0),
                ("4", "Agree", 4.0),
                ("5", "Strongly agree", 5.0),
            ],
        ),
        "0-10" => {
            let choices = (0..=10)
                .map(|i| Choice {
                    key: i.to_string(),
                    label: i.to_string(),
                    value: f64::from(i),
                })
                .collect();
            Scale::new(name, choices).expect("built-in scales are valid")
        }
        _ => return None,
    };
    Some(scale)
}

pub const BUILTIN_NAMES: [&str; 5] = ["yes-no", "yes-partly-no", "frequency", "agreement", "0-10"];

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(key: &str, value: f64) -> Choice {
        Choice {
            key: key.into(),
            label: key.into(),
            value,
        }
    }

    #[test]
    fn every_builtin_scale_exists_and_spans_zero_to_one() {
        for name in BUILTIN_NAMES {
            let s = builtin(name).unwrap();
            let scores: Vec<f64> = s.choices.iter().map(|c| s.score(c.value)).collect();
            assert_eq!(scores.first(), Some(&0.0), "{name}");
            assert_eq!(scores.last(), Some(&1.0), "{name}");
        }
        assert!(builtin("stars").is_none());
    }

    #[test]
    fn score_uses_lowest_and_highest_even_when_unsorted_and_negative() {
        let s = Scale::new(
            "odd",
            vec![choice("b", 3.0), choice("a", -1.0), choice("c", 1.0)],
        )
        .unwrap();
        assert_eq!(s.score(-1.0), 0.0);
        assert_eq!(s.score(3.0), 1.0);
        assert_eq!(s.score(1.0), 0.5);
        assert!(s.is_top(3.0) && !s.is_top(1.0));
    }

    #[test]
    fn invalid_scales_are_rejected_with_reasons() {
        let err = |c| Scale::new("s", c).unwrap_err();
        assert!(err(vec![choice("a", 0.0)]).contains("at least two"));
        assert!(err(vec![choice("a", 0.0), choice("a", 1.0)]).contains("twice"));
        assert!(err(vec![choice("a", 1.0), choice("b", 1.0)]).contains("above its lowest"));
        assert!(err(vec![choice("n/a", 0.0), choice("b", 1.0)]).contains("reserved"));
        assert!(err(vec![choice("a", f64::NAN), choice("b", 1.0)]).contains("finite"));
        assert!(err(vec![choice("", 0.0), choice("b", 1.0)]).contains("empty key"));
    }
}
