//! The change history: every change to an FAQ entry, from a file (noticed by
//! reload) or from Discord (a moderator's edit), with when, who, the entry id
//! and the entry's file before and after. Kept in the admin database (the
//! SQLite file [`super::AdminSettings::database`], or PostgreSQL with
//! [`super::AdminSettings::database_url`]).
//!
//! The same database says which FAQ version each running process serves
//! ([`History::announce`], [`History::served_versions`]) and carries
//! moderators' reload requests to every process ([`History::request_reload`],
//! [`History::last_reload_request`]).
//!
//! Only moderators appear as "who", and only for Discord edits: a file
//! change is recorded with no name (git knows who wrote it).
//!
//! Only what was served is recorded: the texts come from the loaded FAQ,
//! never from a second read of the files (which may hold a newer, rejected
//! text). The database also keeps the text of every entry as last served;
//! when the bot starts, [`History::catch_up`] compares the files' state with
//! it and records what changed while the bot was down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::database::{self, Database, Sql, Value};
use super::settings::AdminSettings;
use super::{StoreError, time};

/// What a change did to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new entry.
    Added,
    /// An entry's content changed.
    Changed,
    /// An entry was deleted.
    Removed,
}

impl ChangeKind {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        }
    }

    fn parse(text: &str) -> ChangeKind {
        match text {
            "added" => ChangeKind::Added,
            "removed" => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        }
    }
}

/// One recorded change, as listed by [`History::list`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    /// The row's number (increasing).
    pub number: i64,
    /// When, as Unix seconds (UTC).
    #[serde(skip)]
    pub at_unix: i64,
    /// When, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
    /// The entry's id.
    pub entry_id: String,
    /// Added, changed or removed.
    pub kind: ChangeKind,
    /// Where the change came from: `"file"` or `"discord"`.
    pub origin: String,
    /// The moderator, for Discord edits; `None` for file changes.
    pub who: Option<String>,
    /// The entry's file before the change (absent when added).
    pub before: Option<String>,
    /// The entry's file after the change (absent when removed).
    pub after: Option<String>,
}

impl HistoryRow {
    /// "by NAME (Discord)", "by NAME (faqbot teach)" or "file change", for
    /// display. `faqbot teach` records its saves as `cli:USER` or `cli`.
    pub fn author(&self) -> String {
        match self.who.as_deref() {
            Some("cli") => "by faqbot teach".to_owned(),
            Some(who) => match who.strip_prefix("cli:") {
                Some(user) => format!("by {user} (faqbot teach)"),
                None => format!("by {who} (Discord)"),
            },
            None => "file change".to_owned(),
        }
    }

    /// A line diff of before and after (`-` removed, `+` added lines).
    pub fn diff(&self) -> String {
        super::textdiff::line_diff(
            self.before.as_deref().unwrap_or(""),
            self.after.as_deref().unwrap_or(""),
        )
    }
}

/// The FAQ version one running process serves, as
/// [`History::served_versions`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServedVersion {
    /// The process: `hostname:pid` (no user data).
    pub process: String,
    /// The FAQ version it serves ([`super::FaqFolder::version`]).
    pub version: String,
    /// Since when it serves that version, `YYYY-MM-DDTHH:MM:SSZ`.
    pub since: String,
    /// When it last said so, `YYYY-MM-DDTHH:MM:SSZ`.
    pub seen: String,
}

/// A process that has not said which version it serves for this long is
/// taken to be gone: not listed (its row is deleted after a day).
pub const PROCESS_GONE_AFTER: Duration = Duration::from_secs(180);

/// A change to record.
#[derive(Debug, Clone, Copy)]
pub struct NewChange<'a> {
    /// The entry's id.
    pub entry_id: &'a str,
    /// Added, changed or removed.
    pub kind: ChangeKind,
    /// The moderator (display name or id) for a Discord edit; `None` for a
    /// change found in the files.
    pub who: Option<&'a str>,
    /// When it happened.
    pub when: SystemTime,
    /// The entry's file before (absent when the entry was added).
    pub before: Option<&'a str>,
    /// The entry's file after (absent when the entry was removed).
    pub after: Option<&'a str>,
}

/// The history store. Share it behind an `Arc`; calls are serialised.
#[derive(Debug)]
pub struct History {
    database: Mutex<Database>,
}

/// At most this many rows are listed at once.
pub const MAX_LISTED: usize = 1_000;

