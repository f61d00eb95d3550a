//! The shared state in a real Redis: each test starts its own `redis-server`
//! on a free loopback port (no disk, killed when the test ends), so the
//! tests run in parallel and leave nothing behind.
//!
//! Without `redis-server` installed the tests say so and pass, so that
//! `cargo test` needs nothing but Rust; with `FAQBOT_REQUIRE_REDIS=1` (CI) a
//! missing server is a failure.

#![cfg(all(feature = "redis", feature = "discord"))]

#[path = "support/redis_server.rs"]
mod redis_server;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use faqbot::config::Config;
use faqbot::discord::ReplyStore;
use faqbot::engine::{ConversationKey, EXPIRED_CHECK, Engine, Input, Knowledge};
use faqbot::safety::{Reply, ReplyKind};
use faqbot::sessions::SessionStore;
use faqbot::state::{RedisReplies, RedisSessions};
use redis_server::{Server, free_port};

fn config() -> Config {
    Config {
        faq_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        ..Config::default()
    }
}

/// An engine (one bot process) keeping its sessions in `sessions`.
fn engine(sessions: Box<dyn SessionStore>) -> Engine {
    let config = config();
    let knowledge = Knowledge::load(&config.faq_dir, &config).expect("faq/ loads");
    Engine::with_sessions(knowledge, &config, sessions)
}

fn redis_engine(server: &Server, timeout: Duration) -> Engine {
    engine(Box::new(RedisSessions::new(server.redis(), timeout)))
}

fn person() -> ConversationKey {
    ConversationKey::new("123456789012345678", "876543210987654321")
}

fn answer(engine: &Engine, text: &str) -> Vec<Reply> {
    engine.handle(
        &person(),
        Input::SymptomReply {
            text: text.to_owned(),
        },
        SystemTime::now(),
    )
}

fn question_id(replies: &[Reply]) -> Option<String> {
    match replies.last().map(Reply::kind) {
        Some(ReplyKind::SymptomQuestion { question_id, .. }) => Some(question_id.clone()),
        _ => None,
    }
}

fn is_expired(replies: &[Reply]) -> bool {
    replies.len() == 1 && replies[0].body() == EXPIRED_CHECK
}

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn a_check_started_in_one_process_continues_in_another() {
    let Some(server) = Server::start() else {
        return;
    };
    let first = redis_engine(&server, HOUR);
    let started = first.handle(&person(), Input::StartSymptoms, SystemTime::now());
    assert_eq!(question_id(&started).as_deref(), Some("emergency_now"));
    drop(first); // the process restarts

    // A process with its own memory does not know the check...
    let alone = engine(Box::new(faqbot::sessions::MemorySessions::default()));
    assert!(is_expired(&answer(&alone, "7")));
    // ...one on the same Redis continues it: "7" (none of these) moves on.
    let second = redis_engine(&server, HOUR);
    let next = answer(&second, "7");
    assert!(!is_expired(&next), "{next:?}");
    let next_id = question_id(&next).expect("the next question");
    assert_ne!(next_id, "emergency_now");
    // And a third sees the step the second stored.
    let third = redis_engine(&server, HOUR);
    let back = third.handle(&person(), Input::SymptomBack, SystemTime::now());
    assert_eq!(question_id(&back).as_deref(), Some("emergency_now"));
}

#[test]
fn redis_expires_a_check_after_its_timeout() {
    let Some(server) = Server::start() else {
        return;
    };
    let timeout = Duration::from_millis(700);
    let sessions = RedisSessions::new(server.redis(), timeout);
    let first = redis_engine(&server, timeout);
    first.handle(&person(), Input::StartSymptoms, SystemTime::now());
    assert!(sessions.get(&person()).is_some(), "stored");
    thread::sleep(Duration::from_millis(1200));
    assert!(sessions.get(&person()).is_none(), "expired by Redis");
    assert_eq!(sessions.purge_expired(SystemTime::now(), timeout), 0);
    let second = redis_engine(&server, timeout);
    assert!(is_expired(&answer(&second, "7")));
}

#[test]
fn keys_hold_no_ids_and_carry_the_prefix() {
    let Some(server) = Server::start() else {
        return;
    };
    let sessions = RedisSessions::new(server.redis(), HOUR);
    let first = engine(Box::new(sessions));
    first.handle(&person(), Input::StartSymptoms, SystemTime::now());
    let replies = RedisReplies::new(server.redis());
    assert!(replies.allow_reply(&person().person, SystemTime::now(), 5));
    replies.record_answer(
        &person().place,
        "sciatica",
        "https://l/1",
        SystemTime::now(),
        HOUR,
    );
    let client = redis::Client::open(server.url()).expect("url");
    let mut connection = client.get_connection().expect("connects");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query(&mut connection)
        .expect("KEYS");
    assert!(keys.len() >= 4, "{keys:?}");
    for key in &keys {
        assert!(key.starts_with("faqbot-test:"), "{key}");
        assert!(
            !key.contains(&person().person) && !key.contains(&person().place),
            "{key}"
        );
    }
    for key in keys.iter().filter(|key| !key.ends_with("hash-key")) {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query(&mut connection)
            .expect("PTTL");
        assert!(ttl > 0, "{key} has no TTL ({ttl})");
    }
}

