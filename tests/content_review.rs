//! The findings of the second clinician-style review of the content
//! (2026-12-06, against ../shared/clinical-basis.md c.1/c.2), one assertion
//! per finding, so that none comes back.

use std::path::Path;

use faqbot::faq::{Faq, load_dir};
use faqbot::symptoms::Level;

fn faq() -> Faq {
    let (faq, problems) = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"));
    assert!(problems.is_empty(), "{problems:#?}");
    faq
}

fn short_line(faq: &Faq, level: Level) -> String {
    faq.urgency
        .for_level(level)
        .expect("a block for the level")
        .short
        .to_lowercase()
}

fn symptom_check() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("faq/symptom-check.toml"))
        .expect("readable")
}

/// The emergency safety net under every outcome names every c.1 emergency
/// sign (E1–E5), not a subset.
#[test]
fn the_emergency_safety_net_names_every_emergency_sign() {
    let short = short_line(&faq(), Level::Emergency);
    for sign in [
        "chest pain",
        "breathe in",
        "breathlessness",
        "coughing up blood",
        "cold",
        "pale",
        "blue",
        "hard to move",
        "numbness or tingling around your bottom",
        "peeing",
        "bowels",
        "both legs",
        "sciatica in both legs",
        "very tight or hard",
        "shivers",
        "very unwell",
        "fever",
    ] {
        assert!(short.contains(sign), "emergency short line lacks {sign:?}");
    }
    // c.1 acts on a tight calf or a hard one: never "tight, hard and painful".
    assert!(!short.contains("hard and painful"));
}

/// The same-day safety net names the clot risk factors, darker skin, pain at
/// rest and blackening toes (c.2 U1, U2, U7).
#[test]
fn the_same_day_safety_net_names_the_risk_factors() {
    let short = short_line(&faq(), Level::Urgent);
    for sign in [
        "darker",
        "operation",
        "hospital stay",
        "plaster",
        "long journey",
        "pregnancy",
        "the pill or hormone replacement therapy (hrt)",
        "cancer",
        "earlier clot",
        "at rest",
        "turning black",
    ] {
        assert!(short.contains(sign), "today short line lacks {sign:?}");
    }
}

/// A blue, pale, cold or numb calf below a sore knee is an emergency (E2),
/// not a same-day sign.
#[test]
fn a_blue_or_numb_calf_below_a_sore_knee_is_an_emergency() {
    let faq = faq();
    let knee = faq.get("knee-pain").expect("knee-pain");
    let blue = knee
        .urgency_signs
        .iter()
        .find(|sign| sign.text.contains("blue"))
        .expect("the sign");
    assert_eq!(blue.level, Level::Emergency);
    assert!(blue.text.contains("numb"));
}

/// Slow numbness in the feet is routine; new severe or quickly worsening
/// numbness in both legs is the emergency sign, and says how it differs.
#[test]
fn slow_numbness_in_the_feet_and_the_emergency_sign_are_told_apart() {
    let faq = faq();
    for id in ["neuropathy", "diabetes-legs"] {
        let entry = faq.get(id).expect(id);
        let feet = entry
            .urgency_signs
            .iter()
            .find(|sign| sign.text.contains("numbness") && sign.text.contains("feet"))
            .unwrap_or_else(|| panic!("{id}: a routine sign about the feet"));
        assert_eq!(feet.level, Level::Routine, "{id}");
        assert!(feet.text.contains("slowly"), "{id}: {}", feet.text);
    }
    let block = faq.urgency.for_level(Level::Emergency).expect("emergency");
    assert!(
        block
            .signs
            .iter()
            .any(|sign| sign.text.contains("both legs") && sign.text.contains("severe"))
    );
}

/// A child who can't walk or put weight on a leg is seen the same day.
#[test]
fn a_child_who_cannot_walk_is_seen_the_same_day() {
    let faq = faq();
    let children = faq.get("children").expect("children");
    let sign = children
        .urgency_signs
        .iter()
        .find(|sign| sign.text.contains("can't walk"))
        .expect("the sign");
    assert_eq!(sign.level, Level::Urgent);
}

