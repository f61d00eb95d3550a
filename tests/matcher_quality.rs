//! Matcher quality on the labelled sets in tests/data/matcher/.
//!
//! Each line is `category<TAB>expected<TAB>message`; expected is an entry id,
//! several ids joined by `|` (any is correct), or `-` (must not answer).
//! Two figures, as the product defines them:
//! - correct: answerable messages answered with a correct entry, out of all
//!   answerable messages;
//! - wrong: answers that were wrong (another entry, or any answer to a
//!   must-not-answer message), out of all answers given.
//!
//! The labelled set is all six files together; the test fails when the
//! whole set is below the floor (70% correct, at most 5% wrong), and prints
//! each file's figures as well.
//!
//! Two kinds of file, each written by someone who saw none of the others:
//! - tuning sets (`dev.tsv` to `dev4.tsv`): the matcher, the synonyms and
//!   the thresholds were tuned on these; `dev3.tsv` holds questions on the
//!   borders between entries that share words; `dev4.tsv` was a held-out set
//!   until its aggregate figures had been compared across many changes. `FAQBOT_QUALITY_VERBOSE=1` lists their
//!   misses.
//! - held-out sets (`holdout*.tsv`): never tuned on. Their misses are never
//!   printed, only their aggregate figures, so they stay an honest estimate
//!   of how the matcher does on messages nobody tuned for. `holdout3.tsv` was
//!   written last, from the FAQ's questions and answers only, after the
//!   matcher's design was settled.

#[path = "support/common.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use faqbot::config::Config;
use faqbot::engine::{Engine, Outcome};

/// The files of the labelled set, each written separately.
const SETS: [&str; 6] = [
    "dev.tsv",
    "dev2.tsv",
    "dev3.tsv",
    "dev4.tsv",
    "holdout2.tsv",
    "holdout3.tsv",
];
/// The files the matcher is tuned on; only their misses may be listed.
const TUNING_SETS: [&str; 4] = ["dev.tsv", "dev2.tsv", "dev3.tsv", "dev4.tsv"];
const FLOOR_CORRECT: f64 = 0.70;
const FLOOR_WRONG: f64 = 0.05;
/// Each file's own floor (issue 11: per file, not only pooled): at least as
/// many right answers and at most as many wrong ones as the default build
/// gave on 2026-12-07 (README "Matcher quality"). The semantic second look
/// added right answers on every file and no wrong one, so the same floors
/// hold for it.
const FILE_FLOORS: [(&str, usize, usize); 6] = [
    ("dev.tsv", 237, 6),
    ("dev2.tsv", 164, 7),
    ("dev3.tsv", 149, 11),
    ("dev4.tsv", 130, 4),
    ("holdout2.tsv", 177, 11),
    ("holdout3.tsv", 163, 3),
];

struct Labelled {
    line: usize,
    category: String,
    expected: Vec<String>,
    message: String,
}

fn read_set(name: &str) -> Vec<Labelled> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/matcher")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let columns: Vec<&str> = line.splitn(3, '\t').collect();
        assert_eq!(columns.len(), 3, "{name}:{}: expected 3 columns", index + 1);
        let expected = if columns[1] == "-" {
            Vec::new()
        } else {
            columns[1].split('|').map(str::to_owned).collect()
        };
        out.push(Labelled {
            line: index + 1,
            category: columns[0].to_owned(),
            expected,
            message: columns[2].to_owned(),
        });
    }
    out
}

/// The shipped faq/, or the folder `FAQBOT_QUALITY_FAQ` names (to measure
/// the labelled sets on a changed FAQ, e.g. with new entries added; the
/// floors still apply).
fn engine() -> Engine {
    let faq_dir = std::env::var_os("FAQBOT_QUALITY_FAQ").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        std::path::PathBuf::from,
    );
    let mut config = Config {
        faq_dir,
        ..Config::default()
    };
    // A build with the semantic second opinion is measured with it.
    config.matcher.semantic_model = common::semantic_model();
    Engine::load(&config).unwrap_or_else(|problems| {
        panic!("faq/ has problems: {problems:#?}");
    })
}

#[derive(Default)]
struct Tally {
    answerable: usize,
    correct: usize,
    answers: usize,
    wrong: usize,
    suggested_right: usize,
    emergency: usize,
    total: usize,
}

