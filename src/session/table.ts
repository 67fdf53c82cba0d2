/**
 * The TCP session table: keyed by the canonical 4-tuple (+ VLAN ids), bounded by limits.maxSessions,
 * expired on packet time (so offline results are deterministic), with Zeek's TCP endpoint state
 * machine, history letters and missed-byte accounting.
 *
 * Roles: the originator is the sender of the first SYN (a first SYN-ACK makes its receiver the
 * originator, history '^'). Without a SYN the side with the AMT port is the server, except when the
 * other side's port is a well-known one (< 1024): a workstation whose ephemeral port happens to be
 * 16993 talking to a web server on port 80 is not an AMT session. With extended ports on
 * (options.extendedPorts), TCP 623, 664 and 5900 count as server ports in that rule too; 623 and 664
 * make a session an AMT session like 16992-16995 do, 5900 does not (app/ decides it later).
 *
 * Only packets with a watched port reach handle(); nothing here allocates for any other packet.
 */
import {
  A_SESSION_HISTORY_LIMIT,
  A_SESSION_SEQ_JUMP,
  A_SESSION_SEQ_RANGES_LIMIT,
  A_SESSION_SYN_INSIDE_CONNECTION,
  A_SESSION_TABLE_FULL,
  type AnomalyCounters,
  registerAnomaly,
} from '../core/anomaly.js';
import { copyBytes } from '../core/bytes.js';
import { isAmtServerPort, isServerPort } from '../core/flow.js';
import type { Limits } from '../core/limits.js';
import type { Micros } from '../core/time.js';
import type { DecodedPacket } from '../decode/packet.js';
import { deriveConnState } from './conn-state.js';
import type { Endpoint } from './endpoint.js';
import { H_ACK, H_DATA, H_FIN, H_FIN_RST, H_MULTI, H_RST, H_SYN } from './history.js';
import { type EndReason, Session } from './session.js';
import { STREAM_BYTE_LIMIT, STREAM_OK, STREAM_OOO_LIMIT, StreamReassembler } from './stream.js';
import {
  CLOSED,
  ESTABLISHED,
  INACTIVE,
  PARTIAL,
  RESET,
  SYN_ACK_SENT,
  SYN_SENT,
} from './tcp-state.js';
import { makeUid } from './uid.js';

const A_STREAM_OOO_LIMIT = registerAnomaly('session.stream.ooo_limit');
const A_STREAM_BYTE_LIMIT = registerAnomaly('session.stream.byte_limit');
const A_SYN_WITH_DATA = registerAnomaly('session.tcp.syn_with_data');

// TCP flag bits (wire values; decode/ owns the same constants, session may import only its types)
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

export interface SessionEvents {
  /** A session was created (its first packet has been processed). */
  open(s: Session): void;
  /** A session ended; it is removed from the table right after this call. */
  end(s: Session): void;
}

export interface SessionTableStats {
  created: number;
  amtCreated: number;
  otherCreated: number;
  evicted: number;
  ended: number;
  missedBytes: number;
}

export interface SessionTableOptions {
  limits: Limits;
  anomalies: AnomalyCounters;
  events: SessionEvents;
  /** Seed for deterministic uids. */
  uidSeed?: string;
  /** --extended-ports: TCP 623/664/5900 are server ports (623/664 AMT sessions from the start). */
  extendedPorts?: boolean;
}

export class SessionTable {
  /** Lookup by key; order of last activity is kept by the intrusive list head..tail (O(1) touch/evict). */
  private readonly map = new Map<string, Session>();
  private head: Session | null = null; // least recently active
  private tail: Session | null = null; // most recently active
  private readonly limits: Limits;
  private readonly anomalies: AnomalyCounters;
  private readonly events: SessionEvents;
  private readonly uidSeed: string;
  private readonly extended: boolean;
  private counter = 0;
  private now: Micros = 0;
  private nextSweep: Micros = 0;

  /** Packet time of the next sweep: advance() before it only moves the clock. */
  get nextSweepAt(): Micros {
    return this.nextSweep;
  }
  readonly stats: SessionTableStats = { created: 0, amtCreated: 0, otherCreated: 0, evicted: 0, ended: 0, missedBytes: 0 };

