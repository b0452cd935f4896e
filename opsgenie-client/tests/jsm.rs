//! The JSM Operations backend: request construction and JSM fixtures against wiremock, the
//! cloud-id helper, redaction of the e-mail and token, what JSM does not offer, and every
//! shared call against the fake on both backends. Mocks answer in the shapes of the published
//! JSM Operations description (`fixtures/opsgenie/jsm/`).

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{fast_retries, fixture};
use futures_util::TryStreamExt;
use opsgenie_client::alerts::{BulkResult, GoneCause};
use opsgenie_client::fake::{FakeOpsgenie, JSM_CLOUD_ID, JSM_EMAIL, JSM_TEAM_ID, SeedAlert};
use opsgenie_client::schedules::ScheduleRef;
use opsgenie_client::{
    AlertAction, AlertRef, Backend, Client, ClientBuilder, Error, Priority, Responder,
    ResponderType, UserRef,
};
use wiremock::matchers::{any, body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLOUD: &str = "00000000-fake-4cld-8000-0000000000aa";
const EMAIL: &str = "ann.secret-mail@example.com";
const TOKEN: &str = "ATATT-fake-jsm-token-SECRET";
/// `base64("ann.secret-mail@example.com:ATATT-fake-jsm-token-SECRET")`.
const BASIC: &str =
    "Basic YW5uLnNlY3JldC1tYWlsQGV4YW1wbGUuY29tOkFUQVRULWZha2UtanNtLXRva2VuLVNFQ1JFVA==";
const PREFIX: &str = "/jsm/ops/api/00000000-fake-4cld-8000-0000000000aa/v1";

/// A 200 answer from a fixture (`jsm/...`).
fn jsm(path: &str) -> ResponseTemplate {
    jsm_status(200, path)
}

fn jsm_status(status: u16, path: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(path), "application/json")
}

/// A wiremock server whose unmatched requests (or requests without JSM's Basic header)
/// answer 599.
async fn jsm_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("no mock matched (catch-all)"))
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

fn jsm_builder(server: &MockServer) -> ClientBuilder {
    Client::builder_jsm(CLOUD, EMAIL, TOKEN)
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .outcome_poll_interval(Duration::from_millis(5), Duration::from_millis(20))
        .outcome_timeout(Duration::from_secs(2))
}

fn jsm_client(server: &MockServer) -> Client {
    jsm_builder(server)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn jsm_alert_get_decodes_into_the_one_alert() {
    let server = jsm_server().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "{PREFIX}/alerts/b4b23e8b-4003-453d-9200-7735641a272d-1613353863148"
        )))
        .and(header("authorization", BASIC))
        .respond_with(jsm("jsm/alert_get.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = jsm_client(&server);
    assert_eq!(
        client.backend(),
        &Backend::Jsm {
            cloud_id: CLOUD.into()
        }
    );
    let alert = ok(client
        .alerts()
        .get(AlertRef::id(
            "b4b23e8b-4003-453d-9200-7735641a272d-1613353863148",
        ))
        .await);
    assert_eq!(alert.tiny_id.as_deref(), Some("17"));
    assert_eq!(alert.is_seen, Some(true), "seen fills is_seen");
    assert_eq!(
        alert.last_occurred_at.map(|t| t.to_rfc3339()),
        Some("2026-11-02T08:15:00.120+00:00".into()),
        "lastOccuredAt (sic) fills last_occurred_at"
    );
    assert_eq!(alert.details.get("mount").map(String::as_str), Some("/var"));
    let integration = alert.integration.clone().expect("integration");
    assert_eq!(integration.kind.as_deref(), Some("API"));
    assert_eq!(integration.name.as_deref(), Some("Default API"));
    assert_eq!(alert.priority, Some(Priority::P2));
    assert!(alert.acknowledged);
    assert_eq!(
        alert.status.as_ref().map(|s| s.as_str()),
        Some("acked"),
        "JSM's own status value is kept"
    );
    // No identifierType on JSM: ids only.
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.iter().all(|r| r.url.query().is_none()));
}

