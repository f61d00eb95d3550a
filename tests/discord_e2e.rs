//! End-to-end tests of the Discord front end against a fake Discord on
//! loopback (tests/support): the real bot code, pointed at the fake through
//! `api_base_url`, and assertions on what Discord would receive.

#![cfg(feature = "discord")]

mod support;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use faqbot::config::Config;
use faqbot::discord::{BotError, Token, serve};
use faqbot::engine::Engine;
use serde_json::{Value, json};
use support::{BOT_ID, FakeDiscord, GUILD_ID, Recorded, user_json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const PERSON: u64 = 500_000_000_000_000_001;
const OTHER_PERSON: u64 = 500_000_000_000_000_002;
const CHANNEL: u64 = 600_000_000_000_000_001;
const ANSWER_CHANNEL: u64 = 600_000_000_000_000_002;
const EPHEMERAL: u64 = 64;
/// Every test is bounded by this.
const TEST_LIMIT: Duration = Duration::from_secs(90);

struct Bot {
    fake: FakeDiscord,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), BotError>>,
}

fn config_for(fake: &FakeDiscord) -> Config {
    let mut config = Config {
        faq_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        ..Config::default()
    };
    config.safety.emergency_number = Some("999".to_owned());
    config.discord.api_base_url = fake.base_url();
    config.discord.answer_channels = vec![ANSWER_CHANNEL];
    config
}

fn spawn_bot(
    fake: &FakeDiscord,
    config: Config,
) -> (oneshot::Sender<()>, JoinHandle<Result<(), BotError>>) {
    let engine = Arc::new(Engine::load(&config).expect("the repository's FAQ loads"));
    let token = Token::new("fake.token.for-tests").expect("token");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve(&config, engine, token, async move {
            let _ = stopped.await;
        })
        .await
    });
    let _ = fake;
    (stop, task)
}

/// Starts a fake and the bot, and waits until the bot is ready (its slash
/// commands registered).
async fn start_bot(configure: impl FnOnce(&mut Config)) -> Bot {
    let fake = FakeDiscord::start().await;
    let mut config = config_for(&fake);
    configure(&mut config);
    let (stop, task) = spawn_bot(&fake, config);
    fake.wait_for_sessions(1).await;
    fake.wait_for_request(0, "PUT", "/commands")
        .await
        .expect("the bot registers its commands once ready");
    Bot {
        fake,
        stop: Some(stop),
        task,
    }
}

impl Bot {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the bot stops within 20 s");
        assert!(matches!(result, Ok(Ok(()))), "clean shutdown: {result:?}");
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
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("@everyone @here what is sciatica? <@&123>"),
            bot_mentioned(),
        );
        let sent = fake
            .wait_for_request(mark, "POST", "/messages")
            .await
            .expect("a reply");
        assert_no_pings(&sent.body);
        assert!(!sent.body.to_string().contains("<@&"));
        // Something the bot cannot answer, addressed to it: the help reply,
        // still without pings.
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("@everyone hello"),
            bot_mentioned(),
        );
        let help = fake
            .wait_for_request(mark, "POST", "/messages")
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
        let mark = fake.mark();
        fake.send_message(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            person(),
            "my calf hurts when I walk and now I have crushing chest pain and can't breathe",
            Vec::new(),
        );
        let sent = fake
            .wait_for_request(mark, "POST", "/messages")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_answer_in_one_channel_points_to_the_earlier_one() {
    bounded(async {
        let bot = start_bot(|_| {}).await;
        let fake = &bot.fake;
        let mark = fake.mark();
        fake.send_message(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            person(),
            "What is sciatica?",
            Vec::new(),
        );
        let first = fake
            .wait_for_request(mark, "POST", "/messages")
            .await
            .expect("first answer");
        assert!(embed(&first, 0)["footer"]["text"].is_string());
        // The bot remembers the answer once Discord has confirmed it (the
        // fake records the request just before answering it).
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mark = fake.mark();
        fake.send_message(
            ANSWER_CHANNEL,
            Some(GUILD_ID),
            user_json(OTHER_PERSON, "other", false),
            "what is sciatica",
            Vec::new(),
        );
        let second = fake
            .wait_for_request(mark, "POST", "/messages")
            .await
            .expect("second reply");
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
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("What is sciatica?"),
            bot_mentioned(),
        );
        let other = fake
            .wait_for_request(mark, "POST", "/messages")
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
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("stenosis or sciatica?"),
            bot_mentioned(),
        );
        let sent = fake
            .wait_for_request(mark, "POST", "/messages")
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

/// The choice to click for a symptom-check question: "no" where offered,
/// else the first choice.
fn pick(ids: &[String]) -> Option<(String, Option<Vec<String>>)> {
    let menu = ids.iter().find(|id| id.starts_with("faqbot:v1:m:"));
    if let Some(menu) = menu {
        return Some((menu.clone(), Some(vec!["other".to_owned()])));
    }
    let choices: Vec<&String> = ids
        .iter()
        .filter(|id| id.starts_with("faqbot:v1:s:"))
        .collect();
    choices
        .iter()
        .find(|id| id.ends_with(":no"))
        .or(choices.first())
        .map(|id| ((*id).clone(), None))
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
        for _ in 0..60 {
            let Some((custom_id, values)) = pick(&ids) else {
                break;
            };
            let mark = fake.mark();
            let (id, _) = fake.send_component(PERSON, CHANNEL, &custom_id, values, EPHEMERAL);
            let body = callback(fake, mark, id).await;
            assert_eq!(body["type"], 7, "updated in place: {body}");
            assert_no_pings(&body["data"]);
            ids = custom_ids(&body["data"]["components"]);
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
        assert!(
            result["description"]
                .as_str()
                .unwrap_or_default()
                .contains("What to do")
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
        let ids = custom_ids(&body["data"]["components"]);
        let (button, _) = pick(&ids).expect("a choice");

        // Someone else.
        let mark = fake.mark();
        let (id, _) = fake.send_component(OTHER_PERSON, CHANNEL, &button, None, 0);
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
        let stale = format!("faqbot:v1:s:{PERSON}:00000000:{}:{}", stale[5], stale[6]);
        let mark = fake.mark();
        let (id, _) = fake.send_component(PERSON, CHANNEL, &stale, None, 0);
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
        let (id, _) = fake.send_component(PERSON, CHANNEL + 5, &elsewhere, None, EPHEMERAL);
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
        let mark = fake.mark();
        fake.send_message(
            CHANNEL,
            Some(GUILD_ID),
            person(),
            &mention("What is sciatica?"),
            bot_mentioned(),
        );
        let sent = fake
            .wait_for_request(mark, "POST", "/messages")
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
        let (_stop, task) = spawn_bot(&fake, config_for(&fake));
        let result = tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("stops on 4004");
        let error = result.expect("no panic").expect_err("an error");
        assert!(matches!(error, BotError::TokenRejected), "{error}");
        assert!(!error.to_string().contains("fake.token"));

        let fake = FakeDiscord::start_rejecting(4014).await;
        let (_stop, task) = spawn_bot(&fake, config_for(&fake));
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
