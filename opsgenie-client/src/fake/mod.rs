//! An in-process fake of Opsgenie for testing automation built on this crate (feature `fake`).
//!
//! [`FakeOpsgenie`] is a stateful HTTP server on loopback that behaves like the real service:
//! alerts with tiny ids and alias de-duplication, the query subset bots use
//! (`status:open|closed`, `acknowledged:true|false`, `priority:P1..P5`, `tag:x`, `tinyId:n`,
//! `createdAt`/`updatedAt` comparisons, `AND`),
//! paging with `paging.next` links and the 20,000 offset+limit ceiling, asynchronous actions
//! whose outcome is 404 `RequestNotProcessed` for a configurable moment and then success or the
//! real failure text, schedules whose on-call follows the rotation and overrides, heartbeats and
//! incidents. It is strict: a wrong key is 401, malformed JSON 400, invalid values 422 with
//! Opsgenie's `errors` map. Knobs add latency, a rate limit (429 with `Retry-After` and the
//! `X-RateLimit-*` headers) and seeded faults (503s and dropped connections).
//!
//! The same state is also served as JSM Operations (`/jsm/ops/api/{JSM_CLOUD_ID}/v1/...`, HTTP
//! Basic [`JSM_EMAIL`] and the key), in the paths, bodies, statuses and answers of Atlassian's
//! published description of that API. What the fake assumes where the description is silent:
//!
#![doc = include_str!("jsm/ASSUMPTIONS.md")]
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use opsgenie_client::fake::FakeOpsgenie;
//! use opsgenie_client::AlertRef;
//!
//! let fake = FakeOpsgenie::start().await?; // demo data; `builder().without_demo_data()` for none
//! let client = fake.client()?;
//! let open = client.alerts().count().query("status:open").await?;
//! client.alerts().acknowledge(AlertRef::tiny("1")).user("ann").await?.wait().await?;
//! assert!(fake.alerts().iter().any(|a| a.acknowledged));
//! # Ok(()) }
//! ```

mod jsm;
mod query;
mod seed;
mod server;
mod state;
pub mod webhooks;

pub use seed::SeedAlert;
use seed::demo;
use server::handle;
use webhooks::WebhookSender;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::alerts::{Alert, AlertStatus, LogEntry, Note};
use crate::error::Result;
use crate::heartbeats::{Heartbeat, IntervalUnit};
use crate::ids::AlertId;
use crate::incidents::Incident;
use crate::schedules::{Override, RotationType, Schedule};
use crate::{Client, RetryPolicy};

use opsbot_http::fake::FaultGate;
pub use state::NextAction;
use state::State;

/// The key the fake accepts unless another is chosen (on the JSM paths: the API token).
pub const DEFAULT_KEY: &str = "00000000-fake-4key-8000-000000000000";

/// The cloud id the fake serves JSM Operations under (`/jsm/ops/api/{JSM_CLOUD_ID}/v1/...`)
/// and answers from `/_edge/tenant_info`.
pub const JSM_CLOUD_ID: &str = "00000000-fake-4cld-8000-000000000000";

/// The Atlassian account e-mail the fake's JSM paths accept with the key as API token.
pub const JSM_EMAIL: &str = "opsbot@example.com";

/// The Atlassian account id of the user behind [`JSM_EMAIL`]: the owner of what the JSM face
/// writes (notes, log entries).
pub const JSM_ACCOUNT_ID: &str = "000000fake0000account0001";

/// The id of the one team of the fake's JSM site (`GET /v1/teams` lists it as `ops`). Heartbeats
/// without an owner team belong to it.
pub const JSM_TEAM_ID: &str = "00000000-fake-4tem-8000-000000000001";

/// Seeded faults, the same type as the other crates' fakes (`opsbot_http::fake::Faults`): the
/// same seed and the same requests give the same fault sequence. This fake serves 503s and
/// dropped connections; the stream faults are Campfire's.
///
/// ```
/// use opsgenie_client::fake::Faults;
/// let faults = Faults::seeded(7).error_503(0.2).drop_connection(0.05);
/// assert_eq!(faults.error_503, 0.2);
/// ```
pub use opsbot_http::fake::Faults;

