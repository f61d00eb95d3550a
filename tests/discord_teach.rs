//! Teach from the gaps on the fake Discord (tests/support): a moderator
//! picks an unanswered message in `/faq-admin gaps`, adds it as an
//! alternate of an entry or starts a new entry from it through the usual
//! form, preview (with the self-test) and Save; the message leaves the
//! report and the bot answers it. The setup follows tests/discord_e2e.rs.

#![cfg(feature = "discord")]

mod support;

use std::future::Future;
use std::time::Duration;

use faqbot::admin::{AdminSettings, ChangeKind, Gaps, History};
use faqbot::config::Config;
use serde_json::{Value, json};
use support::{
    AsMember, FakeDiscord, GUILD_ID, MANAGE_MESSAGES, ORDINARY, RunningBot, Scratch, user_json,
};

const PERSON: u64 = 500_000_000_000_000_001;
const MODERATOR: u64 = 500_000_000_000_000_009;
const CHANNEL: u64 = 600_000_000_000_000_001;
const ANSWER_CHANNEL: u64 = 600_000_000_000_000_002;
const TEST_LIMIT: Duration = Duration::from_secs(90);

/// Only a "did you mean" today; answered once it is an alternate of
/// `cramp-supplements`.
const TAUGHT: &str = "is tonic water good for night cramps";
const TAUGHT_ENTRY: &str = "cramp-supplements";
/// No entry is near it.
const TOASTER: &str = "my toaster hums at night";
/// Not answered today, and not even as an alternate of `sciatica`: the
/// topic gate reads "skin" as off-topic, and the self-test says so.
const GENERIC: &str = "itchy skin on my calves";

impl Scratch {
    fn config(&self, fake: &FakeDiscord, gaps_enabled: bool) -> Config {
        let mut config = Config {
            faq_dir: self.faq.clone(),
            ..Config::default()
        };
        config.safety.emergency_number = Some("999".to_owned());
        config.discord.api_base_url = fake.base_url();
        config.discord.answer_channels = vec![ANSWER_CHANNEL];
        config.admin.database = self.database.clone();
        config.admin.gaps_enabled = gaps_enabled;
        config
    }

    fn read(&self, id: &str) -> String {
        std::fs::read_to_string(self.entry(id)).unwrap_or_default()
    }

    fn settings(&self) -> AdminSettings {
        AdminSettings {
            database: self.database.clone(),
            gaps_enabled: true,
            ..AdminSettings::default()
        }
    }

    /// The id of the stored message `text`, waiting for the bot to store it.
    async fn gap_id(&self, text: &str) -> i64 {
        for _ in 0..100 {
            if let Some(gaps) = Gaps::open_read_only(&self.settings()).expect("opens") {
                let report = gaps
                    .report(None, std::time::SystemTime::now())
                    .expect("report");
                if let Some(found) = report
                    .groups
                    .iter()
                    .flat_map(|group| &group.examples)
                    .find(|example| example.text == text)
                {
                    return found.id;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the unanswered message {text:?} was not stored");
    }

    fn still_stored(&self, gap: i64) -> bool {
        Gaps::open_read_only(&self.settings())
            .expect("opens")
            .expect("exists")
            .message(gap, std::time::SystemTime::now())
            .expect("reads")
            .is_some()
    }
}

async fn start_bot(scratch: &Scratch, gaps_enabled: bool) -> RunningBot {
    let fake = FakeDiscord::start().await;
    let config = scratch.config(&fake, gaps_enabled);
    // The scratch folder removes the database when dropped.
    RunningBot::start(fake, config, |_| {}).await
}

async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("test finished in time");
}

fn moderator() -> AsMember<'static> {
    AsMember {
        user: MODERATOR,
        name: "mod-alice",
        permissions: ORDINARY | MANAGE_MESSAGES,
        roles: &[],
    }
}

fn ordinary_member() -> AsMember<'static> {
    AsMember {
        user: PERSON,
        name: "person",
        permissions: ORDINARY,
        roles: &[],
    }
}

