//! Adding, editing and removing FAQ entries from outside the files (the
//! Discord `/faq-admin` commands), so that the files stay the one source of
//! truth:
//!
//! 1. The change is applied to the entry file's text with `toml_edit`,
//!    touching only the values that changed: comments, key order, blank
//!    lines and the layout of every other value stay as they were, and
//!    `git diff` shows only the edit.
//! 2. It is validated exactly like a file edit: the folder is copied to a
//!    temporary folder, the changed file put in, and the whole copy checked
//!    with the same checks as [`crate::engine::Knowledge::check_folder`]. Any problem refuses the change, with
//!    every problem listed (paths point at the real folder).
//! 3. It is written atomically: a hidden temporary file in the same folder,
//!    flushed to disk, then renamed over the entry file. A crash or failure
//!    at any point leaves either the old file or the new one, never half of
//!    one.
//! 4. The folder is reloaded into the engine and the change recorded in the
//!    history under the moderator's name.
//!
//! An edit or a removal carries the version ([`super::content_version`]) of
//! the entry file the moderator saw when opening it; if the file changed
//! since (another moderator, a file edit, a `git pull`), the change is
//! refused with a [`Conflict`] naming what changed and who changed it, so
//! nobody's change is lost. Every change runs under [`FaqFolder`]'s lock
//! and an OS lock on the folder's [`EDIT_LOCK_FILE`], so two edits never
//! interleave, in one process or in several; the version is checked under
//! both, and the file is compared with the checked text once more right
//! before the rename, which catches a plain file writer (an editor, a
//! `git pull`) that takes no lock.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::Serialize;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::content_version;
use super::reload::{FaqFolder, FolderState, ReloadReport};
use crate::engine::{CheckedFolder, Engine};
use crate::faq::Source;
use crate::faq::loader::{MAX_FILE_BYTES, is_valid_id};
use crate::problem::Problem;
use crate::safety::Reply;

/// The folder new entries are written to, under the FAQ folder.
pub const ENTRIES_FOLDER: &str = "entries";

/// An entry as a moderator opens it to edit: its fields and the version of
/// its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryForm {
    /// The entry's id.
    pub id: String,
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
    /// Other phrasings.
    pub alternates: Vec<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Related entries (kept by edits).
    pub see_also: Vec<String>,
    /// Sources (kept by edits).
    pub sources: Vec<Source>,
    /// The version of the file as read: pass it back with the edit.
    pub version: String,
    /// The entry's file.
    pub path: PathBuf,
}

impl EntryForm {
    /// The alternates, one per line (for a text box).
    pub fn alternates_text(&self) -> String {
        self.alternates.join("\n")
    }

    /// The keywords, separated by commas (for a text box).
    pub fn keywords_text(&self) -> String {
        self.keywords.join(", ")
    }

    /// The editable fields as they are now.
    pub fn draft(&self) -> EntryDraft {
        EntryDraft {
            question: self.question.clone(),
            answer: self.answer.clone(),
            alternates: self.alternates.clone(),
            keywords: self.keywords.clone(),
        }
    }
}

/// The fields an edit may change. `see_also` and `sources` are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryDraft {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
    /// Other phrasings.
    pub alternates: Vec<String>,
    /// Keywords.
    pub keywords: Vec<String>,
}

impl EntryDraft {
    /// A draft from text boxes: alternates one per line, keywords separated
    /// by commas or lines.
    pub fn from_text(question: &str, answer: &str, alternates: &str, keywords: &str) -> EntryDraft {
        EntryDraft {
            question: question.trim().to_owned(),
            answer: answer.trim().to_owned(),
            alternates: split_lines(alternates),
            keywords: split_keywords(keywords),
        }
    }
}

/// A new entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEntry {
    /// Its id (lower-case letters, digits and dashes); the file is
    /// `entries/<id>.toml`.
    pub id: String,
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
    /// Other phrasings.
    pub alternates: Vec<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Related entries.
    pub see_also: Vec<String>,
    /// Sources: at least one is required, as for any entry.
    pub sources: Vec<Source>,
}

/// A change to the FAQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Add an entry.
    Add(NewEntry),
    /// Change an entry's question, answer, alternates and keywords.
    Edit {
        /// The entry.
        id: String,
        /// [`EntryForm::version`] as the moderator opened it.
        base_version: String,
        /// The new fields.
        draft: EntryDraft,
    },
    /// Delete an entry.
    Remove {
        /// The entry.
        id: String,
        /// [`EntryForm::version`] as the moderator opened it.
        base_version: String,
    },
}

impl Change {
    /// The entry the change is about.
    pub fn id(&self) -> &str {
        match self {
            Change::Add(entry) => &entry.id,
            Change::Edit { id, .. } | Change::Remove { id, .. } => id,
        }
    }
}

