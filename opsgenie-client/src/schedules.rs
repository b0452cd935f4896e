//! Schedules, who is on call, and overrides (`/v2/schedules`).

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Client, Req};
use crate::common::{NamedRef, UserRef, null_as_empty};
use crate::error::{Error, Result};
use crate::ids::ScheduleId;
use crate::macros::{into_future, vendor_enum};

vendor_enum!(
    /// The kind of a schedule participant or on-call recipient.
    ParticipantType {
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
    }
);

vendor_enum!(
    /// How a rotation turns.
    RotationType {
        /// Every day.
        Daily => "daily",
        /// Every week.
        Weekly => "weekly",
        /// Every hour.
        Hourly => "hourly",
    }
);

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
    /// The owning team.
    #[serde(default)]
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

/// Someone on call, possibly through a team or an escalation (nested answers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCallParticipant {
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name (a username for users).
    #[serde(default)]
    pub name: Option<String>,
    /// Its kind.
    #[serde(default, rename = "type")]
    pub kind: ParticipantType,
    /// Minutes after which an escalation reaches it.
    #[serde(default)]
    pub escalation_time: Option<u64>,
    /// How it is notified, for example `default`.
    #[serde(default)]
    pub notify_type: Option<String>,
    /// Who is on call through it (teams, escalations).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub on_call_participants: Vec<OnCallParticipant>,
    /// The participant this one was forwarded from, as sent.
    #[serde(default)]
    pub forwarded_from: Option<serde_json::Value>,
}

impl OnCallParticipant {
    fn collect_users<'a>(&'a self, out: &mut Vec<&'a str>) {
        // JSM names on-call users by Atlassian account id only (`{id, type}`).
        if self.kind == ParticipantType::User
            && let Some(name) = self.name.as_deref().or(self.id.as_deref())
            && !out.contains(&name)
        {
            out.push(name);
        }
        for p in &self.on_call_participants {
            p.collect_users(out);
        }
    }
}

/// Who is on call for one schedule (`GET /v2/schedules/{id}/on-calls`).
///
/// A nested answer fills `on_call_participants`; a flat one fills `on_call_recipients`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCall {
    /// The schedule.
    #[serde(rename = "_parent", default)]
    pub parent: Option<ScheduleMeta>,
    /// Who is on call, nested (`flat=false`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub on_call_participants: Vec<OnCallParticipant>,
    /// Usernames of who is on call (`flat=true`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub on_call_recipients: Vec<String>,
}

impl OnCall {
    /// The usernames on call, from a flat or a nested answer, without duplicates.
    pub fn users(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.on_call_recipients {
            if !out.contains(&r.as_str()) {
                out.push(r);
            }
        }
        for p in &self.on_call_participants {
            p.collect_users(&mut out);
        }
        out
    }

    /// The schedule's name, when the answer names it.
    pub fn schedule_name(&self) -> Option<&str> {
        self.parent.as_ref().and_then(|p| p.name.as_deref())
    }
}

/// An entry of a next-on-call answer: a plain name or a participant object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum NextOnCallEntry {
    /// A username.
    Name(String),
    /// A participant.
    Participant(OnCallParticipant),
}

impl NextOnCallEntry {
    /// The username or participant name.
    pub fn name(&self) -> Option<&str> {
        match self {
            NextOnCallEntry::Name(n) => Some(n),
            NextOnCallEntry::Participant(p) => p.name.as_deref(),
        }
    }
}

/// Who is on call next (`GET /v2/schedules/{id}/next-on-calls`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NextOnCall {
    /// The schedule.
    #[serde(rename = "_parent", default)]
    pub parent: Option<ScheduleMeta>,
    /// Next on-call recipients.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub next_on_call_recipients: Vec<NextOnCallEntry>,
    /// Next on-call participants.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub next_on_call_participants: Vec<NextOnCallEntry>,
    /// Exactly who is next (flat answers of some accounts).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub exact_next_on_call_recipients: Vec<NextOnCallEntry>,
}

impl NextOnCall {
    /// Every name in the answer, without duplicates.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in self
            .next_on_call_recipients
            .iter()
            .chain(&self.next_on_call_participants)
            .chain(&self.exact_next_on_call_recipients)
        {
            if let Some(n) = e.name()
                && !out.contains(&n)
            {
                out.push(n);
            }
        }
        out
    }
}

