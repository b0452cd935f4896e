//! Alerts (`/v2/alerts` on Opsgenie, `/v1/alerts` on JSM), one module per concern:
//!
//! - this module: the models ([`Alert`], [`AlertStatus`], [`Priority`], [`Responder`], ...),
//!   [`AlertRef`] and `get`;
//! - [`create`](CreateAlert): creating an alert;
//! - `actions`: the action table ([`AlertAction`]) and one action on one alert;
//! - `bulk`: one action on many alerts, its outcomes told apart ([`BulkResult`]);
//! - `confirm`: confirming a bulk action by the pager's own state;
//! - `list`: listing, streaming and counting;
//! - `notes`: notes and the activity log.
//!
//! What differs between the backends (routes, bodies, envelopes) is in the crate's `backend`
//! module.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::backend::Endpoint;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::AlertId;

mod actions;
mod bulk;
mod confirm;
mod create;
mod list;
mod notes;

pub use actions::{ActionRoute, AlertAction, AlertActionRequest};
pub use bulk::{
    BulkKind, BulkOutcome, BulkRequest, BulkResult, BulkSummary, ConfirmedBy, GoneCause,
};
pub use create::{CreateAlert, CreateAlertBody};
pub(crate) use create::{check_details, check_list};
pub(crate) use list::ListEnvelope;
pub use list::{AlertPage, AlertSort, CountAlerts, ListAlerts, Paging};
pub use notes::{CursorList, CursorPage, ListLogs, ListNotes, LogEntry, Note};

/// `offset + limit` may not exceed this in an alert list call.
pub const LIST_CEILING: u32 = 20_000;

opsbot_http::vendor_enum! {
    /// The state of an alert. Opsgenie knows `open` and `closed` (acknowledgement and snooze
    /// are flags beside it); JSM Operations has `open`, `acked`, `resolved`, `snoozed` and
    /// `closed`. Use [`is_open`](Self::is_open) to ask whether an alert still needs closing.
    pub enum AlertStatus as "alert status" {
        /// Open (on JSM: open and not acknowledged or snoozed).
        Open => "open",
        /// Acknowledged, still open (JSM).
        Acked => "acked",
        /// Resolved (JSM): the problem is gone, the alert is not closed yet.
        Resolved => "resolved",
        /// Snoozed, still open (JSM).
        Snoozed => "snoozed",
        /// Closed.
        Closed => "closed",
    }
}

impl AlertStatus {
    /// Whether an alert in this state is still open: `open`, `acked`, `snoozed` and
    /// `resolved` (a resolved JSM alert is not closed yet) are; `closed` is not. An unknown
    /// state counts as open, so nothing is taken for done that may not be.
    pub fn is_open(&self) -> bool {
        !matches!(self, AlertStatus::Closed)
    }
}

opsbot_http::vendor_enum! {
    /// Alert and incident priority (`P3` when not given).
    pub enum Priority as "priority" {
        /// Critical.
        P1 => "P1",
        /// High.
        P2 => "P2",
        /// Moderate (the default).
        P3 => "P3",
        /// Low.
        P4 => "P4",
        /// Informational.
        P5 => "P5",
    }
}

opsbot_http::vendor_enum! {
    /// The kind of a responder.
    pub enum ResponderType as "responder type" {
        /// A team.
        Team => "team",
        /// A user.
        User => "user",
        /// An escalation.
        Escalation => "escalation",
        /// A schedule.
        Schedule => "schedule",
    }
}