#[tokio::test]
async fn jsm_unknown_enum_values_are_kept() {
    let server = jsm_server().await;
    let id = "00000000-fake-4alr-8000-000000000099";
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts/{id}")))
        .respond_with(jsm("jsm/alert_unknown_enums.json"))
        .mount(&server)
        .await;
    let alert = ok(jsm_client(&server).alerts().get(AlertRef::id(id)).await);
    assert_eq!(alert.priority, Some(Priority::Unknown("P6".into())));
    assert_eq!(alert.status.as_ref().map(|s| s.as_str()), Some("triaged"));
    assert_eq!(
        alert.responders.first().map(|r| r.kind.as_str()),
        Some("squad")
    );
}

#[tokio::test]
async fn jsm_list_pages_with_size_and_offset_and_streams_every_page() {
    let server = jsm_server().await;
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts")))
        .and(query_param("offset", "0"))
        .and(query_param("size", "2"))
        .and(query_param("query", "status:open"))
        .and(header("authorization", BASIC))
        .respond_with(jsm("jsm/alerts_page1.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts")))
        .and(query_param("offset", "2"))
        .and(query_param("size", "2"))
        .respond_with(jsm("jsm/alerts_page2.json"))
        .mount(&server)
        .await;
    let client = jsm_client(&server);
    let page = ok(client.alerts().list().query("status:open").limit(2).await);
    assert_eq!(page.alerts.len(), 2);
    assert_eq!(page.total, Some(3));
    assert_eq!(
        page.paging.and_then(|p| p.next).as_deref(),
        Some("/v1/alerts?offset=2&size=2&query=status%3Aopen")
    );
    let first = page.alerts.first().expect("first");
    assert_eq!(
        first.integration.as_ref().and_then(|i| i.name.as_deref()),
        Some("Default API")
    );
    let all: Vec<_> = ok(client
        .alerts()
        .list()
        .query("status:open")
        .limit(2)
        .stream()
        .try_collect()
        .await);
    let tiny: Vec<_> = all.iter().filter_map(|a| a.tiny_id.as_deref()).collect();
    assert_eq!(tiny, ["3", "2", "1"]);
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(
        requests
            .iter()
            .all(|r| !r.url.query().unwrap_or_default().contains("limit="))
    );
}

