// omp's own start-up with and without this plugin: spawn `omp --mode rpc` in a fresh HOME and
// time until its "ready" frame, alternating the two so drift hits both alike. With the plugin it
// is configured (bot token, channel) against the bundled server, so it connects as a user's would.
// Prints one JSON line.
import { startOmp, makeHome, startWorld } from '../__test__/omp/harness.mjs';

const runs = Number(process.env.BENCH_OMP_RUNS ?? 7);
const world = await startWorld();
const env = { DISCORD_TOKEN: world.w.token, DISCORD_CHANNEL_ID: world.w.opsId, DISCORD_API_BASE_URL: world.w.apiBaseUrl };
const homes = { without: makeHome(world.model, { link: false }), with: makeHome(world.model, { link: true }) };
const times = { without: [], with: [] };
const once = async (which) => {
  const t = performance.now();
  const omp = await startOmp({ home: homes[which], env: which === 'with' ? env : {} });
  times[which].push(performance.now() - t);
  await omp.close();
};
await once('without'); // warm the file cache for both
await once('with');
times.without.length = times.with.length = 0;
for (let i = 0; i < runs; i++) { await once('without'); await once('with'); }
await world.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ runs, withoutMs: median(times.without), withMs: median(times.with), addedMs: median(times.with) - median(times.without), times }));
