//! The calibrated second look's data is what its script fits (issue 11):
//! `src/faq/calibration.toml` is written by `cargo run --release --example
//! fit_calibration` from the tuning sets, and must not drift from them
//! (after a change to the matcher, the FAQ or a tuning set, run the script
//! again and review the new figures).

#[path = "support/common.rs"]
mod common;

use std::path::Path;

use faqbot::faq::calibration::{self, Calibration};
use faqbot::faq::{Matcher, MatcherSettings, load_dir};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_calibration_is_what_the_script_fits() {
    let (faq, problems) = load_dir(&crate_dir().join("faq"));
    assert!(problems.is_empty(), "{problems:?}");
    let matcher = Matcher::new(&faq, MatcherSettings::default()).with_second_look(&faq);
    let fitted = calibration::fit_on_tuning_sets(&matcher, &crate_dir().join("tests/data/matcher"))
        .expect("the tuning sets read");
    let shipped = Calibration::shipped().expect("calibration.toml parses");
    assert_eq!(
        &fitted, shipped,
        "src/faq/calibration.toml is not what fit_calibration fits today: run \
         `cargo run --release --example fit_calibration`"
    );
}

#[test]
fn no_held_out_set_is_fitted_on() {
    for (name, _) in calibration::TUNING_SETS {
        assert!(
            !name.contains("holdout") && !name.contains("messages"),
            "{name} is a held-out set"
        );
    }
}

/// With the `semantic` feature: `src/faq/calibration-semantic.toml` is what
/// `cargo run --release --features semantic --example fit_calibration --
/// --semantic` fits. Needs the model (`scripts/fetch-model`); without it the
/// test says so and passes, unless FAQBOT_REQUIRE_MODEL=1 (as in CI).
#[cfg(feature = "semantic")]
#[test]
fn the_shipped_semantic_calibration_is_what_the_script_fits() {
    use faqbot::faq::semantic::SemanticIndex;
    let Some(model) = common::semantic_model() else {
        return;
    };
    let (faq, problems) = load_dir(&crate_dir().join("faq"));
    assert!(problems.is_empty(), "{problems:?}");
    let index = SemanticIndex::for_faq(&model, &faq).expect("the model loads");
    let matcher = Matcher::new(&faq, MatcherSettings::default())
        .with_second_opinion(&faq, std::sync::Arc::new(index));
    let fitted = calibration::fit_on_tuning_sets(&matcher, &crate_dir().join("tests/data/matcher"))
        .expect("the tuning sets read");
    let shipped = Calibration::shipped_with_opinion().expect("calibration-semantic.toml parses");
    assert_eq!(
        &fitted, shipped,
        "src/faq/calibration-semantic.toml is not what fit_calibration --semantic fits today"
    );
    assert!(shipped.can_answer());
}
