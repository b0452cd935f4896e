//! Hostile answers, through the real clients against wiremock: every call of `once::BotClient` and
//! `classic::Client`, and the classic live stream, against HTML error pages, truncated JSON, invalid UTF-8,
//! wrong types, `null` where an object is expected, numbers beyond range, deeply nested JSON, empty bodies and
//! unknown enum values; and `WebhookEvent` against the same. Each gives a typed error (or decodes where the
//! model tolerates it), never a panic. The 100 MB bodies are in `tests/big_bodies.rs` (own binary, because it
//! measures the process's peak memory).

mod common;

use std::time::Duration;

use campfire_client::classic::{Client, MessageType, NewMessage, RoomUpdate, UserType};
use campfire_client::once::{BotClient, Role, WebhookEvent};
use campfire_client::{Error, FilePart, RetryPolicy};
use chrono::NaiveDate;
use common::*;
use futures_util::{StreamExt, TryStreamExt};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---- every call -----------------------------------------------------------------------------

/// What a call does with a successful body.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Decodes it into a model.
    Decoded(&'static str),
    /// Does not read it into a model (joins, posts, deletes): any 2xx is success.
    Ignored,
}

/// Every call of both clients, with the fixture of a valid answer for the ones that decode.
const CALLS: &[(&str, Shape)] = &[
    ("once.post_text", Shape::Ignored),
    ("once.post_html", Shape::Ignored),
    ("once.play_sound", Shape::Ignored),
    ("once.post_attachment", Shape::Ignored),
    ("once.messages", Shape::Decoded("once/messages_page.json")),
    (
        "once.messages.stream",
        Shape::Decoded("once/messages_page.json"),
    ),
    ("once.update_text", Shape::Decoded("once/message.json")),
    ("once.update_html", Shape::Decoded("once/message.json")),
    ("once.delete_message", Shape::Ignored),
    ("once.boost", Shape::Decoded("once/boost.json")),
    ("once.unboost", Shape::Ignored),
    ("classic.account", Shape::Decoded("classic/account.json")),
    ("classic.rooms", Shape::Decoded("classic/rooms.json")),
    ("classic.presence", Shape::Decoded("classic/presence.json")),
    ("classic.room", Shape::Decoded("classic/room.json")),
    (
        "classic.create_room",
        Shape::Decoded("classic/room_created.json"),
    ),
    ("classic.update_room", Shape::Ignored),
    ("classic.join", Shape::Ignored),
    ("classic.leave", Shape::Ignored),
    ("classic.lock", Shape::Ignored),
    ("classic.unlock", Shape::Ignored),
    (
        "classic.speak",
        Shape::Decoded("classic/message_created.json"),
    ),
    (
        "classic.paste",
        Shape::Decoded("classic/message_created.json"),
    ),
    (
        "classic.play_sound",
        Shape::Decoded("classic/message_created.json"),
    ),
    (
        "classic.tweet",
        Shape::Decoded("classic/message_created.json"),
    ),
    (
        "classic.speak_message",
        Shape::Decoded("classic/message_created.json"),
    ),
    ("classic.recent", Shape::Decoded("classic/recent.json")),
    ("classic.highlight", Shape::Ignored),
    ("classic.unhighlight", Shape::Ignored),
    (
        "classic.transcript_today",
        Shape::Decoded("classic/transcript.json"),
    ),
    (
        "classic.transcript",
        Shape::Decoded("classic/transcript.json"),
    ),
    ("classic.search", Shape::Decoded("classic/search.json")),
    ("classic.me", Shape::Decoded("classic/user_me.json")),
    ("classic.user", Shape::Decoded("classic/user.json")),
    ("classic.upload", Shape::Decoded("classic/upload.json")),
    ("classic.uploads", Shape::Decoded("classic/uploads.json")),
    (
        "classic.upload_of_message",
        Shape::Decoded("classic/upload.json"),
    ),
];

