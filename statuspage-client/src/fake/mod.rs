//! An in-process fake Statuspage (feature `fake`) for testing automation built on this crate.
//!
//! [`FakeStatuspage`] serves the Manage API v1 (under `/v1`) and the public Status API v2 (under
//! `/api/v2`) of one page on loopback, with state: an incident update with a status or a body
//! appends an incident update, its `components` map changes component statuses and is recorded as
//! `affected_components`, and the public API shows the same state. It is strict like the real
//! service (401 for a wrong key, 400 for malformed JSON, 422 for invalid values) and has knobs for
//! latency, rate limiting (420 or 429 with `Retry-After`) and seeded faults (503, dropped connections).
//!
//! ```no_run
//! use statuspage_client::ComponentStatus;
//! use statuspage_client::fake::FakeStatuspage;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeStatuspage::start().await?;
//! let client = fake.client()?;
//! let api = fake.component_by_name("API").ok_or("no API component")?;
//! client.components(fake.page_id()).set_status(&api.id, ComponentStatus::MajorOutage).await?;
//! assert_eq!(fake.component_by_name("API").map(|c| c.status), Some(ComponentStatus::MajorOutage));
//! # Ok(())
//! # }
//! ```

mod notify;
mod state;
pub mod webhooks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use url::Url;

use crate::client::Client;
use crate::component_groups::ComponentGroup;
use crate::components::{Component, ComponentStatus};
use crate::ids::{ComponentGroupId, ComponentId, MetricId, PageId};
use crate::incidents::Incident;
use crate::metrics::{Metric, MetricPoint};
use crate::public::PublicClient;
use crate::subscribers::Subscriber;
use opsbot_http::RetryPolicy;

use state::{Reply, State};
use webhooks::WebhookSender;

/// The key the fake accepts unless told otherwise (obviously fake).
pub const DEFAULT_FAKE_KEY: &str = "fake-statuspage-key";
/// The id of the fake's page unless told otherwise.
pub const DEFAULT_FAKE_PAGE: &str = "fakepage0001";

pub use opsbot_http::fake::Faults;
use opsbot_http::fake::{Fault, FaultGate, dropped_connection};

#[derive(Debug)]
struct Knobs {
    latency: Duration,
    rate_limit: Option<u32>,
    rate_limit_status: u16,
    faults: FaultGate,
    window: Option<(Instant, u32)>,
}

#[derive(Debug)]
struct Shared {
    key: String,
    state: Mutex<State>,
    knobs: Mutex<Knobs>,
    requests: Mutex<u64>,
    webhooks: WebhookSender,
    /// Numbers the component updates announced.
    announced: Mutex<u64>,
}

