//! Teach from the gaps at the command line (`faqbot teach`): a stored
//! unanswered message, named by its `#id`, becomes an alternate of an entry
//! or the question of a new entry; previewed with the self-test, written
//! atomically through the one edit path, recorded in the history, and then
//! gone from the gaps report and answered by the bot. Every test works in a
//! private copy of faq/ under the temporary folder.

#[path = "admin_support.rs"]
mod support;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use faqbot::admin::teach::{self, TeachArgs};
use faqbot::admin::{AdminSettings, ChangeKind, EditError, FaqFolder, GapDecision, Gaps, History};
use faqbot::config::Config;
use support::Sandbox;
use support::common::{TempDir, faqbot, toml_string};

/// A message the shipped FAQ only answers with a "did you mean", but
/// answers outright once it is an alternate of [`TAUGHT_ENTRY`].
const TAUGHT: &str = "is tonic water good for night cramps";
const TAUGHT_ENTRY: &str = "cramp-supplements";
/// A message no entry is near.
const TOASTER: &str = "my toaster hums at night";
/// Too generic: as an alternate of `sciatica`, another entry still wins it,
/// and the self-test says so.
const GENERIC: &str = "leg pain";

/// The sandbox's config with gaps on.
fn config(sandbox: &Sandbox) -> Config {
    let mut config = sandbox.config.clone();
    config.admin = AdminSettings {
        gaps_enabled: true,
        ..sandbox.admin.clone()
    };
    config
}

/// Stores `text` as unanswered (as the bot would); returns its gap id.
fn store(config: &Config, text: &str) -> i64 {
    let gaps = Gaps::open(&config.admin, SystemTime::now()).expect("opens");
    assert!(
        gaps.record(text, 42, GapDecision::None, SystemTime::now())
            .expect("records")
    );
    let report = gaps.report(None, SystemTime::now()).expect("report");
    report
        .groups
        .iter()
        .flat_map(|group| &group.examples)
        .find(|example| example.text == text)
        .map(|example| example.id)
        .expect("the message is listed with its id")
}

fn args(gap: i64, to: &str) -> TeachArgs {
    TeachArgs {
        gap: gap.to_string(),
        to: Some(to.to_owned()),
        who: "cli:tester".to_owned(),
        ..TeachArgs::default()
    }
}

/// Runs `faqbot teach` in-process: exit code, stdout, stderr.
fn run(config: &Config, args: &TeachArgs) -> (ExitCode, String, String) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let code = teach::cli_to(config, args, SystemTime::now(), &mut out, &mut notes).expect("runs");
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(notes).expect("utf-8"),
    )
}

fn history_rows(config: &Config) -> Vec<faqbot::admin::HistoryRow> {
    History::open_read_only(&config.admin.database)
        .expect("opens")
        .map(|history| history.list(None).expect("lists"))
        .unwrap_or_default()
}

fn still_stored(config: &Config, gap: i64) -> bool {
    let gaps = Gaps::open_read_only(&config.admin)
        .expect("opens")
        .expect("exists");
    gaps.message(gap, SystemTime::now())
        .expect("reads")
        .is_some()
}

#[test]
fn the_preview_shows_the_diff_and_the_self_test_warning_and_writes_nothing() {
    let sandbox = Sandbox::new("teach-preview");
    let config = config(&sandbox);
    let gap = store(&config, GENERIC);
    let before = sandbox.read_entry("sciatica");

    let (code, out, notes) = run(&config, &args(gap, "sciatica"));
    assert_eq!(code, ExitCode::SUCCESS, "{out}{notes}");
    assert!(out.contains(&format!("Teach #{gap}")), "{out}");
    assert!(out.contains(&format!("+  \"{GENERIC}\",")), "{out}");
    assert!(
        out.contains("The taught message would NOT get `sciatica`"),
        "{out}"
    );
    assert!(out.contains("Self-test: 1 phrasing(s)"), "{out}");
    assert!(out.contains("causes-overview"), "{out}");
    assert!(out.contains("Preview only: nothing was written"), "{out}");

    assert_eq!(sandbox.read_entry("sciatica"), before);
    assert!(history_rows(&config).is_empty());
    assert!(still_stored(&config, gap));
}

