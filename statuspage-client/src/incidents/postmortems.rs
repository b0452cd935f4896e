//! Postmortems: draft, publish, revert, delete.

use super::*;

/// The postmortem of one incident. Made by [`Incidents::postmortem`].
#[derive(Debug, Clone)]
pub struct Postmortems<'a> {
    pub(super) incidents: Incidents<'a>,
    pub(super) incident: IncidentId,
}

#[derive(Serialize)]
pub(super) struct PostmortemBody<T: Serialize> {
    pub(super) postmortem: T,
}

#[derive(Serialize)]
pub(super) struct DraftFields<'a> {
    pub(super) body_draft: &'a str,
}

#[derive(Clone, Debug, Default, Serialize)]
pub(super) struct PublishFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) notify_twitter: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) notify_subscribers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) custom_tweet: Option<String>,
}

impl<'a> Postmortems<'a> {
    fn route(&self, template: &'static str) -> Route {
        Route::new(
            template,
            [self.incidents.page.as_str(), self.incident.as_str()],
        )
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
    pub(super) postmortems: Postmortems<'a>,
    pub(super) fields: PublishFields,
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
