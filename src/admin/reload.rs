//! Live reload: the FAQ folder is checked whole and swapped into the engine
//! only when it has no problem, so the bot never serves a broken FAQ and
//! never stops answering.
//!
//! [`FaqFolder`] is the running bot's handle on the folder: every change
//! (a reload, a moderator's edit) goes through its one lock, it remembers
//! the text of each entry file as last served (the "before" of the next
//! change), and it records changes in the [`History`]. [`FaqWatcher`] polls
//! the folder on a thread and reloads once the files have been quiet for the
//! debounce time. Polling (sizes, modification times and content hashes)
//! needs no platform file-watching API and works the same on every system
//! and on network or container mounts where change notifications get lost.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use super::edit::FolderLock;
use super::history::{ChangeKind, History, NewChange};
use crate::config::Config;
use crate::engine::{CheckedFolder, Engine, Knowledge};
use crate::faq::loader::{MAX_FILE_BYTES, SYNONYMS_FILE};
use crate::faq::{Faq, FaqEntry};
use crate::problem::Problem;

/// What a reload did: the entries added, changed and removed (by content,
/// compared with what was served), or, when the change was rejected, every
/// problem with file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ReloadReport {
    /// The new FAQ is being served. False: it was rejected (see
    /// `problems`) and the last good FAQ is still served.
    pub applied: bool,
    /// Ids of new entries.
    pub added: Vec<String>,
    /// Ids of entries whose content changed.
    pub changed: Vec<String>,
    /// Ids of entries that are gone.
    pub removed: Vec<String>,
    /// The symptom check changed.
    pub symptom_check_changed: bool,
    /// The synonyms file changed.
    pub synonyms_changed: bool,
    /// Every problem found; not empty exactly when the change was rejected.
    pub problems: Vec<Problem>,
    /// Self-test warnings of the entries that were added or changed (all
    /// entries when the synonyms changed): phrasings that do not get their
    /// own entry, with the reason ([`crate::review::self_test`]). They do not
    /// stop the change.
    pub warnings: Vec<Problem>,
}

impl ReloadReport {
    fn rejected(problems: Vec<Problem>) -> ReloadReport {
        ReloadReport {
            applied: false,
            problems,
            ..ReloadReport::default()
        }
    }

    /// The change was rejected: the last good FAQ is still served.
    pub fn is_rejected(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Anything changed in what the bot serves.
    pub fn changed_anything(&self) -> bool {
        !self.added.is_empty()
            || !self.changed.is_empty()
            || !self.removed.is_empty()
            || self.symptom_check_changed
            || self.synonyms_changed
    }

    /// Worth telling moderators about: a rejection or a change.
    pub fn is_news(&self) -> bool {
        self.is_rejected() || self.changed_anything()
    }

    /// A short text for moderators: what changed, or every problem.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        if self.is_rejected() {
            let _ = writeln!(
                out,
                "FAQ change rejected: {} problem(s). The bot keeps serving the last good FAQ.",
                self.problems.len()
            );
            for problem in &self.problems {
                let _ = writeln!(out, "{problem}");
            }
            return out;
        }
        if !self.changed_anything() {
            out.push_str("FAQ reloaded: nothing changed.\n");
            return out;
        }
        out.push_str("FAQ reloaded:");
        let mut parts = Vec::new();
        for (label, ids) in [
            ("added", &self.added),
            ("changed", &self.changed),
            ("removed", &self.removed),
        ] {
            if !ids.is_empty() {
                parts.push(format!(" {} {label} ({})", ids.len(), ids.join(", ")));
            }
        }
        if self.synonyms_changed {
            parts.push(" synonyms changed".to_owned());
        }
        if self.symptom_check_changed {
            parts.push(" symptom check changed".to_owned());
        }
        out.push_str(&parts.join(";"));
        out.push_str(".\n");
        if !self.warnings.is_empty() {
            let _ = writeln!(
                out,
                "Self-test: {} phrasing(s) do not get their own entry:",
                self.warnings.len()
            );
            for warning in &self.warnings {
                let _ = writeln!(out, "{warning}");
            }
        }
        out
    }

    /// Runs the self-test over what changed in `new` (every entry when the
    /// synonyms changed, which can move any of them).
    fn self_test(&mut self, dir: &Path, new: &Knowledge) {
        let all = self.synonyms_changed;
        let (added, changed) = (&self.added, &self.changed);
        self.warnings = crate::review::self_test(dir, &new.faq, &new.matcher, |id| {
            all || added.iter().chain(changed).any(|changed| changed == id)
        });
    }
}

