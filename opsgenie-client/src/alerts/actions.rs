//! The alert action table and one action on one alert.
//!
//! [`AlertAction`] names every action; [`AlertAction::route`] says for a backend where it is
//! sent (method and path template), whether a repeat is harmless and whether the backend
//! answers 202 with a request id or 200 with the result. The Opsgenie body is built here, the
//! JSM body in the crate's `backend` module.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Serialize;

use super::{AlertRef, Alerts, Note, Priority, Responder, check_details, check_list};
use crate::backend::{Answer, Backend, Endpoint, jsm_body};
use crate::client::Client;
use crate::common::{NamedRef, UserRef};
use crate::error::{Error, Result};
use crate::macros::{check_len, check_opt, into_future};
use crate::requests::{RequestHandle, RequestKind};
use crate::transport::Req;

impl<'a> Alerts<'a> {
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

    /// Adds a note (`POST .../notes`). Opsgenie answers 202 and processes it later; JSM
    /// writes it at once and answers 200 with the note, so there the handle is already
    /// complete ([`RequestHandle::note`] has the note).
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

    /// Escalates to an escalation (`POST .../escalate`; JSM takes `{escalationId}`: pass
    /// [`NamedRef::id`]).
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

    /// Assigns an owner (`POST .../assign`; JSM takes `{accountId}`: pass [`UserRef::id`]).
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

    /// Adds a team (`POST .../teams`; not on JSM: add a team responder instead).
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

    /// Adds a responder (`POST .../responders`; JSM takes a flat `{id, type}`: pass
    /// [`Responder::with_id`]).
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

    /// Runs a custom action (`POST .../actions/{action}`; JSM `POST /v1/alerts/{id}/action`
    /// with `{actionName}`).
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

    /// Removes tags (`DELETE .../tags?tags=a,b`; JSM sends `{tags}` as the body).
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

    /// Adds details (`POST .../details`; JSM `POST /v1/alerts/{id}/extra-properties`).
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

    /// Removes details by key (`DELETE .../details?keys=a,b`; JSM
    /// `DELETE /v1/alerts/{id}/extra-properties` with `{keys}` as the body).
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

    /// Changes the priority (`PUT .../priority`; JSM `PATCH`).
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

    /// Changes the message (`PUT .../message`; JSM `PATCH`).
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

    /// Changes the description (`PUT .../description`; JSM `PATCH`).
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
}

/// An action on an alert, for [`Alerts::run`] and [`Alerts::bulk`].
///
/// This is the one list of alert actions: [`route`](Self::route) is the table of where each
/// is sent on each backend (a fake can decode a request into it).
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
    /// Escalate to an escalation (JSM: by id).
    Escalate(NamedRef),
    /// Assign an owner (JSM: by Atlassian account id).
    Assign(UserRef),
    /// Add a team (Opsgenie only).
    AddTeam(NamedRef),
    /// Add a responder (JSM: by id).
    AddResponder(Responder),
    /// Run a custom action by name.
    Custom(String),
    /// Add tags.
    AddTags(Vec<String>),
    /// Remove tags.
    RemoveTags(Vec<String>),
    /// Add details (JSM: extra properties).
    AddDetails(BTreeMap<String, String>),
    /// Remove details by key (JSM: extra properties).
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

/// Where and how one [`AlertAction`] is sent on one backend.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionRoute {
    /// The HTTP method.
    pub method: Method,
    /// The path template, for example `/v2/alerts/{identifier}/acknowledge` or
    /// `/v1/alerts/{id}/acknowledge` (JSM's paths follow `/jsm/ops/api/{cloudId}`).
    pub template: &'static str,
    /// Whether sending it twice does no more than sending it once, so that it is retried
    /// after a transient failure.
    pub retry_safe: bool,
    /// `true`: the backend answers 202 with a request id and processes the action later;
    /// `false`: it answers 200 with the result (JSM's notes).
    pub accepted: bool,
}

