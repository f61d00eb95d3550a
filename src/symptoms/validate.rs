//! Is the loaded check safe to run? Every path ends in an outcome, no
//! question is unreachable, no cycle, every red flag can only lead to
//! outcomes at least as urgent as its level in clinical-basis.md c.1, the
//! data never needs rule set c.2's floor, and every FAQ id exists.
//!
//! This file owns those checks and the exhaustive exploration behind them.
//! The explorer runs the same step function as the conversation
//! ([`super::machine`]) over every answer to every question asked. It stays
//! small by merging paths that can no longer behave differently: two paths
//! at the same question are the same from then on when every condition still
//! ahead has the same residual (what is left of it once the answers given are
//! known) and rule set c.2 reads the same facts from both ([`Facts`]).
//! Answers a question's conditions and c.2 cannot tell apart (for example
//! many combinations of leg sites) are explored once.

use std::collections::{BTreeSet, HashSet};

use super::answers::AnswerLookup;
use super::condition::Expr;
use super::level::Level;
use super::machine::{self, End, Next};
use super::model::{OutcomeDef, PatternDef, PatternRef, QuestionKind, SymptomCheck, Target};
use super::rules::{self, Facts};
use crate::fasthash::{KeyMap as FastMap, KeySet as FastSet};
use crate::problem::Problem;

/// Exploration stops (and says so) after this many distinct path states.
const MAX_STATES: usize = 2_000_000;

/// Figures about every path through the check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathStats {
    /// Steps on the longest path: a screen of several items counts once,
    /// each question once, and each item of a screen asked again on its own
    /// after "not sure about some" once (a question's simpler re-ask is not
    /// counted).
    pub longest: usize,
    /// Steps on the shortest path, counted the same way.
    pub shortest: usize,
    /// Distinct path states explored.
    pub states: usize,
    /// Whether exploration stopped before seeing every path.
    pub truncated: bool,
}

/// Item id to question index, built once per exploration.
struct ItemIndex<'c> {
    check: &'c SymptomCheck,
    items: FastMap<&'c str, usize>,
}

impl<'c> ItemIndex<'c> {
    fn new(check: &'c SymptomCheck) -> Self {
        ItemIndex {
            check,
            items: check
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.as_str(), i))
                .collect(),
        }
    }

    fn facts(&self, masks: &[u32]) -> Facts {
        Facts::of(&MaskLookup { index: self, masks })
    }
}

/// Reads answers from the explorer's masks.
struct MaskLookup<'a> {
    index: &'a ItemIndex<'a>,
    masks: &'a [u32],
}

impl AnswerLookup for MaskLookup<'_> {
    fn answer_is(&self, item: &str, value: &str) -> bool {
        let Some(&q) = self.index.items.get(item) else {
            return false;
        };
        let question = &self.index.check.questions[q];
        question
            .bit(value)
            .is_some_and(|bit| self.masks.get(q).is_some_and(|m| m & bit != 0))
    }

    fn answer_has_other_than(&self, item: &str, except: &str) -> bool {
        let Some(&q) = self.index.items.get(item) else {
            return false;
        };
        let question = &self.index.check.questions[q];
        let ignored = question.bit(except).unwrap_or(0) | question.unsure_bit();
        self.masks.get(q).is_some_and(|m| m & !ignored != 0)
    }
}

#[derive(Debug, Clone, Copy)]
struct Summary {
    min_level: Level,
    min_outcome: Option<usize>,
    longest: usize,
    shortest: usize,
}

#[derive(Hash, PartialEq, Eq)]
struct Key {
    question: usize,
    residuals: Vec<Expr>,
    facts: Facts,
    /// Which items read by rule set c.2 are still unanswered (bit per
    /// entry of `Explorer::c2_items`).
    open: u64,
}

