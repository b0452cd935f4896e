//! The request core: configuration, the attempt loop, throttling, the size limit, redaction.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT,
};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::decode::decode;
use crate::error::Error;
use crate::redact::Secrets;
use crate::retry::{FailureClass, RetryBudget, RetryPolicy, parse_retry_after};
use crate::route::{Body, Request};

/// The per-attempt timeout unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest successful body read unless configured otherwise (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// How much of an error answer is read: its message and excerpt come from the start, and a huge
/// error page is still the status it carries (retried or reported), never `BodyTooLarge`.
pub const MAX_ERROR_BODY_READ: usize = 64 * 1024;

/// What is the service's own: the SDK implements this small trait and passes it to
/// [`Config::build`]; everything else (the loop, budget, throttle, size limit, redaction,
/// decoding) is the core's.
///
/// ```
/// use opsbot_http::{Answer, FailureClass, Request, Service};
///
/// #[derive(Debug)]
/// struct Example;
///
/// impl Service for Example {
///     type Error = opsbot_http::Error;
///     type Permit = ();
///     async fn admit(&self) {}
///     fn span(&self, request: &Request) -> tracing::Span {
///         opsbot_http::request_span!("example.request", request)
///     }
///     // Statuspage-style: 420 is throttling too.
///     fn classify(&self, status: u16, headers: &http::HeaderMap) -> Option<FailureClass> {
///         match status {
///             420 => Some(FailureClass::Throttling),
///             _ => FailureClass::from_status(status),
///         }
///     }
///     fn error(&self, answer: Answer) -> opsbot_http::Error {
///         opsbot_http::Error::invalid("status", format!("answered {}", answer.status))
///     }
/// }
/// # mod http { pub use reqwest::header::HeaderMap; }
/// ```
pub trait Service: Send + Sync + 'static {
    /// The SDK's error type; the core's own errors convert into it.
    type Error: From<Error> + Send + 'static;
    /// Held while one attempt is in flight (a concurrency permit); `()` when the service has none.
    type Permit: Send;

    /// Waits until this service lets another attempt start (its own pacing or concurrency
    /// limit; the core's client-wide throttle and fixed pacing come first).
    fn admit(&self) -> impl Future<Output = Self::Permit> + Send;

    /// The tracing span of one call, made with [`request_span!`](crate::request_span) so its
    /// name and target are the SDK's and its `path` field is the template actually sent.
    fn span(&self, request: &Request) -> tracing::Span;

    /// The class of an answer that is not 2xx: `None` is final. The default is
    /// [`FailureClass::from_status`]; a service adds its own throttling signals here.
    fn classify(&self, status: u16, headers: &HeaderMap) -> Option<FailureClass> {
        let _ = headers;
        FailureClass::from_status(status)
    }

    /// The SDK's error for an answer that is not 2xx and is not retried (any more): error-body
    /// parsing and the service's rate-limit error live here. Secrets are already cut from the body.
    fn error(&self, answer: Answer) -> Self::Error;

    /// Sees every answer (after redaction), before the retry decision: for learned pacing or
    /// rate-limit headers.
    fn observe(&self, answer: &Answer) {
        let _ = answer;
    }

    /// Called when a throttling answer starts a new client-wide hold of `delay`.
    fn on_hold(&self, delay: Duration) {
        let _ = delay;
    }
}

/// Makes the span of one call: `name` (a string literal, the SDK's), fields `method`, `path` (the
/// template), `attempt` and `status` (recorded by the core), and any extra `field = value` pairs.
///
/// ```
/// use opsbot_http::{Request, Route};
/// let request = Request::get(Route::new("/rooms/{room_id}", ["7"]));
/// let span = opsbot_http::request_span!("campfire.request", &request, generation = "classic");
/// # drop(span);
/// ```
#[macro_export]
macro_rules! request_span {
    ($name:literal, $request:expr $(, $field:ident = $value:expr)* $(,)?) => {{
        let request: &$crate::Request = $request;
        $crate::__private::tracing::debug_span!(
            $name,
            $($field = $value,)*
            method = %request.method(),
            path = request.route().template(),
            attempt = $crate::__private::tracing::field::Empty,
            status = $crate::__private::tracing::field::Empty,
        )
    }};
}

/// An answer as the core read it: status, headers and (size-limited, redacted) body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, with the client's secrets cut out. Of an error answer only the first
    /// [`MAX_ERROR_BODY_READ`] bytes are kept.
    pub body: Bytes,
    /// The path of the URL that answered (differs from the request's after a followed redirect).
    pub final_path: String,
    /// How the core classified it (`None`: success or a final answer). `Some` on an answer the
    /// core returns means the retries ran out on it, for example throttling that outlasted the policy.
    pub class: Option<FailureClass>,
    /// The server's `Retry-After`, parsed.
    pub retry_after: Option<Duration>,
}

