// The Discord tools (tool-defs.ts) registered with OMP, offered to the model up front.
import type { ExtensionAPI } from "@oh-my-pi/pi-coding-agent";
import type { Bridge } from "./bridge.js";
import { DISCORD_TOOLS, runTool } from "./tool-defs.js";

export function registerTools(pi: ExtensionAPI, bridge: () => Bridge) {
	for (const def of DISCORD_TOOLS) {
		pi.registerTool({
			name: def.name,
			label: def.label,
			description: def.description,
			parameters: pi.zod.object(def.shape(pi.zod)),
			loadMode: "essential",
			execute: (_id: string, params: unknown, _signal: unknown, _onUpdate: unknown, ctx: { cwd: string }) => runTool(def, params, { bridge: bridge(), cwd: ctx.cwd }),
		} as never);
	}
}
