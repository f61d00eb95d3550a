//! The symptom check's condition parser: arbitrary text as a condition,
//! parsed alone and then inside the repository's `faq/symptom-check.toml`
//! (as one question's `ask_if`, written as a TOML basic string), loaded
//! through the same function `faqbot check` uses, so names are resolved
//! and positions mapped back to the file.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use faqbot::symptoms::{self, SymptomCheck};
use libfuzzer_sys::fuzz_target;

const CONDITION: &str = "ask_if = \"ecq_pain_when_walking = yes\"";

fn shipped() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../faq/symptom-check.toml");
        let text = std::fs::read_to_string(path).expect("the repository's symptom check");
        assert!(text.contains(CONDITION), "the symptom check changed");
        text
    })
}

/// `text` as a TOML basic string's content.
fn escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(condition) = std::str::from_utf8(data) else {
        return;
    };
    if let Err((pos, _)) = symptoms::parse_condition(condition) {
        assert!(pos <= condition.len(), "error past the end");
    }
    let text = shipped().replacen(
        CONDITION,
        &format!("ask_if = \"{}\"", escaped(condition)),
        1,
    );
    let path = Path::new("symptom-check.toml");
    if let Err(problems) = SymptomCheck::from_source(path, &text) {
        for problem in problems {
            assert!(problem.line >= 1 && problem.column >= 1, "{problem}");
        }
    }
});
