// Where Bun is: $BUN, the copy .ci/tools.sh installs into .tools/, or PATH.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findBun() {
  const local = fileURLToPath(new URL('../../.tools/node_modules/@oven/bun-linux-x64/bin/bun', import.meta.url));
  if (process.env.BUN && existsSync(process.env.BUN)) return process.env.BUN;
  if (existsSync(local)) return local;
  try { return execFileSync('which', ['bun']).toString().trim() || null; } catch { return null; }
}

/** PATH with Bun's directory first (omp's launcher is `#!/usr/bin/env bun`). */
export function pathWithBun() {
  const bun = findBun();
  if (!bun) throw new Error('Bun not found: run .ci/tools.sh (installs @oven/bun-linux-x64 into .tools/) or set BUN');
  return `${dirname(bun)}:${process.env.PATH}`;
}
