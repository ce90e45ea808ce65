// REST and event round trips against the bundled server, through the real addon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendWebhook } from './helpers/addon.mjs';
import { startConnected } from './helpers/server.mjs';

let server, client, events, w, done;

before(async () => {
  ({ server, client, events, w, done } = await startConnected());
});

after(async () => {
  await done();
});

test('connect resolves after READY with the bot user and its guilds', async () => {
  const status = client.status();
  assert.equal(status.state, 'connected');
  assert.equal(status.user.id, w.botId);
  assert.equal(status.user.bot, true);
  assert.deepEqual(status.guilds.map((g) => g.id), [w.guildId]);
  assert.equal(status.guilds[0].name, 'Test Guild');
  assert.ok(status.sessionId);
  const ready = events.of('ready');
  assert.equal(ready.length, 1);
  assert.equal(ready[0].ready.applicationId, w.applicationId);
  assert.deepEqual(events.of('stateChange').map((e) => [e.state, e.resumed]), [['connecting', undefined], ['connected', false]]);
});

test('an inbound message arrives as messageCreate with every field', async () => {
  await server.post('/role', { user: 'alice' });
  const parent = await server.say('parent');
  const sent = await server.say('hi <@' + w.botId + '> see file', {
    author: 'alice', replyTo: parent.id, attachments: [{ filename: 'notes.txt', content: 'abc', contentType: 'text/plain' }],
  });
  const e = await events.wait((x) => x.type === 'messageCreate' && x.message.id === sent.id);
  const m = e.message;
  assert.equal(m.channelId, w.generalId);
  assert.equal(m.guildId, w.guildId);
  assert.equal(m.content, 'hi <@' + w.botId + '> see file');
  await server.post('/role', { user: 'alice', on: false });
  assert.deepEqual(m.author, { id: w.aliceId, username: 'alice', globalName: 'Alice', displayName: 'Alice', bot: false, roleIds: [w.operatorsRoleId] });
  assert.equal(m.replyToId, parent.id);
  assert.deepEqual(m.mentionUserIds, [w.botId]);
  assert.equal(m.mentionsEveryone, false);
  assert.equal(m.attachments.length, 1);
  assert.equal(m.attachments[0].filename, 'notes.txt');
  assert.equal(m.attachments[0].size, 3);
  assert.equal(m.attachments[0].contentType, 'text/plain');
  assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT/);
  assert.equal(typeof m.id, 'string');
});

test('send, edit, fetch and delete a message', async () => {
  const sent = await client.sendMessage(w.generalId, {
    content: 'build finished',
    embeds: [{ title: 'Result', description: 'all green', color: 0x57f287, fields: [{ name: 'tests', value: '42', inline: true }], footer: 'omp' }],
  });
  assert.equal(sent.content, 'build finished');
  assert.equal(sent.author.id, w.botId);
  assert.equal(sent.embeds[0].title, 'Result');
  assert.equal(sent.embeds[0].color, 0x57f287);
  assert.deepEqual(sent.embeds[0].fields, [{ name: 'tests', value: '42', inline: true }]);

  const edited = await client.editMessage(w.generalId, sent.id, { content: 'build finished (edited)' });
  assert.equal(edited.content, 'build finished (edited)');
  assert.ok(edited.editedTimestamp);
  const update = await events.wait((e) => e.type === 'messageUpdate' && e.messageId === sent.id);
  assert.equal(update.content, 'build finished (edited)');

  const recent = await client.fetchMessages(w.generalId, { limit: 2 });
  assert.equal(recent[0].id, sent.id, 'newest first');
  assert.equal(recent.length, 2);
  const older = await client.fetchMessages(w.generalId, { before: sent.id, limit: 100 });
  assert.ok(older.every((m) => BigInt(m.id) < BigInt(sent.id)));

  await client.deleteMessage(w.generalId, sent.id);
  await events.wait((e) => e.type === 'messageDelete' && e.messageId === sent.id);
  const stored = await server.messages();
  assert.ok(!stored.some((m) => m.id === sent.id));
});

