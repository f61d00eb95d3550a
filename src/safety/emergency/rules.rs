//! The emergency screen's reading rules, read from `faq/emergency/context.toml`
//! (modifiers, derived concepts, how questions are told apart) and
//! `faq/emergency/flags.toml` (each red flag as combinations of concepts).
//!
//! The files are read with [`TomlReader`] (every unknown key, missing key and
//! wrong type is reported, in the words serde used when it read them); every
//! name in them is then resolved to a concept of the lexicon, and every
//! problem is reported with its file, line and column. Nothing here knows what a leg is: that is all data.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::RedFlag;
use super::lexicon::{ConceptId, ConceptSet, Concepts};
use crate::problem::Problem;
use crate::tomlread::shape::{At, Node, Shape, read_shape};

/// Where a combination is looked for, around its anchor word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Within this many words (sentences are kept apart by a gap).
    Reach(usize),
    /// Anywhere in the anchor's sentence.
    Sentence,
    /// Anywhere in the message.
    Message,
}

/// A trigger that makes the findings after it not count (ConText).
#[derive(Debug, Clone)]
pub struct Modifier {
    /// The trigger concepts.
    pub trigger: ConceptSet,
    /// How many words on it reaches; 0: to the end of the clause.
    pub reach: usize,
    /// Concepts that end the scope.
    pub ends_at: ConceptSet,
    /// A personal word this many or more words on ends it (0: never).
    pub ends_at_new_subject: usize,
    /// A new subject right after "and"/"or" does not end it.
    pub joined_subject_continues: bool,
    /// Any of these anywhere in the message cancels the modifier.
    pub cancelled_by: ConceptSet,
}

/// Two concepts close together make a third.
#[derive(Debug, Clone)]
pub struct Derive {
    /// The first concept.
    pub first: ConceptSet,
    /// The second.
    pub then: ConceptSet,
    /// How many words apart at most.
    pub within: usize,
    /// `then` must follow `first` in the same clause (else: either order,
    /// same sentence).
    pub next: bool,
    /// The concepts added.
    pub gives: ConceptSet,
    /// Added on the `first` word (else on the `then` word).
    pub on_first: bool,
    /// Concepts taken off the `then` word.
    pub remove: ConceptSet,
    /// Concepts taken off the `first` word.
    pub remove_first: ConceptSet,
    /// Words that, right after `then`, cancel the rule.
    pub not_followed_by: Vec<String>,
    /// Applied before negation and "if" are read.
    pub before_scopes: bool,
    /// With `next` false: anywhere in the sentence, not only the clause.
    pub in_sentence: bool,
    /// Concepts that, between the two words, cancel the rule.
    pub not_across: ConceptSet,
    /// Both words must be inside, or both outside, a negation or "if".
    pub same_scope: bool,
}

/// Concepts that must be near an anchor.
#[derive(Debug, Clone)]
pub struct Need {
    /// Any of these.
    pub concepts: ConceptSet,
    /// Where.
    pub scope: Scope,
    /// Calm context that stops the needed word from counting.
    pub calm: ConceptSet,
    /// "it" just before the anchor, with the concept earlier in the
    /// sentence, also counts.
    pub pronoun: bool,
}

/// One combination of concepts that is a red flag.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The concepts of the anchor word; `None`: each sign word anchors.
    pub anchor: Option<ConceptSet>,
    /// The finding.
    pub sign: ConceptSet,
    /// How many different sign concepts are needed.
    pub kinds: usize,
    /// Where sign words are looked for around the anchor.
    pub scope: Scope,
    /// Further concepts that must be near the anchor.
    pub needs: Vec<Need>,
    /// Calm context that stops a sign word.
    pub calm: ConceptSet,
    /// Concepts that stop a sign word anywhere in its sentence.
    pub calm_in_sentence: ConceptSet,
    /// Calm context around the anchor itself.
    pub anchor_calm: ConceptSet,
    /// Concepts near the anchor that set calm context aside.
    pub strong: Option<Need>,
    /// Calm context that `strong` does not set aside.
    pub calm_always: ConceptSet,
}

