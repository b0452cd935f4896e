//! Hostile answers to every call of both clients (the Manage API `Client` and the public
//! `PublicClient`): HTML pages, truncated JSON, invalid UTF-8, wrong types, `null`, numbers beyond
//! range, deeply nested JSON, unknown enum values and 100 MB bodies. Each ends in a typed error
//! (or decodes, where tolerance is right), never a panic, and a body over the limit is refused
//! while it is read, not after buffering it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures_util::future::BoxFuture;
use serde_json::Value;
use statuspage_client::{
    Client, ComponentStatus, Error, IncidentStatus, MetricId, MetricPoint, PublicClient, Result,
    RetryPolicy,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{KEY, PAGE, fixture};

/// One call: its name, the fixture of its model (`None` when the body is ignored) and the call.
type Call<'a> = (
    &'static str,
    Option<&'static str>,
    BoxFuture<'a, Result<()>>,
);

macro_rules! call {
    ($name:literal, $fixture:expr, $fut:expr) => {
        (
            $name,
            $fixture,
            Box::pin(async move { $fut.await.map(drop) }) as BoxFuture<'_, Result<()>>,
        )
    };
}

/// Every call of the Manage API client, each with the fixture of its model.
fn manage_calls(c: &Client) -> Vec<Call<'_>> {
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d);
    let at = Utc
        .with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
        .single()
        .unwrap_or_default();
    let later = at + chrono::Duration::hours(2);
    let point = MetricPoint::new(at, 1.5);
    vec![
        call!("pages.list", Some("pages/list.json"), c.pages().list()),
        call!("pages.get", Some("pages/get.json"), c.pages().get("p1")),
        call!(
            "pages.update",
            Some("pages/update.json"),
            c.pages().update("p1").name("n")
        ),
        call!(
            "components.list",
            Some("components/list.json"),
            c.components(PAGE).list()
        ),
        call!(
            "components.get",
            Some("components/get.json"),
            c.components(PAGE).get("c1")
        ),
        call!(
            "components.create",
            Some("components/create.json"),
            c.components(PAGE).create("API")
        ),
        call!(
            "components.update",
            Some("components/update.json"),
            c.components(PAGE).update("c1").name("n")
        ),
        call!(
            "components.set_status",
            Some("components/update.json"),
            c.components(PAGE)
                .set_status("c1", ComponentStatus::MajorOutage)
        ),
        call!("components.delete", None, c.components(PAGE).delete("c1")),
        call!(
            "components.uptime",
            Some("components/uptime.json"),
            c.components(PAGE).uptime("c1", day(1), day(2))
        ),
        call!(
            "groups.list",
            Some("component_groups/list.json"),
            c.component_groups(PAGE).list()
        ),
        call!(
            "groups.get",
            Some("component_groups/get.json"),
            c.component_groups(PAGE).get("g1")
        ),
        call!(
            "groups.create",
            Some("component_groups/create.json"),
            c.component_groups(PAGE).create("Web", ["c1"])
        ),
        call!(
            "groups.update",
            Some("component_groups/update.json"),
            c.component_groups(PAGE).update("g1").name("n")
        ),
        call!(
            "groups.delete",
            Some("component_groups/delete.json"),
            c.component_groups(PAGE).delete("g1")
        ),
        call!(
            "groups.uptime",
            Some("component_groups/uptime.json"),
            c.component_groups(PAGE).uptime("g1", None, None)
        ),
        call!(
            "incidents.list",
            Some("incidents/list.json"),
            c.incidents(PAGE).list()
        ),
        call!(
            "incidents.unresolved",
            Some("incidents/unresolved.json"),
            c.incidents(PAGE).unresolved()
        ),
        call!(
            "incidents.scheduled",
            Some("incidents/scheduled.json"),
            c.incidents(PAGE).scheduled()
        ),
        call!(
            "incidents.upcoming",
            Some("incidents/upcoming.json"),
            c.incidents(PAGE).upcoming()
        ),
        call!(
            "incidents.active_maintenance",
            Some("incidents/active_maintenance.json"),
            c.incidents(PAGE).active_maintenance()
        ),
        call!(
            "incidents.get",
            Some("incidents/get.json"),
            c.incidents(PAGE).get("i1")
        ),
        call!(
            "incidents.create",
            Some("incidents/create.json"),
            c.incidents(PAGE)
                .create("Down")
                .status(IncidentStatus::Investigating)
        ),
        call!(
            "incidents.schedule_maintenance",
            Some("incidents/create_maintenance.json"),
            c.incidents(PAGE).schedule_maintenance("Upgrade", at, later)
        ),
        call!(
            "incidents.update",
            Some("incidents/update.json"),
            c.incidents(PAGE).update("i1").body("b")
        ),
        call!(
            "incidents.resolve",
            Some("incidents/update.json"),
            c.incidents(PAGE).resolve("i1")
        ),
        call!(
            "incidents.delete",
            Some("incidents/delete.json"),
            c.incidents(PAGE).delete("i1")
        ),
        call!(
            "incidents.edit_update",
            Some("incidents/incident_update.json"),
            c.incidents(PAGE).edit_update("i1", "u1").body("b")
        ),
        call!(
            "postmortem.get",
            Some("postmortem/get.json"),
            c.incidents(PAGE).postmortem("i1").get()
        ),
        call!(
            "postmortem.save_draft",
            Some("postmortem/save_draft.json"),
            c.incidents(PAGE).postmortem("i1").save_draft("text")
        ),
        call!(
            "postmortem.publish",
            Some("postmortem/publish.json"),
            c.incidents(PAGE).postmortem("i1").publish()
        ),
        call!(
            "postmortem.revert",
            Some("postmortem/revert.json"),
            c.incidents(PAGE).postmortem("i1").revert()
        ),
        call!(
            "postmortem.delete",
            None,
            c.incidents(PAGE).postmortem("i1").delete()
        ),
        call!(
            "templates.list",
            Some("templates/list.json"),
            c.incident_templates(PAGE).list()
        ),
        call!(
            "templates.create",
            Some("templates/create.json"),
            c.incident_templates(PAGE).create("t", "title")
        ),
        call!(
            "subscribers.list",
            Some("subscribers/list.json"),
            c.subscribers(PAGE).list()
        ),
        call!(
            "subscribers.incident_list",
            Some("subscribers/incident_list.json"),
            c.incidents(PAGE).subscribers("i1").list()
        ),
        call!(
            "subscribers.get",
            Some("subscribers/get.json"),
            c.subscribers(PAGE).get("s1")
        ),
        call!(
            "subscribers.create",
            Some("subscribers/create.json"),
            c.subscribers(PAGE).create().email("a@example.com")
        ),
        call!(
            "subscribers.delete",
            None,
            c.subscribers(PAGE).delete("s1", false)
        ),
        call!(
            "metrics.list",
            Some("metrics/list.json"),
            c.metrics(PAGE).list()
        ),
        call!(
            "metrics.get",
            Some("metrics/get.json"),
            c.metrics(PAGE).get("m1")
        ),
        call!("metrics.submit", None, c.metrics(PAGE).submit("m1", point)),
        call!(
            "metrics.submit_bulk",
            None,
            c.metrics(PAGE)
                .submit_bulk([(MetricId::from("m1"), vec![point])])
        ),
        call!("metrics.reset", None, c.metrics(PAGE).reset("m1")),
    ]
}

