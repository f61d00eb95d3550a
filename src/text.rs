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

/// Cleans a chat message into lower-case words separated by single spaces.
///
/// Removes code blocks and inline code, URLs, Discord mentions
/// (`<@123>`, `<@&123>`, `<#123>`, `@everyone`, `@here`), custom emoji
/// (`<:name:123>`), markdown punctuation, emoji and every other symbol;
/// folds compatibility characters (NFKD), strips accents and combining marks,
/// and joins apostrophes into their word ("can't" becomes "cant").
pub fn clean(message: &str) -> String {
    let bounded = bounded(message);
    let without_code = strip_code(bounded);
    let without_markup = strip_tokens(&without_code);
    clean_plain(&without_markup)
}

/// The first [`MAX_INPUT_CHARS`] characters of `message`.
fn bounded(message: &str) -> &str {
    match message.char_indices().nth(MAX_INPUT_CHARS) {
        Some((end, _)) => &message[..end],
        None => message,
    }
}

/// The character-level half of [`clean`], for text whose code, links and
/// mentions are gone already (the output of [`without_markup`]).
///
/// Compatibility decomposition (NFKD) is done character by character: the
/// combining marks whose order full NFKD would settle are dropped anyway,
/// so the result is the same, and ASCII, which has no decomposition, skips
/// the Unicode tables altogether.
pub fn clean_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if is_apostrophe(c) || (!c.is_ascii() && is_combining_mark(c)) {
            // "don't" -> "dont"; a lone quote is dropped.
            return;
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
    };
    for c in text.chars() {
        if c.is_ascii() {
            push(c, &mut out);
        } else {
            decompose_compatible(c, |d| push(d, &mut out));
        }
    }
    out
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

/// Removes code, URLs, mentions and Discord entities but keeps punctuation
/// and line breaks, so the result can still be split into sentences.
pub fn without_markup(message: &str) -> String {
    strip_code(bounded(message))
        .lines()
        .map(strip_tokens)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits a raw message into sentences or clauses (on `.`, `?`, `!`, `;`,
/// new lines), so that a question buried in a long chatty message can be
/// looked at on its own. Pieces are raw text; clean them with [`clean`].
pub fn sentences(message: &str) -> Vec<&str> {
    bounded(message)
        .split(['.', '?', '!', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
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
    fn sentences_split_on_stops_and_lines() {
        assert_eq!(
            sentences("hi all. what is PAD? thanks!\nbye"),
            vec!["hi all", "what is PAD", "thanks", "bye"]
        );
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
    fn huge_input_is_bounded() {
        let huge = "calf ".repeat(10_000);
        assert!(clean(&huge).len() <= MAX_INPUT_CHARS);
    }
}
