//! Loads and checks every FAQ file under a folder (normally `faq/`).
//!
//! Layout: `faq/entries/<id>.toml` holds one entry each, `faq/synonyms.toml`
//! the matcher's synonyms, and `faq/symptom-check.toml` the symptom check
//! (loaded by [`crate::symptoms`]). Every `.toml` file other than those two is
//! read as an entry, wherever it is under the folder.
//!
//! [`load_dir`] returns what loaded *and* every problem found, each with file,
//! line and column, so `faqbot check` can list them all at once. Callers treat
//! any problem as "this FAQ must not go live".

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use toml_edit::Table;

use super::model::{EntrySign, Faq, FaqEntry, MAX_ANSWER_CHARS, Source};
use super::synonyms::{self, Synonyms};
use super::urgency::{self, Urgency};
use crate::files;
use crate::problem::Problem;
use crate::tomlread::TomlReader;

/// The synonyms file's name, directly under the FAQ folder.
pub const SYNONYMS_FILE: &str = "synonyms.toml";
/// The symptom check's file name, directly under the FAQ folder.
pub const SYMPTOM_CHECK_FILE: &str = "symptom-check.toml";
pub use super::urgency::URGENCY_FILE;
/// Files larger than this are refused rather than read (every file of the
/// folder: entries, synonyms, urgency blocks, the symptom check).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

const ENTRY_KEYS: [&str; 9] = [
    "id",
    "question",
    "answer",
    "alternates",
    "keywords",
    "see_also",
    "urgency",
    "urgency_sign",
    "sources",
];
const SOURCE_KEYS: [&str; 2] = ["title", "url"];
const SIGN_KEYS: [&str; 4] = ["level", "rule", "source", "text"];
const MAX_QUESTION_CHARS: usize = 200;
const MAX_PHRASE_CHARS: usize = 200;

/// An entry as read from its file, with the positions later checks need.
struct ReadEntry {
    /// The entry, with its file's text (`file_text`: the offsets below are
    /// in it).
    entry: FaqEntry,
    id_offset: usize,
    see_also_offsets: Vec<usize>,
    alternate_offsets: Vec<usize>,
    urgency_offsets: Vec<usize>,
    sign_offsets: Vec<usize>,
}

/// Loads every FAQ file under `dir`. Returns the entries that loaded (sorted
/// by id) and all problems found; the FAQ is fit to serve only when the list
/// of problems is empty.
pub fn load_dir(dir: &Path) -> (Faq, Vec<Problem>) {
    let mut problems = Vec::new();
    if !dir.is_dir() {
        problems.push(Problem::whole_file(
            dir,
            "FAQ folder not found (expected a folder of .toml files)",
        ));
        return (Faq::default(), problems);
    }

    let mut files = Vec::new();
    collect_toml_files(dir, &mut files, &mut problems);
    files.sort();

    // Each file is read and parsed on its own (on several cores when there
    // are many); their problems are then reported in file order.
    let loaded = crate::parallel::map(&files, |path| {
        let mut found = Vec::new();
        let file = load_file(dir, path, &mut found);
        (file, found)
    });
    let mut read_entries = Vec::new();
    let mut synonyms = Synonyms::default();
    let mut urgency_blocks: Option<Urgency> = None;
    for (file, found) in loaded {
        problems.extend(found);
        match file {
            LoadedFile::Skipped => {}
            LoadedFile::Synonyms(loaded) => synonyms = loaded,
            LoadedFile::Urgency(loaded) => urgency_blocks = Some(loaded),
            LoadedFile::Entry(entry) => read_entries.push(*entry),
        }
    }

    if read_entries.is_empty() && problems.is_empty() {
        problems.push(Problem::whole_file(
            dir,
            "no FAQ entries found (expected files like entries/<id>.toml)",
        ));
    }
    cross_check(&read_entries, &mut problems);
    let urgency = urgency_blocks.unwrap_or_else(Urgency::shipped);
    check_urgency(&read_entries, &urgency, &mut problems);

    let mut entries: BTreeMap<String, FaqEntry> = BTreeMap::new();
    for read in read_entries {
        entries.entry(read.entry.id.clone()).or_insert(read.entry);
    }
    let faq = Faq {
        entries: entries.into_values().collect(),
        synonyms,
        urgency,
    };
    (faq, problems)
}

