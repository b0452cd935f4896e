//! `--check`: the configuration is valid (checked before this runs), and each configured service
//! answers one call. Prints one line per service on stdout; exits 1 when any failed.

use std::process::ExitCode;

use crate::app;
use crate::config::Config;

/// One service's check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The service (`statuspage`, `opsgenie`, `campfire`, `campfire-classic`, `store`).
    pub service: &'static str,
    /// What it answered, or why it failed.
    pub outcome: Result<String, String>,
}

/// Calls each configured service once (and opens the store).
pub async fn services(config: &Config) -> Vec<CheckResult> {
    let mut results = Vec::new();
    let mut push = |service, outcome| results.push(CheckResult { service, outcome });
    match app::statuspage(config) {
        Ok(Some(sp)) => push(
            "statuspage",
            sp.client
                .components(&sp.page)
                .list()
                .await
                .map(|c| format!("page {} answers, {} components", sp.page, c.len()))
                .map_err(|e| e.to_string()),
        ),
        Ok(None) => {}
        Err(e) => push("statuspage", Err(e)),
    }
    match app::opsgenie(config).await {
        Ok(Some(og)) => push(
            "opsgenie",
            og.alerts()
                .count()
                .query("status:open")
                .await
                .map(|n| format!("answers, {n} open alerts"))
                .map_err(|e| e.to_string()),
        ),
        Ok(None) => {}
        Err(e) => push("opsgenie", Err(e)),
    }
    match app::campfire(config) {
        // The bot API has no call without a room; the server must answer at its URL.
        Ok(Some(poster)) => push("campfire", reachable(poster.base_url().as_str()).await),
        Ok(None) => {}
        Err(e) => push("campfire", Err(e)),
    }
    match app::classic(config) {
        Ok(Some(client)) => push(
            "campfire-classic",
            client
                .me()
                .await
                .map(|me| format!("answers, the bot is user {} ({})", me.id, me.name))
                .map_err(|e| e.to_string()),
        ),
        Ok(None) => {}
        Err(e) => push("campfire-classic", Err(e)),
    }
    if !config.is_demo() {
        push("store", store(&config.state_file));
    }
    results
}

/// Opens the store, or (so that `--check` creates nothing, whoever runs it) checks that the
/// directory it will be created in exists.
fn store(path: &std::path::Path) -> Result<String, String> {
    if path.exists() {
        return crate::store::Store::open(path)
            .map(|_| format!("{} opens", path.display()))
            .map_err(|e| e.to_string());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if dir.is_dir() {
        Ok(format!("{} will be created at start", path.display()))
    } else {
        Err(format!(
            "{} cannot be created: {} is not a directory",
            path.display(),
            dir.display()
        ))
    }
}

async fn reachable(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.without_url().to_string())?;
    match client.get(url).send().await {
        Ok(answer) => Ok(format!(
            "the server answers (HTTP {})",
            answer.status().as_u16()
        )),
        // Never the URL: it may hold a key on some set-ups.
        Err(e) => Err(format!("the server does not answer: {}", e.without_url())),
    }
}

/// Runs `--check` and prints its report.
pub async fn run(config: &Config) -> ExitCode {
    if config.is_demo() {
        println!("nothing is configured: `opsbot` would run the demo (in-process fakes)");
        return ExitCode::SUCCESS;
    }
    println!("configuration: ok (adapter {})", config.adapter);
    let results = services(config).await;
    let mut failed = 0;
    for result in &results {
        match &result.outcome {
            Ok(what) => println!("{}: ok, {what}", result.service),
            Err(why) => {
                failed += 1;
                println!("{}: FAILED, {why}", result.service);
            }
        }
    }
    if failed > 0 {
        tracing::error!(failed, "--check: some services did not answer");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
