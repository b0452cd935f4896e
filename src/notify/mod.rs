//! Notifications: what Opsgenie (or JSM) and Statuspage POST to the bot, said in the rooms.
//!
//! The listener serves `POST /opsgenie/<secret>` and `POST /statuspage/<secret>` ([`routes`])
//! when `BOT_WEBHOOK_SECRET` is set, on any adapter. A delivery is checked and answered at once;
//! the [`Notifier`] then posts its line ([`format`](mod@format)) into every `BOT_NOTIFY_ROOMS` room through
//! the adapter's [`Chat`]:
//!
//! - the same delivery twice (vendors retry) is posted once: a bounded memory of recent
//!   payload keys;
//! - a burst (more than five events within ten seconds) becomes one summary listing them, so
//!   nothing is dropped and the room is not flooded;
//! - a chat that fails is retried with backoff; what could not be posted is logged with the
//!   reason and the text;
//! - the bot's own actions (their `source` is the bot's name) are not echoed unless
//!   `BOT_NOTIFY_OWN=1`.

pub mod format;
mod routes;

pub use routes::{MAX_BODY, routes};

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsgenie_client::webhook::WebhookEvent;
use statuspage_client::webhook::Notification;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::adapter::Chat;
use crate::health::Health;
use crate::lifecycle::{Lifecycle, Work};

/// How notifications are posted.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// The rooms every notification goes to (`BOT_NOTIFY_ROOMS`; ignored by the shell, which
    /// prints).
    pub rooms: Vec<u64>,
    /// Echo the bot's own actions too (`BOT_NOTIFY_OWN=1`).
    pub own: bool,
    /// The `source` the bot sends its requests with (its name): how its own actions are known.
    pub bot_source: String,
    /// The Opsgenie (or JSM) web application's URL (`OPSGENIE_APP_URL`), for links to alerts.
    pub app_url: Option<String>,
    /// The team's own Statuspage page (`STATUSPAGE_PAGE_ID`); other pages are named.
    pub page_id: Option<String>,
    /// More than this many events within [`burst_window`](Self::burst_window) is a burst
    /// (default 5).
    pub burst_limit: usize,
    /// The burst window, and how long a burst collects events before its summary (default 10 s).
    pub burst_window: Duration,
    /// How many times one post is tried before it is given up (default 6).
    pub post_attempts: u32,
    /// The wait after the first failed post, doubled for each further one (default 500 ms).
    pub post_backoff: Duration,
    /// The longest wait between two tries (default 30 s).
    pub post_backoff_max: Duration,
    /// How many recent payload keys are remembered to drop duplicates (default 1024).
    pub dedupe_capacity: usize,
}

