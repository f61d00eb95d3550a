//! The bot on posts that real people wrote in public (issue 11): answers,
//! emergency replies and the offer of the symptom check.
//!
//! `tests/data/matcher/real-tuning.tsv` and `real-holdout.tsv` hold posts
//! copied from forums, ask-the-doctor pages and newspaper health columns,
//! labelled before the bot saw them (see the files' headers). The corpus was
//! split up front; the held-out part's hash is pinned, only its aggregate
//! figures are printed, and once its misses have been looked at it becomes a
//! tuning part and a new held-out part is collected.
//!
//! Each file has its own floors. Where the product's target is met the floor
//! is the target; where it is not yet met the floor is the figure measured
//! when the test was written (README "Real people's posts" has both), so the
//! file cannot get worse unnoticed.

#[path = "support/common.rs"]
mod common;

use std::path::Path;

use faqbot::config::Config;
use faqbot::engine::{Engine, Outcome};
use sha2::{Digest, Sha256};

/// SHA-256 of `real-holdout.tsv` as collected, before the bot read it.
const REAL_HOLDOUT_SHA256: &str =
    "84440446b7e66b4f5683531e288da4b6b70d56efe67b6677266f0f83487dccb4";

struct Post {
    category: String,
    expected: Vec<String>,
    message: String,
}

fn read(name: &str) -> (Vec<Post>, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/matcher")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let hash: String = Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let text = String::from_utf8(bytes).expect("utf-8");
    let mut posts = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        assert!(
            columns.len() >= 3,
            "{name}:{}: expected category, expected, message, url",
            index + 1
        );
        posts.push(Post {
            category: columns[0].to_owned(),
            expected: match columns[1] {
                "-" => Vec::new(),
                ids => ids.split('|').map(str::to_owned).collect(),
            },
            message: columns[2].to_owned(),
        });
    }
    (posts, hash)
}

fn engine() -> Engine {
    let mut config = Config {
        faq_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        ..Config::default()
    };
    // A build with the semantic second opinion is measured with it.
    config.matcher.semantic_model = common::semantic_model();
    Engine::load(&config).unwrap_or_else(|problems| panic!("faq/ has problems: {problems:#?}"))
}

