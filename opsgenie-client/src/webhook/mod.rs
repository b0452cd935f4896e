//! Outgoing webhooks: the alert action data that Opsgenie's Webhook integration, and the
//! Webhook integration of Jira Service Management (JSM) Operations, POST to a URL.
//!
//! Both services send the same payload (the `action` word, a subset of the alert, where the
//! action came from, the integration and, for escalations, the escalation), so one decoder
//! serves both: bytes in, one [`WebhookEvent`] out.
//!
//! ```
//! use opsgenie_client::webhook::{WebhookAction, WebhookEvent};
//! use opsgenie_client::Priority;
//!
//! let body = br#"{"action":"Create","alert":{"alertId":"fake-alert-0001","tinyId":"2",
//!     "message":"Disk full on db-3","priority":3,"createdAt":1502709956288,
//!     "updatedAt":1502709956288000110,"username":"ann@example.invalid"},
//!     "source":{"name":"web","type":"API"},"integrationName":"Webhook"}"#;
//! let event = WebhookEvent::from_slice(body)?;
//! assert_eq!(event.action(), &WebhookAction::Create);
//! assert_eq!(event.alert().tiny_id.as_deref(), Some("2"));
//! assert_eq!(event.alert().priority, Some(Priority::P3));
//! assert!(!event.is_from_source("opsbot"));
//! # Ok::<(), opsgenie_client::webhook::WebhookError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::{Alert, AlertId, AlertRef, EntityId, NamedRef, ResponderType, UserRef};

mod action;
mod alert;
mod epoch;
mod error;
mod lenient;

pub use action::{SourceType, WebhookAction};
pub use alert::{MAX_DESCRIPTION_CHARS, WebhookAlert};
pub use error::WebhookError;

/// Where an action came from (`source`): `{ "name": "...", "type": "API" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActionSource {
    /// The source's name: the `source` a REST call gave (its IP address when it gave none),
    /// `web` for the web application, or `""`.
    #[serde(default)]
    pub name: Option<String>,
    /// The kind of source.
    #[serde(default, rename = "type")]
    pub kind: Option<SourceType>,
}

impl ActionSource {
    /// A source with a name and a kind.
    pub fn new(name: impl Into<String>, kind: SourceType) -> Self {
        ActionSource {
            name: Some(name.into()),
            kind: Some(kind),
        }
    }
}

/// Who an escalation notified (`escalationNotify`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EscalationNotify {
    /// The notified party's id.
    #[serde(default)]
    pub id: Option<EntityId>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its kind (`user`, `team`, `schedule`, ...).
    #[serde(default, rename = "type")]
    pub kind: Option<ResponderType>,
    /// The entity behind it, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<serde_json::Value>,
}

/// The trace Opsgenie sometimes attaches (`alertFlowContext`).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlertFlowContext {
    /// The request that started the flow.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The trace id.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Whatever else the flow carries, as sent.
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<String, serde_json::Value>,
}

/// The custom headers of the integration, when a payload echoes them (`headers`).
///
/// A custom header is the usual way to send a shared secret with a delivery, so the values
/// never reach `Debug`: it lists the names only.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EchoedHeaders(BTreeMap<String, serde_json::Value>);

impl EchoedHeaders {
    /// The value of a header, by name ignoring ASCII case; `None` when absent or not a string.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    }

    /// The header names, as sent.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// `true` when no header was echoed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a header (for building payloads, as a fake does).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0
            .insert(name.into(), serde_json::Value::String(value.into()));
    }
}

impl fmt::Debug for EchoedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "<redacted>")))
            .finish()
    }
}

/// One webhook delivery: an alert action, decoded.
///
/// Built by [`WebhookEvent::from_slice`]; serializes back into the shape Opsgenie sends
/// (timestamps in epoch milliseconds and nanoseconds, as Opsgenie writes them).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The action.
    pub action: WebhookAction,
    /// The alert it was made on.
    #[serde(default, deserialize_with = "opsbot_http::object::or_default")]
    pub alert: WebhookAlert,
    /// Where the action came from.
    #[serde(
        default,
        deserialize_with = "opsbot_http::object::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<ActionSource>,
    /// The id of the integration the payload names (the one that forwarded it on Opsgenie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<EntityId>,
    /// That integration's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_name: Option<String>,
    /// That integration's type (`Webhook`), when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_type: Option<String>,
    /// `Escalate`: the escalation's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_id: Option<EntityId>,
    /// `Escalate`: the escalation's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_name: Option<String>,
    /// `Escalate`: who was notified.
    #[serde(
        default,
        deserialize_with = "opsbot_http::object::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub escalation_notify: Option<EscalationNotify>,
    /// `Escalate`: the escalation rule's time, as sent (a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_time: Option<i64>,
    /// `Escalate`: how many times the escalation has repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<u64>,
    /// The trace Opsgenie sometimes attaches.
    #[serde(
        default,
        deserialize_with = "opsbot_http::object::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub alert_flow_context: Option<AlertFlowContext>,
    /// The integration's custom headers, when echoed (values are never in `Debug`).
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default, skip_serializing_if = "EchoedHeaders::is_empty")]
    pub headers: EchoedHeaders,
}

