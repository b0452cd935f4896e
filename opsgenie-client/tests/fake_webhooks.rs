//! `FakeOpsgenie`'s outgoing Webhook integration against a receiver on 127.0.0.1: every alert
//! action made through either face (the Opsgenie API and JSM Operations) is POSTed in
//! Opsgenie's payload shape, a failing receiver is retried, and every attempt is visible.
#![cfg(feature = "fake")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use opsgenie_client::fake::webhooks::{AttemptOutcome, WebhookSender};
use opsgenie_client::fake::{FakeOpsgenie, JSM_ACCOUNT_ID, JSM_EMAIL, SeedAlert};
use opsgenie_client::webhook::{SourceType, WebhookAction, WebhookEvent};
use opsgenie_client::{AlertRef, NamedRef, Priority, UserRef};

#[derive(Clone, Default)]
struct Receiver {
    /// Statuses to answer, in order; 200 once they run out.
    script: Arc<Mutex<VecDeque<u16>>>,
    bodies: Arc<Mutex<Vec<Bytes>>>,
}

impl Receiver {
    fn events(&self) -> Vec<WebhookEvent> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| WebhookEvent::from_slice(b).expect("the fake posts a payload"))
            .collect()
    }

    fn raw(&self) -> Vec<serde_json::Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_slice(b).expect("json"))
            .collect()
    }
}

