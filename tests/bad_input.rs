//! Whatever people paste into a chat, the bot neither crashes nor says
//! something unsafe: no panic, every reply with its disclaimer, no confident
//! answer to junk, no wrong answer to a real question in odd dress, and no
//! reply that could ping anyone.

use std::path::Path;
use std::sync::OnceLock;
use std::time::SystemTime;

use faqbot::config::{Config, SafetySettings};
use faqbot::engine::{Assessment, ConversationKey, Engine, Input, Outcome};
use faqbot::safety::{Reply, ReplyKind};
use proptest::prelude::*;

const SCIATICA_QUESTION: &str = "can sciatica make my legs hurt when I walk";

/// Discord's limit for an embed description; a longer reply cannot be sent.
const MAX_REPLY_BODY_CHARS: usize = 4_096;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_engine(faq_dir: &Path, safety: SafetySettings) -> Engine {
    let config = Config {
        faq_dir: faq_dir.to_path_buf(),
        safety,
        ..Config::default()
    };
    Engine::load(&config).unwrap_or_else(|problems| panic!("FAQ does not load: {problems:?}"))
}

/// The engine over the shipped FAQ, loaded once for all tests.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| load_engine(&manifest_dir().join("faq"), SafetySettings::default()))
}

fn key() -> ConversationKey {
    ConversationKey::new("someone", "a-channel")
}

/// Every text of a reply that a person sees.
fn reply_texts(reply: &Reply) -> Vec<String> {
    let mut texts = vec![reply.body().to_owned(), reply.disclaimer().to_owned()];
    texts.extend(reply.title().map(str::to_owned));
    texts.extend(reply.options().iter().map(|o| o.label.clone()));
    texts.extend(reply.related().iter().map(|o| o.label.clone()));
    texts.extend(reply.sources().iter().map(|s| s.title.clone()));
    texts
}

/// What every reply must be, whatever the message was.
fn assert_reply_is_sendable(reply: &Reply, context: &str) {
    assert!(
        !reply.disclaimer().trim().is_empty(),
        "{context}: reply without disclaimer: {reply:?}"
    );
    assert!(
        !reply.body().trim().is_empty(),
        "{context}: empty reply body"
    );
    assert!(
        reply.body().chars().count() <= MAX_REPLY_BODY_CHARS,
        "{context}: reply body too long for Discord"
    );
    for text in reply_texts(reply) {
        for mention in ["@everyone", "@here", "<@1", "<@&", "<@!"] {
            assert!(
                !text.contains(mention),
                "{context}: reply text can ping ({mention}): {text:?}"
            );
        }
    }
}

/// The outcome, the candidates and the replies agree with each other.
fn assert_assessment_is_consistent(assessment: &Assessment, addressed: bool, context: &str) {
    let candidates = assessment.candidates();
    assert!(candidates.len() <= 3, "{context}: {candidates:?}");
    for candidate in candidates {
        assert!(
            (0.0..=1.0).contains(&candidate.score),
            "{context}: score out of range: {candidates:?}"
        );
    }
    for reply in &assessment.replies {
        assert_reply_is_sendable(reply, context);
    }
    let kinds: Vec<&ReplyKind> = assessment.replies.iter().map(Reply::kind).collect();
    match assessment.outcome {
        Outcome::Answer => {
            let id = assessment.answer_id().expect("an answer has an id");
            assert!(
                matches!(kinds.as_slice(), [ReplyKind::Answer { entry_id }] if entry_id == id),
                "{context}: {kinds:?}"
            );
        }
        Outcome::Suggest => {
            assert!(
                matches!(kinds.as_slice(), [ReplyKind::Suggestions]),
                "{context}: {kinds:?}"
            );
            assert!(
                !assessment.replies[0].options().is_empty(),
                "{context}: did you mean, with nothing to pick"
            );
        }
        Outcome::Emergency => {
            assert!(
                assessment.replies.first().is_some_and(Reply::is_emergency),
                "{context}: {kinds:?}"
            );
        }
        // Nothing answers it, but it tells someone's own leg symptoms: the
        // offer of the symptom check, alone.
        Outcome::None if assessment.offers_check => {
            assert!(
                matches!(kinds.as_slice(), [ReplyKind::Notice]),
                "{context}: {kinds:?}"
            );
            assert!(assessment.replies[0].offers_check(), "{context}");
        }
        Outcome::None if addressed => {
            assert!(
                matches!(kinds.as_slice(), [ReplyKind::Help]),
                "{context}: {kinds:?}"
            );
        }
        Outcome::None => assert!(kinds.is_empty(), "{context}: {kinds:?}"),
    }
}

