//! The parser's tests: every form, the table's own consistency, and properties.

use super::parse::split_status_suffix;
use super::vocabulary::COMPONENT_STATUS_WORDS;
use super::*;

fn command(line: &str) -> Result<Command, ParseError> {
    parse(line).map(|p| p.command)
}

/// The table holds itself together: every row's example parses to that very row, every usage
/// line starts with the row's words, and `help` shows every row.
#[test]
fn every_row_is_reachable_by_its_example_and_shown_in_help() {
    let help = help();
    for spec in COMMANDS {
        let parsed = parse(spec.example)
            .unwrap_or_else(|e| panic!("the example {:?} does not parse: {e}", spec.example));
        assert!(
            std::ptr::eq(parsed.spec, spec),
            "the example {:?} of {:?} parsed as the row {:?}",
            spec.example,
            spec.usage,
            parsed.spec.usage
        );
        let first_words: Vec<&str> = spec
            .words
            .iter()
            .map(|w| w.split('|').next().unwrap_or(w))
            .collect();
        assert!(
            spec.usage.starts_with(&first_words.join(" ")),
            "{:?} does not start with its words {first_words:?}",
            spec.usage
        );
        assert!(
            help.lines()
                .any(|l| l.starts_with(spec.usage) && l.ends_with(spec.about)),
            "{}",
            spec.usage
        );
    }
    assert_eq!(help.lines().count(), COMMANDS.len());
}

/// A usage error repeats the usage line of the row that rejected the arguments.
#[test]
fn usage_errors_come_from_the_rejecting_row() {
    for (line, usage) in [
        ("genie ack abc", "genie ack <tiny id> [<tiny id> ...]"),
        ("genie close x", "genie close <tiny id> [<tiny id> ...]"),
        ("genie note 7", "genie note <tiny id> <text>"),
        (
            "genie take ops soon",
            "genie take [<schedule>] <duration> [for <opsgenie user>]",
        ),
        (
            "status open nap time",
            "status open <state> <name>[: <message>] [on <component>[, <component>...] <status>]",
        ),
        ("status log 1000", "status log [<n>]"),
    ] {
        match parse(line) {
            Err(ParseError::Usage { usage: got, .. }) => assert_eq!(got, usage, "{line}"),
            other => panic!("{line:?} parsed as {other:?}"),
        }
    }
}

#[test]
fn log_commands_and_components_called_log() {
    assert_eq!(
        command("status log"),
        Ok(Command::Status(StatusCommand::Log {
            lines: DEFAULT_LOG_LINES
        }))
    );
    assert_eq!(
        command("GENIE LOG 3"),
        Ok(Command::Genie(GenieCommand::Log { lines: 3 }))
    );
    // A component whose name starts with "Log" is still a component.
    assert_eq!(
        command("status Log Streaming degraded"),
        Ok(Command::Status(StatusCommand::Set {
            component: "Log Streaming".into(),
            status: ComponentStatus::DegradedPerformance
        }))
    );
    assert_eq!(
        command("status log?"),
        Ok(Command::Status(StatusCommand::Show {
            component: "log".into()
        }))
    );
}

mod unit {
    use super::*;

    fn status(line: &str) -> StatusCommand {
        match parse(line).map(|p| p.command) {
            Ok(Command::Status(cmd)) => cmd,
            other => panic!("{line:?} parsed as {other:?}"),
        }
    }

