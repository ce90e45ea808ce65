// Progress while a run is active: the typing indicator, and one status message per run in the
// session's thread, edited in place at most every few seconds. However long the run, it adds one
// message (plus the completion notice at the end).
import type { Bridge } from "./bridge.js";
import { duration } from "./notify.js";
import type { Remote } from "./remote.js";
import type { SessionState } from "./session-state.js";

const EDIT_EVERY_MS = 5000;
const TYPING_EVERY_MS = 8000;

export class Progress {
	private messageId?: string;
	private channel?: string;
	private lastEdit = 0;
	private typing?: ReturnType<typeof setInterval>;
	private queue = Promise.resolve();

	constructor(
		private bridge: Bridge,
		private remote: Remote,
		private state: SessionState,
	) {}

	private run(step: () => Promise<void>) {
		this.queue = this.queue.then(step).catch(() => {});
	}

	private text(done?: string) {
		const s = this.state;
		const took = duration(Date.now() - (s.runStartedAt ?? Date.now()));
		if (done) return `${done} in ${took} · ${s.toolCalls} tool call${s.toolCalls === 1 ? "" : "s"}`;
		return `⏳ Working · ${took} · ${s.toolCalls} tool call${s.toolCalls === 1 ? "" : "s"}${s.currentTool ? ` · now: ${s.currentTool}` : ""}`;
	}

	start() {
		this.messageId = undefined;
		this.lastEdit = 0;
		this.run(async () => {
			this.channel = await this.remote.thread();
			const client = this.bridge.client;
			if (!client || !this.channel) return;
			const channel = this.channel;
			await client.typing(channel);
			this.typing = setInterval(() => void client.typing(channel).catch(() => {}), TYPING_EVERY_MS);
			this.typing.unref?.();
		});
	}

	/** A tool started: create the status message, or edit it if the last edit is old enough. */
	tool() {
		const now = Date.now();
		if (this.messageId && now - this.lastEdit < EDIT_EVERY_MS) return;
		this.lastEdit = now;
		this.run(async () => {
			const client = this.bridge.client;
			if (!client || !this.channel) return;
			if (!this.messageId) this.messageId = (await client.sendMessage(this.channel, { content: this.text() })).id;
			else await client.editMessage(this.channel, this.messageId, { content: this.text() });
		});
	}

	end(result: "✅ Finished" | "⏹️ Stopped") {
		clearInterval(this.typing);
		this.typing = undefined;
		this.run(async () => {
			if (this.messageId && this.channel) await this.bridge.client?.editMessage(this.channel, this.messageId, { content: this.text(result) });
		});
		return this.queue;
	}
}
