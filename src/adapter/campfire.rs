//! The current-Campfire adapter: serves the outgoing webhook at `POST /campfire/<secret>`.
//!
//! Campfire waits 7 seconds for the answer. A reply ready within 5 seconds goes back in the
//! HTTP answer as HTML; otherwise the bot answers at once that it is working on it and posts
//! the result to the room through the bot API when it is done (a late reply counts as work in
//! flight: a stopping bot posts it before it exits).
//!
//! The speaker is the webhook's user id; their display name is only shown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use campfire_client::once::{Reply, WebhookEvent};
use campfire_client::{addressed_command, text_to_html};

use super::Chat;
use crate::dispatch::Bot;
use crate::identity::Speaker;
use crate::lifecycle::Lifecycle;

/// Campfire gives up after 7 s; answer well before.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// Webhook bodies are small; anything larger is refused.
const MAX_BODY: usize = 64 * 1024;

struct Shared {
    bot: Arc<Bot>,
    /// Where late replies are posted.
    poster: Chat,
    secret: String,
    lifecycle: Lifecycle,
}

/// The webhook route, to merge into the bot's listener.
pub fn routes(bot: Arc<Bot>, poster: Chat, secret: String, lifecycle: Lifecycle) -> Router {
    let shared = Arc::new(Shared {
        bot,
        poster,
        secret,
        lifecycle,
    });
    Router::new()
        .route("/campfire/{secret}", post(webhook))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

async fn webhook(
    State(shared): State<Arc<Shared>>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    if !crate::listener::secret_matches(&secret, &shared.secret) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if shared.lifecycle.is_stopping() {
        return (StatusCode::SERVICE_UNAVAILABLE, "the bot is stopping\n").into_response();
    }
    let event = match WebhookEvent::from_json(&body) {
        Ok(event) => event,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "expected a Campfire webhook payload\n",
            )
                .into_response();
        }
    };
    let speaker = Speaker::campfire(
        event.user.id.get(),
        event.user.name.clone(),
        event.room.id.get(),
    );
    let text = event.text().to_owned();
    let text = addressed_command(&text, shared.bot.name()).unwrap_or(text);

    let bot = shared.bot.clone();
    let work = shared.lifecycle.begin();
    let mut task = tokio::spawn(async move { bot.handle(&speaker, &text).await });
    let reply = match tokio::time::timeout(ANSWER_WITHIN, &mut task).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(_)) => "Sorry, that command failed inside the bot.".to_owned(),
        Err(_) => {
            let poster = shared.poster.clone();
            let health = shared.bot.health().clone();
            let room = event.room.id;
            tokio::spawn(async move {
                let _work = work;
                let reply = task
                    .await
                    .unwrap_or_else(|_| "Sorry, that command failed inside the bot.".to_owned());
                if let Err(err) = poster.post(room.get(), &reply, &health).await {
                    tracing::error!(room = %room, error = %err, "could not post a late reply to Campfire");
                }
            });
            "Working on it, I will post the answer here.".to_owned()
        }
    };
    into_response(Reply::html(text_to_html(&reply)))
}

fn into_response(reply: Reply) -> Response {
    let (parts, body) = reply.into_http().into_parts();
    Response::from_parts(parts, axum::body::Body::from(body))
}
