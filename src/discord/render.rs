//! Turns the engine's [`Reply`]s into what Discord shows: an embed (title,
//! body, sources, related questions, the disclaimer in the footer) and
//! components (buttons, select menus) whose ids are [`CustomId`]s.
//!
//! Nothing here decides what to say: every text comes from the reply. The
//! few words of the adapter itself (button captions, "I answered this just
//! above") are in [`ui`], and say nothing medical.

use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::custom_id::{Action, CustomId};
use crate::safety::{Reply, ReplyKind, ReplyOption};

/// The adapter's own words: captions and short notes, none of them medical.
pub mod ui {
    /// The caption of the "previous question" button.
    pub const BACK: &str = "Back";
    /// The caption of the "stop the check" button.
    pub const CANCEL: &str = "Cancel";
    /// The caption of the "start again" button.
    pub const RESTART: &str = "Start again";
    /// The button under a reply to someone's own story.
    pub const START_CHECK: &str = "Start the symptom check (only you will see it)";
    /// The placeholder of a symptom-check select menu.
    pub const PICK: &str = "Pick your answer(s)";
    /// Said to someone who clicks buttons meant for another person.
    pub const NOT_YOURS: &str = "These buttons belong to someone else's question. Ask your own \
        question, or use /faq or /symptoms: only you will see the answers.";
    /// Said when a button comes from an older version of the bot.
    pub const OLD_BUTTON: &str = "This button is from an older version of the bot and no longer \
        works. Please start again with /faq or /symptoms.";
    /// Said when a command is not known (an old registration).
    pub const UNKNOWN_COMMAND: &str =
        "I don't know that command any more. Try /faq, /symptoms or /about.";
    /// Said, privately, to someone over the per-person limit.
    pub const SLOW_DOWN: &str = "You've asked several questions in the last minute, so I'm \
        pausing for a moment: please try again shortly. In an emergency, don't wait: call your \
        local emergency number.";
    /// Said when something went wrong on our side.
    pub const SORRY: &str = "Sorry, something went wrong on my side. Please try again in a \
        moment. In an emergency, don't wait: call your local emergency number.";
}

/// Discord's limits (characters).
pub mod limits {
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const BUTTON_LABEL: usize = 80;
    pub const SELECT_LABEL: usize = 100;
    pub const SELECT_OPTIONS: usize = 25;
    pub const BUTTONS_PER_ROW: usize = 5;
    pub const ROWS: usize = 5;
    pub const CONTENT: usize = 2000;
    pub const CHOICE_NAME: usize = 100;
}

/// How many "did you mean" buttons at most.
pub const MAX_SUGGESTION_BUTTONS: usize = 3;
/// How many FAQ buttons under a symptom-check outcome at most.
const MAX_RELATED_BUTTONS: usize = 4;
/// A single-choice question with more choices than this gets a menu.
const MAX_CHOICE_BUTTONS: usize = 20;

/// One reply, ready to send.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Plain text above the embed (only for the emergency reply, so that a
    /// notification shows it).
    pub content: Option<String>,
    /// The embed.
    pub embed: CreateEmbed,
    /// Buttons and menus.
    pub components: Vec<CreateActionRow>,
}

/// Every outgoing message, response, follow-up and edit carries this: no
/// @everyone, no roles, no users, not even the replied-to person.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

/// The embed colour of a reply.
pub fn colour(reply: &Reply) -> Colour {
    Colour::new(match reply.kind() {
        ReplyKind::Emergency { .. } => 0xC62828,
        ReplyKind::Answer { .. } => 0x1E88E5,
        ReplyKind::SymptomOutcome { level, .. } => level_colour(level),
        ReplyKind::SymptomQuestion { .. } => 0x5E35B1,
        ReplyKind::About => 0x00897B,
        _ => 0x607D8B,
    })
}

/// Colour by triage level: red, orange, amber, blue, green; grey for a level
/// this build does not know.
pub fn level_colour(level: &str) -> u32 {
    match level {
        "emergency" => 0xC62828,
        "urgent" => 0xEF6C00,
        "soon" => 0xF9A825,
        "routine" => 0x1E88E5,
        "self_care" => 0x2E7D32,
        _ => 0x607D8B,
    }
}

