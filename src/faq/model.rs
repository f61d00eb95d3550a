//! The FAQ as the rest of the bot sees it: entries with their questions,
//! answers, alternate phrasings, keywords, related entries and sources.

use std::path::PathBuf;

use serde::Serialize;

use super::synonyms::Synonyms;
use super::urgency::Urgency;
use crate::symptoms::Level;

/// Longest answer a moderator may write, in characters. Keeps answers
/// readable in a chat and well inside Discord's embed limit (4,096).
pub const MAX_ANSWER_CHARS: usize = 1_500;

pub use crate::safety::PLACEHOLDERS;

/// Where an answer's facts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The title of the page or document, e.g. "NHS: Sciatica".
    pub title: String,
    /// Its address.
    pub url: String,
}

/// One question the FAQ answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaqEntry {
    /// Stable id, lower case with dashes; the file is named `<id>.toml`.
    pub id: String,
    /// The question as shown to people.
    pub question: String,
    /// The answer, plain text with light markdown; may contain the
    /// [`PLACEHOLDERS`] in braces.
    pub answer: String,
    /// Other ways people ask this question.
    pub alternates: Vec<String>,
    /// Words and short phrases people use for the topic.
    pub keywords: Vec<String>,
    /// Ids of related entries.
    pub see_also: Vec<String>,
    /// Where the answer's facts come from.
    pub sources: Vec<Source>,
    /// The "when to get help" blocks the answer shows (ids of
    /// `faq/urgency.toml`), most urgent first.
    pub urgency: Vec<String>,
    /// Signs of this entry's own, each shown in the block of its level.
    pub urgency_signs: Vec<EntrySign>,
    /// The file the entry was read from.
    #[serde(skip)]
    pub path: PathBuf,
    /// The file's text as read and checked: what is served, and what the
    /// change history records (the file may have changed since).
    #[serde(skip)]
    pub file_text: String,
}

/// A sign an entry adds to one of its urgency blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrySign {
    /// The level of the block it belongs in.
    pub level: Level,
    /// What to look out for.
    pub text: String,
}

/// A loaded FAQ: its entries sorted by id, and the synonyms the matcher uses.
#[derive(Debug, Clone, Default)]
pub struct Faq {
    /// Entries, sorted by id.
    pub entries: Vec<FaqEntry>,
    /// Synonyms and spelling variants (faq/synonyms.toml).
    pub synonyms: Synonyms,
    /// The "when to get help" blocks (faq/urgency.toml).
    pub urgency: Urgency,
}

impl Faq {
    /// The entry with this id, if any.
    pub fn get(&self, id: &str) -> Option<&FaqEntry> {
        self.entries
            .binary_search_by(|entry| entry.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.entries[index])
    }

    /// All entry ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.id.as_str())
    }
}
