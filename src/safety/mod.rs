//! The safety policy: the emergency screen, disclaimers, and the only
//! constructor of [`Reply`].
//!
//! Every reply the bot sends is built here, by [`SafetyPolicy`]. A `Reply`'s
//! fields are private to this module, so no other code can make one without
//! its disclaimer, and every text it carries has passed through
//! [`neutralise`], so nothing it says can ping anyone even where a front end
//! forgets to turn pings off (ARCHITECTURE.md, invariants 2 and 3).

pub mod emergency;

use serde::Serialize;

use crate::config::SafetySettings;
use crate::faq::{Candidate, Faq, FaqEntry, Source};
use crate::symptoms::{Level, Outcome, Prompt};
pub use emergency::{EmergencyScreen, RedFlag, Screening};

/// Every `{placeholder}` a data file may use; the safety policy fills each
/// from the configuration (clinical-basis.md f.2: never a hard-coded number).
/// `faqbot check` refuses any other name, in every file.
pub const PLACEHOLDERS: [&str; 2] = ["emergency_number", "urgent_advice_line"];

/// Problems with `{…}` placeholders in `text`: names not in
/// [`PLACEHOLDERS`] and a `{` never closed, each with the snippet it is about
/// (to find its position in the file). The one check every loader uses.
pub fn placeholder_problems(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            let tail: String = rest[open..].chars().take(20).collect();
            found.push((tail, "a `{` is never closed".to_owned()));
            break;
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            found.push((
                format!("{{{name}}}"),
                format!(
                    "unknown placeholder `{{{name}}}` (known: {})",
                    PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ),
            ));
        }
        rest = &after[close + 1..];
    }
    found
}

/// Said when no emergency number is configured (clinical-basis.md f.2: the
/// same number means different things in different countries).
pub const UNSET_EMERGENCY_NUMBER: &str = "your local emergency number";
/// Said once, in the emergency reply, when no emergency number is
/// configured: the numbers of a few countries, as examples.
pub const EMERGENCY_NUMBER_EXAMPLES: &str = "for example 999 in the UK, 112 in the EU, 911 in the \
     US and Canada, 000 in Australia, 111 in New Zealand";
/// Said when no urgent advice line is configured.
pub const UNSET_URGENT_ADVICE_LINE: &str = "your doctor or a local urgent medical advice line";

/// What a reply is, so front ends can render each kind in its own way
/// (an embed colour, buttons, ephemeral or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyKind {
    /// The emergency reply: call the emergency number now.
    Emergency {
        /// The red flags the message described.
        flags: Vec<RedFlag>,
    },
    /// An FAQ answer.
    Answer {
        /// The entry answered.
        entry_id: String,
    },
    /// "Did you mean": the options are entries.
    Suggestions,
    /// What the bot can help with (a message it could not answer, sent to it
    /// directly).
    Help,
    /// What the bot is and is not.
    About,
    /// A short notice: an expired check, an answer that was not understood.
    Notice,
    /// A question of the symptom check; the options are its choices.
    SymptomQuestion {
        /// The question's item id.
        question_id: String,
        /// Whether several options may be picked (a menu rather than buttons).
        multi: bool,
        /// Which step this is (1 for the first shown).
        number: usize,
        /// A screen of several items (or the "which are you not sure
        /// about" step after it): the body lists every option in full,
        /// numbered, so a front end need not list them again.
        grouped: bool,
    },
    /// The end of a symptom check.
    SymptomOutcome {
        /// The triage level id (emergency, urgent, soon, routine, self_care).
        level: String,
        /// The leading pattern id.
        pattern: String,
    },
}

/// Something the person can pick: a "did you mean" entry or a symptom-check
/// choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyOption {
    /// What picking it sends back (an entry id or a choice id).
    pub id: String,
    /// What the person sees.
    pub label: String,
}

/// The offer of the symptom check, under a reply to someone's own story.
/// Under an answer from the matcher's calibrated second look, before the
/// other entries it might have meant.
pub const NOT_WHAT_YOU_ASKED: &str = "Not what you asked? It may be one of these:";

const CHECK_OFFER: &str = "I can't say what is causing it, but a short symptom check (a few yes or no \
                           questions, just for you) can suggest how urgently to get it checked.";

/// One message of the bot, ready to be rendered by a front end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    kind: ReplyKind,
    title: Option<String>,
    body: String,
    sources: Vec<Source>,
    options: Vec<ReplyOption>,
    related: Vec<ReplyOption>,
    disclaimer: String,
    offers_check: bool,
}

