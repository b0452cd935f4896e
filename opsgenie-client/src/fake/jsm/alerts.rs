//! JSM alerts: list, get, alias lookup, create, delete, the actions, notes, logs and request
//! status, in the shapes of the published description (`AlertResponse`, `ListAlertResponse`,
//! `SuccessResponse`, `AlertNote`, `AlertLog`, `GetRequestStatusResponse`).

use std::collections::BTreeMap;

use chrono::{Duration as ChronoDuration, Utc};
use serde_json::{Map, Value, json};

use super::{
    Query, date_json, invalid, link, no_content, not_found, object_body, offset_page, ok,
    optional_str, required_date, required_str, string_list, with_status,
};
use crate::alerts::{Alert, AlertStatus, Priority, Responder, ResponderType};
use crate::fake::JSM_ACCOUNT_ID;
use crate::fake::query;
use crate::fake::state::{AlertOp, Ident, Op, Reply, RequestState, State};

const PRIORITIES: [&str; 5] = ["P1", "P2", "P3", "P4", "P5"];

pub(super) fn route(
    state: &mut State,
    method: &str,
    rest: &[&str],
    q: &Query<'_>,
    body: &[u8],
) -> Reply {
    match (method, rest) {
        ("GET", []) => list(state, q),
        ("POST", []) => create(state, body),
        ("GET", ["alias"]) => match q.required("alias") {
            Ok(alias) => by_alias(state, alias),
            Err(e) => e,
        },
        ("GET", ["requests", id]) => request_status(state, id),
        ("GET", [id]) => match state.alerts.iter().find(|a| a.id.as_str() == *id) {
            Some(a) => ok(alert_json(a)),
            None => not_found(format!("Alert [{id}] not found")),
        },
        ("DELETE", [id]) => accept(state, id, AlertOp::Delete),
        ("GET", [id, "notes"]) => notes(state, id, q),
        ("POST", [id, "notes"]) => add_note(state, id, body),
        ("PATCH", [id, "notes", note]) => update_note(state, id, note, body),
        ("DELETE", [id, "notes", note]) => delete_note(state, id, note),
        ("GET", [id, "logs"]) => logs(state, id, q),
        (_, [id, action]) => match decode_action(method, action, body) {
            Ok(op) => accept(state, id, op),
            Err(e) => e,
        },
        _ => not_found(format!(
            "No resource {method} /v1/alerts/{}",
            rest.join("/")
        )),
    }
}

/// Decodes one action request into the fake's alert action, or the validation error.
fn decode_action(method: &str, action: &str, body: &[u8]) -> Result<AlertOp, Reply> {
    // Acknowledge, unacknowledge and close take no body: whatever is sent is ignored.
    match (method, action) {
        ("POST", "acknowledge") => return Ok(AlertOp::Acknowledge),
        ("POST", "unacknowledge") => return Ok(AlertOp::Unacknowledge),
        ("POST", "close") => return Ok(AlertOp::Close),
        _ => {}
    }
    let known = matches!(
        (method, action),
        (
            "POST",
            "snooze"
                | "escalate"
                | "assign"
                | "responders"
                | "action"
                | "tags"
                | "extra-properties"
        ) | ("DELETE", "tags" | "extra-properties")
            | ("PATCH", "priority" | "message" | "description")
    );
    if !known {
        return Err(not_found(format!(
            "No resource {method} /v1/alerts/{{id}}/{action}"
        )));
    }
    let body = object_body(body)?;
    Ok(match (method, action) {
        ("POST", "snooze") => {
            let end = required_date(&body, "endTime")?;
            if end <= Utc::now() {
                return Err(invalid("endTime must be in the future"));
            }
            AlertOp::Snooze(end)
        }
        ("POST", "escalate") => AlertOp::Escalate(required_str(&body, "escalationId", 512)?),
        ("POST", "assign") => AlertOp::Assign(required_str(&body, "accountId", 512)?),
        ("POST", "responders") => AlertOp::AddResponder(responder(&body)?),
        ("POST", "action") => AlertOp::Custom(required_str(&body, "actionName", 512)?),
        ("POST", "tags") => AlertOp::AddTags(required_list(&body, "tags")?),
        ("DELETE", "tags") => AlertOp::RemoveTags(required_list(&body, "tags")?),
        ("POST", "extra-properties") => match extra_properties(&body)? {
            Some(map) if !map.is_empty() => AlertOp::AddDetails(map),
            _ => return Err(invalid("extraProperties is required")),
        },
        ("DELETE", "extra-properties") => AlertOp::RemoveDetails(required_list(&body, "keys")?),
        ("PATCH", "priority") => AlertOp::Priority(priority(&body)?.unwrap_or(Priority::P3)),
        ("PATCH", "message") => AlertOp::Message(required_str(&body, "message", 130)?),
        // `description` is not required: leaving it out clears the description.
        _ => AlertOp::Description(optional_str(&body, "description", 15_000)?.unwrap_or_default()),
    })
}

