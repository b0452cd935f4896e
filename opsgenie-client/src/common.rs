//! Small types shared by several resources.

use serde::{Deserialize, Serialize};

opsbot_http::vendor_enum! {
    /// Sort order of a list.
    pub enum Order as "order" {
        /// Ascending.
        Asc => "asc",
        /// Descending.
        Desc => "desc",
    }
}

/// A user, by id or by username (email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserRef {
    /// The user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's username (email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl UserRef {
    /// A user by username (email).
    pub fn username(username: impl Into<String>) -> Self {
        UserRef {
            id: None,
            username: Some(username.into()),
        }
    }

    /// A user by id.
    pub fn id(id: impl Into<String>) -> Self {
        UserRef {
            id: Some(id.into()),
            username: None,
        }
    }
}

impl UserRef {
    /// The Atlassian account id JSM identifies this user by: the id, or else a username that
    /// is not an e-mail address (JSM has no other usernames, and an account id such as
    /// `712020:5f0c...` never contains `@`). `None` for an e-mail, which JSM cannot take.
    pub(crate) fn jsm_account_id(&self) -> Option<&str> {
        self.id
            .as_deref()
            .or_else(|| self.username.as_deref().filter(|u| !u.contains('@')))
            .filter(|id| !id.trim().is_empty())
    }
}

/// A team, escalation or rotation, by id or by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NamedRef {
    /// The id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl NamedRef {
    /// By name.
    pub fn name(name: impl Into<String>) -> Self {
        NamedRef {
            id: None,
            name: Some(name.into()),
        }
    }

    /// By id.
    pub fn id(id: impl Into<String>) -> Self {
        NamedRef {
            id: Some(id.into()),
            name: None,
        }
    }
}

/// `{"result": ..., "took": ..., "requestId": ...}`: the answer to an asynchronous request
/// (JSM's `SuccessResponse`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AcceptedBody {
    pub(crate) request_id: String,
    #[serde(default)]
    pub(crate) result: Option<String>,
}

/// Extracts the query parameter `param` of a next-page link (absolute on Opsgenie, relative
/// such as `/v1/alerts/{id}/notes?after=1492000072838` on JSM).
pub(crate) fn next_cursor(next: Option<&str>, param: &str) -> Option<String> {
    let base = url::Url::parse("http://relative.invalid/").ok()?;
    let url = base.join(next?).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
}

/// Deserializes a team (or other named thing) sent as `{id, name}` (Opsgenie) or as a bare
/// id string (JSM's `teamId`, `ownerTeamId`).
pub(crate) fn named_or_id<'de, D>(deserializer: D) -> Result<Option<NamedRef>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Id(String),
        Named(NamedRef),
    }
    Ok(match Option::<Raw>::deserialize(deserializer)? {
        Some(Raw::Id(id)) if id.is_empty() => None,
        Some(Raw::Id(id)) => Some(NamedRef::id(id)),
        Some(Raw::Named(named)) => Some(named),
        None => None,
    })
}

/// Deserializes a list that may be `null` as empty.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}
