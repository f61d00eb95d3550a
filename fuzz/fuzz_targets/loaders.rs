//! The TOML (and TSV) loaders: arbitrary bytes as the content of one data
//! file, read through the same functions `faqbot check`, `faqbot run` and
//! `faqbot symptoms --answers` use (`files::read_text*`, then the file's
//! parser), so byte-order marks, invalid UTF-8 and sizes go the same way.
//!
//! The first byte chooses the file (modulo 10); the rest is its content:
//!
//! | byte | file | read by |
//! | --- | --- | --- |
//! | 0 | `entries/<id>.toml` | `faq::load_dir`, then `review::review` |
//! | 1 | `synonyms.toml` | `faq::load_dir` |
//! | 2 | `urgency.toml` | `faq::load_dir`, then `review::review` |
//! | 3 | `symptom-check.toml` | `SymptomCheck::from_source` |
//! | 4 | `config.toml` | `Config::load` |
//! | 5 | `emergency/lexicon.tsv` | `EmergencyScreen::load_dir` |
//! | 6 | `emergency/context.toml` | `EmergencyScreen::load_dir` |
//! | 7 | `emergency/flags.toml` | `EmergencyScreen::load_dir` |
//! | 8 | `emergency/model.tsv` | `EmergencyScreen::load_dir` |
//! | 9 | an answers file | `symptoms::run_answers` |
//!
//! The other files of each folder are the repository's own (`faq/`), so a
//! valid seed goes through every later check. Files are written to a
//! folder of this process under `/dev/shm` (or the temp dir).

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use faqbot::config::Config;
use faqbot::engine::CheckedFolder;
use faqbot::faq;
use faqbot::problem::Problem;
use faqbot::safety::EmergencyScreen;
use faqbot::symptoms::{self, SymptomCheck};
use libfuzzer_sys::fuzz_target;

const EMERGENCY_FILES: [&str; 4] = ["lexicon.tsv", "context.toml", "flags.toml", "model.tsv"];

fn repo_faq() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../faq")
}

/// This process's scratch folder, with one small FAQ folder per file kind,
/// made once.
fn scratch() -> &'static Path {
    static SCRATCH: OnceLock<PathBuf> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("faqbot-fuzz-loaders-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let repo = repo_faq();
        let entry = repo.join("entries/shin-splints.toml");
        for kind in ["entry", "synonyms", "urgency"] {
            let faq = dir.join(kind).join("entries");
            fs::create_dir_all(&faq).expect("create");
            if kind != "entry" {
                fs::copy(&entry, faq.join("shin-splints.toml")).expect("copy");
            }
        }
        let emergency = dir.join("emergency/emergency");
        fs::create_dir_all(&emergency).expect("create");
        for name in EMERGENCY_FILES {
            fs::copy(repo.join("emergency").join(name), emergency.join(name)).expect("copy");
        }
        dir
    })
}

/// The repository's symptom check, loaded once.
fn shipped() -> &'static SymptomCheck {
    static SHIPPED: OnceLock<SymptomCheck> = OnceLock::new();
    SHIPPED
        .get_or_init(|| SymptomCheck::load(&repo_faq().join("symptom-check.toml")).expect("loads"))
}

fn positioned(problems: &[Problem]) {
    for problem in problems {
        assert!(problem.line >= 1 && problem.column >= 1, "{problem}");
    }
}

/// `faq::load_dir` on `dir`, then the review `faqbot check` runs after it.
fn load_and_review(dir: &Path) {
    let (faq, problems) = faq::load_dir(dir);
    positioned(&problems);
    let checked = CheckedFolder {
        faq,
        symptoms: None,
        screen: None,
        problems,
    };
    // With the self-test: the matcher over whatever phrasings the entry has.
    let review = faqbot::review::review(dir, &checked, true);
    positioned(&review.warnings);
}

fuzz_target!(init: {
    let _ = (scratch(), shipped());
}, |data: &[u8]| {
    let Some((&which, content)) = data.split_first() else {
        return;
    };
    let scratch = scratch();
    match which % 10 {
        0 => {
            let dir = scratch.join("entry");
            fs::write(dir.join("entries/fuzzed.toml"), content).expect("write");
            load_and_review(&dir);
        }
        1 => {
            let dir = scratch.join("synonyms");
            fs::write(dir.join("synonyms.toml"), content).expect("write");
            let (_, problems) = faq::load_dir(&dir);
            positioned(&problems);
        }
        2 => {
            let dir = scratch.join("urgency");
            fs::write(dir.join("urgency.toml"), content).expect("write");
            load_and_review(&dir);
        }
        3 => {
            let path = scratch.join("symptom-check.toml");
            fs::write(&path, content).expect("write");
            let mut problems = Vec::new();
            if let Some(text) =
                faqbot::files::read_text(&path, faq::loader::MAX_FILE_BYTES, &mut problems)
            {
                // Not `validate` after it: walking every path of a check
                // that loads takes seconds under the sanitizer (the walk's
                // time is measured by `cargo bench --bench check_hostile`).
                if let Err(found) = SymptomCheck::from_source(&path, &text) {
                    positioned(&found);
                }
            }
            positioned(&problems);
        }
        4 => {
            let path = scratch.join("config.toml");
            fs::write(&path, content).expect("write");
            let _ = Config::load(Some(&path));
        }
        5..=8 => {
            let name = EMERGENCY_FILES[usize::from(which % 10 - 5)];
            let dir = scratch.join("emergency");
            let path = dir.join("emergency").join(name);
            let original = fs::read(repo_faq().join("emergency").join(name)).expect("read");
            fs::write(&path, content).expect("write");
            if let Err(problems) = EmergencyScreen::load_dir(&dir) {
                positioned(&problems);
            }
            fs::write(&path, original).expect("restore");
        }
        _ => {
            let text = String::from_utf8_lossy(content);
            let _ = symptoms::run_answers(shipped(), &text);
        }
    }
});
