//! The `faqbot` command line: glue over the library, nothing more.
//!
//! `chat` (the terminal front end), `ask` (one decision per message, for
//! scripts and tests), `check` (validate the FAQ files). `--config FILE`
//! works everywhere; with no config file the defaults serve.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;
use tracing_subscriber::EnvFilter;

use faqbot::config::Config;
use faqbot::console;
use faqbot::engine::{Engine, Outcome};
use faqbot::problem::Problem;

#[derive(Parser)]
#[command(
    name = "faqbot",
    version,
    about = "Answers questions about pain in the back of the legs when walking, from a \
             moderator-kept FAQ. General information, not medical advice."
)]
struct Cli {
    /// Configuration file (default: ./config.toml if it exists, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Talk to the bot in the terminal: the same replies a Discord user gets, as text.
    Chat,
    /// One message in, one result out; with no QUERY, one message per line on stdin.
    Ask {
        /// Print one JSON object per message.
        #[arg(long)]
        json: bool,
        /// The message (several words are joined with spaces).
        query: Vec<String>,
    },
    /// Validate the FAQ files: one `path:line:col: message` per problem, exit 1 on any.
    Check {
        /// Print a machine-readable report.
        #[arg(long)]
        json: bool,
        /// The FAQ folder (default: faq_dir from the config, normally ./faq).
        dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("faqbot: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the default filter. Message text
/// is only ever logged at debug level.
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref()).context("loading the configuration")?;
    match cli.command {
        Command::Chat => {
            let Some(engine) = load_engine(&config) else {
                return Ok(ExitCode::from(1));
            };
            let stdin = io::stdin();
            console::run_chat(&engine, stdin.lock(), io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ask { json, query } => {
            let Some(engine) = load_engine(&config) else {
                return Ok(ExitCode::from(1));
            };
            ask(&engine, json, &query)
        }
        Command::Check { json, dir } => {
            let dir = dir.unwrap_or_else(|| config.faq_dir.clone());
            check(&dir, json)
        }
    }
}

/// Loads the engine, or prints every problem and returns `None`.
fn load_engine(config: &Config) -> Option<Engine> {
    match Engine::load(config) {
        Ok(engine) => Some(engine),
        Err(problems) => {
            eprintln!(
                "faqbot: the FAQ in {} has {} problem(s); not starting:",
                config.faq_dir.display(),
                problems.len()
            );
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!("Fix them and run `faqbot check` to confirm.");
            None
        }
    }
}

#[derive(Serialize)]
struct AskResult<'a> {
    decision: Outcome,
    id: Option<&'a str>,
    score: f32,
    candidates: &'a [faqbot::faq::Candidate],
    reply: String,
}

fn ask(engine: &Engine, json: bool, query: &[String]) -> anyhow::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    let answer_one = |text: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        let assessment = engine.assess(text, false);
        let reply: String = assessment
            .replies
            .iter()
            .map(console::render)
            .collect::<Vec<_>>()
            .join("\n");
        if json {
            let result = AskResult {
                decision: assessment.outcome,
                id: assessment.answer_id(),
                score: assessment.candidates().first().map_or(0.0, |c| c.score),
                candidates: assessment.candidates(),
                reply,
            };
            writeln!(out, "{}", serde_json::to_string(&result)?)?;
        } else if reply.is_empty() {
            writeln!(out, "(no reply: not a question this FAQ answers)")?;
        } else {
            writeln!(out, "{reply}")?;
        }
        Ok(())
    };
    if query.is_empty() {
        for line in io::stdin().lock().lines() {
            let line = line.context("reading stdin")?;
            answer_one(&line, &mut stdout)?;
        }
    } else {
        answer_one(&query.join(" "), &mut stdout)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CheckReport<'a> {
    ok: bool,
    dir: String,
    entries: Vec<&'a str>,
    problems: &'a [Problem],
}

fn check(dir: &std::path::Path, json: bool) -> anyhow::Result<ExitCode> {
    let (faq, problems) = faqbot::faq::load_dir(dir);
    if json {
        let report = CheckReport {
            ok: problems.is_empty(),
            dir: dir.display().to_string(),
            entries: faq.ids().collect(),
            problems: &problems,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if problems.is_empty() {
        println!(
            "{}: ok, {} FAQ entries, {} synonym phrases",
            dir.display(),
            faq.entries.len(),
            faq.synonyms.n_phrases()
        );
    } else {
        for problem in &problems {
            println!("{problem}");
        }
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
