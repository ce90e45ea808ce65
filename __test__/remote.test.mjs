// Remote control inside the real omp: steering from the session's thread, the allowlist,
// approval buttons and discord_ask — as a person on Discord would use them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeHome, startOmp, startWorld, extensionLogErrors } from './omp/harness.mjs';

let server, model, w, world;

before(async () => {
  world = await startWorld();
  ({ server, model, w } = world);
});

after(() => world.close());

const env = (extra = {}) => ({ DISCORD_TOKEN: w.token, DISCORD_CHANNEL_ID: w.generalId, DISCORD_API_BASE_URL: w.apiBaseUrl, DISCORD_ALLOWED_USERS: w.aliceId, ...extra });

/** The session's thread, once omp is connected (it says so in /discord status). */
async function threadOf(omp) {
  for (let i = 0; i < 50; i++) {
    // Not connected yet: the status line changes when it is (the thread is made right then, and
    // /discord status waits for it). Counting from before the command, so no change is missed.
    const from = omp.frames.length;
    const [status] = await omp.command('/discord status');
    const thread = /Session thread: (\d+)/.exec(status)?.[1];
    if (thread) return thread;
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /Discord: (?!connecting)/.test(f.statusText ?? f.text ?? ''), { from });
  }
  throw new Error('the session thread never appeared');
}

/** omp with the plugin, connected, with its session thread; checks a clean exit at the end. */
async function session(extraEnv, fn, homeOptions) {
  const home = makeHome(model, homeOptions);
  model.clear();
  const omp = await startOmp({ home, env: env(extraEnv) });
  try {
    await fn(omp, await threadOf(omp));
  } finally {
    assert.equal(await omp.close(), 0, omp.stderr.slice(-2000));
    assert.deepEqual(extensionLogErrors(home), []);
  }
}

const userText = (request) => JSON.stringify(request.messages.filter((m) => m.role === 'user').map((m) => m.content));
const toolText = (request) => request.messages.filter((m) => m.role === 'tool').at(-1)?.content ?? '';
const inThread = (thread) => server.messages(thread);

/** Waits for the bot to post in `channel` (after the server log's mark) a message matching pred; returns it as stored. */
async function botPost(channel, pred) {
  const posted = await server.waitFor((e) => e.kind === 'rest' && e.method === 'POST' && e.path === `/api/v10/channels/${channel}/messages` && e.status === 200 && pred(e.body ?? {}), { timeoutMs: 20000 });
  const stored = await inThread(channel);
  return stored.find((m) => m.nonce === posted.body.nonce) ?? stored.at(-1);
}

test('an allowed user steers from the session thread; others and bots are ignored, with one explanation each', async () => {
  await session({}, async (omp, thread) => {
    const before = model.requests.length;
    await server.mark();
    await server.say('do something for me', { author: 'bob', channelId: thread });
    const refusal = await botPost(thread, (b) => /only allowed users/.test(b.content ?? ''));
    assert.match(refusal.content, new RegExp(`\\(${w.bobId}\\) to DISCORD_ALLOWED_USERS`));
    await server.say('and again', { author: 'bob', channelId: thread });
    await server.say('I am a bot', { author: 'otherBot', channelId: thread });

    model.queue({ text: 'Running the tests now.' });
    const from = omp.frames.length;
    await server.mark();
    const msg = await server.say('please run the tests', { author: 'alice', channelId: thread });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 30000 });
    assert.equal(model.requests.length, before + 1, 'only the allowed user reached the model');
    assert.match(userText(model.requests.at(-1)), /\[Discord, from Alice\] please run the tests/);
    assert.doesNotMatch(userText(model.requests.at(-1)), /do something for me|I am a bot/);
    const stored = (await inThread(thread)).find((m) => m.id === msg.id);
    assert.deepEqual(stored.reactions.map((r) => r.emoji.name), ['👀', '✅']);
    const refusals = (await inThread(thread)).filter((m) => /only allowed users/.test(m.content));
    assert.equal(refusals.length, 1, 'one explanation per user, not one per message');
    await botPost(thread, (b) => b.embeds?.[0]?.description === 'Running the tests now.');
  });
});