impl Shared {
    /// Runs `change` on the state and sends subscribers the notifications for what it changed
    /// (to the configured URLs and to the page's webhook subscribers).
    fn changing<T>(&self, change: impl FnOnce(&mut State) -> T) -> T {
        let mut state = lock(&self.state);
        let before = notify::Snapshot::of(&state);
        let out = change(&mut state);
        let notifications = before.changes(&state, &mut lock(&self.announced));
        if !notifications.is_empty() {
            for endpoint in notify::subscriber_endpoints(&state) {
                // An endpoint that is not a URL is never delivered to (the API accepted it).
                let _ = self.webhooks.add_url(endpoint);
            }
        }
        drop(state);
        for notification in &notifications {
            self.webhooks.send(notification);
        }
        out
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fake Statuspage on loopback. Stops when dropped.
#[derive(Debug)]
pub struct FakeStatuspage {
    addr: SocketAddr,
    base_url: Url,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeStatuspage {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.abort();
    }
}

/// Configures a [`FakeStatuspage`]. Made by [`FakeStatuspage::builder`].
#[derive(Debug)]
#[must_use]
pub struct FakeStatuspageBuilder {
    addr: SocketAddr,
    key: String,
    page_id: String,
    demo: bool,
    latency: Duration,
    rate_limit: Option<u32>,
    rate_limit_status: u16,
    faults: Faults,
    webhook_urls: Vec<String>,
    webhook_sender: Option<WebhookSender>,
}

impl FakeStatuspageBuilder {
    /// Adds a URL every subscriber notification is POSTed to (Statuspage's payload,
    /// [`Notification`](crate::webhook::Notification)): a component's status change, an
    /// incident or maintenance created, its status changed or a new update. Subscribers created
    /// through the API with an `endpoint` are notified too. Failed deliveries are retried (see
    /// [`webhooks::WebhookSender`]); every attempt is in [`FakeStatuspage::webhooks`].
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook_urls.push(url.into());
        self
    }

    /// Delivers notifications with this sender (its URLs, retries, unsubscribing, timeout)
    /// instead of the default one; URLs given with [`webhook`](Self::webhook) are added to it.
    pub fn webhook_sender(mut self, sender: WebhookSender) -> Self {
        self.webhook_sender = Some(sender);
        self
    }

    /// Listens on this address (default `127.0.0.1:0`, an ephemeral port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Starts with an empty page instead of the demo data.
    pub fn without_demo_data(mut self) -> Self {
        self.demo = false;
        self
    }

    /// The key the fake accepts (default [`DEFAULT_FAKE_KEY`]).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// The id of the page (default [`DEFAULT_FAKE_PAGE`]).
    pub fn page_id(mut self, id: impl Into<String>) -> Self {
        self.page_id = id.into();
        self
    }

    /// Adds this delay to every request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Allows this many requests per second; more are answered 420 with `Retry-After: 1`.
    pub fn rate_limit(mut self, requests_per_second: u32) -> Self {
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// Answers rate-limited requests with 429 instead of 420 (Statuspage uses both).
    pub fn rate_limit_with_429(mut self) -> Self {
        self.rate_limit_status = 429;
        self
    }

    /// Injects seeded faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Starts the server.
    ///
    /// # Errors
    /// The address cannot be bound, or the demo data cannot be built; `InvalidInput` for a
    /// webhook URL that is not `http(s)`.
    pub async fn start(self) -> std::io::Result<FakeStatuspage> {
        let invalid = |e: crate::Error| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let webhooks = match self.webhook_sender {
            Some(sender) => sender,
            None => WebhookSender::builder().build().map_err(invalid)?,
        };
        for url in self.webhook_urls {
            webhooks.add_url(url).map_err(invalid)?;
        }
        let mut state = State::new(&self.page_id).map_err(std::io::Error::other)?;
        if self.demo {
            state
                .seed_demo()
                .map_err(|reply| std::io::Error::other(format!("demo data: {:?}", reply.body)))?;
        }
        let shared = Arc::new(Shared {
            key: self.key,
            state: Mutex::new(state),
            knobs: Mutex::new(Knobs {
                latency: self.latency,
                rate_limit: self.rate_limit,
                rate_limit_status: self.rate_limit_status,
                faults: FaultGate::new(self.faults),
                window: None,
            }),
            requests: Mutex::new(0),
            webhooks,
            announced: Mutex::new(0),
        });
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let router = axum::Router::new()
            .fallback(dispatch)
            .with_state(shared.clone());
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        let base_url = Url::parse(&format!("http://{addr}/v1")).map_err(std::io::Error::other)?;
        Ok(FakeStatuspage {
            addr,
            base_url,
            shared,
            shutdown: Some(shutdown),
            task,
        })
    }
}

impl FakeStatuspage {
    /// Starts a fake with the demo data on an ephemeral loopback port.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start() -> std::io::Result<FakeStatuspage> {
        FakeStatuspage::builder().start().await
    }

    /// A builder for the address, key, demo data and knobs.
    pub fn builder() -> FakeStatuspageBuilder {
        FakeStatuspageBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            key: DEFAULT_FAKE_KEY.to_owned(),
            page_id: DEFAULT_FAKE_PAGE.to_owned(),
            demo: true,
            latency: Duration::ZERO,
            rate_limit: None,
            rate_limit_status: 420,
            faults: Faults::default(),
            webhook_urls: Vec::new(),
            webhook_sender: None,
        }
    }

    /// The subscriber webhooks: the URLs notifications go to, and every delivery attempt
    /// ([`WebhookSender::attempts`]; [`WebhookSender::idle`] waits for deliveries in flight).
    pub fn webhooks(&self) -> &WebhookSender {
        &self.shared.webhooks
    }

