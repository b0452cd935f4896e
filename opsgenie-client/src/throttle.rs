//! Client-wide throttling state: the adaptive concurrency limit and the pace learned from 429s.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Locks a mutex, recovering the data of a poisoned one (nothing here can be left half-done).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An additive-increase, multiplicative-decrease limit on requests in flight.
#[derive(Debug)]
pub(crate) struct Limiter {
    max: usize,
    adaptive: bool,
    state: Mutex<LimiterState>,
    notify: Notify,
}

#[derive(Debug)]
pub(crate) struct LimiterState {
    limit: usize,
    in_flight: usize,
    successes: usize,
}

/// One request in flight; dropping it lets the next one start.
#[derive(Debug)]
pub(crate) struct OwnedPermit {
    limiter: Arc<Limiter>,
}

impl Drop for OwnedPermit {
    fn drop(&mut self) {
        {
            let mut s = lock(&self.limiter.state);
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        self.limiter.notify.notify_waiters();
    }
}

impl Limiter {
    pub(crate) fn new(max: usize, adaptive: bool) -> Limiter {
        Limiter {
            max,
            adaptive,
            state: Mutex::new(LimiterState {
                limit: max,
                in_flight: 0,
                successes: 0,
            }),
            notify: Notify::new(),
        }
    }

    /// The current limit.
    pub(crate) fn current(&self) -> usize {
        lock(&self.state).limit
    }

    /// The configured maximum.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Waits for room under the current limit.
    pub(crate) async fn acquire_owned(self: Arc<Self>) -> OwnedPermit {
        loop {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.try_take() {
                break;
            }
            notified.await;
        }
        OwnedPermit { limiter: self }
    }

    /// Takes a place in flight when there is room.
    fn try_take(&self) -> bool {
        let mut s = lock(&self.state);
        if s.in_flight < s.limit {
            s.in_flight += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn on_success(&self) {
        if !self.adaptive {
            return;
        }
        let raised = {
            let mut s = lock(&self.state);
            s.successes += 1;
            if s.limit < self.max && s.successes >= s.limit {
                s.limit += 1;
                s.successes = 0;
                true
            } else {
                false
            }
        };
        if raised {
            self.notify.notify_waiters();
        }
    }

    pub(crate) fn on_throttle(&self) {
        if !self.adaptive {
            return;
        }
        let mut s = lock(&self.state);
        s.limit = (s.limit / 2).max(1);
        s.successes = 0;
        tracing::debug!(limit = s.limit, "throttled: lowering concurrency");
    }
}

/// How long a learned pace lasts without a throttled answer before it is dropped (and learned
/// again at the next 429), so a pace learned while others shared the bucket does not last.
const PACE_FORGET_AFTER: Duration = Duration::from_secs(60);
/// At most this many accepted answers are remembered for learning a pace.
const PACE_TRACKED: usize = 20_000;

/// Spaces request starts to the rate the server accepted before it throttled (see
/// [`Client::pacing`]).
#[derive(Debug)]
pub(crate) struct Pacer {
    enabled: bool,
    state: Mutex<PacerState>,
}

#[derive(Debug, Default)]
pub(crate) struct PacerState {
    /// When recent answers that counted against the limit arrived, oldest first.
    accepted: VecDeque<Instant>,
    /// The learned spacing between request starts.
    interval: Option<Duration>,
    /// When the pace was last learned or tightened.
    learned_at: Option<Instant>,
    /// The earliest start of the next request.
    next: Option<Instant>,
}

impl Pacer {
    pub(crate) fn new(enabled: bool) -> Pacer {
        Pacer {
            enabled,
            state: Mutex::new(PacerState::default()),
        }
    }

    pub(crate) fn interval(&self, now: Instant) -> Option<Duration> {
        let s = lock(&self.state);
        let fresh = s
            .learned_at
            .is_some_and(|t| now.saturating_duration_since(t) < PACE_FORGET_AFTER);
        s.interval.filter(|_| fresh)
    }

    pub(crate) fn on_accepted(&self, now: Instant) {
        if !self.enabled {
            return;
        }
        let mut s = lock(&self.state);
        s.accepted.push_back(now);
        while s.accepted.len() > PACE_TRACKED
            || s.accepted
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) > PACE_FORGET_AFTER)
        {
            s.accepted.pop_front();
        }
    }

