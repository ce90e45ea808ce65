//! `DiscordClient`, the class JavaScript uses. Synchronous methods validate input and throw coded
//! errors; async methods run on the addon's tokio runtime and resolve or reject with coded errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use reqwest::Method;
use serde_json::{json, Value};
use serenity::http::Route;
use serenity::model::channel::{GuildChannel, Message};
use serenity::model::gateway::GatewayIntents;
use serenity::model::id::{ApplicationId, ChannelId, GuildId, InteractionId, MessageId, UserId};

use crate::emitter::Emitter;
use crate::error::{self, or_reject, BridgeError, BridgeResult, ErrorCode};
use crate::events::DiscordEvent;
use crate::gateway::{self, Command, GatewaySource, RunnerConfig, RunnerHandle, Shared};
use crate::model::*;
use crate::options::{self, ClientOptions, Token, DISCORD_BASE};
use crate::outgoing::{self, snowflake, Purpose};
use crate::redact::{self, Redactor};
use crate::rest::{Body, Rest, Ticket};
use crate::{convert, logging};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

struct Inner {
    token: Token,
    redactor: Arc<Redactor>,
    intents: GatewayIntents,
    gateway_url: Option<String>,
    rest: Arc<Rest>,
    shared: Arc<Shared>,
    emitter: Arc<Emitter>,
    runner: Mutex<Option<RunnerHandle>>,
}

impl Inner {
    fn application_id(&self) -> BridgeResult<ApplicationId> {
        let id = self.shared.read(|s| s.application_id.clone()).ok_or_else(BridgeError::not_connected)?;
        Ok(ApplicationId::new(snowflake("applicationId", &id)?))
    }

    async fn message(
        &self,
        ticket: Ticket,
        route: Route<'_>,
        method: Method,
        query: &[(&str, String)],
        body: Body,
    ) -> BridgeResult<MessageInfo> {
        let m: Message = self.rest.json(ticket, route, method, query, body).await?;
        Ok(convert::message(&m))
    }
}

fn channel_id(id: &str) -> BridgeResult<ChannelId> {
    Ok(ChannelId::new(snowflake("channelId", id)?))
}

fn message_id(id: &str) -> BridgeResult<MessageId> {
    Ok(MessageId::new(snowflake("messageId", id)?))
}