fn measure(name: &str) -> Tally {
    let engine = engine();
    let set = read_set(name);
    let verbose =
        std::env::var_os("FAQBOT_QUALITY_VERBOSE").is_some() && TUNING_SETS.contains(&name);
    let mut overall = Tally::default();
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    for item in &set {
        let assessment = engine.assess(&item.message, false);
        let category = by_category.entry(item.category.clone()).or_default();
        for tally in [&mut overall, category] {
            tally.total += 1;
            if !item.expected.is_empty() {
                tally.answerable += 1;
            }
            match assessment.outcome {
                Outcome::Answer => {
                    tally.answers += 1;
                    let id = assessment.answer_id().unwrap_or_default();
                    if item.expected.iter().any(|e| e == id) {
                        tally.correct += 1;
                    } else {
                        tally.wrong += 1;
                    }
                }
                Outcome::Suggest => {
                    if assessment
                        .candidates()
                        .iter()
                        .any(|c| item.expected.contains(&c.id))
                    {
                        tally.suggested_right += 1;
                    }
                }
                Outcome::Emergency => tally.emergency += 1,
                Outcome::None => {}
            }
        }
        if verbose {
            let got = match assessment.outcome {
                Outcome::Answer => format!("answer {}", assessment.answer_id().unwrap_or_default()),
                other => format!("{other:?}").to_lowercase(),
            };
            let right = match assessment.outcome {
                Outcome::Answer => item
                    .expected
                    .iter()
                    .any(|e| Some(e.as_str()) == assessment.answer_id()),
                _ => item.expected.is_empty(),
            };
            if !right {
                let top: Vec<String> = assessment
                    .candidates()
                    .iter()
                    .map(|c| format!("{}={:.2}", c.id, c.score))
                    .collect();
                println!(
                    "MISS {name}:{} [{}] expected {} got {got} top [{}]: {}",
                    item.line,
                    item.category,
                    if item.expected.is_empty() {
                        "-".to_owned()
                    } else {
                        item.expected.join("|")
                    },
                    top.join(" "),
                    item.message
                );
            }
        }
    }
    let rate = |part: usize, whole: usize| {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    };
    println!(
        "{name}: {} messages, {} answerable",
        overall.total, overall.answerable
    );
    for (category, tally) in &by_category {
        println!(
            "  {category:<12} n={:<4} answered right {:>3} wrong {:>3} suggested right {:>3} emergency {:>2}",
            tally.total, tally.correct, tally.wrong, tally.suggested_right, tally.emergency
        );
    }
    let correct = rate(overall.correct, overall.answerable);
    let wrong = rate(overall.wrong, overall.answers);
    println!(
        "{name}: correct {:.1}% ({}/{}), wrong {:.1}% ({}/{} answers), right entry among suggestions {}",
        correct * 100.0,
        overall.correct,
        overall.answerable,
        wrong * 100.0,
        overall.wrong,
        overall.answers,
        overall.suggested_right
    );
    let _ = (correct, wrong);
    overall
}

#[test]
fn labelled_set_meets_the_quality_floor() {
    let tallies: Vec<Tally> = SETS.iter().map(|name| measure(name)).collect();
    for (name, tally) in SETS.iter().zip(&tallies) {
        let (_, right, wrong) = FILE_FLOORS
            .iter()
            .find(|(file, _, _)| file == name)
            .unwrap_or_else(|| panic!("{name} has no floor"));
        assert!(
            tally.correct >= *right,
            "{name}: {} right answers, below its floor of {right}",
            tally.correct
        );
        assert!(
            tally.wrong <= *wrong,
            "{name}: {} wrong answers, above its limit of {wrong}",
            tally.wrong
        );
    }
    let sum = |field: fn(&Tally) -> usize| tallies.iter().map(field).sum::<usize>();
    let answerable = sum(|t| t.answerable);
    let answers = sum(|t| t.answers);
    let correct = sum(|t| t.correct) as f64 / answerable as f64;
    let wrong = if answers == 0 {
        0.0
    } else {
        sum(|t| t.wrong) as f64 / answers as f64
    };
    println!(
        "labelled set ({}): correct {:.1}% ({}/{}), wrong {:.1}% ({}/{} answers)",
        SETS.join(" + "),
        correct * 100.0,
        sum(|t| t.correct),
        answerable,
        wrong * 100.0,
        sum(|t| t.wrong),
        answers
    );
    assert!(
        correct >= FLOOR_CORRECT,
        "{:.1}% answered correctly, below the {:.0}% floor",
        correct * 100.0,
        FLOOR_CORRECT * 100.0
    );
    assert!(
        wrong <= FLOOR_WRONG,
        "{:.1}% of answers wrong, above the {:.0}% limit",
        wrong * 100.0,
        FLOOR_WRONG * 100.0
    );
}

/// Prints correct and wrong rates on the tuning sets over a grid of thresholds, for
/// choosing the defaults: `cargo test --test matcher_quality -- --ignored --nocapture`.
#[test]
#[ignore = "a tuning aid, not a check"]
fn sweep_thresholds_on_tuning_sets() {
    let set: Vec<Labelled> = TUNING_SETS.iter().flat_map(|name| read_set(name)).collect();
    for answer_threshold in [0.45f32, 0.5, 0.52, 0.54, 0.56, 0.58, 0.6, 0.65, 0.7] {
        for min_margin in [0.0f32, 0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.2] {
            let mut config = Config {
                faq_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
                ..Config::default()
            };
            config.matcher.answer_threshold = answer_threshold;
            config.matcher.suggest_threshold =
                config.matcher.suggest_threshold.min(answer_threshold);
            config.matcher.min_margin = min_margin;
            let engine = Engine::load(&config).expect("faq/ loads");
            let (mut answerable, mut correct, mut answers, mut wrong) = (0, 0, 0, 0);
            for item in &set {
                let assessment = engine.assess(&item.message, false);
                if !item.expected.is_empty() {
                    answerable += 1;
                }
                if assessment.outcome == Outcome::Answer {
                    answers += 1;
                    let id = assessment.answer_id().unwrap_or_default();
                    if item.expected.iter().any(|e| e == id) {
                        correct += 1;
                    } else {
                        wrong += 1;
                    }
                }
            }
            println!(
                "answer_threshold {answer_threshold:.2} min_margin {min_margin:.2}: correct {:.1}% wrong {:.1}%",
                100.0 * correct as f64 / answerable as f64,
                100.0 * wrong as f64 / answers.max(1) as f64
            );
        }
    }
}
