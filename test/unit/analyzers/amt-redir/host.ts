/** A small fake AnalyzerHost and drivers that feed conversations to the redirection analyzer. */
import { anomalyName } from '../../../../src/core/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../../src/core/limits.js';
import { createRedirAnalyzer } from '../../../../src/analyzers/amt-redir/analyzer.js';
import type { Analyzer, AnalyzerHost } from '../../../../src/analyzers/types.js';
import { type AmtConnFacts, type AmtRedirRecord, type AnalyzerRecord, emptyConnFacts } from '../../../../src/records/index.js';
import type { Conversation, Dir } from './fixtures.js';

export interface HostOptions {
  extract?: boolean;
  limits?: Partial<Limits>;
}

export interface FakeHost {
  host: AnalyzerHost;
  records: AnalyzerRecord[];
  anomalies: string[];
  facts: AmtConnFacts;
}

export const START_TS = 1_700_000_000_000_000;

export function fakeHost(opts: HostOptions = {}): FakeHost {
  const records: AnalyzerRecord[] = [];
  const anomalies: string[] = [];
  const facts = emptyConnFacts();
  const host: AnalyzerHost = {
    session: {
      uid: 'CTEST0001',
      startTs: START_TS,
      origH: Uint8Array.of(10, 0, 0, 5),
      origP: 50123,
      respH: Uint8Array.of(10, 0, 0, 9),
      respP: 16994,
      vlan: null,
    },
    limits: { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) },
    options: { extract: opts.extract ?? false },
    facts,
    emit: (r) => records.push(r),
    anomaly: (id) => anomalies.push(anomalyName(id)),
  };
  return { host, records, anomalies, facts };
}

export interface RunResult {
  record: AmtRedirRecord;
  records: AnalyzerRecord[];
  anomalies: string[];
  facts: AmtConnFacts;
}

export type Step = [Dir, Uint8Array] | ['gap', Dir, number];

/** Feeds steps (data chunks and gaps), then end(). `split` = 'bytes' delivers each byte alone. */
export function runSteps(steps: Step[], opts: HostOptions = {}, split: 'chunks' | 'bytes' = 'chunks'): RunResult {
  const h = fakeHost(opts);
  const a: Analyzer = createRedirAnalyzer(h.host);
  let ts = START_TS;
  for (const s of steps) {
    ts += 1000;
    if (s[0] === 'gap') {
      a.gap(s[1], s[2], ts);
      continue;
    }
    const [dir, bytes] = s;
    if (split === 'bytes') for (let i = 0; i < bytes.length; i++) a.data(dir, bytes, i, i + 1, ts);
    else a.data(dir, bytes, 0, bytes.length, ts);
  }
  a.end(ts + 1000);
  return { record: h.records[0] as AmtRedirRecord, records: h.records, anomalies: h.anomalies, facts: h.facts };
}

export function run(c: Conversation, opts: HostOptions = {}, split: 'chunks' | 'bytes' = 'chunks'): RunResult {
  return runSteps(c.events, opts, split);
}
