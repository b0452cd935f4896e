//! Tier 1 and 3 for alerts: request construction of every call, validation, paging.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{TimeZone, Utc};
use common::{KEY, accepted, body_of, client, fixture, respond, server};
use futures_util::{StreamExt, TryStreamExt};
use opsgenie_client::alerts::{AlertSort, LIST_CEILING};
use opsgenie_client::{
    AlertAction, AlertRef, Error, NamedRef, Order, Priority, Responder, ResponderType, UserRef,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

#[tokio::test]
async fn create_sends_every_field_with_auth() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts"))
        .and(header("authorization", format!("GenieKey {KEY}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(respond(202, "alerts/create_accepted.json"))
        .expect(1)
        .mount(&server)
        .await;
    let handle = client(&server)
        .alerts()
        .create("Database down")
        .alias("db/down")
        .description("primary is gone")
        .responder(Responder::team("ops"))
        .responder(Responder::with_id(ResponderType::User, "fake-user-1"))
        .visible_to(Responder::user("ann@example.com"))
        .action("Restart")
        .tag("db")
        .tag("prod")
        .detail("host", "db1")
        .entity("db1")
        .source("opsbot")
        .priority(Priority::P1)
        .user("ann")
        .note("paging ops")
        .await
        .expect("accepted");
    assert_eq!(
        handle.request_id().as_str(),
        "43a29c5c-fake-4c9e-9c5e-000000000001"
    );
    assert_eq!(handle.accepted_result(), Some("Request will be processed"));
    let body = body_of(&server, "POST", "/v2/alerts").await;
    assert_eq!(
        body,
        json!({
            "message": "Database down", "alias": "db/down", "description": "primary is gone",
            "responders": [{"type": "team", "name": "ops"}, {"type": "user", "id": "fake-user-1"}],
            "visibleTo": [{"type": "user", "username": "ann@example.com"}],
            "actions": ["Restart"], "tags": ["db", "prod"], "details": {"host": "db1"},
            "entity": "db1", "source": "opsbot", "priority": "P1", "user": "ann", "note": "paging ops"
        })
    );
}

#[tokio::test]
async fn create_checks_documented_limits_and_sends_nothing() {
    let server = server().await;
    Mock::given(method("POST"))
        .respond_with(accepted("never"))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    let long = |n| "x".repeat(n);
    let cases: Vec<(&str, opsgenie_client::Result<_>)> = vec![
        ("message", c.alerts().create(long(131)).await),
        ("message", c.alerts().create("  ").await),
        ("alias", c.alerts().create("m").alias(long(513)).await),
        (
            "description",
            c.alerts().create("m").description(long(15_001)).await,
        ),
        ("entity", c.alerts().create("m").entity(long(513)).await),
        ("source", c.alerts().create("m").source(long(101)).await),
        ("user", c.alerts().create("m").user(long(101)).await),
        ("note", c.alerts().create("m").note(long(25_001)).await),
        ("tags", c.alerts().create("m").tag(long(51)).await),
        ("actions", c.alerts().create("m").action(long(51)).await),
        (
            "details",
            c.alerts().create("m").detail("k", long(8_000)).await,
        ),
        ("tags", {
            let mut b = c.alerts().create("m");
            for i in 0..21 {
                b = b.tag(format!("t{i}"));
            }
            b.await
        }),
        ("actions", {
            let mut b = c.alerts().create("m");
            for i in 0..11 {
                b = b.action(format!("a{i}"));
            }
            b.await
        }),
    ];
    for (field, result) in cases {
        match result {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected invalid input, got {other:?}"),
        }
    }
    // Exactly at the limits is fine: 130 chars of multi-byte text counts characters, not bytes.
    Mock::given(method("POST"))
        .and(path("/v2/alerts"))
        .respond_with(accepted("ok-at-limit"))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    let mut b = c.alerts().create("é".repeat(130)).alias(long(512));
    for i in 0..20 {
        b = b.tag(format!("{i}{}", long(45)));
    }
    assert!(b.await.is_ok());
}

#[tokio::test]
async fn get_by_id_tiny_and_alias_encodes_identifiers() {
    let server = server().await;
    for (raw_path, kind) in [
        ("/v2/alerts/70413a06-38d6-4c85-92b8-5ebc900d42e2", "id"),
        ("/v2/alerts/1791", "tiny"),
        ("/v2/alerts/db%2Fdown%20now%20%C3%BC%F0%9F%94%A5", "alias"),
    ] {
        Mock::given(method("GET"))
            .and(wiremock::matchers::path_regex(format!(
                "^{}$",
                regex_escape(raw_path)
            )))
            .and(query_param("identifierType", kind))
            .respond_with(respond(200, "alerts/get.json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let a = c
        .alerts()
        .get(AlertRef::id("70413a06-38d6-4c85-92b8-5ebc900d42e2"))
        .await
        .expect("id");
    assert_eq!(a.message, "Our servers are in danger");
    c.alerts().get(AlertRef::tiny("1791")).await.expect("tiny");
    c.alerts()
        .get(AlertRef::alias("db/down now ü🔥"))
        .await
        .expect("alias");
    // The raw request path really is percent-encoded (no extra segment from the slash).
    let reqs = server.received_requests().await.unwrap_or_default();
    assert!(
        reqs.iter()
            .any(|r| r.url.path() == "/v2/alerts/db%2Fdown%20now%20%C3%BC%F0%9F%94%A5")
    );
    assert!(matches!(
        c.alerts().get(AlertRef::alias("")).await,
        Err(Error::InvalidInput {
            field: "identifier",
            ..
        })
    ));
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[tokio::test]
async fn list_sends_query_paging_sort_and_saved_search() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param("query", "status:open AND priority:P1"))
        .and(query_param("offset", "40"))
        .and(query_param("limit", "20"))
        .and(query_param("sort", "updatedAt"))
        .and(query_param("order", "asc"))
        .and(query_param("searchIdentifier", "my search"))
        .and(query_param("searchIdentifierType", "name"))
        .respond_with(respond(200, "alerts/list_page1.json"))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .alerts()
        .list()
        .query("status:open AND priority:P1")
        .offset(40)
        .limit(20)
        .sort(AlertSort::UpdatedAt)
        .order(Order::Asc)
        .saved_search_name("my search")
        .await
        .expect("page");
    assert_eq!(page.alerts.len(), 2);
    assert!(page.paging.and_then(|p| p.next).is_some());
}

#[tokio::test]
async fn list_rejects_bad_limits_locally() {
    let server = server().await;
    let c = client(&server);
    let items: Vec<_> = c.alerts().list().limit(500).stream().collect().await;
    assert_eq!(items.len(), 1, "one error, then the stream ends");
    assert!(matches!(
        items[0],
        Err(Error::InvalidInput { field: "limit", .. })
    ));
    assert!(matches!(
        c.alerts().list().limit(0).await,
        Err(Error::InvalidInput { field: "limit", .. })
    ));
    assert!(matches!(
        c.alerts().list().limit(101).await,
        Err(Error::InvalidInput { field: "limit", .. })
    ));
    assert!(matches!(
        c.alerts().list().offset(19_950).limit(100).await,
        Err(Error::InvalidInput {
            field: "offset",
            ..
        })
    ));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[tokio::test]
async fn stream_follows_pages_until_a_short_page() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "2"))
        .and(query_param("sort", "createdAt"))
        .and(query_param("query", "status:open"))
        .respond_with(respond(200, "alerts/list_page1.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param("offset", "2"))
        .respond_with(respond(200, "alerts/list_page2.json"))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server)
        .alerts()
        .list()
        .query("status:open")
        .limit(2)
        .stream();
    let ids: Vec<String> = stream
        .map_ok(|a| a.id.into_inner())
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(
        ids,
        ["fake-alert-0003", "fake-alert-0002", "fake-alert-0001"]
    );
}

/// A server-side simulation of a big alert list: `total` alerts, newest first, several per
/// millisecond, honouring `offset`, `limit`, the 20,000 ceiling and `createdAt <= N` windows.
struct BigList {
    total: usize,
    calls: Arc<AtomicUsize>,
}

const BASE_MS: i64 = 1_700_000_000_000;

impl BigList {
    /// Alert `i` (0 = newest) was created at BASE - i/3 ms: three alerts share each millisecond.
    fn created_ms(i: usize) -> i64 {
        BASE_MS - (i / 3) as i64
    }
}

impl Respond for BigList {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
        let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(20);
        if offset + limit > LIST_CEILING as usize {
            return ResponseTemplate::new(422).set_body_json(
                json!({"message": "offset + limit must be at most 20000", "requestId": "fake"}),
            );
        }
        let query = q.get("query").cloned().unwrap_or_default();
        assert!(
            query.starts_with("(status:open)") || query == "status:open",
            "query kept: {query}"
        );
        let bound = query
            .split("createdAt <= ")
            .nth(1)
            .and_then(|v| v.trim().parse::<i64>().ok());
        let matching: Vec<usize> = (0..self.total)
            .filter(|i| bound.is_none_or(|b| Self::created_ms(*i) <= b))
            .collect();
        let data: Vec<_> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|i| {
                let ts = Utc.timestamp_millis_opt(Self::created_ms(*i)).single().expect("ts");
                json!({"id": format!("fake-{i}"), "message": "m", "status": "open", "createdAt": ts.to_rfc3339()})
            })
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": data, "took": 0.1, "requestId": "fake"}))
    }
}

#[tokio::test]
async fn stream_goes_past_the_20000_ceiling_without_gaps_or_duplicates() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .respond_with(BigList {
            total: 25_050,
            calls: calls.clone(),
        })
        .mount(&server)
        .await;
    let mut ids = HashSet::new();
    let mut order = Vec::new();
    let mut stream = std::pin::pin!(
        client(&server)
            .alerts()
            .list()
            .query("status:open")
            .limit(100)
            .stream()
    );
    while let Some(alert) = stream.next().await {
        let alert = alert.expect("alert");
        assert!(
            ids.insert(alert.id.as_str().to_owned()),
            "duplicate {}",
            alert.id
        );
        order.push(alert.id.into_inner());
    }
    assert_eq!(ids.len(), 25_050, "every alert exactly once");
    let expected: Vec<String> = (0..25_050).map(|i| format!("fake-{i}")).collect();
    assert_eq!(order, expected, "newest first, in order");
    // 200 pages for the first window, then the rest: no 422 was ever hit.
    assert!(
        calls.load(Ordering::SeqCst) < 270,
        "calls {}",
        calls.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn count_sends_query() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .and(query_param("query", "status:open"))
        .and(query_param("searchIdentifier", "fake-search-1"))
        .and(query_param("searchIdentifierType", "id"))
        .respond_with(respond(200, "alerts/count.json"))
        .expect(1)
        .mount(&server)
        .await;
    let n = client(&server)
        .alerts()
        .count()
        .query("status:open")
        .saved_search_id("fake-search-1")
        .await;
    assert_eq!(n.expect("count"), 7);
}

/// Every action: method, path, query, body.
#[tokio::test]
async fn every_action_builds_its_request() {
    let end = Utc
        .with_ymd_and_hms(2026, 11, 24, 18, 0, 0)
        .single()
        .expect("date");
    let cases: Vec<(AlertAction, &str, &str, serde_json::Value)> = vec![
        (
            AlertAction::Acknowledge,
            "POST",
            "/v2/alerts/42/acknowledge",
            json!({"user": "ann", "source": "bot", "note": "n"}),
        ),
        (
            AlertAction::Unacknowledge,
            "POST",
            "/v2/alerts/42/unacknowledge",
            json!({"user": "ann", "source": "bot", "note": "n"}),
        ),
        (
            AlertAction::Close,
            "POST",
            "/v2/alerts/42/close",
            json!({"user": "ann", "source": "bot", "note": "n"}),
        ),
        (
            AlertAction::AddNote("looking".into()),
            "POST",
            "/v2/alerts/42/notes",
            json!({"user": "ann", "source": "bot", "note": "looking"}),
        ),
        (
            AlertAction::Snooze(end),
            "POST",
            "/v2/alerts/42/snooze",
            json!({"user": "ann", "source": "bot", "note": "n", "endTime": "2026-11-24T18:00:00Z"}),
        ),
        (
            AlertAction::Escalate(NamedRef::name("esc")),
            "POST",
            "/v2/alerts/42/escalate",
            json!({"user": "ann", "source": "bot", "note": "n", "escalation": {"name": "esc"}}),
        ),
        (
            AlertAction::Assign(UserRef::username("bob@example.com")),
            "POST",
            "/v2/alerts/42/assign",
            json!({"user": "ann", "source": "bot", "note": "n", "owner": {"username": "bob@example.com"}}),
        ),
        (
            AlertAction::AddTeam(NamedRef::id("fake-team-1")),
            "POST",
            "/v2/alerts/42/teams",
            json!({"user": "ann", "source": "bot", "note": "n", "team": {"id": "fake-team-1"}}),
        ),
        (
            AlertAction::AddResponder(Responder::schedule("ops")),
            "POST",
            "/v2/alerts/42/responders",
            json!({"user": "ann", "source": "bot", "note": "n", "responder": {"type": "schedule", "name": "ops"}}),
        ),
        (
            AlertAction::Custom("Restart now".into()),
            "POST",
            "/v2/alerts/42/actions/Restart%20now",
            json!({"user": "ann", "source": "bot", "note": "n"}),
        ),
        (
            AlertAction::AddTags(vec!["a".into(), "b".into()]),
            "POST",
            "/v2/alerts/42/tags",
            json!({"user": "ann", "source": "bot", "note": "n", "tags": ["a", "b"]}),
        ),
        (
            AlertAction::AddDetails([("k".to_string(), "v".to_string())].into()),
            "POST",
            "/v2/alerts/42/details",
            json!({"user": "ann", "source": "bot", "note": "n", "details": {"k": "v"}}),
        ),
        (
            AlertAction::UpdatePriority(Priority::P2),
            "PUT",
            "/v2/alerts/42/priority",
            json!({"priority": "P2"}),
        ),
        (
            AlertAction::UpdateMessage("new".into()),
            "PUT",
            "/v2/alerts/42/message",
            json!({"message": "new"}),
        ),
        (
            AlertAction::UpdateDescription("desc".into()),
            "PUT",
            "/v2/alerts/42/description",
            json!({"description": "desc"}),
        ),
    ];
    for (action, verb, route, expected) in cases {
        let server = server().await;
        Mock::given(method(verb))
            .and(path(route))
            .and(query_param("identifierType", "tiny"))
            .and(body_json(&expected))
            .respond_with(accepted("fake-req"))
            .expect(1)
            .named(route)
            .mount(&server)
            .await;
        let name = action.name();
        let handle = client(&server)
            .alerts()
            .run(AlertRef::tiny("42"), action)
            .user("ann")
            .source("bot")
            .note("n")
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(handle.request_id().as_str(), "fake-req");
    }
}

#[tokio::test]
async fn deleting_actions_use_query_parameters() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path("/v2/alerts/fake-alias%20x/tags"))
        .and(query_param("identifierType", "alias"))
        .and(query_param("tags", "a,b"))
        .and(query_param("user", "ann"))
        .and(query_param("source", "bot"))
        .and(query_param("note", "n"))
        .respond_with(accepted("r1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/alerts/42/details"))
        .and(query_param("keys", "host,region"))
        .respond_with(accepted("r2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/alerts/42"))
        .and(query_param("identifierType", "tiny"))
        .and(query_param("user", "ann"))
        .and(query_param_is_missing("note"))
        .respond_with(accepted("r3"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let _removed = c
        .alerts()
        .remove_tags(AlertRef::alias("fake-alias x"), ["a", "b"])
        .user("ann")
        .source("bot")
        .note("n")
        .await
        .expect("remove tags");
    let _removed = c
        .alerts()
        .remove_details(AlertRef::tiny("42"), ["host", "region"])
        .await
        .expect("remove details");
    let h = c
        .alerts()
        .delete(AlertRef::tiny("42"))
        .user("ann")
        .await
        .expect("delete");
    assert_eq!(h.request_id().as_str(), "r3");
    // A comma would split a tag in two: refused locally.
    assert!(matches!(
        c.alerts().remove_tags(AlertRef::tiny("42"), ["a,b"]).await,
        Err(Error::InvalidInput { field: "tags", .. })
    ));
}

#[tokio::test]
async fn action_limits_are_checked_locally() {
    let server = server().await;
    let c = client(&server);
    let r = || AlertRef::tiny("42");
    assert!(matches!(
        c.alerts().acknowledge(r()).user("u".repeat(101)).await,
        Err(Error::InvalidInput { field: "user", .. })
    ));
    assert!(matches!(
        c.alerts().close(r()).source("s".repeat(101)).await,
        Err(Error::InvalidInput {
            field: "source",
            ..
        })
    ));
    assert!(matches!(
        c.alerts().add_note(r(), "").await,
        Err(Error::InvalidInput { field: "note", .. })
    ));
    assert!(matches!(
        c.alerts().add_note(r(), "n".repeat(25_001)).await,
        Err(Error::InvalidInput { field: "note", .. })
    ));
    assert!(matches!(
        c.alerts().add_tags(r(), Vec::<String>::new()).await,
        Err(Error::InvalidInput { field: "tags", .. })
    ));
    assert!(matches!(
        c.alerts().update_message(r(), "m".repeat(131)).await,
        Err(Error::InvalidInput {
            field: "message",
            ..
        })
    ));
    assert!(matches!(
        c.alerts().custom_action(r(), " ").await,
        Err(Error::InvalidInput {
            field: "action",
            ..
        })
    ));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing sent"
    );
}

#[tokio::test]
async fn notes_and_logs_page_with_opaque_offsets() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/fake-alert-0001/notes"))
        .and(query_param("identifierType", "id"))
        .and(query_param_is_missing("offset"))
        .and(query_param("limit", "2"))
        .and(query_param("order", "desc"))
        .respond_with(respond(200, "alerts/notes.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/fake-alert-0001/notes"))
        .and(query_param("offset", "1493209530003"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"note": "last", "owner": "cid@example.com", "createdAt": "2017-04-26T12:30:00Z", "offset": "1493209800000"}],
            "paging": {"first": "https://api.opsgenie.com/v2/alerts/x/notes"}, "took": 0.1, "requestId": "fake"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/fake-alert-0001/logs"))
        .and(query_param("direction", "prev"))
        .and(query_param("offset", "fake-offset"))
        .respond_with(respond(200, "alerts/logs.json"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let notes: Vec<_> = c
        .alerts()
        .notes(AlertRef::id("fake-alert-0001"))
        .limit(2)
        .order(Order::Desc)
        .stream()
        .map_ok(|n| n.note)
        .try_collect()
        .await
        .expect("notes");
    assert_eq!(notes, ["Alert note", "Another note", "last"]);
    let logs = c
        .alerts()
        .logs(AlertRef::id("fake-alert-0001"))
        .offset("fake-offset")
        .backwards()
        .await
        .expect("logs");
    assert_eq!(logs.items.len(), 2);
    assert_eq!(logs.next_offset, None);
    assert!(fixture("alerts/logs.json").contains("alertRecipient"));
}
