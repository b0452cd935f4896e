//! Posting and the message calls of newer servers (`/rooms/{room_id}/{bot_key}/messages...`).

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use chrono::{DateTime, Utc};
use futures_util::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{BotClient, NotFound, request};
use crate::client::{Body, FilePart, Response};
use crate::error::{Error, Result};
use crate::ids::{BoostId, MessageId, RoomId, UserId};
use crate::mention::text_to_html;

/// The answer to a post: the new message's id and URL, from the `Location` header.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostedMessage {
    /// The new message's id (`None` only if the server sent no usable `Location`).
    pub id: Option<MessageId>,
    /// The new message's URL (`Location` resolved against the base URL).
    pub url: Option<Url>,
}

opsbot_http::vendor_enum! {
    /// The role of a Campfire user.
    pub enum Role as "role" {
        /// A person.
        Member => "member",
        /// A person who administers the server.
        Administrator => "administrator",
        /// A bot.
        Bot => "bot",
    }
}

/// A message as newer servers return it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The message id.
    pub id: MessageId,
    /// When it was posted.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The text and HTML of the message.
    #[serde(default)]
    pub body: MessageBody,
    /// Who posted it.
    #[serde(default)]
    pub creator: Option<Creator>,
    /// The room it is in.
    #[serde(default)]
    pub room: Option<RoomRef>,
    /// Its URL.
    #[serde(default)]
    pub url: Option<String>,
}

/// The two forms of a message's body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageBody {
    /// The text without markup (`plain_text`; some servers call it `plain`).
    #[serde(default, alias = "plain")]
    pub plain_text: Option<String>,
    /// The stored rich-text HTML.
    #[serde(default)]
    pub html: Option<String>,
}

/// The author of a message or a boost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Creator {
    /// The user id.
    pub id: UserId,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
    /// member, administrator or bot.
    #[serde(default)]
    pub role: Option<Role>,
    /// Set by servers that send a flag instead of the role.
    #[serde(default)]
    pub is_bot: Option<bool>,
    /// The avatar's URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
}

impl Creator {
    /// `true` when the author is a bot (by role or flag).
    pub fn is_bot(&self) -> bool {
        self.is_bot == Some(true) || self.role == Some(Role::Bot)
    }
}

/// A reference to a room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoomRef {
    /// The room id.
    pub id: RoomId,
    /// The room name, when sent.
    #[serde(default)]
    pub name: Option<String>,
}

/// A boost (a short reaction) on a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Boost {
    /// The boost id (for [`BotClient::unboost`]).
    pub id: BoostId,
    /// The boost's content (an emoji or a short text).
    #[serde(default)]
    pub content: String,
    /// When it was added.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Who added it.
    #[serde(default)]
    pub booster: Option<Creator>,
    /// The boosted message.
    #[serde(default)]
    pub message: Option<BoostedMessage>,
}

/// The message a boost belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BoostedMessage {
    /// The message id.
    pub id: MessageId,
    /// The message URL.
    #[serde(default)]
    pub url: Option<String>,
}

/// Where a page of messages starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageCursor {
    /// Messages older than this id.
    Before(MessageId),
    /// Messages newer than this id.
    After(MessageId),
}

/// One page of messages (40 at most, oldest first).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MessagesPage {
    /// The messages, oldest first.
    pub messages: Vec<Message>,
    /// The `X-Total-Count` header, when sent.
    pub total_count: Option<u64>,
    /// The cursor of the next page in the same direction, when there is one.
    pub next: Option<PageCursor>,
}

/// The page size of newer servers.
const PAGE_SIZE: usize = 40;

#[derive(Deserialize)]
struct WrappedPage {
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    has_more: Option<bool>,
}

