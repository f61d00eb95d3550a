//! Issue 13's target: `faqbot check` on any of 40 hostile FAQ folders (see
//! `tests/support/hostile_folders.rs`: FIFOs, device symlinks, huge,
//! binary, BOM, CRLF, non-UTF-8, nested, …) ends with the problem exit code
//! and every problem at `path:line:col`.
//!
//! The real binary runs with a config whose `faq_dir` is the folder, under
//! a memory limit and a hang guard (killed after 30 s: a hang, not the
//! speed claim; the time per folder is measured by
//! `cargo bench --bench check_hostile`).

#![cfg(unix)]

#[path = "support/common.rs"]
mod common;
#[path = "support/hostile_folders.rs"]
mod hostile;

use std::process::Output;
use std::time::Duration;

use common::{limited_memory, run_bounded};

/// Only a hang takes this long, even for a debug build on a busy machine.
const HANG: Duration = Duration::from_secs(30);

/// `faqbot --config CONFIG check`, with at most 2 GB of address space (a
/// regression that reads `/dev/zero` without end fails in seconds instead
/// of taking the machine's memory); `None` if it was killed by the guard.
fn check(config: &std::path::Path) -> Option<(Output, Duration)> {
    let mut command = limited_memory();
    command.args(["--config", config.to_str().expect("utf-8 path"), "check"]);
    run_bounded(command, HANG)
}

/// The `line:col` after the path in `rest` (`<path>:<line>:<col>: <message>`),
/// both at least 1.
fn position(rest: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = rest[from..].find(':') {
        let after = &rest[from + at + 1..];
        let mut parts = after.splitn(3, ':');
        let line = parts.next().and_then(|p| p.parse::<usize>().ok());
        let column = parts.next().and_then(|p| p.parse::<usize>().ok());
        let message = parts.next();
        if let (Some(line), Some(column), Some(message)) = (line, column, message)
            && line >= 1
            && column >= 1
            && message.starts_with(' ')
        {
            return Some((line, column));
        }
        from += at + 1;
    }
    None
}

/// What is wrong with one folder's run, if anything.
fn judge(folder: &hostile::Folder) -> Result<(), String> {
    let Some((output, took)) = check(&folder.config) else {
        return Err(format!("did not end within {HANG:?}"));
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = || format!("(took {took:?})\nstdout:\n{stdout}\nstderr:\n{stderr}");
    if output.status.code() != Some(1) {
        return Err(format!(
            "ended with {:?}, not the problem exit code 1 {}",
            output.status,
            shown()
        ));
    }
    let faq = folder.faq.display().to_string();
    let mut expected_seen = false;
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix(&faq) else {
            return Err(format!(
                "a line does not start with the folder's path: {line:?} {}",
                shown()
            ));
        };
        if position(rest).is_none() {
            return Err(format!(
                "a line without path:line:col: {line:?} {}",
                shown()
            ));
        }
        let at_expected = if folder.expect.is_empty() {
            rest.starts_with(':')
        } else {
            rest.starts_with(&format!("/{}", folder.expect))
        };
        expected_seen |= at_expected;
    }
    if !expected_seen {
        return Err(format!(
            "no problem at {:?} in the folder {}",
            folder.expect,
            shown()
        ));
    }
    Ok(())
}

#[test]
fn check_on_every_hostile_folder_ends_with_every_problem_at_path_line_col() {
    let folders = hostile::generate("test");
    assert_eq!(folders.folders.len(), 40);
    let mut names: Vec<&str> = folders.folders.iter().map(|f| f.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 40, "case names must be distinct");

    let failures: Vec<String> = folders
        .folders
        .iter()
        .filter_map(|folder| {
            judge(folder)
                .err()
                .map(|why| format!("{}: {why}", folder.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of 40 hostile folders failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_position_parser_reads_the_shape_check_prints() {
    assert_eq!(position("/a.toml:3:7: bad"), Some((3, 7)));
    assert_eq!(position("/a.toml:3: bad"), None);
    assert_eq!(position("/a.toml: bad"), None);
    assert_eq!(position("/a:b.toml:1:1: bad"), Some((1, 1)));
}

/// Found by the `odd-unicode-file-names` folder: a file named
/// `new<line break>line.toml` split its problem over two lines (the second
/// without the folder's path), and a right-to-left override in a name
/// turned the rest of the line around in a terminal. Both are escaped now.
#[test]
fn defect_a_line_break_or_a_bidi_override_in_a_file_name_no_longer_splits_or_turns_its_problem_line()
 {
    let problem = faqbot::problem::Problem::whole_file(
        std::path::Path::new("faq/entries/new\nline\u{202E}.toml"),
        "duplicate id (also in faq/entries/tab\there.toml)",
    );
    let shown = problem.to_string();
    assert_eq!(shown.lines().count(), 1, "{shown}");
    assert!(!shown.contains('\u{202E}'), "{shown}");
    assert_eq!(
        shown,
        "faq/entries/new\\nline\\u{202e}.toml:1:1: duplicate id (also in faq/entries/tab\\there.toml)"
    );
}