/// The entry file changed between opening and saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The entry.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// The version the moderator opened.
    pub your_version: String,
    /// The version now; `None` when the entry's file is gone.
    pub current_version: Option<String>,
    /// What changed since the moderator opened the entry ("answer",
    /// "alternates", …) when the opened version is known; otherwise the
    /// fields where the entry now differs from the moderator's edit.
    pub changed_fields: Vec<String>,
    /// Whether `changed_fields` compares with the version opened (true) or
    /// with the moderator's edit (false).
    pub compared_with_opened: bool,
    /// Who changed it since, oldest first, when the history knows: a
    /// moderator's name, or "a file edit", with the time.
    pub changed_by: Vec<String>,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.current_version {
            None => write!(
                f,
                "`{}` was removed after you opened it; nothing was saved",
                self.id
            )?,
            Some(_) => write!(
                f,
                "`{}` was changed after you opened it; nothing was saved",
                self.id
            )?,
        }
        if !self.changed_by.is_empty() {
            write!(f, " (changed by {})", self.changed_by.join(", "))?;
        }
        if !self.changed_fields.is_empty() {
            let what = if self.compared_with_opened {
                "changed since you opened it"
            } else {
                "now differs from your edit in"
            };
            write!(f, ". {what}: {}", self.changed_fields.join(", "))?;
        }
        write!(
            f,
            ". Open the entry again to see the current version, then redo your change."
        )
    }
}

/// Why a change was not saved.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The id is not lower-case letters, digits and dashes.
    #[error(
        "`{0}` is not a valid id: use lower-case letters, digits and dashes, like `blood-clot`"
    )]
    InvalidId(String),
    /// There is no such entry.
    #[error("there is no FAQ entry `{0}`")]
    NotFound(String),
    /// An entry (or its file) with this id exists already.
    #[error("an FAQ entry `{id}` already exists ({})", path.display())]
    AlreadyExists {
        /// The id.
        id: String,
        /// The existing file.
        path: PathBuf,
    },
    /// The entry changed since the moderator opened it.
    #[error("{0}")]
    Conflict(Box<Conflict>),
    /// The change would make the FAQ invalid: every problem, as a file edit
    /// would get them.
    #[error("the change was not saved: {} problem(s){}", .0.len(), list_problems(.0))]
    Invalid(Vec<Problem>),
    /// The entry's file is not valid TOML, so it cannot be edited safely;
    /// fix it in the file.
    #[error("{problem} (fix the file first; nothing was saved)")]
    Unreadable {
        /// Where the file is broken.
        problem: Problem,
    },
    /// Reading or writing a file failed; nothing was changed.
    #[error("cannot write {}: {source}; nothing was changed", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: io::Error,
    },
}

fn list_problems(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("\n{p}")).collect()
}

/// What a change would look like: the answer as people will see it, and
/// the diff of the file. `problems` lists what would refuse it.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The reply people would get (with the disclaimer), when the entry
    /// exists after the change and loads.
    pub reply: Option<Reply>,
    /// The reply as the terminal shows it (empty for a removal).
    pub text: String,
    /// The change to the entry file, line by line (`-` removed, `+` added).
    pub diff: String,
    /// Every problem the change would have; empty when it can be saved.
    pub problems: Vec<Problem>,
    /// The self-test of the entry after the change: each of its phrasings
    /// that would not get it as the answer, with the reason. A warning does
    /// not stop the save.
    pub warnings: Vec<Problem>,
}

/// A saved change.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The entry.
    pub id: String,
    /// The file's new version (for a further edit); `None` after removal.
    pub version: Option<String>,
    /// Whether the file was written (false: the change changed nothing).
    pub written: bool,
    /// The reload that followed. It is rejected only when another file
    /// broke in the meantime: the edit is then in the file but the bot
    /// keeps serving the last good FAQ until that is fixed.
    pub report: ReloadReport,
}

/// A change applied to text, not yet written.
struct Prepared {
    id: String,
    path: PathBuf,
    old_text: Option<String>,
    new_text: Option<String>,
}

impl FaqFolder {
    /// The entry's file: where the served FAQ read it from, else
    /// `entries/<id>.toml`.
    fn entry_path(&self, engine: &Engine, id: &str) -> PathBuf {
        engine
            .knowledge()
            .faq
            .get(id)
            .map(|entry| entry.path.clone())
            .unwrap_or_else(|| self.dir.join(ENTRIES_FOLDER).join(format!("{id}.toml")))
    }

    /// Reads an entry from its file, for editing. The returned version must
    /// come back with the edit.
    pub fn open_entry(&self, engine: &Engine, id: &str) -> Result<EntryForm, EditError> {
        if !is_valid_id(id) {
            return Err(EditError::InvalidId(id.to_owned()));
        }
        let path = self.entry_path(engine, id);
        let text = read_existing(&path)?.ok_or_else(|| EditError::NotFound(id.to_owned()))?;
        let fields = EntryFields::parse(&path, &text)?;
        self.lock().remember(id, &text);
        Ok(EntryForm {
            id: id.to_owned(),
            question: fields.question,
            answer: fields.answer,
            alternates: fields.alternates,
            keywords: fields.keywords,
            see_also: fields.see_also,
            sources: fields.sources,
            version: content_version(&text),
            path,
        })
    }

    /// Shows what `change` would do without saving it: the answer as
    /// people will see it, the file diff, and every problem that would
    /// refuse it. A conflict or a missing entry is an error, as for
    /// [`FaqFolder::save`].
    pub fn preview(&self, engine: &Engine, change: &Change) -> Result<Preview, EditError> {
        let state = self.lock();
        let prepared = self.prepare(&state, engine, change)?;
        drop(state);
        let (checked, problems, warnings) = self.trial(&prepared, engine)?;
        let reply = checked
            .faq
            .get(change.id())
            .filter(|_| prepared.new_text.is_some())
            .map(|entry| engine.policy().answer(entry, &checked.faq));
        let text = reply
            .as_ref()
            .map(crate::console::render)
            .unwrap_or_default();
        let diff = super::textdiff::line_diff(
            prepared.old_text.as_deref().unwrap_or(""),
            prepared.new_text.as_deref().unwrap_or(""),
        );
        Ok(Preview {
            reply,
            text,
            diff,
            problems,
            warnings,
        })
    }