/// Makes one call; the model, when there is one, as its `Debug` text.
async fn call(name: &str, bot: &BotClient, classic: &Client) -> Result<String, Error> {
    let day = NaiveDate::from_ymd_opt(2013, 5, 14).unwrap_or_default();
    let file = || FilePart::new("graph.png", vec![1, 2, 3]).content_type("image/png");
    Ok(match name {
        "once.post_text" => format!("{:?}", bot.post_text(7, "hi").await?),
        "once.post_html" => format!("{:?}", bot.post_html(7, "<b>hi</b>").await?),
        "once.play_sound" => format!("{:?}", bot.play_sound(7, "tada").await?),
        "once.post_attachment" => format!("{:?}", bot.post_attachment(7, file()).await?),
        "once.messages" => format!("{:?}", bot.messages(7).await?),
        "once.messages.stream" => {
            // Two pages at most: a hostile answer must not make the stream run away.
            let items: Vec<_> = bot.messages(7).stream().take(80).try_collect().await?;
            format!("{items:?}")
        }
        "once.update_text" => format!("{:?}", bot.update_text(7, 1200, "x").await?),
        "once.update_html" => format!("{:?}", bot.update_html(7, 1200, "<i>x</i>").await?),
        "once.delete_message" => format!("{:?}", bot.delete_message(7, 1200).await?),
        "once.boost" => format!("{:?}", bot.boost(7, 1201, "👍").await?),
        "once.unboost" => format!("{:?}", bot.unboost(7, 1201, 55).await?),
        "classic.account" => format!("{:?}", classic.account().await?),
        "classic.rooms" => format!("{:?}", classic.rooms().await?),
        "classic.presence" => format!("{:?}", classic.presence().await?),
        "classic.room" => format!("{:?}", classic.room(1001).await?),
        "classic.create_room" => format!(
            "{:?}",
            classic
                .create_room(RoomUpdate::new().name("Incidents"))
                .await?
        ),
        "classic.update_room" => format!(
            "{:?}",
            classic
                .update_room(1001, RoomUpdate::new().topic("t"))
                .await?
        ),
        "classic.join" => format!("{:?}", classic.join(1001).await?),
        "classic.leave" => format!("{:?}", classic.leave(1001).await?),
        "classic.lock" => format!("{:?}", classic.lock(1001).await?),
        "classic.unlock" => format!("{:?}", classic.unlock(1001).await?),
        "classic.speak" => format!("{:?}", classic.speak(1001, "hi").await?),
        "classic.paste" => format!("{:?}", classic.paste(1001, "a\nb").await?),
        "classic.play_sound" => format!("{:?}", classic.play_sound(1001, "tada").await?),
        "classic.tweet" => format!("{:?}", classic.tweet(1001, "https://x.test/1").await?),
        "classic.speak_message" => format!(
            "{:?}",
            classic
                .speak_message(1001, NewMessage::new(MessageType::Paste, "p"))
                .await?
        ),
        "classic.recent" => format!("{:?}", classic.recent(1001).limit(10).since(5).await?),
        "classic.highlight" => format!("{:?}", classic.highlight(2_000_040).await?),
        "classic.unhighlight" => format!("{:?}", classic.unhighlight(2_000_040).await?),
        "classic.transcript_today" => format!("{:?}", classic.transcript_today(1001).await?),
        "classic.transcript" => format!("{:?}", classic.transcript(1001, day).await?),
        "classic.search" => format!("{:?}", classic.search("deploy").await?),
        "classic.me" => format!("{:?}", classic.me().await?),
        "classic.user" => format!("{:?}", classic.user(5).await?),
        "classic.upload" => format!("{:?}", classic.upload(1001, file()).await?),
        "classic.uploads" => format!("{:?}", classic.uploads(1001).await?),
        "classic.upload_of_message" => {
            format!("{:?}", classic.upload_of_message(1001, 2_000_045).await?)
        }
        other => panic!("no such call {other}"),
    })
}

async fn clients(server: &MockServer) -> (BotClient, Client) {
    let bot = BotClient::builder(&server.uri(), BOT_KEY)
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("bot");
    let classic = Client::builder(&server.uri(), API_TOKEN)
        .streaming_url(&server.uri())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("classic");
    (bot, classic)
}

/// Answers every request with this, until the next call.
async fn answer_everything_with(server: &MockServer, template: ResponseTemplate) {
    server.reset().await;
    Mock::given(any())
        .respond_with(template)
        .mount(server)
        .await;
}

fn raw(status: u16, body: impl Into<Vec<u8>>, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.into(), content_type)
}

fn hostile_page(name: &str) -> String {
    fixture(&format!("hostile/{name}"))
}

// ---- hostile bodies derived from a valid one -------------------------------------------------

/// The valid body cut in the middle (at a byte, so possibly inside a character).
fn truncated(valid: &str) -> Vec<u8> {
    let bytes = valid.as_bytes();
    bytes.get(..bytes.len() / 2).unwrap_or_default().to_vec()
}

