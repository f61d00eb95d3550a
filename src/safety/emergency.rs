//! The emergency screen: does a chat message describe an emergency red flag?
//!
//! Every message goes through [`EmergencyScreen::screen`] before anything
//! else (design.md, "How a message flows"). When it returns any
//! [`RedFlag`], the person gets the emergency reply (call the emergency
//! number now) and nothing else first. The red flags are the emergency level
//! of clinical-basis.md section c.1 (rules E1 to E5 of c.2).
//!
//! # How matching works
//!
//! People tell emergencies as stories, with typos and lay words, so the screen
//! matches *combinations of concepts* near each other, never one exact
//! sentence:
//!
//! 1. **Split and clean.** The message (at most [`text::MAX_INPUT_CHARS`]
//!    characters) is split into sentences (remembering which ended in `?`,
//!    and keeping decimals such as "38.9" whole), the sentences into clauses
//!    at commas, colons, brackets and dashes, and each clause is cleaned with
//!    [`text::clean`]. Code, links and Discord mentions are removed first so
//!    that their dots never split a sentence.
//! 2. **Concepts.** Each word or phrase is looked up in a lexicon, the data
//!    file `emergency_lexicon.tsv` beside this module: "bum", "groin" and
//!    "down there" are `saddle`; "short of breath" and "cant catch my breath"
//!    are `breathless`; "out of the blue" is a `sudden` time marker. The
//!    longest phrase wins. Listed misspellings ("pian", "swolen") are phrases
//!    of their own; other words of 7 letters or more match a symptom or body
//!    word with the same first letter one typing slip away (a missing, extra
//!    or swapped letter, or a neighbouring key; two slips for words of 10 or
//!    more), so "breathles", "numbess" and "temprature" are understood but
//!    "shaving" is not "shaking". Calm-context words are never typo targets.
//! 3. **Derived concepts.** A few concepts are built from two: "cant" or
//!    "unable to" followed by "move" is `cant_move`, by "feel" is `numb`, by
//!    "pee" a bladder problem; "chest" near "pain" or "tight" is chest pain;
//!    "temp" is a fever only as "a temp", "high temp" or with a number of 38
//!    or more (100 or more in Fahrenheit).
//! 4. **What does not count.** A concept does not count when it is
//!    * negated: within six words after "no", "not", "without", "never",
//!      "isnt"... in the same clause, stopping at "but", "just", a time
//!      marker or a new subject ("my", "she"), so "no chest pain or
//!      breathlessness, just an achy calf" is calm;
//!    * hypothetical: after "if", "whether", "in case" up to the end of the
//!      clause or a new subject, so "call 999 if you cant pee" is calm;
//!    * informational: in a sentence that asks for information ("is chest
//!      pain a symptom of DVT?", "what are the signs of a clot") and has no
//!      personal marker (no "my", "I", "she", "mum", no "today" or "an hour
//!      ago"). A question with a personal marker ("is it normal that my foot
//!      went white an hour ago?") is a person describing themselves and does
//!      count: there we err towards the alarm.
//! 5. **Rules.** One function per red flag combines the live concepts within
//!    a short window of words (sentences are kept apart by a gap), for
//!    example a leg or foot with two of cold / pale / numb / can't move, or
//!    one of them with "suddenly" or severe pain. Calm context in the same
//!    clause (always, usually, "in winter", after the gym, on long walks, for
//!    years, "a bit", cross-legged, bike rides, a pet) blocks a weak match,
//!    and "suddenly", severe pain or an injury overrides that block (never a
//!    pet) where the clinical sign is about onset and severity.
//!
//! The screen is deliberately conservative about calm chronic, exertional and
//! informational talk, and deliberately eager about anything told as
//! happening now. It understands English only; other languages give no
//! match (the emergency questions of the symptom check still follow).
//!
//! Cost is linear in the message length with small windows: a few
//! microseconds for a chat message, bounded for a pasted essay because the
//! input is cut at [`text::MAX_INPUT_CHARS`] characters. Message text is
//! never logged.

use std::collections::HashMap;

use serde::Serialize;

use crate::text;

/// The lexicon of phrases and concepts, kept as data so that a clinician can
/// review and extend it without reading Rust.
const LEXICON_SOURCE: &str = include_str!("emergency_lexicon.tsv");

/// An emergency red flag the screen recognised (clinical-basis.md c.1).
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
}

impl RedFlag {
    /// Every red flag, most serious first.
    pub const ALL: [RedFlag; 7] = [
        RedFlag::ChestPainOrBreathless,
        RedFlag::SuddenColdPaleNumbLeg,
        RedFlag::SaddleNumbness,
        RedFlag::BladderOrBowelChange,
        RedFlag::BothLegsWeakOrNumb,
        RedFlag::FeverWithSpreadingRedness,
        RedFlag::SevereTenseCalf,
    ];

    /// The symptom-check item id, e.g. "rf_chest_pain_or_breathless" (for
    /// FeverWithSpreadingRedness: "rf_fever_or_very_unwell", the item that
    /// rule E4 combines with spreading redness).
    pub fn item_id(self) -> &'static str {
        match self {
            RedFlag::ChestPainOrBreathless => "rf_chest_pain_or_breathless",
            RedFlag::SuddenColdPaleNumbLeg => "rf_sudden_cold_pale_numb_leg",
            RedFlag::SaddleNumbness => "rf_saddle_numbness",
            RedFlag::BladderOrBowelChange => "rf_bladder_or_bowel_change",
            RedFlag::BothLegsWeakOrNumb => "rf_both_legs_weak_or_numb",
            RedFlag::FeverWithSpreadingRedness => "rf_fever_or_very_unwell",
            RedFlag::SevereTenseCalf => "rf_severe_pain_tense_calf",
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
        }
    }
}

/// The screen: built once (patterns prepared up front), then used for every
/// message. `Send + Sync`: it holds only immutable tables.
#[derive(Debug, Clone)]
pub struct EmergencyScreen {
    lexicon: Lexicon,
}

impl EmergencyScreen {
    /// Builds the screen from the lexicon compiled into the binary.
    ///
    /// The lexicon is checked by a unit test, so it has no problems in a
    /// released build; a bad line would be skipped and reported with
    /// `tracing::warn!` rather than taking the bot down.
    pub fn new() -> Self {
        let (lexicon, problems) = Lexicon::parse(LEXICON_SOURCE);
        for problem in &problems {
            tracing::warn!(problem = %problem, "emergency lexicon line skipped");
        }
        EmergencyScreen { lexicon }
    }

    /// The red flags the message describes, most serious first; empty when
    /// none. Never panics, on any input (empty, 100,000 characters, emoji
    /// only, zalgo, right-to-left text, other languages, code blocks).
    pub fn screen(&self, message: &str) -> Vec<RedFlag> {
        let analysis = Analysis::new(&self.lexicon, message);
        let mut flags = Vec::new();
        if analysis.chest_pain_or_breathless() {
            flags.push(RedFlag::ChestPainOrBreathless);
        }
        if analysis.sudden_cold_pale_numb_leg() {
            flags.push(RedFlag::SuddenColdPaleNumbLeg);
        }
        if analysis.saddle_numbness() {
            flags.push(RedFlag::SaddleNumbness);
        }
        if analysis.bladder_or_bowel_change() {
            flags.push(RedFlag::BladderOrBowelChange);
        }
        if analysis.both_legs_weak_or_numb() {
            flags.push(RedFlag::BothLegsWeakOrNumb);
        }
        if analysis.fever_with_spreading_redness() {
            flags.push(RedFlag::FeverWithSpreadingRedness);
        }
        if analysis.severe_tense_calf() {
            flags.push(RedFlag::SevereTenseCalf);
        }
        tracing::debug!(
            n_words = analysis.words.len(),
            flags = ?flags,
            "emergency screen ran"
        );
        flags
    }
}

impl Default for EmergencyScreen {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------------
// Concepts

/// Declares the concept enum together with its lexicon names.
macro_rules! concepts {
    ($($variant:ident => $name:literal,)*) => {
        /// A meaning a word or phrase carries, as named in the lexicon file.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        enum Concept {
            $($variant,)*
        }

        impl Concept {
            /// Every concept, in declaration order.
            const ALL: &'static [Concept] = &[$(Concept::$variant,)*];

            /// The name used in the lexicon file.
            fn name(self) -> &'static str {
                match self {
                    $(Concept::$variant => $name,)*
                }
            }
        }
    };
}

