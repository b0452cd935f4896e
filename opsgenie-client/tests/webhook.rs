//! Outgoing webhook payloads (Opsgenie and JSM Operations): every recorded shape under
//! `fixtures/opsgenie/webhooks/` decodes with the right fields, the typed event serializes back
//! into the vendor's shape, and hostile bodies give a typed error or a tolerant decode, never a
//! panic.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use opsgenie_client::webhook::{
    SourceType, WebhookAction, WebhookAlert, WebhookError, WebhookEvent,
};
use opsgenie_client::{IdentifierType, Priority, ResponderType};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

use common::fixture;

const ALERT: &str = "ec03fake-0000-4000-8000-000000000001";
const USER: &str = "daedfake-0000-4000-8000-0000000000u1";
const INTEGRATION: &str = "37c8fake-0000-4000-8000-0000000000a1";

fn event(name: &str) -> WebhookEvent {
    let body = fixture(name);
    WebhookEvent::from_slice(body.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn at_millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

fn at_nanos(ns: i64) -> Option<DateTime<Utc>> {
    Some(Utc.timestamp_nanos(ns))
}

fn decode(body: &str) -> Result<WebhookEvent, WebhookError> {
    WebhookEvent::from_slice(body.as_bytes())
}

/// The fields every action of the common fixture carries.
fn assert_common(name: &str, e: &WebhookEvent) {
    let a = e.alert();
    assert_eq!(
        a.alert_id.as_ref().map(|i| i.as_str()),
        Some(ALERT),
        "{name}"
    );
    assert_eq!(a.tiny_id.as_deref(), Some("23"), "{name}");
    assert_eq!(a.alias.as_deref(), Some("disk-full-db-3"), "{name}");
    assert_eq!(a.message.as_deref(), Some("Disk full on db-3"), "{name}");
    assert_eq!(a.entity.as_deref(), Some("db-3"), "{name}");
    assert_eq!(a.created_at, at_millis(1_502_709_956_288), "{name}");
    assert_eq!(
        e.integration_id.as_ref().map(|i| i.as_str()),
        Some(INTEGRATION),
        "{name}"
    );
    assert_eq!(e.integration_name.as_deref(), Some("Webhook"), "{name}");
}

#[test]
fn every_documented_action_decodes() {
    let cases = [
        ("webhooks/acknowledge.json", WebhookAction::Acknowledge),
        ("webhooks/unacknowledge.json", WebhookAction::UnAcknowledge),
        ("webhooks/add_note.json", WebhookAction::AddNote),
        ("webhooks/add_recipient.json", WebhookAction::AddRecipient),
        ("webhooks/add_team.json", WebhookAction::AddTeam),
        ("webhooks/add_tags.json", WebhookAction::AddTags),
        ("webhooks/remove_tags.json", WebhookAction::RemoveTags),
        (
            "webhooks/assign_ownership.json",
            WebhookAction::AssignOwnership,
        ),
        ("webhooks/take_ownership.json", WebhookAction::TakeOwnership),
        ("webhooks/delete.json", WebhookAction::Delete),
        ("webhooks/custom_action.json", WebhookAction::CustomAction),
    ];
    for (name, action) in cases {
        let e = event(name);
        assert_eq!(e.action(), &action, "{name}");
        assert_eq!(e.action.as_str(), action.as_str(), "{name}");
        assert_common(name, &e);
        // Every one of these came from the web application, made by Ann.
        let actor = e.actor().unwrap_or_else(|| panic!("{name}: actor"));
        assert_eq!(actor.id.as_deref(), Some(USER), "{name}");
        assert_eq!(
            actor.username.as_deref(),
            Some("ann@example.invalid"),
            "{name}"
        );
        let source = e
            .source
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: source"));
        assert_eq!(source.kind, Some(SourceType::Web), "{name}");
        assert_eq!(source.name.as_deref(), Some(""), "{name}");
        assert_eq!(
            e.alert().updated_at,
            at_nanos(1_502_709_990_123_000_110),
            "{name}"
        );
        let r = e.alert_ref().unwrap_or_else(|| panic!("{name}: ref"));
        assert_eq!(
            (r.value.as_str(), r.kind),
            (ALERT, IdentifierType::Id),
            "{name}"
        );
    }
}

#[test]
fn create_carries_priority_as_a_number_and_the_full_subset() {
    let e = event("webhooks/create.json");
    assert_eq!(e.action(), &WebhookAction::Create);
    assert_common("webhooks/create.json", &e);
    let a = e.alert();
    assert_eq!(a.priority, Some(Priority::P3));
    assert_eq!(a.tags, ["vip", "db"]);
    assert_eq!(a.teams, ["fake-team-0001"]);
    assert_eq!(a.recipients, ["fake-user-0001", "fake-team-0001"]);
    assert_eq!(a.description.as_deref(), Some("Only 2% left on /var"));
    assert_eq!(
        a.details.get("region").map(String::as_str),
        Some("eu-fake-1")
    );
    assert_eq!(a.source.as_deref(), Some("monitoring.example.invalid"));
    // Nanoseconds beyond 2^53 survive exactly: decoded as an integer, never a float.
    assert_eq!(a.updated_at, at_nanos(1_502_709_956_288_000_110));
    assert_eq!(
        a.updated_at.map(|t| t.timestamp_subsec_nanos()),
        Some(288_000_110)
    );
    let source = e.source.as_ref().expect("source");
    assert_eq!(source.kind, Some(SourceType::Api));
    assert_eq!(source.name.as_deref(), Some("web"));
    assert!(e.note().is_none());
    assert!(e.owner().is_none());
    assert!(e.escalation().is_none());
}

#[test]
fn create_carries_priority_as_a_string_flow_context_and_echoed_headers() {
    let e = event("webhooks/create_priority_string.json");
    assert_eq!(e.alert().priority, Some(Priority::P1));
    assert_eq!(e.alert().inserted_at, at_nanos(1_502_709_956_288_000_200));
    assert_eq!(e.integration_type.as_deref(), Some("Webhook"));
    let flow = e.alert_flow_context.as_ref().expect("flow context");
    assert_eq!(flow.request_id.as_deref(), Some("fake-request-0001"));
    assert_eq!(flow.trace_id.as_deref(), Some("fake-trace-0001"));
    assert_eq!(
        flow.content.get("step"),
        Some(&serde_json::json!("forward"))
    );
    assert_eq!(
        e.headers.get("x-opsbot-secret"),
        Some("fake-shared-secret-0000")
    );
    assert_eq!(e.headers.names().collect::<Vec<_>>(), ["X-Opsbot-Secret"]);
}

#[test]
fn echoed_header_values_never_reach_debug() {
    let e = event("webhooks/create_priority_string.json");
    let debug = format!("{e:?}");
    assert!(!debug.contains("fake-shared-secret-0000"), "{debug}");
    assert!(debug.contains("X-Opsbot-Secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn note_owner_and_escalation_come_from_their_actions() {
    assert_eq!(
        event("webhooks/add_note.json").note(),
        Some("Rotating logs now")
    );
    assert_eq!(
        event("webhooks/assign_ownership.json").owner(),
        Some("bob@example.invalid")
    );
    assert_eq!(
        event("webhooks/take_ownership.json").owner(),
        Some("ann@example.invalid")
    );
    // The owner field means nothing to other actions.
    assert_eq!(event("webhooks/acknowledge.json").owner(), None);

    let e = event("webhooks/escalate.json");
    assert_eq!(e.action(), &WebhookAction::Escalate);
    assert_eq!(e.alert().alert_id.as_ref().map(|i| i.as_str()), Some(ALERT));
    assert_eq!(e.alert().tiny_id, None);
    assert_eq!(e.alert(), &{
        let mut only_id = WebhookAlert::default();
        only_id.alert_id = Some(ALERT.into());
        only_id
    });
    assert!(e.actor().is_none());
    assert!(e.source.is_none());
    let esc = e.escalation().expect("escalation");
    assert_eq!(
        esc.id.as_deref(),
        Some("esc0fake-0000-4000-8000-0000000000e1")
    );
    assert_eq!(esc.name.as_deref(), Some("ops_escalation"));
    let notify = e.escalation_notify.as_ref().expect("notify");
    assert_eq!(notify.kind, Some(ResponderType::Schedule));
    assert_eq!(notify.name.as_deref(), Some("ops_schedule"));
    assert_eq!(e.escalation_time, Some(5));
    assert_eq!(e.repeat_count, Some(1));
}

#[test]
fn the_bot_recognises_its_own_actions_by_source() {
    // Created by the bot: the action's source and the alert's source both say so.
    let created = event("webhooks/create_priority_string.json");
    assert!(created.is_from_source("opsbot"));
    assert!(created.is_from_source("  OpsBot "));
    // Closed through the API with source `opsbot`.
    let closed = event("webhooks/close.json");
    assert_eq!(closed.action(), &WebhookAction::Close);
    assert!(closed.is_from_source("opsbot"));
    // The empty user id is left out of the actor.
    let actor = closed.actor().expect("actor");
    assert_eq!(
        (actor.id, actor.username.as_deref()),
        (None, Some("opsbot"))
    );
    // People's actions are not the bot's; an empty name matches nothing (the web source is "").
    let acked = event("webhooks/acknowledge.json");
    assert!(!acked.is_from_source("opsbot"));
    assert!(!acked.is_from_source(""));
    assert!(!acked.is_from_source("  "));
    // For actions other than Create, the alert's own source is not who acted.
    assert!(!acked.is_from_source("monitoring.example.invalid"));
    assert!(event("webhooks/create.json").is_from_source("monitoring.example.invalid"));

    assert!(acked.via_integration(INTEGRATION));
    assert!(acked.via_integration("webhook"));
    assert!(!acked.via_integration("other"));
    assert!(!acked.via_integration(""));
}

#[test]
fn jsm_operations_payloads_decode_with_the_same_decoder() {
    let e = event("webhooks/jsm_create.json");
    assert_eq!(e.action(), &WebhookAction::Create);
    let a = e.alert();
    assert_eq!(
        a.alert_id.as_ref().map(|i| i.as_str()),
        Some("b4b2fake-0000-4000-8000-000000000002-1717754400123")
    );
    assert_eq!(a.tiny_id.as_deref(), Some("7"));
    assert_eq!(a.priority, Some(Priority::P2));
    assert_eq!(a.entity.as_deref(), Some(""));
    assert_eq!(
        a.details.get("service").map(String::as_str),
        Some("checkout")
    );
    assert_eq!(a.created_at, at_millis(1_717_754_400_123));
    assert_eq!(a.updated_at, at_nanos(1_717_754_400_123_000_456));
    assert_eq!(
        e.actor().and_then(|u| u.id).as_deref(),
        Some("712020:fake-account-0001")
    );
    assert_eq!(e.integration_type.as_deref(), Some("Webhook"));

    let ack = event("webhooks/jsm_acknowledge.json");
    assert_eq!(ack.action(), &WebhookAction::Acknowledge);
    assert_eq!(ack.alert().priority, Some(Priority::P2));
    assert_eq!(ack.alert().updated_at, at_nanos(1_717_754_460_999_000_001));
}

#[test]
fn an_unknown_action_and_unknown_fields_decode() {
    let e = event("webhooks/unknown_action.json");
    assert_eq!(e.action(), &WebhookAction::Unknown("RewindTime".into()));
    assert_eq!(e.action.as_str(), "RewindTime");
    assert_eq!(
        e.source.as_ref().and_then(|s| s.kind.clone()),
        Some(SourceType::Unknown("mobile".into()))
    );
    assert_common("webhooks/unknown_action.json", &e);
    // The unknown word serializes back unchanged.
    let json = serde_json::to_value(&e).expect("serialize");
    assert_eq!(json["action"], "RewindTime");
}

#[test]
fn every_fixture_survives_a_round_trip_in_the_vendors_shape() {
    for name in fixture_names() {
        let e = event(&name);
        let json = serde_json::to_value(&e).expect("serialize");
        let alert = &json["alert"];
        // Timestamps are written the way Opsgenie writes them: integers, ms and ns.
        if let Some(t) = e.alert().created_at {
            assert_eq!(alert["createdAt"], t.timestamp_millis(), "{name}");
        }
        if let Some(t) = e.alert().updated_at {
            assert_eq!(
                alert["updatedAt"].as_i64(),
                t.timestamp_nanos_opt(),
                "{name}"
            );
        }
        let bytes = serde_json::to_vec(&e).expect("serialize");
        let back = WebhookEvent::from_slice(&bytes).expect("decode again");
        assert_eq!(back, e, "{name}");
    }
}

fn fixture_names() -> Vec<String> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/opsgenie/webhooks");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/opsgenie/webhooks")
        .flatten()
        .map(|e| format!("webhooks/{}", e.file_name().to_string_lossy()))
        .collect();
    names.sort();
    names
}

#[test]
fn every_webhook_fixture_is_used_by_a_test() {
    let this = include_str!("webhook.rs");
    let names = fixture_names();
    assert!(names.len() >= 18, "{names:?}");
    let unused: Vec<_> = names
        .iter()
        .filter(|n| !this.contains(&format!("\"{n}\"")))
        .collect();
    assert!(unused.is_empty(), "fixtures no test uses: {unused:?}");
}

#[test]
fn priority_timestamp_and_tiny_id_forms() {
    let with = |alert: &str| decode(&format!(r#"{{"action":"Create","alert":{alert}}}"#));
    for (raw, expected) in [
        ("\"P1\"", Priority::P1),
        ("\"p2\"", Priority::P2),
        ("\" P4 \"", Priority::P4),
        ("\"5\"", Priority::P5),
        ("1", Priority::P1),
        ("5.0", Priority::P5),
        ("9", Priority::Unknown("9".into())),
        ("0", Priority::Unknown("0".into())),
        ("-3", Priority::Unknown("-3".into())),
        ("2.5", Priority::Unknown("2.5".into())),
        ("\"P9\"", Priority::Unknown("P9".into())),
        ("\"urgent\"", Priority::Unknown("urgent".into())),
    ] {
        let e = with(&format!(r#"{{"priority":{raw}}}"#)).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(e.alert.priority, Some(expected), "{raw}");
    }

    let instant = at_millis(1_502_709_956_288);
    for raw in [
        "1502709956288",
        "1502709956288000",
        "1502709956288000000",
        "\"1502709956288\"",
        "\"2017-08-14T11:25:56.288Z\"",
        "\"2017-08-14T13:25:56.288+02:00\"",
        "1502709956288.0",
    ] {
        let e = with(&format!(r#"{{"createdAt":{raw}}}"#)).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(e.alert.created_at, instant, "{raw}");
    }
    let seconds = with(r#"{"createdAt":1502709956}"#).expect("seconds");
    assert_eq!(
        seconds.alert.created_at.map(|t| t.timestamp()),
        Some(1_502_709_956)
    );
    let blank = with(r#"{"createdAt":"","updatedAt":null}"#).expect("blank");
    assert_eq!(
        (blank.alert.created_at, blank.alert.updated_at),
        (None, None)
    );
    // Beyond what a timestamp can hold, or not a time at all: a typed error naming the field.
    for raw in [
        "1e300",
        "\"99999999999999999999999999\"",
        "\"yesterday\"",
        "true",
        "{}",
    ] {
        match with(&format!(r#"{{"updatedAt":{raw}}}"#)) {
            Err(WebhookError::Shape { path, .. }) => assert_eq!(path, "alert.updatedAt", "{raw}"),
            other => panic!("{raw}: {other:?}"),
        }
    }

    for (raw, expected) in [("\"23\"", Some("23")), ("23", Some("23")), ("null", None)] {
        let e = with(&format!(r#"{{"tinyId":{raw}}}"#)).expect("tiny id");
        assert_eq!(e.alert.tiny_id.as_deref(), expected, "{raw}");
    }
    // Without an id, the tiny id identifies the alert.
    let r = with(r#"{"tinyId":"23","alertId":""}"#)
        .expect("tiny")
        .alert_ref()
        .expect("ref");
    assert_eq!((r.value.as_str(), r.kind), ("23", IdentifierType::Tiny));
    assert!(with("{}").expect("empty alert").alert_ref().is_none());
}

#[test]
fn bodies_that_are_not_payloads_are_typed_errors() {
    assert!(matches!(decode(""), Err(WebhookError::Empty)));
    assert!(matches!(decode(" \r\n\t"), Err(WebhookError::Empty)));
    for body in [
        "not json",
        "{",
        r#"{"action":"Create""#,
        r#"{"action":"Create"} trailing"#,
        "\u{feff}{}",
        "<html>502 Bad Gateway</html>",
    ] {
        assert!(
            matches!(decode(body), Err(WebhookError::NotJson { .. })),
            "{body:?}: {:?}",
            decode(body)
        );
    }
    assert!(matches!(
        WebhookEvent::from_slice(b"{\"action\":\"Cr\xffate\"}"),
        Err(WebhookError::NotJson { .. })
    ));
    for (body, at) in [
        ("[]", "."),
        (r#"[{"action":"Create"}]"#, "."),
        ("\"Create\"", "."),
        ("42", "."),
        ("null", "."),
        ("{}", "."),
        (r#"{"alert":{"alertId":"x"}}"#, "."),
        (r#"{"action":null}"#, "action"),
        (r#"{"action":5}"#, "action"),
        (r#"{"action":"Create","alert":[]}"#, "alert"),
        (r#"{"action":"Create","alert":"x"}"#, "alert"),
        (
            r#"{"action":"Create","alert":{"tags":"vip"}}"#,
            "alert.tags",
        ),
        (
            r#"{"action":"Create","alert":{"tags":[1]}}"#,
            "alert.tags[0]",
        ),
        (
            r#"{"action":"Create","alert":{"message":7}}"#,
            "alert.message",
        ),
        (
            r#"{"action":"Create","alert":{"tinyId":true}}"#,
            "alert.tinyId",
        ),
        (
            r#"{"action":"Create","alert":{"priority":[]}}"#,
            "alert.priority",
        ),
        (r#"{"action":"Create","source":"web"}"#, "source"),
        (r#"{"action":"Create","source":["web","API"]}"#, "source"),
        (
            r#"{"action":"Escalate","escalationNotify":["x"]}"#,
            "escalationNotify",
        ),
        (
            r#"{"action":"Create","alertFlowContext":[]}"#,
            "alertFlowContext",
        ),
        (r#"{"action":"Create","headers":["X-Secret"]}"#, "headers"),
        (r#"{"action":"Escalate","repeatCount":-1}"#, "repeatCount"),
    ] {
        match decode(body) {
            Err(WebhookError::Shape { path, source }) => {
                assert_eq!(path, at, "{body}: {source}");
                let message = WebhookError::Shape { path, source }.to_string();
                assert!(
                    message.starts_with("webhook body is not an alert action payload"),
                    "{message}"
                );
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    // Nesting deeper than the parser allows is an error, not a stack overflow.
    let deep = format!(
        r#"{{"action":"Create","alert":{{"details":{{"x":{}{}}}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(decode(&deep).is_err());
}

#[test]
fn null_and_missing_optional_fields_decode_tolerantly() {
    let e = decode(
        r#"{"action":"Close","alert":null,"source":null,"integrationId":null,
            "escalationNotify":null,"headers":null,"alertFlowContext":null}"#,
    )
    .expect("nulls");
    assert_eq!(e.action(), &WebhookAction::Close);
    assert_eq!(e.alert(), &WebhookAlert::default());
    assert!(e.actor().is_none() && e.alert_ref().is_none() && e.headers.is_empty());

    let e = decode(
        r#"{"action":"AddNote","alert":{"alertId":null,"tinyId":null,"tags":null,"teams":null,
            "recipients":null,"details":null,"note":null,"priority":null,"createdAt":null,
            "username":"","userId":null}}"#,
    )
    .expect("null fields");
    assert!(e.note().is_none() && e.actor().is_none());
    assert!(e.alert().tags.is_empty() && e.alert().details.is_empty());

    // Details that are not strings are kept as their JSON text.
    let e =
        decode(r#"{"action":"Create","alert":{"details":{"n":3,"b":true,"o":{"k":"v"},"s":"x"}}}"#)
            .expect("details");
    let d = &e.alert().details;
    assert_eq!(
        (
            d["n"].as_str(),
            d["b"].as_str(),
            d["o"].as_str(),
            d["s"].as_str()
        ),
        ("3", "true", r#"{"k":"v"}"#, "x")
    );

    // Unknown fields anywhere are ignored.
    let e =
        decode(r#"{"action":"Acknowledge","future":{"a":[1,{"b":null}]},"alert":{"future":1}}"#)
            .expect("unknown fields");
    assert_eq!(e.action(), &WebhookAction::Acknowledge);
}

#[test]
fn huge_strings_decode() {
    let message = "x".repeat(1 << 20);
    let note = "ü".repeat(100_000);
    let body = serde_json::json!({
        "action": "AddNote",
        "alert": {"message": message, "note": note, "tags": vec!["t"; 10_000]},
    });
    let e = WebhookEvent::from_slice(&serde_json::to_vec(&body).expect("json")).expect("decode");
    assert_eq!(e.alert().message.as_ref().map(String::len), Some(1 << 20));
    assert_eq!(e.note().map(|n| n.chars().count()), Some(100_000));
    assert_eq!(e.alert().tags.len(), 10_000);
}

#[test]
fn a_built_event_serializes_into_the_shape_it_decodes_from() {
    let mut alert = WebhookAlert::default();
    alert.alert_id = Some("fake-alert-0002".into());
    alert.tiny_id = Some("4".into());
    alert.priority = Some(Priority::P2);
    alert.created_at = at_millis(1_700_000_000_123);
    alert.updated_at = at_nanos(1_700_000_000_123_456_789);
    let mut e = WebhookEvent::new(WebhookAction::AddNote, alert);
    e.alert.note = Some("on it".into());
    e.headers.insert("X-Secret", "fake-secret-1");
    let json = serde_json::to_value(&e).expect("serialize");
    assert_eq!(json["action"], "AddNote");
    assert_eq!(json["alert"]["priority"], "P2");
    assert_eq!(json["alert"]["createdAt"], 1_700_000_000_123_i64);
    assert_eq!(json["alert"]["updatedAt"], 1_700_000_000_123_456_789_i64);
    assert_eq!(json["headers"]["X-Secret"], "fake-secret-1");
    // Absent fields are left out, not written as null.
    assert!(json.get("source").is_none() && json["alert"].get("owner").is_none());
    let back = WebhookEvent::from_slice(&serde_json::to_vec(&e).expect("json")).expect("decode");
    assert_eq!(back, e);
}

/// Deterministic under `CI=true` (a fixed seed), a random search locally; failures are
/// persisted to `tests/webhook.proptest-regressions` and replayed first.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        config.rng_seed = RngSeed::Fixed(0x0016_5eed);
    }
    config
}

/// JSON values of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(".{0,10}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A field name a payload has, or any other.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "alertId", "tinyId", "alias", "message", "entity", "source", "tags", "teams",
            "recipients", "username", "userId", "description", "details", "note", "owner",
            "priority", "createdAt", "updatedAt", "insertedAt",
        ])
        .prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = WebhookEvent::from_slice(&bytes);
    }

    #[test]
    fn any_value_in_any_field_decodes_or_is_a_shape_error(
        action in prop_oneof![Just("Create".to_owned()), ".{0,12}"],
        fields in prop::collection::btree_map(field(), any_json(), 0..8),
        top in prop::collection::btree_map(".{0,12}", any_json(), 0..3),
    ) {
        let mut body = serde_json::Map::new();
        body.extend(top);
        body.insert("action".into(), action.clone().into());
        body.insert("alert".into(), serde_json::Value::Object(fields.into_iter().collect()));
        let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match WebhookEvent::from_slice(&bytes) {
            Ok(e) => {
                prop_assert_eq!(e.action.as_str(), action.as_str());
                // What decoded serializes and decodes to the same event.
                let again = serde_json::to_vec(&e).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let back = WebhookEvent::from_slice(&again);
                prop_assert!(back.as_ref().is_ok_and(|b| b == &e), "{:?}", back);
            }
            Err(WebhookError::Shape { .. }) => {}
            Err(other) => prop_assert!(false, "valid JSON gave {other:?}"),
        }
    }
}

#[test]
fn an_alert_and_an_action_make_the_delivery_opsgenie_sends() {
    use opsgenie_client::{Alert, AlertAction, NamedRef, UserRef};

    let mut alert: Alert =
        serde_json::from_value(common::fixture_json("alerts/get.json")["data"].clone())
            .expect("alert");
    alert.description = Some("d".repeat(1_500));
    let created = WebhookEvent::for_alert(WebhookAction::Create, &alert);
    let a = created.alert();
    assert_eq!(a.alert_id.as_ref(), Some(&alert.id));
    assert_eq!(a.tiny_id, alert.tiny_id);
    assert_eq!(a.alias, alert.alias);
    assert_eq!(a.message.as_deref(), Some(alert.message.as_str()));
    assert_eq!(a.tags, alert.tags);
    assert_eq!(a.priority, alert.priority);
    assert_eq!(
        (a.created_at, a.updated_at),
        (alert.created_at, alert.updated_at)
    );
    assert_eq!(a.teams, ["8418d193-fake-4d8f-a3da-000000000001"]);
    // Description and details are sent on Create, cut to 1,000 characters.
    assert_eq!(a.description.as_ref().map(String::len), Some(1_000));
    assert_eq!(
        a.details.get("serverName").map(String::as_str),
        Some("Zion")
    );
    // ... and not on other actions.
    let acked = WebhookEvent::for_alert(WebhookAction::Acknowledge, &alert);
    assert!(acked.alert().description.is_none() && acked.alert().details.is_empty());
    // The delivery decodes back into itself.
    let bytes = serde_json::to_vec(&created).expect("json");
    assert_eq!(WebhookEvent::from_slice(&bytes).expect("decode"), created);

    for (action, word) in [
        (AlertAction::Acknowledge, "Acknowledge"),
        (AlertAction::Unacknowledge, "UnAcknowledge"),
        (AlertAction::Close, "Close"),
        (AlertAction::AddNote("x".into()), "AddNote"),
        (AlertAction::Escalate(NamedRef::name("ops")), "Escalate"),
        (
            AlertAction::Assign(UserRef::username("bob@example.invalid")),
            "AssignOwnership",
        ),
        (AlertAction::AddTeam(NamedRef::name("ops")), "AddTeam"),
        (AlertAction::Custom("Restart".into()), "CustomAction"),
        (AlertAction::AddTags(vec!["x".into()]), "AddTags"),
        (AlertAction::RemoveTags(vec!["x".into()]), "RemoveTags"),
        (AlertAction::UpdatePriority(Priority::P1), "UpdatePriority"),
        (AlertAction::Delete, "Delete"),
    ] {
        assert_eq!(
            WebhookAction::for_action(&action).as_str(),
            word,
            "{action:?}"
        );
    }
    assert!(WebhookAction::Create.carries_description());
    assert!(WebhookAction::CustomAction.carries_description());
    assert!(!WebhookAction::Close.carries_description());
}

#[test]
fn the_same_delivery_twice_has_one_dedup_key() {
    let body = fixture("webhooks/add_note.json");
    let first = WebhookEvent::from_slice(body.as_bytes()).expect("decode");
    // The same payload again, re-serialized with other spacing and key order.
    let value: serde_json::Value = serde_json::from_str(&body).expect("json");
    let again = WebhookEvent::from_slice(&serde_json::to_vec_pretty(&value).expect("json"))
        .expect("decode");
    assert_eq!(first.dedup_key(), again.dedup_key());
    // Another action on the same alert, or the same action later, is another delivery.
    let acked = event("webhooks/acknowledge.json");
    assert_ne!(first.dedup_key(), acked.dedup_key());
    let mut later = first.clone();
    later.alert.updated_at = at_nanos(1_502_709_999_000_000_000);
    assert_ne!(first.dedup_key(), later.dedup_key());
}
