//! Reading a TOML document into typed values by hand, with serde's words
//! for what is wrong ("invalid: missing field `body`", "invalid type:
//! string \"x\", expected usize"), but every problem listed at its position
//! instead of stopping at the first.
//!
//! A loader describes its file's shape with [`Shape`]'s small readers
//! (`fields`, `required`, `optional`, `string`, `count`, `list`, `map`, ...)
//! and adds its own for its structs in an `impl Shape` of its own module;
//! [`read_shape`] parses the file and runs it. Used by the emergency rules
//! (`safety::emergency::rules`) and the urgency blocks (`faq::urgency`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::value::Error;
use serde::de::{Error as _, Unexpected};
use toml_edit::{Item, TableLike, Value};

use super::{Element, TomlReader};
use crate::problem::Problem;

/// A value read, with the byte offset where it starts.
pub(crate) type At<T> = (T, usize);

/// Parses the file at `path` (text `source`) and reads its shape with
/// `read`; `None`, with every problem added to `problems`, when the file is
/// not TOML or not of that shape.
pub(crate) fn read_shape<T>(
    path: &Path,
    source: &str,
    problems: &mut Vec<Problem>,
    read: impl FnOnce(&mut Shape<'_, '_>, Node<'_>) -> Option<T>,
) -> Option<T> {
    let mut reader = TomlReader::new(path, source);
    let read = reader.parse().and_then(|document| {
        let root = Node::Element(Element::Table(document.as_table()));
        read(
            &mut Shape {
                reader: &mut reader,
            },
            root,
        )
    });
    let clean = reader.problems.is_empty();
    problems.append(&mut reader.problems);
    read.filter(|_| clean)
}

/// A value of a file: the item of a key, or an element of an array (or
/// the whole file, as a table).
#[derive(Clone, Copy)]
pub(crate) enum Node<'t> {
    Item(&'t Item),
    Element(Element<'t>),
}

impl<'t> Node<'t> {
    /// Where the value starts.
    pub(crate) fn start(self) -> usize {
        match self {
            Node::Item(item) => super::item_start(item),
            Node::Element(element) => element.span().start,
        }
    }

    /// The value, when it is not a `[table]` or a `[[table]]` list.
    pub(crate) fn value(self) -> Option<&'t Value> {
        match self {
            Node::Item(item) => item.as_value(),
            Node::Element(Element::Value(value)) => Some(value),
            Node::Element(Element::Table(_)) => None,
        }
    }

    /// Its keys, when it is a table (inline or not).
    pub(crate) fn table(self) -> Option<&'t dyn TableLike> {
        match self {
            Node::Item(item) => item.as_table_like(),
            Node::Element(element) => element.as_table_like(),
        }
    }

    /// Its elements, when it is an array (`[ ... ]` or `[[name]]`).
    pub(crate) fn elements(self) -> Option<Vec<Element<'t>>> {
        match self {
            Node::Item(item) => super::elements(item),
            Node::Element(Element::Value(Value::Array(array))) => {
                Some(array.iter().map(Element::Value).collect())
            }
            Node::Element(_) => None,
        }
    }

    /// The value as serde names what it did not expect (`string "x"`,
    /// `integer `1``, `sequence`, `map`).
    pub(crate) fn unexpected(self) -> Unexpected<'t> {
        match self.value() {
            Some(Value::String(text)) => Unexpected::Str(text.value()),
            Some(Value::Integer(number)) => Unexpected::Signed(*number.value()),
            Some(Value::Float(number)) => Unexpected::Float(*number.value()),
            Some(Value::Boolean(flag)) => Unexpected::Bool(*flag.value()),
            Some(Value::Array(_)) => Unexpected::Seq,
            // A date is read as a map of its parts.
            Some(Value::Datetime(_) | Value::InlineTable(_)) => Unexpected::Map,
            None if self.elements().is_some() => Unexpected::Seq,
            None => Unexpected::Map,
        }
    }
}

/// A table being read as a loader's struct.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'t> {
    table: &'t dyn TableLike,
    /// Where the table starts, for a missing key.
    start: usize,
}

/// Reads a file into a loader's structs, collecting a problem for every
/// unknown key, missing key and wrong type. The messages keep the words the
/// files were checked with when serde read them ("invalid: missing field
/// `body`"), so that moderators see the same messages as before.
pub(crate) struct Shape<'r, 'a> {
    reader: &'r mut TomlReader<'a>,
}

