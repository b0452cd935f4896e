//! The fake's world: one page with its components, groups, incidents, templates, subscribers and
//! metrics, and the API's semantics over them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::component_groups::ComponentGroup;
use crate::components::{Component, ComponentStatus};
use crate::ids::{ComponentGroupId, ComponentId, IncidentId, MetricId};
use crate::incidents::{
    AffectedComponent, Impact, Incident, IncidentStatus, IncidentUpdate, Postmortem,
};
use crate::metrics::{Metric, MetricPoint};
use crate::pages::Page;
use crate::subscribers::{Subscriber, SubscriberType};
use crate::templates::IncidentTemplate;
use crate::validate::{MAX_BODY_CHARS, MAX_NAME_CHARS};

mod components;
mod incidents;
mod metrics;
mod public;
mod subscriber_count;
mod subscribers;

/// An HTTP answer of the fake: status and optional JSON body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

type Outcome = Result<Reply, Reply>;

impl Reply {
    fn json(status: u16, body: impl serde::Serialize) -> Reply {
        match serde_json::to_value(body) {
            Ok(body) => Reply {
                status,
                body: Some(body),
            },
            Err(e) => Reply::internal(&e.to_string()),
        }
    }
    fn ok(body: impl serde::Serialize) -> Outcome {
        Ok(Reply::json(200, body))
    }
    fn created(body: impl serde::Serialize) -> Outcome {
        Ok(Reply::json(201, body))
    }
    fn no_content() -> Outcome {
        Ok(Reply {
            status: 204,
            body: None,
        })
    }
    pub(crate) fn not_found() -> Reply {
        Reply {
            status: 404,
            body: Some(json!({"message": "The requested resource could not be found."})),
        }
    }
    pub(crate) fn bad_request(message: &str) -> Reply {
        Reply {
            status: 400,
            body: Some(json!({"error": message})),
        }
    }
    pub(crate) fn unauthorized() -> Reply {
        Reply {
            status: 401,
            body: Some(json!({"error": "Could not authenticate"})),
        }
    }
    fn invalid(message: impl Into<String>) -> Reply {
        Reply {
            status: 422,
            body: Some(json!({"error": [message.into()]})),
        }
    }
    fn internal(message: &str) -> Reply {
        Reply {
            status: 500,
            body: Some(json!({"error": message})),
        }
    }
}

fn build<T: DeserializeOwned>(value: Value) -> Result<T, Reply> {
    serde_json::from_value(value).map_err(|e| Reply::internal(&e.to_string()))
}

/// Typed reads of a request object; wrong types are 422 like the real API.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    fn string(&self, key: &str) -> Result<Option<String>, Reply> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Reply::invalid(format!("{key} must be a string"))),
        }
    }
    fn name(&self, key: &str) -> Result<Option<String>, Reply> {
        let value = self.string(key)?;
        if let Some(v) = &value {
            if v.trim().is_empty() {
                return Err(Reply::invalid(format!(
                    "{} can't be blank",
                    capitalize(key)
                )));
            }
            if v.chars().count() > MAX_NAME_CHARS {
                return Err(Reply::invalid(format!(
                    "{} is too long (maximum is 255 characters)",
                    capitalize(key)
                )));
            }
        }
        Ok(value)
    }
    fn body(&self, key: &str) -> Result<Option<String>, Reply> {
        let value = self.string(key)?;
        if value
            .as_ref()
            .is_some_and(|v| v.chars().count() > MAX_BODY_CHARS)
        {
            return Err(Reply::invalid(format!(
                "{} is too long (maximum is 25000 characters)",
                capitalize(key)
            )));
        }
        Ok(value)
    }
    fn boolean(&self, key: &str) -> Result<Option<bool>, Reply> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Reply::invalid(format!("{key} must be true or false"))),
        }
    }
    fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, Reply> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| Reply::invalid(format!("{key} is not a valid time"))),
        }
    }
    fn date(&self, key: &str) -> Result<Option<NaiveDate>, Reply> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| Reply::invalid(format!("{key} is not a valid date"))),
        }
    }
    fn component_status(&self, key: &str) -> Result<Option<ComponentStatus>, Reply> {
        self.string(key)?
            .map(|s| known_component_status(&s))
            .transpose()
    }
    fn ids(&self, key: &str) -> Result<Option<Vec<String>>, Reply> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| Reply::invalid(format!("{key} must be a list of ids")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(Reply::invalid(format!("{key} must be a list of ids"))),
        }
    }
}

