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

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::config::Config;
use crate::faq::{self, Candidate, Decision, Faq, Matcher, Verdict};
use crate::problem::Problem;
use crate::safety::{EmergencyScreen, RedFlag, Reply, ReplyKind, SafetyPolicy};
use crate::sessions::{MemorySessions, Session, SessionStore};
use crate::symptoms::{AnswerError, Conversation, Step, SymptomCheck, ValidationRecord};

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
    /// Start (or start over) the guided symptom check.
    StartSymptoms,
    /// A typed answer to the current symptom-check question (a choice's
    /// number, id or words; "yes", "no", "not sure"), or "back", "restart",
    /// "cancel".
    SymptomReply {
        /// What the person typed or clicked.
        text: String,
    },
    /// Choices picked with buttons or a menu. `question_id` and `check`
    /// (the [`Engine::symptom_check_version`] when the question was shown)
    /// let the engine refuse a click on an old question or an old check.
    SymptomPick {
        /// The question the buttons belonged to.
        question_id: String,
        /// The choice ids picked.
        choice_ids: Vec<String>,
        /// The check version the buttons were made for.
        check: String,
    },
    /// Go back one question.
    SymptomBack,
    /// Start the check again from the first question.
    SymptomRestart,
    /// Stop the check.
    SymptomCancel,
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
    /// The message told someone's own leg symptoms, and the reply offers the
    /// guided symptom check.
    pub offers_check: bool,
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

/// The data the engine answers from: the FAQ, its index and the symptom
/// check. Swapped whole on reload, so a request sees either the old or the
/// new data, never a mix.
#[derive(Debug)]
pub struct Knowledge {
    /// The FAQ entries.
    pub faq: Faq,
    /// The matcher built over them.
    pub matcher: Matcher,
    /// The guided symptom check.
    pub symptoms: SymptomCheck,
    /// The emergency screen, from the folder's `emergency/` data.
    pub screen: EmergencyScreen,
}

/// What checking a FAQ folder found: the entry ids that loaded, the symptom
/// check if it loaded, and every problem in any file.
#[derive(Debug)]
pub struct CheckedFolder {
    /// The FAQ as loaded (possibly partial when there are problems).
    pub faq: Faq,
    /// The symptom check, when it loaded.
    pub symptoms: Option<SymptomCheck>,
    /// The emergency screen, when its data loaded without problems.
    pub screen: Option<EmergencyScreen>,
    /// Every problem, in file order.
    pub problems: Vec<Problem>,
}

impl Knowledge {
    /// Loads and checks every file under `dir` (FAQ entries, synonyms, the
    /// symptom check, and the check's links to FAQ entries) and reports all
    /// problems at once.
    pub fn check_folder(dir: &Path) -> CheckedFolder {
        Knowledge::check_folder_with(dir, |check, ids| check.validate(ids))
    }

    /// [`Knowledge::check_folder`] with the symptom check's validation done
    /// by `validate` (given the check and the FAQ's entry ids), so a caller
    /// can skip repeating the slow walk over every path when nothing it
    /// depends on changed.
    pub fn check_folder_with(
        dir: &Path,
        validate: impl FnOnce(&SymptomCheck, &BTreeSet<String>) -> Vec<Problem>,
    ) -> CheckedFolder {
        let (faq, mut problems) = faq::load_dir(dir);
        let path = dir.join(faq::loader::SYMPTOM_CHECK_FILE);
        let symptoms = if !dir.is_dir() {
            None
        } else if !path.exists() {
            problems.push(Problem::whole_file(
                &path,
                "symptom check file not found (the guided check needs it)",
            ));
            None
        } else {
            let text =
                crate::files::read_text_in(dir, &path, faq::loader::MAX_FILE_BYTES, &mut problems);
            match text.map(|text| SymptomCheck::from_source(&path, &text)) {
                None => None,
                Some(Ok(check)) => {
                    let ids: BTreeSet<String> = faq.ids().map(str::to_owned).collect();
                    problems.extend(validate(&check, &ids));
                    Some(check)
                }
                Some(Err(found)) => {
                    problems.extend(found);
                    None
                }
            }
        };
        let screen = if dir.is_dir() {
            match EmergencyScreen::load_dir(dir) {
                Ok(screen) => Some(screen),
                Err(found) => {
                    problems.extend(found);
                    None
                }
            }
        } else {
            None
        };
        CheckedFolder {
            faq,
            symptoms,
            screen,
            problems,
        }
    }

    /// Loads and checks everything under `dir`; any problem refuses the whole
    /// set. The walk over every path of the symptom check is skipped when
    /// the same check, FAQ ids and build validated clean before
    /// ([`ValidationRecord`]): a start-up then takes milliseconds.
    pub fn load(dir: &Path, config: &Config) -> Result<Knowledge, Vec<Problem>> {
        Knowledge::load_with_record(dir, config, &ValidationRecord::from_env())
    }

