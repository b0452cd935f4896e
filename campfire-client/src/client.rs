//! The request core shared by both generations: URL building, retries, the body size limit, error mapping
//! and tracing. The public clients are [`crate::once::BotClient`] and [`crate::classic::Client`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use url::Url;

use crate::error::{ApiError, Error, Result, decode_json};
use crate::retry::{FailureClass, RetryBudget, RetryPolicy, parse_retry_after};

/// The default per-attempt timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default limit of a buffered answer.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// The longest pause a `Retry-After` can impose when the policy allows any (the clock cannot go further).
const MAX_PAUSE: Duration = Duration::from_secs(365 * 24 * 3600);
/// How much of an error answer is read (its message and the 4 KiB excerpt come from the start).
const ERROR_BODY_BYTES: usize = 64 * 1024;

/// A secret (bot key token or API token) that never prints.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A file to send: an attachment on the current Campfire, an upload on classic.
///
/// ```
/// use campfire_client::FilePart;
///
/// let file = FilePart::new("deploy.log", b"all good\n".to_vec()).content_type("text/plain");
/// assert_eq!(file.file_name(), "deploy.log");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePart {
    file_name: String,
    content_type: Option<String>,
    data: Bytes,
}

impl FilePart {
    /// A file with its name and contents; the content type defaults to `application/octet-stream`.
    pub fn new(file_name: impl Into<String>, data: impl Into<Bytes>) -> Self {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            data: data.into(),
        }
    }

    /// Sets the MIME type (`image/png`, `text/plain`).
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent to the server.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The contents.
    pub fn data(&self) -> &Bytes {
        &self.data
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.file_name.trim().is_empty() {
            return Err(Error::invalid("file_name", "must not be empty"));
        }
        if self.file_name.contains(['/', '\\', '\r', '\n', '"']) {
            return Err(Error::invalid(
                "file_name",
                "must be a plain file name without path separators, quotes or line breaks",
            ));
        }
        if let Some(ct) = &self.content_type {
            let ok = ct.split_once('/').is_some_and(|(a, b)| {
                !a.is_empty() && !b.is_empty() && ct.is_ascii() && !ct.contains(['\r', '\n'])
            });
            if !ok {
                return Err(Error::invalid(
                    "content_type",
                    format!("not a MIME type: {ct:?}"),
                ));
            }
        }
        Ok(())
    }

    fn to_form(&self, field: &'static str) -> Result<reqwest::multipart::Form> {
        let part = reqwest::multipart::Part::bytes(self.data.to_vec())
            .file_name(self.file_name.clone())
            .mime_str(
                self.content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
            )
            .map_err(|_| Error::invalid("content_type", "not a MIME type"))?;
        Ok(reqwest::multipart::Form::new().part(field, part))
    }
}

/// A request body.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Empty,
    Json(Vec<u8>),
    Text(String),
    Multipart { field: &'static str, file: FilePart },
}

/// One call, as the core sends it.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// The path template for tracing (`/rooms/{room_id}/{bot_key}/messages`).
    pub(crate) template: &'static str,
    pub(crate) body: Body,
}

impl Request {
    pub(crate) fn new(method: Method, url: Url, template: &'static str) -> Self {
        Request {
            method,
            url,
            template,
            body: Body::Empty,
        }
    }

    pub(crate) fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    pub(crate) fn json<T: serde::Serialize>(self, value: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| Error::invalid("body", format!("cannot be encoded: {e}")))?;
        Ok(self.body(Body::Json(bytes)))
    }
}

/// A buffered answer.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The path of the URL that answered (differs from the request when a caller-supplied client followed a redirect).
    pub(crate) final_path: String,
    /// What to redact from errors made of this answer (a server may echo a key or a token back).
    pub(crate) secrets: Secrets,
}

impl Response {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn api_error(&self) -> Error {
        self.secrets
            .redact(Error::Api(Box::new(ApiError::from_response(
                self.status,
                &self.body,
            ))))
    }

    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        decode_json(self.status, &self.body).map_err(|e| self.secrets.redact(e))
    }
}

