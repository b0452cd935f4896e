//! Faults against the fake's knobs, with fixed seeds: a bulk acknowledge of 1,000 open alerts
//! through 503s, dropped connections and a throttling rate limit, where every outcome reported
//! must match the fake's state exactly; and a service entirely down (a closed port, a server that
//! accepts and never answers), where every call fails with a typed error within its timeout and
//! the same client works once the service is back.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use opsgenie_client::fake::{FakeOpsgenie, Faults, SeedAlert};
use opsgenie_client::schedules::ScheduleRef;
use opsgenie_client::{AlertAction, AlertRef, Client, Error, Result, RetryPolicy};

const ALERTS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_acknowledge_of_1000_alerts_through_faults_reports_exactly_what_happened() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .processing_delay(Duration::from_millis(20))
        .rate_limit(400)
        .faults(Faults::seeded(8).error_503(0.20).drop_connection(0.05))
        .start()
        .await
        .expect("fake");
    let ids: Vec<String> = (0..ALERTS)
        .map(|i| {
            fake.add_alert(SeedAlert::new(format!("disk full on host {i}")))
                .id
        })
        .map(|id| id.to_string())
        .collect();
    let client = fake
        .client_builder()
        .outcome_timeout(Duration::from_secs(20))
        .build()
        .expect("client");

    let started = Instant::now();
    let mut pending: Vec<String> = ids.clone();
    let mut rounds = 0;
    let mut reported_done = 0;
    let mut reported_failed = 0;
    while !pending.is_empty() && rounds < 10 {
        rounds += 1;
        let outcomes = client
            .alerts()
            .bulk(
                pending.iter().map(|id| AlertRef::id(id.clone())),
                AlertAction::Acknowledge,
            )
            .user("opsbot")
            .await;
        assert_eq!(outcomes.len(), pending.len(), "one outcome per alert");
        let acked: HashSet<String> = fake
            .alerts()
            .into_iter()
            .filter(|a| a.acknowledged)
            .map(|a| a.id.to_string())
            .collect();
        let mut still = Vec::new();
        for (outcome, id) in outcomes.iter().zip(pending.iter().cloned()) {
            assert_eq!(
                outcome.alert,
                AlertRef::id(id.clone()),
                "outcomes keep the order"
            );
            match &outcome.result {
                Ok(_) => {
                    reported_done += 1;
                    assert!(
                        acked.contains(&id),
                        "{id} reported done but not acknowledged"
                    );
                }
                Err(e) => {
                    reported_failed += 1;
                    assert!(
                        !acked.contains(&id),
                        "{id} reported failed ({e}) but the fake acknowledged it"
                    );
                    still.push(id);
                }
            }
        }
        let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
        for outcome in &outcomes {
            if let Err(e) = &outcome.result {
                let kind = format!("{e:?}")
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                *kinds.entry(kind).or_default() += 1;
            }
        }
        println!(
            "round {rounds}: {} of {} failed {kinds:?}",
            still.len(),
            outcomes.len()
        );
        pending = still;
    }
    let elapsed = started.elapsed();
    let acked = fake.alerts().iter().filter(|a| a.acknowledged).count();
    println!(
        "bulk ack of {ALERTS}: {rounds} round(s), {reported_done} reported done, \
         {reported_failed} reported failed, {acked} acknowledged; fake served {} requests, \
         throttled {}; {elapsed:?}",
        fake.requests_served(),
        fake.requests_throttled()
    );
    assert!(pending.is_empty(), "still not acknowledged: {pending:?}");
    assert_eq!(acked, ALERTS, "every alert ends acknowledged");
    assert_eq!(
        reported_done, ALERTS,
        "each alert reported done exactly once"
    );
    assert!(
        fake.requests_throttled() > 0,
        "the rate limit throttled some requests"
    );
}

/// A representative call of every area, each mapped to `()`.
fn calls(c: &Client) -> Vec<(&'static str, BoxFuture<'_, Result<()>>)> {
    vec![
        (
            "alerts.list",
            Box::pin(async { c.alerts().list().await.map(drop) }),
        ),
        (
            "alerts.get",
            Box::pin(async { c.alerts().get(AlertRef::tiny("1")).await.map(drop) }),
        ),
        (
            "alerts.count",
            Box::pin(async { c.alerts().count().await.map(drop) }),
        ),
        (
            "alerts.acknowledge",
            Box::pin(async { c.alerts().acknowledge(AlertRef::tiny("1")).await.map(drop) }),
        ),
        (
            "alerts.create",
            Box::pin(async { c.alerts().create("Disk full").await.map(drop) }),
        ),
        (
            "schedules.on_calls",
            Box::pin(async {
                c.schedules()
                    .on_calls(ScheduleRef::name("ops"))
                    .await
                    .map(drop)
            }),
        ),
        (
            "heartbeats.ping",
            Box::pin(async { c.heartbeats().ping("nightly").await.map(drop) }),
        ),
        (
            "incidents.list",
            Box::pin(async { c.incidents().list().await.map(drop) }),
        ),
    ]
}

/// A client with a short timeout and two attempts per call.
fn impatient(addr: SocketAddr, key: &str) -> Client {
    Client::builder(key)
        .base_url(format!("http://{addr}"))
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(10)),
        )
        .build()
        .expect("client")
}

/// Every call fails with an error `accept` approves; returns the longest call.
async fn all_fail(client: &Client, accept: impl Fn(&Error) -> bool) -> Duration {
    let mut longest = Duration::ZERO;
    for (name, call) in calls(client) {
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

/// Every call succeeds against the fake now listening at the client's address.
async fn all_work(client: &Client, fake: &FakeOpsgenie) {
    let key_ok = client.alerts().count().await;
    assert!(key_ok.is_ok(), "{key_ok:?}");
    for (name, call) in calls(client) {
        call.await
            .unwrap_or_else(|e| panic!("{name} after recovery: {e}"));
    }
    assert!(fake.requests_served() >= 9);
}

const DOWN_KEY: &str = "fake-down-key";

async fn fake_at(addr: SocketAddr) -> FakeOpsgenie {
    // The port was just released; binding again may need a moment on a busy machine.
    for _ in 0..50 {
        let started = FakeOpsgenie::builder()
            .addr(addr)
            .key(DOWN_KEY)
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
async fn a_closed_port_fails_every_call_and_the_client_recovers() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = impatient(addr, DOWN_KEY);
    let longest = all_fail(&client, |e| matches!(e, Error::Transport(_))).await;
    println!("closed port: 8 calls refused, longest {longest:?}");
    let fake = fake_at(addr).await;
    all_work(&client, &fake).await;
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_every_call_and_the_client_recovers() {
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
    let client = impatient(addr, DOWN_KEY);
    let longest = all_fail(
        &client,
        |e| matches!(e, Error::Timeout { after } if *after == Duration::from_millis(300)),
    )
    .await;
    println!("silent server: 8 calls timed out, longest {longest:?} (2 attempts of 300 ms)");
    black_hole.abort();
    let _ = black_hole.await;
    let fake = fake_at(addr).await;
    all_work(&client, &fake).await;
}
