//! The calibrated second look at a message the matcher's rules would not
//! answer (issue 11).
//!
//! The rules in [`super::matcher`] answer when the best entry's score clears
//! a threshold and leads the second by a margin. People's own posts (a story,
//! then a question) rarely clear both, though the best entry is often the
//! right one. So the evidence the matcher already has — the best score, its
//! lead, how much of the message the best entry explains, whether the message
//! is about legs and asks something, its length — goes into a logistic
//! regression that gives the probability that the best entry is a right
//! answer. When that probability reaches the fitted threshold, the best entry
//! is answered after all.
//!
//! The weights and the threshold are data (`src/faq/calibration.toml`),
//! fitted on the tuning sets only by `cargo run --release --example
//! fit_calibration`, which writes that file; `tests/calibration.rs` checks
//! that the shipped file is what the script fits today. [`fit`] and
//! [`choose_threshold`] are that script's arithmetic.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::matcher::Matcher;

/// The tuning sets under `tests/data/matcher/` the calibration is fitted
/// on, and how much one of their messages counts. Real people's posts count
/// for more: there are fewer of them, and they are what the second look is
/// for. The held-out sets (`holdout2.tsv`, `holdout3.tsv`,
/// `real-holdout.tsv`, `guide5/messages.tsv`) are never fitted on.
pub const TUNING_SETS: [(&str, f64); 5] = [
    ("real-tuning.tsv", 3.0),
    ("dev.tsv", 1.0),
    ("dev2.tsv", 1.0),
    ("dev3.tsv", 1.0),
    ("dev4.tsv", 1.0),
];
/// The L2 penalty of the fit.
pub const L2: f64 = 1.0;
/// The largest share of the answers the second look adds on the tuning sets
/// that may be wrong (the product's limit is 5%; the rest is headroom for
/// posts it has not seen).
pub const MAX_WRONG: f64 = 0.03;
/// A threshold must add at least this many answers to be considered.
pub const MIN_ANSWERS: usize = 20;

/// The names of the features, in the order of [`Features::values`].
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "matcher_score",
    "matcher_margin",
    "matcher_reciprocal_rank",
    "matcher_best_score",
    "on_topic",
    "asks",
    "log_terms",
    "log_unexplained",
    "elsewhere",
    "symptom",
    "log_sentences",
    "rule_suggests",
    "body_score",
    "body_margin",
    "body_reciprocal_rank",
    "semantic_score",
    "semantic_margin",
    "semantic_reciprocal_rank",
    "matcher_and_semantic_first",
    "all_three_first",
];

/// How many features an entry weighed for a message has.
pub const FEATURES: usize = 20;

/// What the matcher knows about a message and one entry it may answer it
/// with, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// One value per name in [`FEATURE_NAMES`].
    pub values: [f32; FEATURES],
}

/// A fitted logistic regression and the probability from which it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// How it was fitted, for people reading the file.
    pub fitted_on: Vec<String>,
    /// The lowest probability at which the best entry is answered.
    pub threshold: f32,
    /// The intercept.
    pub bias: f32,
    /// One weight per feature, by name.
    pub weights: Vec<Weight>,
}

/// The weight of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    /// The feature's name, one of [`FEATURE_NAMES`].
    pub feature: String,
    /// Its weight.
    pub weight: f32,
}

/// The shipped calibration's text (the matcher alone).
pub const SHIPPED: &str = include_str!("calibration.toml");
/// The shipped calibration's text for a matcher with a semantic second
/// opinion ([`super::matcher::SecondOpinion`]).
pub const SHIPPED_WITH_OPINION: &str = include_str!("calibration-semantic.toml");

