//! Everything that differs between Opsgenie and JSM Operations, in one place: the route of
//! every call on each backend (method, path template, what the answer is), the query
//! parameter names, the list and data envelopes, and the JSM body shapes.
//!
//! A resource names the call ([`Endpoint`]) and its parameters; [`Client::request`] looks the
//! route up here for the client's backend *before* anything is sent or logged, so the request
//! span's `path` is the template really sent. The JSM routes and shapes come from Atlassian's
//! published OpenAPI description of the JSM Operations REST API (`swagger.v3.json`; the
//! operationIds are noted per row and in the crate README).

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::{Raw, Req};

/// The service a client talks to, chosen when it is built.
///
/// Opsgenie's REST API stops on 2027-04-05; accounts move to Jira Service Management (JSM)
/// Operations. The same [`Client`] and the same calls serve both; see the crate README for
/// what differs per call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The Opsgenie REST API (`/v2/...`, `Authorization: GenieKey`), the default.
    #[default]
    Opsgenie,
    /// JSM Operations (`/jsm/ops/api/{cloud_id}/v1/...`, HTTP Basic with an Atlassian
    /// account e-mail and API token).
    Jsm {
        /// The Atlassian site's cloud id (see [`Client::jsm_cloud_id`]).
        cloud_id: String,
    },
}

impl Backend {
    /// `"opsgenie"` or `"jsm"`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Opsgenie => "opsgenie",
            Backend::Jsm { .. } => "jsm",
        }
    }

    /// Whether this is JSM Operations.
    pub fn is_jsm(&self) -> bool {
        matches!(self, Backend::Jsm { .. })
    }

    /// The values of [`prefix_template`](Self::prefix_template)'s placeholders.
    pub(crate) fn prefix_args(&self) -> Vec<String> {
        match self {
            Backend::Opsgenie => Vec::new(),
            Backend::Jsm { cloud_id } => vec![cloud_id.clone()],
        }
    }

    /// The path before every route (`/jsm/ops/api/{cloudId}` on JSM).
    pub(crate) fn prefix_template(&self) -> &'static str {
        match self {
            Backend::Opsgenie => "",
            Backend::Jsm { .. } => "/jsm/ops/api/{cloudId}",
        }
    }

    /// The name this backend gives a query parameter, or `None` when it has no such
    /// parameter and it is left out. JSM identifies alerts and schedules by id only (callers
    /// resolve other identifiers first) and calls a page's size `size`.
    pub(crate) fn query_name(&self, name: &'static str) -> Option<&'static str> {
        match (self, name) {
            (Backend::Opsgenie, name) => Some(name),
            (Backend::Jsm { .. }, "limit") => Some("size"),
            (Backend::Jsm { .. }, "identifierType" | "scheduleIdentifierType") => None,
            (Backend::Jsm { .. }, name) => Some(name),
        }
    }

    /// The query parameter of a notes or logs cursor: Opsgenie's `offset`, JSM's `after`.
    pub(crate) fn cursor_param(&self) -> &'static str {
        match self {
            Backend::Opsgenie => "offset",
            Backend::Jsm { .. } => "after",
        }
    }

    /// The largest `offset + size` of an alert list: Opsgenie allows 20,000, JSM's sum
    /// "should be lower than 20K".
    pub(crate) fn list_ceiling(&self) -> u32 {
        match self {
            Backend::Opsgenie => 20_000,
            Backend::Jsm { .. } => 19_999,
        }
    }

    /// Decodes a single-object answer: `{"data": T}` on Opsgenie, the unwrapped `T` on JSM.
    pub(crate) fn decode_data<T: DeserializeOwned>(&self, raw: &Raw) -> Result<T> {
        #[derive(serde::Deserialize)]
        struct DataEnvelope<T> {
            data: T,
        }
        match self {
            Backend::Opsgenie => raw.decode::<DataEnvelope<T>>().map(|e| e.data),
            Backend::Jsm { .. } => raw.decode::<T>(),
        }
    }
}

/// What a successful answer of a route carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// 202 (or JSM's 200 to create) `{result, requestId, took}`: processed asynchronously,
    /// the outcome is read from the request status.
    Accepted,
    /// A JSON body: the resource itself (or its envelope).
    Body,
    /// No body (204).
    Empty,
}

/// One route: method, path template (placeholders in braces, filled in order) and answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) method: Method,
    pub(crate) template: &'static str,
    pub(crate) answer: Answer,
}

