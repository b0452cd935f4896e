//! Alerts: creation and de-duplication, the actions, listing and the notes and logs.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value, json};

use super::fields::{
    details_field, parse_body, priority_field, responder_value, responders_field, str_field,
    str_list,
};
use super::{Ident, Op, Reply, State};
use crate::alerts::{
    Alert, AlertReport, AlertStatus, Integration, LogEntry, Note, Priority, Responder,
    ResponderType,
};
use crate::common::NamedRef;
use crate::fake::query;
use crate::fake::{JSM_ACCOUNT_ID, JSM_EMAIL};
use crate::ids::{AlertId, EntityId};
use crate::webhook::{ActionSource, SourceType, WebhookAction, WebhookEvent};

/// One alert action, decoded from a request.
#[derive(Clone, Debug)]
pub(crate) enum AlertOp {
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

impl AlertOp {
    /// The action's name in a request outcome (`Acknowledge`, `Close`, ...).
    pub(crate) fn action_name(&self) -> &'static str {
        match self {
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
        }
    }

    /// The word Opsgenie's outgoing webhook announces this action with.
    fn webhook_action(&self) -> WebhookAction {
        match self {
            AlertOp::Acknowledge => WebhookAction::Acknowledge,
            AlertOp::Unacknowledge => WebhookAction::UnAcknowledge,
            AlertOp::Close => WebhookAction::Close,
            AlertOp::AddNote => WebhookAction::AddNote,
            AlertOp::Snooze(_) => WebhookAction::Snooze,
            AlertOp::Escalate(_) => WebhookAction::Escalate,
            AlertOp::Assign(_) => WebhookAction::AssignOwnership,
            AlertOp::AddTeam(_) => WebhookAction::AddTeam,
            AlertOp::AddResponder(_) => WebhookAction::AddResponder,
            AlertOp::Custom(_) => WebhookAction::CustomAction,
            AlertOp::AddTags(_) => WebhookAction::AddTags,
            AlertOp::RemoveTags(_) => WebhookAction::RemoveTags,
            AlertOp::AddDetails(_) => WebhookAction::AddDetails,
            AlertOp::RemoveDetails(_) => WebhookAction::RemoveDetails,
            AlertOp::Priority(_) => WebhookAction::UpdatePriority,
            AlertOp::Message(_) => WebhookAction::UpdateMessage,
            AlertOp::Description(_) => WebhookAction::UpdateDescription,
            AlertOp::Delete => WebhookAction::Delete,
        }
    }
}

/// The name of the outgoing Webhook integration the fake's deliveries come from.
pub(crate) const WEBHOOK_INTEGRATION_NAME: &str = "Webhook";
/// Its id.
pub(crate) const WEBHOOK_INTEGRATION_ID: &str = "00000000-fake-4int-8000-000000000002";

impl State {
    /// The delivery Opsgenie's Webhook integration makes for an action applied to `alert`:
    /// the acting user (on the JSM face the Atlassian account, named by id and e-mail), the
    /// request's `source` (its IP address, here loopback, when it gave none) and the note.
    pub(crate) fn event(
        &self,
        action: WebhookAction,
        alert: &Alert,
        user: Option<&str>,
        source: Option<&str>,
        note: Option<String>,
    ) -> WebhookEvent {
        let mut event = WebhookEvent::for_alert(action, alert);
        // Opsgenie sends `createdAt` in whole milliseconds.
        event.alert.created_at = event.alert.created_at.map(|t| t.trunc_subsecs(3));
        match user {
            Some(JSM_ACCOUNT_ID) => {
                event.alert.user_id = Some(JSM_ACCOUNT_ID.to_owned());
                event.alert.username = Some(JSM_EMAIL.to_owned());
            }
            Some(user) => event.alert.username = Some(user.to_owned()),
            None => {}
        }
        event.alert.note = note;
        event.source = Some(ActionSource::new(
            source.unwrap_or("127.0.0.1"),
            SourceType::Api,
        ));
        event.integration_id = Some(EntityId::new(WEBHOOK_INTEGRATION_ID));
        event.integration_name = Some(WEBHOOK_INTEGRATION_NAME.to_owned());
        event.integration_type = Some("Webhook".to_owned());
        event
    }

