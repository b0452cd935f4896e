//! One action on many alerts at once, every outcome awaited.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};

use super::actions::{Extras, send};
use super::{AlertAction, AlertRef, Alerts};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::AlertId;
use crate::requests::RequestStatus;

impl<'a> Alerts<'a> {
    /// Runs one action on many alerts at once and waits for every outcome.
    ///
    /// Requests run concurrently within the client's concurrency limit, which halves when
    /// Opsgenie throttles and recovers as requests succeed; a throttled submission is sent again
    /// after the throttle, so no action is lost. The result has one [`BulkOutcome`] per alert,
    /// in the order given.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use opsgenie_client::{AlertAction, AlertRef};
    ///
    /// let open: Vec<_> = client.alerts().list().query("status:open").stream().try_collect().await?;
    /// let outcomes = client
    ///     .alerts()
    ///     .bulk(open.iter().map(AlertRef::from), AlertAction::Acknowledge)
    ///     .user("opsbot")
    ///     .await;
    /// for o in &outcomes {
    ///     match &o.result {
    ///         Ok(done) => println!("{}: {}", o.alert, done.status),
    ///         Err(e) => println!("{}: failed: {e}", o.alert),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn bulk<I>(self, alerts: I, action: AlertAction) -> BulkRequest<'a>
    where
        I: IntoIterator,
        I::Item: Into<AlertRef>,
    {
        BulkRequest {
            client: self.client,
            alerts: alerts.into_iter().map(Into::into).collect(),
            action,
            user: None,
            source: None,
            note: None,
            parallel_jobs: None,
            outcome_timeout: None,
        }
    }
}

/// The outcome of one alert in a [`BulkRequest`].
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkOutcome {
    /// The alert, as it was given.
    pub alert: AlertRef,
    /// The alert's id, when it is known: given by id, or reported by the outcome.
    pub alert_id: Option<AlertId>,
    /// The processed outcome, or why there is none ([`Error::RequestFailed`] carries the
    /// server's status text).
    pub result: Result<RequestStatus>,
}

impl BulkOutcome {
    /// Whether the action succeeded.
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }
}

/// Builder of a bulk action; see [`Alerts::bulk`]. Await it for one [`BulkOutcome`] per alert.
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct BulkRequest<'a> {
    client: &'a Client,
    alerts: Vec<AlertRef>,
    action: AlertAction,
    user: Option<String>,
    source: Option<String>,
    note: Option<String>,
    parallel_jobs: Option<usize>,
    outcome_timeout: Option<Duration>,
}

/// How many times a throttled submission is sent again in a bulk job (after the client's own retries).
const BULK_RESUBMITS: u32 = 20;

impl BulkRequest<'_> {
    /// Who performs the actions.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The source of the actions.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A note added with each action.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// How many alerts are worked on at once (submitted or awaiting their outcome).
    /// Default: four times the client's `max_concurrency`; the HTTP requests themselves stay
    /// within the client's adaptive concurrency limit.
    pub fn parallel_jobs(mut self, jobs: usize) -> Self {
        self.parallel_jobs = Some(jobs.max(1));
        self
    }

    /// How long to wait for each outcome. Default: the client's `outcome_timeout`.
    pub fn outcome_timeout(mut self, timeout: Duration) -> Self {
        self.outcome_timeout = Some(timeout);
        self
    }
}

impl<'a> std::future::IntoFuture for BulkRequest<'a> {
    type Output = Vec<BulkOutcome>;
    type IntoFuture = futures_util::future::BoxFuture<'a, Vec<BulkOutcome>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let jobs = self
                .parallel_jobs
                .unwrap_or_else(|| self.client.max_concurrency().saturating_mul(4));
            let timeout = self
                .outcome_timeout
                .unwrap_or_else(|| self.client.outcome_timeout());
            let this = &self;
            let mut outcomes: Vec<(usize, BulkOutcome)> =
                stream::iter(self.alerts.clone().into_iter().enumerate())
                    .map(|(index, alert)| async move {
                        let result = this.one(&alert, timeout).await;
                        let alert_id = alert
                            .alert_id()
                            .or_else(|| result.as_ref().ok().and_then(RequestStatus::alert_id));
                        (
                            index,
                            BulkOutcome {
                                alert,
                                alert_id,
                                result,
                            },
                        )
                    })
                    .buffer_unordered(jobs)
                    .collect()
                    .await;
            outcomes.sort_by_key(|(i, _)| *i);
            outcomes.into_iter().map(|(_, o)| o).collect()
        })
    }
}

impl BulkRequest<'_> {
    async fn one(&self, alert: &AlertRef, timeout: Duration) -> Result<RequestStatus> {
        let mut resubmits = 0;
        let handle = loop {
            let extras = Extras {
                user: self.user.as_ref(),
                source: self.source.as_ref(),
                note: self.note.as_ref(),
            };
            match send(self.client, alert, &self.action, extras).await {
                Ok(handle) => break handle,
                // Refused, so nothing happened: send it again. The client already paused for
                // the refusal; a minute bucket (or a Retry-After) needs the whole client to wait
                // longer than the backoff did.
                Err(Error::RateLimited {
                    retry_after,
                    rate_limit,
                    ..
                }) if resubmits < BULK_RESUBMITS => {
                    resubmits += 1;
                    let pause = retry_after.or_else(|| {
                        rate_limit
                            .period_in_sec
                            .filter(|p| *p > 1)
                            .map(Duration::from_secs)
                    });
                    if let Some(pause) = pause {
                        self.client.throttle(pause.min(Duration::from_secs(60)));
                    }
                }
                Err(e) => return Err(e),
            }
        };
        handle.wait_timeout(timeout).await
    }
}
