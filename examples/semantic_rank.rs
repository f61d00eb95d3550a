//! How well the semantic encoder alone ranks the FAQ's entries for the
//! matcher's tuning posts and dev sets, and how long it takes.
//!
//! Loads faq/, builds a [`SemanticIndex`] over every entry's phrasings, ranks
//! the entries for each post of tests/data/matcher/real-tuning.tsv and
//! dev.tsv … dev4.tsv, and prints, over the posts some entry answers
//! (expected is not `-`): top-1 accuracy (the first-ranked entry is one of
//! the expected ids) and top-3 accuracy (one of the first three is). For
//! real-tuning it also prints the milliseconds each `rank` call took (median
//! and 90th percentile, over every post) and the model load and index build
//! times. For every set it also says on how many posts the bot would run the
//! encoder at all (the matcher's second look weighs only messages the rules
//! did not answer that are about legs), and how long `rank` took on those. Only these files are read: the held-out sets stay unopened.
//!
//! Run: `scripts/fetch-model && cargo run --release --features semantic
//! --example semantic_rank [MODEL_DIR]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use faqbot::faq::calibration::{self, Labelled};
use faqbot::faq::semantic::{Encoder, SemanticIndex};
use faqbot::faq::{Faq, Matcher, MatcherSettings, load_dir};

/// The sets this example reads, and nothing else in tests/data/matcher.
const SETS: [&str; 5] = [
    "real-tuning.tsv",
    "dev.tsv",
    "dev2.tsv",
    "dev3.tsv",
    "dev4.tsv",
];

/// The posts of a set (labelled the way the tuning sets are).
fn read_set(path: &Path) -> Vec<Labelled> {
    calibration::read_labelled(path).unwrap_or_else(|e| panic!("{e}"))
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = (fraction * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

struct Outcome {
    answerable: usize,
    top1: usize,
    top3: usize,
    millis: Vec<f64>,
    /// `millis` of the posts the second look weighs.
    weighed_millis: Vec<f64>,
    best_answerable: Vec<f64>,
    best_silent: Vec<f64>,
}

fn evaluate(index: &SemanticIndex, matcher: &Matcher, faq: &Faq, posts: &[Labelled]) -> Outcome {
    let mut outcome = Outcome {
        answerable: 0,
        top1: 0,
        top3: 0,
        millis: Vec::new(),
        weighed_millis: Vec::new(),
        best_answerable: Vec::new(),
        best_silent: Vec::new(),
    };
    for post in posts {
        for id in &post.expected {
            if faq.get(id).is_none() {
                eprintln!("warning: expected id {id} is not an entry of faq/");
            }
        }
        let start = Instant::now();
        let ranked = index.rank(&post.message).expect("rank");
        let millis = start.elapsed().as_secs_f64() * 1000.0;
        outcome.millis.push(millis);
        let (_, look) = matcher.decide_explained(&post.message);
        if look.is_some_and(|look| look.eligible) {
            outcome.weighed_millis.push(millis);
        }
        let best = ranked.first().map_or(f64::NAN, |(_, s)| f64::from(*s));
        if post.expected.is_empty() {
            outcome.best_silent.push(best);
            continue;
        }
        outcome.best_answerable.push(best);
        outcome.answerable += 1;
        let is_expected = |(entry, _): &(usize, f32)| {
            post.expected.iter().any(|id| *id == faq.entries[*entry].id)
        };
        if ranked.iter().take(1).any(is_expected) {
            outcome.top1 += 1;
        }
        if ranked.iter().take(3).any(is_expected) {
            outcome.top3 += 1;
        }
    }
    for list in [
        &mut outcome.millis,
        &mut outcome.weighed_millis,
        &mut outcome.best_answerable,
        &mut outcome.best_silent,
    ] {
        list.sort_by(f64::total_cmp);
    }
    outcome
}

fn share(count: usize, of: usize) -> String {
    format!(
        "{count}/{of} ({:.1}%)",
        100.0 * count as f64 / of.max(1) as f64
    )
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model_dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("models/all-MiniLM-L6-v2"));

    let (faq, problems) = load_dir(&root.join("faq"));
    if !problems.is_empty() {
        eprintln!("faq/ has {} problem(s)", problems.len());
    }

    let start = Instant::now();
    let encoder = match Encoder::load(&model_dir) {
        Ok(encoder) => encoder,
        Err(e) => {
            eprintln!("cannot load the model: {e}");
            std::process::exit(1);
        }
    };
    let loaded = start.elapsed();
    let start = Instant::now();
    let index = SemanticIndex::build(encoder, &faq).expect("index");
    let built = start.elapsed();
    println!(
        "model load: {:.0} ms; index build: {:.0} ms ({} entries, {} phrasings)",
        loaded.as_secs_f64() * 1000.0,
        built.as_secs_f64() * 1000.0,
        faq.entries.len(),
        index.phrasings()
    );

    // The matcher without the second opinion: whether a post reaches the
    // second look does not depend on the opinion.
    let matcher = Matcher::new(&faq, MatcherSettings::default()).with_second_look(&faq);
    for set in SETS {
        let posts = read_set(&root.join("tests/data/matcher").join(set));
        let outcome = evaluate(&index, &matcher, &faq, &posts);
        println!(
            "{set}: {} posts, {} answerable; top-1 {}; top-3 {}",
            posts.len(),
            outcome.answerable,
            share(outcome.top1, outcome.answerable),
            share(outcome.top3, outcome.answerable),
        );
        println!(
            "  rank: median {:.2} ms, p90 {:.2} ms, max {:.2} ms over {} calls",
            percentile(&outcome.millis, 0.5),
            percentile(&outcome.millis, 0.9),
            outcome.millis.last().copied().unwrap_or(f64::NAN),
            outcome.millis.len()
        );
        println!(
            "  the bot runs the encoder on {} posts: median {:.2} ms, p90 {:.2} ms there",
            share(outcome.weighed_millis.len(), posts.len()),
            percentile(&outcome.weighed_millis, 0.5),
            percentile(&outcome.weighed_millis, 0.9),
        );
        println!(
            "  best similarity: answerable median {:.3}; unanswerable median {:.3} ({} posts)",
            percentile(&outcome.best_answerable, 0.5),
            percentile(&outcome.best_silent, 0.5),
            outcome.best_silent.len()
        );
    }
}