/// Inserts bytes that are not UTF-8 at the start of the first string value of a field the model reads.
fn invalid_utf8(valid: &str) -> Vec<u8> {
    let fields = [
        "\"body\": \"",
        "\"body\":\"",
        "\"name\": \"",
        "\"name\":\"",
        "\"plain_text\": \"",
        "\"content\": \"",
    ];
    let at = fields
        .iter()
        .filter_map(|f| valid.find(f).map(|i| i + f.len()))
        .min()
        .expect("a string field to spoil");
    let mut out = valid.as_bytes().to_vec();
    out.splice(at..at, [0xff, 0xfe, 0xc3]);
    out
}

/// Replaces the first `"id": <number>` with something else.
fn replace_first_id(valid: &str, with: &str) -> Vec<u8> {
    let key = valid.find("\"id\":").expect("an id") + "\"id\":".len();
    let rest = valid.get(key..).unwrap_or_default();
    let start = key + rest.len() - rest.trim_start().len();
    let digits = valid
        .get(start..)
        .unwrap_or_default()
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(0);
    format!(
        "{}{with}{}",
        valid.get(..start).unwrap_or_default(),
        valid.get(start + digits..).unwrap_or_default()
    )
    .into_bytes()
}

/// The wrapper key of a classic answer (`{"room": ..}`), if it has one.
fn wrapper(valid: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(valid).ok()?;
    let object = value.as_object()?;
    if object.len() == 1 {
        object.keys().next().cloned()
    } else {
        None
    }
}

fn deeply_nested(depth: usize) -> Vec<u8> {
    let mut out = vec![b'['; depth];
    out.extend(std::iter::repeat_n(b']', depth));
    out
}

/// The hostile variants of one call's valid answer: (name, body). Every one must fail to decode.
fn hostile_bodies(valid: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("empty body".into(), Vec::new()),
        ("whitespace".into(), b"  \r\n ".to_vec()),
        (
            "HTML maintenance page".into(),
            hostile_page("maintenance_200.html").into_bytes(),
        ),
        ("plain text".into(), b"Access Denied".to_vec()),
        ("truncated".into(), truncated(valid)),
        ("invalid UTF-8".into(), invalid_utf8(valid)),
        ("top-level null".into(), b"null".to_vec()),
        ("top-level string".into(), b"\"ok\"".to_vec()),
        ("top-level number".into(), b"42".to_vec()),
        ("top-level bool".into(), b"true".to_vec()),
        ("id as a string".into(), replace_first_id(valid, "\"1200\"")),
        ("id as an object".into(), replace_first_id(valid, "{}")),
        ("id negative".into(), replace_first_id(valid, "-1")),
        (
            "id beyond u64".into(),
            replace_first_id(valid, "18446744073709551616"),
        ),
        ("id 1e999".into(), replace_first_id(valid, "1e999")),
        ("id fractional".into(), replace_first_id(valid, "1.5")),
        ("nested 100,000 deep".into(), deeply_nested(100_000)),
        (
            "nested objects 10,000 deep".into(),
            format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).into_bytes(),
        ),
        (
            "trailing garbage".into(),
            format!("{valid} <html>").into_bytes(),
        ),
    ];
    // `[]` for a list wrapper (`{"rooms": [...]}`) decodes as an empty list (serde reads a struct from a
    // sequence, and the list defaults to empty): tolerated. For anything else it is an error.
    let list_wrapper = serde_json::from_str::<serde_json::Value>(valid)
        .ok()
        .and_then(|v| v.as_object().filter(|o| o.len() == 1).cloned())
        .is_some_and(|o| o.values().all(serde_json::Value::is_array));
    if valid.trim_start().starts_with('{') && !list_wrapper {
        out.push(("top-level array".into(), b"[]".to_vec()));
    }
    if let Some(key) = wrapper(valid) {
        let mut nested = format!("{{\"{key}\":").into_bytes();
        nested.extend(deeply_nested(50_000));
        nested.push(b'}');
        out.extend([
            (
                format!("{key}: null"),
                format!("{{\"{key}\":null}}").into_bytes(),
            ),
            (
                format!("{key}: 42"),
                format!("{{\"{key}\":42}}").into_bytes(),
            ),
            (
                format!("{key}: \"text\""),
                format!("{{\"{key}\":\"text\"}}").into_bytes(),
            ),
            (format!("{key}: nested 50,000 deep"), nested),
        ]);
    }
    out
}

