//! Dispatch events → `DiscordEvent`. Each known event is parsed into serenity's concrete model
//! type; one that does not parse is reported as a MALFORMED_EVENT error event instead of
//! vanishing (serenity's own `Event` enum silently turns it into `Event::Unknown`).

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serenity::model::application::Interaction;
use serenity::model::channel::{GuildChannel, Message, Reaction};
use serenity::model::event::{MessageDeleteEvent, MessageUpdateEvent};

use crate::convert;
use crate::error::{BridgeError, ErrorCode};
use crate::events::DiscordEvent;

pub fn parse<T: DeserializeOwned>(name: &str, raw: Option<&RawValue>) -> Result<T, BridgeError> {
    let text = raw.map_or("null", RawValue::get);
    serde_json::from_str(text).map_err(|e| {
        BridgeError::new(
            ErrorCode::MalformedEvent,
            format!("Discord sent a {name} event that could not be read ({e}); it was skipped."),
        )
    })
}

/// `Ok(None)` for events the stream does not carry.
pub fn translate(name: &str, raw: Option<&RawValue>) -> Result<Option<DiscordEvent>, BridgeError> {
    Ok(Some(match name {
        "MESSAGE_CREATE" => DiscordEvent::MessageCreate { message: convert::message(&parse::<Message>(name, raw)?) },
        "MESSAGE_UPDATE" => {
            let u: MessageUpdateEvent = parse(name, raw)?;
            DiscordEvent::MessageUpdate {
                message_id: u.id.to_string(),
                channel_id: u.channel_id.to_string(),
                guild_id: u.guild_id.map(|g| g.to_string()),
                content: u.content.clone(),
                edited_timestamp: u.edited_timestamp.map(|t| t.to_string()),
                author: u.author.as_ref().map(|a| convert::user(a, None)),
            }
        }
        "MESSAGE_DELETE" => {
            let d: MessageDeleteEvent = parse(name, raw)?;
            DiscordEvent::MessageDelete {
                message_id: d.message_id.to_string(),
                channel_id: d.channel_id.to_string(),
                guild_id: d.guild_id.map(|g| g.to_string()),
            }
        }
        "MESSAGE_REACTION_ADD" => {
            let r: Reaction = parse(name, raw)?;
            DiscordEvent::ReactionAdd {
                message_id: r.message_id.to_string(),
                channel_id: r.channel_id.to_string(),
                guild_id: r.guild_id.map(|g| g.to_string()),
                user_id: r.user_id.map(|u| u.to_string()).unwrap_or_default(),
                emoji: convert::reaction_emoji(&r.emoji),
            }
        }
        "INTERACTION_CREATE" => {
            let i: Interaction = parse(name, raw)?;
            match convert::interaction(&i) {
                Some(interaction) => DiscordEvent::InteractionCreate { interaction },
                None => return Ok(None),
            }
        }
        "THREAD_CREATE" => {
            DiscordEvent::ThreadCreate { thread: convert::guild_channel(&parse::<GuildChannel>(name, raw)?) }
        }
        _ => return Ok(None),
    }))
}

/// Every frame the bundled test server sends, from its catalogue (one `node` run per test binary).
#[cfg(test)]
pub(crate) static CATALOGUE: once_cell::sync::Lazy<Vec<serde_json::Value>> = once_cell::sync::Lazy::new(|| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("node")
        .arg(root.join("__test__/discord-server/catalogue.mjs"))
        .output()
        .expect("node runs the server's payload catalogue");
    assert!(out.status.success(), "catalogue failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("catalogue prints JSON")
});

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::model::event::{Event, GatewayEvent};
    use std::collections::BTreeSet;

    /// Every payload the bundled test server sends must read as serenity's concrete model types,
    /// and never fall back to `Event::Unknown` — otherwise tests pass against a server that
    /// Discord's real clients would misread.
    #[test]
    fn server_payloads_parse_as_serenity_models() {
        let mut seen = BTreeSet::new();
        for frame in CATALOGUE.iter() {
            let text = frame.to_string();
            let event: GatewayEvent = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let GatewayEvent::Dispatch(_, event) = event else { continue };
            assert!(!matches!(event, Event::Unknown(_)), "serenity read a known event as Unknown: {text}");
            let name = frame["t"].as_str().unwrap();
            let raw = serde_json::value::to_raw_value(&frame["d"]).unwrap();
            match name {
                "READY" => drop(parse::<serenity::model::gateway::Ready>(name, Some(&raw)).unwrap()),
                "GUILD_CREATE" => drop(parse::<serenity::model::guild::Guild>(name, Some(&raw)).unwrap()),
                "RESUMED" => {}
                _ => assert!(matches!(translate(name, Some(&raw)), Ok(Some(_))), "{name} did not translate: {text}"),
            }
            seen.insert(name.to_string());
        }
        let expected = [
            "READY",
            "GUILD_CREATE",
            "MESSAGE_CREATE",
            "MESSAGE_UPDATE",
            "MESSAGE_DELETE",
            "MESSAGE_REACTION_ADD",
            "INTERACTION_CREATE",
            "THREAD_CREATE",
            "RESUMED",
        ];
        for name in expected {
            assert!(seen.contains(name), "the catalogue never produced {name}");
        }
    }
}
