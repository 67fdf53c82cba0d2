/**
 * The per-packet pipeline: frame -> decode -> session -> policy -> report.
 * Shared by offline reading and live capture, so the same traffic gives the same records.
 * The only try/catch of the hot path is here, once per frame.
 *
 * Extended ports (options.extendedPorts, `--extended-ports`): TCP 623 and 664 are AMT sessions like
 * 16992/16993 (HTTP and TLS analyzers); UDP 623 datagrams go to the RMCP analyzer (one rmcp record
 * each, no session); TCP 5900 sessions are tracked with the plain RFB analyzer as CANDIDATES: not
 * AMT sessions (no verdict, no notice, no conn record) until the RFB ServerInit names the desktop
 * `Intel(r) AMT KVM`. At that packet the session becomes an AMT session (service amt-kvm-5900): it is
 * counted, judged and, when unauthorized, its amt.unauthorized_session notice is raised then (with
 * that packet's time), not at the SYN, because only the desktop name tells AMT from ordinary VNC.
 * A 5900 session that never shows the name ends as an "other" session (stats other_sessions).
 */
import type { AnalyzerFactory, AnalyzerHost, SessionRef } from '../analyzers/types.js';
import { A_RMCP_FRAGMENT } from '../analyzers/rmcp/constants.js';
import { createRmcpAnalyzer, type RmcpAnalyzer } from '../analyzers/rmcp/analyzer.js';
import { ipv4FromU32, type IpBytes } from '../core/addr.js';
import { A_INTERNAL_DECODER_BUG, AnomalyCounters } from '../core/anomaly.js';
import type { StreamConsumer } from '../core/flow.js';
import { copyBytes } from '../core/bytes.js';
import { AMT_KVM_VNC_PORT, amtServiceName, RMCP_PORT, watchedTcpPorts } from '../core/flow.js';
import type { Limits } from '../core/limits.js';
import type { Micros } from '../core/time.js';
import { decodePacket } from '../decode/link.js';
import { DECODE_TCP, DECODE_UDP, DecodedPacket, FRAG_NONE } from '../decode/packet.js';
import type { Frame } from '../io/frame.js';
import type { PolicyConfig } from '../policy/config.js';
import { Correlator } from '../policy/correlate.js';
import { detectHttp, detectRedir, toNotice } from '../policy/detect.js';
import { judgeSession, noticesForSessionStart, type AmtSessionFacts, type SessionVerdict } from '../policy/evaluate.js';
import {
  emptyConnFacts,
  type AmtConnFacts,
  type AnalyzerRecord,
  type ConnRecord,
  type CaptureInterfaceStats,
  type FileSummary,
  type InputErrorEntry,
  type NoticeRecord,
  type StatsRecord,
} from '../records/index.js';
import type { Session } from '../session/session.js';
import { SessionTable } from '../session/table.js';
import { makeUid } from '../session/uid.js';

export interface RecordSink {
  conn(r: ConnRecord): void;
  notice(r: NoticeRecord): void;
  analyzer(r: AnalyzerRecord): void;
}

export interface PipelineOptions {
  limits: Limits;
  policy: PolicyConfig;
  uidSeed: string;
  /** The protocol analyzer for a session's server port, or null for none (metadata only). */
  analyzerFor?: (respPort: number, extendedPorts: boolean) => AnalyzerFactory | null;
  /** --extract: analyzers keep SOL transcripts. */
  extract?: boolean;
  /** --extended-ports: TCP 623/664/5900 and UDP 623 too (see the module comment). */
  extendedPorts?: boolean;
}

interface AppSessionData {
  verdict: SessionVerdict;
  facts: AmtConnFacts;
  /** A TCP 5900 session waiting for its RFB desktop name (verdict not yet made). */
  candidate: boolean;
}

/** Placeholder verdict of a candidate session; replaced when it is identified as AMT. */
const PENDING: SessionVerdict = Object.freeze({ authorized: true, reasons: Object.freeze([]) });

export interface PipelineCounters {
  frames: number;
  bytes: number;
  amtFrames: number;
  notices: number;
  amtSessions: number;
  unauthorizedSessions: number;
  /**
   * Sessions with an AMT port as the client's port only (not AMT sessions); with extended ports also
   * TCP 5900 sessions that did not turn out to be the AMT KVM server.
   */
  otherSessions: number;
  /** AMT sessions that have ended, their payload bytes (sequence span) and the part never seen. */
  amtEnded: number;
  amtPayloadBytes: number;
  amtMissedBytes: number;
  /** Exceptions caught in the per-frame path (each also counted as internal.decoder_bug). */
  internalErrors: number;
  lastInternalError: string | null;
  firstTs: Micros;
  lastTs: Micros;
}