/// How sentences that ask for information are told from reports.
#[derive(Debug, Clone, Default)]
pub struct SentenceRules {
    /// Words for a person: one in a sentence makes it a report, and one
    /// ends a negation's or an "if"'s scope.
    pub people: ConceptSet,
    /// Words for a time ("suddenly", "an hour ago"): one makes it a report.
    pub times: ConceptSet,
    /// People words that never start a new subject ("me", "myself").
    pub not_subjects: ConceptSet,
    /// Phrases that make a question a report ("is it bad that").
    pub reports: ConceptSet,
    /// Phrases that make every question of the message a report ("happened
    /// to me twice today").
    pub affirmations: ConceptSet,
    /// Pronouns that stand for a body part told of just before.
    pub pronouns: Vec<String>,
    /// Emoji read as a word ("😂" as "haha").
    pub emoji_words: Vec<(char, String)>,
    /// "i" right after one of these is no report marker.
    pub generic_i_after: ConceptSet,
    /// A sentence starting with one of these (after fillers) asks.
    pub question_words: ConceptSet,
    /// Words skipped before looking for a question word.
    pub fillers: ConceptSet,
    /// A sentence with one of these asks about information.
    pub info_markers: ConceptSet,
    /// Words that start a new clause.
    pub clause_breakers: ConceptSet,
    /// Words whose "'s" is kept ("it's", "he's"); any other word's "'s" is
    /// dropped ("foot's" reads "foot").
    pub keep_apostrophe_s: Vec<String>,
}

/// When a message tells the writer's (or a relative's) own symptoms, so the
/// reply offers the symptom check (context.toml `[story]`).
#[derive(Debug, Clone, Default)]
pub struct StoryRules {
    /// What the story must be about: the legs.
    pub about: ConceptSet,
    /// Who: the writer or someone close ("I", "my", "mum's").
    pub people: ConceptSet,
    /// What they feel ("aching", "numb", "cramp").
    pub findings: ConceptSet,
    /// Words that make it a story rather than a general question: when it
    /// started, how long, what happened.
    pub markers: ConceptSet,
    /// A message this long (in words) is a story without a marker.
    pub min_words: usize,
}

/// Everything the screen reads a message with, besides the lexicon.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Body concepts: negation and "if" never apply to them.
    pub body: ConceptSet,
    /// The second opinion (model.tsv) only reads a message with one of
    /// these: a part of the body or a finding.
    pub second_opinion_needs: ConceptSet,
    /// A message with one of these ("for months", "years") and none of
    /// `second_opinion_unless` tells a long-standing complaint: the second
    /// opinion does not alarm on it (the rules still read it).
    pub second_opinion_quiet: ConceptSet,
    /// Concepts that tell something as sudden or recent.
    pub second_opinion_unless: ConceptSet,
    /// Concepts a misspelling never matches.
    pub no_typos: ConceptSet,
    /// Calm context that nothing overrides.
    pub always_calm: ConceptSet,
    /// Reach of calm words not listed in `calm_reach`.
    pub calm_reach_default: usize,
    /// Reach of particular calm words.
    pub calm_reach: Vec<(ConceptId, usize)>,
    /// The largest calm reach.
    pub max_calm_reach: usize,
    /// Calm concepts that only reach the words after them.
    pub calm_forward_only: ConceptSet,
    /// Calm context about another creature (a pet): it does not reach a
    /// sign whose nearest teller before it is one of `writer`.
    pub calm_about_others: ConceptSet,
    /// Words by which writers tell their own body ("my", "I").
    pub writer: ConceptSet,
    /// Scope modifiers.
    pub modifiers: Vec<Modifier>,
    /// Derived concepts, in order.
    pub derives: Vec<Derive>,
    /// Questions and reports.
    pub sentences: SentenceRules,
    /// A clause with one of these and none of `present` tells the past.
    pub history_past: ConceptSet,
    /// Concepts that make a clause about now.
    pub history_present: ConceptSet,
    /// Concepts that a clause about the past does not silence.
    pub history_exempt: ConceptSet,
    /// Concepts that say an episode is over ("fine now", "all normal
    /// since"): in a sentence with one, a dated clause also reaches back over
    /// the clauses before it.
    pub history_closed: ConceptSet,
    /// A story's clock ("the next day", "two days later"): in a message with
    /// one and none of `history_narrative_blockers`, every clause up to the
    /// last sentence with one tells the past, unless it says now.
    pub history_narrative: ConceptSet,
    /// Words that tie a story to now ("this morning", "an hour ago", "now").
    pub history_narrative_blockers: ConceptSet,
    /// When a message tells someone's own symptoms.
    pub story: StoryRules,
    /// The concept the screen gives a temperature reading of a fever.
    pub fever_reading: ConceptId,
    /// The concept the screen gives a year (1900 to 2099).
    pub year: ConceptId,
    /// The red flags and their patterns, most serious first.
    pub flags: Vec<(RedFlag, Vec<Pattern>)>,
}

// ---------------------------------------------------------------------------
// The files as written

/// A name in a file, with the byte offset where its value starts.
#[derive(Default)]
struct Name {
    text: String,
    at: usize,
}

type Names = Vec<Name>;

