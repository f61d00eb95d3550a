//! Writes the realistic large FAQ of the benches (issue 14, item 1):
//! `benches/support/realistic.rs`, the shipped `faq/` padded with generated
//! ordinary health questions.
//!
//! ```sh
//! cargo run --release --example realistic_faq -- OUT_DIR [N]
//! ```
//!
//! writes, for N entries (default 10,000):
//! - `OUT_DIR/`: a full copy of `faq/` with the generated entries as files,
//!   loadable by the bot;
//! - `OUT_DIR.config.toml`: a config with `faq_dir = OUT_DIR`, for
//!   `faqbot --config OUT_DIR.config.toml ask "…"`;
//! - `OUT_DIR.questions.txt`: every entry's question, one per line;
//! - `OUT_DIR.messages.tsv`: the benchmark's messages, `kind<TAB>message`
//!   per line (`decide_realistic` in `benches/matcher.rs`).
//!
//! The last two are what `scripts/rapidfuzz-baseline` reads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use faqbot::faq::{Matcher, MatcherSettings, load_dir};

#[path = "../benches/support/realistic.rs"]
mod realistic;

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().expect("OUT_DIR has a name").to_owned();
    name.push(suffix);
    dir.with_file_name(name)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), size) = (args.first(), args.get(1)) else {
        eprintln!("usage: realistic_faq OUT_DIR [N]");
        return ExitCode::from(2);
    };
    let size = match size.map(|n| n.replace(['_', ','], "").parse::<usize>()) {
        None => realistic::SIZE,
        Some(Ok(n)) => n,
        Some(Err(error)) => {
            eprintln!("N: {error}");
            return ExitCode::from(2);
        }
    };
    let out = std::path::absolute(out).expect("an absolute path");
    if out.exists() {
        eprintln!("{} exists: give a new folder", out.display());
        return ExitCode::from(2);
    }
    let (texts, generated) = realistic::write_faq(&out, size);
    let (faq, problems) = load_dir(&out);
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        return ExitCode::from(1);
    }
    println!(
        "{}: {} entries ({} generated)",
        out.display(),
        faq.entries.len(),
        generated.len()
    );
    println!("{}", realistic::curve_report(&texts));

    let questions: String = faq
        .entries
        .iter()
        .map(|entry| format!("{}\n", entry.question.replace('\n', " ")))
        .collect();
    let messages = realistic::messages(&generated);
    let tsv: String = messages
        .iter()
        .map(|(kind, message)| format!("{kind}\t{message}\n"))
        .collect();
    let config = format!(
        "# The realistic FAQ of examples/realistic_faq.rs.\nfaq_dir = \"{}\"\n",
        out.display()
    );
    for (suffix, text) in [
        (".questions.txt", questions),
        (".messages.tsv", tsv),
        (".config.toml", config),
    ] {
        let path = sibling(&out, suffix);
        fs::write(&path, text).expect("write a list");
        println!("wrote {}", path.display());
    }

    let (entry, _) = realistic::padded_question(&generated);
    let matcher = Matcher::new(&faq, MatcherSettings::default());
    for (kind, message) in &messages {
        let verdict = matcher.decide(message);
        let best: Vec<String> = verdict
            .candidates
            .iter()
            .map(|c| format!("{} {:.2}", c.id, c.score))
            .collect();
        println!(
            "{kind}: {:?} [{}]{}",
            verdict.decision,
            best.join(", "),
            if *kind == "padded_question" {
                format!(" ({message:?} asks {}: {:?})", entry.id, entry.question)
            } else {
                String::new()
            }
        );
    }
    ExitCode::SUCCESS
}
