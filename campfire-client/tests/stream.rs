//! The classic live stream: the pure decoder (fixture and property tests) and the reconnecting stream against a
//! local server that drops connections mid-message, sends keep-alives, goes silent and posts while the client
//! is away.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use campfire_client::Error;
use campfire_client::classic::{Client, Message, StreamDecoder, StreamEvent};
use common::*;
use futures_util::StreamExt;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---- the decoder ----------------------------------------------------------------------------

fn transcript() -> (Vec<Vec<u8>>, Vec<u64>) {
    let doc = fixture_json("classic/stream_transcript.json");
    let mut chunks: Vec<Vec<u8>> = doc["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .map(|c| c.as_str().expect("chunk").as_bytes().to_vec())
        .collect();
    for hex in doc["chunks_hex"].as_array().expect("hex") {
        let hex = hex.as_str().expect("hex");
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
            .collect();
        chunks.push(bytes);
    }
    let ids = doc["expected_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|v| v.as_u64())
        .collect();
    (chunks, ids)
}

fn decode_all(decoder: &mut StreamDecoder, chunks: &[Vec<u8>]) -> (Vec<Message>, usize, usize) {
    let (mut messages, mut keep_alives, mut other) = (Vec::new(), 0, 0);
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(event) = decoder.next_event() {
            match event {
                StreamEvent::Message(m) => messages.push(*m),
                StreamEvent::KeepAlive => keep_alives += 1,
                _ => other += 1,
            }
        }
    }
    (messages, keep_alives, other)
}

#[test]
fn the_recorded_transcript_decodes() {
    let (chunks, expected) = transcript();
    let (messages, keep_alives, other) = decode_all(&mut StreamDecoder::new(), &chunks);
    assert_eq!(
        messages.iter().map(|m| m.id.get()).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(keep_alives, 3);
    assert_eq!(other, 0);
    assert_eq!(
        messages.get(1).and_then(|m| m.body.as_deref()),
        Some("héllo wörld")
    );
    assert_eq!(
        messages.get(2).map(|m| (m.body.is_none(), m.starred)),
        Some((true, false))
    );
    assert_eq!(
        messages.get(3).map(|m| (m.body.as_deref(), m.starred)),
        Some((Some("🚀 deploying"), true))
    );
}

proptest! {
    #![proptest_config(opsbot_proptest::config!())]

    /// However the body is cut into chunks, the same messages come out in the same order.
    #[test]
    fn any_chunking_gives_the_same_messages(cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
        let (chunks, expected) = transcript();
        let body: Vec<u8> = chunks.concat();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(body.len() + 1)).collect();
        points.push(0);
        points.push(body.len());
        points.sort_unstable();
        points.dedup();
        let pieces: Vec<Vec<u8>> = points.windows(2).map(|w| body[w[0]..w[1]].to_vec()).collect();
        let (messages, _, other) = decode_all(&mut StreamDecoder::new(), &pieces);
        prop_assert_eq!(messages.iter().map(|m| m.id.get()).collect::<Vec<_>>(), expected);
        prop_assert_eq!(other, 0);
    }

    /// Arbitrary bytes never panic the decoder, and it never buffers more than its limit.
    #[test]
    fn garbage_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..20)) {
        let mut decoder = StreamDecoder::new().with_max_frame_bytes(256);
        for chunk in &chunks {
            decoder.push(chunk);
            while decoder.next_event().is_some() {}
            prop_assert!(decoder.pending_bytes() <= 256 + 64);
        }
        let _ = decoder.finish();
        prop_assert_eq!(decoder.pending_bytes(), 0);
    }
}

// ---- a local classic server -----------------------------------------------------------------

fn message_json(id: u64) -> String {
    serde_json::json!({
        "room_id": 1001, "created_at": "2013/05/14 09:00:00 +0000", "body": format!("message {id}"),
        "id": id, "user_id": 5, "type": "TextMessage", "starred": "false"
    })
    .to_string()
}