/// Cuts `text` to at most `max` characters, ending with "…" when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes what would break a markdown link label.
fn link_label(text: &str) -> String {
    text.replace('[', "(").replace(']', ")")
}

/// The "Sources" field: links where a URL is known.
fn sources_field(reply: &Reply) -> Option<String> {
    let lines: Vec<String> = reply
        .sources()
        .iter()
        .map(|source| {
            let url = source.url.trim();
            if url.starts_with("https://") || url.starts_with("http://") {
                format!("- [{}]({})", link_label(&source.title), url)
            } else {
                format!("- {}", source.title)
            }
        })
        .collect();
    join_lines_within(&lines, limits::FIELD_VALUE)
}

/// Joins lines with newlines, dropping the lines that would pass `max`.
fn join_lines_within(lines: &[String], max: usize) -> Option<String> {
    let mut out = String::new();
    for line in lines {
        let line = truncate(line, max);
        let needed = out.chars().count() + line.chars().count() + usize::from(!out.is_empty());
        if needed > max {
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
    }
    (!out.is_empty()).then_some(out)
}

/// The embed of a reply, with the disclaimer in the footer.
pub fn embed(reply: &Reply) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .colour(colour(reply))
        .description(truncate(reply.body(), limits::DESCRIPTION))
        .footer(CreateEmbedFooter::new(truncate(
            reply.disclaimer(),
            limits::FOOTER,
        )));
    if let Some(title) = reply.title() {
        embed = embed.title(truncate(title, limits::TITLE));
    }
    if let Some(sources) = sources_field(reply) {
        embed = embed.field("Sources", sources, false);
    }
    let related: Vec<String> = reply
        .related()
        .iter()
        .map(|option| format!("- {}", option.label))
        .collect();
    if let Some(related) = join_lines_within(&related, limits::FIELD_VALUE) {
        embed = embed.field("Related questions", related, false);
    }
    embed
}

/// Renders one reply for `owner` (the person who asked: only they may use
/// its buttons). `check` is the fingerprint of the symptom check's version,
/// written into symptom-check ids.
pub fn render(reply: &Reply, owner: u64, check: &str) -> Rendered {
    let content = reply.is_emergency().then(|| {
        truncate(
            &format!("🚨 **{}**", reply.title().unwrap_or_default()),
            limits::CONTENT,
        )
    });
    let components = match reply.kind() {
        ReplyKind::Suggestions => entry_buttons(
            reply.options(),
            owner,
            MAX_SUGGESTION_BUTTONS,
            ButtonStyle::Primary,
        ),
        // "Not what you asked?" under an answer from the second look.
        ReplyKind::Answer { .. } => entry_buttons(
            reply.options(),
            owner,
            MAX_SUGGESTION_BUTTONS,
            ButtonStyle::Secondary,
        ),
        ReplyKind::SymptomQuestion {
            question_id,
            multi,
            grouped,
            ..
        } => question_components(reply.options(), question_id, *multi, *grouped, owner, check),
        ReplyKind::SymptomOutcome { .. } => {
            let mut rows = entry_buttons(
                reply.related(),
                owner,
                MAX_RELATED_BUTTONS,
                ButtonStyle::Secondary,
            );
            rows.extend(button_row(vec![symptom_button(
                owner,
                check,
                Action::SymptomRestart,
                ui::RESTART,
                ButtonStyle::Secondary,
            )]));
            rows
        }
        _ => Vec::new(),
    };
    // Someone told their own symptoms: a button that starts the symptom
    // check for the person who clicks it, privately (an ephemeral message).
    let mut components = components;
    if reply.offers_check() && components.len() < limits::ROWS {
        components.extend(button_row(vec![symptom_button(
            owner,
            check,
            Action::SymptomRestart,
            ui::START_CHECK,
            ButtonStyle::Success,
        )]));
    }
    Rendered {
        content,
        embed: embed(reply),
        components,
    }
}

fn button_row(buttons: Vec<Option<CreateButton>>) -> Option<CreateActionRow> {
    let buttons: Vec<CreateButton> = buttons.into_iter().flatten().collect();
    (!buttons.is_empty()).then_some(CreateActionRow::Buttons(buttons))
}

