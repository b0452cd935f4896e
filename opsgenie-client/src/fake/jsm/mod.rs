//! The fake's JSM Operations face: the same state served under `/jsm/ops/api/{cloudId}/v1/...`
//! with the paths, bodies, statuses and answers of Atlassian's published OpenAPI description of
//! the JSM Operations REST API (`../shared/reference/jsm.md` is the extract this is written from).
//!
//! What it serves, by the description:
//! - alerts: list (`offset`/`size` <= 100, `sort`, `order`, `query`, answer `{values, count, links}`),
//!   get by id, get by alias (`GET /alerts/alias?alias=`), create (200 `SuccessResponse`), delete,
//!   the actions (acknowledge, unacknowledge, close, snooze `{endTime}`, escalate `{escalationId}`,
//!   assign `{accountId}`, responders `{id, type}`, custom `/action {actionName}`, tags and
//!   extra properties added and removed with JSON bodies, `PATCH` priority/message/description),
//!   each 202 `SuccessResponse {result, requestId, took}`; notes (add answers 200 with the
//!   `AlertNote`, update 200, delete 204) and logs paged by `after` + `size`; request status
//!   (`GetRequestStatusResponse`);
//! - schedules (`offset`/`size` <= 50, `query`, `expand=rotation`), on-calls and next on-calls
//!   (`flat=true` ids, `flat=false` a participants tree), overrides addressed by alias
//!   (`{responder: {type, id}, startDate, endDate, rotationIds}`);
//! - heartbeats under `/teams/{teamId}/heartbeats` (list, create, update, delete by `name`,
//!   ping 202 `{message}`), and `GET /teams`;
//! - errors: 401 `{code, message}`, everything else `{errors: [{title, code}]}`.
//!
//! Where the description is silent, the fake assumes (the crate docs say so too):
//!
#![doc = include_str!("ASSUMPTIONS.md")]

mod alerts;
mod heartbeats;
mod schedules;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::state::{Reply, State};
use super::{JSM_CLOUD_ID, JSM_EMAIL};

/// `{errors: [{title, code}]}`, the body of every JSM error except 401.
pub(super) fn error(status: u16, code: &str, title: impl Into<String>) -> Reply {
    Reply {
        status,
        body: json!({ "errors": [{ "title": title.into(), "code": code }] }),
        headers: Vec::new(),
    }
}

/// 404 `NotFound`.
pub(super) fn not_found(title: impl Into<String>) -> Reply {
    error(404, "NotFound", title)
}

/// 422 `InvalidInput`.
pub(super) fn invalid(title: impl Into<String>) -> Reply {
    error(422, "InvalidInput", title)
}

/// 401 `UnauthorizedErrorResponse {code, message}`.
pub(super) fn unauthorized() -> Reply {
    Reply {
        status: 401,
        body: json!({ "code": 401, "message": "Client must be authenticated to access this resource." }),
        headers: Vec::new(),
    }
}

/// 429 in JSM's error shape (the caller adds `Retry-After`).
pub(super) fn too_many_requests() -> Reply {
    error(429, "TooManyRequests", "Too many requests")
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        body,
        headers: Vec::new(),
    }
}

fn with_status(status: u16, body: Value) -> Reply {
    Reply {
        status,
        body,
        headers: Vec::new(),
    }
}

fn no_content() -> Reply {
    with_status(204, Value::Null)
}

/// Whether the `Authorization` header is HTTP Basic with [`JSM_EMAIL`] and the key as API token.
pub(super) fn authorized(header: &str, key: &str) -> bool {
    let Some(encoded) = header.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{JSM_EMAIL}:{key}");
    decoded == expected.as_bytes()
}

