//! Faults and hostile input at the bot level (issue 8): the bot runs as a real process against
//! the fakes with their fault knobs (fixed seeds), and must lose no action, misreport nothing,
//! answer every command, and never print a key.

mod common;

use std::time::Duration;

use campfire_client::fake::FakeCampfire;
use common::{eventually, free_port, service_env, shell, spawn_bot, temp_dir, wait_for_port, with};
use opsgenie_client::fake::{FakeOpsgenie, Faults, SeedAlert};
use statuspage_client::ComponentStatus;
use statuspage_client::fake::FakeStatuspage;

fn state_env(env: Vec<(String, String)>, test: &str) -> Vec<(String, String)> {
    let state = temp_dir(test).join("state.json");
    with(
        env,
        &[
            ("BOT_OPERATORS", "*"),
            ("BOT_STATE_FILE", state.to_str().expect("utf-8")),
        ],
    )
}

/// `genie ack` over 1,000 open alerts while the pager answers 20% of requests with 503, drops
/// 5% of connections and throttles: every alert ends acknowledged and the reply's counts match
/// the fake's state exactly.
#[tokio::test]
async fn genie_ack_through_503s_dropped_connections_and_throttling() {
    let og = FakeOpsgenie::builder()
        .without_demo_data()
        .rate_limit(400)
        .faults(Faults::seeded(7).error_503(0.20).drop_connection(0.05))
        .start()
        .await
        .expect("fake");
    for i in 0..1_000 {
        og.add_alert(SeedAlert::new(format!("queue depth high on worker {i}")));
    }
    let env = state_env(service_env(None, Some(&og)), "ack-faults");
    let run = shell(&env, &["genie ack"]).await;
    let alerts = og.alerts();
    let acked = alerts.iter().filter(|a| a.acknowledged).count();
    let first_line = run.stdout.lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        first_line,
        format!("Acknowledged {acked} of 1000 unacknowledged alerts."),
        "the reply counts what the pager holds; stderr: {}",
        run.stderr
    );
    // Every failure the reply names is an alert the fake holds unacknowledged, and vice versa.
    let reported_failed = run
        .stdout
        .lines()
        .filter(|l| l.contains(" failed: "))
        .count();
    assert_eq!(reported_failed, 1_000 - acked, "{}", run.stdout);
    assert_eq!(
        acked, 1_000,
        "with retries every alert ends acknowledged: {}",
        run.stdout
    );
    assert!(og.requests_throttled() > 0, "the rate limit was exercised");
    eprintln!(
        "genie ack over 1000 alerts: {} requests served, {} throttled, {acked} acknowledged",
        og.requests_served(),
        og.requests_throttled()
    );
}

/// Setting components while Statuspage throttles: each command waits as asked and succeeds.
#[tokio::test]
async fn status_set_through_statuspage_throttling() {
    let sp = FakeStatuspage::builder()
        .rate_limit(5)
        .start()
        .await
        .expect("fake");
    let env = state_env(service_env(Some(&sp), None), "sp-throttle");
    let commands: Vec<String> = ["API", "Build Processing", "Website", "Log Streaming"]
        .iter()
        .cycle()
        .take(12)
        .enumerate()
        .map(|(i, c)| {
            format!(
                "status {c} {}",
                if i % 2 == 0 { "degraded" } else { "major" }
            )
        })
        .collect();
    let lines: Vec<&str> = commands.iter().map(String::as_str).collect();
    let run = shell(&env, &lines).await;
    assert_eq!(
        run.stdout.matches("Status for ").count(),
        12,
        "{}",
        run.stdout
    );
    for name in ["API", "Build Processing", "Website", "Log Streaming"] {
        assert_eq!(
            sp.component_by_name(name).expect("demo").status,
            // The last of the three commands for each component wins: index 8..11 -> degraded, major, ...
            if ["API", "Website"].contains(&name) {
                ComponentStatus::DegradedPerformance
            } else {
                ComponentStatus::MajorOutage
            },
            "{name}"
        );
    }
}