export class Pipeline {
  readonly anomalies = new AnomalyCounters();
  readonly table: SessionTable;
  readonly counters: PipelineCounters = {
    frames: 0,
    bytes: 0,
    amtFrames: 0,
    notices: 0,
    amtSessions: 0,
    unauthorizedSessions: 0,
    otherSessions: 0,
    amtEnded: 0,
    amtPayloadBytes: 0,
    amtMissedBytes: 0,
    internalErrors: 0,
    lastInternalError: null,
    firstTs: -1,
    lastTs: -1,
  };
  private readonly pkt = new DecodedPacket();
  /** 1 for every port whose packets reach the session table. */
  private readonly watched: Uint8Array;
  /** The same table, for the reader's prefilter (io/prefilter.ts FastPathSink); not to be written. */
  get watchedPorts(): Uint8Array {
    return this.watched;
  }
  private policy: PolicyConfig;
  readonly correlator: Correlator;
  private readonly limits: Limits;
  private readonly analyzerFor: (respPort: number, extendedPorts: boolean) => AnalyzerFactory | null;
  private readonly extract: boolean;
  private readonly extended: boolean;
  /** UDP 623 (extended ports only). */
  private readonly rmcp: RmcpAnalyzer | null;
  private readonly uidSeed: string;
  private rmcpCounter = 0;

  constructor(opts: PipelineOptions, private readonly sink: RecordSink) {
    this.policy = opts.policy;
    this.limits = opts.limits;
    this.correlator = new Correlator(opts.policy);
    this.analyzerFor = opts.analyzerFor ?? (() => null);
    this.extract = opts.extract ?? false;
    this.extended = opts.extendedPorts ?? false;
    this.uidSeed = opts.uidSeed;
    this.watched = watchedTcpPorts(this.extended);
    this.rmcp = this.extended
      ? createRmcpAnalyzer({
          limits: opts.limits,
          emit: (r) => this.analyzerRecord(r, r.vlan),
          anomaly: (id) => this.anomalies.bump(id),
          newUid: (key, ts) => makeUid(this.uidSeed, key, ts, ++this.rmcpCounter),
        })
      : null;
    this.table = new SessionTable({
      limits: opts.limits,
      anomalies: this.anomalies,
      uidSeed: opts.uidSeed,
      extendedPorts: this.extended,
      events: { open: (s) => this.opened(s), end: (s) => this.ended(s) },
    });
  }

  /** Replaces the policy (live SIGHUP). Sessions already open keep the verdict they started with. */
  setPolicy(p: PolicyConfig): void {
    this.policy = p;
    this.correlator.setPolicy(p);
  }

  /**
   * The next frame starts a new input file. When that frame is older than the end of the previous
   * file (the latest frame time in it), the file is not a continuation (copies, unrelated
   * captures, files given out of order): open sessions are ended before it and the session
   * clock restarts at its time, so timeouts keep working inside it.
   */
  beginFile(): void {
    this.fileStart = true;
    if (this.fileEnd >= 0) this.prevFileEnd = this.fileEnd;
    this.fileEnd = -1;
  }
  private fileStart = false;
  /** Latest frame time of the current file, and of the last earlier file that had frames (-1: none). */
  private fileEnd = -1;
  private prevFileEnd = -1;

  /** The first frame of a file, older than the previous file's end: a new stream starts. */
  private timeWentBack(): void {
    if (this.table.size > 0) this.flush('flushed');
    this.table.resetClock();
    this.sweepAt = -1;
  }
  /** Packet time at which the session table next needs a sweep (a cheap inline check per frame). */
  private sweepAt = -1;

