//! Hostile files in the FAQ folder (issue 13, defects 2 and 3): whatever a
//! moderator, a `git pull` or an attacker puts under `faq/`, `faqbot check`
//! ends with every problem at `path:line:col`, and a running bot refuses the
//! change and keeps serving its last good data.
//!
//! A FIFO, a symlink to a device, a symlink leaving the folder, a file too
//! large to read, and symptom-check conditions nested deeply enough to
//! overflow a recursive parser. The binary runs with a bound on how long it
//! may take (generous, so a slow machine never fails a test: the bound only
//! catches a hang) and, where a regression would read without end, on how
//! much memory it may take, so a regression fails the test instead of
//! exhausting the machine.

#[path = "admin_support.rs"]
mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use faqbot::admin::{FaqFolder, FaqWatcher};
use support::common::{self, copy_tree, limited_memory, manifest_dir};
use support::{Sandbox, answer_edit};

/// Long enough for a debug build on a busy machine; only a hang passes it.
const HANG: Duration = Duration::from_secs(120);

/// Runs `command` with no stdin; panics if it has not exited within
/// [`HANG`] (and kills it).
fn run_bounded(command: Command) -> Output {
    match common::run_bounded(command, HANG) {
        Some((output, _)) => output,
        None => panic!("faqbot did not end (killed after {HANG:?})"),
    }
}

/// A copy of `tests/data/good-faq` (a small folder that passes `check`)
/// under the system temp dir, beside room for files outside it; removed
/// when dropped.
struct Folder {
    root: PathBuf,
    faq: PathBuf,
}

