//! The Discord front end's cooldowns and rate limits, in Redis, so that
//! every process of the bot counts the same replies and honours the same
//! cooldowns.
//!
//! The rate limit is a sliding window in a sorted set per person (one
//! member per reply, scored by its time), checked and counted by one Lua
//! script. A script runs alone in Redis, so two processes cannot both see
//! "one left" and both reply; and the window slides exactly like the
//! in-memory store's. INCR + EXPIRE per fixed minute would be one command
//! cheaper, but lets a person have twice the limit across a minute's
//! boundary, and the two stores would then disagree.
//!
//! An answer's cooldown is one key per (channel, entry), claimed by a Lua
//! script that returns the earlier answer or writes a pending one with the
//! cooldown as its TTL (SET NX semantics, and the earlier answer's link in
//! the same round trip): the first process wins, the others point to it.
//!
//! A gateway event is claimed by its id (SET NX, ten minutes), so that an
//! event two processes both receive while one replaces the other is
//! handled once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::{Redis, epoch_millis, ttl_millis};
use crate::discord::store::{EVENT_MEMORY, EarlierAnswer, RATE_WINDOW, ReplyStore};

/// Drops the replies older than the window, refuses at the limit, else
/// counts this one. KEYS[1]: the person's window. ARGV: now (ms), the
/// cutoff (ms; replies at or before it are out of the window), the limit,
/// this reply's member, the window (ms, the key's TTL).
const RATE_SCRIPT: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
";

/// Returns the answer remembered, or remembers ARGV[1] for ARGV[2] ms and
/// returns nothing. KEYS[1]: the (channel, entry) key.
const CLAIM_SCRIPT: &str = r"
local earlier = redis.call('GET', KEYS[1])
if earlier then
  return earlier
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
";

/// [`ReplyStore`] over Redis. When Redis fails, replies are allowed and no
/// earlier answer is found: the bot keeps answering (a person may get one
/// reply too many, or a channel the same answer twice), because a bot
/// silenced by a store outage would fail the people who need an answer.
/// Discord's own limits still bound the bot.
#[derive(Debug)]
pub struct RedisReplies {
    redis: Redis,
    rate: redis::Script,
    claim: redis::Script,
    /// Makes each counted reply a distinct member, across processes.
    nonce: String,
    counter: AtomicU64,
}

impl RedisReplies {
    /// Cooldowns and rate limits in `redis`.
    pub fn new(redis: Redis) -> Self {
        RedisReplies {
            redis,
            rate: redis::Script::new(RATE_SCRIPT),
            claim: redis::Script::new(CLAIM_SCRIPT),
            nonce: super::connection::random_key()[..16].to_owned(),
            counter: AtomicU64::new(0),
        }
    }
}

/// An answer as stored: its time in milliseconds, a space, its link.
fn encode(link: &str, at: SystemTime) -> String {
    format!("{} {link}", epoch_millis(at))
}

/// The answer stored as [`encode`] wrote it.
fn decode(value: &str) -> Option<EarlierAnswer> {
    let (millis, link) = value.split_once(' ')?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(millis.parse().ok()?);
    Some(EarlierAnswer {
        link: link.to_owned(),
        at,
    })
}

impl ReplyStore for RedisReplies {
    fn claim_event(&self, event_id: &str) -> bool {
        let claimed = self.redis.run("event claim", |connection, keys| {
            let set: Option<String> = redis::cmd("SET")
                .arg(keys.key("event", &[event_id]))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ttl_millis(EVENT_MEMORY))
                .query(connection)?;
            Ok(set.is_some())
        });
        // Redis down: handle it (a duplicate reply is better than none).
        claimed.unwrap_or(true)
    }

    fn allow_reply(&self, person: &str, now: SystemTime, per_minute: u32) -> bool {
        let now_ms = epoch_millis(now);
        let window = ttl_millis(RATE_WINDOW);
        let cutoff = now_ms.saturating_sub(window);
        let member = format!(
            "{now_ms}-{}-{}",
            self.nonce,
            self.counter.fetch_add(1, Ordering::Relaxed)
        );
        let allowed: Option<i64> = self.redis.run("rate limit", |connection, keys| {
            self.rate
                .key(keys.key("rate", &[person]))
                .arg(now_ms)
                .arg(cutoff)
                .arg(per_minute)
                .arg(&member)
                .arg(window)
                .invoke(connection)
        });
        allowed.is_none_or(|allowed| allowed == 1)
    }

    fn recent_answer(
        &self,
        place: &str,
        entry_id: &str,
        now: SystemTime,
        cooldown: Duration,
    ) -> Option<EarlierAnswer> {
        let value = self
            .redis
            .run::<Option<String>>("cooldown get", |connection, keys| {
                redis::cmd("GET")
                    .arg(keys.key("answer", &[place, entry_id]))
                    .query(connection)
            })??;
        decode(&value).filter(|earlier| {
            now.duration_since(earlier.at)
                .map_or(true, |age| age < cooldown)
        })
    }

    fn claim_answer(
        &self,
        place: &str,
        entry_id: &str,
        pending_link: &str,
        now: SystemTime,
        cooldown: Duration,
    ) -> Option<EarlierAnswer> {
        if cooldown.is_zero() {
            return None;
        }
        let value = self
            .redis
            .run::<Option<String>>("cooldown claim", |connection, keys| {
                self.claim
                    .key(keys.key("answer", &[place, entry_id]))
                    .arg(encode(pending_link, now))
                    .arg(ttl_millis(cooldown))
                    .invoke(connection)
            })??;
        decode(&value)
    }

    fn record_answer(
        &self,
        place: &str,
        entry_id: &str,
        link: &str,
        now: SystemTime,
        cooldown: Duration,
    ) {
        if cooldown.is_zero() {
            return;
        }
        self.redis.run("cooldown record", |connection, keys| {
            redis::cmd("SET")
                .arg(keys.key("answer", &[place, entry_id]))
                .arg(encode(link, now))
                .arg("PX")
                .arg(ttl_millis(cooldown))
                .query::<()>(connection)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let link = "https://discord.com/channels/1/2/3";
        assert_eq!(
            decode(&encode(link, at)),
            Some(EarlierAnswer {
                link: link.to_owned(),
                at
            })
        );
        assert_eq!(decode("garbage"), None);
    }
}
