// The Discord tools, defined once: name, description, parameters (as a zod shape, built with the
// host's own zod), implementation. The OMP extension (tools.ts) and the MCP server (mcp.ts) both
// register these. Every failure comes back as a result with isError and a sentence the model can
// act on; nothing throws into the turn.
import { isAbsolute, resolve } from "node:path";
import type { MessageInfo } from "../../index.js";
import type { Bridge } from "./bridge.js";

export type ToolResult = { content: { type: "text"; text: string }[]; details?: unknown; isError?: boolean };
export type ToolContext = { bridge: Bridge; cwd: string };
// biome-ignore lint: the host's zod (OMP's or the MCP SDK's) is passed in; its types differ by version.
type Zod = any;
export type ToolDef = {
	name: string;
	label: string;
	description: string;
	/** The parameters as a zod shape (an object of fields), from the host's zod. */
	shape: (z: Zod) => Record<string, unknown>;
	run: (params: any, ctx: ToolContext) => Promise<ToolResult>;
	/** Needs OMP's session (its thread on Discord): not offered over MCP. */
	sessionOnly?: boolean;
};

export const ok = (text: string, details?: unknown): ToolResult => ({ content: [{ type: "text", text }], details });
export const fail = (err: unknown): ToolResult => {
	const e = err as Error & { code?: string };
	return { content: [{ type: "text", text: e.code ? `${e.code}: ${e.message}` : e.message }], isError: true };
};

function clock(iso: string): string {
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(11, 16);
}

/** Messages as a transcript a model reads easily, oldest first. */
export function transcript(messages: MessageInfo[]): string {
	return messages
		.slice()
		.reverse()
		.map((m) => {
			const who = `${m.author.displayName}${m.author.bot ? " [bot]" : ""}`;
			const files = m.attachments.length ? ` (attachments: ${m.attachments.map((a) => a.filename).join(", ")})` : "";
			const embeds = m.embeds.length ? ` [embed: ${m.embeds.map((e) => e.title ?? e.description ?? "").join(" | ")}]` : "";
			return `[${clock(m.timestamp)}] ${who} (id ${m.id}): ${m.content}${embeds}${files}`;
		})
		.join("\n");
}

const channel = (z: Zod) => z.string().optional().describe('Channel id, or "#name". Default: the home channel (DISCORD_CHANNEL_ID).');

