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
use crate::problem::Problem;

/// The file looked for in the working directory when no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "config.toml";
/// A config file larger than this is refused (the example is 5 kB).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

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
    /// Where state shared between processes lives (absent: in memory).
    pub state: StateSettings,
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
            state: StateSettings::default(),
        }
    }
}

/// Where the state that outlives one message lives: symptom checks in
/// progress, answer cooldowns and per-person reply limits. Without
/// `redis_url` it is in this process's memory (one process, lost on
/// restart); with it, in Redis, shared by every process of the bot and kept
/// across restarts (`faqbot run` only; the terminal chat keeps its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StateSettings {
    /// The Redis server, e.g. `redis://127.0.0.1:6379/` (a password, if any,
    /// as `redis://:password@host:6379/`; it is never printed).
    pub redis_url: Option<String>,
    /// Put before every key the bot writes, so that several bots (or a bot
    /// and other programs) can share one Redis.
    pub key_prefix: String,
}

/// The default `[state] key_prefix`.
pub const DEFAULT_KEY_PREFIX: &str = "faqbot:";

impl Default for StateSettings {
    fn default() -> Self {
        StateSettings {
            redis_url: None,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
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
    /// The shards this process runs, `"A-B"` (both included) or `"A"`, out
    /// of `shard_count`; absent: all of them. `faqbot run --shards`
    /// overrides it.
    pub shards: Option<String>,
    /// How many shards the whole bot has (every process the same); absent
    /// with `shards` absent: one shard, as serenity starts by default.
    /// `faqbot run --shard-count` overrides it.
    pub shard_count: Option<u32>,
}

/// The shards one process runs: `first..=last` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    /// The first shard id this process runs.
    pub first: u32,
    /// The last shard id this process runs (included).
    pub last: u32,
    /// The bot's total shard count.
    pub count: u32,
}

impl ShardRange {
    /// Whether this process runs `shard`.
    pub fn contains(&self, shard: u32) -> bool {
        (self.first..=self.last).contains(&shard)
    }
}

impl std::fmt::Display for ShardRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{} of {}", self.first, self.last, self.count)
    }
}

impl DiscordSettings {
    /// The shards this process runs as `shards` and `shard_count` say;
    /// `Ok(None)` when neither is set (serenity's single shard); an error
    /// naming the setting when they do not fit together.
    pub fn shard_range(&self) -> Result<Option<ShardRange>, String> {
        let count = match (self.shards.as_deref(), self.shard_count) {
            (None, None) => return Ok(None),
            (Some(_), None) => {
                return Err(
                    "discord.shards needs discord.shard_count (--shard-count), the bot's total \
                     number of shards, the same in every process"
                        .to_owned(),
                );
            }
            (_, Some(0)) => return Err("discord.shard_count must be at least 1".to_owned()),
            (_, Some(count)) => count,
        };
        let Some(text) = self.shards.as_deref() else {
            return Ok(Some(ShardRange {
                first: 0,
                last: count - 1,
                count,
            }));
        };
        let shape = || {
            format!(
                "discord.shards must be a range of shard ids like \"0-3\" (both included) or \
                 one id like \"2\"; it is {text:?}"
            )
        };
        let parse = |part: &str| part.trim().parse::<u32>().map_err(|_| shape());
        let (first, last) = match text.split_once('-') {
            Some((first, last)) => (parse(first)?, parse(last)?),
            None => {
                let only = parse(text)?;
                (only, only)
            }
        };
        if first > last {
            return Err(format!(
                "discord.shards must go from the lower id to the higher: {first}-{last} is \
                 backwards"
            ));
        }
        if last >= count {
            return Err(format!(
                "discord.shards {first}-{last} is outside the bot's {count} shard(s): ids go \
                 from 0 to {} (discord.shard_count)",
                count - 1
            ));
        }
        Ok(Some(ShardRange { first, last, count }))
    }
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
            shards: None,
            shard_count: None,
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
    /// The file could not be read, or is not valid: every problem, each at
    /// its key (a file that cannot be read at all, at its line 1).
    #[error("{}", list_problems(.0))]
    Invalid(Vec<Problem>),
}

