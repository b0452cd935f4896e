//! The request core every call goes through: URL building, the attempt loop with retries and
//! throttling, reading answers within the size limit, and scrubbing secrets from them.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::backend::{Answer, Route};
use crate::client::{Client, RateLimitInfo};
use crate::error::{Error, Result, api_error};
use crate::retry::{
    FailureClass, Idempotency, classify_status, classify_transport, parse_retry_after, should_retry,
};
use crate::throttle::lock;

impl Client {
    /// The URL of a request: the base, the backend's prefix, the percent-encoded segments and
    /// the query under the backend's parameter names.
    fn url(&self, segments: &[String], query: &[(&'static str, String)]) -> Result<Url> {
        let backend = self.backend();
        let mut url = self.inner.base.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        let prefix = backend.prefix();
        for segment in prefix
            .iter()
            .copied()
            .chain(segments.iter().map(String::as_str))
        {
            // The URL standard drops `.` and `..` segments: such an identifier would silently
            // reach another resource (`DELETE /v2/alerts/..`), and an empty one the list.
            if matches!(segment, "" | "." | "..") {
                return Err(Error::invalid(
                    "identifier",
                    format!("{segment:?} cannot be sent as a path segment"),
                ));
            }
            push_segment(&mut path, segment);
        }
        url.set_path(&path);
        let query: Vec<(&str, &str)> = query
            .iter()
            .filter_map(|(k, v)| Some((backend.query_name(k)?, v.as_str())))
            .collect();
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Sends a request through retries, throttling and the concurrency limit; returns a 2xx answer.
    pub(crate) async fn execute(&self, req: Req) -> Result<Raw> {
        let url = self.url(&req.segments, &req.query)?;
        let span = tracing::debug_span!(
            "opsgenie.request",
            backend = self.inner.backend.name(),
            method = %req.method,
            path = %format_args!("{}{}", self.backend().prefix_template(), req.template),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        self.execute_inner(req, url).instrument(span).await
    }

    async fn execute_inner(&self, req: Req, url: Url) -> Result<Raw> {
        let inner = &self.inner;
        let policy = &inner.retry;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempt", attempt);
            self.wait_until_allowed().await;
            inner.pacer.wait_turn().await;
            let outcome = {
                let _permit = inner.limiter.acquire().await;
                self.attempt(&req, &url).await
            };
            let (class, error, retry_after) = match outcome {
                Ok(mut raw) => {
                    self.scrub_body(&mut raw);
                    if raw.status == 429 {
                        if let Some(period) = raw.rate_limit.as_ref().and_then(|r| r.period_in_sec)
                        {
                            inner.pacer.on_throttled(period, Instant::now());
                        }
                    } else {
                        // Every answer but a refusal counted against the server's limit.
                        inner.pacer.on_accepted(Instant::now());
                    }
                    tracing::Span::current().record("status", raw.status);
                    if let Some(info) = &raw.rate_limit {
                        *lock(&inner.rate_limit) = Some(info.clone());
                    }
                    if (200..300).contains(&raw.status) {
                        inner.budget.refund();
                        inner.limiter.on_success();
                        return Ok(raw);
                    }
                    let class = classify_status(raw.status);
                    let mut retry_after = raw.header("retry-after").and_then(parse_retry_after);
                    if class == FailureClass::Throttling {
                        // Without Retry-After, a bucket longer than a second (the minute
                        // bucket) refills only after its period, so that is the wait;
                        // otherwise one jittered delay serves as both this request's backoff
                        // and the client-wide pause. This is the one place that decides how
                        // long a throttled client waits (bulk rounds only re-send).
                        let period = raw
                            .rate_limit
                            .as_ref()
                            .and_then(|r| r.period_in_sec)
                            .filter(|p| *p > 1)
                            .map(|p| Duration::from_secs(p.min(60)));
                        let delay = *retry_after.get_or_insert_with(|| {
                            period.unwrap_or_else(|| policy.backoff(attempt))
                        });
                        // A wait longer than the policy honours is not waited for (the call
                        // gives up below), so it must not hold every other request either.
                        if delay <= policy.max_retry_after() {
                            self.throttle(delay);
                        }
                    }
                    (class, self.scrub_error(raw.into_error()), retry_after)
                }
                Err(AttemptError::Transport(e)) => (
                    classify_transport(&e),
                    Error::Transport(e.without_url()),
                    None,
                ),
                Err(AttemptError::Timeout) => (
                    FailureClass::TimedOut,
                    Error::Timeout {
                        after: inner.timeout,
                    },
                    None,
                ),
                Err(AttemptError::Other(e)) => return Err(e),
            };
            if !should_retry(class, req.idempotency) {
                // A final answer (404, 422, ...) is the caller's to handle: no warning.
                tracing::debug!(attempt, ?class, "not retried: {error}");
                return Err(error);
            }
            if attempt >= policy.max_attempts() {
                tracing::warn!(attempt, ?class, "giving up: {error}");
                return Err(error);
            }
            let delay = match retry_after {
                Some(d) if d > policy.max_retry_after() => {
                    tracing::warn!(attempt, ?d, "giving up: retry-after too long");
                    return Err(error);
                }
                Some(d) => d,
                None => policy.backoff(attempt),
            };
            if waited.saturating_add(delay) > policy.max_total_delay() {
                tracing::warn!(attempt, "giving up: total retry delay exhausted");
                return Err(error);
            }
            if !inner.budget.try_withdraw(class) {
                tracing::warn!(attempt, "giving up: retry budget exhausted");
                return Err(error);
            }
            tracing::debug!(attempt, ?class, ?delay, "retrying: {error}");
            waited = waited.saturating_add(delay);
            tokio::time::sleep(delay).await;
        }
    }

    /// Makes every request of this client wait `delay` (the client-wide throttle).
    pub(crate) fn throttle(&self, delay: Duration) {
        // A server's absurd Retry-After must not overflow the clock.
        let Some(until) = Instant::now().checked_add(delay) else {
            return;
        };
        let mut not_before = lock(&self.inner.not_before);
        let already_throttled = not_before.is_some_and(|t| t > Instant::now());
        if !already_throttled {
            self.inner.limiter.on_throttle();
        }
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
    }

    /// Removes the key (and the JSM e-mail and Basic credential) from text a server sent, in
    /// case it echoes them.
    fn scrub(&self, text: &mut String) {
        let mut secrets = vec![self.inner.key.0.clone()];
        if let Some(email) = &self.inner.email {
            secrets.push(email.0.clone());
            secrets.push(basic_credential(&email.0, &self.inner.key.0));
        }
        for secret in secrets {
            if secret.len() >= 4 && text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), "<redacted>");
            }
        }
    }

