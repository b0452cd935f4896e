//! Redaction: the key never reaches `Debug`, errors, URLs or logs.
//!
//! Its own test binary with one test, so the log capture sees every event of the calls it makes
//! (tracing caches per-callsite interest process-wide, which races with other tests' threads).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{KEY, PAGE, call, catch_all, client, json, server};
use statuspage_client::Client;
use wiremock::ResponseTemplate;

const COMPONENTS: &str = "/pages/fakepage0001/components";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_never_appears_in_debug_errors_urls_or_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = server().await;
    call("GET", "/pages")
        .respond_with(json(401, "errors/401.json"))
        .mount(&server)
        .await;
    call("GET", COMPONENTS)
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    call("GET", COMPONENTS)
        .respond_with(json(200, "components/list.json"))
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);

    let error = client.pages().list().await.expect_err("401");
    client.components(PAGE).list().await.expect("retried");
    let builder = Client::builder(KEY).base_url(server.uri());

    let received = server.received_requests().await.expect("recording");
    assert!(
        received.iter().all(|r| !r.url.as_str().contains(KEY)),
        "the key is never in a URL"
    );
    assert!(
        received.iter().all(
            |r| r.headers.get("authorization").and_then(|v| v.to_str().ok())
                == Some(&format!("OAuth {KEY}"))
        ),
        "the key is sent in the header"
    );

    let logged = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        logged.contains("retrying"),
        "the retry was logged: {logged}"
    );
    assert!(
        logged.contains("/pages/{page_id}/components"),
        "spans carry the path template"
    );
    for text in [
        format!("{client:?}"),
        format!("{builder:?}"),
        format!("{error}"),
        format!("{error:?}"),
        logged,
    ] {
        assert!(!text.contains(KEY), "the key leaked into: {text}");
    }
    assert!(format!("{client:?}").contains("<redacted>"));
    assert!(format!("{builder:?}").contains("<redacted>"));

    // Every other error path, both clients, and every builder's Debug.
    let mut texts = every_error_path().await;
    texts.extend(every_builder(&client));
    let logged = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        logged.contains("giving up"),
        "exhausted retries were logged"
    );
    texts.push(logged);
    for text in &texts {
        assert!(!text.contains(KEY), "the key leaked into: {text}");
    }
    println!("redaction: {} texts checked", texts.len());
}