/// Reloads the FAQ folder named in `config` into `engine` once, with no
/// history and no memory of earlier texts (the synonyms are not compared).
/// The bot itself uses [`FaqFolder::reload`]; this is for callers without
/// one.
pub fn reload_now(engine: &Engine, config: &Config) -> ReloadReport {
    let old = engine.knowledge();
    match Knowledge::load(&config.faq_dir, config) {
        Err(problems) => {
            log_rejected(&problems);
            ReloadReport::rejected(problems)
        }
        Ok(new) => {
            let mut report = compare(&old, &new);
            report.applied = true;
            report.self_test(&config.faq_dir, &new);
            engine.replace_knowledge(new);
            log_applied(&report);
            report
        }
    }
}

/// Entries added, changed (by content) and removed between two FAQs, and
/// whether the symptom check changed.
fn compare(old: &Knowledge, new: &Knowledge) -> ReloadReport {
    let mut report = ReloadReport::default();
    for entry in &new.faq.entries {
        match old.faq.get(&entry.id) {
            None => report.added.push(entry.id.clone()),
            Some(before) if !same_content(before, entry) => report.changed.push(entry.id.clone()),
            Some(_) => {}
        }
    }
    for entry in &old.faq.entries {
        if new.faq.get(&entry.id).is_none() {
            report.removed.push(entry.id.clone());
        }
    }
    report.symptom_check_changed = old.symptoms.fingerprint() != new.symptoms.fingerprint();
    report
}

/// Two entries say the same (the file they came from does not count).
pub(crate) fn same_content(a: &FaqEntry, b: &FaqEntry) -> bool {
    a.id == b.id
        && a.question == b.question
        && a.answer == b.answer
        && a.alternates == b.alternates
        && a.keywords == b.keywords
        && a.see_also == b.see_also
        && a.sources == b.sources
}

fn log_rejected(problems: &[Problem]) {
    tracing::warn!(
        n_problems = problems.len(),
        "FAQ change rejected; still serving the last good FAQ"
    );
    for problem in problems {
        tracing::warn!(
            file = %problem.path.display(),
            line = problem.line,
            column = problem.column,
            problem = %problem.message,
            "FAQ problem"
        );
    }
}

fn log_applied(report: &ReloadReport) {
    tracing::info!(
        added = ?report.added,
        changed = ?report.changed,
        removed = ?report.removed,
        symptom_check_changed = report.symptom_check_changed,
        synonyms_changed = report.synonyms_changed,
        self_test_warnings = report.warnings.len(),
        "FAQ reloaded"
    );
    // FAQ text written by moderators, never a person's message.
    for warning in &report.warnings {
        tracing::warn!(
            file = %warning.path.display(),
            line = warning.line,
            warning = %warning.message,
            "FAQ self-test"
        );
    }
}

/// How many recently seen entry versions are remembered for conflict
/// messages.
const REMEMBERED_VERSIONS: usize = 256;

/// What the folder handle remembers between changes.
#[derive(Debug, Default)]
pub(crate) struct FolderState {
    /// The text of each served entry's file, by id: the "before" of the
    /// next change.
    pub(crate) texts: BTreeMap<String, String>,
    /// The synonyms file's text as last served.
    pub(crate) synonyms: Option<String>,
    /// Entry texts recently seen by an editor or served: (id, version,
    /// text), oldest first. Lets a conflict say which fields changed.
    pub(crate) seen: VecDeque<(String, String, String)>,
    /// The version of the FAQ served ([`faq_version`]).
    pub(crate) version: String,
}

impl FolderState {
    pub(crate) fn remember(&mut self, id: &str, text: &str) {
        let version = super::content_version(text);
        if self.seen.iter().any(|(i, v, _)| i == id && *v == version) {
            return;
        }
        if self.seen.len() >= REMEMBERED_VERSIONS {
            self.seen.pop_front();
        }
        self.seen
            .push_back((id.to_owned(), version, text.to_owned()));
    }

    pub(crate) fn recall(&self, id: &str, version: &str) -> Option<&str> {
        self.seen
            .iter()
            .rev()
            .find(|(i, v, _)| i == id && v == version)
            .map(|(_, _, text)| text.as_str())
    }
}