/// What one file of the FAQ folder holds, as [`load_file`] read it.
enum LoadedFile {
    /// Read elsewhere, or unreadable (with a problem).
    Skipped,
    Synonyms(Synonyms),
    Urgency(Urgency),
    Entry(Box<ReadEntry>),
}

/// Reads and parses one `.toml` file of the FAQ folder `dir`.
fn load_file(dir: &Path, path: &Path, problems: &mut Vec<Problem>) -> LoadedFile {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    if relative == Path::new(SYMPTOM_CHECK_FILE)
        || relative.starts_with(crate::safety::emergency::EMERGENCY_DIR)
    {
        // Read and checked by crate::symptoms and crate::safety::emergency.
        return LoadedFile::Skipped;
    }
    let Some(source) = files::read_text_in(dir, path, MAX_FILE_BYTES, problems) else {
        return LoadedFile::Skipped;
    };
    if relative == Path::new(SYNONYMS_FILE) {
        let (loaded, found) = synonyms::parse(path, &source);
        problems.extend(found);
        LoadedFile::Synonyms(loaded)
    } else if relative == Path::new(URGENCY_FILE) {
        let (loaded, found) = urgency::parse(path, &source);
        problems.extend(found);
        LoadedFile::Urgency(loaded)
    } else {
        parse_entry(path, source, problems).map_or(LoadedFile::Skipped, |entry| {
            LoadedFile::Entry(Box::new(entry))
        })
    }
}

fn collect_toml_files(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let reading = match fs::read_dir(dir) {
        Ok(reading) => reading,
        Err(error) => {
            problems.push(Problem::whole_file(
                dir,
                format!("cannot read folder: {error}"),
            ));
            return;
        }
    };
    for item in reading.flatten() {
        let path = item.path();
        let name = item.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        match item.file_type() {
            Ok(kind) if kind.is_dir() => collect_toml_files(&path, files, problems),
            Ok(_) if path.extension().is_some_and(|ext| ext == "toml") => files.push(path),
            _ => {}
        }
    }
}

fn parse_entry(path: &Path, source: String, problems: &mut Vec<Problem>) -> Option<ReadEntry> {
    let mut reader = TomlReader::new(path, &source);
    let parsed = reader.parse().map(|document| {
        let table = document.as_table();
        reader.reject_unknown_keys(table, &ENTRY_KEYS, "an FAQ entry");
        EntryFields::read(&mut reader, table)
    });
    let found = std::mem::take(&mut reader.problems);
    let mut check = EntryCheck {
        path,
        source: &source,
        found,
    };
    let Some(fields) = parsed else {
        problems.append(&mut check.found);
        return None;
    };
    check.id(&fields);
    check.question_and_answer(&fields);
    check.placeholders_outside_answer(&fields);
    check.phrases(&fields);
    check.sources(&fields);
    check.required_lists(&fields);
    problems.append(&mut check.found);
    fields.into_read_entry(path, source)
}

/// Every key of an entry file as read, each with its byte offset in the file
/// (`None` or empty where the key is missing or unreadable).
struct EntryFields {
    id: Option<(String, usize)>,
    question: Option<(String, usize)>,
    answer: Option<(String, usize)>,
    alternates: Vec<(String, usize)>,
    keywords: Vec<(String, usize)>,
    see_also: Vec<(String, usize)>,
    urgency: Vec<(String, usize)>,
    signs: Vec<(EntrySign, usize)>,
    sources: Vec<Source>,
}