impl Answer {
    /// An answer as a server sent it (for an SDK's own tests of its error mapping).
    pub fn new(status: u16, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Answer {
            status,
            headers,
            body: body.into(),
            final_path: String::new(),
            class: None,
            retry_after: None,
        }
    }

    /// `true` for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `true` when the answer is a throttling refusal (as the service classifies it).
    pub fn is_throttled(&self) -> bool {
        self.class == Some(FailureClass::Throttling)
    }

    /// A header as text, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Decodes the body as JSON (see [`decode`](crate::decode())).
    ///
    /// # Errors
    /// [`Error::Decode`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode(self.status, &self.body)
    }
}

/// The client-wide throttle: the instant before which no request starts (set by a throttling
/// answer), and the next slot of fixed client-side pacing. Shared by a client and its clones,
/// or by every client of one key ([`Throttle::for_key`]) when the service limits per key.
#[derive(Debug, Default)]
pub struct Throttle {
    not_before: Mutex<Option<Instant>>,
    next_slot: Mutex<Option<Instant>>,
}

type ThrottleRegistry = Mutex<HashMap<(u64, String), Weak<Throttle>>>;

impl Throttle {
    /// A throttle of its own.
    pub fn new() -> Arc<Throttle> {
        Arc::new(Throttle::default())
    }

    /// The throttle of this key at this base URL in this process, made on first use (only a
    /// hash of the key is kept). Every client of the key waits out a hold any of them received.
    pub fn for_key(key: &str, base: &str) -> Arc<Throttle> {
        static REGISTRY: OnceLock<ThrottleRegistry> = OnceLock::new();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        let id = (hasher.finish(), base.to_owned());
        let mut registry = lock(REGISTRY.get_or_init(Default::default));
        registry.retain(|_, state| state.strong_count() > 0);
        if let Some(state) = registry.get(&id).and_then(Weak::upgrade) {
            return state;
        }
        let state = Throttle::new();
        registry.insert(id, Arc::downgrade(&state));
        state
    }

    /// Holds every request for `delay` from now; `true` when no hold was active before.
    pub fn hold(&self, delay: Duration) -> bool {
        let now = Instant::now();
        // A server's absurd Retry-After must not overflow the clock.
        let Some(until) = now.checked_add(delay) else {
            return false;
        };
        let mut not_before = lock(&self.not_before);
        let was_active = not_before.is_some_and(|t| t > now);
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
        !was_active
    }

    /// `true` while a hold is active.
    pub fn is_holding(&self) -> bool {
        lock(&self.not_before).is_some_and(|t| t > Instant::now())
    }