test('outgoing messages mention nobody unless asked', async () => {
  await server.mark();
  await client.sendMessage(w.generalId, { content: '@everyone deploy done <@' + w.aliceId + '>' });
  const req = await server.waitFor((e) => e.kind === 'rest' && e.method === 'POST' && e.path.endsWith('/messages'));
  assert.deepEqual(req.body.allowed_mentions, { parse: [], replied_user: false });
  await client.sendMessage(w.generalId, { content: 'ping <@' + w.aliceId + '>', allowedMentions: { users: [w.aliceId] } });
  const req2 = await server.waitFor((e) => e.kind === 'rest' && e.method === 'POST' && e.body?.content?.startsWith('ping'));
  assert.deepEqual(req2.body.allowed_mentions, { parse: [], users: [w.aliceId], replied_user: false });
});

test('reply, buttons and files go out as Discord expects', async () => {
  const parent = await server.say('please approve');
  const dir = mkdtempSync(join(tmpdir(), 'odb-'));
  const path = join(dir, 'report.md');
  writeFileSync(path, '# Report\nall good\n');
  const sent = await client.sendMessage(w.generalId, {
    content: 'see attached',
    replyTo: parent.id,
    components: [[{ label: 'Allow', customId: 'allow:1', style: 'success' }, { label: 'Docs', url: 'https://example.com', style: 'link' }]],
    files: [{ path }, { data: Buffer.from('raw bytes'), name: 'raw.bin' }],
  });
  assert.equal(sent.replyToId, parent.id);
  assert.deepEqual(sent.attachments.map((a) => [a.filename, a.size]), [['report.md', 18], ['raw.bin', 9]]);
  const stored = (await server.messages()).find((m) => m.id === sent.id);
  assert.deepEqual(stored.components, [{ type: 1, components: [
    { type: 2, style: 3, custom_id: 'allow:1', label: 'Allow' },
    { type: 2, style: 5, url: 'https://example.com', label: 'Docs' },
  ] }]);
});

test('threads: create standalone and from a message; threadCreate arrives', async () => {
  const t1 = await client.createThread(w.generalId, { name: 'session 1' });
  assert.equal(t1.kind, 'thread');
  assert.equal(t1.parentId, w.generalId);
  assert.equal(t1.name, 'session 1');
  await events.wait((e) => e.type === 'threadCreate' && e.thread.id === t1.id);
  const msg = await client.sendMessage(w.generalId, { content: 'start here' });
  const t2 = await client.createThread(w.generalId, { name: 'from message', messageId: msg.id });
  assert.equal(t2.id, msg.id, 'a thread started from a message shares its id');
  const posted = await client.sendMessage(t1.id, { content: 'inside the thread' });
  assert.equal(posted.channelId, t1.id);
});

test('reactions both ways, and typing', async () => {
  const msg = await server.say('react to me');
  await client.addReaction(w.generalId, msg.id, '👍');
  const own = await events.wait((e) => e.type === 'reactionAdd' && e.messageId === msg.id && e.userId === w.botId);
  assert.equal(own.emoji, '👍');
  await server.post('/reaction', { channelId: w.generalId, messageId: msg.id, user: 'alice', emoji: '✅' });
  const theirs = await events.wait((e) => e.type === 'reactionAdd' && e.userId === w.aliceId);
  assert.equal(theirs.emoji, '✅');
  assert.equal(theirs.guildId, w.guildId);
  await client.typing(w.generalId);
  const typing = await server.get('/typing');
  assert.ok(typing.some((t) => t.channelId === w.generalId));
});

test('guilds and channels', async () => {
  const guilds = await client.guilds();
  assert.deepEqual(guilds.map((g) => g.name), ['Test Guild']);
  const channels = await client.channels();
  const names = channels.map((c) => c.name);
  for (const n of ['general', 'ops', 'secret', 'readonly']) assert.ok(names.includes(n), n);
  assert.ok(channels.every((c) => c.guildId === w.guildId && c.kind === 'text'));
  const one = await client.channels(w.guildId);
  assert.equal(one.length, channels.length);
});

