//! Hostile answers to every call of the client: HTML pages, truncated JSON, invalid UTF-8, wrong
//! types, `null`, numbers beyond range, deeply nested JSON, unknown enum values and 100 MB bodies.
//! Each ends in a typed error (or decodes, where tolerance is right), never a panic, and a body
//! over the limit is refused while it is read, not after buffering it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures_util::future::BoxFuture;
use opsgenie_client::heartbeats::IntervalUnit;
use opsgenie_client::{
    AlertAction, AlertRef, Client, Error, IncidentId, NamedRef, Priority, Result, RetryPolicy,
    ScheduleRef, UserRef,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{KEY, accepted, fixture};

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

/// The alert whose action is always accepted, so that the request-status model can be tested.
const HANDLE_ALERT: &str = "handle-flow";

/// Every call of the client, each with the fixture of its model.
fn calls(c: &Client) -> Vec<Call<'_>> {
    let at = Utc
        .with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
        .single()
        .unwrap_or_default();
    let later = at + chrono::Duration::hours(2);
    let alert = || AlertRef::id("a1");
    let ops = || ScheduleRef::name("ops");
    let ann = || UserRef::username("ann@example.com");
    let accepted = Some("alerts/create_accepted.json");
    vec![
        call!(
            "alerts.create",
            accepted,
            c.alerts().create("Down").priority(Priority::P1)
        ),
        call!(
            "alerts.get",
            Some("alerts/get.json"),
            c.alerts().get(alert())
        ),
        call!(
            "alerts.list",
            Some("alerts/list_page1.json"),
            c.alerts().list().query("status:open")
        ),
        call!(
            "alerts.count",
            Some("alerts/count.json"),
            c.alerts().count()
        ),
        call!(
            "alerts.acknowledge",
            accepted,
            c.alerts().acknowledge(alert())
        ),
        call!(
            "alerts.unacknowledge",
            accepted,
            c.alerts().unacknowledge(alert())
        ),
        call!(
            "alerts.close",
            accepted,
            c.alerts().close(AlertRef::tiny("7"))
        ),
        call!(
            "alerts.add_note",
            accepted,
            c.alerts().add_note(AlertRef::alias("x"), "n")
        ),
        call!("alerts.snooze", accepted, c.alerts().snooze(alert(), later)),
        call!(
            "alerts.escalate",
            accepted,
            c.alerts().escalate(alert(), NamedRef::name("e"))
        ),
        call!("alerts.assign", accepted, c.alerts().assign(alert(), ann())),
        call!(
            "alerts.add_team",
            accepted,
            c.alerts().add_team(alert(), NamedRef::name("t"))
        ),
        call!(
            "alerts.custom_action",
            accepted,
            c.alerts().custom_action(alert(), "restart")
        ),
        call!(
            "alerts.add_tags",
            accepted,
            c.alerts().add_tags(alert(), ["a"])
        ),
        call!(
            "alerts.remove_tags",
            accepted,
            c.alerts().remove_tags(alert(), ["a"])
        ),
        call!(
            "alerts.add_details",
            accepted,
            c.alerts().add_details(alert(), [("k", "v")])
        ),
        call!(
            "alerts.remove_details",
            accepted,
            c.alerts().remove_details(alert(), ["k"])
        ),
        call!(
            "alerts.update_priority",
            accepted,
            c.alerts().update_priority(alert(), Priority::P2)
        ),
        call!(
            "alerts.update_message",
            accepted,
            c.alerts().update_message(alert(), "m")
        ),
        call!(
            "alerts.update_description",
            accepted,
            c.alerts().update_description(alert(), "d")
        ),
        call!("alerts.delete", accepted, c.alerts().delete(alert())),
        call!(
            "alerts.notes",
            Some("alerts/notes.json"),
            c.alerts().notes(alert())
        ),
        call!(
            "alerts.logs",
            Some("alerts/logs.json"),
            c.alerts().logs(alert())
        ),
        call!(
            "alerts.request_status",
            Some("requests/success.json"),
            async {
                let handle = c.alerts().acknowledge(AlertRef::id(HANDLE_ALERT)).await?;
                handle.status().await
            }
        ),
        call!("alerts.bulk", accepted, async {
            let outcomes = c
                .alerts()
                .bulk([AlertRef::id("b1")], AlertAction::Acknowledge)
                .await;
            assert_eq!(outcomes.len(), 1, "one outcome per alert");
            outcomes
                .into_iter()
                .next()
                .map_or(Ok(()), |o| o.into_result().map(drop))
        }),
        call!(
            "schedules.list",
            Some("schedules/list.json"),
            c.schedules().list()
        ),
        call!(
            "schedules.get",
            Some("schedules/get.json"),
            c.schedules().get(ops())
        ),
        call!(
            "schedules.on_calls_flat",
            Some("schedules/on_calls_flat.json"),
            c.schedules().on_calls(ops()).flat(true)
        ),
        call!(
            "schedules.on_calls_nested",
            Some("schedules/on_calls_nested.json"),
            c.schedules().on_calls(ops())
        ),
        call!(
            "schedules.all_on_calls",
            Some("schedules/all_on_calls.json"),
            c.schedules().all_on_calls().flat(true)
        ),
        call!(
            "schedules.next_on_calls",
            Some("schedules/next_on_calls.json"),
            c.schedules().next_on_calls(ops())
        ),
        call!(
            "overrides.create",
            Some("schedules/override_created.json"),
            c.schedules().overrides(ops()).create(ann(), at, later)
        ),
        call!(
            "overrides.update",
            Some("schedules/override_created.json"),
            c.schedules()
                .overrides(ops())
                .update("o1", ann(), at, later)
        ),
        call!(
            "overrides.list",
            Some("schedules/overrides_list.json"),
            c.schedules().overrides(ops()).list()
        ),
        call!(
            "overrides.get",
            Some("schedules/override_get.json"),
            c.schedules().overrides(ops()).get("o1")
        ),
        call!(
            "overrides.delete",
            None,
            c.schedules().overrides(ops()).delete("o1")
        ),
        call!(
            "heartbeats.ping",
            Some("heartbeats/ping.json"),
            c.heartbeats().ping("nightly")
        ),
        call!(
            "heartbeats.list",
            Some("heartbeats/list.json"),
            c.heartbeats().list()
        ),
        call!(
            "heartbeats.get",
            Some("heartbeats/get.json"),
            c.heartbeats().get("nightly")
        ),
        call!(
            "heartbeats.create",
            Some("heartbeats/create.json"),
            c.heartbeats().create("nightly", 10, IntervalUnit::Minutes)
        ),
        call!(
            "heartbeats.update",
            Some("heartbeats/create.json"),
            c.heartbeats().update("nightly").enabled(true)
        ),
        call!("heartbeats.delete", None, c.heartbeats().delete("nightly")),
        call!(
            "heartbeats.enable",
            Some("heartbeats/create.json"),
            c.heartbeats().enable("nightly")
        ),
        call!(
            "heartbeats.disable",
            Some("heartbeats/create.json"),
            c.heartbeats().disable("nightly")
        ),
        call!(
            "incidents.create",
            Some("incidents/create_accepted.json"),
            c.incidents().create("Down", "svc-1")
        ),
        call!(
            "incidents.get",
            Some("incidents/get.json"),
            c.incidents().get(IncidentId::from("i1"))
        ),
        call!(
            "incidents.list",
            Some("incidents/list.json"),
            c.incidents().list()
        ),
        call!(
            "incidents.resolve",
            Some("incidents/create_accepted.json"),
            c.incidents().resolve(IncidentId::from("i1"))
        ),
        call!(
            "incidents.close",
            Some("incidents/create_accepted.json"),
            c.incidents().close(IncidentId::from("i1"))
        ),
        call!(
            "incidents.add_note",
            Some("incidents/create_accepted.json"),
            c.incidents().add_note(IncidentId::from("i1"), "n")
        ),
        call!(
            "incidents.request_status",
            Some("incidents/request_status.json"),
            c.incidents().request("r1").status()
        ),
    ]
}