const fn route(method: Method, template: &'static str, answer: Answer) -> Option<Route> {
    Some(Route {
        method,
        template,
        answer,
    })
}

/// Every call of the crate that exists on both backends or only on one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    AlertCreate,
    AlertGet,
    AlertGetByAlias,
    AlertList,
    AlertCount,
    AlertDelete,
    AlertRequestStatus,
    Acknowledge,
    Unacknowledge,
    Close,
    AddNote,
    ListNotes,
    ListLogs,
    Snooze,
    Escalate,
    Assign,
    AddTeam,
    AddResponder,
    CustomAction,
    AddTags,
    RemoveTags,
    AddDetails,
    RemoveDetails,
    UpdatePriority,
    UpdateMessage,
    UpdateDescription,
    ScheduleList,
    ScheduleGet,
    OnCalls,
    AllOnCalls,
    NextOnCalls,
    OverrideList,
    OverrideCreate,
    OverrideGet,
    OverrideUpdate,
    OverrideDelete,
    HeartbeatPing,
    HeartbeatList,
    HeartbeatGet,
    HeartbeatCreate,
    HeartbeatUpdate,
    HeartbeatDelete,
    HeartbeatEnable,
    HeartbeatDisable,
    TeamList,
    EscalationList,
}

impl Endpoint {
    /// The route on Opsgenie (`docs.opsgenie.com`, Alert API v2 and friends).
    fn opsgenie(self) -> Option<Route> {
        use Answer::{Accepted, Body};
        use Endpoint as E;
        const GET: Method = Method::GET;
        const POST: Method = Method::POST;
        const PUT: Method = Method::PUT;
        const PATCH: Method = Method::PATCH;
        const DELETE: Method = Method::DELETE;
        match self {
            E::AlertCreate => route(POST, "/v2/alerts", Accepted),
            E::AlertGet => route(GET, "/v2/alerts/{identifier}", Body),
            // Opsgenie reads an alias through `identifierType=alias` on the plain get.
            E::AlertGetByAlias => None,
            E::AlertList => route(GET, "/v2/alerts", Body),
            E::AlertCount => route(GET, "/v2/alerts/count", Body),
            E::AlertDelete => route(DELETE, "/v2/alerts/{identifier}", Accepted),
            E::AlertRequestStatus => route(GET, "/v2/alerts/requests/{requestId}", Body),
            E::Acknowledge => route(POST, "/v2/alerts/{identifier}/acknowledge", Accepted),
            E::Unacknowledge => route(POST, "/v2/alerts/{identifier}/unacknowledge", Accepted),
            E::Close => route(POST, "/v2/alerts/{identifier}/close", Accepted),
            E::AddNote => route(POST, "/v2/alerts/{identifier}/notes", Accepted),
            E::ListNotes => route(GET, "/v2/alerts/{identifier}/notes", Body),
            E::ListLogs => route(GET, "/v2/alerts/{identifier}/logs", Body),
            E::Snooze => route(POST, "/v2/alerts/{identifier}/snooze", Accepted),
            E::Escalate => route(POST, "/v2/alerts/{identifier}/escalate", Accepted),
            E::Assign => route(POST, "/v2/alerts/{identifier}/assign", Accepted),
            E::AddTeam => route(POST, "/v2/alerts/{identifier}/teams", Accepted),
            E::AddResponder => route(POST, "/v2/alerts/{identifier}/responders", Accepted),
            E::CustomAction => route(POST, "/v2/alerts/{identifier}/actions/{action}", Accepted),
            E::AddTags => route(POST, "/v2/alerts/{identifier}/tags", Accepted),
            E::RemoveTags => route(DELETE, "/v2/alerts/{identifier}/tags", Accepted),
            E::AddDetails => route(POST, "/v2/alerts/{identifier}/details", Accepted),
            E::RemoveDetails => route(DELETE, "/v2/alerts/{identifier}/details", Accepted),
            E::UpdatePriority => route(PUT, "/v2/alerts/{identifier}/priority", Accepted),
            E::UpdateMessage => route(PUT, "/v2/alerts/{identifier}/message", Accepted),
            E::UpdateDescription => route(PUT, "/v2/alerts/{identifier}/description", Accepted),
            E::ScheduleList => route(GET, "/v2/schedules", Body),
            E::ScheduleGet => route(GET, "/v2/schedules/{identifier}", Body),
            E::OnCalls => route(GET, "/v2/schedules/{identifier}/on-calls", Body),
            E::AllOnCalls => route(GET, "/v2/schedules/on-calls", Body),
            E::NextOnCalls => route(GET, "/v2/schedules/{identifier}/next-on-calls", Body),
            E::OverrideList => route(GET, "/v2/schedules/{identifier}/overrides", Body),
            E::OverrideCreate => route(POST, "/v2/schedules/{identifier}/overrides", Body),
            E::OverrideGet => route(GET, "/v2/schedules/{identifier}/overrides/{alias}", Body),
            E::OverrideUpdate => route(PUT, "/v2/schedules/{identifier}/overrides/{alias}", Body),
            E::OverrideDelete => {
                route(DELETE, "/v2/schedules/{identifier}/overrides/{alias}", Body)
            }
            E::HeartbeatPing => route(GET, "/v2/heartbeats/{name}/ping", Body),
            E::HeartbeatList => route(GET, "/v2/heartbeats", Body),
            E::HeartbeatGet => route(GET, "/v2/heartbeats/{name}", Body),
            E::HeartbeatCreate => route(POST, "/v2/heartbeats", Body),
            E::HeartbeatUpdate => route(PATCH, "/v2/heartbeats/{name}", Body),
            E::HeartbeatDelete => route(DELETE, "/v2/heartbeats/{name}", Body),
            E::HeartbeatEnable => route(POST, "/v2/heartbeats/{name}/enable", Body),
            E::HeartbeatDisable => route(POST, "/v2/heartbeats/{name}/disable", Body),
            E::TeamList => route(GET, "/v2/teams", Body),
            E::EscalationList => route(GET, "/v2/escalations", Body),
        }
    }

