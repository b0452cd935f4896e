//! Tier 3: retries, throttling, timeouts, error mapping, redaction, bulk work.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{accepted, builder, client, fixture, respond, server};
use opsgenie_client::alerts::{BulkResult, GoneCause};
use opsgenie_client::{
    AlertAction, AlertRef, Client, Error, RateLimitState, RequestHandle, RetryPolicy,
};
use wiremock::matchers::{header, header_exists, method, path, path_regex};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

fn html_503() -> ResponseTemplate {
    ResponseTemplate::new(503).set_body_raw(fixture("errors/503.html"), "text/html")
}

#[test]
fn public_types_are_send_sync_and_clients_clone() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_clone<T: Clone>() {}
    assert_send_sync::<Client>();
    assert_clone::<Client>();
    assert_send_sync::<RequestHandle>();
    assert_send_sync::<Error>();
    assert_send_sync::<opsgenie_client::Alert>();
}

#[tokio::test]
async fn get_is_retried_on_5xx_then_succeeds() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(html_503())
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(respond(200, "alerts/count.json"))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client(&server).alerts().count().await.expect("count"), 7);
}

#[tokio::test]
async fn create_without_alias_is_not_retried_on_5xx_but_with_alias_it_is() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts"))
        .respond_with(html_503())
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts"))
        .respond_with(accepted("fake-created"))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = c
        .alerts()
        .create("no alias")
        .await
        .expect_err("not retried");
    let api = err.as_api().expect("api error");
    assert_eq!(api.status, 503);
    assert_eq!(
        api.message, "service unavailable",
        "html body gives the status text"
    );
    assert!(api.body.contains("503 Service Temporarily Unavailable"));
    // With an alias Opsgenie de-duplicates, so the client retries.
    let handle = c
        .alerts()
        .create("aliased")
        .alias("fake-dedup")
        .await
        .expect("retried");
    assert_eq!(handle.request_id().as_str(), "fake-created");
}

#[tokio::test]
async fn actions_are_safe_to_retry_on_5xx() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts/42/acknowledge"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts/42/acknowledge"))
        .respond_with(accepted("fake-ack"))
        .expect(1)
        .mount(&server)
        .await;
    let h = client(&server)
        .alerts()
        .acknowledge(AlertRef::tiny("42"))
        .await
        .expect("ack");
    assert_eq!(h.request_id().as_str(), "fake-ack");
}

fn throttled() -> ResponseTemplate {
    respond(429, "errors/429.json")
        .insert_header("X-RateLimit-State", "THROTTLED")
        .insert_header("X-RateLimit-Reason", "INTEGRATION")
        .insert_header("X-RateLimit-Period-In-Sec", "1")
}

