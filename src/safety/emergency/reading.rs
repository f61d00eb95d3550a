//! Reading one message: words and their concepts, clauses and sentences,
//! derived concepts, negation and "if" scopes, questions, and the patterns
//! of each red flag. The same code for every flag; what it looks for is in
//! [`Rules`].

use super::lexicon::{ConceptSet, Found, Lexicon};
use super::rules::{Derive, Need, Pattern, Rules, Scope};
use crate::text;

/// The gap (in word positions) between two sentences, so that a window of a
/// few words rarely joins the end of one sentence to the start of the next.
const SENTENCE_GAP: usize = 3;
/// How far back (in words) "it" may look for the leg it stands for.
const PRONOUN_LOOKBACK: usize = 30;

/// One cleaned word of the message with what it means and where it is.
#[derive(Debug, Clone)]
pub struct Word {
    /// Where the cleaned word is in the analysis' text arena.
    text: (u32, u32),
    /// The concepts of the phrase that starts at this word (empty for the
    /// later words of a phrase).
    pub concepts: ConceptSet,
    /// The concepts of this word alone, even inside a longer phrase: who
    /// and how ("my" in "half my body"), for questions and scopes.
    own: ConceptSet,
    /// How many words the phrase starting here spans (0 for the later words
    /// of a phrase).
    span: usize,
    /// Index of the sentence.
    sentence: usize,
    /// Index of the clause (unique across the message).
    clause: usize,
    /// Position used for windows: the word index plus a gap per sentence.
    position: usize,
    /// Inside the reach of a negation or an "if".
    scoped: bool,
}

/// "foot's", "leg's", "dad's" without their "'s" (a possessive, or "is" /
/// "has" after a noun), so the noun reads as itself and not as a plural
/// ("leg's been swollen" is one leg). Pronoun contractions in `keep` ("it's",
/// "he's", "what's") stay whole.
fn drop_possessive_s<'c>(clause: &'c str, keep: &[String]) -> std::borrow::Cow<'c, str> {
    let ascii_quote = clause.as_bytes().contains(&b'\'');
    if !ascii_quote && (clause.is_ascii() || !clause.contains(['\u{2019}', '\u{02BC}'])) {
        return std::borrow::Cow::Borrowed(clause);
    }
    let mut out = String::with_capacity(clause.len());
    let mut chars = clause.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let apostrophe = matches!(c, '\'' | '\u{2019}' | '\u{02BC}');
        let s_follows = chars
            .peek()
            .is_some_and(|&(_, next)| next == 's' || next == 'S');
        if apostrophe && s_follows {
            let after = clause.get(offset + c.len_utf8() + 1..).unwrap_or("");
            let word_ends = after
                .chars()
                .next()
                .is_none_or(|next| !next.is_alphanumeric());
            let before = clause.get(..offset).unwrap_or("");
            let word: String = before
                .chars()
                .rev()
                .take_while(|ch| ch.is_alphanumeric())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
                .to_lowercase();
            if word_ends && !word.is_empty() && !keep.contains(&word) {
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// What the context reading needs of a sentence besides its words.
struct SentenceInput {
    /// It ended with a question mark.
    question: bool,
}

/// One word as read, for explanations.
#[derive(Debug, Clone)]
pub struct WordReading {
    /// The cleaned word.
    pub text: String,
    /// Its concepts.
    pub concepts: ConceptSet,
    /// Its sentence.
    pub sentence: usize,
    /// Inside a negation or an "if".
    pub scoped: bool,
    /// In a sentence that asks for information.
    pub informational: bool,
}

/// Whether informational sentences count, for one reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Findings in a sentence that asks for information do not count.
    Reports,
    /// Findings in such sentences count too (what the message asks about).
    Everything,
}

/// Where a word is: its sentence and clause (both counted across the
/// message).
#[derive(Clone, Copy)]
struct WordAt {
    sentence: usize,
    clause: usize,
}

/// The message with each emoji that reads as a word replaced by the word
/// ("😂" as " haha ").
fn emoji_as_words(rules: &Rules, mut plain: String) -> String {
    // An ASCII message holds no emoji: most messages skip the searches.
    let ascii = plain.is_ascii();
    for (emoji, word) in &rules.sentences.emoji_words {
        if (emoji.is_ascii() || !ascii) && plain.contains(*emoji) {
            plain = plain.replace(*emoji, &format!(" {word} "));
        }
    }
    plain
}

/// The concepts the screen gives a number itself: a temperature of a fever,
/// a year.
fn number_concepts(rules: &Rules, word: Option<&str>) -> ConceptSet {
    let mut concepts = ConceptSet::EMPTY;
    if word
        .and_then(text::leading_number)
        .is_some_and(text::is_fever_reading)
    {
        concepts.insert(rules.fever_reading);
    }
    if word
        .filter(|word| word.len() == 4)
        .and_then(|word| word.parse::<u32>().ok())
        .is_some_and(|year| (1900..=2099).contains(&year))
    {
        concepts.insert(rules.year);
    }
    concepts
}

/// The words of a message with their concepts and scopes, and the patterns
/// that read them.
#[derive(Debug)]
pub struct Analysis<'a> {
    rules: &'a Rules,
    /// The words, in order.
    pub words: Vec<Word>,
    /// Per sentence: asks for information rather than describing a person.
    informational: Vec<bool>,
    /// Per modifier: cancelled for this message.
    cancelled: Vec<bool>,
    /// The message without code, links and mentions.
    pub plain: String,
    /// The cleaned words, one after the other (see [`Word::text`]).
    arena: String,
    /// Every concept of the message, after derived concepts.
    present: ConceptSet,
    /// Per clause: it tells a past, resolved episode.
    historical: Vec<bool>,
    mode: Mode,
    /// The words of each sentence, as `start..end` indices into `words`.
    sentence_spans: Vec<(usize, usize)>,
    /// The indices of the words with any concept (after derived concepts),
    /// in order: the only words a pattern can anchor on.
    concept_words: Vec<usize>,
}

