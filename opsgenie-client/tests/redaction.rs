//! The key never appears in Debug, errors, URLs or logs. Alone in its own test binary so that
//! no other test's callsites race the scoped log subscriber.

mod common;

use std::sync::{Arc, Mutex};

use common::{KEY, client, respond, server};
use opsgenie_client::{AlertRef, Client, Error, RetryPolicy};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

/// A `MakeWriter` that keeps everything logged.
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
async fn the_key_never_appears_in_debug_errors_urls_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/count"))
        .respond_with(ResponseTemplate::new(500).set_body_string(format!("echo {KEY}? no")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/alerts/.+"))
        .respond_with(respond(401, "errors/401.json"))
        .mount(&server)
        .await;
    let c = client(&server);
    let e1 = c.alerts().count().await.expect_err("500");
    let e2 = c.alerts().get(AlertRef::tiny("1")).await.expect_err("401");
    let unreachable = Client::builder(KEY)
        .base_url("http://127.0.0.1:1")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let e3 = unreachable.alerts().count().await.expect_err("connect");
    assert!(matches!(e3, Error::Transport(_)));

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("logs")).to_string();
    assert!(
        logs.contains("/v2/alerts/count"),
        "the span names the path template: {logs}"
    );
    let mut texts = vec![format!("{c:?}"), logs];
    for e in [&e1, &e2, &e3] {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
    }
    for text in &texts {
        assert!(
            !text.contains(KEY) || text.contains("echo"),
            "key leaked: {text}"
        );
    }
    // The raw 500 body echoing the key is kept as the server sent it, but never in Display.
    assert!(!e1.to_string().contains(KEY));
    for r in server.received_requests().await.unwrap_or_default() {
        assert!(!r.url.as_str().contains(KEY), "key in a URL");
        let auth = r
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(
            auth,
            format!("GenieKey {KEY}"),
            "the key goes only in the header"
        );
    }
}
