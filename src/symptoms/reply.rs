//! Understanding what a person typed or clicked as an answer to one question.
//!
//! This file owns the mapping from free text to choice ids: a choice number
//! ("2"), yes/no/not-sure words ("y", "nope", "dont know", "?"), a choice id
//! ("gone_within_10min"), a choice's label or some of its words ("back of
//! thigh"), and, on pick-all-that-apply questions, several of those separated
//! by commas, spaces or "and". It never guesses between two choices: an
//! ambiguous or unknown reply is refused, and the caller asks again with the
//! valid choices.

use super::answers::UNSURE;
use super::model::Question;

const UNSURE_WORDS: [&str; 16] = [
    "not sure",
    "unsure",
    "dont know",
    "do not know",
    "i dont know",
    "i do not know",
    "idk",
    "no idea",
    "maybe",
    "not certain",
    "unknown",
    "dunno",
    "im not sure",
    "i am not sure",
    "i m not sure",
    "perhaps",
];

const YES_WORDS: [&str; 10] = [
    "yes", "y", "yeah", "yep", "yup", "ya", "yes i do", "i do", "true", "aye",
];

const NO_WORDS: [&str; 9] = [
    "no",
    "n",
    "nope",
    "nah",
    "no i dont",
    "i dont",
    "false",
    "not really",
    "never",
];

/// Words that carry no meaning in an answer ("my calf", "the shin").
const FILLER: [&str; 12] = [
    "my", "the", "a", "an", "in", "on", "of", "it", "its", "i", "both", "mostly",
];

/// Lower case, apostrophes dropped, everything else that is not a letter or a
/// digit turned into single spaces.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c == '\'' || c == '\u{2019}' || c == '`' {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// The words of a text, each in its singular form ("calves" -> "calf"), so
/// "my calves" names the choice "Calf".
fn words(text: &str) -> Vec<String> {
    normalise(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(singular)
        .collect()
}

/// A rough singular of an English word, enough for body parts.
fn singular(word: &str) -> String {
    match word {
        "feet" => "foot".to_owned(),
        "knees" | "shins" | "thighs" | "hips" | "buttocks" | "hamstrings" | "joints" | "legs" => {
            word.trim_end_matches('s').to_owned()
        }
        _ if word.len() > 4 && word.ends_with("ves") => format!("{}f", &word[..word.len() - 3]),
        _ => word.to_owned(),
    }
}

/// The value ids a reply names, or `None` if it cannot be read without
/// guessing. Checking the combination (one answer only, exclusive choices)
/// is the caller's job.
pub(crate) fn parse(question: &Question, reply: &str) -> Option<Vec<String>> {
    let trimmed = reply.trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c == '?') {
        return Some(vec![UNSURE.to_owned()]);
    }
    let whole = normalise(trimmed);
    if whole.is_empty() {
        return None;
    }
    if let Some(id) = one(question, &whole) {
        return Some(vec![id]);
    }
    if question.kind != super::model::QuestionKind::AnyOf {
        return None;
    }
    let mut ids = Vec::new();
    let lowered = trimmed
        .to_lowercase()
        .replace(" and ", ",")
        .replace(" or ", ",");
    for part in lowered.split([',', ';', '/', '&', '+', '\n']) {
        let part = normalise(part);
        if part.is_empty() {
            continue;
        }
        if let Some(id) = one(question, &part) {
            ids.push(id);
            continue;
        }
        for word in part.split(' ') {
            if FILLER.contains(&word) {
                continue;
            }
            ids.push(one(question, word)?);
        }
    }
    (!ids.is_empty()).then_some(ids)
}

/// The one value a normalised piece of text names.
/// Words that mean "none of these" on a screen.
const NONE_WORDS: [&str; 8] = [
    "none",
    "none of these",
    "none of them",
    "nothing",
    "no",
    "nope",
    "neither",
    "0",
];

/// Reads a reply to a screen (several yes/no items at once): item numbers
/// ("1 3", "1, 3", "2 and 4"), "none" (or "no",
/// "nothing"), and "not sure" (alone, or beside numbers: "2 and not sure"),
/// as choice ids of `choices` (the items, then `none`, then `unsure`).
/// Anything else, or a number that is not listed, is not understood: a
/// screen never guesses which item a word meant.
pub(crate) fn parse_screen(choices: &[super::Choice], reply: &str) -> Option<Vec<String>> {
    let trimmed = reply.trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c == '?') {
        return Some(vec![UNSURE.to_owned()]);
    }
    let mut text = format!(" {} ", normalise(trimmed));
    if text.trim().is_empty() {
        return None;
    }
    if NONE_WORDS.contains(&text.trim()) {
        return Some(vec![super::model::NONE_OF_THESE.to_owned()]);
    }
    let mut ids: Vec<String> = Vec::new();
    let mut unsure_phrases: Vec<&str> = UNSURE_WORDS.to_vec();
    unsure_phrases.extend([
        "not sure about some",
        "not sure about the rest",
        "not sure about others",
    ]);
    unsure_phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for phrase in unsure_phrases {
        let padded = format!(" {phrase} ");
        if text.contains(&padded) {
            text = text.replace(&padded, " ");
            if !ids.iter().any(|id| id == UNSURE) {
                ids.push(UNSURE.to_owned());
            }
        }
    }
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if matches!(word, "and" | "or" | "also" | "plus" | "number" | "numbers") {
            continue;
        }
        let id = if let Ok(number) = word.parse::<usize>() {
            number
                .checked_sub(1)
                .and_then(|i| choices.get(i))?
                .id
                .clone()
        } else if word == "none" || word == "nothing" {
            super::model::NONE_OF_THESE.to_owned()
        } else {
            return None;
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    (!ids.is_empty()).then_some(ids)
}

