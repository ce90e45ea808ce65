//! serenity's model types (what Discord sends, parsed strictly) → the plain objects in `model`.

use serenity::model::application::{
    CommandDataOption, CommandDataOptionValue, ComponentInteractionDataKind, Interaction,
};
use serenity::model::channel::{ChannelType, GuildChannel, Message, ReactionType};
use serenity::model::guild::{Guild, PartialMember};
use serenity::model::user::User;

use crate::model::{
    AttachmentInfo, ChannelInfo, CommandOptionValue, Embed, EmbedField, GuildInfo, InteractionInfo, MessageInfo,
    UserInfo,
};

pub fn user(user: &User, member: Option<&PartialMember>) -> UserInfo {
    let nick = member.and_then(|m| m.nick.clone());
    UserInfo {
        id: user.id.to_string(),
        username: user.name.clone(),
        global_name: user.global_name.clone(),
        display_name: nick.or_else(|| user.global_name.clone()).unwrap_or_else(|| user.name.clone()),
        bot: user.bot,
        role_ids: member.map(|m| m.roles.iter().map(|r| r.to_string()).collect()).unwrap_or_default(),
    }
}

pub fn embed(e: &serenity::model::channel::Embed) -> Embed {
    Embed {
        title: e.title.clone(),
        description: e.description.clone(),
        url: e.url.clone(),
        color: e.colour.map(|c| c.0),
        fields: (!e.fields.is_empty()).then(|| {
            e.fields
                .iter()
                .map(|f| EmbedField { name: f.name.clone(), value: f.value.clone(), inline: Some(f.inline) })
                .collect()
        }),
        footer: e.footer.as_ref().map(|f| f.text.clone()),
        author: e.author.as_ref().map(|a| a.name.clone()),
        timestamp: e.timestamp.map(|t| t.to_string()),
        image_url: e.image.as_ref().map(|i| i.url.clone()),
        thumbnail_url: e.thumbnail.as_ref().map(|i| i.url.clone()),
    }
}

pub fn message(m: &Message) -> MessageInfo {
    MessageInfo {
        id: m.id.to_string(),
        channel_id: m.channel_id.to_string(),
        guild_id: m.guild_id.map(|g| g.to_string()),
        author: user(&m.author, m.member.as_deref()),
        content: m.content.clone(),
        timestamp: m.timestamp.to_string(),
        edited_timestamp: m.edited_timestamp.map(|t| t.to_string()),
        attachments: m
            .attachments
            .iter()
            .map(|a| AttachmentInfo {
                id: a.id.to_string(),
                filename: a.filename.clone(),
                url: a.url.clone(),
                size: a.size,
                content_type: a.content_type.clone(),
            })
            .collect(),
        embeds: m.embeds.iter().map(embed).collect(),
        mention_user_ids: m.mentions.iter().map(|u| u.id.to_string()).collect(),
        mentions_everyone: m.mention_everyone,
        reply_to_id: m.message_reference.as_ref().and_then(|r| r.message_id).map(|id| id.to_string()),
        webhook_id: m.webhook_id.map(|w| w.to_string()),
        thread_id: m.thread.as_ref().map(|t| t.id.to_string()),
        // The flags Discord defines today all fit in 32 bits; unknown high bits are dropped.
        flags: m.flags.map_or(0, |f| (f.bits() & u64::from(u32::MAX)) as u32),
    }
}

pub fn channel_kind(kind: ChannelType) -> &'static str {
    match kind {
        ChannelType::Text => "text",
        ChannelType::Private => "dm",
        ChannelType::Voice => "voice",
        ChannelType::GroupDm => "groupDm",
        ChannelType::Category => "category",
        ChannelType::News => "news",
        ChannelType::NewsThread | ChannelType::PublicThread | ChannelType::PrivateThread => "thread",
        ChannelType::Stage => "stage",
        ChannelType::Directory => "directory",
        ChannelType::Forum => "forum",
        _ => "unknown",
    }
}

pub fn guild_channel(c: &GuildChannel) -> ChannelInfo {
    ChannelInfo {
        id: c.id.to_string(),
        guild_id: Some(c.guild_id.to_string()),
        name: c.name.clone(),
        kind: channel_kind(c.kind).to_string(),
        parent_id: c.parent_id.map(|p| p.to_string()),
        position: Some(i32::from(c.position)),
        topic: c.topic.clone(),
        private: match c.kind {
            ChannelType::PrivateThread => Some(true),
            ChannelType::PublicThread | ChannelType::NewsThread => Some(false),
            _ => None,
        },
    }
}

pub fn guild(g: &Guild) -> GuildInfo {
    GuildInfo {
        id: g.id.to_string(),
        name: g.name.clone(),
        owner_id: Some(g.owner_id.to_string()),
        member_count: Some(u32::try_from(g.member_count).unwrap_or(u32::MAX)),
    }
}

