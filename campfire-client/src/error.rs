//! The crate's error type.

use std::time::Duration;

/// The result type of every call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Campfire.
///
/// No variant ever holds a bot key or an API token: URLs are stripped from transport errors of the bot
/// client (its key sits in the URL path) and bodies are kept only as the server sent them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error("campfire answered {}: {}", .0.status, .0.message)]
    Api(Box<ApiError>),
    /// The server refused the request because of its rate limit, and the retry policy gave up.
    #[error("rate limited by campfire (status {status}{})", retry_after_note(.retry_after))]
    RateLimited {
        /// The HTTP status (429 on the current Campfire, 503 with `Retry-After` on classic).
        status: u16,
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// A successful answer whose body is not the expected JSON.
    #[error("could not decode the answer (status {status}) at `{path}`: {source}")]
    Decode {
        /// The HTTP status of the answer.
        status: u16,
        /// Where in the document decoding failed (`messages[3].created_at`).
        path: String,
        /// The first 200 characters of the body.
        excerpt: String,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The request could not be sent or the answer could not be read.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// No answer arrived in time.
    #[error("no answer within {after:?}")]
    Timeout {
        /// The per-attempt timeout that ran out.
        after: Duration,
    },
    /// An argument was rejected before anything was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument that was rejected.
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The answer was larger than the configured limit.
    #[error("answer larger than {limit} bytes")]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The server did not accept the credentials (a bot key answered with a redirect to
    /// `/session/new`, a classic `401`, or `Access Denied` on the stream).
    #[error("authentication failed: {reason}")]
    Authentication {
        /// What the server did.
        reason: String,
    },
    /// A bot call on a room, message or boost answered 404: it does not exist, or the bot cannot reach it
    /// (not a member of the room, or a boost that is not the bot's own).
    ///
    /// The current Campfire answers 404 for each of these (`app/controllers/messages/by_bots_controller.rb`,
    /// `app/controllers/messages/boosts/by_bots_controller.rb` in `basecamp/once-campfire`). A server older
    /// than the bot's list, update, delete and boost routes answers 404 as well; the status cannot tell the
    /// two apart, so this error never claims the route is missing.
    #[error(
        "{operation}: {what} not found (404; a Campfire server without this bot route also answers 404)"
    )]
    NotFound {
        /// The operation that was attempted (`"list messages"`).
        operation: &'static str,
        /// What the server could not find (`"room or message"`).
        what: &'static str,
    },
    /// The server answered with something the protocol does not allow (a status or header the call
    /// cannot interpret).
    #[error("unexpected answer (status {status}): {reason}")]
    UnexpectedResponse {
        /// The HTTP status of the answer.
        status: u16,
        /// What was unexpected.
        reason: String,
    },
}

fn retry_after_note(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {}s", d.as_secs()),
        None => String::new(),
    }
}

/// An error status from the server, with whatever it said.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// A human-readable message: the `error`/`message` field of a JSON body, the body text, or the reason phrase.
    pub message: String,
    /// The raw body, truncated to 4 KiB.
    pub body: String,
}

impl ApiError {
    /// `true` for 404.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// `true` for 401 and 403.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401 || self.status == 403
    }

    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        const MAX_BODY: usize = 4096;
        let text = String::from_utf8_lossy(body);
        let body_text = truncate_chars(&text, MAX_BODY);
        let message = message_from_body(&text).unwrap_or_else(|| {
            reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error")
                .to_lowercase()
        });
        ApiError {
            status,
            message,
            body: body_text,
        }
    }
}

impl Error {
    /// The HTTP status behind this error, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::RateLimited { status, .. }
            | Error::Decode { status, .. }
            | Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::NotFound { .. } => Some(404),
            _ => None,
        }
    }

    /// `true` when the server rejected the credentials.
    pub fn is_unauthorized(&self) -> bool {
        match self {
            Error::Authentication { .. } => true,
            Error::Api(api) => api.is_unauthorized(),
            _ => false,
        }
    }

    /// `true` for a 404 answer ([`Error::NotFound`], or an [`Error::Api`] with status 404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