/// Tally of what the hostile-input tests tried, printed for RELIABILITY.md.
#[derive(Default, Debug)]
struct Tally {
    calls: usize,
    inputs: usize,
    decode_errors: usize,
}

fn check_decode_error(err: &Error, what: &str) {
    match err {
        Error::Decode {
            status, excerpt, ..
        } => {
            assert!((200..300).contains(status), "{what}: {err:?}");
            // 200 characters of the body, a little more where a secret in it became `<redacted>`.
            assert!(excerpt.chars().count() <= 240, "{what}: excerpt too long");
            assert!(!err.to_string().is_empty());
        }
        other => panic!("{what}: expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_call_gives_a_typed_error_on_every_hostile_success_body() {
    let server = MockServer::start().await;
    let (bot, classic) = clients(&server).await;
    let mut tally = Tally::default();
    for (name, shape) in CALLS {
        let Shape::Decoded(fixture_path) = shape else {
            continue;
        };
        let valid = fixture(fixture_path);
        tally.calls += 1;
        // The valid answer decodes (so the failures below are the hostile input's doing).
        answer_everything_with(&server, raw(200, valid.clone(), "application/json")).await;
        call(name, &bot, &classic)
            .await
            .unwrap_or_else(|e| panic!("{name} on its valid fixture: {e:?}"));
        for (variant, body) in hostile_bodies(&valid) {
            answer_everything_with(&server, raw(200, body, "application/json")).await;
            let what = format!("{name} / {variant}");
            let err = call(name, &bot, &classic)
                .await
                .expect_err(&format!("{what} decoded"));
            check_decode_error(&err, &what);
            tally.inputs += 1;
            tally.decode_errors += 1;
        }
    }
    // The other shape of a message page (`{"messages": [..], "pagination": ..}`); `[]` is an empty page there.
    let wrapped = fixture("once/messages_page_wrapped.json");
    let mut variants = hostile_bodies(&wrapped);
    // Invalid UTF-8 in a field the model does not read (the wrapper's `room.name`, which `invalid_utf8`
    // picks here) is skipped by serde_json: tolerated. In a field it reads, it is an error.
    let ignored = variants
        .iter()
        .find(|(name, _)| name == "invalid UTF-8")
        .map(|(_, body)| body.clone())
        .unwrap_or_default();
    answer_everything_with(&server, raw(200, ignored, "application/json")).await;
    call("once.messages", &bot, &classic)
        .await
        .expect("invalid UTF-8 in an ignored field is tolerated");
    // The first id of this shape is the ignored wrapper's `room.id`: spoil the first message's id instead.
    variants.retain(|(name, _)| {
        name != "top-level array" && name != "invalid UTF-8" && !name.starts_with("id ")
    });
    let (head, tail) = wrapped.split_at(wrapped.find("\"messages\"").expect("messages"));
    for with in [
        "\"1150\"",
        "{}",
        "-1",
        "18446744073709551616",
        "1e999",
        "1.5",
    ] {
        let mut body = head.as_bytes().to_vec();
        body.extend(replace_first_id(tail, with));
        variants.push((format!("message id {with}"), body));
    }
    let at = wrapped.find("\"plain\": \"").expect("plain") + "\"plain\": \"".len();
    let mut spoiled = wrapped.as_bytes().to_vec();
    spoiled.splice(at..at, [0xff, 0xfe]);
    variants.push(("invalid UTF-8 in body.plain".to_owned(), spoiled));
    variants.extend([
        ("messages: null".to_owned(), b"{\"messages\":null}".to_vec()),
        (
            "pagination.has_more: \"yes\"".to_owned(),
            b"{\"messages\":[],\"pagination\":{\"has_more\":\"yes\"}}".to_vec(),
        ),
    ]);
    for (variant, body) in variants {
        answer_everything_with(&server, raw(200, body, "application/json")).await;
        let what = format!("once.messages (wrapped) / {variant}");
        let err = call("once.messages", &bot, &classic)
            .await
            .expect_err(&format!("{what} decoded"));
        check_decode_error(&err, &what);
        tally.inputs += 1;
        tally.decode_errors += 1;
    }
    println!("hostile success bodies: {tally:?}");
    assert!(tally.inputs >= 20 * 19, "{tally:?}");
}

#[tokio::test]
async fn calls_that_ignore_the_body_tolerate_any_success_body() {
    let server = MockServer::start().await;
    let (bot, classic) = clients(&server).await;
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "HTML page",
            hostile_page("maintenance_200.html").into_bytes(),
        ),
        ("invalid UTF-8", vec![0xff, 0xfe, b'{']),
        ("nested 100,000 deep", deeply_nested(100_000)),
        ("null", b"null".to_vec()),
        ("empty", Vec::new()),
    ];
    let mut tried = 0;
    for (name, _) in CALLS.iter().filter(|(_, s)| *s == Shape::Ignored) {
        for (variant, body) in &bodies {
            answer_everything_with(&server, raw(200, body.clone(), "text/html")).await;
            let result = call(name, &bot, &classic).await;
            assert!(result.is_ok(), "{name} / {variant}: {result:?}");
            tried += 1;
        }
    }
    println!("ignored bodies tolerated: {tried}");
    // A post answered without a usable Location still succeeded, with no id.
    answer_everything_with(
        &server,
        raw(201, "", "text/plain").insert_header("Location", "javascript:alert(1)"),
    )
    .await;
    let posted = bot.post_text(7, "hi").await.expect("posted");
    assert_eq!(posted.id, None);
}