/// A service that is down answers every command with the failure within the command's time
/// limit, and the bot recovers as soon as the service is back.
#[tokio::test]
async fn a_dead_service_fails_fast_and_the_bot_recovers() {
    // A server that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent_addr = silent.local_addr().expect("addr");
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let env = with(
        state_env(Vec::new(), "dead"),
        &[
            ("STATUSPAGE_API_KEY", "sp-fake-key-for-a-dead-service"),
            ("STATUSPAGE_PAGE_ID", "deadpage"),
            ("STATUSPAGE_BASE_URL", &format!("http://{silent_addr}/v1")),
            ("STATUSPAGE_PACING_MS", "0"),
            ("BOT_CALL_TIMEOUT_MS", "300"),
        ],
    );
    let started = std::time::Instant::now();
    let run = shell(&env, &["status", "status API major", "help"]).await;
    let took = started.elapsed();
    assert_eq!(
        run.stdout
            .matches("Statuspage failed: request timed out")
            .count()
            + run
                .stdout
                .matches("No answer from the service within")
                .count(),
        2,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("genie oncall"), "help still answers");
    eprintln!("two commands against a silent server answered in {took:?}");
    hold.abort();

    // Down, then back on the same address: the same bot process recovers.
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let sp = FakeStatuspage::builder()
        .addr(addr)
        .start()
        .await
        .expect("fake");
    let env = with(
        state_env(service_env(Some(&sp), None), "recover"),
        &[("BOT_CALL_TIMEOUT_MS", "500")],
    );
    drop(sp);
    let mut child = tokio::process::Command::new(common::bot_exe())
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    stdin.write_all(b"status API?\n").await.expect("write");
    let down = tokio::time::timeout(Duration::from_secs(30), out.next_line())
        .await
        .expect("answer")
        .expect("line");
    assert!(
        down.as_deref()
            .is_some_and(|l| l.starts_with("Statuspage failed:")),
        "{down:?}"
    );
    let _back = FakeStatuspage::builder()
        .addr(addr)
        .start()
        .await
        .expect("fake back on the same port");
    stdin.write_all(b"status API?\n").await.expect("write");
    let up = tokio::time::timeout(Duration::from_secs(30), out.next_line())
        .await
        .expect("answer")
        .expect("line");
    assert_eq!(up.as_deref(), Some("API: operational"));
}

/// 500 webhooks at once: every one is answered, in the HTTP reply or through the bot API
/// afterwards, and the bot stays up.
#[tokio::test]
async fn five_hundred_concurrent_webhooks_are_all_answered() {
    let campfire = FakeCampfire::start().await.expect("fake");
    let sp = FakeStatuspage::start().await.expect("fake");
    let port = free_port();
    let env = with(
        state_env(service_env(Some(&sp), None), "webhooks-500"),
        &[
            ("BOT_ADAPTER", "campfire"),
            ("BOT_NAME", "Opsbot"),
            ("CAMPFIRE_URL", campfire.base_url().as_str()),
            ("CAMPFIRE_BOT_KEY", campfire.bot_key()),
            ("BOT_LISTEN", &format!("127.0.0.1:{port}")),
            ("BOT_WEBHOOK_SECRET", "s3cret"),
        ],
    );
    let _bot = spawn_bot(&env);
    wait_for_port(port).await;
    campfire.set_webhook_url(Some(
        url::Url::parse(&format!("http://127.0.0.1:{port}/campfire/s3cret")).expect("url"),
    ));
    let ops = campfire.room_id("Ops").expect("room");
    let ada = campfire.user_id("Ada Example").expect("user");
    let bot_user = campfire.bot_user_id();

    let says = (0..500).map(|_| campfire.say(ops, ada, "@Opsbot status API?"));
    let outcomes = futures_util::future::join_all(says).await;
    let delivered = outcomes.iter().filter(|o| o.delivered).count();
    let in_time = outcomes
        .iter()
        .filter(|o| {
            o.reply
                .as_ref()
                .is_some_and(|r| r.plain.contains("API: operational"))
        })
        .count();
    let working = outcomes
        .iter()
        .filter(|o| {
            o.reply
                .as_ref()
                .is_some_and(|r| r.plain.contains("Working on it"))
        })
        .count();
    assert_eq!(delivered, 500);
    assert_eq!(in_time + working, 500, "every webhook got an answer");
    // Every late one is posted afterwards: 500 answers in the room in all.
    let answered = eventually(Duration::from_secs(60), || {
        let n = campfire
            .messages(ops)
            .iter()
            .filter(|m| m.user == Some(bot_user) && m.plain.contains("API: operational"))
            .count();
        (n >= 500).then_some(n)
    })
    .await;
    assert_eq!(answered, 500);
    eprintln!("500 webhooks: {in_time} answered in time, {working} later through the bot API");
    // Still up.
    let out = campfire.say(ops, ada, "@Opsbot help").await;
    assert!(out.reply.is_some_and(|r| r.plain.contains("genie oncall")));
}