#[tokio::test]
async fn jsm_count_actions_and_unwrapped_outcomes() {
    let server = jsm_server().await;
    let id = "00000000-fake-4alr-8000-000000000003";
    // There is no count endpoint: a one-item list carries `count`.
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts")))
        .and(query_param("query", "status:open"))
        .and(query_param("size", "1"))
        .respond_with(jsm("jsm/alerts_page1.json"))
        .mount(&server)
        .await;
    // A tiny id is looked up first: JSM paths take ids only.
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts")))
        .and(query_param("query", "tinyId:3"))
        .respond_with(jsm("jsm/alerts_page1.json"))
        .mount(&server)
        .await;
    // Acknowledge takes no body.
    Mock::given(method("POST"))
        .and(path(format!("{PREFIX}/alerts/{id}/acknowledge")))
        .and(header("authorization", BASIC))
        .respond_with(jsm_status(202, "jsm/accepted.json"))
        .expect(1)
        .mount(&server)
        .await;
    // A note is written synchronously: 200 with the note.
    Mock::given(method("POST"))
        .and(path(format!("{PREFIX}/alerts/{id}/notes")))
        .and(body_json(serde_json::json!({"note": "looking"})))
        .respond_with(jsm("jsm/alert_note.json"))
        .expect(1)
        .mount(&server)
        .await;
    for (verb, what, body) in [
        ("POST", "tags", serde_json::json!({"tags": ["db"]})),
        (
            "POST",
            "assign",
            serde_json::json!({"accountId": "712020:fake-account"}),
        ),
        (
            "POST",
            "extra-properties",
            serde_json::json!({"extraProperties": {"host": "db1"}}),
        ),
        ("PATCH", "priority", serde_json::json!({"priority": "P1"})),
        ("DELETE", "tags", serde_json::json!({"tags": ["old"]})),
        (
            "DELETE",
            "extra-properties",
            serde_json::json!({"keys": ["host"]}),
        ),
        (
            "POST",
            "responders",
            serde_json::json!({"id": "00000000-fake-4tea-8000-000000000001", "type": "team"}),
        ),
        (
            "POST",
            "action",
            serde_json::json!({"actionName": "Restart"}),
        ),
    ] {
        Mock::given(method(verb))
            .and(path(format!("{PREFIX}/alerts/{id}/{what}")))
            .and(header("authorization", BASIC))
            .and(body_json(body))
            .respond_with(jsm_status(202, "jsm/accepted.json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!(
            "{PREFIX}/alerts/requests/00000000-fake-4req-8000-00000000j5m1"
        )))
        .respond_with(jsm("jsm/request_success.json"))
        .mount(&server)
        .await;
    let client = jsm_client(&server);
    assert_eq!(ok(client.alerts().count().query("status:open").await), 3);
    let tiny = AlertRef::tiny("3");
    let done = ok(ok(client.alerts().acknowledge(tiny.clone()).await)
        .wait()
        .await);
    assert_eq!(done.status, "Acknowledged alert");
    assert_eq!(done.alert_id().map(|a| a.to_string()).as_deref(), Some(id));
    ok(ok(client.alerts().add_note(tiny.clone(), "looking").await)
        .wait()
        .await);
    ok(ok(client.alerts().add_tags(tiny.clone(), ["db"]).await)
        .wait()
        .await);
    ok(ok(client.alerts().remove_tags(tiny.clone(), ["old"]).await)
        .wait()
        .await);
    ok(ok(client
        .alerts()
        // A username that is not an e-mail can only be an account id on JSM.
        .assign(tiny.clone(), UserRef::username("712020:fake-account"))
        .await)
    .wait()
    .await);
    ok(ok(client
        .alerts()
        .add_details(tiny.clone(), [("host", "db1")])
        .await)
    .wait()
    .await);
    ok(
        ok(client.alerts().remove_details(tiny.clone(), ["host"]).await)
            .wait()
            .await,
    );
    ok(ok(client
        .alerts()
        .update_priority(tiny.clone(), Priority::P1)
        .await)
    .wait()
    .await);
    ok(ok(client
        .alerts()
        .add_responder(
            tiny.clone(),
            Responder::with_id(ResponderType::Team, "00000000-fake-4tea-8000-000000000001"),
        )
        .await)
    .wait()
    .await);
    ok(
        ok(client.alerts().custom_action(tiny.clone(), "Restart").await)
            .wait()
            .await,
    );
}

