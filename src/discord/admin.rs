//! `/faq-admin` and the moderator plumbing of the Discord adapter: the
//! history and gaps stores, the [`FaqFolder`] every change goes through, the
//! [`FaqWatcher`] that reloads the folder when its files change, and the
//! moderator log channel.
//!
//! Everything that touches files or SQLite runs on blocking threads
//! (`spawn_blocking`); nothing here decides health content. A moderator is a
//! member with the Manage Messages (or Administrator) permission or the
//! configured `admin.moderator_role_id`, checked here from the interaction's
//! member, whatever Discord's command permissions say.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use serenity::all::{
    ButtonStyle, ChannelId, Colour, CreateActionRow, CreateButton, CreateEmbed, CreateInputText,
    CreateMessage, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption, Http,
    InputTextStyle, Member, ModalInteraction, Permissions,
};
use tokio::sync::mpsc;

use super::render::{self, limits, no_pings};
use crate::admin::edit::split_sources;
use crate::admin::{
    AdminSettings, Change, EditError, EntryDraft, FaqFolder, FaqWatcher, GapMessage, Gaps, History,
    NewEntry, ReloadReport, UsageChart, teach,
};
use crate::config::Config;
use crate::engine::Engine;

/// Custom ids of the admin modals and buttons start with this.
pub const PREFIX: &str = "faqadmin:v1:";
/// A pending preview (Save / Cancel) is forgotten after this long.
const PENDING_FOR: Duration = Duration::from_secs(15 * 60);
/// At most this many history rows are shown.
const HISTORY_SHOWN: usize = 8;
/// At most this many gap groups are shown.
const GROUPS_SHOWN: usize = 10;
/// Discord's limit on the options of a select menu.
const MAX_OPTIONS: usize = 25;

/// Text box ids in the add / edit modal.
pub mod field {
    /// The new entry's id (add only).
    pub const ID: &str = "id";
    /// The question.
    pub const QUESTION: &str = "question";
    /// The answer.
    pub const ANSWER: &str = "answer";
    /// Alternate phrasings, one per line.
    pub const ALTERNATES: &str = "alternates";
    /// Keywords, comma-separated (edit only: a modal holds five boxes).
    pub const KEYWORDS: &str = "keywords";
    /// Sources, one per line: title then address (add only: a new entry
    /// needs one; keywords can be added with edit afterwards).
    pub const SOURCES: &str = "sources";
}

/// Polite texts of the admin commands.
pub mod text {
    /// A member who is not a moderator.
    pub const NOT_ALLOWED: &str = "Sorry, `/faq-admin` is only for this server's moderators \
        (the moderator role or the Manage Messages permission). Nothing was changed.";
    /// A preview that is gone.
    pub const EXPIRED: &str =
        "This preview has expired or was already used. Run the command again.";
    /// Cancelled.
    pub const CANCELLED: &str = "Cancelled: nothing was saved.";
    /// A teach action while gaps are off.
    pub const GAPS_OFF: &str = "Storing unanswered messages is off (`admin.gaps_enabled` in the \
        config), so there is nothing to teach from. Nothing was changed.";
}

/// A change previewed and waiting for Save or Cancel.
struct Pending {
    change: Change,
    owner: u64,
    created: Instant,
    /// The unanswered message the change teaches (marked taught on save).
    gap: Option<i64>,
}

/// What a teach click on `/faq-admin gaps` answers with.
pub enum TeachStep {
    /// An ephemeral message (the teach panel, or why not).
    Reply(AdminReply),
    /// The add or edit form, pre-filled with the message.
    Modal(serenity::all::CreateModal),
}

/// Whether `custom_id` is one of the teach components of `/faq-admin gaps`
/// (they answer with a form, so they are not Save / Cancel clicks).
pub fn is_teach_click(custom_id: &str) -> bool {
    custom_id.strip_prefix(PREFIX).is_some_and(|rest| {
        rest == "teach"
            || rest.starts_with("talt:")
            || rest.starts_with("tpick:")
            || rest.starts_with("tnew:")
    })
}

/// What the adapter needs for the moderator tools.
pub struct Admin {
    /// The folder every change goes through.
    pub folder: Arc<FaqFolder>,
    history: Option<Arc<History>>,
    gaps: Option<Arc<Gaps>>,
    settings: AdminSettings,
    reports: Option<mpsc::UnboundedSender<String>>,
    pending: Mutex<HashMap<u64, Pending>>,
    next_pending: AtomicU64,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// An ephemeral admin answer: text in an embed, and buttons.
#[derive(Debug, Clone, Default)]
pub struct AdminReply {
    /// Embeds (the first holds the text).
    pub embeds: Vec<CreateEmbed>,
    /// Buttons.
    pub components: Vec<CreateActionRow>,
    /// A picture shown in the first embed: a PNG, uploaded with the reply as
    /// [`IMAGE_FILE`].
    pub image: Option<Vec<u8>>,
}

/// The file name of an admin reply's picture.
pub const IMAGE_FILE: &str = "chart.png";

impl AdminReply {
    /// A plain note.
    pub fn note(text: &str) -> AdminReply {
        AdminReply {
            embeds: vec![admin_embed(None, text)],
            ..AdminReply::default()
        }
    }

