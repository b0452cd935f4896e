//! `POST /opsgenie/<secret>` and `POST /statuspage/<secret>`: check, answer at once, hand over.
//!
//! A wrong secret is 404 (compared in constant time, before the body is read), a body over
//! [`MAX_BODY`] is 413, a body that is not the vendor's payload is 400. Everything accepted is
//! answered 200 straight away (a duplicate too, so that the vendor stops retrying); posting
//! happens after the answer.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opsgenie_client::webhook::WebhookEvent;
use statuspage_client::webhook::Notification;

use super::{Accepted, Notifier};

/// The largest delivery accepted (64 KiB); vendors' payloads are far smaller.
pub const MAX_BODY: usize = 64 * 1024;

struct Shared {
    notifier: Arc<Notifier>,
    secret: String,
}

/// The notification routes, to merge into the bot's listener.
pub fn routes(notifier: Arc<Notifier>, secret: String) -> Router {
    let shared = Arc::new(Shared { notifier, secret });
    Router::new()
        .route("/opsgenie/{secret}", post(opsgenie))
        .route("/statuspage/{secret}", post(statuspage))
        .with_state(shared)
}

/// The body, once the secret is right: `Err` is the answer (404 or 413).
async fn checked_body(
    shared: &Shared,
    secret: &str,
    body: Body,
) -> Result<axum::body::Bytes, Response> {
    if !crate::listener::secret_matches(secret, &shared.secret) {
        return Err(StatusCode::NOT_FOUND.into_response());
    }
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "a webhook body is at most 64 KiB\n",
        )
            .into_response()
    })
}

fn answer(accepted: &Accepted) -> Response {
    let text = match accepted {
        Accepted::Queued => "ok\n",
        Accepted::Duplicate => "ok, already seen\n",
        Accepted::Skipped(why) => {
            tracing::debug!(why, "notification not posted");
            "ok, not posted\n"
        }
    };
    (StatusCode::OK, text).into_response()
}

async fn opsgenie(
    State(shared): State<Arc<Shared>>,
    Path(secret): Path<String>,
    body: Body,
) -> Response {
    let body = match checked_body(&shared, &secret, body).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match WebhookEvent::from_slice(&body) {
        Ok(event) => answer(&shared.notifier.alert(&event)),
        Err(err) => {
            tracing::warn!(error = %err, "refused an Opsgenie webhook body");
            (
                StatusCode::BAD_REQUEST,
                "expected an Opsgenie alert action payload\n",
            )
                .into_response()
        }
    }
}

async fn statuspage(
    State(shared): State<Arc<Shared>>,
    Path(secret): Path<String>,
    body: Body,
) -> Response {
    let body = match checked_body(&shared, &secret, body).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match Notification::from_slice(&body) {
        Ok(notification) => answer(&shared.notifier.status(&notification)),
        Err(err) => {
            tracing::warn!(error = %err, "refused a Statuspage webhook body");
            (
                StatusCode::BAD_REQUEST,
                "expected a Statuspage subscriber notification\n",
            )
                .into_response()
        }
    }
}
