// The server's data: guilds, channels, users, messages, and Discord-shaped payloads for them.
// Shapes follow Discord's API v10 documentation (objects as Discord sends them today).

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

export function snowflake(time = Date.now()) {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(time) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export function isoNow() {
  return new Date().toISOString().replace('Z', '+00:00');
}

export const Intents = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_REACTIONS: 1 << 10,
  DIRECT_MESSAGES: 1 << 12,
  DIRECT_MESSAGE_REACTIONS: 1 << 13,
  MESSAGE_CONTENT: 1 << 15,
  GUILD_PRESENCES: 1 << 8,
};
export const PRIVILEGED = Intents.GUILD_MEMBERS | Intents.GUILD_PRESENCES | Intents.MESSAGE_CONTENT;

export class World {
  constructor({ botToken, guilds = 1, channelsPerGuild = 3, membersPerGuild = 3 } = {}) {
    this.botToken = botToken;
    this.applicationId = snowflake();
    this.bot = { id: this.applicationId, username: 'omp-bot', global_name: null, bot: true };
    this.users = new Map([[this.bot.id, this.bot]]);
    this.guilds = new Map();
    this.channels = new Map();
    this.messages = new Map(); // channelId -> Message[] (oldest first)
    this.commands = new Map(); // scope -> command[]
    this.webhooks = new Map(); // id -> { id, token, channelId, name }
    this.interactions = new Map(); // id -> { token, channelId, guildId, responded, response, messageId }
    this.noAccess = new Set();
    this.noPermission = new Set();
    this.alice = this.addUser('alice', 'Alice');
    this.bob = this.addUser('bob', 'Bob');
    this.otherBot = this.addUser('other-bot', null, true);
    for (let g = 0; g < guilds; g++) {
      const guild = this.addGuild(g === 0 ? 'Test Guild' : `Guild ${g}`);
      const names = g === 0 ? ['general', 'ops', 'secret', 'readonly'] : [];
      for (let c = 0; c < Math.max(channelsPerGuild, names.length); c++) this.addChannel(guild.id, names[c] ?? `channel-${c}`);
      for (let m = 0; m < membersPerGuild; m++) this.addMember(guild.id, m < 3 ? [this.alice, this.bob, this.otherBot][m] : this.addUser(`member-${g}-${m}`, null));
      this.addMember(guild.id, this.bot);
    }
    const first = [...this.guilds.values()][0];
    this.guild = first;
    const byName = (n) => [...this.channels.values()].find((c) => c.guild_id === first.id && c.name === n);
    this.general = byName('general');
    this.ops = byName('ops');
    this.noAccess.add(byName('secret').id);
    this.noPermission.add(byName('readonly').id);
    this.dm = { id: snowflake(), type: 1, last_message_id: null, recipients: [this.userPayload(this.alice)], flags: 0 };
    this.channels.set(this.dm.id, this.dm);
    this.messages.set(this.dm.id, []);
    const hook = { id: snowflake(), token: 'hook-secret-token-' + snowflake(), channelId: this.general.id, name: 'OMP Webhook' };
    this.webhooks.set(hook.id, hook);
    this.webhook = hook;
  }

