//! `run_answers`, the engine of `faqbot symptoms --answers FILE --json`
//! (design.md): its JSON shape, the "unanswered is not sure" rule, and errors
//! that name the unknown id or choice.

#[path = "symptoms_support.rs"]
mod support;

use faqbot::symptoms::{Level, ScriptError, run_answers};
use support::real_check;

const NO_RED_FLAGS: &str = r#"
rf_chest_pain_or_breathless = "no"
rf_sudden_cold_pale_numb_leg = "no"
rf_saddle_numbness = "no"
rf_bladder_or_bowel_change = "no"
rf_both_legs_weak_or_numb = "no"
rf_severe_pain_tense_calf = "no"
rf_fever_or_very_unwell = "no"
rf_spreading_redness = "no"
"#;

#[test]
fn the_result_serialises_to_exactly_the_four_fields() {
    let check = real_check();
    let result = run_answers(&check, "[answers]\nrf_chest_pain_or_breathless = \"yes\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::to_value(&result).unwrap_or_default();
    let keys: Vec<&str> = json
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["asked", "outcome", "pattern", "screens", "triage"]);
    assert_eq!(json["triage"], "emergency");
    assert_eq!(json["pattern"], "pulmonary_embolism");
    assert_eq!(json["outcome"], "emergency_chest_or_breathing");
    assert_eq!(
        json["asked"],
        serde_json::json!(["rf_chest_pain_or_breathless"])
    );
}

#[test]
fn unanswered_questions_are_not_sure_and_other_keys_are_ignored() {
    let check = real_check();
    // Nothing answered: every emergency flag stays "not sure" after the
    // re-ask, so the outcome is at least urgent (clinical-basis.md f.3).
    let result =
        run_answers(&check, "title = \"ignored\"\n[answers]\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.triage, Level::Urgent);
    assert_eq!(result.outcome, "urgent_unsure_red_flag");

    let text = format!(
        "note = \"ignored\"\n[person]\nage = 40\n[answers]\n{NO_RED_FLAGS}\necq_pain_when_walking = \"no\"\necq_location = \"other\"\n"
    );
    let result = run_answers(&check, &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.triage, Level::SelfCare);
}

#[test]
fn arrays_and_booleans_are_answers() {
    let check = real_check();
    let text = format!(
        "[answers]\n{NO_RED_FLAGS}\necq_pain_when_walking = \"yes\"\necq_location = [\"calf\"]\n\
         ecq_pain_at_rest = false\necq_uphill_or_hurry = true\necq_when_stand_still = \"gone_within_10min\"\n"
    );
    let result = run_answers(&check, &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.triage, Level::Routine);
    assert_eq!(result.pattern, "vascular_claudication");
}

#[test]
fn an_unknown_item_id_is_an_error_naming_it() {
    let check = real_check();
    let err = run_answers(&check, "[answers]\nrf_chest_pain = \"no\"\n").err();
    assert_eq!(
        err,
        Some(ScriptError::UnknownItem {
            item: "rf_chest_pain".to_owned()
        })
    );
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("rf_chest_pain"), "{message}");
}

#[test]
fn an_unknown_choice_is_an_error_naming_it_and_the_item() {
    let check = real_check();
    for (text, item, choice) in [
        (
            "[answers]\nrf_chest_pain_or_breathless = \"maybe\"\n",
            "rf_chest_pain_or_breathless",
            "maybe",
        ),
        (
            "[answers]\necq_location = [\"calf\", \"elbow\"]\n",
            "ecq_location",
            "elbow",
        ),
        (
            "[answers]\nsymptom_duration = \"forever\"\n",
            "symptom_duration",
            "forever",
        ),
    ] {
        let err = run_answers(&check, text).err();
        let Some(ScriptError::UnknownChoice {
            item: got_item,
            choice: got_choice,
            valid,
        }) = &err
        else {
            panic!("expected UnknownChoice for {text:?}, got {err:?}");
        };
        assert_eq!((got_item.as_str(), got_choice.as_str()), (item, choice));
        assert!(valid.contains(&"unsure".to_owned()));
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains(item) && message.contains(choice),
            "{message}"
        );
    }
}

#[test]
fn impossible_answers_and_bad_files_are_errors() {
    let check = real_check();
    let err = run_answers(
        &check,
        "[answers]\nvte_risk_factors = [\"none\", \"long_journey\"]\n",
    )
    .err();
    assert!(
        matches!(err, Some(ScriptError::InvalidAnswer { ref item, .. }) if item == "vte_risk_factors"),
        "{err:?}"
    );
    let err = run_answers(
        &check,
        "[answers]\nsymptom_duration = [\"started_today\", \"over_6_weeks\"]\n",
    )
    .err();
    assert!(
        matches!(err, Some(ScriptError::InvalidAnswer { .. })),
        "{err:?}"
    );
    let err = run_answers(&check, "[answers]\nback_pain = 3\n").err();
    assert!(matches!(err, Some(ScriptError::BadValue { .. })), "{err:?}");
    assert_eq!(
        run_answers(&check, "answers = 1\n").err(),
        Some(ScriptError::NoAnswersTable)
    );
    assert!(matches!(
        run_answers(&check, "[answers\n").err(),
        Some(ScriptError::Toml(_))
    ));
}

#[test]
fn defect_11_an_answer_with_too_many_choices_is_refused() {
    let check = real_check();
    // Each a valid choice of an any-of question, but far more of them than
    // any question has choices.
    let many = vec!["\"long_journey\""; 10_000].join(", ");
    let err = run_answers(&check, &format!("[answers]\nvte_risk_factors = [{many}]\n")).err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("vte_risk_factors") && message.contains("at most"),
        "{message}"
    );
}
