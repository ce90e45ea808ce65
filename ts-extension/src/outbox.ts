// The durable outbox: everything the extension sends on its own (notifications, answers, failure
// notices) is written to SQLite under OMP's agent dir before it is sent, and deleted only when
// Discord confirmed it. Each message keeps one nonce for all its attempts, and Discord enforces
// it, so a retry after a crash or a lost answer returns the first message instead of a second
// one. Messages go out in the order they were queued; the head retries transient failures with
// backoff (not connected, timeouts, 5xx, rate limits) and is set aside, never retried, on
// permanent ones (401/403/404, invalid message). Bounded: past MAX_PENDING the oldest is dropped.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { MessageInfo, OutgoingMessage } from "../../index.js";
import { within } from "./within.js";

const MAX_PENDING = 500;
/** How long a process may hold a message it is sending before another process may take it. */
const CLAIM_MS = 60_000;
/** Codes worth retrying; anything else would fail the same way again. */
const TRANSIENT = new Set(["NOT_CONNECTED", "DISCORD_UNAVAILABLE", "TIMEOUT", "RATE_LIMITED"]);

type Row = { id: number; target: string | null; message: string; nonce: string; attempts: number; next_at: number; created_at: number; claimed_by: string | null; claimed_until: number };
export type Deliver = (target: string | null, message: OutgoingMessage) => Promise<MessageInfo | null>;
export type OutboxStats = { pending: number; failed: number; dropped: number; oldestMs?: number; lastError?: string };

/** Buffers become {$base64}, so a message with an attached file survives the trip through JSON. */
function encode(message: OutgoingMessage): string {
	return JSON.stringify(message, (_k, v) => (v && v.type === "Buffer" && Array.isArray(v.data) ? { $base64: Buffer.from(v.data).toString("base64") } : v));
}
function decode(text: string): OutgoingMessage {
	return JSON.parse(text, (_k, v) => (v && typeof v.$base64 === "string" ? Buffer.from(v.$base64, "base64") : v));
}

function transient(err: unknown): boolean {
	const e = err as { code?: string; httpStatus?: number };
	return TRANSIENT.has(e.code ?? "") || (e.code === "HTTP_ERROR" && (e.httpStatus ?? 500) >= 500);
}

/** 1 s, 2 s, 4 s … up to 60 s, with ±25 % jitter so several processes do not retry in step. */
function backoff(attempts: number): number {
	const base = Math.min(60_000, 1000 * 2 ** Math.min(attempts - 1, 6));
	return base * (0.75 + Math.random() / 2);
}

/** Whether the process behind a claim (`<pid>-<random>`) still runs; a killed omp's claim is void. */
function alive(claim: string): boolean {
	try {
		process.kill(Number(claim.split("-")[0]), 0);
		return true;
	} catch (err) {
		return (err as { code?: string }).code === "EPERM";
	}
}

function newNonce(): string {
	return `o${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`.slice(0, 25);
}

export class Outbox {
	private db: Database;
	private me = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
	private draining = false;
	/** A kick that came while draining: drain once more, so nothing queued meanwhile waits. */
	private again = false;
	private timer?: ReturnType<typeof setTimeout>;
	private waiters = new Map<number, { resolve: (m: MessageInfo | null) => void; reject: (e: Error) => void }>();
	private dropped = 0;
	private lastError?: string;
	private closed = false;

	/** `ready()` says whether sending can work now; `deliver` sends; `onFailed` hears of messages set aside. */
	constructor(
		file: string,
		private deliver: Deliver,
		private ready: () => boolean,
		private onFailed: (message: string) => void,
	) {
		mkdirSync(dirname(file), { recursive: true });
		this.db = new Database(file, { create: true });
		this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
		this.db.exec(`CREATE TABLE IF NOT EXISTS outbox (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			target TEXT, message TEXT NOT NULL, nonce TEXT NOT NULL,
			state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
			next_at INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
			claimed_by TEXT, claimed_until INTEGER NOT NULL DEFAULT 0, error TEXT)`);
	}

