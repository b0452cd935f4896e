//! The classic live stream under sustained faults: 10,000 messages posted while a local streaming server
//! cuts the connection every few hundred messages (between messages or in the middle of one, sometimes in
//! the middle of a UTF-8 character), goes silent for longer than the idle timeout, repeats messages the
//! client saw on the previous connection, and sends keep-alives. Every message must arrive exactly once and
//! in order. The fault schedule comes from a fixed seed, so a failure repeats.
//!
//! Also: the same 10,000 messages through FakeCampfire's seeded knobs (cuts, stalls, 503s, drops, a burst
//! past its live buffer), a catch-up answered by a maintenance page, and a catch-up that never ends.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use campfire_client::RetryPolicy;
use campfire_client::classic::Client;
use common::*;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

const SEED: u64 = 0x0CA3_F12E;
const MESSAGES: u64 = 10_000;
const FIRST_ID: u64 = 2_000_001;
const ROOM: u64 = 1001;
/// The client's idle timeout; every silence of the server is longer.
const SILENCE_TIMEOUT: Duration = Duration::from_millis(80);
/// How long a silent connection is held open at most (the client is expected to hang up long before).
const SILENCE_HOLD: Duration = Duration::from_secs(20);

fn frame(id: u64, starred_as_string: bool) -> serde_json::Value {
    serde_json::json!({
        "room_id": ROOM,
        "created_at": "2013/05/14 09:00:00 +0000",
        // Quotes, escapes, markup and multi-byte characters, so a cut can land anywhere inside one.
        "body": format!("message {id}: \"quoted\" <b>&amp;</b> héllo 🚀 line\nbreak"),
        "id": id,
        "user_id": 5,
        "type": "TextMessage",
        "starred": if starred_as_string { serde_json::json!("false") } else { serde_json::json!(false) },
    })
}

fn live_frame(id: u64) -> Vec<u8> {
    let mut bytes = frame(id, true).to_string().into_bytes();
    bytes.push(b'\r');
    bytes
}

/// What the server did, for the assertions and for RELIABILITY.md.
#[derive(Default, Debug)]
struct Figures {
    connections: AtomicUsize,
    cuts_between_messages: AtomicUsize,
    cuts_mid_message: AtomicUsize,
    ended_mid_message: AtomicUsize,
    cuts_mid_character: AtomicUsize,
    silences: AtomicUsize,
    silences_ended_by_client: AtomicUsize,
    repeated_frames: AtomicUsize,
    keep_alives: AtomicUsize,
    frames_written: AtomicUsize,
    recent_calls: AtomicUsize,
    recent_messages: AtomicUsize,
}

/// The room: every message posted so far (the producer appends; live connections tail it).
#[derive(Default)]
struct Room {
    log: Mutex<Vec<u64>>,
    posted: Notify,
    finished: AtomicBool,
    /// Messages the client has yielded so far (the producer stays at most `MAX_LEAD` ahead of it).
    delivered: AtomicUsize,
    figures: Figures,
}

/// How far the producer may run ahead of what the client has received: keeps the faults spread over the
/// whole run however fast or loaded the machine is (the backlog after a fault is still hundreds).
const MAX_LEAD: u64 = 600;

impl Room {
    fn len(&self) -> usize {
        self.log.lock().map(|l| l.len()).unwrap_or(0)
    }

    fn slice(&self, from: usize, max: usize) -> Vec<u64> {
        self.log
            .lock()
            .map(|l| l.iter().skip(from).take(max).copied().collect())
            .unwrap_or_default()
    }
}

async fn serve(room: Arc<Room>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let room = room.clone();
            tokio::spawn(async move { handle(room, socket).await });
        }
    });
    format!("http://{addr}")
}

