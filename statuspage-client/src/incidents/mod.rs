//! Incidents and scheduled maintenances: `/pages/{page_id}/incidents`, their updates and
//! postmortems.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Request, Route};
use crate::components::{Component, ComponentStatus};
use crate::error::{Error, Result};
use crate::ids::{ComponentId, IncidentId, IncidentUpdateId, PageId};
use crate::list::{List, Paging, into_future};
use crate::validate;

mod postmortems;
mod write;

pub use postmortems::{PostmortemPublish, Postmortems};
use write::UpdateEditFields;
pub use write::{IncidentUpdateEdit, IncidentWrite};

opsbot_http::vendor_enum! {
    /// The status of an incident (realtime) or of a scheduled maintenance.
    ///
    /// ```
    /// use statuspage_client::IncidentStatus;
    ///
    /// assert_eq!("in_progress".parse::<IncidentStatus>()?, IncidentStatus::InProgress);
    /// assert_eq!(IncidentStatus::InProgress.as_str(), "in_progress");
    /// assert!(IncidentStatus::Scheduled.is_maintenance());
    /// # Ok::<(), statuspage_client::ParseValueError>(())
    /// ```
    pub enum IncidentStatus as "incident status" {
        /// Realtime: the cause is being looked for.
        Investigating => "investigating",
        /// Realtime: the cause is known.
        Identified => "identified",
        /// Realtime: a fix is out and being watched.
        Monitoring => "monitoring",
        /// Realtime: over.
        Resolved => "resolved",
        /// Maintenance: announced, not started.
        Scheduled => "scheduled",
        /// Maintenance: under way.
        InProgress => "in_progress",
        /// Maintenance: done, being checked.
        Verifying => "verifying",
        /// Maintenance: over.
        Completed => "completed",
        /// A resolved incident whose postmortem is published.
        Postmortem => "postmortem",
    }
}

impl IncidentStatus {
    /// `true` for the statuses of a scheduled maintenance.
    pub fn is_maintenance(&self) -> bool {
        matches!(
            self,
            IncidentStatus::Scheduled
                | IncidentStatus::InProgress
                | IncidentStatus::Verifying
                | IncidentStatus::Completed
        )
    }

    /// `true` when the incident or maintenance is over.
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            IncidentStatus::Resolved | IncidentStatus::Completed | IncidentStatus::Postmortem
        )
    }
}

opsbot_http::vendor_enum! {
    /// The impact of an incident.
    ///
    /// ```
    /// use statuspage_client::Impact;
    /// assert_eq!("critical".parse::<Impact>()?, Impact::Critical);
    /// # Ok::<(), statuspage_client::ParseValueError>(())
    /// ```
    pub enum Impact as "impact" {
        /// No impact.
        None => "none",
        /// Planned maintenance.
        Maintenance => "maintenance",
        /// Minor impact.
        Minor => "minor",
        /// Major impact.
        Major => "major",
        /// Critical impact.
        Critical => "critical",
    }
}

