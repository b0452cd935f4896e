//! opsbot: a ChatOps bot in the Hubot tradition, built on the three SDK crates.
//!
//! `cargo run --example bot` with nothing configured starts the demo: a shell backed by
//! in-process fakes of Statuspage and Opsgenie with demo data. `cargo run --example bot -- --help`
//! lists the environment variables that point it at the real services and at Campfire.
//!
//! Everything the bot does is the `opsbot` library (`src/`); this is its `main`, the same as the
//! `opsbot` binary that `deploy/` installs.

fn main() -> std::process::ExitCode {
    opsbot::main()
}
