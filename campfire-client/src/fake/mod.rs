//! An in-process fake Campfire (feature `fake`) for testing automation built on this crate: both generations on
//! one loopback server, stateful, as strict as the real service, with latency, rate limits and seeded faults.
//!
//! ```no_run
//! use campfire_client::fake::FakeCampfire;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeCampfire::start().await?;
//! let ops = fake.room_id("Ops").ok_or("no Ops room")?;
//!
//! // The current Campfire: the bot posts, a user speaks to it through the webhook.
//! let bot = fake.bot_client()?;
//! bot.post_text(ops, "Deploy finished").await?;
//! assert_eq!(fake.messages(ops).last().map(|m| m.plain.as_str()), Some("Deploy finished"));
//!
//! // Campfire classic on the same server.
//! let classic = fake.classic_client()?;
//! classic.join(ops).await?;
//! classic.speak(ops, "hello").await?;
//! # Ok(())
//! # }
//! ```

mod classic;
mod http_util;
mod once;
mod state;

use http_util::Reply;
use opsbot_http::fake::{Fault, FaultGate};

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, Uri};
use tokio::sync::{broadcast, watch};
use url::Url;

use crate::ids::{BoostId, MessageId, RoomId, UserId};
use crate::mention::{MENTION_CONTENT_TYPE, escape_html, text_to_html};

pub use state::{FakeAttachment, FakeBoost, FakeMessage, FakeRoom, FakeUser};

use state::State;

/// How long Campfire waits for a bot's webhook answer.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(7);

/// Seeded faults (`opsbot-http`'s, shared by every fake of the workspace): the same seed and the same requests
/// give the same fault sequence. `error_503` answers 503, `drop_connection` breaks the connection after the
/// headers, `stream_cut` cuts a classic live stream in the middle of a message, `stream_stall` makes it go
/// silent (no message, no keep-alive) until the client hangs up.
pub use opsbot_http::fake::Faults;

/// What happened when a user said something ([`FakeCampfire::say`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SayOutcome {
    /// The message the user posted.
    pub message: MessageId,
    /// Whether the webhook was called (the bot was mentioned or the room is direct, and a URL is registered).
    pub delivered: bool,
    /// The message the bot's answer became (text, HTML, attachment or the timeout notice), if any.
    pub reply: Option<FakeMessage>,
}

struct Knobs {
    latency: Duration,
    rate_limit: Option<u32>,
    window: (Instant, u32),
    gate: FaultGate,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    knobs: Mutex<Knobs>,
    base_url: Url,
    bot_user: UserId,
    bot_key: String,
    api_token: String,
    /// Requests answered (every request, whatever the answer).
    served: AtomicU64,
    webhook_url: Mutex<Option<Url>>,
    webhook_timeout: Duration,
    keep_alive: Duration,
    live: broadcast::Sender<(RoomId, MessageId)>,
    closed: watch::Receiver<bool>,
    http: reqwest::Client,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Stores a message and tells the live streams.
    pub(crate) fn post(
        &self,
        room: RoomId,
        user: Option<UserId>,
        kind: crate::classic::MessageType,
        html: String,
        plain: String,
        attachment: Option<FakeAttachment>,
    ) -> FakeMessage {
        let message = self
            .state()
            .push_message(room, user, kind, html, plain, attachment);
        let _ = self.live.send((room, message.id));
        message
    }

    /// A draw from the seeded fault sequence.
    pub(crate) fn roll(&self, probability: f64) -> bool {
        if probability <= 0.0 {
            return false;
        }
        lock(&self.knobs).gate.chance(probability)
    }

    pub(crate) fn stream_cut_probability(&self) -> f64 {
        lock(&self.knobs).gate.faults().stream_cut
    }

    pub(crate) fn stream_stall_probability(&self) -> f64 {
        lock(&self.knobs).gate.faults().stream_stall
    }
}

