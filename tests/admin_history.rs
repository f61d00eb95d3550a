//! The change history and `faqbot history`: rows for file changes and for
//! Discord edits, newest first, and a clear message before the database
//! exists.

#[path = "support/store_checks.rs"]
mod checks;
#[path = "admin_support.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use faqbot::admin::{Change, ChangeKind, FaqFolder, History, cli};
use support::{Sandbox, replace_once};

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

#[test]
fn rows_are_listed_newest_first_per_entry_or_all() {
    checks::rows_are_listed_newest_first_per_entry_or_all(&checks::Sqlite);
}

#[test]
fn file_changes_and_discord_edits_are_recorded_and_shown_by_the_cli() {
    let sandbox = Sandbox::new("history-cli");
    let mut out = Vec::new();
    let mut notes = Vec::new();
    cli::history_to(&sandbox.admin, None, false, &mut out, &mut notes).expect("runs");
    let notes_text = String::from_utf8(notes).expect("utf-8");
    assert!(notes_text.contains("No history yet"), "{notes_text}");
    assert!(
        !sandbox.admin.database.exists(),
        "the CLI never creates the database"
    );

    let engine = sandbox.engine();
    let history = Arc::new(History::open(&sandbox.admin.database).expect("opens"));
    let folder = FaqFolder::new(&engine, &sandbox.config, Some(Arc::clone(&history)));

    let text = sandbox.read_entry("leg-cramps");
    sandbox.write(
        "entries/leg-cramps.toml",
        &replace_once(&text, "answer = \"\"\"\n", "answer = \"\"\"\nA file edit. "),
    );
    folder.reload(&engine, at(1_700_000_000));
    let form = folder.open_entry(&engine, "leg-cramps").expect("opens");
    let mut draft = form.draft();
    draft.question = "Why do my legs cramp when I walk?".to_owned();
    folder
        .save(
            &engine,
            &Change::Edit {
                id: "leg-cramps".to_owned(),
                base_version: form.version,
                draft,
            },
            "Moderator A",
            at(1_700_000_060),
        )
        .expect("saves");

    let rows = history.list(Some("leg-cramps")).expect("lists");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].who.as_deref(), Some("Moderator A"));
    assert_eq!(rows[1].who, None);
    assert!(
        rows[0]
            .diff()
            .contains("+question = \"Why do my legs cramp when I walk?\"")
    );
    assert!(rows[1].diff().contains("+A file edit."));

    let mut out = Vec::new();
    let mut notes = Vec::new();
    cli::history_to(
        &sandbox.admin,
        Some("leg-cramps"),
        false,
        &mut out,
        &mut notes,
    )
    .expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| !l.is_empty())
            .copied()
            .collect::<Vec<_>>(),
        vec![
            "2023-11-14T22:14:20Z  leg-cramps  changed  by Moderator A (Discord)",
            "2023-11-14T22:13:20Z  leg-cramps  changed  file change",
        ]
    );
    assert!(
        text.contains("    +question = \"Why do my legs cramp when I walk?\""),
        "{text}"
    );

    let mut out = Vec::new();
    cli::history_to(&sandbox.admin, None, true, &mut out, &mut Vec::new()).expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let rows = json.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["who"], "Moderator A");
    assert_eq!(rows[0]["kind"], "changed");
    assert_eq!(rows[1]["who"], serde_json::Value::Null);
    assert_eq!(rows[1]["origin"], "file");
    assert!(
        rows[1]["before"]
            .as_str()
            .is_some_and(|t| !t.contains("A file edit."))
    );
}

/// A valid entry text and an invalid one (an unknown placeholder), both
/// from the entry's own file.
fn valid_and_broken(text: &str, marker: &str) -> (String, String) {
    let valid = replace_once(
        text,
        "answer = \"\"\"\n",
        &format!("answer = \"\"\"\n{marker} "),
    );
    let broken = replace_once(text, "answer = \"\"\"\n", "answer = \"\"\"\nBROKEN {9x9} ");
    (valid, broken)
}

#[test]
fn defect_6_a_rejected_file_is_never_recorded() {
    checks::defect_6_a_rejected_file_is_never_recorded(&checks::Sqlite);
}

#[test]
fn defect_6_a_file_changing_during_reloads_is_recorded_only_as_served() {
    let sandbox = Sandbox::new("history-race");
    let engine = sandbox.engine();
    let history = Arc::new(History::open(&sandbox.admin.database).expect("opens"));
    let folder = FaqFolder::new(&engine, &sandbox.config, Some(Arc::clone(&history)));
    let original = sandbox.read_entry("leg-cramps");
    let path = sandbox.entry_path("leg-cramps");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A writer that keeps putting a valid and a broken text in the file.
    let writer = {
        let stop = Arc::clone(&stop);
        let original = original.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (valid, broken) = valid_and_broken(&original, &format!("VALID-{n}"));
                let _ = support::atomic_replace(&path, &valid);
                let _ = support::atomic_replace(&path, &broken);
                n += 1;
            }
        })
    };
    let mut applied = 0;
    for second in 0..200 {
        if folder.reload(&engine, at(1_700_000_000 + second)).applied {
            applied += 1;
        }
        let rows = history.list(Some("leg-cramps")).expect("lists");
        if rows.len() >= 20 {
            break;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().expect("writer");
    assert!(applied > 0, "no reload applied");
    for row in history.list(None).expect("lists") {
        for text in [&row.before, &row.after].into_iter().flatten() {
            assert!(
                !text.contains("BROKEN"),
                "a rejected text recorded: {row:#?}"
            );
        }
        if row.kind == ChangeKind::Changed {
            assert!(row.before.is_some() && row.after.is_some(), "{row:#?}");
        }
    }
}

#[test]
fn defect_6_changes_made_while_the_bot_was_down_are_recorded_on_start() {
    checks::defect_6_changes_made_while_the_bot_was_down_are_recorded_on_start(&checks::Sqlite);
}

/// Two processes on one folder and one history (the bot and `faqbot teach`,
/// or two bot processes): a moderator's save in one is found in the files by
/// the other's next reload, and recorded once, with its author.
#[test]
fn a_save_by_another_process_is_recorded_once() {
    checks::a_save_by_another_process_is_recorded_once(&checks::Sqlite);
}

#[test]
fn a_reload_asked_for_in_one_process_reaches_the_others() {
    checks::a_reload_asked_for_in_one_process_reaches_the_others(&checks::Sqlite);
}
