//! Escalations: only the listing (`GET /v2/escalations`), which `genie escalate` needs to pick
//! an escalation when none is named. Escalating an alert is
//! [`AlertAction::Escalate`](crate::AlertAction::Escalate).

use serde::{Deserialize, Serialize};

use crate::backend::Endpoint;
use crate::client::Client;
use crate::error::Result;

/// The team that owns an escalation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OwnerTeam {
    /// The team's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The team's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An escalation as the list answers it (its rules are not read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Escalation {
    /// Its id.
    pub id: String,
    /// Its name (unique in the account).
    pub name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The team that owns it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<OwnerTeam>,
}

impl Escalation {
    /// An escalation with an id and a name (for fakes and tests).
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Escalation {
            id: id.into(),
            name: name.into(),
            description: None,
            owner_team: None,
        }
    }

    /// The same escalation owned by the team `id`, `name`.
    pub fn owned_by(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.owner_team = Some(OwnerTeam {
            id: Some(id.into()),
            name: Some(name.into()),
        });
        self
    }
}

/// The escalation API; see [`Client::escalations`].
#[derive(Clone, Debug)]
pub struct Escalations<'a> {
    client: &'a Client,
}

impl Client {
    /// The escalation API (`/v2/escalations`).
    pub fn escalations(&self) -> Escalations<'_> {
        Escalations { client: self }
    }
}

impl Escalations<'_> {
    /// Lists every escalation (`GET /v2/escalations`).
    ///
    /// # Errors
    /// The API's, transport or decode error; on JSM, where escalations are listed per team,
    /// [`Error::Unsupported`](crate::Error::Unsupported) (nothing is sent).
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// for e in client.escalations().list().await? {
    ///     println!("{}", e.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(self) -> Result<Vec<Escalation>> {
        let req = self.client.request(Endpoint::EscalationList, &[])?;
        let list: crate::alerts::ListEnvelope<Escalation> =
            self.client.execute(req).await?.decode()?;
        Ok(list.data)
    }
}
