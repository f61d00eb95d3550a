//! A record, kept between runs, of the symptom checks that validated clean.
//!
//! [`SymptomCheck::validate`] walks every path through the check and takes
//! most of a second; everything else a start-up does takes a few tens of
//! milliseconds. Its result depends only on the check's text, the FAQ's
//! entry ids and the program that ran it, so a clean run is remembered as
//! one SHA-256 over those three ([`ValidationRecord::key`]) in a small file
//! in the user's cache folder, and a start-up whose files match a remembered
//! key skips the walk. `faqbot check` always walks every path (and
//! remembers a clean result); so does a reload of files that changed.
//!
//! Only clean results are remembered: a check with any problem is walked
//! again at every start and refused as before. A key changes with any byte
//! of the check, any entry id added or removed, and any new build of
//! faqbot (the executable's size and modification time, with the version),
//! so a record can never vouch for text or code it did not see. The file
//! holds hashes only: no message, no id of a person, no FAQ text.
//!
//! Where: `$FAQBOT_CACHE_DIR`, else `$XDG_CACHE_HOME/faqbot`, else
//! `$HOME/.cache/faqbot`; `FAQBOT_CACHE_DIR=off` (or no home at all) turns
//! the record off and every start-up validates. A record that cannot be read
//! or written is only logged: the bot then validates as if it were empty.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::model::SymptomCheck;
use crate::problem::Problem;

/// The record's file name inside the cache folder.
const FILE_NAME: &str = "validated-symptom-checks";
/// Keys kept: the newest, one per line.
const KEPT: usize = 32;
/// The record is refused beyond this size (it is normally ~2 KB).
const MAX_BYTES: u64 = 64 * 1024;

/// Where clean validations are remembered, or nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRecord {
    file: Option<PathBuf>,
}

impl ValidationRecord {
    /// The record in the user's cache folder (see the module notes).
    pub fn from_env() -> ValidationRecord {
        let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        let dir = match var("FAQBOT_CACHE_DIR") {
            Some(value) if value == "off" => None,
            Some(value) => Some(PathBuf::from(value)),
            None => var("XDG_CACHE_HOME")
                .map(|cache| PathBuf::from(cache).join("faqbot"))
                .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache/faqbot"))),
        };
        ValidationRecord {
            file: dir.map(|dir| dir.join(FILE_NAME)),
        }
    }

    /// A record kept in `dir`.
    pub fn in_dir(dir: &Path) -> ValidationRecord {
        ValidationRecord {
            file: Some(dir.join(FILE_NAME)),
        }
    }

    /// No record: every validation walks every path.
    pub fn off() -> ValidationRecord {
        ValidationRecord { file: None }
    }

    /// The key of a clean validation of `check` against `faq_ids` by this
    /// build of faqbot, as 64 hex digits.
    pub fn key(check: &SymptomCheck, faq_ids: &BTreeSet<String>) -> String {
        let mut hash = Sha256::new();
        let mut part = |bytes: &[u8]| {
            // Each part with its length, so no two inputs run together.
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        part(b"faqbot symptom-check validation 1");
        part(env!("CARGO_PKG_VERSION").as_bytes());
        part(build_identity().as_bytes());
        part(check.source.as_bytes());
        for id in faq_ids {
            part(id.as_bytes());
        }
        hash.finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// Whether `check` with `faq_ids` validated clean before, by this build.
    pub fn holds(&self, check: &SymptomCheck, faq_ids: &BTreeSet<String>) -> bool {
        self.keys().contains(&ValidationRecord::key(check, faq_ids))
    }

    /// Remembers a clean validation of `check` with `faq_ids`. Only a
    /// caller that has just seen [`SymptomCheck::validate`] return no problem
    /// may call this.
    pub fn remember(&self, check: &SymptomCheck, faq_ids: &BTreeSet<String>) {
        self.remember_key(ValidationRecord::key(check, faq_ids), self.keys());
    }

    /// Adds `key` to the record whose keys are `keys`.
    fn remember_key(&self, key: String, mut keys: Vec<String>) {
        let Some(file) = &self.file else {
            return;
        };
        if keys.contains(&key) {
            return;
        }
        keys.push(key);
        let skip = keys.len().saturating_sub(KEPT);
        let text: String = keys
            .iter()
            .skip(skip)
            .map(|key| format!("{key}\n"))
            .collect();
        if let Err(error) = write_atomically(file, &text) {
            tracing::info!(
                file = %file.display(),
                %error,
                "could not remember the symptom check's validation; the next start validates again"
            );
        }
    }

    /// [`SymptomCheck::validate`], skipped when this check and these ids
    /// validated clean before; a clean result is remembered.
    pub fn validate(&self, check: &SymptomCheck, faq_ids: &BTreeSet<String>) -> Vec<Problem> {
        // The key and the record are read once, for the look-up and for
        // remembering a clean walk.
        let key = ValidationRecord::key(check, faq_ids);
        let keys = self.keys();
        if keys.contains(&key) {
            tracing::debug!("symptom check validated before with these files; not walked again");
            return Vec::new();
        }
        let problems = check.validate(faq_ids);
        if problems.is_empty() {
            self.remember_key(key, keys);
        }
        problems
    }

    /// [`SymptomCheck::validate`] every time (for `faqbot check`); a clean
    /// result is remembered.
    pub fn validate_always(
        &self,
        check: &SymptomCheck,
        faq_ids: &BTreeSet<String>,
    ) -> Vec<Problem> {
        let problems = check.validate(faq_ids);
        if problems.is_empty() {
            self.remember(check, faq_ids);
        }
        problems
    }

    /// The remembered keys, oldest first; none when the file is missing or
    /// unreadable (the caller then validates).
    fn keys(&self) -> Vec<String> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        match crate::files::read_bytes(file, MAX_BYTES) {
            Ok(bytes) => String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|line| line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_owned)
                .collect(),
            Err(error) => {
                if file.exists() {
                    tracing::info!(file = %file.display(), %error, "validation record not read");
                }
                Vec::new()
            }
        }
    }
}

