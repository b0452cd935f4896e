//! The client, its builder and the request core every call goes through.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::error::{Error, Result, api_error};
use crate::macros::vendor_enum;
use crate::retry::{
    FailureClass, Idempotency, RetryBudget, RetryPolicy, classify_status, classify_transport,
    parse_retry_after, should_retry,
};

const US_BASE: &str = "https://api.opsgenie.com/";
const JSM_BASE: &str = "https://api.atlassian.com/";
const EU_BASE: &str = "https://api.eu.opsgenie.com/";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
const DEFAULT_MAX_CONCURRENCY: usize = 16;
const DEFAULT_OUTCOME_TIMEOUT: Duration = Duration::from_secs(30);

/// The Opsgenie region of an account. EU accounts must use the EU endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// `https://api.opsgenie.com` (the default).
    #[default]
    Us,
    /// `https://api.eu.opsgenie.com`.
    Eu,
}

impl Region {
    /// The API base URL of the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => US_BASE,
            Region::Eu => EU_BASE,
        }
    }
}

/// The service a client talks to, chosen when it is built.
///
/// Opsgenie's REST API stops on 2027-04-05; accounts move to Jira Service Management (JSM)
/// Operations. The same [`Client`] and the same calls serve both; see the crate README for
/// what differs per call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The Opsgenie REST API (`/v2/...`, `Authorization: GenieKey`), the default.
    #[default]
    Opsgenie,
    /// JSM Operations (`/jsm/ops/api/{cloud_id}/v1/...`, HTTP Basic with an Atlassian
    /// account e-mail and API token).
    Jsm {
        /// The Atlassian site's cloud id (see [`Client::jsm_cloud_id`]).
        cloud_id: String,
    },
}

impl Backend {
    /// `"opsgenie"` or `"jsm"`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Opsgenie => "opsgenie",
            Backend::Jsm { .. } => "jsm",
        }
    }

    /// Whether this is JSM Operations.
    pub fn is_jsm(&self) -> bool {
        matches!(self, Backend::Jsm { .. })
    }
}

vendor_enum!(
    /// The `X-RateLimit-State` header.
    RateLimitState {
        /// Under the limit.
        Ok => "OK",
        /// Over the limit: requests are refused with 429.
        Throttled => "THROTTLED",
    }
);

/// The `X-RateLimit-*` headers of an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitInfo {
    /// `X-RateLimit-State`.
    pub state: Option<RateLimitState>,
    /// `X-RateLimit-Reason` (which bucket, for example `ACCOUNT` or `INTEGRATION`).
    pub reason: Option<String>,
    /// `X-RateLimit-Period-In-Sec`: 60 for the minute bucket, 1 for the second bucket.
    pub period_in_sec: Option<u64>,
}

impl RateLimitInfo {
    fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_owned())
        };
        let info = RateLimitInfo {
            state: get("x-ratelimit-state").map(|s| match s.parse::<RateLimitState>() {
                Ok(state) => state,
                Err(never) => match never {},
            }),
            reason: get("x-ratelimit-reason"),
            period_in_sec: get("x-ratelimit-period-in-sec").and_then(|s| s.parse().ok()),
        };
        (info != RateLimitInfo::default()).then_some(info)
    }
}

/// The API key (or JSM API token, or JSM account e-mail). Its `Debug` never shows the value.
#[derive(Clone)]
struct ApiKey(String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A client for the Opsgenie REST API.
///
/// Cheap to clone (one `Arc` inside); clones share the connection pool, the retry budget,
/// the concurrency limit and the throttling state.
///
/// ```no_run
/// # async fn run() -> opsgenie_client::Result<()> {
/// use opsgenie_client::{Client, Region};
///
/// let client = Client::builder("00000000-fake-key").region(Region::Eu).build()?;
/// let open = client.alerts().count().query("status:open").await?;
/// println!("{open} open alerts");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    backend: Backend,
    key: ApiKey,
    email: Option<ApiKey>,
    auth: HeaderValue,
    user_agent: HeaderValue,
    timeout: Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    max_response_bytes: usize,
    limiter: Limiter,
    pacer: Pacer,
    not_before: Mutex<Option<Instant>>,
    rate_limit: Mutex<Option<RateLimitInfo>>,
    outcome_timeout: Duration,
    poll_initial: Duration,
    poll_max: Duration,
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    key: ApiKey,
    email: Option<ApiKey>,
    backend: Backend,
    region: Region,
    base_url: Option<String>,
    timeout: Duration,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    max_concurrency: usize,
    adaptive: bool,
    outcome_timeout: Duration,
    poll_initial: Duration,
    poll_max: Duration,
}

