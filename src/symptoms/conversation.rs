//! One person's run through the symptom check, as plain data.
//!
//! This file owns [`Conversation`] (what was answered and what is being
//! asked), the [`Step`]s it returns ([`Prompt`] or [`Outcome`]) and
//! [`AnswerError`]. A conversation holds no reference to the check and no
//! clock: the caller keeps it (in memory, or serialised in a store keyed by
//! person and place), passes the loaded [`SymptomCheck`] to every call, and
//! decides when it expires. Restart is [`Conversation::start`] again; cancel
//! is dropping it.
//!
//! "Not sure" on an emergency red flag (a question with a `simpler`
//! wording) is asked once more in the simpler words (clinical-basis.md f.3);
//! what is answered then is recorded. When the check ends, the outcome's
//! level is raised, if needed, to [`rules::floor`] of the answers, and the
//! outcome says so ([`Outcome::raised_from`]).

use serde::{Deserialize, Serialize};

use super::answers::{Answer, Answers, UNSURE};
use super::level::Level;
use super::machine::{self, End, Next};
use super::model::{PatternRef, Question, QuestionKind, SymptomCheck};
use super::reply;
use super::rules;

/// One choice as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What a click sends back (`yes`, `no`, `unsure`, or a choice id).
    pub id: String,
    /// What the person sees.
    pub label: String,
}

/// A question to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    /// The item id.
    pub question_id: String,
    /// The wording (the simpler wording on a re-ask).
    pub text: String,
    /// The choices, "Not sure" last.
    pub choices: Vec<Choice>,
    /// Whether several choices may be picked.
    pub multi: bool,
    /// Whether this is the simpler second asking after "not sure".
    pub is_reask: bool,
    /// Which question this is (1 for the first asked).
    pub number: usize,
}

/// How the check ended: a triage level, a leading pattern, and what to tell
/// the person. Texts keep their `{emergency_number}` and
/// `{urgent_advice_line}` placeholders; the safety policy fills them in and
/// adds the disclaimer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The outcome id of the data file.
    pub id: String,
    /// The triage level (never less urgent than rule set c.2).
    pub level: Level,
    /// The leading pattern id (clinical-basis.md section b).
    pub pattern: String,
    /// A short heading.
    pub title: String,
    /// "Your answers fit a pattern that can be caused by ...".
    pub pattern_text: String,
    /// What to do, specific to this outcome (the level's action and the
    /// safety net come from `faq/urgency.toml` when the reply is built).
    pub advice: String,
    /// FAQ entry ids to read next.
    pub see_also: Vec<String>,
    /// Sources: public pages with their titles.
    pub sources: Vec<super::SourceRef>,
    /// The item ids asked, in order.
    pub asked: Vec<String>,
    /// The rule of the data file that chose the outcome, if one did.
    pub rule: Option<String>,
    /// When rule set c.2 had to raise the level: the level the data file
    /// gave. `None` when the data file's outcome was urgent enough (always,
    /// for a file that passes validation).
    pub raised_from: Option<Level>,
}

/// What to show next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// Ask a question.
    Ask(Prompt),
    /// The check is over.
    Done(Outcome),
}

/// An answer that was not taken; the same question should be asked again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// The reply did not name a choice (or named several ambiguously).
    #[error(
        "Sorry, I didn't understand \"{reply}\". Please answer with one of: {}.",
        labels(choices)
    )]
    NotUnderstood {
        /// The question being asked.
        question_id: String,
        /// What was received.
        reply: String,
        /// The valid choices.
        choices: Vec<Choice>,
    },
    /// A choice that must stand alone ("None of these", "Not sure") was
    /// combined with others.
    #[error(
        "\"{choice}\" can't be combined with other answers. Please answer again: {}.",
        labels(choices)
    )]
    CannotCombine {
        /// The question being asked.
        question_id: String,
        /// The label of the choice that must stand alone.
        choice: String,
        /// The valid choices.
        choices: Vec<Choice>,
    },
    /// Several choices on a question that takes one.
    #[error("Please pick just one of: {}.", labels(choices))]
    OnlyOne {
        /// The question being asked.
        question_id: String,
        /// The valid choices.
        choices: Vec<Choice>,
    },
    /// The check has already ended.
    #[error("This symptom check has finished. Start it again to run it once more.")]
    Finished,
    /// The check file changed since the conversation started.
    #[error("The symptom check was updated since you started. Please start it again.")]
    CheckChanged,
}

impl AnswerError {
    /// The valid choices, so the front end can ask again (empty when the
    /// check has finished or changed).
    pub fn choices(&self) -> &[Choice] {
        match self {
            AnswerError::NotUnderstood { choices, .. }
            | AnswerError::CannotCombine { choices, .. }
            | AnswerError::OnlyOne { choices, .. } => choices,
            AnswerError::Finished | AnswerError::CheckChanged => &[],
        }
    }
}

fn labels(choices: &[Choice]) -> String {
    choices
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {}", i + 1, c.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One answered question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Given {
    question: String,
    answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum State {
    Asking { question: String, reask: bool },
    Done { outcome: Box<Outcome> },
}

/// One person's run through the check: plain data, cheap to clone and
/// serialisable, so it can be stored between messages and survive a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    fingerprint: String,
    history: Vec<Given>,
    state: State,
}

