// A Discord-compatible server on 127.0.0.1: REST v10 under /api/v10, gateway v10 on the same
// port, and a control API under /__control that tests use to act as Discord users and to
// inject faults. See README.md beside this file.

import http from 'node:http';
import { createRequire } from 'node:module';
import { World, snowflake, isoNow, Intents } from './world.mjs';
import { Gateway } from './gateway.mjs';
import { Rest } from './rest.mjs';

/** The system monotonic clock, from the addon (only the benchmarks ask for it). */
function monotonicMs() {
  return createRequire(import.meta.url)('../../index.js').monotonicMs();
}

export const TEST_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.OMPtst.test-token-for-the-bundled-server';

export async function startServer(options = {}) {
  const config = {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
    allowedIntents: options.allowedIntents ?? Intents.MESSAGE_CONTENT,
    zombie: false,
    defaultLimit: options.defaultLimit ?? 50,
    defaultWindowMs: options.defaultWindowMs ?? 1000,
    globalPerSecond: options.globalPerSecond ?? 50,
  };
  const world = new World({ botToken: options.token ?? TEST_TOKEN, guilds: options.guilds, channelsPerGuild: options.channelsPerGuild, membersPerGuild: options.membersPerGuild });
  const entries = [];
  const waiters = new Set();
  const log = (entry) => {
    entry.n = entries.length;
    entry.at = Date.now();
    entries.push(entry);
    for (const w of waiters) w();
  };
  const gateway = new Gateway({ world, log, config });
  const server = http.createServer();
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = server.address().port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;
  const rest = new Rest({ world, gateway, log, config, baseUrl });
  rest.gatewayUrl = gatewayUrl;
  const control = makeControl({ world, gateway, rest, config, entries, waiters, baseUrl });

  server.on('request', (req, res) => {
    // An outage: Discord unreachable (connections reset), while the control API keeps working.
    if (config.outage && !req.url.startsWith('/__control/')) return req.socket.destroy();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      let result;
      try {
        if (req.url.startsWith('/attachments/')) {
          // The CDN: attachment URLs serve the uploaded bytes.
          const id = req.url.split('/')[2];
          const found = [...world.messages.values()].flat().flatMap((m) => m.attachments).find((a) => a.id === id);
          res.writeHead(found ? 200 : 404, { 'content-type': found?.content_type ?? 'text/plain' });
          return res.end(found ? Buffer.from(found._data, 'base64') : 'not found');
        }
        result = req.url.startsWith('/__control/') ? await control(req, body) : await rest.handle(req, body);
      } catch (e) {
        result = { status: 500, body: { message: `test server error: ${e.stack}`, code: 0 } };
      }
      const headers = { 'content-type': 'application/json', via: '1.1 omp-test-server', ...(result.headers ?? {}) };
      for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
      const text = result.status === 204 || result.body === undefined ? '' : JSON.stringify(result.body);
      res.writeHead(result.status, headers);
      res.end(text);
    });
  });
  server.on('upgrade', (req, socket, head) => (config.outage ? socket.destroy() : gateway.handleUpgrade(req, socket, head, gatewayUrl)));

  return {
    port, baseUrl, gatewayUrl, world, gateway, rest,
    async close() {
      gateway.shutdown();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

function userByName(world, who) {
  if (!who) return world.alice;
  return { alice: world.alice, bob: world.bob, otherBot: world.otherBot, bot: world.bot }[who] ?? world.users.get(who);
}

function makeControl({ world, gateway, rest, config, entries, waiters, baseUrl }) {
  const json = (body, status = 200) => ({ status, body });
  const interaction = (type, channelId, user, data, extra = {}) => {
    const channel = world.channels.get(channelId ?? world.general.id);
    const id = snowflake();
    const token = 'aW50ZXJhY3Rpb246' + snowflake() + 'dG9rZW4';
    world.interactions.set(id, { token, channelId: channel.id, responded: false, response: null, createdAt: Date.now(), sourceMessageId: extra.message?.id });
    const d = {
      id, application_id: world.applicationId, type, data, channel_id: channel.id, channel: world.channelPayload(channel), token, version: 1,
      app_permissions: '2248473465835073', locale: 'en-US', entitlements: [], authorizing_integration_owners: { 0: channel.guild_id ?? '0' }, context: channel.guild_id ? 0 : 1,
      attachment_size_limit: 10485760,
      ...extra,
    };
    if (channel.guild_id) {
      d.guild_id = channel.guild_id;
      d.guild = { id: channel.guild_id, locale: 'en-US', features: [] };
      d.guild_locale = 'en-US';
      d.member = { ...world.memberPayload(channel.guild_id, user.id, true), permissions: '2248473465835073' };
    } else {
      d.user = world.userPayload(user);
    }
    gateway.dispatch('INTERACTION_CREATE', d);
    return { id, token };
  };

  return async function control(req, raw) {
    const url = new URL(req.url, baseUrl);
    const path = url.pathname.slice('/__control'.length);
    const body = raw.length ? JSON.parse(raw.toString()) : {};
    if (req.method === 'GET' && path === '/world') {
      const c = (n) => [...world.channels.values()].find((x) => x.guild_id === world.guild.id && x.name === n)?.id;
      return json({
        token: world.botToken, applicationId: world.applicationId, botId: world.bot.id, guildId: world.guild.id,
        generalId: world.general.id, opsId: world.ops.id, secretId: c('secret'), readonlyId: c('readonly'), dmId: world.dm.id,
        aliceId: world.alice.id, bobId: world.bob.id, otherBotId: world.otherBot.id, operatorsRoleId: world.guild.operatorsRoleId,
        webhookUrl: `${baseUrl}/api/webhooks/${world.webhook.id}/${world.webhook.token}`,
        apiBaseUrl: baseUrl, gatewayUrl: rest.gatewayUrl, guildIds: [...world.guilds.keys()],
      });
    }
    if (req.method === 'GET' && path === '/log') {
      const after = Number(url.searchParams.get('after') ?? -1);
      const wait = Number(url.searchParams.get('wait') ?? 0);
      const pick = () => entries.filter((e) => e.n > after);
      if (!pick().length && wait > 0) {
        await new Promise((resolve) => {
          const w = () => { waiters.delete(w); clearTimeout(t); resolve(); };
          const t = setTimeout(w, wait);
          waiters.add(w);
        });
      }
      return json(pick());
    }
    if (req.method === 'GET' && path === '/stats') return json({ gateway: gateway.stats, rest: rest.stats, sessions: gateway.sessions.size, connections: gateway.connections.size });
    if (req.method === 'GET' && path === '/typing') return json(rest.typing);
    if (req.method === 'GET' && path.startsWith('/messages/')) return json((world.messages.get(path.split('/')[2]) ?? []).map((m) => rest.publicMessage(m)));
    if (req.method === 'GET' && path.startsWith('/interaction/')) {
      const it = world.interactions.get(path.split('/')[2]);
      return it ? json({ responded: it.responded, response: it.response, messageId: it.messageId ?? null }) : json({ message: 'no such interaction' }, 404);
    }
    if (req.method === 'GET' && path === '/commands') return json(Object.fromEntries(world.commands));
    if (req.method !== 'POST') return json({ message: 'unknown control call' }, 404);
    switch (path) {
      case '/message': {
        if (body.delayMs) {
          // Benchmarks: answer now, post later, so the client's JS thread is idle when it lands.
          setTimeout(() => control({ method: 'POST', url: '/__control/message' }, Buffer.from(JSON.stringify({ ...body, delayMs: 0 }))), body.delayMs);
          return json({ scheduled: true });
        }
        if (body.stamp) body.content = `${body.content ?? ''} ${monotonicMs()}`; // benchmarks: one clock for both sides
        const author = userByName(world, body.author);
        const channel = world.channels.get(body.channelId ?? world.general.id);
        const files = (body.attachments ?? []).map((a, i) => ({ name: `files[${i}]`, filename: a.filename, contentType: a.contentType ?? 'text/plain', data: a.base64 ? Buffer.from(a.base64, 'base64') : Buffer.from(a.content ?? '') }));
        const message = world.createMessage(channel.id, author, { content: body.content ?? '', embeds: body.embeds, attachments: rest.attachmentsFor({}, files), message_reference: body.replyTo ? { message_id: body.replyTo } : undefined });
        // `silent`: stored but not dispatched, like a message posted while the bot was offline.
        if (!body.silent) rest.dispatchMessage('MESSAGE_CREATE', message);
        return json(rest.publicMessage(message));
      }
      case '/burst': {
        const author = userByName(world, body.author);
        const channels = body.channelIds ?? [body.channelId ?? world.general.id];
        const one = (i) => rest.dispatchMessage('MESSAGE_CREATE', world.createMessage(channels[i % channels.length], author, { content: `${body.prefix ?? 'burst'} ${i}` }));
        if (!body.intervalMs) {
          for (let i = 0; i < body.count; i++) one(i);
        } else {
          // Spread over time, after answering: lets a test block its own thread meanwhile.
          let i = 0;
          const timer = setInterval(() => { one(i++); if (i >= body.count) clearInterval(timer); }, body.intervalMs);
        }
        return json({ sent: body.count });
      }
      case '/edit': {
        const msg = world.messages.get(body.channelId).find((m) => m.id === body.messageId);
        msg.content = body.content;
        msg.edited_timestamp = isoNow();
        rest.dispatchMessage('MESSAGE_UPDATE', msg);
        return json(rest.publicMessage(msg));
      }
      case '/delete': {
        const list = world.messages.get(body.channelId);
        list.splice(list.findIndex((m) => m.id === body.messageId), 1);
        gateway.dispatch('MESSAGE_DELETE', { id: body.messageId, channel_id: body.channelId, guild_id: world.channels.get(body.channelId).guild_id }, { intent: Intents.GUILD_MESSAGES });
        return json({ ok: true });
      }
      case '/reaction': {
        const channel = world.channels.get(body.channelId);
        const msg = world.messages.get(body.channelId).find((m) => m.id === body.messageId);
        rest.reactionEvent(channel, msg, userByName(world, body.user), { id: null, name: body.emoji });
        return json({ ok: true });
      }
      case '/command': {
        const user = userByName(world, body.user);
        const data = { id: snowflake(), name: body.name, type: 1, options: body.options ?? [] };
        if (world.channels.get(body.channelId ?? world.general.id)?.guild_id) data.guild_id = world.guild.id;
        return json(interaction(2, body.channelId, user, data));
      }
      case '/button': {
        const user = userByName(world, body.user);
        const channelId = body.channelId ?? world.general.id;
        const msg = world.messages.get(channelId).find((m) => m.id === body.messageId);
        return json(interaction(3, channelId, user, { custom_id: body.customId, component_type: 2 }, { message: rest.publicMessage(msg) }));
      }
      case '/thread': {
        const parent = world.channels.get(body.channelId ?? world.general.id);
        return json(rest.createThread(parent, { name: body.name }, null).body);
      }
      case '/dispatch':
        gateway.raw(body.t, body.d);
        return json({ ok: true });
      case '/gateway': {
        const a = body.action;
        if (a === 'drop') gateway.drop();
        else if (a === 'close') gateway.closeAll(body.code ?? 4000, body.reason ?? '');
        else if (a === 'op7') gateway.reconnect();
        else if (a === 'op9') gateway.invalidate(Boolean(body.resumable));
        else if (a === 'zombie') config.zombie = body.on !== false;
        else if (a === 'heartbeat') config.heartbeatIntervalMs = body.intervalMs;
        else if (a === 'intents') config.allowedIntents = body.allowed;
        else return json({ message: `unknown gateway action ${a}` }, 400);
        return json({ ok: true });
      }
      case '/role': {
        // Gives (or with on: false takes away) the guild's "operators" role.
        const member = world.guild.members.find((m) => m.user.id === userByName(world, body.user).id);
        member.roles = body.on === false ? member.roles.filter((r) => r !== world.guild.operatorsRoleId) : [...new Set([...member.roles, world.guild.operatorsRoleId])];
        return json({ roles: member.roles });
      }
      case '/outage':
        // on: every REST and gateway connection is reset and live gateway sockets drop; off: back.
        config.outage = body.on !== false;
        if (config.outage) gateway.drop();
        return json({ ok: true });
      case '/rest': {
        const a = body.action;
        if (a === 'ratelimit') {
          rest.limits.set(body.route, { limit: body.limit, windowMs: body.windowMs });
          for (const key of rest.buckets.keys()) if (key.startsWith(`${body.route}:`)) rest.buckets.delete(key);
        }
        else if (a === 'force429') rest.faults.force429.push({ scope: body.scope ?? 'user', retryAfter: body.retryAfter ?? 0.2, count: body.count ?? 1, route: body.route });
        else if (a === 'fail') rest.faults.fail.push({ status: body.status ?? 500, count: body.count ?? 1, route: body.route });
        else if (a === 'delay') for (let i = 0; i < (body.count ?? 1); i++) rest.faults.delay.push({ ms: body.ms, route: body.route });
        else if (a === 'global') config.globalPerSecond = body.perSecond;
        else if (a === 'clear') rest.faults = { force429: [], fail: [], delay: [] };
        else return json({ message: `unknown rest action ${a}` }, 400);
        return json({ ok: true });
      }
      default:
        return json({ message: `unknown control call ${path}` }, 404);
    }
  };
}
