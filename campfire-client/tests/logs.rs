//! Secrets never reach a log line. One test in its own binary: tracing's callsite cache is process-wide,
//! so a capturing subscriber must not race other tests.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use campfire_client::classic::Client;
use campfire_client::once::BotClient;
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
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
async fn keys_and_tokens_never_reach_a_log_line() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    let messages = "/rooms/7/12-FakeBotKey00/messages";
    Mock::given(method("POST"))
        .and(path(messages))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages))
        .respond_with(ResponseTemplate::new(201).insert_header("Location", "/messages/1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(messages))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users/me.json"))
        .respond_with(json_answer(200, "classic/user_me.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rooms.json"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let bot = BotClient::builder(&server.uri(), BOT_KEY)
        .retry_policy(fast_retries())
        .build()
        .expect("bot");
    bot.post_text(7, "hi").await.expect("posted after a retry");
    assert!(bot.messages(7).await.is_err());

    let classic = Client::builder(&server.uri(), API_TOKEN)
        .retry_policy(fast_retries())
        .build()
        .expect("classic");
    let me = classic.me().await.expect("me");
    tracing::info!(?me, "the user as a bot would log it");
    assert!(classic.rooms().await.is_err());

    let logs = capture.0.lock().map(|l| l.clone()).unwrap_or_default();
    let logs = String::from_utf8_lossy(&logs);
    assert!(
        logs.contains("retrying"),
        "the capture saw no retry: {logs}"
    );
    assert!(
        logs.contains("/rooms/{room_id}/{bot_key}/messages"),
        "{logs}"
    );
    assert!(logs.contains("/users/me.json"), "{logs}");
    assert!(
        !logs.contains(BOT_TOKEN),
        "bot key leaked into logs: {logs}"
    );
    assert!(
        !logs.contains(API_TOKEN),
        "API token leaked into logs: {logs}"
    );
    assert!(
        !logs.contains("fake0api0token0not0real0000000000"),
        "user's token leaked: {logs}"
    );
}
