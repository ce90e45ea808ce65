// Nothing the extension sends on its own is lost or doubled: Discord unreachable at start, 5xx
// beyond the core's own retries, and omp killed (kill -9) mid-send then restarted. Inside the real
// omp, against the bundled server; each test counts the messages Discord ends up with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeHome, startOmp, startWorld, extensionLogErrors } from './omp/harness.mjs';

let server, model, w, world;

before(async () => {
  world = await startWorld();
  ({ server, model, w } = world);
});

after(() => world.close());

const env = () => ({ DISCORD_TOKEN: w.token, DISCORD_CHANNEL_ID: w.generalId, DISCORD_API_BASE_URL: w.apiBaseUrl, DISCORD_ALLOWED_USERS: w.aliceId });
const withAnswer = (channel, text) => server.messages(channel).then((ms) => ms.filter((m) => m.embeds?.[0]?.description === text));
const posted = (text) => (e) => e.kind === 'rest' && e.method === 'POST' && e.status === 200 && e.body?.embeds?.[0]?.description === text;

/** `/discord status` until its Outbox line matches (the notifier merges for 750 ms before queueing). */
async function outboxLine(omp, pattern) {
  let line;
  for (let i = 0; i < 100; i++) {
    const [status] = await omp.command('/discord status');
    line = /Outbox: .*/.exec(status)?.[0];
    if (line && pattern.test(line)) return line;
    await omp.wait((f) => f.type === 'extension_ui_request', { from: omp.frames.length, timeoutMs: 2000 }).catch(() => {});
  }
  throw new Error(`the outbox never showed ${pattern}; last: ${line}`);
}

async function closeClean(omp, home) {
  if (omp.child.signalCode) return; // the killed one, when the test failed before the restart
  assert.equal(await omp.close(), 0, omp.stderr.slice(-2000));
  assert.deepEqual(extensionLogErrors(home), []);
}

test('Discord unreachable at start: omp works, the answer waits in the outbox and lands once when Discord is back', async () => {
  await server.post('/outage', { on: true });
  const home = makeHome(model);
  model.clear();
  const omp = await startOmp({ home, env: env() });
  try {
    const answer = 'Answer written while Discord was unreachable.';
    model.queue({ text: answer });
    await omp.prompt('work while Discord is away');
    assert.match(await outboxLine(omp, /1 waiting/), /Outbox: 1 waiting \(oldest \d+ s\)/);
    await server.mark();
    await server.post('/outage', { on: false });
    await server.waitFor(posted(answer), { timeoutMs: 90000 });
    assert.equal((await withAnswer(w.generalId, answer)).length, 1);
    assert.equal(await outboxLine(omp, /empty/), 'Outbox: empty');
  } finally {
    await server.post('/outage', { on: false });
    await closeClean(omp, home);
  }
});

test('an outage mid-run: the answer waits while Discord is gone and lands once when it is back', async () => {
  const home = makeHome(model);
  model.clear();
  const omp = await startOmp({ home, env: env() });
  try {
    await outboxLine(omp, /empty/);
    await server.post('/outage', { on: true });
    const answer = 'Answer finished during an outage.';
    model.queue({ text: answer });
    await omp.prompt('finish while Discord is down');
    assert.match(await outboxLine(omp, /1 waiting/), /Outbox: 1 waiting/);
    await server.mark();
    await server.post('/outage', { on: false });
    const landed = await server.waitFor(posted(answer), { timeoutMs: 90000 });
    assert.equal((await withAnswer(landed.path.split('/')[4], answer)).length, 1);
    assert.equal(await outboxLine(omp, /empty/), 'Outbox: empty');
  } finally {
    await server.post('/outage', { on: false });
    await closeClean(omp, home);
  }
});

test('5xx past the core\'s own retries: the outbox retries with backoff and the answer lands once', async () => {
  const home = makeHome(model);
  model.clear();
  const omp = await startOmp({ home, env: env() });
  try {
    await outboxLine(omp, /empty/);
    const answer = 'Answer sent through a run of 503s.';
    await server.mark();
    await server.rest('fail', { status: 503, count: 6, route: 'POST /channels/:id/messages' });
    model.queue({ text: answer });
    await omp.prompt('answer through the 503s');
    const landed = await server.waitFor(posted(answer), { timeoutMs: 60000 });
    const channel = landed.path.split('/')[4];
    assert.equal((await withAnswer(channel, answer)).length, 1);
    const failures = (await server.get(`/log?after=${server.cursor}`)).filter((e) => e.kind === 'rest' && e.status === 503);
    assert.equal(failures.length, 6, 'every 503 was answered by a retry, none skipped');
  } finally {
    await server.rest('clear');
    await closeClean(omp, home);
  }
});

test('omp killed (kill -9) while a notification is in flight, then restarted: it lands exactly once', async () => {
  const home = makeHome(model);
  model.clear();
  let omp = await startOmp({ home, env: env() });
  const answer = 'Answer whose sender was killed mid-send.';
  try {
    await outboxLine(omp, /empty/);
    await server.mark();
    // Discord holds the create for 1.5 s; omp dies meanwhile; Discord then creates the message anyway.
    await server.rest('delay', { ms: 1500, route: 'POST /channels/:id/messages' });
    model.queue({ text: answer });
    omp.send({ type: 'prompt', message: 'answer, then get killed' });
    await server.waitFor((e) => e.kind === 'rest-delayed', { timeoutMs: 30000 });
    omp.child.kill('SIGKILL');
    const first = await server.waitFor(posted(answer), { timeoutMs: 10000 });
    const channel = first.path.split('/')[4];
    assert.equal((await withAnswer(channel, answer)).length, 1, 'Discord created it once, though omp never heard back');

    await server.mark();
    omp = await startOmp({ home, env: env() });
    // The restarted omp finds the message still in its outbox and sends it again, with the same nonce.
    const again = await server.waitFor(posted(answer), { timeoutMs: 30000 });
    assert.equal(again.body.nonce, first.body.nonce);
    assert.equal(await outboxLine(omp, /empty/), 'Outbox: empty');
    assert.equal((await withAnswer(channel, answer)).length, 1, 'exactly one message in the end');
  } finally {
    await server.rest('clear');
    await closeClean(omp, home);
  }
});

test('an outbox that cannot be opened: omp starts, says why, and notifications still go out directly', async () => {
  const home = makeHome(model);
  mkdirSync(join(home, '.omp', 'agent', 'discord-outbox.sqlite')); // a directory where the database should be
  model.clear();
  const omp = await startOmp({ home, env: env() });
  try {
    const answer = 'Answer sent without an outbox.';
    await server.mark();
    model.queue({ text: answer });
    await omp.prompt('answer without an outbox');
    await server.waitFor(posted(answer), { timeoutMs: 20000 });
    const [status] = await omp.command('/discord status');
    assert.match(status, /Outbox: could not be opened \(.+\); notifications are sent without it/);
  } finally {
    await closeClean(omp, home);
  }
});