impl Client {
    /// A client for the US region with default settings.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the key is empty or not valid in a header.
    ///
    /// ```no_run
    /// # fn run() -> opsgenie_client::Result<()> {
    /// let client = opsgenie_client::Client::new("00000000-fake-key")?;
    /// # Ok(()) }
    /// ```
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder(api_key).build()
    }

    /// A builder for a client with non-default settings.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            key: ApiKey(api_key.into()),
            email: None,
            backend: Backend::Opsgenie,
            region: Region::Us,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            adaptive: true,
            outcome_timeout: DEFAULT_OUTCOME_TIMEOUT,
            poll_initial: Duration::from_millis(200),
            poll_max: Duration::from_secs(2),
        }
    }

    /// A builder for a client of Jira Service Management Operations: the same calls, sent to
    /// `https://api.atlassian.com/jsm/ops/api/{cloud_id}/v1/...` with HTTP Basic
    /// authentication (`email:api_token`). Both the e-mail and the token are kept out of
    /// `Debug`, errors, URLs and logs.
    ///
    /// ```no_run
    /// # async fn run() -> opsgenie_client::Result<()> {
    /// use opsgenie_client::Client;
    ///
    /// let cloud_id = Client::jsm_cloud_id("your-site").await?; // your-site.atlassian.net
    /// let client = Client::builder_jsm(cloud_id, "ann@example.com", "atlassian-api-token").build()?;
    /// let open = client.alerts().count().query("status:open").await?;
    /// # Ok(()) }
    /// ```
    pub fn builder_jsm(
        cloud_id: impl Into<String>,
        email: impl Into<String>,
        api_token: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder {
            email: Some(ApiKey(email.into())),
            backend: Backend::Jsm {
                cloud_id: cloud_id.into(),
            },
            ..Client::builder(api_token)
        }
    }

    /// Finds the cloud id of an Atlassian site from `https://<site>.atlassian.net/_edge/tenant_info`.
    ///
    /// `site` is the site's name (`your-site`), its host (`your-site.atlassian.net`) or a base
    /// URL (`https://your-site.atlassian.net`, or a test server's `http://127.0.0.1:port`).
    /// The request carries no credentials.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty or malformed site, the server's error
    /// ([`Error::Api`]), a transport error, [`Error::Timeout`] after 30 s, or
    /// [`Error::Decode`] when the answer has no `cloudId`.
    ///
    /// ```no_run
    /// # async fn run() -> opsgenie_client::Result<()> {
    /// let cloud_id = opsgenie_client::Client::jsm_cloud_id("your-site").await?;
    /// # Ok(()) }
    /// ```
    pub async fn jsm_cloud_id(site: &str) -> Result<String> {
        let site = site.trim();
        if site.is_empty() {
            return Err(Error::invalid("site", "must not be empty"));
        }
        let base = if site.contains("://") {
            site.to_owned()
        } else if site.contains('.') {
            format!("https://{site}")
        } else {
            format!("https://{site}.atlassian.net")
        };
        let mut url = Url::parse(&base)
            .map_err(|e| Error::invalid("site", format!("does not parse: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(Error::invalid("site", "must be an http or https URL"));
        }
        let path = format!("{}/_edge/tenant_info", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| Error::Transport(e.without_url()))?;
        let work = async {
            let response = http
                .get(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| Error::Transport(e.without_url()))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let mut response = response;
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| Error::Transport(e.without_url()))?
            {
                if body.len() + chunk.len() > 64 * 1024 {
                    return Err(Error::BodyTooLarge { limit: 64 * 1024 });
                }
                body.extend_from_slice(&chunk);
            }
            let raw = Raw {
                status,
                headers,
                body: Bytes::from(body),
                rate_limit: None,
            };
            if !(200..300).contains(&status) {
                return Err(raw.into_error());
            }
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct TenantInfo {
                cloud_id: String,
            }
            let info: TenantInfo = raw.decode()?;
            if info.cloud_id.trim().is_empty() {
                return Err(Error::invalid("site", "the site answered an empty cloudId"));
            }
            Ok(info.cloud_id)
        };
        tokio::time::timeout(DEFAULT_TIMEOUT, work)
            .await
            .unwrap_or(Err(Error::Timeout {
                after: DEFAULT_TIMEOUT,
            }))
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The service this client talks to.
    pub fn backend(&self) -> &Backend {
        &self.inner.backend
    }

    /// Whether this client talks to JSM Operations.
    pub(crate) fn is_jsm(&self) -> bool {
        self.inner.backend.is_jsm()
    }

    /// [`Error::Unsupported`] when this client talks to JSM.
    pub(crate) fn opsgenie_only(&self, operation: &'static str) -> Result<()> {
        if self.is_jsm() {
            return Err(Error::Unsupported {
                backend: "jsm",
                operation,
            });
        }
        Ok(())
    }

    /// The `X-RateLimit-*` headers of the most recent answer that carried them.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        lock(&self.inner.rate_limit).clone()
    }

    /// The current number of requests the client lets run at once (lowered when throttled,
    /// raised again as requests succeed, never above the configured maximum).
    pub fn current_concurrency(&self) -> usize {
        lock(&self.inner.limiter.state).limit
    }

    /// The configured maximum number of requests in flight at once.
    pub fn max_concurrency(&self) -> usize {
        self.inner.limiter.max
    }

    /// The spacing between request starts the client learned from the last throttled answer
    /// (`None` until Opsgenie throttles it, and again after a quiet minute).
    ///
    /// After a 429 whose `X-RateLimit-Period-In-Sec` names the bucket, the client counts the
    /// requests Opsgenie accepted during that period and spaces its requests to just under
    /// that rate, so bulk work runs at the limit instead of bouncing off it and losing the rest
    /// of each period to `Retry-After`.
    pub fn pacing(&self) -> Option<Duration> {
        self.inner.pacer.interval(Instant::now())
    }

    pub(crate) fn outcome_timeout(&self) -> Duration {
        self.inner.outcome_timeout
    }

    pub(crate) fn poll_backoff(&self) -> (Duration, Duration) {
        (self.inner.poll_initial, self.inner.poll_max)
    }

    fn url(&self, segments: &[String], query: &[(&'static str, String)]) -> Result<Url> {
        let mut url = self.inner.base.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        let mut segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let jsm = match &self.inner.backend {
            Backend::Opsgenie => false,
            Backend::Jsm { cloud_id } => {
                // Resources describe Opsgenie paths (`v2/alerts/...`); JSM serves the same
                // resources under `jsm/ops/api/{cloudId}/v1/...`.
                if let Some(first) = segments.first_mut()
                    && matches!(*first, "v1" | "v2")
                {
                    *first = "v1";
                }
                let mut prefixed = vec!["jsm", "ops", "api", cloud_id.as_str()];
                prefixed.extend(segments);
                segments = prefixed;
                true
            }
        };
        for segment in segments {
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
        // JSM identifies alerts and schedules by id only (callers resolve other identifiers
        // first) and calls a page's size `size`.
        let query: Vec<(&str, &str)> = query
            .iter()
            .filter(|(k, _)| !(jsm && matches!(*k, "identifierType" | "scheduleIdentifierType")))
            .map(|(k, v)| match (jsm, *k) {
                (true, "limit") => ("size", v.as_str()),
                _ => (*k, v.as_str()),
            })
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
            path = req.template,
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
                        // Without Retry-After, one jittered delay serves as both this
                        // request's backoff and the client-wide pause.
                        let delay = *retry_after.get_or_insert_with(|| policy.backoff(attempt));
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
        if self.is_jsm() {
            return raw.decode::<T>();
        }
        raw.decode::<DataEnvelope<T>>().map(|e| e.data)
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ClientBuilder {
    /// The account's region (US by default). Ignored when [`base_url`](Self::base_url) is set
    /// and on JSM.
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Sends requests to another base URL (a proxy, a test server, a fake). On JSM this
    /// replaces `https://api.atlassian.com/`; the `jsm/ops/api/{cloud_id}/v1/...` path is
    /// still appended.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The timeout of one attempt, from sending to the end of the body. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header. Default `opsgenie-client/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses a caller-supplied `reqwest::Client` (the client's timeout still applies per request).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How failed attempts are retried. Default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest answer body the client reads. Default 16 MiB.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The most requests this client (and its clones) has in flight at once. Default 16.
    ///
    /// When Opsgenie throttles (429) the client halves its limit and every request waits out
    /// the throttle; successes raise the limit again, one step per window, up to this maximum.
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.max_concurrency = limit.max(1);
        self
    }

    /// Whether the concurrency limit and the request pacing adapt to throttling (default true;
    /// see [`Client::pacing`]). When false the limit stays at
    /// [`max_concurrency`](Self::max_concurrency) and requests are not paced; throttling still
    /// pauses the whole client.
    pub fn adaptive_concurrency(mut self, adaptive: bool) -> Self {
        self.adaptive = adaptive;
        self
    }

    /// How long [`RequestHandle::wait`](crate::RequestHandle::wait) waits for an outcome. Default 30 s.
    pub fn outcome_timeout(mut self, timeout: Duration) -> Self {
        self.outcome_timeout = timeout;
        self
    }

    /// The first and the largest delay between polls of an asynchronous request's outcome
    /// (jittered, doubling). Default 200 ms and 2 s.
    pub fn outcome_poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.poll_initial = initial;
        self.poll_max = max.max(initial);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty or malformed key, a base URL that does not parse
    /// or is not http(s), or a user agent not valid in a header.
    ///
    /// ```no_run
    /// # fn run() -> opsgenie_client::Result<()> {
    /// use std::time::Duration;
    /// let client = opsgenie_client::Client::builder("00000000-fake-key")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> Result<Client> {
        let jsm = self.backend.is_jsm();
        let key_field = if jsm { "api_token" } else { "api_key" };
        if self.key.0.trim().is_empty() {
            return Err(Error::invalid(key_field, "must not be empty"));
        }
        let auth_text = match (&self.backend, &self.email) {
            (Backend::Jsm { cloud_id }, Some(email)) => {
                if cloud_id.trim().is_empty() {
                    return Err(Error::invalid("cloud_id", "must not be empty"));
                }
                if email.0.trim().is_empty() {
                    return Err(Error::invalid("email", "must not be empty"));
                }
                if email.0.contains(':') || email.0.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        "email",
                        "contains ':' or a control character",
                    ));
                }
                if self.key.0.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        key_field,
                        "contains characters not allowed in a header",
                    ));
                }
                format!("Basic {}", basic_credential(&email.0, &self.key.0))
            }
            (Backend::Jsm { .. }, None) => return Err(Error::invalid("email", "is required")),
            _ => format!("GenieKey {}", self.key.0),
        };
        let mut auth = HeaderValue::from_str(&auth_text).map_err(|_| {
            Error::invalid(key_field, "contains characters not allowed in a header")
        })?;
        auth.set_sensitive(true);
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("opsgenie-client/", env!("CARGO_PKG_VERSION")).to_owned());
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::invalid("user_agent", "not valid in a header"))?;
        let default_base = if jsm {
            JSM_BASE
        } else {
            self.region.base_url()
        };
        let base_text = self.base_url.unwrap_or_else(|| default_base.to_owned());
        let base = Url::parse(&base_text)
            .map_err(|e| Error::invalid("base_url", format!("does not parse: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::invalid("base_url", "must be an http or https URL"));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Transport(e.without_url()))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                backend: self.backend,
                key: self.key,
                email: self.email,
                auth,
                user_agent,
                timeout: self.timeout,
                retry: self.retry,
                budget: RetryBudget::new(),
                max_response_bytes: self.max_response_bytes,
                limiter: Limiter::new(self.max_concurrency, self.adaptive),
                pacer: Pacer::new(self.adaptive),
                not_before: Mutex::new(None),
                rate_limit: Mutex::new(None),
                outcome_timeout: self.outcome_timeout,
                poll_initial: self.poll_initial,
                poll_max: self.poll_max,
            }),
        })
    }
}

