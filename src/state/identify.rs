//! Turns to IDENTIFY on Discord's gateway, shared by every process of the
//! bot. Discord lets a bot start one session per identify bucket
//! (`shard_id % max_concurrency`) every five seconds, for the whole bot,
//! not per process; a process that identifies out of turn gets its session
//! invalidated and must try again.
//!
//! A turn is a lease: `SET {prefix}identify:{bucket} <token> NX PX <ttl>`.
//! The holder identifies, then (once the shard is READY) shortens the lease
//! to five seconds from then with a Lua compare-and-PEXPIRE, so that the
//! next identify in the bucket, by any process, comes at least five seconds
//! after this one. The key names the bucket number only; the value is a
//! random token of this process.

use std::time::Duration;

use super::{Redis, ttl_millis};

/// Shortens the lease to ARGV[2] ms if it is still ours (ARGV[1]).
const SHORTEN_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// The identify leases of one process.
#[derive(Debug)]
pub struct IdentifyLeases {
    redis: Redis,
    token: String,
    shorten: redis::Script,
}

impl IdentifyLeases {
    /// Leases in `redis`, under a token of this process.
    pub fn new(redis: Redis) -> Self {
        IdentifyLeases {
            redis,
            token: super::connection::random_key()[..16].to_owned(),
            shorten: redis::Script::new(SHORTEN_SCRIPT),
        }
    }

    /// Takes `bucket`'s turn for `hold` if nobody holds it: `Some(true)`
    /// when taken, `Some(false)` when another identify holds it, `None`
    /// when Redis failed (logged by [`Redis::run`]).
    pub fn try_take(&self, bucket: u64, hold: Duration) -> Option<bool> {
        self.redis.run("identify lease", |connection, keys| {
            let set: Option<String> = redis::cmd("SET")
                .arg(keys.plain("identify", &bucket.to_string()))
                .arg(&self.token)
                .arg("NX")
                .arg("PX")
                .arg(ttl_millis(hold))
                .query(connection)?;
            Ok(set.is_some())
        })
    }

    /// Makes `bucket`'s lease, if this process still holds it, end `after`
    /// from now.
    pub fn release_after(&self, bucket: u64, after: Duration) {
        self.redis.run("identify lease end", |connection, keys| {
            self.shorten
                .key(keys.plain("identify", &bucket.to_string()))
                .arg(&self.token)
                .arg(ttl_millis(after))
                .invoke::<i64>(connection)
        });
    }
}