#[tokio::test]
async fn error_pages_are_api_errors_with_their_status_and_no_markup() {
    let server = MockServer::start().await;
    let (bot, classic) = clients(&server).await;
    let pages = [
        (500, hostile_page("rails_500.html").into_bytes()),
        (502, hostile_page("nginx_502.html").into_bytes()),
        (500, vec![0xff, 0xfe, 0xfd]),
        (503, deeply_nested(100_000)),
        (500, b"{\"error\":".to_vec()),
        (500, b"{\"error\":null}".to_vec()),
        (500, b"{\"error\":{\"nested\":[1,2,3]}}".to_vec()),
    ];
    let mut tried = 0;
    for (status, body) in &pages {
        answer_everything_with(&server, raw(*status, body.clone(), "text/html")).await;
        for (name, _) in CALLS {
            let err = call(name, &bot, &classic)
                .await
                .expect_err(&format!("{name} on {status}"));
            match &err {
                Error::Api(api) => {
                    assert_eq!(api.status, *status, "{name}");
                    assert!(!api.message.contains('<'), "{name}: {}", api.message);
                    assert!(api.body.len() <= 4096);
                }
                other => panic!("{name} on {status}: {other:?}"),
            }
            tried += 1;
        }
    }
    println!("error pages: {tried} calls");
}

#[tokio::test]
async fn unknown_enum_values_decode_and_are_kept() {
    let server = MockServer::start().await;
    let (bot, classic) = clients(&server).await;

    let recent = fixture("classic/recent.json").replace("\"TextMessage\"", "\"HologramMessage\"");
    answer_everything_with(&server, raw(200, recent, "application/json")).await;
    let messages = classic.recent(1001).await.expect("recent");
    let hologram = MessageType::Unknown("HologramMessage".into());
    assert!(messages.iter().any(|m| m.message_type == hologram));
    assert_eq!(hologram.to_string(), "HologramMessage");

    let me = fixture("classic/user_me.json").replace("\"Member\"", "\"Robot\"");
    answer_everything_with(&server, raw(200, me, "application/json")).await;
    assert_eq!(
        classic.me().await.expect("me").user_type,
        Some(UserType::Unknown("Robot".into()))
    );

    let page = fixture("once/messages_page.json").replace("\"administrator\"", "\"overlord\"");
    answer_everything_with(&server, raw(200, page, "application/json")).await;
    let page = bot.messages(7).await.expect("page");
    assert!(
        page.messages
            .iter()
            .any(|m| m.creator.as_ref().and_then(|c| c.role.clone())
                == Some(Role::Unknown("overlord".into())))
    );

    let boost = fixture("once/boost.json").replace("\"bot\"", "\"\"");
    answer_everything_with(&server, raw(200, boost, "application/json")).await;
    let boost = bot.boost(7, 1201, "+1").await.expect("boost");
    assert_eq!(
        boost.booster.and_then(|b| b.role),
        Some(Role::Unknown(String::new()))
    );

    // Enum values of the wrong JSON type are decode errors, not panics.
    let wrong = fixture("classic/message_created.json").replace("\"TextMessage\"", "7");
    answer_everything_with(&server, raw(200, wrong, "application/json")).await;
    let err = classic.speak(1001, "x").await.expect_err("wrong type");
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "message.type"),
        "{err:?}"
    );
}

