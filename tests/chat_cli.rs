//! `faqbot chat`: the bot in a terminal, driven through stdin as a person
//! would type, and `console::run_chat` driven in memory.

#[path = "support/common.rs"]
mod common;

use std::io::{Cursor, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{TempDir, manifest_dir};
use faqbot::config::Config;
use faqbot::console;
use faqbot::engine::{Engine, Outcome};

const SCIATICA_QUESTION: &str = "can sciatica make my legs hurt when I walk";
const PREVENTION_QUESTION: &str = "what can I do to prevent leg pain when walking";

/// Short, ambiguous messages; the first that the current matcher answers
/// with "did you mean" (at least two options) is used.
const MAYBE_AMBIGUOUS: [&str; 10] = [
    "blood clot or cramp",
    "cramp or clot",
    "sciatica or stenosis",
    "cramp or strain",
    "strain or fracture",
    "arthritis or sciatica",
    "calf swelling",
    "swollen calf",
    "nerve or artery",
    "clot or cyst",
];

fn engine() -> Engine {
    let config = Config {
        faq_dir: manifest_dir().join("faq"),
        ..Config::default()
    };
    Engine::load(&config).expect("the shipped FAQ loads")
}

/// A message that gets "did you mean", and the ids of the entries offered.
fn ambiguous_message(engine: &Engine) -> (&'static str, Vec<String>) {
    for message in MAYBE_AMBIGUOUS {
        let assessment = engine.assess(message, true);
        if assessment.outcome != Outcome::Suggest {
            continue;
        }
        let options: Vec<String> = assessment.replies[0]
            .options()
            .iter()
            .map(|option| option.id.clone())
            .collect();
        if options.len() >= 2 {
            return (message, options);
        }
    }
    panic!("none of {MAYBE_AMBIGUOUS:?} gets a \"did you mean\" with two options any more");
}

/// The heading the terminal shows for an entry, and its answer's first
/// paragraph.
fn entry_heading_and_start(engine: &Engine, id: &str) -> (String, String) {
    let knowledge = engine.knowledge();
    let entry = knowledge
        .faq
        .get(id)
        .unwrap_or_else(|| panic!("no entry {id}"));
    let start = entry
        .answer
        .split("\n\n")
        .next()
        .expect("an answer has text")
        .to_owned();
    (format!("== {} ==", entry.question), start)
}

/// A running `faqbot chat`, its stdout read on a thread so that it never
/// blocks on a full pipe.
struct Chat {
    child: Child,
    stdout: thread::JoinHandle<String>,
    _temp: TempDir,
}

impl Chat {
    fn start(test_name: &str) -> Chat {
        let temp = TempDir::new(test_name);
        let config = temp.shipped_config();
        let mut child = Command::new(env!("CARGO_BIN_EXE_faqbot"))
            .args(["--config", config.to_str().expect("utf-8 path"), "chat"])
            .current_dir(manifest_dir())
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start faqbot chat");
        let mut pipe = child.stdout.take().expect("stdout");
        let stdout = thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        });
        Chat {
            child,
            stdout,
            _temp: temp,
        }
    }

    fn type_lines(&mut self, lines: &[&str]) {
        let stdin = self.child.stdin.as_mut().expect("stdin is open");
        for line in lines {
            // The chat may have ended already (after "quit"): that is fine.
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
        let _ = stdin.flush();
    }

    fn close_input(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Waits for the chat to end by itself; a chat still running after a
    /// minute is killed and the test fails (this guards against a hang, it
    /// does not measure speed).
    fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("poll chat") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("faqbot chat did not end");
            }
            thread::sleep(Duration::from_millis(20));
        };
        drop(self.child.stdin.take());
        let stdout = self.stdout.join().expect("stdout reader");
        (status, stdout)
    }
}

/// Runs a whole chat: types `lines`, closes stdin, returns the exit status
/// and everything printed.
fn chat(test_name: &str, lines: &[&str]) -> (ExitStatus, String) {
    let mut chat = Chat::start(test_name);
    chat.type_lines(lines);
    chat.close_input();
    chat.finish()
}

#[test]
fn a_question_gets_its_answer_with_the_disclaimer() {
    let engine = engine();
    let (heading, start) = entry_heading_and_start(&engine, "sciatica");
    let (status, output) = chat("question", &[SCIATICA_QUESTION]);
    assert!(status.success(), "{output}");
    assert!(output.contains(&heading), "{output}");
    assert!(output.contains(&start), "{output}");
    let after_answer = &output[output.find(&heading).expect("heading")..];
    assert!(after_answer.contains("not medical advice"), "{output}");
}

