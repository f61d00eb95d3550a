//! What `faqbot check` reports beyond problems: how well the FAQ reads and
//! works, as warnings a moderator should look at. A warning never stops the
//! FAQ from going live (unless `check --strict`); a problem always does.
//!
//! - Plain words: every answer and outcome gets a reading grade
//!   ([`crate::faq::readability`]); one above [`MAX_GRADE`], or a sentence of
//!   more than 25 words, is a warning.
//! - Length: an answer whose reply (with its urgency blocks, rendered as it
//!   is sent) would be cut to fit a Discord message, alone or with the
//!   symptom-check offer, is a warning.
//! - Self-test (on unless `check --no-self-test`; [`self_test`], also run on
//!   reload and in an edit's preview): every entry's question and alternates
//!   go through the matcher; each that does not get its own entry is a
//!   warning with the reason (not read as a question, the topic gate, the
//!   same words as another entry's phrasing, lost to another entry, too
//!   close to one, under the threshold).

use std::path::Path;

use serde::Serialize;

use crate::config::SafetySettings;
use crate::engine::CheckedFolder;
use crate::faq::readability::{self, LONG_SENTENCE_WORDS};
use crate::faq::{Faq, Matcher, MatcherSettings};
use crate::problem::Problem;
use crate::safety::{MAX_BODY_CHARS, SafetyPolicy};

/// The highest reading grade an answer or outcome should have.
pub const MAX_GRADE: f64 = 8.0;

/// The reading grade of one answer or outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextReading {
    /// "answer" or "outcome".
    pub kind: &'static str,
    /// The entry or outcome id.
    pub id: String,
    /// Its Flesch–Kincaid grade.
    pub grade: f64,
    /// How many of its sentences are longer than 25 words.
    pub long_sentences: usize,
}

/// The warnings and readings of a checked folder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Review {
    /// Warnings, each at its file and line.
    pub warnings: Vec<Problem>,
    /// The reading grade of every answer and outcome.
    pub readings: Vec<TextReading>,
}

impl Review {
    /// The median grade of one kind ("answer" or "outcome").
    pub fn median(&self, kind: &str) -> f64 {
        let grades: Vec<f64> = self
            .readings
            .iter()
            .filter(|reading| reading.kind == kind)
            .map(|reading| reading.grade)
            .collect();
        readability::median(&grades)
    }

    /// The hardest text of one kind.
    pub fn hardest(&self, kind: &str) -> Option<&TextReading> {
        self.readings
            .iter()
            .filter(|reading| reading.kind == kind)
            .max_by(|a, b| a.grade.total_cmp(&b.grade))
    }
}

/// The text of a file that loaded, for positions (empty if it cannot be
/// read again the way the loader read it).
fn read_checked(dir: &Path, path: &Path) -> String {
    crate::files::read_text_in(
        dir,
        path,
        crate::faq::loader::MAX_FILE_BYTES,
        &mut Vec::new(),
    )
    .unwrap_or_default()
}

