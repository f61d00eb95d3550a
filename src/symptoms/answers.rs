//! What a person answered, keyed by item id (clinical-basis.md section g).
//!
//! This file owns [`Answer`] and [`Answers`], the plain-data record of a
//! check that both the data-driven state machine and the independent rule
//! set ([`super::rules`]) read. It also owns the [`AnswerLookup`] trait, the
//! one question the rule set asks of answers, so the rule set can read a
//! conversation's answers and the validator's compact path state alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The id every question accepts for "not sure".
pub const UNSURE: &str = "unsure";

/// One answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// "Not sure" (after the re-ask, for emergency red flags).
    Unsure,
    /// One choice id: `yes`, `no`, or a choice of a one-of question.
    One(String),
    /// The choice ids picked on a pick-all-that-apply question.
    Many(Vec<String>),
}

impl Answer {
    /// Whether this answer is, or (for several choices) includes, `value`.
    /// `"unsure"` matches [`Answer::Unsure`].
    pub fn is(&self, value: &str) -> bool {
        match self {
            Answer::Unsure => value == UNSURE,
            Answer::One(id) => id == value,
            Answer::Many(ids) => ids.iter().any(|id| id == value),
        }
    }

    /// The choice ids of this answer (`["unsure"]` for not sure).
    pub fn ids(&self) -> Vec<String> {
        match self {
            Answer::Unsure => vec![UNSURE.to_owned()],
            Answer::One(id) => vec![id.clone()],
            Answer::Many(ids) => ids.clone(),
        }
    }
}

/// Reads answers by item id and choice id. Implemented by [`Answers`] and by
/// the validator's path state, so the rule set reads both the same way.
pub trait AnswerLookup {
    /// Whether `item` was answered with (or, for several choices, includes)
    /// `value`. An item that was not asked is never anything.
    fn answer_is(&self, item: &str, value: &str) -> bool;

    /// Whether `item` was answered with any choice other than `except` and
    /// "not sure" (for example any clot risk factor other than `none`).
    fn answer_has_other_than(&self, item: &str, except: &str) -> bool;
}

/// Every answer given so far, keyed by item id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    /// No answers.
    pub fn new() -> Self {
        Answers::default()
    }

    /// Records `answer` for `item`, replacing an earlier one.
    pub fn insert(&mut self, item: impl Into<String>, answer: Answer) {
        self.0.insert(item.into(), answer);
    }

    /// The answer to `item`, if it was asked.
    pub fn get(&self, item: &str) -> Option<&Answer> {
        self.0.get(item)
    }

    /// Whether `item` was answered `yes`.
    pub fn is_yes(&self, item: &str) -> bool {
        self.answer_is(item, "yes")
    }

    /// Every (item, answer) pair, in item-id order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Answer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many items were answered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was answered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AnswerLookup for Answers {
    fn answer_is(&self, item: &str, value: &str) -> bool {
        self.0.get(item).is_some_and(|a| a.is(value))
    }

    fn answer_has_other_than(&self, item: &str, except: &str) -> bool {
        self.0
            .get(item)
            .is_some_and(|a| a.ids().iter().any(|id| id != except && id != UNSURE))
    }
}

impl FromIterator<(String, Answer)> for Answers {
    fn from_iter<T: IntoIterator<Item = (String, Answer)>>(iter: T) -> Self {
        Answers(iter.into_iter().collect())
    }
}
