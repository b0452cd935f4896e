//! Campfire classic: `.json` endpoints with Basic auth and the `\r`-framed live stream.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, header};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Shared;
use super::http_util::Reply;
use super::http_util::{self, json as json_reply, status, text};
use super::state::{FakeAttachment, FakeMessage, State};
use crate::classic::MessageType;
use crate::ids::{MessageId, RoomId, UserId};
use crate::mention::text_to_html;

const RECENT_MAX: usize = 100;

fn classic_time(t: &DateTime<Utc>) -> String {
    t.format("%Y/%m/%d %H:%M:%S +0000").to_string()
}

/// A message as classic Campfire renders it; the stream sends `starred` as a string.
pub(crate) fn message_json(message: &FakeMessage, starred_as_string: bool) -> Value {
    let body = match &message.kind {
        MessageType::Enter
        | MessageType::Leave
        | MessageType::Lock
        | MessageType::Unlock
        | MessageType::Timestamp => Value::Null,
        MessageType::Sound => json!(message.plain.trim().trim_start_matches("/play ").trim()),
        _ => json!(message.plain),
    };
    let starred = if starred_as_string {
        json!(message.starred.to_string())
    } else {
        json!(message.starred)
    };
    json!({
        "id": message.id,
        "room_id": message.room,
        "user_id": message.user,
        "body": body,
        "type": message.kind.as_str(),
        "starred": starred,
        "created_at": classic_time(&message.created_at),
    })
}

fn user_json(state: &State, id: UserId, with_token: Option<&str>) -> Option<Value> {
    let user = state.users.get(&id)?;
    let mut value = json!({
        "id": user.id,
        "name": user.name,
        "email_address": user.email_address,
        "admin": user.role == "administrator",
        "type": "Member",
        "avatar_url": null,
        "created_at": "2013/01/02 03:04:05 +0000",
    });
    if let (Some(token), Some(object)) = (with_token, value.as_object_mut()) {
        object.insert("api_auth_token".into(), json!(token));
    }
    Some(value)
}

fn room_json(state: &State, room: RoomId, with_users: bool) -> Option<Value> {
    let r = state.rooms.get(&room)?;
    let mut value = json!({
        "id": r.id,
        "name": r.name,
        "topic": r.topic,
        "membership_limit": 60,
        "full": false,
        "open_to_guests": false,
        "active_token_value": null,
        "locked": r.locked,
        "created_at": "2011/01/10 12:00:00 +0000",
        "updated_at": "2013/05/14 08:00:00 +0000",
    });
    if let (true, Some(object)) = (with_users, value.as_object_mut()) {
        let users: Vec<Value> = r
            .classic_joined
            .iter()
            .filter_map(|u| user_json(state, *u, None))
            .collect();
        object.insert("users".into(), Value::Array(users));
    }
    Some(value)
}

