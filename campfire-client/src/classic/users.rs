//! `GET /users/me.json`, `GET /users/{id}.json`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Client;
use super::time::CampfireTime;
use crate::error::Result;
use crate::ids::UserId;

opsbot_http::vendor_enum! {
    /// The kind of a classic Campfire user.
    pub enum UserType as "user type" {
        /// A member of the account.
        Member => "Member",
        /// A guest in an open room.
        Guest => "Guest",
    }
}

/// A user's own API token, as `/users/me.json` returns it. `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiToken(String);

impl ApiToken {
    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A classic Campfire user.
#[serde_with::serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user id.
    pub id: UserId,
    /// The display name.
    #[serde(default)]
    pub name: String,
    /// The email address (absent for guests and for other users on some plans).
    #[serde(default)]
    pub email_address: Option<String>,
    /// Whether the user administers the account.
    #[serde(default)]
    pub admin: Option<bool>,
    /// Member or Guest.
    #[serde(default, rename = "type")]
    pub user_type: Option<UserType>,
    /// The avatar's URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// When the user was created.
    #[serde_as(as = "Option<CampfireTime>")]
    pub created_at: Option<DateTime<Utc>>,
    /// The user's own API token (only on `/users/me.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_auth_token: Option<ApiToken>,
}

#[derive(Deserialize)]
struct Envelope {
    user: User,
}

impl Client {
    /// The user the token belongs to (`GET /users/me.json`). A bot compares message authors with this to
    /// ignore its own messages.
    ///
    /// # Errors
    /// [`crate::Error::Api`] for error statuses (401: bad token), [`crate::Error::Decode`], transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let me = campfire.me().await?;
    /// println!("signed in as {} ({})", me.name, me.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn me(&self) -> Result<User> {
        let url = self.url(&["users", "me"])?;
        let envelope: Envelope = self.get_json(url, "/users/me.json").await?;
        Ok(envelope.user)
    }

    /// One user (`GET /users/{id}.json`).
    ///
    /// # Errors
    /// [`crate::Error::Api`] 404 for an unknown user; otherwise as [`Client::me`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let user = campfire.user(5).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn user(&self, id: impl Into<UserId>) -> Result<User> {
        let url = self.url(&["users", &id.into().to_string()])?;
        let envelope: Envelope = self.get_json(url, "/users/{user_id}.json").await?;
        Ok(envelope.user)
    }
}
