//! Incidents (v1): create, read, list, resolve, close and notes.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::fields::{
    details_field, parse_body, priority_field, responders_field, str_field, str_list,
};
use super::{Ident, Op, Reply, State};
use crate::alerts::Priority;
use crate::fake::query;
use crate::ids::IncidentId;
use crate::incidents::{Incident, IncidentStatus};

impl State {
    pub(super) fn apply_create_incident(&mut self, body: &Map<String, Value>) -> Value {
        let id = self.next_id("inc");
        let tiny = self.next_incident_tiny;
        self.next_incident_tiny += 1;
        let mut ignore = Map::new();
        let now = Utc::now();
        self.incidents.push(Incident {
            id: IncidentId::new(id.clone()),
            tiny_id: Some(tiny.to_string()),
            message: str_field(body, "message", 130, &mut ignore).unwrap_or_default(),
            status: Some(IncidentStatus::Open),
            is_seen: Some(false),
            tags: str_list(body, "tags", 20, 50, &mut ignore),
            created_at: Some(now),
            updated_at: Some(now),
            source: Some("Fake API".into()),
            owner: Some(String::new()),
            priority: Some(priority_field(body, &mut ignore).unwrap_or(Priority::P3)),
            responders: responders_field(body, "responders", &mut ignore),
            owner_team: None,
            extra_properties: details_field(body, "details", &mut ignore),
            impacted_services: str_field(body, "serviceId", 512, &mut ignore)
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

    pub(super) fn apply_incident(&mut self, ident: &Ident, action: &'static str) -> Value {
        let found = self.incidents.iter_mut().find(|i| match ident {
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
                Self::outcome(name, true, status, json!({ "incidentId": inc.id.as_str() }))
            }
        }
    }

    pub(super) fn incidents_route(
        &mut self,
        m: &str,
        s: &[&str],
        q: &HashMap<String, String>,
        body: &[u8],
    ) -> Reply {
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
                    return Reply::invalid(errors);
                }
                self.accept(Op::CreateIncident(body))
            }
            ("GET", ["v1", "incidents"]) => {
                let conds = match query::parse(q.get("query").map(String::as_str).unwrap_or("")) {
                    Ok(c) => c,
                    Err(e) => return Reply::invalid_one("query", format!("Invalid query: {e}")),
                };
                let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
                let limit: usize = match q.get("limit").map(|v| v.parse()) {
                    None => 20,
                    Some(Ok(v)) if (1..=100).contains(&v) => v,
                    Some(_) => return Reply::invalid_one("limit", "must be between 1 and 100"),
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
                Reply::new(200, json!({ "data": page, "totalCount": list.len() }))
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
                    Some(i) => Reply::data(200, json!(i)),
                    None => Reply::error(404, "Incident does not exist"),
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
                    return Reply::invalid(errors);
                }
                let action = match *what {
                    "resolve" => "resolve",
                    "close" => "close",
                    _ => "notes",
                };
                self.accept(Op::Incident { ident, action })
            }
            _ => Reply::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }
}

fn incident_ident(q: &HashMap<String, String>, value: &str) -> Result<Ident, Reply> {
    match q.get("identifierType").map(String::as_str) {
        None | Some("id") => Ok(Ident::Id(value.to_owned())),
        Some("tiny") => Ok(Ident::Tiny(value.to_owned())),
        Some(_) => Err(Reply::invalid_one(
            "identifierType",
            "should be one of [id, tiny]",
        )),
    }
}