    /// The route on JSM Operations, from the published description (operationId in the
    /// comment). `None`: JSM has no such call.
    fn jsm(self) -> Option<Route> {
        use Answer::{Accepted, Body, Empty};
        use Endpoint as E;
        const GET: Method = Method::GET;
        const POST: Method = Method::POST;
        const PUT: Method = Method::PUT;
        const PATCH: Method = Method::PATCH;
        const DELETE: Method = Method::DELETE;
        match self {
            // createAlert: documented 200 with the same SuccessResponse as the 202s.
            E::AlertCreate => route(POST, "/v1/alerts", Accepted),
            E::AlertGet => route(GET, "/v1/alerts/{id}", Body), // getAlertWithId
            E::AlertGetByAlias => route(GET, "/v1/alerts/alias", Body), // getAlertWithAlias
            E::AlertList => route(GET, "/v1/alerts", Body),     // listAlerts
            // No count endpoint: the list answer's `count` is the total (`size=1`, read `count`).
            E::AlertCount => route(GET, "/v1/alerts", Body),
            E::AlertDelete => route(DELETE, "/v1/alerts/{id}", Accepted), // deleteAlert
            E::AlertRequestStatus => route(GET, "/v1/alerts/requests/{id}", Body), // getRequestStatus
            E::Acknowledge => route(POST, "/v1/alerts/{id}/acknowledge", Accepted), // ackAlert
            E::Unacknowledge => route(POST, "/v1/alerts/{id}/unacknowledge", Accepted), // unackAlert
            E::Close => route(POST, "/v1/alerts/{id}/close", Accepted), // closeAlert
            // addAlertNote: synchronous, 200 with the AlertNote.
            E::AddNote => route(POST, "/v1/alerts/{id}/notes", Body),
            E::ListNotes => route(GET, "/v1/alerts/{id}/notes", Body), // getAlertNotes
            E::ListLogs => route(GET, "/v1/alerts/{id}/logs", Body),   // getAlertLogs
            E::Snooze => route(POST, "/v1/alerts/{id}/snooze", Accepted), // snoozeAlert
            E::Escalate => route(POST, "/v1/alerts/{id}/escalate", Accepted), // escalateAlert
            E::Assign => route(POST, "/v1/alerts/{id}/assign", Accepted), // assignAlert
            E::AddTeam => None,
            E::AddResponder => route(POST, "/v1/alerts/{id}/responders", Accepted), // addResponder
            E::CustomAction => route(POST, "/v1/alerts/{id}/action", Accepted), // executeAlertAction
            E::AddTags => route(POST, "/v1/alerts/{id}/tags", Accepted),        // addTags
            E::RemoveTags => route(DELETE, "/v1/alerts/{id}/tags", Accepted),   // deleteTags
            E::AddDetails => route(POST, "/v1/alerts/{id}/extra-properties", Accepted), // addExtraPropertyToAlert
            E::RemoveDetails => route(DELETE, "/v1/alerts/{id}/extra-properties", Accepted), // deleteExtraPropertyFromAlert
            E::UpdatePriority => route(PATCH, "/v1/alerts/{id}/priority", Accepted), // updateAlertPriority
            E::UpdateMessage => route(PATCH, "/v1/alerts/{id}/message", Accepted), // updateAlertMessage
            E::UpdateDescription => route(PATCH, "/v1/alerts/{id}/description", Accepted), // updateAlertDescription
            E::ScheduleList => route(GET, "/v1/schedules", Body), // listSchedules
            E::ScheduleGet => route(GET, "/v1/schedules/{id}", Body), // getSchedule
            E::OnCalls => route(GET, "/v1/schedules/{scheduleId}/on-calls", Body), // getOnCalls
            E::AllOnCalls => None,
            E::NextOnCalls => route(GET, "/v1/schedules/{scheduleId}/next-on-calls", Body), // getNextOnCalls
            E::OverrideList => route(GET, "/v1/schedules/{scheduleId}/overrides", Body), // listOverrides
            E::OverrideCreate => route(POST, "/v1/schedules/{scheduleId}/overrides", Body), // createOverride (201)
            E::OverrideGet => route(GET, "/v1/schedules/{scheduleId}/overrides/{alias}", Body), // getOverride
            E::OverrideUpdate => route(PUT, "/v1/schedules/{scheduleId}/overrides/{alias}", Body), // updateOverride
            E::OverrideDelete => {
                route(
                    DELETE,
                    "/v1/schedules/{scheduleId}/overrides/{alias}",
                    Empty,
                ) // deleteOverride (204)
            }
            // pingHeartbeat: 202 SimpleSuccessResponse {message}.
            E::HeartbeatPing => route(GET, "/v1/teams/{teamId}/heartbeats/ping", Body),
            E::HeartbeatList => route(GET, "/v1/teams/{teamId}/heartbeats", Body), // listHeartbeats
            // No get: the list filtered by `name`.
            E::HeartbeatGet => route(GET, "/v1/teams/{teamId}/heartbeats", Body),
            E::HeartbeatCreate => route(POST, "/v1/teams/{teamId}/heartbeats", Body), // createHeartbeat (201)
            // updateHeartbeat: PATCH ?name=, documented 201 with the heartbeat.
            E::HeartbeatUpdate => route(PATCH, "/v1/teams/{teamId}/heartbeats", Body),
            E::HeartbeatDelete => route(DELETE, "/v1/teams/{teamId}/heartbeats", Empty), // deleteHeartbeat (204)
            // No enable/disable calls: an update of `enabled`.
            E::HeartbeatEnable | E::HeartbeatDisable => {
                route(PATCH, "/v1/teams/{teamId}/heartbeats", Body)
            }
            E::TeamList => route(GET, "/v1/teams", Body), // getTeams
            // Escalations are listed per team on JSM (`/v1/teams/{teamId}/escalations`): not
            // offered account-wide.
            E::EscalationList => None,
        }
    }

