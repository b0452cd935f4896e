//! The current, self-hosted Campfire (`once-campfire`): a bot posts with its bot key and hears commands
//! through an outgoing webhook.
//!
//! ```no_run
//! use campfire_client::once::BotClient;
//!
//! # async fn run() -> campfire_client::Result<()> {
//! let bot = BotClient::new("https://chat.example.com", "12-Xy7Qa9LmPz3K")?;
//! let posted = bot.post_text(7, "Deploy finished <api> & <web>").await?;
//! println!("posted message {:?}", posted.id);
//! # Ok(())
//! # }
//! ```

mod key;
mod messages;
mod webhook;

use std::sync::Arc;

use reqwest::Method;
use url::Url;

use crate::client::{Auth, Core, Request, Response, Secrets, join_segments, parse_base_url};
use crate::error::{Error, Result};
use crate::ids::RoomId;

pub use key::BotKey;
pub use messages::{
    Boost, BoostedMessage, Creator, ListMessages, Message, MessageBody, MessagesPage, PageCursor,
    PostedMessage, Role, RoomRef,
};
pub use webhook::{
    Reply, RoomPath, WebhookBody, WebhookEvent, WebhookMessage, WebhookRoom, WebhookUser,
};

/// A client for one bot on one Campfire server. Cheap to clone (one `Arc` inside), `Send + Sync`.
///
/// The bot key sits in the URL path of every call (that is how Campfire authenticates bots), so this client
/// strips URLs from every error and never logs one; its `Debug` shows the bot's user id only.
#[derive(Clone)]
pub struct BotClient {
    inner: Arc<Inner>,
}

struct Inner {
    core: Core,
    base: Url,
    key: BotKey,
}

impl std::fmt::Debug for BotClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotClient")
            .field("base_url", &self.inner.base.as_str())
            .field("key", &self.inner.key)
            .finish_non_exhaustive()
    }
}

impl BotClient {
    /// A client with the default options for the server at `base_url` and the bot key
    /// `"{user_id}-{token}"` (shown on the bot's settings page).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the URL or the key is malformed; nothing is sent.
    ///
    /// ```no_run
    /// # fn run() -> campfire_client::Result<()> {
    /// let bot = campfire_client::once::BotClient::new("https://chat.example.com", "12-Xy7Qa9LmPz3K")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(base_url: &str, bot_key: &str) -> Result<Self> {
        Self::builder(base_url, bot_key).build()
    }

    /// A builder for every other option.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # fn run() -> campfire_client::Result<()> {
    /// let bot = campfire_client::once::BotClient::builder("https://chat.example.com", "12-Xy7Qa9LmPz3K")
    ///     .timeout(Duration::from_secs(5))
    ///     .user_agent("opsbot/1.0 (ops@example.com)")
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(base_url: &str, bot_key: &str) -> BotClientBuilder {
        BotClientBuilder {
            base_url: base_url.to_owned(),
            key: BotKey::parse(bot_key),
            config: crate::client::default_config(default_user_agent()),
        }
    }

    /// A client for the bot whose key is in a webhook's `room.path` (for a bot that learns its key from the
    /// webhook instead of its configuration).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the URL or the path is malformed.
    ///
    /// ```no_run
    /// use campfire_client::once::{BotClient, WebhookEvent};
    /// # async fn run(body: &[u8]) -> campfire_client::Result<()> {
    /// let event = WebhookEvent::from_json(body)?;
    /// let bot = BotClient::from_room_path("https://chat.example.com", &event.room.path)?;
    /// bot.post_text(event.room.id, "on it").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_room_path(base_url: &str, path: &RoomPath) -> Result<Self> {
        BotClientBuilder {
            base_url: base_url.to_owned(),
            key: path.bot_key(),
            config: crate::client::default_config(default_user_agent()),
        }
        .build()
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The bot key (its `Debug` is redacted).
    pub fn key(&self) -> &BotKey {
        &self.inner.key
    }

    /// `{base}/rooms/{room}/{key}/{extra...}`.
    fn room_url(&self, room: RoomId, extra: &[&str]) -> Result<Url> {
        let room = room.to_string();
        let key = self.inner.key.expose();
        let mut segments: Vec<&str> = vec!["rooms", room.as_str(), key.as_str()];
        segments.extend_from_slice(extra);
        join_segments(&self.inner.base, &segments)
    }

    /// Sends a request and maps the statuses every bot call shares. `not_found` names the operation and what
    /// a 404 means it could not find, for the calls whose 404 is [`Error::NotFound`].
    async fn send(&self, request: Request, not_found: Option<NotFound>) -> Result<Response> {
        let response = self.inner.core.execute(request).await?;
        self.check(response, not_found)
    }

    /// A redirect (to `/session/new`) is a rejected key; a 404 is [`Error::NotFound`] for the calls that name
    /// what they look up, [`Error::Api`] for the others.
    fn check(&self, response: Response, not_found: Option<NotFound>) -> Result<Response> {
        if response.final_path.ends_with("/session/new") {
            return Err(rejected_key());
        }
        match response.status {
            200..=299 => Ok(response),
            300..=399 => {
                let to_login = response
                    .header("location")
                    .is_none_or(|l| l.contains("/session"));
                if to_login {
                    Err(rejected_key())
                } else {
                    Err(Error::UnexpectedResponse {
                        status: response.status,
                        reason: "redirect that is not to the login page".into(),
                    })
                }
            }
            404 => match not_found {
                Some(NotFound { operation, what }) => Err(Error::NotFound { operation, what }),
                None => Err(response.api_error()),
            },
            _ => Err(response.api_error()),
        }
    }
}