/// Pregnancy names the signs of pre-eclampsia with swelling.
#[test]
fn pregnancy_names_the_signs_of_pre_eclampsia() {
    let faq = faq();
    let pregnancy = faq.get("pregnancy").expect("pregnancy");
    assert!(pregnancy.urgency_signs.iter().any(|sign| {
        sign.level == Level::Urgent && sign.text.contains("headache") && sign.text.contains("ribs")
    }));
}

/// Calf-pain entries show the clot signs: a one-sided calf ache on walking
/// is how the NHS describes a DVT.
#[test]
fn calf_pain_entries_show_the_clot_signs() {
    let faq = faq();
    for id in ["leg-cramps", "compartment-syndrome", "stress-fracture"] {
        let entry = faq.get(id).expect(id);
        for block in ["emergency", "today"] {
            assert!(
                entry.urgency.iter().any(|b| b == block),
                "{id} does not show {block}"
            );
        }
    }
}

/// The symptom check: the re-asked emergency questions are no narrower than
/// the first ones; self-care for walking pain never says to rest from it and
/// gives a time frame; cramp advice does not promise "harmless".
#[test]
fn the_symptom_checks_wording_keeps_the_reviews_fixes() {
    let text = symptom_check();
    assert!(text.contains("or does sciatica pain now go down both legs?"));
    assert!(text.contains("or does wiping after the toilet feel different?"));
    assert!(!text.contains("rest from anything that clearly makes it worse"));
    assert!(text.contains("not clearly better within 2 weeks"));
    assert!(!text.contains("Cramps are common and usually harmless"));
    assert!(text.contains("last longer than 10 minutes"));
    assert!(!text.contains("very tight, hard and painful"));
    // Self-care for a strain or shin splints says when to see a GP.
    assert!(text.contains("See a GP if it is not starting to get better after a few days."));
    // Shin splints: the NHS figure (a week), as the entry says (review 3).
    assert!(text.contains(
        "See a GP if the pain is very bad or getting worse, or not better after a week of this."
    ));
}

/// Review 2.6: one swollen leg is "today" (c.2 U1), and the answer says so
/// itself, before the self-care meant for swelling in both legs.
#[test]
fn one_swollen_leg_is_sent_for_help_today() {
    let faq = faq();
    let entry = faq.get("swollen-ankles").expect("swollen-ankles");
    let one_leg = entry
        .answer
        .find("only one leg")
        .expect("the one-leg paragraph");
    let today = entry.answer[one_leg..]
        .find("today")
        .map(|at| at + one_leg)
        .expect("an action for one leg");
    let both = entry.answer.find("both legs").expect("a both-legs heading");
    assert!(
        today < both,
        "the action comes before the both-legs self-care"
    );
    assert!(entry.urgency.iter().any(|b| b == "today"));
}

/// Review 2.7: a hot, red or swollen joint with a fever is the E4 pair, an
/// emergency, and fever is no longer told as a usual symptom of arthritis.
#[test]
fn a_hot_joint_with_a_fever_is_an_emergency_in_the_arthritis_entry() {
    let faq = faq();
    let entry = faq.get("arthritis").expect("arthritis");
    assert!(entry.urgency.iter().any(|b| b == "emergency"));
    assert!(entry.urgency_signs.iter().any(|sign| {
        sign.level == Level::Emergency && sign.text.contains("fever") && sign.text.contains("hot")
    }));
    assert!(!entry.answer.contains("high temperature"));
}

/// Reviews 3.2–3.5: no diagnosis, no unsourced advice, no prescription
/// medicines by name, no claim the source does not make.
#[test]
fn no_diagnosis_unsourced_advice_or_medicine_names() {
    // What is shown, without the comments that record the review.
    let text: String = symptom_check()
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!text.contains("is often osteoarthritis"));
    assert!(!text.to_lowercase().contains("with a pen"));
    let faq = faq();
    let neuropathy = &faq.get("neuropathy").expect("neuropathy").answer;
    for medicine in ["amitriptyline", "duloxetine", "gabapentin", "pregabalin"] {
        assert!(
            !neuropathy.contains(medicine),
            "neuropathy names {medicine}"
        );
    }
    let achilles = &faq.get("achilles").expect("achilles").answer;
    assert!(!achilles.contains("just as well"));
    assert!(!achilles.contains("mostly if"));
}