pub(crate) async fn handle(
    shared: &Arc<Shared>,
    method: &Method,
    segments: &[String],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    if !http_util::basic_auth_matches(headers, &shared.api_token) {
        return text(401, "HTTP Basic: Access denied.\n");
    }
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let me = shared.bot_user;
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["account.json"]) => {
            let state = shared.state();
            let owner = state
                .users
                .values()
                .find(|u| u.role == "administrator")
                .map(|u| u.id);
            json_reply(
                200,
                &json!({ "account": {
                    "id": 80001, "name": "Fake Campfire", "subdomain": "fake", "plan": "premium",
                    "owner_id": owner, "time_zone": "UTC", "storage": 0,
                    "created_at": "2009/11/22 19:11:41 +0000", "updated_at": "2013/05/14 08:00:00 +0000",
                }}),
            )
        }
        ("GET", ["rooms.json"]) => rooms(shared, |_| true),
        ("POST", ["rooms.json"]) => create_room(shared, &body),
        ("GET", ["presence.json"]) => rooms(shared, |r| r.classic_joined.contains(&me)),
        ("GET", ["users", file]) => {
            let state = shared.state();
            let (id, token) = match file.strip_suffix(".json") {
                Some("me") => (Some(me), Some(shared.api_token.as_str())),
                Some(id) => (id.parse().ok().map(UserId::new), None),
                None => (None, None),
            };
            match id.and_then(|id| user_json(&state, id, token)) {
                Some(user) => json_reply(200, &json!({ "user": user })),
                None => status(404),
            }
        }
        ("GET", ["search"]) => {
            let term = query
                .iter()
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v.to_lowercase());
            let Some(term) = term.filter(|t| !t.trim().is_empty()) else {
                return status(422);
            };
            let state = shared.state();
            let hits: Vec<Value> = state
                .messages
                .iter()
                .filter(|m| m.plain.to_lowercase().contains(&term))
                .map(|m| message_json(m, false))
                .collect();
            json_reply(200, &json!({ "messages": hits }))
        }
        (verb, ["messages", id, "star.json"]) => {
            let Ok(id) = id.parse::<u64>().map(MessageId::new) else {
                return status(404);
            };
            let mut state = shared.state();
            match (verb, state.message_mut(id)) {
                ("POST", Some(m)) => {
                    m.starred = true;
                    status(200)
                }
                ("DELETE", Some(m)) => {
                    m.starred = false;
                    status(200)
                }
                (_, None) => status(404),
                _ => status(405),
            }
        }
        (verb, ["room", file]) => {
            let Some(room) = file
                .strip_suffix(".json")
                .and_then(|id| id.parse::<u64>().ok())
                .map(RoomId::new)
            else {
                return status(404);
            };
            match verb {
                "GET" => match room_json(&shared.state(), room, true) {
                    Some(r) => json_reply(200, &json!({ "room": r })),
                    None => status(404),
                },
                "PUT" => update_room(shared, room, &body),
                _ => status(405),
            }
        }
        (verb, ["room", id, rest @ ..]) => {
            let Ok(room) = id.parse::<u64>().map(RoomId::new) else {
                return status(404);
            };
            let exists = shared
                .state()
                .rooms
                .get(&room)
                .is_some_and(|r| r.name.is_some());
            if !exists {
                return status(404);
            }
            room_action(shared, verb, room, rest, query, headers, &body)
        }
        _ => status(404),
    }
}

fn rooms(shared: &Shared, keep: impl Fn(&super::FakeRoom) -> bool) -> Reply {
    let state = shared.state();
    let rooms: Vec<Value> = state
        .rooms
        .values()
        .filter(|r| r.name.is_some() && keep(r))
        .filter_map(|r| room_json(&state, r.id, false))
        .collect();
    json_reply(200, &json!({ "rooms": rooms }))
}

fn create_room(shared: &Shared, body: &Bytes) -> Reply {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return status(400);
    };
    let Some(name) = value["room"]["name"]
        .as_str()
        .filter(|n| !n.trim().is_empty())
    else {
        return status(422);
    };
    let topic = value["room"]["topic"].as_str().map(str::to_owned);
    let mut state = shared.state();
    let members = state.users.keys().copied().collect();
    let id = state.add_room(Some(name), members);
    if let Some(room) = state.rooms.get_mut(&id) {
        room.topic = topic;
    }
    match room_json(&state, id, false) {
        Some(room) => json_reply(201, &json!({ "room": room })),
        None => status(500),
    }
}

fn update_room(shared: &Shared, room: RoomId, body: &Bytes) -> Reply {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return status(400);
    };
    let name = value["room"]["name"].as_str().map(str::to_owned);
    let topic = value["room"]["topic"].as_str().map(str::to_owned);
    if name.is_none() && topic.is_none() || name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return status(422);
    }
    let mut state = shared.state();
    let Some(r) = state.rooms.get_mut(&room) else {
        return status(404);
    };
    if let Some(name) = name {
        r.name = Some(name);
    }
    if let Some(topic) = topic {
        r.topic = Some(topic);
    }
    status(200)
}