/// What a call's 404 means: see [`Error::NotFound`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct NotFound {
    pub(crate) operation: &'static str,
    pub(crate) what: &'static str,
}

fn rejected_key() -> Error {
    Error::Authentication {
        reason: "the bot key was rejected (redirect to /session/new)".into(),
    }
}

fn default_user_agent() -> String {
    format!(
        "{}/{} (+{})",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// Builds a [`BotClient`].
///
/// The setters every SDK of the workspace shares (`timeout`, `user_agent`, `http_client`, `retry_policy`,
/// `max_response_bytes`) come from `opsbot-http`. The default user agent is
/// `campfire-client/<version> (+<repository>)`. A caller-supplied `reqwest::Client` should not follow
/// redirects; a followed redirect to `/session/new` is still reported as a rejected key.
#[derive(Debug)]
#[must_use]
pub struct BotClientBuilder {
    base_url: String,
    key: Result<BotKey>,
    config: opsbot_http::Config,
}

impl BotClientBuilder {
    /// Replaces the server's base URL.
    pub fn base_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.base_url);
        self
    }

    opsbot_http::transport_setters!(config);

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed base URL, bot key or user agent;
    /// [`Error::Transport`] when the HTTP client cannot be created.
    pub fn build(self) -> Result<BotClient> {
        let key = self.key?;
        let base = parse_base_url("base_url", &self.base_url)?;
        let secrets = Secrets::new([key.expose(), key.token().to_owned()]);
        let core = Core::new(
            &base,
            self.config,
            Auth::InPath,
            false,
            secrets.clone(),
            secrets,
        )?;
        Ok(BotClient {
            inner: Arc::new(Inner { core, base, key }),
        })
    }
}

pub(crate) fn request(method: Method, url: Url, template: &'static str) -> Request {
    Request::new(method, url, template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<BotClient>();
    }

    #[test]
    fn debug_hides_the_key() {
        let bot = BotClient::new("https://chat.example.com", "12-FakeToken0001");
        let text = format!("{bot:?}");
        assert!(text.contains("BotClient"), "{text}");
        assert!(!text.contains("FakeToken0001"), "{text}");
    }

    #[test]
    fn malformed_input_is_rejected() {
        assert!(matches!(
            BotClient::new("https://chat.example.com", "nonsense"),
            Err(Error::InvalidInput {
                field: "bot_key",
                ..
            })
        ));
        assert!(matches!(
            BotClient::new("not a url", "12-FakeToken0001"),
            Err(Error::InvalidInput {
                field: "base_url",
                ..
            })
        ));
    }
}