/// Review 6.4: a cramp lasting over 10 minutes has one level everywhere
/// (c.1 self-care row: "see a GP if … longer than 10 minutes").
#[test]
fn a_long_cramp_has_one_level_in_every_entry() {
    let faq = faq();
    let levels: Vec<(String, Level)> = faq
        .entries
        .iter()
        .flat_map(|entry| {
            entry
                .urgency_signs
                .iter()
                .filter(|sign| sign.text.contains("cramp") && sign.text.contains("10 minutes"))
                .map(|sign| (entry.id.clone(), sign.level))
        })
        .collect();
    assert!(levels.len() >= 2, "{levels:?}");
    assert!(
        levels.iter().all(|(_, level)| *level == Level::Routine),
        "{levels:?}"
    );
    // In pregnancy any new pain in one calf is new pain with a clot risk
    // factor: c.2 U7, "today", however long it lasts (reviews 4 C1, 5 C1).
    let pregnancy = faq.get("pregnancy").expect("pregnancy");
    assert!(pregnancy.urgency_signs.iter().any(|sign| {
        sign.level == Level::Urgent && sign.text.contains("new pain or cramps in one calf")
    }));
}

/// Review 6.5: statins tells the two cases apart, and the signs of muscle
/// damage are any one, not all together.
#[test]
fn statins_separates_explained_aches_from_unexplained_pain() {
    let faq = faq();
    let answer = &faq.get("statins").expect("statins").answer;
    assert!(answer.contains("keep taking your statin"));
    assert!(answer.contains("stop the statin and get help today"));
    assert!(answer.contains("any of"));
    assert!(!answer.contains("weakness, and dark"));
}

/// Review 6.6: an entry that names a clot says what to do about it, and one
/// that names a clot in the lungs says that chest pain or breathlessness is
/// an emergency.
#[test]
fn entries_that_name_a_clot_point_to_the_action() {
    let faq = faq();
    for id in [
        "bakers-cyst",
        "muscle-strain",
        "travel-after-clot",
        "blood-clot",
        "pregnancy",
    ] {
        let answer = &faq.get(id).expect(id).answer;
        assert!(answer.contains("get help today"), "{id}");
    }
    for id in ["travel-after-clot", "blood-clot", "pregnancy"] {
        let answer = &faq.get(id).expect(id).answer;
        assert!(answer.contains("is an emergency"), "{id}");
    }
}

// The findings of the third review (review 2, faq/reviews/2026-12-06-review-2.md):
// each contradiction with c.1/c.2 it found, so that none comes back.

fn block_signs(faq: &Faq, level: Level) -> Vec<String> {
    faq.urgency
        .for_level(level)
        .expect("a block for the level")
        .signs
        .iter()
        .map(|sign| sign.text.to_lowercase())
        .collect()
}

/// C1-01: night or rest pain in the feet is "today" (c.2 U2) in the
/// diabetes entry too, not routine as "nerve pain".
#[test]
fn rest_pain_in_the_feet_is_today_for_people_with_diabetes() {
    let faq = faq();
    let entry = faq.get("diabetes-legs").expect("diabetes-legs");
    assert!(entry.urgency_signs.iter().any(|sign| {
        sign.level == Level::Urgent && sign.text.contains("at night") && sign.text.contains("foot")
    }));
    assert!(
        !entry
            .urgency_signs
            .iter()
            .any(|sign| sign.level == Level::Routine && sign.text.contains("pain in your feet"))
    );
}

