// Remote control from Discord: the session's thread, steering by allowed users, approval buttons
// for risky tool calls, and questions to the human (discord_ask).
//
// Steering rule: a message in the session's thread (or a DM to the bot) from an allowed user is
// sent to the agent as the user's message. While a run is active it steers that run; when idle
// it starts a turn. Start the message with ">>" to queue it as a follow-up for after the run.
import { randomUUID } from "node:crypto";
import { isAbsolute, relative, resolve } from "node:path";
import type { DiscordEvent, InteractionInfo, MessageInfo, UserInfo } from "../../index.js";
import type { Bridge } from "./bridge.js";
import { type ApprovalPolicy, hasAllowlist, isAllowed } from "./config.js";
import { dmTarget, removeSession, upsertSession } from "./registry.js";
import { within } from "./within.js";

type UserContent = string | ({ type: "text"; text: string } | { type: "image"; data: string; mimeType: string })[];
type SendUser = (content: UserContent, options?: { deliverAs?: "steer" | "followUp" }) => void;

/** What a session remembers (in its session file) so a resumed session keeps its thread. */
export interface RemoteMemory {
	threadId?: string;
	/** The newest thread message handled; catch-up starts after it. */
	lastSeen?: string;
}

interface Answer {
	choice: string;
	by: { displayName: string };
	/** Not a click on the message's button (a typed reply, or the terminal): the message is edited to say so. */
	elsewhere?: boolean;
}

/** A competing way to answer (OMP's own terminal dialog); resolves with a choice or undefined. */
export type LocalAsk = (signal: AbortSignal) => Promise<string | undefined>;

interface Pending {
	kind: "approval" | "ask";
	choices: string[];
	resolve: (answer: Answer | null) => void;
}

const TEXT_ATTACHMENT_LIMIT = 100_000;
const IMAGE_ATTACHMENT_LIMIT = 5 * 1024 * 1024;

export class Remote {
	/** This session's id on Discord: it prefixes every button's custom_id. */
	readonly key = randomUUID().slice(0, 8);
	threadId?: string;
	private pending = new Map<string, Pending>();
	private allowedForSession = new Set<string>();
	private warned = new Set<string>();
	private off?: () => void;

	private lastSeen?: string;
	private delivered = new Set<string>();
	/** Thread messages are handled one at a time, in order: live ones and caught-up ones alike. */
	private serial = Promise.resolve();
	private creating?: Promise<string | undefined>;

	constructor(
		private bridge: Bridge,
		private sendUser: SendUser,
		private sessionName: () => string,
		private remember: (memory: RemoteMemory) => void,
		memory: RemoteMemory = {},
		private supportsImages: () => boolean = () => false,
	) {
		this.threadId = memory.threadId;
		this.lastSeen = memory.lastSeen;
	}

	/** Marks this session as the most recently active one (DMs come here). */
	touch(active = true) {
		upsertSession({ key: this.key, name: this.sessionName(), threadId: this.threadId }, active);
	}

	start() {
		this.touch();
		this.off = this.bridge.onDiscordEvent((e) => {
			if (e.type === "messageCreate") this.enqueue(() => this.onMessage(e.message));
			else void this.onEvent(e);
		});
		// A resumed omp session: what was said in its thread while omp was not running.
		if (this.threadId) this.catchUp();
	}

	private enqueue(step: () => Promise<void>) {
		this.serial = this.serial.then(step).catch(() => {});
	}

	/** Delivers, in order and once, the thread messages newer than the last one handled. */
	catchUp() {
		this.enqueue(async () => {
			const client = this.bridge.client;
			if (!client || !this.threadId) return;
			let after = this.lastSeen;
			for (let page = 0; page < 10; page++) {
				const batch = (await client.fetchMessages(this.threadId, after ? { after, limit: 100 } : { limit: 100 })).reverse();
				for (const m of batch) await this.onMessage(m);
				if (batch.length < 100) break;
				after = batch[batch.length - 1].id;
			}
		});
	}

