//! The request span names the path really sent: JSM's mapping is applied before the request
//! is logged. (Its own test binary: a tracing subscriber set for one thread sees every callsite
//! only when no other test registered them first.)

use std::sync::{Arc, Mutex};

use opsgenie_client::{AlertRef, Client, Priority};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Collects tracing output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_span_shows_the_path_really_sent() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/jsm/ops/api/cloud-1/v1/alerts/a1/priority"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = Client::builder_jsm("cloud-1", "ann@example.com", "fake-atlassian-token-0000")
        .base_url(server.uri())
        .retry_policy(opsgenie_client::RetryPolicy::none())
        .build()
        .expect("client");
    let e = client
        .alerts()
        .update_priority(AlertRef::id("a1"), Priority::P1)
        .await
        .expect_err("500");
    assert_eq!(e.status(), Some(500));
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("logs")).to_string();
    assert!(
        logs.contains(r#"method=PATCH path="/jsm/ops/api/{cloudId}/v1/alerts/{id}/priority""#),
        "{logs}"
    );
}
