//! The gateway events the bot acts on: messages and interactions. Each
//! handler parses what Discord sent into an [`Input`], calls the engine and
//! sends the rendered [`Reply`]s; it decides nothing about health content.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use serenity::all::{
    CommandDataOptionValue, CommandInteraction, ComponentInteraction, ComponentInteractionDataKind,
    Context, CreateActionRow, CreateAttachment, CreateAutocompleteResponse, CreateEmbed,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse, EventHandler, Interaction, Message, MessageFlags, ModalInteraction,
    Ready, ResumedEvent, UserId,
};
use tokio::sync::Notify;

use super::admin::{self, Admin, AdminReply};
use super::commands;
use super::custom_id::{Action, CustomId, ParseError, fingerprint};
use super::render::{self, Rendered, no_pings, ui};
use super::store::{EarlierAnswer, ReplyStore};
use crate::admin::GapDecision;
use crate::config::DiscordSettings;
use crate::engine::{ConversationKey, Engine, Input, Outcome};
use crate::safety::{Reply, ReplyKind};

/// An interaction whose work takes longer than this is deferred first, well
/// inside Discord's three-second limit.
const DEFER_AFTER: Duration = Duration::from_millis(1500);
/// At most this many autocomplete choices (Discord's limit).
const MAX_CHOICES: usize = 25;
/// At most this many embeds in one message (Discord's limit).
const MAX_EMBEDS: usize = 10;
/// At most this many component rows in one message (Discord's limit).
const MAX_ROWS: usize = 5;

/// The settings the handlers read, taken from `[discord]`.
#[derive(Debug, Clone)]
pub struct HandlerSettings {
    /// Channels where every message is considered.
    pub answer_channels: HashSet<u64>,
    /// Guilds to register the commands in (empty: globally).
    pub guild_ids: Vec<u64>,
    /// The per-channel cooldown for one entry.
    pub cooldown: Duration,
    /// Replies per person per minute.
    pub replies_per_minute: u32,
    /// Whether this process registers the slash commands: the one that
    /// runs shard 0 (every process when not sharded by range).
    pub registers_commands: bool,
}

impl HandlerSettings {
    /// The handler settings from the configuration.
    pub fn from_config(settings: &DiscordSettings) -> Self {
        HandlerSettings {
            answer_channels: settings.answer_channels.iter().copied().collect(),
            guild_ids: settings.guild_ids.clone(),
            cooldown: Duration::from_secs(settings.answer_cooldown_seconds),
            replies_per_minute: settings.replies_per_person_per_minute,
            registers_commands: settings
                .shard_range()
                .ok()
                .flatten()
                .is_none_or(|range| range.contains(0)),
        }
    }
}

/// Counts the handlers still running, so that shutdown can let in-flight
/// replies finish.
#[derive(Debug, Clone, Default)]
pub struct InFlight {
    count: Arc<AtomicUsize>,
    idle: Arc<Notify>,
}

/// Held while a handler runs.
#[derive(Debug)]
pub struct InFlightGuard(InFlight);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl InFlight {
    /// Marks one handler as running until the guard is dropped.
    pub fn enter(&self) -> InFlightGuard {
        self.count.fetch_add(1, Ordering::AcqRel);
        InFlightGuard(self.clone())
    }

    /// Waits until no handler runs, or `limit` has passed; returns how many
    /// were still running.
    pub async fn wait_idle(&self, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.idle.notified();
            let running = self.count.load(Ordering::Acquire);
            if running == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.count.load(Ordering::Acquire);
            }
        }
    }
}

/// The serenity event handler.
pub struct Handler {
    engine: Arc<Engine>,
    settings: HandlerSettings,
    store: Arc<dyn ReplyStore>,
    bot_id: OnceLock<UserId>,
    registered: AtomicBool,
    in_flight: InFlight,
    admin: Option<Arc<Admin>>,
    /// Told the id of each shard that gets READY (the identify turns).
    ready_shards: Option<tokio::sync::broadcast::Sender<u32>>,
}

/// A message made of several replies: their embeds in order, the content of
/// the first that has one, and the components of the last that has some.
struct Composed {
    content: Option<String>,
    embeds: Vec<CreateEmbed>,
    components: Vec<CreateActionRow>,
}

fn compose(replies: &[Reply], owner: u64, check: &str) -> Composed {
    let rendered: Vec<Rendered> = replies
        .iter()
        .map(|reply| render::render(reply, owner, check))
        .collect();
    let content = rendered.iter().find_map(|r| r.content.clone());
    let components = rendered
        .iter()
        .rev()
        .find(|r| !r.components.is_empty())
        .map(|r| r.components.iter().take(MAX_ROWS).cloned().collect())
        .unwrap_or_default();
    let embeds = rendered
        .into_iter()
        .take(MAX_EMBEDS)
        .map(|r| r.embed)
        .collect();
    Composed {
        content,
        embeds,
        components,
    }
}

impl Composed {
    fn message(&self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let mut message = CreateInteractionResponseMessage::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(no_pings())
            .ephemeral(ephemeral);
        if let Some(content) = &self.content {
            message = message.content(content.clone());
        }
        message
    }

    /// A single note (no buttons), as a composed reply.
    fn note(text: &str) -> Composed {
        Composed {
            content: None,
            embeds: vec![render::note(text)],
            components: Vec::new(),
        }
    }

    /// For an update in place: the content is always set, so an old one
    /// does not linger.
    fn update(&self) -> CreateInteractionResponseMessage {
        CreateInteractionResponseMessage::new()
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(no_pings())
    }

    fn edit(&self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(self.content.clone().unwrap_or_default())
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(no_pings())
    }
}

