//! Fits the matcher's calibrated second look (`src/faq/calibration.rs`) on
//! the tuning sets ([`calibration::TUNING_SETS`]) and writes
//! `src/faq/calibration.toml`.
//!
//! ```text
//! cargo run --release --example fit_calibration             # fit and write
//! cargo run --release --example fit_calibration -- --check  # compare only
//! cargo run --release --example fit_calibration -- --curve  # added answers by probability
//! scripts/fetch-model && cargo run --release --features semantic \
//!     --example fit_calibration -- --semantic                  # calibration-semantic.toml
//! ```
//!
//! `tests/calibration.rs` checks that the shipped file is what this fits.

use std::path::PathBuf;
use std::process::ExitCode;

use faqbot::faq::calibration::{self, Calibration, Sample};
use faqbot::faq::{Matcher, MatcherSettings, load_dir};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data_dir = crate_dir.join("tests/data/matcher");
    let (faq, problems) = load_dir(&crate_dir.join("faq"));
    if !problems.is_empty() {
        eprintln!("faq/ has problems: {problems:?}");
        return ExitCode::FAILURE;
    }
    let semantic = args.iter().any(|a| a == "--semantic");
    let matcher = Matcher::new(&faq, MatcherSettings::default()).with_second_look(&faq);
    let matcher = if semantic {
        match with_semantic_opinion(matcher, &faq, &crate_dir) {
            Ok(matcher) => matcher,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        matcher
    };
    let calibration = match calibration::fit_on_tuning_sets(&matcher, &data_dir) {
        Ok(calibration) => calibration,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut samples = Vec::new();
    for (name, weight) in calibration::TUNING_SETS {
        let set = calibration::read_labelled(&data_dir.join(name)).unwrap_or_default();
        let set_samples = calibration::samples(&matcher, &set, weight);
        let added: Vec<&Sample> = set_samples
            .iter()
            .filter(|s| calibration.answers(&s.features))
            .collect();
        eprintln!(
            "{name}: {} messages left to the second look, best entry right on {}; it answers \
             {} of them, {} wrong",
            set_samples.len(),
            set_samples.iter().filter(|s| s.right).count(),
            added.len(),
            added.iter().filter(|s| !s.right).count()
        );
        samples.extend(set_samples);
    }
    eprintln!("threshold {:.4}", calibration.threshold);
    if args.iter().any(|a| a == "--curve") {
        print_curve(&calibration, &samples);
    }
    let text = calibration.to_toml();
    let path = crate_dir.join(if semantic {
        "src/faq/calibration-semantic.toml"
    } else {
        "src/faq/calibration.toml"
    });
    if args.iter().any(|a| a == "--check") {
        let shipped = std::fs::read_to_string(&path).unwrap_or_default();
        if shipped == text {
            eprintln!("{} is what this script fits", path.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} differs from what this script fits: run it without --check",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    match std::fs::write(&path, text) {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

/// The matcher with the semantic second opinion (feature `semantic`, model
/// in `models/all-MiniLM-L6-v2`).
#[cfg(feature = "semantic")]
fn with_semantic_opinion(
    matcher: Matcher,
    faq: &faqbot::faq::Faq,
    crate_dir: &std::path::Path,
) -> Result<Matcher, String> {
    use faqbot::faq::semantic::{Encoder, SemanticIndex};
    let encoder = Encoder::load(&crate_dir.join("models/all-MiniLM-L6-v2"))?;
    let index = SemanticIndex::build(encoder, faq)?;
    Ok(matcher.with_second_opinion(faq, std::sync::Arc::new(index)))
}

#[cfg(not(feature = "semantic"))]
fn with_semantic_opinion(
    _matcher: Matcher,
    _faq: &faqbot::faq::Faq,
    _crate_dir: &std::path::Path,
) -> Result<Matcher, String> {
    Err("--semantic needs `--features semantic`".to_owned())
}

/// The answers the second look would add at each probability, most probable
/// first: how many, and how many of them wrong (by sample weight).
fn print_curve(calibration: &Calibration, samples: &[Sample]) {
    let mut scored: Vec<(f32, bool, f64)> = samples
        .iter()
        .map(|s| (calibration.probability(&s.features), s.right, s.weight))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut n, mut wrong, mut total, mut wrong_weight) = (0, 0, 0.0, 0.0);
    for (p, right, weight) in scored {
        n += 1;
        total += weight;
        if !right {
            wrong += 1;
            wrong_weight += weight;
        }
        if n % 10 == 0 {
            eprintln!(
                "p >= {p:.3}: {n} answers, {wrong} wrong ({:.1}% by weight)",
                100.0 * wrong_weight / total
            );
        }
    }
}