/// The room's state: every message posted so far, and what the client asked of `recent.json`.
#[derive(Default)]
struct Room {
    posted: Mutex<Vec<u64>>,
    recent_since: Mutex<Vec<Option<u64>>>,
    live_connections: AtomicUsize,
}

impl Room {
    fn post(&self, id: u64) {
        self.posted.lock().expect("lock").push(id);
    }
}

type Script = Arc<
    dyn Fn(usize, Arc<Room>, TcpStream) -> futures_util::future::BoxFuture<'static, ()>
        + Send
        + Sync,
>;

async fn serve(room: Arc<Room>, script: Script) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let room = room.clone();
            let script = script.clone();
            tokio::spawn(async move { handle(room, script, socket).await });
        }
    });
    format!("http://{addr}")
}

async fn handle(room: Arc<Room>, script: Script, mut socket: TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let target = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let authorized = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization: basic "));
    if !authorized {
        let _ = socket
            .write_all(
                b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        return;
    }
    if target.starts_with("/room/1001/live.json") {
        let n = room.live_connections.fetch_add(1, Ordering::SeqCst);
        script(n, room, socket).await;
    } else if target.starts_with("/room/1001/recent.json") {
        let since = target
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("since_message_id="))
            .and_then(|v| v.parse::<u64>().ok());
        room.recent_since.lock().expect("lock").push(since);
        let posted = room.posted.lock().expect("lock").clone();
        let messages: Vec<serde_json::Value> = posted
            .into_iter()
            .filter(|id| since.is_none_or(|s| *id > s))
            .map(|id| {
                let mut m: serde_json::Value =
                    serde_json::from_str(&message_json(id)).expect("json");
                m["starred"] = serde_json::Value::Bool(false);
                m
            })
            .collect();
        let body = serde_json::json!({ "messages": messages }).to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.write_all(answer.as_bytes()).await;
    } else {
        let _ = socket
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    }
}

async fn start_chunked(socket: &mut TcpStream) {
    let _ = socket
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await;
}

async fn chunk(socket: &mut TcpStream, data: &[u8]) {
    let mut frame = format!("{:x}\r\n", data.len()).into_bytes();
    frame.extend_from_slice(data);
    frame.extend_from_slice(b"\r\n");
    let _ = socket.write_all(&frame).await;
    let _ = socket.flush().await;
}

fn client_for(base: &str) -> Client {
    Client::builder(base, API_TOKEN)
        .streaming_url(base)
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client")
}

// ---- the lossless stream --------------------------------------------------------------------

#[tokio::test]
async fn every_message_exactly_once_and_in_order_across_drops_silence_and_absence() {
    let room = Arc::new(Room::default());
    let script: Script = Arc::new(|n, room: Arc<Room>, mut socket: TcpStream| {
        Box::pin(async move {
            match n {
                // Delivers 1, a keep-alive, then drops the connection in the middle of 2.
                0 => {
                    start_chunked(&mut socket).await;
                    room.post(1);
                    chunk(&mut socket, format!("{}\r", message_json(1)).as_bytes()).await;
                    chunk(&mut socket, b" ").await;
                    room.post(2);
                    let two = message_json(2);
                    chunk(&mut socket, &two.as_bytes()[..20]).await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    drop(socket);
                }
                // 3 was posted while the client was away. The stream repeats 3 (the race between catching up
                // and streaming), sends 4 split in two, then goes silent without closing.
                1 => {
                    room.post(3);
                    start_chunked(&mut socket).await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    chunk(&mut socket, b" ").await;
                    chunk(&mut socket, format!("{}\r", message_json(3)).as_bytes()).await;
                    room.post(4);
                    let four = format!("{}\r", message_json(4));
                    let (a, b) = four.as_bytes().split_at(30);
                    chunk(&mut socket, a).await;
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    chunk(&mut socket, b).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                // 5 was posted during the silence; 6 arrives live; keep-alives follow.
                2 => {
                    room.post(5);
                    start_chunked(&mut socket).await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    room.post(6);
                    chunk(&mut socket, format!("{}\r", message_json(6)).as_bytes()).await;
                    for _ in 0..100 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        chunk(&mut socket, b" ").await;
                    }
                }
                _ => {
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
                        )
                        .await;
                }
            }
        })
    });
    let base = serve(room.clone(), script).await;
    let client = client_for(&base);
    let mut live = client
        .stream(1001)
        .silence_timeout(Duration::from_secs(1))
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(50));

    let mut ids = Vec::new();
    while ids.len() < 6 {
        let next = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("a message within 10 s");
        let message = next.expect("the stream does not end").expect("no error");
        ids.push(message.id.get());
    }
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    // Nothing more arrives: 3 and 6, sent twice, were delivered once.
    let extra = tokio::time::timeout(Duration::from_millis(400), live.next()).await;
    assert!(extra.is_err(), "unexpected extra item: {extra:?}");
    assert_eq!(room.live_connections.load(Ordering::SeqCst), 3);
    let since = room.recent_since.lock().expect("lock").clone();
    assert_eq!(
        since,
        [Some(1), Some(4)],
        "catch-up asked recent.json since the last id seen"
    );
}

