//! End-to-end tests of the Discord front end against a fake Discord on
//! loopback (tests/support): the real bot code, pointed at the fake through
//! `api_base_url`, and assertions on what Discord would receive.

#![cfg(feature = "discord")]

mod support;

use std::future::Future;
use std::time::Duration;

use faqbot::config::Config;
use faqbot::discord::BotError;
use serde_json::{Value, json};
use support::{BOT_ID, FakeDiscord, GUILD_ID, Recorded, RunningBot, pick, user_json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const PERSON: u64 = 500_000_000_000_000_001;
const OTHER_PERSON: u64 = 500_000_000_000_000_002;
const CHANNEL: u64 = 600_000_000_000_000_001;
const ANSWER_CHANNEL: u64 = 600_000_000_000_000_002;
const EPHEMERAL: u64 = 64;
/// Every test is bounded by this.
const TEST_LIMIT: Duration = Duration::from_secs(90);

fn config_for(fake: &FakeDiscord) -> Config {
    let mut config = Config {
        faq_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        ..Config::default()
    };
    config.safety.emergency_number = Some("999".to_owned());
    config.discord.api_base_url = fake.base_url();
    config.discord.answer_channels = vec![ANSWER_CHANNEL];
    // Never the working directory: each test gets its own database.
    config.admin.database = support::scratch_path("faqbot.sqlite3");
    config
}

/// The bot on `config`, its database removed once it stops.
fn spawn_bot(config: Config) -> (oneshot::Sender<()>, JoinHandle<Result<(), BotError>>) {
    support::spawn_bot(config, |config| remove_database(&config.admin.database))
}

/// Starts a fake and the bot, and waits until the bot is ready (its slash
/// commands registered).
async fn start_bot(configure: impl FnOnce(&mut Config)) -> RunningBot {
    let fake = FakeDiscord::start().await;
    let mut config = config_for(&fake);
    configure(&mut config);
    RunningBot::start(fake, config, |config| {
        remove_database(&config.admin.database)
    })
    .await
}

/// Removes a test database and SQLite's side files.
fn remove_database(database: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut path = database.to_path_buf().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
}

async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("test finished in time");
}

fn mention(text: &str) -> String {
    format!("<@{BOT_ID}> {text}")
}

fn person() -> Value {
    user_json(PERSON, "person", false)
}

fn bot_mentioned() -> Vec<Value> {
    vec![user_json(BOT_ID, "faqbot", true)]
}

fn embed(request: &Recorded, index: usize) -> &Value {
    &request.body["embeds"][index]
}

/// The callback body of interaction `id`.
async fn callback(fake: &FakeDiscord, from: usize, id: u64) -> Value {
    fake.wait_for_request(from, "POST", &format!("/interactions/{id}/"))
        .await
        .expect("the interaction was answered")
        .body
}

fn custom_ids(components: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for row in components.as_array().into_iter().flatten() {
        for component in row["components"].as_array().into_iter().flatten() {
            if let Some(id) = component["custom_id"].as_str() {
                ids.push(id.to_owned());
            }
        }
    }
    ids
}

fn assert_no_pings(body: &Value) {
    assert_eq!(
        body["allowed_mentions"]["parse"],
        json!([]),
        "allowed mentions in {body}"
    );
    let text = body.to_string();
    assert!(
        !text.contains("@everyone") && !text.contains("@here"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentioned_question_gets_the_answer_embed_with_disclaimer_and_no_pings() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        let asked = fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("What is sciatica?"),
            bot_mentioned(),
        );
        let sent = fake
            .wait_for_request(mark, "POST", &format!("/channels/{CHANNEL}/messages"))
            .await
            .expect("an answer");
        let answer = embed(&sent, 0);
        assert_eq!(
            answer["title"],
            "Can leg pain when walking be a symptom of sciatica?"
        );
        assert!(
            answer["footer"]["text"]
                .as_str()
                .unwrap_or_default()
                .contains("not medical advice")
        );
        assert!(answer["fields"][0]["name"] == "Sources");
        assert_eq!(
            sent.body["message_reference"]["message_id"],
            json!(asked.to_string())
        );
        assert_no_pings(&sent.body);
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_in_a_message_never_comes_back_as_a_ping() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let sent = fake
            .send_and_wait_for_reply(
                CHANNEL,
                Some(GUILD_ID),
                person(),
                &mention("@everyone @here what is sciatica? <@&123>"),
                bot_mentioned(),
            )
            .await
            .expect("a reply");
        assert_no_pings(&sent.body);
        assert!(!sent.body.to_string().contains("<@&"));
        // Something the bot cannot answer, addressed to it: the help reply,
        // still without pings.
        let help = fake
            .send_and_wait_for_reply(
                CHANNEL,
                Some(GUILD_ID),
                person(),
                &mention("@everyone hello"),
                bot_mentioned(),
            )
            .await
            .expect("help");
        assert_no_pings(&help.body);
        assert!(
            embed(&help, 0)["description"]
                .as_str()
                .unwrap_or_default()
                .contains("/symptoms")
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_story_gets_the_emergency_reply_first() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let sent = fake
            .send_and_wait_for_reply(
                ANSWER_CHANNEL,
                Some(GUILD_ID),
                person(),
                "my calf hurts when I walk and now I have crushing chest pain and can't breathe",
                Vec::new(),
            )
            .await
            .expect("the emergency reply");
        let first = embed(&sent, 0);
        assert_eq!(first["title"], "This could be an emergency");
        assert!(
            first["description"]
                .as_str()
                .unwrap_or_default()
                .contains("999")
        );
        assert_eq!(first["color"], json!(0xC62828));
        assert!(
            sent.body["content"]
                .as_str()
                .unwrap_or_default()
                .contains("emergency")
        );
        assert_no_pings(&sent.body);
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bots_webhooks_and_off_topic_channel_messages_get_silence() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            user_json(42, "otherbot", true),
            &mention("What is sciatica?"),
            bot_mentioned(),
        );
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            user_json(BOT_ID, "faqbot", true),
            &mention("What is sciatica?"),
            bot_mentioned(),
        );
        let webhook_id = fake.next_id();
        let mut webhook = support::message_json(
            webhook_id,
            CHANNEL,
            Some(GUILD_ID),
            user_json(43, "hook", false),
            &mention("What is sciatica?"),
        );
        webhook["webhook_id"] = json!("77");
        webhook["mentions"] = json!(bot_mentioned());
        fake.dispatch("MESSAGE_CREATE", webhook);
        fake.send_message(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            person(),
            "anyone watching the match tonight?",
            Vec::new(),
        );
        // A message in another channel, not addressed to the bot: ignored too.
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            "What is sciatica?",
            Vec::new(),
        );
        // A DM as a sentinel: once it is answered, the others had their chance.
        fake.send_message(CHANNEL + 9, None, person(), "What is sciatica?", Vec::new());
        fake.wait_for_request(mark, "POST", &format!("/channels/{}/messages", CHANNEL + 9))
            .await
            .expect("the DM is answered");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let posts: Vec<Recorded> = fake
            .requests()
            .into_iter()
            .skip(mark)
            .filter(|r| r.method == "POST" && r.path.contains("/messages"))
            .collect();
        assert_eq!(posts.len(), 1, "only the DM is answered: {posts:?}");
        bot.stop().await;
    })
    .await;
}

