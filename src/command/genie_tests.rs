//! The parser's tests of the `genie` forms of issue 17: every form, its usage errors, and
//! properties (a fixed seed under `CI=true`, as in `tests.rs`).

use super::*;
use chrono::Duration;

fn genie(line: &str) -> GenieCommand {
    match parse(line).map(|p| p.command) {
        Ok(Command::Genie(cmd)) => cmd,
        other => panic!("{line:?} parsed as {other:?}"),
    }
}

fn problem(line: &str) -> (String, &'static str) {
    match parse(line) {
        Err(ParseError::Usage { usage, problem }) => (problem, usage),
        other => panic!("{line:?} is not a usage error: {other:?}"),
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn several_alerts_at_once() {
    assert_eq!(
        genie("genie ack 1 #2 3"),
        GenieCommand::AckMany {
            tiny_ids: ids(&["1", "2", "3"])
        }
    );
    assert_eq!(
        genie("/Genie CLOSE 7 8"),
        GenieCommand::CloseMany {
            tiny_ids: ids(&["7", "8"])
        }
    );
    // One id stays the one-alert form; `all` stays close-all.
    assert_eq!(
        genie("genie close 7"),
        GenieCommand::Close {
            tiny_id: "7".into()
        }
    );
    assert_eq!(genie("genie close all"), GenieCommand::CloseAll);
    let (why, usage) = problem("genie ack 1 two 3");
    assert_eq!(why, "`two` is not an alert number");
    assert_eq!(usage, "genie ack <tiny id> [<tiny id> ...]");
}

#[test]
fn snooze_escalate_assign_own_priority_show() {
    assert_eq!(
        genie("genie snooze 7 30m"),
        GenieCommand::Snooze {
            tiny_id: "7".into(),
            duration: Duration::minutes(30)
        }
    );
    assert_eq!(
        genie("genie SNOOZE #7 1D"),
        GenieCommand::Snooze {
            tiny_id: "7".into(),
            duration: Duration::days(1)
        }
    );
    assert_eq!(
        problem("genie snooze 7 soon").0,
        "`soon` is not a duration like 30m, 2h or 1d"
    );
    assert_eq!(
        problem("genie snooze 7").0,
        "say for how long, e.g. 30m, 2h or 1d"
    );
    assert_eq!(
        genie("genie escalate 7"),
        GenieCommand::Escalate {
            tiny_id: "7".into(),
            escalation: None
        }
    );
    assert_eq!(
        genie("genie escalate 7 Ops Escalation"),
        GenieCommand::Escalate {
            tiny_id: "7".into(),
            escalation: Some("Ops Escalation".into())
        }
    );
    assert_eq!(
        genie("genie assign 7 bob@example.com"),
        GenieCommand::Assign {
            tiny_id: "7".into(),
            user: "bob@example.com".into()
        }
    );
    assert!(matches!(
        parse("genie assign 7"),
        Err(ParseError::Usage { .. })
    ));
    assert_eq!(
        genie("genie own #9"),
        GenieCommand::Own {
            tiny_id: "9".into()
        }
    );
    assert_eq!(
        genie("genie priority 7 p2"),
        GenieCommand::Priority {
            tiny_id: "7".into(),
            priority: Priority::P2
        }
    );
    assert_eq!(
        problem("genie priority 7 P6").0,
        "`P6` is not a priority: say P1 to P5"
    );
    assert_eq!(
        genie("genie show 7"),
        GenieCommand::Show {
            tiny_id: "7".into()
        }
    );
    assert!(matches!(parse("genie show"), Err(ParseError::Usage { .. })));
}

#[test]
fn status_filters() {
    assert_eq!(genie("genie status"), GenieCommand::Status);
    assert_eq!(
        genie("genie status p1"),
        GenieCommand::StatusFilter {
            filter: AlertFilter::Priority(Priority::P1)
        }
    );
    assert_eq!(
        genie("genie status UNACKED"),
        GenieCommand::StatusFilter {
            filter: AlertFilter::Unacked
        }
    );
    assert_eq!(
        genie("genie status tag prod"),
        GenieCommand::StatusFilter {
            filter: AlertFilter::Tag("prod".into())
        }
    );
    assert_eq!(
        problem("genie status acked").0,
        "`acked` is not a filter: say P1..P5, unacked or tag <tag>"
    );
    assert_eq!(problem("genie status tag").0, "say which tag, one word");
}

#[test]
fn on_call_forms() {
    assert_eq!(
        genie("genie oncall next"),
        GenieCommand::OnCallNext { schedule: None }
    );
    assert_eq!(
        genie("genie on-call NEXT ops"),
        GenieCommand::OnCallNext {
            schedule: Some("ops".into())
        }
    );
    assert_eq!(
        genie("genie oncall ops"),
        GenieCommand::OnCall {
            schedule: Some("ops".into())
        }
    );
    assert_eq!(genie("genie schedules"), GenieCommand::Schedules);
    assert_eq!(
        genie("genie overrides"),
        GenieCommand::Overrides { schedule: None }
    );
    assert_eq!(
        genie("genie overrides ops"),
        GenieCommand::Overrides {
            schedule: Some("ops".into())
        }
    );
    assert_eq!(
        genie("genie release"),
        GenieCommand::Release { schedule: None }
    );
    assert_eq!(
        genie("genie take ops 2h for bob@example.com"),
        GenieCommand::Take {
            schedule: Some("ops".into()),
            duration: Duration::hours(2),
            user: Some("bob@example.com".into()),
        }
    );
    assert_eq!(
        genie("genie take 1d FOR bob"),
        GenieCommand::Take {
            schedule: None,
            duration: Duration::days(1),
            user: Some("bob".into()),
        }
    );
    // A schedule whose name holds "for" is still a schedule when no user follows a duration.
    assert_eq!(
        genie("genie take ops for db 2h"),
        GenieCommand::Take {
            schedule: Some("ops for db".into()),
            duration: Duration::hours(2),
            user: None,
        }
    );
    assert_eq!(
        problem("genie take ops 2h for bob smith").0,
        "say who the override is for: for <opsgenie user>"
    );
    assert_eq!(
        problem("genie take ops forever").0,
        "`forever` is not a duration like 2h or 30m"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// A fixed seed under `CI=true` (reproducible CI runs), the random search elsewhere.
    fn config() -> Config {
        let mut config = Config::default();
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            config.rng_seed = RngSeed::Fixed(0x0b5b_0717);
        }
        config
    }

    fn priority_of(n: u8) -> Priority {
        match n {
            1 => Priority::P1,
            2 => Priority::P2,
            3 => Priority::P3,
            4 => Priority::P4,
            _ => Priority::P5,
        }
    }

    proptest! {
        #![proptest_config(config())]

        /// The new forms with arbitrary tails never panic.
        #[test]
        fn never_panics_on_new_prefixes(
            head in prop::sample::select(vec![
                "genie ack 1", "genie close 1", "genie snooze", "genie snooze 1", "genie escalate",
                "genie assign", "genie own", "genie priority", "genie priority 1", "genie show",
                "genie status", "genie status tag", "genie oncall next", "genie schedules",
                "genie overrides", "genie take", "genie take ops 2h for", "genie release",
            ]),
            tail in ".{0,40}",
        ) {
            let _ = parse(&format!("{head} {tail}"));
        }

        /// `genie ack|close <id> <id> ...` keeps every id, in order, for any count from two.
        #[test]
        fn many_ids_parse(list in prop::collection::vec(0u64..10_000_000, 2..8), close in any::<bool>(), hash in any::<bool>()) {
            let typed: Vec<String> = list.iter().map(|n| if hash { format!("#{n}") } else { n.to_string() }).collect();
            let verb = if close { "close" } else { "ack" };
            let parsed = parse(&format!("genie {verb} {}", typed.join(" "))).map(|p| p.command);
            let tiny_ids: Vec<String> = list.iter().map(u64::to_string).collect();
            let expected = if close { GenieCommand::CloseMany { tiny_ids } } else { GenieCommand::AckMany { tiny_ids } };
            prop_assert_eq!(parsed, Ok(Command::Genie(expected)));
        }

        /// `genie snooze <id> <n><unit>` snoozes for what it says.
        #[test]
        fn snooze_durations_parse(id in 0u64..100_000, n in 1i64..300, unit in prop::sample::select(vec!["m", "h", "d"]), upper in any::<bool>()) {
            let unit_typed = if upper { unit.to_ascii_uppercase() } else { unit.to_owned() };
            let parsed = parse(&format!("genie snooze {id} {n}{unit_typed}")).map(|p| p.command);
            let secs = n * match unit { "m" => 60, "h" => 3600, _ => 86_400 };
            let expected = GenieCommand::Snooze { tiny_id: id.to_string(), duration: Duration::seconds(secs) };
            if secs <= 366 * 86_400 {
                prop_assert_eq!(parsed, Ok(Command::Genie(expected)));
            } else {
                prop_assert!(parsed.is_err());
            }
        }

        /// Any word that is not P1..P5 is refused by `genie priority`; P1..P5 in any case parse.
        #[test]
        fn priorities(id in 0u64..100_000, word in "[A-Za-z0-9]{1,4}", n in 1u8..=5, upper in any::<bool>()) {
            let p = if upper { format!("P{n}") } else { format!("p{n}") };
            prop_assert_eq!(
                parse(&format!("genie priority {id} {p}")).map(|p| p.command),
                Ok(Command::Genie(GenieCommand::Priority { tiny_id: id.to_string(), priority: priority_of(n) }))
            );
            let valid = matches!(word.to_ascii_uppercase().as_str(), "P1" | "P2" | "P3" | "P4" | "P5");
            let parsed = parse(&format!("genie priority {id} {word}"));
            prop_assert_eq!(parsed.is_ok(), valid);
        }

        /// `genie take [<schedule>] <duration> [for <user>]` keeps schedule and user as typed.
        #[test]
        fn take_for_parses(schedule in "[a-z][a-z0-9-]{0,12}", h in 1i64..48, user in "[a-z]{1,8}@example\\.com", with_schedule in any::<bool>()) {
            prop_assume!(schedule != "for");
            let line = if with_schedule {
                format!("genie take {schedule} {h}h for {user}")
            } else {
                format!("genie take {h}h for {user}")
            };
            let expected = GenieCommand::Take {
                schedule: with_schedule.then(|| schedule.clone()),
                duration: Duration::hours(h),
                user: Some(user.clone()),
            };
            prop_assert_eq!(parse(&line).map(|p| p.command), Ok(Command::Genie(expected)));
        }

        /// `genie status tag <tag>` keeps the tag; `genie status P<n>` is that priority.
        #[test]
        fn status_filter_forms(tag in "[A-Za-z0-9_-]{1,16}", n in 1u8..=5) {
            prop_assert_eq!(
                parse(&format!("genie status tag {tag}")).map(|p| p.command),
                Ok(Command::Genie(GenieCommand::StatusFilter { filter: AlertFilter::Tag(tag.clone()) }))
            );
            prop_assert_eq!(
                parse(&format!("genie status P{n}")).map(|p| p.command),
                Ok(Command::Genie(GenieCommand::StatusFilter { filter: AlertFilter::Priority(priority_of(n)) }))
            );
        }
    }
}
