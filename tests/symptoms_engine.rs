//! The symptom check as the engine runs it for a person: sessions per
//! (person, place), expiry, back / restart / cancel, the emergency screen
//! during a check, button picks checked against the question and the check
//! version, and whole terminal conversations as snapshots.
//!
//! Snapshots live in tests/data/transcripts/; `UPDATE_SNAPSHOTS=1 cargo test
//! --test symptoms_engine` rewrites them after a deliberate change.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use faqbot::config::Config;
use faqbot::console;
use faqbot::engine::{ConversationKey, EXPIRED_CHECK, Engine, Input};
use faqbot::safety::{Reply, ReplyKind};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Config {
    Config {
        faq_dir: manifest_dir().join("faq"),
        ..Config::default()
    }
}

/// One engine per test binary: loading validates every path of the check.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&config()).expect("faq/ loads"))
}

fn key(person: &str) -> ConversationKey {
    ConversationKey::new(person, "symptoms:test")
}

fn t(minutes: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + minutes * 60)
}

fn reply(engine: &Engine, person: &str, text: &str, at: SystemTime) -> Vec<Reply> {
    engine.handle(
        &key(person),
        Input::SymptomReply {
            text: text.to_owned(),
        },
        at,
    )
}

fn question_id(replies: &[Reply]) -> Option<String> {
    match replies.last().map(Reply::kind) {
        Some(ReplyKind::SymptomQuestion { question_id, .. }) => Some(question_id.clone()),
        _ => None,
    }
}

fn level(replies: &[Reply]) -> Option<String> {
    match replies.last().map(Reply::kind) {
        Some(ReplyKind::SymptomOutcome { level, .. }) => Some(level.clone()),
        _ => None,
    }
}

fn is_expired_notice(replies: &[Reply]) -> bool {
    replies.len() == 1
        && matches!(replies[0].kind(), ReplyKind::Notice)
        && replies[0].body() == EXPIRED_CHECK
}

#[test]
fn start_shows_the_emergency_flags_first_on_one_screen() {
    let engine = engine();
    let replies = engine.handle(&key("start"), Input::StartSymptoms, t(0));
    assert_eq!(question_id(&replies).as_deref(), Some("emergency_now"));
    let ids: Vec<&str> = replies[0].options().iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    assert_eq!(ids[0], "rf_chest_pain_or_breathless");
    assert_eq!(ids[6..], ["none", "unsure"]);
    let body = replies[0].body();
    assert!(body.contains("not a doctor"));
    // Every item in full, numbered, in the body itself.
    assert!(body.contains("\n1. Do you have any chest pain"), "{body}");
    assert!(
        body.contains("\n7. None of these\n8. Not sure about some"),
        "{body}"
    );
    assert!(!replies[0].disclaimer().is_empty());
}

#[test]
fn yes_to_an_emergency_flag_ends_at_once_with_the_emergency_outcome() {
    let engine = engine();
    engine.handle(&key("chest"), Input::StartSymptoms, t(0));
    let replies = reply(engine, "chest", "1", t(1));
    assert_eq!(level(&replies).as_deref(), Some("emergency"));
    assert!(
        replies[0]
            .body()
            .contains("Call your local emergency number")
    );
    // The check is over: a further answer is told so.
    assert!(is_expired_notice(&reply(engine, "chest", "no", t(2))));
}

#[test]
fn emergency_words_typed_during_a_check_get_the_emergency_reply_first() {
    let engine = engine();
    engine.handle(&key("story"), Input::StartSymptoms, t(0));
    let replies = reply(
        engine,
        "story",
        "my foot suddenly went cold and white an hour ago and I can't move my toes",
        t(1),
    );
    assert_eq!(replies.len(), 1);
    assert!(replies[0].is_emergency(), "{:?}", replies[0].kind());
}

#[test]
fn a_message_goes_to_the_running_check_and_back_to_the_faq_after_it() {
    let engine = engine();
    let person = key("routing");
    engine.handle(&person, Input::StartSymptoms, t(0));
    let answered = engine.handle(
        &person,
        Input::Message {
            text: "no".to_owned(),
            addressed: true,
        },
        t(1),
    );
    assert_eq!(question_id(&answered).as_deref(), Some("urgent_now"));
    engine.handle(&person, Input::SymptomCancel, t(2));
    let faq = engine.handle(
        &person,
        Input::Message {
            text: "can sciatica make my legs hurt when I walk".to_owned(),
            addressed: true,
        },
        t(3),
    );
    assert!(matches!(
        faq[0].kind(),
        ReplyKind::Answer { entry_id } if entry_id == "sciatica"
    ));
}

#[test]
fn a_check_idle_past_the_timeout_expires_politely() {
    let engine = engine();
    engine.handle(&key("idle"), Input::StartSymptoms, t(0));
    // 14 minutes idle: still running.
    let still = reply(engine, "idle", "no", t(14));
    assert!(question_id(&still).is_some(), "{still:?}");
    // 16 minutes after that answer: expired.
    assert!(is_expired_notice(&reply(engine, "idle", "no", t(30))));
    // And it stays gone.
    assert!(is_expired_notice(&reply(engine, "idle", "no", t(31))));
}