    /// [`Knowledge::load`] with the validation record `record`.
    pub fn load_with_record(
        dir: &Path,
        config: &Config,
        record: &ValidationRecord,
    ) -> Result<Knowledge, Vec<Problem>> {
        let checked = Knowledge::check_folder_with(dir, |check, ids| record.validate(check, ids));
        Knowledge::from_checked(checked, config)
    }

    /// The knowledge of a checked folder, or its problems: any problem
    /// refuses the whole set.
    pub fn from_checked(
        checked: CheckedFolder,
        config: &Config,
    ) -> Result<Knowledge, Vec<Problem>> {
        match (checked.symptoms, checked.screen) {
            (Some(symptoms), Some(screen)) if checked.problems.is_empty() => {
                let matcher = crate::faq::build_matcher(&checked.faq, &config.matcher);
                Ok(Knowledge {
                    faq: checked.faq,
                    matcher,
                    symptoms,
                    screen,
                })
            }
            _ => Err(checked.problems),
        }
    }
}

/// Said under the emergency signs when someone asks about them and the FAQ
/// has no answer that fits.
pub const EMERGENCY_SIGNS_NOTE: &str = "These are the signs that need help straight away. For other questions about leg pain, ask \
     me in your own words or try /symptoms.";

/// Said when a symptom-check answer arrives and no check is running for the
/// person (it expired, the bot restarted, or it was never started).
pub const EXPIRED_CHECK: &str =
    "This symptom check has expired. Please start again with /symptoms.";

/// The bot's brain: one per process, shared by every front end.
#[derive(Debug)]
pub struct Engine {
    knowledge: RwLock<Arc<Knowledge>>,
    policy: SafetyPolicy,
    sessions: Box<dyn SessionStore>,
    session_timeout: Duration,
}

impl Engine {
    /// An engine over the FAQ folder named in `config`. Refuses to start on
    /// any problem in the files, listing them all.
    pub fn load(config: &Config) -> Result<Engine, Vec<Problem>> {
        let knowledge = Knowledge::load(&config.faq_dir, config)?;
        Ok(Engine::new(knowledge, config))
    }

    /// An engine over the FAQ folder named in `config`, keeping its
    /// symptom-check sessions in `sessions` (a shared store, see
    /// `crate::state`).
    pub fn load_with_sessions(
        config: &Config,
        sessions: Box<dyn SessionStore>,
    ) -> Result<Engine, Vec<Problem>> {
        let knowledge = Knowledge::load(&config.faq_dir, config)?;
        Ok(Engine::with_sessions(knowledge, config, sessions))
    }

    /// An engine over already-loaded data.
    pub fn new(knowledge: Knowledge, config: &Config) -> Engine {
        Engine::with_sessions(knowledge, config, Box::new(MemorySessions::default()))
    }

    /// An engine keeping its symptom-check sessions in `sessions`.
    pub fn with_sessions(
        knowledge: Knowledge,
        config: &Config,
        sessions: Box<dyn SessionStore>,
    ) -> Engine {
        Engine {
            knowledge: RwLock::new(Arc::new(knowledge)),
            policy: SafetyPolicy::new(&config.safety),
            sessions,
            session_timeout: Duration::from_secs(config.symptoms.session_timeout_minutes * 60),
        }
    }

    /// The version of the symptom check being served; front ends put it in
    /// button ids so that a click on an old check can be recognised.
    pub fn symptom_check_version(&self) -> String {
        self.knowledge().symptoms.fingerprint().to_owned()
    }

    /// Forgets symptom checks idle past the timeout; returns how many.
    /// Front ends may call it now and then to bound memory.
    pub fn purge_expired_sessions(&self, now: SystemTime) -> usize {
        self.sessions.purge_expired(now, self.session_timeout)
    }

    /// The data currently served.
    pub fn knowledge(&self) -> Arc<Knowledge> {
        Arc::clone(&crate::locks::read(&self.knowledge))
    }

    /// Replaces the data served, at once and whole.
    pub fn replace_knowledge(&self, knowledge: Knowledge) {
        *crate::locks::write(&self.knowledge) = Arc::new(knowledge);
    }

    /// The safety policy (for front ends that need the emergency number).
    pub fn policy(&self) -> &SafetyPolicy {
        &self.policy
    }

