//! One matcher decision at 18 and 24 entries, the whole shipped FAQ, 1,000
//! and 10,000 entries.
//!
//! 18 and 24 entries: the first 18 or 24 entries of the shipped faq/ (the
//! speed issue sets its small-FAQ target at 24); then all of them (39
//! today). 1,000 and 10,000: the shipped entries plus synthetic ones built
//! from a fixed pseudo-random vocabulary, so that the index has to avoid
//! scoring every entry. Messages: a plain question, a typo'd fragment, a long
//! chatty message with the question buried inside, and an off-topic line.
//!
//! `decide_grown/…`: 10,000 entries grown from the real ones ([`grown`]: the
//! real vocabulary, so every everyday word is in thousands of entries), with
//! the message kinds that cost most there: only common words, a long story,
//! many typos, off-topic chat.
//!
//! `decide_realistic/…`: 10,000 entries with a natural word-frequency curve
//! ([`realistic`]: the shipped entries padded with ordinary health questions
//! across all of medicine, written as files and loaded as the bot loads
//! them), with the message kinds of `decide_grown` and `padded_question`, a
//! generated entry's question reworded.
//!
//! Run: `cargo bench --bench matcher`; the README records the medians.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faqbot::faq::{Faq, FaqEntry, Matcher, MatcherSettings, Source, load_dir};

#[path = "support/grown.rs"]
mod grown;
#[path = "support/realistic.rs"]
mod realistic;

const MESSAGES: [(&str, &str); 4] = [
    (
        "question",
        "can sciatica cause pain in the back of my legs when I walk?",
    ),
    ("typo_fragment", "scaitica walkin"),
    (
        "chatty",
        "hey all <@123456789012345678> long time lurker here. my dad is 68 and has smoked for \
         years, lately he gets this cramping ache in both calves after about 200 metres and it \
         goes off when he stands still for a bit. his gp mentioned something about the arteries. \
         what is peripheral artery disease exactly?? thanks so much in advance 🙏",
    ),
    (
        "off_topic",
        "anyone watching the football tonight or is it just me lol",
    ),
];

/// A deterministic pseudo-random generator (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn synthetic_word(rng: &mut Lcg) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "ro", "mi", "ten", "sul", "dra", "po", "vek", "lin", "ost", "ur", "bel", "cri",
        "fam", "gor", "hex", "jun", "lom", "nar", "pri", "qua", "sto", "tiv", "zem",
    ];
    let n = 2 + rng.next() % 3;
    (0..n)
        .map(|_| SYLLABLES[(rng.next() % 24) as usize])
        .collect()
}

fn synthetic_faq(base: &Faq, size: usize) -> Faq {
    let mut rng = Lcg(42);
    let vocabulary: Vec<String> = (0..size.max(100) * 3)
        .map(|_| synthetic_word(&mut rng))
        .collect();
    let mut entries: Vec<FaqEntry> = base.entries.clone();
    let phrase = |rng: &mut Lcg, n: usize| -> String {
        let mut words = vec!["leg pain when walking".to_owned()];
        for _ in 0..n {
            words.push(vocabulary[(rng.next() as usize) % vocabulary.len()].clone());
        }
        words.join(" ")
    };
    while entries.len() < size {
        let n = entries.len();
        entries.push(FaqEntry {
            id: format!("synthetic-{n}"),
            question: phrase(&mut rng, 4),
            answer: phrase(&mut rng, 60),
            alternates: (0..8).map(|_| phrase(&mut rng, 3)).collect(),
            keywords: (0..4).map(|_| phrase(&mut rng, 1)).collect(),
            see_also: Vec::new(),
            sources: vec![Source {
                title: "synthetic".to_owned(),
                url: "https://example.org".to_owned(),
            }],
            urgency: vec!["routine".to_owned()],
            urgency_signs: Vec::new(),
            path: Default::default(),
            file_text: String::new(),
        });
    }
    entries.truncate(size);
    with_entries(base, entries)
}

/// `base`'s synonyms and urgency blocks with `entries`, sorted by id as the
/// loader sorts them.
fn with_entries(base: &Faq, mut entries: Vec<FaqEntry>) -> Faq {
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Faq {
        entries,
        synonyms: base.synonyms.clone(),
        urgency: base.urgency.clone(),
    }
}

