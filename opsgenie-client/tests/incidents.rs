//! Incidents (v1): every call's request and answer, and the request outcome.

mod common;

use common::{body_of, client, respond, server};
use opsgenie_client::incidents::IncidentRef;
use opsgenie_client::{Order, Priority, Responder};
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{body_json, method, path, query_param};

#[tokio::test]
async fn create_and_await_the_incident_id() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v1/incidents/create"))
        .respond_with(respond(202, "incidents/create_accepted.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/incidents/requests/fake-incident-request-1"))
        .respond_with(respond(200, "incidents/request_status.json"))
        .expect(1)
        .mount(&server)
        .await;
    let done = client(&server)
        .incidents()
        .create("Checkout is down", "fake-service-1")
        .description("500s")
        .responder(Responder::team("ops"))
        .tag("checkout")
        .detail("region", "eu")
        .priority(Priority::P1)
        .note("paging")
        .status_page_entry("Checkout degraded", None)
        .notify_stakeholders(true)
        .await
        .expect("accepted")
        .wait()
        .await
        .expect("processed");
    assert_eq!(
        done.incident_id().map(|i| i.into_inner()),
        Some("fake-incident-1".to_owned())
    );
    assert_eq!(
        body_of(&server, "POST", "/v1/incidents/create").await,
        json!({"message": "Checkout is down", "serviceId": "fake-service-1", "description": "500s",
               "responders": [{"type": "team", "name": "ops"}], "tags": ["checkout"],
               "details": {"region": "eu"}, "priority": "P1", "note": "paging",
               "statusPageEntry": {"title": "Checkout degraded"}, "notifyStakeholders": true})
    );
}

#[tokio::test]
async fn get_list_resolve_close_and_note() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v1/incidents/7"))
        .and(query_param("identifierType", "tiny"))
        .respond_with(respond(200, "incidents/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/incidents"))
        .and(query_param("query", "status:open"))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "10"))
        .and(query_param("sort", "createdAt"))
        .and(query_param("order", "desc"))
        .respond_with(respond(200, "incidents/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    for (route, body) in [
        (
            "/v1/incidents/fake-incident-1/resolve",
            json!({"note": "fixed"}),
        ),
        ("/v1/incidents/fake-incident-1/close", json!({})),
        (
            "/v1/incidents/fake-incident-1/notes",
            json!({"note": "rolled back"}),
        ),
    ] {
        Mock::given(method("POST"))
            .and(path(route))
            .and(query_param("identifierType", "id"))
            .and(body_json(body))
            .respond_with(respond(202, "incidents/create_accepted.json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let one = c
        .incidents()
        .get(IncidentRef::tiny("7"))
        .await
        .expect("get");
    assert_eq!(one.message, "Checkout is down");
    let page = c
        .incidents()
        .list()
        .query("status:open")
        .limit(10)
        .sort("createdAt")
        .order(Order::Desc)
        .await
        .expect("list");
    assert_eq!(page.incidents.len(), 2);
    let id = || IncidentRef::id("fake-incident-1");
    let h = c
        .incidents()
        .resolve(id())
        .note("fixed")
        .await
        .expect("resolve");
    assert_eq!(h.kind(), opsgenie_client::RequestKind::Incident);
    let _closed = c.incidents().close(id()).await.expect("close");
    let _noted = c
        .incidents()
        .add_note(id(), "rolled back")
        .await
        .expect("note");
    assert!(c.incidents().add_note(id(), " ").await.is_err());
}
