//! The behaviour checks of the history and gaps stores, shared by the
//! SQLite tests (`admin_history.rs`, `admin_gaps.rs`) and the PostgreSQL
//! ones (`admin_postgres.rs`): each runs them on its own [`Backend`].
//! Included with `#[path = "support/store_checks.rs"] mod checks;` next to
//! `#[path = "admin_support.rs"] mod support;`.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use faqbot::admin::{
    AdminSettings, Change, ChangeKind, FaqFolder, FaqWatcher, GapDecision, Gaps, History,
    NewChange, cli,
};
use faqbot::engine::Knowledge;

use crate::support::{Sandbox, replace_once};

/// Where a check's database lives, and how a test looks inside it.
pub trait Backend {
    /// A sandbox whose `admin` settings name a new, empty database.
    fn sandbox(&self, name: &str) -> Sandbox;
    /// How many rows `table` holds.
    fn count_rows(&self, settings: &AdminSettings, table: &str) -> i64;
    /// Every value of every row of `table`, as text.
    fn all_values(&self, settings: &AdminSettings, table: &str) -> Vec<String>;
    /// The names of `table`'s columns.
    fn columns(&self, settings: &AdminSettings, table: &str) -> Vec<String>;
}

/// The SQLite file of the sandbox (the default store).
pub struct Sqlite;

impl Backend for Sqlite {
    fn sandbox(&self, name: &str) -> Sandbox {
        Sandbox::new(name)
    }

    fn count_rows(&self, settings: &AdminSettings, table: &str) -> i64 {
        let connection = rusqlite::Connection::open(&settings.database).expect("opens");
        connection
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("counts")
    }