/// Problems one per line, as `faqbot` prints them.
fn list_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Config {
    /// Reads the configuration: `explicit` when given, else
    /// [`DEFAULT_CONFIG_FILE`] when it exists, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG_FILE);
                if !default.exists() {
                    return Ok(Config::default());
                }
                default
            }
        };
        // Through `files`: a FIFO or a device given as the config must be
        // refused, not waited on or read without end.
        let mut problems = Vec::new();
        match crate::files::read_text(&path, MAX_CONFIG_BYTES, &mut problems) {
            Some(source) => Config::parse(&path, &source),
            None => Err(ConfigError::Invalid(problems)),
        }
    }

    /// Parses the text of a configuration file.
    pub fn parse(path: &Path, source: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(source).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            ConfigError::Invalid(vec![Problem::at_offset(
                path,
                source,
                offset,
                error.message().trim().to_owned(),
            )])
        })?;
        config.validate(path, source)?;
        Ok(config)
    }

    /// Every setting out of range, each at its key's line and column with
    /// the allowed range: a value the bot cannot use is refused at start,
    /// never wrapped, capped or ignored without a word.
    fn validate(&self, path: &Path, source: &str) -> Result<(), ConfigError> {
        let mut refusals = self.refusals();
        refusals.extend(self.admin.validate());
        if refusals.is_empty() {
            return Ok(());
        }
        let document = toml_edit::Document::parse(source).ok();
        let problems = refusals
            .into_iter()
            .map(|(key, message)| {
                let offset = document.as_ref().map_or(0, |doc| key_offset(doc, key));
                Problem::at_offset(path, source, offset, message)
            })
            .collect();
        Err(ConfigError::Invalid(problems))
    }

    /// The settings of this file (the `[admin]` ones excepted) that are out
    /// of range: the dotted key, and a message naming it with its range.
    fn refusals(&self) -> Vec<Refusal> {
        let mut out = Vec::new();
        matcher_refusals(&self.matcher, &mut out);
        // Minutes become a duration in seconds: a huge value would wrap.
        in_range(
            &mut out,
            "symptoms.session_timeout_minutes",
            self.symptoms.session_timeout_minutes,
            1..=MAX_SESSION_TIMEOUT_MINUTES,
            " (a day)",
        );
        discord_refusals(&self.discord, &mut out);
        state_refusals(&self.state, &mut out);
        if let Some(text) = self.safety.disclaimer.as_deref().map(str::trim)
            && !text.is_empty()
        {
            let length = text.chars().count();
            if !(MIN_DISCLAIMER_CHARS..=MAX_DISCLAIMER_CHARS).contains(&length) {
                out.push((
                    "safety.disclaimer",
                    format!(
                        "safety.disclaimer must be between {MIN_DISCLAIMER_CHARS} and \
                         {MAX_DISCLAIMER_CHARS} characters (it is {length}): say that the bot \
                         gives general information, not medical advice, and where to go in an \
                         emergency; leave it out for the default"
                    ),
                ));
            }
        }
        if self.faq_dir.as_os_str().is_empty() {
            out.push(("faq_dir", "faq_dir must name a folder".to_owned()));
        }
        out
    }
}

/// The `[matcher]` settings that are out of range: scores are 0-1, and an
/// entry offered as "did you mean" never needs more than an answer does.
fn matcher_refusals(matcher: &MatcherSettings, out: &mut Vec<Refusal>) {
    for (key, value) in [
        ("matcher.answer_threshold", matcher.answer_threshold),
        ("matcher.suggest_threshold", matcher.suggest_threshold),
        ("matcher.min_margin", matcher.min_margin),
    ] {
        if !(0.0..=1.0).contains(&value) {
            out.push((key, format!("{key} must be between 0 and 1; it is {value}")));
        }
    }
    if matcher.suggest_threshold > matcher.answer_threshold {
        out.push((
            "matcher.suggest_threshold",
            "matcher.suggest_threshold must not be above matcher.answer_threshold".to_owned(),
        ));
    }
    in_range(
        out,
        "matcher.max_suggestions",
        matcher.max_suggestions,
        1..=5,
        "",
    );
}

