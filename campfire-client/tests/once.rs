//! The current Campfire: bot calls, webhooks and replies.

mod common;

use std::time::Duration;

use campfire_client::once::{BotClient, Message, PageCursor, Reply, Role, WebhookEvent};
use campfire_client::{Error, FilePart, MessageId, RetryPolicy};
use common::*;
use futures_util::TryStreamExt;
use wiremock::matchers::{body_string, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MESSAGES: &str = "/rooms/7/12-FakeBotKey00/messages";

async fn setup() -> (MockServer, BotClient) {
    let server = MockServer::start().await;
    let bot = BotClient::builder(&server.uri(), BOT_KEY)
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    (server, bot)
}

fn created(id: u64) -> ResponseTemplate {
    ResponseTemplate::new(201).insert_header("Location", format!("/messages/{id}").as_str())
}

// ---- request construction -------------------------------------------------------------------

#[tokio::test]
async fn post_text_escapes_html_and_returns_the_location() {
    let (server, bot) = setup().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(header("content-type", "text/plain; charset=utf-8"))
        .and(header(
            "user-agent",
            "campfire-client/0.1.0 (+https://github.com/opsbot-rs/opsbot)",
        ))
        .and(body_string("API &lt;v2&gt; &amp; web<br>all green"))
        .respond_with(answer("once/post_created.answer.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let posted = bot
        .post_text(7, "API <v2> & web\nall green")
        .await
        .expect("posted");
    assert_eq!(posted.id, Some(MessageId::new(1202)));
    assert_eq!(
        posted.url.map(|u| u.to_string()).as_deref(),
        Some("https://chat.example.com/messages/1202")
    );
}

#[tokio::test]
async fn post_html_and_sound_send_the_body_as_is() {
    let (server, bot) = setup().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string("<strong>API</strong> degraded"))
        .respond_with(created(1))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string("/play tada"))
        .respond_with(created(2))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    assert_eq!(
        bot.post_html(7, "<strong>API</strong> degraded")
            .await
            .ok()
            .and_then(|p| p.id),
        Some(MessageId::new(1))
    );
    assert_eq!(
        bot.play_sound(7, "tada").await.ok().and_then(|p| p.id),
        Some(MessageId::new(2))
    );
}

#[tokio::test]
async fn attachment_is_multipart_field_attachment() {
    let (server, bot) = setup().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string_contains(
            "name=\"attachment\"; filename=\"deploy.log\"",
        ))
        .and(body_string_contains("Content-Type: text/plain"))
        .and(body_string_contains("all good"))
        .respond_with(created(3))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let file = FilePart::new("deploy.log", b"all good\n".to_vec()).content_type("text/plain");
    let posted = bot.post_attachment(7, file).await.expect("posted");
    assert_eq!(posted.id, Some(MessageId::new(3)));
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (server, bot) = setup().await;
    mount_catch_all(&server).await;
    assert!(matches!(
        bot.post_text(7, "  \n").await,
        Err(Error::InvalidInput { field: "text", .. })
    ));
    assert!(matches!(
        bot.play_sound(7, "rim shot").await,
        Err(Error::InvalidInput { field: "sound", .. })
    ));
    assert!(matches!(
        bot.post_attachment(7, FilePart::new("../etc/passwd", "x"))
            .await,
        Err(Error::InvalidInput {
            field: "file_name",
            ..
        })
    ));
    assert!(matches!(
        bot.boost(7, 1, " ").await,
        Err(Error::InvalidInput { .. })
    ));
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.is_empty(), "sent {} requests", requests.len());
}

