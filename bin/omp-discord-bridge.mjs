#!/usr/bin/env node
// omp-discord-bridge's command line. `mcp`: a stdio MCP server with the Discord tools.
const USAGE = `usage: omp-discord-bridge mcp

  mcp   run a stdio MCP server offering the Discord tools (discord_send, discord_read,
        discord_channels, discord_edit, discord_react, discord_thread, discord_upload).
        Configure with DISCORD_TOKEN and DISCORD_CHANNEL_ID (or DISCORD_WEBHOOK_URL), as for
        the OMP plugin. In an MCP host's mcp.json:
          { "mcpServers": { "discord": { "command": "npx", "args": ["-y", "omp-discord-bridge", "mcp"],
            "env": { "DISCORD_TOKEN": "…", "DISCORD_CHANNEL_ID": "…" } } } }
`;
const [command] = process.argv.slice(2);
if (command === 'mcp') {
  const { runMcpServer } = await import('../ts-extension/dist/mcp.mjs');
  await runMcpServer();
} else {
  process.stderr.write(command && command !== '--help' && command !== '-h' ? `unknown command "${command}"\n\n${USAGE}` : USAGE);
  process.exitCode = command && command !== '--help' && command !== '-h' ? 2 : 0;
}
