//! Input that is not valid UTF-8 (issue 13, defect 4): one bad byte on stdin
//! must not end `ask`, `chat` or `symptoms`; the bad line is read with the
//! byte replaced, and every line after it is still answered.

#[path = "support/common.rs"]
mod common;

use std::io::Cursor;
use std::process::Output;

use common::{TempDir, manifest_dir};

use faqbot::config::Config;
use faqbot::console;
use faqbot::engine::Engine;

const SCIATICA_QUESTION: &str = "can sciatica make my legs hurt when I walk";
const CLOT_QUESTION: &str = "could my calf pain be a clot";

fn engine() -> Engine {
    let config = Config {
        faq_dir: manifest_dir().join("faq"),
        ..Config::default()
    };
    Engine::load(&config).expect("the shipped FAQ loads")
}

/// Lines joined by newlines, with a line holding bytes that are not UTF-8
/// (a lone continuation byte and a Latin-1 "é") in the middle.
fn input_with_a_bad_line(before: &str, after: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(before.as_bytes());
    bytes.extend_from_slice(b"\nmy leg hurts \x80 caf\xe9\n");
    bytes.extend_from_slice(after.as_bytes());
    bytes.push(b'\n');
    bytes
}

/// Runs `faqbot --config <shipped FAQ> ARGS` with `stdin`; `name` names
/// the test's temporary folder.
fn faqbot(name: &str, args: &[&str], stdin: &[u8]) -> Output {
    let temp = TempDir::new(name);
    let config = temp.shipped_config();
    let mut all_args = vec!["--config", config.to_str().expect("utf-8 path")];
    all_args.extend_from_slice(args);
    common::faqbot(&all_args, stdin)
}

#[test]
fn defect_4_an_invalid_byte_on_stdin_does_not_end_ask() {
    let output = faqbot(
        "ask",
        &["ask", "--json"],
        &input_with_a_bad_line(SCIATICA_QUESTION, CLOT_QUESTION),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "ask should go on past a bad byte\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(results.len(), 3, "one result per line of input:\n{stdout}");
    assert_eq!(results[0]["id"], "sciatica", "{stdout}");
    assert_eq!(results[2]["id"], "blood-clot", "{stdout}");
}

#[test]
fn defect_4_an_invalid_byte_on_stdin_does_not_end_chat() {
    let output = faqbot(
        "chat",
        &["chat"],
        &input_with_a_bad_line(SCIATICA_QUESTION, CLOT_QUESTION),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let engine = engine();
    let knowledge = engine.knowledge();
    let clot = knowledge.faq.get("blood-clot").expect("entry");
    assert!(
        stdout.contains(&format!("== {} ==", clot.question)),
        "the line after the bad one is answered:\n{stdout}"
    );
}

#[test]
fn defect_4_run_chat_reads_past_an_invalid_byte() {
    let engine = engine();
    let mut output = Vec::new();
    console::run_chat(
        &engine,
        Cursor::new(input_with_a_bad_line(SCIATICA_QUESTION, CLOT_QUESTION)),
        &mut output,
    )
    .expect("run_chat goes on past a bad byte");
    let output = String::from_utf8(output).expect("UTF-8 output");
    let knowledge = engine.knowledge();
    let clot = knowledge.faq.get("blood-clot").expect("entry");
    assert!(
        output.contains(&format!("== {} ==", clot.question)),
        "{output}"
    );
}

#[test]
fn defect_4_an_invalid_byte_on_stdin_does_not_end_symptoms() {
    // The bad line is an answer the check does not understand; the `cancel`
    // after it must still be read.
    let output = faqbot(
        "symptoms",
        &["symptoms"],
        &input_with_a_bad_line("", "cancel"),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Symptom check stopped"),
        "the cancel after the bad line is read:\n{stdout}"
    );
}

#[test]
fn defect_4_run_symptoms_reads_past_an_invalid_byte() {
    let engine = engine();
    let mut output = Vec::new();
    console::run_symptoms(
        &engine,
        Cursor::new(input_with_a_bad_line("", "cancel")),
        &mut output,
    )
    .expect("run_symptoms goes on past a bad byte");
    let output = String::from_utf8(output).expect("UTF-8 output");
    assert!(output.contains("Symptom check stopped"), "{output}");
}
