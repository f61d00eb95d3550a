//! What the bot could not answer: off by default, never a user id, deleted
//! after the retention period, grouped for moderators; and answer counts.

#[path = "support/store_checks.rs"]
mod checks;
#[path = "admin_support.rs"]
mod support;

use std::time::{Duration, SystemTime};

use faqbot::admin::{AdminSettings, GapDecision, Gaps, cli};
use rusqlite::Connection;
use support::Sandbox;

const DAY: u64 = 86_400;

/// Noon of a day number (days since 1970-01-01).
fn day(number: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(number * DAY + DAY / 2)
}

fn enabled(sandbox: &Sandbox) -> AdminSettings {
    AdminSettings {
        gaps_enabled: true,
        ..sandbox.admin.clone()
    }
}

fn count_rows(sandbox: &Sandbox, table: &str) -> i64 {
    let connection = Connection::open(&sandbox.admin.database).expect("opens");
    connection
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .expect("counts")
}

#[test]
fn nothing_is_stored_while_gaps_are_off() {
    let sandbox = Sandbox::new("gaps-off");
    let gaps = Gaps::open(&sandbox.admin, day(20_000)).expect("opens");
    assert!(!gaps.is_enabled());
    let stored = gaps
        .record(
            "does swimming help my calves",
            42,
            GapDecision::None,
            day(20_000),
        )
        .expect("records");
    assert!(!stored);
    assert_eq!(count_rows(&sandbox, "gap_messages"), 0);

    let mut out = Vec::new();
    let mut notes = Vec::new();
    let config = sandbox.config.clone();
    cli::gaps_to(
        &config,
        &sandbox.admin,
        false,
        day(20_000),
        &mut out,
        &mut notes,
    )
    .expect("runs");
    let notes = String::from_utf8(notes).expect("utf-8");
    assert!(notes.contains("The gaps report is off"), "{notes}");
}

/// Issue 12: `/faq-admin gaps` listed stored messages after gaps had been
/// switched off (the CLI hid them). Now a store opened with gaps off shows
/// none and deletes them; the answer counts stay.
#[test]
fn switching_gaps_off_hides_and_deletes_the_stored_messages() {
    checks::switching_gaps_off_hides_and_deletes_the_stored_messages(&checks::Sqlite);
}

#[test]
fn messages_older_than_the_retention_period_are_deleted() {
    checks::messages_older_than_the_retention_period_are_deleted(&checks::Sqlite);
}

#[test]
fn no_user_id_or_name_is_ever_written_to_the_gaps_store() {
    let (sandbox, people) =
        checks::no_user_id_or_name_is_ever_written_to_the_gaps_store(&checks::Sqlite);
    // Nor anywhere in the file itself (free pages included).
    let bytes = std::fs::read(&sandbox.admin.database).expect("database file");
    let haystack = String::from_utf8_lossy(&bytes);
    for id in people {
        assert!(
            !haystack.contains(&id.to_string()),
            "the database file holds `{id}`"
        );
    }
}

#[test]
fn the_report_groups_similar_messages_biggest_first_with_the_nearest_entry() {
    checks::the_report_groups_similar_messages_biggest_first_with_the_nearest_entry(
        &checks::Sqlite,
    );
}

#[test]
fn defect_11_the_gaps_store_keeps_at_most_its_cap_newest_first() {
    checks::defect_11_the_gaps_store_keeps_at_most_its_cap_newest_first(&checks::Sqlite);
}

#[test]
fn defect_11_the_gaps_cap_is_a_setting_with_a_range() {
    assert_eq!(AdminSettings::default().gaps_max_messages, 5_000);
    for (value, accepted) in [(0, false), (1, true), (100_000, true), (100_001, false)] {
        let source = format!("[admin]\ngaps_max_messages = {value}\n");
        let parsed = faqbot::config::Config::parse(std::path::Path::new("config.toml"), &source);
        match parsed {
            Ok(_) => assert!(accepted, "{value} accepted"),
            Err(faqbot::config::ConfigError::Invalid(problems)) => {
                assert!(!accepted, "{value} refused: {problems:?}");
                assert_eq!(problems.len(), 1, "{problems:?}");
                assert_eq!((problems[0].line, problems[0].column), (2, 1));
                assert!(
                    problems[0].message.contains("admin.gaps_max_messages"),
                    "{}",
                    problems[0]
                );
            }
        }
    }
}

#[test]
fn daily_counts_cover_every_day_of_the_period_and_unanswered_only_with_gaps_on() {
    checks::daily_counts_cover_every_day_of_the_period_and_unanswered_only_with_gaps_on(
        &checks::Sqlite,
    );
}

/// Issue 12 item 4: `faqbot gaps --chart FILE` writes a PNG chart of the
/// counts (also with no database yet). It is drawn from counts and entry
/// ids only (`DayCounts`, `EntryUse`): no message text reaches it.
#[test]
fn the_stats_chart_is_written_as_a_png() {
    let sandbox = Sandbox::new("gaps-chart");
    let settings = enabled(&sandbox);
    let chart = sandbox.root.join("chart.png");
    let decode = |path: &std::path::Path| {
        let bytes = std::fs::read(path).expect("the chart is written");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let info = decoder.read_info().expect("a PNG");
        (info.info().width, info.info().height)
    };
    let mut notes = Vec::new();
    cli::gaps_chart(&sandbox.config, &settings, &chart, day(20_000), &mut notes)
        .expect("no database yet is an empty chart");
    assert_eq!(decode(&chart), faqbot::admin::chart::SIZE);

    let gaps = Gaps::open(&settings, day(20_000)).expect("opens");
    gaps.record_answer("sciatica", day(19_999)).expect("counts");
    gaps.record(
        "is swimming good for knees",
        1,
        GapDecision::None,
        day(19_999),
    )
    .expect("records");
    drop(gaps);
    std::fs::remove_file(&chart).expect("removed");
    cli::gaps_chart(&sandbox.config, &settings, &chart, day(20_000), &mut notes).expect("drawn");
    assert_eq!(decode(&chart), faqbot::admin::chart::SIZE);
    assert!(String::from_utf8_lossy(&notes).contains("chart.png"));
}