    /// Adds a webhook URL at run time: changes from now on are POSTed there too.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a URL that is not `http(s)`.
    pub fn add_webhook(&self, url: impl Into<String>) -> crate::Result<()> {
        self.shared.webhooks.add_url(url)
    }

    /// Stops sending to a webhook URL (deliveries already queued still go out).
    pub fn remove_webhook(&self, url: &str) {
        self.shared.webhooks.remove_url(url);
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The Manage API v1 base URL (`http://127.0.0.1:<port>/v1`), for [`Client::builder`]'s `base_url`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The page's URL, for [`PublicClient::new`] (`/api/v2` is below it).
    pub fn page_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The key the fake accepts.
    pub fn key(&self) -> &str {
        &self.shared.key
    }

    /// The id of the fake's page.
    pub fn page_id(&self) -> PageId {
        PageId::new(lock(&self.shared.state).page_id())
    }

    /// A client for the fake: its base URL and key, no pacing, quick retries.
    ///
    /// # Errors
    /// As for [`ClientBuilder::build`](crate::ClientBuilder::build).
    pub fn client(&self) -> crate::Result<Client> {
        Client::builder(self.key())
            .base_url(self.base_url())
            .without_pacing()
            .retry_policy(
                RetryPolicy::default()
                    .with_initial_backoff(Duration::from_millis(5))
                    .with_max_backoff(Duration::from_millis(50)),
            )
            .build()
    }

    /// A public Status API v2 client for the fake's page.
    ///
    /// # Errors
    /// As for [`PublicClient::new`].
    pub fn public_client(&self) -> crate::Result<PublicClient> {
        PublicClient::new(self.page_url())
    }

    /// How many requests the fake has received (answered, refused or faulted).
    pub fn requests_served(&self) -> u64 {
        *lock(&self.shared.requests)
    }

    // ----- seed and inspect -----

    /// Every component (without groups), in page order.
    pub fn components(&self) -> Vec<Component> {
        lock(&self.shared.state).components.clone()
    }

    /// The component with this name (case-insensitive), if any.
    pub fn component_by_name(&self, name: &str) -> Option<Component> {
        lock(&self.shared.state)
            .components
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .cloned()
    }

    /// Every component group.
    pub fn groups(&self) -> Vec<ComponentGroup> {
        lock(&self.shared.state).groups.clone()
    }

    /// Every incident and maintenance, oldest first.
    pub fn incidents(&self) -> Vec<Incident> {
        lock(&self.shared.state).incidents.clone()
    }

    /// Every subscriber, page and incident level.
    pub fn subscribers(&self) -> Vec<Subscriber> {
        lock(&self.shared.state)
            .subscribers
            .iter()
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// Every metric.
    pub fn metrics(&self) -> Vec<Metric> {
        lock(&self.shared.state).metrics.clone()
    }

    /// The data points recorded for a metric, oldest first.
    pub fn metric_points(&self, metric: impl Into<MetricId>) -> Vec<MetricPoint> {
        lock(&self.shared.state)
            .points
            .get(&metric.into())
            .cloned()
            .unwrap_or_default()
    }

    /// Adds a component, optionally into an existing group.
    ///
    /// # Errors
    /// A message when the name is blank or the group does not exist.
    pub fn add_component(
        &self,
        name: &str,
        status: ComponentStatus,
        group: Option<&ComponentGroupId>,
    ) -> Result<Component, String> {
        let mut state = lock(&self.shared.state);
        if name.trim().is_empty() || group.is_some_and(|g| !state.groups.iter().any(|x| &x.id == g))
        {
            return Err("a component needs a name and an existing group".into());
        }
        state
            .add_component(name, status, group)
            .map_err(|r| format!("{:?}", r.body))
    }

    /// Adds a group of existing components.
    ///
    /// # Errors
    /// A message when `components` is empty or names a component that does not exist.
    pub fn add_group(
        &self,
        name: &str,
        components: &[ComponentId],
    ) -> Result<ComponentGroup, String> {
        lock(&self.shared.state)
            .add_group(name, None, components)
            .map_err(|r| format!("{:?}", r.body))
    }

    /// Adds a metric that data points can be submitted to.
    ///
    /// # Errors
    /// A message when the metric cannot be built.
    pub fn add_metric(&self, name: &str, suffix: Option<&str>) -> Result<Metric, String> {
        lock(&self.shared.state)
            .add_metric(name, suffix)
            .map_err(|r| format!("{:?}", r.body))
    }

    /// Sets a component's status directly (as if changed in the web UI).
    ///
    /// # Errors
    /// A message when there is no such component.
    pub fn set_component_status(
        &self,
        id: impl Into<ComponentId>,
        status: ComponentStatus,
    ) -> Result<(), String> {
        let id = id.into();
        self.shared.changing(|state| {
            let component = state
                .components
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| format!("no component {id}"))?;
            component.status = status;
            Ok(())
        })
    }

    // ----- knobs at run time -----

    /// Changes the latency added to every request.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.knobs).latency = latency;
    }

