/**
 * pcapng: Section Header, Interface Description, Enhanced Packet, Simple Packet and the obsolete
 * Packet Block (type 2, read like an EPB with a 16-bit interface id). Every other block type (name
 * resolution, interface statistics, decryption secrets, custom, unknown) is skipped by its length,
 * however large, without being buffered: the driver discards its bytes as they stream past and the
 * parser checks its trailing length copy.
 *
 * Byte order is per section (SHB byte-order magic). Interfaces are per section: each has a link
 * type, a snaplen, if_tsresol (option 9: 10^-n or, with the top bit set, 2^-n; default 10^-6) and
 * if_tsoffset (option 14, seconds added to every timestamp).
 *
 * Timestamps: 64-bit counts of if_tsresol units, converted to integer microseconds (truncating)
 * with exact integer steps on Numbers for 10^-0..10^-12 and 2^-0..2^-32 (hi*2^32+lo is never formed
 * when it could exceed 2^53); other resolutions go through BigInt.
 *
 * Simple Packet Blocks carry no timestamp and no interface id: they belong to interface 0 and get
 * the timestamp of the last EPB/PB delivered in the same section (0 if there was none).
 *
 * Frame numbers count every packet block (EPB, SPB, PB) in the file, including ones that are
 * skipped because of an error (the error names that number), so `index` may run ahead of the
 * number of frames delivered.
 *
 * Fatal (reading stops): block length < 12, not a multiple of 4, or its trailing copy differs; a
 * bad SHB (byte-order magic, version, length) or IDB (length); the file ending inside a block.
 * Not fatal (that block is skipped, reading goes on): a packet block too short for its fixed part,
 * whose captured length runs past the block, over the limits, or naming an undefined interface.
 */
import { hex32, u16be, u16le, u32be, u32le } from '../core/bytes.js';
import type { Limits } from '../core/limits.js';
import { US_PER_SECOND } from '../core/time.js';
import {
  E_NG_BAD_BLOCK_LENGTH,
  E_NG_BAD_INTERFACE,
  E_NG_BAD_MAGIC,
  E_NG_BAD_OPTION,
  E_NG_BAD_VERSION,
  E_NG_BLOCK_TOO_LARGE,
  E_NG_CAPLEN_OVER_ORIGLEN,
  E_NG_NO_SECTION,
  E_NG_TOO_MANY_INTERFACES,
  E_NG_TRUNCATED_BLOCK,
  plural,
  type EndCause,
  type FormatParser,
  type ReadContext,
} from './context.js';
import type { FrameSink } from './frame.js';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BT_DSB = 0x0000000a;
export const BT_CUSTOM = 0x00000bad;
export const BT_CUSTOM_NOCOPY = 0x40000bad;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Smallest possible block: type, length, trailing length. */
export const PCAPNG_MIN_BLOCK = 12;
const SHB_MIN = 28; // + byte-order magic, version, section length
const IDB_MIN = 20; // + link type, reserved, snaplen
const EPB_MIN = 32; // + interface, ts hi, ts lo, caplen, origlen
const SPB_MIN = 16; // + origlen
const PB_MIN = 32; // + interface(16), drops(16), ts hi, ts lo, caplen, origlen
const PACKET_DATA_OFF = 28; // EPB and PB: data starts 28 bytes into the block
const SPB_DATA_OFF = 12;

const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const DEFAULT_TSRESOL = 6;
const TWO_32 = 4294967296;

// Timestamp conversion kinds (per interface).
const K_MICRO = 0; // 10^-6
const K_DIV = 1; // 10^-7 .. 10^-12: micros = floor(units / d)
const K_MUL = 2; // 10^-0 .. 10^-5: micros = units * m
const K_BIN = 3; // 2^-0 .. 2^-32
const K_BIG = 4; // anything else: BigInt

/** One interface of the current section, with its timestamp conversion precomputed. */
export class Interface {
  kind = K_MICRO;
  /** K_DIV: divisor d, q = floor(2^32 / d), r = 2^32 mod d. K_MUL: multiplier in d. K_BIN: n in q, 2^n in d, 2^(32-n) in r. */
  d = 1;
  q = 0;
  r = 0;
  big = 1n;
  /** if_tsoffset in microseconds. */
  offsetUs = 0;
  tsresol = DEFAULT_TSRESOL;
  constructor(
    readonly linkType: number,
    readonly snaplen: number,
  ) {}

