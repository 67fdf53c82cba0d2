import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReporter, REPORT_FORMATS, type ReportFormat } from '../../../src/report/index.js';
import { C1, C2, C3, L_C1, N1, N2, S, sink } from './fixtures.js';

const REPORT_DIR = fileURLToPath(new URL('../../../src/report/', import.meta.url));

describe('createReporter', () => {
  it('builds each format; every format accepts the same calls', () => {
    for (const f of REPORT_FORMATS) {
      const o = sink();
      const r = createReporter(f, o, { color: false, verbose: true });
      r.notice(N1);
      r.conn(C1);
      r.conn(C2);
      r.notice(N2);
      r.conn(C3);
      r.stats(S);
      r.close();
      r.close();
      expect(o.text.length).toBeGreaterThan(0);
      expect(o.text.endsWith('\n')).toBe(true);
    }
  });

  it('dispatches to the right serializer', () => {
    const first = (f: ReportFormat): string => {
      const o = sink();
      const r = createReporter(f, o, {});
      r.conn(C1);
      r.close();
      return o.text.split('\n')[0] as string;
    };
    expect(first('ndjson')).toBe(L_C1);
    expect(first('json')).toBe('{"conn":[');
    expect(first('csv').startsWith('event_type,ts,uid,')).toBe(true);
    expect(first('text')).toBe('UNAUTHORIZED AMT SESSIONS (1)');
  });

  it('rejects an unknown format at construction', () => {
    expect(() => createReporter('xml' as ReportFormat, sink(), {})).toThrow(TypeError);
  });
});

describe('report/ boundaries', () => {
  const files = readdirSync(REPORT_DIR).filter((f) => f.endsWith('.ts'));

  it('imports only records, core, its own files and node: built-ins', () => {
    expect(files.sort()).toEqual(['csv.ts', 'format.ts', 'index.ts', 'json.ts', 'ndjson.ts', 'sanitize.ts', 'text.ts']);
    for (const f of files) {
      const src = readFileSync(join(REPORT_DIR, f), 'utf8');
      const specs = [...src.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gms)].map((m) => m[1] as string);
      const dynamic = [...src.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
      for (const s of [...specs, ...dynamic]) {
        const ok = s.startsWith('node:') || /^\.\.\/(records|core)\/[\w-]+\.js$/.test(s) || /^\.\/[\w-]+\.js$/.test(s);
        if (!ok) throw new Error(`src/report/${f} imports ${s}`);
      }
    }
  });

  it('never touches process, console or the file system', () => {
    for (const f of files) {
      const code = readFileSync(join(REPORT_DIR, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/\bprocess\b|\bconsole\b|node:fs|node:child_process/);
    }
  });
});
