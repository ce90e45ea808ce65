// Discord's rate limits honoured before sending, 429s retried after retry_after, 5xx retried with
// back-off. Timing claims are read from the server's own log (when requests arrived).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sendWebhook } from './helpers/addon.mjs';
import { startConnected } from './helpers/server.mjs';

let server, client, w, done;

before(async () => {
  ({ server, client, w, done } = await startConnected());
});

after(async () => {
  await done();
});

const restSince = async (cursor) => (await server.get(`/log?after=${cursor}`)).filter((e) => e.kind === 'rest');

test('every REST answer carries Discord rate-limit headers', async () => {
  const res = await fetch(`${w.apiBaseUrl}/api/v10/channels/${w.generalId}/messages?limit=1`, { headers: { authorization: `Bot ${w.token}` } });
  for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) assert.ok(res.headers.get(h), h);
});

test('a route 429 is retried after retry_after, transparently', async () => {
  const cursor = await server.mark();
  await server.rest('force429', { scope: 'user', retryAfter: 0.3, count: 1 });
  const sent = await client.sendMessage(w.generalId, { content: 'after a 429' });
  assert.equal(sent.content, 'after a 429');
  const log = await restSince(cursor);
  const posts = log.filter((e) => e.method === 'POST');
  assert.deepEqual(posts.map((e) => e.status), [429, 200]);
  assert.ok(posts[1].at - posts[0].at >= 300, `retried ${posts[1].at - posts[0].at} ms after the 429`);
});

test('a global 429 holds every route until retry_after', async () => {
  const cursor = await server.mark();
  await server.rest('force429', { scope: 'global', retryAfter: 0.4, count: 1 });
  const first = client.typing(w.generalId);
  await server.waitFor((e) => e.kind === 'rest' && e.status === 429);
  const second = client.sendMessage(w.opsId, { content: 'other route' });
  await Promise.all([first, second]);
  const log = await restSince(cursor);
  const limited = log.find((e) => e.status === 429);
  const afterwards = log.filter((e) => e.n > limited.n);
  assert.equal(afterwards.length, 2);
  for (const e of afterwards) assert.ok(e.at - limited.at >= 400, `${e.method} ${e.path} went out ${e.at - limited.at} ms after a global 429`);
  assert.equal((await server.stats()).rest.globalRateLimited, 1);
});

test('a 3-per-second bucket: ten concurrent sends, zero 429s, delivered in call order', async () => {
  await server.rest('ratelimit', { route: 'POST /channels/:id/messages', limit: 3, windowMs: 1000 });
  const before = (await server.stats()).rest.rateLimited;
  const sends = Array.from({ length: 10 }, (_, i) => client.sendMessage(w.opsId, { content: `bucket ${i}` }));
  const sent = await Promise.all(sends);
  assert.deepEqual(sent.map((m) => m.content), Array.from({ length: 10 }, (_, i) => `bucket ${i}`));
  const stored = (await server.messages(w.opsId)).filter((m) => m.content.startsWith('bucket')).map((m) => m.content);
  assert.deepEqual(stored, Array.from({ length: 10 }, (_, i) => `bucket ${i}`));
  assert.equal((await server.stats()).rest.rateLimited, before, 'the limiter waited instead of hitting 429');
  await server.rest('ratelimit', { route: 'POST /channels/:id/messages', limit: 50, windowMs: 1000 });
});

test('5xx answers are retried with back-off and the call succeeds', async () => {
  const cursor = await server.mark();
  await server.rest('fail', { status: 502, count: 2 });
  const sent = await client.sendMessage(w.generalId, { content: 'survived two 502s' });
  assert.equal(sent.content, 'survived two 502s');
  const posts = (await restSince(cursor)).filter((e) => e.method === 'POST');
  assert.deepEqual(posts.map((e) => e.status), [502, 502, 200]);
  const stored = (await server.messages()).filter((m) => m.content === 'survived two 502s');
  assert.equal(stored.length, 1);
});

test('401/403/404 are never retried', async () => {
  const cursor = await server.mark();
  await assert.rejects(client.sendMessage('1234567890123', { content: 'x' }), { code: 'UNKNOWN_CHANNEL' });
  await assert.rejects(client.sendMessage(w.readonlyId, { content: 'x' }), { code: 'MISSING_PERMISSIONS' });
  assert.equal((await restSince(cursor)).length, 2);
});

test('webhook sends share one limiter per webhook: a 2-per-second webhook bucket gives no 429', async () => {
  await server.rest('ratelimit', { route: 'POST /webhooks/:id/:token', limit: 2, windowMs: 1000 });
  const before = (await server.stats()).rest.rateLimited;
  const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => sendWebhook(w.webhookUrl, { content: `hook ${i}` })));
  assert.deepEqual(sent.map((m) => m.content), ['hook 0', 'hook 1', 'hook 2', 'hook 3', 'hook 4']);
  assert.equal((await server.stats()).rest.rateLimited, before);
});
