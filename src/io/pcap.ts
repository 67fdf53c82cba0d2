/**
 * Classic pcap (libpcap savefile): microsecond magic a1b2c3d4 and nanosecond magic a1b23c4d, in
 * either byte order; also Alexey Kuznetzov's modified format (magic a1b2cd34, microseconds, written
 * by patched tcpdumps of some old Linux distributions), whose record headers carry 8 more bytes
 * (interface index, protocol, packet type, padding) that are skipped, as libpcap does. Fed windows of the driver's fixed buffer; consumes whole records only; calls
 * the sink inline with the one reused Frame (data is a view of the driver's buffer).
 *
 * Checks, per record, in this order:
 *  - caplen > limits.maxFrameBytes: pcap.record_too_large, fatal (a length that large means the
 *    framing is lost: nothing after it can be trusted, and libpcap/Wireshark stop there too);
 *  - the file ends inside the header or body: pcap.truncated_record, fatal;
 *  - caplen > the header's snaplen, when the snaplen is sane (1..maxFrameBytes): reported as
 *    pcap.caplen_exceeds_snaplen, non-fatal, and the frame is delivered (some writers understate
 *    the snaplen; the next header check still catches a lying caplen);
 *  - caplen > origlen: pcap.caplen_exceeds_origlen, non-fatal, delivered with wireLen = caplen so
 *    the Frame invariant wireLen >= end - off holds.
 * Frame numbers: every record is a frame (pcap has no skipped records), so index === frames delivered.
 */
import { u16be, u16le, u32be, u32le } from '../core/bytes.js';
import type { Limits } from '../core/limits.js';
import { toMicros } from '../core/time.js';
import type { FrameSink } from './frame.js';
import {
  E_PCAP_BAD_HEADER,
  E_PCAP_CAPLEN_OVER_ORIGLEN,
  E_PCAP_CAPLEN_OVER_SNAPLEN,
  E_PCAP_RECORD_TOO_LARGE,
  E_PCAP_TRUNCATED_RECORD,
  plural,
  type EndCause,
  type FormatParser,
  type ReadContext,
} from './context.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Record header of the Kuznetzov format: the 16 bytes, then ifindex (4), protocol (2), pkt_type (1), pad (1). */
export const PCAP_KUZNETZOV_RECORD_HEADER_BYTES = 24;
/** Only major version 2 exists (minor 4 in practice; older minors are read the same way). */
const PCAP_VERSION_MAJOR = 2;
/** The low 16 bits of the header's link-type field are the link type (libpcap LT_LINKTYPE); bits 16-25 are reserved, 26-31 carry FCS info. */
const LINKTYPE_MASK = 0x0000ffff;

/** Which classic pcap magic (if any) the 4 bytes at `off` hold. */
export function sniffPcap(b: Uint8Array, off: number): { le: boolean; ns: boolean; kuznetzov: boolean } | null {
  const be = u32be(b, off);
  const le = u32le(b, off);
  if (be === PCAP_MAGIC_US) return { le: false, ns: false, kuznetzov: false };
  if (le === PCAP_MAGIC_US) return { le: true, ns: false, kuznetzov: false };
  if (be === PCAP_MAGIC_NS) return { le: false, ns: true, kuznetzov: false };
  if (le === PCAP_MAGIC_NS) return { le: true, ns: true, kuznetzov: false };
  if (be === PCAP_MAGIC_KUZNETZOV) return { le: false, ns: false, kuznetzov: true };
  if (le === PCAP_MAGIC_KUZNETZOV) return { le: true, ns: false, kuznetzov: true };
  return null;
}

export class PcapParser implements FormatParser {
  readonly format: 'pcap' | 'pcap-ns';
  skip = 0;
  stopped = false;
  headerDone = false;
  stopOffset = 0;
  /** Number of the last frame delivered (1-based). */
  index = 0;
  linkType = 0;
  snaplen = 0;

  private readonly sink: FrameSink;
  private readonly maxFrame: number;
  /** caplen above this takes the slow path (min of sane snaplen and maxFrame). */
  private lim: number;
  private readonly unitsPerSecond: number;
  /** Record header bytes: 16, or 24 in the Kuznetzov format. */
  private readonly rh: number;
  readonly kuznetzov: boolean;

  constructor(
    private readonly ctx: ReadContext,
    limits: Limits,
    private readonly le: boolean,
    ns: boolean,
    kuznetzov = false,
  ) {
    this.format = ns ? 'pcap-ns' : 'pcap';
    this.kuznetzov = kuznetzov;
    this.rh = kuznetzov ? PCAP_KUZNETZOV_RECORD_HEADER_BYTES : PCAP_RECORD_HEADER_BYTES;
    this.sink = ctx.sink;
    this.maxFrame = limits.maxFrameBytes;
    this.lim = limits.maxFrameBytes;
    this.unitsPerSecond = ns ? 1_000_000_000 : 1_000_000;
  }

  get delivered(): number {
    return this.index;
  }