fn room_action(
    shared: &Arc<Shared>,
    verb: &str,
    room: RoomId,
    rest: &[&str],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &Bytes,
) -> Reply {
    let me = shared.bot_user;
    let system = |kind: MessageType| {
        shared.post(room, Some(me), kind, String::new(), String::new(), None);
        status(200)
    };
    match (verb, rest) {
        ("POST", ["join.json"]) => {
            let joined = {
                let mut state = shared.state();
                match state.rooms.get_mut(&room) {
                    Some(r) if !r.classic_joined.contains(&me) => {
                        r.classic_joined.push(me);
                        true
                    }
                    _ => false,
                }
            };
            if joined {
                system(MessageType::Enter)
            } else {
                status(200)
            }
        }
        ("POST", ["leave.json"]) => {
            if let Some(r) = shared.state().rooms.get_mut(&room) {
                r.classic_joined.retain(|u| *u != me);
            }
            system(MessageType::Leave)
        }
        ("POST", ["lock.json"]) => {
            if let Some(r) = shared.state().rooms.get_mut(&room) {
                r.locked = true;
            }
            system(MessageType::Lock)
        }
        ("POST", ["unlock.json"]) => {
            if let Some(r) = shared.state().rooms.get_mut(&room) {
                r.locked = false;
            }
            system(MessageType::Unlock)
        }
        ("POST", ["speak.json"]) => speak(shared, room, body),
        ("GET", ["recent.json"]) => recent(shared, room, query),
        ("GET", ["live.json"]) => live(shared, room),
        ("GET", ["transcript.json"]) => transcript(shared, room, Utc::now().date_naive()),
        ("GET", ["transcript", y, m, d]) => {
            let date = d.strip_suffix(".json").and_then(|d| {
                chrono::NaiveDate::parse_from_str(&format!("{y}-{m}-{d}"), "%Y-%m-%d").ok()
            });
            match date {
                Some(date) => transcript(shared, room, date),
                None => status(404),
            }
        }
        ("GET", ["uploads.json"]) => {
            let state = shared.state();
            let uploads: Vec<Value> = state
                .room_messages(room)
                .into_iter()
                .rev()
                .filter(|m| m.attachment.is_some())
                .take(5)
                .filter_map(|m| upload_json(shared, m))
                .collect();
            json_reply(200, &json!({ "uploads": uploads }))
        }
        ("POST", ["uploads.json"]) => {
            let Some(part) = http_util::multipart_file(headers, body, "upload") else {
                return status(422);
            };
            let message = shared.post(
                room,
                Some(me),
                MessageType::Upload,
                String::new(),
                part.file_name.clone(),
                Some(FakeAttachment {
                    file_name: part.file_name,
                    content_type: part.content_type,
                    data: part.data,
                }),
            );
            match upload_json(shared, &message) {
                Some(upload) => json_reply(201, &json!({ "upload": upload })),
                None => status(500),
            }
        }
        ("GET", ["messages", id, "upload.json"]) => {
            let state = shared.state();
            let message = id.parse::<u64>().ok().and_then(|id| {
                state
                    .messages
                    .iter()
                    .find(|m| m.id.get() == id && m.room == room)
            });
            match message.and_then(|m| upload_json(shared, m)) {
                Some(upload) => json_reply(200, &json!({ "upload": upload })),
                None => status(404),
            }
        }
        _ => status(404),
    }
}

fn upload_json(shared: &Shared, message: &FakeMessage) -> Option<Value> {
    let attachment = message.attachment.as_ref()?;
    Some(json!({
        "id": message.id,
        "name": attachment.file_name,
        "room_id": message.room,
        "user_id": message.user,
        "byte_size": attachment.data.len(),
        "content_type": attachment.content_type,
        "full_url": shared.base_url.join(&format!("/room/{}/uploads/{}/{}", message.room, message.id, attachment.file_name)).map(|u| u.to_string()).ok(),
        "created_at": classic_time(&message.created_at),
    }))
}

fn speak(shared: &Shared, room: RoomId, body: &Bytes) -> Reply {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return status(400);
    };
    let Some(text) = value["message"]["body"]
        .as_str()
        .filter(|b| !b.trim().is_empty())
    else {
        return status(422);
    };
    let kind = MessageType::from_api(value["message"]["type"].as_str().unwrap_or("TextMessage"));
    let (html, plain) = match kind {
        MessageType::Text | MessageType::Paste | MessageType::Tweet => {
            (text_to_html(text), text.to_owned())
        }
        MessageType::Sound => (format!("/play {text}"), text.to_owned()),
        _ => return status(422),
    };
    let message = shared.post(room, Some(shared.bot_user), kind, html, plain, None);
    json_reply(201, &json!({ "message": message_json(&message, false) }))
}

fn recent(shared: &Shared, room: RoomId, query: &[(String, String)]) -> Reply {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.parse::<u64>())
    };
    let limit = match param("limit") {
        None => RECENT_MAX,
        Some(Ok(n)) => usize::try_from(n)
            .unwrap_or(RECENT_MAX)
            .clamp(1, RECENT_MAX),
        Some(Err(_)) => return status(400),
    };
    let since = match param("since_message_id") {
        None => None,
        Some(Ok(id)) => Some(MessageId::new(id)),
        Some(Err(_)) => return status(400),
    };
    let state = shared.state();
    let all = state.room_messages(room);
    let selected: Vec<&FakeMessage> = match since {
        // Oldest first after the id, so a client can page forward.
        Some(since) => all
            .into_iter()
            .filter(|m| m.id > since)
            .take(limit)
            .collect(),
        None => {
            let skip = all.len().saturating_sub(limit);
            all.into_iter().skip(skip).collect()
        }
    };
    let messages: Vec<Value> = selected
        .into_iter()
        .map(|m| message_json(m, false))
        .collect();
    json_reply(200, &json!({ "messages": messages }))
}

