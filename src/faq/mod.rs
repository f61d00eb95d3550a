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

/// The matcher for a loaded FAQ with its settings and, when
/// `settings.semantic_model` is set and this build has the `semantic`
/// feature, the semantic second opinion. A model that cannot be loaded, or a
/// build without the feature, leaves the matcher on its own, with a warning.
pub fn build_matcher(faq: &Faq, settings: &MatcherSettings) -> Matcher {
    let matcher = Matcher::new(faq, settings.clone());
    let Some(dir) = &settings.semantic_model else {
        return matcher;
    };
    #[cfg(feature = "semantic")]
    {
        match semantic::SemanticIndex::for_faq(dir, faq) {
            Ok(index) => matcher.with_second_opinion(faq, std::sync::Arc::new(index)),
            Err(e) => {
                tracing::warn!(error = %e, "semantic second opinion off: the model did not load");
                matcher
            }
        }
    }
    #[cfg(not(feature = "semantic"))]
    {
        tracing::warn!(
            model = %dir.display(),
            "matcher.semantic_model is set, but this build has no `semantic` feature: \
             the second opinion is off"
        );
        matcher
    }
}