concepts! {
    // Body parts.
    LimbOne => "limb_one",
    LimbMany => "limb_many",
    Legs => "legs",
    Both => "both",
    Chest => "chest",
    Saddle => "saddle",
    Wipe => "wipe",
    Bladder => "bladder",
    Bowel => "bowel",
    // Signs and symptoms.
    Pain => "pain",
    Tight => "tight",
    Tense => "tense",
    Breathless => "breathless",
    BreatheIn => "breathe_in",
    BreatheVerb => "breathe_verb",
    CatchVerb => "catch_verb",
    Cough => "cough",
    Blood => "blood",
    Cold => "cold",
    Pale => "pale",
    Numb => "numb",
    Tingle => "tingle",
    Odd => "odd",
    FeelVerb => "feel_verb",
    MoveVerb => "move_verb",
    WalkVerb => "walk_verb",
    HoldVerb => "hold_verb",
    StopVerb => "stop_verb",
    TellVerb => "tell_verb",
    SleepVerb => "sleep_verb",
    Pulseless => "pulseless",
    Inability => "inability",
    Weak => "weak",
    WeakStrong => "weak_strong",
    Sciatica => "sciatica",
    Fever => "fever",
    TempWord => "temp_word",
    Unwell => "unwell",
    Red => "red",
    Swollen => "swollen",
    Infection => "infection",
    Cellulitis => "cellulitis",
    Severe => "severe",
    Painkiller => "painkiller",
    Progression => "progression",
    Injury => "injury",
    Problem => "problem",
    BladderStrong => "bladder_strong",
    // Time and course.
    Sudden => "sudden",
    Recent => "recent",
    Rest => "rest",
    Event => "event",
    Past => "past",
    Improving => "improving",
    // Calm context that blocks a weak match.
    Recurring => "recurring",
    RecurringVerb => "recurring_verb",
    Exertion => "exertion",
    Gym => "gym",
    Posture => "posture",
    StandingUp => "standing_up",
    Cycling => "cycling",
    Weather => "weather",
    Mild => "mild",
    Chronic => "chronic",
    Nose => "nose",
    Laughing => "laughing",
    BenignBladder => "benign_bladder",
    Animal => "animal",
    // Grammar.
    Negator => "negator",
    Hedge => "hedge",
    Stopper => "stopper",
    Breaker => "breaker",
    Hypothetical => "hypothetical",
    InfoMarker => "info_marker",
    // Built from two concepts (see `Analysis::derive`).
    CantMove => "cant_move",
    ChestPain => "chest_pain",
    Pleuritic => "pleuritic",
    CoughBlood => "cough_blood",
    FeelDifferent => "feel_different",
}

impl Concept {
    /// Looks a concept up by its lexicon name.
    fn from_name(name: &str) -> Option<Concept> {
        Concept::ALL
            .iter()
            .copied()
            .find(|concept| concept.name() == name)
    }
}

/// A set of concepts (a bit set; there are fewer than 128 concepts).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Concepts(u128);

impl Concepts {
    const EMPTY: Concepts = Concepts(0);

    /// The set of the given concepts; usable in constants.
    const fn of(concepts: &[Concept]) -> Concepts {
        let mut bits = 0u128;
        let mut index = 0;
        while index < concepts.len() {
            bits |= 1u128 << (concepts[index] as u32);
            index += 1;
        }
        Concepts(bits)
    }

    fn has(self, concept: Concept) -> bool {
        self.0 & (1u128 << (concept as u32)) != 0
    }

    fn intersects(self, other: Concepts) -> bool {
        self.0 & other.0 != 0
    }

    fn insert(&mut self, concept: Concept) {
        self.0 |= 1u128 << (concept as u32);
    }

    fn remove(&mut self, other: Concepts) {
        self.0 &= !other.0;
    }

    fn union(self, other: Concepts) -> Concepts {
        Concepts(self.0 | other.0)
    }
}

use Concept as C;

/// Body parts: negation and hypothesis do not apply to them ("no pain in my
/// leg" negates the pain, the leg is still a leg).
const BODY: Concepts = Concepts::of(&[
    C::LimbOne,
    C::LimbMany,
    C::Legs,
    C::Both,
    C::Chest,
    C::Saddle,
    C::Wipe,
    C::Bladder,
    C::Bowel,
]);
/// Concepts a misspelling never matches: a typo must not create a negation
/// or a question, and a real word one slip away from calm context
/// ("showing" and "snowing", "setting" and "settling") must not silence a
/// real alarm.
const NOT_FOR_TYPOS: Concepts = Concepts::of(&[
    C::Negator,
    C::Hedge,
    C::Stopper,
    C::Breaker,
    C::Hypothetical,
    C::InfoMarker,
    C::RecurringVerb,
    C::Past,
    C::Improving,
    C::Recurring,
    C::Exertion,
    C::Gym,
    C::Posture,
    C::StandingUp,
    C::Cycling,
    C::Weather,
    C::Mild,
    C::Chronic,
    C::Nose,
    C::Laughing,
    C::BenignBladder,
    C::Animal,
]);
/// Any leg part, singular or plural.
const ANY_LIMB: Concepts = Concepts::of(&[C::LimbOne, C::LimbMany, C::Legs]);
/// Signs of acute limb ischaemia (the "6 Ps" a person can report).
const ISCHAEMIA_SIGNS: [Concept; 5] = [C::Cold, C::Pale, C::Numb, C::CantMove, C::Pulseless];
/// Signs that can follow "go", "turn" or "get" to describe a recurring change
/// ("my toes go white in the cold").
const CHANGE_SIGNS: Concepts = Concepts::of(&[
    C::Cold,
    C::Pale,
    C::Numb,
    C::Tingle,
    C::Weak,
    C::Tense,
    C::Tight,
    C::Red,
    C::Swollen,
    C::Breathless,
    C::Pain,
]);

/// Calm context for breathlessness: exertion, habit, a cold, laughing.
const BREATH_BLOCKERS: Concepts = Concepts::of(&[
    C::Exertion,
    C::Gym,
    C::Recurring,
    C::Mild,
    C::Nose,
    C::Laughing,
    C::Past,
    C::Improving,
    C::Chronic,
    C::Animal,
]);
/// Calm context for chest pain: the gym, the past, getting better.
const CHEST_BLOCKERS: Concepts = Concepts::of(&[C::Gym, C::Past, C::Improving, C::Animal]);
/// Calm context for a cold, pale or numb limb.
const LIMB_BLOCKERS: Concepts = Concepts::of(&[
    C::Recurring,
    C::Exertion,
    C::Posture,
    C::Weather,
    C::Mild,
    C::Chronic,
    C::Past,
    C::Improving,
    C::Gym,
    C::Cycling,
    C::Animal,
]);
/// Calm context for saddle numbness: bikes, long sitting, habit.
const SADDLE_BLOCKERS: Concepts = Concepts::of(&[
    C::Cycling,
    C::Posture,
    C::Recurring,
    C::Past,
    C::Improving,
    C::Chronic,
    C::Animal,
]);
/// Calm context for bladder talk: known benign causes, habit, mildness.
const BLADDER_BLOCKERS: Concepts = Concepts::of(&[
    C::BenignBladder,
    C::Chronic,
    C::Recurring,
    C::Mild,
    C::Past,
    C::Improving,
    C::Animal,
]);
/// Calm context for weak or numb legs: gym, walking, posture, habit.
const BOTH_LEGS_BLOCKERS: Concepts = Concepts::of(&[
    C::Gym,
    C::Exertion,
    C::Posture,
    C::Recurring,
    C::Chronic,
    C::Past,
    C::Improving,
    C::Mild,
    C::Animal,
]);
/// Calm context for fever or feeling unwell.
const FEVER_BLOCKERS: Concepts = Concepts::of(&[
    C::Past,
    C::Improving,
    C::Recurring,
    C::Mild,
    C::Posture,
    C::StandingUp,
    C::Chronic,
    C::Animal,
]);
/// Calm context for a red or swollen leg.
const INFECTION_BLOCKERS: Concepts = Concepts::of(&[
    C::Past,
    C::Improving,
    C::Recurring,
    C::Chronic,
    C::Mild,
    C::Animal,
]);
/// Calm context for a tight or hard calf (unless there was an injury).
const CALF_BLOCKERS: Concepts = Concepts::of(&[
    C::Gym,
    C::Exertion,
    C::Recurring,
    C::Past,
    C::Improving,
    C::Mild,
    C::Animal,
]);

