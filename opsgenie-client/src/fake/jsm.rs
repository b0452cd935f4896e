//! The fake's JSM Operations mode: the same state served under
//! `/jsm/ops/api/{cloudId}/v1/...` in JSM's shapes.
//!
//! A JSM request is translated into the Opsgenie request the state already answers (path
//! `v1` to `v2`, `size` to `limit`, ids only, `extraProperties` to `details`, team-scoped
//! heartbeat pings), and the answer back into JSM's shapes: no `data` wrapper, lists as
//! `{values, links: {next}, count}` with relative links, and alert fields spelled as JSM
//! spells them (`seen`, `lastOccuredAt`, `extraProperties`, flat `integrationType` and
//! `integrationName`).

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::state::Reply;
use super::{JSM_CLOUD_ID, Shared, lock};

fn not_found(message: &str) -> Reply {
    Reply {
        status: 404,
        body: json!({ "message": message }),
        headers: Vec::new(),
    }
}

/// Replys one request under `/jsm/ops/api/...` (already authenticated).
pub(super) fn serve(
    shared: &Shared,
    method: &Method,
    segments: &[String],
    mut query: HashMap<String, String>,
    body: &[u8],
) -> Reply {
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let rest = match parts.as_slice() {
        ["jsm", "ops", "api", cloud, "v1", rest @ ..] if *cloud == JSM_CLOUD_ID => rest,
        ["jsm", "ops", "api", _, ..] => return not_found("no such site or API version"),
        _ => return not_found("no such resource"),
    };
    let mut path: Vec<String> = vec!["v2".to_owned()];
    match rest {
        ["alerts", more @ ..] => {
            path.push("alerts".into());
            path.extend(more.iter().map(|s| {
                if *s == "extra-properties" {
                    "details".to_owned()
                } else {
                    (*s).to_owned()
                }
            }));
            // JSM paths carry alert ids only.
            if let Some(second) = more.first()
                && !matches!(*second, "count" | "requests")
            {
                query.insert("identifierType".into(), "id".into());
            }
        }
        ["schedules", more @ ..] => {
            path.push("schedules".into());
            path.extend(more.iter().map(|s| (*s).to_owned()));
            if !more.is_empty() {
                query.insert("scheduleIdentifierType".into(), "id".into());
                query.insert("identifierType".into(), "id".into());
            }
        }
        ["teams", _team, "heartbeats", "ping"] => {
            let Some(name) = query.remove("name") else {
                return Reply {
                    status: 422,
                    body: json!({ "message": "name is required" }),
                    headers: Vec::new(),
                };
            };
            path.extend(["heartbeats".to_owned(), name, "ping".to_owned()]);
        }
        _ => return not_found("no such JSM resource"),
    }
    if let Some(size) = query.remove("size") {
        query.insert("limit".into(), size);
    }
    let body = rename_request_body(body);
    let is_alert_list = method == Method::GET && rest == ["alerts"];
    let mut state = lock(&shared.state);
    state.process_due();
    let mut answer = state.route(method, &path, &query, &body);
    if answer.status >= 300 {
        return answer;
    }
    let total = if is_alert_list {
        let count = state.route(
            &Method::GET,
            &["v2".to_owned(), "alerts".to_owned(), "count".to_owned()],
            &query,
            &[],
        );
        count.body.pointer("/data/count").and_then(Value::as_u64)
    } else {
        None
    };
    drop(state);
    answer.body = jsm_body(answer.body, total);
    answer
}

/// `extraProperties` in a JSM request body is Opsgenie's `details`.
fn rename_request_body(body: &[u8]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    if let Some(obj) = value.as_object_mut()
        && let Some(extra) = obj.remove("extraProperties")
    {
        obj.insert("details".into(), extra);
        return value.to_string().into_bytes();
    }
    body.to_vec()
}

/// Opsgenie's answer in JSM's shape.
fn jsm_body(body: Value, total: Option<u64>) -> Value {
    let Value::Object(mut obj) = body else {
        return body;
    };
    let Some(data) = obj.remove("data") else {
        // 202 answers (`result`, `requestId`) and pings are the same on both.
        return Value::Object(obj);
    };
    match data {
        Value::Array(items) => {
            let count = total.unwrap_or(items.len() as u64);
            let values: Vec<Value> = items.into_iter().map(jsm_item).collect();
            let next = obj
                .get("paging")
                .and_then(|p| p.get("next"))
                .and_then(Value::as_str)
                .and_then(relative_link);
            let mut links = Map::new();
            if let Some(next) = next {
                links.insert("next".into(), Value::String(next));
            }
            json!({ "values": values, "links": links, "count": count })
        }
        Value::Object(inner) if inner.contains_key("heartbeats") => Value::Object(inner),
        other => jsm_item(other),
    }
}

/// An Opsgenie `paging.next` URL as JSM's relative link (`/v1/...?offset=..&size=..`).
fn relative_link(next: &str) -> Option<String> {
    let url = url::Url::parse(next).ok()?;
    let path = url.path().replacen("/v2/", "/v1/", 1);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let k = if k == "limit" {
                "size".to_owned()
            } else {
                k.into_owned()
            };
            (k, v.into_owned())
        })
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    Some(format!("{path}?{query}"))
}

/// An alert spelled as JSM spells it; anything else unchanged.
fn jsm_item(item: Value) -> Value {
    let Value::Object(mut obj) = item else {
        return item;
    };
    if !obj.contains_key("tinyId") {
        return Value::Object(obj);
    }
    if let Some(seen) = obj.remove("isSeen") {
        obj.insert("seen".into(), seen);
    }
    if let Some(at) = obj.remove("lastOccurredAt") {
        obj.insert("lastOccuredAt".into(), at);
    }
    if let Some(details) = obj.remove("details") {
        obj.insert("extraProperties".into(), details);
    }
    if let Some(Value::Object(integration)) = obj.remove("integration") {
        if let Some(kind) = integration.get("type") {
            obj.insert("integrationType".into(), kind.clone());
        }
        if let Some(name) = integration.get("name") {
            obj.insert("integrationName".into(), name.clone());
        }
        if let Some(id) = integration.get("id") {
            obj.insert("integrationId".into(), id.clone());
        }
    }
    Value::Object(obj)
}