	stop() {
		removeSession(this.key);
		this.off?.();
		for (const p of this.pending.values()) p.resolve(null);
		this.pending.clear();
	}

	/** The session's thread in the home channel, created the first time it is needed (once, even
	 * when asked for again while the creation is under way). */
	thread(): Promise<string | undefined> {
		if (this.threadId) return Promise.resolve(this.threadId);
		this.creating ??= this.createThread().finally(() => {
			this.creating = undefined;
		});
		return this.creating;
	}

	/** Resolves once a thread being created exists or failed (at most `ms`), so a status shown now
	 * does not catch it halfway. */
	async threadSettled(ms: number): Promise<void> {
		if (this.creating) await within(this.creating, ms);
	}

	private async createThread(): Promise<string | undefined> {
		const home = this.bridge.config.channelId;
		if (!home || !this.bridge.client) return undefined;
		const name = `${this.sessionName()} · ${this.key}`.slice(0, 100);
		const t = await this.bridge.client.createThread(home, { name });
		this.threadId = t.id;
		this.remember({ threadId: t.id });
		this.touch(false);
		return t.id;
	}

	private allowed(user: UserInfo) {
		return isAllowed(this.bridge.config, user);
	}

	private async onEvent(e: DiscordEvent) {
		try {
			// Remote control starts after the first connect, so this is a reconnect: a new gateway
			// session (not a resume) may have missed thread messages.
			if (e.type === "stateChange" && e.state === "connected" && e.resumed === false) this.catchUp();
			if (e.type === "messageCreate") await this.onMessage(e.message);
			else if (e.type === "interactionCreate" && e.interaction.kind === "component") await this.onClick(e.interaction);
		} catch {
			// A failed reaction or reply must not stop remote control.
		}
	}

	private async onMessage(m: MessageInfo) {
		if (m.author.bot || m.webhookId) return; // never our own (or any bot's) words as input
		const inThread = this.threadId !== undefined && m.channelId === this.threadId;
		const dm = m.guildId === undefined;
		if (!inThread && !dm) return;
		// Several omp sessions may share the bot: a DM goes to one of them only.
		if (dm && !inThread && (dmTarget(m.content)?.key ?? this.key) !== this.key) return;
		if (this.delivered.has(m.id)) return;
		this.delivered.add(m.id);
		if (inThread && (!this.lastSeen || BigInt(m.id) > BigInt(this.lastSeen))) {
			this.lastSeen = m.id;
			this.remember({ threadId: this.threadId, lastSeen: m.id });
		}
		const client = this.bridge.client;
		if (!client) return;
		if (!this.allowed(m.author)) {
			if (!this.warned.has(m.author.id)) {
				this.warned.add(m.author.id);
				await client.sendMessage(m.channelId, {
					content: `Sorry ${m.author.displayName}, only allowed users can steer this agent. Its owner can allow you by adding your id (${m.author.id}) to DISCORD_ALLOWED_USERS.`,
					replyTo: m.id,
				});
			}
			return;
		}
		// A typed answer to a pending question goes to the question, not to the agent.
		const ask = [...this.pending.entries()].find(([, p]) => p.kind === "ask");
		if (ask && m.content.trim()) {
			this.pending.delete(ask[0]);
			ask[1].resolve({ choice: m.content.trim(), by: m.author, elsewhere: true });
			await client.addReaction(m.channelId, m.id, "✅");
			return;
		}
		await client.addReaction(m.channelId, m.id, "👀");
		let text = m.content;
		const images: { type: "image"; data: string; mimeType: string }[] = [];
		for (const a of m.attachments) {
			const type = a.contentType ?? "";
			if (type.startsWith("text/") && a.size <= TEXT_ATTACHMENT_LIMIT) {
				const body = await fetch(a.url).then((r) => r.text()).catch(() => undefined);
				text += body === undefined ? `\n(attachment ${a.filename} could not be read)` : `\n\nAttached ${a.filename}:\n\`\`\`\n${body}\n\`\`\``;
			} else if (type.startsWith("image/") && a.size <= IMAGE_ATTACHMENT_LIMIT && this.supportsImages()) {
				const bytes = await fetch(a.url).then((r) => r.arrayBuffer()).catch(() => undefined);
				if (bytes) images.push({ type: "image", data: Buffer.from(bytes).toString("base64"), mimeType: type.split(";")[0] });
				else text += `\n(image ${a.filename} could not be read)`;
			} else {
				text += `\n(attachment ${a.filename}, ${a.contentType ?? "unknown type"}, ${a.size} bytes: ${a.url})`;
			}
		}
		const followUp = text.startsWith(">>");
		if (followUp) text = text.slice(2).trimStart();
		const from = `[Discord, from ${m.author.displayName}] ${text}`;
		this.sendUser(images.length ? [{ type: "text", text: from }, ...images] : from, followUp ? { deliverAs: "followUp" } : undefined);
		await client.addReaction(m.channelId, m.id, "✅");
	}

