//! Campfire's side of the request core. The attempt loop, failure classification, retry budget, client-wide
//! throttling, size limit, redaction and decoding are `opsbot-http`'s ([`opsbot_http::Transport`]); what is
//! Campfire's own stays here: the two kinds of authentication (a bot key in the path, classic Basic
//! credentials), error bodies, classic's 503 + `Retry-After` throttling signal, and keeping the bot key out of
//! every URL that reaches an error or a log line. The public clients are [`crate::once::BotClient`] and
//! [`crate::classic::Client`].

use std::time::Duration;

use bytes::Bytes;
use opsbot_http::{Answer, FailureClass, Route, Service, Transport};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use url::Url;

use crate::error::{ApiError, Error, Result};
pub(crate) use opsbot_http::Secrets;

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

impl Body {
    /// The core's form of the body: the same bytes on every attempt, a multipart form built anew.
    fn into_core(self) -> Result<opsbot_http::Body> {
        Ok(match self {
            Body::Empty => opsbot_http::Body::Empty,
            Body::Json(bytes) => opsbot_http::Body::Bytes {
                content_type: HeaderValue::from_static("application/json"),
                bytes: bytes.into(),
            },
            Body::Text(text) => opsbot_http::Body::Bytes {
                content_type: HeaderValue::from_static("text/plain; charset=utf-8"),
                bytes: text.into(),
            },
            Body::Multipart { field, file } => {
                // Checked once here, so building it again for a retry cannot fail.
                file.to_form(field)?;
                opsbot_http::Body::Build(std::sync::Arc::new(move |builder| {
                    match file.to_form(field) {
                        Ok(form) => builder.multipart(form),
                        Err(_) => builder,
                    }
                }))
            }
        })
    }
}

/// One call, as the clients describe it: method, the URL built from percent-encoded segments, the path
/// template that is logged, and the body.
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

    /// The core's request: the URL's path below `base` as a route (each argument one segment, as the
    /// template names them), its query, the body.
    fn into_core(self, base: &Url) -> Result<opsbot_http::Request> {
        let route = route_of(base, &self.url, self.template)?;
        let mut request = opsbot_http::Request::new(self.method, route);
        for (name, value) in self.url.query_pairs() {
            request = request.query(query_name(&name)?, value.into_owned());
        }
        Ok(request.body(self.body.into_core()?))
    }
}

/// The route of `url` below `base`: the template's placeholders take the URL's segments. A placeholder with
/// a suffix in one segment (classic's `{room_id}.json`) is one argument holding the suffix.
fn route_of(base: &Url, url: &Url, template: &'static str) -> Result<Route> {
    let mismatch = || Error::UnexpectedResponse {
        status: 0,
        reason: format!("internal: {template} does not describe the request"),
    };
    let base_len = base
        .path_segments()
        .map_or(0, |s| s.filter(|p| !p.is_empty()).count());
    let segments: Vec<String> = url
        .path_segments()
        .ok_or_else(mismatch)?
        .filter(|p| !p.is_empty())
        .skip(base_len)
        .map(percent_decode)
        .collect();
    let parts: Vec<&str> = template.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() != segments.len() {
        return Err(mismatch());
    }
    let mut core_template = String::new();
    let mut args = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        core_template.push('/');
        match part.strip_prefix('{').and_then(|p| p.split_once('}')) {
            Some((name, _suffix)) => {
                core_template.push('{');
                core_template.push_str(name);
                core_template.push('}');
                args.push(segment);
            }
            None => core_template.push_str(part),
        }
    }
    Ok(Route::dynamic(core_template, args))
}

fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// The core takes query names as `&'static str`: the names Campfire's calls use.
fn query_name(name: &str) -> Result<&'static str> {
    const NAMES: &[&str] = &[
        "before",
        "after",
        "limit",
        "since_message_id",
        "q",
        "format",
    ];
    NAMES
        .iter()
        .copied()
        .find(|n| *n == name)
        .ok_or_else(|| Error::invalid("query", format!("unexpected query parameter {name:?}")))
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
        crate::error::decode_json(self.status, &self.body).map_err(|e| self.secrets.redact(e))
    }
}

/// Cutting the client's secrets out of an error made of what a server sent (the core already cut them out
/// of the body; an excerpt or a message may still end in the beginning of one).
pub(crate) trait RedactError {
    /// The error with every secret cut out of the server's words in it.
    fn redact(&self, err: Error) -> Error;
}