test('allowed by role: a member holding a listed role steers and uses slash commands; without it, refused', async () => {
  await server.post('/role', { user: 'bob', on: false });
  await session({ DISCORD_ALLOWED_USERS: '', DISCORD_ALLOWED_ROLES: w.operatorsRoleId }, async (omp, thread) => {
    await server.mark();
    await server.say('let me in', { author: 'bob', channelId: thread });
    await botPost(thread, (b) => /only allowed users/.test(b.content ?? ''));
    assert.match((await slash('status', { user: 'bob', channelId: thread })).content, /Only allowed users/);

    await server.post('/role', { user: 'bob' });
    model.queue({ text: 'Bob, an operator, is heard.' });
    const from = omp.frames.length;
    await server.say('operators can steer', { author: 'bob', channelId: thread });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 30000 });
    assert.match(userText(model.requests.at(-1)), /\[Discord, from Bob\] operators can steer/);
    assert.match((await slash('status', { user: 'bob', channelId: thread })).content, /State: /);
  });
  await server.post('/role', { user: 'bob', on: false });
});

test('a message during a run steers that run: the model sees it before its next step', async () => {
  await session({}, async (omp, thread) => {
    model.queue({ toolCalls: [{ name: 'bash', arguments: { command: 'sleep 3; echo built' } }] }, { text: 'Built, and I will update the docs too.' });
    const from = omp.frames.length;
    omp.send({ type: 'prompt', message: 'build it' });
    await omp.wait((f) => f.type === 'tool_execution_start' && f.toolName === 'bash', { from });
    await server.say('also update the docs', { author: 'alice', channelId: thread });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 30000 });
    const after = model.requests.slice(-1)[0];
    assert.match(userText(after), /\[Discord, from Alice\] also update the docs/);
  });
});

test('with no allowlist nobody can steer, and the reply says how to allow yourself', async () => {
  await session({ DISCORD_ALLOWED_USERS: '' }, async (omp, thread) => {
    const before = model.requests.length;
    await server.mark();
    await server.say('run it', { author: 'alice', channelId: thread });
    const refusal = await botPost(thread, (b) => /only allowed users/.test(b.content ?? ''));
    assert.match(refusal.content, /DISCORD_ALLOWED_USERS/);
    const [status] = await omp.command('/discord status');
    assert.match(status, /Allowed users: none/);
    assert.equal(model.requests.length, before);
  });
});

/** The approval prompt the bot posted, and a click on one of its buttons. */
async function approval(thread) {
  const prompt = await botPost(thread, (b) => /wants to run/.test(b.content ?? '') && b.components?.length);
  const buttons = Object.fromEntries(prompt.components.flatMap((r) => r.components).map((c) => [c.label, c.custom_id]));
  return {
    prompt,
    click: (label, user = 'alice') => server.post('/button', { channelId: thread, messageId: prompt.id, customId: buttons[label], user }),
    /** A click whose custom_id names this question but an answer it does not have. */
    forged: (choice) => server.post('/button', { channelId: thread, messageId: prompt.id, customId: `${buttons.Deny.split(':').slice(0, 3).join(':')}:${choice}`, user: 'alice' }),
  };
}

