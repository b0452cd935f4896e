//! JSM schedules: list and get (`ListSchedulesResponse`, `Schedule`, `Rotation`), on-calls and
//! next on-calls (`OnCallParticipants` / `OnCallUsers` and their `next` twins), and overrides
//! addressed by alias (`Override`, `CreateOverrideRequest`, `UpdateOverrideRequest`).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{
    Query, date_json, invalid, link, no_content, not_found, object_body, offset_page, ok,
    required_date, string_list, with_status,
};
use crate::common::NamedRef;
use crate::fake::state::{Reply, State};
use crate::schedules::{Override, OverrideUser, Rotation, Schedule, ScheduleMeta};

pub(super) fn route(
    state: &mut State,
    method: &str,
    rest: &[&str],
    q: &Query<'_>,
    body: &[u8],
) -> Reply {
    if let ("GET", []) = (method, rest) {
        return list(state, q);
    }
    let Some((id, more)) = rest.split_first() else {
        return not_found("No such resource");
    };
    let Some(schedule) = state
        .schedules
        .iter()
        .find(|s| s.id.as_str() == *id)
        .cloned()
    else {
        return not_found(format!("Schedule [{id}] not found"));
    };
    match (method, more) {
        ("GET", []) => ok(schedule_json(&schedule, true)),
        ("GET", ["on-calls"]) => on_calls(state, &schedule, q, false),
        ("GET", ["next-on-calls"]) => on_calls(state, &schedule, q, true),
        ("GET", ["overrides"]) => list_overrides(state, &schedule, q),
        ("POST", ["overrides"]) => write_override(state, &schedule, None, body),
        ("GET", ["overrides", alias]) => match find_override(state, &schedule, alias) {
            Some(o) => ok(override_json(&schedule, o)),
            None => not_found(format!("Override [{alias}] not found")),
        },
        ("PUT", ["overrides", alias]) => write_override(state, &schedule, Some(alias), body),
        ("DELETE", ["overrides", alias]) => {
            let before = state.overrides.len();
            state
                .overrides
                .retain(|o| !(of_schedule(o, &schedule) && o.alias == *alias));
            if state.overrides.len() == before {
                not_found(format!("Override [{alias}] not found"))
            } else {
                no_content()
            }
        }
        _ => not_found(format!(
            "No resource {method} /v1/schedules/{id}/{}",
            more.join("/")
        )),
    }
}

/// `query`: the exact name, case-insensitive, or a prefix when it ends with `*`.
fn name_matches(name: &str, query: &str) -> bool {
    let name = name.to_lowercase();
    match query.strip_suffix('*') {
        Some(prefix) => name.starts_with(&prefix.to_lowercase()),
        None => name == query.to_lowercase(),
    }
}

/// `GET /schedules`: `ListSchedulesResponse {values, links, _expands}`.
fn list(state: &State, q: &Query<'_>) -> Reply {
    let (offset, size) = match q.paging(25, 50) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let expand = q
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "rotation"));
    let matching: Vec<&Schedule> = state
        .schedules
        .iter()
        .filter(|s| {
            q.get("query")
                .is_none_or(|query| name_matches(&s.name, query))
        })
        .collect();
    let (page, links) = offset_page(&matching, offset, size, |next| {
        let mut pairs = vec![("offset", next.to_string()), ("size", size.to_string())];
        for name in ["query", "expand"] {
            if let Some(v) = q.get(name) {
                pairs.push((name, v.to_owned()));
            }
        }
        link("/v1/schedules", &pairs)
    });
    let values: Vec<Value> = page.into_iter().map(|s| schedule_json(s, expand)).collect();
    ok(json!({ "values": values, "links": links, "_expands": ["rotation"] }))
}

