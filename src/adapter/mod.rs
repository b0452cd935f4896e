//! The chat adapters, one module each, and running the configured one (with the HTTP listener
//! when the bot listens).

pub mod campfire;
mod chat;
pub mod classic;
pub mod shell;

pub use chat::Chat;

use std::net::SocketAddr;
use std::sync::Arc;

use crate::config::{Adapter, Config};
use crate::dispatch::Bot;
use crate::handover::HandoverSettings;
use crate::lifecycle::Lifecycle;
use crate::notify::{Notifier, NotifySettings};
use crate::{app, listener, notify};

/// Runs the configured adapter (and the listener, when the bot listens) until the bot stops
/// (`Ok`) or something ends for good (`Err`: a classic stream, the listener, stdin failing).
///
/// # Errors
/// What ended, and why.
pub async fn run(config: &Config, bot: Arc<Bot>, lifecycle: &Lifecycle) -> Result<(), String> {
    run_listening(config, bot, lifecycle, |_| {}).await
}

/// [`run`], calling `listening` with the listener's address once it is bound (the demo points
/// its fakes' webhooks there).
///
/// # Errors
/// What ended, and why.
pub async fn run_listening(
    config: &Config,
    bot: Arc<Bot>,
    lifecycle: &Lifecycle,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let mut router = listener::health_routes(bot.health().clone());
    if let Some(secret) = &config.webhook_secret {
        let chat = match config.adapter {
            Adapter::Shell => Chat::Shell,
            Adapter::Campfire => Chat::Campfire(
                app::campfire(config)?.ok_or("BOT_ADAPTER=campfire needs CAMPFIRE_URL")?,
            ),
            Adapter::CampfireClassic => Chat::Classic(
                app::classic(config)?
                    .ok_or("BOT_ADAPTER=campfire-classic needs CAMPFIRE_CLASSIC_URL")?,
            ),
        };
        if config.adapter != Adapter::Shell && config.notify_rooms.is_empty() {
            // Current Campfire needs the secret for its own webhook: notifications are optional.
            tracing::info!(
                "BOT_NOTIFY_ROOMS is not set: Opsgenie and Statuspage webhooks are taken but not posted"
            );
        }
        let mut settings = NotifySettings::new(config.notify_rooms.clone(), bot.name());
        settings.own = config.notify_own;
        settings.app_url = config.opsgenie_app_url.clone();
        settings.page_id = bot.statuspage_page().map(str::to_owned);
        let notifier = Notifier::start(chat, settings, bot.health().clone(), lifecycle.clone());
        router = router.merge(notify::routes(notifier, secret.0.clone()));
    }
    if !config.notify_rooms.is_empty()
        && let Some(handover) = bot.handover()
    {
        let chat = match config.adapter {
            Adapter::Shell => Some(Chat::Shell),
            Adapter::Campfire => app::campfire(config)?.map(Chat::Campfire),
            Adapter::CampfireClassic => app::classic(config)?.map(Chat::Classic),
        };
        if let Some(chat) = chat {
            handover.spawn(
                chat,
                HandoverSettings::new(config.notify_rooms.clone()),
                bot.health().clone(),
                lifecycle.clone(),
            );
        }
    }
    if config.adapter == Adapter::Campfire {
        let cf = config
            .campfire
            .as_ref()
            .ok_or("BOT_ADAPTER=campfire needs CAMPFIRE_URL")?;
        let poster = app::campfire(config)?.ok_or("BOT_ADAPTER=campfire needs CAMPFIRE_URL")?;
        router = router.merge(campfire::routes(
            bot.clone(),
            Chat::Campfire(poster),
            cf.webhook_secret.0.clone(),
            lifecycle.clone(),
        ));
    }
    let server = match config.listen {
        Some(addr) => {
            let socket = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let addr = socket
                .local_addr()
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            tracing::info!(
                %addr,
                campfire_webhook = config.adapter == Adapter::Campfire,
                notifications = config.webhook_secret.is_some(),
                "listening (GET /healthz)"
            );
            listening(addr);
            Some(tokio::spawn(listener::serve(
                socket,
                router,
                lifecycle.clone(),
            )))
        }
        None => None,
    };
    let listening = async {
        match server {
            Some(server) => {
                let ended = server.await;
                if lifecycle.is_stopping() {
                    return Ok(());
                }
                Err(match ended {
                    Ok(Ok(())) => "the listener ended".to_owned(),
                    Ok(Err(err)) => format!("the listener failed: {err}"),
                    Err(err) => format!("the listener's task failed: {err}"),
                })
            }
            None => {
                lifecycle.stopping().await;
                Ok(())
            }
        }
    };
    let chat = async {
        match config.adapter {
            Adapter::Shell => shell::run(&bot, &config.shell_user, lifecycle)
                .await
                .map_err(|e| format!("shell: {e}")),
            // The webhook is served by the listener: run until the bot stops.
            Adapter::Campfire => {
                lifecycle.stopping().await;
                Ok(())
            }
            Adapter::CampfireClassic => {
                let client = app::classic(config)?
                    .ok_or("BOT_ADAPTER=campfire-classic needs CAMPFIRE_CLASSIC_URL")?;
                let rooms = config
                    .classic
                    .as_ref()
                    .map(|c| c.rooms.clone())
                    .unwrap_or_default();
                classic::run(bot.clone(), client, rooms, lifecycle.clone()).await
            }
        }
    };
    // Whichever ends first, the other stops too, and finishes what it is doing: the chat its
    // command in flight, the listener the requests it is serving.
    let chat = async {
        let outcome = chat.await;
        lifecycle.stop();
        outcome
    };
    let listening = async {
        let outcome = listening.await;
        lifecycle.stop();
        outcome
    };
    let (chat, listening) = tokio::join!(chat, listening);
    chat.and(listening)
}
