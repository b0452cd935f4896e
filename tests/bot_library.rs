//! The bot as a library, in process: `Bot::handle` with a speaker and a line, against the
//! fakes. Commands, permissions (including identity spoofing attempts), settings keyed by
//! adapter and user id, the audit log and its `log` commands, and how answers read.

use chrono::Utc;
use opsbot::command::{self, COMMANDS};
use opsbot::{Bot, Operators, Speaker, Store, UserId};
use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::ComponentStatus;
use statuspage_client::fake::FakeStatuspage;

struct World {
    statuspage: FakeStatuspage,
    opsgenie: FakeOpsgenie,
    bot: Bot,
}

async fn world(operators: &str) -> World {
    let statuspage = FakeStatuspage::start().await.expect("statuspage fake");
    let opsgenie = FakeOpsgenie::builder()
        .start()
        .await
        .expect("opsgenie fake");
    let bot = Bot::builder("opsbot")
        .statuspage(
            statuspage.client().expect("a client"),
            statuspage.page_id().to_string(),
        )
        .opsgenie(opsgenie.client().expect("a client"))
        .operators(Operators::parse(Some(operators)))
        .store(Store::in_memory())
        .build();
    World {
        statuspage,
        opsgenie,
        bot,
    }
}

fn api_status(w: &World) -> ComponentStatus {
    w.statuspage.component_by_name("API").expect("demo").status
}

#[tokio::test]
async fn help_is_the_command_table() {
    let w = world("*").await;
    let help = w.bot.handle(&Speaker::shell("ann"), "help").await;
    assert_eq!(help, command::help());
    for spec in COMMANDS {
        assert!(
            help.contains(spec.usage),
            "{} missing from help",
            spec.usage
        );
    }
    // A usage error repeats the usage of the command that was meant.
    let answer = w.bot.handle(&Speaker::shell("ann"), "genie note 7").await;
    assert_eq!(
        answer,
        "the note needs some text; usage: genie note <tiny id> <text>"
    );
}

/// On Campfire, `BOT_OPERATORS` holds user ids: a user renamed to the operator's id or to the
/// operator's name is still refused, and the refusal names the speaker's own id.
#[tokio::test]
async fn campfire_display_names_never_grant_anything() {
    let w = world("1, Ada Example").await;
    for impostor in [
        Speaker::campfire(66, "1", 10),
        Speaker::campfire(66, "Ada Example", 10),
        Speaker::campfire(66, "ada example", 10),
        Speaker::campfire_classic(66, "1", 10),
    ] {
        let answer = w.bot.handle(&impostor, "status API major").await;
        assert!(
            answer.contains("you are not an operator: ask to have your user id 66 added"),
            "{answer}"
        );
        assert_eq!(api_status(&w), ComponentStatus::Operational);
    }
    // The operator is their id, whatever they are called today.
    let answer = w
        .bot
        .handle(&Speaker::campfire(1, "Renamed", 10), "status API major")
        .await;
    assert!(
        answer.starts_with("Status for API is now major outage"),
        "{answer}"
    );
    assert_eq!(api_status(&w), ComponentStatus::MajorOutage);
    // The same number on the other Campfire is another user, and grants too (it is an id there).
    let answer = w
        .bot
        .handle(
            &Speaker::campfire_classic(1, "x", 10),
            "status API operational",
        )
        .await;
    assert!(
        answer.starts_with("Status for API is now operational"),
        "{answer}"
    );
}

/// In the shell, names are the identity.
#[tokio::test]
async fn shell_operators_are_names() {
    let w = world("ann").await;
    let refused = w
        .bot
        .handle(&Speaker::shell("bob"), "genie close all")
        .await;
    assert_eq!(
        refused,
        "Sorry bob, you are not an operator: ask to be added to BOT_OPERATORS."
    );
    assert!(w.opsgenie.alerts().iter().any(|a| a.is_open()));
    let done = w
        .bot
        .handle(&Speaker::shell("ANN"), "genie close all")
        .await;
    assert!(done.starts_with("Closed "), "{done}");
    assert!(w.opsgenie.alerts().iter().all(|a| !a.is_open()));

    let nobody = world("").await;
    let refused = nobody
        .bot
        .handle(&Speaker::shell("ann"), "status API major")
        .await;
    assert!(
        refused.starts_with("Changing commands are turned off"),
        "{refused}"
    );
}

