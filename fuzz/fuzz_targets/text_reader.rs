//! The text reader: every cleaning and splitting function of
//! `faqbot::text` on arbitrary text, then the whole read of one message by
//! the engine (emergency screen, matcher, the symptom-check offer) over the
//! repository's own `faq/`, loaded once.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use faqbot::config::Config;
use faqbot::engine::Engine;
use faqbot::text;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config {
            faq_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../faq"),
            ..Config::default()
        };
        Engine::load(&config).expect("the repository's faq/ loads")
    })
}

fuzz_target!(init: {
    // Loading validates the symptom check by walking every path: seconds
    // under the sanitizer, so it is done before the first input is timed.
    let _ = engine();
}, |data: &[u8]| {
    // Front ends hand the engine text with invalid UTF-8 replaced (the
    // console reads bytes; Discord sends UTF-8).
    let message = String::from_utf8_lossy(data);

    let cleaned = text::clean(&message);
    let _ = text::clean_plain(&message);
    let _ = text::clean_ascii_dropping(&message, b".,'");
    let _ = text::without_markup(&message);
    let _ = text::words(&message);
    let _ = text::plain_words(&message);
    let _ = text::words_of(&cleaned);
    for sentence in text::sentences(&message) {
        for clause in text::split_clauses(sentence) {
            for word in text::words_of(clause) {
                let _ = text::leading_number(word);
            }
        }
    }
    let _ = text::split_sentences(&message);

    let engine = engine();
    let _ = engine.assess(&message, true);
    let knowledge = engine.knowledge();
    let _ = knowledge.screen.explain(&message);
});
