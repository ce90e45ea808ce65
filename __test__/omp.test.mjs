// The extension inside the real omp (RPC mode), with the scripted model as its LLM and the
// bundled Discord-compatible server as Discord. Each test fails if OMP logged an extension error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHome, startOmp, startWorld, extensionLogErrors, ROOT } from './omp/harness.mjs';

let server, model, w, world;

before(async () => {
  world = await startWorld();
  ({ server, model, w } = world);
});

after(() => world.close());

const botEnv = () => ({ DISCORD_TOKEN: w.token, DISCORD_CHANNEL_ID: w.generalId, DISCORD_API_BASE_URL: w.apiBaseUrl });

/** Runs one omp session for a test and checks, at the end, that it exits cleanly with no extension errors. */
async function withOmp(env, fn, homeOptions) {
  const home = makeHome(model, homeOptions);
  model.clear();
  const omp = await startOmp({ home, env });
  try {
    await fn(omp);
  } finally {
    const code = await omp.close();
    assert.equal(code, 0, `omp exited with ${code}: ${omp.stderr.slice(-2000)}`);
    assert.deepEqual(extensionLogErrors(home), [], 'OMP logged an extension error');
    assert.deepEqual(omp.frames.filter((f) => f.type === 'extension_error'), []);
  }
}

const lastToolResult = (request) => request.messages.filter((m) => m.role === 'tool').at(-1)?.content;
const waitForBotMessage = (pred) => server.waitFor((e) => e.kind === 'rest' && e.method === 'POST' && e.status === 200 && pred(e.body ?? {}), { timeoutMs: 20000 });

test('the model calls discord_send: the message lands in the channel, and agent_end posts the answer', async () => {
  await withOmp(botEnv(), async (omp) => {
    await server.mark();
    const base = model.requests.length;
    model.queue({ toolCalls: [{ name: 'discord_send', arguments: { content: 'Build is green ✅' } }] }, { text: 'I told the team the build is green.' });
    await omp.prompt('tell discord the build is green');
    const offered = model.requests[base].tools.map((t) => t.function.name);
    for (const name of ['discord_send', 'discord_read', 'discord_channels', 'discord_edit', 'discord_react', 'discord_thread', 'discord_upload']) assert.ok(offered.includes(name), `${name} is offered to the model`);
    assert.match(lastToolResult(model.requests[base + 1]), /^Sent 1 message to channel \d+ \(id \d+\)\.$/);
    const sent = (await server.messages()).filter((m) => m.content === 'Build is green ✅');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].author.id, w.botId);
    const note = await waitForBotMessage((b) => b.embeds?.[0]?.title?.includes('finished'));
    assert.equal(note.body.embeds[0].description, 'I told the team the build is green.');
    const fields = Object.fromEntries(note.body.embeds[0].fields.map((f) => [f.name, f.value]));
    assert.match(fields.Tokens, /in · .* out/);
    assert.equal(fields.Model, 'scripted');
    assert.deepEqual(note.body.allowed_mentions, { parse: [], replied_user: false });
  });
});

