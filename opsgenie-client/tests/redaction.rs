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
        .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
            "message": format!("bad key {KEY}"), "errors": {"key": format!("{KEY} is wrong")}
        })))
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
        assert!(!text.contains(KEY), "key leaked: {text}");
    }
    // A server that echoes the key gets it redacted from the message, the body and the errors.
    let api = e1.as_api().expect("api error");
    assert_eq!(api.message, "bad key <redacted>");
    assert!(api.body.contains("<redacted>") && !api.body.contains(KEY));
    assert_eq!(
        api.errors.get("key").map(String::as_str),
        Some("<redacted> is wrong")
    );
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
