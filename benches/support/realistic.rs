//! A realistic large FAQ for the benches (issue 14, item 1): the shipped
//! entries of `faq/`, padded to N with ordinary health questions across all
//! of medicine, the way people ask them in chat.
//!
//! The generated questions come from a dozen question shapes ("why does my X
//! hurt when I Y", "is it normal to have X after Y", "what helps X at
//! night", "can C cause S in the P", "how long does X last after Y", "should
//! I see a doctor about X", "what is the difference between A and B", …),
//! filled from the word lists in `benches/data/realistic/` (body parts,
//! symptoms, a few hundred conditions, medicines, activities, people, events,
//! times). Every list is drawn with a 1/rank (Zipf-like) weight, so everyday
//! words ("pain", "back", "after", "walking", "night", "doctor") are in a
//! large share of the entries and specific ones ("costochondritis") in few: a
//! natural word-frequency curve, unlike the synthetic syllables of
//! `decide/*` or the clones of `grown.rs`. The generator is a fixed-seed LCG:
//! the same entries on every run and every machine.
//!
//! Each generated entry has a unique id (`health-00001`…), a question, 2–4
//! alternates (other phrasings of the same question), 0–3 keywords, a short
//! answer of ordinary words, the `routine` urgency block and one NHS source;
//! the phrasings of its question shape it did not use are kept in
//! [`Entry::unused`] (a reworded message for the bench). No two entries share
//! a question or an alternate (as the loader compares them).
//!
//! Included with `#[path]` by `benches/matcher.rs` (`decide_realistic`),
//! `benches/reload.rs` (`start/…realistic…`) and
//! `examples/realistic_faq.rs` (writes the folder and the question and
//! message lists for `scripts/rapidfuzz-baseline`); each uses a part.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use faqbot::faq::load_dir;

/// The size the issue names.
pub const SIZE: usize = 10_000;

/// The message kinds that cost most at 10,000 entries (the same strings as
/// `decide_grown` in `benches/matcher.rs`), without `padded_question`,
/// which [`messages`] adds from the generated entries.
pub const FIXED_MESSAGES: [(&str, &str); 6] = [
    (
        "question",
        "can sciatica cause pain in the back of my legs when I walk?",
    ),
    ("common_words", "why do my legs hurt when i walk"),
    (
        "long_story",
        "so my dad is 71 and has had the usual calf ache on his walks for about two years, \
         he stops for a minute and it goes. lately it comes on sooner, after about 100 \
         metres, and his feet are cold at night. he used to smoke and has diabetes. is this \
         his circulation, and what can he do to keep walking further without the pain?",
    ),
    (
        "typo_heavy",
        "my calfs hurt wen i wallk up hils, is it my circulatoin or sciatca",
    ),
    (
        "off_topic",
        "anyone watching the football tonight or is it just me lol",
    ),
    (
        "chatty",
        "hey all <@123456789012345678> long time lurker here. my dad is 68 and has smoked for \
         years, lately he gets this cramping ache in both calves after about 200 metres and it \
         goes off when he stands still for a bit. his gp mentioned something about the arteries. \
         what is peripheral artery disease exactly?? thanks so much in advance 🙏",
    ),
];

/// A deterministic pseudo-random generator (no dependency, same data every
/// run): the LCG of `benches/matcher.rs`.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// A word list drawn with a 1/rank weight (the first line most often).
struct List {
    items: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl List {
    fn parse(text: &'static str) -> List {
        let items: Vec<&'static str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        assert!(!items.is_empty(), "an empty word list");
        let mut total = 0.0;
        let cumulative = (0..items.len())
            .map(|rank| {
                total += 1.0 / (rank + 1) as f64;
                total
            })
            .collect();
        List { items, cumulative }
    }

    fn draw(&self, rng: &mut Lcg) -> &'static str {
        let target = rng.unit() * self.cumulative[self.cumulative.len() - 1];
        let at = self.cumulative.partition_point(|&c| c <= target);
        self.items[at.min(self.items.len() - 1)]
    }
}

