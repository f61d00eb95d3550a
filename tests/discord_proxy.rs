//! Discord's rate limits are the bot's, not a process's: two bot processes
//! send their REST calls through one shared rate-limit proxy, the
//! discord.js one (`@discordjs/proxy` over `@discordjs/rest`, installed in
//! tests/proxy/ by `npm ci --prefix tests/proxy`; tests/proxy/server.mjs
//! starts it), set as both processes' `[discord] api_base_url`, in front
//! of a fake Discord that enforces per-route buckets with Discord's
//! `X-RateLimit-*` headers and answers 429 over a bucket's limit.
//!
//! The two "processes" are two `faqbot::discord::serve` in this test
//! process on one shard each (as in tests/discord_shards.rs), sharing
//! nothing but the proxy and the fake. Both answer a burst of questions
//! in the same channel (its guilds are on both shards), so all their
//! replies fall in one bucket, `POST /channels/{id}/messages` of that
//! channel, which allows `LIMIT` per `WINDOW`:
//!
//! - through one shared proxy, every reply arrives and the fake answers no
//!   429: the proxy queues what would go over;
//! - through one proxy per process (a limiter per process, which is what
//!   serenity's own is), the fake answers 429s: each process keeps to the
//!   bucket, together they do not;
//! - straight to the fake (faqbot's limiter is off whenever
//!   `api_base_url` is set), the fake answers 429s and replies are lost.
//!
//! Without `node` or without tests/proxy/node_modules the proxy tests say
//! so and pass, unless FAQBOT_REQUIRE_PROXY=1 (CI). The figures README
//! "Running at scale" quotes are printed with
//! `cargo test --release --locked --test discord_proxy -- --nocapture`.

#![cfg(feature = "discord")]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use faqbot::config::Config;
use serde_json::{Value, json};
use support::{BOT_ID, FakeDiscord, RateLimit, Recorded, user_json};

/// The bot's shard count: process A runs shard 0, process B shard 1.
const SHARDS: u64 = 2;

/// The fake's bucket: requests per window, as Discord's message bucket is
/// (five per channel), with a shorter window to keep the test short.
const LIMIT: u32 = 5;
const WINDOW: Duration = Duration::from_secs(1);

/// Questions each process answers at once in the shared channel: four
/// times the bucket together.
const QUESTIONS_PER_PROCESS: u64 = 10;

/// The channel both processes answer in.
const CHANNEL: u64 = 600_000_000_000_000_001;
/// The channel of the warm-up question, another bucket.
const WARM_UP_CHANNEL: u64 = 600_000_000_000_000_002;

/// A guild whose events go to `shard` (`(id >> 22) % 2`).
fn guild_of_shard(shard: u64) -> u64 {
    (1_000 * SHARDS + shard) << 22
}

// ---- the proxy ----

/// tests/proxy/ in the repository.
fn proxy_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("proxy")
}

/// Whether the proxy can run here; says why not, and fails instead when
/// FAQBOT_REQUIRE_PROXY=1.
fn proxy_available() -> bool {
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output();
    let missing = match node {
        Ok(output) if output.status.success() => {
            let installed = proxy_folder()
                .join("node_modules")
                .join("@discordjs")
                .join("proxy");
            (!installed.is_dir()).then(|| {
                format!(
                    "tests/proxy/node_modules is missing (run `npm ci --prefix tests/proxy`; \
                     node {} found)",
                    String::from_utf8_lossy(&output.stdout).trim()
                )
            })
        }
        _ => Some("`node` is not installed".to_owned()),
    };
    let Some(missing) = missing else {
        return true;
    };
    if std::env::var("FAQBOT_REQUIRE_PROXY").as_deref() == Ok("1") {
        panic!("FAQBOT_REQUIRE_PROXY=1 but {missing}");
    }
    eprintln!("skipped: {missing}");
    false
}