#[test]
fn yes_saves_atomically_records_history_and_the_message_is_then_answered() {
    let sandbox = Sandbox::new("teach-save");
    let config = config(&sandbox);
    let gap = store(&config, TAUGHT);
    let engine = sandbox.engine();
    assert_ne!(
        engine.assess(TAUGHT, false).answer_id(),
        Some(TAUGHT_ENTRY),
        "the message is not answered before it is taught"
    );

    let mut yes = args(gap, TAUGHT_ENTRY);
    yes.yes = true;
    let (code, out, notes) = run(&config, &yes);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{notes}");
    assert!(out.contains(&format!("Saved `{TAUGHT_ENTRY}`")), "{out}");
    assert!(out.contains(&format!("#{gap} is marked taught")), "{out}");
    assert!(
        out.contains(&format!("The taught message gets `{TAUGHT_ENTRY}`")),
        "{out}"
    );
    assert!(!out.contains("Self-test:"), "no warning: {out}");

    let text = sandbox.read_entry(TAUGHT_ENTRY);
    assert!(text.contains(&format!("\"{TAUGHT}\"")), "{text}");
    // Written by a rename: no temporary file is left behind.
    assert!(
        sandbox
            .entry_file_names()
            .iter()
            .all(|name| !name.ends_with(".tmp")),
        "{:?}",
        sandbox.entry_file_names()
    );
    let rows = history_rows(&config);
    let row = rows
        .iter()
        .find(|row| row.entry_id == TAUGHT_ENTRY)
        .expect("a history row");
    assert_eq!(row.kind, ChangeKind::Changed);
    assert_eq!(row.who.as_deref(), Some("cli:tester"));
    assert!(
        row.after
            .as_deref()
            .is_some_and(|after| after.contains(TAUGHT))
    );

    // Gone from the report, and answered by the bot.
    assert!(!still_stored(&config, gap));
    let fresh = sandbox.engine();
    assert_eq!(fresh.assess(TAUGHT, false).answer_id(), Some(TAUGHT_ENTRY));

    // Taught again: it is no longer there.
    let (code, _, notes) = run(&config, &yes);
    assert_eq!(code, ExitCode::from(2), "{notes}");
    assert!(
        notes.contains(&format!("No unanswered message #{gap}")),
        "{notes}"
    );
}

#[test]
fn a_change_to_the_entry_after_it_was_opened_is_a_conflict() {
    let sandbox = Sandbox::new("teach-conflict");
    let config = config(&sandbox);
    let engine = sandbox.engine();
    let history = Arc::new(History::open(&config.admin.database).expect("history"));
    let folder = FaqFolder::new(&engine, &config, Some(history));
    let (_, change) =
        teach::alternate_change(&folder, &engine, TAUGHT_ENTRY, TAUGHT).expect("opens");
    // Someone edits the file (an editor, a git pull) before the save.
    let edited = sandbox.read_entry(TAUGHT_ENTRY).replacen(
        "answer = \"\"\"\n",
        "answer = \"\"\"\nEdited meanwhile.\n",
        1,
    );
    assert_ne!(
        edited,
        sandbox.read_entry(TAUGHT_ENTRY),
        "the answer is multi-line"
    );
    sandbox.write(&format!("entries/{TAUGHT_ENTRY}.toml"), &edited);

    let refused = folder.save(&engine, &change, "cli:tester", SystemTime::now());
    let Err(EditError::Conflict(conflict)) = refused else {
        panic!("a conflict: {refused:?}");
    };
    assert!(conflict.to_string().contains("nothing was saved"));
    assert_eq!(sandbox.read_entry(TAUGHT_ENTRY), edited, "the edit is kept");
}

