//! campfire-client (work in progress).
