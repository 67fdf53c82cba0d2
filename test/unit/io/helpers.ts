/**
 * Shared helpers for the reader tests: temp files, a collecting sink (copies the bytes, since the
 * Frame and its data are only valid during the callback), expected frames computed from the
 * independent writer's inputs, and small limits to force refills, straddling and skips.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_LIMITS, type Limits } from '../../../src/core/limits.js';
import type { Frame } from '../../../src/io/frame.js';
import { readCapture, type CaptureInput, type ReadOutcome } from '../../../src/io/open.js';
import { tsToUnits, type CaptureRecord, type NgSection } from '../../../pcaps/gen/lib/pcap-writer.js';

export interface Got {
  index: number;
  ts: number;
  linkType: number;
  /** The frame's bytes in hex (strings compare fast; deep-equal on big Buffers is slow). */
  data: string;
  wireLen: number;
  fileOffset: number;
  iface: number;
}

export interface Result extends ReadOutcome {
  frames: Got[];
}

export function tmpDir(): { dir: string; file: (name: string, bytes: Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'amtwatch-io-'));
  return {
    dir,
    file: (name, bytes) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function limits(over: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...over };
}

/** Small limits: a 4 KiB buffer, 2 KiB frames, 4 KiB blocks. */
export const SMALL: Limits = limits({ readBufferBytes: 4096, maxFrameBytes: 2048, maxPcapngBlockBytes: 4096 });

export function collect(frames: Got[]): (f: Frame) => void {
  return (f) => {
    frames.push({
      index: f.index,
      ts: f.ts,
      linkType: f.linkType,
      data: Buffer.from(f.data.buffer, f.data.byteOffset + f.off, f.end - f.off).toString('hex'),
      wireLen: f.wireLen,
      fileOffset: f.fileOffset,
      iface: f.iface,
    });
  };
}

export async function read(input: CaptureInput, lim: Limits = DEFAULT_LIMITS): Promise<Result> {
  const frames: Got[] = [];
  const out = await readCapture(input, collect(frames), { limits: lim });
  return { ...out, frames };
}

export async function readPath(path: string, lim: Limits = DEFAULT_LIMITS, name = path): Promise<Result> {
  return read({ name, path }, lim);
}

/** A Readable that yields `bytes` in chunks of `chunk` bytes (stdin stand-in). */
export function streamOf(bytes: Uint8Array, chunk = 65536): Readable {
  const parts: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += chunk) parts.push(Buffer.from(bytes.subarray(o, Math.min(bytes.length, o + chunk))));
  return Readable.from(parts, { objectMode: false });
}

export async function readStream(bytes: Uint8Array, lim: Limits = DEFAULT_LIMITS, chunk = 65536): Promise<Result> {
  return read({ name: 'stdin', stream: streamOf(bytes, chunk) }, lim);
}

/** Deterministic bytes. */
export function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

/** Integer microseconds a reader must produce for a record written with tsNs. */
export function usOf(tsNs: bigint): number {
  return Number(tsNs / 1000n);
}

/** Microseconds for an EPB written with tsNs on an interface of if_tsresol `tsresol` (writer's own rounding). */
export function ngUs(tsNs: bigint, tsresol: number | undefined): number {
  const r = tsresol ?? 6;
  const units = tsToUnits(tsNs, tsresol);
  const ups = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
  return Number((units * 1_000_000n) / ups);
}

/** Records -> the frames a classic pcap reader must deliver (fileOffset from the record sizes). */
export function expectedPcap(recs: readonly CaptureRecord[], linkType: number, recordHeaderBytes = 16): Got[] {
  let off = 24;
  return recs.map((r, i) => {
    const g: Got = {
      index: i + 1,
      ts: usOf(r.tsNs),
      linkType,
      data: hex(r.data),
      wireLen: Math.max(r.origLen ?? r.data.length, r.data.length),
      fileOffset: off,
      iface: 0,
    };
    off += recordHeaderBytes + r.data.length;
    return g;
  });
}

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Byte length of the IDB writePcapng writes for this interface. */
export function idbLen(itf: NgSection['interfaces'][number]): number {
  let opts = 0;
  if (itf.name !== undefined) opts += 4 + pad4(Buffer.byteLength(itf.name));
  if (itf.tsresol !== undefined) opts += 8;
  if (opts) opts += 4;
  return 20 + opts;
}

/** Offsets and lengths of every block writePcapng writes, in order, with what it is. */
export interface BlockInfo {
  offset: number;
  length: number;
  kind: 'shb' | 'idb' | 'epb' | 'spb' | 'raw';
  section: number;
}

export function layout(sections: readonly NgSection[]): BlockInfo[] {
  const out: BlockInfo[] = [];
  let off = 0;
  sections.forEach((s, si) => {
    out.push({ offset: off, length: 28, kind: 'shb', section: si });
    off += 28;
    for (const itf of s.interfaces) {
      const l = idbLen(itf);
      out.push({ offset: off, length: l, kind: 'idb', section: si });
      off += l;
    }
    for (const b of s.blocks) {
      const l = b.kind === 'epb' ? 32 + pad4(b.data.length) : b.kind === 'spb' ? 16 + pad4(b.data.length) : 12 + pad4(b.body.length);
      out.push({ offset: off, length: l, kind: b.kind, section: si });
      off += l;
    }
  });
  return out;
}

/** Writes u32 at off in the given byte order. */
export function put32(b: Uint8Array, off: number, v: number, le = true): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  dv.setUint32(off, v >>> 0, le);
}

export function codes(r: ReadOutcome): string[] {
  return r.errors.map((e) => e.code);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
