//! Scripted runs: `faqbot symptoms --answers FILE --json` (design.md).
//!
//! This file owns [`run_answers`]: the answers file's `[answers]` table maps
//! item ids to `"yes"`, `"no"`, `"unsure"`, a choice id, or an array of
//! choice ids (`true`/`false` are taken as yes/no). Other keys of the file
//! are ignored. The check is run through the same [`Conversation`] people
//! use; a question the file does not answer is answered "not sure" (twice,
//! for an emergency red flag). An unknown item id or choice is an error that
//! names it, never a silent guess.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::answers::{Answer, UNSURE};
use super::conversation::{Conversation, Prompt, Step, checked_answer};
use super::level::Level;
use super::model::{NONE_OF_THESE, SymptomCheck};

/// The result of a scripted run; serialises to exactly
/// `{"triage", "pattern", "outcome", "asked", "screens"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptResult {
    /// The triage level.
    pub triage: Level,
    /// The leading pattern id.
    pub pattern: String,
    /// The outcome id.
    pub outcome: String,
    /// The item ids asked, in order.
    pub asked: Vec<String>,
    /// How many screens were shown: a screen of several items once, each
    /// question once, each asking again after "not sure" once more.
    pub screens: usize,
}

/// Why an answers file could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The file is not valid TOML.
    #[error("the answers file is not valid TOML: {0}")]
    Toml(String),
    /// There is no `[answers]` table.
    #[error("the answers file has no [answers] table")]
    NoAnswersTable,
    /// An item id that is not a question of the check.
    #[error("unknown item id `{item}` in [answers]")]
    UnknownItem {
        /// The unknown id.
        item: String,
    },
    /// A choice that the item does not have.
    #[error("unknown choice `{choice}` for `{item}` (valid: {})", valid.join(", "))]
    UnknownChoice {
        /// The item.
        item: String,
        /// The unknown choice.
        choice: String,
        /// The valid values.
        valid: Vec<String>,
    },
    /// A value that is not a string, an array of strings or a boolean.
    #[error(
        "`{item}` must be \"yes\", \"no\", \"unsure\", a choice id or an array of choice ids, not {found}"
    )]
    BadValue {
        /// The item.
        item: String,
        /// What was found.
        found: String,
    },
    /// A combination the question does not accept (two answers to a
    /// one-answer question, "none" with others).
    #[error("`{item}`: {reason}")]
    InvalidAnswer {
        /// The item.
        item: String,
        /// Why.
        reason: String,
    },
    /// An array with more answers than any question has choices.
    #[error("`{item}`: at most {limit} answers to one question, not {found}")]
    TooManyAnswers {
        /// The item.
        item: String,
        /// How many there were.
        found: usize,
        /// The most accepted ([`MAX_ANSWERS_PER_ITEM`]).
        limit: usize,
    },
    /// The run did not end (only possible with a broken check file).
    #[error("the check did not end after {0} steps")]
    DidNotEnd(usize),
}

/// The largest answers file read, in bytes: a file answering every question
/// of the check is a few kilobytes; a device such as `/dev/zero` would
/// otherwise be read until memory runs out.
pub const MAX_ANSWERS_FILE_BYTES: u64 = 64 * 1024;

/// At most this many answers to one question (an array of choice ids) are
/// accepted: more than any question has choices, so a longer array is a
/// mistake, not an answer.
pub const MAX_ANSWERS_PER_ITEM: usize = 64;

/// Runs the check on the answers in `answers_toml` (design.md,
/// `symptoms --answers FILE --json`).
pub fn run_answers(check: &SymptomCheck, answers_toml: &str) -> Result<ScriptResult, ScriptError> {
    let given = read_answers(check, answers_toml)?;
    let (mut conversation, mut step) = Conversation::start(check);
    let limit = 2 * check.questions.len() + 2;
    for _ in 0..limit {
        match step {
            Step::Done(outcome) => {
                return Ok(ScriptResult {
                    triage: outcome.level,
                    pattern: outcome.pattern,
                    outcome: outcome.id,
                    asked: outcome.asked,
                    screens: outcome.screens,
                });
            }
            Step::Ask(prompt) if prompt.grouped => {
                let ids = grouped_answer(&prompt, &given);
                step = conversation.answer_ids(check, &ids).map_err(|e| {
                    ScriptError::InvalidAnswer {
                        item: prompt.question_id.clone(),
                        reason: e.to_string(),
                    }
                })?;
            }
            Step::Ask(prompt) => {
                let answer = given
                    .get(prompt.question_id.as_str())
                    .cloned()
                    .unwrap_or(Answer::Unsure);
                step = conversation.give(check, answer);
            }
        }
    }
    Err(ScriptError::DidNotEnd(limit))
}