fn one(question: &Question, text: &str) -> Option<String> {
    let values: Vec<&str> = question.value_ids().collect();
    let has = |id: &str| values.contains(&id);
    if UNSURE_WORDS.contains(&text) {
        return Some(UNSURE.to_owned());
    }
    if has("yes") && YES_WORDS.contains(&text) {
        return Some("yes".to_owned());
    }
    if has("no") && NO_WORDS.contains(&text) {
        return Some("no".to_owned());
    }
    if let Ok(number) = text.parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|i| values.get(i))
            .map(|id| (*id).to_owned());
    }
    // Exact id or label (also in the singular: "calves").
    let singular_text = words(text).join(" ");
    for id in &values {
        let label = normalise(&question.label_of(id));
        if text == *id || text == normalise(id) || text == label || singular_text == normalise(id) {
            return Some((*id).to_owned());
        }
    }
    // All the meaningful words of the reply appear in exactly one choice.
    let reply_words: Vec<String> = words(text)
        .into_iter()
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect();
    if !reply_words.is_empty() {
        let matching: Vec<&str> = values
            .iter()
            .copied()
            .filter(|id| {
                let mut known = words(&question.label_of(id));
                known.extend(words(id));
                reply_words.iter().all(|w| known.contains(w))
            })
            .collect();
        if let [only] = matching.as_slice() {
            return Some((*only).to_owned());
        }
        if matching.len() > 1 {
            return None;
        }
    }
    // A near miss of one label or id (a typo), clearly closer than any other.
    let mut scored: Vec<(f64, &str)> = values
        .iter()
        .map(|id| {
            let by_label = strsim::jaro_winkler(text, &normalise(&question.label_of(id)));
            let by_id = strsim::jaro_winkler(text, &normalise(id));
            (by_label.max(by_id), *id)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [(best, id), rest @ ..]
            if *best >= 0.9 && rest.first().is_none_or(|(second, _)| best - second >= 0.05) =>
        {
            Some((*id).to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symptoms::model::{ChoiceDef, QuestionKind};

    fn question(kind: QuestionKind, choices: &[(&str, &str)]) -> Question {
        Question {
            id: "q".into(),
            text: "?".into(),
            simpler: None,
            kind,
            choices: choices
                .iter()
                .map(|(id, label)| ChoiceDef {
                    id: (*id).into(),
                    label: (*label).into(),
                    exclusive: *id == "none",
                })
                .collect(),
            red_flag: None,
            ask_if: None,
            next: None,
            sources: Vec::new(),
            screen: None,
            span: 0..0,
            red_flag_span: 0..0,
            next_span: 0..0,
        }
    }

    fn ids(q: &Question, reply: &str) -> Option<Vec<String>> {
        parse(q, reply)
    }

    #[test]
    fn yes_no_words_and_numbers() {
        let q = question(QuestionKind::YesNo, &[("yes", "Yes"), ("no", "No")]);
        for (reply, want) in [
            ("Yes", "yes"),
            ("y", "yes"),
            ("Nope.", "no"),
            ("2", "no"),
            ("3", "unsure"),
            ("not sure", "unsure"),
            ("don't know", "unsure"),
            ("?", "unsure"),
        ] {
            assert_eq!(ids(&q, reply), Some(vec![want.to_owned()]), "{reply}");
        }
        assert_eq!(ids(&q, "4"), None);
        assert_eq!(ids(&q, "purple"), None);
        assert_eq!(ids(&q, ""), None);
    }

    #[test]
    fn labels_words_and_several_choices() {
        let q = question(
            QuestionKind::AnyOf,
            &[
                ("calf", "Calf (back of the lower leg)"),
                ("thigh", "Front or side of the thigh"),
                ("hamstring", "Back of the thigh (hamstring)"),
                ("hip_or_knee_joint", "Hip or knee joint"),
                ("none", "None of these"),
            ],
        );
        assert_eq!(ids(&q, "my calf"), Some(vec!["calf".to_owned()]));
        assert_eq!(ids(&q, "both calves"), Some(vec!["calf".to_owned()]));
        assert_eq!(
            ids(&q, "calves and knees"),
            Some(vec!["calf".to_owned(), "hip_or_knee_joint".to_owned()])
        );
        assert_eq!(ids(&q, "back of thigh"), Some(vec!["hamstring".to_owned()]));
        assert_eq!(ids(&q, "thigh"), Some(vec!["thigh".to_owned()]));
        assert_eq!(ids(&q, "knee"), Some(vec!["hip_or_knee_joint".to_owned()]));
        assert_eq!(
            ids(&q, "calf, knee"),
            Some(vec!["calf".to_owned(), "hip_or_knee_joint".to_owned()])
        );
        assert_eq!(
            ids(&q, "1 3"),
            Some(vec!["calf".to_owned(), "hamstring".to_owned()])
        );
        assert_eq!(
            ids(&q, "calf and back of thigh"),
            Some(vec!["calf".to_owned(), "hamstring".to_owned()])
        );
        assert_eq!(ids(&q, "clf"), Some(vec!["calf".to_owned()]));
        assert_eq!(ids(&q, "elbow"), None);
    }
}
