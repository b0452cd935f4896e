//! The client and its builder: credentials, base URL, backend and transport settings.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsbot_http::{Config, Secrets, Transport};
use reqwest::header::HeaderMap;
use tokio::time::Instant;
use url::Url;

pub use crate::backend::Backend;
use crate::error::{Error, Result, api_error};
use crate::throttle::{Limiter, Pacer, lock};
// The fake builds the credential it expects with the same function.
use crate::RetryPolicy;
pub(crate) use crate::transport::basic_credential;
use crate::transport::{Opsgenie, Raw};

const US_BASE: &str = "https://api.opsgenie.com/";
const JSM_BASE: &str = "https://api.atlassian.com/";
const EU_BASE: &str = "https://api.eu.opsgenie.com/";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const USER_AGENT: &str = concat!("opsgenie-client/", env!("CARGO_PKG_VERSION"));
const DEFAULT_MAX_CONCURRENCY: usize = 16;
const DEFAULT_OUTCOME_TIMEOUT: Duration = Duration::from_secs(30);

/// The Opsgenie region of an account. EU accounts must use the EU endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// `https://api.opsgenie.com` (the default).
    #[default]
    Us,
    /// `https://api.eu.opsgenie.com`.
    Eu,
}

impl Region {
    /// The API base URL of the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => US_BASE,
            Region::Eu => EU_BASE,
        }
    }
}

opsbot_http::vendor_enum! {
    /// The `X-RateLimit-State` header.
    pub enum RateLimitState as "rate limit state" {
        /// Under the limit.
        Ok => "OK",
        /// Over the limit: requests are refused with 429.
        Throttled => "THROTTLED",
    }
}

/// The `X-RateLimit-*` headers of an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitInfo {
    /// `X-RateLimit-State`.
    pub state: Option<RateLimitState>,
    /// `X-RateLimit-Reason` (which bucket, for example `ACCOUNT` or `INTEGRATION`).
    pub reason: Option<String>,
    /// `X-RateLimit-Period-In-Sec`: 60 for the minute bucket, 1 for the second bucket.
    pub period_in_sec: Option<u64>,
}

impl RateLimitInfo {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_owned())
        };
        let info = RateLimitInfo {
            state: get("x-ratelimit-state").map(|s| RateLimitState::from_api(&s)),
            reason: get("x-ratelimit-reason"),
            period_in_sec: get("x-ratelimit-period-in-sec").and_then(|s| s.parse().ok()),
        };
        (info != RateLimitInfo::default()).then_some(info)
    }
}

/// The API key (or JSM API token, or JSM account e-mail). Its `Debug` never shows the value.
#[derive(Clone)]
pub(crate) struct ApiKey(pub(crate) String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A client for the Opsgenie REST API.
///
/// Cheap to clone (one `Arc` inside); clones share the connection pool, the retry budget,
/// the concurrency limit and the throttling state.
///
/// ```no_run
/// # async fn run() -> opsgenie_client::Result<()> {
/// use opsgenie_client::{Client, Region};
///
/// let client = Client::builder("00000000-fake-key").region(Region::Eu).build()?;
/// let open = client.alerts().count().query("status:open").await?;
/// println!("{open} open alerts");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    /// The shared transport core with Opsgenie's own part.
    pub(crate) core: Transport<Opsgenie>,
    pub(crate) backend: Backend,
    pub(crate) outcome_timeout: Duration,
    pub(crate) poll_initial: Duration,
    pub(crate) poll_max: Duration,
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    key: ApiKey,
    email: Option<ApiKey>,
    backend: Backend,
    region: Region,
    base_url: Option<String>,
    /// Timeout, user agent, HTTP client, retry policy and size limit (the core's settings).
    config: Config,
    max_concurrency: usize,
    adaptive: bool,
    outcome_timeout: Duration,
    poll_initial: Duration,
    poll_max: Duration,
}

