//! One action on many alerts at once: one request per alert, every outcome told apart
//! ([`BulkResult`]), learned from the request outcomes or, with
//! [`confirm_by`](BulkRequest::confirm_by), from the pager's own state; what could not be
//! confirmed is sent again in bounded rounds.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use super::actions::{Extras, send};
use super::confirm;
use super::{AlertAction, AlertRef, Alerts, IdentifierType};
use crate::client::Client;
use crate::error::Error;
use crate::ids::{AlertId, RequestId};
use crate::requests::{RequestHandle, RequestStatus};

/// Rounds of a bulk action by default (the first one included).
const DEFAULT_ROUNDS: u32 = 6;
/// The most time a bulk action spends by default, all rounds together.
const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(300);

impl<'a> Alerts<'a> {
    /// Runs one action on many alerts at once, one request per alert, and tells every
    /// outcome apart: [`BulkResult::Done`], [`Failed`](BulkResult::Failed),
    /// [`Gone`](BulkResult::Gone) or [`NotConfirmed`](BulkResult::NotConfirmed).
    ///
    /// How outcomes are learned:
    /// - with [`confirm_by`](BulkRequest::confirm_by) (the query that selects what still needs
    ///   the action), from the pager's state: the query is listed until the alerts acted on
    ///   have left it, and request outcomes are read only for the alerts still in it, closed or
    ///   no longer found, to give their reason: about one request per alert plus a few list
    ///   pages;
    /// - without it, by reading every request's outcome (two requests per alert or more).
    ///
    /// What could not be confirmed (a request lost after the client's retries, a refusal by
    /// throttling, an outcome that did not come) is sent again, in rounds, while each round
    /// makes progress, up to [`max_rounds`](BulkRequest::max_rounds) and
    /// [`max_duration`](BulkRequest::max_duration). Throttling is decided by the client for
    /// every request (its pause after a 429 and the pacing it learned), never by the rounds.
    ///
    /// The result has one [`BulkOutcome`] per alert, in the order given. Awaiting never fails:
    /// a value that breaks a documented limit makes each alert [`BulkResult::Failed`] with
    /// nothing sent.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use opsgenie_client::alerts::{BulkResult, BulkSummary};
    /// use opsgenie_client::{AlertAction, AlertRef};
    ///
    /// let pending = "status:open AND acknowledged:false";
    /// let alerts: Vec<_> = client.alerts().list().query(pending).stream().try_collect().await?;
    /// let outcomes = client
    ///     .alerts()
    ///     .bulk(alerts.iter().map(AlertRef::from), AlertAction::Acknowledge)
    ///     .confirm_by(pending)
    ///     .user("opsbot")
    ///     .await;
    /// for o in &outcomes {
    ///     match &o.result {
    ///         BulkResult::Done { .. } => {}
    ///         other => println!("{}: {}", o.alert, other.describe()),
    ///     }
    /// }
    /// let summary = BulkSummary::of(&outcomes);
    /// println!("{} of {} acknowledged", summary.done, summary.total());
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
            confirm_query: None,
            max_rounds: DEFAULT_ROUNDS,
            max_duration: DEFAULT_MAX_DURATION,
        }
    }
}

/// The outcome of one alert in a [`BulkRequest`].
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkOutcome {
    /// The alert, as it was given.
    pub alert: AlertRef,
    /// The alert's id, when it is known: given by id, found in the pager's state, or reported
    /// by the outcome.
    pub alert_id: Option<AlertId>,
    /// The request of the last action sent for this alert, when one was accepted.
    pub request_id: Option<RequestId>,
    /// How many times the action was sent (one per round it took part in).
    pub attempts: u32,
    /// What happened.
    pub result: BulkResult,
}

impl BulkOutcome {
    /// Whether the action was done.
    pub fn succeeded(&self) -> bool {
        matches!(self.result, BulkResult::Done { .. })
    }

