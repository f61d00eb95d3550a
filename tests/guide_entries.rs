//! Entries a moderator writes from the guide alone must work the moment they
//! are added (issue 12).
//!
//! `tests/data/matcher/guide5/entries/` holds five entries (compression
//! stockings, plantar fasciitis, hamstring tendinopathy, gout, a sprained
//! ankle) written by a helper who read only `faq/README.md`, the shipped
//! `faq/` files and the clinical basis, never the code, the tests or the
//! matcher's data, and did not run the bot. The only edits since are the
//! ones `faqbot check` asked for: three sources that are not patient pages
//! of the allowed publishers were dropped, and the signs that cited them
//! cite the NHS page instead.
//!
//! `guide5/heldout.tsv` holds 100 messages about those topics and 40 that
//! must not be answered (15 chat, 25 health questions that share their words
//! but are about something else), written on 2026-12-07 by a helper who saw
//! only the clinical basis and the FAQ's questions, never the entries, the
//! code or the other sets. Its hash is pinned: it is a held-out set. Only
//! aggregate figures are printed, never a miss.
//!
//! Two earlier writers' sets are tuning sets: `tuning.tsv`, and
//! `tuning2.tsv`, which was the held-out set until its totals had been read
//! while choosing between designs of issue 12 item 2.
//!
//! The test adds the five files to a copy of the shipped FAQ, changes
//! nothing else, and measures.

#[path = "support/common.rs"]
mod common;

use std::path::Path;

use common::{TempDir, copy_tree, manifest_dir};
use faqbot::config::Config;
use faqbot::engine::{Engine, Outcome};
use sha2::{Digest, Sha256};

/// SHA-256 of `guide5/heldout.tsv` as written, before the bot read it.
const HELDOUT_SHA256: &str = "7af8d33064dd2559d9f80e0a1e31f258d83d5b80e478724550bcf13f70dd7a4e";

/// The issue's target: at least 70% of the messages about the new entries
/// answered right, at most 5% of answers wrong, no chat answered. Not met
/// yet for the share answered right: each file's floor is then its first
/// read (README "Entries written from the guide"), so it cannot get worse
/// unnoticed; raise a floor when the figure rises.
const TARGET_RIGHT: f64 = 0.70;
const LIMIT_WRONG: f64 = 0.05;

/// A file's floors: right answers at least, wrong answers and answered
/// messages that are not about the new entries at most.
struct Floors {
    right: usize,
    wrong: usize,
    chat: usize,
}

struct Message {
    /// The new entry it asks about, or `None` (must not be answered).
    label: Option<String>,
    /// Existing entries that answer it equally well.
    also: Vec<String>,
    text: String,
}

/// The messages of `guide5/<name>`; with `pinned`, its hash must be that.
fn read_messages(name: &str, pinned: Option<&str>) -> Vec<Message> {
    let path = manifest_dir().join("tests/data/matcher/guide5").join(name);
    let text = std::fs::read_to_string(&path).expect("read the messages");
    if let Some(pinned) = pinned {
        let digest: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            digest, pinned,
            "{name} changed: it is a held-out set; collect a new one instead"
        );
    }
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let columns: Vec<&str> = line.splitn(3, '\t').collect();
            assert_eq!(columns.len(), 3, "three columns: {line:?}");
            Message {
                label: (columns[0] != "none").then(|| columns[0].to_owned()),
                also: columns[1]
                    .split(',')
                    .map(str::trim)
                    .filter(|id| !id.is_empty() && *id != "-")
                    .map(str::to_owned)
                    .collect(),
                text: columns[2].to_owned(),
            }
        })
        .collect()
}

/// The shipped FAQ with the five entries added, in `temp`.
fn grown_engine(temp: &TempDir) -> Engine {
    let faq = temp.0.join("faq");
    copy_tree(&manifest_dir().join("faq"), &faq);
    copy_tree(
        &manifest_dir().join("tests/data/matcher/guide5/entries"),
        &faq.join("entries"),
    );
    engine_at(&faq)
}

fn engine_at(faq: &Path) -> Engine {
    let config = Config {
        faq_dir: faq.to_path_buf(),
        ..Config::default()
    };
    Engine::load(&config).unwrap_or_else(|problems| panic!("{problems:#?}"))
}

#[derive(Default, Debug)]
struct Figures {
    about_new: usize,
    right: usize,
    answers: usize,
    wrong: usize,
    offered: usize,
    chat: usize,
    chat_answered: usize,
    chat_suggested: usize,
}