#[tokio::test]
async fn jsm_failed_outcome_is_request_failed() {
    let server = jsm_server().await;
    Mock::given(method("POST"))
        .and(path(format!("{PREFIX}/alerts/gone/close")))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_raw(fixture("jsm/accepted.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "{PREFIX}/alerts/requests/00000000-fake-4req-8000-00000000j5m1"
        )))
        .respond_with(jsm("jsm/request_failure.json"))
        .mount(&server)
        .await;
    let client = jsm_client(&server);
    let handle = ok(client.alerts().close(AlertRef::id("gone")).await);
    match handle.wait().await {
        Err(Error::RequestFailed(f)) => assert_eq!(f.status, "Alert does not exist"),
        other => panic!("expected RequestFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn jsm_schedules_on_call_override_and_ping() {
    let server = jsm_server().await;
    let sid = "00000000-fake-4sch-8000-000000000001";
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/schedules")))
        .respond_with(jsm("jsm/schedules.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/schedules/{sid}/on-calls")))
        .and(query_param("flat", "true"))
        .respond_with(jsm("jsm/on_calls_flat.json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{PREFIX}/schedules/{sid}/overrides")))
        .and(header("authorization", BASIC))
        .respond_with(jsm_status(201, "jsm/override_created.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/teams/team-1/heartbeats/ping")))
        .and(query_param("name", "nightly backup"))
        .respond_with(jsm_status(202, "jsm/ping.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = jsm_client(&server);
    let on_call = ok(client
        .schedules()
        .on_calls(ScheduleRef::name("ops"))
        .flat(true)
        .await);
    assert_eq!(
        on_call.users(),
        ["712020:00000000-fake-4acc-8000-000000000001"]
    );
    assert_eq!(on_call.schedule_name(), Some("ops"));
    // Nested answers name users by account id only.
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/schedules/{sid}/on-calls")))
        .and(query_param("flat", "false"))
        .respond_with(jsm("jsm/on_calls_nested.json"))
        .mount(&server)
        .await;
    let nested = ok(client
        .schedules()
        .on_calls(ScheduleRef::id(sid))
        .flat(false)
        .await);
    assert_eq!(
        nested.users(),
        [
            "712020:00000000-fake-4acc-8000-000000000001",
            "712020:00000000-fake-4acc-8000-000000000002"
        ]
    );
    let all = ok(client.schedules().all_on_calls().flat(true).await);
    assert_eq!(all.len(), 1);
    assert_eq!(all.first().and_then(|o| o.schedule_name()), Some("ops"));
    let start = Utc::now();
    let alias = ok(client
        .schedules()
        .overrides(ScheduleRef::name("ops"))
        .create(
            UserRef::id("712020:fake-account"),
            start,
            start + chrono::Duration::hours(2),
        )
        .await);
    assert_eq!(alias, "00000000-fake-4ovr-8000-000000000001");
    let requests = server.received_requests().await.unwrap_or_default();
    // listSchedules pages with `offset`/`size` (max 50); the mock repeats its page and
    // names a next one whatever the offset, and the walk still ends.
    let lists: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == format!("{PREFIX}/schedules"))
        .collect();
    assert!(!lists.is_empty());
    for r in &lists {
        let q: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        assert!(q.contains(&("size".into(), "50".into())), "{q:?}");
        assert!(q.iter().all(|(k, _)| k != "limit"), "{q:?}");
    }
    let created = requests
        .iter()
        .find(|r| r.method.as_str() == "POST")
        .expect("override request");
    let body: serde_json::Value = serde_json::from_slice(&created.body).expect("json");
    assert_eq!(
        body.pointer("/responder"),
        Some(&serde_json::json!({"type": "user", "id": "712020:fake-account"}))
    );
    assert!(
        body.get("user").is_none() && body.get("rotations").is_none(),
        "{body}"
    );
    let pong = ok(client
        .heartbeats()
        .ping_in_team("team-1", "nightly backup")
        .await);
    assert_eq!(pong.result, "PONG - Heartbeat received");
    let unknown = client
        .schedules()
        .on_calls(ScheduleRef::name("nope"))
        .await
        .expect_err("unknown schedule");
    assert!(unknown.is_not_found(), "{unknown}");
}

#[tokio::test]
async fn what_jsm_lacks_is_a_typed_error_and_nothing_is_sent() {
    let server = jsm_server().await;
    let client = jsm_client(&server);
    let unsupported = |e: Error| match e {
        Error::Unsupported { backend, operation } => {
            assert_eq!(backend, "jsm");
            operation
        }
        other => panic!("expected Unsupported, got {other:?}"),
    };
    let r = AlertRef::id("a1");
    let op = unsupported(
        client
            .alerts()
            .assign(r.clone(), UserRef::username("ann@example.com"))
            .await
            .expect_err("assign by username"),
    );
    assert!(op.contains("account id"), "{op}");
    unsupported(client.incidents().list().await.expect_err("incidents"));
    unsupported(
        client
            .heartbeats()
            .ping("nightly")
            .await
            .expect_err("ping without team"),
    );
    let start = Utc::now();
    unsupported(
        client
            .schedules()
            .overrides(ScheduleRef::id("s1"))
            .create(
                UserRef::username("ann@example.com"),
                start,
                start + chrono::Duration::hours(1),
            )
            .await
            .expect_err("override by username"),
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing is sent for what JSM lacks"
    );
}

