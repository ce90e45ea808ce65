// Discord slash commands, registered per guild on connect: /ask, /stop, /status, /sessions.
// Each answers within Discord's 3 s (nothing here waits on the agent); answers that concern only
// the caller are ephemeral.
import type { CommandDefinition, InteractionInfo } from "../../index.js";
import { isAllowed } from "./config.js";
import type { Bridge } from "./bridge.js";
import type { Remote } from "./remote.js";
import { duration } from "./notify.js";
import { dmTarget, liveSessions } from "./registry.js";
import type { SessionState } from "./session-state.js";

export const SLASH_COMMANDS: CommandDefinition[] = [
	{ name: "ask", description: "Ask the agent (starts a run, or steers the running one)", options: [{ name: "prompt", description: "What to tell the agent", required: true }] },
	{ name: "stop", description: "Stop the agent's current run" },
	{ name: "status", description: "What the agent is doing: session, model, state, context, current tool" },
	{ name: "sessions", description: "Live omp sessions and their threads" },
];

export function statusText(state: SessionState, remote: Remote): string {
	const lines = [`**${state.name()}**${remote.threadId ? ` — <#${remote.threadId}>` : ""}`];
	lines.push(`Model: ${state.model() ?? "unknown"}`);
	lines.push(state.running() ? `State: running for ${duration(Date.now() - (state.runStartedAt ?? Date.now()))}, ${state.toolCalls} tool calls${state.currentTool ? `, now: ${state.currentTool}` : ""}` : "State: idle");
	const pct = state.contextPercent();
	if (pct !== undefined) lines.push(`Context: ${pct.toFixed(0)}% used`);
	return lines.join("\n");
}

export class SlashCommands {
	constructor(
		private bridge: Bridge,
		private remote: Remote,
		private state: SessionState,
		private sendUser: (content: string) => void,
	) {}

	async register() {
		const client = this.bridge.client;
		for (const guild of this.bridge.ready?.guilds ?? []) await client?.registerCommands(SLASH_COMMANDS, guild.id);
	}

	/** True when this process should answer: in its own thread; outside every session's thread, the most recently active session answers. */
	private mine(i: InteractionInfo): boolean {
		if (i.channelId === this.remote.threadId) return true;
		const sessions = liveSessions();
		if (sessions.some((s) => s.threadId === i.channelId)) return false;
		return (dmTarget("", sessions)?.key ?? this.remote.key) === this.remote.key;
	}

	async handle(i: InteractionInfo) {
		if (i.kind !== "command" || !i.commandName || !SLASH_COMMANDS.some((c) => c.name === i.commandName) || !this.mine(i)) return;
		const client = this.bridge.client!;
		const reply = (content: string, ephemeral = true) => client.respondToInteraction(i.id, i.token, { message: { content, ephemeral } });
		const allowed = isAllowed(this.bridge.config, i.user);
		if (!allowed && i.commandName !== "sessions") {
			return reply(`Only allowed users can use /${i.commandName}. The owner can add your id (${i.user.id}) to DISCORD_ALLOWED_USERS.`);
		}
		switch (i.commandName) {
			case "ask": {
				const prompt = String(i.options.find((o) => o.name === "prompt")?.value ?? "").trim();
				if (!prompt) return reply("Give a prompt: /ask prompt:<what to do>");
				const running = this.state.running();
				this.sendUser(`[Discord /ask from ${i.user.displayName}] ${prompt}`);
				return reply(running ? "Sent: it steers the current run." : "Sent: the agent is starting.");
			}
			case "stop": {
				if (!this.state.running()) return reply("Nothing is running.");
				this.state.abort();
				return reply(`Stopped by ${i.user.displayName}.`, false);
			}
			case "status":
				return reply(statusText(this.state, this.remote));
			case "sessions": {
				const others = liveSessions().filter((s) => s.key !== this.remote.key);
				const lines = others.map((s) => `**${s.name}**${s.threadId ? ` — <#${s.threadId}>` : ""} (last active ${duration(Date.now() - s.lastActive)} ago)`);
				return reply([statusText(this.state, this.remote), ...lines].join("\n\n"));
			}
		}
	}
}
