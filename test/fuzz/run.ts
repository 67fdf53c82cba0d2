/**
 * `npm run fuzz [-- --inputs N]`: every parser's fuzz targets (test/fuzz/targets/*.ts), 1,000,000
 * generated inputs each by default. Prints one line per target and exits non-zero on any failure.
 * Run with `node --expose-gc` (npm run fuzz does) so the heap figure is after collection.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fuzzTarget } from './engine.js';
import type { FuzzTarget } from './types.js';

const args = process.argv.slice(2);
const i = args.indexOf('--inputs');
const inputs = i >= 0 ? Number(args[i + 1]) : 1_000_000;
const only = args.find((a) => !a.startsWith('--') && a !== String(inputs));

const dir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'targets');
let failed = 0;
const t0 = Date.now();
for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts')).sort()) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { targets: FuzzTarget[] };
  for (const t of mod.targets) {
    if (only && !t.name.startsWith(only)) continue;
    const r = fuzzTarget(t, inputs);
    console.log(
      `${r.failure ? 'FAIL' : 'ok  '} ${r.target.padEnd(28)} ${r.inputs.toLocaleString('en-US').padStart(10)} inputs  ${r.seconds.toFixed(1).padStart(6)} s  ` +
        `max ${r.maxInputMs.toFixed(2)} ms/input  heap ${r.heapGrowthMB >= 0 ? '+' : ''}${r.heapGrowthMB.toFixed(1)} MB`,
    );
    if (r.failure) {
      failed++;
      console.log(r.failure);
    }
  }
}
console.log(`${failed === 0 ? 'all targets clean' : `${failed} target(s) failed`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = failed === 0 ? 0 : 1;
