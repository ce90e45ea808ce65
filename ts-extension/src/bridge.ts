// One Discord connection per omp process, shared by the main session and its subagents (OMP runs
// the extension factory again for each of them). Created by the first session_start, closed by
// that session's session_shutdown, so the process can exit.
import type { ClientStatus, DiscordClient, DiscordEvent, MessageInfo, OutgoingMessage, ReadyInfo } from "../../index.js";
import { type DiscordConfig, loadConfig } from "./config.js";
import { loadNative, type Native } from "./native.js";
import type { Deliver, Outbox } from "./outbox.js";
import type { Remote } from "./remote.js";

/** First-connect failures worth retrying on their own (Discord or the network was away). */
const RETRY_CONNECT = new Set(["DISCORD_UNAVAILABLE", "TIMEOUT"]);

export type BridgeState = "off" | "webhook" | "connecting" | "connected" | "reconnecting" | "disconnected" | "error";

export class Bridge {
	config: DiscordConfig;
	state: BridgeState;
	client?: DiscordClient;
	ready?: ReadyInfo;
	/** Remote control of the main session (set by it once connected; subagents' calls use it too). */
	remote?: Remote;
	/** The last thing that went wrong, for the status line and `/discord`. */
	problem?: string;
	/** What the extension sends on its own waits here until Discord confirmed it (see outbox.ts). */
	outbox?: Outbox;
	/** Why there is no outbox, when opening it failed. */
	outboxProblem?: string;
	private connectAttempts = 0;
	private retryTimer?: ReturnType<typeof setTimeout>;
	private shutDown = false;
	private connectedListeners = new Set<() => void>();
	/** What to tell the user to do when the connection is gone (OMP has `/discord connect`). */
	reconnectHint = "run /discord connect.";
	private native?: Native;
	private listeners = new Set<() => void>();
	private eventListeners = new Set<(e: DiscordEvent) => void>();
	private channelNames = new Map<string, string>();

	constructor(config: DiscordConfig = loadConfig()) {
		this.config = config;
		this.problem = config.problem;
		this.state = config.mode === "bot" ? "disconnected" : config.mode;
	}

	/** Every Discord event, for remote control. */
	onDiscordEvent(listener: (e: DiscordEvent) => void): () => void {
		this.eventListeners.add(listener);
		return () => this.eventListeners.delete(listener);
	}

