/** A recording AnalyzerHost and small drivers for feeding the TLS analyzer in tests and fuzzing. */
import { anomalyName } from '../../../../src/core/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../../src/core/limits.js';
import { createTlsAnalyzer } from '../../../../src/analyzers/tls/analyzer.js';
import type { Analyzer, AnalyzerHost } from '../../../../src/analyzers/types.js';
import { emptyConnFacts, type AnalyzerRecord, type TlsRecord } from '../../../../src/records/index.js';

export const T0 = 1_768_471_200_000_000;

export interface TestHost extends AnalyzerHost {
  records: AnalyzerRecord[];
  anomalies: string[];
}

export function testHost(limits: Partial<Limits> = {}): TestHost {
  const records: AnalyzerRecord[] = [];
  const anomalies: string[] = [];
  return {
    session: {
      uid: 'CTLS0000000000001',
      startTs: T0,
      origH: Uint8Array.of(127, 0, 0, 1),
      origP: 40000,
      respH: Uint8Array.of(127, 0, 0, 2),
      respP: 16993,
      vlan: null,
    },
    limits: { ...DEFAULT_LIMITS, ...limits },
    options: { extract: false },
    facts: emptyConnFacts(),
    emit: (r) => records.push(r),
    anomaly: (id) => anomalies.push(anomalyName(id)),
    records,
    anomalies,
  };
}

export interface Step {
  dir: 0 | 1;
  data?: Uint8Array;
  gap?: number;
}

export interface Run {
  host: TestHost;
  rec: TlsRecord;
}

/** Feeds steps (each data step whole, or in pieces of `piece` bytes), then end(); expects one record. */
export function run(steps: readonly Step[], opts: { piece?: number; limits?: Partial<Limits>; end?: boolean } = {}): Run {
  const host = testHost(opts.limits);
  const a: Analyzer = createTlsAnalyzer(host);
  let t = T0;
  for (const s of steps) {
    t += 1000;
    if (s.gap !== undefined) {
      a.gap(s.dir, s.gap, t);
      continue;
    }
    const d = s.data as Uint8Array;
    const piece = opts.piece ?? d.length;
    for (let o = 0; o < d.length; o += piece) {
      // deliver each piece inside a larger buffer, so offsets other than 0 are exercised
      const n = Math.min(piece, d.length - o);
      const big = new Uint8Array(n + 16).fill(0xee);
      big.set(d.subarray(o, o + n), 8);
      a.data(s.dir, big, 8, 8 + n, t);
    }
  }
  if (opts.end !== false) {
    a.end(t + 1000);
    a.end(t + 2000); // a second end() must not emit again
  }
  if (host.records.length !== 1) throw new Error(`expected exactly one record, got ${host.records.length}`);
  return { host, rec: host.records[0] as TlsRecord };
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
