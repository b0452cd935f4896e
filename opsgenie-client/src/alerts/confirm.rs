//! Confirming a bulk action by the pager's own state (see
//! [`BulkRequest::confirm_by`](super::BulkRequest::confirm_by)).
//!
//! After the actions are accepted, the pending query is listed until the alerts acted on have
//! left it and two listings in a row agree (offset paging over a list that shrinks while it
//! is read can skip an alert, so one listing alone proves nothing), or until it stops
//! shrinking for three listings, or the outcome timeout passes. Then the alerts updated since
//! the round began are listed once, to see that each alert that left still exists and shows
//! the action. Request outcomes are read only where the state cannot tell: alerts still
//! pending, closed by someone else, no longer found, or not showing the action.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use super::bulk::{BulkResult, ConfirmedBy, GoneCause, Slot, from_failed_status};
use super::{Alert, AlertAction, AlertRef, AlertSort, IdentifierType};
use crate::client::Client;
use crate::common::Order;
use crate::error::{Error, Result};
use crate::ids::AlertId;
use crate::requests::{RequestHandle, RequestStatus};

/// How many listings in a row that do not shrink end the wait.
const STALLED_LISTINGS: u32 = 3;
/// How far before the round's start the "updated since" listing reaches, for clock skew
/// between this machine and the pager.
const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// One round's confirmation by state.
pub(super) struct Settle<'c> {
    pub(super) client: &'c Client,
    pub(super) action: &'c AlertAction,
    pub(super) pending: &'c str,
    pub(super) since: DateTime<Utc>,
    pub(super) timeout: Duration,
    pub(super) jobs: usize,
}

/// What a read of one request outcome gave.
enum Read {
    Processed(RequestStatus),
    NotYet(Error),
    Lost(Error),
}

