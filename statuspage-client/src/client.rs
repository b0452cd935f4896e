//! [`Client`], [`ClientBuilder`] and the request core every call goes through.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::error::{ApiError, Error, Result, message_from_body};
use crate::retry::{FailureClass, RetryBudget, RetryPolicy, parse_retry_after};

/// The Manage API v1 endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.statuspage.io/v1";
/// The per-attempt timeout unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response body read unless configured otherwise (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// The client-side pacing interval unless configured otherwise: Statuspage allows about one
/// request per second per key.
pub const DEFAULT_PACING: Duration = Duration::from_secs(1);

const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The API key. Never printed: its `Debug` is `<redacted>`.
#[derive(Clone)]
struct ApiKey(String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl ApiKey {
    fn header(&self) -> Result<HeaderValue> {
        if self.0.trim().is_empty() {
            return Err(Error::invalid("api_key", "the api key is empty"));
        }
        let mut value = HeaderValue::from_str(&format!("OAuth {}", self.0)).map_err(|_| {
            Error::invalid(
                "api_key",
                "the api key contains characters not allowed in a header",
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// A client for the Statuspage Manage API v1.
///
/// Cheap to clone (one `Arc` inside); clones share the connection pool and the retry budget.
/// Every client of the same key and base URL (clones or not) shares the rate-limit state: the
/// pacing slots and a server's `Retry-After` hold, because Statuspage limits per key.
///
/// ```no_run
/// # async fn run() -> statuspage_client::Result<()> {
/// use statuspage_client::{Client, ComponentStatus};
///
/// let client = Client::new("my-api-key")?;
/// let page = "kctbh9vrtdwd";
/// for component in client.components(page).list().per_page(100).await? {
///     println!("{}: {}", component.name, component.status.label());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.core.base.as_str())
            .field("api_key", &"<redacted>")
            .field("timeout", &self.core.timeout)
            .field("pacing", &self.core.pacing)
            .field("retry_policy", &self.core.retry)
            .finish()
    }
}

impl Client {
    /// A client with the default settings for the given API key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the key is empty or cannot be sent in a header;
    /// [`Error::Transport`] when the HTTP client cannot be set up.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder(api_key).build()
    }

    /// A builder to configure the base URL, timeouts, retries, pacing and more.
    ///
    /// ```no_run
    /// # fn run() -> statuspage_client::Result<()> {
    /// use std::time::Duration;
    /// use statuspage_client::{Client, RetryPolicy};
    ///
    /// let client = Client::builder("my-api-key")
    ///     .timeout(Duration::from_secs(10))
    ///     .retry_policy(RetryPolicy::default().with_max_attempts(3))
    ///     .pacing(Duration::from_millis(500))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            key: ApiKey(api_key.into()),
            config: CoreConfig::new(DEFAULT_BASE_URL, Some(DEFAULT_PACING)),
        }
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.core.base
    }
}

/// The setters [`ClientBuilder`] and [`PublicClientBuilder`](crate::PublicClientBuilder) share;
/// the builder has a `config: CoreConfig` field.
macro_rules! transport_setters {
    () => {
        /// Sets the timeout of one attempt (default 30 s).
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.config.timeout = timeout;
            self
        }

        /// Sets the `User-Agent` (default `statuspage-client/<version>`).
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.config.user_agent = user_agent.into();
            self
        }

        /// Uses a caller-supplied `reqwest::Client`; this crate's timeout still applies per request.
        pub fn http_client(mut self, client: reqwest::Client) -> Self {
            self.config.http = Some(client);
            self
        }

        /// Sets the retry policy ([`RetryPolicy::none`] turns retries off).
        pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
            self.config.retry = policy;
            self
        }

        /// Sets the largest response body read (default 16 MiB); a larger one is
        /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge).
        pub fn max_response_bytes(mut self, limit: usize) -> Self {
            self.config.max_response_bytes = limit;
            self
        }
    };
}
pub(crate) use transport_setters;

/// Configures a [`Client`]. Made by [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    key: ApiKey,
    config: CoreConfig,
}

