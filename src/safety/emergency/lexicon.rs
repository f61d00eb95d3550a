//! The emergency screen's vocabulary: concepts, sets of concepts, and the
//! phrase table read from `faq/emergency/lexicon.tsv`.
//!
//! Concepts are names from the data files, interned into small numbers so
//! that a word's meanings are a bit set and checking a window of words costs
//! a few machine instructions.

use std::collections::HashMap;
use std::path::Path;

use crate::fasthash::FastMap;

use crate::problem::Problem;
use crate::text;

/// At most this many concepts (the size of [`ConceptSet`]).
pub const MAX_CONCEPTS: usize = 256;

/// One concept, as an index into [`Concepts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConceptId(u16);

/// A set of concepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ConceptSet([u64; MAX_CONCEPTS / 64]);

impl ConceptSet {
    /// The empty set.
    pub const EMPTY: ConceptSet = ConceptSet([0; MAX_CONCEPTS / 64]);

    /// The set of one concept.
    pub fn one(concept: ConceptId) -> ConceptSet {
        let mut set = ConceptSet::EMPTY;
        set.insert(concept);
        set
    }

    /// Adds a concept.
    pub fn insert(&mut self, concept: ConceptId) {
        let index = usize::from(concept.0);
        if let Some(word) = self.0.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }

    /// Whether the set holds `concept`.
    pub fn has(self, concept: ConceptId) -> bool {
        let index = usize::from(concept.0);
        self.0
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    /// Whether the two sets share a concept.
    pub fn intersects(self, other: ConceptSet) -> bool {
        // Without early exit: four ANDs are cheaper than the branches.
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0, |any, (a, b)| any | (a & b))
            != 0
    }

    /// The concepts in both sets.
    pub fn and(self, other: ConceptSet) -> ConceptSet {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a &= b;
        }
        out
    }

    /// The concepts in either set.
    pub fn union(self, other: ConceptSet) -> ConceptSet {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a |= b;
        }
        out
    }

    /// Removes every concept of `other`.
    pub fn remove(&mut self, other: ConceptSet) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a &= !b;
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0.iter().fold(0, |any, word| any | word) == 0
    }

    /// The concepts of the set, in index order.
    pub fn iter(self) -> impl Iterator<Item = ConceptId> {
        (0..MAX_CONCEPTS).filter_map(move |index| {
            let id = ConceptId(u16::try_from(index).ok()?);
            self.has(id).then_some(id)
        })
    }
}

/// The concept names of the data files, interned.
#[derive(Debug, Clone, Default)]
pub struct Concepts {
    names: Vec<String>,
    by_name: HashMap<String, ConceptId>,
}

impl Concepts {
    /// The id of `name`, adding it if new; `None` once [`MAX_CONCEPTS`] are
    /// taken.
    pub fn intern(&mut self, name: &str) -> Option<ConceptId> {
        if let Some(id) = self.by_name.get(name) {
            return Some(*id);
        }
        if self.names.len() >= MAX_CONCEPTS {
            return None;
        }
        let id = ConceptId(u16::try_from(self.names.len()).ok()?);
        self.names.push(name.to_owned());
        self.by_name.insert(name.to_owned(), id);
        Some(id)
    }

    /// The id of an existing concept.
    pub fn get(&self, name: &str) -> Option<ConceptId> {
        self.by_name.get(name).copied()
    }

    /// The name of a concept.
    pub fn name(&self, id: ConceptId) -> &str {
        self.names
            .get(usize::from(id.0))
            .map_or("?", String::as_str)
    }
}

/// One lexicon phrase after its first word.
#[derive(Debug, Clone)]
struct Phrase {
    /// The words after the first.
    rest: Vec<String>,
    /// What the phrase means.
    concepts: ConceptSet,
}