impl Reply {
    /// What kind of reply this is.
    pub fn kind(&self) -> &ReplyKind {
        &self.kind
    }
    /// A heading (an FAQ question, an outcome's title), if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }
    /// The main text, with light markdown (`**bold**`, `- ` bullets).
    pub fn body(&self) -> &str {
        &self.body
    }
    /// Where the facts in the reply come from.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// Choices to pick from (buttons on Discord, numbers in the terminal).
    pub fn options(&self) -> &[ReplyOption] {
        &self.options
    }
    /// Related FAQ entries (id and question).
    pub fn related(&self) -> &[ReplyOption] {
        &self.related
    }
    /// The disclaimer that goes with the reply. Never empty.
    pub fn disclaimer(&self) -> &str {
        &self.disclaimer
    }
    /// Whether the reply offers the guided symptom check (a Start button on
    /// Discord, "type symptoms" in the terminal): the message told someone's
    /// own symptoms.
    pub fn offers_check(&self) -> bool {
        self.offers_check
    }
    /// Whether this is the emergency reply.
    pub fn is_emergency(&self) -> bool {
        matches!(self.kind, ReplyKind::Emergency { .. })
    }
}

/// Breaks every mention in `text` so it cannot ping: `@everyone`, `@here`,
/// `@name`, and Discord's `<@id>`, `<@!id>`, `<@&id>` get a zero-width space
/// after the `@`. Applied to every text a [`Reply`] carries.
pub fn neutralise(text: &str) -> String {
    text.replace('@', "@\u{200B}")
}

/// Builds every reply; holds the configured numbers and disclaimer.
#[derive(Debug, Clone)]
pub struct SafetyPolicy {
    emergency_number: String,
    /// Whether the number was configured (else the examples are shown once
    /// in the emergency reply).
    number_configured: bool,
    urgent_advice_line: String,
    disclaimer: String,
}

/// The most characters a reply's body may have: Discord's limit for an
/// embed description. A longer reply could not be sent at all.
pub const MAX_BODY_CHARS: usize = 4_096;

/// What ends a body that had to be cut to fit.
pub const SHORTENED_NOTE: &str = "\n\n(Shortened to fit in one message.)";

/// `body` cut to at most `room` characters, at a paragraph (or line) break,
/// with [`SHORTENED_NOTE`]; unchanged when it fits. What is cut is the end:
/// an answer's least urgent blocks, which come last.
pub fn fit_body(body: &str, room: usize) -> String {
    if body.chars().count() <= room {
        return body.to_owned();
    }
    let limit = room.saturating_sub(SHORTENED_NOTE.chars().count());
    let cut = body
        .char_indices()
        .nth(limit)
        .map_or(body.len(), |(at, _)| at);
    let head = body.get(..cut).unwrap_or("");
    let end = head
        .rfind("\n\n")
        .or_else(|| head.rfind('\n'))
        .unwrap_or(cut);
    format!("{}{SHORTENED_NOTE}", body.get(..end).unwrap_or(""))
}

