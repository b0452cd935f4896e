//! The fake's state and the semantics of every Opsgenie endpoint, one module per resource.
//!
//! Vocabulary: [`State`] is everything the fake knows, a [`Reply`] is one HTTP answer. Every
//! asynchronous request is decoded into an [`Op`] (for alerts: an [`AlertOp`]) or refused with a
//! validation reply; accepted ops wait in a queue until their processing moment.

mod alerts;
mod fields;
mod heartbeats;
mod incidents;
mod schedules;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::alerts::{Alert, LogEntry, Note};
use crate::heartbeats::Heartbeat;
use crate::incidents::Incident;
use crate::schedules::{Override, Schedule};

pub(crate) use alerts::AlertOp;

use alerts::alert_ident;
pub(crate) use heartbeats::heartbeat_team;
pub(crate) use schedules::rotation;

/// An HTTP answer of the fake.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(crate) fn new(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
        }
    }

    pub(crate) fn data(status: u16, data: Value) -> Reply {
        Reply::new(status, json!({ "data": data }))
    }

    pub(crate) fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::new(status, json!({ "message": message.into() }))
    }

    pub(crate) fn invalid(errors: Map<String, Value>) -> Reply {
        Reply::new(
            422,
            json!({
                "message": "Request body is not processable. Please check the errors.",
                "errors": errors,
            }),
        )
    }

    pub(crate) fn invalid_one(field: &str, message: impl Into<String>) -> Reply {
        let mut errors = Map::new();
        errors.insert(field.to_owned(), Value::String(message.into()));
        Reply::invalid(errors)
    }

    pub(crate) fn accepted(request_id: &str) -> Reply {
        Reply::new(
            202,
            json!({ "result": "Request will be processed", "requestId": request_id }),
        )
    }
}

/// How a request names an alert or an incident.
#[derive(Clone, Debug)]
pub(crate) enum Ident {
    Id(String),
    Tiny(String),
    Alias(String),
}

/// Where an accepted request stands.
pub(crate) enum RequestState<'a> {
    /// Processed; its outcome (Opsgenie's request-status `data`).
    Processed(&'a Value),
    /// Accepted, not processed yet.
    Pending,
    /// Never accepted.
    Unknown,
}

/// An accepted asynchronous request, decoded.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    CreateAlert(Map<String, Value>),
    Alert {
        ident: Ident,
        op: AlertOp,
        user: Option<String>,
        /// The request's `source` (where the action came from), for the webhook delivery.
        source: Option<String>,
        note: Option<String>,
    },
    CreateIncident(Map<String, Value>),
    Incident {
        ident: Ident,
        action: &'static str,
    },
}

struct Pending {
    request_id: String,
    ready_at: Instant,
    op: Op,
    /// Processed as failed with this status text instead of being applied.
    refusal: Option<String>,
}

/// What happens to the next action accepted on an alert (see
/// [`FakeOpsgenie::on_next_action`](crate::fake::FakeOpsgenie::on_next_action)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextAction {
    /// Someone else deletes the alert after the action is accepted and before it is
    /// processed: its outcome is Opsgenie's `Alert does not exist`.
    DeleteFirst,
    /// Someone else closes the alert after the action is accepted and before it is
    /// processed; the action is then processed on the closed alert.
    CloseFirst,
    /// Someone else closes the alert first, and the action is then processed as failed with
    /// this status text.
    CloseFirstThenFail(String),
    /// The action is accepted and never processed: its outcome stays 404
    /// `RequestNotProcessed`.
    NeverProcess,
    /// The action is processed as failed (`isSuccess: false`) with this status text, and
    /// changes nothing.
    Fail(String),
}

/// Everything the fake knows.
pub(crate) struct State {
    pub(crate) alerts: Vec<Alert>,
    pub(crate) notes: HashMap<String, Vec<Note>>,
    pub(crate) logs: HashMap<String, Vec<LogEntry>>,
    pub(crate) schedules: Vec<Schedule>,
    pub(crate) overrides: Vec<Override>,
    pub(crate) heartbeats: Vec<Heartbeat>,
    pub(crate) incidents: Vec<Incident>,
    pub(crate) processing_delay: Duration,
    pub(crate) base_url: String,
    pub(crate) heartbeat_since: HashMap<String, DateTime<Utc>>,
    /// The JSM site's teams: `(teamId, teamName)`.
    pub(crate) teams: Vec<(String, String)>,
    /// The webhook deliveries of the alert actions applied, not yet handed to the sender.
    pub(crate) webhook_outbox: Vec<crate::webhook::WebhookEvent>,
    /// The escalations `GET /v2/escalations` lists.
    pub(crate) escalations: Vec<crate::escalations::Escalation>,
    pending: VecDeque<Pending>,
    outcomes: HashMap<String, Value>,
    /// What happens to the next action on an alert, by alert id.
    pub(crate) next_action: HashMap<String, NextAction>,
    /// Accepted requests that are never processed.
    stuck: std::collections::HashSet<String>,
    counter: u64,
    next_tiny: u64,
    next_incident_tiny: u64,
}

