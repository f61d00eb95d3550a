//! Helpers shared by the `admin_*` tests (included with `#[path]`): a
//! private copy of the real `faq/` folder under the system's temporary
//! folder, so no test ever touches the files moderators edit, and a config
//! and engine over it.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use faqbot::admin::{AdminSettings, Change, FaqFolder};
use faqbot::config::Config;
use faqbot::engine::Engine;

#[path = "support/common.rs"]
pub mod common;
use common::{copy_tree, manifest_dir};

/// A temporary folder holding a copy of `faq/` (as `faq/`) and room for a
/// database; removed when dropped.
pub struct Sandbox {
    pub root: PathBuf,
    pub faq: PathBuf,
    pub config: Config,
    pub admin: AdminSettings,
}

impl Sandbox {
    pub fn new(name: &str) -> Sandbox {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let root = std::env::temp_dir().join(format!(
            "faqbot-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&root);
        let faq = root.join("faq");
        copy_tree(&manifest_dir().join("faq"), &faq);
        let config = Config {
            faq_dir: faq.clone(),
            ..Config::default()
        };
        let admin = AdminSettings {
            database: root.join("admin.sqlite3"),
            ..AdminSettings::default()
        };
        Sandbox {
            root,
            faq,
            config,
            admin,
        }
    }

    pub fn engine(&self) -> Engine {
        Engine::load(&self.config).expect("the copy of faq/ loads")
    }

    pub fn entry_path(&self, id: &str) -> PathBuf {
        self.faq.join("entries").join(format!("{id}.toml"))
    }

    pub fn read_entry(&self, id: &str) -> String {
        fs::read_to_string(self.entry_path(id)).expect("entry file")
    }

    /// Writes a file the way an editor would (not atomically).
    pub fn write(&self, relative: &str, text: &str) {
        fs::write(self.faq.join(relative), text).expect("write");
    }

    /// Files in the entries folder, hidden ones included.
    pub fn entry_file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.faq.join("entries"))
            .expect("entries folder")
            .map(|item| {
                item.expect("item")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Replaces `from` by `to` in a text, insisting that it is there.
pub fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not found");
    text.replacen(from, to, 1)
}

/// Replaces a file's text in one step (a temporary file renamed over it),
/// so a reader sees the old text or the new one, never half of one.
pub fn atomic_replace(path: &Path, text: &str) -> std::io::Result<()> {
    let temporary = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    fs::write(&temporary, text)?;
    fs::rename(&temporary, path)
}

/// An edit of the entry `id` as a moderator makes it: the entry's form opened
/// now, its answer replaced by what `answer` makes of the current one.
pub fn answer_edit(
    folder: &FaqFolder,
    engine: &Engine,
    id: &str,
    answer: impl FnOnce(&str) -> String,
) -> Change {
    let form = folder.open_entry(engine, id).expect("the entry opens");
    let mut draft = form.draft();
    draft.answer = answer(&form.answer);
    Change::Edit {
        id: form.id,
        base_version: form.version,
        draft,
    }
}