	private async onClick(i: InteractionInfo) {
		const [prefix, key, id, choice] = (i.customId ?? "").split(":");
		if (prefix !== "odb" || key !== this.key) return; // another session's button: its owner answers
		const client = this.bridge.client;
		if (!client) return;
		const pending = this.pending.get(id);
		if (!pending) {
			await client.respondToInteraction(i.id, i.token, { message: { content: "This question was already answered or has expired.", ephemeral: true } });
			return;
		}
		if (!this.allowed(i.user)) {
			await client.respondToInteraction(i.id, i.token, { message: { content: "Only allowed users can answer this.", ephemeral: true } });
			return;
		}
		// Only one of the question's own answers counts: a forged or stale custom_id chooses nothing.
		const label = /^\d+$/.test(choice ?? "") ? pending.choices[Number(choice)] : undefined;
		if (label === undefined) {
			await client.respondToInteraction(i.id, i.token, { message: { content: "That button is not one of this question's answers; nothing was chosen.", ephemeral: true } });
			return;
		}
		this.pending.delete(id);
		await client.respondToInteraction(i.id, i.token, { kind: "update", message: { content: `**${label}** — answered by ${i.user.displayName}`, components: [] } });
		pending.resolve({ choice: label, by: i.user });
	}

	/** Posts buttons and waits for the first allowed answer (or a typed one, for questions). */
	private async waitForAnswer(kind: Pending["kind"], content: string, choices: { label: string; style?: string }[], timeoutMs: number, onTimeout: string, local?: LocalAsk) {
		const client = this.bridge.client;
		const channel = await this.thread().catch(() => undefined) ?? this.bridge.config.channelId;
		if (!client || !channel) return undefined;
		const id = randomUUID().slice(0, 8);
		const rows: { label: string; customId: string; style?: string }[][] = [];
		choices.forEach((c, n) => {
			if (n % 5 === 0) rows.push([]);
			rows[rows.length - 1].push({ label: c.label.slice(0, 80), customId: `odb:${this.key}:${id}:${n}`, style: c.style });
		});
		// Waiting starts before the message exists: a click can arrive before sendMessage returns.
		let timer: ReturnType<typeof setTimeout> | undefined;
		const answered = new Promise<Parameters<Pending["resolve"]>[0]>((resolve) => {
			this.pending.set(id, { kind, choices: choices.map((c) => c.label), resolve: (a) => { clearTimeout(timer); resolve(a); } });
		});
		let message: MessageInfo;
		try {
			message = await client.sendMessage(channel, { content, components: rows.slice(0, 5) });
		} catch (err) {
			this.pending.delete(id);
			throw err;
		}
		timer = setTimeout(() => this.pending.get(id)?.resolve(null), timeoutMs);
		timer.unref?.();
		// The first answer wins: a click, a typed reply, or the terminal.
		const abortLocal = new AbortController();
		local?.(abortLocal.signal)
			.then((choice) => choice && this.pending.get(id)?.resolve({ choice, by: { displayName: "the terminal" }, elsewhere: true }))
			.catch(() => {});
		const answer = await answered;
		this.pending.delete(id);
		abortLocal.abort();
		if (!answer) await client.editMessage(channel, message.id, { content: `${content}\n\n${onTimeout}`, components: [] }).catch(() => {});
		else if (answer.elsewhere) await client.editMessage(channel, message.id, { content: `${content}\n\n**${answer.choice}** — answered ${answer.by.displayName === "the terminal" ? "in the terminal" : `by ${answer.by.displayName}`}`, components: [] }).catch(() => {});
		return answer;
	}

