// Turns bench/results/latest.json's figures into the markdown tables (with the issue's goals,
// each marked as met or not) and the SVG plot the README shows.

const f = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '–');
const rt = (r) => r.runtime.split(' ')[0];
const pick = (results, part) => results.filter((r) => r.part === part);
const find = (results, part, kind, runtime) => results.find((r) => r.part === part && r.kind === kind && rt(r) === runtime);

function goals({ results, nodeAddonMb, ompStartup }) {
  const out = [];
  const mark = (ok) => (ok === undefined ? '–' : ok ? '✓' : '✗');
  for (const runtime of ['node', 'bun']) {
    const a = find(results, 'main', 'addon', runtime);
    const d = find(results, 'main', 'discordjs', runtime);
    const fl = find(results, 'main', 'floor', runtime);
    if (!a || !d) continue;
    out.push(`| inbound p50 ≤ 0.1 ms and ≤ discord.js (${runtime}) | ${f(a.inboundP50Ms, 3)} vs ${f(d.inboundP50Ms, 3)} ms (bare websocket floor ${f(fl?.inboundP50Ms, 3)}) | ${mark(a.inboundP50Ms <= 0.1 && a.inboundP50Ms <= d.inboundP50Ms)} |`);
    out.push(`| inbound p99 ≤ 1 ms and ≤ ½ discord.js (${runtime}) | ${f(a.inboundP99Ms, 3)} vs ${f(d.inboundP99Ms, 3)} ms (floor ${f(fl?.inboundP99Ms, 3)}) | ${mark(a.inboundP99Ms <= 1 && a.inboundP99Ms <= d.inboundP99Ms / 2)} |`);
    const am = find(results, 'bigworld', 'addon', runtime);
    const dm = find(results, 'bigworld', 'discordjs', runtime);
    out.push(`| RSS added ≤ ⅓ of discord.js's (${runtime}; small / large world) | ${f(a.rssAddedMb, 1)} vs ${f(d.rssAddedMb, 1)} MB / ${f(am?.rssAddedMb, 1)} vs ${f(dm?.rssAddedMb, 1)} MB | ${mark(a.rssAddedMb <= d.rssAddedMb / 3 && (!am || am.rssAddedMb <= dm.rssAddedMb / 3))} |`);
    const b = find(results, 'blocked', 'addon', runtime);
    if (b) out.push(`| JS thread blocked ${b.blockedS} s: 0 reconnects, 0 lost, in order (${runtime}) | ${b.reconnects} reconnects, ${b.lost} lost, ${b.doubled} doubled, ${b.ordered ? 'in order' : 'REORDERED'} | ${mark(b.reconnects === 0 && b.lost === 0 && b.doubled === 0 && b.ordered)} |`);
  }
  const an = find(results, 'main', 'addon', 'node');
  const sc = find(results, 'main', 'sidecar', 'node');
  if (an && sc) out.push(`| steering path ≥ 10× faster than the sidecar (inbound p50, Node) | ${f(sc.inboundP50Ms / an.inboundP50Ms, 1)}× (${f(sc.inboundP50Ms, 3)} vs ${f(an.inboundP50Ms, 3)} ms) | ${mark(sc.inboundP50Ms / an.inboundP50Ms >= 10)} |`);
  const st = find(results, 'storm', 'addon', 'node');
  if (st) out.push(`| 0 429s in the notification storm | ${st.received429} | ${mark(st.received429 === 0)} |`);
  if (ompStartup) out.push(`| omp start-up + ≤ 20 ms with the plugin | ${f(ompStartup.addedMs, 0)} ms (${f(ompStartup.withoutMs, 0)} → ${f(ompStartup.withMs, 0)} ms, medians of ${ompStartup.runs}) | ${mark(ompStartup.addedMs <= 20)} |`);
  out.push(`| \`.node\` ≤ 8 MB | ${f(nodeAddonMb)} MB | ${mark(nodeAddonMb <= 8)} |`);
  return out;
}

