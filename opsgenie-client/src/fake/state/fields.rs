//! Validation of request fields, with Opsgenie's limits and its `errors` map.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::Reply;
use crate::alerts::{Priority, Responder, ResponderType};

pub(super) fn str_field(
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

pub(super) fn str_list(
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

pub(super) fn details_field(
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

pub(super) fn responder_value(v: &Value) -> Option<Responder> {
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

pub(super) fn responders_field(
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

pub(super) fn priority_field(
    body: &Map<String, Value>,
    errors: &mut Map<String, Value>,
) -> Option<Priority> {
    match body.get("priority") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match s.parse::<Priority>() {
            Ok(p) => Some(p),
            Err(_) => {
                errors.insert(
                    "priority".into(),
                    json!("should be one of [P1, P2, P3, P4, P5]"),
                );
                None
            }
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
pub(super) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Reply::error(400, "Request body must be a JSON object")),
        Err(_) => Err(Reply::error(400, "Could not parse request body")),
    }
}

pub(super) fn date_param(
    q: &HashMap<String, String>,
    name: &str,
) -> Result<Option<DateTime<Utc>>, Reply> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| Reply::invalid_one(name, "must be an ISO-8601 date")),
    }
}