    /// The outcome in the shape of one action's [`RequestHandle::wait`]: done is `Ok` (with
    /// the request outcome when it was read), failed and gone are
    /// [`Error::RequestFailed`] with the reason as its status text, not confirmed is its error.
    ///
    /// # Errors
    /// As described: every outcome but done.
    pub fn into_result(self) -> crate::Result<Option<RequestStatus>> {
        let failure = |reason: String, details: Option<RequestStatus>| {
            let details = details.unwrap_or_else(|| RequestStatus {
                success: None,
                is_success: Some(false),
                action: None,
                processed_at: None,
                integration_id: None,
                status: reason.clone(),
                alert_id: self.alert_id.as_ref().map(|id| id.as_str().to_owned()),
                alias: None,
                incident_id: None,
            });
            Error::RequestFailed(Box::new(crate::error::RequestFailure {
                request_id: self
                    .request_id
                    .as_ref()
                    .map(|r| r.as_str().to_owned())
                    .unwrap_or_default(),
                status: reason,
                details,
            }))
        };
        match self.result {
            BulkResult::Done { status, .. } => Ok(status),
            BulkResult::Failed { error: Some(e), .. } => Err(e),
            BulkResult::Failed { reason, status, .. } => Err(failure(reason, status)),
            BulkResult::Gone { cause, reason } => Err(failure(
                reason.unwrap_or_else(|| format!("alert {}", cause.as_str())),
                None,
            )),
            BulkResult::NotConfirmed(e) => Err(e),
        }
    }
}

/// What happened to one alert of a bulk action. Each case is one the caller reports
/// differently; none is a guess: an outcome the server gave always wins over the state.
#[derive(Debug)]
#[non_exhaustive]
pub enum BulkResult {
    /// The action was applied.
    Done {
        /// The request outcome, when it was read (always without
        /// [`confirm_by`](BulkRequest::confirm_by); with it, only when the state alone could
        /// not tell).
        status: Option<RequestStatus>,
        /// What showed it was done.
        confirmed_by: ConfirmedBy,
    },
    /// The server processed the action and says it failed, or refused it.
    Failed {
        /// The server's reason (the outcome's status text, or the error answer's message).
        reason: String,
        /// The request outcome, when the failure came from one.
        status: Option<RequestStatus>,
        /// The error the send ended with, when the server refused the action outright (an
        /// error answer such as 403 or 422, or input the client refused before sending).
        error: Option<Error>,
    },
    /// The alert was closed or deleted before the action applied.
    Gone {
        /// Closed or deleted, as far as it is known.
        cause: GoneCause,
        /// The server's reason, when an outcome gave one (`Alert does not exist`).
        reason: Option<String>,
    },
    /// No outcome could be learned, after every round: the action may or may not have been
    /// applied.
    NotConfirmed(Error),
}

impl BulkResult {
    /// The kind of outcome, for counting.
    pub fn kind(&self) -> BulkKind {
        match self {
            BulkResult::Done { .. } => BulkKind::Done,
            BulkResult::Failed { .. } => BulkKind::Failed,
            BulkResult::Gone { .. } => BulkKind::Gone,
            BulkResult::NotConfirmed(_) => BulkKind::NotConfirmed,
        }
    }

    /// A short text for people: `done`, the failure's reason, `deleted`, `closed`, or
    /// `not confirmed: <error>`.
    pub fn describe(&self) -> String {
        match self {
            BulkResult::Done { .. } => "done".to_owned(),
            BulkResult::Failed { reason, .. } => reason.clone(),
            BulkResult::Gone { cause, reason } => match reason {
                Some(reason) => format!("{} ({reason})", cause.as_str()),
                None => cause.as_str().to_owned(),
            },
            BulkResult::NotConfirmed(e) => format!("not confirmed: {e}"),
        }
    }
}

/// What showed that an action was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfirmedBy {
    /// The request outcome said so.
    Outcome,
    /// The alert left the pending query and the pager shows it in the state the action leads
    /// to (or, for an action whose effect the list does not show, still present).
    State,
}