  parse(buf: Uint8Array, pos: number, end: number, base: number): number {
    if (this.stopped) return pos;
    if (!this.headerDone) {
      if (end - pos < PCAP_FILE_HEADER_BYTES) return pos;
      if (!this.readHeader(buf, pos, base)) return pos;
      pos += PCAP_FILE_HEADER_BYTES;
    }
    const f = this.ctx.frame;
    const sink = this.sink;
    const le = this.le;
    const lim = this.lim;
    const ups = this.unitsPerSecond;
    f.data = buf;
    let index = this.index;
    const rh = this.rh;
    while (end - pos >= rh) {
      let sec: number, frac: number, cap: number, orig: number;
      if (le) {
        sec = u32le(buf, pos);
        frac = u32le(buf, pos + 4);
        cap = u32le(buf, pos + 8);
        orig = u32le(buf, pos + 12);
      } else {
        sec = u32be(buf, pos);
        frac = u32be(buf, pos + 4);
        cap = u32be(buf, pos + 8);
        orig = u32be(buf, pos + 12);
      }
      if (cap > lim) {
        if (cap > this.maxFrame) {
          this.index = index;
          this.fatal(
            E_PCAP_RECORD_TOO_LARGE,
            index + 1,
            base + pos,
            `record too large: frame ${index + 1} claims ${cap} captured bytes, over the ${this.maxFrame}-byte frame limit; the rest of the file cannot be trusted`,
          );
          return pos;
        }
        if (end - pos - rh < cap) break;
        if (this.ctx.wouldKeep()) {
          this.ctx.report(
            E_PCAP_CAPLEN_OVER_SNAPLEN,
            index + 1,
            base + pos,
            `frame ${index + 1} has ${cap} captured bytes, more than the file's snaplen of ${this.snaplen}; delivered as is`,
            false,
          );
        } else this.ctx.countSuppressed(index + 1, base + pos);
      } else if (end - pos - rh < cap) break;
      if (orig < cap) {
        if (this.ctx.wouldKeep()) {
          this.ctx.report(
            E_PCAP_CAPLEN_OVER_ORIGLEN,
            index + 1,
            base + pos,
            `frame ${index + 1} has ${cap} captured bytes but an original length of only ${orig}; original length taken as ${cap}`,
            false,
          );
        } else this.ctx.countSuppressed(index + 1, base + pos);
        orig = cap;
      }
      index++;
      f.index = index;
      f.ts = toMicros(sec, frac, ups);
      f.off = pos + rh;
      f.end = pos + rh + cap;
      f.wireLen = orig;
      f.fileOffset = base + pos;
      sink(f);
      pos += rh + cap;
    }
    this.index = index;
    return pos;
  }

  /**
   * `n` records the prefilter (prefilter.ts) walked past, as w[at..] = [ts sec, ts frac, caplen]
   * each: well-formed records (caplen within the snaplen and the frame limit, not over the
   * original length) whose frames the pipeline's fast path drops. Counts them as parse() would,
   * writes their times (microseconds) to ts[0..n), returns their captured bytes in all.
   */
  skipped(w: Uint32Array, at: number, n: number, ts: Float64Array): number {
    const ups = this.unitsPerSecond;
    let bytes = 0;
    for (let k = 0, j = at; k < n; k++, j += 3) {
      ts[k] = toMicros(w[j] as number, w[j + 1] as number, ups);
      bytes += w[j + 2] as number;
    }
    this.index += n;
    return bytes;
  }

  private readHeader(buf: Uint8Array, pos: number, base: number): boolean {
    const le = this.le;
    const major = le ? u16le(buf, pos + 4) : u16be(buf, pos + 4);
    const minor = le ? u16le(buf, pos + 6) : u16be(buf, pos + 6);
    if (major !== PCAP_VERSION_MAJOR) {
      this.fatal(E_PCAP_BAD_HEADER, 0, base + pos, `unsupported pcap version ${major}.${minor} (only 2.x exists)`);
      return false;
    }
    this.snaplen = le ? u32le(buf, pos + 16) : u32be(buf, pos + 16);
    this.linkType = (le ? u32le(buf, pos + 20) : u32be(buf, pos + 20)) & LINKTYPE_MASK;
    // A sane snaplen tightens the fast-path bound; 0 or an over-the-limit snaplen is ignored.
    if (this.snaplen > 0 && this.snaplen < this.maxFrame) this.lim = this.snaplen;
    const f = this.ctx.frame;
    f.linkType = this.linkType;
    f.iface = 0;
    this.headerDone = true;
    return true;
  }

  private fatal(code: string, frame: number, offset: number, message: string): void {
    this.stopped = true;
    this.stopOffset = offset;
    this.ctx.report(code, frame, offset, message, true);
  }

  finish(buf: Uint8Array, pos: number, end: number, base: number, cause: EndCause | null): void {
    if (this.stopped) return;
    const left = end - pos;
    const at = base + pos;
    const next = this.index + 1;
    if (cause !== null) {
      let where: string;
      if (!this.headerDone) where = `inside the ${PCAP_FILE_HEADER_BYTES}-byte pcap file header`;
      else if (left === 0) where = `before frame ${next}`;
      else where = `${plural(left, 'byte')} into frame ${next}`;
      this.fatal(cause.code, this.headerDone ? next : 0, at, `${cause.why} at decompressed byte ${base + end}, ${where}`);
      return;
    }
    if (!this.headerDone) {
      this.fatal(
        E_PCAP_BAD_HEADER,
        0,
        at,
        `truncated file header: file ends ${plural(left, 'byte')} into the ${PCAP_FILE_HEADER_BYTES}-byte pcap file header`,
      );
      return;
    }
    if (left === 0) return;
    if (left < this.rh) {
      this.fatal(E_PCAP_TRUNCATED_RECORD, next, at, `truncated record: file ends ${plural(left, 'byte')} into frame ${next}'s ${this.rh}-byte record header`);
      return;
    }
    const cap = this.le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
    this.fatal(
      E_PCAP_TRUNCATED_RECORD,
      next,
      at,
      `truncated record: file ends ${plural(left - this.rh, 'byte')} into frame ${next}'s ${cap}-byte body`,
    );
  }
}
