// Runs the real omp (from @oh-my-pi/pi-coding-agent) headless in RPC mode, in a throwaway HOME,
// with this package linked as a plugin and the scripted model as its LLM.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pathWithBun } from '../helpers/bun.mjs';
import { startTestServer } from '../helpers/server.mjs';
import { startScriptedModel } from './scripted-model.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OMP = join(ROOT, 'node_modules', '.bin', 'omp');

/** A HOME with models.yml pointing at the scripted model; `link` installs this package as a plugin. */
export function makeHome(model, { link = true, linkDir = ROOT, discordJson, images = false } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'omp-home-'));
  const agent = join(home, '.omp', 'agent');
  mkdirSync(agent, { recursive: true });
  writeFileSync(join(agent, 'models.yml'), [
    'providers:',
    '  scripted:',
    `    baseUrl: ${model.baseUrl}`,
    '    apiKey: SCRIPTED_API_KEY',
    '    api: openai-completions',
    '    models:',
    '      - id: scripted',
    '        name: Scripted',
    '        reasoning: false',
    `        input: [${images ? 'text, image' : 'text'}]`,
    '        contextWindow: 128000',
    '        maxTokens: 4096',
    '',
  ].join('\n'));
  if (discordJson) writeFileSync(join(agent, 'discord.json'), JSON.stringify(discordJson));
  if (link) execFileSync(OMP, ['plugin', 'link', linkDir], { env: baseEnv(home), stdio: 'pipe' });
  return home;
}

function baseEnv(home, extra = {}) {
  const env = { ...process.env, HOME: home, PATH: pathWithBun(), SCRIPTED_API_KEY: 'scripted', ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('DISCORD_') && !(k in extra)) delete env[k];
  delete env.PI_CODING_AGENT_DIR;
  return env;
}

/** Lines of OMP's log (in `~/.omp/logs/`) that match `pattern`, joined. */
export function ompLog(home, pattern) {
  const dir = join(home, '.omp', 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter((line) => pattern.test(line)).join('\n');
}

/** Extension load errors OMP wrote to its log (they show nowhere else). */
export function extensionLogErrors(home) {
  return ompLog(home, /extension/i).split('\n').filter((line) => /(error|fail)/i.test(line) && /discord|omp-discord-bridge/i.test(line));
}

export async function startOmp({ home, env = {}, cwd, args = [] } = {}) {
  const workspace = cwd ?? mkdtempSync(join(tmpdir(), 'omp-ws-'));
  const child = spawn(OMP, ['--mode', 'rpc', '--model', 'scripted/scripted', ...args], { cwd: workspace, env: baseEnv(home, env), stdio: ['pipe', 'pipe', 'pipe'] });
  const frames = [];
  const waiters = new Set();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let frame;
    try { frame = JSON.parse(line); } catch { return; }
    frames.push(frame);
    for (const w of waiters) w();
  });
  const omp = {
    child, frames, home, workspace,
    get stderr() { return stderr; },
    send(cmd) { child.stdin.write(JSON.stringify(cmd) + '\n'); },
    /** Waits for a frame matching pred (from index `from`). */
    wait(pred, { from = 0, timeoutMs = 30000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const f = frames.slice(from).find(pred);
          if (f) { waiters.delete(check); clearTimeout(t); resolve(f); return true; }
          return false;
        };
        const t = setTimeout(() => { waiters.delete(check); reject(new Error(`omp: no frame matching ${pred} within ${timeoutMs} ms; extension errors: ${JSON.stringify(frames.filter((f) => f.type === 'extension_error'))}; frames: ${frames.map((f) => f.type + (f.method ? ':' + f.method : '')).join(' ')}\nstderr: ${stderr.slice(-2000)}`)); }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    /** Sends a prompt and waits for the run's terminal agent_end. */
    async prompt(message) {
      const from = frames.length;
      omp.send({ type: 'prompt', message });
      return omp.wait((f) => f.type === 'agent_end' && f.isTerminal !== false, { from, timeoutMs: 60000 });
    },
    /** Runs a slash command; resolves with the texts it showed through ctx.ui.notify. */
    async command(line) {
      const from = frames.length;
      omp.send({ id: `cmd-${from}`, type: 'prompt', message: line });
      await omp.wait((f) => f.type === 'response' && f.id === `cmd-${from}`, { from });
      await omp.wait((f) => f.type === 'extension_ui_request' && f.method === 'notify', { from });
      return frames.slice(from).filter((f) => f.type === 'extension_ui_request' && f.method === 'notify').map((f) => f.message);
    },
    statuses() { return frames.filter((f) => f.type === 'extension_ui_request' && f.method === 'setStatus').map((f) => f.statusText ?? f.text); },
    async close() {
      if (child.exitCode !== null) return child.exitCode;
      child.stdin.end();
      return new Promise((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 20000);
        child.on('exit', (code) => { clearTimeout(t); resolve(code); });
      });
    },
  };
  await omp.wait((f) => f.type === 'ready', { timeoutMs: 60000 });
  return omp;
}

/** The bundled Discord-compatible server and the scripted model, for a test file. */
export async function startWorld() {
  const server = await startTestServer();
  const model = await startScriptedModel();
  return { server, model, w: server.world, async close() { await model.close(); await server.close(); } };
}