/// How an alert went away before an action applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GoneCause {
    /// Someone closed it.
    Closed,
    /// Someone deleted it (or, on Opsgenie, it does not exist).
    Deleted,
    /// The pager no longer finds it by the reference given (an alias names only open alerts).
    ClosedOrDeleted,
}

impl GoneCause {
    /// `closed`, `deleted` or `closed or deleted`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoneCause::Closed => "closed",
            GoneCause::Deleted => "deleted",
            GoneCause::ClosedOrDeleted => "closed or deleted",
        }
    }
}

/// The kind of a [`BulkResult`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BulkKind {
    /// [`BulkResult::Done`].
    Done,
    /// [`BulkResult::Failed`].
    Failed,
    /// [`BulkResult::Gone`].
    Gone,
    /// [`BulkResult::NotConfirmed`].
    NotConfirmed,
}

/// Counts per kind of a bulk action's outcomes.
///
/// ```
/// use opsgenie_client::alerts::BulkSummary;
/// let summary = BulkSummary::of(&[]);
/// assert_eq!(summary.total(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkSummary {
    /// Done.
    pub done: usize,
    /// Failed.
    pub failed: usize,
    /// Closed or deleted before the action applied.
    pub gone: usize,
    /// Not confirmed.
    pub not_confirmed: usize,
}

impl BulkSummary {
    /// Counts the outcomes.
    pub fn of(outcomes: &[BulkOutcome]) -> Self {
        let mut s = BulkSummary::default();
        for o in outcomes {
            match o.result.kind() {
                BulkKind::Done => s.done += 1,
                BulkKind::Failed => s.failed += 1,
                BulkKind::Gone => s.gone += 1,
                BulkKind::NotConfirmed => s.not_confirmed += 1,
            }
        }
        s
    }

    /// All outcomes counted.
    pub fn total(&self) -> usize {
        self.done + self.failed + self.gone + self.not_confirmed
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
    confirm_query: Option<String>,
    max_rounds: u32,
    max_duration: Duration,
}

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

    /// Confirms the actions by the pager's state: `pending` is the query that selects the
    /// alerts that still need the action (`status:open AND acknowledged:false` to
    /// acknowledge, `status:open` to close). Once the actions are accepted the client lists
    /// that query (100 per page) until the alerts it acted on have left it, or until it stops
    /// shrinking within the outcome timeout; then it lists the alerts updated since the bulk
    /// began (`updatedAt >= ...`) to see that those that left still exist and show the
    /// action. Request outcomes are read only for the alerts still pending, closed by someone
    /// else, or no longer found, to give their reason; an outcome that says failed always wins.
    pub fn confirm_by(mut self, pending: impl Into<String>) -> Self {
        self.confirm_query = Some(pending.into());
        self
    }

    /// How many rounds at most (the first one included) send again what could not be
    /// confirmed. Default 6; `1` sends each action once.
    pub fn max_rounds(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds.max(1);
        self
    }

    /// The most time all rounds take together; no round starts after it. Default 5 min.
    pub fn max_duration(mut self, limit: Duration) -> Self {
        self.max_duration = limit;
        self
    }

    /// How many alerts are worked on at once (submitted or awaiting their outcome).
    /// Default: four times the client's `max_concurrency`; the HTTP requests themselves stay
    /// within the client's adaptive concurrency limit.
    pub fn parallel_jobs(mut self, jobs: usize) -> Self {
        self.parallel_jobs = Some(jobs.max(1));
        self
    }

    /// How long to wait for each outcome (without `confirm_by`), or for the pending query to
    /// settle (with it), per round. Default: the client's `outcome_timeout`.
    pub fn outcome_timeout(mut self, timeout: Duration) -> Self {
        self.outcome_timeout = Some(timeout);
        self
    }
}