    /// The route of this call on `backend`.
    pub(crate) fn route(self, backend: &Backend) -> Option<Route> {
        match backend {
            Backend::Opsgenie => self.opsgenie(),
            Backend::Jsm { .. } => self.jsm(),
        }
    }

    /// What the call is, for [`Error::Unsupported`].
    fn describe(self) -> &'static str {
        match self {
            Endpoint::AlertGetByAlias => "reading an alert by alias through its own call",
            Endpoint::AddTeam => "adding a team to an alert (add a team responder instead)",
            Endpoint::AllOnCalls => "on-calls of every schedule in one call",
            _ => "this call",
        }
    }
}

impl Client {
    /// The request for `endpoint` on this client's backend, its template filled with
    /// `params` (percent-encoded segments), or [`Error::Unsupported`] when the backend has no
    /// such call (nothing is sent).
    pub(crate) fn request(&self, endpoint: Endpoint, params: &[&str]) -> Result<Req> {
        let backend = self.backend();
        let route = endpoint.route(backend).ok_or(Error::Unsupported {
            backend: backend.name(),
            operation: endpoint.describe(),
        })?;
        Req::route(route, params)
    }
}

/// JSM's body shapes for the alert actions that differ from Opsgenie's: JSM actions take no
/// `user`/`source`/`note` (the caller is the account of the credential), and several bodies are
/// flat. `None` when the action is sent without a body.
pub(crate) mod jsm_body {
    use serde_json::{Value, json};

