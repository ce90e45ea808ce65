// The gateway under faults: drops, op 7, op 9, zombies, bursts, a busy JS thread, bad payloads.
// Every test asserts what a user of the event stream observes: nothing lost, nothing reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnected as setup } from './helpers/server.mjs';

const contents = (events, prefix) => events.of('messageCreate').map((e) => e.message.content).filter((c) => c.startsWith(prefix));
const expected = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

test('a dropped connection resumes at resume_gateway_url and loses no event', async () => {
  const { server, client, events, done } = await setup();
  try {
    const from = events.events.length;
    await server.gateway('drop');
    await server.post('/burst', { count: 50, prefix: 'while-away' });
    await events.wait((e) => e.type === 'stateChange' && e.state === 'connected' && e.resumed === true, { from });
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'while-away 49', { from });
    assert.deepEqual(contents(events, 'while-away'), expected('while-away', 50));
    const stats = await server.stats();
    assert.equal(stats.gateway.identifies, 1, 'resumed, not re-identified');
    assert.equal(stats.gateway.resumesViaResumeUrl, 1);
    assert.equal(events.of('ready').length, 1);
    assert.equal(client.status().reconnects, 1);
    assert.equal(client.status().state, 'connected');
  } finally { await done(); }
});

test('op 7 (reconnect) resumes immediately', async () => {
  const { server, events, done } = await setup();
  try {
    const from = events.events.length;
    await server.gateway('op7');
    await server.post('/burst', { count: 20, prefix: 'after-op7' });
    const change = await events.wait((e) => e.type === 'stateChange' && e.state === 'resuming', { from });
    assert.match(change.reason, /op 7/);
    await events.wait((e) => e.type === 'stateChange' && e.state === 'connected' && e.resumed === true, { from });
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'after-op7 19', { from });
    assert.deepEqual(contents(events, 'after-op7'), expected('after-op7', 20));
    assert.equal((await server.stats()).gateway.identifies, 1);
  } finally { await done(); }
});

test('op 9 resumable resumes; op 9 not resumable starts a new session and says so', async () => {
  const { server, events, done } = await setup();
  try {
    let from = events.events.length;
    await server.gateway('op9', { resumable: true });
    await events.wait((e) => e.type === 'stateChange' && e.state === 'connected' && e.resumed === true, { from });
    from = events.events.length;
    await server.gateway('op9', { resumable: false });
    const reconnecting = await events.wait((e) => e.type === 'stateChange' && e.state === 'reconnecting', { from });
    assert.match(reconnecting.reason, /not resumable/);
    await events.wait((e) => e.type === 'stateChange' && e.state === 'connected' && e.resumed === false, { from });
    await events.wait((e) => e.type === 'ready', { from });
    assert.equal((await server.stats()).gateway.identifies, 2);
  } finally { await done(); }
});

test('a zombie connection (no heartbeat ACK) is detected and resumed', async () => {
  const { server, events, done } = await setup({ heartbeatIntervalMs: 250 });
  try {
    const from = events.events.length;
    await server.gateway('zombie', { on: true });
    const change = await events.wait((e) => e.type === 'stateChange' && e.state === 'resuming', { from });
    assert.match(change.reason, /zombie/);
    await server.gateway('zombie', { on: false });
    await events.wait((e) => e.type === 'stateChange' && e.state === 'connected' && e.resumed === true, { from });
    await server.say('still here');
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'still here', { from });
  } finally { await done(); }
});

test('a 10,000-message burst arrives complete and in order', async () => {
  const { server, events, done } = await setup();
  try {
    await server.post('/burst', { count: 10000, prefix: 'burst' });
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'burst 9999', { timeoutMs: 60000 });
    assert.deepEqual(contents(events, 'burst '), expected('burst', 10000));
  } finally { await done(); }
});

test('the JS thread blocked for 5 s with a 250 ms heartbeat: no reconnect, every event in order', async () => {
  const { server, client, events, done } = await setup({ heartbeatIntervalMs: 250 });
  try {
    const before = (await server.stats()).gateway.heartbeats;
    await server.post('/burst', { count: 100, intervalMs: 40, prefix: 'blocked' });
    // The subject of this test: the JS thread does nothing for 5 s while Discord keeps talking.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'blocked 99');
    assert.deepEqual(contents(events, 'blocked'), expected('blocked', 100));
    const stats = await server.stats();
    assert.ok(stats.gateway.heartbeats - before >= 15, `heartbeats went on while JS was blocked (${stats.gateway.heartbeats - before})`);
    assert.equal(stats.gateway.identifies, 1);
    assert.equal(stats.gateway.resumes, 0);
    assert.equal(client.status().reconnects, 0);
    assert.deepEqual(events.of('stateChange').map((e) => e.state), ['connecting', 'connected']);
  } finally { await done(); }
});

test('a malformed known event is reported as MALFORMED_EVENT and the stream goes on', async () => {
  const { server, events, done } = await setup();
  try {
    await server.post('/dispatch', { t: 'MESSAGE_CREATE', d: { id: 'not-a-snowflake', content: 42 } });
    await server.say('after the bad one');
    const err = await events.wait((e) => e.type === 'error');
    assert.equal(err.code, 'MALFORMED_EVENT');
    assert.match(err.message, /MESSAGE_CREATE/);
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'after the bad one');
    // Events the stream does not carry are ignored quietly.
    await server.post('/dispatch', { t: 'SOME_FUTURE_EVENT', d: { x: 1 } });
    await server.say('and after an unknown one');
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'and after an unknown one');
    assert.equal(events.of('error').length, 1);
  } finally { await done(); }
});

test('a throwing listener does not stop the stream or the process', async () => {
  const { server, client, events, done } = await setup();
  try {
    const seen = [];
    let sawTwo;
    const two = new Promise((r) => { sawTwo = r; });
    client.onEvent((e) => {
      if (e.type === 'messageCreate') seen.push(e.message.content);
      if (e.type === 'messageCreate' && e.message.content === 'two') sawTwo();
      throw new Error('listener bug');
    });
    await server.say('one');
    await server.say('two');
    await two;
    assert.deepEqual(seen, ['one', 'two'], 'the throwing listener itself keeps getting events');
    await server.say('three');
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'three');
    assert.equal(client.status().state, 'connected');
  } finally { await done(); }
});

test('disconnect closes with code 1000; connect → disconnect → connect works', async () => {
  const { server, client, events, done } = await setup();
  try {
    await server.mark();
    await client.disconnect();
    await server.waitFor((e) => e.kind === 'gateway' && e.event === 'closed' && e.code === 1000);
    assert.equal(client.status().state, 'disconnected');
    const last = events.events.at(-1);
    assert.deepEqual([last.type, last.state, last.reason], ['stateChange', 'disconnected', 'disconnect() called']);
    const again = await client.connect();
    assert.ok(again.sessionId);
    await server.say('second life');
    await events.wait((e) => e.type === 'messageCreate' && e.message.content === 'second life');
    assert.equal(events.of('ready').length, 2);
  } finally { await done(); }
});

test('without the MessageContent intent, content is empty unless the bot is mentioned (as on Discord)', async () => {
  const { server, events, w, done } = await setup({}, { intents: ['Guilds', 'GuildMessages'] });
  try {
    await server.say('secret plans');
    await server.say(`<@${w.botId}> hello`);
    const mention = await events.wait((e) => e.type === 'messageCreate' && e.message.content.includes('hello'));
    const plain = events.of('messageCreate').find((e) => e.message.id !== mention.message.id);
    assert.equal(plain.message.content, '');
  } finally { await done(); }
});