/// The discord.js proxy (tests/proxy/server.mjs) in front of `upstream`,
/// on a free loopback port. Stopped (its standard input closed) on drop.
struct Proxy {
    child: Child,
    stdin: Option<ChildStdin>,
    url: String,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        let mut child = Command::new("node")
            .arg(proxy_folder().join("server.mjs"))
            .arg("0")
            .arg(upstream)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start node tests/proxy/server.mjs");
        let stdin = child.stdin.take();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut from_stderr = child.stderr.take().expect("stderr");
        let into = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = from_stderr.read_to_string(&mut text);
            into.lock().expect("stderr").push_str(&text);
        });
        let stdout = child.stdout.take().expect("stdout");
        let (line_sender, line) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = line_sender.send(first);
            // Keep reading so that the proxy never blocks on a full pipe.
            std::io::copy(&mut reader, &mut std::io::sink()).ok();
        });
        let mut proxy = Proxy {
            child,
            stdin,
            url: String::new(),
            stderr,
            stderr_reader: Some(stderr_reader),
        };
        let first = line
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_default();
        let Some(url) = first
            .strip_prefix("listening on ")
            .and_then(|rest| rest.split_whitespace().next())
        else {
            proxy.close();
            panic!(
                "the proxy did not start: {first:?}, stderr: {}",
                proxy.stderr()
            );
        };
        proxy.url = url.to_owned();
        proxy
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    /// Closes its standard input and waits (5 s at most) for it to exit.
    fn close(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops it; how many times it waited out a bucket (its last line).
    fn stop(mut self) -> u64 {
        self.close();
        // The stderr reader ends with the process.
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let log = self.stderr();
        log.lines()
            .rev()
            .find_map(|line| {
                line.strip_prefix("proxy: stopping; waited out a rate limit ")?
                    .strip_suffix(" times")?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("the proxy's last words are missing: {log}"))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            self.close();
        }
    }
}

// ---- the bots ----

/// The settings of one process: its shard, where its REST calls go.
fn config_for(api_base_url: &str, shard: u64) -> Config {
    let mut config = Config {
        faq_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        ..Config::default()
    };
    config.safety.emergency_number = Some("999".to_owned());
    config.discord.api_base_url = api_base_url.to_owned();
    config.discord.shards = Some(format!("{shard}-{shard}"));
    config.discord.shard_count = Some(SHARDS as u32);
    config.admin.database = support::scratch_path("faqbot.sqlite3");
    config
}

/// One bot process.
type Bot = support::ServedBot;

/// A question mentioning the bot in `channel` of a guild of `shard`, by
/// `person`, sent; its id.
fn ask(fake: &FakeDiscord, shard: u64, channel: u64, person: u64, text: &str) -> u64 {
    let id = fake.next_id();
    let mut message = support::message_json(
        id,
        channel,
        Some(guild_of_shard(shard)),
        user_json(person, "person", false),
        &format!("<@{BOT_ID}> {text}"),
    );
    message["mentions"] = json!([user_json(BOT_ID, "faqbot", true)]);
    fake.dispatch("MESSAGE_CREATE", message);
    id
}

/// The message ids the posted replies answer, one entry per reply.
fn replied_to(requests: &[Recorded]) -> Vec<u64> {
    requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .filter_map(|r| {
            r.body["message_reference"]["message_id"]
                .as_str()?
                .parse()
                .ok()
        })
        .collect()
}

/// Waits until every one of `ids` got a reply, or nothing reached the fake
/// for three windows (a proxy's queue sends every window), or 30 s; then a
/// little longer for replies that should not come. The replies to `ids`.
async fn replies_to(fake: &FakeDiscord, ids: &[u64]) -> Vec<u64> {
    let mine = |fake: &FakeDiscord| -> Vec<u64> {
        replied_to(&fake.requests())
            .into_iter()
            .filter(|id| ids.contains(id))
            .collect()
    };
    let seen = |fake: &FakeDiscord| fake.mark() + fake.rate_limited().len();
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut last, mut changed) = (seen(fake), Instant::now());
    while mine(fake).len() < ids.len()
        && changed.elapsed() < WINDOW * 3
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if seen(fake) != last {
            (last, changed) = (seen(fake), Instant::now());
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    mine(fake)
}

/// Where each process sends its REST calls.
enum Route {
    /// Both through one proxy.
    SharedProxy,
    /// Each through its own proxy.
    ProxyPerProcess,
    /// Both straight to the fake.
    Direct,
}

/// What a burst did.
#[derive(Debug)]
struct Outcome {
    /// Questions asked in the burst.
    asked: usize,
    /// Replies that arrived (each question at most once).
    replied: usize,
    /// Every reply posted in the burst's channel, duplicates included.
    posted: usize,
    /// Requests the fake answered 429, over the whole run.
    too_many: usize,
    /// How many times the proxies waited out a bucket.
    proxy_waits: u64,
    /// From the burst to its last reply (or the wait's end).
    took: Duration,
}

