//! `fake-services`: the fakes of Statuspage, Opsgenie and Campfire as one program
//! (the same as `cargo run --example fake_services`; see `opsbot::fake_services`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    opsbot::fake_services::main(std::env::args().skip(1)).await
}
