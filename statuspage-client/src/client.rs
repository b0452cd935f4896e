//! [`Client`], [`ClientBuilder`] and what is Statuspage's own in the request core (the
//! [`opsbot_http::Service`] hooks); the core itself is `opsbot-http`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use opsbot_http::header::{HeaderMap, HeaderValue};
use opsbot_http::{Answer, Config, FailureClass, Secrets, Service, Throttle, Transport};
use url::Url;

pub(crate) use opsbot_http::{Request, Route};

use crate::error::{ApiError, Error, Result, message_from_body};

/// The Manage API v1 endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.statuspage.io/v1";
pub use opsbot_http::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
/// The client-side pacing interval unless configured otherwise: Statuspage allows about one
/// request per second per key.
pub const DEFAULT_PACING: Duration = Duration::from_secs(1);

const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The API key. Never printed: its `Debug` is `<redacted>`.
#[derive(Clone)]
struct ApiKey(String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl ApiKey {
    fn header(&self) -> Result<HeaderValue> {
        if self.0.trim().is_empty() {
            return Err(Error::invalid("api_key", "the api key is empty"));
        }
        Ok(opsbot_http::authorization("OAuth", &self.0, "api_key")?)
    }
}

/// A client for the Statuspage Manage API v1.
///
/// Cheap to clone (one `Arc` inside); clones share the connection pool and the retry budget.
/// Every client of the same key and base URL (clones or not) shares the rate-limit state: the
/// pacing slots and a server's `Retry-After` hold, because Statuspage limits per key.
///
/// ```no_run
/// # async fn run() -> statuspage_client::Result<()> {
/// use statuspage_client::{Client, ComponentStatus};
///
/// let client = Client::new("my-api-key")?;
/// let page = "kctbh9vrtdwd";
/// for component in client.components(page).list().per_page(100).await? {
///     println!("{}: {}", component.name, component.status.label());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) core: Arc<Core>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.core.base_url().as_str())
            .field("api_key", &"<redacted>")
            .field("timeout", &self.core.timeout())
            .field("pacing", &self.core.pacing())
            .field("retry_policy", self.core.retry_policy())
            .finish()
    }
}

impl Client {
    /// A client with the default settings for the given API key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the key is empty or cannot be sent in a header;
    /// [`Error::Transport`] when the HTTP client cannot be set up.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder(api_key).build()
    }

    /// A builder to configure the base URL, timeouts, retries, pacing and more.
    ///
    /// ```no_run
    /// # fn run() -> statuspage_client::Result<()> {
    /// use std::time::Duration;
    /// use statuspage_client::{Client, RetryPolicy};
    ///
    /// let client = Client::builder("my-api-key")
    ///     .timeout(Duration::from_secs(10))
    ///     .retry_policy(RetryPolicy::default().with_max_attempts(3))
    ///     .pacing(Duration::from_millis(500))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            key: ApiKey(api_key.into()),
            config: default_config(DEFAULT_BASE_URL, Some(DEFAULT_PACING)),
        }
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &Url {
        self.core.base_url()
    }
}

/// Configures a [`Client`]. Made by [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    key: ApiKey,
    config: Config,
}

impl ClientBuilder {
    /// Sets the base URL (default `https://api.statuspage.io/v1`); tests point it at a local
    /// server (a `&str`, a `String` or a [`Url`], such as a fake's `base_url()`).
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.config = self.config.base_url(url.as_ref());
        self
    }

    opsbot_http::transport_setters!(config);

    /// Spaces the requests made with this key at least `interval` apart (default 1 s,
    /// Statuspage's documented limit per key; shared by every client of the key in the process),
    /// so bulk work stays under the rate limit instead of bouncing off it.
    pub fn pacing(mut self, interval: Duration) -> Self {
        self.config = self.config.pacing(Some(interval));
        self
    }

    /// Turns client-side pacing off (the server's rate limit is still honoured on retry).
    pub fn without_pacing(mut self) -> Self {
        self.config = self.config.pacing(None);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a base URL that is not an absolute `http(s)` URL or a key that
    /// is empty or not valid in a header; [`Error::Transport`] when the HTTP client cannot be set up.
    pub fn build(self) -> Result<Client> {
        let auth = self.key.header()?;
        let base = opsbot_http::parse_base_url("base_url", self.config.base_url_str())?;
        // Statuspage limits per key: every client of the key shares the pacing slots and a
        // server's hold.
        let throttle = Throttle::for_key(&self.key.0, base.as_str());
        let config = self
            .config
            .authorization(auth)
            .secrets(Secrets::new([self.key.0.clone()]))
            .throttle(throttle);
        Ok(Client {
            core: Arc::new(config.build(Statuspage)?),
        })
    }
}

