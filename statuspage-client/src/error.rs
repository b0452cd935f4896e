//! The crate's error type.

use std::time::Duration;

/// The result type of every call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Statuspage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status (4xx or 5xx other than rate limiting).
    #[error("statuspage api error {}: {}", .0.status, .0.message)]
    Api(Box<ApiError>),

    /// The service refused the request because of its rate limit (420 or 429) and the
    /// retries ran out, or it asked for a longer wait than the policy allows.
    #[error("rate limited by statuspage (status {status}{})", retry_after_note(.retry_after))]
    RateLimited {
        /// The HTTP status (420 or 429).
        status: u16,
        /// How long the server asked to wait, when it said so.
        retry_after: Option<Duration>,
        /// The message the server sent with the refusal, if any.
        message: String,
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
        /// The first 200 characters of the body (lossy UTF-8).
        excerpt: String,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// The request could not be sent or the answer could not be read.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),

    /// An attempt took longer than the configured timeout.
    #[error("request timed out after {after:?}")]
    Timeout {
        /// The per-attempt timeout that was exceeded.
        after: Duration,
    },

    /// The caller passed a value the API would reject; nothing was sent.
    #[error("invalid input for `{field}`: {reason}")]
    InvalidInput {
        /// The name of the offending field or argument.
        field: &'static str,
        /// Why the value is rejected.
        reason: String,
    },

    /// The answer was larger than the configured maximum response size.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
}

fn retry_after_note(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {d:?}"),
        None => String::new(),
    }
}

impl Error {
    /// The HTTP status of the answer behind this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::RateLimited { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// `true` when the service answered 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(api) if api.is_not_found())
    }

    /// `true` when the service answered 401 Unauthorized (a wrong or missing key).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Api(api) if api.is_unauthorized())
    }

    /// `true` when the error is a rate-limit refusal.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

impl From<opsbot_http::Error> for Error {
    fn from(error: opsbot_http::Error) -> Self {
        match error {
            opsbot_http::Error::InvalidInput { field, reason } => {
                Error::InvalidInput { field, reason }
            }
            opsbot_http::Error::Transport(e) => Error::Transport(e),
            opsbot_http::Error::Timeout { after } => Error::Timeout { after },
            opsbot_http::Error::BodyTooLarge { limit } => Error::BodyTooLarge { limit },
            opsbot_http::Error::Decode {
                status,
                path,
                excerpt,
                source,
            } => Error::Decode {
                status,
                path,
                excerpt,
                source,
            },
            // The core's error enum may grow; a new kind is a transport failure until mapped.
            other => Error::InvalidInput {
                field: "request",
                reason: other.to_string(),
            },
        }
    }
}

/// An error answer from the service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The error message, taken from whatever shape the body has (`{"message"}`, `{"error"}`,
    /// `{"errors": [...]}`, an array, a plain string), or the status reason when there is none.
    pub message: String,
    /// The raw body, truncated to 4 KiB.
    pub body: String,
}

const MAX_BODY_IN_ERROR: usize = 4096;

impl ApiError {
    /// `true` for 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// `true` for 401 Unauthorized.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let message = message_from_body(&text).unwrap_or_else(|| {
            reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("unknown error")
                .to_lowercase()
        });
        ApiError {
            status,
            message,
            body: truncate(&text, MAX_BODY_IN_ERROR),
        }
    }
}

/// Pulls a human message out of an error body of any of the shapes Statuspage is seen to use.
pub(crate) fn message_from_body(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(value) => message_from_value(&value),
        // An HTML page from a proxy is not a message; a short plain string is.
        Err(_) if trimmed.starts_with('<') => None,
        Err(_) => Some(truncate(trimmed, 200)),
    }
}

fn message_from_value(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(message_from_value).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(map) => ["message", "error", "errors", "error_message", "detail"]
            .iter()
            .find_map(|key| map.get(*key).and_then(message_from_value)),
        _ => None,
    }
}

/// The first `max` bytes of `text`, cut at a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_from_every_body_shape() {
        assert_eq!(
            message_from_body(r#"{"message":"nope"}"#).as_deref(),
            Some("nope")
        );
        assert_eq!(
            message_from_body(r#"{"error":"bad key"}"#).as_deref(),
            Some("bad key")
        );
        assert_eq!(
            message_from_body(r#"{"error":["name is blank","status is invalid"]}"#).as_deref(),
            Some("name is blank; status is invalid")
        );
        assert_eq!(message_from_body(r#"["a","b"]"#).as_deref(), Some("a; b"));
        assert_eq!(message_from_body(r#""plain""#).as_deref(), Some("plain"));
        assert_eq!(message_from_body("Not Found").as_deref(), Some("Not Found"));
        assert_eq!(message_from_body("<html><body>502</body></html>"), None);
        assert_eq!(message_from_body(""), None);
    }

    #[test]
    fn api_error_falls_back_to_the_status_reason_and_truncates() {
        let body = "<html>".repeat(2000);
        let err = ApiError::from_response(502, body.as_bytes());
        assert_eq!(err.message, "bad gateway");
        assert_eq!(err.body.len(), MAX_BODY_IN_ERROR);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
