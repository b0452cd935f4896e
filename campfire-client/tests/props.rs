//! Property tests: vendor enums round-trip every string; the live-stream decoder gives the same messages for
//! every way of cutting the bytes into chunks (generated messages with any text, keep-alives, invalid and
//! oversized frames); ids and text with any characters reach URL paths, queries and bodies intact through
//! the real clients (wiremock records what was sent); key and path parsers never panic or echo a secret.

mod common;

use std::sync::Arc;

use campfire_client::classic::{
    Client, MessageType, RoomUpdate, StreamDecoder, StreamEvent, UserType,
};
use campfire_client::once::{BotClient, BotKey, Role, RoomPath};
use campfire_client::{Error, RetryPolicy};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---- vendor enums ---------------------------------------------------------------------------

/// Every documented value of every vendor enum, as the service spells it.
const MESSAGE_TYPES: &[&str] = &[
    "TextMessage",
    "PasteMessage",
    "SoundMessage",
    "TweetMessage",
    "EnterMessage",
    "LeaveMessage",
    "KickMessage",
    "TimestampMessage",
    "TopicChangeMessage",
    "LockMessage",
    "UnlockMessage",
    "IdleMessage",
    "UnidleMessage",
    "UploadMessage",
    "AllowGuestsMessage",
    "DisallowGuestsMessage",
    "AdvertisementMessage",
    "SystemMessage",
    "ConferenceCreatedMessage",
    "ConferenceFinishedMessage",
];
const USER_TYPES: &[&str] = &["Member", "Guest"];
const ROLES: &[&str] = &["member", "administrator", "bot"];

/// The round trip every vendor enum must make for a string: parse, print, serialise and deserialise give
/// back exactly that string, and only the documented values are known variants.
macro_rules! check_enum {
    ($ty:ident, $known:expr, $s:expr) => {{
        let s: &str = $s;
        let value = <$ty>::from_api(s);
        prop_assert_eq!(value.as_str(), s);
        prop_assert_eq!(value.to_string(), s);
        // `FromStr` accepts exactly the vendor's values (opsbot-http's `vendor_enum!`).
        match s.parse::<$ty>() {
            Ok(parsed) => prop_assert_eq!(&parsed, &value),
            Err(err) => {
                prop_assert!(value.is_unknown(), "{:?} refused: {}", s, err);
                prop_assert_eq!(&err.input, s);
            }
        }
        let json = serde_json::to_string(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            &json,
            &serde_json::to_string(s).map_err(|e| TestCaseError::fail(e.to_string()))?
        );
        let back: $ty =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &value);
        let is_unknown = matches!(value, $ty::Unknown(_));
        prop_assert_eq!(is_unknown, !$known.contains(&s), "{:?}", value);
    }};
}

fn enum_strings() -> impl Strategy<Value = String> {
    let known: Vec<&'static str> = MESSAGE_TYPES
        .iter()
        .chain(USER_TYPES)
        .chain(ROLES)
        .copied()
        .collect();
    prop_oneof![
        any::<String>(),
        proptest::sample::select(known).prop_map(str::to_owned),
        // Near misses: case, whitespace, prefixes of known values.
        proptest::sample::select(MESSAGE_TYPES.to_vec()).prop_map(|s| s.to_lowercase()),
        proptest::sample::select(ROLES.to_vec()).prop_map(|s| format!(" {s}")),
        "[A-Za-z]{0,12}(Message)?",
    ]
}

proptest! {
    #![proptest_config(opsbot_proptest::config!(512))]

    #[test]
    fn vendor_enums_round_trip_every_string(s in enum_strings()) {
        check_enum!(MessageType, MESSAGE_TYPES, &s);
        check_enum!(UserType, USER_TYPES, &s);
        check_enum!(Role, ROLES, &s);
    }
}

