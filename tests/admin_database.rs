//! The moderators' database (history, gaps, answer counts) after a crash,
//! and when it cannot be used: noticed when the bot starts, not at the first
//! change.

#[path = "support/common.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::ignored_test_in_a_child;
use faqbot::admin::{AdminSettings, Gaps, History, StoreError};

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// A fresh folder under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("faqbot-db-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn settings(database: &Path) -> AdminSettings {
    AdminSettings {
        database: database.to_path_buf(),
        gaps_enabled: true,
        ..AdminSettings::default()
    }
}

/// The variable that turns [`child_process_dies_in_the_middle_of_a_write`]
/// on: the database's path.
const CHILD_WRITE: &str = "FAQBOT_TEST_CHILD_DIES_WRITING";

/// Not a test of its own: the body of a bot process killed in the middle
/// of a write, for [`killed_mid_write_history_and_gaps_still_read`]. It
/// writes more than SQLite's page cache holds inside one transaction, so
/// the database file is already changed and the rollback journal is "hot",
/// then dies without unwinding (as with `kill -9`).
#[test]
#[ignore = "run by killed_mid_write_history_and_gaps_still_read"]
fn child_process_dies_in_the_middle_of_a_write() {
    let Ok(path) = std::env::var(CHILD_WRITE) else {
        return;
    };
    let connection = rusqlite::Connection::open(&path).expect("opens");
    connection
        .execute_batch("PRAGMA cache_size = 1; BEGIN;")
        .expect("begins");
    let filler = "x".repeat(2_000);
    for day in 0..500 {
        connection
            .execute(
                "INSERT INTO gap_messages (day, channel_id, decision, text) VALUES (?1, '1', 'none', ?2)",
                rusqlite::params![day, filler],
            )
            .expect("inserts");
    }
    std::process::abort();
}

/// Issue 13, defect 7: after a bot is killed in the middle of a write,
/// `faqbot history` and `faqbot gaps` read the database (they failed with
/// "attempt to write a readonly database" until the bot restarted), and
/// the half-written rows are gone.
#[test]
fn killed_mid_write_history_and_gaps_still_read() {
    let dir = scratch("killed");
    let database = dir.join("admin.sqlite3");
    let settings = settings(&database);
    {
        let gaps = Gaps::open(&settings, now()).expect("a new database");
        gaps.record_answer("sciatica", now()).expect("a count");
    }
    let status = ignored_test_in_a_child(
        "child_process_dies_in_the_middle_of_a_write",
        CHILD_WRITE,
        &database,
    )
    .stdout(std::process::Stdio::null())
    .status()
    .expect("child process");
    assert!(!status.success(), "the child dies");
    let mut journal = database.clone().into_os_string();
    journal.push("-journal");
    assert!(
        Path::new(&journal).exists(),
        "the killed write left a hot journal (else this test shows nothing)"
    );

    let history = History::open_read_only(&database)
        .expect("history opens after a crash")
        .expect("a database");
    assert!(history.list(None).expect("history reads").is_empty());
    let gaps = Gaps::open_read_only(&settings)
        .expect("gaps open after a crash")
        .expect("a database");
    let report = gaps.report(None, now()).expect("gaps read");
    assert_eq!(
        report.n_messages, 0,
        "the half-written rows were rolled back"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 13, defect 7: a damaged database is refused when the bot opens
/// it, with advice, instead of failing at the first change (its schema
/// still reads: the damage is in the stored rows).
#[test]
fn a_damaged_database_is_refused_when_opened() {
    let dir = scratch("damaged");
    let database = dir.join("admin.sqlite3");
    drop(History::open(&database).expect("a new database"));
    {
        let connection = rusqlite::Connection::open(&database).expect("opens");
        let filler = "x".repeat(1_000);
        for day in 0..200 {
            connection
                .execute(
                    "INSERT INTO gap_messages (day, channel_id, decision, text) VALUES (?1, '1', 'none', ?2)",
                    rusqlite::params![day, filler],
                )
                .expect("inserts");
        }
    }
    let mut bytes = std::fs::read(&database).expect("read");
    let page = 4096;
    assert!(bytes.len() > 20 * page, "{} bytes", bytes.len());
    for (index, byte) in bytes.iter_mut().enumerate().skip(10 * page).take(5 * page) {
        *byte = (index % 251) as u8;
    }
    std::fs::write(&database, bytes).expect("write");
    let error = History::open(&database).expect_err("refused");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(error, StoreError::Damaged(_)), "{error}");
    assert!(error.to_string().contains("move it aside"), "{error}");
}

/// Issue 13, defect 7: a database the bot cannot write is refused when the
/// bot opens it, not at the first change.
#[cfg(unix)]
#[test]
fn a_read_only_database_is_refused_when_opened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("read-only");
    let database = dir.join("admin.sqlite3");
    drop(History::open(&database).expect("a new database"));
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o444)).expect("read-only");
    let writable = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&database)
            .is_ok()
    };
    // Root writes files without write permission; an immutable file it
    // cannot write.
    let immutable = writable()
        && std::process::Command::new("chattr")
            .arg("+i")
            .arg(&database)
            .status()
            .is_ok_and(|status| status.success());
    if writable() {
        eprintln!("skipped: no way to make a file read-only for this user here");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let opened = History::open(&database).map(drop);
    let read = History::open_read_only(&database).map(|history| {
        history
            .map(|history| history.list(None).map(|rows| rows.len()))
            .transpose()
    });
    if immutable {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&database)
            .status();
    }
    let _ = std::fs::remove_dir_all(&dir);
    let error = opened.expect_err("refused at open");
    assert!(error.to_string().contains("readonly"), "{error}");
    assert!(matches!(read, Ok(Ok(Some(0)))), "still readable: {read:?}");
}