/// Starts the fake (rate limited), the proxies `route` needs and two
/// processes, warms each process's route up with one question (a proxy
/// learns the message route's bucket from its first answer), then asks
/// `QUESTIONS_PER_PROCESS` questions through each process at once in
/// `CHANNEL`.
async fn burst(route: Route) -> Outcome {
    let fake = FakeDiscord::start_rate_limited(
        SHARDS,
        SHARDS,
        RateLimit {
            limit: LIMIT,
            window: WINDOW,
        },
    )
    .await;
    let proxies: Vec<Proxy> = match route {
        Route::SharedProxy => vec![Proxy::start(&fake.base_url())],
        Route::ProxyPerProcess => vec![
            Proxy::start(&fake.base_url()),
            Proxy::start(&fake.base_url()),
        ],
        Route::Direct => Vec::new(),
    };
    let base_for = |shard: usize| match proxies.len() {
        0 => fake.base_url(),
        n => proxies[shard % n].url.clone(),
    };
    let a = Bot::start(config_for(&base_for(0), 0));
    let b = Bot::start(config_for(&base_for(1), 1));
    fake.wait_for_sessions(2).await;
    fake.wait_for_request(0, "PUT", "/commands")
        .await
        .expect("shard 0's process registers the commands");

    // Warm-up: one question per process, in another channel.
    let warm_up: Vec<u64> = (0..SHARDS)
        .map(|shard| {
            ask(
                &fake,
                shard,
                WARM_UP_CHANNEL,
                10 + shard,
                "What is sciatica?",
            )
        })
        .collect();
    assert_eq!(replies_to(&fake, &warm_up).await.len(), warm_up.len());
    // The warm-up's bucket is another channel's; its window ends here.
    tokio::time::sleep(WINDOW).await;

    // The burst: questions from different people (no one reaches the
    // per-person limit), alternately through A and B.
    let questions = [
        "What is sciatica?",
        "how do I know if my ankle is sprained",
        "what is tennis elbow",
        "how long does a hamstring strain take to heal",
        "what causes shin splints",
    ];
    let started = Instant::now();
    let mut asked = Vec::new();
    for n in 0..QUESTIONS_PER_PROCESS {
        for shard in 0..SHARDS {
            let person = 1_000 + n * SHARDS + shard;
            let text = questions[(n as usize + shard as usize) % questions.len()];
            asked.push(ask(&fake, shard, CHANNEL, person, text));
        }
    }
    let replied = replies_to(&fake, &asked).await;
    let took = started.elapsed();
    let mut distinct = replied.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let posted = fake
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST" && r.path.ends_with(&format!("/channels/{CHANNEL}/messages"))
        })
        .count();

    a.stop().await;
    b.stop().await;
    let proxy_waits = proxies.into_iter().map(Proxy::stop).sum();
    Outcome {
        asked: asked.len(),
        replied: distinct.len(),
        posted,
        too_many: fake.rate_limited().len(),
        proxy_waits,
        took,
    }
}

