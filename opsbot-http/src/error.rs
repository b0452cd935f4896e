//! The errors the core itself produces; each SDK maps them into its own error enum.

use std::time::Duration;

/// What can go wrong in the core, before a service's own error parsing is involved.
///
/// An SDK converts it into its error type (`impl From<opsbot_http::Error> for Error`); the
/// variants match the ones every SDK error enum already has, so the mapping is one line each.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller passed a value that cannot be sent; nothing was sent.
    #[error("invalid input for `{field}`: {reason}")]
    InvalidInput {
        /// The name of the offending field or argument.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },

    /// The request could not be sent or the answer could not be read. The URL is stripped,
    /// because some services carry a secret in the path.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),

    /// An attempt took longer than the configured timeout.
    #[error("request timed out after {after:?}")]
    Timeout {
        /// The per-attempt timeout that was exceeded.
        after: Duration,
    },

    /// A successful answer was larger than the configured limit.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },

    /// A successful answer whose body is not the expected JSON.
    #[error(
        "could not decode the response (status {status}) at `{path}`: {source}; body starts with {excerpt:?}"
    )]
    Decode {
        /// The HTTP status of the answer.
        status: u16,
        /// The JSON path at which decoding failed (`.` for the root).
        path: String,
        /// The first 200 characters of the body (lossy UTF-8, secrets redacted).
        excerpt: String,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// An [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}