fn client(server: &MockServer) -> Client {
    Client::builder(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .outcome_poll_interval(Duration::from_millis(1), Duration::from_millis(5))
        .outcome_timeout(Duration::from_millis(200))
        .build()
        .expect("a valid client")
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

/// Mounts `answer` for every request (and an accepted answer for the handle flow's action).
async fn answer_everything(server: &MockServer, answer: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(format!("/v2/alerts/{HANDLE_ALERT}/acknowledge")))
        .respond_with(accepted("handle-flow-request"))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(answer)
        .with_priority(2)
        .mount(server)
        .await;
}

/// Answers every request with `answer`, runs every call, checks each outcome; returns how many ran.
async fn run_all(
    server: &MockServer,
    what: &str,
    answer: ResponseTemplate,
    expect: Expect,
) -> usize {
    answer_everything(server, answer).await;
    let client = client(server);
    let calls = calls(&client);
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
            Expect::DecodeError | Expect::DecodeErrorOrTolerated,
            Err(Error::Decode { excerpt, .. }),
        ) if has_model => {
            assert!(
                excerpt.chars().count() <= 200,
                "{what} / {name}: excerpt too long"
            );
        }
        (Expect::DecodeError, Ok(())) if !has_model => {}
        (Expect::DecodeErrorOrTolerated, Ok(())) => {}
        // A request status that decodes but says nothing of success is not a success.
        (Expect::DecodeErrorOrTolerated, Err(Error::RequestFailed(_))) if name == "alerts.bulk" => {
        }
        (Expect::Api(want), Err(Error::Api(api))) => {
            assert_eq!(api.status, want, "{what} / {name}");
            assert!(
                api.body.len() <= 4096,
                "{what} / {name}: error body kept whole"
            );
        }
        // A 404 while polling a request's outcome means "not processed yet": the wait ends
        // when the outcome timeout does.
        (Expect::Api(404), Err(Error::OutcomeTimeout { .. })) if name == "alerts.bulk" => {}
        _ => panic!("{what} / {name}: unexpected outcome {outcome:?}"),
    }
}

