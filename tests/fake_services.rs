//! `examples/fake_services.rs` as a real process: it prints one line per service, each of which
//! a plain client can use, and it stops when its stdin closes.

mod common;

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn prints_usable_services_and_stops_when_stdin_closes() {
    let opsgenie_port = common::free_port();
    let mut child = tokio::process::Command::new(common::fake_services_exe())
        .args(["--opsgenie-addr", &format!("127.0.0.1:{opsgenie_port}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut services = Vec::new();
    while services.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("a line within 30 s")
            .expect("readable")
            .expect("four lines");
        let fields: Vec<String> = line.split(' ').map(str::to_owned).collect();
        assert_eq!(fields.len(), 3, "`<name> <base url> <key>`: {line}");
        services.push(fields);
    }
    let names: Vec<&str> = services.iter().map(|f| f[0].as_str()).collect();
    assert_eq!(
        names,
        ["statuspage", "opsgenie", "campfire", "campfire-classic"]
    );
    assert_eq!(
        services[1][1],
        format!("http://127.0.0.1:{opsgenie_port}/"),
        "the given address is used"
    );
    let alerts_url = url::Url::parse(&services[1][1])
        .and_then(|base| base.join("v2/alerts"))
        .expect("a base URL");

    // Any HTTP client can use them: plain reqwest with the printed key.
    let http = reqwest::Client::new();
    let alerts = http
        .get(alerts_url.clone())
        .header("Authorization", format!("GenieKey {}", services[1][2]))
        .send()
        .await
        .expect("answer");
    assert_eq!(alerts.status(), 200);
    let body: serde_json::Value = alerts.json().await.expect("json");
    assert!(
        body["data"].as_array().is_some_and(|a| !a.is_empty()),
        "demo alerts: {body}"
    );
    let unauthorized = http.get(alerts_url.clone()).send().await.expect("answer");
    assert_eq!(unauthorized.status(), 401);

    drop(child.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops within 10 s of stdin closing")
        .expect("exit status");
    assert!(status.success());
}

#[tokio::test]
async fn rejects_bad_arguments() {
    let output = tokio::process::Command::new(common::fake_services_exe())
        .args(["--opsgenie-addr", "localhost"])
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an address"));
}
