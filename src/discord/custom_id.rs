//! Button and select-menu ids: versioned, and carrying enough to be checked
//! after a restart.
//!
//! An id reads `faqbot:v1:<kind>:<owner user id>:<check>:<a>:<b>`, at most
//! 100 characters (Discord's limit). `check` is a short fingerprint of the
//! symptom check's version when the question was shown (empty for FAQ
//! buttons); `a` and `b` depend on the kind. Nothing is kept in memory about
//! a button, so a click after a restart is read like any other: the owner is
//! compared with the clicker, and the engine decides whether the check is
//! still current.

/// Every id starts with this.
pub const PREFIX: &str = "faqbot";
/// The id layout this build writes and reads.
pub const VERSION: &str = "v1";
/// Discord's limit on a component's custom id.
pub const MAX_LEN: usize = 100;

/// What a click asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Show an FAQ entry ("did you mean").
    ShowEntry {
        /// The entry.
        entry_id: String,
    },
    /// One choice of a symptom-check question (a button).
    SymptomChoice {
        /// The question.
        question_id: String,
        /// The choice picked.
        choice_id: String,
    },
    /// A select menu of a symptom-check question: the choices come with the
    /// interaction.
    SymptomSelect {
        /// The question.
        question_id: String,
    },
    /// Back to the previous question.
    SymptomBack,
    /// Start the check again.
    SymptomRestart,
    /// Stop the check.
    SymptomCancel,
}

/// A parsed id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomId {
    /// Who may use the component (the person who asked).
    pub owner: u64,
    /// The fingerprint of the symptom check's version (empty for FAQ buttons).
    pub check: String,
    /// What it does.
    pub action: Action,
}

/// Why an id was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not one of ours at all.
    Foreign,
    /// Ours, but written by another version of the bot (or damaged).
    OldVersion,
}

impl CustomId {
    /// Writes the id, or `None` when it would be longer than Discord allows
    /// or a part contains `:`.
    pub fn encode(&self) -> Option<String> {
        let (kind, a, b) = match &self.action {
            Action::ShowEntry { entry_id } => ("e", entry_id.as_str(), ""),
            Action::SymptomChoice {
                question_id,
                choice_id,
            } => ("s", question_id.as_str(), choice_id.as_str()),
            Action::SymptomSelect { question_id } => ("m", question_id.as_str(), ""),
            Action::SymptomBack => ("b", "", ""),
            Action::SymptomRestart => ("r", "", ""),
            Action::SymptomCancel => ("c", "", ""),
        };
        if [self.check.as_str(), a, b]
            .iter()
            .any(|part| part.contains(':'))
        {
            return None;
        }
        let id = format!(
            "{PREFIX}:{VERSION}:{kind}:{}:{}:{a}:{b}",
            self.owner, self.check
        );
        (id.len() <= MAX_LEN).then_some(id)
    }

    /// Reads an id written by [`CustomId::encode`].
    pub fn parse(id: &str) -> Result<CustomId, ParseError> {
        let mut parts = id.split(':');
        if parts.next() != Some(PREFIX) {
            return Err(ParseError::Foreign);
        }
        if parts.next() != Some(VERSION) {
            return Err(ParseError::OldVersion);
        }
        let fields: Vec<&str> = parts.collect();
        let [kind, owner, check, a, b] = fields[..] else {
            return Err(ParseError::OldVersion);
        };
        let owner: u64 = owner.parse().map_err(|_| ParseError::OldVersion)?;
        let nonempty = |text: &str| {
            if text.is_empty() {
                Err(ParseError::OldVersion)
            } else {
                Ok(text.to_owned())
            }
        };
        let action = match kind {
            "e" => Action::ShowEntry {
                entry_id: nonempty(a)?,
            },
            "s" => Action::SymptomChoice {
                question_id: nonempty(a)?,
                choice_id: nonempty(b)?,
            },
            "m" => Action::SymptomSelect {
                question_id: nonempty(a)?,
            },
            "b" => Action::SymptomBack,
            "r" => Action::SymptomRestart,
            "c" => Action::SymptomCancel,
            _ => return Err(ParseError::OldVersion),
        };
        Ok(CustomId {
            owner,
            check: check.to_owned(),
            action,
        })
    }
}

/// A short, stable fingerprint of a symptom-check version (FNV-1a, 32 bits,
/// as 8 hex digits), so that long version strings still fit in an id.
pub fn fingerprint(version: &str) -> String {
    crate::fasthash::fnv32_hex(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(action: Action) {
        let id = CustomId {
            owner: 18_446_744_073_709_551_615,
            check: fingerprint("some version"),
            action,
        };
        let text = id.encode().expect("fits");
        assert!(text.len() <= MAX_LEN);
        assert_eq!(CustomId::parse(&text), Ok(id));
    }

    #[test]
    fn every_kind_round_trips() {
        round_trip(Action::ShowEntry {
            entry_id: "sciatica".to_owned(),
        });
        round_trip(Action::SymptomChoice {
            question_id: "relief_by_sitting_or_bending_forward".to_owned(),
            choice_id: "continues_over_10min".to_owned(),
        });
        round_trip(Action::SymptomSelect {
            question_id: "ecq_location".to_owned(),
        });
        round_trip(Action::SymptomBack);
        round_trip(Action::SymptomRestart);
        round_trip(Action::SymptomCancel);
    }

    #[test]
    fn the_layout_is_the_documented_one() {
        let id = CustomId {
            owner: 42,
            check: "0a1b2c3d".to_owned(),
            action: Action::SymptomChoice {
                question_id: "q".to_owned(),
                choice_id: "yes".to_owned(),
            },
        };
        assert_eq!(
            id.encode().as_deref(),
            Some("faqbot:v1:s:42:0a1b2c3d:q:yes")
        );
    }

    #[test]
    fn too_long_or_colon_ids_are_refused() {
        let long = CustomId {
            owner: 1,
            check: String::new(),
            action: Action::ShowEntry {
                entry_id: "x".repeat(95),
            },
        };
        assert_eq!(long.encode(), None);
        let colon = CustomId {
            owner: 1,
            check: String::new(),
            action: Action::ShowEntry {
                entry_id: "a:b".to_owned(),
            },
        };
        assert_eq!(colon.encode(), None);
    }

    #[test]
    fn foreign_and_old_ids_are_told_apart() {
        assert_eq!(CustomId::parse("something-else"), Err(ParseError::Foreign));
        assert_eq!(CustomId::parse(""), Err(ParseError::Foreign));
        assert_eq!(
            CustomId::parse("faqbot:v0:s:1:abc:q:yes"),
            Err(ParseError::OldVersion)
        );
        assert_eq!(
            CustomId::parse("faqbot:v1:z:1:abc:q:yes"),
            Err(ParseError::OldVersion)
        );
        assert_eq!(
            CustomId::parse("faqbot:v1:s:notanumber:abc:q:yes"),
            Err(ParseError::OldVersion)
        );
        assert_eq!(
            CustomId::parse("faqbot:v1:s:1:abc:q"),
            Err(ParseError::OldVersion)
        );
        assert_eq!(
            CustomId::parse("faqbot:v1:s:1:abc:q:"),
            Err(ParseError::OldVersion)
        );
    }

    #[test]
    fn fingerprints_are_stable_and_short() {
        assert_eq!(fingerprint(""), "811c9dc5");
        assert_eq!(fingerprint("a").len(), 8);
        assert_ne!(fingerprint("v1"), fingerprint("v2"));
    }
}