impl EntryFields {
    /// Reads every key of the entry table; the reader collects what is wrong
    /// with each, in the order the keys are read here.
    fn read(reader: &mut TomlReader<'_>, table: &Table) -> Self {
        let id = reader.required_string(table, "id");
        let question = reader.required_string(table, "question");
        let answer = reader.required_string(table, "answer");
        let alternates = reader.string_list(table, "alternates");
        let keywords = reader.string_list(table, "keywords");
        let see_also = reader.string_list(table, "see_also");
        let urgency = reader.string_list(table, "urgency");
        let sources = read_sources(reader, table);
        let signs = read_signs(reader, table, sources.len());
        EntryFields {
            id,
            question,
            answer,
            alternates,
            keywords,
            see_also,
            urgency,
            signs,
            sources,
        }
    }

    /// The entry, trimmed, with the positions the checks across entries
    /// need; `None` when the id, question or answer is missing.
    fn into_read_entry(self, path: &Path, source: String) -> Option<ReadEntry> {
        let (id, id_offset) = self.id?;
        let (question, _) = self.question?;
        let (answer, _) = self.answer?;
        let (alternates, alternate_offsets): (Vec<String>, Vec<usize>) = self
            .alternates
            .into_iter()
            .map(|(text, offset)| (text.trim().to_owned(), offset))
            .unzip();
        let (see_also, see_also_offsets): (Vec<String>, Vec<usize>) =
            self.see_also.into_iter().unzip();
        let (urgency, urgency_offsets): (Vec<String>, Vec<usize>) =
            self.urgency.into_iter().unzip();
        let (urgency_signs, sign_offsets): (Vec<EntrySign>, Vec<usize>) =
            self.signs.into_iter().unzip();
        let entry = FaqEntry {
            id,
            question: question.trim().to_owned(),
            answer: answer.trim().to_owned(),
            alternates,
            keywords: self
                .keywords
                .into_iter()
                .map(|(k, _)| k.trim().to_owned())
                .collect(),
            see_also,
            sources: self.sources,
            urgency,
            urgency_signs,
            path: path.to_path_buf(),
            file_text: source,
        };
        Some(ReadEntry {
            entry,
            id_offset,
            see_also_offsets,
            alternate_offsets,
            urgency_offsets,
            sign_offsets,
        })
    }
}

/// The checks of one entry file on its own, and the problems they found
/// (after those of reading it), each placed at its line and column.
struct EntryCheck<'a> {
    path: &'a Path,
    source: &'a str,
    found: Vec<Problem>,
}