  constructor(opts: SessionTableOptions) {
    this.limits = opts.limits;
    this.anomalies = opts.anomalies;
    this.events = opts.events;
    this.uidSeed = opts.uidSeed ?? 'amtwatch';
    this.extended = opts.extendedPorts ?? false;
  }

  get size(): number {
    return this.map.size;
  }

  /** Latest packet (or clock) time seen. */
  get currentTime(): Micros {
    return this.now;
  }

  /** Open sessions, least recently active first. */
  *sessions(): IterableIterator<Session> {
    for (let s = this.head; s !== null; ) {
      const next = s.lruNext;
      yield s;
      s = next;
    }
  }

  private unlink(s: Session): void {
    if (s.lruPrev !== null) s.lruPrev.lruNext = s.lruNext;
    else this.head = s.lruNext;
    if (s.lruNext !== null) s.lruNext.lruPrev = s.lruPrev;
    else this.tail = s.lruPrev;
    s.lruPrev = s.lruNext = null;
  }

  private append(s: Session): void {
    s.lruPrev = this.tail;
    s.lruNext = null;
    if (this.tail !== null) this.tail.lruNext = s;
    else this.head = s;
    this.tail = s;
  }

  /**
   * Advances time (packet time offline; the clock live) and ends sessions whose timeout passed.
   * Cheap when nothing is due: one comparison.
   */
  advance(t: Micros): void {
    if (t > this.now) this.now = t;
    if (this.now < this.nextSweep) return;
    this.nextSweep = this.now + this.limits.sessionSweepIntervalUs;
    this.sweep();
  }

  /**
   * Forgets the clock (call with the table empty): the next advance() starts it again at that
   * packet's time. For a new input that is older than the one before it (app/pipeline.ts).
   */
  resetClock(): void {
    this.now = 0;
    this.nextSweep = 0;
  }

  private sweep(): void {
    const now = this.now;
    const minTimeout = Math.min(
      this.limits.sessionCloseLingerUs,
      this.limits.sessionAttemptTimeoutUs,
      this.limits.sessionIdleTimeoutUs,
    );
    for (let s = this.head; s !== null; ) {
      const next = s.lruNext;
      const idle = now - s.lastTs;
      // the list is in order of last activity: nothing after this one can be due
      if (idle < minTimeout) break;
      if (idle >= this.timeoutFor(s)) this.endSession(s, s.closeComplete ? 'closed' : 'timeout');
      s = next;
    }
  }

  private timeoutFor(s: Session): Micros {
    if (s.closeComplete) return this.limits.sessionCloseLingerUs;
    const os = s.orig.state;
    if ((os === SYN_SENT || os === SYN_ACK_SENT) && s.resp.state === INACTIVE) return this.limits.sessionAttemptTimeoutUs;
    return this.limits.sessionIdleTimeoutUs;
  }

  /** Ends every open session (end of input, shutdown, or time going backwards between files). */
  flushAll(reason: EndReason): void {
    while (this.head !== null) this.endSession(this.head, reason);
  }

  private endSession(s: Session, reason: EndReason): void {
    s.endReason = reason;
    const c = s.consumer;
    if (c !== null) {
      s.origStream?.finish(s.lastTs, c);
      s.respStream?.finish(s.lastTs, c);
      c.end(s.lastTs);
    }
    const holesO = s.orig.finish();
    const holesR = s.resp.finish();
    if (isClean(s.orig) && isClean(s.resp)) {
      s.orig.missed += holesO;
      s.resp.missed += holesR;
      this.stats.missedBytes += holesO + holesR;
    }
    this.stats.ended++;
    if (reason === 'evicted') this.stats.evicted++;
    this.map.delete(s.key);
    this.unlink(s);
    this.events.end(s);
  }

  /** Zeek's conn_state for a session as it stands now. */
  connState(s: Session): string {
    return deriveConnState(s.orig.state, s.resp.state, s.orig.size(), s.resp.size(), s.history.toString());
  }

