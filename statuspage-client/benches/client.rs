//! What the client costs over hand-written HTTP, and typed decoding versus `serde_json::Value`
//! (rows 1 and 2 of BENCHMARKS.md).
//!
//! ```sh
//! cargo bench -p statuspage-client --bench client          # measure (divan: medians per row)
//! cargo test -p statuspage-client --bench client           # quick mode: every benchmark runs once
//! ```
//!
//! Every answer is built from the recorded fixtures under `fixtures/statuspage/`: the recorded
//! components (and incident updates) repeated with fresh ids up to 100 components and 50 updates.
//! The HTTP rows talk to a plain keep-alive HTTP/1.1 server on 127.0.0.1 that answers every
//! request with the same bytes; the client and the hand-written baseline each keep one reused
//! connection. Client-side pacing (a deliberate 1 request/s per key) is off for the client row.

use std::future::IntoFuture;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use divan::Bencher;
use serde_json::Value;
use statuspage_client::{Client, Component, Incident, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

const PAGE_ID: &str = "fakepage0001";
const KEY: &str = "fake-bench-key-0000";

fn main() {
    divan::main();
}

fn fixture(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/statuspage")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The recorded items repeated up to `n`, each with its own id (and position, when it has one).
fn repeated(items: &[Value], n: usize, id_prefix: &str) -> Vec<Value> {
    assert!(!items.is_empty(), "the fixture has no items to repeat");
    (0..n)
        .map(|i| {
            let mut item = items[i % items.len()].clone();
            if let Some(obj) = item.as_object_mut() {
                obj.insert("id".into(), Value::from(format!("{id_prefix}{i:06}")));
                if obj.contains_key("position") {
                    obj.insert("position".into(), Value::from(i + 1));
                }
            }
            item
        })
        .collect()
}

/// A page of 100 components built from `components/list.json`.
static COMPONENTS_100: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let recorded = fixture("components/list.json");
    let items = recorded.as_array().cloned().unwrap_or_default();
    serde_json::to_vec(&repeated(&items, 100, "benchcomp")).expect("serializable")
});

/// `incidents/get.json` with 50 incident updates.
static INCIDENT_50_UPDATES: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut incident = fixture("incidents/get.json");
    let updates = incident["incident_updates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    incident["incident_updates"] = Value::Array(repeated(&updates, 50, "benchupd"));
    serde_json::to_vec(&incident).expect("serializable")
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
    let base = runtime.block_on(plain_server(Arc::new(COMPONENTS_100.clone())));
    let client = Client::builder(KEY)
        .base_url(format!("{base}/v1"))
        .without_pacing()
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

/// Row 1: listing 100 components over HTTP.
mod list_100_components {
    use super::*;

    /// Through `client.components(page).list().per_page(100)`.
    #[divan::bench]
    fn client(bencher: Bencher) {
        let http = &*HTTP;
        bencher.bench_local(|| {
            let components = http
                .runtime
                .block_on(
                    http.client
                        .components(PAGE_ID)
                        .list()
                        .per_page(100)
                        .into_future(),
                )
                .expect("list");
            assert_eq!(components.len(), 100);
            components
        });
    }

    /// Hand-written: the same GET with reqwest, the body read whole, `serde_json::from_slice`
    /// into the same type.
    #[divan::bench]
    fn reqwest_serde_json(bencher: Bencher) {
        let http = &*HTTP;
        let url = format!("{}/v1/pages/{PAGE_ID}/components?per_page=100", http.base);
        let auth = format!("OAuth {KEY}");
        bencher.bench_local(|| {
            let components = http.runtime.block_on(async {
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
                serde_json::from_slice::<Vec<Component>>(&body).expect("decode")
            });
            assert_eq!(components.len(), 100);
            components
        });
    }
}

/// The steps of the client's private decoder: the body must be UTF-8 and nothing may follow the
/// value (`serde_json::from_str` checks that); the JSON path is tracked only after a failure.
fn typed_like_the_client<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    let text = std::str::from_utf8(body).expect("utf-8");
    serde_json::from_str(text).expect("decode")
}

/// The decoder before BENCHMARKS.md: the JSON path tracked on every decode.
fn decode_tracking_path<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    let text = std::str::from_utf8(body).expect("utf-8");
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).expect("decode");
    de.end().expect("nothing after the value");
    value
}

/// Row 2: decoding a 100-component page.
mod decode_100_components {
    use super::*;

    /// Typed, as the client decodes.
    #[divan::bench]
    fn typed(bencher: Bencher) {
        let body = COMPONENTS_100.as_slice();
        bencher.bench(|| typed_like_the_client::<Vec<Component>>(divan::black_box(body)));
    }

    /// Typed, tracking the JSON path on every decode (the client before the fix).
    #[divan::bench]
    fn typed_with_path(bencher: Bencher) {
        let body = COMPONENTS_100.as_slice();
        bencher.bench(|| decode_tracking_path::<Vec<Component>>(divan::black_box(body)));
    }

    /// Typed with plain `serde_json::from_slice`.
    #[divan::bench]
    fn typed_plain(bencher: Bencher) {
        let body = COMPONENTS_100.as_slice();
        bencher.bench(|| {
            serde_json::from_slice::<Vec<Component>>(divan::black_box(body)).expect("decode")
        });
    }

    /// Untyped: `serde_json::Value`.
    #[divan::bench]
    fn value(bencher: Bencher) {
        let body = COMPONENTS_100.as_slice();
        bencher.bench(|| serde_json::from_slice::<Value>(divan::black_box(body)).expect("decode"));
    }
}

/// Row 2: decoding an incident with 50 updates.
mod decode_incident_50_updates {
    use super::*;

    /// Typed, as the client decodes.
    #[divan::bench]
    fn typed(bencher: Bencher) {
        let body = INCIDENT_50_UPDATES.as_slice();
        bencher.bench(|| {
            let incident: Incident = typed_like_the_client(divan::black_box(body));
            assert_eq!(incident.incident_updates.len(), 50);
            incident
        });
    }

    /// Typed, tracking the JSON path on every decode (the client before the fix).
    #[divan::bench]
    fn typed_with_path(bencher: Bencher) {
        let body = INCIDENT_50_UPDATES.as_slice();
        bencher.bench(|| decode_tracking_path::<Incident>(divan::black_box(body)));
    }

    /// Typed with plain `serde_json::from_slice`.
    #[divan::bench]
    fn typed_plain(bencher: Bencher) {
        let body = INCIDENT_50_UPDATES.as_slice();
        bencher
            .bench(|| serde_json::from_slice::<Incident>(divan::black_box(body)).expect("decode"));
    }

    /// Untyped: `serde_json::Value`.
    #[divan::bench]
    fn value(bencher: Bencher) {
        let body = INCIDENT_50_UPDATES.as_slice();
        bencher.bench(|| serde_json::from_slice::<Value>(divan::black_box(body)).expect("decode"));
    }
}