struct ContextFile {
    body: Names,
    no_typos: Names,
    always_calm: Names,
    pseudo_triggers: Names,
    second_opinion_needs: Names,
    second_opinion_quiet: Names,
    second_opinion_unless: Names,
    calm_reach_default: usize,
    calm_reach: BTreeMap<String, At<usize>>,
    calm_forward_only: Names,
    calm_about_others: Names,
    writer: Names,
    groups: BTreeMap<String, At<Names>>,
    sentences: SentencesFile,
    history: HistoryFile,
    story: StoryFile,
    modifier: Vec<ModifierFile>,
    derive: Vec<DeriveFile>,
}

const CONTEXT_KEYS: &[&str] = &[
    "body",
    "no_typos",
    "always_calm",
    "pseudo_triggers",
    "second_opinion_needs",
    "second_opinion_quiet",
    "second_opinion_unless",
    "calm_reach_default",
    "calm_reach",
    "calm_forward_only",
    "calm_about_others",
    "writer",
    "groups",
    "sentences",
    "history",
    "story",
    "modifier",
    "derive",
];

#[derive(Default)]
struct StoryFile {
    about: Names,
    people: Names,
    findings: Names,
    markers: Names,
    min_words: usize,
}

const STORY_KEYS: &[&str] = &["about", "people", "findings", "markers", "min_words"];

#[derive(Default)]
struct SentencesFile {
    people: Names,
    times: Names,
    not_subjects: Names,
    reports: Names,
    affirmations: Names,
    pronouns: Vec<String>,
    emoji_words: BTreeMap<String, At<String>>,
    generic_i_after: Names,
    question_words: Names,
    fillers: Names,
    info_markers: Names,
    clause_breakers: Names,
    keep_apostrophe_s: Vec<String>,
}

const SENTENCES_KEYS: &[&str] = &[
    "people",
    "times",
    "not_subjects",
    "reports",
    "affirmations",
    "pronouns",
    "emoji_words",
    "generic_i_after",
    "question_words",
    "fillers",
    "info_markers",
    "clause_breakers",
    "keep_apostrophe_s",
];

#[derive(Default)]
struct HistoryFile {
    past: Names,
    present: Names,
    exempt: Names,
    closed: Names,
    narrative: Names,
    narrative_blockers: Names,
}

const HISTORY_KEYS: &[&str] = &[
    "past",
    "present",
    "exempt",
    "closed",
    "narrative",
    "narrative_blockers",
];

#[derive(Default)]
struct ModifierFile {
    trigger: Name,
    category: Name,
    reach: usize,
    ends_at: Names,
    ends_at_new_subject: usize,
    joined_subject_continues: bool,
    cancelled_by: Names,
}

const MODIFIER_KEYS: &[&str] = &[
    "trigger",
    "category",
    "reach",
    "ends_at",
    "ends_at_new_subject",
    "joined_subject_continues",
    "cancelled_by",
];

#[derive(Default)]
struct DeriveFile {
    first: Name,
    then: Name,
    within: usize,
    order: Name,
    gives: Name,
    on: Name,
    remove: Names,
    remove_first: Names,
    not_followed_by: Vec<String>,
    before_scopes: bool,
    in_sentence: bool,
    not_across: Names,
    same_scope: bool,
}

const DERIVE_KEYS: &[&str] = &[
    "first",
    "then",
    "within",
    "order",
    "gives",
    "on",
    "remove",
    "remove_first",
    "not_followed_by",
    "before_scopes",
    "in_sentence",
    "not_across",
    "same_scope",
];

struct FlagsFile {
    groups: BTreeMap<String, At<Names>>,
    flag: Vec<FlagFile>,
}

const FLAGS_KEYS: &[&str] = &["groups", "flag"];

#[derive(Default)]
struct FlagFile {
    id: Name,
    pattern: Vec<PatternFile>,
}

const FLAG_KEYS: &[&str] = &["id", "pattern"];

#[derive(Default)]
struct PatternFile {
    anchor: Option<Names>,
    sign: At<Names>,
    kinds: Option<At<usize>>,
    reach: Option<usize>,
    scope: Option<Name>,
    need: Vec<NeedFile>,
    calm: Names,
    calm_in_sentence: Names,
    anchor_calm: Names,
    strong: Option<NeedFile>,
    calm_always: Names,
}

const PATTERN_KEYS: &[&str] = &[
    "anchor",
    "sign",
    "kinds",
    "reach",
    "scope",
    "need",
    "calm",
    "calm_in_sentence",
    "anchor_calm",
    "strong",
    "calm_always",
];

#[derive(Default)]
struct NeedFile {
    concepts: Names,
    reach: Option<usize>,
    scope: Option<Name>,
    calm: Names,
    pronoun: bool,
}

const NEED_KEYS: &[&str] = &["concepts", "reach", "scope", "calm", "pronoun"];