  /**
   * Processes one decoded TCP packet with at least one watched port. `buf` is the packet's buffer
   * (for IPv6 addresses); nothing keeps a reference to it.
   */
  handle(p: DecodedPacket, buf: Uint8Array, ts: Micros): void {
    this.advance(ts);
    const key = makeKey(p, buf);
    let s = this.map.get(key);
    if (s !== undefined) {
      if ((p.flags & SYN) !== 0 && this.isReuse(s, p, buf)) {
        this.endSession(s, 'reused');
        s = undefined;
      } else {
        // keep the list in order of last activity (LRU eviction, early-exit sweeps)
        if (this.tail !== s) {
          this.unlink(s);
          this.append(s);
        }
      }
    }
    if (s === undefined) {
      s = this.create(key, p, buf, ts);
      this.events.open(s);
    }
    this.process(s, this.fromOrig(s, p, buf), p, buf, ts);
  }

  /**
   * Zeek's IsReuse: a SYN that starts a new connection on the 4-tuple of `s` (whose old one then
   * ends as 'reused'). A SYN-ACK counts only while its receiver has sent nothing (a half-open
   * session). Once either side has closed (FIN or RST), any SYN starts a new connection; before
   * that, a SYN whose sequence number is not the sender's known start (a new ISN: the port was
   * reused, or the SYN jumped) does. A retransmitted SYN does not, nor does the SYN of a SYN/SYN-ACK
   * pair seen in reverse order (its sequence number is the one the SYN-ACK acknowledged).
   */
  private isReuse(s: Session, p: DecodedPacket, buf: Uint8Array): boolean {
    const fromOrig = this.fromOrig(s, p, buf);
    const ep = fromOrig ? s.orig : s.resp;
    const other = fromOrig ? s.resp : s.orig;
    if ((p.flags & ACK) !== 0 && other.state !== INACTIVE) return false;
    if (s.orig.didClose || s.resp.didClose) return true;
    return !ep.started || ep.pos(p.seq) !== 0;
  }

  private fromOrig(s: Session, p: DecodedPacket, buf: Uint8Array): boolean {
    if (p.srcPort !== s.origPort) return false;
    if (p.dstPort !== s.respPort || s.origPort !== s.respPort) return true;
    if (!s.isV6) return p.src4 === s.origV4;
    const a = s.origAddr;
    for (let i = 0; i < 16; i++) if (buf[p.src6Off + i] !== a[i]) return false;
    return true;
  }

  private create(key: string, p: DecodedPacket, buf: Uint8Array, ts: Micros): Session {
    if (this.map.size >= this.limits.maxSessions) {
      const oldest = this.head;
      if (oldest !== null) {
        this.anomalies.bump(A_SESSION_TABLE_FULL);
        this.endSession(oldest, 'evicted');
      }
    }
    // who is the originator?
    const f = p.flags;
    let senderIsOrig: boolean;
    if ((f & (SYN | ACK)) === SYN) senderIsOrig = true;
    else if ((f & (SYN | ACK)) === (SYN | ACK)) senderIsOrig = false;
    else {
      const srcAmt = isServerPort(p.srcPort, this.extended);
      const dstAmt = isServerPort(p.dstPort, this.extended);
      if (dstAmt && !srcAmt) senderIsOrig = p.srcPort >= 1024;
      else if (srcAmt && !dstAmt) senderIsOrig = p.dstPort < 1024;
      else senderIsOrig = true;
    }
    const v6 = p.ipVersion === 6;
    const src6 = v6 ? copy16(buf, p.src6Off) : null;
    const dst6 = v6 ? copy16(buf, p.dst6Off) : null;
    const orig6 = senderIsOrig ? src6 : dst6;
    const resp6 = senderIsOrig ? dst6 : src6;
    const origPort = senderIsOrig ? p.srcPort : p.dstPort;
    const respPort = senderIsOrig ? p.dstPort : p.srcPort;
    const origV4 = v6 ? 0 : senderIsOrig ? p.src4 : p.dst4;
    const respV4 = v6 ? 0 : senderIsOrig ? p.dst4 : p.src4;
    const isAmt = isAmtServerPort(respPort, this.extended);
    const uid = makeUid(this.uidSeed, key, ts, ++this.counter);
    const s = new Session(
      key,
      uid,
      v6,
      orig6,
      resp6,
      origV4,
      respV4,
      origPort,
      respPort,
      p.vlan,
      p.innerVlan,
      isAmt,
      ts,
      this.limits.maxHistoryLen,
    );
    if (!senderIsOrig) s.history.add('^', true);
    this.map.set(key, s);
    this.append(s);
    this.stats.created++;
    if (isAmt) this.stats.amtCreated++;
    else this.stats.otherCreated++;
    return s;
  }

