//! Readers that accept each form a field is seen in.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

use crate::Priority;

/// `"P3"`, `"p3"`, `"3"` or `3` (a number outside 1..=5 is kept as `Unknown`).
pub(super) fn priority<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Priority>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Priority>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a priority such as \"P3\" or 3")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(from_number(n.to_string())))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(from_number(n.to_string())))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            if n.fract() == 0.0 && (1.0..=5.0).contains(&n) {
                // An integral value in 1..=5: the cast is exact.
                return Ok(Some(from_number((n as u8).to_string())));
            }
            Ok(Some(Priority::Unknown(n.to_string())))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            let t = s.trim();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                return Ok(Some(from_number(t.to_owned())));
            }
            Ok(Some(match Priority::from_api(&t.to_ascii_uppercase()) {
                Priority::Unknown(_) => Priority::Unknown(s.to_owned()),
                known => known,
            }))
        }
    }
    d.deserialize_option(V)
}

fn from_number(digits: String) -> Priority {
    match Priority::from_api(&format!("P{digits}")) {
        Priority::Unknown(_) => Priority::Unknown(digits),
        known => known,
    }
}

/// A string, or a number written as a string.
pub(super) fn tiny_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a tiny id such as \"23\" or 23")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_owned()))
        }
    }
    d.deserialize_option(V)
}

/// An object of strings; other values are kept as their JSON text, `null` is empty.
pub(super) fn details<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, serde_json::Value>> = serde::Deserialize::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}