  readonly onFrame = (f: Frame): void => {
    const c = this.counters;
    c.frames++;
    c.bytes += f.end - f.off;
    this.clock(f.ts);
    try {
      // Fast path for the bulk of a SPAN feed: a complete, unfragmented Ethernet/IPv4/TCP frame with
      // a 20-byte IP header, whose lengths are consistent and whose ports are not watched. Exactly
      // these frames would decode cleanly and then be dropped by the port check below, so skipping
      // the full decode changes no count; anything else takes the full decode.
      const d = f.data;
      const o = f.off;
      const cap = f.end - o;
      if (f.linkType === 1 && cap >= 54 && d[o + 12] === 0x08 && d[o + 13] === 0x00 && d[o + 14] === 0x45 && d[o + 23] === 6) {
        const total = ((d[o + 16] as number) << 8) | (d[o + 17] as number);
        const frag = (((d[o + 20] as number) & 0x3f) << 8) | (d[o + 21] as number);
        const doff = (d[o + 46] as number) >> 4;
        if (
          frag === 0 &&
          total >= 40 &&
          total <= cap - 14 &&
          doff >= 5 &&
          doff * 4 <= total - 20 &&
          this.watched[((d[o + 34] as number) << 8) | (d[o + 35] as number)] === 0 &&
          this.watched[((d[o + 36] as number) << 8) | (d[o + 37] as number)] === 0
        ) {
          return;
        }
      }
      const pkt = this.pkt;
      const r = decodePacket(d, o, f.end, f.wireLen, f.linkType, pkt, this.extended);
      if (r !== DECODE_TCP) {
        if (r < 0) this.anomalies.bump(-r);
        else if (r === DECODE_UDP && (pkt.srcPort === RMCP_PORT || pkt.dstPort === RMCP_PORT)) this.udp(pkt, f);
        return;
      }
      if (this.watched[pkt.srcPort] === 0 && this.watched[pkt.dstPort] === 0) return;
      c.amtFrames++;
      this.table.handle(pkt, f.data, f.ts);
    } catch (e) {
      c.internalErrors++;
      c.lastInternalError = `frame ${f.index}: ${(e as Error)?.stack ?? String(e)}`;
      this.anomalies.bump(A_INTERNAL_DECODER_BUG);
    }
  };

  /**
   * Frames that the reader's prefilter (io/prefilter.ts) dropped because the fast path in onFrame
   * would have: ts[0..n) their times in file order, capBytes their captured bytes. The same
   * counting and clock as onFrame before that point (the frame and byte totals are added first:
   * nothing a sweep does reads them). test/unit/io/prefilter.test.ts compares whole runs with and
   * without the prefilter.
   */
  skippedRun(ts: Float64Array, n: number, capBytes: number): void {
    const c = this.counters;
    c.frames += n;
    c.bytes += capBytes;
    for (let k = 0; k < n; k++) this.clock(ts[k] as number);
  }

  /**
   * Every frame's time `t`, in file order (onFrame, skippedRun): the first and last packet times,
   * the current file's end, a new stream when a file starts before the previous one ended, and
   * the session table's sweeps.
   */
  private clock(t: Micros): void {
    const c = this.counters;
    if (t > c.lastTs) {
      if (c.firstTs < 0) c.firstTs = t;
      c.lastTs = t;
    }
    if (t > this.fileEnd) this.fileEnd = t;
    if (this.fileStart) {
      this.fileStart = false;
      if (t < this.prevFileEnd) this.timeWentBack();
    }
    if (t >= this.sweepAt) {
      this.table.advance(t);
      this.sweepAt = this.table.nextSweepAt;
    }
  }

  /** A UDP datagram to or from port 623 (extended ports only): the RMCP analyzer. */
  private udp(p: DecodedPacket, f: Frame): void {
    this.counters.amtFrames++;
    if (p.ipFrag !== FRAG_NONE) {
      // RMCP messages are a few dozen bytes; a fragmented one is not analysed (nor reassembled)
      this.anomalies.bump(A_RMCP_FRAGMENT);
      return;
    }
    const v6 = p.ipVersion === 6;
    const src: IpBytes = v6 ? copyBytes(f.data, p.src6Off, p.src6Off + 16) : ipv4FromU32(p.src4);
    const dst: IpBytes = v6 ? copyBytes(f.data, p.dst6Off, p.dst6Off + 16) : ipv4FromU32(p.dst4);
    (this.rmcp as RmcpAnalyzer).datagram(
      { src, srcPort: p.srcPort, dst, dstPort: p.dstPort, vlan: p.vlan < 0 ? null : p.vlan },
      f.data,
      p.payloadOff,
      p.payloadOff + p.payloadCapLen,
      p.payloadLen,
      f.ts,
    );
  }

  /** Moves time forward without a packet (live clock ticks). */
  advanceTime(t: Micros): void {
    this.table.advance(t);
    this.sweepAt = this.table.nextSweepAt;
  }

