//! The ordered event stream to JavaScript. Each listener is a thread-safe function with an
//! unbounded queue: the gateway thread never waits for JS, and events wait, in order, until the
//! JS thread is free. While connected the listeners keep the process alive; after the final
//! "disconnected" event has been delivered they let it exit.
//!
//! napi-rs marks `refer`/`unref` deprecated in favour of cloning, but cloning cannot express
//! "stop holding the event loop while idle"; these are Node-API's own ref/unref calls.
#![allow(deprecated)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};

use crate::events::DiscordEvent;

pub type EventFn = ThreadsafeFunction<DiscordEvent, Unknown<'static>, DiscordEvent, Status, false, false, 0>;

#[derive(Default)]
pub struct Emitter {
    listeners: Mutex<Vec<Arc<Mutex<EventFn>>>>,
    /// Bumped by every connect(); a final event only releases the process for its own connection.
    generation: AtomicU64,
}

impl Emitter {
    /// Adds a listener (JS thread). It holds the process only while a connection is live.
    pub fn add(&self, env: &Env, mut f: EventFn, live: bool) -> Result<()> {
        if !live {
            f.unref(env)?;
        }
        self.listeners.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::new(Mutex::new(f)));
        Ok(())
    }

    /// A connection starts (JS thread): listeners hold the process again.
    pub fn hold(&self, env: &Env) -> u64 {
        for l in self.listeners.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = l.lock().unwrap_or_else(|e| e.into_inner()).refer(env);
        }
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn emit(self: &Arc<Self>, event: DiscordEvent) {
        self.deliver(event, None);
    }

    /// Delivers the connection's last event, then lets the process exit if no newer connection
    /// started meanwhile.
    pub fn emit_final(self: &Arc<Self>, event: DiscordEvent, generation: u64) {
        self.deliver(event, Some(generation));
    }

    fn deliver(self: &Arc<Self>, event: DiscordEvent, release: Option<u64>) {
        let listeners = self.listeners.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for listener in listeners {
            let me = self.clone();
            let this = listener.clone();
            let f = listener.lock().unwrap_or_else(|e| e.into_inner());
            f.call_with_return_value(event.clone(), ThreadsafeFunctionCallMode::NonBlocking, move |result, env| {
                if let Err(err) = result {
                    // A throwing listener must not take the connection (or OMP) down with it.
                    tracing::warn!(error = %err.reason, "an onEvent listener threw; the event stream goes on");
                }
                if release.is_some_and(|g| g == me.generation.load(Ordering::SeqCst)) {
                    let _ = this.lock().unwrap_or_else(|e| e.into_inner()).unref(&env);
                }
                Ok(())
            });
        }
    }
}