fn required_list(body: &Map<String, Value>, field: &str) -> Result<Vec<String>, Reply> {
    match string_list(body, field)? {
        Some(list) if !list.is_empty() => Ok(list),
        _ => Err(invalid(format!("{field} is required"))),
    }
}

/// `priority`: `P1`..`P5`; `Err` for anything else, `Ok(None)` when absent.
fn priority(body: &Map<String, Value>) -> Result<Option<Priority>, Reply> {
    match body.get("priority") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(p)) if PRIORITIES.contains(&p.as_str()) => {
            serde_json::from_value(json!(p))
                .map(Some)
                .map_err(|_| invalid("priority must be one of P1, P2, P3, P4, P5"))
        }
        Some(_) => Err(invalid("priority must be one of P1, P2, P3, P4, P5")),
    }
}

/// `AddResponderRequest {id, type}` (both required; type team, user, escalation or schedule).
fn responder(body: &Map<String, Value>) -> Result<Responder, Reply> {
    let id = required_str(body, "id", 512)?;
    let kind = match body.get("type").and_then(Value::as_str) {
        Some("team") => ResponderType::Team,
        Some("user") => ResponderType::User,
        Some("escalation") => ResponderType::Escalation,
        Some("schedule") => ResponderType::Schedule,
        _ => {
            return Err(invalid(
                "type must be one of team, user, escalation, schedule",
            ));
        }
    };
    Ok(Responder {
        kind,
        id: Some(id),
        name: None,
        username: None,
    })
}

/// `extraProperties`: a map of strings, at most 8000 characters in all.
fn extra_properties(body: &Map<String, Value>) -> Result<Option<BTreeMap<String, String>>, Reply> {
    match body.get("extraProperties") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => {
            let mut out = BTreeMap::new();
            let mut total = 0;
            for (k, v) in map {
                let Some(v) = v.as_str() else {
                    return Err(invalid("extraProperties values must be strings"));
                };
                total += k.chars().count() + v.chars().count();
                out.insert(k.clone(), v.to_owned());
            }
            if total > 8000 {
                return Err(invalid("extraProperties must be at most 8000 characters"));
            }
            Ok(Some(out))
        }
        Some(_) => Err(invalid("extraProperties must be an object")),
    }
}

/// `responders` / `visibleTo`: at most 50 `{id, type}` with a type from `types`.
fn id_type_list(
    body: &Map<String, Value>,
    field: &str,
    types: &[&str],
) -> Result<Vec<Value>, Reply> {
    let items = match body.get(field) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid(format!("{field} must be a list"))),
    };
    if items.len() > 50 {
        return Err(invalid(format!("{field} must have at most 50 items")));
    }
    items
        .iter()
        .map(|item| {
            let id = item.get("id").and_then(Value::as_str);
            let kind = item.get("type").and_then(Value::as_str);
            match (id, kind) {
                (Some(id), Some(kind)) if !id.is_empty() && types.contains(&kind) => {
                    Ok(json!({ "id": id, "type": kind }))
                }
                _ => Err(invalid(format!(
                    "each of {field} needs an id and a type ({})",
                    types.join(", ")
                ))),
            }
        })
        .collect()
}

