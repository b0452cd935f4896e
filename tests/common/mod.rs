//! Shared helpers of the bot's end-to-end tests: start the bot (the binary cargo built for the
//! tests; no build inside a test) as a real process with a clean environment pointed at the
//! in-process fakes, and read what it says.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::fake::FakeStatuspage;
use tokio::io::AsyncWriteExt;

/// The bot's executable: the `opsbot` binary cargo built for these tests (the same program as
/// `examples/bot.rs`).
pub fn bot_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_opsbot"))
}

/// The `fake-services` binary (the same program as `examples/fake_services.rs`).
pub fn fake_services_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_fake-services"))
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsbot-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// The environment for a bot talking to these fakes, no pacing.
pub fn service_env(
    statuspage: Option<&FakeStatuspage>,
    opsgenie: Option<&FakeOpsgenie>,
) -> Vec<(String, String)> {
    let mut env = Vec::new();
    if let Some(sp) = statuspage {
        env.push(("STATUSPAGE_API_KEY".into(), sp.api_key().to_owned()));
        env.push(("STATUSPAGE_PAGE_ID".into(), sp.page_id().to_string()));
        env.push(("STATUSPAGE_BASE_URL".into(), sp.base_url()));
        env.push(("STATUSPAGE_PACING_MS".into(), "0".into()));
    }
    if let Some(og) = opsgenie {
        env.push(("OPSGENIE_API_KEY".into(), og.key().to_owned()));
        env.push((
            "OPSGENIE_BASE_URL".into(),
            og.base_url().as_str().trim_end_matches('/').to_owned(),
        ));
    }
    env
}

/// What a shell session printed.
#[derive(Debug)]
pub struct ShellRun {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

/// Runs the bot's shell adapter with `env` (and nothing else from this process's environment),
/// types `lines`, closes stdin and collects the output.
pub async fn shell(env: &[(String, String)], lines: &[&str]) -> ShellRun {
    let mut child = tokio::process::Command::new(bot_exe())
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    stdin
        .write_all(input.as_bytes())
        .await
        .expect("the bot reads stdin");
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the bot finishes within two minutes")
        .expect("the bot's output");
    ShellRun {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    }
}

/// `env` with each of `extra` set, replacing any earlier value of the same variable.
pub fn with(mut env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, v) in extra {
        env.retain(|(key, _)| key != k);
        env.push(((*k).to_owned(), (*v).to_owned()));
    }
    env
}

/// Asserts that `haystack` contains every needle, in order.
#[track_caller]
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut rest = haystack;
    for needle in needles {
        match rest.find(needle) {
            Some(at) => rest = &rest[at + needle.len()..],
            None => panic!("expected {needle:?} (in this order) in:\n{haystack}"),
        }
    }
}

/// A free loopback port (bound and released; the bot binds it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the bot as a long-running process (killed when dropped).
pub fn spawn_bot(env: &[(String, String)]) -> tokio::process::Child {
    tokio::process::Command::new(bot_exe())
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts")
}

/// Waits until something accepts connections on `port`.
pub async fn wait_for_port(port: u16) {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on port {port} after 15 s");
}

/// Polls `check` until it gives a value, for up to `limit`.
pub async fn eventually<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