impl<'a> Analysis<'a> {
    /// Splits, cleans, tags and scopes the message.
    pub fn new(lexicon: &Lexicon, rules: &'a Rules, message: &str) -> Analysis<'a> {
        let mut analysis = Analysis {
            rules,
            words: Vec::new(),
            informational: Vec::new(),
            historical: Vec::new(),
            cancelled: Vec::new(),
            plain: String::new(),
            arena: String::new(),
            present: ConceptSet::EMPTY,
            mode: Mode::Reports,
            sentence_spans: Vec::new(),
            concept_words: Vec::new(),
        };
        // Code, links and mentions go before splitting, so that
        // "example.com/chest-pain" is not cut at its dot into words.
        analysis.plain = text::without_markup(message);
        // About one word in five bytes: room made once, not grown word by word.
        analysis.words.reserve(analysis.plain.len() / 5 + 1);
        analysis.arena.reserve(analysis.plain.len());
        let plain = emoji_as_words(rules, analysis.plain.clone());
        // First the words of every sentence, then what the whole message says
        // (some phrases change how every sentence is read: "thats whats
        // happening right now"), then each sentence in context.
        let sentences = analysis.read_words(lexicon, &plain);
        analysis.sentence_spans = sentences
            .iter()
            .map(|&(start, end, _)| (start, end))
            .collect();
        let message_concepts = analysis
            .words
            .iter()
            .fold(ConceptSet::EMPTY, |set, word| set.union(word.concepts));
        analysis.cancelled = rules
            .modifiers
            .iter()
            .map(|modifier| message_concepts.intersects(modifier.cancelled_by))
            .collect();
        let affirmed = message_concepts.intersects(rules.sentences.affirmations);
        analysis.read_sentences(sentences, affirmed);
        analysis.present = analysis
            .words
            .iter()
            .fold(ConceptSet::EMPTY, |set, word| set.union(word.concepts));
        analysis.concept_words = analysis
            .words
            .iter()
            .enumerate()
            .filter(|(_, word)| !word.concepts.is_empty())
            .map(|(index, _)| index)
            .collect();
        analysis.mark_narrative_history();
        analysis
    }

    /// Tags the words of every sentence of `plain` with their concepts and
    /// clauses; returns each sentence's words (`start..end`) and whether it
    /// ended with a question mark. Sizes `historical` by the clauses found.
    fn read_words(&mut self, lexicon: &Lexicon, plain: &str) -> Vec<(usize, usize, bool)> {
        let rules = self.rules;
        let mut clause = 0;
        let mut sentences: Vec<(usize, usize, bool)> = Vec::new();
        for (sentence_index, sentence) in text::split_sentences(plain).into_iter().enumerate() {
            let start = self.words.len();
            for raw_clause in text::split_clauses(sentence.text) {
                let cleaned = text::clean_plain(&drop_possessive_s(
                    raw_clause,
                    &rules.sentences.keep_apostrophe_s,
                ));
                let words = text::words_of(&cleaned);
                if words.is_empty() {
                    continue;
                }
                clause += 1;
                let mut index = 0;
                while index < words.len() {
                    let rest = words.get(index..).unwrap_or_default();
                    let found = lexicon.read_at(rest).unwrap_or(Found {
                        length: 1,
                        concepts: ConceptSet::EMPTY,
                        own: ConceptSet::EMPTY,
                    });
                    if found.concepts.intersects(rules.sentences.clause_breakers) {
                        clause += 1;
                    }
                    let at = WordAt {
                        sentence: sentence_index,
                        clause,
                    };
                    self.push_phrase(lexicon, rest, &found, at);
                    index += found.length.max(1);
                }
            }
            sentences.push((start, self.words.len(), sentence.question));
        }
        self.historical = vec![false; clause + 1];
        sentences
    }

    /// Adds the words of one phrase the lexicon found at the start of
    /// `rest`: the first word carries the phrase's concepts (and a number's),
    /// the others only their own.
    fn push_phrase(&mut self, lexicon: &Lexicon, rest: &[&str], found: &Found, at: WordAt) {
        let length = found.length;
        let concepts = found
            .concepts
            .union(number_concepts(self.rules, rest.first().copied()));
        for offset in 0..length {
            let Some(word) = rest.get(offset) else {
                break;
            };
            let word_index = self.words.len();
            let begin = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
            self.arena.push_str(word);
            let end = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
            self.words.push(Word {
                text: (begin, end),
                concepts: if offset == 0 {
                    concepts
                } else {
                    ConceptSet::EMPTY
                },
                own: if offset == 0 {
                    found.own
                } else {
                    lexicon.word_concepts(word)
                },
                span: if offset == 0 { length } else { 0 },
                sentence: at.sentence,
                clause: at.clause,
                position: word_index + at.sentence * SENTENCE_GAP,
                scoped: false,
            });
        }
    }

    /// Reads each sentence in context: derived concepts, the scopes of
    /// negation and "if", whether it asks for information (never, when the
    /// message is `affirmed`), and what it tells as past.
    fn read_sentences(&mut self, sentences: Vec<(usize, usize, bool)>, affirmed: bool) {
        let rules = self.rules;
        let mut previous_informational = false;
        for (start, end, question) in sentences {
            let sentence = SentenceInput { question };
            // What the sentence holds, grown by each derived concept: a rule
            // whose two concepts are not both here is skipped.
            let mut present = (start..end).fold(ConceptSet::EMPTY, |set, index| {
                set.union(self.word(index).map_or(ConceptSet::EMPTY, |w| w.concepts))
            });
            present = self.derive_all(start, end, present, true);
            self.mark_scopes(start, end, present);
            present = self.derive_all(start, end, present, false);
            let informational = !affirmed
                && self.is_informational(start, end, sentence.question, previous_informational);
            // "is it normal with sciatica to not feel when you poo? started
            // today": a question followed by when it started is a report.
            if previous_informational
                && !informational
                && (start..end).any(|index| self.has(index, rules.sentences.times))
                && let Some(previous) = self.informational.last_mut()
            {
                *previous = false;
            }
            self.informational.push(informational);
            previous_informational = informational;
            // Nothing told as past or over: no clause to mark (`present`
            // holds every concept of the sentence, and perhaps more).
            if present.intersects(rules.history_past.union(rules.history_closed)) {
                self.mark_history(start, end);
            }
        }
    }

    /// Applies, in order, the derive rules read before (or after) the scopes
    /// to the sentence `start..end`; returns `present` with what they gave.
    fn derive_all(
        &mut self,
        start: usize,
        end: usize,
        mut present: ConceptSet,
        before_scopes: bool,
    ) -> ConceptSet {
        let rules = self.rules;
        for derive in rules
            .derives
            .iter()
            .filter(|derive| derive.before_scopes == before_scopes)
        {
            if present.intersects(derive.first) && present.intersects(derive.then) {
                self.derive(derive, start, end);
                present = present.union(derive.gives);
            }
        }
        present
    }

    /// A story told by its own clock ("It was a Thursday night … By the next
    /// morning … Two days later …"), with nothing that ties it to now ("this
    /// morning", "an hour ago", "now"): every clause up to the last sentence
    /// with a clock word tells the past, unless it says something as now
    /// ("and it still hurts"). A story with a clock that starts "yesterday"
    /// is about now, and is read as before.
    fn mark_narrative_history(&mut self) {
        let rules = self.rules;
        if !self.present.intersects(rules.history_narrative)
            || self.present.intersects(rules.history_narrative_blockers)
        {
            return;
        }
        let Some(last) = self
            .words
            .iter()
            .filter(|word| word.concepts.intersects(rules.history_narrative))
            .map(|word| word.sentence)
            .max()
        else {
            return;
        };
        let mut now_clauses: Vec<usize> = self
            .words
            .iter()
            .filter(|word| word.concepts.intersects(rules.history_present))
            .map(|word| word.clause)
            .collect();
        now_clauses.sort_unstable();
        now_clauses.dedup();
        for word in self.words.iter().filter(|word| word.sentence <= last) {
            if now_clauses.binary_search(&word.clause).is_err()
                && let Some(slot) = self.historical.get_mut(word.clause)
            {
                *slot = true;
            }
        }
    }

    /// Each word as read, for [`super::EmergencyScreen::explain`].
    pub fn describe(&self) -> Vec<WordReading> {
        self.words
            .iter()
            .map(|word| WordReading {
                text: self.text(word).to_owned(),
                concepts: word.concepts,
                sentence: word.sentence,
                scoped: word.scoped,
                informational: self
                    .informational
                    .get(word.sentence)
                    .copied()
                    .unwrap_or(false),
            })
            .collect()
    }

    /// Whether the message tells its complaint as long-standing ("been 2
    /// months now", "for years") and nothing as sudden or recent (context.toml
    /// `second_opinion_quiet` and `second_opinion_unless`).
    pub fn long_standing(&self) -> bool {
        self.present.intersects(self.rules.second_opinion_quiet)
            && !self.present.intersects(self.rules.second_opinion_unless)
    }

    /// Whether the message names a part of the body or a finding
    /// (context.toml `second_opinion_needs`): the second opinion only reads
    /// messages about a body, so chat about a laptop or a football team
    /// never alarms.
    pub fn about_a_body(&self) -> bool {
        self.present.intersects(self.rules.second_opinion_needs)
    }

    /// Whether the message tells someone's own leg symptoms (context.toml
    /// `[story]`): it names a part of the legs (`about`); one sentence that is not a general question names a
    /// person and something they feel, outside a negation or "if"; and the
    /// message has a story's marks (when, how long, what happened), or more
    /// than one sentence, or `min_words` words.
    pub fn tells_symptoms(&self) -> bool {
        let story = &self.rules.story;
        if !self.present.intersects(story.about) {
            return false;
        }
        let sentences = self.informational.len();
        let told = (0..sentences).any(|sentence| {
            if self.informational.get(sentence).copied().unwrap_or(true) {
                return false;
            }
            let in_sentence = || self.words.iter().filter(move |w| w.sentence == sentence);
            in_sentence().any(|w| w.concepts.union(w.own).intersects(story.people))
                && in_sentence().any(|w| !w.scoped && w.concepts.intersects(story.findings))
        });
        told && (sentences >= 2
            || self.words.len() >= story.min_words
            || self.present.intersects(story.markers)
            || self.tells_an_age())
    }

    /// Whether the message gives the writer's age ("I'm 66", "I am 70",
    /// "aged 58"): a story's detail, as when it started is. (A child's age,
    /// "my 7 year old", is not: the symptom check is written for adults.)
    fn tells_an_age(&self) -> bool {
        let texts: Vec<&str> = self.words.iter().map(|word| self.text(word)).collect();
        texts.iter().enumerate().any(|(index, text)| {
            let number =
                !text.is_empty() && text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit());
            let before = index
                .checked_sub(1)
                .and_then(|i| texts.get(i))
                .copied()
                .unwrap_or("");
            number && matches!(before, "im" | "am" | "aged" | "turned")
        })
    }

