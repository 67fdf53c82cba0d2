import { describe, expect, it } from 'vitest';
import { createJsonReporter } from '../../../src/report/json.js';
import { sanitizeText } from '../../../src/report/sanitize.js';
import { C1, C2, C3, HOSTILE, L_C1, L_C2, L_C3, L_N1, L_N2, L_S, N1, N2, S, UNSAFE, hostileConn, hostileNotice, hostileStats, sink } from './fixtures.js';

interface Doc {
  conn: Record<string, unknown>[];
  notice: Record<string, unknown>[];
  stats: Record<string, unknown> | null;
}

describe('json reporter', () => {
  it('writes one document with the same values as ndjson', () => {
    const o = sink();
    const r = createJsonReporter(o);
    r.notice(N1);
    r.conn(C1);
    r.conn(C2);
    r.notice(N2);
    r.conn(C3);
    r.stats(S);
    r.close();
    expect(o.text).toBe(`{"conn":[\n${L_C1},\n${L_C2},\n${L_C3}\n],"notice":[\n${L_N1},\n${L_N2}\n],"http":[],"tls":[],"amt_redir":[],"stats":${L_S}}\n`);
    const doc = JSON.parse(o.text) as Doc;
    expect(doc.conn.map((c) => c['uid'])).toEqual(['CAbc123def456', 'CDef789', 'CGhi000']);
    expect(doc.notice.length).toBe(2);
    expect(doc.stats?.['frames']).toBe(42);
  });

  it('is a valid document when empty, and without stats', () => {
    const o = sink();
    createJsonReporter(o).close();
    expect(o.text).toBe('{"conn":[],"notice":[],"http":[],"tls":[],"amt_redir":[],"stats":null}\n');
    expect(JSON.parse(o.text)).toEqual({ conn: [], notice: [], http: [], tls: [], amt_redir: [], stats: null });

    const o2 = sink();
    const r2 = createJsonReporter(o2);
    r2.notice(N2);
    r2.close();
    expect(JSON.parse(o2.text)).toEqual({ conn: [], notice: [JSON.parse(L_N2)], http: [], tls: [], amt_redir: [], stats: null });

    const o3 = sink();
    const r3 = createJsonReporter(o3);
    r3.conn(C2);
    r3.stats(S);
    r3.close();
    expect(o3.text).toBe(`{"conn":[\n${L_C2}\n],"notice":[],"http":[],"tls":[],"amt_redir":[],"stats":${L_S}}\n`);
  });

  it('keeps the last stats record; close is idempotent; records after close are ignored', () => {
    const o = sink();
    const r = createJsonReporter(o);
    r.stats({ ...S, frames: 1 });
    r.stats(S);
    r.close();
    r.close();
    r.conn(C1);
    r.notice(N1);
    expect((JSON.parse(o.text) as Doc).stats?.['frames']).toBe(42);
  });

  it('stays one parseable document with hostile strings everywhere', () => {
    const o = sink();
    const r = createJsonReporter(o);
    HOSTILE.forEach((h, i) => {
      r.conn(hostileConn(h, i));
      r.notice(hostileNotice(h));
    });
    r.stats(hostileStats());
    r.close();
    expect(UNSAFE.test(o.text.replace(/\n/g, ''))).toBe(false);
    const doc = JSON.parse(o.text) as Doc;
    expect(doc.conn.map((c) => c['conn_state'])).toEqual(HOSTILE.map(sanitizeText));
    expect(doc.notice.map((n) => n['note'])).toEqual(HOSTILE.map(sanitizeText));
    expect(Object.keys(doc.stats?.['anomalies'] as object).length).toBe(HOSTILE.length);
  });
});
