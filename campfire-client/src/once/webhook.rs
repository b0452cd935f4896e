//! The outgoing webhook: what Campfire posts to a bot, and how the bot answers.

use serde::{Deserialize, Serialize};
use url::Url;

use super::BotKey;
use crate::client::RedactError;
use crate::error::{Error, Result, decode_json};
use crate::ids::{MessageId, RoomId, UserId};
use crate::mention::text_to_html;

/// The JSON Campfire posts to a bot's webhook URL.
///
/// Campfire sends one kind of delivery: a message that mentions the bot, or any message in a direct room
/// with it (`Webhook#payload` in `app/models/webhook.rb` of `basecamp/once-campfire`: `user`, `room` and
/// `message`, with no event type). Fields a server adds later are ignored.
///
/// ```
/// use campfire_client::once::WebhookEvent;
///
/// let body = br#"{"user":{"id":3,"name":"Ada"},
///   "room":{"id":7,"name":null,"path":"/rooms/7/12-FakeToken0001/messages"},
///   "message":{"id":99,"body":{"html":"status?","plain":"status?"},"path":"/rooms/7/@99"}}"#;
/// let event = WebhookEvent::from_json(body)?;
/// assert_eq!(event.text(), "status?");
/// assert_eq!(event.user.name, "Ada");
/// assert!(event.is_direct());
/// # Ok::<(), campfire_client::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// Who spoke.
    pub user: WebhookUser,
    /// Where.
    pub room: WebhookRoom,
    /// What.
    pub message: WebhookMessage,
}

/// The speaker of a webhook event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookUser {
    /// The user id.
    pub id: UserId,
    /// The display name.
    #[serde(default)]
    pub name: String,
}

/// The room of a webhook event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookRoom {
    /// The room id.
    pub id: RoomId,
    /// The room name; `None` for a direct room.
    #[serde(default)]
    pub name: Option<String>,
    /// The bot-messages path of the room (holds the bot key; its `Debug` is redacted).
    pub path: RoomPath,
}

/// The message of a webhook event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookMessage {
    /// The message id.
    pub id: MessageId,
    /// The message body.
    #[serde(default)]
    pub body: WebhookBody,
    /// The message's path in the web app (`/rooms/7/@99`).
    #[serde(default)]
    pub path: Option<String>,
}

/// The two forms of a webhook message's body.
#[serde_with::serde_as]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookBody {
    /// The stored rich-text HTML, mentions included; empty for an attachment-only message (the server sends
    /// `null` there: it has no rich text).
    #[serde(default)]
    #[serde_as(as = "serde_with::DefaultOnNull")]
    pub html: String,
    /// The text with every mention of the bot removed and the surrounding whitespace stripped; the file
    /// name for an attachment-only message.
    #[serde(default)]
    #[serde_as(as = "serde_with::DefaultOnNull")]
    pub plain: String,
}

impl WebhookEvent {
    /// Decodes a webhook request body.
    ///
    /// # Errors
    /// [`Error::Decode`] (status 0) when the body is not a webhook payload.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        // The payload holds the bot key (`room.path`), and a decode error quotes the start of the body:
        // cut every key-like path segment out of the error.
        decode_json(0, body).map_err(|err| match &err {
            Error::Decode {
                excerpt, source, ..
            } => keys_in_room_paths(&format!("{excerpt} {source}")).redact(err),
            _ => err,
        })
    }

    /// The plain text of the message, the bot's mention already removed.
    pub fn text(&self) -> &str {
        &self.message.body.plain
    }

    /// `true` in a direct (one-to-one) room, which has no name.
    pub fn is_direct(&self) -> bool {
        self.room.name.is_none()
    }

    /// The URL to post to this room later (`{base}{room.path}`). It holds the bot key: do not log it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `room.path` is not a bot-messages path.
    pub fn reply_url(&self, base: &Url) -> Result<Url> {
        self.room.path.url(base)
    }
}

