//! End-to-end tests of the bot's shell adapter: the bot runs as a real process with piped stdin,
//! pointed at in-process fakes by environment variables; each test checks both the replies and
//! the fakes' resulting state.

mod common;

use chrono::Utc;
use common::{assert_in_order, service_env, shell, temp_dir, with};
use opsgenie_client::fake::{FakeOpsgenie, SeedAlert};
use opsgenie_client::{AlertStatus, Priority};
use statuspage_client::fake::FakeStatuspage;
use statuspage_client::{ComponentStatus, IncidentStatus};

async fn statuspage() -> FakeStatuspage {
    FakeStatuspage::start()
        .await
        .expect("the Statuspage fake starts")
}

async fn opsgenie() -> FakeOpsgenie {
    FakeOpsgenie::builder()
        .start()
        .await
        .expect("the Opsgenie fake starts")
}

fn operator_env(
    sp: Option<&FakeStatuspage>,
    og: Option<&FakeOpsgenie>,
    test: &str,
) -> Vec<(String, String)> {
    let state = temp_dir(test).join("state.json");
    with(
        service_env(sp, og),
        &[
            ("BOT_OPERATORS", "*"),
            ("BOT_STATE_FILE", state.to_str().expect("a utf-8 path")),
        ],
    )
}

#[tokio::test]
async fn demo_runs_with_nothing_configured() {
    let run = shell(&[], &["help", "status", "genie status"]).await;
    assert!(run.success, "{run:?}");
    assert!(
        run.stderr.contains("opsbot demo"),
        "banner on stderr: {}",
        run.stderr
    );
    assert_in_order(
        &run.stdout,
        &[
            "genie ack",
            "All systems operational!",
            "Build Processing: operational",
            "unacked alerts",
        ],
    );
}

#[tokio::test]
async fn status_overview_show_and_set() {
    let sp = statuspage().await;
    let env = operator_env(Some(&sp), None, "status-set");
    let run = shell(
        &env,
        &[
            "status?",
            "status build processing?",
            "/status Build Processing degraded",
            "opsbot: status website major outage",
            "status",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "All systems operational! No unresolved incidents.",
            "Build Processing: operational",
            "Status for Build Processing is now degraded performance (was: operational).",
            "Status for Website is now major outage (was: operational).",
            "2 of 4 components not operational.",
            "Website: major outage",
        ],
    );
    let build = sp
        .component_by_name("Build Processing")
        .expect("demo component");
    assert_eq!(build.status, ComponentStatus::DegradedPerformance);
    assert_eq!(
        sp.component_by_name("Website")
            .expect("demo component")
            .status,
        ComponentStatus::MajorOutage
    );
    assert_eq!(
        sp.component_by_name("API").expect("demo component").status,
        ComponentStatus::Operational
    );
}

#[tokio::test]
async fn ambiguous_and_unknown_component_names() {
    let sp = statuspage().await;
    sp.add_component("API Gateway", ComponentStatus::Operational, None)
        .expect("seeded");
    let env = operator_env(Some(&sp), None, "names");
    let run = shell(
        &env,
        &[
            "status api?",
            "status ap degraded",
            "status Nope?",
            "status gateway?",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "API: operational",
            "\"ap\" matches several components: API, API Gateway",
            "No component matches \"Nope\". Known components:",
            "API Gateway: operational",
        ],
    );
    // The ambiguous command changed nothing.
    assert!(
        sp.components()
            .iter()
            .all(|c| c.status == ComponentStatus::Operational)
    );
}

#[tokio::test]
async fn incident_lifecycle() {
    let sp = statuspage().await;
    let env = operator_env(Some(&sp), None, "incidents");
    let run = shell(
        &env,
        &[
            "status open investigating Builds delayed: jobs are queueing",
            "status incidents",
            "status update identified a bad deploy",
            "status update monitoring builds are degraded",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "Opened incident ",
            "(investigating)",
            "1 incident unresolved:",
            "\"Builds delayed\" (investigating",
            "Updated the most recent unresolved incident, ",
            "identified",
            "monitoring",
        ],
    );
    let incidents = sp.incidents();
    let incident = incidents
        .iter()
        .find(|i| i.name == "Builds delayed")
        .expect("the incident exists");
    assert_eq!(incident.status, IncidentStatus::Monitoring);
    assert_eq!(incident.incident_updates.len(), 3, "open + two updates");
    // `update monitoring builds are degraded` is an update, never a component change.
    assert!(
        sp.components()
            .iter()
            .all(|c| c.status == ComponentStatus::Operational)
    );
}

