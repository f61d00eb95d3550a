//! Reading moderator-edited TOML with positions, so every problem can be
//! reported as `path:line:col: message`.
//!
//! serde stops at the first error; moderators need them all. These helpers
//! walk a `toml_edit` document (which keeps byte spans), collect a
//! [`Problem`] for each missing key, unknown key or wrong type, and carry on.

use std::path::Path;

use toml_edit::{Item, Table, Value};

use crate::problem::Problem;

/// A TOML file being read: its path, its text, and the problems found so far.
pub struct TomlReader<'a> {
    /// The file's path, for problem messages.
    pub path: &'a Path,
    /// The file's text, for turning spans into lines and columns.
    pub source: &'a str,
    /// Every problem found so far.
    pub problems: Vec<Problem>,
}

impl<'a> TomlReader<'a> {
    /// Starts reading `source`, the text of the file at `path`.
    pub fn new(path: &'a Path, source: &'a str) -> Self {
        TomlReader {
            path,
            source,
            problems: Vec::new(),
        }
    }

    /// Parses the whole file; a syntax error becomes a problem at its position.
    pub fn parse(&mut self) -> Option<toml_edit::Document<&'a str>> {
        match toml_edit::Document::parse(self.source) {
            Ok(document) => Some(document),
            Err(error) => {
                let offset = error.span().map_or(0, |span| span.start);
                let message = error.message().trim().to_owned();
                self.problem_at(offset, format!("invalid TOML: {message}"));
                None
            }
        }
    }

    /// Records a problem at a byte offset.
    pub fn problem_at(&mut self, offset: usize, message: impl Into<String>) {
        self.problems
            .push(Problem::at_offset(self.path, self.source, offset, message));
    }

    /// The byte offset where the value of `key` starts in `table`, or where
    /// the table starts when the key is absent.
    pub fn offset_of(&self, table: &Table, key: &str) -> usize {
        match table.get_key_value(key) {
            Some((found_key, item)) => item
                .span()
                .or_else(|| found_key.span())
                .map_or(0, |span| span.start),
            None => table.span().map_or(0, |span| span.start),
        }
    }

    /// Reports every key of `table` that is not in `known`, at the key.
    pub fn reject_unknown_keys(&mut self, table: &Table, known: &[&str], what: &str) {
        let unknown: Vec<(String, usize)> = table
            .iter()
            .filter(|(key, _)| !known.contains(key))
            .map(|(key, _)| {
                let offset = table
                    .get_key_value(key)
                    .and_then(|(found, _)| found.span())
                    .map_or(0, |span| span.start);
                (key.to_owned(), offset)
            })
            .collect();
        for (key, offset) in unknown {
            self.problem_at(
                offset,
                format!(
                    "unknown key `{key}` in {what} (expected one of: {})",
                    known.join(", ")
                ),
            );
        }
    }

    /// A required string. Reports a problem and returns `None` when it is
    /// missing or not a string.
    pub fn required_string(&mut self, table: &Table, key: &str) -> Option<(String, usize)> {
        match table.get(key) {
            None => {
                let offset = self.offset_of(table, key);
                self.problem_at(offset, format!("missing required key `{key}`"));
                None
            }
            Some(item) => self.string_item(table, key, item),
        }
    }

    /// An optional string.
    pub fn optional_string(&mut self, table: &Table, key: &str) -> Option<(String, usize)> {
        let item = table.get(key)?;
        self.string_item(table, key, item)
    }

    fn string_item(&mut self, table: &Table, key: &str, item: &Item) -> Option<(String, usize)> {
        let offset = self.offset_of(table, key);
        match item.as_str() {
            Some(text) => Some((text.to_owned(), offset)),
            None => {
                self.problem_at(
                    offset,
                    format!("`{key}` must be a string, not {}", item.type_name()),
                );
                None
            }
        }
    }

    /// An optional array of strings, each with its byte offset. A missing key
    /// gives an empty list; a wrong type or a non-string element is a problem.
    pub fn string_list(&mut self, table: &Table, key: &str) -> Vec<(String, usize)> {
        let Some(item) = table.get(key) else {
            return Vec::new();
        };
        let offset = self.offset_of(table, key);
        let Some(array) = item.as_array() else {
            self.problem_at(
                offset,
                format!(
                    "`{key}` must be a list of strings, not {}",
                    item.type_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(array.len());
        for value in array.iter() {
            let value_offset = value.span().map_or(offset, |span| span.start);
            match value {
                Value::String(text) => out.push((text.value().clone(), value_offset)),
                other => self.problem_at(
                    value_offset,
                    format!(
                        "every item of `{key}` must be a string, not {}",
                        other.type_name()
                    ),
                ),
            }
        }
        out
    }
}