/// C1-02 … C1-05: the emergency signs use c.1's own scope: weakness of both
/// legs "severe or getting worse", numbness or tingling or a change when
/// wiping, a leg "hard to move", and fever with any one leg sign.
#[test]
fn emergency_signs_keep_the_scope_of_c1() {
    let faq = faq();
    let signs = block_signs(&faq, Level::Emergency);
    let find = |words: &[&str]| {
        signs
            .iter()
            .find(|sign| words.iter().all(|word| sign.contains(word)))
            .cloned()
            .unwrap_or_else(|| panic!("no emergency sign with {words:?}: {signs:#?}"))
    };
    assert!(!find(&["both legs", "severe"]).contains("quickly"));
    find(&["tingling", "bottom", "wiping"]);
    find(&["hard to move"]);
    find(&["fever", "darker", "tender"]);
}

/// C1-06: a new calf pain after bed rest or in a plaster cast is a same-day
/// clot sign (c.1 vte_risk_factors) in the list shown under every answer.
#[test]
fn bed_rest_and_a_cast_are_clot_risks_in_the_same_day_signs() {
    let signs = block_signs(&faq(), Level::Urgent);
    assert!(
        signs
            .iter()
            .any(|sign| sign.contains("calf") && sign.contains("plaster"))
    );
}

/// C1-07: the plainer re-ask of the fever question keeps every finding of
/// c.1 as its own ("a fever, or shivers, … dizzy").
#[test]
fn the_fever_re_ask_keeps_every_finding() {
    let text = symptom_check();
    assert!(text.contains(
        "simpler = \"Do you have a fever, or shivers, or feel very unwell, confused, dizzy or faint?\""
    ));
}

// The findings of the fourth review (review 3, faq/reviews/2026-12-06-review-3.md).

/// C1, C2: a plainer re-ask is never narrower than the emergency question it
/// replaces (its answer is the one recorded): every c.1 finding is kept.
#[test]
fn plainer_re_asks_keep_every_finding() {
    let text = symptom_check();
    for simpler in [
        "simpler = \"Do you have chest pain, pain when you breathe in, trouble getting your breath, or have you coughed up blood?\"",
        "simpler = \"Has your leg or foot suddenly gone cold, pale, white or blue, or numb, or become hard to move?\"",
        "simpler = \"Is there red, darker, hot or painful skin on your leg that is spreading?\"",
    ] {
        assert!(text.contains(simpler), "{simpler}");
    }
}

/// C3–C6: the one-line safety nets name every finding of their level: a leg
/// or foot, every sign of being unwell with a fever, darker skin.
#[test]
fn the_safety_nets_name_every_finding() {
    let faq = faq();
    let emergency = short_line(&faq, Level::Emergency);
    for words in ["leg or foot", "confused", "dizzy", "faint", "darker"] {
        assert!(
            emergency.contains(words),
            "emergency short line lacks {words:?}"
        );
    }
    let today = short_line(&faq, Level::Urgent);
    for words in ["darker", "shivers", "one foot or leg getting weaker"] {
        assert!(today.contains(words), "today short line lacks {words:?}");
    }
}

/// C7–C13: entries that name a finding of c.1/c.2 show the level it has
/// there: Achilles and the others show the emergency block; one swollen leg
/// in running-calves or muscle-strain is "today"; foot pain at rest in
/// neuropathy is "today".
#[test]
fn entries_show_the_level_of_the_findings_they_name() {
    let faq = faq();
    for id in ["achilles", "cramp-supplements", "statins", "restless-legs"] {
        let entry = faq.get(id).expect(id);
        assert!(entry.urgency.iter().any(|b| b == "emergency"), "{id}");
    }
    for id in ["running-calves", "muscle-strain"] {
        let answer = &faq.get(id).expect(id).answer;
        assert!(
            answer.contains("one leg") || answer.contains("one calf"),
            "{id}"
        );
        assert!(answer.contains("get help today"), "{id}");
    }
    let neuropathy = faq.get("neuropathy").expect("neuropathy");
    assert!(neuropathy.urgency_signs.iter().any(|sign| {
        sign.level == Level::Urgent && sign.text.contains("at rest") && sign.text.contains("night")
    }));
}

