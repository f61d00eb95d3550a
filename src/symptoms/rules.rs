//! Rule set c.2 of clinical-basis.md, written directly in code: the oracle.
//!
//! The data file decides what the check asks and which outcome it gives; this
//! file decides, independently of that file, the least urgent level the
//! answers allow. The conversation applies it as a floor (final level =
//! the more urgent of the data outcome's level and [`floor`]), the validator
//! checks on every path that the data never needs that floor, and the tests
//! compare both. Keeping it in code means an edit of the data file can never
//! weaken it.
//!
//! Each c.2 rule fires only on an explicit answer ("not sure" never fires a
//! rule). Clinical-basis.md f.3 is separate: "not sure" (twice, after the
//! simpler re-ask) on an emergency red flag makes the outcome at least
//! `urgent` ([`unsure_on_emergency_flag`], included in [`floor`]).
//!
//! Every fact the rules read depends on one item only (or is an "any of"
//! over items), so the validator can summarise a path by its [`Facts`].

use super::answers::AnswerLookup;
use super::level::Level;

/// The emergency red flags, clinical-basis.md section g items 1–8: asked
/// first, re-asked in simpler words after "not sure".
pub const EMERGENCY_FLAGS: [&str; 8] = [
    "rf_chest_pain_or_breathless",
    "rf_sudden_cold_pale_numb_leg",
    "rf_saddle_numbness",
    "rf_bladder_or_bowel_change",
    "rf_both_legs_weak_or_numb",
    "rf_fever_or_very_unwell",
    "rf_spreading_redness",
    "rf_severe_pain_tense_calf",
];

/// The rules of c.2 by id: their level, and whether the rule needs several
/// findings together (E4 fever *with* redness, U7 calf pain *with* a risk
/// factor, ...). Every other rule acts on any one of its findings alone,
/// which is why a sign written for it must never join findings with "and".
pub const RULE_LEVELS: [(&str, Level, bool); 21] = [
    ("E1", Level::Emergency, false),
    ("E2", Level::Emergency, false),
    ("E3", Level::Emergency, false),
    ("E4", Level::Emergency, true),
    ("E5", Level::Emergency, true),
    ("U1", Level::Urgent, false),
    ("U2", Level::Urgent, false),
    ("U3", Level::Urgent, false),
    ("U4", Level::Urgent, false),
    ("U5", Level::Urgent, false),
    ("U6", Level::Urgent, false),
    ("U7", Level::Urgent, true),
    ("S1", Level::Soon, false),
    ("S2", Level::Soon, true),
    ("S3", Level::Soon, false),
    ("R1", Level::Routine, true),
    ("R2", Level::Routine, true),
    ("R3", Level::Routine, true),
    ("R4", Level::Routine, false),
    ("R5", Level::Routine, false),
    ("R6", Level::Routine, true),
];

/// The level of the c.2 rule `id` ("E1" is emergency), if it is one.
pub fn rule_level(id: &str) -> Option<Level> {
    RULE_LEVELS
        .iter()
        .find(|(rule, _, _)| *rule == id)
        .map(|(_, level, _)| *level)
}

/// Whether the c.2 rule `id` needs several findings together.
pub fn is_combination_rule(id: &str) -> bool {
    RULE_LEVELS
        .iter()
        .any(|(rule, _, combination)| *rule == id && *combination)
}

/// Every item rule set c.2 reads.
pub const ITEMS: [&str; 30] = [
    "rf_chest_pain_or_breathless",
    "rf_sudden_cold_pale_numb_leg",
    "rf_saddle_numbness",
    "rf_bladder_or_bowel_change",
    "rf_both_legs_weak_or_numb",
    "rf_fever_or_very_unwell",
    "rf_spreading_redness",
    "rf_severe_pain_tense_calf",
    "one_leg_swollen_warm_red",
    "vte_risk_factors",
    "rf_rest_pain_at_night",
    "rf_ulcer_or_black_skin",
    "rf_rapid_worsening",
    "rf_foot_drop_or_one_leg_weakening",
    "rf_cancer_or_weight_loss",
    "rf_bone_pain_at_night",
    "ecq_pain_when_walking",
    "ecq_pain_at_rest",
    "ecq_uphill_or_hurry",
    "ecq_when_stand_still",
    "ecq_location",
    "standing_brings_on_pain",
    "relief_by_sitting_or_bending_forward",
    "pain_shoots_below_knee",
    "both_legs",
    "symptom_duration",
    "new_or_increased_exercise",
    "focal_bone_tenderness",
    "lump_behind_knee",
    "joint_pain_short_morning_stiffness",
];

