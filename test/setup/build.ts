/**
 * vitest globalSetup: makes sure dist/ (the built CLI the spawn tests run) is current, so
 * `npx vitest run` alone never tests a stale build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const main = join(ROOT, 'dist/amtwatch.mjs');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  const src = Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  if (built >= src) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], {
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [join(ROOT, '.ci/bundle.mjs')], { stdio: 'inherit', cwd: ROOT });
}
