//! Native core of omp-discord-bridge: one serenity-model gateway connection and a REST client on
//! a background tokio runtime, exposed to JavaScript as async functions and one ordered event
//! stream. Module map: `client` (the JS class) → `gateway` (websocket runner) + `rest` (HTTP with
//! rate limits) → `convert` (serenity models → JS objects in `model`/`events`).

mod client;
#[cfg_attr(test, allow(dead_code))] // used only through napi
mod clock;
mod convert;
mod emitter;
mod error;
mod events;
mod gateway;
mod logging;
mod model;
mod options;
mod outgoing;
mod redact;
mod rest;
mod webhook;

#[cfg(test)]
mod napi_test_stubs;
#[cfg(test)]
mod proptests;

pub use client::{redact, split_message, DiscordClient};
pub use error::{BridgeError, ErrorCode};
pub use outgoing::split_content;
pub use webhook::send_webhook;