/// How far (in words) a negation reaches.
const NEGATION_REACH: usize = 6;
/// How far (in words) from a leg or foot a sign of ischaemia is looked for:
/// far enough for "his leg has gone a mottled bluish colour since lunch and
/// its cold to touch".
const LIMB_SIGN_REACH: usize = 12;
/// How far (in words) a sign is looked for around "legs", "both" or the calf
/// in rules E3 (both legs) and E5 (tense calf): "the numbness has spread
/// from one leg to both legs", "the pain in my leg under the plaster is
/// unbearable, it feels so tight".
const LEG_REACH: usize = 10;
/// How far (in words) "a bit", "slightly" or "mild" softens a sign.
const MILD_REACH: usize = 3;
/// How far (in words) a calm-context word blocks a sign in its clause.
const BLOCKER_REACH: usize = 8;
/// The gap (in word positions) between two sentences, so that a window of a
/// few words rarely joins the end of one sentence to the start of the next.
const SENTENCE_GAP: usize = 3;

/// Words that show the message is about a real person, used to tell a
/// personal question from an informational one ("i" is handled apart).
#[rustfmt::skip]
const PERSONAL_WORDS: &[&str] = &[
    "my", "mine", "myself", "me", "im", "ive", "id", "our", "ours", "we", "us", "his", "him",
    "himself", "he", "hes", "her", "hers", "herself", "she", "shes", "they", "their", "them",
    "theyre", "mum", "mums", "mom", "moms", "mother", "dad", "dads", "father", "husband",
    "husbands", "wife", "wifes", "son", "sons", "daughter", "daughters", "partner", "partners",
    "boyfriend", "girlfriend", "nan", "nans", "nana", "gran", "granny", "grandma", "grandmas",
    "grandad", "grandads", "grandpa", "grandfather", "grandmother", "brother", "sister", "friend",
    "aunt", "uncle", "baby", "kid", "child", "hubby", "missus", "fiance", "fiancee", "bf", "gf",
    "flatmate", "roommate", "colleague", "neighbour", "neighbor",
];
/// Words after which "i" is part of a question about what to do ("when
/// should i call"), not a person describing a symptom.
#[rustfmt::skip]
const GENERIC_I_BEFORE: &[&str] = &[
    "should", "do", "can", "could", "would", "will", "shall", "must", "may", "might", "did", "if",
    "when", "how", "where", "what", "whether",
];
/// Words a question starts with.
#[rustfmt::skip]
const INTERROGATIVES: &[&str] = &[
    "is", "are", "can", "could", "does", "do", "did", "what", "whats", "when", "why", "how",
    "hows", "should", "would", "will", "which", "who", "where", "wheres", "anyone", "any",
];
/// Words skipped before looking for a question word ("hi, what is ...").
#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "hi", "hello", "hey", "hiya", "ok", "okay", "so", "um", "uh", "also", "and", "but", "quick",
    "question", "just", "guys", "all", "everyone", "folks", "please", "pls", "plz", "sorry",
    "thanks", "hmm", "well", "right", "yo", "wondering", "curious", "q",
];

// ---------------------------------------------------------------------------
// Lexicon

/// One lexicon phrase after its first word.
#[derive(Debug, Clone)]
struct Phrase {
    /// The words after the first.
    rest: Vec<String>,
    /// What the phrase means.
    concepts: Concepts,
}

/// The phrase tables, prepared once.
#[derive(Clone, Default)]
struct Lexicon {
    /// Phrases by their first word, longest first.
    by_first_word: HashMap<String, Vec<Phrase>>,
    /// Single-word entries that a misspelling may match, by first letter.
    fuzzy_targets: HashMap<char, Vec<(String, Concepts)>>,
}

impl std::fmt::Debug for Lexicon {
    /// A summary: the tables themselves are a thousand lines of data.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n_phrases: usize = self.by_first_word.values().map(Vec::len).sum();
        formatter
            .debug_struct("Lexicon")
            .field("n_phrases", &n_phrases)
            .finish_non_exhaustive()
    }
}

impl Lexicon {
    /// Parses the lexicon file. Returns the lexicon and one message per line
    /// that could not be used (the line is skipped).
    fn parse(source: &str) -> (Lexicon, Vec<String>) {
        let mut problems = Vec::new();
        let mut merged: Vec<(Vec<String>, Concepts)> = Vec::new();
        let mut index_of: HashMap<String, usize> = HashMap::new();
        for (line_index, line) in source.lines().enumerate() {
            let line_number = line_index + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some((names, phrase)) = trimmed.split_once('\t') else {
                problems.push(format!("line {line_number}: expected concept<TAB>phrase"));
                continue;
            };
            let mut concepts = Concepts::EMPTY;
            let mut unknown = false;
            for name in names.split(',').map(str::trim) {
                match Concept::from_name(name) {
                    Some(concept) => concepts.insert(concept),
                    None => {
                        problems.push(format!("line {line_number}: unknown concept {name:?}"));
                        unknown = true;
                    }
                }
            }
            if unknown {
                continue;
            }
            let cleaned = text::clean(phrase);
            if cleaned != phrase.trim() {
                problems.push(format!(
                    "line {line_number}: phrase {phrase:?} is not in cleaned form (expected {cleaned:?})"
                ));
                continue;
            }
            match index_of.get(&cleaned) {
                Some(&index) => {
                    if let Some(entry) = merged.get_mut(index) {
                        entry.1 = entry.1.union(concepts);
                    }
                }
                None => {
                    index_of.insert(cleaned.clone(), merged.len());
                    merged.push((cleaned.split(' ').map(str::to_owned).collect(), concepts));
                }
            }
        }

        let mut lexicon = Lexicon::default();
        for (words, concepts) in merged {
            let Some((first, rest)) = words.split_first() else {
                continue;
            };
            if rest.is_empty()
                && first.chars().count() >= 6
                && !concepts.intersects(NOT_FOR_TYPOS)
                && let Some(initial) = first.chars().next()
            {
                lexicon
                    .fuzzy_targets
                    .entry(initial)
                    .or_default()
                    .push((first.clone(), concepts));
            }
            lexicon
                .by_first_word
                .entry(first.clone())
                .or_default()
                .push(Phrase {
                    rest: rest.to_vec(),
                    concepts,
                });
        }
        for phrases in lexicon.by_first_word.values_mut() {
            phrases.sort_by_key(|phrase| std::cmp::Reverse(phrase.rest.len()));
        }
        (lexicon, problems)
    }

    /// The longest phrase starting at `words[0]`: its length in words and its
    /// concepts. Falls back to a misspelling match for a long single word.
    fn longest_match(&self, words: &[String]) -> Option<(usize, Concepts)> {
        let first = words.first()?;
        if let Some(phrases) = self.by_first_word.get(first) {
            for phrase in phrases {
                let after = words.get(1..=phrase.rest.len());
                if after.is_some_and(|after| after == phrase.rest.as_slice()) {
                    return Some((1 + phrase.rest.len(), phrase.concepts));
                }
            }
        }
        self.fuzzy_match(first).map(|concepts| (1, concepts))
    }

    /// Concepts of the lexicon word a misspelling most likely meant: same
    /// first letter, [`typo_distance`] 1 (2 when both words have 10 or more
    /// letters). Only words of 7 letters or more are tried, so short everyday
    /// words are never "corrected" into symptoms, and a replaced letter must
    /// be a neighbouring key, so "shaving" does not become "shaking".
    fn fuzzy_match(&self, word: &str) -> Option<Concepts> {
        let length = word.chars().count();
        if length < 7 || !word.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let initial = word.chars().next()?;
        let targets = self.fuzzy_targets.get(&initial)?;
        let mut best: Option<(usize, Concepts)> = None;
        for (target, concepts) in targets {
            let target_length = target.chars().count();
            let allowed = if length >= 10 && target_length >= 10 {
                2
            } else {
                1
            };
            if length.abs_diff(target_length) > allowed {
                continue;
            }
            let distance = typo_distance(word.as_bytes(), target.as_bytes());
            if distance <= allowed && best.is_none_or(|(best_distance, _)| distance < best_distance)
            {
                best = Some((distance, *concepts));
            }
        }
        best.map(|(_, concepts)| concepts)
    }
}

// ---------------------------------------------------------------------------
// Analysis of one message

