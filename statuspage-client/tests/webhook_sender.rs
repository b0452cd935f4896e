//! The fake's subscriber webhook sender against a receiver on 127.0.0.1: notifications arrive
//! in Statuspage's shape, failures (3xx included) are retried and recorded, a URL that keeps
//! failing is unsubscribed when asked, and nothing leaks the URL's secret path.
#![cfg(feature = "fake")]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use statuspage_client::fake::webhooks::{AttemptOutcome, WebhookSender};
use statuspage_client::webhook::{ComponentUpdate, Meta, Notification, WebhookPage};
use statuspage_client::{Component, ComponentStatus, Error, StatusIndicator};

const SECRET_PATH: &str = "/statuspage/fake-path-secret-0000";

/// What the receiver answers: a status, or a stall longer than any test timeout.
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    Stall,
}

#[derive(Clone, Default)]
struct Received {
    script: Arc<Mutex<VecDeque<Answer>>>,
    deliveries: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    redirected: Arc<Mutex<usize>>,
}

impl Received {
    fn bodies(&self) -> Vec<Notification> {
        let deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        deliveries
            .iter()
            .map(|(_, body)| Notification::from_slice(body).expect("a notification"))
            .collect()
    }

    fn headers(&self) -> Vec<HeaderMap> {
        let deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        deliveries.iter().map(|(h, _)| h.clone()).collect()
    }
}

async fn hook(State(r): State<Received>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    r.deliveries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((headers, body));
    let answer = r
        .script
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop_front()
        .unwrap_or(Answer::Status(200));
    match answer {
        Answer::Stall => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
        Answer::Status(302) => {
            (StatusCode::FOUND, [(header::LOCATION, "/elsewhere")]).into_response()
        }
        Answer::Status(code) => StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
    }
}

async fn elsewhere(State(r): State<Received>) -> StatusCode {
    *r.redirected.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    StatusCode::OK
}

/// A receiver on 127.0.0.1 answering `script` in order, then 200.
async fn receiver(script: &[Answer]) -> (String, Received) {
    let received = Received::default();
    received
        .script
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(script.iter().copied());
    let app = Router::new()
        .route(SECRET_PATH, post(hook))
        .route("/elsewhere", post(elsewhere).get(elsewhere))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}{SECRET_PATH}"), received)
}

/// A URL nobody listens on.
async fn nobody() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}{SECRET_PATH}")
}

/// A component change numbered `n` (the component's position).
fn event(n: u32) -> Notification {
    let component: Component = serde_json::from_value(serde_json::json!({
        "id": "fakecomp0001", "page_id": "fakepage0001", "name": "Database",
        "status": "major_outage", "position": n,
    }))
    .expect("component");
    Notification::new_component(
        Meta::default(),
        WebhookPage::new(
            "fakepage0001",
            StatusIndicator::Major,
            "Partial System Outage",
        ),
        component,
        ComponentUpdate::new(
            "fakecomp0001",
            ComponentStatus::Operational,
            ComponentStatus::MajorOutage,
        ),
    )
}

