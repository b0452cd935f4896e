//! Schedules (`/v2/schedules`, JSM `/v1/schedules`), one module per concern: this module has
//! the schedule models, [`ScheduleRef`], list and get; `on_calls` who is on call now and next;
//! `overrides` taking on-call.

use std::collections::HashSet;
use std::hash::Hash;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::{ListEnvelope, not_found};
use crate::backend::Endpoint;
use crate::client::Client;
use crate::common::{NamedRef, named_or_id, null_as_empty};
use crate::error::{Error, Result};
use crate::ids::ScheduleId;
use crate::macros::into_future;
use crate::transport::Req;

mod on_calls;
mod overrides;

pub use on_calls::{
    AllOnCallsRequest, NextOnCall, NextOnCallEntry, NextOnCallsRequest, OnCall, OnCallParticipant,
    OnCallPerson, OnCallsRequest,
};
pub use overrides::{Override, OverrideRequest, OverrideUser, Overrides};

opsbot_http::vendor_enum! {
    /// The kind of a schedule participant or on-call recipient.
    pub enum ParticipantType as "participant type" {
        /// A user.
        User => "user",
        /// A team.
        Team => "team",
        /// An escalation.
        Escalation => "escalation",
        /// A schedule.
        Schedule => "schedule",
        /// Nobody (an empty slot).
        None => "none",
        /// Nobody (JSM's spelling, for example in an override's responder).
        Noone => "noone",
    }
}

opsbot_http::vendor_enum! {
    /// How a rotation turns.
    pub enum RotationType as "rotation type" {
        /// Every day.
        Daily => "daily",
        /// Every week.
        Weekly => "weekly",
        /// Every hour.
        Hourly => "hourly",
    }
}

/// A participant of a rotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Participant {
    /// Its kind.
    #[serde(default, rename = "type")]
    pub kind: ParticipantType,
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (teams, escalations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its username (users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A rotation of a schedule (present with `expand=rotation`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Rotation {
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// When it starts.
    #[serde(default)]
    pub start_date: Option<DateTime<Utc>>,
    /// When it ends.
    #[serde(default)]
    pub end_date: Option<DateTime<Utc>>,
    /// How it turns.
    #[serde(default, rename = "type")]
    pub kind: Option<RotationType>,
    /// How many units one turn lasts.
    #[serde(default)]
    pub length: Option<u32>,
    /// Who takes turns.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub participants: Vec<Participant>,
}

/// A schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Schedule {
    /// Its id.
    pub id: ScheduleId,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// Its time zone, for example `Europe/Berlin`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Whether it is enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The owning team (JSM's `teamId` fills its id).
    #[serde(default, alias = "teamId", deserialize_with = "named_or_id")]
    pub owner_team: Option<NamedRef>,
    /// Its rotations (with `expand=rotation` or from `get`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rotations: Vec<Rotation>,
}

/// The schedule an on-call answer is about (`_parent`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleMeta {
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether it is enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A schedule by id or by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScheduleRef {
    value: String,
    by_name: bool,
}

impl ScheduleRef {
    /// By id (a `&str`, a `String` or a [`ScheduleId`]).
    pub fn id(id: impl Into<ScheduleId>) -> Self {
        ScheduleRef {
            value: id.into().into_inner(),
            by_name: false,
        }
    }

    /// By name.
    pub fn name(name: impl Into<String>) -> Self {
        ScheduleRef {
            value: name.into(),
            by_name: true,
        }
    }

    /// The identifier.
    pub fn value(&self) -> &str {
        &self.value
    }

    pub(crate) fn kind(&self) -> &'static str {
        if self.by_name { "name" } else { "id" }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.value.trim().is_empty() {
            return Err(Error::invalid("schedule", "must not be empty"));
        }
        Ok(())
    }

    /// The schedule as the backend takes it: JSM takes ids only, so a name is looked up in
    /// the schedule list first (an unknown name is a 404 [`Error::Api`]).
    pub(crate) async fn resolve(&self, client: &Client) -> Result<ScheduleRef> {
        self.check()?;
        if !client.is_jsm() || !self.by_name {
            return Ok(self.clone());
        }
        // listSchedules' `query` matches the exact name (a trailing `*` would make it a
        // prefix: such a name is looked for in the whole list instead).
        let mut list = client.schedules().list();
        if !self.value.ends_with('*') {
            list = list.query(self.value.clone());
        }
        let found = list
            .await?
            .into_iter()
            .find(|s| s.name == self.value)
            .ok_or_else(|| not_found(format!("no schedule named {:?}", self.value)))?;
        Ok(ScheduleRef::from(found.id))
    }

    /// Whether this reference is by name.
    pub(crate) fn by_name(&self) -> bool {
        self.by_name
    }
}

impl From<ScheduleId> for ScheduleRef {
    fn from(id: ScheduleId) -> Self {
        ScheduleRef::id(id)
    }
}

impl From<&Schedule> for ScheduleRef {
    fn from(s: &Schedule) -> Self {
        ScheduleRef::from(s.id.clone())
    }
}

pub(crate) fn iso(date: &DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The schedule resource; see [`Client::schedules`].
#[derive(Clone, Copy, Debug)]
pub struct Schedules<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// The schedule and on-call API (`/v2/schedules`).
    pub fn schedules(&self) -> Schedules<'_> {
        Schedules { client: self }
    }
}

