//! Reading the data files moderators edit, safely.
//!
//! A file in `faq/` may be anything a moderator, a `git pull` or an attacker
//! put there: a FIFO that blocks forever when opened, a symlink to
//! `/dev/zero` that never ends, a huge or binary file, a byte-order mark,
//! Windows line ends, or a symlink to a file outside the folder.
//! [`read_text`] reads regular files only and stops at a size limit while
//! reading (not trusting the size the file system reports);
//! [`read_text_in`] also refuses paths that lead outside the FAQ folder.
//! Every refusal is a [`Problem`] at the file, never a hang or a panic.
//! Every read of a data file goes through here.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::problem::Problem;

/// Reads the bytes of a regular file of at most `max_bytes` bytes, or says
/// why not (a message for a moderator, without the path).
pub fn read_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    read_checked(None, path, max_bytes)
}

/// [`read_bytes`], refusing also a `path` that leads outside `folder`
/// when one is given.
///
/// A FIFO blocks when opened and a device such as `/dev/zero` never ends,
/// so the kind of file is checked before opening it (`metadata` follows
/// symlinks and opens nothing) and again on the opened file, in case it was
/// swapped in between; the size is limited while reading, since a file can
/// grow after its size was looked at.
fn read_checked(folder: Option<&Path>, path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    const NOT_REGULAR: &str =
        "not a regular file (a folder, FIFO, socket or device); only plain files are read";
    let cannot = |error: std::io::Error| format!("cannot read: {error}");
    if !fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(NOT_REGULAR.to_owned());
    }
    if let Some(folder) = folder {
        check_inside(folder, path)?;
    }
    let file = fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    if !metadata.is_file() {
        return Err(NOT_REGULAR.to_owned());
    }
    // Sized to the file as it is now (a file that grows meanwhile is still
    // read, to the limit): no doubling of a buffer for every file of a
    // large FAQ.
    let expected = metadata.len().min(max_bytes.saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!("file is too large (more than {max_bytes} bytes)"));
    }
    Ok(bytes)
}

/// Reads the UTF-8 text of a regular file of at most `max_bytes` bytes. A
/// leading byte-order mark is dropped. On any refusal a problem is pushed
/// and `None` returned.
pub fn read_text(path: &Path, max_bytes: u64, problems: &mut Vec<Problem>) -> Option<String> {
    text_of(path, read_checked(None, path, max_bytes), problems)
}

/// The text of bytes read from `path`, or the problem with them.
fn text_of(
    path: &Path,
    read: Result<Vec<u8>, String>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(message) => {
            problems.push(Problem::whole_file(path, message));
            return None;
        }
    };
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            problems.push(Problem::at_offset(
                path,
                &text,
                offset,
                "file is not valid UTF-8",
            ));
            None
        }
    }
}

/// [`read_text`] for a file of the FAQ folder `folder`: a path that leads
/// outside it (through a symlink to the file or to a folder on the way) is
/// refused, so the bot never serves, or shows a moderator, a file nobody
/// put in the folder. Symlinks that stay inside the folder are read.
pub fn read_text_in(
    folder: &Path,
    path: &Path,
    max_bytes: u64,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    text_of(path, read_checked(Some(folder), path, max_bytes), problems)
}

/// [`read_bytes`] for a file of the FAQ folder `folder` (see
/// [`read_text_in`]).
pub fn read_bytes_in(folder: &Path, path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    read_checked(Some(folder), path, max_bytes)
}

/// Whether `path`, every symlink resolved, is inside `folder` (also
/// resolved, so a FAQ folder that is itself a symlink works).
fn check_inside(folder: &Path, path: &Path) -> Result<(), String> {
    // The common case, cheaply: a path under the folder with no symlink
    // below it (two `lstat`s for `entries/x.toml`, where resolving every
    // symlink of both paths costs a `readlink` per component of each).
    if let Ok(relative) = path.strip_prefix(folder)
        && no_symlink_below(folder, relative)
    {
        return Ok(());
    }
    let cannot = |error: std::io::Error| format!("cannot read: {error}");
    let folder = fs::canonicalize(folder).map_err(cannot)?;
    let real = fs::canonicalize(path).map_err(cannot)?;
    if real.starts_with(&folder) {
        Ok(())
    } else {
        // The target is not named: it is somewhere nobody meant to show.
        Err(
            "leads outside the FAQ folder (through a symlink); only files inside the folder \
             are read"
                .to_owned(),
        )
    }
}

/// Whether `relative` names a path below `folder` through plain folders
/// only: every component a name (no `..`), none a symlink.
fn no_symlink_below(folder: &Path, relative: &Path) -> bool {
    let mut at = folder.to_path_buf();
    for component in relative.components() {
        let std::path::Component::Normal(name) = component else {
            return false;
        };
        at.push(name);
        match fs::symlink_metadata(&at) {
            Ok(metadata) if !metadata.file_type().is_symlink() => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_problem_not_a_panic() {
        let mut problems = Vec::new();
        let text = read_text(Path::new("/no/such/file.toml"), 100, &mut problems);
        assert!(text.is_none());
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn a_folder_is_refused() {
        let mut problems = Vec::new();
        assert!(read_text(Path::new("."), 100, &mut problems).is_none());
        assert!(problems[0].message.contains("not a regular file"));
    }

    #[test]
    fn the_size_is_limited_while_reading() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert!(read_bytes(&path, 10).is_err_and(|message| message.contains("too large")));
        assert!(read_bytes(&path, 1 << 20).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_may_point_inside_the_folder_but_not_out_of_it() {
        let root = std::env::temp_dir().join(format!("faqbot-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let folder = root.join("faq");
        fs::create_dir_all(&folder).expect("create folder");
        fs::write(folder.join("inside.toml"), "a = 1").expect("write");
        fs::write(root.join("outside.toml"), "b = 2").expect("write");
        std::os::unix::fs::symlink("inside.toml", folder.join("alias.toml")).expect("symlink");
        std::os::unix::fs::symlink("../outside.toml", folder.join("escape.toml")).expect("symlink");
        let mut problems = Vec::new();
        let alias = read_text_in(&folder, &folder.join("alias.toml"), 100, &mut problems);
        let escape = read_text_in(&folder, &folder.join("escape.toml"), 100, &mut problems);
        let _ = fs::remove_dir_all(&root);
        assert_eq!(alias.as_deref(), Some("a = 1"));
        assert!(escape.is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("outside the FAQ folder"));
    }
}
