//! Classic Campfire's timestamp forms, and its `starred` flag that is a bool or a string.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Parses `2009-11-22T19:11:41Z` (RFC 3339), `2012/04/05 10:53:14 +0000` and `2009-12-01 23:44:40` (UTC).
pub(crate) fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y/%m/%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(t) = DateTime::parse_from_str(raw, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(t.and_utc());
        }
    }
    None
}

/// `#[serde(with = "timestamp")]` for `Option<DateTime<Utc>>` fields (null or absent is `None`).
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => {
                serializer.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            }
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        let raw = Option::<String>::deserialize(deserializer)?;
        match raw {
            None => Ok(None),
            Some(raw) => parse_timestamp(&raw)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("unrecognised timestamp {raw:?}"))),
        }
    }
}

/// `#[serde(with = "flexible_bool")]`: `true`, `false`, `"true"`, `"false"`, `null` (false).
pub(crate) mod flexible_bool {
    use super::*;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
        Number(i64),
    }

    pub(crate) fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<bool, D::Error> {
        match Option::<Raw>::deserialize(deserializer)? {
            None => Ok(false),
            Some(Raw::Bool(b)) => Ok(b),
            Some(Raw::Number(n)) => Ok(n != 0),
            Some(Raw::Text(t)) => match t.trim() {
                "true" | "1" => Ok(true),
                "false" | "0" | "" => Ok(false),
                other => Err(serde::de::Error::custom(format!(
                    "expected a boolean, got {other:?}"
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_form_of_timestamp() {
        let expect = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single();
        assert_eq!(
            parse_timestamp("2009-11-22T19:11:41Z"),
            expect(2009, 11, 22, 19, 11, 41)
        );
        assert_eq!(
            parse_timestamp("2012/04/05 10:53:14 +0000"),
            expect(2012, 4, 5, 10, 53, 14)
        );
        assert_eq!(
            parse_timestamp("2012/04/05 12:53:14 +0200"),
            expect(2012, 4, 5, 10, 53, 14)
        );
        assert_eq!(
            parse_timestamp("2009-12-01 23:44:40"),
            expect(2009, 12, 1, 23, 44, 40)
        );
        assert_eq!(
            parse_timestamp("2025-03-01T10:00:00.123+01:00").map(|t| t.timestamp()),
            expect(2025, 3, 1, 9, 0, 0).map(|t| t.timestamp())
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