fn capitalize(key: &str) -> String {
    let text = key.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn known_component_status(raw: &str) -> Result<ComponentStatus, Reply> {
    match ComponentStatus::from_api(raw) {
        ComponentStatus::Unknown(_) => Err(Reply::invalid("Status is not included in the list")),
        status => Ok(status),
    }
}

fn known_incident_status(raw: &str) -> Result<IncidentStatus, Reply> {
    match IncidentStatus::from_api(raw) {
        IncidentStatus::Unknown(_) => Err(Reply::invalid("Status is not included in the list")),
        status => Ok(status),
    }
}

fn known_impact(raw: &str) -> Result<Impact, Reply> {
    match Impact::from_api(raw) {
        Impact::Unknown(_) => Err(Reply::invalid(
            "Impact override is not included in the list",
        )),
        impact => Ok(impact),
    }
}

/// Takes `{"<key>": {...}}` out of a request body; a missing wrapper is 400 like the real API.
fn wrapped<'a>(body: Option<&'a Value>, key: &str) -> Result<&'a Map<String, Value>, Reply> {
    body.and_then(|b| b.get(key))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            Reply::bad_request(&format!("param is missing or the value is empty: {key}"))
        })
}

/// One page of `items` (newest first already), by 1-based or 0-based page number.
fn paged<T: Clone>(
    items: &[T],
    query: &HashMap<String, String>,
    size_param: &str,
    first_page: u32,
) -> Result<Vec<T>, Reply> {
    let number = |key: &str, default: u32| -> Result<u32, Reply> {
        match query.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| Reply::bad_request(&format!("{key} must be a number"))),
        }
    };
    let page = number("page", first_page)?.max(first_page) - first_page;
    let size = number(size_param, 100)?.clamp(1, 100) as usize;
    Ok(items
        .iter()
        .skip((page as usize).saturating_mul(size))
        .take(size)
        .cloned()
        .collect())
}

/// Everything the fake knows.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) page: Page,
    pub(crate) components: Vec<Component>,
    pub(crate) groups: Vec<ComponentGroup>,
    pub(crate) incidents: Vec<Incident>,
    pub(crate) postmortems: BTreeMap<IncidentId, Postmortem>,
    pub(crate) templates: Vec<IncidentTemplate>,
    pub(crate) subscribers: Vec<(Option<IncidentId>, Subscriber)>,
    pub(crate) metrics: Vec<Metric>,
    pub(crate) points: BTreeMap<MetricId, Vec<MetricPoint>>,
    next_id: u64,
}

impl State {
    pub(crate) fn new(page_id: &str) -> Result<State, String> {
        let now = Utc::now();
        let page: Page = serde_json::from_value(json!({
            "id": page_id, "name": "Example Co", "created_at": now, "updated_at": now,
            "subdomain": "example", "url": "https://example.invalid", "time_zone": "UTC",
            "allow_page_subscribers": true, "allow_incident_subscribers": true,
            "allow_email_subscribers": true, "allow_webhook_subscribers": true,
        }))
        .map_err(|e| e.to_string())?;
        Ok(State {
            page,
            components: Vec::new(),
            groups: Vec::new(),
            incidents: Vec::new(),
            postmortems: BTreeMap::new(),
            templates: Vec::new(),
            subscribers: Vec::new(),
            metrics: Vec::new(),
            points: BTreeMap::new(),
            next_id: 1,
        })
    }

