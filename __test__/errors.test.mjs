// Every error code a user can meet: a stable `code`, a sentence that says what to do, and never
// the token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DiscordClient } from './helpers/addon.mjs';
import { startConnected, startTestServer } from './helpers/server.mjs';

let server, client, w, done;
const seen = [];
const rejectsWith = async (promise, code, check = () => true) => {
  await assert.rejects(promise, (e) => {
    seen.push(e);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    assert.ok(check(e), `unexpected error details: ${e.message}`);
    return true;
  });
};

before(async () => {
  ({ server, client, w, done } = await startConnected());
});

after(async () => {
  await done();
  for (const e of seen) assert.ok(!e.message.includes(w.token), `token leaked into: ${e.message}`);
});

/** A port on 127.0.0.1 with nothing listening. */
async function deadPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

test('INVALID_TOKEN at connect (gateway close 4004) and on REST (401)', async () => {
  const bad = new DiscordClient(server.clientOptions({ token: 'Bot not-the-right.token.value' }));
  const states = [];
  bad.onEvent((e) => e.type === 'stateChange' && states.push(e.state));
  await rejectsWith(bad.connect(), 'INVALID_TOKEN', (e) => /Developer Portal/.test(e.message) && !e.message.includes('not-the-right'));
  await rejectsWith(bad.sendMessage(w.generalId, { content: 'x' }), 'INVALID_TOKEN', (e) => e.httpStatus === 401);
  await bad.disconnect();
  assert.equal(bad.status().state, 'disconnected');
});

test('DISALLOWED_INTENTS (close 4014) says to enable Message Content Intent', async () => {
  const strict = await startTestServer({ allowedIntents: 0 });
  try {
    const c = new DiscordClient(strict.clientOptions());
    await rejectsWith(c.connect(), 'DISALLOWED_INTENTS', (e) => /Message Content Intent/.test(e.message) && /Developer Portal/.test(e.message));
    // Without the privileged intent the same server accepts the connection.
    const ok = new DiscordClient(strict.clientOptions({ intents: ['Guilds', 'GuildMessages'] }));
    await ok.connect();
    await ok.disconnect();
  } finally {
    await strict.close();
  }
});

test('UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, MISSING_ACCESS, MISSING_PERMISSIONS', async () => {
  await rejectsWith(client.sendMessage('1234567890123', { content: 'x' }), 'UNKNOWN_CHANNEL', (e) => e.discordCode === 10003 && e.httpStatus === 404);
  await rejectsWith(client.editMessage(w.generalId, '1234567890123', { content: 'x' }), 'UNKNOWN_MESSAGE', (e) => e.discordCode === 10008);
  await rejectsWith(client.fetchMessages(w.secretId), 'MISSING_ACCESS', (e) => /View Channel/.test(e.message));
  await rejectsWith(client.sendMessage(w.readonlyId, { content: 'x' }), 'MISSING_PERMISSIONS', (e) => e.discordCode === 50013);
});

test("INVALID_FORM_BODY carries Discord's field errors", async () => {
  await rejectsWith(client.sendMessage(w.generalId, { embeds: [{ title: 'x', url: 'ftp://example.com' }] }), 'INVALID_FORM_BODY',
    (e) => e.fieldErrors.length === 1 && e.fieldErrors[0].startsWith('embeds.0.url: Scheme "ftp" is not supported') && e.message.includes('embeds.0.url'));
});

test('CONTENT_TOO_LONG and other bad messages are refused before sending', async () => {
  await server.mark();
  await rejectsWith(client.sendMessage(w.generalId, { content: 'x'.repeat(2001) }), 'CONTENT_TOO_LONG', (e) => /2001 characters/.test(e.message) && /splitMessage/.test(e.message));
  await rejectsWith(client.sendMessage(w.generalId, { content: '' }), 'INVALID_MESSAGE', (e) => /empty/.test(e.message));
  await rejectsWith(client.sendMessage(w.generalId, { embeds: [{ title: 't'.repeat(257) }] }), 'INVALID_MESSAGE', (e) => /embeds\[0\]\.title is 257 characters/.test(e.message));
  await rejectsWith(client.sendMessage(w.generalId, { content: 'x', components: [[{ label: 'no id' }]] }), 'INVALID_MESSAGE', (e) => /customId/.test(e.message));
  await rejectsWith(client.sendMessage(w.generalId, { content: 'x', files: [{ path: '/definitely/not/here.txt' }] }), 'FILE_NOT_FOUND', (e) => /not\/here\.txt/.test(e.message));
  await rejectsWith(client.sendMessage(w.generalId, { content: 'x', files: [{ data: Buffer.alloc(10 * 1024 * 1024 + 1), name: 'big.bin' }] }), 'FILE_TOO_LARGE', (e) => /big\.bin/.test(e.message));
  await rejectsWith(client.sendMessage('#general', { content: 'x' }), 'INVALID_ID', (e) => e.message.includes('"#general"'));
  await rejectsWith(client.fetchMessages(w.generalId, { limit: 500 }), 'INVALID_OPTION', (e) => /1 to 100/.test(e.message));
  const log = await server.get(`/log?after=${server.cursor}`);
  assert.equal(log.filter((e) => e.kind === 'rest').length, 0, 'nothing invalid reached the server');
});

