//! Reading faq/symptom-check.toml into a [`SymptomCheck`], reporting every
//! problem at once with its line and column.
//!
//! The file is parsed with [`TomlReader`] (`toml_edit`, which keeps a byte
//! span for every key and value; every syntax error is listed), and then
//! walked by hand rather than through serde: serde stops at the first error,
//! and a moderator should see every mistake of an edit in one pass
//! (ARCHITECTURE.md, invariant 5).
//!
//! The loader reports what stops the file from being a consistent check:
//! TOML syntax, unknown or missing keys, wrong types, duplicate ids,
//! conditions that do not parse, and references to questions, choices,
//! outcomes, patterns, named conditions or source tags that do not exist.
//! Whether the check is *safe* (every path ends, red flags lead to urgent
//! enough outcomes, FAQ ids exist) is [`super::validate`]'s job.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, TableLike};

use super::answers::UNSURE;
use super::condition::{self, Ast, Expr};
use super::level::Level;
use super::model::{
    ChoiceDef, Condition, LeadingPattern, MAX_SCREEN_ITEMS, NONE_OF_THESE, OutcomeDef, PATTERN_IDS,
    PatternDef, PatternRef, Question, QuestionKind, Rule, Screen, SourceRef, SymptomCheck, Target,
};
use crate::problem::Problem;
use crate::tomlread::{self, TomlReader};

/// The most choices a question may have ("not sure" is added as one more bit).
const MAX_CHOICES: usize = 24;
/// The longest chain of named conditions naming each other. Each name is
/// inlined, so the chain multiplies the nesting one condition may have
/// ([`condition::MAX_NESTING`]) and is limited for the same reason: the
/// resolver and the evaluator recurse once per level.
const MAX_NAMED_DEPTH: usize = 16;

/// The keys of the top level of the file.
const ROOT_KEYS: &[&str] = &[
    "version",
    "title",
    "start",
    "sources",
    "conditions",
    "question",
    "screen",
    "rule",
    "outcome",
    "pattern",
    "leading_pattern",
    "floor",
];

type Span = Range<usize>;

/// A string value with the span of the value (quotes included).
#[derive(Debug, Clone)]
struct Str {
    text: String,
    span: Span,
}

impl Str {
    /// Offset of the first character inside the quotes.
    fn inner_start(&self, source: &str) -> usize {
        let rest = source.get(self.span.start..).unwrap_or("");
        if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            self.span.start + 3
        } else {
            self.span.start + 1
        }
    }
}

struct Loader<'a> {
    path: &'a Path,
    source: &'a str,
    reader: TomlReader<'a>,
}

/// A table of the file: `[name]`, `[[name]]` or `{ ... }`.
type Table<'t> = &'t dyn TableLike;

/// Reads and resolves the check at `path`; on failure, every problem found.
pub(crate) fn load(path: &Path) -> Result<SymptomCheck, Vec<Problem>> {
    let mut problems = Vec::new();
    match crate::files::read_text(path, crate::faq::loader::MAX_FILE_BYTES, &mut problems) {
        Some(source) => load_str(path, &source),
        None => Err(problems),
    }
}

/// Like [`load`], from text already read (`path` is used in problems).
pub(crate) fn load_str(path: &Path, source: &str) -> Result<SymptomCheck, Vec<Problem>> {
    let mut reader = TomlReader::new(path, source);
    let Some(document) = reader.parse_listing_syntax_errors() else {
        let mut problems = reader.problems;
        problems.sort_by_key(|p| (p.line, p.column));
        return Err(problems);
    };
    let mut loader = Loader {
        path,
        source,
        reader,
    };
    let check = loader.check(document.as_table());
    match check {
        Some(check) if loader.reader.problems.is_empty() => Ok(check),
        _ => {
            let mut problems = loader.reader.problems;
            problems.sort_by_key(|p| (p.line, p.column));
            problems.dedup();
            Err(problems)
        }
    }
}

struct RawQuestion {
    id: Str,
    text: Option<Str>,
    simpler: Option<Str>,
    kind: QuestionKind,
    choices: Vec<ChoiceDef>,
    red_flag: Option<Str>,
    ask_if: Option<Str>,
    next: Option<Str>,
    sources: Vec<Str>,
    span: Span,
}

struct RawRule {
    id: Option<Str>,
    when: Option<Str>,
    outcome: Option<Str>,
    at_once: bool,
    span: Span,
}

struct RawOutcome {
    id: Str,
    level: Option<Str>,
    pattern: Option<Str>,
    title: Option<Str>,
    advice: Option<Str>,
    see_also: Vec<Str>,
    see_also_span: Span,
    sources: Vec<Str>,
}

struct RawPattern {
    id: Str,
    text: Option<Str>,
    see_also: Vec<Str>,
    see_also_span: Span,
    sources: Vec<Str>,
}

struct RawLeading {
    when: Option<Str>,
    pattern: Option<Str>,
}

/// A `[[screen]]` table as read: `what` names it in problems, `number` is
/// its place among the screens.
struct RawScreen {
    id: Str,
    what: String,
    text: Option<Str>,
    items: Vec<Str>,
    items_span: Span,
    span: Span,
    number: usize,
}

/// The lists of the file as read, before names in them are resolved.
struct RawCheck {
    questions: Vec<RawQuestion>,
    rules: Vec<RawRule>,
    outcomes: Vec<RawOutcome>,
    patterns: Vec<RawPattern>,
    leading: Vec<RawLeading>,
}

/// The place of each question, outcome and pattern id in its list.
struct Ids {
    questions: HashMap<String, usize>,
    outcomes: HashMap<String, usize>,
    patterns: HashMap<String, usize>,
}

impl<'a> Loader<'a> {
    fn problem(&mut self, offset: usize, message: impl Into<String>) {
        self.reader.problem_at(offset, message);
    }