  /** Ends every open session (end of input, shutdown, time going backwards between files). */
  flush(reason: 'end_of_input' | 'flushed'): void {
    this.table.flushAll(reason);
  }

  private facts(s: Session): AmtSessionFacts {
    return {
      ts: s.startTs,
      uid: s.uid,
      origH: s.origAddr,
      origP: s.origPort,
      respH: s.respAddr,
      respP: s.respPort,
      vlan: s.vlan < 0 ? null : s.vlan,
      service: amtServiceName(s.respPort),
    };
  }

  private opened(s: Session): void {
    if (!s.isAmt) {
      if (this.extended && s.respPort === AMT_KVM_VNC_PORT) this.openCandidate(s);
      else this.counters.otherSessions++;
      return;
    }
    this.counters.amtSessions++;
    const f = this.facts(s);
    const verdict = judgeSession(f, this.policy);
    const data: AppSessionData = { verdict, facts: emptyConnFacts(), candidate: false };
    s.app = data;
    if (!verdict.authorized) this.counters.unauthorizedSessions++;
    for (const n of noticesForSessionStart(f, verdict)) this.notice(n);
    if (this.analyzerFor(s.respPort, this.extended) !== null) s.consumerFactory = this.makeConsumer;
  }

  /** Makes a session's analyzer at its first payload byte (one shared function: no closure per session). */
  private readonly makeConsumer = (s: Session): StreamConsumer => {
    const data = s.app as AppSessionData;
    const factory = this.analyzerFor(s.respPort, this.extended) as AnalyzerFactory;
    if (!data.candidate) return factory(this.host(s, data));
    return factory({ ...this.host(s, data), amtIdentified: (ts) => this.identified(s, data, ts) });
  };

  /** A TCP 5900 session (extended ports): the RFB analyzer decides whether it is the AMT KVM server. */
  private openCandidate(s: Session): void {
    const data: AppSessionData = { verdict: PENDING, facts: emptyConnFacts(), candidate: true };
    s.app = data;
    if (this.analyzerFor(s.respPort, this.extended) !== null) s.consumerFactory = this.makeConsumer;
  }

  /** The candidate `s` showed the AMT KVM desktop name at time `ts`: from now on an AMT session. */
  private identified(s: Session, data: AppSessionData, ts: Micros): void {
    if (s.isAmt) return;
    s.isAmt = true;
    this.counters.amtSessions++;
    const f = { ...this.facts(s), ts };
    const verdict = judgeSession(f, this.policy);
    data.verdict = verdict;
    if (!verdict.authorized) this.counters.unauthorizedSessions++;
    for (const n of noticesForSessionStart(f, verdict)) this.notice(n);
  }

  private notice(n: NoticeRecord): void {
    this.counters.notices++;
    this.sink.notice(n);
  }

  /** What an analyzer of session `s` sees of the world. */
  private host(s: Session, data: AppSessionData): AnalyzerHost {
    const session: SessionRef = {
      uid: s.uid,
      startTs: s.startTs,
      origH: s.origAddr,
      origP: s.origPort,
      respH: s.respAddr,
      respP: s.respPort,
      vlan: s.vlan < 0 ? null : s.vlan,
    };
    return {
      session,
      limits: this.limits,
      options: { extract: this.extract },
      facts: data.facts,
      emit: (r) => this.analyzerRecord(r, session.vlan),
      anomaly: (id) => this.anomalies.bump(id),
    };
  }

  private analyzerRecord(r: AnalyzerRecord, vlan: number | null): void {
    this.sink.analyzer(r);
    if (r.event_type === 'rmcp') {
      for (const n of this.correlator.onRmcp(r)) this.notice(n);
    } else if (r.event_type === 'http') {
      for (const d of detectHttp(r)) this.notice(toNotice(r, vlan, d));
      for (const n of this.correlator.onHttp(r, vlan)) this.notice(n);
    } else if (r.event_type === 'amt_redir') {
      for (const d of detectRedir(r)) this.notice(toNotice(r, vlan, d));
      for (const n of this.correlator.onRedir(r, vlan)) this.notice(n);
      if (r.amt_version !== null) {
        // major.minor only: advisory matching needs a full build number, so this is informative
      }
    }
  }