/// One cleaned word of the message with what it means and where it is.
#[derive(Debug, Clone)]
struct Word {
    /// The cleaned word.
    text: String,
    /// The concepts of the phrase that starts at this word (empty for the
    /// later words of a phrase).
    concepts: Concepts,
    /// How many words the phrase starting here spans (0 for the later
    /// words of a phrase).
    span: usize,
    /// Index of the sentence.
    sentence: usize,
    /// Index of the clause (unique across the message).
    clause: usize,
    /// Position used for windows: the word index plus a gap per sentence.
    position: usize,
    /// Inside the reach of a negation.
    negated: bool,
    /// Inside an "if" or "whether" clause.
    hypothetical: bool,
}

/// One sentence of the raw message.
#[derive(Debug, Clone, Copy)]
struct Sentence<'a> {
    /// The raw text, without its final punctuation.
    text: &'a str,
    /// Whether it ended with a question mark.
    question: bool,
}

/// The words of a message with their concepts and flags, and the rules that
/// read them.
#[derive(Debug)]
struct Analysis {
    words: Vec<Word>,
    /// Per sentence: asks for information rather than describing a person.
    informational: Vec<bool>,
}

impl Analysis {
    /// Splits, cleans, tags and flags the message.
    fn new(lexicon: &Lexicon, message: &str) -> Analysis {
        let bounded = match message.char_indices().nth(text::MAX_INPUT_CHARS) {
            Some((end, _)) => message.get(..end).unwrap_or(message),
            None => message,
        };
        let mut analysis = Analysis {
            words: Vec::new(),
            informational: Vec::new(),
        };
        // Code, links and mentions go before splitting, so that
        // "example.com/chest-pain" is not cut at its dot into words.
        let plain = crate::text::without_markup(bounded);
        let mut clause = 0;
        let mut previous_informational = false;
        for (sentence_index, sentence) in split_sentences(&plain).into_iter().enumerate() {
            let start = analysis.words.len();
            for raw_clause in sentence
                .text
                .split([',', ':', '(', ')', '[', ']', '–', '—'])
            {
                let cleaned = text::clean(raw_clause);
                let words: Vec<String> = cleaned
                    .split(' ')
                    .filter(|word| !word.is_empty())
                    .map(str::to_owned)
                    .collect();
                if words.is_empty() {
                    continue;
                }
                clause += 1;
                let mut index = 0;
                while index < words.len() {
                    let (length, concepts) = lexicon
                        .longest_match(words.get(index..).unwrap_or_default())
                        .unwrap_or((1, Concepts::EMPTY));
                    if concepts.has(C::Breaker) {
                        clause += 1;
                    }
                    for offset in 0..length {
                        let Some(word) = words.get(index + offset) else {
                            break;
                        };
                        let word_index = analysis.words.len();
                        analysis.words.push(Word {
                            text: word.clone(),
                            concepts: if offset == 0 {
                                concepts
                            } else {
                                Concepts::EMPTY
                            },
                            span: if offset == 0 { length } else { 0 },
                            sentence: sentence_index,
                            clause,
                            position: word_index + sentence_index * SENTENCE_GAP,
                            negated: false,
                            hypothetical: false,
                        });
                    }
                    index += length.max(1);
                }
            }
            let end = analysis.words.len();
            analysis.derive_before_scopes(start, end);
            analysis.mark_negation(start, end);
            analysis.mark_hypothetical(start, end);
            analysis.derive(start, end);
            let informational =
                analysis.is_informational(start, end, sentence.question, previous_informational);
            analysis.informational.push(informational);
            previous_informational = informational;
        }
        analysis
    }

    // ---- building blocks --------------------------------------------------

    /// Whether word `index` is a personal marker (see [`PERSONAL_WORDS`]).
    fn is_personal(&self, index: usize) -> bool {
        let Some(word) = self.words.get(index) else {
            return false;
        };
        if word.text == "i" {
            let before = index
                .checked_sub(1)
                .and_then(|before| self.words.get(before))
                .filter(|before| before.sentence == word.sentence);
            return !before.is_some_and(|before| GENERIC_I_BEFORE.contains(&before.text.as_str()));
        }
        PERSONAL_WORDS.contains(&word.text.as_str())
    }

    /// Whether word `index` carries `concept` and it counts: not negated, not
    /// hypothetical (body parts always count) and not in an informational
    /// sentence.
    fn live(&self, index: usize, concept: Concept) -> bool {
        self.live_any(index, Concepts::of(&[concept]))
    }

    /// Whether word `index` carries any of `concepts` and one of them counts.
    fn live_any(&self, index: usize, concepts: Concepts) -> bool {
        let Some(word) = self.words.get(index) else {
            return false;
        };
        let found = Concepts(word.concepts.0 & concepts.0);
        if found == Concepts::EMPTY {
            return false;
        }
        let informational = self
            .informational
            .get(word.sentence)
            .copied()
            .unwrap_or(false);
        !informational && (found.intersects(BODY) || !(word.negated || word.hypothetical))
    }

