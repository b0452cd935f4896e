//! Saying something in a room of the configured chat, outside a reply: a late answer on
//! current Campfire, every answer on classic Campfire, and anything the bot posts on its own
//! (such as notifications) on any adapter.

use campfire_client::classic;
use campfire_client::once::BotClient;
use campfire_client::text_to_html;
use tokio::io::AsyncWriteExt;

use crate::health::Health;

/// Where the bot can post: the configured chat.
#[derive(Debug, Clone)]
pub enum Chat {
    /// The shell: printed on stdout (the room is ignored).
    Shell,
    /// Current Campfire: posted as HTML through the bot API.
    Campfire(BotClient),
    /// Classic Campfire: spoken when one line, pasted when several.
    Classic(classic::Client),
}

impl Chat {
    /// The service name `/healthz` reports posting under (`None` for the shell).
    pub fn service(&self) -> Option<&'static str> {
        match self {
            Chat::Shell => None,
            Chat::Campfire(_) => Some("campfire"),
            Chat::Classic(_) => Some("campfire-classic"),
        }
    }

    /// Posts `text` into `room`, recording the outcome in `health`.
    ///
    /// # Errors
    /// The chat refused or could not be reached (the error names no key).
    pub async fn post(&self, room: u64, text: &str, health: &Health) -> Result<(), String> {
        let outcome = match self {
            Chat::Shell => {
                let mut stdout = tokio::io::stdout();
                let line = format!("{text}\n");
                stdout
                    .write_all(line.as_bytes())
                    .await
                    .and(stdout.flush().await)
                    .map_err(|e| format!("stdout: {e}"))
            }
            Chat::Campfire(poster) => poster
                .post_html(room, &text_to_html(text))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Chat::Classic(client) => if text.contains('\n') {
                client.paste(room, text).await
            } else {
                client.speak(room, text).await
            }
            .map(|_| ())
            .map_err(|e| e.to_string()),
        };
        if let Some(service) = self.service() {
            health.record(service, outcome.is_ok());
        }
        outcome
    }
}
