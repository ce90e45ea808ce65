// One benchmark contender in its own process: `<runtime> bench/contender.mjs <kind> <part> <serverUrl>`.
// kind: "addon" (this package), "discordjs" (discord.js 14 in the same process), "sidecar" (the
// seeds' discord.py Tier 3 over localhost HTTP) or "floor" (a bare websocket reader on the JS
// thread: what no client can beat on this machine; inbound only).
// part: "main" (latency, burst, sends, memory, cold start), "blocked" (the JS thread blocked while
// the heartbeat interval is 1 s), "storm" (100 notifications at once into a 5-per-5-s bucket) or
// "bigworld" (memory with a large world). Prints one JSON line of figures. Every latency is read on
// the system monotonic clock shared with the server.
import { createRequire } from 'node:module';

const [kind, part, serverUrl] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const controlOnce = (path, body) => fetch(`${serverUrl}/__control${path}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => r.json());
// After the JS thread was blocked, the kept-alive control socket may have been closed meanwhile.
const control = (path, body) => controlOnce(path, body).catch(() => controlOnce(path, body));
const world = await control('/world');
// Cold start = loading the library + connecting to READY; RSS added = what connecting adds.
const coldStart = performance.now();
let clock;
let rssBefore;
let sidecarPid;
/** Resident memory of the sidecar process (Linux), in bytes. */
const sidecarRss = () => { try { return Number(/VmRSS:\s+(\d+)/.exec(require('node:fs').readFileSync(`/proc/${sidecarPid}/status`, 'utf8'))[1]) * 1024; } catch { return 0; } };

let onMessage = () => {};
let send;
let stop;
if (kind === 'addon') {
  const { DiscordClient, monotonicMs } = require('../index.js');
  clock = monotonicMs;
  rssBefore = process.memoryUsage().rss;
  const client = new DiscordClient({ token: world.token, apiBaseUrl: world.apiBaseUrl });
  client.onEvent((e) => { if (e.type === 'messageCreate') onMessage(e.message.content, e.message.author.bot); });
  await client.connect(); // resolves once READY's guilds have all arrived
  send = (content) => client.sendMessage(world.opsId, { content });
  stop = () => client.disconnect();
} else if (kind === 'sidecar') {
  // The seeds' Tier 3: a discord.py process; JS calls it with fetch, it forwards inbound messages.
  clock = require('../index.js').monotonicMs;
  const { spawn } = require('node:child_process');
  const http = require('node:http');
  rssBefore = process.memoryUsage().rss;
  const inboundServer = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => { const m = JSON.parse(Buffer.concat(chunks)); res.end('{}'); onMessage(m.content, m.bot); });
  });
  await new Promise((r) => inboundServer.listen(0, '127.0.0.1', r));
  const python = process.env.BENCH_PYTHON ?? 'python3';
  const child = spawn(python, [new URL('./sidecar/discord_omp_bot.py', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, DISCORD_TOKEN: world.token, DISCORD_API_BASE_URL: world.apiBaseUrl, DISCORD_GATEWAY_URL: world.gatewayUrl, FORWARD_URL: `http://127.0.0.1:${inboundServer.address().port}/` },
  });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(d.toString()).port)));
  const agent = new http.Agent({ keepAlive: true });
  sidecarPid = child.pid;
  send = (content) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/notify', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`sidecar answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ channel_id: world.opsId, content }));
  });
  stop = async () => { child.stdin.end(); inboundServer.close(); agent.destroy(); };
} else if (kind === 'floor') {
  const WebSocket = require('ws');
  clock = require('../index.js').monotonicMs;
  rssBefore = process.memoryUsage().rss;
  const ws = new WebSocket(`${world.gatewayUrl}/?v=10&encoding=json`);
  await new Promise((resolve) => ws.on('message', (data) => {
    const m = JSON.parse(data);
    if (m.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: world.token, intents: 1 | 512 | 32768, properties: {} } }));
    if (m.t === 'READY') resolve();
    if (m.t === 'MESSAGE_CREATE') onMessage(m.d.content, m.d.author.bot);
  }));
  stop = () => ws.close();
} else {
  const { Client, GatewayIntentBits } = require('discord.js');
  clock = require('../index.js').monotonicMs; // the clock only; Discord is discord.js's
  rssBefore = process.memoryUsage().rss;
  const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent], rest: { api: `${world.apiBaseUrl}/api` } });
  client.on('messageCreate', (m) => onMessage(m.content, m.author.bot));
  await new Promise((resolve, reject) => { client.once('clientReady', resolve); client.login(world.token).catch(reject); });
  const channel = await client.channels.fetch(world.opsId);
  send = (content) => channel.send({ content, allowedMentions: { parse: [] } });
  stop = () => client.destroy();
}
const coldStartMs = performance.now() - coldStart;
const rssConnected = process.memoryUsage().rss + (sidecarPid ? sidecarRss() : 0);
const runtime = typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`;
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const next = (pred) => new Promise((resolve) => { onMessage = (content, bot) => { if (!bot && pred(content)) resolve(content); }; });
const report = async (figures) => { await stop(); console.log(JSON.stringify({ kind, part, runtime, ...figures })); process.exit(0); };

/**
 * Collects `count` messages `<prefix> i`; stops after 10 s without one. `result` gives order, losses
 * and doubles; `restartStallTimer()` is for after the JS thread was blocked, when the stall timer may
 * run before the queued events.
 */
function collect(prefix, count) {
  const seen = [];
  const unique = new Set();
  let lastAt = clock();
  const done = new Promise((resolve) => {
    const stall = setInterval(() => { if (clock() - lastAt > 10_000) { clearInterval(stall); resolve(); } }, 250);
    onMessage = (content) => {
      if (!content.startsWith(`${prefix} `)) return;
      lastAt = clock();
      const n = Number(content.slice(prefix.length + 1));
      seen.push(n);
      unique.add(n);
      if (unique.size === count) { clearInterval(stall); resolve(); }
    };
  });
  const result = done.then(() => ({
    received: unique.size,
    lost: count - unique.size,
    doubled: seen.length - unique.size,
    ordered: seen.every((n, i) => i === 0 || n > seen[i - 1]),
    lastAt,
  }));
  return { result, restartStallTimer: () => { lastAt = clock(); } };
}

if (part === 'bigworld') {
  // Memory with 100 guilds × 50 channels × 300 members, once every guild has arrived.
  await report({ rssAddedMb: (rssConnected - rssBefore) / 1048576, readyMs: coldStartMs });
}

if (part === 'blocked') {
  // The JS thread does nothing for BLOCK_S seconds (as when omp runs a synchronous tool) while
  // Discord posts 10 messages a second and expects a heartbeat every second.
  const blockS = Number(process.env.BENCH_BLOCK_S ?? 60);
  const count = blockS * 10;
  const before = (await control('/stats')).gateway;
  const got = collect('blocked', count);
  await control('/burst', { count, intervalMs: 100, prefix: 'blocked', author: 'alice', channelId: world.generalId });
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, blockS * 1000);
  got.restartStallTimer();
  const r = await got.result;
  const after = (await control('/stats')).gateway;
  await report({ blockedS: blockS, reconnects: after.connections - before.connections, heartbeatTimeouts: after.heartbeatTimeouts - before.heartbeatTimeouts, sent: count, lost: r.lost, doubled: r.doubled, ordered: r.ordered });
}

if (part === 'storm') {
  // 100 notifications fired at once into a channel whose bucket allows 5 per 5 s.
  const n = Number(process.env.BENCH_STORM_N ?? 100);
  await control('/rest', { action: 'ratelimit', route: 'POST /channels/:id/messages', limit: 5, windowMs: 5000 });
  const before = (await control('/stats')).rest;
  const t = clock();
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => send(`storm ${i}`)));
  const ms = clock() - t;
  const after = (await control('/stats')).rest;
  const landed = (await control(`/messages/${world.opsId}`)).map((m) => m.content).filter((c) => c.startsWith('storm ')).map((c) => Number(c.slice(6)));
  await report({
    notifications: n, failed: results.filter((x) => x.status === 'rejected').length, landed: landed.length,
    inCallOrder: landed.every((v, i) => i === 0 || v > landed[i - 1]),
    received429: after.rateLimited - before.rateLimited, lastLandsMs: ms,
  });
}

// part === 'main'
// Inbound: server stamps MESSAGE_CREATE just before dispatch; we read the clock in the callback.
// The server posts 3 ms after answering the control call, so the JS thread is idle (as omp's is
// while it waits on a model) rather than busy reading that answer.
const inbound = [];
for (let i = 0; i < 300; i++) {
  const got = next((c) => c.startsWith(`lat ${i} `));
  await control('/message', { content: `lat ${i}`, stamp: true, delayMs: 3 });
  const content = await got;
  const at = clock();
  if (i >= 20) inbound.push(at - Number(content.split(' ')[2])); // after warm-up
}
const main = { coldStartMs, rssAddedMb: (rssConnected - rssBefore) / 1048576, inboundP50Ms: pct(inbound, 50), inboundP99Ms: pct(inbound, 99) };
if (kind === 'floor') await report(main);

// Burst: 10,000 messages at once; events/s and whether order held.
const burstStart = clock();
const burst = collect('burst', 10000);
await control('/burst', { count: 10000, prefix: 'burst', author: 'alice', channelId: world.generalId });
const b = await burst.result;

// Outbound: a call → the message is confirmed; sends/s with 1 and with 64 in flight.
// 45 calls, so the global limit (50/s) does not turn into waiting; the rate runs below do hit it.
const outbound = [];
for (let i = 0; i < 45; i++) {
  const t = clock();
  await send(`out ${i}`);
  if (i >= 5) outbound.push(clock() - t);
}
await new Promise((r) => setTimeout(r, 1000)); // let the global window drain before the rate runs
let sendFailures = 0;
const rate = async (inFlight, total) => {
  const t = clock();
  let n = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => { while (n < total) { n++; await send(`rate ${n}`).catch(() => sendFailures++); } }));
  return total / ((clock() - t) / 1000);
};
const sendsPerSec1 = await rate(1, 300);
const sendsPerSec64 = await rate(64, 300);
await report({
  ...main,
  burstEventsPerSec: b.received / ((b.lastAt - burstStart) / 1000), burstReceived: b.received, burstOrdered: b.ordered && b.lost === 0 && b.doubled === 0,
  outboundP50Ms: pct(outbound, 50), outboundP99Ms: pct(outbound, 99),
  sendsPerSec1, sendsPerSec64, sendFailures,
});
