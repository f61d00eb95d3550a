//! The Discord front end (`faqbot run`, cargo feature `discord`): a serenity
//! 0.12 gateway client that answers mentions, DMs and messages in the
//! answer channels, and offers `/faq`, `/symptoms` and `/about`, and
//! `/faq-admin` for moderators.
//!
//! It only translates between Discord and the [`Engine`]: events become
//! [`crate::engine::Input`]s, the engine's replies become embeds and
//! buttons. Every outgoing message carries allowed mentions = none (also set
//! as the HTTP client's default), message text is logged only at debug, and
//! every interaction is answered within Discord's three seconds.
//!
//! Files: `token.rs` (the secret), `commands.rs` (slash command definitions
//! and registration), `handler.rs` (events), `render.rs` (replies to
//! embeds and components), `custom_id.rs` (versioned button ids),
//! `store.rs` (cooldowns and rate limits behind a trait), `admin.rs`
//! (`/faq-admin`, the FAQ folder watcher, the history and gaps stores, the
//! moderator log channel).

pub mod admin;
pub mod commands;
pub mod custom_id;
pub mod handler;
pub mod render;
pub mod store;
pub mod token;

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use serenity::all::{
    Client, ClientBuilder, GatewayError, GatewayIntents, HttpBuilder, ShardManager,
};
use thiserror::Error;
use tokio::task::JoinHandle;

use crate::admin::Gaps;
use crate::config::{Config, DISCORD_API, DiscordSettings, ShardRange};
use crate::engine::Engine;
use crate::sessions::SessionStore;
pub use admin::Admin;
pub use handler::{Handler, HandlerSettings, InFlight};
pub use store::{InMemoryStore, ReplyStore};
pub use token::{Token, TokenError};

/// The log filter `faqbot run` should use when `RUST_LOG` is not set: the
/// bot's own events at info, everything else (serenity's gateway chatter,
/// rustls, hyper, tungstenite) only from warnings up.
pub const DEFAULT_LOG_FILTER: &str = "warn,faqbot=info";

/// How long shutdown waits for replies still being sent.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long the gateway has to close after a shutdown signal; past it the
/// bot stops anyway (a gateway that refuses connections keeps serenity
/// reconnecting, and its shards never report closed).
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(5);
/// How often forgotten symptom checks are purged.
const PURGE_EVERY: Duration = Duration::from_secs(300);
/// Discord's spacing of identifies in one bucket, for the whole bot.
#[cfg(feature = "redis")]
const IDENTIFY_SPACING: Duration = Duration::from_secs(5);
/// How long a shard may take from being started to READY while it holds
/// its bucket's identify turn; past it the turn ends on its own.
#[cfg(feature = "redis")]
const CONNECT_ALLOWANCE: Duration = Duration::from_secs(10);
/// How often a process waiting for an identify turn asks again.
#[cfg(feature = "redis")]
const TURN_POLL: Duration = Duration::from_millis(200);

/// Why the bot stopped or could not start. Each message says what to do.
#[derive(Debug, Error)]
pub enum BotError {
    /// No token, or an unreadable one.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Discord closed the gateway with 4004: the token is wrong.
    #[error(
        "Discord rejected the bot token (gateway close code 4004, authentication failed). It \
         is wrong or was reset: copy a fresh one from the Developer Portal (your application > \
         Bot > Reset Token) into {var}",
        var = token::TOKEN_VARIABLE
    )]
    TokenRejected,
    /// Discord closed the gateway with 4014: a privileged intent is not
    /// enabled for this application.
    #[error("Discord refused the gateway intents (close code 4014, disallowed intents). {advice}")]
    IntentsDisallowed {
        /// What to turn on.
        advice: String,
    },
    /// The gateway address could not be had from a custom `api_base_url`.
    #[error(
        "could not get the gateway address from {base}/api/v10/gateway; check \
         discord.api_base_url"
    )]
    NoGateway {
        /// The configured base.
        base: String,
    },
    /// `[state] redis_url` is set and Redis did not answer.
    #[cfg(feature = "redis")]
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// `[discord] shards` and `shard_count` do not fit together.
    #[error("{0}")]
    Shards(String),
    /// Anything else serenity reported.
    #[error("Discord connection failed: {0}")]
    Discord(#[from] serenity::Error),
}

