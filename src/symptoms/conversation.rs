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
use super::model::{NONE_OF_THESE, PatternRef, Question, QuestionKind, SymptomCheck};
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
    /// Which step this is (1 for the first screen shown; a screen of
    /// several items counts once, each item asked again on its own once
    /// more).
    pub number: usize,
    /// Whether this is a screen of several yes/no items: the choices are
    /// the items, then "None of these" and "Not sure about some"; the picked
    /// items are answered yes, the others no, or, with "Not sure about
    /// some", asked again one by one.
    #[serde(default)]
    pub grouped: bool,
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
    /// How many screens were shown (a screen of several items once, each
    /// question and each asking again once).
    #[serde(default)]
    pub screens: usize,
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
    /// One question. `reask`: the simpler second asking after "not sure";
    /// `screen`: an item left "not sure" on that screen, asked on its own.
    Asking {
        question: String,
        reask: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        screen: Option<String>,
    },
    /// Several items at once (`shown`: their ids).
    Screen {
        screen: String,
        shown: Vec<String>,
    },
    /// After "Not sure about some": which of the items not picked (`left`)
    /// the person is not sure about (`shown`: every item of the screen).
    Which {
        screen: String,
        shown: Vec<String>,
        left: Vec<String>,
    },
    Done {
        outcome: Box<Outcome>,
    },
}

/// What `back` returns to: the answers kept and the step shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Mark {
    answers: usize,
    state: State,
}

/// One person's run through the check: plain data, cheap to clone and
/// serialisable, so it can be stored between messages and survive a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    fingerprint: String,
    history: Vec<Given>,
    state: State,
    /// One mark per step answered, so `back` returns to exactly the step
    /// shown before (and the number of marks is the number of steps).
    #[serde(default)]
    marks: Vec<Mark>,
}

impl Conversation {
    /// Starts the check: the first question or screen (or, for a check
    /// that asks nothing, its outcome).
    pub fn start(check: &SymptomCheck) -> (Conversation, Step) {
        let mut conversation = Conversation {
            fingerprint: check.fingerprint().to_owned(),
            history: Vec::new(),
            state: State::Asking {
                question: String::new(),
                reask: false,
                screen: None,
            },
            marks: Vec::new(),
        };
        let masks = check.masks(&Answers::new());
        let step = conversation.go(check, machine::start(check, &masks), None);
        (conversation, step)
    }

    /// Takes what the person typed or clicked: a choice number, yes/no/not
    /// sure words, a choice id or label, or several (comma or space
    /// separated) on a pick-all-that-apply question. On a screen of several
    /// items: the item numbers, "none", or "not sure" (alone or beside
    /// numbers).
    pub fn answer(&mut self, check: &SymptomCheck, reply: &str) -> Result<Step, AnswerError> {
        if let State::Screen { screen, shown }
        | State::Which {
            screen,
            left: shown,
            ..
        } = &self.state
        {
            self.check_current(check)?;
            let which = matches!(self.state, State::Which { .. });
            let choices = screen_choices(check, shown, !which);
            let ids =
                reply::parse_screen(&choices, reply).ok_or_else(|| AnswerError::NotUnderstood {
                    question_id: step_id(screen, which),
                    reply: reply.chars().take(100).collect(),
                    choices: choices.clone(),
                })?;
            return self.answer_screen(check, &ids);
        }
        let (question, _) = self.current(check)?;
        let ids = reply::parse(question, reply).ok_or_else(|| AnswerError::NotUnderstood {
            question_id: question.id.clone(),
            reply: reply.chars().take(100).collect(),
            choices: choices_of(question),
        })?;
        let answer = checked_answer(question, &ids)?;
        Ok(self.give(check, answer))
    }