    /// Saves `change` for the moderator `who` (a display name or id, kept
    /// in the history): validates it like a file edit, writes the file
    /// atomically, reloads the FAQ into `engine` and records the change.
    pub fn save(
        &self,
        engine: &Engine,
        change: &Change,
        who: &str,
        now: SystemTime,
    ) -> Result<Saved, EditError> {
        let mut state = self.lock();
        // Another process on the same folder waits here until this change is
        // written (or refused); the version is then checked under the lock.
        let _folder_lock = FolderLock::acquire(&self.dir).map_err(|source| EditError::Io {
            path: self.dir.join(EDIT_LOCK_FILE),
            source,
        })?;
        let prepared = self.prepare(&state, engine, change)?;
        if prepared.new_text == prepared.old_text {
            return Ok(Saved {
                id: change.id().to_owned(),
                version: prepared.old_text.as_deref().map(content_version),
                written: false,
                report: ReloadReport {
                    applied: true,
                    ..ReloadReport::default()
                },
            });
        }
        let (_, problems, _) = self.trial(&prepared, engine)?;
        if !problems.is_empty() {
            tracing::info!(
                faq_id = change.id(),
                n_problems = problems.len(),
                "FAQ edit refused"
            );
            return Err(EditError::Invalid(problems));
        }
        let io_error = |source| EditError::Io {
            path: prepared.path.clone(),
            source,
        };
        // A plain file writer (an editor, `git pull`) takes no lock: the file
        // must still hold what was checked, right before it is replaced.
        let unchanged = |temporary: &Path| -> io::Result<()> {
            if let Some(hook) = self.before_rename.as_deref() {
                hook(temporary)?;
            }
            if read_current(&prepared.path)? != prepared.old_text {
                return Err(io::Error::other(ChangedUnderneath));
            }
            Ok(())
        };
        let written = match &prepared.new_text {
            Some(text) => prepared
                .path
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| atomic_write_with(&prepared.path, text, Some(&unchanged))),
            None => unchanged(&prepared.path).and_then(|()| remove_durably(&prepared.path)),
        };
        if let Err(error) = written {
            if error
                .get_ref()
                .is_some_and(|inner| inner.is::<ChangedUnderneath>())
            {
                return Err(self.changed_underneath(&state, change, &prepared.path));
            }
            return Err(io_error(error));
        }
        tracing::info!(faq_id = change.id(), "FAQ entry file written from an edit");
        let report = self.reload_locked(&mut state, engine, now, Some((change.id(), who)));
        Ok(Saved {
            id: change.id().to_owned(),
            version: prepared.new_text.as_deref().map(content_version),
            written: true,
            report,
        })
    }

    /// The error for a file that changed between the version check and the
    /// write (a plain file writer, which takes no lock).
    fn changed_underneath(&self, state: &FolderState, change: &Change, path: &Path) -> EditError {
        let current = read_current(path).ok().flatten();
        tracing::info!(
            faq_id = change.id(),
            "FAQ edit refused: the entry's file changed while it was being saved"
        );
        match change {
            Change::Add(_) => EditError::AlreadyExists {
                id: change.id().to_owned(),
                path: path.to_path_buf(),
            },
            Change::Edit {
                base_version,
                draft,
                ..
            } => EditError::Conflict(Box::new(self.describe_conflict(
                state,
                change.id(),
                path,
                current.as_deref(),
                base_version,
                Some(draft),
            ))),
            Change::Remove { base_version, .. } => {
                EditError::Conflict(Box::new(self.describe_conflict(
                    state,
                    change.id(),
                    path,
                    current.as_deref(),
                    base_version,
                    None,
                )))
            }
        }
    }

    /// Applies `change` to the entry file's text, after checking the id,
    /// existence and the version.
    fn prepare(
        &self,
        state: &FolderState,
        engine: &Engine,
        change: &Change,
    ) -> Result<Prepared, EditError> {
        let id = change.id();
        if !is_valid_id(id) {
            return Err(EditError::InvalidId(id.to_owned()));
        }
        let path = self.entry_path(engine, id);
        let current = read_existing(&path)?;
        match change {
            Change::Add(entry) => {
                if current.is_some() || engine.knowledge().faq.get(id).is_some() {
                    return Err(EditError::AlreadyExists {
                        id: id.to_owned(),
                        path,
                    });
                }
                Ok(Prepared {
                    id: change.id().to_owned(),
                    path,
                    old_text: None,
                    new_text: Some(render_new_entry(entry)),
                })
            }
            Change::Edit {
                base_version,
                draft,
                ..
            } => {
                let text =
                    self.check_version(state, id, &path, current, base_version, Some(draft))?;
                let new_text = apply_draft(&path, &text, draft)?;
                Ok(Prepared {
                    id: change.id().to_owned(),
                    path,
                    old_text: Some(text),
                    new_text: Some(new_text),
                })
            }
            Change::Remove { base_version, .. } => {
                let text = self.check_version(state, id, &path, current, base_version, None)?;
                Ok(Prepared {
                    id: change.id().to_owned(),
                    path,
                    old_text: Some(text),
                    new_text: None,
                })
            }
        }
    }

    /// The current text of the entry when it is still the version the
    /// moderator opened; a [`Conflict`] otherwise.
    fn check_version(
        &self,
        state: &FolderState,
        id: &str,
        path: &Path,
        current: Option<String>,
        base_version: &str,
        draft: Option<&EntryDraft>,
    ) -> Result<String, EditError> {
        if let Some(text) = &current
            && content_version(text) == base_version
        {
            return Ok(current.unwrap_or_default());
        }
        if current.is_none() && state.recall(id, base_version).is_none() {
            // Never seen and not there: not a conflict, just a wrong id.
            let known = self
                .history
                .as_ref()
                .and_then(|history| history.find_version(id, base_version).ok().flatten());
            if known.is_none() {
                return Err(EditError::NotFound(id.to_owned()));
            }
        }
        let conflict =
            self.describe_conflict(state, id, path, current.as_deref(), base_version, draft);
        tracing::info!(
            faq_id = id,
            "FAQ edit refused: the entry changed since it was opened"
        );
        Err(EditError::Conflict(Box::new(conflict)))
    }

    fn describe_conflict(
        &self,
        state: &FolderState,
        id: &str,
        path: &Path,
        current: Option<&str>,
        base_version: &str,
        draft: Option<&EntryDraft>,
    ) -> Conflict {
        let from_history = self
            .history
            .as_ref()
            .and_then(|history| history.find_version(id, base_version).ok().flatten());
        let base_text = state
            .recall(id, base_version)
            .map(str::to_owned)
            .or_else(|| from_history.as_ref().map(|(_, text)| text.clone()));
        let current_fields = current.and_then(|text| EntryFields::parse(path, text).ok());
        let (changed_fields, compared_with_opened) = match (&base_text, &current_fields) {
            (Some(base), Some(now)) => match EntryFields::parse(path, base) {
                Ok(base_fields) => {
                    let mut fields = base_fields.differences(now);
                    if fields.is_empty() {
                        fields.push("comments or layout".to_owned());
                    }
                    (fields, true)
                }
                Err(_) => (Vec::new(), false),
            },
            (None, Some(now)) => (
                draft
                    .map(|draft| now.differences_from_draft(draft))
                    .unwrap_or_default(),
                false,
            ),
            _ => (Vec::new(), false),
        };
        let changed_by = match (&self.history, &from_history) {
            (Some(history), Some((row, _))) => history
                .authors_since(id, *row)
                .unwrap_or_default()
                .into_iter()
                .map(|(at, who)| match who {
                    Some(who) => format!("{who} at {at}"),
                    None => format!("a file edit at {at}"),
                })
                .collect(),
            _ => Vec::new(),
        };
        Conflict {
            id: id.to_owned(),
            path: path.to_path_buf(),
            your_version: base_version.to_owned(),
            current_version: current.map(content_version),
            changed_fields,
            compared_with_opened,
            changed_by,
        }
    }

    /// Checks the folder as it would be after `prepared`, in a temporary
    /// copy: what loads, every problem, and the self-test of the changed
    /// entry with the settings `engine` serves with (paths in the real
    /// folder).
    fn trial(
        &self,
        prepared: &Prepared,
        engine: &Engine,
    ) -> Result<(CheckedFolder, Vec<Problem>, Vec<Problem>), EditError> {
        let copy_error = |source| EditError::Io {
            path: std::env::temp_dir(),
            source,
        };
        let (copy, refused) = TempCopy::of(&self.dir).map_err(copy_error)?;
        let relative = prepared
            .path
            .strip_prefix(&self.dir)
            .map_err(|_| copy_error(io::Error::other("entry file outside the FAQ folder")))?;
        let target = copy.root.join(relative);
        match &prepared.new_text {
            Some(text) => {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(copy_error)?;
                }
                fs::write(&target, text).map_err(copy_error)?;
            }
            None => match fs::remove_file(&target) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => {
                    return Err(copy_error(error));
                }
                _ => {}
            },
        }
        let mut checked = self.check_folder(&copy.root);
        let mut warnings = if prepared.new_text.is_some() && checked.problems.is_empty() {
            let settings = engine.knowledge().matcher.settings().clone();
            let matcher = crate::faq::Matcher::new(&checked.faq, settings);
            crate::review::self_test(&copy.root, &checked.faq, &matcher, |id| id == prepared.id)
        } else {
            Vec::new()
        };
        for problem in checked.problems.iter_mut().chain(&mut warnings) {
            if let Ok(rest) = problem.path.strip_prefix(&copy.root) {
                problem.path = self.dir.join(rest);
            } else if problem.path == copy.root {
                problem.path = self.dir.clone();
            }
            problem.message = problem.message.replace(
                &copy.root.display().to_string(),
                &self.dir.display().to_string(),
            );
        }
        checked.problems.extend(refused);
        if checked.symptoms.is_none() && checked.problems.is_empty() {
            checked.problems.push(Problem::whole_file(
                &self.dir,
                "the symptom check did not load",
            ));
        }
        let problems = std::mem::take(&mut checked.problems);
        Ok((checked, problems, warnings))
    }
}

