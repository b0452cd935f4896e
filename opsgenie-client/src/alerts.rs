//! Alerts (`/v2/alerts`): models, create, get, list and stream, count, actions, notes, logs, bulk.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::marker::PhantomData;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Req};
use crate::common::{NamedRef, Order, UserRef, next_offset};
use crate::error::{Error, Result};
use crate::ids::AlertId;
use crate::macros::{check_len, check_opt, into_future, vendor_enum};
use crate::requests::{RequestHandle, RequestKind, RequestStatus};

/// `offset + limit` may not exceed this in an alert list call.
pub const LIST_CEILING: u32 = 20_000;

vendor_enum!(
    /// Whether an alert is open or closed.
    AlertStatus {
        /// Open.
        Open => "open",
        /// Closed.
        Closed => "closed",
    }
);

vendor_enum!(
    /// Alert and incident priority (`P3` when not given).
    Priority {
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
);

vendor_enum!(
    /// The kind of a responder.
    ResponderType {
        /// A team.
        Team => "team",
        /// A user.
        User => "user",
        /// An escalation.
        Escalation => "escalation",
        /// A schedule.
        Schedule => "schedule",
    }
);

vendor_enum!(
    /// The field an alert list is sorted by.
    AlertSort {
        /// `createdAt` (the default).
        CreatedAt => "createdAt",
        /// `updatedAt`.
        UpdatedAt => "updatedAt",
        /// `tinyId`.
        TinyId => "tinyId",
        /// `alias`.
        Alias => "alias",
        /// `message`.
        Message => "message",
        /// `status`.
        Status => "status",
        /// `acknowledged`.
        Acknowledged => "acknowledged",
        /// `isSeen`.
        IsSeen => "isSeen",
        /// `snoozed`.
        Snoozed => "snoozed",
        /// `snoozedUntil`.
        SnoozedUntil => "snoozedUntil",
        /// `count`.
        Count => "count",
        /// `lastOccurredAt`.
        LastOccurredAt => "lastOccurredAt",
        /// `source`.
        Source => "source",
        /// `owner`.
        Owner => "owner",
        /// `integration.name`.
        IntegrationName => "integration.name",
        /// `integration.type`.
        IntegrationType => "integration.type",
        /// `report.ackTime`.
        AckTime => "report.ackTime",
        /// `report.closeTime`.
        CloseTime => "report.closeTime",
        /// `report.acknowledgedBy`.
        AcknowledgedBy => "report.acknowledgedBy",
        /// `report.closedBy`.
        ClosedBy => "report.closedBy",
    }
);

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
    /// Open or closed.
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

    /// Whether the alert is open.
    pub fn is_open(&self) -> bool {
        self.status == Some(AlertStatus::Open)
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
    /// By alert id.
    pub fn id(id: impl Into<String>) -> Self {
        AlertRef {
            value: id.into(),
            kind: IdentifierType::Id,
        }
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

    fn check(&self) -> Result<()> {
        if self.value.is_empty() {
            return Err(Error::invalid("identifier", "must not be empty"));
        }
        Ok(())
    }
}

impl AlertRef {
    /// The alert id this reference names. Opsgenie takes every kind in the path; JSM takes
    /// only ids, so there a tiny id or an alias is first looked up with a search
    /// (`tinyId:42`, `alias:"..."` among open alerts). An unknown one is a 404 [`Error::Api`].
    pub(crate) async fn resolve(&self, client: &Client) -> Result<AlertRef> {
        self.check()?;
        if !client.is_jsm() || self.kind == IdentifierType::Id {
            return Ok(self.clone());
        }
        let query = match self.kind {
            IdentifierType::Tiny => {
                if !self.value.chars().all(|c| c.is_ascii_digit()) {
                    return Err(Error::invalid("identifier", "a tiny id is a number"));
                }
                format!("tinyId:{}", self.value)
            }
            _ => format!(
                "status:open AND alias:\"{}\"",
                self.value.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        };
        let page = client.alerts().list().query(query).limit(2).await?;
        let found = page
            .alerts
            .into_iter()
            .find(|a| match self.kind {
                IdentifierType::Tiny => a.tiny_id.as_deref() == Some(self.value.as_str()),
                _ => a.alias.as_deref() == Some(self.value.as_str()),
            })
            .ok_or_else(|| {
                Error::Api(Box::new(crate::error::ApiError {
                    status: 404,
                    message: format!("no alert with {self}"),
                    body: String::new(),
                    request_id: None,
                    errors: BTreeMap::new(),
                    error_type: None,
                }))
            })?;
        Ok(AlertRef::id(found.id.0))
    }
}

impl std::fmt::Display for AlertRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.value)
    }
}

impl From<AlertId> for AlertRef {
    fn from(id: AlertId) -> Self {
        AlertRef::id(id.0)
    }
}

impl From<&AlertId> for AlertRef {
    fn from(id: &AlertId) -> Self {
        AlertRef::id(id.0.clone())
    }
}

impl From<&Alert> for AlertRef {
    fn from(alert: &Alert) -> Self {
        AlertRef::id(alert.id.0.clone())
    }
}

/// The alert resource; see [`Client::alerts`].
#[derive(Clone, Copy, Debug)]
pub struct Alerts<'a> {
    client: &'a Client,
}

impl Client {
    /// The alert API (`/v2/alerts`).
    pub fn alerts(&self) -> Alerts<'_> {
        Alerts { client: self }
    }
}