/// Every call of the public Status API v2 client.
fn public_calls(p: &PublicClient) -> Vec<Call<'_>> {
    vec![
        call!("public.summary", Some("public/summary.json"), p.summary()),
        call!("public.status", Some("public/status.json"), p.status()),
        call!(
            "public.components",
            Some("public/components.json"),
            p.components()
        ),
        call!(
            "public.incidents",
            Some("public/incidents.json"),
            p.incidents()
        ),
        call!(
            "public.unresolved",
            Some("public/incidents_unresolved.json"),
            p.unresolved_incidents()
        ),
        call!(
            "public.scheduled",
            Some("public/scheduled_maintenances.json"),
            p.scheduled_maintenances()
        ),
        call!(
            "public.upcoming",
            Some("public/scheduled_maintenances_upcoming.json"),
            p.upcoming_maintenances()
        ),
        call!(
            "public.active",
            Some("public/scheduled_maintenances_active.json"),
            p.active_maintenances()
        ),
    ]
}

fn manage_client(server: &MockServer) -> Client {
    Client::builder(KEY)
        .base_url(server.uri())
        .without_pacing()
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a valid client")
}

fn public_client(server: &MockServer) -> PublicClient {
    PublicClient::builder(server.uri())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a valid public client")
}

/// What a hostile answer must end in.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// A 2xx body that is not the model: `Decode`, or `Ok` for calls that ignore the body.
    DecodeError,
    /// Either: a model whose every field is optional may accept a body of the wrong shape.
    DecodeErrorOrTolerated,
    /// An error status: `Api` with this status, whatever the body.
    Api(u16),
}

