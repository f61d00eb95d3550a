//! Screens: several yes/no questions asked at once (issue 15). The person
//! picks every item that applies, "None of these", or "Not sure about some";
//! then says which of the rest they are unsure about, and those are asked
//! one by one in simpler words. Emergencies still end the check at once,
//! and no outcome differs from asking every question on its own.

#[path = "symptoms_support.rs"]
mod support;

use std::path::Path;

use faqbot::symptoms::{
    Answer, AnswerError, AnswerLookup, Answers, Conversation, Level, Prompt, QuestionKind, Step,
    SymptomCheck, rules, run_answers,
};
use proptest::prelude::*;
use support::{answer, ask, real_check, real_check_one_by_one, repo_path};

const EMERGENCY_SCREEN: [&str; 6] = [
    "rf_chest_pain_or_breathless",
    "rf_sudden_cold_pale_numb_leg",
    "rf_saddle_numbness",
    "rf_bladder_or_bowel_change",
    "rf_both_legs_weak_or_numb",
    "rf_severe_pain_tense_calf",
];

fn item_ids(prompt: &Prompt) -> Vec<&str> {
    prompt
        .choices
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| *id != "none" && *id != "unsure")
        .collect()
}

#[test]
fn the_emergency_flags_come_first_on_one_screen() {
    let check = real_check();
    let (_, step) = Conversation::start(&check);
    let prompt = ask(&step);
    assert!(prompt.grouped && prompt.multi);
    assert_eq!(prompt.question_id, "emergency_now");
    assert_eq!(prompt.number, 1);
    assert_eq!(item_ids(prompt), EMERGENCY_SCREEN);
    let last: Vec<&str> = prompt.choices[6..].iter().map(|c| c.id.as_str()).collect();
    assert_eq!(last, ["none", "unsure"]);
    // Each item is shown in its full canonical wording.
    let chest = check.question("rf_chest_pain_or_breathless").unwrap();
    assert_eq!(prompt.choices[0].label, chest.text);
}

#[test]
fn a_pick_on_the_emergency_screen_ends_the_check_at_once() {
    let check = real_check();
    for (n, flag) in EMERGENCY_SCREEN.iter().enumerate() {
        let (mut conversation, _) = Conversation::start(&check);
        // By number, and by id (as a menu sends it).
        for by_id in [false, true] {
            let mut run = conversation.clone();
            let step = if by_id {
                run.answer_ids(&check, &[(*flag).to_owned()]).unwrap()
            } else {
                answer(&mut run, &check, &(n + 1).to_string())
            };
            let Step::Done(outcome) = step else {
                panic!("a pick of {flag} went on");
            };
            assert_eq!(outcome.level, Level::Emergency, "{flag}");
            assert_eq!(outcome.screens, 1);
        }
        // Picked together with "not sure": still an emergency at once,
        // before the "which" step.
        let step = answer(&mut conversation, &check, &format!("{} not sure", n + 1));
        let Step::Done(outcome) = step else {
            panic!("{flag} with not sure went on");
        };
        assert_eq!(outcome.level, Level::Emergency);
    }
}

#[test]
fn none_goes_on_to_the_next_screen_and_records_every_item_as_no() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    let step = answer(&mut conversation, &check, "none");
    let prompt = ask(&step);
    assert_eq!(prompt.question_id, "urgent_now");
    assert_eq!(prompt.number, 2);
    let answers = conversation.answers();
    for item in EMERGENCY_SCREEN {
        assert!(answers.answer_is(item, "no"), "{item}");
    }
}

