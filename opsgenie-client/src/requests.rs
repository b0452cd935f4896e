//! Asynchronous requests: the handle every 202 answer returns, and waiting for the outcome.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::alerts::Note;
use crate::backend::Endpoint;
use crate::client::Client;
use crate::common::AcceptedBody;
use crate::error::{Error, RequestFailure, Result};
use crate::ids::{AlertId, IncidentId, RequestId};
use crate::transport::{Raw, Req};

/// The outcome of an asynchronous request (`GET /v2/alerts/requests/{id}` or the incident twin).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestStatus {
    /// Whether the request was processed (Opsgenie's `success`).
    #[serde(default)]
    pub success: Option<bool>,
    /// Whether the action succeeded (Opsgenie's `isSuccess`).
    #[serde(default)]
    pub is_success: Option<bool>,
    /// The action, for example `Create` or `Acknowledge`.
    #[serde(default)]
    pub action: Option<String>,
    /// When Opsgenie processed the request.
    #[serde(default)]
    pub processed_at: Option<DateTime<Utc>>,
    /// The integration that sent the request.
    #[serde(default)]
    pub integration_id: Option<String>,
    /// The server's status text, for example `Created alert` or `Alert does not exist`.
    #[serde(default)]
    pub status: String,
    /// The alert the request acted on (empty when the alert was not found).
    #[serde(default)]
    pub alert_id: Option<String>,
    /// The alert's alias.
    #[serde(default)]
    pub alias: Option<String>,
    /// The incident the request acted on (incident requests).
    #[serde(default)]
    pub incident_id: Option<String>,
}

impl RequestStatus {
    /// Whether the action succeeded (`isSuccess`, or `success` when `isSuccess` is absent).
    pub fn succeeded(&self) -> bool {
        self.is_success.or(self.success).unwrap_or(false)
    }

    /// The alert id, when there is a non-empty one.
    pub fn alert_id(&self) -> Option<AlertId> {
        self.alert_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(AlertId::from)
    }

    /// The incident id, when there is a non-empty one.
    pub fn incident_id(&self) -> Option<IncidentId> {
        self.incident_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(IncidentId::from)
    }
}

/// Which API an asynchronous request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestKind {
    /// `/v2/alerts/requests/{id}`.
    Alert,
    /// `/v1/incidents/requests/{id}`.
    Incident,
}

/// A request Opsgenie accepted (202) and processes asynchronously.
///
/// Accepted does not mean done: call [`wait`](Self::wait) to learn the outcome. Handles own a
/// clone of the client, so many can be awaited concurrently (`futures::future::join_all`).
///
/// ```no_run
/// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
/// use opsgenie_client::AlertRef;
///
/// let handle = client.alerts().acknowledge(AlertRef::tiny("42")).user("ann").await?;
/// let outcome = handle.wait().await?; // Err(Error::RequestFailed) if Opsgenie says it failed
/// println!("{}", outcome.status);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "an accepted request may still fail: call .wait() to learn its outcome"]
pub struct RequestHandle {
    client: Client,
    request_id: RequestId,
    kind: RequestKind,
    result: Option<String>,
    /// The outcome, when the backend answered with it at once (JSM's notes).
    done: Option<RequestStatus>,
    /// The note a synchronous add-note answered.
    note: Option<Note>,
}

impl RequestHandle {
    pub(crate) fn from_raw(client: &Client, raw: &Raw, kind: RequestKind) -> Result<Self> {
        let body: AcceptedBody = raw.decode()?;
        Ok(RequestHandle {
            client: client.clone(),
            request_id: RequestId::new(body.request_id),
            kind,
            result: body.result,
            done: None,
            note: None,
        })
    }

    /// A handle for an action the backend did at once and answered 200 with its result (JSM
    /// writes notes synchronously): [`wait`](Self::wait) returns a successful outcome without
    /// asking the server, and [`request_id`](Self::request_id) is empty.
    pub(crate) fn completed(
        client: &Client,
        action: &str,
        alert_id: Option<AlertId>,
        note: Option<Note>,
    ) -> Self {
        let done = RequestStatus {
            success: Some(true),
            is_success: Some(true),
            action: Some(action.to_owned()),
            processed_at: note.as_ref().and_then(|n| n.created_at),
            integration_id: None,
            status: format!("{action}: done"),
            alert_id: alert_id.map(AlertId::into_inner),
            alias: None,
            incident_id: None,
        };
        RequestHandle {
            client: client.clone(),
            request_id: RequestId::new(String::new()),
            kind: RequestKind::Alert,
            result: None,
            done: Some(done),
            note,
        }
    }

    /// A handle for a request id obtained elsewhere.
    pub fn new(client: &Client, request_id: impl Into<RequestId>, kind: RequestKind) -> Self {
        RequestHandle {
            client: client.clone(),
            request_id: request_id.into(),
            kind,
            result: None,
            done: None,
            note: None,
        }
    }