/// Reviews a checked folder (whatever loaded of it); with `self_test`, the
/// matcher's self-test too.
pub fn review(dir: &Path, checked: &CheckedFolder, self_test: bool) -> Review {
    let mut review = Review::default();
    let policy = SafetyPolicy::new(&SafetySettings::default());
    for entry in &checked.faq.entries {
        let source = read_checked(dir, &entry.path);
        let at = source.find("\nanswer").map_or(0, |line| line + 1);
        let position = |message: String| Problem::at_offset(&entry.path, &source, at, message);
        let reading = readability::read(&entry.answer);
        add_reading(
            &mut review,
            "answer",
            &entry.id,
            &reading,
            position(String::new()),
        );
        // The reply as it is sent with no number configured (the longest
        // fill): alone, and with the symptom-check offer a story adds.
        let length = policy
            .fill(&policy.answer_body(entry, &checked.faq))
            .chars()
            .count();
        let room_with_offer = SafetyPolicy::room_beside_check_offer();
        if length > MAX_BODY_CHARS {
            review.warnings.push(position(format!(
                "warning: the answer with its urgency blocks is {length} characters; \
                 Discord takes at most {MAX_BODY_CHARS}, so its last blocks are cut: \
                 list fewer blocks or shorten it"
            )));
        } else if length > room_with_offer {
            review.warnings.push(position(format!(
                "warning: the answer with its urgency blocks is {length} characters; with the \
                 symptom-check offer (for a story) it passes Discord's {MAX_BODY_CHARS} and its \
                 last block is cut: shorten it by {} characters",
                length - room_with_offer
            )));
        }
    }
    if self_test {
        run_self_test(dir, checked, &mut review);
    }
    if let Some(check) = &checked.symptoms {
        let path = dir.join(crate::faq::loader::SYMPTOM_CHECK_FILE);
        let source = read_checked(dir, &path);
        for outcome in &check.outcomes {
            let at = source
                .find(&format!("id = \"{}\"", outcome.id))
                .unwrap_or(0);
            let reading = readability::read(&outcome.advice);
            add_reading(
                &mut review,
                "outcome",
                &outcome.id,
                &reading,
                Problem::at_offset(&path, &source, at, String::new()),
            );
        }
    }
    review
}

/// Records a text's reading, and a warning when it is hard to read.
fn add_reading(
    review: &mut Review,
    kind: &'static str,
    id: &str,
    reading: &readability::Reading,
    at: Problem,
) {
    review.readings.push(TextReading {
        kind,
        id: id.to_owned(),
        grade: reading.grade,
        long_sentences: reading.long_sentences.len(),
    });
    if reading.grade > MAX_GRADE {
        review.warnings.push(Problem {
            message: format!(
                "warning: the {kind} of `{id}` reads at grade {:.1} (aim for 6 or less, never \
                 above {MAX_GRADE:.0}): use shorter words and sentences",
                reading.grade
            ),
            ..at.clone()
        });
    }
    for sentence in &reading.long_sentences {
        let start: String = sentence.chars().take(40).collect();
        review.warnings.push(Problem {
            message: format!(
                "warning: a sentence of the {kind} of `{id}` has more than \
                 {LONG_SENTENCE_WORDS} words (\"{start}…\"): split it"
            ),
            ..at.clone()
        });
    }
}

/// The self-test: each entry's question and alternates, asked as a person
/// would, must get that entry as the answer. Each that does not is a
/// warning at the phrasing, with the reason.
fn run_self_test(dir: &Path, checked: &CheckedFolder, review: &mut Review) {
    if checked.faq.entries.is_empty() {
        return;
    }
    let matcher = Matcher::new(&checked.faq, MatcherSettings::default());
    review
        .warnings
        .extend(self_test(dir, &checked.faq, &matcher, |_| true));
}

/// The self-test of the entries `wanted` accepts (by id), with `matcher`
/// (built over `faq`, with the settings the bot serves with): a warning for
/// each question or alternate that does not get its own entry as the
/// answer, at the phrasing in its file under `dir`, with the reason. Used by
/// `faqbot check`, on reload (for the entries that changed) and in a
/// moderator's preview.
pub fn self_test(
    dir: &Path,
    faq: &Faq,
    matcher: &Matcher,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Problem> {
    let mut warnings = Vec::new();
    for entry in faq.entries.iter().filter(|entry| wanted(&entry.id)) {
        let mut source: Option<String> = None;
        for phrasing in std::iter::once(&entry.question).chain(&entry.alternates) {
            let Some(reason) = matcher.self_test(phrasing, &entry.id) else {
                continue;
            };
            let source = source.get_or_insert_with(|| read_checked(dir, &entry.path));
            // At the phrasing as written, when it can be found (escapes may
            // have changed it).
            let at = source.find(phrasing.as_str()).unwrap_or(0);
            let shown: String = phrasing.chars().take(60).collect();
            warnings.push(Problem::at_offset(
                &entry.path,
                source,
                at,
                format!(
                    "warning: self-test: \"{shown}\" does not get `{}`: {reason}",
                    entry.id
                ),
            ));
        }
    }
    warnings
}