    /// A titled note.
    pub fn titled(title: &str, text: &str) -> AdminReply {
        AdminReply {
            embeds: vec![admin_embed(Some(title), text)],
            ..AdminReply::default()
        }
    }

    /// The same reply with `png` shown in its first embed.
    pub fn with_image(mut self, png: Vec<u8>) -> AdminReply {
        if let Some(first) = self.embeds.first_mut() {
            *first = first.clone().image(format!("attachment://{IMAGE_FILE}"));
        }
        self.image = Some(png);
        self
    }
}

/// An embed for moderators (no disclaimer: it is not advice).
fn admin_embed(title: Option<&str>, text: &str) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .colour(Colour::new(0x455A64))
        .description(render::truncate(
            if text.trim().is_empty() { "-" } else { text },
            limits::DESCRIPTION,
        ));
    if let Some(title) = title {
        embed = embed.title(render::truncate(title, limits::TITLE));
    }
    embed
}

/// Whether `member` may use `/faq-admin`: Manage Messages or Administrator
/// in the channel, or the moderator role. Outside a guild: never.
pub fn is_moderator(member: Option<&Member>, moderator_role: Option<u64>) -> bool {
    let Some(member) = member else {
        return false;
    };
    let by_permission = member.permissions.is_some_and(|p| {
        p.contains(Permissions::MANAGE_MESSAGES) || p.contains(Permissions::ADMINISTRATOR)
    });
    let by_role = moderator_role.is_some_and(|role| member.roles.iter().any(|r| r.get() == role));
    by_permission || by_role
}