/// Called between writing an entry's temporary file and renaming it over
/// the entry; an error aborts the write. Only tests set one, to show that a
/// failure at that moment leaves the old file intact.
pub type BeforeRename = Box<BeforeRenameFn>;

/// The function type behind [`BeforeRename`].
pub type BeforeRenameFn = dyn Fn(&Path) -> io::Result<()> + Send + Sync;

/// The running bot's handle on its FAQ folder: one lock for every change,
/// the last served text of every entry file, and the history.
pub struct FaqFolder {
    pub(crate) dir: PathBuf,
    pub(crate) config: Config,
    pub(crate) history: Option<Arc<History>>,
    pub(crate) state: Mutex<FolderState>,
    pub(crate) before_rename: Option<BeforeRename>,
    /// Symptom checks already validated without a problem against a set of
    /// FAQ ids: (check fingerprint, ids).
    validated: Mutex<BTreeSet<(String, Vec<String>)>>,
    /// This process in the served versions ([`super::process_label`]).
    process: String,
    /// The newest reload request already acted on (see
    /// [`History::request_reload`]).
    last_request: AtomicI64,
    /// A watcher serves this folder (a running bot, not `faqbot teach`):
    /// its version is recorded in the served versions.
    serving: AtomicBool,
}

/// At most this many validated (symptom check, ids) pairs are remembered.
const REMEMBERED_VALIDATIONS: usize = 64;

impl std::fmt::Debug for FaqFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaqFolder")
            .field("dir", &self.dir)
            .field("history", &self.history.is_some())
            .finish_non_exhaustive()
    }
}

impl FaqFolder {
    /// A handle on `config.faq_dir`, whose FAQ `engine` serves now. Changes
    /// are recorded in `history` when given.
    ///
    /// With a history, this is the bot starting: the entries as served are
    /// compared with their last served state in the history, and what
    /// changed while the bot was down is recorded now (the clock is read
    /// here).
    pub fn new(engine: &Engine, config: &Config, history: Option<Arc<History>>) -> FaqFolder {
        let knowledge = engine.knowledge();
        let mut state = FolderState {
            texts: served_texts(&knowledge.faq),
            synonyms: read_served(&config.faq_dir, &config.faq_dir.join(SYNONYMS_FILE)),
            seen: VecDeque::new(),
            version: String::new(),
        };
        state.version = faq_version(&state, &knowledge);
        let texts: Vec<(String, String)> = state
            .texts
            .iter()
            .map(|(id, text)| (id.clone(), text.clone()))
            .collect();
        for (id, text) in texts {
            state.remember(&id, &text);
        }
        let process = super::process_label();
        let mut last_request = 0;
        if let Some(history) = &history {
            catch_up(history, &state.texts, SystemTime::now());
            last_request = history.last_reload_request().unwrap_or_else(|error| {
                tracing::warn!(%error, "could not read the reload requests");
                0
            });
        }
        // What the engine serves passed the full check.
        let served = (
            knowledge.symptoms.fingerprint().to_owned(),
            knowledge.faq.ids().map(str::to_owned).collect(),
        );
        FaqFolder {
            dir: config.faq_dir.clone(),
            config: config.clone(),
            history,
            state: Mutex::new(state),
            before_rename: None,
            validated: Mutex::new(BTreeSet::from([served])),
            process,
            last_request: AtomicI64::new(last_request),
            serving: AtomicBool::new(false),
        }
    }

    /// The version of the FAQ this process serves: a hash of every entry's
    /// file, the synonyms file and the symptom check, as served (16 hex
    /// digits). Processes serving the same files show the same version.
    pub fn version(&self) -> String {
        self.lock().version.clone()
    }

    /// This process as the served versions name it (`hostname:pid`).
    pub fn process(&self) -> &str {
        &self.process
    }

    /// Records again, in the history database, which version this process
    /// serves (the watcher does it every minute, so that a process that
    /// stopped drops out of [`History::served_versions`]).
    pub fn announce(&self) {
        self.announce_version(&self.version());
    }

    fn announce_version(&self, version: &str) {
        if let Some(history) = &self.history
            && self.serving.load(Ordering::Relaxed)
        {
            announce(history, &self.process, version);
        }
    }