/// One request as the resource modules describe it.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) method: Method,
    /// The path template for tracing, e.g. `/v2/alerts/{identifier}/acknowledge`.
    pub(crate) template: &'static str,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotency: Idempotency,
}

impl Req {
    pub(crate) fn new(method: Method, template: &'static str, segments: &[&str]) -> Req {
        let idempotency = if method == Method::POST {
            Idempotency::Unsafe
        } else {
            Idempotency::Safe
        };
        Req {
            method,
            template,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            idempotency,
        }
    }

    pub(crate) fn get(template: &'static str, segments: &[&str]) -> Req {
        Req::new(Method::GET, template, segments)
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

    fn into_error(self) -> Error {
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
#[derive(serde::Deserialize)]
pub(crate) struct DataEnvelope<T> {
    pub(crate) data: T,
}

/// An additive-increase, multiplicative-decrease limit on requests in flight.
#[derive(Debug)]
struct Limiter {
    max: usize,
    adaptive: bool,
    state: Mutex<LimiterState>,
    notify: Notify,
}

#[derive(Debug)]
struct LimiterState {
    limit: usize,
    in_flight: usize,
    successes: usize,
}

struct Permit<'a> {
    limiter: &'a Limiter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        {
            let mut s = lock(&self.limiter.state);
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        self.limiter.notify.notify_waiters();
    }
}

impl Limiter {
    fn new(max: usize, adaptive: bool) -> Limiter {
        Limiter {
            max,
            adaptive,
            state: Mutex::new(LimiterState {
                limit: max,
                in_flight: 0,
                successes: 0,
            }),
            notify: Notify::new(),
        }
    }

