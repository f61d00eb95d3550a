//! The loaded symptom check: questions, rules, outcomes and patterns, as
//! read from faq/symptom-check.toml.
//!
//! This file owns the data model only. Everything in it is plain data; the
//! loader ([`super::load`]) builds it with every reference already resolved
//! (questions, outcomes and patterns are referred to by index), so the state
//! machine never has to handle a dangling id. Byte spans into the source
//! text are kept (not serialised) so validation can report file and line.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::answers::{Answer, Answers, UNSURE};
use super::condition::Expr;
use super::level::Level;

/// The pattern ids of clinical-basis.md section b: the only ids an outcome
/// or the leading-pattern list may name.
pub const PATTERN_IDS: [&str; 19] = [
    "vascular_claudication",
    "critical_limb_ischaemia",
    "acute_limb_ischaemia",
    "neurogenic_claudication",
    "radiculopathy",
    "cauda_equina",
    "dvt",
    "pulmonary_embolism",
    "cellulitis",
    "acute_compartment_syndrome",
    "compartment_syndrome",
    "popliteal_artery_entrapment",
    "muscle_strain",
    "shin_splints",
    "stress_fracture",
    "arthritis",
    "bakers_cyst",
    "cramp",
    "unclear",
];

pub use crate::safety::PLACEHOLDERS;

/// A source as the check cites it: a title, and the address of a public
/// page when people are shown it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SourceRef {
    /// The title, e.g. "NHS: Sciatica".
    pub title: String,
    /// The page, for sources people see (outcomes and patterns).
    pub url: Option<String>,
}

/// A condition from the file: its text for people, its resolved form for the
/// machine.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    /// The condition as written in the file.
    pub text: String,
    #[serde(skip)]
    pub(crate) expr: Expr,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Yes / No / Not sure.
    YesNo,
    /// Exactly one of the listed choices, or not sure.
    OneOf,
    /// Any of the listed choices (pick all that apply), or not sure.
    AnyOf,
}

/// One choice of a question, as the data file lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ChoiceDef {
    /// Stable id (used in conditions and answer files).
    pub id: String,
    /// What the person sees.
    pub label: String,
    /// On a pick-all-that-apply question: cannot be combined with other
    /// choices (for example `none`).
    pub exclusive: bool,
}

/// Where the check goes after a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "index")]
pub enum Target {
    /// Ask this question next (if its `ask_if` holds).
    Question(usize),
    /// End with this outcome.
    Outcome(usize),
    /// No more questions: the rules pick the outcome.
    Rules,
}

/// One question of the check.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// The item id (clinical-basis.md section g for canonical items).
    pub id: String,
    /// The lay wording.
    pub text: String,
    /// Simpler wording used once when someone answers "not sure" to an
    /// emergency red flag (clinical-basis.md f.3).
    pub simpler: Option<String>,
    /// How it is answered.
    pub kind: QuestionKind,
    /// The listed choices, without "not sure" (every question accepts it).
    pub choices: Vec<ChoiceDef>,
    /// The level of this red flag in clinical-basis.md c.1, if it is one.
    pub red_flag: Option<Level>,
    /// Asked only when this holds; otherwise skipped.
    pub ask_if: Option<Condition>,
    /// Where to go next; `None` means the following question of the file.
    pub next: Option<Target>,
    /// Source tags (section h) for the wording.
    pub sources: Vec<String>,
    /// The screen (index into [`SymptomCheck::screens`]) that asks this
    /// question together with others, if any.
    pub screen: Option<usize>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
    #[serde(skip)]
    pub(crate) red_flag_span: Range<usize>,
    #[serde(skip)]
    pub(crate) next_span: Range<usize>,
}

impl Question {
    /// Every answer value in mask-bit order: the listed choices, then
    /// "not sure".
    pub fn value_ids(&self) -> impl Iterator<Item = &str> {
        self.choices
            .iter()
            .map(|c| c.id.as_str())
            .chain(std::iter::once(UNSURE))
    }

    /// The bit of a value id, if the question has it.
    pub(crate) fn bit(&self, value: &str) -> Option<u32> {
        self.value_ids()
            .position(|v| v == value)
            .map(|index| 1u32 << index)
    }

    /// The bit of "not sure".
    pub(crate) fn unsure_bit(&self) -> u32 {
        1u32 << self.choices.len()
    }

    /// The answer a mask stands for.
    pub(crate) fn answer_of(&self, mask: u32) -> Answer {
        if mask & self.unsure_bit() != 0 {
            return Answer::Unsure;
        }
        let ids: Vec<String> = self
            .choices
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1u32 << i) != 0)
            .map(|(_, c)| c.id.clone())
            .collect();
        match self.kind {
            QuestionKind::AnyOf => Answer::Many(ids),
            _ => Answer::One(ids.into_iter().next().unwrap_or_default()),
        }
    }

    /// The mask of an answer; `None` if it names a value this question does
    /// not have.
    pub(crate) fn mask_of(&self, answer: &Answer) -> Option<u32> {
        match answer {
            Answer::Unsure => Some(self.unsure_bit()),
            Answer::One(id) => self.bit(id),
            Answer::Many(ids) => ids
                .iter()
                .try_fold(0u32, |acc, id| Some(acc | self.bit(id)?)),
        }
    }

    /// The label of a value id ("Not sure" for unsure).
    pub fn label_of(&self, value: &str) -> String {
        if value == UNSURE {
            return "Not sure".to_owned();
        }
        self.choices
            .iter()
            .find(|c| c.id == value)
            .map_or_else(|| value.to_owned(), |c| c.label.clone())
    }
}

