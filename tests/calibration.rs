//! The calibrated second look's data is what its script fits (issue 11):
//! `src/faq/calibration.toml` is written by `cargo run --release --example
//! fit_calibration` from the tuning sets, and must not drift from them
//! (after a change to the matcher, the FAQ or a tuning set, run the script
//! again and review the new figures).

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
    let matcher = Matcher::new(&faq, MatcherSettings::default());
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
