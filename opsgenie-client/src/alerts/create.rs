//! Creating an alert (`POST /v2/alerts`, JSM `POST /v1/alerts`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Alerts, Priority, Responder};
use crate::backend::{Endpoint, jsm_body};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::macros::{check_len, check_opt, into_future};
use crate::requests::{RequestHandle, RequestKind};

impl<'a> Alerts<'a> {
    /// Creates an alert (`POST /v2/alerts`); the documented limits are checked before sending.
    ///
    /// Retried on server errors only when it carries an alias (Opsgenie de-duplicates by alias).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a broken limit (nothing is sent), or the API's error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use opsgenie_client::{Priority, Responder};
    ///
    /// let created = client
    ///     .alerts()
    ///     .create("Database down")
    ///     .alias("db-down")
    ///     .priority(Priority::P1)
    ///     .responder(Responder::team("ops"))
    ///     .tag("db")
    ///     .await?
    ///     .wait()
    ///     .await?;
    /// println!("created {:?}", created.alert_id());
    /// # Ok(()) }
    /// ```
    pub fn create(self, message: impl Into<String>) -> CreateAlert<'a> {
        CreateAlert {
            client: self.client,
            body: CreateAlertBody {
                message: message.into(),
                ..CreateAlertBody::default()
            },
        }
    }
}

/// Builder of `POST /v2/alerts`; see [`Alerts::create`]. Await it for a [`RequestHandle`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateAlert<'a> {
    client: &'a Client,
    body: CreateAlertBody,
}

/// The create-alert payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateAlertBody {
    /// Message (at most 130 characters).
    pub message: String,
    /// Alias (de-duplication key, at most 512 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Description (at most 15,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Responders.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub responders: Vec<Responder>,
    /// Who can see the alert.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub visible_to: Vec<Responder>,
    /// Custom actions (at most 10, each at most 50 characters).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Tags (at most 20, each at most 50 characters).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Details (at most 8,000 characters in total).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// Entity (at most 512 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Source (at most 100 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Priority (P3 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Display name of the request owner (at most 100 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A note added on creation (at most 25,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CreateAlertBody {
    /// Checks the documented limits.
    fn validate(&self) -> Result<()> {
        if self.message.trim().is_empty() {
            return Err(Error::invalid("message", "must not be empty"));
        }
        check_len("message", &self.message, 130)?;
        check_opt("alias", self.alias.as_ref(), 512)?;
        check_opt("description", self.description.as_ref(), 15_000)?;
        check_list("actions", &self.actions, 10, 50)?;
        check_list("tags", &self.tags, 20, 50)?;
        check_details(&self.details)?;
        check_opt("entity", self.entity.as_ref(), 512)?;
        check_opt("source", self.source.as_ref(), 100)?;
        check_opt("user", self.user.as_ref(), 100)?;
        check_opt("note", self.note.as_ref(), 25_000)?;
        Ok(())
    }
}

pub(crate) fn check_list(
    field: &'static str,
    items: &[String],
    max_items: usize,
    max_len: usize,
) -> Result<()> {
    if items.len() > max_items {
        return Err(Error::invalid(
            field,
            format!("{} items, at most {max_items} allowed", items.len()),
        ));
    }
    for item in items {
        if item.trim().is_empty() {
            return Err(Error::invalid(field, "items must not be empty"));
        }
        check_len(field, item, max_len)?;
    }
    Ok(())
}

pub(crate) fn check_details(details: &BTreeMap<String, String>) -> Result<()> {
    let total: usize = details
        .iter()
        .map(|(k, v)| k.chars().count() + v.chars().count())
        .sum();
    if total > 8_000 {
        return Err(Error::invalid(
            "details",
            format!("{total} characters in total, at most 8000 allowed"),
        ));
    }
    Ok(())
}

impl CreateAlert<'_> {
    /// Sets the alias (de-duplication key).
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.body.alias = Some(alias.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Adds a responder.
    pub fn responder(mut self, responder: Responder) -> Self {
        self.body.responders.push(responder);
        self
    }

    /// Adds a team, user, escalation or schedule that can see the alert.
    pub fn visible_to(mut self, responder: Responder) -> Self {
        self.body.visible_to.push(responder);
        self
    }

    /// Adds a custom action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.body.actions.push(action.into());
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.body.tags.push(tag.into());
        self
    }

    /// Adds a detail.
    pub fn detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body.details.insert(key.into(), value.into());
        self
    }

    /// Sets the entity.
    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.body.entity = Some(entity.into());
        self
    }

    /// Sets the source.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.body.source = Some(source.into());
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.body.priority = Some(priority);
        self
    }

    /// Sets the user (display name of the request owner).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.body.user = Some(user.into());
        self
    }

    /// Sets a note added on creation.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.body.note = Some(note.into());
        self
    }
}

into_future!(CreateAlert, RequestHandle, |this| {
    this.body.validate()?;
    let req = this.client.request(Endpoint::AlertCreate, &[])?;
    let req = if this.client.is_jsm() {
        req.json(&jsm_body::create(&this.body)?)?
    } else {
        req.json(&this.body)?
    };
    // Opsgenie de-duplicates by alias: a repeat of a create with one changes nothing.
    let req = req.retry_safe(this.body.alias.is_some());
    let raw = this.client.execute(req).await?;
    RequestHandle::from_raw(this.client, &raw, RequestKind::Alert)
});