// ---- the live stream ------------------------------------------------------------------------

#[tokio::test]
async fn the_live_stream_reports_hostile_frames_and_goes_on() {
    let server = MockServer::start().await;
    let (_, classic) = clients(&server).await;
    let good = |id: u64, kind: &str| {
        format!(
            "{{\"id\":{id},\"room_id\":1001,\"user_id\":5,\"body\":\"ok {id}\",\"type\":\"{kind}\",\"starred\":\"false\",\"created_at\":\"2013/05/14 09:00:00 +0000\"}}"
        )
        .into_bytes()
    };
    let valid = String::from_utf8(good(1, "TextMessage")).unwrap_or_default();
    let mut hostile: Vec<(String, Vec<u8>)> = hostile_bodies(&valid)
        .into_iter()
        // An empty or blank frame is a keep-alive, and "Access Denied" ends the stream: both are protocol.
        .filter(|(name, _)| !matches!(name.as_str(), "empty body" | "whitespace" | "plain text"))
        .collect();
    hostile.push((
        "starred: maybe".into(),
        valid.replace("\"false\"", "\"maybe\"").into_bytes(),
    ));
    hostile.push((
        "created_at: noon".into(),
        valid
            .replace("2013/05/14 09:00:00 +0000", "noon")
            .into_bytes(),
    ));
    hostile.push((
        "a frame over 1 MiB".into(),
        format!("{{\"id\":9,\"body\":\"{}\"}}", "x".repeat(2 << 20)).into_bytes(),
    ));
    // Each hostile frame, then a good message; an unknown type at the end.
    let mut body = Vec::new();
    let mut next_id = 100;
    for (_, frame) in &hostile {
        body.extend_from_slice(frame);
        body.extend_from_slice(b"\r ");
        body.extend_from_slice(&good(next_id, "TextMessage"));
        body.push(b'\r');
        next_id += 1;
    }
    body.extend_from_slice(&good(next_id, "HologramMessage"));
    body.push(b'\r');
    answer_everything_with(&server, raw(200, body, "application/json")).await;

    let items: Vec<Result<_, Error>> = classic
        .stream(1001)
        .max_consecutive_failures(0)
        .collect()
        .await;
    let mut errors = 0;
    let mut ids = Vec::new();
    for item in &items {
        match item {
            Ok(m) => ids.push(m.id.get()),
            Err(Error::Decode { .. } | Error::BodyTooLarge { .. }) => errors += 1,
            Err(_) => {}
        }
    }
    assert_eq!(
        errors,
        hostile.len(),
        "one error per hostile frame: {items:?}"
    );
    assert_eq!(ids, (100..=next_id).collect::<Vec<_>>());
    assert!(
        matches!(items.last(), Some(Err(Error::UnexpectedResponse { .. }))),
        "ends when the connection ends and no retry is allowed: {:?}",
        items.last()
    );
    let last_message = items.iter().rev().find_map(|i| i.as_ref().ok());
    assert_eq!(
        last_message.map(|m| m.message_type.clone()),
        Some(MessageType::Unknown("HologramMessage".into()))
    );
    println!("live stream: {} hostile frames", hostile.len());
}

#[tokio::test]
async fn a_live_answer_that_is_not_a_stream_is_an_error_not_a_hang() {
    let server = MockServer::start().await;
    let (_, classic) = clients(&server).await;
    type Expect = fn(&Error) -> bool;
    let cases: Vec<(u16, Vec<u8>, Expect)> = vec![
        (
            200,
            hostile_page("maintenance_200.html").into_bytes(),
            |e| matches!(e, Error::UnexpectedResponse { .. }),
        ),
        (
            502,
            hostile_page("nginx_502.html").into_bytes(),
            |e| matches!(e, Error::Api(api) if api.status == 502),
        ),
        (404, hostile_page("rails_500.html").into_bytes(), |e| {
            e.is_not_found()
        }),
        (403, Vec::new(), |e| {
            matches!(e, Error::Authentication { .. })
        }),
    ];
    for (status, body, expected) in cases {
        answer_everything_with(&server, raw(status, body, "text/html")).await;
        let items: Vec<Result<_, Error>> = tokio::time::timeout(
            Duration::from_secs(10),
            classic
                .stream(1001)
                .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(2))
                .max_consecutive_failures(2)
                .collect(),
        )
        .await
        .expect("the stream ends");
        assert_eq!(items.len(), 1, "{status}: {items:?}");
        let err = items
            .into_iter()
            .next()
            .and_then(|i| i.err())
            .expect("an error");
        assert!(expected(&err), "{status}: {err:?}");
    }
}

