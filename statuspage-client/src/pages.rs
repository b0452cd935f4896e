//! Pages: `/pages`.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Request, Route};
use crate::error::{Error, Result};
use crate::ids::PageId;
use crate::list::into_future;
use crate::validate;

/// A status page.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page {
    /// The page's id.
    pub id: PageId,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// The name.
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub name: String,
    /// The description.
    #[serde(default)]
    pub page_description: Option<String>,
    /// The headline.
    #[serde(default)]
    pub headline: Option<String>,
    /// The plan's branding (`basic`, `premium`).
    #[serde(default)]
    pub branding: Option<String>,
    /// The `<subdomain>.statuspage.io` part.
    #[serde(default)]
    pub subdomain: Option<String>,
    /// A custom domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// The company's web site.
    #[serde(default)]
    pub url: Option<String>,
    /// The support site.
    #[serde(default)]
    pub support_url: Option<String>,
    /// Hidden from search engines.
    #[serde(default)]
    pub hidden_from_search: Option<bool>,
    /// Page-level subscriptions allowed.
    #[serde(default)]
    pub allow_page_subscribers: Option<bool>,
    /// Incident-level subscriptions allowed.
    #[serde(default)]
    pub allow_incident_subscribers: Option<bool>,
    /// E-mail subscriptions allowed.
    #[serde(default)]
    pub allow_email_subscribers: Option<bool>,
    /// SMS subscriptions allowed.
    #[serde(default)]
    pub allow_sms_subscribers: Option<bool>,
    /// RSS and Atom feeds offered.
    #[serde(default)]
    pub allow_rss_atom_feeds: Option<bool>,
    /// Webhook subscriptions allowed.
    #[serde(default)]
    pub allow_webhook_subscribers: Option<bool>,
    /// The sender of notifications.
    #[serde(default)]
    pub notifications_from_email: Option<String>,
    /// The footer of notification e-mails.
    #[serde(default)]
    pub notifications_email_footer: Option<String>,
    /// An activity score.
    #[serde(default)]
    pub activity_score: Option<i64>,
    /// The Twitter account.
    #[serde(default)]
    pub twitter_username: Option<String>,
    /// Only team members may view the page.
    #[serde(default)]
    pub viewers_must_be_team_member: Option<bool>,
    /// IP ranges allowed to view the page.
    #[serde(default)]
    pub ip_restrictions: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State or region.
    #[serde(default)]
    pub state: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// The time zone (`UTC`, `America/Chicago`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// CSS colour of the body background.
    #[serde(default)]
    pub css_body_background_color: Option<String>,
    /// CSS colour of the text.
    #[serde(default)]
    pub css_font_color: Option<String>,
    /// CSS colour of light text.
    #[serde(default)]
    pub css_light_font_color: Option<String>,
    /// CSS green.
    #[serde(default)]
    pub css_greens: Option<String>,
    /// CSS yellow.
    #[serde(default)]
    pub css_yellows: Option<String>,
    /// CSS orange.
    #[serde(default)]
    pub css_oranges: Option<String>,
    /// CSS blue.
    #[serde(default)]
    pub css_blues: Option<String>,
    /// CSS red.
    #[serde(default)]
    pub css_reds: Option<String>,
    /// CSS border colour.
    #[serde(default)]
    pub css_border_color: Option<String>,
    /// CSS graph colour.
    #[serde(default)]
    pub css_graph_color: Option<String>,
    /// CSS link colour.
    #[serde(default)]
    pub css_link_color: Option<String>,
    /// CSS colour for no data.
    #[serde(default)]
    pub css_no_data: Option<String>,
    /// The favicon.
    #[serde(default)]
    pub favicon_logo: Option<Logo>,
    /// The logo in e-mails.
    #[serde(default)]
    pub transactional_logo: Option<Logo>,
    /// The hero cover image.
    #[serde(default)]
    pub hero_cover: Option<Logo>,
    /// The e-mail logo.
    #[serde(default)]
    pub email_logo: Option<Logo>,
    /// The Twitter logo.
    #[serde(default)]
    pub twitter_logo: Option<Logo>,
}

