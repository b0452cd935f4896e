//! The classic Campfire adapter: joins each room, follows its stream (the crate's lossless
//! stream: nothing is lost or repeated across reconnects), ignores the bot's own messages and
//! answers through speak (multi-line answers as a paste).
//!
//! The speaker is the message's user id; the name looked up for it is only shown.

use std::sync::Arc;

use campfire_client::addressed_command;
use campfire_client::classic::{Client, MessageType};
use futures_util::StreamExt;

use super::Chat;
use crate::dispatch::Bot;
use crate::identity::Speaker;
use crate::lifecycle::Lifecycle;

/// Follows every room until the bot stops (`Ok`) or a stream ends for good, such as on a
/// revoked token (`Err`, so that a supervisor restarts the bot).
///
/// # Errors
/// The bot cannot read its own user or join a room, or a room's stream ended.
pub async fn run(
    bot: Arc<Bot>,
    client: Client,
    rooms: Vec<u64>,
    lifecycle: Lifecycle,
) -> Result<(), String> {
    let me = client
        .me()
        .await
        .map_err(|e| format!("Campfire classic: cannot read /users/me: {e}"))?;
    bot.health().record("campfire-classic", true);
    let mut tasks = tokio::task::JoinSet::new();
    for room in rooms {
        client
            .join(room)
            .await
            .map_err(|e| format!("Campfire classic: cannot join room {room}: {e}"))?;
        tracing::info!(room, "following the room's stream");
        tasks.spawn(follow(
            bot.clone(),
            client.clone(),
            room,
            me.id.get(),
            lifecycle.clone(),
        ));
    }
    // The first room whose stream ends decides: stopping is fine, anything else is a failure.
    let outcome = match tasks.join_next().await {
        Some(Ok(outcome)) => outcome,
        Some(Err(err)) => Err(format!("a room's task failed: {err}")),
        None => Ok(()),
    };
    if outcome.is_err() {
        lifecycle.stop();
    }
    while tasks.join_next().await.is_some() {}
    outcome
}

async fn follow(
    bot: Arc<Bot>,
    client: Client,
    room: u64,
    my_id: u64,
    lifecycle: Lifecycle,
) -> Result<(), String> {
    let mut stream = client.stream(room);
    loop {
        let item = tokio::select! {
            biased;
            () = lifecycle.stopping() => return Ok(()),
            item = stream.next() => item,
        };
        let Some(item) = item else {
            bot.health().record("campfire-classic", false);
            return Err(format!(
                "Campfire classic: the stream of room {room} ended for good"
            ));
        };
        let message = match item {
            Ok(message) => message,
            Err(err) => {
                tracing::warn!(room, error = %err, "room stream");
                continue;
            }
        };
        let Some(user_id) = message.user_id.map(|id| id.get()) else {
            continue;
        };
        if user_id == my_id
            || !matches!(message.message_type, MessageType::Text | MessageType::Paste)
        {
            continue;
        }
        let Some(text) = message
            .body
            .as_deref()
            .and_then(|body| addressed_command(body, bot.name()))
        else {
            continue;
        };
        let work = lifecycle.begin();
        // Answer in its own task: a slow command never holds up the room's stream.
        let (bot, client) = (bot.clone(), client.clone());
        tokio::spawn(async move {
            let _work = work;
            // The name is for answers and the audit log; the id is who it is.
            let name = match client.user(user_id).await {
                Ok(user) => user.name,
                Err(_) => format!("user {user_id}"),
            };
            let speaker = Speaker::campfire_classic(user_id, name, room);
            let reply = bot.handle(&speaker, &text).await;
            if let Err(err) = Chat::Classic(client).post(room, &reply, bot.health()).await {
                tracing::error!(room, error = %err, "could not answer in the room");
            }
        });
    }
}