    /// Whether any sentence asks for information.
    pub fn has_informational(&self) -> bool {
        self.informational.iter().any(|&asks| asks)
    }

    /// Reads the message in `mode` from now on.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    // ---- building blocks --------------------------------------------------

    fn word(&self, index: usize) -> Option<&Word> {
        self.words.get(index)
    }

    /// The cleaned text of a word.
    fn text(&self, word: &Word) -> &str {
        self.arena
            .get(word.text.0 as usize..word.text.1 as usize)
            .unwrap_or("")
    }

    fn has(&self, index: usize, concepts: ConceptSet) -> bool {
        self.word(index)
            .is_some_and(|word| word.concepts.intersects(concepts))
    }

    /// Whether word `index` is a report marker: a personal word (but not "i"
    /// in "should i"), or a time marker.
    fn is_report_marker(&self, index: usize) -> bool {
        let Some(word) = self.word(index) else {
            return false;
        };
        let sentences = &self.rules.sentences;
        if word.concepts.intersects(sentences.times) {
            return true;
        }
        // "i read about it": the person is telling where they read, not
        // what they feel.
        if word.concepts.intersects(sentences.info_markers) {
            return false;
        }
        if !word.own.union(word.concepts).intersects(sentences.people) {
            return false;
        }
        if self.text(word) == "i" {
            let generic = index
                .checked_sub(1)
                .and_then(|before| self.word(before))
                .filter(|before| before.sentence == word.sentence)
                .is_some_and(|before| {
                    before
                        .own
                        .union(before.concepts)
                        .intersects(self.rules.sentences.generic_i_after)
                });
            return !generic;
        }
        true
    }

