//! Two real bot processes (the built `faqbot run`, started as OS processes)
//! on one bot's four shards, against the fake Discord of this test and a
//! `redis-server` of its own, with one of them restarted for real in the
//! middle of the symptom checks it serves.
//!
//! tests/discord_shards.rs runs two `faqbot::discord::serve` inside one test
//! process; this file runs what a deployment runs: `faqbot run --config FILE
//! --shards 0-1 --shard-count 4` (process A) and `--shards 2-3` (process B),
//! each with its own config file, admin database, logs and pid, sharing
//! only Redis and Discord. It checks that
//!
//! - each shard identifies once, and only A (which runs shard 0) registers
//!   the slash commands: B is started first and alone, and registers none;
//! - a few hundred scripted conversations (mention questions, and symptom
//!   checks begun with `/symptoms` and answered by clicks to their outcome)
//!   spread over both processes are each answered;
//! - B stopped by SIGTERM while it handles a round of events (every one of
//!   them claimed in Redis, some replies not yet sent) finishes them, exits
//!   with status 0 within 20 s, and no check is lost: a new B started with
//!   the same config takes every check in progress on B's shards on to its
//!   outcome (the checks live in Redis), while A kept answering meanwhile;
//! - no event is answered twice, and an answer's cooldown set by B holds in
//!   the new B (the same question in the same channel gets a pointer to the
//!   earlier answer, not a second answer).
//!
//! The processes' stdout and stderr go to files in a temporary folder,
//! printed when the test fails; the processes are killed (and waited for)
//! whatever happens, so none outlives the test.
//!
//! Without `redis-server` installed the test says so and passes, unless
//! FAQBOT_REQUIRE_REDIS=1 (CI), as in tests/state_redis.rs. Its counts are
//! printed with `--nocapture`; README "Running at scale" has the figures:
//!
//! `cargo test --release --locked --test discord_processes -- --nocapture`

#![cfg(all(feature = "redis", feature = "discord"))]

#[path = "support/conversations.rs"]
mod conversations;
#[path = "support/redis_server.rs"]
mod redis_server;
mod support;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use conversations::{
    SHARDS, channel_in, click, guild_of_shard, is_check_step, is_outcome, mention_message, pick,
    replies_per_event, replies_to, settled_replies, symptoms_command,
};
use faqbot::state::Redis;
use redis_server::Server;
use serde_json::{Value, json};
use support::FakeDiscord;

/// The Redis key prefix of both processes.
const KEY_PREFIX: &str = "faqbot-processes-test:";

/// Writes the config file of one process into `dir`: the repository's FAQ,
/// the fake Discord, the shared Redis, an admin database of its own.
fn write_config(dir: &Path, name: &str, fake: &FakeDiscord, redis: &str) -> PathBuf {
    let faq = Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
    let config = json!({
        "faq_dir": faq.to_str().expect("a UTF-8 path"),
        "safety": {"emergency_number": "999"},
        "discord": {
            "api_base_url": fake.base_url(),
            // Many people in the scripted run, each clicking through a
            // whole check: no one reaches the limit.
            "replies_per_person_per_minute": 60,
        },
        "state": {"redis_url": redis, "key_prefix": KEY_PREFIX},
        "admin": {
            "database": dir.join(format!("{name}.sqlite3")).to_str().expect("a UTF-8 path"),
        },
    });
    let path = dir.join(format!("{name}.toml"));
    let text = toml::to_string(&config).expect("the config as TOML");
    std::fs::write(&path, text).expect("write the config");
    path
}

/// One `faqbot run` process and where its output goes.
struct Process {
    name: String,
    child: Option<Child>,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// Every process the test started. Dropped, it kills (and waits for) those
/// still running; when the test is failing it also prints their output.
struct Fleet {
    dir: PathBuf,
    processes: Vec<Process>,
}

impl Fleet {
    fn new(dir: &Path) -> Fleet {
        Fleet {
            dir: dir.to_owned(),
            processes: Vec::new(),
        }
    }

