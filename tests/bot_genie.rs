//! The `genie` commands of issue 17, end to end in process: `Bot::handle` against the Opsgenie
//! fake on its Opsgenie face and (where the client supports it) its JSM face, with the fake's
//! resulting state asserted; unknown and ambiguous names, bad durations and priorities (a clear
//! answer, nothing changed), and a non-operator trying each changing command.

mod common;

use std::sync::Arc;
use std::time::Duration;

use campfire_client::fake::FakeCampfire;
use chrono::Utc;
use common::eventually;
use opsbot::adapter::Chat;
use opsbot::handover::{Handover, HandoverSettings};
use opsbot::health::Health;
use opsbot::lifecycle::Lifecycle;
use opsbot::{Bot, Operators, Speaker, Store};
use opsgenie_client::escalations::Escalation;
use opsgenie_client::fake::FakeOpsgenie;
use opsgenie_client::{Alert, Priority};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Face {
    Opsgenie,
    Jsm,
}

const FACES: [Face; 2] = [Face::Opsgenie, Face::Jsm];

struct World {
    og: FakeOpsgenie,
    bot: Bot,
    face: Face,
}

async fn world(face: Face, operators: &str) -> World {
    let og = FakeOpsgenie::builder()
        .start()
        .await
        .expect("opsgenie fake");
    let client = match face {
        Face::Opsgenie => og.client(),
        Face::Jsm => og.jsm_client(),
    }
    .expect("a client");
    let bot = Bot::builder("opsbot")
        .opsgenie(client)
        .operators(Operators::parse(Some(operators)))
        .opsgenie_app_url(Some("https://acme.app.opsgenie.com/".to_owned()))
        .store(Store::in_memory())
        .call_timeout(Duration::from_secs(5))
        .build();
    World { og, bot, face }
}

fn ann() -> Speaker {
    Speaker::shell("ann")
}

impl World {
    async fn say(&self, line: &str) -> String {
        self.bot.handle(&ann(), line).await
    }

    fn alert(&self, tiny: &str) -> Alert {
        self.og.alert_by_tiny(tiny).expect("a demo alert")
    }

    /// A user as the face names one: an e-mail on Opsgenie, an Atlassian account id on JSM.
    fn user(&self, name: &str) -> String {
        match self.face {
            Face::Opsgenie => format!("{name}@example.com"),
            Face::Jsm => format!("5b2b0e011b3a7566{name}"),
        }
    }

