//! Live reload: a valid change goes live without a moment where nothing
//! answers; an invalid one is rejected whole, with every problem and its
//! file and line, and the last good FAQ and symptom check keep serving.
//! Every test works in a private copy of faq/ under the temporary folder.

#[path = "admin_support.rs"]
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use faqbot::admin::{ChangeKind, FaqFolder, FaqWatcher, History, ReloadReport, reload_now};
use faqbot::engine::{Engine, Outcome};
use support::{Sandbox, replace_once};

/// A question the blood-clot entry answers (one of its alternates).
const QUESTION: &str = "could my calf pain be a clot";

/// Asks the engine `QUESTION` in a loop until stopped; counts the answers
/// and keeps every failure (no answer, or another entry).
struct Asker {
    stop: Arc<AtomicBool>,
    asked: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Asker {
    fn start(engine: Arc<Engine>) -> Asker {
        let stop = Arc::new(AtomicBool::new(false));
        let asked = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let (thread_stop, thread_asked, thread_failures) =
            (Arc::clone(&stop), Arc::clone(&asked), Arc::clone(&failures));
        let thread = thread::spawn(move || {
            while !thread_stop.load(Ordering::Relaxed) {
                let assessment = engine.assess(QUESTION, false);
                let answered = assessment.outcome == Outcome::Answer
                    && assessment.answer_id() == Some("blood-clot")
                    && !assessment.replies.is_empty()
                    && !assessment.replies[0].body().is_empty();
                if !answered {
                    thread_failures.lock().expect("lock").push(format!(
                        "{:?} {:?}",
                        assessment.outcome,
                        assessment.answer_id()
                    ));
                }
                thread_asked.fetch_add(1, Ordering::Relaxed);
            }
        });
        Asker {
            stop,
            asked,
            failures,
            thread: Some(thread),
        }
    }

    /// Stops asking; returns how many answers came and the failures.
    fn finish(mut self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("asker thread");
        }
        let failures = self.failures.lock().expect("lock").clone();
        (self.asked.load(Ordering::Relaxed), failures)
    }
}

fn answer_of(engine: &Engine, id: &str) -> String {
    engine
        .knowledge()
        .faq
        .get(id)
        .map(|entry| entry.answer.clone())
        .unwrap_or_default()
}

/// How long a test waits for something that should happen about a second
/// after a save before it calls it a hang. A hang guard only, deliberately
/// generous for a loaded machine: how fast a change goes live is shown by
/// the `reload` benchmark (benches/reload.rs), never by a timed test.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Waits until `done` holds, checking every 10 ms, for at most
/// [`HANG_GUARD`]; whether it ever held.
fn eventually(done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < HANG_GUARD {
        if done() {
            return true;
        }
        thread::sleep(Duration::from_millis(10));
    }
    done()
}

