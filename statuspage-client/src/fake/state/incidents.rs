//! Incidents and maintenances, their updates, postmortems and templates.

use super::*;

impl State {
    pub(super) fn incident(&self, id: &str) -> Result<Incident, Reply> {
        self.incidents
            .iter()
            .find(|i| i.id.as_str() == id)
            .cloned()
            .ok_or_else(Reply::not_found)
    }

    /// Newest first, as the API lists them.
    pub(super) fn newest_first(&self) -> Vec<Incident> {
        let mut list = self.incidents.clone();
        // Reversed first so that equal timestamps also list the newest first.
        list.reverse();
        list.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        list
    }

    pub(super) fn list_incidents(&self, query: &HashMap<String, String>) -> Outcome {
        let mut list = self.newest_first();
        if let Some(q) = query.get("q").map(|q| q.to_lowercase()) {
            list.retain(|i| {
                i.name.to_lowercase().contains(&q)
                    || i.incident_updates.iter().any(|u| {
                        u.body
                            .as_deref()
                            .unwrap_or_default()
                            .to_lowercase()
                            .contains(&q)
                    })
            });
        }
        Reply::ok(paged(&list, query, "limit", 1)?)
    }

    pub(super) fn incident_sub_list(
        &self,
        query: &HashMap<String, String>,
        keep: impl Fn(&Incident) -> bool,
    ) -> Outcome {
        let list: Vec<Incident> = self
            .newest_first()
            .into_iter()
            .filter(|i| keep(i))
            .collect();
        Reply::ok(paged(&list, query, "per_page", 1)?)
    }

