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
#[derive(Debug, Clone, Copy)]
pub struct Incidents<'a> {
    client: &'a Client,
    page: &'a str,
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
    pub fn incidents<'a>(&'a self, page: &'a (impl AsRef<str> + ?Sized)) -> Incidents<'a> {
        Incidents {
            client: self,
            page: page.as_ref(),
        }
    }
}

const INCIDENTS: &str = "/pages/{page_id}/incidents";
const INCIDENT: &str = "/pages/{page_id}/incidents/{incident_id}";

impl<'a> Incidents<'a> {
    fn sub_list(self, template: &'static str) -> List<'a, Incident> {
        List::new(
            self.client,
            Route::new(template, [self.page]),
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
    pub fn list(self) -> List<'a, Incident> {
        List::new(
            self.client,
            Route::new(INCIDENTS, [self.page]),
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
    pub fn unresolved(self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/unresolved")
    }

    /// Scheduled maintenances (all states).
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn scheduled(self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/scheduled")
    }

    /// Maintenances that have not started yet.
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn upcoming(self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/upcoming")
    }

    /// Maintenances under way.
    ///
    /// # Errors
    /// As for [`list`](Incidents::list).
    pub fn active_maintenance(self) -> List<'a, Incident> {
        self.sub_list("/pages/{page_id}/incidents/active_maintenance")
    }

    /// One incident.
    ///
    /// # Errors
    /// As for [`list`](Incidents::list); 404 for an unknown incident.
    pub async fn get(self, id: impl AsRef<str>) -> Result<Incident> {
        let route = Route::new(INCIDENT, [self.page, id.as_ref()]);
        self.client.core.execute(Request::get(route)).await
    }

    /// Creates a realtime incident; set its fields on the returned builder and await it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name, a name over 255 or a body over 25,000
    /// characters (nothing is sent); otherwise as for [`list`](Incidents::list).
    pub fn create(self, name: impl Into<String>) -> IncidentWrite<'a> {
        IncidentWrite::new(self, Method::POST, None).name(name)
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
        self,
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
    pub fn update(self, id: impl Into<IncidentId>) -> IncidentWrite<'a> {
        IncidentWrite::new(self, Method::PATCH, Some(id.into()))
    }

    /// Resolves an incident: an [`update`](Incidents::update) with status `resolved`; add a
    /// body or component changes on the returned builder.
    ///
    /// # Errors
    /// As for [`update`](Incidents::update).
    pub fn resolve(self, id: impl Into<IncidentId>) -> IncidentWrite<'a> {
        self.update(id).status(IncidentStatus::Resolved)
    }

    /// Deletes an incident and returns it as it was.
    ///
    /// # Errors
    /// As for [`get`](Incidents::get).
    pub async fn delete(self, id: impl AsRef<str>) -> Result<Incident> {
        let route = Route::new(INCIDENT, [self.page, id.as_ref()]);
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
        self,
        incident: impl Into<IncidentId>,
        update: impl Into<IncidentUpdateId>,
    ) -> IncidentUpdateEdit<'a> {
        IncidentUpdateEdit {
            incidents: self,
            incident: incident.into(),
            update: update.into(),
            fields: UpdateEditFields::default(),
            error: None,
        }
    }

    /// The postmortem of an incident.
    pub fn postmortem(self, incident: impl Into<IncidentId>) -> Postmortems<'a> {
        Postmortems {
            incidents: self,
            incident: incident.into(),
        }
    }

    pub(crate) fn client(&self) -> &'a Client {
        self.client
    }

    pub(crate) fn page(&self) -> &'a str {
        self.page
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

/// Creates or changes an incident. Made by [`Incidents::create`], [`Incidents::update`],
/// [`Incidents::resolve`] and [`Incidents::schedule_maintenance`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct IncidentWrite<'a> {
    incidents: Incidents<'a>,
    method: Method,
    id: Option<IncidentId>,
    fields: IncidentFields,
    error: Option<Error>,
}

macro_rules! flag_setters {
    ($($(#[$doc:meta])* $name:ident;)+) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: bool) -> Self {
                self.fields.$name = Some(value);
                self
            }
        )+
    };
}

impl<'a> IncidentWrite<'a> {
    fn new(incidents: Incidents<'a>, method: Method, id: Option<IncidentId>) -> Self {
        IncidentWrite {
            incidents,
            method,
            id,
            fields: IncidentFields::default(),
            error: None,
        }
    }