    /// Indices of the words within `reach` positions of word `index`.
    fn window(&self, index: usize, reach: usize) -> impl Iterator<Item = usize> + '_ {
        let centre = self.words.get(index).map(|word| word.position);
        let low = index.saturating_sub(reach);
        let high = index
            .saturating_add(reach)
            .min(self.words.len().saturating_sub(1));
        (low..=high).filter(move |&other| {
            let other_position = self.words.get(other).map(|word| word.position);
            match (centre, other_position) {
                (Some(a), Some(b)) => a.abs_diff(b) <= reach,
                _ => false,
            }
        })
    }

    /// Whether a live word carrying any of `concepts` lies within `reach` of
    /// word `index`.
    fn near(&self, index: usize, concepts: Concepts, reach: usize) -> bool {
        self.window(index, reach)
            .any(|other| self.live_any(other, concepts))
    }

    /// Whether calm context (`blockers`) sits in the same clause as word
    /// `index`, within [`BLOCKER_REACH`] words. A negated blocker does not
    /// block ("not after running").
    fn blocked(&self, index: usize, blockers: Concepts) -> bool {
        let Some(clause) = self.words.get(index).map(|word| word.clause) else {
            return false;
        };
        self.window(index, BLOCKER_REACH).any(|other| {
            self.words.get(other).is_some_and(|word| {
                let found = Concepts(word.concepts.0 & blockers.0);
                // "a bit" softens the next word or two, not the whole clause
                // ("his lips look a bit blue" says nothing about his breathing).
                let reach = if found == Concepts::of(&[C::Mild]) {
                    MILD_REACH
                } else {
                    BLOCKER_REACH
                };
                word.clause == clause
                    && found != Concepts::EMPTY
                    && !word.negated
                    && other.abs_diff(index) <= reach
            })
        })
    }

    /// Whether the sign at word `index` is explained by calm context
    /// (`blockers` in its clause). `overridden` (a sudden onset, severe pain,
    /// an injury) sets the calm context aside, except a pet: a dog's weak
    /// legs need a vet, not an ambulance.
    fn calm(&self, index: usize, blockers: Concepts, overridden: bool) -> bool {
        if overridden {
            self.blocked(index, Concepts::of(&[C::Animal]))
        } else {
            self.blocked(index, blockers)
        }
    }

    /// Whether a word of the same sentence as word `index` carries `concept`
    /// live.
    fn in_sentence(&self, index: usize, concept: Concept) -> bool {
        self.any_in_sentence(index, |other| self.live(other, concept))
    }

    /// Whether a word of the same sentence as word `index` carries `concept`,
    /// live or not (calm context counts even inside an "if").
    fn in_sentence_any(&self, index: usize, concept: Concept) -> bool {
        self.any_in_sentence(index, |other| self.has(other, concept))
    }

    /// Whether `test` holds for a word of the same sentence as word `index`,
    /// looking only at that sentence's words.
    fn any_in_sentence(&self, index: usize, test: impl Fn(usize) -> bool) -> bool {
        let Some(sentence) = self.words.get(index).map(|word| word.sentence) else {
            return false;
        };
        let same = |other: &usize| {
            self.words
                .get(*other)
                .is_some_and(|word| word.sentence == sentence)
        };
        let before = (0..index).rev().take_while(same);
        let after = (index..self.words.len()).take_while(same);
        before.chain(after).any(test)
    }

    /// Whether the sign at word `index` is about a leg: a leg word within
    /// [`LEG_REACH`] words, or "it" just before the sign with a leg word
    /// earlier in the sentence ("my calf pain has gone from bad to
    /// unbearable and it feels really tight").
    fn refers_to_limb(&self, index: usize) -> bool {
        if self.near(index, ANY_LIMB, LEG_REACH) {
            return true;
        }
        let pronoun = (index.saturating_sub(3)..index).any(|other| {
            self.words
                .get(other)
                .is_some_and(|word| matches!(word.text.as_str(), "it" | "its"))
        });
        pronoun
            && (0..index).rev().take(30).any(|other| {
                self.live_any(other, ANY_LIMB)
                    && self.words.get(other).map(|word| word.sentence)
                        == self.words.get(index).map(|word| word.sentence)
            })
    }

    /// Indices of the words that carry `concept` live.
    fn live_indices(&self, concept: Concept) -> impl Iterator<Item = usize> + '_ {
        (0..self.words.len()).filter(move |&index| self.live(index, concept))
    }

    /// Indices of the words that carry any of `concepts` live.
    fn live_indices_any(&self, concepts: Concepts) -> impl Iterator<Item = usize> + '_ {
        (0..self.words.len()).filter(move |&index| self.live_any(index, concepts))
    }

    /// The first word after the phrase at `index` (at most `reach` words
    /// after its end, in the same clause, before `end`) that carries any of
    /// `concepts`.
    fn next_with(
        &self,
        index: usize,
        end: usize,
        reach: usize,
        concepts: Concepts,
    ) -> Option<usize> {
        let word = self.words.get(index)?;
        let clause = word.clause;
        let after = index + word.span.max(1);
        (after..end.min(after + reach))
            .take_while(|&other| {
                self.words
                    .get(other)
                    .is_some_and(|word| word.clause == clause)
            })
            .find(|&other| {
                self.words
                    .get(other)
                    .is_some_and(|word| word.concepts.intersects(concepts))
            })
    }

    fn add(&mut self, index: usize, concept: Concept) {
        if let Some(word) = self.words.get_mut(index) {
            word.concepts.insert(concept);
        }
    }

    fn remove(&mut self, index: usize, concepts: Concepts) {
        if let Some(word) = self.words.get_mut(index) {
            word.concepts.remove(concepts);
        }
    }

    fn has(&self, index: usize, concept: Concept) -> bool {
        self.words
            .get(index)
            .is_some_and(|word| word.concepts.has(concept))
    }

    // ---- passes over one sentence (words start..end) ---------------------

    /// Combinations that change what a negator means, so they must be found
    /// before negation is marked: "painkillers do nothing" is severe pain,
    /// not a negation.
    fn derive_before_scopes(&mut self, start: usize, end: usize) {
        for index in start..end {
            if self.has(index, C::Painkiller)
                && let Some(negator) = self.next_with(index, end, 4, Concepts::of(&[C::Negator]))
            {
                self.add(index, C::Severe);
                self.remove(negator, Concepts::of(&[C::Negator]));
            }
        }
    }

    /// Marks the words a negator reaches: up to [`NEGATION_REACH`] words on
    /// in the same clause, stopping at "just", "still", a time marker, "if",
    /// or a new subject two or more words on ("dont know whats happening my
    /// foot is white": the foot is not negated).
    fn mark_negation(&mut self, start: usize, end: usize) {
        let stops = Concepts::of(&[C::Stopper, C::Sudden, C::Recent, C::Hypothetical, C::Hedge]);
        for index in start..end {
            if !self.has(index, C::Negator) {
                continue;
            }
            let clause = self.words.get(index).map(|word| word.clause);
            for other in index + 1..end.min(index + 1 + NEGATION_REACH) {
                let Some(word) = self.words.get(other) else {
                    break;
                };
                if Some(word.clause) != clause || word.concepts.intersects(stops) {
                    break;
                }
                if other >= index + 2 && self.is_personal(other) {
                    break;
                }
                if let Some(word) = self.words.get_mut(other) {
                    word.negated = true;
                }
            }
        }
    }

    /// Marks the words an "if", "whether" or "in case" reaches: to the end of
    /// the clause, stopping at a time marker or an event ("went", "started")
    /// and at a new subject three or more words on, unless that subject is
    /// joined by "or"/"and" ("if my legs go weak or i cant pee").
    fn mark_hypothetical(&mut self, start: usize, end: usize) {
        let stops = Concepts::of(&[C::Sudden, C::Recent, C::Event]);
        for index in start..end {
            if !self.has(index, C::Hypothetical) {
                continue;
            }
            let clause = self.words.get(index).map(|word| word.clause);
            for other in index + 1..end {
                let Some(word) = self.words.get(other) else {
                    break;
                };
                if Some(word.clause) != clause || word.concepts.intersects(stops) {
                    break;
                }
                let joined = other
                    .checked_sub(1)
                    .and_then(|before| self.words.get(before))
                    .is_some_and(|before| before.text == "or" || before.text == "and");
                if other >= index + 3 && self.is_personal(other) && !joined {
                    break;
                }
                if let Some(word) = self.words.get_mut(other) {
                    word.hypothetical = true;
                }
            }
        }
    }

    /// Builds concepts out of two: "cant" + "move" is can't move, "chest" +
    /// "hurts" is chest pain, "temp" + "39" is a fever, and so on. A derived
    /// concept sits on the word that carries the sign, so it keeps that
    /// word's negation.
    fn derive(&mut self, start: usize, end: usize) {
        let verbs = Concepts::of(&[
            C::MoveVerb,
            C::FeelVerb,
            C::BreatheVerb,
            C::CatchVerb,
            C::Bladder,
            C::HoldVerb,
            C::StopVerb,
            C::TellVerb,
            C::WalkVerb,
            C::SleepVerb,
        ]);
        let calm_roles = Concepts::of(&[
            C::Exertion,
            C::Posture,
            C::StandingUp,
            C::Recurring,
            C::RecurringVerb,
        ]);
        for index in start..end {
            // "cant" / "unable to" / "can barely" + verb.
            if self.has(index, C::Inability)
                && let Some(verb) = self.next_with(index, end, 3, verbs)
            {
                self.derive_inability(verb, end);
                self.remove(verb, calm_roles);
            }
            // "my toes go white", "i get breathless": a recurring change.
            if self.has(index, C::RecurringVerb)
                && self.next_with(index, end, 3, CHANGE_SIGNS).is_some()
            {
                self.add(index, C::Recurring);
            }
            // "it feels weird when i wipe".
            if self.has(index, C::FeelVerb)
                && self
                    .next_with(index, end, 2, Concepts::of(&[C::Odd]))
                    .is_some()
            {
                self.add(index, C::FeelDifferent);
            }
            // "my breathing has gone weird".
            if self.has(index, C::BreatheVerb)
                && self
                    .next_with(index, end, 3, Concepts::of(&[C::Odd]))
                    .is_some()
            {
                self.add(index, C::Breathless);
            }
            // "temp of 39", "a high temperature", "has a temp".
            if self.has(index, C::TempWord) && self.is_fever_temperature(index, end) {
                self.add(index, C::Fever);
            }
        }
        // Pairs in either order within the sentence; the derived concept
        // goes on the sign word so that its negation carries over.
        for index in start..end {
            if self.has(index, C::Pain) || self.has(index, C::Tight) {
                if self.pair_in_sentence(index, start, end, 3, C::Chest) {
                    self.add(index, C::ChestPain);
                }
                if self.pair_in_sentence(index, start, end, 6, C::BreatheIn)
                    || self.pair_in_sentence(index, start, end, 2, C::BreatheVerb)
                {
                    self.add(index, C::Pleuritic);
                }
            }
            if self.has(index, C::Blood)
                && (self.has(index, C::Cough)
                    || self.pair_in_sentence(index, start, end, 6, C::Cough))
            {
                self.add(index, C::CoughBlood);
            }
        }
    }

    /// What "cant" + verb means, added on the verb at `verb`.
    fn derive_inability(&mut self, verb: usize, end: usize) {
        let Some(word) = self.words.get(verb) else {
            return;
        };
        let concepts = word.concepts;
        let next_text = self
            .words
            .get(verb + 1)
            .filter(|next| next.sentence == word.sentence)
            .map(|next| next.text.clone())
            .unwrap_or_default();
        if concepts.has(C::MoveVerb) {
            self.add(verb, C::CantMove);
        } else if concepts.has(C::FeelVerb) {
            let pulse = (verb + 1..end.min(verb + 4)).any(|other| {
                self.words
                    .get(other)
                    .is_some_and(|w| w.text.starts_with("pulse"))
            });
            self.add(verb, if pulse { C::Pulseless } else { C::Numb });
        } else if concepts.has(C::BreatheVerb) {
            self.add(verb, C::Breathless);
        } else if concepts.has(C::CatchVerb) {
            let breath = self
                .next_with(verb, end, 2, Concepts::of(&[C::BreatheVerb]))
                .is_some();
            if breath {
                self.add(verb, C::Breathless);
            }
        } else if concepts.has(C::Bladder)
            || concepts.has(C::HoldVerb)
            || concepts.has(C::StopVerb)
            || concepts.has(C::TellVerb)
        {
            self.add(verb, C::Problem);
        } else if concepts.has(C::WalkVerb) {
            // "cant stand the pain" is not about legs, and "cant walk far",
            // "cant stand for long" or "in queues" is a distance or time
            // limit (claudication), not legs that have given way.
            if !matches!(
                next_text.as_str(),
                "the"
                    | "it"
                    | "this"
                    | "that"
                    | "him"
                    | "her"
                    | "far"
                    | "long"
                    | "for"
                    | "in"
                    | "more"
                    | "much"
                    | "as"
                    | "without"
            ) {
                self.add(verb, C::WeakStrong);
            }
        } else if concepts.has(C::SleepVerb) {
            self.add(verb, C::Severe);
        }
    }

    /// Whether "temp"/"temperature" at `index` reports a fever: "a temp",
    /// "high temp", "got a temperature", or a reading of 38 °C (100 °F) or
    /// more within three words.
    fn is_fever_temperature(&self, index: usize, end: usize) -> bool {
        let qualified = index
            .checked_sub(1)
            .and_then(|before| self.words.get(before))
            .filter(|before| before.sentence == self.words.get(index).map_or(0, |w| w.sentence))
            .is_some_and(|before| {
                matches!(
                    before.text.as_str(),
                    "a" | "high"
                        | "got"
                        | "have"
                        | "has"
                        | "had"
                        | "running"
                        | "with"
                        | "raised"
                        | "spiking"
                )
            });
        let reading = (index + 1..end.min(index + 4)).any(|other| {
            self.words
                .get(other)
                .and_then(|word| leading_number(&word.text))
                .is_some_and(is_fever_reading)
        });
        qualified || reading
    }

    /// Whether a word carrying `concept` lies within `reach` words of `index`
    /// in the same sentence (words start..end).
    fn pair_in_sentence(
        &self,
        index: usize,
        start: usize,
        end: usize,
        reach: usize,
        concept: Concept,
    ) -> bool {
        let low = index.saturating_sub(reach).max(start);
        let high = index.saturating_add(reach + 1).min(end);
        (low..high).any(|other| other != index && self.has(other, concept))
    }

    /// Whether the sentence asks for information rather than describing a
    /// person: it starts like a question, or talks about symptoms, signs and
    /// causes, or is a question fragment following such a sentence ("what
    /// are the symptoms of a PE? chest pain?") — and it has no personal
    /// marker and no time marker.
    fn is_informational(
        &self,
        start: usize,
        end: usize,
        question: bool,
        previous_informational: bool,
    ) -> bool {
        let time = Concepts::of(&[C::Sudden, C::Recent]);
        let personal = (start..end).any(|index| {
            self.is_personal(index)
                || self
                    .words
                    .get(index)
                    .is_some_and(|word| word.concepts.intersects(time))
        });
        if personal {
            return false;
        }
        let first_word = (start..end)
            .filter_map(|index| self.words.get(index))
            .map(|word| word.text.as_str())
            .find(|word| !FILLERS.contains(word));
        let asks = first_word.is_some_and(|word| INTERROGATIVES.contains(&word));
        let about_information = (start..end).any(|index| self.has(index, C::InfoMarker));
        asks || about_information || (question && previous_informational)
    }

    // ---- the rules (clinical-basis.md c.2, E1 to E5) -----------------------

    /// E1: chest pain, pain on breathing in, coughing up blood, or
    /// breathlessness that is not plainly exertional, habitual or a cold
    /// (unless it came on suddenly or at rest).
    fn chest_pain_or_breathless(&self) -> bool {
        let blood = self
            .live_indices(C::CoughBlood)
            .any(|index| !self.blocked(index, Concepts::of(&[C::Past, C::Improving, C::Animal])));
        let pain = self
            .live_indices_any(Concepts::of(&[C::ChestPain, C::Pleuritic]))
            .any(|index| !self.blocked(index, CHEST_BLOCKERS));
        // Laughing explains breathlessness anywhere in its sentence ("i
        // couldnt stop laughing, couldnt breathe lol").
        let breathless = self.live_indices(C::Breathless).any(|index| {
            let sudden_or_at_rest = self.near(index, Concepts::of(&[C::Sudden, C::Rest]), 10);
            !self.in_sentence_any(index, C::Laughing)
                && !self.calm(index, BREATH_BLOCKERS, sudden_or_at_rest)
        });
        blood || pain || breathless
    }

    /// E2: a leg or foot with two signs of ischaemia (cold, pale/blue, numb,
    /// can't move, no pulse), or one sign with a sudden onset or severe pain.
    /// Calm context (always, in winter, on walks, a bit, for years) blocks a
    /// sign unless the onset was sudden or the pain severe.
    fn sudden_cold_pale_numb_leg(&self) -> bool {
        let limbs = Concepts::of(&[C::LimbOne, C::LimbMany]);
        self.live_indices_any(limbs).any(|limb| {
            let strong = self.near(limb, Concepts::of(&[C::Sudden, C::Severe]), 12);
            let kinds = ISCHAEMIA_SIGNS
                .iter()
                .filter(|&&sign| {
                    self.window(limb, LIMB_SIGN_REACH).any(|other| {
                        self.live(other, sign) && !self.calm(other, LIMB_BLOCKERS, strong)
                    })
                })
                .count();
            kinds >= 2 || (kinds >= 1 && strong)
        })
    }

    /// E3: numbness, tingling or an odd feeling near the bottom, genitals or
    /// when wiping, unless it is plainly from cycling or long sitting.
    fn saddle_numbness(&self) -> bool {
        let signs = Concepts::of(&[C::Numb, C::Tingle, C::FeelDifferent]);
        self.live_indices_any(Concepts::of(&[C::Saddle, C::Wipe]))
            .any(|place| {
                self.window(place, 6).any(|other| {
                    self.live_any(other, signs) && !self.blocked(other, SADDLE_BLOCKERS)
                })
            })
    }

    /// E3: wetting or soiling oneself, or a problem (can't, trouble, no
    /// control, leaking, can't feel) next to a bladder or bowel word, unless
    /// a benign cause or habit is given.
    fn bladder_or_bowel_change(&self) -> bool {
        let strong = self
            .live_indices(C::BladderStrong)
            .any(|index| !self.blocked(index, BLADDER_BLOCKERS));
        let signs = Concepts::of(&[C::Problem, C::Numb, C::FeelDifferent]);
        let paired = self
            .live_indices_any(Concepts::of(&[C::Bladder, C::Bowel]))
            .any(|organ| {
                self.window(organ, 6).any(|other| {
                    self.live_any(other, signs) && !self.blocked(other, BLADDER_BLOCKERS)
                })
            });
        strong || paired
    }

    /// E3: weakness or numbness in both legs that is severe, sudden, new or
    /// getting worse, or sciatica in both legs; not after the gym, on walks
    /// or from sitting.
    fn both_legs_weak_or_numb(&self) -> bool {
        let signs = Concepts::of(&[C::Weak, C::WeakStrong, C::Numb, C::Tingle]);
        let modifiers = Concepts::of(&[
            C::Progression,
            C::Severe,
            C::Sudden,
            C::Recent,
            C::WeakStrong,
        ]);
        let overrides = Concepts::of(&[C::Progression, C::Sudden]);
        let calm_sciatica =
            Concepts::of(&[C::Chronic, C::Past, C::Improving, C::Recurring, C::Animal]);
        (0..self.words.len())
            .filter(|&index| {
                self.live(index, C::Legs)
                    || (self.live(index, C::Both) && self.near(index, ANY_LIMB, LEG_REACH))
            })
            .any(|legs| {
                // "both" must be about the legs: "both legs", "both my
                // calves", not "I've been told both" a few words after "leg".
                let both = self.near(legs, Concepts::of(&[C::Both]), 4)
                    && (self.live(legs, C::Legs) || self.near(legs, ANY_LIMB, 2));
                // Sciatica anywhere in the sentence counts when "both legs"
                // itself is told as now: "my sciatica used to be on the left
                // but now its in both legs".
                let sciatica = both
                    && !self.blocked(legs, calm_sciatica)
                    && self.in_sentence(legs, C::Sciatica);
                let override_calm = self.near(legs, overrides, 12);
                let weak = self.near(legs, modifiers, 12)
                    && self.window(legs, LEG_REACH).any(|other| {
                        self.live_any(other, signs)
                            && !self.calm(other, BOTH_LEGS_BLOCKERS, override_calm)
                    });
                sciatica || weak
            })
    }

    /// E4: a fever, shivers or feeling very unwell anywhere in the message,
    /// together with a red, hot, infected or (one) swollen leg, or cellulitis.
    /// Fever is message-wide because people tell the two apart ("Leg swollen
    /// and red. Temp is 38.9").
    fn fever_with_spreading_redness(&self) -> bool {
        let unblocked = |concept| {
            self.live_indices(concept)
                .any(|index| !self.blocked(index, FEVER_BLOCKERS))
        };
        let fever = unblocked(C::Fever);
        if !fever && !unblocked(C::Unwell) {
            return false;
        }
        // With a real fever (a reading, shivers, "a fever") any red leg meets
        // rule E4, even "a bit red"; with only a vague "unwell", "a bit red"
        // is not enough.
        let blockers = if fever {
            Concepts(INFECTION_BLOCKERS.0 & !Concepts::of(&[C::Mild]).0)
        } else {
            INFECTION_BLOCKERS
        };
        let cellulitis = self
            .live_indices(C::Cellulitis)
            .any(|index| !self.blocked(index, blockers));
        let red_leg = self
            .live_indices_any(Concepts::of(&[C::Red, C::Infection]))
            .any(|index| self.near(index, ANY_LIMB, 6) && !self.blocked(index, blockers));
        let swollen_leg = self.live_indices(C::Swollen).any(|index| {
            self.near(index, Concepts::of(&[C::LimbOne]), 5) && !self.blocked(index, blockers)
        });
        cellulitis || red_leg || swollen_leg
    }

    /// E5: a rock-hard or tense calf with severe pain or after an injury, or
    /// a tight calf with severe pain; gym and running talk blocks it unless
    /// there was an injury.
    fn severe_tense_calf(&self) -> bool {
        self.live_indices_any(Concepts::of(&[C::Tense, C::Tight]))
            .any(|index| {
                if !self.refers_to_limb(index) {
                    return false;
                }
                let severe = self.near(index, Concepts::of(&[C::Severe]), 15);
                let injury = self.near(index, Concepts::of(&[C::Injury]), 15);
                let calm = self.calm(index, CALF_BLOCKERS, injury);
                let tense = self.live(index, C::Tense);
                !calm && (severe || (tense && injury))
            })
    }
}

