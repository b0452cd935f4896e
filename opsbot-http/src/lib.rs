#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod decode;
mod error;
mod macros;
pub mod object;
mod redact;
mod retry;
mod route;
mod tls;
mod transport;

#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod fake;

pub use auth::{authorization, basic_authorization, basic_credential};
pub use decode::{EXCERPT_CHARS, decode, excerpt};
pub use error::Error;
pub use macros::{ParseIdError, ParseValueError};
pub use redact::{REDACTED, Secrets};
pub use retry::{DEFAULT_RETRY_BUDGET, FailureClass, RetryBudget, RetryPolicy, parse_retry_after};
pub use route::{Body, PLACEHOLDERS, Request, Route};
pub use tls::{http_client_builder, install_tls_provider};
pub use transport::{
    Answer, Config, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, MAX_ERROR_BODY_READ, Service,
    Throttle, Transport, parse_base_url,
};

/// The types users of the core name: re-exported so an SDK needs no second copy of the dependency.
pub use reqwest::{self, Method, header};
pub use url::Url;

/// What the macros expand to. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use reqwest;
    pub use serde;
    pub use tracing;
}
