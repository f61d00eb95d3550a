//! Reading moderator-edited TOML with positions, so every problem can be
//! reported as `path:line:col: message`.
//!
//! serde stops at the first error; moderators need them all. These helpers
//! walk a `toml_edit` document (which keeps byte spans), collect a
//! [`Problem`] for each missing key, unknown key or wrong type, and carry on.
//! This is the project's one reader of TOML with positions (issue 13).

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, Table, TableLike, Value};
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};

use crate::problem::Problem;

pub(crate) mod shape;

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

    /// Parses the whole file like [`TomlReader::parse`], but on a syntax
    /// error lists every syntax error of the file, not only the first.
    ///
    /// `toml_edit` stops at the first error. The same lexer and parser
    /// (`toml_parser`, which `toml_edit` is built on) are then run alone over
    /// the file to collect every error they find, and each value is decoded
    /// where `toml_edit` would decode it (escapes, numbers, dates). Errors of
    /// the document's structure (a key or table defined twice) are only known
    /// to `toml_edit`: the first of them is listed when it is the first error.
    pub fn parse_listing_syntax_errors(&mut self) -> Option<toml_edit::Document<&'a str>> {
        let first = match toml_edit::Document::parse(self.source) {
            Ok(document) => return Some(document),
            Err(error) => error,
        };
        let mut found: Vec<(usize, String)> = syntax_errors(self.source)
            .iter()
            .map(|error| {
                let offset = error.unexpected().map_or(0, |span| span.start());
                (offset, parse_error_message(error))
            })
            .collect();
        let first = (
            first.span().map_or(0, |span| span.start),
            first.message().trim().to_owned(),
        );
        if !found.contains(&first) {
            found.push(first);
        }
        for (offset, message) in found {
            self.problem_at(offset, format!("invalid TOML: {message}"));
        }
        None
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

/// A TOML value's type as a moderator would name it: `string`, `integer`,
/// `float`, `boolean`, `datetime`, `array` (also `[[name]]` tables) or
/// `table` (also inline tables).
pub fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(value) => value_type_name(value),
        Item::Table(_) => "table",
        Item::ArrayOfTables(_) => "array",
    }
}

/// Like [`type_name`], for a value.
pub fn value_type_name(value: &Value) -> &'static str {
    match value {
        Value::InlineTable(_) => "table",
        other => other.type_name(),
    }
}

/// Where an item starts (0 if it has no position).
pub fn item_start(item: &Item) -> usize {
    item.span().map_or(0, |span| span.start)
}

/// The byte span of `key` itself in `table` (0..0 if absent).
pub fn key_span(table: &dyn TableLike, key: &str) -> Range<usize> {
    table
        .get_key_value(key)
        .and_then(|(found, _)| found.span())
        .unwrap_or(0..0)
}

/// One element of an array: an inline value, or a table of a `[[name]]` list.
#[derive(Clone, Copy)]
pub enum Element<'t> {
    /// An element of `name = [ ... ]`.
    Value(&'t Value),
    /// A table of `[[name]]`.
    Table(&'t Table),
}

impl<'t> Element<'t> {
    /// The element's byte span (a `[[name]]` table's is its header).
    pub fn span(&self) -> Range<usize> {
        match self {
            Element::Value(value) => value.span(),
            Element::Table(table) => table.span(),
        }
        .unwrap_or(0..0)
    }

    /// The element's text, if it is a string.
    pub fn as_str(&self) -> Option<&'t str> {
        match self {
            Element::Value(value) => value.as_str(),
            Element::Table(_) => None,
        }
    }

    /// The element's keys, if it is a table (inline or not).
    pub fn as_table_like(&self) -> Option<&'t dyn TableLike> {
        match *self {
            Element::Value(Value::InlineTable(table)) => Some(table),
            Element::Value(_) => None,
            Element::Table(table) => Some(table),
        }
    }

    /// The element's type, as [`type_name`] names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Element::Value(value) => value_type_name(value),
            Element::Table(_) => "table",
        }
    }
}

/// The elements of an array (`name = [ ... ]` or `[[name]]`), or `None`
/// when the item is not an array.
pub fn elements(item: &Item) -> Option<Vec<Element<'_>>> {
    match item {
        Item::Value(Value::Array(array)) => Some(array.iter().map(Element::Value).collect()),
        Item::ArrayOfTables(tables) => Some(tables.iter().map(Element::Table).collect()),
        _ => None,
    }
}

