//! End-to-end tests of the bot's Campfire adapters, the bot running as a real process:
//! the current Campfire's webhook (FakeCampfire delivers the webhooks and posts the answers
//! exactly as Campfire does) and classic Campfire's streaming API.

mod common;

use std::time::Duration;

use campfire_client::classic::MessageType;
use campfire_client::fake::FakeCampfire;
use campfire_client::{RoomId, UserId};
use common::{eventually, free_port, service_env, spawn_bot, wait_for_port, with};
use statuspage_client::ComponentStatus;
use statuspage_client::fake::FakeStatuspage;

struct WebhookBot {
    campfire: FakeCampfire,
    statuspage: FakeStatuspage,
    port: u16,
    ops: RoomId,
    ada: UserId,
    _bot: tokio::process::Child,
}

/// A bot on the current-Campfire adapter whose operators are these demo users (by their user
/// ids, as `BOT_OPERATORS` lists them on Campfire), or `*`.
async fn webhook_bot(operators: &[&str]) -> WebhookBot {
    let campfire = FakeCampfire::start().await.expect("campfire fake");
    let operators = operators
        .iter()
        .map(|name| match *name {
            "*" => "*".to_owned(),
            name => campfire.user_id(name).expect("a demo user").to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    let statuspage = FakeStatuspage::start().await.expect("statuspage fake");
    let port = free_port();
    let state = common::temp_dir(&format!("webhook-{port}")).join("state.json");
    let env = with(
        service_env(Some(&statuspage), None),
        &[
            ("BOT_ADAPTER", "campfire"),
            ("BOT_NAME", "Opsbot"),
            ("CAMPFIRE_URL", campfire.base_url().as_str()),
            ("CAMPFIRE_BOT_KEY", campfire.key()),
            ("BOT_LISTEN", &format!("127.0.0.1:{port}")),
            ("BOT_WEBHOOK_SECRET", "s3cret-path"),
            ("BOT_OPERATORS", &operators),
            ("BOT_STATE_FILE", state.to_str().expect("utf-8")),
        ],
    );
    let bot = spawn_bot(&env);
    wait_for_port(port).await;
    let url =
        url::Url::parse(&format!("http://127.0.0.1:{port}/campfire/s3cret-path")).expect("url");
    campfire.set_webhook_url(Some(url));
    let ops = campfire.room_id("Ops").expect("demo room");
    let ada = campfire.user_id("Ada Example").expect("demo user");
    WebhookBot {
        campfire,
        statuspage,
        port,
        ops,
        ada,
        _bot: bot,
    }
}

#[tokio::test]
async fn webhook_commands_are_answered_in_the_http_reply() {
    let t = webhook_bot(&["Ada Example"]).await;
    let out = t
        .campfire
        .say(t.ops, t.ada, "@Opsbot status Build Processing degraded")
        .await;
    assert!(out.delivered);
    let reply = out.reply.expect("the bot answered");
    assert_eq!(
        reply.user,
        Some(t.campfire.bot_user_id()),
        "posted as the bot"
    );
    assert!(
        reply.plain.contains(
            "Status for Build Processing is now degraded performance (was: operational)."
        ),
        "{reply:?}"
    );
    assert_eq!(
        t.statuspage
            .component_by_name("Build Processing")
            .expect("demo")
            .status,
        ComponentStatus::DegradedPerformance
    );

    // Multi-line answers keep their lines.
    let out = t.campfire.say(t.ops, t.ada, "@Opsbot status?").await;
    let reply = out.reply.expect("answered");
    assert!(reply.html.contains("<br>"), "{}", reply.html);
    assert!(
        reply
            .plain
            .contains("Build Processing: degraded performance"),
        "{}",
        reply.plain
    );
}

#[tokio::test]
async fn webhook_permissions_follow_bot_operators() {
    let t = webhook_bot(&["Ada Example"]).await;
    let grace = t.campfire.user_id("Grace Example").expect("demo user");
    let out = t
        .campfire
        .say(t.ops, grace, "@Opsbot status API major")
        .await;
    let reply = out.reply.expect("answered");
    assert!(
        reply.plain.contains(&format!(
            "Sorry Grace Example, you are not an operator: ask to have your user id {grace} added"
        )),
        "{reply:?}"
    );
    assert_eq!(
        t.statuspage.component_by_name("API").expect("demo").status,
        ComponentStatus::Operational
    );
    // Read-only commands are open to everyone.
    let out = t.campfire.say(t.ops, grace, "@Opsbot status API?").await;
    assert!(
        out.reply
            .expect("answered")
            .plain
            .contains("API: operational")
    );
}

#[tokio::test]
async fn slow_commands_are_answered_later_through_the_bot_api() {
    let t = webhook_bot(&["*"]).await;
    t.statuspage.set_latency(Duration::from_secs(3)); // two calls: 6 s, past the 5 s answer window
    let out = t.campfire.say(t.ops, t.ada, "@Opsbot status").await;
    let first = out.reply.expect("an immediate answer");
    assert!(first.plain.contains("Working on it"), "{first:?}");
    let bot = t.campfire.bot_user_id();
    let late = eventually(Duration::from_secs(20), || {
        t.campfire
            .messages(t.ops)
            .into_iter()
            .find(|m| m.user == Some(bot) && m.plain.contains("All systems operational"))
    })
    .await;
    assert!(
        late.plain.contains("Build Processing: operational"),
        "{late:?}"
    );
}

#[tokio::test]
async fn webhook_endpoint_refuses_wrong_secrets_big_and_broken_bodies() {
    let t = webhook_bot(&["*"]).await;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{}", t.port);
    let wrong = http
        .post(format!("{base}/campfire/guess"))
        .body("{}")
        .send()
        .await
        .expect("answer");
    assert_eq!(wrong.status(), 404);
    let big = http
        .post(format!("{base}/campfire/s3cret-path"))
        .body(vec![b'x'; 70 * 1024])
        .send()
        .await
        .expect("answer");
    assert_eq!(big.status(), 413);
    let broken = http
        .post(format!("{base}/campfire/s3cret-path"))
        .body("not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(broken.status(), 400);
    let missing = http
        .post(format!("{base}/campfire/s3cret-path"))
        .body(r#"{"user":{"id":1,"name":"x"}}"#)
        .send()
        .await
        .expect("answer");
    assert_eq!(missing.status(), 400);
    // Still serving.
    let out = t.campfire.say(t.ops, t.ada, "@Opsbot help").await;
    assert!(out.reply.expect("answered").plain.contains("genie oncall"));
}

#[tokio::test]
async fn classic_adapter_follows_the_stream_and_answers_with_speak_or_paste() {
    let campfire = FakeCampfire::start().await.expect("campfire fake");
    let statuspage = FakeStatuspage::start().await.expect("statuspage fake");
    let ops = campfire.room_id("Ops").expect("demo room");
    let ada = campfire.user_id("Ada Example").expect("demo user");
    let bot_user = campfire.bot_user_id();
    let state = common::temp_dir("classic").join("state.json");
    let env = with(
        service_env(Some(&statuspage), None),
        &[
            ("BOT_ADAPTER", "campfire-classic"),
            ("BOT_NAME", "Opsbot"),
            ("CAMPFIRE_CLASSIC_URL", campfire.base_url().as_str()),
            ("CAMPFIRE_CLASSIC_TOKEN", campfire.api_token()),
            ("CAMPFIRE_CLASSIC_STREAM_URL", campfire.base_url().as_str()),
            ("CAMPFIRE_CLASSIC_ROOMS", &ops.to_string()),
            ("BOT_OPERATORS", &ada.to_string()),
            ("BOT_STATE_FILE", state.to_str().expect("utf-8")),
        ],
    );
    let _bot = spawn_bot(&env);
    eventually(Duration::from_secs(15), || {
        campfire
            .rooms()
            .into_iter()
            .find(|r| r.id == ops && r.classic_joined.contains(&bot_user))
    })
    .await;
    // Give the stream a moment to connect; anything said before is caught up from recent.json anyway.
    tokio::time::sleep(Duration::from_millis(300)).await;

    campfire.seed_message(ops, ada, "Opsbot: status API major");
    let set = eventually(Duration::from_secs(15), || {
        campfire
            .messages(ops)
            .into_iter()
            .find(|m| m.user == Some(bot_user) && m.plain.contains("Status for API"))
    })
    .await;
    assert_eq!(set.kind, MessageType::Text, "one line: speak");
    assert_eq!(
        statuspage.component_by_name("API").expect("demo").status,
        ComponentStatus::MajorOutage
    );

    campfire.seed_message(ops, ada, "not for the bot");
    campfire.seed_message(ops, ada, "/status");
    let overview = eventually(Duration::from_secs(15), || {
        campfire
            .messages(ops)
            .into_iter()
            .find(|m| m.user == Some(bot_user) && m.plain.contains("API: major outage"))
    })
    .await;
    assert_eq!(overview.kind, MessageType::Paste, "several lines: paste");

    // The bot never answers itself or lines not addressed to it: exactly two answers.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let answers: Vec<_> = campfire
        .messages(ops)
        .into_iter()
        .filter(|m| {
            m.user == Some(bot_user) && matches!(m.kind, MessageType::Text | MessageType::Paste)
        })
        .collect();
    assert_eq!(answers.len(), 2, "{answers:#?}");
}

/// Identity spoofing against a running Campfire: users who take the operator's user id as their
/// display name, or the operator's own name, are refused, and the refusal names their real id.
#[tokio::test]
async fn a_renamed_user_never_passes_as_an_operator() {
    let t = webhook_bot(&["Ada Example"]).await;
    let as_id = t.campfire.add_user(&t.ada.to_string(), "member");
    let as_name = t.campfire.add_user("Ada Example", "member");
    let room = t.campfire.add_room("Spoofing");
    for impostor in [as_id, as_name] {
        let out = t
            .campfire
            .say(room, impostor, "@Opsbot status API major")
            .await;
        let reply = out.reply.expect("answered");
        assert!(
            reply.plain.contains(&format!(
                "you are not an operator: ask to have your user id {impostor} added"
            )),
            "{reply:?}"
        );
    }
    assert_eq!(
        t.statuspage.component_by_name("API").expect("demo").status,
        ComponentStatus::Operational
    );
    // The operator, by id, in the same room.
    let out = t
        .campfire
        .say(room, t.ada, "@Opsbot status API major")
        .await;
    assert!(
        out.reply
            .expect("answered")
            .plain
            .contains("Status for API is now major outage")
    );
}
