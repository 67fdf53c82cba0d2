/**
 * app/output.ts: records are batched, and a slow reader of standard output holds `read` back
 * (ready() returns a promise past OUTPUT_HIGH_WATER_BYTES) instead of letting records pile up.
 * Run in a child process whose standard output is a pipe this test reads only when it chooses.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BATCH_CHARS, OUTPUT_HIGH_WATER_BYTES, OUTPUT_LOW_WATER_BYTES, openOutput } from '../../../src/app/output.js';
import { ROOT } from '../../helpers/fixtures.js';

const CHILD = `
import { openOutput } from ${JSON.stringify(join(ROOT, 'dist/app/output.js'))};
const out = openOutput(null);
const line = 'x'.repeat(999) + '\\n';
let written = 0;
// write until the output says it is behind; report how much was handed over by then
while (out.ready() === null) { out.write(line); written += line.length; if (written > 256 * 1024 * 1024) break; }
process.stderr.write('behind after ' + written + '\\n');
const t = Date.now();
await out.ready();
process.stderr.write('room again after ' + (Date.now() - t) + ' ms\\n');
for (let i = 0; i < 10; i++) out.write(line);
await out.close();
process.stderr.write('closed ' + (written + 10 * line.length) + '\\n');
`;

describe('openOutput', () => {
  it('holds the writer back while a pipe reader is slow, and loses nothing', async () => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // do not read standard output until the child says it is behind
    c.stdout.pause();
    const t0 = Date.now();
    while (!err.includes('behind after') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    const behind = Number(/behind after (\d+)/.exec(err)?.[1]);
    // pipe capacity (64 KiB) + what SonicBoom holds: past the high-water mark by at most one batch
    expect(behind).toBeGreaterThan(OUTPUT_HIGH_WATER_BYTES);
    expect(behind).toBeLessThanOrEqual(OUTPUT_HIGH_WATER_BYTES + BATCH_CHARS + 1000 + 1024 * 1024);
    expect(err).not.toContain('room again'); // still waiting: nobody reads
    let bytes = 0;
    c.stdout.on('data', (d: Buffer) => (bytes += d.length));
    c.stdout.resume();
    const code = await new Promise<number | null>((r) => c.on('exit', (x) => r(x)));
    await new Promise((r) => setImmediate(r));
    expect(code).toBe(0);
    expect(err).toMatch(/room again after \d+ ms/);
    expect(bytes).toBe(Number(/closed (\d+)/.exec(err)?.[1]));
    expect(OUTPUT_LOW_WATER_BYTES).toBeLessThan(OUTPUT_HIGH_WATER_BYTES);
  }, 60_000);

  it('a file gets every record, in order, batched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtw-out-'));
    const p = join(dir, 'o.ndjson');
    const out = openOutput(p);
    let want = '';
    for (let i = 0; i < 100_000; i++) {
      const l = `{"n":${i}}\n`;
      out.write(l);
      want += l;
    }
    expect(out.ready?.()).toBe(null); // a file is written synchronously: never behind
    await out.close();
    expect(readFileSync(p, 'utf8')).toBe(want);
  });
});