impl SafetyPolicy {
    /// A policy for the configured numbers and disclaimer.
    pub fn new(settings: &SafetySettings) -> Self {
        let configured = settings
            .emergency_number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let number_configured = configured.is_some();
        let emergency_number = configured.unwrap_or(UNSET_EMERGENCY_NUMBER).to_owned();
        let urgent_advice_line = settings
            .urgent_advice_line
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(UNSET_URGENT_ADVICE_LINE)
            .to_owned();
        let disclaimer = match settings.disclaimer.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => text.to_owned(),
            _ => format!(
                "General information only, not medical advice. I'm an automated helper, not a \
                 doctor or nurse: I can't examine you or diagnose anything, so please talk to a \
                 clinician about your symptoms. In an emergency, call {emergency_number}."
            ),
        };
        let mut policy = SafetyPolicy {
            emergency_number,
            number_configured,
            urgent_advice_line,
            disclaimer: String::new(),
        };
        policy.disclaimer = policy.fill(&disclaimer);
        policy
    }

    /// The emergency number as the bot says it.
    pub fn emergency_number(&self) -> &str {
        &self.emergency_number
    }

    /// Whether an emergency number was configured (a front end warns at
    /// start-up when it was not).
    pub fn number_configured(&self) -> bool {
        self.number_configured
    }

    /// "**Call 999 now**", or with no number configured "**Call your local
    /// emergency number now** (for example 999 in the UK, …)": the examples
    /// are said once per reply, here.
    fn call_now(&self) -> String {
        if self.number_configured {
            format!("**Call {} now**", self.emergency_number)
        } else {
            format!(
                "**Call {} now** ({EMERGENCY_NUMBER_EXAMPLES})",
                self.emergency_number
            )
        }
    }

    /// Fills `{emergency_number}` and `{urgent_advice_line}` in and
    /// neutralises mentions.
    pub fn fill(&self, text: &str) -> String {
        neutralise(
            &text
                .replace("{emergency_number}", &self.emergency_number)
                .replace("{urgent_advice_line}", &self.urgent_advice_line),
        )
    }

    fn reply(&self, kind: ReplyKind, title: Option<String>, body: String) -> Reply {
        Reply {
            kind,
            title: title.map(|t| self.fill(&t)),
            body: self.fill(&body),
            sources: Vec::new(),
            options: Vec::new(),
            related: Vec::new(),
            disclaimer: self.disclaimer.clone(),
            offers_check: false,
        }
    }

    /// `reply` with the offer of the symptom check, for a message that told
    /// someone's own symptoms.
    pub fn with_check_offer(&self, mut reply: Reply) -> Reply {
        let room = Self::room_beside_check_offer();
        // "Not what you asked?" stays with its choices, after a cut.
        reply.body = match reply.body.strip_suffix(NOT_WHAT_YOU_ASKED) {
            Some(answer) => format!(
                "{}\n\n{NOT_WHAT_YOU_ASKED}\n\n{CHECK_OFFER}",
                fit_body(
                    answer.trim_end(),
                    room.saturating_sub(NOT_WHAT_YOU_ASKED.chars().count() + 2)
                )
            ),
            None => format!("{}\n\n{CHECK_OFFER}", fit_body(&reply.body, room)),
        };
        reply.offers_check = true;
        reply
    }

    /// The offer of the symptom check alone, for a story about someone's
    /// own leg symptoms that no FAQ entry answers.
    pub fn check_offer(&self) -> Reply {
        let mut reply = self.reply(
            ReplyKind::Notice,
            None,
            format!("It sounds like you're describing symptoms. {CHECK_OFFER}"),
        );
        reply.offers_check = true;
        reply
    }

    /// The emergency reply (clinical-basis.md d.5, level `emergency`): short
    /// enough to read in five seconds. The number first, one line saying
    /// back what was understood and why it matters, what to do while waiting.
    pub fn emergency(&self, flags: &[RedFlag]) -> Reply {
        let mut heard: Vec<&str> = flags.iter().map(|f| f.lay_description()).collect();
        heard.dedup();
        // One line of why: at most two signs named, so that the reply stays
        // short enough to read at a glance (issue 10: 400 characters).
        let why = match heard.as_slice() {
            [] => "This could be serious.".to_owned(),
            [_] | [_, _] => format!(
                "You mentioned {}: this needs help fast.",
                join_words(&heard)
            ),
            [first, second, ..] => {
                format!("You mentioned {first}, {second} and more: this needs help fast.")
            }
        };
        let body = format!(
            "{call}, or go to the nearest emergency department.\n{why}\nWhile you wait: \
             don't drive yourself. If you're alone, tell someone. Don't wait for replies here.",
            call = self.call_now()
        );
        self.reply(
            ReplyKind::Emergency {
                flags: flags.to_vec(),
            },
            Some("This could be an emergency".to_owned()),
            body,
        )
    }

    /// The "when to get help" section of an answer: the entry's blocks from
    /// `faq/urgency.toml`, each with its signs and the entry's own signs of
    /// that level.
    fn urgency_section(&self, entry: &FaqEntry, faq: &Faq) -> String {
        let mut out = String::new();
        for block in entry.urgency.iter().filter_map(|id| faq.urgency.get(id)) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&format!("**{}**", block.heading));
            let own = entry
                .urgency_signs
                .iter()
                .filter(|sign| sign.level == block.level)
                .map(|sign| sign.text.as_str());
            for sign in block.signs.iter().map(|sign| sign.text.as_str()).chain(own) {
                out.push_str("\n- ");
                out.push_str(sign);
            }
            if let Some(after) = &block.after {
                out.push('\n');
                out.push_str(after);
            }
        }
        out
    }

    /// Emergency signs shown first, above an answer, when the message asked
    /// about them ("what are the signs of a clot?").
    pub fn with_emergency_signs(&self, mut reply: Reply, faq: &Faq) -> Reply {
        if let Some(block) = faq.urgency.for_level(Level::Emergency) {
            let signs: Vec<&str> = block.signs.iter().map(|sign| sign.text.as_str()).collect();
            let banner = format!(
                "**{}**\n- {}\n\n",
                self.fill(&block.heading),
                neutralise(&signs.join("\n- "))
            );
            reply.body = fit_body(&format!("{banner}{}", reply.body), MAX_BODY_CHARS);
        }
        reply
    }

    /// The body of an entry's answer as written, with its urgency blocks,
    /// before its placeholders are filled and it is fitted to
    /// [`MAX_BODY_CHARS`] (`faqbot check` measures it filled).
    pub fn answer_body(&self, entry: &FaqEntry, faq: &Faq) -> String {
        let urgency = self.urgency_section(entry, faq);
        if urgency.is_empty() {
            entry.answer.clone()
        } else {
            format!("{}\n\n{urgency}", entry.answer)
        }
    }

    /// How many characters an answer body may have and still take the
    /// symptom-check offer uncut.
    pub fn room_beside_check_offer() -> usize {
        MAX_BODY_CHARS.saturating_sub(CHECK_OFFER.chars().count() + 2)
    }

    /// An FAQ answer, with its sources and related entries.
    pub fn answer(&self, entry: &FaqEntry, faq: &Faq) -> Reply {
        let body = fit_body(&self.answer_body(entry, faq), MAX_BODY_CHARS);
        let mut reply = self.reply(
            ReplyKind::Answer {
                entry_id: entry.id.clone(),
            },
            Some(entry.question.clone()),
            body,
        );
        reply.sources = entry
            .sources
            .iter()
            .map(|s| Source {
                title: neutralise(&s.title),
                url: neutralise(&s.url),
            })
            .collect();
        reply.related = entry
            .see_also
            .iter()
            .filter_map(|id| faq.get(id))
            .map(|related| ReplyOption {
                id: related.id.clone(),
                label: neutralise(&related.question),
            })
            .collect();
        reply
    }

    /// An answer that may not be what was asked: the entry's answer, with
    /// `others` (other candidate entries) to pick from under "Not what you
    /// asked?".
    pub fn answer_with_choices(&self, entry: &FaqEntry, others: &[Candidate], faq: &Faq) -> Reply {
        let mut reply = self.answer(entry, faq);
        reply.options = others
            .iter()
            .filter(|c| c.id != entry.id)
            .filter_map(|c| faq.get(&c.id))
            .map(|other| ReplyOption {
                id: other.id.clone(),
                label: neutralise(&other.question),
            })
            .collect();
        if !reply.options.is_empty() {
            reply.body = format!(
                "{}\n\n{NOT_WHAT_YOU_ASKED}",
                fit_body(
                    &reply.body,
                    MAX_BODY_CHARS.saturating_sub(NOT_WHAT_YOU_ASKED.chars().count() + 2)
                )
            );
        }
        reply
    }

    /// "Did you mean": the candidates' questions to pick from.
    pub fn suggestions(&self, candidates: &[Candidate], faq: &Faq) -> Reply {
        let mut reply = self.reply(
            ReplyKind::Suggestions,
            None,
            "I'm not sure I understood. Did you mean one of these?".to_owned(),
        );
        reply.options = candidates
            .iter()
            .filter_map(|c| faq.get(&c.id))
            .map(|entry| ReplyOption {
                id: entry.id.clone(),
                label: neutralise(&entry.question),
            })
            .collect();
        reply
    }

    /// What the bot can help with, for a message sent to it that it could
    /// not answer.
    pub fn help(&self) -> Reply {
        self.reply(
            ReplyKind::Help,
            None,
            "I can answer common questions about pain in the back of the legs when walking \
             (ask me in your own words, or use /faq), and I can run a short symptom check that \
             suggests how urgently to get care (/symptoms). I can't help with other topics."
                .to_owned(),
        )
    }

    /// What the bot is and is not.
    pub fn about(&self) -> Reply {
        self.reply(
            ReplyKind::About,
            Some("About this bot".to_owned()),
            format!(
                "I'm an automated helper for questions about pain in the back of the legs when \
                 walking. I answer from an FAQ that this server's moderators keep, with its \
                 sources, and I can run a short symptom check (/symptoms) that suggests how \
                 urgently to get care.\n\nI am not a doctor or nurse. I don't diagnose, I don't \
                 give medicine doses, and I can be wrong. In an emergency, call {} now.",
                self.emergency_number
            ),
        )
    }

    /// A symptom-check question with its choices. The first question also
    /// says what the check is; `note` says why a question is asked again
    /// (an answer that was not understood).
    pub fn symptom_question(&self, prompt: &Prompt, note: Option<&str>) -> Reply {
        let mut body = String::new();
        if prompt.number == 1 && !prompt.is_reask && note.is_none() {
            body.push_str(
                "I'm an automated helper, not a doctor or nurse. I can't examine you or diagnose \
                 anything, but I can help you decide how urgently to get checked. I'll ask the \
                 most urgent questions first. Answer with the buttons, or type the number or the \
                 words; you can go back or cancel at any time.\n\n",
            );
        }
        if let Some(note) = note {
            body.push_str(note);
            body.push_str("\n\n");
        }
        if prompt.is_reask {
            body.push_str("Let me ask that in simpler words:\n");
        }
        body.push_str(&prompt.text);
        if prompt.grouped {
            body.push('\n');
            for (number, choice) in prompt.choices.iter().enumerate() {
                body.push_str(&format!("\n{}. {}", number + 1, choice.label));
            }
            let screen = prompt
                .choices
                .iter()
                .any(|c| c.id == crate::symptoms::UNSURE);
            body.push_str(if screen {
                "\n\n(Pick every one that applies, or \"None of these\". Not sure about some? \
                 Pick that too, and I'll ask about those one by one.)"
            } else {
                "\n\n(Pick every one you're not sure about.)"
            });
        } else if prompt.multi {
            body.push_str("\n(Pick all that apply.)");
        }
        let mut reply = self.reply(
            ReplyKind::SymptomQuestion {
                question_id: prompt.question_id.clone(),
                multi: prompt.multi,
                number: prompt.number,
                grouped: prompt.grouped,
            },
            Some(format!("Symptom check: step {}", prompt.number)),
            body,
        );
        reply.options = prompt
            .choices
            .iter()
            .map(|choice| ReplyOption {
                id: choice.id.clone(),
                label: neutralise(&choice.label),
            })
            .collect();
        reply
    }

    /// The end of a symptom check. An emergency: the number first, one
    /// line of why, what to do while waiting. Otherwise: what to do at the
    /// level (from `faq/urgency.toml`), the outcome's own advice, the pattern
    /// the answers fit (never a diagnosis), the more urgent blocks as a
    /// safety net, FAQ entries to read, and the sources with their links.
    pub fn symptom_outcome(&self, outcome: &Outcome, faq: &Faq) -> Reply {
        let mut body = String::new();
        if outcome.level == Level::Emergency {
            body.push_str(&format!(
                "{}, or go to the nearest emergency department.\n{}\nWhile you wait: don't \
                 drive yourself. If you're alone, tell someone.",
                self.call_now(),
                outcome.advice.trim()
            ));
        } else {
            body.push_str(&format!("**{}**", faq.urgency.action(outcome.level)));
            if !outcome.advice.trim().is_empty() {
                body.push_str(&format!("\n{}", outcome.advice.trim()));
            }
            if !outcome.pattern_text.trim().is_empty() {
                body.push_str(&format!("\n\n**Why:** {}", outcome.pattern_text.trim()));
            }
            let safety_net: Vec<&str> = faq
                .urgency
                .above(outcome.level)
                .map(|block| block.short.as_str())
                .collect();
            if !safety_net.is_empty() {
                body.push_str("\n\n**If things change:**");
                for line in safety_net {
                    body.push_str("\n- ");
                    body.push_str(line);
                }
            }
        }
        let mut reply = self.reply(
            ReplyKind::SymptomOutcome {
                level: outcome.level.id().to_owned(),
                pattern: outcome.pattern.clone(),
            },
            Some(outcome.title.clone()),
            body,
        );
        reply.sources = outcome
            .sources
            .iter()
            .map(|source| Source {
                title: neutralise(&source.title),
                url: neutralise(source.url.as_deref().unwrap_or_default()),
            })
            .collect();
        reply.related = outcome
            .see_also
            .iter()
            .filter_map(|id| faq.get(id))
            .map(|entry| ReplyOption {
                id: entry.id.clone(),
                label: neutralise(&entry.question),
            })
            .collect();
        reply
    }

    /// A short notice (an expired check, an answer that was not understood).
    pub fn notice(&self, text: &str) -> Reply {
        self.reply(ReplyKind::Notice, None, text.to_owned())
    }
}