const HTML: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
    <body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream.</p></body></html>";

/// 2xx bodies that are not any model of the crate.
fn broken_bodies() -> Vec<(&'static str, Vec<u8>, Expect)> {
    use Expect::{DecodeError, DecodeErrorOrTolerated};
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_data = format!(
        r#"{{"data":{}1{},"requestId":"r"}}"#,
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let deep_unknown = format!(
        r#"{{"data":{{"count":1}},"extra":{}1{},"requestId":"r"}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    vec![
        ("an HTML page", HTML.as_bytes().to_vec(), DecodeError),
        ("an empty body", Vec::new(), DecodeError),
        ("truncated JSON", br#"{"data":{"id":"abc","mess"#.to_vec(), DecodeError),
        ("truncated envelope", br#"{"data":[{"id":"abc"},{"id":"#.to_vec(), DecodeError),
        ("invalid UTF-8", b"{\"data\":{\"id\":\"\xff\xfe\",\"message\":\"\xc3\x28\"},\"result\":\"\xff\",\"requestId\":\"r\"}".to_vec(), DecodeError),
        ("null", b"null".to_vec(), DecodeError),
        // A 202 answer needs only its request id: actions accept it.
        ("data null", br#"{"data":null,"requestId":"r","result":null}"#.to_vec(), DecodeErrorOrTolerated),
        ("a number", b"42".to_vec(), DecodeError),
        ("a string", br#""ok""#.to_vec(), DecodeError),
        // Models whose every field is optional (on-call) ignore fields they do not have.
        ("wrong types", br#"{"data":{"id":12,"message":["x"],"count":"seven","status":{},"createdAt":true},"requestId":7,"result":[]}"#.to_vec(), DecodeErrorOrTolerated),
        ("an array of numbers", b"[1,2,3]".to_vec(), DecodeError),
        ("a number beyond f64", b"1e400".to_vec(), DecodeError),
        ("100,000 levels of nesting", deep.into_bytes(), DecodeError),
        // A 202 answer ignores `data`, so actions may accept this one.
        ("10,000 levels of nesting in data", deep_data.into_bytes(), DecodeErrorOrTolerated),
        // serde_json skips an unknown field without recursing: deep nesting there is harmless.
        ("10,000 levels of nesting in an unknown field", deep_unknown.into_bytes(), DecodeErrorOrTolerated),
        ("trailing garbage", br#"{"data":{"count":1},"requestId":"r","result":"ok"} and then some"#.to_vec(), DecodeError),
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
    let html = ResponseTemplate::new(202).set_body_raw(HTML, "text/html");
    tried += run_all(&server, "an HTML 202", html, Expect::DecodeError).await;
    println!("broken 2xx bodies: {tried} calls checked");
    assert_eq!(tried, 18 * 51, "every call ran for every body");
}

#[tokio::test]
async fn error_statuses_with_hostile_bodies_are_api_errors() {
    let server = MockServer::start().await;
    let huge_message = format!(r#"{{"message":"{}"}}"#, "x".repeat(100_000));
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
            br#"{"message":"Request body is not"#.to_vec(),
        ),
        ("null in a 401", 401, b"null".to_vec()),
        (
            "wrong types in a 400",
            400,
            br#"{"message":{"nested":[1,2]},"errors":[1],"requestId":7}"#.to_vec(),
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
    const ENUM_KEYS: &[&str] = &[
        "status",
        "priority",
        "type",
        "intervalUnit",
        "order",
        "rotationType",
        "state",
    ];
    fn walk(value: &mut Value, replaced: &mut usize) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, replaced)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if ENUM_KEYS.contains(&key.as_str()) && v.is_string() {
                        *v = Value::String(format!("brand-new-{key}"));
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

/// Runs every call once against a 200 answer made for that call from its own fixture.
async fn per_call(
    server: &MockServer,
    mut make: impl FnMut(&str) -> Vec<u8>,
    mut judge: impl FnMut(&str, &Result<()>),
) -> usize {
    let client = client(server);
    let mut tried = 0;
    for (name, model, call) in calls(&client) {
        // The bulk flow needs two different answers (accepted, then the outcome); the models
        // it reads are covered by the action and request-status calls.
        let Some(model) = model.filter(|_| name != "alerts.bulk") else {
            continue;
        };
        let body = make(&fixture(model));
        answer_everything(
            server,
            ResponseTemplate::new(200).set_body_raw(body, "application/json"),
        )
        .await;
        let outcome = call.await;
        judge(name, &outcome);
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
            body
        },
        |name, outcome| {
            assert!(
                outcome.is_ok(),
                "{name}: unknown enum values must decode: {outcome:?}"
            )
        },
    )
    .await;
    println!("unknown enum values: {tried} models, {replaced_total} values replaced");
    assert!(
        replaced_total > 20,
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
            |text| replace_numbers(text, replacement),
            |name, outcome| match outcome {
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
/// whitespace, counting the bytes it managed to write.
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
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(b"{\"data\":[").await.is_err()
                {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0u64;
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
    const DEFAULT_LIMIT: usize = 16 * 1024 * 1024;
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
            "429 without a length",
            "429 Too Many Requests",
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
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(20));
        if let Some(limit) = limit {
            builder = builder.max_response_bytes(limit);
        }
        let client = builder.build().expect("client");
        let want = limit.unwrap_or(DEFAULT_LIMIT);
        let outcome = client.alerts().list().await;
        assert_big_answer(what, status, want, outcome.map(drop));
        let outcome = client.schedules().list().await;
        assert_big_answer(what, status, want, outcome.map(drop));
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
        assert!(
            served < 2 * (want as u64 + 16 * 1024 * 1024),
            "{what}: the client kept reading ({served} bytes)"
        );
    }
}

/// `Retry-After` values no server should send: each 429 ends the call with a typed error (or a
/// retry), never a panic, and a wait longer than the policy honours does not hold the client.
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
    for value in values {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/v2/alerts/count"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", value)
                    .set_body_raw(r#"{"message":"slow down"}"#, "application/json"),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/alerts/count"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("alerts/count.json"), "application/json"),
            )
            .mount(&server)
            .await;
        let client = Client::builder(KEY)
            .base_url(server.uri())
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(5))
                    .with_max_retry_after(Duration::from_millis(100)),
            )
            .build()
            .expect("client");
        let first = client.alerts().count().await;
        assert!(
            matches!(first, Ok(7) | Err(Error::RateLimited { status: 429, .. })),
            "Retry-After {value:?}: {first:?}"
        );
        // The client is not held for the hour (or the eternity) the server asked for.
        let second = tokio::time::timeout(Duration::from_secs(10), client.alerts().count()).await;
        assert!(
            matches!(second, Ok(Ok(7))),
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

/// A server that ignores `offset` and answers every page with the same full page: the stream
/// ends instead of asking forever.
#[tokio::test]
async fn a_server_repeating_the_same_full_page_does_not_make_an_endless_stream() {
    use futures_util::TryStreamExt;
    let server = MockServer::start().await;
    let page = fixture("alerts/list_page1.json");
    let size = serde_json::from_str::<Value>(&page)
        .ok()
        .and_then(|v| v.get("data").and_then(Value::as_array).map(Vec::len))
        .expect("a page");
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "application/json"))
        .mount(&server)
        .await;
    let client = client(&server);
    let limit = u32::try_from(size).expect("small");
    let all = tokio::time::timeout(
        Duration::from_secs(10),
        client
            .alerts()
            .list()
            .limit(limit)
            .stream()
            .try_collect::<Vec<_>>(),
    )
    .await;
    let requests = server.received_requests().await.unwrap_or_default().len();
    println!("repeated page of {size}: {requests} requests");
    let all = all.expect("the stream ends").expect("the items");
    assert_eq!(all.len(), size, "each alert once");
    assert_eq!(requests, 3, "the stream ends when the page came back twice");
}