impl Folder {
    fn new(name: &str) -> Folder {
        let root =
            std::env::temp_dir().join(format!("faqbot-hostile-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let faq = root.join("faq");
        copy_tree(&manifest_dir().join("tests/data/good-faq"), &faq);
        Folder { root, faq }
    }

    /// Runs `faqbot check` on the copy, with the shipped config's defaults;
    /// panics if it has not ended within [`HANG`].
    fn check(&self) -> Output {
        let config = self.root.join("config.toml");
        fs::write(&config, "").expect("write config");
        let mut command = limited_memory();
        command.args([
            "--config",
            config.to_str().expect("utf-8 path"),
            "check",
            self.faq.to_str().expect("utf-8 path"),
        ]);
        run_bounded(command)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Asserts that `check` failed normally (exit 1, not a crash) and listed a
/// problem at `path` (ending with it) whose message contains `word`.
fn assert_refused(output: &Output, path: &str, word: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "check should end with exit 1\nstdout: {stdout}\nstderr: {stderr}"
    );
    let line = stdout
        .lines()
        .find(|line| line.contains(path) && line.contains(word))
        .unwrap_or_else(|| panic!("no problem at {path} mentioning {word:?}:\n{stdout}"));
    line.to_owned()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
}

#[cfg(unix)]
#[test]
fn defect_2_a_fifo_in_the_faq_folder_is_refused_not_waited_on() {
    let folder = Folder::new("fifo");
    mkfifo(&folder.faq.join("entries/waiting.toml"));
    let output = folder.check();
    assert_refused(&output, "entries/waiting.toml", "not a regular file");
}

#[cfg(unix)]
#[test]
fn defect_2_a_symlink_to_a_device_is_refused_not_read_without_end() {
    let folder = Folder::new("device");
    std::os::unix::fs::symlink("/dev/zero", folder.faq.join("entries/zero.toml")).expect("symlink");
    let output = folder.check();
    assert_refused(&output, "entries/zero.toml", "not a regular file");
}

#[cfg(unix)]
#[test]
fn defect_2_a_symlink_leaving_the_faq_folder_is_refused() {
    let folder = Folder::new("outside");
    // A valid entry, outside the folder: only where it lives is wrong.
    let outside = folder.root.join("elsewhere");
    fs::create_dir_all(&outside).expect("create folder");
    let text = fs::read_to_string(folder.faq.join("entries/shin-pain.toml")).expect("entry");
    let text = text.replace("\"shin-pain\"", "\"borrowed\"");
    fs::write(outside.join("borrowed.toml"), text).expect("write");
    std::os::unix::fs::symlink(
        "../../elsewhere/borrowed.toml",
        folder.faq.join("entries/borrowed.toml"),
    )
    .expect("symlink");
    let output = folder.check();
    assert_refused(&output, "entries/borrowed.toml", "outside the FAQ folder");
}

#[cfg(unix)]
#[test]
fn defect_2_a_symlink_inside_the_faq_folder_is_still_read() {
    let folder = Folder::new("inside");
    // The synonyms kept in a subfolder and linked to where the loader looks.
    fs::create_dir_all(folder.faq.join(".shared")).expect("create folder");
    fs::rename(
        folder.faq.join("synonyms.toml"),
        folder.faq.join(".shared/synonyms.toml"),
    )
    .expect("move");
    std::os::unix::fs::symlink(".shared/synonyms.toml", folder.faq.join("synonyms.toml"))
        .expect("symlink");
    let output = folder.check();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[cfg(unix)]
#[test]
fn defect_2_a_fifo_given_as_the_config_file_is_refused_not_waited_on() {
    let folder = Folder::new("config-fifo");
    let config = folder.root.join("config.toml");
    mkfifo(&config);
    let mut command = limited_memory();
    command.args([
        "--config",
        config.to_str().expect("utf-8 path"),
        "check",
        folder.faq.to_str().expect("utf-8 path"),
    ]);
    let output = run_bounded(command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn a_huge_symptom_check_is_refused_by_its_size() {
    let folder = Folder::new("huge");
    let path = folder.faq.join("symptom-check.toml");
    let text = fs::read_to_string(&path).expect("symptom check");
    // Valid TOML all the same: a comment line of 2 MB.
    let padding = format!("# {}\n", "x".repeat(2 << 20));
    fs::write(&path, format!("{padding}{text}")).expect("write");
    let output = folder.check();
    assert_refused(&output, "symptom-check.toml", "too large");
}

/// Runs `reload` on its own thread (the watcher's stack size: the default
/// for a spawned thread) and waits for its report at most [`HANG`].
fn reload_bounded(
    sandbox: &Sandbox,
    engine: &std::sync::Arc<faqbot::engine::Engine>,
) -> faqbot::admin::ReloadReport {
    let folder = FaqFolder::new(engine, &sandbox.config, None);
    let engine = std::sync::Arc::clone(engine);
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(folder.reload(&engine, SystemTime::now()));
    });
    receiver
        .recv_timeout(HANG)
        .expect("the reload ended (it hung or its thread died)")
}

#[cfg(unix)]
#[test]
fn defect_2_a_fifo_does_not_stop_a_running_bot_from_reloading() {
    let sandbox = Sandbox::new("hostile-fifo-reload");
    let engine = std::sync::Arc::new(sandbox.engine());
    let fifo = sandbox.faq.join("entries/waiting.toml");
    mkfifo(&fifo);
    let report = reload_bounded(&sandbox, &engine);
    assert!(report.is_rejected(), "{report:?}");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.path == fifo && p.message.contains("not a regular file")),
        "{report:?}"
    );
    assert!(engine.knowledge().faq.get("blood-clot").is_some());

    // Once it is gone, the next reload goes through.
    fs::remove_file(&fifo).expect("remove fifo");
    let report = reload_bounded(&sandbox, &engine);
    assert!(report.applied, "{report:?}");
}

#[cfg(unix)]
#[test]
fn defect_2_a_fifo_does_not_stop_the_watcher() {
    use std::sync::Arc;
    let sandbox = Sandbox::new("hostile-fifo-watch");
    let engine = Arc::new(sandbox.engine());
    let folder = Arc::new(FaqFolder::new(&engine, &sandbox.config, None));
    // Not a .toml file: the loader never reads it, only the watcher looks.
    mkfifo(&sandbox.faq.join("notes"));
    let (sender, receiver) = mpsc::channel();
    let (watched_folder, watched_engine) = (Arc::clone(&folder), Arc::clone(&engine));
    thread::spawn(move || {
        let watcher = FaqWatcher::start(
            watched_folder,
            watched_engine,
            Duration::from_millis(100),
            |_| {},
        );
        let _ = sender.send(watcher);
    });
    let watcher = receiver
        .recv_timeout(HANG)
        .expect("the watcher started (its first look at the folder ended)")
        .expect("the watcher's thread starts");

    // A valid change still goes live.
    let path = sandbox.entry_path("blood-clot");
    let text = fs::read_to_string(&path).expect("entry");
    let marked = support::replace_once(&text, "answer = \"\"\"\n", "answer = \"\"\"\nFIFO-MARKER ");
    fs::write(&path, marked).expect("write");
    let started = Instant::now();
    while !engine
        .knowledge()
        .faq
        .get("blood-clot")
        .is_some_and(|entry| entry.answer.contains("FIFO-MARKER"))
    {
        assert!(started.elapsed() < HANG, "the change never went live");
        thread::sleep(Duration::from_millis(50));
    }

    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        watcher.stop();
        let _ = sender.send(());
    });
    receiver.recv_timeout(HANG).expect("the watcher stopped");
}

