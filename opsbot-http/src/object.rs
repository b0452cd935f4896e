//! Decoding JSON that must be an object: the SDKs' webhook decoders share it.
//!
//! A derived struct reads a JSON array too (its items as the fields, by position); these
//! readers take an object (or `null`, for the nested-field readers) and refuse anything else.
//!
//! ```
//! #[derive(serde::Deserialize, Debug, Default, PartialEq)]
//! struct Page {
//!     id: String,
//! }
//! #[derive(serde::Deserialize, Debug)]
//! struct Hook {
//!     #[serde(default, deserialize_with = "opsbot_http::object::optional")]
//!     page: Option<Page>,
//! }
//! let hook: Hook = opsbot_http::object::decode_object(br#"{"page":{"id":"p1"}}"#, "a hook").unwrap();
//! assert_eq!(hook.page, Some(Page { id: "p1".into() }));
//! assert!(opsbot_http::object::decode_object::<Hook>(br#"{"page":["p1"]}"#, "a hook").is_err());
//! assert!(opsbot_http::object::decode_object::<Hook>(b"[]", "a hook").is_err());
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

struct ObjectOrNull<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrNull<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }
}

/// A nested object, or `None` for `null` (for `#[serde(deserialize_with = ..)]`).
///
/// # Errors
/// The deserializer's error for anything but an object or `null`.
pub fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_option(ObjectOrNull(PhantomData))
}

/// A nested object, or the default for `null` (for `#[serde(deserialize_with = ..)]`).
///
/// # Errors
/// The deserializer's error for anything but an object or `null`.
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    optional(d).map(Option::unwrap_or_default)
}

/// What a JSON value is, for an error message (never the value itself).
pub fn unexpected(value: &serde_json::Value) -> Unexpected<'static> {
    match value {
        serde_json::Value::Null => Unexpected::Unit,
        serde_json::Value::Bool(_) => Unexpected::Other("a boolean"),
        serde_json::Value::Number(_) => Unexpected::Other("a number"),
        serde_json::Value::String(_) => Unexpected::Other("a string"),
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::Object(_) => Unexpected::Map,
    }
}

/// Why [`decode_object`] refused a body. Messages never quote the body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// The body is empty (or only white space).
    #[error("empty body")]
    Empty,
    /// The body is not JSON.
    #[error("body is not json: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The body is JSON of the wrong shape.
    #[error("body has the wrong shape at `{path}`: {source}")]
    Shape {
        /// Where in the document decoding failed (`.` for the top level).
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// Decodes a body that must be one JSON object; `expected` names it in the error for
/// anything else (`"an alert action payload"`).
///
/// # Errors
/// [`ObjectError::Empty`] for an empty or blank body, [`ObjectError::NotJson`] for a body
/// that is not JSON (or has trailing data), [`ObjectError::Shape`] for JSON that is not an
/// object or does not decode as `T`. Never panics.
pub fn decode_object<T: DeserializeOwned>(
    body: &[u8],
    expected: &'static str,
) -> Result<T, ObjectError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ObjectError::Empty);
    }
    // A derived struct also reads a JSON array (fields by position): refuse anything but an
    // object before decoding, once the body is known to be JSON.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(ObjectError::NotJson)?;
        return Err(ObjectError::Shape {
            path: ".".to_owned(),
            source: de::Error::invalid_type(unexpected(&value), &expected),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let source = e.into_inner();
        if source.is_data() {
            ObjectError::Shape { path, source }
        } else {
            ObjectError::NotJson(source)
        }
    })?;
    de.end().map_err(ObjectError::NotJson)?;
    Ok(value)
}
