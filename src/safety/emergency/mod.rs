//! The emergency screen: does a chat message describe an emergency red flag?
//!
//! Every message goes through [`EmergencyScreen::screen`] before anything
//! else (design.md, "How a message flows"). When it returns any
//! [`RedFlag`], the person gets the emergency reply (call the emergency
//! number now) and nothing else first. The red flags are the emergency level
//! of clinical-basis.md section c.1 (rules E1 to E5 of c.2), and a stroke.
//!
//! # How it reads a message
//!
//! The screen reads concepts, not phrases (the NegEx / ConText approach of
//! clinical text processing). Everything it knows is data in
//! `faq/emergency/`, which a clinician can review:
//!
//! - `lexicon.tsv`: lay words and phrases for each concept ("bum", "groin"
//!   and "down there" are `saddle`; "out of the blue" is `sudden`);
//! - `context.toml`: what changes the meaning of the words around it
//!   (negation, "if", questions that ask for information, calm context) and
//!   concepts built from two ("can't" + "move");
//! - `flags.toml`: each red flag as combinations of concepts near each other
//!   (a leg or foot with two signs of ischaemia; numbness near the bottom).
//!
//! The engine (the `reading` module) is the same for every flag:
//!
//! 1. **Split and clean.** Code, links and mentions go first; the message
//!    (at most [`text::MAX_INPUT_CHARS`] characters) is split into sentences
//!    (remembering which ended in `?`, keeping "38.9" whole) and clauses, and
//!    cleaned ([`text::clean_plain`]: invisible format characters removed,
//!    look-alike letters folded, accents and zalgo dropped).
//! 2. **Concepts.** The longest lexicon phrase at each word gives the word's
//!    concepts; a long word one typing slip from a lexicon word counts as it.
//! 3. **Context.** Derived concepts are added, then the scopes of negation
//!    and "if" are marked per clause; a sentence that asks for information
//!    with nobody in it ("what are the signs of a clot?") counts for nothing,
//!    while a question about the writer's or a relative's situation is a
//!    report ("is it bad that my foot has gone cold?").
//! 4. **Flags.** A flag fires when one of its patterns holds: the right
//!    concepts live (not negated, not hypothetical, not informational) within
//!    a few words, and not explained by calm context in their clause (unless
//!    a sudden onset, severe pain or an injury sets that context aside).
//!
//! Recall comes first: the screen errs towards the alarm on anything told as
//! happening now. It understands English only; other languages give no
//! match (the emergency questions of the symptom check still follow).
//! Cost is linear in the message length with small windows. Message text is
//! never logged.

mod lexicon;
mod model;
mod reading;
mod rules;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::problem::Problem;
use lexicon::{Concepts, Lexicon};
use reading::{Analysis, Mode};
use rules::{Rules, Sources};

/// The folder under the FAQ folder that holds the screen's data.
pub const EMERGENCY_DIR: &str = "emergency";
/// The lexicon file, in [`EMERGENCY_DIR`].
pub const LEXICON_FILE: &str = "lexicon.tsv";
/// The context file, in [`EMERGENCY_DIR`].
pub const CONTEXT_FILE: &str = "context.toml";
/// The flags file, in [`EMERGENCY_DIR`].
pub const FLAGS_FILE: &str = "flags.toml";
/// The second opinion's weights, in [`EMERGENCY_DIR`].
pub const MODEL_FILE: &str = "model.tsv";
/// The largest data file the screen reads.
const MAX_FILE_BYTES: u64 = 1_000_000;

/// The shipped data, compiled in for [`EmergencyScreen::new`].
const SHIPPED_LEXICON: &str = include_str!("../../../faq/emergency/lexicon.tsv");
const SHIPPED_CONTEXT: &str = include_str!("../../../faq/emergency/context.toml");
const SHIPPED_FLAGS: &str = include_str!("../../../faq/emergency/flags.toml");
const SHIPPED_MODEL: &str = include_str!("../../../faq/emergency/model.tsv");

