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

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::macros::vendor_enum;
use crate::{
    Alert, AlertAction, AlertId, AlertRef, EntityId, NamedRef, Priority, ResponderType, UserRef,
};

vendor_enum!(
    /// The alert action a webhook delivery reports (`action`), as Opsgenie and JSM spell it.
    ///
    /// Opsgenie adds actions over time: a word this version does not know is kept in
    /// `Unknown` and decodes like any other.
    WebhookAction {
        /// An alert was created.
        Create => "Create",
        /// An alert was acknowledged.
        Acknowledge => "Acknowledge",
        /// An acknowledgement was taken back.
        UnAcknowledge => "UnAcknowledge",
        /// An alert was closed.
        Close => "Close",
        /// A note was added (the text is in the alert's `note`).
        AddNote => "AddNote",
        /// A recipient was added.
        AddRecipient => "AddRecipient",
        /// A team was added.
        AddTeam => "AddTeam",
        /// Tags were added.
        AddTags => "AddTags",
        /// Tags were removed.
        RemoveTags => "RemoveTags",
        /// Someone was made the alert's owner (the alert's `owner`).
        AssignOwnership => "AssignOwnership",
        /// Someone took ownership of the alert.
        TakeOwnership => "TakeOwnership",
        /// The alert was escalated (the escalation fields are filled).
        Escalate => "Escalate",
        /// The alert was deleted.
        Delete => "Delete",
        /// A custom action was executed.
        CustomAction => "CustomAction",
        /// A responder was added (Opsgenie's name for the alert API call; not in every
        /// account's action list).
        AddResponder => "AddResponder",
        /// The alert was snoozed.
        Snooze => "Snooze",
        /// The priority was changed.
        UpdatePriority => "UpdatePriority",
        /// The message was changed.
        UpdateMessage => "UpdateMessage",
        /// The description was changed.
        UpdateDescription => "UpdateDescription",
        /// Details were added.
        AddDetails => "AddDetails",
        /// Details were removed.
        RemoveDetails => "RemoveDetails",
    }
);

impl WebhookAction {
    /// The word a delivery carries for an action made with [`AlertAction`] (one table, so a
    /// fake that applies an action announces it with the word Opsgenie uses).
    pub fn for_action(action: &AlertAction) -> WebhookAction {
        match action {
            AlertAction::Acknowledge => WebhookAction::Acknowledge,
            AlertAction::Unacknowledge => WebhookAction::UnAcknowledge,
            AlertAction::Close => WebhookAction::Close,
            AlertAction::AddNote(_) => WebhookAction::AddNote,
            AlertAction::Snooze(_) => WebhookAction::Snooze,
            AlertAction::Escalate(_) => WebhookAction::Escalate,
            AlertAction::Assign(_) => WebhookAction::AssignOwnership,
            AlertAction::AddTeam(_) => WebhookAction::AddTeam,
            AlertAction::AddResponder(_) => WebhookAction::AddResponder,
            AlertAction::Custom(_) => WebhookAction::CustomAction,
            AlertAction::AddTags(_) => WebhookAction::AddTags,
            AlertAction::RemoveTags(_) => WebhookAction::RemoveTags,
            AlertAction::AddDetails(_) => WebhookAction::AddDetails,
            AlertAction::RemoveDetails(_) => WebhookAction::RemoveDetails,
            AlertAction::UpdatePriority(_) => WebhookAction::UpdatePriority,
            AlertAction::UpdateMessage(_) => WebhookAction::UpdateMessage,
            AlertAction::UpdateDescription(_) => WebhookAction::UpdateDescription,
            AlertAction::Delete => WebhookAction::Delete,
        }
    }

    /// `true` for the actions whose deliveries carry the alert's description and details
    /// (`Create` and custom actions).
    pub fn carries_description(&self) -> bool {
        matches!(self, WebhookAction::Create | WebhookAction::CustomAction)
    }
}

vendor_enum!(
    /// What kind of source an action came from (`source.type`).
    SourceType {
        /// Through the REST API (an API integration's key).
        Api => "API",
        /// Through the web application.
        Web => "web",
    }
);

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

