//! Settings out of range (issue 13, defect 5): every value a config file
//! can get wrong is refused at its key's line and column, with the allowed
//! range in the message, instead of being accepted, wrapped or capped
//! without a word.

use std::path::Path;

use faqbot::config::{Config, ConfigError};
use faqbot::problem::Problem;

/// The problems of a config that must be refused.
fn refused(source: &str) -> Vec<Problem> {
    match Config::parse(Path::new("config.toml"), source) {
        Ok(config) => panic!("accepted:\n{source}\nas {config:?}"),
        Err(ConfigError::Invalid(problems)) => problems,
    }
}

/// Asserts one problem at `line`:`column` whose message contains each word.
fn assert_one_at(source: &str, line: usize, column: usize, words: &[&str]) {
    let problems = refused(source);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert_eq!(
        (problem.line, problem.column),
        (line, column),
        "at the key: {problem}"
    );
    for word in words {
        assert!(problem.message.contains(word), "{word:?} in {problem}");
    }
}

#[test]
fn defect_5_an_overflowing_session_timeout_is_refused_not_wrapped() {
    assert_one_at(
        "# a comment\n[symptoms]\nsession_timeout_minutes = 307445734561825861\n",
        3,
        1,
        &["symptoms.session_timeout_minutes", "1", "1440"],
    );
}

#[test]
fn defect_5_an_api_base_url_without_a_host_is_refused() {
    for url in [
        "http://",
        "https:///api",
        "http:// spaced.example",
        "ftp://x",
    ] {
        let source = format!("[discord]\n\napi_base_url = \"{url}\"\n");
        assert_one_at(&source, 3, 1, &["discord.api_base_url", "host"]);
    }
    for url in [
        "https://discord.com",
        "http://127.0.0.1:8080",
        "https://proxy.example/discord",
    ] {
        let source = format!("[discord]\napi_base_url = \"{url}\"\n");
        Config::parse(Path::new("config.toml"), &source)
            .unwrap_or_else(|error| panic!("{url} should be accepted: {error}"));
    }
}

#[test]
fn defect_5_a_two_letter_disclaimer_is_refused() {
    assert_one_at(
        "[safety]\ndisclaimer = \"ok\"\n",
        2,
        1,
        &["safety.disclaimer", "40"],
    );
}

#[test]
fn defect_5_a_cooldown_over_a_day_is_refused_not_capped() {
    assert_one_at(
        "[discord]\nanswer_cooldown_seconds = 90000\n",
        2,
        1,
        &["discord.answer_cooldown_seconds", "0", "86400"],
    );
    Config::parse(
        Path::new("config.toml"),
        "[discord]\nanswer_cooldown_seconds = 86400\n",
    )
    .expect("a day is allowed");
}

#[test]
fn defect_5_range_errors_are_reported_at_the_key_not_at_1_1() {
    assert_one_at(
        "faq_dir = \"faq\"\n\n[matcher]\n  answer_threshold = 1.5\n",
        4,
        3,
        &["matcher.answer_threshold", "between 0 and 1"],
    );
    assert_one_at(
        "[admin]\ndatabase = \"x.sqlite3\"\nreload_debounce_ms = 5000\n",
        3,
        1,
        &["admin.reload_debounce_ms", "1500"],
    );
    assert_one_at(
        "discord.replies_per_person_per_minute = 0\n",
        1,
        9,
        &["discord.replies_per_person_per_minute", "at least 1"],
    );
}

#[test]
fn defect_5_every_setting_out_of_range_is_reported_at_once() {
    let problems = refused(
        "[symptoms]\nsession_timeout_minutes = 0\n\
         [discord]\napi_base_url = \"http://\"\nanswer_cooldown_seconds = 100000\n\
         [safety]\ndisclaimer = \"no\"\n",
    );
    let lines: Vec<usize> = problems.iter().map(|problem| problem.line).collect();
    assert_eq!(lines, [2, 4, 5, 7], "{problems:?}");
}

#[test]
fn defect_5_a_discord_id_of_zero_is_refused() {
    // serenity panics on an id of 0 when the bot starts using it.
    assert_one_at(
        "[discord]\nguild_ids = [123, 0]\n",
        2,
        1,
        &["discord.guild_ids", "0"],
    );
    assert_one_at(
        "[admin]\nmoderator_log_channel = 0\n",
        2,
        1,
        &["admin.moderator_log_channel", "0"],
    );
}
