import { describe, expect, it } from 'vitest';
import { CONN_FIELDS, NOTICE_FIELDS, STATS_FIELDS, type FieldKind } from '../../../src/records/index.js';
import { renderValue } from '../../../src/report/format.js';
import { createNdjsonReporter, jsonFieldValue, jsonRecord, jsonValue } from '../../../src/report/ndjson.js';
import { bytesToText, sanitizeText } from '../../../src/report/sanitize.js';
import { ALL_BYTES, C1, C2, C3, HOSTILE, L_C1, L_C2, L_C3, L_N1, L_N2, L_S, N1, N2, S, UNSAFE, conn, hostileConn, hostileNotice, hostileStats, sink, unescapeSanitized } from './fixtures.js';

/** Every line parses; no unsafe character anywhere; returns the parsed objects. */
function lines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n')).toBe(true);
  const body = text.slice(0, -1);
  expect(UNSAFE.test(body.replace(/\n/g, ''))).toBe(false);
  expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text); // well-formed UTF-8 when written
  return body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('ndjson reporter', () => {
  it('writes the fixed record set exactly, one line per record, as each arrives', () => {
    const o = sink();
    const r = createNdjsonReporter(o);
    r.notice(N1);
    expect(o.text).toBe(`${L_N1}\n`); // streamed, not buffered
    r.conn(C1);
    r.conn(C2);
    r.notice(N2);
    r.conn(C3);
    r.stats(S);
    r.close();
    expect(o.text).toBe([L_N1, L_C1, L_C2, L_N2, L_C3, L_S].join('\n') + '\n');
    expect(o.writes).toBe(6);
    lines(o.text);
  });

  it('keys follow the field specs exactly; time fields are JSON numbers with six decimals', () => {
    const o = sink();
    const r = createNdjsonReporter(o);
    r.conn(C3);
    r.notice(N2);
    r.stats(S);
    const [c, n, s] = lines(o.text);
    expect(Object.keys(c ?? {})).toEqual(CONN_FIELDS.map((f) => f.key));
    expect(Object.keys(n ?? {})).toEqual(NOTICE_FIELDS.map((f) => f.key));
    expect(Object.keys(s ?? {})).toEqual(STATS_FIELDS.map((f) => f.key));
    expect(c?.['ts']).toBe(1768471203.12);
    expect(o.text).toContain('"ts":1768471203.120000,');
    expect(o.text).toContain('"duration":0.999999,');
  });

  it('does not emit properties outside the field spec', () => {
    const extra = { ...C1, secret: 'x', event_type: 'conn' as const };
    expect(jsonRecord(CONN_FIELDS, extra)).toBe(L_C1);
  });

  it('survives hostile strings in every text field: each line parses and gives back the sanitized value', () => {
    const o = sink();
    const r = createNdjsonReporter(o);
    HOSTILE.forEach((h, i) => r.conn(hostileConn(h, i)));
    HOSTILE.forEach((h) => r.notice(hostileNotice(h)));
    r.stats(hostileStats());
    r.close();
    const objs = lines(o.text);
    expect(objs.length).toBe(HOSTILE.length * 2 + 1);
    HOSTILE.forEach((h, i) => {
      const c = objs[i] as Record<string, unknown>;
      const want = sanitizeText(h);
      expect(c['uid']).toBe(want);
      expect(c['service']).toBe(want);
      expect(c['history']).toBe(want);
      expect(c['reasons']).toEqual([want, 'ok']);
      expect(unescapeSanitized(c['uid'] as string)).toBe(h);
      const n = objs[HOSTILE.length + i] as Record<string, unknown>;
      expect(n['msg']).toBe(want);
      expect(n['reasons']).toEqual([want]);
    });
    const s = objs[objs.length - 1] as Record<string, unknown>;
    const anomalies = s['anomalies'] as Record<string, unknown>;
    expect(Object.keys(anomalies).sort()).toEqual(HOSTILE.map(sanitizeText).sort());
    expect(Object.getPrototypeOf(anomalies)).toBe(Object.prototype); // '__proto__' came through as a key only
    const errs = s['input_errors'] as { file: string; message: string }[];
    expect(errs.map((e) => e.file)).toEqual(HOSTILE.map(sanitizeText));
    const files = s['file_details'] as { file: string }[];
    expect(files.map((f) => f.file)).toEqual(HOSTILE.map(sanitizeText));
  });

  it('raw bytes (every byte value, invalid UTF-8 and latin1) come out parseable', () => {
    const o = sink();
    const r = createNdjsonReporter(o);
    const text = bytesToText(ALL_BYTES, 0, 256);
    const raw = Buffer.from(ALL_BYTES).toString('latin1'); // what a record holds: unsanitized
    r.conn(conn({ history: raw, uid: raw }));
    // a Uint8Array in a string field is rendered as latin1 text too (hook for analyzers' raw bytes)
    r.conn(conn({ history: ALL_BYTES as unknown as string }));
    const [a, b] = lines(o.text);
    expect(a?.['history']).toBe(text);
    expect(b?.['history']).toBe(text);
  });

  it('renders non-finite numbers as null so the line still parses', () => {
    const o = sink();
    createNdjsonReporter(o).conn(conn({ ts: Number.NaN, duration: Infinity, orig_bytes: -Infinity, vlan: Number.NaN }));
    const [c] = lines(o.text);
    expect(c?.['ts']).toBe(null);
    expect(c?.['duration']).toBe(null);
    expect(c?.['orig_bytes']).toBe(null);
    expect(c?.['vlan']).toBe(null);
  });

  it('ignores records after close', () => {
    const o = sink();
    const r = createNdjsonReporter(o);
    r.close();
    r.conn(C1);
    r.close();
    expect(o.text).toBe('');
  });
});

