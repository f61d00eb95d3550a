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
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use serenity::all::{
    Client, ClientBuilder, GatewayError, GatewayIntents, HttpBuilder, ShardManager,
};
use thiserror::Error;
use tokio::task::JoinHandle;

use crate::admin::Gaps;
use crate::config::{Config, DISCORD_API, DiscordSettings};
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

/// Connects to Discord and serves until `shutdown` resolves or Discord
/// refuses the connection. Returns once in-flight replies are sent (or
/// after a grace period).
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
    let base = settings.api_base_url.trim_end_matches('/').to_owned();
    let http = http_builder(&token, &base);
    let in_flight = InFlight::default();
    let (report_sender, reports) = tokio::sync::mpsc::unbounded_channel();
    let admin = Arc::new(open_admin(&engine, config, report_sender).await?);
    let handler = Handler::new(
        Arc::clone(&engine),
        HandlerSettings::from_config(settings),
        reply_store(config).await?,
        in_flight.clone(),
    )
    .with_admin(Arc::clone(&admin));
    let mut client = ClientBuilder::new_with_http(http.build(), intents)
        .event_handler(handler)
        .await?;
    if !is_discord(&base) && client.ws_url.lock().await.contains("gateway.discord.gg") {
        return Err(BotError::NoGateway { base });
    }
    let poster = tokio::spawn(admin::post_reports(
        Arc::clone(&client.http),
        config.admin.moderator_log_channel,
        reports,
    ));
    let watcher = admin.watch(Arc::clone(&engine));
    let stopping = Arc::new(tokio::sync::Notify::new());
    let stopper = spawn_stopper(
        shutdown,
        Arc::clone(&client.shard_manager),
        Arc::clone(&stopping),
    );
    let purger = spawn_purger(engine, admin.gaps().cloned());
    let result = run_until_stopped(&mut client, &stopping).await;
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

/// Where cooldowns and rate limits are kept: Redis when `[state] redis_url`
/// is set (connected now, on a blocking thread), else this process's memory.
async fn reply_store(config: &Config) -> Result<Arc<dyn ReplyStore>, BotError> {
    #[cfg(feature = "redis")]
    if let Some(url) = config.state.redis_url.clone() {
        let prefix = config.state.key_prefix.clone();
        let redis =
            tokio::task::spawn_blocking(move || crate::state::Redis::connect(&url, &prefix))
                .await
                .map_err(|_| serenity::Error::Other("connecting to Redis failed"))??;
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

/// Waits for `shutdown`, then tells `stopping` and closes the gateway.
fn spawn_stopper<F>(
    shutdown: F,
    shard_manager: Arc<ShardManager>,
    stopping: Arc<tokio::sync::Notify>,
) -> JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(event = "shutdown", "shutting down: closing the gateway");
        stopping.notify_one();
        // Repeated in case the shards were still starting the first time.
        loop {
            shard_manager.shutdown_all().await;
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
    client: &mut Client,
    stopping: &tokio::sync::Notify,
) -> Result<(), serenity::Error> {
    tokio::select! {
        result = client.start() => result,
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