struct Explorer<'c> {
    check: &'c SymptomCheck,
    index: ItemIndex<'c>,
    /// Per question: the questions that can still be asked from it.
    reach: Vec<Vec<bool>>,
    /// Per question: the conditions that can still matter from it.
    ahead: Vec<Vec<&'c Expr>>,
    /// Per question: one answer mask per class of answers.
    classes: Vec<Vec<u32>>,
    /// The questions of the check that rule set c.2 reads.
    c2_items: Vec<usize>,
    memo: FastMap<Key, Summary>,
    /// Ends already checked: the end, the last question, the facts c.2
    /// reads and which of its items are open decide everything a leaf
    /// checks (a screen reaches the same end from many combinations).
    leaves: FastMap<(End, usize, Facts, u64), Summary>,
    path: Vec<(usize, u32)>,
    asked: Vec<bool>,
    reached: Vec<bool>,
    truncated: bool,
    problems: Vec<Problem>,
    reported: HashSet<String>,
}

impl<'c> Explorer<'c> {
    fn new(check: &'c SymptomCheck) -> Self {
        let n = check.questions.len();
        let reach: Vec<Vec<bool>> = (0..n)
            .map(|q| {
                let mut seen = vec![false; n];
                let mut target = Target::Question(q);
                while let Target::Question(i) = target {
                    if i >= n || seen[i] {
                        break;
                    }
                    seen[i] = true;
                    target = machine::next_of(check, i);
                }
                seen
            })
            .collect();
        let ahead = (0..n)
            .map(|q| {
                let mut exprs: Vec<&Expr> = check.rules.iter().map(|r| &r.when.expr).collect();
                for (i, question) in check.questions.iter().enumerate() {
                    if reach[q][i]
                        && let Some(ask_if) = &question.ask_if
                    {
                        exprs.push(&ask_if.expr);
                    }
                }
                exprs
            })
            .collect();
        let index = ItemIndex::new(check);
        let classes = (0..n).map(|q| answer_classes(&index, q)).collect();
        let c2_items = rules::ITEMS
            .iter()
            .filter_map(|item| check.question_index(item))
            .collect();
        Explorer {
            check,
            index,
            reach,
            ahead,
            classes,
            c2_items,
            memo: FastMap::default(),
            leaves: FastMap::default(),
            path: Vec::new(),
            asked: vec![false; n],
            reached: vec![false; check.outcomes.len()],
            truncated: false,
            problems: Vec::new(),
            reported: HashSet::new(),
        }
    }

    fn report(&mut self, once: String, offset: usize, message: String) {
        if self.reported.insert(once) {
            self.problems.push(self.check.problem_at(offset, message));
        }
    }

    /// The answers on the current path, for messages.
    fn path_text(&self) -> String {
        let mut parts = Vec::new();
        for &(q, mask) in &self.path {
            let question = &self.check.questions[q];
            let ids = question.answer_of(mask).ids();
            if ids == ["no"] {
                continue;
            }
            parts.push(format!("{}={}", question.id, ids.join("+")));
        }
        if parts.is_empty() {
            "every answer no".to_owned()
        } else {
            format!("{} (every other answer no)", parts.join(", "))
        }
    }

    fn visit(&mut self, question: usize, masks: &mut Vec<u32>) -> Summary {
        let open = &self.reach[question];
        let residuals: Vec<Expr> = self.ahead[question]
            .iter()
            .map(|e| e.partial(masks, &|q| open[q]))
            .collect();
        let open = self
            .c2_items
            .iter()
            .enumerate()
            .filter(|(_, q)| masks[**q] == 0)
            .fold(0u64, |acc, (bit, _)| acc | (1u64 << bit));
        let key = Key {
            question,
            residuals,
            facts: self.index.facts(masks),
            open,
        };
        if let Some(summary) = self.memo.get(&key) {
            return *summary;
        }
        if self.memo.len() >= MAX_STATES {
            self.truncated = true;
            return Summary {
                min_level: Level::Emergency,
                min_outcome: None,
                longest: 0,
                shortest: 0,
            };
        }
        self.asked[question] = true;
        let shown = machine::shown(self.check, masks, question);
        if shown.len() > 1 {
            let summary = self.visit_screen(&shown, masks);
            self.memo.insert(key, summary);
            return summary;
        }
        let mut summary: Option<Summary> = None;
        let classes = self.classes[question].clone();
        let yes_bit = self.check.questions[question].bit("yes").unwrap_or(0);
        for mask in classes {
            masks[question] = mask;
            self.path.push((question, mask));
            let below = match machine::after_answer(self.check, masks, question) {
                Next::Ask(next) => {
                    let child = self.visit(next, masks);
                    Summary {
                        longest: child.longest + 1,
                        shortest: child.shortest + 1,
                        ..child
                    }
                }
                Next::Done(end) => self.leaf(end, masks, question),
            };
            if mask & yes_bit != 0 {
                self.check_red_flag(question, below);
            }
            self.path.pop();
            summary = Some(merge(summary, below));
        }
        masks[question] = 0;
        let summary = summary.unwrap_or(Summary {
            min_level: Level::Emergency,
            min_outcome: None,
            longest: 1,
            shortest: 1,
        });
        self.memo.insert(key, summary);
        summary
    }