/// The `[discord]` settings that are out of range.
fn discord_refusals(discord: &DiscordSettings, out: &mut Vec<Refusal>) {
    if !is_http_address(&discord.api_base_url) {
        out.push((
            "discord.api_base_url",
            format!(
                "discord.api_base_url must be an http:// or https:// address with a host \
                 (and no user name or spaces), such as {DISCORD_API}"
            ),
        ));
    }
    // Answers are remembered a day at most (discord::store), so a
    // longer cooldown would silently be a day.
    in_range(
        out,
        "discord.answer_cooldown_seconds",
        discord.answer_cooldown_seconds,
        0..=MAX_COOLDOWN_SECONDS,
        " (a day)",
    );
    if discord.replies_per_person_per_minute == 0 {
        out.push((
            "discord.replies_per_person_per_minute",
            "discord.replies_per_person_per_minute must be at least 1".to_owned(),
        ));
    }
    if let Err(message) = discord.shard_range() {
        let key = if discord.shards.is_some() && !message.starts_with("discord.shard_count") {
            "discord.shards"
        } else {
            "discord.shard_count"
        };
        out.push((key, message));
    }
    for (key, ids) in [
        ("discord.guild_ids", &discord.guild_ids),
        ("discord.answer_channels", &discord.answer_channels),
    ] {
        if ids.contains(&0) {
            out.push((key, format!("{key} must hold Discord ids; 0 is not one")));
        }
    }
}

/// The `[state]` settings the bot cannot use. The address is checked for
/// its form only here; whether Redis answers is checked when `faqbot run`
/// starts.
fn state_refusals(state: &StateSettings, out: &mut Vec<Refusal>) {
    if let Some(url) = &state.redis_url {
        if !is_redis_address(url) {
            out.push((
                "state.redis_url",
                "state.redis_url must be a redis:// address with a host (and no spaces), such \
                 as redis://127.0.0.1:6379/; leave it out to keep the state in memory"
                    .to_owned(),
            ));
        } else if !cfg!(feature = "redis") {
            out.push((
                "state.redis_url",
                "state.redis_url is set, but this faqbot was built without Redis (cargo feature \
                 `redis`); build it with the default features, or leave redis_url out"
                    .to_owned(),
            ));
        }
    }
    let prefix = &state.key_prefix;
    if prefix.is_empty()
        || prefix.len() > MAX_KEY_PREFIX_BYTES
        || prefix.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        out.push((
            "state.key_prefix",
            format!(
                "state.key_prefix must be 1 to {MAX_KEY_PREFIX_BYTES} bytes without spaces, such \
                 as \"{DEFAULT_KEY_PREFIX}\""
            ),
        ));
    }
}

/// The longest `[state] key_prefix`, in bytes.
pub const MAX_KEY_PREFIX_BYTES: usize = 64;

/// Whether `url` is a `redis://` address with a host: a user name and
/// password may come before it (the password is redacted wherever the
/// address is shown), a database number after it.
fn is_redis_address(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("redis://") else {
        return false;
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, after)| after);
    is_http_address(&format!("http://{host_port}"))
}

