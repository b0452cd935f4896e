//! Subscribers of a page (`/pages/{page_id}/subscribers`) and of one incident
//! (`/pages/{page_id}/incidents/{incident_id}/subscribers`).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};

use crate::client::{Client, Request, Route};
use crate::error::{Error, Result};
use crate::ids::{ComponentId, IncidentId, PageId, SubscriberId};
use crate::incidents::Incidents;
use crate::list::{List, Paging, into_future};

opsbot_http::vendor_enum! {
    /// How a subscriber is notified.
    pub enum SubscriberType as "subscriber type" {
        /// By e-mail.
        Email => "email",
        /// By text message.
        Sms => "sms",
        /// By webhook.
        Webhook => "webhook",
        /// In Slack.
        Slack => "slack",
        /// Through an integration partner.
        IntegrationPartner => "integration_partner",
    }
}

opsbot_http::vendor_enum! {
    /// Which subscribers a list returns.
    pub enum SubscriberState as "subscriber state" {
        /// Confirmed and active (the API's default).
        Active => "active",
        /// Not yet confirmed.
        Unconfirmed => "unconfirmed",
        /// Quarantined after bounces.
        Quarantined => "quarantined",
        /// All of them.
        All => "all",
    }
}

/// Someone (or something) notified of incidents.
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscriber {
    /// The subscriber's id.
    pub id: SubscriberId,
    /// How they are notified.
    #[serde(default)]
    pub mode: Option<SubscriberType>,
    /// The e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// The webhook endpoint.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// The phone's country (ISO code).
    #[serde(default)]
    pub phone_country: Option<String>,
    /// The phone number as shown.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// The Slack channel, obfuscated.
    #[serde(default)]
    pub obfuscated_channel_name: Option<String>,
    /// The Slack workspace.
    #[serde(default)]
    pub workspace_name: Option<String>,
    /// Whether the confirmation message was skipped.
    #[serde(default)]
    pub skip_confirmation_notification: Option<bool>,
    /// When the subscriber was quarantined.
    #[serde(default)]
    pub quarantined_at: Option<DateTime<Utc>>,
    /// When a quarantined subscriber will be purged.
    #[serde(default)]
    pub purge_at: Option<DateTime<Utc>>,
    /// The components subscribed to (empty: all of them).
    #[serde_as(as = "DefaultOnNull")]
    #[serde(default)]
    pub components: Vec<ComponentId>,
    /// The page access user, for audience-specific pages.
    #[serde(default)]
    pub page_access_user_id: Option<String>,
    /// When the subscription was made.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct SubscriberFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_confirmation_notification: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_access_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component_ids: Option<Vec<ComponentId>>,
}

#[derive(Serialize)]
struct SubscriberBody<'a> {
    subscriber: &'a SubscriberFields,
}

/// The subscribers of a page or of one incident. Made by [`Client::subscribers`] and
/// [`Incidents::subscribers`].
#[derive(Debug, Clone)]
pub struct Subscribers<'a> {
    client: &'a Client,
    page: PageId,
    incident: Option<IncidentId>,
}

impl Client {
    /// The page-level subscribers of a page.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// use statuspage_client::SubscriberState;
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// let quarantined = client
    ///     .subscribers("kctbh9vrtdwd")
    ///     .list()
    ///     .state(SubscriberState::Quarantined)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn subscribers<'a>(&'a self, page: impl Into<PageId>) -> Subscribers<'a> {
        Subscribers {
            client: self,
            page: page.into(),
            incident: None,
        }
    }
}

impl<'a> Incidents<'a> {
    /// The subscribers of one incident.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// client
    ///     .incidents("kctbh9vrtdwd")
    ///     .subscribers("cp306tmzcl0y")
    ///     .create()
    ///     .email("oncall@example.com")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn subscribers(&self, incident: impl Into<IncidentId>) -> Subscribers<'a> {
        Subscribers {
            client: self.client(),
            page: self.page().clone(),
            incident: Some(incident.into()),
        }
    }
}

impl<'a> Subscribers<'a> {
    fn collection(&self) -> Route {
        match &self.incident {
            Some(incident) => Route::new(
                "/pages/{page_id}/incidents/{incident_id}/subscribers",
                [self.page.as_str(), incident.as_str()],
            ),
            None => Route::new("/pages/{page_id}/subscribers", [self.page.as_str()]),
        }
    }

    fn item(&self, id: &str) -> Route {
        match &self.incident {
            Some(incident) => Route::new(
                "/pages/{page_id}/incidents/{incident_id}/subscribers/{subscriber_id}",
                [self.page.as_str(), incident.as_str(), id],
            ),
            None => Route::new(
                "/pages/{page_id}/subscribers/{subscriber_id}",
                [self.page.as_str(), id],
            ),
        }
    }