#[tokio::test]
async fn resolve_sets_affected_components_back_to_operational() {
    let sp = statuspage().await;
    let client = sp.client().expect("a client");
    let api = sp.component_by_name("API").expect("demo component");
    let incident = client
        .incidents(sp.page_id().as_str())
        .create("API errors")
        .status(IncidentStatus::Identified)
        .component(api.id.clone(), ComponentStatus::MajorOutage)
        .await
        .expect("incident created");
    assert_eq!(
        sp.component_by_name("API").expect("api").status,
        ComponentStatus::MajorOutage
    );

    let env = operator_env(Some(&sp), None, "resolve");
    let run = shell(
        &env,
        &[&format!(
            "status resolve {} fixed the database",
            incident.id
        )],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &["Resolved ", "\"API errors\"", "Back to operational: API."],
    );
    let after = sp
        .incidents()
        .into_iter()
        .find(|i| i.id == incident.id)
        .expect("still there");
    assert_eq!(after.status, IncidentStatus::Resolved);
    assert_eq!(
        sp.component_by_name("API").expect("api").status,
        ComponentStatus::Operational
    );

    let run = shell(
        &env,
        &[
            "status resolve",
            "status update nonexistent1 monitoring hello",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "There is no unresolved incident.",
            "There is no incident nonexistent1.",
        ],
    );
}

#[tokio::test]
async fn maintenance_scheduling() {
    let sp = statuspage().await;
    let env = operator_env(Some(&sp), None, "maintenance");
    let run = shell(
        &env,
        &[
            "status maintenance 2030-12-01T02:00Z 2h Database upgrade",
            "status maintenances",
            "status maintenance soon 2h x",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "Scheduled maintenance ",
            "\"Database upgrade\" from 2030-12-01 02:00 UTC to 2030-12-01 04:00 UTC.",
            "Upcoming: ",
            "\"Database upgrade\" 2030-12-01 02:00 to 2030-12-01 04:00 UTC",
            "is not a time like",
        ],
    );
    let m = sp
        .incidents()
        .into_iter()
        .find(|i| i.name == "Database upgrade")
        .expect("scheduled");
    assert_eq!(m.status, IncidentStatus::Scheduled);
    assert_eq!(
        m.scheduled_for.map(|t| t.to_rfc3339()),
        Some("2030-12-01T02:00:00+00:00".to_owned())
    );
}

#[tokio::test]
async fn changing_commands_need_an_operator() {
    let sp = statuspage().await;
    let og = opsgenie().await;
    let unset = with(
        service_env(Some(&sp), Some(&og)),
        &[("BOT_STATE_FILE", "/nonexistent/dir/state.json")],
    );
    let run = shell(&unset, &["status API major", "genie ack", "status API?"]).await;
    assert_in_order(
        &run.stdout,
        &[
            "Changing commands are turned off: set BOT_OPERATORS",
            "Changing commands are turned off",
            "API: operational",
        ],
    );

    let only_ann = with(
        unset.clone(),
        &[("BOT_OPERATORS", "ann"), ("BOT_SHELL_USER", "bob")],
    );
    let run = shell(
        &only_ann,
        &[
            "status API major",
            "genie close all",
            "genie alert P1 x",
            "genie oncall",
        ],
    )
    .await;
    assert_eq!(
        run.stdout
            .matches("Sorry bob, you are not an operator")
            .count(),
        3,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("On call now"), "{}", run.stdout);

    assert_eq!(
        sp.component_by_name("API").expect("api").status,
        ComponentStatus::Operational
    );
    assert!(
        og.alerts().iter().any(|a| !a.acknowledged),
        "nothing was acknowledged"
    );
    assert!(
        og.alerts().iter().all(|a| a.message != "x"),
        "no alert was created"
    );
}

#[tokio::test]
async fn unconfigured_and_unreachable_services_answer_with_what_is_wrong() {
    let og = opsgenie().await;
    let env = operator_env(None, Some(&og), "unconfigured");
    let run = shell(&env, &["status", "genie status"]).await;
    assert_in_order(
        &run.stdout,
        &[
            "Statuspage is not configured: set STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID",
            "unacked alerts",
        ],
    );

    // Nothing listens on the port of a dropped fake: every command fails, the bot carries on.
    let down = statuspage().await;
    let env = operator_env(Some(&down), None, "down");
    drop(down);
    let run = shell(&env, &["status", "status API major", "help"]).await;
    assert!(run.success);
    assert_eq!(
        run.stdout.matches("Statuspage failed:").count(),
        2,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("genie oncall"),
        "help still answers: {}",
        run.stdout
    );
}