impl Client {
    /// A client for the US region with default settings.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the key is empty or not valid in a header.
    ///
    /// ```no_run
    /// # fn run() -> opsgenie_client::Result<()> {
    /// let client = opsgenie_client::Client::new("00000000-fake-key")?;
    /// # Ok(()) }
    /// ```
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder(api_key).build()
    }

    /// A builder for a client with non-default settings.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            key: ApiKey(api_key.into()),
            email: None,
            backend: Backend::Opsgenie,
            region: Region::Us,
            base_url: None,
            config: Config::new(US_BASE, USER_AGENT).retry_policy(RetryPolicy::default()),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            adaptive: true,
            outcome_timeout: DEFAULT_OUTCOME_TIMEOUT,
            poll_initial: Duration::from_millis(200),
            poll_max: Duration::from_secs(2),
        }
    }

    /// A builder for a client of Jira Service Management Operations: the same calls, sent to
    /// `https://api.atlassian.com/jsm/ops/api/{cloud_id}/v1/...` with HTTP Basic
    /// authentication (`email:api_token`). Both the e-mail and the token are kept out of
    /// `Debug`, errors, URLs and logs.
    ///
    /// ```no_run
    /// # async fn run() -> opsgenie_client::Result<()> {
    /// use opsgenie_client::Client;
    ///
    /// let cloud_id = Client::jsm_cloud_id("your-site").await?; // your-site.atlassian.net
    /// let client = Client::builder_jsm(cloud_id, "ann@example.com", "atlassian-api-token").build()?;
    /// let open = client.alerts().count().query("status:open").await?;
    /// # Ok(()) }
    /// ```
    pub fn builder_jsm(
        cloud_id: impl Into<String>,
        email: impl Into<String>,
        api_token: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder {
            email: Some(ApiKey(email.into())),
            backend: Backend::Jsm {
                cloud_id: cloud_id.into(),
            },
            ..Client::builder(api_token)
        }
    }

    /// Finds the cloud id of an Atlassian site from `https://<site>.atlassian.net/_edge/tenant_info`.
    ///
    /// `site` is the site's name (`your-site`), its host (`your-site.atlassian.net`) or a base
    /// URL (`https://your-site.atlassian.net`, or a test server's `http://127.0.0.1:port`).
    /// The request carries no credentials.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty or malformed site, the server's error
    /// ([`Error::Api`]), a transport error, [`Error::Timeout`] after 30 s, or
    /// [`Error::Decode`] when the answer has no `cloudId`.
    ///
    /// ```no_run
    /// # async fn run() -> opsgenie_client::Result<()> {
    /// let cloud_id = opsgenie_client::Client::jsm_cloud_id("your-site").await?;
    /// # Ok(()) }
    /// ```
    pub async fn jsm_cloud_id(site: &str) -> Result<String> {
        let site = site.trim();
        if site.is_empty() {
            return Err(Error::invalid("site", "must not be empty"));
        }
        let base = if site.contains("://") {
            site.to_owned()
        } else if site.contains('.') {
            format!("https://{site}")
        } else {
            format!("https://{site}.atlassian.net")
        };
        let mut url = Url::parse(&base)
            .map_err(|e| Error::invalid("site", format!("does not parse: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(Error::invalid("site", "must be an http or https URL"));
        }
        let path = format!("{}/_edge/tenant_info", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let http = opsbot_http::http_client_builder()
            .build()
            .map_err(|e| Error::Transport(e.without_url()))?;
        let work = async {
            let response = http
                .get(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| Error::Transport(e.without_url()))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let mut response = response;
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| Error::Transport(e.without_url()))?
            {
                if body.len() + chunk.len() > 64 * 1024 {
                    return Err(Error::BodyTooLarge { limit: 64 * 1024 });
                }
                body.extend_from_slice(&chunk);
            }
            if !(200..300).contains(&status) {
                let request_id = headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                return Err(Error::Api(Box::new(api_error(
                    status, &body, request_id, None,
                ))));
            }
            let raw = Raw {
                status,
                body: body.into(),
            };
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct TenantInfo {
                cloud_id: String,
            }
            let info: TenantInfo = raw.decode()?;
            if info.cloud_id.trim().is_empty() {
                return Err(Error::invalid("site", "the site answered an empty cloudId"));
            }
            Ok(info.cloud_id)
        };
        tokio::time::timeout(DEFAULT_TIMEOUT, work)
            .await
            .unwrap_or(Err(Error::Timeout {
                after: DEFAULT_TIMEOUT,
            }))
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        self.inner.core.base_url()
    }

    /// The service this client talks to.
    pub fn backend(&self) -> &Backend {
        &self.inner.backend
    }

    /// Whether this client talks to JSM Operations.
    pub(crate) fn is_jsm(&self) -> bool {
        self.inner.backend.is_jsm()
    }

    /// [`Error::Unsupported`] when this client talks to JSM.
    pub(crate) fn opsgenie_only(&self, operation: &'static str) -> Result<()> {
        if self.is_jsm() {
            return Err(Error::Unsupported {
                backend: "jsm",
                operation,
            });
        }
        Ok(())
    }

    /// The `X-RateLimit-*` headers of the most recent answer that carried them.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        lock(&self.inner.core.service().rate_limit).clone()
    }

    /// The current number of requests the client lets run at once (lowered when throttled,
    /// raised again as requests succeed, never above the configured maximum).
    pub fn current_concurrency(&self) -> usize {
        self.inner.core.service().limiter.current()
    }

    /// The configured maximum number of requests in flight at once.
    pub fn max_concurrency(&self) -> usize {
        self.inner.core.service().limiter.max()
    }

    /// The spacing between request starts the client learned from the last throttled answer
    /// (`None` until Opsgenie throttles it, and again after a quiet minute).
    ///
    /// After a 429 whose `X-RateLimit-Period-In-Sec` names the bucket, the client counts the
    /// requests Opsgenie accepted during that period and spaces its requests to just under
    /// that rate, so bulk work runs at the limit instead of bouncing off it and losing the rest
    /// of each period to `Retry-After`.
    pub fn pacing(&self) -> Option<Duration> {
        self.inner.core.service().pacer.interval(Instant::now())
    }

    pub(crate) fn outcome_timeout(&self) -> Duration {
        self.inner.outcome_timeout
    }

    pub(crate) fn poll_backoff(&self) -> (Duration, Duration) {
        (self.inner.poll_initial, self.inner.poll_max)
    }
}