/// An in-process fake Campfire on loopback. Stops when dropped.
///
/// One server speaks both generations: the current bot API (`/rooms/{id}/{bot_key}/messages...`) and classic
/// (`/rooms.json`, `/room/{id}/speak.json`, `/room/{id}/live.json`, ...; the classic token belongs to the bot user).
/// The demo data has the users Ada Example (administrator), Grace Example and Opsbot (the bot), and the rooms
/// Ops and Dev.
pub struct FakeCampfire {
    shared: Arc<Shared>,
    addr: SocketAddr,
    close: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FakeCampfire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCampfire")
            .field("base_url", &self.shared.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Drop for FakeCampfire {
    fn drop(&mut self) {
        let _ = self.close.send(true);
        self.task.abort();
    }
}

/// Builds a [`FakeCampfire`].
#[derive(Debug, Clone)]
#[must_use]
pub struct FakeCampfireBuilder {
    addr: SocketAddr,
    demo_data: bool,
    key: Option<String>,
    api_token: Option<String>,
    latency: Duration,
    rate_limit: Option<u32>,
    faults: Faults,
    webhook_timeout: Duration,
    keep_alive: Duration,
}

impl Default for FakeCampfireBuilder {
    fn default() -> Self {
        FakeCampfireBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo_data: true,
            key: None,
            api_token: None,
            latency: Duration::ZERO,
            rate_limit: None,
            faults: Faults::default(),
            webhook_timeout: WEBHOOK_TIMEOUT,
            keep_alive: Duration::from_secs(3),
        }
    }
}

fn random_token(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(len)
        .collect()
}

impl FakeCampfireBuilder {
    /// Listens on this address (default `127.0.0.1:0`, an ephemeral port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Starts without the demo users and rooms (the bot user is always there).
    pub fn without_demo_data(mut self) -> Self {
        self.demo_data = false;
        self
    }

    /// Uses this bot key, `"{user_id}-{token}"` (the bot user gets that id), instead of a random token.
    /// A malformed key makes [`FakeCampfireBuilder::start`] fail.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Uses this classic API token instead of a random one.
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.api_token = Some(token.into());
        self
    }

    /// Adds this delay before every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answers more than this many requests per second with 429 (current) or 503 (classic), with `Retry-After`.
    pub fn rate_limit(mut self, requests_per_second: u32) -> Self {
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// Seeded faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// How long the webhook may take (default 7 s, as Campfire).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// How often live streams send a keep-alive (default 3 s).
    pub fn keep_alive_interval(mut self, interval: Duration) -> Self {
        self.keep_alive = interval;
        self
    }

    /// Starts the server.
    ///
    /// # Errors
    /// The address cannot be bound, or a token is malformed.
    pub async fn start(self) -> std::io::Result<FakeCampfire> {
        let invalid =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what.to_owned());
        let key = match &self.key {
            Some(raw) => Some(
                crate::once::BotKey::parse(raw)
                    .map_err(|_| invalid("the bot key must be \"{user_id}-{token}\""))?,
            ),
            None => None,
        };
        let api_token = self.api_token.unwrap_or_else(|| random_token(40));
        if api_token.is_empty() || api_token.contains([':', '\r', '\n']) {
            return Err(invalid("the API token must be non-empty, without colons"));
        }
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let base_url = Url::parse(&format!("http://{addr}"))
            .map_err(|_| invalid("cannot build the base URL"))?;

        let mut state = State::new();
        // The bot is the user the key names, or the next user after the demo users.
        let add_bot = |state: &mut State| match &key {
            Some(key) => {
                state.add_user_with_id(key.user_id(), "Opsbot", "bot");
                key.user_id()
            }
            None => state.add_user("Opsbot", "bot"),
        };
        let (bot_user, demo_users) = if self.demo_data {
            let bot = key.as_ref().map(|_| add_bot(&mut state));
            let ada = state.add_user("Ada Example", "administrator");
            let grace = state.add_user("Grace Example", "member");
            let bot = bot.unwrap_or_else(|| add_bot(&mut state));
            (bot, vec![ada, grace, bot])
        } else {
            let bot = add_bot(&mut state);
            (bot, vec![bot])
        };
        let bot_key = match &key {
            Some(key) => format!("{}-{}", key.user_id(), key.token()),
            None => format!("{bot_user}-{}", random_token(12)),
        };
        if self.demo_data {
            let ops = state.add_room(Some("Ops"), demo_users.clone());
            let dev = state.add_room(Some("Dev"), demo_users.clone());
            if let Some(room) = state.rooms.get_mut(&ops) {
                room.topic = Some("Pager, status page, deploys".into());
            }
            if let Some(room) = state.rooms.get_mut(&dev) {
                room.topic = Some("Builds and code review".into());
            }
            let ada = demo_users.first().copied();
            for text in [
                "Morning! Deploying api v2 at 10:00",
                "Build Processing is slow again",
            ] {
                state.push_message(
                    ops,
                    ada,
                    crate::classic::MessageType::Text,
                    text_to_html(text),
                    text.to_owned(),
                    None,
                );
            }
        }

        let (live, _) = broadcast::channel(1024);
        let (close, closed) = watch::channel(false);
        let http = opsbot_http::http_client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.webhook_timeout)
            .timeout(self.webhook_timeout)
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            knobs: Mutex::new(Knobs {
                latency: self.latency,
                rate_limit: self.rate_limit,
                window: (Instant::now(), 0),
                gate: FaultGate::new(self.faults),
            }),
            bot_key,
            served: AtomicU64::new(0),
            bot_user,
            api_token,
            base_url,
            webhook_url: Mutex::new(None),
            webhook_timeout: self.webhook_timeout,
            keep_alive: self.keep_alive,
            live,
            closed,
            http,
        });
        let router = axum::Router::new()
            .fallback(dispatch)
            .with_state(shared.clone());
        let mut shutdown = close.subscribe();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.wait_for(|closed| *closed).await;
                })
                .await;
        });
        Ok(FakeCampfire {
            shared,
            addr,
            close,
            task,
        })
    }
}