    /// Asks the other processes sharing the history database to reload
    /// (after this one reloaded for a moderator); false when there is no
    /// database or it failed (logged).
    pub fn request_reload(&self, now: SystemTime) -> bool {
        let Some(history) = &self.history else {
            return false;
        };
        match history.request_reload(&self.process, now) {
            Ok(number) => {
                // This process has just reloaded: its watcher skips it.
                self.last_request.fetch_max(number, Ordering::Relaxed);
                true
            }
            Err(error) => {
                tracing::error!(%error, "could not ask the other processes to reload");
                false
            }
        }
    }

    /// Whether another process asked for a reload this one has not done
    /// yet (marks it done).
    fn reload_requested(&self) -> bool {
        let Some(history) = &self.history else {
            return false;
        };
        match history.last_reload_request() {
            Ok(number) => self.last_request.fetch_max(number, Ordering::Relaxed) < number,
            Err(error) => {
                tracing::debug!(%error, "could not read the reload requests");
                false
            }
        }
    }

    /// Leaves the served versions (a clean stop).
    pub fn forget(&self) {
        self.serving.store(false, Ordering::Relaxed);
        if let Some(history) = &self.history
            && let Err(error) = history.forget_process(&self.process)
        {
            tracing::debug!(%error, "could not leave the served versions");
        }
    }

    /// Sets a function called between writing a temporary file and renaming
    /// it (tests inject failures with it).
    pub fn with_before_rename(mut self, hook: BeforeRename) -> FaqFolder {
        self.before_rename = Some(hook);
        self
    }

