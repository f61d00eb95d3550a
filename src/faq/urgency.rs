//! "When to get help", written once: the urgency blocks of `faq/urgency.toml`.
//!
//! Every FAQ answer and every symptom-check outcome shows its advice on when
//! and how urgently to get help from these blocks, never from its own words,
//! so the bot says it one way everywhere (clinical-basis.md c.1 and c.2).
//! Each sign of a block names the c.2 rule it comes from, and the loader
//! refuses a sign whose rule belongs to another level, or one that joins with
//! "and" findings its rule acts on one at a time ("swollen, warm and red"
//! would read as "not me" to someone whose calf is swollen but not red).

use std::path::Path;

use std::collections::BTreeMap;

use crate::tomlread::shape::{At, Node, Shape, read_shape};

use crate::problem::Problem;
use crate::symptoms::Level;
use crate::symptoms::rules::{is_combination_rule, rule_level};

/// The file's name, directly under the FAQ folder.
pub const URGENCY_FILE: &str = "urgency.toml";

/// The blocks shipped with this release, used when a FAQ folder has no
/// urgency file of its own.
const SHIPPED: &str = include_str!("../../faq/urgency.toml");

/// One sign of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign {
    /// What to look out for, in plain words.
    pub text: String,
}

/// One level's advice: a heading, its signs, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Stable id ("emergency", "today", "soon", "routine").
    pub id: String,
    /// The level the block is for.
    pub level: Level,
    /// Shown in bold above the signs; may hold placeholders.
    pub heading: String,
    /// The whole block as one sentence, for safety nets.
    pub short: String,
    /// Said after the signs ("Don't drive yourself.").
    pub after: Option<String>,
    /// The signs, in order.
    pub signs: Vec<Sign>,
}

/// Every block, most urgent first, and what to do at each level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Urgency {
    /// The blocks.
    pub blocks: Vec<Block>,
    /// What to do at each level (said first in an outcome), by level.
    pub actions: Vec<(Level, String)>,
}

impl Urgency {
    /// The block with this id.
    pub fn get(&self, id: &str) -> Option<&Block> {
        self.blocks.iter().find(|block| block.id == id)
    }

    /// The block for this level.
    pub fn for_level(&self, level: Level) -> Option<&Block> {
        self.blocks.iter().find(|block| block.level == level)
    }

    /// What to do at `level`.
    pub fn action(&self, level: Level) -> &str {
        self.actions
            .iter()
            .find(|(l, _)| *l == level)
            .map_or("", |(_, text)| text.as_str())
    }

    /// The blocks more urgent than `level`, most urgent first: the safety net
    /// under an outcome at that level.
    pub fn above(&self, level: Level) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(move |block| block.level > level)
    }

    /// The blocks shipped with this release.
    pub fn shipped() -> Urgency {
        let (urgency, problems) = parse(Path::new(URGENCY_FILE), SHIPPED);
        for problem in &problems {
            tracing::error!(problem = %problem, "problem in the shipped urgency blocks");
        }
        urgency
    }
}

/// `urgency.toml` as written, each value with where it starts.
struct File {
    actions: BTreeMap<String, At<String>>,
    block: Vec<BlockFile>,
}

const FILE_KEYS: &[&str] = &["actions", "block"];

#[derive(Default)]
struct BlockFile {
    id: At<String>,
    level: At<String>,
    heading: At<String>,
    short: At<String>,
    after: Option<At<String>>,
    sign: Vec<SignFile>,
}

const BLOCK_KEYS: &[&str] = &["id", "level", "heading", "short", "after", "sign"];

#[derive(Default)]
struct SignFile {
    rule: Option<At<String>>,
    source: Option<At<String>>,
    text: At<String>,
}

const SIGN_KEYS: &[&str] = &["rule", "source", "text"];

/// The file's shape, read with serde's words for what is wrong (the file
/// was read with serde before; the messages stay the same), every problem
/// listed.
impl Shape<'_, '_> {
    fn urgency_file(&mut self, root: Node<'_>) -> Option<File> {
        let f = self.fields(root, "File", FILE_KEYS)?;
        Some(File {
            actions: self.required(f, "actions", |s, n| s.map(n, Self::string)),
            block: self.required(f, "block", |s, n| s.list(n, Self::urgency_block)),
        })
    }

