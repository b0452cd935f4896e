//! Incident templates: `/pages/{page_id}/incident_templates`.

use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Request, Route};
use crate::components::Component;
use crate::error::{Error, Result};
use crate::ids::{ComponentGroupId, ComponentId, PageId, TemplateId};
use crate::incidents::IncidentStatus;
use crate::list::{List, Paging, into_future};
use crate::validate;

/// A reusable incident text.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentTemplate {
    /// The template's id.
    pub id: TemplateId,
    /// The template's name.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub name: String,
    /// The incident title it fills in.
    #[serde(default)]
    pub title: Option<String>,
    /// The update text it fills in.
    #[serde(default)]
    pub body: Option<String>,
    /// The template group.
    #[serde(default)]
    pub group_id: Option<ComponentGroupId>,
    /// The incident status it sets.
    #[serde(default)]
    pub update_status: Option<IncidentStatus>,
    /// Whether it tweets.
    #[serde(default)]
    pub should_tweet: Option<bool>,
    /// Whether it notifies subscribers.
    #[serde(default)]
    pub should_send_notifications: Option<bool>,
    /// The components it affects.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub components: Vec<Component>,
}

#[derive(Clone, Debug, Default, Serialize)]
struct TemplateFields {
    name: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<ComponentGroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_status: Option<IncidentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    should_tweet: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    should_send_notifications: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component_ids: Option<Vec<ComponentId>>,
}

#[derive(Serialize)]
struct TemplateBody<'a> {
    template: &'a TemplateFields,
}

/// The incident templates of one page. Made by [`Client::incident_templates`].
#[derive(Debug, Clone)]
pub struct IncidentTemplates<'a> {
    client: &'a Client,
    page: PageId,
}

impl Client {
    /// The incident templates of a page.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// let templates = client.incident_templates("kctbh9vrtdwd").list().await?;
    /// # Ok(()) }
    /// ```
    pub fn incident_templates<'a>(&'a self, page: impl Into<PageId>) -> IncidentTemplates<'a> {
        IncidentTemplates {
            client: self,
            page: page.into(),
        }
    }
}

impl<'a> IncidentTemplates<'a> {
    /// One page of templates (`page`, `per_page`); `.stream()` walks all pages.
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::RateLimited`], [`Error::Decode`], [`Error::Transport`] or
    /// [`Error::Timeout`].
    pub fn list(&self) -> List<'a, IncidentTemplate> {
        List::new(
            self.client,
            Route::new("/pages/{page_id}/incident_templates", [self.page.as_str()]),
            Paging::PER_PAGE,
        )
    }

    /// Creates a template with a name and an incident title.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// use statuspage_client::IncidentStatus;
    /// client
    ///     .incident_templates("kctbh9vrtdwd")
    ///     .create("Slow builds", "Builds are slower than usual")
    ///     .body("We are investigating slow build starts.")
    ///     .update_status(IncidentStatus::Investigating)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a blank or too long name or title, or a body over 25,000
    /// characters; otherwise as for [`list`](IncidentTemplates::list).
    pub fn create(&self, name: impl Into<String>, title: impl Into<String>) -> TemplateCreate<'a> {
        let fields = TemplateFields {
            name: name.into(),
            title: title.into(),
            ..TemplateFields::default()
        };
        let mut error = validate::name("name", &fields.name);
        validate::keep(&mut error, validate::name("title", &fields.title));
        TemplateCreate {
            templates: self.clone(),
            fields,
            error,
        }
    }
}

/// Creates an incident template. Made by [`IncidentTemplates::create`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct TemplateCreate<'a> {
    templates: IncidentTemplates<'a>,
    fields: TemplateFields,
    error: Option<Error>,
}

impl TemplateCreate<'_> {
    /// The update text (at most 25,000 characters).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        let body = body.into();
        validate::keep(&mut self.error, validate::body("body", &body));
        self.fields.body = Some(body);
        self
    }

    /// The template group.
    pub fn group_id(mut self, group: impl Into<ComponentGroupId>) -> Self {
        self.fields.group_id = Some(group.into());
        self
    }

    /// The incident status the template sets.
    pub fn update_status(mut self, status: IncidentStatus) -> Self {
        self.fields.update_status = Some(status);
        self
    }

    /// Whether using it tweets.
    pub fn should_tweet(mut self, value: bool) -> Self {
        self.fields.should_tweet = Some(value);
        self
    }

    /// Whether using it notifies subscribers.
    pub fn should_send_notifications(mut self, value: bool) -> Self {
        self.fields.should_send_notifications = Some(value);
        self
    }

    /// The components it affects.
    pub fn component_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ComponentId>,
    {
        self.fields.component_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    async fn send(self) -> Result<IncidentTemplate> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let route = Route::new(
            "/pages/{page_id}/incident_templates",
            [self.templates.page.as_str()],
        );
        let request = Request::new(reqwest::Method::POST, route).json(&TemplateBody {
            template: &self.fields,
        })?;
        self.templates.client.core.execute(request).await
    }
}

into_future!(TemplateCreate => IncidentTemplate);
