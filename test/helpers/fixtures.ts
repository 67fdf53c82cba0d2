/** The capture fixtures under pcaps/ (every file that is not documentation, policy or a generator). */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const PCAPS = join(ROOT, 'pcaps');
const NOT_FIXTURES = /\.(md|yaml|yml|json|ts|mjs|js|sh|py|crt|key|pem)$/;

export function fixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) {
        if (relative(PCAPS, p) !== 'gen') walk(p);
      } else if (!NOT_FIXTURES.test(e)) out.push(p);
    }
  };
  walk(PCAPS);
  return out;
}