/// A phrase as read from the file, before the tables are built.
#[derive(Debug, Clone)]
pub struct LexiconLine {
    /// The cleaned words of the phrase.
    pub words: Vec<String>,
    /// Its concepts.
    pub concepts: ConceptSet,
    /// Where it is (line, for problems).
    pub line: usize,
}

/// What [`Lexicon::read_at`] found at a word.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// Words in the phrase.
    pub length: usize,
    /// The phrase's concepts.
    pub concepts: ConceptSet,
    /// The first word's own concepts ([`Lexicon::word_concepts`]).
    pub own: ConceptSet,
}

/// The phrase tables, prepared once.
#[derive(Clone, Default)]
pub struct Lexicon {
    /// Phrases by their first word, longest first.
    by_first_word: FastMap<String, Vec<Phrase>>,
    /// Single-word entries that a misspelling may match, by first letter.
    fuzzy_targets: FastMap<char, Vec<(String, ConceptSet)>>,
    /// Letters in the longest fuzzy target: a longer word (by more than two)
    /// cannot be one misspelt, and is not tried (a 100,000-letter "word"
    /// would otherwise make billions of deletion variants).
    longest_fuzzy_target: usize,
    /// Every target and its forms with one letter deleted (two for targets
    /// of 10 letters or more), to the targets they come from: a misspelling
    /// shares one of these with the word it meant (symmetric deletion), so
    /// only a few candidates are measured.
    deletions: FastMap<u64, Vec<(u32, u32)>>,
    /// Other forms of single-word entries ("wipes", "weaker", "drooped",
    /// "wipin", "legz"), made once when the lexicon is built.
    word_forms: FastMap<String, ConceptSet>,
    /// Everything [`Lexicon::read_at`] needs about a word, worked out once
    /// when the screen is built, for every first word of a phrase and every
    /// everyday word (the second opinion's vocabulary): one look-up per word
    /// instead of three, and no common word measured against the
    /// misspelling tables in every message.
    known: FastMap<String, Known>,
}

/// What the lexicon knows about one word ([`Lexicon::remember_fallbacks`]).
#[derive(Debug, Clone, Default)]
struct Known {
    /// The phrases it starts, longest first.
    phrases: Vec<Phrase>,
    /// Its own concepts ([`Lexicon::word_concepts`]).
    own: ConceptSet,
    /// What it reads as when no phrase matches ([`Lexicon::fallback`]).
    fallback: Option<ConceptSet>,
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

/// Reads the lexicon file's lines: every phrase with its concepts, interning
/// the concept names. Every problem is reported with its line and column;
/// a bad line is left out.
pub fn read_lines(
    path: &Path,
    source: &str,
    concepts: &mut Concepts,
    problems: &mut Vec<Problem>,
) -> Vec<LexiconLine> {
    let mut lines: Vec<LexiconLine> = Vec::new();
    let mut index_of: HashMap<Vec<String>, usize> = HashMap::new();
    let mut offset = 0;
    for (line_index, line) in source.split('\n').enumerate() {
        let line_start = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut at = LineProblems {
            path,
            source,
            start: line_start,
            problems: &mut *problems,
        };
        let Some((names, phrase)) = line.split_once('\t') else {
            at.push(0, "expected concept<TAB>phrase (a tab between them)");
            continue;
        };
        let phrase_offset = names.len() + 1;
        let set = line_concepts(names, concepts, &mut at);
        let cleaned = cleaned_phrase(phrase, phrase_offset, &mut at);
        let (Some(set), Some(cleaned)) = (set, cleaned) else {
            continue;
        };
        let words: Vec<String> = cleaned.split(' ').map(str::to_owned).collect();
        match index_of.get(&words) {
            Some(&index) => {
                if let Some(existing) = lines.get_mut(index) {
                    if existing.concepts.and(set) == set {
                        at.push(
                            phrase_offset,
                            format!(
                                "phrase {cleaned:?} is already listed with this concept at line {}",
                                existing.line
                            ),
                        );
                    }
                    existing.concepts = existing.concepts.union(set);
                }
            }
            None => {
                index_of.insert(words.clone(), lines.len());
                lines.push(LexiconLine {
                    words,
                    concepts: set,
                    line: line_index + 1,
                });
            }
        }
    }
    lines
}

/// The problems of one line of the lexicon, at byte offsets in the line.
struct LineProblems<'a> {
    path: &'a Path,
    source: &'a str,
    /// Where the line starts in the file.
    start: usize,
    problems: &'a mut Vec<Problem>,
}

