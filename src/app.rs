//! The program: flags, configuration, building the bot from it, running the adapter, stopping.

use std::process::ExitCode;
use std::sync::Arc;

use crate::config::{Config, LogFormat, Secret, help_text};
use crate::dispatch::{Bot, Statuspage};
use crate::health::Health;
use crate::identity::Operators;
use crate::lifecycle::Lifecycle;
use crate::store::Store;
use crate::{adapter, demo, logging};

/// Exit status for a configuration that cannot run.
const EXIT_CONFIG: u8 = 2;

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Run,
    Check,
}

/// The bot's `main`: `opsbot [--check | --help]`, configured by environment variables.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Mode::Run,
        ["--check"] => Mode::Check,
        ["--help" | "-h"] => {
            print!("{}", help_text());
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("opsbot: unknown arguments {args:?}; usage: opsbot [--check | --help]");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("opsbot: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(mode))
}

async fn run(mode: Mode) -> ExitCode {
    init_logging(mode);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(problems) => {
            for problem in &problems {
                tracing::error!("configuration: {problem}");
            }
            tracing::error!(
                "the configuration has {} problem(s); `opsbot --help` lists every variable",
                problems.len()
            );
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    if mode == Mode::Check {
        return crate::check::run(&config).await;
    }

    let mut config = config;
    if config.is_demo() {
        // The demo's fakes announce what is done to them: the bot takes their webhooks on a
        // loopback port of its own, and says its own actions too (the demo user acts through it).
        config
            .webhook_secret
            .get_or_insert_with(|| Secret(demo::webhook_secret()));
        config
            .listen
            .get_or_insert(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        config.notify_own = true;
    }
    let lifecycle = Lifecycle::new();
    lifecycle.stop_on_signals(config.shutdown_grace);
    // The demo's fakes live as long as `_demo`.
    let (bot, _demo) = if config.is_demo() {
        match demo::start().await {
            Ok((demo, statuspage, opsgenie)) => {
                eprintln!("{}", demo::BANNER);
                let bot = Bot::builder(config.bot_name.clone())
                    .statuspage(statuspage.client, statuspage.page)
                    .opsgenie(opsgenie)
                    .operators(Operators::Everyone)
                    .call_timeout(config.call_timeout)
                    .health(Arc::new(Health::new(
                        config.adapter.as_str(),
                        &["statuspage", "opsgenie"],
                    )))
                    .build();
                (bot, Some(demo))
            }
            Err(problem) => {
                tracing::error!("{problem}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        match build(&config).await {
            Ok(bot) => (bot, None),
            Err(problem) => {
                tracing::error!("{problem}");
                return ExitCode::from(EXIT_CONFIG);
            }
        }
    };
    tracing::info!(
        adapter = %config.adapter,
        name = %config.bot_name,
        services = ?config.services(),
        demo = config.is_demo(),
        "opsbot starting"
    );
    let result = adapter::run_listening(&config, Arc::new(bot), &lifecycle, |addr| {
        if let (Some(demo), Some(secret)) = (&_demo, &config.webhook_secret)
            && let Err(problem) = demo.send_webhooks_to(addr, &secret.0)
        {
            tracing::error!("{problem}");
        }
    })
    .await;
    lifecycle.stop();
    if tokio::time::timeout(config.shutdown_grace, lifecycle.drained())
        .await
        .is_err()
    {
        tracing::error!(
            in_flight = lifecycle.in_flight(),
            "work still in flight after the shutdown grace"
        );
        return ExitCode::FAILURE;
    }
    match result {
        Ok(()) => {
            tracing::info!("opsbot stopped");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            tracing::error!("{problem}");
            ExitCode::FAILURE
        }
    }
}

/// Logging before the configuration is read (so that its problems are logged): the format
/// and the adapter are peeked at directly; a bad value is reported by the configuration.
fn init_logging(mode: Mode) {
    let peek = |name: &str| std::env::var(name).unwrap_or_default().to_ascii_lowercase();
    let format = if peek("BOT_LOG_FORMAT").trim() == "json" {
        LogFormat::Json
    } else {
        LogFormat::Text
    };
    // The shell's terminal is the chat: only warnings and errors unless asked.
    let adapter = peek("BOT_ADAPTER");
    let default = if mode == Mode::Check || matches!(adapter.trim(), "" | "shell") {
        "warn"
    } else {
        "info"
    };
    logging::init(format, default);
}

/// Builds the bot from the configuration: real clients for what is configured, the store.
///
/// # Errors
/// A client cannot be built (a bad URL), or the JSM cloud id cannot be looked up.
pub async fn build(config: &Config) -> Result<Bot, String> {
    let mut bot = Bot::builder(config.bot_name.clone())
        .operators(config.operators.clone())
        .opsgenie_app_url(config.opsgenie_app_url.clone())
        .call_timeout(config.call_timeout)
        .health(Arc::new(Health::new(
            config.adapter.as_str(),
            &config.services(),
        )));
    if let Some(sp) = statuspage(config)? {
        bot = bot.statuspage(sp.client, sp.page);
    }
    if let Some(og) = opsgenie(config).await? {
        bot = bot.opsgenie(og);
    }
    let (store, problem) = Store::open_or_memory(&config.state_file);
    if let Some(problem) = problem {
        tracing::error!(
            "{problem}; running with settings in memory only, and leaving the file untouched"
        );
    }
    Ok(bot.store(store).build())
}

/// The Statuspage client, when configured.
///
/// # Errors
/// The client cannot be built.
pub fn statuspage(config: &Config) -> Result<Option<Statuspage>, String> {
    let Some(sp) = &config.statuspage else {
        return Ok(None);
    };
    let mut builder =
        statuspage_client::Client::builder(sp.api_key.0.clone()).timeout(config.call_timeout);
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
    Ok(Some(Statuspage {
        client,
        page: sp.page_id.clone(),
    }))
}

/// The Opsgenie (or JSM) client, when configured. On JSM with `JSM_SITE`, this looks the cloud
/// id up (one call).
///
/// # Errors
/// The client cannot be built, or the cloud id lookup failed.
pub async fn opsgenie(config: &Config) -> Result<Option<opsgenie_client::Client>, String> {
    let Some(og) = &config.opsgenie else {
        return Ok(None);
    };
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
    builder
        .build()
        .map(Some)
        .map_err(|e| format!("Opsgenie client: {e}"))
}

/// The current-Campfire bot client, when configured.
///
/// # Errors
/// The client cannot be built (a bad URL or bot key).
pub fn campfire(config: &Config) -> Result<Option<campfire_client::once::BotClient>, String> {
    let Some(cf) = &config.campfire else {
        return Ok(None);
    };
    campfire_client::once::BotClient::builder(&cf.url, &cf.bot_key.0)
        .timeout(config.call_timeout)
        .build()
        .map(Some)
        .map_err(|e| format!("Campfire bot client: {e}"))
}

/// The classic-Campfire client, when configured.
///
/// # Errors
/// The client cannot be built.
pub fn classic(config: &Config) -> Result<Option<campfire_client::classic::Client>, String> {
    let Some(cc) = &config.classic else {
        return Ok(None);
    };
    let mut builder = campfire_client::classic::Client::builder(&cc.url, &cc.token.0)
        .timeout(config.call_timeout);
    if let Some(stream_url) = &cc.stream_url {
        builder = builder.streaming_url(stream_url);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| format!("Campfire classic client: {e}"))
}
