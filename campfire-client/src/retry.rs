//! Retry policy, backoff, failure classification and the retry budget (after smithy-rs).

use std::sync::Mutex;
use std::time::Duration;

/// How failed requests are retried.
///
/// Throttling (429, classic 503 with `Retry-After`), transient failures (connect errors, timeouts, resets) and
/// server errors (500, 502, 503, 504) are retried with full-jitter exponential backoff. A `POST` is retried only
/// when the server refused it (throttling) or when it provably never reached the server (connect error), so a
/// message is never posted twice.
///
/// ```
/// use std::time::Duration;
/// use campfire_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_initial_backoff(Duration::from_millis(100));
/// assert_eq!(policy.max_attempts(), 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    max_total_delay: Duration,
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
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in total, the first included (default 4; 0 is treated as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling of the first retry (default 200 ms); it doubles with each attempt.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest computed backoff (default 20 s).
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` that is waited for (default 60 s); a longer one returns the error at once.
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The most time spent waiting between attempts of one call (default 2 min).
    pub fn with_max_total_delay(mut self, limit: Duration) -> Self {
        self.max_total_delay = limit;
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

    /// The most time spent waiting between attempts of one call.
    pub fn max_total_delay(&self) -> Duration {
        self.max_total_delay
    }

    /// The full-jitter delay before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        jittered_backoff(self.initial_backoff, self.max_backoff, retry)
    }
}

/// `random(0..=min(max, initial * 2^(retry-1)))`.
pub(crate) fn jittered_backoff(initial: Duration, max: Duration, retry: u32) -> Duration {
    let exp = retry.saturating_sub(1).min(30);
    let ceiling = initial.saturating_mul(1u32 << exp).min(max);
    let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=ceiling_ms))
}

/// Why an attempt failed, for the retry decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureClass {
    /// The server refused the request because of its rate limit; nothing happened.
    Throttling,
    /// The connection could not be opened; the request never reached the server.
    Connect,
    /// A timeout or a reset: the request may or may not have been processed.
    Transient,
    /// 500, 502, 503, 504.
    Server,
}

impl FailureClass {
    /// Whether a request of this kind may be retried after this failure.
    pub(crate) fn retryable(self, idempotent: bool) -> bool {
        match self {
            FailureClass::Throttling | FailureClass::Connect => true,
            FailureClass::Transient | FailureClass::Server => idempotent,
        }
    }

    fn cost(self) -> u32 {
        match self {
            FailureClass::Transient => 10,
            _ => 5,
        }
    }
}

/// A token bucket shared by one client: an outage does not become a retry storm.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: Mutex<u32>,
}

const BUDGET_CAPACITY: u32 = 500;

impl RetryBudget {
    pub(crate) fn new() -> Self {
        RetryBudget {
            tokens: Mutex::new(BUDGET_CAPACITY),
        }
    }

    /// Takes the cost of a retry; `false` when the bucket cannot pay for it.
    pub(crate) fn try_acquire(&self, class: FailureClass) -> bool {
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

/// Parses `Retry-After` given as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(2) <= Duration::from_millis(200));
            assert!(policy.backoff(10) <= Duration::from_millis(350));
            assert!(policy.backoff(u32::MAX) <= Duration::from_millis(350));
        }
        let distinct: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(5)).collect();
        assert!(distinct.len() > 1, "backoff is not jittered");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let future = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let parsed = parse_retry_after(&future).unwrap_or_default();
        assert!(parsed > Duration::from_secs(25) && parsed <= Duration::from_secs(30));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn post_is_retried_only_when_nothing_happened() {
        assert!(FailureClass::Throttling.retryable(false));
        assert!(FailureClass::Connect.retryable(false));
        assert!(!FailureClass::Transient.retryable(false));
        assert!(!FailureClass::Server.retryable(false));
        assert!(FailureClass::Server.retryable(true));
    }

    #[test]
    fn budget_runs_dry_and_refunds() {
        let budget = RetryBudget::new();
        let mut retries = 0;
        while budget.try_acquire(FailureClass::Transient) {
            retries += 1;
        }
        assert_eq!(retries, 50);
        assert!(!budget.try_acquire(FailureClass::Server));
        for _ in 0..5 {
            budget.refund();
        }
        assert!(budget.try_acquire(FailureClass::Server));
        assert_eq!(budget.available(), 0);
    }

    #[test]
    fn none_sends_once() {
        assert_eq!(RetryPolicy::none().max_attempts(), 1);
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
    }
}
