//! Retry policy, backoff, failure classification and the client-wide retry budget.

use std::sync::Mutex;
use std::time::Duration;

/// How the client retries failed attempts.
///
/// Backoff is "full jitter": before retry `n` the client waits a random time between zero and
/// `min(max_backoff, initial_backoff * 2^(n-1))`, unless the server sent `Retry-After`, which
/// replaces the computed delay (when it is not longer than `max_retry_after`).
///
/// ```
/// use std::time::Duration;
/// use opsgenie_client::RetryPolicy;
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
            retry_budget: BUDGET_CAPACITY,
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

    /// Total attempts including the first (at least 1). Default 4.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff cap of the first retry. Default 200 ms.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest computed backoff. Default 20 s.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest server `Retry-After` the client waits for; a longer one returns the error. Default 60 s.
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The most time one call spends waiting between attempts. Default 2 min.
    pub fn with_max_total_delay(mut self, limit: Duration) -> Self {
        self.max_total_delay = limit;
        self
    }

    /// The size of the client-wide retry budget, in tokens (default 500). A retry costs 5
    /// tokens (10 after a timeout) and every success refunds 1, so an outage stops retrying
    /// once the bucket is empty instead of becoming a retry storm. The bucket is shared by the
    /// client and its clones; `0` leaves nothing to pay with, so nothing is retried.
    pub fn with_retry_budget(mut self, tokens: u32) -> Self {
        self.retry_budget = tokens;
        self
    }

    /// The size of the client-wide retry budget, in tokens.
    pub fn retry_budget(&self) -> u32 {
        self.retry_budget
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff cap of the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest computed backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest server `Retry-After` that is waited for.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The most time one call spends waiting between attempts.
    pub fn max_total_delay(&self) -> Duration {
        self.max_total_delay
    }

    /// The upper bound of the jittered delay before retry number `retry` (1-based).
    pub(crate) fn backoff_cap(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(30));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// A full-jitter delay before retry number `retry` (1-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        jitter(self.backoff_cap(retry))
    }
}

/// A random duration in `0..=cap`.
pub(crate) fn jitter(cap: Duration) -> Duration {
    let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

/// Why an attempt failed, for the retry decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureClass {
    /// 429: the server refused the request; nothing happened.
    Throttling,
    /// The request provably never reached the server (connect error).
    NotSent,
    /// Timeout or connection reset: the request may or may not have been processed.
    Transient,
    /// A timeout of the attempt.
    TimedOut,
    /// 500, 502, 503, 504.
    Server,
    /// Anything else: not retried.
    Final,
}

/// Whether a request may be repeated without changing the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET, PUT, PATCH, DELETE, and POSTs that are safe to repeat (Opsgenie actions, alias-keyed create).
    Safe,
    /// A POST that must not be repeated unless the server provably did not act on it.
    Unsafe,
}

pub(crate) fn classify_status(status: u16) -> FailureClass {
    match status {
        429 => FailureClass::Throttling,
        500 | 502 | 503 | 504 => FailureClass::Server,
        _ => FailureClass::Final,
    }
}

pub(crate) fn classify_transport(err: &reqwest::Error) -> FailureClass {
    if err.is_connect() {
        FailureClass::NotSent
    } else if err.is_timeout() {
        FailureClass::TimedOut
    } else if err.is_request() || err.is_body() {
        FailureClass::Transient
    } else {
        FailureClass::Final
    }
}

pub(crate) fn should_retry(class: FailureClass, idempotency: Idempotency) -> bool {
    match class {
        FailureClass::Throttling | FailureClass::NotSent => true,
        FailureClass::Transient | FailureClass::TimedOut | FailureClass::Server => {
            idempotency == Idempotency::Safe
        }
        FailureClass::Final => false,
    }
}

/// A token bucket shared by the client so that an outage does not become a retry storm.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: Mutex<u32>,
    capacity: u32,
}

pub(crate) const BUDGET_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;

impl RetryBudget {
    pub(crate) fn new(capacity: u32) -> Self {
        RetryBudget {
            tokens: Mutex::new(capacity),
            capacity,
        }
    }

    /// Takes the cost of a retry; false when the bucket cannot pay for it.
    pub(crate) fn try_withdraw(&self, class: FailureClass) -> bool {
        let cost = if class == FailureClass::TimedOut {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
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
        *tokens = (*tokens + 1).min(self.capacity);
    }

    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Parses `Retry-After` as seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(1e9)));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(1));
        assert_eq!(p.backoff_cap(1), Duration::from_millis(100));
        assert_eq!(p.backoff_cap(2), Duration::from_millis(200));
        assert_eq!(p.backoff_cap(4), Duration::from_millis(800));
        assert_eq!(p.backoff_cap(5), Duration::from_secs(1));
        assert_eq!(p.backoff_cap(60), Duration::from_secs(1));
        for n in 1..10 {
            assert!(p.backoff(n) <= p.backoff_cap(n));
        }
    }

    #[test]
    fn post_is_retried_only_when_safe_or_unsent() {
        assert!(should_retry(FailureClass::Throttling, Idempotency::Unsafe));
        assert!(should_retry(FailureClass::NotSent, Idempotency::Unsafe));
        assert!(!should_retry(FailureClass::Server, Idempotency::Unsafe));
        assert!(!should_retry(FailureClass::TimedOut, Idempotency::Unsafe));
        assert!(should_retry(FailureClass::Server, Idempotency::Safe));
        assert!(!should_retry(FailureClass::Final, Idempotency::Safe));
        assert_eq!(classify_status(429), FailureClass::Throttling);
        assert_eq!(classify_status(503), FailureClass::Server);
        assert_eq!(classify_status(422), FailureClass::Final);
    }

    #[test]
    fn budget_runs_dry_and_refills() {
        let b = RetryBudget::new(BUDGET_CAPACITY);
        let mut granted = 0;
        while b.try_withdraw(FailureClass::Server) {
            granted += 1;
        }
        assert_eq!(granted, BUDGET_CAPACITY / RETRY_COST);
        for _ in 0..5 {
            b.refund();
        }
        assert!(b.try_withdraw(FailureClass::Server));
        assert_eq!(b.available(), 0);
        let small = RetryBudget::new(RetryPolicy::default().with_retry_budget(12).retry_budget());
        assert!(small.try_withdraw(FailureClass::Server));
        assert!(small.try_withdraw(FailureClass::Server));
        assert!(
            !small.try_withdraw(FailureClass::Server),
            "12 tokens pay for two retries"
        );
        let none = RetryBudget::new(0);
        assert!(!none.try_withdraw(FailureClass::Throttling));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
