//! Tier 2: every recorded answer under fixtures/opsgenie decodes into its model.

mod common;

use common::{fixture, fixture_json};
use opsgenie_client::heartbeats::IntervalUnit;
use opsgenie_client::incidents::IncidentStatus;
use opsgenie_client::schedules::{NextOnCall, Override, ParticipantType, RotationType};
use opsgenie_client::{
    Alert, AlertStatus, Heartbeat, Incident, OnCall, Priority, RequestStatus, ResponderType,
    Schedule,
};
use serde::de::DeserializeOwned;

fn data<T: DeserializeOwned>(path: &str) -> T {
    let v = fixture_json(path);
    let data = v
        .get("data")
        .cloned()
        .unwrap_or_else(|| panic!("{path}: no data"));
    serde_json::from_value(data).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_fixture_is_covered_by_a_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/opsgenie");
    let this = include_str!("fixtures.rs");
    let others = [
        include_str!("alerts.rs"),
        include_str!("behaviour.rs"),
        include_str!("redaction.rs"),
        include_str!("requests.rs"),
        include_str!("schedules.rs"),
        include_str!("heartbeats.rs"),
        include_str!("incidents.rs"),
        include_str!("jsm.rs"),
        include_str!("jsm_client.rs"),
        include_str!("fake_jsm_routes.rs"),
        include_str!("webhook.rs"),
    ]
    .concat();
    // Every file under the fixture root, at any depth, by its path relative to the root.
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(rel) = path.strip_prefix(&root) {
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut missing: Vec<String> = files
        .into_iter()
        .filter(|rel| rel.contains('/') && !this.contains(rel) && !others.contains(rel))
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "fixtures no test uses: {missing:?}");
}

#[test]
fn full_alert_decodes() {
    let a: Alert = data("alerts/get.json");
    assert_eq!(a.id.as_str(), "70413a06-38d6-4c85-92b8-5ebc900d42e2");
    assert_eq!(a.tiny_id.as_deref(), Some("1791"));
    assert_eq!(a.status, Some(AlertStatus::Closed));
    assert_eq!(a.priority, Some(Priority::P5));
    assert_eq!(a.count, Some(79));
    assert!(a.snoozed_until.is_some());
    assert_eq!(a.responders.len(), 4);
    assert_eq!(a.responders[2].kind, ResponderType::Escalation);
    let report = a.report.as_ref().expect("report");
    assert_eq!(report.ack_time, Some(15702));
    assert_eq!(report.closed_by.as_deref(), Some("neo@opsgenie.com"));
    assert_eq!(
        a.owner_team_id.as_deref(),
        Some("8418d193-fake-4d8f-a3da-000000000001")
    );
    assert_eq!(
        a.details.get("serverName").map(String::as_str),
        Some("Zion")
    );
    assert_eq!(a.actions, ["Restart", "Ping"]);
    assert_eq!(a.owner(), Some("morpheus@opsgenie.com"));
    assert_eq!(
        a.integration.as_ref().and_then(|i| i.kind.as_deref()),
        Some("API")
    );
}

#[test]
fn minimal_alert_with_unknown_values_decodes_and_round_trips() {
    let a: Alert = data("alerts/get_minimal_unknown_enums.json");
    assert_eq!(
        a.id.as_str(),
        "b4b23e8b-4003-453d-9200-7735641a272d-1613353863148"
    );
    assert_eq!(
        a.status,
        Some(AlertStatus::Unknown("resolved-elsewhere".into()))
    );
    assert_eq!(a.priority, Some(Priority::Unknown("P0".into())));
    assert_eq!(
        a.responders[0].kind,
        ResponderType::Unknown("service".into())
    );
    assert_eq!(
        a.responders[1].kind,
        ResponderType::Unknown(String::new()),
        "absent type"
    );
    assert_eq!(
        a.responders[1].id.as_deref(),
        Some("fake-team-without-type")
    );
    assert!(a.tags.is_empty(), "null tags are empty");
    assert_eq!(a.seen, Some(false));
    assert_eq!(a.owner(), None, "owner \"\" means nobody");
    assert!(a.report.is_none() && a.snoozed_until.is_none());
    // Unknown values serialize back unchanged.
    let back = serde_json::to_value(&a).expect("serialize");
    assert_eq!(back["status"], "resolved-elsewhere");
    assert_eq!(back["priority"], "P0");
    assert_eq!(back["responders"][0]["type"], "service");
}

