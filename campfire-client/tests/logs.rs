//! Secrets never reach a log line, an error or a `Debug`/`Display`. One test in its own binary: tracing's
//! callsite cache is process-wide, so a capturing subscriber must not race other tests.
//!
//! Every client (`BotClient`, classic `Client`, the live stream) goes through success and every error path
//! with `tracing` captured at TRACE; the `Debug` and `Display` of every client, builder, request, model and
//! error (and each error's `source()` chain) are collected too; then none of it may hold the bot key, its
//! token, the API token, the user's own token from `/users/me.json` or the Basic credentials. Servers that
//! echo a secret back (an error page quoting the request path, a body with the key in a wrongly typed field)
//! are part of it.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use campfire_client::classic::{Client, MessageType, NewMessage, RoomUpdate};
use campfire_client::once::{BotClient, BotKey, RoomPath, WebhookEvent};
use campfire_client::{Error, FilePart};
use common::*;
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncWriteExt;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The user's own token, as `/users/me.json` returns it (fixture `classic/user_me.json`).
const USER_TOKEN: &str = "fake0api0token0not0real0000000000";

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

/// Everything a user could print: `Display`, `Debug` and the whole `source()` chain of each error.
#[derive(Default)]
struct Printed {
    texts: Vec<(String, String)>,
    errors: usize,
}

impl Printed {
    fn debug(&mut self, label: &str, value: &impl std::fmt::Debug) {
        self.texts.push((label.to_owned(), format!("{value:?}")));
        self.texts.push((label.to_owned(), format!("{value:#?}")));
    }

    fn error(&mut self, label: &str, err: &Error) {
        self.errors += 1;
        self.texts.push((label.to_owned(), err.to_string()));
        self.debug(label, err);
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            self.texts
                .push((format!("{label} (source)"), s.to_string()));
            self.texts
                .push((format!("{label} (source)"), format!("{s:?}")));
            source = s.source();
        }
    }

    fn result<T: std::fmt::Debug>(&mut self, label: &str, result: &Result<T, Error>) {
        match result {
            Ok(value) => self.debug(label, value),
            Err(err) => self.error(label, err),
        }
    }
}

/// A loopback port with nothing listening on it.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

