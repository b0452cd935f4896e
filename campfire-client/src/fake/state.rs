//! The fake's state: users, rooms, messages and boosts, shared by both generations.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::classic::MessageType;
use crate::ids::{BoostId, MessageId, RoomId, UserId};

/// A user of the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeUser {
    /// The user id.
    pub id: UserId,
    /// The display name.
    pub name: String,
    /// `member`, `administrator` or `bot`.
    pub role: String,
    /// The email address (classic).
    pub email_address: String,
}

/// A room of the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeRoom {
    /// The room id.
    pub id: RoomId,
    /// The name; `None` for a direct room.
    pub name: Option<String>,
    /// The topic (classic).
    pub topic: Option<String>,
    /// Who is in the room (the bot joins every open room).
    pub members: Vec<UserId>,
    /// Who has joined the room through the classic API (needed for its live stream).
    pub classic_joined: Vec<UserId>,
    /// Locked (classic).
    pub locked: bool,
}

/// A stored attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeAttachment {
    /// The file name.
    pub file_name: String,
    /// The MIME type.
    pub content_type: String,
    /// The bytes.
    pub data: Bytes,
}

/// A boost stored by the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeBoost {
    /// The boost id.
    pub id: BoostId,
    /// Its content.
    pub content: String,
    /// Who boosted.
    pub booster: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A message stored by the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeMessage {
    /// The message id (increasing).
    pub id: MessageId,
    /// The room.
    pub room: RoomId,
    /// The author; `None` for messages from Campfire itself.
    pub user: Option<UserId>,
    /// The classic type (`TextMessage` for everything posted through the current API).
    pub kind: MessageType,
    /// The stored HTML (current Campfire).
    pub html: String,
    /// The text without markup.
    pub plain: String,
    /// An attachment, for attachment messages.
    pub attachment: Option<FakeAttachment>,
    /// Highlighted (classic).
    pub starred: bool,
    /// Boosts.
    pub boosts: Vec<FakeBoost>,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<UserId, FakeUser>,
    pub(crate) rooms: BTreeMap<RoomId, FakeRoom>,
    pub(crate) messages: Vec<FakeMessage>,
    next_user: u64,
    next_room: u64,
    next_message: u64,
    next_boost: u64,
}

impl State {
    pub(crate) fn new() -> Self {
        State {
            next_user: 1,
            next_room: 1,
            next_message: 1001,
            next_boost: 1,
            ..State::default()
        }
    }

    pub(crate) fn add_user(&mut self, name: &str, role: &str) -> UserId {
        while self.users.contains_key(&UserId::new(self.next_user)) {
            self.next_user += 1;
        }
        let id = UserId::new(self.next_user);
        self.add_user_with_id(id, name, role);
        id
    }

    /// Adds a user with a given id (the bot of a key given to the builder); later ids skip it.
    pub(crate) fn add_user_with_id(&mut self, id: UserId, name: &str, role: &str) {
        let email = format!(
            "{}@example.com",
            name.to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), ".")
        );
        self.users.insert(
            id,
            FakeUser {
                id,
                name: name.to_owned(),
                role: role.to_owned(),
                email_address: email,
            },
        );
    }

    pub(crate) fn add_room(&mut self, name: Option<&str>, members: Vec<UserId>) -> RoomId {
        let id = RoomId::new(self.next_room);
        self.next_room += 1;
        self.rooms.insert(
            id,
            FakeRoom {
                id,
                name: name.map(str::to_owned),
                topic: None,
                members,
                classic_joined: Vec::new(),
                locked: false,
            },
        );
        id
    }

    pub(crate) fn next_boost_id(&mut self) -> BoostId {
        let id = BoostId::new(self.next_boost);
        self.next_boost += 1;
        id
    }

    pub(crate) fn push_message(
        &mut self,
        room: RoomId,
        user: Option<UserId>,
        kind: MessageType,
        html: String,
        plain: String,
        attachment: Option<FakeAttachment>,
    ) -> FakeMessage {
        let id = MessageId::new(self.next_message);
        self.next_message += 1;
        let message = FakeMessage {
            id,
            room,
            user,
            kind,
            html,
            plain,
            attachment,
            starred: false,
            boosts: Vec::new(),
            created_at: Utc::now(),
        };
        self.messages.push(message.clone());
        message
    }

    pub(crate) fn message_mut(&mut self, id: MessageId) -> Option<&mut FakeMessage> {
        self.messages.iter_mut().find(|m| m.id == id)
    }

    pub(crate) fn room_messages(&self, room: RoomId) -> Vec<&FakeMessage> {
        self.messages.iter().filter(|m| m.room == room).collect()
    }

    pub(crate) fn user_name(&self, id: Option<UserId>) -> String {
        id.and_then(|id| self.users.get(&id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }
}

/// Text without tags, entities decoded, `<br>` as line breaks (what Campfire calls the plain text).
pub(crate) fn plain_text(html: &str) -> String {
    let with_breaks = html.replace("<br>", "\n").replace("<br/>", "\n");
    let mut out = String::with_capacity(with_breaks.len());
    let mut in_tag = false;
    for c in with_breaks.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_html() {
        assert_eq!(
            plain_text("<div>a &lt;b&gt;<br>c &amp; d</div>"),
            "a <b>\nc & d"
        );
    }
}