    /// Removes the key (and the Basic credential) from an answer's body before anything reads
    /// it, so that a server echoing them leaks them into no model, decode error or excerpt
    /// (serde's messages quote the values they reject). The JSM e-mail stays: answers name
    /// users by e-mail.
    fn scrub_body(&self, raw: &mut Raw) {
        let mut secrets = vec![self.inner.key.0.clone()];
        if let Some(email) = &self.inner.email {
            secrets.push(basic_credential(&email.0, &self.inner.key.0));
        }
        for secret in secrets {
            if let Some(clean) = redact_bytes(&raw.body, secret.as_bytes()) {
                raw.body = Bytes::from(clean);
            }
        }
    }

    fn scrub_error(&self, mut error: Error) -> Error {
        if let Error::Api(api) = &mut error {
            self.scrub(&mut api.message);
            self.scrub(&mut api.body);
            for v in api.errors.values_mut() {
                self.scrub(v);
            }
        }
        error
    }

    async fn wait_until_allowed(&self) {
        loop {
            let until = *lock(&self.inner.not_before);
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    async fn attempt(&self, req: &Req, url: &Url) -> Result<Raw, AttemptError> {
        let inner = &self.inner;
        let mut builder = inner
            .http
            .request(req.method.clone(), url.clone())
            .header(reqwest::header::AUTHORIZATION, inner.auth.clone())
            .header(reqwest::header::USER_AGENT, inner.user_agent.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(inner.timeout);
        if let Some(body) = &req.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let limit = inner.max_response_bytes;
        let work = async move {
            let mut response = builder.send().await.map_err(AttemptError::Transport)?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let mut body = Vec::new();
            if !(200..300).contains(&status) {
                // Of an error answer only the first 64 KiB are read (4 KiB reach the error): a
                // huge error page is still the status it carries, retried or reported as such.
                let keep = limit.min(MAX_ERROR_BODY_READ);
                while let Some(chunk) = response.chunk().await.map_err(AttemptError::Transport)? {
                    let room = keep.saturating_sub(body.len());
                    body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
                    if body.len() >= keep {
                        break;
                    }
                }
            } else {
                if response
                    .content_length()
                    .is_some_and(|len| len > limit as u64)
                {
                    return Err(AttemptError::Other(Error::BodyTooLarge { limit }));
                }
                // A declared length (checked against the limit above) sizes the buffer once; up
                // to 1 MiB, so a length that is declared but never sent costs little.
                let declared = response.content_length().unwrap_or(0).min(1 << 20);
                body.reserve(usize::try_from(declared).unwrap_or(0));
                while let Some(chunk) = response.chunk().await.map_err(AttemptError::Transport)? {
                    if body.len() + chunk.len() > limit {
                        return Err(AttemptError::Other(Error::BodyTooLarge { limit }));
                    }
                    body.extend_from_slice(&chunk);
                }
            }
            let rate_limit = RateLimitInfo::from_headers(&headers);
            Ok(Raw {
                status,
                headers,
                body: Bytes::from(body),
                rate_limit,
            })
        };
        match tokio::time::timeout(inner.timeout, work).await {
            Ok(Err(AttemptError::Transport(e))) if e.is_timeout() => Err(AttemptError::Timeout),
            Ok(result) => result,
            Err(_) => Err(AttemptError::Timeout),
        }
    }

    /// Sends and decodes `{"data": T}` (Opsgenie) or the unwrapped `T` (JSM).
    pub(crate) async fn get_data<T: DeserializeOwned>(&self, req: Req) -> Result<T> {
        let raw = self.execute(req).await?;
        self.backend().decode_data(&raw)
    }
}

/// Appends `segment` to `path` as one percent-encoded path segment. Unlike
/// `PathSegmentsMut::push`, which runs the URL parser over the segment and so silently drops
/// tabs and line breaks, every byte survives: what is not plainly safe in a path is escaped
/// (the bytes `url` escapes in a segment, plus every control character).
fn push_segment(path: &mut String, segment: &str) {
    path.push('/');
    for &byte in segment.as_bytes() {
        let plain = byte.is_ascii_graphic() && !br#""<>`#?{}/%\"#.contains(&byte);
        if plain {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// How much of an error answer is read.
const MAX_ERROR_BODY_READ: usize = 64 * 1024;

/// `body` with every occurrence of `secret` replaced by `<redacted>`; `None` when there is none
/// (or the secret is too short to look for).
fn redact_bytes(body: &[u8], secret: &[u8]) -> Option<Vec<u8>> {
    if secret.len() < 4 {
        return None;
    }
    // Every answer is searched, so the search is memchr's vectorised one: comparing the secret
    // at every offset was a quarter of a 100-alert list call (BENCHMARKS.md, row 1).
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    for at in memchr::memmem::find_iter(body, secret) {
        // The matches do not overlap and come in order.
        let out = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
        out.extend_from_slice(body.get(copied..at).unwrap_or_default());
        out.extend_from_slice(b"<redacted>");
        copied = at + secret.len();
    }
    let mut out = out?;
    out.extend_from_slice(body.get(copied..).unwrap_or_default());
    Some(out)
}

enum AttemptError {
    Transport(reqwest::Error),
    Timeout,
    Other(Error),
}

/// One request as the resource modules describe it.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: Method,
    /// The path template as sent, e.g. `/v2/alerts/{identifier}/acknowledge` or
    /// `/v1/alerts/{id}/acknowledge` (the backend's prefix is added for the span).
    pub(crate) template: &'static str,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotency: Idempotency,
    /// What a successful answer carries.
    pub(crate) answer: Answer,
}

impl Req {
    /// A request on `route`, its `{placeholders}` filled with `params` in order. POSTs are
    /// unsafe to repeat unless marked [`safe`](Self::safe).
    pub(crate) fn route(route: Route, params: &[&str]) -> Result<Req> {
        let mut params = params.iter();
        let mut segments = Vec::new();
        for part in route.template.split('/').filter(|p| !p.is_empty()) {
            if part.starts_with('{') {
                let value = params.next().ok_or_else(|| {
                    Error::invalid(
                        "identifier",
                        format!("no value for {part} in {}", route.template),
                    )
                })?;
                segments.push((*value).to_owned());
            } else {
                segments.push(part.to_owned());
            }
        }
        let idempotency = if route.method == Method::POST {
            Idempotency::Unsafe
        } else {
            Idempotency::Safe
        };
        Ok(Req {
            method: route.method,
            template: route.template,
            segments,
            query: Vec::new(),
            body: None,
            idempotency,
            answer: route.answer,
        })
    }

    /// A request on an Opsgenie-only route (incidents).
    pub(crate) fn opsgenie(method: Method, template: &'static str, params: &[&str]) -> Result<Req> {
        Req::route(
            Route {
                method,
                template,
                answer: Answer::Body,
            },
            params,
        )
    }

    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Req {
        self.query.push((key, value.into()));
        self
    }

    pub(crate) fn query_opt(self, key: &'static str, value: Option<impl Into<String>>) -> Req {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    pub(crate) fn json<T: serde::Serialize>(mut self, body: &T) -> Result<Req> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Marks a POST as safe to repeat (Opsgenie actions, alias-keyed create).
    pub(crate) fn safe(mut self) -> Req {
        self.idempotency = Idempotency::Safe;
        self
    }

    /// Sets whether the request is safe to repeat.
    pub(crate) fn retry_safe(mut self, safe: bool) -> Req {
        self.idempotency = if safe {
            Idempotency::Safe
        } else {
            Idempotency::Unsafe
        };
        self
    }
}

/// A raw answer.
#[derive(Debug)]
pub(crate) struct Raw {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) rate_limit: Option<RateLimitInfo>,
}

impl Raw {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        let decode_error = |path: String, source: serde_json::Error| Error::Decode {
            status: self.status,
            path,
            excerpt: excerpt(&self.body),
            source,
        };
        // JSON is UTF-8: serde_json skips the strings of unknown fields without checking
        // them, so a body with invalid UTF-8 there would otherwise decode.
        let text = std::str::from_utf8(&self.body).map_err(|e| {
            decode_error(
                ".".to_owned(),
                serde::de::Error::custom(format!(
                    "invalid UTF-8 after byte {} of the body",
                    e.valid_up_to()
                )),
            )
        })?;
        // Tracking the JSON path costs about 40% of a decode (BENCHMARKS.md, row 2), so a body
        // is decoded without it (`from_str` also refuses trailing data after the document),
        // and only one that fails is decoded again to name the path.
        let fast_error = match serde_json::from_str(text) {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => Err(decode_error(e.path().to_string(), e.into_inner())),
            // The document itself decoded: what failed is the data after it.
            Ok(_) => Err(decode_error(".".to_owned(), fast_error)),
        }
    }

    pub(crate) fn into_error(self) -> Error {
        let request_id = self.header("x-request-id").map(str::to_owned);
        if self.status == 429 {
            let retry_after = self.header("retry-after").and_then(parse_retry_after);
            let body_id = serde_json::from_slice::<serde_json::Value>(&self.body)
                .ok()
                .and_then(|v| v.get("requestId")?.as_str().map(str::to_owned));
            return Error::RateLimited {
                status: 429,
                retry_after,
                rate_limit: self.rate_limit.unwrap_or_default(),
                request_id: body_id.or(request_id),
            };
        }
        let error_type = self.header("x-opsgenie-errortype").map(str::to_owned);
        Error::Api(Box::new(api_error(
            self.status,
            &self.body,
            request_id,
            error_type,
        )))
    }
}

/// `base64(email:token)`, the HTTP Basic credential (standard alphabet, padded).
pub(crate) fn basic_credential(email: &str, token: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{email}:{token}");
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.as_bytes().chunks(3) {
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

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

/// `{"data": T, ...}`.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credential_is_standard_base64() {
        assert_eq!(basic_credential("a", "b"), "YTpi");
        assert_eq!(basic_credential("ab", "c"), "YWI6Yw==");
        assert_eq!(
            basic_credential("ann@example.com", "tok"),
            "YW5uQGV4YW1wbGUuY29tOnRvaw=="
        );
    }

    #[test]
    fn jsm_paths_and_query_names() {
        let client = Client::builder_jsm("cloud-1", "ann@example.com", "tok")
            .base_url("http://127.0.0.1:1/")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        // The route comes from the backend table; the URL adds the prefix and query names.
        let req = client
            .request(crate::backend::Endpoint::AlertGet, &["a b"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(req.template, "/v1/alerts/{id}");
        let url = client
            .url(
                &req.segments,
                &[
                    ("identifierType", "id".into()),
                    ("limit", "5".into()),
                    ("query", "x".into()),
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/jsm/ops/api/cloud-1/v1/alerts/a%20b?size=5&query=x"
        );
        let default = Client::builder_jsm("c", "e@x", "t")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(default.base_url().as_str(), "https://api.atlassian.com/");
        assert!(Client::builder_jsm(" ", "e@x", "t").build().is_err());
        assert!(Client::builder_jsm("c", "", "t").build().is_err());
        assert!(Client::builder_jsm("c", "e:x", "t").build().is_err());
    }

    #[test]
    fn paths_are_percent_encoded_segments() {
        let client = Client::builder("k")
            .base_url("http://127.0.0.1:1/prefix/")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let url = client
            .url(
                &["v2".into(), "alerts".into(), "a/b c?ü".into()],
                &[("query", "status:open AND x+y".into())],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/prefix/v2/alerts/a%2Fb%20c%3F%C3%BC?query=status%3Aopen+AND+x%2By"
        );
    }

    #[test]
    fn secrets_are_redacted_from_bodies_anywhere() {
        let redact = |body: &str, secret: &str| {
            redact_bytes(body.as_bytes(), secret.as_bytes())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        assert_eq!(
            redact("k3y-secret", "k3y-secret").as_deref(),
            Some("<redacted>")
        );
        assert_eq!(
            redact(
                r#"{"a":"xk3y-secretk3y-secret","b":"k3y-secret"}"#,
                "k3y-secret"
            )
            .as_deref(),
            Some(r#"{"a":"x<redacted><redacted>","b":"<redacted>"}"#)
        );
        assert_eq!(redact("nothing here", "k3y-secret"), None);
        assert_eq!(redact("k3y", "k3y-secret"), None);
        assert_eq!(redact("abc", "ab"), None, "too short to look for");
    }
}