/// Answers every request with `answer`, runs every call of both clients, checks each outcome;
/// returns how many calls ran.
async fn run_all(
    server: &MockServer,
    what: &str,
    answer: ResponseTemplate,
    expect: Expect,
) -> usize {
    server.reset().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(answer)
        .mount(server)
        .await;
    let client = manage_client(server);
    let public = public_client(server);
    let mut calls = manage_calls(&client);
    calls.extend(public_calls(&public));
    let count = calls.len();
    for (name, model, call) in calls {
        let outcome = call.await;
        check(what, name, model.is_some(), &outcome, expect);
    }
    count
}

fn check(what: &str, name: &str, has_model: bool, outcome: &Result<()>, expect: Expect) {
    match (expect, outcome) {
        (
            Expect::DecodeError,
            Err(Error::Decode {
                status, excerpt, ..
            }),
        ) if has_model => {
            assert_eq!(*status, 200, "{what} / {name}");
            assert!(
                excerpt.chars().count() <= 200,
                "{what} / {name}: excerpt too long"
            );
        }
        (Expect::DecodeError, Ok(())) if !has_model => {}
        (Expect::DecodeErrorOrTolerated, Ok(())) => {}
        (Expect::DecodeErrorOrTolerated, Err(Error::Decode { status: 200, .. })) if has_model => {}
        (Expect::Api(want), Err(Error::Api(api))) => {
            assert_eq!(api.status, want, "{what} / {name}");
            assert!(
                api.body.len() <= 4096,
                "{what} / {name}: error body kept whole"
            );
        }
        _ => panic!("{what} / {name}: unexpected outcome {outcome:?}"),
    }
}

const HTML: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
    <body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream.</p></body></html>";

