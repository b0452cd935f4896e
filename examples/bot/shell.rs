//! The shell adapter: one command per input line, replies on stdout.

use std::io::IsTerminal;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::dispatch::{Bot, Speaker};

/// Reads commands from stdin until it closes. Every line is for the bot (an address such as
/// `opsbot:` or a leading `/` is accepted and stripped). A prompt is shown only on a terminal.
pub async fn run(bot: &Bot, user: &str) -> std::io::Result<()> {
    let interactive = std::io::stdin().is_terminal();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    let speaker = Speaker {
        name: user.to_owned(),
        id: None,
    };
    loop {
        if interactive {
            stdout
                .write_all(format!("{}> ", bot.name()).as_bytes())
                .await?;
            stdout.flush().await?;
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
        if line.trim().is_empty() {
            continue;
        }
        // Every line is for the bot; an address (`opsbot: ...`, `/...`) is accepted and dropped.
        let text = campfire_client::addressed_command(&line, bot.name()).unwrap_or(line);
        let reply = bot.handle(&speaker, &text).await;
        stdout.write_all(reply.as_bytes()).await?;
        stdout.write_all(b"\n").await?;
        stdout.flush().await?;
    }
    Ok(())
}
