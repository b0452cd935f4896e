//! Schedules: who is on call by rotation and overrides, next on call, and overrides.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::fields::{date_param, parse_body};
use super::{Reply, State};
use crate::common::NamedRef;
use crate::ids::ScheduleId;
use crate::schedules::{
    Override, OverrideUser, Participant, ParticipantType, Rotation, RotationType, Schedule,
    ScheduleMeta,
};

impl State {
    pub(super) fn find_schedule(
        &self,
        q: &HashMap<String, String>,
        key: &str,
        ident: &str,
    ) -> Result<usize, Reply> {
        let by_name = match q.get(key).map(String::as_str) {
            None | Some("id") => false,
            Some("name") => true,
            Some(_) => return Err(Reply::invalid_one(key, "must be id or name")),
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
                Reply::error(
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

    pub(crate) fn next_on_call(&self, schedule: &Schedule, at: DateTime<Utc>) -> Vec<String> {
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

    pub(super) fn on_call_json(&self, s: &Schedule, at: DateTime<Utc>, flat: bool) -> Value {
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

    pub(super) fn schedules_route(
        &mut self,
        m: &str,
        s: &[&str],
        q: &HashMap<String, String>,
        body: &[u8],
    ) -> Reply {
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
                Reply::new(200, json!({ "data": list, "expandable": ["rotation"] }))
            }
            ("GET", ["v2", "schedules", "on-calls"]) => {
                let all: Vec<Value> = self
                    .schedules
                    .iter()
                    .map(|sch| self.on_call_json(sch, at, flat))
                    .collect();
                Reply::data(200, json!(all))
            }
            ("GET", ["v2", "schedules", ident]) => {
                match self.find_schedule(q, "identifierType", ident) {
                    Ok(i) => Reply::data(200, json!(self.schedules.get(i))),
                    Err(a) => a,
                }
            }
            ("GET", ["v2", "schedules", ident, "on-calls"]) => {
                match self.find_schedule(q, "scheduleIdentifierType", ident) {
                    Ok(i) => match self.schedules.get(i) {
                        Some(sch) => Reply::data(200, self.on_call_json(sch, at, flat)),
                        None => Reply::error(404, "Schedule does not exist"),
                    },
                    Err(a) => a,
                }
            }
            ("GET", ["v2", "schedules", ident, "next-on-calls"]) => {
                match self.find_schedule(q, "scheduleIdentifierType", ident) {
                    Ok(i) => {
                        let Some(sch) = self.schedules.get(i) else {
                            return Reply::error(404, "Schedule does not exist");
                        };
                        let next = self.next_on_call(sch, at);
                        let parent = json!({ "id": sch.id, "name": sch.name, "enabled": sch.enabled.unwrap_or(true) });
                        if flat {
                            Reply::data(
                                200,
                                json!({ "_parent": parent, "nextOnCallParticipants": next }),
                            )
                        } else {
                            let objs: Vec<Value> = next
                                .iter()
                                .map(|u| json!({ "id": user_id(u), "name": u, "type": "user" }))
                                .collect();
                            Reply::data(
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
                    return Reply::error(404, "Schedule does not exist");
                };
                self.overrides_route(m, &sch, rest, body)
            }
            _ => Reply::error(404, format!("No route for {m} /{}", s.join("/"))),
        }
    }

    pub(super) fn overrides_route(
        &mut self,
        m: &str,
        sch: &Schedule,
        rest: &[&str],
        body: &[u8],
    ) -> Reply {
        let of_schedule =
            |o: &Override| o.parent.as_ref().and_then(|p| p.id.as_deref()) == Some(sch.id.as_str());
        match (m, rest) {
            ("GET", []) => {
                let list: Vec<&Override> =
                    self.overrides.iter().filter(|o| of_schedule(o)).collect();
                Reply::data(200, json!(list))
            }
            ("GET", [alias]) => match self
                .overrides
                .iter()
                .find(|o| of_schedule(o) && o.alias == *alias)
            {
                Some(o) => Reply::data(200, json!(o)),
                None => Reply::error(404, format!("Override with alias [{alias}] does not exist")),
            },
            ("DELETE", [alias]) => {
                let before = self.overrides.len();
                self.overrides
                    .retain(|o| !(of_schedule(o) && o.alias == *alias));
                if self.overrides.len() == before {
                    Reply::error(404, format!("Override with alias [{alias}] does not exist"))
                } else {
                    Reply::new(200, json!({ "result": "Deleted" }))
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
                    return Reply::invalid(errors);
                }
                let alias = match rest {
                    [alias] => {
                        if !self
                            .overrides
                            .iter()
                            .any(|o| of_schedule(o) && o.alias == *alias)
                        {
                            return Reply::error(
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
                        id: Some(sch.id.as_str().to_owned()),
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
                Reply::data(status, json!({ "alias": alias }))
            }
            _ => Reply::error(405, "Method not allowed"),
        }
    }

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
            id: ScheduleId::new(id),
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

pub(super) fn user_id(username: &str) -> String {
    format!(
        "fake-user-{}",
        username.split('@').next().unwrap_or(username)
    )
}

pub(super) fn rotation_period(r: &Rotation) -> chrono::Duration {
    let length = i64::from(r.length.unwrap_or(1).max(1));
    match r.kind {
        Some(RotationType::Hourly) => chrono::Duration::hours(length),
        Some(RotationType::Daily) => chrono::Duration::days(length),
        _ => chrono::Duration::weeks(length),
    }
}

pub(super) fn rotation_users(r: &Rotation) -> Vec<String> {
    r.participants
        .iter()
        .filter(|p| p.kind == ParticipantType::User)
        .filter_map(|p| p.username.clone().or(p.id.clone()))
        .collect()
}

pub(super) fn rotation_user_at(r: &Rotation, at: DateTime<Utc>) -> Option<String> {
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

pub(super) fn rotation_next_change(r: &Rotation, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
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
