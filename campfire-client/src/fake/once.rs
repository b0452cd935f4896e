//! The current Campfire's bot API: `/rooms/{room_id}/{bot_key}/messages...`, and webhook delivery.
//!
//! Written from `basecamp/once-campfire`: `config/routes.rb` (the bot routes),
//! `app/controllers/messages/by_bots_controller.rb` (post, list, update, delete),
//! `app/controllers/messages/boosts/by_bots_controller.rb` (boost, unboost),
//! `app/views/messages/_message.json.jbuilder` and `app/views/messages/boosts/_boost.json.jbuilder` (the JSON),
//! `app/models/message/pagination.rb` (40 per page) and `app/models/webhook.rb` (the webhook and its answer).

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, header};
use serde_json::json;
use url::Url;

use super::Shared;
use super::http_util::Reply;
use super::http_util::{self, json as json_reply, login_redirect, status};
use super::state::{FakeAttachment, FakeMessage, State, plain_text};
use crate::classic::MessageType;
use crate::ids::{MessageId, RoomId};

const PAGE_SIZE: usize = 40;

pub(crate) async fn handle(
    shared: &Arc<Shared>,
    method: &Method,
    segments: &[String],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    let (Some(room), Some(key), Some("messages")) = (
        segments.get(1),
        segments.get(2),
        segments.get(3).map(String::as_str),
    ) else {
        return status(404);
    };
    if key != &shared.bot_key {
        return login_redirect(&shared.base_url);
    }
    let Ok(room) = room.parse::<u64>().map(RoomId::new) else {
        return status(404);
    };
    {
        let state = shared.state();
        let member = state
            .rooms
            .get(&room)
            .is_some_and(|r| r.members.contains(&shared.bot_user));
        if !member {
            return status(404);
        }
    }
    let rest: Vec<&str> = segments.iter().skip(4).map(String::as_str).collect();
    let message_id = rest
        .first()
        .and_then(|id| id.parse::<u64>().ok())
        .map(MessageId::new);
    match (method.as_str(), rest.as_slice(), message_id) {
        ("POST", [], _) => create(shared, room, headers, &body),
        ("GET", [], _) => list(shared, room, query),
        ("PUT" | "PATCH", [_], Some(id)) => update(shared, room, id, &body),
        ("DELETE", [_], Some(id)) => delete(shared, room, id),
        ("POST", [_, "boosts"], Some(id)) => boost(shared, room, id, &body),
        ("DELETE", [_, "boosts", boost], Some(id)) => match boost.parse::<u64>() {
            Ok(boost) => unboost(shared, room, id, boost),
            Err(_) => status(404),
        },
        _ => status(404),
    }
}

fn create(shared: &Shared, room: RoomId, headers: &HeaderMap, body: &Bytes) -> Reply {
    let message = if let Some(part) = http_util::multipart_file(headers, body, "attachment") {
        shared.post(
            room,
            Some(shared.bot_user),
            MessageType::Upload,
            String::new(),
            part.file_name.clone(),
            Some(FakeAttachment {
                file_name: part.file_name,
                content_type: part.content_type,
                data: part.data,
            }),
        )
    } else {
        let Ok(text) = std::str::from_utf8(body) else {
            return status(422);
        };
        if text.trim().is_empty() {
            return status(422);
        }
        let kind = if text.trim().starts_with("/play ") {
            MessageType::Sound
        } else {
            MessageType::Text
        };
        shared.post(
            room,
            Some(shared.bot_user),
            kind,
            text.to_owned(),
            plain_text(text),
            None,
        )
    };
    let location = shared
        .base_url
        .join(&format!("/messages/{}", message.id))
        .map(|u| u.to_string())
        .unwrap_or_default();
    http_util::with_header(status(201), header::LOCATION, &location)
}

pub(crate) fn message_json(state: &State, base: &Url, message: &FakeMessage) -> serde_json::Value {
    let creator = message.user.and_then(|id| state.users.get(&id));
    json!({
        "id": message.id,
        "created_at": message.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "body": { "plain_text": message.plain, "html": message.html },
        "creator": creator.map(|u| user_json(base, u)),
        "room": { "id": message.room },
        // `room_message_url(message.room, message)`.
        "url": message_url(base, message.room, message.id),
    })
}