/// How an interaction is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// A new message; `true` for ephemeral.
    NewMessage(bool),
    /// The message the component belongs to, updated in place.
    Update,
}

/// The place part of a symptom-check conversation key.
fn symptoms_place(channel_id: u64) -> String {
    format!("symptoms:{channel_id}")
}

/// The rate-limit key under which a person's messages that got no reply
/// are counted (apart from their replies).
fn silent_key(person: &str) -> String {
    format!("silent:{person}")
}

/// The FAQ entry the first reply answers with, if it is an answer.
fn answer_id(replies: &[Reply]) -> Option<&str> {
    match replies.first()?.kind() {
        ReplyKind::Answer { entry_id } => Some(entry_id.as_str()),
        _ => None,
    }
}

/// A link to a message.
fn message_link(guild_id: Option<u64>, channel_id: u64, message_id: u64) -> String {
    format!("{}/{message_id}", channel_link(guild_id, channel_id))
}

/// A link to a channel, for an answer whose message id is not known.
fn channel_link(guild_id: Option<u64>, channel_id: u64) -> String {
    let guild = guild_id.map_or_else(|| "@me".to_owned(), |id| id.to_string());
    format!("https://discord.com/channels/{guild}/{channel_id}")
}

/// Whether a failed send was nevertheless posted: Discord accepted it (a
/// success status) but its answer could not be read.
fn posted_anyway(error: &serenity::Error) -> bool {
    matches!(error, serenity::Error::Json(_))
}

/// Waits for a command's replies, deferring the response (with the
/// asker's `ephemeral` choice) when the engine is slow; says whether it
/// deferred.
async fn command_replies(
    ctx: &Context,
    command: &CommandInteraction,
    mut work: tokio::task::JoinHandle<Vec<Reply>>,
    ephemeral: bool,
) -> serenity::Result<(Vec<Reply>, bool)> {
    let in_time = match tokio::time::timeout(DEFER_AFTER, &mut work).await {
        Ok(replies) => Some(replies.map_err(engine_failed)?),
        Err(_) => None,
    };
    // Deferring decides whether the answer is private before the replies
    // are known, so a slow answer keeps the asker's choice.
    let deferred = in_time.is_none();
    let replies = match in_time {
        Some(replies) => replies,
        None => {
            command
                .create_response(
                    &ctx.http,
                    CreateInteractionResponse::Defer(
                        CreateInteractionResponseMessage::new().ephemeral(ephemeral),
                    ),
                )
                .await?;
            work.await.map_err(engine_failed)?
        }
    };
    Ok((replies, deferred))
}

/// Answers a command with a private note instead of its answer, by editing
/// the deferred response or as the first response.
async fn send_command_note(
    ctx: &Context,
    command: &CommandInteraction,
    deferred: bool,
    text: &str,
) -> serenity::Result<()> {
    let note = Composed::note(text);
    if deferred {
        command
            .edit_response(&ctx.http, note.edit())
            .await
            .map(drop)
    } else {
        command
            .create_response(
                &ctx.http,
                CreateInteractionResponse::Message(note.message(true)),
            )
            .await
    }
}

/// How a command's answer goes out.
#[derive(Clone, Copy)]
struct Delivery {
    /// The response was deferred, so the answer edits it.
    deferred: bool,
    /// Only the asker sees the answer.
    private: bool,
    /// The answer is remembered for the channel's cooldown, so needs a link.
    remembered: bool,
}

/// Sends a command's answer; returns a link to it when it is public and
/// remembered (or was deferred).
async fn send_command_answer(
    ctx: &Context,
    command: &CommandInteraction,
    composed: &Composed,
    delivery: Delivery,
) -> serenity::Result<Option<String>> {
    let guild = command.guild_id.map(|g| g.get());
    let channel = command.channel_id.get();
    // A link to the public answer, once posted; the channel's when its
    // message cannot be read back (it was posted all the same).
    if delivery.deferred {
        return match command.edit_response(&ctx.http, composed.edit()).await {
            Ok(sent) => Ok(Some(message_link(guild, channel, sent.id.get()))),
            Err(error) if posted_anyway(&error) => {
                tracing::warn!(
                    "Discord's answer to an edited reply could not be read; the reply counts as sent"
                );
                Ok(Some(channel_link(guild, channel)))
            }
            Err(error) => Err(error),
        };
    }
    command
        .create_response(
            &ctx.http,
            CreateInteractionResponse::Message(composed.message(delivery.private)),
        )
        .await?;
    if !delivery.remembered {
        return Ok(None);
    }
    Ok(Some(match command.get_response(&ctx.http).await {
        Ok(sent) => message_link(guild, channel, sent.id.get()),
        Err(_) => {
            tracing::warn!(
                "could not read back a public answer; the cooldown links to the channel"
            );
            channel_link(guild, channel)
        }
    }))
}

impl Handler {
    /// A handler over `engine`, remembering cooldowns in `store`.
    pub fn new(
        engine: Arc<Engine>,
        settings: HandlerSettings,
        store: Arc<dyn ReplyStore>,
        in_flight: InFlight,
    ) -> Self {
        Handler {
            engine,
            settings,
            store,
            bot_id: OnceLock::new(),
            registered: AtomicBool::new(false),
            in_flight,
            admin: None,
            ready_shards: None,
        }
    }

    /// Tells `ready_shards` the id of every shard that gets READY.
    pub fn with_ready_signal(mut self, ready_shards: tokio::sync::broadcast::Sender<u32>) -> Self {
        self.ready_shards = Some(ready_shards);
        self
    }

