//! What the Discord front end remembers between messages: when it last
//! answered each FAQ entry in each channel (the cooldown), and how many
//! replies each person got in the last minute (the rate limit).
//!
//! Kept behind [`ReplyStore`] so the shared Redis store
//! (`crate::state::RedisReplies`, `[state] redis_url`, when the bot runs as
//! several processes) can replace the in-memory default without touching the
//! handlers. Time is always passed in. Nothing here is written to disk, and
//! entries older than their window are dropped.
//!
//! The methods block (a shared store does network I/O): the handler calls
//! them off the async threads.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// The rate-limit window.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

/// An earlier answer in a channel, still within the cooldown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierAnswer {
    /// The link to the message that carried it.
    pub link: String,
    /// When it was sent.
    pub at: SystemTime,
}

/// Per-channel and per-person memory of replies.
pub trait ReplyStore: Send + Sync {
    /// Counts a reply to `person` at `now` when fewer than `per_minute`
    /// were counted in the minute before; returns whether it may be sent.
    fn allow_reply(&self, person: &str, now: SystemTime, per_minute: u32) -> bool;

    /// The answer to `entry_id` sent in `place` within `cooldown` before
    /// `now`, if any.
    fn recent_answer(
        &self,
        place: &str,
        entry_id: &str,
        now: SystemTime,
        cooldown: Duration,
    ) -> Option<EarlierAnswer>;

    /// The answer to `entry_id` sent in `place` within `cooldown` before
    /// `now`, if any; if none, remembers one at `now`, pointed to by
    /// `pending_link` until [`ReplyStore::record_answer`] gives the real
    /// link. One step, so that of several callers (threads, or processes on
    /// a shared store) exactly one gets `None` and answers: the first wins.
    fn claim_answer(
        &self,
        place: &str,
        entry_id: &str,
        pending_link: &str,
        now: SystemTime,
        cooldown: Duration,
    ) -> Option<EarlierAnswer>;

    /// Remembers that `entry_id` was answered in `place` at `now`, by the
    /// message at `link`, for `cooldown`.
    fn record_answer(
        &self,
        place: &str,
        entry_id: &str,
        link: &str,
        now: SystemTime,
        cooldown: Duration,
    );

    /// Whether this is the first time any process of the bot handles the
    /// gateway event `event_id` (a message's or an interaction's id) in the
    /// last [`EVENT_MEMORY`]. During a deploy the old and the new process
    /// both hold a session for the same shard and both receive its events;
    /// the first to claim one handles it, the other drops it. One process
    /// gets each event once, so the in-memory store always says yes.
    fn claim_event(&self, event_id: &str) -> bool {
        let _ = event_id;
        true
    }
}

/// How long a handled event is remembered (a deploy's overlap is seconds).
pub const EVENT_MEMORY: Duration = Duration::from_secs(600);

/// The default store: plain maps behind a mutex, pruned as they are used.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    replies: HashMap<String, VecDeque<SystemTime>>,
    answers: HashMap<(String, String), EarlierAnswer>,
    operations: u64,
}

/// How long before `now` an instant is; instants in the future count as now.
fn age(now: SystemTime, then: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or(Duration::ZERO)
}

/// The longest cooldown kept when pruning (answers older than this are
/// forgotten whatever the configured cooldown).
const MAX_KEPT: Duration = Duration::from_secs(24 * 60 * 60);

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        InMemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        crate::locks::lock(&self.inner)
    }
}

impl Inner {
    /// Every 1024 operations, drops what no longer matters, so memory
    /// follows the active people and channels, not everyone ever seen.
    fn prune(&mut self, now: SystemTime) {
        self.operations += 1;
        if !self.operations.is_multiple_of(1024) {
            return;
        }
        self.replies.retain(|_, times| {
            times.retain(|&t| age(now, t) < RATE_WINDOW);
            !times.is_empty()
        });
        self.answers
            .retain(|_, answer| age(now, answer.at) < MAX_KEPT);
    }
}

impl ReplyStore for InMemoryStore {
    fn allow_reply(&self, person: &str, now: SystemTime, per_minute: u32) -> bool {
        let mut inner = self.lock();
        inner.prune(now);
        let times = inner.replies.entry(person.to_owned()).or_default();
        while times.front().is_some_and(|&t| age(now, t) >= RATE_WINDOW) {
            times.pop_front();
        }
        if times.len() >= per_minute as usize {
            return false;
        }
        times.push_back(now);
        true
    }