impl AlertAction {
    /// A short name of the action (`acknowledge`, `close`, ...).
    pub fn name(&self) -> &'static str {
        self.row().0
    }

    /// The action table: name, call and whether a repeat is harmless. Opsgenie processes
    /// every action by request id against the alert's state, so a repeat after a lost answer
    /// is accepted as before; the call's method, path and answer per backend are the
    /// [`Endpoint`]'s route (crate `backend` module).
    fn row(&self) -> (&'static str, Endpoint, bool) {
        use AlertAction as A;
        use Endpoint as E;
        match self {
            A::Acknowledge => ("acknowledge", E::Acknowledge, true),
            A::Unacknowledge => ("unacknowledge", E::Unacknowledge, true),
            A::Close => ("close", E::Close, true),
            A::AddNote(_) => ("add note", E::AddNote, true),
            A::Snooze(_) => ("snooze", E::Snooze, true),
            A::Escalate(_) => ("escalate", E::Escalate, true),
            A::Assign(_) => ("assign", E::Assign, true),
            A::AddTeam(_) => ("add team", E::AddTeam, true),
            A::AddResponder(_) => ("add responder", E::AddResponder, true),
            A::Custom(_) => ("custom action", E::CustomAction, true),
            A::AddTags(_) => ("add tags", E::AddTags, true),
            A::RemoveTags(_) => ("remove tags", E::RemoveTags, true),
            A::AddDetails(_) => ("add details", E::AddDetails, true),
            A::RemoveDetails(_) => ("remove details", E::RemoveDetails, true),
            A::UpdatePriority(_) => ("update priority", E::UpdatePriority, true),
            A::UpdateMessage(_) => ("update message", E::UpdateMessage, true),
            A::UpdateDescription(_) => ("update description", E::UpdateDescription, true),
            A::Delete => ("delete", E::AlertDelete, true),
        }
    }

    /// Where and how this action is sent on `backend`; `None` when the backend has no such
    /// action (JSM cannot add a team to an alert).
    ///
    /// ```
    /// use opsgenie_client::{AlertAction, Backend, Priority};
    ///
    /// let jsm = Backend::Jsm { cloud_id: "c".into() };
    /// let route = AlertAction::UpdatePriority(Priority::P1).route(&jsm).unwrap();
    /// assert_eq!((route.method.as_str(), route.template), ("PATCH", "/v1/alerts/{id}/priority"));
    /// assert!(route.accepted);
    /// ```
    pub fn route(&self, backend: &Backend) -> Option<ActionRoute> {
        let (_, endpoint, retry_safe) = self.row();
        let route = endpoint.route(backend)?;
        Some(ActionRoute {
            method: route.method,
            template: route.template,
            retry_safe,
            accepted: route.answer == Answer::Accepted,
        })
    }

    /// Checks the documented limits of the action's own values.
    fn validate(&self) -> Result<()> {
        match self {
            AlertAction::AddNote(text) => {
                if text.trim().is_empty() {
                    return Err(Error::invalid("note", "must not be empty"));
                }
                check_len("note", text, 25_000)
            }
            AlertAction::Escalate(escalation) => check_named("escalation", escalation),
            AlertAction::Assign(owner) => {
                if owner.id.is_none() && owner.username.is_none() {
                    return Err(Error::invalid("owner", "needs an id or a username"));
                }
                Ok(())
            }
            AlertAction::AddTeam(team) => check_named("team", team),
            AlertAction::AddResponder(r) => {
                if r.id.is_none() && r.name.is_none() && r.username.is_none() {
                    return Err(Error::invalid(
                        "responder",
                        "needs an id, a name or a username",
                    ));
                }
                Ok(())
            }
            AlertAction::Custom(name) => {
                if name.trim().is_empty() {
                    return Err(Error::invalid("action", "must not be empty"));
                }
                check_len("action", name, 50)
            }
            AlertAction::AddTags(tags) => {
                if tags.is_empty() {
                    return Err(Error::invalid("tags", "must not be empty"));
                }
                check_list("tags", tags, 20, 50)
            }
            AlertAction::AddDetails(details) => {
                if details.is_empty() {
                    return Err(Error::invalid("details", "must not be empty"));
                }
                check_details(details)
            }
            AlertAction::RemoveTags(items) => check_removal("tags", items),
            AlertAction::RemoveDetails(items) => check_removal("details", items),
            AlertAction::UpdateMessage(m) => {
                if m.trim().is_empty() {
                    return Err(Error::invalid("message", "must not be empty"));
                }
                check_len("message", m, 130)
            }
            AlertAction::UpdateDescription(d) => check_len("description", d, 15_000),
            AlertAction::Acknowledge
            | AlertAction::Unacknowledge
            | AlertAction::Close
            | AlertAction::Snooze(_)
            | AlertAction::UpdatePriority(_)
            | AlertAction::Delete => Ok(()),
        }
    }

    /// Whether a note given with the action is sent with it (Opsgenie's `note`): the update
    /// calls and delete take none.
    fn takes_note(&self) -> bool {
        !matches!(
            self,
            AlertAction::AddNote(_)
                | AlertAction::Delete
                | AlertAction::UpdatePriority(_)
                | AlertAction::UpdateMessage(_)
                | AlertAction::UpdateDescription(_)
        )
    }
}

