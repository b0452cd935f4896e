//! Asynchronous outcomes: polling while not processed, success, failure, timeout, concurrency.

mod common;

use std::time::{Duration, Instant};

use common::{accepted, builder, client, respond, server};
use opsgenie_client::{AlertRef, Error, RequestKind};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn not_processed() -> ResponseTemplate {
    respond(404, "requests/not_processed.json")
        .insert_header("X-Opsgenie-Errortype", "RequestNotProcessed")
}

#[tokio::test]
async fn wait_polls_while_not_processed_then_succeeds() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts/42/acknowledge"))
        .respond_with(accepted("fake-req-1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/fake-req-1"))
        .respond_with(not_processed())
        .up_to_n_times(3)
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/fake-req-1"))
        .respond_with(respond(200, "requests/success.json"))
        .expect(1)
        .mount(&server)
        .await;
    let handle = client(&server)
        .alerts()
        .acknowledge(AlertRef::tiny("42"))
        .user("ann")
        .await
        .expect("accepted");
    let status = handle.wait().await.expect("processed");
    assert!(status.succeeded());
    assert_eq!(status.status, "Created alert");
}

#[tokio::test]
async fn a_processed_failure_is_an_error_with_the_server_text() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v2/alerts/999/close"))
        .respond_with(accepted("fake-req-2"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/fake-req-2"))
        .respond_with(respond(200, "requests/failure.json"))
        .mount(&server)
        .await;
    let handle = client(&server)
        .alerts()
        .close(AlertRef::tiny("999"))
        .await
        .expect("accepted");
    match handle.wait().await {
        Err(Error::RequestFailed(f)) => {
            assert_eq!(f.status, "Alert does not exist");
            assert_eq!(f.request_id, "fake-req-2");
            assert_eq!(f.details.action.as_deref(), Some("Acknowledge"));
        }
        other => panic!("expected RequestFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn wait_is_bounded_by_a_timeout() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/fake-slow"))
        .respond_with(not_processed())
        .mount(&server)
        .await;
    let c = client(&server);
    let handle = opsgenie_client::RequestHandle::new(&c, "fake-slow", RequestKind::Alert);
    let started = Instant::now();
    let err = handle
        .wait_timeout(Duration::from_millis(150))
        .await
        .expect_err("times out");
    assert!(
        matches!(&err, Error::OutcomeTimeout { request_id, .. } if request_id == "fake-slow"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    let polls = server.received_requests().await.unwrap_or_default().len();
    assert!(polls >= 3, "polled {polls} times");
    // One poll reports "not yet".
    assert_eq!(handle.status().await.expect("poll"), None);
}

#[tokio::test]
async fn other_status_errors_end_the_wait() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/fake-gone"))
        .respond_with(respond(401, "errors/401.json"))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = opsgenie_client::RequestHandle::new(&c, "fake-gone", RequestKind::Alert)
        .wait()
        .await
        .expect_err("401");
    assert!(err.is_unauthorized(), "{err}");
}

#[tokio::test]
async fn many_handles_are_awaited_concurrently() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            "^/v2/alerts/requests/fake-c-[0-9]+$",
        ))
        .respond_with(respond(200, "requests/success.json").set_delay(Duration::from_millis(200)))
        .mount(&server)
        .await;
    let c = builder(&server)
        .max_concurrency(50)
        .build()
        .expect("client");
    let handles: Vec<_> = (0..20)
        .map(|i| opsgenie_client::RequestHandle::new(&c, format!("fake-c-{i}"), RequestKind::Alert))
        .collect();
    let started = Instant::now();
    let results = futures_util::future::join_all(handles.iter().map(|h| h.wait())).await;
    assert!(results.iter().all(Result::is_ok));
    // Twenty sequential waits would take four seconds.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );
}