impl<'a> Alerts<'a> {
    /// Creates an alert (`POST /v2/alerts`); the documented limits are checked before sending.
    ///
    /// Retried on server errors only when it carries an alias (Opsgenie de-duplicates by alias).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a broken limit (nothing is sent), or the API's error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{Priority, Responder};
    ///
    /// let created = client
    ///     .alerts()
    ///     .create("Database down")
    ///     .alias("db-down")
    ///     .priority(Priority::P1)
    ///     .responder(Responder::team("ops"))
    ///     .tag("db")
    ///     .await?
    ///     .wait()
    ///     .await?;
    /// println!("created {:?}", created.alert_id());
    /// # Ok(()) }
    /// ```
    pub fn create(self, message: impl Into<String>) -> CreateAlert<'a> {
        CreateAlert {
            client: self.client,
            body: CreateAlertBody {
                message: message.into(),
                ..CreateAlertBody::default()
            },
        }
    }

    /// Gets one alert by id, tiny id or alias (`GET /v2/alerts/{identifier}`).
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
        let alert = alert.into().resolve(self.client).await?;
        let req = Req::get("/v2/alerts/{identifier}", &["v2", "alerts", &alert.value])
            .query("identifierType", alert.kind.as_str());
        self.client
            .get_data::<Alert>(req)
            .await
            .map(Alert::normalized)
    }

    /// Lists one page of alerts (`GET /v2/alerts`); `.stream()` on the builder yields every match.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.alerts().list().query("status:open").limit(50).await?;
    /// for alert in &page.alerts {
    ///     println!("#{:?} {}", alert.tiny_id, alert.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(self) -> ListAlerts<'a> {
        ListAlerts {
            client: self.client,
            query: None,
            offset: 0,
            limit: None,
            sort: None,
            order: None,
            search: None,
        }
    }

    /// Counts the alerts matching a query (`GET /v2/alerts/count`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let n: u64 = client.alerts().count().query("status:open").await?;
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> CountAlerts<'a> {
        CountAlerts {
            client: self.client,
            query: None,
            search: None,
        }
    }

    fn action(self, alert: impl Into<AlertRef>, action: AlertAction) -> AlertActionRequest<'a> {
        AlertActionRequest {
            client: self.client,
            alert: alert.into(),
            action,
            user: None,
            source: None,
            note: None,
        }
    }

    /// Acknowledges an alert (`POST /v2/alerts/{identifier}/acknowledge`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::AlertRef;
    /// client.alerts().acknowledge(AlertRef::tiny("42")).user("ann").await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn acknowledge(self, alert: impl Into<AlertRef>) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Acknowledge)
    }

    /// Removes the acknowledgement (`POST .../unacknowledge`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().unacknowledge(opsgenie_client::AlertRef::tiny("42")).await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn unacknowledge(self, alert: impl Into<AlertRef>) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Unacknowledge)
    }

    /// Closes an alert (`POST .../close`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::AlertRef;
    /// client.alerts().close(AlertRef::tiny("42")).user("ann").note("fixed").await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn close(self, alert: impl Into<AlertRef>) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Close)
    }

    /// Adds a note (`POST .../notes`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::AlertRef;
    /// client.alerts().add_note(AlertRef::tiny("42"), "looking").user("ann").await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn add_note(
        self,
        alert: impl Into<AlertRef>,
        note: impl Into<String>,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::AddNote(note.into()))
    }

    /// Snoozes an alert until `end_time` (`POST .../snooze`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let until = chrono::Utc::now() + chrono::Duration::hours(1);
    /// client.alerts().snooze(opsgenie_client::AlertRef::tiny("42"), until).await?;
    /// # Ok(()) }
    /// ```
    pub fn snooze(
        self,
        alert: impl Into<AlertRef>,
        end_time: DateTime<Utc>,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Snooze(end_time))
    }

    /// Escalates to an escalation (`POST .../escalate`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{AlertRef, NamedRef};
    /// client.alerts().escalate(AlertRef::tiny("42"), NamedRef::name("ops-escalation")).await?;
    /// # Ok(()) }
    /// ```
    pub fn escalate(
        self,
        alert: impl Into<AlertRef>,
        escalation: NamedRef,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Escalate(escalation))
    }

    /// Assigns an owner (`POST .../assign`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{AlertRef, UserRef};
    /// client.alerts().assign(AlertRef::tiny("42"), UserRef::username("ann@example.com")).await?;
    /// # Ok(()) }
    /// ```
    pub fn assign(self, alert: impl Into<AlertRef>, owner: UserRef) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Assign(owner))
    }

    /// Adds a team (`POST .../teams`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{AlertRef, NamedRef};
    /// client.alerts().add_team(AlertRef::tiny("42"), NamedRef::name("ops")).await?;
    /// # Ok(()) }
    /// ```
    pub fn add_team(self, alert: impl Into<AlertRef>, team: NamedRef) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::AddTeam(team))
    }

    /// Adds a responder (`POST .../responders`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{AlertRef, Responder};
    /// client.alerts().add_responder(AlertRef::tiny("42"), Responder::user("ann@example.com")).await?;
    /// # Ok(()) }
    /// ```
    pub fn add_responder(
        self,
        alert: impl Into<AlertRef>,
        responder: Responder,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::AddResponder(responder))
    }

    /// Runs a custom action (`POST .../actions/{action}`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().custom_action(opsgenie_client::AlertRef::tiny("42"), "restart").await?;
    /// # Ok(()) }
    /// ```
    pub fn custom_action(
        self,
        alert: impl Into<AlertRef>,
        action: impl Into<String>,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Custom(action.into()))
    }

    /// Adds tags (`POST .../tags`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().add_tags(opsgenie_client::AlertRef::tiny("42"), ["db", "prod"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn add_tags<I, S>(self, alert: impl Into<AlertRef>, tags: I) -> AlertActionRequest<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tags = tags.into_iter().map(Into::into).collect();
        self.action(alert, AlertAction::AddTags(tags))
    }

    /// Removes tags (`DELETE .../tags?tags=a,b`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().remove_tags(opsgenie_client::AlertRef::tiny("42"), ["db"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn remove_tags<I, S>(self, alert: impl Into<AlertRef>, tags: I) -> AlertActionRequest<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tags = tags.into_iter().map(Into::into).collect();
        self.action(alert, AlertAction::RemoveTags(tags))
    }

    /// Adds details (`POST .../details`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().add_details(opsgenie_client::AlertRef::tiny("42"), [("host", "db1")]).await?;
    /// # Ok(()) }
    /// ```
    pub fn add_details<I, K, V>(
        self,
        alert: impl Into<AlertRef>,
        details: I,
    ) -> AlertActionRequest<'a>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let details = details
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.action(alert, AlertAction::AddDetails(details))
    }

    /// Removes details by key (`DELETE .../details?keys=a,b`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().remove_details(opsgenie_client::AlertRef::tiny("42"), ["host"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn remove_details<I, S>(self, alert: impl Into<AlertRef>, keys: I) -> AlertActionRequest<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys = keys.into_iter().map(Into::into).collect();
        self.action(alert, AlertAction::RemoveDetails(keys))
    }

    /// Changes the priority (`PUT .../priority`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{AlertRef, Priority};
    /// client.alerts().update_priority(AlertRef::tiny("42"), Priority::P1).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_priority(
        self,
        alert: impl Into<AlertRef>,
        priority: Priority,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::UpdatePriority(priority))
    }

    /// Changes the message (`PUT .../message`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().update_message(opsgenie_client::AlertRef::tiny("42"), "DB down").await?;
    /// # Ok(()) }
    /// ```
    pub fn update_message(
        self,
        alert: impl Into<AlertRef>,
        message: impl Into<String>,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::UpdateMessage(message.into()))
    }

    /// Changes the description (`PUT .../description`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().update_description(opsgenie_client::AlertRef::tiny("42"), "details").await?;
    /// # Ok(()) }
    /// ```
    pub fn update_description(
        self,
        alert: impl Into<AlertRef>,
        description: impl Into<String>,
    ) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::UpdateDescription(description.into()))
    }

    /// Deletes an alert (`DELETE /v2/alerts/{identifier}`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.alerts().delete(opsgenie_client::AlertRef::tiny("42")).user("ann").await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(self, alert: impl Into<AlertRef>) -> AlertActionRequest<'a> {
        self.action(alert, AlertAction::Delete)
    }

    /// Runs any [`AlertAction`] on one alert.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{AlertAction, AlertRef};
    /// client.alerts().run(AlertRef::tiny("42"), AlertAction::Close).await?.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn run(self, alert: impl Into<AlertRef>, action: AlertAction) -> AlertActionRequest<'a> {
        self.action(alert, action)
    }

    /// Runs one action on many alerts at once and waits for every outcome.
    ///
    /// Requests run concurrently within the client's concurrency limit, which halves when
    /// Opsgenie throttles and recovers as requests succeed; a throttled submission is sent again
    /// after the throttle, so no action is lost. The result has one [`BulkOutcome`] per alert,
    /// in the order given.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use opsgenie_client::{AlertAction, AlertRef};
    ///
    /// let open: Vec<_> = client.alerts().list().query("status:open").stream().try_collect().await?;
    /// let outcomes = client
    ///     .alerts()
    ///     .bulk(open.iter().map(AlertRef::from), AlertAction::Acknowledge)
    ///     .user("opsbot")
    ///     .await;
    /// for o in &outcomes {
    ///     match &o.result {
    ///         Ok(done) => println!("{}: {}", o.alert, done.status),
    ///         Err(e) => println!("{}: failed: {e}", o.alert),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn bulk<I>(self, alerts: I, action: AlertAction) -> BulkRequest<'a>
    where
        I: IntoIterator,
        I::Item: Into<AlertRef>,
    {
        BulkRequest {
            client: self.client,
            alerts: alerts.into_iter().map(Into::into).collect(),
            action,
            user: None,
            source: None,
            note: None,
            parallel_jobs: None,
            outcome_timeout: None,
        }
    }

    /// Lists the notes of an alert, one page (`GET .../notes`); `.stream()` yields all.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.alerts().notes(opsgenie_client::AlertRef::tiny("42")).limit(20).await?;
    /// for note in page.items { println!("{}: {}", note.owner.unwrap_or_default(), note.note); }
    /// # Ok(()) }
    /// ```
    pub fn notes(self, alert: impl Into<AlertRef>) -> ListNotes<'a> {
        CursorList::new(
            self.client,
            alert.into(),
            "notes",
            "/v2/alerts/{identifier}/notes",
        )
    }

    /// Lists the activity log of an alert, one page (`GET .../logs`); `.stream()` yields all.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.alerts().logs(opsgenie_client::AlertRef::tiny("42")).await?;
    /// # Ok(()) }
    /// ```
    pub fn logs(self, alert: impl Into<AlertRef>) -> ListLogs<'a> {
        CursorList::new(
            self.client,
            alert.into(),
            "logs",
            "/v2/alerts/{identifier}/logs",
        )
    }
}