    /// Whether word `index` names a person (a new subject for scopes): a
    /// people word, but not "i" in "should i".
    fn is_new_subject(&self, index: usize) -> bool {
        self.is_report_marker(index)
            && self.word(index).is_some_and(|word| {
                let own = word.own.union(word.concepts);
                own.intersects(self.rules.sentences.people)
                    && !own.intersects(self.rules.sentences.not_subjects)
            })
    }

    /// Whether word `index` carries any of `concepts` and one of them counts:
    /// not inside a negation or an "if" (body parts always count), and not in
    /// a sentence that asks for information.
    #[inline]
    fn live(&self, index: usize, concepts: ConceptSet) -> bool {
        let Some(word) = self.word(index) else {
            return false;
        };
        let found = word.concepts.and(concepts);
        if found.is_empty() {
            return false;
        }
        let informational = self.mode == Mode::Reports
            && self
                .informational
                .get(word.sentence)
                .copied()
                .unwrap_or(false);
        let historical = self.historical.get(word.clause).copied().unwrap_or(false)
            && !found.intersects(self.rules.history_exempt);
        !informational && !historical && (found.intersects(self.rules.body) || !word.scoped)
    }

    /// Indices of the words within `scope` of word `index`.
    fn within(&self, index: usize, scope: Scope) -> std::ops::RangeInclusive<usize> {
        let last = self.words.len().saturating_sub(1);
        match scope {
            Scope::Message => 0..=last,
            Scope::Sentence => {
                if let Some(word) = self.word(index)
                    && let Some(&(start, end)) = self.sentence_spans.get(word.sentence)
                    && (start..end).contains(&index)
                {
                    return start..=end - 1;
                }
                let sentence = self.word(index).map_or(0, |word| word.sentence);
                let same = |other: &usize| {
                    self.word(*other)
                        .is_some_and(|word| word.sentence == sentence)
                };
                let low = (0..index).rev().take_while(same).last().unwrap_or(index);
                let high = (index..self.words.len())
                    .take_while(same)
                    .last()
                    .unwrap_or(index);
                low..=high
            }
            Scope::Reach(reach) => {
                index.saturating_sub(reach)..=index.saturating_add(reach).min(last)
            }
        }
    }

