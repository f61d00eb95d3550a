//! Two bot processes on one bot's four shards, against the fake Discord and
//! a real Redis: each runs its shard range (`[discord] shards`), only shard
//! 0's registers the slash commands, identifies take turns through Redis,
//! and a symptom check, a cooldown and an event seen twice during a deploy
//! behave as if there were one process.
//!
//! The two "processes" are two `faqbot::discord::serve` in this test
//! process, each with its own settings, engine, HTTP client and Redis
//! connections: they share nothing but Redis and the fake Discord, as two
//! processes would.
//!
//! Each Redis test starts its own `redis-server` on a free loopback port;
//! without one installed the tests say so and pass, unless
//! FAQBOT_REQUIRE_REDIS=1 (CI), as in tests/state_redis.rs.
//! `without_redis_a_range_runs_exactly_its_shards` needs no Redis.
//!
//! `thousand_conversations_across_a_deploy` is the target run
//! (about 12 s; it prints its counts with `--nocapture`); README "Running
//! at scale" has the command and its figures.

#![cfg(all(feature = "redis", feature = "discord"))]

#[path = "support/conversations.rs"]
mod conversations;
#[path = "support/redis_server.rs"]
mod redis_server;
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use conversations::{
    SHARDS, channel_in, click, guild_of_shard, is_check_step, mention_message, pick,
    replies_per_event, settled_replies, settled_replies_fast, symptoms_command,
};
use faqbot::config::Config;
use redis_server::Server;
use serde_json::Value;
use support::FakeDiscord;

/// The settings of one process: its shard range, the shared Redis.
fn config_for(fake: &FakeDiscord, redis: &str, shards: &str) -> Config {
    let mut config = Config {
        faq_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        ..Config::default()
    };
    config.safety.emergency_number = Some("999".to_owned());
    config.discord.api_base_url = fake.base_url();
    config.discord.shards = Some(shards.to_owned());
    config.discord.shard_count = Some(SHARDS as u32);
    // Many people in the scripted run: no one reaches the limit.
    config.discord.replies_per_person_per_minute = 30;
    config.state.redis_url = Some(redis.to_owned());
    config.state.key_prefix = "faqbot-shards-test:".to_owned();
    config.admin.database = support::scratch_path("faqbot.sqlite3");
    config
}

/// One bot process.
type Bot = support::ServedBot;