    /// Sets the title (1 to 255 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        validate::keep(&mut self.error, validate::name("name", &name));
        self.fields.name = Some(name);
        self
    }

    /// Sets the status; with a body (or alone) this adds an incident update.
    pub fn status(mut self, status: IncidentStatus) -> Self {
        self.fields.status = Some(status);
        self
    }

    /// Sets the text of the incident update this call makes (at most 25,000 characters).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        let body = body.into();
        validate::keep(&mut self.error, validate::body("body", &body));
        self.fields.body = Some(body);
        self
    }

    /// Overrides the computed impact.
    pub fn impact_override(mut self, impact: Impact) -> Self {
        self.fields.impact_override = Some(impact);
        self
    }

    /// Sets the component to a status as part of this change (may be called repeatedly).
    pub fn component(mut self, id: impl Into<ComponentId>, status: ComponentStatus) -> Self {
        self.fields
            .components
            .get_or_insert_with(BTreeMap::new)
            .insert(id.into(), status);
        self
    }

    /// Sets several components to statuses as part of this change.
    pub fn components<I, K>(mut self, statuses: I) -> Self
    where
        I: IntoIterator<Item = (K, ComponentStatus)>,
        K: Into<ComponentId>,
    {
        let map = self.fields.components.get_or_insert_with(BTreeMap::new);
        map.extend(statuses.into_iter().map(|(k, v)| (k.into(), v)));
        self
    }

    /// Sets the affected components (without changing their status).
    pub fn component_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ComponentId>,
    {
        self.fields.component_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Adds custom data: an object whose values are objects (`{"jira": {"issue": "OPS-1"}}`).
    pub fn metadata(mut self, metadata: serde_json::Map<String, serde_json::Value>) -> Self {
        if metadata.values().any(|v| !v.is_object()) {
            validate::keep(
                &mut self.error,
                Some(Error::invalid(
                    "metadata",
                    "every value must be a JSON object",
                )),
            );
        }
        self.fields.metadata = Some(metadata);
        self
    }

    /// Sets the maintenance reminder intervals in hours (`[1, 5]`; empty for none).
    pub fn reminder_intervals(mut self, hours: &[u32]) -> Self {
        let list: Vec<String> = hours.iter().map(u32::to_string).collect();
        self.fields.reminder_intervals = Some(format!("[{}]", list.join(", ")));
        self
    }

    /// Maintenance: the planned start.
    pub fn scheduled_for(mut self, at: DateTime<Utc>) -> Self {
        self.fields.scheduled_for = Some(at);
        self
    }

    /// Maintenance: the planned end.
    pub fn scheduled_until(mut self, at: DateTime<Utc>) -> Self {
        self.fields.scheduled_until = Some(at);
        self
    }

    /// Backfills a past incident on the given date (`YYYY-MM-DD` or as the API documents).
    pub fn backfill_date(mut self, date: impl Into<String>) -> Self {
        self.fields.backfill_date = Some(date.into());
        self
    }

    flag_setters! {
        /// Notifies subscribers of this change (default true).
        deliver_notifications;
        /// Maintenance: remind subscribers before the start.
        scheduled_remind_prior;
        /// Maintenance: move to `in_progress` at the start.
        scheduled_auto_in_progress;
        /// Maintenance: move to `completed` at the end.
        scheduled_auto_completed;
        /// Maintenance: transition automatically.
        scheduled_auto_transition;
        /// Maintenance: put components under maintenance at the start.
        auto_transition_to_maintenance_state;
        /// Maintenance: put components back to operational at the end.
        auto_transition_to_operational_state;
        /// Maintenance: notify at the start.
        auto_transition_deliver_notifications_at_start;
        /// Maintenance: notify at the end.
        auto_transition_deliver_notifications_at_end;
        /// Tweet at the start.
        auto_tweet_at_beginning;
        /// Tweet on completion.
        auto_tweet_on_completion;
        /// Tweet on creation.
        auto_tweet_on_creation;
        /// Tweet one hour before.
        auto_tweet_one_hour_before;
        /// Marks the incident as backfilled (in the past).
        backfilled;
    }

    async fn send(self) -> Result<Incident> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.fields == IncidentFields::default() {
            return Err(Error::invalid(
                "incident",
                "set at least one field to change",
            ));
        }
        let page = self.incidents.page;
        let route = match &self.id {
            Some(id) => Route::new(INCIDENT, [page, id.as_str()]),
            None => Route::new(INCIDENTS, [page]),
        };
        let request = Request::new(self.method, route).json(&IncidentBody {
            incident: &self.fields,
        })?;
        self.incidents.client.core.execute(request).await
    }
}

into_future!(IncidentWrite => Incident);

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct UpdateEditFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deliver_notifications: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wants_twitter_update: Option<bool>,
}

#[derive(Serialize)]
struct UpdateEditBody<'a> {
    incident_update: &'a UpdateEditFields,
}

/// Edits one incident update. Made by [`Incidents::edit_update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct IncidentUpdateEdit<'a> {
    incidents: Incidents<'a>,
    incident: IncidentId,
    update: IncidentUpdateId,
    fields: UpdateEditFields,
    error: Option<Error>,
}

impl IncidentUpdateEdit<'_> {
    /// Replaces the text (at most 25,000 characters).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        let body = body.into();
        validate::keep(&mut self.error, validate::body("body", &body));
        self.fields.body = Some(body);
        self
    }

    /// Changes the time shown on the page.
    pub fn display_at(mut self, at: DateTime<Utc>) -> Self {
        self.fields.display_at = Some(at);
        self
    }

    /// Whether subscribers are notified of the edit.
    pub fn deliver_notifications(mut self, value: bool) -> Self {
        self.fields.deliver_notifications = Some(value);
        self
    }

    /// Whether a tweet is wanted.
    pub fn wants_twitter_update(mut self, value: bool) -> Self {
        self.fields.wants_twitter_update = Some(value);
        self
    }

    async fn send(self) -> Result<IncidentUpdate> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.fields == UpdateEditFields::default() {
            return Err(Error::invalid(
                "incident_update",
                "set at least one field to change",
            ));
        }
        let route = Route::new(
            "/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}",
            [
                self.incidents.page,
                self.incident.as_str(),
                self.update.as_str(),
            ],
        );
        let request = Request::new(Method::PATCH, route).json(&UpdateEditBody {
            incident_update: &self.fields,
        })?;
        self.incidents.client.core.execute(request).await
    }
}