// ---------------------------------------------------------------------------
// Reading the files' shape

impl<'t> Shape<'_, '_> {
    fn name(&mut self, node: Node<'t>) -> Name {
        Name {
            text: self.string(node),
            at: node.start(),
        }
    }

    fn names(&mut self, node: Node<'t>) -> Names {
        self.list(node, Self::name)
    }

    fn strings(&mut self, node: Node<'t>) -> Vec<String> {
        self.list(node, Self::string)
    }

    fn groups(&mut self, node: Node<'t>) -> BTreeMap<String, At<Names>> {
        self.map(node, Self::names)
    }

    fn context(&mut self, root: Node<'t>) -> Option<ContextFile> {
        let f = self.fields(root, "ContextFile", CONTEXT_KEYS)?;
        Some(ContextFile {
            body: self.required(f, "body", Self::names),
            no_typos: self.required(f, "no_typos", Self::names),
            always_calm: self.or_default(f, "always_calm", Self::names),
            pseudo_triggers: self.or_default(f, "pseudo_triggers", Self::names),
            second_opinion_needs: self.required(f, "second_opinion_needs", Self::names),
            second_opinion_quiet: self.or_default(f, "second_opinion_quiet", Self::names),
            second_opinion_unless: self.or_default(f, "second_opinion_unless", Self::names),
            calm_reach_default: self.required(f, "calm_reach_default", Self::count),
            calm_reach: self.or_default(f, "calm_reach", |s, n| s.map(n, Self::count)),
            calm_forward_only: self.or_default(f, "calm_forward_only", Self::names),
            calm_about_others: self.or_default(f, "calm_about_others", Self::names),
            writer: self.or_default(f, "writer", Self::names),
            groups: self.or_default(f, "groups", Self::groups),
            sentences: self.required(f, "sentences", Self::sentences),
            history: self.required(f, "history", Self::history),
            story: self.required(f, "story", Self::story),
            modifier: self.or_default(f, "modifier", |s, n| s.list(n, Self::modifier)),
            derive: self.or_default(f, "derive", |s, n| s.list(n, Self::derive)),
        })
    }

    fn sentences(&mut self, node: Node<'t>) -> SentencesFile {
        let Some(f) = self.fields(node, "SentencesFile", SENTENCES_KEYS) else {
            return SentencesFile::default();
        };
        SentencesFile {
            people: self.required(f, "people", Self::names),
            times: self.required(f, "times", Self::names),
            not_subjects: self.or_default(f, "not_subjects", Self::names),
            reports: self.or_default(f, "reports", Self::names),
            affirmations: self.or_default(f, "affirmations", Self::names),
            pronouns: self.or_default(f, "pronouns", Self::strings),
            emoji_words: self.or_default(f, "emoji_words", |s, n| s.map(n, Self::string)),
            generic_i_after: self.required(f, "generic_i_after", Self::names),
            question_words: self.required(f, "question_words", Self::names),
            fillers: self.required(f, "fillers", Self::names),
            info_markers: self.required(f, "info_markers", Self::names),
            clause_breakers: self.required(f, "clause_breakers", Self::names),
            keep_apostrophe_s: self.or_default(f, "keep_apostrophe_s", Self::strings),
        }
    }

    fn history(&mut self, node: Node<'t>) -> HistoryFile {
        let Some(f) = self.fields(node, "HistoryFile", HISTORY_KEYS) else {
            return HistoryFile::default();
        };
        HistoryFile {
            past: self.required(f, "past", Self::names),
            present: self.required(f, "present", Self::names),
            exempt: self.or_default(f, "exempt", Self::names),
            closed: self.or_default(f, "closed", Self::names),
            narrative: self.or_default(f, "narrative", Self::names),
            narrative_blockers: self.or_default(f, "narrative_blockers", Self::names),
        }
    }

    fn story(&mut self, node: Node<'t>) -> StoryFile {
        let Some(f) = self.fields(node, "StoryFile", STORY_KEYS) else {
            return StoryFile::default();
        };
        StoryFile {
            about: self.required(f, "about", Self::names),
            people: self.required(f, "people", Self::names),
            findings: self.required(f, "findings", Self::names),
            markers: self.required(f, "markers", Self::names),
            min_words: self.required(f, "min_words", Self::count),
        }
    }

    fn modifier(&mut self, node: Node<'t>) -> ModifierFile {
        let Some(f) = self.fields(node, "ModifierFile", MODIFIER_KEYS) else {
            return ModifierFile::default();
        };
        ModifierFile {
            trigger: self.required(f, "trigger", Self::name),
            category: self.required(f, "category", Self::name),
            reach: self.required(f, "reach", Self::count),
            ends_at: self.or_default(f, "ends_at", Self::names),
            ends_at_new_subject: self.or_default(f, "ends_at_new_subject", Self::count),
            joined_subject_continues: self.or_default(f, "joined_subject_continues", Self::boolean),
            cancelled_by: self.or_default(f, "cancelled_by", Self::names),
        }
    }

    fn derive(&mut self, node: Node<'t>) -> DeriveFile {
        let Some(f) = self.fields(node, "DeriveFile", DERIVE_KEYS) else {
            return DeriveFile::default();
        };
        DeriveFile {
            first: self.required(f, "first", Self::name),
            then: self.required(f, "then", Self::name),
            within: self.required(f, "within", Self::count),
            order: self.required(f, "order", Self::name),
            gives: self.required(f, "gives", Self::name),
            on: self.required(f, "on", Self::name),
            remove: self.or_default(f, "remove", Self::names),
            remove_first: self.or_default(f, "remove_first", Self::names),
            not_followed_by: self.or_default(f, "not_followed_by", Self::strings),
            before_scopes: self.or_default(f, "before_scopes", Self::boolean),
            in_sentence: self.or_default(f, "in_sentence", Self::boolean),
            not_across: self.or_default(f, "not_across", Self::names),
            same_scope: self.or_default(f, "same_scope", Self::boolean),
        }
    }

    fn flags(&mut self, root: Node<'t>) -> Option<FlagsFile> {
        let f = self.fields(root, "FlagsFile", FLAGS_KEYS)?;
        Some(FlagsFile {
            groups: self.or_default(f, "groups", Self::groups),
            flag: self.required(f, "flag", |s, n| s.list(n, Self::flag)),
        })
    }

    fn flag(&mut self, node: Node<'t>) -> FlagFile {
        let Some(f) = self.fields(node, "FlagFile", FLAG_KEYS) else {
            return FlagFile::default();
        };
        FlagFile {
            id: self.required(f, "id", Self::name),
            pattern: self.required(f, "pattern", |s, n| s.list(n, Self::pattern)),
        }
    }

    fn pattern(&mut self, node: Node<'t>) -> PatternFile {
        let Some(f) = self.fields(node, "PatternFile", PATTERN_KEYS) else {
            return PatternFile::default();
        };
        PatternFile {
            anchor: self.optional(f, "anchor", Self::names),
            sign: self.required(f, "sign", |s, n| (s.names(n), n.start())),
            kinds: self.optional(f, "kinds", |s, n| (s.count(n), n.start())),
            reach: self.optional(f, "reach", Self::count),
            scope: self.optional(f, "scope", Self::name),
            need: self.or_default(f, "need", |s, n| s.list(n, Self::need)),
            calm: self.or_default(f, "calm", Self::names),
            calm_in_sentence: self.or_default(f, "calm_in_sentence", Self::names),
            anchor_calm: self.or_default(f, "anchor_calm", Self::names),
            strong: self.optional(f, "strong", Self::need),
            calm_always: self.or_default(f, "calm_always", Self::names),
        }
    }

    fn need(&mut self, node: Node<'t>) -> NeedFile {
        let Some(f) = self.fields(node, "NeedFile", NEED_KEYS) else {
            return NeedFile::default();
        };
        NeedFile {
            concepts: self.required(f, "concepts", Self::names),
            reach: self.optional(f, "reach", Self::count),
            scope: self.optional(f, "scope", Self::name),
            calm: self.or_default(f, "calm", Self::names),
            pronoun: self.or_default(f, "pronoun", Self::boolean),
        }
    }
}

