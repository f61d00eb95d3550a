//! Behaviour of the emergency screen as a person would notice it.
//!
//! The stories in `tests/data/emergency/stories.tsv` are the specification:
//! each line is a message and the first red flag the screen must report for
//! it, or `-` when it must stay calm. A new case is a new line there, not new
//! code here. The other tests pin what the screen must survive.

use std::path::Path;

use faqbot::safety::emergency::{EmergencyScreen, RedFlag};
use proptest::prelude::*;

/// One line of the stories file.
struct Story {
    line: usize,
    expected: Option<RedFlag>,
    message: String,
}

/// The serde name of a red flag ("chest_pain_or_breathless").
fn serde_name(flag: RedFlag) -> String {
    serde_json::to_value(flag)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Reads the stories file, failing on any malformed line.
fn load_stories() -> Vec<Story> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/emergency/stories.tsv");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut stories = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let line_number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((expected, message)) = line.split_once('\t') else {
            problems.push(format!(
                "line {line_number}: expected <expected>TAB<message>"
            ));
            continue;
        };
        let expected = match expected.trim() {
            "-" => None,
            name => match RedFlag::ALL
                .into_iter()
                .find(|flag| serde_name(*flag) == name)
            {
                Some(flag) => Some(flag),
                None => {
                    problems.push(format!("line {line_number}: unknown red flag {name:?}"));
                    continue;
                }
            },
        };
        if message.trim().is_empty() {
            problems.push(format!("line {line_number}: empty message"));
            continue;
        }
        stories.push(Story {
            line: line_number,
            expected,
            message: message.to_owned(),
        });
    }
    assert!(
        problems.is_empty(),
        "bad lines in {}:\n{}",
        path.display(),
        problems.join("\n")
    );
    stories
}

#[test]
fn every_story_gets_the_expected_decision() {
    let screen = EmergencyScreen::new();
    let stories = load_stories();

    let mut missed = Vec::new();
    let mut false_alarms = Vec::new();
    let mut wrong_first = Vec::new();
    let mut n_alarm = 0;
    let mut n_calm = 0;
    for story in &stories {
        let flags = screen.screen(&story.message);
        match story.expected {
            Some(expected) => {
                n_alarm += 1;
                match flags.first() {
                    None => missed.push(format!(
                        "line {}: missed {}: {}",
                        story.line,
                        serde_name(expected),
                        story.message
                    )),
                    Some(&first) if first != expected => wrong_first.push(format!(
                        "line {}: expected {} first, got {:?}: {}",
                        story.line,
                        serde_name(expected),
                        flags,
                        story.message
                    )),
                    Some(_) => {}
                }
            }
            None => {
                n_calm += 1;
                if !flags.is_empty() {
                    false_alarms.push(format!(
                        "line {}: false alarm {:?}: {}",
                        story.line, flags, story.message
                    ));
                }
            }
        }
    }

    println!(
        "{} stories: {} alarm ({} missed, {} wrong first flag), {} calm ({} false alarms)",
        stories.len(),
        n_alarm,
        missed.len(),
        wrong_first.len(),
        n_calm,
        false_alarms.len()
    );
    assert!(n_alarm >= 70 && n_calm >= 70, "the story file is too small");
    // Every rule flag has stories; `possible` is the second opinion's, not
    // a rule's.
    for flag in RedFlag::ALL.into_iter().filter(|f| *f != RedFlag::Possible) {
        let count = stories.iter().filter(|s| s.expected == Some(flag)).count();
        assert!(count >= 8, "only {count} stories for {}", serde_name(flag));
    }
    for failure in missed.iter().chain(&wrong_first).chain(&false_alarms) {
        println!("{failure}");
    }
    let failures: Vec<String> = missed
        .into_iter()
        .chain(wrong_first)
        .chain(false_alarms)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} stories failed:\n{}",
        failures.len(),
        stories.len(),
        failures.join("\n")
    );
}