fn report(name: &str, outcome: &Outcome) {
    println!(
        "{name}: {} questions in one channel ({LIMIT} per {WINDOW:?} bucket): {} replied, \
         {} posted, {} answered 429 by Discord, proxy waited {} times, {:.1} s",
        outcome.asked,
        outcome.replied,
        outcome.posted,
        outcome.too_many,
        outcome.proxy_waits,
        outcome.took.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_proxy_keeps_two_processes_within_one_bucket() {
    if !proxy_available() {
        return;
    }
    let outcome = tokio::time::timeout(Duration::from_secs(90), burst(Route::SharedProxy))
        .await
        .expect("the run ends within 90 s");
    report("one shared proxy", &outcome);
    assert_eq!(
        outcome.replied, outcome.asked,
        "every reply arrives: {outcome:?}"
    );
    assert_eq!(outcome.posted, outcome.asked, "each once: {outcome:?}");
    assert_eq!(
        outcome.too_many, 0,
        "no request over the bucket reached Discord: {outcome:?}"
    );
    assert!(
        outcome.proxy_waits > 0,
        "the burst was more than the bucket, so the proxy queued: {outcome:?}"
    );
    // Twenty replies at five a second cannot all go in the first window.
    let windows = outcome.asked as u32 / LIMIT;
    assert!(
        outcome.took >= WINDOW * (windows - 1),
        "the replies were spread over the bucket's windows: {outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_proxy_per_process_goes_over_the_bucket() {
    if !proxy_available() {
        return;
    }
    let outcome = tokio::time::timeout(Duration::from_secs(90), burst(Route::ProxyPerProcess))
        .await
        .expect("the run ends within 90 s");
    report("one proxy per process", &outcome);
    // Each proxy keeps to the bucket it sees; together they send twice
    // that, and Discord answers the rest 429. The proxies then wait and
    // send again (with the whole body: tests/proxy/server.mjs), so the
    // replies still arrive, at the price of 429s, which count towards
    // Discord's limit of invalid requests.
    assert!(outcome.too_many > 0, "{outcome:?}");
    assert_eq!(outcome.replied, outcome.asked, "{outcome:?}");
    assert_eq!(outcome.posted, outcome.asked, "{outcome:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_proxy_the_burst_goes_over_the_bucket_and_replies_are_lost() {
    let outcome = tokio::time::timeout(Duration::from_secs(90), burst(Route::Direct))
        .await
        .expect("the run ends within 90 s");
    report("no proxy", &outcome);
    // faqbot's own limiter is off with a custom api_base_url, and a 429
    // is not retried: the replies over the bucket are lost.
    assert!(outcome.too_many > 0, "{outcome:?}");
    assert!(outcome.replied < outcome.asked, "{outcome:?}");
    assert_eq!(
        outcome.replied + outcome.too_many,
        outcome.asked,
        "{outcome:?}"
    );
}

/// The fake's buckets as Discord documents them: the headers on every
/// answer, and a 429 with `retry_after` over the limit.
#[tokio::test]
async fn the_fake_discord_rate_limits_per_channel() {
    let fake = FakeDiscord::start_rate_limited(
        1,
        1,
        RateLimit {
            limit: 2,
            window: Duration::from_secs(5),
        },
    )
    .await;
    let post = |channel: u64| {
        let url = format!("{}/api/v10/channels/{channel}/messages", fake.base_url());
        async move { raw_post(&url).await }
    };
    let (status, first) = post(1).await;
    assert_eq!(status, 200);
    assert_eq!(first["x-ratelimit-limit"], "2");
    assert_eq!(first["x-ratelimit-remaining"], "1");
    let bucket = first["x-ratelimit-bucket"].clone();
    let reset_after: f64 = first["x-ratelimit-reset-after"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset_after > 4.0 && reset_after <= 5.0, "{first}");
    let reset: f64 = first["x-ratelimit-reset"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((reset - now - reset_after).abs() < 1.0, "{first}");
    let (status, second) = post(1).await;
    assert_eq!(
        (status, &second["x-ratelimit-remaining"]),
        (200, &json!("0"))
    );
    let (status, third) = post(1).await;
    assert_eq!(status, 429, "{third}");
    assert_eq!(third["retry-after"], "5");
    assert_eq!(third["x-ratelimit-scope"], "user");
    let retry_after = third["body"]["retry_after"].as_f64().unwrap();
    assert!(retry_after > 4.0 && retry_after <= 5.0, "{third}");
    assert_eq!(third["body"]["global"], false);
    // Another channel: another bucket of the same route (same bucket id).
    let (status, other) = post(2).await;
    assert_eq!(
        (status, &other["x-ratelimit-remaining"]),
        (200, &json!("1"))
    );
    assert_eq!(other["x-ratelimit-bucket"], bucket);
    assert_eq!(fake.rate_limited().len(), 1);
    assert_eq!(fake.requests().len(), 3);
}

/// A bare HTTP/1.1 POST of `{}`: the status and the response's headers
/// (lower-case names) with its JSON body as `body`.
async fn raw_post(url: &str) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http");
    let (host, path) = rest.split_at(rest.find('/').expect("path"));
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n\
         content-length: 2\r\nconnection: close\r\n\r\n{{}}"
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    // The fake keeps the connection open: read until the head and as much
    // body as its content-length says.
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    let text = loop {
        let n = stream.read(&mut buffer).await.expect("read");
        bytes.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let complete = text.split_once("\r\n\r\n").is_some_and(|(head, body)| {
            let length = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse().ok())
                .unwrap_or(0);
            body.len() >= length
        });
        if complete || n == 0 {
            break text;
        }
    };
    let (head, body) = text.split_once("\r\n\r\n").expect("a response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let mut fields = serde_json::Map::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            fields.insert(name.trim().to_ascii_lowercase(), json!(value.trim()));
        }
    }
    fields.insert(
        "body".to_owned(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    );
    (status, Value::Object(fields))
}