struct Lists {
    parts: List,
    symptoms: List,
    conditions: List,
    medicines: List,
    activities: List,
    people: List,
    events: List,
    times: List,
    answers: List,
}

impl Lists {
    fn load() -> Lists {
        Lists {
            parts: List::parse(include_str!("../data/realistic/parts.txt")),
            symptoms: List::parse(include_str!("../data/realistic/symptoms.txt")),
            conditions: List::parse(include_str!("../data/realistic/conditions.txt")),
            medicines: List::parse(include_str!("../data/realistic/medicines.txt")),
            activities: List::parse(include_str!("../data/realistic/activities.txt")),
            people: List::parse(include_str!("../data/realistic/people.txt")),
            events: List::parse(include_str!("../data/realistic/events.txt")),
            times: List::parse(include_str!("../data/realistic/times.txt")),
            answers: List::parse(include_str!("../data/realistic/answers.txt")),
        }
    }
}

/// One draw of every slot a question shape may use.
struct Slots {
    part: &'static str,
    symptom: &'static str,
    condition: &'static str,
    other_condition: &'static str,
    medicine: &'static str,
    /// Base form ("walk").
    activity: &'static str,
    /// -ing form ("walking").
    doing: &'static str,
    person: &'static str,
    event: &'static str,
    time: &'static str,
}

impl Slots {
    fn draw(lists: &Lists, rng: &mut Lcg) -> Slots {
        let (activity, doing) = lists
            .activities
            .draw(rng)
            .split_once('|')
            .expect("activities.txt: \"base|-ing\"");
        Slots {
            part: lists.parts.draw(rng),
            symptom: lists.symptoms.draw(rng),
            condition: lists.conditions.draw(rng),
            other_condition: lists.conditions.draw(rng),
            medicine: lists.medicines.draw(rng),
            activity,
            doing,
            person: lists.people.draw(rng),
            event: lists.events.draw(rng),
            time: lists.times.draw(rng),
        }
    }

    /// "hurts" or "hurt", for the body part.
    fn hurts(&self) -> &'static str {
        if self.part.ends_with('s') && self.part != "pelvis" {
            "hurt"
        } else {
            "hurts"
        }
    }

    /// The symptom without its article ("a headache" → "headache").
    fn bare_symptom(&self) -> &'static str {
        self.symptom
            .strip_prefix("a ")
            .or_else(|| self.symptom.strip_prefix("an "))
            .unwrap_or(self.symptom)
    }
}

/// The question shapes: each gives the phrasings of one question (the first
/// is the question, 2–4 of the others its alternates) and its keywords.
const SHAPES: usize = 12;

/// How often each shape is drawn (out of their sum): the everyday ones
/// (pain when doing something, seeing a doctor, at a time of day, normal
/// after something) more often.
const SHAPE_WEIGHTS: [usize; SHAPES] = [3, 2, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1];

fn draw_shape(rng: &mut Lcg) -> usize {
    let total: usize = SHAPE_WEIGHTS.iter().sum();
    let mut at = rng.below(total);
    for (shape, weight) in SHAPE_WEIGHTS.iter().enumerate() {
        if at < *weight {
            return shape;
        }
        at -= weight;
    }
    unreachable!("at < total")
}