	/** The approval gate for a tool call that needs one (`why`, from needsApproval): undefined lets
	 * it run, a reason blocks it. */
	async approve(toolName: string, input: Record<string, unknown>, why: string, local?: LocalAsk): Promise<string | undefined> {
		if (this.allowedForSession.has(toolName)) return undefined;
		if (!this.bridge.client) return `This call needs approval (${why}), but nobody can approve it on Discord: Discord is not connected.`;
		const args = this.bridge.redact(JSON.stringify(input, null, 2));
		const shown = args.length > 1700 ? `${args.slice(0, 1700)}\n… (${args.length - 1700} more characters)` : args;
		const policy = this.bridge.config.approval;
		const answer = await this.waitForAnswer(
			"approval",
			`🔐 **${toolName}** wants to run (${why}):\n\`\`\`json\n${shown.replace(/```/g, "`\u200b``")}\n\`\`\``,
			[{ label: "Allow", style: "success" }, { label: "Allow for this session", style: "primary" }, { label: "Deny", style: "danger" }],
			policy.timeoutMs,
			`⏱️ Denied: no answer within ${Math.round(policy.timeoutMs / 1000)} s.`,
			local,
		);
		if (!answer) return `Denied on Discord: no answer within ${Math.round(policy.timeoutMs / 1000)} s.`;
		if (answer.choice === "Deny") return answer.by.displayName === "the terminal" ? "Denied in the terminal." : `Denied on Discord by ${answer.by.displayName}.`;
		if (answer.choice === "Allow for this session") this.allowedForSession.add(toolName);
		return undefined;
	}

	/** discord_ask: a question to the humans, answered by a button or a typed reply. */
	async ask(question: string, choices: string[], timeoutMs: number): Promise<string> {
		if (!this.bridge.client) throw new Error("Discord is not connected, so nobody can be asked; run /discord connect.");
		if (!hasAllowlist(this.bridge.config)) throw new Error("Nobody can answer: DISCORD_ALLOWED_USERS and DISCORD_ALLOWED_ROLES are empty.");
		const answer = await this.waitForAnswer(
			"ask",
			`❓ ${question}${choices.length ? "" : "\n(Reply in this thread.)"}`,
			choices.slice(0, 25).map((label) => ({ label })),
			timeoutMs,
			`⏱️ No answer within ${Math.round(timeoutMs / 1000)} s.`,
		);
		if (answer === undefined) throw new Error("The question could not be posted: no home channel (DISCORD_CHANNEL_ID).");
		if (!answer) return `No answer within ${Math.round(timeoutMs / 1000)} s.`;
		return `${answer.by.displayName} answered: ${answer.choice}`;
	}
}

/** Why a tool call needs a click on Discord before it runs, or undefined when it does not. */
export function needsApproval(policy: ApprovalPolicy, toolName: string, input: Record<string, unknown>, cwd: string): string | undefined {
	if (policy.tools.includes(toolName)) return `${toolName} always asks`;
	if (toolName === "bash" && typeof input.command === "string") {
		const hit = policy.bash.find((re) => new RegExp(re).test(input.command as string));
		if (hit) return `the command matches /${hit}/`;
	}
	if (policy.outsideWorkspace && (toolName === "write" || toolName === "edit")) {
		const path = String(input.path ?? input.file_path ?? "");
		const abs = isAbsolute(path) ? path : resolve(cwd, path);
		const rel = relative(cwd, abs);
		if (path && (rel.startsWith("..") || isAbsolute(rel))) return `it writes outside the workspace (${abs})`;
	}
	return undefined;
}