fn check_named(field: &'static str, r: &NamedRef) -> Result<()> {
    if r.id.is_none() && r.name.is_none() {
        return Err(Error::invalid(field, "needs an id or a name"));
    }
    Ok(())
}

fn check_removal(what: &'static str, items: &[String]) -> Result<()> {
    if items.is_empty() {
        return Err(Error::invalid(what, "must not be empty"));
    }
    // Opsgenie takes them as one comma-separated query value.
    if items.iter().any(|i| i.contains(',') || i.trim().is_empty()) {
        return Err(Error::invalid(
            what,
            "items must be non-empty and contain no comma",
        ));
    }
    Ok(())
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
    /// Who performs the action (display name, at most 100 characters). JSM attributes
    /// actions to the account of the credential and takes no `user`: it is not sent there.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The source of the action (at most 100 characters). Not sent to JSM, which takes none.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A note added with the action (at most 25,000 characters). Ignored by the
    /// update-priority/message/description calls, which take no note. JSM actions take no
    /// note: there it is added as a note of its own once the action was accepted.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// The `{user, source, note}` of an Opsgenie action, with the action's own fields.
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

/// Who does an action and what goes with it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extras<'b> {
    pub(crate) user: Option<&'b String>,
    pub(crate) source: Option<&'b String>,
    pub(crate) note: Option<&'b String>,
}

/// Checks the input, resolves the alert (JSM takes ids only) and builds the action's request
/// for the client's backend; what the backend cannot do is refused before any lookup.
async fn prepare(
    client: &Client,
    alert: &AlertRef,
    action: &AlertAction,
    extras: Extras<'_>,
) -> Result<(AlertRef, Req)> {
    alert.check()?;
    check_opt("user", extras.user, 100)?;
    check_opt("source", extras.source, 100)?;
    check_opt("note", extras.note, 25_000)?;
    action.validate()?;
    let (_, endpoint, retry_safe) = action.row();
    let backend = client.backend();
    if endpoint.route(backend).is_none() {
        // The same refusal `request` gives, before the lookup below.
        client.request(endpoint, &[])?;
    }
    let jsm_body = if backend.is_jsm() {
        Some(jsm_body::action(action)?)
    } else {
        None
    };
    let alert = alert.resolve(client).await?;
    let req = match jsm_body {
        Some(body) => {
            let req = client.request(endpoint, &[&alert.value])?;
            match body {
                Some(body) => req.json(&body)?,
                None => req,
            }
        }
        None => opsgenie_request(client, endpoint, &alert, action, extras)?,
    };
    Ok((alert, req.retry_safe(retry_safe)))
}

