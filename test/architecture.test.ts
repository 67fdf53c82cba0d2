/**
 * The dependency direction of ../shared/style.md section 2, enforced on every import in src/.
 * A plain regex over import/export lines and dynamic imports; no extra dependency.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

/** module -> modules of src/ it may import. */
const ALLOWED: Record<string, string[]> = {
  cli: ['app', 'core'],
  app: ['io', 'decode', 'session', 'analyzers', 'policy', 'report', 'records', 'core'],
  report: ['records', 'core'],
  policy: ['records', 'core'],
  analyzers: ['records', 'core'],
  session: ['core'], // + decode, type-only (checked below)
  // io: + records, type-only (the input-error and file-summary shapes it reports)
  io: ['core'],
  decode: ['core'],
  records: ['core'],
  core: [],
  '.': ['app', 'records', 'core'], // src/index.ts
};
/** npm packages each module may import (node: built-ins are always allowed). */
const PACKAGES: Record<string, string[]> = {
  cli: ['commander'],
  app: ['pino', 'yaml'],
  io: [],
};
/** Modules that may touch `process`. */
const PROCESS_OK = new Set(['cli', 'app']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function moduleOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '.';
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?[^'"]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

interface Edge {
  file: string;
  from: string;
  to: string;
  spec: string;
  typeOnly: boolean;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[3] ?? m[4] ?? m[5]) as string;
      const typeOnly = m[2] !== undefined;
      let to: string;
      if (spec.startsWith('.')) to = moduleOf(resolve(dirname(f), spec));
      else if (spec.startsWith('node:')) to = 'node:';
      else to = `pkg:${spec.split('/')[0]}`;
      out.push({ file: relative(SRC, f), from: moduleOf(f), to, spec, typeOnly });
    }
  }
  return out;
}

describe('architecture', () => {
  const all = edges();

  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(30);
    expect(all.some((e) => e.from === 'app' && e.to === 'session')).toBe(true);
  });

  it('every import in src/ follows the dependency table', () => {
    const bad = all.filter((e) => {
      if (e.to === 'node:') return false;
      if (e.to.startsWith('pkg:')) return !(PACKAGES[e.from] ?? []).includes(e.to.slice(4));
      if (e.to === e.from) return false;
      if (e.from === 'session' && e.to === 'decode') return !e.typeOnly;
      if (e.from === 'io' && e.to === 'records') return !e.typeOnly; // InputErrorEntry, FileSummary
      return !(ALLOWED[e.from] ?? []).includes(e.to);
    });
    expect(bad.map((e) => `${e.file}: ${e.from} -> ${e.spec}`)).toEqual([]);
  });

  it('only cli/ and app/ touch process', () => {
    const offenders = files(SRC)
      .filter((f) => !PROCESS_OK.has(moduleOf(f)))
      .filter((f) => /\bprocess\.(argv|env|exit|stdout|stderr|stdin|on|exitCode|cwd)\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it('the checker itself catches a forbidden edge', () => {
    const fake = 'import { x } from "../session/table.js";';
    const m = [...fake.matchAll(IMPORT_RE)][0];
    expect(m?.[3]).toBe('../session/table.js');
  });
});