impl NotifySettings {
    /// The defaults, posting into `rooms`, knowing the bot's own actions by `bot_source`.
    pub fn new(rooms: Vec<u64>, bot_source: impl Into<String>) -> Self {
        NotifySettings {
            rooms,
            own: false,
            bot_source: bot_source.into(),
            app_url: None,
            page_id: None,
            burst_limit: 5,
            burst_window: Duration::from_secs(10),
            post_attempts: 6,
            post_backoff: Duration::from_millis(500),
            post_backoff_max: Duration::from_secs(30),
            dedupe_capacity: 1024,
        }
    }
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Queued for the rooms.
    Queued,
    /// Already seen (a vendor's retry): not posted again.
    Duplicate,
    /// Not said in the rooms, and why (the bot's own action, an action the room does not
    /// need).
    Skipped(&'static str),
}

/// A bounded memory of recent payload keys.
#[derive(Debug)]
struct Seen {
    order: VecDeque<(char, u64)>,
    keys: HashSet<(char, u64)>,
    capacity: usize,
}

impl Seen {
    /// `true` the first time a key is seen (while it is remembered).
    fn first(&mut self, key: (char, u64)) -> bool {
        if !self.keys.insert(key) {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > self.capacity.max(1) {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        true
    }
}

/// One line waiting to be posted; the bot does not stop before it is posted or given up.
struct Queued {
    text: String,
    _work: Work,
}

/// Takes decoded deliveries and posts their lines (see the [module docs](self)).
#[derive(Debug)]
pub struct Notifier {
    settings: NotifySettings,
    seen: Mutex<Seen>,
    queue: mpsc::UnboundedSender<Queued>,
    lifecycle: Lifecycle,
}

impl Notifier {
    /// Starts posting through `chat` (on the current tokio runtime) and returns the notifier.
    pub fn start(
        chat: Chat,
        settings: NotifySettings,
        health: Arc<Health>,
        lifecycle: Lifecycle,
    ) -> Arc<Notifier> {
        let (queue, rx) = mpsc::unbounded_channel();
        let notifier = Arc::new(Notifier {
            seen: Mutex::new(Seen {
                order: VecDeque::new(),
                keys: HashSet::new(),
                capacity: settings.dedupe_capacity,
            }),
            settings: settings.clone(),
            queue,
            lifecycle,
        });
        tokio::spawn(
            Poster {
                chat,
                settings,
                health,
            }
            .run(rx),
        );
        notifier
    }

    /// The settings.
    pub fn settings(&self) -> &NotifySettings {
        &self.settings
    }

    /// Takes an alert action delivery (Opsgenie or JSM).
    pub fn alert(&self, event: &WebhookEvent) -> Accepted {
        if !self.settings.own && event.is_from_source(&self.settings.bot_source) {
            return Accepted::Skipped("the bot's own action");
        }
        let Some(line) = format::alert_line(event, self.settings.app_url.as_deref()) else {
            return Accepted::Skipped("an action the room does not need");
        };
        self.queue(('o', event.dedup_key()), line)
    }

    /// Takes a Statuspage subscriber notification.
    pub fn status(&self, notification: &Notification) -> Accepted {
        let line = format::status_line(notification, self.settings.page_id.as_deref());
        self.queue(('s', notification.dedup_key()), line)
    }

    fn queue(&self, key: (char, u64), text: String) -> Accepted {
        if !self
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .first(key)
        {
            return Accepted::Duplicate;
        }
        let queued = Queued {
            text,
            _work: self.lifecycle.begin(),
        };
        if let Err(mpsc::error::SendError(lost)) = self.queue.send(queued) {
            tracing::error!(notification = %lost.text, "could not post a notification: the poster has stopped");
        }
        Accepted::Queued
    }
}

/// Posts queued lines in order, a burst as one summary.
struct Poster {
    chat: Chat,
    settings: NotifySettings,
    health: Arc<Health>,
}

impl Poster {
    async fn run(self, mut rx: mpsc::UnboundedReceiver<Queued>) {
        let window = self.settings.burst_window;
        let mut recent: VecDeque<Instant> = VecDeque::new();
        let mut burst: Vec<Queued> = Vec::new();
        let mut burst_ends: Option<Instant> = None;
        loop {
            let next = tokio::select! {
                item = rx.recv() => item,
                () = sleep_until(burst_ends) => {
                    self.post_summary(std::mem::take(&mut burst)).await;
                    burst_ends = None;
                    continue;
                }
            };
            let Some(item) = next else {
                // Every notifier is gone: post what a burst still holds, then end.
                self.post_summary(std::mem::take(&mut burst)).await;
                return;
            };
            let now = Instant::now();
            while recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                recent.pop_front();
            }
            recent.push_back(now);
            if burst_ends.is_some() || recent.len() > self.settings.burst_limit {
                burst_ends.get_or_insert(now + window);
                burst.push(item);
            } else {
                self.post(&item.text).await;
            }
        }
    }

    async fn post_summary(&self, items: Vec<Queued>) {
        match items.as_slice() {
            [] => {}
            [one] => self.post(&one.text).await,
            many => {
                let mut text = format!("{} notifications in a burst:", many.len());
                for item in many {
                    text.push_str("\n- ");
                    text.push_str(&item.text);
                }
                self.post(&text).await;
            }
        }
    }

    /// Posts into every room (once on the shell), each retried with backoff; what cannot be
    /// posted is logged with the reason.
    async fn post(&self, text: &str) {
        let rooms: Vec<u64> = match self.chat {
            Chat::Shell => vec![0],
            _ => self.settings.rooms.clone(),
        };
        if rooms.is_empty() {
            tracing::error!(notification = %text, "could not post a notification: BOT_NOTIFY_ROOMS names no room");
        }
        for room in rooms {
            let mut wait = self.settings.post_backoff;
            let attempts = self.settings.post_attempts.max(1);
            for attempt in 1..=attempts {
                match self.chat.post(room, text, &self.health).await {
                    Ok(()) => break,
                    Err(reason) if attempt == attempts => {
                        tracing::error!(room, attempts, reason = %reason, notification = %text, "could not post a notification; giving up");
                    }
                    Err(reason) => {
                        tracing::warn!(room, attempt, reason = %reason, "posting a notification failed; retrying");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(self.settings.post_backoff_max);
                    }
                }
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_keys_are_bounded_and_forget_the_oldest() {
        let mut seen = Seen {
            order: VecDeque::new(),
            keys: HashSet::new(),
            capacity: 2,
        };
        assert!(seen.first(('o', 1)));
        assert!(!seen.first(('o', 1)));
        assert!(seen.first(('s', 1)));
        assert!(seen.first(('o', 2)));
        assert_eq!(seen.keys.len(), 2);
        // 1 was forgotten: it counts as new again.
        assert!(seen.first(('o', 1)));
    }
}
