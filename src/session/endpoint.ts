/**
 * One direction of a TCP session: state, counters, and sequence-space accounting.
 *
 * Sequence numbers are mapped to 64-bit-safe relative positions (a JS number): the initial
 * sequence number (or, without a SYN, the first sequence number minus one, as Zeek does) is
 * position 0, so the first payload byte is position 1. Each new 32-bit value is placed next to the
 * last known position by its signed 32-bit distance, which survives wrap-around.
 *
 * Bytes never seen ("missed") are judged from the sequence space, as Zeek's reassembler does:
 * `next` is the contiguous edge (everything below was seen or declared missed); segments above it
 * are kept as a bounded list of ranges; when the peer acknowledges beyond the edge, or the session
 * ends with data seen beyond a hole, the uncovered bytes are missed.
 */
import { INACTIVE, type TcpState } from './tcp-state.js';

/** The empty range list every endpoint shares until it has a hole (never mutated). */
const NO_RANGES: number[] = [];

/** Reused result of Endpoint.segment (no allocation per packet). */
const SEG = { rxmit: false, forced: 0 };

export class Endpoint {
  state: TcpState = INACTIVE;
  prevState: TcpState = INACTIVE;
  pkts = 0;
  ipBytes = 0;
  /** Payload bytes carried by this endpoint's packets (retransmissions included). */
  payloadBytes = 0;
  didClose = false;
  finCount = 0;

  /** Whether the sequence space has been anchored. */
  started = false;
  private anchorU32 = 0;
  private anchorPos = 0;
  /** Highest position + 1 covered by a segment (payload, SYN or FIN). */
  maxPos = 0;
  /** Highest position acknowledged by the peer (0 until an ACK is seen). */
  ackedPos = 0;
  /** Contiguous edge: every position below it was seen or declared missed. */
  next = 0;
  /** Seen ranges above `next`, sorted, disjoint: [start0, end0, start1, end1, ...]. */
  private ranges: number[] = NO_RANGES; // shared empty list until a hole appears
  missed = 0;
  /** Log-scale counters for history letters t, g, w and their next thresholds. */
  rxmit = 0;
  rxmitThresh = 1;
  gaps = 0;
  gapThresh = 1;
  zeroWin = 0;
  zeroWinThresh = 1;
  /** Last sequence positions of SYN, FIN and RST letters (Zeek adds the letter again only for a new one). */
  lastSynPos = -1;
  lastFinPos = -1;
  lastRstPos = -1;

  setState(s: TcpState): void {
    this.prevState = this.state;
    this.state = s;
  }

  /**
   * Anchors position 0 at `isn`: the SYN's sequence number, or (virtual) one before the first
   * sequence number seen when the SYN was not, as Zeek does for partial connections. A virtual
   * SYN counts as seen, so it never shows up as a missed byte.
   */
  anchor(isn: number, virtual: boolean): void {
    this.started = true;
    this.anchorU32 = isn >>> 0;
    this.anchorPos = 0;
    this.maxPos = virtual ? 1 : 0;
    this.next = virtual ? 1 : 0;
    this.ackedPos = 0;
    this.ranges = NO_RANGES;
  }

  /** Relative position of a 32-bit sequence number (may be negative: before the anchor). */
  pos(seq: number): number {
    const delta = ((seq >>> 0) - this.anchorU32) | 0; // signed 32-bit distance
    return this.anchorPos + delta;
  }

  /** Moves the anchor forward so distances stay within +-2^31 on long sessions. */
  private reanchor(seq: number, pos: number): void {
    if (pos > this.anchorPos) {
      this.anchorU32 = seq >>> 0;
      this.anchorPos = pos;
    }
  }

  /**
   * Records a segment [start, end) in position space. Returns true when it is a retransmission
   * (Zeek: the segment does not advance the highest sequence seen and carries data).
   */
  segment(seq: number, start: number, end: number, hasData: boolean, maxRanges: number): { rxmit: boolean; forced: number } {
    SEG.rxmit = false;
    SEG.forced = 0;
    if (end <= start) return SEG;
    SEG.rxmit = hasData && end <= this.maxPos;
    if (end > this.maxPos) {
      this.maxPos = end;
      this.reanchor(seq, start);
    }
    SEG.forced = this.cover(start, end, maxRanges);
    return SEG;
  }

  /** Marks [start, end) as seen. Returns how many holes had to be declared missed for lack of room. */
  cover(start: number, end: number, maxRanges: number): number {
    if (end <= this.next) return 0;
    if (start <= this.next) {
      this.next = end;
      this.absorb();
      return 0;
    }
    // insert [start, end) into the sorted range list, merging overlaps
    if (this.ranges === NO_RANGES) this.ranges = [];
    const r = this.ranges;
    let i = 0;
    while (i < r.length && (r[i + 1] as number) < start) i += 2;
    let s = start;
    let e = end;
    let j = i;
    while (j < r.length && (r[j] as number) <= e) {
      s = Math.min(s, r[j] as number);
      e = Math.max(e, r[j + 1] as number);
      j += 2;
    }
    r.splice(i, j - i, s, e);
    let forced = 0;
    while (r.length > maxRanges * 2) {
      // no room: the lowest hole is declared missed
      this.missed += (r[0] as number) - this.next;
      this.next = r[1] as number;
      r.splice(0, 2);
      forced++;
    }
    this.absorb();
    return forced;
  }

  private absorb(): void {
    const r = this.ranges;
    while (r.length && (r[0] as number) <= this.next) {
      if ((r[1] as number) > this.next) this.next = r[1] as number;
      r.splice(0, 2);
    }
  }

  /**
   * The peer acknowledged everything below `pos`. Returns the bytes below it never seen (0 when
   * none); the table adds them to `missed` when Zeek would report the gap (session/table.ts).
   */
  acked(pos: number): number {
    if (pos > this.ackedPos) this.ackedPos = pos;
    if (pos <= this.next) return 0;
    let missing = 0;
    const r = this.ranges;
    let cur = this.next;
    while (r.length && (r[0] as number) < pos) {
      const s = r[0] as number;
      const e = r[1] as number;
      if (s > cur) missing += s - cur;
      cur = Math.max(cur, e);
      if (e <= pos) r.splice(0, 2);
      else break;
    }
    if (pos > cur) missing += pos - cur;
    this.next = Math.max(pos, cur);
    this.absorb();
    return missing;
  }

  /** At the end of a session: the holes below data that was seen (added to `missed` by the table, as for acked()). */
  finish(): number {
    let missing = 0;
    const r = this.ranges;
    while (r.length) {
      missing += (r[0] as number) - this.next;
      this.next = r[1] as number;
      r.splice(0, 2);
    }
    return missing;
  }

  /**
   * Payload size the way Zeek's conn.log reports it: the sequence span (highest of sequence seen
   * and sequence acknowledged), less the SYN and FIN octets.
   */
  size(): number {
    if (!this.started) return 0;
    const top = Math.max(this.maxPos, this.ackedPos);
    // position 0 is the SYN (or the virtual SYN of a partial connection)
    let size = top - 1;
    if (this.finCount > 0 && size > 0) size -= 1;
    return size < 0 ? 0 : size;
  }
}