// ---- paging that does not advance ------------------------------------------------------------

#[tokio::test]
async fn a_message_stream_whose_next_page_does_not_advance_ends_with_an_error() {
    let server = MockServer::start().await;
    let (bot, _) = clients(&server).await;
    answer_everything_with(
        &server,
        raw(200, fixture("once/messages_page.json"), "application/json").insert_header(
            "Link",
            "</rooms/7/12-FakeBotKey00/messages?before=1199>; rel=\"next\"",
        ),
    )
    .await;
    let items: Vec<_> = tokio::time::timeout(
        Duration::from_secs(10),
        bot.messages(7).stream().take(1000).collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ends");
    let ok = items.iter().filter(|i| i.is_ok()).count();
    let page_len = fixture_json("once/messages_page.json")
        .as_array()
        .map(Vec::len)
        .unwrap_or_default();
    // The latest page, then the page before 1199 (served the same), then the server points at it again.
    assert_eq!(ok, 2 * page_len, "{items:?}");
    assert!(
        matches!(items.last(), Some(Err(Error::UnexpectedResponse { .. }))),
        "{:?}",
        items.last()
    );
    assert_eq!(items.len(), 2 * page_len + 1);
}

// ---- webhooks -------------------------------------------------------------------------------

#[test]
fn webhook_payloads_hostile_and_tolerated() {
    let valid = fixture("once/webhook_channel_room.json");
    WebhookEvent::from_json(valid.as_bytes()).expect("the valid payload decodes");
    let mut tried = 0;
    for (variant, body) in hostile_bodies(&valid) {
        let err = WebhookEvent::from_json(&body).expect_err(&variant);
        assert!(
            matches!(err, Error::Decode { status: 0, .. }),
            "{variant}: {err:?}"
        );
        tried += 1;
    }
    let mut value = fixture_json("once/webhook_channel_room.json");
    for (pointer, replacement, decodes) in [
        ("/user", serde_json::Value::Null, false),
        ("/room", serde_json::Value::Null, false),
        ("/message", serde_json::Value::Null, false),
        ("/message/body", serde_json::Value::Null, false),
        ("/message/body/html", serde_json::Value::Null, true), // an attachment-only message
        ("/user/id", serde_json::json!("3"), false),
        ("/room/id", serde_json::json!(-7), false),
        ("/message/id", serde_json::json!(1.0e300), false),
        ("/user/name", serde_json::json!(["Ada"]), false),
        ("/room/name", serde_json::Value::Null, true), // a direct room
        ("/message/path", serde_json::Value::Null, true),
        ("/room/path", serde_json::json!("/not/a/bot/path"), true), // kept; checked when used
    ] {
        let original = value.pointer(pointer).cloned();
        if let Some(slot) = value.pointer_mut(pointer) {
            *slot = replacement;
        }
        let result = WebhookEvent::from_json(value.to_string().as_bytes());
        assert_eq!(result.is_ok(), decodes, "{pointer}: {result:?}");
        if let (Some(slot), Some(original)) = (value.pointer_mut(pointer), original) {
            *slot = original;
        }
        tried += 1;
    }
    // A field the payload does not have (Campfire sends no event type) is ignored; a bad room path only
    // fails when it is used.
    let mut odd = fixture_json("once/webhook_channel_room.json");
    odd["type"] = serde_json::json!("reaction");
    odd["room"]["path"] = serde_json::json!("/rooms/7/../../admin");
    let event = WebhookEvent::from_json(odd.to_string().as_bytes()).expect("decodes");
    assert_eq!(event.text(), "status?");
    let base = url::Url::parse("https://chat.example.com").expect("url");
    assert!(matches!(
        event.reply_url(&base),
        Err(Error::InvalidInput { .. })
    ));
    // 100 MB: an unterminated payload whose HTML never ends. A typed error, with a 200-character excerpt.
    let mut huge = br#"{"user":{"id":3,"name":"Ada"},"room":{"id":7,"name":"Ops","path":"/rooms/7/12-FakeBotKey00/messages"},"message":{"id":1,"body":{"html":""#.to_vec();
    huge.resize(100 << 20, b'a');
    let err = WebhookEvent::from_json(&huge).expect_err("unterminated");
    assert!(
        matches!(&err, Error::Decode { excerpt, .. }
            if excerpt.starts_with("{\"user\"") && !excerpt.contains(BOT_TOKEN)),
        "{err:?}"
    );
    tried += 3;
    println!("webhook inputs: {tried}");
}

// ---- hostile Retry-After --------------------------------------------------------------------

#[tokio::test]
async fn hostile_retry_after_values_never_panic_or_hang() {
    let server = MockServer::start().await;
    let values = [
        "18446744073709551615",
        "99999999999999999999999",
        "-1",
        "1.5",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "soon",
        "",
    ];
    let policies = [
        ("fast", fast_retries()),
        (
            // Waits for any Retry-After, within two seconds in total.
            "permissive",
            fast_retries()
                .with_max_retry_after(Duration::MAX)
                .with_max_total_delay(Duration::from_secs(2)),
        ),
    ];
    let mut tried = 0;
    for value in values {
        for (status, classic_side) in [(429, false), (503, true)] {
            answer_everything_with(
                &server,
                ResponseTemplate::new(status).insert_header("Retry-After", value),
            )
            .await;
            for (policy_name, policy) in &policies {
                let what = format!("{status} Retry-After {value:?} with the {policy_name} policy");
                let result = if classic_side {
                    let client = Client::builder(&server.uri(), API_TOKEN)
                        .retry_policy(policy.clone())
                        .build()
                        .expect("classic");
                    tokio::time::timeout(Duration::from_secs(10), client.rooms())
                        .await
                        .map(|r| r.map(|_| ()))
                } else {
                    let bot = BotClient::builder(&server.uri(), BOT_KEY)
                        .retry_policy(policy.clone())
                        .build()
                        .expect("bot");
                    tokio::time::timeout(Duration::from_secs(10), bot.post_text(7, "hi"))
                        .await
                        .map(|r| r.map(|_| ()))
                };
                let err = result
                    .unwrap_or_else(|_| panic!("{what}: still waiting after 10 s"))
                    .expect_err(&what);
                // A 503 whose Retry-After is not a delay is a plain server error, not throttling.
                match &err {
                    Error::RateLimited { status: s, .. } => assert_eq!(*s, status, "{what}"),
                    Error::Api(api) => {
                        assert_eq!((api.status, classic_side), (503, true), "{what}")
                    }
                    other => panic!("{what}: {other:?}"),
                }
                assert!(!err.to_string().is_empty());
                tried += 1;
            }
        }
    }
    println!("hostile Retry-After: {tried} answers");
}

// ---- hostile headers ------------------------------------------------------------------------

#[tokio::test]
async fn hostile_paging_and_location_headers_are_ignored_not_trusted() {
    let server = MockServer::start().await;
    let (bot, _) = clients(&server).await;
    let page = || raw(200, fixture("once/messages_page.json"), "application/json");
    let mut tried = 0;
    for (total, link) in [
        ("-1", "<javascript:alert(1)>; rel=\"next\""),
        (
            "18446744073709551616",
            "</rooms/7/k/messages?before=18446744073709551616>; rel=\"next\"",
        ),
        ("1e3", "</rooms/7/k/messages?before=-5>; rel=\"next\""),
        ("", "<>; rel=\"next\""),
        (
            "٣",
            "</rooms/7/k/messages?before=٣>; rel=next, garbage, ;;;",
        ),
        ("7", "</rooms/7/k/messages?after=>; rel=\"next\""),
    ] {
        answer_everything_with(
            &server,
            page()
                .insert_header("X-Total-Count", total)
                .insert_header("Link", link),
        )
        .await;
        let got = bot.messages(7).await.expect("the page itself is fine");
        assert_eq!(got.total_count, total.parse().ok(), "{total}");
        // No usable link and a short page: no next page is invented from the header.
        assert_eq!(got.next, None, "{link}");
        tried += 1;
    }
    for location in [
        "javascript:alert(1)",
        "/messages/not-a-number",
        "/messages/18446744073709551616",
        &"/x".repeat(10_000),
    ] {
        answer_everything_with(
            &server,
            raw(201, "", "text/plain").insert_header("Location", location),
        )
        .await;
        let posted = bot.post_text(7, "hi").await.expect("posted");
        assert_eq!(posted.id, None, "{location}");
        tried += 1;
    }
    println!("hostile headers: {tried}");
}
