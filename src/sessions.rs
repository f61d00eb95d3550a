//! Where per-person conversation state lives: symptom checks in progress,
//! keyed by (person, place).
//!
//! The state is plain data (a [`Conversation`] and when it was last used),
//! never the locals of an `async fn`, so a check survives between messages
//! and an expired one gets a polite message. It sits behind the small
//! [`SessionStore`] trait: one process uses the in-memory [`MemorySessions`];
//! a bot run as several processes puts the shared Redis store
//! (`crate::state::RedisSessions`, `[state] redis_url`) behind the same
//! trait, without touching the engine.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::engine::ConversationKey;
use crate::symptoms::Conversation;

/// One symptom check in progress. Serialisable, so that a shared store can
/// keep it between processes and across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Where the person is in the check.
    pub conversation: Conversation,
    /// When the person last answered (or started).
    pub last_active: SystemTime,
}

impl Session {
    /// Whether the session has been idle longer than `timeout` at `now`.
    /// A clock that went backwards never expires a session.
    pub fn is_expired(&self, now: SystemTime, timeout: Duration) -> bool {
        now.duration_since(self.last_active)
            .is_ok_and(|idle| idle > timeout)
    }
}

/// Storage for sessions. Implementations must be safe to share between
/// threads; every method is one short, atomic step.
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    /// The session of `key`, if there is one.
    fn get(&self, key: &ConversationKey) -> Option<Session>;
    /// Stores (or replaces) the session of `key`.
    fn put(&self, key: &ConversationKey, session: Session);
    /// Forgets the session of `key`.
    fn remove(&self, key: &ConversationKey);
    /// Forgets every session idle longer than `timeout` at `now`; returns how
    /// many were removed. A store whose entries expire by themselves (Redis)
    /// removes none here.
    fn purge_expired(&self, now: SystemTime, timeout: Duration) -> usize;
}

/// Sessions in this process's memory (lost on restart, which the engine
/// answers with "this check has expired").
#[derive(Debug, Default)]
pub struct MemorySessions {
    sessions: Mutex<HashMap<ConversationKey, Session>>,
}

impl MemorySessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConversationKey, Session>> {
        crate::locks::lock(&self.sessions)
    }

    /// How many sessions are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl SessionStore for MemorySessions {
    fn get(&self, key: &ConversationKey) -> Option<Session> {
        self.lock().get(key).cloned()
    }

    fn put(&self, key: &ConversationKey, session: Session) {
        self.lock().insert(key.clone(), session);
    }

    fn remove(&self, key: &ConversationKey) {
        self.lock().remove(key);
    }

    fn purge_expired(&self, now: SystemTime, timeout: Duration) -> usize {
        let mut sessions = self.lock();
        let before = sessions.len();
        sessions.retain(|_, session| !session.is_expired(now, timeout));
        before - sessions.len()
    }
}