    /// Changes the rate limit (`None`: unlimited).
    pub fn set_rate_limit(&self, requests_per_second: Option<u32>) {
        let mut knobs = lock(&self.shared.knobs);
        knobs.rate_limit = requests_per_second;
        knobs.window = None;
    }

    /// Replaces the faults and restarts their sequence from the seed.
    pub fn set_faults(&self, faults: Faults) {
        let mut knobs = lock(&self.shared.knobs);
        knobs.faults.reset(faults);
    }
}

/// What the knobs decide for one request, before it is handled.
enum Gate {
    Pass,
    RateLimited(u16),
    Fault(Fault),
}

fn gate(shared: &Shared) -> (Duration, Gate) {
    let mut knobs = lock(&shared.knobs);
    let latency = knobs.latency;
    if let Some(limit) = knobs.rate_limit {
        let now = Instant::now();
        let (start, count) = match knobs.window {
            Some((start, count)) if now.duration_since(start) < Duration::from_secs(1) => {
                (start, count)
            }
            _ => (now, 0),
        };
        if count >= limit {
            knobs.window = Some((start, count));
            return (latency, Gate::RateLimited(knobs.rate_limit_status));
        }
        knobs.window = Some((start, count + 1));
    }
    let fault = knobs.faults.draw();
    match fault {
        Fault::None => (latency, Gate::Pass),
        other => (latency, Gate::Fault(other)),
    }
}

fn respond(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match reply.body {
        Some(body) => {
            let mut response = Response::new(Body::from(body.to_string()));
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            response
        }
        None => Response::new(Body::empty()),
    };
    *response.status_mut() = status;
    response
}

fn query_map(uri: &Uri) -> HashMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

async fn dispatch(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    *lock(&shared.requests) += 1;
    let (latency, gate) = gate(&shared);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match gate {
        Gate::Pass => {}
        Gate::RateLimited(status) => {
            let mut response = respond(Reply {
                status,
                body: Some(
                    serde_json::json!({"error": "Rate limit exceeded. Please wait a moment and try again."}),
                ),
            });
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from_static("1"),
            );
            return response;
        }
        Gate::Fault(Fault::Unavailable) => {
            return respond(Reply {
                status: 503,
                body: Some(serde_json::json!({"error": "Service Unavailable"})),
            });
        }
        Gate::Fault(_) => return dropped_connection(),
    }

    let decoded: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s).trim_end_matches(".json").to_owned())
        .collect();
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();

    match segments.as_slice() {
        ["api", "v2", rest @ ..] if method == Method::GET => {
            // A scheduled maintenance that starts on time is announced too.
            let reply = shared.changing(|state| {
                state.tick(chrono::Utc::now());
                state.public(rest)
            });
            respond(reply)
        }
        ["v1", rest @ ..] => {
            let expected = format!("OAuth {}", shared.key);
            let authorized = headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == expected);
            if !authorized {
                return respond(Reply::unauthorized());
            }
            let json = if body.is_empty() {
                None
            } else {
                match serde_json::from_slice::<serde_json::Value>(&body) {
                    Ok(value) => Some(value),
                    Err(e) => return respond(Reply::bad_request(&format!("malformed JSON: {e}"))),
                }
            };
            let query = query_map(&uri);
            let reply = shared.changing(|state| {
                state.tick(chrono::Utc::now());
                state.manage(&method, rest, &query, json.as_ref())
            });
            respond(reply)
        }
        _ => respond(Reply::not_found()),
    }
}

fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| segment.to_owned())
}