#[test]
fn every_documented_value_is_a_known_variant() -> Result<(), TestCaseError> {
    for s in MESSAGE_TYPES {
        check_enum!(MessageType, MESSAGE_TYPES, s);
    }
    for s in USER_TYPES {
        check_enum!(UserType, USER_TYPES, s);
    }
    for s in ROLES {
        check_enum!(Role, ROLES, s);
    }
    Ok(())
}

// ---- the live-stream decoder ----------------------------------------------------------------

/// What goes between two frames.
#[derive(Clone, Debug)]
enum Gap {
    Nothing,
    KeepAlive,
    Newline,
    InvalidFrame,
}

fn gap() -> impl Strategy<Value = Gap> {
    prop_oneof![
        4 => Just(Gap::Nothing),
        2 => Just(Gap::KeepAlive),
        1 => Just(Gap::Newline),
        1 => Just(Gap::InvalidFrame),
    ]
}

/// A live body of messages with these texts (ids 1..), the gaps between them, and the number of invalid
/// frames it holds.
fn live_body(texts: &[(String, Gap)]) -> (Vec<u8>, usize) {
    let mut body = Vec::new();
    let mut invalid = 0;
    for (i, (text, gap)) in texts.iter().enumerate() {
        let message = serde_json::json!({
            "id": i + 1, "room_id": 1001, "user_id": 5, "body": text, "type": "TextMessage",
            "starred": if i % 2 == 0 { serde_json::json!("true") } else { serde_json::json!(false) },
            "created_at": "2013/05/14 09:00:00 +0000",
        });
        body.extend_from_slice(message.to_string().as_bytes());
        body.push(b'\r');
        match gap {
            Gap::Nothing => {}
            Gap::KeepAlive => body.push(b' '),
            Gap::Newline => body.extend_from_slice(b"\n"),
            Gap::InvalidFrame => {
                body.extend_from_slice(b"{\"id\":\"not a number\"}\r");
                invalid += 1;
            }
        }
    }
    (body, invalid)
}

fn cut(body: &[u8], cuts: &[prop::sample::Index]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
    points.extend([0, body.len()]);
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .map(|w| body.get(w[0]..w[1]).unwrap_or_default().to_vec())
        .collect()
}

/// The events of a body fed in these chunks, keep-alives left out (whether a lone space arrives alone is
/// up to the chunking; the messages and errors are not).
fn events(mut decoder: StreamDecoder, chunks: &[Vec<u8>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut record = |event: StreamEvent| match event {
        StreamEvent::Message(m) => out.push(format!("message {} {:?}", m.id, m.body)),
        StreamEvent::Invalid(Error::Decode { path, .. }) => out.push(format!("invalid {path}")),
        StreamEvent::Invalid(Error::BodyTooLarge { limit }) => {
            out.push(format!("too large {limit}"))
        }
        StreamEvent::KeepAlive => {}
        other => out.push(format!("{other:?}")),
    };
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(event) = decoder.next_event() {
            record(event);
        }
    }
    if let Some(event) = decoder.finish() {
        record(event);
    }
    out
}

fn texts() -> impl Strategy<Value = Vec<(String, Gap)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                any::<String>(),
                "[ \\r\\n\\t\"\\\\{}<>&é🚀]{0,12}",
                Just("Access Denied".to_owned()),
            ],
            gap(),
        ),
        0..12,
    )
}

