//! Loader and validator: every broken fixture of tests/data/symptoms/broken
//! reports each of its expected problems, on the expected line, all at once,
//! and nothing else; the small valid fixture reports nothing.
//!
//! A fixture marks what it expects with comments: `# expect: text` at the end
//! of the line the problem is on, or `# expect below: text` on its own line
//! for the next line (for lines where a comment would be part of the error).
//! A new fixture is a new file; no code changes.

#[path = "symptoms_support.rs"]
mod support;

use std::path::Path;

use faqbot::problem::Problem;
use faqbot::symptoms::SymptomCheck;
use support::{faq_ids, repo_path};

/// Every problem of the file at `path`: the loader's, or else the validator's.
fn problems(path: &Path) -> Vec<Problem> {
    match SymptomCheck::load(path) {
        Ok(check) => check.validate(&faq_ids()),
        Err(problems) => problems,
    }
}

/// (line, text) pairs the fixture expects.
fn expectations(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if let Some(at) = line.find("# expect below:") {
            out.push((
                index + 2,
                line[at + "# expect below:".len()..].trim().to_owned(),
            ));
        } else if let Some(at) = line.find("# expect:") {
            out.push((index + 1, line[at + "# expect:".len()..].trim().to_owned()));
        }
    }
    out
}

#[test]
fn the_small_valid_fixture_has_no_problem() {
    let found = problems(&repo_path("tests/data/symptoms/small.toml"));
    let list: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert!(list.is_empty(), "{}", list.join("\n"));
}

#[test]
fn every_broken_fixture_reports_exactly_its_expected_problems() {
    let dir = repo_path("tests/data/symptoms/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 6,
        "expected the broken fixtures, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let expected = expectations(&source);
        assert!(!expected.is_empty(), "{name} expects nothing");
        let found = problems(path);
        for problem in &found {
            assert_eq!(problem.path, *path, "{name}: a problem names another file");
            assert!(problem.line >= 1 && problem.column >= 1);
        }
        for (line, text) in &expected {
            if !found
                .iter()
                .any(|p| p.line == *line && p.message.contains(text.as_str()))
            {
                failures.push(format!(
                    "{name}:{line}: expected a problem containing {text:?}"
                ));
            }
        }
        for problem in &found {
            let wanted = expected.iter().any(|(line, text)| {
                problem.line == *line && problem.message.contains(text.as_str())
            });
            if !wanted {
                failures.push(format!("{name}: unexpected problem {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_missing_file_is_one_problem_not_a_panic() {
    let found = problems(&repo_path("tests/data/symptoms/no-such-file.toml"));
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("cannot read"), "{}", found[0]);
}

#[test]
fn unsafe_edits_of_the_real_file_are_caught() {
    let real = std::fs::read_to_string(repo_path("faq/symptom-check.toml")).unwrap_or_default();
    let text = std::fs::read_to_string(repo_path("tests/data/symptoms/mutations.toml"))
        .unwrap_or_default();
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("mutations.toml: {e}"));
    let mutations = doc
        .get("mutation")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    assert!(!mutations.is_empty());
    let mut failures = Vec::new();
    for mutation in &mutations {
        let field = |key: &str| {
            mutation
                .get(key)
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (name, old, new, expect) = (field("name"), field("old"), field("new"), field("expect"));
        assert!(
            real.contains(&old),
            "mutation `{name}`: its `old` text is not in the file any more"
        );
        let edited = real.replacen(&old, &new, 1);
        let found = match SymptomCheck::from_source(Path::new("edited.toml"), &edited) {
            Ok(check) => check.validate(&faq_ids()),
            Err(problems) => problems,
        };
        if !found.iter().any(|p| p.message.contains(&expect)) {
            let list: Vec<String> = found.iter().map(ToString::to_string).collect();
            failures.push(format!(
                "`{name}` not caught as {expect:?}; found:\n  {}",
                list.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