fn phrasings(shape: usize, s: &Slots) -> (Vec<String>, Vec<&'static str>) {
    let (part, symptom, bare) = (s.part, s.symptom, s.bare_symptom());
    let (activity, doing, hurts) = (s.activity, s.doing, s.hurts());
    let (condition, other, medicine) = (s.condition, s.other_condition, s.medicine);
    let (person, event, time) = (s.person, s.event, s.time);
    match shape {
        0 => (
            vec![
                format!("Why does my {part} hurt when I {activity}?"),
                format!("{part} pain when {doing}"),
                format!("my {part} {hurts} every time i {activity}"),
                format!("what causes {part} pain when {doing}"),
                format!("sore {part} after {doing}, why"),
                format!("my {part} aches when i {activity}, is that normal"),
                format!("{part} {hurts} when i {activity} {time}"),
            ],
            vec![part],
        ),
        1 => (
            vec![
                format!("Is it normal to have {symptom} after {event}?"),
                format!("{bare} after {event}, is that normal"),
                format!("should i worry about {bare} after {event}"),
                format!("how common is {bare} after {event}"),
                format!("i have had {symptom} since {event}, is that ok"),
            ],
            vec![bare],
        ),
        2 => (
            vec![
                format!("What helps {symptom} {time}?"),
                format!("how can i ease {bare} {time}"),
                format!("{bare} {time}, what can i do"),
                format!("tips for {bare} {time}"),
                format!("why is my {bare} worse {time}"),
            ],
            vec![bare],
        ),
        3 => (
            vec![
                format!("Can {condition} cause {bare} in the {part}?"),
                format!("does {condition} give you {bare} in your {part}"),
                format!("is the {bare} in my {part} from {condition}"),
                format!("{condition} and {bare} in the {part}, are they linked"),
                format!("{bare} in my {part} with {condition}"),
            ],
            vec![condition, bare, part],
        ),
        4 => (
            vec![
                format!("How long does {bare} last after {event}?"),
                format!("how long will the {bare} go on after {event}"),
                format!("when will the {bare} stop after {event}"),
                format!("{bare} after {event}, how long until it goes"),
                format!("still got {bare} weeks after {event}"),
            ],
            vec![bare],
        ),
        5 => (
            vec![
                format!("Should I see a doctor about {bare} in my {part}?"),
                format!("do i need a doctor for {bare} in my {part}"),
                format!("when should {person} see a gp about {bare} in the {part}"),
                format!("is {bare} in the {part} worth seeing a doctor for"),
                format!("gp or pharmacist for {bare} in my {part}"),
                format!("{bare} in my {part} {time}, should i see a doctor"),
            ],
            vec![bare, part],
        ),
        6 => (
            vec![
                format!("What is the difference between {condition} and {other}?"),
                format!("{condition} or {other}, how do i tell them apart"),
                format!("how can you tell {condition} from {other}"),
                format!("{condition} vs {other}"),
                format!("is it {condition} or {other}"),
            ],
            vec![condition, other],
        ),
        7 => (
            vec![
                format!("Can I take {medicine} for {bare}?"),
                format!("is {medicine} ok for {bare} in {person}"),
                format!("does {medicine} help with {bare}"),
                format!("{medicine} for {bare}, does it work"),
                format!("what can i take for {bare} apart from {medicine}"),
            ],
            vec![medicine, bare],
        ),
        8 => (
            vec![
                format!("What are the first signs of {condition} in {person}?"),
                format!("how do i know if {person} has {condition}"),
                format!("symptoms of {condition} in {person}"),
                format!("could {person} have {condition}"),
                format!("signs of {condition} to look out for in {person}"),
            ],
            vec![condition],
        ),
        9 => (
            vec![
                format!("Is it safe to keep {doing} with {condition}?"),
                format!("can i still {activity} if i have {condition}"),
                format!("{doing} with {condition}, is it ok"),
                format!("should i stop {doing} because of {condition}"),
                format!("will {doing} make my {condition} worse"),
            ],
            vec![condition],
        ),
        10 => (
            vec![
                format!("My {part} {hurts} {time}, what could it be?"),
                format!("{part} pain {time}"),
                format!("why does my {part} ache {time}"),
                format!("{time} my {part} {hurts}, any ideas"),
                format!("what causes a sore {part} {time}"),
            ],
            vec![part],
        ),
        _ => (
            vec![
                format!("How can I stop {condition} coming back?"),
                format!("how do i prevent {condition}"),
                format!("ways to avoid getting {condition} again"),
                format!("what can {person} do to stop {condition} coming back"),
                format!("keep getting {condition}, how do i stop it"),
            ],
            vec![condition],
        ),
    }
}

