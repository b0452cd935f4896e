//! Shared helpers: fixture loading, recorded answers, the catch-all mock and fast clients.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use campfire_client::RetryPolicy;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const BOT_KEY: &str = "12-FakeBotKey00";
pub const BOT_TOKEN: &str = "FakeBotKey00";
pub const API_TOKEN: &str = "fake0api0token0not0real";

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/campfire")
}

pub fn fixture(path: &str) -> String {
    let full = fixture_dir().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("fixture {}: {e}", full.display()))
}

pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// Every fixture file under a subdirectory.
pub fn fixture_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(fixture_dir().join(dir))
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

/// A recorded non-JSON answer (`*.answer.json`: status, headers, body) as a wiremock response.
pub fn answer(path: &str) -> ResponseTemplate {
    let doc = fixture_json(path);
    let status = doc["status"].as_u64().expect("status") as u16;
    let mut template = ResponseTemplate::new(status);
    if let Some(headers) = doc["headers"].as_object() {
        for (name, value) in headers {
            template = template.insert_header(name.as_str(), value.as_str().expect("header"));
        }
    }
    let body = doc["body"].as_str().unwrap_or_default().to_owned();
    let content_type = doc["headers"]["Content-Type"]
        .as_str()
        .unwrap_or("text/plain")
        .to_owned();
    template.set_body_raw(body, &content_type)
}

/// A JSON fixture as a 200 (or given status) answer.
pub fn json_answer(status: u16, path: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(path), "application/json")
}

/// Mounts the catch-all last: a missed route answers 599 and fails readably.
pub async fn mount_catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(599).set_body_string("no mock matched this request (catch-all)"),
        )
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// Retries with millisecond backoff, so behaviour tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

/// Standard base64 with padding, to build or recognise Basic credentials.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
