//! The shell adapter: one command per input line, replies on stdout.

use std::io::IsTerminal;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::dispatch::Bot;
use crate::identity::Speaker;
use crate::lifecycle::Lifecycle;

/// Reads commands from stdin until it closes or the bot stops. Every line is for the bot (an
/// address such as `opsbot:` or a leading `/` is accepted and stripped). A prompt is shown only
/// on a terminal. A command being answered when the bot is told to stop is finished first.
///
/// # Errors
/// Reading stdin or writing stdout failed.
pub async fn run(bot: &Bot, user: &str, lifecycle: &Lifecycle) -> std::io::Result<()> {
    let interactive = std::io::stdin().is_terminal();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    let speaker = Speaker::shell(user);
    loop {
        if interactive {
            stdout
                .write_all(format!("{}> ", bot.name()).as_bytes())
                .await?;
            stdout.flush().await?;
        }
        let line = tokio::select! {
            biased;
            () = lifecycle.stopping() => break,
            line = lines.next_line() => line?,
        };
        let Some(line) = line else {
            break;
        };
        if line.trim().is_empty() {
            continue;
        }
        let _work = lifecycle.begin();
        // Every line is for the bot; an address (`opsbot: ...`, `/...`) is accepted and dropped.
        let text = campfire_client::addressed_command(&line, bot.name()).unwrap_or(line);
        let reply = bot.handle(&speaker, &text).await;
        stdout.write_all(reply.as_bytes()).await?;
        stdout.write_all(b"\n").await?;
        stdout.flush().await?;
    }
    Ok(())
}