/// Builder of `POST /v2/alerts`; see [`Alerts::create`]. Await it for a [`RequestHandle`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateAlert<'a> {
    client: &'a Client,
    body: CreateAlertBody,
}

/// The create-alert payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateAlertBody {
    /// Message (at most 130 characters).
    pub message: String,
    /// Alias (de-duplication key, at most 512 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Description (at most 15,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Responders.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub responders: Vec<Responder>,
    /// Who can see the alert.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub visible_to: Vec<Responder>,
    /// Custom actions (at most 10, each at most 50 characters).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Tags (at most 20, each at most 50 characters).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Details (at most 8,000 characters in total).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// Entity (at most 512 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Source (at most 100 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Priority (P3 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Display name of the request owner (at most 100 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A note added on creation (at most 25,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CreateAlertBody {
    /// Checks the documented limits.
    fn validate(&self) -> Result<()> {
        if self.message.trim().is_empty() {
            return Err(Error::invalid("message", "must not be empty"));
        }
        check_len("message", &self.message, 130)?;
        check_opt("alias", self.alias.as_ref(), 512)?;
        check_opt("description", self.description.as_ref(), 15_000)?;
        check_list("actions", &self.actions, 10, 50)?;
        check_list("tags", &self.tags, 20, 50)?;
        check_details(&self.details)?;
        check_opt("entity", self.entity.as_ref(), 512)?;
        check_opt("source", self.source.as_ref(), 100)?;
        check_opt("user", self.user.as_ref(), 100)?;
        check_opt("note", self.note.as_ref(), 25_000)?;
        Ok(())
    }
}

fn check_list(
    field: &'static str,
    items: &[String],
    max_items: usize,
    max_len: usize,
) -> Result<()> {
    if items.len() > max_items {
        return Err(Error::invalid(
            field,
            format!("{} items, at most {max_items} allowed", items.len()),
        ));
    }
    for item in items {
        if item.trim().is_empty() {
            return Err(Error::invalid(field, "items must not be empty"));
        }
        check_len(field, item, max_len)?;
    }
    Ok(())
}

fn check_details(details: &BTreeMap<String, String>) -> Result<()> {
    let total: usize = details
        .iter()
        .map(|(k, v)| k.chars().count() + v.chars().count())
        .sum();
    if total > 8_000 {
        return Err(Error::invalid(
            "details",
            format!("{total} characters in total, at most 8000 allowed"),
        ));
    }
    Ok(())
}

impl CreateAlert<'_> {
    /// Sets the alias (de-duplication key).
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.body.alias = Some(alias.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Adds a responder.
    pub fn responder(mut self, responder: Responder) -> Self {
        self.body.responders.push(responder);
        self
    }

    /// Adds a team, user, escalation or schedule that can see the alert.
    pub fn visible_to(mut self, responder: Responder) -> Self {
        self.body.visible_to.push(responder);
        self
    }

    /// Adds a custom action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.body.actions.push(action.into());
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

    /// Sets the entity.
    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.body.entity = Some(entity.into());
        self
    }

    /// Sets the source.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.body.source = Some(source.into());
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.body.priority = Some(priority);
        self
    }

    /// Sets the user (display name of the request owner).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.body.user = Some(user.into());
        self
    }

    /// Sets a note added on creation.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.body.note = Some(note.into());
        self
    }
}