// ---------------------------------------------------------------------------
// Resolving names to concepts

/// The default reach of a pattern or need, in words.
const DEFAULT_REACH: usize = 8;

/// A data file being resolved: its path and text, for positions.
struct File<'a> {
    path: &'a Path,
    source: &'a str,
}

/// Resolves names to concepts, collecting problems and noting which
/// concepts the rules use.
struct Resolver<'a> {
    concepts: &'a Concepts,
    groups: HashMap<String, ConceptSet>,
    used: HashSet<ConceptId>,
    problems: Vec<Problem>,
}

impl Resolver<'_> {
    fn problem(&mut self, file: &File<'_>, offset: usize, message: impl Into<String>) {
        self.problems
            .push(Problem::at_offset(file.path, file.source, offset, message));
    }

    /// One name: a group or a concept.
    fn name(&mut self, file: &File<'_>, name: &Name) -> ConceptSet {
        if let Some(set) = self.groups.get(&name.text) {
            return *set;
        }
        match self.concepts.get(&name.text) {
            Some(id) => {
                self.used.insert(id);
                ConceptSet::one(id)
            }
            None => {
                self.problem(
                    file,
                    name.at,
                    format!(
                        "unknown concept or group `{}` (concepts come from lexicon.tsv or a \
                         derive's `gives`; groups from [groups])",
                        name.text
                    ),
                );
                ConceptSet::EMPTY
            }
        }
    }

    /// A list of names.
    fn names(&mut self, file: &File<'_>, names: &[Name]) -> ConceptSet {
        names.iter().fold(ConceptSet::EMPTY, |set, name| {
            set.union(self.name(file, name))
        })
    }

    /// Resolves a file's `[groups]` (members must be concepts).
    fn groups(&mut self, file: &File<'_>, groups: &BTreeMap<String, At<Names>>) {
        for (name, (members, at)) in groups {
            if self.groups.contains_key(name) || self.concepts.get(name).is_some() {
                self.problem(
                    file,
                    *at,
                    format!("group `{name}` is defined twice or shares a concept's name"),
                );
                continue;
            }
            let set = self.names(file, members);
            self.groups.insert(name.clone(), set);
        }
    }

    /// A `scope` string or a `reach`, for patterns and needs.
    fn scope(&mut self, file: &File<'_>, scope: Option<&Name>, reach: Option<usize>) -> Scope {
        match scope {
            None => Scope::Reach(reach.unwrap_or(DEFAULT_REACH)),
            Some(scope) => match scope.text.as_str() {
                "sentence" => Scope::Sentence,
                "message" => Scope::Message,
                other => {
                    self.problem(
                        file,
                        scope.at,
                        format!("scope must be \"sentence\" or \"message\", not {other:?}"),
                    );
                    Scope::Reach(reach.unwrap_or(DEFAULT_REACH))
                }
            },
        }
    }

    fn need(&mut self, file: &File<'_>, need: &NeedFile) -> Need {
        Need {
            concepts: self.names(file, &need.concepts),
            scope: self.scope(file, need.scope.as_ref(), need.reach),
            calm: self.names(file, &need.calm),
            pronoun: need.pronoun,
        }
    }

    /// One of two words, as a flag: `yes` gives true, `no` false, anything
    /// else a problem (and true).
    fn choice(&mut self, file: &File<'_>, key: &str, value: &Name, yes: &str, no: &str) -> bool {
        match value.text.as_str() {
            text if text == yes => true,
            text if text == no => false,
            other => {
                self.problem(
                    file,
                    value.at,
                    format!("{key} must be \"{yes}\" or \"{no}\", not {other:?}"),
                );
                true
            }
        }
    }

    /// `[calm_reach]`: each concept's reach.
    fn calm_reach(
        &mut self,
        file: &File<'_>,
        calm_reach: &BTreeMap<String, At<usize>>,
    ) -> Vec<(ConceptId, usize)> {
        let mut out = Vec::new();
        for (name, (reach, at)) in calm_reach {
            match self.concepts.get(name) {
                Some(id) => {
                    self.used.insert(id);
                    out.push((id, *reach));
                }
                None => self.problem(
                    file,
                    *at,
                    format!("unknown concept `{name}` in [calm_reach]"),
                ),
            }
        }
        out
    }

    /// `[sentences]`.
    fn sentences(&mut self, file: &File<'_>, sentences: &SentencesFile) -> SentenceRules {
        SentenceRules {
            people: self.names(file, &sentences.people),
            times: self.names(file, &sentences.times),
            not_subjects: self.names(file, &sentences.not_subjects),
            reports: self.names(file, &sentences.reports),
            affirmations: self.names(file, &sentences.affirmations),
            pronouns: sentences.pronouns.clone(),
            emoji_words: sentences
                .emoji_words
                .iter()
                .filter_map(|(emoji, (word, _))| {
                    let mut chars = emoji.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => Some((c, word.clone())),
                        _ => None,
                    }
                })
                .collect(),
            generic_i_after: self.names(file, &sentences.generic_i_after),
            question_words: self.names(file, &sentences.question_words),
            fillers: self.names(file, &sentences.fillers),
            info_markers: self.names(file, &sentences.info_markers),
            clause_breakers: self.names(file, &sentences.clause_breakers),
            keep_apostrophe_s: sentences.keep_apostrophe_s.clone(),
        }
    }

    /// `[story]`.
    fn story(&mut self, file: &File<'_>, story: &StoryFile) -> StoryRules {
        StoryRules {
            about: self.names(file, &story.about),
            people: self.names(file, &story.people),
            findings: self.names(file, &story.findings),
            markers: self.names(file, &story.markers),
            min_words: story.min_words,
        }
    }

    /// One `[[modifier]]`.
    fn modifier(&mut self, file: &File<'_>, modifier: &ModifierFile) -> Modifier {
        let category = &modifier.category;
        if !matches!(category.text.as_str(), "negated" | "hypothetical") {
            self.problem(
                file,
                category.at,
                format!(
                    "category must be \"negated\" or \"hypothetical\", not {:?}",
                    category.text
                ),
            );
        }
        Modifier {
            trigger: self.name(file, &modifier.trigger),
            reach: modifier.reach,
            ends_at: self.names(file, &modifier.ends_at),
            ends_at_new_subject: modifier.ends_at_new_subject,
            joined_subject_continues: modifier.joined_subject_continues,
            cancelled_by: self.names(file, &modifier.cancelled_by),
        }
    }

    /// One `[[derive]]`.
    fn derive(&mut self, file: &File<'_>, derive: &DeriveFile) -> Derive {
        let next = self.choice(file, "order", &derive.order, "next", "either");
        let on_first = self.choice(file, "on", &derive.on, "first", "then");
        Derive {
            first: self.name(file, &derive.first),
            then: self.name(file, &derive.then),
            within: derive.within,
            next,
            gives: self.name(file, &derive.gives),
            on_first,
            remove: self.names(file, &derive.remove),
            remove_first: self.names(file, &derive.remove_first),
            not_followed_by: derive.not_followed_by.clone(),
            before_scopes: derive.before_scopes,
            in_sentence: derive.in_sentence,
            not_across: self.names(file, &derive.not_across),
            same_scope: derive.same_scope,
        }
    }
}