    fn all_values(&self, settings: &AdminSettings, table: &str) -> Vec<String> {
        let connection = rusqlite::Connection::open(&settings.database).expect("opens");
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

    fn columns(&self, settings: &AdminSettings, table: &str) -> Vec<String> {
        let connection = rusqlite::Connection::open(&settings.database).expect("opens");
        let mut statement = connection
            .prepare(&format!("PRAGMA table_info({table})"))
            .expect("table info");
        statement
            .query_map([], |row| row.get::<_, String>(1))
            .expect("columns")
            .map(|c| c.expect("column"))
            .collect()
    }
}

const DAY: u64 = 86_400;

/// Noon of a day number (days since 1970-01-01).
pub fn day(number: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(number * DAY + DAY / 2)
}

pub fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

pub fn enabled(sandbox: &Sandbox) -> AdminSettings {
    AdminSettings {
        gaps_enabled: true,
        ..sandbox.admin.clone()
    }
}

/// A valid entry text and an invalid one (an unknown placeholder), both
/// from the entry's own file.
pub fn valid_and_broken(text: &str, marker: &str) -> (String, String) {
    let valid = replace_once(
        text,
        "answer = \"\"\"\n",
        &format!("answer = \"\"\"\n{marker} "),
    );
    let broken = replace_once(text, "answer = \"\"\"\n", "answer = \"\"\"\nBROKEN {9x9} ");
    (valid, broken)
}

/// Issue 12: `/faq-admin gaps` listed stored messages after gaps had been
/// switched off (the CLI hid them). Now a store opened with gaps off shows
/// none and deletes them; the answer counts stay.
pub fn switching_gaps_off_hides_and_deletes_the_stored_messages(backend: &dyn Backend) {
    let sandbox = backend.sandbox("gaps-switched-off");
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
    assert_eq!(backend.count_rows(&sandbox.admin, "gap_messages"), 2);
    drop(read_only);

    // The bot, started with gaps off, deletes them and keeps the counts.
    let gaps = Gaps::open(&sandbox.admin, day(20_000)).expect("opens");
    assert_eq!(
        gaps.report(None, day(20_000)).expect("reports").n_messages,
        0
    );
    assert_eq!(backend.count_rows(&sandbox.admin, "gap_messages"), 0);
    assert_eq!(backend.count_rows(&sandbox.admin, "answer_counts"), 1);
}

pub fn messages_older_than_the_retention_period_are_deleted(backend: &dyn Backend) {
    let sandbox = backend.sandbox("gaps-purge");
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
    assert_eq!(backend.count_rows(&sandbox.admin, "gap_messages"), 1);
    assert_eq!(backend.count_rows(&sandbox.admin, "answer_counts"), 0);

    // Recording purges too, and so does opening.
    gaps.record("a third one", 1, GapDecision::None, day(1_041))
        .expect("records");
    assert_eq!(backend.count_rows(&sandbox.admin, "gap_messages"), 1);
    drop(gaps);
    Gaps::open(&settings, day(1_100)).expect("opens");
    assert_eq!(backend.count_rows(&sandbox.admin, "gap_messages"), 0);
}

/// Returns the sandbox (still holding the database) and the ids that
/// must never be stored, for the SQLite test's look at the file's bytes.
pub fn no_user_id_or_name_is_ever_written_to_the_gaps_store(
    backend: &dyn Backend,
) -> (Sandbox, [u64; 3]) {
    let sandbox = backend.sandbox("gaps-privacy");
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

    for table in ["gap_messages", "answer_counts"] {
        let columns = backend.columns(&settings, table);
        assert!(columns.len() >= 3, "{table}: {columns:?}");
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
        for value in backend.all_values(&settings, table) {
            for id in people {
                assert!(
                    !value.contains(&id.to_string()),
                    "{table} holds `{id}` in {value}"
                );
            }
        }
    }
    // The messages are kept, with each person replaced by "@someone".
    let stored = backend.all_values(&settings, "gap_messages");
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
    (sandbox, people)
}

pub fn the_report_groups_similar_messages_biggest_first_with_the_nearest_entry(
    backend: &dyn Backend,
) {
    let sandbox = backend.sandbox("gaps-report");
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

pub fn defect_11_the_gaps_store_keeps_at_most_its_cap_newest_first(backend: &dyn Backend) {
    let sandbox = backend.sandbox("gaps-cap");
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
    assert_eq!(backend.count_rows(&sandbox.admin, "gap_messages"), 3);
    let texts = backend.all_values(&sandbox.admin, "gap_messages").join(" ");
    for kept in 7..10 {
        assert!(texts.contains(&format!("number {kept} ")), "{texts}");
    }
    assert!(!texts.contains("number 6 "), "{texts}");
}

pub fn daily_counts_cover_every_day_of_the_period_and_unanswered_only_with_gaps_on(
    backend: &dyn Backend,
) {
    let sandbox = backend.sandbox("gaps-daily");
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

pub fn rows_are_listed_newest_first_per_entry_or_all(backend: &dyn Backend) {
    let sandbox = backend.sandbox("history-rows");
    let history = History::open_for(&sandbox.admin).expect("opens");
    let record = |id: &str, who: Option<&str>, seconds: u64, before, after, kind| {
        history
            .record(NewChange {
                entry_id: id,
                kind,
                who,
                when: at(seconds),
                before,
                after,
            })
            .expect("records")
    };
    record("a", None, 100, None, Some("v1"), ChangeKind::Added);
    record(
        "b",
        Some("Mod"),
        200,
        Some("x"),
        Some("y"),
        ChangeKind::Changed,
    );
    record("a", Some("Mod"), 300, Some("v1"), None, ChangeKind::Removed);

    let all = history.list(None).expect("lists");
    let order: Vec<(&str, i64)> = all
        .iter()
        .map(|r| (r.entry_id.as_str(), r.at_unix))
        .collect();
    assert_eq!(order, vec![("a", 300), ("b", 200), ("a", 100)]);
    let a = history.list(Some("a")).expect("lists");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].kind, ChangeKind::Removed);
    assert_eq!(a[0].origin, "discord");
    assert_eq!(a[1].origin, "file");
    assert_eq!(a[1].who, None);
    assert_eq!(a[1].at, "1970-01-01T00:01:40Z");
    assert!(history.list(Some("zzz")).expect("lists").is_empty());
}

pub fn defect_6_a_rejected_file_is_never_recorded(backend: &dyn Backend) {
    let sandbox = backend.sandbox("history-rejected");
    let engine = sandbox.engine();
    let served = sandbox.read_entry("leg-cramps");
    let (valid, broken) = valid_and_broken(&served, "FIXED");
    // The file breaks after the bot loaded it but before the folder handle
    // exists: the broken text is never served.
    sandbox.write("entries/leg-cramps.toml", &broken);
    let history = Arc::new(History::open_for(&sandbox.admin).expect("opens"));
    let folder = FaqFolder::new(&engine, &sandbox.config, Some(Arc::clone(&history)));
    assert!(folder.reload(&engine, at(1_700_000_000)).is_rejected());
    sandbox.write("entries/leg-cramps.toml", &valid);
    assert!(folder.reload(&engine, at(1_700_000_060)).applied);

    let rows = history.list(None).expect("lists");
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].kind, ChangeKind::Changed);
    assert_eq!(rows[0].before.as_deref(), Some(served.as_str()));
    assert_eq!(rows[0].after.as_deref(), Some(valid.as_str()));
}

