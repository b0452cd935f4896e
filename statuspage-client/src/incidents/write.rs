//! Creating and changing incidents, and editing their updates.

use super::*;

/// Creates or changes an incident. Made by [`Incidents::create`], [`Incidents::update`],
/// [`Incidents::resolve`] and [`Incidents::schedule_maintenance`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct IncidentWrite<'a> {
    pub(super) incidents: Incidents<'a>,
    pub(super) method: Method,
    pub(super) id: Option<IncidentId>,
    pub(super) fields: IncidentFields,
    pub(super) error: Option<Error>,
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
    pub(super) fn new(incidents: Incidents<'a>, method: Method, id: Option<IncidentId>) -> Self {
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
        let page = self.incidents.page.as_str();
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
pub(super) struct UpdateEditFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) display_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) deliver_notifications: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) wants_twitter_update: Option<bool>,
}

#[derive(Serialize)]
pub(super) struct UpdateEditBody<'a> {
    pub(super) incident_update: &'a UpdateEditFields,
}

/// Edits one incident update. Made by [`Incidents::edit_update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct IncidentUpdateEdit<'a> {
    pub(super) incidents: Incidents<'a>,
    pub(super) incident: IncidentId,
    pub(super) update: IncidentUpdateId,
    pub(super) fields: UpdateEditFields,
    pub(super) error: Option<Error>,
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
                self.incidents.page.as_str(),
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
