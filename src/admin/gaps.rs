//! What the bot could not answer, and how often it answered each entry.
//!
//! Off by default (`admin.gaps_enabled`): these are health messages. When
//! on, a message that got no answer or only a "did you mean" in an answer
//! channel is stored with its date (the day, not the time) and its channel,
//! and nothing about who wrote it: [`Gaps::record`] takes no user, and the
//! table has no column for one. Mentions of people inside the text
//! (`<@123>`) are replaced by `@someone` before storing, so no user id gets
//! in that way either. Rows older than `admin.gaps_retention_days` are
//! deleted on open, on every record and by [`Gaps::purge`], and at most
//! `admin.gaps_max_messages` are kept (the newest), so a busy or flooded
//! channel cannot grow the file without end; deleted rows are overwritten in
//! the file (SQLite `secure_delete`; PostgreSQL keeps a deleted row's bytes
//! until its vacuum reuses the space, see README).
//!
//! [`Gaps::report`] groups the stored messages by shared words (weighted so
//! that words many messages or many FAQ entries use, like "leg" and "pain",
//! count for little),
//! biggest group first, each with examples and the nearest existing entry,
//! so a moderator sees what entry or alternate phrasing is missing.
//!
//! Answer counts ([`Gaps::record_answer`], [`Gaps::stats`]) are kept
//! whether or not gaps are on: an entry id and a count per day, no text, no
//! channel, no user.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use super::database::{Database, Sql, Value};
use super::settings::AdminSettings;
use super::{StoreError, time};
use crate::engine::{Knowledge, Outcome};
use crate::faq::Faq;

/// Stored message texts are cut to this many characters.
pub const MAX_STORED_CHARS: usize = 2_000;
/// At most this many of the newest messages are grouped in a report.
pub const MAX_REPORTED_MESSAGES: usize = 2_000;
/// Examples shown per group.
pub const EXAMPLES_PER_GROUP: usize = 3;
/// Two messages are grouped when their weighted word overlap reaches this.
const SIMILARITY_THRESHOLD: f64 = 0.5;
/// At most this many messages of a group are ranked for its nearest entry.
const RANKED_PER_GROUP: usize = 25;

/// What the bot did with a message that is worth a moderator's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapDecision {
    /// No answer.
    None,
    /// Only a "did you mean".
    Suggest,
}

impl GapDecision {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            GapDecision::None => "none",
            GapDecision::Suggest => "suggest",
        }
    }

    /// The gap an engine outcome is, if any (answers and emergencies are
    /// not gaps).
    pub fn from_outcome(outcome: Outcome) -> Option<GapDecision> {
        match outcome {
            Outcome::None => Some(GapDecision::None),
            Outcome::Suggest => Some(GapDecision::Suggest),
            Outcome::Answer | Outcome::Emergency => None,
        }
    }

    fn parse(text: &str) -> GapDecision {
        if text == "suggest" {
            GapDecision::Suggest
        } else {
            GapDecision::None
        }
    }
}

/// One stored message, as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapMessage {
    /// Its stable id (the store's row number), shown as `#id`: what
    /// `faqbot teach` and the Discord teach buttons name it by. Ids are never
    /// reused while the database lives.
    pub id: i64,
    /// The day it was sent, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The channel it was sent in.
    pub channel_id: u64,
    /// No answer, or only a "did you mean".
    pub decision: GapDecision,
    /// What was written (mentions of people replaced by `@someone`).
    pub text: String,
}

/// The existing entry nearest to a group of messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearestEntry {
    /// The entry's id.
    pub id: String,
    /// Its question.
    pub question: String,
    /// The matcher's average score for the group's messages (0-1).
    pub score: f32,
}

/// Messages that say much the same thing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapGroup {
    /// How many messages.
    pub count: usize,
    /// How many of them got a "did you mean" (the rest got nothing).
    pub n_suggested: usize,
    /// Words most of them use.
    pub common_words: Vec<String>,
    /// A few of them, newest first.
    pub examples: Vec<GapMessage>,
    /// The nearest existing entry, when the FAQ was given and one is near.
    pub nearest: Option<NearestEntry>,
}