/// An emergency red flag the screen recognised (clinical-basis.md c.1, and a
/// stroke).
///
/// The variants are declared in the order the symptom check asks them
/// (clinical-basis.md section g, items 1 to 8), which is also the order of
/// seriousness the screen reports them in: [`EmergencyScreen::screen`]
/// returns its flags sorted by this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedFlag {
    /// Chest pain, pain on breathing in, sudden breathlessness or coughing up
    /// blood: a possible pulmonary embolism (rule E1).
    ChestPainOrBreathless,
    /// A leg or foot that has suddenly become painful and cold, pale or blue,
    /// numb or impossible to move: acute limb ischaemia (rule E2).
    SuddenColdPaleNumbLeg,
    /// New numbness or tingling around the bottom, genitals or between the
    /// legs: cauda equina syndrome (rule E3).
    SaddleNumbness,
    /// New problems starting, stopping, feeling or controlling peeing, or
    /// controlling or feeling the bowels: cauda equina syndrome (rule E3).
    BladderOrBowelChange,
    /// New weakness or numbness in both legs that is severe or getting worse,
    /// or sciatica in both legs: cauda equina syndrome (rule E3).
    BothLegsWeakOrNumb,
    /// A fever or feeling very unwell together with a red, hot or swollen
    /// leg: spreading infection or sepsis (rule E4).
    FeverWithSpreadingRedness,
    /// Severe pain with a very tight or rock-hard calf, especially after an
    /// injury or under a cast or bandage: acute compartment syndrome (rule E5).
    SevereTenseCalf,
    /// Sudden weakness or numbness down one side (face, arm or leg), a
    /// drooping face or slurred speech: a possible stroke (NHS: call 999).
    Stroke,
    /// No rule fired, but the words of the message are like those of the
    /// emergencies the screen was tuned on (the second opinion,
    /// `model.tsv`): recall first.
    Possible,
}

impl RedFlag {
    /// Every red flag, most serious first.
    pub const ALL: [RedFlag; 9] = [
        RedFlag::ChestPainOrBreathless,
        RedFlag::SuddenColdPaleNumbLeg,
        RedFlag::SaddleNumbness,
        RedFlag::BladderOrBowelChange,
        RedFlag::BothLegsWeakOrNumb,
        RedFlag::FeverWithSpreadingRedness,
        RedFlag::SevereTenseCalf,
        RedFlag::Stroke,
        RedFlag::Possible,
    ];

    /// The id used in `flags.toml` and JSON, e.g. "chest_pain_or_breathless".
    pub fn id(self) -> &'static str {
        match self {
            RedFlag::ChestPainOrBreathless => "chest_pain_or_breathless",
            RedFlag::SuddenColdPaleNumbLeg => "sudden_cold_pale_numb_leg",
            RedFlag::SaddleNumbness => "saddle_numbness",
            RedFlag::BladderOrBowelChange => "bladder_or_bowel_change",
            RedFlag::BothLegsWeakOrNumb => "both_legs_weak_or_numb",
            RedFlag::FeverWithSpreadingRedness => "fever_with_spreading_redness",
            RedFlag::SevereTenseCalf => "severe_tense_calf",
            RedFlag::Stroke => "stroke",
            RedFlag::Possible => "possible",
        }
    }

    /// The red flag with this id.
    pub fn from_id(id: &str) -> Option<RedFlag> {
        RedFlag::ALL.into_iter().find(|flag| flag.id() == id)
    }

    /// The symptom-check item id, e.g. "rf_chest_pain_or_breathless" (for
    /// FeverWithSpreadingRedness: "rf_fever_or_very_unwell", the item that
    /// rule E4 combines with spreading redness). A stroke has no item of the
    /// check: `None`.
    pub fn item_id(self) -> Option<&'static str> {
        match self {
            RedFlag::ChestPainOrBreathless => Some("rf_chest_pain_or_breathless"),
            RedFlag::SuddenColdPaleNumbLeg => Some("rf_sudden_cold_pale_numb_leg"),
            RedFlag::SaddleNumbness => Some("rf_saddle_numbness"),
            RedFlag::BladderOrBowelChange => Some("rf_bladder_or_bowel_change"),
            RedFlag::BothLegsWeakOrNumb => Some("rf_both_legs_weak_or_numb"),
            RedFlag::FeverWithSpreadingRedness => Some("rf_fever_or_very_unwell"),
            RedFlag::SevereTenseCalf => Some("rf_severe_pain_tense_calf"),
            RedFlag::Stroke | RedFlag::Possible => None,
        }
    }

    /// A short lay phrase for the reply, e.g. "sudden chest pain or
    /// breathlessness". It fits after "You mentioned ".
    pub fn lay_description(self) -> &'static str {
        match self {
            RedFlag::ChestPainOrBreathless => "sudden chest pain or breathlessness",
            RedFlag::SuddenColdPaleNumbLeg => {
                "a leg or foot that has suddenly gone cold, pale, numb or hard to move"
            }
            RedFlag::SaddleNumbness => {
                "new numbness around your bottom, genitals or between your legs"
            }
            RedFlag::BladderOrBowelChange => {
                "new problems controlling or feeling your bladder or bowels"
            }
            RedFlag::BothLegsWeakOrNumb => "new or worsening weakness or numbness in both legs",
            RedFlag::FeverWithSpreadingRedness => {
                "a fever or feeling very unwell with a red, hot or swollen leg"
            }
            RedFlag::SevereTenseCalf => "severe pain with a very tight or hard calf",
            RedFlag::Stroke => {
                "signs of a stroke (a drooping face, weakness down one side or slurred speech)"
            }
            RedFlag::Possible => "something that may need help straight away",
        }
    }
}