    async fn acquire(&self) -> Permit<'_> {
        loop {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = lock(&self.state);
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    return Permit { limiter: self };
                }
            }
            notified.await;
        }
    }

    fn on_success(&self) {
        if !self.adaptive {
            return;
        }
        let raised = {
            let mut s = lock(&self.state);
            s.successes += 1;
            if s.limit < self.max && s.successes >= s.limit {
                s.limit += 1;
                s.successes = 0;
                true
            } else {
                false
            }
        };
        if raised {
            self.notify.notify_waiters();
        }
    }

    fn on_throttle(&self) {
        if !self.adaptive {
            return;
        }
        let mut s = lock(&self.state);
        s.limit = (s.limit / 2).max(1);
        s.successes = 0;
        tracing::debug!(limit = s.limit, "throttled: lowering concurrency");
    }
}

/// How long a learned pace lasts without a throttled answer before it is dropped (and learned
/// again at the next 429), so a pace learned while others shared the bucket does not last.
const PACE_FORGET_AFTER: Duration = Duration::from_secs(60);
/// At most this many accepted answers are remembered for learning a pace.
const PACE_TRACKED: usize = 20_000;

/// Spaces request starts to the rate the server accepted before it throttled (see
/// [`Client::pacing`]).
#[derive(Debug)]
struct Pacer {
    enabled: bool,
    state: Mutex<PacerState>,
}

