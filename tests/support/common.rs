//! Small tools the integration tests and benches share, written once: the
//! crate folder, a temporary folder, copying a folder, and running the real
//! binary (with its input, or bounded in time and memory).
//!
//! Included with `#[path = "support/common.rs"] mod common;` (from a bench,
//! `#[path = "../tests/support/common.rs"]`); each includer uses a part.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The crate's folder (where `faq/` and `tests/data/` are).
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the folder `from` to `to`, files and subfolders.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for item in fs::read_dir(from).expect("read folder") {
        let item = item.expect("folder item");
        let target = to.join(item.file_name());
        if item.file_type().expect("file type").is_dir() {
            copy_tree(&item.path(), &target);
        } else {
            fs::copy(item.path(), &target).expect("copy a file");
        }
    }
}

/// A folder under the system temp dir, named after the test binary, the
/// process and the test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty folder for the test `test_name`.
    pub fn new(test_name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "faqbot-{}-{}-{test_name}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// Writes `config.toml` in the folder: `faq_dir` set to `faq_dir`, then
    /// the TOML in `extra`.
    pub fn config(&self, faq_dir: &Path, extra: &str) -> PathBuf {
        let path = self.0.join("config.toml");
        std::fs::write(
            &path,
            format!("faq_dir = {}\n{extra}", toml_string(faq_dir)),
        )
        .expect("write config");
        path
    }

    /// A config for the shipped FAQ, so a local `./config.toml` cannot
    /// change what the tests see.
    pub fn shipped_config(&self) -> PathBuf {
        self.config(&manifest_dir().join("faq"), "")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A path as a TOML string (quoted and escaped).
pub fn toml_string(path: &Path) -> String {
    toml::Value::String(path.display().to_string()).to_string()
}

/// Runs the binary in the crate folder with `args`, writes `stdin` to it,
/// and waits for it to end. `RUST_LOG` is removed so a developer's setting
/// cannot change what it prints.
pub fn faqbot(args: &[&str], stdin: impl AsRef<[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(args)
        .current_dir(manifest_dir())
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start faqbot");
    let mut input = child.stdin.take().expect("stdin");
    // The bot may exit before reading its input; a broken pipe is fine then.
    let _ = input.write_all(stdin.as_ref());
    drop(input);
    child.wait_with_output().expect("wait for faqbot")
}

/// The binary under `sh`, with at most 2 GB of address space: a regression
/// that reads `/dev/zero` without end then fails in seconds instead of
/// taking the machine's memory. Add the binary's arguments to it.
pub fn limited_memory() -> Command {
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "ulimit -v 2000000 && exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_faqbot"),
    ]);
    command
}

/// Runs `command` in the crate folder with no stdin and waits at most
/// `hang` for it to end: its output and how long it took, or `None` if it
/// was still running then (it is killed). The output is read while it
/// runs, so a long listing cannot fill the pipe and stall it.
pub fn run_bounded(mut command: Command, hang: Duration) -> Option<(Output, Duration)> {
    let mut child = command
        .current_dir(manifest_dir())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start faqbot");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for faqbot") {
            break status;
        }
        if started.elapsed() > hang {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let output = Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    };
    Some((output, took))
}

/// This test binary again, set to run only the ignored test `name` with
/// the environment variable `var` set to `value`: how a test gets a second
/// process (one that races it, or dies half-way). The child's stderr is
/// dropped; set its stdout as needed.
pub fn ignored_test_in_a_child(name: &str, var: &str, value: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(var, value)
        .stderr(Stdio::null());
    command
}

/// The sentence encoder's folder for the semantic second opinion, when this
/// build has the `semantic` feature and the model is there
/// (`scripts/fetch-model`). With the feature and without the model, a test
/// says so and measures the matcher alone, unless FAQBOT_REQUIRE_MODEL=1 (as
/// in CI), which makes the missing model a failure.
pub fn semantic_model() -> Option<PathBuf> {
    if !cfg!(feature = "semantic") {
        return None;
    }
    let model = manifest_dir().join("models/all-MiniLM-L6-v2");
    if model.is_dir() {
        return Some(model);
    }
    assert!(
        std::env::var("FAQBOT_REQUIRE_MODEL").as_deref() != Ok("1"),
        "{} is missing: run scripts/fetch-model",
        model.display()
    );
    eprintln!(
        "note: {} is missing (scripts/fetch-model): measuring the matcher alone",
        model.display()
    );
    None
}
