// Fidelity of the bundled server, proven with a client nobody here wrote: discord.js 14 connects,
// receives a message, replies, and resumes after a drop, exactly as it would against Discord.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import { startTestServer } from './helpers/server.mjs';

test('discord.js 14: connect, message in, reply, resume after a drop', { timeout: 60000 }, async () => {
  const server = await startTestServer({ heartbeatIntervalMs: 1000 });
  const w = server.world;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Channel],
    rest: { api: `${w.apiBaseUrl}/api` },
  });
  const messages = [];
  const nextMessage = (content) => new Promise((resolve) => {
    const check = (m) => { if (m.content === content) { client.off(Events.MessageCreate, check); resolve(m); } };
    client.on(Events.MessageCreate, check);
  });
  client.on(Events.MessageCreate, (m) => messages.push(m.content));
  try {
    const ready = once(client, Events.ClientReady);
    await client.login(w.token);
    await ready;
    assert.equal(client.user.id, w.botId);
    const guild = client.guilds.cache.get(w.guildId);
    assert.equal(guild?.name, 'Test Guild');
    assert.equal(guild.channels.cache.get(w.generalId)?.name, 'general');

    const incoming = nextMessage('hello discord.js');
    await server.say('hello discord.js');
    const m = await incoming;
    assert.equal(m.author.id, w.aliceId);
    assert.equal(m.channelId, w.generalId);
    assert.equal(m.member?.user.id, w.aliceId);

    const reply = await m.reply('pong');
    assert.equal(reply.content, 'pong');
    const stored = (await server.messages()).find((x) => x.id === reply.id);
    assert.equal(stored.message_reference.message_id, m.id);
    assert.equal(stored.author.id, w.botId);

    const resumed = once(client, Events.ShardResume);
    const last = nextMessage('djs-away 4');
    await server.gateway('drop');
    await server.post('/burst', { count: 5, prefix: 'djs-away' });
    await resumed;
    await last;
    assert.deepEqual(messages.filter((c) => c.startsWith('djs-away')), ['djs-away 0', 'djs-away 1', 'djs-away 2', 'djs-away 3', 'djs-away 4']);
    const stats = await server.stats();
    assert.equal(stats.gateway.identifies, 1, 'discord.js resumed instead of identifying again');
    assert.equal(stats.gateway.resumesViaResumeUrl, 1, 'discord.js resumed at resume_gateway_url');
  } finally {
    await client.destroy();
    await server.close();
  }
});

test('discord.js 14 with its JS thread blocked: the server drops it for missed heartbeats, it resumes, no event lost', { timeout: 60000 }, async () => {
  const server = await startTestServer({ heartbeatIntervalMs: 500 });
  const w = server.world;
  const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent], rest: { api: `${w.apiBaseUrl}/api` } });
  const messages = [];
  client.on(Events.MessageCreate, (m) => messages.push(m.content));
  try {
    const ready = once(client, Events.ClientReady);
    await client.login(w.token);
    await ready;
    const resumed = once(client, Events.ShardResume);
    const last = new Promise((resolve) => client.on(Events.MessageCreate, (m) => m.content === 'djs-blocked 19' && resolve()));
    await server.post('/burst', { count: 20, intervalMs: 100, prefix: 'djs-blocked' });
    // discord.js heartbeats from this thread: blocked for 3 s, it misses several beats.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
    await resumed;
    await last;
    assert.deepEqual(messages.filter((c) => c.startsWith('djs-blocked')), Array.from({ length: 20 }, (_, i) => `djs-blocked ${i}`));
    const stats = await server.stats();
    assert.ok(stats.gateway.heartbeatTimeouts >= 1, 'the server dropped the silent connection');
    assert.equal(stats.gateway.identifies, 1, 'the session stayed resumable');
  } finally {
    await client.destroy();
    await server.close();
  }
});
