//! The matcher: is this chat message a question the FAQ answers?
//!
//! For any message it decides **answer** (one entry, confident), **suggest**
//! (up to three entries, "did you mean") or **none**. A wrong confident answer
//! in a health chat is worse than none, so every doubt moves the decision
//! towards suggest or none.
//!
//! How a message is read (the same steps are applied to the FAQ's own
//! questions, alternate phrasings and keywords when the index is built):
//!
//! 1. [`crate::text::clean`]: lower case, no markup, mentions, links, code,
//!    emoji, accents.
//! 2. Typo correction: a word the FAQ never uses is replaced by the nearest
//!    word it does use (Damerau–Levenshtein distance), at a discount. Known
//!    words are found through a deletion index so the cost does not grow with
//!    the FAQ: the variants of a word with one or two letters deleted are
//!    hashed where they stand (never built as strings), and only the few
//!    known words sharing a variant hash are compared. Words of four letters
//!    or fewer are never corrected; chat spellings of small words ("wen",
//!    "wat", "shud") are listed in `faq/synonyms.toml` instead. Up to eight
//!    letters, one edit is allowed; two from nine letters ("crashing" is not
//!    "cramping").
//! 3. Synonyms and spelling variants from `faq/synonyms.toml`.
//! 4. Stop words dropped, the rest stemmed (Snowball English). Two kinds of
//!    word stay in the message but count for (almost) nothing: a clinician
//!    quoted in a story ("my doctor said", "the GP mentioned"), and what
//!    follows "apart from", "other than", "besides" or "except" (what the
//!    question is not about).
//!
//! How an entry is scored: every term has a weight from how many entries use
//! it (inverse document frequency), so "leg", "pain" and "walking", which every
//! entry shares, count for little, and "sciatica" counts for much. An entry
//! scores by its best phrasing: how much of that phrasing's weight the message
//! contains (recall), times how much of the message's weight the entry
//! explains (precision), which keeps chatty or off-topic messages from
//! borrowing one shared word. Long messages are also scored sentence by
//! sentence, so a question buried in a story is found. An entry needs some
//! distinctive evidence to be scored at all, unless the message says the
//! whole of one of its phrasings ("why do my legs hurt when I walk" is all
//! common words, and exactly how people ask for the overview of causes).
//!
//! How the decision is made: the best entry is answered when its score
//! reaches the answer threshold and it leads the second by the margin (both
//! in config). When the second explains nothing of the message that the best
//! does not, while the best explains a distinctive term more, the second is a
//! more general reading of the same words and a small lead is enough. Before
//! any of that, the message must be about legs and walking (`[topic]` in
//! `faq/synonyms.toml`: body parts and conditions count; "walking" counts
//! only with a symptom word, so "walking 10k steps for weight loss" is not)
//! and must ask something: a question, a request, a fragment, or a symptom
//! told about a leg ("cramp in my calves every night").
//!
//! Only entries that share a distinctive term with the message are scored
//! (an inverted index), each phrasing's share is summed through a per-entry
//! term -> phrasings table, and a sentence's whole-message discount is worked
//! out once per entry. `cargo bench --bench matcher` measures a decision at
//! 10,000 synthetic entries (well under a millisecond) and at the real FAQ
//! grown to 10,000 entries (`decide_grown`: milliseconds, far from the
//! target; README, issue 14).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::fasthash::{FastMap, FastSet};

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

use super::body::{BodyIndex, Standing};
use super::calibration::{Calibration, Features};
use super::model::{Faq, FaqEntry};
use super::synonyms::Synonyms;
use crate::text;

/// What [`Matcher::rank_with_evidence`] finds out about a message.
struct Ranking {
    /// Every candidate entry, best first.
    ranked: Vec<Candidate>,
    /// What the message says about its subject.
    evidence: Evidence,
    /// The share of the message's FAQ terms the best candidate explains.
    best_share: f32,
    /// The weight of the message's terms that the best candidate explains
    /// and the second does not.
    first_adds: f32,
    /// The weight of the message's terms that the second candidate explains
    /// and the best does not.
    second_adds: f32,
    /// Whether the best and the second candidate each have a phrasing that
    /// is exactly the message ([`Scored::exact`]).
    exact: (bool, bool),
    /// How many sentences the message has.
    sentences: usize,
    /// Each ranked candidate's index in the matcher's entries.
    indices: Vec<usize>,
}

/// Thresholds and limits of the matcher; `[matcher]` in the config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatcherSettings {
    /// Lowest score (0–1) at which the best entry is given as an answer.
    pub answer_threshold: f32,
    /// Lowest score (0–1) at which an entry is offered as "did you mean".
    pub suggest_threshold: f32,
    /// How far (0–1) the best entry must lead the second to be answered
    /// outright; closer than this, both are suggested instead.
    pub min_margin: f32,
    /// How many entries "did you mean" offers at most.
    pub max_suggestions: usize,
    /// The folder of the sentence encoder for the semantic second opinion
    /// (`scripts/fetch-model` puts it in `models/all-MiniLM-L6-v2`); only a
    /// build with the `semantic` feature uses it. Unset: no second opinion.
    pub semantic_model: Option<std::path::PathBuf>,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        MatcherSettings {
            answer_threshold: 0.58,
            suggest_threshold: 0.35,
            min_margin: 0.12,
            max_suggestions: 3,
            semantic_model: None,
        }
    }
}

/// What the matcher decided for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The best candidate answers the message.
    Answer,
    /// The candidates might: offer them as "did you mean".
    Suggest,
    /// Not a question this FAQ answers: stay silent.
    None,
}

/// An entry the message may be about, with its score (0–1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The entry's id.
    pub id: String,
    /// How well the message matches the entry, 0–1.
    pub score: f32,
}

/// The matcher's verdict: the decision and the best candidates, best first
/// (at most [`MatcherSettings::max_suggestions`]). For [`Decision::Answer`]
/// the first candidate is the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Answer, suggest or none.
    pub decision: Decision,
    /// The best-scoring entries, best first.
    pub candidates: Vec<Candidate>,
    /// The answer came from the calibrated second look, not the rules: the
    /// reply offers the other candidates ("not what you asked?").
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub second_look: bool,
}

impl Verdict {
    /// The answering entry's id, when the decision is to answer.
    pub fn answer_id(&self) -> Option<&str> {
        match self.decision {
            Decision::Answer => self.candidates.first().map(|c| c.id.as_str()),
            _ => None,
        }
    }
}

/// What the calibrated second look saw for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondLook {
    /// What the rules alone decided.
    pub rules: Decision,
    /// Whether the second look could answer it: the rules did not, and the
    /// message is about legs and walking more than about anything else.
    pub eligible: bool,
    /// The entries it weighed (the matcher's best, and the second
    /// opinion's best when that differs), each with its features.
    pub weighed: Vec<(String, Features)>,
}

type TermId = u32;

/// An entry's best score for a message so far, and the share of the
/// message's FAQ-term weight the entry explains.
#[derive(Debug, Clone, Copy, Default)]
struct Scored {
    score: f32,
    term_share: f32,
    /// One of the entry's phrasings is the message, word for word after
    /// stop words, synonyms and stemming: the phrasing has nothing the
    /// message lacks and the message nothing the phrasing lacks (not even a
    /// word the FAQ does not know).
    exact: bool,
}

/// Discount for a word found through typo correction, by edit distance.
const TYPO_FACTOR: [f32; 3] = [1.0, 0.85, 0.65];
/// Weight of a message word the FAQ knows (it appears in some answer) but no
/// question or phrasing uses: mild evidence that the message is about
/// something else.
const KNOWN_UNMATCHED_WEIGHT: f32 = 0.6;
/// Weight of a message word the FAQ never uses, relative to the weight of a
/// term used by a single entry: strong evidence the message is about
/// something else.
const UNKNOWN_WEIGHT_SHARE: f32 = 0.7;
/// Weight of a message word of one or two letters, or a number.
const SHORT_WORD_WEIGHT: f32 = 0.2;
/// At most this many words of a message (or of one of its sentences) are read.
const MAX_WORDS: usize = 400;
/// Terms below this weight do not pull an entry into the candidate set (they
/// still count when a candidate is scored).
const RETRIEVAL_MIN_WEIGHT: f32 = 0.5;
/// A message must carry at least this much matched term weight for an entry
/// to be answered or suggested at all.
const MIN_EVIDENCE: f32 = 1.0;
/// When the second candidate explains no more of the message than this
/// weight beyond what the best explains, and the best explains a distinctive
/// term more, the second is a more general reading of the same words, and
/// the best needs only [`DOMINATED_MARGIN`] of a lead over it.
const DOMINATED_ADDS: f32 = 0.1;
const DOMINATED_MARGIN: f32 = 0.05;
/// The share of a phrasing's weight that counts as all of it (typo discounts
/// aside): a message that says all of a phrasing needs no more evidence.
const COMPLETE_PHRASING: f32 = 0.999;

/// Words with no topic in them beyond [`text::FUNCTION_WORDS`]: chat
/// filler, hedges, times and vague words. The matcher drops both lists from
/// messages and FAQ text alike ([`all_stop_words`]). "no", "not", "help" and
/// "need" are not among them: what they say matters to an answer.
const TOPICLESS_WORDS: &[&str] = &[
    "above",
    "actually",
    "again",
    "all",
    "anybody",
    "being",
    "bit",
    "both",
    "couldnt",
    "didnt",
    "doesnt",
    "e",
    "eg",
    "else",
    "etc",
    "even",
    "ever",
    "every",
    "g",
    "gets",
    "getting",
    "guys",
    "here",
    "hers",
    "him",
    "id",
    "ie",
    "ill",
    "isnt",
    "kind",
    "kinda",
    "lol",
    "lots",
    "might",
    "mine",
    "more",
    "most",
    "must",
    "myself",
    "off",
    "oh",
    "one",
    "other",
    "out",
    "pls",
    "plz",
    "quite",
    "right",
    "something",
    "sort",
    "such",
    "thats",
    "these",
    "test",
    "testing",
    "think",
    "those",
    "thx",
    "u",
    "ur",
    "us",
    "wasnt",
    "whats",
    "wondering",
    "wouldnt",
    "ya",
    "yeah",
    "youre",
    "yours",
    "same",
    "time",
    "times",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "great",
    "best",
    "better",
    "new",
    "little",
    "maybe",
    "probably",
    "sure",
    "tbh",
    "idk",
    "btw",
    "anyway",
    "ago",
    "today",
    "now",
    "against",
    "ah",
    "aha",
    "already",
    "although",
    "anymore",
    "anyways",
    "apparently",
    "argh",
    "asked",
    "basically",
    "below",
    "certainly",
    "completely",
    "cos",
    "coz",
    "cuz",
    "definitely",
    "dunno",
    "each",
    "everybody",
    "everyone",
    "everything",
    "exactly",
    "folks",
    "further",
    "generally",
    "gonna",
    "gotta",
    "guess",
    "haha",
    "hahaha",
    "heres",
    "herself",
    "hes",
    "himself",
    "hmm",
    "hmmm",
    "honestly",
    "however",
    "itself",
    "lemme",
    "literally",
    "lmao",
    "means",
    "meant",
    "nor",
    "normally",
    "obviously",
    "omg",
    "once",
    "ooh",
    "ourselves",
    "perhaps",
    "person",
    "possibly",
    "questions",
    "quickly",
    "reckon",
    "rofl",
    "said",
    "say",
    "says",
    "seriously",
    "somebody",
    "sometimes",
    "sorta",
    "stuff",
    "suppose",
    "themselves",
    "theres",
    "theyre",
    "theyve",
    "though",
    "through",
    "totally",
    "ugh",
    "uh",
    "um",
    "umm",
    "under",
    "until",
    "wanna",
    "weve",
    "wheres",
    "whom",
    "whos",
    "wonder",
    "wow",
    "xd",
    "yay",
    "yet",
    "yourself",
    "yourselves",
    "youve",
];