    /// Handles one input and returns the replies, in the order to send them.
    /// An empty list means: stay silent.
    pub fn handle(&self, key: &ConversationKey, input: Input, now: SystemTime) -> Vec<Reply> {
        match input {
            Input::Message { text, addressed } => {
                if self.sessions.get(key).is_some() {
                    self.symptom_reply(key, &text, now)
                } else {
                    self.assess(&text, addressed).replies
                }
            }
            Input::FaqQuery { text } => self.faq_query(&text),
            Input::ShowEntry { id } => self.show_entry(&id),
            Input::About => vec![self.policy.about()],
            Input::StartSymptoms => self.start_symptoms(key, now),
            Input::SymptomReply { text } => self.symptom_reply(key, &text, now),
            Input::SymptomPick {
                question_id,
                choice_ids,
                check,
            } => self.symptom_pick(key, &question_id, &choice_ids, &check, now),
            Input::SymptomBack => {
                self.symptom_step(key, now, |conversation, check| Ok(conversation.back(check)))
            }
            Input::SymptomRestart => self.start_symptoms(key, now),
            Input::SymptomCancel => self.cancel_symptoms(key),
        }
    }

    fn start_symptoms(&self, key: &ConversationKey, now: SystemTime) -> Vec<Reply> {
        let knowledge = self.knowledge();
        let (conversation, step) = Conversation::start(&knowledge.symptoms);
        tracing::info!(event = "symptoms_started", "symptom check started");
        self.after_step(key, conversation, step, now, None, &knowledge)
    }

    fn cancel_symptoms(&self, key: &ConversationKey) -> Vec<Reply> {
        let had_one = self.sessions.get(key).is_some();
        self.sessions.remove(key);
        let text = if had_one {
            "Symptom check stopped. Nothing you answered has been kept. You can start again any \
             time with /symptoms."
        } else {
            "There is no symptom check running. Start one with /symptoms."
        };
        vec![self.policy.notice(text)]
    }

    /// A typed answer during a check: the emergency screen first, then the
    /// words back / restart / cancel, then the answer itself.
    fn symptom_reply(&self, key: &ConversationKey, text: &str, now: SystemTime) -> Vec<Reply> {
        let flags = self.knowledge().screen.screen(text);
        if !flags.is_empty() {
            tracing::info!(outcome = "emergency", flags = ?flags, "emergency during a symptom check");
            self.sessions.remove(key);
            return vec![self.policy.emergency(&flags)];
        }
        let command = crate::text::clean(text);
        match command.as_str() {
            "back" | "go back" | "previous" => {
                self.symptom_step(key, now, |conversation, check| Ok(conversation.back(check)))
            }
            "restart" | "start again" | "start over" | "symptoms" => self.start_symptoms(key, now),
            "cancel" | "stop" | "quit" | "exit" | "end" => self.cancel_symptoms(key),
            _ => self.symptom_step(key, now, |conversation, check| {
                conversation.answer(check, text)
            }),
        }
    }

    fn symptom_pick(
        &self,
        key: &ConversationKey,
        question_id: &str,
        choice_ids: &[String],
        version: &str,
        now: SystemTime,
    ) -> Vec<Reply> {
        let knowledge = self.knowledge();
        if version != knowledge.symptoms.fingerprint() {
            self.sessions.remove(key);
            return vec![self.policy.notice(EXPIRED_CHECK)];
        }
        let current = self.sessions.get(key).and_then(|session| {
            match session.conversation.step(&knowledge.symptoms) {
                Step::Ask(prompt) => Some(prompt.question_id),
                Step::Done(_) => None,
            }
        });
        if current.as_deref().is_some_and(|id| id != question_id) {
            return self.symptom_step(key, now, |conversation, check| Ok(conversation.step(check)));
        }
        self.symptom_step(key, now, |conversation, check| {
            conversation.answer_ids(check, choice_ids)
        })
    }

    /// Runs one step of the person's check: refuses an expired or missing
    /// session politely, applies `step`, and stores or ends the session.
    fn symptom_step(
        &self,
        key: &ConversationKey,
        now: SystemTime,
        step: impl FnOnce(&mut Conversation, &SymptomCheck) -> Result<Step, AnswerError>,
    ) -> Vec<Reply> {
        let Some(session) = self.sessions.get(key) else {
            return vec![self.policy.notice(EXPIRED_CHECK)];
        };
        if session.is_expired(now, self.session_timeout) {
            self.sessions.remove(key);
            tracing::info!(event = "symptoms_expired", "symptom check expired");
            return vec![self.policy.notice(EXPIRED_CHECK)];
        }
        let knowledge = self.knowledge();
        let mut conversation = session.conversation;
        match step(&mut conversation, &knowledge.symptoms) {
            Ok(next) => self.after_step(key, conversation, next, now, None, &knowledge),
            Err(AnswerError::CheckChanged | AnswerError::Finished) => {
                self.sessions.remove(key);
                vec![self.policy.notice(EXPIRED_CHECK)]
            }
            Err(error) => {
                let current = conversation.step(&knowledge.symptoms);
                let note = error.to_string();
                self.after_step(key, conversation, current, now, Some(&note), &knowledge)
            }
        }
    }