/// 2xx bodies that are not any model of the crate.
fn broken_bodies() -> Vec<(&'static str, Vec<u8>, Expect)> {
    use Expect::{DecodeError, DecodeErrorOrTolerated};
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_inside = format!(
        r#"{{"id":"x","name":"n","status":"operational","extra":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    vec![
        ("an HTML page", HTML.as_bytes().to_vec(), DecodeError),
        ("an empty body", Vec::new(), DecodeError),
        ("truncated JSON", br#"{"id":"abc","name":"Build Proc"#.to_vec(), DecodeError),
        ("a truncated array", br#"[{"id":"abc","name":"x"},{"id":"#.to_vec(), DecodeError),
        ("invalid UTF-8", b"{\"id\":\"\xff\xfe\xfd\",\"name\":\"\xc3\x28\"}".to_vec(), DecodeError),
        ("invalid UTF-8 in an array", b"[\"\xc0\xaf\"]".to_vec(), DecodeError),
        ("null", b"null".to_vec(), DecodeError),
        ("a number", b"42".to_vec(), DecodeError),
        ("a string", br#""operational""#.to_vec(), DecodeError),
        ("wrong types in an object", br#"{"id":12,"name":["x"],"status":{"a":1},"created_at":true,"updated_at":[],"body":5,"components":7,"incidents":{},"page":[]}"#.to_vec(), DecodeError),
        ("an array of numbers", b"[1,2,3]".to_vec(), DecodeError),
        ("a number beyond f64", b"1e400".to_vec(), DecodeError),
        ("100,000 levels of nesting", deep.into_bytes(), DecodeError),
        // serde_json skips an unknown field without recursing: deep nesting there is harmless.
        ("10,000 levels of nesting inside an unknown field", deep_inside.into_bytes(), DecodeErrorOrTolerated),
        ("trailing garbage after an array", b"[] and then some".to_vec(), DecodeError),
    ]
}

#[tokio::test]
async fn every_call_gives_a_typed_error_on_broken_2xx_bodies() {
    let server = MockServer::start().await;
    let mut tried = 0;
    for (what, body, expect) in broken_bodies() {
        let answer = ResponseTemplate::new(200).set_body_raw(body, "application/json");
        tried += run_all(&server, what, answer, expect).await;
    }
    let html = ResponseTemplate::new(200).set_body_raw(HTML, "text/html");
    tried += run_all(
        &server,
        "an HTML page as text/html",
        html,
        Expect::DecodeError,
    )
    .await;
    // Serde reads a struct from an array too; a model whose every field is optional (the
    // postmortem) accepts `[null, null]`. Tolerated, never a panic.
    let nulls = ResponseTemplate::new(200).set_body_raw("[null,null]", "application/json");
    tried += run_all(
        &server,
        "an array of nulls",
        nulls,
        Expect::DecodeErrorOrTolerated,
    )
    .await;
    println!("broken 2xx bodies: {tried} calls checked");
    assert_eq!(tried, 17 * 53, "every call ran for every body");
}

#[tokio::test]
async fn error_statuses_with_hostile_bodies_are_api_errors() {
    let server = MockServer::start().await;
    let huge_message = format!(r#"{{"error":"{}"}}"#, "x".repeat(100_000));
    let cases: Vec<(&str, u16, Vec<u8>)> = vec![
        ("an HTML 502", 502, HTML.as_bytes().to_vec()),
        ("an HTML 404", 404, HTML.as_bytes().to_vec()),
        (
            "invalid UTF-8 in a 500",
            500,
            b"\xff\xfe oops \xc3\x28".to_vec(),
        ),
        (
            "truncated JSON in a 422",
            422,
            br#"{"error":["name is"#.to_vec(),
        ),
        ("null in a 401", 401, b"null".to_vec()),
        (
            "wrong types in a 400",
            400,
            br#"{"error":{"nested":[1,2]},"message":7}"#.to_vec(),
        ),
        (
            "deep nesting in a 503",
            503,
            "[".repeat(50_000).into_bytes(),
        ),
        ("a 100 kB message in a 422", 422, huge_message.into_bytes()),
        ("an empty 403", 403, Vec::new()),
    ];
    let mut tried = 0;
    for (what, status, body) in cases {
        let answer = ResponseTemplate::new(status).set_body_raw(body, "application/json");
        tried += run_all(&server, what, answer, Expect::Api(status)).await;
    }
    println!("hostile error answers: {tried} calls checked");
}

/// Every number of a fixture replaced by `replacement` (a JSON number literal).
fn replace_numbers(text: &str, replacement: &str) -> Vec<u8> {
    fn walk(value: &mut Value, marker: &Value) {
        match value {
            Value::Number(_) => *value = marker.clone(),
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, marker)),
            Value::Object(map) => map.values_mut().for_each(|v| walk(v, marker)),
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_str(text).expect("fixture is JSON");
    let marker = Value::String("\u{1}NUMBER\u{1}".into());
    walk(&mut value, &marker);
    value
        .to_string()
        .replace("\"\\u0001NUMBER\\u0001\"", replacement)
        .into_bytes()
}

/// Every string under a key that holds a vendor enum replaced by a value no version knows.
fn unknown_enums(text: &str) -> (Vec<u8>, usize) {
    const ENUM_KEYS: &[&str] = &["status", "impact", "impact_override", "indicator", "mode"];
    fn walk(value: &mut Value, replaced: &mut usize) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, replaced)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if ENUM_KEYS.contains(&key.as_str()) && v.is_string() {
                        *v = Value::String(format!("brand_new_{key}_value"));
                        *replaced += 1;
                    } else {
                        walk(v, replaced);
                    }
                }
            }
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_str(text).expect("fixture is JSON");
    let mut replaced = 0;
    walk(&mut value, &mut replaced);
    (value.to_string().into_bytes(), replaced)
}

/// Runs every call once against an answer made for that call from its own fixture.
async fn per_call(
    server: &MockServer,
    mut make: impl FnMut(&str) -> Option<Vec<u8>>,
    mut judge: impl FnMut(&str, bool, &Result<()>),
) -> usize {
    let client = manage_client(server);
    let public = public_client(server);
    let mut calls = manage_calls(&client);
    calls.extend(public_calls(&public));
    let mut tried = 0;
    for (name, model, call) in calls {
        let Some(body) = model.and_then(|f| make(&fixture(f))) else {
            continue;
        };
        server.reset().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(server)
            .await;
        let outcome = call.await;
        judge(name, model.is_some(), &outcome);
        tried += 1;
    }
    tried
}

#[tokio::test]
async fn unknown_enum_values_decode_in_every_model() {
    let server = MockServer::start().await;
    let mut replaced_total = 0;
    let tried = per_call(
        &server,
        |text| {
            let (body, replaced) = unknown_enums(text);
            replaced_total += replaced;
            Some(body)
        },
        |name, _, outcome| {
            assert!(
                outcome.is_ok(),
                "{name}: unknown enum values must decode: {outcome:?}"
            )
        },
    )
    .await;
    println!("unknown enum values: {tried} models, {replaced_total} values replaced");
    assert!(
        replaced_total > 50,
        "the fixtures carry enum values: {replaced_total}"
    );
}

#[tokio::test]
async fn numbers_beyond_range_are_decode_errors_or_decode() {
    let server = MockServer::start().await;
    let mut decode_errors = 0;
    let mut tried = 0;
    for replacement in [
        "1e400",
        "-1e400",
        "18446744073709551616",
        "-1",
        "1.5e308",
        "-0",
    ] {
        tried += per_call(
            &server,
            |text| Some(replace_numbers(text, replacement)),
            |name, _, outcome| match outcome {
                Ok(()) => {}
                Err(Error::Decode { .. }) => decode_errors += 1,
                Err(other) => panic!("{name} with numbers {replacement}: {other:?}"),
            },
        )
        .await;
    }
    println!("numbers beyond range: {tried} answers, {decode_errors} decode errors");
    assert!(decode_errors > 0, "1e400 is beyond f64 and must be refused");
}

// ----- 100 MB bodies, streamed by a loopback server -----

const HUNDRED_MB: u64 = 100 * 1024 * 1024;

/// A server that answers every connection with `head` and then streams up to 100 MB of JSON
/// whitespace inside an array, counting the bytes it managed to write.
async fn streaming_server(head: String) -> (String, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let head = head.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(buf.get(..n).unwrap_or_default()),
                    }
                }
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0u64;
                if socket.write_all(b"[").await.is_err() {
                    return;
                }
                while sent < HUNDRED_MB {
                    if socket.write_all(&chunk).await.is_err() {
                        break;
                    }
                    sent += chunk.len() as u64;
                    counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
            });
        }
    });
    (format!("http://{addr}"), written)
}

