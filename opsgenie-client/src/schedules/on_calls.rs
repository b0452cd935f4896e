//! Who is on call now (`.../on-calls`) and next (`.../next-on-calls`).
//!
//! Opsgenie names users by username; JSM answers Atlassian account ids only (`onCallUsers`,
//! `nextOnCallUsers`, participants `{id, type}`), and the JSM Operations API has no call that
//! turns an account id into a name, so [`OnCallPerson`] says which one a value is.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ParticipantType, ScheduleMeta, ScheduleRef, Schedules, iso};
use crate::alerts::ListEnvelope;
use crate::backend::Endpoint;
use crate::client::Client;
use crate::common::null_as_empty;
use crate::error::Result;
use crate::macros::into_future;
use crate::transport::Req;

/// Someone on call, possibly through a team or an escalation (nested answers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCallParticipant {
    /// Its id (on JSM, a user's Atlassian account id).
    #[serde(default)]
    pub id: Option<String>,
    /// Its name (a username for users; JSM sends none).
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
    /// Who is on call through it (teams, escalations). JSM's next-on-call example nests them
    /// under `nextOnCallParticipants`, which lands here too.
    #[serde(
        default,
        alias = "nextOnCallParticipants",
        deserialize_with = "null_as_empty"
    )]
    pub on_call_participants: Vec<OnCallParticipant>,
    /// The participant this one was forwarded from, as sent.
    #[serde(default)]
    pub forwarded_from: Option<serde_json::Value>,
}

/// A person on call, as the answer names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnCallPerson<'a> {
    /// A username (Opsgenie; an e-mail address).
    Username(&'a str),
    /// An Atlassian account id (JSM, which answers ids only and offers no call that names
    /// them).
    AccountId(&'a str),
}

impl<'a> OnCallPerson<'a> {
    /// The username or account id.
    pub fn as_str(&self) -> &'a str {
        match self {
            OnCallPerson::Username(s) | OnCallPerson::AccountId(s) => s,
        }
    }
}

impl fmt::Display for OnCallPerson<'_> {
    /// A username as is; an account id as `account id <id>`, so nobody takes it for a name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OnCallPerson::Username(name) => f.write_str(name),
            OnCallPerson::AccountId(id) => write!(f, "account id {id}"),
        }
    }
}

fn push_person<'a>(out: &mut Vec<OnCallPerson<'a>>, person: OnCallPerson<'a>) {
    if !out.iter().any(|p| p.as_str() == person.as_str()) {
        out.push(person);
    }
}

impl OnCallParticipant {
    /// This participant as a person, when it is a user: by name, else (JSM) by account id.
    fn person(&self) -> Option<OnCallPerson<'_>> {
        if self.kind != ParticipantType::User {
            return None;
        }
        match (self.name.as_deref(), self.id.as_deref()) {
            (Some(name), _) => Some(OnCallPerson::Username(name)),
            (None, Some(id)) => Some(OnCallPerson::AccountId(id)),
            (None, None) => None,
        }
    }

    fn collect_people<'a>(&'a self, out: &mut Vec<OnCallPerson<'a>>) {
        if let Some(person) = self.person() {
            push_person(out, person);
        }
        for p in &self.on_call_participants {
            p.collect_people(out);
        }
    }
}

/// Who is on call for one schedule (`GET /v2/schedules/{id}/on-calls`, JSM
/// `GET /v1/schedules/{scheduleId}/on-calls`).
///
/// A nested answer (`flat=false`) fills `on_call_participants`; a flat one fills
/// `on_call_recipients` (Opsgenie's usernames) or `on_call_users` (JSM's account ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnCall {
    /// The schedule (JSM's answer does not name it: the client fills it in from the call).
    #[serde(rename = "_parent", default)]
    pub parent: Option<ScheduleMeta>,
    /// Who is on call, nested (`flat=false`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub on_call_participants: Vec<OnCallParticipant>,
    /// Usernames of who is on call (Opsgenie, `flat=true`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub on_call_recipients: Vec<String>,
    /// Atlassian account ids of who is on call (JSM's `onCallUsers`, `flat=true`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub on_call_users: Vec<String>,
}

impl OnCall {
    /// Who is on call, from a flat or a nested answer, without duplicates: usernames on
    /// Opsgenie, account ids where the answer gives only ids (JSM).
    pub fn people(&self) -> Vec<OnCallPerson<'_>> {
        let mut out = Vec::new();
        for r in &self.on_call_recipients {
            push_person(&mut out, OnCallPerson::Username(r));
        }
        for u in &self.on_call_users {
            push_person(&mut out, OnCallPerson::AccountId(u));
        }
        for p in &self.on_call_participants {
            p.collect_people(&mut out);
        }
        out
    }

    /// The usernames (or, on JSM, account ids) on call, without duplicates; see
    /// [`people`](Self::people) to tell them apart.
    pub fn users(&self) -> Vec<&str> {
        self.people().iter().map(OnCallPerson::as_str).collect()
    }

    /// The schedule's name, when the answer names it.
    pub fn schedule_name(&self) -> Option<&str> {
        self.parent.as_ref().and_then(|p| p.name.as_deref())
    }
}

