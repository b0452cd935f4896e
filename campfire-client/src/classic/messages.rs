//! Messages: speak, recent, highlight, transcripts, search.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::Client;
use super::time::{CampfireTime, FlexibleBool};
use crate::client::Request;
use crate::error::{Error, Result};
use crate::ids::{MessageId, RoomId, UserId};

opsbot_http::vendor_enum! {
    /// The type of a classic message.
    pub enum MessageType as "message type" {
        /// Text.
        Text => "TextMessage",
        /// Multi-line text shown fixed-width.
        Paste => "PasteMessage",
        /// A sound (the body is the sound's name).
        Sound => "SoundMessage",
        /// A tweet (the body is its URL).
        Tweet => "TweetMessage",
        /// Someone entered.
        Enter => "EnterMessage",
        /// Someone left.
        Leave => "LeaveMessage",
        /// Someone was removed.
        Kick => "KickMessage",
        /// A timestamp marker.
        Timestamp => "TimestampMessage",
        /// The topic changed.
        TopicChange => "TopicChangeMessage",
        /// The room was locked.
        Lock => "LockMessage",
        /// The room was unlocked.
        Unlock => "UnlockMessage",
        /// Someone went idle.
        Idle => "IdleMessage",
        /// Someone came back.
        Unidle => "UnidleMessage",
        /// A file was uploaded.
        Upload => "UploadMessage",
        /// Guests were allowed in.
        AllowGuests => "AllowGuestsMessage",
        /// Guests were shut out.
        DisallowGuests => "DisallowGuestsMessage",
        /// An advertisement.
        Advertisement => "AdvertisementMessage",
        /// A message from Campfire itself.
        System => "SystemMessage",
        /// A conference call started.
        ConferenceCreated => "ConferenceCreatedMessage",
        /// A conference call ended.
        ConferenceFinished => "ConferenceFinishedMessage",
    }
}

/// A classic message, from `recent`, transcripts, search or the live stream.
#[serde_with::serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The message id (increases over time).
    pub id: MessageId,
    /// The room.
    #[serde(default)]
    pub room_id: Option<RoomId>,
    /// The author; `None` for messages from Campfire itself (timestamps, system messages).
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// The text; `None` for enter, leave, timestamp and similar messages.
    #[serde(default)]
    pub body: Option<String>,
    /// The type; unknown types are kept as [`MessageType::Unknown`].
    #[serde(rename = "type")]
    pub message_type: MessageType,
    /// Highlighted (a bool in `recent.json`, a string in the stream).
    #[serde_as(as = "FlexibleBool")]
    #[serde(default)]
    pub starred: bool,
    /// When it was posted (any of the three forms Campfire sends).
    #[serde_as(as = "Option<CampfireTime>")]
    pub created_at: Option<DateTime<Utc>>,
}

/// A message to speak: a type and a body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NewMessage {
    /// The type (Text, Paste, Sound or Tweet).
    #[serde(rename = "type")]
    pub message_type: MessageType,
    /// The body.
    pub body: String,
}

impl NewMessage {
    /// A message of a type with a body.
    pub fn new(message_type: MessageType, body: impl Into<String>) -> Self {
        NewMessage {
            message_type,
            body: body.into(),
        }
    }
}

#[derive(Serialize)]
struct SpeakBody<'a> {
    message: &'a NewMessage,
}

#[derive(Deserialize)]
struct One {
    message: Message,
}

#[derive(Deserialize)]
pub(crate) struct Many {
    #[serde(default)]
    pub(crate) messages: Vec<Message>,
}

/// The most messages `recent.json` returns at once.
pub(crate) const RECENT_MAX: u32 = 100;

