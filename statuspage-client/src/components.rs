//! Components: `/pages/{page_id}/components`.

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Request, Route};
use crate::error::{Error, Result};
use crate::ids::{ComponentGroupId, ComponentId, PageId};
use crate::list::{List, Paging, into_future};
use crate::validate;

opsbot_http::vendor_enum! {
    /// The status of a component.
    ///
    /// ```
    /// use statuspage_client::ComponentStatus;
    ///
    /// assert_eq!(ComponentStatus::DegradedPerformance.label(), "degraded performance");
    /// assert_eq!("degraded_performance".parse::<ComponentStatus>()?, ComponentStatus::DegradedPerformance);
    /// // Only Statuspage's values parse; chat words are the bot's to map.
    /// assert!("degraded".parse::<ComponentStatus>().is_err());
    /// # Ok::<(), statuspage_client::ParseValueError>(())
    /// ```
    pub enum ComponentStatus as "component status" {
        /// Everything works.
        Operational => "operational",
        /// Under scheduled maintenance.
        UnderMaintenance => "under_maintenance",
        /// Working, but slower or flakier than usual.
        DegradedPerformance => "degraded_performance",
        /// Down for some users.
        PartialOutage => "partial_outage",
        /// Down.
        MajorOutage => "major_outage",
    }
}

impl ComponentStatus {
    /// `true` for anything but `operational` (maintenance counts as not operational).
    pub fn is_degraded(&self) -> bool {
        *self != ComponentStatus::Operational
    }
}

/// A component of a status page (a service or a group of them).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Component {
    /// The component's id.
    pub id: ComponentId,
    /// The page it belongs to.
    #[serde(default)]
    pub page_id: Option<PageId>,
    /// The group it is in, if any.
    #[serde(default)]
    pub group_id: Option<ComponentGroupId>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// `true` when this component is a group.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub group: bool,
    /// The display name.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub name: String,
    /// The description, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// The position on the page.
    #[serde(default)]
    pub position: Option<i64>,
    /// The current status (`Unknown("")` when the API sends none).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub status: ComponentStatus,
    /// Whether it is shown on the page.
    #[serde(default)]
    pub showcase: Option<bool>,
    /// Whether it is only shown while not operational.
    #[serde(default)]
    pub only_show_if_degraded: Option<bool>,
    /// The address that sets its status by e-mail.
    #[serde(default)]
    pub automation_email: Option<String>,
    /// The date it started being tracked (for uptime).
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// For a group component (public API): the ids of its members.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentId>,
}

/// The uptime of a component or a group over a range of days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComponentUptime {
    /// The component (or group) id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The first day of the range.
    #[serde(default)]
    pub range_start: Option<NaiveDate>,
    /// The last day of the range.
    #[serde(default)]
    pub range_end: Option<NaiveDate>,
    /// Uptime in percent.
    #[serde(default)]
    pub uptime_percentage: Option<f64>,
    /// Seconds of major outage.
    #[serde(default)]
    pub major_outage: Option<u64>,
    /// Seconds of partial outage.
    #[serde(default)]
    pub partial_outage: Option<u64>,
    /// Warnings about the range (e.g. clamped to the start date).
    #[serde(default)]
    pub warnings: Option<Vec<String>>,
    /// The incidents behind the outages, as sent.
    #[serde(default)]
    pub related_events: Option<serde_json::Value>,
}

/// The writable fields of a component.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct ComponentFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<ComponentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    only_show_if_degraded: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<ComponentGroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    showcase: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<NaiveDate>,
}

impl ComponentFields {
    fn is_empty(&self) -> bool {
        *self == ComponentFields::default()
    }
}

#[derive(Serialize)]
struct ComponentBody<'a> {
    component: &'a ComponentFields,
}

/// The components of one page. Made by [`Client::components`].
#[derive(Debug, Clone)]
pub struct Components<'a> {
    client: &'a Client,
    page: PageId,
}

impl Client {
    /// The components of a page.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// use statuspage_client::{Client, ComponentStatus};
    ///
    /// let client = Client::new("my-api-key")?;
    /// let updated = client
    ///     .components("kctbh9vrtdwd")
    ///     .update("ftgks51sfs2d")
    ///     .status(ComponentStatus::MajorOutage)
    ///     .await?;
    /// assert_eq!(updated.status, ComponentStatus::MajorOutage);
    /// # Ok(()) }
    /// ```
    pub fn components<'a>(&'a self, page: impl Into<PageId>) -> Components<'a> {
        Components {
            client: self,
            page: page.into(),
        }
    }
}