    /// The request id (empty when the backend answered with the result at once; see
    /// [`is_complete`](Self::is_complete)).
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// Which API the request belongs to.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Whether the backend answered with the result itself instead of a request id (JSM's
    /// notes), so that there is nothing to wait for.
    pub fn is_complete(&self) -> bool {
        self.done.is_some()
    }

    /// The note the backend answered with, when the action added one synchronously (JSM).
    pub fn note(&self) -> Option<&Note> {
        self.note.as_ref()
    }

    /// The `result` text of the 202 answer (`Request will be processed`).
    pub fn accepted_result(&self) -> Option<&str> {
        self.result.as_deref()
    }

    /// Polls the outcome once: `None` while Opsgenie has not processed the request (404
    /// `RequestNotProcessed`; on JSM any 404, see the crate README's assumptions).
    ///
    /// # Errors
    /// Any error of the status call other than such a 404.
    ///
    /// ```no_run
    /// # async fn run(handle: opsgenie_client::RequestHandle) -> opsgenie_client::Result<()> {
    /// if let Some(status) = handle.status().await? {
    ///     println!("processed: {}", status.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn status(&self) -> Result<Option<RequestStatus>> {
        if let Some(done) = &self.done {
            return Ok(Some(done.clone()));
        }
        let req = match self.kind {
            RequestKind::Alert => self
                .client
                .request(Endpoint::AlertRequestStatus, &[self.request_id.as_str()])?,
            RequestKind::Incident => {
                self.client
                    .opsgenie_only("the incident API (JSM incidents are Jira issues)")?;
                Req::opsgenie(
                    reqwest::Method::GET,
                    "/v1/incidents/requests/{requestId}",
                    &[self.request_id.as_str()],
                )?
            }
        };
        let jsm = self.client.is_jsm();
        match self.client.get_data::<RequestStatus>(req).await {
            Ok(status) => Ok(Some(status)),
            Err(Error::Api(e)) if is_not_processed(&e) => Ok(None),
            // JSM's description documents only 200 and a 404 for getRequestStatus, not what a
            // request still in progress answers: a 404 there is taken as "not processed yet"
            // (the request was accepted), so `wait` polls until the outcome or its timeout
            // instead of calling failed what may still succeed.
            Err(Error::Api(e)) if jsm && e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits for the outcome, polling with backoff, up to the client's
    /// [`outcome_timeout`](crate::ClientBuilder::outcome_timeout).
    ///
    /// # Errors
    /// [`Error::RequestFailed`] with the server's status text when the action failed,
    /// [`Error::OutcomeTimeout`] when it was not processed in time, or the status call's error.
    ///
    /// ```no_run
    /// # async fn run(handle: opsgenie_client::RequestHandle) -> opsgenie_client::Result<()> {
    /// match handle.wait().await {
    ///     Ok(done) => println!("done: {}", done.status),
    ///     Err(opsgenie_client::Error::RequestFailed(f)) => println!("failed: {}", f.status),
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self) -> Result<RequestStatus> {
        self.wait_timeout(self.client.outcome_timeout()).await
    }

    /// Like [`wait`](Self::wait) with an explicit timeout.
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    ///
    /// ```no_run
    /// # async fn run(handle: opsgenie_client::RequestHandle) -> opsgenie_client::Result<()> {
    /// let done = handle.wait_timeout(std::time::Duration::from_secs(5)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_timeout(&self, timeout: Duration) -> Result<RequestStatus> {
        let deadline = Instant::now() + timeout;
        let (initial, max) = self.client.poll_backoff();
        let mut cap = initial;
        loop {
            match self.status().await {
                Ok(Some(status)) if status.succeeded() => return Ok(status),
                Ok(Some(status)) => {
                    return Err(Error::RequestFailed(Box::new(RequestFailure {
                        request_id: self.request_id.as_str().to_owned(),
                        status: status.status.clone(),
                        details: status,
                    })));
                }
                // Throttled polls keep polling: the client already waits out the throttle.
                Ok(None) | Err(Error::RateLimited { .. }) => {}
                // The request was accepted: a poll lost in transit (after the client's own
                // retries) says nothing of its outcome, so poll again until the deadline
                // instead of reporting as failed what may well have succeeded.
                Err(Error::Transport(_) | Error::Timeout { .. }) => {}
                Err(Error::Api(e)) if matches!(e.status, 500 | 502 | 503 | 504) => {}
                Err(e) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::OutcomeTimeout {
                    request_id: self.request_id.as_str().to_owned(),
                    after: timeout,
                });
            }
            // Half fixed, half jitter: never hammer, never sleep past the deadline.
            let delay = (cap / 2 + crate::throttle::jitter(cap / 2)).min(deadline - now);
            tokio::time::sleep(delay).await;
            cap = (cap * 2).min(max);
        }
    }
}

fn is_not_processed(e: &crate::ApiError) -> bool {
    e.is_request_not_processed()
        || (e.status == 404
            && e.error_type.is_none()
            && e.message.to_ascii_lowercase().contains("not processed"))
}
