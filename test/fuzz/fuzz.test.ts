/** The short fuzz run CI does (the full one is `npm run fuzz`, 1,000,000 inputs per target). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzTarget } from './engine.js';
import type { FuzzTarget } from './types.js';

const INPUTS = 3000;
const dir = join(__dirname, 'targets');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();

describe('fuzz (short CI run)', () => {
  it('has targets for every analyzer', () => {
    expect(files).toEqual(expect.arrayContaining(['amt-redir.ts', 'http.ts', 'rfb.ts', 'rmcp.ts', 'tls.ts']));
  });
  for (const f of files) {
    it(`${f}: ${INPUTS} inputs per target, nothing thrown, no slow input`, async () => {
      const mod = (await import(join(dir, f))) as { targets: FuzzTarget[] };
      expect(mod.targets.length).toBeGreaterThan(0);
      for (const t of mod.targets) {
        const r = fuzzTarget(t, INPUTS, 7);
        expect(r.failure, `${t.name}: ${r.failure}`).toBeNull();
      }
    });
  }
});
