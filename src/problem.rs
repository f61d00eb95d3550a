//! One problem found while loading a data file: where it is and what is wrong.
//!
//! Every loader in faqbot reports *all* of its problems at once as a list of
//! [`Problem`]s, so a moderator fixes a broken edit in one pass instead of one
//! error per run (ARCHITECTURE.md, invariant 5).

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A problem in a data file, with a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file the problem is in.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number, counted in characters.
    pub column: usize,
    /// What is wrong, written for a moderator.
    pub message: String,
}

impl Problem {
    /// A problem at a byte offset in `source` (the text of the file at `path`).
    pub fn at_offset(path: &Path, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(source, offset);
        Problem {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    /// A problem that concerns a whole file (reported at line 1, column 1).
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        Problem {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    /// `path:line:col: message` on one line, whatever the path or the
    /// message holds (see [`printable`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            printable(&self.path.display().to_string()),
            self.line,
            self.column,
            printable(&self.message)
        )
    }
}

/// `text` with the characters that would break a one-line problem or
/// change how the rest of its line is shown written as escapes (`\n`,
/// `\t`, `\u{202e}`): line breaks and other control characters, and the
/// bidirectional controls (a file named `a\u{202e}lmth.toml` must not show
/// as `a lmth.toml` reversed, nor hide the message after it). A file name
/// can hold any of them, and messages quote file names and file text.
pub fn printable(text: &str) -> Cow<'_, str> {
    fn hostile(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }
    if !text.contains(hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hostile(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Converts a byte offset into a 1-based (line, column) pair; the column counts
/// characters, not bytes. Offsets past the end point just after the last character.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // "é" is two bytes; the offset of " = 2" is 9, the third character.
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn display_is_path_line_col_message() {
        let p = Problem::at_offset(Path::new("faq/x.toml"), "a\nb", 2, "bad");
        assert_eq!(p.to_string(), "faq/x.toml:2:1: bad");
    }

    #[test]
    fn display_stays_on_one_line_whatever_the_names() {
        let p = Problem::whole_file(Path::new("faq/new\nline\u{202E}.toml"), "bad\tthing");
        assert_eq!(
            p.to_string(),
            "faq/new\\nline\\u{202e}.toml:1:1: bad\\tthing"
        );
        assert_eq!(printable("calf é"), "calf é");
    }
}
