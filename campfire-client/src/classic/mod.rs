//! Campfire classic (`{subdomain}.campfirenow.com`): token auth, rooms, speaking, transcripts, uploads, and a
//! streaming API that this client makes lossless.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use campfire_client::classic::Client;
//!
//! # async fn run() -> campfire_client::Result<()> {
//! let campfire = Client::new("https://acme.campfirenow.com", "fake-api-token")?;
//! let me = campfire.me().await?;
//! campfire.join(1001).await?;
//! campfire.speak(1001, "Opsbot is here").await?;
//! let mut live = campfire.stream(1001);
//! while let Some(message) = live.next().await {
//!     let message = message?;
//!     if message.user_id != Some(me.id) {
//!         println!("{:?}: {:?}", message.user_id, message.body);
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod account;
mod decoder;
mod live;
mod messages;
mod rooms;
pub(crate) mod time;
mod uploads;
mod users;

use std::sync::Arc;

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::{
    Auth, Body, Core, Request, Response, Secret, Secrets, join_segments, parse_base_url,
};
use crate::error::{Error, Result};

pub use account::Account;
pub use decoder::{StreamDecoder, StreamEvent};
pub use live::RoomStream;
pub use messages::{Message, MessageType, NewMessage, Recent};
pub use rooms::{Room, RoomUpdate};
pub use uploads::Upload;
pub use users::{ApiToken, User, UserType};

/// The default streaming host.
pub const DEFAULT_STREAMING_URL: &str = "https://streaming.campfirenow.com";

/// A client for one classic Campfire account. Cheap to clone (one `Arc` inside), `Send + Sync`.
///
/// Authenticates with HTTP Basic, the API token as user and `X` as password. The token never appears in
/// `Debug`, errors or logs.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    core: Core,
    base: Url,
    streaming: Url,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("account_url", &self.inner.base.as_str())
            .field("streaming_url", &self.inner.streaming.as_str())
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the default options for the account at `account_url`
    /// (`https://{subdomain}.campfirenow.com`) and an API token (from "My info").
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed URL or an empty token.
    ///
    /// ```no_run
    /// # fn run() -> campfire_client::Result<()> {
    /// let campfire = campfire_client::classic::Client::new("https://acme.campfirenow.com", "fake-api-token")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(account_url: &str, token: &str) -> Result<Self> {
        Self::builder(account_url, token).build()
    }

    /// A builder for every other option.
    ///
    /// ```no_run
    /// # fn run() -> campfire_client::Result<()> {
    /// let campfire = campfire_client::classic::Client::builder("https://acme.campfirenow.com", "fake-api-token")
    ///     .user_agent("opsbot/1.0 (ops@example.com)")
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(account_url: &str, token: &str) -> ClientBuilder {
        ClientBuilder {
            base_url: account_url.to_owned(),
            streaming_url: DEFAULT_STREAMING_URL.to_owned(),
            token: Secret::new(token.trim()),
            config: crate::client::default_config(default_user_agent()),
        }
    }

    /// The account URL.
    pub fn account_url(&self) -> &Url {
        &self.inner.base
    }

    /// The streaming host.
    pub fn streaming_url(&self) -> &Url {
        &self.inner.streaming
    }

    pub(crate) fn core(&self) -> &Core {
        &self.inner.core
    }

    /// `{base}/{segments...}`; the last segment gets `.json`.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        json_url(&self.inner.base, segments)
    }

    pub(crate) fn streaming_live_url(&self, room: crate::RoomId) -> Result<Url> {
        json_url(&self.inner.streaming, &["room", &room.to_string(), "live"])
    }

    pub(crate) async fn send(&self, request: Request) -> Result<Response> {
        let response = self.inner.core.execute(request).await?;
        if response.is_success() {
            Ok(response)
        } else if (300..400).contains(&response.status) {
            Err(Error::UnexpectedResponse {
                status: response.status,
                reason: format!("redirect ({})", crate::client::reason(response.status)),
            })
        } else {
            Err(response.api_error())
        }
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        template: &'static str,
    ) -> Result<T> {
        self.send(Request::new(Method::GET, url, template))
            .await?
            .json()
    }

    pub(crate) async fn post_empty(&self, url: Url, template: &'static str) -> Result<()> {
        self.send(Request::new(Method::POST, url, template).body(Body::Empty))
            .await?;
        Ok(())
    }
}

pub(crate) fn json_url(base: &Url, segments: &[&str]) -> Result<Url> {
    let mut owned: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
    if let Some(last) = owned.last_mut() {
        last.push_str(".json");
    }
    join_segments(base, &owned)
}

fn default_user_agent() -> String {
    format!(
        "{}/{} (Rust; +{})",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// Builds a classic [`Client`].
///
/// The setters every SDK of the workspace shares (`timeout`, `user_agent`, `http_client`, `retry_policy`,
/// `max_response_bytes`) come from `opsbot-http`; the timeout is per attempt (the live stream uses it for
/// connecting only), and a 503 with `Retry-After` is throttling under the retry policy. 37signals asks for a
/// user agent with the app's name and a contact (`"opsbot/1.0 (ops@example.com)"`); the default is
/// `campfire-client/<version> (Rust; +<repository>)`.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    streaming_url: String,
    token: Secret,
    config: opsbot_http::Config,
}

impl ClientBuilder {
    /// Replaces the account URL.
    pub fn base_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.base_url);
        self
    }

    /// The streaming host (default [`DEFAULT_STREAMING_URL`]).
    pub fn streaming_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.streaming_url);
        self
    }

    opsbot_http::transport_setters!(config);

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed URL, an empty token or a bad user agent;
    /// [`Error::Transport`] when the HTTP client cannot be created.
    pub fn build(self) -> Result<Client> {
        let token = self.token.expose();
        if token.is_empty() || token.contains(|c: char| c.is_control() || c == ':') {
            return Err(Error::invalid(
                "token",
                "must be a non-empty API token without colons or control characters",
            ));
        }
        let base = parse_base_url("base_url", &self.base_url)?;
        let streaming = parse_base_url("streaming_url", &self.streaming_url)?;
        let credential = opsbot_http::basic_credential(token, "X");
        let secrets = Secrets::new([token.to_owned(), credential.clone()]);
        let core = Core::new(
            &base,
            self.config,
            Auth::BasicToken(self.token.clone()),
            true,
            secrets,
            Secrets::new([credential]),
        )?;
        Ok(Client {
            inner: Arc::new(Inner {
                core,
                base,
                streaming,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
    }

    #[test]
    fn debug_hides_the_token() {
        let client = Client::new("https://acme.campfirenow.com", "fake-secret-token");
        let text = format!("{client:?}");
        assert!(text.contains("acme.campfirenow.com"), "{text}");
        assert!(!text.contains("fake-secret-token"), "{text}");
    }

    #[test]
    fn json_paths() {
        let base = Url::parse("https://acme.campfirenow.com").ok();
        let url = base.map(|b| json_url(&b, &["room", "7", "speak"]).map(|u| u.to_string()));
        assert_eq!(
            url.and_then(|u| u.ok()).as_deref(),
            Some("https://acme.campfirenow.com/room/7/speak.json")
        );
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(Client::new("https://acme.campfirenow.com", " ").is_err());
        assert!(Client::new("acme", "t").is_err());
        assert!(
            Client::builder("https://acme.campfirenow.com", "t")
                .streaming_url("nope")
                .build()
                .is_err()
        );
    }
}
