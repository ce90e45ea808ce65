#!/usr/bin/env node
// Runs the Discord-compatible test server in its own process and prints one JSON line with its
// address. Options as JSON in argv[2], e.g. '{"heartbeatIntervalMs":250}'. Stops on SIGTERM or
// when its stdin closes (so it never outlives the test that started it).
import { startServer } from './server.mjs';

const options = process.argv[2] ? JSON.parse(process.argv[2]) : {};
const server = await startServer(options);
process.stdout.write(JSON.stringify({ port: server.port, baseUrl: server.baseUrl }) + '\n');
const stop = async () => { await server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (!options.keepAlive) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