/// The hidden file in the FAQ folder whose OS lock serialises changes
/// across processes.
pub const EDIT_LOCK_FILE: &str = ".faqbot-edit.lock";

/// An exclusive OS lock on the folder's [`EDIT_LOCK_FILE`], held while a
/// change is checked and written, so that two bot processes on one folder
/// take turns, and while the folder is reloaded, so that a script that
/// holds it while writing several files (faq/README.md) is never read
/// half-written. The OS releases it when the file is closed, also when the
/// process dies.
pub(crate) struct FolderLock {
    _file: fs::File,
}

/// How long a save or a moderator's reload waits for another writer to
/// release the folder's lock: a script or process that holds it longer
/// (or forever) gets the save refused, not a hung command.
pub(crate) const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl FolderLock {
    /// The lock, waiting at most [`LOCK_WAIT`] for another holder; an error
    /// of kind `TimedOut` past it.
    pub(crate) fn acquire(dir: &Path) -> io::Result<FolderLock> {
        let start = std::time::Instant::now();
        loop {
            if let Some(lock) = FolderLock::try_acquire(dir)? {
                return Ok(lock);
            }
            if start.elapsed() >= LOCK_WAIT {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "another writer has held {} for over {} s; try again",
                        dir.join(EDIT_LOCK_FILE).display(),
                        LOCK_WAIT.as_secs()
                    ),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The lock if nobody holds it now; `Ok(None)` when someone does.
    pub(crate) fn try_acquire(dir: &Path) -> io::Result<Option<FolderLock>> {
        let file = FolderLock::open(dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FolderLock { _file: file })),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(error)) => Err(error),
        }
    }

    fn open(dir: &Path) -> io::Result<fs::File> {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(EDIT_LOCK_FILE))
    }
}

