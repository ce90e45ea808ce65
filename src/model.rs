//! The plain objects JavaScript sees. Every snowflake is a string; timestamps are ISO-8601.

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

#[napi(object)]
#[derive(Clone, Debug)]
pub struct UserInfo {
    pub id: String,
    pub username: String,
    pub global_name: Option<String>,
    /// What Discord shows: the server nickname if known, else the global name, else the username.
    pub display_name: String,
    pub bot: bool,
    /// The user's roles in the server the event came from; empty in DMs and where Discord does not say.
    pub role_ids: Vec<String>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct AttachmentInfo {
    pub id: String,
    pub filename: String,
    pub url: String,
    pub size: u32,
    pub content_type: Option<String>,
}

#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct EmbedField {
    pub name: String,
    pub value: String,
    pub inline: Option<bool>,
}

/// An embed, both as sent and as received.
#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct Embed {
    pub title: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// RGB as a number, e.g. 0x5865F2.
    pub color: Option<u32>,
    pub fields: Option<Vec<EmbedField>>,
    pub footer: Option<String>,
    pub author: Option<String>,
    /// ISO-8601 timestamp shown at the bottom of the embed.
    pub timestamp: Option<String>,
    pub image_url: Option<String>,
    pub thumbnail_url: Option<String>,
}

#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct Button {
    /// "primary" (default), "secondary", "success", "danger" or "link".
    pub style: Option<String>,
    pub label: Option<String>,
    /// Required for every style but "link"; comes back as `customId` on the click.
    pub custom_id: Option<String>,
    /// Required for "link" buttons.
    pub url: Option<String>,
    pub emoji: Option<String>,
    pub disabled: Option<bool>,
}

#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct AllowedMentions {
    /// Any of "users", "roles", "everyone". Default: none.
    pub parse: Option<Vec<String>>,
    pub users: Option<Vec<String>>,
    pub roles: Option<Vec<String>>,
    /// Ping the author of the message replied to. Default: false.
    pub replied_user: Option<bool>,
}

#[napi(object)]
pub struct FileInput {
    /// A file on disk…
    pub path: Option<String>,
    /// …or its bytes (then `name` is required).
    pub data: Option<Buffer>,
    /// The name Discord shows; defaults to the file name of `path`.
    pub name: Option<String>,
    pub description: Option<String>,
}

