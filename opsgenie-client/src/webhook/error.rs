//! The decoder's error, and the decoder.

use opsbot_http::object::ObjectError;

use super::WebhookEvent;

/// A webhook body that is not an alert action payload.
///
/// Messages never quote the body: a delivery may echo the integration's custom headers,
/// which often carry a shared secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is empty (or only white space).
    #[error("empty webhook body")]
    Empty,
    /// The body is not JSON.
    #[error("webhook body is not json: {source}")]
    NotJson {
        /// The JSON error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// The body is JSON, but not an alert action payload.
    #[error("webhook body is not an alert action payload at `{path}`: {source}")]
    Shape {
        /// Where in the document decoding failed (`.` for the top level).
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

pub(super) fn decode(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    opsbot_http::object::decode_object(body, "an alert action payload").map_err(|e| match e {
        ObjectError::Empty => WebhookError::Empty,
        ObjectError::Shape { path, source } => WebhookError::Shape { path, source },
        ObjectError::NotJson(source) => WebhookError::NotJson { source },
        // A later kind of refusal: still a body that is not JSON we can read.
        _ => WebhookError::NotJson {
            source: serde::de::Error::custom(e),
        },
    })
}