/// What the screen read in a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screening {
    /// The red flags the message describes as happening, most serious first.
    /// Any flag here means the emergency reply.
    pub flags: Vec<RedFlag>,
    /// Red flags the message only asks about ("what are the signs of a
    /// clot?"): the answer should show the emergency signs prominently.
    pub asked_about: Vec<RedFlag>,
    /// The message tells the writer's or a relative's own symptoms (a person
    /// and what they feel, in a sentence that is not a general question,
    /// with a story's marks: when, how long, what happened): the reply
    /// offers the symptom check.
    pub tells_symptoms: bool,
}

/// The screen: built once from its data files, then used for every message.
/// `Send + Sync`: it holds only immutable tables.
#[derive(Debug, Clone)]
pub struct EmergencyScreen {
    concepts: Concepts,
    lexicon: Lexicon,
    rules: Rules,
    model: model::Model,
}

impl EmergencyScreen {
    /// The screen built from the data shipped with this release (the
    /// project's `faq/emergency/`, compiled in). A running bot uses the
    /// FAQ folder's copy instead ([`EmergencyScreen::load_dir`]); this one
    /// serves tests and benchmarks. The shipped data is checked by a unit
    /// test, so it has no problems in a released build.
    pub fn new() -> Self {
        let sources = Sources {
            lexicon: (Path::new(LEXICON_FILE), SHIPPED_LEXICON),
            context: (Path::new(CONTEXT_FILE), SHIPPED_CONTEXT),
            flags: (Path::new(FLAGS_FILE), SHIPPED_FLAGS),
            model: (Path::new(MODEL_FILE), SHIPPED_MODEL),
        };
        let (screen, problems) = EmergencyScreen::build(&sources);
        for problem in &problems {
            tracing::error!(problem = %problem, "problem in the shipped emergency screen data");
        }
        screen.unwrap_or_else(EmergencyScreen::empty)
    }

    /// A screen that knows nothing (only if the shipped data were broken,
    /// which a unit test rules out).
    fn empty() -> Self {
        EmergencyScreen {
            concepts: Concepts::default(),
            model: model::Model::default(),
            lexicon: Lexicon::default(),
            rules: Rules {
                body: Default::default(),
                second_opinion_needs: Default::default(),
                second_opinion_quiet: Default::default(),
                second_opinion_unless: Default::default(),
                no_typos: Default::default(),
                always_calm: Default::default(),
                calm_reach_default: 0,
                calm_reach: Vec::new(),
                max_calm_reach: 0,
                calm_forward_only: Default::default(),
                calm_about_others: Default::default(),
                writer: Default::default(),
                modifiers: Vec::new(),
                derives: Vec::new(),
                sentences: Default::default(),
                history_past: Default::default(),
                history_present: Default::default(),
                history_exempt: Default::default(),
                history_closed: Default::default(),
                history_narrative: Default::default(),
                history_narrative_blockers: Default::default(),
                story: Default::default(),
                fever_reading: Concepts::default()
                    .intern("fever_reading")
                    .unwrap_or_else(|| unreachable!("an empty interner has room")),
                year: Concepts::default()
                    .intern("year")
                    .unwrap_or_else(|| unreachable!("an empty interner has room")),
                flags: Vec::new(),
            },
        }
    }