impl State {
    pub(crate) fn new(base_url: String) -> State {
        State {
            alerts: Vec::new(),
            notes: HashMap::new(),
            logs: HashMap::new(),
            schedules: Vec::new(),
            overrides: Vec::new(),
            heartbeats: Vec::new(),
            incidents: Vec::new(),
            processing_delay: Duration::ZERO,
            base_url,
            heartbeat_since: HashMap::new(),
            teams: vec![(super::JSM_TEAM_ID.to_owned(), "ops".to_owned())],
            webhook_outbox: Vec::new(),
            escalations: Vec::new(),
            pending: VecDeque::new(),
            outcomes: HashMap::new(),
            next_action: HashMap::new(),
            stuck: std::collections::HashSet::new(),
            counter: 0,
            next_tiny: 1,
            next_incident_tiny: 1,
        }
    }

    pub(crate) fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!(
            "{:08x}-fake-4{kind}-8000-{:012}",
            self.counter, self.counter
        )
    }

    pub(crate) fn accept(&mut self, op: Op) -> Reply {
        let request_id = self.next_id("req");
        let mut refusal = None;
        if let Op::Alert { ident, .. } = &op {
            let scripted = self
                .find_alert(ident)
                .and_then(|i| self.alerts.get(i))
                .map(|a| a.id.as_str().to_owned())
                .and_then(|id| self.next_action.remove(&id).map(|next| (id, next)));
            if let Some((id, next)) = scripted {
                match next {
                    NextAction::DeleteFirst => {
                        self.delete_by_someone_else(&id);
                    }
                    NextAction::CloseFirst => {
                        self.close_by_someone_else(&id);
                    }
                    NextAction::CloseFirstThenFail(reason) => {
                        self.close_by_someone_else(&id);
                        refusal = Some(reason);
                    }
                    NextAction::NeverProcess => {
                        self.stuck.insert(request_id.clone());
                        return Reply::accepted(&request_id);
                    }
                    NextAction::Fail(reason) => refusal = Some(reason),
                }
            }
        }
        self.pending.push_back(Pending {
            request_id: request_id.clone(),
            ready_at: Instant::now() + self.processing_delay,
            op,
            refusal,
        });
        Reply::accepted(&request_id)
    }

    /// Someone else deletes an alert (no request); false when there is none.
    pub(crate) fn delete_by_someone_else(&mut self, id: &str) -> bool {
        let before = self.alerts.len();
        self.alerts.retain(|a| a.id.as_str() != id);
        self.notes.remove(id);
        self.logs.remove(id);
        self.alerts.len() != before
    }

    /// Someone else closes an alert (no request); false when there is none.
    pub(crate) fn close_by_someone_else(&mut self, id: &str) -> bool {
        let Some(alert) = self.alerts.iter_mut().find(|a| a.id.as_str() == id) else {
            return false;
        };
        let now = Utc::now();
        alert.status = Some(crate::alerts::AlertStatus::Closed);
        alert.updated_at = Some(now);
        let report = alert.report.get_or_insert(crate::alerts::AlertReport {
            ack_time: None,
            close_time: None,
            acknowledged_by: None,
            closed_by: None,
        });
        report.closed_by = Some("someone-else".to_owned());
        self.log(
            id,
            "Closed alert by someone-else".into(),
            Some("someone-else"),
        );
        true
    }

    /// What is known of an accepted request: its outcome once processed.
    pub(crate) fn request(&self, id: &str) -> RequestState<'_> {
        if let Some(outcome) = self.outcomes.get(id) {
            RequestState::Processed(outcome)
        } else if self.stuck.contains(id) || self.pending.iter().any(|p| p.request_id == id) {
            RequestState::Pending
        } else {
            RequestState::Unknown
        }
    }

    /// Processes every accepted request whose moment has come, in order.
    pub(crate) fn process_due(&mut self) {
        let now = Instant::now();
        while self.pending.front().is_some_and(|p| p.ready_at <= now) {
            let Some(p) = self.pending.pop_front() else {
                break;
            };
            let outcome = match (p.refusal, &p.op) {
                (Some(reason), Op::Alert { ident, op, .. }) => {
                    let id = self
                        .find_alert(ident)
                        .and_then(|i| self.alerts.get(i))
                        .map(|a| a.id.as_str().to_owned())
                        .unwrap_or_default();
                    Self::outcome(op.action_name(), false, &reason, json!({ "alertId": id }))
                }
                _ => self.apply(p.op),
            };
            self.outcomes.insert(p.request_id, outcome);
        }
        self.expire_heartbeats();
    }

    /// The outcome of a processed request, as the request-status endpoint answers it.
    pub(crate) fn outcome(action: &str, ok: bool, status: &str, extra: Value) -> Value {
        let mut data = json!({
            "success": ok,
            "isSuccess": ok,
            "action": action,
            "processedAt": Utc::now(),
            "integrationId": "00000000-fake-4int-8000-000000000001",
            "status": status,
        });
        if let (Some(d), Value::Object(e)) = (data.as_object_mut(), extra) {
            d.extend(e);
        }
        data
    }

    fn apply(&mut self, op: Op) -> Value {
        match op {
            Op::CreateAlert(body) => self.apply_create_alert(&body),
            Op::Alert {
                ident,
                op,
                user,
                source,
                note,
            } => self.apply_alert(ident, op, user, source, note),
            Op::CreateIncident(body) => self.apply_create_incident(&body),
            Op::Incident { ident, action } => self.apply_incident(&ident, action),
        }
    }

    // ----- routing -----

    pub(crate) fn route(
        &mut self,
        method: &Method,
        segs: &[String],
        q: &HashMap<String, String>,
        body: &[u8],
    ) -> Reply {
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let m = method.as_str();
        match (m, s.as_slice()) {
            ("GET", ["v2", "alerts"]) => self.list_alerts(q),
            ("GET", ["v2", "escalations"]) => Reply::data(200, json!(self.escalations)),
            ("POST", ["v2", "alerts"]) => self.post_create_alert(body),
            ("GET", ["v2", "alerts", "count"]) => match self.matching_alerts(q) {
                Ok(v) => Reply::data(200, json!({ "count": v.len() })),
                Err(a) => a,
            },
            ("GET", ["v2", "alerts", "requests", id]) => self.request_status(id),
            ("GET", ["v1", "incidents", "requests", id]) => self.request_status(id),
            ("GET", ["v2", "alerts", ident]) => {
                let ident = match alert_ident(q, "identifierType", ident) {
                    Ok(i) => i,
                    Err(a) => return a,
                };
                match self.find_alert(&ident).and_then(|i| self.alerts.get(i)) {
                    Some(a) => Reply::data(200, json!(a)),
                    None => Reply::error(404, "Alert does not exist"),
                }
            }
            ("DELETE", ["v2", "alerts", ident]) => self.alert_action(q, ident, "delete", body),
            ("GET", ["v2", "alerts", ident, what @ ("notes" | "logs")]) => {
                self.list_cursor(q, ident, what)
            }
            ("POST", ["v2", "alerts", ident, "actions", name]) => {
                let name = (*name).to_owned();
                self.alert_action(q, ident, &format!("actions/{name}"), body)
            }
            (
                "POST",
                [
                    "v2",
                    "alerts",
                    ident,
                    what @ ("acknowledge" | "unacknowledge" | "close" | "snooze" | "escalate"
                    | "assign" | "teams" | "responders" | "notes" | "tags" | "details"),
                ],
            ) => self.alert_action(q, ident, what, body),
            ("DELETE", ["v2", "alerts", ident, what @ ("tags" | "details")]) => {
                self.alert_action(q, ident, &format!("remove-{what}"), body)
            }
            (
                "PUT",
                [
                    "v2",
                    "alerts",
                    ident,
                    what @ ("priority" | "message" | "description"),
                ],
            ) => self.alert_action(q, ident, what, body),
            (_, ["v2", "schedules", ..]) => self.schedules_route(m, &s, q, body),
            (_, ["v2", "heartbeats", ..]) => self.heartbeats_route(m, &s, body),
            (_, ["v1", "incidents", ..]) => self.incidents_route(m, &s, q, body),
            _ => Reply::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    pub(crate) fn request_status(&self, id: &str) -> Reply {
        match self.outcomes.get(id) {
            Some(data) => Reply::data(200, data.clone()),
            None => {
                let mut a = Reply::error(404, "Request not processed yet");
                a.headers
                    .push(("X-Opsgenie-Errortype", "RequestNotProcessed".into()));
                a
            }
        }
    }
}