impl RedactError for Secrets {
    fn redact(&self, err: Error) -> Error {
        if self.is_empty() {
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
                let source = if self.found_in(&source_text) {
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

/// The transport settings a builder starts from: this user agent and the core's defaults (30 s per attempt,
/// `RetryPolicy::default()`, 16 MiB bodies). The base URL is set when the client is built.
pub(crate) fn default_config(user_agent: String) -> opsbot_http::Config {
    opsbot_http::Config::new("", user_agent)
}

/// Campfire as the core's [`Service`]: its throttling signals and error bodies.
#[derive(Debug)]
pub(crate) struct Campfire {
    /// Classic Campfire signals its rate limit with 503 + `Retry-After`.
    classic: bool,
    secrets: Secrets,
}

impl Service for Campfire {
    type Error = Error;
    type Permit = ();

    async fn admit(&self) {}

    /// The span [`Core::execute`] opened, which names the template the client gave.
    fn span(&self, _request: &opsbot_http::Request) -> tracing::Span {
        tracing::Span::current()
    }

    fn classify(&self, status: u16, headers: &HeaderMap) -> Option<FailureClass> {
        if self.classic && status == 503 && headers.contains_key(header::RETRY_AFTER) {
            return Some(FailureClass::Throttling);
        }
        FailureClass::from_status(status)
    }

    fn error(&self, answer: Answer) -> Error {
        if answer.is_throttled() {
            return Error::RateLimited {
                status: answer.status,
                retry_after: answer.retry_after,
            };
        }
        self.secrets
            .redact(Error::Api(Box::new(ApiError::from_response(
                answer.status,
                &answer.body,
            ))))
    }
}

/// The request core of one client: `opsbot-http`'s transport with Campfire's service.
#[derive(Debug)]
pub(crate) struct Core {
    transport: Transport<Campfire>,
    secrets: Secrets,
}

impl Core {
    /// `secrets` are cut out of every error made of an answer; `scrubbed` are also cut out of every answer
    /// body before it is read (not classic's API token: `/users/me.json` answers with it, by design).
    pub(crate) fn new(
        base: &Url,
        config: opsbot_http::Config,
        auth: Auth,
        classic: bool,
        secrets: Secrets,
        scrubbed: Secrets,
    ) -> Result<Self> {
        let mut config = config
            .base_url(base.as_str())
            // A redirect is an answer: the bot key's is the login page, and it must not be followed.
            .follow_redirects(false)
            .secrets(scrubbed);
        if let Auth::BasicToken(token) = &auth {
            config = config.authorization(opsbot_http::basic_authorization(
                token.expose(),
                "X",
                "token",
            )?);
        }
        let transport = config.build(Campfire {
            classic,
            secrets: secrets.clone(),
        })?;
        Ok(Core { transport, secrets })
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.transport.timeout()
    }

    /// The error with the client's secrets cut out of what the server said in it.
    pub(crate) fn redact(&self, err: Error) -> Error {
        self.secrets.redact(err)
    }

    /// A request builder with the user agent and authentication applied, for calls that do not buffer
    /// (the classic live stream).
    pub(crate) fn raw_request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.transport.raw_request(method, url)
    }

    /// A transport error without its URL (the bot key can be in it).
    pub(crate) fn transport_error(&self, err: reqwest::Error) -> Error {
        if err.is_timeout() {
            return Error::Timeout {
                after: self.timeout(),
            };
        }
        Error::Transport(err.without_url())
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
        async move {
            let request = request.into_core(self.transport.base_url())?;
            let answer = self.transport.exchange(request).await?;
            if answer.is_throttled() {
                return Err(Error::RateLimited {
                    status: answer.status,
                    retry_after: answer.retry_after,
                });
            }
            Ok(Response {
                status: answer.status,
                headers: answer.headers,
                body: answer.body,
                final_path: answer.final_path,
                secrets: self.secrets.clone(),
            })
        }
        .instrument(span)
        .await
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

/// Parses and checks a base URL (http or https with a host, no query, fragment or credentials).
pub(crate) fn parse_base_url(field: &'static str, raw: &str) -> Result<Url> {
    Ok(opsbot_http::parse_base_url(field, raw)?)
}

/// The reason phrase of a status, for messages.
pub(crate) fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unknown status")
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
        let decode = crate::error::decode_json::<u64>(200, b"\"12-Token0001\"").err();
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