test('approvals: deny, a click by someone not allowed does nothing, allow for the session', async () => {
  await session({}, async (omp, thread) => {
    model.queue(
      { toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf build' } }] },
      { toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf logs' } }] },
      { toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf dist' } }] },
      { toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf cache' } }] },
      { text: 'Cleaned up.' },
    );
    const from = omp.frames.length;
    await server.mark();
    omp.send({ type: 'prompt', message: 'clean up' });
    const first = await approval(thread);
    assert.match(first.prompt.content, /\*\*bash\*\* wants to run \(the command matches/);
    assert.match(first.prompt.content, /"command": "echo rm -rf build"/);
    const bobClick = await first.click('Allow', 'bob');
    await server.waitFor((e) => e.kind === 'rest' && e.path === `/api/v10/interactions/${bobClick.id}/[token]/callback`);
    assert.match((await server.get(`/interaction/${bobClick.id}`)).response.data.content, /Only allowed users/);
    for (const choice of ['Allow always', '99']) {
      const forged = await first.forged(choice);
      await server.waitFor((e) => e.kind === 'rest' && e.path === `/api/v10/interactions/${forged.id}/[token]/callback`);
      assert.match((await server.get(`/interaction/${forged.id}`)).response.data.content, /not one of this question's answers/, 'a forged answer chooses nothing');
    }
    await server.mark();
    await first.click('Deny');
    const allowOnce = await approval(thread);
    assert.match(toolText(model.requests.at(-1)), /Denied on Discord by Alice/);
    await server.mark();
    await allowOnce.click('Allow');
    const second = await approval(thread);
    assert.match(toolText(model.requests.at(-1)), /rm -rf logs/, 'allowed once: it ran, and the next call asks again');
    await second.click('Allow for this session');
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 30000 });
    const results = model.requests.slice(-2).map(toolText);
    assert.match(results[0], /rm -rf dist/);
    assert.match(results[1], /rm -rf cache/, 'the third call ran without asking again');
    const decided = (await inThread(thread)).find((m) => m.id === first.prompt.id);
    assert.match(decided.content, /Deny\*\* — answered by Alice/);
    assert.deepEqual(decided.components, []);
    assert.equal((await inThread(thread)).filter((m) => /wants to run/.test(m.content ?? '') || /answered by/.test(m.content ?? '')).length, 3);
  });
});

test('an unanswered approval is denied at the timeout', async () => {
  await session({ DISCORD_APPROVAL: JSON.stringify({ timeoutMs: 1500 }) }, async (omp, thread) => {
    model.queue({ toolCalls: [{ name: 'bash', arguments: { command: 'git push origin main' } }] }, { text: 'Not pushed.' });
    await omp.prompt('push it');
    assert.match(toolText(model.requests.at(-1)), /Denied on Discord: no answer within 2 s/);
    const prompt = (await inThread(thread)).find((m) => /git push/.test(m.content ?? ''));
    assert.match(prompt.content, /Denied: no answer within 2 s/);
    // A click on the expired prompt (its buttons are gone, but a client may still send it).
    const asked = (await server.get('/log')).find((e) => e.kind === 'rest' && e.method === 'POST' && e.path === `/api/v10/channels/${thread}/messages` && /git push/.test(e.body?.content ?? ''));
    const stale = await server.post('/button', { channelId: thread, messageId: prompt.id, customId: asked.body.components[0].components[0].custom_id, user: 'alice' });
    await server.waitFor((e) => e.kind === 'rest' && e.path === `/api/v10/interactions/${stale.id}/[token]/callback`, { after: -1 });
    assert.match((await server.get(`/interaction/${stale.id}`)).response.data.content, /already answered or has expired/);
  });
});

test('discord_ask: answered with a button, then with a typed reply', async () => {
  await session({}, async (omp, thread) => {
    model.queue({ toolCalls: [{ name: 'discord_ask', arguments: { question: 'Deploy to production?', choices: ['Yes', 'No'] } }] }, { text: 'Deploying.' });
    const from = omp.frames.length;
    await server.mark();
    omp.send({ type: 'prompt', message: 'ask before deploying' });
    const q = await botPost(thread, (b) => /Deploy to production\?/.test(b.content ?? ''));
    const yes = q.components[0].components.find((c) => c.label === 'Yes').custom_id;
    await server.post('/button', { channelId: thread, messageId: q.id, customId: yes, user: 'alice' });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 30000 });
    assert.equal(toolText(model.requests.at(-1)), 'Alice answered: Yes');

    model.queue({ toolCalls: [{ name: 'discord_ask', arguments: { question: 'Which branch?' } }] }, { text: 'Using it.' });
    const from2 = omp.frames.length;
    await server.mark();
    omp.send({ type: 'prompt', message: 'ask for the branch' });
    await botPost(thread, (b) => /Which branch\?/.test(b.content ?? ''));
    await server.say('release-2.1', { author: 'alice', channelId: thread });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from: from2, timeoutMs: 30000 });
    assert.equal(toolText(model.requests.at(-1)), 'Alice answered: release-2.1');
  });
});

