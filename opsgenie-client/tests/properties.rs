//! Property tests: every vendor enum keeps any string (parse, `as_str`, `Display`, serde), and
//! identifiers and query values with any characters reach the server exactly (one
//! percent-encoded path segment each), or are refused before anything is sent.

mod common;

use std::time::Duration;

use opsgenie_client::heartbeats::IntervalUnit;
use opsgenie_client::incidents::{IncidentRef, IncidentStatus};
use opsgenie_client::schedules::{ParticipantType, RotationType};
use opsgenie_client::{
    AlertRef, AlertStatus, Client, Error, Order, Priority, RateLimitState, ResponderType,
    RetryPolicy, ScheduleRef, alerts::AlertSort,
};
use proptest::prelude::*;
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{KEY, fixture};

/// Checks that `raw` survives decoding, printing and serde in `T` (decoding never fails, an
/// unknown value is kept as sent), that `FromStr` accepts exactly the vendor's spellings (an
/// accepted value is a known variant printing as `raw`; a refused one decodes to `Unknown`),
/// and that the known spellings map to known variants.
fn keeps<T>(raw: &str, known: &[&str]) -> Result<(), TestCaseError>
where
    T: std::str::FromStr
        + std::fmt::Display
        + serde::Serialize
        + serde::de::DeserializeOwned
        + PartialEq
        + std::fmt::Debug
        + Default,
    T::Err: std::fmt::Display,
{
    let quoted = serde_json::to_string(raw).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let value: T = serde_json::from_str(&quoted).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(value.to_string(), raw);
    let json = serde_json::to_string(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&json, &quoted);
    let back: T = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, &value);
    match raw.parse::<T>() {
        Ok(parsed) => {
            prop_assert_eq!(&parsed, &value);
            prop_assert!(
                !format!("{parsed:?}").starts_with("Unknown"),
                "{raw} parsed as unknown"
            );
        }
        Err(e) => {
            prop_assert!(!known.contains(&raw), "{raw} is known but refused: {e}");
            prop_assert!(
                format!("{value:?}").starts_with("Unknown"),
                "{raw} refused but known"
            );
            prop_assert!(
                e.to_string().contains(raw),
                "the error names the input: {e}"
            );
        }
    }
    // A known spelling is never `Unknown`: its Debug is the variant name, not `Unknown("...")`.
    for wire in known {
        let v = wire
            .parse::<T>()
            .map_err(|e| TestCaseError::fail(format!("{wire}: {e}")))?;
        prop_assert!(!format!("{v:?}").starts_with("Unknown"), "{wire} is known");
        prop_assert_eq!(v.to_string(), *wire);
    }
    prop_assert_eq!(T::default().to_string(), "");
    Ok(())
}