into_future!(CreateAlert, RequestHandle, |this| {
    this.body.validate()?;
    let mut req = if this.client.is_jsm() {
        let mut body = to_value(&this.body)?;
        if let Some(obj) = body.as_object_mut()
            && let Some(details) = obj.remove("details")
        {
            obj.insert("extraProperties".into(), details);
        }
        Req::new(Method::POST, "/v2/alerts", &["v2", "alerts"]).json(&body)?
    } else {
        Req::new(Method::POST, "/v2/alerts", &["v2", "alerts"]).json(&this.body)?
    };
    if this.body.alias.is_some() {
        req = req.safe();
    }
    let raw = this.client.execute(req).await?;
    RequestHandle::from_raw(this.client, &raw, RequestKind::Alert)
});

/// An action on an alert, for [`Alerts::run`] and [`Alerts::bulk`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AlertAction {
    /// Acknowledge.
    Acknowledge,
    /// Remove the acknowledgement.
    Unacknowledge,
    /// Close.
    Close,
    /// Add a note.
    AddNote(String),
    /// Snooze until a time.
    Snooze(DateTime<Utc>),
    /// Escalate to an escalation.
    Escalate(NamedRef),
    /// Assign an owner.
    Assign(UserRef),
    /// Add a team.
    AddTeam(NamedRef),
    /// Add a responder.
    AddResponder(Responder),
    /// Run a custom action by name.
    Custom(String),
    /// Add tags.
    AddTags(Vec<String>),
    /// Remove tags.
    RemoveTags(Vec<String>),
    /// Add details.
    AddDetails(BTreeMap<String, String>),
    /// Remove details by key.
    RemoveDetails(Vec<String>),
    /// Change the priority.
    UpdatePriority(Priority),
    /// Change the message.
    UpdateMessage(String),
    /// Change the description.
    UpdateDescription(String),
    /// Delete the alert.
    Delete,
}

impl AlertAction {
    /// A short name of the action (`acknowledge`, `close`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            AlertAction::Acknowledge => "acknowledge",
            AlertAction::Unacknowledge => "unacknowledge",
            AlertAction::Close => "close",
            AlertAction::AddNote(_) => "add note",
            AlertAction::Snooze(_) => "snooze",
            AlertAction::Escalate(_) => "escalate",
            AlertAction::Assign(_) => "assign",
            AlertAction::AddTeam(_) => "add team",
            AlertAction::AddResponder(_) => "add responder",
            AlertAction::Custom(_) => "custom action",
            AlertAction::AddTags(_) => "add tags",
            AlertAction::RemoveTags(_) => "remove tags",
            AlertAction::AddDetails(_) => "add details",
            AlertAction::RemoveDetails(_) => "remove details",
            AlertAction::UpdatePriority(_) => "update priority",
            AlertAction::UpdateMessage(_) => "update message",
            AlertAction::UpdateDescription(_) => "update description",
            AlertAction::Delete => "delete",
        }
    }
}

/// Builder of one alert action; await it for a [`RequestHandle`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct AlertActionRequest<'a> {
    client: &'a Client,
    alert: AlertRef,
    action: AlertAction,
    user: Option<String>,
    source: Option<String>,
    note: Option<String>,
}

impl AlertActionRequest<'_> {
    /// Who performs the action (display name, at most 100 characters).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The source of the action (at most 100 characters).
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A note added with the action (at most 25,000 characters). Ignored by the
    /// update-priority/message/description calls, which take no note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

#[derive(Serialize)]
struct ActionBody<'b> {
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'b String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'b String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'b String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

fn to_value<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::invalid("body", e.to_string()))
}

/// Builds an action's request after resolving the alert (JSM takes ids only).
async fn resolved_action(
    client: &Client,
    alert: &AlertRef,
    action: &AlertAction,
    user: Option<&String>,
    source: Option<&String>,
    note: Option<&String>,
) -> Result<Req> {
    if client.is_jsm() {
        jsm_supports(action)?;
    }
    let alert = alert.resolve(client).await?;
    let req = build_action(&alert, action, user, source, note)?;
    if client.is_jsm() {
        return jsm_action(req, action);
    }
    Ok(req)
}

/// What JSM does not offer, or offers only in another form.
fn jsm_supports(action: &AlertAction) -> Result<()> {
    let operation = match action {
        AlertAction::Custom(_) => "custom alert actions",
        AlertAction::AddTeam(_) => "adding a team to an alert (add a team responder instead)",
        AlertAction::Assign(owner) if owner.jsm_account_id().is_none() => {
            "assigning by e-mail (JSM assigns by Atlassian account id: UserRef::id)"
        }
        _ => return Ok(()),
    };
    Err(Error::Unsupported {
        backend: "jsm",
        operation,
    })
}

/// JSM calls details `extraProperties` (path `extra-properties`); assignment takes the
/// account id only.
fn jsm_action(mut req: Req, action: &AlertAction) -> Result<Req> {
    match action {
        AlertAction::AddDetails(_) | AlertAction::RemoveDetails(_) => {
            if let Some(last) = req.segments.last_mut() {
                *last = "extra-properties".to_owned();
            }
            req.template = "/v1/alerts/{id}/extra-properties";
            if let Some(body) = &req.body {
                let mut value: serde_json::Value = serde_json::from_slice(body)
                    .map_err(|e| Error::invalid("body", e.to_string()))?;
                if let Some(obj) = value.as_object_mut()
                    && let Some(details) = obj.remove("details")
                {
                    obj.insert("extraProperties".into(), details);
                }
                req = req.json(&value)?;
            }
        }
        AlertAction::Assign(owner) => {
            let mut value: serde_json::Value = match &req.body {
                Some(body) => serde_json::from_slice(body)
                    .map_err(|e| Error::invalid("body", e.to_string()))?,
                None => serde_json::json!({}),
            };
            if let Some(obj) = value.as_object_mut() {
                let id = owner.jsm_account_id();
                obj.insert("owner".into(), serde_json::json!({ "id": id }));
            }
            req = req.json(&value)?;
        }
        _ => {}
    }
    Ok(req)
}

