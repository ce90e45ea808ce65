// `omp-discord-bridge mcp`: a stdio MCP server (the official TypeScript SDK) offering the same
// Discord tools as the OMP extension, from the same definitions (tool-defs.ts), on the native core.
// Configured like the extension (DISCORD_TOKEN, DISCORD_CHANNEL_ID, … or discord.json). It answers
// `initialize` and `tools/list` at once and connects to Discord in the background; a tool called
// before READY says so. Extras: the home channel's recent messages as a resource
// (`discord://home/recent`, with `resources/updated` when a message arrives there, for hosts that
// subscribe) and each inbound message as an MCP log notification (logger "discord").
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import pkg from "../../package.json" with { type: "json" };
import { Bridge } from "./bridge.js";
import { DISCORD_TOOLS, runTool, transcript } from "./tool-defs.js";

const HOME = "discord://home/recent";

export async function runMcpServer(): Promise<void> {
	const bridge = new Bridge();
	bridge.reconnectHint = "restart the MCP server once Discord is reachable and the settings are right.";
	const server = new McpServer({ name: pkg.name, version: pkg.version }, { capabilities: { logging: {}, resources: { subscribe: true } } });

	for (const def of DISCORD_TOOLS) {
		if (def.sessionOnly) continue; // needs an OMP session's thread
		server.registerTool(def.name, { title: def.label, description: def.description, inputSchema: def.shape(z) as never }, async (params: unknown) => {
			const { content, isError } = await runTool(def, params, { bridge, cwd: process.cwd() });
			return { content, isError };
		});
	}

	server.registerResource("home-channel", HOME, { title: "Discord: home channel", description: "The 50 most recent messages of the home channel (DISCORD_CHANNEL_ID), oldest first.", mimeType: "text/plain" }, async (uri) => {
		const client = bridge.requireClient("reading the home channel");
		const messages = await client.fetchMessages(await bridge.resolveChannel(undefined), { limit: 50 });
		return { contents: [{ uri: uri.href, mimeType: "text/plain", text: messages.length ? transcript(messages) : "(no messages)" }] };
	});
	let subscribed = false;
	server.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
		if (req.params.uri === HOME) subscribed = true;
		return {};
	});
	server.server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
		if (req.params.uri === HOME) subscribed = false;
		return {};
	});

	bridge.onDiscordEvent((e) => {
		if (e.type !== "messageCreate" || e.message.author.id === bridge.ready?.user.id) return;
		const m = e.message;
		void server.sendLoggingMessage({ level: "info", logger: "discord", data: { channelId: m.channelId, messageId: m.id, author: m.author.displayName, content: bridge.redact(m.content) } }).catch(() => {});
		if (subscribed && m.channelId === bridge.config.channelId) void server.server.sendResourceUpdated({ uri: HOME }).catch(() => {});
	});

	// The host ends the server by closing stdin (or killing it): disconnect cleanly and exit.
	const stop = () => void bridge.shutdown().finally(() => process.exit(0));
	process.stdin.once("end", stop);
	const transport = new StdioServerTransport();
	transport.onclose = stop;
	await server.connect(transport);
	void bridge.connect(); // in the background: the host gets its answers now
}