/// Identifiers: anything, plus the shapes most likely to break a path.
fn identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "(?s).{1,30}",
        1 => prop::sample::select(vec![
            "", ".", "..", "...", "%2e", "%2E%2E", "/", "a/b", "../admin", "?q=1", "#frag",
            "a b", " ", "ü", "\u{0}", "\u{7f}", "+", "%", "%25", "\t", "\tx", "\r\n", "\\",
            "\u{1F600}", ";x=1", "requests",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Decodes `%XX` escapes of one path segment; `None` when they do not make UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

thread_local! {
    /// One runtime, server and client per test thread, reused by every case.
    static WORLD: World = world();
}

struct World {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    client: Client,
}

fn world() -> World {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(MockServer::start());
    let client = Client::builder(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    World {
        runtime,
        server,
        client,
    }
}

/// What the server received: the decoded path segments and the query pairs.
type Received = Option<(Vec<String>, Vec<(String, String)>)>;

/// Runs one call against a server that answers every request with the fixture `answer`.
fn run<F, T>(status: u16, answer: &str, call: F) -> (Result<T, Error>, Received)
where
    F: AsyncFnOnce(&Client) -> Result<T, Error>,
{
    WORLD.with(|w| {
        w.runtime.block_on(async {
            w.server.reset().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(
                    ResponseTemplate::new(status).set_body_raw(fixture(answer), "application/json"),
                )
                .mount(&w.server)
                .await;
            let outcome = call(&w.client).await;
            let requests = w.server.received_requests().await.unwrap_or_default();
            assert!(requests.len() <= 1, "one call, one request");
            let received = requests.first().map(|r| {
                let segments = r
                    .url
                    .path_segments()
                    .map(|s| s.map(|s| percent_decode(s).unwrap_or_default()).collect())
                    .unwrap_or_default();
                (segments, r.url.query_pairs().into_owned().collect())
            });
            (outcome, received)
        })
    })
}

/// Refused before sending when `id` cannot be a path segment, else exactly `expected` arrived.
fn check_path<T: std::fmt::Debug>(
    id: &str,
    outcome: &Result<T, Error>,
    received: &Received,
    expected: &[&str],
) -> Result<(), TestCaseError> {
    check(
        id,
        matches!(id, "" | "." | ".."),
        outcome,
        received,
        expected,
    )
}

/// As [`check_path`], for a call that also refuses names of only white space.
fn check_name<T: std::fmt::Debug>(
    id: &str,
    outcome: &Result<T, Error>,
    received: &Received,
    expected: &[&str],
) -> Result<(), TestCaseError> {
    let refused = matches!(id, "." | "..") || id.trim().is_empty();
    check(id, refused, outcome, received, expected)
}

fn check<T: std::fmt::Debug>(
    id: &str,
    refused: bool,
    outcome: &Result<T, Error>,
    received: &Received,
    expected: &[&str],
) -> Result<(), TestCaseError> {
    if refused {
        prop_assert!(
            matches!(outcome, Err(Error::InvalidInput { .. })),
            "{id:?}: {outcome:?}"
        );
        prop_assert!(received.is_none(), "nothing is sent for {id:?}");
    } else {
        prop_assert!(outcome.is_ok(), "{id:?}: {outcome:?}");
        let (segments, _) = received
            .as_ref()
            .ok_or_else(|| TestCaseError::fail("sent"))?;
        prop_assert_eq!(segments, &expected, "the server receives exactly {:?}", id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(opsbot_proptest::config!(256))]

    #[test]
    fn every_enum_keeps_any_string(raw in any::<String>()) {
        keeps::<AlertStatus>(&raw, &["open", "closed"])?;
        keeps::<Priority>(&raw, &["P1", "P2", "P3", "P4", "P5"])?;
        keeps::<ResponderType>(&raw, &["team", "user", "escalation", "schedule"])?;
        keeps::<AlertSort>(&raw, &["createdAt", "tinyId", "integration.name", "report.ackTime"])?;
        keeps::<RateLimitState>(&raw, &["OK", "THROTTLED"])?;
        keeps::<Order>(&raw, &["asc", "desc"])?;
        keeps::<IntervalUnit>(&raw, &["minutes", "hours", "days"])?;
        keeps::<IncidentStatus>(&raw, &["open", "resolved", "closed"])?;
        keeps::<ParticipantType>(&raw, &["user", "team", "escalation", "schedule", "none"])?;
        keeps::<RotationType>(&raw, &["daily", "weekly", "hourly"])?;
    }

    #[test]
    fn alert_identifiers_of_every_kind_reach_the_server_exactly(id in identifier(), kind in 0..3usize) {
        let (alert, kind_name) = match kind {
            0 => (AlertRef::id(id.clone()), "id"),
            1 => (AlertRef::tiny(id.clone()), "tiny"),
            _ => (AlertRef::alias(id.clone()), "alias"),
        };
        let (outcome, received) = run(200, "alerts/get.json", async |c| c.alerts().get(alert.clone()).await);
        check_path(&id, &outcome, &received, &["v2", "alerts", &id])?;
        if let Some((_, query)) = &received {
            prop_assert_eq!(query, &vec![("identifierType".to_owned(), kind_name.to_owned())]);
        }
        let (outcome, received) =
            run(202, "alerts/create_accepted.json", async |c| c.alerts().acknowledge(alert).await);
        check_path(&id, &outcome, &received, &["v2", "alerts", &id, "acknowledge"])?;
    }

    #[test]
    fn schedule_heartbeat_override_and_incident_names_reach_the_server_exactly(id in identifier()) {
        let (outcome, received) =
            run(200, "schedules/get.json", async |c| c.schedules().get(ScheduleRef::name(id.clone())).await);
        check_name(&id, &outcome, &received, &["v2", "schedules", &id])?;
        let (outcome, received) = run(200, "heartbeats/get.json", async |c| c.heartbeats().get(&id).await);
        check_name(&id, &outcome, &received, &["v2", "heartbeats", &id])?;
        let (outcome, received) = run(200, "schedules/override_get.json", async |c| {
            c.schedules().overrides(ScheduleRef::name("ops")).get(&id).await
        });
        check_name(&id, &outcome, &received, &["v2", "schedules", "ops", "overrides", &id])?;
        let (outcome, received) =
            run(200, "incidents/get.json", async |c| c.incidents().get(IncidentRef::id(id.clone())).await);
        check_name(&id, &outcome, &received, &["v1", "incidents", &id])?;
        let (outcome, received) =
            run(200, "requests/success.json", async |c| c.incidents().request(id.clone()).status().await);
        check_path(&id, &outcome, &received, &["v1", "incidents", "requests", &id])?;
    }

    #[test]
    fn search_queries_reach_the_server_exactly(q in any::<String>()) {
        let (outcome, received) =
            run(200, "alerts/count.json", async |c| c.alerts().count().query(q.clone()).await);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
        let (_, query) = received.ok_or_else(|| TestCaseError::fail("sent"))?;
        let sent: Vec<&str> = query.iter().filter(|(k, _)| k == "query").map(|(_, v)| v.as_str()).collect();
        if q.trim().is_empty() {
            prop_assert!(sent.is_empty() || sent == vec![q.as_str()], "{:?}", sent);
        } else {
            prop_assert_eq!(sent, vec![q.as_str()]);
        }
    }
}

#[test]
fn dot_and_empty_identifiers_are_refused_not_sent_elsewhere() {
    for id in ["", ".", ".."] {
        let (outcome, received) = run(200, "alerts/create_accepted.json", async |c| {
            c.alerts().delete(AlertRef::alias(id)).await
        });
        assert!(
            matches!(outcome, Err(Error::InvalidInput { .. })),
            "{id:?}: {outcome:?}"
        );
        assert!(received.is_none(), "{id:?}: nothing may be sent");
        let (outcome, received) = run(200, "heartbeats/get.json", async |c| {
            c.heartbeats().delete(id).await
        });
        assert!(
            matches!(outcome, Err(Error::InvalidInput { .. })),
            "{id:?}: {outcome:?}"
        );
        assert!(received.is_none(), "{id:?}: nothing may be sent");
    }
}