pub(crate) fn build_action(
    alert: &AlertRef,
    action: &AlertAction,
    user: Option<&String>,
    source: Option<&String>,
    note: Option<&String>,
) -> Result<Req> {
    alert.check()?;
    check_opt("user", user, 100)?;
    check_opt("source", source, 100)?;
    check_opt("note", note, 25_000)?;
    let id = alert.value.as_str();
    let kind = alert.kind.as_str();
    let mut extra = serde_json::Map::new();
    let mut note = note;
    let post = |template: &'static str, tail: &[&str]| {
        let mut segs = vec!["v2", "alerts", id];
        segs.extend_from_slice(tail);
        Req::new(Method::POST, template, &segs)
    };
    let req = match action {
        AlertAction::Acknowledge => post("/v2/alerts/{identifier}/acknowledge", &["acknowledge"]),
        AlertAction::Unacknowledge => {
            post("/v2/alerts/{identifier}/unacknowledge", &["unacknowledge"])
        }
        AlertAction::Close => post("/v2/alerts/{identifier}/close", &["close"]),
        AlertAction::AddNote(text) => {
            if text.trim().is_empty() {
                return Err(Error::invalid("note", "must not be empty"));
            }
            check_len("note", text, 25_000)?;
            note = Some(text);
            post("/v2/alerts/{identifier}/notes", &["notes"])
        }
        AlertAction::Snooze(end) => {
            extra.insert("endTime".into(), to_value(end)?);
            post("/v2/alerts/{identifier}/snooze", &["snooze"])
        }
        AlertAction::Escalate(escalation) => {
            check_named("escalation", escalation)?;
            extra.insert("escalation".into(), to_value(escalation)?);
            post("/v2/alerts/{identifier}/escalate", &["escalate"])
        }
        AlertAction::Assign(owner) => {
            if owner.id.is_none() && owner.username.is_none() {
                return Err(Error::invalid("owner", "needs an id or a username"));
            }
            extra.insert("owner".into(), to_value(owner)?);
            post("/v2/alerts/{identifier}/assign", &["assign"])
        }
        AlertAction::AddTeam(team) => {
            check_named("team", team)?;
            extra.insert("team".into(), to_value(team)?);
            post("/v2/alerts/{identifier}/teams", &["teams"])
        }
        AlertAction::AddResponder(responder) => {
            if responder.id.is_none() && responder.name.is_none() && responder.username.is_none() {
                return Err(Error::invalid(
                    "responder",
                    "needs an id, a name or a username",
                ));
            }
            extra.insert("responder".into(), to_value(responder)?);
            post("/v2/alerts/{identifier}/responders", &["responders"])
        }
        AlertAction::Custom(name) => {
            if name.trim().is_empty() {
                return Err(Error::invalid("action", "must not be empty"));
            }
            check_len("action", name, 50)?;
            post(
                "/v2/alerts/{identifier}/actions/{action}",
                &["actions", name],
            )
        }
        AlertAction::AddTags(tags) => {
            if tags.is_empty() {
                return Err(Error::invalid("tags", "must not be empty"));
            }
            check_list("tags", tags, 20, 50)?;
            extra.insert("tags".into(), to_value(tags)?);
            post("/v2/alerts/{identifier}/tags", &["tags"])
        }
        AlertAction::AddDetails(details) => {
            if details.is_empty() {
                return Err(Error::invalid("details", "must not be empty"));
            }
            check_details(details)?;
            extra.insert("details".into(), to_value(details)?);
            post("/v2/alerts/{identifier}/details", &["details"])
        }
        AlertAction::RemoveTags(tags) => {
            return delete_with_list(id, kind, "tags", tags, user, source, note);
        }
        AlertAction::RemoveDetails(keys) => {
            return delete_with_list(id, kind, "details", keys, user, source, note);
        }
        AlertAction::UpdatePriority(p) => {
            let body = serde_json::json!({ "priority": p });
            return put(id, kind, "priority", &body);
        }
        AlertAction::UpdateMessage(m) => {
            if m.trim().is_empty() {
                return Err(Error::invalid("message", "must not be empty"));
            }
            check_len("message", m, 130)?;
            return put(id, kind, "message", &serde_json::json!({ "message": m }));
        }
        AlertAction::UpdateDescription(d) => {
            check_len("description", d, 15_000)?;
            return put(
                id,
                kind,
                "description",
                &serde_json::json!({ "description": d }),
            );
        }
        AlertAction::Delete => {
            let req = Req::new(
                Method::DELETE,
                "/v2/alerts/{identifier}",
                &["v2", "alerts", id],
            )
            .query("identifierType", kind)
            .query_opt("user", user.cloned())
            .query_opt("source", source.cloned());
            return Ok(req);
        }
    };
    let body = ActionBody {
        user,
        source,
        note,
        extra,
    };
    req.query("identifierType", kind).json(&body).map(Req::safe)
}

fn check_named(field: &'static str, r: &NamedRef) -> Result<()> {
    if r.id.is_none() && r.name.is_none() {
        return Err(Error::invalid(field, "needs an id or a name"));
    }
    Ok(())
}

fn delete_with_list(
    id: &str,
    kind: &str,
    what: &'static str,
    items: &[String],
    user: Option<&String>,
    source: Option<&String>,
    note: Option<&String>,
) -> Result<Req> {
    if items.is_empty() {
        return Err(Error::invalid(what, "must not be empty"));
    }
    if items.iter().any(|i| i.contains(',') || i.trim().is_empty()) {
        return Err(Error::invalid(
            what,
            "items must be non-empty and contain no comma",
        ));
    }
    let (template, key) = if what == "tags" {
        ("/v2/alerts/{identifier}/tags", "tags")
    } else {
        ("/v2/alerts/{identifier}/details", "keys")
    };
    Ok(
        Req::new(Method::DELETE, template, &["v2", "alerts", id, what])
            .query("identifierType", kind.to_owned())
            .query(key, items.join(","))
            .query_opt("user", user.cloned())
            .query_opt("source", source.cloned())
            .query_opt("note", note.cloned()),
    )
}

fn put(id: &str, kind: &str, what: &'static str, body: &serde_json::Value) -> Result<Req> {
    let template = match what {
        "priority" => "/v2/alerts/{identifier}/priority",
        "message" => "/v2/alerts/{identifier}/message",
        _ => "/v2/alerts/{identifier}/description",
    };
    Req::new(Method::PUT, template, &["v2", "alerts", id, what])
        .query("identifierType", kind.to_owned())
        .json(body)
}

into_future!(AlertActionRequest, RequestHandle, |this| {
    let req = resolved_action(
        this.client,
        &this.alert,
        &this.action,
        this.user.as_ref(),
        this.source.as_ref(),
        this.note.as_ref(),
    )
    .await?;
    let raw = this.client.execute(req).await?;
    RequestHandle::from_raw(this.client, &raw, RequestKind::Alert)
});

/// The outcome of one alert in a [`BulkRequest`].
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkOutcome {
    /// The alert.
    pub alert: AlertRef,
    /// The processed outcome, or why there is none ([`Error::RequestFailed`] carries the
    /// server's status text).
    pub result: Result<RequestStatus>,
}

impl BulkOutcome {
    /// Whether the action succeeded.
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }
}