#[napi(object)]
pub struct OutgoingMessage {
    pub content: Option<String>,
    pub embeds: Option<Vec<Embed>>,
    /// Rows of buttons (at most 5 rows of 5).
    pub components: Option<Vec<Vec<Button>>>,
    /// Id of a message in the same channel to reply to.
    pub reply_to: Option<String>,
    pub files: Option<Vec<FileInput>>,
    /// Default: no mentions at all, so nothing sent can ping @everyone, a role or a user.
    pub allowed_mentions: Option<AllowedMentions>,
    /// Only for `respondToInteraction` and interaction follow-ups: visible to the caller only.
    pub ephemeral: Option<bool>,
    /// Only for `editMessage`: true removes every attachment the message had.
    pub clear_attachments: Option<bool>,
    /// Only for `sendMessage`: the message's nonce (1 to 25 characters). Discord enforces it, so a
    /// create retried with the same nonce — even from another process, after a crash — returns
    /// the first message instead of posting twice. Default: a fresh one per call.
    pub nonce: Option<String>,
    /// No link previews: Discord does not fetch the URLs in `content` to show embeds for them
    /// (flag SUPPRESS_EMBEDS), so sending a link leaks nothing to its host. On `editMessage`, true
    /// hides the previews and false brings them back; unset leaves them as they are.
    pub suppress_embeds: Option<bool>,
    /// Delivered without a push or desktop notification, like Discord's `@silent` (flag
    /// SUPPRESS_NOTIFICATIONS). Not on `editMessage`.
    pub suppress_notifications: Option<bool>,
    /// Message flags as a number, for code that already has them; only those Discord accepts:
    /// SUPPRESS_EMBEDS (1 << 2) and SUPPRESS_NOTIFICATIONS (1 << 12) on a create (plus EPHEMERAL,
    /// 1 << 6, in an interaction answer), SUPPRESS_EMBEDS alone on an edit. Any other bit is
    /// refused with INVALID_MESSAGE. `suppressEmbeds`, `suppressNotifications` and `ephemeral`
    /// set or clear their bit on top of it.
    pub flags: Option<u32>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct MessageInfo {
    pub id: String,
    pub channel_id: String,
    pub guild_id: Option<String>,
    pub author: UserInfo,
    pub content: String,
    pub timestamp: String,
    pub edited_timestamp: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
    pub embeds: Vec<Embed>,
    pub mention_user_ids: Vec<String>,
    pub mentions_everyone: bool,
    /// The message this one replies to, if any.
    pub reply_to_id: Option<String>,
    pub webhook_id: Option<String>,
    /// A thread started from this message, if any.
    pub thread_id: Option<String>,
    /// Discord's message flags, e.g. SUPPRESS_EMBEDS (1 << 2), EPHEMERAL (1 << 6),
    /// SUPPRESS_NOTIFICATIONS (1 << 12); 0 when none.
    pub flags: u32,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct GuildInfo {
    pub id: String,
    pub name: String,
    pub owner_id: Option<String>,
    pub member_count: Option<u32>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct ChannelInfo {
    pub id: String,
    pub guild_id: Option<String>,
    pub name: String,
    /// "text", "dm", "voice", "category", "news", "thread", "forum", "stage", …
    pub kind: String,
    pub parent_id: Option<String>,
    pub position: Option<i32>,
    pub topic: Option<String>,
    /// Threads only: true for a private thread, which only its members (and members with Manage
    /// Threads) can see; false for a public one. Unset for other channels.
    pub private: Option<bool>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct ReadyInfo {
    pub user: UserInfo,
    pub session_id: String,
    pub application_id: String,
    pub guilds: Vec<GuildInfo>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct ClientStatus {
    /// "disconnected" | "connecting" | "connected" | "resuming" | "reconnecting"
    pub state: String,
    pub user: Option<UserInfo>,
    pub guilds: Vec<GuildInfo>,
    /// Round trip of the last heartbeat.
    pub latency_ms: Option<f64>,
    pub session_id: Option<String>,
    /// Gateway reconnects (resumed or not) since connect().
    pub reconnects: u32,
    /// Events received from the gateway since connect().
    pub events_received: u32,
}

#[napi(object)]
pub struct FetchOptions {
    /// 1–100, default 50.
    pub limit: Option<u32>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[napi(object)]
pub struct ThreadOptions {
    pub name: String,
    /// Start the thread from this message; otherwise a standalone thread (public unless `private`).
    pub message_id: Option<String>,
    /// Minutes of inactivity before Discord archives it: 60, 1440 (default), 4320 or 10080.
    pub auto_archive_minutes: Option<u32>,
    /// A private thread (type 12): only its members — the bot, and users added with
    /// `addThreadMember` or by a mention — and members with Manage Threads see it. Needs the
    /// Create Private Threads permission; cannot start from a message. Default: false (public).
    pub private: Option<bool>,
    /// Private threads only: whether members other than moderators may add others. Default: true.
    pub invitable: Option<bool>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct CommandChoice {
    pub name: String,
    pub value: String,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct CommandOptionDefinition {
    pub name: String,
    pub description: String,
    /// "string" (default), "integer", "number", "boolean", "user", "channel", "role".
    pub kind: Option<String>,
    pub required: Option<bool>,
    pub choices: Option<Vec<CommandChoice>>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct CommandDefinition {
    pub name: String,
    pub description: String,
    pub options: Option<Vec<CommandOptionDefinition>>,
}

#[napi(object)]
pub struct InteractionResponse {
    /// "message" (default), "deferred" (answer later with editInteractionResponse),
    /// "update" (edit the message a button is on), "deferredUpdate" (acknowledge a click).
    pub kind: Option<String>,
    pub message: Option<OutgoingMessage>,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct CommandOptionValue {
    pub name: String,
    #[napi(ts_type = "string | number | boolean")]
    pub value: serde_json::Value,
}

#[napi(object)]
#[derive(Clone, Debug)]
pub struct InteractionInfo {
    pub id: String,
    /// Answer with respondToInteraction within 3 s (or defer).
    pub token: String,
    pub application_id: String,
    /// "command" | "component" | "autocomplete" | "modalSubmit" | "ping"
    pub kind: String,
    pub channel_id: Option<String>,
    pub guild_id: Option<String>,
    pub user: UserInfo,
    /// Slash commands: the command's name and its options (subcommands flattened by path).
    pub command_name: Option<String>,
    pub options: Vec<CommandOptionValue>,
    /// Buttons and selects: the `customId` they were sent with, and the message they sit on.
    pub custom_id: Option<String>,
    pub values: Vec<String>,
    pub message_id: Option<String>,
}