#[tokio::test]
async fn cloud_id_helper_reads_tenant_info() {
    let server = jsm_server().await;
    Mock::given(method("GET"))
        .and(path("/_edge/tenant_info"))
        .respond_with(jsm("jsm/tenant_info.json"))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(ok(Client::jsm_cloud_id(&server.uri()).await), CLOUD);
    let fake = ok(FakeOpsgenie::builder().without_demo_data().start().await);
    assert_eq!(
        ok(Client::jsm_cloud_id(fake.base_url().as_str()).await),
        JSM_CLOUD_ID
    );

    let missing = jsm_server().await;
    Mock::given(method("GET"))
        .and(path("/_edge/tenant_info"))
        .respond_with(ResponseTemplate::new(404).set_body_string("<html>no site</html>"))
        .mount(&missing)
        .await;
    let e = Client::jsm_cloud_id(&missing.uri()).await.expect_err("404");
    assert!(e.is_not_found(), "{e}");
    let garbage = jsm_server().await;
    Mock::given(method("GET"))
        .and(path("/_edge/tenant_info"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"other\":1}"))
        .mount(&garbage)
        .await;
    assert!(matches!(
        Client::jsm_cloud_id(&garbage.uri()).await,
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        Client::jsm_cloud_id("  ").await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn email_and_token_never_appear_in_debug_errors_or_urls() {
    let server = jsm_server().await;
    // A server that echoes the credentials back in an error. JSM has no `/alerts/count`: a
    // count is the `count` of a one-item list.
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts")))
        .and(query_param("size", "1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "message": format!("{EMAIL} with {TOKEN} ({}) is not allowed", BASIC.trim_start_matches("Basic ")),
            "errors": {"auth": format!("{EMAIL}:{TOKEN}")},
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts/x")))
        .respond_with(jsm_status(401, "jsm/error_401.json"))
        .mount(&server)
        .await;
    let client = jsm_client(&server);
    let e1 = client.alerts().count().await.expect_err("401");
    let e2 = client
        .alerts()
        .get(AlertRef::id("x"))
        .await
        .expect_err("401");
    assert!(e1.is_unauthorized(), "{e1:?}");
    assert!(e2.is_unauthorized());
    assert_eq!(
        e2.as_api().map(|a| a.message.as_str()),
        Some("Unauthorized; scope does not match")
    );
    let bad = Client::builder_jsm(CLOUD, EMAIL, format!("{TOKEN}\n"))
        .build()
        .expect_err("control character");
    let mut texts = vec![
        format!("{client:?}"),
        format!("{:?}", jsm_builder(&server)),
        bad.to_string(),
    ];
    for e in [&e1, &e2] {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
    }
    let secrets = [EMAIL, TOKEN, BASIC.trim_start_matches("Basic ")];
    for text in &texts {
        for secret in secrets {
            assert!(!text.contains(secret), "secret leaked: {text}");
        }
    }
    assert!(
        e1.as_api()
            .is_some_and(|a| a.message.contains("<redacted>") && a.body.contains("<redacted>"))
    );
    for r in server.received_requests().await.unwrap_or_default() {
        for secret in secrets {
            assert!(!r.url.as_str().contains(secret), "secret in a URL");
        }
        assert_eq!(
            r.headers.get("authorization").and_then(|v| v.to_str().ok()),
            Some(BASIC)
        );
    }
}

/// Runs the same calls against the fake's Opsgenie and JSM faces; both must behave alike.
async fn shared_calls(fake: &FakeOpsgenie, client: &Client) {
    let label = client.backend().name();
    let before = fake.alerts().len();
    for i in 0..5 {
        fake.add_alert(SeedAlert::new(format!("{label} page alert {i}")).tags(&[label]));
    }
    // Create with details; read it back by tiny id.
    let created = ok(ok(client
        .alerts()
        .create(format!("{label} created"))
        .alias(format!("{label}-alias / with space"))
        .priority(Priority::P2)
        .detail("host", "db1")
        .await)
    .wait()
    .await);
    let id = created.alert_id().expect("alert id");
    let by_id = ok(client.alerts().get(&id).await);
    let tiny = by_id.tiny_id.clone().expect("tiny id");
    let alert = ok(client.alerts().get(AlertRef::tiny(tiny.clone())).await);
    assert_eq!(alert.id, id, "{label}");
    assert_eq!(alert.details.get("host").map(String::as_str), Some("db1"));
    assert_eq!(alert.is_seen, Some(false), "{label}");
    assert!(alert.last_occurred_at.is_some(), "{label}");
    assert_eq!(
        alert.integration.as_ref().and_then(|i| i.kind.as_deref()),
        Some("API"),
        "{label}"
    );
    let by_alias = ok(client
        .alerts()
        .get(AlertRef::alias(format!("{label}-alias / with space")))
        .await);
    assert_eq!(by_alias.id, id, "{label}");
    // List across pages.
    let streamed: Vec<_> = ok(client
        .alerts()
        .list()
        .query(format!("tag:{label}"))
        .limit(2)
        .stream()
        .try_collect()
        .await);
    assert_eq!(streamed.len(), 5, "{label}");
    let page = ok(client.alerts().list().query("status:open").limit(2).await);
    assert_eq!(page.alerts.len(), 2, "{label}");
    let open = ok(client.alerts().count().query("status:open").await);
    assert_eq!(open as usize, before + 6, "{label}");
    // Actions by tiny id, outcomes awaited.
    let r = AlertRef::tiny(tiny.clone());
    ok(ok(client.alerts().acknowledge(r.clone()).user("ann").await)
        .wait()
        .await);
    assert!(fake.alert_by_tiny(&tiny).is_some_and(|a| a.acknowledged));
    ok(ok(client.alerts().unacknowledge(r.clone()).await)
        .wait()
        .await);
    assert!(fake.alert_by_tiny(&tiny).is_some_and(|a| !a.acknowledged));
    ok(ok(client.alerts().add_note(r.clone(), "looking").await)
        .wait()
        .await);
    assert!(fake.notes(id.as_ref()).iter().any(|n| n.note == "looking"));
    let notes: Vec<_> = ok(client
        .alerts()
        .notes(r.clone())
        .limit(1)
        .stream()
        .try_collect()
        .await);
    assert!(
        notes.iter().any(|n| n.note == "looking"),
        "{label}: {notes:?}"
    );
    let logs = ok(client.alerts().logs(r.clone()).await);
    assert!(!logs.items.is_empty(), "{label}");
    ok(ok(client.alerts().add_tags(r.clone(), ["extra"]).await)
        .wait()
        .await);
    ok(ok(client.alerts().remove_tags(r.clone(), [label]).await)
        .wait()
        .await);
    ok(ok(client
        .alerts()
        .update_priority(r.clone(), Priority::P1)
        .await)
    .wait()
    .await);
    ok(ok(client
        .alerts()
        .assign(r.clone(), UserRef::id("ann@example.com"))
        .await)
    .wait()
    .await);
    let after = fake.alert_by_tiny(&tiny).expect("alert");
    assert!(after.tags.contains(&"extra".to_owned()), "{label}");
    assert_eq!(after.priority, Some(Priority::P1), "{label}");
    ok(ok(client.alerts().close(r.clone()).await).wait().await);
    assert!(fake.alert_by_tiny(&tiny).is_some_and(|a| !a.is_open()));
    // Bulk by tiny id.
    let tinies: Vec<AlertRef> = streamed
        .iter()
        .filter_map(|a| a.tiny_id.clone())
        .map(AlertRef::tiny)
        .collect();
    let outcomes = client.alerts().bulk(tinies, AlertAction::Close).await;
    assert!(
        outcomes.iter().all(|o| o.succeeded()),
        "{label}: {outcomes:?}"
    );
    // An unknown tiny id is a 404 on both.
    let missing = client
        .alerts()
        .get(AlertRef::tiny("999999"))
        .await
        .expect_err("missing");
    assert!(missing.is_not_found(), "{label}: {missing}");
    // Schedules, who is on call, taking on-call.
    let schedules = ok(client.schedules().list().await);
    assert!(schedules.iter().any(|s| s.name == "ops"), "{label}");
    let on_call = ok(client
        .schedules()
        .on_calls(ScheduleRef::name("ops"))
        .flat(true)
        .await);
    assert_eq!(on_call.users().len(), 1, "{label}");
    let all = ok(client.schedules().all_on_calls().flat(true).await);
    assert!(
        all.iter().any(|o| o.schedule_name() == Some("ops")),
        "{label}"
    );
    let start = Utc::now();
    ok(client
        .schedules()
        .overrides(ScheduleRef::name("ops"))
        .create(
            UserRef::id("dan@example.com"),
            start - chrono::Duration::minutes(1),
            start + chrono::Duration::hours(1),
        )
        .await);
    let now_on_call = ok(client
        .schedules()
        .on_calls(ScheduleRef::name("ops"))
        .flat(true)
        .await);
    assert_eq!(now_on_call.users(), ["dan@example.com"], "{label}");
    // Heartbeat ping.
    let pong = ok(client
        .heartbeats()
        .ping_in_team(JSM_TEAM_ID, "nightly-backup")
        .await);
    assert!(pong.result.contains("PONG"), "{label}");
}

async fn shared_calls_on(jsm_mode: bool) {
    let fake = ok(FakeOpsgenie::builder()
        .processing_delay(Duration::from_millis(5))
        .start()
        .await);
    let client = if jsm_mode {
        ok(fake.jsm_client())
    } else {
        ok(fake.client())
    };
    assert_eq!(client.backend().is_jsm(), jsm_mode);
    shared_calls(&fake, &client).await;
}

#[tokio::test]
async fn shared_calls_on_opsgenie() {
    shared_calls_on(false).await;
}

#[tokio::test]
async fn shared_calls_on_jsm_behave_as_on_opsgenie() {
    shared_calls_on(true).await;
}

#[tokio::test]
async fn fake_jsm_mode_is_strict_about_auth_and_cloud_id() {
    let fake = ok(FakeOpsgenie::builder().without_demo_data().start().await);
    let wrong_token = ok(Client::builder_jsm(JSM_CLOUD_ID, JSM_EMAIL, "wrong-token")
        .base_url(fake.base_url().as_str())
        .retry_policy(opsgenie_client::RetryPolicy::none())
        .build());
    let e = wrong_token.alerts().list().await.expect_err("401");
    assert!(e.is_unauthorized(), "{e}");
    // The GenieKey does not open the JSM paths, and Basic does not open the Opsgenie ones.
    let genie_on_jsm = ok(
        Client::builder_jsm(JSM_CLOUD_ID, "other@example.com", fake.key())
            .base_url(fake.base_url().as_str())
            .retry_policy(opsgenie_client::RetryPolicy::none())
            .build(),
    );
    assert!(genie_on_jsm.alerts().list().await.is_err());
    let other_site = ok(Client::builder_jsm("another-cloud", JSM_EMAIL, fake.key())
        .base_url(fake.base_url().as_str())
        .retry_policy(opsgenie_client::RetryPolicy::none())
        .build());
    let e = other_site.alerts().list().await.expect_err("404");
    assert!(e.is_not_found(), "{e}");
    // A raw JSM list answer has JSM's shape.
    let raw: serde_json::Value = reqwest::Client::new()
        .get(
            fake.base_url()
                .join(&format!("jsm/ops/api/{JSM_CLOUD_ID}/v1/alerts?size=1"))
                .expect("url"),
        )
        .basic_auth(JSM_EMAIL, Some(fake.key()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(
        raw.get("values").is_some() && raw.get("count").is_some() && raw.get("data").is_none(),
        "{raw}"
    );
}

#[tokio::test]
async fn jsm_outcomes_wait_while_not_processed_and_bulk_reports_each() {
    let fake = ok(FakeOpsgenie::builder()
        .processing_delay(Duration::from_millis(150))
        .start()
        .await);
    let c = ok(fake.jsm_client());
    let handle = ok(c.alerts().acknowledge(AlertRef::tiny("2")).await);
    assert_eq!(ok(handle.status().await), None, "not processed at first");
    assert!(!fake.alert_by_tiny("2").expect("alert").acknowledged);
    let done = ok(handle.wait().await);
    assert_eq!(done.status, "Acknowledged alert");
    assert!(fake.alert_by_tiny("2").expect("alert").acknowledged);
    // An unknown id is the server's outcome; an unknown tiny id is a 404 already at the lookup.
    let outcomes = c
        .alerts()
        .bulk(
            [
                AlertRef::tiny("1"),
                AlertRef::id("no-such-alert"),
                AlertRef::tiny("404"),
            ],
            AlertAction::Close,
        )
        .user("opsbot")
        .await;
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes.first().is_some_and(|o| o.succeeded()));
    assert!(matches!(
        outcomes.get(1).map(|o| &o.result),
        Some(BulkResult::Gone { cause: GoneCause::Deleted, reason: Some(r) }) if r == "Alert does not exist"
    ));
    assert!(matches!(
        outcomes.get(2).map(|o| &o.result),
        Some(BulkResult::Gone {
            cause: GoneCause::ClosedOrDeleted,
            ..
        })
    ));
    assert!(fake.alert_by_tiny("1").is_some_and(|a| !a.is_open()));
}

#[tokio::test]
async fn jsm_rides_out_faults_and_rate_limits() {
    let fake = ok(FakeOpsgenie::builder()
        .faults(
            opsgenie_client::fake::Faults::seeded(1)
                .error_503(0.3)
                .drop_connection(0.2),
        )
        .start()
        .await);
    let patient = opsgenie_client::RetryPolicy::default()
        .with_max_attempts(12)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5));
    let c = ok(fake.jsm_client_builder().retry_policy(patient).build());
    for _ in 0..10 {
        assert_eq!(ok(c.alerts().count().query("status:open").await), 5);
    }
    let limited = ok(FakeOpsgenie::builder().rate_limit(20).start().await);
    let c = ok(limited.jsm_client());
    let counts = futures_util::future::join_all(
        (0..40).map(|_| c.alerts().count().query("status:open").into_future()),
    )
    .await;
    assert!(counts.iter().all(|r| matches!(r, Ok(5))), "{counts:?}");
    assert!(limited.requests_throttled() > 0, "the limit was hit");
}

#[tokio::test]
async fn hostile_jsm_answers_are_errors_or_empty_never_panics() {
    let server = jsm_server().await;
    let list = format!("{PREFIX}/alerts");
    for (query, body) in [
        (
            "null-values",
            r#"{"values": null, "links": null, "count": null}"#,
        ),
        ("no-values", r#"{"count": 0}"#),
        (
            "bad-link",
            r#"{"values": [], "links": {"next": "::not a url::"}, "count": 0}"#,
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(list.clone()))
            .and(query_param("query", query))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
    }
    for (query, body) in [
        ("html", "<html><body>Atlassian is down</body></html>"),
        ("count-text", r#"{"values": [], "count": "many"}"#),
        ("alert-number", r#"{"values": [{"id": 7}]}"#),
        (
            "extra-list",
            r#"{"values": [{"id": "a", "extraProperties": [1, 2]}]}"#,
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(list.clone()))
            .and(query_param("query", query))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param("query", "too-big"))
        .respond_with(jsm_status(422, "jsm/error_422.json"))
        .mount(&server)
        .await;
    let c = jsm_client(&server);
    for query in ["null-values", "no-values", "bad-link"] {
        let page = ok(c.alerts().list().query(query).await);
        assert!(page.alerts.is_empty(), "{query}");
        let all: Vec<_> = ok(c.alerts().list().query(query).stream().try_collect().await);
        assert!(all.is_empty(), "{query}");
    }
    for query in ["html", "count-text", "alert-number", "extra-list"] {
        let e = c
            .alerts()
            .list()
            .query(query)
            .await
            .expect_err("not the expected JSON");
        assert!(
            matches!(e, Error::Decode { status: 200, .. }),
            "{query}: {e:?}"
        );
    }
    let e = c.alerts().list().query("too-big").await.expect_err("422");
    let api = e.as_api().expect("api error");
    assert_eq!(api.status, 422);
    // `{errors: [{title, code}]}`: the title is the message users see.
    assert_eq!(api.message, "size must be between 1 and 100");
}
