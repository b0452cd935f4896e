//! Classic Campfire: every call, every fixture, rate limits.

mod common;

use std::time::Duration;

use campfire_client::classic::{
    Client, Message, MessageType, NewMessage, Room, RoomUpdate, Upload, User, UserType,
};
use campfire_client::{Error, FilePart, MessageId, RoomId, UserId};
use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use wiremock::matchers::{
    basic_auth, body_json, body_string_contains, header, method, path, query_param,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(&server.uri(), API_TOKEN)
        .user_agent("opsbot-tests (ops@example.com)")
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    (server, client)
}

/// A mock that insists on Basic `token:X` and the user agent.
fn authed(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(basic_auth(API_TOKEN, "X"))
        .and(header("user-agent", "opsbot-tests (ops@example.com)"))
}

#[tokio::test]
async fn account_rooms_presence_room() {
    let (server, client) = setup().await;
    authed("GET", "/account.json")
        .respond_with(json_answer(200, "classic/account.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/rooms.json")
        .respond_with(json_answer(200, "classic/rooms.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/presence.json")
        .respond_with(json_answer(200, "classic/presence.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/room/1001.json")
        .respond_with(json_answer(200, "classic/room.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let account = client.account().await.expect("account");
    assert_eq!(account.subdomain.as_deref(), Some("acme"));
    assert_eq!(
        account.created_at,
        Utc.with_ymd_and_hms(2009, 11, 22, 19, 11, 41).single()
    );
    let rooms = client.rooms().await.expect("rooms");
    assert_eq!(
        rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Ops", "Dev"]
    );
    assert_eq!(
        rooms.get(1).and_then(|r| r.updated_at),
        Utc.with_ymd_and_hms(2012, 6, 1, 10, 0, 0).single()
    );
    assert_eq!(client.presence().await.expect("presence").len(), 1);
    let room: Room = client.room(1001).await.expect("room");
    assert_eq!(room.users.len(), 3);
    assert_eq!(
        room.users.get(2).and_then(|u| u.user_type.clone()),
        Some(UserType::Guest)
    );
}

#[tokio::test]
async fn create_update_join_leave_lock_unlock() {
    let (server, client) = setup().await;
    authed("POST", "/rooms.json")
        .and(body_json(
            serde_json::json!({"room": {"name": "Incidents", "topic": "one per outage"}}),
        ))
        .respond_with(json_answer(201, "classic/room_created.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("PUT", "/room/1001.json")
        .and(body_json(
            serde_json::json!({"room": {"topic": "API degraded"}}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    for action in ["join", "leave", "lock", "unlock"] {
        authed("POST", &format!("/room/1001/{action}.json"))
            .respond_with(ResponseTemplate::new(200).set_body_string("ignored, not JSON"))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;

    let created = client
        .create_room(RoomUpdate::new().name("Incidents").topic("one per outage"))
        .await
        .expect("create");
    assert_eq!(created.id, RoomId::new(1003));
    client
        .update_room(1001, RoomUpdate::new().topic("API degraded"))
        .await
        .expect("update");
    client.join(1001).await.expect("join");
    client.leave(1001).await.expect("leave");
    client.lock(1001).await.expect("lock");
    client.unlock(1001).await.expect("unlock");
    assert!(matches!(
        client.create_room(RoomUpdate::new().topic("x")).await,
        Err(Error::InvalidInput { field: "name", .. })
    ));
    assert!(matches!(
        client.update_room(1, RoomUpdate::new()).await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn speak_every_type() {
    let (server, client) = setup().await;
    for (kind, body) in [
        ("TextMessage", "Deploy finished"),
        ("PasteMessage", "API: ok\nWeb: degraded"),
        ("SoundMessage", "rimshot"),
        ("TweetMessage", "https://twitter.com/example/status/1"),
    ] {
        authed("POST", "/room/1001/speak.json")
            .and(header("content-type", "application/json"))
            .and(body_json(
                serde_json::json!({"message": {"type": kind, "body": body}}),
            ))
            .respond_with(json_answer(201, "classic/message_created.json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;

    let spoken = client.speak(1001, "Deploy finished").await.expect("speak");
    assert_eq!(spoken.id, MessageId::new(2000042));
    assert_eq!(spoken.message_type, MessageType::Text);
    client
        .paste(1001, "API: ok\nWeb: degraded")
        .await
        .expect("paste");
    client.play_sound(1001, "rimshot").await.expect("sound");
    client
        .speak_message(
            1001,
            NewMessage::new(MessageType::Tweet, "https://twitter.com/example/status/1"),
        )
        .await
        .expect("tweet");
    assert!(matches!(
        client.speak(1001, " ").await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn recent_with_limit_and_since() {
    let (server, client) = setup().await;
    authed("GET", "/room/1001/recent.json")
        .and(query_param("limit", "20"))
        .and(query_param("since_message_id", "2000037"))
        .respond_with(json_answer(200, "classic/recent.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let messages = client
        .recent(1001)
        .limit(20)
        .since(2000037)
        .await
        .expect("recent");
    assert_eq!(messages.len(), 6);
    assert!(matches!(
        client.recent(1001).limit(101).await,
        Err(Error::InvalidInput { field: "limit", .. })
    ));
    assert!(matches!(
        client.recent(1001).limit(0).await,
        Err(Error::InvalidInput { field: "limit", .. })
    ));
}

#[tokio::test]
async fn highlight_transcripts_search() {
    let (server, client) = setup().await;
    authed("POST", "/messages/2000041/star.json")
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    authed("DELETE", "/messages/2000041/star.json")
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/room/1001/transcript.json")
        .respond_with(json_answer(200, "classic/transcript.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/room/1001/transcript/2013/05/04.json")
        .respond_with(json_answer(200, "classic/transcript.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/search")
        .and(query_param("q", "deploy web"))
        .and(query_param("format", "json"))
        .respond_with(json_answer(200, "classic/search.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    client.highlight(2000041).await.expect("star");
    client.unhighlight(2000041).await.expect("unstar");
    assert_eq!(client.transcript_today(1001).await.expect("today").len(), 4);
    let day = NaiveDate::from_ymd_opt(2013, 5, 4).expect("date");
    let messages = client.transcript(1001, day).await.expect("day");
    assert_eq!(
        messages.get(1).map(|m| m.message_type.clone()),
        Some(MessageType::Tweet)
    );
    assert_eq!(client.search("deploy web").await.expect("search").len(), 2);
}

#[tokio::test]
async fn users_and_uploads() {
    let (server, client) = setup().await;
    authed("GET", "/users/me.json")
        .respond_with(json_answer(200, "classic/user_me.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/users/5.json")
        .respond_with(json_answer(200, "classic/user.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/room/1001/uploads.json")
        .and(body_string_contains(
            "name=\"upload\"; filename=\"graph.png\"",
        ))
        .and(body_string_contains("Content-Type: image/png"))
        .respond_with(json_answer(201, "classic/upload.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/room/1001/uploads.json")
        .respond_with(json_answer(200, "classic/uploads.json"))
        .expect(1)
        .mount(&server)
        .await;
    authed("GET", "/room/1001/messages/2000045/upload.json")
        .respond_with(json_answer(200, "classic/upload.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;

    let me: User = client.me().await.expect("me");
    assert_eq!(me.id, UserId::new(9));
    let token = me.api_auth_token.as_ref().expect("token");
    assert_eq!(token.expose(), "fake0api0token0not0real0000000000");
    assert!(
        !format!("{me:?}").contains("fake0api0token"),
        "Debug of a user shows its token"
    );
    assert_eq!(client.user(5).await.expect("user").admin, Some(true));
    let upload = client
        .upload(
            1001,
            FilePart::new("graph.png", b"fake png bytes".to_vec()).content_type("image/png"),
        )
        .await
        .expect("upload");
    assert_eq!(upload.byte_size, Some(13280));
    let uploads: Vec<Upload> = client.uploads(1001).await.expect("uploads");
    assert_eq!(uploads.len(), 2);
    assert_eq!(
        client
            .upload_of_message(1001, 2000045)
            .await
            .expect("get")
            .name,
        "graph.png"
    );
}

// ---- fixtures -------------------------------------------------------------------------------

#[test]
fn every_classic_fixture_decodes() {
    for file in fixture_files("classic") {
        let value = fixture_json(&format!("classic/{file}"));
        let decoded: Result<(), String> = match file.as_str() {
            "account.json" => serde_json::from_value::<campfire_client::classic::Account>(
                value["account"].clone(),
            )
            .map(drop)
            .map_err(|e| e.to_string()),
            "rooms.json" | "presence.json" => {
                serde_json::from_value::<Vec<Room>>(value["rooms"].clone())
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            "room.json" | "room_created.json" => {
                serde_json::from_value::<Room>(value["room"].clone())
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            "message_created.json" => serde_json::from_value::<Message>(value["message"].clone())
                .map(drop)
                .map_err(|e| e.to_string()),
            "recent.json" | "transcript.json" | "search.json" => {
                serde_json::from_value::<Vec<Message>>(value["messages"].clone())
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            "user_me.json" | "user.json" => serde_json::from_value::<User>(value["user"].clone())
                .map(drop)
                .map_err(|e| e.to_string()),
            "upload.json" => serde_json::from_value::<Upload>(value["upload"].clone())
                .map(drop)
                .map_err(|e| e.to_string()),
            "uploads.json" => serde_json::from_value::<Vec<Upload>>(value["uploads"].clone())
                .map(drop)
                .map_err(|e| e.to_string()),
            "stream_transcript.json" => Ok(()), // decoded in tests/stream.rs
            f if f.ends_with(".answer.json") => value["status"]
                .as_u64()
                .map(drop)
                .ok_or_else(|| "no status".into()),
            other => Err(format!("fixture without a decoding test: {other}")),
        };
        if let Err(e) = decoded {
            panic!("{file}: {e}");
        }
    }
}

#[test]
fn recent_fixture_covers_every_typing_hazard() {
    let value = fixture_json("classic/recent.json");
    let messages: Vec<Message> =
        serde_json::from_value(value["messages"].clone()).expect("messages");
    let by_id = |id: u64| {
        messages
            .iter()
            .find(|m| m.id == MessageId::new(id))
            .expect("message")
    };
    let timestamp = by_id(2000038);
    assert_eq!((timestamp.user_id, timestamp.body.as_deref()), (None, None));
    assert_eq!(timestamp.message_type, MessageType::Timestamp);
    assert!(by_id(2000040).starred, "bool true");
    assert!(!by_id(2000042).starred, "string \"false\"");
    assert!(by_id(2000043).starred, "string \"true\"");
    assert_eq!(
        by_id(2000041).created_at,
        Utc.with_ymd_and_hms(2013, 5, 14, 9, 0, 11).single(),
        "naive form"
    );
    assert_eq!(
        by_id(2000039).created_at,
        Utc.with_ymd_and_hms(2013, 5, 14, 9, 0, 5).single(),
        "RFC 3339 form"
    );
    let unknown = by_id(2000043);
    assert_eq!(
        unknown.message_type,
        MessageType::Unknown("HologramMessage".into())
    );
    let round_trip = serde_json::to_value(unknown).expect("serialize");
    assert_eq!(round_trip["type"], "HologramMessage");
    let again: Message = serde_json::from_value(round_trip).expect("deserialize again");
    assert_eq!(&again, unknown);
}

// ---- behaviour ------------------------------------------------------------------------------

#[tokio::test]
async fn a_503_with_retry_after_is_throttling_and_is_honoured() {
    let (server, client) = setup().await;
    authed("POST", "/room/1001/speak.json")
        .respond_with(answer("classic/rate_limited.answer.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    authed("POST", "/room/1001/speak.json")
        .respond_with(json_answer(201, "classic/message_created.json"))
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    client
        .speak(1001, "hi")
        .await
        .expect("spoken after the wait");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was not waited for"
    );
}

#[tokio::test]
async fn throttling_that_outlasts_the_policy_is_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rooms.json"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri(), API_TOKEN)
        .build()
        .expect("client");
    let err = client.rooms().await.expect_err("error");
    assert!(
        matches!(err, Error::RateLimited { status: 503, retry_after: Some(d) } if d == Duration::from_secs(120)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_plain_503_is_a_server_error_not_throttling() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/rooms.json"))
        .respond_with(ResponseTemplate::new(503))
        .expect(4)
        .mount(&server)
        .await;
    let err = client.rooms().await.expect_err("error");
    assert!(
        matches!(&err, Error::Api(api) if api.status == 503),
        "{err:?}"
    );
}

#[tokio::test]
async fn unauthorized_is_an_api_error_that_says_so() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/users/me.json"))
        .respond_with(answer("classic/unauthorized.answer.json"))
        .mount(&server)
        .await;
    let err = client.me().await.expect_err("error");
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(!format!("{err:?} {err}").contains(API_TOKEN));
}

#[tokio::test]
async fn the_token_never_reaches_an_error_or_debug() {
    let client = Client::builder("http://127.0.0.1:9", API_TOKEN)
        .retry_policy(campfire_client::RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.rooms().await.expect_err("error");
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!text.contains(API_TOKEN), "leaked: {text}");
    }
}
