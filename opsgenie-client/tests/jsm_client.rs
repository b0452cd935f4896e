//! The JSM backend call by call, against the published description (Atlassian's JSM
//! Operations OpenAPI, `../shared/reference/jsm.md`): request construction (method, path,
//! query, body) and decoding of answers shaped like the published examples
//! (`fixtures/opsgenie/jsm/client/`).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use opsgenie_client::alerts::AlertSort;
use opsgenie_client::heartbeats::IntervalUnit;
use opsgenie_client::schedules::ScheduleRef;
use opsgenie_client::{
    AlertAction, AlertId, AlertRef, AlertStatus, Backend, Client, Error, NamedRef, OnCallPerson,
    Priority, Responder, ResponderType, UserRef,
};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{fast_retries, fixture};

const CLOUD: &str = "cloud-1";
const EMAIL: &str = "ann@example.com";
const TOKEN: &str = "fake-atlassian-token-0000";
const PREFIX: &str = "/jsm/ops/api/cloud-1/v1";

/// A server whose unmatched requests answer 599, and 598 to a request without JSM's Basic
/// credential or the JSON headers.
async fn server() -> MockServer {
    struct WrongHeaders;
    impl wiremock::Match for WrongHeaders {
        fn matches(&self, request: &Request) -> bool {
            let get = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
            // base64("ann@example.com:fake-atlassian-token-0000")
            let basic = "Basic YW5uQGV4YW1wbGUuY29tOmZha2UtYXRsYXNzaWFuLXRva2VuLTAwMDA=";
            let body_ok =
                request.body.is_empty() || get("content-type") == Some("application/json");
            !(get("authorization") == Some(basic)
                && get("accept") == Some("application/json")
                && body_ok)
        }
    }
    let server = MockServer::start().await;
    Mock::given(WrongHeaders)
        .respond_with(ResponseTemplate::new(598).set_body_string("missing headers"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("no mock matched (catch-all)"))
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder_jsm(CLOUD, EMAIL, TOKEN)
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .outcome_poll_interval(Duration::from_millis(5), Duration::from_millis(20))
        .outcome_timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn ok<T>(r: opsgenie_client::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn answer(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// A GET of `route` with the query parameter `(name, value)`, preferred over a plain [`mount`].
async fn mount_when(
    server: &MockServer,
    route: &str,
    (name, value): (&str, &str),
    response: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}{route}")))
        .and(wiremock::matchers::query_param(name, value))
        .respond_with(response)
        .with_priority(2)
        .mount(server)
        .await;
}

async fn mount(server: &MockServer, verb: &str, route: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(format!("{PREFIX}{route}")))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Query pairs in order.
type Query = Vec<(String, String)>;

/// The requests the server received, as (method, path, query pairs, JSON body or Null).
async fn received(server: &MockServer) -> Vec<(String, String, Query, Value)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let query = r
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let body = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            (r.method.to_string(), r.url.path().to_owned(), query, body)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Query {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn every_alert_action_is_sent_as_published() {
    let until = Utc
        .with_ymd_and_hms(2026, 11, 3, 0, 0, 0)
        .single()
        .expect("date");
    let details: BTreeMap<String, String> = [("host".to_owned(), "db1".to_owned())].into();
    // (action, method, path after /alerts/a1, body): the published request of each.
    let table: Vec<(AlertAction, &str, &str, Value)> = vec![
        (
            AlertAction::Acknowledge,
            "POST",
            "/acknowledge",
            Value::Null,
        ),
        (
            AlertAction::Unacknowledge,
            "POST",
            "/unacknowledge",
            Value::Null,
        ),
        (AlertAction::Close, "POST", "/close", Value::Null),
        (
            AlertAction::Snooze(until),
            "POST",
            "/snooze",
            json!({"endTime": "2026-11-03T00:00:00Z"}),
        ),
        (
            AlertAction::Escalate(NamedRef::id("esc-1")),
            "POST",
            "/escalate",
            json!({"escalationId": "esc-1"}),
        ),
        (
            AlertAction::Assign(UserRef::id("712020:acc")),
            "POST",
            "/assign",
            json!({"accountId": "712020:acc"}),
        ),
        (
            AlertAction::AddResponder(Responder::with_id(ResponderType::Team, "team-ops")),
            "POST",
            "/responders",
            json!({"id": "team-ops", "type": "team"}),
        ),
        (
            AlertAction::Custom("RestartServer".into()),
            "POST",
            "/action",
            json!({"actionName": "RestartServer"}),
        ),
        (
            AlertAction::AddTags(vec!["db".into()]),
            "POST",
            "/tags",
            json!({"tags": ["db"]}),
        ),
        (
            AlertAction::RemoveTags(vec!["db".into(), "prod".into()]),
            "DELETE",
            "/tags",
            json!({"tags": ["db", "prod"]}),
        ),
        (
            AlertAction::AddDetails(details),
            "POST",
            "/extra-properties",
            json!({"extraProperties": {"host": "db1"}}),
        ),
        (
            AlertAction::RemoveDetails(vec!["host".into()]),
            "DELETE",
            "/extra-properties",
            json!({"keys": ["host"]}),
        ),
        (
            AlertAction::UpdatePriority(Priority::P1),
            "PATCH",
            "/priority",
            json!({"priority": "P1"}),
        ),
        (
            AlertAction::UpdateMessage("DB down".into()),
            "PATCH",
            "/message",
            json!({"message": "DB down"}),
        ),
        (
            AlertAction::UpdateDescription("details".into()),
            "PATCH",
            "/description",
            json!({"description": "details"}),
        ),
        (AlertAction::Delete, "DELETE", "", Value::Null),
    ];
    for (action, verb, tail, body) in table {
        let server = server().await;
        mount(
            &server,
            verb,
            &format!("/alerts/a1{tail}"),
            answer(202, "jsm/client/success.json"),
        )
        .await;
        let client = client(&server);
        let handle = ok(client
            .alerts()
            .run(AlertRef::id("a1"), action.clone())
            .user("ann")
            .source("opsbot")
            .await);
        assert_eq!(
            handle.request_id().as_str(),
            "f7c93c92-1b0b-4a7b-9b34-4ed1b1f2a9c1",
            "{action:?}"
        );
        assert!(!handle.is_complete(), "{action:?} is processed later");
        let sent = received(&server).await;
        let [(m, p, q, b)] = sent.as_slice() else {
            panic!("{action:?}: one request expected, got {sent:?}")
        };
        assert_eq!(m, verb, "{action:?}");
        assert_eq!(p, &format!("{PREFIX}/alerts/a1{tail}"), "{action:?}");
        assert!(q.is_empty(), "{action:?}: no query, got {q:?}");
        assert_eq!(b, &body, "{action:?}: JSM takes no user/source");
        // The table says the same.
        let route = action
            .route(client.backend())
            .unwrap_or_else(|| panic!("{action:?} has a JSM route"));
        assert_eq!(route.method.as_str(), verb);
        assert_eq!(
            route.template.trim_end_matches('/'),
            format!("/v1/alerts/{{id}}{tail}")
        );
        assert!(route.accepted);
    }
}

#[tokio::test]
async fn adding_a_note_answers_the_note_at_once() {
    let server = server().await;
    mount(
        &server,
        "POST",
        "/alerts/a1/notes",
        answer(200, "jsm/client/note.json"),
    )
    .await;
    let client = client(&server);
    let handle = ok(client
        .alerts()
        .add_note(AlertRef::id("a1"), "looking into it")
        .user("ann")
        .await);
    assert!(handle.is_complete());
    assert_eq!(handle.request_id().as_str(), "");
    let note = handle.note().expect("the note answered");
    assert_eq!(note.note, "looking into it");
    assert_eq!(note.owner.as_deref(), Some("Ann Example"));
    let done = ok(handle.wait().await);
    assert!(done.succeeded());
    assert_eq!(
        done.alert_id().map(AlertId::into_inner).as_deref(),
        Some("a1")
    );
    let sent = received(&server).await;
    assert_eq!(sent.len(), 1, "nothing polled: {sent:?}");
    assert_eq!(
        sent.first().map(|s| &s.3),
        Some(&json!({"note": "looking into it"}))
    );
    let route = AlertAction::AddNote("x".into())
        .route(client.backend())
        .expect("route");
    assert!(!route.accepted, "JSM answers 200 with the note");
    assert!(
        AlertAction::AddNote("x".into())
            .route(&Backend::Opsgenie)
            .is_some_and(|r| r.accepted)
    );
}

#[tokio::test]
async fn a_note_given_with_an_action_is_added_as_a_note() {
    let server = server().await;
    mount(
        &server,
        "POST",
        "/alerts/a1/close",
        answer(202, "jsm/client/success.json"),
    )
    .await;
    mount(
        &server,
        "POST",
        "/alerts/a1/notes",
        answer(200, "jsm/client/note.json"),
    )
    .await;
    let client = client(&server);
    let handle = ok(client
        .alerts()
        .close(AlertRef::id("a1"))
        .note("fixed")
        .await);
    assert!(!handle.is_complete(), "the close is processed later");
    let sent = received(&server).await;
    let what: Vec<(&str, &str, &Value)> = sent
        .iter()
        .map(|(m, p, _, b)| (m.as_str(), p.as_str(), b))
        .collect();
    let close_path = format!("{PREFIX}/alerts/a1/close");
    let notes_path = format!("{PREFIX}/alerts/a1/notes");
    assert_eq!(
        what,
        vec![
            ("POST", close_path.as_str(), &Value::Null),
            ("POST", notes_path.as_str(), &json!({"note": "fixed"})),
        ]
    );
}

#[tokio::test]
async fn create_sends_extra_properties_and_waits_for_the_request_status() {
    let server = server().await;
    mount(
        &server,
        "POST",
        "/alerts",
        answer(200, "jsm/client/success.json"),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "{PREFIX}/alerts/requests/f7c93c92-1b0b-4a7b-9b34-4ed1b1f2a9c1"
        )))
        .respond_with(answer(404, "jsm/client/error_404.json"))
        .up_to_n_times(2)
        .with_priority(2)
        .mount(&server)
        .await;
    mount(
        &server,
        "GET",
        "/alerts/requests/f7c93c92-1b0b-4a7b-9b34-4ed1b1f2a9c1",
        answer(200, "jsm/client/request_status.json"),
    )
    .await;
    let client = client(&server);
    let handle = ok(client
        .alerts()
        .create("CPU high")
        .alias("cpu")
        .detail("host", "db1")
        .user("ann")
        .priority(Priority::P2)
        .await);
    // Two 404s while pending, then the outcome.
    let done = ok(handle.wait().await);
    assert!(done.succeeded());
    assert_eq!(done.status, "Alert acknowledged");
    assert_eq!(
        done.alert_id().map(AlertId::into_inner).as_deref(),
        Some("4513b7ea-3b91-438f-b7e4-e3e54af9147c")
    );
    let sent = received(&server).await;
    let body = &sent.first().expect("create").3;
    assert_eq!(
        body,
        &json!({"message": "CPU high", "alias": "cpu", "priority": "P2",
                "extraProperties": {"host": "db1"}})
    );
    assert_eq!(sent.len(), 4, "create and three polls: {sent:?}");
}

#[tokio::test]
async fn get_by_id_alias_and_tiny_id_and_the_alert_model() {
    let server = server().await;
    mount(
        &server,
        "GET",
        "/alerts/4513b7ea-3b91-438f-b7e4-e3e54af9147c",
        answer(200, "jsm/client/alert.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/alerts/alias",
        answer(200, "jsm/client/alert.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/alerts",
        answer(200, "jsm/client/alert_list.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/alerts/a-acked",
        answer(200, "jsm/client/alert.json"),
    )
    .await;
    let client = client(&server);
    let alert = ok(client
        .alerts()
        .get(AlertRef::id("4513b7ea-3b91-438f-b7e4-e3e54af9147c"))
        .await);
    assert_eq!(alert.status, Some(AlertStatus::Acked));
    assert!(alert.is_open(), "acknowledged is still open");
    assert!(alert.is_acknowledged());
    assert_eq!(alert.is_seen, Some(true));
    assert_eq!(
        alert.details.get("environment").map(String::as_str),
        Some("production")
    );
    assert!(alert.last_occurred_at.is_some());
    assert_eq!(
        alert.integration.as_ref().and_then(|i| i.name.as_deref()),
        Some("Default API")
    );
    assert_eq!(alert.responders.len(), 4);
    ok(client
        .alerts()
        .get(AlertRef::alias("DatabaseConnectionFailure_DatabaseServer1"))
        .await);
    ok(client.alerts().get(AlertRef::tiny("2")).await);
    let sent = received(&server).await;
    let paths: Vec<(&str, &Query)> = sent.iter().map(|(_, p, q, _)| (p.as_str(), q)).collect();
    assert_eq!(
        paths.get(1),
        Some(&(
            format!("{PREFIX}/alerts/alias").as_str(),
            &pairs(&[("alias", "DatabaseConnectionFailure_DatabaseServer1")])
        ))
    );
    assert_eq!(
        paths
            .get(2)
            .map(|(p, q)| (*p, q.iter().any(|(k, v)| k == "query" && v == "tinyId:2"))),
        Some((format!("{PREFIX}/alerts").as_str(), true))
    );
    assert_eq!(
        paths.get(3).map(|(p, _)| *p),
        Some(format!("{PREFIX}/alerts/a-acked").as_str())
    );
}

#[tokio::test]
async fn list_count_sorting_and_saved_searches() {
    let server = server().await;
    mount(
        &server,
        "GET",
        "/alerts",
        answer(200, "jsm/client/alert_list.json"),
    )
    .await;
    let client = client(&server);
    let page = ok(client
        .alerts()
        .list()
        .query("priority:P1")
        .offset(10)
        .limit(5)
        .sort(AlertSort::LastOccurredAt)
        .order(opsgenie_client::Order::Asc)
        .await);
    assert_eq!(page.total, Some(42));
    let open: Vec<bool> = page.alerts.iter().map(|a| a.is_open()).collect();
    assert_eq!(
        open,
        [true, true, true, true, false],
        "only closed is not open"
    );
    let statuses: Vec<Option<AlertStatus>> = page.alerts.iter().map(|a| a.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            Some(AlertStatus::Open),
            Some(AlertStatus::Acked),
            Some(AlertStatus::Snoozed),
            Some(AlertStatus::Resolved),
            Some(AlertStatus::Closed)
        ]
    );
    assert_eq!(ok(client.alerts().count().query("status:open").await), 42);
    let sent = received(&server).await;
    assert_eq!(
        sent.first().map(|s| &s.2),
        Some(&pairs(&[
            ("query", "priority:P1"),
            ("offset", "10"),
            ("size", "5"),
            ("sort", "lastOccurredAt"),
            ("order", "asc")
        ]))
    );
    assert_eq!(
        sent.get(1).map(|s| (s.1.as_str(), &s.2)),
        Some((
            format!("{PREFIX}/alerts").as_str(),
            &pairs(&[("query", "status:open"), ("size", "1")])
        )),
        "count is a one-alert list"
    );
    // What JSM does not take is refused before sending.
    for sort in [AlertSort::TinyId, AlertSort::UpdatedAt, AlertSort::Status] {
        let e = client
            .alerts()
            .list()
            .sort(sort)
            .await
            .expect_err("unsupported sort");
        assert!(
            matches!(e, Error::Unsupported { backend: "jsm", .. }),
            "{e}"
        );
    }
    let e = client
        .alerts()
        .list()
        .saved_search_id("s1")
        .await
        .expect_err("saved search");
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    let e = client
        .alerts()
        .count()
        .saved_search_name("mine")
        .await
        .expect_err("saved search");
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    assert_eq!(received(&server).await.len(), 2, "nothing more was sent");
    assert!(AlertSort::Priority.supported_on(client.backend()));
    assert!(!AlertSort::Priority.supported_on(&Backend::Opsgenie));
}

#[tokio::test]
async fn notes_and_logs_page_with_after() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{PREFIX}/alerts/a1/notes")))
        .and(wiremock::matchers::query_param("after", "1492000072838"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"values": [], "links": {}})))
        .with_priority(2)
        .mount(&server)
        .await;
    mount(
        &server,
        "GET",
        "/alerts/a1/notes",
        answer(200, "jsm/client/notes_page.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/alerts/a1/logs",
        answer(200, "jsm/client/logs_page.json"),
    )
    .await;
    let client = client(&server);
    let page = ok(client.alerts().notes(AlertRef::id("a1")).limit(5).await);
    assert_eq!(page.next_offset.as_deref(), Some("1492000072838"));
    assert_eq!(
        page.items.first().map(|n| n.note.as_str()),
        Some("looking into it")
    );
    let all: Vec<_> = futures_util::TryStreamExt::try_collect::<Vec<_>>(
        client.alerts().notes(AlertRef::id("a1")).stream(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 1);
    let logs = ok(client.alerts().logs(AlertRef::id("a1")).await);
    let entry = logs.items.first().expect("log entry");
    assert_eq!(entry.kind.as_deref(), Some("system"));
    assert!(entry.created_at.is_some(), "logTime");
    assert_eq!(
        logs.next_offset.as_deref(),
        Some("1492000072838_1492000072838234593")
    );
    let sent = received(&server).await;
    assert_eq!(sent.first().map(|s| &s.2), Some(&pairs(&[("size", "5")])));
    assert_eq!(
        sent.get(2).map(|s| &s.2),
        Some(&pairs(&[("after", "1492000072838")])),
        "the stream's second page"
    );
    let e = client
        .alerts()
        .notes(AlertRef::id("a1"))
        .backwards()
        .await
        .expect_err("no direction on JSM");
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
}

#[tokio::test]
async fn schedules_page_filter_by_name_and_name_their_team() {
    let server = server().await;
    mount_when(
        &server,
        "/schedules",
        ("offset", "1"),
        answer(200, "jsm/client/schedules_page2.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/schedules",
        answer(200, "jsm/client/schedules_page1.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/schedules/sch-ops",
        answer(200, "jsm/client/schedules_page1.json"),
    )
    .await;
    let client = client(&server);
    let all = ok(client.schedules().list().await);
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ops", "db"]);
    assert_eq!(
        all.first()
            .and_then(|s| s.owner_team.as_ref())
            .and_then(|t| t.id.as_deref()),
        Some("team-ops")
    );
    let sent = received(&server).await;
    assert_eq!(
        sent.iter().map(|s| s.2.clone()).collect::<Vec<_>>(),
        vec![
            pairs(&[("offset", "0"), ("size", "50")]),
            pairs(&[("offset", "1"), ("size", "50")])
        ]
    );
    let named = ok(client.schedules().list().query("ops").await);
    assert_eq!(named.len(), 2, "the server filters; both pages read");
    let sent = received(&server).await;
    assert_eq!(
        sent.get(2).map(|s| &s.2),
        Some(&pairs(&[("query", "ops"), ("offset", "0"), ("size", "50")]))
    );
}

#[tokio::test]
async fn on_call_answers_users_and_participants_by_account_id() {
    let server = server().await;
    mount_when(
        &server,
        "/schedules/sch-ops/on-calls",
        ("flat", "true"),
        answer(200, "jsm/client/on_calls_flat.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/schedules/sch-ops/on-calls",
        answer(200, "jsm/client/on_calls_nested.json"),
    )
    .await;
    mount_when(
        &server,
        "/schedules/sch-ops/next-on-calls",
        ("flat", "true"),
        answer(200, "jsm/client/next_on_calls_flat.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/schedules/sch-ops/next-on-calls",
        answer(200, "jsm/client/next_on_calls_nested.json"),
    )
    .await;
    let client = client(&server);
    let flat = ok(client
        .schedules()
        .on_calls(ScheduleRef::id("sch-ops"))
        .flat(true)
        .await);
    assert_eq!(
        flat.users(),
        [
            "5b2b0e011b3a756623f4e25e",
            "712020:00000000-fake-4acc-8000-000000000002"
        ],
        "onCallUsers are read"
    );
    assert_eq!(
        flat.people().first().map(ToString::to_string).as_deref(),
        Some("account id 5b2b0e011b3a756623f4e25e")
    );
    let nested = ok(client
        .schedules()
        .on_calls(ScheduleRef::id("sch-ops"))
        .await);
    assert_eq!(
        nested.people(),
        [OnCallPerson::AccountId("5b2b0e011b3a756623f4e25e")],
        "the user directly and through the escalation, once"
    );
    let next = ok(client
        .schedules()
        .next_on_calls(ScheduleRef::id("sch-ops"))
        .flat(true)
        .await);
    assert_eq!(
        next.people(),
        [OnCallPerson::AccountId(
            "c5646941-3f05-404d-8594-825fa73af99f"
        )]
    );
    let next = ok(client
        .schedules()
        .next_on_calls(ScheduleRef::id("sch-ops"))
        .await);
    assert_eq!(
        next.people(),
        [
            OnCallPerson::AccountId("5b2b0e011b3a756623f4e25e"),
            OnCallPerson::AccountId("c5646941-3f05-404d-8594-825fa73af99f")
        ],
        "children nested under nextOnCallParticipants are read"
    );
    let sent = received(&server).await;
    assert_eq!(
        sent.first().map(|s| &s.2),
        Some(&pairs(&[("flat", "true")]))
    );
}

#[tokio::test]
async fn a_schedule_name_is_looked_up_with_query_then_used_by_id() {
    let server = server().await;
    mount(
        &server,
        "GET",
        "/schedules",
        answer(200, "jsm/client/schedules_page2.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/schedules/sch-db/on-calls",
        answer(200, "jsm/client/on_calls_flat.json"),
    )
    .await;
    let client = client(&server);
    // The answer holds only a schedule named `db`: `ops` has no exact match.
    let e = client
        .schedules()
        .on_calls(ScheduleRef::name("ops"))
        .await
        .expect_err("no schedule named ops");
    assert!(e.is_not_found(), "{e}");
    let on_call = ok(client
        .schedules()
        .on_calls(ScheduleRef::name("db"))
        .flat(true)
        .await);
    assert_eq!(on_call.schedule_name(), Some("db"), "named from the call");
    let sent = received(&server).await;
    let rows: Vec<(&str, &Query)> = sent.iter().map(|s| (s.1.as_str(), &s.2)).collect();
    let list = format!("{PREFIX}/schedules");
    let on_calls = format!("{PREFIX}/schedules/sch-db/on-calls");
    let by_ops = pairs(&[("query", "ops"), ("offset", "0"), ("size", "50")]);
    let by_db = pairs(&[("query", "db"), ("offset", "0"), ("size", "50")]);
    let flat = pairs(&[("flat", "true")]);
    assert_eq!(
        rows,
        vec![
            (list.as_str(), &by_ops),
            (list.as_str(), &by_db),
            (on_calls.as_str(), &flat)
        ]
    );
}

#[tokio::test]
async fn overrides_send_a_responder_and_rotation_ids() {
    let server = server().await;
    mount(
        &server,
        "POST",
        "/schedules/sch-ops/overrides",
        answer(201, "jsm/client/override.json"),
    )
    .await;
    mount(
        &server,
        "PUT",
        "/schedules/sch-ops/overrides/ovr-7f3a",
        answer(200, "jsm/client/override.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        "/schedules/sch-ops/overrides",
        answer(200, "jsm/client/overrides_page.json"),
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/schedules/sch-ops/overrides/ovr-7f3a",
        ResponseTemplate::new(204),
    )
    .await;
    let client = client(&server);
    let start = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .expect("date");
    let end = Utc
        .with_ymd_and_hms(2026, 11, 2, 16, 0, 0)
        .single()
        .expect("date");
    let alias = ok(client
        .schedules()
        .overrides(ScheduleRef::id("sch-ops"))
        .create(UserRef::id("712020:acc"), start, end)
        .rotation(NamedRef::id("rot-1"))
        .alias("ignored-on-jsm")
        .await);
    assert_eq!(alias, "ovr-7f3a");
    let alias = ok(client
        .schedules()
        .overrides(ScheduleRef::id("sch-ops"))
        .update("ovr-7f3a", UserRef::id("712020:acc"), start, end)
        .await);
    assert_eq!(alias, "ovr-7f3a");
    let list = ok(client
        .schedules()
        .overrides(ScheduleRef::id("sch-ops"))
        .list()
        .await);
    let first = list.first().expect("override");
    assert_eq!(
        first.user.as_ref().and_then(|u| u.id.as_deref()),
        Some("712020:00000000-fake-4acc-8000-000000000001"),
        "responder is read"
    );
    assert!(
        first.rotations.is_empty(),
        "null rotationIds: every rotation"
    );
    assert_eq!(
        list.get(1)
            .and_then(|o| o.user.as_ref())
            .and_then(|u| u.kind.clone()),
        Some(opsgenie_client::schedules::ParticipantType::Noone)
    );
    ok(client
        .schedules()
        .overrides(ScheduleRef::id("sch-ops"))
        .delete("ovr-7f3a")
        .await);
    let sent = received(&server).await;
    let expected = json!({
        "responder": {"type": "user", "id": "712020:acc"},
        "startDate": "2026-11-02T08:00:00Z",
        "endDate": "2026-11-02T16:00:00Z",
        "rotationIds": ["rot-1"],
    });
    assert_eq!(sent.first().map(|s| &s.3), Some(&expected));
    assert_eq!(
        sent.get(1).map(|s| (s.0.as_str(), &s.3)),
        Some((
            "PUT",
            &json!({"responder": {"type": "user", "id": "712020:acc"},
                    "startDate": "2026-11-02T08:00:00Z", "endDate": "2026-11-02T16:00:00Z"})
        ))
    );
    assert_eq!(
        sent.get(2).map(|s| &s.2),
        Some(&pairs(&[("offset", "0"), ("size", "50")]))
    );
    assert!(
        sent.iter()
            .all(|s| !s.2.iter().any(|(k, _)| k == "scheduleIdentifierType"))
    );
    // Parsed from the published read shape.
    let read: opsgenie_client::schedules::Override =
        serde_json::from_str(&fixture("jsm/client/override.json")).expect("override");
    let ids: Vec<Option<&str>> = read.rotations.iter().map(|r| r.id.as_deref()).collect();
    assert_eq!(ids, [Some("rot-1"), Some("rot-2")]);
    // A rotation by name, a user by e-mail: refused, nothing sent.
    let before = received(&server).await.len();
    let e = client
        .schedules()
        .overrides(ScheduleRef::id("sch-ops"))
        .create(UserRef::username("ann@example.com"), start, end)
        .await
        .expect_err("e-mail");
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    let e = client
        .schedules()
        .overrides(ScheduleRef::id("sch-ops"))
        .create(UserRef::id("712020:acc"), start, end)
        .rotation(NamedRef::name("primary"))
        .await
        .expect_err("rotation name");
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    assert_eq!(received(&server).await.len(), before);
}

#[tokio::test]
async fn heartbeats_live_under_their_team() {
    let server = server().await;
    let hb = "/teams/team-ops/heartbeats";
    mount(
        &server,
        "GET",
        &format!("{hb}/ping"),
        answer(202, "jsm/client/ping.json"),
    )
    .await;
    mount(
        &server,
        "GET",
        hb,
        answer(200, "jsm/client/heartbeats_page.json"),
    )
    .await;
    mount(
        &server,
        "POST",
        hb,
        answer(201, "jsm/client/heartbeat.json"),
    )
    .await;
    mount(
        &server,
        "PATCH",
        hb,
        answer(201, "jsm/client/heartbeat.json"),
    )
    .await;
    mount(&server, "DELETE", hb, ResponseTemplate::new(204)).await;
    let client = client(&server);
    let e = client
        .heartbeats()
        .ping("nightly-backup")
        .await
        .expect_err("no team");
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    assert!(
        received(&server).await.is_empty(),
        "nothing sent without a team"
    );
    let ops = client.heartbeats().team("team-ops");
    let pong = ok(ops.ping("nightly-backup").await);
    assert_eq!(pong.result, "PONG - Heartbeat received");
    let pong = ok(client
        .heartbeats()
        .ping_in_team("team-ops", "nightly-backup")
        .await);
    assert_eq!(pong.result, "PONG - Heartbeat received");
    let list = ok(ops.list().await);
    let first = list.first().expect("heartbeat");
    assert_eq!(
        first.interval_unit,
        Some(IntervalUnit::Hours),
        "`Hours` is hours"
    );
    assert_eq!(first.expired, Some(true), "Unresponsive");
    assert_eq!(list.get(1).and_then(|h| h.expired), Some(false), "Off");
    assert_eq!(
        first.owner_team.as_ref().and_then(|t| t.id.as_deref()),
        Some("team-ops")
    );
    let got = ok(ops.get("hourly-sync").await);
    assert_eq!(got.interval, Some(70));
    ok(ops
        .create("nightly-backup", 25, IntervalUnit::Hours)
        .enabled(true)
        .alert_priority(Priority::P2)
        .owner_team(NamedRef::name("not sent"))
        .await);
    let updated = ok(ops
        .update("nightly-backup")
        .description("backs up the db")
        .await);
    assert_eq!(updated.description.as_deref(), Some("backs up the db"));
    ok(ops.enable("nightly-backup").await);
    ok(ops.disable("nightly-backup").await);
    ok(ops.delete("nightly-backup").await);
    let sent = received(&server).await;
    let base = format!("{PREFIX}{hb}");
    let ping_path = format!("{base}/ping");
    let name = pairs(&[("name", "nightly-backup")]);
    let rows: Vec<(&str, &str, &Query, &Value)> = sent
        .iter()
        .map(|(m, p, q, b)| (m.as_str(), p.as_str(), q, b))
        .collect();
    let list_query = pairs(&[("offset", "0"), ("size", "100")]);
    let get_query = pairs(&[("name", "hourly-sync"), ("offset", "0"), ("size", "100")]);
    let no_query = Vec::new();
    assert_eq!(
        rows,
        vec![
            ("GET", ping_path.as_str(), &name, &Value::Null),
            ("GET", ping_path.as_str(), &name, &Value::Null),
            ("GET", base.as_str(), &list_query, &Value::Null),
            ("GET", base.as_str(), &get_query, &Value::Null),
            (
                "POST",
                base.as_str(),
                &no_query,
                &json!({"name": "nightly-backup", "interval": 25, "intervalUnit": "hours",
                        "enabled": true, "alertPriority": "P2"})
            ),
            (
                "PATCH",
                base.as_str(),
                &name,
                &json!({"description": "backs up the db"})
            ),
            ("PATCH", base.as_str(), &name, &json!({"enabled": true})),
            ("PATCH", base.as_str(), &name, &json!({"enabled": false})),
            ("DELETE", base.as_str(), &name, &Value::Null),
        ]
    );
}

#[tokio::test]
async fn teams_are_listed() {
    let server = server().await;
    mount(
        &server,
        "GET",
        "/teams",
        answer(200, "jsm/client/teams.json"),
    )
    .await;
    let client = client(&server);
    let teams = ok(client.teams().await);
    let rows: Vec<(&str, &str)> = teams
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(rows, [("team-ops", "Operations"), ("team-db", "Databases")]);
}

#[tokio::test]
async fn error_bodies_name_the_title() {
    let server = server().await;
    mount(
        &server,
        "GET",
        "/alerts/a401",
        answer(401, "jsm/client/error_401.json"),
    )
    .await;
    mount(
        &server,
        "PATCH",
        "/alerts/a422/message",
        answer(422, "jsm/client/error_422.json"),
    )
    .await;
    let client = client(&server);
    let e = client
        .alerts()
        .get(AlertRef::id("a401"))
        .await
        .expect_err("401");
    assert!(e.is_unauthorized());
    assert_eq!(e.as_api().map(|a| a.message.as_str()), Some("Unauthorized"));
    let e = client
        .alerts()
        .update_message(AlertRef::id("a422"), "x")
        .await
        .expect_err("422");
    let api = e.as_api().expect("api error");
    assert_eq!(api.status, 422);
    assert_eq!(api.message, "Message can not be empty");
    assert_eq!(api.error_type.as_deref(), Some("InvalidMessage"));
    assert_eq!(
        api.errors.get("InvalidMessage").map(String::as_str),
        Some("Message can not be empty")
    );
}

#[tokio::test]
async fn what_jsm_takes_by_id_only_is_refused_by_name_before_sending() {
    let server = server().await;
    let client = client(&server);
    let refused = [
        AlertAction::Escalate(NamedRef::name("ops-escalation")),
        AlertAction::Assign(UserRef::username("ann@example.com")),
        AlertAction::AddResponder(Responder::team("ops")),
        AlertAction::AddTeam(NamedRef::name("ops")),
    ];
    for action in refused {
        let e = client
            .alerts()
            .run(AlertRef::tiny("7"), action.clone())
            .await
            .expect_err("refused");
        assert!(
            matches!(e, Error::Unsupported { backend: "jsm", .. }),
            "{action:?}: {e}"
        );
    }
    assert!(
        received(&server).await.is_empty(),
        "not even the tiny-id lookup"
    );
    assert!(
        AlertAction::AddTeam(NamedRef::id("t"))
            .route(client.backend())
            .is_none()
    );
}
