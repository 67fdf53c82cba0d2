/**
 * Bounded in-order delivery of one direction's payload to an analyzer (core/flow.ts StreamConsumer).
 *
 * Positions are the endpoint's relative sequence positions (session/endpoint.ts): payload starts at 1.
 * - in order: delivered at once, as a view of the packet (no copy);
 * - retransmitted or overlapping: only the new part is delivered (bytes already delivered win;
 *   but in-order data covering a held out-of-order copy wins over that copy, unlike Zeek's
 *   first-wins, and an overlap with different bytes is not flagged: known limits);
 * - ahead of a hole: copied and held, bounded by limits.maxOooBytesPerDir / maxOooSegmentsPerDir;
 *   over the bound, the hole is given up as a gap and delivery resumes;
 * - bytes the peer acknowledged but we never saw, holes left at the end, and the part of a packet the
 *   capture snapped off, are reported as gap(len);
 * - past limits.maxStreamBytesPerDir, delivery stops (the session's history gets x/X).
 * Nothing is allocated for in-order traffic.
 */
import { copyBytes } from '../core/bytes.js';
import type { Direction, StreamConsumer } from '../core/flow.js';
import type { Micros } from '../core/time.js';

interface Held {
  start: number;
  bytes: Uint8Array;
}

export const STREAM_OK = 0;
export const STREAM_OOO_LIMIT = 1;
export const STREAM_BYTE_LIMIT = 2;

export class StreamReassembler {
  /** Next position expected (everything below was delivered or reported as a gap). */
  next = 1;
  delivered = 0;
  gapBytes = 0;
  stopped = false;
  /** Position of this direction's FIN (it takes a sequence number but carries no payload), or -1. */
  finPos = -1;
  private held: Held[] = [];
  private heldBytes = 0;

  constructor(
    private readonly dir: Direction,
    private readonly maxBytes: number,
    private readonly maxOooBytes: number,
    private readonly maxOooSegments: number,
  ) {}

  /** Re-bases the stream when the endpoint's sequence space was re-anchored (a new SYN). */
  reset(next: number): void {
    this.next = next;
    this.finPos = -1;
    this.held.length = 0;
    this.heldBytes = 0;
  }

  /**
   * A segment whose payload occupies positions [start, start + wireLen); `capLen` of those bytes
   * were captured, at buf[off..off+capLen). Returns a STREAM_* code for the caller to count.
   */
  segment(start: number, buf: Uint8Array, off: number, capLen: number, wireLen: number, ts: Micros, c: StreamConsumer): number {
    if (this.stopped || wireLen <= 0) return STREAM_OK;
    const end = start + wireLen;
    if (end <= this.next) return STREAM_OK; // all old
    if (start > this.next) return this.hold(start, buf, off, capLen, wireLen, ts, c);
    // overlaps the edge: deliver the new part
    const skip = this.next - start;
    let code = this.deliver(buf, off + Math.min(skip, capLen), Math.max(0, capLen - skip), wireLen - skip, ts, c);
    if (code === STREAM_OK) code = this.drainHeld(ts, c);
    return code;
  }

  /** The peer acknowledged up to `pos`: anything below it not seen is a gap (the FIN is not payload). */
  acked(pos: number, ts: Micros, c: StreamConsumer): number {
    if (this.finPos >= 0 && pos > this.finPos) pos = this.finPos;
    if (this.stopped || pos <= this.next) return STREAM_OK;
    // deliver held data below pos, with gaps for the holes
    while (this.held.length > 0 && (this.held[0] as Held).start < pos) {
      const h = this.held.shift() as Held;
      this.heldBytes -= h.bytes.length;
      if (h.start > this.next) this.gap(h.start - this.next, ts, c);
      const code = this.deliverHeld(h, ts, c);
      if (code !== STREAM_OK) return code;
    }
    if (pos > this.next) this.gap(pos - this.next, ts, c);
    return this.drainHeld(ts, c);
  }

