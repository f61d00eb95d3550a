//! `faqbot check`: what a moderator sees after editing the FAQ.
//!
//! The shipped `faq/` must pass, with a one-line summary and every entry
//! listed by `--json`. The fixture `tests/data/broken-faq/` holds one mistake
//! per file (see its README); `check` must report all of them in one run, each
//! as `path:line:col: message` at the right line, and the bot must refuse to
//! start on that folder. The last test loads the real FAQ through the library
//! and holds it to the editorial rules (sources, length, phrasings, links).

#[path = "support/common.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{TempDir, copy_tree, faqbot, manifest_dir};

/// The 24 entries the shipped FAQ has.
/// The ids of the shipped entries: the file names under faq/entries/.
fn shipped_ids() -> BTreeSet<String> {
    std::fs::read_dir(manifest_dir().join("faq/entries"))
        .expect("faq/entries")
        .filter_map(|item| item.ok())
        .filter_map(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect()
}

/// The problems in tests/data/broken-faq: the file (relative to the folder),
/// the line, and a word the message must contain.
const EXPECTED_PROBLEMS: [(&str, usize, &str); 11] = [
    ("entries/bad-syntax.toml", 3, "invalid TOML"),
    ("entries/unknown-key.toml", 5, "answr"),
    ("extra/valid-entry.toml", 2, "duplicate id"),
    ("entries/empty-answer.toml", 5, "empty"),
    ("entries/long-answer.toml", 5, "1500"),
    ("entries/dangling-link.toml", 7, "no-such-entry"),
    ("entries/wrong-name.toml", 4, "file name"),
    ("entries/bad-placeholder.toml", 5, "{9x9}"),
    ("entries/no-sources.toml", 2, "[[sources]]"),
    ("synonyms.toml", 4, "one word"),
    ("symptom-check.toml", 1, "symptom check file not found"),
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits `path:line:col: message`.
fn parse_problem_line(line: &str) -> (String, usize, usize, String) {
    let mut parts = line.splitn(4, ':');
    let path = parts.next().unwrap_or_default().to_owned();
    let number = |part: Option<&str>| -> usize {
        part.and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("not `path:line:col: message`: {line:?}"))
    };
    let line_number = number(parts.next());
    let column = number(parts.next());
    let message = parts
        .next()
        .unwrap_or_else(|| panic!("no message: {line:?}"))
        .trim()
        .to_owned();
    (path, line_number, column, message)
}

/// Checks that `problems` (path relative to broken-faq, line, message) are
/// exactly the expected ones, each once.
fn assert_expected_problems(problems: &[(String, usize, String)], listing: &str) {
    assert_eq!(
        problems.len(),
        EXPECTED_PROBLEMS.len(),
        "expected one problem per broken file:\n{listing}"
    );
    let found: BTreeSet<(String, usize)> = problems
        .iter()
        .map(|(path, line, _)| (path.clone(), *line))
        .collect();
    let expected: BTreeSet<(String, usize)> = EXPECTED_PROBLEMS
        .iter()
        .map(|(path, line, _)| ((*path).to_owned(), *line))
        .collect();
    assert_eq!(found, expected, "problem positions differ:\n{listing}");
    for (path, line, word) in EXPECTED_PROBLEMS {
        let (_, _, message) = problems
            .iter()
            .find(|(p, l, _)| p == path && *l == line)
            .expect("position checked above");
        assert!(
            message.contains(word),
            "{path}:{line}: message {message:?} should mention {word:?}"
        );
    }
}

/// `faqbot --config <shipped FAQ> check ARGS`, in a temporary folder named
/// after the test.
fn check_with_shipped_config(test_name: &str, args: &[&str]) -> std::process::Output {
    let temp = TempDir::new(test_name);
    let config = temp.shipped_config();
    let mut all_args = vec!["--config", config.to_str().expect("utf-8 path"), "check"];
    all_args.extend_from_slice(args);
    faqbot(&all_args, "")
}

#[test]
fn check_passes_on_the_shipped_faq_with_a_one_line_summary() {
    let output = check_with_shipped_config("summary", &["faq"]);
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "check failed: {stdout}{}",
        text(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected a one-line summary, got:\n{stdout}"
    );
    assert!(lines[0].contains("ok"), "{stdout}");
    assert!(
        lines[0].contains(&format!("{} FAQ entries", shipped_ids().len())),
        "{stdout}"
    );
}

#[test]
fn check_json_lists_every_shipped_entry() {
    let output = check_with_shipped_config("json-ok", &["--json", "faq"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("check --json prints JSON");
    assert_eq!(report["ok"], serde_json::Value::Bool(true), "{report}");
    let entries: BTreeSet<&str> = report["entries"]
        .as_array()
        .expect("entries is a list")
        .iter()
        .map(|id| id.as_str().expect("ids are strings"))
        .collect();
    let expected = shipped_ids();
    assert_eq!(entries, expected.iter().map(String::as_str).collect());
    assert_eq!(
        report["problems"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
}

#[test]
fn check_passes_on_the_small_good_fixture() {
    let output = check_with_shipped_config("good-fixture", &["tests/data/good-faq"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("2 FAQ entries"), "{stdout}");
}

#[test]
fn check_lists_every_problem_of_a_broken_folder_at_once() {
    let output = check_with_shipped_config("broken-text", &["tests/data/broken-faq"]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "check must exit 1 on problems:\n{stdout}{}",
        text(&output.stderr)
    );
    let prefix = "tests/data/broken-faq/";
    let problems: Vec<(String, usize, String)> = stdout
        .lines()
        .map(|line| {
            let (path, line_number, column, message) = parse_problem_line(line);
            assert!(column >= 1, "columns are 1-based: {line}");
            let relative = path
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("path {path:?} should start with {prefix}"))
                .to_owned();
            (relative, line_number, message)
        })
        .collect();
    assert_expected_problems(&problems, &stdout);
}

#[test]
fn check_json_reports_not_ok_with_every_problem() {
    let output = check_with_shipped_config("broken-json", &["--json", "tests/data/broken-faq"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("check --json prints JSON");
    assert_eq!(report["ok"], serde_json::Value::Bool(false), "{report}");
    let problems: Vec<(String, usize, String)> = report["problems"]
        .as_array()
        .expect("problems is a list")
        .iter()
        .map(|problem| {
            let path = problem["path"].as_str().expect("path is a string");
            let relative = Path::new(path)
                .strip_prefix("tests/data/broken-faq")
                .unwrap_or_else(|_| panic!("path {path:?} is outside the folder"));
            assert!(problem["column"].as_u64().is_some_and(|c| c >= 1));
            (
                relative.display().to_string(),
                problem["line"].as_u64().expect("line is a number") as usize,
                problem["message"]
                    .as_str()
                    .expect("message is a string")
                    .to_owned(),
            )
        })
        .collect();
    assert_expected_problems(&problems, &report.to_string());
}

#[test]
fn check_without_a_folder_argument_uses_the_config_faq_dir() {
    let temp = TempDir::new("config-dir");
    let config = temp.config(&manifest_dir().join("tests/data/broken-faq"), "");
    let output = faqbot(
        &["--config", config.to_str().expect("utf-8 path"), "check"],
        "",
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout).lines().count(),
        EXPECTED_PROBLEMS.len(),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn check_reports_a_missing_folder_without_panicking() {
    let temp = TempDir::new("missing");
    let config = temp.shipped_config();
    let missing = temp.0.join("no-such-folder");
    for json in [false, true] {
        let mut args = vec!["--config", config.to_str().expect("utf-8 path"), "check"];
        if json {
            args.push("--json");
        }
        args.push(missing.to_str().expect("utf-8 path"));
        let output = faqbot(&args, "");
        let stdout = text(&output.stdout);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stdout.contains("not found"), "{stdout}");
        assert!(stdout.contains("no-such-folder"), "{stdout}");
        if json {
            let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
            assert_eq!(report["ok"], serde_json::Value::Bool(false));
        }
    }
}

/// The bot must not start on a broken FAQ, and must say why: every problem.
fn assert_refuses_to_start(args: &[&str], stdin: &str) {
    let temp = TempDir::new(&format!("refuse-{}", args[0]));
    let broken = manifest_dir().join("tests/data/broken-faq");
    let config = temp.config(&broken, "");
    let mut all_args = vec!["--config", config.to_str().expect("utf-8 path")];
    all_args.extend_from_slice(args);
    let output = faqbot(&all_args, stdin);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(
        !output.status.success(),
        "{args:?} started on a broken FAQ:\n{stdout}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !stdout.contains("not medical advice"),
        "{args:?} answered from a broken FAQ:\n{stdout}"
    );
    for (file, line, word) in EXPECTED_PROBLEMS {
        let position = format!("{}:{line}:", broken.join(file).display());
        let reported = stderr
            .lines()
            .find(|l| l.starts_with(&position))
            .unwrap_or_else(|| panic!("{args:?}: stderr does not list {position}\n{stderr}"));
        assert!(reported.contains(word), "{reported}");
    }
}

#[test]
fn chat_refuses_to_start_on_a_broken_faq_and_lists_the_problems() {
    assert_refuses_to_start(&["chat"], "can sciatica make my legs hurt\n");
}

#[test]
fn ask_refuses_to_start_on_a_broken_faq_and_lists_the_problems() {
    assert_refuses_to_start(&["ask", "can sciatica make my legs hurt"], "");
    assert_refuses_to_start(&["ask", "--json"], "can sciatica make my legs hurt\n");
}

#[test]
fn shipped_faq_loads_without_problems_and_follows_the_editorial_rules() {
    let (faq, problems) = faqbot::faq::load_dir(&manifest_dir().join("faq"));
    let listing: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "faq/ has problems:\n{}",
        listing.join("\n")
    );
    assert_eq!(faq.entries.len(), shipped_ids().len());

    let mut failures = Vec::new();
    for entry in &faq.entries {
        let id = &entry.id;
        if !entry
            .sources
            .iter()
            .any(|source| source.url.starts_with("https://"))
        {
            failures.push(format!("{id}: no source with an https:// address"));
        }
        if entry
            .sources
            .iter()
            .any(|source| source.title.trim().is_empty())
        {
            failures.push(format!("{id}: a source has no title"));
        }
        let answer_chars = entry.answer.chars().count();
        if answer_chars > 1_500 {
            failures.push(format!("{id}: answer is {answer_chars} characters"));
        }
        if entry.alternates.len() < 5 {
            failures.push(format!(
                "{id}: only {} alternate phrasings (at least 5)",
                entry.alternates.len()
            ));
        }
        for target in &entry.see_also {
            if target == id || faq.get(target).is_none() {
                failures.push(format!("{id}: see_also `{target}` is not another entry"));
            }
        }
        if entry.path.file_stem().and_then(|s| s.to_str()) != Some(id.as_str()) {
            failures.push(format!(
                "{id}: file {} is not named after the id",
                entry.path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `check` measures the reply as it is sent (answer, urgency blocks, filled
/// placeholders): an answer that the symptom-check offer would push past
/// Discord's 4,096 characters gets a warning, and one that is too long even
/// alone gets the stronger one. Both stay warnings: the FAQ still loads.
#[test]
fn check_warns_when_a_rendered_answer_would_be_cut() {
    let temp = TempDir::new("length");
    let faq = temp.0.join("faq");
    copy_tree(&manifest_dir().join("faq"), &faq);
    let entry = faq.join("entries/hip-pain.toml");
    let original = std::fs::read_to_string(&entry).expect("hip-pain");
    let config = temp.config(&faq, "");
    let check = || {
        let output = faqbot(&["--config", config.to_str().expect("utf-8"), "check"], "");
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let lengthen = |extra: usize| {
        let padding = "Walk a little more each week. ".repeat(extra / 30 + 1);
        let longer = original.replacen(
            "It often goes in a few weeks with rest.",
            &format!("It often goes in a few weeks with rest. {padding}"),
            1,
        );
        assert_ne!(longer, original, "the sentence to lengthen is gone");
        std::fs::write(&entry, longer).expect("write");
    };
    lengthen(60);
    let with_offer = check();
    assert!(
        with_offer.contains("hip-pain.toml") && with_offer.contains("symptom-check offer"),
        "{with_offer}"
    );
    lengthen(400);
    let alone = check();
    assert!(
        alone.contains("hip-pain.toml") && alone.contains("Discord takes at most 4096"),
        "{alone}"
    );
}

/// Issue 12: `check --self-test` puts every entry's question and alternates
/// through the matcher and names each that does not get its own entry, at
/// its line, with the reason; `--strict` makes them problems.
#[test]
fn check_self_test_names_each_phrasing_that_misses_its_entry_with_the_reason() {
    let temp = TempDir::new("phrasings");
    let faq = temp.0.join("faq");
    copy_tree(&manifest_dir().join("faq"), &faq);
    let entry = faq.join("entries/statins.toml");
    let original = std::fs::read_to_string(&entry).expect("statins");
    // One phrasing with the same words as another entry's, one the topic gate refuses.
    let edited = original.replacen(
        "alternates = [\n",
        "alternates = [\n  \"my calf cramps in bed\",\n  \"do statins make my arm and shoulder ache\",\n",
        1,
    );
    assert_ne!(edited, original, "the alternates to extend are gone");
    std::fs::write(&entry, edited).expect("write");
    let config = temp.config(&faq, "");
    let run = |args: &[&str]| {
        let mut all = vec!["--config", config.to_str().expect("utf-8"), "check"];
        all.extend_from_slice(args);
        faqbot(&all, "")
    };

    let skipped = run(&["--no-self-test"]);
    assert!(skipped.status.success(), "{}", text(&skipped.stderr));
    assert!(
        !text(&skipped.stdout).contains("warning: self-test"),
        "--no-self-test skips it"
    );
    // On by default; `--self-test` is still accepted and changes nothing.
    let asked = run(&["--self-test"]);
    let output = run(&[]);
    assert_eq!(text(&asked.stdout), text(&output.stdout));
    assert!(
        output.status.success(),
        "warnings only: {}",
        text(&output.stderr)
    );
    let stdout = text(&output.stdout);
    let line_of = |needle: &str| {
        stdout
            .lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no self-test line for {needle}:\n{stdout}"))
            .to_owned()
    };
    // The same words as leg-cramps' "calf cramp in bed".
    let cramps = line_of("\"my calf cramps in bed\"");
    let (path, line, _, message) = parse_problem_line(&cramps);
    assert!(path.ends_with("entries/statins.toml"), "{cramps}");
    assert_eq!(line, 6, "{cramps}");
    assert!(
        message.contains("does not get `statins`")
            && message.contains("the same words")
            && message.contains("`leg-cramps`"),
        "{cramps}"
    );
    // "arm" and "shoulder" are listed as other subjects in synonyms.toml:
    // a phrasing does not change that (only a word that is another subject
    // by its stem alone, like "stockings" read as "stock").
    let router = line_of("\"do statins make my arm and shoulder ache\"");
    assert_eq!(parse_problem_line(&router).1, 7, "{router}");
    assert!(
        router.contains("topic gate") && router.contains("\"arm\""),
        "{router}"
    );

    let strict = run(&["--self-test", "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict.stdout));
}