/// A responder of an alert or incident: a team, user, escalation or schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Responder {
    /// The kind of responder.
    #[serde(default, rename = "type")]
    pub kind: ResponderType,
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (teams, escalations, schedules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its username (users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl Responder {
    fn new(kind: ResponderType) -> Self {
        Responder {
            kind,
            id: None,
            name: None,
            username: None,
        }
    }

    /// A team by name.
    pub fn team(name: impl Into<String>) -> Self {
        Responder {
            name: Some(name.into()),
            ..Responder::new(ResponderType::Team)
        }
    }

    /// A user by username (email).
    pub fn user(username: impl Into<String>) -> Self {
        Responder {
            username: Some(username.into()),
            ..Responder::new(ResponderType::User)
        }
    }

    /// An escalation by name.
    pub fn escalation(name: impl Into<String>) -> Self {
        Responder {
            name: Some(name.into()),
            ..Responder::new(ResponderType::Escalation)
        }
    }

    /// A schedule by name.
    pub fn schedule(name: impl Into<String>) -> Self {
        Responder {
            name: Some(name.into()),
            ..Responder::new(ResponderType::Schedule)
        }
    }

    /// Any kind by id.
    pub fn with_id(kind: ResponderType, id: impl Into<String>) -> Self {
        Responder {
            id: Some(id.into()),
            ..Responder::new(kind)
        }
    }
}

/// The integration an alert came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Integration {
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its type, for example `API`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Who acknowledged or closed an alert, and how long it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlertReport {
    /// Milliseconds from creation to acknowledgement.
    #[serde(default)]
    pub ack_time: Option<u64>,
    /// Milliseconds from creation to close.
    #[serde(default)]
    pub close_time: Option<u64>,
    /// Who acknowledged it.
    #[serde(default)]
    pub acknowledged_by: Option<String>,
    /// Who closed it.
    #[serde(default)]
    pub closed_by: Option<String>,
}

/// An alert.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Alert {
    /// The alert id.
    pub id: AlertId,
    /// The short number shown to people (`42`).
    #[serde(default)]
    pub tiny_id: Option<String>,
    /// The de-duplication key.
    #[serde(default)]
    pub alias: Option<String>,
    /// The message.
    #[serde(default)]
    pub message: String,
    /// Its state (see [`AlertStatus::is_open`]).
    #[serde(default)]
    pub status: Option<AlertStatus>,
    /// Whether it is acknowledged.
    #[serde(default)]
    pub acknowledged: bool,
    /// Whether someone saw it (`isSeen`; filled from `seen` when only that was sent, as JSM does).
    #[serde(default)]
    pub is_seen: Option<bool>,
    /// Whether someone saw it (`seen`, sent by some endpoints and by JSM instead of `isSeen`).
    #[serde(default)]
    pub seen: Option<bool>,
    /// Tags.
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether it is snoozed.
    #[serde(default)]
    pub snoozed: bool,
    /// Until when it is snoozed.
    #[serde(default)]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// How many times it occurred (alias de-duplication bumps it).
    #[serde(default)]
    pub count: Option<u64>,
    /// When it last occurred (JSM spells it `lastOccuredAt`).
    #[serde(default, alias = "lastOccuredAt")]
    pub last_occurred_at: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last updated.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Its source.
    #[serde(default)]
    pub source: Option<String>,
    /// Its owner (`""` when nobody owns it; see [`Alert::owner`]).
    #[serde(default)]
    pub owner: Option<String>,
    /// Its priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Its responders.
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default)]
    pub responders: Vec<Responder>,
    /// The integration it came from (JSM's flat `integrationType`/`integrationName` land here).
    #[serde(default)]
    pub integration: Option<Integration>,
    /// JSM's flat `integrationType`, moved into `integration` once decoded.
    #[serde(default, rename = "integrationType", skip_serializing)]
    pub(crate) flat_integration_type: Option<String>,
    /// JSM's flat `integrationName`, moved into `integration` once decoded.
    #[serde(default, rename = "integrationName", skip_serializing)]
    pub(crate) flat_integration_name: Option<String>,
    /// Acknowledgement and close report.
    #[serde(default)]
    pub report: Option<AlertReport>,
    /// The owner team's id.
    #[serde(default)]
    pub owner_team_id: Option<String>,
    /// Custom actions (only in `get`).
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default)]
    pub actions: Vec<String>,
    /// Entity (only in `get`).
    #[serde(default)]
    pub entity: Option<String>,
    /// Description (only in `get`).
    #[serde(default)]
    pub description: Option<String>,
    /// Details (only in `get`; JSM calls them `extraProperties`).
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default, alias = "extraProperties")]
    pub details: BTreeMap<String, String>,
}

impl Alert {
    /// Brings the JSM spellings into the one shape: `seen` fills `is_seen`, the flat
    /// integration fields fill `integration`.
    pub(crate) fn normalized(mut self) -> Alert {
        if self.is_seen.is_none() {
            self.is_seen = self.seen;
        }
        let kind = self.flat_integration_type.take();
        let name = self.flat_integration_name.take();
        if kind.is_some() || name.is_some() {
            let integration = self.integration.get_or_insert(Integration {
                id: None,
                name: None,
                kind: None,
            });
            integration.kind = integration.kind.take().or(kind);
            integration.name = integration.name.take().or(name);
        }
        self
    }

    /// The owner, or `None` when the alert has none (Opsgenie sends `""`).
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref().filter(|s| !s.is_empty())
    }

    /// Whether the alert is still open: its status is not `closed` (an acknowledged or
    /// snoozed alert is open; see [`AlertStatus::is_open`]). `false` when the answer had no status.
    pub fn is_open(&self) -> bool {
        self.status.as_ref().is_some_and(AlertStatus::is_open)
    }

    /// Whether someone acknowledged the alert (`acknowledged`, or JSM's `acked` status).
    pub fn is_acknowledged(&self) -> bool {
        self.acknowledged || self.status == Some(AlertStatus::Acked)
    }
}

/// How an alert is identified in a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentifierType {
    /// The alert id.
    Id,
    /// The tiny id.
    Tiny,
    /// The alias (identifies only an open alert).
    Alias,
}

impl IdentifierType {
    /// The `identifierType` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierType::Id => "id",
            IdentifierType::Tiny => "tiny",
            IdentifierType::Alias => "alias",
        }
    }
}