    fn after_step(
        &self,
        key: &ConversationKey,
        conversation: Conversation,
        step: Step,
        now: SystemTime,
        note: Option<&str>,
        knowledge: &Knowledge,
    ) -> Vec<Reply> {
        match step {
            Step::Ask(prompt) => {
                self.sessions.put(
                    key,
                    Session {
                        conversation,
                        last_active: now,
                    },
                );
                vec![self.policy.symptom_question(&prompt, note)]
            }
            Step::Done(outcome) => {
                self.sessions.remove(key);
                tracing::info!(
                    event = "symptoms_finished",
                    level = outcome.level.id(),
                    pattern = %outcome.pattern,
                    outcome = %outcome.id,
                    "symptom check finished"
                );
                vec![self.policy.symptom_outcome(&outcome, &knowledge.faq)]
            }
        }
    }

    /// Runs the message flow for one message: the emergency screen, then the
    /// matcher. `addressed` as in [`Input::Message`].
    pub fn assess(&self, text: &str, addressed: bool) -> Assessment {
        tracing::debug!(message = %text, "assessing message");
        let screening = self.knowledge().screen.read(text);
        let flags = screening.flags;
        if !flags.is_empty() {
            tracing::info!(outcome = "emergency", flags = ?flags, "emergency screen matched");
            return Assessment {
                outcome: Outcome::Emergency,
                replies: vec![self.policy.emergency(&flags)],
                flags,
                verdict: None,
                offers_check: false,
            };
        }
        let knowledge = self.knowledge();
        let verdict = knowledge.matcher.decide(text);
        let (outcome, replies) = self.matched_replies(&knowledge.faq, &verdict, addressed);
        let replies = if screening.asked_about.is_empty() {
            replies
        } else {
            tracing::info!(asked_about = ?screening.asked_about, "question about emergency signs");
            self.show_emergency_signs(replies, &knowledge.faq)
        };
        // Someone telling their own (or a relative's) leg symptoms is
        // offered the symptom check, with the answer or on its own.
        let offers_check = screening.tells_symptoms;
        let replies = if offers_check {
            self.offer_check(replies)
        } else {
            replies
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
            offers_check,
        }
    }

    /// The outcome and replies of the matcher's verdict on a message: the
    /// answer, suggestions, or help when the bot was addressed.
    fn matched_replies(
        &self,
        faq: &Faq,
        verdict: &Verdict,
        addressed: bool,
    ) -> (Outcome, Vec<Reply>) {
        match verdict.decision {
            Decision::Answer => match verdict.answer_id().and_then(|id| faq.get(id)) {
                // An answer from the calibrated second look is the most
                // probable reading of a long post, not a certain one: the
                // other candidates come with it.
                Some(entry) if verdict.second_look => {
                    let others = verdict.candidates.get(1..).unwrap_or_default();
                    let reply = self.policy.answer_with_choices(entry, others, faq);
                    (Outcome::Answer, vec![reply])
                }
                Some(entry) => (Outcome::Answer, vec![self.policy.answer(entry, faq)]),
                None => (Outcome::None, Vec::new()),
            },
            Decision::Suggest => (
                Outcome::Suggest,
                vec![self.policy.suggestions(&verdict.candidates, faq)],
            ),
            Decision::None if addressed => (Outcome::None, vec![self.policy.help()]),
            Decision::None => (Outcome::None, Vec::new()),
        }
    }

    /// A question about emergency signs ("what are the signs of a clot?")
    /// gets its answer with the emergency signs shown first, not the
    /// emergency reply.
    fn show_emergency_signs(&self, replies: Vec<Reply>, faq: &Faq) -> Vec<Reply> {
        let mut replies: Vec<Reply> = replies
            .into_iter()
            .map(|reply| match reply.kind() {
                ReplyKind::Answer { .. } | ReplyKind::Suggestions | ReplyKind::Help => {
                    self.policy.with_emergency_signs(reply, faq)
                }
                _ => reply,
            })
            .collect();
        if replies.is_empty() {
            replies.push(
                self.policy
                    .with_emergency_signs(self.policy.notice(EMERGENCY_SIGNS_NOTE), faq),
            );
        }
        replies
    }

    /// The replies with the symptom check offered: under each one, or on its
    /// own in place of help or of nothing.
    fn offer_check(&self, replies: Vec<Reply>) -> Vec<Reply> {
        let mut replies: Vec<Reply> = replies
            .into_iter()
            .filter(|reply| !matches!(reply.kind(), ReplyKind::Help))
            .map(|reply| self.policy.with_check_offer(reply))
            .collect();
        if replies.is_empty() {
            replies.push(self.policy.check_offer());
        }
        replies
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
