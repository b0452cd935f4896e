#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[macro_use]
mod macros;

mod client;
mod component_groups;
mod components;
mod error;
mod ids;
mod incidents;
mod list;
mod metrics;
mod pages;
mod public;
mod retry;
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
pub use macros::ParseValueError;
pub use metrics::{Metric, MetricPoint, Metrics};
pub use pages::{Logo, Page, PageUpdate, Pages};
pub use public::{
    PageStatus, PublicClient, PublicClientBuilder, PublicPage, StatusIndicator, StatusResponse,
    Summary,
};
pub use retry::RetryPolicy;
pub use subscriber_count::{SubscriberCount, SubscriberCountRequest};
pub use subscribers::{Subscriber, SubscriberCreate, SubscriberState, SubscriberType, Subscribers};
pub use templates::{IncidentTemplate, IncidentTemplates, TemplateCreate};
pub use validate::{MAX_BODY_CHARS, MAX_NAME_CHARS};
pub use webhook::{Notification, WebhookError};
