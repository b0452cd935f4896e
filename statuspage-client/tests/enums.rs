//! Vendor enums: unknown values survive, known values round-trip, only the vendor's values parse.

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
    fn only_the_exact_vendor_spelling_parses(index in 0usize..5, upper in any::<bool>(), sep in prop::sample::select(vec![" ", "_", "-", "  "])) {
        // Issue 12: chat vocabulary left the SDK; `FromStr` accepts exactly Statuspage's values.
        let status = ComponentStatus::KNOWN[index].clone();
        let mut word = status.as_str().replace('_', sep);
        if upper {
            word = word.to_uppercase();
        }
        let expected = (word == status.as_str()).then_some(status);
        prop_assert_eq!(word.parse::<ComponentStatus>().ok(), expected);
    }
}

#[test]
fn known_values_parse_from_api_spelling_and_label() {
    for status in ComponentStatus::KNOWN {
        assert_eq!(
            status.as_str().parse::<ComponentStatus>().ok().as_ref(),
            Some(status)
        );
        // A label parses only where it is the vendor's spelling too (`operational`).
        assert_eq!(
            status.label().parse::<ComponentStatus>().ok().as_ref(),
            (status.label() == status.as_str()).then_some(status)
        );
        assert_eq!(&ComponentStatus::from_api(status.as_str()), status);
        assert!(!status.is_unknown());
    }
    for status in IncidentStatus::KNOWN {
        assert_eq!(
            status.as_str().parse::<IncidentStatus>().ok().as_ref(),
            Some(status)
        );
    }
}

/// The chat words the SDK used to accept are the bot's parser's now (issue 12): here only the
/// vendor's own spelling parses.
#[test]
fn chat_words_are_not_vendor_values() {
    let cases = [
        ("degraded", None),
        ("degraded performance", None),
        (
            "degraded_performance",
            Some(ComponentStatus::DegradedPerformance),
        ),
        ("partial", None),
        ("partial_outage", Some(ComponentStatus::PartialOutage)),
        ("major", None),
        ("Major Outage", None),
        ("major_outage", Some(ComponentStatus::MajorOutage)),
        ("maintenance", None),
        ("under maintenance", None),
        ("under_maintenance", Some(ComponentStatus::UnderMaintenance)),
        ("operational", Some(ComponentStatus::Operational)),
        (" OK ", None),
        ("down", None),
    ];
    for (word, expected) in cases {
        assert_eq!(word.parse::<ComponentStatus>().ok(), expected, "{word}");
    }
    assert_eq!(
        "in_progress".parse::<IncidentStatus>().ok(),
        Some(IncidentStatus::InProgress)
    );
    assert!("in progress".parse::<IncidentStatus>().is_err());
    assert!("resolve".parse::<IncidentStatus>().is_err());
    assert!("fixed".parse::<IncidentStatus>().is_err());
}

#[test]
fn unknown_words_are_typed_errors() {
    let error = "sideways"
        .parse::<ComponentStatus>()
        .expect_err("not a status");
    assert_eq!(error.kind, "component status");
    assert_eq!(error.input, "sideways");
    assert!(error.expected.contains(&"major_outage"));
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