/// What tells this build of faqbot from any other: the running executable's
/// size and modification time (a rebuild changes them). Empty when unknown,
/// which still differs from every known build.
fn build_identity() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta {
        Ok(meta) => {
            let modified = meta
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            format!("{} {modified}", meta.len())
        }
        Err(_) => String::new(),
    }
}

/// Writes `text` to `file` through a temporary file in the same folder, so
/// a reader sees the old record or the new one, never half of one.
fn write_atomically(file: &Path, text: &str) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.persist(file).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> (SymptomCheck, BTreeSet<String>) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
        let check = SymptomCheck::load(&dir.join("symptom-check.toml")).expect("shipped check");
        let (faq, _) = crate::faq::load_dir(&dir);
        (check, faq.ids().map(str::to_owned).collect())
    }

    #[test]
    fn a_clean_validation_is_remembered_and_a_changed_check_is_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let record = ValidationRecord::in_dir(dir.path());
        let (check, ids) = shipped();
        assert!(!record.holds(&check, &ids));
        assert!(record.validate(&check, &ids).is_empty());
        assert!(record.holds(&check, &ids));
        // A second record over the same folder (the next process) sees it.
        assert!(ValidationRecord::in_dir(dir.path()).holds(&check, &ids));
        // One more FAQ id, or one byte more in the check: not vouched for.
        let mut more = ids.clone();
        more.insert("a-new-entry".to_owned());
        assert!(!record.holds(&check, &more));
        let mut edited = check.clone();
        edited.source.push(' ');
        assert!(!record.holds(&edited, &ids));
    }

    #[test]
    fn a_check_with_problems_is_never_remembered_and_is_always_walked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let record = ValidationRecord::in_dir(dir.path());
        let (check, ids) = shipped();
        // Outcomes point to FAQ ids: without them the check has problems.
        let none = BTreeSet::new();
        let first = record.validate(&check, &none);
        assert!(!first.is_empty());
        assert!(!record.holds(&check, &none));
        assert_eq!(record.validate(&check, &none).len(), first.len());
        // A clean result for the real ids does not vouch for the broken one.
        assert!(record.validate(&check, &ids).is_empty());
        assert_eq!(record.validate(&check, &none).len(), first.len());
    }

    #[test]
    fn a_damaged_or_missing_record_only_means_validating_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (check, ids) = shipped();
        let key = ValidationRecord::key(&check, &ids);
        // Garbage, a truncated key and a key with a stray byte: none counts.
        std::fs::write(
            dir.path().join(FILE_NAME),
            format!("garbage\n{}\n{}x\n\u{0}\u{FFFF}", &key[..63], &key[1..]),
        )
        .expect("write");
        let record = ValidationRecord::in_dir(dir.path());
        assert!(!record.holds(&check, &ids));
        assert!(record.validate(&check, &ids).is_empty());
        assert!(record.holds(&check, &ids));
        // A record in a folder that cannot be made: nothing remembered, no panic.
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "not a folder").expect("write");
        let unwritable = ValidationRecord::in_dir(&blocked.join("sub"));
        assert!(unwritable.validate(&check, &ids).is_empty());
        assert!(!unwritable.holds(&check, &ids));
        assert!(!ValidationRecord::off().holds(&check, &ids));
    }

    #[test]
    fn the_record_keeps_only_the_newest_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        let record = ValidationRecord::in_dir(dir.path());
        let (check, ids) = shipped();
        let old: String = (0..KEPT + 5).map(|n| format!("{n:064x}\n")).collect();
        std::fs::write(dir.path().join(FILE_NAME), old).expect("write");
        record.remember(&check, &ids);
        let kept = record.keys();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(
            kept.last().map(String::as_str),
            Some(ValidationRecord::key(&check, &ids).as_str())
        );
        assert!(!kept.contains(&format!("{:064x}", 0)));
    }
}
