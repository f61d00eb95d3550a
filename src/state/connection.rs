//! One Redis connection, made again after a failure, with timeouts on
//! everything; and the keys, namespaced and free of ids.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::config::redact_url;

/// The longest any Redis call (connecting, sending, reading) may take
/// before it counts as failed. Redis answers in well under a millisecond on
/// the same network; a second means it is gone or stuck, and a person is
/// waiting.
pub const TIMEOUT: Duration = Duration::from_secs(1);

/// After a failed connection, calls fail at once for this long instead of
/// each waiting for a timeout.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Why the shared state could not be opened. The address is shown with its
/// password replaced by `***`.
#[derive(Debug, Error)]
pub enum StateError {
    /// The address could not be used, or Redis did not answer.
    #[error(
        "cannot use Redis at {url} ([state] redis_url): {reason}. Start Redis there, correct \
         redis_url, or leave it out to keep the state in memory"
    )]
    Unreachable {
        /// The address, password redacted.
        url: String,
        /// What failed.
        reason: String,
    },
}

/// A Redis server shared by the bot's processes: a connection and the
/// keys' names.
pub struct Redis {
    client: redis::Client,
    link: Mutex<Link>,
    url: String,
}

/// How keys are named: the prefix, and the key of the ids' hash (as Redis
/// holds it: read again at every new connection, so that after Redis lost
/// its data every process agrees on one again).
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
    hash_key: Vec<u8>,
}

impl Keys {
    /// The key of `kind` for `parts` (ids, entry ids): the prefix, the kind,
    /// and a keyed hash of the parts.
    pub fn key(&self, kind: &str, parts: &[&str]) -> String {
        let mut message = Vec::new();
        for part in parts {
            message.extend_from_slice(&(part.len() as u64).to_be_bytes());
            message.extend_from_slice(part.as_bytes());
        }
        let digest = hmac_sha256(&self.hash_key, &message);
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}{kind}:{hex}", self.prefix)
    }

    /// The key of `kind` for `name` in the clear, for names that identify
    /// nobody (a shard's identify bucket number).
    pub fn plain(&self, kind: &str, name: &str) -> String {
        format!("{}{kind}:{name}", self.prefix)
    }
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The connection, if one is open, the keys' names, and whether the last
/// call worked (so an outage is logged once, not at every message).
struct Link {
    connection: Option<redis::Connection>,
    keys: Keys,
    retry_at: Option<Instant>,
    healthy: bool,
}

impl Redis {
    /// Connects to `url` now and reads (or makes) the hash key, so that a
    /// wrong address or a Redis that is down stops the start with a clear
    /// error instead of failing at the first message.
    pub fn connect(url: &str, prefix: &str) -> Result<Redis, StateError> {
        let shown = redact_url(url);
        let unreachable = |error: redis::RedisError| StateError::Unreachable {
            url: shown.clone(),
            reason: redact_error(&error, url),
        };
        let client = redis::Client::open(url).map_err(unreachable)?;
        let mut connection = open(&client).map_err(unreachable)?;
        let hash_key = hash_key(&mut connection, prefix, &random_key()).map_err(unreachable)?;
        tracing::info!(redis = %shown, "shared state in Redis");
        Ok(Redis {
            client,
            link: Mutex::new(Link {
                connection: Some(connection),
                keys: Keys {
                    prefix: prefix.to_owned(),
                    hash_key,
                },
                retry_at: None,
                healthy: true,
            }),
            url: shown,
        })
    }

    /// Runs `call` with the connection (opened again if needed) and the
    /// keys' names; `None` when Redis failed or timed out, after a warning
    /// that names `operation` only. A failed connection is dropped and made
    /// again on a later call.
    pub fn run<T>(
        &self,
        operation: &'static str,
        call: impl FnOnce(&mut redis::Connection, &Keys) -> redis::RedisResult<T>,
    ) -> Option<T> {
        let mut guard = crate::locks::lock(&self.link);
        let link = &mut *guard;
        if link.connection.is_none() {
            if link.retry_at.is_some_and(|at| Instant::now() < at) {
                return None;
            }
            match self.reopen(&link.keys) {
                Ok((connection, keys)) => {
                    link.connection = Some(connection);
                    link.keys = keys;
                }
                Err(error) => {
                    link.retry_at = Some(Instant::now() + RETRY_AFTER);
                    self.failed(link, operation, &error);
                    return None;
                }
            }
        }
        let connection = link.connection.as_mut()?;
        match call(connection, &link.keys) {
            Ok(value) => {
                if !link.healthy {
                    link.healthy = true;
                    tracing::info!(redis = %self.url, "Redis answers again");
                }
                Some(value)
            }
            Err(error) => {
                link.connection = None;
                self.failed(link, operation, &error);
                None
            }
        }
    }