#[test]
fn back_returns_to_the_previous_question_and_cancel_ends_the_check() {
    let engine = engine();
    engine.handle(&key("back"), Input::StartSymptoms, t(0));
    reply(engine, "back", "no", t(1));
    let back = engine.handle(&key("back"), Input::SymptomBack, t(2));
    assert_eq!(question_id(&back).as_deref(), Some("emergency_now"));
    let typed_back = {
        reply(engine, "back", "none", t(3));
        reply(engine, "back", "back", t(4))
    };
    assert_eq!(question_id(&typed_back).as_deref(), Some("emergency_now"));
    let cancelled = reply(engine, "back", "cancel", t(5));
    assert!(cancelled[0].body().contains("stopped"));
    assert!(is_expired_notice(&reply(engine, "back", "no", t(6))));
}

#[test]
fn an_answer_that_is_not_understood_asks_again_with_the_choices() {
    let engine = engine();
    engine.handle(&key("banana"), Input::StartSymptoms, t(0));
    let again = reply(engine, "banana", "banana", t(1));
    assert_eq!(question_id(&again).as_deref(), Some("emergency_now"));
    assert!(
        again[0].body().contains("didn't understand"),
        "{}",
        again[0].body()
    );
    assert!(again[0].body().contains("None of these"));
    assert_eq!(again[0].options().len(), 8);
}

#[test]
fn not_sure_on_the_emergency_screen_asks_which_then_in_simpler_words() {
    let engine = engine();
    engine.handle(&key("unsure"), Input::StartSymptoms, t(0));
    let which = reply(engine, "unsure", "not sure", t(1));
    assert_eq!(
        question_id(&which).as_deref(),
        Some("emergency_now-not-sure")
    );
    assert!(which[0].body().contains("not sure about"));
    let reask = reply(engine, "unsure", "1", t(2));
    assert_eq!(
        question_id(&reask).as_deref(),
        Some("rf_chest_pain_or_breathless")
    );
    assert!(reask[0].body().contains("simpler words"));
}

#[test]
fn button_picks_are_checked_against_the_check_version_and_the_question() {
    let engine = engine();
    let version = engine.symptom_check_version();
    let person = key("buttons");
    engine.handle(&person, Input::StartSymptoms, t(0));
    let pick = |question: &str, choice: &str, check: &str, at| {
        engine.handle(
            &person,
            Input::SymptomPick {
                question_id: question.to_owned(),
                choice_ids: vec![choice.to_owned()],
                check: check.to_owned(),
            },
            at,
        )
    };
    // A click on an old question shows the current one again, unchanged.
    let stale = pick("rf_rapid_worsening", "yes", &version, t(1));
    assert_eq!(question_id(&stale).as_deref(), Some("emergency_now"));
    // The right screen moves on.
    let next = pick("emergency_now", "none", &version, t(2));
    assert_eq!(question_id(&next).as_deref(), Some("urgent_now"));
    // A click made for another version of the check is refused politely.
    assert!(is_expired_notice(&pick(
        "urgent_now",
        "none",
        "an-older-version",
        t(3)
    )));
}

#[test]
fn people_and_places_have_separate_checks() {
    let engine = engine();
    engine.handle(&key("alice"), Input::StartSymptoms, t(0));
    assert!(is_expired_notice(&reply(engine, "bob", "yes", t(1))));
    let alice = reply(engine, "alice", "no", t(1));
    assert!(question_id(&alice).is_some());
}

#[test]
fn purge_forgets_only_expired_checks() {
    let engine = Engine::load(&config()).expect("faq/ loads");
    engine.handle(&key("old"), Input::StartSymptoms, t(0));
    engine.handle(&key("new"), Input::StartSymptoms, t(20));
    assert_eq!(engine.purge_expired_sessions(t(21)), 1);
    assert!(question_id(&reply(&engine, "new", "no", t(22))).is_some());
}

/// Compares `actual` with the snapshot file, or rewrites it when
/// UPDATE_SNAPSHOTS is set.
fn check_snapshot(name: &str, actual: &str) {
    let path: PathBuf = manifest_dir().join("tests/data/transcripts").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dir");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the conversation; rerun with UPDATE_SNAPSHOTS=1 if the change is \
         intended.\n--- actual ---\n{actual}",
        path.display()
    );
}

fn chat_transcript(lines: &[&str]) -> String {
    let input = lines.join("\n");
    let mut output = Vec::new();
    console::run_chat(engine(), input.as_bytes(), &mut output).expect("chat runs");
    String::from_utf8(output).expect("utf-8")
}

#[test]
fn transcript_faq_question_then_a_symptom_check_to_routine() {
    // A 67-year-old smoker whose calves ache after a few hundred metres,
    // worse uphill, gone within minutes of standing still.
    let mut lines = vec!["what is peripheral artery disease?", "symptoms"];
    // The two red-flag screens (the second with new exercise): none.
    lines.extend(["none"; 2]);
    lines.extend([
        "yes",               // pain when walking
        "calf",              // where
        "2",                 // not at rest; uphill or hurrying: yes
        "gone_within_10min", // standing still
        "yes",               // ordinary pace
        "60_plus",           // age
        "over_6_weeks",      // how long
        "quit",
    ]);
    let transcript = chat_transcript(&lines);
    check_snapshot("chat_pad_routine.txt", &transcript);
    assert!(transcript.contains("Urgency: routine"), "{transcript}");
}

#[test]
fn transcript_symptoms_cold_leg_emergency_after_not_sure() {
    let mut output = Vec::new();
    // Not sure about some; about the cold leg (2); asked again: yes.
    console::run_symptoms(engine(), "not sure\n2\nyes\n".as_bytes(), &mut output).expect("runs");
    let transcript = String::from_utf8(output).expect("utf-8");
    check_snapshot("symptoms_cold_leg_emergency.txt", &transcript);
    assert!(transcript.contains("!! EMERGENCY !!"));
}