  addUser(username, globalName, bot = false) {
    const user = { id: snowflake(), username, global_name: globalName, bot };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(name) {
    const guild = { id: snowflake(), name, owner_id: this.alice?.id ?? this.bot.id, members: [], joined_at: isoNow(), operatorsRoleId: snowflake() };
    this.guilds.set(guild.id, guild);
    return guild;
  }

  addMember(guildId, user) {
    this.guilds.get(guildId).members.push({ user, nick: null, roles: [], joined_at: isoNow() });
  }

  addChannel(guildId, name, type = 0, extra = {}) {
    const siblings = [...this.channels.values()].filter((c) => c.guild_id === guildId).length;
    const channel = {
      id: snowflake(), type, guild_id: guildId, name, position: siblings, permission_overwrites: [],
      parent_id: null, topic: null, nsfw: false, last_message_id: null, rate_limit_per_user: 0, flags: 0, ...extra,
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    return channel;
  }

  addThread(parent, name, ownerId, messageId = null, archiveMinutes = 1440) {
    const now = isoNow();
    return this.addChannel(parent.guild_id, name, 11, {
      id: messageId ?? snowflake(), parent_id: parent.id, owner_id: ownerId, position: undefined,
      message_count: 0, member_count: 1, total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: archiveMinutes, archive_timestamp: now, locked: false, create_timestamp: now },
      member: { id: undefined, user_id: ownerId, join_timestamp: now, flags: 0 },
    });
  }

  userPayload(u) {
    const p = { id: u.id, username: u.username, discriminator: '0', global_name: u.global_name ?? null, avatar: null, public_flags: 0, flags: 0, banner: null, accent_color: null, avatar_decoration_data: null, clan: null, primary_guild: null };
    if (u.bot) p.bot = true;
    return p;
  }

  memberPayload(guildId, userId, withUser = false) {
    const m = this.guilds.get(guildId)?.members.find((x) => x.user.id === userId);
    if (!m) return undefined;
    const p = { roles: m.roles, nick: m.nick, avatar: null, banner: null, joined_at: m.joined_at, premium_since: null, deaf: false, mute: false, flags: 0, pending: false, communication_disabled_until: null };
    if (withUser) p.user = this.userPayload(m.user);
    return p;
  }

  channelPayload(c) {
    const p = { ...c };
    if (p.member) p.member = { ...p.member, id: c.id };
    if (p.type === 1) delete p.guild_id;
    if (p.position === undefined) delete p.position;
    return p;
  }

  rolePayload(guild, id = guild.id, name = '@everyone') {
    return { id, name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '2248473465835073', managed: false, mentionable: false, flags: 0 };
  }

  guildPayload(g) {
    const channels = [...this.channels.values()].filter((c) => c.guild_id === g.id);
    return {
      id: g.id, name: g.name, icon: null, icon_hash: null, splash: null, discovery_splash: null, owner_id: g.owner_id,
      afk_channel_id: null, afk_timeout: 300, widget_enabled: false, widget_channel_id: null, verification_level: 0,
      default_message_notifications: 0, explicit_content_filter: 0, roles: [this.rolePayload(g), this.rolePayload(g, g.operatorsRoleId, 'operators')], emojis: [], features: [],
      mfa_level: 0, application_id: null, system_channel_id: channels[0]?.id ?? null, system_channel_flags: 0,
      rules_channel_id: null, max_presences: null, max_members: 500000, vanity_url_code: null, description: null, banner: null,
      premium_tier: 0, premium_subscription_count: 0, preferred_locale: 'en-US', public_updates_channel_id: null,
      max_video_channel_users: 25, max_stage_video_channel_users: 50, nsfw_level: 0, stickers: [], premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null, incidents_data: null, nsfw: false, hub_type: null, latest_onboarding_question_id: null,
      // GUILD_CREATE extras
      joined_at: g.joined_at, large: g.members.length > 50, unavailable: false, member_count: g.members.length,
      voice_states: [], members: g.members.slice(0, 50).map((m) => this.memberPayload(g.id, m.user.id, true)),
      channels: channels.filter((c) => c.type !== 11).map((c) => { const p = this.channelPayload(c); delete p.guild_id; return p; }),
      threads: channels.filter((c) => c.type === 11).map((c) => this.channelPayload(c)),
      presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [], embedded_activities: [],
      application_command_counts: {}, home_header: null, version: Date.now(), activity_instances: [],
    };
  }

  partialGuildPayload(g) {
    return { id: g.id, name: g.name, icon: null, banner: null, owner: g.owner_id === this.bot.id, permissions: '2248473465835073', features: [], approximate_member_count: g.members.length, approximate_presence_count: 0 };
  }

  /** Creates and stores a message; returns the stored record. */
  createMessage(channelId, author, fields = {}) {
    const channel = this.channels.get(channelId);
    const message = {
      id: snowflake(), channel_id: channelId, author: this.userPayload(author), content: fields.content ?? '',
      timestamp: isoNow(), edited_timestamp: null, tts: false, mention_everyone: false, mentions: [], mention_roles: [],
      attachments: fields.attachments ?? [], embeds: fields.embeds ?? [], pinned: false, type: 0, flags: fields.flags ?? 0,
      components: fields.components ?? [],
    };
    if (fields.nonce !== undefined) message.nonce = fields.nonce;
    if (fields.webhook_id) message.webhook_id = fields.webhook_id;
    if (channel.guild_id) {
      message.guild_id = channel.guild_id;
    }
    const mentioned = [...(message.content.matchAll(/<@!?(\d+)>/g))].map((m) => m[1]);
    const parse = fields.allowed_mentions?.parse;
    message.mentions = mentioned.map((id) => this.users.get(id)).filter(Boolean).map((u) => this.userPayload(u));
    message.mention_everyone = /@(everyone|here)/.test(message.content) && (parse === undefined || parse.includes('everyone')) && !author.bot;
    const ref = fields.message_reference?.message_id;
    if (ref) {
      const target = this.messages.get(channelId).find((m) => m.id === ref);
      message.type = 19;
      message.message_reference = { type: 0, message_id: ref, channel_id: channelId, guild_id: channel.guild_id };
      message.referenced_message = target ? { ...target, referenced_message: undefined } : null;
    }
    this.messages.get(channelId).push(message);
    channel.last_message_id = message.id;
    return message;
  }

  /** The message as the gateway sends it (MESSAGE_CREATE adds `member` in guilds). */
  messageEvent(message) {
    const out = { ...message };
    if (message.guild_id && !message.webhook_id) out.member = this.memberPayload(message.guild_id, message.author.id);
    if (out.referenced_message === undefined) delete out.referenced_message;
    return out;
  }
}