#[cfg(unix)]
#[test]
fn defect_2_a_fifo_refuses_a_moderators_edit_with_its_problem_instead_of_hanging() {
    use faqbot::admin::EditError;
    let sandbox = Sandbox::new("hostile-fifo-edit");
    let engine = std::sync::Arc::new(sandbox.engine());
    let folder = FaqFolder::new(&engine, &sandbox.config, None);
    let change = answer_edit(&folder, &engine, "blood-clot", |answer| {
        format!("EDIT-MARKER {answer}")
    });
    let fifo = sandbox.faq.join("entries/waiting.toml");
    mkfifo(&fifo);

    let (sender, receiver) = mpsc::channel();
    let saving = std::sync::Arc::clone(&engine);
    thread::spawn(move || {
        let _ = sender.send(folder.save(&saving, &change, "Moderator A", SystemTime::now()));
    });
    let result = receiver.recv_timeout(HANG).expect("the save ended");
    let Err(EditError::Invalid(problems)) = result else {
        panic!("the edit should be refused with the folder's problems: {result:?}");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.path == fifo && p.message.contains("not a regular file")),
        "{problems:?}"
    );
    let served = engine.knowledge();
    let entry = served.faq.get("blood-clot").expect("served");
    assert!(!entry.answer.contains("EDIT-MARKER"));
}

/// A condition of the shipped symptom check that the nesting tests replace.
const CONDITION: &str = "ask_if = \"ecq_pain_when_walking = yes\"";

/// The 1-based line of `needle` in `text` (the fixture must hold it).
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("the fixture changed");
    text[..at].matches('\n').count() + 1
}

