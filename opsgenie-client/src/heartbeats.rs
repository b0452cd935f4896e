//! Heartbeats (`/v2/heartbeats` on Opsgenie; on JSM they belong to a team,
//! `/v1/teams/{teamId}/heartbeats?name=..`: use [`Heartbeats::team`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::{ListEnvelope, Priority, not_found};
use crate::backend::Endpoint;
use crate::client::Client;
use crate::common::{NamedRef, named_or_id, null_as_empty};
use crate::error::{Error, Result};
use crate::macros::{check_len, into_future};
use crate::transport::Req;

opsbot_http::vendor_enum! {
    /// The unit of a heartbeat interval.
    pub enum IntervalUnit as "interval unit" {
        /// Minutes.
        Minutes => "minutes",
        /// Hours.
        Hours => "hours",
        /// Days.
        Days => "days",
    }
}

/// A heartbeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Heartbeat {
    /// Its name (its identifier).
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// How many units may pass between pings.
    #[serde(default)]
    pub interval: Option<u32>,
    /// The unit of `interval` (JSM answers `Hours`, `Minutes`, `Days`).
    #[serde(default, deserialize_with = "interval_unit_any_case")]
    pub interval_unit: Option<IntervalUnit>,
    /// Whether it is enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Whether it has expired (no ping within the interval). From JSM's `status`:
    /// `Unresponsive` is expired, `Responsive`, `Pending` and `Off` are not.
    #[serde(default, alias = "status", deserialize_with = "expired_or_status")]
    pub expired: Option<bool>,
    /// The owning team (JSM's `ownerTeamId` fills the id).
    #[serde(default, alias = "ownerTeamId", deserialize_with = "named_or_id")]
    pub owner_team: Option<NamedRef>,
    /// The message of the alert raised on expiry.
    #[serde(default)]
    pub alert_message: Option<String>,
    /// The tags of that alert.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub alert_tags: Vec<String>,
    /// The priority of that alert.
    #[serde(default)]
    pub alert_priority: Option<Priority>,
    /// When it was last pinged.
    #[serde(default)]
    pub last_ping_time: Option<DateTime<Utc>>,
}

/// `Hours` (JSM's answers) or `hours` (requests, Opsgenie) as the same unit.
fn interval_unit_any_case<'de, D>(deserializer: D) -> Result<Option<IntervalUnit>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.map(|raw| {
        let lower = raw.to_ascii_lowercase();
        match IntervalUnit::from_api(&lower) {
            IntervalUnit::Unknown(_) => IntervalUnit::Unknown(raw),
            unit => unit,
        }
    }))
}

/// Opsgenie's `expired` boolean, or JSM's `status` (`Unresponsive` / `Responsive` /
/// `Pending` / `Off`; an unknown status is `None`).
fn expired_or_status<'de, D>(deserializer: D) -> Result<Option<bool>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Flag(bool),
        Status(String),
    }
    Ok(match Option::<Raw>::deserialize(deserializer)? {
        Some(Raw::Flag(b)) => Some(b),
        Some(Raw::Status(s)) => match s.as_str() {
            "Unresponsive" => Some(true),
            "Responsive" | "Pending" | "Off" => Some(false),
            _ => None,
        },
        None => None,
    })
}

/// The answer to a ping. Both backends process pings asynchronously: `PONG` does not prove
/// the heartbeat exists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Pong {
    /// `PONG - Heartbeat received` (Opsgenie's `result`, JSM's `message`).
    #[serde(default, alias = "message")]
    pub result: String,
    /// The request id.
    #[serde(default)]
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
struct HeartbeatList {
    #[serde(default, deserialize_with = "null_as_empty")]
    heartbeats: Vec<Heartbeat>,
}

/// The heartbeat resource; see [`Client::heartbeats`].
///
/// On JSM Operations heartbeats belong to a team: select it with [`team`](Self::team) (find
/// team ids with [`Client::teams`]); on Opsgenie the team is not needed and is ignored.
#[derive(Clone, Copy, Debug)]
pub struct Heartbeats<'a> {
    client: &'a Client,
    team: Option<&'a str>,
}

impl Client {
    /// The heartbeat API (`/v2/heartbeats`; JSM `/v1/teams/{teamId}/heartbeats`).
    pub fn heartbeats(&self) -> Heartbeats<'_> {
        Heartbeats {
            client: self,
            team: None,
        }
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    check_len("name", name, 200)
}

/// JSM's heartbeat lists page with `offset`/`size` (at most 100).
const JSM_PAGE: u32 = 100;