/// A 2xx answer over the limit is `BodyTooLarge`; an error answer of any size is its status
/// (only its beginning is read), with a body of at most 4 KiB.
fn assert_big_answer(what: &str, status: &str, limit: usize, outcome: Result<()>) {
    match (status.get(..3), outcome) {
        (Some("200"), Err(Error::BodyTooLarge { limit: l })) if l == limit => {}
        (Some("429"), Err(Error::RateLimited { status: 429, .. })) => {}
        (Some(code), Err(Error::Api(api))) if code != "200" => {
            assert_eq!(api.status.to_string(), code, "{what}");
            assert!(api.body.len() <= 4096, "{what}: error body kept whole");
        }
        (_, other) => panic!("{what}: {other:?}"),
    }
}

fn head(status: &str, length: Option<u64>) -> String {
    let length = length.map_or_else(
        || "Connection: close\r\n".to_owned(),
        |l| format!("Content-Length: {l}\r\n"),
    );
    format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{length}\r\n")
}

#[tokio::test]
async fn hundred_megabyte_answers_are_refused_or_cut_while_reading() {
    // (what, status line, declared length, client limit)
    let cases = [
        ("200 without a length, default limit", "200 OK", None, None),
        (
            "200 without a length, 1 MiB limit",
            "200 OK",
            None,
            Some(1024 * 1024),
        ),
        ("200 declaring 100 MB", "200 OK", Some(HUNDRED_MB + 1), None),
        (
            "503 without a length",
            "503 Service Unavailable",
            None,
            Some(1024 * 1024),
        ),
        (
            "404 without a length",
            "404 Not Found",
            None,
            Some(1024 * 1024),
        ),
        (
            "503 declaring 100 MB",
            "503 Service Unavailable",
            Some(HUNDRED_MB + 1),
            None,
        ),
    ];
    for (what, status, length, limit) in cases {
        let (url, written) = streaming_server(head(status, length)).await;
        let mut builder = Client::builder(KEY)
            .base_url(&url)
            .without_pacing()
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(20));
        let mut public = PublicClient::builder(&url)
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(20));
        if let Some(limit) = limit {
            builder = builder.max_response_bytes(limit);
            public = public.max_response_bytes(limit);
        }
        let client = builder.build().expect("client");
        let public = public.build().expect("public client");
        let want = limit.unwrap_or(statuspage_client::DEFAULT_MAX_RESPONSE_BYTES);
        let outcome = client.components(PAGE).list().await;
        assert_big_answer(what, status, want, outcome.map(drop));
        let outcome = public.summary().await;
        assert_big_answer(what, status, want, outcome.map(drop));
        // The server stops once the client hangs up; let it notice.
        let mut last = u64::MAX;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let now = written.load(Ordering::SeqCst);
            if now == last {
                break;
            }
            last = now;
        }
        let served = written.load(Ordering::SeqCst);
        let peak = peak_rss_bytes();
        println!(
            "{what}: limit {want}, server wrote {served} bytes for two calls; \
             peak RSS of the test process so far {peak} bytes"
        );
        // One 100 MB answer buffered whole would need 100 MB; reading stops at the limit.
        assert!(
            peak < 96 * 1024 * 1024,
            "{what}: memory was not bounded (peak {peak} bytes)"
        );
        // Two calls, each stopped at the limit plus what the loopback buffers hold.
        assert!(
            served < 2 * (want as u64 + 16 * 1024 * 1024),
            "{what}: the client kept reading ({served} bytes)"
        );
    }
}

