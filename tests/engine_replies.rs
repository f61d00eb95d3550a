//! What the engine says for each kind of input, checked through the library
//! as every front end sees it: `Engine::handle(key, input, now)`.

use std::path::Path;
use std::time::SystemTime;

use faqbot::config::{Config, SafetySettings};
use faqbot::engine::{ConversationKey, Engine, Input, Outcome};
use faqbot::safety::{Reply, ReplyKind, UNSET_EMERGENCY_NUMBER};

const SCIATICA_QUESTION: &str = "can sciatica make my legs hurt when I walk";
const OFF_TOPIC: [&str; 4] = [
    "anyone watching the football tonight",
    "what's the best pizza topping",
    "my laptop keeps crashing when I open discord",
    "happy birthday Sam!",
];
const NONSENSE: [&str; 4] = [
    "qwertyuiop asdfghjkl",
    "zzzz xxxx yyyy",
    "?",
    "the of and to",
];

fn engine_with(safety: SafetySettings) -> Engine {
    let config = Config {
        faq_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        safety,
        ..Config::default()
    };
    Engine::load(&config).unwrap_or_else(|problems| panic!("faq/ does not load: {problems:?}"))
}

fn engine() -> Engine {
    engine_with(SafetySettings::default())
}

fn handle(engine: &Engine, input: Input) -> Vec<Reply> {
    engine.handle(
        &ConversationKey::new("someone", "a-channel"),
        input,
        SystemTime::now(),
    )
}

fn message(text: &str, addressed: bool) -> Input {
    Input::Message {
        text: text.to_owned(),
        addressed,
    }
}

/// Every input a test can think of: each entry's question and alternates as
/// messages (addressed or not) and look-ups, every entry by id, an unknown
/// id, About, off-topic chat and nonsense.
fn every_input(engine: &Engine) -> Vec<Input> {
    let knowledge = engine.knowledge();
    let mut texts: Vec<String> = vec![SCIATICA_QUESTION.to_owned()];
    texts.extend(OFF_TOPIC.iter().map(|t| (*t).to_owned()));
    texts.extend(NONSENSE.iter().map(|t| (*t).to_owned()));
    let mut inputs = vec![
        Input::About,
        Input::ShowEntry {
            id: "no-such-entry".to_owned(),
        },
    ];
    for entry in &knowledge.faq.entries {
        texts.push(entry.question.clone());
        texts.extend(entry.alternates.iter().cloned());
        inputs.push(Input::ShowEntry {
            id: entry.id.clone(),
        });
    }
    for text in texts {
        inputs.push(message(&text, true));
        inputs.push(message(&text, false));
        inputs.push(Input::FaqQuery { text });
    }
    inputs
}

#[test]
fn every_reply_the_engine_produces_has_a_disclaimer() {
    let engine = engine();
    let mut n_replies = 0;
    for input in every_input(&engine) {
        for reply in handle(&engine, input.clone()) {
            n_replies += 1;
            assert!(
                reply.disclaimer().contains("not medical advice"),
                "{input:?} gave a reply without the disclaimer: {reply:?}"
            );
            assert!(!reply.body().trim().is_empty(), "{input:?}: empty reply");
        }
    }
    assert!(n_replies > 100, "only {n_replies} replies were checked");
}

#[test]
fn a_custom_disclaimer_goes_under_every_reply() {
    let engine = engine_with(SafetySettings {
        emergency_number: Some("112".to_owned()),
        disclaimer: Some("Not medical advice. Emergencies: {emergency_number}.".to_owned()),
        ..SafetySettings::default()
    });
    for input in every_input(&engine) {
        for reply in handle(&engine, input.clone()) {
            assert_eq!(
                reply.disclaimer(),
                "Not medical advice. Emergencies: 112.",
                "{input:?}"
            );
        }
    }
}