    /// Names this process `label` in the served versions instead of
    /// `hostname:pid` (tests run several "processes" in one).
    pub fn with_process(mut self, label: &str) -> FaqFolder {
        self.process = label.to_owned();
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The history, when there is one.
    pub fn history(&self) -> Option<&Arc<History>> {
        self.history.as_ref()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, FolderState> {
        crate::locks::lock(&self.state)
    }

    /// Checks the whole folder and, when it has no problem, swaps it into
    /// `engine` and records each changed entry in the history as a file
    /// change. With a problem, nothing changes and the report lists them
    /// all. This is `/faq-admin reload`, and what the watcher runs.
    ///
    /// It waits for the folder's OS lock ([`super::edit::EDIT_LOCK_FILE`]):
    /// a writer that holds it (another bot's edit, a script that writes
    /// several files) is not read half-done, unless it holds the lock for
    /// longer than [`super::edit::LOCK_WAIT`] (then the reload goes ahead
    /// rather than hang the moderator's command).
    pub fn reload(&self, engine: &Engine, now: SystemTime) -> ReloadReport {
        let mut state = self.lock();
        let _folder_lock = FolderLock::acquire(&self.dir)
            .map_err(|error| tracing::warn!(%error, "reloading without the folder's lock"))
            .ok();
        self.reload_locked(&mut state, engine, now, None)
    }

    /// [`FaqFolder::reload`], or `None` without waiting when someone holds
    /// the folder's lock (the watcher tries again at its next poll, so it
    /// can always stop).
    fn try_reload(&self, engine: &Engine, now: SystemTime) -> Option<ReloadReport> {
        let mut state = self.lock();
        let _folder_lock = match FolderLock::try_acquire(&self.dir) {
            Ok(Some(lock)) => Some(lock),
            Ok(None) => return None,
            Err(error) => {
                tracing::debug!(%error, "reloading without the folder's lock");
                None
            }
        };
        Some(self.reload_locked(&mut state, engine, now, None))
    }

    /// The reload itself, under the lock. `edited_by` names the entry a
    /// moderator just changed and the moderator: that entry's history row
    /// is theirs; any other change found is a file change.
    pub(crate) fn reload_locked(
        &self,
        state: &mut FolderState,
        engine: &Engine,
        now: SystemTime,
        edited_by: Option<(&str, &str)>,
    ) -> ReloadReport {
        let old = engine.knowledge();
        let new = match Knowledge::from_checked(self.check_folder(&self.dir), &self.config) {
            Ok(new) => new,
            Err(problems) => {
                log_rejected(&problems);
                return ReloadReport::rejected(problems);
            }
        };
        let mut report = compare(&old, &new);
        report.applied = true;
        // The texts that were checked, not the files read again: a file may
        // have changed since, and only what is served is recorded.
        let new_texts = served_texts(&new.faq);
        let synonyms = read_served(&self.dir, &self.dir.join(SYNONYMS_FILE));
        report.synonyms_changed = synonyms != state.synonyms;
        report.self_test(&self.dir, &new);
        engine.replace_knowledge(new);

        if let Some(history) = &self.history {
            let changes: Vec<NewChange<'_>> = report
                .added
                .iter()
                .map(|id| (id, ChangeKind::Added))
                .chain(report.changed.iter().map(|id| (id, ChangeKind::Changed)))
                .chain(report.removed.iter().map(|id| (id, ChangeKind::Removed)))
                .map(|(id, kind)| NewChange {
                    entry_id: id,
                    kind,
                    who: edited_by
                        .filter(|(edited, _)| edited == id)
                        .map(|(_, who)| who),
                    when: now,
                    before: state.texts.get(id).map(String::as_str),
                    after: new_texts.get(id).map(String::as_str),
                })
                .collect();
            if let Err(error) = history.record_served(&changes, &new_texts) {
                tracing::error!(n_changes = changes.len(), %error, "could not record changes in the history");
            }
        }
        for (id, text) in &new_texts {
            state.remember(id, text);
        }
        state.texts = new_texts;
        state.synonyms = synonyms;
        state.version = faq_version(state, &engine.knowledge());
        self.announce_version(&state.version);
        log_applied(&report);
        report
    }
}

impl FaqFolder {
    /// [`Knowledge::check_folder`], remembering which symptom checks
    /// validated without a problem against which FAQ ids.
    ///
    /// Validating the symptom check walks every path through it and takes
    /// most of a second; its result depends only on the check's text and the
    /// set of FAQ ids, so when both are unchanged since a clean validation
    /// (the usual case: an entry's text was edited) it is not repeated, and
    /// an edit goes live in milliseconds. The same holds across restarts
    /// through [`crate::symptoms::ValidationRecord`]. The test
    /// `the_cached_check_agrees_with_the_engine` holds this to the engine's
    /// own check.
    pub(crate) fn check_folder(&self, dir: &Path) -> CheckedFolder {
        Knowledge::check_folder_with(dir, |check, ids| {
            let key = (
                check.fingerprint().to_owned(),
                ids.iter().cloned().collect::<Vec<_>>(),
            );
            if crate::locks::lock(&self.validated).contains(&key) {
                return Vec::new();
            }
            // Walked unless a clean run of this build remembered it (then
            // the next start-up skips the walk too).
            let found = crate::symptoms::ValidationRecord::from_env().validate(check, ids);
            if found.is_empty() {
                let mut validated = crate::locks::lock(&self.validated);
                if validated.len() >= REMEMBERED_VALIDATIONS {
                    validated.clear();
                }
                validated.insert(key);
            }
            found
        })
    }
}

/// The version of what is served: a hash of each entry's file text (by
/// id), the synonyms file and the symptom check's fingerprint.
fn faq_version(state: &FolderState, knowledge: &Knowledge) -> String {
    let mut all = String::new();
    for (id, text) in &state.texts {
        all.push_str(id);
        all.push('\0');
        all.push_str(text);
        all.push('\0');
    }
    all.push_str(state.synonyms.as_deref().unwrap_or(""));
    all.push('\0');
    all.push_str(knowledge.symptoms.fingerprint());
    super::content_version(&all)
}

/// Records the version `process` serves; a failure is logged.
fn announce(history: &History, process: &str, version: &str) {
    if let Err(error) = history.announce(process, version, SystemTime::now()) {
        tracing::warn!(%error, "could not record the FAQ version served");
    }
}

/// The text of each entry's file as loaded, by id.
fn served_texts(faq: &Faq) -> BTreeMap<String, String> {
    faq.entries
        .iter()
        .map(|entry| (entry.id.clone(), entry.file_text.clone()))
        .collect()
}

/// Records in `history` what changed in the files while the bot was down
/// (see [`History::catch_up`]); a failure is logged, the bot goes on.
fn catch_up(history: &History, served: &BTreeMap<String, String>, now: SystemTime) {
    match history.catch_up(served, now) {
        Ok(found) if found.is_empty() => {}
        Ok(found) => tracing::info!(
            n_changes = found.len(),
            "FAQ changes made while the bot was down recorded in history"
        ),
        Err(error) => {
            tracing::error!(%error, "could not compare the FAQ with the history's last state");
        }
    }
}

/// The text of a file of the folder `dir`, read the way the loader reads
/// it (a file swapped for a FIFO since the load must not block), or `None`.
fn read_served(dir: &Path, path: &Path) -> Option<String> {
    crate::files::read_text_in(dir, path, MAX_FILE_BYTES, &mut Vec::new())
}

/// A file as the watcher last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    hash: u64,
}

/// Files modified more recently than this are hashed at every poll: some
/// file systems keep modification times to the second (or two), so a second
/// save of the same size within that time would otherwise go unseen.
const RECENT: Duration = Duration::from_secs(3);

/// Every file under `dir` (hidden files and folders excepted, like the
/// loader; temporary files of atomic writes are hidden) with its stamp.
/// `previous` spares re-reading files that have not been touched lately.
fn scan(dir: &Path, previous: &BTreeMap<PathBuf, FileStamp>) -> BTreeMap<PathBuf, FileStamp> {
    let mut found = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    let now = SystemTime::now();
    while let Some(folder) = folders.pop() {
        let Ok(reading) = fs::read_dir(&folder) else {
            continue;
        };
        for item in reading.flatten() {
            if item.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = item.path();
            let Ok(meta) = item.metadata() else {
                continue;
            };
            if meta.is_dir() {
                folders.push(path);
                continue;
            }
            let modified = meta.modified().ok();
            let len = meta.len();
            let recent = modified
                .and_then(|time| now.duration_since(time).ok())
                .is_none_or(|age| age < RECENT);
            let hash = match previous.get(&path) {
                Some(stamp) if !recent && stamp.len == len && stamp.modified == modified => {
                    stamp.hash
                }
                // Never blocks on a FIFO nor reads a device without end: such
                // a file is refused (hash 0) here and reported by the reload.
                _ => crate::files::read_bytes(&path, MAX_FILE_BYTES)
                    .map_or(0, |bytes| crate::fasthash::fnv64(&bytes)),
            };
            found.insert(
                path,
                FileStamp {
                    len,
                    modified,
                    hash,
                },
            );
        }
    }
    found
}

/// How often the watcher looks for a reload asked for by another process.
pub const REQUEST_POLL: Duration = Duration::from_secs(1);

/// How often a process records again which version it serves.
const ANNOUNCE_EVERY: Duration = Duration::from_secs(60);

/// How often the watcher looks at the files: half the debounce, between
/// 50 and 250 milliseconds. With the default 500 ms debounce a valid change
/// is live about a second after the last save.
pub fn poll_interval(debounce: Duration) -> Duration {
    (debounce / 2).clamp(Duration::from_millis(50), Duration::from_millis(250))
}

#[derive(Debug, Default)]
struct StopSignal {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl StopSignal {
    /// Waits up to `timeout`; true when asked to stop.
    fn wait(&self, timeout: Duration) -> bool {
        let guard = crate::locks::lock(&self.stopped);
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    fn stop(&self) {
        let mut guard = crate::locks::lock(&self.stopped);
        *guard = true;
        self.wake.notify_all();
    }
}

/// Watches the FAQ folder on a thread of its own and reloads it into the
/// engine after each change, once the files have been quiet for the
/// debounce time. Stops when [`FaqWatcher::stop`] is called or it is
/// dropped.
#[derive(Debug)]
pub struct FaqWatcher {
    signal: Arc<StopSignal>,
    thread: Option<JoinHandle<()>>,
    folder: Arc<FaqFolder>,
}

impl FaqWatcher {
    /// Starts watching `folder`, and records in the history database (when
    /// there is one) which FAQ version this process serves, again every
    /// minute and after each reload, until stopped; every second it also
    /// looks for a reload asked for by another process
    /// ([`FaqFolder::request_reload`]). `on_report` is called on the watcher's
    /// thread with each reload that changed something or was rejected (to
    /// post it to the moderator log channel, for example); keep it quick.
    pub fn start(
        folder: Arc<FaqFolder>,
        engine: Arc<Engine>,
        debounce: Duration,
        mut on_report: impl FnMut(&ReloadReport) + Send + 'static,
    ) -> io::Result<FaqWatcher> {
        let signal = Arc::new(StopSignal::default());
        let thread_signal = Arc::clone(&signal);
        let interval = poll_interval(debounce);
        let mut seen = scan(folder.dir(), &BTreeMap::new());
        folder.serving.store(true, Ordering::Relaxed);
        folder.announce();
        let stopping = Arc::clone(&folder);
        let thread = std::thread::Builder::new()
            .name("faq-watcher".to_owned())
            .spawn(move || {
                tracing::info!(
                    folder = %folder.dir().display(),
                    debounce_ms = debounce.as_millis() as u64,
                    "watching the FAQ folder"
                );
                let mut last_change: Option<Instant> = None;
                let mut last_look = Instant::now();
                let mut last_announce = Instant::now();
                while !thread_signal.wait(interval) {
                    // A reload asked for in another process (a moderator's
                    // `/faq-admin reload` there), and this one's heartbeat.
                    if last_look.elapsed() >= REQUEST_POLL {
                        last_look = Instant::now();
                        if folder.reload_requested() {
                            tracing::info!("reload asked for by another process");
                            let report = folder.reload(&engine, SystemTime::now());
                            if report.is_news() {
                                on_report(&report);
                            }
                        }
                    }
                    if last_announce.elapsed() >= ANNOUNCE_EVERY {
                        last_announce = Instant::now();
                        folder.announce();
                    }
                    let now = scan(folder.dir(), &seen);
                    if now != seen {
                        log_changed_files(&seen, &now);
                        seen = now;
                        last_change = Some(Instant::now());
                        continue;
                    }
                    if last_change.is_some_and(|at| at.elapsed() >= debounce) {
                        // A writer holding the folder's lock is not done.
                        let Some(report) = folder.try_reload(&engine, SystemTime::now()) else {
                            continue;
                        };
                        last_change = None;
                        if report.is_news() {
                            on_report(&report);
                        }
                    }
                }
                tracing::info!("stopped watching the FAQ folder");
            })?;
        Ok(FaqWatcher {
            signal,
            thread: Some(thread),
            folder: stopping,
        })
    }