  /** Zeek's TCPSessionAdapter::Process, reduced to what conn records need. */
  private process(s: Session, isOrig: boolean, p: DecodedPacket, buf: Uint8Array, ts: Micros): void {
    const ep = isOrig ? s.orig : s.resp;
    const peer = isOrig ? s.resp : s.orig;
    const f = p.flags;
    const syn = (f & SYN) !== 0;
    const fin = (f & FIN) !== 0;
    const rst = (f & RST) !== 0;
    const ack = (f & ACK) !== 0;
    const len = p.payloadLen;
    const h = s.history;
    const historyWasTruncated = h.truncated;

    // sequence space: a SYN and a FIN take one octet each; a RST's data is not part of the stream
    let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    if (rst) segLen -= len;
    let bogusSyn = false;

    if (!ep.started) {
      if (syn) ep.anchor(p.seq, false);
      else ep.anchor((p.seq - 1) >>> 0, true);
    } else if (syn && ep.pos(p.seq) !== 0) {
      // a SYN with a new sequence number inside a known session
      if (ep.state === ESTABLISHED || ep.state === PARTIAL) this.anomalies.bump(A_SESSION_SYN_INSIDE_CONNECTION);
      else this.anomalies.bump(A_SESSION_SEQ_JUMP);
      if (ep.ackedPos >= 1 || ep.maxPos > 1) {
        // the peer already acknowledged this side's SYN (or data flowed): a receiver drops such a
        // SYN (RFC 5961: a challenge ACK) and the stream goes on at the old numbers; re-anchoring on
        // it, as Zeek does, let a forged SYN-ACK hide the rest of the stream (a CVE-2017-5689
        // request with it): its own sequence number is not used
        bogusSyn = true;
      } else if (ep.state !== RESET || ep.prevState === INACTIVE) {
        // still in the handshake: a new initial sequence number (Zeek's SYN_seq_jump): re-anchor
        ep.anchor(p.seq, false);
        (isOrig ? s.origStream : s.respStream)?.reset(1);
      }
    }
    const start = bogusSyn ? -1 : ep.pos(p.seq);

    // ---- history letters
    const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) h.check(H_FIN_RST, 'I', isOrig);
      else h.check(H_MULTI, 'Q', isOrig);
    } else if (bits === 1) {
      if (syn) {
        const code = ack ? 'H' : 'S';
        if (h.check(H_SYN, code, isOrig) && start !== ep.lastSynPos) h.add(code, isOrig);
        ep.lastSynPos = start;
      }
      if (fin) {
        const finPos = start + len;
        if (h.check(H_FIN, 'F', isOrig) && finPos !== ep.lastFinPos) h.add('F', isOrig);
        ep.lastFinPos = finPos;
      }
      if (rst) {
        if (h.check(H_RST, 'R', isOrig) && start !== ep.lastRstPos) h.add('R', isOrig);
        ep.lastRstPos = start;
      }
    } else if (len > 0) h.check(H_DATA, 'D', isOrig);
    else if (ack) h.check(H_ACK, 'A', isOrig);

    // zero window (not on RSTs, not after the peer closed, not once reset)
    if (p.window === 0 && !rst && peer.state !== CLOSED && ep.state !== RESET) {
      ep.zeroWin++;
      ep.zeroWinThresh = h.scaled('W', isOrig, ep.zeroWin, ep.zeroWinThresh);
    }

    // ---- acknowledgements: anchor a silent peer, or judge bytes the peer sent that we never saw
    let ackMissed = 0;
    let ackPos = -1;
    if (ack) {
      if (!peer.started) peer.anchor((p.ack - 1) >>> 0, true);
      else if (!rst) {
        ackPos = peer.pos(p.ack);
        if (ackPos >= 0) ackMissed = peer.acked(ackPos);
      }
    }

    // ---- the segment itself
    if (segLen > 0 && start >= 0) {
      const r = ep.segment(p.seq, start, start + segLen, len > 0 && !rst, this.limits.maxSeqRanges);
      if (r.rxmit && ep.state !== RESET) {
        ep.rxmit++;
        ep.rxmitThresh = h.scaled('T', isOrig, ep.rxmit, ep.rxmitThresh);
      }
      if (r.forced > 0) this.anomalies.bump(A_SESSION_SEQ_RANGES_LIMIT, r.forced);
    }
    if (fin) ep.finCount++;

    // ---- reassembled payload for the analyzer, if one is attached (made at the first payload)
    if (len > 0 && !rst && s.consumerFactory !== null) {
      s.consumer = s.consumerFactory(s);
      s.consumerFactory = null;
    }
    const c = s.consumer;
    if (c !== null) {
      // the acknowledgement first: what it releases in the peer's direction (held data, a gap) was
      // sent before this packet's own payload, so an answer is never analysed before its request
      if (ackPos > 0) {
        const pst = isOrig ? (s.respStream ??= this.newStream(1)) : (s.origStream ??= this.newStream(0));
        this.streamCode(s, !isOrig, pst.acked(ackPos, ts, c));
      }
      if ((len > 0 || fin) && !rst && start >= 0) {
        const st = isOrig ? (s.origStream ??= this.newStream(0)) : (s.respStream ??= this.newStream(1));
        const dataStart = syn ? start + 1 : start;
        if (fin) st.finPos = dataStart + len;
        // data on a SYN is not analysed: a server without TCP Fast Open (AMT firmware, Linux by
        // default) drops it and the client sends it again, so trusting it would let a decoy stand in
        // for what the server really gets (counted: session.tcp.syn_with_data)
        if (len > 0 && syn) this.anomalies.bump(A_SYN_WITH_DATA);
        else if (len > 0) this.streamCode(s, isOrig, st.segment(dataStart, buf, p.payloadOff, p.payloadCapLen, len, ts, c));
      }
    }
    // a content gap in the peer's direction, counted (missed_bytes, history G) only while both sides
    // are cleanly established or closing, as Zeek does: in partial or half-open connections such
    // holes come from packets before the capture started or from sequence mismatches
    if (ackMissed > 0 && isClean(ep) && isClean(peer)) {
      peer.missed += ackMissed;
      peer.gaps++;
      peer.gapThresh = h.scaled('G', !isOrig, peer.gaps, peer.gapThresh);
    }

    ep.pkts++;
    ep.ipBytes += p.ipLen;
    ep.payloadBytes += len;
    if (ts > s.lastTs) s.lastTs = ts; // a packet stamped earlier (merged or multi-queue captures) never moves it back

    // ---- state machine
    let doClose = false;
    switch (ep.state) {
      case INACTIVE:
        doClose = this.inactive(s, ep, peer, isOrig, f, len, start === 0);
        break;
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (fin) {
          ep.setState(CLOSED);
          doClose = true;
        }
        if (rst) {
          ep.setState(RESET);
          doClose = true;
        }
        break;
      case ESTABLISHED:
      case PARTIAL:
        if (syn && !ack && ep.state === PARTIAL && peer.state === INACTIVE) ep.setState(SYN_SENT);
        if (fin && !rst) {
          ep.setState(CLOSED);
          if (peer.state === RESET && peer.prevState === CLOSED) peer.setState(CLOSED);
          doClose = true;
        }
        if (rst) {
          ep.setState(RESET);
          doClose = true;
        }
        break;
      case CLOSED:
        if (rst && peer.state !== CLOSED) {
          ep.setState(RESET);
          doClose = true;
        }
        break;
      default:
        break;
    }
    if (doClose && (ep.state === CLOSED || ep.state === RESET)) ep.didClose = true;
    s.closeComplete =
      s.orig.state === RESET ||
      s.resp.state === RESET ||
      (s.orig.didClose && (s.resp.didClose || s.resp.state === INACTIVE)) ||
      (s.resp.didClose && s.orig.state === INACTIVE);

    if (!historyWasTruncated && h.truncated) this.anomalies.bump(A_SESSION_HISTORY_LIMIT);
  }

  private newStream(dir: 0 | 1): StreamReassembler {
    const l = this.limits;
    return new StreamReassembler(dir, l.maxStreamBytesPerDir, l.maxOooBytesPerDir, l.maxOooSegmentsPerDir);
  }

  private streamCode(s: Session, isOrig: boolean, code: number): void {
    if (code === STREAM_OK) return;
    if (code === STREAM_OOO_LIMIT) this.anomalies.bump(A_STREAM_OOO_LIMIT);
    else if (code === STREAM_BYTE_LIMIT && !s.streamLimitMarked) {
      s.streamLimitMarked = true;
      this.anomalies.bump(A_STREAM_BYTE_LIMIT);
      s.history.add('X', isOrig);
    }
  }

  /** Zeek's UpdateInactiveState. Returns whether the packet closes this endpoint. */
  private inactive(s: Session, ep: Endpoint, peer: Endpoint, isOrig: boolean, f: number, len: number, atStart: boolean): boolean {
    const syn = (f & SYN) !== 0;
    const fin = (f & FIN) !== 0;
    const rst = (f & RST) !== 0;
    const ack = (f & ACK) !== 0;
    let doClose = false;
    if (syn) {
      // the SYN of a SYN/SYN-ACK pair timestamped in reverse (two capture interfaces): the SYN-ACK
      // already acknowledged this sequence number, so both sides are established (Zeek's reversal)
      if (isOrig && !ack && atStart && peer.state === ESTABLISHED && peer.prevState === INACTIVE) ep.setState(ESTABLISHED);
      else if (isOrig) ep.setState(ack ? SYN_ACK_SENT : SYN_SENT);
      else {
        if (peer.state === SYN_SENT) peer.setState(ESTABLISHED);
        ep.setState(ESTABLISHED);
      }
    }
    if (fin) {
      ep.setState(CLOSED);
      doClose = true;
    }
    if (rst) {
      ep.setState(RESET);
      doClose = true;
    }
    if (ep.state === INACTIVE) {
      if (!isOrig && len === 0 && s.orig.state === SYN_SENT) {
        // an ACK of the SYN before the SYN-ACK: not a partial connection
      } else if (ack && peer.state === ESTABLISHED) ep.setState(ESTABLISHED);
      else ep.setState(PARTIAL);
    }
    return doClose;
  }
}