/** Runs a slash command as `user` in `channelId`; resolves with the bot's answer (type, content, flags). */
async function slash(name, { user = 'alice', channelId, options = [] } = {}) {
  const { id } = await server.post('/command', { name, user, channelId, options });
  await server.waitFor((e) => e.kind === 'rest' && e.path === `/api/v10/interactions/${id}/[token]/callback`, { after: -1, timeoutMs: 10000 });
  const { response } = await server.get(`/interaction/${id}`);
  return { type: response.type, content: response.data?.content ?? '', ephemeral: Boolean((response.data?.flags ?? 0) & 64) };
}

test('slash commands: /status, /ask, /stop, /sessions, and refusals for users not allowed', async () => {
  await session({}, async (omp, thread) => {
    const registered = await server.get('/commands');
    assert.deepEqual(registered[w.guildId].map((c) => c.name), ['ask', 'stop', 'status', 'sessions']);

    const status = await slash('status', { channelId: thread });
    assert.ok(status.ephemeral);
    assert.match(status.content, /Model: scripted/);
    assert.match(status.content, /State: idle/);

    const refused = await slash('ask', { user: 'bob', channelId: thread, options: [{ name: 'prompt', type: 3, value: 'hi' }] });
    assert.match(refused.content, /Only allowed users can use \/ask/);

    model.queue({ text: 'Tests pass.' });
    let from = omp.frames.length;
    const asked = await slash('ask', { channelId: thread, options: [{ name: 'prompt', type: 3, value: 'run the tests' }] });
    assert.equal(asked.content, 'Sent: the agent is starting.');
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    assert.match(userText(model.requests.at(-1)), /\[Discord \/ask from Alice\] run the tests/);

    model.queue({ toolCalls: [{ name: 'bash', arguments: { command: 'sleep 20' } }] }, { text: 'interrupted' });
    from = omp.frames.length;
    omp.send({ type: 'prompt', message: 'a long job' });
    await omp.wait((f) => f.type === 'tool_execution_start' && f.toolName === 'bash', { from });
    const running = await slash('status', { channelId: thread });
    assert.match(running.content, /State: running for \d+s, 1 tool calls, now: bash/);
    const stop = await slash('stop', { channelId: thread });
    assert.equal(stop.content, 'Stopped by Alice.');
    assert.equal(stop.ephemeral, false);
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 15000 });

    const sessions = await slash('sessions', { user: 'bob' });
    assert.match(sessions.content, new RegExp(`<#${thread}>`));
  });
});

test('a run of 200 tool calls stays within a handful of messages', async () => {
  await session({}, async (omp, thread) => {
    await server.mark();
    const cursor = server.cursor;
    model.queue(...Array.from({ length: 200 }, (_, i) => ({ toolCalls: [{ name: 'bash', arguments: { command: `echo step ${i}` } }] })), { text: 'All 200 steps done.' });
    await omp.prompt('do 200 steps');
    await botPost(thread, (b) => b.embeds?.[0]?.description === 'All 200 steps done.');
    const posts = (await server.get(`/log?after=${cursor}`)).filter((e) => e.kind === 'rest' && e.method === 'POST' && e.path === `/api/v10/channels/${thread}/messages`);
    assert.ok(posts.length <= 3, `${posts.length} messages for one run`);
    const status = (await inThread(thread)).find((m) => /^✅ Finished in/.test(m.content ?? ''));
    assert.match(status.content, /200 tool calls/);
  });
});