/// A server that answers headers promising 100 bytes, sends 10 and hangs up: a body error.
async fn cut_body_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"messages")
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn keys_and_tokens_never_reach_a_log_line_an_error_or_a_debug() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut printed = Printed::default();

    let server = MockServer::start().await;
    let key_path = |room: u32, rest: &str| format!("/rooms/{room}/{BOT_KEY}/messages{rest}");
    let echo = |p: &str| format!("No route matches [POST] \"{p}\" (key {BOT_KEY})");

    // ---- the current Campfire: success ----
    Mock::given(method("POST"))
        .and(path(key_path(7, "")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(key_path(7, "")))
        .respond_with(ResponseTemplate::new(201).insert_header("Location", "/messages/1"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(key_path(7, "")))
        .respond_with(json_answer(200, "once/messages_page.json").insert_header(
            "Link",
            format!("<{}?before=1>; rel=\"next\"", key_path(7, "")).as_str(),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(key_path(7, "")))
        .respond_with(json_answer(200, "once/messages_page.json"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(key_path(7, "/1200")))
        .respond_with(json_answer(200, "once/message.json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(key_path(7, "/1200/boosts")))
        .respond_with(json_answer(201, "once/boost.json"))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path_regex(format!("^/rooms/7/{BOT_KEY}/messages/1200")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    // ---- the current Campfire: every error path ----
    Mock::given(method("GET"))
        .and(path(key_path(8, "")))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(key_path(9, "")))
        .respond_with(answer("once/invalid_key.answer.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(key_path(10, "")))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(key_path(11, "")))
        .respond_with(ResponseTemplate::new(404).set_body_string(echo(&key_path(11, ""))))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(key_path(12, "/1")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(format!("{{\"id\":\"{BOT_KEY}\"}}"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(key_path(13, "")))
        .respond_with(ResponseTemplate::new(422).set_body_raw(
            format!("{{\"error\":\"unknown bot {BOT_KEY}\"}}"),
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(key_path(14, "")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1000"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(key_path(15, "/1")))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(key_path(16, "")))
        .respond_with(json_answer(200, "once/messages_page.json"))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(key_path(17, "/1")))
        .respond_with(ResponseTemplate::new(403).set_body_string(format!(
            "<html><body>Forbidden: {}</body></html>",
            key_path(17, "/1")
        )))
        .mount(&server)
        .await;

    // ---- classic: success and every error path ----
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
    Mock::given(method("GET"))
        .and(path("/account.json"))
        .respond_with(answer("classic/unauthorized.answer.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/room/1001.json"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/room/1001/speak.json"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(
            format!("{{\"message\":{{\"id\":\"{API_TOKEN}\"}}}}"),
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/search"))
        .respond_with(ResponseTemplate::new(404).set_body_string(format!(
            "no such search for token {API_TOKEN} (Authorization: Basic {})",
            base64(format!("{API_TOKEN}:X").as_bytes())
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/room/1001/recent.json"))
        .respond_with(json_answer(200, "classic/recent.json").set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/room/1001/join.json"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/room/1001/live.json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                "{}\r {{\"id\":\"{API_TOKEN}\"}}\r",
                serde_json::json!({"id": 5, "type": "TextMessage", "body": "hi", "starred": "false"})
            ),
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/room/1002/live.json"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/room/1003/live.json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("Access Denied"))
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    // ---- drive the bot client ----
    let builder = BotClient::builder(&server.uri(), BOT_KEY).retry_policy(fast_retries());
    printed.debug("bot builder", &builder);
    let bot = builder
        .timeout(Duration::from_secs(10))
        .build()
        .expect("bot");
    printed.debug("bot client", &bot);
    // A short timeout only where one is wanted, so a loaded machine does not fail the other calls.
    let impatient_bot = BotClient::builder(&server.uri(), BOT_KEY)
        .timeout(Duration::from_millis(100))
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .expect("bot");
    printed.debug("bot key", bot.key());
    printed.debug("list request", &bot.messages(7).before(5));
    let r = bot.post_text(7, "hi").await;
    assert!(r.is_ok(), "posted after a retry: {r:?}");
    printed.result("post_text", &r);
    printed.result("post_html", &bot.post_html(7, "<b>hi</b>").await);
    printed.result("play_sound", &bot.play_sound(7, "tada").await);
    let file = FilePart::new("a.txt", b"x".to_vec()).content_type("text/plain");
    printed.debug("file part", &file);
    printed.result("post_attachment", &bot.post_attachment(7, file).await);
    printed.result("messages", &bot.messages(7).await);
    let all: Result<Vec<_>, Error> = bot.messages(7).stream().try_collect().await;
    assert!(all.is_ok(), "{all:?}");
    printed.result("messages stream", &all);
    printed.result("update_text", &bot.update_text(7, 1200, "x").await);
    printed.result("boost", &bot.boost(7, 1200, "+1").await);
    printed.result("delete", &bot.delete_message(7, 1200).await);
    printed.result("unboost", &bot.unboost(7, 1200, 55).await);
    let errors = [
        ("500 after retries", bot.messages(8).await.map(|_| ())),
        ("redirect to login", bot.post_text(9, "x").await.map(|_| ())),
        ("unsupported", bot.messages(10).await.map(|_| ())),
        (
            "404 echoing the path",
            bot.post_text(11, "x").await.map(|_| ()),
        ),
        (
            "decode error echoing the key",
            bot.update_html(12, 1, "x").await.map(|_| ()),
        ),
        (
            "422 echoing the key",
            bot.post_text(13, "x").await.map(|_| ()),
        ),
        ("rate limited", bot.post_text(14, "x").await.map(|_| ())),
        (
            "timeout",
            impatient_bot.update_html(15, 1, "x").await.map(|_| ()),
        ),
        (
            "403 page echoing the path",
            bot.delete_message(17, 1).await.map(|_| ()),
        ),
        ("invalid input", bot.post_text(7, " ").await.map(|_| ())),
    ];
    for (label, result) in &errors {
        assert!(result.is_err(), "{label}: {result:?}");
        printed.result(label, result);
    }
    let small = BotClient::builder(&server.uri(), BOT_KEY)
        .max_response_bytes(16)
        .build()
        .expect("bot");
    printed.result("too large", &bot_result(small.messages(16).await));
    let bad_key = BotKey::parse(&format!("{BOT_KEY}/"));
    printed.result("bad key", &bad_key);
    printed.result(
        "bad key client",
        &BotClient::new(&server.uri(), &format!("{BOT_KEY}?")),
    );
    let closed = format!("http://127.0.0.1:{}", closed_port().await);
    let offline = BotClient::builder(&closed, BOT_KEY)
        .retry_policy(fast_retries())
        .build()
        .expect("bot");
    let err = offline.post_text(7, "hi").await;
    assert!(matches!(err, Err(Error::Transport(_))), "{err:?}");
    printed.result("connect error", &err);
    let cut = cut_body_server().await;
    let cut_bot = BotClient::builder(&cut, BOT_KEY)
        .retry_policy(fast_retries())
        .build()
        .expect("bot");
    let err = cut_bot.messages(7).await;
    assert!(err.is_err(), "{err:?}");
    printed.result("body cut short", &err);

    // Webhooks.
    let event = WebhookEvent::from_json(fixture("once/webhook_channel_room.json").as_bytes())
        .expect("webhook");
    printed.debug("webhook event", &event);
    printed.debug("room path", &RoomPath::new(key_path(7, "")));
    printed.debug("room path (odd)", &RoomPath::new(format!("/x/{BOT_KEY}")));
    printed.result(
        "bot from room path",
        &BotClient::from_room_path(&server.uri(), &event.room.path),
    );
    // A payload that fails to decode after its room path: the error quotes the start of the body.
    let broken = fixture("once/webhook_channel_room.json").replace("\"id\": 1201", "\"id\": \"x\"");
    let err = WebhookEvent::from_json(broken.as_bytes());
    assert!(
        matches!(&err, Err(Error::Decode { excerpt, .. }) if excerpt.contains("/rooms/7/")),
        "{err:?}"
    );
    printed.result("webhook decode error", &err);
    let mut typed = fixture_json("once/webhook_channel_room.json");
    typed["room"]["id"] = serde_json::json!(key_path(7, ""));
    printed.result(
        "webhook decode error quoting the path",
        &WebhookEvent::from_json(typed.to_string().as_bytes()),
    );

    // ---- drive the classic client ----
    let builder = Client::builder(&server.uri(), API_TOKEN)
        .streaming_url(&server.uri())
        .retry_policy(fast_retries());
    printed.debug("classic builder", &builder);
    let classic = builder
        .timeout(Duration::from_secs(10))
        .build()
        .expect("classic");
    printed.debug("classic client", &classic);
    let impatient = Client::builder(&server.uri(), API_TOKEN)
        .timeout(Duration::from_millis(100))
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .expect("classic");
    printed.debug("recent request", &classic.recent(1001).limit(5));
    printed.debug("new message", &NewMessage::new(MessageType::Text, "x"));
    printed.debug("room update", &RoomUpdate::new().name("x"));
    let me = classic.me().await;
    assert!(me.is_ok(), "{me:?}");
    tracing::info!(?me, "the user as a bot would log it");
    printed.result("me", &me);
    printed.result("join", &classic.join(1001).await);
    let errors = [
        ("plain 503 after retries", classic.rooms().await.map(|_| ())),
        ("401", classic.account().await.map(|_| ())),
        ("503 with Retry-After", classic.room(1001).await.map(|_| ())),
        (
            "decode error echoing the token",
            classic.speak(1001, "x").await.map(|_| ()),
        ),
        (
            "404 echoing the token",
            classic.search("x").await.map(|_| ()),
        ),
        ("timeout", impatient.recent(1001).await.map(|_| ())),
        (
            "invalid input",
            classic
                .upload(1001, FilePart::new("../x", vec![]))
                .await
                .map(|_| ()),
        ),
    ];
    for (label, result) in &errors {
        assert!(result.is_err(), "{label}: {result:?}");
        printed.result(label, result);
    }
    printed.result(
        "bad token client",
        &Client::new(&server.uri(), &format!("{API_TOKEN}:")),
    );
    let in_url = Client::new(&format!("http://{API_TOKEN}:X@127.0.0.1:1"), API_TOKEN);
    assert!(
        matches!(in_url, Err(Error::InvalidInput { .. })),
        "{in_url:?}"
    );
    printed.result("token in the account URL", &in_url);
    let in_url = BotClient::new(&format!("http://{BOT_KEY}@127.0.0.1:1"), BOT_KEY);
    assert!(
        matches!(in_url, Err(Error::InvalidInput { .. })),
        "{in_url:?}"
    );
    printed.result("key in the base URL", &in_url);
    let offline = Client::builder(&closed, API_TOKEN)
        .streaming_url(&closed)
        .retry_policy(fast_retries())
        .build()
        .expect("classic");
    let err = offline.rooms().await;
    assert!(matches!(err, Err(Error::Transport(_))), "{err:?}");
    printed.result("classic connect error", &err);

    // ---- the live stream ----
    let stream = classic
        .stream(1001)
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_consecutive_failures(0);
    printed.debug("room stream", &stream);
    let items: Vec<_> = stream.collect().await;
    assert!(items.first().is_some_and(|i| i.is_ok()), "{items:?}");
    assert!(
        items.iter().filter(|i| i.is_err()).count() >= 2,
        "{items:?}"
    );
    for (i, item) in items.iter().enumerate() {
        printed.result(&format!("stream item {i}"), item);
    }
    for room in [1002, 1003] {
        let items: Vec<_> = classic.stream(room).collect().await;
        assert!(
            matches!(items.first(), Some(Err(Error::Authentication { .. }))),
            "{items:?}"
        );
        for item in &items {
            printed.result(&format!("stream {room}"), item);
        }
    }
    let items: Vec<_> = offline
        .stream(1001)
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_consecutive_failures(1)
        .collect()
        .await;
    assert!(
        matches!(items.last(), Some(Err(Error::Transport(_)))),
        "{items:?}"
    );
    for item in &items {
        printed.result("stream connect error", item);
    }

    // ---- nothing printed or logged holds a secret ----
    let logs = capture.0.lock().map(|l| l.clone()).unwrap_or_default();
    let logs = String::from_utf8_lossy(&logs).into_owned();
    for expected in [
        "retrying",
        "giving up",
        "/rooms/{room_id}/{bot_key}/messages",
        "/users/me.json",
        "live stream interrupted",
    ] {
        assert!(
            logs.contains(expected),
            "the capture lacks {expected:?}: {logs}"
        );
    }
    let basic = base64(format!("{API_TOKEN}:X").as_bytes());
    let secrets = [BOT_KEY, BOT_TOKEN, API_TOKEN, USER_TOKEN, basic.as_str()];
    for secret in secrets {
        assert!(
            !logs.contains(secret),
            "{secret:?} leaked into the logs: {logs}"
        );
        for (label, text) in &printed.texts {
            assert!(
                !text.contains(secret),
                "{secret:?} leaked through {label}: {text}"
            );
        }
    }
    println!(
        "secrets: {} errors and {} printed texts checked, {} bytes of TRACE logs, {} secrets",
        printed.errors,
        printed.texts.len(),
        logs.len(),
        secrets.len()
    );
}

fn bot_result<T>(result: Result<T, Error>) -> Result<(), Error> {
    result.map(|_| ())
}