  /** End of the session: held data is delivered with gaps for the holes before it. */
  finish(ts: Micros, c: StreamConsumer): void {
    while (!this.stopped && this.held.length > 0) {
      const h = this.held.shift() as Held;
      this.heldBytes -= h.bytes.length;
      if (h.start > this.next) this.gap(h.start - this.next, ts, c);
      this.deliverHeld(h, ts, c);
    }
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private hold(start: number, buf: Uint8Array, off: number, capLen: number, wireLen: number, ts: Micros, c: StreamConsumer): number {
    if (capLen < wireLen) {
      // a snapped segment ahead of a hole: keep what was captured; the rest becomes a gap later
      wireLen = capLen;
    }
    if (this.held.length >= this.maxOooSegments || this.heldBytes + capLen > this.maxOooBytes) {
      // no room: give up the oldest hole, deliver what is held, then this segment
      this.finishHeldUpTo(ts, c);
      if (this.stopped) return STREAM_BYTE_LIMIT;
      if (start > this.next) this.gap(start - this.next, ts, c);
      // what was held may already cover this segment: only its new part goes on (the held copy,
      // seen first, wins, as everywhere else; delivering it whole re-sent old positions with the
      // attacker's bytes and pushed the edge past real data, which was then dropped as old)
      if (start + capLen <= this.next) return STREAM_OOO_LIMIT;
      const skip = Math.max(0, this.next - start);
      const code = this.deliver(buf, off + skip, capLen - skip, capLen - skip, ts, c);
      return code === STREAM_OK ? STREAM_OOO_LIMIT : code;
    }
    // insert sorted by start; overlapping copies are trimmed at delivery time
    const copy = copyBytes(buf, off, off + capLen);
    let i = this.held.length;
    while (i > 0 && (this.held[i - 1] as Held).start > start) i--;
    this.held.splice(i, 0, { start, bytes: copy });
    this.heldBytes += copy.length;
    return STREAM_OK;
  }

  private finishHeldUpTo(ts: Micros, c: StreamConsumer): void {
    while (this.held.length > 0 && !this.stopped) {
      const h = this.held.shift() as Held;
      this.heldBytes -= h.bytes.length;
      if (h.start > this.next) this.gap(h.start - this.next, ts, c);
      this.deliverHeld(h, ts, c);
    }
  }

  private drainHeld(ts: Micros, c: StreamConsumer): number {
    while (this.held.length > 0 && (this.held[0] as Held).start <= this.next) {
      const h = this.held.shift() as Held;
      this.heldBytes -= h.bytes.length;
      const code = this.deliverHeld(h, ts, c);
      if (code !== STREAM_OK) return code;
    }
    return STREAM_OK;
  }

  private deliverHeld(h: Held, ts: Micros, c: StreamConsumer): number {
    const end = h.start + h.bytes.length;
    if (end <= this.next) return STREAM_OK;
    const skip = Math.max(0, this.next - h.start);
    return this.deliver(h.bytes, skip, h.bytes.length - skip, h.bytes.length - skip, ts, c);
  }

  /** Delivers `capLen` captured bytes of a `wireLen`-byte run at the edge; the uncaptured rest is a gap. */
  private deliver(buf: Uint8Array, off: number, capLen: number, wireLen: number, ts: Micros, c: StreamConsumer): number {
    if (this.stopped) return STREAM_BYTE_LIMIT;
    let n = capLen;
    const room = this.maxBytes - this.delivered;
    let limited = false;
    if (n > room) {
      n = room;
      limited = true;
    }
    if (n > 0) {
      c.data(this.dir, buf, off, off + n, ts);
      this.delivered += n;
      this.next += n;
    }
    if (limited) {
      this.stopped = true;
      return STREAM_BYTE_LIMIT;
    }
    if (wireLen > capLen) this.gap(wireLen - capLen, ts, c);
    return STREAM_OK;
  }

  private gap(len: number, ts: Micros, c: StreamConsumer): void {
    if (len <= 0) return;
    this.gapBytes += len;
    this.next += len;
    c.gap(this.dir, len, ts);
  }
}