    /// A screen showing the items `shown` (at least two, in order), over
    /// every final answer of its items (yes, no, or "not sure" after being
    /// asked on its own).
    ///
    /// How a final answer was reached does not change the outcome: picked
    /// items are yes; with "Not sure about some" the person says which of
    /// the rest they are unsure about and those are asked one by one, while
    /// only an emergency rule may end the check. Emergency rules read the
    /// screen's items without `not` ([`SymptomCheck::check_screens`]), so
    /// one that holds part way holds on the final answers too, and ending
    /// early can only be an emergency. So every final answer is explored
    /// once, with the fewest and the most steps it can take: one screen
    /// when nothing is unsure, otherwise the screen, the "which" step and
    /// one step per item asked again (only items with simpler words are;
    /// at most all of those).
    fn visit_screen(&mut self, shown: &[usize], masks: &mut Vec<u32>) -> Summary {
        for &item in shown {
            self.asked[item] = true;
        }
        let k = shown.len();
        let total = 3usize.pow(u32::try_from(k).unwrap_or(u32::MAX).min(20));
        // Items left "not sure" are asked again on their own only where they
        // have simpler words; the others are recorded at the "which" step.
        let simpler: Vec<bool> = shown
            .iter()
            .map(|&q| self.check.questions[q].simpler.is_some())
            .collect();
        let reaskable = simpler.iter().filter(|s| **s).count();
        let mut summary: Option<Summary> = None;
        for code in 0..total {
            let mut rest = code;
            let (mut yes, mut unsure, mut reasked) = (0usize, 0usize, 0usize);
            for (j, &item) in shown.iter().enumerate() {
                let question = &self.check.questions[item];
                masks[item] = match rest % 3 {
                    0 => {
                        yes += 1;
                        question.bit("yes").unwrap_or(0)
                    }
                    1 => question.bit("no").unwrap_or(0),
                    _ => {
                        unsure += 1;
                        reasked += usize::from(simpler[j]);
                        question.unsure_bit()
                    }
                };
                rest /= 3;
                self.path.push((item, masks[item]));
            }
            let shortest = match unsure {
                0 => 1,
                _ if k - yes > 1 => 2 + reasked,
                _ => 1 + reasked,
            };
            let longest = 2 + reaskable;
            let last = shown[k - 1];
            let below = match machine::after_screen(self.check, masks, shown) {
                Next::Ask(next) => {
                    let child = self.visit(next, masks);
                    Summary {
                        longest: child.longest + longest,
                        shortest: child.shortest + shortest,
                        ..child
                    }
                }
                Next::Done(end) => Summary {
                    longest,
                    shortest,
                    ..self.leaf(end, masks, last)
                },
            };
            for &item in shown {
                if masks[item] & self.check.questions[item].bit("yes").unwrap_or(0) != 0 {
                    self.check_red_flag(item, below);
                }
            }
            for &item in shown {
                self.path.pop();
                masks[item] = 0;
            }
            summary = Some(merge(summary, below));
        }
        summary.unwrap_or(Summary {
            min_level: Level::Emergency,
            min_outcome: None,
            longest: 1,
            shortest: 1,
        })
    }

    /// Reports a red flag answered yes whose path can end in an outcome
    /// less urgent than its level in c.1.
    fn check_red_flag(&mut self, question: usize, below: Summary) {
        let q = &self.check.questions[question];
        let Some(level) = q.red_flag else {
            return;
        };
        if below.min_level >= level {
            return;
        }
        let outcome = below.min_outcome.map_or("no outcome".to_owned(), |o| {
            let o = &self.check.outcomes[o];
            format!("outcome `{}` ({})", o.id, o.level)
        });
        let message = format!(
            "red flag `{}` is {} {level} red flag (clinical-basis.md c.1), but a `yes` to it \
             can end in {outcome}",
            q.id,
            if level == Level::Urgent || level == Level::Emergency {
                "an"
            } else {
                "a"
            }
        );
        self.report(format!("red flag {}", q.id), q.red_flag_span.start, message);
    }