async fn read_head(socket: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

async fn handle(room: Arc<Room>, mut socket: TcpStream) {
    let Some(head) = read_head(&mut socket).await else {
        return;
    };
    let target = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    if target.starts_with(&format!("/room/{ROOM}/live.json")) {
        let n = room.figures.connections.fetch_add(1, Ordering::SeqCst);
        live(room, socket, n as u64).await;
    } else if target.starts_with(&format!("/room/{ROOM}/recent.json")) {
        recent(&room, &mut socket, &target).await;
    } else {
        let _ = socket
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    }
}

fn query_u64(target: &str, name: &str) -> Option<u64> {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

/// `recent.json?since_message_id=M&limit=N`: the oldest N after M (`starred` as a bool, as recent sends it).
async fn recent(room: &Room, socket: &mut TcpStream, target: &str) {
    let since = query_u64(target, "since_message_id").unwrap_or(0);
    let limit = query_u64(target, "limit").unwrap_or(100).min(100) as usize;
    let ids: Vec<u64> = room
        .log
        .lock()
        .map(|l| {
            l.iter()
                .copied()
                .filter(|id| *id > since)
                .take(limit)
                .collect()
        })
        .unwrap_or_default();
    room.figures.recent_calls.fetch_add(1, Ordering::SeqCst);
    room.figures
        .recent_messages
        .fetch_add(ids.len(), Ordering::SeqCst);
    let messages: Vec<serde_json::Value> = ids.iter().map(|id| frame(*id, false)).collect();
    let body = serde_json::json!({ "messages": messages }).to_string();
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(answer.as_bytes()).await;
}

async fn chunk(socket: &mut TcpStream, data: &[u8]) -> bool {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    socket.write_all(&out).await.is_ok() && socket.flush().await.is_ok()
}

enum Ending {
    CutBetween,
    CutMidMessage,
    SilentMidMessage,
    Silent,
}

/// One live connection: tails the log from the moment it connected (repeating a few earlier messages, as
/// the real stream may), then ends with the fault the seed picks after 100 to 400 messages.
async fn live(room: Arc<Room>, mut socket: TcpStream, n: u64) {
    let mut rng = fastrand::Rng::with_seed(SEED ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let figures = &room.figures;
    if socket
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let repeat = rng.usize(0..4);
    let mut cursor = room.len().saturating_sub(repeat);
    figures
        .repeated_frames
        .fetch_add(room.len() - cursor, Ordering::SeqCst);
    let budget = rng.usize(100..=400);
    let ending = match rng.u8(0..4) {
        0 => Ending::CutBetween,
        1 => Ending::CutMidMessage,
        2 => Ending::SilentMidMessage,
        _ => Ending::Silent,
    };
    let mut sent = 0;
    loop {
        if sent >= budget {
            break;
        }
        let posted = room.posted.notified();
        let batch = room.slice(cursor, rng.usize(1..=6).min(budget - sent));
        if batch.is_empty() {
            if room.finished.load(Ordering::SeqCst) {
                // Everything is out: keep the connection alive (well within the idle timeout) until the
                // client hangs up.
                tokio::time::sleep(Duration::from_millis(20)).await;
                figures.keep_alives.fetch_add(1, Ordering::SeqCst);
                if !chunk(&mut socket, b" ").await {
                    return;
                }
                continue;
            }
            let _ = tokio::time::timeout(Duration::from_millis(20), posted).await;
            continue;
        }
        let mut bytes = Vec::new();
        for id in &batch {
            bytes.extend_from_slice(&live_frame(*id));
            if rng.u8(0..10) == 0 {
                bytes.push(b' ');
                figures.keep_alives.fetch_add(1, Ordering::SeqCst);
            }
        }
        // Cut the batch into one to three chunks at arbitrary byte offsets.
        let mut pieces = vec![bytes];
        for _ in 0..rng.usize(0..3) {
            if let Some(last) = pieces.pop() {
                let at = rng.usize(0..=last.len());
                let (a, b) = last.split_at(at);
                pieces.push(a.to_vec());
                pieces.push(b.to_vec());
            }
        }
        for piece in pieces.iter().filter(|p| !p.is_empty()) {
            if !chunk(&mut socket, piece).await {
                return;
            }
        }
        cursor += batch.len();
        sent += batch.len();
        figures
            .frames_written
            .fetch_add(batch.len(), Ordering::SeqCst);
    }
    // The fault. A message in the middle of which the connection ends is the next one posted.
    let mid_message = matches!(ending, Ending::CutMidMessage | Ending::SilentMidMessage);
    if mid_message {
        loop {
            let posted = room.posted.notified();
            if let Some(id) = room.slice(cursor, 1).first() {
                let whole = live_frame(*id);
                // Half of the cuts land inside the four bytes of the rocket, the rest anywhere.
                let rocket = whole.windows(4).position(|w| w == "🚀".as_bytes());
                let at = match rocket {
                    Some(start) if rng.bool() => start + rng.usize(1..4),
                    _ => rng.usize(1..whole.len() - 1),
                };
                if std::str::from_utf8(&whole[..at]).is_err() {
                    figures.cuts_mid_character.fetch_add(1, Ordering::SeqCst);
                }
                let _ = chunk(&mut socket, &whole[..at]).await;
                figures.ended_mid_message.fetch_add(1, Ordering::SeqCst);
                break;
            }
            if room.finished.load(Ordering::SeqCst) {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(20), posted).await;
        }
    }
    match ending {
        Ending::CutBetween => {
            figures.cuts_between_messages.fetch_add(1, Ordering::SeqCst);
            // A cut without the terminating chunk: the connection just ends.
        }
        Ending::CutMidMessage => {
            figures.cuts_mid_message.fetch_add(1, Ordering::SeqCst);
        }
        Ending::Silent | Ending::SilentMidMessage => {
            figures.silences.fetch_add(1, Ordering::SeqCst);
            // Say nothing, not even a keep-alive, until the client gives up on this connection.
            let mut buf = [0u8; 64];
            if let Ok(Ok(0)) = tokio::time::timeout(SILENCE_HOLD, socket.read(&mut buf)).await {
                figures
                    .silences_ended_by_client
                    .fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    drop(socket);
}

/// Posts every message in small bursts, independently of the connections (messages posted while the
/// client is away reach it only through `recent.json`), never more than `MAX_LEAD` ahead of the client.
async fn produce(room: Arc<Room>) {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut next = FIRST_ID;
    let last = FIRST_ID + MESSAGES - 1;
    while next <= last {
        while next - FIRST_ID > room.delivered.load(Ordering::SeqCst) as u64 + MAX_LEAD {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let burst = rng.u64(1..=10).min(last - next + 1);
        if let Ok(mut log) = room.log.lock() {
            log.extend(next..next + burst);
        }
        next += burst;
        room.posted.notify_waiters();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    room.finished.store(true, Ordering::SeqCst);
    room.posted.notify_waiters();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_messages_through_cuts_and_silences_arrive_once_in_order() {
    let room = Arc::new(Room::default());
    let base = serve(room.clone()).await;
    let client = Client::builder(&base, API_TOKEN)
        .streaming_url(&base)
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let mut live = client
        .stream(ROOM)
        .silence_timeout(SILENCE_TIMEOUT)
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(10));

    // The first message is posted once the stream is connected (a live stream only shows what is posted
    // while it is connected; everything later is covered by the catch-up).
    let first = tokio::spawn({
        let room = room.clone();
        async move {
            while room.figures.connections.load(Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            produce(room).await;
        }
    });

    let mut received: Vec<u64> = Vec::with_capacity(MESSAGES as usize);
    let mut errors = Vec::new();
    while received.len() < MESSAGES as usize {
        let item = tokio::time::timeout(Duration::from_secs(20), live.next())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no message for 20 s after {} (last {:?}); {:?}",
                    received.len(),
                    received.last(),
                    room.figures
                )
            })
            .expect("the stream does not end");
        match item {
            Ok(message) => {
                assert_eq!(
                    message.body.as_deref(),
                    frame(message.id.get(), false)["body"].as_str(),
                    "message {} arrived intact",
                    message.id
                );
                received.push(message.id.get());
                room.delivered.store(received.len(), Ordering::SeqCst);
            }
            Err(err) => errors.push(err.to_string()),
        }
    }
    first.await.expect("producer");
    // Nothing more: no duplicate trails the last message.
    let extra = tokio::time::timeout(SILENCE_TIMEOUT * 3, live.next()).await;
    assert!(
        extra.is_err(),
        "unexpected item after the last message: {extra:?}"
    );

    let expected: Vec<u64> = (FIRST_ID..FIRST_ID + MESSAGES).collect();
    if received != expected {
        let first_bad = received
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(received.len().min(expected.len()));
        panic!(
            "messages lost, repeated or reordered from index {first_bad}: got {:?}, wanted {:?}",
            received.get(first_bad..first_bad + 5),
            expected.get(first_bad..first_bad + 5)
        );
    }
    assert!(errors.is_empty(), "error items: {errors:?}");

    drop(live);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let f = &room.figures;
    let load = |a: &AtomicUsize| a.load(Ordering::SeqCst);
    let cuts = load(&f.cuts_between_messages) + load(&f.cuts_mid_message);
    println!(
        "stream faults: {} messages; {} connections; {} cuts between messages, {} cuts mid-message, \
         {} silences ({} ended by the client); {} endings inside a message ({} inside a UTF-8 character); \
         {} repeated frames; {} keep-alives; {} frames written live; {} recent.json calls returning {} messages",
        received.len(),
        load(&f.connections),
        load(&f.cuts_between_messages),
        load(&f.cuts_mid_message),
        load(&f.silences),
        load(&f.silences_ended_by_client),
        load(&f.ended_mid_message),
        load(&f.cuts_mid_character),
        load(&f.repeated_frames),
        load(&f.keep_alives),
        load(&f.frames_written),
        load(&f.recent_calls),
        load(&f.recent_messages),
    );
    // The faults really happened, and every silence was detected by the client rather than outwaited.
    assert!(load(&f.connections) >= 20, "{f:?}");
    assert!(cuts >= 5 && load(&f.cuts_mid_message) >= 2, "{f:?}");
    assert!(load(&f.silences) >= 5, "{f:?}");
    assert_eq!(
        load(&f.silences_ended_by_client),
        load(&f.silences),
        "the client hung up on every silent connection"
    );
    assert!(
        load(&f.repeated_frames) > 0 && load(&f.recent_messages) > 0,
        "{f:?}"
    );
}

/// The same promise against `FakeCampfire`'s seeded fault knobs: 10,000 messages posted in bursts of 5 while the
/// fake cuts the stream in the middle of about one message in a hundred (`stream_cut`) and goes silent past
/// the client's idle timeout instead of sending about one in five hundred (`stream_stall`), answers one
/// request in ten with 503 and drops one connection in twenty, with one burst larger than the fake's live
/// buffer (the connection that falls behind is ended, not skipped ahead).
#[cfg(feature = "fake")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_messages_through_the_fakes_seeded_cuts() {
    use campfire_client::fake::{FakeCampfire, Faults};

    let fake = FakeCampfire::builder()
        .keep_alive_interval(Duration::from_millis(20))
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let ada = fake.user_id("Ada Example").expect("ada");
    let campfire = fake.classic_client().expect("client");
    campfire.join(ops).await.expect("join");
    // From here on, every request (stream connections and catch-ups alike) may also meet a 503 or a
    // dropped connection.
    fake.set_faults(
        Faults::seeded(SEED)
            .stream_cut(0.01)
            .stream_stall(0.002)
            .error_503(0.1)
            .drop_connection(0.05),
    );
    let since = fake
        .messages(ops)
        .last()
        .map(|m| m.id)
        .expect("the join message");
    let mut live = campfire
        .stream(ops)
        .since(since)
        .silence_timeout(SILENCE_TIMEOUT)
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(10));
    // Connect before posting.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), live.next())
            .await
            .is_err()
    );
    let fake = Arc::new(fake);
    let producer = tokio::spawn({
        let fake = fake.clone();
        async move {
            let mut ids = Vec::with_capacity(MESSAGES as usize);
            for i in 0..MESSAGES {
                ids.push(fake.seed_message(ops, ada, &format!("line {i} héllo 🚀")));
                // Mostly bursts of 5; one burst of 3,000 outruns the fake's 1,024-message live buffer.
                let in_big_burst = (4_000..7_000).contains(&i);
                if i % 5 == 4 && !in_big_burst {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            ids
        }
    });
    let mut received = Vec::with_capacity(MESSAGES as usize);
    while received.len() < MESSAGES as usize {
        let item = tokio::time::timeout(Duration::from_secs(20), live.next())
            .await
            .unwrap_or_else(|_| panic!("stalled after {} messages", received.len()))
            .expect("the stream does not end");
        received.push(item.expect("no error item").id);
    }
    let expected = producer.await.expect("producer");
    assert_eq!(received.len(), expected.len());
    if let Some(at) = received.iter().zip(&expected).position(|(a, b)| a != b) {
        panic!(
            "lost, repeated or reordered at {at}: got {:?}, wanted {:?}",
            received.get(at..at + 5),
            expected.get(at..at + 5)
        );
    }
    let extra = tokio::time::timeout(SILENCE_TIMEOUT * 3, live.next()).await;
    assert!(extra.is_err(), "unexpected item: {extra:?}");
}

/// A catch-up answered by a proxy's maintenance page (status 200, HTML) is a failed reconnect to retry,
/// not the end of the stream: during an outage is exactly when such pages appear.
#[tokio::test]
async fn a_catch_up_answered_with_a_maintenance_page_is_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let recent_calls = Arc::new(AtomicUsize::new(0));
    let live_calls = Arc::new(AtomicUsize::new(0));
    tokio::spawn({
        let (recent_calls, live_calls) = (recent_calls.clone(), live_calls.clone());
        async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (recent_calls, live_calls) = (recent_calls.clone(), live_calls.clone());
                tokio::spawn(async move {
                    let Some(head) = read_head(&mut socket).await else {
                        return;
                    };
                    if head.contains("/live.json") {
                        let n = live_calls.fetch_add(1, Ordering::SeqCst);
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .await;
                        // Message 1 on the first connection, then a cut; 3 on every later one, then silence.
                        let id = if n == 0 { FIRST_ID } else { FIRST_ID + 2 };
                        chunk(&mut socket, &live_frame(id)).await;
                        if n > 0 {
                            tokio::time::sleep(Duration::from_secs(5)).await;
                        }
                    } else if head.contains("/recent.json") {
                        // Message 2 was posted while the client was away.
                        let body = if recent_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                            fixture("hostile/maintenance_200.html")
                        } else {
                            serde_json::json!({ "messages": [frame(FIRST_ID + 1, false)] })
                                .to_string()
                        };
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = socket.write_all(answer.as_bytes()).await;
                    }
                });
            }
        }
    });
    let client = Client::builder(&base, API_TOKEN)
        .streaming_url(&base)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let mut live = client
        .stream(ROOM)
        .silence_timeout(Duration::from_secs(2))
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(5));
    let mut ids = Vec::new();
    while ids.len() < 3 {
        let item = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("in time")
            .expect("the stream goes on");
        ids.push(item.expect("no error item").id.get());
    }
    assert_eq!(ids, [FIRST_ID, FIRST_ID + 1, FIRST_ID + 2]);
    assert_eq!(
        recent_calls.load(Ordering::SeqCst),
        2,
        "the failed catch-up was retried"
    );
    assert_eq!(live_calls.load(Ordering::SeqCst), 3);
}