    /// Waits out any hold, then takes the next pacing slot (`pacing` apart) and waits for it.
    pub async fn wait(&self, pacing: Option<Duration>) {
        loop {
            let hold = *lock(&self.not_before);
            match hold {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => break,
            }
        }
        if let Some(interval) = pacing {
            let slot = {
                let mut next = lock(&self.next_slot);
                let now = Instant::now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = slot.checked_add(interval);
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
    }
}

/// The settings of a [`Transport`]. An SDK's builder keeps one and forwards its setters to it
/// ([`transport_setters!`](crate::transport_setters) writes the common ones).
#[derive(Debug, Clone)]
#[must_use]
pub struct Config {
    base_url: String,
    timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    pacing: Option<Duration>,
    follow_redirects: bool,
    authorization: Option<HeaderValue>,
    secrets: Secrets,
    throttle: Option<Arc<Throttle>>,
}

impl Config {
    /// Defaults: this base URL and user agent, 30 s per attempt, [`RetryPolicy::default`],
    /// 16 MiB bodies, no pacing, redirects followed, no authorization, nothing to redact.
    pub fn new(base_url: impl Into<String>, user_agent: impl Into<String>) -> Self {
        Config {
            base_url: base_url.into(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: user_agent.into(),
            http: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pacing: None,
            follow_redirects: true,
            authorization: None,
            secrets: Secrets::default(),
            throttle: None,
        }
    }

    /// The base URL every route is appended to (its own path is kept).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The timeout of one attempt, from sending to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A caller-supplied `reqwest::Client` (the timeout still applies per attempt).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest successful body read; a larger one is [`Error::BodyTooLarge`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Spaces request starts at least `interval` apart (`None` or zero: no pacing).
    pub fn pacing(mut self, interval: Option<Duration>) -> Self {
        self.pacing = interval.filter(|p| !p.is_zero());
        self
    }

    /// Whether the default HTTP client follows redirects (default true).
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// The `Authorization` header of every request (marked sensitive).
    pub fn authorization(mut self, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.authorization = Some(value);
        self
    }

    /// The secrets cut out of every answer.
    pub fn secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// Shares a throttle (for example [`Throttle::for_key`]) instead of one of its own.
    pub fn throttle(mut self, throttle: Arc<Throttle>) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// The configured base URL, as given.
    pub fn base_url_str(&self) -> &str {
        &self.base_url
    }

    /// The configured timeout.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The configured retry policy.
    pub fn retry_policy_ref(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The configured pacing.
    pub fn pacing_value(&self) -> Option<Duration> {
        self.pacing
    }

    /// Builds the transport of `service`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a base URL that is not an absolute `http(s)` URL (or has a
    /// query, a fragment or credentials) or a user agent not valid in a header;
    /// [`Error::Transport`] when the HTTP client cannot be set up.
    pub fn build<S: Service>(self, service: S) -> Result<Transport<S>, Error> {
        let base = parse_base_url("base_url", &self.base_url)?;
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::invalid("user_agent", "not a valid header value"))?;
        let http = match self.http {
            Some(http) => http,
            None => {
                // A connection that cannot be opened fails fast enough to be retried in time.
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(self.timeout.min(Duration::from_secs(10)));
                if !self.follow_redirects {
                    builder = builder.redirect(reqwest::redirect::Policy::none());
                }
                builder
                    .build()
                    .map_err(|e| Error::Transport(e.without_url()))?
            }
        };
        Ok(Transport {
            service,
            http,
            base,
            authorization: self.authorization,
            user_agent,
            timeout: self.timeout,
            budget: RetryBudget::new(self.retry.retry_budget()),
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            pacing: self.pacing,
            secrets: self.secrets,
            throttle: self.throttle.unwrap_or_default(),
        })
    }
}

/// Writes the builder setters every SDK shares (`timeout`, `user_agent`, `http_client`,
/// `retry_policy`, `max_response_bytes`) for a builder whose field `$config` is a [`Config`].
#[macro_export]
macro_rules! transport_setters {
    ($config:ident) => {
        /// Sets the timeout of one attempt, from sending to the end of the body (default 30 s).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$config = self.$config.timeout(timeout);
            self
        }

        /// Sets the `User-Agent` header (default `<crate>/<version>`).
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.$config = self.$config.user_agent(user_agent);
            self
        }

        /// Uses a caller-supplied `reqwest::Client`; the timeout still applies per attempt.
        pub fn http_client(mut self, client: $crate::__private::reqwest::Client) -> Self {
            self.$config = self.$config.http_client(client);
            self
        }

        /// Sets the retry policy (`RetryPolicy::none()` turns retries off).
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.$config = self.$config.retry_policy(policy);
            self
        }

        /// Sets the largest response body read (default 16 MiB); a larger one is an error.
        pub fn max_response_bytes(mut self, limit: usize) -> Self {
            self.$config = self.$config.max_response_bytes(limit);
            self
        }
    };
}

/// Parses and checks a base URL: absolute `http(s)` with a host, no query, fragment or credentials.
///
/// # Errors
/// [`Error::InvalidInput`] named `field`; a URL with credentials is refused without repeating them.
pub fn parse_base_url(field: &'static str, raw: &str) -> Result<Url, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::invalid(field, format!("not a valid url: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::invalid(
            field,
            "must be an absolute http or https url",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            field,
            "must not have a query string or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not hold credentials (pass the key separately)",
        ));
    }
    Ok(url)
}

/// The request core of one client, shared by its clones (put it in an `Arc`).
pub struct Transport<S> {
    service: S,
    http: reqwest::Client,
    base: Url,
    authorization: Option<HeaderValue>,
    user_agent: HeaderValue,
    timeout: Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    max_response_bytes: usize,
    pacing: Option<Duration>,
    secrets: Secrets,
    throttle: Arc<Throttle>,
}

