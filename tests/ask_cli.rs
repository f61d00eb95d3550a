//! `faqbot ask`: one message in, one result out, as scripts and the other
//! tests use it (the `ask --json` contract in design.md).

#[path = "support/common.rs"]
mod common;

use std::collections::BTreeSet;

use common::{TempDir, faqbot, manifest_dir};
use serde_json::Value;

const SCIATICA_QUESTION: &str = "can sciatica make my legs hurt when I walk";
const OFF_TOPIC: &str = "anyone watching the football tonight";
const EMERGENCY_STORY: &str =
    "my dad's foot went cold and white an hour ago and he can't move his toes";

/// `faqbot --config <shipped FAQ> ask <args…>`; panics unless it exits 0.
fn ask(temp: &TempDir, extra_config: &str, args: &[&str], stdin: &str) -> String {
    let config = temp.config(&manifest_dir().join("faq"), extra_config);
    let mut all_args = vec!["--config", config.to_str().expect("utf-8 path"), "ask"];
    all_args.extend_from_slice(args);
    let output = faqbot(&all_args, stdin);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    assert!(
        output.status.success(),
        "faqbot {all_args:?} failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `ask --json QUERY`: the one JSON object printed.
fn ask_json(temp: &TempDir, extra_config: &str, query: &str) -> Value {
    let stdout = ask(temp, extra_config, &["--json", query], "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line of JSON:\n{stdout}");
    let value: Value = serde_json::from_str(lines[0]).expect("a JSON object");
    assert_result_shape(&value);
    value
}

/// The fields and ranges every `ask --json` result has (design.md).
fn assert_result_shape(value: &Value) {
    let object = value.as_object().expect("a JSON object");
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "decision",
            "id",
            "score",
            "candidates",
            "offers_check",
            "reply"
        ]),
        "{value}"
    );
    let decision = value["decision"].as_str().expect("decision is a string");
    assert!(
        ["answer", "suggest", "emergency", "none"].contains(&decision),
        "{value}"
    );
    if decision == "answer" {
        assert!(value["id"].is_string(), "an answer names its id: {value}");
    } else {
        assert!(value["id"].is_null(), "id only for answers: {value}");
    }
    let score = value["score"].as_f64().expect("score is a number");
    assert!((0.0..=1.0).contains(&score), "{value}");
    let candidates = value["candidates"]
        .as_array()
        .expect("candidates is a list");
    assert!(candidates.len() <= 3, "at most 3 candidates: {value}");
    let scores: Vec<f64> = candidates
        .iter()
        .map(|c| {
            assert!(c["id"].is_string(), "{value}");
            c["score"].as_f64().expect("candidate score")
        })
        .collect();
    for score in &scores {
        assert!((0.0..=1.0).contains(score), "{value}");
    }
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "candidates must be best first: {value}"
    );
    if let Some(best) = scores.first() {
        assert_eq!(score, *best, "score is the best candidate's: {value}");
    }
    let reply = value["reply"].as_str().expect("reply is a string");
    if decision == "none" {
        assert_eq!(reply, "", "no reply text when the decision is none");
    } else {
        assert!(
            reply.contains("not medical advice"),
            "every reply carries the disclaimer: {value}"
        );
    }
}

/// The first paragraph of an entry's answer in the shipped FAQ.
fn first_paragraph_of(id: &str) -> String {
    let (faq, problems) = faqbot::faq::load_dir(&manifest_dir().join("faq"));
    assert!(problems.is_empty(), "{problems:?}");
    let entry = faq.get(id).unwrap_or_else(|| panic!("no entry {id}"));
    entry
        .answer
        .split("\n\n")
        .next()
        .expect("an answer has text")
        .to_owned()
}

#[test]
fn ask_json_answers_a_sciatica_question_with_the_entry_and_disclaimer() {
    let temp = TempDir::new("sciatica");
    let result = ask_json(&temp, "", SCIATICA_QUESTION);
    assert_eq!(result["decision"], "answer", "{result}");
    assert_eq!(result["id"], "sciatica", "{result}");
    assert_eq!(result["candidates"][0]["id"], "sciatica", "{result}");
    let reply = result["reply"].as_str().expect("reply");
    assert!(reply.contains("not medical advice"), "{reply}");
    assert!(reply.contains(&first_paragraph_of("sciatica")), "{reply}");
    assert!(
        !reply.contains("{emergency_number}"),
        "placeholders are filled in: {reply}"
    );
}

/// A person's own story gets the offer of the symptom check, said in the
/// reply and reported as `offers_check`; a plain question does not.
#[test]
fn ask_json_offers_the_symptom_check_for_a_persons_own_story() {
    let temp = TempDir::new("offer");
    let story = "My calves hurt after about 200 metres and it stops when I rest. \
                 I'm 66 and used to smoke. What could it be?";
    let result = ask_json(&temp, "", story);
    assert_result_shape(&result);
    assert_eq!(result["offers_check"], true, "{result}");
    let reply = result["reply"].as_str().expect("reply");
    assert!(reply.contains("symptom check"), "{reply}");
    assert!(reply.contains("Type 'symptoms'"), "{reply}");
    assert!(reply.contains("not medical advice"), "{reply}");

    let question = ask_json(&temp, "", "why do my calves hurt when I walk?");
    assert_eq!(question["offers_check"], false, "{question}");
    assert!(
        !question["reply"]
            .as_str()
            .unwrap_or_default()
            .contains("Type 'symptoms'"),
        "{question}"
    );
}

