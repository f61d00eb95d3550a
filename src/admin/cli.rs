//! `faqbot history [ID] [--json]` and `faqbot gaps [--json]`: read-only
//! views of the admin database for moderators at a terminal. Neither
//! creates nor changes the database; when it does not exist yet, or gaps
//! are off, they say so. (`faqbot teach`, which does change the FAQ and the
//! database, is [`super::teach`].)

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use serde::Serialize;

use super::chart::UsageChart;
use super::gaps::{EntryUse, GapReport, Gaps};
use super::history::{History, HistoryRow, ServedVersion};
use super::settings::AdminSettings;
use crate::config::Config;
use crate::engine::Knowledge;

/// `faqbot history [ID] [--json]`: the recorded changes, newest first (of
/// one entry with `ID`, with the diff of each change).
pub fn history(
    settings: &AdminSettings,
    entry_id: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    history_to(
        settings,
        entry_id,
        json,
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    )
}

/// [`history`], writing to `out` and notes to `notes`.
pub fn history_to(
    settings: &AdminSettings,
    entry_id: Option<&str>,
    json: bool,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let opened = History::open_read_only_for(settings)
        .with_context(|| format!("opening {}", settings.store_label()))?;
    let rows = match opened {
        Some(history) => history.list(entry_id).context("reading the history")?,
        None => {
            writeln!(
                notes,
                "No history yet: {}. The bot creates it when it runs, and \
                 records every FAQ change from then on.",
                settings.missing_store()
            )?;
            Vec::new()
        }
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        match entry_id {
            Some(id) => writeln!(out, "No recorded changes to `{id}`.")?,
            None => writeln!(out, "No recorded changes.")?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    for row in &rows {
        write_row(out, row, entry_id.is_some())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_row(out: &mut dyn Write, row: &HistoryRow, with_diff: bool) -> io::Result<()> {
    writeln!(
        out,
        "{}  {}  {}  {}",
        row.at,
        row.entry_id,
        row.kind.as_str(),
        row.author()
    )?;
    if with_diff {
        for line in row.diff().lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `faqbot versions [--json]`: which FAQ version each running bot process
/// serves (processes heard of in the last three minutes).
pub fn versions(settings: &AdminSettings, json: bool) -> anyhow::Result<ExitCode> {
    versions_to(
        settings,
        json,
        SystemTime::now(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    )
}

/// [`versions`] at `now`, writing to `out` and notes to `notes`.
pub fn versions_to(
    settings: &AdminSettings,
    json: bool,
    now: SystemTime,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let opened = History::open_read_only_for(settings)
        .with_context(|| format!("opening {}", settings.store_label()))?;
    let served = match opened {
        Some(history) => history
            .served_versions(now)
            .context("reading the served versions")?,
        None => {
            writeln!(
                notes,
                "No data yet: {}. The bot creates it when it runs.",
                settings.missing_store()
            )?;
            Vec::new()
        }
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &served)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(out, "{}", versions_text(&served))?;
    Ok(ExitCode::SUCCESS)
}

/// The served versions as lines for people (also `/faq-admin reload`'s).
pub fn versions_text(served: &[ServedVersion]) -> String {
    if served.is_empty() {
        return "No running bot process has recorded the FAQ version it serves.\n".to_owned();
    }
    let distinct: BTreeSet<&str> = served.iter().map(|s| s.version.as_str()).collect();
    let mut text = if distinct.len() == 1 {
        format!(
            "{} process(es) serve FAQ version {}.\n",
            served.len(),
            served[0].version
        )
    } else {
        format!(
            "{} process(es) serve {} different FAQ versions:\n",
            served.len(),
            distinct.len()
        )
    };
    for process in served {
        text.push_str(&format!(
            "  {}  {}  since {}\n",
            process.version, process.process, process.since
        ));
    }
    text
}

#[derive(Serialize)]
struct GapsOutput<'a> {
    #[serde(flatten)]
    report: &'a GapReport,
    stats: &'a [EntryUse],
}

/// `faqbot gaps [--json]`: the messages the bot could not answer, grouped,
/// biggest group first with the nearest entry; then how often each entry
/// was answered.
pub fn gaps(config: &Config, settings: &AdminSettings, json: bool) -> anyhow::Result<ExitCode> {
    gaps_to(
        config,
        settings,
        json,
        SystemTime::now(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    )
}

/// [`gaps`] at `now`, writing to `out` and notes to `notes`.
pub fn gaps_to(
    config: &Config,
    settings: &AdminSettings,
    json: bool,
    now: SystemTime,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    if !settings.gaps_enabled {
        writeln!(
            notes,
            "The gaps report is off: set `gaps_enabled = true` under [admin] in the config to \
             store messages the bot could not answer (text, date and channel; never who wrote \
             them; deleted after {} days).",
            settings.gaps_retention_days
        )?;
    }
    let opened = Gaps::open_read_only(settings)
        .with_context(|| format!("opening {}", settings.store_label()))?;
    let Some(store) = opened else {
        writeln!(
            notes,
            "No data yet: {}. The bot creates it when it runs.",
            settings.missing_store()
        )?;
        let empty = GapReport {
            enabled: settings.gaps_enabled,
            retention_days: settings.gaps_retention_days,
            n_messages: 0,
            groups: Vec::new(),
        };
        return write_gaps(out, &empty, &[], json);
    };
    let knowledge = match Knowledge::load(&config.faq_dir, config) {
        Ok(knowledge) => Some(knowledge),
        Err(problems) => {
            writeln!(
                notes,
                "The FAQ in {} has {} problem(s) (run `faqbot check`); nearest entries are \
                 not shown.",
                config.faq_dir.display(),
                problems.len()
            )?;
            None
        }
    };
    let mut report = if settings.gaps_enabled {
        store
            .report(knowledge.as_ref(), now)
            .context("reading stored messages")?
    } else {
        GapReport {
            enabled: false,
            retention_days: settings.gaps_retention_days,
            n_messages: 0,
            groups: Vec::new(),
        }
    };
    report.enabled = settings.gaps_enabled;
    let stats = store
        .stats(knowledge.as_ref().map(|k| &k.faq), now)
        .context("reading answer counts")?;
    write_gaps(out, &report, &stats, json)
}

fn write_gaps(
    out: &mut dyn Write,
    report: &GapReport,
    stats: &[EntryUse],
    json: bool,
) -> anyhow::Result<ExitCode> {
    if json {
        serde_json::to_writer_pretty(&mut *out, &GapsOutput { report, stats })?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if report.enabled {
        writeln!(
            out,
            "Messages the bot could not answer, last {} days: {} in {} group(s), biggest first.",
            report.retention_days,
            report.n_messages,
            report.groups.len()
        )?;
        for (number, group) in report.groups.iter().enumerate() {
            writeln!(out)?;
            write!(out, "{}. {} message(s)", number + 1, group.count)?;
            if group.n_suggested > 0 {
                write!(out, " ({} got \"did you mean\")", group.n_suggested)?;
            }
            if !group.common_words.is_empty() {
                write!(out, "; words: {}", group.common_words.join(", "))?;
            }
            writeln!(out)?;
            match &group.nearest {
                Some(nearest) => writeln!(
                    out,
                    "   nearest entry: {} ({:.2}): {}",
                    nearest.id, nearest.score, nearest.question
                )?,
                None => writeln!(out, "   nearest entry: none (a new entry may be needed)")?,
            }
            for example in &group.examples {
                writeln!(
                    out,
                    "   - #{} {} channel {}: {}",
                    example.id,
                    example.date,
                    example.channel_id,
                    one_line(&example.text)
                )?;
            }
        }
        if !report.groups.is_empty() {
            writeln!(
                out,
                "\nTeach the bot a message (#ID above): `faqbot teach ID --to ENTRY` adds it as an \
                 alternate phrasing of ENTRY, `faqbot teach ID --new NEW_ID --answer-file FILE \
                 --source \"TITLE URL\"` starts a new entry; both only preview until you add --yes."
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "Answers per entry, last {} days:",
        report.retention_days
    )?;
    if stats.is_empty() {
        writeln!(out, "  (none yet)")?;
    }
    for entry in stats {
        let note = if entry.in_faq { "" } else { " (removed)" };
        writeln!(out, "  {:>6}  {}{note}", entry.count, entry.entry_id)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A message on one line, cut to 200 characters.
pub(crate) fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 200 {
        let cut: String = joined.chars().take(199).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

/// `faqbot gaps --chart FILE`: writes the stats chart (answered and
/// unanswered per day, the most answered entries) as a PNG to `path`.
pub fn gaps_chart(
    config: &Config,
    settings: &AdminSettings,
    path: &Path,
    now: SystemTime,
    notes: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let (days, uses) = match Gaps::open_read_only(settings)
        .with_context(|| format!("opening {}", settings.store_label()))?
    {
        Some(store) => {
            let faq = Knowledge::load(&config.faq_dir, config).ok().map(|k| k.faq);
            (
                store.daily(now).context("reading counts per day")?,
                store
                    .stats(faq.as_ref(), now)
                    .context("reading answer counts")?,
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let png = UsageChart {
        days: &days,
        uses: &uses,
    }
    .png()?;
    std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))?;
    writeln!(notes, "Chart written to {}.", path.display())?;
    Ok(ExitCode::SUCCESS)
}