/// Runs `text` through every way a message reaches the engine and returns the
/// assessment of the unaddressed message.
fn run_everywhere(engine: &Engine, text: &str, label: &str) -> Assessment {
    for addressed in [false, true] {
        let context = format!("{label} (addressed: {addressed})");
        let assessment = engine.assess(text, addressed);
        assert_assessment_is_consistent(&assessment, addressed, &context);
        let handled = engine.handle(
            &key(),
            Input::Message {
                text: text.to_owned(),
                addressed,
            },
            SystemTime::now(),
        );
        assert_eq!(
            handled, assessment.replies,
            "{context}: handle and assess differ"
        );
    }
    let looked_up = engine.handle(
        &key(),
        Input::FaqQuery {
            text: text.to_owned(),
        },
        SystemTime::now(),
    );
    assert!(
        !looked_up.is_empty(),
        "{label}: an explicit look-up is never met with silence"
    );
    for reply in &looked_up {
        assert_reply_is_sendable(reply, &format!("{label} (/faq)"));
    }
    engine.assess(text, false)
}

/// Messages that are not questions at all: the bot stays out of it.
fn junk() -> Vec<(&'static str, String)> {
    vec![
        ("empty", String::new()),
        ("whitespace", " \t \n  \r\n ".to_owned()),
        ("emoji only", "😀😂🦵🔥👍🏽❤️‍🔥🏳️‍🌈".repeat(5)),
        ("zalgo chat", "Z̷̢̛̙̖a̸̡͖̠l̷̙g̷̺o̸͎ ̸i̷s̷ ̶h̴e̷r̶e̵ ̸t̵o̸ ̷s̶a̵y̵ ̷h̷i̴".to_owned()),
        (
            "mentions only",
            "<@123> <@&456> <@!789> @everyone @here".to_owned(),
        ),
        (
            "markdown only",
            "**bold** _italic_ ~~strike~~ __under__ > quote\n- item\n# heading ||spoiler||"
                .to_owned(),
        ),
        (
            "lorem ipsum, 4,000 chars",
            "lorem ipsum dolor sit amet ".repeat(150)[..4_000].to_owned(),
        ),
        ("one letter, 100,000 chars", "a".repeat(100_000)),
        (
            "NUL and control characters",
            "\0\0\u{1}\u{7}\u{8}\u{1b}[31m\u{7f}\u{200b}\u{feff}\0".to_owned(),
        ),
        (
            "football",
            "anyone watching the football tonight".to_owned(),
        ),
        ("arabic chat", "مرحبا بالجميع، كيف حالكم اليوم؟".to_owned()),
        ("hebrew chat", "שלום לכולם, מה שלומכם היום?".to_owned()),
        (
            "right-to-left override",
            "\u{202e}hello everyone\u{202c}".to_owned(),
        ),
        (
            "japanese chat",
            "こんにちは、今日はいい天気ですね".to_owned(),
        ),
        (
            "lone surrogate-like text",
            "\u{fffd}\u{fffd}\u{fffd}".to_owned(),
        ),
        (
            "only punctuation",
            "?!?.;:,()[]{}<>/\\|\"'`~^*&%$#".repeat(20),
        ),
    ]
}

#[test]
fn junk_never_panics_and_gets_no_answer() {
    let engine = engine();
    for (label, text) in junk() {
        let assessment = run_everywhere(engine, &text, label);
        assert_eq!(
            assessment.outcome,
            Outcome::None,
            "{label}: junk must not be answered or suggested: {:?}",
            assessment.candidates()
        );
    }
}

