// One benchmark contender in its own process: `<runtime> bench/contender.mjs <kind> <serverUrl>`
// with kind "addon" (this package) or "discordjs" (discord.js 14 in the same process). Prints one
// JSON line of figures. Every latency is read on the system monotonic clock shared with the server.
import { createRequire } from 'node:module';

const [kind, serverUrl] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const control = (path, body) => fetch(`${serverUrl}/__control${path}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => r.json());
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
  await client.connect();
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
    const req = http.request({ host: '127.0.0.1', port, path: '/notify', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(JSON.stringify({ channel_id: world.opsId, content }));
  });
  stop = async () => { child.stdin.end(); inboundServer.close(); agent.destroy(); };
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

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const next = (pred) => new Promise((resolve) => { onMessage = (content, bot) => { if (!bot && pred(content)) resolve(content); }; });

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

// Burst: 10,000 messages; events/s and whether order held.
let received = 0;
let ordered = true;
let lastAt = clock();
const burst = new Promise((resolve) => {
  // A contender that loses events would never see 10,000: stop after 10 s without one.
  const stall = setInterval(() => { if (clock() - lastAt > 10_000) { clearInterval(stall); resolve(); } }, 1000);
  onMessage = (content) => {
    if (!content.startsWith('burst ')) return;
    lastAt = clock();
    if (Number(content.slice(6)) !== received) ordered = false;
    if (++received === 10000) { clearInterval(stall); resolve(); }
  };
});
const burstStart = clock();
await control('/burst', { count: 10000, prefix: 'burst', author: 'alice', channelId: world.generalId });
await burst;
const burstMs = (received === 10000 ? clock() : lastAt) - burstStart;

// Outbound: a call → the message is confirmed; sends/s with 1 and with 64 in flight.
// 45 calls, so the global limit (50/s) does not turn into waiting; the rate runs below do hit it.
const outbound = [];
for (let i = 0; i < 45; i++) {
  const t = clock();
  await send(`out ${i}`);
  if (i >= 5) outbound.push(clock() - t);
}
await new Promise((r) => setTimeout(r, 1000)); // let the global window drain before the rate runs
const rate = async (inFlight, total = 640) => {
  const t = clock();
  let n = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => { while (n < total) { n++; await send(`rate ${n}`); } }));
  return total / ((clock() - t) / 1000);
};
const sendsPerSec1 = await rate(1, 300);
const sendsPerSec64 = await rate(64, 300);

await stop();
console.log(JSON.stringify({
  kind, runtime: typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`,
  coldStartMs, rssAddedMb: (rssConnected - rssBefore) / 1048576,
  inboundP50Ms: pct(inbound, 50), inboundP99Ms: pct(inbound, 99),
  burstEventsPerSec: received / (burstMs / 1000), burstReceived: received, burstOrdered: ordered && received === 10000,
  outboundP50Ms: pct(outbound, 50), outboundP99Ms: pct(outbound, 99),
  sendsPerSec1, sendsPerSec64,
}));
process.exit(0);
