//! The parser's tests for the Status page forms of incidents that know their components:
//! several components, `on ...` clauses, `affect`, `impact`, templates, uptime, postmortems.

use super::vocabulary::COMPONENT_STATUS_WORDS;
use super::*;

fn status(line: &str) -> StatusCommand {
    match parse(line).map(|p| p.command) {
        Ok(Command::Status(cmd)) => cmd,
        other => panic!("{line:?} parsed as {other:?}"),
    }
}

fn usage_of(line: &str) -> &'static str {
    match parse(line) {
        Err(ParseError::Usage { usage, .. }) => usage,
        other => panic!("{line:?} parsed as {other:?}"),
    }
}

fn clause(before: &str, components: &[&str], status: ComponentStatus) -> OnClause {
    OnClause {
        before: before.into(),
        components: components.iter().map(|c| (*c).to_owned()).collect(),
        status,
    }
}

#[test]
fn open_with_an_on_clause_keeps_the_text_and_offers_the_readings() {
    assert_eq!(
        status(
            "status open investigating Builds delayed: jobs queue on Build Processing, API major outage"
        ),
        StatusCommand::Open {
            status: IncidentStatus::Investigating,
            name: "Builds delayed".into(),
            message: Some("jobs queue on Build Processing, API major outage".into()),
            on: vec![clause(
                "jobs queue",
                &["Build Processing", "API"],
                ComponentStatus::MajorOutage
            )],
        }
    );
    // Without a message the clause ends the name; shortest reading first.
    assert_eq!(
        status("/STATUS OPEN identified Slow on Fridays ON Sign on degraded"),
        StatusCommand::Open {
            status: IncidentStatus::Identified,
            name: "Slow on Fridays ON Sign on degraded".into(),
            message: None,
            on: vec![
                clause(
                    "Slow on Fridays",
                    &["Sign on"],
                    ComponentStatus::DegradedPerformance
                ),
                clause(
                    "Slow",
                    &["Fridays ON Sign on"],
                    ComponentStatus::DegradedPerformance
                ),
            ],
        }
    );
    // No status at the end, a glued `on`, an empty name between commas: no reading.
    for line in [
        "status open investigating Down on API",
        "status open investigating Down: upon API major",
        "status open investigating Down: on API,, Web major",
        "status open investigating on API major",
    ] {
        match status(line) {
            StatusCommand::Open { on, .. } => assert!(on.is_empty(), "{line}: {on:?}"),
            other => panic!("{line}: {other:?}"),
        }
    }
}

#[test]
fn open_from_a_template() {
    assert_eq!(
        status("status open from Slow builds"),
        StatusCommand::OpenFrom {
            template: "Slow builds".into(),
            on: vec![]
        }
    );
    assert_eq!(
        status("status open FROM Slow builds on API partial"),
        StatusCommand::OpenFrom {
            template: "Slow builds on API partial".into(),
            on: vec![clause(
                "Slow builds",
                &["API"],
                ComponentStatus::PartialOutage
            )]
        }
    );
    assert_eq!(
        usage_of("status open from"),
        "status open from <template name> [on <component>[, <component>...] <status>]"
    );
}

