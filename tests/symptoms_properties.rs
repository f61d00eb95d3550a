//! Properties of the conversation over many random answer sequences.
//!
//! - Every run ends within a bounded number of steps, whatever is typed
//!   (answers by number, id or label, garbage, "back").
//! - The outcome is never less urgent than rule set c.2 (plus f.3) for the
//!   answers given, and the data file alone never needs that floor.
//! - An emergency ends the check at the answer that made it one.
//! - A conversation survives a serialise/deserialise round trip at any point.
//! - Answers to questions the check skips never matter: for a random answer
//!   to every item, the outcome is never less urgent than c.2 on all of them.
//!
//! The validator (`SymptomCheck::validate`) already proves the first two
//! properties over every path exhaustively; these tests check the same
//! through the public conversation API a front end uses.

#[path = "symptoms_support.rs"]
mod support;

use std::collections::HashSet;
use std::sync::OnceLock;

use faqbot::symptoms::{
    Answer, AnswerError, Answers, Conversation, Level, Prompt, Step, SymptomCheck, rules,
};
use proptest::prelude::*;

fn check() -> &'static SymptomCheck {
    static CHECK: OnceLock<SymptomCheck> = OnceLock::new();
    CHECK.get_or_init(support::real_check)
}

/// What to type for the choice at `index` of `prompt`, in one of three ways.
fn typed(prompt: &Prompt, index: usize, style: u32) -> String {
    let choice = &prompt.choices[index];
    match style % 3 {
        0 => (index + 1).to_string(),
        1 => choice.id.clone(),
        _ => choice.label.clone(),
    }
}

/// Whether `r` should answer a red flag "no": most of the time, so that
/// random runs get past the red flags to the pattern questions.
fn flag_says_no(prompt: &Prompt, r: u32) -> bool {
    let is_flag = check()
        .question(&prompt.question_id)
        .is_some_and(|q| q.red_flag.is_some());
    is_flag && !r.is_multiple_of(8)
}