/// `POST /alerts` (`CreateAlertRequest`): 200 `SuccessResponse`, processed asynchronously.
fn create(state: &mut State, body: &[u8]) -> Reply {
    let body = match object_body(body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let decoded = (|| -> Result<Map<String, Value>, Reply> {
        let mut out = Map::new();
        out.insert(
            "message".into(),
            json!(required_str(&body, "message", 130)?),
        );
        for (field, max) in [
            ("alias", 512),
            ("entity", 512),
            ("source", 100),
            ("description", 15_000),
            ("note", 25_000),
        ] {
            if let Some(v) = optional_str(&body, field, max)? {
                out.insert(field.into(), json!(v));
            }
        }
        for field in ["tags", "actions"] {
            if let Some(v) = string_list(&body, field)? {
                out.insert(field.into(), json!(v));
            }
        }
        if let Some(p) = priority(&body)? {
            out.insert("priority".into(), json!(p));
        }
        if let Some(extra) = extra_properties(&body)? {
            out.insert("details".into(), json!(extra));
        }
        let responders = id_type_list(
            &body,
            "responders",
            &["team", "user", "escalation", "schedule"],
        )?;
        out.insert("responders".into(), Value::Array(responders));
        id_type_list(&body, "visibleTo", &["team", "user"])?;
        out.insert("user".into(), json!(JSM_ACCOUNT_ID));
        Ok(out)
    })();
    match decoded {
        Ok(create) => success(200, &state.accept(Op::CreateAlert(create))),
        Err(e) => e,
    }
}

/// Queues an alert action: 202 `SuccessResponse`.
fn accept(state: &mut State, id: &str, op: AlertOp) -> Reply {
    let accepted = state.accept(Op::Alert {
        ident: Ident::Id(id.to_owned()),
        op,
        user: Some(JSM_ACCOUNT_ID.to_owned()),
        source: None,
        note: None,
    });
    success(202, &accepted)
}

/// `SuccessResponse {result, requestId, took}` from the state's acceptance.
fn success(status: u16, accepted: &Reply) -> Reply {
    with_status(
        status,
        json!({
            "result": "Request will be processed",
            "requestId": accepted.body.get("requestId").cloned().unwrap_or(Value::Null),
            "took": 0.011,
        }),
    )
}

/// `GET /alerts/requests/{id}`: 200 `GetRequestStatusResponse`.
fn request_status(state: &State, id: &str) -> Reply {
    match state.request(id) {
        RequestState::Processed(outcome) => {
            let mut out = Map::new();
            for field in [
                "action",
                "processedAt",
                "integrationId",
                "isSuccess",
                "status",
                "alertId",
                "alias",
            ] {
                if let Some(v) = outcome.get(field) {
                    out.insert(field.into(), v.clone());
                }
            }
            ok(Value::Object(out))
        }
        RequestState::Pending => super::error(
            404,
            "RequestNotProcessed",
            "Request has not been processed yet",
        ),
        RequestState::Unknown => not_found(format!("Request [{id}] not found")),
    }
}

/// The JSM status of an alert: `closed`, else `snoozed` while snoozed, else `acked`, else `open`.
pub(super) fn jsm_status(a: &Alert) -> String {
    match &a.status {
        Some(AlertStatus::Open) | None => {}
        Some(other) => return other.as_str().to_owned(),
    }
    if snoozed_now(a) {
        "snoozed".into()
    } else if a.acknowledged {
        "acked".into()
    } else {
        "open".into()
    }
}

fn snoozed_now(a: &Alert) -> bool {
    a.snoozed && a.snoozed_until.is_none_or(|until| until > Utc::now())
}

/// An alert as `AlertResponse`.
pub(super) fn alert_json(a: &Alert) -> Value {
    let mut o = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            o.insert(k.into(), v);
        }
    };
    put("id", json!(a.id.as_str()));
    put("tinyId", json!(a.tiny_id));
    put("createdAt", a.created_at.map_or(Value::Null, date_json));
    put("updatedAt", a.updated_at.map_or(Value::Null, date_json));
    put("message", json!(a.message));
    put("entity", json!(a.entity));
    put("source", json!(a.source));
    put("status", json!(jsm_status(a)));
    put("alias", json!(a.alias));
    put("tags", json!(a.tags));
    put("extraProperties", json!(a.details));
    put("description", json!(a.description));
    put("acknowledged", json!(a.acknowledged));
    let report = a.report.as_ref();
    let after_creation = |ms: Option<u64>| match (a.created_at, ms) {
        (Some(c), Some(ms)) => {
            date_json(c + ChronoDuration::milliseconds(i64::try_from(ms).unwrap_or(0)))
        }
        _ => Value::Null,
    };
    put("ackTime", after_creation(report.and_then(|r| r.ack_time)));
    put(
        "closeTime",
        after_creation(report.and_then(|r| r.close_time)),
    );
    put("count", json!(a.count));
    put("owner", json!(a.owner));
    put("snoozed", json!(snoozed_now(a)));
    if snoozed_now(a) {
        put(
            "snoozedUntil",
            a.snoozed_until.map_or(Value::Null, date_json),
        );
    }
    put(
        "lastOccuredAt",
        a.last_occurred_at.map_or(Value::Null, date_json),
    );
    if let Some(i) = &a.integration {
        put("integrationType", json!(i.kind));
        put("integrationName", json!(i.name));
    }
    put("priority", json!(a.priority));
    let responders: Vec<Value> = a
        .responders
        .iter()
        .map(|r| {
            json!({
                "id": r.id.clone().or(r.name.clone()).or(r.username.clone()),
                "type": r.kind,
            })
        })
        .collect();
    put("responders", Value::Array(responders));
    put("actions", json!(a.actions));
    put("seen", json!(a.is_seen.unwrap_or(false)));
    Value::Object(o)
}