impl EntryCheck<'_> {
    /// Adds a problem at a byte offset of the file.
    fn push(&mut self, offset: usize, message: String) {
        self.found
            .push(Problem::at_offset(self.path, self.source, offset, message));
    }

    /// The offset of `snippet` at or after `offset` in the file as written,
    /// or `offset` itself when escapes changed the text.
    fn find_after(&self, offset: usize, snippet: &str) -> usize {
        self.source
            .get(offset..)
            .and_then(|rest| rest.find(snippet))
            .map_or(offset, |found| offset + found)
    }

    /// The id must be a well-formed one and the file's name.
    fn id(&mut self, fields: &EntryFields) {
        let Some((id, offset)) = &fields.id else {
            return;
        };
        if !is_valid_id(id) {
            self.push(
                *offset,
                format!(
                    "id `{id}` must be lower-case letters, digits and dashes, like `blood-clot`"
                ),
            );
        }
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        if stem.as_deref() != Some(id.as_str()) {
            self.push(
                *offset,
                format!("id `{id}` does not match the file name (expected {id}.toml)"),
            );
        }
    }

    /// The question's and answer's lengths, and the answer's wording: no
    /// urgency advice of its own, only known placeholders.
    fn question_and_answer(&mut self, fields: &EntryFields) {
        if let Some((question, offset)) = &fields.question
            && let Some(message) = length_problem(
                question,
                MAX_QUESTION_CHARS,
                "question",
                "question is empty",
            )
        {
            self.push(*offset, message);
        }
        let Some((answer, offset)) = &fields.answer else {
            return;
        };
        if let Some(message) = length_problem(answer, MAX_ANSWER_CHARS, "answer", "answer is empty")
        {
            self.push(*offset, message);
        }
        for (snippet, message) in urgency::advice_problems(answer) {
            let at = self
                .source
                .get(*offset..)
                .and_then(|rest| rest.to_lowercase().find(&snippet))
                .map_or(*offset, |found| offset + found);
            self.push(at, message);
        }
        for (snippet, message) in crate::safety::placeholder_problems(answer) {
            // Point at the placeholder itself when it can be found in the
            // file as written (it can, unless escapes changed the text).
            let at = self.find_after(*offset, &snippet);
            self.push(at, message);
        }
    }

    /// Placeholders are filled in answers only: a question, an alternate or
    /// a keyword is matched and shown as written.
    fn placeholders_outside_answer(&mut self, fields: &EntryFields) {
        let texts = fields
            .question
            .iter()
            .chain(&fields.alternates)
            .chain(&fields.keywords);
        for (text, offset) in texts {
            if let Some(brace) = text.find('{') {
                let snippet: String = text.get(brace..).unwrap_or("{").chars().take(20).collect();
                let at = self.find_after(*offset, &snippet);
                self.push(
                    at,
                    "placeholders such as {emergency_number} are filled in answers only; \
                     write the words here"
                        .to_owned(),
                );
            }
        }
    }

    /// Every alternate and keyword must be a phrase of sensible length.
    fn phrases(&mut self, fields: &EntryFields) {
        for (phrase, offset) in fields.alternates.iter().chain(fields.keywords.iter()) {
            if let Some(message) =
                length_problem(phrase, MAX_PHRASE_CHARS, "phrase", "empty phrase")
            {
                self.push(*offset, message);
            }
        }
    }

    /// Every source must be a public patient page of a trusted site.
    fn sources(&mut self, fields: &EntryFields) {
        for source_entry in &fields.sources {
            let at = self
                .source
                .find(&source_entry.url)
                .unwrap_or(fields.id.as_ref().map_or(0, |(_, offset)| *offset));
            if let Some(message) = urgency::source_url_problem(&source_entry.url) {
                self.push(at, message);
            } else if !urgency::is_patient_page(&source_entry.url) {
                self.push(
                    at,
                    format!(
                        "`{}` is not a public patient page of the NHS, NICE, the Mayo Clinic or \
                         MedlinePlus: people read these sources",
                        source_entry.url
                    ),
                );
            }
        }
    }

    /// An entry with an id needs urgency blocks and sources (reported at the id).
    fn required_lists(&mut self, fields: &EntryFields) {
        let Some((_, offset)) = &fields.id else {
            return;
        };
        if fields.urgency.is_empty() {
            self.push(
                *offset,
                "an entry needs `urgency = [...]`: the blocks of urgency.toml that say when to get help"
                    .to_owned(),
            );
        }
        if fields.sources.is_empty() {
            self.push(
                *offset,
                "an entry needs at least one [[sources]] (title and url)".to_owned(),
            );
        }
    }
}

/// What is wrong with the length of `text` (trimmed), if anything: `empty`
/// when it is empty, or that the `name` is longer than `max` characters.
fn length_problem(text: &str, max: usize, name: &str, empty: &str) -> Option<String> {
    let length = text.trim().chars().count();
    if length == 0 {
        Some(empty.to_owned())
    } else if length > max {
        Some(format!(
            "{name} is {length} characters long (at most {max})"
        ))
    } else {
        None
    }
}

fn read_sources(reader: &mut TomlReader<'_>, table: &Table) -> Vec<Source> {
    let Some(item) = table.get("sources") else {
        return Vec::new();
    };
    let offset = reader.offset_of(table, "sources");
    let Some(array) = item.as_array_of_tables() else {
        reader.problem_at(
            offset,
            "`sources` must be written as [[sources]] tables with a title and a url",
        );
        return Vec::new();
    };
    let mut sources = Vec::new();
    for source_table in array.iter() {
        reader.reject_unknown_keys(source_table, &SOURCE_KEYS, "a source");
        let title = reader.required_string(source_table, "title");
        let url = reader.required_string(source_table, "url");
        if let (Some((title, title_offset)), Some((url, url_offset))) = (title, url) {
            if title.trim().is_empty() {
                reader.problem_at(title_offset, "source title is empty");
            }
            let _ = url_offset;
            sources.push(Source {
                title: title.trim().to_owned(),
                url: url.trim().to_owned(),
            });
        }
    }
    sources
}

