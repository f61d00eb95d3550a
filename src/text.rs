//! Text clean-up shared by the emergency screen and the FAQ matcher.
//!
//! Chat messages arrive with Discord markup, mentions, links, code, emoji,
//! accents, "zalgo" combining marks and curly apostrophes. [`clean`] turns any
//! of that into plain lower-case words separated by single spaces, and
//! [`words`] splits the result. Both are total functions: any input, however
//! odd, gives a (possibly empty) result and never panics.
//!
//! The input is cut at [`MAX_INPUT_CHARS`] characters first, so the cost of
//! one message is bounded whatever a person pastes.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// At most this many characters of a message are looked at. Discord's own
/// limit is 4,000 characters for a message, so real messages are never cut.
pub const MAX_INPUT_CHARS: usize = 8_000;

/// English words with no topic in them, written as [`clean`] writes them
/// (no apostrophes): function words, question framing and chat greetings.
/// The matcher drops them and more ([`crate::faq::matcher`]'s chat filler);
/// the gaps report drops them and more (its question framing). One list, so
/// the two never disagree on the common words.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "after", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "does", "doing", "for", "from", "get", "got", "had", "has",
    "have", "having", "he", "her", "his", "how", "i", "if", "im", "in", "into", "is", "it", "its",
    "ive", "just", "me", "my", "of", "on", "or", "our", "she", "should", "so", "some", "than",
    "that", "the", "their", "them", "then", "there", "they", "this", "to", "too", "very", "was",
    "we", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with", "would",
    "you", "your", "ok", "okay", "good", "really", "still", "also", "like", "know", "anyone",
    "thing", "things", "lot", "much", "way", "yes", "dont", "cant", "please", "thanks", "thank",
    "hi", "hello", "hey", "asking", "question",
];

/// Cleans a chat message into lower-case words separated by single spaces.
///
/// Removes code blocks and inline code, URLs, Discord mentions
/// (`<@123>`, `<@&123>`, `<#123>`, `@everyone`, `@here`), custom emoji
/// (`<:name:123>`), markdown punctuation, emoji and every other symbol;
/// folds compatibility characters (NFKD), strips accents and combining marks,
/// and joins apostrophes into their word ("can't" becomes "cant").
pub fn clean(message: &str) -> String {
    let bounded = bounded(message);
    if !has_markup(bounded) {
        // No code, entity, mention or link: removing them would only
        // normalise the spacing, and every space is a break here anyway.
        return clean_plain(bounded);
    }
    let without_code = strip_code(bounded);
    let without_markup = strip_tokens(&without_code);
    clean_plain(&without_markup)
}

/// The first [`MAX_INPUT_CHARS`] characters of `message`.
fn bounded(message: &str) -> &str {
    // No more bytes than the limit: no more characters either.
    if message.len() <= MAX_INPUT_CHARS {
        return message;
    }
    match message.char_indices().nth(MAX_INPUT_CHARS) {
        Some((end, _)) => &message[..end],
        None => message,
    }
}