describe('jsonFieldValue (the direct path the NDJSON writer takes)', () => {
  const KINDS: readonly FieldKind[] = ['time', 'interval', 'addr', 'count', 'port', 'float', 'vlan', 'string', 'bool', 'strings', 'object'];
  const VALUES: readonly unknown[] = [
    undefined, null, 0, -0, 1, -1, 42, 16992, 0.5, 1 / 3, 1e21, -1e-7, 1768471200123456, 2 ** 60, Number.NaN, Infinity, -Infinity,
    true, false, '', 'a', 'x"y\\z', '\u0000\u001b[31m', '\ud800', 'é✓', 10n,
    new Uint8Array([192, 0, 2, 1]), new Uint8Array(16).fill(0), new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    new Uint8Array([1, 2, 3]), new Uint8Array(0), [], ['a', 'b"'], [1, null, new Uint8Array([104, 105])], { a: 1, b: ['x'], c: { d: null } },
    { __proto__: null, k: 'v' }, () => 1, Symbol('s'),
  ];
  it('gives exactly jsonValue(renderValue(kind, value)) for every kind and value', () => {
    let n = 0;
    for (const k of KINDS)
      for (const [i, v] of VALUES.entries()) {
        expect(jsonFieldValue(k, v), `${k} VALUES[${i}]`).toBe(jsonValue(renderValue(k, v)));
        n++;
      }
    expect(n).toBe(KINDS.length * VALUES.length);
  });
  it('gives the same for random values of each kind', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 20000; i++) {
      const r = rnd();
      const v =
        r < 0.25 ? Math.floor(rnd() * 2 ** 53) * (rnd() < 0.5 ? -1 : 1)
        : r < 0.5 ? rnd() * 1e6
        : r < 0.75 ? Uint8Array.from({ length: rnd() < 0.5 ? 4 : 16 }, () => (rnd() < 0.4 ? 0 : Math.floor(rnd() * 256)))
        : String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 0x10000)));
      for (const k of KINDS) expect(jsonFieldValue(k, v)).toBe(jsonValue(renderValue(k, v)));
    }
  });
});
