//! opsgenie-client (work in progress).
