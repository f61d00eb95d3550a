//! `[admin]` in the config file: where the history database lives, whether
//! the "what the bot could not answer" report is on, who is a moderator, and
//! how quickly file changes go live.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Settings of the moderator tools (`[admin]` in the config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminSettings {
    /// The SQLite database holding the change history, the stored unanswered
    /// messages (when `gaps_enabled`) and the answer counts. Created on first
    /// use; a relative path is relative to the working directory.
    pub database: PathBuf,
    /// Store the messages that got no answer or only a "did you mean" in
    /// answer channels (text, date and channel; never who wrote them), for
    /// the gaps report. Off by default: these are health messages.
    pub gaps_enabled: bool,
    /// Stored messages and answer counts older than this many days are
    /// deleted.
    pub gaps_retention_days: u32,
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

/// The largest debounce that still lets a change go live within 2 seconds.
pub const MAX_RELOAD_DEBOUNCE_MS: u64 = 1_500;

impl Default for AdminSettings {
    fn default() -> Self {
        AdminSettings {
            database: PathBuf::from(DEFAULT_DATABASE),
            gaps_enabled: false,
            gaps_retention_days: 30,
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

    /// The retention period as a duration.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.gaps_retention_days) * 86_400)
    }

    /// Checks the values a config file could get wrong; the message names
    /// the key.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.gaps_retention_days == 0 {
            Err("admin.gaps_retention_days must be at least 1")
        } else if self.gaps_retention_days > 3_650 {
            Err("admin.gaps_retention_days must be at most 3650")
        } else if self.reload_debounce_ms > MAX_RELOAD_DEBOUNCE_MS {
            Err("admin.reload_debounce_ms must be at most 1500 (changes go live within 2 seconds)")
        } else if self.database.as_os_str().is_empty() {
            Err("admin.database must name a file")
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_gaps_are_off() {
        let settings = AdminSettings::default();
        assert!(settings.validate().is_ok());
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
    fn out_of_range_values_are_refused() {
        let zero = AdminSettings {
            gaps_retention_days: 0,
            ..AdminSettings::default()
        };
        assert!(zero.validate().is_err());
        let slow = AdminSettings {
            reload_debounce_ms: 5_000,
            ..AdminSettings::default()
        };
        assert!(slow.validate().is_err());
    }
}