  setResolution(v: number): void {
    this.tsresol = v;
    const n = v & 0x7f;
    if (v & 0x80) {
      if (n <= 32) {
        this.kind = K_BIN;
        this.q = n;
        this.d = 2 ** n;
        this.r = 2 ** (32 - n);
      } else {
        this.kind = K_BIG;
        this.big = 1n << BigInt(n);
      }
    } else if (n === 6) {
      this.kind = K_MICRO;
    } else if (n < 6) {
      this.kind = K_MUL;
      this.d = 10 ** (6 - n);
    } else if (n <= 12) {
      this.kind = K_DIV;
      this.d = 10 ** (n - 6);
      this.q = Math.floor(TWO_32 / this.d);
      this.r = TWO_32 % this.d;
    } else {
      this.kind = K_BIG;
      this.big = 10n ** BigInt(n);
    }
  }

  /** (hi * 2^32 + lo) units -> integer microseconds (truncated), plus if_tsoffset. */
  micros(hi: number, lo: number): number {
    let t: number;
    switch (this.kind) {
      case K_MICRO:
        t = hi * TWO_32 + lo;
        break;
      case K_DIV:
        // hi*2^32 = hi*(q*d + r): exact whenever the result fits in 2^53; hi*r + lo < 2^53 always.
        t = hi * this.q + Math.floor((hi * this.r + lo) / this.d);
        break;
      case K_MUL:
        t = (hi * TWO_32 + lo) * this.d;
        break;
      case K_BIN: {
        const n = this.q;
        let sec: number, frac: number;
        if (n === 32) {
          sec = hi;
          frac = lo;
        } else {
          const whole = lo >>> n; // n < 32 here, so the shift is real
          sec = hi * this.r + whole;
          frac = lo - whole * this.d;
        }
        t = sec * US_PER_SECOND + Math.floor((frac * US_PER_SECOND) / this.d);
        break;
      }
      default:
        t = Number(((BigInt(hi) << 32n) | BigInt(lo)) * 1_000_000n / this.big);
    }
    return t + this.offsetUs;
  }
}

export function blockName(type: number): string {
  switch (type) {
    case BT_SHB:
      return 'section header block';
    case BT_IDB:
      return 'interface description block';
    case BT_PB:
      return 'packet block';
    case BT_SPB:
      return 'simple packet block';
    case BT_NRB:
      return 'name resolution block';
    case BT_ISB:
      return 'interface statistics block';
    case BT_EPB:
      return 'enhanced packet block';
    case BT_DSB:
      return 'decryption secrets block';
    case BT_CUSTOM:
    case BT_CUSTOM_NOCOPY:
      return 'custom block';
    default:
      return `block of type 0x${type.toString(16).padStart(8, '0')}`;
  }
}