fn bench_decide(c: &mut Criterion) {
    let (real, problems) = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"));
    assert!(problems.is_empty(), "faq/ has problems: {problems:?}");
    let mut group = c.benchmark_group("decide");
    for size in [18usize, 24, real.entries.len(), 1_000, 10_000] {
        let faq = if size <= real.entries.len() {
            Faq {
                entries: real.entries[..size].to_vec(),
                synonyms: real.synonyms.clone(),
                urgency: real.urgency.clone(),
            }
        } else {
            synthetic_faq(&real, size)
        };
        let matcher = Matcher::new(&faq, MatcherSettings::default());
        for (name, message) in MESSAGES {
            group.bench_with_input(BenchmarkId::new(name, size), &message, |b, message| {
                b.iter(|| matcher.decide(std::hint::black_box(message)))
            });
        }
    }
    group.finish();
}

/// The emergency screen on every message kind, and on a 400-character story
/// (the size the emergency-screen issue names): the rules, and the second
/// opinion when no rule fires.
fn bench_screen(c: &mut Criterion) {
    let screen = faqbot::safety::EmergencyScreen::new();
    let story_400 = "so my dad is 71 and has had the usual calf ache on his walks for about two \
                     years, he stops for a minute and it goes. this morning he said his left foot \
                     felt funny and now it looks pale and it is cold to touch compared to the \
                     other one, and he says it feels numb and he cant really wiggle his toes. he \
                     doesnt want to make a fuss. is this just his circulation again?";
    let calm_400 = "quick question from a long time lurker: my calves ache when i walk to the \
                    shops, about ten minutes, then i stop and it goes off after a minute or two. \
                    no chest pain, no numbness anywhere, bladder and bowels fine, no swelling or \
                    redness. i am 66, used to smoke, and my gp has mentioned checking my arteries \
                    one day. is it worth asking for that test now or should i just keep walking?";
    let mut group = c.benchmark_group("screen");
    for (name, message) in MESSAGES
        .into_iter()
        .chain([("story_400", story_400), ("calm_400", calm_400)])
    {
        group.bench_with_input(BenchmarkId::from_parameter(name), &message, |b, message| {
            b.iter(|| screen.read(std::hint::black_box(message)))
        });
    }
    group.finish();
}

/// The shipped FAQ grown to `size` entries ([`grown`]), in memory.
fn grown_faq(real: &Faq, size: usize) -> Faq {
    let mut entries = real.entries.clone();
    for k in 0..size.saturating_sub(real.entries.len()) {
        let base = &real.entries[k % real.entries.len()];
        let mut entry = base.clone();
        entry.id = format!("{}-v{k}", base.id);
        entry.question = grown::question(&base.question, k);
        entry.alternates = base
            .alternates
            .iter()
            .map(|alternate| grown::alternate(alternate, k))
            .collect();
        entries.push(entry);
    }
    with_entries(real, entries)
}

/// One decision at 10,000 realistic entries, per message kind.
fn bench_decide_grown(c: &mut Criterion) {
    let (real, problems) = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"));
    assert!(problems.is_empty(), "faq/ has problems: {problems:?}");
    let faq = grown_faq(&real, 10_000);
    assert_eq!(faq.entries.len(), 10_000);
    let matcher = Matcher::new(&faq, MatcherSettings::default());
    // The message kinds of `decide_realistic` (one list for both groups).
    let kinds = realistic::FIXED_MESSAGES;
    let mut group = c.benchmark_group("decide_grown");
    for (name, message) in kinds {
        group.bench_with_input(BenchmarkId::new(name, 10_000), &message, |b, message| {
            b.iter(|| matcher.decide(std::hint::black_box(message)))
        });
    }
    group.finish();
}

/// One decision at 10,000 realistic entries ([`realistic`]), per message
/// kind. The word-frequency curve of the set is printed first.
fn bench_decide_realistic(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a folder for the realistic FAQ");
    let folder = dir.path().join("faq");
    let (texts, generated) = realistic::write_faq(&folder, realistic::SIZE);
    let (faq, problems) = load_dir(&folder);
    assert!(problems.is_empty(), "the realistic FAQ: {problems:?}");
    assert_eq!(faq.entries.len(), realistic::SIZE);
    eprintln!("decide_realistic: {}", realistic::curve_report(&texts));
    let matcher = Matcher::new(&faq, MatcherSettings::default());
    let mut group = c.benchmark_group("decide_realistic");
    for (name, message) in realistic::messages(&generated) {
        group.bench_with_input(
            BenchmarkId::new(name, realistic::SIZE),
            &message.as_str(),
            |b, message| b.iter(|| matcher.decide(std::hint::black_box(message))),
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_decide,
    bench_decide_grown,
    bench_decide_realistic,
    bench_screen
);
criterion_main!(benches);