impl History {
    /// Opens the SQLite database at `path`, creating it and its schema when
    /// needed.
    pub fn open(path: &Path) -> Result<History, StoreError> {
        Ok(History {
            database: Mutex::new(Database::Sqlite(database::open(path)?)),
        })
    }

    /// Opens the database `settings` name: PostgreSQL with `database_url`,
    /// else the SQLite file; creates or upgrades its schema.
    pub fn open_for(settings: &AdminSettings) -> Result<History, StoreError> {
        Ok(History {
            database: Mutex::new(Database::open(settings)?),
        })
    }

    /// Opens an existing SQLite database for reading (for the CLI; nothing
    /// is written, but what a killed bot left half-written is rolled back
    /// when the file allows it); `None` when there is no database yet.
    pub fn open_read_only(path: &Path) -> Result<Option<History>, StoreError> {
        Ok(database::open_for_reading(path)?.map(|connection| History {
            database: Mutex::new(Database::Sqlite(connection)),
        }))
    }

    /// [`History::open_read_only`] for the database `settings` name (the
    /// SQLite file or PostgreSQL); `None` when it holds no faqbot data yet.
    pub fn open_read_only_for(settings: &AdminSettings) -> Result<Option<History>, StoreError> {
        Ok(
            Database::open_for_reading(settings)?.map(|database| History {
                database: Mutex::new(database),
            }),
        )
    }

