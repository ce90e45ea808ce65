// Starts the bundled Discord-compatible server in a child process (so a test that blocks its
// own JS thread does not block Discord) and drives it through its control API.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DiscordClient } from './addon.mjs';

const MAIN = fileURLToPath(new URL('../discord-server/main.mjs', import.meta.url));

export async function startTestServer(options = {}) {
  const child = spawn(process.execPath.includes('bun') ? 'node' : process.execPath, [MAIN, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [first] = await once(lines, 'line');
  const { baseUrl } = JSON.parse(first);
  const server = new TestServer(child, baseUrl);
  server.world = await server.get('/world');
  return server;
}

export class TestServer {
  constructor(child, baseUrl) {
    this.child = child;
    this.baseUrl = baseUrl;
    this.cursor = -1;
  }

  async call(method, path, body) {
    const res = await fetch(`${this.baseUrl}/__control${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const data = await res.json();
    if (!res.ok) throw new Error(`control ${path}: ${JSON.stringify(data)}`);
    return data;
  }
  get(path) { return this.call('GET', path); }
  post(path, body = {}) { return this.call('POST', path, body); }

  /** Client options for the addon against this server. */
  clientOptions(extra = {}) {
    return { token: this.world.token, apiBaseUrl: this.world.apiBaseUrl, ...extra };
  }

  say(content, extra = {}) { return this.post('/message', { content, ...extra }); }
  messages(channelId = this.world.generalId) { return this.get(`/messages/${channelId}`); }
  stats() { return this.get('/stats'); }
  gateway(action, extra = {}) { return this.post('/gateway', { action, ...extra }); }
  rest(action, extra = {}) { return this.post('/rest', { action, ...extra }); }

  /** Log entries (REST requests, gateway frames) since the last mark. */
  async mark() {
    const all = await this.get('/log');
    this.cursor = all.length ? all[all.length - 1].n : -1;
    return this.cursor;
  }

  /** Waits for a log entry matching `pred` after the mark; long-polls the server, no sleeping. */
  async waitFor(pred, { timeoutMs = 10000, after = this.cursor } = {}) {
    const deadline = Date.now() + timeoutMs;
    let seen = after;
    while (Date.now() < deadline) {
      const entries = await this.get(`/log?after=${seen}&wait=${Math.min(1000, deadline - Date.now())}`);
      for (const e of entries) {
        seen = e.n;
        if (pred(e)) return e;
      }
    }
    throw new Error(`timed out waiting for a server log entry matching ${pred}`);
  }

  async close() {
    if (this.child.exitCode !== null) return;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}

/** Collects a client's events and lets a test await the next one matching a predicate. */
export class EventLog {
  constructor(client) {
    this.events = [];
    this.waiters = [];
    client.onEvent((e) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => !w.check());
    });
  }

  of(type) { return this.events.filter((e) => e.type === type); }

  /** Resolves with the first event (from index `from`) matching pred; rejects after timeoutMs. */
  wait(pred, { from = 0, timeoutMs = 10000 } = {}) {
    return new Promise((resolve, reject) => {
      const w = {
        check: () => {
          const found = this.events.slice(from).find(pred);
          if (found) { clearTimeout(w.timer); resolve(found); return true; }
          return false;
        },
      };
      if (w.check()) return;
      w.timer = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); reject(new Error(`timed out waiting for event ${pred}; saw ${this.events.map((e) => e.type).join(',')}`)); }, timeoutMs);
      this.waiters.push(w);
    });
  }

  count(pred) { return this.events.filter(pred).length; }
}

/** A test server plus a connected client with an event log; `done()` tears both down. */
export async function startConnected(serverOptions = {}, clientOptions = {}) {
  const server = await startTestServer(serverOptions);
  const client = new DiscordClient(server.clientOptions(clientOptions));
  const events = new EventLog(client);
  await client.connect();
  return { server, client, events, w: server.world, async done() { await client.disconnect(); await server.close(); } };
}