/// Edit distance for typing slips between two ASCII words: a missing, extra
/// or swapped (adjacent) letter costs 1, a letter replaced by a neighbouring
/// key on a QWERTY keyboard costs 1, any other replacement costs 2.
fn typo_distance(a: &[u8], b: &[u8]) -> usize {
    // Optimal string alignment, keeping three rows of the table.
    let mut before_previous: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &a_char) in a.iter().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, &b_char) in b.iter().enumerate() {
            let replace = match (a_char == b_char, neighbouring_keys(a_char, b_char)) {
                (true, _) => 0,
                (false, true) => 1,
                (false, false) => 2,
            };
            let delete = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = current.get(j).map_or(usize::MAX, |d| d + 1);
            let substitute = previous.get(j).map_or(usize::MAX, |d| d + replace);
            let mut best = delete.min(insert).min(substitute);
            let swapped =
                i > 0 && j > 0 && a.get(i - 1) == Some(&b_char) && b.get(j - 1) == Some(&a_char);
            if swapped && let Some(d) = before_previous.get(j - 1) {
                best = best.min(d + 1);
            }
            current.push(best);
        }
        before_previous = std::mem::replace(&mut previous, current);
    }
    previous.last().copied().unwrap_or(usize::MAX)
}

/// Whether two lower-case letters are next to each other on a QWERTY
/// keyboard (same row, or touching in the row above or below).
fn neighbouring_keys(a: u8, b: u8) -> bool {
    match (key_position(a), key_position(b)) {
        (Some((row_a, x_a)), Some((row_b, x_b))) => {
            (row_a == row_b && x_a.abs_diff(x_b) == 2)
                || (row_a.abs_diff(row_b) == 1 && x_a.abs_diff(x_b) == 1)
        }
        _ => false,
    }
}