#[tokio::test]
async fn genie_single_alert_actions() {
    let og = opsgenie().await;
    let env = operator_env(None, Some(&og), "genie-one");
    let open = og
        .alerts()
        .into_iter()
        .find(|a| !a.acknowledged && a.is_open())
        .expect("an unacked demo alert");
    let tiny = open.tiny_id.clone().expect("tiny id");
    let run = shell(
        &env,
        &[
            "genie me as ann@example.com",
            &format!("genie ack {tiny}"),
            &format!("genie note {tiny} restarted the worker"),
            &format!("genie unack #{tiny}"),
            &format!("genie close {tiny}"),
            "genie ack 9999",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "you are ann@example.com in Opsgenie",
            &format!("Acknowledged #{tiny}: {}", open.message),
            &format!("Added a note to #{tiny}"),
            &format!("Unacknowledged #{tiny}"),
            &format!("Closed #{tiny}"),
            "There is no alert #9999.",
        ],
    );
    let after = og.alert_by_tiny(&tiny).expect("still there");
    assert_eq!(after.status, Some(AlertStatus::Closed));
    let notes = og.notes(after.id.as_str());
    assert!(
        notes
            .iter()
            .any(|n| n.note == "restarted the worker"
                && n.owner.as_deref() == Some("ann@example.com")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn genie_ack_acknowledges_every_open_alert_at_once() {
    let og = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    for i in 0..250 {
        og.add_alert(
            SeedAlert::new(format!("disk full on node {i}"))
                .priority(Priority::P3)
                .source("prometheus"),
        );
    }
    og.add_alert(SeedAlert::new("already handled").acknowledged(true));
    og.add_alert(SeedAlert::new("old news").closed(true));
    let env = operator_env(None, Some(&og), "genie-ack-all");
    let run = shell(&env, &["genie ack", "genie status"]).await;
    assert_in_order(
        &run.stdout,
        &[
            "Acknowledged 250 of 250 unacknowledged alerts.",
            "Found 251 acked and 0 unacked alerts.",
        ],
    );
    let alerts = og.alerts();
    assert_eq!(
        alerts
            .iter()
            .filter(|a| a.is_open() && a.acknowledged)
            .count(),
        251
    );
    assert!(
        alerts
            .iter()
            .any(|a| a.message == "old news" && !a.acknowledged),
        "closed alerts are left alone"
    );
}

#[tokio::test]
async fn genie_close_all_and_hint() {
    let og = opsgenie().await;
    let open_before = og.alerts().iter().filter(|a| a.is_open()).count();
    assert!(open_before > 0);
    let env = operator_env(None, Some(&og), "genie-close");
    let run = shell(&env, &["genie close", "genie close all", "genie status"]).await;
    assert_in_order(
        &run.stdout,
        &[
            &format!("{open_before} alerts are open. Close one with `genie close <tiny id>`"),
            &format!("Closed {open_before} of {open_before} open alerts."),
            "No open alerts, go back to sleep.",
        ],
    );
    assert!(og.alerts().iter().all(|a| !a.is_open()));
}

#[tokio::test]
async fn genie_on_call_take_and_alert() {
    let og = opsgenie().await;
    let env = operator_env(None, Some(&og), "genie-oncall");
    let run = shell(
        &env,
        &[
            "genie take ops 2h",
            "genie me as ann@example.com",
            "genie take ops 2h",
            "genie oncall",
            "genie alert P1 Database is on fire",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "Tell me who you are in Opsgenie first",
            "ann@example.com is on call for ops until",
            "On call now:\nops: ann@example.com",
            "Created #",
            "[P1] Database is on fire (source opsbot, unacked)",
        ],
    );
    assert_eq!(
        og.on_call_at("ops", Utc::now()),
        vec!["ann@example.com".to_owned()]
    );
    assert_eq!(og.overrides().len(), 1);
    let created = og
        .alerts()
        .into_iter()
        .find(|a| a.message == "Database is on fire")
        .expect("created");
    assert_eq!(created.priority, Some(Priority::P1));
    assert_eq!(created.source.as_deref(), Some("opsbot"));
}

#[tokio::test]
async fn me_as_persists_in_the_state_file_and_survives_a_corrupt_one() {
    let og = opsgenie().await;
    let dir = temp_dir("state-file");
    let state = dir.join("state.json");
    let env = with(
        service_env(None, Some(&og)),
        &[
            ("BOT_OPERATORS", "*"),
            ("BOT_STATE_FILE", state.to_str().expect("utf-8")),
        ],
    );
    shell(&env, &["genie me as ann@example.com"]).await;
    let saved = opsbot::Store::open(&state).expect("the store was written");
    assert_eq!(
        saved
            .settings(&opsbot::UserId::Shell("shell".into()))
            .await
            .opsgenie_user
            .as_deref(),
        Some("ann@example.com")
    );
    drop(saved);
    // A new process remembers.
    let run = shell(&env, &["genie take ops 1h"]).await;
    assert!(
        run.stdout.contains("ann@example.com is on call for ops"),
        "{}",
        run.stdout
    );

    std::fs::write(&state, b"{ broken").expect("write");
    let run = shell(&env, &["genie me as bob@example.com", "genie take ops 1h"]).await;
    assert!(run.stderr.contains("is not valid"), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("you are bob@example.com in Opsgenie for now (not saved"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("bob@example.com is on call for ops"),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(&state).expect("read"),
        b"{ broken",
        "the user's file is never overwritten"
    );
}

#[tokio::test]
async fn unknown_commands_get_a_hint() {
    let run = shell(
        &[],
        &[
            "make me a sandwich",
            "genie dance",
            "status open sleeping nap",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "unknown command, try help",
            "unknown command, try help",
            "say what state the incident is in; usage: status open",
        ],
    );
}