	onChange(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Runs once each time a connect() succeeds (including one retried after Discord was away). */
	onConnected(listener: () => void): () => void {
		this.connectedListeners.add(listener);
		return () => this.connectedListeners.delete(listener);
	}

	/** Opens the outbox (the owning session does this once). Passed in, so this file does not need
	 * `bun:sqlite` (the MCP server runs the bridge under Node without one). */
	openOutbox(open: (deliver: Deliver, ready: () => boolean) => Outbox): Outbox | undefined {
		if (this.config.mode === "off" || this.outbox) return this.outbox;
		try {
			this.outbox = open((target, message) => this.send(target ?? undefined, message), () => this.config.mode === "webhook" || this.state === "connected");
		} catch (err) {
			// No durable store (e.g. a read-only agent dir): notifications are sent directly instead.
			this.outboxProblem = `could not be opened (${(err as Error).message}); notifications are sent without it`;
			return undefined;
		}
		this.outbox.kick(); // what an earlier run left behind
		return this.outbox;
	}

	private changed(state?: BridgeState, problem?: string) {
		if (state) this.state = state;
		if (problem !== undefined) this.problem = problem || undefined;
		if (this.state === "connected") this.outbox?.kick();
		for (const l of this.listeners) {
			try {
				l();
			} catch {
				// A status-line update must never break the connection.
			}
		}
	}

	nativeCore(): Native {
		this.native ??= loadNative();
		return this.native;
	}

	/** Opens the gateway (bot mode). Never throws: failures become the state and `problem`. */
	async connect(): Promise<void> {
		if (this.config.mode !== "bot" || this.client) return;
		try {
			const { DiscordClient } = this.nativeCore();
			// The core masks everything sent; it learns the settings' other secret here.
			const client = new DiscordClient({ token: this.config.token!, apiBaseUrl: this.config.apiBaseUrl, secrets: this.config.webhookUrl ? [this.config.webhookUrl] : undefined });
			this.client = client;
			client.onEvent((e) => {
				if (e.type === "stateChange") {
					const state = e.state === "connected" ? "connected" : e.state === "disconnected" ? "disconnected" : e.state === "connecting" ? "connecting" : "reconnecting";
					this.changed(state, state === "connected" ? "" : undefined);
				} else if (e.type === "ready") {
					this.ready = e.ready;
				} else if (e.type === "threadCreate") {
					this.channelNames.set(e.thread.name.toLowerCase(), e.thread.id);
				}
				for (const l of this.eventListeners) {
					try {
						l(e);
					} catch {
						// One listener's bug must not stop the others.
					}
				}
			});
			this.changed("connecting", "");
			this.ready = await client.connect();
			this.connectAttempts = 0;
			this.changed("connected");
			for (const l of this.connectedListeners) l();
		} catch (err) {
			const e = err as Error & { code?: string };
			this.client = undefined;
			this.changed("error", e.code ? `${e.code}: ${e.message}` : e.message);
			// Discord away at start: try again on our own (a bad token or intents would fail the same way).
			if (RETRY_CONNECT.has(e.code ?? "") && !this.shutDown) {
				const wait = Math.min(60_000, 2000 * 2 ** Math.min(this.connectAttempts++, 5));
				this.retryTimer = setTimeout(() => void this.connect(), wait);
				this.retryTimer.unref?.();
			}
		}
	}

	/** Stops for good (session shutdown): no retries, the outbox closed. */
	async shutdown(): Promise<void> {
		this.shutDown = true;
		clearTimeout(this.retryTimer);
		await this.disconnect();
		this.outbox?.close();
		this.outbox = undefined;
	}

	async disconnect(): Promise<void> {
		clearTimeout(this.retryTimer);
		const client = this.client;
		this.client = undefined;
		this.ready = undefined;
		if (client) await client.disconnect().catch(() => {});
		if (this.config.mode === "bot") this.changed("disconnected");
	}

	status(): ClientStatus | undefined {
		return this.client?.status();
	}

	/** The status line: short, and says what to do when something is wrong. */
	statusLine(): string {
		switch (this.state) {
			case "off":
				return this.problem ? "Discord: config error (see /discord)" : "Discord: not configured";
			case "webhook":
				return "Discord: webhook";
			case "connecting":
				return "Discord: connecting…";
			case "connected":
				return `Discord: ${this.ready?.user.username ?? "connected"}`;
			case "reconnecting":
				return "Discord: reconnecting…";
			case "disconnected":
				return "Discord: disconnected";
			case "error":
				return `Discord: ${this.problem?.split(":")[0] ?? "error"} (see /discord)`;
		}
	}

	/** A connected client, or an error that says why there is none. */
	requireClient(what: string): DiscordClient {
		if (this.config.mode === "webhook") throw new Error(`${what} needs a bot: webhook-only mode can only post to the webhook's channel. Set DISCORD_TOKEN to use it.`);
		if (this.config.mode === "off") throw new Error(`Discord is not configured, so ${what} cannot run. Set DISCORD_TOKEN and DISCORD_CHANNEL_ID (see /discord).`);
		if (!this.client && this.state === "connecting") throw Object.assign(new Error(`Discord is still connecting, so ${what} cannot run yet; try again in a moment.`), { code: "NOT_CONNECTED" });
		if (!this.client) throw Object.assign(new Error(`Discord is not connected${this.problem ? ` (${this.problem})` : ""}; ${this.reconnectHint}`), { code: "NOT_CONNECTED" });
		return this.client;
	}

	/** A channel id from an id, a `#name`, or nothing (the home channel). */
	async resolveChannel(ref: string | undefined): Promise<string> {
		const value = ref?.trim();
		if (!value) {
			if (!this.config.channelId) throw new Error("No channel given and no home channel set; pass a channel, or set DISCORD_CHANNEL_ID.");
			return this.config.channelId;
		}
		if (/^<#\d+>$/.test(value)) return value.slice(2, -1);
		if (/^\d+$/.test(value)) return value;
		const name = value.replace(/^#/, "").toLowerCase();
		const known = this.channelNames.get(name);
		if (known) return known;
		const channels = await this.requireClient("finding a channel by name").channels();
		for (const c of channels) this.channelNames.set(c.name.toLowerCase(), c.id);
		const found = this.channelNames.get(name);
		if (!found) {
			const names = channels.filter((c) => c.kind === "text").map((c) => `#${c.name}`).join(", ");
			throw new Error(`There is no channel named #${name}. Text channels the bot can see: ${names || "none"}.`);
		}
		return found;
	}

	/** Sends to a channel; in webhook mode, the home channel means the webhook. */
	async send(channelRef: string | undefined, message: OutgoingMessage): Promise<MessageInfo | null> {
		if (this.config.mode === "webhook" && !channelRef) return this.nativeCore().sendWebhook(this.config.webhookUrl!, message);
		const client = this.requireClient("sending a message");
		return client.sendMessage(await this.resolveChannel(channelRef), message);
	}

	/** Text with secrets masked, for text this extension cuts before sending (sends mask again). */
	redact(text: string): string {
		return this.nativeCore().redact(text, [this.config.token, this.config.webhookUrl].filter((s): s is string => !!s));
	}
}

const KEY = Symbol.for("omp-discord-bridge.bridge");
type Holder = { [KEY]?: { bridge: Bridge; owner: object } };

/** The process's bridge; the first caller becomes its owner (the main session). */
export function sharedBridge(claimant: object): { bridge: Bridge; owner: boolean } {
	const holder = globalThis as Holder;
	if (!holder[KEY]) holder[KEY] = { bridge: new Bridge(), owner: claimant };
	return { bridge: holder[KEY].bridge, owner: holder[KEY].owner === claimant };
}

/** Forgets the process's bridge (after the owner shut it down). */
export function releaseBridge(claimant: object) {
	const holder = globalThis as Holder;
	if (holder[KEY]?.owner === claimant) delete holder[KEY];
}
