//! The FAQ: what moderators write in `faq/`, how it is loaded and checked,
//! and the matcher that decides whether a chat message is a question it
//! answers.

pub mod body;
pub mod calibration;
pub mod loader;
pub mod matcher;
pub mod model;
pub mod readability;
#[cfg(feature = "semantic")]
pub mod semantic;
pub mod synonyms;
pub mod urgency;

pub use loader::load_dir;
pub use matcher::{
    Candidate, Decision, Matcher, MatcherSettings, SecondLook, SecondOpinion, Verdict,
};
pub use model::{EntrySign, Faq, FaqEntry, Source};
pub use synonyms::Synonyms;
