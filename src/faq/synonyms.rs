//! Synonyms and spelling variants, from `faq/synonyms.toml`.
//!
//! Moderators keep this file so that the matcher reads "deep vein
//! thrombosis", "blood clot" and "DVT" as one thing, and "ischaemia" and
//! "ischemia" as one word. The format:
//!
//! ```toml
//! [spelling]            # one word -> another word, applied first
//! ischaemia = "ischemia"
//!
//! [[group]]             # any phrase is read as the canonical words
//! canonical = "dvt"
//! phrases = ["deep vein thrombosis", "blood clot"]
//! ```
//!
//! Rewriting is applied in the same way to FAQ text and to messages, so it can
//! only make them meet, never drift apart.

use std::collections::HashMap;
use std::path::Path;

use toml_edit::Table;

use crate::fasthash::FastMap;
use crate::problem::Problem;
use crate::text;
use crate::tomlread::TomlReader;

/// Longest phrase, in words, that a group may list.
pub const MAX_PHRASE_WORDS: usize = 6;

/// A phrase's words and the canonical words it is read as.
type PhraseRule = (Vec<String>, Vec<String>);

/// The loaded synonyms.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    spelling: FastMap<String, String>,
    /// First word of a phrase -> (the phrase's words, the canonical words),
    /// longest phrase first.
    phrases: FastMap<String, Vec<PhraseRule>>,
    /// Words that show a message is about legs and walking (`[topic] about`).
    pub topic_words: Vec<String>,
    /// Words that show a message is about something else: other body parts,
    /// animals, objects (`[topic] elsewhere`).
    pub elsewhere_words: Vec<String>,
    /// Words that show a message is about legs and walking only when it also
    /// has a `symptom` word: "walking" (`[topic] activity`).
    pub activity_words: Vec<String>,
    /// Words for what a person feels: "pain", "ache", "sore" (`[topic] symptom`).
    pub symptom_words: Vec<String>,
}

impl Synonyms {
    /// Rewrites cleaned words: spelling variants first, then the longest
    /// phrase that matches at each position is replaced by its canonical words.
    pub fn rewrite(&self, words: &[String]) -> Vec<String> {
        self.rewrite_spans(words)
            .into_iter()
            .map(|(word, _)| word.to_owned())
            .collect()
    }

    /// Like [`Synonyms::rewrite`], with each output word paired with the range
    /// of input words it came from. The words are borrowed from the input or
    /// from the synonyms (nothing is copied).
    pub fn rewrite_spans<'a, S: AsRef<str>>(
        &'a self,
        words: &'a [S],
    ) -> Vec<(&'a str, std::ops::Range<usize>)> {
        let spelled: Vec<&str> = words
            .iter()
            .map(|word| {
                let word = word.as_ref();
                self.spelling.get(word).map_or(word, String::as_str)
            })
            .collect();
        let mut out = Vec::with_capacity(spelled.len());
        let mut index = 0;
        while index < spelled.len() {
            let replaced = self.phrases.get(spelled[index]).and_then(|options| {
                options.iter().find(|(phrase, _)| {
                    spelled.len() - index >= phrase.len()
                        && phrase
                            .iter()
                            .zip(&spelled[index..])
                            .all(|(want, have)| want == have)
                })
            });
            match replaced {
                Some((phrase, canonical)) => {
                    let span = index..index + phrase.len();
                    out.extend(canonical.iter().map(|w| (w.as_str(), span.clone())));
                    index += phrase.len();
                }
                None => {
                    out.push((spelled[index], index..index + 1));
                    index += 1;
                }
            }
        }
        out
    }

    /// Every word the synonyms know, in phrases and spellings; the matcher
    /// uses them as known words for typo correction.
    pub fn known_words(&self) -> impl Iterator<Item = &str> {
        self.spelling
            .keys()
            .chain(self.spelling.values())
            .map(String::as_str)
            .chain(self.phrases.values().flat_map(|options| {
                options
                    .iter()
                    .flat_map(|(phrase, canonical)| phrase.iter().chain(canonical.iter()))
                    .map(String::as_str)
            }))
    }

    /// How many groups of phrases were loaded (for summaries).
    pub fn n_phrases(&self) -> usize {
        self.phrases.values().map(Vec::len).sum()
    }
}

/// Parses the text of a synonyms file. Returns what could be read and every
/// problem found.
pub fn parse(path: &Path, source: &str) -> (Synonyms, Vec<Problem>) {
    let mut reader = TomlReader::new(path, source);
    let mut synonyms = Synonyms::default();
    let Some(document) = reader.parse() else {
        return (synonyms, reader.problems);
    };
    let table = document.as_table();
    reader.reject_unknown_keys(table, &["spelling", "group", "topic"], "the synonyms file");

    read_topic(&mut reader, table, &mut synonyms);
    read_spelling(&mut reader, table, &mut synonyms);
    read_groups(&mut reader, table, &mut synonyms);
    for options in synonyms.phrases.values_mut() {
        // Longest first, then alphabetical, so rewriting is deterministic.
        options.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    }
    (synonyms, reader.problems)
}

