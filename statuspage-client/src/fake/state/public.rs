//! The public Status API v2, computed from the same state.

use super::*;

impl State {
    /// Handles one public v2 request (`segments` after `/api/v2`, `.json` removed).
    pub(crate) fn public(&self, segments: &[&str]) -> Reply {
        let page = json!({
            "id": self.page.id, "name": self.page.name, "url": self.page.url,
            "time_zone": self.page.time_zone, "updated_at": self.page.updated_at,
        });
        let newest = self.newest_first();
        let unresolved: Vec<&Incident> = newest
            .iter()
            .filter(|i| !i.status.is_maintenance() && !i.status.is_closed())
            .collect();
        let maintenances: Vec<&Incident> = newest
            .iter()
            .filter(|i| i.scheduled_for.is_some())
            .collect();
        let upcoming: Vec<&Incident> = maintenances
            .iter()
            .copied()
            .filter(|i| i.status == IncidentStatus::Scheduled)
            .collect();
        let active: Vec<&Incident> = maintenances
            .iter()
            .copied()
            .filter(|i| {
                matches!(
                    i.status,
                    IncidentStatus::InProgress | IncidentStatus::Verifying
                )
            })
            .collect();
        let (indicator, description) = self.indicator(&unresolved, !active.is_empty());
        let status = json!({"indicator": indicator, "description": description});
        let outcome = match segments {
            ["summary"] => {
                let mut open_maintenances = upcoming.clone();
                open_maintenances.extend(active.iter().copied());
                Reply::ok(json!({
                    "page": page, "status": status, "components": self.public_components(),
                    "incidents": unresolved, "scheduled_maintenances": open_maintenances,
                }))
            }
            ["status"] => Reply::ok(json!({"page": page, "status": status})),
            ["components"] => {
                Reply::ok(json!({"page": page, "components": self.public_components()}))
            }
            ["incidents"] => Reply::ok(
                json!({"page": page, "incidents": newest.iter().take(50).collect::<Vec<_>>()}),
            ),
            ["incidents", "unresolved"] => {
                Reply::ok(json!({"page": page, "incidents": unresolved}))
            }
            ["scheduled-maintenances"] => Reply::ok(
                json!({"page": page, "scheduled_maintenances": maintenances.iter().take(50).collect::<Vec<_>>()}),
            ),
            ["scheduled-maintenances", "upcoming"] => {
                Reply::ok(json!({"page": page, "scheduled_maintenances": upcoming}))
            }
            ["scheduled-maintenances", "active"] => {
                Reply::ok(json!({"page": page, "scheduled_maintenances": active}))
            }
            _ => Err(Reply::not_found()),
        };
        outcome.unwrap_or_else(|reply| reply)
    }

    /// Components as the public API shows them: groups are components with `group: true`.
    pub(super) fn public_components(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for group in &self.groups {
            let members: Vec<&Component> = self
                .components
                .iter()
                .filter(|c| group.components.contains(&c.id))
                .collect();
            let worst = members
                .iter()
                .map(|c| c.status.clone())
                .max_by_key(severity)
                .unwrap_or(ComponentStatus::Operational);
            out.push(json!({
                "id": group.id, "page_id": self.page.id, "name": group.name, "description": group.description,
                "status": worst, "position": group.position, "created_at": group.created_at,
                "updated_at": group.updated_at, "group": true, "group_id": null, "showcase": false,
                "only_show_if_degraded": false, "start_date": null, "components": group.components,
            }));
        }
        for component in &self.components {
            let mut value = json!(component);
            if let Some(map) = value.as_object_mut() {
                map.remove("automation_email");
            }
            out.push(value);
        }
        out
    }

    /// The page's overall state as the public API reports it: `(indicator, description)`.
    pub(crate) fn page_status(&self) -> (&'static str, &'static str) {
        let unresolved: Vec<&Incident> = self
            .incidents
            .iter()
            .filter(|i| !i.status.is_maintenance() && !i.status.is_closed())
            .collect();
        let maintenance = self.incidents.iter().any(|i| {
            matches!(
                i.status,
                IncidentStatus::InProgress | IncidentStatus::Verifying
            )
        });
        self.indicator(&unresolved, maintenance)
    }

    pub(super) fn indicator(
        &self,
        unresolved: &[&Incident],
        maintenance: bool,
    ) -> (&'static str, &'static str) {
        let worst_impact = unresolved
            .iter()
            .filter_map(|i| i.impact.as_ref().map(impact_rank))
            .max()
            .unwrap_or(0);
        let worst_component = self
            .components
            .iter()
            .map(|c| severity(&c.status))
            .max()
            .unwrap_or(0);
        match worst_impact.max(match worst_component {
            4 => 2,
            2 | 3 => 1,
            _ => 0,
        }) {
            3 => ("critical", "Major System Outage"),
            2 => ("major", "Partial System Outage"),
            1 => ("minor", "Minor Service Outage"),
            _ if maintenance
                || self
                    .components
                    .iter()
                    .any(|c| c.status == ComponentStatus::UnderMaintenance) =>
            {
                ("maintenance", "Service Under Maintenance")
            }
            _ => ("none", "All Systems Operational"),
        }
    }
}