/// The entry's file no longer holds the text the change was checked
/// against.
#[derive(Debug)]
struct ChangedUnderneath;

impl fmt::Display for ChangedUnderneath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the file changed while it was being saved")
    }
}

impl std::error::Error for ChangedUnderneath {}

/// The file's text now, `None` when it does not exist; read the way the
/// loader reads (a FIFO put in its place is refused, not waited on).
fn read_current(path: &Path) -> io::Result<Option<String>> {
    read_existing(path).map_err(|error| match error {
        EditError::Io { source, .. } => source,
        other => io::Error::other(other.to_string()),
    })
}

/// The file's text, `None` when it does not exist.
fn read_existing(path: &Path) -> Result<Option<String>, EditError> {
    match fs::symlink_metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(EditError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
        Ok(_) => {}
    }
    // Read the way the loader reads (a FIFO would block the edit's lock).
    let mut problems = Vec::new();
    match crate::files::read_text(path, MAX_FILE_BYTES, &mut problems) {
        Some(text) => Ok(Some(text)),
        None => Err(EditError::Unreadable {
            problem: problems
                .pop()
                .unwrap_or_else(|| Problem::whole_file(path, "cannot read")),
        }),
    }
}

/// A temporary copy of a folder (every file, hidden ones excepted), in a
/// new folder with an unpredictable name (`tempfile`), deleted when dropped.
struct TempCopy {
    root: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl TempCopy {
    /// The copy, and a problem for each file of `dir` that could not be
    /// copied because the loader would refuse it too (see [`copy_tree`]).
    fn of(dir: &Path) -> io::Result<(TempCopy, Vec<Problem>)> {
        let temporary = tempfile::Builder::new().prefix("faqbot-edit-").tempdir()?;
        let copy = TempCopy {
            root: temporary.path().to_path_buf(),
            dir: Some(temporary),
        };
        let mut refused = Vec::new();
        copy_tree(dir, dir, &copy.root, &mut refused)?;
        Ok((copy, refused))
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take()
            && let Err(error) = dir.close()
        {
            tracing::warn!(folder = %self.root.display(), %error, "cannot remove a temporary folder");
        }
    }
}

/// Copies the files of `from` (a folder of the FAQ folder `root`) to `to`.
/// Each file is read the way the loader reads it: a FIFO, a device, a file
/// too large or a symlink leading outside the folder is left out of the
/// copy instead of blocking or copying without end, with the loader's
/// problem in `refused` when it is a data file (`.toml` or `.tsv`): the edit
/// is then refused, as the reload would be.
fn copy_tree(root: &Path, from: &Path, to: &Path, refused: &mut Vec<Problem>) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for item in fs::read_dir(from)? {
        let item = item?;
        if item.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(item.file_name());
        let path = item.path();
        if item.file_type()?.is_dir() {
            copy_tree(root, &path, &target, refused)?;
        } else {
            match crate::files::read_bytes_in(root, &path, MAX_FILE_BYTES) {
                Ok(bytes) => fs::write(&target, bytes)?,
                Err(message) if is_data_file(&path) => {
                    refused.push(Problem::whole_file(&path, message));
                }
                // Not read by the loader either.
                Err(_) => {}
            }
        }
    }
    Ok(())
}

/// Whether the loaders read files named like `path` (entries, synonyms,
/// the symptom check, the emergency screen's tables).
fn is_data_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "toml" || extension == "tsv")
}

/// A check run on the written temporary file before it replaces the
/// target; its error aborts the write.
pub type BeforeRenameCheck<'a> = dyn Fn(&Path) -> io::Result<()> + 'a;

/// Writes `text` to `path` atomically: a hidden temporary file in the same
/// folder, flushed to disk, then renamed over `path` (and the folder flushed,
/// on Unix, so the rename survives a power cut). Readers see the old file or
/// the new one, never a mix.
pub fn atomic_write(path: &Path, text: &str) -> io::Result<()> {
    atomic_write_with(path, text, None)
}