/// The gaps report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    /// Whether messages are being stored (`admin.gaps_enabled`).
    pub enabled: bool,
    /// Messages are kept this many days.
    pub retention_days: u32,
    /// How many messages were grouped.
    pub n_messages: usize,
    /// The groups, biggest first.
    pub groups: Vec<GapGroup>,
}

/// One day's use of the bot, for the stats chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCounts {
    /// Days since 1970-01-01, UTC.
    pub day: i64,
    /// Answers given that day.
    pub answered: u64,
    /// Messages stored as unanswered that day; `None` while gaps are off
    /// (nothing is stored then, so there is nothing to count).
    pub unanswered: Option<u64>,
}

/// How often an entry was answered within the retention period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryUse {
    /// The entry's id.
    pub entry_id: String,
    /// How many answers.
    pub count: u64,
    /// The entry is in the FAQ (false: it was removed since).
    pub in_faq: bool,
}

/// The gaps store and the answer counts. Share it behind an `Arc`; calls
/// are serialised.
#[derive(Debug)]
pub struct Gaps {
    database: Mutex<Database>,
    enabled: bool,
    retention_days: u32,
    max_messages: u32,
}

impl Gaps {
    /// Opens the database named in `settings` (creating it when needed) and
    /// deletes what is past the retention period. With gaps off, every
    /// stored message is deleted: they are health messages, kept only while
    /// a moderator has chosen to keep them (answer counts stay).
    pub fn open(settings: &AdminSettings, now: SystemTime) -> Result<Gaps, StoreError> {
        let gaps = Gaps {
            database: Mutex::new(Database::open(settings)?),
            enabled: settings.gaps_enabled,
            retention_days: settings.gaps_retention_days.max(1),
            max_messages: settings.gaps_max_messages.max(1),
        };
        gaps.purge(now)?;
        if !gaps.enabled {
            let deleted = gaps.database().execute("DELETE FROM gap_messages", &[])?;
            if deleted > 0 {
                tracing::info!(
                    n_messages = deleted,
                    "gaps are off: stored unanswered messages deleted"
                );
            }
        }
        Ok(gaps)
    }

    /// Opens an existing database read-only (for the CLI); `None` when
    /// there is no database yet. Nothing is purged, but reports leave out
    /// what is past the retention period.
    pub fn open_read_only(settings: &AdminSettings) -> Result<Option<Gaps>, StoreError> {
        Ok(Database::open_for_reading(settings)?.map(|database| Gaps {
            database: Mutex::new(database),
            enabled: settings.gaps_enabled,
            retention_days: settings.gaps_retention_days.max(1),
            max_messages: settings.gaps_max_messages.max(1),
        }))
    }