fn by_alias(state: &State, alias: &str) -> Reply {
    let with_alias = |a: &&Alert| a.alias.as_deref() == Some(alias);
    // An open alert first (the de-duplication key), else the newest closed one.
    let found = state
        .alerts
        .iter()
        .filter(with_alias)
        .find(|a| a.is_open())
        .or_else(|| state.alerts.iter().rev().find(with_alias));
    match found {
        Some(a) => ok(alert_json(a)),
        None => not_found(format!("Alert with alias [{alias}] not found")),
    }
}

/// `GET /alerts`: `ListAlertResponse {values, count, links}`.
fn list(state: &State, q: &Query<'_>) -> Reply {
    let (offset, size) = match q.paging(20, 100) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if offset + size > 20_000 {
        return invalid("Sum of offset and size should be lower than 20000");
    }
    let sort = q.get("sort").unwrap_or("insertedAt");
    if !matches!(
        sort,
        "createdAt" | "insertedAt" | "lastOccurredAt" | "priority"
    ) {
        return invalid("sort must be one of createdAt, insertedAt, lastOccurredAt, priority");
    }
    let desc = match q.get("order") {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return invalid("order must be asc or desc"),
    };
    for bound in ["from", "to"] {
        if let Err(e) = q.int(bound, 0, i64::from(i32::MIN), i64::from(i32::MAX)) {
            return e;
        }
    }
    let conds = match query::parse(q.get("query").unwrap_or("")) {
        Ok(c) => c,
        Err(e) => return invalid(format!("Invalid query: {e}")),
    };
    let mut alerts: Vec<&Alert> = state
        .alerts
        .iter()
        .filter(|a| query::matches(a, &conds))
        .collect();
    match sort {
        "lastOccurredAt" => alerts.sort_by_key(|a| a.last_occurred_at),
        // P1 ranks highest: descending order puts it first.
        "priority" => alerts.sort_by_key(|a| {
            std::cmp::Reverse(
                a.priority
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
            )
        }),
        _ => alerts.sort_by_key(|a| a.created_at),
    }
    if desc {
        alerts.reverse();
    }
    let count = alerts.len();
    let (page, links) = offset_page(&alerts, offset, size, |next| {
        let mut pairs = vec![("offset", next.to_string()), ("size", size.to_string())];
        for name in ["query", "sort", "order"] {
            if let Some(v) = q.get(name) {
                pairs.push((name, v.to_owned()));
            }
        }
        link("/v1/alerts", &pairs)
    });
    let mut links = links;
    if offset + 2 * size > 20_000 {
        links.remove("next");
    }
    let values: Vec<Value> = page.into_iter().map(alert_json).collect();
    ok(json!({ "values": values, "count": count, "links": links }))
}

/// The alert with this id, or 404.
fn existing<'a>(state: &'a State, id: &str) -> Result<&'a Alert, Reply> {
    state
        .find_alert(&Ident::Id(id.to_owned()))
        .and_then(|i| state.alerts.get(i))
        .ok_or_else(|| not_found(format!("Alert [{id}] not found")))
}