impl LineProblems<'_> {
    fn push(&mut self, column_offset: usize, message: impl Into<String>) {
        self.problems.push(Problem::at_offset(
            self.path,
            self.source,
            self.start + column_offset,
            message,
        ));
    }
}

/// The concepts of a line (`names`, comma-separated, at the start of the
/// line), interned; `None` when a name is bad (every bad name is reported).
fn line_concepts(
    names: &str,
    concepts: &mut Concepts,
    at: &mut LineProblems<'_>,
) -> Option<ConceptSet> {
    let mut set = ConceptSet::EMPTY;
    let mut bad = false;
    let mut name_offset = 0;
    for raw_name in names.split(',') {
        let name = raw_name.trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            at.push(
                name_offset,
                format!("concept name {name:?} must be lower-case letters, digits and underscores"),
            );
            bad = true;
        } else {
            match concepts.intern(name) {
                Some(id) => set.insert(id),
                None => {
                    at.push(
                        name_offset,
                        format!("too many concepts (at most {MAX_CONCEPTS})"),
                    );
                    bad = true;
                }
            }
        }
        name_offset += raw_name.len() + 1;
    }
    (!bad).then_some(set)
}

/// A line's phrase, which must be written as [`text::clean`] leaves it;
/// `None` (with a problem at `phrase_offset`) when it is not, or is empty.
fn cleaned_phrase(phrase: &str, phrase_offset: usize, at: &mut LineProblems<'_>) -> Option<String> {
    let cleaned = text::clean(phrase);
    if cleaned.is_empty() {
        at.push(phrase_offset, "empty phrase");
        return None;
    }
    if cleaned != phrase.trim() || phrase != phrase.trim() {
        at.push(
            phrase_offset,
            format!(
                "phrase {phrase:?} is not written cleaned (expected {cleaned:?}: lower case, \
                 single spaces, no apostrophes or punctuation)"
            ),
        );
        return None;
    }
    Some(cleaned)
}

