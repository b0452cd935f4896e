//! Retry policy, backoff, failure classification and the retry budget.

use std::sync::Mutex;
use std::time::Duration;

/// How failed requests are retried.
///
/// Idempotent calls (GET, PUT, PATCH, DELETE) are retried on rate limiting (420/429), server
/// errors (500, 502, 503, 504), connect errors, timeouts and dropped connections. Creates (POST)
/// are retried only when the server refused them for rate limiting or the request provably never
/// reached it (a connect error).
///
/// ```
/// use std::time::Duration;
/// use statuspage_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_max_retry_after(Duration::from_secs(30));
/// assert_eq!(policy.max_attempts, 6);
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in total, the first one included (default 4). `1` turns retries off.
    pub max_attempts: u32,
    /// The base of the exponential backoff (default 200 ms).
    pub initial_backoff: Duration,
    /// The largest computed backoff (default 20 s).
    pub max_backoff: Duration,
    /// The longest `Retry-After` that is waited for (default 60 s); a longer one ends the call
    /// with [`Error::RateLimited`](crate::Error::RateLimited).
    pub max_retry_after: Duration,
    /// The most time spent waiting between attempts of one call (default 2 min).
    pub max_total_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            max_total_delay: Duration::from_secs(120),
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

    /// Sets the number of attempts, the first included (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the base of the exponential backoff.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest computed backoff.
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` that is waited for.
    #[must_use]
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Sets the most time spent waiting between the attempts of one call.
    #[must_use]
    pub fn with_max_total_delay(mut self, total: Duration) -> Self {
        self.max_total_delay = total;
        self
    }

    /// Full-jitter backoff before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(exp)
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureClass {
    /// 420/429: the server refused the request; nothing happened.
    Throttling,
    /// The connection could not be made; the request never reached the server.
    Connect,
    /// The attempt timed out; the server may have acted on it.
    Timeout,
    /// The connection broke while sending or reading.
    Transient,
    /// 500, 502, 503, 504.
    Server,
}

impl FailureClass {
    pub(crate) fn from_status(status: u16) -> Option<Self> {
        match status {
            420 | 429 => Some(FailureClass::Throttling),
            500 | 502 | 503 | 504 => Some(FailureClass::Server),
            _ => None,
        }
    }

    /// Whether a request of this kind may be retried after this failure.
    pub(crate) fn retryable(self, idempotent: bool) -> bool {
        idempotent || matches!(self, FailureClass::Throttling | FailureClass::Connect)
    }

    fn cost(self) -> u32 {
        match self {
            FailureClass::Timeout => RETRY_COST_TIMEOUT,
            _ => RETRY_COST,
        }
    }
}

const BUDGET_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const RETRY_COST_TIMEOUT: u32 = 10;

/// A token bucket shared by all calls of one client, so an outage does not become a retry storm.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: Mutex<u32>,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            tokens: Mutex::new(BUDGET_CAPACITY),
        }
    }
}

impl RetryBudget {
    /// Takes the tokens a retry after `class` costs; `false` when the bucket cannot pay.
    pub(crate) fn withdraw(&self, class: FailureClass) -> bool {
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
    pub(crate) fn refund(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *tokens = (*tokens + 1).min(BUDGET_CAPACITY);
    }

    #[cfg(test)]
    fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
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
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(2) <= Duration::from_millis(200));
            assert!(policy.backoff(10) <= Duration::from_millis(350));
        }
        let spread: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(3)).collect();
        assert!(spread.len() > 1, "backoff must be jittered");
    }

    #[test]
    fn classification() {
        assert_eq!(
            FailureClass::from_status(420),
            Some(FailureClass::Throttling)
        );
        assert_eq!(
            FailureClass::from_status(429),
            Some(FailureClass::Throttling)
        );
        assert_eq!(FailureClass::from_status(503), Some(FailureClass::Server));
        assert_eq!(FailureClass::from_status(501), None);
        assert_eq!(FailureClass::from_status(404), None);
        assert!(FailureClass::Server.retryable(true));
        assert!(!FailureClass::Server.retryable(false));
        assert!(!FailureClass::Timeout.retryable(false));
        assert!(FailureClass::Connect.retryable(false));
        assert!(FailureClass::Throttling.retryable(false));
    }

    #[test]
    fn budget_runs_dry_and_refills() {
        let budget = RetryBudget::default();
        let mut retries = 0;
        while budget.withdraw(FailureClass::Server) {
            retries += 1;
        }
        assert_eq!(retries, BUDGET_CAPACITY / RETRY_COST);
        for _ in 0..RETRY_COST_TIMEOUT {
            budget.refund();
        }
        assert!(budget.withdraw(FailureClass::Timeout));
        assert_eq!(budget.available(), 0);
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
        assert_eq!(
            parse_retry_after("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