#[test]
fn odd_inputs_give_no_alarm_and_no_panic() {
    let screen = EmergencyScreen::new();
    let odd_inputs = [
        String::new(),
        " \n\t ".to_owned(),
        "🦵😩🚶‍♂️🔥🔥🔥".to_owned(),
        "c̷̢̛a̸̧͝l̵̨͠f̶̡̛ ̷̢͝h̸̨̛u̵͠r̶̢͝t̷̛s̸̨".to_owned(),
        "ألم في الساق عند المشي".to_owned(),
        "\u{202E}gel ym ni niap\u{202C}".to_owned(),
        "Schmerzen in der Wade beim Gehen".to_owned(),
        "боль в ноге".to_owned(),
        "```rust\nfn main() { let chest_pain = true; }\n```".to_owned(),
        "`can't breathe` is the name of my band".to_owned(),
        "<@123456> <#987> @everyone https://example.com/chest-pain".to_owned(),
        "...???!!!;;;\n\n\n".to_owned(),
        "\u{0}\u{1}\u{7f}\u{feff}".to_owned(),
        "9999999999999999999999 38.9.9.9 .5 100.4".to_owned(),
    ];
    for input in &odd_inputs {
        assert!(screen.screen(input).is_empty(), "alarm on {input:?}");
    }
}

#[test]
fn huge_messages_are_screened_without_panicking() {
    let screen = EmergencyScreen::new();
    let long_calm = "my calf aches a bit after a long walk. ".repeat(2_600);
    assert!(long_calm.chars().count() > 100_000);
    assert!(screen.screen(&long_calm).is_empty());

    // The story buried at the start of a long message is still found.
    let buried = format!(
        "my leg suddenly went cold and white and i cant move my foot. {}",
        "blah ".repeat(20_000)
    );
    assert_eq!(
        screen.screen(&buried).first(),
        Some(&RedFlag::SuddenColdPaleNumbLeg)
    );

    let one_word = "a".repeat(100_000);
    assert!(screen.screen(&one_word).is_empty());
}

#[test]
fn code_blocks_do_not_raise_alarms_but_text_around_them_does() {
    let screen = EmergencyScreen::new();
    assert!(
        screen
            .screen("```\nchest pain, can't breathe\n```")
            .is_empty()
    );
    assert_eq!(
        screen.screen(
            "```\nlog output\n```\nsorry wrong channel, but I can't breathe and my chest hurts"
        ),
        vec![RedFlag::ChestPainOrBreathless]
    );
}

#[test]
fn american_and_british_spellings_both_work() {
    let screen = EmergencyScreen::new();
    for message in [
        "my foot turned gray and cold all of a sudden",
        "my foot turned grey and cold all of a sudden",
        "leg is red and swollen and i have a fever of 102",
        "leg is red and swollen and i have a temperature of 39",
    ] {
        assert!(
            !screen.screen(message).is_empty(),
            "no alarm on {message:?}"
        );
    }
}

#[test]
fn screen_can_be_shared_between_threads() {
    let screen = std::sync::Arc::new(EmergencyScreen::default());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let screen = std::sync::Arc::clone(&screen);
            std::thread::spawn(move || screen.screen("i cant feel my bum when i wipe"))
        })
        .collect();
    for handle in handles {
        let flags = handle.join().unwrap_or_default();
        assert_eq!(flags, vec![RedFlag::SaddleNumbness]);
    }
}

