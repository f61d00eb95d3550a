//! What the bot could not answer: off by default, never a user id, deleted
//! after the retention period, grouped for moderators; and answer counts.

#[path = "admin_support.rs"]
mod support;

use std::time::{Duration, SystemTime};

use faqbot::admin::{AdminSettings, GapDecision, Gaps, cli};
use faqbot::engine::Knowledge;
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
    let sandbox = Sandbox::new("gaps-switched-off");
    {
        let gaps = Gaps::open(&enabled(&sandbox), day(20_000)).expect("opens");
        for text in [
            "does swimming help my calves",
            "is cycling ok for my calves",
        ] {
            assert!(
                gaps.record(text, 7, GapDecision::None, day(20_000))
                    .expect("records")
            );
        }
        gaps.record_answer("keep-walking", day(20_000))
            .expect("counts");
        assert_eq!(
            gaps.report(None, day(20_000)).expect("reports").n_messages,
            2
        );
    }
    // A store that is still open when gaps are switched off (read-only, as
    // the CLI opens it) shows nothing.
    let read_only = Gaps::open_read_only(&sandbox.admin)
        .expect("opens")
        .expect("exists");
    let report = read_only.report(None, day(20_000)).expect("reports");
    assert!(!report.enabled);
    assert_eq!(report.n_messages, 0);
    assert!(report.groups.is_empty());
    assert_eq!(count_rows(&sandbox, "gap_messages"), 2);
    drop(read_only);

    // The bot, started with gaps off, deletes them and keeps the counts.
    let gaps = Gaps::open(&sandbox.admin, day(20_000)).expect("opens");
    assert_eq!(
        gaps.report(None, day(20_000)).expect("reports").n_messages,
        0
    );
    assert_eq!(count_rows(&sandbox, "gap_messages"), 0);
    assert_eq!(count_rows(&sandbox, "answer_counts"), 1);
}

#[test]
fn messages_older_than_the_retention_period_are_deleted() {
    let sandbox = Sandbox::new("gaps-purge");
    let settings = enabled(&sandbox);
    let gaps = Gaps::open(&settings, day(1_000)).expect("opens");
    gaps.record(
        "old question about swimming",
        1,
        GapDecision::None,
        day(1_000),
    )
    .expect("records");
    gaps.record_answer("blood-clot", day(1_000))
        .expect("counts");
    gaps.record(
        "newer question about cycling",
        1,
        GapDecision::Suggest,
        day(1_010),
    )
    .expect("records");

    // Thirty days later both are kept; on day 31 the first goes.
    assert_eq!(gaps.purge(day(1_030)).expect("purges"), 0);
    assert_eq!(gaps.report(None, day(1_030)).expect("report").n_messages, 2);
    let read_only = Gaps::open_read_only(&settings)
        .expect("opens")
        .expect("exists");
    assert_eq!(
        read_only
            .report(None, day(1_031))
            .expect("report")
            .n_messages,
        1,
        "reports leave out expired messages even before they are purged"
    );
    assert_eq!(gaps.purge(day(1_031)).expect("purges"), 1);
    assert_eq!(count_rows(&sandbox, "gap_messages"), 1);
    assert_eq!(count_rows(&sandbox, "answer_counts"), 0);

    // Recording purges too, and so does opening.
    gaps.record("a third one", 1, GapDecision::None, day(1_041))
        .expect("records");
    assert_eq!(count_rows(&sandbox, "gap_messages"), 1);
    drop(gaps);
    Gaps::open(&settings, day(1_100)).expect("opens");
    assert_eq!(count_rows(&sandbox, "gap_messages"), 0);
}

