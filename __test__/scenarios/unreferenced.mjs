// Runs under Node (--expose-gc) or Bun: a connected client that the caller kept no reference to
// is garbage-collected, and its listener still receives events (a connection, like a socket,
// stays up until disconnect()). Prints one JSON line; the test reads it.
import { DiscordClient } from '../helpers/addon.mjs';
import { startTestServer } from '../helpers/server.mjs';

const server = await startTestServer();
const seen = [];
let waiter = () => {};
let weak;
async function connectWithoutKeepingTheClient() {
  const client = new DiscordClient(server.clientOptions());
  client.onEvent((e) => {
    if (e.type === 'messageCreate') seen.push(e.message.content);
    if (e.type === 'stateChange' && e.state === 'disconnected') seen.push(`disconnected: ${e.reason}`);
    waiter();
  });
  weak = new WeakRef(client);
  await client.connect();
}
await connectWithoutKeepingTheClient();
const collect = async () => {
  for (let i = 0; i < 5 && weak.deref(); i++) {
    await new Promise((r) => setImmediate(r)); // a WeakRef target lives at least until the job ends
    if (typeof Bun !== 'undefined') Bun.gc(true);
    else globalThis.gc();
  }
};
await collect();
const collected = weak.deref() === undefined;
// Node runs native finalizers from a later loop turn (setImmediate); let them run before posting.
for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
const arrived = new Promise((r) => { waiter = () => seen.length && r(); });
await server.say('after gc');
await arrived;
console.log(JSON.stringify({ collected, seen }));
await server.close();
process.exit(0); // nobody can disconnect() a client nobody holds; the connection would keep the process