/// The gateway intents for these settings: guild and direct messages
/// always (mentions and DMs carry their content without a privileged
/// intent); MESSAGE_CONTENT only when answer channels are configured.
pub fn intents(settings: &DiscordSettings) -> GatewayIntents {
    let mut intents =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
    if !settings.answer_channels.is_empty() {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// What to turn on for a 4014 close, for these settings.
fn intents_advice(settings: &DiscordSettings) -> String {
    if settings.answer_channels.is_empty() {
        "faqbot asks only for non-privileged intents (Guilds, Guild Messages, Direct Messages); \
         check that the application is not restricted in the Developer Portal."
            .to_owned()
    } else {
        "faqbot asks for the privileged MESSAGE CONTENT intent because [discord] \
         answer_channels is set: turn on Developer Portal > your application > Bot > Privileged \
         Gateway Intents > Message Content Intent, save, and start the bot again. Or empty \
         answer_channels to answer only mentions, DMs and slash commands."
            .to_owned()
    }
}

/// Whether `api_base_url` is Discord's own.
fn is_discord(base: &str) -> bool {
    base.trim_end_matches('/') == DISCORD_API
}

/// How this process starts its shards.
enum Launch {
    /// One shard, 0 of 1 (serenity's `Client::start`), coordinated with
    /// nobody: the default of a bot that runs as one process.
    Single,
    /// A range of shards in one serenity client (`start_shard_range`),
    /// which boots them five seconds apart; with no Redis there is nothing
    /// to take turns through, so other processes are not waited for.
    Range(ShardRange),
    /// Each shard in its own serenity client, started only once this
    /// process holds its identify bucket's turn in Redis
    /// ([`crate::state::IdentifyLeases`]).
    #[cfg(feature = "redis")]
    Turns(ShardRange, Arc<crate::state::IdentifyLeases>),
}

impl Launch {
    /// The shard ids this launch runs, and the bot's total.
    fn shards(&self) -> (std::ops::RangeInclusive<u32>, u32) {
        match self {
            Launch::Single => (0..=0, 1),
            Launch::Range(range) => (range.first..=range.last, range.count),
            #[cfg(feature = "redis")]
            Launch::Turns(range, _) => (range.first..=range.last, range.count),
        }
    }
}

/// How `config` says to start the shards: with `[state] redis_url`, each
/// shard in turn through Redis (one shard, 0 of 1, when no range is set);
/// else a range in one client, or the single shard.
async fn launch(config: &Config) -> Result<Launch, BotError> {
    let range = config.discord.shard_range().map_err(BotError::Shards)?;
    #[cfg(feature = "redis")]
    if let Some(redis) = connect_redis(config).await? {
        let range = range.unwrap_or(ShardRange {
            first: 0,
            last: 0,
            count: 1,
        });
        return Ok(Launch::Turns(
            range,
            Arc::new(crate::state::IdentifyLeases::new(redis)),
        ));
    }
    Ok(range.map_or(Launch::Single, Launch::Range))
}

/// Connects to Discord and serves until `shutdown` resolves or Discord
/// refuses the connection. Returns once in-flight replies are sent (or
/// after a grace period).
///
/// With `[discord] shards` / `shard_count`, only that range of the bot's
/// shards is run, and only the process running shard 0 registers the slash
/// commands. With `[state] redis_url`, shards identify in turns shared by
/// every process through Redis (see [`start_in_turns`]).
pub async fn serve<F>(
    config: &Config,
    engine: Arc<Engine>,
    token: Token,
    shutdown: F,
) -> Result<(), BotError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let settings = &config.discord;
    let intents = intents(settings);
    log_intent_choice(settings);
    let launch = launch(config).await?;
    let (shard_ids, shard_count) = launch.shards();
    let handler_settings = HandlerSettings::from_config(settings);
    if !handler_settings.registers_commands {
        tracing::info!(
            "this process does not run shard 0: it leaves registering the slash commands to \
             the process that does"
        );
    }
    tracing::info!(
        first = shard_ids.start(),
        last = shard_ids.end(),
        shard_count,
        "running shards"
    );
    let base = settings.api_base_url.trim_end_matches('/').to_owned();
    let in_flight = InFlight::default();
    let (report_sender, reports) = tokio::sync::mpsc::unbounded_channel();
    let admin = Arc::new(open_admin(&engine, config, report_sender).await?);
    let (ready_shards, _) = tokio::sync::broadcast::channel(64);
    let handler = Arc::new(
        Handler::new(
            Arc::clone(&engine),
            handler_settings,
            reply_store(config).await?,
            in_flight.clone(),
        )
        .with_admin(Arc::clone(&admin))
        .with_ready_signal(ready_shards.clone()),
    );
    // One serenity client for the whole range, or one per shard when each
    // shard waits for its own identify turn.
    let per_shard = match &launch {
        Launch::Single | Launch::Range(_) => 1,
        #[cfg(feature = "redis")]
        Launch::Turns(..) => shard_ids.clone().count(),
    };
    let mut clients = Vec::with_capacity(per_shard);
    for _ in 0..per_shard {
        clients.push(new_client(&token, &base, intents, &handler).await?);
    }
    let managers: Vec<Arc<ShardManager>> = clients
        .iter()
        .map(|client| Arc::clone(&client.shard_manager))
        .collect();
    let poster = tokio::spawn(admin::post_reports(
        Arc::clone(&clients[0].http),
        config.admin.moderator_log_channel,
        reports,
    ));
    let watcher = admin.watch(Arc::clone(&engine));
    let stopping = Arc::new(tokio::sync::Notify::new());
    let stop_requested = Arc::new(AtomicBool::new(false));
    let stopper = spawn_stopper(
        shutdown,
        managers.clone(),
        Arc::clone(&stopping),
        Arc::clone(&stop_requested),
    );
    let purger = spawn_purger(engine, admin.gaps().cloned());
    let gateway = async move {
        match launch {
            Launch::Single => clients[0].start().await,
            // serenity's `start_shard_range` runs `range.start` to
            // `range.end` *included* (its own docs: `4..7` is "shards 4
            // through 7"), so the last shard id goes in as the end.
            Launch::Range(range) => {
                clients[0]
                    .start_shard_range(range.first..range.last, range.count)
                    .await
            }
            #[cfg(feature = "redis")]
            Launch::Turns(range, leases) => {
                let shards = (range.first..=range.last).zip(clients).collect();
                start_in_turns(
                    shards,
                    range.count,
                    leases,
                    ready_shards,
                    stop_requested,
                    managers,
                )
                .await
            }
        }
    };
    let result = run_until_stopped(gateway, &stopping).await;
    stopper.abort();
    purger.abort();
    if let Some(watcher) = watcher {
        let _ = tokio::task::spawn_blocking(move || watcher.stop()).await;
    }
    let unfinished = in_flight.wait_idle(SHUTDOWN_GRACE).await;
    if unfinished > 0 {
        tracing::warn!(unfinished, "stopped with replies still being sent");
    }
    poster.abort();
    result.map_err(|error| stop_error(error, settings))
}

/// A serenity client on `handler`, its REST calls through `base`; an error
/// when a custom base gives no gateway address.
async fn new_client(
    token: &Token,
    base: &str,
    intents: GatewayIntents,
    handler: &Arc<Handler>,
) -> Result<Client, BotError> {
    let client = ClientBuilder::new_with_http(http_builder(token, base).build(), intents)
        .event_handler_arc(Arc::clone(handler))
        .await?;
    if !is_discord(base) && client.ws_url.lock().await.contains("gateway.discord.gg") {
        return Err(BotError::NoGateway {
            base: base.to_owned(),
        });
    }
    Ok(client)
}

/// Starts each shard of `shards` in its own client once this process holds
/// the identify turn of the shard's bucket (`shard % max_concurrency`,
/// `max_concurrency` from `GET /gateway/bot`) in Redis, then runs them all
/// until they stop; the first error stops the others.
///
/// What this guarantees: the *first* identify of each shard a process
/// starts is spaced at least five seconds from every other first identify
/// in its bucket by any process of the bot sharing the Redis and key
/// prefix (the turn is held from before the connection until five seconds
/// after READY, or [`CONNECT_ALLOWANCE`] + five seconds when READY does not
/// come). What it does not: serenity 0.12 has no hook before an IDENTIFY,
/// so a shard that re-identifies by itself later (after Discord invalidates
/// its session; resumes are not identifies) does so through serenity's own
/// queue, spaced five seconds within this client only. And a Redis that
/// does not answer lets the shard start without a turn (logged).
#[cfg(feature = "redis")]
async fn start_in_turns(
    shards: Vec<(u32, Client)>,
    count: u32,
    leases: Arc<crate::state::IdentifyLeases>,
    ready_shards: tokio::sync::broadcast::Sender<u32>,
    stop_requested: Arc<AtomicBool>,
    managers: Vec<Arc<ShardManager>>,
) -> Result<(), serenity::Error> {
    let max_concurrency = match shards.first() {
        Some((_, client)) => match client.http.get_bot_gateway().await {
            Ok(gateway) => gateway.session_start_limit.max_concurrency.max(1),
            Err(error) => {
                tracing::warn!(%error, "could not read max_concurrency from /gateway/bot; identifying one shard at a time");
                1
            }
        },
        None => 1,
    };
    let mut running = tokio::task::JoinSet::new();
    for (shard, mut client) in shards {
        let bucket = u64::from(shard) % max_concurrency;
        if !take_identify_turn(&leases, bucket, &stop_requested).await {
            break;
        }
        tracing::info!(
            shard,
            shard_count = count,
            bucket,
            "identify turn taken: starting shard"
        );
        let ready = ready_shards.subscribe();
        running.spawn(async move { client.start_shard(shard, count).await });
        tokio::spawn(end_turn_after_ready(
            Arc::clone(&leases),
            bucket,
            shard,
            ready,
        ));
    }
    while let Some(stopped) = running.join_next().await {
        let error = match stopped {
            Ok(Ok(())) => continue,
            Ok(Err(error)) => error,
            Err(_) => serenity::Error::Other("a shard's task failed"),
        };
        for manager in &managers {
            manager.shutdown_all().await;
        }
        return Err(error);
    }
    Ok(())
}

/// Waits until this process holds `bucket`'s identify turn (true), or the
/// bot is stopping (false). Redis failing gives the turn (logged by the
/// store): a shard started out of turn is refused by Discord and retried
/// by serenity, a shard never started serves nobody.
#[cfg(feature = "redis")]
async fn take_identify_turn(
    leases: &Arc<crate::state::IdentifyLeases>,
    bucket: u64,
    stop_requested: &AtomicBool,
) -> bool {
    let hold = IDENTIFY_SPACING + CONNECT_ALLOWANCE;
    loop {
        if stop_requested.load(Ordering::Acquire) {
            return false;
        }
        let leases = Arc::clone(leases);
        let taken = tokio::task::spawn_blocking(move || leases.try_take(bucket, hold))
            .await
            .ok()
            .flatten();
        match taken {
            Some(true) | None => return true,
            Some(false) => tokio::time::sleep(TURN_POLL).await,
        }
    }
}

/// Once `shard` is READY (or [`CONNECT_ALLOWANCE`] has passed), makes
/// `bucket`'s turn end [`IDENTIFY_SPACING`] later.
#[cfg(feature = "redis")]
async fn end_turn_after_ready(
    leases: Arc<crate::state::IdentifyLeases>,
    bucket: u64,
    shard: u32,
    mut ready: tokio::sync::broadcast::Receiver<u32>,
) {
    let became_ready = tokio::time::timeout(CONNECT_ALLOWANCE, async {
        loop {
            match ready.recv().await {
                Ok(id) if id == shard => return true,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
            }
        }
    })
    .await;
    if became_ready == Ok(true) {
        let _ = tokio::task::spawn_blocking(move || {
            leases.release_after(bucket, IDENTIFY_SPACING);
        })
        .await;
    }
}

/// Logs which messages the bot will answer, and so whether it needs the
/// privileged MESSAGE_CONTENT intent.
fn log_intent_choice(settings: &DiscordSettings) {
    if settings.answer_channels.is_empty() {
        tracing::info!(
            "no answer_channels configured: answering mentions, DMs and slash commands only \
             (the MESSAGE_CONTENT intent is not requested)"
        );
    } else {
        tracing::info!(
            channels = settings.answer_channels.len(),
            "answering every message in the answer channels: this needs the privileged \
             MESSAGE_CONTENT intent (without it only mentions, DMs and slash commands work)"
        );
    }
}

/// The HTTP client builder: no pings by default, and every call sent to a
/// non-Discord `base` (with serenity's rate limiter off) when one is set.
fn http_builder(token: &Token, base: &str) -> HttpBuilder {
    let mut http = HttpBuilder::new(token.expose()).default_allowed_mentions(render::no_pings());
    if !is_discord(base) {
        tracing::info!(api_base_url = %base, "sending every REST call to the configured API base (client-side rate limiter off)");
        http = http.proxy(base.to_owned()).ratelimiter_disabled(true);
    }
    http
}

/// A connection to `[state] redis_url` (made on a blocking thread), or
/// `None` when it is not set.
#[cfg(feature = "redis")]
async fn connect_redis(config: &Config) -> Result<Option<crate::state::Redis>, BotError> {
    let Some(url) = config.state.redis_url.clone() else {
        return Ok(None);
    };
    let prefix = config.state.key_prefix.clone();
    let redis = tokio::task::spawn_blocking(move || crate::state::Redis::connect(&url, &prefix))
        .await
        .map_err(|_| serenity::Error::Other("connecting to Redis failed"))??;
    Ok(Some(redis))
}

/// Where cooldowns and rate limits are kept: Redis when `[state] redis_url`
/// is set (connected now, on a blocking thread), else this process's memory.
async fn reply_store(config: &Config) -> Result<Arc<dyn ReplyStore>, BotError> {
    #[cfg(feature = "redis")]
    if let Some(redis) = connect_redis(config).await? {
        return Ok(Arc::new(crate::state::RedisReplies::new(redis)));
    }
    let _ = config;
    Ok(Arc::new(InMemoryStore::new()))
}

/// Where symptom checks in progress are kept: Redis when `[state]
/// redis_url` is set (connected now), else this process's memory.
fn session_store(config: &Config) -> anyhow::Result<Box<dyn SessionStore>> {
    #[cfg(feature = "redis")]
    return Ok(crate::state::session_store(config)?);
    #[cfg(not(feature = "redis"))]
    {
        let _ = config;
        Ok(Box::new(crate::sessions::MemorySessions::default()))
    }
}

/// Opens the moderator tools on a blocking thread (they read files).
async fn open_admin(
    engine: &Arc<Engine>,
    config: &Config,
    report_sender: tokio::sync::mpsc::UnboundedSender<String>,
) -> Result<Admin, BotError> {
    let engine = Arc::clone(engine);
    let config = config.clone();
    Ok(
        tokio::task::spawn_blocking(move || Admin::open(&engine, &config, Some(report_sender)))
            .await
            .map_err(|_| serenity::Error::Other("opening the moderator tools failed"))?,
    )
}

/// Waits for `shutdown`, then tells `stopping` and `stop_requested` and
/// closes every client's gateway.
fn spawn_stopper<F>(
    shutdown: F,
    shard_managers: Vec<Arc<ShardManager>>,
    stopping: Arc<tokio::sync::Notify>,
    stop_requested: Arc<AtomicBool>,
) -> JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(event = "shutdown", "shutting down: closing the gateway");
        stop_requested.store(true, Ordering::Release);
        stopping.notify_one();
        // Repeated in case the shards were still starting the first time.
        loop {
            for manager in &shard_managers {
                manager.shutdown_all().await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

/// Every [`PURGE_EVERY`], forgets expired symptom checks and old stored
/// unanswered messages.
fn spawn_purger(engine: Arc<Engine>, gaps: Option<Arc<Gaps>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        loop {
            every.tick().await;
            let purged = engine.purge_expired_sessions(SystemTime::now());
            if purged > 0 {
                tracing::debug!(purged, "expired symptom checks forgotten");
            }
            // Stored unanswered messages past the retention period go even
            // when nothing new is stored.
            if let Some(gaps) = gaps.clone() {
                let purged =
                    tokio::task::spawn_blocking(move || gaps.purge(SystemTime::now())).await;
                if let Ok(Err(error)) = purged {
                    tracing::warn!(%error, "could not purge old unanswered messages");
                }
            }
        }
    })
}

/// Runs the gateway until it stops, or until [`SHUTDOWN_DEADLINE`] after a
/// shutdown request (a gateway that refuses connections never closes).
async fn run_until_stopped(
    gateway: impl Future<Output = Result<(), serenity::Error>>,
    stopping: &tokio::sync::Notify,
) -> Result<(), serenity::Error> {
    tokio::select! {
        result = gateway => result,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_DEADLINE).await;
        } => {
            tracing::warn!(
                event = "shutdown",
                deadline_seconds = SHUTDOWN_DEADLINE.as_secs(),
                "the gateway did not close in time; stopping anyway"
            );
            Ok(())
        }
    }
}