impl ClientBuilder {
    /// Sets the base URL (default `https://api.statuspage.io/v1`); tests point it at a local server.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config.base_url = url.into();
        self
    }

    transport_setters!();

    /// Spaces the requests made with this key at least `interval` apart (default 1 s,
    /// Statuspage's documented limit per key; shared by every client of the key in the process),
    /// so bulk work stays under the rate limit instead of bouncing off it.
    pub fn pacing(mut self, interval: Duration) -> Self {
        self.config.pacing = Some(interval);
        self
    }

    /// Turns client-side pacing off (the server's rate limit is still honoured on retry).
    pub fn without_pacing(mut self) -> Self {
        self.config.pacing = None;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a base URL that is not an absolute `http(s)` URL or a key that
    /// is empty or not valid in a header; [`Error::Transport`] when the HTTP client cannot be set up.
    pub fn build(self) -> Result<Client> {
        let auth = self.key.header()?;
        Ok(Client {
            core: Arc::new(self.config.build(Some(auth), Some(&self.key.0))?),
        })
    }
}

/// Settings shared by [`ClientBuilder`] and [`PublicClientBuilder`](crate::PublicClientBuilder).
#[derive(Debug)]
pub(crate) struct CoreConfig {
    pub(crate) base_url: String,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) pacing: Option<Duration>,
}

impl CoreConfig {
    pub(crate) fn new(base_url: &str, pacing: Option<Duration>) -> Self {
        CoreConfig {
            base_url: base_url.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pacing,
        }
    }

    /// Builds the core; clients with the same `key` (and base URL) share their rate-limit state.
    pub(crate) fn build(self, auth: Option<HeaderValue>, key: Option<&str>) -> Result<Core> {
        let base = parse_base_url(&self.base_url)?;
        let limits = match key {
            Some(key) => RateState::for_key(key, base.as_str()),
            None => Arc::new(RateState::default()),
        };
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::invalid("user_agent", "not a valid header value"))?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(Error::Transport)?,
        };
        Ok(Core {
            http,
            base,
            auth,
            user_agent,
            timeout: self.timeout,
            retry: self.retry,
            budget: RetryBudget::default(),
            max_response_bytes: self.max_response_bytes,
            pacing: self.pacing.filter(|p| !p.is_zero()),
            limits,
        })
    }
}

pub(crate) fn parse_base_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::invalid("base_url", format!("not a valid url: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::invalid(
            "base_url",
            "must be an absolute http or https url",
        ));
    }
    Ok(url)
}

/// The shared state behind a client: HTTP client, settings, retry budget, rate-limit state.
pub(crate) struct Core {
    http: reqwest::Client,
    pub(crate) base: Url,
    auth: Option<HeaderValue>,
    user_agent: HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    budget: RetryBudget,
    max_response_bytes: usize,
    pub(crate) pacing: Option<Duration>,
    limits: Arc<RateState>,
}

/// Rate-limit state shared by every client of one key: Statuspage limits per key, not per client.
#[derive(Debug, Default)]
struct RateState {
    /// The earliest instant the next request may start, for client-side pacing.
    next_slot: Mutex<Option<Instant>>,
    /// Set by a rate-limit answer with `Retry-After`: no request with this key starts earlier.
    not_before: Mutex<Option<Instant>>,
}

type RateRegistry = Mutex<HashMap<(u64, String), Weak<RateState>>>;

impl RateState {
    /// The state of this key at this base URL, made on first use. Only a hash of the key is kept.
    fn for_key(key: &str, base: &str) -> Arc<RateState> {
        static REGISTRY: OnceLock<RateRegistry> = OnceLock::new();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        let id = (hasher.finish(), base.to_owned());
        let mut registry = REGISTRY
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        registry.retain(|_, state| state.strong_count() > 0);
        if let Some(state) = registry.get(&id).and_then(Weak::upgrade) {
            return state;
        }
        let state = Arc::new(RateState::default());
        registry.insert(id, Arc::downgrade(&state));
        state
    }
}

/// A path template such as `/pages/{page_id}/components/{component_id}` and its arguments.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    template: &'static str,
    args: Vec<String>,
}