#[test]
fn replies_that_are_not_understood_or_cannot_combine_keep_the_screen() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    for reply in ["banana", "9", "0 7", "", "chest"] {
        let error = conversation.answer(&check, reply).unwrap_err();
        assert!(
            matches!(error, AnswerError::NotUnderstood { .. }),
            "{reply:?}: {error}"
        );
        assert_eq!(error.choices().len(), 8, "{reply:?}");
    }
    let error = conversation.answer(&check, "none, 2").unwrap_err();
    assert!(
        matches!(error, AnswerError::CannotCombine { .. }),
        "{error}"
    );
    let error = conversation
        .answer_ids(
            &check,
            &["none".to_owned(), "rf_saddle_numbness".to_owned()],
        )
        .unwrap_err();
    assert!(
        matches!(error, AnswerError::CannotCombine { .. }),
        "{error}"
    );
    let error = conversation
        .answer_ids(&check, &["ecq_location".to_owned()])
        .unwrap_err();
    assert!(
        matches!(error, AnswerError::NotUnderstood { .. }),
        "{error}"
    );
    // Nothing was recorded; the screen is still shown.
    assert!(conversation.answers().is_empty());
    assert_eq!(ask(&conversation.step(&check)).question_id, "emergency_now");
}

#[test]
fn not_sure_about_some_asks_which_then_each_one_in_simpler_words() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    let step = answer(&mut conversation, &check, "not sure");
    let which = ask(&step).clone();
    assert_eq!(which.question_id, "emergency_now-not-sure");
    assert!(which.grouped);
    assert_eq!(item_ids(&which), EMERGENCY_SCREEN);
    assert_eq!(which.choices.len(), 6, "no none or not sure on this step");
    assert_eq!(which.number, 2);

    // Unsure about saddle numbness (3) and both legs (5): those are asked
    // again, in their simpler words; the others count as no.
    let step = answer(&mut conversation, &check, "3, 5");
    let again = ask(&step).clone();
    let saddle = check.question("rf_saddle_numbness").unwrap();
    assert_eq!(again.question_id, "rf_saddle_numbness");
    assert!(again.is_reask);
    assert_eq!(Some(&again.text), saddle.simpler.as_ref());
    assert_eq!(again.number, 3);
    let answers = conversation.answers();
    for item in [
        "rf_chest_pain_or_breathless",
        "rf_sudden_cold_pale_numb_leg",
        "rf_bladder_or_bowel_change",
        "rf_severe_pain_tense_calf",
    ] {
        assert!(answers.answer_is(item, "no"), "{item}");
    }
    assert!(answers.get("rf_saddle_numbness").is_none());

    // "Yes" on the re-ask is an emergency.
    let mut yes = conversation.clone();
    let Step::Done(outcome) = answer(&mut yes, &check, "yes") else {
        panic!("yes on the re-ask went on");
    };
    assert_eq!(outcome.level, Level::Emergency);
    assert_eq!(outcome.screens, 3);

    // "No", then still not sure about both legs: the check goes on, and
    // ends at least urgent (f.3), with no floor needed.
    let step = answer(&mut conversation, &check, "no");
    assert_eq!(ask(&step).question_id, "rf_both_legs_weak_or_numb");
    let mut step = answer(&mut conversation, &check, "not sure");
    assert_eq!(ask(&step).question_id, "urgent_now");
    while let Step::Ask(prompt) = &step {
        let reply = if prompt.grouped { "none" } else { "1" };
        step = answer(&mut conversation, &check, reply);
    }
    let Step::Done(outcome) = step else {
        unreachable!()
    };
    assert!(outcome.level >= Level::Urgent, "{}", outcome.id);
    assert!(rules::unsure_on_emergency_flag(&conversation.answers()));
    assert_eq!(outcome.raised_from, None);
}

#[test]
fn one_item_left_is_asked_again_without_the_which_step() {
    let check = small_with(
        "[[screen]]\nid = \"flags\"\ntext = \"Any of these?\"\nitems = [\"rf_chest_pain_or_breathless\", \"rf_rapid_worsening\"]\n",
    )
    .unwrap();
    let (mut conversation, _) = Conversation::start(&check);
    // Much worse lately (2), and not sure about the other: chest pain is
    // asked again at once, in its simpler words.
    let step = answer(&mut conversation, &check, "2 not sure");
    let again = ask(&step);
    assert_eq!(again.question_id, "rf_chest_pain_or_breathless");
    assert!(again.is_reask);
    assert_eq!(again.text, "Any chest pain?");
    assert_eq!(again.number, 2);
    let Step::Done(outcome) = answer(&mut conversation, &check, "yes") else {
        panic!("chest pain went on");
    };
    assert_eq!(outcome.level, Level::Emergency);
    assert_eq!(outcome.screens, 2);
}

