//! The fake's state and the semantics of every endpoint.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::query;
use crate::alerts::{
    Alert, AlertReport, AlertStatus, Integration, LogEntry, Note, Priority, Responder,
    ResponderType,
};
use crate::common::NamedRef;
use crate::heartbeats::{Heartbeat, IntervalUnit};
use crate::ids::{AlertId, IncidentId, ScheduleId};
use crate::incidents::{Incident, IncidentStatus};
use crate::schedules::{
    Override, OverrideUser, Participant, ParticipantType, Rotation, RotationType, Schedule,
    ScheduleMeta,
};

/// An HTTP answer of the fake.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn new(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body,
            headers: Vec::new(),
        }
    }

    fn data(status: u16, data: Value) -> Answer {
        Answer::new(status, json!({ "data": data }))
    }

    fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer::new(status, json!({ "message": message.into() }))
    }

    fn invalid(errors: Map<String, Value>) -> Answer {
        Answer::new(
            422,
            json!({
                "message": "Request body is not processable. Please check the errors.",
                "errors": errors,
            }),
        )
    }

    fn invalid_one(field: &str, message: impl Into<String>) -> Answer {
        let mut errors = Map::new();
        errors.insert(field.to_owned(), Value::String(message.into()));
        Answer::invalid(errors)
    }

    fn accepted(request_id: &str) -> Answer {
        Answer::new(
            202,
            json!({ "result": "Request will be processed", "requestId": request_id }),
        )
    }
}

#[derive(Clone, Debug)]
enum Ident {
    Id(String),
    Tiny(String),
    Alias(String),
}

#[derive(Clone, Debug)]
enum AlertOp {
    Acknowledge,
    Unacknowledge,
    Close,
    AddNote,
    Snooze(DateTime<Utc>),
    Escalate(String),
    Assign(String),
    AddTeam(Responder),
    AddResponder(Responder),
    Custom(String),
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
    AddDetails(BTreeMap<String, String>),
    RemoveDetails(Vec<String>),
    Priority(Priority),
    Message(String),
    Description(String),
    Delete,
}

#[derive(Clone, Debug)]
enum Op {
    CreateAlert(Map<String, Value>),
    Alert {
        ident: Ident,
        op: AlertOp,
        user: Option<String>,
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
    pending: VecDeque<Pending>,
    outcomes: HashMap<String, Value>,
    counter: u64,
    next_tiny: u64,
    next_incident_tiny: u64,
}

fn str_field(
    body: &Map<String, Value>,
    field: &str,
    max: usize,
    errors: &mut Map<String, Value>,
) -> Option<String> {
    match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            if s.chars().count() > max {
                errors.insert(
                    field.into(),
                    json!(format!("must be at most {max} characters")),
                );
            }
            Some(s.clone())
        }
        Some(_) => {
            errors.insert(field.into(), json!("must be a string"));
            None
        }
    }
}

fn str_list(
    body: &Map<String, Value>,
    field: &str,
    max_items: usize,
    max_len: usize,
    errors: &mut Map<String, Value>,
) -> Vec<String> {
    match body.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(s) if s.chars().count() <= max_len => out.push(s.clone()),
                    _ => {
                        errors.insert(
                            field.into(),
                            json!(format!(
                                "items must be strings of at most {max_len} characters"
                            )),
                        );
                    }
                }
            }
            if out.len() > max_items {
                errors.insert(field.into(), json!(format!("at most {max_items} allowed")));
            }
            out
        }
        Some(_) => {
            errors.insert(field.into(), json!("must be a list"));
            Vec::new()
        }
    }
}

fn details_field(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut Map<String, Value>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match body.get(field) {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            let mut total = 0;
            for (k, v) in map {
                match v {
                    Value::String(s) => {
                        total += k.chars().count() + s.chars().count();
                        out.insert(k.clone(), s.clone());
                    }
                    _ => {
                        errors.insert(field.into(), json!("values must be strings"));
                    }
                }
            }
            if total > 8000 {
                errors.insert(field.into(), json!("must be at most 8000 characters"));
            }
        }
        Some(_) => {
            errors.insert(field.into(), json!("must be an object"));
        }
    }
    out
}

fn responder_value(v: &Value) -> Option<Responder> {
    let r: Responder = serde_json::from_value(v.clone()).ok()?;
    let known = matches!(
        r.kind,
        ResponderType::Team
            | ResponderType::User
            | ResponderType::Escalation
            | ResponderType::Schedule
    );
    (known && (r.id.is_some() || r.name.is_some() || r.username.is_some())).then_some(r)
}

fn responders_field(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut Map<String, Value>,
) -> Vec<Responder> {
    match body.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match responder_value(item) {
                    Some(r) => out.push(r),
                    None => {
                        errors.insert(
                            field.into(),
                            json!("each needs type team|user|escalation|schedule and an id, name or username"),
                        );
                    }
                }
            }
            out
        }
        Some(_) => {
            errors.insert(field.into(), json!("must be a list"));
            Vec::new()
        }
    }
}

fn priority_field(body: &Map<String, Value>, errors: &mut Map<String, Value>) -> Option<Priority> {
    match body.get("priority") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match s.parse::<Priority>() {
            Ok(Priority::Unknown(_)) => {
                errors.insert(
                    "priority".into(),
                    json!("should be one of [P1, P2, P3, P4, P5]"),
                );
                None
            }
            Ok(p) => Some(p),
            Err(never) => match never {},
        },
        Some(_) => {
            errors.insert(
                "priority".into(),
                json!("should be one of [P1, P2, P3, P4, P5]"),
            );
            None
        }
    }
}

/// Parses a JSON object body; an empty body is an empty object.
fn parse_body(body: &[u8]) -> Result<Map<String, Value>, Answer> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Answer::error(400, "Request body must be a JSON object")),
        Err(_) => Err(Answer::error(400, "Could not parse request body")),
    }
}

