// omp-discord-bridge as an OMP extension: Discord tools for the model, completion and failure
// notifications, `/discord`, a status-line indicator, and remote control from Discord (steering,
// slash commands, approvals, questions) — on the native core, in-process.
import type { ExtensionAPI } from "@oh-my-pi/pi-coding-agent";
import { type Bridge, releaseBridge, sharedBridge } from "./bridge.js";
import { join } from "node:path";
import { registerCommand } from "./command.js";
import { agentDir, hasAllowlist } from "./config.js";
import { Outbox } from "./outbox.js";
import { completionMessages, failureMessage, Notifier } from "./notify.js";
import { Progress } from "./progress.js";
import { needsApproval, Remote, type RemoteMemory } from "./remote.js";
import type { SessionState } from "./session-state.js";
import { SlashCommands } from "./slash.js";
import { registerTools } from "./tools.js";

const MEMORY = "discord-bridge";

export default function discordBridge(pi: ExtensionAPI) {
	pi.setLabel("Discord");
	// The factory also runs for subagents and for `omp plugin install` validation: it only
	// registers. The connection is made by the first session_start (the main session).
	const me = {};
	let bridge: Bridge | undefined;
	let owner = false;
	let notifier: Notifier | undefined;
	let progress: Progress | undefined;
	let stopped = false;
	let lastCtx: { isIdle(): boolean; abort(): void; model?: { id: string; input?: string[] }; getContextUsage(): { percent: number } | undefined } | undefined;
	const state: SessionState = {
		name: () => pi.getSessionName() || "omp session",
		model: () => lastCtx?.model?.id,
		running: () => lastCtx !== undefined && !lastCtx.isIdle(),
		contextPercent: () => lastCtx?.getContextUsage()?.percent,
		abort: () => {
			stopped = true;
			lastCtx?.abort();
		},
		toolCalls: 0,
	};
	const current = () => (bridge ??= sharedBridge(me).bridge);

	registerTools(pi, current);
	registerCommand(pi, current);

	pi.on("session_start", async (_event, ctx) => {
		lastCtx = ctx as never;
		// A resumed session keeps its thread: the last memory entry written for it.
		const memory = ctx.sessionManager
			.getEntries()
			.filter((e) => e.type === "custom" && (e as { customType?: string }).customType === MEMORY)
			.map((e) => (e as { data?: RemoteMemory }).data ?? {})
			.reduce<RemoteMemory>((acc, m) => ({ ...acc, ...m }), {});
		const claim = sharedBridge(me);
		bridge = claim.bridge;
		owner = claim.owner;
		const ui = ctx.ui;
		const show = () => {
			try {
				ui.setStatus("discord", bridge!.statusLine());
			} catch {
				// No status line in this mode.
			}
		};
		bridge.onChange(show);
		if (owner) {
			notifier = new Notifier(bridge, (message) => {
				try {
					ui.notify(message, "warning");
				} catch {}
			});
			bridge.openOutbox((deliver, ready) =>
				new Outbox(join(agentDir(), "discord-outbox.sqlite"), deliver, ready, (message) => {
					try {
						ui.notify(message, "warning");
					} catch {}
				}),
			);
			// Remote control is set up by the first connection that succeeds, however late it comes.
			const b = bridge;
			b.onConnected(async () => {
				if (b.remote || !b.client) return;
				const remote = new Remote(b, (content, options) => pi.sendUserMessage(content, options), state.name, (m) => pi.appendEntry(MEMORY, m), memory, () => (lastCtx?.model?.input ?? []).includes("image"));
				b.remote = remote;
				remote.start();
				progress = new Progress(b, remote, state);
				const slash = new SlashCommands(b, remote, state, (content) => pi.sendUserMessage(content));
				b.onDiscordEvent((e) => {
					if (e.type === "interactionCreate") void slash.handle(e.interaction).catch(() => {});
				});
				const warn = (what: string) => (err: Error) => ui.notify(`Discord: could not ${what}: ${err.message}`, "warning");
				// The thread is where the user talks to this session: make it now.
				await remote.thread().catch(warn("create the session thread"));
				await slash.register().catch(warn("register the slash commands"));
			});
			// Not awaited: start-up never waits for Discord.
			void b.connect();
		}
		show();
	});

	pi.on("agent_start", () => {
		if (owner) bridge?.remote?.touch();
		state.runStartedAt = Date.now();
		state.toolCalls = 0;
		state.currentTool = undefined;
		stopped = false;
		if (owner) progress?.start();
	});

	pi.on("tool_execution_start", (event) => {
		state.currentTool = event.toolName;
		state.toolCalls++;
		if (owner) progress?.tool();
	});

	pi.on("tool_execution_end", () => {
		state.currentTool = undefined;
	});

	pi.on("agent_end", (event) => {
		if (!owner || !bridge || !notifier || (event as { willContinue?: boolean }).willContinue) return;
		void progress?.end(stopped ? "⏹️ Stopped" : "✅ Finished");
		const session = pi.getSessionName() || "omp session";
		notifier.push(completionMessages(bridge, { session, ms: Date.now() - (state.runStartedAt ?? Date.now()), messages: event.messages as never }));
	});

	pi.on("auto_retry_end", (event) => {
		if (!owner || !bridge || !notifier || event.success) return;
		notifier.push([failureMessage(bridge, pi.getSessionName() || "omp session", `gave up after ${event.attempt} attempt${event.attempt === 1 ? "" : "s"}`, event.finalError ?? "The model kept failing.")]);
	});

	pi.on("credential_disabled", (event) => {
		if (!owner || !bridge || !notifier) return;
		notifier.push([failureMessage(bridge, pi.getSessionName() || "omp session", `credential for ${event.provider} disabled`, event.disabledCause)]);
	});

	pi.on("tool_call", async (event, ctx) => {
		const b = current();
		// Approvals are part of remote control: on when the bot has users allowed to answer.
		if (b.config.mode !== "bot" || !hasAllowlist(b.config)) return;
		const input = event.input as Record<string, unknown>;
		const why = needsApproval(b.config.approval, event.toolName, input, ctx.cwd);
		if (!why) return;
		const remote = b.remote;
		// Fail closed: if asking is impossible or fails, the call does not run.
		if (!remote) return { block: true, reason: `This call needs approval on Discord (${why}), but Discord is not connected yet; try again once it is.` };
		// With OMP's own UI present, the terminal can answer too; the first answer wins.
		const local = ctx.hasUI
			? (signal: AbortSignal) => ctx.ui.select(`Discord approval: allow ${event.toolName}?`, ["Allow", "Allow for this session", "Deny"], { signal })
			: undefined;
		const reason = await remote
			.approve(event.toolName, input, why, local)
			.catch((err: Error & { code?: string }) => `Blocked: approval could not be asked on Discord (${err.code ? `${err.code}: ` : ""}${err.message}).`);
		if (reason) return { block: true, reason };
	});

	pi.on("session_shutdown", async () => {
		if (!owner || !bridge) return;
		await notifier?.flush();
		// What is queued gets a moment to land (OMP allows shutdown handlers 2 s); the rest stays in
		// the outbox for the next run.
		await bridge.outbox?.settled(1000);
		bridge.remote?.stop();
		bridge.remote = undefined;
		await bridge.shutdown();
		releaseBridge(me);
	});
}