/// "a", "a and b", "a, b and c".
fn join_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_too_long_is_cut_at_a_paragraph_with_a_note() {
        assert_eq!(fit_body("short", 10), "short");
        let body = format!(
            "{}\n\n{}\n\n{}",
            "a".repeat(50),
            "b".repeat(50),
            "c".repeat(50)
        );
        let cut = fit_body(&body, 120);
        assert!(cut.chars().count() <= 120, "{cut}");
        assert!(cut.starts_with(&"a".repeat(50)));
        assert!(cut.ends_with(SHORTENED_NOTE));
        assert!(!cut.contains('c'));
        // No break to cut at, and characters of several bytes: still within room.
        let cut = fit_body(&"é".repeat(300), 100);
        assert!(cut.chars().count() <= 100);
    }

    #[test]
    fn neutralise_breaks_every_mention() {
        let text = neutralise("@everyone @here <@123> <@!4> <@&5> hi@x");
        assert!(!text.contains("@everyone"));
        assert!(!text.contains("@here"));
        assert!(!text.contains("<@1"));
        assert!(!text.contains("<@!"));
        assert!(!text.contains("<@&"));
    }

    #[test]
    fn default_policy_names_several_countries_and_never_one_number() {
        let policy = SafetyPolicy::new(&SafetySettings::default());
        let reply = policy.help();
        assert!(reply.disclaimer().contains("your local emergency number"));
        assert!(reply.disclaimer().contains("not medical advice"));
        let emergency = policy.emergency(&[RedFlag::Stroke]);
        assert!(emergency.body().contains("999 in the UK"));
        assert!(emergency.body().contains("911 in the US"));
    }

    #[test]
    fn the_emergency_reply_is_short_and_says_the_number_first() {
        let policy = SafetyPolicy::new(&SafetySettings {
            emergency_number: Some("999".to_owned()),
            ..SafetySettings::default()
        });
        let all = policy.emergency(&RedFlag::ALL);
        assert!(all.body().starts_with("**Call 999 now**"), "{}", all.body());
        let one = policy.emergency(&[RedFlag::SevereTenseCalf]);
        assert!(one.body().chars().count() <= 400, "{}", one.body());
        // Any set of flags at once: still at most 400 characters (four
        // flags used to make 416), naming at most two.
        let flags = RedFlag::ALL;
        for set in 1u32..(1 << flags.len()) {
            let picked: Vec<RedFlag> = (0..flags.len())
                .filter(|i| set & (1 << i) != 0)
                .map(|i| flags[i])
                .collect();
            let body = policy.emergency(&picked).body().to_owned();
            assert!(
                body.chars().count() <= 400,
                "{} chars: {body}",
                body.chars().count()
            );
            if picked.len() > 2 {
                assert!(body.contains(" and more: "), "{body}");
            }
        }
        // With no number configured, the examples are given once.
        let unset = SafetyPolicy::new(&SafetySettings::default());
        let reply = unset.emergency(&[RedFlag::ChestPainOrBreathless]);
        let text = format!("{} {}", reply.body(), reply.disclaimer());
        assert_eq!(text.matches("999 in the UK").count(), 1, "{text}");
    }

    #[test]
    fn configured_number_is_used_everywhere() {
        let policy = SafetyPolicy::new(&SafetySettings {
            emergency_number: Some("112".to_owned()),
            ..SafetySettings::default()
        });
        let reply = policy.emergency(&[RedFlag::ChestPainOrBreathless]);
        assert!(reply.body().contains("Call 112 now"), "{}", reply.body());
        assert!(reply.disclaimer().contains("112"));
        assert!(!reply.disclaimer().contains("999"));
    }

    #[test]
    fn custom_disclaimer_is_filled_and_neutralised() {
        let policy = SafetyPolicy::new(&SafetySettings {
            emergency_number: Some("000".to_owned()),
            disclaimer: Some("Not advice @everyone; call {emergency_number}.".to_owned()),
            ..SafetySettings::default()
        });
        let disclaimer = policy.notice("x").disclaimer().to_owned();
        assert!(disclaimer.contains("call 000."), "{disclaimer}");
        assert!(!disclaimer.contains("@everyone"));
    }

    #[test]
    fn join_words_reads_naturally() {
        assert_eq!(join_words(&["a"]), "a");
        assert_eq!(join_words(&["a", "b", "c"]), "a, b and c");
    }
}
