// Configuration: environment variables, with an optional JSON file beside OMP's own config
// (`<agent dir>/discord.json`, same keys) for what is not in the environment. Env wins.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const KEYS = ["DISCORD_TOKEN", "DISCORD_CHANNEL_ID", "DISCORD_ALLOWED_USERS", "DISCORD_ALLOWED_ROLES", "DISCORD_WEBHOOK_URL", "DISCORD_API_BASE_URL", "DISCORD_APPROVAL"] as const;
type Key = (typeof KEYS)[number];

export type Mode = "bot" | "webhook" | "off";

export interface DiscordConfig {
	mode: Mode;
	token?: string;
	/** The home channel: notifications and tools without a channel go here. */
	channelId?: string;
	allowedUsers: string[];
	/** Role ids: a member with any of them is allowed as if listed in allowedUsers. */
	allowedRoles: string[];
	webhookUrl?: string;
	apiBaseUrl?: string;
	approval: ApprovalPolicy;
	/** Where the settings came from, for `/discord`. */
	file: string;
	/** A problem with the configuration, said in words a user can act on. */
	problem?: string;
}

/** Which tool calls wait for a click on Discord before they run. */
export interface ApprovalPolicy {
	/** Tools that always ask. */
	tools: string[];
	/** Regular expressions; a bash command matching one asks. */
	bash: string[];
	/** write/edit to a path outside the workspace asks. */
	outsideWorkspace: boolean;
	/** No answer in this time denies. */
	timeoutMs: number;
}

export const DEFAULT_APPROVAL: ApprovalPolicy = {
	tools: [],
	bash: ["\\brm\\s+-[a-zA-Z]*[rR][a-zA-Z]*f", "\\brm\\s+-[a-zA-Z]*f[a-zA-Z]*[rR]", "\\bgit\\s+push\\b"],
	outsideWorkspace: true,
	timeoutMs: 5 * 60_000,
};

function parseApproval(raw: string | undefined): { policy: ApprovalPolicy; problem?: string } {
	if (!raw) return { policy: DEFAULT_APPROVAL };
	try {
		const v = JSON.parse(raw) as Partial<ApprovalPolicy>;
		const policy = { ...DEFAULT_APPROVAL, ...v };
		for (const re of policy.bash) new RegExp(re);
		if (!Array.isArray(policy.tools) || !Array.isArray(policy.bash) || !(policy.timeoutMs > 0)) throw new Error("tools and bash must be lists, timeoutMs a positive number");
		return { policy };
	} catch (err) {
		return {
			policy: DEFAULT_APPROVAL,
			problem: `DISCORD_APPROVAL is not valid (${(err as Error).message}); expected JSON like {"tools":["deploy"],"bash":["rm -rf"],"outsideWorkspace":true,"timeoutMs":300000}. Using the defaults.`,
		};
	}
}

export function agentDir(env: NodeJS.ProcessEnv = process.env): string {
	return env.PI_CODING_AGENT_DIR || join(env.HOME || homedir(), ".omp", "agent");
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DiscordConfig {
	const file = join(agentDir(env), "discord.json");
	let fromFile: Partial<Record<Key, unknown>> = {};
	let problem: string | undefined;
	try {
		fromFile = JSON.parse(readFileSync(file, "utf8"));
		if (typeof fromFile !== "object" || fromFile === null || Array.isArray(fromFile)) {
			problem = `${file} must hold a JSON object like {"DISCORD_TOKEN": "…", "DISCORD_CHANNEL_ID": "…"}.`;
			fromFile = {};
		}
	} catch (err) {
		const e = err as NodeJS.ErrnoException;
		if (e.code !== "ENOENT") problem = `${file} could not be read (${e.message}); fix or delete it.`;
	}
	const get = (key: Key): string | undefined => {
		const v = env[key] ?? fromFile[key];
		if (v === undefined || v === null) return undefined;
		const s = String(v).trim();
		return s === "" ? undefined : s;
	};
	const token = get("DISCORD_TOKEN");
	const channelId = get("DISCORD_CHANNEL_ID");
	const webhookUrl = get("DISCORD_WEBHOOK_URL");
	if (channelId && !/^\d{15,25}$/.test(channelId)) {
		problem ??= `DISCORD_CHANNEL_ID "${channelId}" is not a channel id; in Discord enable Developer Mode, right-click the channel, Copy Channel ID.`;
	}
	const approval = parseApproval(get("DISCORD_APPROVAL"));
	problem ??= approval.problem;
	return {
		mode: token ? "bot" : webhookUrl ? "webhook" : "off",
		approval: approval.policy,
		token,
		channelId: channelId && /^\d{15,25}$/.test(channelId) ? channelId : undefined,
		allowedUsers: (get("DISCORD_ALLOWED_USERS") ?? "").split(/[\s,]+/).filter(Boolean),
		allowedRoles: (get("DISCORD_ALLOWED_ROLES") ?? "").split(/[\s,]+/).filter(Boolean),
		webhookUrl,
		apiBaseUrl: get("DISCORD_API_BASE_URL"),
		file,
		problem,
	};
}

export const SETUP_HELP = [
	"Discord is not configured. To set it up:",
	"  1. Create a bot: https://discord.com/developers/applications → New Application → Bot → Reset Token.",
	"     Enable “Message Content Intent” on the same page, and invite the bot to your server",
	"     (OAuth2 → URL Generator → scopes: bot, applications.commands).",
	"  2. export DISCORD_TOKEN=<the token>  and  DISCORD_CHANNEL_ID=<a channel id for notifications>",
	"     (or put the same keys in <agent dir>/discord.json).",
	"  Notifications only? A channel webhook is enough: export DISCORD_WEBHOOK_URL=<webhook url>.",
].join("\n");

/** Whether anyone at all may steer and approve (users or roles listed). */
export function hasAllowlist(c: DiscordConfig): boolean {
	return c.allowedUsers.length > 0 || c.allowedRoles.length > 0;
}

/** Whether this Discord user may steer, answer and approve: listed by id, or holding a listed role. */
export function isAllowed(c: DiscordConfig, user: { id: string; roleIds?: string[] }): boolean {
	return c.allowedUsers.includes(user.id) || (user.roleIds ?? []).some((r) => c.allowedRoles.includes(r));
}
