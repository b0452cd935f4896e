//! The crate's one error type.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::client::RateLimitInfo;
use crate::requests::RequestStatus;

/// The result type of every call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to Opsgenie.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Opsgenie answered with an error status (other than 429).
    #[error("opsgenie api error {}: {}", .0.status, .0.message)]
    Api(Box<ApiError>),

    /// Opsgenie refused the request because a rate limit was hit (HTTP 429), and retries ran out.
    #[error("rate limited by opsgenie (status {status}){}", retry_after_text(.retry_after))]
    RateLimited {
        /// The HTTP status (429).
        status: u16,
        /// How long the server asked us to wait, when it said so.
        retry_after: Option<Duration>,
        /// The `X-RateLimit-*` headers of the refusal.
        rate_limit: RateLimitInfo,
        /// The request id Opsgenie gave the refused request, when it gave one.
        request_id: Option<String>,
    },

    /// A successful answer whose body is not the expected JSON.
    #[error("could not decode the answer (status {status}) at `{path}`: {source}")]
    Decode {
        /// The HTTP status of the answer.
        status: u16,
        /// Where in the JSON document decoding failed.
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

    /// An attempt did not finish within the configured timeout.
    #[error("request timed out after {after:?}")]
    Timeout {
        /// The timeout that was exceeded.
        after: Duration,
    },

    /// A value given to a builder breaks a documented limit; nothing was sent.
    #[error("invalid input for `{field}`: {reason}")]
    InvalidInput {
        /// The field (or option) that is wrong.
        field: &'static str,
        /// Why it is wrong.
        reason: String,
    },

    /// The answer was larger than the client's `max_response_bytes`.
    #[error("response body larger than {limit} bytes")]
    BodyTooLarge {
        /// The configured limit.
        limit: usize,
    },

    /// Opsgenie processed an asynchronous request and reports that it failed
    /// (for example `Alert does not exist`).
    #[error("opsgenie request {} failed: {}", .0.request_id, .0.status)]
    RequestFailed(Box<RequestFailure>),

    /// The backend the client was built for does not offer this call (for example
    /// incidents on JSM Operations); nothing was sent.
    #[error("{operation} is not supported on {backend}")]
    Unsupported {
        /// The backend (`"jsm"` or `"opsgenie"`).
        backend: &'static str,
        /// What was asked for.
        operation: &'static str,
    },

    /// Opsgenie had not processed an asynchronous request before the wait timed out.
    #[error("opsgenie request {request_id} not processed after {after:?}")]
    OutcomeTimeout {
        /// The request that is still pending.
        request_id: String,
        /// How long we waited.
        after: Duration,
    },
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {d:?}"),
        None => String::new(),
    }
}

/// The details of an error answer from Opsgenie.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// Opsgenie's `message` (JSM: the `message` of a 401, else the first `errors[].title`; a
    /// description of the status when the body has none).
    pub message: String,
    /// The raw body, truncated to 4 KiB.
    pub body: String,
    /// Opsgenie's `requestId` (from the body or the `X-Request-ID` header).
    pub request_id: Option<String>,
    /// Field errors of a 422 answer (Opsgenie's `errors: {field: message}`; JSM's
    /// `errors: [{title, code}]` as `code -> title`).
    pub errors: BTreeMap<String, String>,
    /// The `X-Opsgenie-Errortype` header (for example `RequestNotProcessed`), or on JSM the
    /// first `errors[].code`.
    pub error_type: Option<String>,
}

impl ApiError {
    /// Whether the status is 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// Whether the status is 401 Unauthorized (bad key or disabled integration).
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    /// Whether this 404 means "the asynchronous request has not been processed yet".
    pub fn is_request_not_processed(&self) -> bool {
        self.status == 404 && self.error_type.as_deref() == Some("RequestNotProcessed")
    }
}

/// A processed asynchronous request that Opsgenie reports as failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RequestFailure {
    /// The request id that was polled.
    pub request_id: String,
    /// The server's status text, for example `Alert does not exist`.
    pub status: String,
    /// The full request status as Opsgenie returned it.
    pub details: RequestStatus,
}

impl Error {
    /// The HTTP status of an API, rate-limit or decode error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::RateLimited { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The Opsgenie request id attached to this error, when there is one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::RateLimited { request_id, .. } => request_id.as_deref(),
            Error::RequestFailed(f) => Some(&f.request_id),
            Error::OutcomeTimeout { request_id, .. } => Some(request_id),
            _ => None,
        }
    }

    /// The API error details, when Opsgenie answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a 404 Not Found answer.
    pub fn is_not_found(&self) -> bool {
        self.as_api().is_some_and(ApiError::is_not_found)
    }

    /// Whether this is a 401 Unauthorized answer.
    pub fn is_unauthorized(&self) -> bool {
        self.as_api().is_some_and(ApiError::is_unauthorized)
    }

    /// Whether Opsgenie throttled the request (429).
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
            // The core's error enum is non-exhaustive; a variant it adds later is a transport
            // failure as far as this crate knows.
            other => Error::invalid("request", other.to_string()),
        }
    }
}

/// Parses an error body defensively: any shape, any content type.
pub(crate) fn api_error(
    status: u16,
    body: &[u8],
    header_request_id: Option<String>,
    error_type: Option<String>,
) -> ApiError {
    let text = String::from_utf8_lossy(body);
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| -> Option<String> {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    // Atlassian's gateway (JSM Operations) may answer `{"errorMessages": ["..."], "errors": {..}}`.
    let first_error_message = || {
        parsed
            .as_ref()
            .and_then(|v| v.get("errorMessages"))
            .and_then(|v| v.as_array())
            .and_then(|list| list.iter().find_map(|m| m.as_str()))
            .map(str::to_owned)
    };
    // JSM Operations' `ErrorResponses`: `{"errors": [{"title": "...", "code": "..."}]}`; the
    // title is what users should see. (Its 401 is `{code: <integer>, message}`.)
    let jsm_errors: Vec<(Option<String>, Option<String>)> = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .map(|e| {
                    let text = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                    (text("title"), text("code"))
                })
                .collect()
        })
        .unwrap_or_default();
    let first_title = || jsm_errors.iter().find_map(|(title, _)| title.clone());
    let message = field("message")
        .or_else(|| field("error"))
        .or_else(first_error_message)
        .or_else(first_title)
        .unwrap_or_else(|| describe_status(status));
    // A JSM error's `code` names its kind, as Opsgenie's `X-Opsgenie-Errortype` header does.
    let error_type = error_type.or_else(|| jsm_errors.iter().find_map(|(_, code)| code.clone()));
    let request_id = field("requestId").or(header_request_id);
    let mut errors = BTreeMap::new();
    if let Some(map) = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|v| v.as_object())
    {
        for (k, v) in map {
            let msg = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            errors.insert(k.clone(), msg);
        }
    }
    for (i, (title, code)) in jsm_errors.iter().enumerate() {
        let key = code.clone().unwrap_or_else(|| i.to_string());
        errors.insert(key, title.clone().unwrap_or_default());
    }
    ApiError {
        status,
        message,
        body: truncate_chars(&text, 4096),
        request_id,
        errors,
        error_type,
    }
}

fn describe_status(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| r.to_ascii_lowercase())
        .unwrap_or_else(|| format!("http status {status}"))
}

/// Truncates to at most `max` bytes on a character boundary.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}
