//! End-to-end benchmarks against the in-process Opsgenie fake (rows 3 and 4 of BENCHMARKS.md).
//!
//! ```sh
//! cargo bench -p opsbot --bench bulk_and_memory    # measure: 1,000 alerts to acknowledge, 10k and 50k to stream
//! cargo test -p opsbot --bench bulk_and_memory     # quick mode: 100 alerts, 2k and 10k streamed
//! ```
//!
//! Row 3, bulk acknowledge: the `genie ack` path. The fake adds 20 ms to every answer and allows
//! 200 requests per second (429 with `Retry-After` beyond that). A client built as the bot builds
//! it acknowledges every open alert with `alerts().bulk(.., AlertAction::Acknowledge)` and awaits
//! every outcome; then, on a fresh fake with the same knobs, one alert at a time (acknowledge,
//! await the outcome, next). Each alert needs at least two requests (the action and one read of
//! its outcome), so the least time the rate limit allows is `2 * alerts / 200` seconds. The run
//! checks that every alert is acknowledged in the fake, that every outcome is a success and that
//! no 429 reached the caller. The bulk job runs again against the fake's Jira Service Management
//! Operations face, so both backends are measured the same way.
//!
//! Row 4, memory while streaming: the fake (seeded with N alerts, a few sharing each creation
//! millisecond so the stream pages past 20,000 through `createdAt` windows) runs in this process;
//! a child process of this same program streams every alert through `alerts().list().stream()`
//! and reports its peak resident memory (`VmHWM` of `/proc/self/status`), one child per size.
//!
//! The program prints one line per row and measures; it asserts only correctness, never speed.

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use futures_util::TryStreamExt;
use opsgenie_client::fake::{FakeOpsgenie, JSM_CLOUD_ID, JSM_EMAIL, SeedAlert};
use opsgenie_client::{AlertAction, AlertRef, Client, Error};

/// Set in the child process: the fake's base URL, its key and the number of alerts to expect.
const CHILD_ENV: &str = "OPSBOT_BENCH_STREAM";

const LATENCY: Duration = Duration::from_millis(20);
const RATE_LIMIT: u32 = 200;