pub fn defect_6_changes_made_while_the_bot_was_down_are_recorded_on_start(backend: &dyn Backend) {
    let sandbox = backend.sandbox("history-catch-up");
    // What the bot does when it starts: load the FAQ, open the history,
    // take the folder.
    let start = || {
        let engine = sandbox.engine();
        let history = Arc::new(History::open_for(&sandbox.admin).expect("opens"));
        let _folder = FaqFolder::new(&engine, &sandbox.config, Some(Arc::clone(&history)));
        history
    };
    // The first start finds nothing to compare with: no rows.
    assert!(start().list(None).expect("lists").is_empty());

    // While the bot is down: an entry changed, one added.
    let sciatica = sandbox.read_entry("sciatica");
    let changed = replace_once(
        &sciatica,
        "answer = \"\"\"\n",
        "answer = \"\"\"\nWhile down. ",
    );
    sandbox.write("entries/sciatica.toml", &changed);
    let added = include_str!("../data/admin/new-entry.toml");
    sandbox.write("entries/admin-new-entry.toml", added);
    let history = start();
    let rows = history.list(None).expect("lists");
    let mut found: Vec<(&str, ChangeKind, Option<&str>, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.entry_id.as_str(),
                r.kind,
                r.before.as_deref(),
                r.after.as_deref(),
            )
        })
        .collect();
    found.sort_by_key(|row| row.0);
    assert_eq!(
        found,
        vec![
            ("admin-new-entry", ChangeKind::Added, None, Some(added)),
            (
                "sciatica",
                ChangeKind::Changed,
                Some(sciatica.as_str()),
                Some(changed.as_str())
            ),
        ]
    );
    assert!(rows.iter().all(|r| r.who.is_none() && r.origin == "file"));

    // Started again with no change: nothing new. Then a removal.
    assert_eq!(start().list(None).expect("lists").len(), 2);
    std::fs::remove_file(sandbox.entry_path("admin-new-entry")).expect("remove");
    let rows = start().list(None).expect("lists");
    assert_eq!(rows.len(), 3, "{rows:#?}");
    assert_eq!(rows[0].entry_id, "admin-new-entry");
    assert_eq!(rows[0].kind, ChangeKind::Removed);
    assert_eq!(rows[0].before.as_deref(), Some(added));
}

/// Two processes on one folder and one history (the bot and `faqbot teach`,
/// or two bot processes): a moderator's save in one is found in the files by
/// the other's next reload, and recorded once, with its author.
pub fn a_save_by_another_process_is_recorded_once(backend: &dyn Backend) {
    let sandbox = backend.sandbox("history-two-processes");
    let engine_a = sandbox.engine();
    let engine_b = sandbox.engine();
    let history = Arc::new(History::open_for(&sandbox.admin).expect("opens"));
    let folder_a = FaqFolder::new(&engine_a, &sandbox.config, Some(Arc::clone(&history)));
    let folder_b = FaqFolder::new(&engine_b, &sandbox.config, Some(Arc::clone(&history)));

    let form = folder_a.open_entry(&engine_a, "leg-cramps").expect("opens");
    let mut draft = form.draft();
    draft.question = "Why do my legs cramp when I walk?".to_owned();
    folder_a
        .save(
            &engine_a,
            &Change::Edit {
                id: "leg-cramps".to_owned(),
                base_version: form.version,
                draft,
            },
            "cli:alice",
            at(1_700_000_000),
        )
        .expect("saves");
    let report = folder_b.reload(&engine_b, at(1_700_000_030));
    assert_eq!(report.changed, vec!["leg-cramps"], "{report:?}");
    let rows = history.list(Some("leg-cramps")).expect("lists");
    let authors: Vec<String> = rows.iter().map(|row| row.author()).collect();
    assert_eq!(authors, vec!["by alice (faqbot teach)"]);

    // A later file edit of the same entry is still recorded.
    let text = sandbox.read_entry("leg-cramps");
    sandbox.write(
        "entries/leg-cramps.toml",
        &replace_once(&text, "answer = \"\"\"\n", "answer = \"\"\"\nA file edit. "),
    );
    folder_b.reload(&engine_b, at(1_700_000_060));
    folder_a.reload(&engine_a, at(1_700_000_090));
    let rows = history.list(Some("leg-cramps")).expect("lists");
    let authors: Vec<String> = rows.iter().map(|row| row.author()).collect();
    assert_eq!(authors, vec!["file change", "by alice (faqbot teach)"]);
}