/// A catch-up over a long gap is delivered page by page as it is fetched, not gathered whole first: against
/// a server whose `recent.json` always has another full page (as a hostile or very busy one might), the
/// messages flow and memory holds one page at a time.
#[tokio::test]
async fn a_long_catch_up_is_delivered_page_by_page() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let recent_calls = Arc::new(AtomicUsize::new(0));
    tokio::spawn({
        let recent_calls = recent_calls.clone();
        async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let recent_calls = recent_calls.clone();
                tokio::spawn(async move {
                    let Some(head) = read_head(&mut socket).await else {
                        return;
                    };
                    let target = head
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    if target.contains("/live.json") {
                        // One message, then the connection ends: the client catches up from it.
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .await;
                        chunk(&mut socket, &live_frame(FIRST_ID)).await;
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    } else if target.contains("/recent.json") {
                        recent_calls.fetch_add(1, Ordering::SeqCst);
                        // Always a full page of newer messages: the gap never ends.
                        let since = query_u64(&target, "since_message_id").unwrap_or(FIRST_ID);
                        let messages: Vec<serde_json::Value> = (since + 1..=since + 100)
                            .map(|id| frame(id, false))
                            .collect();
                        let body = serde_json::json!({ "messages": messages }).to_string();
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = socket.write_all(answer.as_bytes()).await;
                    }
                });
            }
        }
    });
    let client = Client::builder(&base, API_TOKEN)
        .streaming_url(&base)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    // The first connection's message sets the point to catch up from; a short silence timeout ends it.
    let mut live = client
        .stream(ROOM)
        .silence_timeout(Duration::from_millis(100))
        .reconnect_backoff(Duration::from_millis(1), Duration::from_millis(5));
    let mut ids = Vec::new();
    while ids.len() < 1_000 {
        let item = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .unwrap_or_else(|_| panic!("stalled after {} messages", ids.len()))
            .expect("the stream goes on");
        ids.push(item.expect("no error item").id.get());
    }
    assert_eq!(ids, (FIRST_ID..FIRST_ID + 1_000).collect::<Vec<_>>());
    let calls = recent_calls.load(Ordering::SeqCst);
    // 999 caught-up messages need 10 pages; the client asked for no more than one page ahead.
    assert!((10..=11).contains(&calls), "{calls} recent.json calls");
}
