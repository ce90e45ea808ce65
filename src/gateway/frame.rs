//! Gateway payloads: what we read (`Frame`) and what we send (identify, resume, heartbeat).

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use serenity::model::gateway::GatewayIntents;

use crate::options::Token;

pub const OP_DISPATCH: u8 = 0;
pub const OP_HEARTBEAT: u8 = 1;
pub const OP_RECONNECT: u8 = 7;
pub const OP_INVALID_SESSION: u8 = 9;
pub const OP_HELLO: u8 = 10;
pub const OP_HEARTBEAT_ACK: u8 = 11;

/// One gateway message; `d` stays raw until we know which serenity type it is.
#[derive(Deserialize)]
pub struct Frame<'a> {
    pub op: u8,
    #[serde(default)]
    pub s: Option<u64>,
    #[serde(default)]
    pub t: Option<&'a str>,
    #[serde(borrow, default)]
    pub d: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub struct Hello {
    pub heartbeat_interval: u64,
}

pub fn identify(token: &Token, intents: GatewayIntents) -> String {
    json!({
        "op": 2,
        "d": {
            "token": token.bare(),
            "intents": intents.bits(),
            "properties": { "os": std::env::consts::OS, "browser": "omp-discord-bridge", "device": "omp-discord-bridge" },
            "compress": false,
            "large_threshold": 50,
        }
    })
    .to_string()
}

pub fn resume(token: &Token, session_id: &str, seq: Option<u64>) -> String {
    json!({ "op": 6, "d": { "token": token.bare(), "session_id": session_id, "seq": seq } }).to_string()
}

pub fn heartbeat(seq: Option<u64>) -> String {
    json!({ "op": 1, "d": seq.map_or(Value::Null, Value::from) }).to_string()
}