/// Starts both processes (A: shards 0-1, B: 2-3) and waits until all four
/// shards are READY.
async fn start_two(fake: &FakeDiscord, redis: &str) -> (Bot, Bot) {
    let a = Bot::start(config_for(fake, redis, "0-1"));
    let b = Bot::start(config_for(fake, redis, "2-3"));
    fake.wait_for_sessions(4).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_four_shards_across_a_deploy() {
    let Some(server) = Server::start() else {
        return;
    };
    tokio::time::timeout(Duration::from_secs(60), async {
        let fake = FakeDiscord::start_sharded(SHARDS, SHARDS).await;
        let (a, b) = start_two(&fake, &server.url()).await;

        // Each shard identified once, with the right count; only shard 0's
        // process registers the commands.
        let mut identified = fake.identified_shards();
        identified.sort_unstable();
        assert_eq!(identified, vec![(0, 4), (1, 4), (2, 4), (3, 4)]);
        fake.wait_for_request(0, "PUT", "/commands")
            .await
            .expect("shard 0's process registers the commands");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let registrations = |fake: &FakeDiscord| {
            fake.requests()
                .iter()
                .filter(|r| r.method == "PUT" && r.path.contains("/commands"))
                .count()
        };
        assert_eq!(registrations(&fake), 1);

        // A question in a guild of every shard: exactly one reply each.
        for shard in 0..SHARDS {
            let guild = guild_of_shard(shard, 0);
            assert_eq!(fake.shard_of_guild(guild), shard);
            let (id, message) = mention_message(
                &fake,
                guild,
                channel_in(guild, 0),
                10 + shard,
                "What is sciatica?",
            );
            fake.dispatch("MESSAGE_CREATE", message);
            let replies = settled_replies(&fake, id).await;
            assert_eq!(replies.len(), 1, "shard {shard}: {replies:?}");
            assert!(replies[0].body["embeds"][0]["footer"]["text"].is_string());
        }

        // A symptom check in a guild of shard 2 (process B), one answer in.
        let guild = guild_of_shard(2, 1);
        let channel = channel_in(guild, 0);
        let patient = 77;
        let (id, command) = symptoms_command(&fake, guild, channel, patient);
        fake.dispatch("INTERACTION_CREATE", command);
        let started = settled_replies(&fake, id).await;
        assert_eq!(started.len(), 1);
        assert!(is_check_step(&started[0].body), "{}", started[0].body);
        let (custom_id, values) = pick(&started[0].body["data"]["components"]).expect("a question");
        let (id, answer) = click(&fake, guild, channel, patient, &custom_id, values);
        fake.dispatch("INTERACTION_CREATE", answer);
        let step = settled_replies(&fake, id).await;
        assert_eq!(step.len(), 1);
        assert_eq!(step[0].body["type"], 7, "{}", step[0].body);
        let mut components = step[0].body["data"]["components"].clone();

        // Process B answers a question in a channel of shard 3.
        let cooldown_guild = guild_of_shard(3, 1);
        let cooldown_channel = channel_in(cooldown_guild, 0);
        let (id, message) = mention_message(
            &fake,
            cooldown_guild,
            cooldown_channel,
            20,
            "What is sciatica?",
        );
        fake.dispatch("MESSAGE_CREATE", message);
        let answered = settled_replies(&fake, id).await;
        assert_eq!(answered.len(), 1);
        assert!(
            !answered[0].body.to_string().contains("a moment ago"),
            "the first answer is whole: {}",
            answered[0].body
        );

        // A deploy: B' starts on B's shards while B still runs. Its shards
        // wait for their identify turns, held by B's until five seconds
        // after B's READY.
        let b2 = Bot::start(config_for(&fake, &server.url(), "2-3"));
        fake.wait_for_sessions(6).await;
        for shard in [2, 3] {
            let gap = fake.identify_gap(shard).expect("identified by B and by B'");
            assert!(
                gap >= Duration::from_millis(4_950),
                "B' identified shard {shard} {gap:?} after B did, inside Discord's 5 s"
            );
        }
        let mut identified = fake.identified_shards();
        identified.sort_unstable();
        assert_eq!(
            identified,
            vec![(0, 4), (1, 4), (2, 4), (2, 4), (3, 4), (3, 4)]
        );
        assert_eq!(registrations(&fake), 1, "B' does not run shard 0");

        // During the overlap both B and B' get the same events: one reply.
        assert_eq!(fake.open_sessions(2), 2);
        let (id, message) = mention_message(
            &fake,
            guild_of_shard(2, 2),
            channel_in(guild_of_shard(2, 2), 0),
            30,
            "What is sciatica?",
        );
        assert_eq!(fake.dispatch_to_every_session("MESSAGE_CREATE", message), 2);
        let replies = settled_replies(&fake, id).await;
        assert_eq!(replies.len(), 1, "{replies:?}");
        // The symptom check's next answer, seen by both: one step.
        let (custom_id, values) = pick(&components).expect("the check's next question");
        let (id, answer) = click(&fake, guild, channel, patient, &custom_id, values);
        assert_eq!(
            fake.dispatch_to_every_session("INTERACTION_CREATE", answer),
            2
        );
        let step = settled_replies(&fake, id).await;
        assert_eq!(step.len(), 1, "{step:?}");
        assert!(is_check_step(&step[0].body), "{}", step[0].body);
        components = step[0].body["data"]["components"].clone();

        // B stops; B' alone continues the check where it was.
        b.stop().await;
        assert_eq!(fake.open_sessions(2), 1);
        assert_eq!(fake.open_sessions(3), 1);
        let (custom_id, values) = pick(&components).expect("the check goes on");
        let (id, answer) = click(&fake, guild, channel, patient, &custom_id, values);
        fake.dispatch("INTERACTION_CREATE", answer);
        let step = settled_replies(&fake, id).await;
        assert_eq!(step.len(), 1);
        assert!(is_check_step(&step[0].body), "lost: {}", step[0].body);
        components = step[0].body["data"]["components"].clone();

        // The cooldown B set holds in B': the same question in the same
        // channel gets a pointer to B's answer.
        let (id, message) = mention_message(
            &fake,
            cooldown_guild,
            cooldown_channel,
            21,
            "what is sciatica",
        );
        fake.dispatch("MESSAGE_CREATE", message);
        let pointer = settled_replies(&fake, id).await;
        assert_eq!(pointer.len(), 1);
        let text = pointer[0].body.to_string();
        assert!(
            text.contains("a moment ago")
                && text.contains(&format!("/channels/{cooldown_guild}/{cooldown_channel}/")),
            "{text}"
        );

        // A plain restart: B' stops, then B'' starts on the same shards;
        // the check still goes on.
        b2.stop().await;
        assert_eq!(fake.open_sessions(2), 0);
        let b3 = Bot::start(config_for(&fake, &server.url(), "2-3"));
        fake.wait_for_sessions(8).await;
        let (id, message) = symptoms_command(&fake, guild, channel, patient + 1);
        fake.dispatch("INTERACTION_CREATE", message);
        assert_eq!(settled_replies(&fake, id).await.len(), 1);
        let (custom_id, values) = pick(&components).expect("the check goes on");
        let (id, answer) = click(&fake, guild, channel, patient, &custom_id, values);
        fake.dispatch("INTERACTION_CREATE", answer);
        let step = settled_replies(&fake, id).await;
        assert_eq!(step.len(), 1);
        assert!(is_check_step(&step[0].body), "lost: {}", step[0].body);
        assert_eq!(registrations(&fake), 1);

        a.stop().await;
        b3.stop().await;
    })
    .await
    .expect("the test finishes within 60 s");
}

/// The target: 1,000 scripted conversations (half questions, half
/// symptom checks: `/symptoms` and up to four answers, the last two in the
/// next batch of 50, so that checks straddle the deploy) by 1,000 people over two processes and
/// four shards, with a deploy of process B in the middle (B' started, one
/// batch sent to both B and B', then B stopped). Counts conversations lost (a missing reply, or a check that came
/// back expired) and events answered twice; both must be zero.
///
/// `cargo test --test discord_shards thousand -- --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_conversations_across_a_deploy() {
    let Some(server) = Server::start() else {
        return;
    };
    const CONVERSATIONS: u64 = 1_000;
    const BATCH: u64 = 50;
    let started = Instant::now();
    let fake = FakeDiscord::start_sharded(SHARDS, SHARDS).await;
    let (a, b) = start_two(&fake, &server.url()).await;
    let mut b = Some(b);
    let mut b2 = None;
    // Conversation n: person 100_000 + n, in a channel of a guild of shard
    // n % 4; even n ask a question, odd n run three steps of a check.
    let mut events: HashMap<u64, u64> = HashMap::new();
    let mut lost = 0u64;
    let mut checks = 0u64;
    let mut questions = 0u64;
    let mut check_state: HashMap<u64, Value> = HashMap::new();
    for batch in 0..CONVERSATIONS / BATCH {
        // The deploy, with checks of the first half still in progress: B'
        // starts, one batch runs while both B and B' receive the events of
        // shards 2 and 3, then B stops.
        let overlap = batch == CONVERSATIONS / BATCH / 2;
        if overlap {
            b2 = Some(Bot::start(config_for(&fake, &server.url(), "2-3")));
            fake.wait_for_sessions(6).await;
        }
        if batch == CONVERSATIONS / BATCH / 2 + 1
            && let Some(b) = b.take()
        {
            b.stop().await;
        }
        let send = |event: &str, payload: Value| {
            if overlap {
                fake.dispatch_to_every_session(event, payload);
            } else {
                fake.dispatch(event, payload);
            }
        };
        let range = batch * BATCH..(batch + 1) * BATCH;
        let mark = fake.mark();
        // Step 0: every conversation's first event.
        let mut firsts = Vec::new();
        for n in range.clone() {
            let guild = guild_of_shard(n % SHARDS, n / SHARDS % 7);
            let channel = channel_in(guild, n % 3);
            let who = 100_000 + n;
            let (id, payload) = if n % 2 == 0 {
                questions += 1;
                let (id, message) =
                    mention_message(&fake, guild, channel, who, "What is sciatica?");
                (id, ("MESSAGE_CREATE", message))
            } else {
                checks += 1;
                let (id, command) = symptoms_command(&fake, guild, channel, who);
                (id, ("INTERACTION_CREATE", command))
            };
            send(payload.0, payload.1);
            events.insert(id, n);
            firsts.push((n, id));
        }
        for (n, id) in firsts {
            let replies = settled_replies_fast(&fake, mark, id).await;
            match replies.first() {
                None => lost += 1,
                Some(reply) if n % 2 == 1 => {
                    if is_check_step(&reply.body) {
                        check_state.insert(n, reply.body["data"]["components"].clone());
                    } else {
                        lost += 1;
                    }
                }
                Some(_) => {}
            }
        }
        // Two more steps of the checks started in the batch before (so that
        // the checks begun just before the deploy continue after it), and
        // of this batch's.
        for step in 0..2 {
            let mut clicks = Vec::new();
            let mark = fake.mark();
            let pending: Vec<u64> = check_state.keys().copied().collect();
            for n in pending {
                let Some((custom_id, values)) = check_state.get(&n).and_then(pick) else {
                    check_state.remove(&n);
                    continue;
                };
                let guild = guild_of_shard(n % SHARDS, n / SHARDS % 7);
                let channel = channel_in(guild, n % 3);
                let (id, answer) = click(&fake, guild, channel, 100_000 + n, &custom_id, values);
                send("INTERACTION_CREATE", answer);
                events.insert(id, n);
                clicks.push((n, id));
            }
            for (n, id) in clicks {
                let replies = settled_replies_fast(&fake, mark, id).await;
                match replies.first() {
                    Some(reply) if is_check_step(&reply.body) => {
                        check_state.insert(n, reply.body["data"]["components"].clone());
                    }
                    _ => {
                        lost += 1;
                        check_state.remove(&n);
                    }
                }
            }
            let _ = step;
        }
        // Checks three steps old are done.
        check_state.retain(|&n, _| n >= batch * BATCH);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let requests = fake.requests();
    let answered = replies_per_event(&requests, &events);
    let doubled = answered.values().filter(|&&count| count > 1).count();
    let unanswered = events.len() - answered.len();
    println!(
        "conversations {CONVERSATIONS} (questions {questions}, symptom checks {checks}), \
         events {}, lost {lost}, unanswered events {unanswered}, answered twice {doubled}, \
         {:.1} s",
        events.len(),
        started.elapsed().as_secs_f64()
    );
    a.stop().await;
    if let Some(b2) = b2 {
        b2.stop().await;
    }
    assert_eq!((lost, unanswered, doubled), (0, 0, 0));
}

/// Without Redis a shard range runs in one serenity client
/// (`start_shard_range`, whose end is inclusive): shards 1-2 of 4 identify
/// exactly shards 1 and 2, and the process, not running shard 0, registers
/// no commands. Needs no Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_a_range_runs_exactly_its_shards() {
    tokio::time::timeout(Duration::from_secs(40), async {
        let fake = FakeDiscord::start_sharded(SHARDS, 1).await;
        let mut config = config_for(&fake, "redis://unused", "1-2");
        config.state.redis_url = None;
        let bot = Bot::start(config);
        // serenity boots the second shard five seconds after the first.
        fake.wait_for_sessions(2).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(fake.identified_shards(), vec![(1, 4), (2, 4)]);
        let guild = guild_of_shard(2, 0);
        let (id, message) =
            mention_message(&fake, guild, channel_in(guild, 0), 5, "What is sciatica?");
        fake.dispatch("MESSAGE_CREATE", message);
        assert_eq!(settled_replies(&fake, id).await.len(), 1);
        assert!(
            !fake
                .requests()
                .iter()
                .any(|r| r.method == "PUT" && r.path.contains("/commands")),
            "only shard 0's process registers the commands"
        );
        bot.stop().await;
    })
    .await
    .expect("the test finishes within 40 s");
}