    /// Whether word `other` is within `scope` of word `index` (a reach is
    /// measured in positions, so sentences are kept apart).
    fn in_scope(&self, index: usize, other: usize, scope: Scope) -> bool {
        match scope {
            Scope::Message => true,
            Scope::Sentence => {
                self.word(index).map(|word| word.sentence)
                    == self.word(other).map(|word| word.sentence)
            }
            Scope::Reach(reach) => match (self.word(index), self.word(other)) {
                (Some(a), Some(b)) => a.position.abs_diff(b.position) <= reach,
                _ => false,
            },
        }
    }

    /// The words within `scope` of word `index`.
    fn around(&self, index: usize, scope: Scope) -> impl Iterator<Item = usize> + '_ {
        self.within(index, scope)
            .filter(move |&other| self.in_scope(index, other, scope))
    }

    /// The reach of a calm word.
    fn calm_reach(&self, concepts: ConceptSet) -> usize {
        let mut reach = None;
        for (id, id_reach) in &self.rules.calm_reach {
            if concepts.has(*id) {
                reach = Some(reach.map_or(*id_reach, |r: usize| r.max(*id_reach)));
            }
        }
        // A word with a listed concept and others reaches as far as its
        // widest.
        let listed = self
            .rules
            .calm_reach
            .iter()
            .fold(ConceptSet::EMPTY, |set, (id, _)| {
                set.union(ConceptSet::one(*id))
            });
        let mut unlisted = concepts;
        unlisted.remove(listed);
        if !unlisted.is_empty() {
            reach = Some(reach.map_or(self.rules.calm_reach_default, |r| {
                r.max(self.rules.calm_reach_default)
            }));
        }
        reach.unwrap_or(self.rules.calm_reach_default)
    }

    /// Whether calm context (`blockers`) sits in the same clause as word
    /// `index`, within its reach. A negated blocker does not block ("not
    /// after running").
    fn blocked(&self, index: usize, blockers: ConceptSet) -> bool {
        if blockers.is_empty() {
            return false;
        }
        let Some(clause) = self.word(index).map(|word| word.clause) else {
            return false;
        };
        let forward_only = self.rules.calm_forward_only;
        let told_by_writer = self.told_by_writer(index);
        self.around(index, Scope::Reach(self.rules.max_calm_reach))
            .any(|other| {
                self.word(other).is_some_and(|word| {
                    let mut found = word.concepts.and(blockers);
                    if told_by_writer {
                        found.remove(self.rules.calm_about_others);
                    }
                    let mut reaching_back = found;
                    reaching_back.remove(forward_only);
                    word.clause == clause
                        && !found.is_empty()
                        && !word.scoped
                        && (other <= index || !reaching_back.is_empty())
                        && other.abs_diff(index) <= self.calm_reach(found)
                })
            })
    }

    /// Whether the sign at word `index` is the writer's own: of the words
    /// before it in its clause that name the writer ("my", "I") or another
    /// creature (a pet), the nearest names the writer. "feeding the cat and
    /// my face dropped" is the writer's face; "my dog's back legs went weak"
    /// is the dog's.
    fn told_by_writer(&self, index: usize) -> bool {
        let others = self.rules.calm_about_others;
        let writer = self.rules.writer;
        if others.is_empty() || writer.is_empty() {
            return false;
        }
        let Some(clause) = self.word(index).map(|word| word.clause) else {
            return false;
        };
        (0..=index)
            .rev()
            .map_while(|other| self.word(other).filter(|word| word.clause == clause))
            .find_map(|word| {
                if word.concepts.intersects(writer) {
                    Some(true)
                } else if word.concepts.intersects(others) {
                    Some(false)
                } else {
                    None
                }
            })
            .unwrap_or(false)
    }

    /// Whether the sign at word `index` is explained by calm context;
    /// `overridden` (a sudden onset, severe pain, an injury) sets it aside,
    /// except the context that is always calm.
    fn calm(
        &self,
        index: usize,
        blockers: ConceptSet,
        always: ConceptSet,
        overridden: bool,
    ) -> bool {
        let always = always.union(blockers.and(self.rules.always_calm));
        if overridden {
            self.blocked(index, always)
        } else {
            self.blocked(index, blockers.union(always))
        }
    }

    /// Whether any word of word `index`'s sentence carries `concepts`, live
    /// or not (calm context counts even inside an "if").
    fn in_sentence_any(&self, index: usize, concepts: ConceptSet) -> bool {
        !concepts.is_empty()
            && self
                .around(index, Scope::Sentence)
                .any(|other| self.has(other, concepts))
    }

    // ---- passes over one sentence (words start..end) ---------------------

    /// The first word after the phrase at `index` (at most `reach` words
    /// after its end, in the same clause, before `end`) that carries any of
    /// `concepts`.
    fn next_with(
        &self,
        index: usize,
        end: usize,
        reach: usize,
        concepts: ConceptSet,
    ) -> Option<usize> {
        let word = self.word(index)?;
        let clause = word.clause;
        let after = index + word.span.max(1);
        (after..end.min(after + reach))
            .take_while(|&other| self.word(other).is_some_and(|word| word.clause == clause))
            .find(|&other| self.has(other, concepts))
    }

    /// Applies one derived-concept rule to the sentence `start..end`.
    fn derive(&mut self, derive: &Derive, start: usize, end: usize) {
        for index in start..end {
            if !self.has(index, derive.first) {
                continue;
            }
            let partner = if derive.next {
                self.next_with(index, end, derive.within, derive.then)
            } else {
                let clause = self.word(index).map(|word| word.clause);
                let low = index.saturating_sub(derive.within).max(start);
                let high = index.saturating_add(derive.within + 1).min(end);
                (low..high).find(|&other| {
                    other != index
                        && self.has(other, derive.then)
                        && (derive.in_sentence
                            || self.word(other).map(|word| word.clause) == clause)
                })
            };
            let Some(partner) = partner else {
                continue;
            };
            if derive.same_scope
                && self.word(index).map(|w| w.scoped) != self.word(partner).map(|w| w.scoped)
            {
                continue;
            }
            let (low, high) = (index.min(partner), index.max(partner));
            if !derive.not_across.is_empty()
                && (low + 1..high).any(|between| self.has(between, derive.not_across))
            {
                continue;
            }
            let next_word = self
                .word(partner + 1)
                .filter(|next| Some(next.sentence) == self.word(partner).map(|w| w.sentence))
                .map(|next| self.text(next));
            if next_word.is_some_and(|next| derive.not_followed_by.iter().any(|w| w == next)) {
                continue;
            }
            let target = if derive.on_first { index } else { partner };
            if let Some(word) = self.words.get_mut(target) {
                word.concepts = word.concepts.union(derive.gives);
            }
            if let Some(word) = self.words.get_mut(partner) {
                word.concepts.remove(derive.remove);
            }
            if let Some(word) = self.words.get_mut(index) {
                word.concepts.remove(derive.remove_first);
            }
        }
    }

    /// Marks the clauses of the sentence `start..end` that tell a past,
    /// resolved episode and nothing as now.
    fn mark_history(&mut self, start: usize, end: usize) {
        let mut clauses: Vec<usize> = (start..end)
            .filter_map(|index| self.word(index).map(|word| word.clause))
            .collect();
        clauses.dedup();
        let clauses = clauses;
        // A long-ago episode goes on over the clauses that follow it in the
        // sentence ("in 2020 I was rushed in because I couldn't pee") until
        // one tells something as now ("but now my chest hurts").
        let mut in_past = false;
        for &clause in &clauses {
            let in_clause = |index: &usize| self.word(*index).is_some_and(|w| w.clause == clause);
            let past = (start..end)
                .filter(in_clause)
                .any(|index| self.has(index, self.rules.history_past));
            let present = (start..end)
                .filter(in_clause)
                .any(|index| self.has(index, self.rules.history_present));
            if present {
                in_past = false;
            } else if past {
                in_past = true;
            }
            if in_past && let Some(slot) = self.historical.get_mut(clause) {
                *slot = true;
            }
        }
        // An episode told first and dated after, in a sentence that says it
        // is over ("I had saddle numbness and an op, that was 10 years ago
        // and I'm fine now"): the date reaches back over the clauses before
        // it, until one tells something as now. Without the closing words
        // ("both legs gave way, I had surgery in 2015") nothing changes.
        let closed = (start..end).any(|index| self.has(index, self.rules.history_closed));
        if !closed {
            return;
        }
        // A clause that says the episode is over ("I'm fine now") is about
        // the past episode, whatever its tense.
        let mut dated_after = false;
        for &clause in clauses.iter().rev() {
            let in_clause = |index: &usize| self.word(*index).is_some_and(|w| w.clause == clause);
            let closes = (start..end)
                .filter(in_clause)
                .any(|index| self.has(index, self.rules.history_closed));
            let past = (start..end)
                .filter(in_clause)
                .any(|index| self.has(index, self.rules.history_past));
            let present = !closes
                && (start..end)
                    .filter(in_clause)
                    .any(|index| self.has(index, self.rules.history_present));
            if present {
                dated_after = false;
            } else if past {
                dated_after = true;
            }
            if dated_after && let Some(slot) = self.historical.get_mut(clause) {
                *slot = true;
            }
        }
    }

    /// Marks the words each modifier reaches.
    /// `present` holds every concept of the sentence (perhaps more): a
    /// modifier whose trigger is not among them has nothing to mark.
    fn mark_scopes(&mut self, start: usize, end: usize, present: ConceptSet) {
        for (number, modifier) in self.rules.modifiers.iter().enumerate() {
            if self.cancelled.get(number).copied().unwrap_or(false)
                || !present.intersects(modifier.trigger)
            {
                continue;
            }
            for index in start..end {
                if !self.has(index, modifier.trigger) {
                    continue;
                }
                let clause = self.word(index).map(|word| word.clause);
                let limit = if modifier.reach == 0 {
                    end
                } else {
                    end.min(index + 1 + modifier.reach)
                };
                for other in index + 1..limit {
                    let Some(word) = self.word(other) else {
                        break;
                    };
                    if Some(word.clause) != clause || word.concepts.intersects(modifier.ends_at) {
                        break;
                    }
                    let joined = modifier.joined_subject_continues
                        && other
                            .checked_sub(1)
                            .and_then(|before| self.word(before))
                            .is_some_and(|before| matches!(self.text(before), "or" | "and"));
                    if modifier.ends_at_new_subject > 0
                        && other >= index + modifier.ends_at_new_subject
                        && self.is_new_subject(other)
                        && !joined
                    {
                        break;
                    }
                    if let Some(word) = self.words.get_mut(other) {
                        word.scoped = true;
                    }
                }
            }
        }
    }

    /// Whether the sentence asks for information rather than describing a
    /// person (see `[sentences]` in context.toml).
    fn is_informational(
        &self,
        start: usize,
        end: usize,
        question: bool,
        previous_informational: bool,
    ) -> bool {
        let sentences = &self.rules.sentences;
        if (start..end)
            .any(|index| self.is_report_marker(index) || self.has(index, sentences.reports))
        {
            return false;
        }
        let first = (start..end)
            .filter_map(|index| self.word(index))
            .find(|word| !word.own.intersects(sentences.fillers));
        let asks = first.is_some_and(|word| {
            word.own
                .union(word.concepts)
                .intersects(sentences.question_words)
        });
        let about_information = (start..end).any(|index| self.has(index, sentences.info_markers));
        asks || about_information || (question && previous_informational)
    }

    // ---- patterns ---------------------------------------------------------

    /// Whether `need` is met around the anchor at `anchor`.
    fn need_met(&self, anchor: usize, need: &Need) -> bool {
        let near = self
            .around(anchor, need.scope)
            .any(|other| self.live(other, need.concepts) && !self.blocked(other, need.calm));
        near || (need.pronoun && self.pronoun_refers(anchor, need.concepts))
    }

    /// "it" just before the anchor, with a live word of `concepts` earlier in
    /// the same sentence ("my calf pain has gone from bad to unbearable and it
    /// feels really tight").
    fn pronoun_refers(&self, anchor: usize, concepts: ConceptSet) -> bool {
        let pronouns = &self.rules.sentences.pronouns;
        let pronoun = (anchor.saturating_sub(3)..anchor).any(|other| {
            self.word(other)
                .is_some_and(|word| pronouns.iter().any(|p| p == self.text(word)))
        });
        let Some(sentence) = self.word(anchor).map(|word| word.sentence) else {
            return false;
        };
        let earlier_in = |wanted: usize| {
            (0..anchor).rev().take(PRONOUN_LOOKBACK).any(|other| {
                self.live(other, concepts)
                    && self.word(other).map(|word| word.sentence) == Some(wanted)
            })
        };
        // A sentence with no body part and nobody in it goes on about the
        // last one told ("My calf got run over. Now massively swollen, tight").
        // "it" may stand for what the sentence before told ("My calf hurts
        // after a car door slammed on it. It's tight and hard").
        (pronoun && (earlier_in(sentence) || (sentence > 0 && earlier_in(sentence - 1))))
            || (self.is_subjectless(anchor) && sentence > 0 && earlier_in(sentence - 1))
    }

    /// Whether the sentence of word `index` has no body part and nobody in
    /// it (so it goes on about what the sentence before told).
    fn is_subjectless(&self, index: usize) -> bool {
        !self.around(index, Scope::Sentence).any(|other| {
            self.word(other).is_some_and(|word| {
                word.concepts.intersects(self.rules.body)
                    || word.own.intersects(self.rules.sentences.people)
            })
        })
    }

    /// The first word of the sentence after word `index`'s, if any.
    fn next_sentence_start(&self, index: usize) -> Option<usize> {
        let sentence = self.word(index)?.sentence;
        (index..self.words.len()).find(|&other| {
            self.word(other)
                .is_some_and(|word| word.sentence == sentence + 1)
        })
    }

    /// Whether a pattern holds anywhere in the message.
    pub fn pattern_holds(&self, pattern: &Pattern) -> bool {
        let anchors = pattern.anchor.unwrap_or(pattern.sign);
        if !self.present.intersects(anchors) || !self.present.intersects(pattern.sign) {
            return false;
        }
        // A word without concepts is never live: only the others are read.
        self.concept_words
            .iter()
            .copied()
            .filter(|&index| self.live(index, anchors))
            .any(|anchor| self.pattern_holds_at(pattern, anchor))
    }

    fn pattern_holds_at(&self, pattern: &Pattern, anchor: usize) -> bool {
        if self.blocked(anchor, pattern.anchor_calm) {
            return false;
        }
        // Sign words: near the anchor, or told of "it" when the anchor came
        // earlier in the sentence ("his leg just went to sleep but it's been
        // an hour, it's stone cold and white").
        let candidates: Vec<usize> = match pattern.anchor {
            None => vec![anchor],
            Some(anchor_concepts) => {
                let sentence = self.around(anchor, Scope::Sentence);
                // `other` is among `self.around(anchor, pattern.scope)`.
                let near_range = self.within(anchor, pattern.scope);
                let near = |other: usize| {
                    near_range.contains(&other) && self.in_scope(anchor, other, pattern.scope)
                };
                let mut found: Vec<usize> = sentence
                    .filter(|&other| {
                        self.live(other, pattern.sign)
                            && (near(other)
                                || (other > anchor && self.pronoun_refers(other, anchor_concepts)))
                    })
                    .collect();
                // The next sentence goes on about the anchor when it has no
                // body part and nobody in it ("I have to look to see whether
                // I'm peeing. No feeling of it at all.").
                if let Some(next) = self.next_sentence_start(anchor)
                    && self.is_subjectless(next)
                {
                    found.extend(
                        self.around(next, Scope::Sentence)
                            .filter(|&other| self.live(other, pattern.sign)),
                    );
                }
                found
            }
        };
        if candidates.is_empty() {
            return false;
        }
        // Onset, severity and the other needs may be told next to the
        // anchor or next to a sign ("it's cold and white and he's in agony").
        let met_near = |need: &Need| {
            self.need_met(anchor, need) || candidates.iter().any(|&sign| self.need_met(sign, need))
        };
        let strong = pattern.strong.as_ref().is_some_and(met_near);
        let counted: Vec<usize> = candidates
            .into_iter()
            .filter(|&other| {
                !self.calm(other, pattern.calm, pattern.calm_always, strong)
                    && !self.in_sentence_any(other, pattern.calm_in_sentence)
            })
            .collect();
        if !pattern.needs.iter().all(|need| {
            self.need_met(anchor, need) || counted.iter().any(|&sign| self.need_met(sign, need))
        }) {
            return false;
        }
        let kinds = pattern
            .sign
            .iter()
            .filter(|&concept| {
                counted
                    .iter()
                    .any(|&other| self.live(other, ConceptSet::one(concept)))
            })
            .count();
        kinds >= pattern.kinds
    }
}
