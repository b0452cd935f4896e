//! Retry policy, backoff, failure classification and the retry budget (after smithy-rs).

use std::sync::Mutex;
use std::time::Duration;

/// The default size of a client's retry budget, in tokens.
pub const DEFAULT_RETRY_BUDGET: u32 = 500;
/// What a retry costs from the budget.
const RETRY_COST: u32 = 5;
/// What a retry after a timeout costs: the server may still be working on the first attempt.
const RETRY_COST_TIMEOUT: u32 = 10;

/// How failed attempts are retried.
///
/// Idempotent calls (GET, PUT, PATCH, DELETE, and POSTs a service marks safe) are retried on
/// throttling, server errors (500, 502, 503, 504), connect errors, timeouts and dropped
/// connections. Other POSTs are retried only when the server refused them (throttling) or the
/// request provably never reached it (a connect error), so nothing is created twice.
///
/// Backoff is full jitter: before retry `n` the client waits a random time between zero and
/// `min(max_backoff, initial_backoff * 2^(n-1))`, unless the server sent `Retry-After`, which
/// replaces it (a `Retry-After` longer than `max_retry_after` ends the call instead). Every
/// retry is paid from a token bucket shared by the client and its clones (the retry budget), so an
/// outage does not become a retry storm; a success refunds one token.
///
/// ```
/// use std::time::Duration;
/// use opsbot_http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_max_retry_after(Duration::from_secs(30))
///     .with_retry_budget(100);
/// assert_eq!(policy.max_attempts(), 6);
/// assert_eq!(policy.retry_budget(), 100);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    max_total_delay: Duration,
    retry_budget: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            max_total_delay: Duration::from_secs(120),
            retry_budget: DEFAULT_RETRY_BUDGET,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in total, the first included (default 4; 0 is treated as 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling of the first retry (default 200 ms); it doubles with each retry.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest computed backoff (default 20 s).
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` that is waited for (default 60 s); a longer one ends the call
    /// with the service's rate-limit error.
    #[must_use]
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The most time one call spends waiting between its attempts (default 2 min).
    #[must_use]
    pub fn with_max_total_delay(mut self, limit: Duration) -> Self {
        self.max_total_delay = limit;
        self
    }

    /// The size of the client's retry budget in tokens (default 500). A retry costs 5 tokens
    /// (10 after a timeout), a success refunds 1; `0` makes every retry wait for refunds, so a
    /// client that must never amplify an outage can set it low.
    #[must_use]
    pub fn with_retry_budget(mut self, tokens: u32) -> Self {
        self.retry_budget = tokens;
        self
    }

    /// Attempts in total, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff ceiling of the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest computed backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest `Retry-After` that is waited for.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The most time one call spends waiting between its attempts.
    pub fn max_total_delay(&self) -> Duration {
        self.max_total_delay
    }

    /// The size of the retry budget in tokens.
    pub fn retry_budget(&self) -> u32 {
        self.retry_budget
    }

    /// The ceiling of the jittered delay before retry number `retry` (1 for the first retry).
    pub fn backoff_cap(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(30));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// A full-jitter delay before retry number `retry` (1 for the first retry).
    pub fn backoff(&self, retry: u32) -> Duration {
        let nanos = u64::try_from(self.backoff_cap(retry).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Why an attempt failed, as far as retrying is concerned: the one classification every SDK uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureClass {
    /// The server refused the request because of its rate limit (429, and each service's own
    /// signal: Statuspage's 420, classic Campfire's 503 with `Retry-After`); nothing happened.
    Throttling,
    /// The connection could not be made: the request never reached the server.
    Connect,
    /// The attempt timed out: the server may have acted on it.
    Timeout,
    /// The connection broke while sending or reading: the server may have acted on it.
    Transient,
    /// 500, 502, 503 or 504.
    Server,
}

impl FailureClass {
    /// The usual classification of a status: 429 is throttling, 500/502/503/504 a server
    /// error, anything else (`None`) is final.
    pub fn from_status(status: u16) -> Option<Self> {
        match status {
            429 => Some(FailureClass::Throttling),
            500 | 502 | 503 | 504 => Some(FailureClass::Server),
            _ => None,
        }
    }

    /// Whether a request may be retried after this failure: an idempotent one always, any
    /// other only when nothing can have happened (throttling, connect error).
    pub fn retryable(self, idempotent: bool) -> bool {
        idempotent || matches!(self, FailureClass::Throttling | FailureClass::Connect)
    }

    /// The tokens a retry after this failure costs from the budget.
    pub fn cost(self) -> u32 {
        match self {
            FailureClass::Timeout => RETRY_COST_TIMEOUT,
            _ => RETRY_COST,
        }
    }

    /// The class of a transport error, or `None` for one that is not worth retrying (a request
    /// that could not even be built).
    pub fn from_transport(error: &reqwest::Error) -> Option<Self> {
        if error.is_builder() {
            None
        } else if error.is_timeout() {
            Some(FailureClass::Timeout)
        } else if error.is_connect() {
            Some(FailureClass::Connect)
        } else {
            Some(FailureClass::Transient)
        }
    }
}

/// A token bucket shared by a client and its clones, so that an outage does not become a retry storm.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    /// Takes the cost of a retry after `class`; `false` when the bucket cannot pay for it.
    pub fn withdraw(&self, class: FailureClass) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let cost = class.cost();
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// A success refunds one token.
    pub fn refund(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *tokens = tokens.saturating_add(1).min(self.capacity);
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Parses a `Retry-After` value: delay seconds (whole or fractional) or an HTTP date.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(opsbot_http::parse_retry_after("7"), Some(Duration::from_secs(7)));
/// assert_eq!(opsbot_http::parse_retry_after("soon"), None);
/// ```
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_and_capped() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(350));
        assert_eq!(policy.backoff_cap(1), Duration::from_millis(100));
        assert_eq!(policy.backoff_cap(2), Duration::from_millis(200));
        assert_eq!(policy.backoff_cap(u32::MAX), Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(10) <= Duration::from_millis(350));
        }
        let spread: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(3)).collect();
        assert!(spread.len() > 1, "backoff must be jittered");
    }

    #[test]
    fn classification() {
        assert_eq!(
            FailureClass::from_status(429),
            Some(FailureClass::Throttling)
        );
        assert_eq!(
            FailureClass::from_status(420),
            None,
            "420 is Statuspage's own"
        );
        assert_eq!(FailureClass::from_status(503), Some(FailureClass::Server));
        assert_eq!(FailureClass::from_status(501), None);
        assert_eq!(FailureClass::from_status(404), None);
        assert!(FailureClass::Server.retryable(true));
        assert!(!FailureClass::Server.retryable(false));
        assert!(!FailureClass::Timeout.retryable(false));
        assert!(!FailureClass::Transient.retryable(false));
        assert!(FailureClass::Connect.retryable(false));
        assert!(FailureClass::Throttling.retryable(false));
    }

    #[test]
    fn budget_runs_dry_and_refills() {
        let budget = RetryBudget::new(DEFAULT_RETRY_BUDGET);
        let mut retries = 0;
        while budget.withdraw(FailureClass::Server) {
            retries += 1;
        }
        assert_eq!(retries, DEFAULT_RETRY_BUDGET / RETRY_COST);
        for _ in 0..RETRY_COST_TIMEOUT {
            budget.refund();
        }
        assert!(budget.withdraw(FailureClass::Timeout));
        assert_eq!(budget.available(), 0);
    }

    #[test]
    fn budget_size_is_configurable_and_refunds_stop_at_it() {
        let budget = RetryBudget::new(RetryPolicy::default().with_retry_budget(12).retry_budget());
        assert!(budget.withdraw(FailureClass::Server));
        assert!(budget.withdraw(FailureClass::Server));
        assert!(!budget.withdraw(FailureClass::Server));
        for _ in 0..100 {
            budget.refund();
        }
        assert_eq!(budget.available(), 12);
        assert!(!RetryBudget::new(0).withdraw(FailureClass::Throttling));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let wait = parse_retry_after(&later).unwrap_or_default();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-3"), None);
        assert_eq!(parse_retry_after("1e300"), None);
        assert_eq!(parse_retry_after("NaN"), None);
    }
}
