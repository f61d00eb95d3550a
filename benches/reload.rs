//! How fast an edited FAQ entry goes live: one [`FaqFolder::reload`] after
//! an entry's file changed (read and check the whole folder, build the
//! index, swap it in). The watcher adds its debounce (500 ms by default)
//! and one poll to this; `tests/admin_reload.rs` shows that a change goes
//! live, this benchmark how fast.
//!
//! Also a start-up's loading of `faq/` (`start/…`): with the symptom check
//! remembered as validated ([`ValidationRecord`], every start but the first
//! after a change), and with its walk over every path.
//!
//! The 10,000-entry cases: `faq/` grown by cloning its entries
//! (`support/grown.rs`) and padded with ordinary health questions
//! (`support/realistic.rs`), each written as files.
//!
//! Run: `cargo bench --bench reload`.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/support/common.rs"]
mod common;
#[path = "support/grown.rs"]
mod grown;
#[path = "support/realistic.rs"]
mod realistic;
use common::{copy_tree, manifest_dir};
use faqbot::admin::FaqFolder;
use faqbot::config::Config;
use faqbot::engine::{Engine, Knowledge};
use faqbot::symptoms::ValidationRecord;

fn bench_reload(c: &mut Criterion) {
    let root = std::env::temp_dir().join(format!("faqbot-bench-reload-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let faq = root.join("faq");
    copy_tree(&manifest_dir().join("faq"), &faq);
    let config = Config {
        faq_dir: faq.clone(),
        ..Config::default()
    };
    let engine = Engine::load(&config).expect("the copy of faq/ loads");
    let folder = FaqFolder::new(&engine, &config, None);
    let entry = faq.join("entries").join("leg-cramps.toml");
    let original = fs::read_to_string(&entry).expect("entry file");
    let marker = "answer = \"\"\"\n";
    assert!(
        original.contains(marker),
        "the entry has a multi-line answer"
    );
    let mut edit = 0u64;
    c.bench_function("reload/one_entry_edited", |b| {
        b.iter(|| {
            edit += 1;
            let edited = original.replacen(marker, &format!("{marker}EDIT-{edit} "), 1);
            fs::write(&entry, edited).expect("write the entry");
            let report = folder.reload(&engine, SystemTime::now());
            assert!(report.applied, "{report:?}");
        })
    });
    let _ = fs::remove_dir_all(&root);
}

/// A copy of `faq/` grown to `size` entries ([`grown`]), as files: answers,
/// keywords and signs are the real ones.
fn grown_faq(to: &Path, size: usize) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
    copy_tree(&from, to);
    let mut names: Vec<_> = fs::read_dir(from.join("entries"))
        .expect("faq/entries")
        .map(|item| item.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    names.sort();
    let texts: Vec<(String, String)> = names
        .iter()
        .map(|path| {
            let id = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            (id, fs::read_to_string(path).expect("entry text"))
        })
        .collect();
    for k in 0..size.saturating_sub(texts.len()) {
        let (id, text) = &texts[k % texts.len()];
        let new_id = format!("{id}-v{k}");
        let mut out = String::with_capacity(text.len() + 2_000);
        let mut in_alternates = false;
        for line in text.lines() {
            if line == format!("id = \"{id}\"") {
                out.push_str(&format!("id = \"{new_id}\""));
            } else if let Some(real) = line
                .strip_prefix("question = \"")
                .and_then(|rest| rest.strip_suffix('"'))
            {
                out.push_str(&format!("question = \"{}\"", grown::question(real, k)));
            } else if let Some(real) = line
                .strip_prefix("  \"")
                .and_then(|rest| rest.strip_suffix("\","))
                .filter(|_| in_alternates)
            {
                out.push_str(&format!("  \"{}\",", grown::alternate(real, k)));
            } else {
                out.push_str(line);
            }
            out.push('\n');
            if line.starts_with("alternates = [") {
                in_alternates = true;
            } else if line == "]" {
                in_alternates = false;
            }
        }
        fs::write(to.join("entries").join(format!("{new_id}.toml")), out).expect("write a clone");
    }
}

fn bench_start(c: &mut Criterion) {
    let faq = Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
    let config = Config::default();
    let dir = tempfile::tempdir().expect("a folder for the record");
    let record = ValidationRecord::in_dir(dir.path());
    Knowledge::load_with_record(&faq, &config, &record).expect("faq/ loads");
    let mut group = c.benchmark_group("start");
    group.bench_function("load_faq_validated_before", |b| {
        b.iter(|| Knowledge::load_with_record(&faq, &config, &record).expect("faq/ loads"))
    });
    group.sample_size(10);
    let large = dir.path().join("faq-10000");
    grown_faq(&large, 10_000);
    let (faq_10k, problems) = faqbot::faq::load_dir(&large);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(faq_10k.entries.len(), 10_000);
    Knowledge::load_with_record(&large, &config, &record).expect("the grown faq loads");
    group.bench_function("load_faq_10000_entries_validated_before", |b| {
        b.iter(|| Knowledge::load_with_record(&large, &config, &record).expect("loads"))
    });
    let realistic_dir = dir.path().join("faq-realistic-10000");
    realistic::write_faq(&realistic_dir, realistic::SIZE);
    let (faq_realistic, problems) = faqbot::faq::load_dir(&realistic_dir);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(faq_realistic.entries.len(), realistic::SIZE);
    Knowledge::load_with_record(&realistic_dir, &config, &record).expect("the realistic faq loads");
    group.bench_function("load_faq_10000_realistic_validated_before", |b| {
        b.iter(|| Knowledge::load_with_record(&realistic_dir, &config, &record).expect("loads"))
    });
    group.bench_function("load_faq_walking_every_path", |b| {
        b.iter(|| {
            Knowledge::load_with_record(&faq, &config, &ValidationRecord::off())
                .expect("faq/ loads")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_reload, bench_start);
criterion_main!(benches);