/// `room_message_url`: `/rooms/{room}/messages/{id}` (the web app's `@{id}` path is the webhook's).
fn message_url(base: &Url, room: RoomId, id: MessageId) -> Option<String> {
    base.join(&format!("/rooms/{room}/messages/{id}"))
        .map(|u| u.to_string())
        .ok()
}

/// The `users/_user` partial: id, name, role, avatar URL.
fn user_json(base: &Url, user: &super::FakeUser) -> serde_json::Value {
    json!({
        "id": user.id, "name": user.name, "role": user.role,
        "avatar_url": base.join(&format!("/users/{}/avatar", user.id)).map(|u| u.to_string()).ok(),
    })
}

fn list(shared: &Shared, room: RoomId, query: &[(String, String)]) -> Reply {
    // `params[:before].present?`: an empty value is no cursor.
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
    };
    let state = shared.state();
    let all = state.room_messages(room);
    let total = all.len();
    // `@room.messages.find(params[:before])`: the cursor is a message of the room, or the answer is 404.
    let find = |raw: String| {
        raw.trim()
            .parse::<u64>()
            .ok()
            .and_then(|id| all.iter().copied().find(|m| m.id.get() == id))
    };
    let (before, after) = match (param("before"), param("after")) {
        (Some(raw), _) => match find(raw) {
            Some(message) => (Some(message.id), None),
            None => return status(404),
        },
        (None, Some(raw)) => match find(raw) {
            Some(message) => (None, Some(message.id)),
            None => return status(404),
        },
        (None, None) => (None, None),
    };
    let (page, more, direction): (Vec<&FakeMessage>, bool, &str) = match after {
        Some(after) => {
            let newer: Vec<_> = all.iter().copied().filter(|m| m.id > after).collect();
            let more = newer.len() > PAGE_SIZE;
            (newer.into_iter().take(PAGE_SIZE).collect(), more, "after")
        }
        None => {
            let older: Vec<_> = all
                .iter()
                .copied()
                .filter(|m| before.is_none_or(|b| m.id < b))
                .collect();
            let skip = older.len().saturating_sub(PAGE_SIZE);
            (
                older.iter().skip(skip).copied().collect(),
                skip > 0,
                "before",
            )
        }
    };
    let cursor = if direction == "after" {
        page.last().map(|m| m.id)
    } else {
        page.first().map(|m| m.id)
    };
    let messages: Vec<_> = page
        .iter()
        .map(|m| message_json(&state, &shared.base_url, m))
        .collect();
    let mut response = json_reply(200, &serde_json::Value::Array(messages));
    response = http_util::with_header(
        response,
        header::HeaderName::from_static("x-total-count"),
        &total.to_string(),
    );
    if let (true, Some(cursor)) = (more, cursor) {
        let link = format!(
            "<{}rooms/{room}/{}/messages?{direction}={cursor}>; rel=\"next\"",
            shared.base_url, shared.bot_key
        );
        response = http_util::with_header(response, header::LINK, &link);
    }
    response
}

fn update(shared: &Shared, room: RoomId, id: MessageId, body: &Bytes) -> Reply {
    let mut state = shared.state();
    let bot = shared.bot_user;
    // `set_message` (404), then `ensure_can_administer` (403); the body is not checked on update.
    let Some(message) = state.message_mut(id).filter(|m| m.room == room) else {
        return status(404);
    };
    if message.user != Some(bot) {
        return status(403);
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return status(422);
    };
    message.html = text.to_owned();
    message.plain = plain_text(text);
    let message = message.clone();
    json_reply(200, &message_json(&state, &shared.base_url, &message))
}

fn delete(shared: &Shared, room: RoomId, id: MessageId) -> Reply {
    let mut state = shared.state();
    let Some(message) = state.messages.iter().find(|m| m.id == id && m.room == room) else {
        return status(404);
    };
    if message.user != Some(shared.bot_user) {
        return status(403);
    }
    state.messages.retain(|m| m.id != id);
    status(204)
}