/// The [`BotError`] for why the gateway stopped, naming the known close codes.
fn stop_error(error: serenity::Error, settings: &DiscordSettings) -> BotError {
    match error {
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => BotError::TokenRejected,
        serenity::Error::Gateway(
            GatewayError::DisallowedGatewayIntents | GatewayError::InvalidGatewayIntents,
        ) => BotError::IntentsDisallowed {
            advice: intents_advice(settings),
        },
        error => BotError::Discord(error),
    }
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// `faqbot run`: loads the engine, reads the token, and serves Discord until
/// Ctrl-C or SIGTERM. Blocks; builds its own runtime. Exit 1 when the FAQ
/// has problems; an error (exit 2 in `main`) for a missing or rejected token
/// or refused intents, with what to do.
pub fn run(config: Config) -> anyhow::Result<ExitCode> {
    let token = Token::load(config.discord.token_file.as_deref())?;
    let sessions = session_store(&config)?;
    let engine = match Engine::load_with_sessions(&config, sessions) {
        Ok(engine) => Arc::new(engine),
        Err(problems) => {
            eprintln!(
                "faqbot: the FAQ in {} has {} problem(s); not starting:",
                config.faq_dir.display(),
                problems.len()
            );
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!("Fix them and run `faqbot check` to confirm.");
            return Ok(ExitCode::from(1));
        }
    };
    if !engine.policy().number_configured() {
        tracing::warn!(
            "[safety] emergency_number is not set: replies say \"your local emergency number\" \
             with examples from several countries; set the number for your community's region \
             in config.toml"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(&config, engine, token, shutdown_signal()))?;
    tracing::info!(event = "stopped", "faqbot stopped");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_content_only_with_answer_channels() {
        let mut settings = DiscordSettings::default();
        assert!(!intents(&settings).contains(GatewayIntents::MESSAGE_CONTENT));
        assert!(intents(&settings).contains(GatewayIntents::DIRECT_MESSAGES));
        settings.answer_channels = vec![1];
        assert!(intents(&settings).contains(GatewayIntents::MESSAGE_CONTENT));
        assert!(intents_advice(&settings).contains("Message Content Intent"));
    }

    #[test]
    fn errors_never_show_the_token_and_say_what_to_do() {
        let text = BotError::TokenRejected.to_string();
        assert!(text.contains("4004") && text.contains("DISCORD_TOKEN"));
        assert!(is_discord("https://discord.com/"));
        assert!(!is_discord("http://127.0.0.1:9"));
    }
}