    pub(crate) fn create_incident(
        &mut self,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Incident, Reply> {
        let f = Fields(fields);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let scheduled_for = f.time("scheduled_for")?;
        let default_status = if scheduled_for.is_some() {
            "scheduled"
        } else {
            "investigating"
        };
        let status =
            known_incident_status(&f.string("status")?.unwrap_or_else(|| default_status.into()))?;
        let id = self.new_id("inc0");
        let incident: Incident = build(json!({
            "id": id, "page_id": self.page_id(), "name": name, "status": status,
            "created_at": now, "updated_at": now, "started_at": now,
            "shortlink": format!("https://stspg.example.invalid/{id}"),
            "metadata": {}, "postmortem_ignored": false, "postmortem_notified_subscribers": false,
            "postmortem_notified_twitter": false, "components": [], "incident_updates": [],
        }))?;
        self.incidents.push(incident);
        // Creating is updating an empty incident: the same rules apply to every other field, and
        // the first update is always recorded.
        let mut rest = fields.clone();
        rest.remove("name");
        rest.insert("status".into(), json!(status));
        match self.apply_incident(&id, &rest, now, true) {
            Ok(incident) => Ok(incident),
            Err(reply) => {
                self.incidents.retain(|i| i.id.as_str() != id);
                Err(reply)
            }
        }
    }

    pub(crate) fn update_incident(
        &mut self,
        id: &str,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Incident, Reply> {
        self.incident(id)?;
        self.apply_incident(id, fields, now, false)
    }

    pub(super) fn apply_incident(
        &mut self,
        id: &str,
        fields: &Map<String, Value>,
        now: DateTime<Utc>,
        creating: bool,
    ) -> Result<Incident, Reply> {
        let f = Fields(fields);
        let name = f.name("name")?;
        let status = f
            .string("status")?
            .map(|s| known_incident_status(&s))
            .transpose()?;
        let body = f.body("body")?;
        let impact_override = f
            .string("impact_override")?
            .map(|s| known_impact(&s))
            .transpose()?;
        let deliver = f.boolean("deliver_notifications")?.unwrap_or(true);
        let mut statuses: BTreeMap<ComponentId, ComponentStatus> = BTreeMap::new();
        if let Some(map) = fields.get("components").filter(|v| !v.is_null()) {
            let map = map
                .as_object()
                .ok_or_else(|| Reply::invalid("components must map component ids to statuses"))?;
            for (component, status) in map {
                let status = status.as_str().ok_or_else(|| {
                    Reply::invalid("components must map component ids to statuses")
                })?;
                statuses.insert(
                    ComponentId::new(component.as_str()),
                    known_component_status(status)?,
                );
            }
        }
        let mut component_ids: Vec<ComponentId> = f
            .ids("component_ids")?
            .unwrap_or_default()
            .into_iter()
            .map(ComponentId::new)
            .collect();
        component_ids.extend(statuses.keys().cloned());
        if let Some(missing) = component_ids
            .iter()
            .find(|c| !self.components.iter().any(|x| &x.id == *c))
        {
            return Err(Reply::invalid(format!(
                "Component {missing} does not exist"
            )));
        }
        if let Some(metadata) = fields.get("metadata").filter(|v| !v.is_null()) {
            let ok = metadata
                .as_object()
                .is_some_and(|m| m.values().all(Value::is_object));
            if !ok {
                return Err(Reply::invalid("Metadata values must be objects"));
            }
        }
        let scheduled_for = f.time("scheduled_for")?;
        let scheduled_until = f.time("scheduled_until")?;
        let mut flags = Vec::new();
        for key in [
            "scheduled_remind_prior",
            "scheduled_auto_in_progress",
            "scheduled_auto_completed",
            "scheduled_auto_transition",
            "auto_transition_to_maintenance_state",
            "auto_transition_to_operational_state",
            "auto_transition_deliver_notifications_at_start",
            "auto_transition_deliver_notifications_at_end",
        ] {
            if let Some(v) = f.boolean(key)? {
                flags.push((key, v));
            }
        }
        let reminder_intervals = f.string("reminder_intervals")?;

        // Everything is valid: apply it. Component statuses first, recording the changes.
        let mut affected = Vec::new();
        for (component_id, new_status) in &statuses {
            if let Some(c) = self.components.iter_mut().find(|c| &c.id == component_id) {
                affected.push(AffectedComponent {
                    code: c.id.clone(),
                    name: Some(c.name.clone()),
                    old_status: Some(c.status.clone()),
                    new_status: Some(new_status.clone()),
                });
                c.status = new_status.clone();
                c.updated_at = Some(now);
            }
        }
        let snapshot: Vec<Component> = self.components.clone();
        let update_id = self.new_id("upd0");
        let Some(incident) = self.incidents.iter_mut().find(|i| i.id.as_str() == id) else {
            return Err(Reply::not_found());
        };
        if let Some(name) = name {
            incident.name = name;
        }
        if let Some(impact) = impact_override {
            incident.impact_override = Some(impact);
        }
        if let Some(t) = scheduled_for {
            incident.scheduled_for = Some(t);
        }
        if let Some(t) = scheduled_until {
            incident.scheduled_until = Some(t);
        }
        if reminder_intervals.is_some() {
            incident.reminder_intervals = reminder_intervals;
        }
        if let Some(metadata) = fields.get("metadata").filter(|v| !v.is_null()) {
            incident.metadata = Some(metadata.clone());
        }
        for (key, v) in flags {
            let slot = match key {
                "scheduled_remind_prior" => &mut incident.scheduled_remind_prior,
                "scheduled_auto_in_progress" => &mut incident.scheduled_auto_in_progress,
                "scheduled_auto_completed" => &mut incident.scheduled_auto_completed,
                "scheduled_auto_transition" => &mut incident.scheduled_auto_transition,
                "auto_transition_to_maintenance_state" => {
                    &mut incident.auto_transition_to_maintenance_state
                }
                "auto_transition_to_operational_state" => {
                    &mut incident.auto_transition_to_operational_state
                }
                "auto_transition_deliver_notifications_at_start" => {
                    &mut incident.auto_transition_deliver_notifications_at_start
                }
                _ => &mut incident.auto_transition_deliver_notifications_at_end,
            };
            *slot = Some(v);
        }
        // The incident's components: every component it was ever told about, as they are now.
        let mut ids: Vec<ComponentId> = incident.components.iter().map(|c| c.id.clone()).collect();
        for c in component_ids {
            if !ids.contains(&c) {
                ids.push(c);
            }
        }
        incident.components = snapshot
            .into_iter()
            .filter(|c| ids.contains(&c.id))
            .collect();

        let status_changed = status.as_ref().is_some_and(|s| *s != incident.status);
        if let Some(status) = &status {
            incident.status = status.clone();
            match status {
                IncidentStatus::Monitoring => incident.monitoring_at = Some(now),
                IncidentStatus::Resolved | IncidentStatus::Completed => {
                    incident.resolved_at = Some(now)
                }
                IncidentStatus::InProgress => incident.started_at = Some(now),
                _ => {}
            }
        }
        if creating || status_changed || body.is_some() || !affected.is_empty() {
            let update: IncidentUpdate = build(json!({
                "id": update_id, "incident_id": id, "status": incident.status, "body": body.unwrap_or_default(),
                "created_at": now, "updated_at": now, "display_at": now, "deliver_notifications": deliver,
                "wants_twitter_update": false,
                "affected_components": if affected.is_empty() { Value::Null } else { json!(affected) },
            }))?;
            incident.incident_updates.insert(0, update);
        }
        incident.impact = Some(
            match (&incident.impact_override, incident.scheduled_for.is_some()) {
                (Some(impact), _) => impact.clone(),
                (None, true) => Impact::Maintenance,
                // The impact is the worst the incident has been, not only what it is now.
                (None, false) => {
                    let now = impact_of(&incident.components);
                    match &incident.impact {
                        Some(before) if impact_rank(before) > impact_rank(&now) => before.clone(),
                        _ => now,
                    }
                }
            },
        );
        incident.updated_at = Some(now);
        Ok(incident.clone())
    }

    pub(super) fn delete_incident(&mut self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        self.incidents.retain(|i| i.id != incident.id);
        self.postmortems.remove(&incident.id);
        self.subscribers
            .retain(|(scope, _)| scope.as_ref() != Some(&incident.id));
        Reply::ok(incident)
    }

    pub(super) fn edit_update(
        &mut self,
        id: &str,
        update_id: &str,
        fields: &Map<String, Value>,
    ) -> Outcome {
        let f = Fields(fields);
        let body = f.body("body")?;
        let display_at = f.time("display_at")?;
        let deliver = f.boolean("deliver_notifications")?;
        let twitter = f.boolean("wants_twitter_update")?;
        let incident = self
            .incidents
            .iter_mut()
            .find(|i| i.id.as_str() == id)
            .ok_or_else(Reply::not_found)?;
        let update = incident
            .incident_updates
            .iter_mut()
            .find(|u| u.id.as_str() == update_id)
            .ok_or_else(Reply::not_found)?;
        if body.is_some() {
            update.body = body;
        }
        if display_at.is_some() {
            update.display_at = display_at;
        }
        if deliver.is_some() {
            update.deliver_notifications = deliver;
        }
        if twitter.is_some() {
            update.wants_twitter_update = twitter;
        }
        update.updated_at = Some(Utc::now());
        Reply::ok(update.clone())
    }

    // ----- postmortems -----

    pub(super) fn postmortem(&self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        Reply::ok(
            self.postmortems
                .get(&incident.id)
                .ok_or_else(Reply::not_found)?,
        )
    }

    pub(super) fn save_postmortem(&mut self, id: &str, fields: &Map<String, Value>) -> Outcome {
        let incident = self.incident(id)?;
        let draft = Fields(fields)
            .body("body_draft")?
            .ok_or_else(|| Reply::invalid("Body draft can't be blank"))?;
        let now = Utc::now();
        let postmortem = match self.postmortems.get(&incident.id) {
            Some(existing) => {
                let mut p = existing.clone();
                p.body_draft = Some(draft);
                p.body_draft_updated_at = Some(now);
                p.updated_at = Some(now);
                p
            }
            None => build(json!({
                "preview_key": format!("preview{}", incident.id), "body_draft": draft,
                "body_draft_updated_at": now, "created_at": now, "updated_at": now,
                "notify_subscribers": false, "notify_twitter": false,
            }))?,
        };
        self.postmortems.insert(incident.id, postmortem.clone());
        Reply::ok(postmortem)
    }

    pub(super) fn publish_postmortem(&mut self, id: &str, body: Option<&Value>) -> Outcome {
        let incident = self.incident(id)?;
        let empty = Map::new();
        let f = Fields(
            body.and_then(|b| b.get("postmortem"))
                .and_then(Value::as_object)
                .unwrap_or(&empty),
        );
        let notify_subscribers = f.boolean("notify_subscribers")?.unwrap_or(false);
        let notify_twitter = f.boolean("notify_twitter")?.unwrap_or(false);
        let tweet = f.string("custom_tweet")?;
        let p = self
            .postmortems
            .get_mut(&incident.id)
            .ok_or_else(Reply::not_found)?;
        let Some(draft) = p.body_draft.clone() else {
            return Err(Reply::invalid("There is no draft to publish"));
        };
        let now = Utc::now();
        p.body = Some(draft.clone());
        p.body_updated_at = Some(now);
        p.published_at = Some(now);
        p.notify_subscribers = Some(notify_subscribers);
        p.notify_twitter = Some(notify_twitter);
        p.custom_tweet = tweet;
        let published = p.clone();
        if let Some(i) = self.incidents.iter_mut().find(|i| i.id == incident.id) {
            i.postmortem_body = Some(draft);
            i.postmortem_body_last_updated_at = Some(now);
            i.postmortem_published_at = Some(now);
            i.postmortem_notified_subscribers = Some(notify_subscribers);
            i.postmortem_notified_twitter = Some(notify_twitter);
            if i.status == IncidentStatus::Resolved {
                i.status = IncidentStatus::Postmortem;
            }
        }
        Reply::ok(published)
    }

    pub(super) fn revert_postmortem(&mut self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        let p = self
            .postmortems
            .get_mut(&incident.id)
            .ok_or_else(Reply::not_found)?;
        p.published_at = None;
        p.body = None;
        let reverted = p.clone();
        if let Some(i) = self.incidents.iter_mut().find(|i| i.id == incident.id) {
            i.postmortem_published_at = None;
            i.postmortem_body = None;
            if i.status == IncidentStatus::Postmortem {
                i.status = IncidentStatus::Resolved;
            }
        }
        Reply::ok(reverted)
    }

    pub(super) fn delete_postmortem(&mut self, id: &str) -> Outcome {
        let incident = self.incident(id)?;
        self.postmortems
            .remove(&incident.id)
            .ok_or_else(Reply::not_found)?;
        if let Some(i) = self.incidents.iter_mut().find(|i| i.id == incident.id) {
            i.postmortem_published_at = None;
            i.postmortem_body = None;
        }
        Reply::no_content()
    }

    // ----- templates -----

    pub(super) fn create_template(&mut self, fields: &Map<String, Value>) -> Outcome {
        let f = Fields(fields);
        let name = f
            .name("name")?
            .ok_or_else(|| Reply::invalid("Name can't be blank"))?;
        let title = f
            .name("title")?
            .ok_or_else(|| Reply::invalid("Title can't be blank"))?;
        let update_status = f
            .string("update_status")?
            .map(|s| known_incident_status(&s))
            .transpose()?;
        let ids: Vec<ComponentId> = f
            .ids("component_ids")?
            .unwrap_or_default()
            .into_iter()
            .map(ComponentId::new)
            .collect();
        if ids
            .iter()
            .any(|c| !self.components.iter().any(|x| &x.id == c))
        {
            return Err(Reply::invalid("Components must exist"));
        }
        let components: Vec<Component> = self
            .components
            .iter()
            .filter(|c| ids.contains(&c.id))
            .cloned()
            .collect();
        let template: IncidentTemplate = build(json!({
            "id": self.new_id("tpl0"), "name": name, "title": title, "body": f.body("body")?,
            "group_id": f.string("group_id")?, "update_status": update_status,
            "should_tweet": f.boolean("should_tweet")?.unwrap_or(false),
            "should_send_notifications": f.boolean("should_send_notifications")?.unwrap_or(true),
            "components": components,
        }))?;
        self.templates.push(template.clone());
        Reply::created(template)
    }
}
