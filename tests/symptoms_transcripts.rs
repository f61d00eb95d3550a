//! Whole conversations as snapshots: each tests/data/symptoms/transcripts/
//! NAME.replies (one reply per line; `back` goes back) is played through the
//! check and the transcript compared with NAME.txt. A change in wording,
//! order or outcome shows up as a diff a reviewer can read.
//!
//! To accept a change, run with `UPDATE_SNAPSHOTS=1` and review the diff.

#[path = "symptoms_support.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;

use faqbot::symptoms::{Conversation, Step, SymptomCheck};
use support::{real_check, repo_path};

fn render_step(out: &mut String, step: &Step) {
    match step {
        Step::Ask(prompt) => {
            let again = if prompt.is_reask {
                " (asked again, in simpler words)"
            } else {
                ""
            };
            let many = if prompt.multi {
                " (pick all that apply)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "Q{} [{}]{again}{many}: {}",
                prompt.number, prompt.question_id, prompt.text
            );
            let choices: Vec<String> = prompt
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{} {}", i + 1, c.label))
                .collect();
            let _ = writeln!(out, "   {}", choices.join(" | "));
        }
        Step::Done(outcome) => {
            let _ = writeln!(
                out,
                "OUTCOME {} (level {}, pattern {})",
                outcome.id, outcome.level, outcome.pattern
            );
            let _ = writeln!(out, "   {}", outcome.title);
            let _ = writeln!(out, "   {}", outcome.pattern_text);
            let _ = writeln!(out, "   {}", outcome.advice);
            let _ = writeln!(out, "   see also: {}", outcome.see_also.join(", "));
            let _ = writeln!(out, "   asked: {} questions", outcome.asked.len());
        }
    }
}

fn transcript(check: &SymptomCheck, replies: &str) -> String {
    let mut out = String::new();
    let (mut conversation, mut step) = Conversation::start(check);
    render_step(&mut out, &step);
    for reply in replies
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let _ = writeln!(out, "> {reply}");
        if reply == "back" {
            step = conversation.back(check);
            render_step(&mut out, &step);
            continue;
        }
        match conversation.answer(check, reply) {
            Ok(next) => {
                step = next;
                render_step(&mut out, &step);
            }
            Err(e) => {
                let _ = writeln!(out, "   ! {e}");
            }
        }
    }
    out
}

#[test]
fn transcripts_match_their_snapshots() {
    let check = real_check();
    let dir = repo_path("tests/data/symptoms/transcripts");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "replies"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for input in inputs {
        let replies = std::fs::read_to_string(&input).unwrap_or_default();
        let got = transcript(&check, &replies);
        let snapshot = input.with_extension("txt");
        let want = std::fs::read_to_string(&snapshot).ok();
        if update {
            std::fs::write(&snapshot, &got)
                .unwrap_or_else(|e| panic!("{}: {e}", snapshot.display()));
        } else if want.as_deref() != Some(got.as_str()) {
            failures.push(describe(&snapshot, want.as_deref().unwrap_or(""), &got));
        }
    }
    assert!(
        failures.is_empty(),
        "\n{}\n(run with UPDATE_SNAPSHOTS=1 to accept)",
        failures.join("\n")
    );
}

/// The first differing line of a snapshot.
fn describe(path: &Path, want: &str, got: &str) -> String {
    let line = want
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
    format!(
        "{} differs at line {}:\n  want: {}\n  got:  {}",
        path.display(),
        line + 1,
        want.lines().nth(line).unwrap_or("<end>"),
        got.lines().nth(line).unwrap_or("<end>")
    )
}
