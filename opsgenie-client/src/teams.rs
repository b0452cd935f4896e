//! Teams (`GET /v2/teams`; JSM `GET /v1/teams`), so a user can find a team's id (JSM's
//! heartbeats belong to a team).

use serde::{Deserialize, Serialize};

use crate::backend::Endpoint;
use crate::client::Client;
use crate::common::null_as_empty;
use crate::error::Result;
use crate::ids::EntityId;

/// A team: Opsgenie's `{id, name, description}`, JSM's `PlatformTeamDto {teamId, teamName}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Team {
    /// Its id (JSM's `teamId`).
    #[serde(alias = "teamId")]
    pub id: EntityId,
    /// Its name (JSM's `teamName`).
    #[serde(default, alias = "teamName")]
    pub name: String,
    /// Its description (Opsgenie only).
    #[serde(default)]
    pub description: Option<String>,
}

/// `{data: [..]}` (Opsgenie) or `{platformTeams: [..]}` (JSM).
#[derive(Deserialize)]
struct TeamList {
    #[serde(
        default,
        alias = "data",
        alias = "platformTeams",
        deserialize_with = "null_as_empty"
    )]
    teams: Vec<Team>,
}

impl Client {
    /// Lists the teams (`GET /v2/teams`; JSM `GET /v1/teams`, which is not paged).
    ///
    /// # Errors
    /// The API's error or a decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// for team in client.teams().await? {
    ///     println!("{} {}", team.id, team.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn teams(&self) -> Result<Vec<Team>> {
        let req = self.request(Endpoint::TeamList, &[])?;
        let list: TeamList = self.execute(req).await?.decode()?;
        Ok(list.teams)
    }
}