/// One alert's progress through the rounds.
#[derive(Debug)]
pub(super) struct Slot {
    pub(super) alert: AlertRef,
    pub(super) alert_id: Option<AlertId>,
    pub(super) request_id: Option<RequestId>,
    pub(super) attempts: u32,
    pub(super) result: Option<BulkResult>,
    /// The last send got no answer the action's fate can be read from: refused by
    /// throttling, or lost to a server error, a timeout or a broken connection.
    pub(super) lost_in_transit: bool,
}

/// What one send gave.
pub(super) enum Sent {
    /// Accepted: the handle to read the outcome with.
    Accepted(RequestHandle),
    /// Refused or lost before a request id came back.
    Refused(Error),
}

impl<'a> std::future::IntoFuture for BulkRequest<'a> {
    type Output = Vec<BulkOutcome>;
    type IntoFuture = futures_util::future::BoxFuture<'a, Vec<BulkOutcome>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.run().await })
    }
}

impl BulkRequest<'_> {
    async fn run(self) -> Vec<BulkOutcome> {
        let started = Instant::now();
        let mut slots: Vec<Slot> = self
            .alerts
            .iter()
            .map(|alert| Slot {
                alert: alert.clone(),
                alert_id: alert.alert_id(),
                request_id: None,
                attempts: 0,
                result: None,
                lost_in_transit: false,
            })
            .collect();
        let mut todo: Vec<usize> = (0..slots.len()).collect();
        let mut round = 0;
        while !todo.is_empty() {
            round += 1;
            let before = todo.len();
            self.round(&mut slots, &todo).await;
            let unconfirmed: Vec<usize> = todo
                .iter()
                .copied()
                .filter(|i| {
                    slots
                        .get(*i)
                        .is_some_and(|s| matches!(s.result, Some(BulkResult::NotConfirmed(_))))
                })
                .collect();
            // A send refused by throttling or lost in transit is no lack of progress: the
            // action may simply not have reached the pager (the client already waits as long
            // as the server asked). What was accepted and still has no outcome is sent again
            // only while rounds confirm more.
            let lost = unconfirmed
                .iter()
                .any(|i| slots.get(*i).is_some_and(|s| s.lost_in_transit));
            let progress = unconfirmed.len() < before || lost;
            if round >= self.max_rounds || started.elapsed() >= self.max_duration || !progress {
                break;
            }
            tracing::debug!(
                round,
                again = unconfirmed.len(),
                "bulk: sending what is not confirmed again"
            );
            todo = unconfirmed;
        }
        slots
            .into_iter()
            .map(|s| BulkOutcome {
                alert: s.alert,
                alert_id: s.alert_id,
                request_id: s.request_id,
                attempts: s.attempts,
                result: s.result.unwrap_or_else(|| {
                    BulkResult::NotConfirmed(Error::invalid("alert", "was never sent"))
                }),
            })
            .collect()
    }

    /// Sends the action for every alert of `todo` and learns each outcome.
    async fn round(&self, slots: &mut [Slot], todo: &[usize]) {
        let jobs = self
            .parallel_jobs
            .unwrap_or_else(|| self.client.max_concurrency().saturating_mul(4));
        let timeout = self
            .outcome_timeout
            .unwrap_or_else(|| self.client.outcome_timeout());
        let round_started = chrono::Utc::now();
        let refs: Vec<(usize, AlertRef)> = todo
            .iter()
            .filter_map(|i| slots.get(*i).map(|s| (*i, s.alert.clone())))
            .collect();
        let confirm = self.confirm_query.is_some();
        let this = &self;
        let sent: Vec<(usize, Sent, Option<BulkResult>)> = stream::iter(refs)
            .map(|(i, alert)| async move {
                let extras = Extras {
                    user: this.user.as_ref(),
                    source: this.source.as_ref(),
                    note: this.note.as_ref(),
                };
                let sent = match send(this.client, &alert, &this.action, extras).await {
                    Ok(handle) => Sent::Accepted(handle),
                    Err(e) => Sent::Refused(e),
                };
                // Without a query, the outcome is read at once (the per-outcome method).
                let result = match (&sent, confirm) {
                    (Sent::Accepted(handle), false) => {
                        Some(from_wait(handle.wait_timeout(timeout).await))
                    }
                    _ => None,
                };
                (i, sent, result)
            })
            .buffer_unordered(jobs)
            .collect()
            .await;
        let mut accepted: Vec<(usize, Option<RequestHandle>)> = Vec::new();
        for (i, sent, result) in sent {
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            slot.attempts += 1;
            slot.lost_in_transit = false;
            match sent {
                Sent::Accepted(handle) => {
                    if !handle.request_id().as_str().is_empty() {
                        slot.request_id = Some(handle.request_id().clone());
                    }
                    match result {
                        Some(result) => slot.set(result),
                        None => accepted.push((i, Some(handle))),
                    }
                }
                Sent::Refused(e) => {
                    let result = refusal(&slot.alert, e);
                    slot.lost_in_transit = matches!(result, BulkResult::NotConfirmed(_));
                    match result {
                        // Lost or throttled: with a query the state may still show it done.
                        BulkResult::NotConfirmed(e) if confirm => {
                            slot.result = Some(BulkResult::NotConfirmed(e));
                            accepted.push((i, None));
                        }
                        result => slot.set(result),
                    }
                }
            }
        }
        if let (Some(query), false) = (&self.confirm_query, accepted.is_empty()) {
            let settle = confirm::Settle {
                client: self.client,
                action: &self.action,
                pending: query,
                since: round_started,
                timeout,
                jobs,
            };
            settle.confirm(slots, accepted).await;
        }
    }
}

