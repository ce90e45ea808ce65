//! The runner loop: one task per connection that reads the websocket, heartbeats on its own
//! timer (so a busy JS thread never causes a reconnect), hands events to the emitter in gateway
//! order, and resumes at `resume_gateway_url` after drops, op 7, resumable op 9 and zombie
//! connections — immediately, without serenity's per-event task spawning or its 5 s op 9 pause.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serenity::model::gateway::{GatewayIntents, Ready};
use serenity::model::guild::{Guild, UnavailableGuild};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::dispatch;
use super::frame::{self, Frame, Hello};
use super::Shared;
use crate::convert;
use crate::emitter::Emitter;
use crate::error::{BridgeError, BridgeResult, ErrorCode};
use crate::events::DiscordEvent;
use crate::model::ReadyInfo;
use crate::options::{self, Token};
use crate::rest::{Body, Rest};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
const HELLO_TIMEOUT: Duration = Duration::from_secs(20);
/// How long READY may wait for the GUILD_CREATEs of the guilds it announced.
const GUILD_LOAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts to reach READY on the very first connect before connect() gives up.
const FIRST_CONNECT_ATTEMPTS: u32 = 3;
/// Failed attempts to resume before starting a new session instead.
const RESUME_ATTEMPTS: u32 = 3;

pub enum Command {
    Disconnect,
}

/// Resolves on a disconnect() call. The client object being garbage-collected (every sender
/// dropped) is not one: like a socket, a connection stays up until it is closed, so listeners keep
/// receiving events even when the caller kept no reference to the client.
async fn disconnect_requested(commands: &mut mpsc::UnboundedReceiver<Command>) {
    if commands.recv().await.is_none() {
        std::future::pending::<()>().await;
    }
}

/// Where the gateway is: given, or asked of the REST API (`GET /gateway`) with no fallback, so a
/// wrong `apiBaseUrl` fails instead of quietly connecting to discord.com.
pub enum GatewaySource {
    Url(String),
    Discover(Arc<Rest>),
}

pub struct RunnerConfig {
    pub token: Token,
    pub intents: GatewayIntents,
    pub gateway: GatewaySource,
    /// The emitter generation of this connection (see `Emitter::hold`).
    pub generation: u64,
}

pub struct RunnerHandle {
    pub commands: mpsc::UnboundedSender<Command>,
    pub done: tokio::task::JoinHandle<()>,
}

pub fn spawn(
    cfg: RunnerConfig,
    shared: Arc<Shared>,
    emitter: Arc<Emitter>,
    ready: oneshot::Sender<BridgeResult<ReadyInfo>>,
) -> RunnerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let runner = Runner {
        cfg,
        shared,
        emitter,
        commands: rx,
        ready: Some(ready),
        gateway_url: String::new(),
        session: None,
        seq: None,
        failures: 0,
        loading: None,
    };
    RunnerHandle { commands: tx, done: napi::bindgen_prelude::spawn(runner.run()) }
}

struct Session {
    id: String,
    resume_url: String,
}

struct Loading {
    pending: HashSet<String>,
    deadline: Instant,
}

enum End {
    Shutdown,
    Fatal(BridgeError),
    Reconnect { resume: bool, reason: String },
}

struct Runner {
    cfg: RunnerConfig,
    shared: Arc<Shared>,
    emitter: Arc<Emitter>,
    commands: mpsc::UnboundedReceiver<Command>,
    /// Resolves connect(); taken at the first complete READY.
    ready: Option<oneshot::Sender<BridgeResult<ReadyInfo>>>,
    gateway_url: String,
    session: Option<Session>,
    seq: Option<u64>,
    /// Consecutive attempts that did not reach READY or RESUMED.
    failures: u32,
    loading: Option<Loading>,
}

fn state_change(state: &str, reason: &str, resumed: Option<bool>) -> DiscordEvent {
    DiscordEvent::StateChange { state: state.to_string(), reason: reason.to_string(), resumed }
}

fn error_event(err: &BridgeError) -> DiscordEvent {
    DiscordEvent::Error { code: err.code.as_str().to_string(), message: err.message.clone() }
}

fn jitter_fraction() -> f64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    f64::from(nanos % 1000) / 1000.0
}

impl Runner {
    fn set_state(&self, state: &'static str, reason: &str, resumed: Option<bool>) {
        self.shared.write(|s| s.state = state);
        tracing::info!(state, reason, "gateway state");
        self.emitter.emit(state_change(state, reason, resumed));
    }