    /// Whether messages are being stored.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn database(&self) -> MutexGuard<'_, Database> {
        crate::locks::lock(&self.database)
    }

    /// The first day still kept at `now`.
    fn first_kept_day(&self, now: SystemTime) -> i64 {
        time::unix_day(now) - i64::from(self.retention_days)
    }

    /// Stores a message the bot could not answer, with its day and channel.
    /// Does nothing and returns false when gaps are off. There is
    /// deliberately no way to pass who wrote it.
    pub fn record(
        &self,
        text: &str,
        channel_id: u64,
        decision: GapDecision,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        if !self.enabled {
            return Ok(false);
        }
        let stored = without_people(text);
        if stored.trim().is_empty() {
            return Ok(false);
        }
        self.purge(now)?;
        let mut database = self.database();
        database.execute(
            "INSERT INTO gap_messages (day, channel_id, decision, text) VALUES (?1, ?2, ?3, ?4)",
            &[
                Value::Int(time::unix_day(now)),
                Value::from(channel_id.to_string()),
                Value::from(decision.as_str()),
                Value::from(stored),
            ],
        )?;
        // The newest `max_messages` are kept (ids only grow).
        database.execute(
            "DELETE FROM gap_messages WHERE id <=
             (SELECT id FROM gap_messages ORDER BY id DESC LIMIT 1 OFFSET ?1)",
            &[Value::Int(i64::from(self.max_messages))],
        )?;
        tracing::debug!(decision = decision.as_str(), "unanswered message stored");
        Ok(true)
    }

    /// Deletes stored messages and answer counts older than the retention
    /// period; returns how many messages went.
    pub fn purge(&self, now: SystemTime) -> Result<usize, StoreError> {
        let first_kept = self.first_kept_day(now);
        let mut database = self.database();
        let messages = database.execute(
            "DELETE FROM gap_messages WHERE day < ?1",
            &[Value::Int(first_kept)],
        )? as usize;
        database.execute(
            "DELETE FROM answer_counts WHERE day < ?1",
            &[Value::Int(first_kept)],
        )?;
        if messages > 0 {
            tracing::info!(n_messages = messages, "old unanswered messages deleted");
        }
        Ok(messages)
    }

    /// Counts one answer of `entry_id`.
    pub fn record_answer(&self, entry_id: &str, now: SystemTime) -> Result<(), StoreError> {
        self.database().execute(
            "INSERT INTO answer_counts (day, entry_id, count) VALUES (?1, ?2, 1)
             ON CONFLICT (day, entry_id) DO UPDATE SET count = answer_counts.count + 1",
            &[Value::Int(time::unix_day(now)), Value::from(entry_id)],
        )?;
        Ok(())
    }

    /// How often each entry was answered within the retention period, most
    /// used first. With `faq`, its entries that were never answered are
    /// listed too (count 0), and removed entries are marked.
    pub fn stats(&self, faq: Option<&Faq>, now: SystemTime) -> Result<Vec<EntryUse>, StoreError> {
        let rows = self.database().query(
            "SELECT entry_id, CAST(sum(count) AS BIGINT) FROM answer_counts
             WHERE day >= ?1 GROUP BY entry_id",
            &[Value::Int(self.first_kept_day(now))],
        )?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for row in rows {
            counts.insert(row.text(0), row.int(1).max(0) as u64);
        }
        if let Some(faq) = faq {
            for id in faq.ids() {
                counts.entry(id.to_owned()).or_insert(0);
            }
        }
        let mut uses: Vec<EntryUse> = counts
            .into_iter()
            .map(|(entry_id, count)| EntryUse {
                in_faq: faq.is_none_or(|faq| faq.get(&entry_id).is_some()),
                entry_id,
                count,
            })
            .collect();
        uses.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.entry_id.cmp(&b.entry_id))
        });
        Ok(uses)
    }

    /// Every day of the retention period up to `now`, oldest first, with how
    /// many answers the bot gave and (with gaps on) how many messages it
    /// stored as unanswered. Days without either are listed with zeros.
    pub fn daily(&self, now: SystemTime) -> Result<Vec<DayCounts>, StoreError> {
        let first = self.first_kept_day(now);
        let today = time::unix_day(now);
        let mut database = self.database();
        let mut per_day = |sql: &str| -> Result<BTreeMap<i64, u64>, StoreError> {
            Ok(database
                .query(sql, &[Value::Int(first)])?
                .into_iter()
                .map(|row| (row.int(0), row.int(1).max(0) as u64))
                .collect())
        };
        let answered = per_day(
            "SELECT day, CAST(sum(count) AS BIGINT) FROM answer_counts WHERE day >= ?1 GROUP BY day",
        )?;
        let unanswered = if self.enabled {
            Some(per_day(
                "SELECT day, CAST(count(*) AS BIGINT) FROM gap_messages WHERE day >= ?1 GROUP BY day",
            )?)
        } else {
            None
        };
        Ok((first..=today)
            .map(|day| DayCounts {
                day,
                answered: answered.get(&day).copied().unwrap_or(0),
                unanswered: unanswered
                    .as_ref()
                    .map(|counts| counts.get(&day).copied().unwrap_or(0)),
            })
            .collect())
    }

    /// The stored messages within the retention period, grouped by
    /// similarity, biggest group first; with `knowledge`, each group names
    /// the nearest existing entry.
    pub fn report(
        &self,
        knowledge: Option<&Knowledge>,
        now: SystemTime,
    ) -> Result<GapReport, StoreError> {
        // With gaps off nothing is shown, whatever a database written while
        // they were on still holds.
        let messages = if self.enabled {
            self.messages(now)?
        } else {
            Vec::new()
        };
        let groups = group_messages(&messages, knowledge);
        Ok(GapReport {
            enabled: self.enabled,
            retention_days: self.retention_days,
            n_messages: messages.len(),
            groups,
        })
    }

    /// The newest stored messages within the retention period, oldest first.
    fn messages(&self, now: SystemTime) -> Result<Vec<(i64, GapMessage)>, StoreError> {
        let rows = self.database().query(
            "SELECT id, day, channel_id, decision, text FROM gap_messages
             WHERE day >= ?1 ORDER BY id DESC LIMIT ?2",
            &[
                Value::Int(self.first_kept_day(now)),
                Value::Int(MAX_REPORTED_MESSAGES as i64),
            ],
        )?;
        let mut messages: Vec<(i64, GapMessage)> = rows
            .into_iter()
            .map(|row| {
                let id = row.int(0);
                (
                    id,
                    GapMessage {
                        id,
                        date: time::date(row.int(1)),
                        channel_id: row.text(2).parse().unwrap_or(0),
                        decision: GapDecision::parse(&row.text(3)),
                        text: row.text(4),
                    },
                )
            })
            .collect();
        messages.reverse();
        Ok(messages)
    }

    /// The stored message `id`, when gaps are on and it is still kept (within
    /// the retention period at `now`); `None` otherwise.
    pub fn message(&self, id: i64, now: SystemTime) -> Result<Option<GapMessage>, StoreError> {
        if !self.enabled {
            return Ok(None);
        }
        let row = self.database().query_one(
            "SELECT day, channel_id, decision, text FROM gap_messages WHERE id = ?1 AND day >= ?2",
            &[Value::Int(id), Value::Int(self.first_kept_day(now))],
        )?;
        Ok(row.map(|row| GapMessage {
            id,
            date: time::date(row.int(0)),
            channel_id: row.text(1).parse().unwrap_or(0),
            decision: GapDecision::parse(&row.text(2)),
            text: row.text(3),
        }))
    }

    /// Marks the message `id` as taught: it is deleted (overwritten in the
    /// file), with every other stored message that says exactly the same
    /// (the same words, ignoring case and punctuation), so the report no
    /// longer lists it. Returns how many messages went (0 when `id` is not
    /// stored).
    pub fn mark_taught(&self, id: i64) -> Result<usize, StoreError> {
        let mut database = self.database();
        // Deleted rows are overwritten, also on a connection opened for the
        // CLI (`faqbot teach`), which does not set it on open.
        database.secure_delete()?;
        let text = database
            .query_one(
                "SELECT text FROM gap_messages WHERE id = ?1",
                &[Value::Int(id)],
            )?
            .map(|row| row.text(0));
        let Some(text) = text else {
            return Ok(0);
        };
        let key = crate::text::clean(&text);
        let same: Vec<i64> = database
            .query("SELECT id, text FROM gap_messages", &[])?
            .into_iter()
            .filter(|row| row.int(0) == id || crate::text::clean(&row.text(1)) == key)
            .map(|row| row.int(0))
            .collect();
        let mut deleted = 0;
        for other in same {
            deleted += database.execute(
                "DELETE FROM gap_messages WHERE id = ?1",
                &[Value::Int(other)],
            )? as usize;
        }
        tracing::info!(
            gap_id = id,
            n_messages = deleted,
            "unanswered message taught"
        );
        Ok(deleted)
    }
}