test('discord_read gives the model what users wrote; "#name" channels resolve', async () => {
  await server.say('the deploy failed on step 3', { author: 'alice', channelId: w.opsId });
  await withOmp(botEnv(), async (omp) => {
    const base = model.requests.length;
    model.queue({ toolCalls: [{ name: 'discord_read', arguments: { channel: '#ops', limit: 5 } }] }, { text: 'Alice says the deploy failed.' });
    await omp.prompt('what is happening in #ops?');
    const result = lastToolResult(model.requests[base + 1]);
    assert.match(result, /\[\d\d:\d\d\] Alice \(id \d+\): the deploy failed on step 3/);
    model.queue({ toolCalls: [{ name: 'discord_read', arguments: { channel: '#nope' } }] }, { text: 'No such channel.' });
    await omp.prompt('read #nope');
    assert.match(lastToolResult(model.requests.at(-1)), /There is no channel named #nope\. Text channels the bot can see: .*#general/);
  });
});

test('long answers: split without breaking code fences; very long ones attached as answer.md', async () => {
  await withOmp(botEnv(), async (omp) => {
    const code = Array.from({ length: 120 }, (_, i) => `const value${i} = compute(${i}); // step ${i}`).join('\n');
    const answer = `Here is the patch:\n\`\`\`ts\n${code}\n\`\`\`\nDone.`;
    assert.ok(answer.length > 4000 && answer.length < 8000);
    await server.mark();
    model.queue({ text: answer });
    await omp.prompt('write the code');
    await waitForBotMessage((b) => b.content?.endsWith('Done.'));
    const posted = (await server.get(`/log?after=${server.cursor}`)).filter((e) => e.kind === 'rest' && e.method === 'POST' && e.status === 200).map((e) => e.body);
    const pieces = posted.filter((b) => b.content).map((b) => b.content);
    assert.ok(pieces.length >= 3, `split into ${pieces.length} messages`);
    for (const p of pieces) {
      assert.ok(p.length <= 2000);
      assert.equal((p.match(/```/g) ?? []).length % 2, 0, 'each piece has balanced fences');
    }
    for (let i = 0; i < 120; i++) assert.ok(pieces.some((p) => p.includes(`const value${i} = compute(${i});`)), `line ${i} kept`);

    // Varied text: OMP's loop guard re-samples answers that repeat themselves.
    const vocab = ['deploy', 'cache', 'rollback', 'queue', 'latency', 'schema', 'index', 'replica', 'token', 'budget', 'shard', 'metric'];
    let seed = 7;
    const word = () => vocab[(seed = (seed * 1103515245 + 12345) % 2147483648) % vocab.length];
    const huge = Array.from({ length: 900 }, (_, i) => `${i}. ${word()} ${word()} ${word()} ${word()}.`).join('\n');
    assert.ok(huge.length > 8000);
    await server.mark();
    model.queue({ text: huge });
    await omp.prompt('write a novel');
    const withFile = await waitForBotMessage((b) => b.embeds?.[0]?.description?.includes('answer.md'));
    assert.equal(withFile.body.attachments[0].filename, 'answer.md');
    const channelId = withFile.path.split('/')[4];
    const stored = (await server.messages(channelId)).at(-1);
    assert.equal(await (await fetch(stored.attachments[0].url)).text(), huge, 'the whole answer, as the .md file');
  });
});

test('secrets never reach Discord: tool sends, answers and answer.md are redacted', async () => {
  const secrets = {
    env: 'dk-live-7f3a9c1e5b2d4f60a8', // the value of DEPLOY_API_KEY below
    github: 'ghp_Abcdefghijklmnopqrstuvwxyz0123456789',
    key: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbXAtdGVzdCJ9.c2lnbmF0dXJlLWZvci10ZXN0',
  };
  await withOmp({ ...botEnv(), DEPLOY_API_KEY: secrets.env }, async (omp) => {
    await server.mark();
    model.queue({ toolCalls: [{ name: 'discord_send', arguments: { content: `deploy key ${secrets.env}, gh ${secrets.github}` } }] }, { text: `Posted. The bot token is ${w.token} and the session JWT is ${secrets.jwt}.` });
    await omp.prompt('post the deploy key');
    await waitForBotMessage((b) => b.embeds?.[0]?.description?.startsWith('Posted.'));
    const filler = Array.from({ length: 700 }, (_, i) => `${i}. line ${i * 7919 % 1000} of the key report`).join('\n');
    await server.mark();
    model.queue({ text: `Here is the key:\n${secrets.key}\n${filler}` });
    await omp.prompt('show me the key file');
    const withFile = await waitForBotMessage((b) => b.embeds?.[0]?.description?.includes('answer.md'));
    const channelId = withFile.path.split('/')[4];
    const stored = (await server.messages(channelId)).at(-1);
    const file = await (await fetch(stored.attachments[0].url)).text();
    assert.ok(file.includes('Here is the key:') && file.includes('[redacted]'), 'answer.md is sent, redacted');
    const everything = JSON.stringify([await server.messages(), await server.messages(channelId)]) + file;
    for (const [name, value] of Object.entries({ ...secrets, token: w.token })) {
      assert.ok(!everything.includes(value.split('\n')[0].slice(-12)), `the ${name} never reached Discord`);
    }
    const sent = (await server.messages()).find((m) => m.content.startsWith('deploy key'));
    assert.equal(sent.content, 'deploy key [redacted], gh [redacted]');
  });
});

test('the model keeps failing: when omp gives up retrying, Discord is told why', async () => {
  const home = makeHome(model);
  // Few, fast retries (OMP's settings), and a provider that answers 503 with retry-after-ms.
  writeFileSync(join(home, '.omp', 'agent', 'config.yml'), 'retry:\n  maxRetries: 1\n  baseDelayMs: 50\n');
  model.clear();
  const omp = await startOmp({ home, env: botEnv() });
  try {
    for (let i = 0; i < 40; i++) model.queue({ status: 503, message: 'The model is overloaded.', headers: { 'retry-after-ms': '1' } });
    await server.mark();
    omp.send({ type: 'prompt', message: 'this will not work' });
    const notice = await waitForBotMessage((b) => /gave up after \d+ attempts?/.test(b.embeds?.[0]?.title ?? ''));
    assert.match(notice.body.embeds[0].description, /503 The model is overloaded/);
  } finally {
    model.clear();
    assert.equal(await omp.close(), 0, omp.stderr.slice(-2000));
    assert.deepEqual(extensionLogErrors(home), []);
  }
});

test('/discord status tells the user what is connected, and the status line follows the connection', async () => {
  await withOmp(botEnv(), async (omp) => {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /omp-bot/.test(f.statusText ?? ''));
    const [text] = await omp.command('/discord status');
    assert.match(text, /Discord: connected as omp-bot/);
    assert.match(text, /Servers: Test Guild/);
    assert.match(text, new RegExp(`Home channel: ${w.generalId}`));
    const [test] = await omp.command('/discord test');
    assert.match(test, /Sent a test message \(id \d+\)/);
    const [off] = await omp.command('/discord disconnect');
    assert.match(off, /disconnected/);
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && f.statusText === 'Discord: disconnected');
  });
});

test('without an allowlist there are no approvals: a risky command just runs', async () => {
  await withOmp(botEnv(), async (omp) => {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /omp-bot/.test(f.statusText ?? ''));
    model.queue({ toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf build' } }] }, { text: 'Done.' });
    await omp.prompt('clean');
    assert.match(lastToolResult(model.requests.at(-1)), /rm -rf build/);
  });
});

test('webhook-only mode: notifications go through the webhook; bot-only tools say what is missing', async () => {
  await withOmp({ DISCORD_WEBHOOK_URL: w.webhookUrl }, async (omp) => {
    await server.mark();
    model.queue({ toolCalls: [{ name: 'discord_read', arguments: {} }] }, { toolCalls: [{ name: 'discord_send', arguments: { content: 'via webhook' } }] }, { text: 'Posted through the webhook.' });
    await omp.prompt('read and post');
    const results = model.requests.slice(-2).map(lastToolResult);
    assert.match(results[0], /needs a bot.*DISCORD_TOKEN/);
    assert.match(results[1], /Sent 1 message to channel/);
    const note = await waitForBotMessage((b) => b.embeds?.[0]?.description === 'Posted through the webhook.');
    assert.match(note.path, /^\/api\/v10\/webhooks\/\d+\/\[token\]$/);
    const [status] = await omp.command('/discord');
    assert.match(status, /webhook-only mode/);
  });
});

test('no configuration: omp starts and answers, the status line says "not configured", /discord explains setup', async () => {
  await withOmp({}, async (omp) => {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && f.statusText === 'Discord: not configured');
    model.queue({ toolCalls: [{ name: 'discord_send', arguments: { content: 'hi' } }] }, { text: 'ok' });
    await omp.prompt('say hi on discord');
    assert.match(lastToolResult(model.requests.at(-1)), /not configured.*DISCORD_TOKEN/);
    const [help] = await omp.command('/discord');
    assert.match(help, /Discord is not configured/);
    assert.match(help, /DISCORD_TOKEN/);
    assert.match(help, /Message Content Intent/);
  });
});

test('a bad token: a clear status, omp keeps working, and risky calls needing approval are blocked', async () => {
  await withOmp({ ...botEnv(), DISCORD_TOKEN: 'Bot definitely.not.valid', DISCORD_ALLOWED_USERS: w.aliceId }, async (omp) => {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /INVALID_TOKEN/.test(f.statusText ?? ''));
    model.queue({ text: 'Still here.' });
    const end = await omp.prompt('are you alive?');
    assert.ok(end);
    model.queue({ toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf build' } }] }, { text: 'Blocked.' });
    await omp.prompt('clean');
    assert.match(lastToolResult(model.requests.at(-1)), /needs approval on Discord .* but Discord is not connected/);
    const [status] = await omp.command('/discord status');
    assert.match(status, /INVALID_TOKEN: Discord rejected the bot token/);
    assert.ok(!status.includes('definitely.not.valid'), 'the token is not shown');
  });
});

test('the settings file beside OMP\'s config works when the environment is empty', async () => {
  const discordJson = { DISCORD_TOKEN: w.token, DISCORD_CHANNEL_ID: w.opsId, DISCORD_API_BASE_URL: w.apiBaseUrl };
  await withOmp({}, async (omp) => {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /omp-bot/.test(f.statusText ?? ''));
    const [text] = await omp.command('/discord status');
    assert.match(text, new RegExp(`Home channel: ${w.opsId}`));
    assert.match(text, /Settings file: .*discord\.json/);
  }, { discordJson });
});

test('installed from the packed tarballs, the plugin loads its binary from the per-platform package', async () => {
  // What `npm install omp-discord-bridge` gives a user: the main package (no binary) and the
  // per-platform package holding the .node, installed side by side; then `omp plugin link`.
  const work = mkdtempSync(join(tmpdir(), 'odb-pack-'));
  const platformDir = join(work, 'linux-x64-gnu');
  cpSync(join(ROOT, 'npm', 'linux-x64-gnu'), platformDir, { recursive: true });
  cpSync(join(ROOT, 'omp-discord-bridge.linux-x64-gnu.node'), join(platformDir, 'omp-discord-bridge.linux-x64-gnu.node'));
  const pack = (dir) => execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: dir }).toString().trim().split('\n').at(-1);
  const tarballs = [pack(platformDir), pack(ROOT)].map((t) => join(work, t));
  const project = join(work, 'project');
  mkdirSync(project);
  execFileSync('npm', ['init', '-y'], { cwd: project, stdio: 'pipe' });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', ...tarballs], { cwd: project, stdio: 'pipe' });
  const installed = join(project, 'node_modules', 'omp-discord-bridge');
  assert.ok(!readdirSync(installed).some((f) => f.endsWith('.node')), 'the main package carries no binary');
  assert.ok(existsSync(join(installed, 'ts-extension', 'dist', 'index.js')), 'the bundled extension is in the package');
  await withOmp(botEnv(), async (omp) => {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /omp-bot/.test(f.statusText ?? ''));
    model.queue({ toolCalls: [{ name: 'discord_send', arguments: { content: 'from the installed package' } }] }, { text: 'done' });
    await omp.prompt('post it');
    assert.ok((await server.messages()).some((m) => m.content === 'from the installed package'));
  }, { linkDir: installed });
});