function isPacketBlock(type: number): boolean {
  return type === BT_EPB || type === BT_SPB || type === BT_PB;
}

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng' as const;
  skip = 0;
  stopped = false;
  headerDone = false;
  stopOffset = 0;
  /** Number of the last packet block seen (delivered or skipped). */
  index = 0;
  delivered = 0;
  sections = 0;

  /** Byte order of the current section. */
  private le = true;
  private ifaces: Interface[] = [];
  private lastTs = 0;
  /** Trailing length still to check for a block whose body is being skipped; -1 when none. */
  private pendingTrailer = -1;
  private pendingOffset = 0;
  private pendingType = 0;
  /** Frame number the pending block's errors name (its own for a packet block, else the next). */
  private pendingFrame = 0;
  /** Non-fatal report held until the pending block's trailer checks out (so a lie yields one error). */
  private pendingCode: string | null = null;
  private pendingMsg = '';

  private readonly sink: FrameSink;
  private readonly maxFrame: number;
  private readonly maxBlock: number;
  private readonly maxIfaces: number;

  /** `le`: byte order to assume before the first SHB (only matters for a file that lacks one). */
  constructor(
    private readonly ctx: ReadContext,
    limits: Limits,
    le = true,
  ) {
    this.le = le;
    this.sink = ctx.sink;
    this.maxFrame = limits.maxFrameBytes;
    this.maxBlock = limits.maxPcapngBlockBytes;
    this.maxIfaces = limits.maxPcapngInterfaces;
  }

  private rd32(b: Uint8Array, o: number): number {
    return this.le ? u32le(b, o) : u32be(b, o);
  }
  private rd16(b: Uint8Array, o: number): number {
    return this.le ? u16le(b, o) : u16be(b, o);
  }

  parse(buf: Uint8Array, pos: number, end: number, base: number): number {
    const f = this.ctx.frame;
    f.data = buf;
    while (!this.stopped) {
      if (this.pendingTrailer >= 0) {
        if (end - pos < 4) return pos;
        const t = this.rd32(buf, pos);
        if (t !== this.pendingTrailer) {
          this.trailerMismatch(this.pendingOffset, this.pendingType, this.pendingTrailer, t, this.pendingFrame);
          return pos;
        }
        this.pendingTrailer = -1;
        if (this.pendingCode !== null) {
          this.emitSoft(this.pendingCode, this.pendingFrame, this.pendingOffset, this.pendingMsg);
          this.pendingCode = null;
        }
        pos += 4;
        continue;
      }
      if (end - pos < PCAPNG_MIN_BLOCK) return pos;
      const type = this.rd32(buf, pos);
      const at = base + pos;
      if (type === BT_SHB) {
        // The SHB type reads the same in both byte orders; its byte-order magic sets the section's.
        if (u32le(buf, pos + 8) === BYTE_ORDER_MAGIC) this.le = true;
        else if (u32be(buf, pos + 8) === BYTE_ORDER_MAGIC) this.le = false;
        else {
          this.fatal(
            E_NG_BAD_MAGIC,
            this.index + 1,
            at,
            `bad section header: byte-order magic is ${hex32(u32be(buf, pos + 8))}, not 1a2b3c4d in either byte order`,
          );
          return pos;
        }
      } else if (!this.headerDone) {
        this.fatal(
          E_NG_NO_SECTION,
          0,
          at,
          `no section header: the first block (${blockName(type)}) is not a section header block, which every pcapng file starts with`,
        );
        return pos;
      }
      const len = this.rd32(buf, pos + 4);
      if (len < PCAPNG_MIN_BLOCK || (len & 3) !== 0) {
        this.fatal(
          E_NG_BAD_BLOCK_LENGTH,
          this.index + 1,
          at,
          `bad block length: the ${blockName(type)} at offset ${at} claims ${len} bytes (a block is a multiple of 4, at least ${PCAPNG_MIN_BLOCK}); the rest of the file cannot be framed`,
        );
        return pos;
      }
      const avail = end - pos;
      if (type === BT_EPB || type === BT_PB || type === BT_SPB) {
        if (len > this.maxBlock) {
          const n = ++this.index;
          const msg = this.ctx.wouldKeep()
            ? `block too large: frame ${n}'s ${len}-byte ${blockName(type)} is over the ${this.maxBlock}-byte block limit; skipped`
            : '';
          pos = this.skipBlock(buf, pos, end, base, type, len, n, E_NG_BLOCK_TOO_LARGE, msg);
          if (this.skip > 0) return pos;
          continue;
        }
        if (avail < len) return pos;
        const tl = this.rd32(buf, pos + len - 4);
        if (tl !== len) {
          this.trailerMismatch(at, type, len, tl, this.index + 1);
          return pos;
        }
        this.index++;
        if (type === BT_SPB) this.simplePacket(buf, pos, len, at);
        else this.packet(buf, pos, len, at, type);
        pos += len;
        continue;
      }
      if (type === BT_SHB) {
        if (len < SHB_MIN) {
          this.fatal(E_NG_BAD_BLOCK_LENGTH, this.index + 1, at, `bad section header: block length ${len} is below the minimum of ${SHB_MIN}`);
          return pos;
        }
        if (len > this.maxBlock) {
          // Only the fixed part matters (its options are comments and descriptions): read it, skip the rest.
          if (avail < SHB_MIN - 4) return pos;
          if (!this.section(buf, pos, at)) return pos;
          pos = this.skipBlock(buf, pos, end, base, type, len);
          if (this.skip > 0) return pos;
          continue;
        }
        if (avail < len) return pos;
        const tl = this.rd32(buf, pos + len - 4);
        if (tl !== len) {
          this.trailerMismatch(at, type, len, tl, this.index + 1);
          return pos;
        }
        if (!this.section(buf, pos, at)) return pos;
        pos += len;
        continue;
      }
      if (type === BT_IDB) {
        if (len < IDB_MIN) {
          this.fatal(
            E_NG_BAD_BLOCK_LENGTH,
            this.index + 1,
            at,
            `bad interface description: block length ${len} is below the minimum of ${IDB_MIN}; later packets cannot be matched to their interfaces`,
          );
          return pos;
        }
        if (len > this.maxBlock) {
          if (avail < IDB_MIN - 4) return pos;
          const it = this.addInterface(buf, pos, at);
          if (it !== null) {
            this.soft(E_NG_BLOCK_TOO_LARGE, this.index + 1, at, () =>
              `block too large: the ${len}-byte interface description block for interface ${this.ifaces.length - 1} is over the ${this.maxBlock}-byte block limit; its options (timestamp resolution, offset) are ignored`,
            );
          }
          pos = this.skipBlock(buf, pos, end, base, type, len);
          if (this.skip > 0) return pos;
          continue;
        }
        if (avail < len) return pos;
        const tl = this.rd32(buf, pos + len - 4);
        if (tl !== len) {
          this.trailerMismatch(at, type, len, tl, this.index + 1);
          return pos;
        }
        const it = this.addInterface(buf, pos, at);
        if (it !== null) this.interfaceOptions(it, buf, pos + IDB_MIN - 4, pos + len - 4, at);
        pos += len;
        continue;
      }
      // Anything else: skipped by its length.
      pos = this.skipBlock(buf, pos, end, base, type, len);
      if (this.skip > 0) return pos;
    }
    return pos;
  }

  /**
   * Skips a block by its length: checks the trailing copy if the block is all here, else consumes
   * what is here, asks the driver to discard the rest of the body, and checks the trailer later.
   */
  private skipBlock(
    buf: Uint8Array,
    pos: number,
    end: number,
    base: number,
    type: number,
    len: number,
    frame = this.index + 1,
    code: string | null = null,
    msg = '',
  ): number {
    if (end - pos >= len) {
      const tl = this.rd32(buf, pos + len - 4);
      if (tl !== len) {
        this.trailerMismatch(base + pos, type, len, tl, frame);
        return pos;
      }
      if (code !== null) this.emitSoft(code, frame, base + pos, msg);
      return pos + len;
    }
    this.pendingTrailer = len;
    this.pendingOffset = base + pos;
    this.pendingType = type;
    this.pendingFrame = frame;
    this.pendingCode = code;
    this.pendingMsg = msg;
    const bodyEnd = pos + len - 4;
    if (bodyEnd <= end) return bodyEnd;
    this.skip = bodyEnd - end;
    return end;
  }

  /** Starts a section from the SHB at pos (byte order already set). False on a fatal problem. */
  private section(buf: Uint8Array, pos: number, at: number): boolean {
    const major = this.rd16(buf, pos + 12);
    const minor = this.rd16(buf, pos + 14);
    if (major !== 1) {
      this.fatal(E_NG_BAD_VERSION, this.index + 1, at, `unsupported pcapng version ${major}.${minor} in the section starting at offset ${at} (only 1.x exists)`);
      return false;
    }
    this.ifaces = [];
    this.lastTs = 0;
    this.sections++;
    this.headerDone = true;
    return true;
  }

  /** Defines the next interface from the IDB's fixed part; null (reported) when over the limit. */
  private addInterface(buf: Uint8Array, pos: number, at: number): Interface | null {
    if (this.ifaces.length >= this.maxIfaces) {
      this.soft(E_NG_TOO_MANY_INTERFACES, this.index + 1, at, () =>
        `too many interfaces: this section defines more than ${this.maxIfaces}; the extra ones are ignored and their packets skipped`,
      );
      return null;
    }
    const it = new Interface(this.rd16(buf, pos + 8), this.rd32(buf, pos + 12));
    this.ifaces.push(it);
    return it;
  }

  private interfaceOptions(it: Interface, buf: Uint8Array, o: number, optEnd: number, at: number): void {
    const id = this.ifaces.length - 1;
    while (optEnd - o >= 4) {
      const code = this.rd16(buf, o);
      const olen = this.rd16(buf, o + 2);
      if (code === OPT_ENDOFOPT) return;
      if (olen > optEnd - o - 4) {
        this.soft(E_NG_BAD_OPTION, this.index + 1, at, () =>
          `bad option: interface ${id}'s option ${code} claims ${olen} bytes, past the end of its block; the rest of its options are ignored`,
        );
        return;
      }
      if (code === OPT_IF_TSRESOL) {
        if (olen !== 1) {
          this.soft(E_NG_BAD_OPTION, this.index + 1, at, () =>
            `bad option: interface ${id}'s if_tsresol is ${olen} bytes long, not 1; microseconds assumed`,
          );
        } else it.setResolution(buf[o + 4] as number);
      } else if (code === OPT_IF_TSOFFSET) {
        if (olen !== 8) {
          this.soft(E_NG_BAD_OPTION, this.index + 1, at, () =>
            `bad option: interface ${id}'s if_tsoffset is ${olen} bytes long, not 8; ignored`,
          );
        } else {
          const lo = this.le ? u32le(buf, o + 4) : u32be(buf, o + 8);
          const hi = (this.le ? u32le(buf, o + 8) : u32be(buf, o + 4)) | 0;
          it.offsetUs = (hi * TWO_32 + lo) * US_PER_SECOND;
        }
      }
      o += 4 + ((olen + 3) & ~3);
    }
  }

  /** EPB or PB at pos, complete and trailer-checked; index already counts it. */
  private packet(buf: Uint8Array, pos: number, len: number, at: number, type: number): void {
    const n = this.index;
    if (len < (type === BT_EPB ? EPB_MIN : PB_MIN)) {
      this.soft(E_NG_BAD_BLOCK_LENGTH, n, at, () =>
        `bad block length: frame ${n}'s ${len}-byte ${blockName(type)} is too short for its ${EPB_MIN}-byte fixed part; skipped`,
      );
      return;
    }
    const le = this.le;
    const id = type === BT_EPB ? (le ? u32le(buf, pos + 8) : u32be(buf, pos + 8)) : this.rd16(buf, pos + 8);
    const hi = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
    const lo = le ? u32le(buf, pos + 16) : u32be(buf, pos + 16);
    const cap = le ? u32le(buf, pos + 20) : u32be(buf, pos + 20);
    let orig = le ? u32le(buf, pos + 24) : u32be(buf, pos + 24);
    if (cap > len - EPB_MIN) {
      this.soft(E_NG_BAD_BLOCK_LENGTH, n, at, () =>
        `bad block length: frame ${n} claims ${cap} captured bytes but its ${blockName(type)} holds only ${len - EPB_MIN}; skipped`,
      );
      return;
    }
    const it = this.ifaces[id];
    if (it === undefined) {
      this.soft(E_NG_BAD_INTERFACE, n, at, () =>
        `bad interface: frame ${n} names interface ${id} but this section defines ${plural(this.ifaces.length, 'interface')}; skipped`,
      );
      return;
    }
    if (cap > this.maxFrame) {
      this.soft(E_NG_BLOCK_TOO_LARGE, n, at, () =>
        `block too large: frame ${n} has ${cap} captured bytes, over the ${this.maxFrame}-byte frame limit; skipped`,
      );
      return;
    }
    if (orig < cap) {
      this.soft(E_NG_CAPLEN_OVER_ORIGLEN, n, at, () =>
        `frame ${n} has ${cap} captured bytes but an original length of only ${orig}; original length taken as ${cap}`,
      );
      orig = cap;
    }
    const ts = it.micros(hi, lo);
    this.lastTs = ts;
    const f = this.ctx.frame;
    f.index = n;
    f.ts = ts;
    f.linkType = it.linkType;
    f.off = pos + PACKET_DATA_OFF;
    f.end = pos + PACKET_DATA_OFF + cap;
    f.wireLen = orig;
    f.fileOffset = at;
    f.iface = id;
    this.delivered++;
    this.sink(f);
  }

  /** SPB at pos, complete and trailer-checked; index already counts it. */
  private simplePacket(buf: Uint8Array, pos: number, len: number, at: number): void {
    const n = this.index;
    if (len < SPB_MIN) {
      this.soft(E_NG_BAD_BLOCK_LENGTH, n, at, () =>
        `bad block length: frame ${n}'s ${len}-byte simple packet block is too short for its ${SPB_MIN}-byte fixed part; skipped`,
      );
      return;
    }
    const it = this.ifaces[0];
    if (it === undefined) {
      this.soft(E_NG_BAD_INTERFACE, n, at, () =>
        `bad interface: frame ${n} is a simple packet block (interface 0) but this section defines no interface; skipped`,
      );
      return;
    }
    const orig = this.rd32(buf, pos + 8);
    let cap = len - SPB_MIN;
    if (orig < cap) cap = orig;
    if (it.snaplen > 0 && it.snaplen < cap) cap = it.snaplen;
    if (cap > this.maxFrame) {
      this.soft(E_NG_BLOCK_TOO_LARGE, n, at, () =>
        `block too large: frame ${n} has ${cap} captured bytes, over the ${this.maxFrame}-byte frame limit; skipped`,
      );
      return;
    }
    const f = this.ctx.frame;
    f.index = n;
    f.ts = this.lastTs;
    f.linkType = it.linkType;
    f.off = pos + SPB_DATA_OFF;
    f.end = pos + SPB_DATA_OFF + cap;
    f.wireLen = orig;
    f.fileOffset = at;
    f.iface = 0;
    this.delivered++;
    this.sink(f);
  }

  /**
   * `n` EPBs the prefilter (prefilter.ts) walked past, as w[at..] = [interface, ts hi, ts lo,
   * caplen] each: complete, trailer-checked, within the limits, naming a defined interface, not
   * over the original length, their frames dropped by the pipeline's fast path. Counts them as
   * packet() would, writes their times (microseconds) to ts[0..n), returns their captured bytes.
   */
  skipped(w: Uint32Array, at: number, n: number, ts: Float64Array): number {
    const ifaces = this.ifaces;
    let bytes = 0;
    for (let k = 0, j = at; k < n; k++, j += 4) {
      ts[k] = (ifaces[w[j] as number] as Interface).micros(w[j + 1] as number, w[j + 2] as number);
      bytes += w[j + 3] as number;
    }
    if (n > 0) this.lastTs = ts[n - 1] as number;
    this.index += n;
    this.delivered += n;
    return bytes;
  }

  /** A non-fatal report whose message was built while wouldKeep() held ('' when it did not). */
  private emitSoft(code: string, frame: number, offset: number, msg: string): void {
    if (msg !== '' && this.ctx.wouldKeep()) this.ctx.report(code, frame, offset, msg, false);
    else this.ctx.countSuppressed(frame, offset);
  }

  private soft(code: string, frame: number, offset: number, message: () => string): void {
    if (this.ctx.wouldKeep()) this.ctx.report(code, frame, offset, message(), false);
    else this.ctx.countSuppressed(frame, offset);
  }

  /** Reading stops. Before the first section header is read, no frame is involved: frame 0. */
  private fatal(code: string, frame: number, offset: number, message: string): void {
    this.stopped = true;
    this.stopOffset = offset;
    this.ctx.report(code, this.headerDone ? frame : 0, offset, message, true);
  }

  private trailerMismatch(at: number, type: number, len: number, trailer: number, frame: number): void {
    this.fatal(
      E_NG_BAD_BLOCK_LENGTH,
      frame,
      at,
      `bad block length: the ${blockName(type)} at offset ${at} claims ${len} bytes but its trailing length is ${trailer}; the rest of the file cannot be framed`,
    );
  }

  finish(buf: Uint8Array, pos: number, end: number, base: number, cause: EndCause | null): void {
    if (this.stopped) return;
    const next = this.index + 1;
    const total = base + end;
    // Where the unfinished block starts, its length and type, if known.
    let blockAt = -1;
    let blockLen = -1;
    let blockType = -1;
    let blockFrame = next;
    if (this.pendingTrailer >= 0) {
      blockAt = this.pendingOffset;
      blockLen = this.pendingTrailer;
      blockType = this.pendingType;
      blockFrame = this.pendingFrame;
    } else if (end > pos) {
      blockAt = base + pos;
      const left = end - pos;
      if (left >= 4) blockType = this.rd32(buf, pos);
      if (left >= 8) {
        let le = this.le;
        if (blockType === BT_SHB && left >= 12) {
          if (u32le(buf, pos + 8) === BYTE_ORDER_MAGIC) le = true;
          else if (u32be(buf, pos + 8) === BYTE_ORDER_MAGIC) le = false;
        }
        blockLen = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      }
    }
    const frameNo = this.headerDone ? blockFrame : 0;
    const what =
      blockType === -1
        ? 'a block'
        : isPacketBlock(blockType)
          ? `frame ${blockFrame}'s ${blockLen >= 0 ? `${blockLen}-byte ` : ''}${blockName(blockType)}`
          : `the ${blockLen >= 0 ? `${blockLen}-byte ` : ''}${blockName(blockType)}`;
    if (cause !== null) {
      const where = blockAt >= 0 ? `${plural(total - blockAt, 'byte')} into ${what}` : `before frame ${next}`;
      this.fatal(cause.code, frameNo, blockAt >= 0 ? blockAt : total, `${cause.why} at decompressed byte ${total}, ${where}`);
      return;
    }
    if (blockAt < 0) {
      if (!this.headerDone) {
        this.fatal(E_NG_TRUNCATED_BLOCK, 0, total, 'truncated block: file ends before the section header block');
      }
      return;
    }
    this.fatal(E_NG_TRUNCATED_BLOCK, frameNo, blockAt, `truncated block: file ends ${plural(total - blockAt, 'byte')} into ${what}`);
  }
}
