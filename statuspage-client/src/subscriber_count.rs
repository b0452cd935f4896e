//! How many subscribers a page has: `GET /pages/{page_id}/subscribers/count`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::client::{Client, Request, Route};
use crate::error::Result;
use crate::list::into_future;
use crate::subscribers::{SubscriberState, SubscriberType};

/// The number of a page's subscribers by how they are notified, as
/// `GET /pages/{page_id}/subscribers/count` answers it. Every count is optional: the API may
/// leave a type out, and types it adds later are kept in [`other`](SubscriberCount::other).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriberCount {
    /// E-mail subscribers.
    #[serde(default)]
    pub email: Option<u64>,
    /// Text-message subscribers.
    #[serde(default)]
    pub sms: Option<u64>,
    /// Webhook subscribers.
    #[serde(default)]
    pub webhook: Option<u64>,
    /// Integration partners.
    #[serde(default)]
    pub integration_partner: Option<u64>,
    /// Slack subscribers.
    #[serde(default)]
    pub slack: Option<u64>,
    /// Any other field the API sends, as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl SubscriberCount {
    /// Every subscriber counted: the known types plus every other field that is a count.
    pub fn total(&self) -> u64 {
        let known = [
            self.email,
            self.sms,
            self.webhook,
            self.integration_partner,
            self.slack,
        ];
        let other = self.other.values().filter_map(serde_json::Value::as_u64);
        known
            .into_iter()
            .flatten()
            .chain(other)
            .fold(0u64, u64::saturating_add)
    }
}

impl Client {
    /// Counts a page's subscribers (by default the active ones of every type).
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// let count = client.subscriber_count("kctbh9vrtdwd").await?;
    /// println!("{} subscribers will be told", count.total());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api), [`Error::RateLimited`](crate::Error::RateLimited),
    /// [`Error::Decode`](crate::Error::Decode), [`Error::Transport`](crate::Error::Transport) or
    /// [`Error::Timeout`](crate::Error::Timeout).
    pub fn subscriber_count<'a>(
        &'a self,
        page: &'a (impl AsRef<str> + ?Sized),
    ) -> SubscriberCountRequest<'a> {
        SubscriberCountRequest {
            client: self,
            page: page.as_ref(),
            kind: None,
            state: None,
        }
    }
}

/// Counts subscribers. Made by [`Client::subscriber_count`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct SubscriberCountRequest<'a> {
    client: &'a Client,
    page: &'a str,
    kind: Option<SubscriberType>,
    state: Option<SubscriberState>,
}

impl SubscriberCountRequest<'_> {
    /// Counts only subscribers of this type.
    pub fn kind(mut self, kind: SubscriberType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Counts only subscribers in this state (the API's default is `active`).
    pub fn state(mut self, state: SubscriberState) -> Self {
        self.state = Some(state);
        self
    }

    async fn send(self) -> Result<SubscriberCount> {
        let route = Route::new("/pages/{page_id}/subscribers/count", [self.page]);
        let request = Request::get(route)
            .query_opt("type", self.kind.as_ref().map(SubscriberType::as_str))
            .query_opt("state", self.state.as_ref().map(SubscriberState::as_str));
        self.client.core.execute(request).await
    }
}

into_future!(SubscriberCountRequest => SubscriberCount);