    /// Who the fake says is on call in `ops` now, as the face names them: JSM answers account
    /// ids, which the fake gives its seeded rotation users as `fake-user-<name>`.
    fn on_call_now(&self) -> String {
        self.og
            .on_call_at("ops", Utc::now())
            .iter()
            .map(|u| match self.face {
                Face::Opsgenie => u.clone(),
                Face::Jsm if u.contains('@') => {
                    format!("fake-user-{}", u.split('@').next().unwrap_or(u))
                }
                Face::Jsm => u.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fake's activity log of an alert, as one text.
    fn log(&self, tiny: &str) -> String {
        let id = self.alert(tiny).id.to_string();
        self.og
            .logs(&id)
            .iter()
            .map(|l| l.log.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

// The demo alerts: #1 P1 checkout (unacked, tags checkout prod), #2 P2 api latency (unacked),
// #3 P3 disk (acked), #4 P4 backup (acked), #5 P5 tls (unacked). Schedule `ops`: ann, bob, cid.

#[tokio::test]
async fn ack_and_close_several_alerts_each_outcome_reported() {
    for face in FACES {
        let w = world(face, "ann").await;
        let answer = w.say("genie ack 1 #2 999").await;
        assert!(
            answer.starts_with("Acknowledged 2 of 3 alerts."),
            "{face:?}: {answer}"
        );
        assert!(
            answer.contains("#1 acknowledged: Checkout error rate above 5%"),
            "{answer}"
        );
        assert!(answer.contains("#2 acknowledged: API p99"), "{answer}");
        assert!(
            answer.contains("#999 failed: There is no alert #999."),
            "{answer}"
        );
        assert!(w.alert("1").acknowledged && w.alert("2").acknowledged);
        assert!(!w.alert("5").acknowledged);

        let answer = w.say("GENIE CLOSE 1 5").await;
        assert!(answer.starts_with("Closed 2 of 2 alerts."), "{answer}");
        assert!(!w.alert("1").is_open() && !w.alert("5").is_open());
        assert!(w.alert("2").is_open());
        // A repeated id is acted on once.
        let answer = w.say("/genie close 2 2").await;
        assert!(answer.starts_with("Closed 1 of 1 alert."), "{answer}");
        // A word that is no alert number changes nothing.
        let answer = w.say("genie close 3 x").await;
        assert_eq!(
            answer,
            "`x` is not an alert number; usage: genie close <tiny id> [<tiny id> ...]"
        );
        assert!(w.alert("3").is_open());
    }
}

#[tokio::test]
async fn snooze_until_an_end_time() {
    for face in FACES {
        let w = world(face, "ann").await;
        let before = Utc::now();
        let answer = w.say("genie snooze 2 2h").await;
        let after = Utc::now();
        assert!(
            answer.starts_with("Snoozed #2 until "),
            "{face:?}: {answer}"
        );
        let alert = w.alert("2");
        assert!(alert.snoozed, "{face:?}");
        let until = alert.snoozed_until.expect("an end time");
        assert!(
            until >= before + chrono::Duration::hours(2) - chrono::Duration::seconds(1)
                && until <= after + chrono::Duration::hours(2) + chrono::Duration::seconds(1),
            "{until}"
        );
        assert!(
            answer.contains(&until.format("%Y-%m-%d %H:%M UTC").to_string()),
            "{answer}"
        );
        for (line, problem) in [
            (
                "genie snooze 1 soon",
                "`soon` is not a duration like 30m, 2h or 1d",
            ),
            (
                "genie snooze 1 400d",
                "`400d` is not a duration like 30m, 2h or 1d",
            ),
            ("genie snooze 1", "say for how long, e.g. 30m, 2h or 1d"),
        ] {
            let answer = w.say(line).await;
            assert_eq!(
                answer,
                format!("{problem}; usage: genie snooze <tiny id> <duration>")
            );
        }
        assert!(!w.alert("1").snoozed);
        assert_eq!(w.say("genie snooze 99 1d").await, "There is no alert #99.");
    }
}

#[tokio::test]
async fn escalate_named_chosen_or_candidates_listed() {
    let w = world(Face::Opsgenie, "ann").await;
    let answer = w.say("genie escalate 1").await;
    assert_eq!(
        answer,
        "There are no escalations to escalate to; nothing sent."
    );
    w.og.add_escalation(Escalation::new("e1", "Ops_Escalation"));
    let answer = w.say("genie escalate 1").await;
    assert_eq!(
        answer,
        "Escalated #1 to the next level of Ops_Escalation: Checkout error rate above 5%"
    );
    assert!(w.log("1").contains("Escalated alert to Ops_Escalation"));

    w.og.add_escalation(Escalation::new("e2", "DB_Escalation").owned_by("t9", "db"));
    let answer = w.say("genie escalate 2").await;
    assert_eq!(
        answer,
        "Which escalation? genie escalate <tiny id> <escalation>, one of: Ops_Escalation, DB_Escalation; nothing sent."
    );
    assert!(!w.log("2").contains("Escalated"));
    // A name in any case is the account's spelling; an unknown one sends nothing.
    let answer = w.say("genie escalate 2 db_escalation").await;
    assert!(
        answer.starts_with("Escalated #2 to the next level of DB_Escalation"),
        "{answer}"
    );
    assert!(w.log("2").contains("Escalated alert to DB_Escalation"));
    let answer = w.say("genie escalate 3 nobody").await;
    assert_eq!(
        answer,
        "No escalation is called \"nobody\". Known escalations: Ops_Escalation, DB_Escalation; nothing sent."
    );
    assert!(!w.log("3").contains("Escalated"));
}

/// On JSM, escalations are listed per team, which the client does not do: a named escalation
/// is sent as typed (as its id), none named is a clear answer. The client in this tree sends
/// `escalation: {id}`; JSM takes `escalationId`.
#[tokio::test]
async fn escalate_on_jsm() {
    let w = world(Face::Jsm, "ann").await;
    let answer = w.say("genie escalate 1").await;
    assert!(
        answer.starts_with("Say which escalation: genie escalate <tiny id> <escalation>"),
        "{answer}"
    );
    assert!(answer.ends_with("nothing sent."), "{answer}");
    assert!(!w.log("1").contains("Escalated"));
    let answer = w.say("genie escalate 1 esc-1").await;
    assert!(
        answer.starts_with("Escalated #1 to the next level of esc-1"),
        "{answer}"
    );
    assert!(
        w.log("1").contains("Escalated alert to esc-1"),
        "{}",
        w.log("1")
    );
}

async fn assign_own_and_priority(face: Face) {
    let w = world(face, "ann").await;
    let bob = w.user("bob");
    let answer = w.say(&format!("genie assign 1 {bob}")).await;
    assert_eq!(
        answer,
        format!("#1 is now owned by {bob}: Checkout error rate above 5%")
    );
    assert_eq!(
        w.alert("1").owner.as_deref(),
        Some(bob.as_str()),
        "{face:?}"
    );

    let answer = w.say("genie own 2").await;
    assert_eq!(
        answer,
        "Tell me who you are in Opsgenie first: genie me as <opsgenie user>"
    );
    let me = w.user("ann");
    assert_ne!(w.alert("2").owner.as_deref(), Some(me.as_str()));
    w.say(&format!("genie me as {me}")).await;
    let answer = w.say("genie own 2").await;
    assert!(
        answer.starts_with(&format!("#2 is now owned by {me}")),
        "{answer}"
    );
    assert_eq!(w.alert("2").owner.as_deref(), Some(me.as_str()));

    let answer = w.say("genie priority 4 p1").await;
    assert_eq!(
        answer,
        "#4 is now P1 (was P4): Nightly backup finished late"
    );
    assert_eq!(w.alert("4").priority, Some(Priority::P1));
    let answer = w.say("genie priority 5 P6").await;
    assert_eq!(
        answer,
        "`P6` is not a priority: say P1 to P5; usage: genie priority <tiny id> <P1..P5>"
    );
    assert_eq!(w.alert("5").priority, Some(Priority::P5));
    assert_eq!(
        w.say("genie priority 77 P2").await,
        "There is no alert #77."
    );
}

#[tokio::test]
async fn assign_own_and_priority_on_opsgenie() {
    assign_own_and_priority(Face::Opsgenie).await;
}

/// The client in this tree sends JSM's assign as `owner: {id}`; JSM takes `accountId`.
#[tokio::test]
async fn assign_own_and_priority_on_jsm() {
    assign_own_and_priority(Face::Jsm).await;
}

#[tokio::test]
async fn show_one_alert_in_full() {
    for face in FACES {
        let w = world(face, "ann").await;
        w.say("genie note 3 restarted the worker").await;
        w.say("genie note 3 disk cleaned").await;
        let answer = w.say("genie show #3").await;
        let alert = w.alert("3");
        assert!(
            answer.starts_with("#3 Disk usage 91% on db-primary\n"),
            "{face:?}: {answer}"
        );
        for part in [
            "priority: P3",
            // JSM says an acknowledged alert's status is `acked`.
            if face == Face::Jsm {
                "status: acked"
            } else {
                "status: open"
            },
            "owner: ",
            "tags: db",
            "source: prometheus",
            "created: ",
            " UTC)",
            "count: ",
            "last notes (2 of 2):",
            "restarted the worker",
            "disk cleaned",
        ] {
            assert!(
                answer.contains(part),
                "{face:?}: {part} missing in {answer}"
            );
        }
        assert!(answer.contains("acked by: "), "{answer}");
        assert!(
            answer.contains(&format!(
                "link: https://acme.app.opsgenie.com/alert/detail/{}/details",
                alert.id
            )),
            "{answer}"
        );
        assert_eq!(w.say("genie show 404").await, "There is no alert #404.");
    }
}

#[tokio::test]
async fn status_filters() {
    for face in FACES {
        let w = world(face, "ann").await;
        let answer = w.say("genie status P1").await;
        assert!(
            answer.starts_with("1 alert is open P1:"),
            "{face:?}: {answer}"
        );
        assert!(answer.contains("#1 [P1]"), "{answer}");
        let answer = w.say("genie status unacked").await;
        assert!(
            answer.starts_with("3 alerts are open unacked:"),
            "{face:?}: {answer}"
        );
        for tiny in ["#1 ", "#2 ", "#5 "] {
            assert!(answer.contains(tiny), "{answer}");
        }
        assert!(!answer.contains("#3 "), "{answer}");
        let answer = w.say("genie status tag prod").await;
        assert!(
            answer.starts_with("1 alert is open tagged prod:"),
            "{face:?}: {answer}"
        );
        assert_eq!(
            w.say("genie status tag nothing").await,
            "No open tagged nothing alerts."
        );
        let answer = w.say("genie status acked").await;
        assert!(answer.starts_with("`acked` is not a filter"), "{answer}");
    }
}

async fn schedules_next_overrides_take_for_and_release(face: Face) {
    {
        let w = world(face, "ann").await;
        let zed = w.user("zed");
        let me = w.user("ann");
        let now_on_call = w.on_call_now();
        let answer = w.say("genie schedules").await;
        assert_eq!(
            answer,
            format!("1 schedule:\nops: {now_on_call} on call now"),
            "{face:?}"
        );
        let answer = w.say("genie oncall next").await;
        assert!(
            answer.starts_with("On call next:\nops: "),
            "{face:?}: {answer}"
        );
        assert!(answer.contains(" from "), "the turn boundary: {answer}");
        assert_eq!(
            w.say("genie overrides").await,
            "No active or upcoming overrides."
        );
        let answer = w.say("genie oncall next nope").await;
        assert_eq!(
            answer,
            "No schedule matches \"nope\". Known schedules: ops."
        );

        // For someone else, without `me as`.
        let answer = w.say(&format!("genie take ops 2h for {zed}")).await;
        assert!(
            answer.starts_with(&format!("{zed} is on call for ops until ")),
            "{face:?}: {answer}"
        );
        assert_eq!(w.og.on_call_at("ops", Utc::now()), vec![zed.clone()]);
        let answer = w.say("genie overrides ops").await;
        assert!(
            answer.starts_with(&format!("1 active or upcoming override:\nops: {zed} from ")),
            "{answer}"
        );
        assert!(answer.ends_with("(active)"), "{answer}");
        let answer = w.say(&format!("genie take nope 1h for {zed}")).await;
        assert_eq!(
            answer,
            "No schedule matches \"nope\". Known schedules: ops."
        );
        assert_eq!(w.og.overrides().len(), 1);
        let answer = w.say("genie take ops forever").await;
        assert!(
            answer.starts_with("`forever` is not a duration"),
            "{answer}"
        );

        // Release: only the speaker's own override, and only after `me as`.
        assert_eq!(
            w.say("genie release").await,
            "Tell me who you are in Opsgenie first: genie me as <opsgenie user>"
        );
        w.say(&format!("genie me as {me}")).await;
        assert_eq!(
            w.say("genie release").await,
            format!("{me} holds no override now; nothing changed.")
        );
        assert_eq!(w.og.overrides().len(), 1);
        let answer = w.say("genie take 1h").await;
        assert!(
            answer.starts_with(&format!("{me} is on call for ops until ")),
            "{answer}"
        );
        assert_eq!(w.og.overrides().len(), 2);
        let answer = w.say("genie release ops").await;
        assert!(
            answer.starts_with(&format!("Ended {me}'s override in ops (it ran until ")),
            "{face:?}: {answer}"
        );
        let left = w.og.overrides();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(
            // Opsgenie names the user by username; JSM by Atlassian account id.
            left[0]
                .user
                .as_ref()
                .and_then(|u| u.username.as_deref().or(u.id.as_deref())),
            Some(zed.as_str())
        );
    }
}

#[tokio::test]
async fn schedules_next_overrides_take_for_and_release_on_opsgenie() {
    schedules_next_overrides_take_for_and_release(Face::Opsgenie).await;
}

/// The client in this tree reads JSM's on-call answers (`onCallUsers`) as nobody.
#[tokio::test]
async fn schedules_next_overrides_take_for_and_release_on_jsm() {
    schedules_next_overrides_take_for_and_release(Face::Jsm).await;
}

#[tokio::test]
async fn ambiguous_schedule_names_change_nothing() {
    let w = world(Face::Opsgenie, "ann").await;
    let start = Utc::now() - chrono::Duration::days(1);
    w.og.add_schedule("ops-eu", "primary", start, &["eve@example.com"]);
    w.og.add_schedule("ops-us", "primary", start, &["uma@example.com"]);
    let answer = w.say("genie take ops- 1h for zed@example.com").await;
    assert_eq!(
        answer,
        "\"ops-\" matches several schedules: ops-eu, ops-us. Which one?"
    );
    let answer = w.say("genie take 1h for zed@example.com").await;
    assert_eq!(
        answer,
        "Which schedule? genie take <schedule> <duration>, one of: ops, ops-eu, ops-us"
    );
    assert!(w.og.overrides().is_empty());
    // A unique prefix is that schedule; an exact name wins over a prefix.
    let answer = w.say("genie take ops-e 1h for zed@example.com").await;
    assert!(answer.contains("on call for ops-eu"), "{answer}");
    let answer = w.say("genie schedules").await;
    assert!(answer.starts_with("3 schedules:"), "{answer}");
    assert!(
        answer.contains("ops-eu: zed@example.com on call now"),
        "{answer}"
    );
    assert!(
        answer.contains("ops-us: uma@example.com on call now"),
        "{answer}"
    );
}

/// Every changing command is refused to a non-operator, and the pager is untouched.
#[tokio::test]
async fn a_non_operator_changes_nothing() {
    for face in FACES {
        let w = world(face, "ann").await;
        w.og.add_escalation(Escalation::new("e1", "Ops_Escalation"));
        let bob = Speaker::shell("bob");
        w.bot.handle(&bob, "genie me as bob@example.com").await;
        let alerts_before = w.og.alerts();
        for line in [
            "genie ack 1 2",
            "genie close 1 2",
            "genie snooze 1 1h",
            "genie escalate 1",
            "genie escalate 1 Ops_Escalation",
            "genie assign 1 bob@example.com",
            "genie own 1",
            "genie priority 1 P5",
            "genie take ops 1h",
            "genie take ops 1h for bob@example.com",
            "genie release",
        ] {
            let answer = w.bot.handle(&bob, line).await;
            assert_eq!(
                answer, "Sorry bob, you are not an operator: ask to be added to BOT_OPERATORS.",
                "{face:?} {line}"
            );
        }
        assert_eq!(w.og.alerts(), alerts_before, "{face:?}");
        assert!(w.og.overrides().is_empty());
        assert!(!w.log("1").contains("Escalated"));
        // Reading commands stay open to everyone.
        for line in [
            "genie show 1",
            "genie status P1",
            "genie schedules",
            "genie overrides",
            "genie oncall next",
        ] {
            let answer = w.bot.handle(&bob, line).await;
            assert!(!answer.contains("not an operator"), "{line}: {answer}");
        }
        // Refusals are in the audit log.
        let log = w.say("genie log 20").await;
        assert!(
            log.contains("genie priority 1 P5 -> refused: not an operator"),
            "{log}"
        );
    }
}

/// Handover notices: the first check learns who is on call; a change is said once, with who
/// was on call before, until when, and the digest; nothing is said twice for one change.
async fn handover_is_said_once_per_change(face: Face) {
    {
        let w = world(face, "ann").await;
        let zed = w.user("zed");
        let client = match w.face {
            Face::Opsgenie => w.og.client(),
            Face::Jsm => w.og.jsm_client(),
        }
        .expect("a client");
        let mut handover = Handover::new(client, None);
        assert_eq!(handover.check().await, Ok(Vec::new()), "{face:?}");
        assert_eq!(handover.check().await, Ok(Vec::new()));
        let was = w.on_call_now();

        let answer = w.say(&format!("genie take ops 2h for {zed}")).await;
        assert!(
            answer.starts_with(&format!("{zed} is on call")),
            "{face:?}: {answer}"
        );
        let end = w.og.overrides()[0].end_date.expect("an end");
        let said = handover.check().await.expect("a check");
        assert_eq!(
            said,
            vec![format!(
                "ops: {zed} is on call now, until {}; was {was}\nOpen: 3 unacked alerts.",
                end.format("%a %H:%M UTC")
            )],
            "{face:?}"
        );
        assert_eq!(handover.check().await, Ok(Vec::new()), "said twice");

        w.say("genie ack 1").await;
        w.say(&format!("genie me as {zed}")).await;
        w.say("genie release ops").await;
        let said = handover.check().await.expect("a check");
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with(&format!("ops: {was} is on call now, until ")),
            "{said:?}"
        );
        assert!(
            said[0].ends_with(&format!("; was {zed}\nOpen: 2 unacked alerts.")),
            "{said:?}"
        );
        assert_eq!(handover.check().await, Ok(Vec::new()));
    }
}

#[tokio::test]
async fn handover_is_said_once_per_change_on_opsgenie() {
    handover_is_said_once_per_change(Face::Opsgenie).await;
}

/// The client in this tree sends JSM overrides in Opsgenie's shape (refused with 422) and reads
/// JSM's on-call answers as nobody.
#[tokio::test]
async fn handover_is_said_once_per_change_on_jsm() {
    handover_is_said_once_per_change(Face::Jsm).await;
}

/// The watcher as the bot runs it: checked every interval (quick here), the change posted into
/// the room once, through the chat.
#[tokio::test]
async fn handover_notices_are_posted_into_the_rooms() {
    let campfire = FakeCampfire::start().await.expect("campfire fake");
    let room = campfire.room_id("Ops").expect("a room");
    let w = world(Face::Opsgenie, "ann").await;
    let was = w.og.on_call_at("ops", Utc::now()).join(", ");
    let mut settings = HandoverSettings::new(vec![room.get()]);
    settings.interval = Duration::from_millis(50);
    let lifecycle = Lifecycle::new();
    let task = w.bot.handover().expect("opsgenie is configured").spawn(
        Chat::Campfire(campfire.bot_client().expect("a bot client")),
        settings,
        Arc::new(Health::new("campfire", &["campfire"])),
        lifecycle.clone(),
    );
    let lines = |campfire: &FakeCampfire| -> Vec<String> {
        campfire
            .messages(room)
            .into_iter()
            .filter(|m| m.user == Some(campfire.bot_user_id()))
            .map(|m| m.plain)
            .collect()
    };
    // Let the first checks learn who is on call (two requests each: the schedules, who is on
    // call in `ops`); they post nothing.
    eventually(Duration::from_secs(30), || {
        (w.og.requests_served() >= 6).then_some(())
    })
    .await;
    assert!(lines(&campfire).is_empty(), "{:?}", lines(&campfire));
    w.say("genie take ops 1h for zed@example.com").await;
    let posted = eventually(Duration::from_secs(30), || {
        let l = lines(&campfire);
        (!l.is_empty()).then_some(l)
    })
    .await;
    assert!(
        posted[0].starts_with("ops: zed@example.com is on call now, until "),
        "{posted:?}"
    );
    assert!(posted[0].contains(&format!("; was {was}")), "{posted:?}");
    assert!(posted[0].contains("Open: 3 unacked alerts."), "{posted:?}");
    // Several more checks: the one change stays one notice.
    let served = w.og.requests_served();
    eventually(Duration::from_secs(30), || {
        (w.og.requests_served() > served + 10).then_some(())
    })
    .await;
    assert_eq!(lines(&campfire).len(), 1, "{:?}", lines(&campfire));
    lifecycle.stop();
    task.await.expect("the watcher ends when the bot stops");
}

/// `genie ack` and `genie close all` count only what was done and name each alert that failed
/// (with the server's reason) or was gone (deleted by someone else meanwhile), on both faces;
/// the fake's state says the same.
#[tokio::test]
async fn bulk_answers_name_failed_and_gone_alerts_and_count_only_what_was_done() {
    use opsgenie_client::fake::NextAction;
    for face in FACES {
        let w = world(face, "ann").await;
        let (deleted, failing) = (w.alert("1"), w.alert("2"));
        w.og.on_next_action(&deleted.id, NextAction::DeleteFirst);
        w.og.on_next_action(&failing.id, NextAction::Fail("Alert is locked".to_owned()));
        let answer = w.say("genie ack").await;
        assert!(
            answer.starts_with("Acknowledged 1 of 3 unacknowledged alerts."),
            "{face:?}: {answer}"
        );
        assert!(answer.contains("#1 deleted"), "{face:?}: {answer}");
        assert!(
            answer.contains("#2 failed: Alert is locked"),
            "{face:?}: {answer}"
        );
        assert!(!answer.contains("#5"), "{face:?}: {answer}");
        assert!(w.og.alert_by_tiny("1").is_none(), "{face:?}: #1 is deleted");
        assert!(
            !w.alert("2").acknowledged,
            "{face:?}: #2 failed, still unacked"
        );
        assert!(w.alert("5").acknowledged, "{face:?}: #5 was acknowledged");

        // Close all: one alert deleted meanwhile is named as gone and not counted as closed.
        let gone = w.alert("3");
        w.og.on_next_action(&gone.id, NextAction::DeleteFirst);
        let open = w.og.alerts().iter().filter(|a| a.is_open()).count();
        let answer = w.say("genie close all").await;
        assert!(
            answer.starts_with(&format!("Closed {} of {open} open alerts.", open - 1)),
            "{face:?}: {answer}"
        );
        assert!(answer.contains("#3 deleted"), "{face:?}: {answer}");
        assert!(
            w.og.alerts().iter().all(|a| !a.is_open()),
            "{face:?}: every alert left is closed"
        );
    }
}