/// An incident or a scheduled maintenance.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Incident {
    /// The incident's id.
    pub id: IncidentId,
    /// The page it belongs to.
    #[serde(default)]
    pub page_id: Option<PageId>,
    /// The title.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub name: String,
    /// The current status (`Unknown("")` when the API sends none).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub status: IncidentStatus,
    /// The impact (computed, or the override).
    #[serde(default)]
    pub impact: Option<Impact>,
    /// The impact set by hand, if any.
    #[serde(default)]
    pub impact_override: Option<Impact>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it started.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// When it went to `monitoring`.
    #[serde(default)]
    pub monitoring_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    #[serde(default)]
    pub resolved_at: Option<DateTime<Utc>>,
    /// A short link to it.
    #[serde(default)]
    pub shortlink: Option<String>,
    /// Maintenance: the planned start.
    #[serde(default)]
    pub scheduled_for: Option<DateTime<Utc>>,
    /// Maintenance: the planned end.
    #[serde(default)]
    pub scheduled_until: Option<DateTime<Utc>>,
    /// Maintenance: remind subscribers before the start.
    #[serde(default)]
    pub scheduled_remind_prior: Option<bool>,
    /// Maintenance: when the reminder went out.
    #[serde(default)]
    pub scheduled_reminded_at: Option<DateTime<Utc>>,
    /// Maintenance: move to `in_progress` at the start.
    #[serde(default)]
    pub scheduled_auto_in_progress: Option<bool>,
    /// Maintenance: move to `completed` at the end.
    #[serde(default)]
    pub scheduled_auto_completed: Option<bool>,
    /// Maintenance: transition automatically.
    #[serde(default)]
    pub scheduled_auto_transition: Option<bool>,
    /// Maintenance: put the components under maintenance at the start.
    #[serde(default)]
    pub auto_transition_to_maintenance_state: Option<bool>,
    /// Maintenance: put the components back to operational at the end.
    #[serde(default)]
    pub auto_transition_to_operational_state: Option<bool>,
    /// Maintenance: notify at the start.
    #[serde(default)]
    pub auto_transition_deliver_notifications_at_start: Option<bool>,
    /// Maintenance: notify at the end.
    #[serde(default)]
    pub auto_transition_deliver_notifications_at_end: Option<bool>,
    /// Custom data, as sent.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Reminder intervals as the API sends them (`"[1, 5, 7, 10]"`).
    #[serde(default)]
    pub reminder_intervals: Option<String>,
    /// The published postmortem.
    #[serde(default)]
    pub postmortem_body: Option<String>,
    /// When the postmortem last changed.
    #[serde(default)]
    pub postmortem_body_last_updated_at: Option<DateTime<Utc>>,
    /// Whether the postmortem is ignored.
    #[serde(default)]
    pub postmortem_ignored: Option<bool>,
    /// Whether subscribers were told about the postmortem.
    #[serde(default)]
    pub postmortem_notified_subscribers: Option<bool>,
    /// Whether the postmortem was tweeted.
    #[serde(default)]
    pub postmortem_notified_twitter: Option<bool>,
    /// When the postmortem was published.
    #[serde(default)]
    pub postmortem_published_at: Option<DateTime<Utc>>,
    /// The affected components.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub components: Vec<Component>,
    /// The updates, newest first.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub incident_updates: Vec<IncidentUpdate>,
}

impl Incident {
    /// The newest update, if any.
    pub fn latest_update(&self) -> Option<&IncidentUpdate> {
        self.incident_updates
            .iter()
            .max_by_key(|u| u.display_at.or(u.created_at))
    }
}

/// One update of an incident (the text subscribers see).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentUpdate {
    /// The update's id.
    pub id: IncidentUpdateId,
    /// The incident it belongs to.
    #[serde(default)]
    pub incident_id: Option<IncidentId>,
    /// The incident's status set by this update.
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    /// The text.
    #[serde(default)]
    pub body: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// The time shown on the page.
    #[serde(default)]
    pub display_at: Option<DateTime<Utc>>,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub deliver_notifications: Option<bool>,
    /// A custom tweet.
    #[serde(default)]
    pub custom_tweet: Option<String>,
    /// The tweet's id, as sent (a string or a number).
    #[serde(default)]
    pub tweet_id: Option<serde_json::Value>,
    /// When the tweet went out.
    #[serde(default)]
    pub twitter_updated_at: Option<DateTime<Utc>>,
    /// Whether a tweet is wanted.
    #[serde(default)]
    pub wants_twitter_update: Option<bool>,
    /// The component changes made with this update (`None` when the API sends `null`).
    #[serde(default)]
    pub affected_components: Option<Vec<AffectedComponent>>,
}

/// A component status change recorded on an incident update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AffectedComponent {
    /// The component's id.
    pub code: ComponentId,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The status before.
    #[serde(default)]
    pub old_status: Option<ComponentStatus>,
    /// The status after.
    #[serde(default)]
    pub new_status: Option<ComponentStatus>,
}