impl<S: fmt::Debug> fmt::Debug for Transport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("service", &self.service)
            .field("base_url", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("retry_policy", &self.retry)
            .field("pacing", &self.pacing)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

/// Why one attempt did not produce an answer.
enum AttemptError {
    /// Not worth another attempt (a body over the limit, a request that cannot be built).
    Final(Error),
    /// Worth another attempt if the policy allows.
    Retryable(FailureClass, Error),
}

/// What a failed attempt left: an answer (returned if the retries run out) or an error.
enum Failure {
    Answer(Answer),
    Error(Error),
}

impl<S: Service> Transport<S> {
    /// The service hooks.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// The base URL every route is appended to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The per-attempt timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The fixed pacing interval, if any.
    pub fn pacing(&self) -> Option<Duration> {
        self.pacing
    }

    /// The tokens left in the retry budget.
    pub fn retry_budget_available(&self) -> u32 {
        self.budget.available()
    }

    /// The secrets cut out of answers.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The client-wide throttle.
    pub fn throttle(&self) -> &Arc<Throttle> {
        &self.throttle
    }

    /// A request builder with the user agent and authorization applied, for calls the core
    /// does not buffer (a live stream). No retries, limits or redaction apply to it.
    pub fn raw_request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let mut builder = self
            .http
            .request(method, url)
            .header(USER_AGENT, self.user_agent.clone());
        if let Some(auth) = &self.authorization {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        builder
    }

    /// The URL a request goes to.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad route argument.
    pub fn url(&self, request: &Request) -> Result<Url, Error> {
        request.route().url(&self.base, request.query_pairs())
    }

    /// Sends the request through the retry loop and decodes a 2xx JSON answer.
    ///
    /// # Errors
    /// The service's error for a non-2xx answer; the core's errors converted.
    pub async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<T, S::Error> {
        let answer = self.send(request).await?;
        answer.json().map_err(S::Error::from)
    }

    /// Sends the request through the retry loop, ignoring the body of the 2xx answer.
    ///
    /// # Errors
    /// As for [`execute`](Self::execute).
    pub async fn execute_empty(&self, request: Request) -> Result<(), S::Error> {
        self.send(request).await.map(drop)
    }

    /// Sends the request through the retry loop; a 2xx answer is `Ok`, any other becomes the
    /// service's error ([`Service::error`]).
    ///
    /// # Errors
    /// As for [`execute`](Self::execute).
    pub async fn send(&self, request: Request) -> Result<Answer, S::Error> {
        let answer = self.exchange(request).await?;
        if answer.is_success() {
            Ok(answer)
        } else {
            Err(self.service.error(answer))
        }
    }

    /// Sends the request through the retry loop and returns the answer it stopped at, whatever
    /// its status (for a service that maps statuses itself).
    ///
    /// # Errors
    /// The core's errors only (bad input, transport, timeout, size limit).
    pub async fn exchange(&self, request: Request) -> Result<Answer, Error> {
        let url = self.url(&request)?;
        let span = self.service.span(&request);
        self.attempts(&request, url, &span)
            .instrument(span.clone())
            .await
    }

    async fn attempts(
        &self,
        request: &Request,
        url: Url,
        span: &tracing::Span,
    ) -> Result<Answer, Error> {
        let policy = &self.retry;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            self.throttle.wait(self.pacing).await;
            let outcome = {
                let _permit = self.service.admit().await;
                self.attempt(request, &url).await
            };
            let (class, retry_after, failure) = match outcome {
                Ok(mut answer) => {
                    span.record("status", answer.status);
                    answer.body = self.secrets.scrub_bytes(std::mem::take(&mut answer.body));
                    answer.retry_after = answer
                        .headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after);
                    if !answer.is_success() {
                        answer.class = self.service.classify(answer.status, &answer.headers);
                    }
                    self.service.observe(&answer);
                    if answer.is_success() {
                        self.budget.refund();
                        return Ok(answer);
                    }
                    let Some(class) = answer.class else {
                        // A final answer (404, 422, ...) is the caller's to handle: no warning.
                        tracing::debug!(status = answer.status, "final answer");
                        return Ok(answer);
                    };
                    (class, answer.retry_after, Failure::Answer(answer))
                }
                Err(AttemptError::Final(error)) => return Err(error),
                Err(AttemptError::Retryable(class, error)) => (class, None, Failure::Error(error)),
            };
            let give_up = |failure: Failure| match failure {
                Failure::Answer(answer) => Ok(answer),
                Failure::Error(error) => Err(error),
            };
            let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            // Throttling holds the whole client (and, with a shared throttle, the whole key):
            // without Retry-After, one jittered delay is both this call's backoff and the hold.
            // A wait longer than the policy honours is not waited for, so it holds nobody.
            let held = class == FailureClass::Throttling && delay <= policy.max_retry_after();
            if held && self.throttle.hold(delay) {
                self.service.on_hold(delay);
            }
            if !class.retryable(request.is_idempotent()) {
                tracing::debug!(?class, "not retried: not safe to repeat");
                return give_up(failure);
            }
            if attempt >= policy.max_attempts() {
                tracing::warn!(attempts = attempt, ?class, "giving up: attempts exhausted");
                return give_up(failure);
            }
            if retry_after.is_some_and(|wait| wait > policy.max_retry_after()) {
                tracing::warn!(?retry_after, "giving up: retry-after longer than the cap");
                return give_up(failure);
            }
            if waited.saturating_add(delay) > policy.max_total_delay() {
                tracing::warn!("giving up: total retry delay exhausted");
                return give_up(failure);
            }
            if !self.budget.withdraw(class) {
                tracing::warn!("giving up: retry budget exhausted");
                return give_up(failure);
            }
            tracing::debug!(?class, ?delay, "retrying");
            waited = waited.saturating_add(delay);
            if !held {
                tokio::time::sleep(delay).await;
            }
        }
    }

    async fn attempt(&self, request: &Request, url: &Url) -> Result<Answer, AttemptError> {
        let mut builder = self
            .raw_request(request.method().clone(), url.clone())
            .timeout(self.timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        builder = match request.body_ref() {
            Body::Empty => builder,
            Body::Bytes {
                content_type,
                bytes,
            } => builder
                .header(CONTENT_TYPE, content_type.clone())
                .body(bytes.clone()),
            Body::Build(build) => build(builder),
        };
        match tokio::time::timeout(self.timeout, self.send_and_read(builder)).await {
            Ok(result) => result,
            Err(_) => Err(AttemptError::Retryable(
                FailureClass::Timeout,
                Error::Timeout {
                    after: self.timeout,
                },
            )),
        }
    }

    async fn send_and_read(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<Answer, AttemptError> {
        let mut response = builder.send().await.map_err(|e| self.failed(e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let final_path = response.url().path().to_owned();
        let limit = self.max_response_bytes;
        let mut body = Vec::new();
        if (200..300).contains(&status) {
            if response
                .content_length()
                .is_some_and(|len| len > limit as u64)
            {
                return Err(AttemptError::Final(Error::BodyTooLarge { limit }));
            }
            // A declared length (checked above) sizes the buffer once; up to 1 MiB, so a length
            // that is declared but never sent costs little.
            let declared = response.content_length().unwrap_or(0).min(1 << 20);
            body.reserve(usize::try_from(declared).unwrap_or(0));
            while let Some(chunk) = response.chunk().await.map_err(|e| self.failed(e))? {
                if body.len() + chunk.len() > limit {
                    return Err(AttemptError::Final(Error::BodyTooLarge { limit }));
                }
                body.extend_from_slice(&chunk);
            }
        } else {
            let keep = limit.min(MAX_ERROR_BODY_READ);
            while body.len() < keep {
                let Some(chunk) = response.chunk().await.map_err(|e| self.failed(e))? else {
                    break;
                };
                let room = keep - body.len();
                body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            }
        }
        Ok(Answer {
            status,
            headers,
            body: Bytes::from(body),
            final_path,
            class: None,
            retry_after: None,
        })
    }

    /// The one classification of a transport failure.
    fn failed(&self, error: reqwest::Error) -> AttemptError {
        let class = FailureClass::from_transport(&error);
        let error = if error.is_timeout() {
            Error::Timeout {
                after: self.timeout,
            }
        } else {
            Error::Transport(error.without_url())
        };
        match class {
            Some(class) => AttemptError::Retryable(class, error),
            None => AttemptError::Final(error),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert!(parse_base_url("base_url", "https://api.example.test/v1").is_ok());
        for bad in [
            "not a url",
            "ftp://example.test",
            "mailto:x@example.test",
            "https://example.test/?x=1",
        ] {
            assert!(matches!(
                parse_base_url("base_url", bad),
                Err(Error::InvalidInput {
                    field: "base_url",
                    ..
                })
            ));
        }
        let refused = parse_base_url("base_url", "https://tok3n:X@example.test")
            .err()
            .map(|e| format!("{e} {e:?}"));
        assert!(refused.is_some_and(|e| !e.contains("tok3n")));
    }

    #[tokio::test]
    async fn a_hold_is_shared_by_every_client_of_a_key() {
        let a = Throttle::for_key("key-one", "https://x.test/");
        let b = Throttle::for_key("key-one", "https://x.test/");
        let other = Throttle::for_key("key-two", "https://x.test/");
        assert!(a.hold(Duration::from_secs(60)));
        assert!(!a.hold(Duration::from_secs(1)), "a hold was already active");
        assert!(b.is_holding());
        assert!(!other.is_holding());
    }

    #[test]
    fn an_absurd_hold_does_not_overflow() {
        let throttle = Throttle::new();
        assert!(!throttle.hold(Duration::MAX));
        assert!(!throttle.is_holding());
    }
}