#[test]
fn an_answer_carries_its_sources_and_related_entries() {
    let engine = engine();
    let knowledge = engine.knowledge();
    for entry in &knowledge.faq.entries {
        let replies = handle(
            &engine,
            Input::ShowEntry {
                id: entry.id.clone(),
            },
        );
        assert_eq!(replies.len(), 1, "{}", entry.id);
        let reply = &replies[0];
        assert_eq!(
            reply.kind(),
            &ReplyKind::Answer {
                entry_id: entry.id.clone()
            }
        );
        assert_eq!(reply.title(), Some(entry.question.as_str()));
        assert!(!reply.sources().is_empty(), "{}: no sources", entry.id);
        assert_eq!(reply.sources(), entry.sources.as_slice(), "{}", entry.id);
        let related: Vec<&str> = reply.related().iter().map(|r| r.id.as_str()).collect();
        let see_also: Vec<&str> = entry.see_also.iter().map(String::as_str).collect();
        assert_eq!(related, see_also, "{}: related entries", entry.id);
        for option in reply.related() {
            let target = knowledge.faq.get(&option.id).expect("related entry exists");
            assert_eq!(option.label, target.question, "{}", entry.id);
        }
        assert!(
            !reply.body().contains("{emergency_number}")
                && !reply.body().contains("{urgent_advice_line}"),
            "{}: placeholder left in the answer",
            entry.id
        );
    }

    // The same holds for an answer found from a message.
    let replies = handle(&engine, message(SCIATICA_QUESTION, false));
    assert_eq!(replies.len(), 1);
    assert!(matches!(replies[0].kind(), ReplyKind::Answer { entry_id } if entry_id == "sciatica"));
    assert!(!replies[0].sources().is_empty());
    assert!(!replies[0].related().is_empty());
}

#[test]
fn answers_use_the_configured_emergency_number() {
    let engine = engine_with(SafetySettings {
        emergency_number: Some("112".to_owned()),
        ..SafetySettings::default()
    });
    let replies = handle(
        &engine,
        Input::ShowEntry {
            id: "sciatica".to_owned(),
        },
    );
    let reply = &replies[0];
    assert!(reply.body().contains("Call 112"), "{}", reply.body());
    for text in [reply.body(), reply.disclaimer()] {
        assert!(!text.contains("999"), "{text}");
        assert!(!text.contains("911"), "{text}");
    }
}

#[test]
fn showing_an_unknown_entry_gives_a_polite_notice() {
    let engine = engine();
    for id in [
        "no-such-entry",
        "",
        "Sciatica",
        "../../etc/passwd",
        "sciatica ",
    ] {
        let replies = handle(&engine, Input::ShowEntry { id: id.to_owned() });
        assert_eq!(replies.len(), 1, "{id:?}");
        let reply = &replies[0];
        assert_eq!(reply.kind(), &ReplyKind::Notice, "{id:?}");
        assert!(!reply.body().trim().is_empty(), "{id:?}");
        assert!(!reply.disclaimer().trim().is_empty(), "{id:?}");
    }
}

#[test]
fn an_faq_look_up_of_nonsense_is_never_met_with_silence() {
    let engine = engine();
    for text in NONSENSE.iter().chain(OFF_TOPIC.iter()) {
        let replies = handle(
            &engine,
            Input::FaqQuery {
                text: (*text).to_owned(),
            },
        );
        assert_eq!(replies.len(), 1, "{text:?}: {replies:?}");
        let reply = &replies[0];
        match reply.kind() {
            ReplyKind::Notice => assert!(!reply.body().trim().is_empty()),
            ReplyKind::Suggestions => assert!(!reply.options().is_empty(), "{text:?}"),
            other => panic!("{text:?}: expected a notice or suggestions, got {other:?}"),
        }
    }
}

#[test]
fn an_faq_look_up_of_a_real_question_answers_it() {
    let engine = engine();
    let replies = handle(
        &engine,
        Input::FaqQuery {
            text: SCIATICA_QUESTION.to_owned(),
        },
    );
    assert!(
        matches!(replies.as_slice(), [reply] if reply.kind() == &ReplyKind::Answer { entry_id: "sciatica".to_owned() }),
        "{replies:?}"
    );
}

#[test]
fn off_topic_chat_gets_help_when_addressed_and_silence_otherwise() {
    let engine = engine();
    for text in OFF_TOPIC {
        let addressed = handle(&engine, message(text, true));
        assert!(
            matches!(addressed.as_slice(), [reply] if reply.kind() == &ReplyKind::Help),
            "{text:?} sent to the bot: {addressed:?}"
        );
        assert!(
            addressed[0].body().contains("/symptoms"),
            "{}",
            addressed[0].body()
        );
        let overheard = handle(&engine, message(text, false));
        assert!(
            overheard.is_empty(),
            "{text:?} in the channel: {overheard:?}"
        );
    }
}