/// The subset of the alert a delivery carries (`alert`). Every field is optional in
/// practice: an `Escalate` delivery may hold nothing but `alertId`.
#[serde_as]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookAlert {
    /// The alert's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_id: Option<AlertId>,
    /// The short number people use (`"23"`; sent as a string of digits, a number is accepted).
    #[serde(
        default,
        deserialize_with = "lenient::tiny_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub tiny_id: Option<String>,
    /// The de-duplication key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The entity (may be `""`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The alert's source (where the alert came from, not where this action came from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Tags.
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Teams (ids or names).
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// Recipients.
    #[serde_as(deserialize_as = "DefaultOnNull")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
    /// The acting user's username (an e-mail address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The acting user's id (what identifies the user; a username can change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The description (only on `Create` and custom actions, truncated to 1,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The details (only on `Create` and custom actions; JSM's `extraProperties` is read too).
    /// A value that is not a string is kept as its JSON text.
    #[serde(
        default,
        alias = "extraProperties",
        deserialize_with = "lenient::details",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub details: BTreeMap<String, String>,
    /// The note's text (on `AddNote`, and on actions made with a note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The owner (on ownership changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The priority (sent as `"P3"` or as the number `3`; both are accepted).
    #[serde(
        default,
        deserialize_with = "lenient::priority",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Priority>,
    /// When the alert was created (sent in epoch milliseconds).
    #[serde(
        default,
        deserialize_with = "epoch::deserialize",
        serialize_with = "epoch::millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// When the alert was last updated (sent in epoch nanoseconds).
    #[serde(
        default,
        deserialize_with = "epoch::deserialize",
        serialize_with = "epoch::nanos",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// When the alert was stored (sent in epoch nanoseconds).
    #[serde(
        default,
        deserialize_with = "epoch::deserialize",
        serialize_with = "epoch::nanos",
        skip_serializing_if = "Option::is_none"
    )]
    pub inserted_at: Option<DateTime<Utc>>,
}

/// How many characters of the description and of each detail a delivery carries.
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;

impl WebhookAlert {
    /// The subset of `alert` a delivery carries, description and details included (cut to
    /// [`MAX_DESCRIPTION_CHARS`]); teams are the ids (or names) of its team responders.
    /// The acting user and the note are the action's, not the alert's: set them apart.
    pub fn from_alert(alert: &Alert) -> Self {
        let cut = |s: &str| s.chars().take(MAX_DESCRIPTION_CHARS).collect::<String>();
        WebhookAlert {
            alert_id: Some(alert.id.clone()),
            tiny_id: alert.tiny_id.clone(),
            alias: alert.alias.clone(),
            message: Some(alert.message.clone()),
            entity: alert.entity.clone(),
            source: alert.source.clone(),
            tags: alert.tags.clone(),
            teams: alert
                .responders
                .iter()
                .filter(|r| r.kind == ResponderType::Team)
                .filter_map(|r| r.id.clone().or_else(|| r.name.clone()))
                .collect(),
            recipients: Vec::new(),
            username: None,
            user_id: None,
            description: alert.description.as_deref().map(cut),
            details: alert
                .details
                .iter()
                .map(|(k, v)| (k.clone(), cut(v)))
                .collect(),
            note: None,
            owner: alert.owner.clone().filter(|o| !o.trim().is_empty()),
            priority: alert.priority.clone(),
            created_at: alert.created_at,
            updated_at: alert.updated_at,
            inserted_at: None,
        }
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
    #[serde(default, deserialize_with = "object::or_default")]
    pub alert: WebhookAlert,
    /// Where the action came from.
    #[serde(
        default,
        deserialize_with = "object::optional",
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
        deserialize_with = "object::optional",
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
        deserialize_with = "object::optional",
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
        decode(body)
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

/// A webhook body that is not an alert action payload.
///
/// Messages never quote the body: a delivery may echo the integration's custom headers,
/// which often carry a shared secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is empty (or only white space).
    #[error("empty webhook body")]
    Empty,
    /// The body is not JSON.
    #[error("webhook body is not json: {source}")]
    NotJson {
        /// The JSON error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// The body is JSON, but not an alert action payload.
    #[error("webhook body is not an alert action payload at `{path}`: {source}")]
    Shape {
        /// Where in the document decoding failed (`.` for the top level).
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

fn decode(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(WebhookError::Empty);
    }
    // A derived struct also reads a JSON array (fields by position): refuse anything but an
    // object before decoding, once the body is known to be JSON.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|source| WebhookError::NotJson { source })?;
        return Err(WebhookError::Shape {
            path: ".".to_owned(),
            source: serde::de::Error::invalid_type(unexpected(&value), &"an alert action payload"),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let event = serde_path_to_error::deserialize::<_, WebhookEvent>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let source = e.into_inner();
        if source.is_data() {
            WebhookError::Shape { path, source }
        } else {
            WebhookError::NotJson { source }
        }
    })?;
    de.end()
        .map_err(|source| WebhookError::NotJson { source })?;
    Ok(event)
}

/// What a JSON value is, for an error message (never the value itself).
fn unexpected(value: &serde_json::Value) -> serde::de::Unexpected<'static> {
    use serde::de::Unexpected;
    match value {
        serde_json::Value::Null => Unexpected::Unit,
        serde_json::Value::Bool(_) => Unexpected::Other("a boolean"),
        serde_json::Value::Number(_) => Unexpected::Other("a number"),
        serde_json::Value::String(_) => Unexpected::Other("a string"),
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::Object(_) => Unexpected::Map,
    }
}

/// Readers of nested structs that take an object or `null`, never an array (a derived
/// struct would read an array's items as its fields by position).
mod object {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::value::MapAccessDeserializer;
    use serde::de::{self, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer};

    struct ObjectOrNull<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrNull<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
    }

    /// An object, or `None` for `null`.
    pub(super) fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        d.deserialize_option(ObjectOrNull(PhantomData))
    }