/// Row and horizontal position (in half keys, rows staggered) of a letter on
/// a QWERTY keyboard.
fn key_position(letter: u8) -> Option<(usize, usize)> {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    ROWS.iter().enumerate().find_map(|(row, keys)| {
        keys.iter()
            .position(|&key| key == letter)
            .map(|column| (row, column * 2 + row))
    })
}

/// Splits raw text into sentences at `.`, `?`, `!`, `;`, `…` and new lines,
/// remembering which ended with a question mark. A full stop between two
/// digits ("38.9") does not end a sentence.
fn split_sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut sentences: Vec<Sentence<'_>> = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let next = chars.peek().map(|&(_, next)| next);
        let decimal = c == '.'
            && previous.is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit());
        if matches!(c, '.' | '?' | '!' | ';' | '\n' | '…') && !decimal {
            let piece = text.get(start..offset).unwrap_or("").trim();
            if piece.is_empty() {
                if c == '?'
                    && let Some(last) = sentences.last_mut()
                {
                    last.question = true;
                }
            } else {
                sentences.push(Sentence {
                    text: piece,
                    question: c == '?',
                });
            }
            start = offset + c.len_utf8();
        }
        previous = Some(c);
    }
    let rest = text.get(start..).unwrap_or("").trim();
    if !rest.is_empty() {
        sentences.push(Sentence {
            text: rest,
            question: false,
        });
    }
    sentences
}

/// The number a word starts with ("39", "38c", "102f"), up to three digits.
fn leading_number(word: &str) -> Option<u32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    digits.parse().ok()
}