/// `url` with the password in it, if any, replaced by `***`: the form in
/// which a Redis address is printed.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            let hidden = if user_info.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// A setting out of range: its dotted key, and the message for it.
pub(crate) type Refusal = (&'static str, String);

/// The longest `symptoms.session_timeout_minutes`: a day.
pub const MAX_SESSION_TIMEOUT_MINUTES: u64 = 24 * 60;
/// The longest `discord.answer_cooldown_seconds`: a day.
pub const MAX_COOLDOWN_SECONDS: u64 = 24 * 60 * 60;
/// The shortest custom disclaimer: enough to say what it must say.
pub const MIN_DISCLAIMER_CHARS: usize = 40;
/// The longest custom disclaimer; it goes under every reply.
pub const MAX_DISCLAIMER_CHARS: usize = 1_000;

/// Refuses `value` of `key` outside `range`; `note` follows the range in the
/// message.
pub(crate) fn in_range<T: PartialOrd + std::fmt::Display>(
    out: &mut Vec<Refusal>,
    key: &'static str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    note: &str,
) {
    if !range.contains(&value) {
        out.push((
            key,
            format!(
                "{key} must be between {} and {}{note}; it is {value}",
                range.start(),
                range.end()
            ),
        ));
    }
}

/// Where the dotted `key` is written in the file: its last part when
/// present, else the nearest table that is (the value may be a default that
/// conflicts with another key), else the start of the file.
fn key_offset(document: &toml_edit::Document<&str>, key: &str) -> usize {
    let mut table: &dyn toml_edit::TableLike = document.as_table();
    let mut offset = 0;
    for part in key.split('.') {
        let Some((found, item)) = table.get_key_value(part) else {
            break;
        };
        offset = found
            .span()
            .or_else(|| item.span())
            .map_or(offset, |span| span.start);
        match item.as_table_like() {
            Some(inner) => table = inner,
            None => break,
        }
    }
    offset
}

/// Whether `url` is an `http://` or `https://` address with a host (a name,
/// an IPv4 address or a bracketed IPv6 one) and, if given, a port. A user
/// name or password in it is refused: the address is logged.
fn is_http_address(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((inside, after)) = bracketed.split_once(']') else {
            return false;
        };
        let host_ok = !inside.is_empty()
            && inside
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        if !after.is_empty() && !after.starts_with(':') {
            return false;
        }
        (host_ok, after.strip_prefix(':'))
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        (host_ok, port)
    };
    let port_ok = port.is_none_or(|port| port.parse::<u16>().is_ok_and(|port| port > 0));
    host && port_ok
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
        let ConfigError::Invalid(problems) = error;
        let problem = &problems[0];
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
    fn state_settings_are_checked() {
        let config = Config::parse(
            Path::new("c.toml"),
            "[state]\nredis_url = \"redis://127.0.0.1:6379/\"\n",
        );
        assert_eq!(config.is_ok(), cfg!(feature = "redis"), "{config:?}");
        for bad in [
            "[state]\nredis_url = \"http://127.0.0.1:6379/\"\n",
            "[state]\nredis_url = \"redis:///\"\n",
            "[state]\nredis_url = \"redis://a b/\"\n",
            "[state]\nkey_prefix = \"\"\n",
            "[state]\nredis_ur = \"redis://127.0.0.1/\"\n",
        ] {
            let ConfigError::Invalid(problems) =
                Config::parse(Path::new("c.toml"), bad).expect_err(bad);
            assert!(
                problems[0].message.contains("redis_ur")
                    || problems[0].message.contains("key_prefix"),
                "{bad}: {problems:?}"
            );
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("redis://:s3cret@db:6379/0"),
            "redis://:***@db:6379/0"
        );
        assert_eq!(redact_url("redis://bot:s3cret@db/"), "redis://bot:***@db/");
        assert_eq!(redact_url("redis://db:6379/"), "redis://db:6379/");
        assert!(is_redis_address("redis://:p@w@db:6379/0"));
    }

    #[test]
    fn thresholds_are_checked() {
        let error = Config::parse(
            Path::new("c.toml"),
            "[matcher]\nanswer_threshold = 0.2\nsuggest_threshold = 0.5\n",
        );
        assert!(error.is_err());
    }

    #[test]
    fn shard_ranges_are_read_and_refused_at_their_key() {
        let range = |text: &str| {
            Config::parse(Path::new("c.toml"), text).map(|c| c.discord.shard_range().unwrap())
        };
        assert_eq!(range("").unwrap(), None);
        assert_eq!(
            range("[discord]\nshards = \"2-3\"\nshard_count = 4\n").unwrap(),
            Some(ShardRange {
                first: 2,
                last: 3,
                count: 4
            })
        );
        assert_eq!(
            range("[discord]\nshards = \"5\"\nshard_count = 16\n").unwrap(),
            Some(ShardRange {
                first: 5,
                last: 5,
                count: 16
            })
        );
        assert_eq!(
            range("[discord]\nshard_count = 2\n").unwrap(),
            Some(ShardRange {
                first: 0,
                last: 1,
                count: 2
            })
        );
        for (text, line, words) in [
            (
                "[discord]\nshards = \"0-3\"\n",
                2,
                "needs discord.shard_count",
            ),
            (
                "[discord]\nshards = \"3-1\"\nshard_count = 4\n",
                2,
                "backwards",
            ),
            (
                "[discord]\nshards = \"0-4\"\nshard_count = 4\n",
                2,
                "outside",
            ),
            (
                "[discord]\nshards = \"a-b\"\nshard_count = 4\n",
                2,
                "range of shard ids",
            ),
            ("[discord]\nshard_count = 0\n", 2, "at least 1"),
        ] {
            let Err(ConfigError::Invalid(problems)) = range(text) else {
                panic!("{text} must be refused");
            };
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].line, line, "{text}: {}", problems[0]);
            assert!(problems[0].message.contains(words), "{}", problems[0]);
        }
    }
}
