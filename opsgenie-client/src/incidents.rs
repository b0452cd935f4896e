//! Incidents (`/v1/incidents`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::alerts::{ListEnvelope, Paging, Priority, Responder};
use crate::client::Client;
use crate::common::{Order, null_as_empty};
use crate::error::{Error, Result};
use crate::ids::IncidentId;
use crate::macros::{check_len, check_opt, into_future};
use crate::requests::{RequestHandle, RequestKind};
use crate::transport::Req;

opsbot_http::vendor_enum! {
    /// The state of an incident.
    pub enum IncidentStatus as "incident status" {
        /// Open.
        Open => "open",
        /// Resolved.
        Resolved => "resolved",
        /// Closed.
        Closed => "closed",
    }
}

/// An incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Incident {
    /// Its id.
    pub id: IncidentId,
    /// Its short number.
    #[serde(default)]
    pub tiny_id: Option<String>,
    /// Its message.
    #[serde(default)]
    pub message: String,
    /// Its state.
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    /// Whether someone saw it.
    #[serde(default)]
    pub is_seen: Option<bool>,
    /// Tags.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last updated.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Its source.
    #[serde(default)]
    pub source: Option<String>,
    /// Its owner.
    #[serde(default)]
    pub owner: Option<String>,
    /// Its priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Its responders.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub responders: Vec<Responder>,
    /// The owning team's id.
    #[serde(default)]
    pub owner_team: Option<String>,
    /// Custom properties (what alerts call `details`).
    #[serde(default)]
    pub extra_properties: BTreeMap<String, String>,
    /// The impacted service ids.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub impacted_services: Vec<String>,
}

/// An incident by id or tiny id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IncidentRef {
    value: String,
    tiny: bool,
}

impl IncidentRef {
    /// By id (a `&str`, a `String` or an [`IncidentId`]).
    pub fn id(id: impl Into<IncidentId>) -> Self {
        IncidentRef {
            value: id.into().into_inner(),
            tiny: false,
        }
    }

    /// By tiny id.
    pub fn tiny(tiny_id: impl Into<String>) -> Self {
        IncidentRef {
            value: tiny_id.into(),
            tiny: true,
        }
    }

    fn kind(&self) -> &'static str {
        if self.tiny { "tiny" } else { "id" }
    }

    fn check(&self) -> Result<()> {
        if self.value.trim().is_empty() {
            return Err(Error::invalid("identifier", "must not be empty"));
        }
        Ok(())
    }
}

impl From<IncidentId> for IncidentRef {
    fn from(id: IncidentId) -> Self {
        IncidentRef::id(id)
    }
}

/// The status page entry of a new incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusPageEntry {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A page of incidents.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IncidentPage {
    /// The incidents.
    pub incidents: Vec<Incident>,
    /// Paging links.
    pub paging: Option<Paging>,
}

/// The incident resource; see [`Client::incidents`].
#[derive(Clone, Copy, Debug)]
pub struct Incidents<'a> {
    client: &'a Client,
}

impl Client {
    /// The incident API (`/v1/incidents`).
    pub fn incidents(&self) -> Incidents<'_> {
        Incidents { client: self }
    }
}

impl<'a> Incidents<'a> {
    /// Creates an incident (`POST /v1/incidents/create`); await the builder for a handle whose
    /// outcome carries the incident id.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::Priority;
    /// let done = client
    ///     .incidents()
    ///     .create("Checkout is down", "service-fake-1")
    ///     .priority(Priority::P1)
    ///     .await?
    ///     .wait()
    ///     .await?;
    /// println!("incident {:?}", done.incident_id());
    /// # Ok(()) }
    /// ```
    pub fn create(
        self,
        message: impl Into<String>,
        service_id: impl Into<String>,
    ) -> CreateIncident<'a> {
        CreateIncident {
            client: self.client,
            body: CreateIncidentBody {
                message: message.into(),
                service_id: service_id.into(),
                ..CreateIncidentBody::default()
            },
        }
    }

    /// Gets one incident (`GET /v1/incidents/{identifier}`).
    ///
    /// # Errors
    /// The API's error (404 for an unknown incident) or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::incidents::IncidentRef;
    /// let incident = client.incidents().get(IncidentRef::tiny("7")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, incident: impl Into<IncidentRef>) -> Result<crate::Incident> {
        self.client.opsgenie_only(INCIDENTS)?;
        let incident = incident.into();
        incident.check()?;
        let req = Req::opsgenie(
            Method::GET,
            "/v1/incidents/{identifier}",
            &[&incident.value],
        )?
        .query("identifierType", incident.kind());
        self.client.get_data(req).await
    }

    /// Lists one page of incidents (`GET /v1/incidents`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.incidents().list().query("status:open").await?;
    /// # Ok(()) }
    /// ```
    pub fn list(self) -> ListIncidents<'a> {
        ListIncidents {
            client: self.client,
            query: None,
            offset: 0,
            limit: None,
            sort: None,
            order: None,
        }
    }

    fn action(
        self,
        incident: impl Into<IncidentRef>,
        what: &'static str,
        template: &'static str,
    ) -> IncidentAction<'a> {
        IncidentAction {
            client: self.client,
            incident: incident.into(),
            what,
            template,
            note: None,
        }
    }

    /// Resolves an incident (`POST /v1/incidents/{identifier}/resolve`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::incidents::IncidentRef;
    /// client.incidents().resolve(IncidentRef::tiny("7")).note("fixed").await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn resolve(self, incident: impl Into<IncidentRef>) -> IncidentAction<'a> {
        self.action(incident, "resolve", "/v1/incidents/{identifier}/resolve")
    }

    /// Closes an incident (`POST /v1/incidents/{identifier}/close`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::incidents::IncidentRef;
    /// client.incidents().close(IncidentRef::tiny("7")).await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn close(self, incident: impl Into<IncidentRef>) -> IncidentAction<'a> {
        self.action(incident, "close", "/v1/incidents/{identifier}/close")
    }

    /// Adds a note (`POST /v1/incidents/{identifier}/notes`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::incidents::IncidentRef;
    /// client.incidents().add_note(IncidentRef::tiny("7"), "rolled back").await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn add_note(
        self,
        incident: impl Into<IncidentRef>,
        note: impl Into<String>,
    ) -> IncidentAction<'a> {
        let mut action = self.action(incident, "notes", "/v1/incidents/{identifier}/notes");
        action.note = Some(note.into());
        action
    }

    /// A handle for an incident request id, to read its outcome
    /// (`GET /v1/incidents/requests/{id}`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let outcome = client.incidents().request("req-fake-1").wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn request(self, request_id: impl Into<crate::RequestId>) -> RequestHandle {
        RequestHandle::new(self.client, request_id, RequestKind::Incident)
    }
}