test('NOT_CONNECTED before connect for calls that need the session', async () => {
  const fresh = new DiscordClient(server.clientOptions());
  await rejectsWith(fresh.registerCommands([{ name: 'ask', description: 'Ask' }]), 'NOT_CONNECTED', (e) => /connect\(\)/.test(e.message));
  assert.equal(fresh.status().state, 'disconnected');
});

test('ALREADY_CONNECTED on a second connect, even one made in the same tick', async () => {
  await rejectsWith(client.connect(), 'ALREADY_CONNECTED');
  const fresh = new DiscordClient(server.clientOptions());
  const first = fresh.connect();
  await rejectsWith(fresh.connect(), 'ALREADY_CONNECTED');
  await first;
  await fresh.disconnect();
});

test('DISCORD_UNAVAILABLE fast on a dead port, naming the address; no fallback to discord.com', async () => {
  const port = await deadPort();
  const c = new DiscordClient({ token: w.token, apiBaseUrl: `http://127.0.0.1:${port}` });
  const started = Date.now();
  await rejectsWith(c.connect(), 'DISCORD_UNAVAILABLE', (e) => e.message.includes(`127.0.0.1:${port}`));
  assert.ok(Date.now() - started < 5000, 'a refused connection fails at once, not after retries');
  const g = new DiscordClient({ token: w.token, apiBaseUrl: w.apiBaseUrl, gatewayUrl: `ws://127.0.0.1:${port}` });
  await rejectsWith(g.connect(), 'DISCORD_UNAVAILABLE', (e) => e.message.includes(`ws://127.0.0.1:${port}`));
});

test('DISCORD_UNAVAILABLE after 5xx retries are exhausted; TIMEOUT past requestTimeoutMs', async () => {
  await server.rest('fail', { status: 503, count: 10 });
  await server.mark();
  await rejectsWith(client.typing(w.generalId), 'DISCORD_UNAVAILABLE', (e) => e.httpStatus === 503);
  const attempts = (await server.get(`/log?after=${server.cursor}`)).filter((e) => e.kind === 'rest' && e.path.endsWith('/typing'));
  assert.equal(attempts.length, 4, 'one try and three retries, then a clear error');
  await server.rest('clear');
  const slow = new DiscordClient(server.clientOptions({ requestTimeoutMs: 200 }));
  await server.rest('delay', { ms: 1500 });
  await rejectsWith(slow.typing(w.generalId), 'TIMEOUT', (e) => /200 ms/.test(e.message));
});

test('bad options throw at construction with the fix in the message', () => {
  const throwsWith = (opts, code, re) => assert.throws(() => new DiscordClient(opts), (e) => e.code === code && re.test(e.message));
  throwsWith({ token: '' }, 'INVALID_OPTION', /DISCORD_TOKEN/);
  throwsWith({ token: 'abc', intents: ['MessageContents'] }, 'INVALID_OPTION', /unknown intent "MessageContents".*MessageContent/);
  throwsWith({ token: 'abc', apiBaseUrl: '127.0.0.1:3000' }, 'INVALID_OPTION', /apiBaseUrl/);
  throwsWith({ token: 'abc', apiBaseUrl: 'http://127.0.0.1:3000/api/v10' }, 'INVALID_OPTION', /must not have a path/);
  throwsWith({ token: 'abc', gatewayUrl: 'http://127.0.0.1:3000' }, 'INVALID_OPTION', /ws:\/\//);
});
