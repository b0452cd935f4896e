//! `GET /account.json`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Client;
use super::time::CampfireTime;
use crate::error::Result;
use crate::ids::{AccountId, UserId};

/// The Campfire account.
#[serde_with::serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// The account id.
    pub id: AccountId,
    /// The account name.
    #[serde(default)]
    pub name: String,
    /// The subdomain (`acme` of `acme.campfirenow.com`).
    #[serde(default)]
    pub subdomain: Option<String>,
    /// The plan (`free`, `basic`, `plus`, `premium`, `max`).
    #[serde(default)]
    pub plan: Option<String>,
    /// The owner.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// The account's time zone (`America/Chicago`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Bytes of storage used.
    #[serde(default)]
    pub storage: Option<u64>,
    /// When the account was created.
    #[serde_as(as = "Option<CampfireTime>")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde_as(as = "Option<CampfireTime>")]
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct Envelope {
    account: Account,
}

impl Client {
    /// The account (`GET /account.json`).
    ///
    /// # Errors
    /// [`crate::Error::Api`] for error statuses (401: bad token), [`crate::Error::Decode`], transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let account = campfire.account().await?;
    /// println!("{} ({:?})", account.name, account.plan);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn account(&self) -> Result<Account> {
        let url = self.url(&["account"])?;
        let envelope: Envelope = self.get_json(url, "/account.json").await?;
        Ok(envelope.account)
    }
}