impl Conversation {
    /// Starts the check: the first question (or, for a check that asks
    /// nothing, its outcome).
    pub fn start(check: &SymptomCheck) -> (Conversation, Step) {
        let mut conversation = Conversation {
            fingerprint: check.fingerprint().to_owned(),
            history: Vec::new(),
            state: State::Asking {
                question: String::new(),
                reask: false,
            },
        };
        let masks = check.masks(&Answers::new());
        let step = conversation.go(check, machine::start(check, &masks));
        (conversation, step)
    }

    /// Takes what the person typed or clicked: a choice number, yes/no/not
    /// sure words, a choice id or label, or several (comma or space
    /// separated) on a pick-all-that-apply question.
    pub fn answer(&mut self, check: &SymptomCheck, reply: &str) -> Result<Step, AnswerError> {
        let (question, _) = self.current(check)?;
        let ids = reply::parse(question, reply).ok_or_else(|| AnswerError::NotUnderstood {
            question_id: question.id.clone(),
            reply: reply.chars().take(100).collect(),
            choices: choices_of(question),
        })?;
        let answer = checked_answer(question, &ids)?;
        Ok(self.give(check, answer))
    }

    /// Takes choice ids, as sent by buttons (`["yes"]`, `["calf", "thigh"]`).
    pub fn answer_ids(
        &mut self,
        check: &SymptomCheck,
        ids: &[String],
    ) -> Result<Step, AnswerError> {
        let (question, _) = self.current(check)?;
        let answer = checked_answer(question, ids)?;
        Ok(self.give(check, answer))
    }

    /// Goes back one question: undoes the last answer and asks that question
    /// again (from a re-ask, back to the question's first wording). At the
    /// first question, asks it again. If the check file changed, starts again.
    pub fn back(&mut self, check: &SymptomCheck) -> Step {
        if self.fingerprint != check.fingerprint() {
            let (fresh, step) = Conversation::start(check);
            *self = fresh;
            return step;
        }
        match &mut self.state {
            State::Asking {
                reask: reask @ true,
                ..
            } => *reask = false,
            _ => {
                if let Some(last) = self.history.pop() {
                    self.state = State::Asking {
                        question: last.question,
                        reask: false,
                    };
                }
            }
        }
        self.step(check)
    }

    /// What is being shown now: the current question, or the outcome.
    pub fn step(&self, check: &SymptomCheck) -> Step {
        match &self.state {
            State::Done { outcome } => Step::Done((**outcome).clone()),
            State::Asking { question, reask } => match check.question(question) {
                Some(q) => Step::Ask(self.prompt(q, *reask)),
                None => Conversation::start(check).1,
            },
        }
    }

    /// The answers given so far, by item id.
    pub fn answers(&self) -> Answers {
        self.history
            .iter()
            .map(|g| (g.question.clone(), g.answer.clone()))
            .collect()
    }

    /// The answers given so far in the order asked, as (question wording,
    /// answer labels) for echoing back what was understood
    /// (clinical-basis.md f.3.3).
    pub fn summary(&self, check: &SymptomCheck) -> Vec<(String, String)> {
        self.history
            .iter()
            .filter_map(|g| {
                let q = check.question(&g.question)?;
                let labels: Vec<String> = g.answer.ids().iter().map(|id| q.label_of(id)).collect();
                Some((q.text.clone(), labels.join(", ")))
            })
            .collect()
    }

