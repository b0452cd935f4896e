use super::*;
use std::cell::RefCell;
use std::collections::HashMap;

fn config(pairs: &[(&str, &str)]) -> Result<Config, Vec<String>> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_vars(|name| map.get(name).cloned())
}

#[test]
fn nothing_set_is_the_demo() {
    let config = config(&[]).unwrap();
    assert!(config.is_demo());
    assert_eq!(config.adapter, Adapter::Shell);
    assert_eq!(config.bot_name, "opsbot");
    assert_eq!(config.operators, Operators::Unset);
    assert_eq!(config.listen, None);
}

/// `--help` lists every variable the configuration reads, and nothing it does not.
#[test]
fn every_variable_read_is_in_the_help() {
    let asked = RefCell::new(Vec::<String>::new());
    let _ = Config::from_vars(|name| {
        asked.borrow_mut().push(name.to_owned());
        // Set everything, so every branch asks for what it needs.
        Some(match name {
            "OPSGENIE_BACKEND" => "jsm".to_owned(),
            _ => "1".to_owned(),
        })
    });
    let _ = Config::from_vars(|name| {
        asked.borrow_mut().push(name.to_owned());
        Some("1".to_owned())
    });
    let help = help_text();
    let mut asked = asked.into_inner();
    asked.push("RUST_LOG".into()); // read by the log set-up, before the configuration
    for name in &asked {
        assert!(
            VARIABLES.iter().any(|(n, _)| n == name),
            "{name} is read but not in VARIABLES"
        );
    }
    for (name, _) in VARIABLES {
        assert!(
            asked.contains(&name.to_string()),
            "{name} is listed but never read"
        );
        assert!(help.contains(name), "{name} missing from --help");
    }
}

#[test]
fn partial_service_configuration_is_reported() {
    let problems = config(&[("STATUSPAGE_API_KEY", "k"), ("BOT_ADAPTER", "irc")]).unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("STATUSPAGE_PAGE_ID")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("BOT_ADAPTER")),
        "{problems:?}"
    );
}

/// A configured adapter or service with a missing variable is an error, never the demo.
#[test]
fn half_configured_is_never_the_demo() {
    for pairs in [
        &[("BOT_ADAPTER", "campfire")][..],
        &[("BOT_ADAPTER", "campfire-classic")][..],
        &[("CAMPFIRE_URL", "http://127.0.0.1:1")][..],
        &[("STATUSPAGE_PAGE_ID", "page")][..],
        &[("OPSGENIE_REGION", "eu")][..],
        &[("CAMPFIRE_CLASSIC_TOKEN", "t")][..],
        &[
            ("BOT_ADAPTER", "campfire"),
            ("CAMPFIRE_URL", "http://127.0.0.1:1"),
            ("CAMPFIRE_BOT_KEY", "1-abc"),
        ][..],
    ] {
        let problems = config(pairs).unwrap_err();
        assert!(!problems.is_empty(), "{pairs:?}");
    }
}

#[test]
fn secrets_are_redacted_in_debug() {
    let config = config(&[
        ("STATUSPAGE_API_KEY", "sp-secret-key"),
        ("STATUSPAGE_PAGE_ID", "page1"),
        ("OPSGENIE_API_KEY", "og-secret-key"),
        ("OPSGENIE_REGION", "EU"),
    ])
    .unwrap();
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("sp-secret-key") && !debug.contains("og-secret-key"),
        "{debug}"
    );
    assert!(config.opsgenie.unwrap().eu);
}

