//! The conversation as a front end drives it: the order of questions, the
//! "not sure" re-ask, back, bad answers, answers by number, word or button,
//! and storing a conversation between messages.
//!
//! These run the real check with its screens taken out, so every question
//! is asked on its own (the flow of any question not on a screen);
//! tests/symptoms_screens.rs covers the screens.

#[path = "symptoms_support.rs"]
mod support;

use faqbot::symptoms::{AnswerError, Conversation, Level, Step, SymptomCheck, rules};
use support::{answer, ask, real_check_one_by_one as real_check};

const EMERGENCY_ORDER: [&str; 8] = [
    "rf_chest_pain_or_breathless",
    "rf_sudden_cold_pale_numb_leg",
    "rf_saddle_numbness",
    "rf_bladder_or_bowel_change",
    "rf_both_legs_weak_or_numb",
    "rf_severe_pain_tense_calf",
    "rf_fever_or_very_unwell",
    "rf_spreading_redness",
];

#[test]
fn the_emergency_red_flags_come_first_and_a_yes_ends_at_once() {
    let check = real_check();
    for (n, flag) in EMERGENCY_ORDER.iter().enumerate() {
        let (mut conversation, mut step) = Conversation::start(&check);
        for earlier in &EMERGENCY_ORDER[..n] {
            assert_eq!(ask(&step).question_id, *earlier);
            step = answer(&mut conversation, &check, "no");
        }
        let prompt = ask(&step);
        assert_eq!(prompt.question_id, *flag);
        assert_eq!(prompt.number, n + 1);
        step = answer(&mut conversation, &check, "yes");
        // Fever and spreading redness are emergencies only together with a
        // red or swollen leg (E4); alone they are urgent.
        match (*flag, &step) {
            ("rf_fever_or_very_unwell", Step::Ask(next)) => {
                assert_eq!(next.question_id, "rf_spreading_redness")
            }
            ("rf_spreading_redness", Step::Done(outcome)) => {
                assert_eq!(outcome.level, Level::Urgent)
            }
            (_, Step::Done(outcome)) => {
                assert_eq!(outcome.level, Level::Emergency, "{flag}");
                assert_eq!(outcome.asked.last().map(String::as_str), Some(*flag));
                assert!(outcome.title.contains("{emergency_number}"), "{flag}");
            }
            (_, Step::Ask(next)) => panic!("`yes` to {flag} went on to {}", next.question_id),
        }
    }
}

#[test]
fn not_sure_on_an_emergency_flag_is_asked_again_in_simpler_words() {
    let check = real_check();
    let (mut conversation, step) = Conversation::start(&check);
    let first = ask(&step).clone();
    assert!(!first.is_reask);

    let step = answer(&mut conversation, &check, "not sure");
    let again = ask(&step);
    assert_eq!(again.question_id, first.question_id);
    assert!(again.is_reask);
    assert_eq!(
        again.number,
        first.number + 1,
        "a re-ask is one more step shown"
    );
    assert_ne!(
        again.text, first.text,
        "the re-ask uses the simpler wording"
    );

    // "yes" the second time is an emergency.
    let mut yes = conversation.clone();
    let Step::Done(outcome) = answer(&mut yes, &check, "y") else {
        panic!("yes after the re-ask should end the check");
    };
    assert_eq!(outcome.level, Level::Emergency);

    // Still not sure: the check goes on, and ends at least urgent (f.3).
    let step = answer(&mut conversation, &check, "?");
    assert_eq!(ask(&step).question_id, "rf_sudden_cold_pale_numb_leg");
    let mut step = step;
    while let Step::Ask(prompt) = &step {
        let reply = if prompt.choices.iter().any(|c| c.id == "no") {
            "no"
        } else {
            "1"
        };
        step = answer(&mut conversation, &check, reply);
    }
    let Step::Done(outcome) = step else {
        unreachable!()
    };
    assert!(
        outcome.level >= Level::Urgent,
        "{} is {}",
        outcome.id,
        outcome.level
    );
    assert!(rules::unsure_on_emergency_flag(&conversation.answers()));
    assert_eq!(outcome.raised_from, None);
}

