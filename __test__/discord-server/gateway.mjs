// Gateway v10 over a real websocket: Hello, Identify/Resume, heartbeats, sessions that buffer
// events while the client is away and replay them on RESUME, intent filtering, and the faults
// tests ask for (drop, close codes, op 7, op 9, zombie = no heartbeat ACKs).

import zlib from 'node:zlib';
import { WebSocketServer } from 'ws';
import { Intents, PRIVILEGED, isoNow, snowflake } from './world.mjs';

const Op = { DISPATCH: 0, HEARTBEAT: 1, IDENTIFY: 2, RESUME: 6, RECONNECT: 7, INVALID_SESSION: 9, HELLO: 10, HEARTBEAT_ACK: 11 };

export class Gateway {
  constructor({ world, log, config }) {
    this.world = world;
    this.log = log;
    this.config = config; // { heartbeatIntervalMs, allowedIntents, zombie }
    this.sessions = new Map(); // sessionId -> { id, seq, intents, events, conn }
    this.connections = new Set();
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.stats = { connections: 0, identifies: 0, resumes: 0, resumesViaResumeUrl: 0, heartbeats: 0, heartbeatTimeouts: 0 };
  }

  handleUpgrade(req, socket, head, baseUrl) {
    const url = new URL(req.url, 'http://x');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url, baseUrl));
  }

  accept(ws, url, baseUrl) {
    this.stats.connections++;
    const conn = { ws, session: null, path: url.pathname, zlib: null, lastHeartbeat: Date.now() };
    this.connections.add(conn);
    this.log({ kind: 'gateway', event: 'open', path: url.pathname, query: url.search });
    if (url.searchParams.get('v') !== '10') return this.close(conn, 4012, 'Invalid API version');
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') return this.close(conn, 4002, 'Decode error');
    if (url.searchParams.get('compress') === 'zlib-stream') {
      conn.zlib = zlib.createDeflate({ flush: zlib.constants.Z_SYNC_FLUSH });
      conn.zlib.on('data', (chunk) => ws.readyState === 1 && ws.send(chunk));
    }
    conn.baseUrl = baseUrl;
    ws.on('message', (data) => this.receive(conn, data));
    // Discord drops a connection that stops heartbeating; this server allows 1.5 intervals (the
    // first beat may come up to one interval after Hello) and then drops the socket without a
    // close frame. The session stays resumable.
    conn.watchdog = setInterval(() => {
      if (Date.now() - conn.lastHeartbeat > this.config.heartbeatIntervalMs * 1.5) {
        this.stats.heartbeatTimeouts++;
        this.log({ kind: 'gateway', event: 'heartbeat-timeout', path: conn.path });
        ws.terminate();
      }
    }, Math.max(50, this.config.heartbeatIntervalMs / 4));
    ws.on('close', (code) => {
      clearInterval(conn.watchdog);
      this.connections.delete(conn);
      if (conn.session?.conn === conn) conn.session.conn = null;
      this.log({ kind: 'gateway', event: 'closed', code });
    });
    ws.on('error', () => {});
    this.send(conn, { op: Op.HELLO, d: { heartbeat_interval: this.config.heartbeatIntervalMs, _trace: ['["omp-test-gateway",{"micros":0}]'] } });
  }

  send(conn, payload) {
    if (conn.ws.readyState !== 1) return;
    const text = JSON.stringify(payload);
    if (conn.zlib) conn.zlib.write(text);
    else conn.ws.send(text);
  }

  close(conn, code, reason) {
    this.log({ kind: 'gateway', event: 'server-close', code, reason });
    conn.ws.close(code, reason);
  }

  receive(conn, data) {
    let msg;
    try { msg = JSON.parse(data.toString()); } catch { return this.close(conn, 4002, 'Decode error'); }
    this.log({ kind: 'gateway', op: msg.op, path: conn.path, d: msg.op === Op.IDENTIFY || msg.op === Op.RESUME ? { ...msg.d, token: '[token]' } : msg.d });
    switch (msg.op) {
      case Op.HEARTBEAT:
        this.stats.heartbeats++;
        conn.lastHeartbeat = Date.now();
        if (!this.config.zombie) this.send(conn, { op: Op.HEARTBEAT_ACK });
        return;
      case Op.IDENTIFY: return this.identify(conn, msg.d ?? {});
      case Op.RESUME: return this.resume(conn, msg.d ?? {});
      case 3: case 4: case 8: case 31: return; // presence, voice, request members, soundboard: accepted, ignored
      default: return this.close(conn, 4001, 'Unknown opcode');
    }
  }

  identify(conn, d) {
    if (conn.session) return this.close(conn, 4005, 'Already authenticated');
    if (d.token !== this.world.botToken) return this.close(conn, 4004, 'Authentication failed');
    const intents = Number(d.intents);
    if (!Number.isInteger(intents) || intents < 0 || intents >= 1 << 26) return this.close(conn, 4013, 'Invalid intent(s)');
    if ((intents & PRIVILEGED & ~this.config.allowedIntents) !== 0) return this.close(conn, 4014, 'Disallowed intent(s)');
    this.stats.identifies++;
    const session = { id: snowflake().slice(-16) + 'ab', seq: 0, intents, events: [], conn };
    this.sessions.set(session.id, session);
    conn.session = session;
    const w = this.world;
    this.dispatchTo(session, 'READY', {
      v: 10, user_settings: {}, user: { ...w.userPayload(w.bot), verified: true, mfa_enabled: false, email: null },
      guilds: [...w.guilds.values()].map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id, session_type: 'normal', resume_gateway_url: `${conn.baseUrl}/resume`,
      shard: d.shard ?? [0, 1], application: { id: w.applicationId, flags: 0 },
      private_channels: [], relationships: [], presences: [], guild_join_requests: [], geo_ordered_rtc_regions: ['us-east'], auth: {},
      _trace: ['["omp-test-gateway",{"micros":0}]'],
    });
    if (intents & Intents.GUILDS) for (const g of w.guilds.values()) this.dispatchTo(session, 'GUILD_CREATE', w.guildPayload(g));
  }

  resume(conn, d) {
    const session = this.sessions.get(d.session_id);
    if (d.token !== this.world.botToken) return this.close(conn, 4004, 'Authentication failed');
    if (!session || typeof d.seq !== 'number' && d.seq !== null || (d.seq ?? 0) > session.seq) {
      return this.send(conn, { op: Op.INVALID_SESSION, d: false });
    }
    this.stats.resumes++;
    if (conn.path === '/resume') this.stats.resumesViaResumeUrl++;
    if (session.conn && session.conn !== conn) session.conn.ws.terminate();
    session.conn = conn;
    conn.session = session;
    for (const ev of session.events) if (ev.s > (d.seq ?? 0)) this.send(conn, ev);
    this.dispatchTo(session, 'RESUMED', { _trace: ['["omp-test-gateway",{"micros":0}]'] });
  }

  /** Assigns the next sequence number; sends now if the session is connected, else keeps it for RESUME. */
  dispatchTo(session, t, d) {
    const payload = { op: Op.DISPATCH, s: ++session.seq, t, d };
    session.events.push(payload);
    if (session.events.length > 50000) session.events.splice(0, 10000);
    if (session.conn) this.send(session.conn, payload);
  }

  /** Sends an event to every live session whose intents ask for it. */
  dispatch(t, d, { intent = 0, content = null } = {}) {
    for (const session of this.sessions.values()) {
      if (session.invalid) continue;
      if (intent && !(session.intents & intent)) continue;
      let data = d;
      if (content && !(session.intents & Intents.MESSAGE_CONTENT) && !content.exempt) {
        data = { ...d, content: '', embeds: [], attachments: [], components: [] };
      }
      this.dispatchTo(session, t, data);
    }
  }

  // ---- faults ----
  current() {
    return [...this.connections].filter((c) => c.session);
  }

  drop() {
    for (const c of this.connections) c.ws.terminate();
  }

  closeAll(code, reason = '') {
    for (const c of this.connections) this.close(c, code, reason);
  }

  reconnect() {
    for (const c of this.current()) this.send(c, { op: Op.RECONNECT, d: null });
  }

  invalidate(resumable) {
    for (const c of this.current()) {
      if (!resumable) { c.session.invalid = true; this.sessions.delete(c.session.id); }
      this.send(c, { op: Op.INVALID_SESSION, d: resumable });
    }
  }

  raw(t, d) {
    for (const s of this.sessions.values()) if (!s.invalid) this.dispatchTo(s, t, d);
  }

  shutdown() {
    for (const c of this.connections) { clearInterval(c.watchdog); c.ws.terminate(); }
    this.wss.close();
  }
}

export { isoNow };
