//! The case suite: people described in lay words (tests/data/symptoms/cases),
//! each run through the check exactly as `faqbot symptoms --answers FILE`
//! runs it, must reach the expected triage level and leading pattern.
//!
//! The test prints the figures clinical-basis.md section e compares symptom
//! checkers by (exact level, self-care exact, emergencies caught,
//! under-triage) and fails listing every mismatch at once.

#[path = "symptoms_support.rs"]
mod support;

use std::collections::BTreeSet;

use faqbot::symptoms::{Level, run_answers};
use support::{cases, real_check};

#[test]
fn every_case_reaches_its_level_and_pattern() {
    let check = real_check();
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "the suite should have at least 40 cases, has {}",
        cases.len()
    );

    let mut names = BTreeSet::new();
    let mut mismatches = Vec::new();
    let (mut exact, mut self_care, mut self_care_exact) = (0, 0, 0);
    let (mut emergencies, mut emergencies_caught, mut under, mut over) = (0, 0, 0, 0);
    let mut pattern_exact = 0;
    let mut asked = Vec::new();
    let mut levels_seen = BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case.name.clone()),
            "case name `{}` is used twice",
            case.name
        );
        let expected: Level = case
            .level
            .parse()
            .unwrap_or_else(|e| panic!("{}: case `{}`: {e}", case.file, case.name));
        levels_seen.insert(expected);
        let result = match run_answers(&check, &case.answers_toml) {
            Ok(result) => result,
            Err(e) => {
                mismatches.push(format!(
                    "{} / {}: the answers do not run: {e}",
                    case.file, case.name
                ));
                continue;
            }
        };
        asked.push(result.asked.len());
        if expected == Level::Emergency {
            emergencies += 1;
            emergencies_caught += usize::from(result.triage == Level::Emergency);
        }
        if expected == Level::SelfCare {
            self_care += 1;
            self_care_exact += usize::from(result.triage == Level::SelfCare);
        }
        exact += usize::from(result.triage == expected);
        under += usize::from(result.triage < expected);
        over += usize::from(result.triage > expected);
        pattern_exact += usize::from(result.pattern == case.pattern);
        if result.triage != expected || result.pattern != case.pattern {
            mismatches.push(format!(
                "{} / {}: expected {} / {}, got {} / {} (outcome `{}`)\n    {}",
                case.file,
                case.name,
                expected,
                case.pattern,
                result.triage,
                result.pattern,
                result.outcome,
                case.description
            ));
        }
    }

    let n = cases.len();
    let percent = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    asked.sort_unstable();
    eprintln!(
        "symptom-check cases: {n}; exact level {exact}/{n} ({:.1}%); self-care exact {self_care_exact}/{self_care} ({:.1}%); \
         emergencies caught {emergencies_caught}/{emergencies}; under-triaged {under}; over-triaged {over}; \
         pattern exact {pattern_exact}/{n}; questions asked median {} max {}",
        percent(exact, n),
        percent(self_care_exact, self_care),
        asked.get(asked.len() / 2).copied().unwrap_or(0),
        asked.last().copied().unwrap_or(0),
    );

    assert_eq!(
        levels_seen.len(),
        Level::ALL.len(),
        "the suite must cover all five levels"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {n} cases do not match:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(emergencies_caught, emergencies);
    assert_eq!(under, 0);
}
