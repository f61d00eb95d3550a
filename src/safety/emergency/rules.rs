//! The emergency screen's reading rules, read from `faq/emergency/context.toml`
//! (modifiers, derived concepts, how questions are told apart) and
//! `faq/emergency/flags.toml` (each red flag as combinations of concepts).
//!
//! The files are read with serde; every name in them is then resolved to a
//! concept of the lexicon, and every problem is reported with its file, line
//! and column. Nothing here knows what a leg is: that is all data.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::RedFlag;
use super::lexicon::{ConceptId, ConceptSet, Concepts};
use crate::problem::Problem;

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

type Names = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    body: Names,
    no_typos: Names,
    #[serde(default)]
    always_calm: Names,
    #[serde(default)]
    pseudo_triggers: Names,
    second_opinion_needs: Names,
    calm_reach_default: usize,
    #[serde(default)]
    calm_reach: BTreeMap<String, Spanned<usize>>,
    #[serde(default)]
    calm_forward_only: Names,
    #[serde(default)]
    calm_about_others: Names,
    #[serde(default)]
    writer: Names,
    #[serde(default)]
    groups: BTreeMap<String, Spanned<Names>>,
    sentences: SentencesFile,
    history: HistoryFile,
    story: StoryFile,
    #[serde(default)]
    modifier: Vec<ModifierFile>,
    #[serde(default)]
    derive: Vec<DeriveFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoryFile {
    about: Names,
    people: Names,
    findings: Names,
    markers: Names,
    min_words: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SentencesFile {
    people: Names,
    times: Names,
    #[serde(default)]
    not_subjects: Names,
    #[serde(default)]
    reports: Names,
    #[serde(default)]
    affirmations: Names,
    #[serde(default)]
    pronouns: Vec<String>,
    #[serde(default)]
    emoji_words: BTreeMap<String, String>,
    generic_i_after: Names,
    question_words: Names,
    fillers: Names,
    info_markers: Names,
    clause_breakers: Names,
    #[serde(default)]
    keep_apostrophe_s: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile {
    past: Names,
    present: Names,
    #[serde(default)]
    exempt: Names,
    #[serde(default)]
    closed: Names,
    #[serde(default)]
    narrative: Names,
    #[serde(default)]
    narrative_blockers: Names,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModifierFile {
    trigger: Spanned<String>,
    category: Spanned<String>,
    reach: usize,
    #[serde(default)]
    ends_at: Names,
    #[serde(default)]
    ends_at_new_subject: usize,
    #[serde(default)]
    joined_subject_continues: bool,
    #[serde(default)]
    cancelled_by: Names,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeriveFile {
    first: Spanned<String>,
    then: Spanned<String>,
    within: usize,
    order: Spanned<String>,
    gives: Spanned<String>,
    on: Spanned<String>,
    #[serde(default)]
    remove: Names,
    #[serde(default)]
    remove_first: Names,
    #[serde(default)]
    not_followed_by: Vec<String>,
    #[serde(default)]
    before_scopes: bool,
    #[serde(default)]
    in_sentence: bool,
    #[serde(default)]
    not_across: Names,
    #[serde(default)]
    same_scope: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagsFile {
    #[serde(default)]
    groups: BTreeMap<String, Spanned<Names>>,
    flag: Vec<FlagFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagFile {
    id: Spanned<String>,
    pattern: Vec<PatternFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    anchor: Option<Names>,
    sign: Spanned<Names>,
    kinds: Option<Spanned<usize>>,
    reach: Option<usize>,
    scope: Option<Spanned<String>>,
    #[serde(default)]
    need: Vec<NeedFile>,
    #[serde(default)]
    calm: Names,
    #[serde(default)]
    calm_in_sentence: Names,
    #[serde(default)]
    anchor_calm: Names,
    strong: Option<NeedFile>,
    #[serde(default)]
    calm_always: Names,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedFile {
    concepts: Names,
    reach: Option<usize>,
    scope: Option<Spanned<String>>,
    #[serde(default)]
    calm: Names,
    #[serde(default)]
    pronoun: bool,
}

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
    fn name(&mut self, file: &File<'_>, name: &Spanned<String>) -> ConceptSet {
        if let Some(set) = self.groups.get(name.get_ref()) {
            return *set;
        }
        match self.concepts.get(name.get_ref()) {
            Some(id) => {
                self.used.insert(id);
                ConceptSet::one(id)
            }
            None => {
                self.problem(
                    file,
                    name.span().start,
                    format!(
                        "unknown concept or group `{}` (concepts come from lexicon.tsv or a \
                         derive's `gives`; groups from [groups])",
                        name.get_ref()
                    ),
                );
                ConceptSet::EMPTY
            }
        }
    }

    /// A list of names.
    fn names(&mut self, file: &File<'_>, names: &[Spanned<String>]) -> ConceptSet {
        names.iter().fold(ConceptSet::EMPTY, |set, name| {
            set.union(self.name(file, name))
        })
    }

    /// Resolves a file's `[groups]` (members must be concepts).
    fn groups(&mut self, file: &File<'_>, groups: &BTreeMap<String, Spanned<Names>>) {
        for (name, members) in groups {
            if self.groups.contains_key(name) || self.concepts.get(name).is_some() {
                self.problem(
                    file,
                    members.span().start,
                    format!("group `{name}` is defined twice or shares a concept's name"),
                );
                continue;
            }
            let set = self.names(file, members.get_ref());
            self.groups.insert(name.clone(), set);
        }
    }

    /// A `scope` string or a `reach`, for patterns and needs.
    fn scope(
        &mut self,
        file: &File<'_>,
        scope: Option<&Spanned<String>>,
        reach: Option<usize>,
    ) -> Scope {
        match scope {
            None => Scope::Reach(reach.unwrap_or(DEFAULT_REACH)),
            Some(scope) => match scope.get_ref().as_str() {
                "sentence" => Scope::Sentence,
                "message" => Scope::Message,
                other => {
                    self.problem(
                        file,
                        scope.span().start,
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
}

/// Reads a TOML file with serde; a syntax or shape error becomes one problem
/// at its position.
fn parse<T: serde::de::DeserializeOwned>(
    file: &File<'_>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match toml::from_str::<T>(file.source) {
        Ok(value) => Some(value),
        Err(error) => {
            let offset = error.span().map_or(0, |span| span.start);
            problems.push(Problem::at_offset(
                file.path,
                file.source,
                offset,
                format!("invalid: {}", error.message().trim()),
            ));
            None
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
    let context: Option<ContextFile> = parse(&context_file, problems);
    let flags: Option<FlagsFile> = parse(&flags_file, problems);
    let (context, flags) = (context?, flags?);

    // Concepts given by derives and by the tokenizer exist besides the
    // lexicon's.
    let fever_reading = concepts.intern("fever_reading")?;
    let year = concepts.intern("year")?;
    for derive in &context.derive {
        if concepts.intern(derive.gives.get_ref()).is_none() {
            problems.push(Problem::at_offset(
                context_file.path,
                context_file.source,
                derive.gives.span().start,
                "too many concepts",
            ));
        }
    }

    let mut resolver = Resolver {
        concepts,
        groups: HashMap::new(),
        used: HashSet::new(),
        problems: Vec::new(),
    };
    resolver.used.insert(fever_reading);
    resolver.used.insert(year);
    resolver.groups(&context_file, &context.groups);
    resolver.groups(&flags_file, &flags.groups);

    let file = &context_file;
    let body = resolver.names(file, &context.body);
    let no_typos = resolver.names(file, &context.no_typos);
    let always_calm = resolver.names(file, &context.always_calm);
    resolver.names(file, &context.pseudo_triggers);
    let second_opinion_needs = resolver.names(file, &context.second_opinion_needs);
    let mut calm_reach = Vec::new();
    for (name, reach) in &context.calm_reach {
        match resolver.concepts.get(name) {
            Some(id) => {
                resolver.used.insert(id);
                calm_reach.push((id, *reach.get_ref()));
            }
            None => resolver.problem(
                file,
                reach.span().start,
                format!("unknown concept `{name}` in [calm_reach]"),
            ),
        }
    }
    let max_calm_reach = calm_reach
        .iter()
        .map(|(_, reach)| *reach)
        .chain([context.calm_reach_default])
        .max()
        .unwrap_or(context.calm_reach_default);
    let sentences = SentenceRules {
        people: resolver.names(file, &context.sentences.people),
        times: resolver.names(file, &context.sentences.times),
        not_subjects: resolver.names(file, &context.sentences.not_subjects),
        reports: resolver.names(file, &context.sentences.reports),
        affirmations: resolver.names(file, &context.sentences.affirmations),
        pronouns: context.sentences.pronouns.clone(),
        emoji_words: context
            .sentences
            .emoji_words
            .iter()
            .filter_map(|(emoji, word)| {
                let mut chars = emoji.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some((c, word.clone())),
                    _ => None,
                }
            })
            .collect(),
        generic_i_after: resolver.names(file, &context.sentences.generic_i_after),
        question_words: resolver.names(file, &context.sentences.question_words),
        fillers: resolver.names(file, &context.sentences.fillers),
        info_markers: resolver.names(file, &context.sentences.info_markers),
        clause_breakers: resolver.names(file, &context.sentences.clause_breakers),
        keep_apostrophe_s: context.sentences.keep_apostrophe_s.clone(),
    };
    let calm_forward_only = resolver.names(file, &context.calm_forward_only);
    let calm_about_others = resolver.names(file, &context.calm_about_others);
    let writer = resolver.names(file, &context.writer);
    let history_past = resolver.names(file, &context.history.past);
    let history_present = resolver.names(file, &context.history.present);
    let history_exempt = resolver.names(file, &context.history.exempt);
    let history_closed = resolver.names(file, &context.history.closed);
    let history_narrative = resolver.names(file, &context.history.narrative);
    let history_narrative_blockers = resolver.names(file, &context.history.narrative_blockers);
    let story = StoryRules {
        about: resolver.names(file, &context.story.about),
        people: resolver.names(file, &context.story.people),
        findings: resolver.names(file, &context.story.findings),
        markers: resolver.names(file, &context.story.markers),
        min_words: context.story.min_words,
    };
    let modifiers = context
        .modifier
        .iter()
        .map(|modifier| {
            let category = modifier.category.get_ref();
            if !matches!(category.as_str(), "negated" | "hypothetical") {
                resolver.problem(
                    file,
                    modifier.category.span().start,
                    format!("category must be \"negated\" or \"hypothetical\", not {category:?}"),
                );
            }
            Modifier {
                trigger: resolver.name(file, &modifier.trigger),
                reach: modifier.reach,
                ends_at: resolver.names(file, &modifier.ends_at),
                ends_at_new_subject: modifier.ends_at_new_subject,
                joined_subject_continues: modifier.joined_subject_continues,
                cancelled_by: resolver.names(file, &modifier.cancelled_by),
            }
        })
        .collect();
    let derives = context
        .derive
        .iter()
        .map(|derive| {
            let next = match derive.order.get_ref().as_str() {
                "next" => true,
                "either" => false,
                other => {
                    resolver.problem(
                        file,
                        derive.order.span().start,
                        format!("order must be \"next\" or \"either\", not {other:?}"),
                    );
                    true
                }
            };
            let on_first = match derive.on.get_ref().as_str() {
                "first" => true,
                "then" => false,
                other => {
                    resolver.problem(
                        file,
                        derive.on.span().start,
                        format!("on must be \"first\" or \"then\", not {other:?}"),
                    );
                    true
                }
            };
            Derive {
                first: resolver.name(file, &derive.first),
                then: resolver.name(file, &derive.then),
                within: derive.within,
                next,
                gives: resolver.name(file, &derive.gives),
                on_first,
                remove: resolver.names(file, &derive.remove),
                remove_first: resolver.names(file, &derive.remove_first),
                not_followed_by: derive.not_followed_by.clone(),
                before_scopes: derive.before_scopes,
                in_sentence: derive.in_sentence,
                not_across: resolver.names(file, &derive.not_across),
                same_scope: derive.same_scope,
            }
        })
        .collect();

    let by_flag = flag_patterns(&mut resolver, &flags_file, &flags);

    problems.append(&mut resolver.problems);
    let used = resolver.used;
    Some((
        Rules {
            body,
            second_opinion_needs,
            no_typos,
            always_calm,
            calm_reach_default: context.calm_reach_default,
            calm_reach,
            max_calm_reach,
            calm_forward_only,
            calm_about_others,
            writer,
            modifiers,
            derives,
            sentences,
            history_past,
            history_present,
            history_exempt,
            history_closed,
            history_narrative,
            history_narrative_blockers,
            story,
            fever_reading,
            year,
            flags: by_flag.into_iter().collect(),
        },
        used,
    ))
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
            RedFlag::from_id(flag.id.get_ref()).filter(|flag| *flag != RedFlag::Possible)
        else {
            resolver.problem(
                file,
                flag.id.span().start,
                format!(
                    "unknown red flag `{}` (expected one of: {})",
                    flag.id.get_ref(),
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
                flag.id.span().start,
                format!("red flag `{}` is defined twice", flag.id.get_ref()),
            );
            continue;
        }
        if flag.pattern.is_empty() {
            resolver.problem(
                file,
                flag.id.span().start,
                "a red flag needs a [[flag.pattern]]",
            );
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
    let sign = resolver.names(file, pattern.sign.get_ref());
    let kinds = pattern.kinds.as_ref().map_or(1, |kinds| *kinds.get_ref());
    if let Some(spanned) = &pattern.kinds
        && (kinds == 0 || kinds > sign.iter().count())
    {
        resolver.problem(
            file,
            spanned.span().start,
            "kinds must be at least 1 and at most the number of sign concepts",
        );
    }
    if pattern.sign.get_ref().is_empty() {
        resolver.problem(file, pattern.sign.span().start, "sign must not be empty");
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