/// The text with mentions of people and roles (`<@123>`, `<@!123>`,
/// `<@&123>`) replaced by `@someone`, and cut to [`MAX_STORED_CHARS`].
pub fn without_people(text: &str) -> String {
    let bounded: String = text.chars().take(MAX_STORED_CHARS).collect();
    let mut out = String::with_capacity(bounded.len());
    let mut rest = bounded.as_str();
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let digits_from = after.strip_prefix(['!', '&']).unwrap_or(after);
        let n_digits = digits_from.bytes().take_while(u8::is_ascii_digit).count();
        if n_digits > 0 && digits_from[n_digits..].starts_with('>') {
            out.push_str("@someone");
            rest = &digits_from[n_digits + 1..];
        } else {
            out.push_str("<@");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Words that say how a question is asked, not what about, dropped when
/// grouping unanswered messages besides [`crate::text::FUNCTION_WORDS`].
/// Unlike the matcher, the grouping drops "no", "not", "help" and "need":
/// nearly every unanswered question has them, so they tell none apart.
const QUESTION_FRAMING: &[&str] = &[
    "go", "going", "bad", "help", "need", "want", "someone", "many", "make", "makes", "no", "not",
    "ask", "instead",
];

/// Words used by at least this share of FAQ entries say little about what
/// is missing ("leg", "pain", "walking"): they weigh a quarter as much.
const GENERIC_SHARE: f64 = 0.15;
const GENERIC_WEIGHT: f64 = 0.25;

/// A message read for grouping: its distinctive words, stemmed.
struct ReadMessage {
    stems: BTreeSet<String>,
    words: BTreeSet<String>,
}

fn read_message(stemmer: &Stemmer, text: &str) -> ReadMessage {
    let mut stems = BTreeSet::new();
    let mut words = BTreeSet::new();
    for word in crate::text::words(text) {
        let framing = crate::text::FUNCTION_WORDS.contains(&word.as_str())
            || QUESTION_FRAMING.contains(&word.as_str());
        if framing || word.chars().count() < 2 {
            continue;
        }
        stems.insert(stemmer.stem(&word).into_owned());
        words.insert(word);
    }
    ReadMessage { stems, words }
}

/// Stems that many FAQ entries use (in their question, alternates and
/// keywords).
fn generic_stems(stemmer: &Stemmer, knowledge: &Knowledge) -> BTreeSet<String> {
    let entries = &knowledge.faq.entries;
    let mut frequency: BTreeMap<String, usize> = BTreeMap::new();
    for entry in entries {
        let mut text = entry.question.clone();
        for phrase in entry.alternates.iter().chain(&entry.keywords) {
            text.push(' ');
            text.push_str(phrase);
        }
        for stem in read_message(stemmer, &text).stems {
            *frequency.entry(stem).or_default() += 1;
        }
    }
    let needed = (entries.len() as f64 * GENERIC_SHARE).ceil().max(2.0) as usize;
    frequency
        .into_iter()
        .filter(|(_, count)| *count >= needed)
        .map(|(stem, _)| stem)
        .collect()
}

/// Groups messages (oldest first): messages whose weighted word overlap
/// reaches the threshold are in one group, as are the messages linked to
/// them. Deterministic for the same messages.
fn group_messages(messages: &[(i64, GapMessage)], knowledge: Option<&Knowledge>) -> Vec<GapGroup> {
    let stemmer = Stemmer::create(Algorithm::English);
    let read: Vec<ReadMessage> = messages
        .iter()
        .map(|(_, message)| read_message(&stemmer, &message.text))
        .collect();
    let weights = StemWeights::new(&read, &stemmer, knowledge);
    let groups = linked_groups(messages, &read, &weights);

    let mut built: Vec<(i64, GapGroup)> = groups
        .into_iter()
        .map(|members| {
            let newest = members.iter().map(|&m| messages[m].0).max().unwrap_or(0);
            (newest, build_group(&members, messages, &read, knowledge))
        })
        .collect();
    built.sort_by(|(newest_a, a), (newest_b, b)| {
        b.count.cmp(&a.count).then_with(|| newest_b.cmp(newest_a))
    });
    built.into_iter().map(|(_, group)| group).collect()
}

/// How much each stem counts when messages are compared: rare stems more,
/// stems common in the FAQ (generic ones) less.
struct StemWeights<'a> {
    /// How many messages hold each stem.
    document_frequency: HashMap<&'a str, usize>,
    generic: BTreeSet<String>,
    /// The number of messages (at least 1).
    n: f64,
}

impl<'a> StemWeights<'a> {
    /// The weights for this set of messages.
    fn new(read: &'a [ReadMessage], stemmer: &Stemmer, knowledge: Option<&Knowledge>) -> Self {
        let mut document_frequency: HashMap<&str, usize> = HashMap::new();
        for message in read {
            for stem in &message.stems {
                *document_frequency.entry(stem.as_str()).or_default() += 1;
            }
        }
        let generic = knowledge
            .map(|k| generic_stems(stemmer, k))
            .unwrap_or_default();
        StemWeights {
            document_frequency,
            generic,
            n: read.len().max(1) as f64,
        }
    }

    /// The weight of one stem.
    fn weight(&self, stem: &str) -> f64 {
        let df = self.document_frequency.get(stem).copied().unwrap_or(1) as f64;
        let rarity = (1.0 + self.n / df).ln();
        if self.generic.contains(stem) {
            rarity * GENERIC_WEIGHT
        } else {
            rarity
        }
    }

    /// The weighted word overlap of two messages, 0-1.
    fn similarity(&self, a: &ReadMessage, b: &ReadMessage) -> f64 {
        let shared: f64 = a.stems.intersection(&b.stems).map(|s| self.weight(s)).sum();
        if shared == 0.0 {
            return 0.0;
        }
        let total: f64 = a
            .stems
            .iter()
            .chain(b.stems.iter())
            .map(|s| self.weight(s))
            .sum();
        2.0 * shared / total
    }
}

/// The groups of messages (indices, each group in order, groups by their
/// first message). Two messages are linked when similar enough; a group is
/// a set of linked messages (connected components, so the result does not
/// depend on the order messages are looked at).
fn linked_groups(
    messages: &[(i64, GapMessage)],
    read: &[ReadMessage],
    weights: &StemWeights<'_>,
) -> Vec<Vec<usize>> {
    let mut links = Links {
        parent: (0..read.len()).collect(),
    };
    let mut by_stem: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, message) in read.iter().enumerate() {
        for stem in &message.stems {
            by_stem.entry(stem.as_str()).or_default().push(index);
        }
    }
    // Messages with no distinctive word are grouped by their exact words.
    let mut wordless: BTreeMap<String, usize> = BTreeMap::new();
    for (index, message) in read.iter().enumerate() {
        if message.stems.is_empty() {
            let key = crate::text::clean(&messages[index].1.text);
            let first = *wordless.entry(key).or_insert(index);
            links.join(first, index);
            continue;
        }
        let candidates: BTreeSet<usize> = message
            .stems
            .iter()
            .filter_map(|stem| by_stem.get(stem.as_str()))
            .flatten()
            .copied()
            .filter(|&other| other > index)
            .collect();
        for other in candidates {
            if weights.similarity(message, &read[other]) >= SIMILARITY_THRESHOLD {
                links.join(index, other);
            }
        }
    }
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for index in 0..read.len() {
        let group = links.root(index);
        components.entry(group).or_default().push(index);
    }
    components.into_values().collect()
}