#[test]
fn the_watcher_swaps_valid_changes_in_and_rejects_invalid_ones_while_answers_keep_coming() {
    let sandbox = Sandbox::new("watch");
    let engine = Arc::new(sandbox.engine());
    let history = Arc::new(History::open(&sandbox.admin.database).expect("history opens"));
    let folder = Arc::new(FaqFolder::new(
        &engine,
        &sandbox.config,
        Some(Arc::clone(&history)),
    ));
    let (sender, reports) = mpsc::channel::<ReloadReport>();
    let watcher = FaqWatcher::start(
        Arc::clone(&folder),
        Arc::clone(&engine),
        sandbox.admin.reload_debounce(),
        move |report| {
            let _ = sender.send(report.clone());
        },
    )
    .expect("watcher starts");
    let asker = Asker::start(Arc::clone(&engine));
    let original = sandbox.read_entry("blood-clot");
    let version_before = engine.symptom_check_version();

    // 1. A valid change to an entry goes live, without a moderator's
    //    reload.
    let valid = replace_once(
        &original,
        "answer = \"\"\"\n",
        "answer = \"\"\"\nRELOAD-MARKER-ONE ",
    );
    sandbox.write("entries/blood-clot.toml", &valid);
    assert!(
        eventually(|| answer_of(&engine, "blood-clot").contains("RELOAD-MARKER-ONE")),
        "the valid change never went live"
    );
    let report = reports.recv_timeout(HANG_GUARD).expect("a report");
    assert!(report.applied && !report.is_rejected(), "{report:?}");
    assert_eq!(report.changed, vec!["blood-clot"]);
    assert!(report.added.is_empty() && report.removed.is_empty());

    // 2. An invalid change in two files is rejected whole: both problems,
    //    with file and line; the last good FAQ and check keep serving.
    let broken_answer = replace_once(&valid, "RELOAD-MARKER-ONE", "RELOAD-MARKER-BAD {9x9}");
    let placeholder_line = broken_answer
        .lines()
        .position(|line| line.contains("{9x9}"))
        .expect("line")
        + 1;
    sandbox.write("entries/blood-clot.toml", &broken_answer);
    sandbox.write("entries/sciatica.toml", "id = \"sciatica\"\nquestion = \n");
    let report = reports.recv_timeout(HANG_GUARD).expect("a report");
    assert!(report.is_rejected() && !report.applied, "{report:?}");
    let blood_clot = report
        .problems
        .iter()
        .find(|p| p.path.ends_with("entries/blood-clot.toml"))
        .expect("the placeholder problem");
    assert_eq!(blood_clot.line, placeholder_line, "{blood_clot}");
    assert!(blood_clot.message.contains("{9x9}"), "{blood_clot}");
    let sciatica = report
        .problems
        .iter()
        .find(|p| p.path.ends_with("entries/sciatica.toml"))
        .expect("the syntax problem");
    assert_eq!(sciatica.line, 2, "{sciatica}");
    assert!(report.summary().contains("still serving") || report.summary().contains("last good"));
    assert!(answer_of(&engine, "blood-clot").contains("RELOAD-MARKER-ONE"));
    assert!(!answer_of(&engine, "blood-clot").contains("RELOAD-MARKER-BAD"));
    assert!(engine.knowledge().faq.get("sciatica").is_some());
    assert_eq!(engine.symptom_check_version(), version_before);

    // 3. Fixing both files goes live again.
    let fixed = replace_once(&valid, "RELOAD-MARKER-ONE", "RELOAD-MARKER-TWO");
    sandbox.write("entries/blood-clot.toml", &fixed);
    let sciatica_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq/entries/sciatica.toml"),
    )
    .expect("original sciatica");
    sandbox.write("entries/sciatica.toml", &sciatica_text);
    assert!(
        eventually(|| answer_of(&engine, "blood-clot").contains("RELOAD-MARKER-TWO")),
        "the fix never went live"
    );

    let (asked, failures) = asker.finish();
    watcher.stop();
    assert!(asked > 0);
    assert!(
        failures.is_empty(),
        "{} of {asked} questions got no answer: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );

    // Each applied change is in the history as a file change.
    let rows = history.list(Some("blood-clot")).expect("history");
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|row| row.who.is_none() && row.origin == "file")
    );
    assert!(
        rows[0]
            .after
            .as_deref()
            .is_some_and(|t| t.contains("MARKER-TWO"))
    );
    assert!(
        rows[0]
            .before
            .as_deref()
            .is_some_and(|t| t.contains("MARKER-ONE"))
    );
    assert_eq!(rows[1].before.as_deref(), Some(original.as_str()));
    assert_eq!(rows[1].kind, ChangeKind::Changed);
}

#[test]
fn reload_reports_entries_added_changed_and_removed() {
    let sandbox = Sandbox::new("reload-diff");
    let engine = sandbox.engine();
    let history = Arc::new(History::open(&sandbox.admin.database).expect("history opens"));
    let folder = FaqFolder::new(&engine, &sandbox.config, Some(Arc::clone(&history)));
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);

    let unchanged = folder.reload(&engine, now);
    assert!(
        unchanged.applied && !unchanged.changed_anything(),
        "{unchanged:?}"
    );

    let fixture = include_str!("data/admin/new-entry.toml");
    sandbox.write("entries/admin-new-entry.toml", fixture);
    let sciatica = sandbox.read_entry("sciatica");
    sandbox.write(
        "entries/sciatica.toml",
        &replace_once(&sciatica, "answer = \"\"\"\n", "answer = \"\"\"\nChanged. "),
    );
    // A comment-only change is not a change of content.
    let cramps = sandbox.read_entry("leg-cramps");
    sandbox.write(
        "entries/leg-cramps.toml",
        &format!("# a new comment\n{cramps}"),
    );
    let report = folder.reload(&engine, now);
    assert!(report.applied, "{report:?}");
    assert_eq!(report.added, vec!["admin-new-entry"]);
    assert_eq!(report.changed, vec!["sciatica"]);
    assert!(report.removed.is_empty());
    assert!(!report.symptom_check_changed);
    assert!(engine.knowledge().faq.get("admin-new-entry").is_some());

    std::fs::remove_file(sandbox.entry_path("admin-new-entry")).expect("remove");
    let report = folder.reload(&engine, now + Duration::from_secs(60));
    assert_eq!(report.removed, vec!["admin-new-entry"]);
    assert!(report.summary().contains("1 removed (admin-new-entry)"));
    assert!(engine.knowledge().faq.get("admin-new-entry").is_none());

    let rows = history.list(None).expect("history");
    let summary: Vec<(&str, ChangeKind)> = rows
        .iter()
        .map(|row| (row.entry_id.as_str(), row.kind))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("admin-new-entry", ChangeKind::Removed),
            ("sciatica", ChangeKind::Changed),
            ("admin-new-entry", ChangeKind::Added),
        ]
    );
    assert_eq!(rows[0].before.as_deref(), Some(fixture));
    assert_eq!(rows[0].after, None);
    assert_eq!(rows[2].before, None);
    assert_eq!(rows[0].at, "2023-11-14T22:14:20Z");
}