    /// Whether this process is the first to handle the event `id` (see
    /// [`ReplyStore::claim_event`]); logged when it is not.
    async fn claim_event(&self, id: u64) -> bool {
        let claimed = self
            .with_store(true, move |store| store.claim_event(&id.to_string()))
            .await;
        if !claimed {
            tracing::info!(
                event = "duplicate_event",
                "event already handled by another process of the bot; skipped"
            );
        }
        claimed
    }

    /// Runs `call` on the reply store off the async threads (a shared store
    /// does network I/O, bounded by its timeouts); `fallback` if the
    /// blocking task could not finish.
    async fn with_store<T: Send + 'static>(
        &self,
        fallback: T,
        call: impl FnOnce(&dyn ReplyStore) -> T + Send + 'static,
    ) -> T {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || call(store.as_ref()))
            .await
            .unwrap_or(fallback)
    }

    /// Whether `person` may get one more reply now (counted if so). A store
    /// that cannot answer allows it (see `crate::state`).
    async fn allow_reply(&self, person: String, now: SystemTime) -> bool {
        let per_minute = self.settings.replies_per_minute;
        self.with_store(true, move |store| {
            store.allow_reply(&person, now, per_minute)
        })
        .await
    }

    /// [`ReplyStore::claim_answer`] off the async threads, with this
    /// handler's cooldown.
    async fn claim_answer(
        &self,
        place: &str,
        entry_id: &str,
        pending_link: String,
        now: SystemTime,
    ) -> Option<EarlierAnswer> {
        let (place, entry_id) = (place.to_owned(), entry_id.to_owned());
        let cooldown = self.settings.cooldown;
        self.with_store(None, move |store| {
            store.claim_answer(&place, &entry_id, &pending_link, now, cooldown)
        })
        .await
    }

    /// [`ReplyStore::record_answer`] off the async threads, with this
    /// handler's cooldown.
    async fn record_answer(&self, place: &str, entry_id: &str, link: String, now: SystemTime) {
        let (place, entry_id) = (place.to_owned(), entry_id.to_owned());
        let cooldown = self.settings.cooldown;
        self.with_store((), move |store| {
            store.record_answer(&place, &entry_id, &link, now, cooldown);
        })
        .await;
    }

    /// Adds the moderator tools: `/faq-admin`, answer counts and gaps.
    pub fn with_admin(mut self, admin: Arc<Admin>) -> Self {
        self.admin = Some(admin);
        self
    }

    /// Counts an answer, or stores a message the bot could not answer (in
    /// answer channels, when gaps are on), off the async threads. A store
    /// error is only logged.
    fn record_outcome(&self, replies: &[Reply], text: &str, channel_id: u64, answer_channel: bool) {
        let Some(admin) = &self.admin else {
            return;
        };
        let Some(gaps) = admin.gaps().cloned() else {
            return;
        };
        let now = SystemTime::now();
        match outcome_of(replies) {
            Some(Outcome::Answer) => {
                let ids: Vec<String> = replies
                    .iter()
                    .filter_map(|reply| match reply.kind() {
                        ReplyKind::Answer { entry_id } => Some(entry_id.clone()),
                        _ => None,
                    })
                    .collect();
                tokio::task::spawn_blocking(move || {
                    for id in ids {
                        if let Err(error) = gaps.record_answer(&id, now) {
                            tracing::warn!(%error, "could not count an answer");
                        }
                    }
                });
            }
            Some(outcome) if answer_channel && admin.gaps_enabled() => {
                let Some(decision) = GapDecision::from_outcome(outcome) else {
                    return;
                };
                let text = text.to_owned();
                tokio::task::spawn_blocking(move || {
                    if let Err(error) = gaps.record(&text, channel_id, decision, now) {
                        tracing::warn!(%error, "could not store an unanswered message");
                    }
                });
            }
            _ => {}
        }
    }

    /// The current symptom check's fingerprint, as written into ids.
    fn check_fingerprint(&self) -> String {
        fingerprint(&self.engine.symptom_check_version())
    }

    /// Runs the engine off the async threads; the reply is ready when the
    /// returned handle resolves.
    fn engine_call(
        &self,
        key: ConversationKey,
        input: Input,
    ) -> tokio::task::JoinHandle<Vec<Reply>> {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || engine.handle(&key, input, SystemTime::now()))
    }

    async fn on_message(&self, ctx: &Context, message: &Message) -> serenity::Result<()> {
        let Some(&bot_id) = self.bot_id.get() else {
            return Ok(());
        };
        if message.author.bot || message.webhook_id.is_some() || message.author.id == bot_id {
            return Ok(());
        }
        let direct = message.guild_id.is_none();
        let mentioned = message.mentions_user_id(bot_id);
        let answer_channel = self
            .settings
            .answer_channels
            .contains(&message.channel_id.get());
        if !(direct || mentioned || answer_channel) || message.content.trim().is_empty() {
            return Ok(());
        }
        if !self.claim_event(message.id.get()).await {
            return Ok(());
        }
        tracing::debug!(text = %message.content, "message received");
        let person = message.author.id.get().to_string();
        let place = message.channel_id.get().to_string();
        let key = ConversationKey::new(person.clone(), place.clone());
        let input = Input::Message {
            text: message.content.clone(),
            addressed: direct || mentioned,
        };
        let now = SystemTime::now();
        let replies = self.engine_call(key, input).await.map_err(engine_failed)?;
        // Nothing is stored or counted for a message over the person's limit,
        // so a flood cannot fill the gaps store. A message that gets no reply
        // does not use up the person's replies; it counts against a limit of
        // its own.
        let within_limit = match replies.first() {
            Some(first) if first.is_emergency() => true,
            Some(_) => self.allow_reply(person.clone(), now).await,
            None => self.allow_reply(silent_key(&person), now).await,
        };
        if within_limit {
            self.record_outcome(
                &replies,
                &message.content,
                message.channel_id.get(),
                answer_channel,
            );
        }
        if replies.is_empty() {
            tracing::info!(event = "message_silence", "no reply");
            return Ok(());
        }
        if !within_limit {
            tracing::info!(
                event = "rate_limited",
                "reply skipped: person over the rate limit"
            );
            return Ok(());
        }
        let owner = message.author.id.get();
        let check = self.check_fingerprint();
        for reply in &replies {
            self.send_message_reply(ctx, message, reply, owner, &check, &place, now)
                .await?;
        }
        Ok(())
    }

    /// Sends one reply to a message, or a pointer to the same answer sent in
    /// the channel within the cooldown.
    #[allow(clippy::too_many_arguments)]
    async fn send_message_reply(
        &self,
        ctx: &Context,
        message: &Message,
        reply: &Reply,
        owner: u64,
        check: &str,
        place: &str,
        now: SystemTime,
    ) -> serenity::Result<()> {
        let entry_id = match reply.kind() {
            ReplyKind::Answer { entry_id } => Some(entry_id.as_str()),
            _ => None,
        };
        let guild = message.guild_id.map(|g| g.get());
        let channel = message.channel_id.get();
        // Claimed before sending, so that two processes answering the same
        // question in one channel at once send it once; the other points to
        // the channel until the answer's own link is known.
        let earlier = match entry_id {
            Some(id) => {
                self.claim_answer(place, id, channel_link(guild, channel), now)
                    .await
            }
            None => None,
        };
        let builder = CreateMessage::new()
            .reference_message(message)
            .allowed_mentions(no_pings());
        let builder = match &earlier {
            Some(earlier) => {
                tracing::info!(
                    event = "answer_cooldown",
                    faq_id = entry_id.unwrap_or_default(),
                    "pointing to the earlier answer"
                );
                builder.embed(render::earlier_answer(reply, &earlier.link))
            }
            None => {
                let rendered = render::render(reply, owner, check);
                let mut builder = builder
                    .embed(rendered.embed)
                    .components(rendered.components);
                if let Some(content) = rendered.content {
                    builder = builder.content(content);
                }
                builder
            }
        };
        let link = match message.channel_id.send_message(&ctx.http, builder).await {
            Ok(sent) => message_link(guild, channel, sent.id.get()),
            Err(error) if posted_anyway(&error) => {
                // Counted as sent, so that the cooldown holds and the
                // channel does not get the same answer twice.
                // The error is not logged: it may quote the answer's body,
                // which holds the message replied to.
                let _ = error;
                tracing::warn!(
                    "Discord's answer to a sent reply could not be read; the reply counts as sent"
                );
                channel_link(guild, channel)
            }
            Err(error) => return Err(error),
        };
        if let (Some(id), None) = (entry_id, earlier) {
            self.record_answer(place, id, link, now).await;
        }
        Ok(())
    }

    async fn on_interaction(
        &self,
        ctx: &Context,
        interaction: Interaction,
    ) -> serenity::Result<()> {
        match interaction {
            Interaction::Command(command) => self.on_command(ctx, &command).await,
            Interaction::Autocomplete(command) => self.on_autocomplete(ctx, &command).await,
            Interaction::Component(component) => self.on_component(ctx, &component).await,
            Interaction::Modal(modal) => self.on_modal(ctx, &modal).await,
            _ => Ok(()),
        }
    }

    async fn on_command(
        &self,
        ctx: &Context,
        command: &CommandInteraction,
    ) -> serenity::Result<()> {
        let user = command.user.id.get();
        let channel = command.channel_id.get();
        tracing::info!(event = "command", command = %command.data.name, "slash command");
        let (key, input, ephemeral) = match command.data.name.as_str() {
            commands::FAQ => {
                let mut question = String::new();
                let mut private = false;
                for option in &command.data.options {
                    match (option.name.as_str(), &option.value) {
                        (commands::FAQ_QUESTION, CommandDataOptionValue::String(text)) => {
                            question = text.clone();
                        }
                        (commands::FAQ_PRIVATE, CommandDataOptionValue::Boolean(value)) => {
                            private = *value;
                        }
                        _ => {}
                    }
                }
                tracing::debug!(text = %question, "faq query");
                let knowledge = self.engine.knowledge();
                let input = if knowledge.faq.get(question.trim()).is_some() {
                    Input::ShowEntry {
                        id: question.trim().to_owned(),
                    }
                } else {
                    Input::FaqQuery { text: question }
                };
                (
                    ConversationKey::new(user.to_string(), channel.to_string()),
                    input,
                    private,
                )
            }
            commands::SYMPTOMS => (
                ConversationKey::new(user.to_string(), symptoms_place(channel)),
                Input::StartSymptoms,
                true,
            ),
            commands::ABOUT => (
                ConversationKey::new(user.to_string(), channel.to_string()),
                Input::About,
                true,
            ),
            commands::FAQ_ADMIN => return self.on_admin_command(ctx, command).await,
            _ => {
                let response = CreateInteractionResponse::Message(
                    CreateInteractionResponseMessage::new()
                        .embed(render::note(ui::UNKNOWN_COMMAND))
                        .allowed_mentions(no_pings())
                        .ephemeral(true),
                );
                return command.create_response(&ctx.http, response).await;
            }
        };
        let work = self.engine_call(key, input);
        let check = self.check_fingerprint();
        self.answer_command(ctx, command, work, user, &check, ephemeral)
            .await
    }

    /// Answers a command with the engine's replies, deferring first when
    /// the engine is slow.
    ///
    /// Like a message, a command is subject to the per-person rate limit
    /// (emergency replies never are): over it, the person gets a private
    /// note instead of the answer. And a public answer to an entry already
    /// answered in the channel within the cooldown is given privately, so
    /// the asker still gets it without the channel seeing it twice.
    async fn answer_command(
        &self,
        ctx: &Context,
        command: &CommandInteraction,
        work: tokio::task::JoinHandle<Vec<Reply>>,
        owner: u64,
        check: &str,
        ephemeral: bool,
    ) -> serenity::Result<()> {
        let now = SystemTime::now();
        let person = owner.to_string();
        let place = command.channel_id.get().to_string();
        let (replies, deferred) = command_replies(ctx, command, work, ephemeral).await?;
        let emergency = replies.first().is_some_and(Reply::is_emergency);
        if !emergency && !self.allow_reply(person, now).await {
            tracing::info!(event = "rate_limited", "command answer replaced by a note");
            return send_command_note(ctx, command, deferred, ui::SLOW_DOWN).await;
        }
        // A public answer is claimed before it is sent (the first of several
        // processes wins; see send_message_reply).
        let claimable = !deferred && !ephemeral && !emergency;
        let answered_here = match answer_id(&replies) {
            Some(id) if claimable => {
                let pending =
                    channel_link(command.guild_id.map(|g| g.get()), command.channel_id.get());
                self.claim_answer(&place, id, pending, now).await.is_some()
            }
            _ => false,
        };
        if answered_here && !ephemeral {
            tracing::info!(
                event = "answer_cooldown",
                "answered in this channel a moment ago: given privately"
            );
        }
        let private = ephemeral || answered_here;
        let composed = compose(&replies, owner, check);
        let delivery = Delivery {
            deferred,
            private,
            remembered: !private && !emergency && answer_id(&replies).is_some(),
        };
        let remembered = delivery.remembered;
        let link = send_command_answer(ctx, command, &composed, delivery).await?;
        // Remembered for the channel's cooldown.
        if let (true, Some(link), Some(id)) = (remembered, link, answer_id(&replies)) {
            self.record_answer(&place, id, link, now).await;
        }
        Ok(())
    }

    async fn on_autocomplete(
        &self,
        ctx: &Context,
        command: &CommandInteraction,
    ) -> serenity::Result<()> {
        let typed = command
            .data
            .autocomplete()
            .map(|option| option.value.to_owned())
            .unwrap_or_default();
        let engine = Arc::clone(&self.engine);
        let choices = tokio::task::spawn_blocking(move || autocomplete_choices(&engine, &typed))
            .await
            .unwrap_or_default();
        let mut response = CreateAutocompleteResponse::new();
        for (name, value) in choices {
            response = response.add_string_choice(name, value);
        }
        command
            .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(response))
            .await
    }

    async fn on_component(
        &self,
        ctx: &Context,
        component: &ComponentInteraction,
    ) -> serenity::Result<()> {
        let clicker = component.user.id.get();
        if component.data.custom_id.starts_with(admin::PREFIX) {
            return self.on_admin_click(ctx, component).await;
        }
        let from_ephemeral = component
            .message
            .flags
            .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL));
        let id = match CustomId::parse(&component.data.custom_id) {
            Ok(id) => id,
            Err(ParseError::Foreign | ParseError::OldVersion) => {
                tracing::info!(
                    event = "old_button",
                    "click on a button this version does not know"
                );
                return self.note(ctx, component, ui::OLD_BUTTON).await;
            }
        };
        let channel = component.channel_id.get();
        let check = self.check_fingerprint();
        if let Action::ShowEntry { entry_id } = &id.action {
            // Anyone may read an entry; only the asker's click is shown to
            // the channel, anybody else sees it alone.
            let answer = Answer::NewMessage(from_ephemeral || clicker != id.owner);
            let key = ConversationKey::new(clicker.to_string(), channel.to_string());
            let work = self.engine_call(
                key,
                Input::ShowEntry {
                    id: entry_id.clone(),
                },
            );
            tracing::info!(event = "show_entry", faq_id = %entry_id, "entry button");
            return self
                .answer_component(ctx, component, work, clicker, &check, answer)
                .await;
        }
        if clicker != id.owner {
            tracing::info!(event = "foreign_click", "click on someone else's buttons");
            return self.note(ctx, component, ui::NOT_YOURS).await;
        }
        let Some(input) = self.symptom_input(component, &id, &check) else {
            return Ok(());
        };
        let key = ConversationKey::new(clicker.to_string(), symptoms_place(channel));
        let work = self.engine_call(key, input);
        let answer = if from_ephemeral {
            Answer::Update
        } else {
            Answer::NewMessage(true)
        };
        self.answer_component(ctx, component, work, clicker, &check, answer)
            .await
    }

    /// The symptom-check step a click on the owner's button asks for; `None`
    /// for an entry button (handled before). A click from an older symptom
    /// check carries that check's version, so the engine can tell it is stale.
    fn symptom_input(
        &self,
        component: &ComponentInteraction,
        id: &CustomId,
        check: &str,
    ) -> Option<Input> {
        let current = self.engine.symptom_check_version();
        let same_check = id.check == check;
        let version = if same_check {
            current
        } else {
            id.check.clone()
        };
        let stale = || Input::SymptomPick {
            question_id: String::new(),
            choice_ids: Vec::new(),
            check: id.check.clone(),
        };
        Some(match &id.action {
            Action::ShowEntry { .. } => return None,
            Action::SymptomChoice {
                question_id,
                choice_id,
            } => Input::SymptomPick {
                question_id: question_id.clone(),
                choice_ids: vec![choice_id.clone()],
                check: version,
            },
            Action::SymptomSelect { question_id } => {
                let choice_ids = match &component.data.kind {
                    ComponentInteractionDataKind::StringSelect { values } => values.clone(),
                    _ => Vec::new(),
                };
                Input::SymptomPick {
                    question_id: question_id.clone(),
                    choice_ids,
                    check: version,
                }
            }
            Action::SymptomBack if same_check => Input::SymptomBack,
            Action::SymptomBack => stale(),
            Action::SymptomRestart => Input::SymptomRestart,
            Action::SymptomCancel => Input::SymptomCancel,
        })
    }

    /// Answers a click with the engine's replies, as a new message or by
    /// updating the clicked message; acknowledges first when slow.
    async fn answer_component(
        &self,
        ctx: &Context,
        component: &ComponentInteraction,
        mut work: tokio::task::JoinHandle<Vec<Reply>>,
        owner: u64,
        check: &str,
        answer: Answer,
    ) -> serenity::Result<()> {
        let replies = match tokio::time::timeout(DEFER_AFTER, &mut work).await {
            Ok(replies) => replies.map_err(engine_failed)?,
            Err(_) => {
                let defer = match answer {
                    Answer::Update => CreateInteractionResponse::Acknowledge,
                    Answer::NewMessage(ephemeral) => CreateInteractionResponse::Defer(
                        CreateInteractionResponseMessage::new().ephemeral(ephemeral),
                    ),
                };
                component.create_response(&ctx.http, defer).await?;
                let replies = work.await.map_err(engine_failed)?;
                let composed = compose(&replies, owner, check);
                component.edit_response(&ctx.http, composed.edit()).await?;
                return Ok(());
            }
        };
        let composed = compose(&replies, owner, check);
        let response = match answer {
            Answer::Update => CreateInteractionResponse::UpdateMessage(composed.update()),
            Answer::NewMessage(ephemeral) => {
                CreateInteractionResponse::Message(composed.message(ephemeral))
            }
        };
        component.create_response(&ctx.http, response).await
    }

    /// A polite ephemeral note in answer to a click.
    async fn note(
        &self,
        ctx: &Context,
        component: &ComponentInteraction,
        text: &str,
    ) -> serenity::Result<()> {
        let response = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .embed(render::note(text))
                .allowed_mentions(no_pings())
                .ephemeral(true),
        );
        component.create_response(&ctx.http, response).await
    }

    /// Tells the person something went wrong, when the interaction has not
    /// been answered yet (a failed response is only logged).
    async fn apologise(&self, ctx: &Context, interaction: &Interaction) {
        let message = CreateInteractionResponseMessage::new()
            .embed(render::note(ui::SORRY))
            .allowed_mentions(no_pings())
            .ephemeral(true);
        let response = CreateInteractionResponse::Message(message);
        let result = match interaction {
            Interaction::Command(command) => command.create_response(&ctx.http, response).await,
            Interaction::Component(component) => {
                component.create_response(&ctx.http, response).await
            }
            Interaction::Modal(modal) => modal.create_response(&ctx.http, response).await,
            _ => Ok(()),
        };
        if let Err(error) = result {
            tracing::debug!(%error, "could not apologise either");
        }
    }
}

