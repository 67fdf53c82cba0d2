/**
 * Golden outputs: every capture in pcaps/ (the fixtures of pcaps/README.md) is read on its own by
 * the real pipeline, with the policy file of its folder (amtwatch.yaml) when there is one, and its
 * NDJSON output must equal test/golden/<path>.ndjson exactly. The fixtures listed in
 * test/helpers/fixtures.ts EXTENDED_PORT_FIXTURES are read with --extended-ports; every other one
 * without it (so their goldens are the default behaviour) (uids are pinned by the uid seed;
 * elapsed time is 0). With CI=true a missing golden file fails; locally it is written.
 * To accept a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENDED_PORT_FIXTURES, fixtureFiles, PCAPS, readsWithExtendedPorts, ROOT } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const GOLDEN = join(ROOT, 'test/golden');

function goldenPath(f: string): string {
  return join(GOLDEN, `${relative(PCAPS, f).replaceAll('/', '__')}.ndjson`);
}

const files = fixtureFiles();

describe('golden outputs', () => {
  it('there are fixtures, and each has a line in pcaps/README.md', () => {
    expect(files.length).toBeGreaterThan(20);
    const readme = readFileSync(join(PCAPS, 'README.md'), 'utf8');
    const missing = files.map((f) => relative(PCAPS, f)).filter((r) => !readme.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });

  it('every fixture listed as read with --extended-ports exists', () => {
    expect(EXTENDED_PORT_FIXTURES.filter((r) => !files.includes(join(PCAPS, r)))).toEqual([]);
  });

  it('every golden file belongs to a fixture', () => {
    const expected = new Set(files.map(goldenPath));
    const stale = existsSync(GOLDEN) ? readdirSync(GOLDEN).map((g) => join(GOLDEN, g)).filter((g) => !expected.has(g)) : [];
    expect(stale.map((g) => relative(ROOT, g))).toEqual([]);
  });

  for (const f of files) {
    it(relative(PCAPS, f), async () => {
      const policy = join(dirname(f), 'amtwatch.yaml');
      const r = await runCapture({
        inputs: [f],
        ...(existsSync(policy) ? { config: policy } : {}),
        ...(readsWithExtendedPorts(f) ? { extendedPorts: true } : {}),
      });
      // stable across machines: file paths relative to the repo
      const text =
        r.text.replaceAll(JSON.stringify(f).slice(1, -1), relative(ROOT, f)) +
        `${JSON.stringify({ golden: 'exit_code', value: r.summary.exitCode })}\n`;
      for (const l of r.text.split('\n')) if (l) JSON.parse(l);
      const g = goldenPath(f);
      if (process.env.UPDATE_GOLDEN === '1' || (!existsSync(g) && process.env.CI !== 'true')) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(g, text);
      }
      expect(existsSync(g), `missing golden ${relative(ROOT, g)} (run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts)`).toBe(true);
      expect(text).toBe(readFileSync(g, 'utf8'));
    });
  }
});
