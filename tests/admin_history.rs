//! The change history and `faqbot history`: rows for file changes and for
//! Discord edits, newest first, and a clear message before the database
//! exists.

#[path = "admin_support.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use faqbot::admin::{Change, ChangeKind, FaqFolder, History, NewChange, cli};
use support::{Sandbox, replace_once};

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

#[test]
fn rows_are_listed_newest_first_per_entry_or_all() {
    let sandbox = Sandbox::new("history-rows");
    let history = History::open(&sandbox.admin.database).expect("opens");
    let record = |id: &str, who: Option<&str>, seconds: u64, before, after, kind| {
        history
            .record(NewChange {
                entry_id: id,
                kind,
                who,
                when: at(seconds),
                before,
                after,
            })
            .expect("records")
    };
    record("a", None, 100, None, Some("v1"), ChangeKind::Added);
    record(
        "b",
        Some("Mod"),
        200,
        Some("x"),
        Some("y"),
        ChangeKind::Changed,
    );
    record("a", Some("Mod"), 300, Some("v1"), None, ChangeKind::Removed);

    let all = history.list(None).expect("lists");
    let order: Vec<(&str, i64)> = all
        .iter()
        .map(|r| (r.entry_id.as_str(), r.at_unix))
        .collect();
    assert_eq!(order, vec![("a", 300), ("b", 200), ("a", 100)]);
    let a = history.list(Some("a")).expect("lists");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].kind, ChangeKind::Removed);
    assert_eq!(a[0].origin, "discord");
    assert_eq!(a[1].origin, "file");
    assert_eq!(a[1].who, None);
    assert_eq!(a[1].at, "1970-01-01T00:01:40Z");
    assert!(history.list(Some("zzz")).expect("lists").is_empty());
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