impl WebhookEvent {
    /// An event with an action and an alert, nothing else (for building payloads, as a fake
    /// does; set the other public fields as needed).
    pub fn new(action: WebhookAction, alert: WebhookAlert) -> Self {
        WebhookEvent {
            action,
            alert,
            source: None,
            integration_id: None,
            integration_name: None,
            integration_type: None,
            escalation_id: None,
            escalation_name: None,
            escalation_notify: None,
            escalation_time: None,
            repeat_count: None,
            alert_flow_context: None,
            headers: EchoedHeaders::default(),
        }
    }

    /// The delivery Opsgenie makes for `action` on `alert`: the alert subset, with the
    /// description and details only where Opsgenie sends them (`Create`, custom actions).
    /// Set `source`, the acting user (`alert.username`, `alert.user_id`) and `alert.note` on
    /// the result.
    pub fn for_alert(action: WebhookAction, alert: &Alert) -> Self {
        let mut subset = WebhookAlert::from_alert(alert);
        if !action.carries_description() {
            subset.description = None;
            subset.details.clear();
        }
        WebhookEvent::new(action, subset)
    }

    /// Decodes one delivery's body. Unknown fields and unknown action words are kept
    /// tolerant; timestamps in seconds, milliseconds, microseconds or nanoseconds since the
    /// epoch (numbers or strings of digits) and RFC 3339 strings are all read.
    ///
    /// # Errors
    /// [`WebhookError::Empty`] for an empty (or all-blank) body, [`WebhookError::NotJson`]
    /// for a body that is not JSON, [`WebhookError::Shape`] for JSON that is not an alert
    /// action payload (not an object, no `action`, a field of the wrong type). Never panics.
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
        error::decode(body)
    }

    /// A key equal for two deliveries of the same payload (Opsgenie retries a delivery that
    /// failed, so one action can arrive more than once): a hash of the decoded event, so key
    /// order and white space do not matter. Stable within one process; do not store it.
    pub fn dedup_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        serde_json::to_vec(self)
            .unwrap_or_default()
            .hash(&mut hasher);
        hasher.finish()
    }

    /// The action.
    pub fn action(&self) -> &WebhookAction {
        &self.action
    }

    /// The alert the action was made on.
    pub fn alert(&self) -> &WebhookAlert {
        &self.alert
    }

    /// A reference to the alert for further calls: by id, or by tiny id when the payload has
    /// no id. `None` when it has neither.
    pub fn alert_ref(&self) -> Option<AlertRef> {
        let id = self.alert.alert_id.as_ref().map(AlertId::as_str);
        if let Some(id) = non_empty(id) {
            return Some(AlertRef::id(id));
        }
        non_empty(self.alert.tiny_id.as_deref()).map(AlertRef::tiny)
    }

    /// Who made the action: the user id and the username (e-mail) the payload names, empty
    /// values left out. `None` when it names nobody. Compare users by id where you can.
    pub fn actor(&self) -> Option<UserRef> {
        let id = non_empty(self.alert.user_id.as_deref());
        let username = non_empty(self.alert.username.as_deref());
        if id.is_none() && username.is_none() {
            return None;
        }
        Some(UserRef {
            id: id.map(str::to_owned),
            username: username.map(str::to_owned),
        })
    }

    /// The note's text on `AddNote` (and any action made with a note); `None` when empty.
    pub fn note(&self) -> Option<&str> {
        non_empty(self.alert.note.as_deref())
    }

    /// The new owner on `AssignOwnership` and `TakeOwnership`: the alert's `owner`, or for
    /// `TakeOwnership` without one, the acting user (who took it). `None` otherwise.
    pub fn owner(&self) -> Option<&str> {
        match self.action {
            WebhookAction::AssignOwnership => non_empty(self.alert.owner.as_deref()),
            WebhookAction::TakeOwnership => non_empty(self.alert.owner.as_deref())
                .or_else(|| non_empty(self.alert.username.as_deref())),
            _ => None,
        }
    }

    /// The escalation on `Escalate` (or whenever the payload names one), by id and name.
    pub fn escalation(&self) -> Option<NamedRef> {
        let id = non_empty(self.escalation_id.as_ref().map(EntityId::as_str));
        let name = non_empty(self.escalation_name.as_deref());
        if id.is_none() && name.is_none() {
            return None;
        }
        Some(NamedRef {
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
        })
    }

    /// `true` when the action came through a request whose `source` was `name` (compared
    /// ignoring ASCII case and surrounding space): how a bot that sends its requests with a
    /// `source` recognises its own actions and skips them. For `Create` the new alert's own
    /// `source` counts too. An empty `name` matches nothing.
    pub fn is_from_source(&self, name: &str) -> bool {
        let wanted = name.trim();
        if wanted.is_empty() {
            return false;
        }
        let same = |s: Option<&str>| s.is_some_and(|s| s.trim().eq_ignore_ascii_case(wanted));
        same(self.source.as_ref().and_then(|s| s.name.as_deref()))
            || (self.action == WebhookAction::Create && same(self.alert.source.as_deref()))
    }

    /// `true` when the payload names the integration `id_or_name` (`integrationId`, or
    /// `integrationName` ignoring ASCII case). On Opsgenie this is the integration that
    /// forwarded the delivery: useful when several integrations post to one URL.
    pub fn via_integration(&self, id_or_name: &str) -> bool {
        let wanted = id_or_name.trim();
        !wanted.is_empty()
            && (self
                .integration_id
                .as_ref()
                .is_some_and(|id| id.as_str() == wanted)
                || self
                    .integration_name
                    .as_deref()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted)))
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}