impl Client {
    /// Says something in a room (`TextMessage`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for empty text (nothing is sent); [`Error::Api`] for error statuses (the user
    /// must have joined the room); [`Error::Decode`]; transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let message = campfire.speak(1001, "Deploy finished").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn speak(&self, room: impl Into<RoomId>, text: &str) -> Result<Message> {
        self.speak_message(room, NewMessage::new(MessageType::Text, text))
            .await
    }

    /// Pastes multi-line text (`PasteMessage`, shown fixed-width).
    ///
    /// # Errors
    /// As [`Client::speak`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.paste(1001, "API: operational\nWebsite: degraded performance").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn paste(&self, room: impl Into<RoomId>, text: &str) -> Result<Message> {
        self.speak_message(room, NewMessage::new(MessageType::Paste, text))
            .await
    }

    /// Plays a sound (`SoundMessage`, the body is the sound's name such as `rimshot`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the name is empty or has whitespace; otherwise as [`Client::speak`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.play_sound(1001, "tada").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn play_sound(&self, room: impl Into<RoomId>, sound: &str) -> Result<Message> {
        if sound.chars().any(char::is_whitespace) {
            return Err(Error::invalid("sound", "must not contain whitespace"));
        }
        self.speak_message(room, NewMessage::new(MessageType::Sound, sound))
            .await
    }

    /// Posts a tweet by URL (`TweetMessage`).
    ///
    /// # Errors
    /// As [`Client::speak`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.tweet(1001, "https://twitter.com/example/status/1").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tweet(&self, room: impl Into<RoomId>, url: &str) -> Result<Message> {
        self.speak_message(room, NewMessage::new(MessageType::Tweet, url))
            .await
    }

    /// Speaks a message of any type (`POST /room/{id}/speak.json`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty body; otherwise as [`Client::speak`].
    ///
    /// ```no_run
    /// use campfire_client::classic::{MessageType, NewMessage};
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.speak_message(1001, NewMessage::new(MessageType::Paste, "a\nb")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn speak_message(
        &self,
        room: impl Into<RoomId>,
        message: NewMessage,
    ) -> Result<Message> {
        if message.body.trim().is_empty() {
            return Err(Error::invalid("body", "must not be empty"));
        }
        let url = self.url(&["room", &room.into().to_string(), "speak"])?;
        let request = Request::new(Method::POST, url, "/room/{room_id}/speak.json")
            .json(&SpeakBody { message: &message })?;
        let one: One = self.send(request).await?.json()?;
        Ok(one.message)
    }

    /// The latest messages of a room; set `.limit(n)` (at most 100) and `.since(id)` before awaiting.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let latest = campfire.recent(1001).limit(20).await?;
    /// let newer = campfire.recent(1001).since(2_000_040).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn recent(&self, room: impl Into<RoomId>) -> Recent<'_> {
        Recent {
            client: self,
            room: room.into(),
            limit: None,
            since: None,
            invalid: None,
        }
    }

    /// Highlights (stars) a message.
    ///
    /// # Errors
    /// [`Error::Api`] for error statuses, transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.highlight(2_000_041).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn highlight(&self, message: impl Into<MessageId>) -> Result<()> {
        self.star(Method::POST, message.into()).await
    }

    /// Removes a highlight.
    ///
    /// # Errors
    /// As [`Client::highlight`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.unhighlight(2_000_041).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unhighlight(&self, message: impl Into<MessageId>) -> Result<()> {
        self.star(Method::DELETE, message.into()).await
    }

    async fn star(&self, method: Method, message: MessageId) -> Result<()> {
        let url = self.url(&["messages", &message.to_string(), "star"])?;
        self.send(Request::new(
            method,
            url,
            "/messages/{message_id}/star.json",
        ))
        .await?;
        Ok(())
    }

    /// Today's transcript of a room.
    ///
    /// # Errors
    /// [`Error::Api`] for error statuses, [`Error::Decode`], transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let today = campfire.transcript_today(1001).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transcript_today(&self, room: impl Into<RoomId>) -> Result<Vec<Message>> {
        let url = self.url(&["room", &room.into().to_string(), "transcript"])?;
        let many: Many = self
            .get_json(url, "/room/{room_id}/transcript.json")
            .await?;
        Ok(many.messages)
    }

    /// The transcript of a room on a date.
    ///
    /// # Errors
    /// As [`Client::transcript_today`].
    ///
    /// ```no_run
    /// use chrono::NaiveDate;
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// if let Some(day) = NaiveDate::from_ymd_opt(2013, 5, 14) {
    ///     let messages = campfire.transcript(1001, day).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transcript(
        &self,
        room: impl Into<RoomId>,
        date: NaiveDate,
    ) -> Result<Vec<Message>> {
        let url = self.url(&[
            "room",
            &room.into().to_string(),
            "transcript",
            &format!("{:04}", date.year()),
            &format!("{:02}", date.month()),
            &format!("{:02}", date.day()),
        ])?;
        let many: Many = self
            .get_json(url, "/room/{room_id}/transcript/{yyyy}/{mm}/{dd}.json")
            .await?;
        Ok(many.messages)
    }

    /// Searches every room's messages (`GET /search?q={term}&format=json`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty term; otherwise as [`Client::transcript_today`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let hits = campfire.search("deploy").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn search(&self, term: &str) -> Result<Vec<Message>> {
        if term.trim().is_empty() {
            return Err(Error::invalid("term", "must not be empty"));
        }
        let mut url = crate::client::join_segments(self.account_url(), &["search"])?;
        url.query_pairs_mut()
            .append_pair("q", term)
            .append_pair("format", "json");
        let many: Many = self.get_json(url, "/search").await?;
        Ok(many.messages)
    }

    pub(crate) async fn fetch_recent(
        &self,
        room: RoomId,
        limit: Option<u32>,
        since: Option<MessageId>,
    ) -> Result<Vec<Message>> {
        let mut url = self.url(&["room", &room.to_string(), "recent"])?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(limit) = limit {
                query.append_pair("limit", &limit.to_string());
            }
            if let Some(since) = since {
                query.append_pair("since_message_id", &since.to_string());
            }
        }
        let many: Many = self.get_json(url, "/room/{room_id}/recent.json").await?;
        Ok(many.messages)
    }
}

/// The latest messages of a room; see [`Client::recent`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct Recent<'a> {
    client: &'a Client,
    room: RoomId,
    limit: Option<u32>,
    since: Option<MessageId>,
    invalid: Option<Error>,
}

impl Recent<'_> {
    /// At most this many messages (1 to 100; Campfire's default is 100).
    pub fn limit(mut self, limit: u32) -> Self {
        if limit == 0 || limit > RECENT_MAX {
            self.invalid = Some(Error::invalid(
                "limit",
                format!("must be between 1 and {RECENT_MAX}, got {limit}"),
            ));
        }
        self.limit = Some(limit);
        self
    }

    /// Only messages newer than this id.
    pub fn since(mut self, id: impl Into<MessageId>) -> Self {
        self.since = Some(id.into());
        self
    }
}

impl<'a> IntoFuture for Recent<'a> {
    type Output = Result<Vec<Message>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            if let Some(err) = self.invalid {
                return Err(err);
            }
            self.client
                .fetch_recent(self.room, self.limit, self.since)
                .await
        })
    }
}