/// One generated entry.
pub struct Entry {
    pub id: String,
    pub question: String,
    pub alternates: Vec<String>,
    pub keywords: Vec<String>,
    pub answer: String,
    /// The phrasings of the same question the entry does not hold: a
    /// reworded message it answers.
    pub unused: Vec<String>,
}

impl Entry {
    /// The entry as a file of `faq/entries/` (format: `faq/README.md`).
    pub fn toml(&self) -> String {
        let quote = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        let mut out = String::with_capacity(800);
        out.push_str("# A generated ordinary health question (benches/support/realistic.rs).\n");
        out.push_str(&format!("id = {}\n", quote(&self.id)));
        out.push_str(&format!("question = {}\n", quote(&self.question)));
        out.push_str("alternates = [\n");
        for alternate in &self.alternates {
            out.push_str(&format!("  {},\n", quote(alternate)));
        }
        out.push_str("]\n");
        let keywords: Vec<String> = self.keywords.iter().map(|k| quote(k)).collect();
        out.push_str(&format!("keywords = [{}]\n", keywords.join(", ")));
        out.push_str("urgency = [\"routine\"]\n");
        out.push_str(&format!("answer = \"\"\"\n{}\n\"\"\"\n\n", self.answer));
        out.push_str(
            "[[sources]]\ntitle = \"NHS: Health A to Z\"\nurl = \"https://www.nhs.uk/conditions/\"\n",
        );
        out
    }

    /// The question and every alternate and keyword, as the matcher reads
    /// phrasings.
    pub fn phrasing_text(&self) -> String {
        let mut text = self.question.clone();
        for phrase in self.alternates.iter().chain(&self.keywords) {
            text.push(' ');
            text.push_str(phrase);
        }
        text
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `count` generated entries; `taken` holds the questions and alternates
/// already used (cleaned as the loader compares them), and receives these.
pub fn generate(count: usize, taken: &mut HashSet<String>) -> Vec<Entry> {
    let lists = Lists::load();
    let mut rng = Lcg(14);
    let mut entries = Vec::with_capacity(count);
    while entries.len() < count {
        let slots = Slots::draw(&lists, &mut rng);
        let shape = draw_shape(&mut rng);
        if shape == 6 && slots.condition == slots.other_condition {
            continue;
        }
        let (mut phrases, keyword_pool) = phrasings(shape, &slots);
        // The question is the first phrasing; the others in a drawn order.
        for i in (2..phrases.len()).rev() {
            let j = 1 + rng.below(i);
            phrases.swap(i, j);
        }
        let alternate_count = 2 + rng.below(3);
        let cleaned: Vec<String> = phrases[..=alternate_count]
            .iter()
            .map(|p| faqbot::text::clean(p))
            .collect();
        let unique: HashSet<&String> = cleaned.iter().collect();
        if unique.len() != cleaned.len() || cleaned.iter().any(|c| taken.contains(c)) {
            continue;
        }
        taken.extend(cleaned);
        let keyword_count = rng.below(4).min(keyword_pool.len());
        let keywords = keyword_pool[..keyword_count]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        let mut answer = vec![format!(
            "{} can have many causes.",
            capitalised(keyword_pool[0])
        )];
        let sentences = 2 + rng.below(3);
        while answer.len() <= sentences {
            let sentence = lists.answers.draw(&mut rng).to_owned();
            if !answer.contains(&sentence) {
                answer.push(sentence);
            }
        }
        let unused = phrases.split_off(alternate_count + 1);
        let question = phrases.remove(0);
        entries.push(Entry {
            id: format!("health-{:05}", entries.len() + 1),
            question,
            alternates: phrases,
            keywords,
            answer: answer.join(" "),
            unused,
        });
    }
    entries
}

/// Copies the folder `from` to `to`, files and subfolders.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for item in fs::read_dir(from).expect("read folder") {
        let item = item.expect("folder item");
        let target = to.join(item.file_name());
        if item.file_type().expect("file type").is_dir() {
            copy_tree(&item.path(), &target);
        } else {
            fs::copy(item.path(), &target).expect("copy a file");
        }
    }
}

