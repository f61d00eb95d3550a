//! The `faqbot` command line: glue over the library, nothing more.
//!
//! `chat` (the terminal front end), `ask` (one decision per message, for
//! scripts and tests), `check` (validate the FAQ files). `--config FILE`
//! works everywhere; with no config file the defaults serve.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;

use faqbot::config::Config;
use faqbot::console;
use faqbot::engine::{Engine, Knowledge, Outcome};
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
    /// Show how the emergency screen reads a message, word by word (for reviewing faq/emergency/).
    Explain {
        /// The message (several words are joined with spaces).
        query: Vec<String>,
    },
    /// Run the guided symptom check: interactive, scripted from an answers file, or as a flowchart.
    Symptoms {
        /// A TOML file whose [answers] table maps item ids to answers; runs without asking.
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// With --answers: print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Print the whole decision tree as a Mermaid flowchart.
        #[arg(long, conflicts_with = "answers")]
        graph: bool,
    },
    /// Connect to Discord and answer there (token from DISCORD_TOKEN or [discord] token_file).
    #[cfg(feature = "discord")]
    Run {
        /// Run only these shards, `A-B` (both included) or `A`; overrides [discord] shards.
        #[arg(long, value_name = "A-B")]
        shards: Option<String>,
        /// The bot's total number of shards, the same in every process; overrides [discord] shard_count.
        #[arg(long, value_name = "N")]
        shard_count: Option<u32>,
    },
    /// Show recorded changes to FAQ entries, newest first (file edits and Discord edits).
    History {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only this entry, with the diff of each change.
        id: Option<String>,
    },
    /// Show which FAQ version each running bot process serves (hostname:pid, since when), from the admin database.
    Versions {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List messages the bot could not answer (when gaps are on), grouped by similarity, and how often each entry was used.
    Gaps {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also write the stats chart (answers and unanswered messages per day, the most answered entries) as a PNG to FILE.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Teach the bot an unanswered message from `faqbot gaps` (by its #ID): add it as an alternate phrasing of an entry, or start a new entry with it as the question. Previews (diff, self-test, problems) and writes nothing without --yes.
    Teach {
        /// The message's id as `faqbot gaps` shows it (12 or #12).
        #[arg(value_name = "GAP_ID")]
        gap: String,
        /// Add the message as an alternate phrasing of this entry.
        #[arg(
            long,
            value_name = "ENTRY_ID",
            conflicts_with = "new",
            required_unless_present = "new"
        )]
        to: Option<String>,
        /// Start a new entry with this id whose question is the message (needs --answer-file and --source).
        #[arg(long, value_name = "NEW_ID")]
        new: Option<String>,
        /// With --new: the file holding the answer (never a placeholder: without it nothing is written).
        #[arg(long, value_name = "FILE", requires = "new")]
        answer_file: Option<PathBuf>,
        /// With --new: a source, its title then its address ("NHS: Sciatica https://www.nhs.uk/conditions/sciatica/"); repeat for more.
        #[arg(long = "source", value_name = "TITLE URL", requires = "new")]
        sources: Vec<String>,
        /// Save the change (checked, written atomically, recorded in the history) and mark the message taught.
        #[arg(long)]
        yes: bool,
    },
    /// Validate the FAQ and symptom-check files: one `path:line:col: message` per problem, exit 1 on any.
    Check {
        /// Print a machine-readable report.
        #[arg(long)]
        json: bool,
        /// Treat warnings (hard-to-read answers, phrasings the matcher does not answer with their own entry) as problems.
        #[arg(long)]
        strict: bool,
        /// Put every entry's question and alternates through the matcher and warn, with the reason, about each that does not get its own entry. On by default; kept for scripts that pass it.
        #[arg(long, conflicts_with = "no_self_test")]
        self_test: bool,
        /// Skip the self-test.
        #[arg(long)]
        no_self_test: bool,
        /// The FAQ folder (default: faq_dir from the config, normally ./faq).
        dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.command);
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            // A closed pipe (`faqbot ask … | head`) is the reader's choice, not a failure.
            let broken_pipe = error
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe);
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("faqbot: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the default filter. Message text
/// is only ever logged at debug level (also a library's: see
/// `faqbot::logging`). The bot (`run`) logs its decisions at
/// info and keeps serenity's chatty targets at warn; the terminal commands
/// log only warnings, so their output stays readable.
fn init_logging(command: &Command) {
    let default = match command {
        #[cfg(feature = "discord")]
        Command::Run { .. } => faqbot::discord::DEFAULT_LOG_FILTER,
        _ => "warn",
    };
    faqbot::logging::init(default);
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
        Command::Explain { query } => {
            match faqbot::safety::EmergencyScreen::load_dir(&config.faq_dir) {
                Ok(screen) => {
                    print!("{}", screen.explain(&query.join(" ")));
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    for problem in &problems {
                        eprintln!("{problem}");
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Symptoms {
            answers,
            json,
            graph,
        } => symptoms(&config, answers.as_deref(), json, graph),
        #[cfg(feature = "discord")]
        Command::Run {
            shards,
            shard_count,
        } => {
            let mut config = config;
            if shards.is_some() {
                config.discord.shards = shards;
            }
            if shard_count.is_some() {
                config.discord.shard_count = shard_count;
            }
            // The file's values were checked at load; what the command line
            // changed is checked here, with the same messages.
            if let Err(message) = config.discord.shard_range() {
                anyhow::bail!("{message}");
            }
            faqbot::discord::run(config)
        }
        Command::History { json, id } => {
            faqbot::admin::cli::history(&config.admin, id.as_deref(), json)
        }
        Command::Versions { json } => faqbot::admin::cli::versions(&config.admin, json),
        Command::Gaps { json, chart } => {
            let code = faqbot::admin::cli::gaps(&config, &config.admin, json)?;
            match chart {
                Some(path) => faqbot::admin::cli::gaps_chart(
                    &config,
                    &config.admin,
                    &path,
                    std::time::SystemTime::now(),
                    &mut std::io::stderr().lock(),
                ),
                None => Ok(code),
            }
        }
        Command::Teach {
            gap,
            to,
            new,
            answer_file,
            sources,
            yes,
        } => faqbot::admin::teach::cli(
            &config,
            &faqbot::admin::teach::TeachArgs {
                gap,
                to,
                new,
                answer_file,
                sources,
                yes,
                who: faqbot::admin::teach::cli_author(),
            },
        ),
        Command::Check {
            json,
            strict,
            self_test: _,
            no_self_test,
            dir,
        } => {
            let dir = dir.unwrap_or_else(|| config.faq_dir.clone());
            check(&dir, json, strict, !no_self_test)
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
    offers_check: bool,
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
                offers_check: assessment.offers_check,
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
        for line in console::input_lines(io::stdin().lock()) {
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
    symptom_questions: Vec<&'a str>,
    problems: &'a [Problem],
    warnings: &'a [Problem],
    readings: &'a [faqbot::review::TextReading],
}

fn check(
    dir: &std::path::Path,
    json: bool,
    strict: bool,
    self_test: bool,
) -> anyhow::Result<ExitCode> {
    // Every path is walked, always; a clean result lets the next start-up
    // skip the walk.
    let record = faqbot::symptoms::ValidationRecord::from_env();
    let checked =
        Knowledge::check_folder_with(dir, |check, ids| record.validate_always(check, ids));
    let problems = &checked.problems;
    let review = faqbot::review::review(dir, &checked, self_test);
    let failed = !problems.is_empty() || (strict && !review.warnings.is_empty());
    if json {
        let report = CheckReport {
            ok: !failed,
            warnings: &review.warnings,
            readings: &review.readings,
            dir: dir.display().to_string(),
            entries: checked.faq.ids().collect(),
            symptom_questions: checked
                .symptoms
                .as_ref()
                .map(|check| check.questions.iter().map(|q| q.id.as_str()).collect())
                .unwrap_or_default(),
            problems,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if problems.is_empty() {
        let (questions, outcomes) = checked.symptoms.as_ref().map_or((0, 0), |check| {
            (check.questions.len(), check.outcomes.len())
        });
        let grades: Vec<String> = ["answer", "outcome"]
            .into_iter()
            .filter_map(|kind| {
                review.hardest(kind).map(|hardest| {
                    format!(
                        "{kind}s read at grade {:.1} (median; highest {:.1}, {})",
                        review.median(kind),
                        hardest.grade,
                        hardest.id
                    )
                })
            })
            .collect();
        println!(
            "{}: ok, {} FAQ entries, {} synonym phrases, symptom check with {} questions and {} outcomes; {}",
            dir.display(),
            checked.faq.entries.len(),
            checked.faq.synonyms.n_phrases(),
            questions,
            outcomes,
            grades.join("; ")
        );
    } else {
        for problem in problems {
            println!("{problem}");
        }
    }
    if !json {
        for warning in &review.warnings {
            println!("{warning}");
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn symptoms(
    config: &Config,
    answers: Option<&std::path::Path>,
    json: bool,
    graph: bool,
) -> anyhow::Result<ExitCode> {
    let Some(engine) = load_engine(config) else {
        return Ok(ExitCode::from(1));
    };
    let knowledge = engine.knowledge();
    if graph {
        print!("{}", faqbot::symptoms::graph::mermaid(&knowledge.symptoms));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = answers {
        // Read like the FAQ's files: a FIFO or a device is refused, not
        // waited on or read without end, and the size is limited.
        let mut problems = Vec::new();
        let Some(text) = faqbot::files::read_text(
            path,
            faqbot::symptoms::MAX_ANSWERS_FILE_BYTES,
            &mut problems,
        ) else {
            for problem in &problems {
                eprintln!("faqbot: {problem}");
            }
            return Ok(ExitCode::from(2));
        };
        return match faqbot::symptoms::run_answers(&knowledge.symptoms, &text) {
            Ok(result) => {
                if json {
                    println!("{}", serde_json::to_string(&result)?);
                } else {
                    println!(
                        "triage: {}\npattern: {}\noutcome: {}\nasked: {}",
                        result.triage,
                        result.pattern,
                        result.outcome,
                        result.asked.join(", ")
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                eprintln!("faqbot: {}: {error}", path.display());
                Ok(ExitCode::from(2))
            }
        };
    }
    let stdin = io::stdin();
    console::run_symptoms(&engine, stdin.lock(), io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}