/// The character-level half of [`clean`], for text whose code, links and
/// mentions are gone already (the output of [`without_markup`]).
///
/// Invisible format characters (soft hyphens, zero-width spaces and joiners,
/// direction marks, variation selectors) are removed without a trace, so
/// "ch\u{AD}est" reads "chest". Compatibility decomposition (NFKD) is done
/// character by character: the combining marks whose order full NFKD would
/// settle are dropped anyway, so the result is the same, and ASCII, which has
/// no decomposition, skips the Unicode tables altogether. Look-alike letters
/// of other scripts (Cyrillic "с", Greek "ο") are folded into the Latin
/// letters they imitate, within a word that has Latin letters or is made
/// only of look-alikes ([`fold_confusables`]).
pub fn clean_plain(text: &str) -> String {
    if text.is_ascii() {
        return clean_ascii(text);
    }
    let mut letters: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            letters.push(c);
        } else if !is_default_ignorable(c) {
            decompose_compatible(c, |d| letters.push(d));
        }
    }
    fold_confusables(&mut letters);
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in letters {
        if is_apostrophe(c) || (!c.is_ascii() && is_combining_mark(c)) || is_default_ignorable(c) {
            // "don't" -> "dont"; a lone quote is dropped.
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// [`clean_plain`] for ASCII text.
fn clean_ascii(text: &str) -> String {
    clean_ascii_dropping(text, b"'`")
}

/// An ASCII `text` lower-cased, its words (runs of letters and digits) joined
/// by single spaces, the bytes of `dropped` removed first ("can't" is
/// "cant"). Shared by the readers that clean ASCII text byte by byte.
pub fn clean_ascii_dropping(text: &str, dropped: &[u8]) -> String {
    debug_assert!(!dropped.iter().any(u8::is_ascii_alphanumeric));
    // Bytes, not chars: every byte written is ASCII. The output is never
    // longer than the input (a space is only written before a letter or
    // digit that follows a byte that wrote nothing), so it is written into
    // a buffer of the input's length and cut to size.
    let mut out = vec![0u8; text.len()];
    let mut written = 0;
    let mut pending_space = false;
    for &byte in text.as_bytes() {
        let lower = ALNUM_LOWER[usize::from(byte)];
        if lower != 0 {
            if pending_space && written > 0 {
                if let Some(slot) = out.get_mut(written) {
                    *slot = b' ';
                }
                written += 1;
            }
            pending_space = false;
            if let Some(slot) = out.get_mut(written) {
                *slot = lower;
            }
            written += 1;
        } else if !dropped.contains(&byte) {
            pending_space = true;
        }
    }
    out.truncate(written);
    String::from_utf8(out).unwrap_or_default()
}

/// Per byte: the lower-case form of an ASCII letter or digit, else 0.
static ALNUM_LOWER: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            table[byte] = b.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// Whether `c` is a default-ignorable code point (Unicode's
/// `Default_Ignorable_Code_Point`): invisible, and removed before reading.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// The ASCII letter a non-Latin look-alike imitates (its UTS #39 skeleton),
/// if it is one letter.
fn latin_look_alike(c: char) -> Option<char> {
    if c.is_ascii() || !c.is_alphabetic() {
        return None;
    }
    let mut buffer = [0u8; 4];
    let mut skeleton = unicode_security::skeleton(c.encode_utf8(&mut buffer));
    let first = skeleton.next()?;
    (skeleton.next().is_none() && first.is_ascii_alphabetic()).then_some(first)
}

/// Folds look-alike letters into Latin ones, word by word: in a word that has
/// a Latin letter ("сhest" with a Cyrillic "с"), or whose letters are all
/// look-alikes ("сһеѕт"). Words of another script ("боль") stay as they are.
fn fold_confusables(letters: &mut [char]) {
    let mut start = 0;
    while start < letters.len() {
        let Some(word_start) = letters
            .get(start..)
            .and_then(|rest| rest.iter().position(|c| c.is_alphanumeric()))
            .map(|offset| start + offset)
        else {
            break;
        };
        let word_end = letters
            .get(word_start..)
            .and_then(|rest| {
                rest.iter()
                    .position(|c| !c.is_alphanumeric() && !is_combining_mark(*c))
            })
            .map_or(letters.len(), |offset| word_start + offset);
        let word = letters.get(word_start..word_end).unwrap_or_default();
        let has_latin = word.iter().any(char::is_ascii_alphabetic);
        let foreign: Vec<Option<char>> = word
            .iter()
            .map(|c| {
                if c.is_ascii() || is_combining_mark(*c) {
                    None
                } else {
                    latin_look_alike(*c)
                }
            })
            .collect();
        let all_look_alike = word
            .iter()
            .zip(&foreign)
            .all(|(c, folded)| c.is_ascii() || is_combining_mark(*c) || folded.is_some());
        if (has_latin || all_look_alike) && foreign.iter().any(Option::is_some) {
            for (slot, folded) in letters
                .get_mut(word_start..word_end)
                .unwrap_or_default()
                .iter_mut()
                .zip(foreign)
            {
                if let Some(latin) = folded {
                    *slot = latin;
                }
            }
        }
        start = word_end.max(word_start + 1);
    }
}

/// Splits a cleaned message into words. Equivalent to `clean(message)` split
/// on spaces.
pub fn words(message: &str) -> Vec<String> {
    split_words(&clean(message))
}

/// Splits text from [`without_markup`] into words: [`words`] without
/// removing code, links and mentions a second time.
pub fn plain_words(text: &str) -> Vec<String> {
    split_words(&clean_plain(text))
}

fn split_words(cleaned: &str) -> Vec<String> {
    cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The clauses of a sentence: the pieces between `,` `:` `(` `)` `[` `]`
/// `–` `—`, as `str::split` with those characters gives them (empty pieces
/// included), found byte by byte.
pub fn split_clauses(sentence: &str) -> Vec<&str> {
    let bytes = sentence.as_bytes();
    let mut clauses = Vec::with_capacity(4);
    let mut start = 0;
    let mut from = 0;
    while let Some(at) = next_marked(bytes, from, &CLAUSE_BYTES) {
        let width = match bytes.get(at) {
            // "–" (U+2013) and "—" (U+2014); another character starting
            // with 0xE2 is no break.
            Some(0xE2) if matches!(bytes.get(at + 1..at + 3), Some([0x80, 0x93 | 0x94])) => 3,
            Some(0xE2) => {
                from = at + 1;
                continue;
            }
            _ => 1,
        };
        clauses.push(sentence.get(start..at).unwrap_or(""));
        from = at + width;
        start = from;
    }
    clauses.push(sentence.get(start..).unwrap_or(""));
    clauses
}

/// The first byte at or after `from` that `table` marks.
#[inline]
fn next_marked(bytes: &[u8], from: usize, table: &[bool; 256]) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&byte| table[usize::from(byte)])
        .map(|offset| from + offset)
}

/// A table of the bytes in `marked`.
const fn byte_table(marked: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < marked.len() {
        table[marked[i] as usize] = true;
        i += 1;
    }
    table
}

/// The bytes that may end a clause: `,` `:` `(` `)` `[` `]`, and the first
/// byte of "–" and "—".
static CLAUSE_BYTES: [bool; 256] = byte_table(b",:()[]\xE2");

/// The bytes that may end a sentence: `.` `?` `!` `;`, a new line, and the
/// first byte of "…".
static SENTENCE_BYTES: [bool; 256] = byte_table(b".?!;\n\xE2");

/// The words of a cleaned text ([`clean`], [`clean_plain`]: words joined by
/// single spaces), as `split(' ')` without empty pieces gives them.
pub fn words_of(cleaned: &str) -> Vec<&str> {
    let mut words = Vec::with_capacity(cleaned.len() / 4 + 1);
    let mut start = 0;
    for (at, byte) in cleaned.bytes().enumerate() {
        if byte == b' ' {
            if start < at {
                words.push(cleaned.get(start..at).unwrap_or(""));
            }
            start = at + 1;
        }
    }
    if start < cleaned.len() {
        words.push(cleaned.get(start..).unwrap_or(""));
    }
    words
}

/// Whether text from [`without_markup`] has a letter that [`clean`] keeps:
/// `clean(message)` has a letter exactly when
/// `has_letters(&without_markup(message))` (a property test holds them
/// together). ASCII text is read byte by byte.
pub fn has_letters(readable: &str) -> bool {
    // An ASCII letter stays a letter; only text without one needs reading.
    readable.bytes().any(|byte| byte.is_ascii_alphabetic())
        || (!readable.is_ascii() && clean_plain(readable).chars().any(char::is_alphabetic))
}

/// Removes code, URLs, mentions and Discord entities but keeps punctuation
/// and line breaks, so the result can still be split into sentences.
pub fn without_markup(message: &str) -> String {
    let message = bounded(message);
    if !has_markup(message) {
        // Nothing to strip (most messages): only the spacing is normalised,
        // exactly as `strip_tokens` does, without its per-word checks.
        let mut out = String::with_capacity(message.len() + 8);
        for (index, line) in message.lines().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            if line.is_ascii() {
                // Most lines are words between single spaces: copied whole
                // (each search below is a fast scan of the line).
                let simple = !line.starts_with(' ')
                    && !line.contains("  ")
                    && !line
                        .bytes()
                        .any(|byte| matches!(byte, b'\t' | b'\r' | b'\x0B' | b'\x0C'));
                if simple {
                    out.push_str(line);
                    if !line.is_empty() && !line.ends_with(' ') {
                        out.push(' ');
                    }
                    continue;
                }
                // Otherwise the same words as `split_whitespace` (which also
                // splits at a vertical tab or form feed), each followed by
                // one space, copied a word at a time.
                for token in line
                    .split([' ', '\t', '\n', '\x0B', '\x0C', '\r'])
                    .filter(|token| !token.is_empty())
                {
                    out.push_str(token);
                    out.push(' ');
                }
                continue;
            }
            for token in line.split_whitespace() {
                out.push_str(token);
                out.push(' ');
            }
        }
        return out;
    }
    strip_markup(message)
}

