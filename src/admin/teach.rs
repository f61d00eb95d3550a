//! Teach the bot from the gaps report: a moderator takes a message the bot
//! could not answer (by the `#id` the report shows) and adds it as an
//! alternate phrasing of an entry, or starts a new entry whose question it
//! is, in one step.
//!
//! Nothing here is a second edit path: the change is an ordinary
//! [`Change`], previewed with [`FaqFolder::preview`] (the answer, the diff,
//! every problem and the self-test warnings) and saved with
//! [`FaqFolder::save`] (version check and conflict, atomic write, reload,
//! history row). After a save the message is marked taught
//! ([`Gaps::mark_taught`]), so the report no longer lists it.
//!
//! Two front ends use it: `faqbot teach` ([`cli`], for moderators who work
//! in git) and the `/faq-admin gaps` buttons of the Discord adapter.
//!
//! A new entry never goes live with a placeholder answer: `faqbot teach
//! --new` needs the answer in a file (`--answer-file`) and at least one
//! source (`--source`), and the Discord form asks for both; without them
//! nothing is written.
//!
//! Message text is never logged above debug: the logs name the gap id and
//! the entry id only.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context;

use super::edit::{Change, EditError, EntryForm, NewEntry, Preview, split_sources};
use super::gaps::{GapMessage, Gaps};
use super::history::History;
use super::reload::FaqFolder;
use crate::config::Config;
use crate::engine::Engine;
use crate::faq::Faq;
use crate::faq::loader::{MAX_FILE_BYTES, is_valid_id};
use crate::problem::Problem;

/// Exit code: saved, or a preview that could be saved.
pub const EXIT_OK: u8 = 0;
/// Exit code: the change has problems, conflicts, or cannot be made (gaps
/// off, no answer file, …); nothing was written.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code: no such gap message or entry.
pub const EXIT_UNKNOWN: u8 = 2;

/// The gap id in what a moderator typed: `12` or `#12`.
pub fn parse_gap_id(text: &str) -> Option<i64> {
    let digits = text.trim().trim_start_matches('#');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

/// A stored message as a phrasing: on one line, spaces collapsed.
pub fn as_phrasing(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `alternates` with `phrase` added at the end, unless the entry already
/// has it (as its question or an alternate, ignoring case and punctuation).
pub fn with_alternate(question: &str, alternates: &[String], phrase: &str) -> Vec<String> {
    let mut out = alternates.to_vec();
    let key = crate::text::clean(phrase);
    let known = key.is_empty()
        || crate::text::clean(question) == key
        || alternates.iter().any(|a| crate::text::clean(a) == key);
    if !known {
        out.push(as_phrasing(phrase));
    }
    out
}

/// The edit that adds `message` as an alternate of the entry `entry_id`,
/// from the entry as it is now (its version goes with the change, so a
/// concurrent edit is a conflict), and the form it was opened as.
pub fn alternate_change(
    folder: &FaqFolder,
    engine: &Engine,
    entry_id: &str,
    message: &str,
) -> Result<(EntryForm, Change), EditError> {
    let form = folder.open_entry(engine, entry_id)?;
    let mut draft = form.draft();
    draft.alternates = with_alternate(&form.question, &form.alternates, message);
    let change = Change::Edit {
        id: form.id.clone(),
        base_version: form.version.clone(),
        draft,
    };
    Ok((form, change))
}

/// A new entry `id` whose question is `message`, with the moderator's
/// answer and sources.
pub fn new_entry_change(
    id: &str,
    message: &str,
    answer: &str,
    sources: Vec<crate::faq::Source>,
) -> Change {
    Change::Add(NewEntry {
        id: id.trim().to_owned(),
        question: as_phrasing(message),
        answer: answer.trim().to_owned(),
        alternates: Vec::new(),
        keywords: Vec::new(),
        see_also: Vec::new(),
        sources,
    })
}

/// An id for a new entry made from `message`: its first few distinctive
/// words joined by dashes (`toaster-hums-night`), made unique among the
/// entries of `faq`. Empty when the message has no usable word.
pub fn suggest_id(message: &str, faq: &Faq) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for word in crate::text::words(message) {
        let ascii: String = word
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if ascii.len() < 3
            || crate::text::FUNCTION_WORDS.contains(&ascii.as_str())
            || !seen.insert(ascii.clone())
        {
            continue;
        }
        words.push(ascii);
        if words.len() == 4 {
            break;
        }
    }
    let base: String = words.join("-").chars().take(40).collect();
    let base = base.trim_matches('-').to_owned();
    if !is_valid_id(&base) {
        return String::new();
    }
    if faq.get(&base).is_none() {
        return base;
    }
    (2..100)
        .map(|n| format!("{base}-{n}"))
        .find(|id| faq.get(id).is_none())
        .unwrap_or_default()
}

/// What `faqbot teach` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct TeachArgs {
    /// The gap message, as typed (`12` or `#12`).
    pub gap: String,
    /// Add the message as an alternate of this entry.
    pub to: Option<String>,
    /// Start a new entry with this id, the message as its question.
    pub new: Option<String>,
    /// With `new`: the file holding the answer.
    pub answer_file: Option<std::path::PathBuf>,
    /// With `new`: sources, each a title then its address.
    pub sources: Vec<String>,
    /// Save (without it: preview only).
    pub yes: bool,
    /// Who is saving, for the history.
    pub who: String,
}