impl ClientBuilder {
    /// The account's region (US by default). Ignored when [`base_url`](Self::base_url) is set
    /// and on JSM.
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// Sends requests to another base URL (a proxy, a test server, a fake). On JSM this
    /// replaces `https://api.atlassian.com/`; the `jsm/ops/api/{cloud_id}/v1/...` path is
    /// still appended.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    opsbot_http::transport_setters!(config);

    /// The most requests this client (and its clones) has in flight at once. Default 16.
    ///
    /// When Opsgenie throttles (429) the client halves its limit and every request waits out
    /// the throttle; successes raise the limit again, one step per window, up to this maximum.
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.max_concurrency = limit.max(1);
        self
    }

    /// Whether the concurrency limit and the request pacing adapt to throttling (default true;
    /// see [`Client::pacing`]). When false the limit stays at
    /// [`max_concurrency`](Self::max_concurrency) and requests are not paced; throttling still
    /// pauses the whole client.
    pub fn adaptive_concurrency(mut self, adaptive: bool) -> Self {
        self.adaptive = adaptive;
        self
    }

    /// How long [`RequestHandle::wait`](crate::RequestHandle::wait) waits for an outcome. Default 30 s.
    pub fn outcome_timeout(mut self, timeout: Duration) -> Self {
        self.outcome_timeout = timeout;
        self
    }

    /// The first and the largest delay between polls of an asynchronous request's outcome
    /// (jittered, doubling). Default 200 ms and 2 s.
    pub fn outcome_poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.poll_initial = initial;
        self.poll_max = max.max(initial);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty or malformed key, a base URL that does not parse
    /// or is not http(s), or a user agent not valid in a header.
    ///
    /// ```no_run
    /// # fn run() -> opsgenie_client::Result<()> {
    /// use std::time::Duration;
    /// let client = opsgenie_client::Client::builder("00000000-fake-key")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> Result<Client> {
        let jsm = self.backend.is_jsm();
        let key_field = if jsm { "api_token" } else { "api_key" };
        if self.key.0.trim().is_empty() {
            return Err(Error::invalid(key_field, "must not be empty"));
        }
        let (scheme, credential) = match (&self.backend, &self.email) {
            (Backend::Jsm { cloud_id }, Some(email)) => {
                if cloud_id.trim().is_empty() {
                    return Err(Error::invalid("cloud_id", "must not be empty"));
                }
                if email.0.trim().is_empty() {
                    return Err(Error::invalid("email", "must not be empty"));
                }
                if email.0.contains(':') || email.0.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        "email",
                        "contains ':' or a control character",
                    ));
                }
                if self.key.0.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        key_field,
                        "contains characters not allowed in a header",
                    ));
                }
                ("Basic", basic_credential(&email.0, &self.key.0))
            }
            (Backend::Jsm { .. }, None) => return Err(Error::invalid("email", "is required")),
            _ => ("GenieKey", self.key.0.clone()),
        };
        let auth = opsbot_http::authorization(scheme, &credential, key_field)?;
        let default_base = if jsm {
            JSM_BASE
        } else {
            self.region.base_url()
        };
        let base = self.base_url.unwrap_or_else(|| default_base.to_owned());
        // Every secret an echoing server could send back is cut from every answer; the JSM
        // e-mail only from errors (successful answers name users by e-mail).
        let mut secrets = vec![self.key.0.clone()];
        let mut error_secrets = Vec::new();
        if let Some(email) = &self.email {
            secrets.push(basic_credential(&email.0, &self.key.0));
            error_secrets.push(email.0.clone());
        }
        let limiter = Arc::new(Limiter::new(self.max_concurrency, self.adaptive));
        let service = Opsgenie {
            backend: self.backend.name(),
            limiter,
            pacer: Pacer::new(self.adaptive),
            rate_limit: Mutex::new(None),
            error_secrets: Secrets::new(error_secrets),
        };
        let core = self
            .config
            .base_url(base)
            .authorization(auth)
            .secrets(Secrets::new(secrets))
            .build(service)?;
        Ok(Client {
            inner: Arc::new(Inner {
                core,
                backend: self.backend,
                outcome_timeout: self.outcome_timeout,
                poll_initial: self.poll_initial,
                poll_max: self.poll_max,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_redacted_in_debug() {
        let client = Client::new("secret-fake-key-123").unwrap_or_else(|e| panic!("{e}"));
        let text = format!("{client:?}");
        assert!(!text.contains("secret-fake-key-123"), "{text}");
        assert!(text.contains("api.opsgenie.com"), "{text}");
        let builder = format!("{:?}", Client::builder("secret-fake-key-123"));
        assert!(!builder.contains("secret-fake-key-123"), "{builder}");
        assert!(builder.contains("<redacted>"), "{builder}");
    }

    #[test]
    fn builder_rejects_bad_input_without_echoing_the_key() {
        let err = Client::new("bad\nkey-xyz").err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("api_key") && !e.contains("key-xyz"))
        );
        assert!(Client::new("  ").is_err());
        assert!(
            Client::builder("k")
                .base_url("ftp://example.invalid")
                .build()
                .is_err()
        );
        assert!(Client::builder("k").base_url("not a url").build().is_err());
    }

    #[test]
    fn regions_pick_the_endpoint() {
        let eu = Client::builder("k")
            .region(Region::Eu)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(eu.base_url().as_str(), "https://api.eu.opsgenie.com/");
        let us = Client::new("k").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(us.base_url().as_str(), "https://api.opsgenie.com/");
    }
}