/// Builder of a bulk action; see [`Alerts::bulk`]. Await it for one [`BulkOutcome`] per alert.
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct BulkRequest<'a> {
    client: &'a Client,
    alerts: Vec<AlertRef>,
    action: AlertAction,
    user: Option<String>,
    source: Option<String>,
    note: Option<String>,
    parallel_jobs: Option<usize>,
    outcome_timeout: Option<Duration>,
}

/// How many times a throttled submission is sent again in a bulk job (after the client's own retries).
const BULK_RESUBMITS: u32 = 20;

impl BulkRequest<'_> {
    /// Who performs the actions.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The source of the actions.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A note added with each action.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// How many alerts are worked on at once (submitted or awaiting their outcome).
    /// Default: four times the client's `max_concurrency`; the HTTP requests themselves stay
    /// within the client's adaptive concurrency limit.
    pub fn parallel_jobs(mut self, jobs: usize) -> Self {
        self.parallel_jobs = Some(jobs.max(1));
        self
    }

    /// How long to wait for each outcome. Default: the client's `outcome_timeout`.
    pub fn outcome_timeout(mut self, timeout: Duration) -> Self {
        self.outcome_timeout = Some(timeout);
        self
    }
}

impl<'a> std::future::IntoFuture for BulkRequest<'a> {
    type Output = Vec<BulkOutcome>;
    type IntoFuture = futures_util::future::BoxFuture<'a, Vec<BulkOutcome>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let jobs = self
                .parallel_jobs
                .unwrap_or_else(|| self.client.max_concurrency().saturating_mul(4));
            let timeout = self
                .outcome_timeout
                .unwrap_or_else(|| self.client.outcome_timeout());
            let this = &self;
            let mut outcomes: Vec<(usize, BulkOutcome)> =
                stream::iter(self.alerts.clone().into_iter().enumerate())
                    .map(|(index, alert)| async move {
                        let result = this.one(&alert, timeout).await;
                        (index, BulkOutcome { alert, result })
                    })
                    .buffer_unordered(jobs)
                    .collect()
                    .await;
            outcomes.sort_by_key(|(i, _)| *i);
            outcomes.into_iter().map(|(_, o)| o).collect()
        })
    }
}

impl BulkRequest<'_> {
    async fn one(&self, alert: &AlertRef, timeout: Duration) -> Result<RequestStatus> {
        let mut resubmits = 0;
        let handle = loop {
            let req = resolved_action(
                self.client,
                alert,
                &self.action,
                self.user.as_ref(),
                self.source.as_ref(),
                self.note.as_ref(),
            )
            .await?;
            match self.client.execute(req).await {
                Ok(raw) => break RequestHandle::from_raw(self.client, &raw, RequestKind::Alert)?,
                // Refused, so nothing happened: send it again. The client already paused for
                // the refusal; a minute bucket (or a Retry-After) needs the whole client to wait
                // longer than the backoff did.
                Err(Error::RateLimited {
                    retry_after,
                    rate_limit,
                    ..
                }) if resubmits < BULK_RESUBMITS => {
                    resubmits += 1;
                    let pause = retry_after.or_else(|| {
                        rate_limit
                            .period_in_sec
                            .filter(|p| *p > 1)
                            .map(Duration::from_secs)
                    });
                    if let Some(pause) = pause {
                        self.client.throttle(pause.min(Duration::from_secs(60)));
                    }
                }
                Err(e) => return Err(e),
            }
        };
        handle.wait_timeout(timeout).await
    }
}

/// A page of alerts.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AlertPage {
    /// The alerts of this page.
    pub alerts: Vec<Alert>,
    /// Paging links, when the server sent them (JSM's `links`, relative URLs, land here too).
    pub paging: Option<Paging>,
    /// The total number of matches, when the server says (JSM's `count`).
    pub total: Option<u64>,
}

/// Paging links of a list answer (full URLs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Paging {
    /// The next page.
    #[serde(default)]
    pub next: Option<String>,
    /// The previous page.
    #[serde(default)]
    pub prev: Option<String>,
    /// The first page.
    #[serde(default)]
    pub first: Option<String>,
    /// The last page.
    #[serde(default)]
    pub last: Option<String>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct ListEnvelope<T> {
    /// `data` on Opsgenie, `values` on JSM.
    #[serde(
        default = "Vec::new",
        alias = "values",
        deserialize_with = "crate::common::null_as_empty"
    )]
    pub(crate) data: Vec<T>,
    /// `paging` on Opsgenie, `links` (relative URLs) on JSM.
    #[serde(default, alias = "links")]
    pub(crate) paging: Option<Paging>,
    /// JSM's total number of matches.
    #[serde(default)]
    pub(crate) count: Option<u64>,
}

/// Builder of `GET /v2/alerts`; see [`Alerts::list`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListAlerts<'a> {
    client: &'a Client,
    query: Option<String>,
    offset: u32,
    limit: Option<u32>,
    sort: Option<AlertSort>,
    order: Option<Order>,
    search: Option<(String, &'static str)>,
}

