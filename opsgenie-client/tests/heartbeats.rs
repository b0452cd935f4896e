//! Heartbeats: every call's request and answer.

mod common;

use common::{body_of, client, respond, server};
use opsgenie_client::heartbeats::IntervalUnit;
use opsgenie_client::{Error, NamedRef, Priority};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn every_heartbeat_call() {
    let server = server().await;
    let routes = [
        (
            "GET",
            "/v2/heartbeats/nightly%20backup/ping",
            "heartbeats/ping.json",
        ),
        ("GET", "/v2/heartbeats", "heartbeats/list.json"),
        (
            "GET",
            "/v2/heartbeats/nightly-backup",
            "heartbeats/get.json",
        ),
        ("POST", "/v2/heartbeats", "heartbeats/create.json"),
        (
            "PATCH",
            "/v2/heartbeats/nightly-backup",
            "heartbeats/get.json",
        ),
        (
            "POST",
            "/v2/heartbeats/nightly-backup/enable",
            "heartbeats/create.json",
        ),
        (
            "POST",
            "/v2/heartbeats/nightly-backup/disable",
            "heartbeats/create.json",
        ),
    ];
    for (verb, route, file) in routes {
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(respond(200, file))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path("/v2/heartbeats/nightly-backup"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"result": "Deleted", "requestId": "fake"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let hb = client(&server);
    let hb = hb.heartbeats();
    assert_eq!(
        hb.ping("nightly backup").await.expect("ping").result,
        "PONG - Heartbeat received"
    );
    assert_eq!(hb.list().await.expect("list").len(), 2);
    assert_eq!(
        hb.get("nightly-backup").await.expect("get").interval,
        Some(25)
    );
    let created = hb
        .create("nightly-backup", 25, IntervalUnit::Hours)
        .description("backs up the db")
        .enabled(true)
        .owner_team(NamedRef::name("ops-team"))
        .alert_message("Backup did not run")
        .alert_tags(["backup"])
        .alert_priority(Priority::P2)
        .await
        .expect("create");
    assert_eq!(created.name, "nightly-backup");
    assert_eq!(
        body_of(&server, "POST", "/v2/heartbeats").await,
        json!({"name": "nightly-backup", "description": "backs up the db", "interval": 25,
               "intervalUnit": "hours", "enabled": true, "ownerTeam": {"name": "ops-team"},
               "alertMessage": "Backup did not run", "alertTags": ["backup"], "alertPriority": "P2"})
    );
    hb.update("nightly-backup")
        .interval(2, IntervalUnit::Days)
        .await
        .expect("update");
    assert_eq!(
        body_of(&server, "PATCH", "/v2/heartbeats/nightly-backup").await,
        json!({"interval": 2, "intervalUnit": "days"})
    );
    assert_eq!(
        hb.enable("nightly-backup").await.expect("enable").enabled,
        Some(true)
    );
    hb.disable("nightly-backup").await.expect("disable");
    hb.delete("nightly-backup").await.expect("delete");
    assert!(matches!(
        hb.create("x", 0, IntervalUnit::Minutes).await,
        Err(Error::InvalidInput {
            field: "interval",
            ..
        })
    ));
    assert!(matches!(
        hb.ping(&"n".repeat(201)).await,
        Err(Error::InvalidInput { field: "name", .. })
    ));
}