/// Every word the matcher drops: [`text::FUNCTION_WORDS`] and
/// [`TOPICLESS_WORDS`].
fn all_stop_words() -> impl Iterator<Item = &'static str> {
    text::FUNCTION_WORDS.iter().chain(TOPICLESS_WORDS).copied()
}

/// One way an entry is asked (its question, an alternate, or a keyword),
/// as sorted, distinct terms.
#[derive(Debug)]
struct Phrasing {
    terms: Vec<TermId>,
    weight: f32,
    /// A keyword stands for the topic, not for a whole question: it only
    /// counts in full when it is most of what the message says.
    keyword: bool,
}

#[derive(Debug)]
struct IndexedEntry {
    id: String,
    phrasings: Vec<Phrasing>,
    /// Every term of every phrasing, sorted and distinct.
    terms: Vec<TermId>,
    /// For each of `terms`, the phrasings (indices) that use it.
    term_phrasings: Vec<Vec<u32>>,
}

/// A word of a message after reading: a term the FAQ's phrasings use, or a
/// word they do not use, with its weight in the message.
#[derive(Debug, Clone, Copy, PartialEq)]
enum QueryWord {
    Term { term: TermId, factor: f32 },
    Other { weight: f32 },
}

/// The FAQ's index, built once per loaded FAQ and then shared read-only.
#[derive(Debug)]
pub struct Matcher {
    settings: MatcherSettings,
    synonyms: Synonyms,
    stemmer: StemmerBox,
    /// Stem -> term id, for terms that some phrasing uses.
    terms: FastMap<String, TermId>,
    /// Weight of each term.
    weights: Vec<f32>,
    /// Term -> entries whose phrasings use it.
    postings: Vec<Vec<u32>>,
    /// Each entry's lightest phrasing weight (by entry index): a message
    /// explains at most its own matched weight over this of any phrasing,
    /// which bounds the entry's recall when the ranking is pruned.
    lightest: Vec<f32>,
    entries: Vec<IndexedEntry>,
    /// Every word the FAQ uses anywhere (raw, before synonyms and stemming).
    known_words: FastSet<String>,
    /// Hash of a deletion variant -> known words it comes from (typo
    /// correction). A hash collision only adds a candidate, which the edit
    /// distance check then rejects.
    deletions: HashMap<u64, Vec<u32>, BuildHasherDefault<PrehashedHasher>>,
    known_list: Vec<KnownWord>,
    stop_words: FastSet<&'static str>,
    unknown_weight: f32,
    /// Stems of the words that show a message is about legs and walking.
    topic_stems: FastSet<String>,
    /// Stems of the words that show it only together with a symptom word.
    activity_stems: FastSet<String>,
    /// Stems of the words for what a person feels.
    symptom_stems: FastSet<String>,
    /// Stems of the words that show a message is about something else.
    elsewhere_stems: FastSet<String>,
    /// The words (after synonyms) of every entry's question, alternates and
    /// keywords whose stem `elsewhere` lists, except those it lists as they
    /// are. Such a word is
    /// not read as another subject because its stem is listed: an entry on
    /// compression stockings keeps "stockings" from being read as "stock",
    /// while "stock" itself still is. A word `elsewhere` lists as it is
    /// ("heart") stays another subject: the moderators decide that in
    /// synonyms.toml, and the self-test reports a phrasing it refuses.
    entry_named_words: FastSet<String>,
    /// For each entry, the terms of its question that no other entry's
    /// phrasings (question, alternates, keywords) use — another entry's
    /// answer may mention it in passing — and that are no everyday English word,
    /// activity and symptom words aside, sorted: the name of the entry's own
    /// subject ("gout", "plantar fasciitis"). The FAQ defines its topic with
    /// them: a message that names the subject of the entry it matches best
    /// is about this FAQ's topic, as one with a `[topic]` word is, without
    /// the moderators editing synonyms.toml. Keywords do not count: they
    /// list what else people say ("uric acid"), which a chemistry question
    /// says too.
    own_terms: Vec<Vec<TermId>>,
    /// What each known word says when a message uses it
    /// ([`Matcher::read_word`], worked out once).
    word_info: FastMap<String, WordInfo>,
    /// The calibrated second look ([`super::calibration`]), when on.
    calibration: Option<&'static Calibration>,
    /// The entries' whole texts, for the second look's second ranking; built
    /// only when there is a second look ([`Matcher::with_second_look`]).
    body: Option<BodyIndex>,
    /// A semantic ranking of the entries, when one is configured
    /// ([`Matcher::with_second_opinion`]).
    opinion: Option<std::sync::Arc<dyn SecondOpinion>>,
}

/// An independent ranking of the FAQ's entries for a message (a sentence
/// encoder, say), asked only by the calibrated second look.
pub trait SecondOpinion: Send + Sync + std::fmt::Debug {
    /// Every entry (by its index in the FAQ) with a similarity, best first;
    /// empty when it has no opinion.
    fn rank(&self, message: &str) -> Vec<(usize, f32)>;
}

/// What one word of a message says: a term or another word, and whether it
/// shows the message is about legs or about something else.
#[derive(Debug, Clone, Copy)]
struct WordInfo {
    reading: Reading,
    topic: bool,
    activity: bool,
    symptom: bool,
    elsewhere: bool,
}

#[derive(Debug, Clone, Copy)]
enum Reading {
    Term(TermId),
    Other(f32),
}

/// What a whole message says about its subject, apart from which entry it
/// matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Evidence {
    /// Words showing the message is about legs and walking.
    topic: usize,
    /// Words showing it only together with a symptom word ("walking").
    activity: usize,
    /// Words for what a person feels ("pain", "ache").
    symptom: usize,
    /// Words showing it is about something else.
    elsewhere: usize,
    /// Distinct terms of the message that are the best candidate's own
    /// subject ([`Matcher::own_terms`]).
    own_topic: usize,
    /// Distinct FAQ terms in the message.
    terms: usize,
    /// Words that are neither FAQ terms nor stop words nor short tokens.
    unexplained: usize,
    /// Whether the message reads as a question or a request, or is short
    /// enough to be a fragment ("shin splints").
    asks: bool,
}

impl Evidence {
    /// Whether the message is about legs and walking more than about
    /// anything else. "Walking" is about legs when something hurts
    /// ("walking makes my calves ache"), not on its own ("walking 10k steps
    /// for weight loss", "the walking dead").
    fn about_legs(&self) -> bool {
        let topic = self.topic + self.own_topic + if self.symptom > 0 { self.activity } else { 0 };
        topic >= 1 && topic > 2 * self.elsewhere
    }

    /// Whether the message may be answered (or offered suggestions) at all:
    /// it is about legs and walking more than about anything else, or it is
    /// a short message made only of FAQ words ("ice or heat").
    ///
    /// `explains_all` says whether the best entry explains every FAQ term of
    /// the message: a fragment like "how is diabetes diagnosed" is made of FAQ
    /// words, but no single entry is about all of them.
    fn on_topic(&self, explains_all: bool) -> bool {
        let about_legs = self.about_legs();
        let clear_fragment =
            self.elsewhere == 0 && self.unexplained == 0 && self.terms >= 1 && explains_all;
        self.asks && (about_legs || clear_fragment)
    }
}

/// `rust_stemmers::Stemmer` is not `Debug`; this wrapper is.
struct StemmerBox(Stemmer);

impl std::fmt::Debug for StemmerBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmer(English)")
    }
}

impl Matcher {
    /// Builds the index of a loaded FAQ.
    pub fn new(faq: &Faq, settings: MatcherSettings) -> Self {
        let stop_words: FastSet<&'static str> = all_stop_words().collect();
        let mut matcher = Matcher {
            settings,
            synonyms: faq.synonyms.clone(),
            stemmer: StemmerBox(Stemmer::create(Algorithm::English)),
            terms: FastMap::default(),
            weights: Vec::new(),
            postings: Vec::new(),
            lightest: Vec::new(),
            entries: Vec::new(),
            known_words: FastSet::default(),
            deletions: HashMap::default(),
            known_list: Vec::new(),
            stop_words,
            unknown_weight: 1.0,
            topic_stems: FastSet::default(),
            activity_stems: FastSet::default(),
            symptom_stems: FastSet::default(),
            elsewhere_stems: FastSet::default(),
            entry_named_words: FastSet::default(),
            own_terms: Vec::new(),
            word_info: FastMap::default(),
            calibration: Calibration::shipped().filter(|c| c.can_answer()),
            body: None,
            opinion: None,
        };
        matcher.stem_word_lists(faq);

        let (candidates, entries_using) = matcher.index_known_words(faq);

        let document_frequency = matcher.index_entries(faq);
        for word in &faq.synonyms.elsewhere_words {
            for listed in faq.synonyms.rewrite(std::slice::from_ref(word)) {
                matcher.entry_named_words.remove(&listed);
            }
        }
        matcher.weigh_terms(&document_frequency);
        matcher.find_own_terms(&candidates, &entries_using);
        // The second look's whole-text ranking costs time and memory at
        // every load; it is built only when the second look can answer.
        if matcher.calibration.is_some() {
            matcher.body = Some(BodyIndex::new(&matcher.whole_texts(faq)));
        }
        matcher.word_info = crate::parallel::map(&matcher.known_list, |known| {
            (known.word.clone(), matcher.read_word(&known.word))
        })
        .into_iter()
        .collect();
        matcher
    }

    /// Stems the synonym file's topic, activity, symptom and elsewhere word
    /// lists (after its rewrites), as the message analysis will meet them.
    fn stem_word_lists(&mut self, faq: &Faq) {
        for (list, target) in [
            (&faq.synonyms.topic_words, &mut self.topic_stems),
            (&faq.synonyms.activity_words, &mut self.activity_stems),
            (&faq.synonyms.symptom_words, &mut self.symptom_stems),
            (&faq.synonyms.elsewhere_words, &mut self.elsewhere_stems),
        ] {
            for word in list {
                for rewritten in faq.synonyms.rewrite(std::slice::from_ref(word)) {
                    target.insert(self.stemmer.0.stem(&rewritten).into_owned());
                }
            }
        }
    }