/// A postmortem of an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Postmortem {
    /// A key to preview the draft.
    #[serde(default)]
    pub preview_key: Option<String>,
    /// The published text.
    #[serde(default)]
    pub body: Option<String>,
    /// The draft text.
    #[serde(default)]
    pub body_draft: Option<String>,
    /// When the published text last changed.
    #[serde(default)]
    pub body_updated_at: Option<DateTime<Utc>>,
    /// When the draft last changed.
    #[serde(default)]
    pub body_draft_updated_at: Option<DateTime<Utc>>,
    /// When it was published.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify_subscribers: Option<bool>,
    /// Whether it was tweeted.
    #[serde(default)]
    pub notify_twitter: Option<bool>,
    /// The custom tweet.
    #[serde(default)]
    pub custom_tweet: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The writable fields of an incident.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct IncidentFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<IncidentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_override: Option<Impact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deliver_notifications: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component_ids: Option<Vec<ComponentId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<BTreeMap<ComponentId, ComponentStatus>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reminder_intervals: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_for: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_remind_prior: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_auto_in_progress: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_auto_completed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_auto_transition: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_transition_to_maintenance_state: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_transition_to_operational_state: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_transition_deliver_notifications_at_start: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_transition_deliver_notifications_at_end: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_tweet_at_beginning: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_tweet_on_completion: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_tweet_on_creation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_tweet_one_hour_before: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backfilled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backfill_date: Option<String>,
}

#[derive(Serialize)]
struct IncidentBody<'a> {
    incident: &'a IncidentFields,
}

/// The incidents and maintenances of one page. Made by [`Client::incidents`].
#[derive(Debug, Clone)]
pub struct Incidents<'a> {
    client: &'a Client,
    page: PageId,
}

impl Client {
    /// The incidents and scheduled maintenances of a page.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// use statuspage_client::{Client, ComponentStatus, IncidentStatus};
    ///
    /// let client = Client::new("my-api-key")?;
    /// let incidents = client.incidents("kctbh9vrtdwd");
    /// let incident = incidents
    ///     .create("Builds are slow")
    ///     .status(IncidentStatus::Investigating)
    ///     .body("We are looking into slow builds.")
    ///     .component("ftgks51sfs2d", ComponentStatus::DegradedPerformance)
    ///     .await?;
    /// incidents
    ///     .update(&incident.id)
    ///     .status(IncidentStatus::Identified)
    ///     .body("A queue is backed up; draining it.")
    ///     .await?;
    /// incidents.resolve(&incident.id).body("All builds run normally again.").await?;
    /// # Ok(()) }
    /// ```
    pub fn incidents<'a>(&'a self, page: impl Into<PageId>) -> Incidents<'a> {
        Incidents {
            client: self,
            page: page.into(),
        }
    }
}

const INCIDENTS: &str = "/pages/{page_id}/incidents";
const INCIDENT: &str = "/pages/{page_id}/incidents/{incident_id}";

impl<'a> Incidents<'a> {
    fn sub_list(&self, template: &'static str) -> List<'a, Incident> {
        List::new(
            self.client,
            Route::new(template, [self.page.as_str()]),
            Paging::PER_PAGE,
        )
    }

    /// One page of all incidents (`q`, `limit` up to 100, `page`); `.stream()` walks all pages.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// let database = client.incidents("kctbh9vrtdwd").list().q("database").limit(20).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::RateLimited`], [`Error::Decode`], [`Error::Transport`] or
    /// [`Error::Timeout`].
    pub fn list(&self) -> List<'a, Incident> {
        List::new(
            self.client,
            Route::new(INCIDENTS, [self.page.as_str()]),
            Paging::LIMIT,
        )
    }