#[test]
fn red_flags_serialise_to_snake_case_and_name_their_items() {
    assert_eq!(
        serde_name(RedFlag::ChestPainOrBreathless),
        "chest_pain_or_breathless"
    );
    assert_eq!(serde_name(RedFlag::SevereTenseCalf), "severe_tense_calf");
    assert_eq!(
        RedFlag::SevereTenseCalf.item_id(),
        Some("rf_severe_pain_tense_calf")
    );
    assert_eq!(
        RedFlag::ChestPainOrBreathless.lay_description(),
        "sudden chest pain or breathlessness"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn screen_never_panics_on_any_string(message in any::<String>()) {
        let screen = EmergencyScreen::new();
        let flags = screen.screen(&message);
        // Flags are sorted most serious first, without repeats.
        prop_assert!(flags.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn screen_never_panics_on_symptom_word_soup(
        words in proptest::collection::vec(
            proptest::sample::select(vec![
                "no", "not", "if", "cant", "my", "leg", "foot", "cold", "white", "numb", "bum",
                "pee", "chest", "pain", "breath", "both", "legs", "weak", "fever", "red",
                "swollen", "calf", "rock", "hard", "agony", "suddenly", "?", ".", ",", "38.9",
                "temp", "but", "is", "what", "\n", "é", "🦵",
            ]),
            0..60,
        )
    ) {
        let screen = EmergencyScreen::new();
        let _ = screen.screen(&words.join(" "));
    }
}

/// Every calm reading has a twin: the false alarm it removes stays calm, and
/// a true alarm of the same shape still fires (tests/data/emergency/twins.tsv).
#[test]
fn every_exception_keeps_its_twin_alarm() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/emergency/twins.tsv");
    let source = std::fs::read_to_string(&path).expect("twins.tsv");
    let screen = EmergencyScreen::new();
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, calm, alarm] = fields.as_slice() else {
            panic!("twins.tsv:{}: expected 3 tab-separated fields", index + 1);
        };
        names.insert((*name).to_owned());
        if !screen.screen(calm).is_empty() {
            failures.push(format!("{name}: false alarm on {calm:?}"));
        }
        if screen.screen(alarm).is_empty() {
            failures.push(format!("{name}: no alarm on its twin {alarm:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every derived reading of context.toml that takes a concept off a word
    // and gives one no flag reads (a sense that is no finding: "the water I
    // drank") is an exception too, named by what it gives.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("faq/emergency");
    let flags_text = std::fs::read_to_string(root.join("flags.toml")).expect("flags.toml");
    let context: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("context.toml")).expect("context.toml"))
            .expect("context.toml parses");
    let mut removing = 0;
    for derive in context
        .get("derive")
        .and_then(|d| d.as_array())
        .expect("[[derive]] rules")
    {
        let gives = derive
            .get("gives")
            .and_then(|g| g.as_str())
            .unwrap_or_default();
        let removes = derive.get("remove").is_some();
        let read_by_flags = flags_text.contains(&format!("\"{gives}\""));
        if removes && !read_by_flags {
            removing += 1;
            assert!(
                names.contains(gives),
                "derive giving `{gives}` takes a concept away and has no twin in twins.tsv"
            );
        }
    }
    assert!(removing >= 2, "the derive rules were not read");
    // Every concept that makes a sentence ask for information ("signs",
    // "your leg") has its twin: the same words told as happening still fire.
    let info_markers = context
        .get("sentences")
        .and_then(|s| s.get("info_markers"))
        .and_then(|m| m.as_array())
        .expect("[sentences] info_markers");
    assert!(!info_markers.is_empty(), "no information markers read");
    for marker in info_markers {
        let marker = marker.as_str().unwrap_or_default();
        assert!(
            names.contains(marker),
            "information marker `{marker}` has no twin in twins.tsv"
        );
    }
    // Quieting the second opinion on long-standing complaints has its twin:
    // a long-standing complaint with something new still alarms.
    let quiet = context
        .get("second_opinion_quiet")
        .and_then(|q| q.as_array())
        .is_some_and(|q| !q.is_empty());
    assert!(
        !quiet || names.contains("second_opinion_quiet"),
        "second_opinion_quiet has no twin in twins.tsv"
    );
    // Every calm concept of flags.toml has its twin.
    let flags = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("faq/emergency/flags.toml"),
    )
    .expect("flags.toml");
    let table: toml::Table = toml::from_str(&flags).expect("flags.toml parses");
    let groups = table
        .get("groups")
        .and_then(|g| g.as_table())
        .expect("[groups]");
    for (group, members) in groups {
        if !group.contains("_calm") {
            continue;
        }
        for member in members.as_array().into_iter().flatten() {
            let member = member.as_str().unwrap_or_default();
            assert!(
                names.contains(member),
                "calm concept `{member}` (group {group}) has no twin in twins.tsv"
            );
        }
    }
}
