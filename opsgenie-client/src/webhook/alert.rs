//! The alert subset a delivery carries.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use super::{epoch, lenient};
use crate::{Alert, AlertId, Priority, ResponderType};

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
