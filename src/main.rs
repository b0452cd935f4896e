//! The `opsbot` binary: the ChatOps bot as a service (`opsbot --help` lists its configuration).
//! Everything it does is the `opsbot` library; `examples/bot.rs` is the same program.

fn main() -> std::process::ExitCode {
    opsbot::main()
}
