// REST v10: the routes the bridge and discord.js use, Discord's error bodies and codes, rate-limit
// headers on every answer with per-route buckets and the global limit, and forced faults.

import { Intents, snowflake, isoNow } from './world.mjs';

const API = '/api/v10';
const err = (status, code, message, errors) => ({ status, body: errors ? { code, errors, message } : { message, code } });
const E = {
  unauthorized: () => err(401, 0, '401: Unauthorized'),
  notFound: () => err(404, 0, '404: Not Found'),
  unknownChannel: () => err(404, 10003, 'Unknown Channel'),
  unknownMessage: () => err(404, 10008, 'Unknown Message'),
  unknownGuild: () => err(404, 10004, 'Unknown Guild'),
  unknownWebhook: () => err(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => err(404, 10062, 'Unknown interaction'),
  missingAccess: () => err(403, 50001, 'Missing Access'),
  missingPermissions: () => err(403, 50013, 'Missing Permissions'),
  empty: () => err(400, 50006, 'Cannot send an empty message'),
  form: (errors) => err(400, 50035, 'Invalid Form Body', errors),
};
const fieldError = (code, message) => ({ _errors: [{ code, message }] });

/** Minimal multipart/form-data reader: payload_json and files[n]. */
function parseMultipart(buf, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return null;
  const delim = Buffer.from('--' + (boundary[1] ?? boundary[2]));
  const parts = [];
  let pos = buf.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (buf.slice(start, start + 2).toString() === '--') break;
    const next = buf.indexOf(delim, start);
    if (next === -1) break;
    const part = buf.slice(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.slice(0, headerEnd).toString();
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    const ctype = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
    parts.push({ name, filename, contentType: ctype, data: part.slice(headerEnd + 4) });
    pos = next;
  }
  const payload = parts.find((p) => p.name === 'payload_json');
  return { json: payload ? JSON.parse(payload.data.toString()) : {}, files: parts.filter((p) => p.filename !== undefined) };
}

export class Rest {
  constructor({ world, gateway, log, config, baseUrl }) {
    this.world = world;
    this.gateway = gateway;
    this.log = log;
    this.config = config; // { defaultLimit, defaultWindowMs, globalPerSecond }
    this.baseUrl = baseUrl;
    this.buckets = new Map(); // key -> { limit, windowMs, remaining, resetAt, hash }
    this.limits = new Map(); // routeKey -> { limit, windowMs }
    this.global = [];
    this.faults = { force429: [], fail: [], delay: [] };
    this.stats = { requests: 0, rateLimited: 0, globalRateLimited: 0 };
    this.typing = [];
  }

  // ---- rate limits ----
  bucketFor(routeKey, major) {
    const key = `${routeKey}:${major}`;
    let b = this.buckets.get(key);
    const conf = this.limits.get(routeKey) ?? { limit: this.config.defaultLimit, windowMs: this.config.defaultWindowMs };
    const now = Date.now();
    if (!b || now >= b.resetAt) {
      b = { limit: conf.limit, windowMs: conf.windowMs, remaining: conf.limit, resetAt: now + conf.windowMs, hash: Buffer.from(routeKey).toString('hex').slice(0, 16) };
      this.buckets.set(key, b);
    }
    return b;
  }

  headersFor(b) {
    const after = Math.max(0, b.resetAt - Date.now()) / 1000;
    return {
      'x-ratelimit-limit': String(b.limit), 'x-ratelimit-remaining': String(b.remaining),
      'x-ratelimit-reset': (b.resetAt / 1000).toFixed(3), 'x-ratelimit-reset-after': after.toFixed(3), 'x-ratelimit-bucket': b.hash,
    };
  }

  limited(retryAfter, scope, extra = {}) {
    this.stats.rateLimited++;
    if (scope === 'global') this.stats.globalRateLimited++;
    return {
      status: 429,
      headers: { 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': scope, ...(scope === 'global' ? { 'x-ratelimit-global': 'true' } : {}), ...extra },
      body: { message: 'You are being rate limited.', retry_after: retryAfter, global: scope === 'global', code: scope === 'global' ? 0 : undefined },
    };
  }

  // ---- request handling ----
  async handle(req, body) {
    this.stats.requests++;
    const url = new URL(req.url, this.baseUrl);
    const path = url.pathname;
    const route = this.match(req.method, path);
    const entry = { kind: 'rest', method: req.method, path: path.replace(/\/webhooks\/(\d+)\/[^/]+/, '/webhooks/$1/[token]').replace(/\/interactions\/(\d+)\/[^/]+/, '/interactions/$1/[token]'), query: url.search };
    const at = this.faults.delay.findIndex((d) => !d.route || d.route === route?.routeKey);
    const delay = at >= 0 ? this.faults.delay.splice(at, 1)[0] : null;
    if (delay) {
      this.log({ kind: 'rest-delayed', method: req.method, path: entry.path, ms: delay.ms }); // tests act while it hangs
      await new Promise((r) => setTimeout(r, delay.ms));
    }
    const result = await this.answer(req, route, url, body);
    entry.status = result.status;
    entry.body = result.logBody;
    this.log(entry);
    return result;
  }

  async answer(req, route, url, rawBody) {
    if (!route) return E.notFound();
    const { handler, params, routeKey, major, auth } = route;
    if (auth && req.headers.authorization !== `Bot ${this.world.botToken}`) return E.unauthorized();
    const fail = this.faults.fail[0];
    if (fail && (!fail.route || fail.route === routeKey)) {
      if (--fail.count <= 0) this.faults.fail.shift();
      return { status: fail.status, body: { message: `${fail.status}: injected failure`, code: 0 } };
    }
    // Global limit (sliding one second).
    const now = Date.now();
    while (this.global.length && now - this.global[0] >= 1000) this.global.shift();
    const forced = this.faults.force429[0];
    if (forced && (!forced.route || forced.route === routeKey)) {
      if (--forced.count <= 0) this.faults.force429.shift();
      return this.limited(forced.retryAfter, forced.scope);
    }
    if (auth && this.global.length >= this.config.globalPerSecond) {
      return this.limited((1000 - (now - this.global[0])) / 1000, 'global');
    }
    if (auth) this.global.push(now);
    const bucket = routeKey.startsWith('POST /interactions') ? null : this.bucketFor(routeKey, major);
    if (bucket) {
      if (bucket.remaining <= 0) return this.limited((bucket.resetAt - now) / 1000, 'user', this.headersFor(bucket));
      bucket.remaining--;
    }
    let body = null;
    const ctype = req.headers['content-type'] ?? '';
    try {
      if (ctype.startsWith('multipart/form-data')) body = parseMultipart(rawBody, ctype);
      else if (rawBody.length) body = { json: JSON.parse(rawBody.toString()), files: [] };
    } catch {
      return err(400, 50109, 'The request body contains invalid JSON.');
    }
    const result = (await handler.call(this, params, body ?? { json: {}, files: [] }, url)) ?? { status: 204 };
    result.headers = { ...(bucket ? this.headersFor(bucket) : {}), ...(result.headers ?? {}) };
    result.logBody = body?.json;
    return result;
  }

  match(method, path) {
    if (!path.startsWith(API)) return null;
    const p = path.slice(API.length);
    for (const [m, re, routeKey, handler, auth = true] of ROUTES) {
      if (m !== method) continue;
      const found = re.exec(p);
      if (found) return { handler, params: found.slice(1).map(decodeURIComponent), routeKey: `${m} ${routeKey}`, major: found[1] ?? '', auth };
    }
    return null;
  }

  // ---- helpers used by handlers ----
  channel(id) {
    const c = this.world.channels.get(id);
    if (!c) return { error: E.unknownChannel() };
    if (this.world.noAccess.has(id)) return { error: E.missingAccess() };
    return { channel: c };
  }

  validateMessage(json, files, { partial = false } = {}) {
    const errors = {};
    if (typeof json.content === 'string' && [...json.content].length > 2000) errors.content = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    if (Array.isArray(json.embeds)) {
      if (json.embeds.length > 10) errors.embeds = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
      json.embeds.forEach((e, i) => {
        if ((e.title ?? '').length > 256) errors.embeds = { [i]: { title: fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.') } };
        if (e.url !== undefined && !/^https?:\/\//.test(e.url)) errors.embeds = { [i]: { url: fieldError('URL_TYPE_INVALID_SCHEME', `Scheme "${String(e.url).split(':')[0]}" is not supported. Scheme must be one of ('http', 'https').`) } };
        if ((e.description ?? '').length > 4096) errors.embeds = { [i]: { description: fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 4096 or fewer in length.') } };
      });
    }
    if (Object.keys(errors).length) return E.form(errors);
    const hasSomething = json.content || json.embeds?.length || files.length || json.components?.length || json.sticker_ids?.length;
    if (!partial && !hasSomething) return E.empty();
    return null;
  }

  attachmentsFor(json, files) {
    return files.map((f, i) => {
      const meta = (json.attachments ?? []).find((a) => String(a.id) === String(/files\[(\d+)\]/.exec(f.name)?.[1] ?? i)) ?? {};
      const id = snowflake();
      return { id, filename: meta.filename ?? f.filename, size: f.data.length, url: `${this.baseUrl}/attachments/${id}/${f.filename}`, proxy_url: `${this.baseUrl}/attachments/${id}/${f.filename}`, content_type: f.contentType ?? 'application/octet-stream', description: meta.description ?? undefined, _data: f.data.toString('base64') };
    });
  }

  publicMessage(m) {
    const out = { ...m, attachments: m.attachments.map(({ _data, ...a }) => a) };
    if (out.referenced_message === undefined) delete out.referenced_message;
    return out;
  }

  postMessage(channel, author, json, files, extra = {}) {
    const invalid = this.validateMessage(json, files);
    if (invalid) return invalid;
    if (json.nonce !== undefined && json.enforce_nonce) {
      const dup = this.world.messages.get(channel.id).find((m) => m.nonce === json.nonce && m.author.id === author.id);
      if (dup) return { status: 200, body: this.publicMessage(dup) };
    }
    const message = this.world.createMessage(channel.id, author, { ...json, attachments: this.attachmentsFor(json, files), ...extra });
    this.dispatchMessage('MESSAGE_CREATE', message);
    return { status: 200, body: this.publicMessage(message) };
  }

  dispatchMessage(t, message) {
    const dm = !message.guild_id;
    const botId = this.world.bot.id;
    const exempt = dm || message.author.id === botId || message.mentions.some((u) => u.id === botId);
    this.gateway.dispatch(t, this.publicMessage(this.world.messageEvent(message)), { intent: dm ? Intents.DIRECT_MESSAGES : Intents.GUILD_MESSAGES, content: { exempt } });
  }
}

function messageRoutes() {
  return [
    ['GET', /^\/gateway$/, '/gateway', function () { return { status: 200, body: { url: this.gatewayUrl } }; }, false],
    ['GET', /^\/gateway\/bot$/, '/gateway/bot', function () {
      return { status: 200, body: { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14400000, max_concurrency: 1 } } };
    }],
    ['GET', /^\/users\/@me$/, '/users/@me', function () { return { status: 200, body: { ...this.world.userPayload(this.world.bot), verified: true, mfa_enabled: false } }; }],
    ['GET', /^\/users\/@me\/guilds$/, '/users/@me/guilds', function () { return { status: 200, body: [...this.world.guilds.values()].map((g) => this.world.partialGuildPayload(g)) }; }],
    ['GET', /^\/oauth2\/applications\/@me$/, '/oauth2/applications/@me', function () {
      return { status: 200, body: { id: this.world.applicationId, name: 'omp-bot', icon: null, description: '', bot_public: true, bot_require_code_grant: false, verify_key: 'x', flags: 0, owner: this.world.userPayload(this.world.alice), team: null } };
    }],
    ['GET', /^\/guilds\/(\d+)\/channels$/, '/guilds/:id/channels', function ([g]) {
      if (!this.world.guilds.has(g)) return E.unknownGuild();
      return { status: 200, body: [...this.world.channels.values()].filter((c) => c.guild_id === g && c.type !== 11).map((c) => this.world.channelPayload(c)) };
    }],
    ['GET', /^\/channels\/(\d+)$/, '/channels/:id', function ([c]) {
      const { channel, error } = this.channel(c);
      return error ?? { status: 200, body: this.world.channelPayload(channel) };
    }],
    ['GET', /^\/channels\/(\d+)\/messages$/, '/channels/:id/messages', function ([c], _b, url) {
      const { error } = this.channel(c);
      if (error) return error;
      const limit = Number(url.searchParams.get('limit') ?? 50);
      if (!(limit >= 1 && limit <= 100)) return E.form({ limit: fieldError('NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.') });
      const before = url.searchParams.get('before');
      const after = url.searchParams.get('after');
      let list = this.world.messages.get(c).slice();
      if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
      if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit);
      list = after ? list : list.slice(-limit);
      return { status: 200, body: list.reverse().map((m) => this.publicMessage(m)) };
    }],
    ['POST', /^\/channels\/(\d+)\/messages$/, '/channels/:id/messages', function ([c], { json, files }) {
      const { channel, error } = this.channel(c);
      if (error) return error;
      if (this.world.noPermission.has(c)) return E.missingPermissions();
      return this.postMessage(channel, this.world.bot, json, files);
    }],
    ['GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, '/channels/:id/messages/:id', function ([c, m]) {
      const { error } = this.channel(c);
      if (error) return error;
      const msg = this.world.messages.get(c).find((x) => x.id === m);
      return msg ? { status: 200, body: this.publicMessage(msg) } : E.unknownMessage();
    }],
    ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, '/channels/:id/messages/:id', function ([c, m], { json, files }) {
      const { error } = this.channel(c);
      if (error) return error;
      const msg = this.world.messages.get(c).find((x) => x.id === m);
      if (!msg) return E.unknownMessage();
      if (msg.author.id !== this.world.bot.id) return err(403, 50005, 'Cannot edit a message authored by another user');
      const invalid = this.validateMessage(json, files, { partial: true });
      if (invalid) return invalid;
      for (const k of ['content', 'embeds', 'components', 'flags']) if (json[k] !== undefined) msg[k] = json[k];
      if (json.attachments !== undefined) msg.attachments = [...msg.attachments.filter((a) => json.attachments.some((x) => x.id === a.id)), ...this.attachmentsFor(json, files)];
      msg.edited_timestamp = isoNow();
      this.dispatchMessage('MESSAGE_UPDATE', msg);
      return { status: 200, body: this.publicMessage(msg) };
    }],
    ['DELETE', /^\/channels\/(\d+)\/messages\/(\d+)$/, '/channels/:id/messages/:id', function ([c, m]) {
      const { channel, error } = this.channel(c);
      if (error) return error;
      const list = this.world.messages.get(c);
      const i = list.findIndex((x) => x.id === m);
      if (i < 0) return E.unknownMessage();
      list.splice(i, 1);
      const d = { id: m, channel_id: c };
      if (channel.guild_id) d.guild_id = channel.guild_id;
      this.gateway.dispatch('MESSAGE_DELETE', d, { intent: channel.guild_id ? Intents.GUILD_MESSAGES : Intents.DIRECT_MESSAGES });
      return { status: 204 };
    }],
    ['PUT', /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/, '/channels/:id/messages/:id/reactions/:emoji/@me', function ([c, m, emoji]) {
      const { channel, error } = this.channel(c);
      if (error) return error;
      const msg = this.world.messages.get(c).find((x) => x.id === m);
      if (!msg) return E.unknownMessage();
      const [name, id] = emoji.includes(':') ? emoji.split(':') : [emoji, null];
      if (!name) return err(400, 10014, 'Unknown Emoji');
      msg.reactions = msg.reactions ?? [];
      const existing = msg.reactions.find((r) => r.emoji.name === name);
      if (existing) { existing.count++; existing.me = true; } else msg.reactions.push({ count: 1, count_details: { burst: 0, normal: 1 }, me: true, me_burst: false, burst_colors: [], emoji: { id, name } });
      this.reactionEvent(channel, msg, this.world.bot, { id, name });
      return { status: 204 };
    }],
    ['POST', /^\/channels\/(\d+)\/typing$/, '/channels/:id/typing', function ([c]) {
      const { error } = this.channel(c);
      if (error) return error;
      this.typing.push({ channelId: c, at: Date.now() });
      return { status: 204 };
    }],
    ['POST', /^\/channels\/(\d+)\/threads$/, '/channels/:id/threads', function ([c], { json }) {
      const { channel, error } = this.channel(c);
      if (error) return error;
      if (!json.name || json.name.length > 100) return E.form({ name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') });
      return this.createThread(channel, json, null);
    }],
    ['POST', /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/, '/channels/:id/messages/:id/threads', function ([c, m], { json }) {
      const { channel, error } = this.channel(c);
      if (error) return error;
      const msg = this.world.messages.get(c).find((x) => x.id === m);
      if (!msg) return E.unknownMessage();
      if (!json.name || json.name.length > 100) return E.form({ name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') });
      return this.createThread(channel, json, msg);
    }],
    ['PUT', /^\/applications\/(\d+)\/commands$/, '/applications/:id/commands', function ([app], { json }) { return this.putCommands(app, 'global', json); }],
    ['PUT', /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, '/applications/:id/guilds/:id/commands', function ([app, g], { json }) {
      if (!this.world.guilds.has(g)) return E.unknownGuild();
      return this.putCommands(app, g, json);
    }],
    ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, '/interactions/:id/:token/callback', function ([id, token], { json, files }) {
      const it = this.world.interactions.get(id);
      if (!it || it.token !== token) return E.unknownInteraction();
      if (it.responded) return err(400, 40060, 'Interaction has already been acknowledged.');
      if (Date.now() - it.createdAt > 3000) return E.unknownInteraction();
      it.responded = true;
      it.response = { type: json.type, data: json.data ?? null };
      const channel = this.world.channels.get(it.channelId);
      if (json.type === 4) {
        const r = this.postMessage(channel, this.world.bot, json.data ?? {}, files, { interaction: true });
        if (r.status !== 200) { it.responded = false; return r; }
        it.messageId = r.body.id;
      } else if (json.type === 5) {
        const message = this.world.createMessage(channel.id, this.world.bot, { content: '', flags: 128 | ((json.data?.flags ?? 0) & 64) });
        it.messageId = message.id;
      } else if (json.type === 7 && it.sourceMessageId) {
        const msg = this.world.messages.get(channel.id).find((x) => x.id === it.sourceMessageId);
        for (const k of ['content', 'embeds', 'components']) if (json.data?.[k] !== undefined) msg[k] = json.data[k];
        msg.edited_timestamp = isoNow();
      } else if (![1, 6, 7, 9].includes(json.type)) {
        it.responded = false;
        return E.form({ type: fieldError('BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.') });
      }
      return { status: 204 };
    }, false],
    ['PATCH', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, '/webhooks/:id/:token/messages/@original', function ([app, token], { json, files }) {
      const it = [...this.world.interactions.values()].find((x) => x.token === token);
      if (app !== this.world.applicationId || !it || !it.responded) return E.unknownWebhook();
      const msg = this.world.messages.get(it.channelId).find((x) => x.id === it.messageId);
      if (!msg) return E.unknownMessage();
      for (const k of ['content', 'embeds', 'components']) if (json[k] !== undefined) msg[k] = json[k];
      if (files.length) msg.attachments = this.attachmentsFor(json, files);
      msg.flags &= ~128;
      msg.edited_timestamp = isoNow();
      return { status: 200, body: this.publicMessage(msg) };
    }, false],
    ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, '/webhooks/:id/:token', function ([id, token], { json, files }, url) {
      const hook = this.world.webhooks.get(id);
      if (hook) {
        if (hook.token !== token) return err(401, 50027, 'Invalid Webhook Token');
        const author = { id: hook.id, username: json.username ?? hook.name, global_name: null, bot: true };
        const r = this.postMessage(this.world.channels.get(hook.channelId), author, json, files, { webhook_id: hook.id });
        if (r.status === 200 && url.searchParams.get('wait') !== 'true') return { status: 204 };
        return r;
      }
      const it = [...this.world.interactions.values()].find((x) => x.token === token);
      if (id !== this.world.applicationId || !it) return E.unknownWebhook();
      return this.postMessage(this.world.channels.get(it.channelId), this.world.bot, json, files);
    }, false],
  ];
}

const ROUTES = messageRoutes();

Object.assign(Rest.prototype, {
  createThread(parent, json, fromMessage) {
    const thread = this.world.addThread(parent, json.name, this.world.bot.id, fromMessage?.id ?? null, json.auto_archive_duration ?? 1440);
    if (fromMessage) fromMessage.thread = this.world.channelPayload(thread);
    this.gateway.dispatch('THREAD_CREATE', { ...this.world.channelPayload(thread), newly_created: true }, { intent: Intents.GUILDS });
    return { status: 201, body: this.world.channelPayload(thread) };
  },
  putCommands(app, scope, json) {
    if (app !== this.world.applicationId) return err(403, 50001, 'Missing Access');
    if (!Array.isArray(json)) return E.form({ _errors: [{ code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }] });
    const errors = {};
    json.forEach((c, i) => {
      if (!/^[-_\p{L}\p{N}]{1,32}$/u.test(c.name ?? '') || c.name !== c.name.toLowerCase()) errors[i] = { name: fieldError('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid') };
      else if (!c.description || c.description.length > 100) errors[i] = { description: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') };
    });
    if (Object.keys(errors).length) return E.form(errors);
    const stored = json.map((c) => ({ id: snowflake(), application_id: app, version: snowflake(), default_member_permissions: null, type: 1, nsfw: false, integration_types: [0], contexts: null, ...c, ...(scope === 'global' ? {} : { guild_id: scope }) }));
    this.world.commands.set(scope, stored);
    return { status: 200, body: stored };
  },
  reactionEvent(channel, msg, user, emoji) {
    const d = { user_id: user.id, type: 0, message_id: msg.id, message_author_id: msg.author.id, emoji, channel_id: channel.id, burst: false };
    if (channel.guild_id) { d.guild_id = channel.guild_id; d.member = this.world.memberPayload(channel.guild_id, user.id, true); }
    this.gateway.dispatch('MESSAGE_REACTION_ADD', d, { intent: channel.guild_id ? Intents.GUILD_MESSAGE_REACTIONS : Intents.DIRECT_MESSAGE_REACTIONS });
  },
});