#[test]
fn defect_3_deeply_nested_brackets_in_a_condition_are_refused_at_their_line() {
    let folder = Folder::new("nested");
    let path = folder.faq.join("symptom-check.toml");
    let text = fs::read_to_string(&path).expect("symptom check");
    let line = line_of(&text, CONDITION);
    let depth = 100_000;
    let nested = format!(
        "ask_if = \"{}ecq_pain_when_walking = yes{}\"",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    fs::write(&path, text.replacen(CONDITION, &nested, 1)).expect("write");
    let output = folder.check();
    let problem = assert_refused(&output, "symptom-check.toml", "nested");
    assert!(
        problem.contains(&format!("symptom-check.toml:{line}:")),
        "the problem should be on line {line}: {problem}"
    );
}

#[test]
fn defect_3_a_deep_not_chain_is_refused_too() {
    let folder = Folder::new("nots");
    let path = folder.faq.join("symptom-check.toml");
    let text = fs::read_to_string(&path).expect("symptom check");
    assert!(text.contains(CONDITION), "the fixture changed");
    let nested = format!(
        "ask_if = \"{}ecq_pain_when_walking = yes\"",
        "not ".repeat(100_000)
    );
    fs::write(&path, text.replacen(CONDITION, &nested, 1)).expect("write");
    let output = folder.check();
    assert_refused(&output, "symptom-check.toml", "nested");
}

#[test]
fn defect_3_deeply_nested_toml_arrays_and_tables_are_refused_at_their_line() {
    // Not a condition this time: the TOML itself nests (arrays, then inline
    // tables). The reader must refuse it as invalid TOML, not overflow.
    for (name, open, close) in [("arrays", "[", "]"), ("tables", "{ a = ", " }")] {
        let folder = Folder::new(&format!("toml-nested-{name}"));
        let path = folder.faq.join("symptom-check.toml");
        let text = fs::read_to_string(&path).expect("symptom check");
        let line = line_of(&text, CONDITION);
        let depth = 100_000;
        let nested = format!("ask_if = {}1{}", open.repeat(depth), close.repeat(depth));
        fs::write(&path, text.replacen(CONDITION, &nested, 1)).expect("write");
        let output = folder.check();
        let problem = assert_refused(&output, "symptom-check.toml", "invalid TOML");
        assert!(
            problem.contains(&format!("symptom-check.toml:{line}:")),
            "the problem should be on line {line}: {problem}"
        );
    }
}

#[test]
fn defect_3_a_deeply_nested_condition_is_refused_on_reload_and_the_old_check_kept() {
    let sandbox = Sandbox::new("hostile-nested-reload");
    let engine = std::sync::Arc::new(sandbox.engine());
    let version = engine.symptom_check_version();
    let path = sandbox.faq.join("symptom-check.toml");
    let text = fs::read_to_string(&path).expect("symptom check");
    let start = text.find("ask_if = \"").expect("a condition") + "ask_if = \"".len();
    let depth = 100_000;
    let nested = format!("{}{}{}", &text[..start], "(".repeat(depth), &text[start..]);
    let end = start + depth + nested[start + depth..].find('"').expect("closing quote");
    let nested = format!("{}{}{}", &nested[..end], ")".repeat(depth), &nested[end..]);
    fs::write(&path, nested).expect("write");

    let report = reload_bounded(&sandbox, &engine);
    assert!(report.is_rejected(), "{report:?}");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.path == path && p.message.contains("nested")),
        "{report:?}"
    );
    assert_eq!(engine.symptom_check_version(), version);
}

#[test]
fn defect_3_a_long_chain_of_named_conditions_is_refused_at_its_line() {
    let folder = Folder::new("chain");
    let path = folder.faq.join("symptom-check.toml");
    let text = fs::read_to_string(&path).expect("symptom check");
    // link_0 = "link_1", link_1 = "link_2", … each one level deeper when
    // the names are inlined.
    let length = 20_000;
    let mut chain = String::from("[conditions]\n");
    for i in 0..length {
        chain.push_str(&format!("link_{i} = \"link_{}\"\n", i + 1));
    }
    chain.push_str(&format!(
        "link_{length} = \"ecq_pain_when_walking = yes\"\n"
    ));
    let text = text.replacen("[conditions]\n", &chain, 1).replacen(
        "ask_if = \"ecq_pain_when_walking = yes\"",
        "ask_if = \"link_0\"",
        1,
    );
    fs::write(&path, text).expect("write");
    let output = folder.check();
    assert_refused(&output, "symptom-check.toml", "deep");
}

/// Runs `faqbot symptoms --answers ANSWERS --json` on the shipped FAQ,
/// bounded in time and memory.
fn symptoms_with_answers(answers: &Path) -> Output {
    let mut command = limited_memory();
    command.args([
        "symptoms",
        "--answers",
        answers.to_str().expect("utf-8 path"),
        "--json",
    ]);
    run_bounded(command)
}

#[cfg(unix)]
#[test]
fn defect_11_an_answers_file_that_is_a_device_or_a_fifo_is_refused_not_read() {
    let output = symptoms_with_answers(Path::new("/dev/zero"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");

    let folder = Folder::new("answers-fifo");
    let fifo = folder.root.join("answers.toml");
    mkfifo(&fifo);
    let output = symptoms_with_answers(&fifo);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn defect_11_a_huge_answers_file_is_refused_by_its_size() {
    let folder = Folder::new("answers-huge");
    let path = folder.root.join("answers.toml");
    // Valid answers all the same, after a comment line of 2 MB.
    let padding = format!("# {}\n", "x".repeat(2 << 20));
    fs::write(&path, format!("{padding}[answers]\nback_pain = \"no\"\n")).expect("write");
    let output = symptoms_with_answers(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("too large"), "{stderr}");
}
