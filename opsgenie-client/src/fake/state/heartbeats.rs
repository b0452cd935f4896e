//! Heartbeats: CRUD, enable/disable, pings, and expiry that raises an alert.

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::fields::{parse_body, priority_field, str_field, str_list};
use super::{Reply, State};
use crate::alerts::AlertStatus;
use crate::heartbeats::{Heartbeat, IntervalUnit};

impl State {
    /// Records a ping of the heartbeat `name` (of `team` when given); a ping after expiry
    /// closes the heartbeat's alert. An unknown name changes nothing.
    pub(crate) fn ping_heartbeat(&mut self, name: &str, team: Option<&str>) {
        let mut recovered = false;
        if let Some(h) = self
            .heartbeats
            .iter_mut()
            .find(|h| h.name == name && team.is_none_or(|t| heartbeat_team(h) == t))
        {
            h.last_ping_time = Some(Utc::now());
            recovered = h.expired == Some(true);
            h.expired = Some(false);
        }
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
    }

    /// A heartbeat without a ping for its interval expires and raises its alert, as Opsgenie's do.
    pub(super) fn expire_heartbeats(&mut self) {
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

    pub(super) fn heartbeats_route(&mut self, m: &str, s: &[&str], body: &[u8]) -> Reply {
        match (m, s) {
            ("GET", ["v2", "heartbeats"]) => {
                Reply::data(200, json!({ "heartbeats": self.heartbeats }))
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
                    return Reply::invalid(errors);
                }
                let Some(mut hb) = hb else {
                    return Reply::invalid_one("interval", "must be at least 1");
                };
                let name = name.unwrap_or_default();
                if self.heartbeats.iter().any(|h| h.name == name) {
                    return Reply::error(
                        409,
                        format!("Heartbeat with name [{name}] already exists"),
                    );
                }
                hb.name = name;
                let answer = json!({ "name": hb.name, "enabled": hb.enabled, "expired": false });
                self.heartbeat_since.insert(hb.name.clone(), Utc::now());
                self.heartbeats.push(hb);
                Reply::data(201, answer)
            }
            (_, ["v2", "heartbeats", name, "ping"]) => {
                self.ping_heartbeat(name, None);
                Reply::new(202, json!({ "result": "PONG - Heartbeat received" }))
            }
            ("POST", ["v2", "heartbeats", name, what @ ("enable" | "disable")]) => {
                match self.heartbeats.iter_mut().find(|h| h.name == *name) {
                    Some(h) => {
                        h.enabled = Some(*what == "enable");
                        Reply::data(
                            200,
                            json!({ "name": h.name, "enabled": h.enabled, "expired": h.expired }),
                        )
                    }
                    None => {
                        Reply::error(404, format!("Heartbeat with name [{name}] does not exist"))
                    }
                }
            }
            ("GET", ["v2", "heartbeats", name]) => {
                match self.heartbeats.iter().find(|h| h.name == *name) {
                    Some(h) => Reply::data(200, json!(h)),
                    None => {
                        Reply::error(404, format!("Heartbeat with name [{name}] does not exist"))
                    }
                }
            }
            ("DELETE", ["v2", "heartbeats", name]) => {
                let before = self.heartbeats.len();
                self.heartbeats.retain(|h| h.name != *name);
                if before == self.heartbeats.len() {
                    Reply::error(404, format!("Heartbeat with name [{name}] does not exist"))
                } else {
                    Reply::new(200, json!({ "result": "Deleted" }))
                }
            }
            ("PATCH", ["v2", "heartbeats", name]) => {
                let body = match parse_body(body) {
                    Ok(b) => b,
                    Err(a) => return a,
                };
                let Some(pos) = self.heartbeats.iter().position(|h| h.name == *name) else {
                    return Reply::error(
                        404,
                        format!("Heartbeat with name [{name}] does not exist"),
                    );
                };
                let mut errors = Map::new();
                let current = self.heartbeats.get(pos).cloned();
                let updated = self.heartbeat_from(&body, current, &mut errors);
                if !errors.is_empty() {
                    return Reply::invalid(errors);
                }
                match (updated, self.heartbeats.get_mut(pos)) {
                    (Some(u), Some(slot)) => {
                        *slot = u;
                        Reply::data(200, json!(slot))
                    }
                    _ => Reply::invalid_one("interval", "must be at least 1"),
                }
            }
            _ => Reply::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    pub(super) fn heartbeat_from(
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
                Ok(unit) => hb.interval_unit = Some(unit),
                Err(_) => {
                    errors.insert(
                        "intervalUnit".into(),
                        json!("should be one of [minutes, hours, days]"),
                    );
                }
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
}

pub(super) fn heartbeat_alias(name: &str) -> String {
    format!("{name}_HeartbeatAlert")
}

/// The JSM team a heartbeat belongs to: its owner team, or the site's one team.
pub(crate) fn heartbeat_team(h: &Heartbeat) -> &str {
    h.owner_team
        .as_ref()
        .and_then(|t| t.id.as_deref())
        .unwrap_or(crate::fake::JSM_TEAM_ID)
}