    /// A new connection, and the hash key Redis holds now (ours again if it
    /// lost it).
    fn reopen(&self, keys: &Keys) -> redis::RedisResult<(redis::Connection, Keys)> {
        let mut connection = open(&self.client)?;
        let proposed = String::from_utf8_lossy(&keys.hash_key).into_owned();
        let hash_key = hash_key(&mut connection, &keys.prefix, &proposed)?;
        Ok((
            connection,
            Keys {
                prefix: keys.prefix.clone(),
                hash_key,
            },
        ))
    }

    /// Logs a failure: a warning when Redis was working until now, debug
    /// while it stays down.
    fn failed(&self, link: &mut Link, operation: &'static str, error: &redis::RedisError) {
        let reason = redact_error(error, "");
        if link.healthy {
            link.healthy = false;
            tracing::warn!(redis = %self.url, operation, %reason, "Redis failed; the bot goes on without the shared state until it answers again");
        } else {
            tracing::debug!(operation, %reason, "Redis still failing");
        }
    }
}

/// A connection to `client` with [`TIMEOUT`] on connecting, reading and
/// writing.
fn open(client: &redis::Client) -> redis::RedisResult<redis::Connection> {
    let connection = client.get_connection_with_timeout(TIMEOUT)?;
    connection.set_read_timeout(Some(TIMEOUT))?;
    connection.set_write_timeout(Some(TIMEOUT))?;
    Ok(connection)
}

/// The hash key kept in Redis under the prefix: `proposed` when Redis has
/// none (SET NX, so two processes starting at once agree), else the one it
/// has.
fn hash_key(
    connection: &mut redis::Connection,
    prefix: &str,
    proposed: &str,
) -> redis::RedisResult<Vec<u8>> {
    let key = format!("{prefix}hash-key");
    let _: Option<String> = redis::cmd("SET")
        .arg(&key)
        .arg(proposed)
        .arg("NX")
        .query(connection)?;
    let kept: String = redis::cmd("GET").arg(&key).query(connection)?;
    Ok(kept.into_bytes())
}

/// 256 random bits from the operating system, as hex.
pub(super) fn random_key() -> String {
    let mut bytes = [0u8; 32];
    if let Err(error) = getrandom::fill(&mut bytes) {
        // Only a system without a randomness source fails here; the key
        // then comes from the clock and the process, which still keeps ids
        // out of key listings (what the key is for), if less well.
        tracing::warn!(%error, "no system randomness for the state's hash key");
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let seed = [
            time.as_nanos().to_be_bytes().as_slice(),
            std::process::id().to_be_bytes().as_slice(),
        ]
        .concat();
        bytes = Sha256::digest(&seed).into();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    // HMAC takes a key of any length, so `new_from_slice` cannot fail.
    match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().into()
        }
        Err(_) => Sha256::digest([key, message].concat()).into(),
    }
}

/// A Redis error as text, with `url` (which may hold a password) removed.
fn redact_error(error: &redis::RedisError, url: &str) -> String {
    let text = error.to_string();
    if url.is_empty() {
        text
    } else {
        text.replace(url, &redact_url(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let digest = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(random_key(), random_key());
        assert_eq!(random_key().len(), 64);
    }

    #[test]
    fn a_wrong_address_is_a_clear_error_without_the_password() {
        let error = Redis::connect("redis://:s3cret@127.0.0.1:1/", "t:").expect_err("port 1");
        let text = error.to_string();
        assert!(text.contains("[state] redis_url"), "{text}");
        assert!(text.contains("redis://:***@127.0.0.1:1/"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