/// The user of an override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OverrideUser {
    /// Always `user` today.
    #[serde(rename = "type", default)]
    pub kind: Option<ParticipantType>,
    /// The user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's username.
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
    /// Who is on call instead.
    #[serde(default)]
    pub user: Option<OverrideUser>,
    /// From when.
    #[serde(default)]
    pub start_date: Option<DateTime<Utc>>,
    /// Until when.
    #[serde(default)]
    pub end_date: Option<DateTime<Utc>>,
    /// The rotations it applies to (all when empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rotations: Vec<NamedRef>,
}

/// A schedule by id or by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScheduleRef {
    value: String,
    by_name: bool,
}

impl ScheduleRef {
    /// By id.
    pub fn id(id: impl Into<String>) -> Self {
        ScheduleRef {
            value: id.into(),
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

    fn kind(&self) -> &'static str {
        if self.by_name { "name" } else { "id" }
    }

    fn check(&self) -> Result<()> {
        if self.value.trim().is_empty() {
            return Err(Error::invalid("schedule", "must not be empty"));
        }
        Ok(())
    }

    /// The schedule as the backend takes it: JSM takes ids only, so a name is looked up in
    /// the schedule list first (an unknown name is a 404 [`Error::Api`]).
    async fn resolve(&self, client: &Client) -> Result<ScheduleRef> {
        self.check()?;
        if !client.is_jsm() || !self.by_name {
            return Ok(self.clone());
        }
        let schedules = client.schedules().list().await?;
        let found = schedules
            .into_iter()
            .find(|s| s.name == self.value)
            .ok_or_else(|| {
                Error::Api(Box::new(crate::error::ApiError {
                    status: 404,
                    message: format!("no schedule named {:?}", self.value),
                    body: String::new(),
                    request_id: None,
                    errors: Default::default(),
                    error_type: None,
                }))
            })?;
        Ok(ScheduleRef::id(found.id.0))
    }
}

impl From<ScheduleId> for ScheduleRef {
    fn from(id: ScheduleId) -> Self {
        ScheduleRef::id(id.0)
    }
}

impl From<&Schedule> for ScheduleRef {
    fn from(s: &Schedule) -> Self {
        ScheduleRef::id(s.id.0.clone())
    }
}

fn iso(date: &DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The schedule resource; see [`Client::schedules`].
#[derive(Clone, Copy, Debug)]
pub struct Schedules<'a> {
    client: &'a Client,
}

impl Client {
    /// The schedule and on-call API (`/v2/schedules`).
    pub fn schedules(&self) -> Schedules<'_> {
        Schedules { client: self }
    }
}

impl<'a> Schedules<'a> {
    /// Lists schedules (`GET /v2/schedules`).
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
        let req = Req::get(
            "/v2/schedules/{identifier}",
            &["v2", "schedules", &schedule.value],
        )
        .query("identifierType", schedule.kind());
        self.client.get_data(req).await
    }

    /// Who is on call for one schedule, now or at [`date`](OnCallsRequest::date).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::schedules::ScheduleRef;
    /// let now = client.schedules().on_calls(ScheduleRef::name("ops")).flat(true).await?;
    /// println!("on call: {:?}", now.users());
    /// # Ok(()) }
    /// ```
    pub fn on_calls(self, schedule: impl Into<ScheduleRef>) -> OnCallsRequest<'a> {
        OnCallsRequest {
            client: self.client,
            schedule: Some(schedule.into()),
            flat: None,
            date: None,
        }
    }

    /// Who is on call for every schedule (`GET /v2/schedules/on-calls`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// for oc in client.schedules().all_on_calls().flat(true).await? {
    ///     println!("{:?}: {:?}", oc.schedule_name(), oc.users());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn all_on_calls(self) -> AllOnCallsRequest<'a> {
        AllOnCallsRequest {
            inner: OnCallsRequest {
                client: self.client,
                schedule: None,
                flat: None,
                date: None,
            },
        }
    }

    /// Who is on call next (`GET /v2/schedules/{identifier}/next-on-calls`).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::schedules::ScheduleRef;
    /// let next = client.schedules().next_on_calls(ScheduleRef::name("ops")).await?;
    /// println!("next: {:?}", next.names());
    /// # Ok(()) }
    /// ```
    pub fn next_on_calls(self, schedule: impl Into<ScheduleRef>) -> NextOnCallsRequest<'a> {
        NextOnCallsRequest {
            inner: OnCallsRequest {
                client: self.client,
                schedule: Some(schedule.into()),
                flat: None,
                date: None,
            },
        }
    }

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