impl FakeCampfire {
    /// Starts a fake with the demo data on an ephemeral loopback port.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        FakeCampfireBuilder::default().start().await
    }

    /// A builder for the knobs.
    pub fn builder() -> FakeCampfireBuilder {
        FakeCampfireBuilder::default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL (both generations, and the classic streaming host).
    pub fn base_url(&self) -> &Url {
        &self.shared.base_url
    }

    /// The valid bot key, `"{user_id}-{token}"`.
    pub fn key(&self) -> &str {
        &self.shared.bot_key
    }

    /// How many requests the fake has answered so far (both generations, faults and refusals included).
    pub fn requests_served(&self) -> u64 {
        self.shared.served.load(Ordering::SeqCst)
    }

    /// The bot's user id.
    pub fn bot_user_id(&self) -> UserId {
        self.shared.bot_user
    }

    /// The valid classic API token (it belongs to the bot user).
    pub fn api_token(&self) -> &str {
        &self.shared.api_token
    }

    /// A [`crate::once::BotClient`] for this fake.
    ///
    /// # Errors
    /// As [`crate::once::BotClient::new`].
    pub fn bot_client(&self) -> crate::Result<crate::once::BotClient> {
        crate::once::BotClient::new(self.shared.base_url.as_str(), &self.shared.bot_key)
    }

    /// A [`crate::classic::Client`] for this fake, streaming from it too.
    ///
    /// # Errors
    /// As [`crate::classic::Client::new`].
    pub fn classic_client(&self) -> crate::Result<crate::classic::Client> {
        crate::classic::Client::builder(self.shared.base_url.as_str(), &self.shared.api_token)
            .streaming_url(self.shared.base_url.as_str())
            .build()
    }

    /// Registers the bot's webhook URL (`None` removes it).
    pub fn set_webhook_url(&self, url: Option<Url>) {
        *lock(&self.shared.webhook_url) = url;
    }

    /// Changes the added latency.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.knobs).latency = latency;
    }

    /// Changes the rate limit (`None`: unlimited).
    pub fn set_rate_limit(&self, requests_per_second: Option<u32>) {
        let mut knobs = lock(&self.shared.knobs);
        knobs.rate_limit = requests_per_second;
        knobs.window = (Instant::now(), 0);
    }

    /// Replaces the faults and restarts their sequence from the seed.
    pub fn set_faults(&self, faults: Faults) {
        let mut knobs = lock(&self.shared.knobs);
        knobs.gate.reset(faults);
    }

    /// Adds a user (role `member`, `administrator` or `bot`).
    pub fn add_user(&self, name: &str, role: &str) -> UserId {
        self.shared.state().add_user(name, role)
    }

    /// Adds a room with every user in it.
    pub fn add_room(&self, name: &str) -> RoomId {
        let mut state = self.shared.state();
        let members = state.users.keys().copied().collect();
        state.add_room(Some(name), members)
    }

    /// Adds a direct room (no name) between a user and the bot.
    pub fn add_direct_room(&self, user: impl Into<UserId>) -> RoomId {
        let user = user.into();
        let bot = self.shared.bot_user;
        self.shared.state().add_room(None, vec![user, bot])
    }

    /// Removes the bot from a room (posting there then answers 404).
    pub fn remove_bot_from_room(&self, room: impl Into<RoomId>) {
        let room = room.into();
        let bot = self.shared.bot_user;
        if let Some(room) = self.shared.state().rooms.get_mut(&room) {
            room.members.retain(|m| *m != bot);
        }
    }

    /// The id of the room with this name.
    pub fn room_id(&self, name: &str) -> Option<RoomId> {
        self.shared
            .state()
            .rooms
            .values()
            .find(|r| r.name.as_deref() == Some(name))
            .map(|r| r.id)
    }

    /// The id of the user with this name.
    pub fn user_id(&self, name: &str) -> Option<UserId> {
        self.shared
            .state()
            .users
            .values()
            .find(|u| u.name == name)
            .map(|u| u.id)
    }

    /// Every room.
    pub fn rooms(&self) -> Vec<FakeRoom> {
        self.shared.state().rooms.values().cloned().collect()
    }

    /// The messages of a room, oldest first.
    pub fn messages(&self, room: impl Into<RoomId>) -> Vec<FakeMessage> {
        let room = room.into();
        self.shared
            .state()
            .room_messages(room)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Stores a message from a user without any webhook (seeding; classic streams see it).
    pub fn seed_message(
        &self,
        room: impl Into<RoomId>,
        user: impl Into<UserId>,
        text: &str,
    ) -> MessageId {
        let (room, user) = (room.into(), user.into());
        self.shared
            .post(
                room,
                Some(user),
                crate::classic::MessageType::Text,
                text_to_html(text),
                text.trim().to_owned(),
                None,
            )
            .id
    }

    /// Stores a boost from a user on a message (seeding; `None` when there is no such message).
    pub fn seed_boost(
        &self,
        message: impl Into<MessageId>,
        user: impl Into<UserId>,
        content: &str,
    ) -> Option<BoostId> {
        let (message, user) = (message.into(), user.into());
        let mut state = self.shared.state();
        let id = state.next_boost_id();
        let stored = state.message_mut(message)?;
        stored.boosts.push(FakeBoost {
            id,
            content: content.to_owned(),
            booster: user,
            created_at: chrono::Utc::now(),
        });
        Some(id)
    }

    /// A user says something in a room, as the Campfire web app would post it. When the text mentions the bot
    /// (`@Opsbot`) or the room is direct, and a webhook URL is registered, the webhook gets the real payload
    /// (waiting up to the webhook timeout) and its answer is posted exactly as Campfire does: a 200 `text/plain`
    /// or `text/html` answer becomes a message from the bot, any other content type an attachment, no content
    /// type nothing; a timeout posts "Failed to respond within 7 seconds".
    pub async fn say(
        &self,
        room: impl Into<RoomId>,
        user: impl Into<UserId>,
        text: &str,
    ) -> SayOutcome {
        let (room, user) = (room.into(), user.into());
        let (html, plain, mentioned, direct, room_name, bot_name) = {
            let state = self.shared.state();
            let bot = state.users.get(&self.shared.bot_user);
            let bot_name = bot.map(|b| b.name.clone()).unwrap_or_default();
            let sgid = format!("fake-sgid-user-{}", self.shared.bot_user);
            let needle = format!("@{bot_name}");
            let mentioned =
                !bot_name.is_empty() && text.to_lowercase().contains(&needle.to_lowercase());
            let html = if mentioned {
                let mention = format!(
                    "<action-text-attachment sgid=\"{sgid}\" content-type=\"{MENTION_CONTENT_TYPE}\" content=\"{}\"></action-text-attachment>",
                    escape_html(&format!("<span class=\"mention\">{needle}</span>"))
                );
                mention_markup(text, &needle, &mention)
            } else {
                text_to_html(text)
            };
            let plain = crate::mention::strip_mention(text, &bot_name);
            let room_info = state.rooms.get(&room);
            let direct = room_info.is_some_and(|r| r.name.is_none());
            let room_name = room_info.and_then(|r| r.name.clone());
            (html, plain, mentioned, direct, room_name, bot_name)
        };
        let _ = bot_name;
        let message = self.shared.post(
            room,
            Some(user),
            crate::classic::MessageType::Text,
            html.clone(),
            text.trim().to_owned(),
            None,
        );
        let webhook = lock(&self.shared.webhook_url).clone();
        // Campfire never calls a bot for its own messages.
        let from_bot = user == self.shared.bot_user;
        let Some(webhook) = webhook.filter(|_| (mentioned || direct) && !from_bot) else {
            return SayOutcome {
                message: message.id,
                delivered: false,
                reply: None,
            };
        };
        let user_name = self.shared.state().user_name(Some(user));
        // `Webhook#payload` (app/models/webhook.rb): user, room and message, nothing else.
        let payload = serde_json::json!({
            "user": { "id": user, "name": user_name },
            "room": { "id": room, "name": room_name, "path": format!("/rooms/{room}/{}/messages", self.shared.bot_key) },
            "message": { "id": message.id, "body": { "html": html, "plain": plain }, "path": format!("/rooms/{room}/@{}", message.id) },
        });
        let reply = once::deliver_webhook(&self.shared, webhook, room, payload).await;
        SayOutcome {
            message: message.id,
            delivered: true,
            reply,
        }
    }
}