/// A real question in odd dress: if the bot answers, it answers with the
/// right entry, and it never raises a false alarm.
fn odd_questions() -> Vec<(&'static str, String)> {
    let long_story = format!(
        "{} {SCIATICA_QUESTION}?",
        "I went for a walk with my dog in the park this morning and it was lovely. ".repeat(50)
    );
    vec![
        ("plain", SCIATICA_QUESTION.to_owned()),
        (
            "zalgo",
            "c̸̛̙a̷͖n̷ ̸s̷̢c̵i̵a̸t̶i̵c̷a̴ ̸m̷a̸k̷e̷ ̵m̶y̴ ̸l̶e̷g̸s̶ ̸h̵u̷r̴t̵ ̸w̸h̶e̵n̶ ̴I̴ ̴w̵a̵l̵k̸".to_owned(),
        ),
        ("shouting", SCIATICA_QUESTION.to_uppercase()),
        (
            "markdown",
            "**can sciatica** make my _legs_ hurt when I `walk`?".to_owned(),
        ),
        (
            "mentions",
            format!("<@123> <@&456> @everyone @here {SCIATICA_QUESTION}"),
        ),
        (
            "NUL bytes",
            format!("\0{}\0", SCIATICA_QUESTION.replace(' ', "\0 ")),
        ),
        (
            "control characters",
            format!("\u{7}\u{1b}[1m{SCIATICA_QUESTION}\u{1b}[0m\r"),
        ),
        ("emoji", format!("😭😭 {SCIATICA_QUESTION} 🦵🔥")),
        (
            "spanish",
            "¿Puede la ciática causar dolor en las piernas al caminar?".to_owned(),
        ),
        (
            "german",
            "Kann Ischias beim Gehen Beinschmerzen verursachen?".to_owned(),
        ),
        (
            "french",
            "La sciatique peut-elle causer des douleurs aux jambes en marchant ?".to_owned(),
        ),
        (
            "arabic",
            "هل يمكن أن يسبب عرق النسا ألما في الساق عند المشي؟".to_owned(),
        ),
        (
            "hebrew",
            "האם סיאטיקה יכולה לגרום לכאב ברגליים בהליכה?".to_owned(),
        ),
        ("chinese", "坐骨神经痛会让我走路时腿疼吗？".to_owned()),
        (
            "4,000 chars",
            format!("{SCIATICA_QUESTION}. ").repeat(100)[..4_000].to_owned(),
        ),
        ("long story", long_story),
        (
            "100,000 chars",
            format!("{SCIATICA_QUESTION} ").repeat(2_400),
        ),
    ]
}

#[test]
fn odd_questions_never_panic_and_never_get_a_wrong_answer() {
    let engine = engine();
    for (label, text) in odd_questions() {
        let assessment = run_everywhere(engine, &text, label);
        assert_ne!(
            assessment.outcome,
            Outcome::Emergency,
            "{label}: false alarm"
        );
        if let Some(id) = assessment.answer_id() {
            assert_eq!(id, "sciatica", "{label}: wrong answer");
        }
    }
}

#[test]
fn a_question_dressed_in_markup_is_still_answered() {
    let engine = engine();
    for (label, text) in odd_questions() {
        if !matches!(
            label,
            "plain"
                | "zalgo"
                | "shouting"
                | "markdown"
                | "mentions"
                | "control characters"
                | "emoji"
        ) {
            continue;
        }
        let assessment = engine.assess(&text, false);
        assert_eq!(
            assessment.answer_id(),
            Some("sciatica"),
            "{label}: {:?} {:?}",
            assessment.outcome,
            assessment.candidates()
        );
    }
}

#[test]
fn a_url_alone_gets_no_answer() {
    let engine = engine();
    for url in [
        "https://example.org/sciatica",
        "https://www.nhs.uk/conditions/sciatica/",
        "<https://example.org/leg-cramps>",
    ] {
        let assessment = run_everywhere(engine, url, url);
        assert_eq!(
            assessment.outcome,
            Outcome::None,
            "{url}: {:?}",
            assessment.candidates()
        );
    }
}

#[test]
fn code_alone_gets_no_answer() {
    let engine = engine();
    for code in [
        "```\nlet pain = \"sciatica\";\n```",
        "```rust\nfn main() { println!(\"sciatica\"); }\n```",
        "`sciatica` `leg cramps`",
    ] {
        let assessment = run_everywhere(engine, code, code);
        assert_eq!(
            assessment.outcome,
            Outcome::None,
            "{code:?}: {:?}",
            assessment.candidates()
        );
    }
}

#[test]
fn code_blocks_and_urls_around_a_question_never_crash() {
    let engine = engine();
    for (label, text) in [
        ("unclosed fence", format!("```\n{SCIATICA_QUESTION}")),
        (
            "fence then question",
            format!("```x = 1```\n{SCIATICA_QUESTION}"),
        ),
        (
            "url then question",
            format!("https://example.org/a.b?c=d {SCIATICA_QUESTION}"),
        ),
        ("many backticks", "`".repeat(10_001)),
        ("many angle brackets", "<@".repeat(10_000)),
        (
            "nested entities",
            "<<@123>@&456>><#7><:x:1><a:y:2><t:3:R></cmd:4>".to_owned(),
        ),
    ] {
        let assessment = run_everywhere(engine, &text, label);
        if let Some(id) = assessment.answer_id() {
            assert_eq!(id, "sciatica", "{label}: wrong answer");
        }
    }
}

#[test]
fn an_answered_message_with_everyone_never_pings_from_the_shipped_faq() {
    let engine = engine();
    let text = format!("@everyone @here <@123> <@&456> {SCIATICA_QUESTION}");
    let assessment = engine.assess(&text, false);
    assert_eq!(assessment.answer_id(), Some("sciatica"));
    for reply in &assessment.replies {
        for shown in reply_texts(reply) {
            assert!(!shown.contains("@everyone"), "{shown}");
            assert!(!shown.contains("@here"), "{shown}");
        }
    }
}

