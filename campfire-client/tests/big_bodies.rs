//! 100 MB answers, streamed by a local server (never built as one 100 MB string): the body limit is enforced
//! while reading (default 16 MiB), a declared `Content-Length` over it is refused before reading, a huge
//! error page is still an error with its status (and is retried), and the live stream drops a 100 MB frame
//! and goes on. One test in its own binary, because it reads the process's peak memory (`VmHWM`) to show that
//! no answer was buffered whole.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use campfire_client::classic::Client;
use campfire_client::once::BotClient;
use campfire_client::{Error, RetryPolicy};
use common::*;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const HUNDRED_MB: u64 = 100 * 1024 * 1024;
const DEFAULT_LIMIT: usize = 16 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// Per route: requests served and body bytes the client accepted before it hung up.
#[derive(Default)]
struct Route {
    requests: AtomicUsize,
    written: AtomicU64,
}

#[derive(Default)]
struct Server {
    chunked: Route,
    declared: Route,
    error: Route,
    live: Route,
}

async fn serve(server: Arc<Server>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let server = server.clone();
            tokio::spawn(async move { handle(server, socket).await });
        }
    });
    format!("http://{addr}")
}

async fn handle(server: Arc<Server>, mut socket: TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or_default();
    // A repeating message object, so the body looks like a list that never ends.
    let item = br#"{"id":2000001,"room_id":1001,"user_id":5,"body":"x","type":"TextMessage","starred":false},"#;
    let fill: Vec<u8> = item.iter().copied().cycle().take(CHUNK).collect();
    if target.starts_with("/chunked/") {
        let route = &server.chunked;
        route.requests.fetch_add(1, Ordering::SeqCst);
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        chunked(&mut socket, route, head, b"{\"messages\":[", &fill, b"").await;
    } else if target.starts_with("/declared/") {
        let route = &server.declared;
        route.requests.fetch_add(1, Ordering::SeqCst);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {HUNDRED_MB}\r\n\r\n"
        );
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        while route.written.load(Ordering::SeqCst) < HUNDRED_MB {
            if socket.write_all(&fill).await.is_err() {
                return;
            }
            route.written.fetch_add(CHUNK as u64, Ordering::SeqCst);
        }
    } else if target.starts_with("/error/") {
        let route = &server.error;
        route.requests.fetch_add(1, Ordering::SeqCst);
        let page: Vec<u8> = b"<p>Service Unavailable</p>\n"
            .iter()
            .copied()
            .cycle()
            .take(CHUNK)
            .collect();
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n";
        chunked(&mut socket, route, head, b"<html><body>", &page, b"").await;
    } else if target.starts_with("/live/") {
        let route = &server.live;
        route.requests.fetch_add(1, Ordering::SeqCst);
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        // One 100 MB frame (a message whose body never seems to end), then a good message.
        let x = vec![b'x'; CHUNK];
        let tail = br#""}{"id":2,"room_id":1001,"user_id":5,"body":"after","type":"TextMessage","starred":"false"}"#;
        let mut tail = tail.to_vec();
        // The frame ends at the `\r` after `"}`; the good message has its own.
        tail.splice(2..2, [b'\r']);
        tail.push(b'\r');
        chunked(
            &mut socket,
            route,
            head,
            br#"{"id":1,"room_id":1001,"type":"TextMessage","body":""#,
            &x,
            &tail,
        )
        .await;
    } else {
        let _ = socket
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .await;
    }
}

/// A chunked answer: `start`, then `fill` until 100 MB are written, then `end`.
async fn chunked(
    socket: &mut TcpStream,
    route: &Route,
    head: &str,
    start: &[u8],
    fill: &[u8],
    end: &[u8],
) {
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let mut written = 0u64;
    for piece in std::iter::once(start)
        .chain(std::iter::repeat_n(
            fill,
            (HUNDRED_MB / fill.len() as u64) as usize,
        ))
        .chain(std::iter::once(end))
    {
        if piece.is_empty() {
            continue;
        }
        let mut out = format!("{:x}\r\n", piece.len()).into_bytes();
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
        if socket.write_all(&out).await.is_err() {
            return;
        }
        written += piece.len() as u64;
        route.written.fetch_max(written, Ordering::SeqCst);
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    // Hold the connection until the client closes it.
    let mut buf = [0u8; 16];
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf)).await;
}