const VTE_NONE: &str = "none";

/// What rule set c.2 reads from the answers, one field per fact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Facts {
    chest_or_breathless: bool,
    sudden_cold_pale_numb_leg: bool,
    cauda_equina_sign: bool,
    fever: bool,
    spreading_redness: bool,
    tense_calf: bool,
    one_leg_swollen: bool,
    rest_pain_or_ulcer: bool,
    rapid_worsening: bool,
    foot_drop: bool,
    bone_pain_at_night: bool,
    focal_bone_tenderness: bool,
    new_exercise: bool,
    cancer_or_weight_loss: bool,
    walking_pain: bool,
    pain_at_rest_no: bool,
    uphill_yes: bool,
    gone_within_10min: bool,
    location_calf: bool,
    location_thigh_or_buttock: bool,
    standing_or_relief: bool,
    shoots_below_knee: bool,
    duration_up_to_6_weeks: bool,
    duration_over_6_weeks: bool,
    one_leg_only: bool,
    vte_risk: bool,
    joint_pain: bool,
    lump_behind_knee: bool,
    unsure_emergency: bool,
}

impl Facts {
    /// Reads the facts from any answers.
    pub fn of(a: &dyn AnswerLookup) -> Facts {
        let yes = |item: &str| a.answer_is(item, "yes");
        Facts {
            chest_or_breathless: yes("rf_chest_pain_or_breathless"),
            sudden_cold_pale_numb_leg: yes("rf_sudden_cold_pale_numb_leg"),
            cauda_equina_sign: yes("rf_saddle_numbness")
                || yes("rf_bladder_or_bowel_change")
                || yes("rf_both_legs_weak_or_numb"),
            fever: yes("rf_fever_or_very_unwell"),
            spreading_redness: yes("rf_spreading_redness"),
            tense_calf: yes("rf_severe_pain_tense_calf"),
            one_leg_swollen: yes("one_leg_swollen_warm_red"),
            rest_pain_or_ulcer: yes("rf_rest_pain_at_night") || yes("rf_ulcer_or_black_skin"),
            rapid_worsening: yes("rf_rapid_worsening"),
            foot_drop: yes("rf_foot_drop_or_one_leg_weakening"),
            bone_pain_at_night: yes("rf_bone_pain_at_night"),
            focal_bone_tenderness: yes("focal_bone_tenderness"),
            new_exercise: yes("new_or_increased_exercise"),
            cancer_or_weight_loss: yes("rf_cancer_or_weight_loss"),
            walking_pain: yes("ecq_pain_when_walking"),
            pain_at_rest_no: a.answer_is("ecq_pain_at_rest", "no"),
            uphill_yes: yes("ecq_uphill_or_hurry"),
            gone_within_10min: a.answer_is("ecq_when_stand_still", "gone_within_10min"),
            location_calf: a.answer_is("ecq_location", "calf"),
            location_thigh_or_buttock: a.answer_is("ecq_location", "thigh")
                || a.answer_is("ecq_location", "buttock"),
            standing_or_relief: yes("standing_brings_on_pain")
                || yes("relief_by_sitting_or_bending_forward"),
            shoots_below_knee: yes("pain_shoots_below_knee"),
            duration_up_to_6_weeks: ["started_today", "under_1_week", "1_to_6_weeks"]
                .iter()
                .any(|d| a.answer_is("symptom_duration", d)),
            duration_over_6_weeks: a.answer_is("symptom_duration", "over_6_weeks"),
            one_leg_only: a.answer_is("both_legs", "no"),
            vte_risk: a.answer_has_other_than("vte_risk_factors", VTE_NONE),
            joint_pain: yes("joint_pain_short_morning_stiffness"),
            lump_behind_knee: yes("lump_behind_knee"),
            unsure_emergency: EMERGENCY_FLAGS
                .iter()
                .any(|item| a.answer_is(item, "unsure")),
        }
    }

    /// Whether the Edinburgh Claudication Questionnaire is positive
    /// (clinical-basis.md a.2: Q1 yes, Q2 no, Q3 yes, Q5 gone within
    /// 10 minutes, and pain in the calf (definite) or in the thigh or
    /// buttock (atypical)).
    pub fn ecq_positive(&self) -> bool {
        self.walking_pain
            && self.pain_at_rest_no
            && self.uphill_yes
            && self.gone_within_10min
            && (self.location_calf || self.location_thigh_or_buttock)
    }