    fn urgency_block(&mut self, node: Node<'_>) -> BlockFile {
        let Some(f) = self.fields(node, "BlockFile", BLOCK_KEYS) else {
            return BlockFile::default();
        };
        BlockFile {
            id: self.required(f, "id", Self::string_at),
            level: self.required(f, "level", Self::string_at),
            heading: self.required(f, "heading", Self::string_at),
            short: self.required(f, "short", Self::string_at),
            after: self.optional(f, "after", Self::string_at),
            sign: self.required(f, "sign", |s, n| s.list(n, Self::urgency_sign)),
        }
    }

    fn urgency_sign(&mut self, node: Node<'_>) -> SignFile {
        let Some(f) = self.fields(node, "SignFile", SIGN_KEYS) else {
            return SignFile::default();
        };
        SignFile {
            rule: self.optional(f, "rule", Self::string_at),
            source: self.optional(f, "source", Self::string_at),
            text: self.required(f, "text", Self::string_at),
        }
    }
}

/// Web sites that no longer serve the pages they once did.
pub const RETIRED_HOSTS: [&str; 1] = ["beta.nhs.uk"];

/// Sites whose pages are written for the public by the NHS, NICE, the Mayo
/// Clinic or the US National Library of Medicine (a host matches itself and
/// its subdomains).
pub const PATIENT_DOMAINS: [&str; 6] = [
    "nhs.uk",
    "nhsinform.scot",
    "nidirect.gov.uk",
    "nice.org.uk",
    "mayoclinic.org",
    "medlineplus.gov",
];

/// Pages on those sites, or elsewhere, that are written for clinicians, not
/// for the people who read the bot's replies.
pub const CLINICIAN_HOSTS: [&str; 7] = [
    "rightdecisions.scot.nhs.uk",
    "rms.cornwall.nhs.uk",
    "cks.nhs.uk",
    "g-care.glos.nhs.uk",
    "apps.nhslothian.scot",
    "www.rcemlearning.co.uk",
    "bestpractice.bmj.com",
];

/// The host of a web address, lower case ("beta.nhs.uk").
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    (!host.is_empty()).then(|| host.to_lowercase())
}

/// What is wrong with a source's address, if anything: not a web address,
/// or a retired site.
pub fn source_url_problem(url: &str) -> Option<String> {
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
        || host_of(url).is_none()
    {
        return Some(format!("`{url}` is not a web address"));
    }
    let host = host_of(url)?;
    RETIRED_HOSTS
        .iter()
        .find(|retired| host == **retired)
        .map(|retired| format!("`{url}` is on {retired}, a retired site: link the current page"))
}

/// Whether a source is a public patient page of the standing the bot needs:
/// NHS, NICE, Mayo Clinic or MedlinePlus, and not a page for clinicians.
pub fn is_patient_page(url: &str) -> bool {
    let Some(host) = host_of(url) else {
        return false;
    };
    let on_domain = PATIENT_DOMAINS
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")));
    // NICE writes guidelines and quality standards for professionals and
    // commissioners; its pages for the public are its "information for the
    // public" (`/ifp/`).
    let nice_for_professionals = (host == "nice.org.uk" || host.ends_with(".nice.org.uk"))
        && !(url.contains("/ifp/") || url.contains("/informationforpublic"));
    on_domain && !CLINICIAN_HOSTS.contains(&host.as_str()) && !nice_for_professionals
}

/// Urgency advice in a text's own words: each phrase found, with the message
/// for it. When and how urgently to get help comes only from the urgency
/// blocks, so the bot never says it two ways.
pub fn advice_problems(text: &str) -> Vec<(String, String)> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    for placeholder in crate::safety::PLACEHOLDERS {
        let written = format!("{{{placeholder}}}");
        if lower.contains(&written) {
            found.push((
                written.clone(),
                format!(
                    "{written} in the text: when and how urgently to get help comes from the \
                     urgency blocks (urgency.toml), not this text"
                ),
            ));
        }
    }
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '&' || c == '-'))
        .filter(|word| !word.is_empty())
        .collect();
    for phrase in URGENCY_WORDS {
        let phrase_words: Vec<&str> = phrase.split(' ').collect();
        if words
            .windows(phrase_words.len())
            .any(|window| window == phrase_words.as_slice())
        {
            found.push((
                phrase.to_owned(),
                format!(
                    "\"{phrase}\" in the text: urgency advice comes from the urgency blocks \
                     (urgency.toml) and their signs, not this text"
                ),
            ));
        }
    }
    found
}