#[tokio::test]
async fn list_update_delete_boost_unboost() {
    let (server, bot) = setup().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .and(query_param("before", "1202"))
        .respond_with(
            json_answer(200, "once/messages_page.json").insert_header("X-Total-Count", "3"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{MESSAGES}/1200")))
        .and(body_string("Deploy finished (edited)"))
        .respond_with(json_answer(200, "once/message.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{MESSAGES}/1200")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{MESSAGES}/1201/boosts")))
        .and(body_string("👍"))
        .respond_with(json_answer(201, "once/boost.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{MESSAGES}/1201/boosts/55")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let page = bot.messages(7).before(1202).await.expect("page");
    assert_eq!(page.messages.len(), 3);
    assert_eq!(page.total_count, Some(3));
    assert_eq!(
        page.next, None,
        "a short page without Link has no next page"
    );
    let edited = bot
        .update_text(7, 1200, "Deploy finished (edited)")
        .await
        .expect("update");
    assert_eq!(
        edited.body.plain_text.as_deref(),
        Some("Deploy finished (edited)")
    );
    bot.delete_message(7, 1200).await.expect("delete");
    let boost = bot.boost(7, 1201, "👍").await.expect("boost");
    assert_eq!(boost.id.get(), 55);
    assert_eq!(boost.message.map(|m| m.id), Some(MessageId::new(1201)));
    bot.unboost(7, 1201, boost.id).await.expect("unboost");
}

#[tokio::test]
async fn message_stream_follows_link_headers_across_pages() {
    let (server, bot) = setup().await;
    let page = |ids: &[u64]| {
        serde_json::Value::Array(
            ids.iter()
                .map(|id| serde_json::json!({"id": id, "body": {"plain_text": format!("m{id}"), "html": ""}}))
                .collect(),
        )
    };
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .and(query_param("after", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(&[101, 102]))
                .insert_header(
                    "Link",
                    format!("<{}{MESSAGES}?after=102>; rel=\"next\"", server.uri()).as_str(),
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .and(query_param("after", "102"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&[103])))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let all: Vec<Message> = bot
        .messages(7)
        .after(100)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    let ids: Vec<u64> = all.iter().map(|m| m.id.get()).collect();
    assert_eq!(ids, [101, 102, 103]);
}

#[tokio::test]
async fn a_full_page_without_link_continues_from_the_oldest_id() {
    let (server, bot) = setup().await;
    let messages: Vec<serde_json::Value> = (1000..1040)
        .map(|id| serde_json::json!({"id": id}))
        .collect();
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .and(wiremock::matchers::query_param_is_missing("before"))
        .respond_with(ResponseTemplate::new(200).set_body_json(messages))
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let page = bot.messages(7).await.expect("page");
    assert_eq!(page.next, Some(PageCursor::Before(MessageId::new(1000))));
}

// ---- fixtures -------------------------------------------------------------------------------

#[test]
fn every_once_fixture_decodes() {
    for file in fixture_files("once") {
        let text = fixture(&format!("once/{file}"));
        match file.as_str() {
            f if f.starts_with("webhook_") => {
                let event =
                    WebhookEvent::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{f}: {e}"));
                assert!(event.room.path.room_id().is_ok(), "{f}");
            }
            "messages_page.json" => {
                let messages: Vec<Message> = serde_json::from_str(&text).expect(&file);
                assert_eq!(messages.len(), 3);
                let roles: Vec<_> = messages
                    .iter()
                    .filter_map(|m| m.creator.as_ref()?.role.clone())
                    .collect();
                assert_eq!(
                    roles,
                    [
                        Role::Administrator,
                        Role::Bot,
                        Role::Unknown("moderator".into())
                    ]
                );
                assert!(
                    messages
                        .get(1)
                        .and_then(|m| m.creator.as_ref())
                        .is_some_and(|c| c.is_bot())
                );
                assert_eq!(
                    serde_json::to_value(Role::Unknown("moderator".into())).ok(),
                    Some(serde_json::json!("moderator"))
                );
            }
            "messages_page_wrapped.json" => {
                let value: serde_json::Value = serde_json::from_str(&text).expect(&file);
                let messages: Vec<Message> =
                    serde_json::from_value(value["messages"].clone()).expect(&file);
                assert_eq!(
                    messages
                        .first()
                        .and_then(|m| m.body.plain_text.clone())
                        .as_deref(),
                    Some("older message")
                );
            }
            "message.json" => {
                let message: Message = serde_json::from_str(&text).expect(&file);
                assert_eq!(
                    message.creator.as_ref().and_then(|c| c.role.clone()),
                    Some(Role::Bot)
                );
                assert!(message.created_at.is_some());
            }
            "boost.json" => {
                let boost: campfire_client::once::Boost = serde_json::from_str(&text).expect(&file);
                assert_eq!(boost.content, "👍");
                assert_eq!(boost.booster.map(|b| b.id.get()), Some(12));
            }
            f if f.ends_with(".answer.json") => {
                let doc = fixture_json(&format!("once/{f}"));
                assert!(doc["status"].is_u64(), "{f}");
            }
            other => panic!("fixture without a decoding test: {other}"),
        }
    }
}

#[tokio::test]
async fn wrapped_page_shape_decodes_through_the_client() {
    let (server, bot) = setup().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(json_answer(200, "once/messages_page_wrapped.json"))
        .mount(&server)
        .await;
    let page = bot.messages(7).await.expect("page");
    let first = page.messages.first().expect("one message");
    assert_eq!(first.body.plain_text.as_deref(), Some("older message"));
    assert_eq!(first.creator.as_ref().map(|c| c.is_bot()), Some(false));
    assert_eq!(page.next, None, "has_more: false");
}

#[test]
fn webhook_payloads() {
    let channel = WebhookEvent::from_json(fixture("once/webhook_channel_room.json").as_bytes())
        .expect("channel");
    assert_eq!(channel.user.name, "Ada Example");
    assert_eq!(channel.room.name.as_deref(), Some("Ops"));
    assert!(!channel.is_direct());
    assert_eq!(channel.text(), "status?");
    assert!(
        channel
            .message
            .body
            .html
            .contains("application/vnd.campfire.mention")
    );
    assert_eq!(
        campfire_client::strip_mentions_html(&channel.message.body.html, Some("FAKE-SGID-BOT-12")),
        "<div> status?</div>"
    );
    let base = url::Url::parse("https://chat.example.com").expect("url");
    assert_eq!(
        channel.reply_url(&base).expect("reply url").as_str(),
        "https://chat.example.com/rooms/7/12-FakeBotKey00/messages"
    );
    assert!(
        !format!("{channel:?}").contains(BOT_TOKEN),
        "Debug of an event leaks the key"
    );

    let direct = WebhookEvent::from_json(fixture("once/webhook_direct_room.json").as_bytes())
        .expect("direct");
    assert!(direct.is_direct());
    assert_eq!(direct.text(), "genie ack");
    assert_eq!(direct.room.path.bot_key().expect("key").user_id().get(), 12);

    // An attachment-only message: no rich text (`null` HTML), the file name as its plain text.
    let attachment =
        WebhookEvent::from_json(fixture("once/webhook_attachment_only.json").as_bytes())
            .expect("attachment only");
    assert_eq!(attachment.message.body.html, "");
    assert_eq!(attachment.text(), "graph.png");

    // A field a server adds later (a `type`, say) is ignored, not an error.
    let mut extra = fixture_json("once/webhook_channel_room.json");
    extra["type"] = serde_json::json!("message");
    extra["message"]["boosts"] = serde_json::json!([]);
    let tolerated = WebhookEvent::from_json(extra.to_string().as_bytes()).expect("extra fields");
    assert_eq!(tolerated, channel);
    assert!(
        !serde_json::to_string(&tolerated)
            .unwrap_or_default()
            .contains("\"type\""),
        "no invented event type is written back"
    );

    let err = WebhookEvent::from_json(br#"{"user":{"id":"x"}}"#).expect_err("error");
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "user.id"),
        "{err}"
    );
}

#[tokio::test]
async fn a_bot_can_answer_later_from_room_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rooms/19/12-FakeBotKey00/messages"))
        .and(body_string("done"))
        .respond_with(created(9))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let event = WebhookEvent::from_json(fixture("once/webhook_direct_room.json").as_bytes())
        .expect("event");
    let bot = BotClient::from_room_path(&server.uri(), &event.room.path).expect("client");
    assert_eq!(bot.key().user_id().get(), 12);
    bot.post_text(event.room.id, "done").await.expect("posted");
}

// ---- behaviour ------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_key_redirect_is_an_auth_error_and_is_not_followed() {
    let (server, bot) = setup().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(
            answer("once/invalid_key.answer.json")
                .insert_header("Location", format!("{}/session/new", server.uri()).as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/session/new"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let err = bot.post_text(7, "hi").await.expect_err("error");
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    assert!(err.is_unauthorized());
    assert!(!err.to_string().contains(BOT_TOKEN));
}

#[tokio::test]
async fn a_followed_redirect_to_the_login_page_is_still_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/session/new"))
        .mount(&server)
        .await;
    Mock::given(path("/session/new"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>sign in</html>", "text/html"))
        .mount(&server)
        .await;
    let following = reqwest::Client::builder().build().expect("reqwest");
    let bot = BotClient::builder(&server.uri(), BOT_KEY)
        .http_client(following)
        .build()
        .expect("client");
    let err = bot.messages(7).await.expect_err("error");
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
}

/// On current servers a 404 from list, update, delete, boost and unboost means the room, the message or the
/// boost was not found (`app/controllers/messages/by_bots_controller.rb`,
/// `app/controllers/messages/boosts/by_bots_controller.rb` of `basecamp/once-campfire`); an older server's
/// missing route answers the same 404, so neither is reported as "unsupported".
#[tokio::test]
async fn a_404_from_the_bot_routes_is_not_found() {
    let (server, bot) = setup().await;
    Mock::given(wiremock::matchers::path_regex(
        "^/rooms/7/12-FakeBotKey00/messages.+|^/rooms/7/12-FakeBotKey00/messages$",
    ))
    .and(method("GET"))
    .respond_with(answer("once/not_found.answer.json"))
    .mount(&server)
    .await;
    Mock::given(wiremock::matchers::path_regex(
        "^/rooms/7/12-FakeBotKey00/messages/.+",
    ))
    .respond_with(answer("once/route_not_found.answer.json"))
    .mount(&server)
    .await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(answer("once/not_found.answer.json"))
        .mount(&server)
        .await;

    let err = bot.messages(7).await.expect_err("error");
    assert!(
        matches!(
            err,
            Error::NotFound {
                operation: "list messages",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_not_found());
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().contains("not found"), "{err}");
    assert!(
        !err.to_string().contains("not supported"),
        "a 404 never claims the route is missing: {err}"
    );
    for (operation, result) in [
        ("delete message", bot.delete_message(7, 1).await),
        ("update message", bot.update_html(7, 1, "x").await.map(drop)),
        ("boost", bot.boost(7, 1, "x").await.map(drop)),
        ("remove boost", bot.unboost(7, 1, 2).await),
    ] {
        assert!(
            matches!(&result, Err(Error::NotFound { operation: op, .. }) if *op == operation),
            "{operation}: {result:?}"
        );
    }
    let err = bot.unboost(7, 1, 2).await.expect_err("error");
    assert!(err.to_string().contains("boost"), "{err}");
    // Posting exists everywhere: a 404 there is the room, not the server.
    let err = bot.post_text(7, "hi").await.expect_err("error");
    assert!(
        matches!(&err, Error::Api(api) if api.is_not_found()),
        "{err:?}"
    );
}

#[tokio::test]
async fn empty_body_422_is_an_api_error() {
    let (server, bot) = setup().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(answer("once/empty_body.answer.json"))
        .expect(1)
        .mount(&server)
        .await;
    let err = bot.post_html(7, "<p></p>").await.expect_err("error");
    assert_eq!(err.status(), Some(422));
}

#[tokio::test]
async fn post_is_retried_after_429_but_not_after_500() {
    let (server, bot) = setup().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string("first"))
        .respond_with(answer("once/banned_ip.answer.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string("first"))
        .respond_with(created(10))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_string("second"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;

    assert_eq!(
        bot.post_text(7, "first").await.ok().and_then(|p| p.id),
        Some(MessageId::new(10))
    );
    let err = bot.post_text(7, "second").await.expect_err("error");
    assert_eq!(
        err.status(),
        Some(500),
        "a POST is not retried after a 5xx: {err:?}"
    );
}

#[tokio::test]
async fn rate_limit_that_outlasts_the_policy_is_rate_limited() {
    let (server, bot) = setup().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(4)
        .mount(&server)
        .await;
    let err = bot.messages(7).await.expect_err("error");
    assert!(
        matches!(err, Error::RateLimited { status: 429, retry_after: Some(d) } if d.is_zero()),
        "{err:?}"
    );
}

#[tokio::test]
async fn throttling_is_client_wide() {
    let (server, bot) = setup().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{MESSAGES}/5")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let started = std::time::Instant::now();
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.messages(7).await.map(|p| p.messages.len()) }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // This call was never refused, but the client waits out the other call's Retry-After.
    bot.delete_message(7, 5).await.expect("delete");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "the second call did not wait: {:?}",
        started.elapsed()
    );
    assert_eq!(first.await.ok().and_then(|r| r.ok()), Some(0));
}

#[tokio::test]
async fn get_is_retried_on_5xx_and_times_out_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!([]))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&server)
        .await;
    let bot = BotClient::builder(&server.uri(), BOT_KEY)
        .retry_policy(fast_retries().with_max_attempts(2))
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let err = bot.messages(7).await.expect_err("error");
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_millis(100)),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_key_never_reaches_an_error_or_debug() {
    // Nothing listens on port 9 of loopback: a connect error whose reqwest message would carry the URL.
    let bot = BotClient::builder("http://127.0.0.1:9", BOT_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = bot.post_text(7, "hi").await.expect_err("error");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let mut texts = vec![err.to_string(), format!("{err:?}"), format!("{bot:?}")];
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        texts.push(s.to_string());
        source = s.source();
    }
    for text in texts {
        assert!(!text.contains(BOT_TOKEN), "leaked: {text}");
    }
}

#[tokio::test]
async fn oversized_answers_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MESSAGES))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(vec![serde_json::json!({"id": 1}); 500]),
        )
        .mount(&server)
        .await;
    let bot = BotClient::builder(&server.uri(), BOT_KEY)
        .max_response_bytes(1024)
        .build()
        .expect("client");
    assert!(matches!(
        bot.messages(7).await,
        Err(Error::BodyTooLarge { limit: 1024 })
    ));
}

#[tokio::test]
async fn decode_errors_name_the_path() {
    let (server, bot) = setup().await;
    Mock::given(method("PUT"))
        .and(path(format!("{MESSAGES}/1")))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"id":"one"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let err = bot.update_html(7, 1, "x").await.expect_err("error");
    assert!(
        matches!(&err, Error::Decode { status: 200, path, excerpt, .. } if path == "id" && excerpt.contains("one")),
        "{err:?}"
    );
}

// ---- replies --------------------------------------------------------------------------------

#[test]
fn replies_map_to_what_campfire_expects() {
    let text = Reply::text("Status: <ok>\nall good").into_http();
    assert_eq!(text.status(), 200);
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(text.body(), "Status: &lt;ok&gt;<br>all good");

    let html = Reply::html("<em>ok</em>").into_http();
    assert_eq!(html.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(html.body(), "<em>ok</em>");

    let none = Reply::none().into_http();
    assert_eq!(none.status(), 204);
    assert!(none.headers().get("content-type").is_none());
    assert!(none.body().is_empty());
}
