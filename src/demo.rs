//! The demo: in-process fakes of Statuspage and Opsgenie with demo data, so the bot runs out of
//! the box. The fakes stop when the returned guard is dropped.

use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::fake::FakeStatuspage;

use crate::dispatch::Statuspage;

/// Keeps the fakes running.
#[derive(Debug)]
pub struct Demo {
    _statuspage: FakeStatuspage,
    _opsgenie: FakeOpsgenie,
}

/// Starts the fakes and returns clients for them.
///
/// # Errors
/// A fake could not start.
pub async fn start() -> Result<(Demo, Statuspage, opsgenie_client::Client), String> {
    let statuspage = FakeStatuspage::start()
        .await
        .map_err(|e| format!("demo Statuspage: {e}"))?;
    let opsgenie = FakeOpsgenie::builder()
        .start()
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
            _statuspage: statuspage,
            _opsgenie: opsgenie,
        },
        sp,
        og,
    ))
}

/// What the demo says on stderr when it starts.
pub const BANNER: &str = "\
opsbot demo: Statuspage and Opsgenie are in-process fakes with demo data, and you are an operator.
Type `help` for the commands, Ctrl-D to quit. To use real services, set STATUSPAGE_API_KEY and
STATUSPAGE_PAGE_ID, OPSGENIE_API_KEY, and for Campfire BOT_ADAPTER with its variables
(`--help` lists them all, and the README says more).";
