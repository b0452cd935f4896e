//! Checks done before anything is sent, matching the limits the API enforces.

use crate::error::Error;

/// The longest name the API accepts.
pub const MAX_NAME_CHARS: usize = 255;
/// The longest incident or update body the API accepts.
pub const MAX_BODY_CHARS: usize = 25_000;

/// A name must not be blank nor longer than 255 characters.
pub(crate) fn name(field: &'static str, value: &str) -> Option<Error> {
    if value.trim().is_empty() {
        Some(Error::invalid(field, "must not be empty"))
    } else if value.chars().count() > MAX_NAME_CHARS {
        Some(Error::invalid(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ))
    } else {
        None
    }
}

/// A body must not be longer than 25,000 characters.
pub(crate) fn body(field: &'static str, value: &str) -> Option<Error> {
    (value.chars().count() > MAX_BODY_CHARS).then(|| {
        Error::invalid(
            field,
            format!("must be at most {MAX_BODY_CHARS} characters"),
        )
    })
}

/// Keeps the first problem a builder found.
pub(crate) fn keep(slot: &mut Option<Error>, problem: Option<Error>) {
    if slot.is_none() {
        *slot = problem;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(name("name", "API").is_none());
        assert!(name("name", "  ").is_some());
        assert!(name("name", &"é".repeat(255)).is_none());
        assert!(name("name", &"é".repeat(256)).is_some());
        assert!(body("body", &"x".repeat(25_000)).is_none());
        assert!(body("body", &"x".repeat(25_001)).is_some());
    }
}
