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
import { createGunzip } from 'node:zlib';
import { u32be, u32le } from '../core/bytes.js';
import type { Limits } from '../core/limits.js';
import {
  E_EMPTY,
  E_GZIP_CORRUPT,
  E_GZIP_TRUNCATED,
  E_READ_FAILED,
  E_UNKNOWN_FORMAT,
  plural,
  type EndCause,
  type FormatParser,
  type ReadContext,
} from './context.js';
import { PCAP_RECORD_HEADER_BYTES, PcapParser, sniffPcap } from './pcap.js';
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
    limits.maxFrameBytes + PCAP_RECORD_HEADER_BYTES,
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
  return Buffer.alloc(size);
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
    if (this.onProgress !== undefined && this.base + this.end >= this.nextProgress) {
      this.nextProgress = this.base + this.end + this.size;
      this.onProgress(this.base + this.end);
    }
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
    if (pcap !== null) p = new PcapParser(this.ctx, this.limits, pcap.le, pcap.ns);
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

function describeMagic(b: Uint8Array, o: number, n: number): string {
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
  const buf = reader.buf;
  const size = reader.size;
  let filePos = n;
  reader.end = n;
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

/**
 * Gzip stream (any number of members): compressed chunks are written to zlib with backpressure,
 * decompressed chunks are parsed synchronously in the 'data' handler. Errors thrown by the sink
 * are re-thrown once the streams are torn down.
 */
export async function driveGzipStream(reader: Reader, chunks: AsyncIterator<Chunk>): Promise<void> {
  reader.compressed = true;
  const gz = createGunzip({ chunkSize: GZIP_CHUNK_BYTES });
  let gzErr: (Error & { code?: string }) | null = null;
  let sinkErr: unknown = null;
  let sinkThrew = false;
  let settled = false;
  let wake: (() => void) | null = null;
  const done = new Promise<void>((resolve) => {
    const fin = (): void => {
      settled = true;
      if (wake !== null) wake();
      resolve();
    };
    gz.once('end', fin);
    gz.once('close', fin);
    gz.once('error', (e: Error) => {
      gzErr = e;
      fin();
    });
  });
  gz.on('drain', () => {
    if (wake !== null) wake();
  });
  gz.on('data', (c: Buffer) => {
    if (reader.stopped || sinkThrew) return;
    try {
      reader.push(c);
    } catch (e) {
      sinkErr = e;
      sinkThrew = true;
      gz.destroy();
    }
  });
  let srcErr: unknown = null;
  let srcFailed = false;
  try {
    for (;;) {
      const r = await chunks.next();
      if (r.done === true) break;
      if (reader.stopped || settled) break;
      if (!gz.write(asBytes(r.value)) && !settled) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      if (reader.stopped || settled) break;
      await reader.outputRoom();
    }
  } catch (e) {
    srcErr = e;
    srcFailed = true;
  }
  if (srcFailed || reader.stopped || settled) await abandon(chunks);
  if (!srcFailed && !reader.stopped && !settled) gz.end();
  else if (!settled) gz.destroy();
  await done;
  if (sinkThrew) throw sinkErr;
  if (reader.stopped) return;
  if (srcFailed) {
    reader.finish(readFailed(srcErr));
    return;
  }
  const ge = gzErr as (Error & { code?: string }) | null;
  if (ge !== null) {
    const truncated = ge.code === 'Z_BUF_ERROR' || /unexpected end/i.test(ge.message);
    reader.finish(
      truncated
        ? { code: E_GZIP_TRUNCATED, why: 'truncated gzip: the compressed input ends early' }
        : { code: E_GZIP_CORRUPT, why: `corrupt gzip data (${ge.message})` },
    );
    return;
  }
  reader.finish(null);
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