    /// Whether the check has ended.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done { .. })
    }

    fn current<'c>(&self, check: &'c SymptomCheck) -> Result<(&'c Question, bool), AnswerError> {
        if self.fingerprint != check.fingerprint() {
            return Err(AnswerError::CheckChanged);
        }
        match &self.state {
            State::Done { .. } => Err(AnswerError::Finished),
            State::Asking { question, reask } => check
                .question(question)
                .map(|q| (q, *reask))
                .ok_or(AnswerError::CheckChanged),
        }
    }

    /// Records a checked answer to the current question and moves on.
    /// The caller has made sure a question is being asked.
    pub(crate) fn give(&mut self, check: &SymptomCheck, answer: Answer) -> Step {
        let (question_id, reask) = match &self.state {
            State::Asking { question, reask } => (question.clone(), *reask),
            State::Done { outcome } => return Step::Done((**outcome).clone()),
        };
        let Some(index) = check.question_index(&question_id) else {
            return self.step(check);
        };
        let question = &check.questions[index];
        if answer == Answer::Unsure && question.simpler.is_some() && !reask {
            self.state = State::Asking {
                question: question_id,
                reask: true,
            };
            return self.step(check);
        }
        self.history.push(Given {
            question: question_id,
            answer,
        });
        let masks = check.masks(&self.answers());
        let next = machine::after_answer(check, &masks, index);
        self.go(check, next)
    }

    fn go(&mut self, check: &SymptomCheck, next: Next) -> Step {
        match next {
            Next::Ask(q) => {
                self.state = State::Asking {
                    question: check.questions[q].id.clone(),
                    reask: false,
                };
                self.step(check)
            }
            Next::Done(end) => {
                let outcome = self.outcome(check, end);
                self.state = State::Done {
                    outcome: Box::new(outcome.clone()),
                };
                Step::Done(outcome)
            }
        }
    }

    fn prompt(&self, question: &Question, reask: bool) -> Prompt {
        let text = match (&question.simpler, reask) {
            (Some(simpler), true) => simpler.clone(),
            _ => question.text.clone(),
        };
        Prompt {
            question_id: question.id.clone(),
            text,
            choices: choices_of(question),
            multi: question.kind == QuestionKind::AnyOf,
            is_reask: reask,
            number: self.history.len() + 1,
        }
    }

    /// Builds the outcome for how the check ended, applying rule set c.2 as
    /// a floor.
    fn outcome(&self, check: &SymptomCheck, end: End) -> Outcome {
        let answers = self.answers();
        let masks = check.masks(&answers);
        let floor = rules::floor(&answers);
        let chosen = end.outcome(check);
        // No rule held (an incomplete file): be cautious, at least routine.
        let data_level = chosen.map_or(Level::SelfCare, |o| check.outcomes[o].level);
        let wanted = if chosen.is_none() {
            floor.max(Level::Routine)
        } else {
            floor
        };
        let (index, raised_from) = match chosen {
            Some(o) if data_level >= wanted => (o, None),
            _ => {
                let fallback = check.floor.get(&wanted).copied().or(chosen).unwrap_or(0);
                (fallback, chosen.map(|_| data_level))
            }
        };
        let def = &check.outcomes[index];
        // The pattern comes from the outcome the data chose, even when the
        // floor replaced its advice.
        let pattern_ref = chosen.map_or(PatternRef::Leading, |o| check.outcomes[o].pattern);
        let pattern = match pattern_ref {
            PatternRef::Fixed(p) => Some(p),
            PatternRef::Leading => machine::leading_pattern(check, &masks),
        };
        let pattern_def = pattern.and_then(|p| check.patterns.get(p));
        let mut see_also = def.see_also.clone();
        let mut source_tags = def.sources.clone();
        if let Some(p) = pattern_def {
            see_also.extend(p.see_also.iter().cloned());
            source_tags.extend(p.sources.iter().cloned());
        }
        dedup(&mut see_also);
        dedup(&mut source_tags);
        Outcome {
            id: def.id.clone(),
            level: def.level.max(wanted),
            pattern: pattern_def.map_or_else(|| "unclear".to_owned(), |p| p.id.clone()),
            title: def.title.clone(),
            pattern_text: pattern_def.map(|p| p.text.clone()).unwrap_or_default(),
            advice: def.advice.clone(),
            see_also,
            sources: source_tags
                .iter()
                .filter_map(|tag| check.sources.get(tag).cloned())
                .collect(),
            asked: self.history.iter().map(|g| g.question.clone()).collect(),
            rule: match end {
                End::Rule(r) => check.rules.get(r).map(|rule| rule.id.clone()),
                _ => None,
            },
            raised_from,
        }
    }
}

fn dedup(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|item| seen.insert(item.clone()));
}

/// The choices of a question as shown, "Not sure" last.
pub(crate) fn choices_of(question: &Question) -> Vec<Choice> {
    question
        .value_ids()
        .map(|id| Choice {
            id: id.to_owned(),
            label: question.label_of(id),
        })
        .collect()
}

/// Turns value ids into an answer, refusing unknown ids and impossible
/// combinations.
pub(crate) fn checked_answer(question: &Question, ids: &[String]) -> Result<Answer, AnswerError> {
    let not_understood = |reply: String| AnswerError::NotUnderstood {
        question_id: question.id.clone(),
        reply,
        choices: choices_of(question),
    };
    let mut picked: Vec<&str> = Vec::new();
    for id in ids {
        if question.bit(id).is_none() {
            return Err(not_understood(id.chars().take(100).collect()));
        }
        if !picked.contains(&id.as_str()) {
            picked.push(id);
        }
    }
    if picked.is_empty() {
        return Err(not_understood(String::new()));
    }
    if picked.len() > 1 {
        if question.kind != QuestionKind::AnyOf {
            return Err(AnswerError::OnlyOne {
                question_id: question.id.clone(),
                choices: choices_of(question),
            });
        }
        let alone = picked.iter().find(|id| {
            **id == UNSURE || question.choices.iter().any(|c| c.id == **id && c.exclusive)
        });
        if let Some(id) = alone {
            return Err(AnswerError::CannotCombine {
                question_id: question.id.clone(),
                choice: question.label_of(id),
                choices: choices_of(question),
            });
        }
    }
    if picked == [UNSURE] {
        return Ok(Answer::Unsure);
    }
    Ok(match question.kind {
        QuestionKind::AnyOf => Answer::Many(
            question
                .choices
                .iter()
                .filter(|c| picked.contains(&c.id.as_str()))
                .map(|c| c.id.clone())
                .collect(),
        ),
        _ => Answer::One(picked[0].to_owned()),
    })
}
