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

/**
 * The fixtures read with --extended-ports (by the golden, tshark, truth and CLI tests), by path
 * relative to pcaps/. Every other fixture is read without it, so its golden output is amtwatch's
 * default behaviour (TCP 16992-16995 only). To add one: list it here, then regenerate its golden
 * output (UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts).
 */
export const EXTENDED_PORT_FIXTURES: readonly string[] = Object.freeze(['lab/extended-ports.pcap', 'synthetic/rmcp.pcap']);

/** True when fixture `f` (an absolute path or one relative to pcaps/) is read with --extended-ports. */
export function readsWithExtendedPorts(f: string): boolean {
  const rel = f.startsWith(PCAPS) ? relative(PCAPS, f) : f;
  return EXTENDED_PORT_FIXTURES.includes(rel);
}