/// The case the exhaustive check found while screens were built: spreading
/// redness picked, fever left "not sure". One by one, fever came first; on
/// a screen, the urgent rule for redness must not end the check before the
/// fever question is asked again, since fever with redness is E4.
#[test]
fn an_open_item_that_could_make_it_an_emergency_is_asked_before_the_check_ends() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    answer(&mut conversation, &check, "none");
    let step = conversation
        .answer_ids(
            &check,
            &["rf_spreading_redness".to_owned(), "unsure".to_owned()],
        )
        .unwrap();
    assert_eq!(ask(&step).question_id, "urgent_now-not-sure");
    let step = conversation
        .answer_ids(&check, &["rf_fever_or_very_unwell".to_owned()])
        .unwrap();
    assert_eq!(ask(&step).question_id, "rf_fever_or_very_unwell");
    let Step::Done(outcome) = answer(&mut conversation, &check, "yes") else {
        panic!("fever with spreading redness went on");
    };
    assert_eq!(outcome.level, Level::Emergency);
    assert_eq!(outcome.rule.as_deref(), Some("E4"));
}

#[test]
fn back_returns_to_the_step_shown_before() {
    let check = real_check();
    let (mut conversation, first) = Conversation::start(&check);
    assert_eq!(conversation.back(&check), first, "back at the start");
    answer(&mut conversation, &check, "none");
    answer(&mut conversation, &check, "not sure");
    let step = answer(&mut conversation, &check, "1 2");
    assert_eq!(ask(&step).question_id, "rf_fever_or_very_unwell");
    let step = conversation.back(&check);
    assert_eq!(ask(&step).question_id, "urgent_now-not-sure");
    let step = conversation.back(&check);
    assert_eq!(ask(&step).question_id, "urgent_now");
    let step = conversation.back(&check);
    assert_eq!(ask(&step).question_id, "emergency_now");
    assert!(conversation.answers().is_empty());
}

#[test]
fn a_stored_conversation_on_a_screen_continues_where_it_stopped() {
    let check = real_check();
    let (mut conversation, _) = Conversation::start(&check);
    answer(&mut conversation, &check, "none");
    answer(&mut conversation, &check, "?");
    let stored = serde_json::to_string(&conversation).unwrap();
    let mut restored: Conversation = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored, conversation);
    let step = answer(&mut restored, &check, "2");
    assert_eq!(ask(&step).question_id, "rf_spreading_redness");
}

/// Fewer steps: the answers of a person with walking calf pain and nothing
/// else take far fewer screens than questions.
#[test]
fn a_typical_check_takes_fewer_screens_than_questions() {
    let check = real_check();
    let file = r#"
[answers]
rf_chest_pain_or_breathless = "no"
rf_sudden_cold_pale_numb_leg = "no"
rf_saddle_numbness = "no"
rf_bladder_or_bowel_change = "no"
rf_both_legs_weak_or_numb = "no"
rf_severe_pain_tense_calf = "no"
rf_fever_or_very_unwell = "no"
rf_spreading_redness = "no"
one_leg_swollen_warm_red = "no"
rf_rest_pain_at_night = "no"
rf_ulcer_or_black_skin = "no"
rf_rapid_worsening = "no"
rf_foot_drop_or_one_leg_weakening = "no"
rf_cancer_or_weight_loss = "no"
rf_bone_pain_at_night = "no"
new_or_increased_exercise = "no"
ecq_pain_when_walking = "yes"
ecq_location = ["calf"]
ecq_pain_at_rest = "no"
ecq_uphill_or_hurry = "yes"
ecq_when_stand_still = "gone_within_10min"
ecq_ordinary_pace = "no"
age_band = "60_plus"
symptom_duration = "over_6_weeks"
"#;
    let grouped = run_answers(&check, file).unwrap();
    let one_by_one = run_answers(&real_check_one_by_one(), file).unwrap();
    assert_eq!(grouped.triage, one_by_one.triage);
    assert_eq!(grouped.outcome, one_by_one.outcome);
    assert_eq!(grouped.asked.len(), one_by_one.asked.len());
    assert_eq!(one_by_one.screens, one_by_one.asked.len());
    assert!(
        grouped.screens <= 10 && grouped.screens * 2 <= one_by_one.screens,
        "{} screens grouped, {} one by one",
        grouped.screens,
        one_by_one.screens
    );
}