/// The create-incident payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateIncidentBody {
    message: String,
    service_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    responders: Vec<Responder>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_page_entry: Option<StatusPageEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_stakeholders: Option<bool>,
}

/// Builder of `POST /v1/incidents/create`; see [`Incidents::create`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateIncident<'a> {
    client: &'a Client,
    body: CreateIncidentBody,
}

impl CreateIncident<'_> {
    /// The description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Adds a responder.
    pub fn responder(mut self, responder: Responder) -> Self {
        self.body.responders.push(responder);
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.body.tags.push(tag.into());
        self
    }

    /// Adds a detail.
    pub fn detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body.details.insert(key.into(), value.into());
        self
    }

    /// The priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.body.priority = Some(priority);
        self
    }

    /// A note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.body.note = Some(note.into());
        self
    }

    /// Posts an entry to the status page.
    pub fn status_page_entry(
        mut self,
        title: impl Into<String>,
        description: Option<String>,
    ) -> Self {
        self.body.status_page_entry = Some(StatusPageEntry {
            title: title.into(),
            description,
        });
        self
    }

    /// Whether stakeholders are notified.
    pub fn notify_stakeholders(mut self, notify: bool) -> Self {
        self.body.notify_stakeholders = Some(notify);
        self
    }
}

/// JSM Operations has no incident API (JSM incidents are Jira issues).
const INCIDENTS: &str = "the incident API (JSM incidents are Jira issues)";

into_future!(CreateIncident, RequestHandle, |this| {
    this.client.opsgenie_only(INCIDENTS)?;
    let b = &this.body;
    if b.message.trim().is_empty() {
        return Err(Error::invalid("message", "must not be empty"));
    }
    check_len("message", &b.message, 130)?;
    if b.service_id.trim().is_empty() {
        return Err(Error::invalid("service_id", "must not be empty"));
    }
    check_opt("description", b.description.as_ref(), 15_000)?;
    check_opt("note", b.note.as_ref(), 25_000)?;
    if b.tags.len() > 20 {
        return Err(Error::invalid("tags", "at most 20 allowed"));
    }
    let req = Req::opsgenie(Method::POST, "/v1/incidents/create", &[])?.json(&this.body)?;
    let raw = this.client.execute(req).await?;
    RequestHandle::from_raw(this.client, &raw, RequestKind::Incident)
});

/// Builder of an incident action (resolve, close, add note); await it for a [`RequestHandle`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct IncidentAction<'a> {
    client: &'a Client,
    incident: IncidentRef,
    what: &'static str,
    template: &'static str,
    note: Option<String>,
}

impl IncidentAction<'_> {
    /// A note added with the action.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

into_future!(IncidentAction, RequestHandle, |this| {
    this.client.opsgenie_only(INCIDENTS)?;
    this.incident.check()?;
    check_opt("note", this.note.as_ref(), 25_000)?;
    if this.what == "notes" && this.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(Error::invalid("note", "must not be empty"));
    }
    let body = serde_json::json!({ "note": this.note });
    let body = if this.note.is_some() {
        body
    } else {
        serde_json::json!({})
    };
    let req = Req::opsgenie(Method::POST, this.template, &[&this.incident.value])?
        .query("identifierType", this.incident.kind())
        .json(&body)?
        .safe();
    let raw = this.client.execute(req).await?;
    RequestHandle::from_raw(this.client, &raw, RequestKind::Incident)
});

/// Builder of `GET /v1/incidents`; see [`Incidents::list`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListIncidents<'a> {
    client: &'a Client,
    query: Option<String>,
    offset: u32,
    limit: Option<u32>,
    sort: Option<String>,
    order: Option<Order>,
}

impl ListIncidents<'_> {
    /// The search query, for example `status:open`.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// The first item.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }

    /// Items per page, 1 to 100.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The sort field, for example `createdAt`.
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// The sort order.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }
}

into_future!(ListIncidents, IncidentPage, |this| {
    this.client.opsgenie_only(INCIDENTS)?;
    if let Some(limit) = this.limit
        && !(1..=100).contains(&limit)
    {
        return Err(Error::invalid("limit", "must be between 1 and 100"));
    }
    let req = Req::opsgenie(Method::GET, "/v1/incidents", &[])?
        .query_opt("query", this.query.clone())
        .query("offset", this.offset.to_string())
        .query_opt("limit", this.limit.map(|l| l.to_string()))
        .query_opt("sort", this.sort.clone())
        .query_opt("order", this.order.as_ref().map(|o| o.as_str().to_owned()));
    let list: ListEnvelope<Incident> = this.client.execute(req).await?.decode()?;
    Ok(IncidentPage {
        incidents: list.data,
        paging: list.paging,
    })
});
