//! The demo: in-process fakes of Statuspage and Opsgenie with demo data, so the bot runs out of
//! the box. The fakes stop when the returned guard is dropped.

use std::net::SocketAddr;

use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::fake::FakeStatuspage;

use crate::dispatch::Statuspage;

/// Keeps the fakes running.
#[derive(Debug)]
pub struct Demo {
    statuspage: FakeStatuspage,
    opsgenie: FakeOpsgenie,
}

impl Demo {
    /// Points the fakes' outgoing webhooks at the bot's listener (`http://{addr}`), so that
    /// what is done to them is announced as real services would announce it.
    ///
    /// # Errors
    /// The URL was refused.
    pub fn send_webhooks_to(&self, addr: SocketAddr, secret: &str) -> Result<(), String> {
        self.opsgenie
            .add_webhook(format!("http://{addr}/opsgenie/{secret}"))
            .map_err(|e| format!("demo Opsgenie webhook: {e}"))?;
        self.statuspage
            .add_webhook(format!("http://{addr}/statuspage/{secret}"))
            .map_err(|e| format!("demo Statuspage webhook: {e}"))
    }

    /// The demo's Statuspage fake.
    pub fn statuspage(&self) -> &FakeStatuspage {
        &self.statuspage
    }

    /// The demo's Opsgenie fake.
    pub fn opsgenie(&self) -> &FakeOpsgenie {
        &self.opsgenie
    }
}

/// A secret for the demo's webhook URLs, new in every run (the listener is on loopback).
pub fn webhook_secret() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("demo-{:016x}", hasher.finish())
}

/// Starts the fakes and returns clients for them.
///
/// # Errors
/// A fake could not start.
pub async fn start() -> Result<(Demo, Statuspage, opsgenie_client::Client), String> {
    let statuspage = FakeStatuspage::start()
        .await
        .map_err(|e| format!("demo Statuspage: {e}"))?;
    let opsgenie = FakeOpsgenie::start()
        .await
        .map_err(|e| format!("demo Opsgenie: {e}"))?;
    let sp = Statuspage {
        client: statuspage
            .client()
            .map_err(|e| format!("demo Statuspage client: {e}"))?,
        page: statuspage.page_id().to_string(),
    };
    let og = opsgenie
        .client()
        .map_err(|e| format!("demo Opsgenie client: {e}"))?;
    Ok((
        Demo {
            statuspage,
            opsgenie,
        },
        sp,
        og,
    ))
}

/// What the demo says on stderr when it starts.
pub const BANNER: &str = "\
opsbot demo: Statuspage and Opsgenie are in-process fakes with demo data, and you are an operator.
What is done to the fakes is announced here as a real pager would announce it (notifications).
Type `help` for the commands, Ctrl-D to quit. To use real services, set STATUSPAGE_API_KEY and
STATUSPAGE_PAGE_ID, OPSGENIE_API_KEY, and for Campfire BOT_ADAPTER with its variables
(`--help` lists them all, and the README says more).";
