//! Settings, read from a TOML file (`--config FILE`, else `./config.toml` when
//! it exists, else the built-in defaults). `config.example.toml` documents
//! every key.
//!
//! No secret lives here: the Discord token comes from the environment and is
//! held in a type that never prints it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::admin::AdminSettings;
use crate::faq::MatcherSettings;

/// The file looked for in the working directory when no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "config.toml";

/// Everything that can be configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The folder of FAQ files (entries, synonyms, symptom check).
    pub faq_dir: PathBuf,
    /// Emergency numbers and disclaimer text.
    pub safety: SafetySettings,
    /// Matcher thresholds.
    pub matcher: MatcherSettings,
    /// The guided symptom check.
    pub symptoms: SymptomSettings,
    /// The Discord front end (`faqbot run`).
    pub discord: DiscordSettings,
    /// Moderator tools: history database, gaps report, moderator role and
    /// log channel, reload debounce.
    pub admin: AdminSettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            faq_dir: PathBuf::from("faq"),
            safety: SafetySettings::default(),
            matcher: MatcherSettings::default(),
            symptoms: SymptomSettings::default(),
            discord: DiscordSettings::default(),
            admin: AdminSettings::default(),
        }
    }
}

/// Settings of the Discord front end. The token is not here: it comes from
/// the `DISCORD_TOKEN` environment variable or the file named by `token_file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordSettings {
    /// Where Discord's API is. Anything else than the default sends every
    /// REST call there and takes the gateway address from
    /// `GET {api_base_url}/api/v10/gateway` (a REST rate-limit proxy, or a
    /// local test server).
    pub api_base_url: String,
    /// A file holding the bot token, used when `DISCORD_TOKEN` is not set.
    pub token_file: Option<PathBuf>,
    /// Register the slash commands in these guilds (instantly); empty: globally.
    pub guild_ids: Vec<u64>,
    /// Channels where every message is considered (needs the privileged
    /// MESSAGE_CONTENT intent); elsewhere only mentions and DMs are.
    pub answer_channels: Vec<u64>,
    /// The same FAQ entry is not answered twice in one channel within this
    /// many seconds; the bot points to its earlier answer instead.
    pub answer_cooldown_seconds: u64,
    /// At most this many replies to one person per minute; more messages are
    /// ignored until the minute has passed.
    pub replies_per_person_per_minute: u32,
}

/// Discord's own API address.
pub const DISCORD_API: &str = "https://discord.com";

impl Default for DiscordSettings {
    fn default() -> Self {
        DiscordSettings {
            api_base_url: DISCORD_API.to_owned(),
            token_file: None,
            guild_ids: Vec::new(),
            answer_channels: Vec::new(),
            answer_cooldown_seconds: 60,
            replies_per_person_per_minute: 6,
        }
    }
}

/// What the bot tells people about emergencies and its limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SafetySettings {
    /// The emergency number of the server's region, e.g. "999" or "911".
    /// Unset: replies name the numbers of several countries.
    pub emergency_number: Option<String>,
    /// A non-emergency urgent advice line, e.g. "NHS 111". Unset: replies say
    /// "your doctor or a local urgent medical advice line".
    pub urgent_advice_line: Option<String>,
    /// Replaces the default disclaimer under every reply. It should say that
    /// the bot gives general information, not medical advice, cannot
    /// diagnose, and where to go in an emergency.
    pub disclaimer: Option<String>,
}

/// Settings of the guided symptom check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SymptomSettings {
    /// A check left idle this long expires, in minutes.
    pub session_timeout_minutes: u64,
}

impl Default for SymptomSettings {
    fn default() -> Self {
        SymptomSettings {
            session_timeout_minutes: 15,
        }
    }
}

/// Why the configuration could not be read.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not valid, with the position of the problem.
    #[error("{0}")]
    Invalid(crate::problem::Problem),
}

impl Config {
    /// Reads the configuration: `explicit` when given, else
    /// [`DEFAULT_CONFIG_FILE`] when it exists, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG_FILE);
                if !default.is_file() {
                    return Ok(Config::default());
                }
                default
            }
        };
        let source = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &source)
    }

    /// Parses the text of a configuration file.
    pub fn parse(path: &Path, source: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(source).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            ConfigError::Invalid(crate::problem::Problem::at_offset(
                path,
                source,
                offset,
                error.message().trim().to_owned(),
            ))
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let matcher = &self.matcher;
        let in_range = |value: f32| (0.0..=1.0).contains(&value);
        let problem = if !in_range(matcher.answer_threshold)
            || !in_range(matcher.suggest_threshold)
            || !in_range(matcher.min_margin)
        {
            Some("matcher thresholds must be between 0 and 1")
        } else if matcher.suggest_threshold > matcher.answer_threshold {
            Some("matcher.suggest_threshold must not be above matcher.answer_threshold")
        } else if matcher.max_suggestions == 0 || matcher.max_suggestions > 5 {
            Some("matcher.max_suggestions must be between 1 and 5")
        } else if self.symptoms.session_timeout_minutes == 0 {
            Some("symptoms.session_timeout_minutes must be at least 1")
        } else if !(self.discord.api_base_url.starts_with("https://")
            || self.discord.api_base_url.starts_with("http://"))
        {
            Some("discord.api_base_url must start with https:// or http://")
        } else if self.discord.replies_per_person_per_minute == 0 {
            Some("discord.replies_per_person_per_minute must be at least 1")
        } else {
            self.admin.validate().err()
        };
        match problem {
            Some(message) => Err(ConfigError::Invalid(crate::problem::Problem::whole_file(
                path, message,
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let config = Config::parse(Path::new("c.toml"), "").expect("empty config is valid");
        assert_eq!(config, Config::default());
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let error = Config::parse(
            Path::new("c.toml"),
            "\n[safety]\nemergency_numbr = \"999\"\n",
        )
        .expect_err("typo in key must be rejected");
        let ConfigError::Invalid(problem) = error else {
            panic!("expected an invalid-config error");
        };
        assert_eq!(problem.line, 3);
        assert!(problem.message.contains("emergency_numbr"), "{problem}");
    }

    #[test]
    fn example_file_documents_the_defaults() {
        let example = include_str!("../config.example.toml");
        let config = Config::parse(Path::new("config.example.toml"), example)
            .expect("config.example.toml is valid");
        assert_eq!(config, Config::default());
    }

    #[test]
    fn thresholds_are_checked() {
        let error = Config::parse(
            Path::new("c.toml"),
            "[matcher]\nanswer_threshold = 0.2\nsuggest_threshold = 0.5\n",
        );
        assert!(error.is_err());
    }
}