/// The Opsgenie request of an action: `{user, source, note, ...}` with `identifierType`;
/// removals and delete carry their values in the query.
fn opsgenie_request(
    client: &Client,
    endpoint: Endpoint,
    alert: &AlertRef,
    action: &AlertAction,
    extras: Extras<'_>,
) -> Result<Req> {
    let kind = alert.kind.as_str();
    let Extras { user, source, note } = extras;
    let mut params = vec![alert.value.as_str()];
    if let AlertAction::Custom(name) = action {
        params.push(name);
    }
    let req = client
        .request(endpoint, &params)?
        .query("identifierType", kind);
    let mut extra = serde_json::Map::new();
    let mut note = note;
    let mut put = |key: &str, value: serde_json::Value| {
        extra.insert(key.to_owned(), value);
    };
    match action {
        AlertAction::AddNote(text) => note = Some(text),
        AlertAction::Snooze(end) => put("endTime", to_value(end)?),
        AlertAction::Escalate(escalation) => put("escalation", to_value(escalation)?),
        AlertAction::Assign(owner) => put("owner", to_value(owner)?),
        AlertAction::AddTeam(team) => put("team", to_value(team)?),
        AlertAction::AddResponder(responder) => put("responder", to_value(responder)?),
        AlertAction::AddTags(tags) => put("tags", to_value(tags)?),
        AlertAction::AddDetails(details) => put("details", to_value(details)?),
        AlertAction::RemoveTags(items) | AlertAction::RemoveDetails(items) => {
            let key = if matches!(action, AlertAction::RemoveTags(_)) {
                "tags"
            } else {
                "keys"
            };
            return Ok(req
                .query(key, items.join(","))
                .query_opt("user", user.cloned())
                .query_opt("source", source.cloned())
                .query_opt("note", note.cloned()));
        }
        AlertAction::UpdatePriority(p) => return req.json(&serde_json::json!({ "priority": p })),
        AlertAction::UpdateMessage(m) => return req.json(&serde_json::json!({ "message": m })),
        AlertAction::UpdateDescription(d) => {
            return req.json(&serde_json::json!({ "description": d }));
        }
        AlertAction::Delete => {
            return Ok(req
                .query_opt("user", user.cloned())
                .query_opt("source", source.cloned()));
        }
        AlertAction::Acknowledge
        | AlertAction::Unacknowledge
        | AlertAction::Close
        | AlertAction::Custom(_) => {}
    }
    req.json(&ActionBody {
        user,
        source,
        note,
        extra,
    })
}

/// Sends one action and turns the answer into a handle: the request id of a 202, or (JSM's
/// notes) a handle already complete. On JSM a note given with another action is added as a
/// note of its own once the action was accepted.
pub(crate) async fn send(
    client: &Client,
    alert: &AlertRef,
    action: &AlertAction,
    extras: Extras<'_>,
) -> Result<RequestHandle> {
    let (resolved, req) = prepare(client, alert, action, extras).await?;
    let answer = req.answer;
    let raw = client.execute(req).await?;
    let handle = match answer {
        Answer::Accepted => RequestHandle::from_raw(client, &raw, RequestKind::Alert)?,
        Answer::Body | Answer::Empty => {
            let note: Option<Note> = match action {
                AlertAction::AddNote(_) => Some(raw.decode()?),
                _ => None,
            };
            RequestHandle::completed(client, action.name(), resolved.alert_id(), note)
        }
    };
    if client.is_jsm()
        && action.takes_note()
        && let Some(text) = extras.note
    {
        let note = AlertAction::AddNote(text.clone());
        let (_, req) = prepare(client, &resolved, &note, Extras::default()).await?;
        client.execute(req).await?;
    }
    Ok(handle)
}

into_future!(AlertActionRequest, RequestHandle, |this| {
    let extras = Extras {
        user: this.user.as_ref(),
        source: this.source.as_ref(),
        note: this.note.as_ref(),
    };
    send(this.client, &this.alert, &this.action, extras).await
});