#[test]
fn affect_impact_and_their_errors() {
    assert_eq!(
        status("status affect API partial outage"),
        StatusCommand::Affect {
            incident: None,
            component: "API".into(),
            status: ComponentStatus::PartialOutage
        }
    );
    assert_eq!(
        status("status AFFECT p31zjtct2jer Build Processing major"),
        StatusCommand::Affect {
            incident: Some("p31zjtct2jer".into()),
            component: "Build Processing".into(),
            status: ComponentStatus::MajorOutage
        }
    );
    for bad in [
        "status affect",
        "status affect API",
        "status affect API sideways",
        "status affect major",
    ] {
        assert_eq!(
            usage_of(bad),
            "status affect [<incident id>] <component> <status>",
            "{bad}"
        );
    }
    assert_eq!(
        status("status impact critical"),
        StatusCommand::Impact {
            incident: None,
            impact: Impact::Critical
        }
    );
    assert_eq!(
        status("/status IMPACT p31zjtct2jer None"),
        StatusCommand::Impact {
            incident: Some("p31zjtct2jer".into()),
            impact: Impact::None
        }
    );
    for bad in [
        "status impact",
        "status impact huge",
        "status impact maintenance",
        "status impact p31zjtct2jer huge",
        "status impact is very big",
    ] {
        match parse(bad) {
            Err(ParseError::Usage { usage, problem }) => {
                assert_eq!(
                    usage, "status impact [<incident id>] <none|minor|major|critical>",
                    "{bad}"
                );
                assert!(
                    problem.contains("none, minor, major or critical"),
                    "{problem}"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    // A component whose name starts with "Impact" can still be set.
    assert_eq!(
        status("status Impact Tracker major"),
        StatusCommand::Set {
            component: "Impact Tracker".into(),
            status: ComponentStatus::MajorOutage
        }
    );
}

#[test]
fn several_components_templates_uptime_postmortem() {
    assert_eq!(
        status("status API, Website,Build Processing major outage"),
        StatusCommand::SetSeveral {
            components: vec!["API".into(), "Website".into(), "Build Processing".into()],
            status: ComponentStatus::MajorOutage
        }
    );
    assert_eq!(
        usage_of("status API, , Web major"),
        "status <component>, <component>... <operational|degraded|partial|major|maintenance>"
    );
    assert_eq!(
        status("status API, Website?"),
        StatusCommand::Show {
            component: "API, Website".into()
        }
    );
    assert_eq!(status("status templates"), StatusCommand::Templates);
    assert_eq!(
        status("status templates?"),
        StatusCommand::Show {
            component: "templates".into()
        }
    );
    assert_eq!(
        status("status uptime Build Processing"),
        StatusCommand::Uptime {
            component: "Build Processing".into()
        }
    );
    assert_eq!(usage_of("status uptime"), "status uptime <component>");
    assert_eq!(
        status("status postmortem"),
        StatusCommand::Postmortem { incident: None }
    );
    assert_eq!(
        status("status postmortem p31zjtct2jer"),
        StatusCommand::Postmortem {
            incident: Some("p31zjtct2jer".into())
        }
    );
    assert_eq!(
        usage_of("status postmortem last week"),
        "status postmortem [<incident id>]"
    );
}

#[test]
fn who_may_run_the_new_forms() {
    let access = |line: &str| parse(line).unwrap().access();
    for line in [
        "status open from Slow builds",
        "status open investigating X on API major",
        "status affect API major",
        "status impact minor",
        "status API, Website major",
        "status postmortem",
    ] {
        assert_eq!(access(line), Access::Change, "{line}");
    }
    for line in ["status templates", "status uptime API"] {
        assert_eq!(access(line), Access::Read, "{line}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// A fixed seed under `CI=true` (reproducible CI runs), the random search elsewhere.
    fn config() -> Config {
        let mut config = Config::default();
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            config.rng_seed = RngSeed::Fixed(0x5_7a7e);
        }
        config
    }

    /// A component-like name: words of letters and digits, none of them `on`, no status phrase
    /// at the end.
    fn name() -> impl Strategy<Value = String> {
        prop::collection::vec("[A-Za-z][A-Za-z0-9]{0,8}", 1..4)
            .prop_map(|words| words.join(" "))
            .prop_filter("no `on` word, no status phrase at the end", |n| {
                !n.split_whitespace().any(|w| w.eq_ignore_ascii_case("on"))
                    && parse::split_status_suffix(n).is_none()
            })
    }

    fn phrase() -> impl Strategy<Value = (String, ComponentStatus)> {
        (
            prop::sample::select(COMPONENT_STATUS_WORDS.to_vec()),
            any::<bool>(),
        )
            .prop_map(|((p, status), upper)| {
                let typed = if upper {
                    p.to_ascii_uppercase()
                } else {
                    p.to_owned()
                };
                (typed, status)
            })
    }

    proptest! {
        #![proptest_config(config())]

        /// Lines that start like the new forms, with arbitrary tails, never panic.
        #[test]
        fn never_panics_on_the_new_prefixes(
            head in prop::sample::select(vec![
                "status open from", "status affect", "status impact", "status templates",
                "status uptime", "status postmortem", "status open investigating x on",
                "status a,", "/STATUS AFFECT",
            ]),
            tail in ".{0,40}",
        ) {
            let _ = parse(&format!("{head} {tail}"));
        }

        /// `open ... on <components> <status>`: the first reading is exactly the typed clause.
        #[test]
        fn open_on_clauses_parse(
            title in name(),
            message in proptest::option::of(name()),
            components in prop::collection::vec(name(), 1..4),
            (typed, want) in phrase(),
        ) {
            let text = match &message { Some(m) => format!("{title}: {m}"), None => title.clone() };
            let line = format!("status open investigating {text} on {} {typed}", components.join(", "));
            match parse(&line).map(|p| p.command) {
                Ok(Command::Status(StatusCommand::Open { name, message: got_message, on, .. })) => {
                    let first = on.first().cloned();
                    prop_assert_eq!(first, Some(OnClause {
                        before: message.clone().unwrap_or_else(|| title.clone()),
                        components: components.clone(),
                        status: want,
                    }));
                    prop_assert_eq!(name.as_str(), if message.is_some() { title.as_str() } else { line["status open investigating ".len()..].trim() });
                    prop_assert_eq!(got_message.is_some(), message.is_some());
                }
                other => prop_assert!(false, "{line} parsed as {other:?}"),
            }
        }

        /// `status <a>, <b>... <status>` sets exactly those components.
        #[test]
        fn several_components_parse(
            components in prop::collection::vec(name(), 2..5),
            (typed, want) in phrase(),
        ) {
            let line = format!("status {} {typed}", components.join(", "));
            prop_assert_eq!(
                parse(&line).map(|p| p.command),
                Ok(Command::Status(StatusCommand::SetSeveral { components, status: want }))
            );
        }

        /// `status affect <component> <status>` affects that component.
        #[test]
        fn affect_parses(component in name(), (typed, want) in phrase()) {
            prop_assume!(!looks_like_an_id(&component));
            let line = format!("status affect {component} {typed}");
            prop_assert_eq!(
                parse(&line).map(|p| p.command),
                Ok(Command::Status(StatusCommand::Affect { incident: None, component, status: want }))
            );
        }

        /// Every word that is not an impact is refused with the impacts named, never read.
        #[test]
        fn impacts_parse_or_are_refused(word in "[A-Za-z]{1,10}") {
            let known = ["none", "minor", "major", "critical"];
            let parsed = parse(&format!("status impact {word}"));
            if known.contains(&word.to_ascii_lowercase().as_str()) {
                let read = matches!(parsed.map(|p| p.command), Ok(Command::Status(StatusCommand::Impact { incident: None, .. })));
                prop_assert!(read, "{} was not read as an impact", word);
            } else {
                let refused = matches!(parsed, Err(ParseError::Usage { .. }));
                prop_assert!(refused, "{} was not refused", word);
            }
        }
    }

    fn looks_like_an_id(text: &str) -> bool {
        parse::split_word(text).0.len() >= 8 && text.chars().any(|c| c.is_ascii_digit())
    }
}