/// The `[answers]` table of the file, each answer checked against its
/// question; the first problem found is the error.
fn read_answers<'c>(
    check: &'c SymptomCheck,
    answers_toml: &str,
) -> Result<BTreeMap<&'c str, Answer>, ScriptError> {
    let file: toml::Table =
        toml::from_str(answers_toml).map_err(|e| ScriptError::Toml(e.message().to_owned()))?;
    let Some(toml::Value::Table(table)) = file.get("answers") else {
        return Err(ScriptError::NoAnswersTable);
    };
    let mut given: BTreeMap<&str, Answer> = BTreeMap::new();
    for (item, value) in table {
        let question = check
            .question(item)
            .ok_or_else(|| ScriptError::UnknownItem { item: item.clone() })?;
        let ids = value_ids(item, value)?;
        for id in &ids {
            if question.bit(id).is_none() {
                return Err(ScriptError::UnknownChoice {
                    item: item.clone(),
                    choice: id.clone(),
                    valid: question.value_ids().map(str::to_owned).collect(),
                });
            }
        }
        let answer = checked_answer(question, &ids).map_err(|e| ScriptError::InvalidAnswer {
            item: item.clone(),
            reason: e.to_string(),
        })?;
        given.insert(question.id.as_str(), answer);
    }
    Ok(given)
}

/// The value ids one answer of the file gives `item`: a string, a boolean
/// (yes/no) or an array of strings.
fn value_ids(item: &str, value: &toml::Value) -> Result<Vec<String>, ScriptError> {
    match value {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Boolean(b) => Ok(vec![if *b { "yes" } else { "no" }.to_owned()]),
        toml::Value::Array(items) if items.len() > MAX_ANSWERS_PER_ITEM => {
            Err(ScriptError::TooManyAnswers {
                item: item.to_owned(),
                found: items.len(),
                limit: MAX_ANSWERS_PER_ITEM,
            })
        }
        toml::Value::Array(items) => items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(ScriptError::BadValue {
                    item: item.to_owned(),
                    found: format!("an array holding {}", other.type_str()),
                }),
            })
            .collect(),
        other => Err(ScriptError::BadValue {
            item: item.to_owned(),
            found: other.type_str().to_owned(),
        }),
    }
}

/// The choice ids that answer a screen from the file's answers.
fn grouped_answer(prompt: &Prompt, given: &BTreeMap<&str, Answer>) -> Vec<String> {
    // A screen: the items answered yes are picked; any item answered "not
    // sure" or not at all makes "not sure about some". The step after it
    // ("which are you not sure about?", no "not sure" choice of its own)
    // gets those items.
    let is_screen = prompt.choices.iter().any(|c| c.id == UNSURE);
    let mut ids: Vec<String> = Vec::new();
    let mut unsure = false;
    for choice in &prompt.choices {
        if choice.id == NONE_OF_THESE || choice.id == UNSURE {
            continue;
        }
        let answer = given.get(choice.id.as_str());
        let known = answer.is_some_and(|a| a.is("yes") || a.is("no"));
        if is_screen && answer.is_some_and(|a| a.is("yes")) {
            ids.push(choice.id.clone());
        } else if !known {
            unsure = true;
            if !is_screen {
                ids.push(choice.id.clone());
            }
        }
    }
    if is_screen && unsure {
        ids.push(UNSURE.to_owned());
    } else if is_screen && ids.is_empty() {
        ids.push(NONE_OF_THESE.to_owned());
    }
    ids
}