impl ListAlerts<'_> {
    /// The search query, for example `status:open AND priority:P1`.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// The first item (offset + limit must stay within 20,000; `.stream()` goes past it).
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }

    /// Items per page, 1 to 100 (Opsgenie's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The sort field (ignored by `.stream()`, which pages by `createdAt`).
    pub fn sort(mut self, sort: AlertSort) -> Self {
        self.sort = Some(sort);
        self
    }

    /// The sort order (Opsgenie's default is descending).
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Uses a saved search by id.
    pub fn saved_search_id(mut self, id: impl Into<String>) -> Self {
        self.search = Some((id.into(), "id"));
        self
    }

    /// Uses a saved search by name.
    pub fn saved_search_name(mut self, name: impl Into<String>) -> Self {
        self.search = Some((name.into(), "name"));
        self
    }

    fn validate(&self) -> Result<()> {
        if let Some(limit) = self.limit
            && !(1..=100).contains(&limit)
        {
            return Err(Error::invalid("limit", "must be between 1 and 100"));
        }
        let limit = self.limit.unwrap_or(20);
        if self.offset.saturating_add(limit) > LIST_CEILING {
            return Err(Error::invalid(
                "offset",
                "offset + limit must stay within 20000; use .stream() to go further",
            ));
        }
        Ok(())
    }

    fn request(&self, query: Option<&str>, offset: u32, sort: Option<&AlertSort>) -> Req {
        let mut req = Req::get("/v2/alerts", &["v2", "alerts"])
            .query_opt("query", query.map(str::to_owned))
            .query("offset", offset.to_string())
            .query_opt("limit", self.limit.map(|l| l.to_string()))
            .query_opt("sort", sort.map(|s| s.as_str().to_owned()))
            .query_opt("order", self.order.as_ref().map(|o| o.as_str().to_owned()));
        if let Some((value, kind)) = &self.search {
            req = req
                .query("searchIdentifier", value.clone())
                .query("searchIdentifierType", *kind);
        }
        req
    }

    /// Every alert that matches, across all pages, fetched lazily.
    ///
    /// Pages are sorted by `createdAt` (descending unless `.order(Order::Asc)`); when a page
    /// would pass Opsgenie's 20,000 offset+limit ceiling the stream continues with a
    /// `createdAt` window starting at the last alert seen, so it goes past the ceiling without
    /// gaps, and it skips alerts it already yielded, so there are no duplicates. To do so it
    /// remembers only the ids of the previous page (offset paging repeats alerts when new ones
    /// push the list down) and of the alerts at the newest `createdAt` millisecond (where the
    /// next window starts), so its memory stays flat however many alerts there are.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut open = std::pin::pin!(client.alerts().list().query("status:open").limit(100).stream());
    /// while let Some(alert) = open.try_next().await? {
    ///     println!("{}", alert.message);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Each item is an error when a page fails; [`Error::InvalidInput`] for a bad limit.
    pub fn stream(self) -> impl Stream<Item = Result<Alert>> + Send + 'static {
        let state = StreamState {
            invalid: self.validate().err(),
            list: self.clone().into_owned(),
            offset: self.offset,
            window: None,
            last_created_ms: None,
            previous_page: HashSet::new(),
            boundary: HashSet::new(),
            buffer: VecDeque::new(),
            done: false,
            stale_pages: 0,
        };
        stream::try_unfold(state, |mut st| async move {
            // A bad limit is reported once, as the first item; nothing is sent.
            if let Some(e) = st.invalid.take() {
                return Err(e);
            }
            loop {
                if let Some(alert) = st.buffer.pop_front() {
                    return Ok(Some((alert, st)));
                }
                if st.done {
                    return Ok(None);
                }
                let limit = st.list.limit.unwrap_or(20);
                if st.offset.saturating_add(limit) > LIST_CEILING {
                    let Some(ms) = st.last_created_ms else {
                        return Err(Error::invalid(
                            "createdAt",
                            "alerts without createdAt cannot be paged past 20000",
                        ));
                    };
                    if st.window == Some(ms) {
                        return Err(Error::invalid(
                            "createdAt",
                            "more than 20000 alerts share one createdAt millisecond",
                        ));
                    }
                    st.window = Some(ms);
                    st.offset = 0;
                }
                let query = window_query(st.list.query.as_deref(), st.window, &st.list.order);
                let req = st
                    .list
                    .request(query.as_deref(), st.offset, Some(&AlertSort::CreatedAt));
                let raw = st.list.client.execute(req).await?;
                let page: ListEnvelope<Alert> = raw.decode()?;
                let n = page.data.len();
                let mut this_page = HashSet::with_capacity(n);
                for alert in page.data.into_iter().map(Alert::normalized) {
                    // Every id is remembered for the next page, repeat or not (a short-circuit
                    // here forgot repeats, so the page after a repeated one yielded them again).
                    let first_on_page = this_page.insert(alert.id.clone());
                    let repeat = !first_on_page
                        || st.previous_page.contains(&alert.id)
                        || st.boundary.contains(&alert.id);
                    if let Some(created) = alert.created_at {
                        let ms = created.timestamp_millis();
                        if st.last_created_ms != Some(ms) {
                            st.boundary.clear();
                            st.last_created_ms = Some(ms);
                        }
                        st.boundary.insert(alert.id.clone());
                    }
                    if !repeat {
                        st.buffer.push_back(alert);
                    }
                }
                st.previous_page = this_page;
                st.offset = st.offset.saturating_add(limit);
                if n < limit as usize {
                    st.done = true;
                } else if st.buffer.is_empty() {
                    // A full page of alerts already yielded. Once can be real (alerts shifted
                    // by new ones); again and again is a server ignoring `offset`, which would
                    // otherwise be asked until the 20,000 ceiling and beyond.
                    st.stale_pages += 1;
                    if st.stale_pages >= MAX_STALE_PAGES {
                        tracing::warn!(
                            offset = st.offset,
                            "the server keeps answering alerts already seen: ending the stream"
                        );
                        st.done = true;
                    }
                } else {
                    st.stale_pages = 0;
                }
            }
        })
    }
}

struct StreamState {
    invalid: Option<Error>,
    list: OwnedList,
    offset: u32,
    window: Option<i64>,
    last_created_ms: Option<i64>,
    /// The ids of the previous page.
    previous_page: HashSet<AlertId>,
    /// The ids of the alerts at `last_created_ms`, where the next `createdAt` window starts.
    boundary: HashSet<AlertId>,
    buffer: VecDeque<Alert>,
    done: bool,
    /// Full pages in a row that brought no alert not yielded before.
    stale_pages: u32,
}

/// How many full pages in a row may bring nothing new before a stream ends.
const MAX_STALE_PAGES: u32 = 2;

/// A `ListAlerts` that owns a client clone, for `'static` streams.
struct OwnedList {
    client: Client,
    query: Option<String>,
    limit: Option<u32>,
    order: Option<Order>,
    search: Option<(String, &'static str)>,
}

impl ListAlerts<'_> {
    fn into_owned(self) -> OwnedList {
        OwnedList {
            client: self.client.clone(),
            query: self.query,
            limit: self.limit,
            order: self.order,
            search: self.search,
        }
    }
}

impl OwnedList {
    fn request(&self, query: Option<&str>, offset: u32, sort: Option<&AlertSort>) -> Req {
        let borrowed = ListAlerts {
            client: &self.client,
            query: None,
            offset,
            limit: self.limit,
            sort: None,
            order: self.order.clone(),
            search: self.search.clone(),
        };
        borrowed.request(query, offset, sort)
    }
}

/// The user's query, restricted to alerts created at or before (descending) or at or after
/// (ascending) the window start.
fn window_query(query: Option<&str>, window: Option<i64>, order: &Option<Order>) -> Option<String> {
    let Some(ms) = window else {
        return query.map(str::to_owned);
    };
    let op = if *order == Some(Order::Asc) {
        ">="
    } else {
        "<="
    };
    let bound = format!("createdAt {op} {ms}");
    Some(match query.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => format!("({q}) AND {bound}"),
        None => bound,
    })
}

into_future!(ListAlerts, AlertPage, |this| {
    this.validate()?;
    let req = this.request(this.query.as_deref(), this.offset, this.sort.as_ref());
    let raw = this.client.execute(req).await?;
    let page: ListEnvelope<Alert> = raw.decode()?;
    Ok(AlertPage {
        alerts: page.data.into_iter().map(Alert::normalized).collect(),
        paging: page.paging,
        total: page.count,
    })
});