/// The figures of `messages`; `verbose` lists the misses (tuning sets only).
fn measure(engine: &Engine, messages: &[Message], verbose: bool) -> Figures {
    let mut figures = Figures::default();
    for message in messages {
        let assessment = engine.assess(&message.text, false);
        let Some(label) = &message.label else {
            figures.chat += 1;
            if verbose && assessment.outcome != Outcome::None {
                println!("chat got {:?}: {}", assessment.outcome, message.text);
            }
            match assessment.outcome {
                Outcome::Answer => figures.chat_answered += 1,
                Outcome::Suggest => figures.chat_suggested += 1,
                _ => {}
            }
            continue;
        };
        figures.about_new += 1;
        let acceptable = |id: &str| id == label || message.also.iter().any(|also| also == id);
        match assessment.outcome {
            Outcome::Answer => {
                figures.answers += 1;
                if acceptable(assessment.answer_id().unwrap_or_default()) {
                    figures.right += 1;
                } else {
                    figures.wrong += 1;
                }
            }
            Outcome::Suggest if assessment.candidates().iter().any(|c| acceptable(&c.id)) => {
                figures.offered += 1;
            }
            _ => {}
        }
        if verbose {
            let got = match assessment.outcome {
                Outcome::Answer => assessment.answer_id().unwrap_or_default().to_owned(),
                other => format!("{other:?}"),
            };
            let top: Vec<String> = assessment
                .candidates()
                .iter()
                .map(|c| format!("{}={:.2}", c.id, c.score))
                .collect();
            println!(
                "{:?} got {got} [{}]: {}",
                message.label,
                top.join(" "),
                message.text
            );
        }
    }
    figures
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The target where it is met, else the floors (the target allows no
/// answered chat).
fn check(figures: &Figures, floors: &Floors) {
    let right_floor = floors
        .right
        .min((TARGET_RIGHT * figures.about_new as f64).ceil() as usize);
    assert!(figures.right >= right_floor, "{figures:?}");
    let wrong_limit = floors
        .wrong
        .max((LIMIT_WRONG * figures.answers as f64).floor() as usize);
    assert!(figures.wrong <= wrong_limit, "{figures:?}");
    assert!(
        figures.chat_answered <= floors.chat,
        "chat was answered: {figures:?}"
    );
}

fn report(name: &str, figures: &Figures) {
    println!(
        "{name}: {} messages about the five new entries: answered right {:.1}% ({}/{}), \
         wrong {:.1}% ({}/{} answers), right entry offered as \"did you mean\" {}; \
         {} chat messages: answered {}, offered suggestions {}",
        figures.about_new,
        percent(figures.right, figures.about_new),
        figures.right,
        figures.about_new,
        percent(figures.wrong, figures.answers),
        figures.wrong,
        figures.answers,
        figures.offered,
        figures.chat,
        figures.chat_answered,
        figures.chat_suggested,
    );
}

/// The held-out messages meet the issue's target.
#[test]
fn entries_written_from_the_guide_answer_their_questions() {
    let temp = TempDir::new("guide5");
    let engine = grown_engine(&temp);
    let messages = read_messages("heldout.tsv", Some(HELDOUT_SHA256));
    let figures = measure(&engine, &messages, false);
    report("guide5/heldout.tsv (held out)", &figures);
    assert_eq!((figures.about_new, figures.chat), (100, 40));
    // First read (main at eebdef6, 2026-12-07): 32 right, 5 wrong of 37
    // answers, 1 of the 40 others answered; with the FAQ's own topic, 47
    // right, 5 wrong of 52; read once more after this session's changes
    // (2026-12-07, 23:30 UTC): 48 right, 5 wrong of 53. Not the target (70%
    // right, 5% wrong, none of the others answered): floors at the last read.
    check(
        &figures,
        &Floors {
            right: 48,
            wrong: 5,
            chat: 1,
        },
    );
}

/// The first held-out set, now a tuning set (its totals were read while
/// choosing a design; README "Entries written from the guide").
#[test]
fn first_held_out_messages_now_tuning() {
    let temp = TempDir::new("guide5-tuning2");
    let engine = grown_engine(&temp);
    let messages = read_messages("tuning2.tsv", None);
    let verbose = std::env::var_os("FAQBOT_QUALITY_VERBOSE").is_some();
    let figures = measure(&engine, &messages, verbose);
    report(
        "guide5/tuning2.tsv (tuning; held out until 2026-12-07)",
        &figures,
    );
    assert_eq!((figures.about_new, figures.chat), (75, 30));
    // First read (main at 297c463): 23 right, 1 wrong of 24 answers; with
    // the FAQ's own topic 26 right, 1 wrong of 27; 28 of 29 once the word
    // model stopped alarming on a months-long complaint and another entry's
    // answer stopped taking a subject away (2026-12-07).
    check(
        &figures,
        &Floors {
            right: 28,
            wrong: 1,
            chat: 0,
        },
    );
}

/// The tuning messages (a second writer's; their misses may be read:
/// `FAQBOT_QUALITY_VERBOSE=1 cargo test --release --test guide_entries -- --nocapture`).
#[test]
fn tuning_messages_for_the_guide_entries() {
    let temp = TempDir::new("guide5-tuning");
    let engine = grown_engine(&temp);
    let messages = read_messages("tuning.tsv", None);
    let verbose = std::env::var_os("FAQBOT_QUALITY_VERBOSE").is_some();
    let figures = measure(&engine, &messages, verbose);
    report("guide5/tuning.tsv (tuning)", &figures);
    assert_eq!((figures.about_new, figures.chat), (60, 20));
    // First read (297c463): 18 right, 0 wrong; with the FAQ's own topic 23
    // right, 1 wrong of 24; 24 of 25 once another entry's answer stopped
    // taking a subject away (2026-12-07).
    check(
        &figures,
        &Floors {
            right: 24,
            wrong: 1,
            chat: 0,
        },
    );
}

/// The guide's example entry (the first TOML block of faq/README.md) is a
/// valid entry: put in place of the shipped one, the FAQ loads.
#[test]
fn the_guides_example_entry_is_valid() {
    let guide = std::fs::read_to_string(manifest_dir().join("faq/README.md")).expect("guide");
    let start = guide.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let example = &guide[start..start + guide[start..].find("```").expect("its end")];
    assert!(example.contains("[[urgency_sign]]"), "{example}");
    let temp = TempDir::new("guide-example");
    let faq = temp.0.join("faq");
    copy_tree(&manifest_dir().join("faq"), &faq);
    std::fs::write(faq.join("entries/blood-clot.toml"), example).expect("write");
    let engine = engine_at(&faq);
    let entry = engine
        .knowledge()
        .faq
        .get("blood-clot")
        .cloned()
        .expect("loaded");
    assert_eq!(entry.urgency_signs.len(), 1);
}