export const DISCORD_TOOLS: ToolDef[] = [
	{
		name: "discord_send",
		label: "Discord: send",
		description: "Post a message to Discord (text, optionally an embed, optionally as a reply). Long text is split into several messages.",
		shape: (z) => ({
			content: z.string().optional().describe("The text. Markdown works; mentions do not ping anyone."),
			channel: channel(z),
			embed: z.object({ title: z.string().optional(), description: z.string().optional(), color: z.number().optional() }).optional(),
			reply_to: z.string().optional().describe("Id of a message in the same channel to reply to."),
		}),
		run: async (p, { bridge: b }) => {
			if (!p.content && !p.embed) return fail(new Error("Give content or an embed to send."));
			// Masked before it is cut, so no secret is split across two messages.
			const pieces = p.content ? b.nativeCore().splitMessage(b.redact(p.content)) : [undefined];
			const sent: (MessageInfo | null)[] = [];
			for (const [i, piece] of pieces.entries()) {
				const last = i === pieces.length - 1;
				sent.push(await b.send(p.channel, {
					content: piece,
					embeds: last && p.embed ? [p.embed] : undefined,
					replyTo: i === 0 ? p.reply_to : undefined,
				}));
			}
			const ids = sent.map((m) => m?.id).filter(Boolean);
			const where = sent[0]?.channelId ? `channel ${sent[0].channelId}` : "the webhook's channel";
			return ok(`Sent ${sent.length} message${sent.length > 1 ? "s" : ""} to ${where}${ids.length ? ` (id ${ids.join(", ")})` : ""}.`, { ids });
		},
	},
	{
		name: "discord_read",
		label: "Discord: read",
		description: "Read the most recent messages of a Discord channel as a transcript, oldest first.",
		shape: (z) => ({ channel: channel(z), limit: z.number().optional().describe("How many messages, 1–100 (default 20).") }),
		run: async (p, { bridge: b }) => {
			const client = b.requireClient("reading messages");
			const id = await b.resolveChannel(p.channel);
			const messages = await client.fetchMessages(id, { limit: Math.min(100, Math.max(1, Math.round(p.limit ?? 20))) });
			return ok(messages.length ? transcript(messages) : "(no messages)", { count: messages.length });
		},
	},
	{
		name: "discord_channels",
		label: "Discord: channels",
		description: "List the Discord servers the bot is in and their channels (with ids).",
		shape: () => ({}),
		run: async (_p, { bridge: b }) => {
			const client = b.requireClient("listing channels");
			const [guilds, channels] = await Promise.all([client.guilds(), client.channels()]);
			const lines = guilds.map((g) => {
				const own = channels.filter((c) => c.guildId === g.id && c.kind !== "category");
				return `${g.name} (id ${g.id})\n${own.map((c) => `  #${c.name} (${c.kind}, id ${c.id})`).join("\n")}`;
			});
			return ok(lines.join("\n") || "(the bot is in no server)");
		},
	},
	{
		name: "discord_edit",
		label: "Discord: edit",
		description: "Edit the text of a message the bot sent earlier.",
		shape: (z) => ({ message_id: z.string(), content: z.string(), channel: channel(z) }),
		run: async (p, { bridge: b }) => {
			const m = await b.requireClient("editing a message").editMessage(await b.resolveChannel(p.channel), p.message_id, { content: p.content });
			return ok(`Edited message ${m.id}.`);
		},
	},
	{
		name: "discord_react",
		label: "Discord: react",
		description: 'Add a reaction to a message, e.g. "👍" or a custom emoji as "name:id".',
		shape: (z) => ({ message_id: z.string(), emoji: z.string(), channel: channel(z) }),
		run: async (p, { bridge: b }) => {
			await b.requireClient("reacting").addReaction(await b.resolveChannel(p.channel), p.message_id, p.emoji);
			return ok(`Reacted ${p.emoji} to message ${p.message_id}.`);
		},
	},
	{
		name: "discord_thread",
		label: "Discord: thread",
		description: "Start a thread in a channel, optionally from an existing message. Returns the thread's id, usable as a channel.",
		shape: (z) => ({ name: z.string(), message_id: z.string().optional(), channel: channel(z) }),
		run: async (p, { bridge: b }) => {
			const t = await b.requireClient("creating a thread").createThread(await b.resolveChannel(p.channel), { name: p.name, messageId: p.message_id });
			return ok(`Created thread #${t.name} (id ${t.id}).`, { id: t.id });
		},
	},
	{
		name: "discord_ask",
		label: "Discord: ask",
		description: "Ask the human on Discord a question and wait for the answer (buttons for choices, or a typed reply in the session's thread).",
		sessionOnly: true,
		shape: (z) => ({
			question: z.string(),
			choices: z.array(z.string()).optional().describe("Up to 25 answers offered as buttons."),
			timeout_seconds: z.number().optional().describe("How long to wait (default 600)."),
		}),
		run: async (p, { bridge: b }) => {
			b.requireClient("asking on Discord");
			if (!b.remote) throw new Error("Remote control is not ready yet (Discord is still connecting); try again shortly.");
			return ok(await b.remote.ask(p.question, p.choices ?? [], Math.max(1, p.timeout_seconds ?? 600) * 1000));
		},
	},
	{
		name: "discord_upload",
		label: "Discord: upload",
		description: "Upload a file from the workspace to Discord (up to 10 MiB), with an optional message.",
		shape: (z) => ({ path: z.string().describe("File path, relative to the workspace."), content: z.string().optional(), channel: channel(z) }),
		run: async (p, { bridge: b, cwd }) => {
			const path = isAbsolute(p.path) ? p.path : resolve(cwd, p.path);
			const client = b.requireClient("uploading a file");
			const m = await client.sendMessage(await b.resolveChannel(p.channel), { content: p.content, files: [{ path }] });
			return ok(`Uploaded ${m.attachments.map((a) => a.filename).join(", ")} (message ${m.id}).`);
		},
	},
];

/** Runs a tool; a thrown error becomes an isError result. */
export async function runTool(def: ToolDef, params: unknown, ctx: ToolContext): Promise<ToolResult> {
	try {
		return await def.run(params, ctx);
	} catch (err) {
		return fail(err);
	}
}
