//! `Engine::handle`: how one input becomes the bot's replies.
//!
//! ```text
//! 1. safety screen    emergency words in the text?  -> emergency reply, nothing else first
//! 2. symptom session  is this person in a check?    -> next question, or the outcome
//! 3. FAQ matcher      answer | suggest (did you mean) | none
//! 4. safety policy    every Reply is built there: disclaimer attached, mentions neutralised
//! ```
//!
//! Front ends only translate: they turn what they received into an [`Input`]
//! and render the [`Reply`]s. The same input gives the same replies whichever
//! front end sent it. The engine does no I/O after loading its data, and the
//! time is passed in, so tests drive it exactly as Discord would.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use serde::Serialize;

use crate::config::Config;
use crate::faq::{self, Candidate, Decision, Faq, Matcher, Verdict};
use crate::problem::Problem;
use crate::safety::{EmergencyScreen, RedFlag, Reply, SafetyPolicy};

/// Who is talking, and where: symptom checks and cooldowns are kept per
/// (person, place). Front ends choose the strings (for Discord, user and
/// channel ids); the engine never logs or stores them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ConversationKey {
    /// The person.
    pub person: String,
    /// The place (a channel, a DM, the terminal).
    pub place: String,
}

impl ConversationKey {
    /// A key from any two strings.
    pub fn new(person: impl Into<String>, place: impl Into<String>) -> Self {
        ConversationKey {
            person: person.into(),
            place: place.into(),
        }
    }
}

/// What a front end received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A chat message. `addressed` is true when it was sent to the bot (a
    /// mention, a DM, the terminal): then a message the FAQ cannot answer gets
    /// a short note of what the bot can do instead of silence.
    Message {
        /// What the person wrote.
        text: String,
        /// Whether the message was sent to the bot.
        addressed: bool,
    },
    /// An explicit FAQ look-up (`/faq question:…`): answers or suggests, and
    /// says so when nothing fits.
    FaqQuery {
        /// The question typed.
        text: String,
    },
    /// The person picked an entry ("did you mean" or a related entry).
    ShowEntry {
        /// The entry's id.
        id: String,
    },
    /// What is this bot?
    About,
}

/// The kind of result, as `faqbot ask --json` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An FAQ answer.
    Answer,
    /// "Did you mean".
    Suggest,
    /// The emergency reply.
    Emergency,
    /// Nothing to say.
    None,
}

/// What the engine made of one message: the outcome, the matcher's
/// candidates, and the replies.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Answer, suggest, emergency or none.
    pub outcome: Outcome,
    /// The red flags found, when the outcome is an emergency.
    pub flags: Vec<RedFlag>,
    /// The matcher's verdict (absent for an emergency: the matcher does not
    /// run).
    pub verdict: Option<Verdict>,
    /// What the person sees.
    pub replies: Vec<Reply>,
}

impl Assessment {
    /// The answered entry's id, when the outcome is an answer.
    pub fn answer_id(&self) -> Option<&str> {
        match self.outcome {
            Outcome::Answer => self.verdict.as_ref().and_then(Verdict::answer_id),
            _ => None,
        }
    }

    /// The best candidates, best first.
    pub fn candidates(&self) -> &[Candidate] {
        self.verdict
            .as_ref()
            .map_or(&[], |v| v.candidates.as_slice())
    }
}

/// The data the engine answers from: the FAQ and its index. Swapped whole on
/// reload, so a request sees either the old or the new data, never a mix.
#[derive(Debug)]
pub struct Knowledge {
    /// The FAQ entries.
    pub faq: Faq,
    /// The matcher built over them.
    pub matcher: Matcher,
}

impl Knowledge {
    /// Loads and checks everything under `dir`; any problem refuses the whole
    /// set.
    pub fn load(dir: &Path, config: &Config) -> Result<Knowledge, Vec<Problem>> {
        let (faq, problems) = faq::load_dir(dir);
        if !problems.is_empty() {
            return Err(problems);
        }
        let matcher = Matcher::new(&faq, config.matcher.clone());
        Ok(Knowledge { faq, matcher })
    }
}

/// The bot's brain: one per process, shared by every front end.
#[derive(Debug)]
pub struct Engine {
    knowledge: RwLock<Arc<Knowledge>>,
    policy: SafetyPolicy,
    screen: EmergencyScreen,
}