// --- The loader refuses screens that could change what is asked. ----------

const SMALL: &str = "tests/data/symptoms/small.toml";

/// small.toml with `screen` added before its first question.
fn small_with(screen: &str) -> Result<SymptomCheck, Vec<String>> {
    let text = std::fs::read_to_string(repo_path(SMALL)).unwrap();
    let at = text.find("[[question]]").unwrap();
    let source = format!("{}{screen}\n{}", &text[..at], &text[at..]);
    SymptomCheck::from_source(Path::new(SMALL), &source)
        .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

#[test]
fn a_valid_screen_loads_and_validates() {
    let check = small_with(
        "[[screen]]\nid = \"flags\"\ntext = \"Any of these?\"\nitems = [\"rf_chest_pain_or_breathless\", \"rf_rapid_worsening\"]\n",
    )
    .unwrap();
    assert_eq!(check.screens.len(), 1);
    assert_eq!(check.screens[0].items, [0, 1]);
    assert!(check.validate(&support::faq_ids()).is_empty());
}

#[test]
fn screens_that_break_the_rules_are_refused_at_their_line() {
    let cases = [
        (
            "items = [\"rf_chest_pain_or_breathless\", \"ecq_pain_when_walking\"]",
            "not a yes/no question",
        ),
        (
            "items = [\"rf_chest_pain_or_breathless\", \"symptom_duration\"]",
            "must come right after",
        ),
        ("items = [\"rf_chest_pain_or_breathless\"]", "at least two"),
        (
            "items = [\"rf_chest_pain_or_breathless\", \"rf_rapid_worsenin\"]",
            "did you mean `rf_rapid_worsening`",
        ),
        (
            "items = [\"rf_chest_pain_or_breathless\", \"rf_chest_pain_or_breathless\"]",
            "twice",
        ),
    ];
    for (items, expected) in cases {
        let screen = format!("[[screen]]\nid = \"flags\"\ntext = \"Any of these?\"\n{items}\n");
        let problems = small_with(&screen).expect_err(items);
        assert!(
            problems
                .iter()
                .any(|p| p.contains(expected) && p.starts_with(&format!("{SMALL}:"))),
            "{items}: {problems:?}"
        );
    }
    let problems = small_with("[[screen]]\nid = \"none\"\ntext = \"?\"\nitems = [\"rf_chest_pain_or_breathless\", \"rf_rapid_worsening\"]\n")
        .expect_err("a screen called none");
    assert!(
        problems.iter().any(|p| p.contains("screen id `none`")),
        "{problems:?}"
    );
}

#[test]
fn an_item_whose_condition_reads_another_item_of_its_screen_is_refused() {
    let text = std::fs::read_to_string(repo_path(SMALL)).unwrap();
    let source = text.replacen(
        "id = \"rf_rapid_worsening\"",
        "id = \"rf_rapid_worsening\"\nask_if = \"rf_chest_pain_or_breathless = no\"",
        1,
    );
    let at = source.find("[[question]]").unwrap();
    let source = format!(
        "{}[[screen]]\nid = \"flags\"\ntext = \"Any?\"\nitems = [\"rf_chest_pain_or_breathless\", \"rf_rapid_worsening\"]\n\n{}",
        &source[..at],
        &source[at..]
    );
    let problems: Vec<String> = SymptomCheck::from_source(Path::new(SMALL), &source)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems.iter().any(|p| p
            .contains("reads `rf_chest_pain_or_breathless`, which is asked on the same screen")),
        "{problems:?}"
    );
}

