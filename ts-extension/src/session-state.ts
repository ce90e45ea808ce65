// What the main session is doing, for /status, /sessions and the progress message.
export interface SessionState {
	name: () => string;
	model: () => string | undefined;
	running: () => boolean;
	contextPercent: () => number | undefined;
	abort: () => void;
	currentTool?: string;
	toolCalls: number;
	runStartedAt?: number;
}