impl<'a> Schedules<'a> {
    /// Lists schedules (`GET /v2/schedules`; JSM `GET /v1/schedules`, every page).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// for s in client.schedules().list().expand_rotations().await? {
    ///     println!("{} ({} rotations)", s.name, s.rotations.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(self) -> ListSchedules<'a> {
        ListSchedules {
            client: self.client,
            expand: false,
            query: None,
        }
    }

    /// Gets one schedule (`GET /v2/schedules/{identifier}`).
    ///
    /// # Errors
    /// The API's error (404 for an unknown schedule) or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let ops = client.schedules().get(opsgenie_client::schedules::ScheduleRef::name("ops")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, schedule: impl Into<ScheduleRef>) -> Result<Schedule> {
        let schedule = schedule.into().resolve(self.client).await?;
        let req = self
            .client
            .request(Endpoint::ScheduleGet, &[&schedule.value])?
            .query("identifierType", schedule.kind());
        self.client.get_data(req).await
    }
}

/// Builder of `GET /v2/schedules` (JSM `GET /v1/schedules`, every page of `offset`/`size`).
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListSchedules<'a> {
    client: &'a Client,
    expand: bool,
    query: Option<String>,
}

impl ListSchedules<'_> {
    /// Includes the rotations (`expand=rotation`).
    pub fn expand_rotations(mut self) -> Self {
        self.expand = true;
        self
    }

    /// Only the schedules of this name (JSM's `query`: the exact name, case-insensitive, or
    /// a prefix ending with `*`). Opsgenie's list has no such filter: there the list is
    /// filtered by exact name after it arrives.
    pub fn query(mut self, name: impl Into<String>) -> Self {
        self.query = Some(name.into());
        self
    }
}

/// JSM's schedule and override lists page with `offset`/`size`, `size` at most 50.
const JSM_PAGE_SIZE: u32 = 50;

/// How many pages of one JSM offset list are read at most (100,000 items).
const JSM_MAX_PAGES: usize = 2_000;

/// Every page of a JSM `offset`/`size` list (schedules, overrides), each item once.
///
/// `page` builds the request without paging; `key` names an item. The walk ends at the
/// last page (no `links.next`, or an empty page), and also when a page brings no item not
/// seen before or after [`JSM_MAX_PAGES`]: a server that ignores `offset` and keeps naming
/// a next page must not be asked forever.
pub(crate) async fn jsm_offset_pages<T, K>(
    client: &Client,
    page: impl Fn() -> Result<Req>,
    key: impl Fn(&T) -> K,
) -> Result<Vec<T>>
where
    T: serde::de::DeserializeOwned,
    K: Eq + Hash,
{
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    let mut offset: u32 = 0;
    for _ in 0..JSM_MAX_PAGES {
        let req = page()?
            .query("offset", offset.to_string())
            .query("size", JSM_PAGE_SIZE.to_string());
        let answer: ListEnvelope<T> = client.execute(req).await?.decode()?;
        let n = answer.data.len();
        let has_next = answer
            .paging
            .as_ref()
            .and_then(|p| p.next.as_ref())
            .is_some();
        let before = all.len();
        for item in answer.data {
            if seen.insert(key(&item)) {
                all.push(item);
            }
        }
        if n == 0 || !has_next {
            return Ok(all);
        }
        if all.len() == before {
            tracing::warn!(
                offset,
                "the server answered a page already seen: ending the list"
            );
            return Ok(all);
        }
        offset = offset.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }
    tracing::warn!(
        offset,
        "the list did not end after {JSM_MAX_PAGES} pages: ending it"
    );
    Ok(all)
}

into_future!(ListSchedules, Vec<Schedule>, |this| {
    let expand = this.expand.then_some("rotation");
    if !this.client.is_jsm() {
        let req = this
            .client
            .request(Endpoint::ScheduleList, &[])?
            .query_opt("expand", expand);
        let list: ListEnvelope<Schedule> = this.client.execute(req).await?.decode()?;
        let mut schedules = list.data;
        if let Some(name) = &this.query {
            schedules.retain(|s| &s.name == name);
        }
        return Ok(schedules);
    }
    jsm_offset_pages(
        this.client,
        || {
            Ok(this
                .client
                .request(Endpoint::ScheduleList, &[])?
                .query_opt("query", this.query.clone())
                .query_opt("expand", expand))
        },
        |s: &Schedule| s.id.clone(),
    )
    .await
});