    fn new_id(&mut self, prefix: &str) -> String {
        let id = format!("{prefix}{:0>8}", self.next_id);
        self.next_id += 1;
        id
    }

    pub(crate) fn page_id(&self) -> &str {
        self.page.id.as_str()
    }

    // ----- seeding (used by the public seed methods and the demo data) -----

    pub(crate) fn add_component(
        &mut self,
        name: &str,
        status: ComponentStatus,
        group: Option<&ComponentGroupId>,
    ) -> Result<Component, Reply> {
        let id = self.new_id("cmp0");
        let now = Utc::now();
        let component: Component = build(json!({
            "id": id, "page_id": self.page_id(), "group_id": group, "created_at": now, "updated_at": now,
            "group": false, "name": name, "description": null, "position": self.components.len() + 1,
            "status": status, "showcase": true, "only_show_if_degraded": false,
            "automation_email": format!("component+{id}@notifications.example.invalid"),
            "start_date": now.date_naive(),
        }))?;
        self.components.push(component.clone());
        if let Some(group) = group
            && let Some(g) = self.groups.iter_mut().find(|g| &g.id == group)
        {
            g.components.push(component.id.clone());
        }
        Ok(component)
    }

    pub(crate) fn add_group(
        &mut self,
        name: &str,
        description: Option<&str>,
        members: &[ComponentId],
    ) -> Result<ComponentGroup, Reply> {
        if members.is_empty() {
            return Err(Reply::invalid("Components can't be blank"));
        }
        if let Some(missing) = members
            .iter()
            .find(|m| !self.components.iter().any(|c| &c.id == *m))
        {
            return Err(Reply::invalid(format!(
                "Component {missing} does not exist"
            )));
        }
        let id = ComponentGroupId::new(self.new_id("grp0"));
        let now = Utc::now();
        let group: ComponentGroup = build(json!({
            "id": id, "page_id": self.page_id(), "name": name, "description": description,
            "components": members, "position": self.groups.len() + 1, "created_at": now, "updated_at": now,
        }))?;
        for component in self
            .components
            .iter_mut()
            .filter(|c| members.contains(&c.id))
        {
            component.group_id = Some(id.clone());
        }
        // A component belongs to one group at most.
        for other in &mut self.groups {
            other.components.retain(|c| !members.contains(c));
        }
        self.groups.push(group.clone());
        Ok(group)
    }

    pub(crate) fn add_metric(&mut self, name: &str, suffix: Option<&str>) -> Result<Metric, Reply> {
        let id = self.new_id("met0");
        let now = Utc::now();
        let metric: Metric = build(json!({
            "id": id, "metrics_provider_id": "prov00000001", "metric_identifier": name, "name": name,
            "display": true, "suffix": suffix, "decimal_places": 0, "y_axis_hidden": false,
            "created_at": now, "updated_at": now, "backfilled": false, "reference_name": name,
        }))?;
        self.metrics.push(metric.clone());
        Ok(metric)
    }