impl Route {
    pub(crate) fn new<const N: usize>(template: &'static str, args: [&str; N]) -> Self {
        Route {
            template,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// The path template, as logged.
    pub(crate) fn template(&self) -> &'static str {
        self.template
    }

    /// The path segments, with the arguments in place; an empty argument is an error.
    fn segments(&self) -> Result<Vec<&str>> {
        let mut args = self.args.iter();
        let mut segments = Vec::new();
        for part in self.template.split('/').filter(|p| !p.is_empty()) {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(field) => {
                    let arg = args
                        .next()
                        .ok_or_else(|| Error::invalid(field, "missing path argument"))?;
                    if arg.trim().is_empty() {
                        return Err(Error::invalid(field, "must not be empty"));
                    }
                    // The URL standard drops `.` and `..` segments: such an id would silently
                    // reach another resource (`DELETE .../components/..` the page's list).
                    if matches!(arg.as_str(), "." | "..") {
                        return Err(Error::invalid(
                            field,
                            "`.` and `..` cannot be sent as a path segment",
                        ));
                    }
                    segments.push(arg.as_str());
                }
                None => segments.push(part),
            }
        }
        Ok(segments)
    }
}

/// One API call: method, route, query, JSON body, and whether it may be repeated safely.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    method: Method,
    route: Route,
    query: Vec<(&'static str, String)>,
    body: Option<Bytes>,
    idempotent: bool,
}

impl Request {
    pub(crate) fn new(method: Method, route: Route) -> Self {
        let idempotent = method != Method::POST;
        Request {
            method,
            route,
            query: Vec::new(),
            body: None,
            idempotent,
        }
    }

    pub(crate) fn get(route: Route) -> Self {
        Request::new(Method::GET, route)
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub(crate) fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("cannot be serialized: {e}")))?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }
}

/// What one attempt produced.
enum Attempt {
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        body: Bytes,
    },
    Failed {
        class: Option<FailureClass>,
        error: Error,
    },
}

