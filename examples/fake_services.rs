//! Starts the fakes of Statuspage, Opsgenie and Campfire with demo data, so that any HTTP client
//! in any language can be tested against them (see `opsbot::fake_services`).
//!
//! ```text
//! cargo run --example fake_services -- --statuspage-addr 127.0.0.1:7001 \
//!     --opsgenie-addr 127.0.0.1:7002 --campfire-addr 127.0.0.1:7003
//! ```

#[tokio::main]
async fn main() -> std::process::ExitCode {
    opsbot::fake_services::main(std::env::args().skip(1)).await
}
