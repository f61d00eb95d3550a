//! How easy a text is to read: the Flesch–Kincaid grade, computed here so
//! that `faqbot check` can report it for every answer and outcome.
//!
//! NHS content aims at a reading age of about 9 to 11 (grade 4 to 6). The
//! formula is the standard one, `0.39 × words/sentences + 11.8 ×
//! syllables/words − 15.59`, with these readings of chat-style text: markdown
//! (`**`, `- ` bullets) is dropped; every bullet and every line is a sentence
//! of its own, as are pieces ending in `.`, `!`, `?` or `:`; a `{placeholder}`
//! and a number count as one word of two syllables. Syllables are counted by
//! vowel groups with the usual corrections (a silent final "e", "-es" and
//! "-ed" after most consonants), which is close enough to a dictionary count
//! to rank texts and catch the hard ones.

/// A sentence longer than this many words is reported.
pub const LONG_SENTENCE_WORDS: usize = 25;

/// The reading of one text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reading {
    /// The Flesch–Kincaid grade (US school grade; reading age is about the
    /// grade plus 5).
    pub grade: f64,
    /// Sentences of more than [`LONG_SENTENCE_WORDS`] words.
    pub long_sentences: Vec<String>,
}

/// Reads `text`.
pub fn read(text: &str) -> Reading {
    let sentences = sentences(text);
    let n_words: usize = sentences.iter().map(Vec::len).sum();
    if n_words == 0 {
        return Reading {
            grade: 0.0,
            long_sentences: Vec::new(),
        };
    }
    let n_syllables: usize = sentences.iter().flatten().map(|word| syllables(word)).sum();
    let grade = 0.39 * n_words as f64 / sentences.len() as f64
        + 11.8 * n_syllables as f64 / n_words as f64
        - 15.59;
    let long_sentences = sentences
        .iter()
        .filter(|sentence| sentence.len() > LONG_SENTENCE_WORDS)
        .map(|sentence| sentence.join(" "))
        .collect();
    Reading {
        grade,
        long_sentences,
    }
}

/// The median of some grades (0 for none).
pub fn median(grades: &[f64]) -> f64 {
    let mut sorted = grades.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The text's sentences, each a list of words.
///
/// Not [`crate::text::split_sentences`], on purpose: this splits text
/// written for reading (a bullet and a `:` end a sentence; a stop ends one
/// only before a space, so "e.g." inside a line and "38.9" do not), where
/// that one splits chat messages for the matcher and the emergency screen.
/// Both keep "38.9" whole (a test holds them to it).
fn sentences(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for raw_line in text.lines() {
        let line = raw_line.replace("**", "");
        let line = line.trim_start();
        let line = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .unwrap_or(line);
        let mut piece = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            piece.push(c);
            let ends = matches!(c, '.' | '!' | '?' | ':')
                && chars.peek().is_none_or(|next| next.is_whitespace());
            if ends {
                push_sentence(&piece, &mut out);
                piece.clear();
            }
        }
        push_sentence(&piece, &mut out);
    }
    out
}

fn push_sentence(piece: &str, out: &mut Vec<Vec<String>>) {
    let words = words(piece);
    if !words.is_empty() {
        out.push(words);
    }
}

/// The words of a piece: runs of letters, digits and apostrophes; a
/// `{placeholder}` is one word.
fn words(piece: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_placeholder = false;
    for c in piece.chars() {
        if c == '{' {
            in_placeholder = true;
            continue;
        }
        if in_placeholder {
            if c == '}' {
                in_placeholder = false;
                out.push("placeholder".to_owned());
            }
            continue;
        }
        if c.is_alphanumeric() || c == '\'' || c == '\u{2019}' {
            current.push(c);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Syllables of one word, by vowel groups.
fn syllables(word: &str) -> usize {
    let word: String = word
        .trim_matches(['\'', '\u{2019}'])
        .to_lowercase()
        .chars()
        .collect();
    if word.is_empty() {
        return 0;
    }
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 2;
    }
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut groups = 0;
    let mut previous = false;
    for c in word.chars() {
        let vowel = is_vowel(c);
        if vowel && !previous {
            groups += 1;
        }
        previous = vowel;
    }
    let letters: Vec<char> = word.chars().collect();
    let third_last = letters.len().checked_sub(3).and_then(|i| letters.get(i));
    if groups > 1 {
        let consonant_before = third_last.is_some_and(|c| !is_vowel(*c));
        let silent_e = word.ends_with('e') && !(word.ends_with("le") && consonant_before);
        let silent_es_ed = (word.ends_with("es") || word.ends_with("ed"))
            && letters.len() > 3
            && consonant_before
            && !third_last.is_some_and(|c| matches!(c, 't' | 'd'))
            && !word.ends_with("ies");
        if silent_e || silent_es_ed {
            groups -= 1;
        }
    }
    groups.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_are_counted_by_vowel_groups() {
        for (word, expected) in [
            ("cat", 1),
            ("walking", 2),
            ("make", 1),
            ("table", 2),
            ("wanted", 2),
            ("jumped", 1),
            ("circulation", 4),
            ("emergency", 4),
            ("38", 2),
        ] {
            assert_eq!(syllables(word), expected, "{word}");
        }
    }

    #[test]
    fn plain_text_reads_easier_than_dense_text() {
        let plain = read("Rest your leg. Walk a bit more each day. See a GP if it gets worse.");
        let dense = read(
            "Intermittent claudication, characterised by reproducible exertional discomfort, \
             necessitates comprehensive cardiovascular risk stratification.",
        );
        assert!(plain.grade < 4.0, "{}", plain.grade);
        assert!(dense.grade > 12.0, "{}", dense.grade);
    }

    #[test]
    fn bullets_and_lines_are_sentences_and_long_ones_are_listed() {
        let text =
            "**Signs:**\n- a cold foot\n- a pale foot\n\n".to_owned() + &"word ".repeat(30) + ".";
        let reading = read(&text);
        assert_eq!(reading.long_sentences.len(), 1);
        assert_eq!(sentences(&text).len(), 4);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0]), 1.5);
    }

    #[test]
    fn the_formula_is_flesch_kincaid() {
        // 2 sentences, 10 words, 13 syllables ("moderate" has 3).
        let reading = read("Walk until the pain is moderate. Then stop and rest.");
        let expected = 0.39 * 10.0 / 2.0 + 11.8 * 13.0 / 10.0 - 15.59;
        assert!((reading.grade - expected).abs() < 1e-9, "{}", reading.grade);
    }

    #[test]
    fn a_decimal_does_not_end_a_sentence_in_either_splitter() {
        let text = "He had a fever of 38.9 today. Then it went down.";
        assert_eq!(sentences(text).len(), 2);
        let chat = crate::text::sentences(text);
        assert_eq!(
            chat,
            vec!["He had a fever of 38.9 today", "Then it went down"]
        );
        assert_eq!(sentences("a fever of 38.9 today").len(), 1);
        assert_eq!(crate::text::sentences("a fever of 38.9 today").len(), 1);
    }
}