    /// Starts `faqbot run --config CONFIG --shards SHARDS --shard-count 4`
    /// as process `name`; returns its index.
    fn spawn(&mut self, name: &str, config: &Path, shards: &str) -> usize {
        let stdout = self.dir.join(format!("{name}.stdout"));
        let stderr = self.dir.join(format!("{name}.stderr"));
        let child = Command::new(env!("CARGO_BIN_EXE_faqbot"))
            .arg("--config")
            .arg(config)
            .args(["run", "--shards", shards, "--shard-count"])
            .arg(SHARDS.to_string())
            .current_dir(&self.dir)
            .env("DISCORD_TOKEN", "fake.token.for-tests")
            .env("RUST_LOG", faqbot::discord::DEFAULT_LOG_FILTER)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).expect("a log file"))
            .stderr(std::fs::File::create(&stderr).expect("a log file"))
            .spawn()
            .expect("start faqbot run");
        self.processes.push(Process {
            name: name.to_owned(),
            child: Some(child),
            stdout,
            stderr,
        });
        self.processes.len() - 1
    }

    /// Sends SIGTERM to process `index` and waits (up to 20 s) for it to
    /// exit: its exit status and how long it took; `None` if it did not
    /// exit in time (it is then killed on drop).
    async fn terminate(&mut self, index: usize) -> Option<(ExitStatus, Duration)> {
        let process = &mut self.processes[index];
        let child = process.child.as_mut().expect("a running process");
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {}", process.name);
        while sent.elapsed() < Duration::from_secs(20) {
            if let Some(status) = child.try_wait().expect("wait for the process") {
                process.child = None;
                return Some((status, sent.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// What process `index` wrote to stderr (its log).
    fn log(&self, index: usize) -> String {
        std::fs::read_to_string(&self.processes[index].stderr).unwrap_or_default()
    }

    /// Whether process `index` is still running.
    fn running(&mut self, index: usize) -> bool {
        self.processes[index]
            .child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for process in &mut self.processes {
            if let Some(mut child) = process.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if std::thread::panicking() {
            for process in &self.processes {
                for path in [&process.stdout, &process.stderr] {
                    let text = std::fs::read_to_string(path).unwrap_or_default();
                    let tail: Vec<&str> = text.lines().rev().take(80).collect();
                    eprintln!("---- {} (last {} lines)", path.display(), tail.len());
                    for line in tail.into_iter().rev() {
                        eprintln!("{line}");
                    }
                }
            }
        }
    }
}

/// How many of `events` the bot processes have claimed in Redis (each
/// message and interaction is claimed by its id before it is handled), read
/// with the bot's own key names.
fn claimed(redis: &Redis, events: &[u64]) -> usize {
    redis
        .run("test: claimed events", |connection, keys| {
            let mut exists = redis::cmd("EXISTS");
            for id in events {
                exists.arg(keys.key("event", &[&id.to_string()]));
            }
            exists.query::<usize>(connection)
        })
        .expect("the test's Redis answers")
}

/// The questions of the scripted conversations (each answered by an entry).
const QUESTIONS: [&str; 3] = [
    "What is sciatica?",
    "what is peripheral arterial disease",
    "What is spinal stenosis?",
];

/// Where conversation `n` happens: person 100_000 + n in one of three
/// channels of one of seven guilds of shard `n % 4`.
fn place_of(n: u64) -> (u64, u64, u64, u64) {
    let shard = n % SHARDS;
    let guild = guild_of_shard(shard, n / SHARDS % 7);
    (shard, guild, channel_in(guild, n % 3), 100_000 + n)
}

/// One event sent in a round.
struct Sent {
    n: u64,
    id: u64,
}

/// The scripted conversations: conversation `n` asks a question when `n`
/// is even, and runs a symptom check to its outcome when odd (`/symptoms`,
/// then one answer a round).
struct Script {
    /// Conversations not yet begun.
    waiting: VecDeque<u64>,
    /// The checks in progress: the components of their latest message.
    checks: HashMap<u64, Value>,
    /// Every event sent (mentions and interactions, all claimed by the
    /// bot), with its conversation (`u64::MAX` for the test's own).
    events: HashMap<u64, u64>,
    questions: u64,
    checks_begun: u64,
    completed: u64,
    /// Conversations lost: a missing reply, an expired or wrong check step.
    lost: Vec<String>,
}

impl Script {
    fn new(conversations: u64) -> Script {
        Script {
            waiting: (0..conversations).collect(),
            checks: HashMap::new(),
            events: HashMap::new(),
            questions: 0,
            checks_begun: 0,
            completed: 0,
            lost: Vec::new(),
        }
    }

    fn done(&self) -> bool {
        self.waiting.is_empty() && self.checks.is_empty()
    }

    /// Sends one round: the next answer of every check in progress, then
    /// up to `begin` new conversations, only on shards for which `up`
    /// holds (the others wait, as a person would for a bot that is down).
    fn send_round(
        &mut self,
        fake: &FakeDiscord,
        begin: u64,
        up: impl Fn(u64) -> bool,
    ) -> Vec<Sent> {
        let mut sent = Vec::new();
        let mut in_progress: Vec<u64> = self.checks.keys().copied().collect();
        in_progress.sort_unstable();
        for n in in_progress {
            let (shard, guild, channel, who) = place_of(n);
            if !up(shard) {
                continue;
            }
            let (custom_id, values) = pick(&self.checks[&n]).expect("a check in progress asks");
            let (id, answer) = click(fake, guild, channel, who, &custom_id, values);
            fake.dispatch("INTERACTION_CREATE", answer);
            self.events.insert(id, n);
            sent.push(Sent { n, id });
        }
        let mut later = Vec::new();
        let mut begun = 0;
        while begun < begin {
            let Some(n) = self.waiting.pop_front() else {
                break;
            };
            let (shard, guild, channel, who) = place_of(n);
            if !up(shard) {
                later.push(n);
                continue;
            }
            let (id, event, payload) = if n % 2 == 0 {
                self.questions += 1;
                let question = QUESTIONS[(n / 2 % 3) as usize];
                let (id, message) = mention_message(fake, guild, channel, who, question);
                (id, "MESSAGE_CREATE", message)
            } else {
                self.checks_begun += 1;
                let (id, command) = symptoms_command(fake, guild, channel, who);
                (id, "INTERACTION_CREATE", command)
            };
            fake.dispatch(event, payload);
            self.events.insert(id, n);
            sent.push(Sent { n, id });
            begun += 1;
        }
        for n in later.into_iter().rev() {
            self.waiting.push_front(n);
        }
        sent
    }

    /// Waits (up to 10 s) for the replies to the events of a round (among
    /// the requests from `mark` on) and takes each check a step on.
    async fn collect(&mut self, fake: &FakeDiscord, mark: usize, sent: Vec<Sent>) {
        let round: HashMap<u64, ()> = sent.iter().map(|s| (s.id, ())).collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        let requests = loop {
            let requests = fake.requests_from(mark);
            if replies_per_event(&requests, &round).len() == round.len()
                || Instant::now() >= deadline
            {
                break requests;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        for Sent { n, id } in sent {
            let replies = replies_to(&requests, id);
            let Some(reply) = replies.first() else {
                self.lost
                    .push(format!("conversation {n}: no reply to event {id}"));
                self.checks.remove(&n);
                continue;
            };
            if n % 2 == 0 {
                continue;
            }
            let body = &reply.body;
            let components = &body["data"]["components"];
            if !is_check_step(body) {
                self.lost
                    .push(format!("conversation {n}: event {id} got {body}"));
                self.checks.remove(&n);
            } else if is_outcome(components) {
                self.completed += 1;
                self.checks.remove(&n);
            } else {
                self.checks.insert(n, components.clone());
            }
        }
    }

    /// Sends a round and collects its replies.
    async fn round(&mut self, fake: &FakeDiscord, begin: u64, up: impl Fn(u64) -> bool) {
        let mark = fake.mark();
        let sent = self.send_round(fake, begin, up);
        self.collect(fake, mark, sent).await;
    }
}

/// How many times the slash commands were registered.
fn registrations(fake: &FakeDiscord) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.contains("/commands"))
        .count()
}

/// The target with real processes: 1,000 conversations by 1,000
/// people (500 questions, 500 symptom checks run to their outcome) over two
/// processes and four shards, 100 begun a round, process B stopped by
/// SIGTERM in the middle of the fifth round and started again. Counts
/// conversations lost and events answered twice; both must be zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_four_shards_one_restarted_mid_check() {
    let Some(server) = Server::start() else {
        return;
    };
    const CONVERSATIONS: u64 = 1_000;
    const BEGIN_PER_ROUND: u64 = 100;
    /// The round in whose middle B is stopped.
    const RESTART_ROUND: usize = 4;
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary folder");
    // Outside the timeout, so that its drop sees a failure as a panic.
    let mut processes = Fleet::new(dir.path());
    let fleet = &mut processes;
    let redis = Redis::connect(&server.url(), KEY_PREFIX).expect("the test's Redis answers");
    tokio::time::timeout(Duration::from_secs(90), async {
        let fake = FakeDiscord::start_sharded(SHARDS, SHARDS).await;
        let config_a = write_config(dir.path(), "a", &fake, &server.url());
        let config_b = write_config(dir.path(), "b", &fake, &server.url());

        // B alone first: it runs shards 2 and 3 and registers no commands.
        let b = fleet.spawn("b", &config_b, "2-3");
        fake.wait_for_sessions(2).await;
        let mut identified = fake.identified_shards();
        identified.sort_unstable();
        assert_eq!(identified, vec![(2, 4), (3, 4)]);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(registrations(&fake), 0, "B does not run shard 0");
        // Then A, whose shard 0 registers them, once.
        let a = fleet.spawn("a", &config_a, "0-1");
        fake.wait_for_sessions(4).await;
        let mut identified = fake.identified_shards();
        identified.sort_unstable();
        assert_eq!(identified, vec![(0, 4), (1, 4), (2, 4), (3, 4)]);
        fake.wait_for_request(0, "PUT", "/commands")
            .await
            .expect("A, which runs shard 0, registers the commands");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(registrations(&fake), 1);
        let ready_at = started.elapsed();

        let mut script = Script::new(CONVERSATIONS);

        // B answers a question in a channel of shard 3: the cooldown's
        // start.
        let cooldown_guild = guild_of_shard(3, 100);
        let cooldown_channel = channel_in(cooldown_guild, 0);
        let (id, message) = mention_message(
            &fake,
            cooldown_guild,
            cooldown_channel,
            20,
            "What is sciatica?",
        );
        fake.dispatch("MESSAGE_CREATE", message);
        script.events.insert(id, u64::MAX);
        let answered = settled_replies(&fake, id).await;
        assert_eq!(answered.len(), 1, "{answered:?}");
        assert!(
            !answered[0].body.to_string().contains("a moment ago"),
            "the first answer is whole: {}",
            answered[0].body
        );

        let all = |_: u64| true;
        for _ in 0..RESTART_ROUND {
            script.round(&fake, BEGIN_PER_ROUND, all).await;
        }
        let in_progress_on_b = script
            .checks
            .keys()
            .filter(|&&n| place_of(n).0 >= 2)
            .count();

        // The restart round: its events sent to both processes; as soon as
        // B has claimed each of its own in Redis (it is handling them, some
        // replies not sent yet), SIGTERM to B.
        let mark = fake.mark();
        let sent = script.send_round(&fake, BEGIN_PER_ROUND, all);
        let on_b: Vec<u64> = sent
            .iter()
            .filter(|s| place_of(s.n).0 >= 2)
            .map(|s| s.id)
            .collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while claimed(&redis, &on_b) < on_b.len() {
            assert!(
                Instant::now() < deadline,
                "B claimed {} of its {} events",
                claimed(&redis, &on_b),
                on_b.len()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let requests = fake.requests_from(mark);
        let unanswered_on_b = on_b
            .iter()
            .filter(|&&id| replies_to(&requests, id).is_empty())
            .count();
        let (status, took) = fleet
            .terminate(b)
            .await
            .expect("B exits within 20 s of SIGTERM");
        assert!(status.success(), "B's exit after SIGTERM: {status}");
        let closed = Instant::now() + Duration::from_secs(2);
        while fake.open_sessions(2) + fake.open_sessions(3) > 0 && Instant::now() < closed {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(fake.open_sessions(2) + fake.open_sessions(3), 0);
        // What B had claimed it answered before exiting.
        script.collect(&fake, mark, sent).await;
        let log = fleet.log(b);
        assert!(
            log.contains("shutting down")
                && log.contains("faqbot stopped")
                && !log.contains("replies still being sent"),
            "B's log: {log}"
        );
        assert!(
            script.lost.is_empty(),
            "lost at B's stop: {:?}",
            script.lost
        );

        // A new B with the same config; A answers meanwhile (B's
        // conversations wait).
        let b2 = fleet.spawn("b2", &config_b, "2-3");
        script
            .round(&fake, BEGIN_PER_ROUND, |shard| shard < 2)
            .await;
        fake.wait_for_sessions(6).await;
        let restarted_at = started.elapsed();
        let mut identified = fake.identified_shards();
        identified.sort_unstable();
        assert_eq!(
            identified,
            vec![(0, 4), (1, 4), (2, 4), (2, 4), (3, 4), (3, 4)]
        );

        // The cooldown B set holds in the new B: the same question in the
        // same channel gets a pointer to B's answer.
        let (id, message) = mention_message(
            &fake,
            cooldown_guild,
            cooldown_channel,
            21,
            "what is sciatica",
        );
        fake.dispatch("MESSAGE_CREATE", message);
        script.events.insert(id, u64::MAX);
        let pointer = settled_replies(&fake, id).await;
        assert_eq!(pointer.len(), 1, "{pointer:?}");
        let text = pointer[0].body.to_string();
        assert!(
            text.contains("a moment ago")
                && text.contains(&format!("/channels/{cooldown_guild}/{cooldown_channel}/")),
            "{text}"
        );

        // Every conversation on to its end.
        let mut rounds = RESTART_ROUND + 2;
        while !script.done() {
            script.round(&fake, BEGIN_PER_ROUND, all).await;
            rounds += 1;
            assert!(rounds < 80, "the checks do not end");
        }
        assert_eq!(registrations(&fake), 1, "the new B registers nothing");
        assert!(fleet.running(a) && fleet.running(b2));

        // Late second replies would come now.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let answered = replies_per_event(&fake.requests(), &script.events);
        let doubled = answered.values().filter(|&&count| count > 1).count();
        let unanswered = script.events.len() - answered.len();
        println!(
            "processes 2 (A: shards 0-1, B: 2-3 of 4), conversations {CONVERSATIONS} \
             (questions {}, symptom checks {}: completed {}), rounds {rounds}, events {}, \
             lost {}, unanswered events {unanswered}, answered twice {doubled}; \
             B stopped by SIGTERM with {in_progress_on_b} checks in progress on its shards \
             and {unanswered_on_b} of its {} events of that round not yet answered, exit 0 \
             in {:.2} s; both ready {:.1} s, new B ready {:.1} s, total {:.1} s",
            script.questions,
            script.checks_begun,
            script.completed,
            script.events.len(),
            script.lost.len(),
            on_b.len(),
            took.as_secs_f64(),
            ready_at.as_secs_f64(),
            restarted_at.as_secs_f64(),
            started.elapsed().as_secs_f64(),
        );
        assert!(script.lost.is_empty(), "lost: {:?}", script.lost);
        assert_eq!((unanswered, doubled), (0, 0));
        assert_eq!(script.completed, script.checks_begun);
        assert!(in_progress_on_b > 0, "B stopped mid-check");

        // Both stop cleanly.
        for (index, name) in [(a, "A"), (b2, "the new B")] {
            let (status, _) = fleet
                .terminate(index)
                .await
                .unwrap_or_else(|| panic!("{name} exits within 20 s of SIGTERM"));
            assert!(status.success(), "{name}'s exit after SIGTERM: {status}");
        }
    })
    .await
    .expect("the test finishes within 90 s");
}
