// `omp-discord-bridge mcp`, driven over stdio by the official MCP SDK's client, against the bundled
// Discord-compatible server; then OMP itself loading it from mcp.json, with the scripted model
// calling a tool through it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { makeHome, startOmp, startWorld, extensionLogErrors, ompLog, ROOT } from './omp/harness.mjs';

const BIN = join(ROOT, 'bin', 'omp-discord-bridge.mjs');
let server, model, w, world;

before(async () => {
  world = await startWorld();
  ({ server, model, w } = world);
});

after(() => world.close());

const discordEnv = () => ({ DISCORD_TOKEN: w.token, DISCORD_CHANNEL_ID: w.generalId, DISCORD_API_BASE_URL: w.apiBaseUrl });

async function startMcp(env) {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DISCORD_')));
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: { ...clean, ...env }, stderr: 'inherit' }));
  return client;
}
const text = (result) => result.content.map((c) => c.text).join('\n');

test('MCP: answers before Discord is reachable, then send, read, channels, resource, inbound notifications, errors', async () => {
  await server.post('/outage', { on: true });
  const client = await startMcp(discordEnv());
  try {
    // initialize (done by connect) and tools/list are answered with Discord unreachable.
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['discord_channels', 'discord_edit', 'discord_react', 'discord_read', 'discord_send', 'discord_thread', 'discord_upload']);
    const early = await client.callTool({ name: 'discord_send', arguments: { content: 'too early' } });
    assert.equal(early.isError, true);
    assert.match(text(early), /^NOT_CONNECTED: Discord is (still connecting|not connected)/);

    await server.post('/outage', { on: false });
    let channels;
    for (let i = 0; i < 100; i++) { // the server reconnects on its own; ask until it has
      channels = await client.callTool({ name: 'discord_channels', arguments: {} });
      if (!channels.isError) break;
      await server.waitFor((e) => e.kind === 'gateway', { timeoutMs: 3000 }).catch(() => {});
    }
    assert.equal(channels.isError, undefined, text(channels));
    assert.match(text(channels), /Test Guild \(id \d+\)\n {2}#general \(text, id \d+\)/);

    const sent = await client.callTool({ name: 'discord_send', arguments: { content: 'Hello from an MCP host', channel: '#ops' } });
    assert.match(text(sent), /^Sent 1 message to channel \d+ \(id \d+\)\.$/);
    assert.equal((await server.messages(w.opsId)).at(-1).content, 'Hello from an MCP host');

    const logged = new Promise((resolve) => client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => n.params.data?.content === 'a question for the agent' && resolve(n.params)));
    await client.subscribeResource({ uri: 'discord://home/recent' });
    await server.say('a question for the agent', { author: 'alice' });
    const note = await logged;
    assert.equal(note.logger, 'discord');
    assert.equal(note.data.author, 'Alice');
    const read = await client.callTool({ name: 'discord_read', arguments: { limit: 5 } });
    assert.match(text(read), /Alice \(id \d+\): a question for the agent$/);
    const resource = await client.readResource({ uri: 'discord://home/recent' });
    assert.match(resource.contents[0].text, /a question for the agent/);

    const missing = await client.callTool({ name: 'discord_read', arguments: { channel: '#nope' } });
    assert.equal(missing.isError, true);
    assert.match(text(missing), /There is no channel named #nope\. Text channels the bot can see: .*#general/);
    const unknown = await client.callTool({ name: 'discord_edit', arguments: { message_id: '1', content: 'x' } });
    assert.match(text(unknown), /^UNKNOWN_MESSAGE: /);
    const empty = await client.callTool({ name: 'discord_send', arguments: {} });
    assert.match(text(empty), /Give content or an embed/);
  } finally {
    await server.post('/outage', { on: false });
    await client.close();
  }
});

test('MCP: OMP loads the server from mcp.json and the model calls discord_send through it', async () => {
  const home = makeHome(model, { link: false });
  // The seeds' Tier 2 entry with only the command changed: OMP copies each named variable from
  // its own environment.
  const names = Object.fromEntries(Object.keys(discordEnv()).map((k) => [k, k]));
  writeFileSync(join(home, '.omp', 'agent', 'mcp.json'), JSON.stringify({ mcpServers: { discord: { command: process.execPath, args: [BIN, 'mcp'], env: names } } }));
  model.clear();
  const toolResult = () => JSON.stringify(model.requests.at(-1).messages.filter((m) => m.role === 'tool').at(-1)?.content ?? '');
  // OMP mounts an MCP server's tools as xd:// devices (behind its read/write tools) once the server
  // has answered tools/list. OMP 18.2.3 waits 250 ms for that at start-up and adds later tools when
  // they come; by its code, tools that come while the session is still being built are only seen
  // from the next start on (from OMP's tool cache). A slow machine can land there: start again once.
  let omp;
  let device;
  for (let start = 0; start < 2 && !device; start++) {
    if (omp) assert.equal(await omp.close(), 0, omp.stderr.slice(-2000));
    const cursor = await server.mark();
    omp = await startOmp({ home, env: discordEnv() });
    // The server identifies to Discord once it has answered OMP (connect follows the transport).
    await server.waitFor((e) => e.kind === 'gateway' && e.op === 2, { after: cursor, timeoutMs: 30000 });
    for (let i = 0; i < 10 && !device; i++) {
      model.queue({ toolCalls: [{ name: 'read', arguments: { path: 'xd://' } }] }, { text: `Listed devices (${i}).` });
      await omp.prompt(`list your devices (${i})`);
      device = /mcp__discord\w*send/.exec(toolResult())?.[0];
    }
  }
  try {
    assert.ok(device, `the discord_send device is mounted: ${toolResult().slice(0, 300)}; OMP's MCP log: ${ompLog(home, /mcp/i).slice(-1500)}`);
    model.queue({ toolCalls: [{ name: 'write', arguments: { path: `xd://${device}`, content: JSON.stringify({ content: 'Sent by omp through MCP' }) } }] }, { text: 'Done.' });
    await omp.prompt('post through MCP');
    assert.match(toolResult(), /Sent 1 message to channel \d+/);
    assert.equal((await server.messages()).filter((m) => m.content === 'Sent by omp through MCP').length, 1);
  } finally {
    assert.equal(await omp.close(), 0, omp.stderr.slice(-2000));
    assert.deepEqual(extensionLogErrors(home), []);
  }
});