/// The HTML of `text` with every `needle` (the bot's `@Name`, any case) replaced by the mention markup.
fn mention_markup(text: &str, needle: &str, mention: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    if lower_text.len() != text.len() || lower_needle.is_empty() {
        return text_to_html(text).replace(&escape_html(needle), mention);
    }
    let mut html = String::new();
    let mut rest = 0;
    for (start, _) in lower_text.match_indices(&lower_needle) {
        if start < rest {
            continue;
        }
        html.push_str(&text_to_html(text.get(rest..start).unwrap_or_default()));
        html.push_str(mention);
        rest = start + lower_needle.len();
    }
    html.push_str(&text_to_html(text.get(rest..).unwrap_or_default()));
    html
}

/// Every request: latency, rate limit, faults, then the route.
async fn dispatch(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    shared.served.fetch_add(1, Ordering::SeqCst);
    let segments: Vec<String> = uri
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let is_once = segments.first().map(String::as_str) == Some("rooms") && segments.len() >= 4;
    let (latency, limited, fault) = {
        let mut knobs = lock(&shared.knobs);
        let latency = knobs.latency;
        let limited = match knobs.rate_limit {
            Some(limit) => {
                let now = Instant::now();
                if now.duration_since(knobs.window.0) >= Duration::from_secs(1) {
                    knobs.window = (now, 0);
                }
                knobs.window.1 += 1;
                knobs.window.1 > limit
            }
            None => false,
        };
        let fault = if limited {
            Fault::None
        } else {
            knobs.gate.draw()
        };
        (latency, limited, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if limited {
        return http_util::rate_limited(if is_once { 429 } else { 503 });
    }
    match fault {
        Fault::Unavailable => return http_util::status(503),
        Fault::Drop => return opsbot_http::fake::dropped_connection(),
        _ => {}
    }
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if is_once {
        once::handle(&shared, &method, &segments, &query, &headers, body).await
    } else {
        classic::handle(&shared, &method, &segments, &query, &headers, body).await
    }
}
