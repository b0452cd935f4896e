//! Epoch timestamps in whatever unit they come, and RFC 3339 strings.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Below this a number is seconds (1e11 s is the year 5138; 1e11 ms is 1973).
const SECONDS_BELOW: u128 = 100_000_000_000;
/// Below this (and above the last) milliseconds.
const MILLIS_BELOW: u128 = SECONDS_BELOW * 1_000;
/// Below this (and above the last) microseconds; above it nanoseconds.
const MICROS_BELOW: u128 = MILLIS_BELOW * 1_000;

/// The instant `n` units after the epoch, the unit told by the magnitude.
pub(crate) fn from_epoch(n: i128) -> Option<DateTime<Utc>> {
    let per_second: i128 = match n.unsigned_abs() {
        a if a < SECONDS_BELOW => 1,
        a if a < MILLIS_BELOW => 1_000,
        a if a < MICROS_BELOW => 1_000_000,
        _ => 1_000_000_000,
    };
    let secs = i64::try_from(n.div_euclid(per_second)).ok()?;
    let nanos = u32::try_from(n.rem_euclid(per_second) * (1_000_000_000 / per_second)).ok()?;
    DateTime::from_timestamp(secs, nanos)
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    struct V;
    impl V {
        fn checked<E: de::Error>(n: i128) -> Result<Option<DateTime<Utc>>, E> {
            from_epoch(n)
                .map(Some)
                .ok_or_else(|| E::custom(format!("timestamp {n} is out of range")))
        }
    }
    impl<'de> Visitor<'de> for V {
        type Value = Option<DateTime<Utc>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an epoch timestamp (s, ms, µs or ns) or an RFC 3339 date-time")
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
            V::checked(i128::from(n))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            V::checked(i128::from(n))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            // Beyond 2^53 a float has lost digits already; what is left is still the
            // right instant to within a microsecond, which is all a float can say.
            if !n.is_finite() || n.abs() >= 1e20 {
                return Err(E::custom(format!("timestamp {n} is out of range")));
            }
            V::checked(n.trunc() as i128)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            let digits = t.strip_prefix('-').unwrap_or(t);
            if !digits.is_empty()
                && digits.len() <= 30
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                return match t.parse::<i128>() {
                    Ok(n) => V::checked(n),
                    Err(_) => Err(E::custom("timestamp is out of range")),
                };
            }
            DateTime::parse_from_rfc3339(t)
                .map(|d| Some(d.with_timezone(&Utc)))
                .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
        }
    }
    d.deserialize_option(V)
}

/// Writes epoch milliseconds, as Opsgenie writes `createdAt`.
pub(super) fn millis<S: Serializer>(
    value: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    write(value, false, s)
}

/// Writes epoch nanoseconds, as Opsgenie writes `updatedAt`.
pub(super) fn nanos<S: Serializer>(value: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    write(value, true, s)
}

/// Writes the preferred unit when the reader will take it back as that unit without
/// loss; otherwise the other unit, an RFC 3339 string, or whole seconds, in that order.
/// So whatever was decoded serializes into a value that decodes to the same instant.
fn write<S: Serializer>(
    value: &Option<DateTime<Utc>>,
    prefer_nanos: bool,
    s: S,
) -> Result<S::Ok, S::Error> {
    let Some(t) = value else {
        return s.serialize_none();
    };
    let as_millis = (t.timestamp_subsec_nanos() % 1_000_000 == 0)
        .then(|| t.timestamp_millis())
        .filter(|ms| (SECONDS_BELOW..MILLIS_BELOW).contains(&ms.unsigned_abs().into()));
    let as_nanos = t
        .timestamp_nanos_opt()
        .filter(|ns| u128::from(ns.unsigned_abs()) >= MICROS_BELOW);
    let integer = if prefer_nanos {
        as_nanos.or(as_millis)
    } else {
        as_millis.or(as_nanos)
    };
    if let Some(n) = integer {
        return s.serialize_i64(n);
    }
    if (0..=9999).contains(&chrono::Datelike::year(t)) {
        return s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
    s.serialize_i64(t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::from_epoch;

    #[test]
    fn every_unit_lands_on_the_same_instant() {
        let expected = from_epoch(1_502_709_956).map(|t| t.timestamp());
        for n in [
            1_502_709_956_i128,
            1_502_709_956_288,
            1_502_709_956_288_000,
            1_502_709_956_288_000_110,
        ] {
            assert_eq!(from_epoch(n).map(|t| t.timestamp()), expected, "{n}");
        }
        let nanos = from_epoch(1_502_709_956_288_000_110).map(|t| t.timestamp_subsec_nanos());
        assert_eq!(nanos, Some(288_000_110));
        assert!(from_epoch(i128::MAX).is_none());
        assert!(from_epoch(-1_000).is_some_and(|t| t.timestamp() == -1_000));
    }
}