/// A schedule as `Schedule` (with its rotations when asked for).
fn schedule_json(s: &Schedule, rotations: bool) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id.as_str()));
    o.insert("name".into(), json!(s.name));
    if let Some(d) = &s.description {
        o.insert("description".into(), json!(d));
    }
    o.insert(
        "timezone".into(),
        json!(s.timezone.as_deref().unwrap_or("UTC")),
    );
    o.insert("enabled".into(), json!(s.enabled.unwrap_or(true)));
    if let Some(team) = s.owner_team.as_ref().and_then(|t| t.id.as_deref()) {
        o.insert("teamId".into(), json!(team));
    }
    if rotations {
        let list: Vec<Value> = s.rotations.iter().map(rotation_json).collect();
        o.insert("rotations".into(), Value::Array(list));
    }
    Value::Object(o)
}

fn rotation_json(r: &Rotation) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(r.id));
    o.insert("name".into(), json!(r.name));
    if let Some(start) = r.start_date {
        o.insert("startDate".into(), date_json(start));
    }
    if let Some(end) = r.end_date {
        o.insert("endDate".into(), date_json(end));
    }
    o.insert("type".into(), json!(r.kind));
    o.insert("length".into(), json!(r.length.unwrap_or(1)));
    let participants: Vec<Value> = r
        .participants
        .iter()
        .map(|p| json!({ "type": p.kind, "id": p.id.clone().or(p.username.clone()) }))
        .collect();
    o.insert("participants".into(), Value::Array(participants));
    Value::Object(o)
}

/// The account id of someone the state names by username or id.
fn account_id(schedule: &Schedule, who: &str) -> String {
    schedule
        .rotations
        .iter()
        .flat_map(|r| &r.participants)
        .find(|p| p.username.as_deref() == Some(who) || p.id.as_deref() == Some(who))
        .and_then(|p| p.id.clone())
        .unwrap_or_else(|| who.to_owned())
}

/// `on-calls` / `next-on-calls`: user ids (`flat=true`) or a participants tree.
fn on_calls(state: &State, schedule: &Schedule, q: &Query<'_>, next: bool) -> Reply {
    let flat = match q.flag("flat") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let at = match q.date("date") {
        Ok(d) => d.unwrap_or_else(Utc::now),
        Err(e) => return e,
    };
    let who = if next {
        state.next_on_call(schedule, at)
    } else {
        state.on_call_at(schedule, at)
    };
    let mut ids: Vec<String> = Vec::new();
    for w in who {
        let id = account_id(schedule, &w);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let (users, participants) = if next {
        ("nextOnCallUsers", "nextOnCallParticipants")
    } else {
        ("onCallUsers", "onCallParticipants")
    };
    if flat {
        ok(json!({ users: ids }))
    } else {
        let tree: Vec<Value> = ids
            .iter()
            .map(|id| json!({ "id": id, "type": "user" }))
            .collect();
        ok(json!({ participants: tree }))
    }
}

fn of_schedule(o: &Override, schedule: &Schedule) -> bool {
    o.parent.as_ref().and_then(|p| p.id.as_deref()) == Some(schedule.id.as_str())
}

fn find_override<'a>(state: &'a State, schedule: &Schedule, alias: &str) -> Option<&'a Override> {
    state
        .overrides
        .iter()
        .find(|o| of_schedule(o, schedule) && o.alias == alias)
}

/// An override as `Override {alias, responder, startDate, endDate, rotationIds}`.
fn override_json(schedule: &Schedule, o: &Override) -> Value {
    let responder = match &o.user {
        Some(u) if u.id.is_some() || u.username.is_some() => {
            let who = u.id.clone().or(u.username.clone()).unwrap_or_default();
            json!({ "type": "user", "id": account_id(schedule, &who) })
        }
        _ => json!({ "type": "noone" }),
    };
    let rotation_ids: Vec<String> = o
        .rotations
        .iter()
        .filter_map(|r| {
            r.id.clone().or_else(|| {
                let name = r.name.as_deref()?;
                schedule
                    .rotations
                    .iter()
                    .find(|x| x.name.as_deref() == Some(name))
                    .and_then(|x| x.id.clone())
            })
        })
        .collect();
    json!({
        "alias": o.alias,
        "responder": responder,
        "startDate": o.start_date.map_or(Value::Null, date_json),
        "endDate": o.end_date.map_or(Value::Null, date_json),
        "rotationIds": if rotation_ids.is_empty() { Value::Null } else { json!(rotation_ids) },
    })
}