fn fast() -> statuspage_client::fake::webhooks::WebhookSenderBuilder {
    WebhookSender::builder()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn notifications_arrive_in_statuspages_shape_in_order() {
    let (url, received) = receiver(&[]).await;
    let sender = fast().url(&url).build().expect("sender");
    let sent: Vec<Notification> = (1..=5).map(event).collect();
    let numbers: Vec<u64> = sent.iter().map(|e| sender.send(e)).collect();
    sender.idle().await;

    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(received.bodies(), sent);
    for headers in received.headers() {
        assert_eq!(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }
    let attempts = sender.attempts();
    assert_eq!(attempts.len(), 5);
    assert!(
        attempts
            .iter()
            .all(|a| a.attempt == 1 && a.outcome == AttemptOutcome::Status(200))
    );
    assert!(sender.failed_deliveries().is_empty());
}

#[tokio::test]
async fn a_failing_delivery_is_retried_until_it_succeeds() {
    let (url, received) = receiver(&[Answer::Status(500), Answer::Status(503)]).await;
    let sender = fast().url(&url).max_attempts(4).build().expect("sender");
    sender.send(&event(1));
    sender.idle().await;

    let outcomes: Vec<_> = sender
        .attempts_for(&url)
        .into_iter()
        .map(|a| (a.attempt, a.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, AttemptOutcome::Status(500)),
            (2, AttemptOutcome::Status(503)),
            (3, AttemptOutcome::Status(200)),
        ]
    );
    // The same payload each time.
    let bodies = received.bodies();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| b == &event(1)));
    assert!(sender.failed_deliveries().is_empty());
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up_and_visible() {
    let (url, _received) = receiver(&[Answer::Status(500); 10]).await;
    let sender = fast().url(&url).max_attempts(3).build().expect("sender");
    let n = sender.send(&event(7));
    sender.idle().await;

    let attempts = sender.attempts();
    assert_eq!(attempts.len(), 3);
    assert!(
        attempts
            .iter()
            .all(|a| a.outcome == AttemptOutcome::Status(500) && a.delivery == n)
    );
    let failed = sender.failed_deliveries();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (
            failed[0].delivery,
            failed[0].attempt,
            failed[0].url.as_str()
        ),
        (n, 3, url.as_str())
    );
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let (url, received) = receiver(&[Answer::Status(302); 2]).await;
    let sender = fast().url(&url).max_attempts(2).build().expect("sender");
    sender.send(&event(1));
    sender.idle().await;
    let outcomes: Vec<_> = sender.attempts().into_iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [AttemptOutcome::Status(302), AttemptOutcome::Status(302)]
    );
    assert_eq!(
        *received
            .redirected
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
        0
    );
    assert_eq!(sender.failed_deliveries().len(), 1);
}

#[tokio::test]
async fn a_stalled_endpoint_times_out_and_the_retry_is_delivered() {
    let (url, received) = receiver(&[Answer::Stall]).await;
    let sender = fast()
        .url(&url)
        .timeout(Duration::from_millis(200))
        .max_attempts(2)
        .build()
        .expect("sender");
    sender.send(&event(1));
    sender.idle().await;
    let outcomes: Vec<_> = sender.attempts().into_iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [AttemptOutcome::Timeout, AttemptOutcome::Status(200)]
    );
    assert_eq!(received.bodies().len(), 2);
}