/// Several yes/no questions asked on one screen ("Do you have any of these
/// right now?"): the person picks the ones that apply, "None of these", or
/// "Not sure about some" (with or without picks), and the items not picked
/// are then asked one by one in their simpler words. The items are
/// consecutive questions of the file, none of whose conditions reads
/// another item of the same screen, so asking them together reaches the
/// same answers as asking them one after another.
#[derive(Debug, Clone, Serialize)]
pub struct Screen {
    /// Stable id (used by buttons and in answer echoes).
    pub id: String,
    /// What the person sees above the items.
    pub text: String,
    /// The questions it asks, in file order (consecutive indices).
    pub items: Vec<usize>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
}

/// The id of the "None of these" choice of a screen.
pub const NONE_OF_THESE: &str = "none";

/// The most items one screen may ask: a Discord select menu holds 25
/// options, and "None of these" and "Not sure about some" take two.
pub const MAX_SCREEN_ITEMS: usize = 23;

/// One ordered rule: when its condition holds, the check ends with its
/// outcome. Rules marked `at_once` are checked after every answer (red
/// flags end the check at once); all rules are checked, in order, after the
/// last question.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// A short id for reviewers (for example the c.2 rule it implements).
    pub id: String,
    /// When it applies.
    pub when: Condition,
    /// The outcome it gives.
    pub outcome: usize,
    /// Checked after every answer, not only at the end.
    pub at_once: bool,
}

/// How an outcome names its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "index")]
pub enum PatternRef {
    /// Always this pattern.
    Fixed(usize),
    /// The first entry of the leading-pattern list whose condition holds.
    Leading,
}

/// One outcome: a level and what to tell the person.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeDef {
    /// Stable id.
    pub id: String,
    /// Triage level.
    pub level: Level,
    /// The pattern it reports.
    pub pattern: PatternRef,
    /// A short heading.
    pub title: String,
    /// What to do, specific to this outcome. How urgently comes from the
    /// level's action and the safety net from the more urgent blocks of
    /// `faq/urgency.toml`, never from this text.
    pub advice: String,
    /// FAQ entry ids to read next.
    pub see_also: Vec<String>,
    /// Source tags (section h).
    pub sources: Vec<String>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
    #[serde(skip)]
    pub(crate) see_also_span: Range<usize>,
}

/// A pattern of section b and how the check words it.
#[derive(Debug, Clone, Serialize)]
pub struct PatternDef {
    /// Pattern id (section b).
    pub id: String,
    /// "Your answers fit a pattern that can be caused by ...".
    pub text: String,
    /// FAQ entry ids about it.
    pub see_also: Vec<String>,
    /// Source tags (section h).
    pub sources: Vec<String>,
    #[serde(skip)]
    pub(crate) span: Range<usize>,
    #[serde(skip)]
    pub(crate) see_also_span: Range<usize>,
}

/// One entry of the ordered leading-pattern list.
#[derive(Debug, Clone, Serialize)]
pub struct LeadingPattern {
    /// When it applies.
    pub when: Condition,
    /// The pattern.
    pub pattern: usize,
}

/// The whole symptom check, loaded and resolved.
#[derive(Debug, Clone, Serialize)]
pub struct SymptomCheck {
    /// The file's `version`, for reviewers.
    pub version: String,
    /// The file's `title`.
    pub title: String,
    /// Questions, in file order.
    pub questions: Vec<Question>,
    /// Screens that ask several questions at once.
    pub screens: Vec<Screen>,
    /// Rules, in order.
    pub rules: Vec<Rule>,
    /// Outcomes.
    pub outcomes: Vec<OutcomeDef>,
    /// Patterns.
    pub patterns: Vec<PatternDef>,
    /// The ordered leading-pattern list.
    pub leading: Vec<LeadingPattern>,
    /// Source tag to title (section h).
    pub sources: BTreeMap<String, SourceRef>,
    /// The outcome used when rule set c.2 has to raise the level, per level.
    pub floor: BTreeMap<Level, usize>,
    /// The first question.
    pub start: usize,
    #[serde(skip)]
    pub(crate) path: PathBuf,
    #[serde(skip)]
    pub(crate) source: String,
    #[serde(skip)]
    pub(crate) fingerprint: String,
    #[serde(skip)]
    pub(crate) index: HashMap<String, usize>,
    #[serde(skip)]
    pub(crate) rules_span: Range<usize>,
}

impl SymptomCheck {
    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A short hash of the file's text. A stored conversation remembers it,
    /// so an answer to a check that has since changed is refused instead of
    /// being applied to the wrong question.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The question with this item id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).and_then(|&i| self.questions.get(i))
    }

    /// The screen with this id.
    pub fn screen(&self, id: &str) -> Option<&Screen> {
        self.screens.iter().find(|s| s.id == id)
    }

    /// The index of the question with this item id.
    pub(crate) fn question_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The outcome with this id.
    pub fn outcome(&self, id: &str) -> Option<&OutcomeDef> {
        self.outcomes.iter().find(|o| o.id == id)
    }

    /// The answer masks (one per question, 0 = not asked) of `answers`.
    /// Answers to unknown items or with unknown values are left out.
    pub(crate) fn masks(&self, answers: &Answers) -> Vec<u32> {
        let mut masks = vec![0u32; self.questions.len()];
        for (item, answer) in answers.iter() {
            if let Some(i) = self.question_index(item)
                && let Some(mask) = self.questions[i].mask_of(answer)
            {
                masks[i] = mask;
            }
        }
        masks
    }

    /// A problem at a byte offset of the source file.
    pub(crate) fn problem_at(
        &self,
        offset: usize,
        message: impl Into<String>,
    ) -> crate::problem::Problem {
        crate::problem::Problem::at_offset(&self.path, &self.source, offset, message)
    }
}
