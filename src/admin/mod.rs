//! Moderator tools: live reload of the FAQ folder, edits that land in the
//! files, the change history, and the report of what the bot could not
//! answer. The Discord adapter's `/faq-admin` commands and the CLI's
//! `faqbot history` and `faqbot gaps` are thin glue over this module.
//!
//! | module | owns |
//! | --- | --- |
//! | [`settings`] | `[admin]` in the config file |
//! | [`reload`] | [`FaqFolder`] (one lock for every change to the folder), [`ReloadReport`], the polling [`FaqWatcher`] |
//! | [`edit`] | add / edit / remove an entry: validated like a file edit, written atomically, conflicts detected |
//! | [`history`] | every change, from a file or from Discord, in SQLite |
//! | [`gaps`] | messages the bot could not answer (off by default, no user ids), and answer counts |
//! | [`chart`] | the stats chart (a PNG: answered and unanswered per day, the most answered entries) |
//! | [`cli`] | `faqbot history` and `faqbot gaps` |
//! | [`teach`] | teach from the gaps: a stored message as an alternate or a new entry (`faqbot teach`, the `/faq-admin gaps` buttons) |
//!
//! Nothing here names a Discord type: the adapter passes in plain strings
//! and ids, and the time (`now`) is passed in everywhere except in the
//! watcher thread and [`FaqFolder::new`] (which records the changes made
//! while the bot was down), which read the clock.

pub mod chart;
pub mod cli;
mod database;
pub mod edit;
pub mod gaps;
pub mod history;
pub mod reload;
pub mod settings;
pub mod teach;
mod textdiff;
pub(crate) mod time;

pub use chart::{ChartError, UsageChart};
pub use edit::{Change, Conflict, EditError, EntryDraft, EntryForm, NewEntry, Preview, Saved};
pub use gaps::{DayCounts, EntryUse, GapDecision, GapGroup, GapMessage, GapReport, Gaps};
pub use history::{ChangeKind, History, HistoryRow, NewChange, ServedVersion};
pub use reload::{FaqFolder, FaqWatcher, ReloadReport, reload_now};
pub use settings::AdminSettings;

/// Why an admin store (the SQLite database) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL could not be reached or refused an operation: the
    /// address (password replaced by `***`) and PostgreSQL's reason.
    #[error("{0}")]
    Postgres(String),
    /// The database was written by a newer faqbot.
    #[error(
        "the database has schema version {found}; this faqbot knows up to {known} (upgrade faqbot)"
    )]
    TooNew {
        /// The version in the file.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The database was written by an older faqbot and has not been upgraded
    /// yet (a read-only open cannot upgrade it).
    #[error(
        "the database has schema version {found}, older than {known}; run the bot once to upgrade it"
    )]
    TooOld {
        /// The version in the file.
        found: i64,
        /// The version this build needs.
        known: i64,
    },
    /// SQLite's integrity check found damage.
    #[error(
        "the database is damaged ({0}); move it aside (the bot starts a new one) or restore a backup"
    )]
    Damaged(String),
    /// The database file cannot be written.
    #[error(
        "the database is readonly for this user: give the bot write access to it and its folder"
    )]
    ReadOnly,
    /// A folder for the database could not be created.
    #[error("cannot create the folder for the database {path}: {source}")]
    Folder {
        /// The folder.
        path: std::path::PathBuf,
        /// The reason.
        source: std::io::Error,
    },
}

/// The version of a file's text: a 64-bit FNV-1a hash, as 16 hex digits.
///
/// It is what an editor saw; saving compares it with the file as it is now,
/// so a change made in between is detected. Not cryptographic: it guards
/// against accidents (two moderators at once), not against an attacker who
/// can already write the FAQ folder.
pub fn content_version(text: &str) -> String {
    crate::fasthash::fnv64_hex(text)
}

/// This process as other processes see it in the served versions:
/// `hostname:pid` (no user data).
pub fn process_label() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}:{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_differ_for_different_texts_and_are_stable() {
        assert_eq!(content_version(""), "cbf29ce484222325");
        assert_eq!(content_version("a"), content_version("a"));
        assert_ne!(content_version("a"), content_version("b"));
    }
}
