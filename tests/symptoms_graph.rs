//! `faqbot symptoms --graph`: the whole decision tree as a Mermaid flowchart.

#[path = "symptoms_support.rs"]
mod support;

use faqbot::symptoms::graph;

#[test]
fn the_flowchart_shows_every_question_rule_and_outcome() {
    let check = support::real_check();
    let chart = graph::mermaid(&check);
    assert!(chart.starts_with("flowchart TD\n"));
    for question in &check.questions {
        assert!(chart.contains(&question.id), "{} missing", question.id);
    }
    for outcome in &check.outcomes {
        assert!(chart.contains(&outcome.id), "{} missing", outcome.id);
    }
    for rule in &check.rules {
        assert!(
            chart.contains(&format!("\"{}: ", rule.id)),
            "rule {} missing",
            rule.id
        );
    }
    for line in chart.lines() {
        assert_eq!(
            line.matches('"').count() % 2,
            0,
            "unbalanced quotes: {line}"
        );
    }
    // Each screen is a box holding its items, closed before the next.
    assert!(!check.screens.is_empty());
    for (i, screen) in check.screens.iter().enumerate() {
        let open = format!("  subgraph s{i}[\"screen {}: ", screen.id);
        let start = chart
            .find(&open)
            .unwrap_or_else(|| panic!("no box for {}", screen.id));
        let body = &chart[start..];
        let end = body.find("\n  end\n").expect("the box is closed");
        let inside: Vec<&str> = body[..end].lines().skip(1).map(str::trim).collect();
        let expected: Vec<String> = screen.items.iter().map(|q| format!("q{q}")).collect();
        assert_eq!(inside, expected, "{}", screen.id);
    }
    for level in ["emergency", "urgent", "soon", "routine", "self_care"] {
        assert!(
            chart.contains(&format!("classDef {level} ")),
            "{level} has no style"
        );
    }
}