    /// Loads the screen from `faq_dir/emergency/`: every problem in any of
    /// its three files, with file, line and column, or the screen. A FAQ
    /// folder without an `emergency/` folder gets the data shipped with this
    /// release ([`EmergencyScreen::new`]): the screen is never absent, and a
    /// server that keeps its own FAQ folder gets each release's screen until
    /// it copies the folder to change it.
    pub fn load_dir(faq_dir: &Path) -> Result<EmergencyScreen, Vec<Problem>> {
        let dir = faq_dir.join(EMERGENCY_DIR);
        if !dir.exists() {
            return Ok(EmergencyScreen::new());
        }
        let mut problems = Vec::new();
        let mut read = |name: &str| -> (PathBuf, Option<String>) {
            let path = dir.join(name);
            let text = crate::files::read_text_in(faq_dir, &path, MAX_FILE_BYTES, &mut problems);
            (path, text)
        };
        let (lexicon_path, lexicon) = read(LEXICON_FILE);
        let (context_path, context) = read(CONTEXT_FILE);
        let (flags_path, flags) = read(FLAGS_FILE);
        let (model_path, model) = read(MODEL_FILE);
        let (Some(lexicon), Some(context), Some(flags), Some(model)) =
            (lexicon, context, flags, model)
        else {
            return Err(problems);
        };
        let sources = Sources {
            lexicon: (&lexicon_path, &lexicon),
            context: (&context_path, &context),
            flags: (&flags_path, &flags),
            model: (&model_path, &model),
        };
        let (screen, mut found) = EmergencyScreen::build(&sources);
        problems.append(&mut found);
        match screen {
            Some(screen) if problems.is_empty() => Ok(screen),
            _ => Err(problems),
        }
    }

    /// Builds a screen from the three files' texts; returns it (when the
    /// files could be read at all) and every problem.
    fn build(sources: &Sources<'_>) -> (Option<EmergencyScreen>, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut concepts = Concepts::default();
        let lines = lexicon::read_lines(
            sources.lexicon.0,
            sources.lexicon.1,
            &mut concepts,
            &mut problems,
        );
        let Some((rules, used)) = rules::read(sources, &mut concepts, &mut problems) else {
            return (None, problems);
        };
        unused_concepts(sources, &lines, &concepts, &used, &mut problems);
        let mut lexicon = Lexicon::build(&lines, rules.no_typos);
        let (model, mut found) = model::Model::parse(sources.model.0, sources.model.1);
        problems.append(&mut found);
        lexicon.remember_fallbacks(model.vocabulary());
        (
            Some(EmergencyScreen {
                concepts,
                lexicon,
                rules,
                model,
            }),
            problems,
        )
    }

    /// The red flags the message describes, most serious first; empty when
    /// none. Never panics, on any input (empty, 100,000 characters, emoji
    /// only, zalgo, right-to-left text, other languages, code blocks).
    pub fn screen(&self, message: &str) -> Vec<RedFlag> {
        self.read(message).flags
    }

    /// What the message describes and what it only asks about.
    pub fn read(&self, message: &str) -> Screening {
        let mut analysis = Analysis::new(&self.lexicon, &self.rules, message);
        let mut flags = self.flags(&analysis);
        // The second opinion only adds an alarm the rules did not raise, and
        // only on a message about a body that is not told as long-standing.
        if flags.is_empty()
            && analysis.about_a_body()
            && !analysis.long_standing()
            && self.model.alarms(&analysis.plain)
        {
            flags.push(RedFlag::Possible);
        }
        let asked_about = if flags.is_empty() && analysis.has_informational() {
            analysis.set_mode(Mode::Everything);
            self.flags(&analysis)
        } else {
            Vec::new()
        };
        tracing::debug!(
            n_words = analysis.words.len(),
            flags = ?flags,
            asked_about = ?asked_about,
            "emergency screen ran"
        );
        let tells_symptoms = analysis.tells_symptoms();
        Screening {
            flags,
            asked_about,
            tells_symptoms,
        }
    }

    /// How the screen read `message`, for people who review its data: each
    /// word with its concepts (`~` marks a word inside a negation or "if",
    /// `?` a word of a sentence that asks for information), then the flags.
    pub fn explain(&self, message: &str) -> String {
        let analysis = Analysis::new(&self.lexicon, &self.rules, message);
        let mut out = String::new();
        for line in analysis.describe() {
            let names: Vec<&str> = line
                .concepts
                .iter()
                .map(|id| self.concepts.name(id))
                .collect();
            let marks = format!(
                "{}{}",
                if line.scoped { "~" } else { "" },
                if line.informational { "?" } else { "" }
            );
            out.push_str(&format!(
                "{:>3} {:>2} {:<16} {}\n",
                line.sentence,
                marks,
                line.text,
                names.join(", ")
            ));
        }
        let screening = self.read(message);
        out.push_str(&format!(
            "flags: {:?}\nasked about: {:?}\nsecond opinion (log-odds): {:.2}\n",
            screening.flags,
            screening.asked_about,
            self.model.score(message)
        ));
        out
    }