impl Engine {
    /// An engine over the FAQ folder named in `config`. Refuses to start on
    /// any problem in the files, listing them all.
    pub fn load(config: &Config) -> Result<Engine, Vec<Problem>> {
        let knowledge = Knowledge::load(&config.faq_dir, config)?;
        Ok(Engine::new(knowledge, config))
    }

    /// An engine over already-loaded data.
    pub fn new(knowledge: Knowledge, config: &Config) -> Engine {
        Engine {
            knowledge: RwLock::new(Arc::new(knowledge)),
            policy: SafetyPolicy::new(&config.safety),
            screen: EmergencyScreen::new(),
        }
    }

    /// The data currently served.
    pub fn knowledge(&self) -> Arc<Knowledge> {
        match self.knowledge.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the data served, at once and whole.
    pub fn replace_knowledge(&self, knowledge: Knowledge) {
        let mut guard = match self.knowledge.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(knowledge);
    }

    /// The safety policy (for front ends that need the emergency number).
    pub fn policy(&self) -> &SafetyPolicy {
        &self.policy
    }

    /// Handles one input and returns the replies, in the order to send them.
    /// An empty list means: stay silent.
    pub fn handle(&self, key: &ConversationKey, input: Input, now: SystemTime) -> Vec<Reply> {
        let _ = (key, now);
        match input {
            Input::Message { text, addressed } => self.assess(&text, addressed).replies,
            Input::FaqQuery { text } => self.faq_query(&text),
            Input::ShowEntry { id } => self.show_entry(&id),
            Input::About => vec![self.policy.about()],
        }
    }

    /// Runs the message flow for one message: the emergency screen, then the
    /// matcher. `addressed` as in [`Input::Message`].
    pub fn assess(&self, text: &str, addressed: bool) -> Assessment {
        tracing::debug!(message = %text, "assessing message");
        let flags = self.screen.screen(text);
        if !flags.is_empty() {
            tracing::info!(outcome = "emergency", flags = ?flags, "emergency screen matched");
            return Assessment {
                outcome: Outcome::Emergency,
                replies: vec![self.policy.emergency(&flags)],
                flags,
                verdict: None,
            };
        }
        let knowledge = self.knowledge();
        let verdict = knowledge.matcher.decide(text);
        let (outcome, replies) = match verdict.decision {
            Decision::Answer => match verdict.answer_id().and_then(|id| knowledge.faq.get(id)) {
                Some(entry) => (
                    Outcome::Answer,
                    vec![self.policy.answer(entry, &knowledge.faq)],
                ),
                None => (Outcome::None, Vec::new()),
            },
            Decision::Suggest => (
                Outcome::Suggest,
                vec![self.policy.suggestions(&verdict.candidates, &knowledge.faq)],
            ),
            Decision::None if addressed => (Outcome::None, vec![self.policy.help()]),
            Decision::None => (Outcome::None, Vec::new()),
        };
        let best = verdict.candidates.first();
        tracing::info!(
            outcome = ?outcome,
            faq_id = best.map_or("", |c| c.id.as_str()),
            score = best.map_or(0.0, |c| c.score),
            "message assessed"
        );
        Assessment {
            outcome,
            flags: Vec::new(),
            verdict: Some(verdict),
            replies,
        }
    }

    /// An explicit look-up: the emergency screen still comes first; then the
    /// answer, or suggestions, or a note that nothing fits.
    fn faq_query(&self, text: &str) -> Vec<Reply> {
        let assessment = self.assess(text, true);
        match assessment.outcome {
            Outcome::None => {
                let knowledge = self.knowledge();
                let nearest: Vec<Candidate> =
                    assessment.candidates().iter().take(3).cloned().collect();
                if nearest.is_empty() {
                    vec![self.policy.notice(
                        "I couldn't find that in the FAQ. Try other words, or use /symptoms for \
                         a short symptom check.",
                    )]
                } else {
                    vec![self.policy.suggestions(&nearest, &knowledge.faq)]
                }
            }
            _ => assessment.replies,
        }
    }

    fn show_entry(&self, id: &str) -> Vec<Reply> {
        let knowledge = self.knowledge();
        match knowledge.faq.get(id) {
            Some(entry) => vec![self.policy.answer(entry, &knowledge.faq)],
            None => vec![self.policy.notice(
                "That FAQ entry no longer exists. Ask your question again and I'll look it up.",
            )],
        }
    }
}