/// The general path of [`without_markup`].
fn strip_markup(message: &str) -> String {
    strip_code(message)
        .lines()
        .map(strip_tokens)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `text` may hold code, a Discord entity, a mention or a link: a
/// backtick, `<`, `@`, `://` or `www.` (any case). Without any of them,
/// [`without_markup`] only normalises spacing.
fn has_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Each a fast search of its own (memchr), rather than a test per byte.
    bytes.contains(&b'`')
        || bytes.contains(&b'<')
        || bytes.contains(&b'@')
        || text.contains("://")
        || text.match_indices('.').any(|(dot, _)| {
            dot.checked_sub(3)
                .and_then(|start| bytes.get(start..dot))
                .is_some_and(|www| www.eq_ignore_ascii_case(b"www"))
        })
}

/// One sentence of a raw message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// The raw text, without its final punctuation, trimmed.
    pub text: &'a str,
    /// Whether it ended with a question mark.
    pub question: bool,
}

/// Splits raw text into sentences at `.`, `?`, `!`, `;`, `…` and new lines,
/// remembering which ended with a question mark. A full stop between two
/// digits ("38.9") does not end a sentence. The one sentence splitter of
/// faqbot: the matcher and the emergency screen both use it.
pub fn split_sentences(text: &str) -> Vec<Sentence<'_>> {
    let text = bounded(text);
    let bytes = text.as_bytes();
    let mut sentences: Vec<Sentence<'_>> = Vec::new();
    let mut start = 0;
    // Byte by byte: every stop but "…" is one ASCII byte, and a digit next
    // to a stop is one ASCII byte too, so this reads as character by
    // character does.
    let mut from = 0;
    while let Some(offset) = next_marked(bytes, from, &SENTENCE_BYTES) {
        from = offset + 1;
        let byte = bytes.get(offset).copied().unwrap_or(0);
        let width = match byte {
            0xE2 if bytes.get(offset + 1..offset + 3) == Some(&[0x80, 0xA6]) => 3,
            0xE2 => continue,
            _ => 1,
        };
        let decimal = byte == b'.'
            && offset
                .checked_sub(1)
                .and_then(|before| bytes.get(before))
                .is_some_and(u8::is_ascii_digit)
            && bytes.get(offset + 1).is_some_and(u8::is_ascii_digit);
        if decimal {
            continue;
        }
        let piece = text.get(start..offset).unwrap_or("").trim();
        if piece.is_empty() {
            if byte == b'?'
                && let Some(last) = sentences.last_mut()
            {
                last.question = true;
            }
        } else {
            sentences.push(Sentence {
                text: piece,
                question: byte == b'?',
            });
        }
        start = offset + width;
    }
    let rest = text.get(start..).unwrap_or("").trim();
    if !rest.is_empty() {
        sentences.push(Sentence {
            text: rest,
            question: false,
        });
    }
    sentences
}

