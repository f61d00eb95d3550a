//! Prints each word read from stdin (one per line) with its stem by the
//! matcher's stemmer (rust-stemmers, Snowball English): `word<TAB>stem`.
//! Used by `scripts/common-words` to write `src/faq/common_words.txt`.

use std::io::{BufRead, Write};

use rust_stemmers::{Algorithm, Stemmer};

fn main() {
    let stemmer = Stemmer::create(Algorithm::English);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(word) = line else { break };
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        if writeln!(out, "{word}\t{}", stemmer.stem(word)).is_err() {
            break;
        }
    }
}