/// A user who is not an operator tries every changing command: each is refused, nothing changes.
#[tokio::test]
async fn a_non_operator_changes_nothing() {
    let sp = FakeStatuspage::start().await.expect("fake");
    let og = FakeOpsgenie::builder().start().await.expect("fake");
    let env = with(
        service_env(Some(&sp), Some(&og)),
        &[
            ("BOT_OPERATORS", "ann"),
            ("BOT_SHELL_USER", "mallory"),
            (
                "BOT_STATE_FILE",
                temp_dir("non-operator")
                    .join("s.json")
                    .to_str()
                    .expect("utf-8"),
            ),
        ],
    );
    let changing = [
        "status API major",
        "status open investigating Fake outage",
        "status update investigating nothing",
        "status resolve",
        "status maintenance 2030-01-01T00:00Z 1h Fake",
        "genie ack",
        "genie ack 1",
        "genie unack 3",
        "genie close 1",
        "genie close all",
        "genie note 1 hello",
        "genie take ops 1h",
        "genie alert P1 fake",
    ];
    let components_before = sp.components();
    let incidents_before = sp.incidents().len();
    let alerts_before = og.alerts();
    let run = shell(&env, &changing).await;
    assert_eq!(
        run.stdout
            .matches("Sorry mallory, you are not an operator")
            .count(),
        changing.len(),
        "{}",
        run.stdout
    );
    assert_eq!(sp.components(), components_before);
    assert_eq!(sp.incidents().len(), incidents_before);
    let alerts_after = og.alerts();
    assert_eq!(alerts_after.len(), alerts_before.len());
    for (before, after) in alerts_before.iter().zip(&alerts_after) {
        assert_eq!(
            (before.acknowledged, &before.status),
            (after.acknowledged, &after.status)
        );
    }
    assert!(og.overrides().is_empty());
}

/// Keys never reach the bot's output, whatever fails.
#[tokio::test]
async fn keys_never_appear_in_output() {
    let env = with(
        state_env(Vec::new(), "keys"),
        &[
            ("STATUSPAGE_API_KEY", "sp-SECRET-key-123"),
            ("STATUSPAGE_PAGE_ID", "page"),
            (
                "STATUSPAGE_BASE_URL",
                &format!("http://127.0.0.1:{}/v1", free_port()),
            ),
            ("OPSGENIE_API_KEY", "og-SECRET-key-456"),
            (
                "OPSGENIE_BASE_URL",
                &format!("http://127.0.0.1:{}", free_port()),
            ),
            ("BOT_CALL_TIMEOUT_MS", "300"),
        ],
    );
    let run = shell(
        &env,
        &[
            "status",
            "status API major",
            "genie status",
            "genie ack",
            "genie ack 1",
            "genie oncall",
        ],
    )
    .await;
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("failed"), "the commands failed: {all}");
    assert!(!all.contains("SECRET"), "a key leaked: {all}");

    // A configuration error names the variable, never the value.
    let bad = with(env, &[("OPSGENIE_REGION", "mars")]);
    let run = shell(&bad, &["status"]).await;
    assert!(!run.success);
    assert!(
        run.stderr.contains("OPSGENIE_REGION") && !run.stderr.contains("SECRET"),
        "{}",
        run.stderr
    );
}

/// Two bot processes writing the store at once both keep their settings, and a store that
/// cannot be written is reported while the setting is kept for the run.
#[tokio::test]
async fn concurrent_state_writers_never_tear_the_file_and_unwritable_state_is_reported() {
    let og = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let dir = temp_dir("me-as");
    let file = dir.join("state.json");
    let env = with(
        service_env(None, Some(&og)),
        &[
            ("BOT_OPERATORS", "*"),
            ("BOT_STATE_FILE", file.to_str().expect("utf-8")),
        ],
    );
    let ann_env = with(env.clone(), &[("BOT_SHELL_USER", "ann")]);
    let bob_env = with(env.clone(), &[("BOT_SHELL_USER", "bob")]);
    let (a, b) = tokio::join!(
        shell(&ann_env, &["genie me as ann@example.com"]),
        shell(&bob_env, &["genie me as bob@example.com"]),
    );
    assert!(
        a.stdout.contains("you are ann@example.com")
            && b.stdout.contains("you are bob@example.com")
    );
    // Both processes' settings are kept: one SQLite store, each write a transaction.
    let saved = opsbot::Store::open(&file).expect("the store opens");
    for user in ["ann", "bob"] {
        assert_eq!(
            saved
                .settings(&opsbot::UserId::Shell(user.into()))
                .await
                .opsgenie_user,
            Some(format!("{user}@example.com"))
        );
    }
    drop(saved);

    let unwritable = with(
        env,
        &[(
            "BOT_STATE_FILE",
            dir.join("missing-dir/state.json").to_str().expect("utf-8"),
        )],
    );
    let run = shell(
        &unwritable,
        &["genie me as cid@example.com", "genie take ops 1h"],
    )
    .await;
    assert!(
        run.stdout.contains("for now (not saved: the store"),
        "{}",
        run.stdout
    );
}