impl Core {
    /// Sends the request (with retries) and decodes a JSON answer.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        let (status, body) = self.send(request).await?;
        decode(status, &body).map_err(|e| self.scrub(e))
    }

    /// Sends the request (with retries) and ignores the body of the answer.
    pub(crate) async fn execute_empty(&self, request: Request) -> Result<()> {
        self.send(request).await.map(|_| ())
    }

    /// The key, when this core has one worth looking for in what a server sends.
    fn key(&self) -> Option<&str> {
        self.auth
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("OAuth "))
            .filter(|key| key.len() >= 4)
    }

    /// Removes the key from a successful answer's body before anything reads it, so that a
    /// server echoing it leaks it into no model and no decode error (serde's messages quote the
    /// values they reject).
    fn scrub_body(&self, body: Bytes) -> Bytes {
        let Some(key) = self.key().map(str::as_bytes) else {
            return body;
        };
        // Every answer is searched, so the search is memchr's vectorised one (comparing the
        // key at every offset costs a quarter of a list call; BENCHMARKS.md, row 1).
        let mut clean: Option<Vec<u8>> = None;
        let mut copied = 0;
        for at in memchr::memmem::find_iter(&body, key) {
            // The matches do not overlap and come in order.
            let clean = clean.get_or_insert_with(|| Vec::with_capacity(body.len()));
            clean.extend_from_slice(body.get(copied..at).unwrap_or_default());
            clean.extend_from_slice(b"<redacted>");
            copied = at + key.len();
        }
        match clean {
            Some(mut clean) => {
                clean.extend_from_slice(body.get(copied..).unwrap_or_default());
                Bytes::from(clean)
            }
            None => body,
        }
    }

    /// Removes the key from what a server sent back (a server that echoes it), so that it
    /// never reaches an error's message, body or excerpt.
    fn scrub(&self, mut error: Error) -> Error {
        let Some(key) = self.key() else {
            return error;
        };
        let clean = |text: &mut String| {
            if text.contains(key) {
                *text = text.replace(key, "<redacted>");
            }
        };
        match &mut error {
            Error::Api(api) => {
                clean(&mut api.message);
                clean(&mut api.body);
            }
            Error::RateLimited { message, .. } => clean(message),
            Error::Decode { excerpt, .. } => clean(excerpt),
            _ => {}
        }
        error
    }

    fn url(&self, request: &Request) -> Result<Url> {
        let segments = request.route.segments()?;
        let mut url = self.base.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        for segment in segments {
            push_segment(&mut path, segment);
        }
        url.set_path(&path);
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    async fn send(&self, request: Request) -> Result<(u16, Bytes)> {
        let url = self.url(&request)?;
        let span = tracing::debug_span!(
            "statuspage.request",
            method = %request.method,
            path = request.route.template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        self.send_with_retries(&request, url, &span)
            .instrument(span.clone())
            .await
            .map_err(|e| self.scrub(e))
    }

    async fn send_with_retries(
        &self,
        request: &Request,
        url: Url,
        span: &tracing::Span,
    ) -> Result<(u16, Bytes)> {
        let policy = &self.retry;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            self.wait_turn().await;
            let (class, retry_after, error) = match self.attempt(request, &url).await {
                Attempt::Answered { status, body, .. } if (200..300).contains(&status) => {
                    span.record("status", status);
                    self.budget.refund();
                    tracing::debug!("request succeeded");
                    return Ok((status, self.scrub_body(body)));
                }
                Attempt::Answered {
                    status,
                    retry_after,
                    body,
                } => {
                    span.record("status", status);
                    let class = FailureClass::from_status(status);
                    let error = if class == Some(FailureClass::Throttling) {
                        if let Some(wait) = retry_after.filter(|w| *w <= policy.max_retry_after) {
                            self.hold_off(wait);
                        }
                        Error::RateLimited {
                            status,
                            retry_after,
                            message: message_from_body(&String::from_utf8_lossy(&body))
                                .unwrap_or_default(),
                        }
                    } else {
                        Error::Api(Box::new(ApiError::from_response(status, &body)))
                    };
                    (class, retry_after, error)
                }
                Attempt::Failed { class, error } => (class, None, error),
            };

            let Some(class) = class.filter(|c| c.retryable(request.idempotent)) else {
                return Err(error);
            };
            if attempt >= policy.max_attempts {
                tracing::warn!(attempts = attempt, "giving up: attempts exhausted");
                return Err(error);
            }
            let delay = match retry_after {
                Some(wait) if wait > policy.max_retry_after => {
                    tracing::warn!(?wait, "giving up: retry-after longer than the cap");
                    return Err(error);
                }
                Some(wait) => wait,
                None => policy.backoff(attempt),
            };
            if waited.saturating_add(delay) > policy.max_total_delay {
                tracing::warn!("giving up: total retry delay exhausted");
                return Err(error);
            }
            if !self.budget.withdraw(class) {
                tracing::warn!("giving up: retry budget exhausted");
                return Err(error);
            }
            tracing::debug!(?class, ?delay, "retrying");
            waited = waited.saturating_add(delay);
            // A throttling Retry-After is already a hold on the whole key (see `hold_off`), which
            // `wait_turn` waits out; any other delay is this call's own.
            if !(class == FailureClass::Throttling && retry_after.is_some()) {
                tokio::time::sleep(delay).await;
            }
        }
    }

    /// Makes every request with this key wait `wait` from now (a server's `Retry-After`).
    fn hold_off(&self, wait: Duration) {
        let Some(until) = Instant::now().checked_add(wait) else {
            return;
        };
        let mut not_before = self
            .limits
            .not_before
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
    }

    /// Waits until the client may send: after any server-imposed hold and the next pacing slot.
    async fn wait_turn(&self) {
        let hold = *self
            .limits
            .not_before
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(until) = hold {
            tokio::time::sleep_until(until).await;
        }
        if let Some(interval) = self.pacing {
            let slot = {
                let mut next = self
                    .limits
                    .next_slot
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = slot.checked_add(interval);
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
    }

    async fn attempt(&self, request: &Request, url: &Url) -> Attempt {
        let mut builder = self
            .http
            .request(request.method.clone(), url.clone())
            .timeout(self.timeout)
            .header(USER_AGENT, self.user_agent.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(auth) = &self.auth {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return self.failed(e),
        };
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        match self.read_body(response, status).await {
            Ok(body) => Attempt::Answered {
                status,
                retry_after,
                body,
            },
            Err(Ok(error)) => Attempt::Failed { class: None, error },
            Err(Err(e)) => self.failed(e),
        }
    }

    fn failed(&self, e: reqwest::Error) -> Attempt {
        let class = if e.is_builder() {
            None
        } else if e.is_timeout() {
            Some(FailureClass::Timeout)
        } else if e.is_connect() {
            Some(FailureClass::Connect)
        } else {
            Some(FailureClass::Transient)
        };
        let error = if e.is_timeout() {
            Error::Timeout {
                after: self.timeout,
            }
        } else {
            Error::Transport(e)
        };
        Attempt::Failed { class, error }
    }

    /// Reads the body within the size limit. `Err(Ok(_))` is final, `Err(Err(_))` a transport error.
    ///
    /// Of an error answer only the first 64 KiB are read (4 KiB reach the error): a huge error
    /// page is still the status it carries, retried or reported as such, never `BodyTooLarge`.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        status: u16,
    ) -> std::result::Result<Bytes, std::result::Result<Error, reqwest::Error>> {
        let limit = self.max_response_bytes;
        if !(200..300).contains(&status) {
            let keep = limit.min(MAX_ERROR_BODY_READ);
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(Err)? {
                let room = keep.saturating_sub(body.len());
                body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
                if body.len() >= keep {
                    break;
                }
            }
            return Ok(Bytes::from(body));
        }
        let too_large = Error::BodyTooLarge { limit };
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(Ok(too_large));
        }
        // A declared length (checked against the limit above) sizes the buffer once; up to
        // 1 MiB, so a length that is declared but never sent costs little.
        let declared = response.content_length().unwrap_or(0).min(1 << 20);
        let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(Err)? {
            if body.len() + chunk.len() > limit {
                return Err(Ok(too_large));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(body))
    }
}

/// How much of an error answer is read.
const MAX_ERROR_BODY_READ: usize = 64 * 1024;

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

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

/// Decodes a 2xx body, reporting the JSON path and an excerpt when it is not what was expected.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T> {
    let decode_error = |path: String, source: serde_json::Error| Error::Decode {
        status,
        path,
        excerpt: String::from_utf8_lossy(body).chars().take(200).collect(),
        source,
    };
    // JSON is UTF-8: serde_json skips the strings of unknown fields without checking them, so
    // a body with invalid UTF-8 there would otherwise decode.
    let text = std::str::from_utf8(body).map_err(|e| {
        decode_error(
            ".".to_owned(),
            serde::de::Error::custom(format!(
                "invalid UTF-8 after byte {} of the body",
                e.valid_up_to()
            )),
        )
    })?;
    // Tracking the JSON path costs about 40% of a decode (BENCHMARKS.md, row 2), so a body is
    // decoded without it, and only one that fails is decoded again to name the path.
    let fast_error = match serde_json::from_str(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => Err(decode_error(e.path().to_string(), e.into_inner())),
        // The value itself decoded: what failed is what follows it.
        Ok(_) => Err(decode_error(".".to_owned(), fast_error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fill_in_arguments_and_reject_empty_ones() {
        let route = Route::new("/pages/{page_id}/components/{component_id}", ["p1", "c/2"]);
        assert_eq!(
            route.segments().ok(),
            Some(vec!["pages", "p1", "components", "c/2"])
        );
        let empty = Route::new("/pages/{page_id}/components", [" "]);
        assert!(matches!(
            empty.segments(),
            Err(Error::InvalidInput {
                field: "page_id",
                ..
            })
        ));
    }

    #[test]
    fn urls_are_percent_encoded_and_keep_the_base_path() -> Result<()> {
        let core = CoreConfig::new("https://api.example.test/v1/", None).build(None, None)?;
        let request =
            Request::get(Route::new("/pages/{page_id}/components", ["a b/../c"])).query("page", 2);
        let url = core.url(&request)?;
        assert_eq!(
            url.as_str(),
            "https://api.example.test/v1/pages/a%20b%2F..%2Fc/components?page=2"
        );
        Ok(())
    }

    #[test]
    fn bad_base_urls_are_invalid_input() {
        for bad in ["not a url", "ftp://example.test", "mailto:x@example.test"] {
            assert!(matches!(
                parse_base_url(bad),
                Err(Error::InvalidInput {
                    field: "base_url",
                    ..
                })
            ));
        }
    }

    #[test]
    fn decode_reports_path_and_excerpt() {
        #[derive(Debug, serde::Deserialize)]
        struct Thing {
            #[allow(dead_code)]
            items: Vec<u32>,
        }
        let err = decode::<Thing>(200, br#"{"items":[1,"two"]}"#);
        match err {
            Err(Error::Decode {
                status,
                path,
                excerpt,
                ..
            }) => {
                assert_eq!(status, 200);
                assert_eq!(path, "items[1]");
                assert!(excerpt.starts_with("{\"items\""));
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(matches!(
            decode::<Thing>(200, b"{\"items\":[1]} trailing"),
            Err(Error::Decode { .. })
        ));
    }
}
