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

mod subscriber_count;

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
pub(crate) struct World {
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

impl World {
    pub(crate) fn new(page_id: &str) -> Result<World, String> {
        let now = Utc::now();
        let page: Page = serde_json::from_value(json!({
            "id": page_id, "name": "Example Co", "created_at": now, "updated_at": now,
            "subdomain": "example", "url": "https://example.invalid", "time_zone": "UTC",
            "allow_page_subscribers": true, "allow_incident_subscribers": true,
            "allow_email_subscribers": true, "allow_webhook_subscribers": true,
        }))
        .map_err(|e| e.to_string())?;
        Ok(World {
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

    // ----- components -----

    fn component(&self, id: &str) -> Result<Component, Reply> {
        self.components
            .iter()
            .find(|c| c.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    fn check_group(&self, group: Option<&String>) -> Result<(), Reply> {
        match group {
            Some(g) if !self.groups.iter().any(|x| x.id.as_str() == g) => {
                Err(Reply::invalid("Group does not exist"))
            }
            _ => Ok(()),
        }
    }

    fn create_component(&mut self, fields: &Map<String, Value>) -> Outcome {
        let f = Fields(fields);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let status = f
            .component_status("status")?
            .unwrap_or(ComponentStatus::Operational);
        let group = f.string("group_id")?;
        self.check_group(group.as_ref())?;
        let group = group.map(ComponentGroupId::new);
        let mut component = self.add_component(&name, status, group.as_ref())?;
        self.apply_component_fields(component.id.as_str(), &f)?;
        component = self.component(component.id.as_str())?;
        Reply::created(component)
    }

    fn apply_component_fields(&mut self, id: &str, f: &Fields<'_>) -> Result<(), Reply> {
        let name = f.name("name")?;
        let status = f.component_status("status")?;
        let group = f.string("group_id")?;
        self.check_group(group.as_ref())?;
        let description = f.string("description")?;
        let showcase = f.boolean("showcase")?;
        let only = f.boolean("only_show_if_degraded")?;
        let start = f.date("start_date")?;
        let index = self
            .components
            .iter()
            .position(|c| c.id.as_str() == id)
            .ok_or_else(Reply::not_found)?;
        if let Some(group) = &group {
            let cid = ComponentId::new(id);
            for g in &mut self.groups {
                g.components.retain(|c| c != &cid);
                if g.id.as_str() == group {
                    g.components.push(cid.clone());
                }
            }
        }
        let Some(c) = self.components.get_mut(index) else {
            return Err(Reply::not_found());
        };
        if let Some(v) = name {
            c.name = v;
        }
        if let Some(v) = status {
            c.status = v;
        }
        if let Some(v) = group {
            c.group_id = Some(ComponentGroupId::new(v));
        }
        if f.has("description") {
            c.description = description;
        }
        if let Some(v) = showcase {
            c.showcase = Some(v);
        }
        if let Some(v) = only {
            c.only_show_if_degraded = Some(v);
        }
        if let Some(v) = start {
            c.start_date = Some(v);
        }
        c.updated_at = Some(Utc::now());
        Ok(())
    }

    fn update_component(&mut self, id: &str, fields: &Map<String, Value>) -> Outcome {
        self.component(id)?;
        self.apply_component_fields(id, &Fields(fields))?;
        Reply::ok(self.component(id)?)
    }

    fn delete_component(&mut self, id: &str) -> Outcome {
        let component = self.component(id)?;
        self.components.retain(|c| c.id != component.id);
        for group in &mut self.groups {
            group.components.retain(|c| c != &component.id);
        }
        self.groups.retain(|g| !g.components.is_empty());
        Reply::no_content()
    }

    fn uptime(&self, id: &str, query: &HashMap<String, String>) -> Outcome {
        let name = match self.component(id) {
            Ok(c) => c.name,
            Err(_) => self.group(id)?.name,
        };
        let today = Utc::now().date_naive();
        let date = |key: &str, default: NaiveDate| -> Result<NaiveDate, Reply> {
            query.get(key).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| Reply::bad_request(&format!("{key} must be a date")))
            })
        };
        let start = date("start", today - chrono::Duration::days(90))?;
        let end = date("end", today)?;
        if end < start {
            return Err(Reply::bad_request("end must not be before start"));
        }
        Reply::ok(json!({
            "id": id, "name": name, "range_start": start, "range_end": end,
            "uptime_percentage": 100.0, "major_outage": 0, "partial_outage": 0,
            "warnings": [], "related_events": {"major_outage": [], "partial_outage": []},
        }))
    }

    // ----- groups -----

    fn group(&self, id: &str) -> Result<ComponentGroup, Reply> {
        self.groups
            .iter()
            .find(|g| g.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    fn create_group(&mut self, body: Option<&Value>) -> Outcome {
        let f = Fields(wrapped(body, "component_group")?);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let members: Vec<ComponentId> = f
            .ids("components")?
            .unwrap_or_default()
            .into_iter()
            .map(ComponentId::new)
            .collect();
        let description = body
            .and_then(|b| b.get("description"))
            .and_then(Value::as_str);
        Reply::created(self.add_group(&name, description, &members)?)
    }

    fn update_group(&mut self, id: &str, body: Option<&Value>) -> Outcome {
        let group = self.group(id)?;
        let f = Fields(wrapped(body, "component_group")?);
        let name = f.name("name")?;
        let members = f.ids("components")?;
        let description = body
            .and_then(|b| b.get("description"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(members) = members {
            let members: Vec<ComponentId> = members.into_iter().map(ComponentId::new).collect();
            if members.is_empty() {
                return Err(Reply::invalid("Components can't be blank"));
            }
            if members
                .iter()
                .any(|m| !self.components.iter().any(|c| &c.id == m))
            {
                return Err(Reply::invalid("Components must exist"));
            }
            for c in &mut self.components {
                if members.contains(&c.id) {
                    c.group_id = Some(group.id.clone());
                } else if c.group_id.as_ref() == Some(&group.id) {
                    c.group_id = None;
                }
            }
            for g in &mut self.groups {
                if g.id == group.id {
                    g.components = members.clone();
                } else {
                    g.components.retain(|c| !members.contains(c));
                }
            }
        }
        let Some(g) = self.groups.iter_mut().find(|g| g.id == group.id) else {
            return Err(Reply::not_found());
        };
        if let Some(name) = name {
            g.name = name;
        }
        if description.is_some() {
            g.description = description;
        }
        g.updated_at = Some(Utc::now());
        Reply::ok(g.clone())
    }

    fn delete_group(&mut self, id: &str) -> Outcome {
        let group = self.group(id)?;
        self.groups.retain(|g| g.id != group.id);
        for c in &mut self.components {
            if c.group_id.as_ref() == Some(&group.id) {
                c.group_id = None;
            }
        }
        Reply::ok(group)
    }

    // ----- incidents -----

    fn incident(&self, id: &str) -> Result<Incident, Reply> {
        self.incidents
            .iter()
            .find(|i| i.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    /// Newest first, as the API lists them.
    fn newest_first(&self) -> Vec<Incident> {
        let mut list = self.incidents.clone();
        // Reversed first so that equal timestamps also list the newest first.
        list.reverse();
        list.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        list
    }

    fn list_incidents(&self, query: &HashMap<String, String>) -> Outcome {
        let mut list = self.newest_first();
        if let Some(q) = query.get("q").map(|q| q.to_lowercase()) {
            list.retain(|i| {
                i.name.to_lowercase().contains(&q)
                    || i.incident_updates.iter().any(|u| {
                        u.body
                            .as_deref()
                            .unwrap_or_default()
                            .to_lowercase()
                            .contains(&q)
                    })
            });
        }
        Reply::ok(paged(&list, query, "limit", 1)?)
    }

    fn incident_sub_list(
        &self,
        query: &HashMap<String, String>,
        keep: impl Fn(&Incident) -> bool,
    ) -> Outcome {
        let list: Vec<Incident> = self
            .newest_first()
            .into_iter()
            .filter(|i| keep(i))
            .collect();
        Reply::ok(paged(&list, query, "per_page", 1)?)
    }

    pub(crate) fn create_incident(
        &mut self,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Incident, Reply> {
        let f = Fields(fields);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let scheduled_for = f.time("scheduled_for")?;
        let default_status = if scheduled_for.is_some() {
            "scheduled"
        } else {
            "investigating"
        };
        let status =
            known_incident_status(&f.string("status")?.unwrap_or_else(|| default_status.into()))?;
        let id = self.new_id("inc0");
        let incident: Incident = build(json!({
            "id": id, "page_id": self.page_id(), "name": name, "status": status,
            "created_at": now, "updated_at": now, "started_at": now,
            "shortlink": format!("https://stspg.example.invalid/{id}"),
            "metadata": {}, "postmortem_ignored": false, "postmortem_notified_subscribers": false,
            "postmortem_notified_twitter": false, "components": [], "incident_updates": [],
        }))?;
        self.incidents.push(incident);
        // Creating is updating an empty incident: the same rules apply to every other field, and
        // the first update is always recorded.
        let mut rest = fields.clone();
        rest.remove("name");
        rest.insert("status".into(), json!(status));
        match self.apply_incident(&id, &rest, now, true) {
            Ok(incident) => Ok(incident),
            Err(reply) => {
                self.incidents.retain(|i| i.id.as_str() != id);
                Err(reply)
            }
        }
    }

    pub(crate) fn update_incident(
        &mut self,
        id: &str,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Incident, Reply> {
        self.incident(id)?;
        self.apply_incident(id, fields, now, false)
    }

    fn apply_incident(
        &mut self,
        id: &str,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
        creating: bool,
    ) -> Result<Incident, Reply> {
        let f = Fields(fields);
        let name = f.name("name")?;
        let status = f
            .string("status")?
            .map(|s| known_incident_status(&s))
            .transpose()?;
        let body = f.body("body")?;
        let impact_override = f
            .string("impact_override")?
            .map(|s| known_impact(&s))
            .transpose()?;
        let deliver = f.boolean("deliver_notifications")?.unwrap_or(true);
        let mut statuses: BTreeMap<ComponentId, ComponentStatus> = BTreeMap::new();
        if let Some(map) = fields.get("components").filter(|v| !v.is_null()) {
            let map = map
                .as_object()
                .ok_or_else(|| Reply::invalid("components must map component ids to statuses"))?;
            for (component, status) in map {
                let status = status.as_str().ok_or_else(|| {
                    Reply::invalid("components must map component ids to statuses")
                })?;
                statuses.insert(
                    ComponentId::new(component.as_str()),
                    known_component_status(status)?,
                );
            }
        }
        let mut component_ids: Vec<ComponentId> = f
            .ids("component_ids")?
            .unwrap_or_default()
            .into_iter()
            .map(ComponentId::new)
            .collect();
        component_ids.extend(statuses.keys().cloned());
        if let Some(missing) = component_ids
            .iter()
            .find(|c| !self.components.iter().any(|x| &x.id == *c))
        {
            return Err(Reply::invalid(format!(
                "Component {missing} does not exist"
            )));
        }
        if let Some(metadata) = fields.get("metadata").filter(|v| !v.is_null()) {
            let ok = metadata
                .as_object()
                .is_some_and(|m| m.values().all(Value::is_object));
            if !ok {
                return Err(Reply::invalid("Metadata values must be objects"));
            }
        }
        let scheduled_for = f.time("scheduled_for")?;
        let scheduled_until = f.time("scheduled_until")?;
        let mut flags = Vec::new();
        for key in [
            "scheduled_remind_prior",
            "scheduled_auto_in_progress",
            "scheduled_auto_completed",
            "scheduled_auto_transition",
            "auto_transition_to_maintenance_state",
            "auto_transition_to_operational_state",
            "auto_transition_deliver_notifications_at_start",
            "auto_transition_deliver_notifications_at_end",
        ] {
            if let Some(v) = f.boolean(key)? {
                flags.push((key, v));
            }
        }
        let reminder_intervals = f.string("reminder_intervals")?;

        // Everything is valid: apply it. Component statuses first, recording the changes.
        let mut affected = Vec::new();
        for (component_id, new_status) in &statuses {
            if let Some(c) = self.components.iter_mut().find(|c| &c.id == component_id) {
                affected.push(AffectedComponent {
                    code: c.id.clone(),
                    name: Some(c.name.clone()),
                    old_status: Some(c.status.clone()),
                    new_status: Some(new_status.clone()),
                });
                c.status = new_status.clone();
                c.updated_at = Some(now);
            }
        }
        let snapshot: Vec<Component> = self.components.clone();
        let update_id = self.new_id("upd0");
        let Some(incident) = self.incidents.iter_mut().find(|i| i.id.as_str() == id) else {
            return Err(Reply::not_found());
        };
        if let Some(name) = name {
            incident.name = name;
        }
        if let Some(impact) = impact_override {
            incident.impact_override = Some(impact);
        }
        if let Some(t) = scheduled_for {
            incident.scheduled_for = Some(t);
        }
        if let Some(t) = scheduled_until {
            incident.scheduled_until = Some(t);
        }
        if reminder_intervals.is_some() {
            incident.reminder_intervals = reminder_intervals;
        }
        if let Some(metadata) = fields.get("metadata").filter(|v| !v.is_null()) {
            incident.metadata = Some(metadata.clone());
        }
        for (key, v) in flags {
            let slot = match key {
                "scheduled_remind_prior" => &mut incident.scheduled_remind_prior,
                "scheduled_auto_in_progress" => &mut incident.scheduled_auto_in_progress,
                "scheduled_auto_completed" => &mut incident.scheduled_auto_completed,
                "scheduled_auto_transition" => &mut incident.scheduled_auto_transition,
                "auto_transition_to_maintenance_state" => {
                    &mut incident.auto_transition_to_maintenance_state
                }
                "auto_transition_to_operational_state" => {
                    &mut incident.auto_transition_to_operational_state
                }
                "auto_transition_deliver_notifications_at_start" => {
                    &mut incident.auto_transition_deliver_notifications_at_start
                }
                _ => &mut incident.auto_transition_deliver_notifications_at_end,
            };
            *slot = Some(v);
        }
        // The incident's components: every component it was ever told about, as they are now.
        let mut ids: Vec<ComponentId> = incident.components.iter().map(|c| c.id.clone()).collect();
        for c in component_ids {
            if !ids.contains(&c) {
                ids.push(c);
            }
        }
        incident.components = snapshot
            .into_iter()
            .filter(|c| ids.contains(&c.id))
            .collect();

        let status_changed = status.as_ref().is_some_and(|s| *s != incident.status);
        if let Some(status) = &status {
            incident.status = status.clone();
            match status {
                IncidentStatus::Monitoring => incident.monitoring_at = Some(now),
                IncidentStatus::Resolved | IncidentStatus::Completed => {
                    incident.resolved_at = Some(now)
                }
                IncidentStatus::InProgress => incident.started_at = Some(now),
                _ => {}
            }
        }
        if creating || status_changed || body.is_some() || !affected.is_empty() {
            let update: IncidentUpdate = build(json!({
                "id": update_id, "incident_id": id, "status": incident.status, "body": body.unwrap_or_default(),
                "created_at": now, "updated_at": now, "display_at": now, "deliver_notifications": deliver,
                "wants_twitter_update": false,
                "affected_components": if affected.is_empty() { Value::Null } else { json!(affected) },
            }))?;
            incident.incident_updates.insert(0, update);
        }
        incident.impact = Some(
            match (&incident.impact_override, incident.scheduled_for.is_some()) {
                (Some(impact), _) => impact.clone(),
                (None, true) => Impact::Maintenance,
                // The impact is the worst the incident has been, not only what it is now.
                (None, false) => {
                    let now = impact_of(&incident.components);
                    match &incident.impact {
                        Some(before) if impact_rank(before) > impact_rank(&now) => before.clone(),
                        _ => now,
                    }
                }
            },
        );
        incident.updated_at = Some(now);
        Ok(incident.clone())
    }

    fn delete_incident(&mut self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        self.incidents.retain(|i| i.id != incident.id);
        self.postmortems.remove(&incident.id);
        self.subscribers
            .retain(|(scope, _)| scope.as_ref() != Some(&incident.id));
        Reply::ok(incident)
    }

    fn edit_update(&mut self, id: &str, update_id: &str, fields: &Map<String, Value>) -> Outcome {
        let f = Fields(fields);
        let body = f.body("body")?;
        let display_at = f.time("display_at")?;
        let deliver = f.boolean("deliver_notifications")?;
        let twitter = f.boolean("wants_twitter_update")?;
        let incident = self
            .incidents
            .iter_mut()
            .find(|i| i.id.as_str() == id)
            .ok_or_else(Reply::not_found)?;
        let update = incident
            .incident_updates
            .iter_mut()
            .find(|u| u.id.as_str() == update_id)
            .ok_or_else(Reply::not_found)?;
        if body.is_some() {
            update.body = body;
        }
        if display_at.is_some() {
            update.display_at = display_at;
        }
        if deliver.is_some() {
            update.deliver_notifications = deliver;
        }
        if twitter.is_some() {
            update.wants_twitter_update = twitter;
        }
        update.updated_at = Some(Utc::now());
        Reply::ok(update.clone())
    }

    // ----- postmortems -----

    fn postmortem(&self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        Reply::ok(
            self.postmortems
                .get(&incident.id)
                .ok_or_else(Reply::not_found)?,
        )
    }

    fn save_postmortem(&mut self, id: &str, fields: &Map<String, Value>) -> Outcome {
        let incident = self.incident(id)?;
        let draft = Fields(fields)
            .body("body_draft")?
            .ok_or_else(|| Reply::invalid("Body draft can't be blank"))?;
        let now = Utc::now();
        let postmortem = match self.postmortems.get(&incident.id) {
            Some(existing) => {
                let mut p = existing.clone();
                p.body_draft = Some(draft);
                p.body_draft_updated_at = Some(now);
                p.updated_at = Some(now);
                p
            }
            None => build(json!({
                "preview_key": format!("preview{}", incident.id), "body_draft": draft,
                "body_draft_updated_at": now, "created_at": now, "updated_at": now,
                "notify_subscribers": false, "notify_twitter": false,
            }))?,
        };
        self.postmortems.insert(incident.id, postmortem.clone());
        Reply::ok(postmortem)
    }

    fn publish_postmortem(&mut self, id: &str, body: Option<&Value>) -> Outcome {
        let incident = self.incident(id)?;
        let empty = Map::new();
        let f = Fields(
            body.and_then(|b| b.get("postmortem"))
                .and_then(Value::as_object)
                .unwrap_or(&empty),
        );
        let notify_subscribers = f.boolean("notify_subscribers")?.unwrap_or(false);
        let notify_twitter = f.boolean("notify_twitter")?.unwrap_or(false);
        let tweet = f.string("custom_tweet")?;
        let p = self
            .postmortems
            .get_mut(&incident.id)
            .ok_or_else(Reply::not_found)?;
        let Some(draft) = p.body_draft.clone() else {
            return Err(Reply::invalid("There is no draft to publish"));
        };
        let now = Utc::now();
        p.body = Some(draft.clone());
        p.body_updated_at = Some(now);
        p.published_at = Some(now);
        p.notify_subscribers = Some(notify_subscribers);
        p.notify_twitter = Some(notify_twitter);
        p.custom_tweet = tweet;
        let published = p.clone();
        if let Some(i) = self.incidents.iter_mut().find(|i| i.id == incident.id) {
            i.postmortem_body = Some(draft);
            i.postmortem_body_last_updated_at = Some(now);
            i.postmortem_published_at = Some(now);
            i.postmortem_notified_subscribers = Some(notify_subscribers);
            i.postmortem_notified_twitter = Some(notify_twitter);
            if i.status == IncidentStatus::Resolved {
                i.status = IncidentStatus::Postmortem;
            }
        }
        Reply::ok(published)
    }

    fn revert_postmortem(&mut self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        let p = self
            .postmortems
            .get_mut(&incident.id)
            .ok_or_else(Reply::not_found)?;
        p.published_at = None;
        p.body = None;
        let reverted = p.clone();
        if let Some(i) = self.incidents.iter_mut().find(|i| i.id == incident.id) {
            i.postmortem_published_at = None;
            i.postmortem_body = None;
            if i.status == IncidentStatus::Postmortem {
                i.status = IncidentStatus::Resolved;
            }
        }
        Reply::ok(reverted)
    }

    fn delete_postmortem(&mut self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        self.postmortems
            .remove(&incident.id)
            .ok_or_else(Reply::not_found)?;
        if let Some(i) = self.incidents.iter_mut().find(|i| i.id == incident.id) {
            i.postmortem_published_at = None;
            i.postmortem_body = None;
        }
        Reply::no_content()
    }

    // ----- templates -----

    fn create_template(&mut self, fields: &Map<String, Value>) -> Outcome {
        let f = Fields(fields);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let title = f
            .name("title")?
            .ok_or_else(|| Reply::invalid("Title can't be blank"))?;
        let update_status = f
            .string("update_status")?
            .map(|s| known_incident_status(&s))
            .transpose()?;
        let ids: Vec<ComponentId> = f
            .ids("component_ids")?
            .unwrap_or_default()
            .into_iter()
            .map(ComponentId::new)
            .collect();
        if ids
            .iter()
            .any(|c| !self.components.iter().any(|x| &x.id == c))
        {
            return Err(Reply::invalid("Components must exist"));
        }
        let components: Vec<Component> = self
            .components
            .iter()
            .filter(|c| ids.contains(&c.id))
            .cloned()
            .collect();
        let template: IncidentTemplate = build(json!({
            "id": self.new_id("tpl0"), "name": name, "title": title, "body": f.body("body")?,
            "group_id": f.string("group_id")?, "update_status": update_status,
            "should_tweet": f.boolean("should_tweet")?.unwrap_or(false),
            "should_send_notifications": f.boolean("should_send_notifications")?.unwrap_or(true),
            "components": components,
        }))?;
        self.templates.push(template.clone());
        Reply::created(template)
    }

    // ----- subscribers -----

    fn subscriber(&self, scope: Option<&IncidentId>, id: &str) -> Result<Subscriber, Reply> {
        self.subscribers
            .iter()
            .find(|(s, sub)| s.as_ref() == scope && sub.id.as_str() == id)
            .map(|(_, sub)| sub.clone())
            .ok_or_else(Reply::not_found)
    }

    fn list_subscribers(&self, query: &HashMap<String, String>) -> Outcome {
        let state = query.get("state").map_or("active", String::as_str);
        if !["active", "unconfirmed", "quarantined", "all"].contains(&state) {
            return Err(Reply::bad_request("state is not valid"));
        }
        let mut list: Vec<Subscriber> = self
            .subscribers
            .iter()
            .filter(|(scope, _)| scope.is_none())
            .map(|(_, s)| s.clone())
            .filter(|s| match state {
                "quarantined" => s.quarantined_at.is_some(),
                "active" => s.quarantined_at.is_none(),
                "unconfirmed" => false,
                _ => true,
            })
            .collect();
        if let Some(kind) = query.get("type") {
            let kind = SubscriberType::from_api(kind);
            list.retain(|s| s.mode.as_ref() == Some(&kind));
        }
        if let Some(q) = query.get("q").map(|q| q.to_lowercase()) {
            list.retain(|s| {
                [&s.email, &s.endpoint, &s.phone_number]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|v| v.to_lowercase().contains(&q)))
            });
        }
        if query.get("sort_direction").map(String::as_str) == Some("desc") {
            list.reverse();
        }
        Reply::ok(paged(&list, query, "limit", 0)?)
    }

    fn create_subscriber(
        &mut self,
        scope: Option<IncidentId>,
        fields: &Map<String, Value>,
    ) -> Outcome {
        let f = Fields(fields);
        let email = f.string("email")?.filter(|s| !s.trim().is_empty());
        let endpoint = f.string("endpoint")?.filter(|s| !s.trim().is_empty());
        let phone = f.string("phone_number")?.filter(|s| !s.trim().is_empty());
        let mode = match (&endpoint, &phone, &email) {
            (Some(url), _, _) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(Reply::invalid("Endpoint is not a valid URL"));
                }
                SubscriberType::Webhook
            }
            (None, Some(_), _) => SubscriberType::Sms,
            (None, None, Some(email)) => {
                if !email.contains('@') {
                    return Err(Reply::invalid("Email is invalid"));
                }
                SubscriberType::Email
            }
            (None, None, None) => {
                return Err(Reply::invalid(
                    "Email, endpoint or phone number must be present",
                ));
            }
        };
        let ids = f.ids("component_ids")?.unwrap_or_default();
        if ids
            .iter()
            .any(|c| !self.components.iter().any(|x| x.id.as_str() == c))
        {
            return Err(Reply::invalid("Components must exist"));
        }
        let subscriber: Subscriber = build(json!({
            "id": self.new_id("sub0"), "mode": mode, "email": email, "endpoint": endpoint,
            "phone_number": phone, "phone_country": f.string("phone_country")?,
            "skip_confirmation_notification": f.boolean("skip_confirmation_notification")?.unwrap_or(false),
            "components": ids, "created_at": Utc::now(),
        }))?;
        self.subscribers.push((scope, subscriber.clone()));
        Reply::created(subscriber)
    }

    fn delete_subscriber(&mut self, scope: Option<&IncidentId>, id: &str) -> Outcome {
        let subscriber = self.subscriber(scope, id)?;
        self.subscribers
            .retain(|(s, sub)| !(s.as_ref() == scope && sub.id == subscriber.id));
        Reply::ok(subscriber)
    }

    // ----- metrics -----

    fn metric(&self, id: &str) -> Result<Metric, Reply> {
        self.metrics
            .iter()
            .find(|m| m.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    fn point(value: &Value) -> Result<MetricPoint, Reply> {
        let timestamp = value
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| Reply::invalid("timestamp must be Unix seconds"))?;
        let number = value
            .get("value")
            .and_then(Value::as_f64)
            .ok_or_else(|| Reply::invalid("value must be a number"))?;
        let at = timestamp
            .checked_sub(timestamp.rem_euclid(30))
            .and_then(|snapped| DateTime::from_timestamp(snapped, 0))
            .ok_or_else(|| Reply::invalid("timestamp is out of range"))?;
        if at < Utc::now() - chrono::Duration::days(28) {
            return Err(Reply::invalid("timestamp is more than 28 days in the past"));
        }
        Ok(MetricPoint::new(at, number))
    }

    fn record(&mut self, metric: MetricId, point: MetricPoint) {
        let points = self.points.entry(metric).or_default();
        // Points snap to 30 s; a second point in the same slot replaces the first.
        points.retain(|p| p.timestamp != point.timestamp);
        points.push(point);
        points.sort_by_key(|p| p.timestamp);
    }

    fn submit_point(&mut self, id: &str, body: Option<&Value>) -> Outcome {
        let metric = self.metric(id)?.id;
        let data = body
            .and_then(|b| b.get("data"))
            .ok_or_else(|| Reply::bad_request("param is missing or the value is empty: data"))?;
        let point = Self::point(data)?;
        self.record(metric, point);
        Reply::created(json!({"data": point}))
    }

    fn submit_bulk(&mut self, body: Option<&Value>) -> Outcome {
        let data = wrapped(body, "data")?;
        let mut accepted = Vec::new();
        for (id, points) in data {
            let metric = self
                .metric(id)
                .map_err(|_| Reply::invalid(format!("Metric {id} does not exist")))?
                .id;
            let points = points
                .as_array()
                .ok_or_else(|| Reply::invalid("data must map metric ids to lists of points"))?;
            for point in points {
                accepted.push((metric.clone(), Self::point(point)?));
            }
        }
        for (metric, point) in accepted {
            self.record(metric, point);
        }
        Ok(Reply {
            status: 202,
            body: Some(json!({})),
        })
    }

    // ----- public Status API v2 -----

    /// Handles one public v2 request (`segments` after `/api/v2`, `.json` removed).
    pub(crate) fn public(&self, segments: &[&str]) -> Reply {
        let page = json!({
            "id": self.page.id, "name": self.page.name, "url": self.page.url,
            "time_zone": self.page.time_zone, "updated_at": self.page.updated_at,
        });
        let newest = self.newest_first();
        let unresolved: Vec<&Incident> = newest
            .iter()
            .filter(|i| !i.status.is_maintenance() && !i.status.is_closed())
            .collect();
        let maintenances: Vec<&Incident> = newest
            .iter()
            .filter(|i| i.scheduled_for.is_some())
            .collect();
        let upcoming: Vec<&Incident> = maintenances
            .iter()
            .copied()
            .filter(|i| i.status == IncidentStatus::Scheduled)
            .collect();
        let active: Vec<&Incident> = maintenances
            .iter()
            .copied()
            .filter(|i| {
                matches!(
                    i.status,
                    IncidentStatus::InProgress | IncidentStatus::Verifying
                )
            })
            .collect();
        let (indicator, description) = self.indicator(&unresolved, !active.is_empty());
        let status = json!({"indicator": indicator, "description": description});
        let outcome = match segments {
            ["summary"] => {
                let mut open_maintenances = upcoming.clone();
                open_maintenances.extend(active.iter().copied());
                Reply::ok(json!({
                    "page": page, "status": status, "components": self.public_components(),
                    "incidents": unresolved, "scheduled_maintenances": open_maintenances,
                }))
            }
            ["status"] => Reply::ok(json!({"page": page, "status": status})),
            ["components"] => {
                Reply::ok(json!({"page": page, "components": self.public_components()}))
            }
            ["incidents"] => Reply::ok(
                json!({"page": page, "incidents": newest.iter().take(50).collect::<Vec<_>>()}),
            ),
            ["incidents", "unresolved"] => {
                Reply::ok(json!({"page": page, "incidents": unresolved}))
            }
            ["scheduled-maintenances"] => Reply::ok(
                json!({"page": page, "scheduled_maintenances": maintenances.iter().take(50).collect::<Vec<_>>()}),
            ),
            ["scheduled-maintenances", "upcoming"] => {
                Reply::ok(json!({"page": page, "scheduled_maintenances": upcoming}))
            }
            ["scheduled-maintenances", "active"] => {
                Reply::ok(json!({"page": page, "scheduled_maintenances": active}))
            }
            _ => Err(Reply::not_found()),
        };
        outcome.unwrap_or_else(|reply| reply)
    }

    /// Components as the public API shows them: groups are components with `group: true`.
    fn public_components(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for group in &self.groups {
            let members: Vec<&Component> = self
                .components
                .iter()
                .filter(|c| group.components.contains(&c.id))
                .collect();
            let worst = members
                .iter()
                .map(|c| c.status.clone())
                .max_by_key(severity)
                .unwrap_or(ComponentStatus::Operational);
            out.push(json!({
                "id": group.id, "page_id": self.page.id, "name": group.name, "description": group.description,
                "status": worst, "position": group.position, "created_at": group.created_at,
                "updated_at": group.updated_at, "group": true, "group_id": null, "showcase": false,
                "only_show_if_degraded": false, "start_date": null, "components": group.components,
            }));
        }
        for component in &self.components {
            let mut value = json!(component);
            if let Some(map) = value.as_object_mut() {
                map.remove("automation_email");
            }
            out.push(value);
        }
        out
    }

    fn indicator(
        &self,
        unresolved: &[&Incident],
        maintenance: bool,
    ) -> (&'static str, &'static str) {
        let worst_impact = unresolved
            .iter()
            .filter_map(|i| i.impact.as_ref().map(impact_rank))
            .max()
            .unwrap_or(0);
        let worst_component = self
            .components
            .iter()
            .map(|c| severity(&c.status))
            .max()
            .unwrap_or(0);
        match worst_impact.max(match worst_component {
            4 => 2,
            2 | 3 => 1,
            _ => 0,
        }) {
            3 => ("critical", "Major System Outage"),
            2 => ("major", "Partial System Outage"),
            1 => ("minor", "Minor Service Outage"),
            _ if maintenance
                || self
                    .components
                    .iter()
                    .any(|c| c.status == ComponentStatus::UnderMaintenance) =>
            {
                ("maintenance", "Service Under Maintenance")
            }
            _ => ("none", "All Systems Operational"),
        }
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
