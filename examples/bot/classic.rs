//! The classic Campfire adapter: joins each room, follows its stream (the crate's lossless
//! stream: nothing is lost or repeated across reconnects), ignores the bot's own messages and
//! answers through speak (multi-line answers as a paste).

use std::sync::Arc;

use campfire_client::addressed_command;
use campfire_client::classic::{Client, MessageType};
use futures_util::StreamExt;

use crate::dispatch::{Bot, Speaker};

/// Follows every room until the streams end (they end only on a permanent failure, such as a
/// revoked token).
pub async fn run(bot: Arc<Bot>, client: Client, rooms: Vec<u64>) -> Result<(), String> {
    let me = client
        .me()
        .await
        .map_err(|e| format!("Campfire classic: cannot read /users/me: {e}"))?;
    let mut tasks = Vec::new();
    for room in rooms {
        client
            .join(room)
            .await
            .map_err(|e| format!("Campfire classic: cannot join room {room}: {e}"))?;
        let (bot, client, my_id) = (bot.clone(), client.clone(), me.id);
        tasks.push(tokio::spawn(async move {
            let mut stream = client.stream(room);
            while let Some(item) = stream.next().await {
                let message = match item {
                    Ok(message) => message,
                    Err(err) => {
                        eprintln!("opsbot: room {room} stream: {err}");
                        continue;
                    }
                };
                if message.user_id.as_ref() == Some(&my_id)
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
                let speaker = match &message.user_id {
                    Some(id) => match client.user(*id).await {
                        Ok(user) => Speaker {
                            name: user.name,
                            id: Some(id.to_string()),
                        },
                        Err(_) => Speaker {
                            name: id.to_string(),
                            id: Some(id.to_string()),
                        },
                    },
                    None => continue,
                };
                // Answer in its own task: a slow command never holds up the room's stream.
                let (bot, client) = (bot.clone(), client.clone());
                tokio::spawn(async move {
                    let reply = bot.handle(&speaker, &text).await;
                    let sent = if reply.contains('\n') {
                        client.paste(room, &reply).await
                    } else {
                        client.speak(room, &reply).await
                    };
                    if let Err(err) = sent {
                        eprintln!("opsbot: could not answer in room {room}: {err}");
                    }
                });
            }
            eprintln!("opsbot: the stream of room {room} ended");
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}
