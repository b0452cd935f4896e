//! Overrides: someone takes on-call for a period (`/v2/schedules/{id}/overrides`, JSM
//! `/v1/schedules/{scheduleId}/overrides`, with `{responder: {type, id}, startDate, endDate,
//! rotationIds}`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ParticipantType, ScheduleMeta, ScheduleRef, Schedules, iso, jsm_offset_pages};
use crate::alerts::ListEnvelope;
use crate::backend::{Endpoint, jsm_body};
use crate::client::Client;
use crate::common::{NamedRef, UserRef, null_as_empty};
use crate::error::{Error, Result};
use crate::macros::into_future;
use crate::transport::Req;

/// The user of an override (Opsgenie's `user`, JSM's `responder`, whose `type` is `user` or
/// `noone`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OverrideUser {
    /// `user` (JSM also `noone`).
    #[serde(rename = "type", default)]
    pub kind: Option<ParticipantType>,
    /// The user's id (on JSM, the Atlassian account id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's username (Opsgenie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// An override: someone takes on-call for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Override {
    /// The schedule.
    #[serde(rename = "_parent", default)]
    pub parent: Option<ScheduleMeta>,
    /// Its alias (its id within the schedule).
    pub alias: String,
    /// Who is on call instead (JSM's `responder`).
    #[serde(default, alias = "responder")]
    pub user: Option<OverrideUser>,
    /// From when.
    #[serde(default)]
    pub start_date: Option<DateTime<Utc>>,
    /// Until when.
    #[serde(default)]
    pub end_date: Option<DateTime<Utc>>,
    /// The rotations it applies to (all when empty; JSM's `rotationIds` fill the ids).
    #[serde(default, alias = "rotationIds", deserialize_with = "rotations")]
    pub rotations: Vec<NamedRef>,
}

/// Opsgenie's `rotations: [{id, name}]` or JSM's `rotationIds: ["id"]` (`null`: all).
fn rotations<'de, D>(deserializer: D) -> Result<Vec<NamedRef>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Id(String),
        Named(NamedRef),
    }
    let raw: Vec<Raw> = null_as_empty(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|r| match r {
            Raw::Id(id) => NamedRef::id(id),
            Raw::Named(named) => named,
        })
        .collect())
}

impl<'a> Schedules<'a> {
    /// The overrides of one schedule.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use chrono::{Duration, Utc};
    /// use opsgenie_client::{UserRef, schedules::ScheduleRef};
    ///
    /// let start = Utc::now();
    /// let alias = client
    ///     .schedules()
    ///     .overrides(ScheduleRef::name("ops"))
    ///     .create(UserRef::username("ann@example.com"), start, start + Duration::hours(8))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn overrides(self, schedule: impl Into<ScheduleRef>) -> Overrides<'a> {
        Overrides {
            client: self.client,
            schedule: schedule.into(),
        }
    }
}

/// The overrides of one schedule; see [`Schedules::overrides`].
#[derive(Clone, Debug)]
pub struct Overrides<'a> {
    client: &'a Client,
    schedule: ScheduleRef,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OverrideBody<'b> {
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<&'b String>,
    user: OverrideUser,
    start_date: String,
    end_date: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rotations: &'b Vec<NamedRef>,
}

#[derive(Deserialize)]
struct AliasData {
    alias: String,
}