/** How often `text` appears among the user messages of the agent's latest request (its whole history). */
const timesInHistory = (text) => userText(model.requests.at(-1)).split(text).length - 1;

test('catch-up after a reconnect that did not resume, and after a dropped connection: each message delivered once', async () => {
  await session({}, async (omp, thread) => {
    const from = omp.frames.length;
    model.queue({ text: 'Caught up.' });
    await server.say('posted while the bot was away', { author: 'alice', channelId: thread, silent: true });
    await server.gateway('op9', { resumable: false });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 30000 });
    model.queue({ text: 'Got the live one.' });
    const from2 = omp.frames.length;
    await server.say('and one more, live', { author: 'alice', channelId: thread });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from: from2, timeoutMs: 30000 });
    assert.equal(timesInHistory('posted while the bot was away'), 1, 'delivered exactly once');
    assert.equal(timesInHistory('and one more, live'), 1);
    // A dropped connection resumes: what was said meanwhile is replayed by Discord, once.
    model.queue({ text: 'Resumed.' });
    const from3 = omp.frames.length;
    await server.gateway('drop');
    await server.say('said during the drop', { author: 'alice', channelId: thread });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from: from3, timeoutMs: 30000 });
    assert.equal(timesInHistory('said during the drop'), 1);
    assert.equal(timesInHistory('posted while the bot was away'), 1);
  });
});

test('omp restarted with the session resumed: same thread, and what was said meanwhile arrives in order, once', async () => {
  const home = makeHome(model);
  model.clear();
  let omp = await startOmp({ home, env: env() });
  let thread;
  try {
    await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /omp-bot/.test(f.statusText ?? ''));
    model.queue({ text: 'First run.' });
    await omp.prompt('hello');
    const [status] = await omp.command('/discord status');
    thread = /Session thread: (\d+)/.exec(status)[1];
  } finally {
    assert.equal(await omp.close(), 0);
  }
  await server.say('first while omp was down', { author: 'alice', channelId: thread, silent: true });
  await server.say('second while omp was down', { author: 'alice', channelId: thread, silent: true });
  model.queue({ text: 'Read both.' });
  omp = await startOmp({ home, env: env(), cwd: omp.workspace, args: ['--continue'] });
  try {
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { timeoutMs: 30000 });
    const [status] = await omp.command('/discord status');
    assert.match(status, new RegExp(`Session thread: ${thread}`), 'the resumed session kept its thread');
    const history = userText(model.requests.at(-1));
    const first = history.indexOf('first while omp was down');
    const second = history.indexOf('second while omp was down');
    assert.ok(first >= 0 && second > first, 'both, in order');
    assert.equal(timesInHistory('first while omp was down'), 1, 'once');
    assert.equal(timesInHistory('second while omp was down'), 1, 'once');
  } finally {
    assert.equal(await omp.close(), 0);
    assert.deepEqual(extensionLogErrors(home), []);
  }
});