impl<'a> Components<'a> {
    /// One page of components (`page`, `per_page` up to 100); `.stream()` walks all pages.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// let first_page = client.components("kctbh9vrtdwd").list().per_page(100).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Api`] for an error answer (401 bad key, 404 unknown page), [`Error::RateLimited`],
    /// [`Error::Decode`], [`Error::Transport`] or [`Error::Timeout`].
    pub fn list(&self) -> List<'a, Component> {
        List::new(
            self.client,
            Route::new("/pages/{page_id}/components", [self.page.as_str()]),
            Paging::PER_PAGE,
        )
    }

    /// One component.
    ///
    /// # Errors
    /// As for [`list`](Components::list); a missing component is [`Error::Api`] with
    /// [`is_not_found`](Error::is_not_found).
    pub async fn get(&self, id: impl Into<ComponentId>) -> Result<Component> {
        let route = Route::new(
            "/pages/{page_id}/components/{component_id}",
            [self.page.as_str(), id.into().as_str()],
        );
        self.client.core.execute(Request::get(route)).await
    }

    /// Creates a component; set its fields on the returned builder and await it.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// let component = client
    ///     .components("kctbh9vrtdwd")
    ///     .create("Log Streaming")
    ///     .description("Live logs in the dashboard")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name or one over 255 characters (nothing is sent);
    /// otherwise as for [`list`](Components::list) (422 for values the API rejects).
    pub fn create(&self, name: impl Into<String>) -> ComponentWrite<'a> {
        let name = name.into();
        let mut write = ComponentWrite::new(self.clone(), Method::POST, None);
        validate::keep(&mut write.error, validate::name("name", &name));
        write.fields.name = Some(name);
        write
    }

    /// Changes a component: set the fields to change on the returned builder and await it for
    /// the updated component.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when no field is set or a value is out of bounds (nothing is
    /// sent); otherwise as for [`get`](Components::get).
    pub fn update(&self, id: impl Into<ComponentId>) -> ComponentWrite<'a> {
        ComponentWrite::new(self.clone(), Method::PATCH, Some(id.into()))
    }

    /// Sets the status of one component and returns the updated component; a shortcut for
    /// `update(id).status(status)`.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// use statuspage_client::ComponentStatus;
    /// client
    ///     .components("kctbh9vrtdwd")
    ///     .set_status("ftgks51sfs2d", ComponentStatus::DegradedPerformance)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As for [`update`](Components::update).
    pub fn set_status(
        &self,
        id: impl Into<ComponentId>,
        status: ComponentStatus,
    ) -> ComponentWrite<'a> {
        self.update(id).status(status)
    }

    /// Deletes a component.
    ///
    /// # Errors
    /// As for [`get`](Components::get).
    pub async fn delete(&self, id: impl Into<ComponentId>) -> Result<()> {
        let route = Route::new(
            "/pages/{page_id}/components/{component_id}",
            [self.page.as_str(), id.into().as_str()],
        );
        self.client
            .core
            .execute_empty(Request::new(Method::DELETE, route))
            .await
    }

    /// The uptime of a component, optionally between two dates (`start`, `end`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `end` is before `start`; otherwise as for [`get`](Components::get).
    pub async fn uptime(
        &self,
        id: impl Into<ComponentId>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<ComponentUptime> {
        uptime(
            self.client,
            Route::new(
                "/pages/{page_id}/components/{component_id}/uptime",
                [self.page.as_str(), id.into().as_str()],
            ),
            start,
            end,
        )
        .await
    }
}

pub(crate) async fn uptime(
    client: &Client,
    route: Route,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<ComponentUptime> {
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        return Err(Error::invalid("end", "must not be before start"));
    }
    let request = Request::get(route)
        .query_opt("start", start)
        .query_opt("end", end);
    client.core.execute(request).await
}

/// Creates or changes a component. Made by [`Components::create`] and [`Components::update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ComponentWrite<'a> {
    components: Components<'a>,
    method: Method,
    id: Option<ComponentId>,
    fields: ComponentFields,
    error: Option<Error>,
}

impl<'a> ComponentWrite<'a> {
    fn new(components: Components<'a>, method: Method, id: Option<ComponentId>) -> Self {
        ComponentWrite {
            components,
            method,
            id,
            fields: ComponentFields::default(),
            error: None,
        }
    }

    /// Sets the name (1 to 255 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        validate::keep(&mut self.error, validate::name("name", &name));
        self.fields.name = Some(name);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.fields.description = Some(description.into());
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: ComponentStatus) -> Self {
        self.fields.status = Some(status);
        self
    }

    /// Shows the component only while it is not operational.
    pub fn only_show_if_degraded(mut self, value: bool) -> Self {
        self.fields.only_show_if_degraded = Some(value);
        self
    }

    /// Puts the component into a group.
    pub fn group_id(mut self, group: impl Into<ComponentGroupId>) -> Self {
        self.fields.group_id = Some(group.into());
        self
    }

    /// Shows or hides the component on the page.
    pub fn showcase(mut self, value: bool) -> Self {
        self.fields.showcase = Some(value);
        self
    }

    /// Sets the date from which uptime is computed.
    pub fn start_date(mut self, date: NaiveDate) -> Self {
        self.fields.start_date = Some(date);
        self
    }

    async fn send(self) -> Result<Component> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.fields.is_empty() {
            return Err(Error::invalid(
                "component",
                "set at least one field to change",
            ));
        }
        let page = self.components.page.as_str();
        let route = match &self.id {
            Some(id) => Route::new(
                "/pages/{page_id}/components/{component_id}",
                [page, id.as_str()],
            ),
            None => Route::new("/pages/{page_id}/components", [page]),
        };
        let request = Request::new(self.method, route).json(&ComponentBody {
            component: &self.fields,
        })?;
        self.components.client.core.execute(request).await
    }
}

into_future!(ComponentWrite => Component);