/// A valid reply built from `r`: one choice, or for a pick-all question a
/// set of choices (an exclusive choice or "not sure" alone).
fn reply_for(prompt: &Prompt, r: u32) -> String {
    if flag_says_no(prompt, r) {
        return "no".to_owned();
    }
    let n = prompt.choices.len();
    if !prompt.multi || r.is_multiple_of(4) {
        return typed(prompt, (r as usize / 7) % n, r / 3);
    }
    let alone = ["none", "unsure"];
    let picked: Vec<usize> = (0..n)
        .filter(|i| (r >> (i + 3)) & 1 == 1 && !alone.contains(&prompt.choices[*i].id.as_str()))
        .collect();
    if picked.is_empty() {
        return typed(prompt, (r as usize / 7) % n, r / 3);
    }
    picked
        .iter()
        .map(|&i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn without(answers: &Answers, item: &str) -> Answers {
    answers
        .iter()
        .filter(|(k, _)| *k != item)
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_conversations_end_and_are_never_under_triaged(
        moves in prop::collection::vec(any::<u32>(), 0..120)
    ) {
        let check = check();
        let n = check.questions.len();
        let (mut conversation, mut step) = Conversation::start(check);
        let mut iterations = 0usize;
        let mut backs = 0usize;
        loop {
            iterations += 1;
            prop_assert!(
                iterations <= moves.len() + 2 * n + 2,
                "the check did not end after {} steps", iterations
            );
            let prompt = match &step {
                Step::Done(outcome) => {
                    let answers = conversation.answers();
                    let floor = rules::floor(&answers);
                    prop_assert!(
                        outcome.level >= floor,
                        "outcome {} ({}) is below the floor {} for {:?}",
                        outcome.id, outcome.level, floor, answers
                    );
                    prop_assert_eq!(outcome.raised_from, None, "the data needed the c.2 floor");
                    let unique: HashSet<&String> = outcome.asked.iter().collect();
                    prop_assert_eq!(unique.len(), outcome.asked.len(), "a question was asked twice");
                    prop_assert_eq!(outcome.asked.len(), answers.len());
                    if rules::triage(&answers) == Level::Emergency {
                        let last = outcome.asked.last().cloned().unwrap_or_default();
                        prop_assert!(
                            rules::triage(&without(&answers, &last)) < Level::Emergency,
                            "the check went on after an emergency answer"
                        );
                    }
                    prop_assert!(matches!(conversation.answer(check, "yes"), Err(AnswerError::Finished)));
                    break;
                }
                Step::Ask(prompt) => prompt.clone(),
            };
            prop_assert_eq!(prompt.number, conversation.answers().len() + 1);
            let r = moves.get(iterations - 1).copied();
            match r {
                Some(r) if r % 11 == 0 => {
                    let err = conversation.answer(check, "purple elephant");
                    let Err(err) = err else {
                        return Err(TestCaseError::fail("nonsense was taken as an answer"));
                    };
                    prop_assert_eq!(err.choices(), prompt.choices.as_slice());
                    prop_assert_eq!(conversation.step(check), step.clone());
                }
                Some(r) if r % 11 == 1 && backs < 10 => {
                    backs += 1;
                    step = conversation.back(check);
                }
                Some(r) if r % 11 == 2 => {
                    let json = serde_json::to_string(&conversation).unwrap_or_default();
                    let restored: Conversation = serde_json::from_str(&json)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&restored, &conversation);
                    conversation = restored;
                }
                Some(r) => {
                    let reply = reply_for(&prompt, r);
                    step = conversation
                        .answer(check, &reply)
                        .map_err(|e| TestCaseError::fail(format!("{reply:?} refused: {e}")))?;
                }
                None => {
                    // Out of moves: answer "no" (or the second choice) to the end.
                    let reply = if prompt.multi { "1".to_owned() } else { "2".to_owned() };
                    step = conversation
                        .answer(check, &reply)
                        .map_err(|e| TestCaseError::fail(format!("{reply:?} refused: {e}")))?;
                }
            }
        }
    }

    #[test]
    fn answers_the_check_skips_never_lower_the_level(
        picks in prop::collection::vec(any::<u32>(), 40)
    ) {
        let check = check();
        // A random answer to every item of the check.
        let mut full = Answers::new();
        for (question, r) in check.questions.iter().zip(picks.iter().cycle()) {
            let values: Vec<&str> = question.value_ids().collect();
            let answer = if question.red_flag.is_some() && r % 8 != 0 {
                Answer::One("no".to_owned())
            } else if question.kind == faqbot::symptoms::QuestionKind::AnyOf && r % 3 != 0 {
                let ids: Vec<String> = question
                    .choices
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| (r >> i) & 1 == 1 && !c.exclusive)
                    .map(|(_, c)| c.id.clone())
                    .collect();
                if ids.is_empty() { Answer::Unsure } else { Answer::Many(ids) }
            } else {
                match values[(*r as usize) % values.len()] {
                    "unsure" => Answer::Unsure,
                    id if question.kind == faqbot::symptoms::QuestionKind::AnyOf => Answer::Many(vec![id.to_owned()]),
                    id => Answer::One(id.to_owned()),
                }
            };
            full.insert(question.id.clone(), answer);
        }
        let (mut conversation, mut step) = Conversation::start(check);
        for _ in 0..2 * check.questions.len() + 2 {
            let Step::Ask(prompt) = &step else { break };
            let ids = full.get(&prompt.question_id).map(Answer::ids).unwrap_or_default();
            step = conversation
                .answer_ids(check, &ids)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let Step::Done(outcome) = step else {
            return Err(TestCaseError::fail("the check did not end"));
        };
        let floor = rules::floor(&full);
        prop_assert!(
            outcome.level >= floor,
            "outcome {} ({}) is below c.2 on every answer ({}, rules {:?})",
            outcome.id, outcome.level, floor, rules::fired(&full)
        );
    }
}

#[test]
fn every_path_is_explored_and_bounded() {
    let check = check();
    let stats = check.path_stats();
    assert!(!stats.truncated);
    assert!(
        stats.longest <= check.questions.len(),
        "longest path {} is longer than the number of questions",
        stats.longest
    );
    assert_eq!(
        stats.shortest, 1,
        "a single emergency yes should end the check"
    );
}
