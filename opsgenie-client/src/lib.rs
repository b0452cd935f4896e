#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod macros;

pub mod alerts;
mod backend;
mod client;
mod common;
mod error;
pub mod escalations;
#[cfg(feature = "fake")]
pub mod fake;
pub mod heartbeats;
pub mod ids;
pub mod incidents;
pub mod requests;
pub mod schedules;
pub mod teams;
mod throttle;
mod transport;
pub mod webhook;

pub use alerts::{
    ActionRoute, Alert, AlertAction, AlertPage, AlertRef, AlertStatus, BulkOutcome, BulkResult,
    IdentifierType, Priority, Responder, ResponderType,
};
pub use client::{Backend, Client, ClientBuilder, RateLimitInfo, RateLimitState, Region};
pub use common::{NamedRef, Order, UserRef};
pub use error::{ApiError, Error, RequestFailure, Result};
pub use heartbeats::Heartbeat;
pub use ids::{AlertId, EntityId, IncidentId, RequestId, ScheduleId};
pub use incidents::Incident;
pub use opsbot_http::RetryPolicy;
pub use requests::{RequestHandle, RequestKind, RequestStatus};
pub use schedules::{OnCall, OnCallPerson, Schedule, ScheduleRef};
pub use teams::Team;
pub use webhook::{WebhookAction, WebhookError, WebhookEvent};

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