    fn database(&self) -> std::sync::MutexGuard<'_, Database> {
        crate::locks::lock(&self.database)
    }

    /// Records one change; returns its row number.
    pub fn record(&self, change: NewChange<'_>) -> Result<i64, StoreError> {
        insert(&mut *self.database(), &change)
    }

    /// Records the changes of a reload that was applied and remembers
    /// `served` (entry id to file text, as loaded) as the entries' last
    /// served state, in one transaction.
    pub(crate) fn record_served(
        &self,
        changes: &[NewChange<'_>],
        served: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        self.database().transaction(|transaction| {
            for change in changes {
                // A change another process saved (a moderator's edit, or
                // `faqbot teach`) is found in the files by this one too: it
                // is recorded once, with its author.
                if change.who.is_none() && is_newest_row(transaction, change)? {
                    continue;
                }
                insert(transaction, change)?;
            }
            replace_served(transaction, served)
        })
    }

    /// At start-up: compares `served` (entry id to file text, as the bot
    /// now serves them) with the entries' last served state in the
    /// database, records every difference as a file change at `now`, and
    /// returns them (id, kind).
    ///
    /// A database without a last served state (new, or written by an older
    /// faqbot) takes each entry's state from its newest row, and the files'
    /// text for an entry with no row: an entry nobody changed since the
    /// history began is not "added".
    pub fn catch_up(
        &self,
        served: &BTreeMap<String, String>,
        now: SystemTime,
    ) -> Result<Vec<(String, ChangeKind)>, StoreError> {
        let found = self.database().transaction(|transaction| {
            let mut last = load_served(transaction)?;
            if last.is_empty() {
                last = last_recorded(transaction, served)?;
            }
            let mut found = Vec::new();
            for (id, text) in served {
                match last.get(id) {
                    None => found.push((id.clone(), ChangeKind::Added, None, Some(text.clone()))),
                    Some(before) if before != text => found.push((
                        id.clone(),
                        ChangeKind::Changed,
                        Some(before.clone()),
                        Some(text.clone()),
                    )),
                    Some(_) => {}
                }
            }
            for (id, before) in &last {
                if !served.contains_key(id) {
                    found.push((id.clone(), ChangeKind::Removed, Some(before.clone()), None));
                }
            }
            for (entry_id, kind, before, after) in &found {
                insert(
                    transaction,
                    &NewChange {
                        entry_id,
                        kind: *kind,
                        who: None,
                        when: now,
                        before: before.as_deref(),
                        after: after.as_deref(),
                    },
                )?;
            }
            replace_served(transaction, served)?;
            Ok(found)
        })?;
        Ok(found
            .into_iter()
            .map(|(id, kind, _, _)| (id, kind))
            .collect())
    }

    /// The recorded changes, newest first: of one entry, or of all
    /// (at most [`MAX_LISTED`]).
    pub fn list(&self, entry_id: Option<&str>) -> Result<Vec<HistoryRow>, StoreError> {
        let rows = self.database().query(
            "SELECT id, at, entry_id, kind, origin, who, before, after FROM history
             WHERE CAST(?1 AS TEXT) IS NULL OR entry_id = ?1
             ORDER BY at DESC, id DESC LIMIT ?2",
            &[Value::from(entry_id), Value::Int(MAX_LISTED as i64)],
        )?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let at_unix = row.int(1);
                HistoryRow {
                    number: row.int(0),
                    at_unix,
                    at: time::timestamp(at_unix),
                    entry_id: row.text(2),
                    kind: ChangeKind::parse(&row.text(3)),
                    origin: row.text(4),
                    who: row.opt_text(5),
                    before: row.opt_text(6),
                    after: row.opt_text(7),
                }
            })
            .collect())
    }

    /// Where the version `version` of `entry_id`'s file sits in the
    /// history: the number of the last row *not* after it (the newest row
    /// that produced it, or the row before the oldest change made to it),
    /// and its text. `None` when no row has that version before or after.
    pub(crate) fn find_version(
        &self,
        entry_id: &str,
        version: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let rows = self.database().query(
            "SELECT id, before, after FROM history WHERE entry_id = ?1
             ORDER BY id DESC LIMIT 500",
            &[Value::from(entry_id)],
        )?;
        let mut changed_from: Option<(i64, String)> = None;
        for row in rows {
            let number = row.int(0);
            if let Some(after) = row.opt_text(2)
                && super::content_version(&after) == version
            {
                return Ok(Some((number, after)));
            }
            if let Some(before) = row.opt_text(1)
                && super::content_version(&before) == version
            {
                changed_from = Some((number - 1, before));
            }
        }
        Ok(changed_from)
    }

    /// Who made the changes to `entry_id` recorded after row `after_row`
    /// (`None` in the list: a file change), oldest first.
    pub(crate) fn authors_since(
        &self,
        entry_id: &str,
        after_row: i64,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let rows = self.database().query(
            "SELECT at, who FROM history WHERE entry_id = ?1 AND id > ?2 ORDER BY id",
            &[Value::from(entry_id), Value::Int(after_row)],
        )?;
        Ok(rows
            .into_iter()
            .map(|row| (time::timestamp(row.int(0)), row.opt_text(1)))
            .collect())
    }

    /// Records that `process` serves the FAQ version `version` at `now`
    /// (the bot calls it at start, after each reload it applies, and every
    /// minute); forgets processes not heard of for a day.
    pub fn announce(
        &self,
        process: &str,
        version: &str,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        let now = time::unix_seconds(now);
        let mut database = self.database();
        database.execute(
            "INSERT INTO faq_versions (process, version, since, seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (process) DO UPDATE SET
                 since = CASE WHEN faq_versions.version = excluded.version
                              THEN faq_versions.since ELSE excluded.since END,
                 version = excluded.version,
                 seen = excluded.seen",
            &[Value::from(process), Value::from(version), Value::Int(now)],
        )?;
        database.execute(
            "DELETE FROM faq_versions WHERE seen < ?1",
            &[Value::Int(now - 86_400)],
        )?;
        Ok(())
    }

    /// Forgets `process` (a bot stopping cleanly).
    pub fn forget_process(&self, process: &str) -> Result<(), StoreError> {
        self.database().execute(
            "DELETE FROM faq_versions WHERE process = ?1",
            &[Value::from(process)],
        )?;
        Ok(())
    }

    /// The FAQ version each running process serves (heard of within
    /// [`PROCESS_GONE_AFTER`] of `now`), by process.
    pub fn served_versions(&self, now: SystemTime) -> Result<Vec<ServedVersion>, StoreError> {
        let oldest = time::unix_seconds(now) - PROCESS_GONE_AFTER.as_secs() as i64;
        let rows = self.database().query(
            "SELECT process, version, since, seen FROM faq_versions WHERE seen >= ?1
             ORDER BY process",
            &[Value::Int(oldest)],
        )?;
        Ok(rows
            .into_iter()
            .map(|row| ServedVersion {
                process: row.text(0),
                version: row.text(1),
                since: time::timestamp(row.int(2)),
                seen: time::timestamp(row.int(3)),
            })
            .collect())
    }

    /// Asks every process on this database to reload its FAQ folder (a
    /// moderator's `/faq-admin reload`); returns the request's number. Each
    /// process's watcher looks for a newer request every second.
    pub fn request_reload(&self, process: &str, now: SystemTime) -> Result<i64, StoreError> {
        let mut database = self.database();
        let number = database
            .query_one(
                "INSERT INTO reload_requests (at, process) VALUES (?1, ?2) RETURNING id",
                &[Value::Int(time::unix_seconds(now)), Value::from(process)],
            )?
            .map_or(0, |row| row.int(0));
        // Only the newest matters.
        database.execute(
            "DELETE FROM reload_requests WHERE id < ?1",
            &[Value::Int(number - 100)],
        )?;
        Ok(number)
    }

    /// The number of the newest reload request (0: none yet).
    pub fn last_reload_request(&self) -> Result<i64, StoreError> {
        Ok(self
            .database()
            .query_one("SELECT max(id) FROM reload_requests", &[])?
            .and_then(|row| row.opt_int(0))
            .unwrap_or(0))
    }

    /// The number of the newest row, if any (for tests and callers that
    /// want to know what a change added).
    pub fn last_row(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .database()
            .query_one("SELECT max(id) FROM history", &[])?
            .and_then(|row| row.opt_int(0)))
    }
}