impl Calibration {
    /// The calibration shipped with the bot. The file is part of the source
    /// and checked by the tests, so it always parses; should it not, the
    /// second look is switched off (the rules still decide).
    pub fn shipped() -> Option<&'static Calibration> {
        static SHIPPED_CALIBRATION: OnceLock<Option<Calibration>> = OnceLock::new();
        SHIPPED_CALIBRATION
            .get_or_init(|| Calibration::parse(SHIPPED).ok())
            .as_ref()
    }

    /// The calibration shipped for a matcher with a second opinion.
    pub fn shipped_with_opinion() -> Option<&'static Calibration> {
        static SHIPPED_CALIBRATION: OnceLock<Option<Calibration>> = OnceLock::new();
        SHIPPED_CALIBRATION
            .get_or_init(|| Calibration::parse(SHIPPED_WITH_OPINION).ok())
            .as_ref()
    }

    /// Reads a calibration file's text; every feature must have a weight.
    pub fn parse(text: &str) -> Result<Calibration, String> {
        let calibration: Calibration = toml::from_str(text).map_err(|e| e.to_string())?;
        let names: Vec<&str> = calibration
            .weights
            .iter()
            .map(|w| w.feature.as_str())
            .collect();
        if names != FEATURE_NAMES {
            return Err(format!(
                "the weights must name the features {FEATURE_NAMES:?} in that order, not {names:?}"
            ));
        }
        Ok(calibration)
    }

    /// Whether any message can reach the threshold: a threshold of 1 or more
    /// means the fit found no way to answer more without too many wrong.
    pub fn can_answer(&self) -> bool {
        self.threshold < 1.0
    }

    /// The probability (0–1) that the best entry is a right answer.
    pub fn probability(&self, features: &Features) -> f32 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(features.values)
                .map(|(w, x)| w.weight * x)
                .sum::<f32>();
        sigmoid(z as f64) as f32
    }

    /// Whether the best entry is answered.
    pub fn answers(&self, features: &Features) -> bool {
        // In f64, so that only a threshold of 1.0 or more answers nothing.
        let z = f64::from(self.bias)
            + self
                .weights
                .iter()
                .zip(features.values)
                .map(|(w, x)| f64::from(w.weight) * f64::from(x))
                .sum::<f64>();
        sigmoid(z) >= f64::from(self.threshold)
    }

    /// The calibration as TOML, the way `fit_calibration` writes it.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# The matcher's calibrated second look (src/faq/calibration.rs).\n\
             # Written by `cargo run --release --example fit_calibration`; do not edit by hand:\n\
             # tests/calibration.rs checks that this file is what the script fits.\n",
        );
        out.push_str(&toml::to_string(self).unwrap_or_default());
        out
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One message of a tuning set: its features, whether the best entry is a
/// right answer, how much it counts, and whether the rules already answer it.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// The message's features.
    pub features: Features,
    /// Whether the matcher's best entry is one of the message's right answers.
    pub right: bool,
    /// How much the sample counts in the fit.
    pub weight: f64,
}

/// One labelled message of a tuning set.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The entry ids that answer it (any is right); empty when none does.
    pub expected: Vec<String>,
    /// The message.
    pub message: String,
}

/// Reads a labelled set: one message per line, `category<TAB>expected<TAB>
/// message[<TAB>source]`, where expected is ids joined by `|` or `-`; lines
/// starting with `#` are comments.
pub fn read_labelled(path: &Path) -> Result<Vec<Labelled>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut columns = line.split('\t').skip(1);
            let (expected, message) = (columns.next()?, columns.next()?);
            let expected = match expected {
                "-" => Vec::new(),
                ids => ids.split('|').map(str::to_owned).collect(),
            };
            Some(Labelled {
                expected,
                message: message.to_owned(),
            })
        })
        .collect())
}

/// The samples of a set for the second look: for each message the rules
/// did not answer but the second look could, each entry it weighed, with
/// whether that entry is a right answer.
pub fn samples(matcher: &Matcher, set: &[Labelled], weight: f64) -> Vec<Sample> {
    set.iter()
        .flat_map(|labelled| {
            let (_, look) = matcher.decide_explained(&labelled.message);
            let weighed = look.filter(|l| l.eligible).map(|l| l.weighed);
            weighed
                .unwrap_or_default()
                .into_iter()
                .map(move |(id, features)| Sample {
                    features,
                    right: labelled.expected.contains(&id),
                    weight,
                })
        })
        .collect()
}

/// Fits the calibration on the tuning sets in `data_dir`
/// (`tests/data/matcher`) with `matcher`: the regression, then the lowest
/// threshold that keeps the added answers under [`MAX_WRONG`].
pub fn fit_on_tuning_sets(matcher: &Matcher, data_dir: &Path) -> Result<Calibration, String> {
    let mut all = Vec::new();
    for (name, weight) in TUNING_SETS {
        let set = read_labelled(&data_dir.join(name))?;
        all.extend(samples(matcher, &set, weight));
    }
    let (bias, weights) = fit(&all, L2);
    let mut calibration = Calibration {
        fitted_on: TUNING_SETS
            .iter()
            .map(|(name, weight)| format!("tests/data/matcher/{name} (weight {weight})"))
            .collect(),
        threshold: 1.0,
        bias: round(bias),
        weights: FEATURE_NAMES
            .iter()
            .zip(weights)
            .map(|(name, weight)| Weight {
                feature: (*name).to_owned(),
                weight: round(weight),
            })
            .collect(),
    };
    calibration.threshold = round(f64::from(choose_threshold(
        &calibration,
        &all,
        MAX_WRONG,
        MIN_ANSWERS,
    )));
    Ok(calibration)
}

/// Four decimals: enough for the decision, and the same on every run.
fn round(value: f64) -> f32 {
    ((value * 10_000.0).round() / 10_000.0) as f32
}

