//! What the fake tells webhook subscribers: the state before and after a change, compared
//! as Statuspage compares them. A component whose status changed is one component
//! notification; an incident that is new, or has a new status or a new update, is one incident
//! notification (its updates newest first, as the Manage API returns them).

use std::collections::HashMap;

use chrono::Utc;

use super::state::State;
use crate::StatusIndicator;
use crate::components::ComponentStatus;
use crate::ids::{ComponentId, IncidentId};
use crate::incidents::IncidentStatus;
use crate::subscribers::SubscriberType;
use crate::webhook::{ComponentUpdate, ComponentUpdateId, Meta, Notification, WebhookPage};

/// What subscribers are told about, before a change.
pub(super) struct Snapshot {
    components: HashMap<ComponentId, ComponentStatus>,
    incidents: HashMap<IncidentId, (IncidentStatus, usize)>,
}

impl Snapshot {
    pub(super) fn of(state: &State) -> Snapshot {
        Snapshot {
            components: state
                .components
                .iter()
                .map(|c| (c.id.clone(), c.status.clone()))
                .collect(),
            incidents: state
                .incidents
                .iter()
                .map(|i| (i.id.clone(), (i.status.clone(), i.incident_updates.len())))
                .collect(),
        }
    }

    /// The notifications for what changed since this snapshot.
    pub(super) fn changes(&self, state: &State, counter: &mut u64) -> Vec<Notification> {
        let (indicator, description) = state.page_status();
        let page = WebhookPage::new(
            state.page.id.clone(),
            StatusIndicator::from_api(indicator),
            description,
        );
        let base = state
            .page
            .url
            .clone()
            .unwrap_or_else(|| "https://status.example.invalid".to_owned());
        let meta = Meta {
            unsubscribe: Some(format!(
                "{}/?unsubscribe=fake-subscriber",
                base.trim_end_matches('/')
            )),
            documentation: Some(
                "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/"
                    .to_owned(),
            ),
            generated_at: Some(Utc::now()),
        };
        let mut out = Vec::new();
        for component in &state.components {
            let Some(old) = self.components.get(&component.id) else {
                continue;
            };
            if *old == component.status {
                continue;
            }
            *counter += 1;
            let mut change =
                ComponentUpdate::new(component.id.clone(), old.clone(), component.status.clone());
            change.id = Some(ComponentUpdateId::new(format!("fakecupd{counter:06}")));
            change.created_at = Some(Utc::now());
            out.push(Notification::new_component(
                meta.clone(),
                page.clone(),
                component.clone(),
                change,
            ));
        }
        for incident in &state.incidents {
            let changed = match self.incidents.get(&incident.id) {
                None => true,
                Some((status, updates)) => {
                    *status != incident.status || *updates != incident.incident_updates.len()
                }
            };
            if changed {
                out.push(Notification::new_incident(
                    meta.clone(),
                    page.clone(),
                    newest_updates_first(incident.clone()),
                ));
            }
        }
        out
    }
}

/// The Manage API lists an incident's updates newest first; so do notifications.
fn newest_updates_first(mut incident: crate::Incident) -> crate::Incident {
    incident
        .incident_updates
        .sort_by_key(|u| std::cmp::Reverse(u.display_at.or(u.created_at)));
    incident
}

/// The endpoints of the page's active webhook subscribers (subscribers created through the
/// API with an `endpoint`).
pub(super) fn subscriber_endpoints(state: &State) -> Vec<String> {
    state
        .subscribers
        .iter()
        .filter(|(_, s)| s.mode == Some(SubscriberType::Webhook))
        .filter(|(_, s)| s.quarantined_at.is_none())
        .filter_map(|(_, s)| s.endpoint.clone())
        .collect()
}