    /// Every c.2 rule with its level and whether it fires, most urgent
    /// first. `open(item)` says an item is still unanswered and could be
    /// answered either way; with `|_| false` every value is `Yes` or `No`.
    fn table(&self, open: &dyn Fn(&str) -> bool) -> [RuleRow; 21] {
        let reading = Reading { facts: self, open };
        let [e1, e2, e3, e4, e5] = reading.emergency();
        let [u1, u2, u3, u4, u5, u6, u7] = reading.urgent();
        let [s1, s2, s3] = reading.soon();
        let [r1, r2, r3, r4, r5, r6] = reading.routine();
        [
            e1, e2, e3, e4, e5, u1, u2, u3, u4, u5, u6, u7, s1, s2, s3, r1, r2, r3, r4, r5, r6,
        ]
    }

    /// The c.2 rules that fire, each with its level, most urgent first.
    pub fn fired(&self) -> Vec<(&'static str, Level)> {
        self.table(&|_| false)
            .into_iter()
            .filter(|(_, _, fires)| *fires == Tri::Yes)
            .map(|(id, level, _)| (id, level))
            .collect()
    }

    /// The level rule set c.2 gives: the most urgent rule that fires, or
    /// `self_care` (rule SC) when none does.
    pub fn level(&self) -> Level {
        self.fired()
            .into_iter()
            .map(|(_, level)| level)
            .max()
            .unwrap_or(Level::SelfCare)
    }

    /// The c.2 level, raised to at least `urgent` when an emergency red
    /// flag stayed "not sure" (clinical-basis.md f.3).
    pub fn floor(&self) -> Level {
        let level = self.level();
        if self.unsure_emergency {
            level.max(Level::Urgent)
        } else {
            level
        }
    }

    /// The most urgent floor that answering the items still `open` could
    /// give, with the c.2 rules that could fire for it. A check that ends
    /// while this is above its outcome has skipped a question that matters.
    pub fn floor_if_answered(&self, open: &dyn Fn(&str) -> bool) -> (Level, Vec<&'static str>) {
        let table = self.table(open);
        let mut level = table
            .iter()
            .filter(|(_, _, fires)| *fires != Tri::No)
            .map(|(_, level, _)| *level)
            .max()
            .unwrap_or(Level::SelfCare);
        let unsure_possible = self.unsure_emergency || EMERGENCY_FLAGS.iter().any(|i| open(i));
        if unsure_possible {
            level = level.max(Level::Urgent);
        }
        let rules = table
            .iter()
            .filter(|(_, l, fires)| *l == level && *fires != Tri::No)
            .map(|(id, _, _)| *id)
            .collect();
        (level, rules)
    }
}

/// One c.2 rule: its id, its level and whether it fires.
type RuleRow = (&'static str, Level, Tri);

/// The facts read for [`Facts::table`], with the items still `open`.
struct Reading<'f> {
    facts: &'f Facts,
    open: &'f dyn Fn(&str) -> bool,
}