/// Where an admin answer goes.
#[derive(Clone, Copy)]
enum Target<'a> {
    Command(&'a CommandInteraction),
    Modal(&'a ModalInteraction),
    Component(&'a ComponentInteraction),
}

impl Target<'_> {
    async fn create(
        &self,
        ctx: &Context,
        response: CreateInteractionResponse,
    ) -> serenity::Result<()> {
        match self {
            Target::Command(c) => c.create_response(&ctx.http, response).await,
            Target::Modal(m) => m.create_response(&ctx.http, response).await,
            Target::Component(c) => c.create_response(&ctx.http, response).await,
        }
    }

    async fn edit(&self, ctx: &Context, edit: EditInteractionResponse) -> serenity::Result<()> {
        match self {
            Target::Command(c) => c.edit_response(&ctx.http, edit).await.map(drop),
            Target::Modal(m) => m.edit_response(&ctx.http, edit).await.map(drop),
            Target::Component(c) => c.edit_response(&ctx.http, edit).await.map(drop),
        }
    }
}

impl AdminReply {
    fn message(&self) -> CreateInteractionResponseMessage {
        let message = CreateInteractionResponseMessage::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(no_pings())
            .ephemeral(true);
        match self.attachment() {
            Some(file) => message.add_file(file),
            None => message,
        }
    }

    fn update(&self) -> CreateInteractionResponseMessage {
        let message = CreateInteractionResponseMessage::new()
            .content(String::new())
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(no_pings());
        match self.attachment() {
            Some(file) => message.add_file(file),
            None => message,
        }
    }

    fn edit(&self) -> EditInteractionResponse {
        let edit = EditInteractionResponse::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(no_pings());
        match self.attachment() {
            Some(file) => edit.new_attachment(file),
            None => edit,
        }
    }

    /// The reply's picture as a file to upload with it.
    fn attachment(&self) -> Option<CreateAttachment> {
        let png = self.image.as_ref()?;
        Some(CreateAttachment::bytes(png.clone(), admin::IMAGE_FILE))
    }
}

/// The string value of option `name` among `options`.
fn string_option(options: &[serenity::all::CommandDataOption], name: &str) -> Option<String> {
    options.iter().find_map(|option| match &option.value {
        CommandDataOptionValue::String(text) if option.name == name => Some(text.trim().to_owned()),
        _ => None,
    })
}

impl Handler {
    /// Answers an admin interaction ephemerally with the result of `work`
    /// (run on a blocking thread), deferring first when it is slow.
    /// `update`: replace the clicked message instead of sending a new one.
    async fn admin_answer(
        &self,
        ctx: &Context,
        target: Target<'_>,
        mut work: tokio::task::JoinHandle<AdminReply>,
        update: bool,
    ) -> serenity::Result<()> {
        match tokio::time::timeout(DEFER_AFTER, &mut work).await {
            Ok(reply) => {
                let reply = reply.map_err(engine_failed)?;
                let response = if update {
                    CreateInteractionResponse::UpdateMessage(reply.update())
                } else {
                    CreateInteractionResponse::Message(reply.message())
                };
                target.create(ctx, response).await
            }
            Err(_) => {
                let defer = if update {
                    CreateInteractionResponse::Acknowledge
                } else {
                    CreateInteractionResponse::Defer(
                        CreateInteractionResponseMessage::new().ephemeral(true),
                    )
                };
                target.create(ctx, defer).await?;
                let reply = work.await.map_err(engine_failed)?;
                target.edit(ctx, reply.edit()).await
            }
        }
    }

    /// A quick ephemeral note in answer to an admin interaction.
    async fn admin_note(
        &self,
        ctx: &Context,
        target: Target<'_>,
        text: &str,
    ) -> serenity::Result<()> {
        let response = CreateInteractionResponse::Message(AdminReply::note(text).message());
        target.create(ctx, response).await
    }

    /// The admin tools and whether this member may use them; answers the
    /// interaction itself when not.
    async fn admin_for(
        &self,
        ctx: &Context,
        target: Target<'_>,
        member: Option<&serenity::all::Member>,
    ) -> serenity::Result<Option<Arc<Admin>>> {
        let Some(admin) = &self.admin else {
            self.admin_note(
                ctx,
                target,
                "The moderator tools are not running in this bot.",
            )
            .await?;
            return Ok(None);
        };
        if !admin::is_moderator(member, admin.moderator_role()) {
            tracing::info!(
                event = "admin_refused",
                "faq-admin used by a member who is not a moderator"
            );
            self.admin_note(ctx, target, admin::text::NOT_ALLOWED)
                .await?;
            return Ok(None);
        }
        Ok(Some(Arc::clone(admin)))
    }

    async fn on_admin_command(
        &self,
        ctx: &Context,
        command: &CommandInteraction,
    ) -> serenity::Result<()> {
        let target = Target::Command(command);
        let Some(admin) = self
            .admin_for(ctx, target, command.member.as_deref())
            .await?
        else {
            return Ok(());
        };
        let Some(sub) = command.data.options.first() else {
            return self.admin_note(ctx, target, ui::UNKNOWN_COMMAND).await;
        };
        let options = match &sub.value {
            CommandDataOptionValue::SubCommand(options) => options.as_slice(),
            _ => &[],
        };
        let id = string_option(options, commands::admin::ID);
        let owner = command.user.id.get();
        let engine = Arc::clone(&self.engine);
        tracing::info!(event = "faq_admin", subcommand = %sub.name, "moderator command");
        let work = match sub.name.as_str() {
            commands::admin::RELOAD => tokio::task::spawn_blocking(move || admin.reload(&engine)),
            commands::admin::HISTORY => tokio::task::spawn_blocking(move || {
                admin.history(id.as_deref().filter(|id| !id.is_empty()))
            }),
            commands::admin::GAPS => {
                tokio::task::spawn_blocking(move || admin.gaps_report(&engine))
            }
            commands::admin::STATS => tokio::task::spawn_blocking(move || admin.stats(&engine)),
            commands::admin::REMOVE => {
                let id = id.unwrap_or_default();
                tokio::task::spawn_blocking(move || admin.remove(&engine, &id, owner))
            }
            commands::admin::ADD => {
                return target
                    .create(ctx, CreateInteractionResponse::Modal(Admin::add_modal()))
                    .await;
            }
            commands::admin::EDIT => {
                // A modal must be the first response: reading one file is
                // quick, but it still runs off the async threads.
                let id = id.unwrap_or_default();
                let modal = tokio::task::spawn_blocking(move || admin.edit_modal(&engine, &id))
                    .await
                    .map_err(engine_failed)?;
                return match modal {
                    Ok(modal) => {
                        target
                            .create(ctx, CreateInteractionResponse::Modal(modal))
                            .await
                    }
                    Err(text) => self.admin_note(ctx, target, &text).await,
                };
            }
            _ => return self.admin_note(ctx, target, ui::UNKNOWN_COMMAND).await,
        };
        self.admin_answer(ctx, target, work, false).await
    }

    async fn on_modal(&self, ctx: &Context, modal: &ModalInteraction) -> serenity::Result<()> {
        let target = Target::Modal(modal);
        if !modal.data.custom_id.starts_with(admin::PREFIX) {
            return self.admin_note(ctx, target, ui::OLD_BUTTON).await;
        }
        let Some(admin) = self.admin_for(ctx, target, modal.member.as_ref()).await? else {
            return Ok(());
        };
        let engine = Arc::clone(&self.engine);
        let owner = modal.user.id.get();
        let submitted = modal.clone();
        let work = tokio::task::spawn_blocking(move || admin.submitted(&engine, &submitted, owner));
        self.admin_answer(ctx, target, work, false).await
    }

    async fn on_admin_click(
        &self,
        ctx: &Context,
        component: &ComponentInteraction,
    ) -> serenity::Result<()> {
        let target = Target::Component(component);
        let Some(admin) = self
            .admin_for(ctx, target, component.member.as_ref())
            .await?
        else {
            return Ok(());
        };
        let engine = Arc::clone(&self.engine);
        let owner = component.user.id.get();
        let who = component.user.name.clone();
        let custom_id = component.data.custom_id.clone();
        if admin::is_teach_click(&custom_id) {
            // Teach from the gaps: a form must be the first response (reading
            // one entry file and one row is quick, but off the async threads).
            let values = match &component.data.kind {
                ComponentInteractionDataKind::StringSelect { values } => values.clone(),
                _ => Vec::new(),
            };
            tracing::info!(event = "faq_admin_teach", "moderator teach click");
            let step = tokio::task::spawn_blocking(move || {
                admin.teach_click(&engine, &custom_id, &values)
            })
            .await
            .map_err(engine_failed)?;
            let response = match step {
                admin::TeachStep::Modal(modal) => CreateInteractionResponse::Modal(modal),
                admin::TeachStep::Reply(reply) => {
                    CreateInteractionResponse::Message(reply.message())
                }
            };
            return target.create(ctx, response).await;
        }
        let work =
            tokio::task::spawn_blocking(move || admin.clicked(&engine, &custom_id, owner, &who));
        self.admin_answer(ctx, target, work, true).await
    }
}

/// What the engine made of a message, read from its replies: an answer, a
/// "did you mean", nothing (silence or the help text), or an emergency.
/// `None` for anything else (a symptom-check step).
fn outcome_of(replies: &[Reply]) -> Option<Outcome> {
    let Some(first) = replies.first() else {
        return Some(Outcome::None);
    };
    if first.is_emergency() {
        return Some(Outcome::Emergency);
    }
    if replies
        .iter()
        .any(|reply| matches!(reply.kind(), ReplyKind::Answer { .. }))
    {
        return Some(Outcome::Answer);
    }
    match first.kind() {
        ReplyKind::Suggestions => Some(Outcome::Suggest),
        ReplyKind::Help => Some(Outcome::None),
        ReplyKind::Notice if first.offers_check() => Some(Outcome::None),
        _ => None,
    }
}

/// The autocomplete choices for what was typed so far: the matcher's
/// ranking first, then entries whose question contains the text; all
/// entries (by question) when nothing was typed. Names are questions,
/// values entry ids; at most 25.
pub fn autocomplete_choices(engine: &Engine, typed: &str) -> Vec<(String, String)> {
    let knowledge = engine.knowledge();
    let typed = typed.trim();
    let mut ids: Vec<String> = Vec::new();
    if !typed.is_empty() {
        ids.extend(knowledge.matcher.rank(typed).into_iter().map(|c| c.id));
        let lower = typed.to_lowercase();
        for entry in &knowledge.faq.entries {
            if entry.question.to_lowercase().contains(&lower) && !ids.contains(&entry.id) {
                ids.push(entry.id.clone());
            }
        }
    } else {
        let mut entries: Vec<_> = knowledge.faq.entries.iter().collect();
        entries.sort_by(|a, b| a.question.cmp(&b.question));
        ids.extend(entries.into_iter().map(|e| e.id.clone()));
    }
    ids.into_iter()
        .filter_map(|id| {
            knowledge.faq.get(&id).and_then(|entry| {
                (id.len() <= 100).then(|| (render::choice_name(&entry.question), id))
            })
        })
        .take(MAX_CHOICES)
        .collect()
}

/// A failed engine task (a panic inside the engine), logged and turned
/// into an error for the caller.
fn engine_failed(error: tokio::task::JoinError) -> serenity::Error {
    tracing::error!(%error, "engine task failed");
    serenity::Error::Other("the engine task failed")
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.bot_id.set(ready.user.id);
        let shard = ready.shard.map_or(0, |shard| shard.id.0);
        tracing::info!(
            event = "ready",
            bot = %ready.user.name,
            guilds = ready.guilds.len(),
            shard,
            "connected to Discord"
        );
        if let Some(ready_shards) = &self.ready_shards {
            let _ = ready_shards.send(shard);
        }
        if self.settings.registers_commands
            && !self.registered.swap(true, Ordering::AcqRel)
            && let Err(error) = commands::register(&ctx.http, &self.settings.guild_ids).await
        {
            self.registered.store(false, Ordering::Release);
            tracing::error!(
                %error,
                "could not register the slash commands: was the bot invited with the \
                 applications.commands scope, and are guild_ids right?"
            );
        }
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        tracing::info!(event = "resumed", "gateway session resumed");
    }

    async fn message(&self, ctx: Context, message: Message) {
        let _guard = self.in_flight.enter();
        if let Err(error) = self.on_message(&ctx, &message).await {
            tracing::warn!(%error, channel_id = message.channel_id.get(), "could not reply to a message");
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let _guard = self.in_flight.enter();
        // Autocomplete changes nothing, and Discord takes one answer.
        if !matches!(interaction, Interaction::Autocomplete(_))
            && !self.claim_event(interaction.id().get()).await
        {
            return;
        }
        if let Err(error) = self.on_interaction(&ctx, interaction.clone()).await {
            tracing::warn!(%error, "could not answer an interaction");
            self.apologise(&ctx, &interaction).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_guild_or_a_dm() {
        assert_eq!(
            message_link(Some(1), 2, 3),
            "https://discord.com/channels/1/2/3"
        );
        assert_eq!(
            message_link(None, 2, 3),
            "https://discord.com/channels/@me/2/3"
        );
    }
}
