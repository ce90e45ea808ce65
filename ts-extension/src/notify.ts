// Notifications to the home channel: the final answer when the agent finishes, and failures.
// Bursts are coalesced: what arrives within a short window goes out as one message.
import type { Embed, OutgoingMessage } from "../../index.js";
import type { Bridge } from "./bridge.js";

/** Up to this long, an answer goes in the embed itself. */
const EMBED_TEXT = 4000;
/** Up to this long, an answer follows the embed as split messages; longer goes as a file. */
const SPLIT_TEXT = 8000;
const COALESCE_MS = 750;

type Part = { text?: string; type?: string };
type Msg = { role?: string; content?: unknown; usage?: { input?: number; output?: number; totalTokens?: number }; model?: string };

export function finalAnswer(messages: Msg[]): string {
	const last = [...messages].reverse().find((m) => m.role === "assistant");
	if (!last) return "";
	if (typeof last.content === "string") return last.content;
	return (last.content as Part[] | undefined)?.filter((p) => p.type === "text" && p.text).map((p) => p.text).join("\n").trim() ?? "";
}

export function usage(messages: Msg[]): { input: number; output: number; model?: string } {
	let input = 0;
	let output = 0;
	let model: string | undefined;
	for (const m of messages) {
		if (m.role !== "assistant") continue;
		input += m.usage?.input ?? 0;
		output += m.usage?.output ?? 0;
		model = m.model ?? model;
	}
	return { input, output, model };
}

export function duration(ms: number): string {
	const s = Math.round(ms / 1000);
	return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** The messages that tell the user the agent finished, answer included. */
export function completionMessages(bridge: Bridge, opts: { session: string; ms: number; messages: Msg[] }): OutgoingMessage[] {
	const answer = bridge.redact(finalAnswer(opts.messages));
	const u = usage(opts.messages);
	const embed: Embed = {
		title: `✅ ${opts.session}: finished`,
		color: 0x57f287,
		fields: [
			{ name: "Duration", value: duration(opts.ms), inline: true },
			{ name: "Tokens", value: `${u.input.toLocaleString("en")} in · ${u.output.toLocaleString("en")} out`, inline: true },
			...(u.model ? [{ name: "Model", value: u.model, inline: true }] : []),
		],
	};
	if (!answer) return [{ embeds: [{ ...embed, description: "(no text answer)" }] }];
	if (answer.length <= EMBED_TEXT) return [{ embeds: [{ ...embed, description: answer }] }];
	if (answer.length <= SPLIT_TEXT) {
		return [{ embeds: [{ ...embed, description: "The answer follows." }] }, ...bridge.nativeCore().splitMessage(answer).map((content) => ({ content }))];
	}
	return [{
		embeds: [{ ...embed, description: `The answer is ${answer.length.toLocaleString("en")} characters; it is attached as answer.md.` }],
		files: [{ data: Buffer.from(answer, "utf8"), name: "answer.md" }],
	}];
}

export function failureMessage(bridge: Bridge, session: string, title: string, detail: string): OutgoingMessage {
	return { embeds: [{ title: `⚠️ ${session}: ${title}`, description: bridge.redact(detail).slice(0, 4000), color: 0xed4245 }] };
}

/** Sends notifications, merging those that arrive close together into one message where they fit. */
export class Notifier {
	private pending: OutgoingMessage[][] = [];
	private timer?: ReturnType<typeof setTimeout>;
	private flushing = Promise.resolve();

	constructor(private bridge: Bridge, private onError: (message: string) => void) {}

	push(messages: OutgoingMessage[]) {
		if (this.bridge.config.mode === "off" || (this.bridge.config.mode === "bot" && !this.bridge.config.channelId)) return;
		this.pending.push(messages);
		if (!this.timer) {
			this.timer = setTimeout(() => void this.flush(), COALESCE_MS);
			this.timer.unref?.();
		}
	}

	/** Sends what is pending now (also on shutdown). */
	flush(): Promise<void> {
		clearTimeout(this.timer);
		this.timer = undefined;
		const batch = this.pending;
		this.pending = [];
		this.flushing = this.flushing.then(() => this.send(batch));
		return this.flushing;
	}

	private async send(batch: OutgoingMessage[][]) {
		if (!batch.length) return;
		// Single-embed notifications of one burst share a message (up to 10 embeds).
		const merged: OutgoingMessage[] = [];
		for (const messages of batch) {
			const simple = messages.length === 1 && !messages[0].content && !messages[0].files && messages[0].embeds?.length === 1;
			const prev = merged[merged.length - 1];
			if (simple && prev?.embeds && !prev.content && !prev.files && prev.embeds.length < 10) prev.embeds.push(messages[0].embeds![0]);
			else merged.push(...messages.map((m) => ({ ...m, embeds: m.embeds?.slice() })));
		}
		// The session's thread when there is one, else the home channel (or the webhook).
		const thread = await this.bridge.remote?.thread().catch(() => undefined);
		for (const m of merged) {
			// Stored before it is sent, delivered in order once Discord can take it (see outbox.ts).
			if (this.bridge.outbox) void this.bridge.outbox.enqueue(thread ?? null, m);
			else await this.bridge.send(thread, m).catch((err: Error & { code?: string }) => this.onError(`Discord notification failed: ${err.code ? `${err.code}: ` : ""}${err.message}`));
		}
	}
}
