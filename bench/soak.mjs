// Soak: the addon under steady traffic with a fault every 20 s, for SOAK_MINUTES (default 10),
// against the bundled server on 127.0.0.1. Samples RSS, threads and open file descriptors every
// 10 s; at the end checks that every inbound message arrived once and in order and every send
// landed once. Writes bench/results/soak.json and prints a summary. `npm run soak`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startTestServer } from '../__test__/helpers/server.mjs';

const { DiscordClient } = createRequire(import.meta.url)('../index.js');
const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const server = await startTestServer({ heartbeatIntervalMs: 2000, defaultLimit: 1000, globalPerSecond: 50 });
const w = server.world;
const client = new DiscordClient(server.clientOptions());
const inbound = [];
let reconnects = 0;
client.onEvent((e) => {
  if (e.type === 'messageCreate' && e.message.content.startsWith('soak ')) inbound.push(Number(e.message.content.slice(5)));
  if (e.type === 'stateChange' && e.state === 'connected') reconnects++;
});
await client.connect();

const sample = () => {
  const status = readFileSync('/proc/self/status', 'utf8');
  return {
    atS: Math.round((performance.now() - start) / 1000),
    rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024,
    threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
    fds: readdirSync('/proc/self/fd').length,
  };
};
const faults = [
  () => server.gateway('drop'),
  () => server.gateway('op7'),
  () => server.gateway('op9', { resumable: true }),
  () => server.rest('fail', { status: 503, count: 2, route: 'POST /channels/:id/messages' }),
  () => server.rest('force429', { count: 2, retryAfter: 0.3, route: 'POST /channels/:id/messages' }),
];
// (A session that cannot be resumed loses what was said meanwhile at this level; the extension's
// catch-up from history covers that, and its own tests prove it.)
const start = performance.now();
const end = start + minutes * 60_000;
const samples = [sample()];
let posted = 0;
let sent = 0;
let sendFailures = 0;
let faultCount = 0;
const sends = [];
// Steady traffic: 10 inbound messages a second (server side), one send a second (client side).
await server.post('/burst', { count: minutes * 600, intervalMs: 100, prefix: 'soak', channelId: w.generalId });
posted = minutes * 600;
const sender = setInterval(() => {
  const n = sent++;
  sends.push(client.sendMessage(w.opsId, { content: `out ${n}` }).catch(() => { sendFailures++; }));
}, 1000);
const sampler = setInterval(() => samples.push(sample()), 10_000);
const faulter = setInterval(() => { void faults[faultCount++ % faults.length]().catch(() => {}); }, 20_000);
await new Promise((r) => setTimeout(r, end - performance.now()));
clearInterval(sender);
clearInterval(faulter);
clearInterval(sampler);
await Promise.all(sends);
// The last posts need their moment; then everything must be accounted for.
const deadline = performance.now() + 30_000;
while (new Set(inbound).size < posted && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
samples.push(sample());
const landed = (await server.messages(w.opsId)).filter((m) => m.content.startsWith('out '));
await client.disconnect();
await server.close();

const unique = new Set(inbound).size;
const half = samples.filter((s) => s.atS >= (minutes * 60) / 2);
const result = {
  minutes, faults: faultCount, reconnects: reconnects - 1,
  inbound: { posted, received: unique, lost: posted - unique, doubled: inbound.length - unique, ordered: inbound.every((v, i) => i === 0 || v > inbound[i - 1]) },
  outbound: { sent, landed: landed.length, unique: new Set(landed.map((m) => m.content)).size, failures: sendFailures },
  rssMb: { first: samples[0].rssMb, secondHalfMin: Math.min(...half.map((s) => s.rssMb)), secondHalfMax: Math.max(...half.map((s) => s.rssMb)), last: samples.at(-1).rssMb },
  threads: { first: samples[0].threads, max: Math.max(...samples.map((s) => s.threads)), last: samples.at(-1).threads },
  fds: { first: samples[0].fds, max: Math.max(...samples.map((s) => s.fds)), last: samples.at(-1).fds },
  samples,
};
writeFileSync(fileURLToPath(new URL('./results/soak.json', import.meta.url)), JSON.stringify(result, null, 2) + '\n');
const { samples: _, ...summary } = result;
console.log(JSON.stringify(summary, null, 2));
process.exit(0);