/// The `{bot_key}` segments (and their tokens) of every `/rooms/{room_id}/{bot_key}` in a text, also one
/// cut short at the end of an excerpt.
fn keys_in_room_paths(text: &str) -> crate::client::Secrets {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("/rooms/") {
        let rest = text.get(at + "/rooms/".len()..).unwrap_or_default();
        let Some((room, rest)) = rest.split_once('/') else {
            continue;
        };
        if room.is_empty() || !room.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let key: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if let Some((_, token)) = key.split_once('-')
            && !token.is_empty()
        {
            found.push(token.to_owned());
            found.push(key.clone());
        }
    }
    crate::client::Secrets::new(found)
}

/// The bot-messages path of a room, `/rooms/{room_id}/{bot_key}/messages`, as sent in a webhook.
///
/// `Debug` redacts the key; [`RoomPath::bot_key`] recovers it for a [`super::BotClient`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomPath(String);

impl RoomPath {
    /// Wraps a path.
    pub fn new(path: impl Into<String>) -> Self {
        RoomPath(path.into())
    }

    fn parts(&self) -> Result<(RoomId, BotKey)> {
        let bad = || Error::invalid("room.path", "expected /rooms/{room_id}/{bot_key}/messages");
        let mut segments = self.0.trim_start_matches('/').split('/');
        let (Some("rooms"), Some(room), Some(key), Some("messages"), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(bad());
        };
        let room = room.parse::<u64>().map_err(|_| bad())?;
        let key = BotKey::parse(key).map_err(|_| bad())?;
        Ok((RoomId::new(room), key))
    }

    /// The room id in the path.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the path is not a bot-messages path.
    pub fn room_id(&self) -> Result<RoomId> {
        self.parts().map(|(room, _)| room)
    }

    /// The bot key in the path.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the path is not a bot-messages path.
    pub fn bot_key(&self) -> Result<BotKey> {
        self.parts().map(|(_, key)| key)
    }

    /// `{base}{path}`, keeping a path prefix of `base` (a server under `/chat/`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the path is not a bot-messages path.
    pub fn url(&self, base: &Url) -> Result<Url> {
        let (room, key) = self.parts()?;
        crate::client::join_segments(
            base,
            &["rooms", &room.to_string(), &key.expose(), "messages"],
        )
    }
}

impl std::fmt::Debug for RoomPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.parts() {
            Ok((room, _)) => write!(f, "RoomPath(\"/rooms/{room}/<bot-key>/messages\")"),
            Err(_) => f.write_str("RoomPath(<redacted>)"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ReplyKind {
    Text(String),
    Html(String),
    Nothing,
}

/// The bot's answer to a webhook, as the HTTP response Campfire expects.
///
/// Campfire posts a `200` with `text/plain` or `text/html` as a message from the bot, uploads **any other**
/// answer with a content type as an attachment (even error statuses), and posts nothing when there is no
/// content type. A `Reply` can only be one of the first and the last, so a bot cannot post a stray file:
///
/// | reply                 | status | content type                 | body                          |
/// |-----------------------|--------|------------------------------|-------------------------------|
/// | [`Reply::text`]       | 200    | `text/plain; charset=utf-8`  | the text, escaped, `<br>` for line breaks (Campfire stores it as HTML) |
/// | [`Reply::html`]       | 200    | `text/html; charset=utf-8`   | the HTML as given             |
/// | [`Reply::none`]       | 204    | none                         | empty                         |
///
/// An empty or whitespace-only text or HTML becomes [`Reply::none`].
///
/// ```
/// use campfire_client::once::Reply;
///
/// let reply = Reply::text("a < b");
/// assert_eq!(reply.status(), 200);
/// assert_eq!(reply.content_type(), Some("text/plain; charset=utf-8"));
/// assert_eq!(reply.body(), "a &lt; b");
/// assert_eq!(Reply::none().content_type(), None);
/// let http: http::Response<String> = Reply::html("<b>ok</b>").into_http();
/// assert_eq!(http.status(), 200);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply(ReplyKind);

impl Reply {
    /// Answer with plain text (shown exactly as written).
    pub fn text(text: impl AsRef<str>) -> Self {
        let text = text.as_ref();
        if text.trim().is_empty() {
            return Reply::none();
        }
        Reply(ReplyKind::Text(text_to_html(text)))
    }

    /// Answer with HTML (links, `<strong>`, `<em>`, mentions).
    pub fn html(html: impl Into<String>) -> Self {
        let html = html.into();
        if html.trim().is_empty() {
            return Reply::none();
        }
        Reply(ReplyKind::Html(html))
    }

    /// Answer with nothing: `204 No Content`, no content type.
    pub fn none() -> Self {
        Reply(ReplyKind::Nothing)
    }

    /// `true` when nothing will be posted.
    pub fn is_none(&self) -> bool {
        self.0 == ReplyKind::Nothing
    }

    /// The HTTP status: 200, or 204 for no reply.
    pub fn status(&self) -> u16 {
        match self.0 {
            ReplyKind::Nothing => 204,
            _ => 200,
        }
    }

    /// The `Content-Type` header, `None` for no reply (the header must then be absent).
    pub fn content_type(&self) -> Option<&'static str> {
        match self.0 {
            ReplyKind::Text(_) => Some("text/plain; charset=utf-8"),
            ReplyKind::Html(_) => Some("text/html; charset=utf-8"),
            ReplyKind::Nothing => None,
        }
    }

    /// The response body (HTML: Campfire stores both kinds as rich text).
    pub fn body(&self) -> &str {
        match &self.0 {
            ReplyKind::Text(body) | ReplyKind::Html(body) => body,
            ReplyKind::Nothing => "",
        }
    }

    /// The whole HTTP response, ready to return from any `http`-based server (an axum handler can return it as
    /// is).
    pub fn into_http(self) -> http::Response<String> {
        let mut response = http::Response::new(self.body().to_owned());
        *response.status_mut() = match self.0 {
            ReplyKind::Nothing => http::StatusCode::NO_CONTENT,
            _ => http::StatusCode::OK,
        };
        if let Some(ct) = self.content_type() {
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(ct),
            );
        }
        response
    }
}

