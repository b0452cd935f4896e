//! The root package of the workspace. It publishes nothing: it hosts the bundled
//! ChatOps bot (`examples/bot.rs`) and the end-to-end tests that drive it.