/// The three files of the screen, as (path, text).
pub struct Sources<'a> {
    /// `lexicon.tsv`.
    pub lexicon: (&'a Path, &'a str),
    /// `context.toml`.
    pub context: (&'a Path, &'a str),
    /// `flags.toml`.
    pub flags: (&'a Path, &'a str),
    /// `model.tsv`.
    pub model: (&'a Path, &'a str),
}

/// Reads the context and flag files over the lexicon's concepts. Returns the
/// rules and the concepts they use (for the unused-concept check), or
/// nothing when a file could not be read at all.
pub fn read(
    sources: &Sources<'_>,
    concepts: &mut Concepts,
    problems: &mut Vec<Problem>,
) -> Option<(Rules, HashSet<ConceptId>)> {
    let context_file = File {
        path: sources.context.0,
        source: sources.context.1,
    };
    let flags_file = File {
        path: sources.flags.0,
        source: sources.flags.1,
    };
    let context = read_shape(
        context_file.path,
        context_file.source,
        problems,
        |shape, root| shape.context(root),
    );
    let flags = read_shape(
        flags_file.path,
        flags_file.source,
        problems,
        |shape, root| shape.flags(root),
    );
    let (context, flags) = (context?, flags?);

    // Concepts given by derives and by the tokenizer exist besides the
    // lexicon's.
    let fever_reading = concepts.intern("fever_reading")?;
    let year = concepts.intern("year")?;
    for derive in &context.derive {
        if concepts.intern(&derive.gives.text).is_none() {
            problems.push(Problem::at_offset(
                context_file.path,
                context_file.source,
                derive.gives.at,
                "too many concepts",
            ));
        }
    }

    let mut resolver = Resolver {
        concepts,
        groups: HashMap::new(),
        used: HashSet::from([fever_reading, year]),
        problems: Vec::new(),
    };
    resolver.groups(&context_file, &context.groups);
    resolver.groups(&flags_file, &flags.groups);
    let mut rules = context_rules(
        &mut resolver,
        &context_file,
        &context,
        [fever_reading, year],
    );
    rules.flags = flag_patterns(&mut resolver, &flags_file, &flags)
        .into_iter()
        .collect();
    problems.append(&mut resolver.problems);
    Some((rules, resolver.used))
}

