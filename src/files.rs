//! Reading the data files moderators edit, safely.
//!
//! A file in `faq/` may be anything a moderator, a `git pull` or an attacker
//! put there: a FIFO that blocks forever when opened, a symlink to
//! `/dev/zero` that never ends, a huge or binary file, a byte-order mark,
//! Windows line ends. [`read_text`] reads regular files only, stops at a size
//! limit while reading (not trusting the size the file system reports), and
//! reports every refusal as a [`Problem`] instead of hanging or failing.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::problem::Problem;

/// Reads the UTF-8 text of a regular file of at most `max_bytes` bytes. A
/// leading byte-order mark is dropped. On any refusal a problem is pushed
/// and `None` returned.
pub fn read_text(path: &Path, max_bytes: u64, problems: &mut Vec<Problem>) -> Option<String> {
    // `metadata` follows symlinks and never opens the file, so a FIFO or a
    // device is recognised without blocking on it.
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            problems.push(Problem::whole_file(
                path,
                "not a regular file (a folder, FIFO, socket or device); only plain files are read",
            ));
            return None;
        }
        Err(error) => {
            problems.push(Problem::whole_file(path, format!("cannot read: {error}")));
            return None;
        }
        Ok(_) => {}
    }
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(error) => {
            problems.push(Problem::whole_file(path, format!("cannot read: {error}")));
            return None;
        }
    };
    let mut bytes = Vec::new();
    if let Err(error) = file
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        problems.push(Problem::whole_file(path, format!("cannot read: {error}")));
        return None;
    }
    if bytes.len() as u64 > max_bytes {
        problems.push(Problem::whole_file(
            path,
            format!("file is too large (more than {max_bytes} bytes)"),
        ));
        return None;
    }
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
}