    /// Phrasings and term statistics: indexes every entry's phrasings and
    /// returns each term's document frequency (entries that use it).
    ///
    /// Reading the phrasings (synonyms, stop words, stems) is done for each
    /// entry on its own, on several cores for a large FAQ; the terms are
    /// then numbered in entry order, as one thread would.
    fn index_entries(&mut self, faq: &Faq) -> Vec<u32> {
        let read: Vec<ReadPhrasings> = crate::parallel::map_runs(&faq.entries, |entries| {
            // Stems already worked out, for this run of entries.
            let mut stems: FastMap<String, String> = FastMap::default();
            entries
                .iter()
                .map(|entry| self.read_phrasings(entry, &mut stems))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();
        let mut document_frequency: Vec<u32> = Vec::new();
        for (entry, (phrasings, named)) in faq.entries.iter().zip(read) {
            self.entry_named_words.extend(named);
            let indexed = self.index_entry(entry, phrasings, &mut document_frequency);
            for &term in &indexed.terms {
                document_frequency[term as usize] += 1;
            }
            self.entries.push(indexed);
        }
        document_frequency
    }

    /// The stems of each of an entry's phrasings (its question, alternates
    /// and keywords, in that order), each with whether it is a keyword; and
    /// the entry's words that `elsewhere` lists by stem
    /// ([`Matcher::entry_named_words`]).
    fn read_phrasings(
        &self,
        entry: &FaqEntry,
        stems: &mut FastMap<String, String>,
    ) -> ReadPhrasings {
        let mut named = FastSet::default();
        let sources = std::iter::once((&entry.question, false))
            .chain(entry.alternates.iter().map(|a| (a, false)))
            .chain(entry.keywords.iter().map(|k| (k, true)));
        let phrasings = sources
            .map(|(source, keyword)| {
                let read = self.analyse_known(source, stems, Some(&mut named));
                (read, keyword)
            })
            .collect();
        (phrasings, named)
    }

    fn index_entry(
        &mut self,
        entry: &FaqEntry,
        read: Vec<(Vec<String>, bool)>,
        document_frequency: &mut Vec<u32>,
    ) -> IndexedEntry {
        let mut phrasings = Vec::new();
        let mut entry_terms = Vec::new();
        for (stems, keyword) in read {
            let mut terms: Vec<TermId> = stems
                .iter()
                .map(|stem| self.intern(stem, document_frequency))
                .collect();
            terms.sort_unstable();
            terms.dedup();
            if terms.is_empty() {
                continue;
            }
            entry_terms.extend(terms.iter().copied());
            phrasings.push(Phrasing {
                terms,
                weight: 0.0,
                keyword,
            });
        }
        entry_terms.sort_unstable();
        entry_terms.dedup();
        let term_phrasings = entry_terms
            .iter()
            .map(|term| {
                phrasings
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.terms.binary_search(term).is_ok())
                    .map(|(k, _)| k as u32)
                    .collect()
            })
            .collect();
        IndexedEntry {
            id: entry.id.clone(),
            phrasings,
            terms: entry_terms,
            term_phrasings,
        }
    }

    /// Every entry's whole text (phrasings and answer) as stems, for the
    /// second look's second ranking ([`BodyIndex`]).
    fn whole_texts(&self, faq: &Faq) -> Vec<Vec<String>> {
        let mut stems: FastMap<String, String> = FastMap::default();
        faq.entries
            .iter()
            .map(|entry| {
                let mut words = Vec::new();
                let phrasings = std::iter::once(&entry.question)
                    .chain(&entry.alternates)
                    .chain(&entry.keywords)
                    .chain(std::iter::once(&entry.answer));
                for text in phrasings {
                    words.extend(self.analyse_known(text, &mut stems, None));
                }
                words
            })
            .collect()
    }

    /// The stems of each entry's question that may name its subject: no
    /// stop word, no everyday English word ([`common_words`]: "gout",
    /// "plantar", "sprain" may; "diagnosis", "vitamin", "worst" may not, so
    /// "how is ADHD diagnosed" is not about this FAQ's topic), no activity
    /// or symptom word.
    fn own_candidates(&self, faq: &Faq) -> Vec<Vec<String>> {
        let common = common_words();
        // Stems already worked out (questions share most of their words).
        let mut cache: FastMap<String, String> = FastMap::default();
        faq.entries
            .iter()
            .map(|entry| {
                let mut stems: Vec<String> = self
                    .analyse_known(&entry.question, &mut cache, None)
                    .into_iter()
                    .filter(|stem| {
                        stem.len() >= 3
                            && !common.contains(stem.as_str())
                            && !self.activity_stems.contains(stem)
                            && !self.symptom_stems.contains(stem)
                    })
                    .collect();
                stems.sort_unstable();
                stems.dedup();
                stems
            })
            .collect()
    }

    /// [`Matcher::own_terms`]: of each entry's `candidates`, the ones no
    /// other entry's phrasings use (`entries_using` is 1).
    fn find_own_terms(&mut self, candidates: &[Vec<String>], entries_using: &FastMap<String, u32>) {
        self.own_terms = candidates
            .iter()
            .map(|stems| {
                let mut own: Vec<TermId> = stems
                    .iter()
                    .filter(|stem| entries_using.get(stem.as_str()) == Some(&1))
                    .filter_map(|stem| self.terms.get(stem).copied())
                    .collect();
                own.sort_unstable();
                own
            })
            .collect();
    }

    /// Term weights (inverse document frequency), the unknown-word weight,
    /// the postings lists and each phrasing's total weight.
    fn weigh_terms(&mut self, document_frequency: &[u32]) {
        let n_entries = self.entries.len().max(1) as f32;
        self.weights = document_frequency
            .iter()
            .map(|&df| ((n_entries + 1.0) / df.max(1) as f32).ln().max(0.05))
            .collect();
        self.unknown_weight = (n_entries + 1.0).ln() * UNKNOWN_WEIGHT_SHARE;
        self.postings = vec![Vec::new(); self.weights.len()];
        for (index, entry) in self.entries.iter_mut().enumerate() {
            for &term in &entry.terms {
                self.postings[term as usize].push(index as u32);
            }
            for phrasing in &mut entry.phrasings {
                phrasing.weight = phrasing
                    .terms
                    .iter()
                    .map(|&t| self.weights[t as usize])
                    .sum();
            }
        }
        self.lightest = self
            .entries
            .iter()
            .map(|entry| {
                entry
                    .phrasings
                    .iter()
                    .map(|p| p.weight)
                    .fold(f32::INFINITY, f32::min)
            })
            .collect();
    }

    /// Every word the FAQ knows (its texts, synonyms and stop words, so that
    /// none of them is "corrected" into another word), with the deletion
    /// index that finds the known words near a typo.
    ///
    /// The same pass finds the entries whose phrasings (question,
    /// alternates, keywords) use each question's candidate subject stems
    /// ([`Matcher::own_candidates`]), returned with how many entries use
    /// each: a distinct phrasing word is stemmed once (after a one-word
    /// synonym rewrite). The answers' words are only known words: an answer
    /// that mentions a subject in passing ("treatment may be compression
    /// stockings") does not make it that entry's subject, so the millions of
    /// words of a large FAQ's answers cost one set look-up each.
    fn index_known_words(&mut self, faq: &Faq) -> (Vec<Vec<String>>, FastMap<String, u32>) {
        let candidates = self.own_candidates(faq);
        let candidate_ids: FastMap<&str, u32> = candidates
            .iter()
            .flatten()
            .enumerate()
            .map(|(id, stem)| (stem.as_str(), id as u32))
            .collect();
        // The candidate a text word names, if any: its stem, or the stems of
        // what the synonyms rewrite it to.
        let this = &*self;
        let rewritten: FastSet<&str> = faq.synonyms.known_words().collect();
        // A stem keeps its word's first letters, so a word whose first three
        // or four letters begin no candidate is not stemmed at all: most
        // words of a large FAQ's answers are let through by a look-up.
        let heads: FastSet<&str> = candidates
            .iter()
            .flatten()
            .flat_map(|stem| [stem.get(..3), stem.get(..4)])
            .flatten()
            .collect();
        let may_name = |word: &str| {
            [word.get(..3), word.get(..4)]
                .into_iter()
                .flatten()
                .any(|head| heads.contains(head))
        };
        let candidate_of = |word: &str| -> Option<u32> {
            let named = |word: &str| {
                if this.stop_words.contains(word) {
                    return None;
                }
                candidate_ids
                    .get(this.stemmer.0.stem(word).as_ref())
                    .copied()
            };
            if !rewritten.contains(word) {
                return if may_name(word) { named(word) } else { None };
            }
            this.synonyms
                .rewrite_spans(&[word])
                .into_iter()
                .find_map(|(word, _)| named(word))
        };
        // Each distinct word once, as it is met: the answers of a large FAQ
        // hold millions of words but only tens of thousands of distinct ones.
        let mut distinct: FastSet<String> = FastSet::default();
        // The distinct words of each run of entries (a run per core for a
        // large FAQ): the phrasings' words each with the candidate it names,
        // the answers' words, and how many of the run's entries use each
        // candidate; then merged.
        let per_run = crate::parallel::map_runs(&faq.entries, |entries| {
            let mut named_by: FastMap<String, Option<u32>> = FastMap::default();
            let mut answer_words: FastSet<String> = FastSet::default();
            let mut using: FastMap<u32, u32> = FastMap::default();
            let mut in_entry: Vec<u32> = Vec::new();
            for entry in entries {
                in_entry.clear();
                for source in std::iter::once(&entry.question)
                    .chain(entry.alternates.iter())
                    .chain(entry.keywords.iter())
                {
                    // The words of `text::words`, without a `String` for each.
                    for word in text::clean(source).split(' ') {
                        if word.is_empty() {
                            continue;
                        }
                        let named = match named_by.get(word) {
                            Some(named) => *named,
                            None => {
                                let named = candidate_of(word);
                                named_by.insert(word.to_owned(), named);
                                named
                            }
                        };
                        in_entry.extend(named);
                    }
                }
                for word in text::clean(&entry.answer).split(' ') {
                    if !word.is_empty() && !answer_words.contains(word) {
                        answer_words.insert(word.to_owned());
                    }
                }
                in_entry.sort_unstable();
                in_entry.dedup();
                for &id in &in_entry {
                    *using.entry(id).or_default() += 1;
                }
            }
            (named_by, answer_words, using)
        });
        let mut using_by_id: FastMap<u32, u32> = FastMap::default();
        let per_run: Vec<_> = per_run
            .into_iter()
            .map(|(named_by, answer_words, using)| {
                for (id, n) in using {
                    *using_by_id.entry(id).or_default() += n;
                }
                named_by.into_keys().chain(answer_words)
            })
            .collect();
        let entries_using: FastMap<String, u32> = candidates
            .iter()
            .flatten()
            .enumerate()
            .map(|(id, stem)| {
                let n = using_by_id.get(&(id as u32)).copied().unwrap_or(0);
                (stem.clone(), n)
            })
            .collect();
        for words in per_run {
            distinct.extend(words);
        }
        let mut add = |word: &str| {
            if !word.is_empty() && !distinct.contains(word) {
                distinct.insert(word.to_owned());
            }
        };
        faq.synonyms.known_words().for_each(&mut add);
        all_stop_words().for_each(&mut add);
        let mut known: Vec<String> = distinct.into_iter().collect();
        known.sort_unstable();
        let mut hashes = Vec::new();
        for (index, word) in known.iter().enumerate() {
            let chars: Vec<char> = word.chars().collect();
            hashes.clear();
            deletion_hashes(&chars, 2, &mut hashes);
            hashes.sort_unstable();
            hashes.dedup();
            for &hash in &hashes {
                self.deletions.entry(hash).or_default().push(index as u32);
            }
        }
        self.known_words = known.iter().cloned().collect();
        self.known_list = known
            .into_iter()
            .map(|word| KnownWord {
                stop: self.stop_words.contains(word.as_str()),
                word,
            })
            .collect();
        (candidates, entries_using)
    }

    /// The matcher with a second opinion for its calibrated second look,
    /// and the calibration fitted with that opinion.
    pub fn with_second_opinion(
        mut self,
        faq: &Faq,
        opinion: std::sync::Arc<dyn SecondOpinion>,
    ) -> Self {
        self.opinion = Some(opinion);
        self.calibration = Calibration::shipped_with_opinion().filter(|c| c.can_answer());
        self.with_second_look(faq)
    }

    /// The matcher with its second look's features worked out for every
    /// message it could answer, whether or not its calibration can answer
    /// any: what the fitting script needs. `faq` must be the FAQ the matcher
    /// was built from.
    pub fn with_second_look(mut self, faq: &Faq) -> Self {
        if self.body.is_none() {
            self.body = Some(BodyIndex::new(&self.whole_texts(faq)));
        }
        self
    }

    /// The settings this matcher decides with.
    pub fn settings(&self) -> &MatcherSettings {
        &self.settings
    }

    /// Decides whether `message` is a question the FAQ answers.
    pub fn decide(&self, message: &str) -> Verdict {
        self.decide_explained(message).0
    }

    /// [`Matcher::decide`], with what the calibrated second look
    /// ([`super::calibration`]) saw (`None` when the message has no
    /// letters). The fitting script reads the features from here.
    pub fn decide_explained(&self, message: &str) -> (Verdict, Option<SecondLook>) {
        // A message with no letters ("2", "??", "38.5") asks nothing the FAQ
        // answers, whatever numbers its entries mention ("type 2 diabetes").
        // The message's markup is stripped once, for every reading below.
        let readable = text::without_markup(message);
        if !text::has_letters(&readable) {
            let verdict = Verdict {
                decision: Decision::None,
                candidates: Vec::new(),
                second_look: false,
            };
            return (verdict, None);
        }
        // The rules and the replies need the best few candidates only; the
        // second look's features place its entries in the whole ranking.
        let settings = &self.settings;
        let limit = settings.max_suggestions.max(1);
        let mut ranking = self.rank_readable(&readable, limit.max(2));
        let on_topic = ranking.evidence.on_topic(ranking.best_share >= 0.999);
        let rules = self.rules_decision(&ranking, on_topic);
        let eligible = rules != Decision::Answer && ranking.evidence.about_legs();
        let weighed = match &self.body {
            Some(body) if eligible => {
                ranking = self.rank_readable(&readable, usize::MAX);
                self.weigh(message, &readable, &ranking, on_topic, rules, body)
            }
            _ => Vec::new(),
        };
        // The weighed entry most probably right, if it is probable enough.
        let chosen = self.calibration.and_then(|calibration| {
            weighed
                .iter()
                .map(|(index, features)| (*index, calibration.probability(features), features))
                .filter(|(_, _, features)| calibration.answers(features))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(index, _, _)| index)
        });
        let (decision, candidates) = match chosen {
            Some(index) => {
                // The chosen entry first, then the matcher's others: "not
                // what you asked?"
                let id = &self.entries[index].id;
                let score = ranking
                    .ranked
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or(0.0, |c| c.score);
                let first = Candidate {
                    id: id.clone(),
                    score,
                };
                let others = ranking.ranked.into_iter().filter(|c| &c.id != id);
                let candidates = std::iter::once(first).chain(others).take(limit).collect();
                (Decision::Answer, candidates)
            }
            None => {
                let candidates = match rules {
                    Decision::Answer | Decision::None => {
                        ranking.ranked.into_iter().take(limit).collect()
                    }
                    Decision::Suggest => ranking
                        .ranked
                        .into_iter()
                        .filter(|c| c.score >= settings.suggest_threshold)
                        .take(limit)
                        .collect(),
                };
                (rules, candidates)
            }
        };
        let verdict = Verdict {
            decision,
            candidates,
            second_look: chosen.is_some(),
        };
        let look = SecondLook {
            rules,
            eligible,
            weighed: weighed
                .into_iter()
                .map(|(index, features)| (self.entries[index].id.clone(), features))
                .collect(),
        };
        (verdict, Some(look))
    }

