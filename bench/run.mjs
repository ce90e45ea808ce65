// The benchmark: this package's addon against discord.js 14 in the same process, under Node and
// Bun, each against a fresh bundled Discord-compatible server on 127.0.0.1. Writes
// bench/results/latest.{json,md,svg}. Loopback only, bounded (a few minutes).
import { spawn, spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../__test__/helpers/server.mjs';
import { findBun } from '../__test__/helpers/bun.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bun = findBun();
const runtimes = [['node', process.execPath], ...(bun ? [['bun', bun]] : [])];
// The sidecar (discord.py) runs when BENCH_PYTHON (or python3) has discord.py and aiohttp.
const python = process.env.BENCH_PYTHON ?? 'python3';
const hasSidecar = spawnSync(python, ['-c', 'import discord, aiohttp']).status === 0;
const contenders = ['addon', 'discordjs', ...(hasSidecar ? ['sidecar'] : [])];
if (!hasSidecar) process.stderr.write(`bench: skipping the discord.py sidecar (${python} lacks discord.py/aiohttp; see bench/README.md)\n`);

function runContender(runtime, kind, serverUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(runtime, [here('./contender.mjs'), kind, serverUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${kind} on ${runtime} took over 5 minutes`)); }, 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1);
      code === 0 ? resolve(JSON.parse(line)) : reject(new Error(`${kind} on ${runtime} exited ${code}: ${out}`));
    });
  });
}

const results = [];
for (const [runtimeName, runtime] of runtimes) {
  for (const kind of contenders) {
    if (kind === 'sidecar' && runtimeName !== 'node') continue; // the JS side of a sidecar is only fetch
    const server = await startTestServer({ defaultLimit: 100000, globalPerSecond: 50 });
    try {
      process.stderr.write(`bench: ${kind} on ${runtimeName}…\n`);
      results.push(await runContender(runtime, kind, server.baseUrl));
    } finally {
      await server.close();
    }
  }
}

const nodeFile = here('../omp-discord-bridge.linux-x64-gnu.node');
const nodeBytes = statSync(nodeFile).size;
const summary = { date: new Date().toISOString(), machine: `${process.platform}-${process.arch}`, nodeAddonMb: nodeBytes / 1048576, results };
writeFileSync(here('./results/latest.json'), JSON.stringify(summary, null, 2) + '\n');

const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x));
const rows = results.map((r) => `| ${r.kind} | ${r.runtime} | ${f(r.inboundP50Ms, 3)} | ${f(r.inboundP99Ms, 3)} | ${f(r.outboundP50Ms)} | ${f(r.outboundP99Ms)} | ${f(r.burstEventsPerSec, 0)} | ${r.burstReceived === 10000 ? (r.burstOrdered ? 'all, in order' : 'all, REORDERED') : `${r.burstReceived} (LOST ${10000 - r.burstReceived})`} | ${f(r.sendsPerSec1, 0)} | ${f(r.sendsPerSec64, 0)} | ${f(r.rssAddedMb, 1)} | ${f(r.coldStartMs, 0)} |`);
const md = [
  `# Benchmark results (${summary.date}, ${summary.machine})`,
  '',
  `Release \`.node\`: ${f(summary.nodeAddonMb)} MB. Same machine, same bundled server, loopback; latencies on the system monotonic clock.`,
  '',
  '| contender | runtime | inbound p50 ms | inbound p99 ms | outbound p50 ms | outbound p99 ms | 10k burst events/s | burst delivered | sends/s (1 in flight) | sends/s (64 in flight) | RSS added MB | cold start ms |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  'Sends/s are capped near 50 by Discord\'s global limit, which both clients honour.',
  '',
].join('\n');
writeFileSync(here('./results/latest.md'), md);

// A bar chart of inbound latency (p50 and p99), as SVG.
const max = Math.max(...results.map((r) => r.inboundP99Ms));
const bar = (r, i) => {
  const y = 40 + i * 50;
  const w50 = (r.inboundP50Ms / max) * 500;
  const w99 = (r.inboundP99Ms / max) * 500;
  return `<text x="10" y="${y + 14}" font-size="12">${r.kind} · ${r.runtime.split(' ')[0]}</text>
<rect x="170" y="${y}" width="${w99}" height="18" fill="#f0b37e"/><rect x="170" y="${y}" width="${w50}" height="18" fill="#5865f2"/>
<text x="${175 + w99}" y="${y + 14}" font-size="11">p50 ${f(r.inboundP50Ms, 3)} · p99 ${f(r.inboundP99Ms, 3)} ms</text>`;
};
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="${60 + results.length * 50}" font-family="sans-serif">
<text x="10" y="22" font-size="14" font-weight="bold">Inbound latency: server sends MESSAGE_CREATE → JS callback runs (blue p50, orange p99)</text>
${results.map(bar).join('\n')}
</svg>
`;
writeFileSync(here('./results/latest.svg'), svg);
process.stdout.write(md);
