//! Vendor enums: unknown values survive, known values round-trip, chat words parse.

use proptest::prelude::*;
use statuspage_client::{
    ComponentStatus, Impact, IncidentStatus, StatusIndicator, SubscriberState, SubscriberType,
};

/// Serializing what was deserialized gives back the exact string, known or not.
fn round_trips<T: serde::Serialize + serde::de::DeserializeOwned>(raw: &str) -> bool {
    let json = serde_json::Value::String(raw.to_owned());
    serde_json::from_value::<T>(json.clone())
        .ok()
        .and_then(|v| serde_json::to_value(v).ok())
        == Some(json)
}

proptest! {
    #![proptest_config(opsbot_proptest::config!())]

    #[test]
    fn any_string_round_trips(raw in ".{0,40}") {
        prop_assert!(round_trips::<ComponentStatus>(&raw));
        prop_assert!(round_trips::<IncidentStatus>(&raw));
        prop_assert!(round_trips::<Impact>(&raw));
        prop_assert!(round_trips::<StatusIndicator>(&raw));
        prop_assert!(round_trips::<SubscriberType>(&raw));
        prop_assert!(round_trips::<SubscriberState>(&raw));
    }

    #[test]
    fn labels_parse_in_any_case_and_separator(index in 0usize..5, upper in any::<bool>(), sep in prop::sample::select(vec![" ", "_", "-", "  "])) {
        let status = ComponentStatus::KNOWN[index].clone();
        let mut word = status.label().replace(' ', sep);
        if upper {
            word = word.to_uppercase();
        }
        prop_assert_eq!(word.parse::<ComponentStatus>().ok(), Some(status));
    }
}

#[test]
fn known_values_parse_from_api_spelling_and_label() {
    for status in ComponentStatus::KNOWN {
        assert_eq!(
            status.as_str().parse::<ComponentStatus>().ok().as_ref(),
            Some(status)
        );
        assert_eq!(
            status.label().parse::<ComponentStatus>().ok().as_ref(),
            Some(status)
        );
        assert_eq!(&ComponentStatus::from_api(status.as_str()), status);
        assert!(!status.is_unknown());
    }
    for status in IncidentStatus::KNOWN {
        assert_eq!(
            status.label().parse::<IncidentStatus>().ok().as_ref(),
            Some(status)
        );
    }
}

#[test]
fn chat_words() {
    let cases = [
        ("degraded", ComponentStatus::DegradedPerformance),
        ("degraded performance", ComponentStatus::DegradedPerformance),
        ("partial", ComponentStatus::PartialOutage),
        ("partial outage", ComponentStatus::PartialOutage),
        ("major", ComponentStatus::MajorOutage),
        ("Major Outage", ComponentStatus::MajorOutage),
        ("maintenance", ComponentStatus::UnderMaintenance),
        ("under maintenance", ComponentStatus::UnderMaintenance),
        ("under_maintenance", ComponentStatus::UnderMaintenance),
        ("operational", ComponentStatus::Operational),
        (" OK ", ComponentStatus::Operational),
    ];
    for (word, expected) in cases {
        assert_eq!(
            word.parse::<ComponentStatus>().ok(),
            Some(expected),
            "{word}"
        );
    }
    assert_eq!(
        "in progress".parse::<IncidentStatus>().ok(),
        Some(IncidentStatus::InProgress)
    );
    assert_eq!(
        "resolve".parse::<IncidentStatus>().ok(),
        Some(IncidentStatus::Resolved)
    );
}

#[test]
fn unknown_words_are_typed_errors() {
    let error = "sideways"
        .parse::<ComponentStatus>()
        .expect_err("not a status");
    assert_eq!(error.kind, "component status");
    assert_eq!(error.input, "sideways");
    assert!(error.expected.contains(&"major outage"));
    assert!("".parse::<ComponentStatus>().is_err());
    assert!("degradedperformance".parse::<ComponentStatus>().is_err());
    let unknown = ComponentStatus::from_api("on_fire");
    assert!(unknown.is_unknown());
    assert_eq!(unknown.label(), "on_fire");
    assert_eq!(unknown.to_string(), "on_fire");
    assert_eq!(
        ComponentStatus::default(),
        ComponentStatus::Unknown(String::new())
    );
}
