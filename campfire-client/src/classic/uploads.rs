//! Uploads: `POST|GET /room/{id}/uploads.json`, `GET /room/{id}/messages/{message_id}/upload.json`.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::Client;
use super::time::CampfireTime;
use crate::client::{Body, FilePart, Request};
use crate::error::Result;
use crate::ids::{MessageId, RoomId, UploadId, UserId};

/// A file uploaded to a room.
#[serde_with::serde_as]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Upload {
    /// The upload id.
    pub id: UploadId,
    /// The file name.
    #[serde(default)]
    pub name: String,
    /// The room it was uploaded to.
    #[serde(default)]
    pub room_id: Option<RoomId>,
    /// Who uploaded it.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// Its size in bytes.
    #[serde(default)]
    pub byte_size: Option<u64>,
    /// Its MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Where to download it (needs the same authentication).
    #[serde(default)]
    pub full_url: Option<String>,
    /// When it was uploaded.
    #[serde_as(as = "Option<CampfireTime>")]
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct One {
    upload: Upload,
}

#[derive(Deserialize)]
struct Many {
    #[serde(default)]
    uploads: Vec<Upload>,
}

impl Client {
    /// Uploads a file to a room (multipart field `upload`).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for a bad file name or content type (nothing is sent);
    /// [`crate::Error::Api`] for error statuses; [`crate::Error::Decode`]; transport errors.
    ///
    /// ```no_run
    /// use campfire_client::FilePart;
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let file = FilePart::new("graph.png", vec![0x89, b'P', b'N', b'G']).content_type("image/png");
    /// let upload = campfire.upload(1001, file).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload(&self, room: impl Into<RoomId>, file: FilePart) -> Result<Upload> {
        file.validate()?;
        let url = self.url(&["room", &room.into().to_string(), "uploads"])?;
        let request =
            Request::new(Method::POST, url, "/room/{room_id}/uploads.json").body(Body::Multipart {
                field: "upload",
                file,
            });
        let one: One = self.send(request).await?.json()?;
        Ok(one.upload)
    }

    /// The five latest uploads of a room.
    ///
    /// # Errors
    /// [`crate::Error::Api`] for error statuses, [`crate::Error::Decode`], transport errors.
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// for upload in campfire.uploads(1001).await? {
    ///     println!("{} {:?}", upload.name, upload.full_url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn uploads(&self, room: impl Into<RoomId>) -> Result<Vec<Upload>> {
        let url = self.url(&["room", &room.into().to_string(), "uploads"])?;
        let many: Many = self.get_json(url, "/room/{room_id}/uploads.json").await?;
        Ok(many.uploads)
    }

    /// The upload behind an `UploadMessage`.
    ///
    /// # Errors
    /// [`crate::Error::Api`] 404 when the message has no upload; otherwise as [`Client::uploads`].
    ///
    /// ```no_run
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// let upload = campfire.upload_of_message(1001, 2_000_001).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload_of_message(
        &self,
        room: impl Into<RoomId>,
        message: impl Into<MessageId>,
    ) -> Result<Upload> {
        let url = self.url(&[
            "room",
            &room.into().to_string(),
            "messages",
            &message.into().to_string(),
            "upload",
        ])?;
        let one: One = self
            .get_json(url, "/room/{room_id}/messages/{message_id}/upload.json")
            .await?;
        Ok(one.upload)
    }
}