/// Peak resident memory of this process in KiB (`VmHWM`), where the platform tells.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mib(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_megabyte_answers_are_refused_while_streaming_and_memory_stays_bounded() {
    let server = Arc::new(Server::default());
    let base = serve(server.clone()).await;
    let peak_before = peak_rss_kib();

    // 1. A 100 MB list without Content-Length: refused at the default limit, while reading.
    let classic = Client::builder(&format!("{base}/chunked"), API_TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("classic");
    let err = classic.recent(1001).await.expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == DEFAULT_LIMIT),
        "{err:?}"
    );
    let bot = BotClient::builder(&format!("{base}/chunked"), BOT_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("bot");
    let err = bot.messages(7).await.expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == DEFAULT_LIMIT),
        "{err:?}"
    );
    // A smaller configured limit is honoured the same way.
    let small = Client::builder(&format!("{base}/chunked"), API_TOKEN)
        .retry_policy(RetryPolicy::none())
        .max_response_bytes(1 << 20)
        .build()
        .expect("classic");
    let err = small.transcript_today(1001).await.expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == 1 << 20),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let chunked_written = server.chunked.written.load(Ordering::SeqCst);
    assert_eq!(server.chunked.requests.load(Ordering::SeqCst), 3);

    // 2. A declared Content-Length of 100 MB: refused before the body is read.
    let declared = Client::builder(&format!("{base}/declared"), API_TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("classic");
    let err = declared.account().await.expect_err("too large");
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let declared_written = server.declared.written.load(Ordering::SeqCst);

    // 3. A 100 MB error page: still a 503 (read only for its message), so a GET is retried.
    let retrying = Client::builder(&format!("{base}/error"), API_TOKEN)
        .retry_policy(fast_retries())
        .build()
        .expect("classic");
    let err = retrying.rooms().await.expect_err("503");
    assert!(
        matches!(&err, Error::Api(api) if api.status == 503 && api.body.len() <= 4096),
        "{err:?}"
    );
    assert_eq!(
        server.error.requests.load(Ordering::SeqCst),
        4,
        "retried like any 503"
    );

    // 4. The live stream: a 100 MB frame is one error, the next message still arrives.
    let live = Client::builder(&base, API_TOKEN)
        .streaming_url(&format!("{base}/live"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("classic");
    let items: Vec<Result<_, Error>> = tokio::time::timeout(
        Duration::from_secs(120),
        live.stream(1001).max_consecutive_failures(0).collect(),
    )
    .await
    .expect("the stream ends");
    assert!(
        matches!(items.first(), Some(Err(Error::BodyTooLarge { limit })) if *limit == 1 << 20),
        "{:?}",
        items.first()
    );
    assert_eq!(
        items
            .get(1)
            .and_then(|i| i.as_ref().ok())
            .map(|m| m.id.get()),
        Some(2)
    );
    assert_eq!(items.len(), 3, "then the end of the connection");
    let live_written = server.live.written.load(Ordering::SeqCst);
    assert!(
        live_written >= HUNDRED_MB,
        "the whole frame was streamed through"
    );

    let peak_after = peak_rss_kib();
    println!(
        "big bodies: list without length: at most {} MiB of 100 MiB sent per request; declared length: {} MiB written; \
         error page: {} requests; live frame: {} MiB streamed; peak RSS {:?} KiB -> {:?} KiB",
        mib(chunked_written),
        mib(declared_written),
        server.error.requests.load(Ordering::SeqCst),
        mib(live_written),
        peak_before,
        peak_after
    );
    // Each refused answer stopped near the limit (plus what the kernel's socket buffers took).
    assert!(mib(chunked_written) < 64, "{chunked_written}");
    assert!(mib(declared_written) < 32, "{declared_written}");
    // No answer was held whole: holding one 100 MB body would raise the peak by at least 100 MiB.
    if let (Some(before), Some(after)) = (peak_before, peak_after) {
        assert!(
            after.saturating_sub(before) < 80 * 1024,
            "peak memory grew by {} MiB",
            (after - before) / 1024
        );
    }
}