/// Links between messages, as a union-find forest whose roots are each
/// group's lowest index.
struct Links {
    parent: Vec<usize>,
}

impl Links {
    /// The root of `index`'s group (halving the path on the way).
    fn root(&mut self, mut index: usize) -> usize {
        let parent = &mut self.parent;
        while parent[index] != index {
            parent[index] = parent[parent[index]];
            index = parent[index];
        }
        index
    }

    /// Puts `a` and `b` in one group.
    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        self.parent[a.max(b)] = a.min(b);
    }
}

fn build_group(
    members: &[usize],
    messages: &[(i64, GapMessage)],
    read: &[ReadMessage],
    knowledge: Option<&Knowledge>,
) -> GapGroup {
    let mut examples = Vec::new();
    let mut seen_texts = BTreeSet::new();
    for &member in members.iter().rev() {
        let message = &messages[member].1;
        if seen_texts.insert(crate::text::clean(&message.text)) {
            examples.push(message.clone());
        }
        if examples.len() == EXAMPLES_PER_GROUP {
            break;
        }
    }
    let mut word_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &member in members {
        for word in &read[member].words {
            *word_counts.entry(word.as_str()).or_default() += 1;
        }
    }
    // "Most": more than half (all of a lone message's words).
    let needed = members.len() / 2 + 1;
    let mut common: Vec<(&str, usize)> = word_counts
        .into_iter()
        .filter(|(_, count)| *count >= needed)
        .collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let common_words = common
        .into_iter()
        .take(6)
        .map(|(word, _)| word.to_owned())
        .collect();
    let nearest = knowledge.and_then(|knowledge| nearest_entry(members, messages, knowledge));
    GapGroup {
        count: members.len(),
        n_suggested: members
            .iter()
            .filter(|&&m| messages[m].1.decision == GapDecision::Suggest)
            .count(),
        common_words,
        examples,
        nearest,
    }
}

