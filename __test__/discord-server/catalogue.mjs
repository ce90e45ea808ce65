#!/usr/bin/env node
// Prints (as one JSON array) every kind of gateway payload the test server sends, captured off a
// real websocket. The Rust test `server_payloads_parse_as_serenity_models` reads serenity's
// concrete model types from each, so the server cannot drift from what Discord (and serenity)
// define without a test failing.
import WebSocket from 'ws';
import { startServer } from './server.mjs';

const server = await startServer();
setTimeout(() => {
  console.error(`catalogue timed out; frames so far: ${frames.map((f) => f.t ?? f.op).join(' ')}`);
  process.exit(1);
}, 20000).unref();
const w = server.world;
const base = server.baseUrl;
const frames = [];
const ws = new WebSocket(`${server.gatewayUrl}/?v=10&encoding=json`);
ws.on('message', (data) => {
  const f = JSON.parse(data.toString());
  frames.push(f);
  if (f.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: w.botToken, intents: 1 | 512 | 1024 | 4096 | 8192 | 32768, properties: {} } }));
});
const waitFor = (pred) => new Promise((resolve) => {
  const t = setInterval(() => { if (frames.some(pred)) { clearInterval(t); resolve(); } }, 5);
});
const control = (path, body) => fetch(`${base}/__control${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
const api = (method, path, body) => fetch(`${base}/api/v10${path}`, { method, headers: { authorization: `Bot ${w.botToken}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => (r.status === 204 ? null : r.json()));

await waitFor((f) => f.t === 'GUILD_CREATE');
const parent = await control('/message', { content: 'plain' });
await control('/message', { content: 'with file <@' + w.bot.id + '>', replyTo: parent.id, attachments: [{ filename: 'a.txt', content: 'x' }] });
await control('/message', { channelId: w.dm.id, content: 'a dm' });
const own = await api('POST', `/channels/${w.general.id}/messages`, { content: 'bot says', embeds: [{ title: 't', description: 'd', color: 1, fields: [{ name: 'n', value: 'v', inline: true }], footer: { text: 'f' } }], components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }] });
await fetch(`${base}/api/webhooks/${w.webhook.id}/${w.webhook.token}?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'hook' }) });
await api('PATCH', `/channels/${w.general.id}/messages/${own.id}`, { content: 'edited' });
await api('PUT', `/channels/${w.general.id}/messages/${own.id}/reactions/%F0%9F%91%8D/@me`);
await control('/reaction', { channelId: w.general.id, messageId: own.id, user: 'alice', emoji: '✅' });
await control('/command', { name: 'ask', options: [{ name: 'prompt', type: 3, value: 'hi' }, { name: 'n', type: 4, value: 2 }, { name: 'b', type: 5, value: true }] });
await control('/command', { name: 'dm', channelId: w.dm.id });
await control('/button', { messageId: own.id, customId: 'go' });
await api('POST', `/channels/${w.general.id}/threads`, { name: 'thread', type: 11 });
await api('POST', `/channels/${w.general.id}/messages/${own.id}/threads`, { name: 'from message' });
await api('DELETE', `/channels/${w.general.id}/messages/${own.id}`);
await waitFor((f) => f.t === 'MESSAGE_DELETE');
// A resume, for RESUMED.
const session = frames.find((f) => f.t === 'READY').d.session_id;
const seq = Math.max(...frames.map((f) => f.s ?? 0));
ws.close(4000);
const again = new WebSocket(`${server.gatewayUrl}/resume?v=10&encoding=json`);
again.on('message', (data) => {
  const f = JSON.parse(data.toString());
  frames.push(f);
  if (f.op === 10) again.send(JSON.stringify({ op: 6, d: { token: w.botToken, session_id: session, seq } }));
});
await waitFor((f) => f.t === 'RESUMED');
again.close();
process.stdout.write(JSON.stringify(frames) + '\n');
await server.close();
process.exit(0);
