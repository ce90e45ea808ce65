// Loads the native core: the package's own napi-rs loader (`index.js` at the package root), which
// finds the binary both in a source checkout and in the per-platform npm packages.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type Native = typeof import("../../index.js");

let cached: Native | undefined;

export function loadNative(): Native {
	if (cached) return cached;
	const require = createRequire(import.meta.url);
	const here = dirname(fileURLToPath(import.meta.url));
	// ts-extension/dist/index.js → the package root; a computed path keeps bundlers away from it.
	const candidates = [join(here, "..", "..", "index.js"), ["omp-discord-bridge"].join("")];
	const failures: string[] = [];
	for (const candidate of candidates) {
		try {
			cached = require(candidate) as Native;
			return cached;
		} catch (err) {
			failures.push((err as Error).message.split("\n")[0]);
		}
	}
	throw new Error(`the native core of omp-discord-bridge could not be loaded (${failures.join("; ")}); reinstall the plugin, or run \`npm run build\` in a source checkout.`);
}
