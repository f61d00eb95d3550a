//! The moderators' data in PostgreSQL (`[admin] database_url`): the same
//! behaviour checks as the SQLite tests of the history and the gaps store
//! (`support/store_checks.rs`), plus what only several processes on one
//! server show: each sees the others' rows, a first start by several at once
//! migrates once, a newer schema is refused, and a server that is down is a
//! clear error without the password.
//!
//! One server for the whole file (started once, stopped and deleted at the
//! end), one new database per check. Without PostgreSQL installed the test
//! says so and passes; `FAQBOT_REQUIRE_POSTGRES=1` (CI) makes that a
//! failure.

#![cfg(feature = "postgres")]

#[path = "support/store_checks.rs"]
mod checks;
#[path = "support/postgres.rs"]
mod pg;
#[path = "admin_support.rs"]
mod support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use checks::{Backend, at, day, enabled};
use faqbot::admin::{
    AdminSettings, ChangeKind, FaqFolder, GapDecision, Gaps, History, NewChange, StoreError,
};
use support::{Sandbox, replace_once};

/// The checks' databases on the test's server.
struct Postgres {
    server: pg::Server,
    next: AtomicU64,
}

impl Postgres {
    /// A new, empty database; its address.
    fn fresh(&self, name: &str) -> String {
        let clean: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        self.server.database(&format!("{clean}_{number}"))
    }

    fn client(&self, settings: &AdminSettings) -> postgres::Client {
        let url = settings
            .database_url
            .as_deref()
            .expect("a PostgreSQL check");
        postgres::Client::connect(url, postgres::NoTls).expect("connects")
    }
}

impl Backend for Postgres {
    fn sandbox(&self, name: &str) -> Sandbox {
        let mut sandbox = Sandbox::new(name);
        sandbox.admin.database_url = Some(self.fresh(name));
        sandbox
    }

    fn count_rows(&self, settings: &AdminSettings, table: &str) -> i64 {
        self.client(settings)
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .expect("counts")
            .get(0)
    }

    fn all_values(&self, settings: &AdminSettings, table: &str) -> Vec<String> {
        // Every column as text, whatever its type.
        let rows = self
            .client(settings)
            .query(&format!("SELECT to_jsonb(t)::text FROM {table} AS t"), &[])
            .expect("rows");
        let mut values = Vec::new();
        for row in rows {
            let json: serde_json::Value =
                serde_json::from_str(row.get::<_, &str>(0)).expect("a row as JSON");
            for value in json.as_object().expect("an object").values() {
                values.push(match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                });
            }
        }
        values
    }

    fn columns(&self, settings: &AdminSettings, table: &str) -> Vec<String> {
        self.client(settings)
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_name = $1 ORDER BY ordinal_position",
                &[&table],
            )
            .expect("columns")
            .iter()
            .map(|row| row.get(0))
            .collect()
    }
}

type Check = fn(&Postgres);