#[tokio::test]
async fn access_denied_ends_the_stream_with_an_auth_error() {
    let room = Arc::new(Room::default());
    let script: Script = Arc::new(|_, _room, mut socket: TcpStream| {
        Box::pin(async move {
            start_chunked(&mut socket).await;
            chunk(&mut socket, b"Access Denied").await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        })
    });
    let base = serve(room.clone(), script).await;
    let mut live = client_for(&base).stream(1001);
    let first = tokio::time::timeout(Duration::from_secs(5), live.next())
        .await
        .expect("in time");
    assert!(
        matches!(first, Some(Err(Error::Authentication { .. }))),
        "{first:?}"
    );
    assert!(live.next().await.is_none());
    assert_eq!(
        room.live_connections.load(Ordering::SeqCst),
        1,
        "no reconnect after Access Denied"
    );
}

#[tokio::test]
async fn a_refused_token_ends_the_stream() {
    let room = Arc::new(Room::default());
    let script: Script = Arc::new(|_, _room, mut socket: TcpStream| {
        Box::pin(async move {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        })
    });
    let base = serve(room, script).await;
    let mut live = client_for(&base).stream(1001);
    let first = tokio::time::timeout(Duration::from_secs(5), live.next())
        .await
        .expect("in time");
    assert!(
        matches!(first, Some(Err(Error::Authentication { .. }))),
        "{first:?}"
    );
    assert!(live.next().await.is_none());
}

#[tokio::test]
async fn since_catches_up_before_streaming_and_failures_are_bounded() {
    let room = Arc::new(Room::default());
    for id in [10, 11, 12] {
        room.post(id);
    }
    let script: Script = Arc::new(|n, _room, mut socket: TcpStream| {
        Box::pin(async move {
            if n == 0 {
                start_chunked(&mut socket).await;
                chunk(&mut socket, format!("{}\r", message_json(13)).as_bytes()).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            } else {
                let _ = socket.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
            }
        })
    });
    let base = serve(room.clone(), script).await;
    let live = client_for(&base)
        .stream(1001)
        .since(10)
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_consecutive_failures(2);
    let items: Vec<Result<Message, Error>> =
        tokio::time::timeout(Duration::from_secs(5), live.collect())
            .await
            .expect("the stream ends after bounded failures");
    let ids: Vec<u64> = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|m| m.id.get())
        .collect();
    assert_eq!(ids, [11, 12, 13]);
    assert!(
        matches!(items.last(), Some(Err(_))),
        "ends with the last failure"
    );
    assert_eq!(
        room.recent_since.lock().expect("lock").first().copied(),
        Some(Some(10))
    );
}