/// The entry with the highest total score over the group's newest messages.
fn nearest_entry(
    members: &[usize],
    messages: &[(i64, GapMessage)],
    knowledge: &Knowledge,
) -> Option<NearestEntry> {
    let ranked: Vec<usize> = members
        .iter()
        .rev()
        .take(RANKED_PER_GROUP)
        .copied()
        .collect();
    let mut totals: BTreeMap<String, f32> = BTreeMap::new();
    for &member in &ranked {
        for candidate in knowledge.matcher.rank(&messages[member].1.text) {
            *totals.entry(candidate.id).or_default() += candidate.score;
        }
    }
    let (id, total) =
        totals
            .into_iter()
            .fold(None::<(String, f32)>, |best, (id, total)| match best {
                Some((_, best_total)) if best_total >= total => best,
                _ => Some((id, total)),
            })?;
    let question = knowledge.faq.get(&id)?.question.clone();
    Some(NearestEntry {
        id,
        question,
        score: total / ranked.len().max(1) as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_of_people_are_not_stored() {
        assert_eq!(
            without_people("<@123> and <@!456> and <@&789> said <@x> hi"),
            "@someone and @someone and @someone said <@x> hi"
        );
        assert_eq!(without_people("no mentions"), "no mentions");
        assert_eq!(without_people("trailing <@"), "trailing <@");
    }

    fn message(id: i64, text: &str) -> (i64, GapMessage) {
        (
            id,
            GapMessage {
                id,
                date: "2024-01-01".to_owned(),
                channel_id: 1,
                decision: GapDecision::None,
                text: text.to_owned(),
            },
        )
    }

    #[test]
    fn similar_messages_are_grouped_biggest_first() {
        let messages = vec![
            message(1, "does ice help a sore knee"),
            message(2, "my ankle hurts"),
            message(3, "should I put ice on my knee"),
            message(4, "ice for a knee?"),
            message(5, "ankle hurts a lot"),
            message(6, "what about swimming"),
        ];
        let groups = group_messages(&messages, None);
        let counts: Vec<usize> = groups.iter().map(|g| g.count).collect();
        assert_eq!(counts, vec![3, 2, 1], "{groups:#?}");
        assert!(groups[0].common_words.contains(&"knee".to_owned()));
        assert_eq!(groups[0].examples[0].text, "ice for a knee?");
        assert_eq!(groups[1].common_words, vec!["ankle", "hurts"]);
    }

    #[test]
    fn grouping_is_deterministic() {
        let messages: Vec<(i64, GapMessage)> = (0..40)
            .map(|i| message(i, &format!("question {} about topic {}", i % 7, i % 3)))
            .collect();
        assert_eq!(
            group_messages(&messages, None),
            group_messages(&messages, None)
        );
    }
}