/// The JSON `error`/`message`/`errors` of a body, or the body itself when it is short plain text.
fn message_from_body(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) {
        for key in ["error", "message", "errors"] {
            match value.get(key) {
                Some(serde_json::Value::String(s)) => return Some(s.clone()),
                Some(v @ (serde_json::Value::Array(_) | serde_json::Value::Object(_))) => {
                    return Some(v.to_string());
                }
                _ => {}
            }
        }
        return None;
    }
    if trimmed.starts_with('<') || trimmed.chars().count() > 200 {
        return None;
    }
    Some(trimmed.to_owned())
}

pub(crate) fn truncate_chars(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}

/// Decodes a JSON body, naming the failing path.
///
/// Not `opsbot_http::decode`, which refuses a body with invalid UTF-8 anywhere: Campfire answers are decoded
/// with `serde_json::from_slice`, which tolerates it in a field the model does not read (`tests/hostile.rs`
/// holds the case), so one bad byte in an ignored field does not lose a whole page.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T> {
    // Tracking the path costs about 40% of a decode (BENCHMARKS.md), so a body is decoded without it
    // (`from_slice` lets only whitespace follow the document: not a second document, not an HTML page a
    // proxy appended), and only one that fails is decoded again to name the path.
    let fast_error = match serde_json::from_slice(body) {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, source) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(err) => (err.path().to_string(), err.into_inner()),
        // The document itself decoded: what failed is what follows it.
        Ok(_) => (".".into(), fast_error),
    };
    Err(Error::Decode {
        status,
        path,
        excerpt: opsbot_http::excerpt(body),
        source,
    })
}

impl From<opsbot_http::Error> for Error {
    fn from(err: opsbot_http::Error) -> Self {
        match err {
            opsbot_http::Error::InvalidInput { field, reason } => {
                Error::InvalidInput { field, reason }
            }
            opsbot_http::Error::Transport(source) => Error::Transport(source),
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
            other => Error::UnexpectedResponse {
                status: 0,
                reason: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_message_shapes() {
        assert_eq!(
            ApiError::from_response(422, br#"{"error":"body is empty"}"#).message,
            "body is empty"
        );
        assert_eq!(
            ApiError::from_response(404, b"<html>nope</html>").message,
            "not found"
        );
        assert_eq!(ApiError::from_response(403, b"").message, "forbidden");
        assert_eq!(
            ApiError::from_response(500, b"Access Denied").message,
            "Access Denied"
        );
    }

    #[test]
    fn trailing_characters_are_a_decode_error() {
        assert_eq!(decode_json::<u64>(200, b" 7 \r\n").ok(), Some(7));
        for body in [&b"7 8"[..], b"{} <html>", b"[1][2]"] {
            let err = decode_json::<serde_json::Value>(200, body).err();
            assert!(
                matches!(&err, Some(Error::Decode { path, .. }) if path == "."),
                "{err:?}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(opsbot_proptest::config!())]

        /// Whatever an error answer holds, it becomes an `ApiError` with a bounded body, without a panic.
        #[test]
        fn any_error_body_is_an_api_error(
            status in 100u16..1000,
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..9000),
        ) {
            let api = ApiError::from_response(status, &body);
            proptest::prop_assert!(api.body.len() <= 4096);
            proptest::prop_assert_eq!(api.status, status);
            proptest::prop_assert!(!api.message.is_empty());
        }

        /// Whatever a success answer holds, decoding ends in a value or a `Decode` error with a short excerpt.
        #[test]
        fn any_success_body_decodes_or_is_a_decode_error(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000),
        ) {
            match decode_json::<crate::classic::Message>(200, &body) {
                Ok(_) => {}
                Err(Error::Decode { excerpt, .. }) => {
                    proptest::prop_assert!(excerpt.chars().count() <= 200);
                }
                Err(other) => proptest::prop_assert!(false, "{other:?}"),
            }
        }
    }

    #[test]
    fn body_is_truncated_on_a_char_boundary() {
        let body = "é".repeat(3000);
        let api = ApiError::from_response(500, body.as_bytes());
        assert!(api.body.len() <= 4096);
        assert!(api.body.chars().all(|c| c == 'é'));
    }
}
