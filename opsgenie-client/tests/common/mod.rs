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

/// Matches a request whose headers are not what every call must send.
struct WrongHeaders;

impl wiremock::Match for WrongHeaders {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let get = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        let auth_ok = get("authorization") == Some(format!("GenieKey {KEY}").as_str());
        let accept_ok = get("accept") == Some("application/json");
        let body_ok = request.body.is_empty() || get("content-type") == Some("application/json");
        !(auth_ok && accept_ok && body_ok)
    }
}

/// A server whose unmatched requests answer 599 with a note, so a missed route fails readably,
/// and which answers 598 to any request without the auth, accept and content-type headers
/// every call must carry (so every test checks them).
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(WrongHeaders)
        .respond_with(
            ResponseTemplate::new(598).set_body_string("request without the required headers"),
        )
        .with_priority(1)
        .mount(&server)
        .await;
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