/// The texts of [`split_sentences`], so that a question buried in a long
/// chatty message can be looked at on its own. Pieces are raw text; clean
/// them with [`clean`].
pub fn sentences(message: &str) -> Vec<&str> {
    split_sentences(message)
        .into_iter()
        .map(|sentence| sentence.text)
        .collect()
}

/// The number a word starts with ("39", "38c", "102f"), up to three digits.
pub fn leading_number(word: &str) -> Option<u32> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    word.get(..digits)?.parse().ok()
}

/// Whether a temperature reading is a fever: 38 to 45 (°C) or 100 to 110
/// (°F).
pub fn is_fever_reading(value: u32) -> bool {
    (38..=45).contains(&value) || (100..=110).contains(&value)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`')
}

/// Removes fenced code blocks (```…```) and inline code (`…`). An unclosed
/// fence removes the rest of the message, as Discord would show it as code.
fn strip_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let after = &rest[start..];
        let fence = if after.starts_with("```") {
            "```"
        } else if after.starts_with("``") {
            "``"
        } else {
            "`"
        };
        let body = &after[fence.len()..];
        match body.find(fence) {
            Some(end) => rest = &body[end + fence.len()..],
            None => {
                if fence == "```" {
                    rest = "";
                } else {
                    // A lone backtick is just punctuation.
                    rest = body;
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes whitespace-separated tokens that are URLs, mentions or custom emoji,
/// and `<…>` Discord entities wherever they occur.
fn strip_tokens(text: &str) -> String {
    let without_entities = strip_angle_entities(text);
    let mut out = String::with_capacity(without_entities.len());
    for token in without_entities.split_whitespace() {
        let trimmed = token.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '@');
        let starts = |prefix: &str| {
            trimmed
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        let is_url =
            starts("http://") || starts("https://") || starts("www.") || trimmed.contains("://");
        let is_mention = starts("@everyone") || starts("@here");
        if is_url || is_mention {
            // Keep the sentence end a link or mention was written against.
            if let Some(end) = token
                .chars()
                .last()
                .filter(|c| matches!(c, '.' | '?' | '!' | ';'))
            {
                out.push(end);
            }
            out.push(' ');
            continue;
        }
        out.push_str(token);
        out.push(' ');
    }
    out
}

/// Removes `<@123>`, `<@!123>`, `<@&123>`, `<#123>`, `<:name:123>`,
/// `<a:name:123>`, `<t:123:R>` and `</command:123>` entities.
fn strip_angle_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) if is_discord_entity(&after[..end]) => {
                out.push(' ');
                rest = &after[end + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_discord_entity(inner: &str) -> bool {
    let body = inner
        .strip_prefix("@!")
        .or_else(|| inner.strip_prefix("@&"))
        .or_else(|| inner.strip_prefix('@'))
        .or_else(|| inner.strip_prefix('#'));
    if let Some(id) = body {
        return !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    }
    // Custom emoji, timestamps and slash-command mentions end in a numeric id
    // or a short format after a colon, with no spaces inside.
    let looks_like = inner.starts_with(':')
        || inner.starts_with("a:")
        || inner.starts_with("t:")
        || inner.starts_with('/');
    looks_like && inner.contains(':') && !inner.contains(char::is_whitespace) && inner.len() < 120
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text made of the bytes the fast paths treat differently: letters of
    /// both cases, digits, every kind of space, quotes, dots, stops, the
    /// markers of markup, and a few non-ASCII characters.
    fn tricky_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                "a", "B", "z", "7", " ", " ", "  ", "\t", "\r", "\n", "\r\n", "\u{0B}", "\u{0C}",
                "'", "`", "```", ".", "www", "://", "http", "<@1>", "<", ">", "@", "here",
                "\u{AD}", "\u{200B}", ",", "?", "é", "\u{a0}", "\u{2019}", "–", "—", "…", "‒", "€",
                ";", "!", ":", "(", "]", "3.9",
            ]),
            0..40,
        )
        .prop_map(|pieces| pieces.concat())
    }

    /// [`clean_ascii_dropping`] as it was first written, char by char.
    fn clean_ascii_by_chars(text: &str, dropped: &[u8]) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c.to_ascii_lowercase());
            } else if !u8::try_from(c).is_ok_and(|b| dropped.contains(&b)) {
                pending_space = true;
            }
        }
        out
    }

    proptest! {
        #[test]
        fn the_fast_paths_read_like_the_general_ones(text in tricky_text()) {
            prop_assert_eq!(without_markup(&text), strip_markup(&text));
            prop_assert_eq!(
                clean(&text),
                clean_plain(&strip_tokens(&strip_code(&text)))
            );
            prop_assert_eq!(clean(&text), clean_plain(&without_markup(&text)));
            prop_assert_eq!(
                has_letters(&without_markup(&text)),
                clean(&text).chars().any(char::is_alphabetic)
            );
            prop_assert_eq!(split_sentences(&text), split_sentences_by_chars(&text));
            let clauses: Vec<&str> = text
                .split([',', ':', '(', ')', '[', ']', '–', '—'])
                .collect();
            prop_assert_eq!(split_clauses(&text), clauses);
            let ascii: String = text.chars().filter(char::is_ascii).collect();
            for dropped in [&b"'`"[..], &b"'"[..]] {
                prop_assert_eq!(
                    clean_ascii_dropping(&ascii, dropped),
                    clean_ascii_by_chars(&ascii, dropped)
                );
            }
        }
    }

    #[test]
    fn lowercases_and_drops_punctuation() {
        assert_eq!(clean("What is PAD?!"), "what is pad");
    }

    #[test]
    fn joins_apostrophes() {
        assert_eq!(clean("I can’t walk, don't know"), "i cant walk dont know");
    }

    #[test]
    fn strips_mentions_urls_code_and_emoji() {
        let message = "<@123456> @everyone hey <@&42> <#77> see https://x.y/z \
                       `code here` ```rust\nfn main(){}``` my calf 😭 <:sad:1234> hurts";
        assert_eq!(clean(message), "hey see my calf hurts");
    }

    #[test]
    fn strips_accents_and_zalgo() {
        assert_eq!(clean("ça̷̛͎ͅlf pâin"), "calf pain");
    }

    #[test]
    fn keeps_other_scripts_as_words() {
        assert_eq!(clean("боль в ноге"), "боль в ноге");
    }

    #[test]
    fn empty_and_symbol_only_inputs_give_empty_text() {
        assert_eq!(clean(""), "");
        assert_eq!(clean("   \n\t "), "");
        assert_eq!(clean("🦵😩🚶‍♂️"), "");
        assert_eq!(clean("```unclosed code"), "");
    }

    #[test]
    fn angle_brackets_that_are_not_entities_stay_text() {
        assert_eq!(clean("pain <10 minutes> after"), "pain 10 minutes after");
    }

    #[test]
    fn the_fast_path_of_without_markup_reads_like_the_general_one() {
        for message in [
            "",
            "   ",
            "plain words only",
            "  two  spaces\tand a tab  ",
            "line one\r\nline two\n\n  line four  \n",
            "no\u{a0}break and\u{2003}em space, 38.9 degrees!",
            "ends with a colon: and a slash / here",
            "w ww wwwx www",
            "www. and wWw.x and .www and ww.",
            "a.b.c... and ..",
            "visit WWW.example.com now",
            "see https://example.com/chest-pain.",
            "hi <@123456789012345678> and `code` and @everyone",
            "a < b and c > d",
            "a:/b and c//d",
            "vertical\u{0B}tab and form\u{0C}feed\r",
            "ünïcode  words\u{2028}here",
        ] {
            assert_eq!(
                without_markup(message),
                strip_markup(message),
                "{message:?}"
            );
        }
        assert!(!has_markup("ends with a colon: and a slash / here"));
        assert!(has_markup("visit WWW.example.com now"));
        assert!(has_markup("x://"));
    }

    #[test]
    fn sentences_split_on_stops_and_lines() {
        assert_eq!(
            sentences("hi all. what is PAD? thanks!\nbye"),
            vec!["hi all", "what is PAD", "thanks", "bye"]
        );
    }

    /// The character-by-character splitter that the byte loop replaced,
    /// kept as the reference.
    fn split_sentences_by_chars(text: &str) -> Vec<Sentence<'_>> {
        let mut sentences: Vec<Sentence<'_>> = Vec::new();
        let mut start = 0;
        let mut previous: Option<char> = None;
        let mut chars = text.char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            let next = chars.peek().map(|&(_, next)| next);
            let decimal = c == '.'
                && previous.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit());
            if matches!(c, '.' | '?' | '!' | ';' | '\n' | '…') && !decimal {
                let piece = text.get(start..offset).unwrap_or("").trim();
                if piece.is_empty() {
                    if c == '?'
                        && let Some(last) = sentences.last_mut()
                    {
                        last.question = true;
                    }
                } else {
                    sentences.push(Sentence {
                        text: piece,
                        question: c == '?',
                    });
                }
                start = offset + c.len_utf8();
            }
            previous = Some(c);
        }
        let rest = text.get(start..).unwrap_or("").trim();
        if !rest.is_empty() {
            sentences.push(Sentence {
                text: rest,
                question: false,
            });
        }
        sentences
    }

    #[test]
    fn clauses_split_like_str_split() {
        for sentence in [
            "",
            ",",
            "a, b: c (d) [e] f – g — h",
            "no stops here",
            "ends with a comma,",
            "dash‒not‐a‑stop – yes",
            "é, ü: 日本 (語)",
        ] {
            let expected: Vec<&str> = sentence
                .split([',', ':', '(', ')', '[', ']', '–', '—'])
                .collect();
            assert_eq!(split_clauses(sentence), expected, "{sentence:?}");
        }
    }

    #[test]
    fn words_of_splits_like_split_on_spaces() {
        for cleaned in ["", " ", "a", "a b", " a  b ", "chest pain now", "é ü"] {
            let expected: Vec<&str> = cleaned.split(' ').filter(|w| !w.is_empty()).collect();
            assert_eq!(words_of(cleaned), expected, "{cleaned:?}");
        }
    }

    #[test]
    fn the_byte_splitter_reads_like_the_character_splitter() {
        for text in [
            "",
            "...",
            "a temperature of 38.9. then 39.5?",
            "é.5 and 5.é and ٣.٣ and 3.٣",
            "wait… what?? ok!!; fine\nnext\r\nline",
            "…?…",
            "ends with a stop.",
            "3.",
            ".3",
            "chest pain?  ? is it bad",
            "日本語。ok. ü? ß;",
            "\u{2026}\u{2026}x",
        ] {
            assert_eq!(
                split_sentences(text),
                split_sentences_by_chars(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn without_markup_keeps_sentences_but_not_links_or_code() {
        let cleaned = without_markup("see https://x.org/sciatica. ok?\n`sciatica` <@1> hi");
        assert_eq!(sentences(&cleaned), vec!["see", "ok", "hi"]);
    }

    /// The whole-string NFKD that `clean_plain` replaced with a per-character
    /// decomposition, kept here as the reference.
    fn clean_plain_by_full_nfkd(text: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let mut out = String::new();
        let mut pending_space = false;
        for c in text.nfkd() {
            if is_combining_mark(c) || is_apostrophe(c) {
                continue;
            }
            if c.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(c.to_lowercase());
            } else {
                pending_space = true;
            }
        }
        out
    }

    #[test]
    fn per_character_decomposition_matches_full_nfkd() {
        for text in [
            "What is PAD?! Calf PAIN, can't walk",
            "ça̷̛͎ͅlf pâin naïve café Ångström",
            "ﬁne ﬂat ① ² ㎏ ｆｕｌｌｗｉｄｔｈ",
            "한국어 日本語 боль в ноге مرحبا שלום",
            "İstanbul ǅ ß ﬀ Ⅻ",
            "e\u{301}\u{323}q\u{307}\u{323} zalgo: c̸̢̛a̴͎l̷f̶",
            "🦵😩🚶‍♂️ emoji only ✨",
        ] {
            assert_eq!(clean_plain(text), clean_plain_by_full_nfkd(text), "{text}");
        }
    }

    #[test]
    fn invisible_characters_vanish_and_look_alikes_fold() {
        assert_eq!(clean("ch\u{AD}est pa\u{200B}in"), "chest pain");
        assert_eq!(
            clean("\u{200E}my leg\u{200F} went cold\u{FEFF}"),
            "my leg went cold"
        );
        // Cyrillic "с" and "е" inside a Latin word, and a word of look-alikes only.
        assert_eq!(clean("\u{0441}hest p\u{0430}in"), "chest pain");
        assert_eq!(clean("\u{0441}\u{04bb}\u{0435}\u{0455}t"), "chest");
        // A word of another script stays.
        assert_eq!(clean("боль в ноге"), "боль в ноге");
    }

    #[test]
    fn sentences_keep_decimals_and_remember_questions() {
        let split = split_sentences("Temp is 38.9. Is that bad?? help");
        let texts: Vec<&str> = split.iter().map(|s| s.text).collect();
        assert_eq!(texts, vec!["Temp is 38.9", "Is that bad", "help"]);
        assert_eq!(
            split.iter().map(|s| s.question).collect::<Vec<_>>(),
            vec![false, true, false]
        );
        assert!(split_sentences("").is_empty());
        assert!(split_sentences("...?!").is_empty());
    }

    #[test]
    fn numbers_are_read_from_the_start_of_a_word() {
        assert_eq!(leading_number("39"), Some(39));
        assert_eq!(leading_number("102f"), Some(102));
        assert_eq!(leading_number("38c"), Some(38));
        assert_eq!(leading_number("10000"), None);
        assert_eq!(leading_number("calf"), None);
        assert!(is_fever_reading(38) && is_fever_reading(102));
        assert!(!is_fever_reading(37) && !is_fever_reading(35) && !is_fever_reading(99));
    }

    #[test]
    fn huge_input_is_bounded() {
        let huge = "calf ".repeat(10_000);
        assert!(clean(&huge).len() <= MAX_INPUT_CHARS);
    }
}