    /// What the rules decide: the best entry is answered when it scores at
    /// least the answer threshold and leads the second by the margin.
    fn rules_decision(&self, ranking: &Ranking, on_topic: bool) -> Decision {
        if !on_topic {
            return Decision::None;
        }
        let settings = &self.settings;
        let best = ranking.ranked.first().map_or(0.0, |c| c.score);
        let second = ranking.ranked.get(1).map_or(0.0, |c| c.score);

        // The message says all of one of the best entry's phrasings ("what
        // is PAD?" is the PAD entry's keyword) and only part of the second's
        // ("how far should I walk with PAD?"): the best is what it asks.
        let says_a_whole_phrasing = best >= COMPLETE_PHRASING && second < COMPLETE_PHRASING;
        // The message is exactly one of the best entry's phrasings and of no
        // phrasing of the second: a moderator wrote it for that entry ("leg
        // cramps while pregnant" is the pregnancy entry's, though the cramps
        // entry explains all its words too). No lead is needed.
        let is_its_phrasing = ranking.exact.0 && !ranking.exact.1;
        let margin = if is_its_phrasing {
            0.0
        } else if (ranking.second_adds <= DOMINATED_ADDS
            && ranking.first_adds >= RETRIEVAL_MIN_WEIGHT)
            || says_a_whole_phrasing
        {
            DOMINATED_MARGIN
        } else {
            settings.min_margin
        };
        if best >= settings.answer_threshold && best - second >= margin {
            Decision::Answer
        } else if best >= settings.suggest_threshold {
            Decision::Suggest
        } else {
            Decision::None
        }
    }

    /// The entries the second look weighs, by index, with their features:
    /// the matcher's best and, when there is a second opinion and it prefers
    /// another entry, that entry too.
    fn weigh(
        &self,
        message: &str,
        readable: &str,
        ranking: &Ranking,
        on_topic: bool,
        rules: Decision,
        body: &BodyIndex,
    ) -> Vec<(usize, Features)> {
        let mut stems = self.analyse_known(readable, &mut FastMap::default(), None);
        stems.truncate(MAX_WORDS);
        let body: Vec<(usize, f32)> = body.cosines(&stems).into_iter().enumerate().collect();
        let semantic: Vec<(usize, f32)> = match &self.opinion {
            Some(opinion) => opinion.rank(message),
            None => Vec::new(),
        };
        let mut indices: Vec<usize> = ranking.indices.iter().take(1).copied().collect();
        let semantic_best = semantic
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some(&(index, _)) = semantic_best
            && !indices.contains(&index)
        {
            indices.push(index);
        }
        indices
            .into_iter()
            .map(|index| {
                let features = self.features(ranking, on_topic, rules, index, &body, &semantic);
                (index, features)
            })
            .collect()
    }

    /// Entry `index`'s features for the calibrated second look: how the
    /// matcher, the whole-text ranking (`body`) and the second opinion
    /// (`semantic`, empty when there is none) rank it, and what the message
    /// says about its subject.
    fn features(
        &self,
        ranking: &Ranking,
        on_topic: bool,
        rules: Decision,
        index: usize,
        body: &[(usize, f32)],
        semantic: &[(usize, f32)],
    ) -> Features {
        let lexical: Vec<(usize, f32)> = ranking
            .indices
            .iter()
            .zip(&ranking.ranked)
            .map(|(&entry, c)| (entry, c.score))
            .collect();
        let matcher = Standing::of(&lexical, index);
        let body = Standing::of(body, index);
        let semantic = Standing::of(semantic, index);
        let evidence = &ranking.evidence;
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let values = [
            matcher.score,
            matcher.margin,
            matcher.reciprocal_rank,
            ranking.ranked.first().map_or(0.0, |c| c.score),
            flag(on_topic),
            flag(evidence.asks),
            (evidence.terms as f32).ln_1p(),
            (evidence.unexplained as f32).ln_1p(),
            flag(evidence.elsewhere > 0),
            flag(evidence.symptom > 0),
            (ranking.sentences as f32).ln_1p(),
            flag(rules == Decision::Suggest),
            body.score,
            body.margin,
            body.reciprocal_rank,
            semantic.score,
            semantic.margin,
            semantic.reciprocal_rank,
            flag(matcher.reciprocal_rank == 1.0 && semantic.reciprocal_rank == 1.0),
            flag(
                matcher.reciprocal_rank == 1.0
                    && semantic.reciprocal_rank == 1.0
                    && body.reciprocal_rank == 1.0,
            ),
        ];
        Features { values }
    }