// The findings of the fifth review (review 4, faq/reviews/2026-12-06-review-4.md).

/// C2, C4: burning feet at night are not a routine sign beside the "today"
/// sign for foot pain at night, and the clot-risk signs use c.1's window
/// ("in the last 3 months", pregnancy now included).
#[test]
fn night_foot_pain_and_clot_risks_read_as_c1() {
    let faq = faq();
    let diabetes = faq.get("diabetes-legs").expect("diabetes-legs");
    assert!(
        !diabetes
            .urgency_signs
            .iter()
            .any(|sign| sign.level == Level::Routine && sign.text.contains("sleep"))
    );
    let signs = block_signs(&faq, Level::Urgent);
    let risk_signs: Vec<&String> = signs
        .iter()
        .filter(|sign| sign.contains("new pain in one calf"))
        .collect();
    assert!(
        risk_signs
            .iter()
            .any(|sign| sign.contains("pregnancy") && sign.contains("3 months"))
    );
    assert!(
        risk_signs
            .iter()
            .any(|sign| sign.contains("hrt") && sign.contains("last 3 months"))
    );
}

// The findings of the sixth review (review 5, faq/reviews/2026-12-06-review-5.md).

/// C2, C4, C5, C6: c.1's windows and scope words: 3 months after a birth, a
/// sore on the foot or leg (not only a numb foot), a lump on a bone.
#[test]
fn windows_and_scope_words_follow_c1() {
    let faq = faq();
    for id in ["blood-clot", "pregnancy"] {
        let answer = &faq.get(id).expect(id).answer;
        assert!(!answer.contains("6 weeks"), "{id}");
        assert!(answer.contains("3 months"), "{id}");
    }
    for id in ["neuropathy", "diabetes-legs"] {
        let entry = faq.get(id).expect(id);
        assert!(
            entry
                .urgency_signs
                .iter()
                .any(|sign| sign.level == Level::Urgent
                    && sign.text.contains("foot or leg")
                    && sign.text.contains("not healing")),
            "{id}"
        );
    }
    assert!(short_line(&faq, Level::Soon).contains("a lump on a bone"));
}

// The findings of the seventh review (review 6, faq/reviews/2026-12-06-review-6.md).

/// C1: restless legs shows the same-day signs, tells night pain in the feet
/// that eases when the leg hangs down (c.1 U2) apart from RLS, and keeps heat
/// off numb skin.
#[test]
fn restless_legs_tells_rest_pain_apart() {
    let faq = faq();
    let entry = faq.get("restless-legs").expect("restless-legs");
    assert!(entry.urgency.iter().any(|block| block == "today"));
    assert!(entry.answer.contains("hang your leg out of bed"));
    assert!(entry.answer.contains("not on numb skin"));
}

/// C2: the spine entries show the "see a doctor within a few days" block
/// (c.2 S1, S3), since c.1's self-care is for sciatica with no red flags.
#[test]
fn spine_entries_show_the_few_days_signs() {
    let faq = faq();
    for id in [
        "sciatica",
        "herniated-disc",
        "lumbar-spinal-stenosis",
        "circulation-or-nerves",
        "hip-pain",
    ] {
        let entry = faq.get(id).expect(id);
        assert!(entry.urgency.iter().any(|block| block == "soon"), "{id}");
    }
}

/// C3, C4: hip-pain keeps U1's whole trigger; the S3 sign says "ever had
/// cancer", as c.1 asks.
#[test]
fn trigger_words_are_not_narrowed() {
    let faq = faq();
    let hip = &faq.get("hip-pain").expect("hip-pain").answer;
    assert!(hip.contains("swollen, warm, red or darker, or tender to touch, get help today"));
    let soon = block_signs(&faq, Level::Soon);
    assert!(soon.iter().any(|sign| sign.contains("ever had cancer")));
    assert!(!soon.iter().any(|sign| sign.contains("past cancer")));
}

// The findings of the eighth review (review 7a, faq/reviews/2026-12-06-review-7a.md).

