//! The webhook delivery core the SDKs' fakes share: a [`WebhookDelivery`] POSTs payloads to
//! configured URLs, one ordered queue per URL, retries a delivery that fails (anything but 2xx,
//! a timeout, no connection) with a doubling backoff, optionally unsubscribes a URL that keeps
//! failing, and records every attempt. The SDKs wrap it in their own `WebhookSender`, which
//! adds the payload type and the vendor's extras (custom headers, unsubscribing).
//!
//! ```
//! use opsbot_http::fake::webhooks::WebhookDelivery;
//!
//! # async fn run() -> Result<(), opsbot_http::fake::webhooks::DeliveryError> {
//! let delivery = WebhookDelivery::builder()
//!     .url("http://127.0.0.1:8080/hooks/fake-secret")
//!     .build()?;
//! delivery.send_json(&serde_json::json!({"action": "Create"}));
//! delivery.idle().await; // every delivery done (delivered or given up)
//! for attempt in delivery.attempts() {
//!     println!("{attempt:?}");
//! }
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{mpsc, watch};

/// Why a [`WebhookDelivery`] could not be built or given a URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// A URL that is not `http(s)` (the text shows only its origin).
    #[error("`{0}` is not an http(s) URL")]
    InvalidUrl(String),
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built")]
    Client(#[source] reqwest::Error),
}

/// How one delivery attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The endpoint answered with this status (only 2xx counts as delivered).
    Status(u16),
    /// No answer within the sender's timeout.
    Timeout,
    /// No answer: the request could not be sent (why, without the URL).
    Failed(String),
}

impl AttemptOutcome {
    /// `true` for a 2xx answer.
    pub fn is_delivered(&self) -> bool {
        matches!(self, AttemptOutcome::Status(s) if (200..300).contains(s))
    }
}

/// One attempt to deliver one payload to one URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// Which payload: the number [`WebhookDelivery::send_raw`] returned.
    pub delivery: u64,
    /// The URL, as configured (it may hold a secret: `Debug` prints only its origin).
    pub url: String,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// How it ended.
    pub outcome: AttemptOutcome,
}

impl fmt::Debug for DeliveryAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryAttempt")
            .field("delivery", &self.delivery)
            .field("url", &redacted(&self.url))
            .field("attempt", &self.attempt)
            .field("outcome", &self.outcome)
            .finish()
    }
}

/// The URL's origin; a path or query (where secrets go) is replaced by `<redacted>`.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.path() == "/" && u.query().is_none() => u.origin().ascii_serialization(),
        Ok(u) => format!("{}/<redacted>", u.origin().ascii_serialization()),
        Err(_) => "<redacted>".to_owned(),
    }
}

/// Builds a [`WebhookDelivery`].
#[derive(Clone, Debug)]
#[must_use]
pub struct WebhookDeliveryBuilder {
    urls: Vec<String>,
    headers: Vec<(HeaderName, HeaderValue)>,
    unsubscribe_after: Option<u32>,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    timeout: Duration,
}

impl Default for WebhookDeliveryBuilder {
    fn default() -> Self {
        WebhookDeliveryBuilder {
            urls: Vec::new(),
            headers: Vec::new(),
            unsubscribe_after: None,
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
        }
    }
}

impl WebhookDeliveryBuilder {
    /// Adds a URL every payload is POSTed to (`http` or `https`).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// Adds a header sent with every delivery. Its value is marked sensitive (it never reaches
    /// a log); a `Content-Type` replaces the default `application/json`.
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.headers.push((name, value));
        self
    }

    /// Unsubscribes a URL after this many payloads in a row that failed every attempt
    /// (default: never). Payloads still queued for it are dropped;
    /// [`WebhookDelivery::unsubscribed`] lists it.
    pub fn unsubscribe_after(mut self, failed_deliveries: u32) -> Self {
        self.unsubscribe_after = Some(failed_deliveries.max(1));
        self
    }

    /// How many times one payload is tried per URL, the first included (default 3; at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the second attempt, doubled for each further one up to `max`
    /// (default 50 ms up to 2 s).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// How long one attempt may take before it counts as failed (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the delivery core.
    ///
    /// # Errors
    /// [`DeliveryError::InvalidUrl`] for a URL that is not `http(s)`;
    /// [`DeliveryError::Client`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<WebhookDelivery, DeliveryError> {
        for url in &self.urls {
            check_url(url)?;
        }
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        let http = crate::http_client_builder()
            // A redirect is not a delivery.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(DeliveryError::Client)?;
        let (pending, _) = watch::channel(0);
        Ok(WebhookDelivery {
            inner: Arc::new(Inner {
                http,
                headers,
                unsubscribe_after: self.unsubscribe_after,
                max_attempts: self.max_attempts,
                initial_backoff: self.initial_backoff,
                max_backoff: self.max_backoff,
                timeout: self.timeout,
                pending,
                state: Mutex::new(SenderState {
                    urls: self.urls,
                    unsubscribed: Vec::new(),
                    failures_in_a_row: HashMap::new(),
                    queues: HashMap::new(),
                    attempts: Vec::new(),
                    next_delivery: 1,
                }),
            }),
        })
    }
}

