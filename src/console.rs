//! The terminal front end: `faqbot chat`, and the text rendering that
//! `faqbot ask` prints.
//!
//! It only translates: a typed line becomes an [`Input`], and the engine's
//! [`Reply`]s become text. Its one piece of state is the last list of
//! numbered options, so that typing "2" picks the second one.

use std::io::{self, BufRead, Write};
use std::time::SystemTime;

use crate::engine::{ConversationKey, Engine, Input};
use crate::safety::{Reply, ReplyKind, ReplyOption};

/// Renders a reply as plain text, disclaimer included, the way the terminal
/// shows it.
pub fn render(reply: &Reply) -> String {
    let mut out = String::new();
    match reply.kind() {
        ReplyKind::Emergency { .. } => out.push_str("!! EMERGENCY !!\n"),
        ReplyKind::SymptomOutcome { level, .. } if level == "emergency" => {
            out.push_str("!! EMERGENCY !!\n");
        }
        _ => {}
    }
    if let Some(title) = reply.title() {
        out.push_str(&format!("== {title} ==\n"));
    }
    if let ReplyKind::SymptomOutcome { level, .. } = reply.kind() {
        out.push_str(&format!("Urgency: {}\n", level_words(level)));
    }
    out.push_str(reply.body());
    out.push('\n');
    if reply.offers_check() {
        out.push_str("Type 'symptoms' to start the symptom check.\n");
    }
    let grouped = matches!(
        reply.kind(),
        ReplyKind::SymptomQuestion { grouped: true, .. }
    );
    if grouped {
        // The body already lists every option, numbered.
        out.push_str("(type the numbers, e.g. 1 3");
        if reply
            .options()
            .iter()
            .any(|o| o.id == crate::symptoms::UNSURE)
        {
            out.push_str("; or 'none', 'not sure'");
        }
        out.push_str("; or 'back', 'cancel')\n");
    } else if !reply.options().is_empty() {
        out.push('\n');
        for (number, option) in reply.options().iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", number + 1, option.label));
        }
        if let ReplyKind::SymptomQuestion { multi, .. } = reply.kind() {
            out.push_str(if *multi {
                "(type the numbers, e.g. 1 3; or 'back', 'cancel')\n"
            } else {
                "(type a number or the words; or 'back', 'cancel')\n"
            });
        }
    }
    if !reply.related().is_empty() {
        out.push_str("\nRelated questions:\n");
        for option in reply.related() {
            out.push_str(&format!("  - {}\n", option.label));
        }
    }
    if !reply.sources().is_empty() {
        out.push_str("\nSources:\n");
        for source in reply.sources() {
            if source.url.is_empty() {
                out.push_str(&format!("  - {}\n", source.title));
            } else {
                out.push_str(&format!("  - {} <{}>\n", source.title, source.url));
            }
        }
    }
    out.push_str(&format!("\n({})\n", reply.disclaimer()));
    out
}

/// A triage level id in words.
fn level_words(level: &str) -> &'static str {
    match level {
        "emergency" => "EMERGENCY: call the emergency number now",
        "urgent" => "urgent: get medical help today",
        "soon" => "soon: see a doctor within a few days",
        "routine" => "routine: book a normal appointment",
        _ => "self-care: can usually be looked after at home",
    }
}

/// What the person typed, read in the context of the last numbered options.
fn read_line(line: &str, options: &[ReplyOption], last_kind: Option<&ReplyKind>) -> Input {
    if let Ok(number) = line.parse::<usize>()
        && let Some(option) = number.checked_sub(1).and_then(|i| options.get(i))
        && matches!(
            last_kind,
            Some(ReplyKind::Suggestions | ReplyKind::Answer { .. })
        )
    {
        return Input::ShowEntry {
            id: option.id.clone(),
        };
    }
    match line.to_lowercase().as_str() {
        "about" | "/about" => Input::About,
        "symptoms" | "/symptoms" | "symptom check" | "/symptom" => Input::StartSymptoms,
        _ => Input::Message {
            text: line.to_owned(),
            addressed: true,
        },
    }
}