    /// An object, or the default for `null`.
    pub(super) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        optional(d).map(Option::unwrap_or_default)
    }
}

/// Readers that accept each form a field is seen in.
mod lenient {
    use std::collections::BTreeMap;
    use std::fmt;

    use serde::Deserializer;
    use serde::de::{self, Visitor};

    use crate::Priority;

    /// `"P3"`, `"p3"`, `"3"` or `3` (a number outside 1..=5 is kept as `Unknown`).
    pub(super) fn priority<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Priority>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<Priority>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a priority such as \"P3\" or 3")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Some(from_number(n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(Some(from_number(n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                if n.fract() == 0.0 && (1.0..=5.0).contains(&n) {
                    // An integral value in 1..=5: the cast is exact.
                    return Ok(Some(from_number((n as u8).to_string())));
                }
                Ok(Some(Priority::Unknown(n.to_string())))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                let t = s.trim();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                    return Ok(Some(from_number(t.to_owned())));
                }
                let Ok(upper) = t.to_ascii_uppercase().parse::<Priority>();
                Ok(Some(match upper {
                    Priority::Unknown(_) => Priority::Unknown(s.to_owned()),
                    known => known,
                }))
            }
        }
        d.deserialize_option(V)
    }

    fn from_number(digits: String) -> Priority {
        let Ok(p) = format!("P{digits}").parse::<Priority>();
        match p {
            Priority::Unknown(_) => Priority::Unknown(digits),
            known => known,
        }
    }

    /// A string, or a number written as a string.
    pub(super) fn tiny_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tiny id such as \"23\" or 23")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Some(n.to_string()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(Some(n.to_string()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Some(s.to_owned()))
            }
        }
        d.deserialize_option(V)
    }

    /// An object of strings; other values are kept as their JSON text, `null` is empty.
    pub(super) fn details<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, String>, D::Error> {
        let raw: Option<BTreeMap<String, serde_json::Value>> = serde::Deserialize::deserialize(d)?;
        Ok(raw
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect())
    }
}

/// Epoch timestamps in whatever unit they come, and RFC 3339 strings.
mod epoch {
    use std::fmt;

    use chrono::{DateTime, Utc};
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    /// Below this a number is seconds (1e11 s is the year 5138; 1e11 ms is 1973).
    const SECONDS_BELOW: u128 = 100_000_000_000;
    /// Below this (and above the last) milliseconds.
    const MILLIS_BELOW: u128 = SECONDS_BELOW * 1_000;
    /// Below this (and above the last) microseconds; above it nanoseconds.
    const MICROS_BELOW: u128 = MILLIS_BELOW * 1_000;