/// Builder of `GET /v2/schedules`.
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListSchedules<'a> {
    client: &'a Client,
    expand: bool,
}

impl ListSchedules<'_> {
    /// Includes the rotations (`expand=rotation`).
    pub fn expand_rotations(mut self) -> Self {
        self.expand = true;
        self
    }
}

into_future!(ListSchedules, Vec<Schedule>, |this| {
    let req = Req::get("/v2/schedules", &["v2", "schedules"])
        .query_opt("expand", this.expand.then_some("rotation"));
    let list: crate::alerts::ListEnvelope<Schedule> = this.client.execute(req).await?.decode()?;
    Ok(list.data)
});

/// Builder of an on-call request; see [`Schedules::on_calls`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct OnCallsRequest<'a> {
    client: &'a Client,
    schedule: Option<ScheduleRef>,
    flat: Option<bool>,
    date: Option<DateTime<Utc>>,
}

impl OnCallsRequest<'_> {
    /// `true`: usernames only (`on_call_recipients`); `false` (Opsgenie's default): nested participants.
    pub fn flat(mut self, flat: bool) -> Self {
        self.flat = Some(flat);
        self
    }

    /// Who is on call at this time instead of now.
    pub fn date(mut self, date: DateTime<Utc>) -> Self {
        self.date = Some(date);
        self
    }

    fn request(&self, template: &'static str, tail: &'static str) -> Result<Req> {
        let req = match &self.schedule {
            Some(s) => {
                s.check()?;
                Req::get(template, &["v2", "schedules", &s.value, tail])
                    .query("scheduleIdentifierType", s.kind())
            }
            None => Req::get(template, &["v2", "schedules", tail]),
        };
        Ok(req
            .query_opt("flat", self.flat.map(|f| f.to_string()))
            .query_opt("date", self.date.as_ref().map(iso)))
    }
}

impl OnCallsRequest<'_> {
    /// Resolves the schedule for the backend, then builds the request.
    async fn resolved(&self, template: &'static str, tail: &'static str) -> Result<Req> {
        let schedule = match &self.schedule {
            Some(s) => Some(s.resolve(self.client).await?),
            None => None,
        };
        let resolved = OnCallsRequest {
            client: self.client,
            schedule,
            flat: self.flat,
            date: self.date,
        };
        resolved.request(template, tail)
    }
}

into_future!(OnCallsRequest, OnCall, |this| {
    let req = this
        .resolved("/v2/schedules/{identifier}/on-calls", "on-calls")
        .await?;
    let mut on_call: OnCall = this.client.get_data(req).await?;
    if this.client.is_jsm()
        && on_call.parent.is_none()
        && let Some(s) = &this.schedule
    {
        // JSM's answer does not name the schedule; the caller did.
        on_call.parent = Some(ScheduleMeta {
            id: (!s.by_name).then(|| s.value.clone()),
            name: s.by_name.then(|| s.value.clone()),
            enabled: None,
        });
    }
    Ok(on_call)
});

/// Builder of `GET /v2/schedules/on-calls`; see [`Schedules::all_on_calls`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct AllOnCallsRequest<'a> {
    inner: OnCallsRequest<'a>,
}

impl AllOnCallsRequest<'_> {
    /// `true`: usernames only; `false`: nested participants.
    pub fn flat(mut self, flat: bool) -> Self {
        self.inner.flat = Some(flat);
        self
    }

    /// Who is on call at this time instead of now.
    pub fn date(mut self, date: DateTime<Utc>) -> Self {
        self.inner.date = Some(date);
        self
    }
}