#[test]
fn unknown_gaps_and_entries_exit_2_and_nothing_changes() {
    let sandbox = Sandbox::new("teach-unknown");
    let config = config(&sandbox);
    // No database yet.
    let (code, _, notes) = run(&config, &args(1, "sciatica"));
    assert_eq!(code, ExitCode::from(2), "{notes}");

    let gap = store(&config, TOASTER);
    for bad in ["abc", "#", "-1", "0"] {
        let mut typed = args(gap, "sciatica");
        typed.gap = bad.to_owned();
        let (code, _, notes) = run(&config, &typed);
        assert_eq!(code, ExitCode::from(2), "{bad}: {notes}");
        assert!(notes.contains("not a gap id"), "{notes}");
    }
    let (code, _, notes) = run(&config, &args(gap + 1000, "sciatica"));
    assert_eq!(code, ExitCode::from(2), "{notes}");
    assert!(notes.contains(&format!("No unanswered message #{}", gap + 1000)));

    for entry in ["no-such-entry", "Not An Id"] {
        let mut yes = args(gap, entry);
        yes.yes = true;
        let (code, _, notes) = run(&config, &yes);
        assert_eq!(code, ExitCode::from(2), "{entry}: {notes}");
    }
    // "#12" is accepted as well as "12".
    let mut hashed = args(gap, "sciatica");
    hashed.gap = format!("#{gap}");
    assert_eq!(run(&config, &hashed).0, ExitCode::SUCCESS);
    assert!(still_stored(&config, gap));
    assert!(history_rows(&config).is_empty());
}

#[test]
fn with_gaps_off_there_is_nothing_to_teach_from() {
    let sandbox = Sandbox::new("teach-off");
    let on = config(&sandbox);
    let gap = store(&on, TOASTER);
    let mut off = on.clone();
    off.admin.gaps_enabled = false;
    let mut yes = args(gap, "sciatica");
    yes.yes = true;
    let before = sandbox.read_entry("sciatica");
    let (code, out, notes) = run(&off, &yes);
    assert_eq!(code, ExitCode::from(1), "{out}{notes}");
    assert!(notes.contains("gaps report is off"), "{notes}");
    assert!(out.is_empty());
    assert_eq!(sandbox.read_entry("sciatica"), before);
}

#[test]
fn a_new_entry_needs_a_real_answer_and_a_source_then_goes_live() {
    let sandbox = Sandbox::new("teach-new");
    let config = config(&sandbox);
    let gap = store(&config, TOASTER);
    let new = |answer_file: Option<std::path::PathBuf>, sources: &[&str], yes: bool| TeachArgs {
        gap: gap.to_string(),
        new: Some("toaster-hum".to_owned()),
        answer_file,
        sources: sources.iter().map(|s| (*s).to_owned()).collect(),
        yes,
        who: "cli:tester".to_owned(),
        ..TeachArgs::default()
    };

    // No answer file: nothing is written, never a placeholder.
    let (code, _, notes) = run(&config, &new(None, &[], true));
    assert_eq!(code, ExitCode::from(1), "{notes}");
    assert!(notes.contains("--answer-file"), "{notes}");
    assert!(!sandbox.entry_path("toaster-hum").exists());

    // An empty answer file: refused.
    let answer = sandbox.root.join("answer.txt");
    std::fs::write(&answer, "  \n").expect("write");
    let (code, _, notes) = run(&config, &new(Some(answer.clone()), &[], true));
    assert_eq!(code, ExitCode::from(1), "{notes}");
    assert!(notes.contains("empty"), "{notes}");

    // An answer but no source: the preview lists the problem; nothing saved.
    std::fs::write(
        &answer,
        "A humming toaster is not a leg problem. If your legs hurt when you walk, ask about that.",
    )
    .expect("write");
    let (code, out, _) = run(&config, &new(Some(answer.clone()), &[], true));
    assert_eq!(code, ExitCode::from(1), "{out}");
    assert!(out.contains("Nothing was saved"), "{out}");
    assert!(!sandbox.entry_path("toaster-hum").exists());

    // A source without an address is refused before anything else.
    let (code, _, notes) = run(&config, &new(Some(answer.clone()), &["NHS"], true));
    assert_eq!(code, ExitCode::from(1), "{notes}");

    // With both: the preview, then the save.
    let source = "NHS: Leg pain https://www.nhs.uk/conditions/leg-pain/";
    let (code, out, _) = run(&config, &new(Some(answer.clone()), &[source], false));
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(out.contains(&format!("+question = \"{TOASTER}\"")), "{out}");
    assert!(!sandbox.entry_path("toaster-hum").exists());
    let (code, out, notes) = run(&config, &new(Some(answer), &[source], true));
    assert_eq!(code, ExitCode::SUCCESS, "{out}{notes}");
    let text = sandbox.read_entry("toaster-hum");
    assert!(
        text.contains(&format!("question = \"{TOASTER}\"")),
        "{text}"
    );
    assert!(text.contains("A humming toaster"), "{text}");
    let rows = history_rows(&config);
    assert!(
        rows.iter()
            .any(|row| row.entry_id == "toaster-hum" && row.kind == ChangeKind::Added),
        "{rows:?}"
    );
    assert!(!still_stored(&config, gap));
    assert_eq!(
        sandbox.engine().assess(TOASTER, false).answer_id(),
        Some("toaster-hum")
    );
}

