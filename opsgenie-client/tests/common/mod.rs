//! Shared test helpers: a wiremock server with a catch-all, a client pointed at it, fixtures.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use opsgenie_client::{Client, ClientBuilder, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const KEY: &str = "fake-genie-key-0000-SECRET";

/// Reads a fixture from `fixtures/opsgenie/`.
pub fn fixture(path: &str) -> String {
    let full: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "fixtures",
        "opsgenie",
        path,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("fixture {}: {e}", full.display()))
}

/// A fixture as JSON.
pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A JSON response from a fixture.
pub fn respond(status: u16, path: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(path), "application/json")
}

/// A 202 accepted answer with the given request id.
pub fn accepted(request_id: &str) -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_json(serde_json::json!({
        "result": "Request will be processed", "took": 0.01, "requestId": request_id
    }))
}

/// A server whose unmatched requests answer 599 with a note, so a missed route fails readably.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(599).set_body_string("no mock matched this request (catch-all)"),
        )
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

/// A fast test policy: short backoff, a few attempts.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

/// A builder pointed at the server with fast retries and fast outcome polling.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(KEY)
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .outcome_poll_interval(Duration::from_millis(5), Duration::from_millis(20))
        .outcome_timeout(Duration::from_secs(2))
}

pub fn client(server: &MockServer) -> Client {
    builder(server)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// The body of the only request received with this method and path.
pub async fn body_of(server: &MockServer, method: &str, path: &str) -> serde_json::Value {
    let requests = server.received_requests().await.unwrap_or_default();
    let found: Vec<_> = requests
        .iter()
        .filter(|r| r.method.as_str() == method && r.url.path() == path)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {method} {path}, got {}",
        found.len()
    );
    serde_json::from_slice(&found[0].body).unwrap_or_else(|e| panic!("body of {path}: {e}"))
}