#[tokio::test]
async fn rate_limit_exhausted_is_a_typed_error_with_headers() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(throttled())
        .expect(3)
        .mount(&server)
        .await;
    let c = client(&server);
    match c.alerts().count().await {
        Err(Error::RateLimited {
            status,
            retry_after,
            rate_limit,
            request_id,
        }) => {
            assert_eq!(status, 429);
            assert_eq!(retry_after, None);
            assert_eq!(rate_limit.state, Some(RateLimitState::Throttled));
            assert_eq!(rate_limit.reason.as_deref(), Some("INTEGRATION"));
            assert_eq!(rate_limit.period_in_sec, Some(1));
            assert_eq!(request_id.as_deref(), Some("fake-request-429"));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(
        c.rate_limit().and_then(|r| r.state),
        Some(RateLimitState::Throttled)
    );
    assert!(
        c.current_concurrency() < c.max_concurrency(),
        "throttling lowered the limit"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_throttles_the_whole_client() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(throttled().insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(respond(200, "alerts/count.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/heartbeats"))
        .respond_with(respond(200, "heartbeats/list.json"))
        .mount(&server)
        .await;
    let c = client(&server);
    let started = Instant::now();
    let first = tokio::spawn({
        let c = c.clone();
        async move { c.alerts().count().await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A different call on a clone of the same client waits out the throttle too.
    let second_started = Instant::now();
    let list = c.heartbeats().list().await.expect("list");
    assert_eq!(list.len(), 2);
    assert!(
        second_started.elapsed() >= Duration::from_millis(700),
        "the second call went out during the throttle: {:?}",
        second_started.elapsed()
    );
    assert_eq!(first.await.expect("join").expect("count"), 7);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_returns_at_once() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(throttled().insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = client(&server).alerts().count().await.expect_err("429");
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600))
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn slow_answers_time_out() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(respond(200, "alerts/count.json").set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;
    let c = builder(&server)
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = c.alerts().count().await.expect_err("timeout");
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_millis(100)),
        "{err}"
    );
}

#[tokio::test]
async fn error_answers_carry_status_message_request_id_errors_and_type() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/fake-missing"))
        .respond_with(
            respond(404, "errors/404.json").insert_header("X-Opsgenie-Errortype", "AlertNotFound"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts"))
        .respond_with(
            respond(422, "errors/422.json").insert_header("X-Request-ID", "fake-header-id"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/heartbeats"))
        .respond_with(respond(401, "errors/401.json"))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = c
        .alerts()
        .get(AlertRef::id("fake-missing"))
        .await
        .expect_err("404");
    assert!(err.is_not_found());
    let api = err.as_api().expect("api");
    assert_eq!(api.message, "Alert with id [fake-missing] does not exist");
    assert_eq!(api.request_id.as_deref(), Some("fake-request-404"));
    assert_eq!(api.error_type.as_deref(), Some("AlertNotFound"));
    assert_eq!(
        err.to_string(),
        "opsgenie api error 404: Alert with id [fake-missing] does not exist"
    );

    let err = c.alerts().create("m").await.expect_err("422");
    let api = err.as_api().expect("api");
    assert_eq!(api.status, 422);
    assert_eq!(
        api.errors.get("priority").map(String::as_str),
        Some("should be one of [P1, P2, P3, P4, P5]")
    );
    assert_eq!(api.errors.len(), 2);
    assert_eq!(
        err.request_id(),
        Some("fake-request-422"),
        "body id wins over header"
    );

    let err = c.heartbeats().list().await.expect_err("401");
    assert!(err.is_unauthorized());
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn malformed_success_bodies_are_decode_errors_with_path_and_excerpt() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"data":{"id":5,"message":"m"}}"#, "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>proxy login</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    match c.alerts().get(AlertRef::tiny("1")).await {
        Err(Error::Decode {
            status,
            path,
            excerpt,
            ..
        }) => {
            assert_eq!(status, 200);
            assert_eq!(path, "data.id");
            assert!(excerpt.starts_with(r#"{"data""#));
        }
        other => panic!("expected decode error, got {other:?}"),
    }
    match c.alerts().get(AlertRef::tiny("2")).await {
        Err(Error::Decode { excerpt, .. }) => assert_eq!(excerpt, "<html>proxy login</html>"),
        other => panic!("expected decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(10_000)))
        .mount(&server)
        .await;
    let c = builder(&server)
        .max_response_bytes(1_000)
        .build()
        .expect("client");
    assert!(matches!(
        c.alerts().count().await,
        Err(Error::BodyTooLarge { limit: 1_000 })
    ));
}

#[tokio::test]
async fn default_headers_and_caller_supplied_http_client() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .and(header(
            "user-agent",
            concat!("opsgenie-client/", env!("CARGO_PKG_VERSION")),
        ))
        .and(header("accept", "application/json"))
        .and(header_exists("authorization"))
        .respond_with(respond(200, "alerts/count.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .and(header("user-agent", "opsbot/1"))
        .respond_with(respond(200, "alerts/count.json"))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).alerts().count().await.expect("default ua");
    let custom = builder(&server)
        .http_client(reqwest::Client::new())
        .user_agent("opsbot/1")
        .build()
        .expect("client");
    custom.alerts().count().await.expect("custom ua");
}

/// A throttled server: at most `per_window` requests per `window`, 429 beyond that.
/// Acknowledges alert `n` with request id `req-n`; alert ids ending in 7 do not exist.
struct ThrottledOpsgenie {
    window: Duration,
    per_window: usize,
    state: Mutex<ThrottleState>,
}

struct ThrottleState {
    window_start: Instant,
    in_window: usize,
    throttled: usize,
    accepted: HashMap<String, usize>,
}

impl Respond for ThrottledOpsgenie {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().expect("state");
        if s.window_start.elapsed() >= self.window {
            s.window_start = Instant::now();
            s.in_window = 0;
        }
        s.in_window += 1;
        if s.in_window > self.per_window {
            s.throttled += 1;
            return ResponseTemplate::new(429)
                .insert_header("X-RateLimit-State", "THROTTLED")
                .insert_header("X-RateLimit-Period-In-Sec", "1")
                .set_body_json(serde_json::json!({"message": "too many", "requestId": "fake"}));
        }
        let segs: Vec<&str> = req.url.path().split('/').collect();
        match (req.method.as_str(), segs.as_slice()) {
            ("POST", ["", "v2", "alerts", id, "acknowledge"]) => {
                *s.accepted.entry((*id).to_owned()).or_default() += 1;
                ResponseTemplate::new(202).set_body_json(serde_json::json!({
                    "result": "Request will be processed", "requestId": format!("req-{id}")
                }))
            }
            ("GET", ["", "v2", "alerts", "requests", rid]) => {
                let id = rid.trim_start_matches("req-");
                let exists = !id.ends_with('7');
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": {
                    "success": exists, "isSuccess": exists, "action": "Acknowledge",
                    "status": if exists { "Acknowledged alert" } else { "Alert does not exist" },
                    "alertId": if exists { id } else { "" }
                }}))
            }
            _ => ResponseTemplate::new(599),
        }
    }
}

#[tokio::test]
async fn bulk_acknowledge_of_1000_alerts_adapts_to_throttling_and_loses_nothing() {
    let server = server().await;
    let ops = Arc::new(ThrottledOpsgenie {
        window: Duration::from_millis(20),
        per_window: 20,
        state: Mutex::new(ThrottleState {
            window_start: Instant::now(),
            in_window: 0,
            throttled: 0,
            accepted: HashMap::new(),
        }),
    });
    struct Shared(Arc<ThrottledOpsgenie>);
    impl Respond for Shared {
        fn respond(&self, req: &Request) -> ResponseTemplate {
            self.0.respond(req)
        }
    }
    Mock::given(path_regex("^/v2/alerts/"))
        .respond_with(Shared(ops.clone()))
        .mount(&server)
        .await;
    let c = builder(&server)
        .max_concurrency(32)
        // Generous, so a slow CI machine cannot turn throttling into a lost outcome.
        .outcome_timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let ids: Vec<String> = (0..1000).map(|i| format!("fake-{i}")).collect();
    let started = Instant::now();
    let outcomes = c
        .alerts()
        .bulk(
            ids.iter().map(|id| AlertRef::id(id.as_str())),
            AlertAction::Acknowledge,
        )
        .user("opsbot")
        .await;
    let elapsed = started.elapsed();

    assert_eq!(outcomes.len(), 1000);
    for (outcome, id) in outcomes.iter().zip(&ids) {
        assert_eq!(outcome.alert.value, *id, "outcomes keep the input order");
        match &outcome.result {
            BulkResult::Done {
                status: Some(status),
                ..
            } => {
                assert!(!id.ends_with('7'));
                assert_eq!(status.status, "Acknowledged alert");
            }
            BulkResult::Gone {
                cause: GoneCause::Deleted,
                reason: Some(reason),
            } => {
                assert!(id.ends_with('7'), "{id}: {reason}");
                assert_eq!(reason, "Alert does not exist");
            }
            other => panic!("{id}: lost to {other:?}"),
        }
    }
    let state = ops.state.lock().expect("state");
    assert!(state.throttled > 0, "the test must actually throttle");
    assert_eq!(state.accepted.len(), 1000, "every alert acknowledged");
    assert!(
        state.accepted.values().all(|n| *n == 1),
        "each exactly once"
    );
    // Speed is measured by the benchmarks (BENCHMARKS.md), never asserted here; this says what it took.
    eprintln!("bulk of 1,000 alerts took {elapsed:?}");
}

#[tokio::test]
async fn bulk_waits_out_a_minute_bucket_for_the_whole_client() {
    let server = server().await;
    // The minute bucket is empty for the first three tries (the client's own retries).
    Mock::given(method("POST"))
        .and(path("/v2/alerts/1/close"))
        .respond_with(throttled().insert_header("X-RateLimit-Period-In-Sec", "2"))
        .up_to_n_times(3)
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts/1/close"))
        .respond_with(accepted("req-1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/req-1"))
        .respond_with(respond(200, "requests/success.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/heartbeats"))
        .respond_with(respond(200, "heartbeats/list.json"))
        .mount(&server)
        .await;
    let c = builder(&server)
        .outcome_timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let started = Instant::now();
    let bulk = tokio::spawn({
        let c = c.clone();
        async move {
            c.alerts()
                .bulk([AlertRef::tiny("1")], AlertAction::Close)
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Meanwhile another call of the same client waits for the bucket too.
    let other = Instant::now();
    c.heartbeats().list().await.expect("list");
    assert!(
        other.elapsed() >= Duration::from_millis(1200),
        "went out early: {:?}",
        other.elapsed()
    );
    let outcomes = bulk.await.expect("join");
    assert!(outcomes[0].succeeded(), "{:?}", outcomes[0].result);
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn the_test_server_checks_the_headers_of_every_call() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(respond(200, "alerts/count.json"))
        .mount(&server)
        .await;
    let wrong = Client::builder("another-fake-key")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    assert_eq!(
        wrong.alerts().count().await.expect_err("598").status(),
        Some(598)
    );
    assert_eq!(client(&server).alerts().count().await.expect("count"), 7);
}