/// An entry of a next-on-call answer: a plain name or id, or a participant object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum NextOnCallEntry {
    /// A username (Opsgenie).
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

/// Who is on call next (`GET /v2/schedules/{id}/next-on-calls`, JSM
/// `GET /v1/schedules/{scheduleId}/next-on-calls`).
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
    /// Next on-call participants (JSM, `flat=false`: `{id, type}` objects).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub next_on_call_participants: Vec<NextOnCallEntry>,
    /// Exactly who is next (flat answers of some accounts).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub exact_next_on_call_recipients: Vec<NextOnCallEntry>,
    /// Atlassian account ids of who is next (JSM's `nextOnCallUsers`, `flat=true`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub next_on_call_users: Vec<String>,
}

impl NextOnCall {
    /// Who is next, without duplicates: usernames, or account ids where the answer gives
    /// only ids (JSM).
    pub fn people(&self) -> Vec<OnCallPerson<'_>> {
        let mut out = Vec::new();
        for e in self
            .next_on_call_recipients
            .iter()
            .chain(&self.next_on_call_participants)
            .chain(&self.exact_next_on_call_recipients)
        {
            match e {
                NextOnCallEntry::Name(n) => push_person(&mut out, OnCallPerson::Username(n)),
                NextOnCallEntry::Participant(p) => p.collect_people(&mut out),
            }
        }
        for u in &self.next_on_call_users {
            push_person(&mut out, OnCallPerson::AccountId(u));
        }
        out
    }

    /// Every name in the answer, without duplicates (account ids on JSM; see
    /// [`people`](Self::people)).
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
        for p in self.people() {
            if let OnCallPerson::AccountId(id) = p
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
        out
    }
}

impl<'a> Schedules<'a> {
    /// Who is on call for one schedule, now or at [`date`](OnCallsRequest::date).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`](crate::Error::InvalidInput) when a
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
    /// Awaiting the request fails with [`Error::InvalidInput`](crate::Error::InvalidInput) when a
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
    /// Awaiting the request fails with [`Error::InvalidInput`](crate::Error::InvalidInput) when a
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
}

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
    /// `true`: users only (`on_call_recipients` on Opsgenie, `on_call_users` on JSM);
    /// `false` (the default of both): nested participants.
    pub fn flat(mut self, flat: bool) -> Self {
        self.flat = Some(flat);
        self
    }

    /// Who is on call at this time instead of now.
    pub fn date(mut self, date: DateTime<Utc>) -> Self {
        self.date = Some(date);
        self
    }

    fn request(&self, endpoint: Endpoint) -> Result<Req> {
        let req = match &self.schedule {
            Some(s) => {
                s.check()?;
                self.client
                    .request(endpoint, &[s.value()])?
                    .query("scheduleIdentifierType", s.kind())
            }
            None => self.client.request(endpoint, &[])?,
        };
        Ok(req
            .query_opt("flat", self.flat.map(|f| f.to_string()))
            .query_opt("date", self.date.as_ref().map(iso)))
    }
}

impl OnCallsRequest<'_> {
    /// Resolves the schedule for the backend, then builds the request.
    async fn resolved(&self, endpoint: Endpoint) -> Result<Req> {
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
        resolved.request(endpoint)
    }
}

into_future!(OnCallsRequest, OnCall, |this| {
    let req = this.resolved(Endpoint::OnCalls).await?;
    let mut on_call: OnCall = this.client.get_data(req).await?;
    if this.client.is_jsm()
        && on_call.parent.is_none()
        && let Some(s) = &this.schedule
    {
        // JSM's answer does not name the schedule; the caller did.
        on_call.parent = Some(ScheduleMeta {
            id: (!s.by_name()).then(|| s.value().to_owned()),
            name: s.by_name().then(|| s.value().to_owned()),
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
                schedule: Some(ScheduleRef::from(&schedule)),
                flat: this.inner.flat,
                date: this.inner.date,
            }
            .request(Endpoint::OnCalls)?;
            let mut on_call: OnCall = this.inner.client.get_data(req).await?;
            if on_call.parent.is_none() {
                on_call.parent = Some(ScheduleMeta {
                    id: Some(schedule.id.as_str().to_owned()),
                    name: Some(schedule.name.clone()),
                    enabled: schedule.enabled,
                });
            }
            all.push(on_call);
        }
        return Ok(all);
    }
    let req = this.inner.request(Endpoint::AllOnCalls)?;
    let list: ListEnvelope<OnCall> = this.inner.client.execute(req).await?.decode()?;
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
    let req = this.inner.resolved(Endpoint::NextOnCalls).await?;
    this.inner.client.get_data(req).await
});