/// `genie me as` is keyed by adapter and user id: someone who takes another user's display
/// name does not act as that user in Opsgenie.
#[tokio::test]
async fn settings_follow_the_user_id_not_the_name() {
    let w = world("*").await;
    let ada = Speaker::campfire(4, "Ada Example", 10);
    let answer = w.bot.handle(&ada, "genie me as ada@example.com").await;
    assert_eq!(
        answer,
        "Okay Ada Example, you are ada@example.com in Opsgenie."
    );
    let impostor = Speaker::campfire(66, "Ada Example", 10);
    let answer = w.bot.handle(&impostor, "genie take ops 1h").await;
    assert!(
        answer.starts_with("Tell me who you are in Opsgenie first"),
        "{answer}"
    );
    // Nor does the same number on another adapter, nor a shell user of that name.
    for other in [
        Speaker::campfire_classic(4, "Ada Example", 10),
        Speaker::shell("Ada Example"),
        Speaker::shell("4"),
    ] {
        let answer = w.bot.handle(&other, "genie take ops 1h").await;
        assert!(answer.starts_with("Tell me who you are"), "{answer}");
    }
    assert!(w.opsgenie.overrides().is_empty());
    let answer = w.bot.handle(&ada, "genie take ops 1h").await;
    assert!(
        answer.starts_with("ada@example.com is on call for ops"),
        "{answer}"
    );
    assert_eq!(
        w.opsgenie.on_call_at("ops", Utc::now()),
        vec!["ada@example.com".to_owned()]
    );
    assert_eq!(
        w.bot
            .store()
            .settings(&UserId::Campfire(4))
            .await
            .opsgenie_user
            .as_deref(),
        Some("ada@example.com")
    );
}

/// Every changing command is in the audit log with who, where and what came of it, refusals
/// included; `status log` and `genie log` show them to operators only.
#[tokio::test]
async fn the_audit_log_and_the_log_commands() {
    let w = world("4").await;
    let ada = Speaker::campfire(4, "Ada Example", 10);
    let grace = Speaker::campfire(5, "Grace Example", 11);
    w.bot.handle(&ada, "/status API major").await;
    w.bot.handle(&grace, "status API operational").await;
    w.bot.handle(&ada, "status Nope degraded").await;
    w.bot.handle(&ada, "genie ack 9999").await;
    w.bot.handle(&ada, "status API?").await; // read-only: not audited
    w.bot.handle(&grace, "genie me as grace@example.com").await;

    let entries = w.bot.store().recent("status", 10).await.expect("readable");
    let summary: Vec<(String, String, Option<String>, String)> = entries
        .iter()
        .map(|e| {
            (
                e.user_id.clone(),
                e.command.clone(),
                e.room.clone(),
                e.outcome.split(':').next().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "4".into(),
                "status API major".into(),
                Some("10".into()),
                "ok".into()
            ),
            (
                "5".into(),
                "status API operational".into(),
                Some("11".into()),
                "refused".into()
            ),
            (
                "4".into(),
                "status Nope degraded".into(),
                Some("10".into()),
                "failed".into()
            ),
        ]
    );
    assert_eq!(entries[0].user_name, "Ada Example");
    assert_eq!(entries[0].adapter, "campfire");
    assert!(
        entries[0]
            .outcome
            .contains("Status for API is now major outage"),
        "{:?}",
        entries[0]
    );

    let log = w.bot.handle(&ada, "status log").await;
    assert!(log.starts_with("Last 3 changing status commands:"), "{log}");
    assert!(
        log.contains(
            "campfire room 10, Ada Example (id 4): status API major -> ok: Status for API"
        ),
        "{log}"
    );
    assert!(
        log.contains("Grace Example (id 5): status API operational -> refused"),
        "{log}"
    );
    let last = w.bot.handle(&ada, "status log 1").await;
    assert!(
        last.starts_with("Last 1 changing status command:")
            && last.contains("status Nope degraded"),
        "{last}"
    );
    let genie = w.bot.handle(&ada, "genie log").await;
    assert!(
        genie.contains("genie ack 9999 -> failed: There is no alert #9999."),
        "{genie}"
    );
    assert!(
        genie.contains("Grace Example (id 5): genie me as grace@example.com -> ok"),
        "{genie}"
    );
    // Operators only.
    let refused = w.bot.handle(&grace, "status log").await;
    assert!(refused.contains("you are not an operator"), "{refused}");
    // Reading the log is not itself logged.
    assert_eq!(
        w.bot
            .store()
            .recent("status", 100)
            .await
            .expect("readable")
            .len(),
        3
    );
}

#[tokio::test]
async fn health_records_each_services_last_call() {
    let statuspage = FakeStatuspage::start().await.expect("fake");
    let client = statuspage.client().expect("client");
    let page = statuspage.page_id().to_string();
    let health = std::sync::Arc::new(opsbot::health::Health::new("shell", &["statuspage"]));
    let bot = Bot::builder("opsbot")
        .statuspage(client, page)
        .call_timeout(std::time::Duration::from_millis(500))
        .health(health.clone())
        .build();
    let before = health.report();
    assert_eq!(before.services["statuspage"].last_call_ok, None);
    bot.handle(&Speaker::shell("ann"), "status").await;
    assert_eq!(
        health.report().services["statuspage"].last_call_ok,
        Some(true)
    );
    drop(statuspage);
    let answer = bot.handle(&Speaker::shell("ann"), "status").await;
    assert!(answer.starts_with("Statuspage failed"), "{answer}");
    assert_eq!(
        health.report().services["statuspage"].last_call_ok,
        Some(false)
    );
}