fn sub(name: &str) -> Value {
    json!([{"name": name, "type": 1, "options": []}])
}

/// The callback body of interaction `id`.
async fn callback(fake: &FakeDiscord, from: usize, id: u64) -> Value {
    fake.wait_for_request(from, "POST", &format!("/interactions/{id}/"))
        .await
        .expect("the interaction was answered")
        .body
}

/// The message an admin interaction got (the callback's data, or the edit
/// of a deferred answer).
async fn admin_answer(fake: &FakeDiscord, from: usize, id: u64) -> Value {
    let body = callback(fake, from, id).await;
    match body["type"].as_u64() {
        Some(5 | 6) => {
            fake.wait_for_request(from, "PATCH", "/messages/@original")
                .await
                .expect("the deferred answer is edited in")
                .body
        }
        _ => body["data"].clone(),
    }
}

fn all_text(message: &Value) -> String {
    message["embeds"].to_string()
}

fn assert_no_pings(body: &Value) {
    assert_eq!(
        body["allowed_mentions"]["parse"],
        json!([]),
        "allowed mentions in {body}"
    );
}

/// Every component of a message, flattened.
fn components(message: &Value) -> Vec<Value> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn component(message: &Value, prefix: &str) -> Value {
    components(message)
        .into_iter()
        .find(|c| {
            c["custom_id"]
                .as_str()
                .is_some_and(|id| id.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("a component {prefix}… in {message}"))
}

/// The text boxes of a modal: custom id and pre-filled value.
fn modal_fields(modal: &Value) -> Vec<(String, String)> {
    modal["data"]["components"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap_or_default().to_owned(),
                input["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Posts `text` in the answer channel as a member (the bot stores it as
/// unanswered) and returns its gap id.
async fn leave_unanswered(fake: &FakeDiscord, scratch: &Scratch, text: &str) -> i64 {
    fake.send_message(
        ANSWER_CHANNEL,
        Some(GUILD_ID),
        user_json(PERSON, "person", false),
        text,
        Vec::new(),
    );
    scratch.gap_id(text).await
}

/// `/faq-admin gaps`, then the message `gap` picked in its teach menu: the
/// teach panel.
async fn teach_panel(fake: &FakeDiscord, gap: i64) -> Value {
    let mark = fake.mark();
    let (id, _) = fake.send_guild_command(2, moderator(), CHANNEL, "faq-admin", sub("gaps"));
    let report = admin_answer(fake, mark, id).await;
    assert!(all_text(&report).contains(&format!("#{gap}")), "{report}");
    assert_no_pings(&report);
    let menu = component(&report, "faqadmin:v1:teach");
    let value = menu["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|option| option["value"].as_str())
        .find(|value| value.split(':').next() == Some(gap.to_string().as_str()))
        .unwrap_or_else(|| panic!("message #{gap} in the teach menu: {menu}"))
        .to_owned();
    let mark = fake.mark();
    let (id, _) = fake.send_guild_select(moderator(), CHANNEL, "faqadmin:v1:teach", &[&value]);
    let body = callback(fake, mark, id).await;
    assert_eq!(body["type"], 4, "a message: {body}");
    assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
    assert_no_pings(&body["data"]);
    body["data"].clone()
}

/// Submits a modal and returns the preview.
async fn submit(fake: &FakeDiscord, modal: &Value, fields: &[(String, String)]) -> Value {
    let custom_id = modal["data"]["custom_id"].as_str().expect("custom id");
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mark = fake.mark();
    let (id, _) = fake.send_modal_submit(moderator(), CHANNEL, custom_id, &borrowed);
    let preview = admin_answer(fake, mark, id).await;
    assert_no_pings(&preview);
    preview
}

async fn click(fake: &FakeDiscord, custom_id: &str) -> Value {
    let mark = fake.mark();
    let (id, _) = fake.send_guild_click(moderator(), CHANNEL, custom_id);
    admin_answer(fake, mark, id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_teaches_a_message_as_an_alternate_and_the_bot_then_answers_it() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(&scratch, true).await;
        let fake = &bot.fake;
        let gap = leave_unanswered(fake, &scratch, TAUGHT).await;

        let panel = teach_panel(fake, gap).await;
        assert!(all_text(&panel).contains(TAUGHT), "{panel}");
        component(&panel, &format!("faqadmin:v1:tnew:{gap}"));
        // The nearest entry has its button; any entry can be chosen.
        component(&panel, &format!("faqadmin:v1:talt:{gap}:"));
        let pick = component(&panel, &format!("faqadmin:v1:tpick:{gap}"));
        assert!(pick.to_string().contains(TAUGHT_ENTRY), "{pick}");

        // Choosing the entry opens its edit form, the message added.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_select(
            moderator(),
            CHANNEL,
            &format!("faqadmin:v1:tpick:{gap}"),
            &[TAUGHT_ENTRY],
        );
        let modal = callback(fake, mark, id).await;
        assert_eq!(modal["type"], 9, "a modal: {modal}");
        let custom_id = modal["data"]["custom_id"].as_str().expect("id");
        assert!(
            custom_id.starts_with(&format!("faqadmin:v1:tedit:{gap}:{TAUGHT_ENTRY}:")),
            "{custom_id}"
        );
        let fields = modal_fields(&modal);
        assert!(
            field(&fields, "alternates").ends_with(&format!("\n{TAUGHT}")),
            "{fields:?}"
        );
        assert!(!field(&fields, "answer").is_empty());

        let preview = submit(fake, &modal, &fields).await;
        let text = all_text(&preview);
        assert!(text.contains(&format!("Teaching message #{gap}")), "{text}");
        assert!(text.contains(TAUGHT), "the diff: {text}");
        assert!(!text.contains("Self-test"), "no warning: {text}");
        assert!(
            !scratch.read(TAUGHT_ENTRY).contains(TAUGHT),
            "not saved yet"
        );
        let save = component(&preview, "faqadmin:v1:save:");
        let saved = click(fake, save["custom_id"].as_str().expect("id")).await;
        let text = all_text(&saved);
        assert!(text.contains("Saved"), "{text}");
        assert!(text.contains(&format!("#{gap} is marked taught")), "{text}");

        assert!(
            scratch
                .read(TAUGHT_ENTRY)
                .contains(&format!("\"{TAUGHT}\""))
        );
        let history = History::open_read_only(&scratch.database)
            .expect("opens")
            .expect("exists");
        let rows = history.list(Some(TAUGHT_ENTRY)).expect("lists");
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].kind, ChangeKind::Changed);
        assert_eq!(rows[0].who.as_deref(), Some("mod-alice"));
        assert!(!scratch.still_stored(gap));

        // The report no longer lists it, and the bot answers it.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(2, moderator(), CHANNEL, "faq-admin", sub("gaps"));
        let report = admin_answer(fake, mark, id).await;
        assert!(!all_text(&report).contains(TAUGHT), "{report}");
        let mark = fake.mark();
        fake.send_message(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            user_json(PERSON, "person", false),
            TAUGHT,
            Vec::new(),
        );
        let answer = fake
            .wait_for_request(
                mark,
                "POST",
                &format!("/channels/{ANSWER_CHANNEL}/messages"),
            )
            .await
            .expect("an answer");
        let answer_text = answer.body["embeds"].to_string();
        assert!(
            answer_text.contains("Do supplements like magnesium or quinine help leg cramps?"),
            "{answer_text}"
        );
        assert!(!answer_text.contains("Did you mean"), "{answer_text}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_entry_from_a_message_and_a_conflict_and_a_self_test_warning() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(&scratch, true).await;
        let fake = &bot.fake;

        // New entry: the add form, the message as the question.
        let gap = leave_unanswered(fake, &scratch, TOASTER).await;
        let panel = teach_panel(fake, gap).await;
        let new = component(&panel, &format!("faqadmin:v1:tnew:{gap}"));
        let mark = fake.mark();
        let (id, _) =
            fake.send_guild_click(moderator(), CHANNEL, new["custom_id"].as_str().expect("id"));
        let modal = callback(fake, mark, id).await;
        assert_eq!(modal["type"], 9, "a modal: {modal}");
        let mut fields = modal_fields(&modal);
        assert_eq!(field(&fields, "question"), TOASTER);
        assert_eq!(field(&fields, "id"), "toaster-hums-night");
        assert_eq!(field(&fields, "answer"), "", "never a placeholder answer");
        for (name, value) in &mut fields {
            match name.as_str() {
                "answer" => {
                    *value = "A humming toaster is not a leg problem. If your legs hurt when \
                              you walk, ask about that."
                        .to_owned()
                }
                "sources" => {
                    *value = "NHS: Leg pain https://www.nhs.uk/conditions/leg-pain/".to_owned()
                }
                _ => {}
            }
        }
        let preview = submit(fake, &modal, &fields).await;
        assert!(all_text(&preview).contains("Preview: add"), "{preview}");
        let save = component(&preview, "faqadmin:v1:save:");
        let saved = click(fake, save["custom_id"].as_str().expect("id")).await;
        assert!(all_text(&saved).contains("Saved"), "{saved}");
        assert!(scratch.read("toaster-hums-night").contains(TOASTER));
        assert!(!scratch.still_stored(gap));

        // A phrasing another entry wins: the preview's self-test says so.
        let gap = leave_unanswered(fake, &scratch, GENERIC).await;
        teach_panel(fake, gap).await;
        let mark = fake.mark();
        let (id, _) = fake.send_guild_click(
            moderator(),
            CHANNEL,
            &format!("faqadmin:v1:talt:{gap}:sciatica"),
        );
        let modal = callback(fake, mark, id).await;
        assert_eq!(modal["type"], 9, "a modal: {modal}");
        let fields = modal_fields(&modal);
        let preview = submit(fake, &modal, &fields).await;
        let text = all_text(&preview);
        assert!(text.contains("Self-test"), "{text}");
        assert!(text.contains(GENERIC), "{text}");

        // Someone changes the entry's file before Save: a conflict, nothing
        // overwritten, and the message stays to be taught.
        let edited = format!(
            "{}\n# Edited in the file meanwhile.\n",
            scratch.read("sciatica")
        );
        std::fs::write(scratch.entry("sciatica"), &edited).expect("write");
        let save = component(&preview, "faqadmin:v1:save:");
        let refused = click(fake, save["custom_id"].as_str().expect("id")).await;
        assert!(all_text(&refused).contains("Conflict"), "{refused}");
        assert_eq!(scratch.read("sciatica"), edited);
        assert!(scratch.still_stored(gap));
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teaching_is_for_moderators_and_only_while_gaps_are_on() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(&scratch, false).await;
        let fake = &bot.fake;

        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(2, moderator(), CHANNEL, "faq-admin", sub("gaps"));
        let report = admin_answer(fake, mark, id).await;
        assert!(all_text(&report).contains("off"), "{report}");
        assert!(components(&report).is_empty(), "no teach menu: {report}");

        // A forged teach click is answered politely, and opens no form.
        for custom_id in ["faqadmin:v1:tnew:1", "faqadmin:v1:talt:1:sciatica"] {
            let answer = click(fake, custom_id).await;
            assert!(
                all_text(&answer).contains("Storing unanswered messages is off"),
                "{answer}"
            );
        }
        // A member who is not a moderator is refused.
        let mark = fake.mark();
        let (id, _) =
            fake.send_guild_select(ordinary_member(), CHANNEL, "faqadmin:v1:teach", &["1"]);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4, "a message, not a form: {body}");
        assert!(
            body.to_string()
                .contains("only for this server's moderators"),
            "{body}"
        );
        bot.stop().await;
    })
    .await;
}
