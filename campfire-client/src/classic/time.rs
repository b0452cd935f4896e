//! Classic Campfire's timestamp forms, and its `starred` flag that is a bool or a string (`serde_with` adapters).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

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

/// The `serde_with` adapter for classic timestamps: reads every form, writes RFC 3339.
/// Use as `#[serde_as(as = "Option<CampfireTime>")]` (null or absent is `None`).
pub(crate) struct CampfireTime;

impl SerializeAs<DateTime<Utc>> for CampfireTime {
    fn serialize_as<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl<'de> DeserializeAs<'de, DateTime<Utc>> for CampfireTime {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(deserializer)?;
        parse_timestamp(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("unrecognised timestamp {raw:?}")))
    }
}

/// The `serde_with` adapter for `starred`: `true`, `false`, `"true"`, `"false"`, `null` (false).
pub(crate) struct FlexibleBool;

#[derive(Deserialize)]
#[serde(untagged)]
enum RawBool {
    Bool(bool),
    Text(String),
    Number(i64),
}

impl SerializeAs<bool> for FlexibleBool {
    fn serialize_as<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }
}

impl<'de> DeserializeAs<'de, bool> for FlexibleBool {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        match Option::<RawBool>::deserialize(deserializer)? {
            None => Ok(false),
            Some(RawBool::Bool(b)) => Ok(b),
            Some(RawBool::Number(n)) => Ok(n != 0),
            Some(RawBool::Text(t)) => match t.trim() {
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

    #[serde_with::serde_as]
    #[derive(Deserialize, serde::Serialize, Debug, PartialEq)]
    struct Probe {
        #[serde_as(as = "Option<CampfireTime>")]
        at: Option<DateTime<Utc>>,
        #[serde_as(as = "FlexibleBool")]
        #[serde(default)]
        flag: bool,
    }

    #[test]
    fn adapters_on_absent_null_and_odd_values() {
        let absent: Option<Probe> = serde_json::from_str("{}").ok();
        assert_eq!(
            absent,
            Some(Probe {
                at: None,
                flag: false
            })
        );
        let nulls: Option<Probe> = serde_json::from_str(r#"{"at":null,"flag":null}"#).ok();
        assert_eq!(
            nulls,
            Some(Probe {
                at: None,
                flag: false
            })
        );
        let odd: Option<Probe> =
            serde_json::from_str(r#"{"at":"2012/04/05 10:53:14 +0000","flag":"true"}"#).ok();
        assert_eq!(odd.as_ref().map(|p| p.flag), Some(true));
        let back = odd.and_then(|p| serde_json::to_string(&p).ok());
        assert_eq!(
            back.as_deref(),
            Some(r#"{"at":"2012-04-05T10:53:14Z","flag":true}"#)
        );
        assert!(serde_json::from_str::<Probe>(r#"{"at":"noon"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"flag":"maybe"}"#).is_err());
    }
}
