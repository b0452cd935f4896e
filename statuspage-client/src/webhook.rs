//! Subscriber webhooks: the notifications a status page POSTs to a subscriber's URL when an
//! incident is created or updated and when a component's status changes.
//!
//! Every notification names its page (`page`, with the page's overall indicator) and carries
//! `meta` (unsubscribe and documentation links); then either the incident, as the Manage API
//! returns it, or the component and the change (`component_update` with the old and new
//! status). [`Notification::from_slice`] turns a delivery's body into one of the two:
//!
//! ```
//! use statuspage_client::webhook::Notification;
//! use statuspage_client::ComponentStatus;
//!
//! let body = br#"{"meta":{"unsubscribe":"https://status.example.invalid/?unsubscribe=fake",
//!     "documentation":"https://help.statuspage.io/knowledge_base/topics/webhook-notifications"},
//!     "page":{"id":"fakepage0001","status_indicator":"major","status_description":"Partial System Outage"},
//!     "component_update":{"created_at":"2024-06-07T10:00:00.000Z","new_status":"major_outage",
//!         "old_status":"operational","id":"fakecupd0001","component_id":"fakecomp0001"},
//!     "component":{"created_at":"2024-06-07T01:00:17Z","id":"fakecomp0001","name":"API","status":"major_outage"}}"#;
//!
//! match Notification::from_slice(body)? {
//!     Notification::Component { component, component_update, .. } => {
//!         assert_eq!(component.name, "API");
//!         assert_eq!(component_update.old_status, ComponentStatus::Operational);
//!         assert_eq!(component_update.new_status, ComponentStatus::MajorOutage);
//!     }
//!     Notification::Incident { incident, .. } => println!("{}", incident.name),
//!     _ => {}
//! }
//! # Ok::<(), statuspage_client::webhook::WebhookError>(())
//! ```

use chrono::{DateTime, Utc};
use opsbot_http::object::ObjectError;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::{
    Component, ComponentId, ComponentStatus, Incident, IncidentUpdate, PageId, StatusIndicator,
};

opsbot_http::id_type! {
    /// The id of one component status change (`component_update.id`).
    pub struct ComponentUpdateId(String);
}

/// The links every notification carries (`meta`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Meta {
    /// Where the subscriber can unsubscribe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe: Option<String>,
    /// Statuspage's documentation of these notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// When the notification was generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<DateTime<Utc>>,
}

/// The page a notification comes from (`page`).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookPage {
    /// The page's id: a notification can come from any page the URL subscribes to.
    pub id: PageId,
    /// The page's overall state after the change (`Unknown("")` when none was sent).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub status_indicator: StatusIndicator,
    /// The sentence the page shows (`Partial System Outage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_description: Option<String>,
}

impl WebhookPage {
    /// A page with its indicator and description.
    pub fn new(
        id: impl Into<PageId>,
        status_indicator: StatusIndicator,
        status_description: impl Into<String>,
    ) -> Self {
        WebhookPage {
            id: id.into(),
            status_indicator,
            status_description: Some(status_description.into()),
        }
    }
}

/// One change of a component's status (`component_update`).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComponentUpdate {
    /// The change's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ComponentUpdateId>,
    /// The component that changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_id: Option<ComponentId>,
    /// What changed (`Component`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
    /// The status before (`Unknown("")` when none was sent).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub old_status: ComponentStatus,
    /// The status after (`Unknown("")` when none was sent).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub new_status: ComponentStatus,
    /// When it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

impl ComponentUpdate {
    /// A change of `component_id` from `old_status` to `new_status`.
    pub fn new(
        component_id: impl Into<ComponentId>,
        old_status: ComponentStatus,
        new_status: ComponentStatus,
    ) -> Self {
        ComponentUpdate {
            id: None,
            component_id: Some(component_id.into()),
            component_type: Some("Component".to_owned()),
            old_status,
            new_status,
            created_at: None,
        }
    }
}

/// One subscriber webhook notification.
///
/// Serializes back into the shape Statuspage sends (`meta`, `page`, then `incident` or
/// `component` + `component_update`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Notification {
    /// An incident (or a scheduled maintenance) was created or updated.
    #[non_exhaustive]
    Incident {
        /// The links.
        meta: Meta,
        /// The page.
        page: WebhookPage,
        /// The incident as the Manage API returns it, updates newest first.
        incident: Box<Incident>,
    },
    /// A component's status changed.
    #[non_exhaustive]
    Component {
        /// The links.
        meta: Meta,
        /// The page.
        page: WebhookPage,
        /// The component, with its new status.
        component: Box<Component>,
        /// The change.
        component_update: ComponentUpdate,
    },
}

impl Notification {
    /// An incident notification (for building payloads, as a fake does).
    pub fn new_incident(meta: Meta, page: WebhookPage, incident: Incident) -> Self {
        Notification::Incident {
            meta,
            page,
            incident: Box::new(incident),
        }
    }

    /// A component notification (for building payloads, as a fake does).
    pub fn new_component(
        meta: Meta,
        page: WebhookPage,
        component: Component,
        component_update: ComponentUpdate,
    ) -> Self {
        Notification::Component {
            meta,
            page,
            component: Box::new(component),
            component_update,
        }
    }

