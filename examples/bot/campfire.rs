//! The current-Campfire adapter: serves the outgoing webhook at `POST /campfire/<secret>`.
//!
//! Campfire waits 7 seconds for the answer. A reply ready within 5 seconds goes back in the
//! HTTP answer as HTML; otherwise the bot answers at once that it is working on it and posts
//! the result to the room through the bot API when it is done.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use campfire_client::once::{BotClient, Reply, WebhookEvent};
use campfire_client::{addressed_command, text_to_html};

use crate::dispatch::{Bot, Speaker};

/// Campfire gives up after 7 s; answer well before.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// Webhook bodies are small; anything larger is refused.
const MAX_BODY: usize = 64 * 1024;

struct Shared {
    bot: Arc<Bot>,
    poster: BotClient,
    secret: String,
}

/// Serves the webhook on `listener` until the process ends.
pub async fn serve(
    bot: Arc<Bot>,
    poster: BotClient,
    secret: String,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let shared = Arc::new(Shared {
        bot,
        poster,
        secret,
    });
    let app = Router::new()
        .route("/campfire/{secret}", post(webhook))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared);
    axum::serve(listener, app).await
}

async fn webhook(
    State(shared): State<Arc<Shared>>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    if !constant_time_eq(secret.as_bytes(), shared.secret.as_bytes()) {
        return StatusCode::NOT_FOUND.into_response();
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
    let speaker = Speaker {
        name: event.user.name.clone(),
        id: Some(event.user.id.to_string()),
    };
    let text = event.text().to_owned();
    let text = addressed_command(&text, shared.bot.name()).unwrap_or(text);

    let bot = shared.bot.clone();
    let mut task = tokio::spawn(async move { bot.handle(&speaker, &text).await });
    let reply = match tokio::time::timeout(ANSWER_WITHIN, &mut task).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(_)) => "Sorry, that command failed inside the bot.".to_owned(),
        Err(_) => {
            let poster = shared.poster.clone();
            let room = event.room.id;
            tokio::spawn(async move {
                let reply = task
                    .await
                    .unwrap_or_else(|_| "Sorry, that command failed inside the bot.".to_owned());
                if let Err(err) = poster.post_html(room, &text_to_html(&reply)).await {
                    eprintln!("opsbot: could not post a late reply to Campfire: {err}");
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

/// Compares secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