    /// The end of a path: check it gives an outcome, urgent enough for c.2.
    fn leaf(&mut self, end: End, masks: &[u32], last: usize) -> Summary {
        let open = self
            .c2_items
            .iter()
            .enumerate()
            .filter(|(_, q)| masks[**q] == 0)
            .fold(0u64, |acc, (bit, _)| acc | (1u64 << bit));
        let key = (end, last, self.index.facts(masks), open);
        if let Some(summary) = self.leaves.get(&key) {
            if let Some(outcome) = summary.min_outcome {
                self.reached[outcome] = true;
            }
            return *summary;
        }
        let summary = self.check_leaf(end, masks, last);
        self.leaves.insert(key, summary);
        summary
    }

    /// What [`Explorer::leaf`] checks, for an end not seen before.
    fn check_leaf(&mut self, end: End, masks: &[u32], last: usize) -> Summary {
        let Some(outcome) = end.outcome(self.check) else {
            return self.no_outcome();
        };
        self.reached[outcome] = true;
        let check = self.check;
        let def = &check.outcomes[outcome];
        let leaf = Leaf {
            end,
            last,
            masks,
            facts: self.index.facts(masks),
        };
        if leaf.facts.floor() > def.level {
            self.report_below_floor(&leaf, def);
        } else {
            self.report_skipped(&leaf, def);
        }
        Summary {
            min_level: def.level,
            min_outcome: Some(outcome),
            longest: 1,
            shortest: 1,
        }
    }

    /// Reports a path no rule ends (once: one missing `always` rule is the fix).
    fn no_outcome(&mut self) -> Summary {
        let text = self.path_text();
        self.report(
            "no rule".to_owned(),
            self.check.rules_span.start,
            format!("no rule gives an outcome for these answers: {text}; end the rule list with `when = \"always\"`"),
        );
        Summary {
            min_level: Level::SelfCare,
            min_outcome: None,
            longest: 1,
            shortest: 1,
        }
    }

    /// Where a problem of `leaf` is reported (the rule that ended it, or
    /// the `next` that did), and the key that reports it only once per
    /// `kind` of problem there.
    fn place(&self, leaf: &Leaf<'_>, kind: &str) -> (String, usize) {
        match leaf.end {
            End::Rule(r) => (
                format!("{kind} rule {r}"),
                self.check.rules[r].when.span.start,
            ),
            _ => (
                format!("{kind} next {}", leaf.last),
                self.check.questions[leaf.last].next_span.start,
            ),
        }
    }

    /// Reports an end in an outcome less urgent than rule set c.2's floor
    /// for the answers given.
    fn report_below_floor(&mut self, leaf: &Leaf<'_>, def: &OutcomeDef) {
        let floor = leaf.facts.floor();
        let fired: Vec<&str> = leaf.facts.fired().iter().map(|(id, _)| *id).collect();
        let why = if fired.is_empty() {
            "an emergency red flag left \"not sure\" (f.3)".to_owned()
        } else {
            format!("rules {}", fired.join(", "))
        };
        let (once, offset) = self.place(leaf, "floor");
        let text = self.path_text();
        self.report(
            once,
            offset,
            format!(
                "these answers end in outcome `{}` ({}), but rule set c.2 asks for at least {floor} ({why}): {text}",
                def.id, def.level
            ),
        );
    }

