//! `[admin]` in the config file: where the history database lives (the
//! SQLite file, or PostgreSQL with `database_url`), whether
//! the "what the bot could not answer" report is on, who is a moderator, and
//! how quickly file changes go live.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{Refusal, in_range};

/// Settings of the moderator tools (`[admin]` in the config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminSettings {
    /// The SQLite database holding the change history, the stored unanswered
    /// messages (when `gaps_enabled`) and the answer counts. Created on first
    /// use; a relative path is relative to the working directory.
    pub database: PathBuf,
    /// PostgreSQL instead of the SQLite file, e.g.
    /// `postgres://faqbot:PASSWORD@127.0.0.1:5432/faqbot` (cargo feature
    /// `postgres`): the same tables, shared by every process and machine of
    /// the bot. The password is never printed (`***`). Unset: `database`.
    pub database_url: Option<String>,
    /// Store the messages that got no answer or only a "did you mean" in
    /// answer channels (text, date and channel; never who wrote them), for
    /// the gaps report. Off by default: these are health messages.
    pub gaps_enabled: bool,
    /// Stored messages and answer counts older than this many days are
    /// deleted.
    pub gaps_retention_days: u32,
    /// At most this many unanswered messages are kept; storing one more
    /// deletes the oldest. Bounds the database whatever the traffic (a
    /// report groups only the newest 2,000 anyway).
    pub gaps_max_messages: u32,
    /// Members with this Discord role may use `/faq-admin` (members with the
    /// Manage Messages permission always may). Unset: only the permission.
    pub moderator_role_id: Option<u64>,
    /// The channel where reload results and rejected FAQ changes are posted.
    /// Unset: they are only logged.
    pub moderator_log_channel: Option<u64>,
    /// A change to the FAQ folder is loaded once the files have been quiet
    /// this many milliseconds (an editor saving several files, or a
    /// `git pull`, becomes one reload). At most 1,500 so that a valid change
    /// is live within 2 seconds.
    pub reload_debounce_ms: u64,
}

/// The default database file name.
pub const DEFAULT_DATABASE: &str = "faqbot.sqlite3";

/// The default cap on stored unanswered messages.
pub const DEFAULT_GAPS_MAX_MESSAGES: u32 = 5_000;

/// The largest cap on stored unanswered messages (at most 2,000 characters
/// each: a few hundred megabytes).
pub const MAX_GAPS_MAX_MESSAGES: u32 = 100_000;

/// The largest debounce that still lets a change go live within 2 seconds.
pub const MAX_RELOAD_DEBOUNCE_MS: u64 = 1_500;

impl Default for AdminSettings {
    fn default() -> Self {
        AdminSettings {
            database: PathBuf::from(DEFAULT_DATABASE),
            database_url: None,
            gaps_enabled: false,
            gaps_retention_days: 30,
            gaps_max_messages: DEFAULT_GAPS_MAX_MESSAGES,
            moderator_role_id: None,
            moderator_log_channel: None,
            reload_debounce_ms: 500,
        }
    }
}

impl AdminSettings {
    /// The debounce as a duration.
    pub fn reload_debounce(&self) -> Duration {
        Duration::from_millis(self.reload_debounce_ms)
    }

    /// The database as shown to people: the SQLite file, or the PostgreSQL
    /// address with its password replaced by `***`.
    pub fn store_label(&self) -> String {
        match &self.database_url {
            Some(url) => crate::config::redact_url(url),
            None => self.database.display().to_string(),
        }
    }

    /// Why there is no data yet, for the CLI: the SQLite file does not
    /// exist, or the PostgreSQL database has no faqbot tables.
    pub fn missing_store(&self) -> String {
        match &self.database_url {
            Some(_) => format!("{} has no faqbot tables yet", self.store_label()),
            None => format!("{} does not exist", self.store_label()),
        }
    }

