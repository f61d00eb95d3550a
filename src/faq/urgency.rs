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

use serde::Deserialize;
use toml::Spanned;

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

/// Every block, most urgent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Urgency {
    /// The blocks.
    pub blocks: Vec<Block>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    block: Vec<BlockFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockFile {
    id: Spanned<String>,
    level: Spanned<String>,
    heading: Spanned<String>,
    short: Spanned<String>,
    after: Option<Spanned<String>>,
    sign: Vec<SignFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignFile {
    rule: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    text: Spanned<String>,
}

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
    let mut problems = Vec::new();
    let at = |offset: usize, message: String| Problem::at_offset(path, source, offset, message);
    let file: File = match toml::from_str(source) {
        Ok(file) => file,
        Err(error) => {
            let offset = error.span().map_or(0, |span| span.start);
            problems.push(at(offset, format!("invalid: {}", error.message().trim())));
            return (Urgency::default(), problems);
        }
    };
    let mut urgency = Urgency::default();
    for block in file.block {
        let Some(level) = parse_level(block.level.get_ref()) else {
            problems.push(at(
                block.level.span().start,
                format!(
                    "level must be one of emergency, urgent, soon, routine, not {:?}",
                    block.level.get_ref()
                ),
            ));
            continue;
        };
        if urgency.get(block.id.get_ref()).is_some() || urgency.for_level(level).is_some() {
            problems.push(at(
                block.id.span().start,
                "two blocks share an id or a level".to_owned(),
            ));
            continue;
        }
        if block.sign.is_empty() {
            problems.push(at(block.id.span().start, "a block needs signs".to_owned()));
        }
        let mut signs = Vec::new();
        for sign in &block.sign {
            let rule = sign.rule.as_ref().map(|rule| rule.get_ref().as_str());
            if rule.is_none() && sign.source.is_none() {
                problems.push(at(
                    sign.text.span().start,
                    "a sign needs the c.2 `rule` it comes from, or a `source`".to_owned(),
                ));
            }
            if let Some(message) = sign_problem(level, rule, sign.text.get_ref()) {
                let offset = sign
                    .rule
                    .as_ref()
                    .map_or(sign.text.span().start, |rule| rule.span().start);
                problems.push(at(offset, message));
            }
            signs.push(Sign {
                text: sign.text.get_ref().trim().to_owned(),
            });
        }
        urgency.blocks.push(Block {
            id: block.id.get_ref().clone(),
            level,
            heading: block.heading.get_ref().trim().to_owned(),
            short: block.short.get_ref().trim().to_owned(),
            after: block
                .after
                .as_ref()
                .map(|after| after.get_ref().trim().to_owned()),
            signs,
        });
    }
    urgency.blocks.sort_by(|a, b| b.level.cmp(&a.level));
    if urgency.for_level(Level::Emergency).is_none() {
        problems.push(at(
            0,
            "the urgency file needs an emergency block".to_owned(),
        ));
    }
    (urgency, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let source = "[[block]]\nid = \"today\"\nlevel = \"urgent\"\nheading = \"h\"\nshort = \
                      \"s\"\n[[block.sign]]\nrule = \"X9\"\ntext = \"t\"\n";
        let (_, problems) = parse(Path::new("u.toml"), source);
        assert!(
            problems
                .iter()
                .any(|p| p.line == 7 && p.message.contains("X9"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("emergency block"))
        );
    }
}