    /// The stronger property: no answer to a question this path did not
    /// ask could have made rule set c.2 more urgent than the outcome.
    fn report_skipped(&mut self, leaf: &Leaf<'_>, def: &OutcomeDef) {
        let is_open = |item: &str| {
            self.index
                .items
                .get(item)
                .is_some_and(|q| leaf.masks.get(*q).is_some_and(|m| *m == 0))
        };
        let (possible, rules_possible) = leaf.facts.floor_if_answered(&is_open);
        if possible <= def.level {
            return;
        }
        let all_open: Vec<&str> = rules::ITEMS
            .iter()
            .copied()
            .filter(|i| is_open(i))
            .collect();
        // Name the items that could raise the level on their own; if it
        // takes several together (a clot needs both legs and risk factors),
        // name them all.
        let alone: Vec<&str> = all_open
            .iter()
            .copied()
            .filter(|item| leaf.facts.floor_if_answered(&|i: &str| i == *item).0 > def.level)
            .collect();
        let skipped = if alone.is_empty() { all_open } else { alone };
        let (once, offset) = self.place(leaf, "skip");
        let text = self.path_text();
        self.report(
            once,
            offset,
            format!(
                "these answers end in outcome `{}` ({}) without asking {}, whose answers could \
                 make it {possible} (rules {}): {text}",
                def.id,
                def.level,
                skipped
                    .iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                rules_possible.join(", ")
            ),
        );
    }
}

/// A path's end as [`Explorer::check_leaf`] checks it: how it ended, the
/// last question asked, the answers and the facts c.2 reads from them.
struct Leaf<'m> {
    end: End,
    last: usize,
    masks: &'m [u32],
    facts: Facts,
}

/// Two branches' summaries as one: the least urgent end, the longest and
/// the shortest path.
fn merge(summary: Option<Summary>, below: Summary) -> Summary {
    match summary {
        None => below,
        Some(s) => Summary {
            min_level: s.min_level.min(below.min_level),
            min_outcome: if below.min_level < s.min_level {
                below.min_outcome
            } else {
                s.min_outcome
            },
            longest: s.longest.max(below.longest),
            shortest: s.shortest.min(below.shortest),
        },
    }
}

/// One representative answer mask per class of answers that no condition of
/// the file and no fact of rule set c.2 can tell apart.
fn answer_classes(index: &ItemIndex<'_>, q: usize) -> Vec<u32> {
    let check = index.check;
    let question = &check.questions[q];
    let n = question.choices.len();
    let mut candidates: Vec<u32> = (0..n).map(|i| 1u32 << i).collect();
    if question.kind == QuestionKind::AnyOf {
        let free: Vec<usize> = (0..n).filter(|&i| !question.choices[i].exclusive).collect();
        let limit = free.len().min(12);
        let mut subsets: Vec<u32> = (1u32..(1u32 << limit))
            .map(|bits| {
                (0..limit)
                    .filter(|j| bits & (1 << j) != 0)
                    .fold(0u32, |acc, j| acc | (1u32 << free[j]))
            })
            .filter(|m| m.count_ones() > 1)
            .collect();
        subsets.sort_by_key(|m| m.count_ones());
        candidates.extend(subsets);
    }
    candidates.push(question.unsure_bit());

    let mut atoms: Vec<u32> = Vec::new();
    let mut collect = |expr: &Expr| {
        expr.for_each_atom(&mut |atom_q, mask| {
            if atom_q == q && !atoms.contains(&mask) {
                atoms.push(mask);
            }
        })
    };
    for rule in &check.rules {
        collect(&rule.when.expr);
    }
    for other in &check.questions {
        if let Some(c) = &other.ask_if {
            collect(&c.expr);
        }
    }
    let mut seen: FastSet<(Vec<bool>, Facts)> = FastSet::default();
    let mut classes = Vec::new();
    let mut masks = vec![0u32; check.questions.len()];
    for candidate in candidates {
        masks[q] = candidate;
        let signature = (
            atoms.iter().map(|a| a & candidate != 0).collect::<Vec<_>>(),
            index.facts(&masks),
        );
        if seen.insert(signature) {
            classes.push(candidate);
        }
    }
    classes
}

