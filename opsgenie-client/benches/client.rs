//! What the client costs over hand-written HTTP, and typed decoding versus `serde_json::Value`
//! (rows 1 and 2 of BENCHMARKS.md).
//!
//! ```sh
//! cargo bench -p opsgenie-client --bench client          # measure (divan: medians per row)
//! cargo test -p opsgenie-client --bench client           # quick mode: every benchmark runs once
//! ```
//!
//! The 100-alert page is built from the recorded `fixtures/opsgenie/alerts/list_page1.json`: its
//! alerts repeated with fresh ids and tiny ids up to 100. The HTTP rows talk to a plain keep-alive
//! HTTP/1.1 server on 127.0.0.1 that answers every request with the same bytes; the client and the
//! hand-written baseline each keep one reused connection.

use std::future::IntoFuture;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use divan::Bencher;
use opsgenie_client::{Alert, Client, RetryPolicy};
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

const KEY: &str = "00000000-fake-4key-8000-00000000bench";

fn main() {
    divan::main();
}

/// `GET /v2/alerts` as a hand-written caller would declare it.
#[derive(Deserialize)]
struct AlertList {
    data: Vec<Alert>,
}

/// The recorded page with its alerts repeated up to 100, each with its own id and tiny id.
static ALERTS_100: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/opsgenie/alerts/list_page1.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut page: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let recorded = page["data"].as_array().cloned().unwrap_or_default();
    assert!(!recorded.is_empty(), "the fixture has no alerts");
    let alerts: Vec<Value> = (0..100)
        .map(|i| {
            let mut alert = recorded[i % recorded.len()].clone();
            alert["id"] = Value::from(format!("bench-alert-{i:06}"));
            alert["tinyId"] = Value::from((i + 1).to_string());
            alert["alias"] = Value::from(format!("bench-{i}"));
            alert
        })
        .collect();
    page["data"] = Value::Array(alerts);
    page["totalCount"] = Value::from(100);
    serde_json::to_vec(&page).expect("serializable")
});

/// A plain HTTP/1.1 server that answers every request on a kept-alive connection with `body`.
async fn plain_server(body: Arc<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut pending = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    // GET requests carry no body: the head ends the request.
                    let end = loop {
                        if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            break at + 4;
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => pending.extend_from_slice(&chunk[..n]),
                        }
                    };
                    pending.drain(..end);
                    if socket.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

struct Http {
    runtime: Runtime,
    base: String,
    client: Client,
    reqwest: reqwest::Client,
}

static HTTP: LazyLock<Http> = LazyLock::new(|| {
    // The server runs on one worker thread; each call is driven on the benchmark thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let base = runtime.block_on(plain_server(Arc::new(ALERTS_100.clone())));
    let client = Client::builder(KEY)
        .base_url(base.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    Http {
        runtime,
        base,
        client,
        reqwest: reqwest::Client::new(),
    }
});

/// Row 1: listing 100 alerts over HTTP.
mod list_100_alerts {
    use super::*;

    /// Through `client.alerts().list().query("status:open").limit(100)`.
    #[divan::bench]
    fn client(bencher: Bencher) {
        let http = &*HTTP;
        bencher.bench_local(|| {
            let page = http
                .runtime
                .block_on(
                    http.client
                        .alerts()
                        .list()
                        .query("status:open")
                        .limit(100)
                        .into_future(),
                )
                .expect("list");
            assert_eq!(page.alerts.len(), 100);
            page
        });
    }

    /// Hand-written: the same GET with reqwest, the body read whole, `serde_json::from_slice`
    /// into the same type.
    #[divan::bench]
    fn reqwest_serde_json(bencher: Bencher) {
        let http = &*HTTP;
        let url = format!(
            "{}/v2/alerts?query=status%3Aopen&offset=0&limit=100",
            http.base
        );
        let auth = format!("GenieKey {KEY}");
        bencher.bench_local(|| {
            let page = http.runtime.block_on(async {
                let response = http
                    .reqwest
                    .get(&url)
                    .header(reqwest::header::AUTHORIZATION, &auth)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .expect("send");
                assert!(response.status().is_success());
                let body = response.bytes().await.expect("body");
                serde_json::from_slice::<AlertList>(&body).expect("decode")
            });
            assert_eq!(page.data.len(), 100);
            page
        });
    }
}

/// Row 2: decoding a 100-alert page.
mod decode_100_alerts {
    use super::*;

    /// Typed, as the client decodes: the body must be UTF-8, then `serde_json::from_str`
    /// (the JSON path is tracked only after a failure).
    #[divan::bench]
    fn typed(bencher: Bencher) {
        let body = ALERTS_100.as_slice();
        bencher.bench(|| {
            let text = std::str::from_utf8(divan::black_box(body)).expect("utf-8");
            let page: AlertList = serde_json::from_str(text).expect("decode");
            assert_eq!(page.data.len(), 100);
            page
        });
    }

    /// Typed, tracking the JSON path on every decode (the client before the fix).
    #[divan::bench]
    fn typed_with_path(bencher: Bencher) {
        let body = ALERTS_100.as_slice();
        bencher.bench(|| {
            let text = std::str::from_utf8(divan::black_box(body)).expect("utf-8");
            let mut de = serde_json::Deserializer::from_str(text);
            let page: AlertList = serde_path_to_error::deserialize(&mut de).expect("decode");
            de.end().expect("nothing after the document");
            page
        });
    }

    /// Typed with plain `serde_json::from_slice`.
    #[divan::bench]
    fn typed_plain(bencher: Bencher) {
        let body = ALERTS_100.as_slice();
        bencher
            .bench(|| serde_json::from_slice::<AlertList>(divan::black_box(body)).expect("decode"));
    }

    /// Untyped: `serde_json::Value`.
    #[divan::bench]
    fn value(bencher: Bencher) {
        let body = ALERTS_100.as_slice();
        bencher.bench(|| serde_json::from_slice::<Value>(divan::black_box(body)).expect("decode"));
    }
}