into_future!(AllOnCallsRequest, Vec<OnCall>, |this| {
    if this.inner.client.is_jsm() {
        // JSM has no all-schedules on-call call: ask each schedule.
        let mut all = Vec::new();
        for schedule in this.inner.client.schedules().list().await? {
            let req = OnCallsRequest {
                client: this.inner.client,
                schedule: Some(ScheduleRef::id(schedule.id.0.clone())),
                flat: this.inner.flat,
                date: this.inner.date,
            }
            .request("/v2/schedules/{identifier}/on-calls", "on-calls")?;
            let mut on_call: OnCall = this.inner.client.get_data(req).await?;
            if on_call.parent.is_none() {
                on_call.parent = Some(ScheduleMeta {
                    id: Some(schedule.id.0.clone()),
                    name: Some(schedule.name.clone()),
                    enabled: schedule.enabled,
                });
            }
            all.push(on_call);
        }
        return Ok(all);
    }
    let req = this.inner.request("/v2/schedules/on-calls", "on-calls")?;
    let list: crate::alerts::ListEnvelope<OnCall> =
        this.inner.client.execute(req).await?.decode()?;
    Ok(list.data)
});

/// Builder of `GET /v2/schedules/{identifier}/next-on-calls`; see [`Schedules::next_on_calls`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct NextOnCallsRequest<'a> {
    inner: OnCallsRequest<'a>,
}

impl NextOnCallsRequest<'_> {
    /// `true`: usernames only; `false`: participant objects.
    pub fn flat(mut self, flat: bool) -> Self {
        self.inner.flat = Some(flat);
        self
    }

    /// Next after this time instead of now.
    pub fn date(mut self, date: DateTime<Utc>) -> Self {
        self.inner.date = Some(date);
        self
    }
}

into_future!(NextOnCallsRequest, NextOnCall, |this| {
    let req = this
        .inner
        .resolved("/v2/schedules/{identifier}/next-on-calls", "next-on-calls")
        .await?;
    this.inner.client.get_data(req).await
});

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

    fn path(&self, template: &'static str, alias: Option<&str>) -> Result<Req> {
        self.schedule.check()?;
        let mut segs = vec!["v2", "schedules", self.schedule.value.as_str(), "overrides"];
        if let Some(alias) = alias {
            if alias.trim().is_empty() {
                return Err(Error::invalid("alias", "must not be empty"));
            }
            segs.push(alias);
        }
        Ok(Req::get(template, &segs).query("scheduleIdentifierType", self.schedule.kind()))
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
        let req = this.path("/v2/schedules/{identifier}/overrides", None)?;
        let list: crate::alerts::ListEnvelope<Override> =
            this.client.execute(req).await?.decode()?;
        Ok(list.data)
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
        let req = this.path("/v2/schedules/{identifier}/overrides/{alias}", Some(alias))?;
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
        let mut req = this.path("/v2/schedules/{identifier}/overrides/{alias}", Some(alias))?;
        req.method = Method::DELETE;
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
    /// Chooses the alias of a new override (Opsgenie makes one up otherwise).
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Limits the override to a rotation (repeatable; all rotations when none is given).
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
    let jsm = this.overrides.client.is_jsm();
    if jsm && this.user.jsm_account_id().is_none() {
        return Err(Error::Unsupported {
            backend: "jsm",
            operation: "overrides for a user by e-mail (JSM takes an Atlassian account id: UserRef::id)",
        });
    }
    let overrides = this.overrides.resolved().await?;
    if this
        .rotations
        .iter()
        .any(|r| r.id.is_none() && r.name.is_none())
    {
        return Err(Error::invalid("rotations", "each needs an id or a name"));
    }
    let body = OverrideBody {
        alias: this.alias.as_ref(),
        user: OverrideUser {
            kind: Some(ParticipantType::User),
            id: if jsm {
                this.user.jsm_account_id().map(str::to_owned)
            } else {
                this.user.id.clone()
            },
            username: if jsm {
                None
            } else {
                this.user.username.clone()
            },
        },
        start_date: iso(&this.start),
        end_date: iso(&this.end),
        rotations: &this.rotations,
    };
    let mut req = match &this.existing {
        Some(alias) => {
            let mut r =
                overrides.path("/v2/schedules/{identifier}/overrides/{alias}", Some(alias))?;
            r.method = Method::PUT;
            r
        }
        None => {
            let mut r = overrides.path("/v2/schedules/{identifier}/overrides", None)?;
            r.method = Method::POST;
            // With a chosen alias a repeat replaces the same override instead of adding one.
            if this.alias.is_some() {
                r = r.safe();
            } else {
                r.idempotency = crate::retry::Idempotency::Unsafe;
            }
            r
        }
    };
    req = req.json(&body)?;
    let data: AliasData = overrides.client.get_data(req).await?;
    Ok(data.alias)
});