/// The settings a new [`ClientBuilder`] or [`PublicClientBuilder`](crate::PublicClientBuilder) starts from.
pub(crate) fn default_config(base_url: impl Into<String>, pacing: Option<Duration>) -> Config {
    Config::new(base_url, DEFAULT_USER_AGENT)
        .timeout(DEFAULT_TIMEOUT)
        .max_response_bytes(DEFAULT_MAX_RESPONSE_BYTES)
        .pacing(pacing)
}

/// The request core of a client: the shared transport with Statuspage's hooks.
pub(crate) type Core = Transport<Statuspage>;

/// What is Statuspage's own in the request core: 420 is a rate limit like 429, and error
/// answers become [`Error::Api`] or [`Error::RateLimited`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Statuspage;

impl Service for Statuspage {
    type Error = Error;
    type Permit = ();

    async fn admit(&self) {}

    fn span(&self, request: &Request) -> tracing::Span {
        opsbot_http::request_span!("statuspage.request", request)
    }

    fn classify(&self, status: u16, _headers: &HeaderMap) -> Option<FailureClass> {
        match status {
            420 => Some(FailureClass::Throttling),
            _ => FailureClass::from_status(status),
        }
    }

    fn error(&self, answer: Answer) -> Error {
        if answer.is_throttled() {
            Error::RateLimited {
                status: answer.status,
                retry_after: answer.retry_after,
                message: message_from_body(&answer.text()).unwrap_or_default(),
            }
        } else {
            Error::Api(Box::new(ApiError::from_response(
                answer.status,
                &answer.body,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_percent_encoded_and_keep_the_base_path() -> Result<()> {
        let core = default_config("https://api.example.test/v1/", None).build(Statuspage)?;
        let request =
            Request::get(Route::new("/pages/{page_id}/components", ["a b/../c"])).query("page", 2);
        let url = core.url(&request)?;
        assert_eq!(
            url.as_str(),
            "https://api.example.test/v1/pages/a%20b%2F..%2Fc/components?page=2"
        );
        Ok(())
    }

    #[test]
    fn bad_base_urls_are_invalid_input() {
        for bad in ["not a url", "ftp://example.test", "mailto:x@example.test"] {
            assert!(matches!(
                Client::builder("key").base_url(bad).build(),
                Err(Error::InvalidInput {
                    field: "base_url",
                    ..
                })
            ));
        }
    }

    #[test]
    fn error_answers_become_api_errors_or_rate_limits() {
        let mut refused = Answer::new(420, HeaderMap::new(), &br#"{"error":"slow down"}"#[..]);
        refused.class = Statuspage.classify(420, &refused.headers);
        refused.retry_after = Some(Duration::from_secs(3));
        match Statuspage.error(refused) {
            Error::RateLimited {
                status: 420,
                retry_after,
                message,
            } => {
                assert_eq!(retry_after, Some(Duration::from_secs(3)));
                assert_eq!(message, "slow down");
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        let missing = Answer::new(404, HeaderMap::new(), &br#"{"error":"Not found"}"#[..]);
        assert!(Statuspage.error(missing).is_not_found());
    }

    #[test]
    fn the_services_throttling_signals() {
        let headers = HeaderMap::new();
        assert_eq!(
            Statuspage.classify(420, &headers),
            Some(FailureClass::Throttling)
        );
        assert_eq!(
            Statuspage.classify(429, &headers),
            Some(FailureClass::Throttling)
        );
        assert_eq!(
            Statuspage.classify(503, &headers),
            Some(FailureClass::Server)
        );
        assert_eq!(Statuspage.classify(404, &headers), None);
    }
}