#[derive(Debug)]
struct Knobs {
    latency: Duration,
    rate_limit: Option<u32>,
    window_start: Instant,
    in_window: u32,
    faults: FaultGate,
}

struct Shared {
    key: String,
    state: Mutex<State>,
    knobs: Mutex<Knobs>,
    served: AtomicU64,
    throttled: AtomicU64,
    webhooks: WebhookSender,
}

impl Shared {
    /// Processes the requests whose moment has come and hands the webhook deliveries of what
    /// they did to the sender (in the order the actions were applied).
    fn process(&self, state: &mut State) {
        state.process_due();
        self.flush(state);
    }

    fn flush(&self, state: &mut State) {
        for event in state.webhook_outbox.drain(..) {
            self.webhooks.send(&event);
        }
    }
}

/// How often the fake applies delayed requests on its own, so that their webhooks go out
/// without waiting for the next request.
const PROCESS_TICK: Duration = Duration::from_millis(20);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Configures and starts a [`FakeOpsgenie`].
#[derive(Debug)]
#[must_use]
pub struct FakeOpsgenieBuilder {
    addr: SocketAddr,
    key: String,
    demo: bool,
    latency: Duration,
    rate_limit: Option<u32>,
    faults: Faults,
    processing_delay: Duration,
    webhook_urls: Vec<String>,
    webhook_sender: Option<WebhookSender>,
}

impl FakeOpsgenieBuilder {
    /// Adds a URL the outgoing Webhook integration POSTs every alert action to (Opsgenie's
    /// payload, [`WebhookEvent`](crate::webhook::WebhookEvent)): create, acknowledge,
    /// unacknowledge, close, add note, escalate, assign, tags, details, priority, message,
    /// description, snooze, responders, custom actions and delete, made on either face.
    /// Failed deliveries are retried (see [`webhooks::WebhookSender`]); every attempt is in
    /// [`FakeOpsgenie::webhooks`].
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook_urls.push(url.into());
        self
    }

    /// Delivers webhooks with this sender (its URLs, headers, retries and timeout) instead of
    /// the default one (3 attempts, 50 ms backoff doubling up to 2 s, 5 s timeout); URLs given
    /// with [`webhook`](Self::webhook) are added to it.
    pub fn webhook_sender(mut self, sender: WebhookSender) -> Self {
        self.webhook_sender = Some(sender);
        self
    }

    /// Listens on this address (default `127.0.0.1:0`, an ephemeral port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The API key the fake accepts (default [`DEFAULT_KEY`]).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// Starts empty: no demo alerts, schedule or heartbeat (demo data is on by default).
    pub fn without_demo_data(mut self) -> Self {
        self.demo = false;
        self
    }

    /// Latency added to every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// At most this many requests per second; more are answered 429.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = Some(per_second.max(1));
        self
    }

    /// Seeded faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// How long an accepted request stays 404 `RequestNotProcessed` before its outcome is there.
    pub fn processing_delay(mut self, delay: Duration) -> Self {
        self.processing_delay = delay;
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// The I/O error when the address cannot be bound; `InvalidInput` for a webhook URL that
    /// is not `http(s)`.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = opsgenie_client::fake::FakeOpsgenie::builder().start().await?;
    /// println!("{} {}", fake.base_url(), fake.key());
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> std::io::Result<FakeOpsgenie> {
        let invalid = |e: crate::Error| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let webhooks = match self.webhook_sender {
            Some(sender) => sender,
            None => WebhookSender::builder().build().map_err(invalid)?,
        };
        for url in self.webhook_urls {
            webhooks.add_url(url).map_err(invalid)?;
        }
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let base_url = url::Url::parse(&format!("http://{addr}/"))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let mut state = State::new(base_url.as_str().trim_end_matches('/').to_owned());
        state.processing_delay = self.processing_delay;
        if self.demo {
            demo(&mut state);
        }
        // Seeds are not actions: nothing is announced for them.
        state.webhook_outbox.clear();
        let shared = Arc::new(Shared {
            key: self.key,
            state: Mutex::new(state),
            knobs: Mutex::new(Knobs {
                latency: self.latency,
                rate_limit: self.rate_limit,
                window_start: Instant::now(),
                in_window: 0,
                faults: FaultGate::new(self.faults),
            }),
            served: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            webhooks,
        });
        let ticker = {
            let shared = Arc::downgrade(&shared);
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(PROCESS_TICK);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let Some(shared) = shared.upgrade() else {
                        break;
                    };
                    shared.process(&mut lock(&shared.state));
                }
            })
        };
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FakeOpsgenie {
            base_url,
            addr,
            shared,
            stop: Some(stop),
            task,
            ticker,
        })
    }
}