    /// Queues the delivery of an applied action (see [`State::event`]).
    fn announce(
        &mut self,
        action: WebhookAction,
        alert: &Alert,
        user: Option<&str>,
        source: Option<&str>,
        note: Option<String>,
    ) {
        let event = self.event(action, alert, user, source, note);
        self.webhook_outbox.push(event);
    }

    pub(crate) fn find_alert(&self, ident: &Ident) -> Option<usize> {
        self.alerts.iter().position(|a| match ident {
            Ident::Id(id) => a.id.as_str() == id,
            Ident::Tiny(t) => a.tiny_id.as_deref() == Some(t.as_str()),
            Ident::Alias(al) => a.alias.as_deref() == Some(al.as_str()) && a.is_open(),
        })
    }

    pub(crate) fn log(&mut self, alert_id: &str, text: String, owner: Option<&str>) {
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

    /// Adds a note to an alert and returns it; its offset is its id and paging key.
    pub(crate) fn add_note(&mut self, alert_id: &str, note: String, owner: Option<&str>) -> Note {
        let notes = self.notes.entry(alert_id.to_owned()).or_default();
        let now = Utc::now();
        let offset = format!("{}{:06}", now.timestamp_millis(), notes.len());
        let note = Note {
            note,
            owner: Some(owner.unwrap_or("System").to_owned()),
            created_at: Some(now),
            offset: Some(offset),
        };
        notes.push(note.clone());
        note
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
        let action_source = str_field(body, "source", 100, &mut ignore);
        let alert = Alert {
            id: AlertId::new(id.clone()),
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
        let note = str_field(body, "note", 25_000, &mut ignore);
        if let Some(note) = &note {
            self.add_note(&id, note.clone(), user.as_deref());
        }
        self.announce(
            WebhookAction::Create,
            &alert,
            user.as_deref(),
            action_source.as_deref(),
            note,
        );
        (self.alerts.len() - 1, alert)
    }

    pub(super) fn apply_create_alert(&mut self, body: &Map<String, Value>) -> Value {
        let (i, _) = self.create_alert(body);
        let (id, alias) = self
            .alerts
            .get(i)
            .map(|a| {
                (
                    a.id.as_str().to_owned(),
                    a.alias.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        Self::outcome(
            "Create",
            true,
            "Created alert",
            json!({ "alertId": id, "alias": alias }),
        )
    }

    pub(super) fn apply_alert(
        &mut self,
        ident: Ident,
        op: AlertOp,
        user: Option<String>,
        source: Option<String>,
        note: Option<String>,
    ) -> Value {
        let announced = op.webhook_action();
        let action = op.action_name();
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
        let id = alert.id.as_str().to_owned();
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
        let escalated_to = match &op {
            AlertOp::Escalate(to) => Some(to.clone()),
            _ => None,
        };
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
                let deleted = self.alerts.remove(i);
                self.announce(
                    announced,
                    &deleted,
                    user.as_deref(),
                    source.as_deref(),
                    note,
                );
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
        if let Some(note) = &note {
            self.add_note(&id, note.clone(), Some(&who));
        }
        self.log(&id, format!("{status} by {who}"), Some(&who));
        if let Some(alert) = self.alerts.get(i).cloned() {
            let mut event = self.event(announced, &alert, user.as_deref(), source.as_deref(), note);
            event.escalation_name = escalated_to;
            self.webhook_outbox.push(event);
        }
        Self::outcome(
            action,
            true,
            &status,
            json!({ "alertId": id, "alias": alias }),
        )
    }

    pub(super) fn post_create_alert(&mut self, body: &[u8]) -> Reply {
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
            return Reply::invalid(errors);
        }
        self.accept(Op::CreateAlert(body))
    }

    pub(super) fn alert_action(
        &mut self,
        q: &HashMap<String, String>,
        ident: &str,
        what: &str,
        body: &[u8],
    ) -> Reply {
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
        let action_source = str_field(&body, "source", 100, &mut errors);
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
        // Every request decodes into one action, or into the validation errors: no placeholder.
        let op: Option<AlertOp> = match what {
            "acknowledge" => Some(AlertOp::Acknowledge),
            "unacknowledge" => Some(AlertOp::Unacknowledge),
            "close" => Some(AlertOp::Close),
            "delete" => Some(AlertOp::Delete),
            "notes" => {
                if note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    errors.insert("note".into(), json!("Note can not be empty."));
                }
                Some(AlertOp::AddNote)
            }
            "snooze" => match body
                .get("endTime")
                .and_then(Value::as_str)
                .map(DateTime::parse_from_rfc3339)
            {
                Some(Ok(t)) if t.with_timezone(&Utc) > Utc::now() => {
                    Some(AlertOp::Snooze(t.with_timezone(&Utc)))
                }
                _ => {
                    errors.insert("endTime".into(), json!("must be a date-time in the future"));
                    None
                }
            },
            "escalate" => {
                let esc = body
                    .get("escalation")
                    .and_then(|v| serde_json::from_value::<NamedRef>(v.clone()).ok());
                match esc.and_then(|e| e.name.or(e.id)) {
                    Some(n) => Some(AlertOp::Escalate(n)),
                    None => {
                        errors.insert("escalation".into(), json!("needs an id or a name"));
                        None
                    }
                }
            }
            "assign" => {
                let owner = body
                    .get("owner")
                    .and_then(|v| serde_json::from_value::<crate::UserRef>(v.clone()).ok());
                match owner.and_then(|o| o.username.or(o.id)) {
                    Some(o) => Some(AlertOp::Assign(o)),
                    None => {
                        errors.insert("owner".into(), json!("needs an id or a username"));
                        None
                    }
                }
            }
            "teams" => {
                let team = body
                    .get("team")
                    .and_then(|v| serde_json::from_value::<NamedRef>(v.clone()).ok());
                match team.filter(|t| t.id.is_some() || t.name.is_some()) {
                    Some(t) => Some(AlertOp::AddTeam(Responder {
                        kind: ResponderType::Team,
                        id: t.id,
                        name: t.name,
                        username: None,
                    })),
                    None => {
                        errors.insert("team".into(), json!("needs an id or a name"));
                        None
                    }
                }
            }
            "responders" => match body.get("responder").and_then(responder_value) {
                Some(r) => Some(AlertOp::AddResponder(r)),
                None => {
                    errors.insert(
                        "responder".into(),
                        json!("needs a type and an id, name or username"),
                    );
                    None
                }
            },
            "tags" => {
                let tags = str_list(&body, "tags", 20, 50, &mut errors);
                if tags.is_empty() {
                    errors.insert("tags".into(), json!("Tags can not be empty."));
                }
                Some(AlertOp::AddTags(tags))
            }
            "details" => {
                let details = details_field(&body, "details", &mut errors);
                if details.is_empty() {
                    errors.insert("details".into(), json!("Details can not be empty."));
                }
                Some(AlertOp::AddDetails(details))
            }
            "remove-tags" => {
                let tags = list_param("tags");
                if tags.is_empty() {
                    errors.insert("tags".into(), json!("Tags can not be empty."));
                }
                Some(AlertOp::RemoveTags(tags))
            }
            "remove-details" => {
                let keys = list_param("keys");
                if keys.is_empty() {
                    errors.insert("keys".into(), json!("Keys can not be empty."));
                }
                Some(AlertOp::RemoveDetails(keys))
            }
            "priority" => match priority_field(&body, &mut errors) {
                Some(p) => Some(AlertOp::Priority(p)),
                None => {
                    errors
                        .entry("priority")
                        .or_insert(json!("should be one of [P1, P2, P3, P4, P5]"));
                    None
                }
            },
            "message" => match str_field(&body, "message", 130, &mut errors) {
                Some(m) if !m.trim().is_empty() => Some(AlertOp::Message(m)),
                _ => {
                    errors
                        .entry("message")
                        .or_insert(json!("Message can not be empty."));
                    None
                }
            },
            "description" => match str_field(&body, "description", 15_000, &mut errors) {
                Some(d) => Some(AlertOp::Description(d)),
                None => {
                    errors
                        .entry("description")
                        .or_insert(json!("must be given"));
                    None
                }
            },
            custom => Some(AlertOp::Custom(
                custom.trim_start_matches("actions/").to_owned(),
            )),
        };
        if matches!(what, "priority" | "message" | "description") {
            note = None;
        }
        let Some(op) = op.filter(|_| errors.is_empty()) else {
            return Reply::invalid(errors);
        };
        self.accept(Op::Alert {
            ident,
            op,
            user,
            source: action_source,
            note,
        })
    }

    pub(super) fn matching_alerts(
        &self,
        q: &HashMap<String, String>,
    ) -> Result<Vec<&Alert>, Reply> {
        // The fake keeps no saved searches, so every one is unknown.
        if let Some(search) = q.get("searchIdentifier") {
            return Err(Reply::error(
                404,
                format!("Saved search with identifier [{search}] does not exist"),
            ));
        }
        let conds = query::parse(q.get("query").map(String::as_str).unwrap_or(""))
            .map_err(|e| Reply::invalid_one("query", format!("Invalid query: {e}")))?;
        Ok(self
            .alerts
            .iter()
            .filter(|a| query::matches(a, &conds))
            .collect())
    }

    pub(super) fn list_alerts(&self, q: &HashMap<String, String>) -> Reply {
        let offset: usize = match q.get("offset").map(|v| v.parse()) {
            None => 0,
            Some(Ok(v)) => v,
            Some(Err(_)) => return Reply::invalid_one("offset", "must be a non-negative number"),
        };
        let limit: usize = match q.get("limit").map(|v| v.parse()) {
            None => 20,
            Some(Ok(v)) if (1..=100).contains(&v) => v,
            Some(_) => return Reply::invalid_one("limit", "must be between 1 and 100"),
        };
        if offset + limit > 20_000 {
            return Reply::invalid_one("offset", "offset + limit must be at most 20000");
        }
        let desc = match q.get("order").map(String::as_str) {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Reply::invalid_one("order", "must be asc or desc"),
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
            other => return Reply::invalid_one("sort", format!("unsupported sort field {other}")),
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
        Reply::new(
            200,
            json!({ "data": page, "paging": paging, "totalCount": total }),
        )
    }

    pub(super) fn list_cursor(
        &self,
        q: &HashMap<String, String>,
        ident: &str,
        what: &str,
    ) -> Reply {
        let ident = match alert_ident(q, "identifierType", ident) {
            Ok(i) => i,
            Err(a) => return a,
        };
        let Some(alert) = self.find_alert(&ident).and_then(|i| self.alerts.get(i)) else {
            return Reply::error(404, "Alert does not exist");
        };
        let limit: usize = match q.get("limit").map(|v| v.parse()) {
            None => 20,
            Some(Ok(v)) if (1..=100).contains(&v) => v,
            Some(_) => return Reply::invalid_one("limit", "must be between 1 and 100"),
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
                None => return Reply::invalid_one("offset", "unknown offset"),
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
        Reply::new(200, json!({ "data": data, "paging": paging }))
    }
}

pub(super) fn alert_ident(
    q: &HashMap<String, String>,
    key: &str,
    value: &str,
) -> Result<Ident, Reply> {
    match q.get(key).map(String::as_str) {
        None | Some("id") => Ok(Ident::Id(value.to_owned())),
        Some("tiny") => Ok(Ident::Tiny(value.to_owned())),
        Some("alias") => Ok(Ident::Alias(value.to_owned())),
        Some(_) => Err(Reply::invalid_one(
            key,
            "should be one of [id, alias, tiny]",
        )),
    }
}