/// The rules of context.toml, its names resolved (the flags are added
/// after), with the concepts the screen gives numbers: a fever reading and
/// a year.
fn context_rules(
    resolver: &mut Resolver<'_>,
    file: &File<'_>,
    context: &ContextFile,
    [fever_reading, year]: [ConceptId; 2],
) -> Rules {
    let body = resolver.names(file, &context.body);
    let no_typos = resolver.names(file, &context.no_typos);
    let always_calm = resolver.names(file, &context.always_calm);
    resolver.names(file, &context.pseudo_triggers);
    let second_opinion_needs = resolver.names(file, &context.second_opinion_needs);
    let second_opinion_quiet = resolver.names(file, &context.second_opinion_quiet);
    let second_opinion_unless = resolver.names(file, &context.second_opinion_unless);
    let calm_reach = resolver.calm_reach(file, &context.calm_reach);
    let max_calm_reach = calm_reach
        .iter()
        .map(|(_, reach)| *reach)
        .chain([context.calm_reach_default])
        .max()
        .unwrap_or(context.calm_reach_default);
    let sentences = resolver.sentences(file, &context.sentences);
    let calm_forward_only = resolver.names(file, &context.calm_forward_only);
    let calm_about_others = resolver.names(file, &context.calm_about_others);
    let writer = resolver.names(file, &context.writer);
    let history = &context.history;
    Rules {
        body,
        second_opinion_needs,
        second_opinion_quiet,
        second_opinion_unless,
        no_typos,
        always_calm,
        calm_reach_default: context.calm_reach_default,
        calm_reach,
        max_calm_reach,
        calm_forward_only,
        calm_about_others,
        writer,
        sentences,
        history_past: resolver.names(file, &history.past),
        history_present: resolver.names(file, &history.present),
        history_exempt: resolver.names(file, &history.exempt),
        history_closed: resolver.names(file, &history.closed),
        history_narrative: resolver.names(file, &history.narrative),
        history_narrative_blockers: resolver.names(file, &history.narrative_blockers),
        story: resolver.story(file, &context.story),
        modifiers: context
            .modifier
            .iter()
            .map(|modifier| resolver.modifier(file, modifier))
            .collect(),
        derives: context
            .derive
            .iter()
            .map(|derive| resolver.derive(file, derive))
            .collect(),
        fever_reading,
        year,
        flags: Vec::new(),
    }
}