fn check_url(url: &str) -> Result<(), DeliveryError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err(DeliveryError::InvalidUrl(redacted(url))),
    }
}

/// POSTs webhook payloads to configured URLs, with retries, recording every attempt.
///
/// Payloads to one URL are delivered in the order they were sent (a payload's retries
/// finish before the next one is tried); URLs are served independently, so a failing URL
/// delays no other. Cheap to clone; clones share URLs and records. Deliveries need a Tokio
/// runtime; when the last clone is dropped, a delivery under way finishes and the ones not
/// yet started are abandoned.
#[derive(Clone)]
pub struct WebhookDelivery {
    inner: Arc<Inner>,
}

impl fmt::Debug for WebhookDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.debug_as("WebhookDelivery", f)
    }
}

impl WebhookDelivery {
    /// Writes the `Debug` form under another type's name (the SDKs' wrappers): the URLs'
    /// origins and the attempts per payload, never a secret.
    ///
    /// # Errors
    /// Those of the formatter.
    pub fn debug_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls().iter().map(|u| redacted(u)).collect();
        f.debug_struct(name)
            .field("urls", &urls)
            .field("max_attempts", &self.inner.max_attempts)
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    headers: HeaderMap,
    unsubscribe_after: Option<u32>,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    timeout: Duration,
    /// Deliveries (payload x URL) queued or under way.
    pending: watch::Sender<usize>,
    state: Mutex<SenderState>,
}

struct SenderState {
    urls: Vec<String>,
    unsubscribed: Vec<String>,
    failures_in_a_row: HashMap<String, u32>,
    queues: HashMap<String, mpsc::UnboundedSender<Job>>,
    attempts: Vec<DeliveryAttempt>,
    next_delivery: u64,
}

struct Job {
    delivery: u64,
    body: Bytes,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, SenderState> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2_u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    fn record(&self, attempt: DeliveryAttempt) {
        self.state().attempts.push(attempt);
    }

    /// Counts a finished payload for `url`; unsubscribes the URL when it failed too often.
    fn settle(&self, url: &str, delivered: bool) {
        let mut state = self.state();
        let failures = state.failures_in_a_row.entry(url.to_owned()).or_insert(0);
        *failures = if delivered { 0 } else { *failures + 1 };
        let failures = *failures;
        if self.unsubscribe_after.is_some_and(|n| failures >= n)
            && !state.unsubscribed.iter().any(|u| u == url)
        {
            state.urls.retain(|u| u != url);
            state.unsubscribed.push(url.to_owned());
        }
    }

    fn is_unsubscribed(&self, url: &str) -> bool {
        self.state().unsubscribed.iter().any(|u| u == url)
    }

    fn done(&self) {
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl WebhookDelivery {
    /// A builder: no URLs yet, 3 attempts, 50 ms backoff doubling up to 2 s, 5 s timeout.
    pub fn builder() -> WebhookDeliveryBuilder {
        WebhookDeliveryBuilder::default()
    }

    /// How many times one payload is tried per URL, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.inner.max_attempts
    }

    /// Adds a URL (subscribes it again if it was unsubscribed); payloads sent from now on go
    /// there too.
    ///
    /// # Errors
    /// [`DeliveryError::InvalidUrl`] for a URL that is not `http(s)`.
    pub fn add_url(&self, url: impl Into<String>) -> Result<(), DeliveryError> {
        let url = url.into();
        check_url(&url)?;
        let mut state = self.inner.state();
        state.unsubscribed.retain(|u| u != &url);
        state.failures_in_a_row.remove(&url);
        if !state.urls.contains(&url) {
            state.urls.push(url);
        }
        Ok(())
    }

    /// Removes a URL; payloads already queued for it are still delivered.
    pub fn remove_url(&self, url: &str) {
        self.inner.state().urls.retain(|u| u != url);
    }

    /// The URLs unsubscribed for failing (see [`WebhookDeliveryBuilder::unsubscribe_after`]).
    pub fn unsubscribed(&self) -> Vec<String> {
        self.inner.state().unsubscribed.clone()
    }

    /// The URLs payloads go to.
    pub fn urls(&self) -> Vec<String> {
        self.inner.state().urls.clone()
    }

    /// Queues `payload` as JSON for every URL and returns at once with the payload's number
    /// (see [`DeliveryAttempt::delivery`]); the POSTs happen in the background. A payload that
    /// does not serialize fails its first attempt for every URL.
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, payload: &T) -> u64 {
        match serde_json::to_vec(payload) {
            Ok(body) => self.send_raw(body),
            Err(e) => self.fail_all(&format!("payload not serializable: {e}")),
        }
    }

