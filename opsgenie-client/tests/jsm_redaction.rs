//! On JSM Operations the account e-mail and the API token never appear in Debug, errors, URLs
//! or logs (TRACE). Alone in its own test binary so that no other test's callsites race the
//! scoped log subscriber.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsgenie_client::{AlertRef, Client, Error, RetryPolicy};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EMAIL: &str = "dana.private-mail@example.com";
const TOKEN: &str = "ATATT-fake-token-for-redaction-SECRET";

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
async fn jsm_email_and_token_never_appear_in_logs_errors_or_urls() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    // Echoes the credentials, and fails often enough that retries and give-ups are logged.
    // (JSM has no count call: `count()` reads the list's `count`, issue 13.)
    Mock::given(method("GET"))
        .and(path_regex("/v1/alerts$"))
        .respond_with(ResponseTemplate::new(503).set_body_json(serde_json::json!({
            "message": format!("{EMAIL}:{TOKEN} is overloaded"),
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("/alerts/a1/close$"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "errorMessages": [format!("token {TOKEN} of {EMAIL} was revoked")],
        })))
        .mount(&server)
        .await;
    let client = Client::builder_jsm("cloud-1", EMAIL, TOKEN)
        .base_url(server.uri())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .build()
        .expect("client");
    let e1 = client.alerts().count().await.expect_err("503");
    let e2 = client
        .alerts()
        .close(AlertRef::id("a1"))
        .await
        .expect_err("401");
    let unreachable = Client::builder_jsm("cloud-1", EMAIL, TOKEN)
        .base_url("http://127.0.0.1:1")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let e3 = unreachable.alerts().count().await.expect_err("connect");
    assert!(matches!(e3, Error::Transport(_)));

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("logs")).to_string();
    assert!(
        logs.contains("backend=\"jsm\""),
        "the span names the backend: {logs}"
    );
    assert!(logs.contains("retrying"), "retries are logged: {logs}");
    let mut texts = vec![
        format!("{client:?}"),
        format!("{:?}", Client::builder_jsm("cloud-1", EMAIL, TOKEN)),
        logs,
    ];
    for e in [&e1, &e2, &e3] {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
    }
    for text in &texts {
        assert!(!text.contains(EMAIL), "e-mail leaked: {text}");
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
    assert_eq!(
        e2.as_api().map(|a| a.message.as_str()),
        Some("token <redacted> of <redacted> was revoked")
    );
    for r in server.received_requests().await.unwrap_or_default() {
        assert!(!r.url.as_str().contains(EMAIL) && !r.url.as_str().contains(TOKEN));
    }
}