    /// The retention period as a duration.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.gaps_retention_days) * 86_400)
    }

    /// The values a config file could get wrong: each key (dotted, as
    /// written in the file) with a message naming it and its range.
    pub(crate) fn validate(&self) -> Vec<Refusal> {
        let mut out = Vec::new();
        in_range(
            &mut out,
            "admin.gaps_retention_days",
            self.gaps_retention_days,
            1..=3_650,
            " (ten years)",
        );
        in_range(
            &mut out,
            "admin.gaps_max_messages",
            self.gaps_max_messages,
            1..=MAX_GAPS_MAX_MESSAGES,
            "",
        );
        in_range(
            &mut out,
            "admin.reload_debounce_ms",
            self.reload_debounce_ms,
            0..=MAX_RELOAD_DEBOUNCE_MS,
            " (changes go live within 2 seconds)",
        );
        if self.database.as_os_str().is_empty() {
            out.push((
                "admin.database",
                "admin.database must name a file".to_owned(),
            ));
        }
        if let Some(url) = &self.database_url {
            if !is_postgres_address(url) {
                out.push((
                    "admin.database_url",
                    "admin.database_url must be a postgres:// or postgresql:// address (no \
                     spaces), such as postgres://faqbot@127.0.0.1:5432/faqbot; leave it out to \
                     keep the data in the SQLite file `database`"
                        .to_owned(),
                ));
            } else if !cfg!(feature = "postgres") {
                out.push((
                    "admin.database_url",
                    "admin.database_url is set, but this faqbot was built without PostgreSQL \
                     (cargo feature `postgres`); build it with the default features, or leave \
                     database_url out"
                        .to_owned(),
                ));
            }
        }
        // serenity panics on an id of 0 the first time it is used.
        for (key, id) in [
            ("admin.moderator_role_id", self.moderator_role_id),
            ("admin.moderator_log_channel", self.moderator_log_channel),
        ] {
            if id == Some(0) {
                out.push((key, format!("{key} must be a Discord id; 0 is not one")));
            }
        }
        out
    }
}

/// Whether `url` is a PostgreSQL address this build can use: the
/// `postgres://` or `postgresql://` scheme, no spaces, and (with the
/// `postgres` feature) one the client reads.
fn is_postgres_address(url: &str) -> bool {
    let scheme_ok = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if !scheme_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    #[cfg(feature = "postgres")]
    {
        use std::str::FromStr;
        postgres::Config::from_str(url).is_ok()
    }
    #[cfg(not(feature = "postgres"))]
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_gaps_are_off() {
        let settings = AdminSettings::default();
        assert!(settings.validate().is_empty());
        assert!(!settings.gaps_enabled);
        assert_eq!(settings.gaps_retention_days, 30);
        assert_eq!(settings.reload_debounce(), Duration::from_millis(500));
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let parsed: Result<AdminSettings, _> = toml::from_str("gaps_enable = true");
        assert!(parsed.is_err());
    }

    #[test]
    fn a_postgres_address_is_checked_and_its_password_never_shown() {
        let with = |url: &str| AdminSettings {
            database_url: Some(url.to_owned()),
            ..AdminSettings::default()
        };
        for bad in [
            "mysql://db/faqbot",
            "postgres://db/ faqbot",
            "127.0.0.1:5432",
            "",
        ] {
            let refused = with(bad).validate();
            assert_eq!(refused.len(), 1, "{bad}: {refused:?}");
            assert_eq!(refused[0].0, "admin.database_url");
        }
        let good = with("postgresql://bot:s3cret@db.internal:5432/faqbot");
        assert_eq!(good.validate().is_empty(), cfg!(feature = "postgres"));
        assert_eq!(
            good.store_label(),
            "postgresql://bot:***@db.internal:5432/faqbot"
        );
        for refusal in good.validate() {
            assert!(!refusal.1.contains("s3cret"), "{}", refusal.1);
        }
        assert_eq!(AdminSettings::default().store_label(), DEFAULT_DATABASE);
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let zero = AdminSettings {
            gaps_retention_days: 0,
            ..AdminSettings::default()
        };
        assert_eq!(zero.validate()[0].0, "admin.gaps_retention_days");
        let slow = AdminSettings {
            reload_debounce_ms: 5_000,
            ..AdminSettings::default()
        };
        assert_eq!(slow.validate()[0].0, "admin.reload_debounce_ms");
    }
}
