//! The decoder's error, and the decoder.

use super::{WebhookEvent, object};

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
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(WebhookError::Empty);
    }
    // A derived struct also reads a JSON array (fields by position): refuse anything but an
    // object before decoding, once the body is known to be JSON.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|source| WebhookError::NotJson { source })?;
        return Err(WebhookError::Shape {
            path: ".".to_owned(),
            source: serde::de::Error::invalid_type(
                object::unexpected(&value),
                &"an alert action payload",
            ),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let event = serde_path_to_error::deserialize::<_, WebhookEvent>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let source = e.into_inner();
        if source.is_data() {
            WebhookError::Shape { path, source }
        } else {
            WebhookError::NotJson { source }
        }
    })?;
    de.end()
        .map_err(|source| WebhookError::NotJson { source })?;
    Ok(event)
}