/// Splits text into messages of at most `max` characters, at line ends
/// where possible.
pub fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = render::truncate(line, max);
        if !current.is_empty() && current.chars().count() + line.chars().count() + 1 > max {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// Posts each report summary it receives to the moderator log channel.
pub async fn post_reports(
    http: Arc<Http>,
    channel: Option<u64>,
    mut summaries: mpsc::UnboundedReceiver<String>,
) {
    while let Some(summary) = summaries.recv().await {
        let Some(channel) = channel else {
            continue;
        };
        for chunk in chunks(&summary, limits::CONTENT - 10) {
            let message = CreateMessage::new()
                .content(chunk)
                .allowed_mentions(no_pings());
            if let Err(error) = ChannelId::new(channel).send_message(&http, message).await {
                tracing::warn!(%error, channel_id = channel, "could not post to the moderator log channel");
                break;
            }
        }
    }
}

impl Admin {
    /// Opens the history and gaps stores named in `config.admin` (a store
    /// that cannot be opened is logged and left out: the bot keeps
    /// answering) and the FAQ folder handle. Blocking.
    pub fn open(
        engine: &Engine,
        config: &Config,
        reports: Option<mpsc::UnboundedSender<String>>,
    ) -> Admin {
        let settings = config.admin.clone();
        let history = match History::open_for(&settings) {
            Ok(history) => Some(Arc::new(history)),
            Err(error) => {
                tracing::error!(%error, database = %settings.store_label(), "cannot open the change history; FAQ changes will not be recorded");
                None
            }
        };
        let gaps = match Gaps::open(&settings, SystemTime::now()) {
            Ok(gaps) => Some(Arc::new(gaps)),
            Err(error) => {
                tracing::error!(%error, database = %settings.store_label(), "cannot open the gaps store; answer counts and gaps will not be recorded");
                None
            }
        };
        let folder = Arc::new(FaqFolder::new(engine, config, history.clone()));
        Admin {
            folder,
            history,
            gaps,
            settings,
            reports,
            pending: Mutex::new(HashMap::new()),
            next_pending: AtomicU64::new(1),
        }
    }

    /// Starts the watcher on the FAQ folder; reports worth telling go to
    /// the moderator log channel.
    pub fn watch(&self, engine: Arc<Engine>) -> Option<FaqWatcher> {
        let reports = self.reports.clone();
        let started = FaqWatcher::start(
            Arc::clone(&self.folder),
            engine,
            self.settings.reload_debounce(),
            move |report: &ReloadReport| {
                if let Some(reports) = &reports {
                    let _ = reports.send(report.summary());
                }
            },
        );
        match started {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                tracing::error!(%error, "cannot watch the FAQ folder; use /faq-admin reload after changes");
                None
            }
        }
    }

    /// The gaps store, when open.
    pub fn gaps(&self) -> Option<&Arc<Gaps>> {
        self.gaps.as_ref()
    }

    /// Whether unanswered messages are stored.
    pub fn gaps_enabled(&self) -> bool {
        self.settings.gaps_enabled && self.gaps.is_some()
    }

    /// The moderator role.
    pub fn moderator_role(&self) -> Option<u64> {
        self.settings.moderator_role_id
    }

    fn pending(&self) -> MutexGuard<'_, HashMap<u64, Pending>> {
        crate::locks::lock(&self.pending)
    }

    /// Keeps a previewed change; returns its key for the buttons.
    fn keep(&self, change: Change, owner: u64, gap: Option<i64>) -> u64 {
        let key = self.next_pending.fetch_add(1, Ordering::Relaxed);
        let mut pending = self.pending();
        pending.retain(|_, p| p.created.elapsed() < PENDING_FOR);
        pending.insert(
            key,
            Pending {
                change,
                owner,
                created: Instant::now(),
                gap,
            },
        );
        key
    }

    /// Takes a previewed change back, if it is `owner`'s and still fresh,
    /// with the unanswered message it teaches.
    fn take(&self, key: u64, owner: u64) -> Option<(Change, Option<i64>)> {
        let mut pending = self.pending();
        match pending.get(&key) {
            Some(p) if p.owner == owner && p.created.elapsed() < PENDING_FOR => {
                pending.remove(&key).map(|p| (p.change, p.gap))
            }
            _ => None,
        }
    }

    /// Tells the log channel about a reload (from `/faq-admin reload`).
    fn tell(&self, report: &ReloadReport) {
        if report.is_news()
            && let Some(reports) = &self.reports
        {
            let _ = reports.send(report.summary());
        }
    }

    /// `/faq-admin reload`. Blocking.
    /// Reloads here, then asks every other process sharing the admin
    /// database to reload too, and shows which version each serves (after
    /// waiting up to two seconds for them to agree).
    pub fn reload(&self, engine: &Engine) -> AdminReply {
        let report = self.folder.reload(engine, SystemTime::now());
        self.tell(&report);
        let title = if report.is_rejected() {
            "Reload rejected"
        } else {
            "Reload"
        };
        let mut text = report.summary();
        if let Some(history) = &self.history
            && self.folder.request_reload(SystemTime::now())
        {
            let mine = self.folder.version();
            let deadline = Instant::now() + Duration::from_secs(2);
            let served = loop {
                let served = history.served_versions(SystemTime::now());
                let agreed = served
                    .as_ref()
                    .is_ok_and(|served| served.iter().all(|s| s.version == mine));
                if agreed || Instant::now() >= deadline {
                    break served;
                }
                std::thread::sleep(Duration::from_millis(200));
            };
            match served {
                Ok(served) => {
                    text.push('\n');
                    text.push_str(&crate::admin::cli::versions_text(&served));
                }
                Err(error) => tracing::warn!(%error, "could not read the served versions"),
            }
        }
        AdminReply::titled(title, &text)
    }

    /// `/faq-admin history [id]`. Blocking.
    pub fn history(&self, id: Option<&str>) -> AdminReply {
        let Some(history) = &self.history else {
            return AdminReply::note("The change history is not available (see the bot's log).");
        };
        let rows = match history.list(id) {
            Ok(rows) => rows,
            Err(error) => {
                tracing::error!(%error, "cannot read the history");
                return AdminReply::note("Could not read the change history (see the bot's log).");
            }
        };
        let title = match id {
            Some(id) => format!("History of `{id}`"),
            None => "History".to_owned(),
        };
        if rows.is_empty() {
            return AdminReply::titled(&title, "No recorded changes.");
        }
        let mut out = String::new();
        for row in rows.iter().take(HISTORY_SHOWN) {
            out.push_str(&format!(
                "**#{}** {} · `{}` {}, {}\n",
                row.number,
                row.at,
                row.entry_id,
                row.kind.as_str(),
                row.author()
            ));
            let diff = render::truncate(&row.diff(), 600);
            if !diff.trim().is_empty() {
                out.push_str(&format!("```diff\n{}\n```\n", diff.replace("```", "'''")));
            }
        }
        if rows.len() > HISTORY_SHOWN {
            out.push_str(&format!(
                "… and {} older change(s): `faqbot history` shows them all.",
                rows.len() - HISTORY_SHOWN
            ));
        }
        AdminReply::titled(&title, &out)
    }

    /// `/faq-admin gaps`. Blocking.
    pub fn gaps_report(&self, engine: &Engine) -> AdminReply {
        let Some(gaps) = &self.gaps else {
            return AdminReply::note("The gaps store is not available (see the bot's log).");
        };
        let knowledge = engine.knowledge();
        let report = match gaps.report(Some(&knowledge), SystemTime::now()) {
            Ok(report) => report,
            Err(error) => {
                tracing::error!(%error, "cannot read the gaps");
                return AdminReply::note("Could not read the gaps (see the bot's log).");
            }
        };
        let mut out = String::new();
        if !report.enabled {
            out.push_str(
                "Storing unanswered messages is off (`admin.gaps_enabled` in the config).\n",
            );
        }
        out.push_str(&format!(
            "{} message(s) in the last {} days, {} group(s).\n",
            report.n_messages,
            report.retention_days,
            report.groups.len()
        ));
        let mut options = Vec::new();
        for group in report.groups.iter().take(GROUPS_SHOWN) {
            out.push_str(&format!(
                "\n**{}×** ({} got a suggestion) {}\n",
                group.count,
                group.n_suggested,
                group.common_words.join(", ")
            ));
            for example in &group.examples {
                out.push_str(&format!(
                    "- `#{}` {} “{}”\n",
                    example.id,
                    example.date,
                    render::truncate(&example.text, 150)
                ));
                if options.len() < MAX_OPTIONS {
                    options.push(teach_option(
                        example,
                        group.nearest.as_ref().map(|n| n.id.as_str()),
                    ));
                }
            }
            if let Some(nearest) = &group.nearest {
                out.push_str(&format!(
                    "  nearest entry: `{}` ({})\n",
                    nearest.id,
                    render::truncate(&nearest.question, 100)
                ));
            }
        }
        let mut reply = AdminReply::titled("What the bot could not answer", &out);
        if report.enabled && !options.is_empty() {
            reply.components.push(CreateActionRow::SelectMenu(
                CreateSelectMenu::new(
                    format!("{PREFIX}teach"),
                    CreateSelectMenuKind::String { options },
                )
                .placeholder("Teach the bot one of these messages…"),
            ));
        }
        reply
    }

    /// A teach click on `/faq-admin gaps` (`values`: a select menu's
    /// choice): the teach panel of a message, or the entry's edit form with
    /// the message added to its alternates, or the add form with the message
    /// as the question. Blocking.
    pub fn teach_click(&self, engine: &Engine, custom_id: &str, values: &[String]) -> TeachStep {
        let reply = |text: &str| TeachStep::Reply(AdminReply::note(text));
        if !self.gaps_enabled() {
            return reply(text::GAPS_OFF);
        }
        let rest = custom_id.strip_prefix(PREFIX).unwrap_or_default();
        let chosen = values.first().map(String::as_str).unwrap_or_default();
        if rest == "teach" {
            let (gap, nearest) = match chosen.split_once(':') {
                Some((gap, nearest)) => (gap, Some(nearest)),
                None => (chosen, None),
            };
            return match gap.parse::<i64>() {
                Ok(gap) => TeachStep::Reply(self.teach_panel(engine, gap, nearest)),
                Err(_) => reply(text::EXPIRED),
            };
        }
        let parsed = if let Some(rest) = rest.strip_prefix("talt:") {
            rest.split_once(':')
                .and_then(|(gap, entry)| Some((gap.parse::<i64>().ok()?, Some(entry))))
        } else if let Some(gap) = rest.strip_prefix("tpick:") {
            gap.parse::<i64>()
                .ok()
                .map(|gap| (gap, Some(chosen).filter(|c| !c.is_empty())))
        } else if let Some(gap) = rest.strip_prefix("tnew:") {
            gap.parse::<i64>().ok().map(|gap| (gap, None))
        } else {
            None
        };
        match parsed {
            Some((gap, Some(entry))) => self.teach_alternate_modal(engine, gap, entry),
            Some((gap, None)) if rest.starts_with("tnew:") => self.teach_new_modal(engine, gap),
            _ => reply(text::EXPIRED),
        }
    }

    /// The stored message `gap`, or the reply saying why there is none.
    fn gap_message(&self, gap: i64) -> Result<GapMessage, AdminReply> {
        let Some(gaps) = &self.gaps else {
            return Err(AdminReply::note(
                "The gaps store is not available (see the bot's log).",
            ));
        };
        match gaps.message(gap, SystemTime::now()) {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(AdminReply::note(&format!(
                "Message #{gap} is no longer stored: it was already taught, or is older than {} \
                 days. Run `/faq-admin gaps` again.",
                self.settings.gaps_retention_days
            ))),
            Err(error) => {
                tracing::error!(%error, gap_id = gap, "cannot read a stored message");
                Err(AdminReply::note(
                    "Could not read the gaps (see the bot's log).",
                ))
            }
        }
    }

    /// What can be done with the message `gap`: add it as an alternate of
    /// the nearest entry (`nearest`, from the report, else the matcher's
    /// best) or of another one, or start a new entry. Blocking.
    pub fn teach_panel(&self, engine: &Engine, gap: i64, nearest: Option<&str>) -> AdminReply {
        let message = match self.gap_message(gap) {
            Ok(message) => message,
            Err(reply) => return reply,
        };
        let knowledge = engine.knowledge();
        let ranked: Vec<String> = knowledge
            .matcher
            .rank(&message.text)
            .into_iter()
            .map(|candidate| candidate.id)
            .collect();
        let nearest = nearest
            .filter(|id| knowledge.faq.get(id).is_some())
            .map(str::to_owned)
            .or_else(|| ranked.first().cloned());
        let mut out = format!(
            "“{}”\n{}\n\nAdd it as an alternate phrasing of an entry (opens the entry's form \
             with it added), or start a new entry with it as the question. You see a preview, \
             with the self-test, before anything is saved; once saved, the message leaves the \
             gaps report.",
            render::truncate(&message.text, 1500),
            message.date
        );
        if let Some(nearest) = &nearest
            && let Some(entry) = knowledge.faq.get(nearest)
        {
            out.push_str(&format!(
                "\n\nNearest entry: `{nearest}` ({})",
                render::truncate(&entry.question, 150)
            ));
        }
        if knowledge.faq.entries.len() > MAX_OPTIONS {
            out.push_str(&format!(
                "\n\nThe menu lists {MAX_OPTIONS} entries, nearest first; for another one, run \
                 `faqbot teach {gap} --to ENTRY` where the FAQ files are."
            ));
        }
        let mut buttons = Vec::new();
        if let Some(nearest) = &nearest {
            let custom_id = format!("{PREFIX}talt:{gap}:{nearest}");
            if custom_id.len() <= 100 {
                buttons.push(
                    CreateButton::new(custom_id)
                        .label(render::truncate(
                            &format!("Add as alternate to {nearest}"),
                            80,
                        ))
                        .style(ButtonStyle::Primary),
                );
            }
        }
        buttons.push(
            CreateButton::new(format!("{PREFIX}tnew:{gap}"))
                .label("New entry")
                .style(ButtonStyle::Secondary),
        );
        let mut ids: Vec<&str> = Vec::new();
        for id in ranked.iter().map(String::as_str).chain(knowledge.faq.ids()) {
            if !ids.contains(&id) && ids.len() < MAX_OPTIONS {
                ids.push(id);
            }
        }
        let options: Vec<CreateSelectMenuOption> = ids
            .iter()
            .filter_map(|id| {
                let entry = knowledge.faq.get(id)?;
                Some(CreateSelectMenuOption::new(
                    render::truncate(&format!("{id}: {}", entry.question), 100),
                    *id,
                ))
            })
            .collect();
        let mut components = vec![CreateActionRow::Buttons(buttons)];
        if !options.is_empty() {
            components.push(CreateActionRow::SelectMenu(
                CreateSelectMenu::new(
                    format!("{PREFIX}tpick:{gap}"),
                    CreateSelectMenuKind::String { options },
                )
                .placeholder("…or add it as an alternate of another entry"),
            ));
        }
        AdminReply {
            embeds: vec![admin_embed(
                Some(&format!("Teach the bot: message #{gap}")),
                &out,
            )],
            components,
            image: None,
        }
    }

    /// The edit form of `entry_id` with the message `gap` added to its
    /// alternates. Blocking.
    fn teach_alternate_modal(&self, engine: &Engine, gap: i64, entry_id: &str) -> TeachStep {
        let message = match self.gap_message(gap) {
            Ok(message) => message,
            Err(reply) => return TeachStep::Reply(reply),
        };
        let (form, change) =
            match teach::alternate_change(&self.folder, engine, entry_id, &message.text) {
                Ok(found) => found,
                Err(error) => return TeachStep::Reply(AdminReply::note(&error.to_string())),
            };
        let Change::Edit { draft, .. } = &change else {
            return TeachStep::Reply(AdminReply::note(text::EXPIRED));
        };
        let alternates = draft.alternates.join("\n");
        if form.answer.chars().count() > 4000
            || form.question.chars().count() > 4000
            || alternates.chars().count() > 4000
        {
            return TeachStep::Reply(AdminReply::note(&format!(
                "`{entry_id}` is too long to edit in a Discord form (4,000 characters at most); \
                 use `faqbot teach {gap} --to {entry_id}` or edit {} instead.",
                form.path.display()
            )));
        }
        let custom_id = format!("{PREFIX}tedit:{gap}:{}:{}", form.id, form.version);
        if custom_id.len() > 100 {
            return TeachStep::Reply(AdminReply::note(&format!(
                "The id `{entry_id}` is too long for a Discord form; use `faqbot teach {gap} \
                 --to {entry_id}` instead."
            )));
        }
        TeachStep::Modal(modal(
            custom_id,
            &format!("Teach #{gap} to {}", form.id),
            None,
            &draft.question,
            &draft.answer,
            &alternates,
            Some(&form.keywords_text()),
        ))
    }

    /// The add form with the message `gap` as the question and an id
    /// suggested from its words. Blocking.
    fn teach_new_modal(&self, engine: &Engine, gap: i64) -> TeachStep {
        let message = match self.gap_message(gap) {
            Ok(message) => message,
            Err(reply) => return TeachStep::Reply(reply),
        };
        let question = render::truncate(&teach::as_phrasing(&message.text), 300);
        let id = teach::suggest_id(&message.text, &engine.knowledge().faq);
        TeachStep::Modal(modal(
            format!("{PREFIX}tadd:{gap}"),
            &format!("New entry from #{gap}"),
            Some(&id),
            &question,
            "",
            "",
            None,
        ))
    }

    /// `/faq-admin stats`. Blocking.
    pub fn stats(&self, engine: &Engine) -> AdminReply {
        let Some(gaps) = &self.gaps else {
            return AdminReply::note("The answer counts are not available (see the bot's log).");
        };
        let knowledge = engine.knowledge();
        let now = SystemTime::now();
        let uses = match gaps.stats(Some(&knowledge.faq), now) {
            Ok(uses) => uses,
            Err(error) => {
                tracing::error!(%error, "cannot read the answer counts");
                return AdminReply::note("Could not read the answer counts (see the bot's log).");
            }
        };
        let lines: Vec<String> = uses
            .iter()
            .map(|u| {
                let gone = if u.in_faq { "" } else { " (removed)" };
                format!("{:>5}  `{}`{gone}", u.count, u.entry_id)
            })
            .collect();
        let reply = AdminReply::titled(
            &format!(
                "Answers per entry, last {} days",
                self.settings.gaps_retention_days
            ),
            &lines.join("\n"),
        );
        // The chart is a help, not the answer: without it the counts stand.
        let chart = gaps
            .daily(now)
            .map_err(|error| error.to_string())
            .and_then(|days| {
                let chart = UsageChart {
                    days: &days,
                    uses: &uses,
                };
                chart.png().map_err(|error| error.to_string())
            });
        match chart {
            Ok(png) => reply.with_image(png),
            Err(error) => {
                tracing::error!(%error, "cannot draw the stats chart");
                reply
            }
        }
    }

    /// The modal of `/faq-admin edit <id>`, pre-filled, or why not. Blocking.
    pub fn edit_modal(
        &self,
        engine: &Engine,
        id: &str,
    ) -> Result<serenity::all::CreateModal, String> {
        let form = self
            .folder
            .open_entry(engine, id)
            .map_err(|e| e.to_string())?;
        if form.answer.chars().count() > 4000 || form.question.chars().count() > 4000 {
            return Err(format!(
                "`{id}` is too long to edit in a Discord form (4,000 characters at most); edit {} instead.",
                form.path.display()
            ));
        }
        let custom_id = format!("{PREFIX}edit:{id}:{}", form.version);
        if custom_id.len() > 100 {
            return Err(format!(
                "The id `{id}` is too long for a Discord form; edit the file instead."
            ));
        }
        Ok(modal(
            custom_id,
            &format!("Edit {id}"),
            None,
            &form.question,
            &form.answer,
            &form.alternates_text(),
            Some(&form.keywords_text()),
        ))
    }

    /// The modal of `/faq-admin add`.
    pub fn add_modal() -> serenity::all::CreateModal {
        modal(
            format!("{PREFIX}add"),
            "Add an FAQ entry",
            Some(""),
            "",
            "",
            "",
            None,
        )
    }

    /// A submitted modal: the change it asks for, previewed, with Save /
    /// Cancel buttons when it can be saved. Blocking.
    pub fn submitted(&self, engine: &Engine, modal: &ModalInteraction, owner: u64) -> AdminReply {
        let values = modal_values(modal);
        let get = |name: &str| values.get(name).cloned().unwrap_or_default();
        let Some(rest) = modal.data.custom_id.strip_prefix(PREFIX) else {
            return AdminReply::note(text::EXPIRED);
        };
        // A form opened from the gaps report carries the message it teaches.
        let (gap, rest) = if let Some(gap) = rest.strip_prefix("tadd:") {
            match gap.parse::<i64>() {
                Ok(gap) => (Some(gap), "add".to_owned()),
                Err(_) => return AdminReply::note(text::EXPIRED),
            }
        } else if let Some(tail) = rest.strip_prefix("tedit:") {
            match tail
                .split_once(':')
                .and_then(|(gap, edit)| Some((gap.parse::<i64>().ok()?, edit)))
            {
                Some((gap, edit)) => (Some(gap), format!("edit:{edit}")),
                None => return AdminReply::note(text::EXPIRED),
            }
        } else {
            (None, rest.to_owned())
        };
        let rest = rest.as_str();
        let change = if rest == "add" {
            let draft = EntryDraft::from_text(
                &get(field::QUESTION),
                &get(field::ANSWER),
                &get(field::ALTERNATES),
                &get(field::KEYWORDS),
            );
            let sources = match split_sources(&get(field::SOURCES)) {
                Ok(sources) => sources,
                Err(bad) => {
                    return AdminReply::titled(
                        "Not saved: a source needs a title and an address",
                        &format!(
                            "Write one source per line, a title then its address, like \
                             `NHS: Sciatica https://www.nhs.uk/conditions/sciatica/`. \
                             These lines have no address:\n{}",
                            bad.join("\n")
                        ),
                    );
                }
            };
            Change::Add(NewEntry {
                id: get(field::ID).trim().to_owned(),
                question: draft.question,
                answer: draft.answer,
                alternates: draft.alternates,
                keywords: draft.keywords,
                see_also: Vec::new(),
                sources,
            })
        } else if let Some(rest) = rest.strip_prefix("edit:")
            && let Some((id, version)) = rest.rsplit_once(':')
        {
            Change::Edit {
                id: id.to_owned(),
                base_version: version.to_owned(),
                draft: EntryDraft::from_text(
                    &get(field::QUESTION),
                    &get(field::ANSWER),
                    &get(field::ALTERNATES),
                    &get(field::KEYWORDS),
                ),
            }
        } else {
            return AdminReply::note(text::EXPIRED);
        };
        self.preview(engine, change, owner, gap)
    }

    /// `/faq-admin remove <id>`: a preview of the removal. Blocking.
    pub fn remove(&self, engine: &Engine, id: &str, owner: u64) -> AdminReply {
        match self.folder.open_entry(engine, id) {
            Ok(form) => self.preview(
                engine,
                Change::Remove {
                    id: id.to_owned(),
                    base_version: form.version,
                },
                owner,
                None,
            ),
            Err(error) => AdminReply::note(&error.to_string()),
        }
    }

    /// The preview of a change, with Save / Cancel when it can be saved.
    /// `gap`: the unanswered message the change teaches.
    fn preview(&self, engine: &Engine, change: Change, owner: u64, gap: Option<i64>) -> AdminReply {
        let id = change.id().to_owned();
        let preview = match self.folder.preview(engine, &change) {
            Ok(preview) => preview,
            Err(error) => return edit_error(&error),
        };
        let mut embeds = Vec::new();
        let what = match &change {
            Change::Add(_) => "add",
            Change::Edit { .. } => "edit",
            Change::Remove { .. } => "remove",
        };
        if !preview.problems.is_empty() {
            let list: Vec<String> = preview.problems.iter().map(ToString::to_string).collect();
            return AdminReply::titled(
                &format!("Cannot {what} `{id}`: {} problem(s)", list.len()),
                &format!("{}\n\nNothing was saved.", list.join("\n")),
            );
        }
        let diff = render::truncate(&preview.diff, 1800).replace("```", "'''");
        let taught = match gap {
            Some(gap) => {
                format!("Teaching message #{gap}: once saved, it leaves the gaps report.\n")
            }
            None => String::new(),
        };
        embeds.push(admin_embed(
            Some(&format!("Preview: {what} `{id}`")),
            &format!(
                "{taught}This is what people will see. Save to write it to the FAQ file, or Cancel.\n```diff\n{diff}\n```"
            ),
        ));
        if let Some(reply) = &preview.reply {
            embeds.push(render::embed(reply));
        }
        if !preview.warnings.is_empty() {
            embeds.push(admin_embed(
                Some(&format!(
                    "Self-test: {} phrasing(s) would not get `{id}`",
                    preview.warnings.len()
                )),
                &self_test_lines(&preview.warnings),
            ));
        }
        let key = self.keep(change, owner, gap);
        let label = if what == "remove" { "Remove" } else { "Save" };
        let style = if what == "remove" {
            ButtonStyle::Danger
        } else {
            ButtonStyle::Success
        };
        AdminReply {
            embeds,
            components: vec![CreateActionRow::Buttons(vec![
                CreateButton::new(format!("{PREFIX}save:{key}"))
                    .label(label)
                    .style(style),
                CreateButton::new(format!("{PREFIX}cancel:{key}"))
                    .label("Cancel")
                    .style(ButtonStyle::Secondary),
            ])],
            image: None,
        }
    }

    /// A Save or Cancel click. `who` is the moderator's user name (kept in
    /// the history). Blocking.
    pub fn clicked(&self, engine: &Engine, custom_id: &str, owner: u64, who: &str) -> AdminReply {
        let rest = custom_id.strip_prefix(PREFIX).unwrap_or_default();
        let (action, key) = rest.split_once(':').unwrap_or((rest, ""));
        let Ok(key) = key.parse::<u64>() else {
            return AdminReply::note(text::EXPIRED);
        };
        let Some((change, gap)) = self.take(key, owner) else {
            return AdminReply::note(text::EXPIRED);
        };
        match action {
            "save" => match self.folder.save(engine, &change, who, SystemTime::now()) {
                Ok(saved) => {
                    self.tell(&saved.report);
                    let mut out = if saved.written {
                        format!("Saved `{}` to the FAQ file.\n", saved.id)
                    } else {
                        format!(
                            "`{}`: the change changed nothing; nothing written.\n",
                            saved.id
                        )
                    };
                    if let Some(gap) = gap {
                        out.push_str(&self.mark_taught(gap, &saved.id));
                    }
                    out.push_str(&saved.report.summary());
                    AdminReply::titled("Saved", &out)
                }
                Err(error) => edit_error(&error),
            },
            _ => AdminReply::note(text::CANCELLED),
        }
    }
}

