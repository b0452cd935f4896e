//! Shared test helpers: a wiremock server with a catch-all, a client pointed at it, fixtures.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use statuspage_client::{Client, RetryPolicy};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// An obviously fake key; tests assert it never leaks.
pub const KEY: &str = "sp-fake-key-0123456789abcdef";
/// The fake page every fixture belongs to.
pub const PAGE: &str = "fakepage0001";

/// The directory of the Statuspage fixtures (read at run time, never by library code).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/statuspage")
}

/// The text of one fixture, e.g. `components/list.json`.
pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A JSON answer made from a fixture.
pub fn json(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// A retry policy with millisecond backoffs.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

/// A server with a catch-all mounted last: a route no mock matches answers 599 with a note.
pub async fn server() -> MockServer {
    MockServer::start().await
}

/// Mounts the catch-all; call after the mocks of a test.
pub async fn catch_all(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(599).set_body_string(
            "no mock matched this request: check method, path, query, headers and body",
        ))
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// A client for the server, without pacing and with fast retries.
pub fn client(server: &MockServer) -> Client {
    Client::builder(KEY)
        .base_url(server.uri())
        .without_pacing()
        .retry_policy(fast_retries())
        .build()
        .expect("a valid client")
}

/// A mock for an authenticated call: method, exact path and the `OAuth` header.
pub fn call(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p))
        .and(header("authorization", format!("OAuth {KEY}").as_str()))
}