/// Deeper nesting of arrays and inline tables than this is a syntax error
/// (the limit `toml_edit` itself applies, so the two passes agree).
const NESTING_LIMIT: u32 = 80;

/// Every error `toml_parser` finds in `source`: the parser's own, and those
/// of decoding each key and each value found where a value belongs.
fn syntax_errors(source: &str) -> Vec<toml_parser::ParseError> {
    let source = toml_parser::Source::new(source);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::new();
    let mut errors: Vec<toml_parser::ParseError> = Vec::new();
    {
        let mut push = |event: Event| events.push(event);
        let mut whitespace = ValidateWhitespace::new(&mut push, source);
        let mut guard = RecursionGuard::new(&mut whitespace, NESTING_LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut guard, &mut errors);
    }
    // What came before, skipping whitespace (and, inside arrays, line ends
    // and comments): a scalar is decoded only where a value belongs, after
    // `=`, `[` or `,`, as toml_edit decodes it.
    let mut before: Option<EventKind> = None;
    let mut before_in_array: Option<EventKind> = None;
    for event in &events {
        let kind = event.kind();
        if let Some(raw) = source.get(event) {
            let mut decoded = Cow::Borrowed("");
            match kind {
                EventKind::SimpleKey => {
                    raw.decode_key(&mut decoded, &mut errors);
                }
                EventKind::Scalar
                    if before == Some(EventKind::KeyValSep)
                        || matches!(
                            before_in_array,
                            Some(EventKind::ArrayOpen | EventKind::ValueSep)
                        ) =>
                {
                    let _kind = raw.decode_scalar(&mut decoded, &mut errors);
                }
                _ => {}
            }
        }
        if kind != EventKind::Whitespace {
            before = Some(kind);
            if !matches!(kind, EventKind::Newline | EventKind::Comment) {
                before_in_array = Some(kind);
            }
        }
    }
    errors.sort_by_key(|error| error.unexpected().map_or(0, |span| span.start()));
    errors
}

/// A `toml_parser` error worded as `toml_edit` words it.
fn parse_error_message(error: &toml_parser::ParseError) -> String {
    let mut message = error.description().to_owned();
    if let Some(expected) = error.expected() {
        message.push_str(", expected ");
        if expected.is_empty() {
            message.push_str("nothing");
        }
        for (i, expected) in expected.iter().enumerate() {
            if i != 0 {
                message.push_str(", ");
            }
            match expected {
                toml_parser::Expected::Literal(literal) => {
                    message.push_str(&literal_name(literal));
                }
                toml_parser::Expected::Description(description) => message.push_str(description),
                _ => message.push_str("etc"),
            }
        }
    }
    message
}

fn literal_name(literal: &str) -> String {
    match literal {
        "\n" => "newline".to_owned(),
        "`" => "'`'".to_owned(),
        s if s.chars().all(|c| c.is_ascii_control()) => format!("`{}`", s.escape_debug()),
        s => format!("`{s}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax_problems(source: &str) -> Vec<String> {
        let mut reader = TomlReader::new(Path::new("t.toml"), source);
        assert!(reader.parse_listing_syntax_errors().is_none());
        reader
            .problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn every_syntax_error_is_listed_not_only_the_first() {
        let problems = syntax_problems("a = \"open\nb = = 1\nc = \"\\q\"\n");
        assert_eq!(
            problems,
            [
                "1:10: invalid TOML: invalid basic string, expected `\"`",
                "2:5: invalid TOML: extra `=`, expected nothing",
                "2:7: invalid TOML: unexpected key or value, expected newline, `#`",
                "3:7: invalid TOML: missing escaped value, expected `b`, `e`, `f`, `n`, `r`, \
                 `\\`, `\"`, `x`, `u`, `U`",
            ]
        );
    }

    #[test]
    fn a_key_defined_twice_is_listed_when_it_is_the_only_error() {
        let problems = syntax_problems("a = 1\na = 2\n");
        assert_eq!(problems, ["2:1: invalid TOML: duplicate key"]);
    }

    #[test]
    fn deep_nesting_is_a_syntax_error_not_an_overflow() {
        let depth = 100_000;
        let arrays = format!("a = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        let tables = format!("a = {}1{}\n", "{ b = ".repeat(depth), " }".repeat(depth));
        for source in [arrays, tables] {
            let problems = syntax_problems(&source);
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains("max recursion depth met")),
                "{problems:?}"
            );
        }
    }
}