impl Settle<'_> {
    /// Learns the result of every alert in `acted` (with its handle when the action was
    /// accepted) and writes it into its slot.
    pub(super) async fn confirm(
        &self,
        slots: &mut [Slot],
        acted: Vec<(usize, Option<RequestHandle>)>,
    ) {
        let started = Instant::now();
        let deadline = started + self.timeout;
        let (initial, max) = self.client.poll_backoff();
        let mut delay = initial;
        let mut previous: Option<HashSet<usize>> = None;
        let mut stalled = 0;
        let mut pending: Option<HashSet<usize>> = None;
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            tokio::time::sleep(delay.min(deadline - now)).await;
            delay = (delay * 2).min(max);
            let Ok(listed) = self.list(self.pending).await else {
                stalled += 1;
                if stalled >= STALLED_LISTINGS * 2 {
                    break;
                }
                continue;
            };
            let still: HashSet<usize> = acted
                .iter()
                .filter(|(i, _)| {
                    slots
                        .get(*i)
                        .is_some_and(|s| listed.iter().any(|a| names(&s.alert, a)))
                })
                .map(|(i, _)| *i)
                .collect();
            let agrees = previous.as_ref() == Some(&still);
            let shrank = previous.as_ref().is_none_or(|p| still.len() < p.len());
            previous = Some(still.clone());
            pending = Some(still);
            if agrees && pending.as_ref().is_some_and(HashSet::is_empty) {
                break;
            }
            if pending.as_ref().is_some_and(HashSet::is_empty) {
                // Everything left: one more listing soon, to see that none was skipped while
                // the list moved, without waiting a whole polling interval.
                delay = initial / 4;
            }
            stalled = if shrank { 0 } else { stalled + 1 };
            if stalled >= STALLED_LISTINGS {
                break;
            }
        }
        let mut handles: HashMap<usize, RequestHandle> = HashMap::new();
        for (i, handle) in acted.iter() {
            if let Some(h) = handle {
                handles.insert(*i, h.clone());
            }
        }
        let Some(pending) = pending else {
            // The pending query could not be listed: the outcomes must tell.
            let all: Vec<usize> = acted.iter().map(|(i, _)| *i).collect();
            self.by_outcomes(slots, &handles, &all).await;
            return;
        };
        let still: Vec<usize> = acted
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| pending.contains(i))
            .collect();
        self.by_outcomes(slots, &handles, &still).await;
        let left: Vec<usize> = acted
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| !pending.contains(i))
            .collect();
        if left.is_empty() {
            return;
        }
        let since = self.since - chrono::Duration::seconds(CLOCK_SKEW.as_secs() as i64);
        let updated = format!("updatedAt >= {}", since.timestamp_millis());
        let Ok(found) = self.list(&updated).await else {
            self.by_outcomes(slots, &handles, &left).await;
            return;
        };
        // What the state shows of each alert that left the pending query; outcomes are read
        // for the rest.
        let mut ask: Vec<(usize, Unclear)> = Vec::new();
        for i in left {
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            let alert = found.iter().find(|a| names(&slot.alert, a));
            if let Some(alert) = alert
                && slot.alert_id.is_none()
            {
                slot.alert_id = Some(alert.id.clone());
            }
            match alert {
                None if *self.action == AlertAction::Delete => slot.set(done_by_state()),
                None => ask.push((i, Unclear::NotFound)),
                Some(alert) => match applied(self.action, alert) {
                    Some(true) => slot.set(done_by_state()),
                    _ if !alert.is_open() && !closes(self.action) => {
                        ask.push((i, Unclear::Closed));
                    }
                    Some(false) => ask.push((i, Unclear::NotShown)),
                    None => slot.set(done_by_state()),
                },
            }
        }
        let mut reads = self.read_all(&handles, ask.iter().map(|(i, _)| *i)).await;
        for (i, unclear) in ask {
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            let result = match (reads.remove(&i), unclear) {
                (Some(Read::Processed(status)), _) if status.succeeded() => BulkResult::Done {
                    status: Some(status),
                    confirmed_by: ConfirmedBy::Outcome,
                },
                (Some(Read::Processed(status)), Unclear::Closed) => BulkResult::Gone {
                    cause: GoneCause::Closed,
                    reason: Some(status.status),
                },
                (Some(Read::Processed(status)), _) => from_failed_status(status),
                (_, Unclear::Closed) => BulkResult::Gone {
                    cause: GoneCause::Closed,
                    reason: None,
                },
                (_, Unclear::NotFound) => BulkResult::Gone {
                    cause: GoneCause::Deleted,
                    reason: None,
                },
                (Some(Read::NotYet(e) | Read::Lost(e)), Unclear::NotShown) => {
                    BulkResult::NotConfirmed(e)
                }
                // Sent, refused or lost, and the state does not show it: keep the send's error.
                (None, Unclear::NotShown) => continue,
            };
            slot.set(result);
        }
    }

    /// Sets the result of each of `which` from its request outcome; one without a handle
    /// keeps what its send gave.
    async fn by_outcomes(
        &self,
        slots: &mut [Slot],
        handles: &HashMap<usize, RequestHandle>,
        which: &[usize],
    ) {
        let reads = self.read_all(handles, which.iter().copied()).await;
        for (i, read) in reads {
            let Some(slot) = slots.get_mut(i) else {
                continue;
            };
            slot.set(match read {
                Read::Processed(status) if status.succeeded() => BulkResult::Done {
                    status: Some(status),
                    confirmed_by: ConfirmedBy::Outcome,
                },
                Read::Processed(status) => from_failed_status(status),
                Read::NotYet(e) | Read::Lost(e) => BulkResult::NotConfirmed(e),
            });
        }
    }

    /// Reads the outcome of each of `which` that has a handle, once, concurrently.
    async fn read_all(
        &self,
        handles: &HashMap<usize, RequestHandle>,
        which: impl Iterator<Item = usize>,
    ) -> HashMap<usize, Read> {
        let asks: Vec<(usize, RequestHandle)> = which
            .filter_map(|i| handles.get(&i).map(|h| (i, h.clone())))
            .collect();
        let waited = self.timeout;
        stream::iter(asks)
            .map(|(i, handle)| async move {
                let read = match handle.status().await {
                    Ok(Some(status)) => Read::Processed(status),
                    Ok(None) => Read::NotYet(Error::OutcomeTimeout {
                        request_id: handle.request_id().as_str().to_owned(),
                        after: waited,
                    }),
                    Err(e) => Read::Lost(e),
                };
                (i, read)
            })
            .buffer_unordered(self.jobs)
            .collect()
            .await
    }

    /// Every alert the query selects, 100 per page, oldest first. A page lost after the
    /// client's own retries is asked again (a listing is only read, so repeating it is
    /// harmless), so that one lost page does not cost a whole listing when the retry budget
    /// has run dry.
    async fn list(&self, query: &str) -> Result<Vec<Alert>> {
        let mut alerts: Vec<Alert> = Vec::new();
        let mut seen: HashSet<AlertId> = HashSet::new();
        let mut offset: u32 = 0;
        let (pause, _) = self.client.poll_backoff();
        loop {
            if offset + PAGE > super::LIST_CEILING {
                return Err(Error::invalid(
                    "confirm_by",
                    "selects more alerts than one listing can read",
                ));
            }
            let mut tries = 0;
            let page = loop {
                tries += 1;
                let asked = self
                    .client
                    .alerts()
                    .list()
                    .query(query)
                    .sort(AlertSort::CreatedAt)
                    .order(Order::Asc)
                    .offset(offset)
                    .limit(PAGE)
                    .await;
                match asked {
                    Ok(page) => break page,
                    Err(e) if tries >= PAGE_TRIES || !transient(&e) => return Err(e),
                    Err(_) => tokio::time::sleep(pause * tries).await,
                }
            };
            let full = page.alerts.len() >= PAGE as usize;
            for alert in page.alerts {
                // Offsets shift while alerts leave the query: a repeat is skipped.
                if seen.insert(alert.id.clone()) {
                    alerts.push(alert);
                }
            }
            if !full {
                return Ok(alerts);
            }
            offset += PAGE;
        }
    }
}

