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
}
