//! Symptom checks in progress, in Redis: one key per (person, place), its
//! value the serialised [`Session`], its TTL the check's timeout from the
//! last answer. A check started in one process continues in any other, and
//! after a restart.

use std::time::{Duration, SystemTime};

use super::{Redis, ttl_millis};
use crate::engine::ConversationKey;
use crate::sessions::{Session, SessionStore};

/// [`SessionStore`] over Redis. Every failure is answered as if there were
/// no check: a read that fails gives `None` (the engine then says the check
/// has expired and to start again, the message people already get after a
/// timeout), a write that fails loses the step. Never a wrong question, a
/// panic or a wait longer than [`super::TIMEOUT`].
#[derive(Debug)]
pub struct RedisSessions {
    redis: Redis,
    timeout: Duration,
}

impl RedisSessions {
    /// Sessions in `redis`, expiring `timeout` after their last write.
    pub fn new(redis: Redis, timeout: Duration) -> Self {
        RedisSessions { redis, timeout }
    }
}

/// The session key of (person, place).
fn session_key(keys: &super::Keys, key: &ConversationKey) -> String {
    keys.key("session", &[&key.person, &key.place])
}

impl SessionStore for RedisSessions {
    fn get(&self, key: &ConversationKey) -> Option<Session> {
        let text = self
            .redis
            .run::<Option<String>>("session get", |connection, keys| {
                redis::cmd("GET")
                    .arg(session_key(keys, key))
                    .query(connection)
            })??;
        match serde_json::from_str(&text) {
            Ok(session) => Some(session),
            Err(error) => {
                // Written by another version of the bot: treated as expired.
                tracing::warn!(
                    line = error.line(),
                    "a stored symptom check could not be read; treated as expired"
                );
                None
            }
        }
    }

    fn put(&self, key: &ConversationKey, session: Session) {
        let Ok(text) = serde_json::to_string(&session) else {
            tracing::warn!("a symptom check could not be serialised; not stored");
            return;
        };
        let ttl = ttl_millis(self.timeout);
        self.redis.run("session put", |connection, keys| {
            redis::cmd("SET")
                .arg(session_key(keys, key))
                .arg(text)
                .arg("PX")
                .arg(ttl)
                .query::<()>(connection)
        });
    }

    fn remove(&self, key: &ConversationKey) {
        self.redis.run("session remove", |connection, keys| {
            redis::cmd("DEL")
                .arg(session_key(keys, key))
                .query::<()>(connection)
        });
    }

    /// Redis removes expired sessions itself (their TTL): nothing to do.
    fn purge_expired(&self, _now: SystemTime, _timeout: Duration) -> usize {
        0
    }
}