#[test]
fn not_sure_on_other_questions_is_not_asked_again() {
    let check = real_check();
    let (mut conversation, mut step) = Conversation::start(&check);
    while ask(&step).question_id != "one_leg_swollen_warm_red" {
        step = answer(&mut conversation, &check, "no");
    }
    let step = answer(&mut conversation, &check, "dont know");
    assert_eq!(ask(&step).question_id, "rf_rest_pain_at_night");
    assert!(!ask(&step).is_reask);
}

#[test]
fn back_undoes_the_last_answer() {
    let check = real_check();
    let (mut conversation, first) = Conversation::start(&check);
    // Back at the first question asks it again.
    assert_eq!(conversation.back(&check), first);

    let second = answer(&mut conversation, &check, "no");
    assert_eq!(ask(&second).number, 2);
    let again = conversation.back(&check);
    assert_eq!(again, first);
    assert!(conversation.answers().is_empty());

    // From a re-ask, back returns to the question's first wording.
    let reask = answer(&mut conversation, &check, "unsure");
    assert!(ask(&reask).is_reask);
    assert_eq!(conversation.back(&check), first);

    // From an outcome, back reopens the last question.
    let done = answer(&mut conversation, &check, "yes");
    assert!(matches!(done, Step::Done(_)));
    assert!(conversation.is_done());
    assert_eq!(conversation.back(&check), first);
    assert!(!conversation.is_done());
}

#[test]
fn a_reply_that_is_not_understood_keeps_the_question_and_lists_the_choices() {
    let check = real_check();
    let (mut conversation, step) = Conversation::start(&check);
    let err = conversation.answer(&check, "banana").err();
    let Some(AnswerError::NotUnderstood {
        question_id,
        choices,
        ..
    }) = &err
    else {
        panic!("expected NotUnderstood, got {err:?}");
    };
    assert_eq!(question_id, "rf_chest_pain_or_breathless");
    let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["yes", "no", "unsure"]);
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("1 Yes, 2 No, 3 Not sure"), "{message}");
    assert_eq!(conversation.step(&check), step);
    assert!(conversation.answer(&check, "").is_err());
    assert!(conversation.answer(&check, "4").is_err());
}

