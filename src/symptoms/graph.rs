//! The whole decision tree as a Mermaid flowchart, for reviewers
//! (`faqbot symptoms --graph`).
//!
//! This file owns [`mermaid`]. The picture follows the machine's semantics
//! ([`super::machine`]): questions in the order they are asked (each with
//! the condition under which it is asked), the rules that end the check at
//! once drawn from the question that completes them, and the ordered final
//! rules drawn from one "after the last question" node. Questions asked
//! together on one screen are drawn inside a box (a subgraph) named after
//! the screen. Outcomes are coloured by level.

use std::fmt::Write as _;

use super::level::Level;
use super::machine;
use super::model::{SymptomCheck, Target};

/// Renders the check as a Mermaid `flowchart TD`.
pub fn mermaid(check: &SymptomCheck) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "flowchart TD");
    let _ = writeln!(
        out,
        "  %% {} (version {}). Questions are asked top to bottom; a question \
         with \"only if\" is skipped when its condition does not hold.",
        escape(&check.title),
        escape(&check.version)
    );
    let _ = writeln!(out, "  start([Start]) --> q{}", check.start);
    question_nodes(&mut out, check);
    screen_boxes(&mut out, check);
    rule_arrows(&mut out, check);
    outcome_nodes(&mut out, check);
    for (level, colour) in [
        (Level::Emergency, "fill:#f8d0d0,stroke:#b00000"),
        (Level::Urgent, "fill:#fde2c8,stroke:#c05800"),
        (Level::Soon, "fill:#fff3c4,stroke:#a08000"),
        (Level::Routine, "fill:#d8e8fb,stroke:#2050a0"),
        (Level::SelfCare, "fill:#d8f3dc,stroke:#2d6a4f"),
    ] {
        let _ = writeln!(out, "  classDef {} {colour}", level.id());
    }
    out
}

/// Each question as a node (with its red flag and `ask_if`), and the
/// arrow to what comes after it.
fn question_nodes(out: &mut String, check: &SymptomCheck) {
    for (i, question) in check.questions.iter().enumerate() {
        let mut label = format!(
            "{}. {}<br/>{}",
            i + 1,
            question.id,
            short(&question.text, 80)
        );
        if let Some(level) = question.red_flag {
            let _ = write!(label, "<br/><b>red flag: {level}</b>");
        }
        if let Some(ask_if) = &question.ask_if {
            let _ = write!(label, "<br/><i>only if: {}</i>", short(&ask_if.text, 90));
        }
        let _ = writeln!(out, "  q{i}[\"{}\"]", escape(&label));
        match machine::next_of(check, i) {
            Target::Question(next) => {
                let _ = writeln!(out, "  q{i} --> q{next}");
            }
            Target::Outcome(o) => {
                let _ = writeln!(out, "  q{i} --> o{o}");
            }
            Target::Rules => {
                let _ = writeln!(out, "  q{i} --> rules");
            }
        }
    }
}

/// Questions asked together on one screen are drawn inside a box named
/// after it; its rules that end the check at once are checked after the
/// whole screen is answered.
fn screen_boxes(out: &mut String, check: &SymptomCheck) {
    for (i, screen) in check.screens.iter().enumerate() {
        let label = format!(
            "screen {}: {}<br/><i>asked together; pick all that apply</i>",
            screen.id,
            short(&screen.text, 70)
        );
        let _ = writeln!(out, "  subgraph s{i}[\"{}\"]", escape(&label));
        for q in &screen.items {
            let _ = writeln!(out, "    q{q}");
        }
        let _ = writeln!(out, "  end");
    }
}

/// The "after the last question" node and every rule as an arrow to its
/// outcome: from that node, or for a rule that ends the check at once,
/// from the last question its condition reads.
fn rule_arrows(out: &mut String, check: &SymptomCheck) {
    let _ = writeln!(
        out,
        "  rules{{\"After the last question:<br/>the first rule that holds\"}}"
    );
    for rule in &check.rules {
        let label = escape(&format!("{}: {}", rule.id, short(&rule.when.text, 70)));
        if rule.at_once {
            // Drawn from the last question its condition reads.
            let mut last = None;
            rule.when.expr.for_each_atom(&mut |q, _| {
                last = Some(last.map_or(q, |l: usize| l.max(q)));
            });
            let from = last.map_or_else(|| "start".to_owned(), |q| format!("q{q}"));
            let _ = writeln!(out, "  {from} -->|\"{label}\"| o{}", rule.outcome);
        } else {
            let _ = writeln!(out, "  rules -->|\"{label}\"| o{}", rule.outcome);
        }
    }
}

/// Each outcome as a node with its level, title and pattern, in its
/// level's class (colour).
fn outcome_nodes(out: &mut String, check: &SymptomCheck) {
    for (i, outcome) in check.outcomes.iter().enumerate() {
        let pattern = match outcome.pattern {
            super::model::PatternRef::Fixed(p) => check
                .patterns
                .get(p)
                .map_or("?".to_owned(), |p| p.id.clone()),
            super::model::PatternRef::Leading => "leading pattern".to_owned(),
        };
        let label = format!(
            "{}: {}<br/>{}<br/>pattern: {pattern}",
            outcome.level.id().to_uppercase(),
            outcome.id,
            short(&outcome.title, 60)
        );
        let _ = writeln!(
            out,
            "  o{i}([\"{}\"]):::{}",
            escape(&label),
            outcome.level.id()
        );
    }
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Makes text safe inside a quoted Mermaid label.
fn escape(text: &str) -> String {
    text.replace('"', "#quot;").replace('\n', " ")
}