#[test]
fn an_emergency_rule_that_reads_a_screen_item_through_not_is_refused() {
    let text = std::fs::read_to_string(repo_path(SMALL)).unwrap();
    let source = text.replacen(
        "when = \"rf_chest_pain_or_breathless = yes\"",
        "when = \"rf_chest_pain_or_breathless = yes and rf_rapid_worsening != no\"",
        1,
    );
    let at = source.find("[[question]]").unwrap();
    let source = format!(
        "{}[[screen]]\nid = \"flags\"\ntext = \"Any?\"\nitems = [\"rf_chest_pain_or_breathless\", \"rf_rapid_worsening\"]\n\n{}",
        &source[..at],
        &source[at..]
    );
    let check = SymptomCheck::from_source(Path::new(SMALL), &source).unwrap();
    let problems: Vec<String> = check
        .validate(&support::faq_ids())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems.iter().any(|p| p.contains("through `not` or `!=`")),
        "{problems:?}"
    );
}

// --- Screens change no outcome. -------------------------------------------

/// The real check and the same check without screens, loaded once.
fn checks() -> &'static (SymptomCheck, SymptomCheck) {
    static CHECKS: std::sync::OnceLock<(SymptomCheck, SymptomCheck)> = std::sync::OnceLock::new();
    CHECKS.get_or_init(|| (real_check(), real_check_one_by_one()))
}

/// An answers file giving every item of the check an answer drawn from
/// `picks` (yes, no, not sure, or a choice; some items left out).
fn answers_file(check: &SymptomCheck, picks: &[u32]) -> String {
    let mut file = String::from("[answers]\n");
    for (question, pick) in check.questions.iter().zip(picks.iter().cycle()) {
        let values: Vec<String> = question.value_ids().map(str::to_owned).collect();
        // Red flags mostly "no", so random runs get past them.
        let is_flag = question.red_flag.is_some();
        let value = match pick % 16 {
            15 => continue,
            n if is_flag && n < 12 => "no".to_owned(),
            n => values[n as usize % values.len()].clone(),
        };
        file.push_str(&format!("{} = \"{value}\"\n", question.id));
    }
    file
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// For any answers, the check with screens ends at the same level as
    /// asking one by one (the same outcome unless both are emergencies,
    /// where several emergency flags may be picked at once), never below
    /// rule set c.2, and without the floor.
    #[test]
    fn screens_change_no_level_and_are_never_under_triaged(
        picks in prop::collection::vec(any::<u32>(), 35)
    ) {
        let (grouped_check, plain_check) = checks();
        let file = answers_file(grouped_check, &picks);
        let grouped = run_answers(grouped_check, &file).unwrap();
        let plain = run_answers(plain_check, &file).unwrap();
        prop_assert_eq!(grouped.triage, plain.triage, "{}", file);
        if grouped.triage != Level::Emergency {
            prop_assert_eq!(&grouped.outcome, &plain.outcome, "{}", file);
        }
        // Whatever was asked, c.2 on the answers given is never more urgent.
        let mut answers = Answers::new();
        let table: toml::Table = toml::from_str(&file).unwrap();
        if let Some(toml::Value::Table(given)) = table.get("answers") {
            for item in &grouped.asked {
                let value = given.get(item).and_then(|v| v.as_str()).unwrap_or("unsure");
                let question = grouped_check.question(item).unwrap();
                let answer = if value == "unsure" {
                    Answer::Unsure
                } else if question.kind == QuestionKind::AnyOf {
                    Answer::Many(vec![value.to_owned()])
                } else {
                    Answer::One(value.to_owned())
                };
                answers.insert(item.clone(), answer);
            }
        }
        prop_assert!(grouped.triage >= rules::floor(&answers), "{}", file);
        // A screen adds at most its "which" step and the screen itself.
        let extra = 2 * grouped_check.screens.len();
        prop_assert!(grouped.screens <= plain.screens + extra, "{} vs {}", grouped.screens, plain.screens);
    }
}