/// A JSM answer as it goes on the wire: the body exactly as built (nothing added), none for 204.
pub(super) fn respond(reply: Reply, request_id: &str) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = Response::builder()
        .status(status)
        .header("x-request-id", request_id);
    for (k, v) in reply.headers {
        builder = builder.header(k, v);
    }
    let body = if reply.body.is_null() {
        Body::empty()
    } else {
        builder = builder.header("content-type", "application/json");
        Body::from(reply.body.to_string())
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// Answers one authenticated request under `/jsm/ops/api/...`.
pub(super) fn serve(
    state: &mut State,
    method: &Method,
    segments: &[String],
    query: &HashMap<String, String>,
    body: &[u8],
) -> Reply {
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let rest = match parts.as_slice() {
        ["jsm", "ops", "api", cloud, "v1", rest @ ..] if *cloud == JSM_CLOUD_ID => rest,
        ["jsm", "ops", "api", _, "v1", ..] => return not_found("Site not found"),
        _ => return not_found("Resource not found"),
    };
    let q = Query(query);
    match rest {
        ["alerts", more @ ..] => alerts::route(state, method.as_str(), more, &q, body),
        ["schedules", more @ ..] => schedules::route(state, method.as_str(), more, &q, body),
        ["teams"] if method == Method::GET => {
            let teams: Vec<Value> = state
                .teams
                .iter()
                .map(|(id, name)| json!({ "teamId": id, "teamName": name }))
                .collect();
            ok(json!({ "platformTeams": teams }))
        }
        ["teams", team, "heartbeats", more @ ..] => {
            if !state.teams.iter().any(|(id, _)| id == team) {
                return not_found(format!("Team [{team}] not found"));
            }
            heartbeats::route(state, method.as_str(), team, more, &q, body)
        }
        _ => not_found(format!(
            "No resource {} /v1/{}",
            method.as_str(),
            rest.join("/")
        )),
    }
}

/// The query parameters of a request, read with JSM's constraints.
pub(super) struct Query<'a>(&'a HashMap<String, String>);

impl Query<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// An integer in `min..=max`, `default` when absent.
    fn int(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, Reply> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(invalid(format!(
                    "{name} must be an integer between {min} and {max}"
                ))),
            },
        }
    }

    /// `offset` (>= 0) and `size` (1..=`max_size`, `default_size` when absent).
    fn paging(&self, default_size: i64, max_size: i64) -> Result<(usize, usize), Reply> {
        let offset = self.int("offset", 0, 0, i64::from(i32::MAX))?;
        let size = self.int("size", default_size, 1, max_size)?;
        Ok((
            usize::try_from(offset).unwrap_or(usize::MAX),
            usize::try_from(size).unwrap_or(1),
        ))
    }

    /// A boolean (`true`/`false`), `false` when absent.
    fn flag(&self, name: &str) -> Result<bool, Reply> {
        match self.get(name) {
            None => Ok(false),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(_) => Err(invalid(format!("{name} must be true or false"))),
        }
    }

    /// A date-time, `None` when absent.
    fn date(&self, name: &str) -> Result<Option<DateTime<Utc>>, Reply> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => DateTime::parse_from_rfc3339(v)
                .map(|d| Some(d.with_timezone(&Utc)))
                .map_err(|_| invalid(format!("{name} must be an ISO-8601 date-time"))),
        }
    }

    /// A required string parameter.
    fn required(&self, name: &str) -> Result<&str, Reply> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(invalid(format!("{name} is required"))),
        }
    }
}

/// A JSON object body (an empty body is `{}`); anything else is 400.
pub(super) fn object_body(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(error(
            400,
            "BadRequest",
            "Request body must be a JSON object",
        )),
    }
}

/// A required, non-empty string field of at most `max` characters.
fn required_str(body: &Map<String, Value>, field: &str, max: usize) -> Result<String, Reply> {
    match optional_str(body, field, max)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(invalid(format!("{field} is required"))),
    }
}

/// An optional string field of at most `max` characters.
fn optional_str(
    body: &Map<String, Value>,
    field: &str,
    max: usize,
) -> Result<Option<String>, Reply> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(invalid(format!("{field} must be at most {max} characters"))),
        Some(_) => Err(invalid(format!("{field} must be a string"))),
    }
}

/// An optional list of strings.
fn string_list(body: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, Reply> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("{field} must be a list of strings")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(format!("{field} must be a list of strings"))),
    }
}

/// A required date-time field.
fn required_date(body: &Map<String, Value>, field: &str) -> Result<DateTime<Utc>, Reply> {
    body.get(field)
        .and_then(Value::as_str)
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| invalid(format!("{field} must be an ISO-8601 date-time")))
}

/// One page of `items` with a relative `links.next` when more follow.
fn offset_page<T: Clone>(
    items: &[T],
    offset: usize,
    size: usize,
    next: impl FnOnce(usize) -> String,
) -> (Vec<T>, Map<String, Value>) {
    let page: Vec<T> = items.iter().skip(offset).take(size).cloned().collect();
    let mut links = Map::new();
    if offset.saturating_add(size) < items.len() {
        links.insert("next".into(), Value::String(next(offset + size)));
    }
    (page, links)
}

/// `path?k=v&...`, percent-encoded.
fn link(path: &str, pairs: &[(&str, String)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    format!("{path}?{query}")
}

/// A date-time as JSM writes it.
fn date_json(at: DateTime<Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}