pub fn reaction_emoji(emoji: &ReactionType) -> String {
    match emoji {
        ReactionType::Unicode(s) => s.clone(),
        ReactionType::Custom { name, id, .. } => format!("{}:{}", name.as_deref().unwrap_or(""), id),
        _ => String::new(),
    }
}

/// Flattens subcommands into `group subcommand` names on the options, so `/a b x:1` gives
/// `[{ name: "b", value: "" }, { name: "x", value: 1 }]`-like output callers can read linearly.
fn options(into: &mut Vec<CommandOptionValue>, opts: &[CommandDataOption]) {
    for o in opts {
        let value = match &o.value {
            CommandDataOptionValue::SubCommand(inner) | CommandDataOptionValue::SubCommandGroup(inner) => {
                into.push(CommandOptionValue { name: o.name.clone(), value: serde_json::Value::Bool(true) });
                options(into, inner);
                continue;
            }
            CommandDataOptionValue::Boolean(b) => serde_json::Value::Bool(*b),
            CommandDataOptionValue::Integer(i) => serde_json::Value::from(*i),
            CommandDataOptionValue::Number(n) => serde_json::Value::from(*n),
            CommandDataOptionValue::String(s) => serde_json::Value::String(s.clone()),
            CommandDataOptionValue::Autocomplete { value, .. } => serde_json::Value::String(value.clone()),
            CommandDataOptionValue::Attachment(id) => serde_json::Value::String(id.to_string()),
            CommandDataOptionValue::Channel(id) => serde_json::Value::String(id.to_string()),
            CommandDataOptionValue::Mentionable(id) => serde_json::Value::String(id.to_string()),
            CommandDataOptionValue::Role(id) => serde_json::Value::String(id.to_string()),
            CommandDataOptionValue::User(id) => serde_json::Value::String(id.to_string()),
            _ => serde_json::Value::Null,
        };
        into.push(CommandOptionValue { name: o.name.clone(), value });
    }
}

pub fn interaction(i: &Interaction) -> Option<InteractionInfo> {
    let base = |id: String,
                token: &str,
                app: String,
                kind: &str,
                channel: Option<String>,
                guild: Option<String>,
                u: UserInfo| InteractionInfo {
        id,
        token: token.to_string(),
        application_id: app,
        kind: kind.to_string(),
        channel_id: channel,
        guild_id: guild,
        user: u,
        command_name: None,
        options: Vec::new(),
        custom_id: None,
        values: Vec::new(),
        message_id: None,
    };
    let member_user = |m: Option<&serenity::model::guild::Member>, u: &User| match m {
        Some(m) => {
            let mut info = user(&m.user, None);
            if let Some(nick) = &m.nick {
                info.display_name = nick.clone();
            }
            info.role_ids = m.roles.iter().map(|r| r.to_string()).collect();
            info
        }
        None => user(u, None),
    };
    match i {
        Interaction::Command(c) | Interaction::Autocomplete(c) => {
            let kind = if matches!(i, Interaction::Command(_)) { "command" } else { "autocomplete" };
            let mut info = base(
                c.id.to_string(),
                &c.token,
                c.application_id.to_string(),
                kind,
                Some(c.channel_id.to_string()),
                c.guild_id.map(|g| g.to_string()),
                member_user(c.member.as_deref(), &c.user),
            );
            info.command_name = Some(c.data.name.clone());
            options(&mut info.options, &c.data.options);
            Some(info)
        }
        Interaction::Component(c) => {
            let mut info = base(
                c.id.to_string(),
                &c.token,
                c.application_id.to_string(),
                "component",
                Some(c.channel_id.to_string()),
                c.guild_id.map(|g| g.to_string()),
                member_user(c.member.as_ref(), &c.user),
            );
            info.custom_id = Some(c.data.custom_id.clone());
            info.message_id = Some(c.message.id.to_string());
            info.values = match &c.data.kind {
                ComponentInteractionDataKind::StringSelect { values } => values.clone(),
                ComponentInteractionDataKind::UserSelect { values } => values.iter().map(|v| v.to_string()).collect(),
                ComponentInteractionDataKind::RoleSelect { values } => values.iter().map(|v| v.to_string()).collect(),
                ComponentInteractionDataKind::ChannelSelect { values } => {
                    values.iter().map(|v| v.to_string()).collect()
                }
                ComponentInteractionDataKind::MentionableSelect { values } => {
                    values.iter().map(|v| v.to_string()).collect()
                }
                _ => Vec::new(),
            };
            Some(info)
        }
        Interaction::Modal(m) => {
            let mut info = base(
                m.id.to_string(),
                &m.token,
                m.application_id.to_string(),
                "modalSubmit",
                Some(m.channel_id.to_string()),
                m.guild_id.map(|g| g.to_string()),
                member_user(m.member.as_ref(), &m.user),
            );
            info.custom_id = Some(m.data.custom_id.clone());
            Some(info)
        }
        _ => None,
    }
}