fn list_overrides(state: &State, schedule: &Schedule, q: &Query<'_>) -> Reply {
    let (offset, size) = match q.paging(25, 50) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let all: Vec<&Override> = state
        .overrides
        .iter()
        .filter(|o| of_schedule(o, schedule))
        .collect();
    let path = format!("/v1/schedules/{}/overrides", schedule.id);
    let (page, links) = offset_page(&all, offset, size, |next| {
        link(
            &path,
            &[("offset", next.to_string()), ("size", size.to_string())],
        )
    });
    let values: Vec<Value> = page
        .into_iter()
        .map(|o| override_json(schedule, o))
        .collect();
    ok(json!({ "values": values, "links": links }))
}

/// The decoded `CreateOverrideRequest` / `UpdateOverrideRequest`.
struct OverrideBody {
    user: Option<String>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rotation_ids: Vec<String>,
}

fn override_body(schedule: &Schedule, body: &[u8]) -> Result<OverrideBody, Reply> {
    let body = object_body(body)?;
    let Some(responder) = body.get("responder").and_then(Value::as_object) else {
        return Err(invalid("responder is required"));
    };
    let user = match responder.get("type").and_then(Value::as_str) {
        Some("user") => match responder.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Some(id.to_owned()),
            _ => return Err(invalid("responder.id is required for a user")),
        },
        Some("noone") => None,
        _ => return Err(invalid("responder.type must be user or noone")),
    };
    let start = required_date(&body, "startDate")?;
    let end = required_date(&body, "endDate")?;
    if end <= start {
        return Err(invalid("endDate must be after startDate"));
    }
    let rotation_ids = string_list(&body, "rotationIds")?.unwrap_or_default();
    if let Some(unknown) = rotation_ids.iter().find(|id| {
        !schedule
            .rotations
            .iter()
            .any(|r| r.id.as_deref() == Some(id))
    }) {
        return Err(invalid(format!(
            "Rotation [{unknown}] is not in the schedule"
        )));
    }
    Ok(OverrideBody {
        user,
        start,
        end,
        rotation_ids,
    })
}

/// `POST .../overrides` (201) or `PUT .../overrides/{alias}` (200): the `Override`.
fn write_override(
    state: &mut State,
    schedule: &Schedule,
    alias: Option<&str>,
    body: &[u8],
) -> Reply {
    if let Some(alias) = alias
        && find_override(state, schedule, alias).is_none()
    {
        return not_found(format!("Override [{alias}] not found"));
    }
    let decoded = match override_body(schedule, body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let status = if alias.is_some() { 200 } else { 201 };
    let alias = match alias {
        Some(a) => a.to_owned(),
        None => state.next_id("ovr"),
    };
    state
        .overrides
        .retain(|o| !(of_schedule(o, schedule) && o.alias == alias));
    let user = decoded.user.map(|id| OverrideUser {
        kind: serde_json::from_value(json!("user")).ok(),
        id: Some(id),
        username: None,
    });
    let stored = Override {
        parent: Some(ScheduleMeta {
            id: Some(schedule.id.as_str().to_owned()),
            name: Some(schedule.name.clone()),
            enabled: schedule.enabled,
        }),
        alias,
        user,
        start_date: Some(decoded.start),
        end_date: Some(decoded.end),
        rotations: decoded
            .rotation_ids
            .into_iter()
            .map(|id| NamedRef {
                id: Some(id),
                name: None,
            })
            .collect(),
    };
    let answer = override_json(schedule, &stored);
    state.overrides.push(stored);
    with_status(status, answer)
}
