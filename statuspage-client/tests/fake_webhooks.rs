//! `FakeStatuspage`'s subscriber webhooks against a receiver on 127.0.0.1: component changes
//! and incidents are POSTed in Statuspage's notification shape, to configured URLs and to
//! webhook subscribers; a failing receiver is retried and every attempt is visible.
#![cfg(feature = "fake")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use statuspage_client::fake::FakeStatuspage;
use statuspage_client::fake::webhooks::{AttemptOutcome, WebhookSender};
use statuspage_client::webhook::Notification;
use statuspage_client::{ComponentStatus, IncidentStatus, StatusIndicator};

#[derive(Clone, Default)]
struct Receiver {
    script: Arc<Mutex<VecDeque<u16>>>,
    bodies: Arc<Mutex<Vec<Bytes>>>,
}

impl Receiver {
    fn notifications(&self) -> Vec<Notification> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| Notification::from_slice(b).expect("the fake posts a notification"))
            .collect()
    }
}

async fn hook(State(r): State<Receiver>, body: Bytes) -> StatusCode {
    r.bodies.lock().unwrap().push(body);
    let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let app = Router::new()
        .route("/hooks/fake-secret", post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks/fake-secret",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (r, url)
}

#[tokio::test]
async fn component_changes_are_posted_with_old_and_new_status() {
    let (received, url) = receiver().await;
    let fake = FakeStatuspage::builder()
        .webhook(&url)
        .start()
        .await
        .unwrap();
    let client = fake.client().unwrap();
    let page = fake.page_id();
    let api = fake.component_by_name("API").unwrap().id;
    client
        .components(&page)
        .set_status(&api, ComponentStatus::UnderMaintenance)
        .await
        .unwrap();
    // Setting the same status again is no change: nothing is sent.
    client
        .components(&page)
        .set_status(&api, ComponentStatus::UnderMaintenance)
        .await
        .unwrap();
    // A change made "in the web UI" is announced too.
    fake.set_component_status(api.clone(), ComponentStatus::Operational)
        .unwrap();
    fake.webhooks().idle().await;

    let got = received.notifications();
    assert_eq!(got.len(), 2, "{got:?}");
    let (component, change) = got[0].component_change().expect("a component change");
    assert_eq!(component.name, "API");
    assert_eq!(change.old_status, ComponentStatus::Operational);
    assert_eq!(change.new_status, ComponentStatus::UnderMaintenance);
    assert!(got[0].is_from_page(page.as_str()));
    assert_eq!(got[0].page().status_indicator, StatusIndicator::Maintenance);
    let (_, back) = got[1].component_change().expect("a component change");
    assert_eq!(back.new_status, ComponentStatus::Operational);
    assert_eq!(got[1].page().status_indicator, StatusIndicator::None);
    assert!(got[0].meta().unsubscribe.is_some());
}

#[tokio::test]
async fn incidents_are_posted_when_created_and_updated_with_their_latest_update() {
    let (received, url) = receiver().await;
    let fake = FakeStatuspage::builder().start().await.unwrap();
    fake.add_webhook(&url).unwrap();
    let client = fake.client().unwrap();
    let page = fake.page_id();
    let builds = fake.component_by_name("Build Processing").unwrap().id;
    let incidents = client.incidents(&page);
    let incident = incidents
        .create("Builds are slow")
        .status(IncidentStatus::Investigating)
        .body("Looking into slow builds.")
        .component(&builds, ComponentStatus::DegradedPerformance)
        .await
        .unwrap();
    incidents
        .update(&incident.id)
        .status(IncidentStatus::Identified)
        .body("A queue is backed up.")
        .await
        .unwrap();
    fake.webhooks().idle().await;

    let got = received.notifications();
    // Created: the component change and the incident; updated: the incident.
    let incident_notes: Vec<&Notification> =
        got.iter().filter(|n| n.incident().is_some()).collect();
    assert_eq!(incident_notes.len(), 2, "{got:?}");
    assert_eq!(
        incident_notes[0].incident().unwrap().status,
        IncidentStatus::Investigating
    );
    let latest = incident_notes[1].latest_update().expect("an update");
    assert_eq!(latest.body.as_deref(), Some("A queue is backed up."));
    assert_eq!(
        incident_notes[1].incident().unwrap().name,
        "Builds are slow"
    );
    assert!(incident_notes[1].shortlink().is_some());
    let component_notes: Vec<&Notification> = got
        .iter()
        .filter(|n| n.component_change().is_some())
        .collect();
    assert_eq!(component_notes.len(), 1, "{got:?}");
    assert_eq!(
        component_notes[0].component_change().unwrap().1.new_status,
        ComponentStatus::DegradedPerformance
    );
}

#[tokio::test]
async fn webhook_subscribers_created_through_the_api_are_notified() {
    let (received, url) = receiver().await;
    let fake = FakeStatuspage::start().await.unwrap();
    let client = fake.client().unwrap();
    let page = fake.page_id();
    client
        .subscribers(&page)
        .create()
        .endpoint(&url)
        .email("ops@example.invalid")
        .await
        .unwrap();
    let api = fake.component_by_name("API").unwrap().id;
    client
        .components(&page)
        .set_status(&api, ComponentStatus::MajorOutage)
        .await
        .unwrap();
    fake.webhooks().idle().await;
    let got = received.notifications();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].component_change().unwrap().1.new_status,
        ComponentStatus::MajorOutage
    );
}

#[tokio::test]
async fn a_failing_subscriber_is_retried_and_every_attempt_recorded() {
    let (received, url) = receiver().await;
    received.script.lock().unwrap().extend([500, 302]);
    let sender = WebhookSender::builder()
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .max_attempts(3)
        .build()
        .unwrap();
    let fake = FakeStatuspage::builder()
        .webhook_sender(sender)
        .webhook(&url)
        .start()
        .await
        .unwrap();
    let api = fake.component_by_name("API").unwrap().id;
    fake.set_component_status(api, ComponentStatus::PartialOutage)
        .unwrap();
    fake.webhooks().idle().await;
    let outcomes: Vec<AttemptOutcome> = fake
        .webhooks()
        .attempts_for(&url)
        .into_iter()
        .map(|a| a.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            AttemptOutcome::Status(500),
            AttemptOutcome::Status(302),
            AttemptOutcome::Status(200)
        ]
    );
    let got = received.notifications();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|n| n.dedup_key() == got[0].dedup_key()));
}

#[tokio::test]
async fn a_bad_webhook_url_is_refused() {
    let started = FakeStatuspage::builder()
        .webhook("mailto:ops@example.invalid")
        .start()
        .await;
    assert_eq!(
        started.unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
    let fake = FakeStatuspage::start().await.unwrap();
    assert!(fake.add_webhook("not a url").is_err());
    fake.remove_webhook("http://127.0.0.1:1/none");
    assert!(fake.webhooks().urls().is_empty());
}