/// A running fake Opsgenie; stops when dropped. See the [module docs](self).
pub struct FakeOpsgenie {
    base_url: url::Url,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    ticker: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FakeOpsgenie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeOpsgenie")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeOpsgenie {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
        self.ticker.abort();
    }
}

impl FakeOpsgenie {
    /// A builder with defaults: ephemeral loopback port, [`DEFAULT_KEY`], demo data, no knobs.
    pub fn builder() -> FakeOpsgenieBuilder {
        FakeOpsgenieBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            key: DEFAULT_KEY.to_owned(),
            demo: true,
            latency: Duration::ZERO,
            rate_limit: None,
            faults: Faults::none(),
            processing_delay: Duration::ZERO,
            webhook_urls: Vec::new(),
            webhook_sender: None,
        }
    }

    /// Starts a fake with demo data on an ephemeral loopback port (the builder's defaults).
    ///
    /// # Errors
    /// The I/O error when no port can be bound.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = opsgenie_client::fake::FakeOpsgenie::start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start() -> std::io::Result<FakeOpsgenie> {
        FakeOpsgenie::builder().start().await
    }

    /// The base URL (`http://127.0.0.1:<port>/`); both faces are served under it (Opsgenie's
    /// `/v2/...` and JSM's `/jsm/ops/api/{cloudId}/v1/...`).
    pub fn base_url(&self) -> &url::Url {
        &self.base_url
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key the fake accepts.
    pub fn key(&self) -> &str {
        &self.shared.key
    }

    /// A client pointed at the fake with its key, quick outcome polling and quick retries.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`](crate::ClientBuilder::build).
    ///
    /// ```no_run
    /// # async fn run(fake: opsgenie_client::fake::FakeOpsgenie) -> opsgenie_client::Result<()> {
    /// let client = fake.client()?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> Result<Client> {
        self.client_builder().build()
    }

    /// A client of the fake's JSM Operations mode: the same state served under
    /// `/jsm/ops/api/{JSM_CLOUD_ID}/v1/...` in JSM's shapes, with HTTP Basic
    /// ([`JSM_EMAIL`] and the key as API token).
    ///
    /// # Errors
    /// As [`ClientBuilder::build`](crate::ClientBuilder::build).
    ///
    /// ```no_run
    /// # async fn run(fake: opsgenie_client::fake::FakeOpsgenie) -> opsgenie_client::Result<()> {
    /// let jsm = fake.jsm_client()?;
    /// let open = jsm.alerts().count().query("status:open").await?;
    /// # Ok(()) }
    /// ```
    pub fn jsm_client(&self) -> Result<Client> {
        self.jsm_client_builder().build()
    }

    /// A JSM client builder pointed at the fake, to adjust before building.
    pub fn jsm_client_builder(&self) -> crate::ClientBuilder {
        Self::quick(Client::builder_jsm(JSM_CLOUD_ID, JSM_EMAIL, self.key()))
            .base_url(self.base_url_str())
    }

    fn quick(builder: crate::ClientBuilder) -> crate::ClientBuilder {
        builder
            .outcome_poll_interval(Duration::from_millis(10), Duration::from_millis(100))
            .retry_policy(
                RetryPolicy::default()
                    .with_initial_backoff(Duration::from_millis(20))
                    .with_max_backoff(Duration::from_millis(500)),
            )
    }

    /// A client builder pointed at the fake, to adjust before building.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        Self::quick(Client::builder(self.key())).base_url(self.base_url_str())
    }

    /// The base URL without its trailing `/`, as client builders take it.
    fn base_url_str(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        let mut s = lock(&self.shared.state);
        self.shared.process(&mut s);
        s
    }

    /// The outgoing Webhook integration: its URLs, and every delivery attempt so far
    /// ([`WebhookSender::attempts`], [`WebhookSender::idle`] to wait for deliveries in flight).
    pub fn webhooks(&self) -> &WebhookSender {
        &self.shared.webhooks
    }

    /// Adds a webhook URL at run time: actions applied from now on are POSTed there too.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a URL that is not `http(s)`.
    pub fn add_webhook(&self, url: impl Into<String>) -> Result<()> {
        self.shared.webhooks.add_url(url)
    }

    /// Stops sending to a webhook URL (deliveries already queued still go out).
    pub fn remove_webhook(&self, url: &str) {
        self.shared.webhooks.remove_url(url);
    }

    /// How many requests the fake has received.
    pub fn requests_served(&self) -> u64 {
        self.shared.served.load(Ordering::SeqCst)
    }

    /// How many requests the fake answered 429.
    pub fn requests_throttled(&self) -> u64 {
        self.shared.throttled.load(Ordering::SeqCst)
    }

    /// Changes the latency added to every answer.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.knobs).latency = latency;
    }

    /// Changes the rate limit (`None` for none).
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        let mut k = lock(&self.shared.knobs);
        k.rate_limit = per_second.map(|n| n.max(1));
        k.window_start = Instant::now();
        k.in_window = 0;
    }

    /// Changes the faults and restarts their sequence from the seed.
    pub fn set_faults(&self, faults: Faults) {
        let mut k = lock(&self.shared.knobs);
        k.faults.reset(faults);
    }

    /// Changes how long accepted requests stay unprocessed.
    pub fn set_processing_delay(&self, delay: Duration) {
        lock(&self.shared.state).processing_delay = delay;
    }

    /// Adds the demo data (what a fake starts with unless [`FakeOpsgenieBuilder::without_demo_data`]
    /// was called).
    pub fn load_demo_data(&self) {
        let mut s = self.state();
        demo(&mut s);
        s.webhook_outbox.clear();
    }

    /// Seeds an alert directly (no request, no delay) and returns it.
    ///
    /// ```no_run
    /// # fn run(fake: opsgenie_client::fake::FakeOpsgenie) {
    /// use opsgenie_client::Priority;
    /// use opsgenie_client::fake::SeedAlert;
    /// let alert = fake.add_alert(SeedAlert::new("Disk full").priority(Priority::P2).acknowledged(true));
    /// # }
    /// ```
    pub fn add_alert(&self, seed: SeedAlert) -> Alert {
        let mut s = self.state();
        let (i, mut alert) = s.create_alert(&seed.body);
        // A seed is not an action: nothing is announced for it.
        s.webhook_outbox.clear();
        if seed.acknowledged {
            alert.acknowledged = true;
        }
        if seed.closed {
            alert.status = Some(AlertStatus::Closed);
        }
        if let Some(at) = seed.created_at {
            alert.created_at = Some(at);
            alert.updated_at = Some(at);
            alert.last_occurred_at = Some(at);
        }
        if let Some(stored) = s.alerts.get_mut(i) {
            *stored = alert.clone();
        }
        alert
    }

    /// Decides what happens to the next action accepted on the alert `id` (one action; the
    /// ones after it are processed normally): someone else deletes or closes the alert
    /// between the acceptance and the processing, the outcome never comes, or the action is
    /// processed as failed with a status text. Works on both faces.
    ///
    /// ```no_run
    /// # fn run(fake: opsgenie_client::fake::FakeOpsgenie, id: opsgenie_client::AlertId) {
    /// use opsgenie_client::fake::NextAction;
    /// fake.on_next_action(&id, NextAction::DeleteFirst);
    /// # }
    /// ```
    pub fn on_next_action(&self, id: &AlertId, next: NextAction) {
        self.state()
            .next_action
            .insert(id.as_str().to_owned(), next);
    }

    /// Someone else deletes an alert now (no request, no delay); false when there is none.
    pub fn delete_alert(&self, id: &AlertId) -> bool {
        self.state().delete_by_someone_else(id.as_str())
    }

    /// Someone else closes an alert now (no request, no delay); false when there is none.
    pub fn close_alert(&self, id: &AlertId) -> bool {
        self.state().close_by_someone_else(id.as_str())
    }

    /// Every alert, oldest first.
    pub fn alerts(&self) -> Vec<Alert> {
        self.state().alerts.clone()
    }

    /// One alert by tiny id.
    pub fn alert_by_tiny(&self, tiny_id: &str) -> Option<Alert> {
        self.state()
            .alerts
            .iter()
            .find(|a| a.tiny_id.as_deref() == Some(tiny_id))
            .cloned()
    }

    /// The notes of an alert.
    pub fn notes(&self, alert_id: impl Into<AlertId>) -> Vec<Note> {
        self.state()
            .notes
            .get(alert_id.into().as_str())
            .cloned()
            .unwrap_or_default()
    }

    /// The activity log of an alert.
    pub fn logs(&self, alert_id: impl Into<AlertId>) -> Vec<LogEntry> {
        self.state()
            .logs
            .get(alert_id.into().as_str())
            .cloned()
            .unwrap_or_default()
    }

    /// Seeds a schedule with one rotation of users (weekly turns from `start`).
    pub fn add_schedule(
        &self,
        name: &str,
        rotation_name: &str,
        start: DateTime<Utc>,
        users: &[&str],
    ) -> Schedule {
        let rotation = state::rotation(rotation_name, RotationType::Weekly, start, users);
        self.state().add_schedule(name, "UTC", vec![rotation])
    }

    /// Seeds an escalation (listed by `GET /v2/escalations`; Opsgenie face only).
    pub fn add_escalation(&self, escalation: crate::escalations::Escalation) {
        self.state().escalations.push(escalation);
    }

    /// Every escalation.
    pub fn escalations(&self) -> Vec<crate::escalations::Escalation> {
        self.state().escalations.clone()
    }

    /// Every schedule.
    pub fn schedules(&self) -> Vec<Schedule> {
        self.state().schedules.clone()
    }

    /// Every override.
    pub fn overrides(&self) -> Vec<Override> {
        self.state().overrides.clone()
    }

    /// Who is on call in a schedule (by name) at a time, overrides applied.
    pub fn on_call_at(&self, schedule_name: &str, at: DateTime<Utc>) -> Vec<String> {
        let s = self.state();
        match s.schedules.iter().find(|x| x.name == schedule_name) {
            Some(sch) => s.on_call_at(sch, at),
            None => Vec::new(),
        }
    }

    /// Seeds an enabled heartbeat last pinged at `last_ping` (or now, when `None`). A heartbeat
    /// that is not pinged within its interval expires and raises an alert, as in Opsgenie.
    pub fn add_heartbeat(
        &self,
        name: &str,
        interval: u32,
        unit: IntervalUnit,
        last_ping: Option<DateTime<Utc>>,
    ) -> Heartbeat {
        let heartbeat = Heartbeat {
            name: name.to_owned(),
            description: None,
            interval: Some(interval.max(1)),
            interval_unit: Some(unit),
            enabled: Some(true),
            expired: Some(false),
            owner_team: None,
            alert_message: None,
            alert_tags: Vec::new(),
            alert_priority: None,
            last_ping_time: last_ping,
        };
        let mut s = lock(&self.shared.state);
        s.heartbeats.retain(|h| h.name != name);
        s.heartbeat_since
            .insert(name.to_owned(), last_ping.unwrap_or_else(Utc::now));
        s.heartbeats.push(heartbeat.clone());
        heartbeat
    }

    /// Every heartbeat.
    pub fn heartbeats(&self) -> Vec<Heartbeat> {
        self.state().heartbeats.clone()
    }

    /// Every incident.
    pub fn incidents(&self) -> Vec<Incident> {
        self.state().incidents.clone()
    }
}