#[test]
fn the_admin_stores_on_postgresql() {
    let started = Instant::now();
    let Some(server) = pg::Server::start() else {
        return;
    };
    eprintln!("PostgreSQL test server up in {:?}", started.elapsed());
    let backend = Postgres {
        server,
        next: AtomicU64::new(0),
    };
    let checks: &[(&str, Check)] = &[
        ("history: rows listed", |b| {
            checks::rows_are_listed_newest_first_per_entry_or_all(b)
        }),
        ("history: a rejected file is never recorded", |b| {
            checks::defect_6_a_rejected_file_is_never_recorded(b)
        }),
        ("history: changes while down", |b| {
            checks::defect_6_changes_made_while_the_bot_was_down_are_recorded_on_start(b)
        }),
        ("history: a save by another process", |b| {
            checks::a_save_by_another_process_is_recorded_once(b)
        }),
        ("gaps: switching off", |b| {
            checks::switching_gaps_off_hides_and_deletes_the_stored_messages(b)
        }),
        ("gaps: retention", |b| {
            checks::messages_older_than_the_retention_period_are_deleted(b)
        }),
        ("gaps: no user id", |b| {
            checks::no_user_id_or_name_is_ever_written_to_the_gaps_store(b);
        }),
        ("gaps: report", |b| {
            checks::the_report_groups_similar_messages_biggest_first_with_the_nearest_entry(b)
        }),
        ("gaps: cap", |b| {
            checks::defect_11_the_gaps_store_keeps_at_most_its_cap_newest_first(b)
        }),
        ("gaps: daily counts", |b| {
            checks::daily_counts_cover_every_day_of_the_period_and_unanswered_only_with_gaps_on(b)
        }),
        (
            "two processes share history and gaps",
            two_processes_share_history_and_gaps,
        ),
        ("a reload reaches the other processes", |b| {
            checks::a_reload_asked_for_in_one_process_reaches_the_others(b)
        }),
        ("migration from empty", migration_from_empty),
        ("a newer schema is refused", a_newer_schema_is_refused),
        ("concurrent first open", concurrent_first_open_is_safe),
        (
            "a server that is down",
            a_server_that_is_down_is_a_clear_error,
        ),
    ];
    let mut failed = Vec::new();
    for (name, check) in checks {
        let began = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| check(&backend))) {
            Ok(()) => eprintln!("ok   {name} ({:?})", began.elapsed()),
            Err(_) => {
                eprintln!("FAIL {name}");
                failed.push(*name);
            }
        }
    }
    eprintln!("all checks in {:?}", started.elapsed());
    assert!(failed.is_empty(), "failed on PostgreSQL: {failed:?}");
}

/// Two bot processes (two connections, two folders' handles) on one
/// database: each sees the other's history rows, stored messages and
/// counts.
fn two_processes_share_history_and_gaps(backend: &Postgres) {
    let sandbox = backend.sandbox("two-processes");
    let settings = enabled(&sandbox);
    let history_a = History::open_for(&settings).expect("process A opens");
    let history_b = History::open_for(&settings).expect("process B opens");
    history_a
        .record(NewChange {
            entry_id: "sciatica",
            kind: ChangeKind::Changed,
            who: Some("Moderator A"),
            when: at(1_700_000_000),
            before: Some("old"),
            after: Some("new"),
        })
        .expect("records");
    let rows = history_b.list(None).expect("B lists");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].who.as_deref(), Some("Moderator A"));
    assert_eq!(rows[0].after.as_deref(), Some("new"));

    let gaps_a = Gaps::open(&settings, day(20_000)).expect("A's gaps");
    let gaps_b = Gaps::open(&settings, day(20_000)).expect("B's gaps");
    assert!(
        gaps_a
            .record(
                "is swimming good for knees",
                3,
                GapDecision::None,
                day(20_000)
            )
            .expect("records")
    );
    gaps_b
        .record_answer("sciatica", day(20_000))
        .expect("counts");
    gaps_a
        .record_answer("sciatica", day(20_000))
        .expect("counts");
    assert_eq!(
        gaps_b.report(None, day(20_000)).expect("report").n_messages,
        1
    );
    let stats = gaps_a.stats(None, day(20_000)).expect("stats");
    assert_eq!(stats[0].entry_id, "sciatica");
    assert_eq!(stats[0].count, 2, "both processes' answers are counted");

    // One reload seen by both processes' folder handles is recorded once.
    let engine_a = sandbox.engine();
    let engine_b = sandbox.engine();
    let history_a = Arc::new(history_a);
    let history_b = Arc::new(history_b);
    let folder_a = FaqFolder::new(&engine_a, &sandbox.config, Some(Arc::clone(&history_a)));
    let folder_b = FaqFolder::new(&engine_b, &sandbox.config, Some(Arc::clone(&history_b)));
    let text = sandbox.read_entry("leg-cramps");
    sandbox.write(
        "entries/leg-cramps.toml",
        &replace_once(&text, "answer = \"\"\"\n", "answer = \"\"\"\nShared. "),
    );
    assert!(folder_a.reload(&engine_a, at(1_700_000_100)).applied);
    assert!(folder_b.reload(&engine_b, at(1_700_000_101)).applied);
    let rows = history_a.list(Some("leg-cramps")).expect("lists");
    assert_eq!(rows.len(), 1, "{rows:#?}");
}

