//! The bot token: read from `DISCORD_TOKEN` or the configured token file, and
//! held in a type that never prints it.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The environment variable the token is read from first.
pub const TOKEN_VARIABLE: &str = "DISCORD_TOKEN";
/// A token file larger than this is refused: a token is under 100 bytes.
const MAX_TOKEN_FILE_BYTES: u64 = 4096;

/// A Discord bot token. `Debug` prints `Token(<redacted>)`, and there is no
/// `Display`, so it cannot end up in a log line or an error message by
/// accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Token(<redacted>)")
    }
}

/// Why no usable token was found. The messages say what to do and never
/// contain the token.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TokenError {
    /// Neither the variable nor a token file was given.
    #[error(
        "no Discord bot token: set the {TOKEN_VARIABLE} environment variable, or name a file \
         holding it with `token_file` under [discord] in the config (Developer Portal > your \
         application > Bot > Reset Token)"
    )]
    Missing,
    /// The token file could not be read.
    #[error("cannot read the token file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The value found is empty or has spaces inside.
    #[error("the Discord bot token from {origin} is empty or malformed (it must be one word)")]
    Malformed {
        /// Where it came from (the variable's name or the file).
        origin: String,
    },
}

impl Token {
    /// A token from its text; surrounding whitespace and a leading `Bot ` are
    /// removed.
    pub fn new(text: &str) -> Option<Token> {
        let text = text.trim();
        let text = text.strip_prefix("Bot ").unwrap_or(text).trim();
        if text.is_empty() || text.chars().any(char::is_whitespace) {
            None
        } else {
            Some(Token(text.to_owned()))
        }
    }

    /// Reads the token: `DISCORD_TOKEN` when set and not empty, else the
    /// file `token_file` names.
    pub fn load(token_file: Option<&Path>) -> Result<Token, TokenError> {
        let from_environment = std::env::var(TOKEN_VARIABLE).ok();
        Token::from_sources(from_environment.as_deref(), token_file)
    }

    /// [`Token::load`] with the variable's value passed in (for tests).
    pub fn from_sources(
        environment_value: Option<&str>,
        token_file: Option<&Path>,
    ) -> Result<Token, TokenError> {
        if let Some(value) = environment_value.filter(|v| !v.trim().is_empty()) {
            return Token::new(value).ok_or_else(|| TokenError::Malformed {
                origin: TOKEN_VARIABLE.to_owned(),
            });
        }
        let Some(path) = token_file else {
            return Err(TokenError::Missing);
        };
        // Through `files`: a FIFO given as the token file must be refused,
        // not waited on. The reasons it gives never quote the file.
        let bytes = crate::files::read_bytes(path, MAX_TOKEN_FILE_BYTES).map_err(|reason| {
            TokenError::Unreadable {
                path: path.to_path_buf(),
                reason,
            }
        })?;
        let malformed = || TokenError::Malformed {
            origin: path.display().to_string(),
        };
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        Token::new(&text).ok_or_else(malformed)
    }

    /// The secret itself, for handing to serenity and nothing else.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = Token::new("abc.def.ghi").expect("valid token");
        let printed = format!("{token:?} {:?}", Some(&token));
        assert!(!printed.contains("abc"), "{printed}");
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn environment_wins_and_is_trimmed() {
        let token = Token::from_sources(Some("  Bot xyz\n"), None).expect("token");
        assert_eq!(token.expose(), "xyz");
    }

    #[test]
    fn missing_and_malformed_are_told_apart() {
        assert_eq!(Token::from_sources(None, None), Err(TokenError::Missing));
        assert_eq!(
            Token::from_sources(Some(" "), None),
            Err(TokenError::Missing)
        );
        assert!(matches!(
            Token::from_sources(Some("two words"), None),
            Err(TokenError::Malformed { .. })
        ));
    }

    #[test]
    fn token_file_is_read_when_the_variable_is_unset() {
        let path = std::env::temp_dir().join(format!("faqbot-token-{}", std::process::id()));
        std::fs::write(&path, "from-file\n").expect("write token file");
        let token = Token::from_sources(None, Some(&path)).expect("token");
        std::fs::remove_file(&path).ok();
        assert_eq!(token.expose(), "from-file");
        let missing = Token::from_sources(None, Some(Path::new("/nonexistent/faqbot-token")));
        assert!(matches!(missing, Err(TokenError::Unreadable { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_the_token_file_is_refused_not_waited_on() {
        let path = std::env::temp_dir().join(format!("faqbot-token-fifo-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(made.success());
        let (sender, receiver) = std::sync::mpsc::channel();
        let reading = path.clone();
        std::thread::spawn(move || {
            let _ = sender.send(Token::from_sources(None, Some(&reading)));
        });
        // Only a hang reaches the bound; the refusal is immediate.
        let result = receiver.recv_timeout(std::time::Duration::from_secs(60));
        let _ = std::fs::remove_file(&path);
        let result = result.expect("reading the token file ended");
        assert!(
            matches!(
                &result,
                Err(TokenError::Unreadable { reason, .. })
                    if reason.contains("not a regular file")
            ),
            "{result:?}"
        );
    }
}
