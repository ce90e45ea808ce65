//! The gateway connection: a runner task on the addon's tokio runtime that owns the websocket,
//! heartbeats, resumes and reconnects; and the status it shares with `client.status()`.

pub(crate) mod dispatch;
mod frame;
mod runner;

use std::collections::BTreeMap;
use std::sync::RwLock;

use crate::model::{ClientStatus, GuildInfo, UserInfo};
pub use runner::{spawn, Command, GatewaySource, RunnerConfig, RunnerHandle};

#[derive(Default)]
pub struct Status {
    pub state: &'static str,
    pub user: Option<UserInfo>,
    pub application_id: Option<String>,
    pub guilds: BTreeMap<String, GuildInfo>,
    pub latency_ms: Option<f64>,
    pub session_id: Option<String>,
    pub reconnects: u32,
    pub events_received: u32,
}

#[derive(Default)]
pub struct Shared {
    status: RwLock<Status>,
}

impl Shared {
    pub fn read<T>(&self, f: impl FnOnce(&Status) -> T) -> T {
        f(&self.status.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn write<T>(&self, f: impl FnOnce(&mut Status) -> T) -> T {
        f(&mut self.status.write().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn snapshot(&self) -> ClientStatus {
        self.read(|s| ClientStatus {
            state: if s.state.is_empty() { "disconnected" } else { s.state }.to_string(),
            user: s.user.clone(),
            guilds: s.guilds.values().cloned().collect(),
            latency_ms: s.latency_ms,
            session_id: s.session_id.clone(),
            reconnects: s.reconnects,
            events_received: s.events_received,
        })
    }
}