impl SymptomCheck {
    /// Checks the loaded check; every problem, with file and line. An empty
    /// list means the check is safe to run. `faq_ids` are the ids of the FAQ
    /// entries outcomes may point to.
    pub fn validate(&self, faq_ids: &BTreeSet<String>) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check_texts(faq_ids, &mut problems);
        self.check_screens(&mut problems);
        self.check_graph(&mut problems);
        let (stats, explored) = self.explore();
        problems.extend(explored);
        if stats.truncated {
            problems.push(self.problem_at(
                0,
                format!("the check has too many paths to verify them all (stopped after {MAX_STATES} states)"),
            ));
        }
        problems.sort_by_key(|p| (p.line, p.column));
        problems
    }

    /// Figures about every path: the longest and shortest, in questions asked.
    pub fn path_stats(&self) -> PathStats {
        self.explore().0
    }

    fn explore(&self) -> (PathStats, Vec<Problem>) {
        if self.questions.is_empty() {
            return (PathStats::default(), Vec::new());
        }
        let mut explorer = Explorer::new(self);
        let mut masks = vec![0u32; self.questions.len()];
        let root = match machine::start(self, &masks) {
            Next::Ask(q) => explorer.visit(q, &mut masks),
            Next::Done(end) => explorer.leaf(end, &masks, self.start),
        };
        for (i, question) in self.questions.iter().enumerate() {
            let statically = explorer.reach.get(self.start).is_some_and(|r| r[i]);
            if !explorer.asked[i] && !explorer.truncated {
                let why = if statically {
                    "its `ask_if` never holds where it comes, or an earlier rule always ends the check first"
                } else {
                    "no `next` leads to it"
                };
                explorer.problems.push(self.problem_at(
                    question.span.start,
                    format!("question `{}` is never asked: {why}", question.id),
                ));
            }
        }
        if !explorer.truncated {
            let floors: Vec<usize> = self.floor.values().copied().collect();
            for (o, outcome) in self.outcomes.iter().enumerate() {
                if !explorer.reached[o] && !floors.contains(&o) {
                    explorer.problems.push(self.problem_at(
                        outcome.span.start,
                        format!(
                            "outcome `{}` is never reached: no path ends in it",
                            outcome.id
                        ),
                    ));
                }
            }
        }
        let stats = PathStats {
            longest: root.longest,
            shortest: root.shortest,
            states: explorer.memo.len(),
            truncated: explorer.truncated,
        };
        (stats, explorer.problems)
    }

    /// A rule that ends the check at once with an emergency must read the
    /// items of a screen only positively (`item = yes`, never `not` or
    /// `!=`): while some items of a screen are still being asked one by one,
    /// only such rules may end the check, and the exploration
    /// ([`Explorer::visit_screen`]) relies on one that holds part way still
    /// holding once every item is answered.
    fn check_screens(&self, problems: &mut Vec<Problem>) {
        let on_screen = |q: usize| self.questions.get(q).is_some_and(|q| q.screen.is_some());
        for rule in &self.rules {
            let emergency = self
                .outcomes
                .get(rule.outcome)
                .is_some_and(|o| o.level == Level::Emergency);
            if rule.at_once && emergency && rule.when.expr.reads_negated(&on_screen) {
                problems.push(self.problem_at(
                    rule.when.span.start,
                    format!(
                        "rule `{}` ends the check at once with an emergency but reads an item of a \
                         screen through `not` or `!=`; write it with `=` and `in` only for those items",
                        rule.id
                    ),
                ));
            }
        }
    }

    /// The structural checks: loops, `ask_if`s that read later questions,
    /// missing `simpler` wordings and the last leading pattern.
    fn check_graph(&self, problems: &mut Vec<Problem>) {
        self.check_loops(problems);
        self.check_ask_if_order(problems);
        self.check_simpler_wordings(problems);
        self.check_leading_fallback(problems);
    }

    /// Reports each loop of `next`s once, at the `next` that closes it.
    fn check_loops(&self, problems: &mut Vec<Problem>) {
        // Each question has exactly one successor, so a cycle is found by
        // walking from each question.
        let n = self.questions.len();
        let mut reported = vec![false; n];
        for first in 0..n {
            let mut order: Vec<usize> = Vec::new();
            let mut target = Target::Question(first);
            while let Target::Question(q) = target {
                if q >= n {
                    break;
                }
                if let Some(pos) = order.iter().position(|&x| x == q) {
                    let cycle = &order[pos..];
                    if cycle.iter().all(|&c| !reported[c]) {
                        let names: Vec<&str> = cycle
                            .iter()
                            .map(|&c| self.questions[c].id.as_str())
                            .collect();
                        let last = *cycle.last().unwrap_or(&q);
                        problems.push(self.problem_at(
                            self.questions[last].next_span.start,
                            format!(
                                "questions loop: {} -> {}; a loop never reaches an outcome",
                                names.join(" -> "),
                                names.first().copied().unwrap_or_default()
                            ),
                        ));
                    }
                    for &c in cycle {
                        reported[c] = true;
                    }
                    break;
                }
                order.push(q);
                target = machine::next_of(self, q);
            }
        }
    }

    /// An `ask_if` that reads a question asked at the same point or later
    /// always sees it unanswered: almost certainly a mistake of order.
    fn check_ask_if_order(&self, problems: &mut Vec<Problem>) {
        for (q, question) in self.questions.iter().enumerate() {
            let Some(ask_if) = &question.ask_if else {
                continue;
            };
            let mut later: Vec<usize> = Vec::new();
            ask_if.expr.for_each_atom(&mut |read, _| {
                if !later.contains(&read) && follows(self, q, read) {
                    later.push(read);
                }
            });
            for read in later {
                problems.push(self.problem_at(
                    ask_if.span.start,
                    format!(
                        "`ask_if` of `{}` reads `{}`, which is not asked before it (move `{}` earlier)",
                        question.id, self.questions[read].id, self.questions[read].id
                    ),
                ));
            }
        }
    }

    /// Emergency red flags (by level, and items 1-8 by id) need a `simpler`
    /// wording for the re-ask after "not sure" (f.3).
    fn check_simpler_wordings(&self, problems: &mut Vec<Problem>) {
        for question in &self.questions {
            if question.red_flag == Some(Level::Emergency) && question.simpler.is_none() {
                problems.push(self.problem_at(
                    question.span.start,
                    format!(
                        "emergency red flag `{}` has no `simpler` wording for the re-ask after \"not sure\" (f.3)",
                        question.id
                    ),
                ));
            }
        }
        for item in rules::EMERGENCY_FLAGS {
            if let Some(question) = self.question(item)
                && question.simpler.is_none()
                && question.red_flag != Some(Level::Emergency)
            {
                problems.push(self.problem_at(
                    question.span.start,
                    format!("`{item}` is an emergency red flag (items 1-8) and needs a `simpler` wording"),
                ));
            }
        }
    }

    /// When an outcome takes the leading pattern, the last one must always
    /// hold, so every outcome has a pattern.
    fn check_leading_fallback(&self, problems: &mut Vec<Problem>) {
        let uses_leading = self
            .outcomes
            .iter()
            .any(|o| o.pattern == PatternRef::Leading);
        if uses_leading
            && self
                .leading
                .last()
                .is_none_or(|l| l.when.expr != Expr::Const(true))
        {
            let at = self.leading.last().map_or(0, |l| l.when.span.start);
            problems.push(self.problem_at(
                at,
                "the last `[[leading_pattern]]` must have `when = \"always\"` so every outcome has a pattern",
            ));
        }
    }

    /// The texts people see: FAQ links, placeholders, hard-coded numbers,
    /// advice wording, the sources they cite and how patterns are phrased.
    fn check_texts(&self, faq_ids: &BTreeSet<String>, problems: &mut Vec<Problem>) {
        for outcome in &self.outcomes {
            self.check_see_also(
                &outcome.see_also,
                outcome.see_also_span.start,
                faq_ids,
                problems,
            );
            self.check_outcome_texts(outcome, problems);
        }
        for pattern in &self.patterns {
            self.check_see_also(
                &pattern.see_also,
                pattern.see_also_span.start,
                faq_ids,
                problems,
            );
            self.check_pattern_text(pattern, problems);
        }
        self.check_asked_texts(problems);
    }

    /// Reports each FAQ entry of a `see_also` (at `at`) that does not exist.
    fn check_see_also(
        &self,
        ids: &[String],
        at: usize,
        faq_ids: &BTreeSet<String>,
        problems: &mut Vec<Problem>,
    ) {
        for id in ids {
            if !faq_ids.contains(id) {
                problems.push(self.problem_at(at, format!("FAQ entry `{id}` does not exist")));
            }
        }
    }

    /// An outcome's title and advice, and the sources it shows.
    fn check_outcome_texts(&self, outcome: &OutcomeDef, problems: &mut Vec<Problem>) {
        for (field, text) in [("title", &outcome.title), ("advice", &outcome.advice)] {
            for problem in text_problems(text) {
                problems.push(self.problem_at(
                    outcome.span.start,
                    format!("outcome `{}` {field}: {problem}", outcome.id),
                ));
            }
        }
        for (_, message) in crate::faq::urgency::advice_problems(&outcome.advice) {
            problems.push(self.problem_at(
                outcome.span.start,
                format!("outcome `{}` advice: {message}", outcome.id),
            ));
        }
        self.check_shown_sources(
            &outcome.sources,
            &format!("outcome `{}`", outcome.id),
            outcome.span.start,
            problems,
        );
    }

    /// A pattern's sources and text, which never tells people what they have.
    fn check_pattern_text(&self, pattern: &PatternDef, problems: &mut Vec<Problem>) {
        self.check_shown_sources(
            &pattern.sources,
            &format!("pattern `{}`", pattern.id),
            pattern.span.start,
            problems,
        );
        let lower = pattern.text.to_lowercase();
        if lower.contains("you have") || !lower.contains("pattern") {
            problems.push(self.problem_at(
                pattern.span.start,
                format!(
                    "pattern `{}`: say \"your answers fit a pattern that can be caused by ...\", never \"you have ...\"",
                    pattern.id
                ),
            ));
        }
        for problem in text_problems(&pattern.text) {
            problems.push(self.problem_at(
                pattern.span.start,
                format!("pattern `{}`: {problem}", pattern.id),
            ));
        }
    }

    /// The texts of screens and questions (and their `simpler` wordings).
    fn check_asked_texts(&self, problems: &mut Vec<Problem>) {
        for screen in &self.screens {
            if screen.text.trim().is_empty() {
                problems.push(self.problem_at(
                    screen.span.start,
                    format!("screen `{}` has an empty `text`", screen.id),
                ));
            }
            for problem in text_problems(&screen.text) {
                problems.push(self.problem_at(
                    screen.span.start,
                    format!("screen `{}`: {problem}", screen.id),
                ));
            }
        }
        for question in &self.questions {
            for text in std::iter::once(&question.text).chain(question.simpler.iter()) {
                for problem in text_problems(text) {
                    problems.push(self.problem_at(
                        question.span.start,
                        format!("question `{}`: {problem}", question.id),
                    ));
                }
            }
        }
    }
}