#[test]
fn several_choices_by_number_word_or_button_and_exclusive_choices() {
    let check = real_check();
    let (mut conversation, mut step) = Conversation::start(&check);
    while ask(&step).question_id != "ecq_pain_when_walking" {
        step = answer(&mut conversation, &check, "no");
    }
    step = answer(&mut conversation, &check, "yes");
    let prompt = ask(&step).clone();
    assert_eq!(prompt.question_id, "ecq_location");
    assert!(prompt.multi);
    assert_eq!(prompt.choices.last().map(|c| c.id.as_str()), Some("unsure"));

    // Words, with "and".
    let mut by_words = conversation.clone();
    answer(&mut by_words, &check, "calf and back of thigh");
    let got = by_words
        .answers()
        .get("ecq_location")
        .map(|a| a.ids())
        .unwrap_or_default();
    assert_eq!(got, ["calf", "hamstring"]);

    // Numbers, with commas and spaces.
    let mut by_numbers = conversation.clone();
    answer(&mut by_numbers, &check, "1, 3 5");
    let got = by_numbers
        .answers()
        .get("ecq_location")
        .map(|a| a.ids())
        .unwrap_or_default();
    assert_eq!(got, ["calf", "buttock", "shin"]);

    // Buttons send ids.
    let mut by_ids = conversation.clone();
    by_ids
        .answer_ids(&check, &["shin".to_owned(), "calf".to_owned()])
        .unwrap_or_else(|e| panic!("{e}"));
    let got = by_ids
        .answers()
        .get("ecq_location")
        .map(|a| a.ids())
        .unwrap_or_default();
    assert_eq!(got, ["calf", "shin"], "stored in the order of the choices");

    // "Not sure" cannot be combined with a site.
    let err = conversation.answer(&check, "calf, not sure").err();
    assert!(
        matches!(err, Some(AnswerError::CannotCombine { .. })),
        "{err:?}"
    );
    // An unknown id from a stale button is refused.
    let err = conversation.answer_ids(&check, &["elbow".to_owned()]).err();
    assert!(
        matches!(err, Some(AnswerError::NotUnderstood { .. })),
        "{err:?}"
    );

    // One-answer questions refuse two.
    answer(&mut conversation, &check, "calf");
    let err = conversation.answer(&check, "1 2").err();
    assert!(
        matches!(
            err,
            Some(AnswerError::OnlyOne { .. } | AnswerError::NotUnderstood { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn a_stored_conversation_continues_where_it_stopped() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    for _ in 0..5 {
        answer(&mut conversation, &check, "no");
    }
    let json = serde_json::to_string(&conversation).unwrap_or_default();
    let mut restored: Conversation =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(restored, conversation);
    assert_eq!(restored.step(&check), conversation.step(&check));
    let a = answer(&mut restored, &check, "yes");
    let b = answer(&mut conversation, &check, "yes");
    assert_eq!(a, b);
}

#[test]
fn an_answer_to_a_changed_check_is_refused() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    let path = support::repo_path("faq/symptom-check.toml");
    let source = std::fs::read_to_string(&path).unwrap_or_default();
    let edited = SymptomCheck::from_source(&path, &format!("{source}\n# edited\n"))
        .unwrap_or_else(|_| panic!("the edited file should load"));
    let err = conversation.answer(&edited, "no").err();
    assert_eq!(err, Some(AnswerError::CheckChanged));
    // Back on a changed check starts again.
    let step = conversation.back(&edited);
    assert_eq!(ask(&step).number, 1);
    assert!(conversation.answer(&edited, "no").is_ok());
}

#[test]
fn an_answer_after_the_end_is_refused() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    answer(&mut conversation, &check, "yes");
    assert_eq!(
        conversation.answer(&check, "no").err(),
        Some(AnswerError::Finished)
    );
}

#[test]
fn no_pain_on_walking_skips_the_ecq_follow_ups() {
    let check = real_check();
    let (mut conversation, mut step) = Conversation::start(&check);
    while let Step::Ask(prompt) = &step {
        let reply = match prompt.question_id.as_str() {
            "ecq_location" => "other",
            _ if prompt.choices.iter().any(|c| c.id == "no") => "no",
            _ => "1",
        };
        step = answer(&mut conversation, &check, reply);
    }
    let Step::Done(outcome) = step else {
        unreachable!()
    };
    for item in [
        "ecq_pain_at_rest",
        "ecq_uphill_or_hurry",
        "ecq_ordinary_pace",
        "ecq_when_stand_still",
        "standing_brings_on_pain",
        "relief_by_sitting_or_bending_forward",
    ] {
        assert!(!outcome.asked.iter().any(|a| a == item), "{item} was asked");
    }
    assert_eq!(outcome.level, Level::SelfCare);
}

#[test]
fn outcomes_are_patterns_never_diagnoses_and_link_entries_and_sources() {
    let check = real_check();
    for outcome in &check.outcomes {
        assert!(
            !outcome.see_also.is_empty(),
            "{} links no FAQ entry",
            outcome.id
        );
        assert!(
            !outcome.sources.is_empty(),
            "{} cites no source",
            outcome.id
        );
    }
    for pattern in &check.patterns {
        assert!(
            pattern.text.starts_with("Your answers"),
            "{}: {}",
            pattern.id,
            pattern.text
        );
        assert!(
            !pattern.text.to_lowercase().contains("you have"),
            "{}",
            pattern.id
        );
    }
}