/// Every value in every row of a table, as text.
fn all_values(connection: &Connection, table: &str) -> Vec<String> {
    let mut statement = connection
        .prepare(&format!("SELECT * FROM {table}"))
        .expect("select");
    let n_columns = statement.column_count();
    let rows = statement
        .query_map([], |row| {
            (0..n_columns)
                .map(|index| {
                    let value: rusqlite::types::Value = row.get(index)?;
                    Ok(format!("{value:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .expect("rows");
    rows.flat_map(|row| row.expect("row")).collect()
}

#[test]
fn no_user_id_or_name_is_ever_written_to_the_gaps_store() {
    let sandbox = Sandbox::new("gaps-privacy");
    let settings = enabled(&sandbox);
    let gaps = Gaps::open(&settings, day(20_000)).expect("opens");
    // Who wrote a message cannot be handed to the store: `record` has no
    // parameter for it. People's ids reach it only inside the text, as the
    // mentions Discord writes (`<@id>`, `<@!id>` by nickname, `<@&id>` for a
    // role), and the sender's own id among them. Every one of them goes in.
    let sender_id: u64 = 412_345_678_901_234_567;
    let mentioned_id: u64 = 498_765_432_109_876_543;
    let role_id: u64 = 455_555_555_555_555_555;
    let channel_id: u64 = 700_000_000_000_000_009;
    let people = [sender_id, mentioned_id, role_id];
    let texts = [
        format!("<@{sender_id}> here: does swimming help calf pain?"),
        format!("<@{mentioned_id}> told me to ask: is cycling ok for my legs"),
        format!(
            "asking for <@!{mentioned_id}> and <@&{role_id}>: knee brace? (from <@!{sender_id}>)"
        ),
    ];
    for id in people {
        assert!(
            texts.iter().any(|text| text.contains(&id.to_string())),
            "{id} is passed in"
        );
    }
    for (index, text) in texts.iter().enumerate() {
        let decision = if index % 2 == 0 {
            GapDecision::None
        } else {
            GapDecision::Suggest
        };
        assert!(
            gaps.record(text, channel_id, decision, day(20_000))
                .expect("records")
        );
    }
    gaps.record_answer("blood-clot", day(20_000))
        .expect("counts");
    drop(gaps);

    let connection = Connection::open(&settings.database).expect("opens");
    for table in ["gap_messages", "answer_counts"] {
        let mut statement = connection
            .prepare(&format!("PRAGMA table_info({table})"))
            .expect("table info");
        let columns: Vec<String> = statement
            .query_map([], |row| row.get::<_, String>(1))
            .expect("columns")
            .map(|c| c.expect("column"))
            .collect();
        for column in &columns {
            for word in [
                "user", "author", "member", "person", "name", "who", "sender",
            ] {
                assert!(
                    !column.to_lowercase().contains(word),
                    "{table}.{column} looks like it is about a person"
                );
            }
        }
        for value in all_values(&connection, table) {
            for id in people {
                assert!(
                    !value.contains(&id.to_string()),
                    "{table} holds `{id}` in {value}"
                );
            }
        }
    }
    // The messages are kept, with each person replaced by "@someone".
    let stored = all_values(&connection, "gap_messages");
    for expected in [
        "@someone here: does swimming help calf pain?",
        "@someone told me to ask: is cycling ok for my legs",
        "asking for @someone and @someone: knee brace? (from @someone)",
    ] {
        assert!(
            stored.iter().any(|v| v.contains(expected)),
            "{expected}: {stored:?}"
        );
    }
    assert!(stored.iter().any(|v| v.contains(&channel_id.to_string())));
    drop(connection);

    // Nor anywhere in the file itself (free pages included).
    let bytes = std::fs::read(&settings.database).expect("database file");
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
    let sandbox = Sandbox::new("gaps-report");
    let settings = enabled(&sandbox);
    let gaps = Gaps::open(&settings, day(20_000)).expect("opens");
    let messages = [
        (
            "are compression socks good for aching calves",
            GapDecision::Suggest,
        ),
        (
            "is swimming ok when my calves hurt walking",
            GapDecision::None,
        ),
        (
            "what about compression socks for calf pain",
            GapDecision::None,
        ),
        (
            "can I go swimming with calf pain from walking",
            GapDecision::None,
        ),
        (
            "swimming instead of walking for sore calves?",
            GapDecision::None,
        ),
        ("my dog keeps barking", GapDecision::None),
    ];
    for (index, (text, decision)) in messages.iter().enumerate() {
        gaps.record(text, 5, *decision, day(20_000 + index as u64))
            .expect("records");
    }
    let knowledge = Knowledge::load(&sandbox.faq, &sandbox.config).expect("loads");
    let report = gaps.report(Some(&knowledge), day(20_010)).expect("report");
    assert_eq!(report.n_messages, 6);
    let counts: Vec<usize> = report.groups.iter().map(|g| g.count).collect();
    assert_eq!(counts, vec![3, 2, 1], "{report:#?}");
    let swimming = &report.groups[0];
    assert!(
        swimming.common_words.contains(&"swimming".to_owned()),
        "{swimming:?}"
    );
    assert_eq!(swimming.examples.len(), 3);
    assert_eq!(
        swimming.examples[0].text,
        "swimming instead of walking for sore calves?"
    );
    assert_eq!(swimming.examples[0].date, "2024-10-08");
    let nearest = swimming.nearest.as_ref().expect("a nearest entry");
    assert!(knowledge.faq.get(&nearest.id).is_some());
    assert!(nearest.score > 0.0);
    let socks = &report.groups[1];
    assert_eq!(socks.n_suggested, 1);
    assert!(socks.common_words.contains(&"compression".to_owned()));

    // The same data gives the same report.
    assert_eq!(
        gaps.report(Some(&knowledge), day(20_010)).expect("report"),
        report
    );

    for _ in 0..3 {
        gaps.record_answer("blood-clot", day(20_010))
            .expect("counts");
    }
    gaps.record_answer("sciatica", day(20_009)).expect("counts");
    gaps.record_answer("removed-entry", day(20_009))
        .expect("counts");
    let stats = gaps
        .stats(Some(&knowledge.faq), day(20_010))
        .expect("stats");
    assert_eq!(stats[0].entry_id, "blood-clot");
    assert_eq!(stats[0].count, 3);
    assert_eq!(stats.len(), knowledge.faq.entries.len() + 1);
    let removed = stats
        .iter()
        .find(|s| s.entry_id == "removed-entry")
        .expect("listed");
    assert!(!removed.in_faq);

    let mut out = Vec::new();
    cli::gaps_to(
        &sandbox.config,
        &settings,
        true,
        day(20_010),
        &mut out,
        &mut Vec::new(),
    )
    .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(json["enabled"], true);
    assert_eq!(json["groups"][0]["count"], 3);
    assert_eq!(json["stats"][0]["entry_id"], "blood-clot");
    let mut out = Vec::new();
    cli::gaps_to(
        &sandbox.config,
        &settings,
        false,
        day(20_010),
        &mut out,
        &mut Vec::new(),
    )
    .expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("6 in 3 group(s)"), "{text}");
    assert!(text.contains("1. 3 message(s)"), "{text}");
    assert!(text.contains("nearest entry: "), "{text}");
}

#[test]
fn defect_11_the_gaps_store_keeps_at_most_its_cap_newest_first() {
    let sandbox = Sandbox::new("gaps-cap");
    let settings = AdminSettings {
        gaps_max_messages: 3,
        ..enabled(&sandbox)
    };
    let gaps = Gaps::open(&settings, day(20_000)).expect("opens");
    for number in 0..10 {
        gaps.record(
            &format!("question number {number} about knees"),
            1,
            GapDecision::None,
            day(20_000),
        )
        .expect("records");
    }
    assert_eq!(count_rows(&sandbox, "gap_messages"), 3);
    let connection = Connection::open(&sandbox.admin.database).expect("opens");
    let texts = all_values(&connection, "gap_messages").join(" ");
    for kept in 7..10 {
        assert!(texts.contains(&format!("number {kept} ")), "{texts}");
    }
    assert!(!texts.contains("number 6 "), "{texts}");
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
    let sandbox = Sandbox::new("gaps-daily");
    let settings = AdminSettings {
        gaps_retention_days: 10,
        ..enabled(&sandbox)
    };
    let gaps = Gaps::open(&settings, day(20_000)).expect("opens");
    for _ in 0..3 {
        gaps.record_answer("sciatica", day(19_995)).expect("counts");
    }
    gaps.record_answer("blood-clot", day(19_995))
        .expect("counts");
    gaps.record_answer("blood-clot", day(20_000))
        .expect("counts");
    gaps.record(
        "is swimming good for knees",
        1,
        GapDecision::None,
        day(19_998),
    )
    .expect("records");
    // Older than the period: not counted.
    gaps.record_answer("sciatica", day(19_980)).expect("counts");

    let daily = gaps.daily(day(20_000)).expect("reads");
    assert_eq!(daily.len(), 11, "days 19,990 to 20,000");
    assert_eq!(daily.first().map(|d| d.day), Some(19_990));
    assert_eq!(daily.last().map(|d| d.day), Some(20_000));
    let on = |n: i64| daily.iter().find(|d| d.day == n).copied().expect("listed");
    assert_eq!((on(19_995).answered, on(19_995).unanswered), (4, Some(0)));
    assert_eq!((on(19_998).answered, on(19_998).unanswered), (0, Some(1)));
    assert_eq!((on(20_000).answered, on(20_000).unanswered), (1, Some(0)));
    drop(gaps);

    let off = Gaps::open_read_only(&AdminSettings {
        gaps_enabled: false,
        ..settings
    })
    .expect("opens")
    .expect("exists");
    let daily = off.daily(day(20_000)).expect("reads");
    assert!(daily.iter().all(|d| d.unanswered.is_none()));
    assert_eq!(daily.iter().map(|d| d.answered).sum::<u64>(), 5);
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