    fn recent_answer(
        &self,
        place: &str,
        entry_id: &str,
        now: SystemTime,
        cooldown: Duration,
    ) -> Option<EarlierAnswer> {
        let inner = self.lock();
        inner
            .answers
            .get(&(place.to_owned(), entry_id.to_owned()))
            .filter(|answer| age(now, answer.at) < cooldown)
            .cloned()
    }

    fn claim_answer(
        &self,
        place: &str,
        entry_id: &str,
        pending_link: &str,
        now: SystemTime,
        cooldown: Duration,
    ) -> Option<EarlierAnswer> {
        let mut inner = self.lock();
        inner.prune(now);
        let key = (place.to_owned(), entry_id.to_owned());
        if let Some(earlier) = inner.answers.get(&key)
            && age(now, earlier.at) < cooldown
        {
            return Some(earlier.clone());
        }
        if !cooldown.is_zero() {
            inner.answers.insert(
                key,
                EarlierAnswer {
                    link: pending_link.to_owned(),
                    at: now,
                },
            );
        }
        None
    }

    /// The cooldown is not kept: an answer is forgotten after [`MAX_KEPT`],
    /// and [`ReplyStore::recent_answer`] applies the cooldown it is given.
    fn record_answer(
        &self,
        place: &str,
        entry_id: &str,
        link: &str,
        now: SystemTime,
        _cooldown: Duration,
    ) {
        let mut inner = self.lock();
        inner.prune(now);
        inner.answers.insert(
            (place.to_owned(), entry_id.to_owned()),
            EarlierAnswer {
                link: link.to_owned(),
                at: now,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + seconds)
    }

    #[test]
    fn rate_limit_allows_n_per_minute_then_recovers() {
        let store = InMemoryStore::new();
        assert!(store.allow_reply("p", at(0), 2));
        assert!(store.allow_reply("p", at(10), 2));
        assert!(!store.allow_reply("p", at(20), 2));
        assert!(store.allow_reply("other", at(20), 2), "per person");
        assert!(store.allow_reply("p", at(60), 2), "the first one aged out");
        assert!(!store.allow_reply("p", at(61), 2));
    }

    #[test]
    fn cooldown_is_per_channel_and_entry_and_expires() {
        let store = InMemoryStore::new();
        let cooldown = Duration::from_secs(60);
        store.record_answer("c1", "sciatica", "https://link/1", at(0), cooldown);
        let earlier = store.recent_answer("c1", "sciatica", at(30), cooldown);
        assert_eq!(earlier.map(|e| e.link), Some("https://link/1".to_owned()));
        assert_eq!(
            store.recent_answer("c2", "sciatica", at(30), cooldown),
            None
        );
        assert_eq!(
            store.recent_answer("c1", "arthritis", at(30), cooldown),
            None
        );
        assert_eq!(
            store.recent_answer("c1", "sciatica", at(60), cooldown),
            None
        );
    }

    #[test]
    fn the_first_claim_wins_until_the_cooldown_ends() {
        let store = InMemoryStore::new();
        let cooldown = Duration::from_secs(60);
        assert_eq!(
            store.claim_answer("c1", "e", "pending", at(0), cooldown),
            None
        );
        let second = store.claim_answer("c1", "e", "other", at(1), cooldown);
        assert_eq!(second.map(|e| e.link), Some("pending".to_owned()));
        store.record_answer("c1", "e", "https://link/1", at(2), cooldown);
        let third = store.claim_answer("c1", "e", "other", at(3), cooldown);
        assert_eq!(third.map(|e| e.link), Some("https://link/1".to_owned()));
        assert_eq!(
            store.claim_answer("c1", "e", "late", at(62), cooldown),
            None
        );
        let zero = Duration::ZERO;
        assert_eq!(store.claim_answer("c2", "e", "p", at(0), zero), None);
        assert_eq!(store.claim_answer("c2", "e", "p", at(0), zero), None);
    }

    #[test]
    fn pruning_keeps_what_is_still_needed() {
        let store = InMemoryStore::new();
        for n in 0..2048u64 {
            store.allow_reply(&format!("p{n}"), at(n), 5);
        }
        assert!(!store.lock().replies.contains_key("p0"));
        assert!(store.lock().replies.contains_key("p2047"));
    }
}
