//! The emergency screen's second opinion: a logistic regression over the
//! words and word pairs of a message (`faq/emergency/model.tsv`, written by
//! `faq/emergency/fit_model.py` from the tuning sets, never the held-out
//! ones).
//!
//! The rules read findings in context and say which red flag a message
//! describes; on words their authors never saw they miss about one
//! emergency in ten. The model has no idea of context, but it has seen how
//! some two thousand messages by several writers word an emergency, and a
//! message it scores above its threshold gets the emergency reply even when
//! no rule fired (recall first). It never silences a rule.

use std::collections::HashMap;
use std::path::Path;

use crate::problem::Problem;
use crate::text;

/// The fitted weights.
#[derive(Debug, Clone, Default)]
pub struct Model {
    weights: HashMap<String, f64>,
    bias: f64,
    /// The score (log-odds) at or above which a message alarms.
    logit_threshold: f64,
}

impl Model {
    /// Reads `model.tsv`: `threshold`, `bias` and `feature<TAB>weight` lines;
    /// every bad line is a problem at its line.
    pub fn parse(path: &Path, source: &str) -> (Model, Vec<Problem>) {
        let mut model = Model::default();
        let mut problems = Vec::new();
        let mut threshold = None;
        let mut bias = None;
        let mut offset = 0;
        for raw in source.split('\n') {
            let line_start = offset;
            offset += raw.len() + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let problem = |message: String| Problem::at_offset(path, source, line_start, message);
            let Some((name, value)) = line.split_once('\t') else {
                problems.push(problem("expected feature<TAB>weight".to_owned()));
                continue;
            };
            let Ok(value) = value.trim().parse::<f64>() else {
                problems.push(problem(format!("`{value}` is not a number")));
                continue;
            };
            if !value.is_finite() {
                problems.push(problem(format!("`{value}` is not a finite number")));
                continue;
            }
            match name {
                "threshold" if (0.0..1.0).contains(&value) && value > 0.0 => {
                    threshold = Some(value);
                }
                "threshold" => problems.push(problem(
                    "threshold must be a probability between 0 and 1".to_owned(),
                )),
                "bias" => bias = Some(value),
                feature => {
                    let words: Vec<&str> = feature.split(' ').collect();
                    let clean = words.len() <= 2
                        && words.iter().all(|word| {
                            !word.is_empty()
                                && word
                                    .bytes()
                                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                        });
                    if clean {
                        model.weights.insert(feature.to_owned(), value);
                    } else {
                        problems.push(problem(format!(
                            "feature `{feature}` must be one or two words of a-z and 0-9"
                        )));
                    }
                }
            }
        }
        match (threshold, bias) {
            (Some(threshold), Some(bias)) => {
                model.bias = bias;
                model.logit_threshold = (threshold / (1.0 - threshold)).ln();
            }
            _ => problems.push(Problem::whole_file(
                path,
                "the model needs a `threshold` and a `bias` line",
            )),
        }
        (model, problems)
    }

    /// Whether the model alarms on `message`.
    pub fn alarms(&self, message: &str) -> bool {
        !self.weights.is_empty() && self.score(message) >= self.logit_threshold
    }

    /// The log-odds the model gives `message` of being an emergency.
    pub fn score(&self, message: &str) -> f64 {
        // Code, links and mentions are no part of what a person says (the
        // rules skip them too).
        let cleaned = clean(&text::without_markup(message));
        let words: Vec<&str> = cleaned.split(' ').filter(|w| !w.is_empty()).collect();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut score = self.bias;
        let mut add = |feature: String| {
            if let Some(weight) = self.weights.get(&feature)
                && seen.insert(feature)
            {
                score += weight;
            }
        };
        for (index, word) in words.iter().enumerate() {
            add((*word).to_owned());
            if let Some(next) = words.get(index + 1) {
                add(format!("{word} {next}"));
            }
        }
        score
    }
}

/// A message as the model reads it: lower case, apostrophes removed, every
/// run of characters other than a-z and 0-9 a space (the same reading as
/// `fit_model.py`).
pub fn clean(message: &str) -> String {
    let bounded = match message.char_indices().nth(text::MAX_INPUT_CHARS) {
        Some((end, _)) => message.get(..end).unwrap_or(message),
        None => message,
    };
    let mut out = String::with_capacity(bounded.len());
    let mut pending_space = false;
    for c in bounded.chars().flat_map(char::to_lowercase) {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_words_as_the_fitting_script_does() {
        assert_eq!(clean("Can't PEE — since 6am!!"), "cant pee since 6am");
        assert_eq!(clean("numb\u{2019}s bum"), "numbs bum");
    }

    #[test]
    fn words_and_pairs_add_their_weights_once() {
        let source = "threshold\t0.5\nbias\t-1.0\ncant\t0.5\ncant pee\t2.0\npee\t0.25\n";
        let (model, problems) = Model::parse(Path::new("m.tsv"), source);
        assert!(problems.is_empty(), "{problems:?}");
        assert!((model.score("I can't pee, can't pee") - 1.75).abs() < 1e-9);
        assert!(model.alarms("cant pee"));
        assert!(!model.alarms("pee"));
    }

    #[test]
    fn bad_lines_are_reported_at_their_line() {
        let source = "threshold\t1.5\nbias\tx\nBad Feature\t1\n";
        let (_, problems) = Model::parse(Path::new("m.tsv"), source);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert!(
            lines.contains(&1) && lines.contains(&2) && lines.contains(&3),
            "{problems:?}"
        );
    }
}