/// Whether the entry's newest row is already this change (the same text
/// before and after).
fn is_newest_row(sql: &mut dyn Sql, change: &NewChange<'_>) -> Result<bool, StoreError> {
    let newest = sql.query_one(
        "SELECT before, after FROM history WHERE entry_id = ?1 ORDER BY id DESC LIMIT 1",
        &[Value::from(change.entry_id)],
    )?;
    Ok(newest.is_some_and(|row| {
        row.opt_text(0).as_deref() == change.before && row.opt_text(1).as_deref() == change.after
    }))
}

/// Inserts one history row; returns its number.
fn insert(sql: &mut dyn Sql, change: &NewChange<'_>) -> Result<i64, StoreError> {
    let kind = change.kind;
    let origin = if change.who.is_some() {
        "discord"
    } else {
        "file"
    };
    let row = sql.query_one(
        "INSERT INTO history (at, entry_id, kind, origin, who, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        &[
            Value::Int(time::unix_seconds(change.when)),
            Value::from(change.entry_id),
            Value::from(kind.as_str()),
            Value::from(origin),
            Value::from(change.who),
            Value::from(change.before),
            Value::from(change.after),
        ],
    )?;
    tracing::info!(
        faq_id = change.entry_id,
        kind = kind.as_str(),
        origin,
        "FAQ change recorded in history"
    );
    Ok(row.map_or(0, |row| row.int(0)))
}

/// The entries' last served state: id to file text.
fn load_served(sql: &mut dyn Sql) -> Result<BTreeMap<String, String>, StoreError> {
    Ok(sql
        .query("SELECT entry_id, text FROM served", &[])?
        .into_iter()
        .map(|row| (row.text(0), row.text(1)))
        .collect())
}

/// Makes `served` the entries' last served state.
fn replace_served(sql: &mut dyn Sql, served: &BTreeMap<String, String>) -> Result<(), StoreError> {
    sql.execute("DELETE FROM served", &[])?;
    for (id, text) in served {
        sql.execute(
            "INSERT INTO served (entry_id, text) VALUES (?1, ?2)",
            &[Value::from(id.as_str()), Value::from(text.as_str())],
        )?;
    }
    Ok(())
}

/// The entries' state as the history rows leave it (the newest row's
/// after-text; nothing for a removed entry), and `served`'s text for an
/// entry the history never mentions.
fn last_recorded(
    sql: &mut dyn Sql,
    served: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, StoreError> {
    let rows = sql.query(
        "SELECT entry_id, after FROM history AS newest
         WHERE id = (SELECT max(id) FROM history WHERE entry_id = newest.entry_id)",
        &[],
    )?;
    let mut last = BTreeMap::new();
    let mut mentioned = BTreeSet::new();
    for row in rows {
        let id = row.text(0);
        if let Some(after) = row.opt_text(1) {
            last.insert(id.clone(), after);
        }
        mentioned.insert(id);
    }
    for (id, text) in served {
        if !mentioned.contains(id) {
            last.insert(id.clone(), text.clone());
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(who: Option<&str>) -> HistoryRow {
        HistoryRow {
            number: 1,
            at_unix: 0,
            at: String::new(),
            entry_id: "sciatica".to_owned(),
            kind: ChangeKind::Changed,
            origin: "discord".to_owned(),
            who: who.map(str::to_owned),
            before: None,
            after: None,
        }
    }

    #[test]
    fn the_author_says_where_a_change_came_from() {
        assert_eq!(row(None).author(), "file change");
        assert_eq!(
            row(Some("Moderator A")).author(),
            "by Moderator A (Discord)"
        );
        assert_eq!(row(Some("cli:alice")).author(), "by alice (faqbot teach)");
        assert_eq!(row(Some("cli")).author(), "by faqbot teach");
    }
}