#[test]
fn list_pages_decode() {
    for page in ["alerts/list_page1.json", "alerts/list_page2.json"] {
        let alerts: Vec<Alert> = data(page);
        assert!(!alerts.is_empty());
        assert!(alerts.iter().all(|a| a.is_open() && a.created_at.is_some()));
    }
    let v = fixture_json("alerts/count.json");
    assert_eq!(v["data"]["count"], 7);
    let notes: Vec<opsgenie_client::alerts::Note> = data("alerts/notes.json");
    assert_eq!(notes[1].offset.as_deref(), Some("1493209530003"));
    let logs: Vec<opsgenie_client::alerts::LogEntry> = data("alerts/logs.json");
    assert_eq!(logs[1].kind.as_deref(), Some("alertRecipient"));
    let accepted = fixture_json("alerts/create_accepted.json");
    assert_eq!(accepted["result"], "Request will be processed");
}

#[test]
fn request_statuses_decode() {
    let ok: RequestStatus = data("requests/success.json");
    assert!(ok.succeeded());
    assert_eq!(ok.status, "Created alert");
    assert_eq!(
        ok.alert_id().map(|i| i.into_inner()),
        Some("8743a1b2-fake-4ad4-a3d1-000000000010".into())
    );
    let failed: RequestStatus = data("requests/failure.json");
    assert!(!failed.succeeded());
    assert_eq!(failed.status, "Alert does not exist");
    assert_eq!(failed.alert_id(), None, "empty alertId is none");
    let incident: RequestStatus = data("incidents/request_status.json");
    assert_eq!(
        incident.incident_id().map(|i| i.into_inner()),
        Some("fake-incident-1".into())
    );
    let pending = fixture_json("requests/not_processed.json");
    assert!(pending.get("data").is_none());
}

#[test]
fn schedules_and_on_calls_decode() {
    let list: Vec<Schedule> = data("schedules/list.json");
    assert_eq!(list[0].name, "ops");
    assert_eq!(list[0].rotations[0].kind, Some(RotationType::Weekly));
    assert_eq!(
        list[0].rotations[1].kind,
        Some(RotationType::Unknown("fortnightly".into()))
    );
    assert_eq!(
        list[0].rotations[1].participants[0].kind,
        ParticipantType::None
    );
    let one: Schedule = data("schedules/get.json");
    assert_eq!(one.timezone.as_deref(), Some("Europe/Berlin"));

    let nested: OnCall = data("schedules/on_calls_nested.json");
    assert_eq!(nested.schedule_name(), Some("ops"));
    assert_eq!(nested.users(), ["ann@example.com", "bob@example.com"]);
    assert_eq!(
        nested.on_call_participants[2].kind,
        ParticipantType::Unknown("automation".into())
    );
    let flat: OnCall = data("schedules/on_calls_flat.json");
    assert_eq!(flat.users(), ["ann@example.com", "bob@example.com"]);
    let all: Vec<OnCall> = data("schedules/all_on_calls.json");
    assert_eq!(all.len(), 2);
    assert!(all[1].users().is_empty());

    let next: NextOnCall = data("schedules/next_on_calls.json");
    assert_eq!(next.names(), ["bob@example.com"]);
    let overrides: Vec<Override> = data("schedules/overrides_list.json");
    assert_eq!(overrides[0].alias, "fake-override-1");
    assert_eq!(overrides[0].rotations[0].name.as_deref(), Some("primary"));
    let o: Override = data("schedules/override_get.json");
    assert_eq!(
        o.user.and_then(|u| u.username).as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(
        fixture_json("schedules/override_created.json")["data"]["alias"],
        "fake-override-1"
    );
}

#[test]
fn heartbeats_decode() {
    let v = fixture_json("heartbeats/list.json");
    let list: Vec<Heartbeat> =
        serde_json::from_value(v["data"]["heartbeats"].clone()).expect("heartbeats");
    assert_eq!(list[0].interval_unit, Some(IntervalUnit::Hours));
    assert_eq!(list[0].alert_priority, Some(Priority::P2));
    assert!(list[0].last_ping_time.is_some());
    assert_eq!(
        list[1].interval_unit,
        Some(IntervalUnit::Unknown("fortnights".into()))
    );
    let one: Heartbeat = data("heartbeats/get.json");
    assert_eq!(one.alert_tags, ["backup"]);
    let created: Heartbeat = data("heartbeats/create.json");
    assert_eq!(created.enabled, Some(true));
    assert!(fixture("heartbeats/ping.json").contains("PONG"));
}

#[test]
fn incidents_decode() {
    let one: Incident = data("incidents/get.json");
    assert_eq!(one.status, Some(IncidentStatus::Resolved));
    assert_eq!(
        one.extra_properties.get("region").map(String::as_str),
        Some("eu")
    );
    let list: Vec<Incident> = data("incidents/list.json");
    assert_eq!(
        list[1].status,
        Some(IncidentStatus::Unknown("investigating".into()))
    );
    assert_eq!(
        fixture_json("incidents/create_accepted.json")["requestId"],
        "fake-incident-request-1"
    );
}