#[test]
fn mentions_written_into_the_faq_or_the_disclaimer_never_ping() {
    // tests/data/good-faq's calf-cramps entry has @everyone, @here, <@123>
    // and <@&456> in its question, answer and source title.
    let engine = load_engine(
        &manifest_dir().join("tests/data/good-faq"),
        SafetySettings {
            emergency_number: Some("112".to_owned()),
            disclaimer: Some(
                "General information, not medical advice, @everyone. Call {emergency_number}."
                    .to_owned(),
            ),
            ..SafetySettings::default()
        },
    );
    let asked = "@everyone why do I get calf cramps at night";
    let assessment = engine.assess(asked, false);
    assert_eq!(
        assessment.answer_id(),
        Some("calf-cramps"),
        "{:?}",
        assessment.candidates()
    );
    let mut replies = assessment.replies;
    for input in [
        Input::ShowEntry {
            id: "calf-cramps".to_owned(),
        },
        // shin-pain lists calf-cramps (whose question has @here) as related.
        Input::ShowEntry {
            id: "shin-pain".to_owned(),
        },
        Input::About,
        Input::FaqQuery {
            text: asked.to_owned(),
        },
    ] {
        replies.extend(engine.handle(&key(), input, SystemTime::now()));
    }
    assert!(replies.len() >= 5);
    for reply in &replies {
        assert_reply_is_sendable(reply, "good-faq");
    }
    // The text is still there for people to read, only made harmless.
    let answer = &replies[0];
    assert!(answer.body().contains("everyone"), "{}", answer.body());
    assert!(answer.body().contains("Call 112 now"), "{}", answer.body());
    assert!(
        answer.disclaimer().contains("Call 112."),
        "{}",
        answer.disclaimer()
    );
}

/// Words that reach deeper into the matcher than random characters do.
const TOKENS: [&str; 32] = [
    "sciatica",
    "calf",
    "leg",
    "legs",
    "pain",
    "walking",
    "cramp",
    "clot",
    "dvt",
    "knee",
    "shin",
    "splints",
    "baker's",
    "cyst",
    "when",
    "should",
    "I",
    "see",
    "a",
    "doctor",
    "?",
    ".",
    "\n",
    "@everyone",
    "<@123>",
    "```",
    "`",
    "https://x.y/z",
    "😭",
    "\0",
    "Z̷̢̛a̸",
    "عرق",
];

fn message_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..40)
            .prop_map(|words| words.join(" ")),
        prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..40)
            .prop_map(|words| words.concat()),
    ]
}

proptest! {
    #[test]
    fn assess_never_panics_and_every_reply_has_a_disclaimer(
        text in message_strategy(),
        addressed in any::<bool>(),
    ) {
        let engine = engine();
        let assessment = engine.assess(&text, addressed);
        assert_assessment_is_consistent(&assessment, addressed, &format!("{text:?}"));
        let looked_up = engine.handle(
            &key(),
            Input::FaqQuery { text: text.clone() },
            SystemTime::now(),
        );
        prop_assert!(!looked_up.is_empty());
        for reply in &looked_up {
            prop_assert!(!reply.disclaimer().trim().is_empty());
        }
    }
}

/// Every entry's answer, with its urgency blocks, its own signs and its
/// sources, fits in one Discord message: a reply that is too long cannot be
/// sent at all (the random messages above found one, "children", that did
/// not). Lists every entry over the limit.
#[test]
fn every_answer_fits_in_one_discord_message() {
    let engine = engine();
    let (faq, problems) = faqbot::faq::load_dir(&manifest_dir().join("faq"));
    assert!(problems.is_empty(), "{problems:?}");
    let mut too_long = Vec::new();
    for entry in &faq.entries {
        // Addressed or overheard, as a question or inside a story (which
        // may add the symptom-check offer).
        let story = format!(
            "my legs hurt when I walk, started last month. {}",
            entry.question
        );
        for (text, addressed, must_be_whole) in [
            (entry.question.as_str(), true, true),
            (entry.question.as_str(), false, true),
            (story.as_str(), true, false),
            (story.as_str(), false, false),
        ] {
            for reply in &engine.assess(text, addressed).replies {
                let length = reply.body().chars().count();
                // The answer to its own question is never shortened: the
                // content itself fits.
                let shortened =
                    must_be_whole && reply.body().contains(faqbot::safety::SHORTENED_NOTE.trim());
                if length > MAX_REPLY_BODY_CHARS || shortened {
                    too_long.push(format!("{} ({length} characters)", entry.id));
                }
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "over {MAX_REPLY_BODY_CHARS}: {too_long:?}"
    );
}
