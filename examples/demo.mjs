// The demo: a real omp with this plugin, the bundled Discord-compatible server as Discord, and a
// scripted model as the LLM — no Discord account and no API key. What you see is what a user
// sees: the agent reads the channel, posts to it, and the completion notice arrives.
import { makeHome, startOmp, startWorld } from '../__test__/omp/harness.mjs';

const say = (...a) => console.log(...a);
const show = async (server, channelId, since) => {
  for (const m of (await server.messages(channelId)).filter((m) => BigInt(m.id) > BigInt(since))) {
    const text = m.content || m.embeds.map((e) => `[embed] ${e.title}${e.description ? ` — ${e.description}` : ''}`).join(' ');
    say(`   #general  ${m.author.username.padEnd(10)} ${text.replace(/\n/g, '\n                         ')}`);
  }
};

const world = await startWorld();
const { server, model, w } = world;
say(`Discord-compatible server: ${w.apiBaseUrl}   scripted model: ${model.baseUrl}`);

const home = makeHome(model);
say('omp plugin link . → installed omp-discord-bridge as an OMP plugin (throwaway HOME)');
const omp = await startOmp({ home, env: { DISCORD_TOKEN: w.token, DISCORD_CHANNEL_ID: w.generalId, DISCORD_API_BASE_URL: w.apiBaseUrl } });
await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'setStatus' && /omp-bot/.test(f.statusText ?? ''));
say(`omp is running (RPC mode); its status line: "${omp.statuses().at(-1)}"\n`);

const first = await server.say('Heads-up: the nightly build failed at the lint step.', { author: 'alice' });
say('alice writes in #general:');
await show(server, w.generalId, BigInt(first.id) - 1n);

model.queue(
  { toolCalls: [{ name: 'discord_read', arguments: { limit: 5 } }] },
  { toolCalls: [{ name: 'discord_send', arguments: { content: 'On it — fixing the lint errors now. 🛠️', reply_to: first.id } }] },
  { text: 'Alice reported a lint failure in the nightly build. I replied on Discord and will fix the lint errors.' },
);
say('\nYou (in omp): "Check Discord and let the team know you are on it."');
omp.send({ type: 'prompt', message: 'Check Discord and let the team know you are on it.' });
const seen = new Set();
const watchTools = setInterval(() => {
  for (const f of omp.frames) {
    if (f.type === 'tool_execution_start' && !seen.has(f.toolCallId)) {
      seen.add(f.toolCallId);
      say(`   omp → tool ${f.toolName} ${JSON.stringify(f.args ?? {})}`);
    }
  }
}, 50);
await omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { timeoutMs: 60000 });
await server.waitFor((e) => e.kind === 'rest' && e.method === 'POST' && e.body?.embeds?.[0]?.title?.includes('finished'), { after: -1 });
clearInterval(watchTools);
say('\n#general now shows:');
await show(server, w.generalId, first.id);

const [status] = await omp.command('/discord status');
say(`\n/discord status:\n   ${status.replace(/\n/g, '\n   ')}`);
await omp.close();
await world.close();
say('\nDone: omp exited cleanly and closed its Discord connection.');