/// The secrets of a client, to be cut out of every error made of what a server sent: a server may echo
/// the request path (which holds the bot key) or the credentials in an error page or a wrongly typed field.
#[derive(Clone, Default)]
pub(crate) struct Secrets(Arc<[String]>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets(<{} redacted>)", self.0.len())
    }
}

impl Secrets {
    /// Secrets shorter than this are not searched for (they would match ordinary text).
    const MIN_LEN: usize = 6;

    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= Self::MIN_LEN)
            .collect();
        // Longest first, so a key is replaced whole before its token part.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(secrets.into())
    }

    pub(crate) fn redact_text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.0.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "<redacted>");
            }
            // An excerpt may end in the middle of a secret: cut that beginning too (from 4 characters on,
            // so ordinary text is rarely touched).
            let cut = (4..secret.len())
                .rev()
                .filter(|n| secret.is_char_boundary(*n))
                .find(|n| secret.get(..*n).is_some_and(|head| out.ends_with(head)));
            if let Some(n) = cut {
                out.truncate(out.len() - n);
                out.push_str("<redacted>");
            }
        }
        out
    }

    fn contains_any(&self, text: &str) -> bool {
        self.0.iter().any(|s| text.contains(s.as_str()))
    }

    /// The error with every secret cut out of the server's words in it.
    pub(crate) fn redact(&self, err: Error) -> Error {
        if self.0.is_empty() {
            return err;
        }
        match err {
            Error::Api(mut api) => {
                api.message = self.redact_text(&api.message);
                api.body = self.redact_text(&api.body);
                Error::Api(api)
            }
            Error::Decode {
                status,
                path,
                excerpt,
                source,
            } => {
                let source_text = source.to_string();
                let source = if self.contains_any(&source_text) {
                    // serde_json quotes offending values in its message; rebuild it without them.
                    <serde_json::Error as serde::de::Error>::custom(self.redact_text(&source_text))
                } else {
                    source
                };
                Error::Decode {
                    status,
                    path: self.redact_text(&path),
                    excerpt: self.redact_text(&excerpt),
                    source,
                }
            }
            other => other,
        }
    }
}

/// Authentication applied to every request of a core.
#[derive(Clone, Debug)]
pub(crate) enum Auth {
    /// The secret is in the URL (the bot key).
    InPath,
    /// HTTP Basic with the token as user and `X` as password (classic).
    BasicToken(Secret),
}

/// The options every client builder shares.
#[derive(Clone, Debug)]
pub(crate) struct CommonOptions {
    pub(crate) timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
}