/// Builder of `GET /v2/alerts/count`; see [`Alerts::count`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CountAlerts<'a> {
    client: &'a Client,
    query: Option<String>,
    search: Option<(String, &'static str)>,
}

impl CountAlerts<'_> {
    /// The search query.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// Uses a saved search by id.
    pub fn saved_search_id(mut self, id: impl Into<String>) -> Self {
        self.search = Some((id.into(), "id"));
        self
    }

    /// Uses a saved search by name.
    pub fn saved_search_name(mut self, name: impl Into<String>) -> Self {
        self.search = Some((name.into(), "name"));
        self
    }
}

#[derive(Deserialize)]
struct CountData {
    count: u64,
}

into_future!(CountAlerts, u64, |this| {
    let mut req = Req::get("/v2/alerts/count", &["v2", "alerts", "count"])
        .query_opt("query", this.query.clone());
    if let Some((value, kind)) = &this.search {
        req = req
            .query("searchIdentifier", value.clone())
            .query("searchIdentifierType", *kind);
    }
    let data: CountData = this.client.get_data(req).await?;
    Ok(data.count)
});

/// A note on an alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Note {
    /// The text.
    #[serde(default)]
    pub note: String,
    /// Who wrote it.
    #[serde(default)]
    pub owner: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The paging offset of this entry.
    #[serde(default)]
    pub offset: Option<String>,
}

/// An entry of an alert's activity log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogEntry {
    /// The text.
    #[serde(default)]
    pub log: String,
    /// The kind of entry, for example `system` or `alertRecipient`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Who caused it.
    #[serde(default)]
    pub owner: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The paging offset of this entry.
    #[serde(default)]
    pub offset: Option<String>,
}

/// A page of notes or log entries, with the opaque offset of the next page.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CursorPage<T> {
    /// The entries.
    pub items: Vec<T>,
    /// The offset of the next page, when there is one.
    pub next_offset: Option<String>,
}

/// Builder of `GET .../notes` or `GET .../logs`; see [`Alerts::notes`] and [`Alerts::logs`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CursorList<'a, T> {
    client: &'a Client,
    spec: CursorSpec,
    _item: PhantomData<fn() -> T>,
}

#[derive(Clone, Debug)]
struct CursorSpec {
    alert: AlertRef,
    what: &'static str,
    template: &'static str,
    offset: Option<String>,
    direction: Option<&'static str>,
    limit: Option<u32>,
    order: Option<Order>,
}

impl CursorSpec {
    fn request(&self, offset: Option<&String>) -> Result<Req> {
        self.alert.check()?;
        if let Some(limit) = self.limit
            && !(1..=100).contains(&limit)
        {
            return Err(Error::invalid("limit", "must be between 1 and 100"));
        }
        Ok(Req::get(
            self.template,
            &["v2", "alerts", &self.alert.value, self.what],
        )
        .query("identifierType", self.alert.kind.as_str())
        .query_opt("offset", offset.cloned())
        .query_opt("direction", self.direction)
        .query_opt("limit", self.limit.map(|l| l.to_string()))
        .query_opt("order", self.order.as_ref().map(|o| o.as_str().to_owned())))
    }
}

/// Lists notes; see [`Alerts::notes`].
pub type ListNotes<'a> = CursorList<'a, Note>;
/// Lists log entries; see [`Alerts::logs`].
pub type ListLogs<'a> = CursorList<'a, LogEntry>;

impl<'a, T> CursorList<'a, T>
where
    T: DeserializeOwned + Send + 'static,
{
    fn new(
        client: &'a Client,
        alert: AlertRef,
        what: &'static str,
        template: &'static str,
    ) -> Self {
        CursorList {
            client,
            spec: CursorSpec {
                alert,
                what,
                template,
                offset: None,
                direction: None,
                limit: None,
                order: None,
            },
            _item: PhantomData,
        }
    }

    /// Starts at an opaque offset from an earlier page.
    pub fn offset(mut self, offset: impl Into<String>) -> Self {
        self.spec.offset = Some(offset.into());
        self
    }

    /// Pages backwards from the offset instead of forwards.
    pub fn backwards(mut self) -> Self {
        self.spec.direction = Some("prev");
        self
    }

    /// Entries per page, 1 to 100.
    pub fn limit(mut self, limit: u32) -> Self {
        self.spec.limit = Some(limit);
        self
    }

    /// The order of entries.
    pub fn order(mut self, order: Order) -> Self {
        self.spec.order = Some(order);
        self
    }

    async fn page(client: &Client, req: Req) -> Result<CursorPage<T>> {
        let raw = client.execute(req).await?;
        let env: ListEnvelope<T> = raw.decode()?;
        let next = next_offset(env.paging.as_ref().and_then(|p| p.next.as_deref()));
        Ok(CursorPage {
            items: env.data,
            next_offset: next,
        })
    }

    /// Every entry across pages, fetched lazily.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use opsgenie_client::AlertRef;
    /// let notes: Vec<_> = client.alerts().notes(AlertRef::tiny("42")).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Each item is an error when a page fails.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        struct St<T> {
            client: Client,
            spec: CursorSpec,
            offset: Option<String>,
            buffer: VecDeque<T>,
            started: bool,
            done: bool,
        }
        let st = St {
            client: self.client.clone(),
            offset: self.spec.offset.clone(),
            spec: self.spec,
            buffer: VecDeque::new(),
            started: false,
            done: false,
        };
        stream::try_unfold(st, |mut st| async move {
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    return Ok(Some((item, st)));
                }
                if st.done || (st.started && st.offset.is_none()) {
                    return Ok(None);
                }
                if !st.started {
                    st.spec.alert = st.spec.alert.resolve(&st.client).await?;
                }
                st.started = true;
                let req = st.spec.request(st.offset.as_ref())?;
                let page = Self::page(&st.client, req).await?;
                st.done = page.items.is_empty() || page.next_offset == st.offset;
                st.offset = page.next_offset;
                st.buffer.extend(page.items);
            }
        })
    }
}

impl<'a, T> std::future::IntoFuture for CursorList<'a, T>
where
    T: DeserializeOwned + Send + 'static,
{
    type Output = Result<CursorPage<T>>;
    type IntoFuture = futures_util::future::BoxFuture<'a, Result<CursorPage<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut spec = self.spec;
            spec.alert = spec.alert.resolve(self.client).await?;
            let req = spec.request(spec.offset.as_ref())?;
            Self::page(self.client, req).await
        })
    }
}