    /// Demo data that reads like a small company's page.
    pub(crate) fn seed_demo(&mut self) -> Result<(), Reply> {
        let api = self.add_component("API", ComponentStatus::Operational, None)?;
        let builds = self.add_component("Build Processing", ComponentStatus::Operational, None)?;
        let logs = self.add_component("Log Streaming", ComponentStatus::Operational, None)?;
        let website = self.add_component("Website", ComponentStatus::Operational, None)?;
        self.add_group(
            "Platform",
            Some("Everything behind the API"),
            &[api.id, builds.id.clone(), logs.id.clone()],
        )?;
        self.add_group("Web", None, &[website.id])?;
        self.add_metric("API latency", Some("ms"))?;

        let past = Utc::now() - chrono::Duration::days(3);
        let mut fields = Map::new();
        fields.insert("name".into(), json!("Slow build starts"));
        fields.insert("status".into(), json!("investigating"));
        fields.insert(
            "body".into(),
            json!("Builds are starting slowly; we are investigating."),
        );
        fields.insert(
            "components".into(),
            json!({builds.id.as_str(): "degraded_performance"}),
        );
        let incident = self.create_incident(&fields, past)?;
        let mut resolve = Map::new();
        resolve.insert("status".into(), json!("resolved"));
        resolve.insert(
            "body".into(),
            json!("A backed-up queue was drained; builds run normally."),
        );
        resolve.insert(
            "components".into(),
            json!({builds.id.as_str(): "operational"}),
        );
        self.update_incident(
            incident.id.as_str(),
            &resolve,
            past + chrono::Duration::hours(1),
        )?;

        let start = Utc::now() + chrono::Duration::days(2);
        let mut maintenance = Map::new();
        maintenance.insert("name".into(), json!("Log storage upgrade"));
        maintenance.insert("status".into(), json!("scheduled"));
        maintenance.insert(
            "body".into(),
            json!("Live logs will be delayed during the upgrade."),
        );
        maintenance.insert("scheduled_for".into(), json!(start));
        maintenance.insert(
            "scheduled_until".into(),
            json!(start + chrono::Duration::hours(2)),
        );
        maintenance.insert("component_ids".into(), json!([logs.id]));
        self.create_incident(&maintenance, Utc::now())?;
        Ok(())
    }

    // ----- HTTP dispatch -----

    /// Moves scheduled maintenances along the clock, as Statuspage does for the ones that ask for
    /// it: `scheduled_auto_in_progress` starts them at `scheduled_for` (components go under
    /// maintenance with `auto_transition_to_maintenance_state`), `scheduled_auto_completed`
    /// completes them at `scheduled_until` (components go back to operational with
    /// `auto_transition_to_operational_state`). Called before every request.
    pub(crate) fn tick(&mut self, now: DateTime<Utc>) {
        let mut changes: Vec<(String, Map<String, Value>)> = Vec::new();
        for incident in &self.incidents {
            let due = |at: Option<DateTime<Utc>>| at.is_some_and(|t| t <= now);
            let (status, to_components, flag) = if incident.status == IncidentStatus::Scheduled
                && incident.scheduled_auto_in_progress == Some(true)
                && due(incident.scheduled_for)
            {
                (
                    "in_progress",
                    "under_maintenance",
                    incident.auto_transition_to_maintenance_state,
                )
            } else if matches!(
                incident.status,
                IncidentStatus::Scheduled | IncidentStatus::InProgress | IncidentStatus::Verifying
            ) && incident.scheduled_auto_completed == Some(true)
                && due(incident.scheduled_until)
            {
                (
                    "completed",
                    "operational",
                    incident.auto_transition_to_operational_state,
                )
            } else {
                continue;
            };
            let mut fields = Map::new();
            fields.insert("status".into(), json!(status));
            if flag == Some(true) {
                let map: Map<String, Value> = incident
                    .components
                    .iter()
                    .map(|c| (c.id.to_string(), json!(to_components)))
                    .collect();
                fields.insert("components".into(), Value::Object(map));
            }
            changes.push((incident.id.to_string(), fields));
        }
        for (id, fields) in changes {
            // Valid by construction; a failure leaves the maintenance as it was.
            let _ = self.apply_incident(&id, &fields, now, false);
        }
    }

    /// Handles one authenticated Manage API v1 request (`segments` after `/v1`).
    pub(crate) fn manage(
        &mut self,
        method: &Method,
        segments: &[&str],
        query: &HashMap<String, String>,
        body: Option<&Value>,
    ) -> Reply {
        let page = self.page_id().to_owned();
        let outcome = match segments {
            ["pages"] if method == Method::GET => Reply::ok([&self.page]),
            [] => Err(Reply::not_found()),
            ["pages", p, rest @ ..] if *p == page => self.page_scoped(method, rest, query, body),
            _ => Err(Reply::not_found()),
        };
        outcome.unwrap_or_else(|reply| reply)
    }

