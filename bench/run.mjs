// The benchmark: this package's addon against discord.js 14 in the same process (Node and Bun) and
// the seeds' discord.py sidecar, each in its own process against a fresh bundled
// Discord-compatible server on 127.0.0.1; then omp's start-up with and without the plugin.
// Writes bench/results/latest.{json,md,svg}. Loopback only; about 20 minutes (BENCH_BLOCK_S,
// BENCH_STORM_N and BENCH_OMP_RUNS shorten it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../__test__/helpers/server.mjs';
import { findBun } from '../__test__/helpers/bun.mjs';
import { renderMarkdown, renderSvg } from './report.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bun = findBun();
const runtimes = [['node', process.execPath], ...(bun ? [['bun', bun]] : [])];
// The sidecar (discord.py) runs when BENCH_PYTHON (or python3) has discord.py and aiohttp.
const python = process.env.BENCH_PYTHON ?? 'python3';
const hasSidecar = spawnSync(python, ['-c', 'import discord, aiohttp']).status === 0;
if (!hasSidecar) process.stderr.write(`bench: skipping the discord.py sidecar (${python} lacks discord.py/aiohttp; see bench/README.md)\n`);

/** Each part: the server it needs and who runs it (the sidecar's JS side is only HTTP, so Node only). */
const parts = [
  { part: 'main', server: { defaultLimit: 100000, globalPerSecond: 50 }, kinds: ['floor', 'addon', 'discordjs', 'sidecar'] },
  { part: 'blocked', server: { defaultLimit: 100000, heartbeatIntervalMs: 1000 }, kinds: ['addon', 'discordjs', 'sidecar'] },
  // Rate limiting is the library's logic, not the runtime's: Node only.
  { part: 'storm', server: { defaultLimit: 100000, globalPerSecond: 50 }, kinds: ['addon', 'discordjs', 'sidecar'], runtimes: ['node'] },
  // RSS moves by several MB between identical runs (the allocators, not the clients): median of 5.
  { part: 'bigworld', server: { guilds: 100, channelsPerGuild: 50, membersPerGuild: 300 }, kinds: ['addon', 'discordjs', 'sidecar'], repeat: 5 },
];

function runChild(runtime, args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(runtime, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${label} took over 10 minutes`)); }, 600_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1);
      code === 0 ? resolve(JSON.parse(line)) : reject(new Error(`${label} exited ${code}: ${out}`));
    });
  });
}

// BENCH_ONLY=blocked,storm re-runs those parts (omp-startup too, if named) and keeps the rest of
// the previous results.
const only = process.env.BENCH_ONLY?.split(',');
const previous = only && existsSync(here('./results/latest.json')) ? JSON.parse(readFileSync(here('./results/latest.json'), 'utf8')) : undefined;
const results = previous ? previous.results.filter((r) => !only.includes(r.part)) : [];
for (const { part, server: serverOptions, kinds, runtimes: onlyOn, repeat = 1 } of parts) {
  if (only && !only.includes(part)) continue;
  for (const [runtimeName, runtime] of runtimes) {
    if (onlyOn && !onlyOn.includes(runtimeName)) continue;
    for (const kind of kinds) {
      if (kind === 'sidecar' && (!hasSidecar || runtimeName !== 'node')) continue;
      const runs = [];
      for (let i = 0; i < repeat; i++) {
        const server = await startTestServer(serverOptions);
        try {
          process.stderr.write(`bench: ${part} · ${kind} on ${runtimeName}…\n`);
          runs.push(await runChild(runtime, [here('./contender.mjs'), kind, part, server.baseUrl], `${part} ${kind} on ${runtimeName}`));
        } finally {
          await server.close();
        }
      }
      runs.sort((a, b) => a.rssAddedMb - b.rssAddedMb);
      results.push(repeat === 1 ? runs[0] : { ...runs[Math.floor(repeat / 2)], rssAddedMbRuns: runs.map((r) => r.rssAddedMb) });
    }
  }
}
let ompStartup = previous?.ompStartup;
if (!only || only.includes('omp-startup')) {
  process.stderr.write('bench: omp start-up with and without the plugin…\n');
  ompStartup = await runChild(process.execPath, [here('./omp-startup.mjs')], 'omp start-up');
}
const order = parts.map((p) => p.part);
results.sort((a, b) => order.indexOf(a.part) - order.indexOf(b.part));

const summary = {
  date: new Date().toISOString(),
  machine: `${process.platform}-${process.arch}`,
  nodeAddonMb: statSync(here('../omp-discord-bridge.linux-x64-gnu.node')).size / 1048576,
  results,
  ompStartup,
};
writeFileSync(here('./results/latest.json'), JSON.stringify(summary, null, 2) + '\n');
const md = renderMarkdown(summary);
writeFileSync(here('./results/latest.md'), md);
writeFileSync(here('./results/latest.svg'), renderSvg(summary));
process.stdout.write(md);