impl<'a> Overrides<'a> {
    /// The same overrides with the schedule resolved for the backend (ids only on JSM).
    async fn resolved(&self) -> Result<Overrides<'a>> {
        Ok(Overrides {
            client: self.client,
            schedule: self.schedule.resolve(self.client).await?,
        })
    }

    fn path(&self, endpoint: Endpoint, alias: Option<&str>) -> Result<Req> {
        self.schedule.check()?;
        let mut params = vec![self.schedule.value()];
        if let Some(alias) = alias {
            if alias.trim().is_empty() {
                return Err(Error::invalid("alias", "must not be empty"));
            }
            params.push(alias);
        }
        Ok(self
            .client
            .request(endpoint, &params)?
            .query("scheduleIdentifierType", self.schedule.kind()))
    }

    /// Lets `user` take on-call from `start` to `end` (`POST .../overrides`); answers the
    /// override's alias.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use chrono::{Duration, Utc};
    /// use opsgenie_client::{NamedRef, UserRef, schedules::ScheduleRef};
    /// let start = Utc::now();
    /// let alias: String = client
    ///     .schedules()
    ///     .overrides(ScheduleRef::name("ops"))
    ///     .create(UserRef::username("ann@example.com"), start, start + Duration::hours(2))
    ///     .rotation(NamedRef::name("primary"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(
        self,
        user: UserRef,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> OverrideRequest<'a> {
        OverrideRequest {
            overrides: self,
            existing: None,
            alias: None,
            user,
            start,
            end,
            rotations: Vec::new(),
        }
    }

    /// Replaces an override (`PUT .../overrides/{alias}`); answers its alias.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use chrono::{Duration, Utc};
    /// use opsgenie_client::{UserRef, schedules::ScheduleRef};
    /// let start = Utc::now();
    /// client.schedules().overrides(ScheduleRef::name("ops"))
    ///     .update("night", UserRef::username("bob@example.com"), start, start + Duration::hours(1))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update(
        self,
        alias: impl Into<String>,
        user: UserRef,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> OverrideRequest<'a> {
        OverrideRequest {
            overrides: self,
            existing: Some(alias.into()),
            alias: None,
            user,
            start,
            end,
            rotations: Vec::new(),
        }
    }

    /// Lists the schedule's overrides (`GET .../overrides`).
    ///
    /// # Errors
    /// The API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::schedules::ScheduleRef;
    /// let all = client.schedules().overrides(ScheduleRef::name("ops")).list().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self) -> Result<Vec<Override>> {
        let this = self.resolved().await?;
        if !this.client.is_jsm() {
            let req = this.path(Endpoint::OverrideList, None)?;
            let list: ListEnvelope<Override> = this.client.execute(req).await?.decode()?;
            return Ok(list.data);
        }
        // listOverrides pages with `offset`/`size`, at most 50.
        jsm_offset_pages(
            this.client,
            || this.path(Endpoint::OverrideList, None),
            |o: &Override| o.alias.clone(),
        )
        .await
    }

    /// Gets one override (`GET .../overrides/{alias}`).
    ///
    /// # Errors
    /// The API's error (404 for an unknown alias) or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::schedules::ScheduleRef;
    /// let o = client.schedules().overrides(ScheduleRef::name("ops")).get("night").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, alias: &str) -> Result<Override> {
        let this = self.resolved().await?;
        let req = this.path(Endpoint::OverrideGet, Some(alias))?;
        this.client.get_data(req).await
    }

    /// Deletes an override (`DELETE .../overrides/{alias}`).
    ///
    /// # Errors
    /// The API's error (404 for an unknown alias).
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::schedules::ScheduleRef;
    /// client.schedules().overrides(ScheduleRef::name("ops")).delete("night").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, alias: &str) -> Result<()> {
        let this = self.resolved().await?;
        let req = this.path(Endpoint::OverrideDelete, Some(alias))?;
        this.client.execute(req).await?;
        Ok(())
    }
}

/// Builder of an override create or update; await it for the override's alias.
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct OverrideRequest<'a> {
    overrides: Overrides<'a>,
    existing: Option<String>,
    alias: Option<String>,
    user: UserRef,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rotations: Vec<NamedRef>,
}

impl OverrideRequest<'_> {
    /// Chooses the alias of a new override (Opsgenie makes one up otherwise; JSM always
    /// names it itself, so there this is not sent).
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Limits the override to a rotation (repeatable; all rotations when none is given; JSM
    /// takes rotation ids, `NamedRef::id`).
    pub fn rotation(mut self, rotation: NamedRef) -> Self {
        self.rotations.push(rotation);
        self
    }
}

into_future!(OverrideRequest, String, |this| {
    if this.end <= this.start {
        return Err(Error::invalid("end_date", "must be after the start date"));
    }
    if this.user.id.is_none() && this.user.username.is_none() {
        return Err(Error::invalid("user", "needs an id or a username"));
    }
    if this
        .rotations
        .iter()
        .any(|r| r.id.is_none() && r.name.is_none())
    {
        return Err(Error::invalid("rotations", "each needs an id or a name"));
    }
    let jsm = this.overrides.client.is_jsm();
    let (start, end) = (iso(&this.start), iso(&this.end));
    // Checked before the schedule lookup: what JSM cannot take sends nothing.
    let jsm_body = if jsm {
        Some(jsm_body::override_body(
            &this.user,
            start.clone(),
            end.clone(),
            &this.rotations,
        )?)
    } else {
        None
    };
    let overrides = this.overrides.resolved().await?;
    let req = match &this.existing {
        Some(alias) => overrides.path(Endpoint::OverrideUpdate, Some(alias))?,
        None => {
            // With a chosen alias a repeat replaces the same override instead of adding one.
            overrides
                .path(Endpoint::OverrideCreate, None)?
                .retry_safe(this.alias.is_some())
        }
    };
    let req = match jsm_body {
        // CreateOverrideRequest has no alias: JSM names the override itself.
        Some(body) => req.json(&body)?,
        None => req.json(&OverrideBody {
            alias: this.alias.as_ref(),
            user: OverrideUser {
                kind: Some(ParticipantType::User),
                id: this.user.id.clone(),
                username: this.user.username.clone(),
            },
            start_date: start,
            end_date: end,
            rotations: &this.rotations,
        })?,
    };
    // Opsgenie answers `{data: {alias}}`, JSM the override itself (201/200), alias included.
    let data: AliasData = overrides.client.get_data(req).await?;
    Ok(data.alias)
});