    use crate::alerts::{AlertAction, Responder};
    use crate::common::{NamedRef, UserRef};
    use crate::error::{Error, Result};

    /// The body of `action` on JSM.
    pub(crate) fn action(action: &AlertAction) -> Result<Option<Value>> {
        Ok(Some(match action {
            // ackAlert / unackAlert / closeAlert / deleteAlert declare no request body.
            AlertAction::Acknowledge
            | AlertAction::Unacknowledge
            | AlertAction::Close
            | AlertAction::Delete => return Ok(None),
            AlertAction::AddNote(note) => json!({ "note": note }), // NoteRequest
            AlertAction::Snooze(end) => json!({ "endTime": end }), // AlertSnoozeRequest
            AlertAction::Escalate(escalation) => {
                json!({ "escalationId": escalation_id(escalation)? })
            }
            AlertAction::Assign(owner) => json!({ "accountId": account_id(owner)? }),
            AlertAction::AddResponder(responder) => responder_body(responder)?,
            AlertAction::Custom(name) => json!({ "actionName": name }), // ExecuteCustomActionRequest
            AlertAction::AddTags(tags) | AlertAction::RemoveTags(tags) => json!({ "tags": tags }),
            AlertAction::AddDetails(details) => json!({ "extraProperties": details }),
            AlertAction::RemoveDetails(keys) => json!({ "keys": keys }),
            AlertAction::UpdatePriority(p) => json!({ "priority": p }),
            AlertAction::UpdateMessage(m) => json!({ "message": m }),
            AlertAction::UpdateDescription(d) => json!({ "description": d }),
            AlertAction::AddTeam(_) => {
                return Err(Error::Unsupported {
                    backend: "jsm",
                    operation: "adding a team to an alert (add a team responder instead)",
                });
            }
        }))
    }

    /// The Atlassian account id of a user (`AssignAlertRequest.accountId`,
    /// `OverrideResponderInfo.id`).
    pub(crate) fn account_id(user: &UserRef) -> Result<&str> {
        user.jsm_account_id().ok_or(Error::Unsupported {
            backend: "jsm",
            operation: "naming a user by e-mail (JSM takes an Atlassian account id: UserRef::id)",
        })
    }

    /// `EscalateToNextRequest.escalationId`: JSM escalates by id only.
    fn escalation_id(escalation: &NamedRef) -> Result<&str> {
        escalation.id.as_deref().ok_or(Error::Unsupported {
            backend: "jsm",
            operation: "escalating by escalation name (JSM takes the escalation id: NamedRef::id)",
        })
    }

    /// `AddResponderRequest {id, type}`, flat; JSM takes ids only.
    fn responder_body(responder: &Responder) -> Result<Value> {
        let id = responder.id.as_deref().ok_or(Error::Unsupported {
            backend: "jsm",
            operation: "adding a responder by name (JSM takes its id: Responder::with_id)",
        })?;
        Ok(json!({ "id": id, "type": responder.kind }))
    }

    /// `CreateAlertRequest`: Opsgenie's `details` are `extraProperties`, there is no `user`,
    /// and responders / visibleTo are `{id, type}`.
    pub(crate) fn create(body: &crate::alerts::CreateAlertBody) -> Result<Value> {
        let mut value =
            serde_json::to_value(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        if let Some(obj) = value.as_object_mut() {
            obj.remove("user");
            if let Some(details) = obj.remove("details") {
                obj.insert("extraProperties".into(), details);
            }
        }
        Ok(value)
    }

    /// `CreateOverrideRequest` / `UpdateOverrideRequest`:
    /// `{responder: {type: "user", id}, startDate, endDate, rotationIds}`; rotations by id only
    /// (absent: every rotation).
    pub(crate) fn override_body(
        user: &UserRef,
        start: String,
        end: String,
        rotations: &[NamedRef],
    ) -> Result<Value> {
        let id = account_id(user)?;
        let mut body = json!({
            "responder": { "type": "user", "id": id },
            "startDate": start,
            "endDate": end,
        });
        if !rotations.is_empty() {
            let ids = rotations
                .iter()
                .map(|r| {
                    r.id.as_deref().ok_or(Error::Unsupported {
                        backend: "jsm",
                        operation: "limiting an override to a rotation by name (JSM takes rotation ids)",
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            body["rotationIds"] = json!(ids);
        }
        Ok(body)
    }
}
