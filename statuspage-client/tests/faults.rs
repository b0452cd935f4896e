//! Faults against the fake's knobs, with fixed seeds: setting 100 components while the fake
//! throttles with 420 or 429 and `Retry-After`, and while it answers 503 or drops connections;
//! and a service entirely down (a closed port, a server that accepts and never answers), where
//! every call of both clients fails with a typed error within its timeout and the same clients
//! work once the service is back.
#![cfg(feature = "fake")]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::{StreamExt, stream};
use statuspage_client::fake::{FakeStatuspage, Faults};
use statuspage_client::{
    Client, ComponentId, ComponentStatus, Error, PublicClient, Result, RetryPolicy,
};

const COMPONENTS: usize = 100;
const IN_FLIGHT: usize = 10;

/// The status component `i` is asked to take.
fn wanted(i: usize) -> ComponentStatus {
    match i % 3 {
        0 => ComponentStatus::MajorOutage,
        1 => ComponentStatus::DegradedPerformance,
        _ => ComponentStatus::PartialOutage,
    }
}

async fn fake_with_components(
    builder: statuspage_client::fake::FakeStatuspageBuilder,
) -> (FakeStatuspage, Vec<ComponentId>) {
    let fake = builder.without_demo_data().start().await.expect("fake");
    let ids = (0..COMPONENTS)
        .map(|i| {
            fake.add_component(&format!("service {i}"), ComponentStatus::Operational, None)
                .expect("component")
                .id
        })
        .collect();
    (fake, ids)
}

/// Sets every component to its wanted status, `IN_FLIGHT` at a time; returns the failures.
async fn set_all(client: &Client, page: &str, ids: &[ComponentId]) -> Vec<(usize, Error)> {
    stream::iter(ids.iter().enumerate())
        .map(|(i, id)| async move {
            let result = client.components(page).set_status(id, wanted(i)).await;
            (i, result)
        })
        .buffer_unordered(IN_FLIGHT)
        .filter_map(|(i, result)| async move { result.err().map(|e| (i, e)) })
        .collect()
        .await
}

fn assert_all_set(fake: &FakeStatuspage, ids: &[ComponentId]) {
    let components = fake.components();
    for (i, id) in ids.iter().enumerate() {
        let status = components
            .iter()
            .find(|c| &c.id == id)
            .map(|c| c.status.clone());
        assert_eq!(status, Some(wanted(i)), "component {i}");
    }
}

