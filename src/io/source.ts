/**
 * Byte drivers: move input bytes through one fixed buffer and hand windows of it to a format
 * parser. Memory is the buffer (limits.readBufferBytes, raised if needed to hold the largest unit a
 * parser may wait for) plus whatever the stream layer holds in flight; never a whole file.
 *
 *  - Plain regular files: fs.readSync straight into the buffer; after each parse only the partial
 *    record left at the end is moved to the front. Blocks skipped by length are skipped by moving
 *    the read position (no bytes read).
 *  - Streams (stdin, pipes, gzip output): each chunk is copied into the buffer and parsed; bytes
 *    of a skipped block are dropped as they arrive.
 *
 * The format is sniffed from the first bytes of the (decompressed) input.
 */
import type { Readable } from 'node:stream';
import { fstatSync, readSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import * as zlib from 'node:zlib';
import type { InflateRaw } from 'node:zlib';
import { hex32, u32be, u32le } from '../core/bytes.js';
import type { Limits } from '../core/limits.js';
import {
  E_EMPTY,
  E_GZIP_CORRUPT,
  E_GZIP_TRAILING_GARBAGE,
  E_GZIP_TRUNCATED,
  E_READ_FAILED,
  E_UNKNOWN_FORMAT,
  plural,
  type EndCause,
  type FormatParser,
  type ReadContext,
} from './context.js';
import { PCAP_KUZNETZOV_RECORD_HEADER_BYTES, PcapParser, sniffPcap } from './pcap.js';
import { BT_SHB, PCAPNG_MIN_BLOCK, PcapngParser } from './pcapng.js';

/** Smallest buffer used whatever the limits say (a header plus room to sniff). */
export const MIN_READ_BUFFER_BYTES = 4096;
/** Bytes gathered before deciding that unrecognised input is not a capture (enough to check a first pcapng block). */
const SNIFF_BYTES = 4096;
/** Decompressed chunk size asked of zlib. */
export const GZIP_CHUNK_BYTES = 256 * 1024;
/** Read size for compressed files and pipes. */
export const STREAM_READ_BYTES = 1024 * 1024;
/** Plain-file refills between yields to the event loop (so output streams drain and signals are seen). */
const REFILLS_PER_YIELD = 4;

/** The buffer size the readers use for these limits. */
export function bufferBytes(limits: Limits): number {
  const need = Math.max(
    limits.readBufferBytes,
    limits.maxFrameBytes + PCAP_KUZNETZOV_RECORD_HEADER_BYTES,
    limits.maxPcapngBlockBytes,
    MIN_READ_BUFFER_BYTES,
  );
  return (need + 3) & ~3;
}

// One spare buffer is kept between files of a run; concurrent readers get their own.
let spare: Buffer | null = null;
function acquireBuffer(size: number): Buffer {
  if (spare !== null && spare.length === size) {
    const b = spare;
    spare = null;
    return b;
  }
  // Not zero-filled: a fresh mapping whose pages become resident only when written, so a file the
  // prefilter walks costs the few KiB read to sniff it, not the whole buffer. Parsers read only
  // bytes the driver has written (buf[start..end)).
  return Buffer.allocUnsafeSlow(size);
}
function releaseBuffer(b: Buffer): void {
  spare = b;
}

const PCAPNG_PACKETISH_TYPES = new Set([1, 2, 3, 4, 5, 6, 0x0a]);

/** The window buffer, the parser, and the sniffing step in front of it. */
export class Reader {
  readonly buf: Buffer;
  readonly size: number;
  start = 0;
  end = 0;
  /** Input offset of buf[0]. */
  base = 0;
  parser: FormatParser | null = null;
  /** Set when reading must stop (fatal error reported by the parser or by sniffing). */
  stopped = false;
  compressed = false;
  /** Where an internal error stopped reading; -1 when none. */
  private internalStop = -1;
  private nextProgress: number;

  constructor(
    readonly ctx: ReadContext,
    readonly limits: Limits,
    private readonly onProgress: ((bytes: number) => void) | undefined,
    private readonly waitForOutput: (() => Promise<void> | null) | undefined = undefined,
  ) {
    this.size = bufferBytes(limits);
    this.buf = acquireBuffer(this.size);
    this.nextProgress = this.size;
  }

  release(): void {
    releaseBuffer(this.buf);
  }

  /** Waits while the output is behind (ReaderOptions.waitForOutput); resolves at once otherwise. */
  async outputRoom(): Promise<void> {
    const w = this.waitForOutput?.() ?? null;
    if (w !== null) await w;
  }

  /** Reports an unexpected exception from the reader itself (a bug) as a fatal error; reading stops. */
  internalError(e: unknown): void {
    if (this.stopped && this.parser?.stopped === true) return;
    const p = this.parser;
    const frame = p === null || !p.headerDone ? 0 : p.index + 1;
    this.stopped = true;
    this.internalStop = this.base + this.start;
    this.ctx.report(
      E_READ_FAILED,
      frame,
      this.internalStop,
      `internal error in the reader (${e instanceof Error ? e.message : String(e)}); please report it`,
      true,
    );
  }

  /** Decompressed input bytes seen so far (including bytes of skipped blocks). */
  get seen(): number {
    return this.base + this.end;
  }

  /** Bytes consumed as complete units: the whole input on a clean end, else where reading stopped. */
  consumed(): number {
    if (this.internalStop >= 0) return this.internalStop;
    const p = this.parser;
    if (p !== null && p.stopped) return p.stopOffset;
    if (p === null && this.stopped) return 0;
    return this.base + this.end;
  }

  /** Parses buf[start..end): sniffs first if needed, then moves the unconsumed tail to the front. */
  run(eof: boolean): void {
    if (this.stopped) return;
    let p = this.parser;
    if (p === null) {
      p = this.sniff(eof);
      if (p === null) return;
    }
    this.start = p.parse(this.buf, this.start, this.end, this.base);
    if (p.stopped) {
      this.stopped = true;
      return;
    }
    if (p.skip > 0 || this.start === this.end) {
      this.base += this.end;
      this.start = this.end = 0;
    } else if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    this.progress(this.base + this.end);
  }

  /** Tells the progress callback, about once per buffer's worth, how far reading has come. */
  progress(seen: number): void {
    if (this.onProgress !== undefined && seen >= this.nextProgress) {
      this.nextProgress = seen + this.size;
      this.onProgress(seen);
    }
  }

  /**
   * Picks the parser from the first `n` bytes in the buffer (a regular file's first read) without
   * parsing anything; the buffer is left as it was. The parser, or null (undecided or reported).
   */
  pickParser(n: number, eof: boolean): FormatParser | null {
    if (this.parser !== null || this.stopped) return this.parser;
    this.start = 0;
    this.end = n;
    const p = this.sniff(eof);
    this.end = 0;
    return p;
  }

  /** Picks the parser from the first bytes; null while more bytes are needed or on failure (reported). */
  private sniff(eof: boolean): FormatParser | null {
    const b = this.buf;
    const n = this.end - this.start;
    const o = this.start;
    if (n < 4) {
      if (!eof) return null;
      if (n === 0) return null; // finish() reports input.empty
      this.fail(E_UNKNOWN_FORMAT, `unknown format: the input is only ${plural(n, 'byte')} long, too short for any capture format`);
      return null;
    }
    let p: FormatParser | null = null;
    const pcap = sniffPcap(b, o);
    if (pcap !== null) p = new PcapParser(this.ctx, this.limits, pcap.le, pcap.ns, pcap.kuznetzov);
    else if (u32le(b, o) === BT_SHB) p = new PcapngParser(this.ctx, this.limits);
    else {
      if (n < SNIFF_BYTES && !eof) return null;
      const le = looksLikeHeadlessPcapng(b, o, n);
      if (le !== null) p = new PcapngParser(this.ctx, this.limits, le);
      else {
        this.fail(E_UNKNOWN_FORMAT, `unknown format: ${describeMagic(b, o, n)}`);
        return null;
      }
    }
    this.parser = p;
    return p;
  }

  private fail(code: string, message: string): void {
    this.stopped = true;
    this.ctx.report(code, 0, 0, message, true);
  }

  /** The input ended (cleanly when cause is null). Reports truncation, emptiness, or the cause. */
  finish(cause: EndCause | null): void {
    // With a cause (gzip cut off, read error), input too short to identify is the cause's fault.
    if (!this.stopped && this.parser === null && (cause === null || this.end - this.start >= 4)) this.run(true);
    if (this.stopped) return;
    const p = this.parser;
    if (p === null) {
      this.stopped = true;
      if (cause !== null) {
        this.ctx.report(cause.code, 0, 0, `${cause.why} after ${plural(this.seen, 'decompressed byte')}: nothing could be read`, true);
      } else {
        this.ctx.report(
          E_EMPTY,
          0,
          0,
          this.compressed ? 'empty input: the gzip stream decompresses to nothing' : 'empty input: the file holds no bytes',
          true,
        );
      }
      return;
    }
    p.finish(this.buf, this.start, this.end, this.base, cause);
    if (p.stopped) this.stopped = true;
  }

  /** Copies a stream chunk into the buffer, parsing as it goes; drops bytes of skipped blocks. */
  push(chunk: Uint8Array): void {
    let c = 0;
    const n = chunk.length;
    while (c < n && !this.stopped) {
      const p = this.parser;
      if (p !== null && p.skip > 0) {
        const k = Math.min(p.skip, n - c);
        p.skip -= k;
        this.base += k;
        c += k;
        continue;
      }
      const room = this.size - this.end;
      const k = Math.min(room, n - c);
      this.buf.set(k === n && c === 0 ? chunk : chunk.subarray(c, c + k), this.end);
      this.end += k;
      c += k;
      this.run(false);
      if (!this.stopped && this.end === this.size && this.start === 0 && (this.parser === null || this.parser.skip === 0)) {
        // Cannot happen with bufferBytes() sizing: a parser never waits for more than the buffer holds.
        this.fail(E_READ_FAILED, 'internal error: a record does not fit the read buffer');
      }
    }
  }
}

/** A first block that is a plausible pcapng block other than an SHB: its byte order, else null. */
function looksLikeHeadlessPcapng(b: Uint8Array, o: number, n: number): boolean | null {
  if (n < PCAPNG_MIN_BLOCK) return null;
  for (const le of [true, false]) {
    const type = le ? u32le(b, o) : u32be(b, o);
    const len = le ? u32le(b, o + 4) : u32be(b, o + 4);
    if (!PCAPNG_PACKETISH_TYPES.has(type) || len < PCAPNG_MIN_BLOCK || (len & 3) !== 0 || len > n) continue;
    const tl = le ? u32le(b, o + len - 4) : u32be(b, o + len - 4);
    if (tl === len) return le;
  }
  return null;
}

/** Other compressions and containers a capture may come in, by magic, with what to do instead. */
const OTHER_MAGICS: readonly { magic: readonly number[]; what: string; hint: string }[] = [
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2-compressed', hint: 'bzcat FILE | amtwatch read -' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed', hint: 'xzcat FILE | amtwatch read -' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed', hint: 'zstdcat FILE | amtwatch read -' },
  { magic: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed', hint: 'lz4cat FILE | amtwatch read -' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', hint: 'unzip it and read the captures inside' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive', hint: 'extract it and read the captures inside' },
];

/** "the input is bzip2-compressed, ...; try: ..." when b[o..o+n) starts like another compression or archive, else null. */
export function otherCompression(b: Uint8Array, o: number, n: number): string | null {
  for (const m of OTHER_MAGICS) {
    if (n >= m.magic.length && m.magic.every((v, i) => b[o + i] === v)) {
      return `the input is ${m.what}, which amtwatch does not decompress (only gzip); try: ${m.hint}`;
    }
  }
  return null;
}

function describeMagic(b: Uint8Array, o: number, n: number): string {
  const other = otherCompression(b, o, n);
  if (other !== null) return other;
  const k = Math.min(n, 8);
  const hex: string[] = [];
  let printable = 0;
  for (let i = 0; i < k; i++) {
    const v = b[o + i] as number;
    hex.push(v.toString(16).padStart(2, '0'));
    if ((v >= 0x20 && v < 0x7f) || v === 0x0a || v === 0x0d || v === 0x09) printable++;
  }
  const hint = printable === k ? ' (it looks like text)' : '';
  return `the input starts with ${hex.join(' ')}${hint}, which is no pcap, pcapng or gzip magic`;
}

function errText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== undefined && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

export function readFailed(e: unknown): EndCause {
  return { code: E_READ_FAILED, why: `reading failed (${errText(e)})` };
}

/**
 * Plain regular file already open on fd, whose first `n` bytes are in reader.buf. Reads with
 * positional readSync into the fixed buffer; skips large blocks by moving the read position.
 */
export async function driveFile(reader: Reader, fd: number, n: number): Promise<void> {
  reader.end = n;
  await fileLoop(reader, fd, n, n);
}

/**
 * Continues reading the regular file on fd at `pos` with an empty buffer (the prefilter handing
 * over: everything before pos has been parsed).
 */
export async function driveFileFrom(reader: Reader, fd: number, pos: number): Promise<void> {
  reader.base = pos;
  reader.start = reader.end = 0;
  let n: number;
  try {
    n = readSync(fd, reader.buf, 0, reader.size, pos);
  } catch (e) {
    reader.finish(readFailed(e));
    return;
  }
  reader.end = n;
  await fileLoop(reader, fd, pos + n, n);
}

async function fileLoop(reader: Reader, fd: number, filePos: number, n: number): Promise<void> {
  const buf = reader.buf;
  const size = reader.size;
  let refills = 0;
  for (;;) {
    if (n === 0) {
      reader.finish(null);
      return;
    }
    reader.run(false);
    if (reader.stopped) return;
    const p = reader.parser;
    if (p !== null && p.skip > 0) {
      // reader.run() has emptied the buffer (base already counts what was in it).
      const target = filePos + p.skip;
      let fileSize: number;
      try {
        fileSize = fstatSync(fd).size;
      } catch (e) {
        reader.finish(readFailed(e));
        return;
      }
      if (target > fileSize) {
        const got = Math.max(0, fileSize - filePos);
        reader.base += got;
        p.skip -= got;
        reader.finish(null);
        return;
      }
      reader.base += p.skip;
      p.skip = 0;
      filePos = target;
    }
    if (reader.end === size) {
      // Cannot happen with bufferBytes() sizing: a parser never waits for more than the buffer holds.
      reader.finish({ code: E_READ_FAILED, why: 'internal error: a record does not fit the read buffer' });
      return;
    }
    try {
      n = readSync(fd, buf, reader.end, size - reader.end, filePos);
    } catch (e) {
      reader.finish(readFailed(e));
      return;
    }
    filePos += n;
    reader.end += n;
    await reader.outputRoom();
    if (++refills === REFILLS_PER_YIELD) {
      refills = 0;
      await yieldToLoop();
    }
  }
}

type Chunk = Buffer | Uint8Array | string;

function asBytes(c: Chunk): Uint8Array {
  return typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
}

async function abandon(chunks: AsyncIterator<Chunk>): Promise<void> {
  try {
    await chunks.return?.();
  } catch {
    // the source is being abandoned anyway
  }
}

/** Uncompressed stream: every chunk goes through the buffer. */
export async function drivePlainStream(reader: Reader, chunks: AsyncIterator<Chunk>): Promise<void> {
  for (;;) {
    let r: IteratorResult<Chunk>;
    try {
      r = await chunks.next();
    } catch (e) {
      reader.finish(readFailed(e));
      return;
    }
    if (r.done === true) break;
    try {
      reader.push(asBytes(r.value));
    } catch (e) {
      await abandon(chunks); // the sink threw: not an input problem, re-thrown to the caller
      throw e;
    }
    if (reader.stopped) {
      await abandon(chunks);
      return;
    }
    await reader.outputRoom();
  }
  reader.finish(null);
}

/** gzip member header (RFC 1952 2.3): magic, method 8 (deflate), flags. */
export const GZIP_ID1 = 0x1f;
export const GZIP_ID2 = 0x8b;
const GZ_CM_DEFLATE = 8;
const GZ_FHCRC = 0x02;
const GZ_FEXTRA = 0x04;
const GZ_FNAME = 0x08;
const GZ_FCOMMENT = 0x10;
const GZ_FRESERVED = 0xe0;
const GZ_FIXED_HEADER = 10;
const GZ_TRAILER = 8;
/** A member header longer than this (a file name or comment without its NUL) is corrupt. */
export const GZIP_MAX_HEADER_BYTES = 64 * 1024;

/** zlib.crc32 (Node >= 20.15); without it only ISIZE is checked. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * The length of the gzip member header at b[o..e): 0 when more bytes are needed, or the reason it
 * is not one (Node's zlib wording).
 */
function gzipHeader(b: Uint8Array, o: number, e: number): number | string {
  const n = e - o;
  if (n >= 1 && b[o] !== GZIP_ID1) return 'incorrect header check';
  if (n >= 2 && b[o + 1] !== GZIP_ID2) return 'incorrect header check';
  if (n >= 3 && b[o + 2] !== GZ_CM_DEFLATE) return 'unknown compression method';
  if (n >= 4 && ((b[o + 3] as number) & GZ_FRESERVED) !== 0) return 'unknown header flags set';
  if (n < GZ_FIXED_HEADER) return 0;
  const flg = b[o + 3] as number;
  let p = o + GZ_FIXED_HEADER;
  if ((flg & GZ_FEXTRA) !== 0) {
    if (e - p < 2) return 0;
    p += 2 + ((b[p] as number) | ((b[p + 1] as number) << 8));
    if (p > e) return 0;
  }
  for (const f of [GZ_FNAME, GZ_FCOMMENT]) {
    if ((flg & f) === 0) continue;
    while (p < e && b[p] !== 0) p++;
    if (p >= e) return 0;
    p++;
  }
  if ((flg & GZ_FHCRC) !== 0) {
    p += 2;
    if (p > e) return 0;
  }
  return p - o;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}

function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Gzip stream, any number of members (RFC 1952). Member headers and trailers are read here; each
 * member's deflate data goes through its own zlib raw inflater (written with backpressure; the
 * decompressed chunks are parsed synchronously in its 'data' handler), which stops by itself at
 * the end of the deflate data and says how many input bytes it used, so the trailer is found
 * exactly. Then CRC32 and length are checked. Unlike zlib's gunzip, whose last output is lost when
 * an error follows it in the same write (up to 256 KiB of frames before a bad trailer or trailing
 * bytes), every byte that decompresses is parsed before a problem is reported:
 *  - zero bytes after a member are padding, ignored (as gzip(1) does);
 *  - other bytes that are not a gzip header: gzip.trailing_garbage, reading stops (not fatal:
 *    everything before was whole; gzip(1) warns the same way);
 *  - a bad header, bad deflate data, a CRC32 or length mismatch: gzip.corrupt (fatal);
 *  - input ending inside a member: gzip.truncated (fatal), after all it decompressed to.
 * Errors thrown by the sink are re-thrown once the inflater is torn down.
 */
export async function driveGzipStream(reader: Reader, chunks: AsyncIterator<Chunk>): Promise<void> {
  reader.compressed = true;
  let inf: InflateRaw | null = null;
  let infErr: (Error & { code?: string }) | null = null;
  let infEnded = false;
  let wakeEnd: (() => void) | null = null;
  let sinkErr: unknown = null;
  let sinkThrew = false;
  let crc = 0;
  let size = 0; // decompressed bytes of the current member
  let members = 0;
  let pend: Uint8Array = new Uint8Array(0); // header or trailer bytes gathered so far
  let inBody = false;
  let compressedAt = 0; // compressed offset of pend[0] (for messages)

  const startMember = (): InflateRaw => {
    const z = zlib.createInflateRaw({ chunkSize: GZIP_CHUNK_BYTES, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    infErr = null;
    infEnded = false;
    crc = 0;
    size = 0;
    z.on('data', (c: Buffer) => {
      if (reader.stopped || sinkThrew) return;
      size += c.length;
      if (crc32 !== undefined) crc = crc32(c, crc);
      try {
        reader.push(c);
      } catch (e) {
        sinkErr = e;
        sinkThrew = true;
        z.destroy();
      }
    });
    z.on('error', (e: Error) => {
      infErr = e;
      wakeUp();
    });
    z.on('end', () => {
      infEnded = true;
      wakeUp();
    });
    z.on('close', wakeUp);
    return z;
  };
  const wakeUp = (): void => {
    const w = wakeEnd;
    wakeEnd = null;
    if (w !== null) w();
  };
  const settle = (z: InflateRaw): Promise<void> =>
    new Promise<void>((resolve) => {
      if (infEnded || infErr !== null || z.destroyed) resolve();
      else wakeEnd = resolve;
    });
  /** Writes to the inflater and waits until it has processed the bytes (its callback), or failed. */
  const write = (z: InflateRaw, b: Uint8Array): Promise<void> =>
    new Promise<void>((resolve) => {
      wakeEnd = resolve;
      z.write(b, () => resolve());
    });
  const corrupt = (why: string): EndCause => ({ code: E_GZIP_CORRUPT, why: `corrupt gzip data (${why})` });
  const truncated: EndCause = { code: E_GZIP_TRUNCATED, why: 'truncated gzip: the compressed input ends early' };
  const inflateCause = (e: Error & { code?: string }): EndCause =>
    e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message) ? truncated : corrupt(e.message);

  let cause: EndCause | null = null;
  let garbage = -1; // compressed offset of trailing garbage, when found
  let srcDone = false;
  try {
    outer: for (;;) {
      let r: IteratorResult<Chunk>;
      try {
        r = await chunks.next();
      } catch (e) {
        cause = readFailed(e);
        break;
      }
      if (r.done === true) {
        srcDone = true;
        break;
      }
      let b = concatBytes(pend, asBytes(r.value));
      pend = new Uint8Array(0);
      while (b.length > 0) {
        if (reader.stopped || sinkThrew) break outer;
        if (!inBody) {
          if (members > 0) {
            // between members: padding, the next member, or garbage
            if (b[0] === 0) {
              if (allZero(b)) {
                compressedAt += b.length;
                b = new Uint8Array(0);
                continue;
              }
              let z = 0;
              while (b[z] === 0) z++;
              compressedAt += z;
              b = b.subarray(z);
            }
            if (b[0] !== GZIP_ID1 || (b.length >= 2 && b[1] !== GZIP_ID2)) {
              garbage = compressedAt;
              break outer;
            }
          }
          const h = gzipHeader(b, 0, b.length);
          if (typeof h === 'string') {
            cause = corrupt(h);
            break outer;
          }
          if (h === 0) {
            if (b.length > GZIP_MAX_HEADER_BYTES) {
              cause = corrupt(`a member header longer than ${GZIP_MAX_HEADER_BYTES} bytes`);
              break outer;
            }
            pend = b;
            break;
          }
          compressedAt += h;
          b = b.subarray(h);
          inf = startMember();
          inBody = true;
          continue;
        }
        const z = inf as InflateRaw;
        if (!infEnded) {
          const before = z.bytesWritten; // everything written so far was used (else it had ended)
          await write(z, b);
          if (infErr !== null) {
            cause = inflateCause(infErr);
            break outer;
          }
          if (sinkThrew || reader.stopped) break outer;
          const used = z.bytesWritten - before;
          if (used >= b.length && !infEnded) {
            compressedAt += b.length;
            b = new Uint8Array(0);
            await reader.outputRoom();
            continue;
          }
          // the deflate data ended inside b: wait for the inflater's last output
          await settle(z);
          if (infErr !== null) {
            cause = inflateCause(infErr);
            break outer;
          }
          if (sinkThrew || reader.stopped) break outer;
          compressedAt += used;
          b = b.subarray(used);
        }
        // trailer: CRC32 and length of the member's data, little-endian
        if (b.length < GZ_TRAILER) {
          pend = b;
          break;
        }
        const want = u32le(b, 0);
        const isize = u32le(b, 4);
        if (crc32 !== undefined && want !== crc >>> 0) {
          cause = corrupt(`member ${members + 1}: CRC32 ${hex32(crc)} of the decompressed data does not match ${hex32(want)} in its trailer`);
          break outer;
        }
        if (isize !== size % 2 ** 32) {
          cause = corrupt(`member ${members + 1}: ${size} bytes decompressed, its trailer says ${isize}`);
          break outer;
        }
        members++;
        inBody = false;
        inf = null;
        compressedAt += GZ_TRAILER;
        b = b.subarray(GZ_TRAILER);
      }
      await reader.outputRoom();
    }
    if (srcDone && cause === null && garbage < 0 && !reader.stopped && !sinkThrew) {
      // the input ended: inside a member (its output flushed first) or between members
      if (inBody) {
        const z = inf as InflateRaw;
        if (!infEnded) {
          z.end();
          await settle(z);
        }
        if (infErr !== null) cause = inflateCause(infErr);
        else if (!sinkThrew) cause = truncated;
      } else if (pend.length > 0 || members === 0) {
        cause = truncated;
      }
    }
  } finally {
    if (inf !== null && !inf.destroyed) inf.destroy();
    if (!srcDone) await abandon(chunks);
  }
  if (sinkThrew) throw sinkErr;
  if (reader.stopped) return;
  if (garbage >= 0) {
    const p = reader.parser;
    reader.ctx.report(
      E_GZIP_TRAILING_GARBAGE,
      p === null ? 0 : p.index + 1,
      reader.seen,
      `trailing garbage: the bytes from compressed offset ${garbage} on are not a gzip member; ignored, as gzip -d does`,
      false,
    );
  }
  reader.finish(cause);
}

/** Reads chunks until at least `n` bytes (or the end); returns them and whether the end was hit. */
export async function readHead(chunks: AsyncIterator<Chunk>, n: number): Promise<{ head: Uint8Array[]; bytes: number; done: boolean }> {
  const head: Uint8Array[] = [];
  let bytes = 0;
  while (bytes < n) {
    const r = await chunks.next();
    if (r.done === true) return { head, bytes, done: true };
    const c = asBytes(r.value);
    head.push(c);
    bytes += c.length;
  }
  return { head, bytes, done: false };
}

/** An iterator that yields `head` and then the rest of `rest`. */
export function prepend(head: Uint8Array[], rest: AsyncIterator<Chunk>, restDone: boolean): AsyncIterator<Chunk> {
  let i = 0;
  return {
    next: async (): Promise<IteratorResult<Chunk>> => {
      if (i < head.length) return { done: false, value: head[i++] as Uint8Array };
      if (restDone) return { done: true, value: undefined };
      return rest.next();
    },
    return: async (): Promise<IteratorResult<Chunk>> => {
      if (!restDone && rest.return !== undefined) await rest.return();
      return { done: true, value: undefined };
    },
  };
}

export function chunksOf(stream: NodeJS.ReadableStream | Readable): AsyncIterator<Chunk> {
  return (stream as AsyncIterable<Chunk>)[Symbol.asyncIterator]();
}