/// Reads `[topic]`: the single words that show what a message is about.
fn read_topic(reader: &mut TomlReader<'_>, table: &Table, synonyms: &mut Synonyms) {
    let Some(item) = table.get("topic") else {
        return;
    };
    let Some(topic) = item.as_table() else {
        let offset = reader.offset_of(table, "topic");
        reader.problem_at(offset, "`topic` must be a table: [topic]");
        return;
    };
    reader.reject_unknown_keys(
        topic,
        &["about", "elsewhere", "activity", "symptom"],
        "[topic]",
    );
    for (key, target) in [
        ("about", &mut synonyms.topic_words),
        ("elsewhere", &mut synonyms.elsewhere_words),
        ("activity", &mut synonyms.activity_words),
        ("symptom", &mut synonyms.symptom_words),
    ] {
        for (word, offset) in reader.string_list(topic, key) {
            match text::words(&word).as_slice() {
                [one] => target.push(one.clone()),
                _ => reader.problem_at(
                    offset,
                    format!("[topic] {key}: \"{word}\" must be a single word"),
                ),
            }
        }
    }
}

/// Reads `[spelling]`: one word read as another, each side a single word.
fn read_spelling(reader: &mut TomlReader<'_>, table: &Table, synonyms: &mut Synonyms) {
    let Some(item) = table.get("spelling") else {
        return;
    };
    let Some(spelling) = item.as_table() else {
        let offset = reader.offset_of(table, "spelling");
        reader.problem_at(offset, "`spelling` must be a table: [spelling]");
        return;
    };
    for (from, _) in spelling.iter() {
        let Some((to, offset)) = reader.required_string(spelling, from) else {
            continue;
        };
        let from_words = text::words(from);
        let to_words = text::words(&to);
        if from_words.len() != 1 || to_words.len() != 1 {
            reader.problem_at(
                offset,
                format!("spelling `{from}` = \"{to}\" must map one word to one word"),
            );
            continue;
        }
        synonyms
            .spelling
            .insert(from_words[0].clone(), to_words[0].clone());
    }
}

/// Reads every `[[group]]`; a phrase may belong to one group only, so the
/// canonical words each phrase is already read as are kept across groups.
fn read_groups(reader: &mut TomlReader<'_>, table: &Table, synonyms: &mut Synonyms) {
    let Some(item) = table.get("group") else {
        return;
    };
    let Some(groups) = item.as_array_of_tables() else {
        let offset = reader.offset_of(table, "group");
        reader.problem_at(offset, "`group` must be written as [[group]] tables");
        return;
    };
    let mut owner: HashMap<Vec<String>, Vec<String>> = HashMap::new();
    for group in groups.iter() {
        read_group(reader, group, synonyms, &mut owner);
    }
}

/// Reads one `[[group]]` into `synonyms.phrases`, refusing a phrase that
/// `owner` (phrase words -> canonical words) shows another group has.
fn read_group(
    reader: &mut TomlReader<'_>,
    group: &Table,
    synonyms: &mut Synonyms,
    owner: &mut HashMap<Vec<String>, Vec<String>>,
) {
    reader.reject_unknown_keys(group, &["canonical", "phrases"], "a [[group]]");
    let canonical = reader.required_string(group, "canonical");
    let phrases = reader.string_list(group, "phrases");
    let Some((canonical, canonical_offset)) = canonical else {
        return;
    };
    let canonical_words = text::words(&canonical);
    if canonical_words.is_empty() {
        reader.problem_at(canonical_offset, "canonical is empty");
        return;
    }
    if phrases.is_empty() {
        reader.problem_at(canonical_offset, "a group needs at least one phrase");
    }
    for (phrase, offset) in phrases {
        // Spelling is applied before phrases are matched,
        // so phrases are stored in their respelled form.
        let words: Vec<String> = text::words(&phrase)
            .into_iter()
            .map(|w| synonyms.spelling.get(&w).cloned().unwrap_or(w))
            .collect();
        if words.is_empty() {
            reader.problem_at(offset, "empty phrase");
            continue;
        }
        if words.len() > MAX_PHRASE_WORDS {
            reader.problem_at(
                offset,
                format!("phrase has more than {MAX_PHRASE_WORDS} words"),
            );
            continue;
        }
        if let Some(previous) = owner.get(&words) {
            if *previous != canonical_words {
                reader.problem_at(
                    offset,
                    format!(
                        "phrase \"{phrase}\" is already read as \"{}\"",
                        previous.join(" ")
                    ),
                );
            }
            continue;
        }
        owner.insert(words.clone(), canonical_words.clone());
        synonyms
            .phrases
            .entry(words[0].clone())
            .or_default()
            .push((words, canonical_words.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text::words(text)
    }

    #[test]
    fn rewrites_spelling_and_longest_phrases() {
        let source = r#"
[spelling]
ischaemia = "ischemia"

[[group]]
canonical = "dvt"
phrases = ["deep vein thrombosis", "blood clot", "clot"]
"#;
        let (synonyms, problems) = parse(Path::new("synonyms.toml"), source);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            synonyms.rewrite(&words("a blood clot or deep vein thrombosis, ischaemia")),
            words("a dvt or dvt ischemia")
        );
        assert_eq!(synonyms.rewrite(&words("clot")), words("dvt"));
    }

    #[test]
    fn reports_conflicts_and_bad_shapes_with_lines() {
        let source = "[[group]]\ncanonical = \"a\"\nphrases = [\"x\"]\n\n[[group]]\ncanonical = \"b\"\nphrases = [\"x\"]\nextra = 1\n";
        let (_, problems) = parse(Path::new("s.toml"), source);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![8, 7], "{problems:?}");
    }
}