/// Buttons that show FAQ entries, one row.
fn entry_buttons(
    options: &[ReplyOption],
    owner: u64,
    max: usize,
    style: ButtonStyle,
) -> Vec<CreateActionRow> {
    let buttons = options
        .iter()
        .take(max.min(limits::BUTTONS_PER_ROW))
        .map(|option| {
            let id = CustomId {
                owner,
                check: String::new(),
                action: Action::ShowEntry {
                    entry_id: option.id.clone(),
                },
            };
            id.encode().map(|custom_id| {
                CreateButton::new(custom_id)
                    .label(truncate(&option.label, limits::BUTTON_LABEL))
                    .style(style)
            })
        })
        .collect();
    button_row(buttons).into_iter().collect()
}

fn symptom_button(
    owner: u64,
    check: &str,
    action: Action,
    label: &str,
    style: ButtonStyle,
) -> Option<CreateButton> {
    let id = CustomId {
        owner,
        check: check.to_owned(),
        action,
    };
    id.encode()
        .map(|custom_id| CreateButton::new(custom_id).label(label).style(style))
}

/// A question's choices as buttons (at most four rows of five), or as a
/// select menu when several may be picked, when there are too many, or when
/// a choice does not fit in a button id; then Back and Cancel. On a screen
/// (`grouped`) the embed lists every item in full, numbered, and the menu
/// options carry the same numbers before their (possibly cut) words.
fn question_components(
    choices: &[ReplyOption],
    question_id: &str,
    multi: bool,
    grouped: bool,
    owner: u64,
    check: &str,
) -> Vec<CreateActionRow> {
    let mut rows = Vec::new();
    let buttons = if multi || choices.len() > MAX_CHOICE_BUTTONS {
        None
    } else {
        choice_buttons(choices, question_id, owner, check)
    };
    match buttons {
        Some(buttons) => {
            for chunk in buttons.chunks(limits::BUTTONS_PER_ROW) {
                rows.push(CreateActionRow::Buttons(chunk.to_vec()));
            }
        }
        None => {
            let id = CustomId {
                owner,
                check: check.to_owned(),
                action: Action::SymptomSelect {
                    question_id: question_id.to_owned(),
                },
            };
            if let Some(custom_id) = id.encode() {
                let options = menu_options(choices, grouped);
                let count = u8::try_from(options.len()).unwrap_or(1).max(1);
                let menu =
                    CreateSelectMenu::new(custom_id, CreateSelectMenuKind::String { options })
                        .placeholder(ui::PICK)
                        .min_values(1)
                        .max_values(if multi { count } else { 1 });
                rows.push(CreateActionRow::SelectMenu(menu));
            }
        }
    }
    rows.extend(back_cancel_row(owner, check));
    rows
}

/// One button per choice ("yes" stands out); `None` when any choice does
/// not fit in a button id, so the caller falls back to a select menu.
fn choice_buttons(
    choices: &[ReplyOption],
    question_id: &str,
    owner: u64,
    check: &str,
) -> Option<Vec<CreateButton>> {
    choices
        .iter()
        .map(|choice| {
            let style = match choice.id.as_str() {
                "yes" => ButtonStyle::Primary,
                _ => ButtonStyle::Secondary,
            };
            symptom_button(
                owner,
                check,
                Action::SymptomChoice {
                    question_id: question_id.to_owned(),
                    choice_id: choice.id.clone(),
                },
                &truncate(&choice.label, limits::BUTTON_LABEL),
                style,
            )
        })
        .collect()
}

/// The select menu's options, as many as Discord takes; numbered on a
/// screen (`grouped`) to match the embed's list.
fn menu_options(choices: &[ReplyOption], grouped: bool) -> Vec<CreateSelectMenuOption> {
    choices
        .iter()
        .take(limits::SELECT_OPTIONS)
        .enumerate()
        .map(|(number, choice)| {
            let label = if grouped {
                format!("{}. {}", number + 1, choice.label)
            } else {
                choice.label.clone()
            };
            CreateSelectMenuOption::new(truncate(&label, limits::SELECT_LABEL), choice.id.clone())
        })
        .collect()
}

