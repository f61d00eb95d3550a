//! The five triage levels of clinical-basis.md d.5: how urgently to get care.
//!
//! This file owns the [`Level`] type, its stable ids and its order. The order
//! is the order of urgency, so `max` of two levels is the more urgent one and
//! "never less urgent than" is a plain `>=`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How urgently to get care, from least to most urgent.
///
/// The derived `Ord` follows the declaration order: `SelfCare` is the lowest,
/// `Emergency` the highest. Serialised as the snake_case id (`"self_care"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Can usually be managed at home, with safety-net advice.
    SelfCare,
    /// Needs assessment, not time-critical: book a routine appointment.
    Routine,
    /// See a doctor within a few days.
    Soon,
    /// Needs a clinician today.
    Urgent,
    /// Possible life- or limb-threatening problem: call the emergency number now.
    Emergency,
}

impl Level {
    /// Every level, from least to most urgent.
    pub const ALL: [Level; 5] = [
        Level::SelfCare,
        Level::Routine,
        Level::Soon,
        Level::Urgent,
        Level::Emergency,
    ];

    /// The stable id used in data files and JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Level::SelfCare => "self_care",
            Level::Routine => "routine",
            Level::Soon => "soon",
            Level::Urgent => "urgent",
            Level::Emergency => "emergency",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A level id that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown triage level `{0}` (expected one of: emergency, urgent, soon, routine, self_care)"
)]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|level| level.id() == text)
            .ok_or_else(|| UnknownLevel(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_urgency_and_ids_round_trip() {
        assert!(Level::SelfCare < Level::Routine);
        assert!(Level::Urgent < Level::Emergency);
        for level in Level::ALL {
            assert_eq!(level.id().parse::<Level>(), Ok(level));
            let json = serde_json::to_string(&level).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", level.id()));
        }
        assert!("severe".parse::<Level>().is_err());
    }
}
