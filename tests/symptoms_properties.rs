//! Properties of the conversation over many random answer sequences.
//!
//! - Every run ends within a bounded number of steps, whatever is typed
//!   (answers by number, id or label, garbage, "back").
//! - The outcome is never less urgent than rule set c.2 (plus f.3) for the
//!   answers given, and the data file alone never needs that floor.
//! - An emergency ends the check at the step that made it one (a screen
//!   may give several answers at once).
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

/// A valid reply to a screen built from `r`: mostly "none" (so random runs
/// get past the red flags), sometimes "not sure", or some items by number
/// (with "not sure" now and then). On the "which are you not sure about"
/// step, some items by number.
fn screen_reply(prompt: &Prompt, r: u32) -> String {
    let items: Vec<usize> = (0..prompt.choices.len())
        .filter(|&i| !["none", "unsure"].contains(&prompt.choices[i].id.as_str()))
        .collect();
    let is_screen = items.len() < prompt.choices.len();
    if is_screen && r % 8 < 5 {
        return "none".to_owned();
    }
    if is_screen && r % 8 == 5 {
        return "not sure".to_owned();
    }
    let mut picked: Vec<String> = items
        .iter()
        .filter(|i| (r >> (*i + 3)) & 1 == 1)
        .map(|i| (i + 1).to_string())
        .collect();
    if picked.is_empty() {
        picked.push((items[(r as usize / 7) % items.len()] + 1).to_string());
    }
    if is_screen && r % 8 == 6 {
        picked.push("not sure".to_owned());
    }
    picked.join(" ")
}

/// A valid reply built from `r`: one choice, or for a pick-all question a
/// set of choices (an exclusive choice or "not sure" alone).
fn reply_for(prompt: &Prompt, r: u32) -> String {
    if prompt.grouped {
        return screen_reply(prompt, r);
    }
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

/// What a person whose answers are `full` picks on a screen: the items
/// that are yes (or "none"), with "not sure" when some are unsure; on the
/// "which" step, the unsure ones.
fn screen_ids(prompt: &Prompt, full: &Answers) -> Vec<String> {
    let is_screen = prompt.choices.iter().any(|c| c.id == "unsure");
    let items = prompt
        .choices
        .iter()
        .filter(|c| c.id != "none" && c.id != "unsure");
    let mut ids = Vec::new();
    let mut unsure = false;
    for item in items {
        let answer = full.get(&item.id);
        let is_unsure = answer.is_none_or(|a| *a == Answer::Unsure);
        unsure |= is_unsure;
        if (is_screen && answer.is_some_and(|a| a.is("yes"))) || (!is_screen && is_unsure) {
            ids.push(item.id.clone());
        }
    }
    if is_screen && unsure {
        ids.push("unsure".to_owned());
    } else if is_screen && ids.is_empty() {
        ids.push("none".to_owned());
    }
    ids
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
        // The step number the next prompt should show (unknown after back).
        let mut expected: Option<usize> = Some(1);
        let mut before_last = conversation.clone();
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
                    prop_assert_eq!(outcome.screens, expected.unwrap_or(outcome.screens + 1) - 1);
                    if rules::triage(&answers) == Level::Emergency {
                        // Before the last step's answers it was not one.
                        prop_assert!(
                            rules::triage(&before_last.answers()) < Level::Emergency,
                            "the check went on after an emergency answer"
                        );
                    }
                    prop_assert!(matches!(conversation.answer(check, "yes"), Err(AnswerError::Finished)));
                    break;
                }
                Step::Ask(prompt) => prompt.clone(),
            };
            if let Some(number) = expected {
                prop_assert_eq!(prompt.number, number);
            }
            prop_assert!(prompt.number <= conversation.answers().len() + 2 * n + 1);
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
                    expected = None;
                    // Back shows the step before, numbered one less (or the
                    // first step again).
                    if let Step::Ask(after) = &step {
                        prop_assert_eq!(after.number, prompt.number.saturating_sub(1).max(1));
                        expected = Some(after.number);
                    }
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
                    before_last = conversation.clone();
                    step = conversation
                        .answer(check, &reply)
                        .map_err(|e| TestCaseError::fail(format!("{reply:?} refused: {e}")))?;
                    expected = Some(prompt.number + 1);
                }
                None => {
                    // Out of moves: "none" on a screen, the first item on
                    // the "which" step, "no" (or the second choice) else.
                    let is_screen = prompt.choices.iter().any(|c| c.id == "none");
                    let reply = match (prompt.grouped, prompt.multi) {
                        (true, _) if is_screen => "none",
                        (true, _) | (false, true) => "1",
                        (false, false) => "2",
                    };
                    before_last = conversation.clone();
                    step = conversation
                        .answer(check, reply)
                        .map_err(|e| TestCaseError::fail(format!("{reply:?} refused: {e}")))?;
                    expected = Some(prompt.number + 1);
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
        for _ in 0..3 * check.questions.len() + 2 {
            let Step::Ask(prompt) = &step else { break };
            let ids = if prompt.grouped {
                screen_ids(prompt, &full)
            } else {
                full.get(&prompt.question_id).map(Answer::ids).unwrap_or_default()
            };
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
    // One by one, a path asks each question at most once; a screen adds at
    // most itself and its "which" step to asking its items one by one.
    let bound = check.questions.len() + 2 * check.screens.len();
    assert!(
        stats.longest <= bound,
        "longest path {} is longer than {bound} steps",
        stats.longest
    );
    assert_eq!(
        stats.shortest, 1,
        "a single emergency yes should end the check"
    );
}