impl BotClient {
    /// Posts plain text: it is HTML-escaped and line breaks become `<br>`, so it shows exactly as written.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty text (nothing is sent); [`Error::Authentication`] when the key is
    /// rejected; [`Error::Api`] for other error statuses (404: the bot is not in the room); transport errors.
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// let posted = bot.post_text(7, "Build #42 passed\nall green").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn post_text(&self, room: impl Into<RoomId>, text: &str) -> Result<PostedMessage> {
        if text.trim().is_empty() {
            return Err(Error::invalid("text", "must not be empty"));
        }
        self.post_body(room.into(), Body::Text(text_to_html(text)))
            .await
    }

    /// Posts HTML as given (Campfire renders links, `<strong>`, `<em>` and mentions).
    ///
    /// # Errors
    /// As [`BotClient::post_text`].
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// bot.post_html(7, "<strong>API</strong> is degraded").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn post_html(&self, room: impl Into<RoomId>, html: &str) -> Result<PostedMessage> {
        if html.trim().is_empty() {
            return Err(Error::invalid("html", "must not be empty"));
        }
        self.post_body(room.into(), Body::Text(html.to_owned()))
            .await
    }

    /// Plays a sound in the room (posts `/play {sound}`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the name is empty or has whitespace; otherwise as [`BotClient::post_text`].
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// bot.play_sound(7, "tada").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn play_sound(&self, room: impl Into<RoomId>, sound: &str) -> Result<PostedMessage> {
        if sound.is_empty() || sound.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "sound",
                "must be a sound name without whitespace",
            ));
        }
        self.post_body(room.into(), Body::Text(format!("/play {sound}")))
            .await
    }

    /// Posts a file (multipart field `attachment`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad file name or content type; otherwise as [`BotClient::post_text`].
    ///
    /// ```no_run
    /// use campfire_client::FilePart;
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// let log = FilePart::new("deploy.log", b"ok\n".to_vec()).content_type("text/plain");
    /// bot.post_attachment(7, log).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn post_attachment(
        &self,
        room: impl Into<RoomId>,
        file: FilePart,
    ) -> Result<PostedMessage> {
        file.validate()?;
        self.post_body(
            room.into(),
            Body::Multipart {
                field: "attachment",
                file,
            },
        )
        .await
    }

    async fn post_body(&self, room: RoomId, body: Body) -> Result<PostedMessage> {
        let url = self.room_url(room, &["messages"])?;
        let req = request(Method::POST, url, "/rooms/{room_id}/{bot_key}/messages").body(body);
        let response = self.send(req, None).await?;
        Ok(self.posted(&response))
    }

    fn posted(&self, response: &Response) -> PostedMessage {
        let url = response
            .header("location")
            .and_then(|l| self.inner.base.join(l).ok())
            .and_then(|u| {
                // A Location never carries the key on real servers; make sure it cannot leak through ours.
                let text = self.inner.key.redact(u.as_str());
                Url::parse(&text).ok()
            });
        let id = url.as_ref().and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
                .and_then(|seg| seg.trim_start_matches('@').parse::<u64>().ok())
                .map(MessageId::new)
        });
        PostedMessage { id, url }
    }

    /// Lists messages of a room (newer servers): the latest page, or the page before/after an id.
    /// Await it for one page; call `.stream()` for every message across pages.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// let page = bot.messages(7).await?;
    /// let older: Vec<_> = bot.messages(7).before(1200).stream().try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn messages(&self, room: impl Into<RoomId>) -> ListMessages<'_> {
        ListMessages {
            client: self,
            room: room.into(),
            cursor: None,
        }
    }

    async fn list_page(&self, room: RoomId, cursor: Option<PageCursor>) -> Result<MessagesPage> {
        let mut url = self.room_url(room, &["messages"])?;
        match cursor {
            Some(PageCursor::Before(id)) => {
                url.query_pairs_mut().append_pair("before", &id.to_string());
            }
            Some(PageCursor::After(id)) => {
                url.query_pairs_mut().append_pair("after", &id.to_string());
            }
            None => {}
        }
        let req = request(Method::GET, url, "/rooms/{room_id}/{bot_key}/messages");
        let response = self
            .send(
                req,
                Some(NotFound {
                    operation: "list messages",
                    what: "room or cursor message",
                }),
            )
            .await?;
        let trimmed = response.body.iter().find(|b| !b.is_ascii_whitespace());
        let (messages, has_more) = if trimmed == Some(&b'[') {
            (response.json::<Vec<Message>>()?, None)
        } else {
            let page: WrappedPage = response.json()?;
            (page.messages, page.pagination.and_then(|p| p.has_more))
        };
        let total_count = response
            .header("x-total-count")
            .and_then(|v| v.trim().parse().ok());
        let link_next = response.header("link").and_then(next_cursor_from_link);
        let more = link_next.is_some() || has_more.unwrap_or(messages.len() >= PAGE_SIZE);
        let next = if messages.is_empty() || !more {
            None
        } else {
            link_next.or_else(|| match cursor {
                Some(PageCursor::After(_)) => {
                    messages.iter().map(|m| m.id).max().map(PageCursor::After)
                }
                _ => messages.iter().map(|m| m.id).min().map(PageCursor::Before),
            })
        };
        Ok(MessagesPage {
            messages,
            total_count,
            next,
        })
    }

    /// Replaces a message's body with plain text (escaped like [`BotClient::post_text`]). Newer servers only.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the room or the message does not exist or the bot is not in the room (404;
    /// servers without this route answer 404 too); [`Error::Api`] 403 when the message is not the bot's own;
    /// otherwise as [`BotClient::post_text`].
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// let message = bot.update_text(7, 1201, "Deploy finished (edited)").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_text(
        &self,
        room: impl Into<RoomId>,
        message: impl Into<MessageId>,
        text: &str,
    ) -> Result<Message> {
        if text.trim().is_empty() {
            return Err(Error::invalid("text", "must not be empty"));
        }
        self.update_body(room.into(), message.into(), text_to_html(text))
            .await
    }

    /// Replaces a message's body with HTML. Newer servers only.
    ///
    /// # Errors
    /// As [`BotClient::update_text`].
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// bot.update_html(7, 1201, "<em>resolved</em>").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_html(
        &self,
        room: impl Into<RoomId>,
        message: impl Into<MessageId>,
        html: &str,
    ) -> Result<Message> {
        if html.trim().is_empty() {
            return Err(Error::invalid("html", "must not be empty"));
        }
        self.update_body(room.into(), message.into(), html.to_owned())
            .await
    }

    async fn update_body(&self, room: RoomId, message: MessageId, html: String) -> Result<Message> {
        let id = message.to_string();
        let url = self.room_url(room, &["messages", &id])?;
        let req = request(
            Method::PUT,
            url,
            "/rooms/{room_id}/{bot_key}/messages/{message_id}",
        )
        .body(Body::Text(html));
        self.send(
            req,
            Some(NotFound {
                operation: "update message",
                what: "room or message",
            }),
        )
        .await?
        .json()
    }

    /// Deletes one of the bot's messages. Newer servers only.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the room or the message does not exist or the bot is not in the room (404;
    /// servers without this route answer 404 too); [`Error::Api`] 403 when the message is not the bot's own.
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// bot.delete_message(7, 1201).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_message(
        &self,
        room: impl Into<RoomId>,
        message: impl Into<MessageId>,
    ) -> Result<()> {
        let id = message.into().to_string();
        let url = self.room_url(room.into(), &["messages", &id])?;
        let req = request(
            Method::DELETE,
            url,
            "/rooms/{room_id}/{bot_key}/messages/{message_id}",
        );
        self.send(
            req,
            Some(NotFound {
                operation: "delete message",
                what: "room or message",
            }),
        )
        .await?;
        Ok(())
    }

    /// Boosts a message with a short content such as an emoji. Newer servers only.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for empty content (nothing is sent); [`Error::NotFound`] when the room or the
    /// message does not exist or the bot is not in the room (404; servers without this route answer 404 too).
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// let boost = bot.boost(7, 1201, "👍").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn boost(
        &self,
        room: impl Into<RoomId>,
        message: impl Into<MessageId>,
        content: &str,
    ) -> Result<Boost> {
        if content.trim().is_empty() {
            return Err(Error::invalid("content", "must not be empty"));
        }
        let id = message.into().to_string();
        let url = self.room_url(room.into(), &["messages", &id, "boosts"])?;
        let req = request(
            Method::POST,
            url,
            "/rooms/{room_id}/{bot_key}/messages/{message_id}/boosts",
        )
        .body(Body::Text(content.to_owned()));
        self.send(
            req,
            Some(NotFound {
                operation: "boost",
                what: "room or message",
            }),
        )
        .await?
        .json()
    }

    /// Removes one of the bot's boosts. Newer servers only.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the room, the message or the boost does not exist, or the boost is not the
    /// bot's own (the server looks it up among the bot's boosts, so that is a 404 as well, never a 403;
    /// servers without this route answer 404 too); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(bot: campfire_client::once::BotClient) -> campfire_client::Result<()> {
    /// bot.unboost(7, 1201, 55).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unboost(
        &self,
        room: impl Into<RoomId>,
        message: impl Into<MessageId>,
        boost: impl Into<BoostId>,
    ) -> Result<()> {
        let id = message.into().to_string();
        let boost = boost.into().to_string();
        let url = self.room_url(room.into(), &["messages", &id, "boosts", &boost])?;
        let req = request(
            Method::DELETE,
            url,
            "/rooms/{room_id}/{bot_key}/messages/{message_id}/boosts/{boost_id}",
        );
        self.send(
            req,
            Some(NotFound {
                operation: "remove boost",
                what: "room, message or boost of the bot",
            }),
        )
        .await?;
        Ok(())
    }
}