export function renderMarkdown(summary) {
  const { results } = summary;
  const burst = (r) => (r.burstReceived === undefined ? '–' : r.burstReceived === 10000 ? (r.burstOrdered ? 'all, in order' : 'all, REORDERED') : `${r.burstReceived} (LOST ${10000 - r.burstReceived})`);
  const main = pick(results, 'main').map((r) => `| ${r.kind} | ${r.runtime} | ${f(r.inboundP50Ms, 3)} | ${f(r.inboundP99Ms, 3)} | ${f(r.outboundP50Ms)} | ${f(r.outboundP99Ms)} | ${f(r.burstEventsPerSec, 0)} | ${burst(r)} | ${f(r.sendsPerSec1, 0)} | ${f(r.sendsPerSec64, 0)}${r.sendFailures ? ` (${r.sendFailures} FAILED)` : ''} | ${f(r.rssAddedMb, 1)} | ${f(r.coldStartMs, 0)} |`);
  const blocked = pick(results, 'blocked').map((r) => `| ${r.kind} | ${r.runtime} | ${r.blockedS} | ${r.reconnects} | ${r.heartbeatTimeouts} | ${r.sent} | ${r.lost} | ${r.doubled} | ${r.ordered ? 'yes' : 'NO'} |`);
  const storm = pick(results, 'storm').map((r) => `| ${r.kind} | ${r.runtime} | ${r.notifications} | ${r.received429} | ${r.landed} | ${r.failed} | ${r.inCallOrder ? 'yes' : 'NO'} | ${f(r.lastLandsMs / 1000, 1)} |`);
  const big = pick(results, 'bigworld').map((r) => `| ${r.kind} | ${r.runtime} | ${f(r.rssAddedMb, 1)} (${(r.rssAddedMbRuns ?? []).map((x) => f(x, 1)).join(', ')}) | ${f(r.readyMs, 0)} |`);
  const o = summary.ompStartup;
  return [
    `# Benchmark results (${summary.date}, ${summary.machine})`,
    '',
    `Release \`.node\`: ${f(summary.nodeAddonMb)} MB. Same machine, same bundled server, loopback; latencies on the system monotonic clock.`,
    '`floor` is a bare websocket reader on the JS thread (JSON.parse only): no client can beat it on this machine.',
    '',
    '## Goals',
    '',
    '| goal | measured | met |',
    '| --- | --- | --- |',
    ...goals(summary),
    '',
    '## Latency, throughput, memory, cold start',
    '',
    '| contender | runtime | inbound p50 ms | inbound p99 ms | outbound p50 ms | outbound p99 ms | 10k burst events/s | burst delivered | sends/s (1 in flight) | sends/s (64 in flight) | RSS added MB | cold start ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...main,
    '',
    'Inbound: the server stamps MESSAGE_CREATE, the JS callback reads the clock; the JS thread is idle when it lands. Sends/s are capped near 50 by Discord\'s global limit, which every client honours.',
    '',
    '## The JS thread blocked (heartbeat every 1 s, 10 messages/s meanwhile)',
    '',
    '| contender | runtime | blocked s | reconnects | heartbeat timeouts | sent | lost | doubled | in order |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...blocked,
    '',
    '## Notification storm (all at once into a 5-per-5-s channel bucket)',
    '',
    '| contender | runtime | notifications | 429s received | landed | failed | in call order | last lands s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...storm,
    '',
    '## Large world (100 guilds × 50 channels × 300 members)',
    '',
    '| contender | runtime | RSS added MB, median (runs) | load + connect until every guild arrived, ms |',
    '| --- | --- | --- | --- |',
    ...big,
    '',
    o ? `## omp start-up\n\n\`omp --mode rpc\` spawn → ready, median of ${o.runs}: ${f(o.withoutMs, 0)} ms without the plugin, ${f(o.withMs, 0)} ms with it configured and connecting (${f(o.addedMs, 0)} ms).\n` : '',
  ].join('\n');
}

/** A bar chart of inbound latency (p50 and p99). */
export function renderSvg(summary) {
  const rows = pick(summary.results, 'main');
  const max = Math.max(...rows.map((r) => r.inboundP99Ms));
  const bar = (r, i) => {
    const y = 40 + i * 50;
    const w50 = (r.inboundP50Ms / max) * 500;
    const w99 = (r.inboundP99Ms / max) * 500;
    return `<text x="10" y="${y + 14}" font-size="12">${r.kind} · ${rt(r)}</text>
<rect x="170" y="${y}" width="${w99}" height="18" fill="#f0b37e"/><rect x="170" y="${y}" width="${w50}" height="18" fill="#5865f2"/>
<text x="${175 + w99}" y="${y + 14}" font-size="11">p50 ${f(r.inboundP50Ms, 3)} · p99 ${f(r.inboundP99Ms, 3)} ms</text>`;
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="${60 + rows.length * 50}" font-family="sans-serif">
<text x="10" y="22" font-size="14" font-weight="bold">Inbound latency: server sends MESSAGE_CREATE → JS callback runs (blue p50, orange p99)</text>
${rows.map(bar).join('\n')}
</svg>
`;
}
