/**
 * The contract between the composing layer (app/) and the protocol analyzers.
 *
 * An analyzer is created per AMT session by app/ (through analyzers/registry.ts) and receives the
 * session's reassembled payload through core/flow.ts StreamConsumer: data(dir, buf, off, end, ts)
 * in order per direction, gap(dir, len, ts) for bytes never seen, end(ts) once. It reports facts
 * only: records through host.emit(), session-level facts by setting host.facts, malformed input
 * through host.anomaly(id). It never reads the policy and never throws on bad input.
 *
 * Split per analyzer folder (style.md section 3): parser.ts (pure: bytes -> message | incomplete |
 * failure), analyzer.ts (per-session state, directions, gaps, limits), constants.ts (number <-> name).
 */
import type { IpBytes } from '../core/addr.js';
import type { StreamConsumer } from '../core/flow.js';
import type { Limits } from '../core/limits.js';
import type { Micros } from '../core/time.js';
import type { AmtConnFacts, AnalyzerRecord } from '../records/index.js';

/** The session an analyzer works for (what its records carry so outputs join on uid). */
export interface SessionRef {
  readonly uid: string;
  readonly startTs: Micros;
  readonly origH: IpBytes;
  readonly origP: number;
  readonly respH: IpBytes;
  readonly respP: number;
  readonly vlan: number | null;
}

/** The uid and connection-id fields of every analyzer record (they follow event_type and ts). */
export function sessionIds(s: SessionRef): { uid: string; 'id.orig_h': IpBytes; 'id.orig_p': number; 'id.resp_h': IpBytes; 'id.resp_p': number } {
  return { uid: s.uid, 'id.orig_h': s.origH, 'id.orig_p': s.origP, 'id.resp_h': s.respH, 'id.resp_p': s.respP };
}

export interface AnalyzerOptions {
  /** --extract: keep SOL console transcripts in records. */
  readonly extract: boolean;
}

export interface AnalyzerHost {
  readonly session: SessionRef;
  readonly limits: Limits;
  readonly options: AnalyzerOptions;
  /** Session-level facts, merged into the conn record when the session ends. */
  readonly facts: AmtConnFacts;
  emit(record: AnalyzerRecord): void;
  /** Counts a registered anomaly (core/anomaly.ts registerAnomaly). */
  anomaly(id: number): void;
  /**
   * Present only for sessions on a port where AMT is not assumed (TCP 5900 with --extended-ports):
   * the analyzer calls it once, at the packet that shows the server is an AMT endpoint (the RFB
   * desktop name of the AMT KVM server), so app/ can make the session an AMT session from then on.
   */
  amtIdentified?(ts: Micros): void;
}

export type Analyzer = StreamConsumer;

export type AnalyzerFactory = (host: AnalyzerHost) => Analyzer;
