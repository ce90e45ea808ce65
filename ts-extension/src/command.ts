// `/discord` in OMP: status, test, channels, connect, disconnect.
import type { ExtensionAPI } from "@oh-my-pi/pi-coding-agent";
import type { Bridge } from "./bridge.js";
import { SETUP_HELP } from "./config.js";

export function statusReport(b: Bridge): string {
	const c = b.config;
	const lines: string[] = [];
	if (c.mode === "off") {
		lines.push(SETUP_HELP);
	} else if (c.mode === "webhook") {
		lines.push("Discord: webhook-only mode — notifications and discord_send to the home channel go through DISCORD_WEBHOOK_URL.", "Reading, reactions, threads and uploads need a bot: set DISCORD_TOKEN.");
	} else {
		const s = b.status();
		lines.push(`Discord: ${b.state}${b.ready ? ` as ${b.ready.user.username}` : ""}`);
		if (s?.guilds.length) lines.push(`Servers: ${s.guilds.map((g) => g.name).join(", ")}`);
		if (s?.latencyMs !== undefined && s.latencyMs !== null) lines.push(`Latency: ${s.latencyMs.toFixed(0)} ms`);
		lines.push(`Home channel: ${c.channelId ?? "not set (DISCORD_CHANNEL_ID) — notifications are off"}`);
		if (b.remote?.threadId) lines.push(`Session thread: ${b.remote.threadId} (write there to steer this session)`);
		lines.push(`Allowed users: ${c.allowedUsers.length ? c.allowedUsers.join(", ") : "none (DISCORD_ALLOWED_USERS)"}`);
		if (c.allowedRoles.length) lines.push(`Allowed roles: ${c.allowedRoles.join(", ")}`);
	}
	if (b.outboxProblem) lines.push(`Outbox: ${b.outboxProblem}`);
	const o = b.outbox?.stats();
	if (o) {
		const waiting = o.pending ? `${o.pending} waiting (oldest ${Math.round((o.oldestMs ?? 0) / 1000)} s)` : "empty";
		lines.push(`Outbox: ${waiting}${o.failed ? `, ${o.failed} set aside` : ""}${o.dropped ? `, ${o.dropped} dropped (full)` : ""}${o.pending && o.lastError ? `; last error: ${o.lastError}` : ""}`);
	}
	if (b.problem) lines.push(`Problem: ${b.problem}`);
	if (c.apiBaseUrl) lines.push(`API: ${c.apiBaseUrl}`);
	lines.push(`Settings file: ${c.file}`);
	return lines.join("\n");
}

export function registerCommand(pi: ExtensionAPI, bridge: () => Bridge) {
	pi.registerCommand("discord", {
		description: "Discord bridge: status | test | channels | connect | disconnect",
		getArgumentCompletions: (prefix: string) =>
			["status", "test", "channels", "connect", "disconnect"].filter((a) => a.startsWith(prefix)).map((a) => ({ value: a, label: a })),
		handler: async (args, ctx) => {
			const b = bridge();
			const say = (text: string, level: "info" | "warning" | "error" = "info") => ctx.ui.notify(text, level);
			try {
				switch (args.trim().split(/\s+/)[0] || "status") {
					case "status":
						await b.remote?.threadSettled(2000); // the session thread, if it is being made right now
						return say(statusReport(b), b.problem ? "warning" : "info");
					case "test": {
						const m = await b.send(undefined, { content: `👋 Test message from omp (${new Date().toISOString().slice(0, 19)}Z).` });
						return say(`Sent a test message${m ? ` (id ${m.id})` : ""}.`);
					}
					case "channels": {
						const channels = await b.requireClient("listing channels").channels();
						return say(channels.filter((c) => c.kind !== "category").map((c) => `#${c.name} (${c.id})`).join("\n") || "(none)");
					}
					case "connect":
						await b.connect();
						return say(b.statusLine(), b.state === "connected" ? "info" : "warning");
					case "disconnect":
						await b.disconnect();
						return say("Discord: disconnected.");
					default:
						return say("Usage: /discord [status | test | channels | connect | disconnect]", "warning");
				}
			} catch (err) {
				const e = err as Error & { code?: string };
				say(`${e.code ? `${e.code}: ` : ""}${e.message}`, "error");
			}
		},
	});
}