fn schema_version(backend: &Postgres, settings: &AdminSettings) -> Vec<i64> {
    backend
        .client(settings)
        .query("SELECT version FROM schema_version", &[])
        .expect("schema_version")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// An empty database: the CLI finds nothing (and creates nothing); the bot
/// creates every table at the current version; opening again changes
/// nothing.
fn migration_from_empty(backend: &Postgres) {
    let settings = AdminSettings {
        database_url: Some(backend.fresh("empty")),
        ..AdminSettings::default()
    };
    assert!(
        History::open_read_only_for(&settings)
            .expect("reads")
            .is_none()
    );
    assert!(Gaps::open_read_only(&settings).expect("reads").is_none());
    let tables_before = backend.columns(&settings, "history");
    assert!(tables_before.is_empty(), "the CLI created tables");

    drop(History::open_for(&settings).expect("migrates"));
    assert_eq!(schema_version(backend, &settings), vec![3]);
    for table in [
        "history",
        "gap_messages",
        "answer_counts",
        "served",
        "faq_versions",
        "reload_requests",
    ] {
        assert!(
            !backend.columns(&settings, table).is_empty(),
            "{table} exists"
        );
    }
    assert_eq!(
        backend.columns(&settings, "gap_messages"),
        vec!["id", "day", "channel_id", "decision", "text"],
        "the same columns as SQLite's"
    );
    drop(History::open_for(&settings).expect("opens again"));
    assert_eq!(schema_version(backend, &settings), vec![3]);
    assert!(
        History::open_read_only_for(&settings)
            .expect("reads")
            .is_some()
    );
}

/// A database a newer faqbot wrote is refused, by the bot and the CLI.
fn a_newer_schema_is_refused(backend: &Postgres) {
    let settings = AdminSettings {
        database_url: Some(backend.fresh("newer")),
        ..AdminSettings::default()
    };
    drop(History::open_for(&settings).expect("migrates"));
    backend
        .client(&settings)
        .execute("UPDATE schema_version SET version = 99", &[])
        .expect("a newer version");
    let error = History::open_for(&settings).expect_err("refused");
    assert!(
        matches!(error, StoreError::TooNew { found: 99, .. }),
        "{error}"
    );
    assert!(matches!(
        History::open_read_only_for(&settings),
        Err(StoreError::TooNew { found: 99, .. })
    ));
    assert!(matches!(
        Gaps::open(&settings, day(20_000)),
        Err(StoreError::TooNew { .. })
    ));
}

/// Several processes starting at once on an empty database: every one
/// opens, the schema is made once.
fn concurrent_first_open_is_safe(backend: &Postgres) {
    let settings = AdminSettings {
        database_url: Some(backend.fresh("concurrent")),
        gaps_enabled: true,
        ..AdminSettings::default()
    };
    let n = 6;
    let barrier = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|index| {
            let settings = settings.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                if index % 2 == 0 {
                    History::open_for(&settings).map(drop)
                } else {
                    Gaps::open(&settings, day(20_000)).map(drop)
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no panic").expect("opens");
    }
    assert_eq!(schema_version(backend, &settings), vec![3]);
}

/// A server that does not answer: a clear error at open naming the
/// setting, with the password hidden.
fn a_server_that_is_down_is_a_clear_error(backend: &Postgres) {
    let _ = backend;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let settings = AdminSettings {
        database_url: Some(format!("postgres://bot:s3cret-pw@127.0.0.1:{port}/faqbot")),
        ..AdminSettings::default()
    };
    let error = History::open_for(&settings).expect_err("nothing listens there");
    let text = error.to_string();
    assert!(text.contains("[admin] database_url"), "{text}");
    assert!(text.contains("postgres://bot:***@127.0.0.1"), "{text}");
    assert!(!text.contains("s3cret-pw"), "{text}");
    let error = Gaps::open(&settings, day(20_000)).expect_err("refused");
    assert!(!error.to_string().contains("s3cret-pw"));
    let error = History::open_read_only_for(&settings).expect_err("refused");
    assert!(!error.to_string().contains("s3cret-pw"));
}
