//! Component groups: `/pages/{page_id}/component-groups`.

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Request, Route};
use crate::components::{ComponentUptime, uptime};
use crate::error::{Error, Result};
use crate::ids::{ComponentGroupId, ComponentId, PageId};
use crate::list::{List, Paging, into_future};
use crate::validate;

/// A group of components.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComponentGroup {
    /// The group's id.
    pub id: ComponentGroupId,
    /// The page it belongs to.
    #[serde(default)]
    pub page_id: Option<PageId>,
    /// The display name.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub name: String,
    /// The description, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// The ids of its components.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub components: Vec<ComponentId>,
    /// The position on the page.
    #[serde(default)]
    pub position: Option<i64>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct GroupFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Vec<ComponentId>>,
}

/// The API wants the description outside the `component_group` wrapper.
#[derive(Serialize)]
struct GroupBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    component_group: &'a GroupFields,
}

/// The component groups of one page. Made by [`Client::component_groups`].
#[derive(Debug, Clone)]
pub struct ComponentGroups<'a> {
    client: &'a Client,
    page: PageId,
}

impl Client {
    /// The component groups of a page.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// for group in client.component_groups("kctbh9vrtdwd").list().await? {
    ///     println!("{} ({} components)", group.name, group.components.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn component_groups<'a>(&'a self, page: impl Into<PageId>) -> ComponentGroups<'a> {
        ComponentGroups {
            client: self,
            page: page.into(),
        }
    }
}

impl<'a> ComponentGroups<'a> {
    fn item_route(&self, id: &str) -> Route {
        Route::new(
            "/pages/{page_id}/component-groups/{group_id}",
            [self.page.as_str(), id],
        )
    }

    /// One page of groups (`page`, `per_page`); `.stream()` walks all pages.
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::RateLimited`], [`Error::Decode`], [`Error::Transport`] or
    /// [`Error::Timeout`].
    pub fn list(&self) -> List<'a, ComponentGroup> {
        List::new(
            self.client,
            Route::new("/pages/{page_id}/component-groups", [self.page.as_str()]),
            Paging::PER_PAGE,
        )
    }

    /// One group.
    ///
    /// # Errors
    /// As for [`list`](ComponentGroups::list); 404 for an unknown group.
    pub async fn get(&self, id: impl Into<ComponentGroupId>) -> Result<ComponentGroup> {
        let request = Request::get(self.item_route(id.into().as_str()));
        self.client.core.execute(request).await
    }

    /// Creates a group of the given components (a group cannot be empty).
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// let group = client
    ///     .component_groups("kctbh9vrtdwd")
    ///     .create("Platform", ["ftgks51sfs2d", "b13yz5g2cw10"])
    ///     .description("Everything behind the API")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad name or no components (nothing is sent); otherwise as
    /// for [`list`](ComponentGroups::list).
    pub fn create<I>(&self, name: impl Into<String>, components: I) -> GroupWrite<'a>
    where
        I: IntoIterator,
        I::Item: Into<ComponentId>,
    {
        GroupWrite::new(self.clone(), Method::POST, None)
            .name(name)
            .components(components)
    }

    /// Changes a group: set the fields to change on the returned builder.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set or a value is out of bounds; otherwise as
    /// for [`get`](ComponentGroups::get).
    pub fn update(&self, id: impl Into<ComponentGroupId>) -> GroupWrite<'a> {
        GroupWrite::new(self.clone(), Method::PATCH, Some(id.into()))
    }

    /// Deletes a group (its components stay) and returns it as it was.
    ///
    /// # Errors
    /// As for [`get`](ComponentGroups::get).
    pub async fn delete(&self, id: impl Into<ComponentGroupId>) -> Result<ComponentGroup> {
        let request = Request::new(Method::DELETE, self.item_route(id.into().as_str()));
        self.client.core.execute(request).await
    }

    /// The uptime of a group, optionally between two dates.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `end` is before `start`; otherwise as for [`get`](ComponentGroups::get).
    pub async fn uptime(
        &self,
        id: impl Into<ComponentGroupId>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<ComponentUptime> {
        let route = Route::new(
            "/pages/{page_id}/component-groups/{group_id}/uptime",
            [self.page.as_str(), id.into().as_str()],
        );
        uptime(self.client, route, start, end).await
    }
}

/// Creates or changes a component group. Made by [`ComponentGroups::create`] and
/// [`ComponentGroups::update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct GroupWrite<'a> {
    groups: ComponentGroups<'a>,
    method: Method,
    id: Option<ComponentGroupId>,
    description: Option<String>,
    fields: GroupFields,
    error: Option<Error>,
}

impl<'a> GroupWrite<'a> {
    fn new(groups: ComponentGroups<'a>, method: Method, id: Option<ComponentGroupId>) -> Self {
        GroupWrite {
            groups,
            method,
            id,
            description: None,
            fields: GroupFields::default(),
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
        self.description = Some(description.into());
        self
    }

    /// Sets the member components (at least one).
    pub fn components<I>(mut self, components: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ComponentId>,
    {
        let components: Vec<ComponentId> = components.into_iter().map(Into::into).collect();
        if components.is_empty() {
            validate::keep(
                &mut self.error,
                Some(Error::invalid(
                    "components",
                    "a group needs at least one component",
                )),
            );
        }
        self.fields.components = Some(components);
        self
    }

    async fn send(self) -> Result<ComponentGroup> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.fields == GroupFields::default() && self.description.is_none() {
            return Err(Error::invalid(
                "component_group",
                "set at least one field to change",
            ));
        }
        let route = match &self.id {
            Some(id) => self.groups.item_route(id.as_str()),
            None => Route::new(
                "/pages/{page_id}/component-groups",
                [self.groups.page.as_str()],
            ),
        };
        let request = Request::new(self.method, route).json(&GroupBody {
            description: self.description.as_deref(),
            component_group: &self.fields,
        })?;
        self.groups.client.core.execute(request).await
    }
}

into_future!(GroupWrite => ComponentGroup);