#[test]
fn jsm_backend_needs_its_variables_and_keeps_them_secret() {
    let problems = config(&[("OPSGENIE_BACKEND", "jsm")]).unwrap_err();
    for name in ["JSM_SITE or JSM_CLOUD_ID", "JSM_EMAIL", "JSM_API_TOKEN"] {
        assert!(problems.iter().any(|p| p.contains(name)), "{problems:?}");
    }
    let problems = config(&[("OPSGENIE_BACKEND", "pagerduty")]).unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("OPSGENIE_BACKEND")),
        "{problems:?}"
    );
    let config = config(&[
        ("OPSGENIE_BACKEND", "JSM"),
        ("JSM_SITE", "acme"),
        ("JSM_EMAIL", "ann.secret@example.com"),
        ("JSM_API_TOKEN", "jsm-secret-token"),
        ("OPSGENIE_API_KEY", "ignored-genie-key"),
    ])
    .unwrap();
    assert!(!config.is_demo());
    let og = config.opsgenie.clone().unwrap();
    let jsm = og.jsm.unwrap();
    assert_eq!(jsm.site.as_deref(), Some("acme"));
    assert_eq!(jsm.cloud_id, None);
    assert_eq!(og.api_key.0, "jsm-secret-token");
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("ann.secret@example.com") && !debug.contains("jsm-secret-token"),
        "{debug}"
    );
}

#[test]
fn names_in_bot_operators_are_a_warning_on_campfire_adapters() {
    let base = [
        ("BOT_ADAPTER", "campfire"),
        ("CAMPFIRE_URL", "http://127.0.0.1:1"),
        ("CAMPFIRE_BOT_KEY", "1-abc"),
        ("BOT_WEBHOOK_SECRET", "s"),
        ("BOT_OPERATORS", "42, Ada Example"),
    ];
    let cf = config(&base).unwrap();
    let warnings = cf.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`Ada Example`"), "{warnings:?}");
    assert_eq!(cf.listen, Some(SocketAddr::from(DEFAULT_LISTEN)));
    // In the shell, names are what count.
    let shell = config(&[("BOT_OPERATORS", "42, Ada Example")]).unwrap();
    assert!(shell.warnings().is_empty());
}

#[test]
fn classic_rooms_and_listen_are_parsed() {
    let config = config(&[
        ("BOT_ADAPTER", "campfire-classic"),
        ("CAMPFIRE_CLASSIC_URL", "http://127.0.0.1:1"),
        ("CAMPFIRE_CLASSIC_TOKEN", "t"),
        ("CAMPFIRE_CLASSIC_ROOMS", "1, 2 3"),
        ("BOT_LISTEN", "127.0.0.1:9999"),
        ("BOT_LOG_FORMAT", "JSON"),
    ])
    .unwrap();
    assert_eq!(config.classic.as_ref().unwrap().rooms, vec![1, 2, 3]);
    assert_eq!(config.listen, Some("127.0.0.1:9999".parse().unwrap()));
    assert_eq!(config.log_format, LogFormat::Json);
}

#[test]
fn notification_variables_are_parsed() {
    // A webhook secret alone: the shell listens for notifications.
    let shell = config(&[("BOT_WEBHOOK_SECRET", "s"), ("BOT_NOTIFY_OWN", "1")]).unwrap();
    assert_eq!(shell.listen, Some(SocketAddr::from(DEFAULT_LISTEN)));
    assert!(shell.notify_own);
    assert_eq!(format!("{:?}", shell.webhook_secret), "Some(<redacted>)");
    // Classic: its rooms unless BOT_NOTIFY_ROOMS says otherwise.
    let classic = [
        ("BOT_ADAPTER", "campfire-classic"),
        ("CAMPFIRE_CLASSIC_URL", "http://127.0.0.1:1"),
        ("CAMPFIRE_CLASSIC_TOKEN", "t"),
        ("CAMPFIRE_CLASSIC_ROOMS", "1,2"),
        ("BOT_WEBHOOK_SECRET", "s"),
    ];
    assert_eq!(config(&classic).unwrap().notify_rooms, vec![1, 2]);
    let mut only_two = classic.to_vec();
    only_two.push(("BOT_NOTIFY_ROOMS", "2"));
    assert_eq!(config(&only_two).unwrap().notify_rooms, vec![2]);
    // Nothing set: no listener, nothing echoed.
    let none = config(&[]).unwrap();
    assert!(none.webhook_secret.is_none() && !none.notify_own && none.notify_rooms.is_empty());
    let problems = config(&[
        ("BOT_NOTIFY_ROOMS", "7, ops"),
        ("BOT_NOTIFY_OWN", "yes"),
        ("OPSGENIE_APP_URL", "acme.app.opsgenie.com"),
    ])
    .unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("`ops`")), "{problems:?}");
}