	/** Stores the message durably, then sends it in turn; resolves once Discord confirmed it. */
	enqueue(target: string | null, message: OutgoingMessage): Promise<MessageInfo | null> {
		const now = Date.now();
		const id = this.db.transaction(() => {
			const pending = (this.db.query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }).n;
			if (pending >= MAX_PENDING) {
				this.db.run("DELETE FROM outbox WHERE id = (SELECT MIN(id) FROM outbox WHERE state = 'pending')");
				this.dropped++;
			}
			return Number(this.db.run("INSERT INTO outbox (target, message, nonce, created_at) VALUES (?, ?, ?, ?)", [target, encode(message), newNonce(), now]).lastInsertRowid);
		})();
		const delivered = new Promise<MessageInfo | null>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
		delivered.catch(() => {}); // callers that do not wait must not see an unhandled rejection
		this.kick();
		return delivered;
	}

	/** Sends what is due (also what earlier runs left behind). Safe to call any time. */
	kick(): void {
		if (this.closed) return;
		if (this.draining) {
			this.again = true;
			return;
		}
		this.draining = true;
		this.again = false;
		void this.drain()
			.catch((err: Error) => {
				this.lastError = err.message; // e.g. the store closed under a send at shutdown
			})
			.finally(() => {
				this.draining = false;
				if (this.again) this.kick();
			});
	}

	private async drain(): Promise<void> {
		while (!this.closed && this.ready()) {
			const now = Date.now();
			// Strictly in order: the oldest pending message goes first, whoever sends it.
			const head = this.db.query("SELECT * FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1").get() as Row | null;
			if (!head) return;
			if (head.next_at > now) return this.wake(head.next_at - now);
			if (head.claimed_by && head.claimed_by !== this.me && head.claimed_until > now && alive(head.claimed_by)) {
				return this.wake(head.claimed_until - now); // another omp process is sending it
			}
			const claimed = this.db.run("UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ? AND (claimed_by IS ? OR claimed_by = ?)", [this.me, now + CLAIM_MS, head.id, head.claimed_by, this.me]);
			if (claimed.changes === 0) continue; // another omp process took it just now
			try {
				const sent = await this.deliver(head.target, { ...decode(head.message), nonce: head.nonce });
				if (this.closed) return; // shut down meanwhile: the next run resends it, with the same nonce
				this.db.run("DELETE FROM outbox WHERE id = ?", [head.id]);
				this.settle(head.id, sent);
			} catch (err) {
				if (this.closed) return;
				const e = err as Error & { code?: string };
				const why = e.code ? `${e.code}: ${e.message}` : e.message;
				this.lastError = why;
				if (transient(err)) {
					this.db.run("UPDATE outbox SET attempts = attempts + 1, next_at = ?, claimed_by = NULL, error = ? WHERE id = ?", [Date.now() + backoff(head.attempts + 1), why, head.id]);
				} else {
					this.db.run("UPDATE outbox SET state = 'failed', claimed_by = NULL, error = ? WHERE id = ?", [why, head.id]);
					this.settle(head.id, e);
					this.onFailed(`A Discord notification could not be sent and was set aside (${why}).`);
				}
			}
		}
	}

	private settle(id: number, result: MessageInfo | null | Error) {
		const w = this.waiters.get(id);
		this.waiters.delete(id);
		if (!w) return;
		if (result instanceof Error) w.reject(result);
		else w.resolve(result);
	}

	private wake(ms: number) {
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.kick(), Math.max(10, ms));
		this.timer.unref?.();
	}

	stats(): OutboxStats {
		const row = this.db.query("SELECT SUM(state = 'pending') AS pending, SUM(state = 'failed') AS failed, MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest FROM outbox").get() as { pending: number | null; failed: number | null; oldest: number | null };
		return { pending: row.pending ?? 0, failed: row.failed ?? 0, dropped: this.dropped, oldestMs: row.oldest ? Date.now() - row.oldest : undefined, lastError: this.lastError };
	}

	/** Waits (up to `ms`) for what this process queued to be confirmed, e.g. before exiting. */
	async settled(ms: number): Promise<void> {
		if (!this.ready() || this.waiters.size === 0) return; // nothing can land now: it waits for the next run
		const all = [...this.waiters.keys()].map((id) => new Promise<void>((resolve) => {
			const w = this.waiters.get(id)!;
			this.waiters.set(id, { resolve: (m) => { w.resolve(m); resolve(); }, reject: (e) => { w.reject(e); resolve(); } });
		}));
		await within(Promise.all(all), ms);
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.timer);
		this.db.close();
	}
}
