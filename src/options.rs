//! What `new DiscordClient({...})` accepts, validated up front with errors that say the fix.

use napi_derive::napi;
use serenity::model::gateway::GatewayIntents;

use crate::error::{BridgeError, BridgeResult, ErrorCode};

pub const DISCORD_BASE: &str = "https://discord.com";

#[napi(object)]
pub struct ClientOptions {
    pub token: String,
    /// Gateway intents by name, e.g. ["Guilds", "GuildMessages", "MessageContent"].
    /// Default: Guilds, GuildMessages, MessageContent, DirectMessages, GuildMessageReactions,
    /// DirectMessageReactions.
    pub intents: Option<Vec<String>>,
    /// Default "https://discord.com"; REST is `${apiBaseUrl}/api/v10/...`.
    pub api_base_url: Option<String>,
    /// Default: the url from `GET /gateway` on apiBaseUrl.
    pub gateway_url: Option<String>,
    /// Per-request REST timeout, default 15000.
    pub request_timeout_ms: Option<u32>,
    /// More values to keep out of Discord, besides the token, secret-looking environment variables
    /// and common key formats (which are always redacted from what is sent).
    pub secrets: Option<Vec<String>>,
}

/// The bot token. Never printed: `Debug` and `Display` show a placeholder.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn parse(raw: &str) -> BridgeResult<Self> {
        let trimmed = raw.trim();
        let bare = trimmed.strip_prefix("Bot ").unwrap_or(trimmed).trim();
        if bare.is_empty() {
            return Err(BridgeError::new(
                ErrorCode::InvalidOption,
                "token is empty: set DISCORD_TOKEN to your bot's token (Developer Portal → Bot → Reset Token).",
            ));
        }
        if bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(BridgeError::new(
                ErrorCode::InvalidOption,
                "token contains whitespace: copy the bot token again without spaces or line breaks.",
            ));
        }
        Ok(Self(bare.to_string()))
    }

    /// The bare token, for the gateway's IDENTIFY.
    pub fn bare(&self) -> &str {
        &self.0
    }

    /// The value of the REST `Authorization` header.
    pub fn header(&self) -> String {
        format!("Bot {}", self.0)
    }

    /// Removes the token from text that might have picked it up (e.g. a server's error body).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 8 {
            text.to_string()
        } else {
            text.replace(&self.0, "[token]")
        }
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([redacted])")
    }
}

pub fn default_intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::GUILD_MESSAGE_REACTIONS
        | GatewayIntents::DIRECT_MESSAGE_REACTIONS
}

const INTENT_NAMES: &[(&str, GatewayIntents)] = &[
    ("Guilds", GatewayIntents::GUILDS),
    ("GuildMembers", GatewayIntents::GUILD_MEMBERS),
    ("GuildModeration", GatewayIntents::GUILD_MODERATION),
    ("GuildEmojisAndStickers", GatewayIntents::GUILD_EMOJIS_AND_STICKERS),
    ("GuildIntegrations", GatewayIntents::GUILD_INTEGRATIONS),
    ("GuildWebhooks", GatewayIntents::GUILD_WEBHOOKS),
    ("GuildInvites", GatewayIntents::GUILD_INVITES),
    ("GuildVoiceStates", GatewayIntents::GUILD_VOICE_STATES),
    ("GuildPresences", GatewayIntents::GUILD_PRESENCES),
    ("GuildMessages", GatewayIntents::GUILD_MESSAGES),
    ("GuildMessageReactions", GatewayIntents::GUILD_MESSAGE_REACTIONS),
    ("GuildMessageTyping", GatewayIntents::GUILD_MESSAGE_TYPING),
    ("DirectMessages", GatewayIntents::DIRECT_MESSAGES),
    ("DirectMessageReactions", GatewayIntents::DIRECT_MESSAGE_REACTIONS),
    ("DirectMessageTyping", GatewayIntents::DIRECT_MESSAGE_TYPING),
    ("MessageContent", GatewayIntents::MESSAGE_CONTENT),
    ("GuildScheduledEvents", GatewayIntents::GUILD_SCHEDULED_EVENTS),
    ("AutoModerationConfiguration", GatewayIntents::AUTO_MODERATION_CONFIGURATION),
    ("AutoModerationExecution", GatewayIntents::AUTO_MODERATION_EXECUTION),
    ("GuildMessagePolls", GatewayIntents::GUILD_MESSAGE_POLLS),
    ("DirectMessagePolls", GatewayIntents::DIRECT_MESSAGE_POLLS),
];

pub fn parse_intents(names: Option<&[String]>) -> BridgeResult<GatewayIntents> {
    let Some(names) = names else { return Ok(default_intents()) };
    let mut intents = GatewayIntents::empty();
    for name in names {
        let found = INTENT_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        match found {
            Some((_, bits)) => intents |= *bits,
            None => {
                let known: Vec<&str> = INTENT_NAMES.iter().map(|(n, _)| *n).collect();
                return Err(BridgeError::new(
                    ErrorCode::InvalidOption,
                    format!("unknown intent \"{name}\"; use one of: {}", known.join(", ")),
                ));
            }
        }
    }
    Ok(intents)
}

/// Checks a base URL (`http(s)://host[:port]`, no path) and returns it without a trailing slash.
pub fn parse_base_url(what: &str, raw: &str, schemes: &[&str]) -> BridgeResult<String> {
    let bad = |why: &str| {
        BridgeError::new(
            ErrorCode::InvalidOption,
            format!("{what} \"{raw}\" {why}; expected e.g. \"{}://127.0.0.1:8080\"", schemes[0]),
        )
    };
    let url = reqwest::Url::parse(raw).map_err(|_| bad("is not a URL"))?;
    if !schemes.contains(&url.scheme()) {
        return Err(bad(&format!("must start with {}://", schemes.join(":// or "))));
    }
    if url.host_str().is_none() {
        return Err(bad("has no host"));
    }
    if url.query().is_some() || !(url.path() == "/" || url.path().is_empty()) {
        return Err(bad("must not have a path or query"));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_never_printed() {
        let t = Token::parse("Bot abc.def.ghi-secret").unwrap();
        assert_eq!(format!("{t:?}"), "Token([redacted])");
        assert_eq!(t.header(), "Bot abc.def.ghi-secret");
        assert_eq!(t.redact("x abc.def.ghi-secret y"), "x [token] y");
    }

    #[test]
    fn empty_token_names_the_fix() {
        let e = Token::parse("  ").unwrap_err();
        assert!(e.message.contains("DISCORD_TOKEN"));
    }

    #[test]
    fn intents_by_name_and_unknown_rejected() {
        let i = parse_intents(Some(&["Guilds".into(), "messagecontent".into()])).unwrap();
        assert_eq!(i, GatewayIntents::GUILDS | GatewayIntents::MESSAGE_CONTENT);
        let e = parse_intents(Some(&["Gilds".into()])).unwrap_err();
        assert!(e.message.contains("Gilds") && e.message.contains("Guilds"));
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            parse_base_url("apiBaseUrl", "http://127.0.0.1:9/", &["http", "https"]).unwrap(),
            "http://127.0.0.1:9"
        );
        assert!(parse_base_url("apiBaseUrl", "127.0.0.1:9", &["http", "https"]).is_err());
        assert!(parse_base_url("apiBaseUrl", "http://h/api/v10", &["http", "https"]).is_err());
        assert!(parse_base_url("gatewayUrl", "http://h", &["ws", "wss"]).is_err());
    }
}