    fn page_scoped(
        &mut self,
        method: &Method,
        rest: &[&str],
        query: &HashMap<String, String>,
        body: Option<&Value>,
    ) -> Outcome {
        let m = method.clone();
        let write = m == Method::PATCH || m == Method::PUT;
        match rest {
            [] if m == Method::GET => Reply::ok(&self.page),
            [] if write => self.update_page(wrapped(body, "page")?),

            ["components"] if m == Method::GET => {
                Reply::ok(paged(&self.components, query, "per_page", 1)?)
            }
            ["components"] if m == Method::POST => {
                self.create_component(wrapped(body, "component")?)
            }
            ["components", id] if m == Method::GET => Reply::ok(self.component(id)?),
            ["components", id] if write => self.update_component(id, wrapped(body, "component")?),
            ["components", id] if m == Method::DELETE => self.delete_component(id),
            ["components", id, "uptime"] if m == Method::GET => self.uptime(id, query),

            ["component-groups"] if m == Method::GET => {
                Reply::ok(paged(&self.groups, query, "per_page", 1)?)
            }
            ["component-groups"] if m == Method::POST => self.create_group(body),
            ["component-groups", id] if m == Method::GET => Reply::ok(self.group(id)?),
            ["component-groups", id] if write => self.update_group(id, body),
            ["component-groups", id] if m == Method::DELETE => self.delete_group(id),
            ["component-groups", id, "uptime"] if m == Method::GET => self.uptime(id, query),

            ["incidents"] if m == Method::GET => self.list_incidents(query),
            ["incidents"] if m == Method::POST => {
                let incident = self.create_incident(wrapped(body, "incident")?, Utc::now())?;
                Reply::created(incident)
            }
            ["incidents", "unresolved"] if m == Method::GET => self.incident_sub_list(query, |i| {
                !i.status.is_maintenance() && !i.status.is_closed()
            }),
            ["incidents", "scheduled"] if m == Method::GET => {
                self.incident_sub_list(query, |i| i.scheduled_for.is_some())
            }
            ["incidents", "upcoming"] if m == Method::GET => {
                self.incident_sub_list(query, |i| i.status == IncidentStatus::Scheduled)
            }
            ["incidents", "active_maintenance"] if m == Method::GET => {
                self.incident_sub_list(query, |i| {
                    matches!(
                        i.status,
                        IncidentStatus::InProgress | IncidentStatus::Verifying
                    )
                })
            }
            ["incidents", id] if m == Method::GET => Reply::ok(self.incident(id)?),
            ["incidents", id] if write => {
                Reply::ok(self.update_incident(id, wrapped(body, "incident")?, Utc::now())?)
            }
            ["incidents", id] if m == Method::DELETE => self.delete_incident(id),
            ["incidents", id, "incident_updates", update] if write => {
                self.edit_update(id, update, wrapped(body, "incident_update")?)
            }
            ["incidents", id, "postmortem"] if m == Method::GET => self.postmortem(id),
            ["incidents", id, "postmortem"] if m == Method::PUT => {
                self.save_postmortem(id, wrapped(body, "postmortem")?)
            }
            ["incidents", id, "postmortem"] if m == Method::DELETE => self.delete_postmortem(id),
            ["incidents", id, "postmortem", "publish"] if m == Method::PUT => {
                self.publish_postmortem(id, body)
            }
            ["incidents", id, "postmortem", "revert"] if m == Method::PUT => {
                self.revert_postmortem(id)
            }
            ["incidents", id, "subscribers"] if m == Method::GET => {
                let incident = self.incident(id)?.id;
                let list: Vec<_> = self
                    .subscribers
                    .iter()
                    .filter(|(s, _)| s.as_ref() == Some(&incident))
                    .map(|(_, s)| s.clone())
                    .collect();
                Reply::ok(paged(&list, query, "per_page", 1)?)
            }
            ["incidents", id, "subscribers"] if m == Method::POST => {
                let incident = self.incident(id)?.id;
                self.create_subscriber(Some(incident), wrapped(body, "subscriber")?)
            }
            ["incidents", id, "subscribers", sub] if m == Method::GET => {
                let incident = self.incident(id)?.id;
                Reply::ok(self.subscriber(Some(&incident), sub)?)
            }
            ["incidents", id, "subscribers", sub] if m == Method::DELETE => {
                let incident = self.incident(id)?.id;
                self.delete_subscriber(Some(&incident), sub)
            }

            ["incident_templates"] if m == Method::GET => {
                Reply::ok(paged(&self.templates, query, "per_page", 1)?)
            }
            ["incident_templates"] if m == Method::POST => {
                self.create_template(wrapped(body, "template")?)
            }

            ["subscribers"] if m == Method::GET => self.list_subscribers(query),
            ["subscribers"] if m == Method::POST => {
                self.create_subscriber(None, wrapped(body, "subscriber")?)
            }
            ["subscribers", "count"] if m == Method::GET => self.subscriber_count(query),
            ["subscribers", id] if m == Method::GET => Reply::ok(self.subscriber(None, id)?),
            ["subscribers", id] if m == Method::DELETE => self.delete_subscriber(None, id),

            ["metrics"] if m == Method::GET => {
                Reply::ok(paged(&self.metrics, query, "per_page", 1)?)
            }
            ["metrics", "data"] if m == Method::POST => self.submit_bulk(body),
            ["metrics", id] if m == Method::GET => Reply::ok(self.metric(id)?),
            ["metrics", id, "data"] if m == Method::POST => self.submit_point(id, body),
            ["metrics", id, "data"] if m == Method::DELETE => {
                let metric = self.metric(id)?.id;
                self.points.remove(&metric);
                Reply::no_content()
            }
            _ => Err(Reply::not_found()),
        }
    }