into_future!(IncidentUpdateEdit => IncidentUpdate);

/// The postmortem of one incident. Made by [`Incidents::postmortem`].
#[derive(Debug, Clone)]
pub struct Postmortems<'a> {
    incidents: Incidents<'a>,
    incident: IncidentId,
}

#[derive(Serialize)]
struct PostmortemBody<T: Serialize> {
    postmortem: T,
}

#[derive(Serialize)]
struct DraftFields<'a> {
    body_draft: &'a str,
}

#[derive(Clone, Debug, Default, Serialize)]
struct PublishFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_twitter: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_tweet: Option<String>,
}

impl<'a> Postmortems<'a> {
    fn route(&self, template: &'static str) -> Route {
        Route::new(template, [self.incidents.page, self.incident.as_str()])
    }

    /// The postmortem.
    ///
    /// # Errors
    /// [`Error::Api`] (404 when there is none), [`Error::RateLimited`], [`Error::Decode`],
    /// [`Error::Transport`] or [`Error::Timeout`].
    pub async fn get(&self) -> Result<Postmortem> {
        let request =
            Request::get(self.route("/pages/{page_id}/incidents/{incident_id}/postmortem"));
        self.incidents.client.core.execute(request).await
    }

    /// Saves the draft text.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// let postmortem = client.incidents("kctbh9vrtdwd").postmortem("cp306tmzcl0y");
    /// postmortem.save_draft("A full disk stopped the queue.").await?;
    /// postmortem.publish().notify_subscribers(true).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty draft or one over 25,000 characters; otherwise as
    /// for [`get`](Postmortems::get).
    pub async fn save_draft(&self, body: impl AsRef<str>) -> Result<Postmortem> {
        let body = body.as_ref();
        if body.trim().is_empty() {
            return Err(Error::invalid("body_draft", "must not be empty"));
        }
        if let Some(error) = validate::body("body_draft", body) {
            return Err(error);
        }
        let request = Request::new(
            Method::PUT,
            self.route("/pages/{page_id}/incidents/{incident_id}/postmortem"),
        )
        .json(&PostmortemBody {
            postmortem: DraftFields { body_draft: body },
        })?;
        self.incidents.client.core.execute(request).await
    }

    /// Publishes the draft; choose the notifications on the returned builder.
    ///
    /// # Errors
    /// As for [`get`](Postmortems::get).
    pub fn publish(&self) -> PostmortemPublish<'a> {
        PostmortemPublish {
            postmortems: self.clone(),
            fields: PublishFields::default(),
        }
    }

    /// Reverts a published postmortem to a draft.
    ///
    /// # Errors
    /// As for [`get`](Postmortems::get).
    pub async fn revert(&self) -> Result<Postmortem> {
        let request = Request::new(
            Method::PUT,
            self.route("/pages/{page_id}/incidents/{incident_id}/postmortem/revert"),
        );
        self.incidents.client.core.execute(request).await
    }

    /// Deletes the postmortem.
    ///
    /// # Errors
    /// As for [`get`](Postmortems::get).
    pub async fn delete(&self) -> Result<()> {
        let request = Request::new(
            Method::DELETE,
            self.route("/pages/{page_id}/incidents/{incident_id}/postmortem"),
        );
        self.incidents.client.core.execute_empty(request).await
    }
}

/// Publishes a postmortem. Made by [`Postmortems::publish`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct PostmortemPublish<'a> {
    postmortems: Postmortems<'a>,
    fields: PublishFields,
}

impl PostmortemPublish<'_> {
    /// Tweets the postmortem.
    pub fn notify_twitter(mut self, value: bool) -> Self {
        self.fields.notify_twitter = Some(value);
        self
    }

    /// E-mails subscribers.
    pub fn notify_subscribers(mut self, value: bool) -> Self {
        self.fields.notify_subscribers = Some(value);
        self
    }

    /// A custom tweet text.
    pub fn custom_tweet(mut self, tweet: impl Into<String>) -> Self {
        self.fields.custom_tweet = Some(tweet.into());
        self
    }

    async fn send(self) -> Result<Postmortem> {
        let request = Request::new(
            Method::PUT,
            self.postmortems
                .route("/pages/{page_id}/incidents/{incident_id}/postmortem/publish"),
        )
        .json(&PostmortemBody {
            postmortem: &self.fields,
        })?;
        self.postmortems
            .incidents
            .client
            .core
            .execute(request)
            .await
    }
}

into_future!(PostmortemPublish => Postmortem);