/// Reads an entry's `[[urgency_sign]]` tables: each sign with its level and
/// position. A sign names the c.2 `rule` it comes from or the number of the
/// entry's `[[sources]]` item that says it.
fn read_signs(
    reader: &mut TomlReader<'_>,
    table: &Table,
    n_sources: usize,
) -> Vec<(EntrySign, usize)> {
    let Some(item) = table.get("urgency_sign") else {
        return Vec::new();
    };
    let offset = reader.offset_of(table, "urgency_sign");
    let Some(array) = item.as_array_of_tables() else {
        reader.problem_at(
            offset,
            "`urgency_sign` must be written as [[urgency_sign]] tables with a level and a text",
        );
        return Vec::new();
    };
    let mut signs = Vec::new();
    for sign in array.iter() {
        reader.reject_unknown_keys(sign, &SIGN_KEYS, "an urgency sign");
        let level = reader.required_string(sign, "level");
        let text = reader.required_string(sign, "text");
        let rule = reader.optional_string(sign, "rule");
        let source_number = sign.get("source").map(|item| {
            let at = reader.offset_of(sign, "source");
            (item.as_integer(), at)
        });
        let (Some((level_id, level_offset)), Some((text, text_offset))) = (level, text) else {
            continue;
        };
        let Some(level) = urgency::parse_level(&level_id) else {
            reader.problem_at(
                level_offset,
                format!("level must be emergency, urgent, soon or routine, not {level_id:?}"),
            );
            continue;
        };
        match (&rule, source_number) {
            (None, None) => reader.problem_at(
                text_offset,
                "a sign needs the c.2 `rule` it comes from, or `source` = the number of its \
                 [[sources]] item",
            ),
            (_, Some((Some(number), at))) if number < 1 || number as usize > n_sources => reader
                .problem_at(
                    at,
                    format!("source {number} is not one of this entry's {n_sources} [[sources]]"),
                ),
            (_, Some((None, at))) => {
                reader.problem_at(at, "source must be the number of a [[sources]] item")
            }
            _ => {}
        }
        if let Some(message) =
            urgency::sign_problem(level, rule.as_ref().map(|(r, _)| r.as_str()), &text)
        {
            let at = rule.as_ref().map_or(text_offset, |(_, at)| *at);
            reader.problem_at(at, message);
        }
        signs.push((
            EntrySign {
                level,
                text: text.trim().to_owned(),
            },
            text_offset,
        ));
    }
    signs
}