/// Words of urgency advice that an answer's or outcome's own text must not
/// use.
const URGENCY_WORDS: [&str; 14] = [
    "urgent",
    "urgently",
    "ambulance",
    "a&e",
    "emergency department",
    "emergency room",
    "999",
    "911",
    "112",
    "same day",
    "same-day",
    "straight away",
    "immediately",
    "right away",
];

/// The level of a block or sign, from its id ("urgent" is today).
pub fn parse_level(id: &str) -> Option<Level> {
    Level::ALL.into_iter().find(|level| level.id() == id)
}

/// What is wrong with a sign of `level` that comes from `rule` (a c.2 rule
/// id) and reads `text`, if anything.
pub fn sign_problem(level: Level, rule: Option<&str>, text: &str) -> Option<String> {
    if let Some(rule) = rule {
        match rule_level(rule) {
            None => return Some(format!("`{rule}` is not a rule of clinical-basis.md c.2")),
            Some(rule_level) if rule_level != level => {
                return Some(format!(
                    "rule {rule} is {rule_level} in clinical-basis.md c.2, not {level}: a sign \
                     must be shown at its rule's level"
                ));
            }
            Some(_) => {}
        }
        if !is_combination_rule(rule) && joins_findings(text) {
            return Some(format!(
                "rule {rule} acts on each finding alone: join them with \"or\", not \"and\" \
                 (\"swollen, warm, red or darker\", never \"swollen, warm and red\")"
            ));
        }
    }
    if text.trim().is_empty() {
        return Some("a sign must say what to look out for".to_owned());
    }
    None
}

/// Whether a sign's text joins findings with "and" ("swollen and red").
fn joins_findings(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|word| word.eq_ignore_ascii_case("and"))
}

/// Reads the urgency file; returns the blocks that loaded and every
/// problem.
pub fn parse(path: &Path, source: &str) -> (Urgency, Vec<Problem>) {
    let mut found = Found {
        path,
        source,
        problems: Vec::new(),
    };
    let Some(file) = read_shape(path, source, &mut found.problems, |shape, root| {
        shape.urgency_file(root)
    }) else {
        return (Urgency::default(), found.problems);
    };
    let mut urgency = Urgency::default();
    read_actions(&file, &mut urgency, &mut found);
    for block in file.block {
        if let Some(block) = read_block(block, &urgency, &mut found) {
            urgency.blocks.push(block);
        }
    }
    urgency
        .blocks
        .sort_by_key(|block| std::cmp::Reverse(block.level));
    if urgency.for_level(Level::Emergency).is_none() {
        found.push(0, "the urgency file needs an emergency block".to_owned());
    }
    (urgency, found.problems)
}

/// The problems found in the urgency file so far, and what they need to be
/// placed at a line and column of it.
struct Found<'a> {
    path: &'a Path,
    source: &'a str,
    problems: Vec<Problem>,
}

impl Found<'_> {
    /// Adds a problem at a byte offset of the file.
    fn push(&mut self, offset: usize, message: String) {
        self.problems
            .push(Problem::at_offset(self.path, self.source, offset, message));
    }
}

/// Reads `[actions]` into `urgency`: every key must be a level, and every
/// level needs its action.
fn read_actions(file: &File, urgency: &mut Urgency, found: &mut Found<'_>) {
    for (level_id, text) in &file.actions {
        match parse_level(level_id) {
            Some(level) => urgency.actions.push((level, text.0.trim().to_owned())),
            None => found.push(text.1, format!("[actions] `{level_id}` is not a level")),
        }
    }
    for level in Level::ALL {
        if !urgency.actions.iter().any(|(l, _)| *l == level) {
            found.push(0, format!("[actions] needs `{}`", level.id()));
        }
    }
}