#[test]
fn about_says_it_is_not_a_doctor_and_names_the_emergency_number() {
    let engine = engine();
    let replies = handle(&engine, Input::About);
    assert_eq!(replies.len(), 1);
    let about = &replies[0];
    assert_eq!(about.kind(), &ReplyKind::About);
    assert!(about.body().contains("not a doctor"), "{}", about.body());
    assert!(
        about.body().contains(UNSET_EMERGENCY_NUMBER),
        "{}",
        about.body()
    );

    let engine = engine_with(SafetySettings {
        emergency_number: Some("999".to_owned()),
        ..SafetySettings::default()
    });
    let about = &handle(&engine, Input::About)[0];
    assert!(about.body().contains("call 999"), "{}", about.body());
    assert!(!about.body().contains("911"), "{}", about.body());
}

#[test]
fn every_entry_is_found_by_its_own_question() {
    let engine = engine();
    let knowledge = engine.knowledge();
    let mut misses = Vec::new();
    for entry in &knowledge.faq.entries {
        let assessment = engine.assess(&entry.question, false);
        if assessment.answer_id() != Some(entry.id.as_str()) {
            misses.push(format!(
                "{}: {:?} -> {:?} {:?}",
                entry.id,
                entry.question,
                assessment.outcome,
                assessment.candidates()
            ));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn the_same_message_always_gets_the_same_replies() {
    let engine = engine();
    for text in [SCIATICA_QUESTION, OFF_TOPIC[0], NONSENSE[0]] {
        let first = engine.assess(text, true);
        let second = engine.assess(text, true);
        assert_eq!(first.outcome, second.outcome, "{text:?}");
        assert_eq!(first.replies, second.replies, "{text:?}");
        assert_eq!(
            handle(&engine, message(text, true)),
            first.replies,
            "{text:?}"
        );
        assert_ne!(first.outcome, Outcome::Emergency, "{text:?}");
    }
}

/// A story about someone's own leg symptoms is offered the symptom check:
/// with the answer or suggestions when there are some, on its own when no
/// entry fits; never in place of the emergency reply, never for a plain
/// question, a negated finding or chat about something else.
#[test]
fn a_persons_own_story_is_offered_the_symptom_check() {
    let engine = engine();
    let offered = |text: &str| {
        let assessment = engine.assess(text, false);
        let in_reply = assessment.replies.iter().any(Reply::offers_check);
        assert_eq!(assessment.offers_check, in_reply, "{text}");
        (
            assessment.offers_check,
            assessment.outcome,
            assessment.replies,
        )
    };
    for story in [
        "My calves hurt after about 200 metres and it stops when I rest. I'm 66 and used to \
         smoke. What could it be?",
        "my mum's legs have been aching on her walks for about three months now",
        // One sentence, no "when": the writer's age makes it a story.
        "my calves hurt after 200 metres and stop when I rest, I am 66, what could it be?",
        "I've had a sore tendon at the back of my heel since I started running again, it's worse \
         in the mornings",
    ] {
        let (offers, outcome, replies) = offered(story);
        assert!(offers, "{story}");
        assert_ne!(outcome, Outcome::Emergency, "{story}");
        for reply in &replies {
            assert!(reply.body().contains("symptom check"), "{story}");
            assert!(!reply.disclaimer().is_empty());
        }
    }
    for question in [
        "why do my calves hurt when I walk?",
        "what is peripheral artery disease?",
        "no pain in my legs at all, just asking which walking shoes are good",
        "anyone watching the football tonight",
    ] {
        assert!(!offered(question).0, "{question}");
    }
    // An emergency gets the emergency reply and nothing else.
    let (offers, outcome, replies) =
        offered("my leg has gone cold and white since this morning and I can't feel my foot");
    assert_eq!(outcome, Outcome::Emergency);
    assert!(!offers);
    assert_eq!(replies.len(), 1);
}

/// "Baby" is no word of another topic: a clot after having a baby is the
/// mother's (c.1 U7), and the blood-clot entry answers it (review 7b B11).
#[test]
fn a_clot_after_having_a_baby_is_answered() {
    let engine = engine();
    let replies = handle(&engine, message("leg clot after having a baby", true));
    assert!(
        replies
            .iter()
            .any(|reply| reply.body().contains("deep vein thrombosis")),
        "{replies:?}"
    );
}
