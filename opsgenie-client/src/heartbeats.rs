//! Heartbeats (`/v2/heartbeats`).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::alerts::Priority;
use crate::client::{Client, Req};
use crate::common::{NamedRef, null_as_empty};
use crate::error::{Error, Result};
use crate::macros::{check_len, into_future, vendor_enum};

vendor_enum!(
    /// The unit of a heartbeat interval.
    IntervalUnit {
        /// Minutes.
        Minutes => "minutes",
        /// Hours.
        Hours => "hours",
        /// Days.
        Days => "days",
    }
);

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
    /// The unit of `interval`.
    #[serde(default)]
    pub interval_unit: Option<IntervalUnit>,
    /// Whether it is enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Whether it has expired (no ping within the interval).
    #[serde(default)]
    pub expired: Option<bool>,
    /// The owning team.
    #[serde(default)]
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

/// The answer to a ping. Opsgenie processes pings asynchronously: `PONG` does not prove the
/// heartbeat exists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Pong {
    /// `PONG - Heartbeat received`.
    #[serde(default)]
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
#[derive(Clone, Copy, Debug)]
pub struct Heartbeats<'a> {
    client: &'a Client,
}

impl Client {
    /// The heartbeat API (`/v2/heartbeats`).
    pub fn heartbeats(&self) -> Heartbeats<'_> {
        Heartbeats { client: self }
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    check_len("name", name, 200)
}

impl<'a> Heartbeats<'a> {
    /// Pings a heartbeat (`GET /v2/heartbeats/{name}/ping`).
    ///
    /// # Errors
    /// The API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// client.heartbeats().ping("nightly-backup").await?;
    /// # Ok(()) }
    /// ```
    pub async fn ping(self, name: &str) -> Result<Pong> {
        check_name(name)?;
        self.client.opsgenie_only(
            "pinging a heartbeat without its team (JSM heartbeats belong to a team: use ping_in_team)",
        )?;
        let req = Req::get(
            "/v2/heartbeats/{name}/ping",
            &["v2", "heartbeats", name, "ping"],
        );
        self.client.execute(req).await?.decode()
    }

    /// Pings a heartbeat of a team: on JSM `GET /v1/teams/{team_id}/heartbeats/ping?name=..`,
    /// where heartbeats belong to a team; on Opsgenie the team is not needed and this is
    /// [`ping`](Self::ping).
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
        if !self.client.is_jsm() {
            return self.ping(name).await;
        }
        if team_id.trim().is_empty() {
            return Err(Error::invalid("team_id", "must not be empty"));
        }
        let req = Req::get(
            "/v1/teams/{team_id}/heartbeats/ping",
            &["v1", "teams", team_id, "heartbeats", "ping"],
        )
        .query("name", name);
        self.client.execute(req).await?.decode()
    }

    /// Lists heartbeats (`GET /v2/heartbeats`).
    ///
    /// # Errors
    /// The API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// for hb in client.heartbeats().list().await? {
    ///     println!("{} expired={:?}", hb.name, hb.expired);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(self) -> Result<Vec<Heartbeat>> {
        self.client.opsgenie_only("listing heartbeats")?;
        let req = Req::get("/v2/heartbeats", &["v2", "heartbeats"]);
        let list: HeartbeatList = self.client.get_data(req).await?;
        Ok(list.heartbeats)
    }

    /// Gets one heartbeat (`GET /v2/heartbeats/{name}`).
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
        check_name(name)?;
        self.client.opsgenie_only("reading a heartbeat")?;
        let req = Req::get("/v2/heartbeats/{name}", &["v2", "heartbeats", name]);
        self.client.get_data(req).await
    }

    /// Creates a heartbeat (`POST /v2/heartbeats`).
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
            client: self.client,
            update: false,
            body: HeartbeatBody {
                name: Some(name.into()),
                interval: Some(interval),
                interval_unit: Some(unit),
                ..HeartbeatBody::default()
            },
        }
    }

    /// Updates a heartbeat (`PATCH /v2/heartbeats/{name}`); only the fields set are sent.
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
            client: self.client,
            update: true,
            body: HeartbeatBody {
                name: Some(name.into()),
                ..HeartbeatBody::default()
            },
        }
    }

    /// Deletes a heartbeat (`DELETE /v2/heartbeats/{name}`).
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
        check_name(name)?;
        self.client.opsgenie_only("deleting a heartbeat")?;
        let req = Req::new(
            Method::DELETE,
            "/v2/heartbeats/{name}",
            &["v2", "heartbeats", name],
        );
        self.client.execute(req).await?;
        Ok(())
    }

    /// Enables a heartbeat (`POST /v2/heartbeats/{name}/enable`).
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
        self.toggle(name, "enable", "/v2/heartbeats/{name}/enable")
            .await
    }

    /// Disables a heartbeat (`POST /v2/heartbeats/{name}/disable`).
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
        self.toggle(name, "disable", "/v2/heartbeats/{name}/disable")
            .await
    }

    async fn toggle(self, name: &str, what: &str, template: &'static str) -> Result<Heartbeat> {
        check_name(name)?;
        self.client
            .opsgenie_only("enabling or disabling a heartbeat")?;
        // Enabling twice has the same effect as once.
        let req = Req::new(Method::POST, template, &["v2", "heartbeats", name, what]).safe();
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
    client: &'a Client,
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

    /// The owning team.
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
    this.client
        .opsgenie_only("creating or updating a heartbeat")?;
    let mut body = this.body;
    let name = body.name.clone().unwrap_or_default();
    check_name(&name)?;
    if body.interval == Some(0) {
        return Err(Error::invalid("interval", "must be at least 1"));
    }
    if let Some(m) = &body.alert_message {
        check_len("alert_message", m, 130)?;
    }
    let req = if this.update {
        body.name = None;
        Req::new(
            Method::PATCH,
            "/v2/heartbeats/{name}",
            &["v2", "heartbeats", &name],
        )
    } else {
        Req::new(Method::POST, "/v2/heartbeats", &["v2", "heartbeats"])
    };
    let req = req.json(&body)?;
    this.client.get_data(req).await
});
