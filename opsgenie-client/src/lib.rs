#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod macros;

pub mod alerts;
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
mod retry;
pub mod schedules;
pub mod webhook;

pub use alerts::{
    Alert, AlertAction, AlertPage, AlertRef, AlertStatus, BulkOutcome, IdentifierType, Priority,
    Responder, ResponderType,
};
pub use client::{Backend, Client, ClientBuilder, RateLimitInfo, RateLimitState, Region};
pub use common::{NamedRef, Order, UserRef};
pub use error::{ApiError, Error, RequestFailure, Result};
pub use heartbeats::Heartbeat;
pub use ids::{AlertId, EntityId, IncidentId, RequestId, ScheduleId};
pub use incidents::Incident;
pub use requests::{RequestHandle, RequestKind, RequestStatus};
pub use retry::RetryPolicy;
pub use schedules::{OnCall, Schedule, ScheduleRef};
pub use webhook::{WebhookAction, WebhookError, WebhookEvent};