#[tokio::test]
async fn an_unreachable_url_fails_without_delaying_the_others_or_leaking_its_path() {
    let down = nobody().await;
    let (up, received) = receiver(&[]).await;
    let sender = fast()
        .url(&down)
        .url(&up)
        .max_attempts(3)
        .build()
        .expect("sender");
    for tiny in 1..=3 {
        sender.send(&event(tiny));
    }
    sender.idle().await;

    assert_eq!(received.bodies(), (1..=3).map(event).collect::<Vec<_>>());
    let down_attempts = sender.attempts_for(&down);
    assert_eq!(down_attempts.len(), 9, "{down_attempts:?}");
    for a in &down_attempts {
        let AttemptOutcome::Failed(why) = &a.outcome else {
            panic!("not a connection failure: {a:?}");
        };
        assert!(!why.contains("fake-path-secret"), "{why}");
    }
    let failed = sender.failed_deliveries();
    assert_eq!(
        failed.iter().map(|a| a.delivery).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(failed.iter().all(|a| a.url == down));

    let debug = format!("{:?} {sender:?}", sender.attempts());
    assert!(!debug.contains("fake-path-secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[tokio::test]
async fn urls_can_be_added_and_removed_while_running() {
    let (first, first_received) = receiver(&[]).await;
    let (second, second_received) = receiver(&[]).await;
    let sender = fast().build().expect("sender");
    // No URL: nothing to do, nothing recorded.
    sender.send(&event(1));
    sender.idle().await;
    assert!(sender.attempts().is_empty());

    sender.add_url(&first).expect("first");
    sender.add_url(&first).expect("twice is once");
    sender.send(&event(2));
    sender.idle().await;
    sender.add_url(&second).expect("second");
    sender.remove_url(&first);
    assert_eq!(sender.urls(), std::slice::from_ref(&second));
    sender.send(&event(3));
    sender.idle().await;

    assert_eq!(first_received.bodies(), [event(2)]);
    assert_eq!(second_received.bodies(), [event(3)]);
}

#[tokio::test]
async fn a_raw_body_is_sent_as_it_is() {
    let (url, received) = receiver(&[]).await;
    let sender = fast().url(&url).build().expect("sender");
    sender.send_raw(&b"not a payload"[..]);
    sender.idle().await;
    let deliveries = received
        .deliveries
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    assert_eq!(deliveries.len(), 1);
    assert_eq!(&deliveries[0].1[..], b"not a payload");
}

#[test]
fn bad_urls_are_refused() {
    for url in [
        "ftp://127.0.0.1/x",
        "not a url",
        "http://",
        "mailto:a@example.invalid",
    ] {
        let e = WebhookSender::builder().url(url).build().err();
        assert!(
            matches!(e, Some(Error::InvalidInput { field: "url", .. })),
            "{url}: {e:?}"
        );
    }
    let sender = WebhookSender::builder().build().expect("sender");
    assert!(matches!(
        sender.add_url("gopher://x"),
        Err(Error::InvalidInput { field: "url", .. })
    ));
}

#[test]
fn without_a_runtime_a_send_is_recorded_as_failed() {
    let sender = WebhookSender::builder()
        .url("http://127.0.0.1:9/x")
        .build()
        .expect("sender");
    let n = sender.send(&event(1));
    let attempts = sender.attempts();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].delivery, n);
    assert!(matches!(&attempts[0].outcome, AttemptOutcome::Failed(why) if why.contains("runtime")));
}

#[tokio::test]
async fn a_url_that_keeps_failing_is_unsubscribed_and_can_subscribe_again() {
    let (url, received) = receiver(&[Answer::Status(500); 4]).await;
    let (other, other_received) = receiver(&[]).await;
    let sender = fast()
        .url(&url)
        .url(&other)
        .max_attempts(2)
        .unsubscribe_after(2)
        .build()
        .expect("sender");
    for n in 1..=4 {
        sender.send(&event(n));
    }
    sender.idle().await;

    // Two payloads failed both attempts: unsubscribed; the rest were not sent there.
    assert_eq!(sender.unsubscribed(), std::slice::from_ref(&url));
    assert_eq!(sender.urls(), std::slice::from_ref(&other));
    assert_eq!(received.bodies().len(), 4);
    assert_eq!(sender.attempts_for(&url).len(), 4);
    assert_eq!(
        sender
            .failed_deliveries()
            .iter()
            .map(|a| a.delivery)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        other_received.bodies(),
        (1..=4).map(event).collect::<Vec<_>>()
    );

    // Subscribed again, it gets what is sent from then on (the receiver answers 200 now).
    sender.add_url(&url).expect("again");
    assert!(sender.unsubscribed().is_empty());
    sender.send(&event(5));
    sender.idle().await;
    assert_eq!(received.bodies().last(), Some(&event(5)));
}

#[tokio::test]
async fn a_success_resets_the_count_of_failures_in_a_row() {
    let script = [
        Answer::Status(500),
        Answer::Status(200),
        Answer::Status(500),
        Answer::Status(200),
    ];
    let (url, _received) = receiver(&script).await;
    let sender = fast()
        .url(&url)
        .max_attempts(1)
        .unsubscribe_after(2)
        .build()
        .expect("sender");
    for n in 1..=4 {
        sender.send(&event(n));
    }
    sender.idle().await;
    assert!(sender.unsubscribed().is_empty());
    assert_eq!(sender.failed_deliveries().len(), 2);
}