/// A page of `(key, item)` after the entry keyed `after`, with `links.next` carrying `after`.
fn cursor_page(items: Vec<(String, Value)>, q: &Query<'_>, path: &str) -> Reply {
    let size = match q.int("size", 20, 1, 100) {
        Ok(s) => usize::try_from(s).unwrap_or(20),
        Err(e) => return e,
    };
    let start = match q.get("after") {
        None | Some("") => 0,
        Some(after) => match items.iter().position(|(k, _)| k == after) {
            Some(p) => p + 1,
            None => return invalid(format!("after [{after}] names no entry")),
        },
    };
    let page: Vec<&(String, Value)> = items.iter().skip(start).take(size).collect();
    let mut links = Map::new();
    if start + size < items.len()
        && let Some((last, _)) = page.last()
    {
        links.insert(
            "next".into(),
            json!(link(
                path,
                &[("after", last.clone()), ("size", size.to_string())]
            )),
        );
    }
    let values: Vec<&Value> = page.iter().map(|(_, v)| v).collect();
    ok(json!({ "values": values, "links": links }))
}

fn note_json(n: &crate::alerts::Note) -> Value {
    let at = n.created_at.map_or(Value::Null, date_json);
    json!({
        "id": n.offset,
        "createdAt": at,
        "updatedAt": at,
        "note": n.note,
        "owner": n.owner,
    })
}

fn notes(state: &State, id: &str, q: &Query<'_>) -> Reply {
    let alert = match existing(state, id) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let items = state
        .notes
        .get(alert.id.as_str())
        .map(|v| {
            v.iter()
                .map(|n| (n.offset.clone().unwrap_or_default(), note_json(n)))
                .collect()
        })
        .unwrap_or_default();
    cursor_page(items, q, &format!("/v1/alerts/{id}/notes"))
}

/// `POST /alerts/{id}/notes {note}`: synchronous, 200 with the `AlertNote`.
fn add_note(state: &mut State, id: &str, body: &[u8]) -> Reply {
    let alert_id = match existing(state, id) {
        Ok(a) => a.id.as_str().to_owned(),
        Err(e) => return e,
    };
    let text = match object_body(body).and_then(|b| required_str(&b, "note", 25_000)) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let note = state.add_note(&alert_id, text, Some(JSM_ACCOUNT_ID));
    state.log(&alert_id, "Note added".into(), Some(JSM_ACCOUNT_ID));
    ok(note_json(&note))
}

fn update_note(state: &mut State, id: &str, note_id: &str, body: &[u8]) -> Reply {
    let alert_id = match existing(state, id) {
        Ok(a) => a.id.as_str().to_owned(),
        Err(e) => return e,
    };
    let text = match object_body(body).and_then(|b| required_str(&b, "note", 25_000)) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let found = state
        .notes
        .get_mut(&alert_id)
        .and_then(|v| v.iter_mut().find(|n| n.offset.as_deref() == Some(note_id)));
    match found {
        Some(n) => {
            n.note = text;
            let mut answer = note_json(n);
            if let Some(o) = answer.as_object_mut() {
                o.insert("updatedAt".into(), date_json(Utc::now()));
            }
            ok(answer)
        }
        None => not_found(format!("Note [{note_id}] not found")),
    }
}

fn delete_note(state: &mut State, id: &str, note_id: &str) -> Reply {
    let alert_id = match existing(state, id) {
        Ok(a) => a.id.as_str().to_owned(),
        Err(e) => return e,
    };
    let Some(notes) = state.notes.get_mut(&alert_id) else {
        return not_found(format!("Note [{note_id}] not found"));
    };
    let before = notes.len();
    notes.retain(|n| n.offset.as_deref() != Some(note_id));
    if notes.len() == before {
        not_found(format!("Note [{note_id}] not found"))
    } else {
        no_content()
    }
}

fn logs(state: &State, id: &str, q: &Query<'_>) -> Reply {
    let alert = match existing(state, id) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let items = state
        .logs
        .get(alert.id.as_str())
        .map(|v| {
            v.iter()
                .map(|l| {
                    let entry = json!({
                        "logTime": l.created_at.map_or(Value::Null, date_json),
                        "logType": l.kind,
                        "log": l.log,
                        "owner": l.owner,
                    });
                    (l.offset.clone().unwrap_or_default(), entry)
                })
                .collect()
        })
        .unwrap_or_default();
    cursor_page(items, q, &format!("/v1/alerts/{id}/logs"))
}
