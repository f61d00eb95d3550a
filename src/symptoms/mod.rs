//! The guided symptom check: red-flag questions first, a triage level at the
//! end, never a diagnosis.
//!
//! The conversation is data: faq/symptom-check.toml holds the questions
//! (with the canonical item ids and lay wording of clinical-basis.md
//! section g), when each is asked, the ordered rules that pick an outcome,
//! and the outcomes' advice, safety net, FAQ links and sources, so a
//! clinician can review it line by line. This module is the pure machine
//! that runs it. It names no Discord type, reads no clock and does no I/O
//! except [`SymptomCheck::load`] reading that file; callers keep
//! [`Conversation`]s (plain, serialisable data) and decide when they expire.
//!
//! Rule set c.2 of clinical-basis.md is also written directly in code
//! ([`rules`]), independently of the file. The conversation applies it as a
//! floor, and [`SymptomCheck::validate`] explores every path to prove the
//! file never needs that floor and that every red flag only leads to outcomes
//! at least as urgent as its level.
//!
//! Files:
//! - `level.rs`: the five triage levels;
//! - `answers.rs`: answers by item id;
//! - `model.rs`: the loaded check; `load.rs`: reading it, with spans;
//! - `condition.rs`: the condition language of the file;
//! - `machine.rs`: the step function; `conversation.rs`: one person's run;
//! - `reply.rs`: reading typed answers;
//! - `rules.rs`: rule set c.2 as the oracle;
//! - `validate.rs`: safety checks over every path; `validated.rs`: the
//!   record of clean validations that lets a start-up skip them;
//! - `script.rs`: scripted runs (`symptoms --answers FILE --json`);
//! - `graph.rs`: the decision tree as a Mermaid flowchart.

mod answers;
mod condition;
mod conversation;
pub mod graph;
mod level;
mod load;
mod machine;
mod model;
mod reply;
pub mod rules;
mod script;
mod validate;
mod validated;

use std::path::Path;

pub use answers::{Answer, AnswerLookup, Answers, UNSURE};
pub use conversation::{AnswerError, Choice, Conversation, Outcome, Prompt, Step};
pub use level::{Level, UnknownLevel};
pub use model::{
    ChoiceDef, Condition, LeadingPattern, OutcomeDef, PATTERN_IDS, PLACEHOLDERS, PatternDef,
    PatternRef, Question, QuestionKind, Rule, SourceRef, SymptomCheck, Target,
};
pub use script::{
    MAX_ANSWERS_FILE_BYTES, MAX_ANSWERS_PER_ITEM, ScriptError, ScriptResult, run_answers,
};
pub use validate::PathStats;
pub use validated::ValidationRecord;

use crate::problem::Problem;

/// Parses one condition of the data file's condition language
/// (`ecq_location = calf and not rf_any`) and returns its syntax error, a
/// byte offset into `text` and a message, if any.
///
/// Only for the fuzz target of the condition parser (`fuzz/`): the parser
/// itself is private, and this is the smallest door to it. Not a supported
/// API.
#[doc(hidden)]
pub fn parse_condition(text: &str) -> Result<(), (usize, String)> {
    condition::parse(text)
        .map(|_| ())
        .map_err(|error| (error.pos, error.message))
}

impl SymptomCheck {
    /// Reads the check at `path`. On failure returns every problem found,
    /// each with line and column (TOML syntax, unknown keys, missing or
    /// mistyped values, duplicate ids, bad conditions, dangling references).
    /// A loaded check should still pass [`SymptomCheck::validate`] before it
    /// is used.
    pub fn load(path: &Path) -> Result<SymptomCheck, Vec<Problem>> {
        load::load(path)
    }

    /// Like [`SymptomCheck::load`], from text already read; `path` is only
    /// used in problems.
    pub fn from_source(path: &Path, source: &str) -> Result<SymptomCheck, Vec<Problem>> {
        load::load_str(path, source)
    }
}
