//! The step function of the check: given the answers so far, what comes
//! next. Pure and total.
//!
//! This file owns the semantics of the data file's branching, in one place,
//! so that the [`super::Conversation`] people talk to and the validator that
//! explores every path cannot disagree:
//!
//! 1. After each answer, the rules marked `at_once` are checked in order;
//!    the first that holds ends the check with its outcome (red flags).
//! 2. Otherwise the check goes to the question's `next` (by default the
//!    following question of the file). A question whose `ask_if` does not
//!    hold, or that was already answered, is skipped.
//! 3. After the last question all rules are checked in order; the first
//!    that holds gives the outcome.
//!
//! A question is never asked twice and a skipped chain never revisits a
//! question, so every call ends, whatever the file says.

use super::level::Level;
use super::model::{SymptomCheck, Target};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum End {
    /// A rule (by index) held.
    Rule(usize),
    /// A question's `next` named an outcome (by index).
    Outcome(usize),
    /// No rule held: the data file is incomplete (validation reports it).
    NoRule,
}

/// What comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Ask this question.
    Ask(usize),
    /// The check is over.
    Done(End),
}

impl End {
    /// The outcome this end gives, if any.
    pub(crate) fn outcome(self, check: &SymptomCheck) -> Option<usize> {
        match self {
            End::Rule(rule) => check.rules.get(rule).map(|r| r.outcome),
            End::Outcome(outcome) => Some(outcome),
            End::NoRule => None,
        }
    }
}

/// Where the check goes after question `question` by default.
pub(crate) fn next_of(check: &SymptomCheck, question: usize) -> Target {
    match check.questions.get(question).and_then(|q| q.next) {
        Some(target) => target,
        None if question + 1 < check.questions.len() => Target::Question(question + 1),
        None => Target::Rules,
    }
}

/// The first `at_once` rule that holds.
pub(crate) fn at_once(check: &SymptomCheck, masks: &[u32]) -> Option<usize> {
    check
        .rules
        .iter()
        .position(|rule| rule.at_once && rule.when.expr.eval(masks))
}

/// The first rule that holds, checked after the last question.
pub(crate) fn final_rule(check: &SymptomCheck, masks: &[u32]) -> End {
    check
        .rules
        .iter()
        .position(|rule| rule.when.expr.eval(masks))
        .map_or(End::NoRule, End::Rule)
}

/// The first question to ask, or the end, with nothing answered.
pub(crate) fn start(check: &SymptomCheck, masks: &[u32]) -> Next {
    if let Some(rule) = at_once(check, masks) {
        return Next::Done(End::Rule(rule));
    }
    advance(check, masks, Target::Question(check.start))
}

/// What comes after question `question` was answered (its answer is in
/// `masks`).
pub(crate) fn after_answer(check: &SymptomCheck, masks: &[u32], question: usize) -> Next {
    if let Some(rule) = at_once(check, masks) {
        return Next::Done(End::Rule(rule));
    }
    advance(check, masks, next_of(check, question))
}

/// Follows targets from `target`, skipping questions that are answered or
/// whose `ask_if` does not hold.
pub(crate) fn advance(check: &SymptomCheck, masks: &[u32], mut target: Target) -> Next {
    let mut seen = vec![false; check.questions.len()];
    loop {
        match target {
            Target::Outcome(outcome) => return Next::Done(End::Outcome(outcome)),
            Target::Rules => return Next::Done(final_rule(check, masks)),
            Target::Question(q) => {
                let Some(question) = check.questions.get(q) else {
                    return Next::Done(final_rule(check, masks));
                };
                if seen[q] {
                    // A loop of skipped questions: nothing more can be asked.
                    return Next::Done(final_rule(check, masks));
                }
                seen[q] = true;
                let answered = masks.get(q).is_some_and(|m| *m != 0);
                let wanted = question.ask_if.as_ref().is_none_or(|c| c.expr.eval(masks));
                if !answered && wanted {
                    return Next::Ask(q);
                }
                target = next_of(check, q);
            }
        }
    }
}

/// The items a screen shows when the machine asks question `question`: if
/// it belongs to a screen, every item of that screen from it on that is not
/// answered and whose `ask_if` holds (the loader made sure no item's
/// `ask_if` reads another item of the same screen, so these are exactly the
/// questions the machine would ask one after another); otherwise just
/// `question`.
pub(crate) fn shown(check: &SymptomCheck, masks: &[u32], question: usize) -> Vec<usize> {
    let Some(screen) = check
        .questions
        .get(question)
        .and_then(|q| q.screen)
        .and_then(|s| check.screens.get(s))
    else {
        return vec![question];
    };
    screen
        .items
        .iter()
        .copied()
        .filter(|&i| i >= question)
        .filter(|&i| masks.get(i).is_some_and(|m| *m == 0))
        .filter(|&i| {
            check.questions[i]
                .ask_if
                .as_ref()
                .is_none_or(|c| c.expr.eval(masks))
        })
        .collect()
}

/// What comes after a screen showing the items `shown` was answered (the
/// picked and "no" items are in `masks`; items left "not sure" are still 0):
/// the rules marked `at_once`, then the items left open, one by one, then
/// what follows the screen.
///
/// While items are left open, only an `at_once` rule whose outcome is an
/// emergency may end the check: nothing can make an emergency more urgent,
/// but any other level could still be raised by an open item (fever left
/// "not sure" beside spreading redness is E4). One by one they are asked
/// in file order, exactly as without the screen.
pub(crate) fn after_screen(check: &SymptomCheck, masks: &[u32], shown: &[usize]) -> Next {
    let open = shown.iter().any(|&i| masks.get(i).is_some_and(|m| *m == 0));
    if let Some(rule) = at_once_while(check, masks, open) {
        return Next::Done(End::Rule(rule));
    }
    match shown.first() {
        Some(&first) => advance(check, masks, Target::Question(first)),
        None => Next::Done(final_rule(check, masks)),
    }
}

/// What comes after an item left "not sure" on its screen was asked on its
/// own: as [`after_answer`], except that while other items of that screen
/// are still open only an emergency `at_once` rule may end the check (their
/// answers, unlike in a one-by-one check, may already be known).
pub(crate) fn after_reask(check: &SymptomCheck, masks: &[u32], question: usize) -> Next {
    let open = check
        .questions
        .get(question)
        .and_then(|q| q.screen)
        .and_then(|s| check.screens.get(s))
        .and_then(|screen| screen.items.first())
        .is_some_and(|&first| !shown(check, masks, first).is_empty());
    if let Some(rule) = at_once_while(check, masks, open) {
        return Next::Done(End::Rule(rule));
    }
    advance(check, masks, next_of(check, question))
}

/// The first `at_once` rule that holds; while items of a screen are open,
/// only one whose outcome is an emergency.
fn at_once_while(check: &SymptomCheck, masks: &[u32], open: bool) -> Option<usize> {
    if !open {
        return at_once(check, masks);
    }
    check.rules.iter().position(|rule| {
        rule.at_once
            && check
                .outcomes
                .get(rule.outcome)
                .is_some_and(|o| o.level == Level::Emergency)
            && rule.when.expr.eval(masks)
    })
}

/// The leading pattern for these answers: the first entry of the
/// leading-pattern list whose condition holds.
pub(crate) fn leading_pattern(check: &SymptomCheck, masks: &[u32]) -> Option<usize> {
    check
        .leading
        .iter()
        .find(|entry| entry.when.expr.eval(masks))
        .map(|entry| entry.pattern)
}