test('slash command round trip: register, receive with options, answer', async () => {
  await client.registerCommands([
    { name: 'ask', description: 'Ask the agent', options: [{ name: 'prompt', description: 'What to ask', required: true }, { name: 'effort', description: 'How hard', kind: 'integer' }] },
    { name: 'stop', description: 'Stop the run' },
  ], w.guildId);
  const commands = await server.get('/commands');
  assert.deepEqual(commands[w.guildId].map((c) => c.name), ['ask', 'stop']);
  assert.deepEqual(commands[w.guildId][0].options.map((o) => [o.name, o.type, o.required]), [['prompt', 3, true], ['effort', 4, false]]);

  const { id } = await server.post('/command', { name: 'ask', user: 'alice', options: [{ name: 'prompt', type: 3, value: 'run the tests' }, { name: 'effort', type: 4, value: 3 }] });
  const e = await events.wait((x) => x.type === 'interactionCreate' && x.interaction.id === id);
  const i = e.interaction;
  assert.equal(i.kind, 'command');
  assert.equal(i.commandName, 'ask');
  assert.deepEqual(i.options, [{ name: 'prompt', value: 'run the tests' }, { name: 'effort', value: 3 }]);
  assert.equal(i.user.id, w.aliceId);
  assert.equal(i.channelId, w.generalId);
  await client.respondToInteraction(i.id, i.token, { message: { content: 'on it', ephemeral: true } });
  const answer = await server.get(`/interaction/${id}`);
  assert.equal(answer.response.type, 4);
  assert.equal(answer.response.data.content, 'on it');
  assert.equal(answer.response.data.flags, 64);
});

test('deferred command answered later, plus a follow-up', async () => {
  const { id } = await server.post('/command', { name: 'status', user: 'bob' });
  const { interaction: i } = await events.wait((x) => x.type === 'interactionCreate' && x.interaction.id === id);
  await client.respondToInteraction(i.id, i.token, { kind: 'deferred' });
  const edited = await client.editInteractionResponse(i.token, { content: 'status: idle' });
  assert.equal(edited.content, 'status: idle');
  const follow = await client.followUp(i.token, { content: 'anything else?' });
  assert.equal(follow.content, 'anything else?');
});

test('button click round trip: customId and message, then update the message', async () => {
  const prompt = await client.sendMessage(w.generalId, { content: 'Run rm -rf build?', components: [[{ label: 'Allow', customId: 'approve:s1:1' }, { label: 'Deny', customId: 'deny:s1:1', style: 'danger' }]] });
  const { id } = await server.post('/button', { messageId: prompt.id, customId: 'approve:s1:1', user: 'alice' });
  const { interaction: i } = await events.wait((x) => x.type === 'interactionCreate' && x.interaction.id === id);
  assert.equal(i.kind, 'component');
  assert.equal(i.customId, 'approve:s1:1');
  assert.equal(i.messageId, prompt.id);
  assert.equal(i.user.id, w.aliceId);
  await client.respondToInteraction(i.id, i.token, { kind: 'update', message: { content: 'Allowed by Alice', components: [] } });
  const stored = (await server.messages()).find((m) => m.id === prompt.id);
  assert.equal(stored.content, 'Allowed by Alice');
  assert.deepEqual(stored.components, []);
});

test('an interaction answered twice is refused with UNKNOWN_INTERACTION-style error', async () => {
  const { id } = await server.post('/command', { name: 'stop' });
  const { interaction: i } = await events.wait((x) => x.type === 'interactionCreate' && x.interaction.id === id);
  await client.respondToInteraction(i.id, i.token, { message: { content: 'stopping' } });
  await assert.rejects(client.respondToInteraction(i.id, i.token, { message: { content: 'again' } }), (e) => e.code === 'HTTP_ERROR' && e.discordCode === 40060);
});

test('webhook send needs no bot token and returns the message', async () => {
  const msg = await sendWebhook(w.webhookUrl, { content: 'from the webhook', embeds: [{ title: 'Agent finished' }] });
  assert.equal(msg.content, 'from the webhook');
  assert.equal(msg.channelId, w.generalId);
  assert.ok(msg.webhookId);
  const e = await events.wait((x) => x.type === 'messageCreate' && x.message.id === msg.id);
  assert.equal(e.message.author.bot, true);
  const bad = w.webhookUrl.replace(/[^/]+$/, 'wrong-token');
  await assert.rejects(sendWebhook(bad, { content: 'x' }), (e) => e.code === 'UNKNOWN_WEBHOOK' && e.httpStatus === 401 && !e.message.includes('wrong-token'));
  await assert.rejects(sendWebhook('https://example.com/not-a-hook', { content: 'x' }), (e) => e.code === 'INVALID_OPTION');
});
