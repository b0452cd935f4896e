//! The `fake_services` program: starts the fakes of Statuspage, Opsgenie and Campfire with demo
//! data, so that any HTTP client in any language can be tested against them.
//!
//! ```text
//! cargo run --example fake_services -- --statuspage-addr 127.0.0.1:7001 \
//!     --opsgenie-addr 127.0.0.1:7002 --campfire-addr 127.0.0.1:7003
//! ```
//!
//! Each address is optional (an ephemeral loopback port by default). One line per service is
//! printed on stdout, `<name> <base url> <key>` (`statuspage`, `opsgenie`, `campfire` with the bot
//! key, `campfire-classic` with the API token; the Statuspage page id goes to stderr), then the
//! fakes serve until interrupted or until stdin closes.

use std::net::SocketAddr;
use std::process::ExitCode;

use campfire_client::fake::FakeCampfire;
use opsgenie_client::fake::FakeOpsgenie;
use statuspage_client::fake::FakeStatuspage;
use tokio::io::AsyncReadExt;

const USAGE: &str =
    "usage: fake_services [--statuspage-addr ADDR] [--opsgenie-addr ADDR] [--campfire-addr ADDR]";

#[derive(Debug, Default)]
struct Addresses {
    statuspage: Option<SocketAddr>,
    opsgenie: Option<SocketAddr>,
    campfire: Option<SocketAddr>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Addresses, String> {
    let mut addresses = Addresses::default();
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--statuspage-addr" => &mut addresses.statuspage,
            "--opsgenie-addr" => &mut addresses.opsgenie,
            "--campfire-addr" => &mut addresses.campfire,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        };
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs an address like 127.0.0.1:7001"))?;
        let addr: SocketAddr = value
            .parse()
            .map_err(|_| format!("{flag}: `{value}` is not an address like 127.0.0.1:7001"))?;
        *slot = Some(addr);
    }
    Ok(addresses)
}

/// Runs the program with these arguments (without the program name) until stdin closes or Ctrl-C.
pub async fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let addresses = match parse_args(args) {
        Ok(addresses) => addresses,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    match serve(addresses).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("fake_services: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(addresses: Addresses) -> Result<(), String> {
    let mut statuspage = FakeStatuspage::builder();
    if let Some(addr) = addresses.statuspage {
        statuspage = statuspage.addr(addr);
    }
    let statuspage = statuspage
        .start()
        .await
        .map_err(|e| format!("statuspage: {e}"))?;
    let mut opsgenie = FakeOpsgenie::builder();
    if let Some(addr) = addresses.opsgenie {
        opsgenie = opsgenie.addr(addr);
    }
    let opsgenie = opsgenie
        .start()
        .await
        .map_err(|e| format!("opsgenie: {e}"))?;
    let mut campfire = FakeCampfire::builder();
    if let Some(addr) = addresses.campfire {
        campfire = campfire.addr(addr);
    }
    let campfire = campfire
        .start()
        .await
        .map_err(|e| format!("campfire: {e}"))?;

    println!("statuspage {} {}", statuspage.base_url(), statuspage.key());
    // Printed as clients take a base URL, without the trailing `/`.
    println!(
        "opsgenie {} {}",
        opsgenie.base_url().as_str().trim_end_matches('/'),
        opsgenie.key()
    );
    println!("campfire {} {}", campfire.base_url(), campfire.bot_key());
    println!(
        "campfire-classic {} {}",
        campfire.base_url(),
        campfire.api_token()
    );
    eprintln!(
        "fake_services: the Statuspage page id is {} (public Status API at {}/api/v2/); \
         close stdin or press Ctrl-C to stop",
        statuspage.page_id(),
        statuspage.page_url()
    );

    // Serve until Ctrl-C or until stdin closes (so a parent process can stop us by closing it).
    let stdin_closed = async {
        let mut sink = [0u8; 1024];
        let mut stdin = tokio::io::stdin();
        while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = stdin_closed => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_addresses() {
        let a = parse_args(args(&["--opsgenie-addr", "127.0.0.1:7002"])).unwrap();
        assert_eq!(a.opsgenie, Some("127.0.0.1:7002".parse().unwrap()));
        assert!(a.statuspage.is_none() && a.campfire.is_none());
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse_args(args(&["--opsgenie-addr"])).is_err());
        assert!(parse_args(args(&["--opsgenie-addr", "localhost"])).is_err());
        assert!(
            parse_args(args(&["--verbose"]))
                .unwrap_err()
                .contains("unknown argument")
        );
    }
}
