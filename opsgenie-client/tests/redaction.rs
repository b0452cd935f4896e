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

    // Every other error path and every builder's Debug.
    let mut texts = every_error_path().await;
    texts.extend(every_builder(&c));

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("logs")).to_string();
    assert!(
        logs.contains("/v2/alerts/count"),
        "the span names the path template: {logs}"
    );
    assert!(logs.contains("giving up"), "exhausted retries were logged");
    texts.extend([format!("{c:?}"), logs]);
    for e in [&e1, &e2, &e3] {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
    }
    println!("redaction: {} texts checked", texts.len());
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

/// Drives the client through every error path against answers that echo the key; returns the
/// Display, Debug and sources of each error.
async fn every_error_path() -> Vec<String> {
    use std::time::Duration;
    let echo =
        format!(r#"{{"message":"key {KEY} is wrong","requestId":"r-1","errors":{{"k":"{KEY}"}}}}"#);
    let answers: Vec<(&str, ResponseTemplate)> = vec![
        (
            "401",
            ResponseTemplate::new(401).set_body_raw(echo.clone(), "application/json"),
        ),
        (
            "422",
            ResponseTemplate::new(422).set_body_raw(echo.clone(), "application/json"),
        ),
        (
            "429",
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3600")
                .set_body_raw(echo.clone(), "application/json"),
        ),
        (
            "503",
            ResponseTemplate::new(503).set_body_raw(format!("<html>{KEY}</html>"), "text/html"),
        ),
        (
            "a 200 that does not decode",
            ResponseTemplate::new(200).set_body_raw(
                format!(r#"{{"data":{{"count":"{KEY}"}}}}"#),
                "application/json",
            ),
        ),
        (
            "a 200 over the size limit",
            ResponseTemplate::new(200)
                .set_body_raw(format!("[\"{KEY}\"]").repeat(100), "application/json"),
        ),
        (
            "a slow answer",
            ResponseTemplate::new(200)
                .set_body_raw("{}", "application/json")
                .set_delay(Duration::from_millis(500)),
        ),
    ];
    let server = wiremock::MockServer::start().await;
    let mut errors: Vec<(String, Error)> = Vec::new();
    for (what, answer) in answers {
        server.reset().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(answer)
            .mount(&server)
            .await;
        let c = Client::builder(KEY)
            .base_url(server.uri())
            .timeout(Duration::from_millis(200))
            .max_response_bytes(1024)
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(2))
                    .with_max_retry_after(Duration::from_millis(10)),
            )
            .build()
            .expect("client");
        errors.push((
            format!("{what} count"),
            c.alerts().count().await.expect_err(what),
        ));
        errors.push((
            format!("{what} create"),
            c.alerts().create("x").await.expect_err(what),
        ));
    }
    // An action that Opsgenie reports failed, with the key in its status text, and one whose
    // outcome never comes.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(common::accepted("req-1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts/requests/req-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": {"success": false, "isSuccess": false, "status": format!("Alert {KEY} does not exist"), "action": "Acknowledge"},
            "requestId": "r-2"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/incidents/requests/never"))
        .respond_with(common::respond(404, "requests/not_processed.json"))
        .mount(&server)
        .await;
    let c = Client::builder(KEY)
        .base_url(server.uri())
        .outcome_poll_interval(Duration::from_millis(1), Duration::from_millis(5))
        .outcome_timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let handle = c
        .alerts()
        .acknowledge(AlertRef::tiny("1"))
        .await
        .expect("accepted");
    errors.push((
        "failed action".into(),
        handle.wait().await.expect_err("failed"),
    ));
    let pending = c
        .incidents()
        .request("never")
        .wait()
        .await
        .expect_err("pending");
    errors.push(("outcome timeout".into(), pending));
    let bad_key = format!("{KEY}\n");
    errors.push((
        "a key with a line break".into(),
        Client::new(bad_key).expect_err("invalid"),
    ));
    errors.push((
        "invalid input".into(),
        c.alerts().create("").await.expect_err("empty message"),
    ));
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|(_, e)| {
            format!("{e:?}")
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect()
        })
        .collect();
    for kind in [
        "Api",
        "RateLimited",
        "Decode",
        "BodyTooLarge",
        "Timeout",
        "InvalidInput",
        "RequestFailed",
        "OutcomeTimeout",
    ] {
        assert!(kinds.contains(kind), "{kind} was produced: {kinds:?}");
    }
    errors
        .iter()
        .flat_map(|(what, e)| {
            let mut texts = vec![format!("{what}: {e}"), format!("{what}: {e:?}")];
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                texts.push(format!("{what}: source {s} / {s:?}"));
                source = s.source();
            }
            texts
        })
        .collect()
}

/// The Debug of every client, handler and request builder.
fn every_builder(c: &Client) -> Vec<String> {
    use opsgenie_client::schedules::ScheduleRef;
    use opsgenie_client::{AlertAction, UserRef};
    let now = chrono::Utc::now();
    vec![
        format!("{c:?}"),
        format!("{:?}", Client::builder(KEY)),
        format!("{:?}", c.alerts()),
        format!("{:?}", c.alerts().create("m").alias("a")),
        format!("{:?}", c.alerts().list().query("status:open")),
        format!("{:?}", c.alerts().count()),
        format!(
            "{:?}",
            c.alerts().acknowledge(AlertRef::tiny("1")).note("n")
        ),
        format!(
            "{:?}",
            c.alerts().bulk([AlertRef::tiny("1")], AlertAction::Close)
        ),
        format!("{:?}", c.alerts().notes(AlertRef::tiny("1"))),
        format!("{:?}", c.schedules().list()),
        format!("{:?}", c.schedules().on_calls(ScheduleRef::name("ops"))),
        format!(
            "{:?}",
            c.schedules().overrides(ScheduleRef::name("ops")).create(
                UserRef::username("a"),
                now,
                now
            )
        ),
        format!("{:?}", c.heartbeats().update("h")),
        format!("{:?}", c.incidents().create("m", "s")),
        format!("{:?}", c.incidents().request("r")),
        format!("{:?}", RetryPolicy::default()),
    ]
}