    fn genie(line: &str) -> GenieCommand {
        match parse(line).map(|p| p.command) {
            Ok(Command::Genie(cmd)) => cmd,
            other => panic!("{line:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn overview_forms() {
        for line in ["status", "status?", "STATUS ?", "/status", " Status? "] {
            assert_eq!(status(line), StatusCommand::Overview, "{line}");
        }
    }

    #[test]
    fn set_component_with_short_and_long_words() {
        let cases = [
            (
                "status Build Processing degraded",
                "Build Processing",
                ComponentStatus::DegradedPerformance,
            ),
            (
                "status api DEGRADED PERFORMANCE",
                "api",
                ComponentStatus::DegradedPerformance,
            ),
            (
                "status Website major outage",
                "Website",
                ComponentStatus::MajorOutage,
            ),
            (
                "status Website major",
                "Website",
                ComponentStatus::MajorOutage,
            ),
            (
                "status Log Streaming partial",
                "Log Streaming",
                ComponentStatus::PartialOutage,
            ),
            (
                "status api under maintenance",
                "api",
                ComponentStatus::UnderMaintenance,
            ),
            (
                "status api maintenance",
                "api",
                ComponentStatus::UnderMaintenance,
            ),
            (
                "/status API operational",
                "API",
                ComponentStatus::Operational,
            ),
            // Chat words, and Statuspage's own spelling.
            (
                "status Website down",
                "Website",
                ComponentStatus::MajorOutage,
            ),
            ("status Website ok", "Website", ComponentStatus::Operational),
            (
                "status Build Processing major_outage",
                "Build Processing",
                ComponentStatus::MajorOutage,
            ),
            (
                "status api Under-Maintenance",
                "api",
                ComponentStatus::UnderMaintenance,
            ),
            (
                "status Major Systems outage",
                "Major Systems",
                ComponentStatus::MajorOutage,
            ),
        ];
        for (line, component, want) in cases {
            assert_eq!(
                status(line),
                StatusCommand::Set {
                    component: component.into(),
                    status: want
                },
                "{line}"
            );
        }
    }

    #[test]
    fn show_component() {
        assert_eq!(
            status("status Build Processing?"),
            StatusCommand::Show {
                component: "Build Processing".into()
            }
        );
        assert_eq!(
            status("status api ?"),
            StatusCommand::Show {
                component: "api".into()
            }
        );
        // No status word at the end: a question, not a change.
        assert_eq!(
            status("status Website"),
            StatusCommand::Show {
                component: "Website".into()
            }
        );
        // A status word glued to the name is not a status word.
        assert_eq!(
            status("status Opsmajor"),
            StatusCommand::Show {
                component: "Opsmajor".into()
            }
        );
    }

    #[test]
    fn update_is_anchored_and_never_sets_a_component() {
        assert_eq!(
            status("status update monitoring builds are degraded"),
            StatusCommand::Update {
                incident: None,
                status: IncidentStatus::Monitoring,
                message: "builds are degraded".into()
            }
        );
        assert_eq!(
            status("status update p31zjtct2jer identified the cause is a bad deploy"),
            StatusCommand::Update {
                incident: Some("p31zjtct2jer".into()),
                status: IncidentStatus::Identified,
                message: "the cause is a bad deploy".into()
            }
        );
        assert!(matches!(
            parse("status update monitoring"),
            Err(ParseError::Usage { .. })
        ));
        assert_eq!(
            status("status update fixed the deploy is rolled back"),
            StatusCommand::Update {
                incident: None,
                status: IncidentStatus::Resolved,
                message: "the deploy is rolled back".into()
            }
        );
        assert!(matches!(
            parse("status update sleeping all good"),
            Err(ParseError::Usage { .. })
        ));
    }

    #[test]
    fn open_resolve_incidents() {
        assert_eq!(
            status("status open investigating Builds delayed: we are looking into it"),
            StatusCommand::Open {
                status: IncidentStatus::Investigating,
                name: "Builds delayed".into(),
                message: Some("we are looking into it".into()),
                on: vec![]
            }
        );
        assert_eq!(
            status("status OPEN identified Website down"),
            StatusCommand::Open {
                status: IncidentStatus::Identified,
                name: "Website down".into(),
                message: None,
                on: vec![]
            }
        );
        assert!(matches!(
            parse("status open investigating"),
            Err(ParseError::Usage { .. })
        ));
        assert_eq!(
            status("status resolve"),
            StatusCommand::Resolve {
                incident: None,
                message: None
            }
        );
        assert_eq!(
            status("status resolve p31zjtct2jer all fixed"),
            StatusCommand::Resolve {
                incident: Some("p31zjtct2jer".into()),
                message: Some("all fixed".into())
            }
        );
        assert_eq!(
            status("status resolve all fixed now"),
            StatusCommand::Resolve {
                incident: None,
                message: Some("all fixed now".into())
            }
        );
        assert_eq!(status("status incidents"), StatusCommand::Incidents);
        assert_eq!(status("status maintenances"), StatusCommand::Maintenances);
    }

    #[test]
    fn maintenance() {
        let want_start = DateTime::parse_from_rfc3339("2026-12-01T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            status("status maintenance 2026-12-01T02:00Z 2h Database upgrade"),
            StatusCommand::Maintenance {
                start: want_start,
                duration: chrono::Duration::hours(2),
                name: "Database upgrade".into()
            }
        );
        assert!(matches!(
            parse("status maintenance tomorrow 2h x"),
            Err(ParseError::Usage { .. })
        ));
        assert!(matches!(
            parse("status maintenance 2026-12-01T02:00Z soon x"),
            Err(ParseError::Usage { .. })
        ));
        assert!(matches!(
            parse("status maintenance 2026-12-01T02:00Z 2h"),
            Err(ParseError::Usage { .. })
        ));
    }

    #[test]
    fn genie_commands() {
        assert_eq!(genie("genie status"), GenieCommand::Status);
        assert_eq!(genie("GENIE ACK"), GenieCommand::AckAll);
        assert_eq!(
            genie("genie ack 42"),
            GenieCommand::Ack {
                tiny_id: "42".into()
            }
        );
        assert_eq!(
            genie("genie ack #42"),
            GenieCommand::Ack {
                tiny_id: "42".into()
            }
        );
        assert_eq!(
            genie("genie unack 7"),
            GenieCommand::Unack {
                tiny_id: "7".into()
            }
        );
        assert_eq!(
            genie("genie close 7"),
            GenieCommand::Close {
                tiny_id: "7".into()
            }
        );
        assert_eq!(genie("genie close"), GenieCommand::CloseHint);
        assert_eq!(genie("genie close ALL"), GenieCommand::CloseAll);
        assert_eq!(
            genie("genie note 7 restarted the worker"),
            GenieCommand::Note {
                tiny_id: "7".into(),
                text: "restarted the worker".into()
            }
        );
        assert_eq!(
            genie("genie me as ann@example.com"),
            GenieCommand::MeAs {
                user: "ann@example.com".into()
            }
        );
        assert_eq!(
            genie("genie oncall"),
            GenieCommand::OnCall { schedule: None }
        );
        assert_eq!(
            genie("genie oncall ops"),
            GenieCommand::OnCall {
                schedule: Some("ops".into())
            }
        );
        assert_eq!(
            genie("genie take ops 2h"),
            GenieCommand::Take {
                schedule: Some("ops".into()),
                duration: chrono::Duration::hours(2),
                user: None,
            }
        );
        assert_eq!(
            genie("genie take 30m"),
            GenieCommand::Take {
                schedule: None,
                duration: chrono::Duration::minutes(30),
                user: None,
            }
        );
        assert_eq!(
            genie("genie alert P1 Database is on fire"),
            GenieCommand::Alert {
                priority: Some(Priority::P1),
                message: "Database is on fire".into()
            }
        );
        assert_eq!(
            genie("genie alert disk almost full"),
            GenieCommand::Alert {
                priority: None,
                message: "disk almost full".into()
            }
        );
        for bad in [
            "genie ack abc",
            "genie note 7",
            "genie me ann",
            "genie take ops soon",
            "genie alert P2",
        ] {
            assert!(matches!(parse(bad), Err(ParseError::Usage { .. })), "{bad}");
        }
    }

    #[test]
    fn unknown_and_help() {
        assert_eq!(command("help"), Ok(Command::Help));
        assert_eq!(command("/HELP"), Ok(Command::Help));
        assert_eq!(command("make me a sandwich"), Err(ParseError::Unknown));
        assert_eq!(command("genie dance"), Err(ParseError::Unknown));
        assert_eq!(command(""), Err(ParseError::Unknown));
        assert_eq!(ParseError::Unknown.to_string(), "unknown command, try help");
    }

    #[test]
    fn permissions() {
        let access = |line: &str| parse(line).unwrap().access();
        assert_eq!(access("status"), Access::Read);
        assert_eq!(access("genie oncall"), Access::Read);
        assert_eq!(access("genie close"), Access::Read);
        assert_eq!(access("status api major"), Access::Change);
        assert_eq!(access("genie ack"), Access::Change);
        assert_eq!(access("genie close all"), Access::Change);
        assert_eq!(access("genie me as ann"), Access::OwnSettings);
        assert_eq!(access("status log"), Access::OperatorRead);
        assert!(Access::OperatorRead.needs_operator() && !Access::OperatorRead.is_audited());
        assert!(!Access::OwnSettings.needs_operator() && Access::OwnSettings.is_audited());
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("1h30m"), Some(chrono::Duration::minutes(90)));
        assert_eq!(parse_duration("1d"), Some(chrono::Duration::days(1)));
        for bad in [
            "",
            "h",
            "2",
            "-2h",
            "2x",
            "0m",
            "99999999999999999999h",
            "400d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert!(parse_time("2026-12-01T02:00:00+01:00").is_some());
        assert!(parse_time("2026-12-01 02:00").is_some());
        assert!(parse_time("2026-13-01T02:00Z").is_none());
        // Found by `examples_parse_to_their_row_in_any_case`: lowercase `t` and `z`.
        assert_eq!(
            parse_time("2026-12-01t02:00z"),
            parse_time("2026-12-01T02:00Z")
        );
        assert!(parse_time("2026-12-01t02:00:00z").is_some());
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
            config.rng_seed = RngSeed::Fixed(0x0b5b_0715);
        }
        config
    }

    proptest! {
        #![proptest_config(config())]

        /// Whatever anyone types, the parser answers (a command or an error) and never panics.
        #[test]
        fn never_panics(line in ".*") {
            let _ = parse(&line);
        }

        /// Lines that start like commands, with arbitrary tails, never panic either.
        #[test]
        fn never_panics_on_command_prefixes(
            head in prop::sample::select(vec![
                "status", "status open", "status update", "status resolve", "status maintenance",
                "genie", "genie ack", "genie note", "genie me as", "genie take", "genie alert", "/status",
            ]),
            tail in ".{0,40}",
        ) {
            let _ = parse(&format!("{head} {tail}"));
        }

        /// Every documented `status <component> <status>` form sets that component, whatever its name.
        #[test]
        fn set_forms_parse(
            name in "[A-Za-z][A-Za-z0-9 ]{0,20}[A-Za-z0-9]",
            (phrase, want) in prop::sample::select(COMPONENT_STATUS_WORDS.to_vec()),
            upper in any::<bool>(),
        ) {
            // Names that are command keywords or end in a status word read differently, by design.
            let first = name.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
            prop_assume!(!["incidents", "maintenances", "open", "update", "resolve", "maintenance", "log", "affect", "impact", "uptime", "postmortem"].contains(&first.as_str()));
            prop_assume!(split_status_suffix(&name).is_none());
            let phrase = if upper { phrase.to_ascii_uppercase() } else { phrase.to_owned() };
            let parsed = parse(&format!("status {name} {phrase}")).map(|p| p.command);
            match parsed {
                Ok(Command::Status(StatusCommand::Set { component, status })) => {
                    prop_assert_eq!(component, name.trim());
                    prop_assert_eq!(status, want);
                }
                other => prop_assert!(false, "parsed as {:?}", other),
            }
        }

        /// `genie <action> <tiny id>` forms parse for every number.
        #[test]
        fn tiny_id_forms_parse(id in 0u64..10_000_000, verb in prop::sample::select(vec!["ack", "unack", "close"])) {
            let parsed = parse(&format!("genie {verb} {id}")).map(|p| p.command);
            let tiny = id.to_string();
            let expected = match verb {
                "ack" => GenieCommand::Ack { tiny_id: tiny },
                "unack" => GenieCommand::Unack { tiny_id: tiny },
                _ => GenieCommand::Close { tiny_id: tiny },
            };
            prop_assert_eq!(parsed, Ok(Command::Genie(expected)));
        }

        /// Every row's example, in any case and with or without a leading `/`, is that row.
        #[test]
        fn examples_parse_to_their_row_in_any_case(
            row in 0..COMMANDS.len(),
            upper in prop::collection::vec(any::<bool>(), 80),
            slash in any::<bool>(),
        ) {
            let spec = &COMMANDS[row];
            let cased: String = spec
                .example
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            let line = if slash { format!("/{cased}") } else { cased };
            let parsed = parse(&line);
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", line, parsed);
            let parsed = parsed.unwrap();
            prop_assert!(std::ptr::eq(parsed.spec, spec), "{:?} parsed as {:?}", line, parsed.spec.usage);
        }

        /// Durations in minutes and hours parse to what they say.
        #[test]
        fn durations_parse(h in 0i64..48, m in 0i64..60) {
            prop_assume!(h + m > 0);
            let text = match (h, m) { (0, m) => format!("{m}m"), (h, 0) => format!("{h}h"), (h, m) => format!("{h}h{m}m") };
            prop_assert_eq!(parse_duration(&text), Some(chrono::Duration::minutes(h * 60 + m)));
        }
    }
}