    /// A 429 for a bucket of `period_secs`: pace to 5% under what was accepted in that period.
    pub(crate) fn on_throttled(&self, period_secs: u64, now: Instant) {
        if !self.enabled {
            return;
        }
        let period = Duration::from_secs(period_secs.clamp(1, 60));
        let mut s = lock(&self.state);
        // The other requests in flight are refused together: one lesson per period.
        if s.learned_at
            .is_some_and(|t| now.saturating_duration_since(t) < period)
        {
            return;
        }
        // What was accepted in the last period is the limit only when the client has been
        // talking to the server for a whole period; a throttle sooner teaches nothing yet.
        if s.accepted
            .front()
            .is_none_or(|t| now.saturating_duration_since(*t) < period)
        {
            return;
        }
        let accepted = s
            .accepted
            .iter()
            .filter(|t| now.saturating_duration_since(**t) <= period)
            .count()
            .max(1);
        let learned = period.mul_f64(1.05) / u32::try_from(accepted).unwrap_or(u32::MAX);
        let current = s.interval.filter(|_| {
            s.learned_at
                .is_some_and(|t| now.saturating_duration_since(t) < PACE_FORGET_AFTER)
        });
        // Throttled while already paced: slow down by at least another 5%.
        s.interval = Some(match current {
            Some(current) => learned.max(current.mul_f64(1.05)),
            None => learned,
        });
        s.learned_at = Some(now);
        tracing::debug!(interval = ?s.interval, accepted, "throttled: pacing requests");
    }

    /// Waits for this request's turn under the learned pace (at once when there is none).
    pub(crate) async fn wait_turn(&self) {
        let turn = {
            let now = Instant::now();
            let Some(interval) = self.interval(now) else {
                return;
            };
            let mut s = lock(&self.state);
            let turn = s.next.filter(|t| *t > now).unwrap_or(now);
            s.next = Some(turn + interval);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

/// A random duration in `0..=cap` (the jitter of outcome polls).
pub(crate) fn jitter(cap: Duration) -> Duration {
    let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacer_learns_the_accepted_rate_once_per_period_and_forgets_it() {
        let pacer = Pacer::new(true);
        let start = Instant::now();
        assert_eq!(pacer.interval(start), None, "no pace before a throttle");
        pacer.on_accepted(start);
        for i in 0..200 {
            pacer.on_accepted(start + Duration::from_millis(1000 + i * 4));
        }
        let early = start + Duration::from_millis(500);
        pacer.on_throttled(1, early);
        assert_eq!(pacer.interval(early), None, "less than a period of answers");
        let throttled = start + Duration::from_millis(1800);
        pacer.on_throttled(1, throttled);
        // 200 accepted in the last second: 5% under 200 per second.
        assert_eq!(pacer.interval(throttled), Some(Duration::from_micros(5250)));
        // The other refusals of the same moment teach nothing more.
        pacer.on_throttled(1, throttled + Duration::from_millis(10));
        assert_eq!(pacer.interval(throttled), Some(Duration::from_micros(5250)));
        // Throttled again a period later although paced: slower still.
        let again = throttled + Duration::from_secs(2);
        pacer.on_throttled(1, again);
        assert!(
            pacer
                .interval(again)
                .is_some_and(|i| i > Duration::from_micros(5250))
        );
        assert_eq!(pacer.interval(again + PACE_FORGET_AFTER), None, "forgotten");
        let off = Pacer::new(false);
        off.on_accepted(start);
        off.on_throttled(1, throttled);
        assert_eq!(
            off.interval(throttled),
            None,
            "adaptive_concurrency(false) turns it off"
        );
    }

    #[tokio::test]
    async fn limiter_halves_and_recovers() {
        let l = Limiter::new(8, true);
        l.on_throttle();
        assert_eq!(lock(&l.state).limit, 4);
        l.on_throttle();
        l.on_throttle();
        l.on_throttle();
        assert_eq!(lock(&l.state).limit, 1);
        for _ in 0..100 {
            l.on_success();
        }
        assert_eq!(lock(&l.state).limit, 8);
        let l = Arc::new(l);
        let a = l.clone().acquire_owned().await;
        assert_eq!(lock(&l.state).in_flight, 1);
        drop(a);
        assert_eq!(lock(&l.state).in_flight, 0);
    }
}