/// Checks every entry's urgency blocks and signs against the urgency file:
/// each block exists, and each sign of the entry has a block of its level.
fn check_urgency(entries: &[ReadEntry], urgency: &Urgency, problems: &mut Vec<Problem>) {
    for read in entries {
        let at = |offset: usize, message: String| {
            Problem::at_offset(&read.entry.path, &read.entry.file_text, offset, message)
        };
        let mut levels = Vec::new();
        for (id, offset) in read.entry.urgency.iter().zip(&read.urgency_offsets) {
            match urgency.get(id) {
                Some(block) => levels.push(block.level),
                None => problems.push(at(
                    *offset,
                    format!(
                        "urgency block `{id}` is not in urgency.toml (known: {})",
                        urgency
                            .blocks
                            .iter()
                            .map(|block| block.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        for (sign, offset) in read.entry.urgency_signs.iter().zip(&read.sign_offsets) {
            if !levels.contains(&sign.level) {
                problems.push(at(
                    *offset,
                    format!(
                        "this sign is {} but the entry shows no {} block: add it to `urgency`",
                        sign.level, sign.level
                    ),
                ));
            }
        }
    }
}

/// Ids are what moderators type and what button ids carry: keep them simple.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// Checks that need every entry: duplicate ids, `see_also` pointing at
/// nothing or at the entry itself, and the same alternate phrasing in two
/// entries (which would make the matcher's choice arbitrary).
fn cross_check(entries: &[ReadEntry], problems: &mut Vec<Problem>) {
    let mut first_file: HashMap<&str, &Path> = HashMap::new();
    for read in entries {
        let id = read.entry.id.as_str();
        if let Some(first) = first_file.get(id) {
            problems.push(Problem::at_offset(
                &read.entry.path,
                &read.entry.file_text,
                read.id_offset,
                format!("duplicate id `{id}` (also in {})", first.display()),
            ));
        } else {
            first_file.insert(id, &read.entry.path);
        }
    }

    for read in entries {
        for (target, offset) in read.entry.see_also.iter().zip(&read.see_also_offsets) {
            let message = if target == &read.entry.id {
                Some(format!("see_also `{target}` points at the entry itself"))
            } else if !first_file.contains_key(target.as_str()) {
                Some(format!("see_also `{target}` points at no entry"))
            } else {
                None
            };
            if let Some(message) = message {
                problems.push(Problem::at_offset(
                    &read.entry.path,
                    &read.entry.file_text,
                    *offset,
                    message,
                ));
            }
        }
    }

    let mut phrase_owner: HashMap<String, &str> = HashMap::new();
    for read in entries {
        for (phrase, offset) in read.entry.alternates.iter().zip(&read.alternate_offsets) {
            let key = crate::text::clean(phrase);
            match phrase_owner.get(&key) {
                Some(owner) if *owner != read.entry.id => problems.push(Problem::at_offset(
                    &read.entry.path,
                    &read.entry.file_text,
                    *offset,
                    format!("alternate \"{phrase}\" is also an alternate of `{owner}`"),
                )),
                Some(_) => {}
                None => {
                    phrase_owner.insert(key, &read.entry.id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lower_case_words_and_dashes() {
        assert!(is_valid_id("blood-clot"));
        assert!(is_valid_id("pad2"));
        assert!(!is_valid_id("Blood-Clot"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a b"));
    }

    #[test]
    fn a_placeholder_problem_points_at_its_line_in_a_multi_line_answer() {
        let source = "id = \"x\"\nquestion = \"Q?\"\nurgency = [\"routine\"]\nanswer = \"\"\"\nline one\nsee {9x9} here\n\"\"\"\n\n[[sources]]\ntitle = \"t\"\nurl = \"https://www.nhs.uk/x/\"\n";
        let mut problems = Vec::new();
        parse_entry(Path::new("x.toml"), source.to_owned(), &mut problems);
        let lines: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(lines, vec![(6, 5)], "{problems:?}");
    }

    /// Issue 12: a placeholder in a question was accepted and shown as
    /// written ("did you mean: … {emergency_number} …"). Placeholders are
    /// filled in answers only; anywhere a person sees the text as written
    /// they are refused, at the brace.
    #[test]
    fn a_placeholder_in_a_question_alternate_or_keyword_is_refused_at_the_brace() {
        let source = "id = \"x\"\nquestion = \"Call {emergency_number}?\"\nalternates = [\"ring {urgent_advice_line}\"]\nkeywords = [\"{region_name}\"]\nurgency = [\"routine\"]\nanswer = \"Plain words.\"\n\n[[sources]]\ntitle = \"t\"\nurl = \"https://www.nhs.uk/x/\"\n";
        let mut problems = Vec::new();
        parse_entry(Path::new("x.toml"), source.to_owned(), &mut problems);
        let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(at, vec![(2, 18), (3, 21), (4, 14)], "{problems:?}");
        assert!(
            problems
                .iter()
                .all(|p| p.message.contains("filled in answers only")),
            "{problems:?}"
        );
    }

    #[test]
    fn placeholders_are_checked() {
        use crate::safety::placeholder_problems;
        assert!(placeholder_problems("call {emergency_number} now").is_empty());
        assert_eq!(placeholder_problems("call {911} now").len(), 1);
        assert_eq!(placeholder_problems("oops { never closed").len(), 1);
    }
}