/// An alert identified by id, tiny id or alias. Identifiers are percent-encoded in paths,
/// so aliases with `/`, spaces or any unicode are safe.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AlertRef {
    /// The identifier.
    pub value: String,
    /// What kind of identifier it is.
    pub kind: IdentifierType,
}

impl AlertRef {
    /// By alert id (an [`AlertId`], or its text).
    pub fn id(id: impl Into<AlertId>) -> Self {
        AlertRef {
            value: id.into().into_inner(),
            kind: IdentifierType::Id,
        }
    }

    /// The alert id, when this reference is by id.
    pub fn alert_id(&self) -> Option<AlertId> {
        (self.kind == IdentifierType::Id).then(|| AlertId::new(self.value.clone()))
    }

    /// By tiny id (`"42"`).
    pub fn tiny(tiny_id: impl Into<String>) -> Self {
        AlertRef {
            value: tiny_id.into(),
            kind: IdentifierType::Tiny,
        }
    }

    /// By alias.
    pub fn alias(alias: impl Into<String>) -> Self {
        AlertRef {
            value: alias.into(),
            kind: IdentifierType::Alias,
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.value.is_empty() {
            return Err(Error::invalid("identifier", "must not be empty"));
        }
        Ok(())
    }
}

impl AlertRef {
    /// The alert id this reference names. Opsgenie takes every kind in the path, so there it
    /// is returned as is; JSM takes only ids, so there an alias is looked up with
    /// `GET /v1/alerts/alias?alias=` and a tiny id with a search (`tinyId:42`). An unknown one
    /// is a 404 [`Error::Api`].
    pub(crate) async fn resolve(&self, client: &Client) -> Result<AlertRef> {
        self.check()?;
        if !client.is_jsm() || self.kind == IdentifierType::Id {
            return Ok(self.clone());
        }
        if self.kind == IdentifierType::Alias {
            let alert = get_by_alias(client, &self.value).await?;
            return Ok(AlertRef::from(alert.id));
        }
        if !self.value.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::invalid("identifier", "a tiny id is a number"));
        }
        let page = client
            .alerts()
            .list()
            .query(format!("tinyId:{}", self.value))
            .limit(2)
            .await?;
        let found = page
            .alerts
            .into_iter()
            .find(|a| a.tiny_id.as_deref() == Some(self.value.as_str()))
            .ok_or_else(|| not_found(format!("no alert with {self}")))?;
        Ok(AlertRef::from(found.id))
    }
}

/// JSM's `GET /v1/alerts/alias?alias=` (getAlertWithAlias).
async fn get_by_alias(client: &Client, alias: &str) -> Result<Alert> {
    let req = client
        .request(Endpoint::AlertGetByAlias, &[])?
        .query("alias", alias);
    client.get_data::<Alert>(req).await.map(Alert::normalized)
}

/// A 404 the client concludes itself (a lookup found nothing).
pub(crate) fn not_found(message: String) -> Error {
    Error::Api(Box::new(crate::error::ApiError {
        status: 404,
        message,
        body: String::new(),
        request_id: None,
        errors: BTreeMap::new(),
        error_type: None,
    }))
}

impl std::fmt::Display for AlertRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.value)
    }
}

impl From<AlertId> for AlertRef {
    fn from(id: AlertId) -> Self {
        AlertRef::id(id)
    }
}

impl From<&AlertId> for AlertRef {
    fn from(id: &AlertId) -> Self {
        AlertRef::id(id.clone())
    }
}

impl From<&Alert> for AlertRef {
    fn from(alert: &Alert) -> Self {
        AlertRef::id(alert.id.clone())
    }
}

/// The alert resource; see [`Client::alerts`].
#[derive(Clone, Copy, Debug)]
pub struct Alerts<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// The alert API (`/v2/alerts`).
    pub fn alerts(&self) -> Alerts<'_> {
        Alerts { client: self }
    }
}

impl<'a> Alerts<'a> {
    /// Gets one alert by id, tiny id or alias (`GET /v2/alerts/{identifier}`; on JSM
    /// `GET /v1/alerts/{id}`, or `GET /v1/alerts/alias?alias=` for an alias).
    ///
    /// # Errors
    /// The API's error (404 when there is no such alert), or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let alert = client.alerts().get(opsgenie_client::AlertRef::tiny("42")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, alert: impl Into<AlertRef>) -> Result<Alert> {
        let alert = alert.into();
        alert.check()?;
        if self.client.is_jsm() && alert.kind == IdentifierType::Alias {
            return get_by_alias(self.client, &alert.value).await;
        }
        let alert = alert.resolve(self.client).await?;
        let req = self
            .client
            .request(Endpoint::AlertGet, &[&alert.value])?
            .query("identifierType", alert.kind.as_str());
        self.client
            .get_data::<Alert>(req)
            .await
            .map(Alert::normalized)
    }
}