impl Reading<'_> {
    /// A fact that holds is `Yes`; one that does not is `Open` while any of
    /// the `items` it is read from is unanswered, else `No`.
    fn tri(&self, fact: bool, items: &[&str]) -> Tri {
        if fact {
            Tri::Yes
        } else if items.iter().any(|item| (self.open)(item)) {
            Tri::Open
        } else {
            Tri::No
        }
    }

    /// Fever or feeling very unwell (item 6).
    fn fever(&self) -> Tri {
        self.tri(self.facts.fever, &["rf_fever_or_very_unwell"])
    }

    /// Spreading redness of the skin (item 7).
    fn redness(&self) -> Tri {
        self.tri(self.facts.spreading_redness, &["rf_spreading_redness"])
    }

    /// One leg swollen, warm and red (item 9).
    fn swollen(&self) -> Tri {
        self.tri(self.facts.one_leg_swollen, &["one_leg_swollen_warm_red"])
    }

    /// Pain when walking (ECQ Q1).
    fn walking(&self) -> Tri {
        self.tri(self.facts.walking_pain, &["ecq_pain_when_walking"])
    }

    /// Symptoms for over 6 weeks.
    fn over_6_weeks(&self) -> Tri {
        self.tri(self.facts.duration_over_6_weeks, &["symptom_duration"])
    }

    /// Pain shooting below the knee.
    fn shoots(&self) -> Tri {
        self.tri(self.facts.shoots_below_knee, &["pain_shoots_below_knee"])
    }

    /// Pain in the calf.
    fn calf(&self) -> Tri {
        self.tri(self.facts.location_calf, &["ecq_location"])
    }

    /// E1-E5: call the emergency number now.
    fn emergency(&self) -> [RuleRow; 5] {
        let f = self.facts;
        let cauda_equina = self.tri(
            f.cauda_equina_sign,
            &[
                "rf_saddle_numbness",
                "rf_bladder_or_bowel_change",
                "rf_both_legs_weak_or_numb",
            ],
        );
        let fever_with_red_or_swollen_leg = self.fever().and(self.redness().or(self.swollen()));
        [
            (
                "E1",
                Level::Emergency,
                self.tri(f.chest_or_breathless, &["rf_chest_pain_or_breathless"]),
            ),
            (
                "E2",
                Level::Emergency,
                self.tri(
                    f.sudden_cold_pale_numb_leg,
                    &["rf_sudden_cold_pale_numb_leg"],
                ),
            ),
            ("E3", Level::Emergency, cauda_equina),
            ("E4", Level::Emergency, fever_with_red_or_swollen_leg),
            (
                "E5",
                Level::Emergency,
                self.tri(f.tense_calf, &["rf_severe_pain_tense_calf"]),
            ),
        ]
    }

    /// U1-U7: get help the same day.
    fn urgent(&self) -> [RuleRow; 7] {
        let f = self.facts;
        let possible_clot = self
            .tri(f.duration_up_to_6_weeks, &["symptom_duration"])
            .and(self.calf())
            .and(self.tri(f.one_leg_only, &["both_legs"]))
            .and(self.tri(f.vte_risk, &["vte_risk_factors"]))
            .and(self.shoots().not());
        [
            ("U1", Level::Urgent, self.swollen()),
            (
                "U2",
                Level::Urgent,
                self.tri(
                    f.rest_pain_or_ulcer,
                    &["rf_rest_pain_at_night", "rf_ulcer_or_black_skin"],
                ),
            ),
            (
                "U3",
                Level::Urgent,
                self.tri(f.rapid_worsening, &["rf_rapid_worsening"]),
            ),
            (
                "U4",
                Level::Urgent,
                self.tri(f.foot_drop, &["rf_foot_drop_or_one_leg_weakening"]),
            ),
            ("U5", Level::Urgent, self.redness()),
            ("U6", Level::Urgent, self.fever()),
            ("U7", Level::Urgent, possible_clot),
        ]
    }

    /// S1-S3: see a doctor within days.
    fn soon(&self) -> [RuleRow; 3] {
        let f = self.facts;
        let tender_bone_after_new_exercise = self
            .tri(f.focal_bone_tenderness, &["focal_bone_tenderness"])
            .and(self.tri(f.new_exercise, &["new_or_increased_exercise"]));
        [
            (
                "S1",
                Level::Soon,
                self.tri(f.bone_pain_at_night, &["rf_bone_pain_at_night"]),
            ),
            ("S2", Level::Soon, tender_bone_after_new_exercise),
            (
                "S3",
                Level::Soon,
                self.tri(f.cancer_or_weight_loss, &["rf_cancer_or_weight_loss"]),
            ),
        ]
    }

    /// R1-R6: get the leg checked (routine).
    fn routine(&self) -> [RuleRow; 6] {
        let f = self.facts;
        let walking = self.walking();
        let ecq_positive = walking
            .and(self.tri(f.pain_at_rest_no, &["ecq_pain_at_rest"]))
            .and(self.tri(f.uphill_yes, &["ecq_uphill_or_hurry"]))
            .and(self.tri(f.gone_within_10min, &["ecq_when_stand_still"]))
            .and(
                self.calf()
                    .or(self.tri(f.location_thigh_or_buttock, &["ecq_location"])),
            );
        let standing_or_relief = self.tri(
            f.standing_or_relief,
            &[
                "standing_brings_on_pain",
                "relief_by_sitting_or_bending_forward",
            ],
        );
        [
            ("R1", Level::Routine, ecq_positive),
            ("R2", Level::Routine, walking.and(standing_or_relief)),
            ("R3", Level::Routine, self.shoots().and(self.over_6_weeks())),
            (
                "R4",
                Level::Routine,
                self.tri(f.joint_pain, &["joint_pain_short_morning_stiffness"]),
            ),
            (
                "R5",
                Level::Routine,
                self.tri(f.lump_behind_knee, &["lump_behind_knee"]),
            ),
            ("R6", Level::Routine, walking.and(self.over_6_weeks())),
        ]
    }
}

