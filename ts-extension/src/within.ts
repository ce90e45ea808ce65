// Waiting with a bound: for shutdown and status, which must not hang on Discord.

/** Resolves when `work` settles (its result and errors ignored) or after `ms`, whichever is first. */
export async function within(work: Promise<unknown>, ms: number): Promise<void> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	await Promise.race([work.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]);
	clearTimeout(timer);
}