/// Percent-encodes an emoji for the reactions route ("name:id" custom emoji stay readable).
fn encode_emoji(emoji: &str) -> BridgeResult<String> {
    let emoji =
        emoji.trim().trim_start_matches('<').trim_end_matches('>').trim_start_matches("a:").trim_start_matches(':');
    if emoji.is_empty() {
        return Err(BridgeError::new(
            ErrorCode::InvalidMessage,
            "emoji is empty; pass a unicode emoji like \"👍\" or a custom one as \"name:id\".",
        ));
    }
    let mut out = String::new();
    for b in emoji.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

fn command_json(c: &CommandDefinition) -> BridgeResult<Value> {
    let valid_name = |n: &str| {
        !n.is_empty()
            && n.chars().count() <= 32
            && n.chars().all(|ch| ch.is_lowercase() || ch.is_numeric() || ch == '-' || ch == '_')
    };
    if !valid_name(&c.name) {
        return Err(BridgeError::new(
            ErrorCode::InvalidOption,
            format!("command name \"{}\" must be 1–32 lowercase letters, digits, - or _.", c.name),
        ));
    }
    if c.description.is_empty() || c.description.chars().count() > 100 {
        return Err(BridgeError::new(
            ErrorCode::InvalidOption,
            format!("command \"{}\" needs a description of 1–100 characters.", c.name),
        ));
    }
    let mut options = Vec::new();
    for o in c.options.iter().flatten() {
        if !valid_name(&o.name) || o.description.is_empty() || o.description.chars().count() > 100 {
            return Err(BridgeError::new(
                ErrorCode::InvalidOption,
                format!(
                    "option \"{}\" of /{} needs a lowercase name (1–32) and a description (1–100).",
                    o.name, c.name
                ),
            ));
        }
        let kind = match o.kind.as_deref().unwrap_or("string") {
            "string" => 3,
            "integer" => 4,
            "boolean" => 5,
            "user" => 6,
            "channel" => 7,
            "role" => 8,
            "number" => 10,
            other => {
                return Err(BridgeError::new(
                    ErrorCode::InvalidOption,
                    format!(
                        "option kind \"{other}\" is not one of string, integer, number, boolean, user, channel, role."
                    ),
                ))
            }
        };
        let mut opt = json!({ "type": kind, "name": o.name, "description": o.description, "required": o.required.unwrap_or(false) });
        if let Some(choices) = &o.choices {
            opt["choices"] = Value::Array(
                choices
                    .iter()
                    .map(|ch| {
                        let value = match kind {
                            4 => ch
                                .value
                                .parse::<i64>()
                                .map(Value::from)
                                .unwrap_or_else(|_| Value::from(ch.value.clone())),
                            10 => ch
                                .value
                                .parse::<f64>()
                                .map(Value::from)
                                .unwrap_or_else(|_| Value::from(ch.value.clone())),
                            _ => Value::from(ch.value.clone()),
                        };
                        json!({ "name": ch.name, "value": value })
                    })
                    .collect(),
            );
        }
        options.push(opt);
    }
    Ok(json!({ "type": 1, "name": c.name, "description": c.description, "options": options }))
}

#[napi]
pub struct DiscordClient {
    inner: Arc<Inner>,
}

#[napi]
impl DiscordClient {
    #[napi(constructor)]
    pub fn new(env: Env, options: ClientOptions) -> Result<Self> {
        logging::init();
        let build = || -> BridgeResult<Inner> {
            let token = Token::parse(&options.token)?;
            let intents = options::parse_intents(options.intents.as_deref())?;
            let base = match &options.api_base_url {
                Some(url) => options::parse_base_url("apiBaseUrl", url, &["http", "https"])?,
                None => DISCORD_BASE.to_string(),
            };
            let gateway_url = options
                .gateway_url
                .as_deref()
                .map(|u| options::parse_base_url("gatewayUrl", u, &["ws", "wss"]))
                .transpose()?;
            let timeout = Duration::from_millis(u64::from(options.request_timeout_ms.unwrap_or(15_000).max(1)));
            let secrets = options.secrets.clone().unwrap_or_default().into_iter().chain([token.bare().to_string()]);
            Ok(Inner {
                rest: Arc::new(Rest::new(base, Some(token.clone()), timeout)?),
                redactor: Arc::new(Redactor::from_env(secrets)),
                token,
                intents,
                gateway_url,
                shared: Arc::default(),
                emitter: Arc::default(),
                runner: Mutex::new(None),
            })
        };
        let inner = build().map_err(|e| error::throw(&env, e))?;
        Ok(Self { inner: Arc::new(inner) })
    }

    fn live(&self) -> bool {
        self.inner.runner.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|r| !r.done.is_finished())
    }

    /// Adds a listener to the event stream. Events arrive in gateway order; a listener that
    /// throws is reported in the log and does not stop the stream.
    #[napi(ts_args_type = "callback: (event: DiscordEvent) => void")]
    pub fn on_event(&self, env: Env, callback: Function<DiscordEvent, Unknown<'static>>) -> Result<()> {
        let tsfn = callback.build_threadsafe_function().callee_handled::<false>().max_queue_size::<0>().build()?;
        self.inner.emitter.add(&env, tsfn, self.live())
    }

    /// Opens the gateway and resolves after READY and the guilds' GUILD_CREATEs.
    #[napi(ts_return_type = "Promise<ReadyInfo>")]
    pub fn connect<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ReadyInfo>> {
        let mut runner = self.inner.runner.lock().unwrap_or_else(|e| e.into_inner());
        if runner.as_ref().is_some_and(|r| !r.done.is_finished()) {
            let err = BridgeError::new(ErrorCode::AlreadyConnected, "already connected; call disconnect() first.");
            return error::promise(env, async move { Err(err) });
        }
        // Started here, on the JS thread, so a second connect() right after this one is refused.
        let generation = self.inner.emitter.hold(env);
        let gateway = match &self.inner.gateway_url {
            Some(url) => GatewaySource::Url(url.clone()),
            None => GatewaySource::Discover(self.inner.rest.clone()),
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let cfg = RunnerConfig { token: self.inner.token.clone(), intents: self.inner.intents, gateway, generation };
        let handle = gateway::spawn(cfg, self.inner.shared.clone(), self.inner.emitter.clone(), tx);
        let commands = handle.commands.clone();
        *runner = Some(handle);
        drop(runner);
        error::promise(env, async move {
            match tokio::time::timeout(CONNECT_TIMEOUT, rx).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => {
                    Err(BridgeError::new(ErrorCode::DiscordUnavailable, "the gateway connection ended before READY."))
                }
                Err(_) => {
                    let _ = commands.send(Command::Disconnect);
                    Err(BridgeError::new(
                        ErrorCode::Timeout,
                        format!("no READY from Discord within {} s.", CONNECT_TIMEOUT.as_secs()),
                    ))
                }
            }
        })
    }

    /// Closes the gateway with a close frame and waits until the connection is released.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn disconnect<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
        let handle = self.inner.runner.lock().unwrap_or_else(|e| e.into_inner()).take();
        error::promise(env, async move {
            if let Some(handle) = handle {
                let _ = handle.commands.send(Command::Disconnect);
                let _ = handle.done.await;
            }
            Ok(())
        })
    }

    #[napi]
    pub fn status(&self) -> ClientStatus {
        self.inner.shared.snapshot()
    }

    #[napi(ts_return_type = "Promise<MessageInfo>")]
    pub fn send_message<'env>(
        &self,
        env: &'env Env,
        channel_id: String,
        message: OutgoingMessage,
    ) -> Result<PromiseRaw<'env, MessageInfo>> {
        let given = message.nonce.clone();
        let checked = self::channel_id(&channel_id).and_then(|c| {
            let nonce = match given {
                Some(n) if n.is_empty() || n.chars().count() > 25 => {
                    return Err(BridgeError::new(ErrorCode::InvalidMessage, "nonce needs 1 to 25 characters."))
                }
                Some(n) => n,
                None => nonce(),
            };
            Ok((c, nonce, outgoing::prepare(message, Purpose::Create, &self.inner.redactor)?))
        });
        let (channel, nonce, mut draft) = or_reject!(env, checked);
        // A nonce Discord enforces makes a retried create (after a 5xx) return the first message.
        draft.set("nonce", Value::from(nonce));
        draft.set("enforce_nonce", Value::Bool(true));
        let route = Route::ChannelMessages { channel_id: channel };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            let body = draft.into_body().await?;
            inner.message(ticket, route, Method::POST, &[], body).await
        })
    }

    #[napi(ts_return_type = "Promise<MessageInfo>")]
    pub fn edit_message<'env>(
        &self,
        env: &'env Env,
        channel_id: String,
        message_id: String,
        message: OutgoingMessage,
    ) -> Result<PromiseRaw<'env, MessageInfo>> {
        let checked = (|| {
            Ok((
                self::channel_id(&channel_id)?,
                self::message_id(&message_id)?,
                outgoing::prepare(message, Purpose::Edit, &self.inner.redactor)?,
            ))
        })();
        let (channel, msg, draft) = or_reject!(env, checked);
        let route = Route::ChannelMessage { channel_id: channel, message_id: msg };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            let body = draft.into_body().await?;
            inner.message(ticket, route, Method::PATCH, &[], body).await
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_message<'env>(
        &self,
        env: &'env Env,
        channel_id: String,
        message_id: String,
    ) -> Result<PromiseRaw<'env, ()>> {
        let checked = (|| Ok((self::channel_id(&channel_id)?, self::message_id(&message_id)?)))();
        let (channel, msg) = or_reject!(env, checked);
        let route = Route::ChannelMessage { channel_id: channel, message_id: msg };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            inner.rest.request(ticket, route, Method::DELETE, &[], Body::Empty).await?;
            Ok(())
        })
    }

    /// Recent messages, newest first (as Discord returns them).
    #[napi(ts_return_type = "Promise<MessageInfo[]>")]
    pub fn fetch_messages<'env>(
        &self,
        env: &'env Env,
        channel_id: String,
        options: Option<FetchOptions>,
    ) -> Result<PromiseRaw<'env, Vec<MessageInfo>>> {
        let checked = (|| {
            let channel = self::channel_id(&channel_id)?;
            let mut query = Vec::new();
            let limit = options.as_ref().and_then(|o| o.limit).unwrap_or(50);
            if !(1..=100).contains(&limit) {
                return Err(BridgeError::new(
                    ErrorCode::InvalidOption,
                    format!("limit {limit} is out of range; Discord returns 1 to 100 messages per call."),
                ));
            }
            query.push(("limit", limit.to_string()));
            if let Some(o) = &options {
                if o.before.is_some() && o.after.is_some() {
                    return Err(BridgeError::new(ErrorCode::InvalidOption, "give before or after, not both."));
                }
                if let Some(b) = &o.before {
                    query.push(("before", snowflake("before", b)?.to_string()));
                }
                if let Some(a) = &o.after {
                    query.push(("after", snowflake("after", a)?.to_string()));
                }
            }
            Ok((channel, query))
        })();
        let (channel, query) = or_reject!(env, checked);
        let inner = self.inner.clone();
        error::promise(env, async move {
            let route = Route::ChannelMessages { channel_id: channel };
            let messages: Vec<Message> =
                inner.rest.json(inner.rest.ticket(&route), route, Method::GET, &query, Body::Empty).await?;
            Ok(messages.iter().map(convert::message).collect())
        })
    }

    #[napi(ts_return_type = "Promise<GuildInfo[]>")]
    pub fn guilds<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Vec<GuildInfo>>> {
        let inner = self.inner.clone();
        error::promise(env, async move {
            let guilds: Vec<serenity::model::guild::GuildInfo> = inner
                .rest
                .json(inner.rest.ticket(&Route::UserMeGuilds), Route::UserMeGuilds, Method::GET, &[], Body::Empty)
                .await?;
            Ok(guilds
                .into_iter()
                .map(|g| {
                    let known = inner.shared.read(|s| s.guilds.get(&g.id.to_string()).cloned());
                    known.unwrap_or(GuildInfo {
                        id: g.id.to_string(),
                        name: g.name,
                        owner_id: None,
                        member_count: None,
                    })
                })
                .collect())
        })
    }

    /// Channels of one guild, or of every guild the bot is in.
    #[napi(ts_return_type = "Promise<ChannelInfo[]>")]
    pub fn channels<'env>(
        &self,
        env: &'env Env,
        guild_id: Option<String>,
    ) -> Result<PromiseRaw<'env, Vec<ChannelInfo>>> {
        let guild = or_reject!(env, guild_id.as_deref().map(|g| snowflake("guildId", g).map(GuildId::new)).transpose());
        let inner = self.inner.clone();
        error::promise(env, async move {
            let ids = match guild {
                Some(g) => vec![g],
                None => {
                    let guilds: Vec<serenity::model::guild::GuildInfo> = inner
                        .rest
                        .json(
                            inner.rest.ticket(&Route::UserMeGuilds),
                            Route::UserMeGuilds,
                            Method::GET,
                            &[],
                            Body::Empty,
                        )
                        .await?;
                    guilds.into_iter().map(|g| g.id).collect()
                }
            };
            let mut out = Vec::new();
            for id in ids {
                let route = Route::GuildChannels { guild_id: id };
                let channels: Vec<GuildChannel> =
                    inner.rest.json(inner.rest.ticket(&route), route, Method::GET, &[], Body::Empty).await?;
                out.extend(channels.iter().map(convert::guild_channel));
            }
            Ok(out)
        })
    }

    #[napi(ts_return_type = "Promise<ChannelInfo>")]
    pub fn create_thread<'env>(
        &self,
        env: &'env Env,
        channel_id: String,
        options: ThreadOptions,
    ) -> Result<PromiseRaw<'env, ChannelInfo>> {
        let checked = (|| {
            let channel = self::channel_id(&channel_id)?;
            let name_len = options.name.trim().chars().count();
            if name_len == 0 || name_len > 100 {
                return Err(BridgeError::new(ErrorCode::InvalidOption, "a thread name needs 1 to 100 characters."));
            }
            let archive = options.auto_archive_minutes.unwrap_or(1440);
            if ![60, 1440, 4320, 10080].contains(&archive) {
                return Err(BridgeError::new(
                    ErrorCode::InvalidOption,
                    format!("autoArchiveMinutes {archive} must be 60, 1440, 4320 or 10080."),
                ));
            }
            let message = options.message_id.as_deref().map(self::message_id).transpose()?;
            let private = options.private.unwrap_or(false);
            if private && message.is_some() {
                return Err(BridgeError::new(
                    ErrorCode::InvalidOption,
                    "a thread started from a message is public; leave out messageId for a private thread.",
                ));
            }
            if options.invitable.is_some() && !private {
                return Err(BridgeError::new(ErrorCode::InvalidOption, "invitable applies to private threads only."));
            }
            let name = self.inner.redactor.text(options.name.trim());
            let mut body = json!({ "name": name, "auto_archive_duration": archive });
            if message.is_none() {
                // Discord's default for a standalone thread is private: always say which.
                body["type"] = Value::from(if private { 12 } else { 11 });
            }
            if private {
                body["invitable"] = Value::Bool(options.invitable.unwrap_or(true));
            }
            Ok((channel, message, body))
        })();
        let (channel, message, body) = or_reject!(env, checked);
        let route = match message {
            Some(m) => Route::ChannelMessageThreads { channel_id: channel, message_id: m },
            None => Route::ChannelThreads { channel_id: channel },
        };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            let thread: GuildChannel = inner.rest.json(ticket, route, Method::POST, &[], Body::Json(body)).await?;
            Ok(convert::guild_channel(&thread))
        })
    }

    /// Adds a user to a thread (a private thread's members are the only ones who see it). Needs
    /// Send Messages in Threads; for a private thread that is not `invitable`, Manage Threads.
    /// Discord tells no one but the user, and resolves the same when they were a member already.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn add_thread_member<'env>(
        &self,
        env: &'env Env,
        thread_id: String,
        user_id: String,
    ) -> Result<PromiseRaw<'env, ()>> {
        let checked = (|| Ok((self::channel_id(&thread_id)?, UserId::new(snowflake("userId", &user_id)?))))();
        let (thread, user) = or_reject!(env, checked);
        let route = Route::ChannelThreadMember { channel_id: thread, user_id: user };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            inner.rest.request(ticket, route, Method::PUT, &[], Body::Empty).await?;
            Ok(())
        })
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn add_reaction<'env>(
        &self,
        env: &'env Env,
        channel_id: String,
        message_id: String,
        emoji: String,
    ) -> Result<PromiseRaw<'env, ()>> {
        let checked =
            (|| Ok((self::channel_id(&channel_id)?, self::message_id(&message_id)?, encode_emoji(&emoji)?)))();
        let (channel, msg, emoji) = or_reject!(env, checked);
        let ticket = self.inner.rest.ticket(&Route::ChannelMessageReactionMe {
            channel_id: channel,
            message_id: msg,
            reaction: &emoji,
        });
        let inner = self.inner.clone();
        error::promise(env, async move {
            let route = Route::ChannelMessageReactionMe { channel_id: channel, message_id: msg, reaction: &emoji };
            inner.rest.request(ticket, route, Method::PUT, &[], Body::Empty).await?;
            Ok(())
        })
    }

    /// Shows "… is typing" in the channel for about 10 seconds.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn typing<'env>(&self, env: &'env Env, channel_id: String) -> Result<PromiseRaw<'env, ()>> {
        let channel = or_reject!(env, self::channel_id(&channel_id));
        let route = Route::ChannelTyping { channel_id: channel };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            inner.rest.request(ticket, route, Method::POST, &[], Body::Empty).await?;
            Ok(())
        })
    }

    /// Replaces the bot's slash commands in one guild (instant) or globally (no guildId).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn register_commands<'env>(
        &self,
        env: &'env Env,
        commands: Vec<CommandDefinition>,
        guild_id: Option<String>,
    ) -> Result<PromiseRaw<'env, ()>> {
        let checked = (|| {
            let body = commands.iter().map(command_json).collect::<BridgeResult<Vec<_>>>()?;
            let guild = guild_id.as_deref().map(|g| snowflake("guildId", g).map(GuildId::new)).transpose()?;
            Ok((Value::Array(body), guild, self.inner.application_id()?))
        })();
        let (body, guild, app) = or_reject!(env, checked);
        let route = match guild {
            Some(g) => Route::GuildCommands { application_id: app, guild_id: g },
            None => Route::Commands { application_id: app },
        };
        let ticket = self.inner.rest.ticket(&route);
        let inner = self.inner.clone();
        error::promise(env, async move {
            inner.rest.request(ticket, route, Method::PUT, &[], Body::Json(body)).await?;
            Ok(())
        })
    }

    /// Answers a slash command or a button click; must happen within 3 s (or defer).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn respond_to_interaction<'env>(
        &self,
        env: &'env Env,
        interaction_id: String,
        interaction_token: String,
        response: InteractionResponse,
    ) -> Result<PromiseRaw<'env, ()>> {
        let checked = (|| {
            let id = InteractionId::new(snowflake("interactionId", &interaction_id)?);
            let kind = match response.kind.as_deref().unwrap_or("message") {
                "message" => 4,
                "deferred" => 5,
                "deferredUpdate" => 6,
                "update" => 7,
                other => {
                    return Err(BridgeError::new(
                        ErrorCode::InvalidOption,
                        format!("response kind \"{other}\" is not one of message, deferred, deferredUpdate, update."),
                    ))
                }
            };
            let draft = match response.message {
                Some(m) => Some(outgoing::prepare(
                    m,
                    if kind == 7 { Purpose::Edit } else { Purpose::Interaction },
                    &self.inner.redactor,
                )?),
                None if kind == 4 || kind == 7 => {
                    return Err(BridgeError::new(ErrorCode::InvalidMessage, "this response kind needs a message."))
                }
                None => None,
            };
            Ok((id, kind, draft))
        })();
        let (id, kind, draft) = or_reject!(env, checked);
        let ticket =
            self.inner.rest.ticket(&Route::InteractionResponse { interaction_id: id, token: &interaction_token });
        let inner = self.inner.clone();
        error::promise(env, async move {
            let route = Route::InteractionResponse { interaction_id: id, token: &interaction_token };
            let body = match draft {
                Some(d) => match d.into_body().await? {
                    Body::Json(data) => Body::Json(json!({ "type": kind, "data": data })),
                    Body::Multipart(data, files) => Body::Multipart(json!({ "type": kind, "data": data }), files),
                    Body::Empty => Body::Json(json!({ "type": kind })),
                },
                None => Body::Json(json!({ "type": kind })),
            };
            inner.rest.request(ticket, route, Method::POST, &[], body).await?;
            Ok(())
        })
    }

    /// Edits the first answer to an interaction (e.g. after a "deferred" response).
    #[napi(ts_return_type = "Promise<MessageInfo>")]
    pub fn edit_interaction_response<'env>(
        &self,
        env: &'env Env,
        interaction_token: String,
        message: OutgoingMessage,
    ) -> Result<PromiseRaw<'env, MessageInfo>> {
        let checked =
            (|| Ok((self.inner.application_id()?, outgoing::prepare(message, Purpose::Edit, &self.inner.redactor)?)))();
        let (app, draft) = or_reject!(env, checked);
        let ticket = self
            .inner
            .rest
            .ticket(&Route::WebhookOriginalInteractionResponse { application_id: app, token: &interaction_token });
        let inner = self.inner.clone();
        error::promise(env, async move {
            let body = draft.into_body().await?;
            let route = Route::WebhookOriginalInteractionResponse { application_id: app, token: &interaction_token };
            inner.message(ticket, route, Method::PATCH, &[], body).await
        })
    }

    /// Sends another message in answer to an interaction (up to 15 minutes after it).
    #[napi(ts_return_type = "Promise<MessageInfo>")]
    pub fn follow_up<'env>(
        &self,
        env: &'env Env,
        interaction_token: String,
        message: OutgoingMessage,
    ) -> Result<PromiseRaw<'env, MessageInfo>> {
        let checked = (|| {
            Ok((self.inner.application_id()?, outgoing::prepare(message, Purpose::Interaction, &self.inner.redactor)?))
        })();
        let (app, draft) = or_reject!(env, checked);
        let ticket =
            self.inner.rest.ticket(&Route::WebhookFollowupMessages { application_id: app, token: &interaction_token });
        let inner = self.inner.clone();
        error::promise(env, async move {
            let body = draft.into_body().await?;
            let route = Route::WebhookFollowupMessages { application_id: app, token: &interaction_token };
            inner.message(ticket, route, Method::POST, &[("wait", "true".into())], body).await
        })
    }
}

/// A message nonce unique within this process run (Discord keeps nonces for a few minutes).
fn nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_micros() as u64;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // Discord nonces are at most 25 characters.
    format!("{:x}{:04x}", t, n & 0xffff)
}

/// Text with secrets masked, as every send masks them: secret-looking environment values, common
/// key formats, and `extra` values (e.g. a token from a settings file). For callers that cut text
/// before sending it, so no secret is cut in two.
#[napi]
pub fn redact(text: String, extra: Option<Vec<String>>) -> String {
    match extra {
        Some(values) if !values.is_empty() => redact::ENV.plus(values).text(&text),
        _ => redact::ENV.text(&text),
    }
}

/// Splits text into Discord-sized messages without breaking code fences (default limit 2000).
/// Secrets are redacted first (as every send does), so none can be cut in two and slip through.
#[napi]
pub fn split_message(content: String, limit: Option<u32>) -> Vec<String> {
    outgoing::split_content(
        &redact::ENV.text(&content),
        limit.map_or(outgoing::MAX_CONTENT, |l| l as usize).min(outgoing::MAX_CONTENT),
    )
}