#[derive(Debug, Default)]
struct Figures {
    posts: usize,
    answerable: usize,
    right: usize,
    answers: usize,
    wrong: usize,
    /// Emergency replies to posts no labeller read as an emergency.
    false_emergencies: usize,
    /// Stories (the writer's or a relative's own symptoms) that did not get
    /// the emergency reply, and how many of them were offered the check.
    stories: usize,
    stories_offered: usize,
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn measure(engine: &Engine, posts: &[Post]) -> Figures {
    let mut figures = Figures::default();
    for post in posts {
        let assessment = engine.assess(&post.message, false);
        figures.posts += 1;
        let answerable = !post.expected.is_empty();
        figures.answerable += usize::from(answerable);
        match assessment.outcome {
            Outcome::Answer => {
                figures.answers += 1;
                let id = assessment.answer_id().unwrap_or_default();
                if post.expected.iter().any(|e| e == id) {
                    figures.right += 1;
                } else {
                    figures.wrong += 1;
                }
            }
            Outcome::Emergency if post.category != "emergency" => {
                figures.false_emergencies += 1;
            }
            _ => {}
        }
        if post.category == "story" && assessment.outcome != Outcome::Emergency {
            figures.stories += 1;
            figures.stories_offered += usize::from(assessment.offers_check);
            // The offer is in what the person sees, not only in the flag.
            if assessment.offers_check {
                assert!(
                    assessment.replies.iter().any(|r| r.offers_check()),
                    "offers_check without a reply that offers it"
                );
            }
        }
    }
    figures
}

fn report(name: &str, f: &Figures) {
    println!(
        "{name}: {} posts; answered right {:.1}% ({}/{} answerable), wrong {:.1}% ({}/{} answers); \
         emergency replies on non-emergency posts {}; check offered on {:.1}% of stories ({}/{})",
        f.posts,
        percent(f.right, f.answerable),
        f.right,
        f.answerable,
        percent(f.wrong, f.answers),
        f.wrong,
        f.answers,
        f.false_emergencies,
        percent(f.stories_offered, f.stories),
        f.stories_offered,
        f.stories
    );
}

#[test]
fn real_tuning_posts_meet_their_floors() {
    let (posts, _) = read("real-tuning.tsv");
    assert!(posts.len() >= 300);
    let f = measure(&engine(), &posts);
    report("real-tuning.tsv (tuning)", &f);
    // Target met: nine stories in ten offered the check.
    assert!(percent(f.stories_offered, f.stories) >= 90.0);
    // Not met yet (target 60% right, at most 5% wrong, no emergency reply
    // on a non-emergency post): floors at the figures of 2026-12-07 (after
    // the emergency screen learnt water that is drunk and a breath that is
    // held), for the matcher alone and with the semantic second opinion.
    // With the FAQ's own topic (2026-12-07) the matcher alone answers one
    // more right (22); the semantic calibration, refitted because more
    // messages reach the second look, answers three fewer right (56 -> 53).
    // Once another entry's answer no longer takes a subject away, the
    // matcher alone answers 23, with the second opinion 54.
    let (right, wrong) = if common::semantic_model().is_some() {
        (54, 3)
    } else {
        (23, 2)
    };
    assert!(f.right >= right, "right answers fell below {right}");
    assert!(f.wrong <= wrong, "more than {wrong} wrong answers");
    // 13 until the screen read undated weekdays and "your leg" (2026-12-07).
    assert!(f.false_emergencies <= 11, "more than 11 false emergencies");
}

#[test]
fn real_held_out_posts_meet_their_floors() {
    let (posts, hash) = read("real-holdout.tsv");
    assert_eq!(
        hash, REAL_HOLDOUT_SHA256,
        "real-holdout.tsv changed: a held-out part is fixed before the bot reads it"
    );
    assert!(posts.len() >= 200);
    let f = measure(&engine(), &posts);
    // Aggregates only: the misses of a held-out part are never printed.
    report("real-holdout.tsv (held out)", &f);
    // None of the targets is met yet on the held-out part: floors at its
    // reads of 2026-12-06 (answers and emergencies: the read after the
    // emergency screen's changes; the offer: its first read), and with the
    // semantic second opinion at its first read with it, 2026-12-07.
    let (right, wrong) = if common::semantic_model().is_some() {
        (33, 3)
    } else {
        (12, 2)
    };
    assert!(f.right >= right, "right answers fell below {right}");
    assert!(f.wrong <= wrong, "more than {wrong} wrong answers");
    assert!(f.false_emergencies <= 17, "more than 17 false emergencies");
    assert!(
        f.stories_offered >= 192,
        "check offered on fewer than 192 stories"
    );
}

/// Plain questions (the team-written paraphrases, typos and fragments) are
/// answered, not offered the symptom check: at most 5% are.
#[test]
fn plain_questions_are_rarely_offered_the_check() {
    let engine = engine();
    let (mut offered, mut questions) = (0, 0);
    for name in ["dev.tsv", "dev2.tsv", "dev3.tsv", "dev4.tsv"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/matcher")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("readable");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let columns: Vec<&str> = line.splitn(3, '\t').collect();
            let [category, _, message] = columns[..] else {
                continue;
            };
            if !matches!(category, "paraphrase" | "typo" | "fragment") {
                continue;
            }
            questions += 1;
            offered += usize::from(engine.assess(message, false).offers_check);
        }
    }
    println!(
        "plain questions offered the check: {:.1}% ({offered}/{questions})",
        percent(offered, questions)
    );
    assert!(questions >= 600);
    assert!(percent(offered, questions) <= 5.0);
}

/// An answer from the calibrated second look comes with the other
/// candidates ("not what you asked?", buttons on Discord, numbers in the
/// terminal) and the disclaimer. The matcher alone, whose calibration found
/// no threshold safe enough (`src/faq/calibration.toml`), gives none.
#[test]
fn second_look_answers_offer_the_other_candidates() {
    let engine = engine();
    let (posts, _) = read("real-tuning.tsv");
    let mut second_looks = 0;
    for post in &posts {
        let assessment = engine.assess(&post.message, false);
        let Some(verdict) = assessment.verdict.as_ref().filter(|v| v.second_look) else {
            continue;
        };
        second_looks += 1;
        assert_eq!(assessment.outcome, Outcome::Answer);
        let reply = &assessment.replies[0];
        assert!(
            !reply.options().is_empty(),
            "no choices under a second-look answer"
        );
        assert!(
            reply
                .options()
                .iter()
                .all(|o| Some(o.id.as_str()) != verdict.answer_id())
        );
        assert!(reply.body().contains(faqbot::safety::NOT_WHAT_YOU_ASKED));
        let shown = faqbot::console::render(reply);
        assert!(shown.contains("not medical advice"), "{shown}");
        assert!(shown.contains("  1. "), "{shown}");
    }
    if common::semantic_model().is_some() {
        assert!(
            second_looks >= 30,
            "only {second_looks} second-look answers"
        );
    } else {
        assert_eq!(second_looks, 0);
    }
}