impl Slot {
    pub(super) fn set(&mut self, result: BulkResult) {
        if self.alert_id.is_none()
            && let BulkResult::Done {
                status: Some(status),
                ..
            } = &result
        {
            self.alert_id = status.alert_id();
        }
        self.result = Some(result);
    }
}

/// The result of waiting for an outcome.
pub(super) fn from_wait(waited: crate::Result<RequestStatus>) -> BulkResult {
    match waited {
        Ok(status) => BulkResult::Done {
            status: Some(status),
            confirmed_by: ConfirmedBy::Outcome,
        },
        Err(Error::RequestFailed(failure)) => from_failed_status(failure.details),
        Err(e) => BulkResult::NotConfirmed(e),
    }
}

/// The text Opsgenie (and JSM) give as the outcome of an action on an alert that does not exist.
const DOES_NOT_EXIST: &str = "Alert does not exist";

/// A processed outcome that says failed.
pub(super) fn from_failed_status(status: RequestStatus) -> BulkResult {
    if status.status.trim().eq_ignore_ascii_case(DOES_NOT_EXIST) {
        BulkResult::Gone {
            cause: GoneCause::Deleted,
            reason: Some(status.status),
        }
    } else {
        BulkResult::Failed {
            reason: status.status.clone(),
            status: Some(status),
            error: None,
        }
    }
}

/// A send that got no request id: the server's refusal is final, anything else says nothing
/// of the outcome.
fn refusal(alert: &AlertRef, e: Error) -> BulkResult {
    match e {
        Error::RequestFailed(failure) => from_failed_status(failure.details),
        // A lookup by tiny id or alias (JSM resolves them before acting) found nothing: an
        // alias names only open alerts, so the alert was closed or deleted.
        Error::Api(api) if api.status == 404 && alert.kind != IdentifierType::Id => {
            BulkResult::Gone {
                cause: GoneCause::ClosedOrDeleted,
                reason: Some(api.message.clone()),
            }
        }
        Error::Api(ref api) if (400..500).contains(&api.status) && api.status != 429 => {
            BulkResult::Failed {
                reason: api.message.clone(),
                status: None,
                error: Some(e),
            }
        }
        e @ (Error::InvalidInput { .. } | Error::Unsupported { .. }) => BulkResult::Failed {
            reason: e.to_string(),
            status: None,
            error: Some(e),
        },
        e => BulkResult::NotConfirmed(e),
    }
}