/// Each red flag's patterns in flags.toml, with a problem for an unknown
/// flag, a flag defined twice or without a pattern, and a flag missing.
fn flag_patterns(
    resolver: &mut Resolver<'_>,
    file: &File<'_>,
    flags: &FlagsFile,
) -> BTreeMap<RedFlag, Vec<Pattern>> {
    let mut by_flag: BTreeMap<RedFlag, Vec<Pattern>> = BTreeMap::new();
    for flag in &flags.flag {
        let Some(red_flag) =
            RedFlag::from_id(&flag.id.text).filter(|flag| *flag != RedFlag::Possible)
        else {
            resolver.problem(
                file,
                flag.id.at,
                format!(
                    "unknown red flag `{}` (expected one of: {})",
                    flag.id.text,
                    RedFlag::ALL
                        .iter()
                        .filter(|flag| **flag != RedFlag::Possible)
                        .map(|flag| flag.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            continue;
        };
        if by_flag.contains_key(&red_flag) {
            resolver.problem(
                file,
                flag.id.at,
                format!("red flag `{}` is defined twice", flag.id.text),
            );
            continue;
        }
        if flag.pattern.is_empty() {
            resolver.problem(file, flag.id.at, "a red flag needs a [[flag.pattern]]");
        }
        let patterns = flag
            .pattern
            .iter()
            .map(|pattern| flag_pattern(resolver, file, pattern))
            .collect();
        by_flag.insert(red_flag, patterns);
    }
    for red_flag in RedFlag::ALL {
        if red_flag != RedFlag::Possible && !by_flag.contains_key(&red_flag) {
            resolver.problem(
                file,
                0,
                format!("red flag `{}` has no [[flag]] here", red_flag.id()),
            );
        }
    }
    by_flag
}

/// One `[[flag.pattern]]`, its names resolved.
fn flag_pattern(resolver: &mut Resolver<'_>, file: &File<'_>, pattern: &PatternFile) -> Pattern {
    let (sign_names, sign_at) = &pattern.sign;
    let sign = resolver.names(file, sign_names);
    let kinds = pattern.kinds.as_ref().map_or(1, |(kinds, _)| *kinds);
    if let Some((_, kinds_at)) = &pattern.kinds
        && (kinds == 0 || kinds > sign.iter().count())
    {
        resolver.problem(
            file,
            *kinds_at,
            "kinds must be at least 1 and at most the number of sign concepts",
        );
    }
    if sign_names.is_empty() {
        resolver.problem(file, *sign_at, "sign must not be empty");
    }
    Pattern {
        anchor: pattern
            .anchor
            .as_ref()
            .map(|names| resolver.names(file, names)),
        sign,
        kinds,
        scope: resolver.scope(file, pattern.scope.as_ref(), pattern.reach),
        needs: pattern
            .need
            .iter()
            .map(|need| resolver.need(file, need))
            .collect(),
        calm: resolver.names(file, &pattern.calm),
        calm_in_sentence: resolver.names(file, &pattern.calm_in_sentence),
        anchor_calm: resolver.names(file, &pattern.anchor_calm),
        strong: pattern
            .strong
            .as_ref()
            .map(|need| resolver.need(file, need)),
        calm_always: resolver.names(file, &pattern.calm_always),
    }
}