/// Items per list page (the most both backends give).
const PAGE: u32 = 100;
/// How many times a list page is asked for at most.
const PAGE_TRIES: u32 = 4;

/// A failure that says nothing of the request itself: worth asking again.
fn transient(e: &Error) -> bool {
    match e {
        Error::Transport(_) | Error::Timeout { .. } | Error::RateLimited { .. } => true,
        Error::Api(api) => matches!(api.status, 500 | 502 | 503 | 504),
        _ => false,
    }
}

/// Why the state alone does not tell what happened to an alert that left the pending query.
#[derive(Clone, Copy)]
enum Unclear {
    /// It is not among the alerts updated since the round began: deleted.
    NotFound,
    /// Someone closed it.
    Closed,
    /// It is open and does not show the action.
    NotShown,
}

fn done_by_state() -> BulkResult {
    BulkResult::Done {
        status: None,
        confirmed_by: ConfirmedBy::State,
    }
}

/// Whether the action itself closes or removes the alert.
fn closes(action: &AlertAction) -> bool {
    matches!(action, AlertAction::Close | AlertAction::Delete)
}

/// Whether `alert` shows the effect of `action`; `None` for actions whose effect an alert
/// list does not show (notes, escalations, custom actions, responders...).
pub(super) fn applied(action: &AlertAction, alert: &Alert) -> Option<bool> {
    Some(match action {
        AlertAction::Acknowledge => alert.is_acknowledged(),
        AlertAction::Unacknowledge => !alert.is_acknowledged(),
        AlertAction::Close => !alert.is_open(),
        AlertAction::Snooze(_) => alert.snoozed,
        AlertAction::AddTags(tags) => tags.iter().all(|t| alert.tags.contains(t)),
        AlertAction::RemoveTags(tags) => !tags.iter().any(|t| alert.tags.contains(t)),
        AlertAction::UpdatePriority(p) => alert.priority.as_ref() == Some(p),
        AlertAction::UpdateMessage(m) => alert.message == *m,
        AlertAction::Delete => false,
        _ => return None,
    })
}

/// Whether `alert` is the one `r` names.
pub(super) fn names(r: &AlertRef, alert: &Alert) -> bool {
    match r.kind {
        IdentifierType::Id => alert.id.as_str() == r.value,
        IdentifierType::Tiny => alert.tiny_id.as_deref() == Some(r.value.as_str()),
        IdentifierType::Alias => alert.alias.as_deref() == Some(r.value.as_str()),
    }
}