    /// The instant `n` units after the epoch, the unit told by the magnitude.
    pub(crate) fn from_epoch(n: i128) -> Option<DateTime<Utc>> {
        let per_second: i128 = match n.unsigned_abs() {
            a if a < SECONDS_BELOW => 1,
            a if a < MILLIS_BELOW => 1_000,
            a if a < MICROS_BELOW => 1_000_000,
            _ => 1_000_000_000,
        };
        let secs = i64::try_from(n.div_euclid(per_second)).ok()?;
        let nanos = u32::try_from(n.rem_euclid(per_second) * (1_000_000_000 / per_second)).ok()?;
        DateTime::from_timestamp(secs, nanos)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        struct V;
        impl V {
            fn checked<E: de::Error>(n: i128) -> Result<Option<DateTime<Utc>>, E> {
                from_epoch(n)
                    .map(Some)
                    .ok_or_else(|| E::custom(format!("timestamp {n} is out of range")))
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = Option<DateTime<Utc>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an epoch timestamp (s, ms, µs or ns) or an RFC 3339 date-time")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                V::checked(i128::from(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                V::checked(i128::from(n))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                // Beyond 2^53 a float has lost digits already; what is left is still the
                // right instant to within a microsecond, which is all a float can say.
                if !n.is_finite() || n.abs() >= 1e20 {
                    return Err(E::custom(format!("timestamp {n} is out of range")));
                }
                V::checked(n.trunc() as i128)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                let digits = t.strip_prefix('-').unwrap_or(t);
                if !digits.is_empty()
                    && digits.len() <= 30
                    && digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return match t.parse::<i128>() {
                        Ok(n) => V::checked(n),
                        Err(_) => Err(E::custom("timestamp is out of range")),
                    };
                }
                DateTime::parse_from_rfc3339(t)
                    .map(|d| Some(d.with_timezone(&Utc)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
            }
        }
        d.deserialize_option(V)
    }

    /// Writes epoch milliseconds, as Opsgenie writes `createdAt`.
    pub(super) fn millis<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write(value, false, s)
    }

    /// Writes epoch nanoseconds, as Opsgenie writes `updatedAt`.
    pub(super) fn nanos<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write(value, true, s)
    }

    /// Writes the preferred unit when the reader will take it back as that unit without
    /// loss; otherwise the other unit, an RFC 3339 string, or whole seconds, in that order.
    /// So whatever was decoded serializes into a value that decodes to the same instant.
    fn write<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        prefer_nanos: bool,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let Some(t) = value else {
            return s.serialize_none();
        };
        let as_millis = (t.timestamp_subsec_nanos() % 1_000_000 == 0)
            .then(|| t.timestamp_millis())
            .filter(|ms| (SECONDS_BELOW..MILLIS_BELOW).contains(&ms.unsigned_abs().into()));
        let as_nanos = t
            .timestamp_nanos_opt()
            .filter(|ns| u128::from(ns.unsigned_abs()) >= MICROS_BELOW);
        let integer = if prefer_nanos {
            as_nanos.or(as_millis)
        } else {
            as_millis.or(as_nanos)
        };
        if let Some(n) = integer {
            return s.serialize_i64(n);
        }
        if (0..=9999).contains(&chrono::Datelike::year(t)) {
            return s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        }
        s.serialize_i64(t.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::epoch::from_epoch;

    #[test]
    fn every_unit_lands_on_the_same_instant() {
        let expected = from_epoch(1_502_709_956).map(|t| t.timestamp());
        for n in [
            1_502_709_956_i128,
            1_502_709_956_288,
            1_502_709_956_288_000,
            1_502_709_956_288_000_110,
        ] {
            assert_eq!(from_epoch(n).map(|t| t.timestamp()), expected, "{n}");
        }
        let nanos = from_epoch(1_502_709_956_288_000_110).map(|t| t.timestamp_subsec_nanos());
        assert_eq!(nanos, Some(288_000_110));
        assert!(from_epoch(i128::MAX).is_none());
        assert!(from_epoch(-1_000).is_some_and(|t| t.timestamp() == -1_000));
    }
}
