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

use std::path::Path;

use crate::fasthash::FastMap;

use crate::problem::Problem;
use crate::text;

/// The fitted weights.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Word to its id.
    words: FastMap<String, u32>,
    /// The weight of each word alone, by id.
    unigram: Vec<f64>,
    /// Weights of word pairs, by the two words' ids, each with its number
    /// (for counting a pair once per message).
    pairs: FastMap<(u32, u32), (f64, u32)>,
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
                        model.add(&words, value);
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

    /// The id of a word, adding it if new.
    fn id_of(&mut self, word: &str) -> u32 {
        if let Some(id) = self.words.get(word) {
            return *id;
        }
        let id = u32::try_from(self.unigram.len()).unwrap_or(u32::MAX - 1);
        self.words.insert(word.to_owned(), id);
        self.unigram.push(0.0);
        id
    }

    /// Adds a feature of one word or a pair of words.
    fn add(&mut self, words: &[&str], weight: f64) {
        match words {
            [word] => {
                let id = self.id_of(word);
                if let Some(slot) = self.unigram.get_mut(id as usize) {
                    *slot = weight;
                }
            }
            [first, second] => {
                let pair = (self.id_of(first), self.id_of(second));
                let number = u32::try_from(self.pairs.len()).unwrap_or(u32::MAX);
                self.pairs
                    .entry(pair)
                    .and_modify(|(old, _)| *old = weight)
                    .or_insert((weight, number));
            }
            _ => {}
        }
    }

    /// Whether the model alarms on `plain`, a message without code, links
    /// and mentions ([`text::without_markup`]).
    pub fn alarms(&self, plain: &str) -> bool {
        !self.words.is_empty() && self.score_plain(plain) >= self.logit_threshold
    }

    /// The log-odds the model gives `message` of being an emergency.
    pub fn score(&self, message: &str) -> f64 {
        // Code, links and mentions are no part of what a person says (the
        // rules skip them too).
        self.score_plain(&text::without_markup(message))
    }

    /// The words the model knows (its vocabulary, from the tuning sets).
    pub fn vocabulary(&self) -> impl Iterator<Item = &str> {
        self.words.keys().map(String::as_str)
    }

    /// [`Model::score`] of a message without code, links and mentions.
    pub fn score_plain(&self, plain: &str) -> f64 {
        let mut score = self.bias;
        // Features are present or not: each counts once.
        let mut seen_words = vec![0u64; self.unigram.len().div_ceil(64)];
        let mut seen_pairs = vec![0u64; self.pairs.len().div_ceil(64)];
        let mut previous: Option<u32> = None;
        let mut add = |word: &str| {
            let id = self.words.get(word).copied();
            if let Some(id) = id {
                let (slot, bit) = (id as usize / 64, id % 64);
                if let Some(bits) = seen_words.get_mut(slot)
                    && *bits & (1 << bit) == 0
                {
                    *bits |= 1 << bit;
                    score += self.unigram.get(id as usize).copied().unwrap_or(0.0);
                }
                if let Some(first) = previous
                    && let Some((weight, number)) = self.pairs.get(&(first, id))
                    && let Some(bits) = seen_pairs.get_mut(*number as usize / 64)
                    && *bits & (1 << (number % 64)) == 0
                {
                    *bits |= 1 << (number % 64);
                    score += weight;
                }
            }
            previous = id;
        };
        for_each_word(plain, &mut add);
        score
    }
}

/// Calls `each` with every word of [`clean`]`(message)`, in order, without
/// building the cleaned message when it is ASCII (most messages).
fn for_each_word(message: &str, each: &mut impl FnMut(&str)) {
    if !message.is_ascii() || message.len() > text::MAX_INPUT_CHARS {
        for word in clean(message).split(' ').filter(|word| !word.is_empty()) {
            each(word);
        }
        return;
    }
    // Lower-cased once; without apostrophes ("can't" is "cant") only when
    // there are any. The words are then slices of that copy.
    let mut lower = message.to_ascii_lowercase();
    if lower.contains('\'') {
        lower.retain(|c| c != '\'');
    }
    // Byte by byte (the copy is ASCII): each run of letters and digits.
    let mut start = None;
    for (at, byte) in lower.bytes().enumerate() {
        if byte.is_ascii_alphanumeric() {
            start.get_or_insert(at);
        } else if let Some(from) = start.take() {
            each(lower.get(from..at).unwrap_or(""));
        }
    }
    if let Some(from) = start {
        each(lower.get(from..).unwrap_or(""));
    }
}

/// A message as the model reads it: lower case, apostrophes removed, every
/// run of characters other than a-z and 0-9 a space (the same reading as
/// `fit_model.py`). [`for_each_word`] reads ASCII messages without it.
pub fn clean(message: &str) -> String {
    let bounded = if message.len() <= text::MAX_INPUT_CHARS {
        message
    } else {
        match message.char_indices().nth(text::MAX_INPUT_CHARS) {
            Some((end, _)) => message.get(..end).unwrap_or(message),
            None => message,
        }
    };
    if bounded.is_ascii() {
        // The same reading, byte by byte, without a lower-cased copy (a
        // backtick is a word break here, as `fit_model.py` reads it).
        return text::clean_ascii_dropping(bounded, b"'");
    }
    let mut out = String::with_capacity(bounded.len());
    let mut pending_space = false;
    let lower = bounded.to_lowercase();
    for c in lower.chars() {
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
    fn words_are_read_alike_with_or_without_the_cleaned_copy() {
        for message in [
            "Can't PEE — since 6am!!",
            "I can't pee, can't pee",
            "  lots   of   spaces '' and 'quotes' ",
            "x",
            "",
            "numb\u{2019}s bum",
            "İSTANBUL ΣΟΦΟΣ Straße ǅemal ﬁne 🙏 café",
            "ЧЕСТ pain <@1> ok",
        ] {
            let mut words: Vec<String> = Vec::new();
            for_each_word(message, &mut |word: &str| words.push(word.to_owned()));
            let expected: Vec<String> = clean(message)
                .split(' ')
                .filter(|word| !word.is_empty())
                .map(str::to_owned)
                .collect();
            assert_eq!(words, expected, "{message:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn words_are_read_alike_on_any_text(message in "[a-zA-Z0-9 '`.,!?\t\n-]{0,60}|\\PC{0,20}") {
            let mut words: Vec<String> = Vec::new();
            for_each_word(&message, &mut |word: &str| words.push(word.to_owned()));
            let expected: Vec<String> = clean(&message)
                .split(' ')
                .filter(|word| !word.is_empty())
                .map(str::to_owned)
                .collect();
            proptest::prop_assert_eq!(words, expected);
        }
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