proptest! {
    #![proptest_config(opsbot_proptest::config!(256))]

    /// Generated messages with any text come out whole, in order, however the bytes are chunked.
    #[test]
    fn any_chunking_of_any_messages_gives_the_same_messages(
        texts in texts(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..60),
    ) {
        let (body, invalid) = live_body(&texts);
        let got = events(StreamDecoder::new(), &cut(&body, &cuts));
        let mut expected = Vec::new();
        for (i, (text, gap)) in texts.iter().enumerate() {
            expected.push(format!("message {} {:?}", i + 1, Some(text)));
            if matches!(gap, Gap::InvalidFrame) {
                expected.push("invalid id".to_owned());
            }
        }
        prop_assert_eq!(got.iter().filter(|e| e.starts_with("invalid")).count(), invalid);
        prop_assert_eq!(got, expected);
    }

    /// With a small frame limit, the oversized frames are reported the same way for every chunking too.
    #[test]
    fn the_frame_limit_does_not_depend_on_chunking(
        texts in texts(),
        limit in 20usize..400,
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..60),
    ) {
        let (body, _) = live_body(&texts);
        let whole = events(StreamDecoder::new().with_max_frame_bytes(limit), std::slice::from_ref(&body));
        let chunked = events(StreamDecoder::new().with_max_frame_bytes(limit), &cut(&body, &cuts));
        prop_assert_eq!(whole, chunked);
    }
}

/// The minimal case proptest found for `the_frame_limit_does_not_depend_on_chunking` (issue 12 §5): with a
/// keep-alive before a frame of exactly the limit, the frame was too large when the body arrived whole and a
/// message when the keep-alive arrived in a chunk of its own.
#[test]
fn a_keep_alive_before_a_frame_does_not_count_against_the_limit() {
    let texts = vec![
        ("Access Denied".to_owned(), Gap::InvalidFrame),
        ("Access Denied".to_owned(), Gap::KeepAlive),
        ("Access Denied".to_owned(), Gap::Nothing),
    ];
    let (body, invalid) = live_body(&texts);
    assert_eq!(invalid, 1);
    // The limit is the size of the third message's frame, which follows the keep-alive.
    let frames: Vec<&[u8]> = body.split(|b| *b == b'\r').collect();
    let third = frames.get(3).map(|f| f.trim_ascii()).unwrap_or_default();
    assert!(third.starts_with(b"{\"") && frames.get(3).is_some_and(|f| f.starts_with(b" ")));
    let limit = third.len();
    let whole = events(
        StreamDecoder::new().with_max_frame_bytes(limit),
        std::slice::from_ref(&body),
    );
    let space = body.len() - third.len() - 2;
    let chunkings = [
        vec![body[..space].to_vec(), body[space..].to_vec()],
        vec![
            body[..space].to_vec(),
            b" ".to_vec(),
            body[space + 1..].to_vec(),
        ],
        body.chunks(1).map(<[u8]>::to_vec).collect(),
    ];
    for chunks in chunkings {
        let chunked = events(StreamDecoder::new().with_max_frame_bytes(limit), &chunks);
        assert_eq!(whole, chunked, "{} chunks", chunks.len());
    }
    assert!(
        whole.contains(&format!("message 3 {:?}", Some("Access Denied"))),
        "{whole:?}"
    );
}

// ---- ids and text into URLs and bodies, through the clients ---------------------------------

struct Harness {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    bot: BotClient,
    classic: Client,
}

/// One server that answers every request with something every call accepts, and records the requests.
fn harness() -> Arc<Harness> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (server, bot, classic) = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(any_request())
            .respond_with(
                ResponseTemplate::new(201)
                    .insert_header("Location", "/messages/1")
                    .set_body_raw(fixture("classic/message_created.json"), "application/json"),
            )
            .mount(&server)
            .await;
        let bot = BotClient::builder(&server.uri(), BOT_KEY)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("bot");
        let classic = Client::builder(&server.uri(), API_TOKEN)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("classic");
        (server, bot, classic)
    });
    Arc::new(Harness {
        runtime,
        server,
        bot,
        classic,
    })
}

/// A request as the server saw it: method, path as sent, decoded query, body.
type Seen = (String, String, Vec<(String, String)>, Vec<u8>);

/// The last request the server saw.
fn last_request(h: &Harness) -> Option<Seen> {
    let requests = h.runtime.block_on(h.server.received_requests())?;
    let last = requests.last()?;
    Some((
        last.method.to_string(),
        last.url.path().to_owned(),
        last.url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        last.body.clone(),
    ))
}