/// An image of a page (the API sends objects, not the strings its spec shows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Logo {
    /// When it was uploaded.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// The size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// The URL (simple form).
    #[serde(default)]
    pub url: Option<String>,
    /// The original upload.
    #[serde(default)]
    pub original_url: Option<String>,
    /// The normal-resolution rendition.
    #[serde(default)]
    pub normal_url: Option<String>,
    /// The high-resolution rendition.
    #[serde(default)]
    pub retina_url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct PageFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subdomain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    support_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hidden_from_search: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_page_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_incident_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_email_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_sms_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_rss_atom_feeds: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_webhook_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notifications_from_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notifications_email_footer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
}

#[derive(Serialize)]
struct PageBody<'a> {
    page: &'a PageFields,
}

/// The pages the key can manage. Made by [`Client::pages`].
#[derive(Debug, Clone, Copy)]
pub struct Pages<'a> {
    client: &'a Client,
}

impl Client {
    /// The pages the key can manage.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// for page in client.pages().list().await? {
    ///     println!("{} {}", page.id, page.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(&self) -> Pages<'_> {
        Pages { client: self }
    }
}

impl<'a> Pages<'a> {
    /// Every page the key can manage.
    ///
    /// # Errors
    /// [`Error::Api`] (401 for a bad key), [`Error::RateLimited`], [`Error::Decode`],
    /// [`Error::Transport`] or [`Error::Timeout`].
    pub async fn list(self) -> Result<Vec<Page>> {
        let request = Request::get(Route::new("/pages", []));
        self.client.core.execute(request).await
    }

    /// One page.
    ///
    /// # Errors
    /// As for [`list`](Pages::list); 404 for an unknown page.
    pub async fn get(self, id: impl Into<PageId>) -> Result<Page> {
        let request = Request::get(Route::new("/pages/{page_id}", [id.into().as_str()]));
        self.client.core.execute(request).await
    }

    /// Changes a page: set the fields on the returned builder.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// client.pages().update("kctbh9vrtdwd").headline("Builds are back to normal").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set or the name is blank or too long; otherwise
    /// as for [`get`](Pages::get).
    pub fn update(self, id: impl Into<PageId>) -> PageUpdate<'a> {
        PageUpdate {
            client: self.client,
            id: id.into(),
            fields: PageFields::default(),
            error: None,
        }
    }
}

/// Changes a page. Made by [`Pages::update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct PageUpdate<'a> {
    client: &'a Client,
    id: PageId,
    fields: PageFields,
    error: Option<Error>,
}

macro_rules! page_setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)+) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<$ty>) -> Self {
                self.fields.$name = Some(value.into());
                self
            }
        )+
    };
}

impl PageUpdate<'_> {
    /// Sets the name (1 to 255 characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        validate::keep(&mut self.error, validate::name("name", &name));
        self.fields.name = Some(name);
        self
    }

    page_setters! {
        /// Sets the description.
        page_description: String;
        /// Sets the headline.
        headline: String;
        /// Sets the subdomain.
        subdomain: String;
        /// Sets the custom domain.
        domain: String;
        /// Sets the company's web site.
        url: String;
        /// Sets the support site.
        support_url: String;
        /// Hides the page from search engines.
        hidden_from_search: bool;
        /// Allows page-level subscriptions.
        allow_page_subscribers: bool;
        /// Allows incident-level subscriptions.
        allow_incident_subscribers: bool;
        /// Allows e-mail subscriptions.
        allow_email_subscribers: bool;
        /// Allows SMS subscriptions.
        allow_sms_subscribers: bool;
        /// Offers RSS and Atom feeds.
        allow_rss_atom_feeds: bool;
        /// Allows webhook subscriptions.
        allow_webhook_subscribers: bool;
        /// Sets the sender of notifications.
        notifications_from_email: String;
        /// Sets the footer of notification e-mails.
        notifications_email_footer: String;
        /// Sets the time zone.
        time_zone: String;
    }

    async fn send(self) -> Result<Page> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.fields == PageFields::default() {
            return Err(Error::invalid("page", "set at least one field to change"));
        }
        let route = Route::new("/pages/{page_id}", [self.id.as_str()]);
        let request = Request::new(Method::PATCH, route).json(&PageBody { page: &self.fields })?;
        self.client.core.execute(request).await
    }
}

into_future!(PageUpdate => Page);