impl<'a> Heartbeats<'a> {
    /// The heartbeats of one team, as JSM addresses them (`/v1/teams/{team_id}/heartbeats`).
    /// On Opsgenie every heartbeat call ignores the team.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let ops = client.heartbeats().team("team-id");
    /// ops.ping("nightly-backup").await?;
    /// for hb in ops.list().await? { println!("{}", hb.name); }
    /// # Ok(()) }
    /// ```
    pub fn team(self, team_id: &'a str) -> Heartbeats<'a> {
        Heartbeats {
            team: Some(team_id),
            ..self
        }
    }

    /// The request of `endpoint` for the heartbeat `name` (none for list and create): on
    /// Opsgenie the name is a path segment, on JSM the team is and the name a query parameter.
    fn request(&self, endpoint: Endpoint, name: Option<&str>) -> Result<Req> {
        if let Some(name) = name {
            check_name(name)?;
        }
        if !self.client.is_jsm() {
            return self.client.request(endpoint, name.as_slice());
        }
        let team = self.team.ok_or(Error::Unsupported {
            backend: "jsm",
            operation: "heartbeats without their team (JSM heartbeats belong to a team: \
                        client.heartbeats().team(team_id))",
        })?;
        if team.trim().is_empty() {
            return Err(Error::invalid("team_id", "must not be empty"));
        }
        Ok(self
            .client
            .request(endpoint, &[team])?
            .query_opt("name", name.map(str::to_owned)))
    }

    /// Pings a heartbeat (`GET /v2/heartbeats/{name}/ping`; JSM
    /// `GET /v1/teams/{teamId}/heartbeats/ping?name=..`, answered 202 `{message}`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name, [`Error::Unsupported`] on JSM without
    /// [`team`](Self::team), the API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().ping("nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn ping(self, name: &str) -> Result<Pong> {
        let req = self.request(Endpoint::HeartbeatPing, Some(name))?;
        self.client.execute(req).await?.decode()
    }

    /// Pings a heartbeat of a team: `client.heartbeats().team(team_id).ping(name)`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name or team, the API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().ping_in_team("team-id", "nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn ping_in_team(self, team_id: &str, name: &str) -> Result<Pong> {
        check_name(name)?;
        if self.client.is_jsm() && team_id.trim().is_empty() {
            return Err(Error::invalid("team_id", "must not be empty"));
        }
        Heartbeats {
            client: self.client,
            team: Some(team_id),
        }
        .ping(name)
        .await
    }

    /// Lists heartbeats (`GET /v2/heartbeats`; JSM `GET /v1/teams/{teamId}/heartbeats`, every
    /// page of `offset`/`size`).
    ///
    /// # Errors
    /// [`Error::Unsupported`] on JSM without [`team`](Self::team), the API's error or a
    /// decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// for hb in client.heartbeats().list().await? {
    ///     println!("{} expired={:?}", hb.name, hb.expired);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(self) -> Result<Vec<Heartbeat>> {
        if self.client.is_jsm() {
            return self.jsm_list(None).await;
        }
        let req = self.request(Endpoint::HeartbeatList, None)?;
        let list: HeartbeatList = self.client.get_data(req).await?;
        Ok(list.heartbeats)
    }

    /// Every page of a JSM heartbeat list, filtered by name when given.
    async fn jsm_list(&self, name: Option<&str>) -> Result<Vec<Heartbeat>> {
        let mut all = Vec::new();
        let mut offset: u32 = 0;
        loop {
            let req = self
                .request(Endpoint::HeartbeatList, name)?
                .query("offset", offset.to_string())
                .query("limit", JSM_PAGE.to_string());
            let page: ListEnvelope<Heartbeat> = self.client.execute(req).await?.decode()?;
            let n = page.data.len();
            all.extend(page.data);
            let more = page.paging.as_ref().is_some_and(|p| p.next.is_some());
            if !more || n == 0 {
                return Ok(all);
            }
            offset = offset.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        }
    }

    /// Gets one heartbeat (`GET /v2/heartbeats/{name}`; JSM has no get: its list filtered
    /// by `name`).
    ///
    /// # Errors
    /// The API's error (404 for an unknown name) or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let hb = client.heartbeats().get("nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, name: &str) -> Result<Heartbeat> {
        if self.client.is_jsm() {
            check_name(name)?;
            return self
                .jsm_list(Some(name))
                .await?
                .into_iter()
                .find(|hb| hb.name == name)
                .ok_or_else(|| not_found(format!("no heartbeat named {name:?}")));
        }
        let req = self.request(Endpoint::HeartbeatGet, Some(name))?;
        self.client.get_data(req).await
    }

    /// Creates a heartbeat (`POST /v2/heartbeats`; JSM `POST /v1/teams/{teamId}/heartbeats`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::heartbeats::IntervalUnit;
    /// client.heartbeats().create("nightly-backup", 25, IntervalUnit::Hours).enabled(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        self,
        name: impl Into<String>,
        interval: u32,
        unit: IntervalUnit,
    ) -> HeartbeatRequest<'a> {
        HeartbeatRequest {
            heartbeats: self,
            update: false,
            body: HeartbeatBody {
                name: Some(name.into()),
                interval: Some(interval),
                interval_unit: Some(unit),
                ..HeartbeatBody::default()
            },
        }
    }

    /// Updates a heartbeat (`PATCH /v2/heartbeats/{name}`; JSM
    /// `PATCH /v1/teams/{teamId}/heartbeats?name=..`); only the fields set are sent.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().update("nightly-backup").description("backs up the db").await?;
    /// # Ok(()) }
    /// ```
    pub fn update(self, name: impl Into<String>) -> HeartbeatRequest<'a> {
        HeartbeatRequest {
            heartbeats: self,
            update: true,
            body: HeartbeatBody {
                name: Some(name.into()),
                ..HeartbeatBody::default()
            },
        }
    }

    /// Deletes a heartbeat (`DELETE /v2/heartbeats/{name}`; JSM
    /// `DELETE /v1/teams/{teamId}/heartbeats?name=..`, 204).
    ///
    /// # Errors
    /// The API's error (404 for an unknown name).
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().delete("nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, name: &str) -> Result<()> {
        let req = self.request(Endpoint::HeartbeatDelete, Some(name))?;
        self.client.execute(req).await?;
        Ok(())
    }

    /// Enables a heartbeat (`POST /v2/heartbeats/{name}/enable`; JSM has no such call: an
    /// update of `enabled`).
    ///
    /// # Errors
    /// The API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().enable("nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn enable(self, name: &str) -> Result<Heartbeat> {
        self.toggle(name, Endpoint::HeartbeatEnable, true).await
    }

    /// Disables a heartbeat (`POST /v2/heartbeats/{name}/disable`; JSM: an update of
    /// `enabled`).
    ///
    /// # Errors
    /// The API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().disable("nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn disable(self, name: &str) -> Result<Heartbeat> {
        self.toggle(name, Endpoint::HeartbeatDisable, false).await
    }

    async fn toggle(self, name: &str, endpoint: Endpoint, enabled: bool) -> Result<Heartbeat> {
        let req = self.request(endpoint, Some(name))?;
        // Enabling twice has the same effect as once.
        let req = if self.client.is_jsm() {
            req.json(&serde_json::json!({ "enabled": enabled }))?
        } else {
            req.safe()
        };
        self.client.get_data(req).await
    }
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct HeartbeatBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval_unit: Option<IntervalUnit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_team: Option<NamedRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert_tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert_priority: Option<Priority>,
}