#[test]
fn ask_json_stays_silent_on_off_topic_chat() {
    let temp = TempDir::new("off-topic");
    let result = ask_json(&temp, "", OFF_TOPIC);
    assert_eq!(result["decision"], "none", "{result}");
    assert!(result["id"].is_null(), "{result}");
    assert_eq!(result["reply"], "", "{result}");
}

#[test]
fn ask_without_json_prints_the_reply_text_or_says_there_is_none() {
    let temp = TempDir::new("plain");
    let answered = ask(&temp, "", &[SCIATICA_QUESTION], "");
    assert!(
        answered.contains(&first_paragraph_of("sciatica")),
        "{answered}"
    );
    assert!(answered.contains("not medical advice"), "{answered}");

    let silent = ask(&temp, "", &[OFF_TOPIC], "");
    assert_eq!(silent.lines().count(), 1, "{silent}");
    assert!(silent.contains("no reply"), "{silent}");
}

#[test]
fn ask_joins_several_query_words_into_one_message() {
    let temp = TempDir::new("joined");
    let words: Vec<&str> = SCIATICA_QUESTION.split(' ').collect();
    let mut args = vec!["--json"];
    args.extend_from_slice(&words);
    let stdout = ask(&temp, "", &args, "");
    let joined: Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(joined, ask_json(&temp, "", SCIATICA_QUESTION));
}

#[test]
fn ask_json_on_stdin_answers_each_line_in_order() {
    let temp = TempDir::new("stdin");
    let messages = [
        SCIATICA_QUESTION,
        OFF_TOPIC,
        "what can I do to prevent leg pain when walking",
        "",
        "is a baker's cyst serious",
    ];
    let stdin = format!("{}\n", messages.join("\n"));
    let stdout = ask(&temp, "", &["--json"], &stdin);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        messages.len(),
        "one result per line in:\n{stdout}"
    );
    for (message, line) in messages.iter().zip(&lines) {
        let from_stdin: Value = serde_json::from_str(line).expect("one JSON object per line");
        assert_result_shape(&from_stdin);
        // The same message asked on its own gives the same result, so the
        // results are in the order of the lines.
        let alone = ask_json(&temp, "", message);
        assert_eq!(from_stdin, alone, "for {message:?}");
    }
    let first: Value = serde_json::from_str(lines[0]).expect("JSON");
    assert_eq!(first["id"], "sciatica");
    let second: Value = serde_json::from_str(lines[1]).expect("JSON");
    assert_eq!(second["decision"], "none");
}

#[test]
fn ask_json_flags_an_emergency_story() {
    let temp = TempDir::new("emergency");
    let result = ask_json(&temp, "", EMERGENCY_STORY);
    assert_eq!(result["decision"], "emergency", "{result}");
    assert!(result["id"].is_null(), "{result}");
    let reply = result["reply"].as_str().expect("reply");
    assert!(reply.contains("EMERGENCY"), "{reply}");
    assert!(reply.contains("not medical advice"), "{reply}");

    let extra = "[safety]\nemergency_number = \"112\"\n";
    let result = ask_json(&temp, extra, EMERGENCY_STORY);
    assert_eq!(result["decision"], "emergency", "{result}");
    let reply = result["reply"].as_str().expect("reply");
    assert!(reply.contains("Call 112 now"), "{reply}");
    assert!(!reply.contains("999"), "{reply}");
}

#[test]
fn configured_emergency_number_is_the_one_replies_name() {
    let temp = TempDir::new("number-112");
    let extra = "[safety]\nemergency_number = \"112\"\n";
    let result = ask_json(&temp, extra, SCIATICA_QUESTION);
    assert_eq!(result["decision"], "answer", "{result}");
    let reply = result["reply"].as_str().expect("reply");
    assert!(reply.contains("112"), "{reply}");
    assert!(!reply.contains("999"), "{reply}");
    assert!(!reply.contains("911"), "{reply}");

    // Without the setting, an answer names no country's number: it says
    // "your local emergency number" (the examples come once, in the
    // emergency reply).
    let default = ask_json(&temp, "", SCIATICA_QUESTION);
    let reply = default["reply"].as_str().expect("reply");
    assert!(reply.contains("your local emergency number"), "{reply}");
    assert!(!reply.contains("999") && !reply.contains("911"), "{reply}");
    let emergency = ask_json(&temp, "", "my foot suddenly went cold and white");
    let reply = emergency["reply"].as_str().expect("reply");
    assert_eq!(reply.matches("999 in the UK").count(), 1, "{reply}");
}

#[test]
fn config_faq_dir_chooses_the_faq_that_answers() {
    let temp = TempDir::new("good-faq");
    let config = temp.config(&manifest_dir().join("tests/data/good-faq"), "");
    let output = faqbot(
        &[
            "--config",
            config.to_str().expect("utf-8 path"),
            "ask",
            "--json",
            "shin pain when running",
        ],
        "",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_result_shape(&result);
    assert_eq!(result["id"], "shin-pain", "{result}");
}

#[test]
fn a_config_file_that_cannot_be_read_is_an_error_not_a_panic() {
    let temp = TempDir::new("bad-config");
    let missing = temp.0.join("missing.toml");
    let output = faqbot(
        &[
            "--config",
            missing.to_str().expect("utf-8 path"),
            "ask",
            SCIATICA_QUESTION,
        ],
        "",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let typo = temp.0.join("typo.toml");
    std::fs::write(&typo, "[safety]\nemergency_numbr = \"999\"\n").expect("write");
    let output = faqbot(
        &[
            "--config",
            typo.to_str().expect("utf-8 path"),
            "ask",
            SCIATICA_QUESTION,
        ],
        "",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("emergency_numbr"), "{stderr}");
    assert!(output.stdout.is_empty(), "no answer with a broken config");
}
