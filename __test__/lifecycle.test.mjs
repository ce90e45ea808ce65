// The process exits on its own after disconnect(), under Node and under Bun (OMP's runtime), and
// the most verbose logs never show the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_TOKEN } from './discord-server/server.mjs';
import { findBun } from './helpers/bun.mjs';

const scenario = fileURLToPath(new URL('./scenarios/lifecycle.mjs', import.meta.url));

/** Runs the scenario; resolves with its exit code and output, or rejects if it does not exit. */
function run(runtime, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    // With every log on, at the most verbose level: the token must still never appear.
    const env = { ...process.env, OMP_DISCORD_LOG: 'trace' };
    const child = spawn(runtime, [scenario], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${runtime} did not exit on its own after disconnect():\n${out}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

test('Node: connect/disconnect twice, throwing listener, then the process exits by itself', async () => {
  const { code, out } = await run(process.execPath);
  assert.equal(code, 0, out);
  assert.match(out, /LIFECYCLE OK node 2/);
  assert.match(out, /omp_discord_bridge::gateway::runner: gateway state state="connected"/, 'logs are on');
  assert.ok(!out.includes(TEST_TOKEN), 'the token never appears in a log line');
});

test('Bun: the same scenario, loaded by Bun\'s N-API', async () => {
  const bun = findBun();
  assert.ok(bun, 'Bun not found: run .ci/tools.sh (installs @oven/bun-linux-x64 into .tools/) or set BUN');
  const { code, out } = await run(bun);
  assert.equal(code, 0, out);
  assert.match(out, /LIFECYCLE OK bun 2/);
  assert.ok(!out.includes(TEST_TOKEN), 'the token never appears in a log line');
});

/** Runs the unreferenced-client scenario and returns its report. */
async function runUnreferenced(runtime, args) {
  const script = fileURLToPath(new URL('./scenarios/unreferenced.mjs', import.meta.url));
  const child = spawn(runtime, [...args, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, out);
  return JSON.parse(out.trim().split('\n').at(-1));
}

for (const [name, runtime, args] of [['Node', process.execPath, ['--expose-gc']], ['Bun', findBun(), []]]) {
  test(`${name}: a connected client nobody holds is collected, and its listener still gets events`, async () => {
    assert.ok(runtime, 'Bun not found: run .ci/tools.sh (installs @oven/bun-linux-x64 into .tools/) or set BUN');
    const report = await runUnreferenced(runtime, args);
    assert.equal(report.collected, true, 'the client object was garbage-collected');
    assert.deepEqual(report.seen, ['after gc']);
  });
}
