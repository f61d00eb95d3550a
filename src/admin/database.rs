//! The one SQLite file behind the history, the gaps store and the answer
//! counts: opening it, and its schema migrations.
//!
//! Migrations are numbered by SQLite's `user_version`: migration `n` (1-based)
//! brings a database from version `n - 1` to `n`, in one transaction. A
//! database newer than this build is refused rather than misread.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// The schema, one step per version. Append; never edit a step that shipped.
const MIGRATIONS: &[&str] = &[
    // Version 1.
    "CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,            -- Unix seconds, UTC
        entry_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('added', 'changed', 'removed')),
        origin TEXT NOT NULL CHECK (origin IN ('file', 'discord')),
        who TEXT,                       -- the moderator, for Discord edits only
        before TEXT,                    -- the entry's file before (absent when added)
        after TEXT                      -- the entry's file after (absent when removed)
    );
    CREATE INDEX history_by_entry ON history (entry_id, at);
    -- Messages the bot could not answer: text, day and channel, nothing about
    -- who wrote them (there is deliberately no column for it).
    CREATE TABLE gap_messages (
        id INTEGER PRIMARY KEY,
        day INTEGER NOT NULL,           -- days since 1970-01-01, UTC
        channel_id TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('none', 'suggest')),
        text TEXT NOT NULL
    );
    CREATE INDEX gap_messages_by_day ON gap_messages (day);
    -- How often each entry was answered, per day: counts only.
    CREATE TABLE answer_counts (
        day INTEGER NOT NULL,
        entry_id TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, entry_id)
    );",
    // Version 2.
    "-- The text of each entry's file as last served: what the files are
    -- compared with when the bot starts, so that changes made while it was
    -- down are recorded too.
    CREATE TABLE served (
        entry_id TEXT PRIMARY KEY,
        text TEXT NOT NULL
    );",
];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (creating when needed) the database and brings its schema up to
/// date.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut connection = Connection::open(path)?;
    configure(&connection)?;
    migrate(&mut connection)?;
    check_usable(&connection)?;
    Ok(connection)
}

/// Checks at start-up what would otherwise fail at the first change: the
/// file is not damaged, and it can be written.
fn check_usable(connection: &Connection) -> Result<(), StoreError> {
    let verdict: String = connection.pragma_query_value(None, "quick_check", |row| row.get(0))?;
    if verdict != "ok" {
        return Err(StoreError::Damaged(verdict));
    }
    if connection.is_readonly(rusqlite::MAIN_DB)? {
        return Err(StoreError::ReadOnly);
    }
    // A write that is rolled back: needs the folder to be writable too (for
    // the journal).
    let version = user_version(connection)?;
    connection.execute_batch(&format!(
        "BEGIN IMMEDIATE; PRAGMA user_version = {version}; ROLLBACK;"
    ))?;
    Ok(())
}

/// Opens an existing database for reading, for the CLI; `None` when the file
/// does not exist or holds no schema yet. It is opened for writing when the
/// file allows it (nothing is written), so that SQLite can roll back what a
/// bot killed in the middle of a write left behind (a hot journal, which a
/// read-only connection cannot touch: "attempt to write a readonly
/// database"); read-only otherwise.
pub(crate) fn open_for_reading(path: &Path) -> Result<Option<Connection>, StoreError> {
    if !path.is_file() {
        return Ok(None);
    }
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .or_else(|_| {
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    })?;
    connection.busy_timeout(Duration::from_secs(5))?;
    let version = user_version(&connection)?;
    if version == 0 {
        return Ok(None);
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    if version < SCHEMA_VERSION {
        return Err(StoreError::TooOld {
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(Some(connection))
}

fn configure(connection: &Connection) -> Result<(), StoreError> {
    // Several connections share the file (the watcher, the Discord
    // handlers): wait for a lock instead of failing at once.
    connection.busy_timeout(Duration::from_secs(5))?;
    // Deleted rows (purged messages) are overwritten, not left in free pages.
    connection.pragma_update(None, "secure_delete", true)?;
    Ok(())
}

fn user_version(connection: &Connection) -> Result<i64, StoreError> {
    Ok(connection.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let version = user_version(connection)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let transaction = connection.transaction()?;
        // Re-read inside the transaction: another process may have migrated.
        let current: i64 =
            transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if current > index as i64 {
            continue;
        }
        transaction.execute_batch(step)?;
        transaction.pragma_update(None, "user_version", index as i64 + 1)?;
        transaction.commit()?;
        tracing::info!(schema_version = index + 1, "admin database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_the_current_schema_and_reopens() {
        let dir = std::env::temp_dir().join(format!("faqbot-db-test-{}", std::process::id()));
        let path = dir.join("nested").join("admin.sqlite3");
        let _ = std::fs::remove_dir_all(&dir);
        let connection = open(&path).expect("opens");
        assert_eq!(user_version(&connection).expect("version"), SCHEMA_VERSION);
        drop(connection);
        let again = open(&path).expect("reopens");
        assert_eq!(user_version(&again).expect("version"), SCHEMA_VERSION);
        drop(again);
        assert!(open_for_reading(&path).expect("read-only").is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = std::env::temp_dir().join(format!("faqbot-db-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("admin.sqlite3");
        let connection = open(&path).expect("opens");
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("set version");
        drop(connection);
        assert!(matches!(open(&path), Err(StoreError::TooNew { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