/** Zeek's is_clean (TCP_Reassembler.cc): established, or closed after being established. */
function isClean(e: Endpoint): boolean {
  return e.state === ESTABLISHED || (e.state === CLOSED && e.prevState === ESTABLISHED);
}

function copy16(buf: Uint8Array, off: number): Uint8Array {
  return copyBytes(buf, off, off + 16);
}


/**
 * Canonical key: the lower (address, port) endpoint first, then VLAN ids, packed as 16-bit code
 * units into one short flat string (an IPv4 key is 8 units). A decimal template string was a rope
 * of ~15 pieces kept alive by the Map: about 500 bytes per session.
 */
export function makeKey(p: DecodedPacket, buf: Uint8Array): string {
  const vl = (p.vlan + 1) & 0xffff; // -1 (untagged) -> 0
  const ivl = (p.innerVlan + 1) & 0xffff;
  if (p.ipVersion === 4) {
    const a = p.src4;
    const b = p.dst4;
    const srcFirst = a < b || (a === b && p.srcPort <= p.dstPort);
    const x = srcFirst ? a : b;
    const y = srcFirst ? b : a;
    return String.fromCharCode(
      x >>> 16,
      x & 0xffff,
      srcFirst ? p.srcPort : p.dstPort,
      y >>> 16,
      y & 0xffff,
      srcFirst ? p.dstPort : p.srcPort,
      vl,
      ivl,
    );
  }
  let cmp = 0;
  for (let i = 0; i < 16 && cmp === 0; i++) cmp = (buf[p.src6Off + i] as number) - (buf[p.dst6Off + i] as number);
  const srcFirst = cmp < 0 || (cmp === 0 && p.srcPort <= p.dstPort);
  const x = srcFirst ? p.src6Off : p.dst6Off;
  const y = srcFirst ? p.dst6Off : p.src6Off;
  const u = (o: number) => ((buf[o] as number) << 8) | (buf[o + 1] as number);
  // one call, so the key is one flat string
  return String.fromCharCode(
    u(x), u(x + 2), u(x + 4), u(x + 6), u(x + 8), u(x + 10), u(x + 12), u(x + 14),
    srcFirst ? p.srcPort : p.dstPort,
    u(y), u(y + 2), u(y + 4), u(y + 6), u(y + 8), u(y + 10), u(y + 12), u(y + 14),
    srcFirst ? p.dstPort : p.srcPort,
    vl,
    ivl,
  );
}

