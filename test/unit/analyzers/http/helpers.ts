/** A fake AnalyzerHost that collects records, anomalies and facts, and a conversation runner. */
import { Buffer } from 'node:buffer';
import { anomalyName } from '../../../../src/core/anomaly.js';
import type { Direction } from '../../../../src/core/flow.js';
import { DEFAULT_LIMITS, type Limits } from '../../../../src/core/limits.js';
import type { Micros } from '../../../../src/core/time.js';
import { createHttpAnalyzer } from '../../../../src/analyzers/http/analyzer.js';
import type { Analyzer, AnalyzerFactory, AnalyzerHost } from '../../../../src/analyzers/types.js';
import { emptyConnFacts, type AmtConnFacts, type AnalyzerRecord, type HttpRecord } from '../../../../src/records/index.js';
import type { Step } from './fixtures.js';

export const T0: Micros = 1_768_471_200_000_000;

export interface Harness {
  host: AnalyzerHost;
  records: HttpRecord[];
  other: AnalyzerRecord[];
  anomalies: string[];
  facts: AmtConnFacts;
}

export function harness(limits: Partial<Limits> = {}): Harness {
  const records: HttpRecord[] = [];
  const other: AnalyzerRecord[] = [];
  const anomalies: string[] = [];
  const facts = emptyConnFacts();
  const host: AnalyzerHost = {
    session: {
      uid: 'CHttpTest1',
      startTs: T0,
      origH: Uint8Array.of(10, 0, 0, 50),
      origP: 50001,
      respH: Uint8Array.of(10, 0, 0, 10),
      respP: 16992,
      vlan: null,
    },
    limits: { ...DEFAULT_LIMITS, ...limits },
    options: { extract: false },
    facts,
    emit(r) {
      if (r.event_type === 'http') records.push(r);
      else other.push(r);
    },
    anomaly(id) {
      anomalies.push(anomalyName(id));
    },
  };
  return { host, records, other, anomalies, facts };
}

export interface RunOpts {
  /** 'whole': each step in one data() call; 'bytes': one byte per call; a number: chunks of that size. */
  split?: 'whole' | 'bytes' | number;
  limits?: Partial<Limits>;
  onUpgrade?: AnalyzerFactory;
  /** Do not call end(). */
  noEnd?: boolean;
}

/** Step i's data arrives at T0 + i ms. */
export function stepTs(i: number): Micros {
  return T0 + i * 1000;
}

export function feedSteps(a: Analyzer, steps: Step[], split: RunOpts['split'] = 'whole'): void {
  steps.forEach((s, i) => {
    const ts = stepTs(i);
    if ('gap' in s) {
      a.gap(s.dir, s.gap, ts);
      return;
    }
    const size = split === 'whole' ? s.data.length : split === 'bytes' ? 1 : split;
    for (let o = 0; o < s.data.length; o += size) {
      // A fresh copy per call, inside a larger buffer, as a reused capture buffer would be.
      const n = Math.min(size, s.data.length - o);
      const big = new Uint8Array(n + 16).fill(0xa5);
      big.set(s.data.subarray(o, o + n), 8);
      a.data(s.dir as Direction, big, 8, 8 + n, ts);
      big.fill(0x5a);
    }
  });
}

export function run(steps: Step[], opts: RunOpts = {}): Harness {
  const h = harness(opts.limits);
  const a = createHttpAnalyzer(h.host, opts.onUpgrade !== undefined ? { onUpgrade: opts.onUpgrade } : {});
  feedSteps(a, steps, opts.split);
  if (!opts.noEnd) a.end(T0 + 999_000_000);
  return h;
}

/** An inner analyzer that records the bytes and gaps it is given per direction. */
export class FakeInner implements Analyzer {
  readonly bytes: number[][] = [[], []];
  readonly gaps: number[][] = [[], []];
  ended = 0;
  calls = 0;
  data(dir: Direction, buf: Uint8Array, off: number, end: number): void {
    this.calls++;
    const into = this.bytes[dir] as number[];
    for (let i = off; i < end; i++) into.push(buf[i] as number);
  }
  gap(dir: Direction, len: number): void {
    (this.gaps[dir] as number[]).push(len);
  }
  end(): void {
    this.ended++;
  }
  get(dir: Direction): Uint8Array {
    return Uint8Array.from(this.bytes[dir] as number[]);
  }
}

export const latin1 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('latin1');

/** The string-valued fields of a record that come from packet bytes. */
export const PACKET_STRING_FIELDS = [
  'method',
  'host',
  'uri',
  'version',
  'user_agent',
  'status_msg',
  'server',
  'amt_firmware',
  'challenge_realm',
  'challenge_nonce',
  'auth_scheme',
  'digest_realm',
  'digest_nonce',
  'digest_uri',
  'digest_qop',
  'digest_nc',
  'digest_cnonce',
  'wsman_action',
  'wsman_resource_uri',
  'wsman_method',
] as const;