/// C1: the emergency sign and the emergency safety net name every bladder
/// problem c.1 lists, "can't feel it" included.
#[test]
fn bladder_signs_name_every_problem_of_c1() {
    let faq = faq();
    let signs = block_signs(&faq, Level::Emergency);
    let bladder = signs
        .iter()
        .find(|sign| sign.contains("peeing"))
        .expect("a bladder sign");
    for words in ["can't start", "stop", "can't feel it", "leaking", "bowels"] {
        assert!(bladder.contains(words), "{words:?}");
    }
    let short = short_line(&faq, Level::Emergency);
    assert!(short.contains("can't feel it") && short.contains("leaking"));
}

/// C2, C3: a leg ulcer is not a routine referral reason in varicose-veins;
/// an answer that names stress fractures as a likely cause shows "soon".
#[test]
fn ulcers_and_stress_fractures_keep_their_level() {
    let faq = faq();
    let veins = &faq.get("varicose-veins").expect("varicose-veins").answer;
    assert!(!veins.contains("skin changes or ulcers"));
    assert!(veins.contains("won't heal is different: get help today"));
    for id in ["most-common-cause", "diagnosis"] {
        let entry = faq.get(id).expect(id);
        assert!(entry.answer.contains("stress fracture"), "{id}");
        assert!(entry.urgency.iter().any(|block| block == "soon"), "{id}");
    }
}

// The findings of review 7b (faq/reviews/2026-12-06-review-7b.md), an
// independent reviewer of the same copy as 7a.

/// C1: sciatica's numbness is in one buttock; numbness around the bottom
/// (c.1 saddle numbness, E3) is told apart as an emergency in every entry
/// that describes sciatica.
#[test]
fn saddle_numbness_is_never_usual_sciatica() {
    let faq = faq();
    for id in ["sciatica", "herniated-disc", "circulation-or-nerves"] {
        let answer = &faq.get(id).expect(id).answer;
        assert!(!answer.contains("Your bottom"), "{id}");
        assert!(!answer.contains("pain in the bottom"), "{id}");
        assert!(!answer.contains("from your bottom"), "{id}");
        assert!(answer.contains("buttock"), "{id}");
        assert!(
            answer.contains("around your bottom") && answer.contains("emergency"),
            "{id}"
        );
    }
}

/// C2, C4: self-care shows the "soon" block and tells bone pain apart;
/// swelling tied to exercise is routine only in both legs (one swollen leg
/// is U1, "today").
#[test]
fn self_care_and_exercise_swelling_keep_their_level() {
    let faq = faq();
    let self_care = faq.get("self-care").expect("self-care");
    assert!(self_care.urgency.iter().any(|block| block == "soon"));
    assert!(self_care.answer.contains("sore spot on a bone"));
    for id in ["running-calves", "compartment-syndrome"] {
        let entry = faq.get(id).expect(id);
        for sign in &entry.urgency_signs {
            if sign.level == Level::Routine && sign.text.contains("swelling") {
                assert!(sign.text.contains("both legs"), "{id}: {}", sign.text);
            }
        }
    }
    // Review 9 B1: one swollen leg in c.1's words, with no "stays swollen".
    let compartment = &faq.get("compartment-syndrome").expect("c-s").answer;
    assert!(compartment.contains("If one leg is swollen, warm, red or tender, get help today"));
    assert!(!compartment.contains("stays swollen"));
}

// The findings of review 8 (faq/reviews/2026-12-06-review-8.md).

/// C1, C2: the cramp outcome sends only swelling in both legs to a GP (one
/// swollen leg is U1, "today"); blood-clot, which names cancer, shows the
/// "soon" block (c.2 S3).
#[test]
fn cramp_swelling_and_cancer_keep_their_level() {
    let check = symptom_check();
    assert!(check.contains("swelling in both legs. One swollen leg is different"));
    assert!(!check.contains("come with numbness or swelling. "));
    let faq = faq();
    let clot = faq.get("blood-clot").expect("blood-clot");
    assert!(clot.answer.contains("cancer"));
    assert!(clot.urgency.iter().any(|block| block == "soon"));
}

