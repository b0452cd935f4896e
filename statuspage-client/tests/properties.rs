//! Property tests: identifiers and query values with any characters reach the server exactly
//! (one percent-encoded path segment each), or are refused before anything is sent; every
//! vendor enum keeps any string through `from_api`/`as_str`/`Display` and serde.
//! (`tests/enums.rs` covers serde round trips and chat words of the same enums.)

mod common;

use std::time::Duration;

use proptest::prelude::*;
use statuspage_client::{
    Client, ComponentStatus, Error, Impact, IncidentStatus, RetryPolicy, StatusIndicator,
    SubscriberState, SubscriberType,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{KEY, fixture};

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

/// Identifiers: anything, plus the shapes most likely to break a path.
fn identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "(?s).{1,30}",
        1 => prop::sample::select(vec![
            ".", "..", "...", "%2e", "%2E%2E", "/", "a/b", "../admin", "?q=1", "#frag", "a b",
            "ü", "\u{0}", "\u{7f}", "+", "%", "%25", " x ", "\\", "\n", "\u{1F600}", ";x=1",
        ])
        .prop_map(str::to_owned),
    ]
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
        .base_url(format!("{}/v1", server.uri()))
        .without_pacing()
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

/// What the server received: the path segments after `/v1`, decoded, and the query pairs.
type Received = Option<(Vec<String>, Vec<(String, String)>)>;

impl World {
    /// Runs one call against a server that answers every request with `answer`.
    fn run<F, T>(&self, answer: &str, call: F) -> (Result<T, Error>, Received)
    where
        F: AsyncFnOnce(&Client) -> Result<T, Error>,
    {
        self.runtime.block_on(async {
            self.server.reset().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(
                    ResponseTemplate::new(200).set_body_raw(fixture(answer), "application/json"),
                )
                .mount(&self.server)
                .await;
            let outcome = call(&self.client).await;
            let requests = self.server.received_requests().await.unwrap_or_default();
            assert!(
                requests.len() <= 1,
                "one call, one request: {}",
                requests.len()
            );
            let received = requests.first().map(|r| {
                let segments = r
                    .url
                    .path_segments()
                    .map(|s| s.map(|s| percent_decode(s).unwrap_or_default()).collect())
                    .unwrap_or_default();
                let query = r.url.query_pairs().into_owned().collect();
                (segments, query)
            });
            (outcome, received)
        })
    }
}

/// Runs one call on this thread's world (see [`World::run`]).
fn run<F, T>(answer: &str, call: F) -> (Result<T, Error>, Received)
where
    F: AsyncFnOnce(&Client) -> Result<T, Error>,
{
    WORLD.with(|w| w.run(answer, call))
}

/// Checks the fate of `id`: refused before sending when it cannot be a path segment, else the
/// server received exactly `expected` segments.
fn check_path<T: std::fmt::Debug>(
    id: &str,
    outcome: &Result<T, Error>,
    received: &Received,
    expected: &[&str],
) -> Result<(), TestCaseError> {
    if id.trim().is_empty() || id == "." || id == ".." {
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
    fn component_ids_reach_the_server_exactly(id in identifier()) {
        let (outcome, received) =
            run("components/get.json", async |c| c.components("page1").get(&id).await);
        check_path(&id, &outcome, &received, &["v1", "pages", "page1", "components", &id])?;
    }

    #[test]
    fn page_and_incident_ids_reach_the_server_exactly(page in identifier(), id in identifier()) {
        let (outcome, received) =
            run("incidents/get.json", async |c| c.incidents(&page).get(&id).await);
        if page.trim().is_empty() || page == "." || page == ".." {
            prop_assert!(matches!(outcome, Err(Error::InvalidInput { field: "page_id", .. })), "{outcome:?}");
            prop_assert!(received.is_none());
        } else {
            check_path(&id, &outcome, &received, &["v1", "pages", &page, "incidents", &id])?;
        }
    }

    #[test]
    fn deletes_never_reach_another_resource(id in identifier()) {
        let (outcome, received) =
            run("components/get.json", async |c| c.components("page1").delete(&id).await);
        check_path(&id, &outcome, &received, &["v1", "pages", "page1", "components", &id])?;
    }

    #[test]
    fn subscriber_group_and_metric_ids_reach_the_server_exactly(id in identifier()) {
        let (outcome, received) =
            run("subscribers/get.json", async |c| c.subscribers("page1").get(&id).await);
        check_path(&id, &outcome, &received, &["v1", "pages", "page1", "subscribers", &id])?;
        let (outcome, received) =
            run("component_groups/get.json", async |c| c.component_groups("page1").get(&id).await);
        check_path(&id, &outcome, &received, &["v1", "pages", "page1", "component-groups", &id])?;
        let (outcome, received) =
            run("metrics/get.json", async |c| c.metrics("page1").get(&id).await);
        check_path(&id, &outcome, &received, &["v1", "pages", "page1", "metrics", &id])?;
    }

    #[test]
    fn incident_search_text_reaches_the_server_exactly(q in any::<String>()) {
        let (outcome, received) =
            run("incidents/list.json", async |c| c.incidents("page1").list().q(q.clone()).await);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
        let (_, query) = received.ok_or_else(|| TestCaseError::fail("sent"))?;
        let sent: Vec<&str> = query.iter().filter(|(k, _)| k == "q").map(|(_, v)| v.as_str()).collect();
        prop_assert_eq!(sent, vec![q.as_str()]);
    }

    #[test]
    fn every_enum_keeps_any_string(raw in any::<String>()) {
        macro_rules! keeps {
            ($($ty:ty),+) => {$({
                let value = <$ty>::from_api(&raw);
                prop_assert_eq!(value.as_str(), raw.as_str());
                prop_assert_eq!(value.to_string(), raw.clone());
                prop_assert_eq!(value.is_unknown(), !<$ty>::KNOWN.contains(&value));
                let json = serde_json::to_string(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(json, serde_json::to_string(&raw).unwrap_or_default());
                // Parsing words never panics; a known word parses to a known value.
                if let Ok(parsed) = raw.parse::<$ty>() {
                    prop_assert!(!parsed.is_unknown());
                }
            })+};
        }
        keeps!(ComponentStatus, IncidentStatus, Impact, StatusIndicator, SubscriberType, SubscriberState);
    }
}

#[test]
fn dot_segments_are_refused_not_sent_elsewhere() {
    for id in [".", ".."] {
        let (outcome, received) = run("components/get.json", async |c| {
            c.components("page1").delete(id).await
        });
        assert!(
            matches!(
                outcome,
                Err(Error::InvalidInput {
                    field: "component_id",
                    ..
                })
            ),
            "{id}: {outcome:?}"
        );
        assert!(received.is_none(), "{id}: nothing may be sent");
    }
}