#[test]
fn the_binary_lists_gap_ids_and_teaches_with_exit_codes() {
    let sandbox = Sandbox::new("teach-binary");
    let config = config(&sandbox);
    let gap = store(&config, TAUGHT);
    let dir = TempDir::new("teach-binary");
    let config_file = dir.config(
        &sandbox.faq,
        &format!(
            "[admin]\ngaps_enabled = true\ndatabase = {}\n",
            toml_string(&config.admin.database)
        ),
    );
    let config_arg = config_file.display().to_string();

    let listed = faqbot(&["--config", &config_arg, "gaps"], "");
    let listed_text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{listed:?}");
    assert!(listed_text.contains(&format!("- #{gap} ")), "{listed_text}");
    assert!(listed_text.contains("faqbot teach"), "{listed_text}");
    let json = faqbot(&["--config", &config_arg, "gaps", "--json"], "");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(value["groups"][0]["examples"][0]["id"], gap);

    let gap_arg = gap.to_string();
    let unknown = faqbot(
        &[
            "--config",
            &config_arg,
            "teach",
            "999999",
            "--to",
            TAUGHT_ENTRY,
        ],
        "",
    );
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    let preview = faqbot(
        &[
            "--config",
            &config_arg,
            "teach",
            &gap_arg,
            "--to",
            TAUGHT_ENTRY,
        ],
        "",
    );
    assert_eq!(preview.status.code(), Some(0), "{preview:?}");
    assert!(String::from_utf8_lossy(&preview.stdout).contains("Preview only"));
    let saved = faqbot(
        &[
            "--config",
            &config_arg,
            "teach",
            &gap_arg,
            "--to",
            TAUGHT_ENTRY,
            "--yes",
        ],
        "",
    );
    assert_eq!(saved.status.code(), Some(0), "{saved:?}");
    assert!(sandbox.read_entry(TAUGHT_ENTRY).contains(TAUGHT));
    let listed = faqbot(&["--config", &config_arg, "gaps"], "");
    assert!(!String::from_utf8_lossy(&listed.stdout).contains(&format!("#{gap} ")));
}

#[test]
fn marking_a_message_taught_removes_its_exact_repeats_only() {
    let sandbox = Sandbox::new("teach-repeats");
    let config = config(&sandbox);
    let gap = store(&config, TAUGHT);
    let repeat = store(&config, "Is tonic water good for night cramps?!");
    let other = store(&config, "is tonic water good for cramps in the day");
    let gaps = Gaps::open(&config.admin, SystemTime::now()).expect("opens");
    assert_eq!(gaps.mark_taught(gap).expect("marks"), 2);
    assert!(!still_stored(&config, gap));
    assert!(!still_stored(&config, repeat));
    assert!(still_stored(&config, other));
    // Already gone: nothing to do.
    assert_eq!(gaps.mark_taught(gap).expect("marks"), 0);
    // Ids are not reused: a new message gets a new one.
    let again = store(&config, TAUGHT);
    assert!(again > other, "{again} after {other}");
}
