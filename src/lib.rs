//! opsbot: a ChatOps bot in the Hubot tradition on the three SDK crates, as a library.
//!
//! The program is [`main`] (run by the `opsbot` binary and by `examples/bot.rs`); everything it
//! does lives here, tested in process ([`Bot::handle`] answers a line from a [`Speaker`]):
//!
//! - [`command`]: the command set, one table that drives parsing, usage errors, permissions and
//!   `help`;
//! - [`dispatch`]: the [`Bot`], running a command against the services and wording the answer;
//! - [`identity`]: who is speaking (Campfire user ids, never display names) and who may change
//!   things;
//! - [`store`]: settings and the audit log in one SQLite file;
//! - [`config`]: the environment variables; [`check`]: `--check`;
//! - [`adapter`]: one module per chat (shell, current Campfire's webhook, classic Campfire's
//!   streams); [`listener`]: the HTTP listener with `/healthz`; [`health`]: what it reports;
//! - [`notify`]: Opsgenie/JSM and Statuspage webhooks said in the rooms; [`handover`]: on-call
//!   changes said there;
//! - [`lifecycle`]: stopping well on SIGTERM and SIGINT; [`logging`]: log lines;
//! - [`demo`]: the in-process fakes of the demo; [`fake_services`]: the `fake_services` program.

#![forbid(unsafe_code)]

pub mod adapter;
pub mod app;
pub mod check;
pub mod command;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod fake_services;
pub mod handover;
pub mod health;
pub mod identity;
pub mod lifecycle;
pub mod listener;
pub mod logging;
pub mod notify;
pub mod store;

pub use app::main;
pub use dispatch::{Bot, BotBuilder};
pub use identity::{Operators, Speaker, UserId};
pub use store::Store;