    /// Takes choice ids, as sent by buttons and menus (`["yes"]`,
    /// `["calf", "thigh"]`; on a screen, item ids, `none` or `unsure`).
    pub fn answer_ids(
        &mut self,
        check: &SymptomCheck,
        ids: &[String],
    ) -> Result<Step, AnswerError> {
        if matches!(self.state, State::Screen { .. } | State::Which { .. }) {
            self.check_current(check)?;
            return self.answer_screen(check, ids);
        }
        let (question, _) = self.current(check)?;
        let answer = checked_answer(question, ids)?;
        Ok(self.give(check, answer))
    }

    /// Goes back one step: undoes the last answer (a whole screen at once)
    /// and shows the step before again (from a re-ask, the question in its
    /// first wording). At the first step, shows it again. If the check file
    /// changed, starts again.
    pub fn back(&mut self, check: &SymptomCheck) -> Step {
        if self.fingerprint != check.fingerprint() {
            let (fresh, step) = Conversation::start(check);
            *self = fresh;
            return step;
        }
        if let Some(mark) = self.marks.pop() {
            self.history.truncate(mark.answers);
            self.state = mark.state;
        }
        self.step(check)
    }

    /// What is being shown now: the current question or screen, or the
    /// outcome.
    pub fn step(&self, check: &SymptomCheck) -> Step {
        match &self.state {
            State::Done { outcome } => Step::Done((**outcome).clone()),
            State::Asking {
                question, reask, ..
            } => match check.question(question) {
                Some(q) => Step::Ask(self.prompt(q, *reask)),
                None => Conversation::start(check).1,
            },
            State::Screen { screen, shown } => match check.screen(screen) {
                Some(def) => Step::Ask(Prompt {
                    question_id: def.id.clone(),
                    text: def.text.clone(),
                    choices: screen_choices(check, shown, true),
                    multi: true,
                    is_reask: false,
                    number: self.marks.len() + 1,
                    grouped: true,
                }),
                None => Conversation::start(check).1,
            },
            State::Which { screen, left, .. } => Step::Ask(Prompt {
                question_id: step_id(screen, true),
                text: WHICH_TEXT.to_owned(),
                choices: screen_choices(check, left, false),
                multi: true,
                is_reask: false,
                number: self.marks.len() + 1,
                grouped: true,
            }),
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

    /// Remembers the step being answered, for `back`.
    fn mark(&mut self) {
        self.marks.push(Mark {
            answers: self.history.len(),
            state: self.state.clone(),
        });
    }

    fn check_current(&self, check: &SymptomCheck) -> Result<(), AnswerError> {
        if self.fingerprint != check.fingerprint() {
            return Err(AnswerError::CheckChanged);
        }
        match self.state {
            State::Done { .. } => Err(AnswerError::Finished),
            _ => Ok(()),
        }
    }

    fn current<'c>(&self, check: &'c SymptomCheck) -> Result<(&'c Question, bool), AnswerError> {
        self.check_current(check)?;
        match &self.state {
            State::Asking {
                question, reask, ..
            } => check
                .question(question)
                .map(|q| (q, *reask))
                .ok_or(AnswerError::CheckChanged),
            _ => Err(AnswerError::CheckChanged),
        }
    }

    /// Takes the choice ids of a screen (the picked items are answered
    /// yes; the others no, or with "not sure" the person says which of them
    /// they are not sure about) or of the "which are you not sure about"
    /// step (those are asked again one by one, the others are no).
    fn answer_screen(&mut self, check: &SymptomCheck, ids: &[String]) -> Result<Step, AnswerError> {
        let (screen, shown, left) = match &self.state {
            State::Screen { screen, shown } => (screen.clone(), shown.clone(), None),
            State::Which {
                screen,
                shown,
                left,
            } => (screen.clone(), shown.clone(), Some(left.clone())),
            _ => return Err(AnswerError::CheckChanged),
        };
        let which = left.is_some();
        let offered = left.as_ref().unwrap_or(&shown);
        let choices = screen_choices(check, offered, !which);
        let picked = picked_choices(ids, choices, step_id(&screen, which))?;
        let items: Vec<usize> = shown
            .iter()
            .filter_map(|id| check.question_index(id))
            .collect();
        if items.len() != shown.len() || items.is_empty() {
            return Err(AnswerError::CheckChanged);
        }
        self.mark();
        if let Some(left) = &left {
            self.record_which(check, left, &picked);
        } else {
            let unpicked = self.record_screen(&shown, &picked);
            if unpicked.len() > 1 {
                // An emergency among the picks ends the check first.
                let masks = check.masks(&self.answers());
                if let Next::Done(end) = machine::after_screen(check, &masks, &items) {
                    return Ok(self.go(check, Next::Done(end), None));
                }
                self.state = State::Which {
                    screen,
                    shown,
                    left: unpicked,
                };
                return Ok(self.step(check));
            }
            self.record_unsure(check, &unpicked);
        }
        let masks = check.masks(&self.answers());
        let next = machine::after_screen(check, &masks, &items);
        Ok(self.go(check, next, Some(screen)))
    }

    /// Records `answer` to `item`.
    fn record(&mut self, item: &str, answer: Answer) {
        self.history.push(Given {
            question: item.to_owned(),
            answer,
        });
    }

    /// Records a screen's answers: the `picked` items yes, the others no,
    /// or with "not sure about some" none of the others, which are returned
    /// (the person says next which of them they are unsure about).
    fn record_screen(&mut self, shown: &[String], picked: &[&str]) -> Vec<String> {
        let unsure = picked.contains(&UNSURE);
        let mut unpicked = Vec::new();
        for item in shown {
            if picked.contains(&item.as_str()) {
                self.record(item, Answer::One("yes".to_owned()));
            } else if unsure {
                unpicked.push(item.clone());
            } else {
                self.record(item, Answer::One("no".to_owned()));
            }
        }
        unpicked
    }

    /// Records the "which are you not sure about" step: the items picked
    /// now are the unsure ones (see [`Conversation::record_unsure`]); the
    /// rest of `left` are no.
    fn record_which(&mut self, check: &SymptomCheck, left: &[String], picked: &[&str]) {
        for item in left {
            if !picked.contains(&item.as_str()) {
                self.record(item, Answer::One("no".to_owned()));
            } else if !has_simpler(check, item) {
                self.record(item, Answer::Unsure);
            }
        }
    }

    /// Records "not sure" for each unsure item that is not asked again.
    fn record_unsure(&mut self, check: &SymptomCheck, unsure: &[String]) {
        for item in unsure.iter().filter(|item| !has_simpler(check, item)) {
            self.record(item, Answer::Unsure);
        }
    }

    /// Records a checked answer to the current question and moves on.
    /// The caller has made sure a question is being asked.
    pub(crate) fn give(&mut self, check: &SymptomCheck, answer: Answer) -> Step {
        let (question_id, reask, screen) = match &self.state {
            State::Asking {
                question,
                reask,
                screen,
            } => (question.clone(), *reask, screen.clone()),
            State::Done { outcome } => return Step::Done((**outcome).clone()),
            State::Screen { .. } | State::Which { .. } => return self.step(check),
        };
        let Some(index) = check.question_index(&question_id) else {
            return self.step(check);
        };
        self.mark();
        let question = &check.questions[index];
        if answer == Answer::Unsure && question.simpler.is_some() && !reask {
            self.state = State::Asking {
                question: question_id,
                reask: true,
                screen: None,
            };
            return self.step(check);
        }
        self.history.push(Given {
            question: question_id,
            answer,
        });
        let masks = check.masks(&self.answers());
        let next = if screen.is_some() {
            machine::after_reask(check, &masks, index)
        } else {
            machine::after_answer(check, &masks, index)
        };
        self.go(check, next, screen)
    }

    /// Shows what comes next. `from_screen`: the screen whose items left
    /// "not sure" are being asked one by one; its other items are asked on
    /// their own, in simpler words where they have them.
    fn go(&mut self, check: &SymptomCheck, next: Next, from_screen: Option<String>) -> Step {
        match next {
            Next::Ask(q) => {
                let question = &check.questions[q];
                let screen = question.screen.and_then(|s| check.screens.get(s));
                self.state = match screen {
                    Some(screen) if from_screen.as_deref() == Some(screen.id.as_str()) => {
                        State::Asking {
                            question: question.id.clone(),
                            reask: true,
                            screen: from_screen,
                        }
                    }
                    Some(screen) => {
                        let masks = check.masks(&self.answers());
                        let shown = machine::shown(check, &masks, q);
                        if shown.len() > 1 {
                            State::Screen {
                                screen: screen.id.clone(),
                                shown: shown
                                    .into_iter()
                                    .map(|i| check.questions[i].id.clone())
                                    .collect(),
                            }
                        } else {
                            State::Asking {
                                question: question.id.clone(),
                                reask: false,
                                screen: None,
                            }
                        }
                    }
                    None => State::Asking {
                        question: question.id.clone(),
                        reask: false,
                        screen: None,
                    },
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
            number: self.marks.len() + 1,
            grouped: false,
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
            screens: self.marks.len(),
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

/// The label of a screen's "None of these" choice.
const NONE_LABEL: &str = "None of these";

/// The label of a screen's "not sure" choice.
const UNSURE_SOME_LABEL: &str = "Not sure about some";

/// What the step after "Not sure about some" asks.
const WHICH_TEXT: &str = "Which of these are you not sure about? I'll ask each of them on its \
                          own; the others count as no.";

/// The choices of a screen as shown: its items (in full), then, on the
/// screen itself (`extras`), "None of these" and "Not sure about some".
fn screen_choices(check: &SymptomCheck, items: &[String], extras: bool) -> Vec<Choice> {
    let mut choices: Vec<Choice> = items
        .iter()
        .filter_map(|id| check.question(id))
        .map(|q| Choice {
            id: q.id.clone(),
            label: q.text.clone(),
        })
        .collect();
    if extras {
        choices.extend([
            Choice {
                id: NONE_OF_THESE.to_owned(),
                label: NONE_LABEL.to_owned(),
            },
            Choice {
                id: UNSURE.to_owned(),
                label: UNSURE_SOME_LABEL.to_owned(),
            },
        ]);
    }
    choices
}

/// The distinct choice ids picked on a screen step (`question_id`), in the
/// order given; an error if one is not among `choices`, none is picked, or
/// "None of these" comes with others.
fn picked_choices(
    ids: &[String],
    choices: Vec<Choice>,
    question_id: String,
) -> Result<Vec<&str>, AnswerError> {
    let mut picked: Vec<&str> = Vec::new();
    for id in ids {
        if !choices.iter().any(|c| c.id == *id) {
            return Err(AnswerError::NotUnderstood {
                question_id,
                reply: id.chars().take(100).collect(),
                choices,
            });
        }
        if !picked.contains(&id.as_str()) {
            picked.push(id);
        }
    }
    if picked.is_empty() {
        return Err(AnswerError::NotUnderstood {
            question_id,
            reply: String::new(),
            choices,
        });
    }
    if picked.contains(&NONE_OF_THESE) && picked.len() > 1 {
        return Err(AnswerError::CannotCombine {
            question_id,
            choice: NONE_LABEL.to_owned(),
            choices,
        });
    }
    Ok(picked)
}

/// An unsure item is asked again on its own only where it has simpler
/// words (the emergency flags, f.3); any other stays "not sure" at once, as
/// it would asked on its own.
fn has_simpler(check: &SymptomCheck, item: &str) -> bool {
    check.question(item).is_some_and(|q| q.simpler.is_some())
}

/// The id a screen's step is shown under: the screen id, or for the "which
/// are you not sure about" step after it, the screen id with `-not-sure`.
fn step_id(screen: &str, which: bool) -> String {
    if which {
        format!("{screen}-not-sure")
    } else {
        screen.to_owned()
    }
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