/// Whether a temperature reading is a fever: 38 to 45 (°C) or 100 to 110
/// (°F).
fn is_fever_reading(value: u32) -> bool {
    (38..=45).contains(&value) || (100..=110).contains(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(message: &str) -> Analysis {
        let (lexicon, _) = Lexicon::parse(LEXICON_SOURCE);
        Analysis::new(&lexicon, message)
    }

    /// The words of `message` that carry `concept` live.
    fn live_words(message: &str, concept: Concept) -> Vec<String> {
        let analysis = analyse(message);
        analysis
            .live_indices(concept)
            .filter_map(|index| analysis.words.get(index).map(|word| word.text.clone()))
            .collect()
    }

    #[test]
    fn lexicon_has_no_problems() {
        let (lexicon, problems) = Lexicon::parse(LEXICON_SOURCE);
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(lexicon.by_first_word.len() > 300);
    }

    #[test]
    fn lexicon_reports_bad_lines_and_keeps_going() {
        let (lexicon, problems) =
            Lexicon::parse("numb\tnumb\nno tab here\nnot_a_concept\tx\npain\tCan't\n");
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(lexicon.by_first_word.contains_key("numb"));
    }

    #[test]
    fn every_concept_has_a_distinct_name_and_fits_the_bit_set() {
        assert!(Concept::ALL.len() < 128);
        for concept in Concept::ALL {
            assert_eq!(Concept::from_name(concept.name()), Some(*concept));
        }
    }

    #[test]
    fn longest_phrase_wins() {
        let analysis = analyse("my foot went blue out of the blue");
        let blue: Vec<_> = analysis
            .words
            .iter()
            .filter(|word| word.concepts.has(C::Pale))
            .map(|word| word.text.as_str())
            .collect();
        assert_eq!(blue, vec!["blue"]);
        assert!(
            analysis
                .words
                .iter()
                .any(|word| word.concepts.has(C::Sudden))
        );
    }

    #[test]
    fn misspellings_of_long_words_are_understood() {
        let (lexicon, _) = Lexicon::parse(LEXICON_SOURCE);
        assert!(
            lexicon
                .fuzzy_match("breathles")
                .is_some_and(|c| c.has(C::Breathless))
        );
        assert!(
            lexicon
                .fuzzy_match("numbess")
                .is_some_and(|c| c.has(C::Numb))
        );
        assert!(
            lexicon
                .fuzzy_match("temprature")
                .is_some_and(|c| c.has(C::TempWord))
        );
        assert!(
            lexicon
                .fuzzy_match("excrutiating")
                .is_some_and(|c| c.has(C::Severe))
        );
        // Short words and unrelated long words are left alone.
        assert!(lexicon.fuzzy_match("numbr").is_none());
        assert!(lexicon.fuzzy_match("keyboard").is_none());
        assert!(lexicon.fuzzy_match("shaving").is_none());
        assert!(lexicon.fuzzy_match("smelling").is_none());
        assert!(lexicon.fuzzy_match("боль").is_none());
    }

    #[test]
    fn typo_distance_counts_keyboard_slips() {
        let distance = |a: &str, b: &str| typo_distance(a.as_bytes(), b.as_bytes());
        assert_eq!(distance("numbness", "numbness"), 0);
        assert_eq!(distance("numbess", "numbness"), 1);
        assert_eq!(distance("breahtless", "breathless"), 1);
        assert_eq!(distance("swokllen", "swollen"), 1);
        assert_eq!(distance("swpllen", "swollen"), 1);
        assert_eq!(distance("shaving", "shaking"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert!(neighbouring_keys(b'q', b'a') && neighbouring_keys(b'k', b'm'));
        assert!(!neighbouring_keys(b'v', b'k') && !neighbouring_keys(b'e', b'i'));
    }

    #[test]
    fn inability_plus_verb_becomes_a_sign() {
        assert_eq!(live_words("i cant move my toes", C::CantMove), vec!["move"]);
        assert_eq!(
            live_words("she can't really feel her foot", C::Numb),
            vec!["feel"]
        );
        assert_eq!(
            live_words("i couldnt feel a pulse in his foot", C::Pulseless),
            vec!["feel"]
        );
        assert_eq!(
            live_words("cant catch my breath", C::Breathless),
            vec!["catch"]
        );
        assert_eq!(
            live_words("hasnt been able to pass urine", C::Problem),
            vec!["pass"]
        );
        assert_eq!(
            live_words("i can barely stand", C::WeakStrong),
            vec!["stand"]
        );
        assert!(live_words("i cant stand the pain", C::WeakStrong).is_empty());
        assert!(live_words("couldnt catch the bus", C::Breathless).is_empty());
    }

    #[test]
    fn negation_reaches_a_few_words_and_stops_at_but_and_new_subjects() {
        assert!(live_words("no chest pain or breathlessness", C::Breathless).is_empty());
        assert!(live_words("no chest pain or breathlessness", C::ChestPain).is_empty());
        assert_eq!(
            live_words("no idea why but i am breathless", C::Breathless),
            vec!["breathless"]
        );
        assert_eq!(
            live_words("dont know whats happening my foot is cold", C::Cold),
            vec!["cold"]
        );
        // "no feeling" and "no control" are signs, not negations.
        assert_eq!(live_words("no feeling in my leg", C::Numb), vec!["no"]);
        assert_eq!(
            live_words("painkillers do nothing", C::Severe),
            vec!["painkillers"]
        );
    }

    #[test]
    fn hypothetical_clauses_do_not_count() {
        assert!(live_words("call 999 if you cant pee", C::Problem).is_empty());
        assert!(live_words("if my legs ever go weak or i cant pee", C::Problem).is_empty());
        assert_eq!(
            live_words("not sure if this is related my foot is numb", C::Numb),
            vec!["numb"]
        );
        assert_eq!(
            live_words("idk if its bad but my foot is numb", C::Numb),
            vec!["numb"]
        );
    }

    #[test]
    fn informational_questions_do_not_count_but_personal_ones_do() {
        assert!(live_words("is chest pain a symptom of dvt?", C::ChestPain).is_empty());
        assert!(live_words("when should I call 999 for chest pain", C::ChestPain).is_empty());
        assert!(live_words("what is a PE? chest pain? breathless?", C::Breathless).is_empty());
        assert_eq!(
            live_words("is it normal that my chest hurts?", C::ChestPain),
            vec!["hurts"]
        );
        assert_eq!(live_words("chest pain?? help", C::ChestPain), vec!["pain"]);
    }

    #[test]
    fn temperature_is_a_fever_only_when_reported_as_one() {
        assert_eq!(live_words("temp of 39", C::Fever), vec!["temp"]);
        assert_eq!(live_words("Temp is 38.9", C::Fever), vec!["temp"]);
        assert_eq!(
            live_words("she has a temperature", C::Fever),
            vec!["temperature"]
        );
        assert!(live_words("temperature outside is 35", C::Fever).is_empty());
        assert!(live_words("temp is 37", C::Fever).is_empty());
        assert!(live_words("no temperature", C::Fever).is_empty());
    }

    #[test]
    fn sentences_keep_decimals_and_remember_questions() {
        let sentences = split_sentences("Temp is 38.9. Is it bad?? ok");
        let texts: Vec<_> = sentences.iter().map(|s| (s.text, s.question)).collect();
        assert_eq!(
            texts,
            vec![("Temp is 38.9", false), ("Is it bad", true), ("ok", false)]
        );
        assert!(split_sentences("").is_empty());
        assert!(split_sentences("...?!").is_empty());
    }

    #[test]
    fn calm_context_blocks_within_its_clause_only() {
        let analysis = analyse("my feet are always cold, but today my foot is white");
        let cold = analysis.live_indices(C::Cold).next();
        let white = analysis.live_indices(C::Pale).next();
        assert!(cold.is_some_and(|index| analysis.blocked(index, LIMB_BLOCKERS)));
        assert!(white.is_some_and(|index| !analysis.blocked(index, LIMB_BLOCKERS)));
    }

    #[test]
    fn code_and_links_never_raise_an_alarm() {
        let screen = EmergencyScreen::new();
        assert!(
            screen
                .screen("see https://x.com/chest-pain.and-breathless")
                .is_empty()
        );
        assert!(
            screen
                .screen("```\nmy chest pain and I cant breathe\n```")
                .is_empty()
        );
    }

    #[test]
    fn sudden_onset_overrides_calm_context_but_never_a_pet() {
        let screen = EmergencyScreen::new();
        assert!(screen.screen("my feet are always cold").is_empty());
        assert_eq!(
            screen.screen("my foot is always cold but suddenly its numb and white"),
            vec![RedFlag::SuddenColdPaleNumbLeg]
        );
        assert!(
            screen
                .screen("my dogs back legs are weak and wobbly, getting worse")
                .is_empty()
        );
        assert!(format!("{screen:?}").len() < 200);
    }

    #[test]
    fn numbers_are_read_from_the_start_of_a_word() {
        assert_eq!(leading_number("39"), Some(39));
        assert_eq!(leading_number("102f"), Some(102));
        assert_eq!(leading_number("38c"), Some(38));
        assert_eq!(leading_number("10000"), None);
        assert_eq!(leading_number("calf"), None);
        assert!(is_fever_reading(38) && is_fever_reading(102));
        assert!(!is_fever_reading(37) && !is_fever_reading(35) && !is_fever_reading(99));
    }

    #[test]
    fn each_rule_fires_on_a_plain_example() {
        let screen = EmergencyScreen::new();
        let cases = [
            ("i have chest pain", RedFlag::ChestPainOrBreathless),
            ("my foot is cold and white", RedFlag::SuddenColdPaleNumbLeg),
            ("my bum is numb", RedFlag::SaddleNumbness),
            ("i cant pee", RedFlag::BladderOrBowelChange),
            (
                "both legs weak and getting worse",
                RedFlag::BothLegsWeakOrNumb,
            ),
            (
                "red swollen leg and a fever",
                RedFlag::FeverWithSpreadingRedness,
            ),
            (
                "calf rock hard and the pain is unbearable",
                RedFlag::SevereTenseCalf,
            ),
        ];
        for (message, flag) in cases {
            assert_eq!(screen.screen(message), vec![flag], "{message}");
        }
    }

    #[test]
    fn flags_come_most_serious_first() {
        let screen = EmergencyScreen::new();
        let flags = screen.screen("calf rock hard and agony. can't breathe. i cant pee");
        assert_eq!(
            flags,
            vec![
                RedFlag::ChestPainOrBreathless,
                RedFlag::BladderOrBowelChange,
                RedFlag::SevereTenseCalf
            ]
        );
    }

    #[test]
    fn item_ids_and_descriptions_are_set() {
        for flag in RedFlag::ALL {
            assert!(flag.item_id().starts_with("rf_"));
            assert!(!flag.lay_description().is_empty());
        }
        assert_eq!(
            RedFlag::FeverWithSpreadingRedness.item_id(),
            "rf_fever_or_very_unwell"
        );
    }

    #[test]
    fn screen_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<EmergencyScreen>();
    }
}
