#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod component_groups;
mod components;
mod error;
mod ids;
mod incidents;
mod list;
mod macros;
mod metrics;
mod pages;
mod public;
mod subscriber_count;
mod subscribers;
mod templates;
mod validate;
pub mod webhook;

#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod fake;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_PACING,
    DEFAULT_TIMEOUT,
};
pub use component_groups::{ComponentGroup, ComponentGroups, GroupWrite};
pub use components::{Component, ComponentStatus, ComponentUptime, ComponentWrite, Components};
pub use error::{ApiError, Error, Result};
pub use ids::{
    ComponentGroupId, ComponentId, IncidentId, IncidentUpdateId, MetricId, MetricsProviderId,
    PageId, SubscriberId, TemplateId,
};
pub use incidents::{
    AffectedComponent, Impact, Incident, IncidentStatus, IncidentUpdate, IncidentUpdateEdit,
    IncidentWrite, Incidents, Postmortem, PostmortemPublish, Postmortems,
};
pub use list::List;
pub use metrics::{Metric, MetricPoint, Metrics};
pub use opsbot_http::{ParseIdError, ParseValueError, RetryPolicy};
pub use pages::{Logo, Page, PageUpdate, Pages};
pub use public::{
    PageStatus, PublicClient, PublicClientBuilder, PublicPage, StatusIndicator, StatusResponse,
    Summary,
};
pub use subscriber_count::{SubscriberCount, SubscriberCountRequest};
pub use subscribers::{Subscriber, SubscriberCreate, SubscriberState, SubscriberType, Subscribers};
pub use templates::{IncidentTemplate, IncidentTemplates, TemplateCreate};
pub use validate::{MAX_BODY_CHARS, MAX_NAME_CHARS};
pub use webhook::{Notification, WebhookError};

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