impl SymptomCheck {
    /// Sources people see (an outcome's or a pattern's) must be public
    /// patient pages with their links.
    fn check_shown_sources(
        &self,
        tags: &[String],
        what: &str,
        at: usize,
        problems: &mut Vec<Problem>,
    ) {
        for tag in tags {
            let Some(source) = self.sources.get(tag) else {
                continue;
            };
            let ok = source
                .url
                .as_deref()
                .is_some_and(crate::faq::urgency::is_patient_page);
            if !ok {
                problems.push(self.problem_at(
                    at,
                    format!(
                        "{what} cites source `{tag}`, which people see: it needs a public patient \
                         page of the NHS, NICE, the Mayo Clinic or MedlinePlus, written \
                         {tag} = {{ title = \"…\", url = \"https://…\" }}"
                    ),
                ));
            }
        }
    }
}

/// Whether question `read` is `from` itself or can come after it.
fn follows(check: &SymptomCheck, from: usize, read: usize) -> bool {
    let n = check.questions.len();
    let mut seen = vec![false; n];
    let mut target = Target::Question(from);
    while let Target::Question(q) = target {
        if q >= n || seen[q] {
            return false;
        }
        if q == read {
            return true;
        }
        seen[q] = true;
        target = machine::next_of(check, q);
    }
    false
}

/// Problems of one text: unknown placeholders, hard-coded emergency numbers.
fn text_problems(text: &str) -> Vec<String> {
    let mut out: Vec<String> = crate::safety::placeholder_problems(text)
        .into_iter()
        .map(|(_, message)| message)
        .collect();
    for word in text.split(|c: char| !c.is_ascii_digit()) {
        if ["999", "911", "112", "000", "111"].contains(&word) {
            out.push(format!(
                "`{word}` looks like an emergency number; write {{emergency_number}} or {{urgent_advice_line}} (numbers differ by country)"
            ));
        }
    }
    out
}