/// `Retry-After` values no server should send: each 420/429 ends the call with a typed error
/// (or a retry), never a panic, and a wait longer than the policy honours does not hold the key.
#[tokio::test]
async fn hostile_retry_after_values_never_panic_or_stall_the_client() {
    let values = [
        "18446744073709551615",
        "99999999999999999999999",
        "1e300",
        "-5",
        "NaN",
        "inf",
        "3600",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "soon",
        "",
    ];
    let server = MockServer::start().await;
    for (i, value) in values.iter().enumerate() {
        let status = if i % 2 == 0 { 420 } else { 429 };
        server.reset().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("retry-after", *value)
                    .set_body_raw(r#"{"error":"slow down"}"#, "application/json"),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_raw("[]", "application/json"))
            .mount(&server)
            .await;
        // A key of its own per value: the hold is shared by every client of a key.
        let client = Client::builder(format!("{KEY}-{i}"))
            .base_url(server.uri())
            .without_pacing()
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(5))
                    .with_max_retry_after(Duration::from_millis(100)),
            )
            .build()
            .expect("client");
        let first = client.components(PAGE).list().await;
        assert!(
            matches!(&first, Ok(list) if list.is_empty())
                || matches!(&first, Err(Error::RateLimited { status: s, .. }) if *s == status),
            "Retry-After {value:?}: {first:?}"
        );
        // The key is not held for the hour (or the eternity) the server asked for.
        let second =
            tokio::time::timeout(Duration::from_secs(10), client.components(PAGE).list()).await;
        assert!(
            matches!(&second, Ok(Ok(list)) if list.is_empty()),
            "Retry-After {value:?}: the next call is held: {second:?}"
        );
    }
}

/// The peak resident set size of this process (Linux `VmHWM`), 0 where unknown.
fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// A server that ignores `page` and answers every page with the same full page: the stream
/// ends after it instead of yielding it forever.
#[tokio::test]
async fn a_server_repeating_the_same_full_page_does_not_make_an_endless_stream() {
    use futures_util::TryStreamExt;
    let server = MockServer::start().await;
    let page = fixture("components/list.json");
    let size = serde_json::from_str::<Vec<Value>>(&page)
        .expect("a list")
        .len();
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "application/json"))
        .mount(&server)
        .await;
    let client = manage_client(&server);
    let per_page = u32::try_from(size).expect("small");
    let all = tokio::time::timeout(
        Duration::from_secs(10),
        client
            .components(PAGE)
            .list()
            .per_page(per_page)
            .stream()
            .try_collect::<Vec<_>>(),
    )
    .await;
    let requests = server.received_requests().await.unwrap_or_default().len();
    println!("repeated page of {size}: {requests} requests");
    let all = all.expect("the stream ends").expect("the items");
    assert_eq!(all.len(), size, "the page once");
    assert_eq!(requests, 3, "the stream ends when the page came back twice");
}