async fn hook(State(r): State<Receiver>, body: Bytes) -> StatusCode {
    r.bodies.lock().unwrap().push(body);
    let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

/// A receiver on an ephemeral loopback port and its URL.
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

fn actions(events: &[WebhookEvent]) -> Vec<WebhookAction> {
    events.iter().map(|e| e.action.clone()).collect()
}

#[tokio::test]
async fn every_action_on_the_opsgenie_face_is_posted_in_opsgenies_shape() {
    let (received, url) = receiver().await;
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .webhook(&url)
        .start()
        .await
        .unwrap();
    let client = fake.client().unwrap();

    let created = client
        .alerts()
        .create("Disk full on db-3")
        .priority(Priority::P2)
        .entity("db-3")
        .source("opsbot")
        .description("the disk is full")
        .tag("disk")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let alert = AlertRef::tiny("1");
    client
        .alerts()
        .acknowledge(alert.clone())
        .user("ann@example.com")
        .source("opsbot")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client
        .alerts()
        .unacknowledge(alert.clone())
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client
        .alerts()
        .add_note(alert.clone(), "looking")
        .user("bob@example.com")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client
        .alerts()
        .add_tags(alert.clone(), ["db"])
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client
        .alerts()
        .close(alert.clone())
        .user("ann@example.com")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client
        .alerts()
        .delete(alert.clone())
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    fake.webhooks().idle().await;

    let events = received.events();
    assert_eq!(
        actions(&events),
        [
            WebhookAction::Create,
            WebhookAction::Acknowledge,
            WebhookAction::UnAcknowledge,
            WebhookAction::AddNote,
            WebhookAction::AddTags,
            WebhookAction::Close,
            WebhookAction::Delete,
        ]
    );
    let create = &events[0];
    assert_eq!(create.alert.tiny_id.as_deref(), Some("1"));
    assert_eq!(create.alert.message.as_deref(), Some("Disk full on db-3"));
    assert_eq!(create.alert.entity.as_deref(), Some("db-3"));
    assert_eq!(create.alert.priority, Some(Priority::P2));
    assert_eq!(
        create.alert.description.as_deref(),
        Some("the disk is full")
    );
    assert_eq!(
        create.alert.alert_id.as_ref().map(|id| id.as_str()),
        Some(created.alert_id().unwrap().as_str())
    );
    assert!(create.is_from_source("opsbot"));
    assert_eq!(
        create.source.as_ref().and_then(|s| s.kind.clone()),
        Some(SourceType::Api)
    );
    // Description and details only on Create.
    assert!(events[1].alert.description.is_none());
    assert_eq!(events[1].alert.username.as_deref(), Some("ann@example.com"));
    assert!(events[1].is_from_source("opsbot"));
    assert!(!events[2].is_from_source("opsbot"));
    assert_eq!(events[3].note(), Some("looking"));
    assert_eq!(events[3].alert.username.as_deref(), Some("bob@example.com"));
    assert!(events[4].alert.tags.contains(&"db".to_owned()));

    // The wire shape: tinyId a string, createdAt epoch ms, updatedAt epoch ns.
    let raw = received.raw();
    assert_eq!(raw[0]["action"], "Create");
    assert_eq!(raw[0]["alert"]["tinyId"], "1");
    assert!(raw[0]["alert"]["createdAt"].as_u64().unwrap() < 10_u64.pow(14));
    assert!(raw[0]["alert"]["updatedAt"].as_u64().unwrap() > 10_u64.pow(17));
    assert_eq!(raw[0]["integrationName"], "Webhook");
    // Every attempt was delivered at once.
    assert!(
        fake.webhooks()
            .attempts()
            .iter()
            .all(|a| a.outcome.is_delivered())
    );
}

#[tokio::test]
async fn escalate_and_assign_name_the_escalation_and_the_owner() {
    let (received, url) = receiver().await;
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .unwrap();
    fake.add_alert(SeedAlert::new("Queue backlog"));
    // Added at run time; a seed announces nothing.
    fake.add_webhook(&url).unwrap();
    let client = fake.client().unwrap();
    let alert = AlertRef::tiny("1");
    client
        .alerts()
        .escalate(alert.clone(), NamedRef::name("night-shift"))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    client
        .alerts()
        .assign(alert.clone(), UserRef::username("carol@example.com"))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    fake.webhooks().idle().await;
    let events = received.events();
    assert_eq!(
        actions(&events),
        [WebhookAction::Escalate, WebhookAction::AssignOwnership]
    );
    assert_eq!(
        events[0].escalation().and_then(|e| e.name).as_deref(),
        Some("night-shift")
    );
    assert_eq!(events[1].owner(), Some("carol@example.com"));

    // Removed: later actions go nowhere.
    fake.remove_webhook(&url);
    client
        .alerts()
        .close(alert)
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    fake.webhooks().idle().await;
    assert_eq!(received.events().len(), 2);
}

#[tokio::test]
async fn the_jsm_face_announces_its_actions_with_the_atlassian_account() {
    let (received, url) = receiver().await;
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .webhook(&url)
        .start()
        .await
        .unwrap();
    let jsm = fake.jsm_client().unwrap();
    jsm.alerts()
        .create("Login errors")
        .priority(Priority::P1)
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let id = fake.alerts()[0].id.clone();
    jsm.alerts()
        .acknowledge(AlertRef::id(id.as_str()))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    fake.webhooks().idle().await;
    let events = received.events();
    assert_eq!(
        actions(&events),
        [WebhookAction::Create, WebhookAction::Acknowledge]
    );
    // Same payload as Opsgenie's; the actor is the account, by id and e-mail.
    assert_eq!(events[1].alert.user_id.as_deref(), Some(JSM_ACCOUNT_ID));
    assert_eq!(events[1].alert.username.as_deref(), Some(JSM_EMAIL));
    assert_eq!(events[1].alert.tiny_id.as_deref(), Some("1"));
    assert_eq!(events[0].alert.priority, Some(Priority::P1));
}

#[tokio::test]
async fn a_failing_receiver_is_retried_and_every_attempt_is_recorded() {
    let (received, url) = receiver().await;
    received.script.lock().unwrap().extend([503, 500]);
    let sender = WebhookSender::builder()
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .max_attempts(3)
        .build()
        .unwrap();
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .webhook_sender(sender)
        .webhook(&url)
        .start()
        .await
        .unwrap();
    let client = fake.client().unwrap();
    client
        .alerts()
        .create("Flapping")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    fake.webhooks().idle().await;
    let attempts = fake.webhooks().attempts_for(&url);
    let outcomes: Vec<AttemptOutcome> = attempts.iter().map(|a| a.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        [
            AttemptOutcome::Status(503),
            AttemptOutcome::Status(500),
            AttemptOutcome::Status(200)
        ]
    );
    // The same payload each time: a receiver de-duplicates on it.
    let events = received.events();
    assert_eq!(events.len(), 3);
    assert!(
        events
            .iter()
            .all(|e| e.dedup_key() == events[0].dedup_key())
    );
    assert!(fake.webhooks().failed_deliveries().is_empty());
}

#[tokio::test]
async fn a_receiver_that_never_answers_2xx_is_given_up_and_shown_as_failed() {
    let (received, url) = receiver().await;
    received.script.lock().unwrap().extend([500, 500, 500]);
    let sender = WebhookSender::builder()
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .webhook_sender(sender)
        .webhook(&url)
        .start()
        .await
        .unwrap();
    fake.client()
        .unwrap()
        .alerts()
        .create("Down")
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    fake.webhooks().idle().await;
    let failed = fake.webhooks().failed_deliveries();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempt, 3);
    // The secret path never shows in what a test prints.
    assert!(!format!("{failed:?}").contains("fake-secret"));
}

#[tokio::test]
async fn a_bad_webhook_url_is_refused() {
    let started = FakeOpsgenie::builder()
        .webhook("ftp://example.invalid/x")
        .start()
        .await;
    assert_eq!(
        started.unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .unwrap();
    assert!(fake.add_webhook("not a url").is_err());
    assert!(fake.webhooks().urls().is_empty());
}