// The findings of review 9 (faq/reviews/2026-12-06-review-9.md).

/// C1: E5 is severe pain with a very tight or hard calf, whether or not it
/// eases when you stop; C2: R5 is any lump behind the knee, not only one
/// that "doesn't go away"; C3: calf pain that is not a cramp gets a time
/// frame in the cramp outcome.
#[test]
fn compartment_syndrome_bakers_cyst_and_cramp_keep_their_level() {
    let faq = faq();
    let compartment = &faq.get("compartment-syndrome").expect("c-s").answer;
    assert!(!compartment.contains("does not ease"));
    assert!(compartment.contains("with a calf that feels very tight or hard is an emergency"));
    let routine = faq
        .urgency
        .for_level(Level::Routine)
        .expect("routine block");
    let lump = routine
        .signs
        .iter()
        .find(|sign| sign.text.contains("knee") && sign.text.contains("lump"))
        .expect("the R5 sign");
    assert!(!lump.text.contains("go away"), "{}", lump.text);
    let check = symptom_check();
    assert!(check.contains(
        "If the pain is not like a cramp, see a GP if it is not clearly better within 2 weeks."
    ));
    assert!(!check.contains("not like a cramp, or does not go away"));
}

/// The title of the source each `[[urgency_sign]]` of an entry file cites,
/// by the sign's text.
fn sign_sources(id: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("faq/entries/{id}.toml"));
    let text = std::fs::read_to_string(&path).expect("entry file");
    let table: toml::Table = text.parse().expect("TOML");
    let titles: Vec<String> = table["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|source| source["title"].as_str().expect("title").to_owned())
        .collect();
    table["urgency_sign"]
        .as_array()
        .expect("signs")
        .iter()
        .filter_map(|sign| {
            let number = sign.get("source")?.as_integer()?;
            let title = usize::try_from(number - 1)
                .ok()
                .and_then(|index| titles.get(index))
                .expect("a listed source")
                .clone();
            Some((sign["text"].as_str().expect("text").to_owned(), title))
        })
        .collect()
}

/// B4: each sign cites the page that says it (keep-walking's numbers had
/// shifted; the child who can't bear weight is on an NHS limp page).
#[test]
fn signs_cite_the_page_that_says_them() {
    for (text, title) in sign_sources("keep-walking") {
        if text.contains("bone pain") {
            assert!(title.contains("Stress fractures"), "{text}: {title}");
        }
        if text.contains("shin pain") {
            assert!(title.contains("Shin splints"), "{text}: {title}");
        }
    }
    let (_, title) = sign_sources("children")
        .into_iter()
        .find(|(text, _)| text.contains("put weight on"))
        .expect("the weight-bearing sign");
    assert!(title.contains("Limp"), "{title}");
}

// The findings of review 10 (faq/reviews/2026-12-06-review-10.md).

/// C1, C2: numbness in both feet is routine only when it is not getting
/// worse (c.1 E3: "severe or getting worse", at any speed), and the sign
/// points to the emergency list; review 11 A1, A2: and only when it is
/// mild, with E3 quoted whole in the pointer; C3: cramps with numbness in
/// one leg are sent to a GP too.
#[test]
fn slow_numbness_and_cramp_numbness_keep_their_level() {
    let faq = faq();
    for id in ["neuropathy", "diabetes-legs"] {
        let entry = faq.get(id).expect(id);
        for sign in &entry.urgency_signs {
            if sign.level == Level::Routine && sign.text.contains("numbness") {
                assert!(!sign.text.contains("quickly"), "{id}: {}", sign.text);
                assert!(
                    sign.text.contains("mild and not getting worse"),
                    "{id}: {}",
                    sign.text
                );
                assert!(
                    sign.text
                        .contains("severe or getting worse: see the first list"),
                    "{id}: {}",
                    sign.text
                );
            }
        }
    }
    let check = symptom_check();
    assert!(check.contains("come with numbness in a leg or foot, or swelling in both legs"));
}