/// The lines of `input` (`chat`, `symptoms` and `ask` read stdin through
/// this), without their line end (`\n` or `\r\n`).
///
/// A line is read as bytes and bytes that are not UTF-8 (a terminal set to
/// Latin-1, a pasted binary) are replaced by U+FFFD, with a warning that
/// gives the line's number and never its text: one bad byte must not end the
/// session and lose every line after it, as [`BufRead::lines`] would. Only
/// an error reading the input itself ends it.
pub fn input_lines(mut input: impl BufRead) -> impl Iterator<Item = io::Result<String>> {
    let mut number = 0_u64;
    std::iter::from_fn(move || {
        let mut bytes = Vec::new();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => None,
            Ok(_) => {
                number += 1;
                if bytes.last() == Some(&b'\n') {
                    bytes.pop();
                    if bytes.last() == Some(&b'\r') {
                        bytes.pop();
                    }
                }
                Some(Ok(match String::from_utf8(bytes) {
                    Ok(line) => line,
                    Err(error) => {
                        tracing::warn!(
                            line = number,
                            "input line is not valid UTF-8; its invalid bytes are read as U+FFFD"
                        );
                        String::from_utf8_lossy(error.as_bytes()).into_owned()
                    }
                }))
            }
            Err(error) => Some(Err(error)),
        }
    })
}

/// Runs the symptom check alone (`faqbot symptoms`): starts it at once and
/// returns when it ends, is cancelled, or input ends.
pub fn run_symptoms(
    engine: &Engine,
    input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    let key = ConversationKey::new("terminal", "symptoms");
    let replies = engine.handle(&key, Input::StartSymptoms, SystemTime::now());
    let mut running = print_replies(&replies, &mut output)?;
    for line in input_lines(input) {
        if !running {
            break;
        }
        let line = line?;
        let line = line.trim();
        if line.is_empty() {
            write!(output, "> ")?;
            output.flush()?;
            continue;
        }
        let text = line.to_owned();
        let replies = engine.handle(&key, Input::SymptomReply { text }, SystemTime::now());
        running = print_replies(&replies, &mut output)?;
    }
    writeln!(output)?;
    Ok(())
}

/// Prints replies; returns whether a symptom question is waiting for an answer.
fn print_replies(replies: &[Reply], output: &mut impl Write) -> io::Result<bool> {
    for reply in replies {
        writeln!(output, "{}", render(reply))?;
    }
    let waiting = matches!(
        replies.last().map(Reply::kind),
        Some(ReplyKind::SymptomQuestion { .. })
    );
    if waiting {
        write!(output, "> ")?;
        output.flush()?;
    }
    Ok(waiting)
}

/// Runs the interactive chat until end of input or "quit".
pub fn run_chat(engine: &Engine, input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    let key = ConversationKey::new("terminal", "terminal");
    writeln!(
        output,
        "faqbot: questions about pain in the back of the legs when walking.\n\
         Ask in your own words, or type 'symptoms' for a short symptom check that suggests how \
         urgently to get care.\n\
         Type 'about' for what I am, 'quit' to leave.\n\
         ({})\n",
        engine.policy().help().disclaimer()
    )?;
    let mut options: Vec<ReplyOption> = Vec::new();
    let mut last_kind: Option<ReplyKind> = None;
    write!(output, "> ")?;
    output.flush()?;
    for line in input_lines(input) {
        let line = line?;
        let line = line.trim();
        if matches!(line.to_lowercase().as_str(), "quit" | "exit" | "/quit") {
            break;
        }
        if !line.is_empty() {
            let message = read_line(line, &options, last_kind.as_ref());
            let replies = engine.handle(&key, message, SystemTime::now());
            for reply in &replies {
                writeln!(output, "{}", render(reply))?;
            }
            if let Some(last) = replies.last() {
                options = last.options().to_vec();
                last_kind = Some(last.kind().clone());
            }
        }
        write!(output, "> ")?;
        output.flush()?;
    }
    writeln!(output)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_picks_an_option_under_suggestions_or_an_answer_with_choices() {
        let options = vec![ReplyOption {
            id: "sciatica".to_owned(),
            label: "What is sciatica?".to_owned(),
        }];
        let answer = ReplyKind::Answer {
            entry_id: "leg-cramps".to_owned(),
        };
        for kind in [ReplyKind::Suggestions, answer] {
            match read_line("1", &options, Some(&kind)) {
                Input::ShowEntry { id } => assert_eq!(id, "sciatica"),
                other => panic!("{other:?}"),
            }
        }
        // A number with nothing to pick is a message.
        assert!(matches!(
            read_line("2", &options, Some(&ReplyKind::Suggestions)),
            Input::Message { .. }
        ));
        assert!(matches!(
            read_line("1", &options, Some(&ReplyKind::Help)),
            Input::Message { .. }
        ));
    }
}