    async fn discover(&self) -> BridgeResult<String> {
        match &self.cfg.gateway {
            GatewaySource::Url(url) => Ok(url.clone()),
            GatewaySource::Discover(rest) => {
                let route = serenity::http::Route::Gateway;
                let gw: serenity::model::gateway::Gateway =
                    rest.json(rest.ticket(&route), route, reqwest::Method::GET, &[], Body::Empty).await?;
                options::parse_base_url("the gateway url Discord returned", &gw.url, &["ws", "wss"])
            }
        }
    }

    async fn run(mut self) {
        let mut reason = String::from("connect() called");
        let mut first = true;
        let final_reason = loop {
            if self.gateway_url.is_empty() {
                self.set_state("connecting", &reason, None);
                match self.discover().await {
                    Ok(url) => self.gateway_url = url,
                    Err(err) => {
                        if let Some(tx) = self.ready.take() {
                            let _ = tx.send(Err(err.clone()));
                        }
                        break err.message;
                    }
                }
            }
            let resuming = self.session.is_some();
            if !first {
                self.set_state(if resuming { "resuming" } else { "reconnecting" }, &reason, None);
            }
            let url = self.session.as_ref().map_or_else(|| self.gateway_url.clone(), |s| s.resume_url.clone());
            let end = match self.open(&url).await {
                Ok(ws) => self.connection(ws).await,
                Err(err) if first => End::Fatal(err),
                Err(err) => End::Reconnect { resume: resuming, reason: err.message },
            };
            first = false;
            match end {
                End::Shutdown => break String::from("disconnect() called"),
                End::Fatal(err) => {
                    match self.ready.take() {
                        Some(tx) => drop(tx.send(Err(err.clone()))),
                        None => self.emitter.emit(error_event(&err)),
                    }
                    break err.message;
                }
                End::Reconnect { resume, reason: why } => {
                    tracing::info!(resume, reason = %why, "gateway reconnect");
                    // A resume URL that keeps failing is given up for a new session at the gateway.
                    if !resume || self.failures >= RESUME_ATTEMPTS {
                        self.session = None;
                        self.seq = None;
                    }
                    self.shared.write(|s| s.reconnects += 1);
                    self.failures += 1;
                    if self.ready.is_some() && self.failures >= FIRST_CONNECT_ATTEMPTS {
                        let err = BridgeError::new(
                            ErrorCode::DiscordUnavailable,
                            format!("could not complete the gateway handshake: {why}"),
                        );
                        if let Some(tx) = self.ready.take() {
                            let _ = tx.send(Err(err.clone()));
                        }
                        break err.message;
                    }
                    reason = why;
                    // The first retry is immediate; repeated failures back off up to 30 s.
                    if self.failures > 1 {
                        let base =
                            Duration::from_millis(500u64 << (self.failures - 2).min(6)).min(Duration::from_secs(30));
                        let wait = base.mul_f64(1.0 + jitter_fraction() / 2.0);
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = disconnect_requested(&mut self.commands) => break String::from("disconnect() called"),
                        }
                    }
                }
            }
        };
        self.shared.write(|s| {
            s.state = "disconnected";
            s.session_id = None;
            s.latency_ms = None;
        });
        tracing::info!(reason = %final_reason, "gateway disconnected");
        self.emitter.emit_final(state_change("disconnected", &final_reason, None), self.cfg.generation);
    }

    async fn open(&self, base: &str) -> BridgeResult<Ws> {
        let unavailable = |why: String| {
            BridgeError::new(ErrorCode::DiscordUnavailable, format!("could not open the gateway at {base}: {why}"))
        };
        let mut url = reqwest::Url::parse(base).map_err(|e| unavailable(e.to_string()))?;
        url.set_query(Some("v=10&encoding=json"));
        let config = WebSocketConfig { max_message_size: None, max_frame_size: None, ..Default::default() };
        let connecting = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true);
        match tokio::time::timeout(OPEN_TIMEOUT, connecting).await {
            Ok(Ok((ws, _))) => Ok(ws),
            Ok(Err(e)) => Err(unavailable(e.to_string())),
            Err(_) => Err(unavailable(format!("no answer within {} s", OPEN_TIMEOUT.as_secs()))),
        }
    }

    async fn close(ws: &mut Ws, code: u16, reason: &str) {
        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.to_string().into() };
        let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(Some(frame))).await;
        // Wait for the server's close frame so the TCP connection ends cleanly.
        let _ =
            tokio::time::timeout(Duration::from_secs(2), async { while let Some(Ok(_)) = ws.next().await {} }).await;
    }

    async fn send(ws: &mut Ws, text: String) -> Result<(), End> {
        ws.send(Message::Text(text))
            .await
            .map_err(|e| End::Reconnect { resume: true, reason: format!("connection lost while sending: {e}") })
    }

    /// One websocket connection, from Hello to its end.
    async fn connection(&mut self, mut ws: Ws) -> End {
        let far = || Instant::now() + Duration::from_secs(86_400);
        let hello_deadline = Instant::now() + HELLO_TIMEOUT;
        let mut interval: Option<Duration> = None;
        let mut next_beat = far();
        let mut acked = true;
        let mut sent_at = Instant::now();
        loop {
            let load_deadline = self.loading.as_ref().map_or_else(far, |l| l.deadline);
            let beat_at = if interval.is_some() { next_beat } else { hello_deadline };
            tokio::select! {
                biased;
                _ = disconnect_requested(&mut self.commands) => {
                    Self::close(&mut ws, 1000, "disconnect() called").await;
                    return End::Shutdown;
                }
                _ = sleep_until(beat_at) => {
                    let Some(every) = interval else {
                        return End::Reconnect { resume: self.session.is_some(), reason: "Discord sent no Hello".into() };
                    };
                    if !acked {
                        // Zombie: the socket looks open but Discord stopped answering.
                        Self::close(&mut ws, 4000, "heartbeat not acknowledged").await;
                        return End::Reconnect { resume: true, reason: "Discord stopped acknowledging heartbeats (zombie connection)".into() };
                    }
                    if let Err(end) = Self::send(&mut ws, frame::heartbeat(self.seq)).await {
                        return end;
                    }
                    acked = false;
                    sent_at = Instant::now();
                    next_beat = sent_at + every;
                }
                _ = sleep_until(load_deadline) => self.finish_loading(),
                msg = ws.next() => {
                    let text = match msg {
                        None => return End::Reconnect { resume: true, reason: "the connection dropped".into() },
                        Some(Err(e)) => return End::Reconnect { resume: true, reason: format!("the connection failed: {e}") },
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                        Some(Ok(Message::Close(frame))) => return Self::closed(frame),
                        Some(Ok(_)) => continue,
                    };
                    let Ok(frame) = serde_json::from_str::<Frame<'_>>(&text) else {
                        self.emitter.emit(error_event(&BridgeError::new(ErrorCode::MalformedEvent, "Discord sent a gateway message that is not JSON; it was skipped.")));
                        continue;
                    };
                    match frame.op {
                        frame::OP_DISPATCH => {
                            if let Some(s) = frame.s {
                                self.seq = Some(s);
                            }
                            if let Err(end) = self.dispatch(frame.t.unwrap_or(""), frame.d) {
                                return end;
                            }
                        }
                        frame::OP_HEARTBEAT => {
                            if let Err(end) = Self::send(&mut ws, frame::heartbeat(self.seq)).await {
                                return end;
                            }
                            sent_at = Instant::now();
                        }
                        frame::OP_HEARTBEAT_ACK => {
                            acked = true;
                            let ms = sent_at.elapsed().as_secs_f64() * 1000.0;
                            self.shared.write(|s| s.latency_ms = Some(ms));
                        }
                        frame::OP_HELLO => {
                            let Ok(hello) = dispatch::parse::<Hello>("HELLO", frame.d) else {
                                return End::Reconnect { resume: self.session.is_some(), reason: "Discord sent an unreadable Hello".into() };
                            };
                            let every = Duration::from_millis(hello.heartbeat_interval.max(1));
                            interval = Some(every);
                            next_beat = Instant::now() + every.mul_f64(jitter_fraction());
                            let hello_reply = match &self.session {
                                Some(s) => frame::resume(&self.cfg.token, &s.id, self.seq),
                                None => frame::identify(&self.cfg.token, self.cfg.intents),
                            };
                            if let Err(end) = Self::send(&mut ws, hello_reply).await {
                                return end;
                            }
                        }
                        frame::OP_RECONNECT => {
                            Self::close(&mut ws, 4000, "reconnect requested").await;
                            return End::Reconnect { resume: true, reason: "Discord asked the client to reconnect (op 7)".into() };
                        }
                        frame::OP_INVALID_SESSION => {
                            let resumable = frame.d.is_some_and(|d| d.get() == "true");
                            Self::close(&mut ws, 4000, "session invalidated").await;
                            return End::Reconnect { resume: resumable, reason: format!("Discord invalidated the session (op 9, {})", if resumable { "resumable" } else { "not resumable" }) };
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn closed(frame: Option<CloseFrame<'_>>) -> End {
        let code = frame.as_ref().map_or(1005, |f| u16::from(f.code));
        let why = frame.as_ref().map(|f| f.reason.to_string()).unwrap_or_default();
        match code {
            4004 => End::Fatal(BridgeError::invalid_token()),
            4014 => End::Fatal(BridgeError::new(
                ErrorCode::DisallowedIntents,
                "Discord refused a privileged intent (close 4014): enable Message Content Intent (and any other privileged intent requested) in the Developer Portal → Bot → Privileged Gateway Intents, or leave it out of `intents`.",
            )),
            4013 => End::Fatal(BridgeError::new(ErrorCode::InvalidIntents, "Discord rejected the intents (close 4013); use the names listed in the `intents` option.")),
            4010 | 4011 | 4012 => End::Fatal(BridgeError::new(ErrorCode::DiscordUnavailable, format!("Discord refused the gateway session (close {code}: {why})."))),
            4007 | 4009 => End::Reconnect { resume: false, reason: format!("Discord ended the session (close {code}: {why})") },
            _ => End::Reconnect { resume: true, reason: format!("Discord closed the connection (close {code}{}{why})", if why.is_empty() { "" } else { ": " }) },
        }
    }

    fn dispatch(&mut self, name: &str, d: Option<&serde_json::value::RawValue>) -> Result<(), End> {
        self.shared.write(|s| s.events_received = s.events_received.wrapping_add(1));
        tracing::trace!(event = name, "dispatch");
        match name {
            "READY" => {
                let ready: Ready = dispatch::parse(name, d).map_err(End::Fatal)?;
                let user = convert::user(&ready.user, None);
                self.session =
                    Some(Session { id: ready.session_id.clone(), resume_url: ready.resume_gateway_url.clone() });
                self.failures = 0;
                self.shared.write(|s| {
                    s.user = Some(user);
                    s.application_id = Some(ready.application.id.to_string());
                    s.session_id = Some(ready.session_id.clone());
                    s.guilds.clear();
                });
                self.set_state("connected", "identified a new session", Some(false));
                let pending: HashSet<String> = ready.guilds.iter().map(|g| g.id.to_string()).collect();
                self.loading = Some(Loading { pending, deadline: Instant::now() + GUILD_LOAD_TIMEOUT });
                if self.loading.as_ref().is_some_and(|l| l.pending.is_empty()) {
                    self.finish_loading();
                }
            }
            "RESUMED" => {
                self.failures = 0;
                self.set_state("connected", "resumed the session; no event was missed", Some(true));
            }
            "GUILD_CREATE" => match dispatch::parse::<Guild>(name, d) {
                Ok(guild) => {
                    let info = convert::guild(&guild);
                    let id = info.id.clone();
                    self.shared.write(|s| s.guilds.insert(id.clone(), info));
                    if let Some(loading) = &mut self.loading {
                        loading.pending.remove(&id);
                        if loading.pending.is_empty() {
                            self.finish_loading();
                        }
                    }
                }
                Err(err) => self.emitter.emit(error_event(&err)),
            },
            "GUILD_DELETE" => {
                if let Ok(g) = dispatch::parse::<UnavailableGuild>(name, d) {
                    if !g.unavailable {
                        self.shared.write(|s| s.guilds.remove(&g.id.to_string()));
                    }
                }
            }
            _ => match dispatch::translate(name, d) {
                Ok(Some(event)) => self.emitter.emit(event),
                Ok(None) => {}
                Err(err) => self.emitter.emit(error_event(&err)),
            },
        }
        Ok(())
    }

    /// READY and its guilds are in: tell JS, and resolve connect() the first time.
    fn finish_loading(&mut self) {
        if self.loading.take().is_none() {
            return;
        }
        let info = self.shared.read(|s| ReadyInfo {
            user: s.user.clone().expect("READY sets the user"),
            session_id: s.session_id.clone().unwrap_or_default(),
            application_id: s.application_id.clone().unwrap_or_default(),
            guilds: s.guilds.values().cloned().collect(),
        });
        self.emitter.emit(DiscordEvent::Ready { ready: info.clone() });
        if let Some(tx) = self.ready.take() {
            let _ = tx.send(Ok(info));
        }
    }
}
