// The live omp sessions on this machine that share a bot, in `<agent dir>/discord-sessions.json`:
// which session a DM goes to (the most recently active one, unless the DM names one), and what
// /sessions lists. Entries of processes that are gone are dropped on read.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { agentDir } from "./config.js";

export interface SessionEntry {
	key: string;
	pid: number;
	name: string;
	threadId?: string;
	lastActive: number;
}

const file = () => join(agentDir(), "discord-sessions.json");

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === "EPERM";
	}
}

export function liveSessions(): SessionEntry[] {
	try {
		const entries = JSON.parse(readFileSync(file(), "utf8")) as SessionEntry[];
		return Array.isArray(entries) ? entries.filter((e) => e && typeof e.key === "string" && alive(e.pid)) : [];
	} catch {
		return [];
	}
}

function save(entries: SessionEntry[]) {
	const path = file();
	mkdirSync(dirname(path), { recursive: true });
	const tmp = `${path}.${process.pid}.tmp`;
	writeFileSync(tmp, JSON.stringify(entries, null, 1));
	renameSync(tmp, path); // atomic: readers never see half a file
}

/** Adds or updates this session's entry (and marks it active now unless `active` is false). */
export function upsertSession(entry: Omit<SessionEntry, "pid" | "lastActive">, active = true) {
	try {
		const all = liveSessions();
		const before = all.find((e) => e.key === entry.key);
		const entries = all.filter((e) => e.key !== entry.key);
		entries.push({ ...entry, pid: process.pid, lastActive: active ? Date.now() : (before?.lastActive ?? Date.now()) });
		save(entries);
	} catch {
		// Routing falls back to "this process answers" when the file cannot be written.
	}
}

export function removeSession(key: string) {
	try {
		save(liveSessions().filter((e) => e.key !== key));
	} catch {}
}

/** The session a DM is for: one whose key or name the text names, else the most recently active. */
export function dmTarget(text: string, sessions = liveSessions()): SessionEntry | undefined {
	const lower = text.toLowerCase();
	const named = sessions.find((s) => lower.includes(`@${s.key}`) || (s.name.length > 3 && lower.includes(s.name.toLowerCase())));
	return named ?? [...sessions].sort((a, b) => b.lastActive - a.lastActive)[0];
}
