// Loads the addon through the generated loader, exactly as a user's `require` would.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const { DiscordClient, sendWebhook, splitMessage } = require('../../index.js');
