//! Logging that never carries what people wrote.
//!
//! The bot's own code logs message text only at debug level. Libraries do
//! not promise that: serenity logs the whole gateway payload (someone's
//! message) at warn when it cannot parse an event, and the error it gives
//! can quote the text too. Those events are withheld from the log whatever
//! the filter says: a line in their place says that an event could not be
//! read, without its content. Colour codes are written only to a
//! terminal, so log files stay plain text.

use std::fmt;
use std::io::{self, IsTerminal};
use std::time::SystemTime;

use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// Targets whose warnings and errors may quote a gateway payload (serenity
/// 0.12: `gateway/ws.rs` logs "Err deserializing text: …; text: {payload}").
const PAYLOAD_TARGETS: [&str; 1] = ["serenity::gateway::ws"];

/// Whether an event may quote what somebody wrote and must not be logged as
/// it is. Debug and trace may (`RUST_LOG` asks for them on purpose).
pub fn is_withheld(metadata: &Metadata<'_>) -> bool {
    metadata.is_event()
        && *metadata.level() <= Level::INFO
        && PAYLOAD_TARGETS.contains(&metadata.target())
}

/// Formats events with `F`, except withheld ones, which are written as a
/// line saying that an event was dropped, without its content.
pub struct Redacting<F>(pub F);

impl<S, N, F> FormatEvent<S, N> for Redacting<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let metadata = event.metadata();
        if is_withheld(metadata) {
            let now = crate::admin::time::unix_seconds(SystemTime::now());
            return writeln!(
                writer,
                "{} {} {}: a Discord gateway event could not be read and was dropped; its text \
                 is not logged because it may hold what somebody wrote",
                crate::admin::time::timestamp(now),
                metadata.level(),
                metadata.target()
            );
        }
        self.0.format_event(context, writer, event)
    }
}

/// Installs the global logger: `RUST_LOG` or `default` as the filter,
/// standard error as the output, colours only on a terminal.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let subscriber = subscriber(filter, io::stderr, io::stderr().is_terminal());
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        eprintln!("faqbot: a logger was already installed");
    }
}

/// The logger: `filter`, written to `writer`, coloured when `ansi`, with
/// withheld events redacted.
pub fn subscriber<W>(filter: EnvFilter, writer: W, ansi: bool) -> impl Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
        .event_format(Redacting(tracing_subscriber::fmt::format()))
        .finish()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    /// Issue 13, defect 9: serenity's warning with a whole gateway payload
    /// (somebody's message) never reaches the log, even with every target
    /// at warn; a warning without the content says that an event was
    /// dropped; other warnings pass, and nothing is coloured.
    #[test]
    fn a_gateway_payload_logged_by_serenity_never_reaches_the_log() {
        let buffer = Buffer::default();
        let subscriber = subscriber(EnvFilter::new("warn"), buffer.clone(), false);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                target: "serenity::gateway::ws",
                "Err deserializing text: bad; text: {}",
                "{\"content\":\"my calf hurts SECRET-TEXT\"}"
            );
            tracing::warn!(target: "serenity::gateway::shard", "Gateway ratelimited.");
        });
        let log = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("UTF-8");
        assert!(!log.contains("SECRET-TEXT"), "{log}");
        assert!(log.contains("could not be read and was dropped"), "{log}");
        assert!(log.contains("Gateway ratelimited"), "{log}");
        assert!(!log.contains('\u{1b}'), "no colour codes: {log}");
    }

    #[test]
    fn only_warnings_and_errors_of_payload_targets_are_withheld() {
        let buffer = Buffer::default();
        let subscriber = subscriber(EnvFilter::new("debug"), buffer.clone(), false);
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(target: "serenity::gateway::ws", "asked-for debug detail");
            tracing::error!(target: "serenity::gateway::ws", "error with ERROR-TEXT");
        });
        let log = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("UTF-8");
        assert!(log.contains("asked-for debug detail"), "{log}");
        assert!(!log.contains("ERROR-TEXT"), "{log}");
    }
}
