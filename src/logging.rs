//! Log lines through `tracing-subscriber`: levels, timestamps, `RUST_LOG` filtering, and JSON
//! lines with `BOT_LOG_FORMAT=json`. Everything goes to stderr (the shell adapter's stdout is
//! the chat). The SDKs' own events (retries and throttling at `debug`, giving up at `warn`) come
//! through the same filter, e.g. `RUST_LOG=info,opsgenie_client=debug`.
//!
//! No key or token reaches a log line: the SDKs never log them, and the bot logs variable names
//! and ids, never values of secrets.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. `default` is the filter when `RUST_LOG` is not set.
/// Calling it again does nothing.
pub fn init(format: LogFormat, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