    /// The self-test of `faqbot check`: why `phrasing`, one of entry
    /// `entry_id`'s own question or alternates, does not get that entry as
    /// its answer, in words a moderator can act on; `None` when it does.
    pub fn self_test(&self, phrasing: &str, entry_id: &str) -> Option<String> {
        let verdict = self.decide(phrasing);
        if verdict.answer_id() == Some(entry_id) {
            return None;
        }
        let Ranking {
            ranked,
            evidence,
            best_share,
            ..
        } = self.rank_with_evidence(phrasing, usize::MAX);
        if !evidence.asks {
            return Some(
                "it is not read as a question or a request: write it the way people ask it \
                 (a question such as \"what is …\", or a short fragment)"
                    .to_owned(),
            );
        }
        if !evidence.on_topic(best_share >= 0.999) {
            let off_topic = self.off_topic_words(phrasing);
            return Some(if off_topic.is_empty() {
                "the topic gate does not read it as about legs and walking: none of its words \
                 is on topic ([topic] in synonyms.toml)"
                    .to_owned()
            } else {
                format!(
                    "the topic gate reads it as about something else: {} counted as off-topic \
                     ([topic] in synonyms.toml, compared after stemming)",
                    off_topic
                        .iter()
                        .map(|(word, stem)| format!("\"{word}\" (as \"{stem}\")"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        }
        if let Some((other, words)) = self.same_words_elsewhere(phrasing, entry_id) {
            return Some(format!(
                "after stop words, synonyms and stemming it says the same words ({words}) as a \
                 phrasing of `{other}`, so the matcher cannot tell them apart: keep it in one \
                 entry, or add the word that tells them apart"
            ));
        }
        let own = ranked.iter().find(|c| c.id == entry_id).map(|c| c.score);
        let first = ranked.first();
        let settings = &self.settings;
        Some(match (own, first) {
            (None, _) | (_, None) => "it scores nothing for its own entry: it shares no \
                                      distinctive word with the entry's other phrasings"
                .to_owned(),
            (Some(own), Some(first)) if first.id != entry_id => format!(
                "it is answered by `{}` instead ({:.2}, its own entry {own:.2}): make the \
                 phrasing more specific, or move it",
                first.id, first.score
            ),
            (Some(own), _) if own < settings.answer_threshold => format!(
                "its own entry scores {own:.2}, under the answer threshold {:.2}",
                settings.answer_threshold
            ),
            (Some(own), _) => {
                let second = ranked.get(1);
                format!(
                    "its own entry leads `{}` by too little ({own:.2} against {:.2}) to be \
                     answered outright: it is offered as \"did you mean\"",
                    second.map_or("-", |c| c.id.as_str()),
                    second.map_or(0.0, |c| c.score)
                )
            }
        })
    }

    /// Another entry with a phrasing of the same terms as `phrasing` (one of
    /// entry `entry_id`'s), with those terms: the two cannot be told apart.
    fn same_words_elsewhere(&self, phrasing: &str, entry_id: &str) -> Option<(String, String)> {
        let stems = self.analyse_known(phrasing, &mut FastMap::default(), None);
        let mut terms: Vec<TermId> = stems
            .iter()
            .map(|stem| self.terms.get(stem).copied())
            .collect::<Option<_>>()?;
        terms.sort_unstable();
        terms.dedup();
        if terms.is_empty() {
            return None;
        }
        let other = self.entries.iter().find(|entry| {
            entry.id != entry_id && entry.phrasings.iter().any(|p| p.terms == terms)
        })?;
        let mut shown: Vec<&str> = stems.iter().map(String::as_str).collect();
        shown.sort_unstable();
        shown.dedup();
        Some((other.id.clone(), shown.join(", ")))
    }

    /// The words of `text` the topic gate counts as off-topic, each with the
    /// stem it was compared as ("stockings" as "stock").
    fn off_topic_words(&self, text_in: &str) -> Vec<(String, String)> {
        let rewritten = self.synonyms.rewrite(&text::words(text_in));
        let mut found: Vec<(String, String)> = rewritten
            .iter()
            .filter(|word| !self.stop_words.contains(word.as_str()))
            .filter_map(|word| {
                let stem = self.stemmer.0.stem(word);
                (self.elsewhere_stems.contains(stem.as_ref())
                    && !self.entry_named_words.contains(word.as_str()))
                .then(|| (word.clone(), stem.into_owned()))
            })
            .collect();
        found.dedup();
        found
    }

    /// Every entry that shares a distinctive term with the message, with its
    /// score, best first (ties broken by id, so results are deterministic).
    /// Entries without enough matched evidence are left out.
    pub fn rank(&self, message: &str) -> Vec<Candidate> {
        self.rank_with_evidence(message, usize::MAX).ranked
    }

    /// The ranked candidates, what the message says about its subject, and
    /// the share of the message's FAQ terms that the best candidate explains.
    ///
    /// Only the best `keep` candidates are ranked (at least two, which the
    /// rules compare; every candidate with `usize::MAX`): entries that cannot
    /// reach them are not scored ([`TopScores`]).
    fn rank_with_evidence(&self, message: &str, keep: usize) -> Ranking {
        self.rank_readable(&text::without_markup(message), keep)
    }

    /// [`Matcher::rank_with_evidence`] of a message whose markup is gone
    /// already ([`text::without_markup`]).
    fn rank_readable(&self, readable: &str, keep: usize) -> Ranking {
        let keep = keep.max(2);
        let mut best: BTreeMap<u32, Scored> = BTreeMap::new();
        let mut top = TopScores::new(keep);
        let mut scratch = Scratch::new(self.entries.len());
        // Each sentence is read once; the whole message is their concatenation.
        let mut memo: FastMap<String, Option<(&str, usize)>> = FastMap::default();
        let mut evidence = Evidence::default();
        let mut sentences: Vec<Vec<QueryWord>> = Vec::new();
        let mut budget = MAX_WORDS;
        for piece in text::sentences(readable) {
            if budget == 0 {
                break;
            }
            let (words, found) = self.analyse_message(piece, &mut memo, &mut budget);
            evidence.topic += found.topic;
            evidence.activity += found.activity;
            evidence.symptom += found.symptom;
            evidence.elsewhere += found.elsewhere;
            evidence.unexplained += found.unexplained;
            sentences.push(words);
        }
        let whole: Vec<QueryWord> = sentences.concat();
        evidence.terms = distinct_terms(&whole);
        evidence.asks = asks_something(readable, &evidence);
        self.score_into(&whole, None, &mut best, &mut top, &mut scratch);
        if sentences.len() > 1 {
            let whole = WholeMessage::new(self, &whole);
            for words in &sentences {
                self.score_into(words, Some(&whole), &mut best, &mut top, &mut scratch);
            }
        }
        // Best first; equal scores (to three decimals): an entry with a
        // phrasing that is exactly the message first, then by id. Only the
        // kept head is sorted, and only its ids are copied.
        let mut ranked: Vec<(f32, Scored, u32)> = best
            .into_iter()
            .map(|(index, scored)| (rounded(scored.score), scored, index))
            .collect();
        let order = |a: &(f32, Scored, u32), b: &(f32, Scored, u32)| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.exact.cmp(&a.1.exact))
                .then_with(|| {
                    let id = |index: u32| self.entries[index as usize].id.as_str();
                    id(a.2).cmp(id(b.2))
                })
        };
        if keep < ranked.len() {
            ranked.select_nth_unstable_by(keep, order);
            ranked.truncate(keep);
        }
        ranked.sort_unstable_by(order);
        let exact = (
            ranked.first().is_some_and(|r| r.1.exact),
            ranked.get(1).is_some_and(|r| r.1.exact),
        );
        let best_share = ranked.first().map_or(0.0, |r| r.1.term_share);
        if let Some(first) = ranked.first() {
            let own = &self.own_terms[first.2 as usize];
            evidence.own_topic = sorted_terms(&whole)
                .iter()
                .filter(|term| own.binary_search(term).is_ok())
                .count();
        }
        let (first_adds, second_adds) = match (ranked.first(), ranked.get(1)) {
            (Some(first), Some(second)) => (
                self.weight_only_in(&whole, first.2, second.2),
                self.weight_only_in(&whole, second.2, first.2),
            ),
            _ => (0.0, 0.0),
        };
        let indices = ranked.iter().map(|r| r.2 as usize).collect();
        let ranked = ranked
            .into_iter()
            .map(|(score, _, index)| Candidate {
                id: self.entries[index as usize].id.clone(),
                score,
            })
            .collect();
        Ranking {
            ranked,
            evidence,
            best_share,
            first_adds,
            second_adds,
            exact,
            sentences: sentences.len(),
            indices,
        }
    }

    /// The weight of the message's terms that entry `other` uses and entry
    /// `first` does not: what `other` explains that `first` cannot.
    fn weight_only_in(&self, words: &[QueryWord], other: u32, first: u32) -> f32 {
        let other = &self.entries[other as usize].terms;
        let first = &self.entries[first as usize].terms;
        sorted_terms(words)
            .iter()
            .filter(|t| other.binary_search(t).is_ok() && first.binary_search(t).is_err())
            .map(|&t| self.weights[t as usize])
            .sum()
    }

    /// Scores the entries that share a distinctive term with `words`, keeping
    /// each entry's best score in `best`.
    ///
    /// When `words` is one sentence of a longer message, `whole` is the whole
    /// message: a sentence's score is then discounted by how little of the
    /// whole message's FAQ terms the entry explains, so that a generic
    /// sentence ("walking makes the back of her leg ache") does not outscore
    /// the entry the message is really about ("… someone said baker's cyst?").
    ///
    /// With a [`TopScores`] of a finite size, only entries that can still
    /// reach it are scored ([`TopScores`] says why that is exact).
    fn score_into(
        &self,
        words: &[QueryWord],
        whole: Option<&WholeMessage>,
        best: &mut BTreeMap<u32, Scored>,
        top: &mut TopScores,
        scratch: &mut Scratch,
    ) {
        // The message's terms, merged (a term said twice counts once, at its
        // best factor), and the weight of everything else it says.
        let mut query: Vec<(TermId, f32)> = Vec::new();
        let mut other_weight = 0.0f32;
        for word in words {
            match *word {
                QueryWord::Term { term, factor } => query.push((term, factor)),
                QueryWord::Other { weight } => other_weight += weight,
            }
        }
        query.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        query.dedup_by_key(|(term, _)| *term);
        if query.is_empty() {
            return;
        }
        let term_weight: f32 = query.iter().map(|&(t, _)| self.weights[t as usize]).sum();
        let query = Query {
            terms: query,
            term_weight,
            weight: term_weight + other_weight,
        };

        // Retrieve through distinctive terms; a message made only of common
        // terms ("why do my legs hurt when I walk") retrieves through them all.
        let distinctive = query
            .terms
            .iter()
            .any(|&(t, _)| self.weights[t as usize] >= RETRIEVAL_MIN_WEIGHT);
        let mut per_phrasing = std::mem::take(&mut scratch.per_phrasing);
        // The whole message is scored first: a few entries that use its
        // rarest terms are scored at once, to set a bar. (A sentence comes
        // after the whole message, so the bar is known by then.)
        let mut seeds: Vec<u32> = Vec::new();
        if whole.is_none() && !top.unlimited() {
            let mut heaviest: Vec<(f32, TermId)> = query
                .terms
                .iter()
                .map(|&(t, _)| (self.weights[t as usize], t))
                .filter(|&(weight, _)| !distinctive || weight >= RETRIEVAL_MIN_WEIGHT)
                .collect();
            heaviest.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, term) in heaviest {
                let room = SEEDS - seeds.len();
                seeds.extend(self.postings[term as usize].iter().take(room));
                if seeds.len() >= SEEDS {
                    break;
                }
            }
            seeds.sort_unstable();
            seeds.dedup();
            for &index in &seeds {
                self.score_entry(index, &query, whole, best, top, &mut per_phrasing);
            }
        }
        // An entry must explain at least this weight of the message to reach
        // the bar (its score is at most the square root of its precision).
        let need = top
            .floor()
            .map_or(0.0, |floor| floor * floor * query.weight * 0.9999);
        let candidates = scratch.gather(self, &query.terms, distinctive, need);
        if top.unlimited() {
            for (index, _) in candidates {
                self.score_entry(index, &query, whole, best, top, &mut per_phrasing);
            }
            scratch.per_phrasing = per_phrasing;
            return;
        }
        // An entry's score is the geometric mean of its precision (the share
        // of the message's weight it explains) and its recall (the best
        // share of one of its phrasings the message says, which is at most
        // the explained weight over its lightest phrasing's), times a
        // sentence's discount: the entries that can still reach
        // the kept scores are scored, most promising first, until none can.
        // The small slack covers the order in which floats were summed. An
        // entry that may say the whole message is always scored, so that
        // whether a phrasing is exactly the message ([`Scored::exact`]) is
        // known for every entry that could tie with the kept ones.
        let always = |bound: f32| whole.is_none() && bound >= COMPLETE_PHRASING;
        // (A sentence's discount is worked out only for the entries that
        // can reach the bar without it.)
        let mut bounded: Vec<(f32, u32)> = candidates
            .into_iter()
            .filter(|(index, _)| seeds.binary_search(index).is_err())
            .filter_map(|(index, explained)| {
                let precision = (explained / query.weight).min(1.0);
                let recall = (explained / self.lightest[index as usize]).min(1.0);
                let mut bound = (precision * recall * (1.0 + 1e-5)).sqrt().min(1.0);
                if let Some(whole) = whole
                    && top.reachable(bound)
                {
                    bound *= (whole.share(self, index) * (1.0 + 1e-5)).sqrt();
                }
                (top.reachable(bound) || always(bound)).then_some((bound, index))
            })
            .collect();
        // The most promising first: they set the bar the others must reach.
        let order = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let head = top.size.min(bounded.len());
        if head < bounded.len() {
            bounded.select_nth_unstable_by(head, order);
        }
        let mut rest = bounded.split_off(head);
        bounded.sort_unstable_by(order);
        for (bound, index) in bounded {
            if top.reachable(bound) || always(bound) {
                self.score_entry(index, &query, whole, best, top, &mut per_phrasing);
            }
        }
        rest.retain(|&(bound, _)| top.reachable(bound) || always(bound));
        rest.sort_unstable_by(order);
        for (bound, index) in rest {
            if !top.reachable(bound) && !always(bound) {
                break;
            }
            self.score_entry(index, &query, whole, best, top, &mut per_phrasing);
        }
        scratch.per_phrasing = per_phrasing;
    }

    /// Scores entry `index` for `query` (see [`Matcher::score_into`]),
    /// keeping its best score in `best` and `top`.
    fn score_entry(
        &self,
        index: u32,
        query: &Query,
        whole: Option<&WholeMessage>,
        best: &mut BTreeMap<u32, Scored>,
        top: &mut TopScores,
        per_phrasing: &mut Vec<f32>,
    ) {
        let entry = &self.entries[index as usize];
        // Per phrasing of the entry: the weight (times typo factor) of the
        // query terms it uses, summed in term order.
        per_phrasing.clear();
        per_phrasing.resize(entry.phrasings.len(), 0.0);
        let mut explained = 0.0f32;
        let mut unweighted = 0.0f32;
        // A message (or sentence) has far fewer terms than an entry with
        // all its phrasings, so each query term is looked up in the
        // entry's sorted terms rather than the two lists merged; the
        // window shrinks as the (sorted) query terms advance.
        let mut from = 0;
        for &(term, factor) in &query.terms {
            let j = match entry.terms[from..].binary_search(&term) {
                Ok(offset) => from + offset,
                Err(offset) => {
                    from += offset;
                    continue;
                }
            };
            from = j + 1;
            let weight = self.weights[term as usize];
            let counted = weight * factor;
            explained += counted;
            for &k in &entry.term_phrasings[j] {
                per_phrasing[k as usize] += counted;
            }
            unweighted += weight;
        }
        let precision = explained / query.weight;
        let recall = entry
            .phrasings
            .iter()
            .zip(per_phrasing.iter())
            .map(|(p, &found)| {
                let whole = if p.keyword {
                    p.weight.max(query.term_weight)
                } else {
                    p.weight
                };
                found / whole
            })
            .fold(0.0f32, f32::max);
        // Too little evidence, unless the message says all of one of
        // the entry's phrasings: "why do my legs hurt when I walk" is
        // made of the commonest words, and is exactly how people ask
        // for the overview of causes.
        if explained < MIN_EVIDENCE && recall < COMPLETE_PHRASING {
            return;
        }
        let exact = whole.is_none()
            && entry
                .phrasings
                .iter()
                .zip(per_phrasing.iter())
                .any(|(p, &found)| {
                    found >= COMPLETE_PHRASING * p.weight
                        && found >= COMPLETE_PHRASING * query.weight
                });
        // The geometric mean of recall and precision.
        let mut score = (recall * precision).sqrt().min(1.0);
        if let Some(whole) = whole {
            score *= whole.share(self, index).sqrt();
        }
        let slot = best.entry(index).or_default();
        slot.exact |= exact;
        if score > slot.score {
            slot.score = score;
            slot.term_share = unweighted / query.term_weight;
        }
        top.offer(index, slot.score);
    }

    /// Reads one sentence of a message (text from [`text::without_markup`])
    /// into terms and other words (steps 1–4 of the module doc). `memo` keeps
    /// typo corrections already made for this message; `budget` is how many
    /// more words may be read.
    fn analyse_message<'m>(
        &'m self,
        message: &str,
        memo: &mut FastMap<String, Option<(&'m str, usize)>>,
        budget: &mut usize,
    ) -> (Vec<QueryWord>, Evidence) {
        let mut evidence = Evidence::default();
        let words = text::plain_words(message);
        let take = words.len().min(*budget);
        *budget -= take;
        let mut corrected: Vec<&str> = Vec::with_capacity(take);
        let mut factors = Vec::with_capacity(take);
        for word in &words[..take] {
            if self.known_words.contains(word) {
                corrected.push(word);
                factors.push(1.0);
                continue;
            }
            let correction = match memo.get(word) {
                Some(&known) => known,
                None => {
                    let found = self.correct(word);
                    memo.insert(word.clone(), found);
                    found
                }
            };
            match correction {
                Some((fixed, distance)) => {
                    corrected.push(fixed);
                    factors.push(TYPO_FACTOR[distance.min(2)]);
                }
                None => {
                    corrected.push(word);
                    factors.push(1.0);
                }
            }
        }
        let mut out = Vec::with_capacity(corrected.len());
        let rewritten = self.synonyms.rewrite_spans(&corrected);
        let excluded = excluded_words(&rewritten, &self.stop_words);
        for (index, (word, span)) in rewritten.iter().enumerate() {
            let (word, span) = (*word, span.clone());
            if self.stop_words.contains(word) {
                continue;
            }
            if excluded[index] {
                // "apart from sciatica, what else…": not what is asked about.
                out.push(QueryWord::Other {
                    weight: SHORT_WORD_WEIGHT,
                });
                continue;
            }
            let next_words = rewritten[index + 1..]
                .iter()
                .take(2)
                .flat_map(|(next, span)| {
                    // The word as written, too: typo correction may have turned a
                    // verb the FAQ never uses into some other word.
                    [*next, words[span.start].as_str()]
                });
            if reports_speech(word, next_words) {
                // "my doctor said it's PAD": who said it is the story, not
                // the question.
                out.push(QueryWord::Other {
                    weight: SHORT_WORD_WEIGHT,
                });
                continue;
            }
            // A phrase built from a corrected word keeps its lowest factor.
            let factor = factors[span].iter().copied().fold(1.0f32, f32::min);
            let info = match self.word_info.get(word) {
                Some(info) => *info,
                None => self.read_word(word),
            };
            evidence.topic += usize::from(info.topic);
            evidence.activity += usize::from(info.activity);
            evidence.symptom += usize::from(info.symptom);
            evidence.elsewhere += usize::from(info.elsewhere);
            match info.reading {
                Reading::Term(term) => out.push(QueryWord::Term { term, factor }),
                Reading::Other(weight) => {
                    if weight > SHORT_WORD_WEIGHT {
                        evidence.unexplained += 1;
                    }
                    out.push(QueryWord::Other { weight });
                }
            }
        }
        evidence.terms = distinct_terms(&out);
        (out, evidence)
    }

    /// What one word of a message (after synonyms, not a stop word) says.
    fn read_word(&self, word: &str) -> WordInfo {
        let stem = self.stemmer.0.stem(word);
        let reading = match self.terms.get(stem.as_ref()) {
            Some(&term) => Reading::Term(term),
            None => Reading::Other(if self.known_words.contains(word) {
                KNOWN_UNMATCHED_WEIGHT
            } else if word.chars().count() <= 2 || word.chars().all(|c| c.is_ascii_digit()) {
                // Short tokens and numbers say little about the topic.
                SHORT_WORD_WEIGHT
            } else {
                self.unknown_weight
            }),
        };
        WordInfo {
            reading,
            topic: self.topic_stems.contains(stem.as_ref()),
            activity: self.activity_stems.contains(stem.as_ref()),
            symptom: self.symptom_stems.contains(stem.as_ref()),
            elsewhere: self.elsewhere_stems.contains(stem.as_ref())
                && !self.entry_named_words.contains(word),
        }
    }

    /// Reads FAQ text into stems (no typo correction: the FAQ defines the
    /// vocabulary).
    /// The stems of a phrasing's words, after synonyms, without stop words.
    /// `stems` remembers each word's stem: a large FAQ repeats the same
    /// everyday words in thousands of phrasings, and stemming is the
    /// costliest part of building the index.
    ///
    /// With `named`, each word whose stem `elsewhere` lists is added to it
    /// (for [`Matcher::entry_named_words`]).
    fn analyse_known(
        &self,
        text_in: &str,
        stems: &mut FastMap<String, String>,
        mut named: Option<&mut FastSet<String>>,
    ) -> Vec<String> {
        let rewritten = self.synonyms.rewrite(&text::words(text_in));
        rewritten
            .iter()
            .filter(|w| !self.stop_words.contains(w.as_str()))
            .map(|w| {
                let stem = match stems.get(w.as_str()) {
                    Some(stem) => stem.clone(),
                    None => {
                        let stem = self.stemmer.0.stem(w).into_owned();
                        stems.insert(w.clone(), stem.clone());
                        stem
                    }
                };
                if let Some(named) = named.as_deref_mut()
                    && self.elsewhere_stems.contains(&stem)
                {
                    named.insert(w.clone());
                }
                stem
            })
            .collect()
    }

    fn intern(&mut self, stem: &str, document_frequency: &mut Vec<u32>) -> TermId {
        if let Some(&id) = self.terms.get(stem) {
            return id;
        }
        let id = document_frequency.len() as TermId;
        document_frequency.push(0);
        self.terms.insert(stem.to_owned(), id);
        id
    }

    /// The known word nearest to `word` and its edit distance, when `word`
    /// is not known itself and a close known word exists. Short words are
    /// never corrected: at four letters most typos are other real words
    /// ("rain" is not "pain").
    fn correct(&self, word: &str) -> Option<(&str, usize)> {
        if self.known_words.contains(word) {
            return None;
        }
        let length = word.chars().count();
        let max_distance = match length {
            0..=4 => return None,
            5..=8 => 1,
            _ => 2,
        };
        if length > 30 || word.chars().any(|c| !c.is_ascii_alphabetic()) {
            return None;
        }
        // Nearer first: a word one edit away never needs the (much larger)
        // set of two-deletion variants.
        let chars: Vec<char> = word.chars().collect();
        let bytes = word.as_bytes();
        let mut hashes = Vec::with_capacity(64);
        let mut seen: Vec<u32> = Vec::new();
        for depth in 1..=max_distance {
            hashes.clear();
            deletion_hashes(&chars, depth, &mut hashes);
            let mut best: Option<(usize, &str)> = None;
            seen.clear();
            for hash in &hashes {
                let Some(indices) = self.deletions.get(hash) else {
                    continue;
                };
                seen.extend_from_slice(indices);
            }
            seen.sort_unstable();
            seen.dedup();
            for &index in &seen {
                let known = &self.known_list[index as usize];
                // A word is never "corrected" into a stop word:
                // "shoulder" is not a typo of "should".
                if known.word.len().abs_diff(word.len()) > max_distance || known.stop {
                    continue;
                }
                let distance = edit_distance(bytes, &known.word, depth);
                if distance == 0 || distance > depth {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((d, w)) => distance < d || (distance == d && known.word.as_str() < w),
                };
                if better {
                    best = Some((distance, known.word.as_str()));
                }
            }
            if let Some((distance, known)) = best {
                return Some((known, distance));
            }
        }
        None
    }
}

/// A word the FAQ uses, for typo correction.
#[derive(Debug)]
struct KnownWord {
    word: String,
    /// Whether it is a stop word (never a correction).
    stop: bool,
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = crate::fasthash::fnv_step(self.0, u64::from(b));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// The Damerau–Levenshtein distance between `word` (ASCII) and `known`,
/// exact whenever it is at most `depth`; above that, some number above
/// `depth`. Computed as the optimal string alignment distance, which equals
/// Damerau–Levenshtein at 0 and 1 and whenever it is 2; only an alignment
/// distance of 3 may hide a true distance of 2, and strsim settles that case.
fn edit_distance(word: &[u8], known: &str, depth: usize) -> usize {
    if !known.is_ascii() {
        return strsim::damerau_levenshtein(std::str::from_utf8(word).unwrap_or(""), known);
    }
    let osa = osa_distance(word, known.as_bytes());
    if osa == 3 && depth >= 2 {
        return strsim::damerau_levenshtein(std::str::from_utf8(word).unwrap_or(""), known);
    }
    osa
}

/// Optimal string alignment distance between two short byte strings.
fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    const MAX: usize = 32;
    if a.len() >= MAX || b.len() >= MAX {
        return strsim::osa_distance(
            std::str::from_utf8(a).unwrap_or(""),
            std::str::from_utf8(b).unwrap_or(""),
        );
    }
    // Three rows: two back (for transpositions), one back, current.
    let mut two_back = [0usize; MAX];
    let mut one_back = [0usize; MAX];
    let mut current = [0usize; MAX];
    for (j, cell) in one_back.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (one_back[j] + 1)
                .min(current[j - 1] + 1)
                .min(one_back[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(two_back[j - 2] + 1);
            }
            current[j] = value;
        }
        two_back = one_back;
        one_back = current;
    }
    one_back[b.len()]
}

/// How many distinct FAQ terms `words` holds.
fn distinct_terms(words: &[QueryWord]) -> usize {
    sorted_terms(words).len()
}

/// The distinct FAQ terms among `words`, sorted.
/// The stems of everyday English words (`common_words.txt`, written by
/// `scripts/common-words` from wordfreq's figures, each word with its
/// stem by the matcher's stemmer): never the name of an entry's subject
/// ([`Matcher::own_terms`]). By stem, so that "vitamins" is as everyday as
/// "vitamin".
fn common_words() -> &'static FastSet<&'static str> {
    static STEMS: std::sync::OnceLock<FastSet<&'static str>> = std::sync::OnceLock::new();
    STEMS.get_or_init(|| common_word_lines().map(|(_, stem)| stem).collect())
}

/// The (word, stem) lines of `common_words.txt`.
fn common_word_lines() -> impl Iterator<Item = (&'static str, &'static str)> {
    include_str!("common_words.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split_once('\t'))
}

fn sorted_terms(words: &[QueryWord]) -> Vec<TermId> {
    let mut terms: Vec<TermId> = words
        .iter()
        .filter_map(|w| match *w {
            QueryWord::Term { term, .. } => Some(term),
            QueryWord::Other { .. } => None,
        })
        .collect();
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// Words that open a question or a request.
const QUESTION_OPENERS: &[&str] = &[
    "what",
    "whats",
    "how",
    "why",
    "when",
    "where",
    "which",
    "who",
    "can",
    "could",
    "is",
    "are",
    "does",
    "do",
    "did",
    "should",
    "would",
    "will",
    "am",
    "any",
    "anyone",
    "anybody",
    "has",
    "have",
    "was",
    "were",
    "tell",
    "explain",
    "help",
    "info",
    "information",
    "need",
    "ideas",
    "advice",
    "tips",
    "recommend",
    "wondering",
    "curious",
    "question",
    "q",
    "pls",
    "please",
    "wat",
    "wot",
    "wut",
    "wht",
    "waht",
    "whta",
    "wats",
    "hw",
    "hows",
    "y",
    "r",
    "cud",
    "cld",
    "shud",
    "shld",
    "shuld",
    "shoud",
    "wen",
    "wich",
    "whats",
    "isit",
    "whens",
    "wheres",
];

/// Whether a message asks something: a question mark, a sentence that
/// opens like a question or a request, "I was wondering", or a message so
/// short it is a fragment ("shin splints"). Statements ("sounds like sciatica
/// to me", "thanks for the answer about stenosis") are not answered.
/// For each word of a sentence, whether it follows "apart from", "other
/// than", "besides", "except" or "aside from": the first two words after
/// those that are not stop words name what the question is *not* about (the
/// opening words are marked too).
fn excluded_words(
    words: &[(&str, std::ops::Range<usize>)],
    stop_words: &FastSet<&'static str>,
) -> Vec<bool> {
    let mut excluded = vec![false; words.len()];
    let mut remaining = 0;
    for index in 0..words.len() {
        let word = words[index].0;
        let previous = index.checked_sub(1).map(|i| words[i].0);
        let opens = matches!(word, "besides" | "except" | "excluding")
            || (word == "from" && matches!(previous, Some("apart" | "aside")))
            || (word == "than" && previous == Some("other"));
        if opens {
            // The opening words themselves say nothing about the topic
            // either ("tell them apart" is an FAQ phrase; "apart from" is not).
            excluded[index] = true;
            if word == "from" || word == "than" {
                excluded[index - 1] = true;
            }
            remaining = 2;
            continue;
        }
        if remaining > 0 && !stop_words.contains(word) {
            excluded[index] = true;
            remaining -= 1;
        }
    }
    excluded
}

/// Who people quote in their stories, as the synonyms read them ("GP" and
/// "doc" are read as "doctor", "physio" as "physiotherapy").
const REPORTERS: &[&str] = &[
    "doctor",
    "physiotherapy",
    "nurse",
    "surgeon",
    "consultant",
    "specialist",
];
/// Verbs that, right after one of [`REPORTERS`], make it the teller of the
/// story: "my doctor said", "the GP mentioned", "my physio reckons".
const REPORTING_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "mentioned",
    "mentions",
    "told",
    "tells",
    "thinks",
    "thought",
    "reckons",
    "reckoned",
    "keeps",
    "kept",
    "called",
    "used",
    "wants",
    "wanted",
    "suggested",
    "suspects",
    "suspected",
    "explained",
    "brought",
    "put",
    "sent",
    "asked",
];

/// Whether `word` is one of [`REPORTERS`] telling something: `next` are the
/// next two words, and one of them is a reporting verb ("said", "just said").
fn reports_speech<'a>(word: &str, mut next: impl Iterator<Item = &'a str>) -> bool {
    REPORTERS.contains(&word) && next.any(|w| REPORTING_VERBS.contains(&w))
}

fn asks_something(message: &str, evidence: &Evidence) -> bool {
    let n_content_words = evidence.terms + evidence.unexplained;
    let search_style = evidence.terms >= 3 && evidence.unexplained <= 1;
    // A symptom told about a leg ("cramp in my calves every night") is an
    // implicit question in a health chat.
    let leg_symptom = evidence.topic >= 1 && evidence.symptom >= 1;
    if message.contains('?') || n_content_words <= 3 || search_style || leg_symptom {
        return true;
    }
    let clauses = text::sentences(message)
        .into_iter()
        .flat_map(|sentence| sentence.split(','))
        .collect::<Vec<_>>();
    clauses.iter().any(|sentence| {
        let words = text::plain_words(sentence);
        let opens = words
            .iter()
            .take(2)
            .any(|w| QUESTION_OPENERS.contains(&w.as_str()));
        opens
            || words
                .iter()
                .any(|w| matches!(w.as_str(), "wonder" | "wondering" | "explain" | "curious"))
    })
}

/// An entry's phrasings as stems, each with whether it is a keyword, and the
/// entry's words that `elsewhere` lists by stem ([`Matcher::read_phrasings`]).
type ReadPhrasings = (Vec<(Vec<String>, bool)>, FastSet<String>);

/// How many entries the pruned ranking scores first, from the postings of
/// the message's rarest terms, to set the bar the others must reach.
const SEEDS: usize = 32;

/// A score as the ranking compares and shows it: to three decimals.
fn rounded(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

/// A message's (or a sentence's) distinct FAQ terms with their typo factors,
/// the weight of those terms, and the weight of all it says.
struct Query {
    terms: Vec<(TermId, f32)>,
    term_weight: f32,
    weight: f32,
}

/// The best scores so far of the `size` best entries (each entry once, at
/// its best), so that [`Matcher::score_into`] can skip an entry that cannot
/// reach them.
///
/// The ranking sorts by score to three decimals ([`rounded`]), then by
/// [`Scored::exact`], then by id. An entry whose upper bound, rounded, is
/// below the `size`-th best score, rounded, scores below every kept entry
/// however the ties are broken; and since kept scores only grow, it never
/// comes back. So the best `size` entries are exactly those an unpruned
/// ranking puts first.
struct TopScores {
    size: usize,
    /// Best first.
    kept: Vec<(f32, u32)>,
}

impl TopScores {
    fn new(size: usize) -> Self {
        TopScores {
            size: size.max(1),
            kept: Vec::new(),
        }
    }

    /// Every entry is scored.
    fn unlimited(&self) -> bool {
        self.size == usize::MAX
    }

    /// Entry `index` now has best score `score`.
    fn offer(&mut self, index: u32, score: f32) {
        if self.unlimited() {
            return;
        }
        if let Some(kept) = self.kept.iter_mut().find(|(_, i)| *i == index) {
            kept.0 = kept.0.max(score);
        } else if self.kept.len() < self.size {
            self.kept.push((score, index));
        } else if self.kept.last().is_some_and(|&(last, _)| score > last) {
            *self.kept.last_mut().expect("a full list has a last") = (score, index);
        } else {
            return;
        }
        self.kept.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    }

    /// Whether an entry whose score is at most `bound` may be among the best.
    fn reachable(&self, bound: f32) -> bool {
        match self.kept.last() {
            Some(&(last, _)) if self.kept.len() >= self.size => rounded(bound) >= rounded(last),
            _ => true,
        }
    }

    /// A score below which an entry is not [reachable](Self::reachable)
    /// (a little under the exact cut, which rounding sets); `None` while
    /// fewer than `size` entries are kept.
    fn floor(&self) -> Option<f32> {
        match self.kept.last() {
            Some(&(last, _)) if self.kept.len() >= self.size => {
                Some((rounded(last) - 0.0005 - 1e-5).max(0.0))
            }
            _ => None,
        }
    }
}

/// Per-message working space of [`Matcher::score_into`], sized to the FAQ.
struct Scratch {
    /// Per entry: the weight (times typo factor) of the query's terms it uses.
    explained: Vec<f32>,
    /// Per entry: 0 untouched, else 1 (it uses a query term) with 2 added
    /// when it uses one that retrieves it.
    state: Vec<u8>,
    touched: Vec<u32>,
    per_phrasing: Vec<f32>,
}

impl Scratch {
    fn new(entries: usize) -> Self {
        Scratch {
            explained: vec![0.0; entries],
            state: vec![0; entries],
            touched: Vec::new(),
            per_phrasing: Vec::new(),
        }
    }

    /// The entries a query retrieves (those that use one of its distinctive
    /// terms, or any of its terms when none is distinctive) and that may
    /// explain at least `need` of its weight, by index, each with the weight
    /// of the query's terms it uses: what [`Matcher::score_entry`] calls
    /// `explained`.
    ///
    /// With a `need`, the lightest terms whose weights together fall short
    /// of it cannot bring in an entry on their own (MaxScore): only the
    /// postings of the others that retrieve are walked, and the rest are
    /// then looked up in the entries found.
    fn gather(
        &mut self,
        matcher: &Matcher,
        query: &[(TermId, f32)],
        distinctive: bool,
        need: f32,
    ) -> Vec<(u32, f32)> {
        const TOUCHED: u8 = 1;
        const RETRIEVED: u8 = 2;
        let retrieves = |weight: f32| !distinctive || weight >= RETRIEVAL_MIN_WEIGHT;
        // The lightest terms, while their weights add up to less than `need`.
        let mut by_weight: Vec<(f32, TermId, f32)> = query
            .iter()
            .map(|&(term, factor)| {
                let weight = matcher.weights[term as usize];
                (weight * factor, term, weight)
            })
            .collect();
        by_weight.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut light = 0;
        let mut light_sum = 0.0f32;
        while light < by_weight.len() && light_sum + by_weight[light].0 < need {
            light_sum += by_weight[light].0;
            light += 1;
        }
        // A term that does not retrieve cannot bring in an entry either.
        let (walked, looked_up): (Vec<_>, Vec<_>) = by_weight
            .iter()
            .enumerate()
            .partition(|&(k, &(_, _, weight))| k >= light && retrieves(weight));
        for &(_, &(counted, term, _)) in &walked {
            let flag = TOUCHED | RETRIEVED;
            for &index in &matcher.postings[term as usize] {
                let i = index as usize;
                if self.state[i] == 0 {
                    self.touched.push(index);
                }
                self.state[i] |= flag;
                self.explained[i] += counted;
            }
        }
        for &(_, &(counted, term, weight)) in &looked_up {
            let flag = if retrieves(weight) { RETRIEVED } else { 0 };
            let postings = &matcher.postings[term as usize];
            if postings.len() <= self.touched.len() * 4 {
                for &index in postings {
                    let i = index as usize;
                    if self.state[i] != 0 {
                        self.state[i] |= flag;
                        self.explained[i] += counted;
                    }
                }
            } else {
                for &index in &self.touched {
                    let i = index as usize;
                    if matcher.entries[i].terms.binary_search(&term).is_ok() {
                        self.state[i] |= flag;
                        self.explained[i] += counted;
                    }
                }
            }
        }
        let mut found = Vec::new();
        for &index in &self.touched {
            let i = index as usize;
            if self.state[i] & RETRIEVED != 0 {
                found.push((index, self.explained[i]));
            }
            self.state[i] = 0;
            self.explained[i] = 0.0;
        }
        self.touched.clear();
        found
    }
}

/// A whole message's distinct FAQ terms, for discounting the score of one of
/// its sentences; each entry's share of their weight is worked out once.
struct WholeMessage {
    terms: Vec<TermId>,
    weight: f32,
    shares: std::cell::RefCell<FastMap<u32, f32>>,
}

impl WholeMessage {
    fn new(matcher: &Matcher, words: &[QueryWord]) -> Self {
        let terms = sorted_terms(words);
        let weight = terms.iter().map(|&t| matcher.weights[t as usize]).sum();
        WholeMessage {
            terms,
            weight,
            shares: std::cell::RefCell::new(FastMap::default()),
        }
    }

    /// The share (0–1) of the whole message's term weight that entry `index`
    /// uses (typo factors left out).
    fn share(&self, matcher: &Matcher, index: u32) -> f32 {
        if self.weight <= 0.0 {
            return 1.0;
        }
        *self.shares.borrow_mut().entry(index).or_insert_with(|| {
            let terms = &matcher.entries[index as usize].terms;
            let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
            while i < self.terms.len() && j < terms.len() {
                match self.terms[i].cmp(&terms[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        sum += matcher.weights[terms[j] as usize];
                        i += 1;
                        j += 1;
                    }
                }
            }
            sum / self.weight
        })
    }
}

/// Hashes of the word itself and of every variant with one character
/// deleted; with `depth` 2 and a word of eight characters or more, also of
/// every variant with two deleted. Two words within edit distance `depth`
/// always share a variant (the index holds the known words' variants to
/// depth 2). Variants are hashed where they stand, never built as strings.
fn deletion_hashes(chars: &[char], depth: usize, out: &mut Vec<u64>) {
    out.push(hash_skipping(chars, usize::MAX, usize::MAX));
    if chars.len() < 4 || chars.len() > 30 {
        return;
    }
    for skip in 0..chars.len() {
        out.push(hash_skipping(chars, skip, usize::MAX));
        if depth >= 2 && chars.len() >= 8 {
            for skip2 in skip + 1..chars.len() {
                out.push(hash_skipping(chars, skip, skip2));
            }
        }
    }
}

/// FNV-1a over `chars` without the characters at `skip` and `skip2`.
fn hash_skipping(chars: &[char], skip: usize, skip2: usize) -> u64 {
    let mut hash = crate::fasthash::FNV_OFFSET;
    for (index, &c) in chars.iter().enumerate() {
        if index == skip || index == skip2 {
            continue;
        }
        hash = crate::fasthash::fnv_step(hash, u64::from(c));
    }
    hash
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// `common_words.txt` holds each word's stem as the matcher stems it
    /// (written by `scripts/common-words`); a stemmer upgrade must rewrite it.
    #[test]
    fn the_common_words_stems_are_the_matchers() {
        let stemmer = Stemmer::create(Algorithm::English);
        let lines: Vec<_> = common_word_lines().collect();
        assert!(lines.len() > 10_000, "{}", lines.len());
        for (word, stem) in lines {
            assert_eq!(stemmer.stem(word), stem, "{word}");
        }
        assert!(common_words().contains("vitamin") && !common_words().contains("gout"));
    }

    /// Every message of the labelled sets (and a few odd ones): what the
    /// pruned ranking is checked on.
    fn messages() -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matcher");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("tests/data/matcher")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "tsv"))
            .collect();
        files.sort();
        let mut messages: Vec<String> = files
            .iter()
            .flat_map(|path| super::super::calibration::read_labelled(path).expect("a set"))
            .map(|labelled| labelled.message)
            .collect();
        assert!(messages.len() > 1000, "the labelled sets are read");
        messages.extend(
            [
                "",
                "leg",
                "why do my legs hurt when i walk",
                "leg leg leg leg leg pain pain pain walking walking",
                "calf. calf. calf. pain. pain.",
            ]
            .map(str::to_owned),
        );
        messages
    }

    fn shipped_faq() -> Faq {
        let (faq, problems) =
            crate::faq::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"));
        assert!(problems.is_empty(), "faq/ has problems: {problems:?}");
        faq
    }

    /// The ranking of the best `keep` entries is the head of the ranking of
    /// every entry: the same entries, scores and order, and the same
    /// figures the rules read from the first two.
    fn assert_pruning_is_exact(matcher: &Matcher, messages: &[String], keeps: &[usize]) {
        let mut pruned_some = false;
        for (n, message) in messages.iter().enumerate() {
            let full = matcher.rank_with_evidence(message, usize::MAX);
            for &keep in keeps {
                let pruned = matcher.rank_with_evidence(message, keep);
                let head: Vec<&Candidate> = full.ranked.iter().take(keep.max(2)).collect();
                // The message itself is not printed: some sets are held out.
                assert_eq!(
                    pruned.ranked.iter().collect::<Vec<_>>(),
                    head,
                    "message {n}, keep {keep}"
                );
                assert_eq!(
                    pruned.indices[..],
                    full.indices[..head.len()],
                    "message {n}"
                );
                assert_eq!(pruned.best_share, full.best_share, "message {n}");
                assert_eq!(pruned.first_adds, full.first_adds, "message {n}");
                assert_eq!(pruned.second_adds, full.second_adds, "message {n}");
                assert_eq!(pruned.exact, full.exact, "message {n}");
                pruned_some |= full.ranked.len() > keep.max(2);
            }
        }
        assert!(pruned_some, "some ranking had more candidates than it kept");
    }

    #[test]
    fn the_pruned_ranking_is_the_head_of_the_whole_one() {
        let matcher = Matcher::new(&shipped_faq(), MatcherSettings::default());
        assert_pruning_is_exact(&matcher, &messages(), &[1, 2, 3, 5]);
    }

    /// A large FAQ where every real word is in many entries and many
    /// entries tie: the real ones cloned, their questions and alternates
    /// varied by everyday words, their keywords kept (so whole runs of
    /// clones score the same).
    #[test]
    fn the_pruned_ranking_is_exact_on_a_large_faq_of_near_copies() {
        let mut faq = shipped_faq();
        let real = faq.entries.clone();
        const EVERYDAY: [&str; 6] = [
            "for my dad after walking",
            "at night for a week",
            "on the stairs since christmas",
            "after sitting with diabetes",
            "in the morning at 70",
            "for a runner after surgery",
        ];
        for k in 0..40 {
            for base in &real {
                let mut entry = base.clone();
                let words = EVERYDAY[k % EVERYDAY.len()];
                entry.id = format!("{}-v{k}", base.id);
                entry.question = format!("{} {words}?", base.question.trim_end_matches('?'));
                entry.alternates = base
                    .alternates
                    .iter()
                    .map(|a| format!("{a} {words} {k}"))
                    .collect();
                faq.entries.push(entry);
            }
        }
        let matcher = Matcher::new(&faq, MatcherSettings::default());
        let messages: Vec<String> = messages().into_iter().step_by(3).collect();
        assert_pruning_is_exact(&matcher, &messages, &[3]);
    }
}
