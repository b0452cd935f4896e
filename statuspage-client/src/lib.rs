//! statuspage-client (work in progress).