/// Two processes (two folders, as on two machines) on one database: each
/// records the version it serves; a reload a moderator asks for in one
/// reaches the other, whose files changed while nothing told it; a process
/// that stops leaves the list.
pub fn a_reload_asked_for_in_one_process_reaches_the_others(backend: &dyn Backend) {
    let a = backend.sandbox("reload-a");
    let mut b = Sandbox::new("reload-b");
    b.admin = a.admin.clone();
    let engine_a = Arc::new(a.engine());
    let engine_b = Arc::new(b.engine());
    let history_a = Arc::new(History::open_for(&a.admin).expect("A opens"));
    let history_b = Arc::new(History::open_for(&b.admin).expect("B opens"));
    let folder_a = Arc::new(
        FaqFolder::new(&engine_a, &a.config, Some(Arc::clone(&history_a))).with_process("host-a:1"),
    );
    let folder_b = Arc::new(
        FaqFolder::new(&engine_b, &b.config, Some(Arc::clone(&history_b))).with_process("host-b:2"),
    );
    let version = folder_a.version();
    assert_eq!(version.len(), 16, "{version}");
    assert_eq!(
        folder_b.version(),
        version,
        "the same files, the same version"
    );

    // B's file changes before its watcher starts: the watcher does not see
    // it as a change, so only a reload request makes B serve it.
    let text = b.read_entry("leg-cramps");
    b.write(
        "entries/leg-cramps.toml",
        &replace_once(
            &text,
            "answer = \"\"\"\n",
            "answer = \"\"\"\nChanged on B. ",
        ),
    );
    let debounce = Duration::from_millis(200);
    let watcher_a = FaqWatcher::start(
        Arc::clone(&folder_a),
        Arc::clone(&engine_a),
        debounce,
        |_| {},
    )
    .expect("A watches");
    let watcher_b = FaqWatcher::start(
        Arc::clone(&folder_b),
        Arc::clone(&engine_b),
        debounce,
        |_| {},
    )
    .expect("B watches");
    let served = history_a.served_versions(SystemTime::now()).expect("reads");
    let listed: Vec<(&str, &str)> = served
        .iter()
        .map(|s| (s.process.as_str(), s.version.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("host-a:1", version.as_str()),
            ("host-b:2", version.as_str())
        ]
    );
    std::thread::sleep(Duration::from_millis(1_500));
    let answer_b = || {
        engine_b
            .knowledge()
            .faq
            .get("leg-cramps")
            .expect("served")
            .answer
            .clone()
    };
    assert!(
        !answer_b().contains("Changed on B."),
        "B reloaded by itself"
    );

    // The moderator's reload in A: A reloads, then asks the others.
    assert!(
        !folder_a
            .reload(&engine_a, SystemTime::now())
            .changed_anything()
    );
    assert!(folder_a.request_reload(SystemTime::now()));
    let asked = std::time::Instant::now();
    while !answer_b().contains("Changed on B.") {
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "B did not reload within 5 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("the reload reached B in {:?}", asked.elapsed());
    assert_ne!(folder_b.version(), version);
    let served = history_b.served_versions(SystemTime::now()).expect("reads");
    let b_row = served.iter().find(|s| s.process == "host-b:2").expect("B");
    assert_eq!(b_row.version, folder_b.version());
    let a_row = served.iter().find(|s| s.process == "host-a:1").expect("A");
    assert_eq!(a_row.version, version);

    let mut out = Vec::new();
    cli::versions_to(
        &a.admin,
        false,
        SystemTime::now(),
        &mut out,
        &mut Vec::new(),
    )
    .expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("2 process(es) serve 2 different FAQ versions"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}  host-b:2", folder_b.version())),
        "{text}"
    );

    // A process that stops leaves the list.
    watcher_b.stop();
    let served = history_a.served_versions(SystemTime::now()).expect("reads");
    assert_eq!(served.len(), 1, "{served:?}");
    assert_eq!(served[0].process, "host-a:1");
    watcher_a.stop();
}
