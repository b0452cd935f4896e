//! The bot as a service, run as a real process (the `opsbot` binary cargo built for the tests):
//! `--help`, `--check`, configuration errors, `/healthz`, SIGTERM with work in flight, a stream
//! that ends for good, log lines (format, and no secret in any), two processes on one store.

mod common;

use std::process::Stdio;
use std::time::Duration;

use campfire_client::fake::FakeCampfire;
use common::{bot_exe, free_port, service_env, temp_dir, wait_for_port, with};
use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::fake::FakeStatuspage;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// Starts the bot with `env` only, every stream piped (killed when dropped).
fn start(env: &[(String, String)], args: &[&str]) -> tokio::process::Child {
    tokio::process::Command::new(bot_exe())
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts")
}

/// Runs the bot to its end with `args` and no stdin.
async fn run(env: &[(String, String)], args: &[&str]) -> std::process::Output {
    let mut child = start(env, args);
    drop(child.stdin.take());
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the bot ends within a minute")
        .expect("its output")
}

fn terminate(child: &tokio::process::Child) {
    send_signal(child, "-TERM");
}

fn send_signal(child: &tokio::process::Child, signal: &str) {
    let pid = child.id().expect("still running");
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn help_lists_every_variable_and_bad_flags_are_refused() {
    let out = run(&[], &["--help"]).await;
    assert!(out.status.success());
    let help = text(&out.stdout);
    for (name, _) in opsbot::config::VARIABLES {
        assert!(help.contains(name), "{name} missing from --help:\n{help}");
    }
    assert!(help.contains("--check"), "{help}");
    let out = run(&[], &["--frobnicate"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("usage: opsbot"),
        "{}",
        text(&out.stderr)
    );
}

/// A configured adapter with a missing variable is an error (exit 2), never a silent demo.
#[tokio::test]
async fn a_half_configured_adapter_is_an_error_not_the_demo() {
    for env in [
        vec![("BOT_ADAPTER".to_owned(), "campfire".to_owned())],
        vec![(
            "CAMPFIRE_CLASSIC_URL".to_owned(),
            "http://127.0.0.1:1".to_owned(),
        )],
        vec![("STATUSPAGE_PAGE_ID".to_owned(), "page".to_owned())],
    ] {
        let out = run(&env, &[]).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {stderr}");
        assert!(!stderr.contains("opsbot demo"), "{stderr}");
        assert!(stderr.contains("ERROR"), "{stderr}");
    }
    let out = run(&[("BOT_ADAPTER".into(), "campfire".into())], &[]).await;
    assert!(text(&out.stderr).contains("CAMPFIRE_URL"));
}

/// `--check` calls each configured service once: exit 0 when all answer, 1 naming what failed.
#[tokio::test]
async fn check_calls_each_service_and_names_the_one_that_is_down() {
    let sp = FakeStatuspage::start().await.expect("fake");
    let og = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let store = temp_dir("check").join("opsbot.db");
    let env = with(
        service_env(Some(&sp), Some(&og)),
        &[("BOT_STATE_FILE", store.to_str().expect("utf-8"))],
    );
    let out = run(&env, &["--check"]).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    common::assert_in_order(
        &stdout,
        &[
            "configuration: ok",
            "statuspage: ok",
            "opsgenie: ok",
            "store: ok",
        ],
    );
    assert!(stdout.contains("will be created at start"), "{stdout}");
    assert!(!store.exists(), "--check creates nothing");

    drop(sp); // nothing listens there any more
    let out = run(&with(env, &[("BOT_CALL_TIMEOUT_MS", "500")]), &["--check"]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("statuspage: FAILED"), "{stdout}");
    assert!(stdout.contains("opsgenie: ok"), "{stdout}");

    // A store that is not a database is a failure too.
    std::fs::write(
        &store,
        b"not a database, only text long enough to be read as its header...",
    )
    .expect("write");
    let out = run(&env_store_only(&store, &og), &["--check"]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("store: FAILED"), "{stdout}");

    // An invalid configuration is reported before any call.
    let out = run(
        &[
            ("OPSGENIE_REGION".into(), "mars".into()),
            ("OPSGENIE_API_KEY".into(), "k".into()),
        ],
        &["--check"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("OPSGENIE_REGION"));
}

fn env_store_only(store: &std::path::Path, og: &FakeOpsgenie) -> Vec<(String, String)> {
    with(
        service_env(None, Some(og)),
        &[("BOT_STATE_FILE", store.to_str().expect("utf-8"))],
    )
}

/// `/healthz` whenever the bot listens (here the shell adapter with `BOT_LISTEN`): which
/// services are configured and whether the last call to each succeeded.
#[tokio::test]
async fn healthz_reports_services_and_their_last_call() {
    let sp = FakeStatuspage::start().await.expect("fake");
    let port = free_port();
    let env = with(
        service_env(Some(&sp), None),
        &[
            ("BOT_LISTEN", &format!("127.0.0.1:{port}")),
            (
                "BOT_STATE_FILE",
                temp_dir("healthz")
                    .join("opsbot.db")
                    .to_str()
                    .expect("utf-8"),
            ),
            ("BOT_CALL_TIMEOUT_MS", "500"),
        ],
    );
    let mut bot = start(&env, &[]);
    wait_for_port(port).await;
    let health = || async {
        let answer = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .expect("answers");
        assert_eq!(answer.status(), 200);
        answer.json::<serde_json::Value>().await.expect("json")
    };
    let before = health().await;
    assert_eq!(before["status"], "ok");
    assert_eq!(before["adapter"], "shell");
    assert_eq!(before["services"]["statuspage"]["configured"], true);
    assert!(
        before["services"]["statuspage"]
            .get("last_call_ok")
            .is_none(),
        "{before}"
    );
    assert!(before["services"].get("opsgenie").is_none(), "{before}");

    let mut stdin = bot.stdin.take().expect("stdin");
    let mut stdout = tokio::io::BufReader::new(bot.stdout.take().expect("stdout")).lines();
    stdin.write_all(b"status API?\n").await.expect("write");
    let line = stdout.next_line().await.expect("read").expect("a line");
    assert_eq!(line, "API: operational");
    assert_eq!(
        health().await["services"]["statuspage"]["last_call_ok"],
        true
    );

    drop(sp);
    stdin.write_all(b"status API?\n").await.expect("write");
    let line = stdout.next_line().await.expect("read").expect("a line");
    assert!(line.starts_with("Statuspage failed"), "{line}");
    assert_eq!(
        health().await["services"]["statuspage"]["last_call_ok"],
        false
    );

    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(30), bot.wait())
        .await
        .expect("exits when stdin closes")
        .expect("status");
    assert!(status.success());
}

/// SIGTERM or SIGINT while a command is being answered: the answer is still given, nothing
/// after it is taken, and the bot exits 0.
#[tokio::test]
async fn sigterm_and_sigint_finish_the_command_in_flight_then_exit_0() {
    for signal in ["-TERM", "-INT"] {
        let sp = FakeStatuspage::start().await.expect("fake");
        sp.set_latency(Duration::from_secs(3));
        let port = free_port();
        let env = with(
            service_env(Some(&sp), None),
            &[
                ("BOT_LISTEN", &format!("127.0.0.1:{port}")),
                (
                    "BOT_STATE_FILE",
                    temp_dir(&format!("signal{signal}"))
                        .join("opsbot.db")
                        .to_str()
                        .expect("utf-8"),
                ),
            ],
        );
        let mut bot = start(&env, &[]);
        wait_for_port(port).await;
        let mut stdin = bot.stdin.take().expect("stdin");
        stdin
            .write_all(b"status API?\nstatus Website?\n")
            .await
            .expect("write");
        // The first command has reached Statuspage (which holds it for 3 s): now the signal.
        common::eventually(Duration::from_secs(30), || {
            (sp.requests_served() > 0).then_some(())
        })
        .await;
        send_signal(&bot, signal);
        let out = tokio::time::timeout(Duration::from_secs(30), bot.wait_with_output())
            .await
            .expect("exits")
            .expect("output");
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{signal}: {stdout}{}",
            text(&out.stderr)
        );
        assert_eq!(
            stdout, "API: operational\n",
            "{signal}: the command in flight is answered, the next line is not taken"
        );
        drop(stdin);
    }
}

/// A listener that cannot serve is a failure (exit 1), not a bot without its webhook.
#[tokio::test]
async fn a_listener_that_cannot_listen_exits_non_zero() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr");
    let sp = FakeStatuspage::start().await.expect("fake");
    let env = with(
        service_env(Some(&sp), None),
        &[
            ("BOT_LISTEN", &addr.to_string()),
            (
                "BOT_STATE_FILE",
                temp_dir("taken").join("opsbot.db").to_str().expect("utf-8"),
            ),
        ],
    );
    let out = run(&env, &[]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}

/// SIGTERM on the webhook adapter after a slow command was answered "working on it": the late
/// reply is still posted, new webhooks are refused, and the bot exits 0.
#[tokio::test]
async fn sigterm_posts_late_replies_before_exiting() {
    let campfire = FakeCampfire::start().await.expect("fake");
    let sp = FakeStatuspage::start().await.expect("fake");
    sp.set_latency(Duration::from_secs(4)); // two calls: 8 s, past the 5 s answer window
    let port = free_port();
    let env = with(
        service_env(Some(&sp), None),
        &[
            ("BOT_ADAPTER", "campfire"),
            ("BOT_NAME", "Opsbot"),
            ("CAMPFIRE_URL", campfire.base_url().as_str()),
            ("CAMPFIRE_BOT_KEY", campfire.bot_key()),
            ("BOT_LISTEN", &format!("127.0.0.1:{port}")),
            ("BOT_WEBHOOK_SECRET", "s3cret"),
            ("BOT_OPERATORS", "*"),
            (
                "BOT_STATE_FILE",
                temp_dir("sigterm-late")
                    .join("opsbot.db")
                    .to_str()
                    .expect("utf-8"),
            ),
        ],
    );
    let bot = start(&env, &[]);
    wait_for_port(port).await;
    campfire.set_webhook_url(Some(
        url::Url::parse(&format!("http://127.0.0.1:{port}/campfire/s3cret")).expect("url"),
    ));
    let ops = campfire.room_id("Ops").expect("room");
    let ada = campfire.user_id("Ada Example").expect("user");
    let out = campfire.say(ops, ada, "@Opsbot status").await;
    assert!(out.reply.expect("answered").plain.contains("Working on it"));
    terminate(&bot);
    // New work is not taken.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late_webhook = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/campfire/s3cret"))
        .body("{}")
        .send()
        .await;
    assert!(
        late_webhook.as_ref().map_or(true, |r| r.status() == 503),
        "{late_webhook:?}"
    );
    let out = tokio::time::timeout(Duration::from_secs(40), bot.wait_with_output())
        .await
        .expect("exits")
        .expect("output");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bot_user = campfire.bot_user_id();
    assert!(
        campfire
            .messages(ops)
            .iter()
            .any(|m| m.user == Some(bot_user) && m.plain.contains("All systems operational")),
        "the late reply was posted before the bot exited"
    );
}

/// A classic stream that ends for good (the streaming server refuses the token) exits non-zero,
/// so a supervisor restarts the bot. Names in BOT_OPERATORS are a startup warning there.
#[tokio::test]
async fn a_classic_stream_that_ends_for_good_exits_non_zero() {
    let campfire = FakeCampfire::start().await.expect("fake");
    let sp = FakeStatuspage::start().await.expect("fake");
    // A streaming server that refuses everyone.
    let refusing = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let stream_url = format!("http://{}", refusing.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = refusing.accept().await {
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    let ops = campfire.room_id("Ops").expect("room");
    let env = with(
        service_env(Some(&sp), None),
        &[
            ("BOT_ADAPTER", "campfire-classic"),
            ("CAMPFIRE_CLASSIC_URL", campfire.base_url().as_str()),
            ("CAMPFIRE_CLASSIC_TOKEN", campfire.api_token()),
            ("CAMPFIRE_CLASSIC_STREAM_URL", &stream_url),
            ("CAMPFIRE_CLASSIC_ROOMS", &ops.to_string()),
            ("BOT_OPERATORS", "Ada Example, 3"),
            (
                "BOT_STATE_FILE",
                temp_dir("classic-ends")
                    .join("opsbot.db")
                    .to_str()
                    .expect("utf-8"),
            ),
        ],
    );
    let out = run(&env, &[]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ended for good"), "{stderr}");
    assert!(
        stderr.contains("WARN") && stderr.contains("`Ada Example` is not a user id"),
        "{stderr}"
    );
    assert!(!stderr.contains("`3`"), "{stderr}");
}

/// With every log line on (trace) and real-looking keys configured, no key, token or webhook
/// secret appears in any line; JSON lines are JSON; the SDKs' own events come through.
#[tokio::test]
async fn no_secret_in_any_log_line() {
    const SP_KEY: &str = "sp_live_7c1d9e2f4a6b8c0d1e3f5a7b9c1d3e5f";
    const OG_KEY: &str = "3f9a1c2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c";
    const SECRET: &str = "whsec-Zq8Xk2Lm9Np4Rt7Vw1Yb";
    let sp = FakeStatuspage::builder()
        .key(SP_KEY)
        .rate_limit(2)
        .start()
        .await
        .expect("fake");
    let og = FakeOpsgenie::builder()
        .key(OG_KEY)
        .start()
        .await
        .expect("fake");
    let campfire = FakeCampfire::start().await.expect("fake");
    let bot_key = campfire.bot_key().to_owned();
    let token = bot_key
        .split_once('-')
        .map(|(_, t)| t.to_owned())
        .unwrap_or(bot_key.clone());
    for format in ["text", "json"] {
        let port = free_port();
        let env = with(
            service_env(Some(&sp), Some(&og)),
            &[
                ("BOT_ADAPTER", "campfire"),
                ("BOT_NAME", "Opsbot"),
                ("CAMPFIRE_URL", campfire.base_url().as_str()),
                ("CAMPFIRE_BOT_KEY", &bot_key),
                ("BOT_LISTEN", &format!("127.0.0.1:{port}")),
                ("BOT_WEBHOOK_SECRET", SECRET),
                ("BOT_OPERATORS", "*"),
                ("BOT_LOG_FORMAT", format),
                ("RUST_LOG", "trace"),
                (
                    "BOT_STATE_FILE",
                    temp_dir(&format!("secrets-{format}"))
                        .join("opsbot.db")
                        .to_str()
                        .expect("utf-8"),
                ),
            ],
        );
        let bot = start(&env, &[]);
        wait_for_port(port).await;
        campfire.set_webhook_url(Some(
            url::Url::parse(&format!("http://127.0.0.1:{port}/campfire/{SECRET}")).expect("url"),
        ));
        let ops = campfire.room_id("Ops").expect("room");
        let ada = campfire.user_id("Ada Example").expect("user");
        for line in [
            "@Opsbot status",
            "@Opsbot status API major",
            "@Opsbot genie status",
            "@Opsbot genie ack",
            "@Opsbot status API operational",
        ] {
            campfire.say(ops, ada, line).await;
        }
        let _ = reqwest::get(format!("http://127.0.0.1:{port}/campfire/wrong-guess")).await;
        terminate(&bot);
        let out = tokio::time::timeout(Duration::from_secs(60), bot.wait_with_output())
            .await
            .expect("exits")
            .expect("output");
        let logs = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(logs.lines().count() > 20, "trace logs: {logs}");
        for secret in [SP_KEY, OG_KEY, SECRET, &bot_key, &token] {
            assert!(
                !logs.contains(secret),
                "{secret} leaked ({format}):\n{logs}"
            );
        }
        // The SDKs' spans and events are there, and so are the bot's.
        assert!(logs.contains("statuspage.request"), "{logs}");
        assert!(logs.contains("opsgenie.request"), "{logs}");
        assert!(logs.contains("changing command"), "{logs}");
        if format == "json" {
            for line in text(&out.stderr).lines() {
                let value: serde_json::Value =
                    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                assert!(
                    value.get("level").is_some() && value.get("timestamp").is_some(),
                    "{line}"
                );
            }
        } else {
            assert!(logs.contains(" INFO ") && logs.contains("TRACE"), "{logs}");
        }
    }
}

/// Two bot processes on one store, each running many changing commands at once: every audit
/// line and every setting of both is kept.
#[tokio::test]
async fn two_processes_writing_one_store_lose_nothing() {
    let og = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let store = temp_dir("two-processes").join("opsbot.db");
    const EACH: usize = 40;
    let env = with(
        service_env(None, Some(&og)),
        &[
            ("BOT_OPERATORS", "*"),
            ("BOT_STATE_FILE", store.to_str().expect("utf-8")),
        ],
    );
    let lines = |user: &str| -> Vec<String> {
        (0..EACH)
            .map(|i| format!("genie me as {user}{i}@example.com"))
            .collect()
    };
    let (ann, bob) = (lines("ann"), lines("bob"));
    let ann: Vec<&str> = ann.iter().map(String::as_str).collect();
    let bob: Vec<&str> = bob.iter().map(String::as_str).collect();
    let ann_env = with(env.clone(), &[("BOT_SHELL_USER", "ann")]);
    let bob_env = with(env.clone(), &[("BOT_SHELL_USER", "bob")]);
    let (a, b) = tokio::join!(common::shell(&ann_env, &ann), common::shell(&bob_env, &bob));
    for run in [&a, &b] {
        assert!(run.success, "{run:?}");
        assert_eq!(
            run.stdout.matches("in Opsgenie.").count(),
            EACH,
            "{}",
            run.stdout
        );
        assert!(!run.stdout.contains("not saved"), "{}", run.stdout);
    }
    let saved = opsbot::Store::open(&store).expect("opens");
    assert_eq!(saved.audit_len().await.expect("readable"), 2 * EACH as u64);
    for user in ["ann", "bob"] {
        assert_eq!(
            saved
                .settings(&opsbot::UserId::Shell(user.into()))
                .await
                .opsgenie_user,
            Some(format!("{user}{}@example.com", EACH - 1))
        );
    }
}