    /// Unresolved incidents (what is wrong right now).
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// let open = client.incidents("kctbh9vrtdwd").unresolved().await?;
    /// if open.is_empty() { println!("All clear, no unresolved incidents!"); }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn unresolved(&self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/unresolved")
    }

    /// Scheduled maintenances (all states).
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn scheduled(&self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/scheduled")
    }

    /// Maintenances that have not started yet.
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn upcoming(&self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/upcoming")
    }

    /// Maintenances under way.
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn active_maintenance(&self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/active_maintenance")
    }

    /// One incident.
    ///
    /// # Errors
    /// As for [`list`](Incidents::list); 404 for an unknown incident.
    pub async fn get(&self, id: impl Into<IncidentId>) -> Result<Incident> {
        let route = Route::new(INCIDENT, [self.page.as_str(), id.into().as_str()]);
        self.client.core.execute(Request::get(route)).await
    }

    /// Creates a realtime incident; set its fields on the returned builder and await it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name, a name over 255 or a body over 25,000
    /// characters (nothing is sent); otherwise as for [`list`](Incidents::list).
    pub fn create(&self, name: impl Into<String>) -> IncidentWrite<'a> {
        IncidentWrite::new(self.clone(), Method::POST, None).name(name)
    }

    /// Creates a scheduled maintenance from `start` to `end` (status `scheduled`).
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// use chrono::{Duration, Utc};
    /// use statuspage_client::ComponentStatus;
    /// let start = Utc::now() + Duration::days(1);
    /// client
    ///     .incidents("kctbh9vrtdwd")
    ///     .schedule_maintenance("Database upgrade", start, start + Duration::hours(2))
    ///     .body("Builds will be paused.")
    ///     .component("ftgks51sfs2d", ComponentStatus::UnderMaintenance)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As for [`create`](Incidents::create), and [`Error::InvalidInput`] when `end` is not after `start`.
    pub fn schedule_maintenance(
        &self,
        name: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> IncidentWrite<'a> {
        let mut write = self
            .create(name)
            .status(IncidentStatus::Scheduled)
            .scheduled_for(start)
            .scheduled_until(end);
        if end <= start {
            validate::keep(
                &mut write.error,
                Some(Error::invalid(
                    "scheduled_until",
                    "must be after scheduled_for",
                )),
            );
        }
        write
    }

    /// Changes an incident. Setting a status and/or a body adds an incident update (the text
    /// subscribers see); `component(..)` changes component statuses at the same time.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when no field is set or a value is out of bounds (nothing is
    /// sent); otherwise as for [`get`](Incidents::get).
    pub fn update(&self, id: impl Into<IncidentId>) -> IncidentWrite<'a> {
        IncidentWrite::new(self.clone(), Method::PATCH, Some(id.into()))
    }

    /// Resolves an incident: an [`update`](Incidents::update) with status `resolved`; add a
    /// body or component changes on the returned builder.
    ///
    /// # Errors
    /// As for [`update`](Incidents::update).
    pub fn resolve(&self, id: impl Into<IncidentId>) -> IncidentWrite<'a> {
        self.update(id).status(IncidentStatus::Resolved)
    }

    /// Deletes an incident and returns it as it was.
    ///
    /// # Errors
    /// As for [`get`](Incidents::get).
    pub async fn delete(&self, id: impl Into<IncidentId>) -> Result<Incident> {
        let route = Route::new(INCIDENT, [self.page.as_str(), id.into().as_str()]);
        self.client
            .core
            .execute(Request::new(Method::DELETE, route))
            .await
    }

    /// Edits one existing incident update (its text, display time or notification flags).
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// client
    ///     .incidents("kctbh9vrtdwd")
    ///     .edit_update("cp306tmzcl0y", "jdy3tw5mt5r5")
    ///     .body("Corrected: only EU builds were slow.")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set or the body is over 25,000 characters;
    /// otherwise as for [`get`](Incidents::get).
    pub fn edit_update(
        &self,
        incident: impl Into<IncidentId>,
        update: impl Into<IncidentUpdateId>,
    ) -> IncidentUpdateEdit<'a> {
        IncidentUpdateEdit {
            incidents: self.clone(),
            incident: incident.into(),
            update: update.into(),
            fields: UpdateEditFields::default(),
            error: None,
        }
    }

    /// The postmortem of an incident.
    pub fn postmortem(&self, incident: impl Into<IncidentId>) -> Postmortems<'a> {
        Postmortems {
            incidents: self.clone(),
            incident: incident.into(),
        }
    }

    pub(crate) fn client(&self) -> &'a Client {
        self.client
    }

    pub(crate) fn page(&self) -> &PageId {
        &self.page
    }
}

impl<'a> List<'a, Incident> {
    /// Filters by a search query (only for [`Incidents::list`]).
    pub fn q(self, query: impl Into<String>) -> Self {
        if self.route.template() != INCIDENTS {
            return self.reject(Error::invalid(
                "q",
                "only the full incident list can be searched",
            ));
        }
        self.filter("q", query.into())
    }

    /// The number of incidents per page (1 to 100); the same as [`per_page`](List::per_page).
    pub fn limit(self, limit: u32) -> Self {
        self.per_page(limit)
    }
}