    /// Reports keys of `table` that are not in `allowed`.
    fn known_keys(&mut self, table: Table<'_>, allowed: &[&str], what: &str) {
        for (name, _) in table.iter() {
            if !allowed.contains(&name) {
                let hint = closest(name, allowed.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                let known = allowed.join(", ");
                self.problem(
                    tomlread::key_span(table, name).start,
                    format!("unknown key `{name}` in {what}{hint}; known keys: {known}"),
                );
            }
        }
    }

    fn string(&mut self, table: Table<'_>, key: &str, what: &str) -> Option<Str> {
        let value = table.get(key)?;
        match value.as_str() {
            Some(text) => Some(Str {
                text: text.to_owned(),
                span: value.span().unwrap_or(0..0),
            }),
            None => {
                self.problem(
                    tomlread::item_start(value),
                    format!(
                        "`{key}` in {what} must be a string, not {}",
                        tomlread::type_name(value)
                    ),
                );
                None
            }
        }
    }

    fn required(&mut self, table: Table<'_>, key: &str, what: &str, at: &Span) -> Option<Str> {
        let value = self.string(table, key, what);
        if value.is_none() && table.get(key).is_none() {
            self.problem(at.start, format!("{what} has no `{key}`"));
        }
        if let Some(v) = &value
            && v.text.trim().is_empty()
        {
            self.problem(v.span.start, format!("`{key}` in {what} is empty"));
        }
        value
    }

    fn boolean(&mut self, table: Table<'_>, key: &str, what: &str) -> bool {
        let Some(value) = table.get(key) else {
            return false;
        };
        match value.as_bool() {
            Some(b) => b,
            None => {
                self.problem(
                    tomlread::item_start(value),
                    format!(
                        "`{key}` in {what} must be true or false, not {}",
                        tomlread::type_name(value)
                    ),
                );
                false
            }
        }
    }

    /// A list of strings; also returns the span of the list.
    fn strings(&mut self, table: Table<'_>, key: &str, what: &str) -> (Vec<Str>, Span) {
        let Some(value) = table.get(key) else {
            return (Vec::new(), 0..0);
        };
        let span = value.span().unwrap_or(0..0);
        let Some(items) = tomlread::elements(value) else {
            self.problem(
                span.start,
                format!("`{key}` in {what} must be a list of strings"),
            );
            return (Vec::new(), span);
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_str() {
                Some(text) => out.push(Str {
                    text: text.to_owned(),
                    span: item.span(),
                }),
                None => self.problem(
                    item.span().start,
                    format!(
                        "`{key}` in {what} must list strings, not {}",
                        item.type_name()
                    ),
                ),
            }
        }
        (out, span)
    }

    /// The tables of an array of tables (`[[key]]`), with their spans.
    fn tables<'t>(&mut self, root: Table<'t>, key: &str) -> Vec<(Table<'t>, Span)> {
        let Some(value) = root.get(key) else {
            return Vec::new();
        };
        let Some(items) = tomlread::elements(value) else {
            self.problem(
                tomlread::key_span(root, key).start,
                format!("`{key}` must be a list of tables, written `[[{key}]]`"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_table_like() {
                Some(table) => out.push((table, item.span())),
                None => self.problem(item.span().start, format!("each `{key}` must be a table")),
            }
        }
        out
    }

    /// The `[sources]` table: each tag is a title (a reference for the
    /// clinical reviewer, never shown) or `{ title = "…", url = "https://…" }`
    /// (a public page, which outcomes and patterns may cite).
    fn sources_table(&mut self, root: Table<'_>) -> BTreeMap<String, SourceRef> {
        let Some(value) = root.get("sources") else {
            return BTreeMap::new();
        };
        let Some(table) = value.as_table_like() else {
            self.problem(
                tomlread::key_span(root, "sources").start,
                "`sources` must be a table, written `[sources]`",
            );
            return BTreeMap::new();
        };
        let mut out = BTreeMap::new();
        for (tag, v) in table.iter() {
            let at = tomlread::item_start(v);
            let source = match (v.as_str(), v.as_table_like()) {
                (Some(title), _) => Some(SourceRef {
                    title: title.to_owned(),
                    url: None,
                }),
                (None, Some(fields)) => self.source_fields(tag, fields, at),
                (None, None) => {
                    self.problem(
                        at,
                        format!(
                            "source `{tag}` must be a title or {{ title = \"…\", url = \"…\" }}, not {}",
                            tomlread::type_name(v)
                        ),
                    );
                    None
                }
            };
            if let Some(source) = source {
                if let Some(url) = &source.url
                    && let Some(message) = crate::faq::urgency::source_url_problem(url)
                {
                    self.problem(at, format!("source `{tag}`: {message}"));
                }
                out.insert(tag.to_owned(), source);
            }
        }
        out
    }

    /// A source written `{ title = "…", url = "…" }` (at offset `at`).
    fn source_fields(&mut self, tag: &str, fields: Table<'_>, at: usize) -> Option<SourceRef> {
        let field = |key: &str| fields.get(key).and_then(Item::as_str).map(str::to_owned);
        for (key, _) in fields.iter() {
            if !matches!(key, "title" | "url") {
                self.problem(
                    tomlread::key_span(fields, key).start,
                    format!("unknown key `{key}` in a source (title, url)"),
                );
            }
        }
        match (field("title"), field("url")) {
            (Some(title), Some(url)) => Some(SourceRef {
                title,
                url: Some(url),
            }),
            _ => {
                self.problem(at, format!("source `{tag}` needs a title and a url"));
                None
            }
        }
    }

    /// A `[name]` table of string values (conditions), in the order of
    /// their names (named conditions are resolved in that order, which the
    /// wording of a loop between them depends on).
    fn string_table(&mut self, root: Table<'_>, key: &str) -> Vec<(Str, Str)> {
        let Some(value) = root.get(key) else {
            return Vec::new();
        };
        let Some(table) = value.as_table_like() else {
            self.problem(
                tomlread::key_span(root, key).start,
                format!("`{key}` must be a table, written `[{key}]`"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in table.iter() {
            match v.as_str() {
                Some(text) => out.push((
                    Str {
                        text: k.to_owned(),
                        span: tomlread::key_span(table, k),
                    },
                    Str {
                        text: text.to_owned(),
                        span: v.span().unwrap_or(0..0),
                    },
                )),
                None => self.problem(
                    tomlread::item_start(v),
                    format!(
                        "`{k}` in [{key}] must be a string, not {}",
                        tomlread::type_name(v)
                    ),
                ),
            }
        }
        out.sort_by(|a, b| a.0.text.cmp(&b.0.text));
        out
    }

    fn check(&mut self, root: Table<'_>) -> Option<SymptomCheck> {
        let what = "the symptom check";
        self.known_keys(root, ROOT_KEYS, what);
        let version = self.string(root, "version", what);
        if version.is_none() && root.get("version").is_none() {
            self.problem(0, "the symptom check has no `version`");
        }
        let title = self.string(root, "title", what);
        let start = self.string(root, "start", what);

        let sources = self.sources_table(root);
        let named = self.string_table(root, "conditions");
        let raw = self.raw_check(root);
        let ids = self.ids(&raw, &named);
        let tags: HashSet<&str> = sources.keys().map(String::as_str).collect();

        let mut questions = self.questions(&raw.questions, &tags);
        let snapshot = questions.clone();
        let mut resolver = Resolver {
            questions: &snapshot,
            named: named
                .iter()
                .map(|(k, v)| (k.text.clone(), v.clone()))
                .collect(),
            done: HashMap::new(),
            resolving: Vec::new(),
        };
        let ask_ifs = self.ask_ifs(&raw.questions, &named, &mut resolver);
        let nexts = self.nexts(&raw.questions, &ids);
        for ((question, ask_if), next) in questions.iter_mut().zip(ask_ifs).zip(nexts) {
            question.ask_if = ask_if;
            question.next = next;
        }
        let screens = self.screens(root, &mut questions, &ids.questions);
        let patterns = self.patterns(&raw.patterns, &tags);
        let outcomes = self.outcomes(&raw.outcomes, &ids.patterns, &tags);
        let rules = self.rules(&raw.rules, &ids.outcomes, &mut resolver);
        let leading = self.leading(&raw, &ids.patterns, &mut resolver);
        let floor = self.floor(root, &ids.outcomes, &outcomes);
        let start = self.start(start.as_ref(), &ids.questions);

        let rules_span = raw.rules.last().map_or(0..0, |r| r.span.clone());
        if !self.reader.problems.is_empty() {
            return None;
        }
        Some(SymptomCheck {
            version: version.map(|v| v.text).unwrap_or_default(),
            title: title.map(|t| t.text).unwrap_or_default(),
            index: questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.clone(), i))
                .collect(),
            questions,
            screens,
            rules,
            outcomes,
            patterns,
            leading,
            sources,
            floor,
            start,
            path: self.path.to_path_buf(),
            source: self.source.to_owned(),
            fingerprint: fingerprint(self.source),
            rules_span,
        })
    }

    /// Every `[[...]]` list of the file, read in file-format order (the
    /// order their problems are found in, for problems at the same place).
    fn raw_check(&mut self, root: Table<'_>) -> RawCheck {
        RawCheck {
            questions: self.raw_questions(root),
            rules: self.raw_rules(root),
            outcomes: self.raw_outcomes(root),
            patterns: self.raw_patterns(root),
            leading: self.raw_leading(root),
        }
    }

    /// The `[[leading_pattern]]` tables, read but not yet resolved.
    fn raw_leading(&mut self, root: Table<'_>) -> Vec<RawLeading> {
        self.tables(root, "leading_pattern")
            .into_iter()
            .map(|(table, span)| {
                let what = "a leading_pattern";
                self.known_keys(table, &["when", "pattern"], what);
                let when = self.required(table, "when", what, &span);
                let pattern = self.required(table, "pattern", what, &span);
                RawLeading { when, pattern }
            })
            .collect()
    }

    /// Indexes question, outcome and pattern ids, reporting malformed and
    /// duplicate ones, condition names that are question ids, and a file
    /// without questions.
    fn ids(&mut self, raw: &RawCheck, named: &[(Str, Str)]) -> Ids {
        let ids = Ids {
            questions: self.index_of(raw.questions.iter().map(|q| &q.id), "question"),
            outcomes: self.index_of(raw.outcomes.iter().map(|o| &o.id), "outcome"),
            patterns: self.index_of(raw.patterns.iter().map(|p| &p.id), "pattern"),
        };
        for (name, _) in named {
            if ids.questions.contains_key(&name.text) {
                self.problem(
                    name.span.start,
                    format!("condition name `{}` is also a question id", name.text),
                );
            }
        }
        if raw.questions.is_empty() {
            self.problem(0, "the symptom check has no `[[question]]`");
        }
        ids
    }

    /// The questions with their levels and sources checked; `ask_if`,
    /// `next` and `screen` are filled in later, once conditions and ids
    /// can be resolved against the whole list.
    fn questions(&mut self, raw_questions: &[RawQuestion], tags: &HashSet<&str>) -> Vec<Question> {
        let mut questions = Vec::new();
        for raw in raw_questions {
            let red_flag = raw.red_flag.as_ref().and_then(|s| self.level(s));
            for tag in &raw.sources {
                self.source_tag(tag, tags);
            }
            questions.push(Question {
                id: raw.id.text.clone(),
                text: text_of(&raw.text),
                simpler: raw.simpler.as_ref().map(|s| s.text.clone()),
                kind: raw.kind,
                choices: raw.choices.clone(),
                red_flag,
                ask_if: None,
                next: None,
                sources: raw.sources.iter().map(|s| s.text.clone()).collect(),
                screen: None,
                span: raw.id.span.clone(),
                red_flag_span: raw
                    .red_flag
                    .as_ref()
                    .map_or(raw.span.clone(), |s| s.span.clone()),
                next_span: raw
                    .next
                    .as_ref()
                    .map_or(raw.span.clone(), |s| s.span.clone()),
            });
        }
        questions
    }

    /// Each question's `ask_if`, resolved; then every named condition, so
    /// that unused ones are checked too.
    fn ask_ifs(
        &mut self,
        raw_questions: &[RawQuestion],
        named: &[(Str, Str)],
        resolver: &mut Resolver<'_>,
    ) -> Vec<Option<Condition>> {
        let ask_ifs = raw_questions
            .iter()
            .map(|raw| raw.ask_if.as_ref().map(|s| self.condition(s, resolver)))
            .collect();
        for (name, _) in named {
            resolver.named_expr(self, &name.text, name.span.start);
        }
        ask_ifs
    }

    /// Each question's `next`, resolved to a question, an outcome or the rules.
    fn nexts(&mut self, raw_questions: &[RawQuestion], ids: &Ids) -> Vec<Option<Target>> {
        raw_questions
            .iter()
            .map(|raw| {
                let next = raw.next.as_ref()?;
                self.next_target(&raw.id, next, ids)
            })
            .collect()
    }

    /// What `next` (of question `question`) names; reported if nothing.
    fn next_target(&mut self, question: &Str, next: &Str, ids: &Ids) -> Option<Target> {
        if let Some(&q) = ids.questions.get(&next.text) {
            Some(Target::Question(q))
        } else if let Some(&o) = ids.outcomes.get(&next.text) {
            Some(Target::Outcome(o))
        } else if next.text == "rules" {
            Some(Target::Rules)
        } else {
            let hint = did_you_mean(
                &next.text,
                ids.questions
                    .keys()
                    .chain(ids.outcomes.keys())
                    .map(String::as_str),
            );
            self.problem(
                next.span.start,
                format!(
                    "`next` of question `{}` names `{}`, which is not a question or an \
                     outcome{hint}",
                    question.text, next.text
                ),
            );
            None
        }
    }

    /// The patterns, with their ids checked against the basis and their
    /// source tags against `[sources]`.
    fn patterns(&mut self, raw_patterns: &[RawPattern], tags: &HashSet<&str>) -> Vec<PatternDef> {
        let mut patterns = Vec::new();
        for raw in raw_patterns {
            if !PATTERN_IDS.contains(&raw.id.text.as_str()) {
                self.problem(
                    raw.id.span.start,
                    format!(
                        "`{}` is not a pattern id of clinical-basis.md section b (known: {})",
                        raw.id.text,
                        PATTERN_IDS.join(", ")
                    ),
                );
            }
            for tag in &raw.sources {
                self.source_tag(tag, tags);
            }
            patterns.push(PatternDef {
                id: raw.id.text.clone(),
                text: text_of(&raw.text),
                see_also: raw.see_also.iter().map(|s| s.text.clone()).collect(),
                sources: raw.sources.iter().map(|s| s.text.clone()).collect(),
                span: raw.id.span.clone(),
                see_also_span: raw.see_also_span.clone(),
            });
        }
        patterns
    }

    /// The outcomes, with their levels, patterns and source tags resolved.
    /// A missing level or pattern (already reported) stands in as the most
    /// cautious one, never used since the check is then refused.
    fn outcomes(
        &mut self,
        raw_outcomes: &[RawOutcome],
        pattern_index: &HashMap<String, usize>,
        tags: &HashSet<&str>,
    ) -> Vec<OutcomeDef> {
        let mut outcomes = Vec::new();
        for raw in raw_outcomes {
            let level = raw.level.as_ref().and_then(|s| self.level(s));
            let pattern = match &raw.pattern {
                Some(p) if p.text == "leading" => Some(PatternRef::Leading),
                Some(p) => self
                    .find(pattern_index, p, "pattern")
                    .map(PatternRef::Fixed),
                None => None,
            };
            for tag in &raw.sources {
                self.source_tag(tag, tags);
            }
            outcomes.push(OutcomeDef {
                id: raw.id.text.clone(),
                level: level.unwrap_or(Level::Emergency),
                pattern: pattern.unwrap_or(PatternRef::Leading),
                title: text_of(&raw.title),
                advice: text_of(&raw.advice),
                see_also: raw.see_also.iter().map(|s| s.text.clone()).collect(),
                sources: raw.sources.iter().map(|s| s.text.clone()).collect(),
                span: raw.id.span.clone(),
                see_also_span: raw.see_also_span.clone(),
            });
        }
        outcomes
    }

    /// The index of `name` in a `[[list]]` of ids; reported if absent.
    fn find(&mut self, index: &HashMap<String, usize>, name: &Str, list: &str) -> Option<usize> {
        let found = index.get(&name.text).copied();
        if found.is_none() {
            let hint = did_you_mean(&name.text, index.keys().map(String::as_str));
            self.problem(
                name.span.start,
                format!("no `[[{list}]]` has id `{}`{hint}", name.text),
            );
        }
        found
    }

    /// The rules with their conditions and outcomes resolved (a rule
    /// without an id is called by its place, "rule 3").
    fn rules(
        &mut self,
        raw_rules: &[RawRule],
        outcome_index: &HashMap<String, usize>,
        resolver: &mut Resolver<'_>,
    ) -> Vec<Rule> {
        let mut rules = Vec::new();
        for (n, raw) in raw_rules.iter().enumerate() {
            let when = raw.when.as_ref().map(|s| self.condition(s, resolver));
            let outcome = raw
                .outcome
                .as_ref()
                .and_then(|s| self.find(outcome_index, s, "outcome"));
            if let (Some(when), Some(outcome)) = (when, outcome) {
                rules.push(Rule {
                    id: raw
                        .id
                        .as_ref()
                        .map_or_else(|| format!("rule {}", n + 1), |s| s.text.clone()),
                    when,
                    outcome,
                    at_once: raw.at_once,
                });
            }
        }
        if raw_rules.is_empty() {
            self.problem(
                0,
                "the symptom check has no `[[rule]]`: nothing picks an outcome",
            );
        }
        rules
    }

    /// The `[[leading_pattern]]` list resolved; it must exist when an
    /// outcome says `pattern = "leading"`.
    fn leading(
        &mut self,
        raw: &RawCheck,
        pattern_index: &HashMap<String, usize>,
        resolver: &mut Resolver<'_>,
    ) -> Vec<LeadingPattern> {
        let mut leading = Vec::new();
        for RawLeading { when, pattern } in &raw.leading {
            let when = when.as_ref().map(|s| self.condition(s, resolver));
            let pattern = pattern
                .as_ref()
                .and_then(|s| self.find(pattern_index, s, "pattern"));
            if let (Some(when), Some(pattern)) = (when, pattern) {
                leading.push(LeadingPattern { when, pattern });
            }
        }
        let leading_used = raw
            .outcomes
            .iter()
            .any(|o| o.pattern.as_ref().is_some_and(|p| p.text == "leading"));
        if leading_used && raw.leading.is_empty() {
            self.problem(
                0,
                "an outcome uses `pattern = \"leading\"` but there is no `[[leading_pattern]]` list",
            );
        }
        leading
    }

    /// The index of the `start` question (the first question if unset).
    fn start(&mut self, start: Option<&Str>, question_index: &HashMap<String, usize>) -> usize {
        let Some(s) = start else {
            return 0;
        };
        match question_index.get(&s.text) {
            Some(&q) => q,
            None => {
                self.problem(
                    s.span.start,
                    format!("`start` names `{}`, which is not a question", s.text),
                );
                0
            }
        }
    }

    fn level(&mut self, text: &Str) -> Option<Level> {
        match text.text.parse::<Level>() {
            Ok(level) => Some(level),
            Err(e) => {
                self.problem(text.span.start, e.to_string());
                None
            }
        }
    }

    fn source_tag(&mut self, tag: &Str, tags: &HashSet<&str>) {
        if !tags.contains(tag.text.as_str()) {
            self.problem(
                tag.span.start,
                format!("source tag `{}` is not listed in [sources]", tag.text),
            );
        }
    }

    fn index_of<'s>(
        &mut self,
        ids: impl Iterator<Item = &'s Str>,
        what: &str,
    ) -> HashMap<String, usize> {
        let mut index = HashMap::new();
        for (i, id) in ids.enumerate() {
            if !is_id(&id.text) {
                self.problem(
                    id.span.start,
                    format!(
                        "{what} id `{}` may use only letters, digits, `_` and `-`",
                        id.text
                    ),
                );
            }
            if index.insert(id.text.clone(), i).is_some() {
                self.problem(
                    id.span.start,
                    format!("{what} id `{}` is used twice", id.text),
                );
            }
        }
        index
    }

    fn condition(&mut self, text: &Str, resolver: &mut Resolver<'_>) -> Condition {
        let base = text.inner_start(self.source);
        let expr = match condition::parse(&text.text) {
            Ok(ast) => resolver.resolve(self, &ast, base),
            Err(e) => {
                self.problem(base + e.pos, format!("condition: {}", e.message));
                Expr::Const(false)
            }
        };
        Condition {
            text: text.text.clone(),
            expr,
            span: text.span.clone(),
        }
    }

    /// The `[[screen]]` tables: several yes/no questions asked at once.
    /// Each item must be a yes/no question of no other screen; the items are
    /// consecutive questions of the file, only the last may have a `next`,
    /// and no item's `ask_if` reads another item of the same screen, so that
    /// asking them together gives exactly the answers asking them one by one
    /// would (the machine and the validator rely on it).
    fn screens(
        &mut self,
        root: Table<'_>,
        questions: &mut [Question],
        question_index: &HashMap<String, usize>,
    ) -> Vec<Screen> {
        let mut screens = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        for (table, span) in self.tables(root, "screen") {
            let Some(screen) = self.raw_screen(table, span, screens.len()) else {
                continue;
            };
            self.screen_id(&screen.id, question_index, &mut ids);
            let items = self.screen_items(&screen, questions, question_index);
            self.screen_size(&screen);
            self.screen_reads(&screen, &items, questions);
            screens.push(Screen {
                id: screen.id.text,
                text: text_of(&screen.text),
                items,
                span: screen.id.span,
            });
        }
        screens
    }

    /// One `[[screen]]` table's keys (`number` is its place among the
    /// screens); `None` when it has no id.
    fn raw_screen(&mut self, table: Table<'_>, span: Span, number: usize) -> Option<RawScreen> {
        let id = self.required(table, "id", "a screen", &span);
        let what = id.as_ref().map_or_else(
            || "a screen".to_owned(),
            |id| format!("screen `{}`", id.text),
        );
        self.known_keys(table, &["id", "text", "items", "note"], &what);
        let text = self.required(table, "text", &what, &span);
        let (items, items_span) = self.strings(table, "items", &what);
        Some(RawScreen {
            id: id?,
            what,
            text,
            items,
            items_span,
            span,
            number,
        })
    }

    /// Reports a screen id that is malformed, reserved for an answer, or
    /// already the id of a question or an earlier screen (in `ids`).
    fn screen_id(
        &mut self,
        id: &Str,
        question_index: &HashMap<String, usize>,
        ids: &mut HashSet<String>,
    ) {
        if !is_id(&id.text) || id.text == NONE_OF_THESE || id.text == UNSURE {
            self.problem(
                id.span.start,
                format!(
                    "screen id `{}` may use only letters, digits, `_` and `-`, and not \
                     `{NONE_OF_THESE}` or `{UNSURE}`",
                    id.text
                ),
            );
        }
        if question_index.contains_key(&id.text) || !ids.insert(id.text.clone()) {
            self.problem(
                id.span.start,
                format!(
                    "screen id `{}` is used twice (ids of screens and questions must differ)",
                    id.text
                ),
            );
        }
    }

    /// The questions a screen lists, in order, each marked as asked on it;
    /// reports items that are not yes/no questions of no other screen,
    /// consecutive in the file, with a `next` only on the last.
    fn screen_items(
        &mut self,
        screen: &RawScreen,
        questions: &mut [Question],
        question_index: &HashMap<String, usize>,
    ) -> Vec<usize> {
        let what = &screen.what;
        let mut indices: Vec<usize> = Vec::new();
        for item in &screen.items {
            let Some(&q) = question_index.get(&item.text) else {
                let hint = did_you_mean(&item.text, question_index.keys().map(String::as_str));
                self.problem(
                    item.span.start,
                    format!(
                        "{what} lists `{}`, which is not a question{hint}",
                        item.text
                    ),
                );
                continue;
            };
            let question = &questions[q];
            if question.kind != QuestionKind::YesNo {
                self.problem(
                    item.span.start,
                    format!(
                        "{what} lists `{}`, which is not a yes/no question",
                        item.text
                    ),
                );
            }
            if let Some(other) = question.screen {
                let message = if other == screen.number {
                    format!("{what} lists `{}` twice", item.text)
                } else {
                    format!("`{}` is already asked on another screen", item.text)
                };
                self.problem(item.span.start, message);
                continue;
            }
            if let Some(&previous) = indices.last()
                && q != previous + 1
            {
                self.problem(
                    item.span.start,
                    format!(
                        "{what}: `{}` must come right after `{}` in the file (a screen's \
                         items are consecutive questions, in file order)",
                        item.text, questions[previous].id
                    ),
                );
            }
            let last = screen.items.last().map(|l| &l.text);
            if question.next.is_some() && last != Some(&item.text) {
                self.problem(
                    item.span.start,
                    format!(
                        "{what}: only its last item may have a `next` (`{}` has one)",
                        item.text
                    ),
                );
            }
            questions[q].screen = Some(screen.number);
            indices.push(q);
        }
        indices
    }

    /// Reports a screen with fewer than two items or more than fit.
    fn screen_size(&mut self, screen: &RawScreen) {
        let what = &screen.what;
        let count = screen.items.len();
        if count < 2 {
            self.problem(
                screen.items_span.start.max(screen.span.start),
                format!("{what} needs at least two `items`"),
            );
        }
        if count > MAX_SCREEN_ITEMS {
            self.problem(
                screen.items_span.start,
                format!("{what} has {count} items; at most {MAX_SCREEN_ITEMS} fit on one screen"),
            );
        }
    }

    /// Reports each item whose `ask_if` reads another item of the screen
    /// (`items`): asked together, that item would not be answered yet.
    fn screen_reads(&mut self, screen: &RawScreen, items: &[usize], questions: &[Question]) {
        for &q in items {
            let Some(ask_if) = &questions[q].ask_if else {
                continue;
            };
            let mut reads: Vec<usize> = Vec::new();
            ask_if.expr.for_each_atom(&mut |atom, _| {
                if items.contains(&atom) && !reads.contains(&atom) {
                    reads.push(atom);
                }
            });
            for other in reads {
                self.problem(
                    ask_if.span.start,
                    format!(
                        "`ask_if` of `{}` reads `{}`, which is asked on the same screen \
                         `{}`; put them on different screens",
                        questions[q].id, questions[other].id, screen.id.text
                    ),
                );
            }
        }
    }

    fn raw_questions(&mut self, root: Table<'_>) -> Vec<RawQuestion> {
        let mut out = Vec::new();
        for (table, span) in self.tables(root, "question") {
            let id = self.required(table, "id", "a question", &span);
            let what = id.as_ref().map_or_else(
                || "a question".to_owned(),
                |id| format!("question `{}`", id.text),
            );
            self.known_keys(
                table,
                &[
                    "id", "text", "simpler", "answers", "choices", "red_flag", "ask_if", "next",
                    "sources", "note",
                ],
                &what,
            );
            let Some(id) = id else {
                continue;
            };
            let text = self.required(table, "text", &what, &span);
            let simpler = self.string(table, "simpler", &what);
            let answers = self.string(table, "answers", &what);
            let choices = self.choices(table, &what);
            let kind = match answers.as_ref().map(|s| s.text.as_str()) {
                None if choices.is_empty() => QuestionKind::YesNo,
                None => QuestionKind::OneOf,
                Some("yes_no") => QuestionKind::YesNo,
                Some("one_of") => QuestionKind::OneOf,
                Some("any_of") => QuestionKind::AnyOf,
                Some(other) => {
                    let at = answers.as_ref().map_or(span.start, |s| s.span.start);
                    self.problem(
                        at,
                        format!("`answers` of {what} is `{other}`; use yes_no, one_of or any_of"),
                    );
                    QuestionKind::YesNo
                }
            };
            let choices = match kind {
                QuestionKind::YesNo => {
                    if !choices.is_empty() {
                        self.problem(span.start, format!("{what} is yes_no but lists `choices`"));
                    }
                    vec![choice("yes", "Yes"), choice("no", "No")]
                }
                _ => {
                    if choices.len() < 2 {
                        self.problem(span.start, format!("{what} needs at least two `choices`"));
                    }
                    choices
                }
            };
            let red_flag = self.string(table, "red_flag", &what);
            let ask_if = self.string(table, "ask_if", &what);
            let next = self.string(table, "next", &what);
            let (sources, _) = self.strings(table, "sources", &what);
            out.push(RawQuestion {
                id,
                text,
                simpler,
                kind,
                choices,
                red_flag,
                ask_if,
                next,
                sources,
                span,
            });
        }
        out
    }

    fn choices(&mut self, table: Table<'_>, what: &str) -> Vec<ChoiceDef> {
        let Some(value) = table.get("choices") else {
            return Vec::new();
        };
        let Some(items) = tomlread::elements(value) else {
            self.problem(
                tomlread::item_start(value),
                format!("`choices` of {what} must be a list of {{ id = ..., label = ... }}"),
            );
            return Vec::new();
        };
        let mut out: Vec<ChoiceDef> = Vec::new();
        for item in items {
            let Some(choice) = item.as_table_like() else {
                self.problem(
                    item.span().start,
                    format!("each choice of {what} must be {{ id = ..., label = ... }}"),
                );
                continue;
            };
            let span = item.span();
            self.known_keys(
                choice,
                &["id", "label", "exclusive"],
                &format!("a choice of {what}"),
            );
            let id = self.required(choice, "id", &format!("a choice of {what}"), &span);
            let label = self.required(choice, "label", &format!("a choice of {what}"), &span);
            let exclusive = self.boolean(choice, "exclusive", what);
            if let (Some(id), Some(label)) = (id, label) {
                if id.text == super::answers::UNSURE {
                    self.problem(
                        id.span.start,
                        format!("{what}: `unsure` is added to every question; do not list it"),
                    );
                    continue;
                }
                if !is_id(&id.text) {
                    self.problem(
                        id.span.start,
                        format!(
                            "choice id `{}` may use only letters, digits, `_` and `-`",
                            id.text
                        ),
                    );
                }
                if out.iter().any(|c| c.id == id.text) {
                    self.problem(
                        id.span.start,
                        format!("{what} lists choice `{}` twice", id.text),
                    );
                    continue;
                }
                if out.len() >= MAX_CHOICES {
                    self.problem(
                        id.span.start,
                        format!("{what} has more than {MAX_CHOICES} choices"),
                    );
                    continue;
                }
                out.push(ChoiceDef {
                    id: id.text,
                    label: label.text,
                    exclusive,
                });
            }
        }
        out
    }

    fn raw_rules(&mut self, root: Table<'_>) -> Vec<RawRule> {
        let mut out = Vec::new();
        for (table, span) in self.tables(root, "rule") {
            let what = "a rule";
            self.known_keys(table, &["id", "when", "outcome", "at_once", "note"], what);
            let id = self.string(table, "id", what);
            let when = self.required(table, "when", what, &span);
            let outcome = self.required(table, "outcome", what, &span);
            let at_once = self.boolean(table, "at_once", what);
            let span = when.as_ref().map_or(span, |w| w.span.clone());
            out.push(RawRule {
                id,
                when,
                outcome,
                at_once,
                span,
            });
        }
        out
    }

    fn raw_outcomes(&mut self, root: Table<'_>) -> Vec<RawOutcome> {
        let mut out = Vec::new();
        for (table, span) in self.tables(root, "outcome") {
            let id = self.required(table, "id", "an outcome", &span);
            let what = id.as_ref().map_or_else(
                || "an outcome".to_owned(),
                |id| format!("outcome `{}`", id.text),
            );
            self.known_keys(
                table,
                &[
                    "id", "level", "pattern", "title", "advice", "see_also", "sources", "note",
                ],
                &what,
            );
            let Some(id) = id else {
                continue;
            };
            let (see_also, see_also_span) = self.strings(table, "see_also", &what);
            let (sources, _) = self.strings(table, "sources", &what);
            out.push(RawOutcome {
                level: self.required(table, "level", &what, &span),
                pattern: self.required(table, "pattern", &what, &span),
                title: self.required(table, "title", &what, &span),
                advice: self.required(table, "advice", &what, &span),
                see_also,
                see_also_span,
                sources,
                id,
            });
        }
        out
    }

    fn raw_patterns(&mut self, root: Table<'_>) -> Vec<RawPattern> {
        let mut out = Vec::new();
        for (table, span) in self.tables(root, "pattern") {
            let id = self.required(table, "id", "a pattern", &span);
            let what = id.as_ref().map_or_else(
                || "a pattern".to_owned(),
                |id| format!("pattern `{}`", id.text),
            );
            self.known_keys(table, &["id", "text", "see_also", "sources", "note"], &what);
            let Some(id) = id else {
                continue;
            };
            let (see_also, see_also_span) = self.strings(table, "see_also", &what);
            let (sources, _) = self.strings(table, "sources", &what);
            out.push(RawPattern {
                text: self.required(table, "text", &what, &span),
                see_also,
                see_also_span,
                sources,
                id,
            });
        }
        out
    }

    fn floor(
        &mut self,
        root: Table<'_>,
        outcome_index: &HashMap<String, usize>,
        outcomes: &[OutcomeDef],
    ) -> BTreeMap<Level, usize> {
        let mut floor = BTreeMap::new();
        let entries = self.string_table(root, "floor");
        for (key, value) in entries {
            let Some(level) = self.level(&key) else {
                continue;
            };
            match outcome_index.get(&value.text) {
                Some(&o) => {
                    if outcomes.get(o).is_some_and(|out| out.level != level) {
                        self.problem(
                            value.span.start,
                            format!("floor outcome `{}` is not at level {level}", value.text),
                        );
                    }
                    floor.insert(level, o);
                }
                None => self.problem(
                    value.span.start,
                    format!("no `[[outcome]]` has id `{}`", value.text),
                ),
            }
        }
        for level in [Level::Routine, Level::Soon, Level::Urgent, Level::Emergency] {
            if !floor.contains_key(&level) {
                let at = tomlread::key_span(root, "floor").start;
                self.problem(
                    at,
                    format!("[floor] has no outcome for level {level} (used when rule set c.2 must raise the level)"),
                );
            }
        }
        floor
    }
}

fn text_of(value: &Option<Str>) -> String {
    value.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

fn choice(id: &str, label: &str) -> ChoiceDef {
    ChoiceDef {
        id: id.to_owned(),
        label: label.to_owned(),
        exclusive: false,
    }
}

fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The closest known name, if one is close enough to be a likely typo.
pub(crate) fn closest<'k>(name: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    known
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// " (did you mean `…`?)" with the closest known name, or nothing.
fn did_you_mean<'k>(name: &str, known: impl Iterator<Item = &'k str>) -> String {
    closest(name, known)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// FNV-1a of the text, as 16 hex digits: stable across builds and runs.
fn fingerprint(text: &str) -> String {
    crate::fasthash::fnv64_hex(text)
}

/// Resolves condition names, items and values to an [`Expr`].
struct Resolver<'q> {
    questions: &'q [Question],
    named: HashMap<String, Str>,
    done: HashMap<String, Expr>,
    resolving: Vec<String>,
}

impl Resolver<'_> {
    fn named_expr(&mut self, loader: &mut Loader<'_>, name: &str, pos: usize) -> Expr {
        if let Some(expr) = self.done.get(name) {
            return expr.clone();
        }
        if self.resolving.iter().any(|n| n == name) {
            let chain = self.resolving.join(" -> ");
            loader.problem(
                pos,
                format!("condition `{name}` refers to itself ({chain} -> {name})"),
            );
            return Expr::Const(false);
        }
        if self.resolving.len() >= MAX_NAMED_DEPTH {
            loader.problem(
                pos,
                format!(
                    "named conditions refer to each other more than {MAX_NAMED_DEPTH} deep \
                     here; name fewer steps"
                ),
            );
            self.done.insert(name.to_owned(), Expr::Const(false));
            return Expr::Const(false);
        }
        let Some(text) = self.named.get(name).cloned() else {
            return Expr::Const(false);
        };
        self.resolving.push(name.to_owned());
        let base = text.inner_start(loader.source);
        let expr = match condition::parse(&text.text) {
            Ok(ast) => self.resolve(loader, &ast, base),
            Err(e) => {
                loader.problem(base + e.pos, format!("condition `{name}`: {}", e.message));
                Expr::Const(false)
            }
        };
        self.resolving.pop();
        self.done.insert(name.to_owned(), expr.clone());
        expr
    }

    fn item(&self, loader: &mut Loader<'_>, item: &str, pos: usize) -> Option<usize> {
        let found = self.questions.iter().position(|q| q.id == item);
        if found.is_none() {
            let hint = closest(item, self.questions.iter().map(|q| q.id.as_str()))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            loader.problem(
                pos,
                format!("condition names `{item}`, which is not a question{hint}"),
            );
        }
        found
    }

    fn bit(&self, loader: &mut Loader<'_>, question: usize, value: &str, pos: usize) -> u32 {
        let q = &self.questions[question];
        match q.bit(value) {
            Some(bit) => bit,
            None => {
                let values: Vec<&str> = q.value_ids().collect();
                loader.problem(
                    pos,
                    format!(
                        "`{value}` is not an answer of `{}` (answers: {})",
                        q.id,
                        values.join(", ")
                    ),
                );
                0
            }
        }
    }

    fn resolve(&mut self, loader: &mut Loader<'_>, ast: &Ast, base: usize) -> Expr {
        match ast {
            Ast::Always => Expr::Const(true),
            Ast::Name { name, pos } => {
                if self.named.contains_key(name) {
                    self.named_expr(loader, name, base + pos)
                } else if self.questions.iter().any(|q| &q.id == name) {
                    loader.problem(
                        base + pos,
                        format!("`{name}` is a question: compare it, for example `{name} = yes`"),
                    );
                    Expr::Const(false)
                } else {
                    let known = self
                        .named
                        .keys()
                        .map(String::as_str)
                        .chain(self.questions.iter().map(|q| q.id.as_str()));
                    let hint = closest(name, known)
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    loader.problem(
                        base + pos,
                        format!("`{name}` is not a question or a named condition{hint}"),
                    );
                    Expr::Const(false)
                }
            }
            Ast::Compare {
                item,
                item_pos,
                equal,
                value,
                value_pos,
            } => {
                let Some(question) = self.item(loader, item, base + item_pos) else {
                    return Expr::Const(false);
                };
                let mask = self.bit(loader, question, value, base + value_pos);
                let atom = Expr::Atom { question, mask };
                if *equal {
                    atom
                } else {
                    Expr::Not(Box::new(atom))
                }
            }
            Ast::In {
                item,
                item_pos,
                values,
            } => {
                let Some(question) = self.item(loader, item, base + item_pos) else {
                    return Expr::Const(false);
                };
                let mask = values.iter().fold(0u32, |acc, (value, pos)| {
                    acc | self.bit(loader, question, value, base + pos)
                });
                Expr::Atom { question, mask }
            }
            Ast::Not(inner) => Expr::Not(Box::new(self.resolve(loader, inner, base))),
            Ast::And(items) => Expr::And(
                items
                    .iter()
                    .map(|i| self.resolve(loader, i, base))
                    .collect(),
            ),
            Ast::Or(items) => Expr::Or(
                items
                    .iter()
                    .map(|i| self.resolve(loader, i, base))
                    .collect(),
            ),
        }
    }
}
