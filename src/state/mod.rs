//! State shared between processes, in Redis (`[state] redis_url`, cargo
//! feature `redis`): symptom checks in progress ([`RedisSessions`]) and the
//! Discord front end's cooldowns and rate limits ([`RedisReplies`]), behind
//! the same traits as the in-memory stores, which stay the default.
//!
//! Redis does the expiry: every key is written with a TTL (the check's
//! timeout, the cooldown, the rate-limit minute), so nothing is scanned.
//! Keys are `{key_prefix}{kind}:{hash}`, where the hash is a keyed SHA-256
//! (HMAC) of the user and channel ids: no id is written in a key, in the
//! clear or as a plain hash that could be reversed by trying every id. The
//! hash key is made by the first process and kept in Redis, so every process
//! of the bot computes the same keys; whoever can read all of Redis can also
//! read that key, so this keeps ids out of key listings, monitors and logs,
//! not away from an administrator of the server. Values hold no message
//! text: a session is the check's state (question and choice ids), an
//! answer's cooldown the entry id's time and link.
//!
//! Failures: Redis unreachable at start is an error naming the setting
//! ([`StateError`]). Failing mid-run, every call gives up within
//! [`TIMEOUT`], logs one warning (no ids, no text) and answers as the store
//! documents: what is safe for a person is chosen over what is tidy (a
//! check that cannot be read is expired; a limit that cannot be counted
//! allows the reply). The connection is made again on a later call.

mod connection;
mod identify;
#[cfg(feature = "discord")]
mod replies;
mod sessions;

pub use connection::{Keys, Redis, StateError, TIMEOUT};
pub use identify::IdentifyLeases;
#[cfg(feature = "discord")]
pub use replies::RedisReplies;
pub use sessions::RedisSessions;

use std::time::{Duration, SystemTime};

use crate::config::Config;
use crate::sessions::{MemorySessions, SessionStore};

/// The session store `config` asks for: Redis when `[state] redis_url` is
/// set (connected now, so a wrong address stops the start), else memory.
pub fn session_store(config: &Config) -> Result<Box<dyn SessionStore>, StateError> {
    match &config.state.redis_url {
        Some(url) => {
            let redis = Redis::connect(url, &config.state.key_prefix)?;
            let timeout = Duration::from_secs(config.symptoms.session_timeout_minutes * 60);
            Ok(Box::new(RedisSessions::new(redis, timeout)))
        }
        None => Ok(Box::new(MemorySessions::default())),
    }
}

/// Milliseconds since the Unix epoch (0 for a clock before it).
fn epoch_millis(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// A duration as whole milliseconds for a TTL, at least 1 (Redis refuses 0).
fn ttl_millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}
