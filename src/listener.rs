//! The bot's HTTP listener (`BOT_LISTEN`): `GET /healthz` always, plus the routes of what the
//! bot serves (the current-Campfire webhook). It listens on loopback by default; put a reverse
//! proxy with TLS in front of it (see the README, "Running it for your team").

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};

use crate::health::Health;
use crate::lifecycle::Lifecycle;

/// The routes every listener serves: `GET /healthz`.
pub fn health_routes(health: Arc<Health>) -> Router {
    Router::new().route(
        "/healthz",
        get(move || {
            let health = health.clone();
            async move { Json(health.report()) }
        }),
    )
}

/// Serves `router` on `listener` until the bot stops (then finishes the requests in flight).
///
/// # Errors
/// The listener failed for good.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    lifecycle: Lifecycle,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { lifecycle.stopping().await })
        .await
}

/// Compares a secret from a URL with the configured one without leaking, through timing,
/// where they differ.
pub fn secret_matches(given: &str, secret: &str) -> bool {
    let (a, b) = (given.as_bytes(), secret.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(secret_matches("s3cret", "s3cret"));
        assert!(!secret_matches("s3cre", "s3cret"));
        assert!(!secret_matches("s3cret!", "s3cret"));
        assert!(!secret_matches("", "s3cret"));
    }
}
