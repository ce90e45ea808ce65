// The demo: the native core against the bundled Discord-compatible server, the way the OMP
// extension will use it. A person on Discord ("alice") talks to the bot, the bot answers with
// an approval prompt, alice clicks Allow, and a webhook posts the "agent finished" notice.
import { createRequire } from 'node:module';
import { startTestServer, EventLog } from '../__test__/helpers/server.mjs';

const { DiscordClient, sendWebhook } = createRequire(import.meta.url)('../index.js');
const runtime = typeof Bun === 'undefined' ? `Node ${process.version}` : `Bun ${Bun.version}`;
const say = (...a) => console.log(...a);

const server = await startTestServer();
const w = server.world;
say(`Discord-compatible server on ${w.apiBaseUrl}; runtime: ${runtime}`);

const client = new DiscordClient({ token: w.token, apiBaseUrl: w.apiBaseUrl });
const events = new EventLog(client);
client.onEvent((e) => {
  if (e.type === 'stateChange') say(`  [gateway] ${e.state}${e.resumed !== undefined ? ` (resumed: ${e.resumed})` : ''} — ${e.reason}`);
});

const ready = await client.connect();
say(`Connected as ${ready.user.username} to ${ready.guilds.map((g) => g.name).join(', ')}`);

await client.registerCommands([{ name: 'ask', description: 'Ask the agent', options: [{ name: 'prompt', description: 'What to do', required: true }] }], w.guildId);
say('Registered /ask');

await server.say('hey bot, can you clean the build folder?', { author: 'alice' });
const inbound = await events.wait((e) => e.type === 'messageCreate' && e.message.author.id === w.aliceId);
say(`alice → #general: "${inbound.message.content}"`);

await client.addReaction(w.generalId, inbound.message.id, '👀');
await client.typing(w.generalId);
const prompt = await client.sendMessage(w.generalId, {
  replyTo: inbound.message.id,
  embeds: [{ title: 'Approve tool call?', description: '```sh\nrm -rf build/\n```', color: 0xfee75c, fields: [{ name: 'tool', value: 'bash', inline: true }] }],
  components: [[{ label: 'Allow', customId: 'approve:demo:1', style: 'success' }, { label: 'Deny', customId: 'deny:demo:1', style: 'danger' }]],
});
say(`bot → #general: approval prompt ${prompt.id} with Allow / Deny`);

const click = await server.post('/button', { messageId: prompt.id, customId: 'approve:demo:1', user: 'alice' });
const { interaction } = await events.wait((e) => e.type === 'interactionCreate' && e.interaction.id === click.id);
say(`alice clicked ${interaction.customId}`);
await client.respondToInteraction(interaction.id, interaction.token, { kind: 'update', message: { content: `✅ Allowed by ${interaction.user.displayName}`, embeds: [], components: [] } });

const { id: askId } = await server.post('/command', { name: 'ask', user: 'alice', options: [{ name: 'prompt', type: 3, value: 'run the tests' }] });
const ask = (await events.wait((e) => e.type === 'interactionCreate' && e.interaction.id === askId)).interaction;
say(`alice ran /ask prompt:"${ask.options[0].value}"`);
await client.respondToInteraction(ask.id, ask.token, { message: { content: 'Queued for the agent.', ephemeral: true } });

await server.gateway('drop');
await events.wait((e) => e.type === 'stateChange' && e.state === 'connected' && e.resumed === true);

await sendWebhook(w.webhookUrl, { embeds: [{ title: 'Agent finished', description: 'Cleaned build/ and ran the tests: 42 passed.', color: 0x57f287 }] });
say('webhook → #general: "Agent finished"');

const s = client.status();
say(`Status: ${s.state}, latency ${s.latencyMs?.toFixed(2) ?? '–'} ms, reconnects ${s.reconnects}, events ${s.eventsReceived}`);
await client.disconnect();

say('\n#general as Discord stored it:');
for (const m of await server.messages()) {
  const text = m.content || m.embeds.map((e) => `[embed: ${e.title}]`).join(' ');
  say(`  ${m.author.username.padEnd(12)} ${text.replace(/\n/g, ' ')}`);
}
await server.close();