fn request_count(h: &Harness) -> usize {
    h.runtime
        .block_on(h.server.received_requests())
        .map(|r| r.len())
        .unwrap_or_default()
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(opsbot_proptest::config!(cases))
}

/// The inverse of `text_to_html`, to check nothing was lost.
fn html_to_text(html: &str) -> String {
    html.replace("<br>", "\n")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ /?#%&=+<>\"'\\\\\\r\\n\\t\\u{0}é🚀{}]{0,24}",
        Just("../../admin".to_owned()),
        Just("%2F%00".to_owned()),
    ]
}

#[test]
fn ids_reach_url_paths_exactly() {
    let h = harness();
    let key = BOT_KEY;
    runner(128)
        .run(&(any::<u64>(), any::<u64>()), |(room, message)| {
            let h = &*h;
            h.runtime.block_on(async {
                h.bot
                    .update_html(room, message, "x")
                    .await
                    .map(|_| ())
                    .or_else(|e| {
                        if matches!(e, Error::Decode { .. }) {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(|e| TestCaseError::fail(e.to_string()))
            })?;
            let (method, path, _, _) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(method, "PUT");
            prop_assert_eq!(path, format!("/rooms/{room}/{key}/messages/{message}"));

            h.runtime
                .block_on(h.classic.highlight(message))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (_, path, _, _) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(path, format!("/messages/{message}/star.json"));

            h.runtime
                .block_on(h.classic.speak(room, "x"))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (_, path, _, _) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(path, format!("/room/{room}/speak.json"));
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn text_with_any_characters_reaches_bodies_and_queries_intact() {
    let h = harness();
    let tried = std::sync::atomic::AtomicUsize::new(0);
    runner(192)
        .run(&(any_text(), any_text()), |(text, other)| {
            let h = &*h;
            let blank = text.trim().is_empty();
            let before = request_count(h);

            // The bot posts plain text escaped, line breaks as <br>; nothing is lost.
            let posted = h.runtime.block_on(h.bot.post_text(7, &text));
            if blank {
                let refused = matches!(posted, Err(Error::InvalidInput { .. }));
                prop_assert!(refused, "blank text was not refused");
                prop_assert_eq!(request_count(h), before, "nothing is sent for blank text");
                return Ok(());
            }
            posted.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (_, path, _, body) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(path, format!("/rooms/7/{BOT_KEY}/messages"));
            let body = String::from_utf8(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(
                !body.replace("<br>", "").contains(['<', '>']),
                "unescaped markup: {body:?}"
            );
            let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
            prop_assert_eq!(html_to_text(&body), normalized);

            // HTML and boost content go as they are.
            h.runtime
                .block_on(h.bot.post_html(7, &text))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (_, _, _, body) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(body, text.as_bytes());
            let _ = h.runtime.block_on(h.bot.boost(7, 1, &text));
            let (_, path, _, body) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(path, format!("/rooms/7/{BOT_KEY}/messages/1/boosts"));
            prop_assert_eq!(body, text.as_bytes());

            // Classic: the JSON body holds exactly the text.
            h.runtime
                .block_on(h.classic.paste(1001, &text))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (_, _, _, body) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            let json: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(json["message"]["body"].as_str(), Some(text.as_str()));
            prop_assert_eq!(json["message"]["type"].as_str(), Some("PasteMessage"));

            // A search term reaches the query string exactly, whatever it holds.
            h.runtime
                .block_on(h.classic.search(&text))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (_, path, query, _) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(path, "/search");
            prop_assert_eq!(
                query,
                vec![
                    ("q".to_owned(), text.clone()),
                    ("format".to_owned(), "json".to_owned())
                ]
            );

            // Room name and topic.
            h.runtime
                .block_on(
                    h.classic
                        .update_room(1001, RoomUpdate::new().name(&text).topic(&other)),
                )
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (method, _, _, body) =
                last_request(h).ok_or_else(|| TestCaseError::fail("no request"))?;
            prop_assert_eq!(method, "PUT");
            let json: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(json["room"]["name"].as_str(), Some(text.as_str()));
            prop_assert_eq!(json["room"]["topic"].as_str(), Some(other.as_str()));
            tried.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "text properties: {} non-blank texts through 6 calls",
        tried.load(std::sync::atomic::Ordering::SeqCst)
    );
}

#[test]
fn api_tokens_with_any_characters_reach_the_basic_credentials_intact() {
    let h = harness();
    let token = any::<String>().prop_filter("a usable token", |t| {
        !t.trim().is_empty() && t.trim() == t && !t.contains(|c: char| c == ':' || c.is_control())
    });
    runner(128)
        .run(&token, |token| {
            let h = &*h;
            let client = Client::builder(&h.server.uri(), &token)
                .retry_policy(RetryPolicy::none())
                .build()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            h.runtime
                .block_on(client.join(1001))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let requests = h
                .runtime
                .block_on(h.server.received_requests())
                .unwrap_or_default();
            let auth = requests
                .last()
                .and_then(|r| r.headers.get("authorization"))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            prop_assert_eq!(
                auth,
                Some(format!("Basic {}", base64(format!("{token}:X").as_bytes())))
            );
            let debug = format!("{client:?}");
            prop_assert!(
                token.chars().count() < 8 || !debug.contains(&token),
                "{}",
                debug
            );
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

// ---- parsers of secrets ---------------------------------------------------------------------

proptest! {
    #![proptest_config(opsbot_proptest::config!(512))]

    /// A bot key never panics the parser, and a rejected key is never repeated in the error.
    #[test]
    fn bot_key_parsing_never_echoes_the_key(
        raw in any::<String>(),
        token in "[A-Za-z0-9]{12,20}",
        junk in "[^A-Za-z0-9\\s]",
    ) {
        let _ = BotKey::parse(&raw);
        let bad = format!("12-{token}{junk}");
        let err = BotKey::parse(&bad).err().map(|e| format!("{e} {e:?}"));
        prop_assert!(err.as_deref().is_some_and(|e| !e.contains(&token)), "{err:?}");
        let good = BotKey::parse(&format!("12-{token}"));
        let hidden = good.as_ref().is_ok_and(|k| !format!("{:?}", k).contains(&token));
        prop_assert!(hidden, "the token shows in Debug");
    }

    /// Any room path parses or is rejected without a panic; its `Debug` never shows a token.
    #[test]
    fn room_paths_never_panic_or_show_the_token(
        raw in any::<String>(),
        room in any::<u64>(),
        user in any::<u64>(),
        token in "[A-Za-z0-9]{12,20}",
    ) {
        let path = RoomPath::new(raw);
        let _ = (path.room_id(), path.bot_key(), format!("{path:?}"));
        let path = RoomPath::new(format!("/rooms/{room}/{user}-{token}/messages"));
        prop_assert_eq!(path.room_id().ok().map(|r| r.get()), Some(room));
        let debug = format!("{path:?}");
        prop_assert!(!debug.contains(&token), "{}", debug);
        let base = url::Url::parse("https://chat.example.com/campfire/").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let url = path.url(&base).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(url.path(), format!("/campfire/rooms/{room}/{user}-{token}/messages"));
    }

    /// The mention helpers take any text.
    #[test]
    fn mention_helpers_take_any_text(text in any::<String>(), name in any::<String>()) {
        let _ = campfire_client::addressed_command(&text, &name);
        let _ = campfire_client::strip_mention(&text, &name);
        let _ = campfire_client::strip_mentions_html(&text, Some(&name));
        let html = campfire_client::mention_html(&name, &text);
        prop_assert!(html.starts_with("<action-text-attachment"));
    }
}