#[test]
fn a_cooldown_holds_across_processes_and_ends() {
    let Some(server) = Server::start() else {
        return;
    };
    let (one, two) = (
        RedisReplies::new(server.redis()),
        RedisReplies::new(server.redis()),
    );
    let cooldown = Duration::from_millis(800);
    let now = SystemTime::now();
    assert_eq!(one.claim_answer("c", "e", "https://c", now, cooldown), None);
    let earlier = two.claim_answer("c", "e", "https://other", now, cooldown);
    assert_eq!(earlier.map(|e| e.link).as_deref(), Some("https://c"));
    one.record_answer("c", "e", "https://c/42", now, cooldown);
    let earlier = two.recent_answer("c", "e", SystemTime::now(), cooldown);
    assert_eq!(earlier.map(|e| e.link).as_deref(), Some("https://c/42"));
    assert_eq!(
        two.recent_answer("c2", "e", SystemTime::now(), cooldown),
        None
    );
    thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        two.recent_answer("c", "e", SystemTime::now(), cooldown),
        None
    );
    assert_eq!(
        two.claim_answer("c", "e", "https://c", SystemTime::now(), cooldown),
        None
    );
}

#[test]
fn the_rate_limit_is_counted_across_processes() {
    let Some(server) = Server::start() else {
        return;
    };
    let (one, two) = (
        RedisReplies::new(server.redis()),
        RedisReplies::new(server.redis()),
    );
    let now = SystemTime::now();
    assert!(one.allow_reply("p", now, 3));
    assert!(two.allow_reply("p", now, 3));
    assert!(one.allow_reply("p", now, 3));
    assert!(!two.allow_reply("p", now, 3), "the fourth in a minute");
    assert!(!one.allow_reply("p", now, 3));
    assert!(two.allow_reply("q", now, 3), "per person");
    let later = now + Duration::from_secs(60);
    assert!(two.allow_reply("p", later, 3), "the window slid past them");
}

/// `callers` threads, each with its own connection (a process of its own),
/// call `race` at once; returns how many got `true`.
fn race(server: &Server, callers: usize, race: fn(&RedisReplies) -> bool) -> usize {
    let barrier = Arc::new(Barrier::new(callers));
    let handles: Vec<_> = (0..callers)
        .map(|_| {
            let store = RedisReplies::new(server.redis());
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                race(&store)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().expect("no panic"))
        .filter(|won| *won)
        .count()
}

#[test]
fn of_callers_racing_for_a_cooldown_exactly_one_answers() {
    let Some(server) = Server::start() else {
        return;
    };
    for round in 0..5 {
        let won = race(&server, 8, |store| {
            store
                .claim_answer("c", "e", "https://c", SystemTime::now(), HOUR)
                .is_none()
        });
        assert_eq!(won, usize::from(round == 0), "round {round}");
    }
}

#[test]
fn of_callers_racing_for_the_last_replies_exactly_the_limit_get_one() {
    let Some(server) = Server::start() else {
        return;
    };
    let won = race(&server, 10, |store| {
        store.allow_reply("p", SystemTime::now(), 3)
    });
    assert_eq!(won, 3);
}

#[test]
fn redis_gone_mid_run_is_survived_as_documented_and_recovered_from() {
    let Some(mut server) = Server::start() else {
        return;
    };
    let bot = redis_engine(&server, HOUR);
    let replies = RedisReplies::new(server.redis());
    bot.handle(&person(), Input::StartSymptoms, SystemTime::now());
    assert!(replies.allow_reply("p", SystemTime::now(), 1));
    assert!(!replies.allow_reply("p", SystemTime::now(), 1));
    replies.claim_answer("c", "e", "https://c", SystemTime::now(), HOUR);
    server.kill();

    let started = Instant::now();
    // The check cannot be read: the polite "expired" message.
    assert!(is_expired(&answer(&bot, "7")));
    // A limit that cannot be counted allows the reply; a cooldown that
    // cannot be read lets the answer be sent.
    assert!(replies.allow_reply("p", SystemTime::now(), 1));
    assert_eq!(
        replies.claim_answer("c", "e", "https://c", SystemTime::now(), HOUR),
        None
    );
    // A plain message is answered from the FAQ as without a check.
    let message = bot.handle(
        &person(),
        Input::Message {
            text: "what is claudication".to_owned(),
            addressed: true,
        },
        SystemTime::now(),
    );
    assert!(!message.is_empty() && !is_expired(&message), "{message:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Redis back (empty, on the same port): the stores connect again.
    let port = server.port;
    let _back = Server::on(port).expect("redis-server starts again");
    thread::sleep(Duration::from_millis(1100));
    bot.handle(&person(), Input::StartSymptoms, SystemTime::now());
    assert!(!is_expired(&answer(&bot, "7")), "sessions work again");
    assert!(replies.allow_reply("p", SystemTime::now(), 1));
    assert!(
        !replies.allow_reply("p", SystemTime::now(), 1),
        "counted again"
    );
}

#[test]
fn the_bot_refuses_to_start_when_redis_does_not_answer() {
    let port = free_port();
    let mut config = config();
    config.state.redis_url = Some(format!("redis://:hunter2@127.0.0.1:{port}/"));
    let error = faqbot::state::session_store(&config).expect_err("nothing listens there");
    let text = error.to_string();
    assert!(text.contains("[state] redis_url"), "{text}");
    assert!(
        text.contains(&format!("redis://:***@127.0.0.1:{port}/")),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}
