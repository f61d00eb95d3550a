//! How the benches grow the shipped FAQ to a realistic large size: each
//! real entry cloned, its question and alternates varied with everyday words
//! (who, when, how long), so that the clones share the real FAQ's vocabulary
//! and word frequencies (the expensive case for an index: every message
//! word is in thousands of entries) without being duplicates.

/// The everyday words added to the `k`-th clone: who, when, how long.
pub fn variation(k: usize) -> (&'static str, &'static str, &'static str) {
    const WHO: [&str; 7] = [
        "my dad",
        "my mum",
        "my wife",
        "my husband",
        "my grandad",
        "a runner",
        "i",
    ];
    const WHEN: [&str; 5] = [
        "after walking",
        "at night",
        "in the morning",
        "on the stairs",
        "after sitting",
    ];
    const EXTRA: [&str; 5] = [
        "for a week",
        "since christmas",
        "after surgery",
        "with diabetes",
        "at 70",
    ];
    (
        WHO[k % WHO.len()],
        WHEN[k % WHEN.len()],
        EXTRA[k % EXTRA.len()],
    )
}

/// The `k`-th clone's question, from the real one.
pub fn question(real: &str, k: usize) -> String {
    let (who, when, extra) = variation(k);
    let head = real.strip_suffix('?').unwrap_or(real);
    format!("{head} for {who} {when} {extra} ({k})?")
}

/// The `k`-th clone's version of one alternate.
pub fn alternate(real: &str, k: usize) -> String {
    let (_, when, extra) = variation(k);
    format!("{real} {when} {extra} {k}")
}