fn boost(shared: &Shared, room: RoomId, id: MessageId, body: &Bytes) -> Reply {
    let mut state = shared.state();
    let bot = shared.bot_user;
    // `set_message` (404) runs before `ensure_content_present` (422).
    if !state.messages.iter().any(|m| m.id == id && m.room == room) {
        return status(404);
    }
    // The raw body is the content, stored as sent; a blank one is refused.
    let Ok(content) = std::str::from_utf8(body) else {
        return status(422);
    };
    if content.trim().is_empty() {
        return status(422);
    }
    let boost_id = state.next_boost_id();
    let boost = super::FakeBoost {
        id: boost_id,
        content: content.to_owned(),
        booster: bot,
        created_at: chrono::Utc::now(),
    };
    if let Some(message) = state.message_mut(id) {
        message.boosts.push(boost.clone());
    }
    json_reply(201, &boost_json(&state, &shared.base_url, room, id, &boost))
}

/// The `messages/boosts/_boost` partial.
pub(crate) fn boost_json(
    state: &State,
    base: &Url,
    room: RoomId,
    message: MessageId,
    boost: &super::FakeBoost,
) -> serde_json::Value {
    json!({
        "id": boost.id,
        "content": boost.content,
        "created_at": boost.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "booster": state.users.get(&boost.booster).map(|u| user_json(base, u)),
        "message": { "id": message, "url": message_url(base, room, message) },
    })
}

fn unboost(shared: &Shared, room: RoomId, id: MessageId, boost: u64) -> Reply {
    let mut state = shared.state();
    let bot = shared.bot_user;
    let Some(message) = state.message_mut(id).filter(|m| m.room == room) else {
        return status(404);
    };
    // `@message.boosts.find_by!(id:, booster: Current.user)`: a boost that is not the bot's own is not
    // found either (404, never 403).
    let Some(index) = message
        .boosts
        .iter()
        .position(|b| b.id.get() == boost && b.booster == bot)
    else {
        return status(404);
    };
    message.boosts.remove(index);
    status(204)
}

/// Posts the payload to the bot and applies its answer as Campfire does.
pub(crate) async fn deliver_webhook(
    shared: &Shared,
    url: Url,
    room: RoomId,
    payload: serde_json::Value,
) -> Option<FakeMessage> {
    let sent = shared.http.post(url).json(&payload).send().await;
    let response = match sent {
        Ok(response) => response,
        Err(err) if err.is_timeout() => {
            let text = format!(
                "Failed to respond within {} seconds",
                shared.webhook_timeout.as_secs()
            );
            return Some(shared.post(
                room,
                Some(shared.bot_user),
                MessageType::Text,
                text.clone(),
                text,
                None,
            ));
        }
        Err(_) => return None,
    };
    let code = response.status().as_u16();
    let mime = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let body = match tokio::time::timeout(shared.webhook_timeout, response.bytes()).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return None,
        Err(_) => {
            let text = format!(
                "Failed to respond within {} seconds",
                shared.webhook_timeout.as_secs()
            );
            return Some(shared.post(
                room,
                Some(shared.bot_user),
                MessageType::Text,
                text.clone(),
                text,
                None,
            ));
        }
    };
    match mime.as_deref() {
        Some("text/plain" | "text/html") if code == 200 => {
            let html = String::from_utf8_lossy(&body).into_owned();
            let plain = plain_text(&html);
            Some(shared.post(
                room,
                Some(shared.bot_user),
                MessageType::Text,
                html,
                plain,
                None,
            ))
        }
        Some(mime) if !mime.is_empty() => {
            let extension = mime
                .rsplit('/')
                .next()
                .map(|s| s.split('+').next().unwrap_or(s))
                .unwrap_or("bin");
            let file_name = format!("attachment.{extension}");
            Some(shared.post(
                room,
                Some(shared.bot_user),
                MessageType::Upload,
                String::new(),
                file_name.clone(),
                Some(FakeAttachment {
                    file_name,
                    content_type: mime.to_owned(),
                    data: body,
                }),
            ))
        }
        _ => None,
    }
}
