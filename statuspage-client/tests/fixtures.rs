//! Tier 2: every recorded answer under `fixtures/statuspage/` decodes into its model.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use serde::de::DeserializeOwned;
use statuspage_client::{
    Component, ComponentGroup, ComponentStatus, ComponentUptime, Impact, Incident, IncidentStatus,
    IncidentTemplate, IncidentUpdate, Metric, MetricPoint, Page, Postmortem, StatusIndicator,
    StatusResponse, Subscriber, SubscriberType, Summary,
};

fn decode<T: DeserializeOwned>(name: &str) -> T {
    let text = common::fixture(name);
    match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => panic!("{name} does not decode: {e}"),
    }
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Envelope<T> {
    #[serde(
        alias = "components",
        alias = "incidents",
        alias = "scheduled_maintenances"
    )]
    items: Vec<T>,
}

#[derive(serde::Deserialize)]
struct DataPoint {
    data: MetricPoint,
}

/// A fixture's path and the check that proves it decodes.
type Check = (&'static str, fn(&'static str));

/// Every fixture and the check that proves it decodes.
fn checks() -> Vec<Check> {
    vec![
        ("pages/list.json", |n| {
            assert_eq!(decode::<Vec<Page>>(n).len(), 2)
        }),
        ("pages/get.json", |n| {
            let page: Page = decode(n);
            let logo = page.transactional_logo.expect("logo object");
            assert!(logo.retina_url.is_some());
            assert_eq!(page.favicon_logo.and_then(|l| l.size), Some(4096));
            assert_eq!(page.activity_score, Some(42));
        }),
        ("pages/update.json", |n| {
            assert_eq!(
                decode::<Page>(n).headline.as_deref(),
                Some("Builds are back to normal")
            )
        }),
        ("components/list.json", |n| {
            let list: Vec<Component> = decode(n);
            assert_eq!(list.len(), 4);
            assert_eq!(list[1].status, ComponentStatus::DegradedPerformance);
            assert_eq!(list[2].start_date, None);
            assert_eq!(
                list[0].start_date.map(|d| d.to_string()).as_deref(),
                Some("2024-06-07")
            );
        }),
        ("components/get.json", |n| {
            assert_eq!(decode::<Component>(n).name, "API")
        }),
        ("components/create.json", |n| {
            assert_eq!(decode::<Component>(n).group_id, None)
        }),
        ("components/update.json", |n| {
            assert_eq!(decode::<Component>(n).status, ComponentStatus::MajorOutage)
        }),
        ("components/unknown_status.json", |n| {
            let list: Vec<Component> = decode(n);
            assert_eq!(
                list[0].status,
                ComponentStatus::Unknown("partially_on_fire".into())
            );
            assert_eq!(list[1].status, ComponentStatus::Unknown(String::new()));
            assert_eq!(list[2].status, ComponentStatus::Unknown(String::new()));
            assert_eq!(list[2].name, "");
            // Unknown values serialize back unchanged.
            let back = serde_json::to_value(&list[0]).expect("serializes");
            assert_eq!(back["status"], "partially_on_fire");
        }),
        ("components/uptime.json", |n| {
            let uptime: ComponentUptime = decode(n);
            assert_eq!(uptime.uptime_percentage, Some(99.87));
            assert_eq!(uptime.major_outage, Some(1200));
        }),
        ("component_groups/list.json", |n| {
            let groups: Vec<ComponentGroup> = decode(n);
            assert_eq!(groups[0].components.len(), 3);
            assert_eq!(groups[0].components[0].as_str(), "fakecomp0001");
        }),
        ("component_groups/get.json", |n| {
            assert_eq!(decode::<ComponentGroup>(n).name, "Platform")
        }),
        ("component_groups/create.json", |n| {
            assert_eq!(decode::<ComponentGroup>(n).description, None)
        }),
        ("component_groups/update.json", |n| {
            assert_eq!(decode::<ComponentGroup>(n).name, "Core platform")
        }),
        ("component_groups/delete.json", |n| {
            assert_eq!(decode::<ComponentGroup>(n).name, "Web")
        }),
        ("component_groups/uptime.json", |n| {
            assert_eq!(decode::<ComponentUptime>(n).warnings, None)
        }),
        ("incidents/list.json", |n| {
            assert_eq!(decode::<Vec<Incident>>(n).len(), 4)
        }),
        ("incidents/unresolved.json", |n| {
            let list: Vec<Incident> = decode(n);
            assert!(list.iter().all(|i| !i.status.is_closed()));
        }),
        ("incidents/scheduled.json", |n| {
            assert!(
                decode::<Vec<Incident>>(n)
                    .iter()
                    .all(|i| i.status.is_maintenance())
            )
        }),
        ("incidents/upcoming.json", |n| {
            let list: Vec<Incident> = decode(n);
            assert_eq!(list[0].status, IncidentStatus::Scheduled);
            // -07:00 offsets become UTC.
            assert_eq!(
                list[0].scheduled_for.map(|t| t.to_rfc3339()).as_deref(),
                Some("2026-09-15T22:10:33+00:00")
            );
            assert_eq!(list[0].reminder_intervals.as_deref(), Some("[1, 5, 7, 10]"));
        }),
        ("incidents/active_maintenance.json", |n| {
            assert_eq!(
                decode::<Vec<Incident>>(n)[0].status,
                IncidentStatus::InProgress
            )
        }),
        ("incidents/get.json", |n| {
            let incident: Incident = decode(n);
            assert_eq!(incident.impact, Some(Impact::Minor));
            assert_eq!(incident.incident_updates.len(), 2);
            assert_eq!(incident.incident_updates[0].affected_components, None);
            let affected = incident.incident_updates[1]
                .affected_components
                .clone()
                .unwrap_or_default();
            assert_eq!(
                affected[0].new_status,
                Some(ComponentStatus::DegradedPerformance)
            );
            assert_eq!(
                incident.latest_update().map(|u| u.id.as_str()),
                Some("fakeupd00002")
            );
        }),
        ("incidents/create.json", |n| {
            assert_eq!(decode::<Incident>(n).status, IncidentStatus::Investigating)
        }),
        ("incidents/create_maintenance.json", |n| {
            assert_eq!(
                decode::<Incident>(n).impact_override,
                Some(Impact::Maintenance)
            )
        }),
        ("incidents/update.json", |n| {
            let incident: Incident = decode(n);
            assert_eq!(incident.status, IncidentStatus::Resolved);
            assert_eq!(incident.incident_updates.len(), 3);
        }),
        ("incidents/delete.json", |n| {
            let incident: Incident = decode(n);
            assert!(incident.postmortem_published_at.is_some());
            assert_eq!(
                incident
                    .metadata
                    .and_then(|m| m["jira"]["issue"].as_str().map(String::from))
                    .as_deref(),
                Some("OPS-1")
            );
        }),
        ("incidents/incident_update.json", |n| {
            assert!(
                decode::<IncidentUpdate>(n)
                    .body
                    .unwrap_or_default()
                    .starts_with("Corrected")
            )
        }),
        ("incidents/unknown_values.json", |n| {
            let list: Vec<Incident> = decode(n);
            let incident = &list[0];
            assert_eq!(incident.status, IncidentStatus::Unknown("escalated".into()));
            assert_eq!(
                incident.impact,
                Some(Impact::Unknown("catastrophic".into()))
            );
            assert_eq!(
                incident.impact_override,
                Some(Impact::Unknown(String::new()))
            );
            assert!(incident.components.is_empty());
            let update = &incident.incident_updates[0];
            assert_eq!(update.tweet_id, Some(serde_json::json!(1234567890123u64)));
            let affected = update.affected_components.clone().unwrap_or_default();
            assert_eq!(
                affected[0].new_status,
                Some(ComponentStatus::Unknown("on_fire".into()))
            );
            let back = serde_json::to_value(incident).expect("serializes");
            assert_eq!(back["status"], "escalated");
            assert_eq!(back["impact"], "catastrophic");
        }),
        ("postmortem/get.json", |n| {
            assert!(decode::<Postmortem>(n).body_draft.is_some())
        }),
        ("postmortem/save_draft.json", |n| {
            assert_eq!(decode::<Postmortem>(n).published_at, None)
        }),
        ("postmortem/publish.json", |n| {
            assert!(decode::<Postmortem>(n).published_at.is_some())
        }),
        ("postmortem/revert.json", |n| {
            assert_eq!(decode::<Postmortem>(n).body, None)
        }),
        ("templates/list.json", |n| {
            let list: Vec<IncidentTemplate> = decode(n);
            assert_eq!(list[1].update_status, Some(IncidentStatus::Resolved));
        }),
        ("templates/create.json", |n| {
            assert_eq!(decode::<IncidentTemplate>(n).components.len(), 1)
        }),
        ("subscribers/list.json", |n| {
            let list: Vec<Subscriber> = decode(n);
            assert_eq!(list[1].mode, Some(SubscriberType::Webhook));
            assert!(list[2].quarantined_at.is_some());
            assert!(list[2].components.is_empty());
            assert_eq!(
                list[3].mode,
                Some(SubscriberType::Unknown("carrier_pigeon".into()))
            );
        }),
        ("subscribers/get.json", |n| {
            assert_eq!(decode::<Subscriber>(n).components.len(), 1)
        }),
        ("subscribers/create.json", |n| {
            assert!(decode::<Subscriber>(n).email.is_some())
        }),
        ("subscribers/incident_list.json", |n| {
            assert_eq!(decode::<Vec<Subscriber>>(n).len(), 1)
        }),
        ("metrics/list.json", |n| {
            assert_eq!(decode::<Vec<Metric>>(n)[0].suffix.as_deref(), Some("ms"))
        }),
        ("metrics/get.json", |n| {
            assert_eq!(decode::<Metric>(n).backfill_percentage, Some(100.0))
        }),
        ("metrics/submit.json", |n| {
            let point = decode::<DataPoint>(n).data;
            assert_eq!(point.timestamp.timestamp(), 1717799190);
        }),
        ("public/summary.json", |n| {
            let summary: Summary = decode(n);
            assert_eq!(summary.status.indicator, StatusIndicator::Minor);
            let group = &summary.components[0];
            assert!(group.group);
            assert_eq!(group.components.len(), 3);
            assert_eq!(summary.incidents.len(), 1);
            assert_eq!(summary.scheduled_maintenances.len(), 2);
        }),
        ("public/status.json", |n| {
            let status: StatusResponse = decode(n);
            assert_eq!(
                status.status.description.as_deref(),
                Some("Minor Service Outage")
            );
        }),
        ("public/status_maintenance.json", |n| {
            let status: StatusResponse = decode(n);
            assert_eq!(status.status.indicator, StatusIndicator::Maintenance);
        }),
        ("public/components.json", |n| {
            assert_eq!(decode::<Envelope<Component>>(n).items.len(), 5)
        }),
        ("public/incidents.json", |n| {
            assert_eq!(decode::<Envelope<Incident>>(n).items.len(), 2)
        }),
        ("public/incidents_unresolved.json", |n| {
            assert_eq!(decode::<Envelope<Incident>>(n).items.len(), 1)
        }),
        ("public/scheduled_maintenances.json", |n| {
            assert_eq!(decode::<Envelope<Incident>>(n).items.len(), 2)
        }),
        ("public/scheduled_maintenances_upcoming.json", |n| {
            assert_eq!(
                decode::<Envelope<Incident>>(n).items[0].status,
                IncidentStatus::Scheduled
            )
        }),
        ("public/scheduled_maintenances_active.json", |n| {
            assert_eq!(
                decode::<Envelope<Incident>>(n).items[0].status,
                IncidentStatus::InProgress
            )
        }),
        // Error bodies are checked through the client in tests/errors.rs; here: they are what
        // the client's defensive parser expects (JSON objects, or not JSON at all).
        ("errors/401.json", |n| {
            assert!(decode::<serde_json::Value>(n)["error"].is_string())
        }),
        ("errors/404.json", |n| {
            assert!(decode::<serde_json::Value>(n)["message"].is_string())
        }),
        ("errors/420.json", |n| {
            assert!(decode::<serde_json::Value>(n)["error"].is_string())
        }),
        ("errors/422.json", |n| {
            assert!(decode::<serde_json::Value>(n)["error"].is_array())
        }),
        ("errors/429.json", |n| {
            assert!(decode::<serde_json::Value>(n)["message"].is_string())
        }),
        ("errors/500.html", |n| {
            assert!(common::fixture(n).starts_with("<!DOCTYPE html>"))
        }),
        ("errors/400_plain.txt", |n| {
            assert_eq!(common::fixture(n).trim(), "Bad Request")
        }),
        ("errors/truncated.json", |n| {
            assert!(serde_json::from_str::<Vec<Component>>(&common::fixture(n)).is_err())
        }),
        // Not a fixture: the folder's description.
        ("README.md", |n| {
            assert!(common::fixture(n).contains("fake"))
        }),
    ]
}

#[test]
fn every_fixture_decodes_into_its_model() {
    for (name, check) in checks() {
        check(name);
    }
}

#[test]
fn every_fixture_file_is_checked() {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("fixtures dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = common::fixtures_dir();
    let mut files = BTreeSet::new();
    walk(&root, &root, &mut files);
    // Subscriber webhook notifications have their own check (tests/webhook.rs).
    files.retain(|f| !f.starts_with("webhooks/"));
    let checked: BTreeSet<String> = checks().iter().map(|(n, _)| (*n).to_owned()).collect();
    let unchecked: Vec<_> = files.difference(&checked).collect();
    assert!(
        unchecked.is_empty(),
        "fixtures without a decoding check: {unchecked:?}"
    );
    let missing: Vec<_> = checked.difference(&files).collect();
    assert!(missing.is_empty(), "checks without a fixture: {missing:?}");
}