fn main() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        stream_child(&spec);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test` does not: that is the quick mode.
    let measuring = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (bulk_alerts, one_by_one_alerts, stream_sizes) = if measuring {
        (1_000, 1_000, [10_000, 50_000])
    } else {
        (100, 20, [2_000, 10_000])
    };
    println!(
        "mode: {}",
        if measuring {
            "measure"
        } else {
            "quick (cargo test)"
        }
    );
    runtime.block_on(bulk_acknowledge(bulk_alerts, one_by_one_alerts));
    // The same bulk job on Jira Service Management Operations (the fake's JSM face).
    runtime.block_on(bulk_row(bulk_alerts, Backend::Jsm));
    let mut peaks = Vec::new();
    for n in stream_sizes {
        let peak = runtime.block_on(stream_in_child(n));
        peaks.push((n, peak));
    }
    if let [(small, small_kb), (large, large_kb)] = peaks[..] {
        println!(
            "row 4 | peak RSS streaming {large} alerts / streaming {small} alerts: {:.2} (target <= 1.20)",
            large_kb as f64 / small_kb as f64
        );
    }
}

/// A fake with the benchmark's latency and rate limit, seeded with `n` open alerts.
async fn throttled_fake(n: usize) -> FakeOpsgenie {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .latency(LATENCY)
        .rate_limit(RATE_LIMIT)
        .start()
        .await
        .expect("fake starts");
    for i in 0..n {
        fake.add_alert(SeedAlert::new(format!("bench alert {i}")));
    }
    fake
}

/// Which face of the fake the client talks to.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Opsgenie,
    /// Jira Service Management Operations (the fake's JSM paths, shapes and Basic auth).
    Jsm,
}

/// A client built as `examples/bot.rs` builds it: defaults plus the bot's 10 s call timeout.
fn bot_client(fake: &FakeOpsgenie, backend: Backend) -> Client {
    let builder = match backend {
        Backend::Opsgenie => Client::builder(fake.key()),
        Backend::Jsm => Client::builder_jsm(JSM_CLOUD_ID, JSM_EMAIL, fake.key()),
    };
    builder
        .base_url(fake.base_url().as_str().trim_end_matches('/'))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// All at once, as `genie ack` does it; returns the wall time of the bulk call.
async fn bulk_row(alerts: usize, backend: Backend) -> Duration {
    let fake = throttled_fake(alerts).await;
    let client = bot_client(&fake, backend);
    let listed: Vec<_> = client
        .alerts()
        .list()
        .query("status:open AND acknowledged:false")
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("listing the open alerts");
    assert_eq!(listed.len(), alerts, "the listing lost alerts");
    let (served, throttled) = (fake.requests_served(), fake.requests_throttled());
    let started = Instant::now();
    let outcomes = client
        .alerts()
        .bulk(listed.iter().map(AlertRef::from), AlertAction::Acknowledge)
        .user("bench")
        .source("opsbot")
        .await;
    let bulk = started.elapsed();
    let requests = fake.requests_served() - served;
    let refused = fake.requests_throttled() - throttled;
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.succeeded()).collect();
    let unhandled_429 = outcomes
        .iter()
        .filter(|o| matches!(o.result, Err(Error::RateLimited { .. })))
        .count();
    let acknowledged = fake.alerts().iter().filter(|a| a.acknowledged).count();
    assert_eq!(outcomes.len(), alerts, "one outcome per alert");
    assert_eq!(unhandled_429, 0, "a 429 reached the caller");
    assert!(failed.is_empty(), "failed outcomes: {failed:?}");
    assert_eq!(acknowledged, alerts, "the fake has unacknowledged alerts");
    let minimum = Duration::from_secs_f64(2.0 * alerts as f64 / f64::from(RATE_LIMIT));
    println!(
        "row 3 | bulk ack {alerts} alerts ({backend:?}): {:.2} s, {requests} requests ({refused} answered 429), \
         minimum {:.2} s ({} requests at {RATE_LIMIT}/s): {:.2}x the minimum (target <= 1.25); \
         {} failed, {unhandled_429} unhandled 429, {acknowledged} acknowledged in the fake",
        bulk.as_secs_f64(),
        minimum.as_secs_f64(),
        2 * alerts,
        bulk.as_secs_f64() / minimum.as_secs_f64(),
        failed.len(),
    );
    bulk
}

async fn bulk_acknowledge(alerts: usize, one_by_one: usize) {
    let bulk = bulk_row(alerts, Backend::Opsgenie).await;

    // One at a time: acknowledge, await the outcome, next.
    let fake = throttled_fake(one_by_one).await;
    let client = bot_client(&fake, Backend::Opsgenie);
    let listed: Vec<_> = client
        .alerts()
        .list()
        .query("status:open AND acknowledged:false")
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("listing the open alerts");
    let started = Instant::now();
    for alert in &listed {
        client
            .alerts()
            .acknowledge(AlertRef::from(alert))
            .user("bench")
            .source("opsbot")
            .await
            .expect("acknowledge accepted")
            .wait()
            .await
            .expect("acknowledge processed");
    }
    let sequential = started.elapsed();
    assert_eq!(
        fake.alerts().iter().filter(|a| a.acknowledged).count(),
        one_by_one
    );
    let per_alert = sequential.as_secs_f64() / one_by_one as f64;
    let scaled = per_alert * alerts as f64;
    println!(
        "row 3 | one at a time {one_by_one} alerts: {:.2} s ({:.1} ms per alert{}): bulk is {:.1}x faster (target >= 10)",
        sequential.as_secs_f64(),
        per_alert * 1e3,
        if one_by_one == alerts {
            String::new()
        } else {
            format!(", {scaled:.2} s for {alerts}")
        },
        scaled / bulk.as_secs_f64(),
    );
}

/// Seeds a fake with `n` alerts, streams them in a child process, returns its peak RSS in KiB.
async fn stream_in_child(n: u64) -> u64 {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake starts");
    let start = Utc
        .timestamp_millis_opt(1_790_000_000_000)
        .single()
        .expect("a valid instant");
    for i in 0..n {
        // Three alerts per millisecond: window boundaries fall inside a shared millisecond.
        let at = start + chrono::Duration::milliseconds((i / 3) as i64);
        fake.add_alert(SeedAlert::new(format!("streamed alert {i}")).created_at(at));
    }
    let exe = std::env::current_exe().expect("own path");
    let spec = format!("{} {} {n}", fake.base_url(), fake.key());
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(exe)
            .env(CHILD_ENV, spec)
            .output()
            .expect("child runs")
    })
    .await
    .expect("child joined");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |name: &str| -> u64 {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name)?.parse().ok())
            .unwrap_or_else(|| panic!("child printed no {name}: {stdout}"))
    };
    let (before, peak) = (field("before_kb="), field("peak_kb="));
    println!(
        "row 4 | stream {n} alerts: peak RSS {:.1} MiB (before streaming {:.1} MiB), {:.2} s, {} pages",
        peak as f64 / 1024.0,
        before as f64 / 1024.0,
        elapsed.as_secs_f64(),
        fake.requests_served(),
    );
    peak
}

/// The child: streams every alert and prints `before_kb=.. peak_kb=..`.
fn stream_child(spec: &str) {
    let mut parts = spec.split(' ');
    let (Some(base), Some(key), Some(expected)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("bad {CHILD_ENV}: {spec}");
    };
    let expected: u64 = expected.parse().expect("a count");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let client = Client::builder(key).base_url(base).build().expect("client");
    let before = vm_hwm_kb();
    let (count, tiny_sum) = runtime.block_on(async {
        let mut alerts = std::pin::pin!(client.alerts().list().limit(100).stream());
        let (mut count, mut tiny_sum) = (0u64, 0u64);
        while let Some(alert) = alerts.try_next().await.expect("a page") {
            count += 1;
            tiny_sum += alert
                .tiny_id
                .as_deref()
                .and_then(|t| t.parse::<u64>().ok())
                .expect("a numeric tiny id");
        }
        (count, tiny_sum)
    });
    // Tiny ids are 1..=n: the count and their sum show nothing was lost or yielded twice.
    assert_eq!(
        count, expected,
        "the stream yielded the wrong number of alerts"
    );
    assert_eq!(
        tiny_sum,
        expected * (expected + 1) / 2,
        "lost or repeated alerts"
    );
    println!("before_kb={before} peak_kb={}", vm_hwm_kb());
}

/// Peak resident set size of this process, in KiB.
fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