fn date_param(q: &HashMap<String, String>, name: &str) -> Result<Option<DateTime<Utc>>, Answer> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| Answer::invalid_one(name, "must be an ISO-8601 date")),
    }
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
            pending: VecDeque::new(),
            outcomes: HashMap::new(),
            counter: 0,
            next_tiny: 1,
            next_incident_tiny: 1,
        }
    }

    fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        format!(
            "{:08x}-fake-4{kind}-8000-{:012}",
            self.counter, self.counter
        )
    }

    fn accept(&mut self, op: Op) -> Answer {
        let request_id = self.next_id("req");
        self.pending.push_back(Pending {
            request_id: request_id.clone(),
            ready_at: Instant::now() + self.processing_delay,
            op,
        });
        Answer::accepted(&request_id)
    }

    /// Processes every accepted request whose moment has come, in order.
    pub(crate) fn process_due(&mut self) {
        let now = Instant::now();
        while self.pending.front().is_some_and(|p| p.ready_at <= now) {
            let Some(p) = self.pending.pop_front() else {
                break;
            };
            let outcome = self.apply(p.op);
            self.outcomes.insert(p.request_id, outcome);
        }
        self.expire_heartbeats();
    }

    /// A heartbeat without a ping for its interval expires and raises its alert, as Opsgenie's do.
    fn expire_heartbeats(&mut self) {
        let now = Utc::now();
        let mut raised = Vec::new();
        for h in &mut self.heartbeats {
            if h.enabled != Some(true) || h.expired == Some(true) {
                continue;
            }
            let Some(since) = h
                .last_ping_time
                .or_else(|| self.heartbeat_since.get(&h.name).copied())
            else {
                continue;
            };
            let n = i64::from(h.interval.unwrap_or(10).max(1));
            let interval = match h.interval_unit {
                Some(IntervalUnit::Hours) => chrono::Duration::hours(n),
                Some(IntervalUnit::Days) => chrono::Duration::days(n),
                _ => chrono::Duration::minutes(n),
            };
            if since + interval <= now {
                h.expired = Some(true);
                let mut body = Map::new();
                body.insert(
                    "message".into(),
                    json!(
                        h.alert_message
                            .clone()
                            .unwrap_or_else(|| format!("Heartbeat [{}] is expired", h.name))
                    ),
                );
                body.insert("alias".into(), json!(heartbeat_alias(&h.name)));
                body.insert("source".into(), json!("Heartbeat"));
                body.insert("tags".into(), json!(h.alert_tags));
                if let Some(p) = &h.alert_priority {
                    body.insert("priority".into(), json!(p));
                }
                raised.push(body);
            }
        }
        for body in raised {
            self.create_alert(&body);
        }
    }

    fn outcome(action: &str, ok: bool, status: &str, extra: Value) -> Value {
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

    // ----- alerts -----

    fn find_alert(&self, ident: &Ident) -> Option<usize> {
        self.alerts.iter().position(|a| match ident {
            Ident::Id(id) => a.id.as_str() == id,
            Ident::Tiny(t) => a.tiny_id.as_deref() == Some(t.as_str()),
            Ident::Alias(al) => a.alias.as_deref() == Some(al.as_str()) && a.is_open(),
        })
    }

    fn log(&mut self, alert_id: &str, text: String, owner: Option<&str>) {
        let entries = self.logs.entry(alert_id.to_owned()).or_default();
        let now = Utc::now();
        let offset = format!("{}_{:06}", now.timestamp_millis(), entries.len());
        entries.push(LogEntry {
            log: text,
            kind: Some("system".into()),
            owner: Some(owner.unwrap_or("System").to_owned()),
            created_at: Some(now),
            offset: Some(offset),
        });
    }

    pub(crate) fn add_note(&mut self, alert_id: &str, note: String, owner: Option<&str>) {
        let notes = self.notes.entry(alert_id.to_owned()).or_default();
        let now = Utc::now();
        let offset = format!("{}{:06}", now.timestamp_millis(), notes.len());
        notes.push(Note {
            note,
            owner: Some(owner.unwrap_or("System").to_owned()),
            created_at: Some(now),
            offset: Some(offset),
        });
    }

    /// Creates (or de-duplicates) an alert from a validated create body; returns its index.
    pub(crate) fn create_alert(&mut self, body: &Map<String, Value>) -> (usize, Alert) {
        let mut ignore = Map::new();
        let alias = str_field(body, "alias", 512, &mut ignore);
        let now = Utc::now();
        if let Some(alias) = &alias {
            let found = self.find_alert(&Ident::Alias(alias.clone()));
            if let Some((i, a)) = found.and_then(|i| self.alerts.get_mut(i).map(|a| (i, a))) {
                a.count = Some(a.count.unwrap_or(1) + 1);
                a.last_occurred_at = Some(now);
                a.updated_at = Some(now);
                let snapshot = a.clone();
                self.log(
                    snapshot.id.as_str(),
                    "Alert count increased by de-duplication".into(),
                    None,
                );
                return (i, snapshot);
            }
        }
        let id = self.next_id("alr");
        let tiny = self.next_tiny;
        self.next_tiny += 1;
        let user = str_field(body, "user", 100, &mut ignore);
        let alert = Alert {
            id: AlertId(id.clone()),
            tiny_id: Some(tiny.to_string()),
            alias: Some(alias.unwrap_or_else(|| id.clone())),
            message: str_field(body, "message", 130, &mut ignore).unwrap_or_default(),
            status: Some(AlertStatus::Open),
            acknowledged: false,
            is_seen: Some(false),
            seen: None,
            tags: str_list(body, "tags", 20, 50, &mut ignore),
            snoozed: false,
            snoozed_until: None,
            count: Some(1),
            last_occurred_at: Some(now),
            created_at: Some(now),
            updated_at: Some(now),
            source: Some(
                str_field(body, "source", 100, &mut ignore).unwrap_or_else(|| "127.0.0.1".into()),
            ),
            owner: Some(String::new()),
            priority: Some(priority_field(body, &mut ignore).unwrap_or(Priority::P3)),
            responders: responders_field(body, "responders", &mut ignore),
            integration: Some(Integration {
                id: Some("00000000-fake-4int-8000-000000000001".into()),
                name: Some("Fake API".into()),
                kind: Some("API".into()),
            }),
            flat_integration_type: None,
            flat_integration_name: None,
            report: None,
            owner_team_id: None,
            actions: str_list(body, "actions", 10, 50, &mut ignore),
            entity: str_field(body, "entity", 512, &mut ignore),
            description: str_field(body, "description", 15_000, &mut ignore),
            details: details_field(body, "details", &mut ignore),
        };
        self.alerts.push(alert.clone());
        self.log(&id, "Alert created".into(), user.as_deref());
        if let Some(note) = str_field(body, "note", 25_000, &mut ignore) {
            self.add_note(&id, note, user.as_deref());
        }
        (self.alerts.len() - 1, alert)
    }

    fn apply(&mut self, op: Op) -> Value {
        match op {
            Op::CreateAlert(body) => {
                let (i, _) = self.create_alert(&body);
                let (id, alias) = self
                    .alerts
                    .get(i)
                    .map(|a| (a.id.0.clone(), a.alias.clone().unwrap_or_default()))
                    .unwrap_or_default();
                Self::outcome(
                    "Create",
                    true,
                    "Created alert",
                    json!({ "alertId": id, "alias": alias }),
                )
            }
            Op::Alert {
                ident,
                op,
                user,
                note,
            } => self.apply_alert(ident, op, user, note),
            Op::CreateIncident(body) => {
                let id = self.next_id("inc");
                let tiny = self.next_incident_tiny;
                self.next_incident_tiny += 1;
                let mut ignore = Map::new();
                let now = Utc::now();
                self.incidents.push(Incident {
                    id: IncidentId(id.clone()),
                    tiny_id: Some(tiny.to_string()),
                    message: str_field(&body, "message", 130, &mut ignore).unwrap_or_default(),
                    status: Some(IncidentStatus::Open),
                    is_seen: Some(false),
                    tags: str_list(&body, "tags", 20, 50, &mut ignore),
                    created_at: Some(now),
                    updated_at: Some(now),
                    source: Some("Fake API".into()),
                    owner: Some(String::new()),
                    priority: Some(priority_field(&body, &mut ignore).unwrap_or(Priority::P3)),
                    responders: responders_field(&body, "responders", &mut ignore),
                    owner_team: None,
                    extra_properties: details_field(&body, "details", &mut ignore),
                    impacted_services: str_field(&body, "serviceId", 512, &mut ignore)
                        .into_iter()
                        .collect(),
                });
                Self::outcome(
                    "Create",
                    true,
                    "Created incident",
                    json!({ "incidentId": id }),
                )
            }
            Op::Incident { ident, action } => {
                let found = self.incidents.iter_mut().find(|i| match &ident {
                    Ident::Id(id) => i.id.as_str() == id,
                    Ident::Tiny(t) => i.tiny_id.as_deref() == Some(t.as_str()),
                    Ident::Alias(_) => false,
                });
                let name = match action {
                    "resolve" => "Resolve",
                    "close" => "Close",
                    _ => "AddNote",
                };
                match found {
                    None => Self::outcome(
                        name,
                        false,
                        "Incident does not exist",
                        json!({ "incidentId": "" }),
                    ),
                    Some(inc) => {
                        let status = match action {
                            "resolve" => {
                                inc.status = Some(IncidentStatus::Resolved);
                                "Resolved incident"
                            }
                            "close" => {
                                inc.status = Some(IncidentStatus::Closed);
                                "Closed incident"
                            }
                            _ => "Added note to incident",
                        };
                        inc.updated_at = Some(Utc::now());
                        Self::outcome(name, true, status, json!({ "incidentId": inc.id.0 }))
                    }
                }
            }
        }
    }

    fn apply_alert(
        &mut self,
        ident: Ident,
        op: AlertOp,
        user: Option<String>,
        note: Option<String>,
    ) -> Value {
        let action = match &op {
            AlertOp::Acknowledge => "Acknowledge",
            AlertOp::Unacknowledge => "UnAcknowledge",
            AlertOp::Close => "Close",
            AlertOp::AddNote => "AddNote",
            AlertOp::Snooze(_) => "Snooze",
            AlertOp::Escalate(_) => "EscalateToNext",
            AlertOp::Assign(_) => "AssignOwnership",
            AlertOp::AddTeam(_) => "AddTeam",
            AlertOp::AddResponder(_) => "AddResponder",
            AlertOp::Custom(_) => "ExecuteCustomAction",
            AlertOp::AddTags(_) => "AddTags",
            AlertOp::RemoveTags(_) => "RemoveTags",
            AlertOp::AddDetails(_) => "AddDetails",
            AlertOp::RemoveDetails(_) => "RemoveDetails",
            AlertOp::Priority(_) => "UpdatePriority",
            AlertOp::Message(_) => "UpdateMessage",
            AlertOp::Description(_) => "UpdateDescription",
            AlertOp::Delete => "Delete",
        };
        let Some(i) = self.find_alert(&ident) else {
            return Self::outcome(
                action,
                false,
                "Alert does not exist",
                json!({ "alertId": "", "alias": "" }),
            );
        };
        let now = Utc::now();
        let who = user.clone().unwrap_or_else(|| "System".into());
        let Some(alert) = self.alerts.get_mut(i) else {
            return Self::outcome(
                action,
                false,
                "Alert does not exist",
                json!({ "alertId": "" }),
            );
        };
        alert.updated_at = Some(now);
        let id = alert.id.0.clone();
        let alias = alert.alias.clone().unwrap_or_default();
        let report = alert.report.get_or_insert(AlertReport {
            ack_time: None,
            close_time: None,
            acknowledged_by: None,
            closed_by: None,
        });
        let since_created = alert
            .created_at
            .map(|c| (now - c).num_milliseconds().max(0) as u64);
        let status: String = match op {
            AlertOp::Acknowledge => {
                alert.acknowledged = true;
                report.acknowledged_by = Some(who.clone());
                report.ack_time = since_created;
                "Acknowledged alert".into()
            }
            AlertOp::Unacknowledge => {
                alert.acknowledged = false;
                "Unacknowledged alert".into()
            }
            AlertOp::Close => {
                alert.status = Some(AlertStatus::Closed);
                report.closed_by = Some(who.clone());
                report.close_time = since_created;
                "Closed alert".into()
            }
            AlertOp::AddNote => "Added note".into(),
            AlertOp::Snooze(until) => {
                alert.snoozed = true;
                alert.snoozed_until = Some(until);
                "Snoozed alert".into()
            }
            AlertOp::Escalate(to) => format!("Escalated alert to {to}"),
            AlertOp::Assign(owner) => {
                alert.owner = Some(owner);
                "Assigned ownership".into()
            }
            AlertOp::AddTeam(team) | AlertOp::AddResponder(team) => {
                if !alert.responders.contains(&team) {
                    alert.responders.push(team);
                }
                "Added responder".into()
            }
            AlertOp::Custom(name) => {
                if !alert.actions.contains(&name) {
                    return Self::outcome(
                        action,
                        false,
                        &format!("Action [{name}] is not available for this alert"),
                        json!({ "alertId": id, "alias": alias }),
                    );
                }
                format!("Executed [{name}] action")
            }
            AlertOp::AddTags(tags) => {
                for t in tags {
                    if !alert.tags.contains(&t) {
                        alert.tags.push(t);
                    }
                }
                "Added tags".into()
            }
            AlertOp::RemoveTags(tags) => {
                alert.tags.retain(|t| !tags.contains(t));
                "Removed tags".into()
            }
            AlertOp::AddDetails(details) => {
                alert.details.extend(details);
                "Added details".into()
            }
            AlertOp::RemoveDetails(keys) => {
                alert.details.retain(|k, _| !keys.contains(k));
                "Removed details".into()
            }
            AlertOp::Priority(p) => {
                alert.priority = Some(p);
                "Updated priority".into()
            }
            AlertOp::Message(m) => {
                alert.message = m;
                "Updated message".into()
            }
            AlertOp::Description(d) => {
                alert.description = Some(d);
                "Updated description".into()
            }
            AlertOp::Delete => {
                self.alerts.remove(i);
                self.notes.remove(&id);
                self.logs.remove(&id);
                return Self::outcome(
                    action,
                    true,
                    "Deleted alert",
                    json!({ "alertId": id, "alias": alias }),
                );
            }
        };
        if let Some(note) = note {
            self.add_note(&id, note, Some(&who));
        }
        self.log(&id, format!("{status} by {who}"), Some(&who));
        Self::outcome(
            action,
            true,
            &status,
            json!({ "alertId": id, "alias": alias }),
        )
    }

    // ----- routing -----

    pub(crate) fn route(
        &mut self,
        method: &Method,
        segs: &[String],
        q: &HashMap<String, String>,
        body: &[u8],
    ) -> Answer {
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let m = method.as_str();
        match (m, s.as_slice()) {
            ("GET", ["v2", "alerts"]) => self.list_alerts(q),
            ("POST", ["v2", "alerts"]) => self.post_create_alert(body),
            ("GET", ["v2", "alerts", "count"]) => match self.matching_alerts(q) {
                Ok(v) => Answer::data(200, json!({ "count": v.len() })),
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
                    Some(a) => Answer::data(200, json!(a)),
                    None => Answer::error(404, "Alert does not exist"),
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
            _ => Answer::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    fn request_status(&self, id: &str) -> Answer {
        match self.outcomes.get(id) {
            Some(data) => Answer::data(200, data.clone()),
            None => {
                let mut a = Answer::error(404, "Request not processed yet");
                a.headers
                    .push(("X-Opsgenie-Errortype", "RequestNotProcessed".into()));
                a
            }
        }
    }

    fn post_create_alert(&mut self, body: &[u8]) -> Answer {
        let body = match parse_body(body) {
            Ok(b) => b,
            Err(a) => return a,
        };
        let mut errors = Map::new();
        match str_field(&body, "message", 130, &mut errors) {
            Some(m) if !m.trim().is_empty() => {}
            Some(_) | None if !errors.contains_key("message") => {
                errors.insert("message".into(), json!("Message can not be empty."));
            }
            _ => {}
        }
        str_field(&body, "alias", 512, &mut errors);
        str_field(&body, "description", 15_000, &mut errors);
        str_field(&body, "entity", 512, &mut errors);
        str_field(&body, "source", 100, &mut errors);
        str_field(&body, "user", 100, &mut errors);
        str_field(&body, "note", 25_000, &mut errors);
        str_list(&body, "tags", 20, 50, &mut errors);
        str_list(&body, "actions", 10, 50, &mut errors);
        details_field(&body, "details", &mut errors);
        responders_field(&body, "responders", &mut errors);
        responders_field(&body, "visibleTo", &mut errors);
        priority_field(&body, &mut errors);
        if !errors.is_empty() {
            return Answer::invalid(errors);
        }
        self.accept(Op::CreateAlert(body))
    }

    fn alert_action(
        &mut self,
        q: &HashMap<String, String>,
        ident: &str,
        what: &str,
        body: &[u8],
    ) -> Answer {
        let ident = match alert_ident(q, "identifierType", ident) {
            Ok(i) => i,
            Err(a) => return a,
        };
        let from_query = what == "delete" || what.starts_with("remove-");
        let body = if from_query {
            let mut m = Map::new();
            for k in ["user", "source", "note"] {
                if let Some(v) = q.get(k) {
                    m.insert(k.into(), json!(v));
                }
            }
            m
        } else {
            match parse_body(body) {
                Ok(b) => b,
                Err(a) => return a,
            }
        };
        let mut errors = Map::new();
        let user = str_field(&body, "user", 100, &mut errors);
        str_field(&body, "source", 100, &mut errors);
        let mut note = str_field(&body, "note", 25_000, &mut errors);
        let list_param = |key: &str| -> Vec<String> {
            q.get(key)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let op = match what {
            "acknowledge" => AlertOp::Acknowledge,
            "unacknowledge" => AlertOp::Unacknowledge,
            "close" => AlertOp::Close,
            "delete" => AlertOp::Delete,
            "notes" => {
                if note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    errors.insert("note".into(), json!("Note can not be empty."));
                }
                AlertOp::AddNote
            }
            "snooze" => match body
                .get("endTime")
                .and_then(Value::as_str)
                .map(DateTime::parse_from_rfc3339)
            {
                Some(Ok(t)) if t.with_timezone(&Utc) > Utc::now() => {
                    AlertOp::Snooze(t.with_timezone(&Utc))
                }
                _ => {
                    errors.insert("endTime".into(), json!("must be a date-time in the future"));
                    AlertOp::Snooze(Utc::now())
                }
            },
            "escalate" => {
                let esc = body
                    .get("escalation")
                    .and_then(|v| serde_json::from_value::<NamedRef>(v.clone()).ok());
                match esc.and_then(|e| e.name.or(e.id)) {
                    Some(n) => AlertOp::Escalate(n),
                    None => {
                        errors.insert("escalation".into(), json!("needs an id or a name"));
                        AlertOp::Escalate(String::new())
                    }
                }
            }
            "assign" => {
                let owner = body
                    .get("owner")
                    .and_then(|v| serde_json::from_value::<crate::UserRef>(v.clone()).ok());
                match owner.and_then(|o| o.username.or(o.id)) {
                    Some(o) => AlertOp::Assign(o),
                    None => {
                        errors.insert("owner".into(), json!("needs an id or a username"));
                        AlertOp::Assign(String::new())
                    }
                }
            }
            "teams" => {
                let team = body
                    .get("team")
                    .and_then(|v| serde_json::from_value::<NamedRef>(v.clone()).ok());
                match team.filter(|t| t.id.is_some() || t.name.is_some()) {
                    Some(t) => AlertOp::AddTeam(Responder {
                        kind: ResponderType::Team,
                        id: t.id,
                        name: t.name,
                        username: None,
                    }),
                    None => {
                        errors.insert("team".into(), json!("needs an id or a name"));
                        AlertOp::Delete
                    }
                }
            }
            "responders" => match body.get("responder").and_then(responder_value) {
                Some(r) => AlertOp::AddResponder(r),
                None => {
                    errors.insert(
                        "responder".into(),
                        json!("needs a type and an id, name or username"),
                    );
                    AlertOp::Delete
                }
            },
            "tags" => {
                let tags = str_list(&body, "tags", 20, 50, &mut errors);
                if tags.is_empty() {
                    errors.insert("tags".into(), json!("Tags can not be empty."));
                }
                AlertOp::AddTags(tags)
            }
            "details" => {
                let details = details_field(&body, "details", &mut errors);
                if details.is_empty() {
                    errors.insert("details".into(), json!("Details can not be empty."));
                }
                AlertOp::AddDetails(details)
            }
            "remove-tags" => {
                let tags = list_param("tags");
                if tags.is_empty() {
                    errors.insert("tags".into(), json!("Tags can not be empty."));
                }
                AlertOp::RemoveTags(tags)
            }
            "remove-details" => {
                let keys = list_param("keys");
                if keys.is_empty() {
                    errors.insert("keys".into(), json!("Keys can not be empty."));
                }
                AlertOp::RemoveDetails(keys)
            }
            "priority" => match priority_field(&body, &mut errors) {
                Some(p) => AlertOp::Priority(p),
                None => {
                    errors
                        .entry("priority")
                        .or_insert(json!("should be one of [P1, P2, P3, P4, P5]"));
                    AlertOp::Delete
                }
            },
            "message" => match str_field(&body, "message", 130, &mut errors) {
                Some(m) if !m.trim().is_empty() => AlertOp::Message(m),
                _ => {
                    errors
                        .entry("message")
                        .or_insert(json!("Message can not be empty."));
                    AlertOp::Delete
                }
            },
            "description" => match str_field(&body, "description", 15_000, &mut errors) {
                Some(d) => AlertOp::Description(d),
                None => {
                    errors
                        .entry("description")
                        .or_insert(json!("must be given"));
                    AlertOp::Delete
                }
            },
            custom => AlertOp::Custom(custom.trim_start_matches("actions/").to_owned()),
        };
        if matches!(what, "priority" | "message" | "description") {
            note = None;
        }
        if !errors.is_empty() {
            return Answer::invalid(errors);
        }
        self.accept(Op::Alert {
            ident,
            op,
            user,
            note,
        })
    }

    fn matching_alerts(&self, q: &HashMap<String, String>) -> Result<Vec<&Alert>, Answer> {
        // The fake keeps no saved searches, so every one is unknown.
        if let Some(search) = q.get("searchIdentifier") {
            return Err(Answer::error(
                404,
                format!("Saved search with identifier [{search}] does not exist"),
            ));
        }
        let conds = query::parse(q.get("query").map(String::as_str).unwrap_or(""))
            .map_err(|e| Answer::invalid_one("query", format!("Invalid query: {e}")))?;
        Ok(self
            .alerts
            .iter()
            .filter(|a| query::matches(a, &conds))
            .collect())
    }

    fn list_alerts(&self, q: &HashMap<String, String>) -> Answer {
        let offset: usize = match q.get("offset").map(|v| v.parse()) {
            None => 0,
            Some(Ok(v)) => v,
            Some(Err(_)) => return Answer::invalid_one("offset", "must be a non-negative number"),
        };
        let limit: usize = match q.get("limit").map(|v| v.parse()) {
            None => 20,
            Some(Ok(v)) if (1..=100).contains(&v) => v,
            Some(_) => return Answer::invalid_one("limit", "must be between 1 and 100"),
        };
        if offset + limit > 20_000 {
            return Answer::invalid_one("offset", "offset + limit must be at most 20000");
        }
        let desc = match q.get("order").map(String::as_str) {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Answer::invalid_one("order", "must be asc or desc"),
        };
        let sort = q.get("sort").map(String::as_str).unwrap_or("createdAt");
        let mut alerts = match self.matching_alerts(q) {
            Ok(a) => a,
            Err(e) => return e,
        };
        // Creation order is the tie-breaker, so equal keys keep a stable order.
        match sort {
            "createdAt" => alerts.sort_by_key(|a| a.created_at),
            "updatedAt" => alerts.sort_by_key(|a| a.updated_at),
            "tinyId" => {
                alerts.sort_by_key(|a| a.tiny_id.as_ref().and_then(|t| t.parse::<u64>().ok()))
            }
            "count" => alerts.sort_by_key(|a| a.count),
            "message" => alerts.sort_by(|a, b| a.message.cmp(&b.message)),
            "lastOccurredAt" => alerts.sort_by_key(|a| a.last_occurred_at),
            "status" => alerts.sort_by_key(|a| a.status.as_ref().map(|s| s.as_str().to_owned())),
            "acknowledged" => alerts.sort_by_key(|a| a.acknowledged),
            "isSeen" => alerts.sort_by_key(|a| a.is_seen),
            "snoozed" => alerts.sort_by_key(|a| a.snoozed),
            "alias" => alerts.sort_by(|a, b| a.alias.cmp(&b.alias)),
            "source" => alerts.sort_by(|a, b| a.source.cmp(&b.source)),
            "owner" => alerts.sort_by(|a, b| a.owner.cmp(&b.owner)),
            other => return Answer::invalid_one("sort", format!("unsupported sort field {other}")),
        }
        if desc {
            alerts.reverse();
        }
        let total = alerts.len();
        let page: Vec<&Alert> = alerts.into_iter().skip(offset).take(limit).collect();
        let link = |off: usize| {
            let mut url = format!("{}/v2/alerts?", self.base_url.trim_end_matches('/'));
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            if let Some(query) = q.get("query") {
                ser.append_pair("query", query);
            }
            ser.append_pair("offset", &off.to_string())
                .append_pair("limit", &limit.to_string())
                .append_pair("sort", sort)
                .append_pair("order", if desc { "desc" } else { "asc" });
            url.push_str(&ser.finish());
            url
        };
        let mut paging = Map::new();
        if offset + limit < total && offset + 2 * limit <= 20_000 {
            paging.insert("next".into(), json!(link(offset + limit)));
        }
        if offset > 0 {
            paging.insert("prev".into(), json!(link(offset.saturating_sub(limit))));
        }
        paging.insert("first".into(), json!(link(0)));
        let last = total.saturating_sub(1) / limit * limit;
        paging.insert("last".into(), json!(link(last.min(20_000 - limit))));
        Answer::new(
            200,
            json!({ "data": page, "paging": paging, "totalCount": total }),
        )
    }

    fn list_cursor(&self, q: &HashMap<String, String>, ident: &str, what: &str) -> Answer {
        let ident = match alert_ident(q, "identifierType", ident) {
            Ok(i) => i,
            Err(a) => return a,
        };
        let Some(alert) = self.find_alert(&ident).and_then(|i| self.alerts.get(i)) else {
            return Answer::error(404, "Alert does not exist");
        };
        let limit: usize = match q.get("limit").map(|v| v.parse()) {
            None => 20,
            Some(Ok(v)) if (1..=100).contains(&v) => v,
            Some(_) => return Answer::invalid_one("limit", "must be between 1 and 100"),
        };
        let mut items: Vec<(String, Value)> = if what == "notes" {
            self.notes
                .get(alert.id.as_str())
                .map(|v| {
                    v.iter()
                        .map(|n| (n.offset.clone().unwrap_or_default(), json!(n)))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            self.logs
                .get(alert.id.as_str())
                .map(|v| {
                    v.iter()
                        .map(|n| (n.offset.clone().unwrap_or_default(), json!(n)))
                        .collect()
                })
                .unwrap_or_default()
        };
        if q.get("order").map(String::as_str) == Some("desc") {
            items.reverse();
        }
        let start = match q.get("offset") {
            None => 0,
            Some(off) => match items.iter().position(|(o, _)| o == off) {
                Some(p) if q.get("direction").map(String::as_str) == Some("prev") => {
                    p.saturating_sub(limit)
                }
                Some(p) => p + 1,
                None => return Answer::invalid_one("offset", "unknown offset"),
            },
        };
        let page: Vec<&(String, Value)> = items.iter().skip(start).take(limit).collect();
        let mut paging = Map::new();
        let base = format!(
            "{}/v2/alerts/{}/{what}?identifierType=id",
            self.base_url.trim_end_matches('/'),
            alert.id
        );
        if start + limit < items.len()
            && let Some((last, _)) = page.last()
        {
            paging.insert(
                "next".into(),
                json!(format!("{base}&offset={last}&direction=next&limit={limit}")),
            );
        }
        paging.insert("first".into(), json!(base));
        let data: Vec<&Value> = page.iter().map(|(_, v)| v).collect();
        Answer::new(200, json!({ "data": data, "paging": paging }))
    }

    // ----- schedules -----

    fn find_schedule(
        &self,
        q: &HashMap<String, String>,
        key: &str,
        ident: &str,
    ) -> Result<usize, Answer> {
        let by_name = match q.get(key).map(String::as_str) {
            None | Some("id") => false,
            Some("name") => true,
            Some(_) => return Err(Answer::invalid_one(key, "must be id or name")),
        };
        self.schedules
            .iter()
            .position(|s| {
                if by_name {
                    s.name == ident
                } else {
                    s.id.as_str() == ident
                }
            })
            .ok_or_else(|| {
                Answer::error(
                    404,
                    format!("Schedule with identifier [{ident}] does not exist"),
                )
            })
    }

    /// Usernames on call in a schedule at `at`, overrides applied.
    pub(crate) fn on_call_at(&self, schedule: &Schedule, at: DateTime<Utc>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for rotation in &schedule.rotations {
            let overridden = self.overrides.iter().find(|o| {
                o.parent.as_ref().and_then(|p| p.id.as_deref()) == Some(schedule.id.as_str())
                    && o.start_date.is_some_and(|s| s <= at)
                    && o.end_date.is_some_and(|e| at < e)
                    && (o.rotations.is_empty()
                        || o.rotations.iter().any(|r| {
                            r.id.as_deref()
                                .is_some_and(|id| rotation.id.as_deref() == Some(id))
                                || r.name
                                    .as_deref()
                                    .is_some_and(|n| rotation.name.as_deref() == Some(n))
                        }))
            });
            let who = match overridden {
                Some(o) => o
                    .user
                    .as_ref()
                    .and_then(|u| u.username.clone().or(u.id.clone())),
                None => rotation_user_at(rotation, at),
            };
            if let Some(w) = who
                && !out.contains(&w)
            {
                out.push(w);
            }
        }
        out
    }

    fn next_on_call(&self, schedule: &Schedule, at: DateTime<Utc>) -> Vec<String> {
        let mut out = Vec::new();
        for rotation in &schedule.rotations {
            if let Some(next) = rotation_next_change(rotation, at) {
                for w in self.on_call_at(
                    &Schedule {
                        rotations: vec![rotation.clone()],
                        ..schedule.clone()
                    },
                    next,
                ) {
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
        }
        out
    }

    fn on_call_json(&self, s: &Schedule, at: DateTime<Utc>, flat: bool) -> Value {
        let users = self.on_call_at(s, at);
        let parent = json!({ "id": s.id, "name": s.name, "enabled": s.enabled.unwrap_or(true) });
        if flat {
            json!({ "_parent": parent, "onCallRecipients": users })
        } else {
            let participants: Vec<Value> = users
                .iter()
                .map(|u| json!({ "id": user_id(u), "name": u, "type": "user" }))
                .collect();
            json!({ "_parent": parent, "onCallParticipants": participants })
        }
    }

    fn schedules_route(
        &mut self,
        m: &str,
        s: &[&str],
        q: &HashMap<String, String>,
        body: &[u8],
    ) -> Answer {
        let flat = q.get("flat").map(String::as_str) == Some("true");
        let at = match date_param(q, "date") {
            Ok(d) => d.unwrap_or_else(Utc::now),
            Err(a) => return a,
        };
        match (m, s) {
            ("GET", ["v2", "schedules"]) => {
                let expand = q
                    .get("expand")
                    .is_some_and(|e| e.split(',').any(|x| x == "rotation"));
                let list: Vec<Value> = self
                    .schedules
                    .iter()
                    .map(|sch| {
                        let mut v = json!(sch);
                        if !expand && let Some(o) = v.as_object_mut() {
                            o.remove("rotations");
                        }
                        v
                    })
                    .collect();
                Answer::new(200, json!({ "data": list, "expandable": ["rotation"] }))
            }
            ("GET", ["v2", "schedules", "on-calls"]) => {
                let all: Vec<Value> = self
                    .schedules
                    .iter()
                    .map(|sch| self.on_call_json(sch, at, flat))
                    .collect();
                Answer::data(200, json!(all))
            }
            ("GET", ["v2", "schedules", ident]) => {
                match self.find_schedule(q, "identifierType", ident) {
                    Ok(i) => Answer::data(200, json!(self.schedules.get(i))),
                    Err(a) => a,
                }
            }
            ("GET", ["v2", "schedules", ident, "on-calls"]) => {
                match self.find_schedule(q, "scheduleIdentifierType", ident) {
                    Ok(i) => match self.schedules.get(i) {
                        Some(sch) => Answer::data(200, self.on_call_json(sch, at, flat)),
                        None => Answer::error(404, "Schedule does not exist"),
                    },
                    Err(a) => a,
                }
            }
            ("GET", ["v2", "schedules", ident, "next-on-calls"]) => {
                match self.find_schedule(q, "scheduleIdentifierType", ident) {
                    Ok(i) => {
                        let Some(sch) = self.schedules.get(i) else {
                            return Answer::error(404, "Schedule does not exist");
                        };
                        let next = self.next_on_call(sch, at);
                        let parent = json!({ "id": sch.id, "name": sch.name, "enabled": sch.enabled.unwrap_or(true) });
                        if flat {
                            Answer::data(
                                200,
                                json!({ "_parent": parent, "nextOnCallParticipants": next }),
                            )
                        } else {
                            let objs: Vec<Value> = next
                                .iter()
                                .map(|u| json!({ "id": user_id(u), "name": u, "type": "user" }))
                                .collect();
                            Answer::data(
                                200,
                                json!({ "_parent": parent, "nextOnCallRecipients": objs }),
                            )
                        }
                    }
                    Err(a) => a,
                }
            }
            (_, ["v2", "schedules", ident, "overrides", rest @ ..]) => {
                let i = match self.find_schedule(q, "scheduleIdentifierType", ident) {
                    Ok(i) => i,
                    Err(a) => return a,
                };
                let Some(sch) = self.schedules.get(i).cloned() else {
                    return Answer::error(404, "Schedule does not exist");
                };
                self.overrides_route(m, &sch, rest, body)
            }
            _ => Answer::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    fn overrides_route(&mut self, m: &str, sch: &Schedule, rest: &[&str], body: &[u8]) -> Answer {
        let of_schedule =
            |o: &Override| o.parent.as_ref().and_then(|p| p.id.as_deref()) == Some(sch.id.as_str());
        match (m, rest) {
            ("GET", []) => {
                let list: Vec<&Override> =
                    self.overrides.iter().filter(|o| of_schedule(o)).collect();
                Answer::data(200, json!(list))
            }
            ("GET", [alias]) => match self
                .overrides
                .iter()
                .find(|o| of_schedule(o) && o.alias == *alias)
            {
                Some(o) => Answer::data(200, json!(o)),
                None => Answer::error(404, format!("Override with alias [{alias}] does not exist")),
            },
            ("DELETE", [alias]) => {
                let before = self.overrides.len();
                self.overrides
                    .retain(|o| !(of_schedule(o) && o.alias == *alias));
                if self.overrides.len() == before {
                    Answer::error(404, format!("Override with alias [{alias}] does not exist"))
                } else {
                    Answer::new(200, json!({ "result": "Deleted" }))
                }
            }
            ("POST", []) | ("PUT", [_]) => {
                let body = match parse_body(body) {
                    Ok(b) => b,
                    Err(a) => return a,
                };
                let mut errors = Map::new();
                let user: Option<OverrideUser> = body
                    .get("user")
                    .and_then(|u| serde_json::from_value(u.clone()).ok());
                let user = user.filter(|u| u.id.is_some() || u.username.is_some());
                if user.is_none() {
                    errors.insert(
                        "user".into(),
                        json!("needs type user and an id or a username"),
                    );
                }
                let date = |k: &str, errors: &mut Map<String, Value>| {
                    let d = body
                        .get(k)
                        .and_then(Value::as_str)
                        .and_then(|v| DateTime::parse_from_rfc3339(v).ok());
                    if d.is_none() {
                        errors.insert(k.into(), json!("must be an ISO-8601 date"));
                    }
                    d.map(|d| d.with_timezone(&Utc))
                };
                let start = date("startDate", &mut errors);
                let end = date("endDate", &mut errors);
                if let (Some(s), Some(e)) = (start, end)
                    && e <= s
                {
                    errors.insert("endDate".into(), json!("must be after startDate"));
                }
                let rotations: Vec<NamedRef> = body
                    .get("rotations")
                    .and_then(|r| serde_json::from_value(r.clone()).ok())
                    .unwrap_or_default();
                if !errors.is_empty() {
                    return Answer::invalid(errors);
                }
                let alias = match rest {
                    [alias] => {
                        if !self
                            .overrides
                            .iter()
                            .any(|o| of_schedule(o) && o.alias == *alias)
                        {
                            return Answer::error(
                                404,
                                format!("Override with alias [{alias}] does not exist"),
                            );
                        }
                        (*alias).to_owned()
                    }
                    _ => body
                        .get("alias")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .unwrap_or_else(|| self.next_id("ovr")),
                };
                let replaced = self
                    .overrides
                    .iter()
                    .any(|o| of_schedule(o) && o.alias == alias);
                self.overrides
                    .retain(|o| !(of_schedule(o) && o.alias == alias));
                let mut user = user.unwrap_or(OverrideUser {
                    kind: None,
                    id: None,
                    username: None,
                });
                user.kind = Some(ParticipantType::User);
                self.overrides.push(Override {
                    parent: Some(ScheduleMeta {
                        id: Some(sch.id.0.clone()),
                        name: Some(sch.name.clone()),
                        enabled: sch.enabled,
                    }),
                    alias: alias.clone(),
                    user: Some(user),
                    start_date: start,
                    end_date: end,
                    rotations,
                });
                let status = if m == "POST" && !replaced { 201 } else { 200 };
                Answer::data(status, json!({ "alias": alias }))
            }
            _ => Answer::error(405, "Method not allowed"),
        }
    }

    // ----- heartbeats -----

    fn heartbeats_route(&mut self, m: &str, s: &[&str], body: &[u8]) -> Answer {
        match (m, s) {
            ("GET", ["v2", "heartbeats"]) => {
                Answer::data(200, json!({ "heartbeats": self.heartbeats }))
            }
            ("POST", ["v2", "heartbeats"]) => {
                let body = match parse_body(body) {
                    Ok(b) => b,
                    Err(a) => return a,
                };
                let mut errors = Map::new();
                let name =
                    str_field(&body, "name", 200, &mut errors).filter(|n| !n.trim().is_empty());
                if name.is_none() {
                    errors
                        .entry("name")
                        .or_insert(json!("Name can not be empty."));
                }
                let hb = self.heartbeat_from(&body, None, &mut errors);
                if !errors.is_empty() {
                    return Answer::invalid(errors);
                }
                let Some(mut hb) = hb else {
                    return Answer::invalid_one("interval", "must be at least 1");
                };
                let name = name.unwrap_or_default();
                if self.heartbeats.iter().any(|h| h.name == name) {
                    return Answer::error(
                        409,
                        format!("Heartbeat with name [{name}] already exists"),
                    );
                }
                hb.name = name;
                let answer = json!({ "name": hb.name, "enabled": hb.enabled, "expired": false });
                self.heartbeat_since.insert(hb.name.clone(), Utc::now());
                self.heartbeats.push(hb);
                Answer::data(201, answer)
            }
            (_, ["v2", "heartbeats", name, "ping"]) => {
                let mut recovered = false;
                if let Some(h) = self.heartbeats.iter_mut().find(|h| h.name == *name) {
                    h.last_ping_time = Some(Utc::now());
                    recovered = h.expired == Some(true);
                    h.expired = Some(false);
                }
                // A ping after expiry closes the heartbeat's alert.
                if recovered {
                    let alias = heartbeat_alias(name);
                    if let Some(a) = self
                        .alerts
                        .iter_mut()
                        .find(|a| a.is_open() && a.alias.as_deref() == Some(alias.as_str()))
                    {
                        a.status = Some(AlertStatus::Closed);
                        a.updated_at = Some(Utc::now());
                    }
                }
                Answer::new(202, json!({ "result": "PONG - Heartbeat received" }))
            }
            ("POST", ["v2", "heartbeats", name, what @ ("enable" | "disable")]) => {
                match self.heartbeats.iter_mut().find(|h| h.name == *name) {
                    Some(h) => {
                        h.enabled = Some(*what == "enable");
                        Answer::data(
                            200,
                            json!({ "name": h.name, "enabled": h.enabled, "expired": h.expired }),
                        )
                    }
                    None => {
                        Answer::error(404, format!("Heartbeat with name [{name}] does not exist"))
                    }
                }
            }
            ("GET", ["v2", "heartbeats", name]) => {
                match self.heartbeats.iter().find(|h| h.name == *name) {
                    Some(h) => Answer::data(200, json!(h)),
                    None => {
                        Answer::error(404, format!("Heartbeat with name [{name}] does not exist"))
                    }
                }
            }
            ("DELETE", ["v2", "heartbeats", name]) => {
                let before = self.heartbeats.len();
                self.heartbeats.retain(|h| h.name != *name);
                if before == self.heartbeats.len() {
                    Answer::error(404, format!("Heartbeat with name [{name}] does not exist"))
                } else {
                    Answer::new(200, json!({ "result": "Deleted" }))
                }
            }
            ("PATCH", ["v2", "heartbeats", name]) => {
                let body = match parse_body(body) {
                    Ok(b) => b,
                    Err(a) => return a,
                };
                let Some(pos) = self.heartbeats.iter().position(|h| h.name == *name) else {
                    return Answer::error(
                        404,
                        format!("Heartbeat with name [{name}] does not exist"),
                    );
                };
                let mut errors = Map::new();
                let current = self.heartbeats.get(pos).cloned();
                let updated = self.heartbeat_from(&body, current, &mut errors);
                if !errors.is_empty() {
                    return Answer::invalid(errors);
                }
                match (updated, self.heartbeats.get_mut(pos)) {
                    (Some(u), Some(slot)) => {
                        *slot = u;
                        Answer::data(200, json!(slot))
                    }
                    _ => Answer::invalid_one("interval", "must be at least 1"),
                }
            }
            _ => Answer::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    fn heartbeat_from(
        &self,
        body: &Map<String, Value>,
        current: Option<Heartbeat>,
        errors: &mut Map<String, Value>,
    ) -> Option<Heartbeat> {
        let mut hb = current.unwrap_or(Heartbeat {
            name: String::new(),
            description: None,
            interval: None,
            interval_unit: None,
            enabled: Some(true),
            expired: Some(false),
            owner_team: None,
            alert_message: None,
            alert_tags: Vec::new(),
            alert_priority: None,
            last_ping_time: None,
        });
        if let Some(d) = str_field(body, "description", 10_000, errors) {
            hb.description = Some(d);
        }
        match body.get("interval") {
            None => {
                if hb.interval.is_none() {
                    errors.insert("interval".into(), json!("must be at least 1"));
                }
            }
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 => hb.interval = u32::try_from(n).ok(),
                _ => {
                    errors.insert("interval".into(), json!("must be at least 1"));
                }
            },
        }
        match body.get("intervalUnit").and_then(Value::as_str) {
            None if hb.interval_unit.is_none() => {
                errors.insert(
                    "intervalUnit".into(),
                    json!("should be one of [minutes, hours, days]"),
                );
            }
            None => {}
            Some(u) => match u.parse::<IntervalUnit>() {
                Ok(IntervalUnit::Unknown(_)) => {
                    errors.insert(
                        "intervalUnit".into(),
                        json!("should be one of [minutes, hours, days]"),
                    );
                }
                Ok(unit) => hb.interval_unit = Some(unit),
                Err(never) => match never {},
            },
        }
        if let Some(e) = body.get("enabled").and_then(Value::as_bool) {
            hb.enabled = Some(e);
        }
        if let Some(t) = body
            .get("ownerTeam")
            .and_then(|t| serde_json::from_value(t.clone()).ok())
        {
            hb.owner_team = Some(t);
        }
        if let Some(m) = str_field(body, "alertMessage", 130, errors) {
            hb.alert_message = Some(m);
        }
        if body.contains_key("alertTags") {
            hb.alert_tags = str_list(body, "alertTags", 20, 50, errors);
        }
        if let Some(p) = priority_field(
            &{
                let mut m = Map::new();
                if let Some(v) = body.get("alertPriority") {
                    m.insert("priority".into(), v.clone());
                }
                m
            },
            errors,
        ) {
            hb.alert_priority = Some(p);
        }
        errors.is_empty().then_some(hb)
    }

    // ----- incidents -----

    fn incidents_route(
        &mut self,
        m: &str,
        s: &[&str],
        q: &HashMap<String, String>,
        body: &[u8],
    ) -> Answer {
        match (m, s) {
            ("POST", ["v1", "incidents", "create"]) => {
                let body = match parse_body(body) {
                    Ok(b) => b,
                    Err(a) => return a,
                };
                let mut errors = Map::new();
                if str_field(&body, "message", 130, &mut errors).is_none_or(|m| m.trim().is_empty())
                {
                    errors
                        .entry("message")
                        .or_insert(json!("Message can not be empty."));
                }
                if str_field(&body, "serviceId", 512, &mut errors)
                    .is_none_or(|m| m.trim().is_empty())
                {
                    errors
                        .entry("serviceId")
                        .or_insert(json!("Service id can not be empty."));
                }
                str_field(&body, "description", 15_000, &mut errors);
                str_field(&body, "note", 25_000, &mut errors);
                str_list(&body, "tags", 20, 50, &mut errors);
                details_field(&body, "details", &mut errors);
                responders_field(&body, "responders", &mut errors);
                priority_field(&body, &mut errors);
                if !errors.is_empty() {
                    return Answer::invalid(errors);
                }
                self.accept(Op::CreateIncident(body))
            }
            ("GET", ["v1", "incidents"]) => {
                let conds = match query::parse(q.get("query").map(String::as_str).unwrap_or("")) {
                    Ok(c) => c,
                    Err(e) => return Answer::invalid_one("query", format!("Invalid query: {e}")),
                };
                let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
                let limit: usize = match q.get("limit").map(|v| v.parse()) {
                    None => 20,
                    Some(Ok(v)) if (1..=100).contains(&v) => v,
                    Some(_) => return Answer::invalid_one("limit", "must be between 1 and 100"),
                };
                let mut list: Vec<&Incident> = self
                    .incidents
                    .iter()
                    .filter(|i| {
                        conds.iter().all(|c| match c {
                            query::Cond::Status(s) => {
                                i.status.as_ref().map(|v| v.as_str()) == Some(s.as_str())
                            }
                            query::Cond::Priority(p) => i.priority.as_ref() == Some(p),
                            query::Cond::Tag(t) => i.tags.contains(t),
                            _ => true,
                        })
                    })
                    .collect();
                if q.get("order").map(String::as_str) != Some("asc") {
                    list.reverse();
                }
                let page: Vec<&&Incident> = list.iter().skip(offset).take(limit).collect();
                Answer::new(200, json!({ "data": page, "totalCount": list.len() }))
            }
            ("GET", ["v1", "incidents", ident]) => {
                let ident = match incident_ident(q, ident) {
                    Ok(i) => i,
                    Err(a) => return a,
                };
                let found = self.incidents.iter().find(|i| match &ident {
                    Ident::Id(id) => i.id.as_str() == id,
                    Ident::Tiny(t) => i.tiny_id.as_deref() == Some(t.as_str()),
                    Ident::Alias(_) => false,
                });
                match found {
                    Some(i) => Answer::data(200, json!(i)),
                    None => Answer::error(404, "Incident does not exist"),
                }
            }
            (
                "POST",
                [
                    "v1",
                    "incidents",
                    ident,
                    what @ ("resolve" | "close" | "notes"),
                ],
            ) => {
                let ident = match incident_ident(q, ident) {
                    Ok(i) => i,
                    Err(a) => return a,
                };
                let body = match parse_body(body) {
                    Ok(b) => b,
                    Err(a) => return a,
                };
                let mut errors = Map::new();
                let note = str_field(&body, "note", 25_000, &mut errors);
                if *what == "notes" && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    errors.insert("note".into(), json!("Note can not be empty."));
                }
                if !errors.is_empty() {
                    return Answer::invalid(errors);
                }
                let action = match *what {
                    "resolve" => "resolve",
                    "close" => "close",
                    _ => "notes",
                };
                self.accept(Op::Incident { ident, action })
            }
            _ => Answer::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    // ----- seeding -----

    pub(crate) fn add_schedule(
        &mut self,
        name: &str,
        timezone: &str,
        rotations: Vec<Rotation>,
    ) -> Schedule {
        let id = self.next_id("sch");
        let mut rotations = rotations;
        for r in &mut rotations {
            if r.id.is_none() {
                r.id = Some(self.next_id("rot"));
            }
        }
        let schedule = Schedule {
            id: ScheduleId(id),
            name: name.to_owned(),
            description: None,
            timezone: Some(timezone.to_owned()),
            enabled: Some(true),
            owner_team: None,
            rotations,
        };
        self.schedules.push(schedule.clone());
        schedule
    }
}

fn heartbeat_alias(name: &str) -> String {
    format!("{name}_HeartbeatAlert")
}

fn user_id(username: &str) -> String {
    format!(
        "fake-user-{}",
        username.split('@').next().unwrap_or(username)
    )
}

fn alert_ident(q: &HashMap<String, String>, key: &str, value: &str) -> Result<Ident, Answer> {
    match q.get(key).map(String::as_str) {
        None | Some("id") => Ok(Ident::Id(value.to_owned())),
        Some("tiny") => Ok(Ident::Tiny(value.to_owned())),
        Some("alias") => Ok(Ident::Alias(value.to_owned())),
        Some(_) => Err(Answer::invalid_one(
            key,
            "should be one of [id, alias, tiny]",
        )),
    }
}

fn incident_ident(q: &HashMap<String, String>, value: &str) -> Result<Ident, Answer> {
    match q.get("identifierType").map(String::as_str) {
        None | Some("id") => Ok(Ident::Id(value.to_owned())),
        Some("tiny") => Ok(Ident::Tiny(value.to_owned())),
        Some(_) => Err(Answer::invalid_one(
            "identifierType",
            "should be one of [id, tiny]",
        )),
    }
}

fn rotation_period(r: &Rotation) -> chrono::Duration {
    let length = i64::from(r.length.unwrap_or(1).max(1));
    match r.kind {
        Some(RotationType::Hourly) => chrono::Duration::hours(length),
        Some(RotationType::Daily) => chrono::Duration::days(length),
        _ => chrono::Duration::weeks(length),
    }
}

fn rotation_users(r: &Rotation) -> Vec<String> {
    r.participants
        .iter()
        .filter(|p| p.kind == ParticipantType::User)
        .filter_map(|p| p.username.clone().or(p.id.clone()))
        .collect()
}

fn rotation_user_at(r: &Rotation, at: DateTime<Utc>) -> Option<String> {
    let start = r.start_date?;
    if at < start || r.end_date.is_some_and(|e| at >= e) {
        return None;
    }
    let users = rotation_users(r);
    if users.is_empty() {
        return None;
    }
    let period = rotation_period(r).num_milliseconds().max(1);
    let turns = (at - start).num_milliseconds() / period;
    let index = usize::try_from(turns).ok()? % users.len();
    users.get(index).cloned()
}

fn rotation_next_change(r: &Rotation, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let start = r.start_date?;
    if at < start {
        return Some(start);
    }
    let period = rotation_period(r);
    let turns = (at - start).num_milliseconds() / period.num_milliseconds().max(1);
    let next = start + period * i32::try_from(turns + 1).ok()?;
    Some(next)
}

/// A rotation of users, for seeding.
pub(crate) fn rotation(
    name: &str,
    kind: RotationType,
    start: DateTime<Utc>,
    users: &[&str],
) -> Rotation {
    Rotation {
        id: None,
        name: Some(name.to_owned()),
        start_date: Some(start),
        end_date: None,
        kind: Some(kind),
        length: Some(1),
        participants: users
            .iter()
            .map(|u| Participant {
                kind: ParticipantType::User,
                id: Some(user_id(u)),
                name: None,
                username: Some((*u).to_owned()),
            })
            .collect(),
    }
}