impl Lexicon {
    /// Builds the tables from the file's lines. Concepts in `no_typos` are
    /// never the target of a misspelling.
    pub fn build(lines: &[LexiconLine], no_typos: ConceptSet) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for line in lines {
            let Some((first, rest)) = line.words.split_first() else {
                continue;
            };
            if rest.is_empty() && !line.concepts.intersects(no_typos) {
                for form in word_forms(first) {
                    lexicon.word_forms.entry(form).or_insert(line.concepts);
                }
            }
            if rest.is_empty()
                && first.chars().count() >= 6
                && !line.concepts.intersects(no_typos)
                && let Some(initial) = first.chars().next()
            {
                lexicon
                    .fuzzy_targets
                    .entry(initial)
                    .or_default()
                    .push((first.clone(), line.concepts));
            }
            lexicon
                .by_first_word
                .entry(first.clone())
                .or_default()
                .push(Phrase {
                    rest: rest.to_vec(),
                    concepts: line.concepts,
                });
        }
        for phrases in lexicon.by_first_word.values_mut() {
            phrases.sort_by_key(|phrase| std::cmp::Reverse(phrase.rest.len()));
        }
        for (initial, targets) in &lexicon.fuzzy_targets {
            let initial_code = u32::from(*initial);
            for (index, (target, _)) in targets.iter().enumerate() {
                lexicon.longest_fuzzy_target =
                    lexicon.longest_fuzzy_target.max(target.chars().count());
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                for variant in deletion_variants(target, target.len() >= 10) {
                    lexicon
                        .deletions
                        .entry(variant)
                        .or_default()
                        .push((initial_code, index));
                }
            }
        }
        for candidates in lexicon.deletions.values_mut() {
            candidates.sort_unstable();
            candidates.dedup();
        }
        // A form that is a lexicon word of its own keeps its own meaning.
        let listed: Vec<String> = lexicon.by_first_word.keys().cloned().collect();
        for word in listed {
            lexicon.word_forms.remove(&word);
        }
        lexicon
    }

    /// How many distinct first words the phrases have.
    #[cfg(test)]
    pub fn n_first_words(&self) -> usize {
        self.by_first_word.len()
    }

    /// The concepts of `word` as a phrase of one word, exactly (no typo
    /// matching): what a word inside a longer phrase still says about who
    /// and how ("my" in "half my body").
    pub fn word_concepts(&self, word: &str) -> ConceptSet {
        self.by_first_word
            .get(word)
            .and_then(|phrases| phrases.iter().find(|phrase| phrase.rest.is_empty()))
            .map_or(ConceptSet::EMPTY, |phrase| phrase.concepts)
    }

    /// The longest phrase starting at `words[0]` (its length in words and
    /// its concepts; a misspelling match for a long single word), and the
    /// first word's own concepts ([`Lexicon::word_concepts`]), from one
    /// look-up.
    pub fn read_at<S: AsRef<str>>(&self, words: &[S]) -> Option<Found> {
        let first = words.first()?.as_ref();
        if let Some(known) = self.known.get(first) {
            return Self::longest_phrase(&known.phrases, words, known.own).or_else(|| {
                known.fallback.map(|concepts| Found {
                    length: 1,
                    concepts,
                    own: known.own,
                })
            });
        }
        let mut own = ConceptSet::EMPTY;
        if let Some(phrases) = self.by_first_word.get(first) {
            own = phrases
                .iter()
                .find(|phrase| phrase.rest.is_empty())
                .map_or(ConceptSet::EMPTY, |phrase| phrase.concepts);
            if let Some(found) = Self::longest_phrase(phrases, words, own) {
                return Some(found);
            }
        }
        Some(Found {
            length: 1,
            concepts: self.fallback(first)?,
            own,
        })
    }

    /// The first (longest) of `phrases` that `words[1..]` go on with.
    fn longest_phrase<S: AsRef<str>>(
        phrases: &[Phrase],
        words: &[S],
        own: ConceptSet,
    ) -> Option<Found> {
        phrases.iter().find_map(|phrase| {
            let after = words.get(1..=phrase.rest.len())?;
            after
                .iter()
                .zip(&phrase.rest)
                .all(|(word, want)| word.as_ref() == want)
                .then(|| Found {
                    length: 1 + phrase.rest.len(),
                    concepts: phrase.concepts,
                    own,
                })
        })
    }

    /// What a word no phrase starting with it matches reads as: a form of a
    /// lexicon word, else the lexicon word it most likely misspells.
    fn fallback(&self, word: &str) -> Option<ConceptSet> {
        self.base_form(word).or_else(|| self.fuzzy_match(word))
    }

    /// Works out what [`Lexicon::read_at`] needs once for each first word of
    /// a phrase and each of `words` (everyday words, such as the second
    /// opinion's vocabulary), so that reading a message looks them up.
    pub fn remember_fallbacks<'w>(&mut self, words: impl IntoIterator<Item = &'w str>) {
        let mut known: FastMap<String, Known> = FastMap::default();
        for (word, phrases) in &self.by_first_word {
            known.insert(
                word.clone(),
                Known {
                    phrases: phrases.clone(),
                    own: self.word_concepts(word),
                    fallback: self.fallback(word),
                },
            );
        }
        for word in words {
            if !known.contains_key(word) {
                known.insert(
                    word.to_owned(),
                    Known {
                        phrases: Vec::new(),
                        own: ConceptSet::EMPTY,
                        fallback: self.fallback(word),
                    },
                );
            }
        }
        self.known = known;
    }

    /// Concepts of the lexicon word `word` is a form of: "wipes" of "wipe",
    /// "weaker" of "weak", "drooped" of "droop", "stabbing" of "stab",
    /// "wipin" of "wiping", "legz" of "legs". Only words the lexicon does not
    /// list itself, and never grammar (context.toml `no_typos`).
    pub fn base_form(&self, word: &str) -> Option<ConceptSet> {
        self.word_forms.get(word).copied()
    }

    /// Concepts of the lexicon word a misspelling most likely meant: same
    /// first letter, [`typo_distance`] 1 (2 when both words have 10 or more
    /// letters). Only words of 7 letters or more are tried, so short everyday
    /// words are never "corrected" into symptoms, and a replaced letter must
    /// be a neighbouring key, so "shaving" does not become "shaking".
    pub fn fuzzy_match(&self, word: &str) -> Option<ConceptSet> {
        let length = word.chars().count();
        if length < 6
            || length > self.longest_fuzzy_target + 2
            || !word.chars().all(|c| c.is_ascii_lowercase())
        {
            return None;
        }
        if length == 6 {
            // Six letters: only two neighbouring letters swapped ("bowles").
            return self.swapped_letters_match(word);
        }
        let initial = word.chars().next()?;
        let targets = self.fuzzy_targets.get(&initial)?;
        let initial_code = u32::from(initial);
        let mut candidates: Vec<u32> = Vec::new();
        for variant in deletion_variants(word, length >= 10) {
            if let Some(found) = self.deletions.get(&variant) {
                candidates.extend(
                    found
                        .iter()
                        .filter(|(code, _)| *code == initial_code)
                        .map(|(_, index)| *index),
                );
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(usize, ConceptSet)> = None;
        for (target, concepts) in candidates
            .iter()
            .filter_map(|index| targets.get(*index as usize))
        {
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

impl Lexicon {
    /// The lexicon word that `word` is with two neighbouring letters swapped.
    fn swapped_letters_match(&self, word: &str) -> Option<ConceptSet> {
        let initial = word.chars().next()?;
        let targets = self.fuzzy_targets.get(&initial)?;
        let bytes = word.as_bytes();
        (0..bytes.len().saturating_sub(1)).find_map(|i| {
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            targets
                .iter()
                .find(|(target, _)| target.as_bytes() == swapped.as_slice() && swapped != bytes)
                .map(|(_, concepts)| *concepts)
        })
    }
}

/// A word and its forms with one letter deleted (and two, when `two`).
///
/// Each variant is given by its hash (of the letters left), so no string is
/// made: two variants with one hash only add a candidate, which is measured.
fn deletion_variants(word: &str, two: bool) -> Vec<u64> {
    let bytes = word.as_bytes();
    let hash_without = |skip_a: usize, skip_b: usize| -> u64 {
        use std::hash::Hasher;
        let mut hasher = crate::fasthash::FastHasher::default();
        for (index, byte) in bytes.iter().enumerate() {
            if index != skip_a && index != skip_b {
                hasher.write_u8(*byte);
            }
        }
        hasher.finish()
    };
    let none = usize::MAX;
    let mut out = Vec::with_capacity(if two {
        bytes.len() * bytes.len()
    } else {
        bytes.len() + 1
    });
    out.push(hash_without(none, none));
    for i in 0..bytes.len() {
        out.push(hash_without(i, none));
        if two {
            for j in i + 1..bytes.len() {
                out.push(hash_without(i, j));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The other forms of a word that the screen reads as the word itself:
/// plurals and verb forms ("-s", "-ed", "-d", "-ing", "-er", "-ly", with a
/// final "e" dropped, a last consonant doubled, "y" as "ies", "ied", "ier";
/// "-es" only where English spells it, after "s", "x", "z", "ch", "sh" or
/// "o": "pinches", "swellings"... but "lunges" is no form of "lung"), and
/// phone-typed forms ("-in" for "-ing", "z" for a plural "s").
fn word_forms(word: &str) -> Vec<String> {
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut forms = Vec::new();
    let mut stems = vec![word.to_owned()];
    if let Some(stem) = word.strip_suffix('e') {
        stems.push(stem.to_owned());
    }
    if let Some(last) = word.chars().last()
        && !matches!(last, 'a' | 'e' | 'i' | 'o' | 'u' | 'w' | 'x' | 'y')
    {
        stems.push(format!("{word}{last}"));
    }
    let takes_es = ["s", "x", "z", "ch", "sh", "o"]
        .iter()
        .any(|ending| word.ends_with(ending));
    for stem in &stems {
        for suffix in ["s", "ed", "d", "er", "ing", "ly", "in"] {
            forms.push(format!("{stem}{suffix}"));
        }
    }
    if takes_es {
        forms.push(format!("{word}es"));
    }
    if let Some(stem) = word.strip_suffix('y') {
        for suffix in ["ies", "ied", "ier"] {
            forms.push(format!("{stem}{suffix}"));
        }
    }
    if let Some(stem) = word.strip_suffix('s') {
        forms.push(format!("{stem}z"));
    }
    forms.retain(|form| form.len() >= 4 && form != word);
    forms
}

/// Edit distance for typing slips between two ASCII words: a missing, extra
/// or swapped (adjacent) letter costs 1, a letter replaced by a neighbouring
/// key on a QWERTY keyboard costs 1, any other replacement costs 2.
pub fn typo_distance(a: &[u8], b: &[u8]) -> usize {
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
pub fn neighbouring_keys(a: u8, b: u8) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concept_sets_hold_every_index() {
        let mut concepts = Concepts::default();
        let ids: Vec<ConceptId> = (0..MAX_CONCEPTS)
            .filter_map(|n| concepts.intern(&format!("c{n}")))
            .collect();
        assert_eq!(ids.len(), MAX_CONCEPTS);
        assert!(concepts.intern("one_too_many").is_none());
        let mut set = ConceptSet::EMPTY;
        for id in &ids {
            set.insert(*id);
        }
        assert_eq!(set.iter().count(), MAX_CONCEPTS);
        let last = ids.last().copied().map(ConceptSet::one).unwrap_or_default();
        assert!(set.intersects(last) && !ConceptSet::EMPTY.intersects(last));
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
    fn word_forms_follow_english_spelling() {
        let forms = |word: &str| word_forms(word);
        assert!(forms("pinch").contains(&"pinches".to_owned()));
        assert!(forms("wipe").contains(&"wipes".to_owned()));
        assert!(forms("wipe").contains(&"wiped".to_owned()));
        assert!(forms("stab").contains(&"stabbing".to_owned()));
        assert!(forms("lung").contains(&"lungs".to_owned()));
        // "-es" after a consonant that is not a hiss is another word.
        assert!(!forms("lung").contains(&"lunges".to_owned()));
        assert!(!forms("numb").contains(&"numbes".to_owned()));
    }

    #[test]
    fn bad_lines_are_reported_with_their_line_and_column() {
        let mut concepts = Concepts::default();
        let mut problems = Vec::new();
        let source = "numb\tnumb\nno tab here\nNot_A_Concept\tx\npain\tCan't\nnumb\tnumb\n";
        let lines = read_lines(Path::new("l.tsv"), source, &mut concepts, &mut problems);
        let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(at, vec![(2, 1), (3, 1), (4, 6), (5, 6)], "{problems:#?}");
        assert_eq!(lines.len(), 1);
    }
}