/// Two people ask what sciatica is in the answer channel, one after the
/// other: the first gets the full answer (checked here), and the bot's
/// reply to the second is returned.
async fn ask_sciatica_twice(fake: &FakeDiscord) -> Recorded {
    let first = fake
        .send_and_wait_for_reply(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            person(),
            "What is sciatica?",
            Vec::new(),
        )
        .await
        .expect("first answer");
    assert!(embed(&first, 0)["footer"]["text"].is_string());
    // The bot remembers the answer once Discord has confirmed it (the fake
    // records the request just before answering it).
    tokio::time::sleep(Duration::from_millis(300)).await;
    fake.send_and_wait_for_reply(
        ANSWER_CHANNEL,
        Some(GUILD_ID),
        user_json(OTHER_PERSON, "other", false),
        "what is sciatica",
        Vec::new(),
    )
    .await
    .expect("second reply")
}

/// Issue 13, defect 10: when Discord's answer to a posted reply cannot be
/// read, the reply was posted all the same: the cooldown holds, and the
/// same question in the channel gets a pointer, not the whole answer again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_answer_from_discord_still_starts_the_cooldown() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        fake.garble_posted_messages();
        let second = ask_sciatica_twice(fake).await;
        let description = embed(&second, 0)["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(description.contains("a moment ago"), "{description}");
        assert!(
            description.contains(&format!(
                "https://discord.com/channels/{GUILD_ID}/{ANSWER_CHANNEL}"
            )),
            "{description}"
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_answer_in_one_channel_points_to_the_earlier_one() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let second = ask_sciatica_twice(fake).await;
        let description = embed(&second, 0)["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(description.contains("a moment ago"), "{description}");
        assert!(
            description.contains(&format!(
                "https://discord.com/channels/{GUILD_ID}/{ANSWER_CHANNEL}/"
            )),
            "{description}"
        );
        assert!(embed(&second, 0)["footer"]["text"].is_string());
        assert_no_pings(&second.body);
        // Another channel still gets the full answer.
        let other = fake
            .send_and_wait_for_reply(
                CHANNEL,
                Some(GUILD_ID),
                person(),
                &mention("What is sciatica?"),
                bot_mentioned(),
            )
            .await
            .expect("answer");
        assert!(embed(&other, 0)["fields"].is_array());
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_person_is_limited_but_emergencies_still_answered() {
    bounded(async {
        let bot = start_bot(|config| config.discord.replies_per_person_per_minute = 2).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        for question in ["What is sciatica?", "What are shin splints?"] {
            let before = fake.mark();
            fake.send_message(
                CHANNEL,
                Some(GUILD_ID),
                person(),
                &mention(question),
                bot_mentioned(),
            );
            fake.wait_for_request(before, "POST", "/messages")
                .await
                .expect("answered");
        }
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("What is peripheral artery disease?"),
            bot_mentioned(),
        );
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("I suddenly have crushing chest pain"),
            bot_mentioned(),
        );
        let posts = fake.wait_for_requests(mark, "POST", "/messages", 3).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let posts_after: usize = fake
            .requests()
            .iter()
            .skip(mark)
            .filter(|r| r.method == "POST" && r.path.contains("/messages"))
            .count();
        assert_eq!(posts_after, 3, "two answers and the emergency reply");
        assert_eq!(embed(&posts[2], 0)["title"], "This could be an emergency");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn did_you_mean_buttons_post_the_chosen_answer() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let sent = fake
            .send_and_wait_for_reply(
                CHANNEL,
                Some(GUILD_ID),
                person(),
                &mention("stenosis or sciatica?"),
                bot_mentioned(),
            )
            .await
            .expect("suggestions");
        let ids = custom_ids(&sent.body["components"]);
        assert!((1..=3).contains(&ids.len()), "{ids:?}");
        assert!(
            ids.iter()
                .all(|id| id.starts_with(&format!("faqbot:v1:e:{PERSON}:")))
        );
        assert_no_pings(&sent.body);
        // The asker's click posts the answer for everyone.
        let mark = fake.mark();
        let (id, _) = fake.send_component(PERSON, CHANNEL, &ids[0], None, 0);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert!(body["data"]["flags"].as_u64().unwrap_or(0) & EPHEMERAL == 0);
        assert!(body["data"]["embeds"][0]["title"].is_string());
        assert!(body["data"]["embeds"][0]["footer"]["text"].is_string());
        assert_no_pings(&body["data"]);
        // Someone else's click shows it to them alone.
        let mark = fake.mark();
        let (id, _) = fake.send_component(OTHER_PERSON, CHANNEL, &ids[0], None, 0);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert_eq!(
            body["data"]["flags"].as_u64().unwrap_or(0) & EPHEMERAL,
            EPHEMERAL
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faq_command_autocompletes_and_answers_privately_when_asked() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        let (id, _) = fake.send_command(
            4,
            PERSON,
            CHANNEL,
            "faq",
            json!([{"name": "question", "type": 3, "value": "sciatica", "focused": true}]),
        );
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 8);
        let choices = body["data"]["choices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!choices.is_empty() && choices.len() <= 25);
        assert_eq!(choices[0]["value"], "sciatica");
        assert_eq!(
            choices[0]["name"],
            "Can leg pain when walking be a symptom of sciatica?"
        );
        let mark = fake.mark();
        let (id, _) = fake.send_command(
            4,
            PERSON,
            CHANNEL,
            "faq",
            json!([{"name": "question", "type": 3, "value": "", "focused": true}]),
        );
        let body = callback(fake, mark, id).await;
        let all = body["data"]["choices"].as_array().map_or(0, Vec::len);
        assert!((1..=25).contains(&all), "{all}");

        // The picked entry, only for the asker.
        let mark = fake.mark();
        let (id, _) = fake.send_command(
            2,
            PERSON,
            CHANNEL,
            "faq",
            json!([
                {"name": "question", "type": 3, "value": "sciatica"},
                {"name": "private", "type": 5, "value": true}
            ]),
        );
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        assert_eq!(
            body["data"]["embeds"][0]["title"],
            "Can leg pain when walking be a symptom of sciatica?"
        );
        assert_no_pings(&body["data"]);

        // Free text, for everyone.
        let mark = fake.mark();
        let (id, _) = fake.send_command(
            2,
            PERSON,
            CHANNEL,
            "faq",
            json!([{"name": "question", "type": 3, "value": "what is lumbar spinal stenosis?"}]),
        );
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert!(body["data"]["flags"].as_u64().unwrap_or(0) & EPHEMERAL == 0);
        assert_eq!(
            body["data"]["embeds"][0]["title"],
            "What is lumbar spinal stenosis?"
        );

        // /about, privately, with the emergency number.
        let mark = fake.mark();
        let (id, _) = fake.send_command(2, PERSON, CHANNEL, "about", json!([]));
        let body = callback(fake, mark, id).await;
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        assert!(
            body["data"]["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .contains("999")
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands_share_the_cooldown_and_the_rate_limit() {
    bounded(async {
        let bot = start_bot(|config| config.discord.replies_per_person_per_minute = 3).await;
        let fake = &bot.fake;
        let ask = |user: u64, question: &str| {
            fake.send_command(
                2,
                user,
                CHANNEL,
                "faq",
                json!([{"name": "question", "type": 3, "value": question}]),
            )
        };
        // A public answer, read back so the channel remembers it.
        let mark = fake.mark();
        let (id, _) = ask(PERSON, "what is lumbar spinal stenosis?");
        let body = callback(fake, mark, id).await;
        assert!(body["data"]["flags"].as_u64().unwrap_or(0) & EPHEMERAL == 0);
        assert!(
            fake.wait_for_request(mark, "GET", "/messages/@original")
                .await
                .is_some(),
            "the public answer is read back for its link"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;

        // The same entry again in the channel: the asker gets it privately.
        let mark = fake.mark();
        let (id, _) = ask(OTHER_PERSON, "what's lumbar spinal stenosis");
        let body = callback(fake, mark, id).await;
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL), "{body}");
        assert_eq!(
            body["data"]["embeds"][0]["title"],
            "What is lumbar spinal stenosis?"
        );

        // A message asking it in the channel points to the slash answer.
        let pointer = fake
            .send_and_wait_for_reply(
                CHANNEL,
                Some(GUILD_ID),
                user_json(OTHER_PERSON, "other", false),
                &mention("What is lumbar spinal stenosis?"),
                bot_mentioned(),
            )
            .await
            .expect("pointer");
        let description = embed(&pointer, 0)["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(description.contains("a moment ago"), "{description}");
        assert!(
            description.contains(&format!("/{CHANNEL}/")),
            "{description}"
        );

        // PERSON's second and third answers are allowed; the fourth gets a
        // private note instead; an emergency is answered all the same.
        for question in ["what is sciatica?", "what are shin splints?"] {
            let mark = fake.mark();
            let (id, _) = ask(PERSON, question);
            let body = callback(fake, mark, id).await;
            assert!(body["data"]["embeds"][0]["fields"].is_array(), "{body}");
        }
        let mark = fake.mark();
        let (id, _) = ask(PERSON, "what is a baker's cyst?");
        let body = callback(fake, mark, id).await;
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        let note = body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(note.contains("last minute"), "{note}");
        assert_no_pings(&body["data"]);
        let mark = fake.mark();
        let (id, _) = ask(PERSON, "I suddenly have crushing chest pain");
        let body = callback(fake, mark, id).await;
        assert_eq!(
            body["data"]["embeds"][0]["title"],
            "This could be an emergency"
        );
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symptom_check_clicks_through_to_an_outcome_ephemerally() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        let (id, _) = fake.send_command(2, PERSON, CHANNEL, "symptoms", json!([]));
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        assert_no_pings(&body["data"]);
        let mut ids = custom_ids(&body["data"]["components"]);
        assert!(
            ids.iter().any(|id| id.starts_with("faqbot:v1:b:")),
            "Back: {ids:?}"
        );
        assert!(
            ids.iter().any(|id| id.starts_with("faqbot:v1:c:")),
            "Cancel: {ids:?}"
        );
        let mut outcome = None;
        let mut components = body["data"]["components"].clone();
        for _ in 0..60 {
            let Some((custom_id, values)) = pick(&components) else {
                break;
            };
            let mark = fake.mark();
            let (id, _) = fake.send_component(PERSON, CHANNEL, &custom_id, values, EPHEMERAL);
            let body = callback(fake, mark, id).await;
            assert_eq!(body["type"], 7, "updated in place: {body}");
            assert_no_pings(&body["data"]);
            ids = custom_ids(&body["data"]["components"]);
            components = body["data"]["components"].clone();
            if ids.iter().any(|id| id.starts_with("faqbot:v1:r:")) {
                outcome = Some(body);
                break;
            }
        }
        let outcome = outcome.expect("the check reaches an outcome");
        let result = &outcome["data"]["embeds"][0];
        let colours = [0xC62828, 0xEF6C00, 0xF9A825, 0x1E88E5, 0x2E7D32];
        assert!(
            colours.contains(&result["color"].as_u64().unwrap_or(0)),
            "{result}"
        );
        // The outcome says first what to do at its level (faq/urgency.toml).
        let description = result["description"].as_str().unwrap_or_default();
        let actions = faqbot::faq::urgency::Urgency::shipped().actions;
        assert!(
            actions.iter().any(|(_, action)| {
                let start: String = action.chars().take(20).collect();
                description.contains(&start)
            }),
            "{description}"
        );
        assert!(result["footer"]["text"].is_string());
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_old_and_expired_clicks_get_a_polite_private_reply() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        let (id, _) = fake.send_command(2, PERSON, CHANNEL, "symptoms", json!([]));
        let body = callback(fake, mark, id).await;
        let (button, values) = pick(&body["data"]["components"]).expect("a choice");

        // Someone else.
        let mark = fake.mark();
        let (id, _) = fake.send_component(OTHER_PERSON, CHANNEL, &button, values.clone(), 0);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        assert!(
            body["data"]["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .contains("someone else")
        );

        // A button from another version of the bot.
        let mark = fake.mark();
        let (id, _) = fake.send_component(PERSON, CHANNEL, "faqbot:v0:whatever", None, EPHEMERAL);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        assert!(
            body["data"]["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .contains("older version")
        );

        // A button of an older symptom check (after an edit or a restart).
        let stale: Vec<&str> = button.split(':').collect();
        let stale = format!(
            "faqbot:v1:{}:{PERSON}:00000000:{}:{}",
            stale[2], stale[5], stale[6]
        );
        let mark = fake.mark();
        let (id, _) = fake.send_component(PERSON, CHANNEL, &stale, values.clone(), 0);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["flags"], json!(EPHEMERAL));
        let text = body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            text.contains("expired") && text.contains("/symptoms"),
            "{text}"
        );

        // A click in a place with no check running (another channel).
        let elsewhere = button.clone();
        let mark = fake.mark();
        let (id, _) = fake.send_component(PERSON, CHANNEL + 5, &elsewhere, values, EPHEMERAL);
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 7);
        let text = body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(text.contains("expired"), "{text}");
        assert_eq!(body["data"]["components"], json!([]));
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_gateway_drops_the_bot_reconnects_and_answers_again() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        fake.drop_connection();
        fake.wait_for_sessions(2).await;
        let (identifies, resumes) = fake.identifies_and_resumes();
        assert!(
            identifies + resumes >= 2,
            "{identifies} identify, {resumes} resume"
        );
        let sent = fake
            .send_and_wait_for_reply(
                CHANNEL,
                Some(GUILD_ID),
                person(),
                &mention("What is sciatica?"),
                bot_mentioned(),
            )
            .await
            .expect("answered after reconnecting");
        assert!(embed(&sent, 0)["title"].is_string());
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_content_intent_is_asked_only_for_answer_channels() {
    bounded(async {
        let with = start_bot(|_| {}).await;
        let intents = with.fake.identify_payloads()[0]["intents"]
            .as_u64()
            .unwrap_or(0);
        assert_eq!(intents & (1 << 15), 1 << 15);
        with.stop().await;
        let without = start_bot(|config| config.discord.answer_channels.clear()).await;
        let intents = without.fake.identify_payloads()[0]["intents"]
            .as_u64()
            .unwrap_or(0);
        assert_eq!(intents & (1 << 15), 0);
        assert_eq!(intents & (1 << 12), 1 << 12, "direct messages");
        without.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_and_refused_intents_stop_with_a_clear_error() {
    bounded(async {
        let fake = FakeDiscord::start_rejecting(4004).await;
        let (_stop, task) = spawn_bot(config_for(&fake));
        let result = tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("stops on 4004");
        let error = result.expect("no panic").expect_err("an error");
        assert!(matches!(error, BotError::TokenRejected), "{error}");
        assert!(!error.to_string().contains("fake.token"));

        let fake = FakeDiscord::start_rejecting(4014).await;
        let (_stop, task) = spawn_bot(config_for(&fake));
        let result = tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("stops on 4014");
        let error = result.expect("no panic").expect_err("an error");
        assert!(
            error.to_string().contains("Message Content Intent"),
            "{error}"
        );
    })
    .await;
}

/// Issue 13, defect 8: SIGTERM or Ctrl-C stop `faqbot run` while Discord's
/// gateway refuses connections (the bot keeps trying to reconnect); the
/// shutdown has a deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_the_bot_while_the_gateway_refuses_connections() {
    bounded(async {
        let fake = FakeDiscord::start_without_gateway().await;
        let config = config_for(&fake);
        let database = config.admin.database.clone();
        let (stop, task) = spawn_bot(config);
        // Let it try (and fail) to connect a few times.
        fake.wait_for_request(0, "GET", "/gateway")
            .await
            .expect("the bot asks where the gateway is");
        tokio::time::sleep(Duration::from_secs(2)).await;
        let _ = stop.send(());
        let result = tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("the bot stops within 30 s of the shutdown signal");
        assert!(result.is_ok(), "no panic: {result:?}");
        remove_database(&database);
    })
    .await;
}

// ---- moderator tools (/faq-admin, live reload, gaps) ----

use faqbot::admin::{AdminSettings, ChangeKind, Gaps, History};
use support::{AsMember, MANAGE_MESSAGES, ORDINARY, Scratch};

const MODERATOR: u64 = 500_000_000_000_000_009;
const MODERATOR_ROLE: u64 = 800_000_000_000_000_001;
const LOG_CHANNEL: u64 = 600_000_000_000_000_009;

impl Scratch {
    fn configure(&self, config: &mut Config) {
        config.faq_dir = self.faq.clone();
        config.admin.database = self.database.clone();
    }
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

fn sub(name: &str, options: Value) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

fn id_option(id: &str) -> Value {
    json!([{"name": "id", "type": 3, "value": id}])
}

/// The message an admin interaction got: the callback's data, or, when it
/// was deferred, the edit of the original response.
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

async fn ask_in_answer_channel(fake: &FakeDiscord, text: &str) -> Option<Recorded> {
    let mark = fake.mark();
    fake.send_message(ANSWER_CHANNEL, Some(GUILD_ID), person(), text, Vec::new());
    fake.wait_for_request(
        mark,
        "POST",
        &format!("/channels/{ANSWER_CHANNEL}/messages"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faq_admin_is_refused_politely_to_members_without_permission() {
    bounded(async {
        let scratch = Scratch::new();
        let before = std::fs::read_to_string(scratch.entry("sciatica")).expect("entry");
        let bot = start_bot(|config| scratch.configure(config)).await;
        let fake = &bot.fake;

        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            ordinary_member(),
            CHANNEL,
            "faq-admin",
            sub("edit", id_option("sciatica")),
        );
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 4, "a message, not the modal: {body}");
        assert_eq!(body["data"]["flags"], EPHEMERAL);
        assert!(all_text(&body["data"]).contains("only for this server's moderators"));
        assert_no_pings(&body["data"]);

        // A forged modal submit is refused too, and nothing changes.
        let mark = fake.mark();
        let (id, _) = fake.send_modal_submit(
            ordinary_member(),
            CHANNEL,
            "faqadmin:v1:edit:sciatica:0000000000000000",
            &[("question", "q"), ("answer", "hacked")],
        );
        let body = callback(fake, mark, id).await;
        assert!(all_text(&body["data"]).contains("only for this server's moderators"));
        // So is reload.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            ordinary_member(),
            CHANNEL,
            "faq-admin",
            sub("reload", json!([])),
        );
        let body = callback(fake, mark, id).await;
        assert!(all_text(&body["data"]).contains("only for this server's moderators"));

        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            std::fs::read_to_string(scratch.entry("sciatica")).expect("entry"),
            before
        );
        let history = History::open_read_only(&scratch.database).expect("opens");
        let rows = history
            .map(|h| h.list(None).expect("lists"))
            .unwrap_or_default();
        assert!(rows.is_empty(), "{rows:?}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_reloads_and_gets_the_report() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(|config| {
            scratch.configure(config);
            config.admin.moderator_role_id = Some(MODERATOR_ROLE);
        })
        .await;
        let fake = &bot.fake;
        // Discord hides the command from members without Manage Messages.
        let registered = fake
            .requests()
            .into_iter()
            .find(|r| r.method == "PUT" && r.path.contains("/commands"))
            .expect("registered");
        let admin = registered
            .body
            .as_array()
            .expect("commands")
            .iter()
            .find(|c| c["name"] == "faq-admin")
            .cloned()
            .expect("/faq-admin registered");
        assert_eq!(admin["default_member_permissions"], "8192");
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            moderator(),
            CHANNEL,
            "faq-admin",
            sub("reload", json!([])),
        );
        let answer = admin_answer(fake, mark, id).await;
        assert!(all_text(&answer).contains("nothing changed"), "{answer}");
        assert_no_pings(&answer);

        // The moderator role is enough without the permission.
        let by_role = AsMember {
            user: OTHER_PERSON,
            name: "mod-bob",
            permissions: ORDINARY,
            roles: &[MODERATOR_ROLE],
        };
        let mark = fake.mark();
        let (id, _) =
            fake.send_guild_command(2, by_role, CHANNEL, "faq-admin", sub("stats", json!([])));
        let answer = admin_answer(fake, mark, id).await;
        assert!(all_text(&answer).contains("sciatica"), "{answer}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_through_the_modal_lands_in_the_file_with_a_history_row() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(|config| {
            scratch.configure(config);
            config.admin.moderator_log_channel = Some(LOG_CHANNEL);
        })
        .await;
        let fake = &bot.fake;

        // Autocomplete offers the entry ids.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            4,
            moderator(),
            CHANNEL,
            "faq-admin",
            json!([{"name": "edit", "type": 1, "options": [
                {"name": "id", "type": 3, "value": "sciat", "focused": true}
            ]}]),
        );
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 8);
        assert!(body.to_string().contains("\"sciatica\""), "{body}");

        // The modal, pre-filled, carrying the id and the file's version.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            moderator(),
            CHANNEL,
            "faq-admin",
            sub("edit", id_option("sciatica")),
        );
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 9, "a modal: {body}");
        let custom_id = body["data"]["custom_id"]
            .as_str()
            .expect("custom id")
            .to_owned();
        let version = custom_id
            .strip_prefix("faqadmin:v1:edit:sciatica:")
            .expect("carries the id");
        assert_eq!(version.len(), 16);
        let mut fields: Vec<(String, String)> = Vec::new();
        for row in body["data"]["components"].as_array().expect("rows") {
            let input = &row["components"][0];
            fields.push((
                input["custom_id"].as_str().unwrap_or_default().to_owned(),
                input["value"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        let marker = "Checked by the e2e moderator test.";
        for (name, value) in &mut fields {
            if name == "answer" {
                assert!(!value.is_empty(), "pre-filled");
                value.push_str("\n\n");
                value.push_str(marker);
            }
        }
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();

        // Submit: a preview with Save and Cancel.
        let mark = fake.mark();
        let (id, _) = fake.send_modal_submit(moderator(), CHANNEL, &custom_id, &borrowed);
        let preview = admin_answer(fake, mark, id).await;
        assert!(all_text(&preview).contains(marker), "{preview}");
        assert_no_pings(&preview);
        let save = preview["components"][0]["components"][0]["custom_id"]
            .as_str()
            .expect("a save button")
            .to_owned();
        assert!(save.contains(":save:"), "{save}");
        // Nothing is written before Save.
        assert!(
            !std::fs::read_to_string(scratch.entry("sciatica"))
                .expect("entry")
                .contains(marker)
        );

        let mark = fake.mark();
        let (id, _) = fake.send_guild_click(moderator(), CHANNEL, &save);
        let saved = admin_answer(fake, mark, id).await;
        assert!(all_text(&saved).contains("Saved"), "{saved}");
        let text = std::fs::read_to_string(scratch.entry("sciatica")).expect("entry");
        assert!(text.contains(marker));
        assert!(text.starts_with("# "), "comments kept");

        let history = History::open_read_only(&scratch.database)
            .expect("opens")
            .expect("exists");
        let rows = history.list(Some("sciatica")).expect("lists");
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].kind, ChangeKind::Changed);
        assert_eq!(rows[0].who.as_deref(), Some("mod-alice"));

        // The moderator log channel hears of it; the answer is live.
        let posted = fake
            .wait_for_request(mark, "POST", &format!("/channels/{LOG_CHANNEL}/messages"))
            .await
            .expect("a post in the log channel");
        assert!(
            posted.body["content"]
                .as_str()
                .unwrap_or_default()
                .contains("sciatica")
        );
        assert_no_pings(&posted.body);
        let answer = ask_in_answer_channel(fake, "What is sciatica?")
            .await
            .expect("an answer");
        assert!(all_text(&answer.body).contains(marker));

        // A second moderator who opened the same version is told of the
        // conflict, and nothing of theirs overwrites the first edit.
        let stale: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| {
                if n == "answer" {
                    (n.as_str(), "A rival answer that must not win.")
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        let mark = fake.mark();
        let (id, _) = fake.send_modal_submit(moderator(), CHANNEL, &custom_id, &stale);
        let conflict = admin_answer(fake, mark, id).await;
        assert!(all_text(&conflict).contains("Conflict"), "{conflict}");
        assert!(all_text(&conflict).contains("mod-alice"), "{conflict}");
        assert!(
            std::fs::read_to_string(scratch.entry("sciatica"))
                .expect("entry")
                .contains(marker)
        );

        // The same Save button a second time does nothing.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_click(moderator(), CHANNEL, &save);
        let again = admin_answer(fake, mark, id).await;
        assert!(all_text(&again).contains("expired"), "{again}");

        // `/faq-admin history sciatica` shows the row.
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            moderator(),
            CHANNEL,
            "faq-admin",
            sub("history", id_option("sciatica")),
        );
        let shown = admin_answer(fake, mark, id).await;
        assert!(all_text(&shown).contains("mod-alice"), "{shown}");
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_changes_go_live_and_broken_ones_are_rejected_while_answers_continue() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(|config| {
            scratch.configure(config);
            config.admin.moderator_log_channel = Some(LOG_CHANNEL);
            config.admin.reload_debounce_ms = 200;
        })
        .await;
        let fake = &bot.fake;
        let path = scratch.entry("sciatica");
        let original = std::fs::read_to_string(&path).expect("entry");
        let mut document: toml_edit::DocumentMut = original.parse().expect("toml");
        let marker = "Edited on disk by the e2e test.";
        let answer = document["answer"].as_str().expect("answer").to_owned();
        document["answer"] = toml_edit::value(format!("{answer}\n\n{marker}"));
        let mark = fake.mark();
        std::fs::write(&path, document.to_string()).expect("write");

        let posted = fake
            .wait_for_request(mark, "POST", &format!("/channels/{LOG_CHANNEL}/messages"))
            .await
            .expect("the reload is posted");
        let content = posted.body["content"].as_str().unwrap_or_default();
        assert!(content.contains("changed (sciatica)"), "{content}");
        assert_no_pings(&posted.body);
        let answer = ask_in_answer_channel(fake, "What is sciatica?")
            .await
            .expect("an answer");
        assert!(all_text(&answer.body).contains(marker));

        // A broken change: rejected whole, with file and line; answers go on
        // from the last good FAQ.
        let mark = fake.mark();
        std::fs::write(&path, format!("{}\nthis is = = broken\n", document)).expect("write");
        let posted = fake
            .wait_for_request(mark, "POST", &format!("/channels/{LOG_CHANNEL}/messages"))
            .await
            .expect("the rejection is posted");
        let content = posted.body["content"].as_str().unwrap_or_default();
        assert!(content.contains("rejected"), "{content}");
        assert!(content.contains("sciatica.toml"), "{content}");
        // (In another channel: the answer channel would point to the
        // earlier answer within its cooldown.)
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("What is sciatica?"),
            bot_mentioned(),
        );
        let answer = fake
            .wait_for_request(mark, "POST", &format!("/channels/{CHANNEL}/messages"))
            .await
            .expect("still answering");
        assert!(all_text(&answer.body).contains(marker));
        bot.stop().await;
    })
    .await;
}

/// How many unanswered messages the gaps store holds (0 before it exists).
fn stored_gaps(database: &std::path::Path) -> usize {
    let settings = AdminSettings {
        database: database.to_path_buf(),
        gaps_enabled: true,
        ..AdminSettings::default()
    };
    Gaps::open_read_only(&settings)
        .expect("opens")
        .map_or(0, |gaps| {
            gaps.report(None, std::time::SystemTime::now())
                .expect("report")
                .n_messages
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defect_11_a_flood_of_unanswered_messages_is_stored_only_within_the_rate_limit() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(|config| {
            scratch.configure(config);
            config.admin.gaps_enabled = true;
            config.discord.replies_per_person_per_minute = 2;
        })
        .await;
        let fake = &bot.fake;
        for number in 0..6 {
            fake.send_message(
                ANSWER_CHANNEL,
                Some(GUILD_ID),
                person(),
                &format!("my toaster number {number} hums at night"),
                Vec::new(),
            );
        }
        let mut stored = 0;
        for _ in 0..100 {
            stored = stored_gaps(&scratch.database);
            if stored >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(stored, 2, "the first two messages are stored");
        // Let the other four be handled: none of them may be stored.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(stored_gaps(&scratch.database), 2, "only two stored");

        // The silent flood did not use up the person's replies.
        let answered = ask_in_answer_channel(fake, "What is sciatica?").await;
        assert!(answered.is_some());
        bot.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gaps_are_recorded_without_user_ids_when_enabled() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(|config| {
            scratch.configure(config);
            config.admin.gaps_enabled = true;
        })
        .await;
        let fake = &bot.fake;
        fake.send_message(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            person(),
            &format!("does <@{OTHER_PERSON}> know why my toaster hums at night"),
            Vec::new(),
        );
        let answered = ask_in_answer_channel(fake, "What is sciatica?").await;
        assert!(answered.is_some());

        let settings = AdminSettings {
            database: scratch.database.clone(),
            gaps_enabled: true,
            ..AdminSettings::default()
        };
        let mut report = None;
        for _ in 0..50 {
            if let Some(gaps) = Gaps::open_read_only(&settings).expect("opens") {
                let found = gaps
                    .report(None, std::time::SystemTime::now())
                    .expect("report");
                if found.n_messages > 0 {
                    report = Some(found);
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let report = report.expect("the unanswered message is stored");
        assert_eq!(report.n_messages, 1);
        let example = &report.groups[0].examples[0];
        assert_eq!(example.channel_id, ANSWER_CHANNEL);
        assert!(example.text.contains("toaster"));

        // The moderator sees it; the answer was counted.
        let mark = fake.mark();
        let (id, _) =
            fake.send_guild_command(2, moderator(), CHANNEL, "faq-admin", sub("gaps", json!([])));
        let shown = admin_answer(fake, mark, id).await;
        assert!(all_text(&shown).contains("toaster"), "{shown}");
        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            moderator(),
            CHANNEL,
            "faq-admin",
            sub("stats", json!([])),
        );
        let shown = admin_answer(fake, mark, id).await;
        assert!(all_text(&shown).contains("1  `sciatica`"), "{shown}");
        // With the counts comes their chart (issue 12 item 4): a PNG uploaded
        // with the answer and shown in its embed.
        assert_eq!(
            shown["embeds"][0]["image"]["url"].as_str(),
            Some("attachment://chart.png"),
            "{shown}"
        );
        let uploads: Vec<(String, Vec<u8>)> = fake.requests()[mark..]
            .iter()
            .flat_map(|request| request.files.clone())
            .collect();
        assert_eq!(uploads.len(), 1, "one picture uploaded");
        assert_eq!(uploads[0].0, "chart.png");
        let decoder = png::Decoder::new(std::io::Cursor::new(uploads[0].1.clone()));
        let info = decoder.read_info().expect("the upload is a PNG");
        assert_eq!(
            (info.info().width, info.info().height),
            faqbot::admin::chart::SIZE
        );
        bot.stop().await;

        // No user id anywhere in the database files.
        for suffix in ["", "-wal"] {
            let mut path = scratch.database.clone().into_os_string();
            path.push(suffix);
            if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                for id in [PERSON, OTHER_PERSON] {
                    assert!(!text.contains(&id.to_string()), "user id {id} in {path:?}");
                }
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_adds_then_removes_an_entry_with_previews() {
    bounded(async {
        let scratch = Scratch::new();
        let bot = start_bot(|config| scratch.configure(config)).await;
        let fake = &bot.fake;

        let mark = fake.mark();
        let (id, _) =
            fake.send_guild_command(2, moderator(), CHANNEL, "faq-admin", sub("add", json!([])));
        let body = callback(fake, mark, id).await;
        assert_eq!(body["type"], 9, "a modal: {body}");
        let custom_id = body["data"]["custom_id"].as_str().expect("id").to_owned();

        let mark = fake.mark();
        let (id, _) = fake.send_modal_submit(
            moderator(),
            CHANNEL,
            &custom_id,
            &[
                ("id", "e2e-knee-clicks"),
                ("question", "Why does my knee click when I walk?"),
                (
                    "answer",
                    "Painless clicking of the knee when walking is common and usually harmless. \
                     See a doctor if it comes with pain, swelling or the knee giving way.",
                ),
                ("alternates", "knee clicking when walking\nclicky knee"),
                (
                    "sources",
                    "NHS: Knee pain https://www.nhs.uk/conditions/knee-pain/",
                ),
            ],
        );
        let preview = admin_answer(fake, mark, id).await;
        let save = preview["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a save button: {preview}"))
            .to_owned();
        assert!(all_text(&preview).contains("usually harmless"));

        let mark = fake.mark();
        let (id, _) = fake.send_guild_click(moderator(), CHANNEL, &save);
        let saved = admin_answer(fake, mark, id).await;
        assert!(all_text(&saved).contains("Saved"), "{saved}");
        assert!(scratch.entry("e2e-knee-clicks").is_file());

        let mark = fake.mark();
        let (id, _) = fake.send_guild_command(
            2,
            moderator(),
            CHANNEL,
            "faq-admin",
            sub("remove", id_option("e2e-knee-clicks")),
        );
        let preview = admin_answer(fake, mark, id).await;
        let remove = preview["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a remove button: {preview}"))
            .to_owned();
        let mark = fake.mark();
        let (id, _) = fake.send_guild_click(moderator(), CHANNEL, &remove);
        let removed = admin_answer(fake, mark, id).await;
        assert!(all_text(&removed).contains("Saved"), "{removed}");
        assert!(!scratch.entry("e2e-knee-clicks").exists());

        let history = History::open_read_only(&scratch.database)
            .expect("opens")
            .expect("exists");
        let kinds: Vec<ChangeKind> = history
            .list(Some("e2e-knee-clicks"))
            .expect("lists")
            .iter()
            .map(|row| row.kind)
            .collect();
        assert_eq!(kinds, vec![ChangeKind::Removed, ChangeKind::Added]);
        bot.stop().await;
    })
    .await;
}