/// The Back and Cancel buttons under a question.
fn back_cancel_row(owner: u64, check: &str) -> Option<CreateActionRow> {
    button_row(vec![
        symptom_button(
            owner,
            check,
            Action::SymptomBack,
            ui::BACK,
            ButtonStyle::Secondary,
        ),
        symptom_button(
            owner,
            check,
            Action::SymptomCancel,
            ui::CANCEL,
            ButtonStyle::Danger,
        ),
    ])
}

/// An autocomplete choice's name: an entry's question, cut to Discord's
/// limit.
pub fn choice_name(question: &str) -> String {
    truncate(question, limits::CHOICE_NAME)
}

/// The note that points to an earlier answer instead of repeating it (the
/// per-channel cooldown), in an embed that keeps the answer's title and
/// disclaimer.
pub fn earlier_answer(reply: &Reply, link: &str) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .colour(colour(reply))
        .description(format!("I answered this here a moment ago: {link}"))
        .footer(CreateEmbedFooter::new(truncate(
            reply.disclaimer(),
            limits::FOOTER,
        )));
    if let Some(title) = reply.title() {
        embed = embed.title(truncate(title, limits::TITLE));
    }
    embed
}

/// A plain, polite note from the adapter (a foreign click, an old button),
/// as an embed without a disclaimer: it says nothing medical.
pub fn note(text: &str) -> CreateEmbed {
    CreateEmbed::new()
        .colour(Colour::new(0x607D8B))
        .description(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SafetySettings;
    use crate::faq::{Candidate, Faq, FaqEntry, Source};
    use crate::safety::SafetyPolicy;
    use serde_json::{Value, json};

    fn to_json<T: serde::Serialize>(value: &T) -> Value {
        serde_json::to_value(value).expect("serialises")
    }

    fn policy() -> SafetyPolicy {
        SafetyPolicy::new(&SafetySettings {
            emergency_number: Some("999".to_owned()),
            ..SafetySettings::default()
        })
    }

    fn entry(id: &str, question: &str) -> FaqEntry {
        FaqEntry {
            id: id.to_owned(),
            question: question.to_owned(),
            answer: "Rest, then walk a little more each day. @everyone".to_owned(),
            alternates: Vec::new(),
            keywords: Vec::new(),
            see_also: Vec::new(),
            urgency: Vec::new(),
            urgency_signs: Vec::new(),
            path: std::path::PathBuf::new(),
            file_text: String::new(),
            sources: vec![
                Source {
                    title: "NHS: leg pain [overview]".to_owned(),
                    url: "https://www.nhs.uk/leg-pain".to_owned(),
                },
                Source {
                    title: "A book".to_owned(),
                    url: String::new(),
                },
            ],
        }
    }

    fn faq(entries: Vec<FaqEntry>) -> Faq {
        Faq {
            entries,
            ..Faq::default()
        }
    }

    #[test]
    fn answer_embed_has_title_body_sources_and_disclaimer() {
        let faq = faq(vec![entry("calf", "Why do my calves hurt?")]);
        let reply = policy().answer(faq.get("calf").expect("entry"), &faq);
        let rendered = render(&reply, 7, "");
        let embed = to_json(&rendered.embed);
        assert_eq!(embed["title"], "Why do my calves hurt?");
        assert!(
            embed["description"]
                .as_str()
                .unwrap_or("")
                .starts_with("Rest")
        );
        assert!(
            !embed["description"]
                .as_str()
                .unwrap_or("")
                .contains("@everyone")
        );
        let sources = embed["fields"][0]["value"].as_str().unwrap_or("");
        assert!(sources.contains("[NHS: leg pain (overview)](https://www.nhs.uk/leg-pain)"));
        assert!(sources.contains("- A book"));
        assert!(
            embed["footer"]["text"]
                .as_str()
                .unwrap_or("")
                .contains("not medical advice")
        );
        assert!(rendered.components.is_empty());
        assert_eq!(rendered.content, None);
    }

    #[test]
    fn an_answer_from_the_second_look_offers_the_others_as_buttons() {
        let faq = faq(["a", "b", "c"]
            .iter()
            .map(|id| entry(id, &format!("Question {id}?")))
            .collect());
        let others: Vec<Candidate> = ["a", "b", "c"]
            .iter()
            .map(|id| Candidate {
                id: (*id).to_owned(),
                score: 0.4,
            })
            .collect();
        let reply = policy().answer_with_choices(faq.get("a").expect("entry"), &others, &faq);
        assert!(reply.body().ends_with(crate::safety::NOT_WHAT_YOU_ASKED));
        let rendered = render(&reply, 42, "");
        let embed = to_json(&rendered.embed);
        assert_eq!(embed["title"], "Question a?");
        assert!(
            embed["footer"]["text"]
                .as_str()
                .unwrap_or("")
                .contains("not medical advice")
        );
        let rows = to_json(&rendered.components);
        let buttons = rows[0]["components"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // The answered entry is not offered again.
        assert_eq!(buttons.len(), 2);
        assert_eq!(buttons[0]["custom_id"], "faqbot:v1:e:42::b:");
        assert_eq!(buttons[1]["label"], "Question c?");
        // With no other candidate, it is a plain answer.
        let alone = policy().answer_with_choices(faq.get("a").expect("entry"), &others[..1], &faq);
        assert!(!alone.body().contains(crate::safety::NOT_WHAT_YOU_ASKED));
        assert!(render(&alone, 42, "").components.is_empty());
    }

    #[test]
    fn suggestions_become_at_most_three_owned_buttons() {
        let faq = faq(["a", "b", "c", "d"]
            .iter()
            .map(|id| entry(id, &format!("Question {id}?")))
            .collect());
        let candidates: Vec<Candidate> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| Candidate {
                id: (*id).to_owned(),
                score: 0.4,
            })
            .collect();
        let reply = policy().suggestions(&candidates, &faq);
        let rendered = render(&reply, 42, "");
        let rows = to_json(&rendered.components);
        let buttons = rows[0]["components"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(buttons.len(), 3);
        assert_eq!(buttons[0]["custom_id"], "faqbot:v1:e:42::a:");
        assert_eq!(buttons[0]["label"], "Question a?");
    }

    #[test]
    fn an_offer_of_the_check_gets_a_start_button_for_the_asker() {
        let faq = faq(vec![entry("calf", "Why do my calves hurt?")]);
        let answer = policy().answer(faq.get("calf").expect("entry"), &faq);
        let offered = policy().with_check_offer(answer.clone());
        let rendered = render(&offered, 42, "abc");
        let rows = to_json(&rendered.components);
        let button = &rows[0]["components"][0];
        assert_eq!(button["custom_id"], "faqbot:v1:r:42:abc::");
        assert_eq!(button["label"], ui::START_CHECK);
        assert!(
            to_json(&rendered.embed)["description"]
                .as_str()
                .unwrap_or("")
                .contains("symptom check")
        );
        // Without the offer, no button.
        assert!(render(&answer, 42, "abc").components.is_empty());
        // The offer alone, when no entry fits, has the button too.
        let alone = render(&policy().check_offer(), 42, "abc");
        assert_eq!(
            to_json(&alone.components)[0]["components"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn emergency_reply_is_red_with_plain_text_too() {
        let reply = policy().emergency(&[]);
        let rendered = render(&reply, 1, "");
        assert_eq!(to_json(&rendered.embed)["color"], json!(0xC62828));
        assert!(rendered.content.unwrap_or_default().contains("emergency"));
    }

    #[test]
    fn no_pings_serialises_to_an_empty_parse_list() {
        let value = to_json(&no_pings());
        assert_eq!(value["parse"], json!([]));
        assert_eq!(value["users"], json!([]));
        assert_eq!(value["roles"], json!([]));
        assert_eq!(value["replied_user"], json!(false));
    }

    #[test]
    fn long_texts_are_cut_to_discord_limits() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        let lines: Vec<String> = (0..100)
            .map(|n| format!("- line {n} {}", "x".repeat(30)))
            .collect();
        let joined = join_lines_within(&lines, 1024).expect("some lines");
        assert!(joined.chars().count() <= 1024);
    }

    #[test]
    fn levels_have_distinct_colours() {
        let levels = ["emergency", "urgent", "soon", "routine", "self_care"];
        let mut colours: Vec<u32> = levels.iter().map(|l| level_colour(l)).collect();
        colours.dedup();
        assert_eq!(colours.len(), 5);
    }
}
