#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod classic;
mod client;
mod error;
#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod fake;
mod ids;
mod mention;
pub mod once;

pub use client::FilePart;
pub use error::{ApiError, Error, Result};
pub use ids::{AccountId, BoostId, MessageId, RoomId, UploadId, UserId};
pub use mention::{
    MENTION_CONTENT_TYPE, addressed_command, escape_html, mention_html, strip_mention,
    strip_mentions_html, text_to_html,
};
pub use opsbot_http::RetryPolicy;

// Public dependencies whose types appear in this crate's API, re-exported so a user names the
// same versions without adding them to their own manifest.
/// The `chrono` crate (timestamps are `chrono::DateTime<Utc>`).
pub use chrono;
/// The `Stream` trait the `.stream()` calls return (from `futures-util`; `StreamExt` is there too).
pub use futures_util::{Stream, StreamExt, TryStreamExt};
/// The URL type of base URLs and links.
pub use opsbot_http::Url;
/// The `reqwest` crate (a caller-supplied `reqwest::Client`, `reqwest::Error` in `Error::Transport`).
pub use opsbot_http::reqwest;