    /// Decodes one delivery's body. Unknown fields and unknown status values are kept
    /// tolerant. A body with both an `incident` and a `component` is an incident
    /// notification (Statuspage sends one or the other).
    ///
    /// # Errors
    /// [`WebhookError::Empty`] for an empty (or all-blank) body, [`WebhookError::NotJson`]
    /// for a body that is not JSON, [`WebhookError::Shape`] for JSON of the wrong shape (not
    /// an object, a field of the wrong type), [`WebhookError::NotANotification`] for an
    /// object without a `page`, or with neither an incident nor a component change.
    /// Never panics.
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
        let raw: RawNotification =
            opsbot_http::object::decode_object(body, "a subscriber notification").map_err(|e| {
                match e {
                    ObjectError::Empty => WebhookError::Empty,
                    ObjectError::Shape { path, source } => WebhookError::Shape { path, source },
                    ObjectError::NotJson(source) => WebhookError::NotJson { source },
                    // A later kind of refusal: still a body that is not JSON we can read.
                    _ => WebhookError::NotJson {
                        source: serde::de::Error::custom(e),
                    },
                }
            })?;
        raw.into_notification()
    }

    /// A key equal for two deliveries of the same notification (Statuspage retries failed
    /// deliveries): a hash of everything but `meta` (whose `generated_at` may be new on a
    /// retry), so key order and white space do not matter either. Stable within one process;
    /// do not store it.
    pub fn dedup_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        let without_meta = match self {
            Notification::Incident { page, incident, .. } => serde_json::to_vec(&(page, incident)),
            Notification::Component {
                page,
                component,
                component_update,
                ..
            } => serde_json::to_vec(&(page, component, component_update)),
        };
        without_meta.unwrap_or_default().hash(&mut hasher);
        hasher.finish()
    }

    /// The links.
    pub fn meta(&self) -> &Meta {
        match self {
            Notification::Incident { meta, .. } | Notification::Component { meta, .. } => meta,
        }
    }

    /// The page the notification comes from.
    pub fn page(&self) -> &WebhookPage {
        match self {
            Notification::Incident { page, .. } | Notification::Component { page, .. } => page,
        }
    }

    /// `true` when the notification comes from `page` (and not from another page the same
    /// URL subscribes to, such as a vendor's).
    pub fn is_from_page(&self, page: impl AsRef<str>) -> bool {
        self.page().id.as_str() == page.as_ref()
    }

    /// The incident, for an incident notification.
    pub fn incident(&self) -> Option<&Incident> {
        match self {
            Notification::Incident { incident, .. } => Some(incident),
            Notification::Component { .. } => None,
        }
    }

    /// The component and its change, for a component notification.
    pub fn component_change(&self) -> Option<(&Component, &ComponentUpdate)> {
        match self {
            Notification::Component {
                component,
                component_update,
                ..
            } => Some((component, component_update)),
            Notification::Incident { .. } => None,
        }
    }

    /// The incident's newest update (the text subscribers were just sent), for an incident
    /// notification.
    pub fn latest_update(&self) -> Option<&IncidentUpdate> {
        self.incident().and_then(Incident::latest_update)
    }

    /// The incident's short link, for an incident notification that has one.
    pub fn shortlink(&self) -> Option<&str> {
        self.incident()
            .and_then(|i| i.shortlink.as_deref())
            .filter(|s| !s.trim().is_empty())
    }
}

impl<'de> Deserialize<'de> for Notification {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawNotification::deserialize(deserializer)?
            .into_notification()
            .map_err(serde::de::Error::custom)
    }
}

/// The wire shape: every part optional, so that what is missing is reported by name.
#[derive(Deserialize)]
struct RawNotification {
    #[serde(default, deserialize_with = "opsbot_http::object::or_default")]
    meta: Meta,
    #[serde(default, deserialize_with = "opsbot_http::object::optional")]
    page: Option<WebhookPage>,
    #[serde(default, deserialize_with = "opsbot_http::object::optional")]
    incident: Option<Incident>,
    #[serde(default, deserialize_with = "opsbot_http::object::optional")]
    component: Option<Component>,
    #[serde(default, deserialize_with = "opsbot_http::object::optional")]
    component_update: Option<ComponentUpdate>,
}

impl RawNotification {
    fn into_notification(self) -> Result<Notification, WebhookError> {
        let Some(page) = self.page else {
            return Err(WebhookError::NotANotification {
                reason: "it names no `page`",
            });
        };
        match (self.incident, self.component, self.component_update) {
            (Some(incident), _, _) => Ok(Notification::new_incident(self.meta, page, incident)),
            (None, Some(component), Some(update)) => Ok(Notification::new_component(
                self.meta, page, component, update,
            )),
            (None, Some(_), None) => Err(WebhookError::NotANotification {
                reason: "it has a `component` but no `component_update`",
            }),
            (None, None, _) => Err(WebhookError::NotANotification {
                reason: "it has neither an `incident` nor a `component`",
            }),
        }
    }
}

/// A webhook body that is not a subscriber notification.
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
    /// The body is JSON of the wrong shape.
    #[error("webhook body is not a statuspage notification at `{path}`: {source}")]
    Shape {
        /// Where in the document decoding failed (`.` for the top level).
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The body is an object, but not a notification.
    #[error("webhook body is not a statuspage notification: {reason}")]
    NotANotification {
        /// What is missing.
        reason: &'static str,
    },
}