/// The `before`/`after` of a `Link: <...>; rel="next"` header.
fn next_cursor_from_link(header: &str) -> Option<PageCursor> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        if !params.split(';').any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        }) {
            return None;
        }
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        let url = Url::parse(target)
            .or_else(|_| Url::parse("http://relative.invalid/").and_then(|b| b.join(target)))
            .ok()?;
        url.query_pairs().find_map(|(k, v)| {
            let id = v.parse::<u64>().ok().map(MessageId::new)?;
            match k.as_ref() {
                "before" => Some(PageCursor::Before(id)),
                "after" => Some(PageCursor::After(id)),
                _ => None,
            }
        })
    })
}

/// Lists messages of a room; see [`BotClient::messages`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited or streamed"]
pub struct ListMessages<'a> {
    client: &'a BotClient,
    room: RoomId,
    cursor: Option<PageCursor>,
}

impl<'a> ListMessages<'a> {
    /// Messages older than this message. It must be a message of the room: the server looks it up and
    /// answers 404 ([`Error::NotFound`]) for any other id.
    pub fn before(mut self, id: impl Into<MessageId>) -> Self {
        self.cursor = Some(PageCursor::Before(id.into()));
        self
    }

    /// Messages newer than this message (a message of the room, as for [`ListMessages::before`]).
    pub fn after(mut self, id: impl Into<MessageId>) -> Self {
        self.cursor = Some(PageCursor::After(id.into()));
        self
    }

