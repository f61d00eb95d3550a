//! The real faq/symptom-check.toml: it loads, validates with no problem,
//! and its paths stay within bounds. CI runs this on every edit of the file
//! (style.md, habit 4).

#[path = "symptoms_support.rs"]
mod support;

use faqbot::symptoms::rules;
use support::{faq_ids, real_check, repo_path};

#[test]
fn real_file_loads_and_validates_with_no_problem() {
    let check = real_check();
    let problems = check.validate(&faq_ids());
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        list.is_empty(),
        "faq/symptom-check.toml has problems:\n{}",
        list.join("\n")
    );
}

#[test]
fn every_canonical_item_is_asked_with_its_id_wording_and_choices() {
    let check = real_check();
    let text = std::fs::read_to_string(repo_path("tests/data/symptoms/canonical_items.toml"))
        .unwrap_or_default();
    let doc: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("canonical_items.toml: {e}"));
    let items = doc
        .get("item")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 35);
    let mut problems = Vec::new();
    for item in &items {
        let id = item
            .get("id")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        let wording = item
            .get("text")
            .and_then(toml::Value::as_str)
            .unwrap_or_default();
        let choices: Vec<&str> = item
            .get("choices")
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default();
        let Some(question) = check.question(id) else {
            problems.push(format!("`{id}` is not a question of the check"));
            continue;
        };
        if question.text != wording {
            problems.push(format!(
                "`{id}` wording differs:\n  check: {}\n  basis: {wording}",
                question.text
            ));
        }
        let got: Vec<&str> = question.choices.iter().map(|c| c.id.as_str()).collect();
        if got != choices {
            problems.push(format!("`{id}` choices {got:?}, basis {choices:?}"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_item_rule_set_c2_reads_is_a_question() {
    let check = real_check();
    for item in rules::ITEMS.iter().chain(rules::EMERGENCY_FLAGS.iter()) {
        assert!(
            check.question(item).is_some(),
            "rule set c.2 reads `{item}`, which the check never asks"
        );
    }
}