impl From<Reply> for http::Response<String> {
    fn from(reply: Reply) -> Self {
        reply.into_http()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_path_parts_and_debug() {
        let path = RoomPath::new("/rooms/7/12-FakeToken0001/messages");
        assert_eq!(path.room_id().ok(), Some(RoomId::new(7)));
        assert_eq!(
            path.bot_key().ok().map(|k| k.user_id()),
            Some(UserId::new(12))
        );
        let debug = format!("{path:?}");
        assert!(!debug.contains("FakeToken0001"), "{debug}");
        assert!(debug.contains("/rooms/7/<bot-key>/messages"));
        for bad in [
            "/rooms/7/messages",
            "/rooms/x/12-a/messages",
            "/rooms/7/12-a/messages/1",
            "",
        ] {
            assert!(RoomPath::new(bad).room_id().is_err(), "{bad}");
            assert!(!format!("{:?}", RoomPath::new(bad)).contains("12-a"));
        }
    }

    #[test]
    fn reply_url_keeps_base_prefix() {
        let base = Url::parse("https://chat.example.com/campfire/").ok();
        let path = RoomPath::new("/rooms/7/12-FakeToken0001/messages");
        let url = base.map(|b| path.url(&b).map(|u| u.to_string()));
        assert_eq!(
            url.and_then(|u| u.ok()).as_deref(),
            Some("https://chat.example.com/campfire/rooms/7/12-FakeToken0001/messages")
        );
    }

    #[test]
    fn replies_never_become_attachments() {
        for reply in [
            Reply::text("hi"),
            Reply::html("<b>hi</b>"),
            Reply::none(),
            Reply::text("  "),
        ] {
            let status = reply.status();
            let http = reply.clone().into_http();
            assert_eq!(http.status().as_u16(), status);
            match http
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or(""))
            {
                None => {
                    assert_eq!(status, 204);
                    assert!(http.body().is_empty());
                }
                Some(ct) => {
                    assert_eq!(status, 200);
                    assert!(
                        ct.starts_with("text/plain") || ct.starts_with("text/html"),
                        "{ct}"
                    );
                }
            }
        }
        assert!(Reply::text("\n").is_none());
        assert_eq!(Reply::text("a\nb").body(), "a<br>b");
    }
}