    /// Starts at a cursor from a previous page's [`MessagesPage::next`].
    pub fn cursor(mut self, cursor: PageCursor) -> Self {
        self.cursor = Some(cursor);
        self
    }

    /// Every message from the starting point on, across pages, fetched lazily. Each page is yielded in
    /// the server's order (oldest first); with `before` the pages walk back in time.
    ///
    /// # Errors
    /// Each item is an error when its page could not be fetched; see [`BotClient::messages`].
    pub fn stream(self) -> impl Stream<Item = Result<Message>> + 'a {
        let client = self.client;
        let room = self.room;
        let start = Paging {
            next: Next::Page(self.cursor),
            buffered: Vec::new().into_iter(),
            seen: std::collections::HashSet::new(),
        };
        futures_util::stream::try_unfold(start, move |mut state| async move {
            loop {
                if let Some(message) = state.buffered.next() {
                    return Ok(Some((message, state)));
                }
                let current = match state.next {
                    Next::Done => return Ok(None),
                    Next::Stalled => {
                        // A server whose "next" page is one already read would keep the stream going
                        // forever, repeating itself.
                        return Err(Error::UnexpectedResponse {
                            status: 200,
                            reason: "the next page is one already read (the server's paging does not advance)"
                                .into(),
                        });
                    }
                    Next::Page(current) => current,
                };
                let page = client.list_page(room, current).await?;
                state.seen.extend(current);
                state.next = match page.next {
                    None => Next::Done,
                    Some(next) if state.seen.contains(&next) => Next::Stalled,
                    Some(next) => Next::Page(Some(next)),
                };
                state.buffered = page.messages.into_iter();
            }
        })
    }
}

/// Where a message stream goes next.
enum Next {
    /// Fetch this page (`None`: the latest).
    Page(Option<PageCursor>),
    /// No more pages.
    Done,
    /// The server pointed at a page already read: yield what is buffered, then an error.
    Stalled,
}

struct Paging {
    next: Next,
    buffered: std::vec::IntoIter<Message>,
    seen: std::collections::HashSet<PageCursor>,
}

impl<'a> IntoFuture for ListMessages<'a> {
    type Output = Result<MessagesPage>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    /// # Errors
    /// [`Error::NotFound`] when the room or the cursor's message does not exist or the bot is not in the room
    /// (404; servers without this route answer 404 too); [`Error::Api`] for other error statuses;
    /// [`Error::Decode`] when the page is not the expected JSON.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.client.list_page(self.room, self.cursor).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_cursor() {
        assert_eq!(
            next_cursor_from_link(
                "<https://chat.example.com/rooms/7/k/messages?before=101>; rel=\"next\""
            ),
            Some(PageCursor::Before(MessageId::new(101)))
        );
        assert_eq!(
            next_cursor_from_link(
                "</rooms/7/k/messages?after=5>; rel=\"prev\", </rooms/7/k/messages?after=9>; rel=\"next\""
            ),
            Some(PageCursor::After(MessageId::new(9)))
        );
        assert_eq!(next_cursor_from_link("garbage"), None);
    }
}