/// A realistic FAQ folder of `size` entries at `to`: a full copy of `faq/`
/// with generated entries added as files. Returns the phrasing text of
/// every entry (real ones first) and the generated entries.
pub fn write_faq(to: &Path, size: usize) -> (Vec<String>, Vec<Entry>) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
    let (real, problems) = load_dir(&from);
    assert!(problems.is_empty(), "faq/ has problems: {problems:?}");
    let mut taken = HashSet::new();
    let mut texts = Vec::with_capacity(size);
    for entry in &real.entries {
        taken.insert(faqbot::text::clean(&entry.question));
        taken.extend(entry.alternates.iter().map(|a| faqbot::text::clean(a)));
        let mut text = entry.question.clone();
        for phrase in entry.alternates.iter().chain(&entry.keywords) {
            text.push(' ');
            text.push_str(phrase);
        }
        texts.push(text);
    }
    let generated = generate(size.saturating_sub(real.entries.len()), &mut taken);
    copy_tree(&from, to);
    for entry in &generated {
        fs::write(
            to.join("entries").join(format!("{}.toml", entry.id)),
            entry.toml(),
        )
        .expect("write a generated entry");
        texts.push(entry.phrasing_text());
    }
    (texts, generated)
}

/// Every message kind of `decide_realistic`: [`FIXED_MESSAGES`] and
/// `padded_question`, a generated entry's question in a phrasing it does
/// not hold (the first generated entry from the middle on about a leg,
/// knee, calf, foot, ankle, hip or thigh, so that the topic gate lets it
/// through).
pub fn messages(generated: &[Entry]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = FIXED_MESSAGES
        .iter()
        .map(|(kind, message)| (*kind, (*message).to_owned()))
        .collect();
    let (_, message) = padded_question(generated);
    out.push(("padded_question", message));
    out
}

/// The entry `padded_question` asks about and the message (see [`messages`]).
pub fn padded_question(generated: &[Entry]) -> (&Entry, String) {
    const LEG_WORDS: [&str; 7] = ["leg", "knee", "calf", "foot", "ankle", "hip", "thigh"];
    let entry = generated[generated.len() / 2..]
        .iter()
        .find(|entry| {
            !entry.unused.is_empty()
                && entry
                    .question
                    .to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|word| LEG_WORDS.contains(&word))
        })
        .expect("a generated entry about legs");
    (entry, entry.unused[0].clone())
}

/// Words a share of entries is not worth showing for (function words).
const FUNCTION_WORDS: [&str; 44] = [
    "i", "my", "a", "an", "the", "to", "in", "of", "is", "it", "and", "or", "do", "does", "what",
    "how", "can", "me", "you", "your", "be", "are", "with", "on", "at", "from", "for", "that",
    "this", "have", "has", "why", "when", "should", "will", "about", "if", "there", "which", "am",
    "so", "up", "not", "get",
];

/// The `n` words in most entries' phrasings (question, alternates,
/// keywords), with the share of entries holding each; function words
/// ("the", "my") left out when `content_only`.
pub fn top_words(texts: &[String], n: usize, content_only: bool) -> Vec<(String, f64)> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for text in texts {
        let words: HashSet<String> = text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        for word in words {
            *count.entry(word).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = count
        .into_iter()
        .filter(|(word, _)| !content_only || !FUNCTION_WORDS.contains(&word.as_str()))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(n)
        .map(|(word, c)| (word, 100.0 * c as f64 / texts.len() as f64))
        .collect()
}

/// The word-frequency curve in one line per list, for the bench's and the
/// example's output.
pub fn curve_report(texts: &[String]) -> String {
    let line = |content_only: bool| {
        top_words(texts, 10, content_only)
            .iter()
            .map(|(word, share)| format!("{word} {share:.1}%"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "share of the {} entries whose phrasings hold each of the 10 most common words:\n  \
         all words: {}\n  content words: {}",
        texts.len(),
        line(false),
        line(true)
    )
}