impl Admin {
    /// Marks the message `gap` taught after a save of `entry_id`; the line
    /// that says so.
    fn mark_taught(&self, gap: i64, entry_id: &str) -> String {
        let Some(gaps) = &self.gaps else {
            return String::new();
        };
        match gaps.mark_taught(gap) {
            Ok(_) => {
                tracing::info!(gap_id = gap, faq_id = entry_id, "taught from the gaps");
                format!("Message #{gap} is marked taught: the gaps report no longer lists it.\n")
            }
            Err(error) => {
                tracing::error!(%error, gap_id = gap, "cannot mark a message taught");
                format!("Message #{gap} could not be marked taught (see the bot's log).\n")
            }
        }
    }
}

/// One message of the gaps report in the teach menu: its id and text, and
/// the nearest entry of its group (carried to the teach panel).
fn teach_option(example: &GapMessage, nearest: Option<&str>) -> CreateSelectMenuOption {
    let value = match nearest {
        Some(nearest) if nearest.len() < 80 => format!("{}:{nearest}", example.id),
        _ => example.id.to_string(),
    };
    let label = render::truncate(
        &format!("#{} {}", example.id, teach::as_phrasing(&example.text)),
        100,
    );
    let option = CreateSelectMenuOption::new(label, value);
    match nearest {
        Some(nearest) => option.description(render::truncate(&format!("nearest: {nearest}"), 100)),
        None => option,
    }
}