/// Reads one `[[block]]`; `None` when its level is unknown or another block
/// of `urgency` already has its id or level.
fn read_block(block: BlockFile, urgency: &Urgency, found: &mut Found<'_>) -> Option<Block> {
    let Some(level) = parse_level(&block.level.0) else {
        found.push(
            block.level.1,
            format!(
                "level must be one of emergency, urgent, soon, routine, not {:?}",
                &block.level.0
            ),
        );
        return None;
    };
    if urgency.get(&block.id.0).is_some() || urgency.for_level(level).is_some() {
        found.push(block.id.1, "two blocks share an id or a level".to_owned());
        return None;
    }
    if block.sign.is_empty() {
        found.push(block.id.1, "a block needs signs".to_owned());
    }
    let signs = block
        .sign
        .iter()
        .map(|sign| read_sign(level, sign, found))
        .collect();
    Some(Block {
        id: block.id.0.clone(),
        level,
        heading: block.heading.0.trim().to_owned(),
        short: block.short.0.trim().to_owned(),
        after: block.after.as_ref().map(|after| after.0.trim().to_owned()),
        signs,
    })
}

/// Reads one sign of a block of `level`, checking it against its c.2 rule.
fn read_sign(level: Level, sign: &SignFile, found: &mut Found<'_>) -> Sign {
    let rule = sign.rule.as_ref().map(|rule| rule.0.as_str());
    if rule.is_none() && sign.source.is_none() {
        found.push(
            sign.text.1,
            "a sign needs the c.2 `rule` it comes from, or a `source`".to_owned(),
        );
    }
    if let Some(message) = sign_problem(level, rule, &sign.text.0) {
        let offset = sign.rule.as_ref().map_or(sign.text.1, |rule| rule.1);
        found.push(offset, message);
    }
    Sign {
        text: sign.text.0.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_pages_are_told_from_pages_for_professionals() {
        assert!(is_patient_page(
            "https://www.nhs.uk/conditions/deep-vein-thrombosis-dvt/"
        ));
        assert!(is_patient_page(
            "https://www.nice.org.uk/guidance/ipg557/ifp/chapter/The-condition"
        ));
        // NICE guidelines and quality standards are written for professionals.
        assert!(!is_patient_page("https://www.nice.org.uk/guidance/cg147"));
        assert!(!is_patient_page(
            "https://www.nice.org.uk/guidance/qs52/chapter/Quality-statement-3-Supervised-exercise-programmes"
        ));
        assert!(!is_patient_page("https://cks.nhs.uk/topics/leg-cramps/"));
        assert!(!is_patient_page("https://example.com/nhs.uk"));
    }

    #[test]
    fn shipped_blocks_load_without_problems() {
        let (urgency, problems) = parse(Path::new(URGENCY_FILE), SHIPPED);
        assert!(problems.is_empty(), "{problems:#?}");
        let levels: Vec<Level> = urgency.blocks.iter().map(|b| b.level).collect();
        assert_eq!(
            levels,
            vec![Level::Emergency, Level::Urgent, Level::Soon, Level::Routine]
        );
    }

    #[test]
    fn a_sign_at_a_milder_level_than_its_rule_is_refused() {
        let message = sign_problem(Level::Urgent, Some("E4"), "a fever with a red leg");
        assert!(message.is_some_and(|m| m.contains("emergency")));
        assert!(sign_problem(Level::Emergency, Some("E4"), "a fever with a red leg").is_none());
    }

    #[test]
    fn a_sign_joining_separate_findings_with_and_is_refused() {
        assert!(sign_problem(Level::Urgent, Some("U1"), "one leg swollen, warm and red").is_some());
        assert!(
            sign_problem(
                Level::Urgent,
                Some("U1"),
                "one leg swollen, warm, red or darker"
            )
            .is_none()
        );
        // A combination rule may say "and" ("with" is clearer, but allowed).
        assert!(
            sign_problem(Level::Emergency, Some("E5"), "severe pain and a tight calf").is_none()
        );
    }

    #[test]
    fn unknown_rules_and_levels_are_reported_at_their_line() {
        let source = "[actions]\nemergency = \"a\"\n[[block]]\nid = \"today\"\nlevel = \
                      \"urgent\"\nheading = \"h\"\nshort = \"s\"\n[[block.sign]]\nrule = \
                      \"X9\"\ntext = \"t\"\n";
        let (_, problems) = parse(Path::new("u.toml"), source);
        let found = |line: usize, text: &str| {
            problems
                .iter()
                .any(|p| (line == 0 || p.line == line) && p.message.contains(text))
        };
        assert!(found(9, "X9"), "{problems:#?}");
        assert!(found(0, "emergency block"));
        assert!(found(0, "[actions] needs `urgent`"));
    }
}