    fn flags(&self, analysis: &Analysis<'_>) -> Vec<RedFlag> {
        self.rules
            .flags
            .iter()
            .filter(|(_, patterns)| patterns.iter().any(|p| analysis.pattern_holds(p)))
            .map(|(flag, _)| *flag)
            .collect()
    }
}

impl Default for EmergencyScreen {
    fn default() -> Self {
        Self::new()
    }
}

/// Reports each lexicon concept that no rule uses (most often a misspelt
/// concept name), at its first line.
fn unused_concepts(
    sources: &Sources<'_>,
    lines: &[lexicon::LexiconLine],
    concepts: &Concepts,
    used: &HashSet<lexicon::ConceptId>,
    problems: &mut Vec<Problem>,
) {
    let mut reported = HashSet::new();
    for line in lines {
        for id in line.concepts.iter() {
            if !used.contains(&id) && reported.insert(id) {
                problems.push(Problem {
                    path: sources.lexicon.0.to_path_buf(),
                    line: line.line,
                    column: 1,
                    message: format!(
                        "concept `{}` is not used by context.toml or flags.toml (a misspelt \
                         name?)",
                        concepts.name(id)
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(message: &str) -> Vec<RedFlag> {
        EmergencyScreen::new().screen(message)
    }

    #[test]
    fn shipped_data_has_no_problems() {
        let sources = Sources {
            lexicon: (Path::new(LEXICON_FILE), SHIPPED_LEXICON),
            context: (Path::new(CONTEXT_FILE), SHIPPED_CONTEXT),
            flags: (Path::new(FLAGS_FILE), SHIPPED_FLAGS),
            model: (Path::new(MODEL_FILE), SHIPPED_MODEL),
        };
        let (screen, problems) = EmergencyScreen::build(&sources);
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(screen.is_some_and(|screen| screen.lexicon.n_first_words() > 300));
    }

    #[test]
    fn each_flag_fires_on_a_plain_example() {
        let examples = [
            ("i have chest pain", RedFlag::ChestPainOrBreathless),
            (
                "my foot suddenly went cold and white",
                RedFlag::SuddenColdPaleNumbLeg,
            ),
            ("my bum has gone numb", RedFlag::SaddleNumbness),
            (
                "i cant pee since this morning",
                RedFlag::BladderOrBowelChange,
            ),
            (
                "both my legs suddenly went weak",
                RedFlag::BothLegsWeakOrNumb,
            ),
            (
                "my leg is red and hot and i have a fever",
                RedFlag::FeverWithSpreadingRedness,
            ),
            (
                "my calf is rock hard and the pain is unbearable",
                RedFlag::SevereTenseCalf,
            ),
            ("my dads face is drooping on one side", RedFlag::Stroke),
        ];
        for (message, flag) in examples {
            assert_eq!(live(message).first(), Some(&flag), "{message}");
        }
    }

    #[test]
    fn a_question_about_the_signs_is_asked_about_not_told() {
        let screen = EmergencyScreen::new();
        let read = screen.read("what are the signs of a blood clot in the lungs? chest pain?");
        assert!(read.flags.is_empty());
        assert_eq!(read.asked_about, vec![RedFlag::ChestPainOrBreathless]);
        let told = screen.read("is it bad that my chest hurts when i breathe in?");
        assert_eq!(told.flags, vec![RedFlag::ChestPainOrBreathless]);
    }

    #[test]
    fn flags_round_trip_their_ids() {
        for flag in RedFlag::ALL {
            assert_eq!(RedFlag::from_id(flag.id()), Some(flag));
            let json = serde_json::to_value(flag).ok();
            assert_eq!(json.as_ref().and_then(|v| v.as_str()), Some(flag.id()));
            assert!(!flag.lay_description().is_empty());
        }
        assert_eq!(
            RedFlag::FeverWithSpreadingRedness.item_id(),
            Some("rf_fever_or_very_unwell")
        );
        assert_eq!(RedFlag::Stroke.item_id(), None);
    }
}
