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

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use opsbot_http::fake::webhooks::{DeliveryError, WebhookDelivery, WebhookDeliveryBuilder};
use reqwest::header::{HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::webhook::WebhookEvent;

pub use opsbot_http::fake::webhooks::{AttemptOutcome, DeliveryAttempt};

/// Builds a [`WebhookSender`].
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct WebhookSenderBuilder {
    core: WebhookDeliveryBuilder,
    headers: Vec<(String, String)>,
}

impl WebhookSenderBuilder {
    /// Adds a URL every payload is POSTed to (`http` or `https`).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.core = self.core.url(url);
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
        self.core = self.core.max_attempts(attempts);
        self
    }

    /// The wait before the second attempt, doubled for each further one up to `max`
    /// (default 50 ms up to 2 s).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.core = self.core.backoff(initial, max);
        self
    }

    /// How long one attempt may take before it counts as failed (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.core = self.core.timeout(timeout);
        self
    }

    /// Builds the sender.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not `http(s)` or a header that is not valid;
    /// [`Error::Transport`] when the HTTP client cannot be built.
    pub fn build(self) -> Result<WebhookSender> {
        let mut core = self.core;
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid("header", format!("`{name}` is not a header name")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid("header", format!("the value of `{name}` is not valid"))
            })?;
            core = core.header(name, value);
        }
        Ok(WebhookSender {
            core: core.build().map_err(from_core)?,
        })
    }
}

fn from_core(e: DeliveryError) -> Error {
    match e {
        DeliveryError::Client(e) => Error::Transport(e),
        e => Error::invalid("url", e.to_string()),
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
    core: WebhookDelivery,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.debug_as("WebhookSender", f)
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
        self.core.add_url(url).map_err(from_core)
    }

    /// Removes a URL; payloads already queued for it are still delivered.
    pub fn remove_url(&self, url: &str) {
        self.core.remove_url(url);
    }

    /// The URLs payloads go to.
    pub fn urls(&self) -> Vec<String> {
        self.core.urls()
    }

    /// Queues `event` for every URL and returns at once with the payload's number (see
    /// [`DeliveryAttempt::delivery`]); the POSTs happen in the background.
    pub fn send(&self, event: &WebhookEvent) -> u64 {
        self.core.send_json(event)
    }

    /// Queues a body as it is (for tests of a receiver's handling of bad payloads).
    pub fn send_raw(&self, body: impl Into<Bytes>) -> u64 {
        self.core.send_raw(body)
    }

    /// Waits until every queued delivery has been delivered or given up.
    pub async fn idle(&self) {
        self.core.idle().await;
    }

    /// Every attempt so far, in the order they ended.
    pub fn attempts(&self) -> Vec<DeliveryAttempt> {
        self.core.attempts()
    }

    /// The attempts made for one URL.
    pub fn attempts_for(&self, url: &str) -> Vec<DeliveryAttempt> {
        self.core.attempts_for(url)
    }

    /// The (payload, URL) pairs whose last attempt failed and that are not being retried:
    /// what Opsgenie would show as failed deliveries. Call after [`WebhookSender::idle`].
    pub fn failed_deliveries(&self) -> Vec<DeliveryAttempt> {
        self.core.failed_deliveries()
    }
}