    /// Stops watching and waits for the thread to end (at most one poll
    /// interval, or one reload in progress).
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.signal.stop();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the FAQ watcher thread panicked");
            }
            self.folder.forget();
        }
    }
}

impl Drop for FaqWatcher {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn log_changed_files(before: &BTreeMap<PathBuf, FileStamp>, after: &BTreeMap<PathBuf, FileStamp>) {
    let paths: BTreeSet<&PathBuf> = before.keys().chain(after.keys()).collect();
    for path in paths {
        if before.get(path) != after.get(path) {
            tracing::debug!(file = %path.display(), "FAQ file changed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(checked: &CheckedFolder) -> Vec<String> {
        checked.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_cached_check_agrees_with_the_engine() {
        let config = Config::default();
        let engine = Engine::load(&config).expect("faq/ loads");
        let folder = FaqFolder::new(&engine, &config, None);
        for dir in [
            "faq",
            "tests/data/good-faq",
            "tests/data/broken-faq",
            "no-such-folder",
        ] {
            let dir = Path::new(dir);
            let expected = Knowledge::check_folder(dir);
            for _ in 0..2 {
                let checked = folder.check_folder(dir);
                assert_eq!(
                    problems_of(&checked),
                    problems_of(&expected),
                    "{}",
                    dir.display()
                );
                assert_eq!(checked.symptoms.is_some(), expected.symptoms.is_some());
                assert_eq!(
                    checked.faq.ids().collect::<Vec<_>>(),
                    expected.faq.ids().collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn poll_interval_is_bounded() {
        assert_eq!(
            poll_interval(Duration::from_millis(500)),
            Duration::from_millis(250)
        );
        assert_eq!(poll_interval(Duration::ZERO), Duration::from_millis(50));
        assert_eq!(
            poll_interval(Duration::from_millis(200)),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn a_rejected_report_lists_every_problem() {
        let report = ReloadReport::rejected(vec![
            Problem::whole_file(Path::new("faq/a.toml"), "one"),
            Problem::whole_file(Path::new("faq/b.toml"), "two"),
        ]);
        let summary = report.summary();
        assert!(summary.contains("2 problem(s)"), "{summary}");
        assert!(summary.contains("faq/a.toml:1:1: one"), "{summary}");
        assert!(summary.contains("faq/b.toml:1:1: two"), "{summary}");
    }

    #[test]
    fn an_applied_report_names_the_entries() {
        let report = ReloadReport {
            applied: true,
            added: vec!["new-one".to_owned()],
            changed: vec!["a".to_owned(), "b".to_owned()],
            ..ReloadReport::default()
        };
        assert_eq!(
            report.summary(),
            "FAQ reloaded: 1 added (new-one); 2 changed (a, b).\n"
        );
    }
}