/// A refused change, said clearly.
/// Self-test warnings as a moderator reads them in Discord: the reason,
/// without the file path or the "warning:" prefix, cut to fit an embed.
fn self_test_lines(warnings: &[crate::problem::Problem]) -> String {
    let lines: Vec<String> = warnings
        .iter()
        .map(|warning| {
            let message = warning.message.as_str();
            let message = message
                .strip_prefix("warning: self-test: ")
                .unwrap_or(message);
            format!("- {message}")
        })
        .collect();
    render::truncate(
        &format!(
            "{}\n\nYou can still save. To fix: make the phrasing more specific, move it to the \
             entry that wins, or see faq/README.md (self-test warnings).",
            lines.join("\n")
        ),
        3800,
    )
}

fn edit_error(error: &EditError) -> AdminReply {
    let title = match error {
        EditError::Conflict(_) => "Conflict: someone else changed this entry",
        EditError::Invalid(_) => "Not saved: the change has problems",
        _ => "Not saved",
    };
    AdminReply::titled(title, &error.to_string())
}

/// The text box values of a submitted modal, by custom id.
fn modal_values(modal: &ModalInteraction) -> HashMap<String, String> {
    use serenity::all::ActionRowComponent;
    modal
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|component| match component {
            ActionRowComponent::InputText(input) => Some((
                input.custom_id.clone(),
                input.value.clone().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect()
}

/// The add / edit modal. `id` is `Some` for add (a text box for the id);
/// `keywords` is `Some` for edit, and add asks for sources instead (a
/// modal holds at most five boxes).
fn modal(
    custom_id: String,
    title: &str,
    id: Option<&str>,
    question: &str,
    answer: &str,
    alternates: &str,
    keywords: Option<&str>,
) -> serenity::all::CreateModal {
    let input = |style, label: &str, custom: &str, value: &str, required: bool, max: u16| {
        let mut input = CreateInputText::new(style, label, custom)
            .required(required)
            .max_length(max);
        if !value.is_empty() {
            input = input.value(value);
        }
        CreateActionRow::InputText(input)
    };
    let mut rows = Vec::new();
    if let Some(id) = id {
        rows.push(input(
            InputTextStyle::Short,
            "Id (lower-case, dashes)",
            field::ID,
            id,
            true,
            80,
        ));
    }
    rows.push(input(
        InputTextStyle::Short,
        "Question",
        field::QUESTION,
        question,
        true,
        300,
    ));
    rows.push(input(
        InputTextStyle::Paragraph,
        "Answer",
        field::ANSWER,
        answer,
        true,
        4000,
    ));
    rows.push(input(
        InputTextStyle::Paragraph,
        "Alternate phrasings (one per line)",
        field::ALTERNATES,
        alternates,
        false,
        4000,
    ));
    rows.push(match keywords {
        Some(keywords) => input(
            InputTextStyle::Paragraph,
            "Keywords (comma-separated)",
            field::KEYWORDS,
            keywords,
            false,
            1000,
        ),
        None => input(
            InputTextStyle::Paragraph,
            "Sources (one per line: title, then address)",
            field::SOURCES,
            "",
            true,
            2000,
        ),
    });
    serenity::all::CreateModal::new(custom_id, render::truncate(title, 45)).components(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_the_limit() {
        let text = "a\n".repeat(3000);
        let parts = chunks(&text, 100);
        assert!(parts.iter().all(|p| p.chars().count() <= 100));
        assert_eq!(parts.concat().matches('a').count(), 3000);
    }

    #[test]
    fn nobody_outside_a_guild_is_a_moderator() {
        assert!(!is_moderator(None, Some(1)));
    }

    #[test]
    fn teach_ids_are_told_from_save_and_cancel() {
        for id in [
            "faqadmin:v1:teach",
            "faqadmin:v1:talt:3:sciatica",
            "faqadmin:v1:tpick:3",
            "faqadmin:v1:tnew:3",
        ] {
            assert!(is_teach_click(id), "{id}");
        }
        for id in [
            "faqadmin:v1:save:3",
            "faqadmin:v1:cancel:3",
            "faqadmin:v1:teacher",
            "faqbot:v1:teach",
            "",
        ] {
            assert!(!is_teach_click(id), "{id}");
        }
    }

    #[test]
    fn a_teach_option_fits_discords_limits() {
        let example = GapMessage {
            id: i64::MAX,
            date: "2026-01-01".to_owned(),
            channel_id: 1,
            decision: crate::admin::GapDecision::None,
            text: "why does it hurt ".repeat(40),
        };
        for nearest in [None, Some("a".repeat(79)), Some("b".repeat(90))] {
            let option = teach_option(&example, nearest.as_deref());
            let value = serde_json::to_value(option).expect("serialises");
            for key in ["label", "value", "description"] {
                let text = value[key].as_str().unwrap_or_default();
                assert!(text.chars().count() <= 100, "{key}: {text}");
            }
            assert!(
                value["value"]
                    .as_str()
                    .is_some_and(|v| v.starts_with(&i64::MAX.to_string()))
            );
        }
    }
}