    /// One page of subscribers. Page-level lists count pages from 0 and take `limit`, `q`,
    /// `type`, `state` and a sort; `.stream()` walks all pages.
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::RateLimited`], [`Error::Decode`], [`Error::Transport`] or
    /// [`Error::Timeout`].
    pub fn list(&self) -> List<'a, Subscriber> {
        let paging = if self.incident.is_some() {
            Paging::PER_PAGE
        } else {
            Paging::LIMIT_FROM_ZERO
        };
        List::new(self.client, self.collection(), paging)
    }

    /// One subscriber.
    ///
    /// # Errors
    /// As for [`list`](Subscribers::list); 404 for an unknown subscriber.
    pub async fn get(&self, id: impl Into<SubscriberId>) -> Result<Subscriber> {
        let request = Request::get(self.item(id.into().as_str()));
        self.client.core.execute(request).await
    }

    /// Subscribes someone: set an e-mail address, a webhook endpoint or a phone number on the
    /// returned builder.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when none of them is set (nothing is sent); otherwise as for
    /// [`list`](Subscribers::list) (422 for an address the API rejects).
    pub fn create(&self) -> SubscriberCreate<'a> {
        SubscriberCreate {
            subscribers: self.clone(),
            fields: SubscriberFields::default(),
        }
    }

    /// Unsubscribes someone; `notify` sends them the unsubscription message (page level only).
    ///
    /// # Errors
    /// As for [`get`](Subscribers::get).
    pub async fn delete(&self, id: impl Into<SubscriberId>, notify: bool) -> Result<()> {
        let mut request = Request::new(Method::DELETE, self.item(id.into().as_str()));
        if self.incident.is_none() {
            request = request.query("skip_unsubscription_notification", !notify);
        }
        self.client.core.execute_empty(request).await
    }
}

/// Sort orders of the page-level subscriber list.
const SORT_FIELDS: &[&str] = &["primary", "created_at", "quarantined_at", "relevance"];

impl List<'_, Subscriber> {
    fn is_page_level(&self) -> bool {
        self.route.template() == "/pages/{page_id}/subscribers"
    }

    /// Adds a filter that only page-level lists take; on an incident list it is an error.
    fn page_level_filter(self, name: &'static str, value: impl ToString) -> Self {
        if self.is_page_level() {
            self.filter(name, value)
        } else {
            self.reject(Error::invalid(
                name,
                "only page-level subscriber lists take this filter",
            ))
        }
    }

    /// Searches e-mail addresses, phone numbers and endpoints (page level).
    pub fn q(self, query: impl Into<String>) -> Self {
        self.page_level_filter("q", query.into())
    }

    /// Only subscribers notified this way (page level).
    pub fn kind(self, kind: SubscriberType) -> Self {
        self.page_level_filter("type", kind)
    }

    /// Only subscribers in this state (page level; the API defaults to `active`).
    pub fn state(self, state: SubscriberState) -> Self {
        self.page_level_filter("state", state)
    }

    /// Sorts by `primary`, `created_at`, `quarantined_at` or `relevance` (page level).
    pub fn sort(self, field: &str, descending: bool) -> Self {
        if !SORT_FIELDS.contains(&field) {
            return self.reject(Error::invalid(
                "sort_field",
                format!("must be one of {}", SORT_FIELDS.join(", ")),
            ));
        }
        self.page_level_filter("sort_field", field)
            .page_level_filter("sort_direction", if descending { "desc" } else { "asc" })
    }
}

/// Creates a subscriber. Made by [`Subscribers::create`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct SubscriberCreate<'a> {
    subscribers: Subscribers<'a>,
    fields: SubscriberFields,
}

impl SubscriberCreate<'_> {
    /// Notifies this e-mail address (also the contact of a webhook subscriber).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.fields.email = Some(email.into());
        self
    }

    /// Notifies this webhook endpoint.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.fields.endpoint = Some(url.into());
        self
    }

    /// Notifies this phone by text message (`country` is the ISO code, e.g. `us`).
    pub fn phone(mut self, country: impl Into<String>, number: impl Into<String>) -> Self {
        self.fields.phone_country = Some(country.into());
        self.fields.phone_number = Some(number.into());
        self
    }

    /// Skips the confirmation message.
    pub fn skip_confirmation_notification(mut self, value: bool) -> Self {
        self.fields.skip_confirmation_notification = Some(value);
        self
    }

    /// The page access user, for audience-specific pages.
    pub fn page_access_user(mut self, user: impl Into<String>) -> Self {
        self.fields.page_access_user = Some(user.into());
        self
    }

    /// Subscribes to these components only.
    pub fn component_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<ComponentId>,
    {
        self.fields.component_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    async fn send(self) -> Result<Subscriber> {
        let f = &self.fields;
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&f.email) && blank(&f.endpoint) && blank(&f.phone_number) {
            return Err(Error::invalid(
                "subscriber",
                "set an email address, a webhook endpoint or a phone number",
            ));
        }
        let request =
            Request::new(Method::POST, self.subscribers.collection()).json(&SubscriberBody {
                subscriber: &self.fields,
            })?;
        self.subscribers.client.core.execute(request).await
    }
}

into_future!(SubscriberCreate => Subscriber);