#[test]
fn a_broken_symptom_check_is_rejected_and_the_old_one_kept() {
    let sandbox = Sandbox::new("reload-symptoms");
    let engine = sandbox.engine();
    let version = engine.symptom_check_version();
    let text = std::fs::read_to_string(sandbox.faq.join("symptom-check.toml")).expect("read");
    sandbox.write(
        "symptom-check.toml",
        &format!("{text}\n[[question]]\nid = \n"),
    );

    let report = reload_now(&engine, &sandbox.config);
    assert!(report.is_rejected());
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.path.ends_with("symptom-check.toml") && p.line > 1),
        "{report:?}"
    );
    assert_eq!(engine.symptom_check_version(), version);

    let folder = FaqFolder::new(&engine, &sandbox.config, None);
    let report = folder.reload(&engine, SystemTime::now());
    assert!(report.is_rejected());
    assert_eq!(engine.symptom_check_version(), version);

    sandbox.write("symptom-check.toml", &text.replace("\n", "\n\n"));
    let report = folder.reload(&engine, SystemTime::now());
    assert!(report.applied && report.symptom_check_changed, "{report:?}");
    assert_ne!(engine.symptom_check_version(), version);
}

#[test]
fn a_deleted_faq_folder_is_rejected() {
    let sandbox = Sandbox::new("reload-gone");
    let engine = sandbox.engine();
    std::fs::remove_dir_all(&sandbox.faq).expect("remove");
    let report = reload_now(&engine, &sandbox.config);
    assert!(report.is_rejected());
    assert!(engine.knowledge().faq.get("blood-clot").is_some());
}

#[test]
fn defect_6_a_writer_holding_the_folder_lock_is_never_read_half_done() {
    let sandbox = Sandbox::new("reload-half-written");
    let engine = Arc::new(sandbox.engine());
    let folder = Arc::new(FaqFolder::new(&engine, &sandbox.config, None));
    let text = sandbox.read_entry("leg-cramps");
    let half = replace_once(&text, "answer = \"\"\"\n", "answer = \"\"\"\nHALF-DONE ");
    let done = replace_once(&text, "answer = \"\"\"\n", "answer = \"\"\"\nALL-DONE ");

    // A script holds the folder's lock while it writes; its first step
    // leaves a valid file that is not what it means to serve.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(sandbox.faq.join(faqbot::admin::edit::EDIT_LOCK_FILE))
        .expect("lock file");
    lock.lock().expect("lock");
    sandbox.write("entries/leg-cramps.toml", &half);
    let (sender, reports) = mpsc::channel();
    {
        let (folder, engine) = (Arc::clone(&folder), Arc::clone(&engine));
        thread::spawn(move || {
            let _ = sender.send(folder.reload(&engine, SystemTime::now()));
        });
    }
    // However long the writer pauses, the reload waits for it.
    let early = reports.recv_timeout(Duration::from_secs(2)).ok();
    sandbox.write("entries/leg-cramps.toml", &done);
    drop(lock);
    let report = early
        .or_else(|| reports.recv_timeout(Duration::from_secs(120)).ok())
        .expect("the reload ended");
    assert!(report.applied, "{report:?}");
    let served = answer_of(&engine, "leg-cramps");
    assert!(served.contains("ALL-DONE"), "{served}");
}

/// Issue 12: a reload runs the self-test on what changed. The report (and
/// its summary for the moderators' channel) names each phrasing of a
/// changed entry that does not get it, with the reason; the change still
/// goes live. Unchanged entries are not reported again.
#[test]
fn reload_reports_the_self_test_of_the_entries_that_changed() {
    let sandbox = Sandbox::new("reload-self-test");
    let engine = sandbox.engine();
    let folder = FaqFolder::new(&engine, &sandbox.config, None);
    let now = SystemTime::now();

    let statins = sandbox.read_entry("statins");
    sandbox.write(
        "entries/statins.toml",
        // The same words as leg-cramps' "calf cramp in bed".
        &replace_once(
            &statins,
            "alternates = [\n",
            "alternates = [\n  \"my calf cramps in bed\",\n",
        ),
    );
    let report = folder.reload(&engine, now);
    assert!(report.applied && !report.is_rejected(), "{report:?}");
    assert_eq!(report.changed, vec!["statins"]);
    assert_eq!(report.warnings.len(), 1, "{report:?}");
    let warning = &report.warnings[0];
    assert!(warning.path.ends_with("entries/statins.toml"), "{warning}");
    assert_eq!(warning.line, 6, "{warning}");
    assert!(
        warning
            .message
            .contains("\"my calf cramps in bed\" does not get `statins`")
            && warning.message.contains("`leg-cramps`"),
        "{warning}"
    );
    let summary = report.summary();
    assert!(
        summary.contains("Self-test: 1 phrasing(s)") && summary.contains("my calf cramps in bed"),
        "{summary}"
    );

    // Another entry changes: statins' warning is not repeated.
    let sciatica = sandbox.read_entry("sciatica");
    sandbox.write(
        "entries/sciatica.toml",
        &replace_once(&sciatica, "answer = \"\"\"\n", "answer = \"\"\"\nChanged. "),
    );
    let report = folder.reload(&engine, now);
    assert_eq!(report.changed, vec!["sciatica"]);
    assert!(report.warnings.is_empty(), "{report:?}");
    assert!(!report.summary().contains("Self-test"));
}
