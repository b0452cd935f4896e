//! JSM heartbeats of a team, addressed by the `name` query parameter: list
//! (`HeartbeatPaginatedResponse`), create (201), update (`PATCH`, also 201), delete (204) and
//! ping (202 `SimpleSuccessResponse {message}`).

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::{
    Query, invalid, link, no_content, not_found, object_body, offset_page, ok, optional_str,
    required_str, string_list, with_status,
};
use crate::common::NamedRef;
use crate::fake::state::{Reply, State, heartbeat_team};
use crate::heartbeats::{Heartbeat, IntervalUnit};

pub(super) fn route(
    state: &mut State,
    method: &str,
    team: &str,
    rest: &[&str],
    q: &Query<'_>,
    body: &[u8],
) -> Reply {
    match (method, rest) {
        ("GET", []) => list(state, team, q),
        ("POST", []) => create(state, team, body),
        ("PATCH", []) => match q.required("name") {
            Ok(name) => update(state, team, name, body),
            Err(e) => e,
        },
        ("DELETE", []) => match q.required("name") {
            Ok(name) => {
                let before = state.heartbeats.len();
                state
                    .heartbeats
                    .retain(|h| !(h.name == name && heartbeat_team(h) == team));
                if state.heartbeats.len() == before {
                    not_found(format!("Heartbeat [{name}] not found"))
                } else {
                    no_content()
                }
            }
            Err(e) => e,
        },
        ("GET", ["ping"]) => match q.required("name") {
            Ok(name) => {
                // The ping is accepted whether or not the heartbeat exists.
                state.ping_heartbeat(name, Some(team));
                with_status(202, json!({ "message": "PONG - Heartbeat received" }))
            }
            Err(e) => e,
        },
        _ => not_found(format!(
            "No resource {method} /v1/teams/{team}/heartbeats/{}",
            rest.join("/")
        )),
    }
}

/// A heartbeat as `Heartbeat` (capitalised `intervalUnit`, `status` from its state).
fn heartbeat_json(h: &Heartbeat) -> Value {
    let unit = match h.interval_unit.as_ref().map(IntervalUnit::as_str) {
        Some("minutes") => "Minutes",
        Some("hours") => "Hours",
        Some("days") => "Days",
        _ => "Minutes",
    };
    let status = if h.enabled != Some(true) {
        "Off"
    } else if h.expired == Some(true) {
        "Unresponsive"
    } else if h.last_ping_time.is_none() {
        "Pending"
    } else {
        "Responsive"
    };
    json!({
        "name": h.name,
        "description": h.description,
        "interval": h.interval,
        "intervalUnit": unit,
        "enabled": h.enabled.unwrap_or(false),
        "status": status,
        "ownerTeamId": heartbeat_team(h),
        "alertMessage": h.alert_message,
        "alertTags": h.alert_tags,
        "alertPriority": h.alert_priority,
    })
}

fn list(state: &State, team: &str, q: &Query<'_>) -> Reply {
    let (offset, size) = match q.paging(20, 100) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if let Some(name) = q.get("name")
        && name.chars().count() > 200
    {
        return invalid("name must be at most 200 characters");
    }
    let of_team: Vec<&Heartbeat> = state
        .heartbeats
        .iter()
        .filter(|h| heartbeat_team(h) == team && q.get("name").is_none_or(|n| h.name == n))
        .collect();
    let path = format!("/v1/teams/{team}/heartbeats");
    let (page, links) = offset_page(&of_team, offset, size, |next| {
        link(
            &path,
            &[("offset", next.to_string()), ("size", size.to_string())],
        )
    });
    let values: Vec<Value> = page.into_iter().map(heartbeat_json).collect();
    ok(json!({ "values": values, "links": links }))
}

/// Applies the fields of a create or update body (request enums are lower-case).
fn apply_fields(h: &mut Heartbeat, body: &Map<String, Value>, creating: bool) -> Result<(), Reply> {
    if let Some(d) = optional_str(body, "description", 10_000)? {
        h.description = Some(d);
    }
    match body.get("interval") {
        None | Some(Value::Null) if creating => return Err(invalid("interval is required")),
        None | Some(Value::Null) => {}
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n >= 1 => h.interval = Some(n),
            _ => return Err(invalid("interval must be an integer of at least 1")),
        },
    }
    match body.get("intervalUnit") {
        None | Some(Value::Null) if creating => return Err(invalid("intervalUnit is required")),
        None | Some(Value::Null) => {}
        Some(Value::String(u)) if matches!(u.as_str(), "minutes" | "hours" | "days") => {
            h.interval_unit = serde_json::from_value(json!(u)).ok();
        }
        Some(_) => return Err(invalid("intervalUnit must be one of hours, minutes, days")),
    }
    match body.get("enabled") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(e)) => h.enabled = Some(*e),
        Some(_) => return Err(invalid("enabled must be a boolean")),
    }
    if let Some(m) = optional_str(body, "alertMessage", 130)? {
        h.alert_message = Some(m);
    }
    if let Some(tags) = string_list(body, "alertTags")? {
        h.alert_tags = tags;
    }
    match body.get("alertPriority") {
        None | Some(Value::Null) => {}
        Some(Value::String(p)) if matches!(p.as_str(), "P1" | "P2" | "P3" | "P4" | "P5") => {
            h.alert_priority = serde_json::from_value(json!(p)).ok();
        }
        Some(_) => return Err(invalid("alertPriority must be one of P1, P2, P3, P4, P5")),
    }
    Ok(())
}

fn create(state: &mut State, team: &str, body: &[u8]) -> Reply {
    let body = match object_body(body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let name = match required_str(&body, "name", 200) {
        Ok(n) => n,
        Err(e) => return e,
    };
    if state
        .heartbeats
        .iter()
        .any(|h| h.name == name && heartbeat_team(h) == team)
    {
        return invalid(format!("Heartbeat [{name}] already exists"));
    }
    let mut h = Heartbeat {
        name: name.clone(),
        description: None,
        interval: None,
        interval_unit: None,
        enabled: Some(false),
        expired: Some(false),
        owner_team: Some(NamedRef {
            id: Some(team.to_owned()),
            name: None,
        }),
        alert_message: Some(format!("{name} is expired")),
        alert_tags: Vec::new(),
        alert_priority: serde_json::from_value(json!("P3")).ok(),
        last_ping_time: None,
    };
    if let Err(e) = apply_fields(&mut h, &body, true) {
        return e;
    }
    state.heartbeat_since.insert(name, Utc::now());
    let answer = heartbeat_json(&h);
    state.heartbeats.push(h);
    with_status(201, answer)
}

fn update(state: &mut State, team: &str, name: &str, body: &[u8]) -> Reply {
    let body = match object_body(body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let Some(slot) = state
        .heartbeats
        .iter_mut()
        .find(|h| h.name == name && heartbeat_team(h) == team)
    else {
        return not_found(format!("Heartbeat [{name}] not found"));
    };
    // Validate on a copy so that a refused update changes nothing.
    let mut updated = slot.clone();
    if let Err(e) = apply_fields(&mut updated, &body, false) {
        return e;
    }
    *slot = updated;
    with_status(201, heartbeat_json(slot))
}
