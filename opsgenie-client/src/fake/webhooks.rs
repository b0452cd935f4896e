//! Outgoing webhooks for the fake: a [`WebhookSender`] POSTs the alert action data Opsgenie's
//! Webhook integration sends ([`WebhookEvent`], in Opsgenie's shape) to configured URLs,
//! retries a delivery that fails (a non-2xx answer, a timeout, no connection) as Opsgenie
//! does, and records every attempt so that tests can see failures.
//!
//! ```no_run
//! use opsgenie_client::fake::webhooks::WebhookSender;
//! use opsgenie_client::webhook::{WebhookAction, WebhookAlert, WebhookEvent};
//!
//! # async fn run() -> opsgenie_client::Result<()> {
//! let sender = WebhookSender::builder()
//!     .url("http://127.0.0.1:8080/opsgenie/fake-secret")
//!     .header("X-Shared-Secret", "fake-shared-secret")
//!     .build()?;
//! sender.send(&WebhookEvent::new(WebhookAction::Create, WebhookAlert::default()));
//! sender.idle().await; // every delivery done (delivered or given up)
//! for attempt in sender.attempts() {
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

use crate::error::{Error, Result};
use crate::webhook::WebhookEvent;

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
    /// Which payload: the number [`WebhookSender::send`] returned.
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
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.path() == "/" && u.query().is_none() => u.origin().ascii_serialization(),
        Ok(u) => format!("{}/<redacted>", u.origin().ascii_serialization()),
        Err(_) => "<redacted>".to_owned(),
    }
}

/// Builds a [`WebhookSender`].
#[derive(Clone, Debug)]
#[must_use]
pub struct WebhookSenderBuilder {
    urls: Vec<String>,
    headers: Vec<(String, String)>,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    timeout: Duration,
}

impl Default for WebhookSenderBuilder {
    fn default() -> Self {
        WebhookSenderBuilder {
            urls: Vec::new(),
            headers: Vec::new(),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
        }
    }
}

impl WebhookSenderBuilder {
    /// Adds a URL every payload is POSTed to (`http` or `https`).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// Adds a custom header sent with every delivery (Opsgenie lets an integration add
    /// headers, the usual way to send a shared secret). Its value never reaches a log.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
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

    /// Builds the sender.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not `http(s)` or a header that is not valid;
    /// [`Error::Transport`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<WebhookSender> {
        for url in &self.urls {
            check_url(url)?;
        }
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid("header", format!("`{name}` is not a header name")))?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid("header", format!("the value of `{name}` is not valid"))
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let http = reqwest::Client::builder()
            // A redirect is not a delivery.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::Transport)?;
        let (pending, _) = watch::channel(0);
        Ok(WebhookSender {
            inner: Arc::new(Inner {
                http,
                headers,
                max_attempts: self.max_attempts,
                initial_backoff: self.initial_backoff,
                max_backoff: self.max_backoff,
                timeout: self.timeout,
                pending,
                state: Mutex::new(SenderState {
                    urls: self.urls,
                    queues: HashMap::new(),
                    attempts: Vec::new(),
                    next_delivery: 1,
                }),
            }),
        })
    }
}

fn check_url(url: &str) -> Result<()> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err(Error::invalid(
            "url",
            format!("`{}` is not an http(s) URL", redacted(url)),
        )),
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
pub struct WebhookSender {
    inner: Arc<Inner>,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls().iter().map(|u| redacted(u)).collect();
        f.debug_struct("WebhookSender")
            .field("urls", &urls)
            .field("max_attempts", &self.inner.max_attempts)
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    headers: HeaderMap,
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

    fn done(&self) {
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl WebhookSender {
    /// A builder: no URLs yet, 3 attempts, 50 ms backoff doubling up to 2 s, 5 s timeout.
    pub fn builder() -> WebhookSenderBuilder {
        WebhookSenderBuilder::default()
    }

    /// Adds a URL; payloads sent from now on go there too.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not `http(s)`.
    pub fn add_url(&self, url: impl Into<String>) -> Result<()> {
        let url = url.into();
        check_url(&url)?;
        let mut state = self.inner.state();
        if !state.urls.contains(&url) {
            state.urls.push(url);
        }
        Ok(())
    }

    /// Removes a URL; payloads already queued for it are still delivered.
    pub fn remove_url(&self, url: &str) {
        self.inner.state().urls.retain(|u| u != url);
    }

    /// The URLs payloads go to.
    pub fn urls(&self) -> Vec<String> {
        self.inner.state().urls.clone()
    }

    /// Queues `event` for every URL and returns at once with the payload's number (see
    /// [`DeliveryAttempt::delivery`]); the POSTs happen in the background.
    pub fn send(&self, event: &WebhookEvent) -> u64 {
        match serde_json::to_vec(event) {
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
    /// what Opsgenie would show as failed deliveries. Call after [`WebhookSender::idle`].
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
            deliver(&inner, &url, job).await;
            inner.done();
        }
    });
    tx
}

async fn deliver(inner: &Inner, url: &str, job: Job) {
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
            return;
        }
        if attempt < inner.max_attempts {
            tokio::time::sleep(inner.backoff(attempt)).await;
        }
    }
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