fn transcript(shared: &Shared, room: RoomId, date: chrono::NaiveDate) -> Reply {
    let state = shared.state();
    let messages: Vec<Value> = state
        .room_messages(room)
        .into_iter()
        .filter(|m| m.created_at.date_naive() == date)
        .map(|m| message_json(m, false))
        .collect();
    json_reply(200, &json!({ "messages": messages }))
}

enum LiveEvent {
    Closed,
    KeepAlive,
    Received(Result<(RoomId, MessageId), tokio::sync::broadcast::error::RecvError>),
}

struct LiveState {
    shared: Arc<Shared>,
    room: RoomId,
    rx: tokio::sync::broadcast::Receiver<(RoomId, MessageId)>,
    closed: tokio::sync::watch::Receiver<bool>,
    keep_alive: tokio::time::Interval,
    ended: bool,
    cut_next: Option<Bytes>,
    stalled: bool,
}

fn live(shared: &Arc<Shared>, room: RoomId) -> Reply {
    let joined = shared
        .state()
        .rooms
        .get(&room)
        .is_some_and(|r| r.classic_joined.contains(&shared.bot_user));
    if !joined {
        return text(200, "Access Denied");
    }
    let mut keep_alive = tokio::time::interval(shared.keep_alive);
    keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    keep_alive.reset();
    let state = LiveState {
        shared: shared.clone(),
        room,
        rx: shared.live.subscribe(),
        closed: shared.closed.clone(),
        keep_alive,
        ended: false,
        cut_next: None,
        stalled: false,
    };
    let stream = futures_util::stream::unfold(state, |mut state| async move {
        if state.ended {
            return None;
        }
        if state.cut_next.take().is_some() {
            state.ended = true;
            let err = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: stream cut");
            return Some((Err(err), state));
        }
        if state.stalled {
            // Fault: silent until the client hangs up (or the fake stops).
            let _ = state.closed.wait_for(|closed| *closed).await;
            return None;
        }
        loop {
            let event = tokio::select! {
                _ = state.closed.wait_for(|closed| *closed) => LiveEvent::Closed,
                _ = state.keep_alive.tick() => LiveEvent::KeepAlive,
                received = state.rx.recv() => LiveEvent::Received(received),
            };
            match event {
                LiveEvent::Closed => return None,
                LiveEvent::KeepAlive => return Some((Ok(Bytes::from_static(b" ")), state)),
                LiveEvent::Received(Ok((room, id))) if room == state.room => {
                    let frame = {
                        let state = state.shared.state();
                        state
                            .messages
                            .iter()
                            .find(|m| m.id == id)
                            .map(|m| format!("{}\r", message_json(m, true)))
                    };
                    let Some(frame) = frame else { continue };
                    if state.shared.roll(state.shared.stream_stall_probability()) {
                        state.stalled = true;
                        return Some((Ok(Bytes::new()), state));
                    }
                    if state.shared.roll(state.shared.stream_cut_probability()) {
                        let half = frame.len() / 2;
                        let first = Bytes::copy_from_slice(
                            frame.as_bytes().get(..half).unwrap_or_default(),
                        );
                        state.cut_next = Some(Bytes::new());
                        return Some((Ok(first), state));
                    }
                    return Some((Ok(Bytes::from(frame)), state));
                }
                LiveEvent::Received(Err(tokio::sync::broadcast::error::RecvError::Closed)) => {
                    return None;
                }
                LiveEvent::Received(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                    // This connection fell behind and missed messages: skipping them silently would lose
                    // them, so end it as a slow consumer's connection is ended; a client catches up from
                    // recent.json when it reconnects.
                    state.ended = true;
                    let err = std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "the live stream fell behind",
                    );
                    return Some((Err(err), state));
                }
                LiveEvent::Received(Ok(_)) => continue,
            }
        }
    });
    let mut response = Reply::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