test('two omp processes on one bot: each acts in its own thread, only the owner answers its buttons, DMs go to the most recently active', async () => {
  const home = makeHome(model);
  model.clear();
  const a = await startOmp({ home, env: env() });
  const b = await startOmp({ home, env: env() });
  const ranIn = (request) => (JSON.stringify(request.messages).includes(a.workspace) ? 'a' : JSON.stringify(request.messages).includes(b.workspace) ? 'b' : '?');
  try {
    const [ta, tb] = [await threadOf(a), await threadOf(b)];
    assert.notEqual(ta, tb);

    model.queue({ text: 'A here.' });
    let from = a.frames.length;
    await server.say('for session A', { author: 'alice', channelId: ta });
    await a.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    assert.equal(ranIn(model.requests.at(-1)), 'a');

    model.queue({ toolCalls: [{ name: 'discord_ask', arguments: { question: 'B asks: proceed?', choices: ['Go'] } }] }, { text: 'B proceeds.' });
    from = b.frames.length;
    await server.mark();
    b.send({ type: 'prompt', message: 'ask' });
    const q = await botPost(tb, (m) => /B asks: proceed\?/.test(m.content ?? ''));
    const click = await server.post('/button', { channelId: tb, messageId: q.id, customId: q.components[0].components[0].custom_id, user: 'alice' });
    await b.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    assert.equal(toolText(model.requests.at(-1)), 'Alice answered: Go');
    const callbacks = (await server.get('/log?after=-1')).filter((e) => e.kind === 'rest' && e.path === `/api/v10/interactions/${click.id}/[token]/callback`);
    assert.deepEqual(callbacks.map((e) => e.status), [204], 'one answer, from the owner');

    model.queue({ text: 'B got the DM.' });
    from = b.frames.length;
    await server.say('a direct message', { author: 'alice', channelId: w.dmId });
    await b.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    assert.equal(ranIn(model.requests.at(-1)), 'b', 'B ran last, so the DM went to B');
    assert.match(userText(model.requests.at(-1)), /a direct message/);
    assert.equal(a.frames.filter((f) => f.type === 'agent_start').length, 1, 'A ran only its own prompt');
  } finally {
    assert.equal(await a.close(), 0);
    assert.equal(await b.close(), 0);
    assert.deepEqual(extensionLogErrors(home), []);
  }
});

test("with OMP's own UI present the terminal can answer an approval too; the first answer wins", async () => {
  await session({}, async (omp, thread) => {
    model.queue({ toolCalls: [{ name: 'bash', arguments: { command: 'echo rm -rf tmp' } }] }, { text: 'Not removed.' });
    const from = omp.frames.length;
    await server.mark();
    omp.send({ type: 'prompt', message: 'remove tmp' });
    const { prompt } = await approval(thread);
    const dialog = await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'select' && /Discord approval/.test(f.title ?? ''), { from });
    assert.deepEqual(dialog.options, ['Allow', 'Allow for this session', 'Deny']);
    omp.send({ type: 'extension_ui_response', id: dialog.id, value: 'Deny' });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    assert.equal(toolText(model.requests.at(-1)), 'Denied in the terminal.');
    await server.waitFor((e) => e.kind === 'rest' && e.method === 'PATCH' && e.path.endsWith(`/messages/${prompt.id}`));
    const edited = (await inThread(thread)).find((m) => m.id === prompt.id);
    assert.match(edited.content, /\*\*Deny\*\* — answered in the terminal/);
    assert.deepEqual(edited.components, []);
  });
});

test('attachments: text files inline; images as images when the model takes images, else as a link', async () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  const attachments = [{ filename: 'notes.txt', content: 'line one\nline two', contentType: 'text/plain' }, { filename: 'shot.png', base64: png, contentType: 'image/png' }];
  await session({}, async (omp, thread) => {
    model.queue({ text: 'Seen.' });
    const from = omp.frames.length;
    await server.say('look at these', { author: 'alice', channelId: thread, attachments });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    const sent = JSON.stringify(model.requests.at(-1).messages);
    assert.match(sent, /Attached notes\.txt:\\n```\\nline one\\nline two/);
    assert.match(sent, /"type":"image_url","image_url":\{"url":"data:image\/\w+;base64,/, 'the image reaches the model as an image (OMP may re-encode it)');
  }, { images: true });
  await session({}, async (omp, thread) => {
    model.queue({ text: 'Seen.' });
    const from = omp.frames.length;
    await server.say('look at this', { author: 'alice', channelId: thread, attachments: attachments.slice(1) });
    await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from });
    const sent = JSON.stringify(model.requests.at(-1).messages);
    assert.ok(!sent.includes('"image_url"'), 'a text-only model gets no image');
    assert.match(sent, /attachment shot\.png, image\/png, \d+ bytes: http:\/\/127\.0\.0\.1:\d+\/attachments\//);
  });
});