    // ----- pages -----

    fn update_page(&mut self, fields: &Map<String, Value>) -> Outcome {
        let f = Fields(fields);
        let mut page = self.page.clone();
        if let Some(name) = f.name("name")? {
            page.name = name;
        }
        macro_rules! strings {
            ($($field:ident),*) => { $( if f.has(stringify!($field)) { page.$field = f.string(stringify!($field))?; } )* };
        }
        macro_rules! bools {
            ($($field:ident),*) => { $( if let Some(v) = f.boolean(stringify!($field))? { page.$field = Some(v); } )* };
        }
        strings!(
            page_description,
            headline,
            subdomain,
            domain,
            url,
            support_url,
            notifications_from_email,
            notifications_email_footer,
            time_zone
        );
        bools!(
            hidden_from_search,
            allow_page_subscribers,
            allow_incident_subscribers,
            allow_email_subscribers,
            allow_sms_subscribers,
            allow_rss_atom_feeds,
            allow_webhook_subscribers
        );
        page.updated_at = Some(Utc::now());
        self.page = page;
        Reply::ok(&self.page)
    }
}

/// How bad a component status is, for the worst-of rules.
fn severity(status: &ComponentStatus) -> u8 {
    match status {
        ComponentStatus::MajorOutage => 4,
        ComponentStatus::PartialOutage => 3,
        ComponentStatus::DegradedPerformance => 2,
        ComponentStatus::UnderMaintenance => 1,
        _ => 0,
    }
}

fn impact_rank(impact: &Impact) -> u8 {
    match impact {
        Impact::Critical => 3,
        Impact::Major => 2,
        Impact::Minor => 1,
        _ => 0,
    }
}

/// The impact Statuspage derives from the statuses of an incident's components.
fn impact_of(components: &[Component]) -> Impact {
    match components
        .iter()
        .map(|c| severity(&c.status))
        .max()
        .unwrap_or(0)
    {
        4 => Impact::Critical,
        3 => Impact::Major,
        2 => Impact::Minor,
        _ => Impact::None,
    }
}
