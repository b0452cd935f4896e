//! The public Status API v2 of any status page (`https://<page>/api/v2/...`); no key needed.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};
use url::Url;

use opsbot_http::Config;

use crate::client::{Core, Request, Route, Statuspage, default_config};
use crate::components::Component;
use crate::error::Result;
use crate::ids::PageId;
use crate::incidents::Incident;

opsbot_http::vendor_enum! {
    /// The overall state of a page.
    pub enum StatusIndicator as "status indicator" {
        /// All systems operational.
        None => "none",
        /// Minor problems.
        Minor => "minor",
        /// Major problems.
        Major => "major",
        /// Critical problems.
        Critical => "critical",
        /// Under maintenance.
        Maintenance => "maintenance",
    }
}

/// The page as the public API describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicPage {
    /// The page's id.
    pub id: PageId,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// The page's address.
    #[serde(default)]
    pub url: Option<String>,
    /// The time zone.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// When anything on it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The overall state of a page.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PageStatus {
    /// The indicator (`none` when all is well).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub indicator: StatusIndicator,
    /// The sentence shown (`All Systems Operational`).
    #[serde(default)]
    pub description: Option<String>,
}

/// `status.json`: the page and its overall state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusResponse {
    /// The page.
    pub page: PublicPage,
    /// Its overall state.
    pub status: PageStatus,
}

/// `summary.json`: everything on the page at once.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// The page.
    pub page: PublicPage,
    /// Its overall state.
    pub status: PageStatus,
    /// Every component (groups included, `group: true`).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub components: Vec<Component>,
    /// The unresolved incidents.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// Upcoming and active maintenances.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub scheduled_maintenances: Vec<Incident>,
}

#[serde_as]
#[derive(Deserialize)]
struct ComponentsEnvelope {
    // No `default`: an answer without the list is not an empty list.
    #[serde_as(as = "DefaultOnNull")]
    components: Vec<Component>,
}

#[serde_as]
#[derive(Deserialize)]
struct IncidentsEnvelope {
    // No `default`: an answer without the list is not an empty list.
    #[serde_as(as = "DefaultOnNull")]
    incidents: Vec<Incident>,
}

#[serde_as]
#[derive(Deserialize)]
struct MaintenancesEnvelope {
    // No `default`: an answer without the list is not an empty list.
    #[serde_as(as = "DefaultOnNull")]
    scheduled_maintenances: Vec<Incident>,
}

/// A client for the public Status API v2 of any Statuspage page (no key).
///
/// ```no_run
/// # async fn run() -> statuspage_client::Result<()> {
/// use statuspage_client::PublicClient;
///
/// let status = PublicClient::new("https://status.example.com")?;
/// let summary = status.summary().await?;
/// println!("{}", summary.status.description.unwrap_or_default());
/// for component in summary.components.iter().filter(|c| c.status.is_degraded()) {
///     println!("{}: {}", component.name, component.status.label());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PublicClient {
    core: Arc<Core>,
}

impl fmt::Debug for PublicClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicClient")
            .field("base_url", &self.core.base_url().as_str())
            .finish_non_exhaustive()
    }
}

impl PublicClient {
    /// A client for the page at `page_url` (`https://status.example.com` or
    /// `https://<subdomain>.statuspage.io`; `/api/v2` is added unless present).
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a URL that is not absolute
    /// http(s); [`Error::Transport`](crate::Error::Transport) when the HTTP client cannot be set up.
    pub fn new(page_url: impl Into<String>) -> Result<PublicClient> {
        PublicClient::builder(page_url).build()
    }

    /// A builder for timeouts, retries and the rest.
    pub fn builder(page_url: impl Into<String>) -> PublicClientBuilder {
        PublicClientBuilder {
            config: default_config(page_url, None),
        }
    }

    /// The `/api/v2` URL every path is appended to.
    pub fn base_url(&self) -> &Url {
        self.core.base_url()
    }

    async fn get<T: DeserializeOwned>(&self, template: &'static str) -> Result<T> {
        self.core
            .execute(Request::get(Route::new(template, [])))
            .await
    }

    /// `summary.json`: the page, its state, components, unresolved incidents and maintenances.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) for an error answer, [`Error::Decode`](crate::Error::Decode)
    /// for a body that is not a status page's JSON (e.g. the URL is not a Statuspage page),
    /// [`Error::Transport`](crate::Error::Transport) or [`Error::Timeout`](crate::Error::Timeout).
    pub async fn summary(&self) -> Result<Summary> {
        self.get("/summary.json").await
    }

    /// `status.json`: the page and its overall state.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn status(&self) -> Result<StatusResponse> {
        self.get("/status.json").await
    }

    /// `components.json`: every component.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn components(&self) -> Result<Vec<Component>> {
        let envelope: ComponentsEnvelope = self.get("/components.json").await?;
        Ok(envelope.components)
    }

    /// `incidents.json`: the 50 most recent incidents.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn incidents(&self) -> Result<Vec<Incident>> {
        let envelope: IncidentsEnvelope = self.get("/incidents.json").await?;
        Ok(envelope.incidents)
    }

    /// `incidents/unresolved.json`: the unresolved incidents.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn unresolved_incidents(&self) -> Result<Vec<Incident>> {
        let envelope: IncidentsEnvelope = self.get("/incidents/unresolved.json").await?;
        Ok(envelope.incidents)
    }

    /// `scheduled-maintenances.json`: the most recent maintenances.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn scheduled_maintenances(&self) -> Result<Vec<Incident>> {
        let envelope: MaintenancesEnvelope = self.get("/scheduled-maintenances.json").await?;
        Ok(envelope.scheduled_maintenances)
    }

    /// `scheduled-maintenances/upcoming.json`: maintenances not started yet.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn upcoming_maintenances(&self) -> Result<Vec<Incident>> {
        let envelope: MaintenancesEnvelope =
            self.get("/scheduled-maintenances/upcoming.json").await?;
        Ok(envelope.scheduled_maintenances)
    }

    /// `scheduled-maintenances/active.json`: maintenances under way.
    ///
    /// # Errors
    /// As for [`summary`](PublicClient::summary).
    pub async fn active_maintenances(&self) -> Result<Vec<Incident>> {
        let envelope: MaintenancesEnvelope =
            self.get("/scheduled-maintenances/active.json").await?;
        Ok(envelope.scheduled_maintenances)
    }
}

/// Configures a [`PublicClient`]. Made by [`PublicClient::builder`].
#[derive(Debug)]
#[must_use]
pub struct PublicClientBuilder {
    config: Config,
}

impl PublicClientBuilder {
    opsbot_http::transport_setters!(config);

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a URL that is not absolute
    /// http(s); [`Error::Transport`](crate::Error::Transport) when the HTTP client cannot be set up.
    pub fn build(self) -> Result<PublicClient> {
        let mut url = opsbot_http::parse_base_url("base_url", self.config.base_url_str())?;
        let has_api = url.path().trim_end_matches('/').ends_with("/api/v2");
        if !has_api && let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v2"]);
        }
        Ok(PublicClient {
            core: Arc::new(self.config.base_url(url.to_string()).build(Statuspage)?),
        })
    }
}
