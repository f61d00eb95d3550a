//! Helpers shared by the symptom-check tests (included with `#[path]`):
//! the real check file, the FAQ ids it may point to, and the case suite.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use faqbot::symptoms::{Conversation, Prompt, Step, SymptomCheck};

/// The question a step asks; panics on an outcome.
pub fn ask(step: &Step) -> &Prompt {
    match step {
        Step::Ask(prompt) => prompt,
        Step::Done(outcome) => panic!("expected a question, got outcome {}", outcome.id),
    }
}

/// Gives a typed reply; panics if it is refused.
pub fn answer(conversation: &mut Conversation, check: &SymptomCheck, reply: &str) -> Step {
    conversation
        .answer(check, reply)
        .unwrap_or_else(|e| panic!("{reply:?} was refused: {e}"))
}

/// The FAQ entry ids outcomes may point to (the entries of faq/entries).
pub const FAQ_IDS: [&str; 24] = [
    "most-common-cause",
    "muscle-strain",
    "serious-condition",
    "prevention",
    "self-care",
    "when-to-seek-help",
    "sciatica",
    "blood-clot",
    "diagnosis",
    "treatment",
    "arthritis",
    "obesity",
    "herniated-disc",
    "stress-fracture",
    "causes-overview",
    "peripheral-artery-disease",
    "lumbar-spinal-stenosis",
    "active-people",
    "leg-cramps",
    "emergency-signs",
    "shin-splints",
    "bakers-cyst",
    "compartment-syndrome",
    "circulation-or-nerves",
];

/// [`FAQ_IDS`] as a set.
pub fn faq_ids() -> BTreeSet<String> {
    FAQ_IDS.iter().map(|s| (*s).to_owned()).collect()
}

/// A path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The real faq/symptom-check.toml; panics with every problem if it does
/// not load.
pub fn real_check() -> SymptomCheck {
    let path = repo_path("faq/symptom-check.toml");
    match SymptomCheck::load(&path) {
        Ok(check) => check,
        Err(problems) => {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            panic!("faq/symptom-check.toml does not load:\n{}", list.join("\n"));
        }
    }
}

/// The real check with its `[[screen]]` tables taken out, so every
/// question is asked on its own, one after another: the check as it ran
/// before screens, for tests of the one-by-one flow and to compare
/// outcomes with and without screens.
pub fn real_check_one_by_one() -> SymptomCheck {
    let path = repo_path("faq/symptom-check.toml");
    let text = std::fs::read_to_string(&path).expect("faq/symptom-check.toml is readable");
    let mut kept = String::new();
    let mut in_screen = false;
    for line in text.lines() {
        if line.trim() == "[[screen]]" {
            in_screen = true;
        } else if in_screen && line.trim().is_empty() {
            in_screen = false;
        }
        if !in_screen {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    assert!(!kept.lines().any(|line| line.trim() == "[[screen]]"));
    match SymptomCheck::from_source(&path, &kept) {
        Ok(check) => {
            assert!(check.screens.is_empty());
            check
        }
        Err(problems) => {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            panic!(
                "the check without screens does not load:\n{}",
                list.join("\n")
            );
        }
    }
}

/// One case of tests/data/symptoms/cases.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file it is in.
    pub file: String,
    /// A short unique name.
    pub name: String,
    /// The person, in lay words.
    pub description: String,
    /// The expected level id.
    pub level: String,
    /// The expected leading pattern id.
    pub pattern: String,
    /// The answers file to run, as `run_answers` takes it (defaults merged).
    pub answers_toml: String,
}

/// Every case of every file of tests/data/symptoms/cases, in file order.
#[allow(dead_code)] // each test binary uses some of these helpers
pub fn cases() -> Vec<Case> {
    cases_in("tests/data/symptoms/cases")
}

/// Every case of every `.toml` file of a case folder (relative to the
/// repository), in file order.
#[allow(dead_code)]
pub fn cases_in(folder: &str) -> Vec<Case> {
    let dir = repo_path(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let defaults = doc
            .get("defaults")
            .and_then(|d| d.get("answers"))
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        let list = doc
            .get("case")
            .and_then(toml::Value::as_array)
            .cloned()
            .unwrap_or_default();
        for case in list {
            let field = |key: &str| {
                case.get(key)
                    .and_then(toml::Value::as_str)
                    .unwrap_or_else(|| panic!("{file}: a case has no `{key}`"))
                    .to_owned()
            };
            let mut answers = defaults.clone();
            if let Some(given) = case.get("answers").and_then(toml::Value::as_table) {
                for (key, value) in given {
                    answers.insert(key.clone(), value.clone());
                }
            }
            let mut script = toml::Table::new();
            script.insert("answers".to_owned(), toml::Value::Table(answers));
            out.push(Case {
                file: file.clone(),
                name: field("name"),
                description: field("description"),
                level: field("level"),
                pattern: field("pattern"),
                answers_toml: toml::to_string(&script).unwrap_or_default(),
            });
        }
    }
    out
}
