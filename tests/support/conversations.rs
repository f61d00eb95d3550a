//! Scripted conversations with a sharded bot through the fake Discord, for
//! the tests of several bot processes (tests/discord_shards.rs,
//! tests/discord_processes.rs): guilds of a given shard, mention messages,
//! `/symptoms` and clicks through a symptom check, and the bot's replies to
//! an event (to count lost and doubled ones).
//!
//! Used as `#[path = "support/conversations.rs"] mod conversations;` next
//! to `mod support;`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{self, AsMember, BOT_ID, FakeDiscord, ORDINARY, Recorded, user_json};

/// The bot's shard count in these tests, and Discord's max_concurrency
/// (one identify bucket per shard).
pub const SHARDS: u64 = 4;

/// A guild whose events go to `shard` (`(id >> 22) % 4`).
pub fn guild_of_shard(shard: u64, n: u64) -> u64 {
    ((1_000 + n) * SHARDS + shard) << 22
}

/// A channel of a guild.
pub fn channel_in(guild: u64, n: u64) -> u64 {
    guild + 1 + n
}

pub fn person(id: u64) -> Value {
    user_json(id, "person", false)
}

/// A guild message mentioning the bot, not sent: its id and payload.
pub fn mention_message(
    fake: &FakeDiscord,
    guild: u64,
    channel: u64,
    by: u64,
    text: &str,
) -> (u64, Value) {
    let id = fake.next_id();
    let mut message = support::message_json(
        id,
        channel,
        Some(guild),
        person(by),
        &format!("<@{BOT_ID}> {text}"),
    );
    message["mentions"] = json!([user_json(BOT_ID, "faqbot", true)]);
    (id, message)
}

pub fn member(user: u64) -> AsMember<'static> {
    AsMember {
        user,
        name: "person",
        permissions: ORDINARY,
        roles: &[],
    }
}

/// `/symptoms` in `guild`, not sent.
pub fn symptoms_command(fake: &FakeDiscord, guild: u64, channel: u64, by: u64) -> (u64, Value) {
    let data = json!({"id": "5002", "name": "symptoms", "type": 1, "options": []});
    let (id, _, payload) = fake.interaction_in_guild(guild, 2, channel, member(by), data);
    (id, payload)
}

/// A click on `custom_id` (menu `values`) of an ephemeral message in
/// `guild`, not sent.
pub fn click(
    fake: &FakeDiscord,
    guild: u64,
    channel: u64,
    by: u64,
    custom_id: &str,
    values: Option<Vec<String>>,
) -> (u64, Value) {
    let data = match values {
        Some(values) => json!({"custom_id": custom_id, "component_type": 3, "values": values}),
        None => json!({"custom_id": custom_id, "component_type": 2}),
    };
    let (id, _, mut payload) = fake.interaction_in_guild(guild, 3, channel, member(by), data);
    let mut message = support::message_json(
        fake.next_id(),
        channel,
        Some(guild),
        user_json(BOT_ID, "faqbot", true),
        "",
    );
    message["flags"] = json!(64);
    payload["message"] = message;
    (id, payload)
}

/// Every reply the bot made to event `id`: posted messages that reply to
/// it, and its interaction callbacks.
pub fn replies_to(requests: &[Recorded], id: u64) -> Vec<Recorded> {
    let id_text = id.to_string();
    let callback = format!("/interactions/{id}/");
    requests
        .iter()
        .filter(|r| {
            (r.method == "POST" && r.path.contains(&callback))
                || (r.method == "POST"
                    && r.path.ends_with("/messages")
                    && r.body["message_reference"]["message_id"] == json!(id_text))
        })
        .cloned()
        .collect()
}

/// Waits until event `id` got a reply, then a little longer for a second
/// one that should not come; returns them all.
pub async fn settled_replies(fake: &FakeDiscord, id: u64) -> Vec<Recorded> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while replies_to(&fake.requests(), id).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    replies_to(&fake.requests(), id)
}

/// Waits until event `id` got a reply among the requests from `from` on
/// (no settling pause: duplicates are counted at the end from every
/// request, with [`replies_per_event`]).
pub async fn settled_replies_fast(fake: &FakeDiscord, from: usize, id: u64) -> Vec<Recorded> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let replies = replies_to(&fake.requests_from(from), id);
        if !replies.is_empty() || Instant::now() >= deadline {
            return replies;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// How many replies each of `events` got in `requests` (interaction
/// callbacks and messages replying to it); an event with none is absent.
pub fn replies_per_event<V>(
    requests: &[Recorded],
    events: &HashMap<u64, V>,
) -> HashMap<u64, usize> {
    let mut answered: HashMap<u64, usize> = HashMap::new();
    for request in requests {
        let event = if let Some(rest) = request.path.split("/interactions/").nth(1) {
            rest.split('/').next().and_then(|id| id.parse().ok())
        } else {
            request.body["message_reference"]["message_id"]
                .as_str()
                .and_then(|id| id.parse().ok())
        };
        if let Some(event) = event.filter(|event| events.contains_key(event)) {
            *answered.entry(event).or_default() += 1;
        }
    }
    answered
}

pub use crate::support::pick;

/// Whether a callback carries the "check expired" note (a lost check).
pub fn says_expired(callback: &Value) -> bool {
    callback.to_string().contains(faqbot::engine::EXPIRED_CHECK)
}

/// Whether a callback is a symptom-check step: a question to answer or
/// the outcome.
pub fn is_check_step(callback: &Value) -> bool {
    let components = &callback["data"]["components"];
    !says_expired(callback) && (pick(components).is_some() || is_outcome(components))
}

/// Whether a symptom-check message's components are the outcome's (its
/// "start again" button).
pub fn is_outcome(components: &Value) -> bool {
    components.to_string().contains("faqbot:v1:r:")
}