impl CommonOptions {
    pub(crate) fn new(user_agent: String) -> Self {
        CommonOptions {
            timeout: DEFAULT_TIMEOUT,
            user_agent,
            http: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// The private request core: one per client, shared by its clones.
#[derive(Debug)]
pub(crate) struct Core {
    http: reqwest::Client,
    timeout: Duration,
    user_agent: HeaderValue,
    retry: RetryPolicy,
    max_response_bytes: usize,
    auth: Auth,
    /// Classic Campfire signals its rate limit with 503 + `Retry-After`.
    throttle_on_503_retry_after: bool,
    /// Strip URLs from transport errors (the bot key is in the path).
    strip_urls: bool,
    budget: RetryBudget,
    not_before: Mutex<Option<tokio::time::Instant>>,
    secrets: Secrets,
}

enum AttemptError {
    Final(Error),
    Retryable(FailureClass, Error),
}

impl Core {
    pub(crate) fn new(
        options: CommonOptions,
        auth: Auth,
        throttle_on_503_retry_after: bool,
        strip_urls: bool,
        secrets: Secrets,
    ) -> Result<Self> {
        let user_agent = HeaderValue::from_str(&options.user_agent).map_err(|_| {
            Error::invalid("user_agent", "must be visible ASCII without line breaks")
        })?;
        let http = match options.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(options.timeout.min(Duration::from_secs(10)))
                .build()
                .map_err(|e| Error::Transport(e.without_url()))?,
        };
        Ok(Core {
            http,
            timeout: options.timeout,
            user_agent,
            retry: options.retry,
            max_response_bytes: options.max_response_bytes,
            auth,
            throttle_on_503_retry_after,
            strip_urls,
            budget: RetryBudget::new(),
            not_before: Mutex::new(None),
            secrets,
        })
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The error with the client's secrets cut out of what the server said in it.
    pub(crate) fn redact(&self, err: Error) -> Error {
        self.secrets.redact(err)
    }

    /// A request builder with the user agent and authentication applied, for calls that do not buffer
    /// (the classic live stream).
    pub(crate) fn raw_request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let builder = self
            .http
            .request(method, url)
            .header(header::USER_AGENT, self.user_agent.clone());
        match &self.auth {
            Auth::InPath => builder,
            Auth::BasicToken(token) => builder.basic_auth(token.expose(), Some("X")),
        }
    }

    pub(crate) fn transport_error(&self, err: reqwest::Error) -> Error {
        if err.is_timeout() {
            return Error::Timeout {
                after: self.timeout,
            };
        }
        Error::Transport(if self.strip_urls {
            err.without_url()
        } else {
            err
        })
    }

    /// Sends a request through the retry policy and buffers the answer.
    ///
    /// Returns every answer that is not retried, whatever its status (callers map statuses to errors);
    /// throttling that outlasts the policy is [`Error::RateLimited`].
    pub(crate) async fn execute(&self, request: Request) -> Result<Response> {
        let span = tracing::debug_span!(
            "campfire.request",
            method = %request.method,
            path = request.template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        self.execute_inner(request).instrument(span).await
    }

    async fn execute_inner(&self, request: Request) -> Result<Response> {
        let idempotent = request.method != Method::POST;
        let mut waited = Duration::ZERO;
        let mut attempt: u32 = 1;
        loop {
            tracing::Span::current().record("attempt", attempt);
            self.wait_not_before().await;
            let (class, error, retry_after, response) = match self.attempt(&request).await {
                Ok(response) => {
                    tracing::Span::current().record("status", response.status);
                    let retry_after = response
                        .header(header::RETRY_AFTER.as_str())
                        .and_then(parse_retry_after);
                    match self.classify_status(response.status, retry_after.is_some()) {
                        None => {
                            self.budget.refund();
                            return Ok(response);
                        }
                        Some(class) => (class, None, retry_after, Some(response)),
                    }
                }
                Err(AttemptError::Final(error)) => return Err(error),
                Err(AttemptError::Retryable(class, error)) => (class, Some(error), None, None),
            };

            let give_up = |response: Option<Response>, error: Option<Error>| -> Result<Response> {
                match (class, response, error) {
                    (FailureClass::Throttling, Some(r), _) => Err(Error::RateLimited {
                        status: r.status,
                        retry_after,
                    }),
                    (_, Some(r), _) => Ok(r),
                    (_, None, Some(e)) => Err(e),
                    (_, None, None) => Err(Error::UnexpectedResponse {
                        status: 0,
                        reason: "no answer".into(),
                    }),
                }
            };

            if let (FailureClass::Throttling, Some(after)) = (class, retry_after) {
                if after > self.retry.max_retry_after() {
                    tracing::warn!(
                        ?after,
                        "retry-after longer than the policy allows; giving up"
                    );
                    return give_up(response, error);
                }
                // A server may name any delay; a policy may allow any: never overflow the clock.
                let now = tokio::time::Instant::now();
                let until = now.checked_add(after).unwrap_or(now + MAX_PAUSE);
                let mut guard = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
                if guard.is_none_or(|current| current < until) {
                    *guard = Some(until);
                }
            }

            let delay = match (class, retry_after) {
                (FailureClass::Throttling, Some(after)) => after,
                _ => self.retry.backoff(attempt),
            };
            let may_retry = attempt < self.retry.max_attempts()
                && class.retryable(idempotent)
                && waited.saturating_add(delay) <= self.retry.max_total_delay()
                && self.budget.try_acquire(class);
            if !may_retry {
                if attempt > 1 || class.retryable(idempotent) {
                    tracing::warn!(attempt, ?class, "giving up");
                }
                return give_up(response, error);
            }
            tracing::debug!(attempt, ?class, ?delay, "retrying");
            tokio::time::sleep(delay).await;
            waited = waited.saturating_add(delay);
            attempt += 1;
        }
    }

    fn classify_status(&self, status: u16, has_retry_after: bool) -> Option<FailureClass> {
        match status {
            429 => Some(FailureClass::Throttling),
            503 if has_retry_after && self.throttle_on_503_retry_after => {
                Some(FailureClass::Throttling)
            }
            500 | 502 | 503 | 504 => Some(FailureClass::Server),
            _ => None,
        }
    }

    async fn wait_not_before(&self) {
        let until = *self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = until
            && until > tokio::time::Instant::now()
        {
            tokio::time::sleep_until(until).await;
        }
    }

    async fn attempt(&self, request: &Request) -> Result<Response, AttemptError> {
        let mut builder = self.raw_request(request.method.clone(), request.url.clone());
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Text(text) => builder
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(text.clone()),
            Body::Multipart { field, file } => {
                builder.multipart(file.to_form(field).map_err(AttemptError::Final)?)
            }
        };
        builder = builder.header(header::ACCEPT, "application/json");
        match tokio::time::timeout(self.timeout, self.send_and_read(builder)).await {
            Ok(result) => result,
            Err(_) => Err(AttemptError::Retryable(
                FailureClass::Transient,
                Error::Timeout {
                    after: self.timeout,
                },
            )),
        }
    }

    async fn send_and_read(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<Response, AttemptError> {
        let mut response = builder.send().await.map_err(|e| self.classify_error(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let final_path = response.url().path().to_owned();
        let limit = self.max_response_bytes;
        let mut body = Vec::new();
        if status.is_success() {
            if response
                .content_length()
                .is_some_and(|len| len > limit as u64)
            {
                return Err(AttemptError::Final(Error::BodyTooLarge { limit }));
            }
            while let Some(chunk) = response.chunk().await.map_err(|e| self.classify_error(e))? {
                if body.len() + chunk.len() > limit {
                    return Err(AttemptError::Final(Error::BodyTooLarge { limit }));
                }
                body.extend_from_slice(&chunk);
            }
        } else {
            // An error answer is kept only for its message (`ApiError::body` holds 4 KiB): read the start
            // and drop the rest, so a huge error page is still an error with its status (and a 5xx is
            // still retried), not `BodyTooLarge`.
            let cap = ERROR_BODY_BYTES.min(limit);
            while body.len() < cap {
                let Some(chunk) = response.chunk().await.map_err(|e| self.classify_error(e))?
                else {
                    break;
                };
                let room = cap - body.len();
                body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            }
        }
        Ok(Response {
            status: status.as_u16(),
            headers,
            body: Bytes::from(body),
            final_path,
            secrets: self.secrets.clone(),
        })
    }

    fn classify_error(&self, err: reqwest::Error) -> AttemptError {
        let class = if err.is_connect() {
            FailureClass::Connect
        } else if err.is_timeout() || err.is_request() || err.is_body() {
            FailureClass::Transient
        } else {
            return AttemptError::Final(self.transport_error(err));
        };
        AttemptError::Retryable(class, self.transport_error(err))
    }
}

/// Joins percent-encoded path segments onto a base URL (whose own path is kept).
pub(crate) fn join_segments<S: AsRef<str>>(base: &Url, segments: &[S]) -> Result<Url> {
    let mut url = base.clone();
    {
        let mut path = url
            .path_segments_mut()
            .map_err(|_| Error::invalid("base_url", "cannot be a base URL"))?;
        path.pop_if_empty();
        for segment in segments {
            path.push(segment.as_ref());
        }
    }
    Ok(url)
}

/// Parses and checks a base URL (http or https, no query or fragment).
pub(crate) fn parse_base_url(field: &'static str, raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| Error::invalid(field, e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid(field, "must be an http or https URL"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(Error::invalid(field, "must be an absolute URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            field,
            "must not have a query string or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in the URL would be printed wherever the URL is (Debug, transport errors).
        return Err(Error::invalid(
            field,
            "must not hold credentials (pass the token or key separately)",
        ));
    }
    Ok(url)
}

/// The reason phrase of a status, for messages.
pub(crate) fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unknown status")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (the form of Basic credentials).
pub(crate) fn base64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let index = ((n >> shift) & 63) as usize;
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(opsbot_proptest::config!())]

        /// Any text around a secret, cut anywhere: the secret never survives whole, and nothing panics.
        #[test]
        fn redaction_never_leaves_a_secret(
            before in "[a-z /é]{0,40}",
            after in "[a-z /é]{0,40}",
            cut in 0usize..60,
        ) {
            let secrets = Secrets::new(["12-Token0001".to_owned(), "Token0001".to_owned()]);
            let text = format!("{before}12-Token0001{after}Token0001");
            let end = (0..=cut.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            let cut_text = text.get(..end).unwrap_or_default();
            for input in [text.as_str(), cut_text] {
                let out = secrets.redact_text(input);
                proptest::prop_assert!(!out.contains("Token0001"), "{:?} -> {:?}", input, out);
                proptest::prop_assert!(!out.contains("Token"), "{:?} -> {:?}", input, out);
            }
        }
    }

    #[test]
    fn secrets_are_cut_out_of_server_words() {
        let secrets = Secrets::new([
            "12-Token0001".to_owned(),
            "Token0001".to_owned(),
            "x".to_owned(),
        ]);
        assert_eq!(
            secrets.redact_text("GET /rooms/7/12-Token0001/messages Token0001 x"),
            "GET /rooms/7/<redacted>/messages <redacted> x"
        );
        assert_eq!(
            secrets.redact_text("an excerpt cut at /rooms/7/12-Toke"),
            "an excerpt cut at /rooms/7/<redacted>"
        );
        let decode = decode_json::<u64>(200, b"\"12-Token0001\"").err();
        let redacted = decode
            .map(|e| secrets.redact(e))
            .map(|e| format!("{e} {e:?}"));
        assert!(
            redacted
                .as_deref()
                .is_some_and(|t| !t.contains("Token0001")),
            "{redacted:?}"
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn segments_are_percent_encoded() {
        let base = Url::parse("https://chat.example.com/campfire/").ok();
        let url = base
            .as_ref()
            .map(|b| join_segments(b, &["rooms", "a/b c", "messages"]));
        assert_eq!(
            url.and_then(|u| u.ok()).map(|u| u.to_string()).as_deref(),
            Some("https://chat.example.com/campfire/rooms/a%2Fb%20c/messages")
        );
    }

    #[test]
    fn base_urls_are_checked() {
        assert!(parse_base_url("base_url", "https://chat.example.com").is_ok());
        assert!(parse_base_url("base_url", "ftp://chat.example.com").is_err());
        assert!(parse_base_url("base_url", "chat.example.com").is_err());
        assert!(parse_base_url("base_url", "https://chat.example.com/?x=1").is_err());
        let with_credentials = parse_base_url("base_url", "https://tok3n:X@acme.campfirenow.com")
            .err()
            .map(|e| format!("{e} {e:?}"));
        assert!(
            with_credentials.is_some_and(|e| !e.contains("tok3n")),
            "credentials in a base URL are refused without repeating them"
        );
    }

    #[test]
    fn file_parts_are_validated() {
        assert!(FilePart::new("a.txt", "x").validate().is_ok());
        assert!(FilePart::new("", "x").validate().is_err());
        assert!(FilePart::new("../a", "x").validate().is_err());
        assert!(
            FilePart::new("a", "x")
                .content_type("nonsense")
                .validate()
                .is_err()
        );
        assert!(
            FilePart::new("a.png", "x")
                .content_type("image/png")
                .validate()
                .is_ok()
        );
    }
}
