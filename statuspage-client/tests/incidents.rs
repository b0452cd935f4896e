//! Incidents, maintenances, incident updates, postmortems and templates: request construction.

mod common;

use chrono::{TimeZone, Utc};
use common::{PAGE, call, catch_all, client, json, server};
use futures_util::TryStreamExt;
use serde_json::json;
use statuspage_client::{ComponentStatus, Error, Impact, IncidentStatus};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

const INCIDENTS: &str = "/pages/fakepage0001/incidents";
const INCIDENT: &str = "/pages/fakepage0001/incidents/fakeinc00001";

#[tokio::test]
async fn list_sends_q_limit_and_page() {
    let server = server().await;
    call("GET", INCIDENTS)
        .and(query_param("q", "database"))
        .and(query_param("limit", "20"))
        .and(query_param("page", "3"))
        .respond_with(json(200, "incidents/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let list = client(&server)
        .incidents(PAGE)
        .list()
        .q("database")
        .limit(20)
        .page(3)
        .await
        .expect("list");
    assert_eq!(list.len(), 4);
}

#[tokio::test]
async fn list_stream_pages_with_limit() {
    let server = server().await;
    let page_of = |ids: &[&str]| {
        let items: Vec<_> = ids
            .iter()
            .map(|id| json!({"id": id, "name": "x", "status": "resolved"}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!(items))
    };
    call("GET", INCIDENTS)
        .and(query_param("page", "1"))
        .and(query_param("limit", "2"))
        .respond_with(page_of(&["fakeinc00001", "fakeinc00002"]))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", INCIDENTS)
        .and(query_param("page", "2"))
        .and(query_param("limit", "2"))
        .respond_with(page_of(&["fakeinc00003", "fakeinc00004"]))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", INCIDENTS)
        .and(query_param("page", "3"))
        .and(query_param("limit", "2"))
        .respond_with(page_of(&[]))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let all: Vec<_> = client(&server)
        .incidents(PAGE)
        .list()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 4);
    assert_eq!(all[3].id.as_str(), "fakeinc00004");
}

#[tokio::test]
async fn every_list_flavour_has_its_path() {
    let server = server().await;
    for (suffix, fixture) in [
        ("unresolved", "incidents/unresolved.json"),
        ("scheduled", "incidents/scheduled.json"),
        ("upcoming", "incidents/upcoming.json"),
        ("active_maintenance", "incidents/active_maintenance.json"),
    ] {
        call("GET", &format!("{INCIDENTS}/{suffix}"))
            .and(query_param("page", "1"))
            .respond_with(json(200, fixture))
            .expect(1)
            .mount(&server)
            .await;
    }
    catch_all(&server).await;
    let client = client(&server);
    let incidents = client.incidents(PAGE);
    assert_eq!(
        incidents.unresolved().await.expect("unresolved")[0].status,
        IncidentStatus::Identified
    );
    assert_eq!(incidents.scheduled().await.expect("scheduled").len(), 2);
    assert_eq!(
        incidents.upcoming().await.expect("upcoming")[0].status,
        IncidentStatus::Scheduled
    );
    assert_eq!(
        incidents.active_maintenance().await.expect("active")[0].status,
        IncidentStatus::InProgress
    );
    assert!(matches!(
        incidents.unresolved().q("x").await,
        Err(Error::InvalidInput { field: "q", .. })
    ));
}

#[tokio::test]
async fn create_sends_the_components_map_and_every_write_field() {
    let server = server().await;
    let mut metadata = serde_json::Map::new();
    metadata.insert("jira".into(), json!({"issue": "OPS-1"}));
    call("POST", INCIDENTS)
        .and(body_json(json!({"incident": {
            "name": "API errors",
            "status": "investigating",
            "impact_override": "major",
            "body": "Looking into it.",
            "deliver_notifications": false,
            "component_ids": ["fakecomp0001", "fakecomp0002"],
            "components": {"fakecomp0001": "major_outage", "fakecomp0002": "partial_outage"},
            "metadata": {"jira": {"issue": "OPS-1"}},
            "auto_tweet_on_creation": false,
            "backfilled": false
        }})))
        .respond_with(json(201, "incidents/create.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let created = client(&server)
        .incidents(PAGE)
        .create("API errors")
        .status(IncidentStatus::Investigating)
        .impact_override(Impact::Major)
        .body("Looking into it.")
        .deliver_notifications(false)
        .component_ids(["fakecomp0001", "fakecomp0002"])
        .component("fakecomp0001", ComponentStatus::MajorOutage)
        .components([("fakecomp0002", ComponentStatus::PartialOutage)])
        .metadata(metadata)
        .auto_tweet_on_creation(false)
        .backfilled(false)
        .await
        .expect("create");
    assert_eq!(created.id.as_str(), "fakeinc00005");
}

#[tokio::test]
async fn schedule_maintenance_sends_the_window() {
    let server = server().await;
    call("POST", INCIDENTS)
        .and(body_json(json!({"incident": {
            "name": "Database upgrade",
            "status": "scheduled",
            "body": "Builds will be paused.",
            "components": {"fakecomp0004": "under_maintenance"},
            "reminder_intervals": "[1, 5]",
            "scheduled_for": "2026-09-15T22:10:33Z",
            "scheduled_until": "2026-09-16T00:10:33Z",
            "scheduled_remind_prior": true,
            "scheduled_auto_in_progress": true,
            "scheduled_auto_completed": true,
            "auto_transition_to_maintenance_state": true,
            "auto_transition_to_operational_state": true
        }})))
        .respond_with(json(201, "incidents/create_maintenance.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let start = Utc
        .with_ymd_and_hms(2026, 9, 15, 22, 10, 33)
        .single()
        .expect("time");
    let end = start + chrono::Duration::hours(2);
    let client = client(&server);
    let maintenance = client
        .incidents(PAGE)
        .schedule_maintenance("Database upgrade", start, end)
        .body("Builds will be paused.")
        .component("fakecomp0004", ComponentStatus::UnderMaintenance)
        .reminder_intervals(&[1, 5])
        .scheduled_remind_prior(true)
        .scheduled_auto_in_progress(true)
        .scheduled_auto_completed(true)
        .auto_transition_to_maintenance_state(true)
        .auto_transition_to_operational_state(true)
        .await
        .expect("schedule");
    assert_eq!(maintenance.status, IncidentStatus::Scheduled);

    let backwards = client
        .incidents(PAGE)
        .schedule_maintenance("Backwards", end, start)
        .await;
    assert!(matches!(
        backwards,
        Err(Error::InvalidInput {
            field: "scheduled_until",
            ..
        })
    ));
}

#[tokio::test]
async fn update_with_status_and_body_and_resolve() {
    let server = server().await;
    call("PATCH", INCIDENT)
        .and(body_json(
            json!({"incident": {"status": "identified", "body": "A queue is backed up."}}),
        ))
        .respond_with(json(200, "incidents/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PATCH", INCIDENT)
        .and(body_json(json!({"incident": {
            "status": "resolved",
            "body": "All builds run normally again.",
            "components": {"fakecomp0002": "operational"}
        }})))
        .respond_with(json(200, "incidents/update.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let incidents = client.incidents(PAGE);
    incidents
        .update("fakeinc00001")
        .status(IncidentStatus::Identified)
        .body("A queue is backed up.")
        .await
        .expect("update");
    let resolved = incidents
        .resolve("fakeinc00001")
        .body("All builds run normally again.")
        .component("fakecomp0002", ComponentStatus::Operational)
        .await
        .expect("resolve");
    assert_eq!(resolved.status, IncidentStatus::Resolved);
    let latest = resolved.latest_update().expect("an update");
    assert_eq!(latest.affected_components.as_ref().map(Vec::len), Some(1));
}

#[tokio::test]
async fn invalid_incident_input_is_never_sent() {
    let server = server().await;
    catch_all(&server).await;
    let client = client(&server);
    let incidents = client.incidents(PAGE);
    let mut bad_metadata = serde_json::Map::new();
    bad_metadata.insert("jira".into(), json!("OPS-1"));
    let cases = [
        (incidents.update("fakeinc00001").await.err(), "incident"),
        (incidents.create("").await.err(), "name"),
        (incidents.create("n".repeat(256)).await.err(), "name"),
        (
            incidents.create("ok").body("b".repeat(25_001)).await.err(),
            "body",
        ),
        (
            incidents
                .update("fakeinc00001")
                .body("b".repeat(25_001))
                .await
                .err(),
            "body",
        ),
        (
            incidents.create("ok").metadata(bad_metadata).await.err(),
            "metadata",
        ),
        (
            incidents
                .edit_update("fakeinc00001", "fakeupd00001")
                .await
                .err(),
            "incident_update",
        ),
        (incidents.get(" ").await.err(), "incident_id"),
    ];
    for (error, field) in cases {
        match error {
            Some(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid input for {field}, got {other:?}"),
        }
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

#[tokio::test]
async fn get_delete_and_edit_an_update() {
    let server = server().await;
    call("GET", INCIDENT)
        .respond_with(json(200, "incidents/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", "/pages/fakepage0001/incidents/fakeinc00003")
        .respond_with(json(200, "incidents/delete.json"))
        .expect(1)
        .mount(&server)
        .await;
    call(
        "PATCH",
        "/pages/fakepage0001/incidents/fakeinc00001/incident_updates/fakeupd00002",
    )
    .and(body_json(json!({"incident_update": {
        "body": "Corrected: only EU builds were slow.",
        "display_at": "2024-06-07T10:20:00Z",
        "deliver_notifications": false,
        "wants_twitter_update": false
    }})))
    .respond_with(json(200, "incidents/incident_update.json"))
    .expect(1)
    .mount(&server)
    .await;
    catch_all(&server).await;
    let client = client(&server);
    let incidents = client.incidents(PAGE);
    assert_eq!(
        incidents.get("fakeinc00001").await.expect("get").name,
        "Builds are slow"
    );
    assert_eq!(
        incidents
            .delete("fakeinc00003")
            .await
            .expect("delete")
            .status,
        IncidentStatus::Resolved
    );
    let at = Utc
        .with_ymd_and_hms(2024, 6, 7, 10, 20, 0)
        .single()
        .expect("time");
    let edited = incidents
        .edit_update("fakeinc00001", "fakeupd00002")
        .body("Corrected: only EU builds were slow.")
        .display_at(at)
        .deliver_notifications(false)
        .wants_twitter_update(false)
        .await
        .expect("edit");
    assert_eq!(edited.id.as_str(), "fakeupd00002");
}

#[tokio::test]
async fn postmortem_lifecycle() {
    let server = server().await;
    let base = "/pages/fakepage0001/incidents/fakeinc00003/postmortem";
    call("GET", base)
        .respond_with(json(200, "postmortem/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PUT", base)
        .and(body_json(
            json!({"postmortem": {"body_draft": "A full disk stopped the queue."}}),
        ))
        .respond_with(json(200, "postmortem/save_draft.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PUT", &format!("{base}/publish"))
        .and(body_json(json!({"postmortem": {"notify_twitter": false, "notify_subscribers": true, "custom_tweet": "Postmortem is up"}})))
        .respond_with(json(200, "postmortem/publish.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PUT", &format!("{base}/revert"))
        .respond_with(json(200, "postmortem/revert.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", base)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    let postmortem = client.incidents(PAGE).postmortem("fakeinc00003");
    assert!(postmortem.get().await.expect("get").body_draft.is_some());
    postmortem
        .save_draft("A full disk stopped the queue.")
        .await
        .expect("draft");
    let published = postmortem
        .publish()
        .notify_twitter(false)
        .notify_subscribers(true)
        .custom_tweet("Postmortem is up")
        .await
        .expect("publish");
    assert!(published.published_at.is_some());
    postmortem.revert().await.expect("revert");
    postmortem.delete().await.expect("delete");
    assert!(matches!(
        postmortem.save_draft(" ").await,
        Err(Error::InvalidInput {
            field: "body_draft",
            ..
        })
    ));
}

#[tokio::test]
async fn templates_list_and_create() {
    let server = server().await;
    let templates = "/pages/fakepage0001/incident_templates";
    call("GET", templates)
        .and(query_param("page", "1"))
        .and(query_param("per_page", "10"))
        .respond_with(json(200, "templates/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", templates)
        .and(body_json(json!({"template": {
            "name": "Slow builds",
            "title": "Builds are slower than usual",
            "body": "We are investigating slow build starts.",
            "update_status": "investigating",
            "should_tweet": false,
            "should_send_notifications": true,
            "component_ids": ["fakecomp0002"]
        }})))
        .respond_with(json(201, "templates/create.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let api = client.incident_templates(PAGE);
    assert_eq!(api.list().per_page(10).await.expect("list").len(), 2);
    let created = api
        .create("Slow builds", "Builds are slower than usual")
        .body("We are investigating slow build starts.")
        .update_status(IncidentStatus::Investigating)
        .should_tweet(false)
        .should_send_notifications(true)
        .component_ids(["fakecomp0002"])
        .await
        .expect("create");
    assert_eq!(created.id.as_str(), "faketpl00001");
    assert!(matches!(
        api.create("x", "").await,
        Err(Error::InvalidInput { field: "title", .. })
    ));
}