    /// Queues a body as it is (for tests of a receiver's handling of bad payloads).
    pub fn send_raw(&self, body: impl Into<Bytes>) -> u64 {
        let body = body.into();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return self.fail_all("no tokio runtime to deliver on");
        };
        let mut state = self.inner.state();
        let delivery = state.next_delivery;
        state.next_delivery += 1;
        for url in state.urls.clone() {
            let queue = state
                .queues
                .entry(url.clone())
                .or_insert_with(|| spawn_worker(&runtime, &self.inner, url.clone()));
            self.inner.pending.send_modify(|n| *n += 1);
            let job = Job {
                delivery,
                body: body.clone(),
            };
            if queue.send(job).is_err() {
                // The worker is gone (its runtime shut down): start another one.
                let queue = spawn_worker(&runtime, &self.inner, url.clone());
                let job = Job {
                    delivery,
                    body: body.clone(),
                };
                if queue.send(job).is_err() {
                    self.inner.done();
                }
                state.queues.insert(url, queue);
            }
        }
        delivery
    }

    fn fail_all(&self, why: &str) -> u64 {
        let mut state = self.inner.state();
        let delivery = state.next_delivery;
        state.next_delivery += 1;
        let failed: Vec<DeliveryAttempt> = state
            .urls
            .iter()
            .map(|url| DeliveryAttempt {
                delivery,
                url: url.clone(),
                attempt: 1,
                outcome: AttemptOutcome::Failed(why.to_owned()),
            })
            .collect();
        state.attempts.extend(failed);
        delivery
    }

    /// Waits until every queued delivery has been delivered or given up.
    pub async fn idle(&self) {
        let mut pending = self.inner.pending.subscribe();
        // The sender lives in `inner`, which `self` holds: the channel cannot close here.
        let _ = pending.wait_for(|n| *n == 0).await;
    }

    /// Every attempt so far, in the order they ended.
    pub fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.inner.state().attempts.clone()
    }

    /// The attempts made for one URL.
    pub fn attempts_for(&self, url: &str) -> Vec<DeliveryAttempt> {
        self.inner
            .state()
            .attempts
            .iter()
            .filter(|a| a.url == url)
            .cloned()
            .collect()
    }

    /// The (payload, URL) pairs whose last attempt failed and that are not being retried:
    /// the vendor's failed deliveries. Call after [`WebhookDelivery::idle`].
    pub fn failed_deliveries(&self) -> Vec<DeliveryAttempt> {
        let state = self.inner.state();
        let mut last: HashMap<(u64, &str), &DeliveryAttempt> = HashMap::new();
        for a in &state.attempts {
            last.insert((a.delivery, a.url.as_str()), a);
        }
        let mut failed: Vec<DeliveryAttempt> = last
            .into_values()
            .filter(|a| !a.outcome.is_delivered() && a.attempt >= self.inner.max_attempts)
            .cloned()
            .collect();
        failed.sort_by(|a, b| (a.delivery, &a.url).cmp(&(b.delivery, &b.url)));
        failed
    }
}

fn spawn_worker(
    runtime: &tokio::runtime::Handle,
    inner: &Arc<Inner>,
    url: String,
) -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    // Only a weak reference: the worker ends when the sender is dropped and its queue drained.
    let inner: Weak<Inner> = Arc::downgrade(inner);
    runtime.spawn(async move {
        while let Some(job) = rx.recv().await {
            let Some(inner) = inner.upgrade() else { break };
            if !inner.is_unsubscribed(&url) {
                let delivered = deliver(&inner, &url, job).await;
                inner.settle(&url, delivered);
            }
            inner.done();
        }
    });
    tx
}

/// Tries one payload until it is delivered or the attempts run out; `true` when delivered.
async fn deliver(inner: &Inner, url: &str, job: Job) -> bool {
    for attempt in 1..=inner.max_attempts {
        let outcome = post(inner, url, job.body.clone()).await;
        let delivered = outcome.is_delivered();
        inner.record(DeliveryAttempt {
            delivery: job.delivery,
            url: url.to_owned(),
            attempt,
            outcome,
        });
        if delivered {
            return true;
        }
        if attempt < inner.max_attempts {
            tokio::time::sleep(inner.backoff(attempt)).await;
        }
    }
    false
}

async fn post(inner: &Inner, url: &str, body: Bytes) -> AttemptOutcome {
    let request = inner
        .http
        .post(url)
        .headers(inner.headers.clone())
        .timeout(inner.timeout)
        .body(body);
    match request.send().await {
        Ok(response) => AttemptOutcome::Status(response.status().as_u16()),
        Err(e) if e.is_timeout() => AttemptOutcome::Timeout,
        Err(e) => AttemptOutcome::Failed(reason(e)),
    }
}

/// The error and its causes, without the URL (it may hold a secret).
fn reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