/// [`atomic_write`] with a function called after the temporary file is
/// written and flushed and before the rename; its error aborts the write
/// (the temporary file is removed, `path` untouched).
pub fn atomic_write_with(
    path: &Path,
    text: &str,
    before_rename: Option<&BeforeRenameCheck<'_>>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("no file name"))?
        .to_string_lossy();
    let temporary = folder.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        if let Some(hook) = before_rename {
            hook(&temporary)?;
        }
        fs::rename(&temporary, path)?;
        sync_folder(folder);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

fn remove_durably(path: &Path) -> io::Result<()> {
    fs::remove_file(path)?;
    if let Some(folder) = path.parent() {
        sync_folder(folder);
    }
    Ok(())
}

/// Flushes a folder's entries (a rename or removal) to disk; best effort,
/// and only where a folder can be opened (Unix).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(folder) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// Lines of a text box, trimmed, empty ones dropped.
pub fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Keywords from a text box: separated by commas or lines.
pub fn split_keywords(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Sources from a text box, one per line: a title, then the address
/// (`NHS: Sciatica https://www.nhs.uk/conditions/sciatica/`; a `|` or `-`
/// between them is allowed). Lines without an address are returned as
/// errors.
pub fn split_sources(text: &str) -> Result<Vec<Source>, Vec<String>> {
    let mut sources = Vec::new();
    let mut bad = Vec::new();
    for line in split_lines(text) {
        match line.rsplit_once(char::is_whitespace) {
            Some((title, url)) if url.starts_with("https://") || url.starts_with("http://") => {
                let title = title.trim().trim_end_matches(['|', '-']).trim();
                if title.is_empty() {
                    bad.push(line.clone());
                } else {
                    sources.push(Source {
                        title: title.to_owned(),
                        url: url.to_owned(),
                    });
                }
            }
            _ => bad.push(line.clone()),
        }
    }
    if bad.is_empty() {
        Ok(sources)
    } else {
        Err(bad)
    }
}

/// An entry's fields as written in its file (leniently: a missing key is
/// empty), for forms and for naming what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct EntryFields {
    question: String,
    answer: String,
    alternates: Vec<String>,
    keywords: Vec<String>,
    see_also: Vec<String>,
    sources: Vec<Source>,
}

impl EntryFields {
    fn parse(path: &Path, text: &str) -> Result<EntryFields, EditError> {
        let document = parse_document(path, text)?;
        let table = document.as_table();
        let sources = table
            .get("sources")
            .and_then(Item::as_array_of_tables)
            .map(|array| {
                array
                    .iter()
                    .map(|source| Source {
                        title: string_of(source, "title"),
                        url: string_of(source, "url"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(EntryFields {
            question: string_of(table, "question"),
            answer: string_of(table, "answer"),
            alternates: list_of(table, "alternates"),
            keywords: list_of(table, "keywords"),
            see_also: list_of(table, "see_also"),
            sources,
        })
    }

    fn differences(&self, other: &EntryFields) -> Vec<String> {
        let mut fields = Vec::new();
        let mut check = |name: &str, same: bool| {
            if !same {
                fields.push(name.to_owned());
            }
        };
        check("question", self.question == other.question);
        check("answer", self.answer == other.answer);
        check("alternates", self.alternates == other.alternates);
        check("keywords", self.keywords == other.keywords);
        check("see_also", self.see_also == other.see_also);
        check("sources", self.sources == other.sources);
        fields
    }

    fn differences_from_draft(&self, draft: &EntryDraft) -> Vec<String> {
        let as_fields = EntryFields {
            question: draft.question.trim().to_owned(),
            answer: draft.answer.trim().to_owned(),
            alternates: clean_list(&draft.alternates),
            keywords: clean_list(&draft.keywords),
            see_also: self.see_also.clone(),
            sources: self.sources.clone(),
        };
        self.differences(&as_fields)
    }
}

fn parse_document(path: &Path, text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        EditError::Unreadable {
            problem: Problem::at_offset(
                path,
                text,
                offset,
                format!("invalid TOML: {}", error.message().trim()),
            ),
        }
    })
}

fn string_of(table: &Table, key: &str) -> String {
    table
        .get(key)
        .and_then(Item::as_str)
        .map(|text| text.trim().to_owned())
        .unwrap_or_default()
}

fn list_of(table: &Table, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(Item::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(Value::as_str)
                .map(|text| text.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn clean_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|item| item.trim())
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The entry file's text with the draft's fields in place. Values that did
/// not change are left exactly as written; changed ones keep their
/// surrounding comments and layout.
fn apply_draft(path: &Path, text: &str, draft: &EntryDraft) -> Result<String, EditError> {
    let mut document = parse_document(path, text)?;
    let table = document.as_table_mut();
    set_string(table, "question", draft.question.trim(), false);
    set_string(table, "answer", draft.answer.trim(), true);
    set_list(table, "alternates", &clean_list(&draft.alternates), true);
    set_list(table, "keywords", &clean_list(&draft.keywords), false);
    Ok(document.to_string())
}

/// Sets a string value unless it already says `new` (as the loader reads
/// it: trimmed). An answer (`answer_style`) is written as a multi-line
/// string when it has several lines or was one before.
fn set_string(table: &mut Table, key: &str, new: &str, answer_style: bool) {
    let current = table.get(key).and_then(Item::as_str).map(str::trim);
    if current == Some(new) {
        return;
    }
    let was_multiline = table
        .get(key)
        .and_then(Item::as_value)
        .and_then(|value| value.as_formatted_str_repr())
        .is_some_and(|repr| repr.starts_with("\"\"\"") || repr.starts_with("'''"));
    let mut value = if answer_style && (was_multiline || new.contains('\n')) {
        multiline_string(new)
    } else {
        Value::from(new)
    };
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

trait FormattedRepr {
    fn as_formatted_str_repr(&self) -> Option<String>;
}

impl FormattedRepr for Value {
    /// The string as written in the file (quotes included), when the value
    /// is a string read from a file.
    fn as_formatted_str_repr(&self) -> Option<String> {
        match self {
            Value::String(formatted) => formatted
                .as_repr()
                .and_then(|repr| repr.as_raw().as_str())
                .map(str::to_owned),
            _ => None,
        }
    }
}

/// A TOML multi-line basic string: `"""`, a line break, the text, a line
/// break, `"""` (the layout of the answers in the FAQ files).
fn multiline_string(text: &str) -> Value {
    let mut body = String::with_capacity(text.len() + 8);
    let mut quotes = 0;
    for c in text.chars() {
        match c {
            '"' => {
                quotes += 1;
                if quotes == 3 {
                    body.push_str("\\\"");
                    quotes = 0;
                    continue;
                }
                body.push('"');
                continue;
            }
            '\\' => body.push_str("\\\\"),
            '\n' | '\t' => body.push(c),
            '\r' => body.push_str("\\r"),
            c if c.is_control() => body.push_str(&format!("\\u{:04X}", c as u32)),
            c => body.push(c),
        }
        quotes = 0;
    }
    let source = format!("\"\"\"\n{body}\n\"\"\"");
    source
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(format!("{text}\n")))
}

/// Sets a list of strings unless it already holds `new`. Items that stay
/// keep their own comments and layout; new items are laid out like the
/// others (one per line, or all on one line).
fn set_list(table: &mut Table, key: &str, new: &[String], multiline_by_default: bool) {
    let current: Option<Vec<String>> = table.get(key).and_then(Item::as_array).map(|array| {
        array
            .iter()
            .filter_map(Value::as_str)
            .map(|text| text.trim().to_owned())
            .collect()
    });
    match &current {
        Some(items) if items == new => return,
        None if new.is_empty() => return,
        _ => {}
    }
    if table.get(key).and_then(Item::as_array).is_none() {
        let mut array = Array::new();
        if multiline_by_default && !new.is_empty() {
            array.set_trailing_comma(true);
            array.set_trailing("\n");
        }
        table.insert(key, Item::Value(Value::Array(array)));
    }
    let Some(array) = table.get_mut(key).and_then(Item::as_array_mut) else {
        return;
    };
    let old: Vec<Value> = array.iter().cloned().collect();
    let multiline = if old.is_empty() {
        multiline_by_default
    } else {
        old.iter().any(starts_own_line)
    };
    let item_prefix = item_prefix(&old);
    let mut unused: BTreeMap<usize, Value> = old.into_iter().enumerate().collect();
    array.clear();
    for (position, text) in new.iter().enumerate() {
        let reused = unused
            .iter()
            .find(|(_, value)| value.as_str().map(str::trim) == Some(text.as_str()))
            .map(|(index, _)| *index)
            .and_then(|index| unused.remove(&index));
        let mut value = reused.unwrap_or_else(|| Value::from(text.as_str()));
        if multiline {
            if !starts_own_line(&value) {
                value.decor_mut().set_prefix(item_prefix.clone());
            }
            value.decor_mut().set_suffix("");
        } else {
            value
                .decor_mut()
                .set_prefix(if position == 0 { "" } else { " " });
            value.decor_mut().set_suffix("");
        }
        array.push_formatted(value);
    }
    if multiline && !new.is_empty() {
        array.set_trailing_comma(true);
        let trailing = array.trailing().as_str().unwrap_or("").to_owned();
        if !trailing.contains('\n') {
            array.set_trailing("\n");
        }
    } else if new.is_empty() {
        array.set_trailing_comma(false);
        array.set_trailing("");
    }
}

/// Whether a list item is written on a line of its own (its prefix holds a
/// line break), as in a list laid out one item per line.
fn starts_own_line(value: &Value) -> bool {
    value
        .decor()
        .prefix()
        .and_then(|prefix| prefix.as_str())
        .is_some_and(|prefix| prefix.contains('\n'))
}

/// The line break and indent the list's items are written with, so a new
/// item lines up with the others (two spaces when none shows one).
fn item_prefix(items: &[Value]) -> String {
    items
        .iter()
        .filter_map(|value| value.decor().prefix().and_then(|prefix| prefix.as_str()))
        .find_map(|prefix| {
            prefix
                .rsplit_once('\n')
                .map(|(_, indent)| format!("\n{indent}"))
        })
        .unwrap_or_else(|| "\n  ".to_owned())
}

/// The urgency blocks a new entry shows until a moderator chooses its own.
pub const DEFAULT_URGENCY: &str = "urgency = [\"emergency\", \"today\"]";
const DEFAULT_URGENCY_COMMENT: &str =
    "# The \"when to get help\" blocks of urgency.toml this answer shows.";

/// The text of a new entry file, laid out like the FAQ's own files.
fn render_new_entry(entry: &NewEntry) -> String {
    let quoted = |text: &str| Value::from(text.trim()).to_string().trim().to_owned();
    let mut out = String::new();
    out.push_str(&format!("id = {}\n", quoted(&entry.id)));
    out.push_str(&format!("question = {}\n", quoted(&entry.question)));
    let alternates = clean_list(&entry.alternates);
    if !alternates.is_empty() {
        out.push_str("alternates = [\n");
        for alternate in &alternates {
            out.push_str(&format!("  {},\n", quoted(alternate)));
        }
        out.push_str("]\n");
    }
    let inline = |items: &[String]| {
        items
            .iter()
            .map(|item| quoted(item))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let keywords = clean_list(&entry.keywords);
    if !keywords.is_empty() {
        out.push_str(&format!("keywords = [{}]\n", inline(&keywords)));
    }
    let see_also = clean_list(&entry.see_also);
    if !see_also.is_empty() {
        out.push_str(&format!("see_also = [{}]\n", inline(&see_also)));
    }
    // A new entry shows the emergency and same-day signs until a moderator
    // chooses its blocks (faq/README.md, "When to get help").
    out.push_str(&format!("{DEFAULT_URGENCY_COMMENT}\n{DEFAULT_URGENCY}\n"));
    out.push_str(&format!(
        "answer = {}\n",
        multiline_string(entry.answer.trim()).to_string().trim()
    ));
    for source in &entry.sources {
        out.push_str(&format!(
            "\n[[sources]]\ntitle = {}\nurl = {}\n",
            quoted(&source.title),
            quoted(&source.url)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = r#"# A comment at the top.
id = "x"
question = "Why?" # trailing comment
# About the alternates.
alternates = [
  "first one",
  # a comment inside
  "second one",
]
keywords = ["a", "b"]
answer = """
Line one.
Line two.
"""

[[sources]]
title = "T"
url = "https://example.org"
"#;

    fn draft() -> EntryDraft {
        EntryDraft {
            question: "Why?".to_owned(),
            answer: "Line one.\nLine two.".to_owned(),
            alternates: vec!["first one".to_owned(), "second one".to_owned()],
            keywords: vec!["a".to_owned(), "b".to_owned()],
        }
    }

    #[test]
    fn an_unchanged_draft_changes_nothing() {
        let out = apply_draft(Path::new("x.toml"), ENTRY, &draft()).expect("applies");
        assert_eq!(out, ENTRY);
    }

    #[test]
    fn a_new_alternate_is_one_new_line() {
        let mut changed = draft();
        changed.alternates.push("third one".to_owned());
        let out = apply_draft(Path::new("x.toml"), ENTRY, &changed).expect("applies");
        let expected = ENTRY.replace(
            "  \"second one\",\n]",
            "  \"second one\",\n  \"third one\",\n]",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn a_removed_alternate_keeps_the_comments_of_the_others() {
        let mut changed = draft();
        changed.alternates.remove(0);
        let out = apply_draft(Path::new("x.toml"), ENTRY, &changed).expect("applies");
        let expected = ENTRY.replace("  \"first one\",\n", "");
        assert_eq!(out, expected);
    }

    #[test]
    fn a_changed_answer_stays_multi_line_and_escapes_quotes() {
        let mut changed = draft();
        changed.answer = "Say \"\"\"hi\"\"\" and C:\\path.\nNext.".to_owned();
        let out = apply_draft(Path::new("x.toml"), ENTRY, &changed).expect("applies");
        assert!(out.contains("answer = \"\"\"\nSay"), "{out}");
        let document: DocumentMut = out.parse().expect("valid TOML");
        assert_eq!(
            document["answer"].as_str().map(str::trim),
            Some(changed.answer.as_str())
        );
        assert!(out.contains("question = \"Why?\" # trailing comment"));
    }

    #[test]
    fn a_changed_keyword_list_stays_on_one_line() {
        let mut changed = draft();
        changed.keywords = vec!["b".to_owned(), "c".to_owned()];
        let out = apply_draft(Path::new("x.toml"), ENTRY, &changed).expect("applies");
        assert!(out.contains("keywords = [\"b\", \"c\"]\n"), "{out}");
    }

    #[test]
    fn text_boxes_split_into_lists() {
        assert_eq!(split_lines(" a \n\n b\n"), vec!["a", "b"]);
        assert_eq!(split_keywords("a, b\nc,,"), vec!["a", "b", "c"]);
        let sources = split_sources("NHS: Sciatica | https://www.nhs.uk/x\nno address")
            .expect_err("second line has no address");
        assert_eq!(sources, vec!["no address"]);
        let ok = split_sources("NHS: Sciatica https://www.nhs.uk/x").expect("parses");
        assert_eq!(ok[0].title, "NHS: Sciatica");
    }

    #[test]
    fn a_new_entry_is_laid_out_like_the_others() {
        let entry = NewEntry {
            id: "new-one".to_owned(),
            question: "Q?".to_owned(),
            answer: "A.\nB.".to_owned(),
            alternates: vec!["one".to_owned()],
            keywords: vec!["k".to_owned()],
            see_also: vec![],
            sources: vec![Source {
                title: "T".to_owned(),
                url: "https://example.org".to_owned(),
            }],
        };
        assert_eq!(
            render_new_entry(&entry),
            "id = \"new-one\"\nquestion = \"Q?\"\nalternates = [\n  \"one\",\n]\nkeywords = [\"k\"]\n# The \"when to get help\" blocks of urgency.toml this answer shows.\nurgency = [\"emergency\", \"today\"]\nanswer = \"\"\"\nA.\nB.\n\"\"\"\n\n[[sources]]\ntitle = \"T\"\nurl = \"https://example.org\"\n"
        );
    }
}
