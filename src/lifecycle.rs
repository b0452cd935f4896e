//! Stopping well: on SIGTERM or SIGINT the bot stops taking new work, finishes what is in
//! flight (late replies included) within a bound, and exits 0.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// Whether the bot is stopping, and the work still in flight. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Lifecycle(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    stop: watch::Sender<bool>,
    in_flight: AtomicUsize,
    idle: Notify,
}

/// One piece of work in flight (a command being answered, a late reply being posted); it is
/// done when dropped.
#[derive(Debug)]
#[must_use = "the work counts as in flight only while this guard lives"]
pub struct Work(Lifecycle);

impl Drop for Work {
    fn drop(&mut self) {
        if self.0.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.0.idle.notify_waiters();
        }
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::new()
    }
}

impl Lifecycle {
    /// Running, nothing in flight.
    pub fn new() -> Self {
        Lifecycle(Arc::new(Inner {
            stop: watch::Sender::new(false),
            in_flight: AtomicUsize::new(0),
            idle: Notify::new(),
        }))
    }

    /// Stop taking new work (idempotent).
    pub fn stop(&self) {
        self.0.stop.send_replace(true);
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopping(&self) -> bool {
        *self.0.stop.borrow()
    }

    /// Resolves once the bot is stopping.
    pub async fn stopping(&self) {
        let mut rx = self.0.stop.subscribe();
        // Err only if the sender is gone, and it lives in `self`.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Marks a piece of work as in flight until the guard drops.
    pub fn begin(&self) -> Work {
        self.0.in_flight.fetch_add(1, Ordering::AcqRel);
        Work(self.clone())
    }

    /// How much work is in flight.
    pub fn in_flight(&self) -> usize {
        self.0.in_flight.load(Ordering::Acquire)
    }

    /// Resolves when nothing is in flight.
    pub async fn drained(&self) {
        loop {
            let idle = self.0.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Waits for SIGTERM or SIGINT, then stops taking new work; if work is still in flight
    /// `grace` later, the process exits with status 1 (a second signal exits at once). The
    /// signal handlers are in place when this returns.
    pub fn stop_on_signals(&self, grace: Duration) {
        let lifecycle = self.clone();
        let mut signals = Signals::install();
        tokio::spawn(async move {
            let signal = signals.next().await;
            tracing::info!(
                signal,
                in_flight = lifecycle.in_flight(),
                "stopping: no new work, finishing what is in flight"
            );
            lifecycle.stop();
            tokio::select! {
                () = tokio::time::sleep(grace) => {
                    tracing::error!(
                        in_flight = lifecycle.in_flight(),
                        grace_ms = grace.as_millis() as u64,
                        "work still in flight after the shutdown grace; exiting without it"
                    );
                }
                signal = signals.next() => {
                    tracing::warn!(signal, "second signal; exiting at once");
                }
            }
            std::process::exit(1);
        });
    }
}

/// SIGTERM and SIGINT handlers.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let term = signal(SignalKind::terminate());
            let int = signal(SignalKind::interrupt());
            if let Err(err) = term.as_ref().and(int.as_ref()) {
                tracing::warn!(error = %err, "cannot handle SIGTERM/SIGINT; they will stop the bot at once");
            }
            Signals {
                term: term.ok(),
                int: int.ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    /// The next signal, by name.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = recv(&mut self.term) => "SIGTERM",
                () = recv(&mut self.int) => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drained_waits_for_every_guard() {
        let life = Lifecycle::new();
        life.drained().await; // nothing in flight
        let first = life.begin();
        let second = life.begin();
        assert_eq!(life.in_flight(), 2);
        let waiter = tokio::spawn({
            let life = life.clone();
            async move { life.drained().await }
        });
        drop(first);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(second);
        waiter.await.unwrap();
        assert!(!life.is_stopping());
        life.stop();
        life.stopping().await;
        assert!(life.is_stopping());
    }
}