  private ended(s: Session): void {
    if (!s.isAmt) {
      if ((s.app as AppSessionData | undefined)?.candidate === true) this.counters.otherSessions++;
      return;
    }
    const data = s.app as AppSessionData | undefined;
    const verdict = data?.verdict ?? judgeSession(this.facts(s), this.policy);
    const conn = this.connRecord(s, verdict, data?.facts ?? emptyConnFacts(), false);
    const c = this.counters;
    c.amtEnded++;
    c.amtPayloadBytes += (conn.orig_bytes ?? 0) + (conn.resp_bytes ?? 0);
    c.amtMissedBytes += conn.missed_bytes;
    this.sink.conn(conn);
    for (const n of this.correlator.onConn(conn)) this.notice(n);
  }

  /** Interim conn records for AMT sessions open longer than `minAgeUs` (live mode). */
  interimRecords(now: Micros, minAgeUs: Micros): ConnRecord[] {
    const out: ConnRecord[] = [];
    for (const s of this.table.sessions()) {
      if (!s.isAmt || now - s.startTs < minAgeUs) continue;
      const data = s.app as AppSessionData | undefined;
      if (data === undefined) continue;
      out.push(this.connRecord(s, data.verdict, data.facts, true));
    }
    return out;
  }

  /** AMT sessions open now. */
  openAmtSessions(): number {
    let n = 0;
    for (const s of this.table.sessions()) if (s.isAmt) n++;
    return n;
  }

  /** The stats record as it stands (periodic in live mode, final at the end of any run). */
  statsRecord(x: {
    final: boolean;
    ts: Micros;
    files: number;
    fileDetails: FileSummary[];
    inputErrors: InputErrorEntry[];
    inputErrorsTotal: number;
    capture: CaptureInterfaceStats[] | null;
    memRssBytes: number;
    elapsedUs: Micros;
  }): StatsRecord {
    const c = this.counters;
    return {
      event_type: 'stats',
      ts: x.ts,
      final: x.final,
      files: x.files,
      file_details: x.fileDetails,
      frames: c.frames,
      bytes: c.bytes,
      amt_frames: c.amtFrames,
      amt_sessions: c.amtSessions,
      amt_sessions_unauthorized: c.unauthorizedSessions,
      other_sessions: c.otherSessions,
      notices: c.notices,
      sessions_evicted: this.table.stats.evicted,
      missed_bytes: c.amtMissedBytes,
      sessions_open: this.openAmtSessions(),
      sessions_closed: c.amtEnded,
      capture: x.capture,
      capture_loss_pct: c.amtPayloadBytes > 0 ? (100 * c.amtMissedBytes) / c.amtPayloadBytes : 0,
      mem_rss_bytes: x.memRssBytes,
      anomalies: this.anomalies.toObject(),
      input_errors: x.inputErrors,
      input_errors_total: x.inputErrorsTotal,
      elapsed_s: x.elapsedUs,
    };
  }

  connRecord(s: Session, verdict: SessionVerdict, facts: AmtConnFacts, interim: boolean): ConnRecord {
    const o = s.orig;
    const r = s.resp;
    return {
      event_type: 'conn',
      ts: s.startTs,
      uid: s.uid,
      'id.orig_h': s.origAddr,
      'id.orig_p': s.origPort,
      'id.resp_h': s.respAddr,
      'id.resp_p': s.respPort,
      proto: 'tcp',
      service: amtServiceName(s.respPort),
      // Zeek sets these three only when the session lasted some time (conn/main.zeek set_conn)
      duration: s.durationUs > 0 ? s.durationUs : null,
      orig_bytes: s.durationUs > 0 ? o.size() : null,
      resp_bytes: s.durationUs > 0 ? r.size() : null,
      conn_state: this.table.connState(s),
      missed_bytes: o.missed + r.missed,
      history: s.history.toString(),
      orig_pkts: o.pkts,
      orig_ip_bytes: o.ipBytes,
      resp_pkts: r.pkts,
      resp_ip_bytes: r.ipBytes,
      vlan: s.vlan < 0 ? null : s.vlan,
      inner_vlan: s.innerVlan < 0 ? null : s.innerVlan,
      amt_firmware: facts.firmware,
      amt_user: facts.user,
      amt_auth: facts.auth,
      amt_redirection: facts.redirection,
      tls_version: facts.tlsVersion,
      tls_sni: facts.tlsSni,
      authorized: verdict.authorized,
      reasons: [...verdict.reasons],
      interim,
    };
  }
}