/// Sets 100 components against a fake allowing `limit` requests a second, answering `status`
/// with `Retry-After: 1` beyond it.
async fn throttled_run(status: u16, limit: u32) {
    let mut builder = FakeStatuspage::builder().rate_limit(limit);
    if status == 429 {
        builder = builder.rate_limit_with_429();
    }
    let (fake, ids) = fake_with_components(builder).await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let before = fake.requests_served();
    let started = Instant::now();
    let failures = set_all(&client, page.as_ref(), &ids).await;
    let elapsed = started.elapsed();
    assert!(failures.is_empty(), "every set succeeds: {failures:?}");
    assert_all_set(&fake, &ids);
    let requests = fake.requests_served() - before;
    let throttled = requests - COMPONENTS as u64;
    // Each second lets `limit` through; the rest of a burst waits out one `Retry-After: 1`.
    let windows = COMPONENTS.div_ceil(limit as usize);
    let asked_to_wait = Duration::from_secs(windows as u64 - 1);
    println!(
        "{COMPONENTS} components at {limit}/s with {status}: {requests} requests, {throttled} \
         throttled answers, {windows} windows; server asked for about {asked_to_wait:?} of \
         waiting, took {elapsed:?}"
    );
    assert!(throttled > 0, "the limit was hit");
    // No hammering: per window at most the requests in flight bounce off the limit once.
    assert!(
        throttled <= (windows * IN_FLIGHT) as u64,
        "{throttled} throttled answers for {windows} windows of {IN_FLIGHT} in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_100_components_through_420s_ends_in_the_requested_states() {
    throttled_run(420, 25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_100_components_through_429s_ends_in_the_requested_states() {
    throttled_run(429, 25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_100_components_through_503s_and_dropped_connections_ends_in_the_requested_states()
{
    let faults = Faults::seeded(8).error_503(0.2).drop_connection(0.05);
    let (fake, ids) = fake_with_components(FakeStatuspage::builder().faults(faults)).await;
    let client = Client::builder(fake.key())
        .base_url(fake.base_url())
        .without_pacing()
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(2))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("client");
    let page = fake.page_id();
    let before = fake.requests_served();
    let failures = set_all(&client, page.as_ref(), &ids).await;
    assert!(failures.is_empty(), "every set succeeds: {failures:?}");
    assert_all_set(&fake, &ids);
    let requests = fake.requests_served() - before;
    println!(
        "{COMPONENTS} components through 20% 503s and 5% drops (seed 8): {requests} requests, {} faults retried",
        requests - COMPONENTS as u64
    );
    assert!(
        requests > COMPONENTS as u64,
        "faults were injected and retried"
    );
}

// ----- a service entirely down -----

const KEY: &str = "fake-statuspage-down-key";
const PAGE: &str = "fakepage0001";
const TIMEOUT: Duration = Duration::from_millis(300);

fn clients(addr: SocketAddr) -> (Client, PublicClient) {
    let retries = RetryPolicy::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(10));
    let client = Client::builder(KEY)
        .base_url(format!("http://{addr}/v1"))
        .without_pacing()
        .timeout(TIMEOUT)
        .retry_policy(retries.clone())
        .build()
        .expect("client");
    let public = PublicClient::builder(format!("http://{addr}"))
        .timeout(TIMEOUT)
        .retry_policy(retries)
        .build()
        .expect("public client");
    (client, public)
}

/// A representative call of every area of both clients, each mapped to `()`.
fn calls<'a>(c: &'a Client, p: &'a PublicClient) -> Vec<(&'static str, BoxFuture<'a, Result<()>>)> {
    vec![
        (
            "pages.list",
            Box::pin(async { c.pages().list().await.map(drop) }),
        ),
        (
            "components.list",
            Box::pin(async { c.components(PAGE).list().await.map(drop) }),
        ),
        (
            "components.create",
            Box::pin(async { c.components(PAGE).create("API").await.map(drop) }),
        ),
        (
            "incidents.unresolved",
            Box::pin(async { c.incidents(PAGE).unresolved().await.map(drop) }),
        ),
        (
            "subscribers.list",
            Box::pin(async { c.subscribers(PAGE).list().await.map(drop) }),
        ),
        (
            "public.summary",
            Box::pin(async { p.summary().await.map(drop) }),
        ),
        (
            "public.components",
            Box::pin(async { p.components().await.map(drop) }),
        ),
        (
            "public.unresolved",
            Box::pin(async { p.unresolved_incidents().await.map(drop) }),
        ),
    ]
}

async fn all_fail(c: &Client, p: &PublicClient, accept: impl Fn(&Error) -> bool) -> Duration {
    let mut longest = Duration::ZERO;
    for (name, call) in calls(c, p) {
        let started = Instant::now();
        let outcome = call.await;
        longest = longest.max(started.elapsed());
        match outcome {
            Err(e) if accept(&e) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
    longest
}

async fn all_work(c: &Client, p: &PublicClient) {
    for (name, call) in calls(c, p) {
        call.await
            .unwrap_or_else(|e| panic!("{name} after recovery: {e}"));
    }
}

async fn fake_at(addr: SocketAddr) -> FakeStatuspage {
    // The port was just released; binding again may need a moment on a busy machine.
    for _ in 0..50 {
        let started = FakeStatuspage::builder()
            .addr(addr)
            .key(KEY)
            .page_id(PAGE)
            .start()
            .await;
        if let Ok(fake) = started {
            return fake;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("could not bind {addr} again");
}

#[tokio::test]
async fn a_closed_port_fails_every_call_and_the_clients_recover() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let (client, public) = clients(addr);
    let longest = all_fail(&client, &public, |e| matches!(e, Error::Transport(_))).await;
    println!("closed port: 8 calls refused, longest {longest:?}");
    let _fake = fake_at(addr).await;
    all_work(&client, &public).await;
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_every_call_and_the_clients_recover() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Accepts, reads nothing, answers nothing; keeps the sockets open until stopped.
    let black_hole = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let (client, public) = clients(addr);
    let longest = all_fail(
        &client,
        &public,
        |e| matches!(e, Error::Timeout { after } if *after == TIMEOUT),
    )
    .await;
    println!("silent server: 8 calls timed out, longest {longest:?} (GETs: 2 attempts of 300 ms)");
    black_hole.abort();
    let _ = black_hole.await;
    let _fake = fake_at(addr).await;
    all_work(&client, &public).await;
}