/// Builder of a heartbeat create or update; await it for the heartbeat.
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct HeartbeatRequest<'a> {
    heartbeats: Heartbeats<'a>,
    update: bool,
    body: HeartbeatBody,
}

impl HeartbeatRequest<'_> {
    /// The description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// The interval (update only; create takes it as an argument).
    pub fn interval(mut self, interval: u32, unit: IntervalUnit) -> Self {
        self.body.interval = Some(interval);
        self.body.interval_unit = Some(unit);
        self
    }

    /// Whether it is enabled.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.body.enabled = Some(enabled);
        self
    }

    /// The owning team (Opsgenie; on JSM the team is the one of [`Heartbeats::team`]).
    pub fn owner_team(mut self, team: NamedRef) -> Self {
        self.body.owner_team = Some(team);
        self
    }

    /// The message of the alert raised on expiry.
    pub fn alert_message(mut self, message: impl Into<String>) -> Self {
        self.body.alert_message = Some(message.into());
        self
    }

    /// The tags of that alert.
    pub fn alert_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.alert_tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// The priority of that alert.
    pub fn alert_priority(mut self, priority: Priority) -> Self {
        self.body.alert_priority = Some(priority);
        self
    }
}

into_future!(HeartbeatRequest, Heartbeat, |this| {
    let mut body = this.body;
    let name = body.name.clone().unwrap_or_default();
    check_name(&name)?;
    if body.interval == Some(0) {
        return Err(Error::invalid("interval", "must be at least 1"));
    }
    if let Some(m) = &body.alert_message {
        check_len("alert_message", m, 130)?;
    }
    let jsm = this.heartbeats.client.is_jsm();
    if jsm {
        // CreateHeartbeatRequest / UpdateHeartbeatRequest have no owner team: the path has it.
        body.owner_team = None;
    }
    let req = if this.update {
        body.name = None;
        this.heartbeats
            .request(Endpoint::HeartbeatUpdate, Some(&name))?
    } else if jsm {
        this.heartbeats.request(Endpoint::HeartbeatCreate, None)?
    } else {
        this.heartbeats
            .client
            .request(Endpoint::HeartbeatCreate, &[])?
    };
    let req = req.json(&body)?;
    this.heartbeats.client.get_data(req).await
});
