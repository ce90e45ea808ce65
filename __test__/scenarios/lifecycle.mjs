// Runs under Node or Bun: connect, events (with a throwing listener), send, disconnect,
// connect again, disconnect. It never calls process.exit: the process must end by itself.
import { DiscordClient } from '../helpers/addon.mjs';
import { startTestServer, EventLog } from '../helpers/server.mjs';

const server = await startTestServer({ heartbeatIntervalMs: 500 });
const client = new DiscordClient(server.clientOptions());
const events = new EventLog(client);
client.onEvent(() => { throw new Error('a buggy listener'); });
for (let round = 1; round <= 2; round++) {
  await client.connect();
  await server.say(`round ${round}`);
  await events.wait((e) => e.type === 'messageCreate' && e.message.content === `round ${round}`);
  await client.sendMessage(server.world.generalId, { content: `reply ${round}` });
  await client.disconnect();
}
await server.close();
console.log(`LIFECYCLE OK ${typeof Bun === 'undefined' ? 'node' : 'bun'} ${events.of('ready').length}`);
