//! opsbot: a small ChatOps bot in the Hubot tradition, built on the three SDK crates.
//!
//! `cargo run --example bot` with nothing configured starts the demo: a shell backed by
//! in-process fakes of Statuspage and Opsgenie with demo data. Set the environment variables
//! listed in the README to talk to the real services and to Campfire.
//!
//! The bot is one command enum and parser (`command.rs`), one dispatcher (`dispatch.rs`), the
//! configuration (`config.rs`), per-user settings (`state.rs`), and one module per adapter.

#[path = "bot/campfire.rs"]
mod campfire;
#[path = "bot/classic.rs"]
mod classic;
#[path = "bot/command.rs"]
mod command;
#[path = "bot/config.rs"]
mod config;
#[path = "bot/demo.rs"]
mod demo;
#[path = "bot/dispatch.rs"]
mod dispatch;
#[path = "bot/shell.rs"]
mod shell;
#[path = "bot/state.rs"]
mod state;

use std::process::ExitCode;
use std::sync::Arc;

use config::{Adapter, Config, Operators};
use dispatch::{Bot, Statuspage};
use state::State;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(problems) => {
            eprintln!("opsbot: the configuration has problems:");
            for problem in problems {
                eprintln!("  - {problem}");
            }
            return ExitCode::from(2);
        }
    };
    // The demo's fakes live as long as `_demo`.
    let (bot, _demo) = if config.is_demo() {
        match demo::start().await {
            Ok((demo, statuspage, opsgenie)) => {
                eprintln!("{}", demo::BANNER);
                let bot = Bot {
                    name: config.bot_name.clone(),
                    statuspage: Some(statuspage),
                    opsgenie: Some(opsgenie),
                    operators: Operators::Everyone,
                    state: State::in_memory(),
                    call_timeout: config.call_timeout,
                };
                (bot, Some(demo))
            }
            Err(problem) => {
                eprintln!("opsbot: {problem}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        match build(&config).await {
            Ok(bot) => (bot, None),
            Err(problem) => {
                eprintln!("opsbot: {problem}");
                return ExitCode::from(2);
            }
        }
    };
    let result = run_adapter(&config, Arc::new(bot)).await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("opsbot: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the bot from the configuration: real clients for what is configured.
async fn build(config: &Config) -> Result<Bot, String> {
    let statuspage = match &config.statuspage {
        Some(sp) => {
            let mut builder = statuspage_client::Client::builder(sp.api_key.0.clone())
                .timeout(config.call_timeout);
            if let Some(url) = &sp.base_url {
                builder = builder.base_url(url.clone());
            }
            if let Some(pacing) = config.statuspage_pacing {
                builder = if pacing.is_zero() {
                    builder.without_pacing()
                } else {
                    builder.pacing(pacing)
                };
            }
            let client = builder
                .build()
                .map_err(|e| format!("Statuspage client: {e}"))?;
            Some(Statuspage {
                client,
                page: sp.page_id.clone(),
            })
        }
        None => None,
    };
    let opsgenie = match &config.opsgenie {
        Some(og) => {
            let builder = match &og.jsm {
                // Jira Service Management Operations: the same calls, by configuration.
                Some(jsm) => {
                    let cloud_id = match (&jsm.cloud_id, &jsm.site) {
                        (Some(id), _) => id.clone(),
                        (None, Some(site)) => opsgenie_client::Client::jsm_cloud_id(site)
                            .await
                            .map_err(|e| format!("JSM cloud id of JSM_SITE: {e}"))?,
                        (None, None) => return Err("JSM_SITE or JSM_CLOUD_ID is required".into()),
                    };
                    opsgenie_client::Client::builder_jsm(
                        cloud_id,
                        jsm.email.0.clone(),
                        og.api_key.0.clone(),
                    )
                }
                None => {
                    let region = if og.eu {
                        opsgenie_client::Region::Eu
                    } else {
                        opsgenie_client::Region::Us
                    };
                    opsgenie_client::Client::builder(og.api_key.0.clone()).region(region)
                }
            };
            let mut builder = builder.timeout(config.call_timeout);
            if let Some(url) = &og.base_url {
                builder = builder.base_url(url.clone());
            }
            Some(
                builder
                    .build()
                    .map_err(|e| format!("Opsgenie client: {e}"))?,
            )
        }
        None => None,
    };
    let (state, warning) = State::load(&config.state_file);
    if let Some(warning) = warning {
        eprintln!("opsbot: {warning}");
    }
    Ok(Bot {
        name: config.bot_name.clone(),
        statuspage,
        opsgenie,
        operators: config.operators.clone(),
        state,
        call_timeout: config.call_timeout,
    })
}

/// Runs the configured chat adapter until it ends.
async fn run_adapter(config: &Config, bot: Arc<Bot>) -> Result<(), String> {
    match config.adapter {
        Adapter::Shell => shell::run(&bot, &config.shell_user)
            .await
            .map_err(|e| format!("shell: {e}")),
        Adapter::Campfire => {
            let cf = config
                .campfire
                .as_ref()
                .ok_or("BOT_ADAPTER=campfire needs CAMPFIRE_URL")?;
            let poster = campfire_client::once::BotClient::builder(&cf.url, &cf.bot_key.0)
                .timeout(config.call_timeout)
                .build()
                .map_err(|e| format!("Campfire bot client: {e}"))?;
            let listener = tokio::net::TcpListener::bind(cf.listen)
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", cf.listen))?;
            eprintln!(
                "opsbot: serving the Campfire webhook on http://{}/campfire/<secret>",
                cf.listen
            );
            campfire::serve(bot, poster, cf.webhook_secret.0.clone(), listener)
                .await
                .map_err(|e| e.to_string())
        }
        Adapter::CampfireClassic => {
            let cc = config
                .classic
                .as_ref()
                .ok_or("BOT_ADAPTER=campfire-classic needs CAMPFIRE_CLASSIC_URL")?;
            let mut builder = campfire_client::classic::Client::builder(&cc.url, &cc.token.0)
                .timeout(config.call_timeout);
            if let Some(stream_url) = &cc.stream_url {
                builder = builder.streaming_url(stream_url);
            }
            let client = builder
                .build()
                .map_err(|e| format!("Campfire classic client: {e}"))?;
            classic::run(bot, client, cc.rooms.clone()).await
        }
    }
}