/// Who a CLI save is recorded as: `cli:$USER`, or `cli`.
pub fn cli_author() -> String {
    match std::env::var("USER") {
        Ok(user) if !user.trim().is_empty() => format!("cli:{}", user.trim()),
        _ => "cli".to_owned(),
    }
}

/// `faqbot teach GAP (--to ENTRY | --new ID --answer-file FILE --source
/// "TITLE URL") [--yes]`.
pub fn cli(config: &Config, args: &TeachArgs) -> anyhow::Result<ExitCode> {
    cli_to(
        config,
        args,
        SystemTime::now(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    )
}

/// [`cli`] at `now`, writing the preview and the result to `out` and
/// notes (why nothing was done) to `notes`.
pub fn cli_to(
    config: &Config,
    args: &TeachArgs,
    now: SystemTime,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let code = run(config, args, now, out, notes)?;
    Ok(ExitCode::from(code))
}

fn run(
    config: &Config,
    args: &TeachArgs,
    now: SystemTime,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<u8> {
    let settings = &config.admin;
    if !settings.gaps_enabled {
        writeln!(
            notes,
            "The gaps report is off (`gaps_enabled = false` under [admin] in the config): no \
             unanswered messages are stored, so there is nothing to teach from. Nothing was changed."
        )?;
        return Ok(EXIT_PROBLEMS);
    }
    let Some(gap_id) = parse_gap_id(&args.gap) else {
        writeln!(
            notes,
            "`{}` is not a gap id: use the number `faqbot gaps` shows (like #12).",
            args.gap
        )?;
        return Ok(EXIT_UNKNOWN);
    };
    let (target_entry, new_id) = match (&args.to, &args.new) {
        (Some(to), None) => (Some(to.trim().to_owned()), None),
        (None, Some(new)) => (None, Some(new.trim().to_owned())),
        _ => {
            writeln!(
                notes,
                "Say what to teach: `--to ENTRY` (add the message as an alternate phrasing of \
                 ENTRY) or `--new NEW_ID --answer-file FILE --source \"TITLE URL\"` (a new entry)."
            )?;
            return Ok(EXIT_PROBLEMS);
        }
    };
    let Some(store) = Gaps::open_read_only(settings)
        .with_context(|| format!("opening {}", settings.store_label()))?
    else {
        writeln!(
            notes,
            "No unanswered message #{gap_id}: {} (the bot creates it when it runs).",
            settings.missing_store()
        )?;
        return Ok(EXIT_UNKNOWN);
    };
    let Some(message) = store
        .message(gap_id, now)
        .context("reading the stored message")?
    else {
        writeln!(
            notes,
            "No unanswered message #{gap_id}: it was already taught, is older than {} days, or \
             never existed. Run `faqbot gaps` for the current ids.",
            settings.gaps_retention_days
        )?;
        return Ok(EXIT_UNKNOWN);
    };
    let engine = match Engine::load(config) {
        Ok(engine) => engine,
        Err(problems) => {
            writeln!(
                notes,
                "The FAQ in {} has {} problem(s); fix them first (`faqbot check`):",
                config.faq_dir.display(),
                problems.len()
            )?;
            for problem in &problems {
                writeln!(notes, "{problem}")?;
            }
            return Ok(EXIT_PROBLEMS);
        }
    };
    // A preview writes nothing, not even the history's catch-up.
    let history = if args.yes {
        Some(Arc::new(History::open_for(settings).with_context(
            || format!("opening {}", settings.store_label()),
        )?))
    } else {
        None
    };
    let folder = FaqFolder::new(&engine, config, history);

    let change = match (&target_entry, &new_id) {
        (Some(entry_id), _) => match alternate_change(&folder, &engine, entry_id, &message.text) {
            Ok((_, change)) => change,
            Err(error) => {
                writeln!(notes, "{error}")?;
                return Ok(exit_code(&error, true));
            }
        },
        (None, Some(new_id)) => {
            let Some(path) = &args.answer_file else {
                writeln!(
                    notes,
                    "A new entry needs its answer: write it in a file and run again with \
                     `--answer-file FILE` and at least one `--source \"TITLE URL\"`. An entry \
                     never goes live with a placeholder answer; nothing was written."
                )?;
                return Ok(EXIT_PROBLEMS);
            };
            let answer = match read_answer(path) {
                Ok(answer) => answer,
                Err(problems) => {
                    for problem in &problems {
                        writeln!(notes, "{problem}")?;
                    }
                    writeln!(notes, "Nothing was written.")?;
                    return Ok(EXIT_PROBLEMS);
                }
            };
            let sources = match split_sources(&args.sources.join("\n")) {
                Ok(sources) => sources,
                Err(bad) => {
                    writeln!(
                        notes,
                        "A source is a title then its address, like `--source \"NHS: Sciatica \
                         https://www.nhs.uk/conditions/sciatica/\"`. These have no address: {}. \
                         Nothing was written.",
                        bad.join("; ")
                    )?;
                    return Ok(EXIT_PROBLEMS);
                }
            };
            new_entry_change(new_id, &message.text, &answer, sources)
        }
        (None, None) => return Ok(EXIT_PROBLEMS),
    };
    let to_alternate = target_entry.is_some();

    let preview = match folder.preview(&engine, &change) {
        Ok(preview) => preview,
        Err(error) => {
            writeln!(notes, "{error}")?;
            return Ok(exit_code(&error, to_alternate));
        }
    };
    write_preview(out, &message, &change, &preview)?;
    if !preview.problems.is_empty() {
        writeln!(out, "Nothing was saved: fix the problems above first.")?;
        return Ok(EXIT_PROBLEMS);
    }
    if !args.yes {
        writeln!(
            out,
            "Preview only: nothing was written. Run the same command with --yes to save."
        )?;
        return Ok(EXIT_OK);
    }
    match folder.save(&engine, &change, &args.who, now) {
        Ok(saved) => {
            if saved.written {
                writeln!(out, "Saved `{}` to the FAQ file.", saved.id)?;
            } else {
                writeln!(out, "`{}` already says this: nothing written.", saved.id)?;
            }
            match store.mark_taught(gap_id) {
                Ok(_) => writeln!(
                    out,
                    "Message #{gap_id} is marked taught: the gaps report no longer lists it."
                )?,
                Err(error) => writeln!(
                    notes,
                    "Saved, but message #{gap_id} could not be marked taught ({error}); it \
                     stays in the gaps report."
                )?,
            }
            write!(out, "{}", saved.report.summary())?;
            tracing::info!(
                gap_id,
                faq_id = %saved.id,
                written = saved.written,
                "taught from the gaps (cli)"
            );
            Ok(if saved.report.is_rejected() {
                EXIT_PROBLEMS
            } else {
                EXIT_OK
            })
        }
        Err(error) => {
            writeln!(notes, "{error}")?;
            Ok(exit_code(&error, to_alternate))
        }
    }
}

/// The exit code for a refused change: an unknown entry (for `--to`) is
/// [`EXIT_UNKNOWN`], anything else [`EXIT_PROBLEMS`].
fn exit_code(error: &EditError, to_alternate: bool) -> u8 {
    match error {
        EditError::NotFound(_) => EXIT_UNKNOWN,
        EditError::InvalidId(_) if to_alternate => EXIT_UNKNOWN,
        _ => EXIT_PROBLEMS,
    }
}

/// The answer in `path`, read the way the FAQ's files are read (a FIFO or
/// a device is refused, the size is limited); an empty file is a problem.
fn read_answer(path: &Path) -> Result<String, Vec<Problem>> {
    let mut problems = Vec::new();
    let Some(text) = crate::files::read_text(path, MAX_FILE_BYTES, &mut problems) else {
        if problems.is_empty() {
            problems.push(Problem::whole_file(path, "cannot read the answer file"));
        }
        return Err(problems);
    };
    if text.trim().is_empty() {
        return Err(vec![Problem::whole_file(
            path,
            "the answer file is empty: write the answer people should get",
        )]);
    }
    Ok(text.trim().to_owned())
}

fn write_preview(
    out: &mut dyn Write,
    message: &GapMessage,
    change: &Change,
    preview: &Preview,
) -> io::Result<()> {
    let what = match change {
        Change::Add(_) => format!("a new entry `{}`", change.id()),
        _ => format!("an alternate phrasing of `{}`", change.id()),
    };
    writeln!(
        out,
        "Teach #{} ({} channel {}) as {what}:\n  \"{}\"",
        message.id,
        message.date,
        message.channel_id,
        super::cli::one_line(&message.text)
    )?;
    writeln!(out, "\nThe change to {}:", change.id())?;
    if preview.diff.trim().is_empty() {
        writeln!(out, "  (none: the entry already has this phrasing)")?;
    }
    for line in preview.diff.lines() {
        writeln!(out, "  {line}")?;
    }
    match change {
        // A new answer is shown whole; an alternate keeps the entry's answer,
        // so its title says enough.
        Change::Add(_) if !preview.text.trim().is_empty() => {
            writeln!(out, "\nWhat people will get:")?;
            for line in preview.text.lines() {
                writeln!(out, "  {line}")?;
            }
        }
        _ => {
            if let Some(title) = preview.text.lines().find(|line| !line.trim().is_empty()) {
                writeln!(out, "\nPeople will get: {}", title.trim())?;
            }
        }
    }
    let phrase = as_phrasing(&message.text);
    match taught_warning(preview, &phrase) {
        Some(warning) => writeln!(
            out,
            "\nThe taught message would NOT get `{}`: {}",
            change.id(),
            warning
                .message
                .strip_prefix("warning: self-test: ")
                .unwrap_or(&warning.message)
        )?,
        None if preview.problems.is_empty() => writeln!(
            out,
            "\nThe taught message gets `{}` (self-test).",
            change.id()
        )?,
        None => {}
    }
    if !preview.warnings.is_empty() {
        writeln!(
            out,
            "\nSelf-test: {} phrasing(s) would not get `{}` (you can still save):",
            preview.warnings.len(),
            change.id()
        )?;
        for warning in &preview.warnings {
            writeln!(out, "{warning}")?;
        }
    }
    if !preview.problems.is_empty() {
        writeln!(out, "\n{} problem(s):", preview.problems.len())?;
        for problem in &preview.problems {
            writeln!(out, "{problem}")?;
        }
    }
    writeln!(out)
}

/// The self-test warning about `phrase` itself, when it would not get the
/// entry it is taught to.
pub fn taught_warning<'a>(preview: &'a Preview, phrase: &str) -> Option<&'a Problem> {
    // The self-test quotes a phrasing's first 60 characters.
    let shown: String = phrase.chars().take(60).collect();
    let quoted = format!("\"{shown}\" does not get");
    preview
        .warnings
        .iter()
        .find(|warning| warning.message.contains(&quoted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_ids_are_numbers_with_or_without_a_hash() {
        assert_eq!(parse_gap_id("12"), Some(12));
        assert_eq!(parse_gap_id(" #7 "), Some(7));
        for bad in [
            "",
            "#",
            "x",
            "-3",
            "0",
            "1.5",
            "99999999999999999999",
            "#1#2",
        ] {
            assert_eq!(parse_gap_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_message_becomes_one_line() {
        assert_eq!(
            as_phrasing("  does ice\n help\tmy  calf? "),
            "does ice help my calf?"
        );
    }

    #[test]
    fn an_alternate_is_added_once() {
        let alternates = vec!["calf pain walking".to_owned()];
        assert_eq!(
            with_alternate("Why?", &alternates, "does ice\nhelp"),
            vec!["calf pain walking", "does ice help"]
        );
        // Already there (case and punctuation aside), or the question.
        assert_eq!(
            with_alternate("Why?", &alternates, "Calf pain, walking!"),
            alternates
        );
        assert_eq!(with_alternate("Why?", &alternates, "why"), alternates);
        assert_eq!(with_alternate("Why?", &alternates, "   "), alternates);
    }

    #[test]
    fn a_new_entry_takes_the_message_as_its_question() {
        let change = new_entry_change(" toaster ", "my toaster\nhums", " It hums. ", Vec::new());
        let Change::Add(entry) = change else {
            panic!("an add");
        };
        assert_eq!(entry.id, "toaster");
        assert_eq!(entry.question, "my toaster hums");
        assert_eq!(entry.answer, "It hums.");
    }

    #[test]
    fn suggested_ids_are_valid_and_unique() {
        let faq = Faq::default();
        assert_eq!(
            suggest_id("Why does my toaster hum at night?", &faq),
            "toaster-hum-night"
        );
        assert_eq!(suggest_id("!!! ??", &faq), "");
        let id = suggest_id("Ärger über Ödeme beim Gehen", &faq);
        assert!(id.is_empty() || is_valid_id(&id), "{id}");
    }

    #[test]
    fn unknown_entries_exit_2_and_problems_exit_1() {
        assert_eq!(
            exit_code(&EditError::NotFound("x".to_owned()), true),
            EXIT_UNKNOWN
        );
        assert_eq!(
            exit_code(&EditError::InvalidId("X".to_owned()), true),
            EXIT_UNKNOWN
        );
        assert_eq!(
            exit_code(&EditError::InvalidId("X".to_owned()), false),
            EXIT_PROBLEMS
        );
        assert_eq!(
            exit_code(&EditError::Invalid(Vec::new()), true),
            EXIT_PROBLEMS
        );
    }
}