impl<'t> Shape<'_, '_> {
    /// Records a problem in serde's words.
    pub(crate) fn says(&mut self, at: usize, error: serde::de::value::Error) {
        self.reader.problem_at(at, format!("invalid: {error}"));
    }

    /// Records that `node` is not of the `expected` type.
    pub(crate) fn wrong_type(&mut self, node: Node<'t>, expected: &str) {
        self.says(
            node.start(),
            Error::invalid_type(node.unexpected(), &expected),
        );
    }

    /// A table read as the struct `name` with the keys `known`; every other
    /// key is a problem.
    pub(crate) fn fields(
        &mut self,
        node: Node<'t>,
        name: &str,
        known: &'static [&'static str],
    ) -> Option<Fields<'t>> {
        let Some(table) = node.table() else {
            self.wrong_type(node, &format!("struct {name}"));
            return None;
        };
        for (key, _) in table.iter() {
            if !known.contains(&key) {
                let at = super::key_span(table, key).start;
                self.says(at, Error::unknown_field(key, known));
            }
        }
        Some(Fields {
            table,
            start: node.start(),
        })
    }

    /// A key that must be there.
    pub(crate) fn required<T: Default>(
        &mut self,
        fields: Fields<'t>,
        key: &'static str,
        read: impl FnOnce(&mut Self, Node<'t>) -> T,
    ) -> T {
        match fields.table.get(key) {
            Some(item) => read(self, Node::Item(item)),
            None => {
                self.says(fields.start, Error::missing_field(key));
                T::default()
            }
        }
    }

    /// A key that may be left out.
    pub(crate) fn optional<T>(
        &mut self,
        fields: Fields<'t>,
        key: &str,
        read: impl FnOnce(&mut Self, Node<'t>) -> T,
    ) -> Option<T> {
        fields
            .table
            .get(key)
            .map(|item| read(self, Node::Item(item)))
    }

    /// A key that may be left out, for its type's default.
    pub(crate) fn or_default<T: Default>(
        &mut self,
        fields: Fields<'t>,
        key: &str,
        read: impl FnOnce(&mut Self, Node<'t>) -> T,
    ) -> T {
        self.optional(fields, key, read).unwrap_or_default()
    }

    /// A string (empty, with a problem, when it is not one).
    pub(crate) fn string(&mut self, node: Node<'t>) -> String {
        match node.value().and_then(Value::as_str) {
            Some(text) => text.to_owned(),
            None => {
                self.wrong_type(node, "a string");
                String::new()
            }
        }
    }

    /// A string, with where it starts.
    pub(crate) fn string_at(&mut self, node: Node<'t>) -> At<String> {
        (self.string(node), node.start())
    }

    /// A whole number from 0 up (0, with a problem, when it is not one).
    pub(crate) fn count(&mut self, node: Node<'t>) -> usize {
        match node.value().and_then(Value::as_integer) {
            Some(number) => usize::try_from(number).unwrap_or_else(|_| {
                self.says(
                    node.start(),
                    Error::invalid_value(Unexpected::Signed(number), &"usize"),
                );
                0
            }),
            None => {
                self.wrong_type(node, "usize");
                0
            }
        }
    }

    /// `true` or `false` (false, with a problem, when it is neither).
    pub(crate) fn boolean(&mut self, node: Node<'t>) -> bool {
        match node.value().and_then(Value::as_bool) {
            Some(flag) => flag,
            None => {
                self.wrong_type(node, "a boolean");
                false
            }
        }
    }

    /// An array, each element read by `read`.
    pub(crate) fn list<T>(
        &mut self,
        node: Node<'t>,
        mut read: impl FnMut(&mut Self, Node<'t>) -> T,
    ) -> Vec<T> {
        let Some(elements) = node.elements() else {
            self.wrong_type(node, "a sequence");
            return Vec::new();
        };
        elements
            .into_iter()
            .map(|element| read(self, Node::Element(element)))
            .collect()
    }

    /// A table of any keys, each value read by `read`, with where it starts.
    pub(crate) fn map<T>(
        &mut self,
        node: Node<'t>,
        mut read: impl FnMut(&mut Self, Node<'t>) -> T,
    ) -> BTreeMap<String, At<T>> {
        let Some(table) = node.table() else {
            self.wrong_type(node, "a map");
            return BTreeMap::new();
        };
        table
            .iter()
            .map(|(key, item)| {
                let value = Node::Item(item);
                (key.to_owned(), (read(self, value), value.start()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small struct read the way the loaders read theirs.
    #[derive(Debug, Default, PartialEq)]
    struct Pair {
        name: At<String>,
        count: usize,
        tags: Vec<String>,
    }

    impl Shape<'_, '_> {
        fn pair(&mut self, root: Node<'_>) -> Option<Pair> {
            let f = self.fields(root, "Pair", &["name", "count", "tags"])?;
            Some(Pair {
                name: self.required(f, "name", Self::string_at),
                count: self.required(f, "count", Self::count),
                tags: self.or_default(f, "tags", |s, n| s.list(n, Self::string)),
            })
        }
    }

    fn read(source: &str) -> (Option<Pair>, Vec<String>) {
        let mut problems = Vec::new();
        let pair = read_shape(Path::new("p.toml"), source, &mut problems, |s, root| {
            s.pair(root)
        });
        (pair, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_good_file_is_read_with_positions() {
        let (pair, problems) = read("name = \"a\"\ncount = 2\ntags = [\"x\"]\n");
        assert!(problems.is_empty(), "{problems:?}");
        let pair = pair.expect("read");
        assert_eq!(pair.name, ("a".to_owned(), 7));
        assert_eq!((pair.count, pair.tags), (2, vec!["x".to_owned()]));
    }

    #[test]
    fn every_problem_is_listed_at_its_place_in_serdes_words() {
        let (pair, problems) = read("name = 1\ncount = -3\ntags = [true]\nextra = 0\n");
        assert_eq!(pair, None, "a file with problems is not used");
        assert_eq!(
            problems,
            [
                "p.toml:4:1: invalid: unknown field `extra`, expected one of `name`, `count`, `tags`",
                "p.toml:1:8: invalid: invalid type: integer `1`, expected a string",
                "p.toml:2:9: invalid: invalid value: integer `-3`, expected usize",
                "p.toml:3:9: invalid: invalid type: boolean `true`, expected a string",
            ]
        );
        let (_, problems) = read("");
        assert_eq!(
            problems,
            [
                "p.toml:1:1: invalid: missing field `name`",
                "p.toml:1:1: invalid: missing field `count`"
            ]
        );
        let (_, problems) = read("name = [");
        assert!(
            problems[0].starts_with("p.toml:1:9: invalid TOML:"),
            "{problems:?}"
        );
    }
}
