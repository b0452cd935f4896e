//! End-to-end tests of the bot's `genie` commands on Jira Service Management Operations: the
//! bot runs as a real process configured with `OPSGENIE_BACKEND=jsm`, `JSM_SITE` (the cloud id
//! is looked up from the fake's `/_edge/tenant_info`), `JSM_EMAIL` and `JSM_API_TOKEN`, against
//! the Opsgenie fake's JSM mode. Each test checks the replies and the fake's resulting state.

mod common;

use chrono::Utc;
use common::{assert_in_order, shell, temp_dir};
use opsgenie_client::fake::{FakeOpsgenie, JSM_CLOUD_ID, JSM_EMAIL, SeedAlert};
use opsgenie_client::{AlertStatus, Priority};

async fn opsgenie() -> FakeOpsgenie {
    FakeOpsgenie::builder()
        .start()
        .await
        .expect("the Opsgenie fake starts")
}

/// The environment of a bot whose pager is the fake in JSM mode, every user an operator.
fn jsm_env(og: &FakeOpsgenie, test: &str) -> Vec<(String, String)> {
    let state = temp_dir(&format!("jsm-{test}")).join("state.json");
    let base = og.base_url().as_str().trim_end_matches('/');
    [
        ("OPSGENIE_BACKEND", "jsm"),
        ("JSM_SITE", base),
        ("JSM_EMAIL", JSM_EMAIL),
        ("JSM_API_TOKEN", og.key()),
        ("OPSGENIE_BASE_URL", base),
        ("BOT_OPERATORS", "*"),
        ("BOT_STATE_FILE", state.to_str().expect("a utf-8 path")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn genie_status_and_single_alert_actions_on_jsm() {
    let og = opsgenie().await;
    let env = jsm_env(&og, "one");
    let open = og
        .alerts()
        .into_iter()
        .find(|a| !a.acknowledged && a.is_open())
        .expect("an unacked demo alert");
    let tiny = open.tiny_id.clone().expect("tiny id");
    let served_before = og.requests_served();
    let run = shell(
        &env,
        &[
            "genie status",
            "genie me as ann@example.com",
            &format!("genie ack {tiny}"),
            &format!("genie note {tiny} restarted the worker"),
            &format!("genie unack #{tiny}"),
            &format!("genie close {tiny}"),
            "genie ack 9999",
        ],
    )
    .await;
    assert!(run.success, "{run:?}");
    assert_in_order(
        &run.stdout,
        &[
            "unacked alerts",
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
    assert!(
        og.notes(after.id.as_str())
            .iter()
            .any(|n| n.note == "restarted the worker"
                && n.owner.as_deref() == Some("ann@example.com")),
        "the note carries the user"
    );
    assert!(og.requests_served() > served_before);
}

#[tokio::test]
async fn genie_ack_and_close_all_on_jsm() {
    let og = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    for i in 0..45 {
        og.add_alert(
            SeedAlert::new(format!("disk full on node {i}"))
                .priority(Priority::P3)
                .source("prometheus"),
        );
    }
    og.add_alert(SeedAlert::new("already handled").acknowledged(true));
    og.add_alert(SeedAlert::new("old news").closed(true));
    let env = jsm_env(&og, "all");
    let run = shell(
        &env,
        &[
            "genie ack",
            "genie status",
            "genie close",
            "genie close all",
            "genie status",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "Acknowledged 45 of 45 unacknowledged alerts.",
            "Found 46 acked and 0 unacked alerts.",
            "46 alerts are open. Close one with `genie close <tiny id>`",
            "Closed 46 of 46 open alerts.",
            "No open alerts, go back to sleep.",
        ],
    );
    let alerts = og.alerts();
    assert!(alerts.iter().all(|a| !a.is_open()));
    assert!(
        alerts
            .iter()
            .any(|a| a.message == "old news" && !a.acknowledged),
        "closed alerts are left alone"
    );
}

#[tokio::test]
async fn genie_on_call_alert_and_take_on_jsm() {
    let og = opsgenie().await;
    let env = jsm_env(&og, "oncall");
    let run = shell(
        &env,
        &[
            "genie oncall",
            "genie oncall ops",
            "genie alert P1 Database is on fire",
            // JSM names people by Atlassian account id, not by e-mail.
            "genie me as ann@example.com",
            "genie take ops 2h",
            "genie me as 712020:00000000-fake-4acc-8000-000000000001",
            "genie take ops 2h",
            "genie oncall ops",
        ],
    )
    .await;
    assert_in_order(
        &run.stdout,
        &[
            "On call now:\nops: ",
            "Created #",
            "[P1] Database is on fire (source opsbot, unacked)",
            "you are ann@example.com in Opsgenie",
            "Atlassian account id",
            "712020:00000000-fake-4acc-8000-000000000001 is on call for ops until",
            "ops: 712020:00000000-fake-4acc-8000-000000000001",
        ],
    );
    let created = og
        .alerts()
        .into_iter()
        .find(|a| a.message == "Database is on fire")
        .expect("created");
    assert_eq!(created.priority, Some(Priority::P1));
    assert_eq!(created.source.as_deref(), Some("opsbot"));
    assert_eq!(
        og.overrides().len(),
        1,
        "only the account id made an override"
    );
    assert_eq!(
        og.on_call_at("ops", Utc::now()),
        vec!["712020:00000000-fake-4acc-8000-000000000001".to_owned()]
    );
}

#[tokio::test]
async fn bad_jsm_configuration_is_reported() {
    let og = opsgenie().await;
    let mut env = jsm_env(&og, "bad");
    env.retain(|(k, _)| k != "JSM_SITE" && k != "JSM_EMAIL");
    // No input: the bot stops at its configuration before reading any.
    let run = shell(&env, &[]).await;
    assert!(!run.success);
    assert!(
        run.stderr.contains("JSM_SITE or JSM_CLOUD_ID") && run.stderr.contains("JSM_EMAIL"),
        "{}",
        run.stderr
    );
    // A cloud id given directly is used as is; a wrong token is the pager's refusal, and
    // neither the token nor the e-mail reaches the chat.
    let mut env = jsm_env(&og, "token");
    env.retain(|(k, _)| k != "JSM_SITE" && k != "JSM_API_TOKEN");
    env.push(("JSM_CLOUD_ID".into(), JSM_CLOUD_ID.into()));
    env.push(("JSM_API_TOKEN".into(), "wrong-secret-token".into()));
    let run = shell(&env, &["genie status"]).await;
    assert!(run.success, "{run:?}");
    assert!(run.stdout.contains("Opsgenie failed"), "{}", run.stdout);
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("wrong-secret-token"), "{text}");
        assert!(!text.contains(JSM_EMAIL), "{text}");
    }
}