/// Drives both clients through every error path; returns the Display and Debug of each error.
async fn every_error_path() -> Vec<String> {
    use statuspage_client::{PublicClient, RetryPolicy};
    use std::time::Duration;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer};

    // The manage client's answers echo its key; the public client has none to echo.
    let answers = |secret: &str| -> Vec<(&'static str, ResponseTemplate)> {
        let echo = format!(r#"{{"error":"key {secret} is not valid","message":"{secret}"}}"#);
        vec![
            (
                "401 echoing the key",
                ResponseTemplate::new(401).set_body_raw(echo.clone(), "application/json"),
            ),
            (
                "422 echoing the key",
                ResponseTemplate::new(422).set_body_raw(echo.clone(), "application/json"),
            ),
            (
                "420 echoing the key",
                ResponseTemplate::new(420).set_body_raw(echo.clone(), "application/json"),
            ),
            (
                "429 with a long Retry-After",
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "3600")
                    .set_body_raw(echo.clone(), "application/json"),
            ),
            (
                "500 echoing the key",
                ResponseTemplate::new(500).set_body_raw(echo.clone(), "text/plain"),
            ),
            ("404", ResponseTemplate::new(404)),
            (
                "a 200 that does not decode and echoes the key",
                ResponseTemplate::new(200)
                    .set_body_raw(format!(r#"{{"id":"{secret}","#), "application/json"),
            ),
            (
                "a 200 whose wrong type quotes the key",
                ResponseTemplate::new(200).set_body_raw(
                    format!(r#"[{{"id":"c1","name":"n","position":"{secret}"}}]"#),
                    "application/json",
                ),
            ),
            (
                "a 200 over the size limit",
                ResponseTemplate::new(200)
                    .set_body_raw(format!("[\"{secret}\"]").repeat(100), "application/json"),
            ),
            (
                "a slow answer",
                ResponseTemplate::new(200)
                    .set_body_raw("[]", "application/json")
                    .set_delay(Duration::from_millis(500)),
            ),
        ]
    };
    let mut errors: Vec<(&str, statuspage_client::Error)> = Vec::new();
    let server = MockServer::start().await;
    let retries = RetryPolicy::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
        .with_max_retry_after(Duration::from_millis(10));
    for ((what, echoing), (_, neutral)) in answers(KEY).into_iter().zip(answers("other-text")) {
        server.reset().await;
        Mock::given(any())
            .respond_with(echoing)
            .mount(&server)
            .await;
        let client = Client::builder(KEY)
            .base_url(server.uri())
            .without_pacing()
            .timeout(Duration::from_millis(200))
            .max_response_bytes(1024)
            .retry_policy(retries.clone())
            .build()
            .expect("client");
        let manage = client.components(PAGE).list().await.expect_err(what);
        let created = client.components(PAGE).create("API").await.expect_err(what);
        server.reset().await;
        Mock::given(any())
            .respond_with(neutral)
            .mount(&server)
            .await;
        let public = PublicClient::builder(server.uri())
            .timeout(Duration::from_millis(200))
            .max_response_bytes(1024)
            .retry_policy(retries.clone())
            .build()
            .expect("public client");
        let public = public.summary().await.expect_err(what);
        errors.extend([(what, manage), (what, created), (what, public)]);
    }
    // The key echoed by a server never reaches the error's message or body.
    for (what, error) in &errors {
        if let statuspage_client::Error::Api(api) = error {
            assert!(
                !api.body.contains(KEY) && !api.message.contains(KEY),
                "{what}: {api:?}"
            );
        }
    }
    // A transport error (its Display carries the URL), a key that cannot be sent, a bad URL.
    let down = Client::builder(KEY)
        .base_url("http://127.0.0.1:1/v1")
        .without_pacing()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    errors.push((
        "closed port",
        down.pages().list().await.expect_err("refused"),
    ));
    let bad_key = format!("{KEY}\n");
    errors.push((
        "a key with a line break",
        Client::new(bad_key).expect_err("invalid"),
    ));
    errors.push((
        "a bad base url",
        Client::builder(KEY)
            .base_url("not a url")
            .build()
            .expect_err("invalid"),
    ));
    errors.push((
        "invalid input",
        client_for_validation()
            .components(PAGE)
            .create("")
            .await
            .expect_err("empty name"),
    ));
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|(_, e)| {
            format!("{e:?}")
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert!(
        [
            "Api",
            "RateLimited",
            "Decode",
            "BodyTooLarge",
            "Timeout",
            "Transport",
            "InvalidInput"
        ]
        .iter()
        .all(|k| kinds.contains(*k)),
        "every error kind was produced: {kinds:?}"
    );
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

fn client_for_validation() -> Client {
    Client::builder(KEY)
        .without_pacing()
        .build()
        .expect("client")
}

/// The Debug of every client, handler and request builder.
fn every_builder(client: &Client) -> Vec<String> {
    use statuspage_client::{ComponentStatus, PublicClient};
    let public = PublicClient::new("https://status.example.test").expect("public");
    let at = chrono::Utc::now();
    vec![
        format!("{client:?}"),
        format!("{:?}", Client::builder(KEY)),
        format!("{public:?}"),
        format!("{:?}", PublicClient::builder("https://status.example.test")),
        format!("{:?}", client.pages()),
        format!("{:?}", client.pages().update("p").name("n")),
        format!("{:?}", client.components(PAGE)),
        format!("{:?}", client.components(PAGE).list().per_page(5)),
        format!(
            "{:?}",
            client
                .components(PAGE)
                .create("API")
                .status(ComponentStatus::MajorOutage)
        ),
        format!("{:?}", client.component_groups(PAGE).create("Web", ["c1"])),
        format!("{:?}", client.incidents(PAGE).create("Down").body("b")),
        format!(
            "{:?}",
            client.incidents(PAGE).schedule_maintenance("M", at, at)
        ),
        format!(
            "{:?}",
            client.incidents(PAGE).edit_update("i", "u").body("b")
        ),
        format!("{:?}", client.incidents(PAGE).postmortem("i")),
        format!("{:?}", client.incidents(PAGE).postmortem("i").publish()),
        format!("{:?}", client.incident_templates(PAGE).create("t", "title")),
        format!(
            "{:?}",
            client.subscribers(PAGE).create().email("a@example.test")
        ),
        format!("{:?}", client.metrics(PAGE)),
    ]
}