#[test]
fn picking_2_after_did_you_mean_shows_the_second_entry() {
    let engine = engine();
    let (message, options) = ambiguous_message(&engine);
    let (second_heading, second_start) = entry_heading_and_start(&engine, &options[1]);
    let (first_heading, _) = entry_heading_and_start(&engine, &options[0]);

    let (status, output) = chat("pick-2", &[message, "2"]);
    assert!(status.success(), "{output}");
    let list = output
        .find("Did you mean")
        .unwrap_or_else(|| panic!("no \"did you mean\" for {message:?}:\n{output}"));
    let after_list = &output[list..];
    assert!(after_list.contains(&second_heading), "{output}");
    assert!(after_list.contains(&second_start), "{output}");
    assert!(
        !after_list.contains(&first_heading),
        "\"2\" must not show the first entry:\n{output}"
    );
}

#[test]
fn quit_ends_the_chat_with_exit_0_even_while_input_stays_open() {
    let engine = engine();
    let (sciatica_heading, _) = entry_heading_and_start(&engine, "sciatica");
    let (prevention_heading, _) = entry_heading_and_start(&engine, "prevention");
    assert!(
        engine.assess(PREVENTION_QUESTION, true).answer_id() == Some("prevention"),
        "the test needs a question the FAQ answers with `prevention`"
    );

    let mut chat = Chat::start("quit");
    chat.type_lines(&[SCIATICA_QUESTION, "quit", PREVENTION_QUESTION]);
    // stdin stays open: only "quit" can end the chat here.
    let (status, output) = chat.finish();
    assert!(status.success(), "{output}");
    assert!(output.contains(&sciatica_heading), "{output}");
    assert!(
        !output.contains(&prevention_heading),
        "nothing after quit is answered:\n{output}"
    );
}

#[test]
fn end_of_input_ends_the_chat_with_exit_0() {
    let (status, output) = chat("eof-empty", &[]);
    assert!(status.success(), "{output}");
    assert!(
        output.contains("not medical advice"),
        "the greeting carries the disclaimer:\n{output}"
    );

    let (heading, _) = entry_heading_and_start(&engine(), "sciatica");
    let (status, output) = chat("eof-after-question", &["", "   ", SCIATICA_QUESTION]);
    assert!(status.success(), "{output}");
    assert!(output.contains(&heading), "{output}");
}

/// Runs `console::run_chat` over the typed lines, in memory.
fn run_chat_in_memory(engine: &Engine, lines: &[&str]) -> String {
    let input = Cursor::new(format!("{}\n", lines.join("\n")).into_bytes());
    let mut output = Vec::new();
    console::run_chat(engine, input, &mut output).expect("run_chat over memory");
    String::from_utf8(output).expect("UTF-8 output")
}

#[test]
fn run_chat_in_memory_answers_suggests_picks_and_stops_at_quit() {
    let engine = engine();
    let (message, options) = ambiguous_message(&engine);
    let (sciatica_heading, sciatica_start) = entry_heading_and_start(&engine, "sciatica");
    let (second_heading, _) = entry_heading_and_start(&engine, &options[1]);
    let (prevention_heading, _) = entry_heading_and_start(&engine, "prevention");

    let output = run_chat_in_memory(
        &engine,
        &[
            SCIATICA_QUESTION,
            message,
            "2",
            "about",
            "quit",
            PREVENTION_QUESTION,
        ],
    );
    let answer = output.find(&sciatica_heading).expect("sciatica answered");
    assert!(output.contains(&sciatica_start), "{output}");
    let list = output.find("Did you mean").expect("did you mean shown");
    let picked = output.find(&second_heading).expect("second entry shown");
    let about = output.find("== About this bot ==").expect("about shown");
    assert!(output[about..].contains("I am not a doctor"), "{output}");
    assert!(
        answer < list && list < picked && picked < about,
        "replies in the order typed:\n{output}"
    );
    assert!(!output.contains(&prevention_heading), "{output}");
}

#[test]
fn run_chat_in_memory_reads_a_number_as_text_when_no_list_is_showing() {
    let engine = engine();
    let (sciatica_heading, _) = entry_heading_and_start(&engine, "sciatica");
    // "2" right after an answer (which has no numbered list) is not a pick:
    // the bot says what it can help with instead of showing some entry.
    let output = run_chat_in_memory(&engine, &[SCIATICA_QUESTION, "2", "99"]);
    let after_answer = &output[output.find(&sciatica_heading).expect("answered")..];
    assert_eq!(
        after_answer.matches("== ").count(),
        1,
        "no entry is shown for a bare number:\n{output}"
    );
    assert!(
        after_answer.contains("I can answer common questions"),
        "{output}"
    );
}