#[derive(Debug, Default)]
struct PacerState {
    /// When recent answers that counted against the limit arrived, oldest first.
    accepted: VecDeque<Instant>,
    /// The learned spacing between request starts.
    interval: Option<Duration>,
    /// When the pace was last learned or tightened.
    learned_at: Option<Instant>,
    /// The earliest start of the next request.
    next: Option<Instant>,
}

impl Pacer {
    fn new(enabled: bool) -> Pacer {
        Pacer {
            enabled,
            state: Mutex::new(PacerState::default()),
        }
    }

    fn interval(&self, now: Instant) -> Option<Duration> {
        let s = lock(&self.state);
        let fresh = s
            .learned_at
            .is_some_and(|t| now.saturating_duration_since(t) < PACE_FORGET_AFTER);
        s.interval.filter(|_| fresh)
    }

    fn on_accepted(&self, now: Instant) {
        if !self.enabled {
            return;
        }
        let mut s = lock(&self.state);
        s.accepted.push_back(now);
        while s.accepted.len() > PACE_TRACKED
            || s.accepted
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) > PACE_FORGET_AFTER)
        {
            s.accepted.pop_front();
        }
    }

    /// A 429 for a bucket of `period_secs`: pace to 5% under what was accepted in that period.
    fn on_throttled(&self, period_secs: u64, now: Instant) {
        if !self.enabled {
            return;
        }
        let period = Duration::from_secs(period_secs.clamp(1, 60));
        let mut s = lock(&self.state);
        // The other requests in flight are refused together: one lesson per period.
        if s.learned_at
            .is_some_and(|t| now.saturating_duration_since(t) < period)
        {
            return;
        }
        // What was accepted in the last period is the limit only when the client has been
        // talking to the server for a whole period; a throttle sooner teaches nothing yet.
        if s.accepted
            .front()
            .is_none_or(|t| now.saturating_duration_since(*t) < period)
        {
            return;
        }
        let accepted = s
            .accepted
            .iter()
            .filter(|t| now.saturating_duration_since(**t) <= period)
            .count()
            .max(1);
        let learned = period.mul_f64(1.05) / u32::try_from(accepted).unwrap_or(u32::MAX);
        let current = s.interval.filter(|_| {
            s.learned_at
                .is_some_and(|t| now.saturating_duration_since(t) < PACE_FORGET_AFTER)
        });
        // Throttled while already paced: slow down by at least another 5%.
        s.interval = Some(match current {
            Some(current) => learned.max(current.mul_f64(1.05)),
            None => learned,
        });
        s.learned_at = Some(now);
        tracing::debug!(interval = ?s.interval, accepted, "throttled: pacing requests");
    }

    /// Waits for this request's turn under the learned pace (at once when there is none).
    async fn wait_turn(&self) {
        let turn = {
            let now = Instant::now();
            let Some(interval) = self.interval(now) else {
                return;
            };
            let mut s = lock(&self.state);
            let turn = s.next.filter(|t| *t > now).unwrap_or(now);
            s.next = Some(turn + interval);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_redacted_in_debug() {
        let client = Client::new("secret-fake-key-123").unwrap_or_else(|e| panic!("{e}"));
        let text = format!("{client:?}");
        assert!(!text.contains("secret-fake-key-123"), "{text}");
        assert!(text.contains("api.opsgenie.com"), "{text}");
        let builder = format!("{:?}", Client::builder("secret-fake-key-123"));
        assert!(!builder.contains("secret-fake-key-123"), "{builder}");
        assert!(builder.contains("<redacted>"), "{builder}");
    }

    #[test]
    fn builder_rejects_bad_input_without_echoing_the_key() {
        let err = Client::new("bad\nkey-xyz").err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("api_key") && !e.contains("key-xyz"))
        );
        assert!(Client::new("  ").is_err());
        assert!(
            Client::builder("k")
                .base_url("ftp://example.invalid")
                .build()
                .is_err()
        );
        assert!(Client::builder("k").base_url("not a url").build().is_err());
    }

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
        let url = client
            .url(
                &["v2".into(), "alerts".into(), "a b".into()],
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
    fn regions_pick_the_endpoint() {
        let eu = Client::builder("k")
            .region(Region::Eu)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(eu.base_url().as_str(), "https://api.eu.opsgenie.com/");
        let us = Client::new("k").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(us.base_url().as_str(), "https://api.opsgenie.com/");
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

    #[test]
    fn pacer_learns_the_accepted_rate_once_per_period_and_forgets_it() {
        let pacer = Pacer::new(true);
        let start = Instant::now();
        assert_eq!(pacer.interval(start), None, "no pace before a throttle");
        pacer.on_accepted(start);
        for i in 0..200 {
            pacer.on_accepted(start + Duration::from_millis(1000 + i * 4));
        }
        let early = start + Duration::from_millis(500);
        pacer.on_throttled(1, early);
        assert_eq!(pacer.interval(early), None, "less than a period of answers");
        let throttled = start + Duration::from_millis(1800);
        pacer.on_throttled(1, throttled);
        // 200 accepted in the last second: 5% under 200 per second.
        assert_eq!(pacer.interval(throttled), Some(Duration::from_micros(5250)));
        // The other refusals of the same moment teach nothing more.
        pacer.on_throttled(1, throttled + Duration::from_millis(10));
        assert_eq!(pacer.interval(throttled), Some(Duration::from_micros(5250)));
        // Throttled again a period later although paced: slower still.
        let again = throttled + Duration::from_secs(2);
        pacer.on_throttled(1, again);
        assert!(
            pacer
                .interval(again)
                .is_some_and(|i| i > Duration::from_micros(5250))
        );
        assert_eq!(pacer.interval(again + PACE_FORGET_AFTER), None, "forgotten");
        let off = Pacer::new(false);
        off.on_accepted(start);
        off.on_throttled(1, throttled);
        assert_eq!(
            off.interval(throttled),
            None,
            "adaptive_concurrency(false) turns it off"
        );
    }

    #[tokio::test]
    async fn limiter_halves_and_recovers() {
        let l = Limiter::new(8, true);
        l.on_throttle();
        assert_eq!(lock(&l.state).limit, 4);
        l.on_throttle();
        l.on_throttle();
        l.on_throttle();
        assert_eq!(lock(&l.state).limit, 1);
        for _ in 0..100 {
            l.on_success();
        }
        assert_eq!(lock(&l.state).limit, 8);
        let a = l.acquire().await;
        assert_eq!(lock(&l.state).in_flight, 1);
        drop(a);
        assert_eq!(lock(&l.state).in_flight, 0);
    }
}