/// Fits a logistic regression by Newton's method with an L2 penalty
/// (`l2`, not applied to the intercept). Deterministic: the same samples give
/// the same weights.
pub fn fit(samples: &[Sample], l2: f64) -> (f64, [f64; FEATURES]) {
    const N: usize = FEATURES + 1;
    let mut beta = [0.0f64; N];
    for _ in 0..100 {
        let mut gradient = [0.0f64; N];
        let mut hessian = [[0.0f64; N]; N];
        for sample in samples {
            let mut x = [0.0f64; N];
            x[0] = 1.0;
            for (slot, value) in x[1..].iter_mut().zip(sample.features.values) {
                *slot = f64::from(value);
            }
            let z: f64 = x.iter().zip(beta).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let y = if sample.right { 1.0 } else { 0.0 };
            for i in 0..N {
                gradient[i] += sample.weight * (p - y) * x[i];
                for j in 0..N {
                    hessian[i][j] += sample.weight * p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 1..N {
            gradient[i] += l2 * beta[i];
            hessian[i][i] += l2;
        }
        hessian[0][0] += 1e-9;
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        let mut largest = 0.0f64;
        for i in 0..N {
            beta[i] -= step[i];
            largest = largest.max(step[i].abs());
        }
        if largest < 1e-10 {
            break;
        }
    }
    let mut weights = [0.0f64; FEATURES];
    weights.copy_from_slice(&beta[1..]);
    (beta[0], weights)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let factor = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (value, pivot_value) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *value -= factor * pivot_value;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0f64; N];
    for row in (0..N).rev() {
        let tail: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

/// The lowest probability threshold at which the answers it adds are wrong
/// at most `max_wrong` of the time (by sample weight), among samples whose
/// answer the rules leave to the second look; 1.0 when none qualifies.
/// Only thresholds that add at least `min_answers` answers are considered,
/// so a lucky handful does not set it.
pub fn choose_threshold(
    calibration: &Calibration,
    samples: &[Sample],
    max_wrong: f64,
    min_answers: usize,
) -> f32 {
    let mut scored: Vec<(f32, bool, f64)> = samples
        .iter()
        .map(|s| (calibration.probability(&s.features), s.right, s.weight))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut wrong, mut total) = (0.0f64, 0.0f64);
    let mut best = 1.0f32;
    for (index, &(p, right, weight)) in scored.iter().enumerate() {
        total += weight;
        if !right {
            wrong += weight;
        }
        // Only between distinct probabilities can a threshold fall.
        let next_differs = scored.get(index + 1).is_none_or(|n| n.0 < p);
        if next_differs && index + 1 >= min_answers && wrong <= max_wrong * total {
            best = p;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(x: f32, right: bool) -> Sample {
        let mut features = Features::default();
        features.values[0] = x;
        Sample {
            features,
            right,
            weight: 1.0,
        }
    }

    #[test]
    fn the_shipped_calibration_parses_and_names_every_feature() {
        for calibration in [
            Calibration::shipped().expect("calibration.toml parses"),
            Calibration::shipped_with_opinion().expect("calibration-semantic.toml parses"),
        ] {
            assert_eq!(calibration.weights.len(), FEATURES);
            assert!((0.0..=1.0).contains(&calibration.threshold));
        }
    }

    #[test]
    fn a_fit_learns_that_a_higher_score_is_more_often_right() {
        let samples: Vec<Sample> = (0..100)
            .map(|i| sample(i as f32 / 100.0, (i * 37 % 100) < i))
            .collect();
        let (_, weights) = fit(&samples, 1.0);
        assert!(weights[0] > 1.0, "{weights:?}");
        assert!(weights[1..].iter().all(|w| w.abs() < 1e-6));
    }

    #[test]
    fn the_threshold_keeps_added_answers_under_the_wrong_share() {
        // Right above 0.5, wrong below: the threshold lands at the lowest
        // right sample, and no wrong one passes it.
        let samples: Vec<Sample> = (0..40).map(|i| sample(i as f32, i >= 20)).collect();
        let calibration = Calibration {
            fitted_on: Vec::new(),
            threshold: 0.0,
            bias: -20.0,
            weights: FEATURE_NAMES
                .iter()
                .enumerate()
                .map(|(i, name)| Weight {
                    feature: (*name).to_owned(),
                    weight: if i == 0 { 1.0 } else { 0.0 },
                })
                .collect(),
        };
        let threshold = choose_threshold(&calibration, &samples, 0.0, 5);
        let passing: Vec<&Sample> = samples
            .iter()
            .filter(|s| calibration.probability(&s.features) >= threshold)
            .collect();
        assert_eq!(passing.len(), 20);
        assert!(passing.iter().all(|s| s.right));
        // With no way to stay under the share, nothing is added.
        let all_wrong: Vec<Sample> = (0..40).map(|i| sample(i as f32, false)).collect();
        assert_eq!(choose_threshold(&calibration, &all_wrong, 0.05, 5), 1.0);
    }

    #[test]
    fn a_calibration_without_every_feature_is_refused() {
        let text = "fitted_on = []\nthreshold = 0.9\nbias = 0.0\n\
                    [[weights]]\nfeature = \"best_score\"\nweight = 1.0\n";
        assert!(Calibration::parse(text).unwrap_err().contains("must name"));
    }
}