/// A fact that is true, false, or not known yet (its item is unanswered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    No,
    Yes,
    Open,
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Open,
        }
    }

    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Open,
        }
    }

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Open => Tri::Open,
        }
    }
}

/// The level rule set c.2 gives for `answers` (highest rule wins; "not
/// sure" fires nothing).
pub fn triage(answers: &dyn AnswerLookup) -> Level {
    Facts::of(answers).level()
}

/// The c.2 rule ids that fire for `answers` (for example `["U1", "R6"]`).
pub fn fired(answers: &dyn AnswerLookup) -> Vec<&'static str> {
    Facts::of(answers)
        .fired()
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// Whether an emergency red flag (items 1–8) was left "not sure" after the
/// re-ask: clinical-basis.md f.3 then asks for at least `urgent`.
pub fn unsure_on_emergency_flag(answers: &dyn AnswerLookup) -> bool {
    EMERGENCY_FLAGS
        .iter()
        .any(|item| answers.answer_is(item, "unsure"))
}

/// The least urgent level the answers allow: [`triage`], raised to
/// `urgent` by [`unsure_on_emergency_flag`].
pub fn floor(answers: &dyn AnswerLookup) -> Level {
    Facts::of(answers).floor()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symptoms::answers::{Answer, Answers};

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| {
                let answer = if v.contains(',') {
                    Answer::Many(v.split(',').map(str::to_owned).collect())
                } else if *v == "unsure" {
                    Answer::Unsure
                } else {
                    Answer::One((*v).to_owned())
                };
                ((*k).to_owned(), answer)
            })
            .collect()
    }

    #[test]
    fn nothing_is_self_care_and_unsure_fires_nothing() {
        assert_eq!(triage(&Answers::new()), Level::SelfCare);
        let a = answers(&[("rf_chest_pain_or_breathless", "unsure")]);
        assert_eq!(triage(&a), Level::SelfCare);
        assert_eq!(floor(&a), Level::Urgent);
    }

    #[test]
    fn fever_alone_is_urgent_but_with_a_red_leg_is_an_emergency() {
        let a = answers(&[("rf_fever_or_very_unwell", "yes")]);
        assert_eq!(triage(&a), Level::Urgent);
        let a = answers(&[
            ("rf_fever_or_very_unwell", "yes"),
            ("one_leg_swollen_warm_red", "yes"),
        ]);
        assert_eq!(triage(&a), Level::Emergency);
    }

    #[test]
    fn ecq_needs_every_criterion_and_a_site() {
        let mut pairs = vec![
            ("ecq_pain_when_walking", "yes"),
            ("ecq_pain_at_rest", "no"),
            ("ecq_uphill_or_hurry", "yes"),
            ("ecq_when_stand_still", "gone_within_10min"),
            ("ecq_location", "hamstring,shin"),
        ];
        assert_eq!(triage(&answers(&pairs)), Level::SelfCare);
        pairs[4] = ("ecq_location", "buttock,foot");
        assert_eq!(fired(&answers(&pairs)), vec!["R1"]);
        pairs[1] = ("ecq_pain_at_rest", "unsure");
        assert_eq!(triage(&answers(&pairs)), Level::SelfCare);
    }

    #[test]
    fn u7_needs_one_calf_a_risk_and_no_shooting_pain() {
        let mut pairs = vec![
            ("symptom_duration", "under_1_week"),
            ("ecq_location", "calf"),
            ("both_legs", "no"),
            ("vte_risk_factors", "long_journey"),
        ];
        assert_eq!(fired(&answers(&pairs)), vec!["U7"]);
        pairs.push(("pain_shoots_below_knee", "yes"));
        assert_eq!(triage(&answers(&pairs)), Level::SelfCare);
        pairs.pop();
        pairs[3] = ("vte_risk_factors", "none");
        assert_eq!(triage(&answers(&pairs)), Level::SelfCare);
    }
}
