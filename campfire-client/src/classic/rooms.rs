//! Rooms: list, presence, get, create, update, join, leave, lock, unlock.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::Client;
use super::time::CampfireTime;
use super::users::User;
use crate::client::Request;
use crate::error::{Error, Result};
use crate::ids::RoomId;

/// A room.
#[serde_with::serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Room {
    /// The room id.
    pub id: RoomId,
    /// The room name.
    #[serde(default)]
    pub name: String,
    /// The topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// How many people may be in the room.
    #[serde(default)]
    pub membership_limit: Option<u32>,
    /// Whether the room is full.
    #[serde(default)]
    pub full: Option<bool>,
    /// Whether guests may enter.
    #[serde(default)]
    pub open_to_guests: Option<bool>,
    /// The guest access token, when guests may enter.
    #[serde(default)]
    pub active_token_value: Option<String>,
    /// Whether the room is locked.
    #[serde(default)]
    pub locked: Option<bool>,
    /// When the room was created.
    #[serde_as(as = "Option<CampfireTime>")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde_as(as = "Option<CampfireTime>")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Who is in the room (only from [`Client::room`]).
    #[serde(default)]
    pub users: Vec<User>,
}

/// The name and topic to set on a room ([`Client::create_room`], [`Client::update_room`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoomUpdate {
    /// The new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The new topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

impl RoomUpdate {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the topic.
    #[must_use]
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }
}

#[derive(Serialize)]
struct RoomBody<'a> {
    room: &'a RoomUpdate,
}

#[derive(Deserialize)]
struct One {
    room: Room,
}

#[derive(Deserialize)]
struct Many {
    #[serde(default)]
    rooms: Vec<Room>,
}

impl Client {
    /// Every room of the account (`GET /rooms.json`).
    ///
    /// # Errors
    /// [`Error::Api`] for error statuses, [`Error::Decode`], transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// for room in campfire.rooms().await? {
    ///     println!("{} {}", room.id, room.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn rooms(&self) -> Result<Vec<Room>> {
        let url = self.url(&["rooms"])?;
        let many: Many = self.get_json(url, "/rooms.json").await?;
        Ok(many.rooms)
    }

    /// The rooms the user is in now (`GET /presence.json`).
    ///
    /// # Errors
    /// As [`Client::rooms`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let present = campfire.presence().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn presence(&self) -> Result<Vec<Room>> {
        let url = self.url(&["presence"])?;
        let many: Many = self.get_json(url, "/presence.json").await?;
        Ok(many.rooms)
    }

    /// One room with the users in it (`GET /room/{id}.json`).
    ///
    /// # Errors
    /// [`Error::Api`] 404 for an unknown room; otherwise as [`Client::rooms`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let room = campfire.room(1001).await?;
    /// println!("{} people in {}", room.users.len(), room.name);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn room(&self, room: impl Into<RoomId>) -> Result<Room> {
        let url = self.url(&["room", &room.into().to_string()])?;
        let one: One = self.get_json(url, "/room/{room_id}.json").await?;
        Ok(one.room)
    }

    /// Creates a room (`POST /rooms.json`). The name is required.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without a name (nothing is sent); otherwise as [`Client::rooms`].
    ///
    /// ```no_run
    /// use campfire_client::classic::RoomUpdate;
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let room = campfire.create_room(RoomUpdate::new().name("Incidents").topic("one per outage")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_room(&self, room: RoomUpdate) -> Result<Room> {
        if room.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(Error::invalid("name", "a new room needs a name"));
        }
        let url = self.url(&["rooms"])?;
        let request =
            Request::new(Method::POST, url, "/rooms.json").json(&RoomBody { room: &room })?;
        let one: One = self.send(request).await?.json()?;
        Ok(one.room)
    }

    /// Changes a room's name and/or topic (`PUT /room/{id}.json`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when neither is set (nothing is sent); otherwise as [`Client::room`].
    ///
    /// ```no_run
    /// use campfire_client::classic::RoomUpdate;
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.update_room(1001, RoomUpdate::new().topic("API degraded, see status page")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn update_room(&self, room: impl Into<RoomId>, update: RoomUpdate) -> Result<()> {
        if update.name.is_none() && update.topic.is_none() {
            return Err(Error::invalid("room", "set a name or a topic"));
        }
        if update.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::invalid("name", "must not be empty"));
        }
        let url = self.url(&["room", &room.into().to_string()])?;
        let request = Request::new(Method::PUT, url, "/room/{room_id}.json")
            .json(&RoomBody { room: &update })?;
        self.send(request).await?;
        Ok(())
    }

    /// Joins a room (needed before speaking or streaming).
    ///
    /// # Errors
    /// [`Error::Api`] for error statuses (404: unknown room), transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.join(1001).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn join(&self, room: impl Into<RoomId>) -> Result<()> {
        self.room_action(room.into(), "join", "/room/{room_id}/join.json")
            .await
    }

    /// Leaves a room.
    ///
    /// # Errors
    /// As [`Client::join`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.leave(1001).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn leave(&self, room: impl Into<RoomId>) -> Result<()> {
        self.room_action(room.into(), "leave", "/room/{room_id}/leave.json")
            .await
    }

    /// Locks a room (no one else may enter; the transcript stops).
    ///
    /// # Errors
    /// As [`Client::join`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.lock(1001).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn lock(&self, room: impl Into<RoomId>) -> Result<()> {
        self.room_action(room.into(), "lock", "/room/{room_id}/lock.json")
            .await
    }

    /// Unlocks a room.
    ///
    /// # Errors
    /// As [`Client::join`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.unlock(1001).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unlock(&self, room: impl Into<RoomId>) -> Result<()> {
        self.room_action(room.into(), "unlock", "/room/{room_id}/unlock.json")
            .await
    }

    async fn room_action(&self, room: RoomId, action: &str, template: &'static str) -> Result<()> {
        let url = self.url(&["room", &room.to_string(), action])?;
        self.post_empty(url, template).await
    }
}
