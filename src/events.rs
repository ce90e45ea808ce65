//! The one event stream JavaScript receives, discriminated on `type`.

use napi_derive::napi;

use crate::model::{ChannelInfo, InteractionInfo, MessageInfo, ReadyInfo, UserInfo};

#[napi(discriminant_case = "camelCase")]
#[derive(Clone, Debug)]
pub enum DiscordEvent {
    /// A new session was identified (first connect, or after a session could not be resumed).
    Ready {
        ready: ReadyInfo,
    },
    MessageCreate {
        message: MessageInfo,
    },
    /// Discord sends partial updates: only what changed is set.
    MessageUpdate {
        message_id: String,
        channel_id: String,
        guild_id: Option<String>,
        content: Option<String>,
        edited_timestamp: Option<String>,
        author: Option<UserInfo>,
    },
    MessageDelete {
        message_id: String,
        channel_id: String,
        guild_id: Option<String>,
    },
    ReactionAdd {
        message_id: String,
        channel_id: String,
        guild_id: Option<String>,
        user_id: String,
        /// Unicode emoji, or `name:id` for a custom one.
        emoji: String,
    },
    InteractionCreate {
        interaction: InteractionInfo,
    },
    ThreadCreate {
        thread: ChannelInfo,
    },
    /// `resumed` is set on "connected": true when the session was resumed and no event was missed,
    /// false when a new session started and callers should catch up from history.
    StateChange {
        state: String,
        reason: String,
        resumed: Option<bool>,
    },
    /// Something went wrong that did not reject a call, e.g. an event Discord sent that could not
    /// be read, or a listener that threw.
    Error {
        code: String,
        message: String,
    },
}
